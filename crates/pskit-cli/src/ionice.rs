//! `pskit ionice`: get or set I/O scheduling class and priority, like util-linux `ionice`.

use std::process::ExitCode;

use pskit::process::{IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE, IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT};

use crate::fmt::{print_json, CmdResult};
use crate::kill::reason;

/// Arguments of `pskit ionice`.
#[derive(clap::Args)]
pub struct Args {
    /// Class: 0/none, 1/realtime, 2/best-effort, 3/idle.
    #[arg(short = 'c', long = "class", value_name = "CLASS")]
    class: Option<String>,
    /// Priority level within the class (0 highest – 7 lowest).
    #[arg(short = 'n', long = "classdata", value_name = "LEVEL")]
    level: Option<i32>,
    /// Act on these running processes.
    #[arg(short = 'p', long = "pid", num_args = 1.., value_name = "PID")]
    pids: Vec<u32>,
    /// Print JSON (the class and level per pid).
    #[arg(long)]
    json: bool,
    /// A command to run with the given class and level.
    #[arg(trailing_var_arg = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// Parses a class name or number as util-linux does.
pub fn parse_class(s: &str) -> Option<i32> {
    match s.to_ascii_lowercase().as_str() {
        "0" | "none" => Some(IOPRIO_CLASS_NONE),
        "1" | "realtime" => Some(IOPRIO_CLASS_RT),
        "2" | "best-effort" => Some(IOPRIO_CLASS_BE),
        "3" | "idle" => Some(IOPRIO_CLASS_IDLE),
        _ => None,
    }
}

/// util-linux's text for a class and level.
pub fn describe(ioclass: i32, value: i32) -> String {
    match ioclass {
        IOPRIO_CLASS_IDLE => "idle".into(),
        IOPRIO_CLASS_RT => format!("realtime: prio {value}"),
        IOPRIO_CLASS_BE => format!("best-effort: prio {value}"),
        _ => format!("none: prio {value}"),
    }
}

#[derive(serde::Serialize)]
struct Entry {
    pid: u32,
    ioclass: Option<i32>,
    value: Option<i32>,
    error: Option<String>,
}

fn usage(msg: &str) -> CmdResult {
    eprintln!("{}: {msg}", crate::fmt::prog("ionice"));
    Ok(ExitCode::from(2))
}

/// Runs `pskit ionice`.
pub fn run(args: Args) -> CmdResult {
    let class = match args.class.as_deref().map(|c| (c, parse_class(c))) {
        None => None,
        Some((_, Some(c))) => Some(c),
        Some((c, None)) => return usage(&format!("unknown scheduling class: '{c}'")),
    };
    let setting = class.is_some() || args.level.is_some();
    // util-linux: -n without -c means best-effort.
    let class = class.unwrap_or(IOPRIO_CLASS_BE);
    let level = match class {
        IOPRIO_CLASS_IDLE | IOPRIO_CLASS_NONE => None,
        _ => Some(args.level.unwrap_or(4)),
    };
    if !args.pids.is_empty() && !args.command.is_empty() {
        return usage("can handle only one of pid or command");
    }
    if !args.command.is_empty() {
        let me = pskit::Process::current()?;
        if setting {
            if let Err(e) = me.set_ionice(class, level) {
                eprintln!("{}: ioprio_set failed: {e}", crate::fmt::prog("ionice"));
                return Ok(ExitCode::FAILURE);
            }
        }
        return Ok(crate::fmt::exec("ionice", &args.command));
    }
    let pids = if args.pids.is_empty() {
        vec![std::process::id()]
    } else {
        args.pids
    };
    let mut out = Vec::new();
    for pid in pids {
        let r = pskit::Process::new(pid).and_then(|p| {
            if setting {
                p.set_ionice(class, level)?;
            }
            p.ionice()
        });
        match &r {
            Ok(io) if !setting && !args.json => println!("{}", describe(io.ioclass, io.value)),
            Err(e) if !args.json => {
                eprintln!("{}: {pid}: {}", crate::fmt::prog("ionice"), reason(e))
            }
            _ => {}
        }
        out.push(match r {
            Ok(io) => Entry {
                pid,
                ioclass: Some(io.ioclass),
                value: Some(io.value),
                error: None,
            },
            Err(e) => Entry {
                pid,
                ioclass: None,
                value: None,
                error: Some(e.to_string()),
            },
        });
    }
    if args.json {
        print_json(&out)?;
    }
    Ok(if out.iter().all(|e| e.error.is_none()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(parse_class("idle"), Some(3));
        assert_eq!(parse_class("Best-Effort"), Some(2));
        assert_eq!(parse_class("9"), None);
        assert_eq!(describe(2, 4), "best-effort: prio 4");
        assert_eq!(describe(3, 0), "idle");
    }
}
