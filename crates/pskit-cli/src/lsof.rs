//! `pskit lsof [-p PID]`: open regular files with fd, mode and position (psutil
//! `Process.open_files`). Sockets are not listed yet.

use std::process::ExitCode;

use serde_json::{json, Value};

use crate::fmt::{print_json, CmdResult};
use crate::proc_common;
use crate::proc_common::outln;

/// Arguments of `pskit lsof`.
#[derive(clap::Args)]
pub struct Args {
    /// Only this process.
    #[arg(short = 'p', long = "pid")]
    pid: Option<u32>,
    /// Print a JSON list of {command, pid, fd, type, mode, position, flags, path}.
    #[arg(long)]
    json: bool,
}

fn rows_of(p: &pskit::Process, name: &str) -> pskit::Result<Vec<Value>> {
    Ok(p.open_files()?
        .into_iter()
        .map(|f| {
            json!({
                "command": name, "pid": p.pid(), "fd": f.fd, "type": "REG",
                "mode": f.mode, "position": f.position, "flags": f.flags, "path": f.path,
            })
        })
        .collect())
}

/// Runs `pskit lsof`.
pub fn run(args: Args) -> CmdResult {
    let mut rows = Vec::new();
    if let Some(pid) = args.pid {
        let p = match proc_common::open(pid) {
            Ok(p) => p,
            Err(code) => return Ok(code),
        };
        let name = p.name().unwrap_or_default();
        match rows_of(&p, &name) {
            Ok(r) => rows = r,
            Err(e) => return Ok(proc_common::fail(pid, &e)),
        }
    } else {
        for info in pskit::process_iter(&["name"])? {
            let name = info.name.clone().unwrap_or_default();
            // Other users' processes (AccessDenied) and vanished ones are skipped.
            if let Ok(r) = rows_of(&info.process, &name) {
                rows.extend(r);
            }
        }
    }
    if args.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{:<16} {:>7} {:>5} {:<5} {:<4} {:>12}  NAME",
        "COMMAND",
        "PID",
        "FD",
        "TYPE",
        "MODE",
        "POS"
    );
    for r in &rows {
        outln!(
            "{:<16} {:>7} {:>5} {:<5} {:<4} {:>12}  {}",
            proc_common::cell(&r["command"]),
            r["pid"].as_u64().unwrap_or(0),
            r["fd"].as_i64().unwrap_or(0),
            proc_common::cell(&r["type"]),
            proc_common::cell(&r["mode"]),
            r["position"].as_u64().unwrap_or(0),
            proc_common::cell(&r["path"])
        );
    }
    Ok(ExitCode::SUCCESS)
}
