//! Helpers shared by the process subcommands: opening a pid with a clear message,
//! and ps-style time columns.

use std::process::ExitCode;

use chrono::{Local, TimeZone};

/// Every process with `attrs` read (the library's `process_scan`). A process that
/// exists but cannot be read is reported on stderr (`pskit: <path>: <reason>`) and
/// makes the second value true, so the command can show what it has and still
/// exit non-zero; only processes that vanish mid-scan are skipped silently.
pub fn scan(attrs: &[&str]) -> Result<(Vec<pskit::ProcessInfo>, bool), pskit::Error> {
    scan_attrs(attrs)
}

/// [`scan`] with typed attributes.
pub fn scan_attrs(
    attrs: impl pskit::process::AttrList,
) -> Result<(Vec<pskit::ProcessInfo>, bool), pskit::Error> {
    let scan = pskit::process::process_scan(attrs)?;
    for e in &scan.errors {
        eprintln!("pskit: {e}");
    }
    Ok((scan.processes, !scan.errors.is_empty()))
}

/// `code`, or FAILURE when something went wrong along the way.
pub fn unless_failed(code: ExitCode, failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        code
    }
}

/// Opens `pid`, or prints why not (`pskit: …`) and gives the exit status to return.
pub fn open(pid: u32) -> Result<pskit::Process, ExitCode> {
    pskit::Process::new(pid).map_err(|e| fail(pid, &e))
}

/// Prints a process error for `pid` to stderr; the exit status to return.
pub fn fail(pid: u32, e: &pskit::Error) -> ExitCode {
    if e.is_no_such_process() {
        eprintln!("pskit: no process with pid {pid}");
    } else if e.is_access_denied() {
        eprintln!("pskit: pid {pid}: access denied");
    } else {
        eprintln!("pskit: pid {pid}: {e}");
    }
    ExitCode::FAILURE
}

/// A start time as ps prints it: `HH:MM` today, else `MonDD`.
pub fn start_time(epoch: f64) -> String {
    let Some(t) = Local.timestamp_opt(epoch as i64, 0).single() else {
        return "?".into();
    };
    if t.date_naive() == Local::now().date_naive() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%b%d").to_string()
    }
}

/// A full local date and time, for `pskit proc`.
pub fn date_time(epoch: f64) -> String {
    Local
        .timestamp_opt(epoch as i64, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "?".into())
}

/// psutil's status string back to the kernel's letter, as ps and top show it.
pub fn status_letter(status: &str) -> char {
    match status {
        "running" => 'R',
        "sleeping" => 'S',
        "disk-sleep" => 'D',
        "stopped" => 'T',
        "tracing-stop" => 't',
        "zombie" => 'Z',
        "dead" => 'X',
        "wake-kill" => 'K',
        "waking" => 'W',
        "idle" => 'I',
        "parked" => 'P',
        "locked" => 'L',
        "waiting" => 'W',
        _ => '?',
    }
}

/// A JSON value as one table cell: strings bare, null as "-", the rest compact.
pub fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Array(a) if a.iter().all(|x| x.is_string()) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// Writes one line to stdout; a closed pipe (`pskit ps | head`) ends the program
/// quietly instead of panicking as `println!` would.
pub fn emit(line: String) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").is_err() {
        std::process::exit(0);
    }
}

/// `println!` through [`emit`].
macro_rules! outln {
    ($($t:tt)*) => { $crate::proc_common::emit(format!($($t)*)) };
}
pub(crate) use outln;

/// strerror(3) of an errno: "No such process", without Rust's " (os error N)".
pub fn strerror(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The OS's own words for a library error, as the C tools print them:
/// "No such process", "Operation not permitted", "Invalid argument", or the
/// strerror of the underlying I/O error.
pub fn os_reason(e: &pskit::Error) -> String {
    if e.is_no_such_process() {
        return strerror(libc::ESRCH);
    }
    if e.is_access_denied() {
        return strerror(libc::EPERM);
    }
    if matches!(e, pskit::Error::InvalidArgument(_)) {
        return strerror(libc::EINVAL);
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(n) = c
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
        {
            return strerror(n);
        }
        cur = c.source();
    }
    e.to_string()
}

/// The command line after the subcommand `sub`, exactly as typed (clap drops a
/// leading `--`, which `kill -- -PGID` and `prlimit -- CMD` need to see).
pub fn raw_args_after(sub: &str) -> Vec<String> {
    let all: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match all.iter().position(|a| a == sub) {
        Some(i) => all[i + 1..].to_vec(),
        None => Vec::new(),
    }
}

/// The uid of a user name (getpwnam), as psmisc looks users up.
pub fn user_uid(name: &str) -> Option<u32> {
    let c = std::ffi::CString::new(name).ok()?;
    // SAFETY: c is a valid C string; getpwnam returns NULL or a pointer to a
    // static passwd entry, read at once before any other call can change it.
    let pw = unsafe { libc::getpwnam(c.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    // SAFETY: pw is not NULL (checked above).
    Some(unsafe { (*pw).pw_uid })
}
