//! `pskit taskset`: get or set CPU affinity, like util-linux `taskset`.

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::kill::reason;

/// Arguments of `pskit taskset`.
#[derive(clap::Args)]
pub struct Args {
    /// Operate on an existing pid instead of running a command.
    #[arg(short = 'p', long = "pid")]
    pid: bool,
    /// Read and print CPU lists (`0-3,8`) instead of hex masks.
    #[arg(short = 'c', long = "cpu-list")]
    cpu_list: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// `[MASK|LIST] PID` with -p, or `MASK|LIST COMMAND [ARG…]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    operands: Vec<String>,
}

/// Formats CPU numbers as a hex mask.
pub fn format_mask(cpus: &[u32]) -> String {
    let max = cpus.iter().max().copied().unwrap_or(0) as usize;
    let mut nibbles = vec![0u8; max / 4 + 1];
    for &c in cpus {
        nibbles[c as usize / 4] |= 1 << (c % 4);
    }
    let s: String = nibbles.iter().rev().map(|n| format!("{n:x}")).collect();
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.into()
    }
}

/// Formats CPU numbers as a list with ranges (`0-3,8`).
pub fn format_list(cpus: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let start = cpus[i];
        let mut end = start;
        while i + 1 < cpus.len() && cpus[i + 1] == end + 1 {
            i += 1;
            end = cpus[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(",")
}

fn parse_cpus(s: &str, list: bool) -> Option<Vec<u32>> {
    if list {
        let mut v = crate::num::cpu_list(s)?;
        v.sort_unstable();
        v.dedup();
        Some(v)
    } else {
        crate::num::parse_mask(s)
    }
}

fn usage(msg: &str) -> CmdResult {
    eprintln!("{}: {msg}", crate::fmt::prog("taskset"));
    Ok(ExitCode::from(2))
}

#[derive(serde::Serialize)]
struct Affinity {
    pid: u32,
    previous: Vec<u32>,
    current: Vec<u32>,
}

/// Runs `pskit taskset`.
pub fn run(args: Args) -> CmdResult {
    let show = |cpus: &[u32]| {
        if args.cpu_list {
            format_list(cpus)
        } else {
            format_mask(cpus)
        }
    };
    let what = if args.cpu_list { "list" } else { "mask" };
    if args.pid {
        let (spec, pid) = match args.operands.as_slice() {
            [pid] => (None, pid),
            [spec, pid] => (Some(spec), pid),
            _ => return usage("with -p, give [MASK|LIST] PID"),
        };
        let Ok(pid) = pid.parse::<u32>() else {
            return usage(&format!("invalid PID argument: '{pid}'"));
        };
        let cpus = match spec.map(|s| (s, parse_cpus(s, args.cpu_list))) {
            None => None,
            Some((_, Some(c))) => Some(c),
            Some((s, None)) => return usage(&format!("failed to parse CPU {what}: {s}")),
        };
        let p = match pskit::Process::new(pid) {
            Ok(p) => p,
            Err(e) => {
                eprintln!(
                    "{}: failed to get pid {pid}'s affinity: {}",
                    crate::fmt::prog("taskset"),
                    reason(&e)
                );
                return Ok(ExitCode::FAILURE);
            }
        };
        let previous = p.cpu_affinity()?;
        if !args.json {
            println!("pid {pid}'s current affinity {what}: {}", show(&previous));
        }
        let mut current = previous.clone();
        if let Some(cpus) = cpus {
            // An empty mask (`0`) is sched_setaffinity's EINVAL, as util-linux
            // reports it; the library would read [] as "every CPU" (psutil).
            if cpus.is_empty() {
                eprintln!(
                    "{}: failed to set pid {pid}'s affinity: Invalid argument",
                    crate::fmt::prog("taskset")
                );
                return Ok(ExitCode::FAILURE);
            }
            if let Err(e) = p.set_cpu_affinity(&cpus) {
                eprintln!(
                    "{}: failed to set pid {pid}'s affinity: {e}",
                    crate::fmt::prog("taskset")
                );
                return Ok(ExitCode::FAILURE);
            }
            current = p.cpu_affinity()?;
            if !args.json {
                println!("pid {pid}'s new affinity {what}: {}", show(&current));
            }
        }
        if args.json {
            print_json(&Affinity {
                pid,
                previous,
                current,
            })?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let [spec, command @ ..] = args.operands.as_slice() else {
        return usage("give MASK|LIST COMMAND");
    };
    if command.is_empty() {
        return usage("no command given");
    }
    let Some(cpus) = parse_cpus(spec, args.cpu_list) else {
        return usage(&format!("failed to parse CPU {what}: {spec}"));
    };
    if cpus.is_empty() {
        eprintln!(
            "{}: failed to set affinity: Invalid argument",
            crate::fmt::prog("taskset")
        );
        return Ok(ExitCode::FAILURE);
    }
    if let Err(e) = pskit::Process::current()?.set_cpu_affinity(&cpus) {
        eprintln!(
            "{}: failed to set affinity: {e}",
            crate::fmt::prog("taskset")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(crate::fmt::exec("taskset", command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_lists() {
        assert_eq!(crate::num::parse_mask("0x3"), Some(vec![0, 1]));
        assert_eq!(crate::num::parse_mask("f0"), Some(vec![4, 5, 6, 7]));
        assert_eq!(crate::num::parse_mask("xyz"), None);
        assert_eq!(format_mask(&[0, 1]), "3");
        assert_eq!(format_mask(&[4, 5, 6, 7]), "f0");
        assert_eq!(format_list(&[0, 1, 2, 3, 8, 10, 11]), "0-3,8,10-11");
        assert_eq!(parse_cpus("0-2,5", true), Some(vec![0, 1, 2, 5]));
        assert_eq!(parse_cpus("2-0", true), None);
    }
}
