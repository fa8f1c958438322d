//! A clone of `killall`: kills (SIGKILL) every process with the given name.
//!
//! Port of psutil's `scripts/killall.py`:
//!
//! ```text
//! $ cargo run -p pskit --example killall -- sleep
//! ```
//!
//! Exits with status 0 when it killed something, else prints
//! `NAME: no process found` to stderr and exits with status 1.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let [_, name] = args.as_slice() else {
        eprintln!(
            "usage: {} name",
            args.first().map_or("killall", String::as_str)
        );
        return ExitCode::FAILURE;
    };
    match killall(name) {
        Ok(killed) if killed.is_empty() => {
            eprintln!("{name}: no process found");
            ExitCode::FAILURE
        }
        Ok(_) => ExitCode::SUCCESS,
        // Where the Python script dies of an exception (say, AccessDenied when
        // killing another user's process): its last traceback line, status 1.
        Err(e) => {
            eprintln!("{}", py_exception(&e));
            ExitCode::FAILURE
        }
    }
}

/// Kills the processes named `name` but this one; returns their pids.
fn killall(name: &str) -> pskit::Result<Vec<u32>> {
    let me = std::process::id();
    let mut killed = Vec::new();
    for proc in pskit::process::processes()? {
        let proc_name = match proc.name() {
            Ok(n) => n,
            // Gone since the scan: nothing to kill.
            Err(e) if e.is_no_such_process() => continue,
            Err(e) => return Err(e),
        };
        if proc_name == name && proc.pid() != me {
            proc.kill()?;
            killed.push(proc.pid());
        }
    }
    Ok(killed)
}

/// The last line of the traceback Python prints for a psutil exception.
fn py_exception(e: &pskit::Error) -> String {
    let class = match e {
        pskit::Error::NoSuchProcess { .. } => "psutil.NoSuchProcess",
        pskit::Error::ZombieProcess { .. } => "psutil.ZombieProcess",
        pskit::Error::AccessDenied { .. } => "psutil.AccessDenied",
        _ => "OSError",
    };
    format!("{class}: {e}")
}
