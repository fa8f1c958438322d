//! A clone of `who`: the users logged in now, with their terminal, login time,
//! remote host and login process.
//!
//! Port of psutil's `scripts/who.py`:
//!
//! ```text
//! $ cargo run -p pskit --example who
//! giampaolo    console    2017-03-25 22:24                loginwindow
//! giampaolo    ttys000    2017-03-25 23:28 (10.0.2.2)     sshd
//! ```

use std::process::ExitCode;

use chrono::{DateTime, Local};

fn main() -> ExitCode {
    match who() {
        Ok(()) => ExitCode::SUCCESS,
        // Where the Python script dies of an exception, e.g. a session whose
        // login process is gone: its last traceback line, exit status 1.
        Err(e) => {
            eprintln!("{}", py_exception(&e));
            ExitCode::FAILURE
        }
    }
}

fn who() -> pskit::Result<()> {
    for user in pskit::users()? {
        let proc_name = match user.pid {
            0 => String::new(),
            pid => pskit::Process::new(pid)?.name()?,
        };
        // Python's `datetime.fromtimestamp()`: local time.
        let started = DateTime::from_timestamp(user.started as i64, 0)
            .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let terminal = user.terminal.filter(|t| !t.is_empty());
        println!(
            "{:<12} {:<10} {:<10} {:<14} {}",
            user.name,
            terminal.as_deref().unwrap_or("-"),
            started,
            format!("({})", user.host),
            proc_name
        );
    }
    Ok(())
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
