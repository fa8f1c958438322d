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
    #[arg(short = 'b', long = "bytes")]
    bytes: bool,
    /// Show output in kibibytes (the default).
    #[arg(short = 'k', long = "kibi")]
    kibi: bool,
    /// Show output in mebibytes.
    #[arg(short = 'm', long = "mebi")]
    mebi: bool,
    /// Show output in gibibytes.
    #[arg(short = 'g', long = "gibi")]
    gibi: bool,
    /// Show output in tebibytes.
    #[arg(long = "tebi")]
    tebi: bool,
    /// Show output in pebibytes.
    #[arg(long = "pebi")]
    pebi: bool,
    /// Show output in kilobytes (1000).
    #[arg(long = "kilo")]
    kilo: bool,
    /// Show output in megabytes.
    #[arg(long = "mega")]
    mega: bool,
    /// Show output in gigabytes.
    #[arg(long = "giga")]
    giga: bool,
    /// Show output in terabytes.
    #[arg(long = "tera")]
    tera: bool,
    /// Show output in petabytes.
    #[arg(long = "peta")]
    peta: bool,
    /// Show detailed low and high memory statistics.
    #[arg(short = 'l', long = "lohi")]
    lohi: bool,
    /// Show committed memory and the commit limit.
    #[arg(short = 'v', long = "committed")]
    committed: bool,
    /// Wide output: buffers and cache in separate columns.
    #[arg(short = 'w', long = "wide")]
    wide: bool,
    /// Show human-readable output (B, Ki, Mi, Gi…).
    #[arg(short = 'h', long = "human")]
    human: bool,
    /// Use powers of 1000 instead of 1024.
    #[arg(long)]
    si: bool,
    /// Show a line with the totals of memory and swap.
    #[arg(short = 't', long = "total")]
    total: bool,
    /// Repeat printing every SECONDS seconds.
    #[arg(
        short = 's',
        long = "seconds",
        value_name = "SECONDS",
        allow_hyphen_values = true
    )]
    seconds: Option<String>,
    /// Repeat printing COUNT times, then exit.
    #[arg(
        short = 'c',
        long = "count",
        value_name = "COUNT",
        allow_hyphen_values = true
    )]
    count: Option<String>,
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
        let si = self.si || self.kilo || self.mega || self.giga || self.tera || self.peta;
        let base: f64 = if si { 1000.0 } else { 1024.0 };
        let power = if self.mebi || self.mega {
            2
        } else if self.gibi || self.giga {
            3
        } else if self.tebi || self.tera {
            4
        } else if self.pebi || self.peta {
            5
        } else {
            1
        };
        if self.human {
            Unit::Human { si: self.si }
        } else if self.bytes {
            Unit::Fixed(1.0)
        } else {
            Unit::Fixed(base.powi(power))
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

/// /proc/meminfo lines free's -l and -v need that psutil does not report.
#[derive(Default)]
struct Extra {
    low_total: Option<u64>,
    low_free: Option<u64>,
    high_total: u64,
    high_free: u64,
    commit_limit: u64,
    committed_as: u64,
}

fn meminfo_extra() -> std::io::Result<Extra> {
    let path = pskit::Root::current().proc().join("meminfo");
    let text = crate::fmt::read_small(&path)?;
    let mut e = Extra::default();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(key), Some(v)) = (f.next(), f.next().and_then(|v| v.parse::<u64>().ok())) else {
            continue;
        };
        let b = v.saturating_mul(1024);
        match key {
            "LowTotal:" => e.low_total = Some(b),
            "LowFree:" => e.low_free = Some(b),
            "HighTotal:" => e.high_total = b,
            "HighFree:" => e.high_free = b,
            "CommitLimit:" => e.commit_limit = b,
            "Committed_AS:" => e.committed_as = b,
            _ => {}
        }
    }
    Ok(e)
}

/// What to print besides Mem and Swap.
struct Layout {
    unit: Unit,
    total: bool,
    wide: bool,
    lohi: bool,
    committed: bool,
}

fn render(vm: &pskit::VirtualMemory, sw: &pskit::SwapMemory, extra: &Extra, l: &Layout) -> String {
    let f = |b: u64| scale(b, l.unit);
    let mut out = String::from(if l.wide {
        "               total        used        free      shared     buffers       cache   available\n"
    } else {
        "               total        used        free      shared  buff/cache   available\n"
    });
    let three = |out: &mut String, label: &str, a: String, b: String, c: String| {
        out.push_str(&format!("{label:<8} {a:>11} {b:>11} {c:>11}\n"));
    };
    let mut mem = format!(
        "{:<8} {:>11} {:>11} {:>11} {:>11}",
        "Mem:",
        f(vm.total),
        f(vm.used),
        f(vm.free),
        f(vm.shared)
    );
    if l.wide {
        mem.push_str(&format!(" {:>11} {:>11}", f(vm.buffers), f(vm.cached)));
    } else {
        mem.push_str(&format!(" {:>11}", f(vm.buffers.saturating_add(vm.cached))));
    }
    mem.push_str(&format!(" {:>11}\n", f(vm.available)));
    out.push_str(&mem);
    if l.lohi {
        let lt = extra.low_total.unwrap_or(vm.total);
        let lf = extra.low_free.unwrap_or(vm.free);
        three(&mut out, "Low:", f(lt), f(lt.saturating_sub(lf)), f(lf));
        let (ht, hf) = (extra.high_total, extra.high_free);
        three(&mut out, "High:", f(ht), f(ht.saturating_sub(hf)), f(hf));
    }
    three(&mut out, "Swap:", f(sw.total), f(sw.used), f(sw.free));
    if l.total {
        three(
            &mut out,
            "Total:",
            f(vm.total.saturating_add(sw.total)),
            f(vm.used.saturating_add(sw.used)),
            f(vm.free.saturating_add(sw.free)),
        );
    }
    if l.committed {
        // Committed_AS can exceed the limit: free prints the difference signed.
        let avail = extra.commit_limit as i128 - extra.committed_as as i128;
        let signed = if avail < 0 {
            format!("-{}", f(avail.unsigned_abs() as u64))
        } else {
            f(avail as u64)
        };
        three(
            &mut out,
            "Comm:",
            f(extra.commit_limit),
            f(extra.committed_as),
            signed,
        );
    }
    out
}

/// Runs `pskit free`.
pub fn run(args: Args) -> CmdResult {
    let units = [
        args.bytes, args.kibi, args.mebi, args.gibi, args.tebi, args.pebi, args.kilo, args.mega,
        args.giga, args.tera, args.peta,
    ];
    if units.iter().filter(|u| **u).count() > 1 {
        eprintln!(
            "{}: Multiple unit options don't make sense.",
            crate::fmt::prog("free")
        );
        return Ok(ExitCode::FAILURE);
    }
    // procps free's messages and status (1) for bad -s and -c values.
    let delay = match &args.seconds {
        Some(s) => match crate::num::free_seconds(s) {
            Ok(d) => Some(d),
            Err(msg) => {
                eprintln!("{}: {msg}", crate::fmt::prog("free"));
                return Ok(ExitCode::FAILURE);
            }
        },
        None => None,
    };
    let count = match &args.count {
        Some(c) => match crate::num::free_count(c) {
            Ok(n) => Some(n),
            Err(msg) => {
                eprintln!("{}: {msg}", crate::fmt::prog("free"));
                return Ok(ExitCode::FAILURE);
            }
        },
        None => None,
    };
    let delay = delay.or(count.map(|_| Duration::from_secs(1)));
    let layout = Layout {
        unit: args.unit(),
        total: args.total,
        wide: args.wide,
        lohi: args.lohi,
        committed: args.committed,
    };
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
            let extra = if layout.lohi || layout.committed {
                meminfo_extra()?
            } else {
                Extra::default()
            };
            print!(
                "{}",
                render(&snap.virtual_memory, &snap.swap_memory, &extra, &layout)
            );
        }
        n += 1;
        match (delay, count) {
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
    fn seconds_and_count_checked_as_procps() {
        assert!(crate::num::free_seconds("0.5").is_ok());
        assert!(crate::num::free_seconds("2").is_ok());
        for bad in ["-1", "0", "0.0000001"] {
            assert_eq!(
                crate::num::free_seconds(bad).unwrap_err(),
                format!("seconds argument `{bad}' is not positive number")
            );
        }
        for bad in ["1e300", "abc", "nan", "inf", "", "."] {
            assert_eq!(
                crate::num::free_seconds(bad).unwrap_err(),
                format!("seconds argument failed: '{bad}': Invalid argument")
            );
        }
        assert!(crate::num::free_seconds("99999999999999999999999999").is_err());
        assert_eq!(crate::num::free_count("3"), Ok(3));
        assert_eq!(
            crate::num::free_count("abc").unwrap_err(),
            "failed to parse count argument: 'abc'"
        );
        for bad in ["0", "-1", "99999999999999999999"] {
            assert!(crate::num::free_count(bad)
                .unwrap_err()
                .ends_with("Numerical result out of range"));
        }
    }

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
        let layout = Layout {
            unit: Unit::Fixed(1024.0),
            total: false,
            wide: false,
            lohi: false,
            committed: false,
        };
        let out = render(
            &vm,
            &pskit::SwapMemory::default(),
            &Extra::default(),
            &layout,
        );
        assert_eq!(
            out,
            "               total        used        free      shared  buff/cache   available\n\
Mem:        24684100      382476    23804240        8724      728164    24301624\n\
Swap:              0           0           0\n"
        );
    }
}
