//! `pskit renice`: change the niceness of running processes, like util-linux `renice`.

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::kill::reason;

/// Arguments of `pskit renice`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// The new niceness (-20 to 19), as `-n N` or as the first operand.
    #[arg(short = 'n', long = "priority", allow_negative_numbers = true)]
    priority: Option<i32>,
    /// Process ids.
    #[arg(short = 'p', long = "pid", num_args = 1.., value_name = "PID")]
    pids: Vec<u32>,
    /// Print JSON: old and new niceness per pid.
    #[arg(long)]
    json: bool,
    /// The priority (when not given with -n), then more pids.
    #[arg(allow_negative_numbers = true, value_name = "PRIORITY")]
    rest: Vec<i64>,
}

#[derive(serde::Serialize)]
struct Change {
    pid: u32,
    old: Option<i32>,
    new: Option<i32>,
    error: Option<String>,
}

/// Runs `pskit renice`.
pub fn run(args: Args) -> CmdResult {
    let mut rest = args.rest.into_iter();
    let prio = match args.priority {
        Some(p) => p,
        None => match rest.next() {
            Some(p) if (i32::MIN as i64..=i32::MAX as i64).contains(&p) => p as i32,
            _ => {
                eprintln!("{}: no priority given", crate::fmt::prog("renice"));
                return Ok(ExitCode::from(2));
            }
        },
    };
    let mut pids = args.pids;
    for r in rest {
        match u32::try_from(r) {
            Ok(p) => pids.push(p),
            Err(_) => {
                eprintln!("{}: invalid pid: {r}", crate::fmt::prog("renice"));
                return Ok(ExitCode::from(2));
            }
        }
    }
    if pids.is_empty() {
        eprintln!("{}: no pid given", crate::fmt::prog("renice"));
        return Ok(ExitCode::from(2));
    }
    let mut out = Vec::new();
    for pid in pids {
        let r = pskit::Process::new(pid).and_then(|p| {
            let old = p.nice()?;
            p.set_nice(prio)?;
            Ok((old, p.nice()?))
        });
        match &r {
            Ok((old, new)) if !args.json => {
                println!("{pid} (process ID) old priority {old}, new priority {new}")
            }
            Err(e) if !args.json => eprintln!(
                "{}: failed to set priority for {pid} (process ID): {}",
                crate::fmt::prog("renice"),
                reason(e)
            ),
            _ => {}
        }
        out.push(match r {
            Ok((old, new)) => Change {
                pid,
                old: Some(old),
                new: Some(new),
                error: None,
            },
            Err(e) => Change {
                pid,
                old: None,
                new: None,
                error: Some(reason(&e)),
            },
        });
    }
    if args.json {
        print_json(&out)?;
    }
    Ok(if out.iter().all(|c| c.error.is_none()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
