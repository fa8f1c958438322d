//! `pskit free`: memory and swap like procps-ng `free` (≥ 4.0.1, where used =
//! total − available, the same formula as psutil).

use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit free`.
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// Print help (-h means --human, as in procps free).
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
    /// Show output in bytes.
    #[arg(short = 'b', long = "bytes", group = "unit")]
    bytes: bool,
    /// Show output in kibibytes (the default).
    #[arg(short = 'k', long = "kibi", group = "unit")]
    kibi: bool,
    /// Show output in mebibytes.
    #[arg(short = 'm', long = "mebi", group = "unit")]
    mebi: bool,
    /// Show output in gibibytes.
    #[arg(short = 'g', long = "gibi", group = "unit")]
    gibi: bool,
    /// Show human-readable output (B, Ki, Mi, Gi…).
    #[arg(short = 'h', long = "human", group = "unit")]
    human: bool,
    /// Use powers of 1000 instead of 1024.
    #[arg(long)]
    si: bool,
    /// Show a line with the totals of memory and swap.
    #[arg(short = 't', long = "total")]
    total: bool,
    /// Repeat printing every SECONDS seconds.
    #[arg(short = 's', long = "seconds", value_name = "SECONDS")]
    seconds: Option<f64>,
    /// Repeat printing COUNT times, then exit.
    #[arg(short = 'c', long = "count", value_name = "COUNT")]
    count: Option<u64>,
    /// Print JSON (one object per line when repeating).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Snapshot {
    virtual_memory: pskit::VirtualMemory,
    swap_memory: pskit::SwapMemory,
}

/// How to print a number of bytes.
#[derive(Clone, Copy)]
enum Unit {
    /// Divide by this and print an integer (truncated, as free does).
    Fixed(f64),
    /// free's human-readable scale.
    Human { si: bool },
}

impl Args {
    fn unit(&self) -> Unit {
        let base: f64 = if self.si { 1000.0 } else { 1024.0 };
        if self.human {
            Unit::Human { si: self.si }
        } else if self.bytes {
            Unit::Fixed(1.0)
        } else if self.mebi {
            Unit::Fixed(base * base)
        } else if self.gibi {
            Unit::Fixed(base * base * base)
        } else {
            Unit::Fixed(base)
        }
    }
}

/// procps free's `scale_size`: the shortest of "%.1f" and "%ld" with a unit that fits
/// in 4 characters (SI) or 5 (with the "i").
fn scale(bytes: u64, unit: Unit) -> String {
    match unit {
        Unit::Fixed(div) => format!("{}", (bytes as f64 / div) as u64),
        Unit::Human { si } => {
            let s = format!("{bytes}B");
            if s.len() <= 4 {
                return s;
            }
            let base: f64 = if si { 1000.0 } else { 1024.0 };
            let (limit, suffix) = if si { (4, "") } else { (5, "i") };
            let mut last = s;
            for (i, u) in ["K", "M", "G", "T", "P", "E"].iter().enumerate() {
                let v = bytes as f64 / base.powi(i as i32 + 1);
                let s = format!("{v:.1}{u}{suffix}");
                if s.len() <= limit {
                    return s;
                }
                let s = format!("{}{u}{suffix}", v as u64);
                if s.len() <= limit {
                    return s;
                }
                last = s;
            }
            last
        }
    }
}

fn render(vm: &pskit::VirtualMemory, sw: &pskit::SwapMemory, unit: Unit, total: bool) -> String {
    let f = |b: u64| scale(b, unit);
    let mut out = String::from(
        "               total        used        free      shared  buff/cache   available\n",
    );
    out.push_str(&format!(
        "{:<8} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}\n",
        "Mem:",
        f(vm.total),
        f(vm.used),
        f(vm.free),
        f(vm.shared),
        f(vm.buffers.saturating_add(vm.cached)),
        f(vm.available)
    ));
    out.push_str(&format!(
        "{:<8} {:>11} {:>11} {:>11}\n",
        "Swap:",
        f(sw.total),
        f(sw.used),
        f(sw.free)
    ));
    if total {
        out.push_str(&format!(
            "{:<8} {:>11} {:>11} {:>11}\n",
            "Total:",
            f(vm.total.saturating_add(sw.total)),
            f(vm.used.saturating_add(sw.used)),
            f(vm.free.saturating_add(sw.free))
        ));
    }
    out
}

/// Runs `pskit free`.
pub fn run(args: Args) -> CmdResult {
    let delay = match (args.seconds, args.count) {
        (Some(s), _) => match crate::num::seconds(s, false) {
            Ok(d) => Some(d),
            Err(_) => {
                eprintln!("pskit free: seconds argument `{s}' is not positive number");
                return Ok(ExitCode::from(2));
            }
        },
        (None, Some(_)) => Some(Duration::from_secs(1)),
        (None, None) => None,
    };
    if args.count == Some(0) {
        eprintln!("pskit free: count argument `0' failed");
        return Ok(ExitCode::from(2));
    }
    let repeating = delay.is_some();
    let mut n = 0u64;
    loop {
        let snap = Snapshot {
            virtual_memory: pskit::virtual_memory()?,
            swap_memory: pskit::swap_memory()?,
        };
        if args.json {
            if repeating {
                println!("{}", serde_json::to_string(&snap)?);
            } else {
                print_json(&snap)?;
            }
        } else {
            print!(
                "{}",
                render(
                    &snap.virtual_memory,
                    &snap.swap_memory,
                    args.unit(),
                    args.total
                )
            );
        }
        n += 1;
        match (delay, args.count) {
            (None, _) => break,
            (Some(_), Some(c)) if n >= c => break,
            (Some(d), _) => {
                if !args.json {
                    println!();
                }
                std::thread::sleep(d);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_scale_like_procps() {
        let h = Unit::Human { si: false };
        assert_eq!(scale(0, h), "0B");
        assert_eq!(scale(8724 * 1024, h), "8.5Mi");
        assert_eq!(scale(382476 * 1024, h), "373Mi");
        assert_eq!(scale(24684100 * 1024, h), "23Gi");
        let si = Unit::Human { si: true };
        assert_eq!(scale(24684100 * 1024, si), "25G");
        assert_eq!(scale(8724 * 1024, si), "8.9M");
    }

    #[test]
    fn fixed_units_truncate() {
        assert_eq!(scale(24684100 * 1024, Unit::Fixed(1024.0)), "24684100");
        assert_eq!(scale(1536, Unit::Fixed(1024.0)), "1");
        assert_eq!(scale(1536, Unit::Fixed(1.0)), "1536");
    }

    #[test]
    fn layout_matches_free() {
        let vm = pskit::VirtualMemory {
            total: 24684100 * 1024,
            available: 24301624 * 1024,
            used: 382476 * 1024,
            free: 23804240 * 1024,
            shared: 8724 * 1024,
            buffers: 0,
            cached: 728164 * 1024,
            ..Default::default()
        };
        let out = render(
            &vm,
            &pskit::SwapMemory::default(),
            Unit::Fixed(1024.0),
            false,
        );
        assert_eq!(
            out,
            "               total        used        free      shared  buff/cache   available\n\
Mem:        24684100      382476    23804240        8724      728164    24301624\n\
Swap:              0           0           0\n"
        );
    }
}
