//! `pskit wait`: wait for processes to end, like `tail --pid` (and bash's `wait`
//! for children): prints each exit status where it can be known.

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::kill::reason;

/// Arguments of `pskit wait`.
#[derive(clap::Args)]
pub struct Args {
    /// Give up after this many seconds (exit status 124, as timeout(1)).
    #[arg(short = 't', long = "timeout", value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Print JSON: each pid with its exit status (null when not a child).
    #[arg(long)]
    json: bool,
    /// The processes to wait for.
    #[arg(required = true, value_name = "PID")]
    pids: Vec<u32>,
}

#[derive(serde::Serialize)]
struct Gone {
    pid: u32,
    returncode: Option<i32>,
}

/// Runs `pskit wait`.
pub fn run(args: Args) -> CmdResult {
    if let Some(t) = args.timeout {
        if !(t.is_finite() && t >= 0.0) {
            eprintln!("{}: invalid timeout: {t}", crate::fmt::prog("wait"));
            return Ok(ExitCode::from(2));
        }
    }
    let mut procs = Vec::new();
    let mut failed = false;
    for pid in &args.pids {
        match pskit::Process::new(*pid) {
            Ok(p) => procs.push(p),
            Err(e) => {
                eprintln!("{}: {pid}: {}", crate::fmt::prog("wait"), reason(&e));
                failed = true;
            }
        }
    }
    let json = args.json;
    let mut gone = Vec::new();
    let r = pskit::wait_procs(procs, args.timeout, |p, code| {
        if !json {
            match code {
                Some(c) if c < 0 => println!("{} killed by signal {}", p.pid(), -c),
                Some(c) => println!("{} exited with status {c}", p.pid()),
                None => println!("{} exited", p.pid()),
            }
        }
        gone.push(Gone {
            pid: p.pid(),
            returncode: code,
        });
    })?;
    if json {
        print_json(&gone)?;
    }
    if !r.alive.is_empty() {
        let still: Vec<String> = r.alive.iter().map(|p| p.pid().to_string()).collect();
        eprintln!(
            "{}: timed out; still running: {}",
            crate::fmt::prog("wait"),
            still.join(" ")
        );
        return Ok(ExitCode::from(124));
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
