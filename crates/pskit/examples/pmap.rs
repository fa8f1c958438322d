//! A clone of `pmap`: the memory map of a process, one line per mapping, with
//! its resident size, permissions and path.
//!
//! Port of psutil's `scripts/pmap.py` (`Process::memory_maps_ext` is psutil's
//! `memory_maps(grouped=False)`). As in Python, lines are cut at the terminal
//! width (`$COLUMNS`, else the terminal's, else 80 columns).
//!
//! ```text
//! $ cargo run -p pskit --example pmap -- $$
//! Address                     RSS  Mode    Mapping
//! 0000564279fa2000           8.0K  r--p    /usr/bin/bash
//! 000056427f08e000          16.0K  rw-p    [heap]
//! ...
//! -------------------------------
//! Total                      1.8M
//! PID = 19961, name = bash
//! ```

#[path = "support/py.rs"]
mod py;

use std::io::{self, Write};
use std::process::ExitCode;

use pskit::bytes2human;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if args.len() != 2 {
        eprintln!("usage: pmap <pid>");
        return ExitCode::FAILURE;
    }
    // Where the Python script dies of an exception, print its last traceback
    // line and exit with status 1, as Python does.
    let pid = match parse_pid(&args[1]) {
        Ok(pid) => pid,
        Err(traceback) => {
            eprintln!("{traceback}");
            return ExitCode::FAILURE;
        }
    };
    match pmap(pid) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", py_exception(&*e));
            ExitCode::FAILURE
        }
    }
}

fn pmap(pid: u32) -> Result<(), Box<dyn std::error::Error>> {
    let p = pskit::Process::new(pid)?;
    let width = py::terminal_columns();
    let mut out = io::stdout().lock();
    writeln!(out, "{}", row("Address", "RSS", "Mode", "Mapping"))?;
    let mut total_rss = 0;
    for m in p.memory_maps_ext()? {
        total_rss += m.rss;
        let start = m.addr.split('-').next().unwrap_or_default();
        let line = row(
            &format!("{start:0>16}"),
            &bytes2human(m.rss),
            &m.perms,
            &m.path,
        );
        // psutil's safe_print: the line cut at the terminal width.
        writeln!(out, "{}", cut(&line, width))?;
    }
    writeln!(out, "{}", "-".repeat(31))?;
    writeln!(out, "{}", row("Total", &bytes2human(total_rss), "", ""))?;
    let line = format!("PID = {}, name = {}", p.pid(), p.name()?);
    writeln!(out, "{}", cut(&line, width))?;
    Ok(())
}

/// The script's template: `{:<20} {:>10}  {:<7} {}`.
fn row(address: &str, rss: &str, mode: &str, mapping: &str) -> String {
    format!("{address:<20} {rss:>10}  {mode:<7} {mapping}")
}

/// The first `width` characters of `s`.
fn cut(s: &str, width: usize) -> String {
    s.chars().take(width).collect()
}

/// `psutil.Process(int(arg))`'s checks of its argument, with Python's messages.
fn parse_pid(arg: &str) -> Result<u32, String> {
    let invalid = || {
        // Python's repr() of the argument.
        let quote = if arg.contains('\'') && !arg.contains('"') {
            '"'
        } else {
            '\''
        };
        let escaped = arg.replace('\\', "\\\\");
        let escaped = if quote == '\'' {
            escaped.replace('\'', "\\'")
        } else {
            escaped
        };
        format!("ValueError: invalid literal for int() with base 10: {quote}{escaped}{quote}")
    };
    // Python's int(): surrounding blanks, a sign, and `_` between digits.
    let s = arg.trim();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let well_formed = digits
        .split('_')
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(invalid());
    }
    let digits = digits.replace('_', "");
    let digits = match digits.trim_start_matches('0') {
        "" => "0",
        d => d,
    };
    match (negative, digits.parse::<u32>()) {
        (true, _) if digits != "0" => Err(format!(
            "ValueError: pid must be a positive integer (got -{digits})"
        )),
        (_, Ok(pid)) => Ok(pid),
        (_, Err(_)) => Err(format!(
            "psutil.NoSuchProcess: process PID out of range (pid={digits})"
        )),
    }
}

/// The last line of the traceback Python prints for an exception.
fn py_exception(e: &(dyn std::error::Error + 'static)) -> String {
    let class = match e.downcast_ref::<pskit::Error>() {
        Some(pskit::Error::NoSuchProcess { .. }) => "psutil.NoSuchProcess",
        Some(pskit::Error::ZombieProcess { .. }) => "psutil.ZombieProcess",
        Some(pskit::Error::AccessDenied { .. }) => "psutil.AccessDenied",
        _ => "OSError",
    };
    format!("{class}: {e}")
}
