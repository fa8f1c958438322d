//! A clone of `pidof`: the pids of the processes whose name, or whose
//! `cmdline[0]`, is the given name.
//!
//! Port of psutil's `scripts/pidof.py`:
//!
//! ```text
//! $ cargo run -p pskit --example pidof -- python
//! 1140 1138 1136 1134 1133 1129 1127 1125 1121 1120 1119
//! ```

use std::process::ExitCode;

use pskit::Process;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let [_, pgname] = args.as_slice() else {
        eprintln!(
            "usage: {} pgname",
            args.first().map_or("pidof", String::as_str)
        );
        return ExitCode::FAILURE;
    };
    let procs = match pskit::process::processes() {
        Ok(procs) => procs,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let pids: Vec<String> = procs
        .iter()
        .filter(|proc| matches(proc, pgname))
        .map(|proc| proc.pid().to_string())
        .collect();
    if !pids.is_empty() {
        println!("{}", pids.join(" "));
    }
    ExitCode::SUCCESS
}

/// Whether the process's name or `cmdline[0]` is `pgname`. As psutil's
/// `process_iter(['name', 'cmdline'])`, a value that cannot be read (access
/// denied, zombie) does not match, and a process that is gone is skipped.
fn matches(proc: &Process, pgname: &str) -> bool {
    let readable = |e: &pskit::Error| !matches!(e, pskit::Error::NoSuchProcess { .. });
    let name = match proc.name() {
        Err(e) if !readable(&e) => return false,
        name => name.ok(),
    };
    let cmdline = match proc.cmdline() {
        Err(e) if !readable(&e) => return false,
        cmdline => cmdline.ok(),
    };
    name.as_deref() == Some(pgname)
        || cmdline.and_then(|c| c.into_iter().next()).as_deref() == Some(pgname)
}
