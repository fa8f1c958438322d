//! `pskit tty`: the name of the terminal on standard input, like coreutils `tty`
//! (it looks at stdin, not at the process's controlling terminal): "not a tty"
//! and exit status 1 when stdin is not a terminal, 2 on bad usage, 3 when the
//! answer cannot be written.

use std::io::Write;
use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit tty`.
#[derive(clap::Args)]
pub struct Args {
    /// Print nothing; only the exit status tells.
    #[arg(short = 's', long = "silent", visible_alias = "quiet")]
    silent: bool,
    /// Print JSON: {"terminal": path or null}.
    #[arg(long)]
    json: bool,
}

/// ttyname(3) of stdin, or None when stdin is not a terminal.
fn stdin_tty() -> Option<String> {
    // SAFETY: isatty takes any fd number.
    if unsafe { libc::isatty(0) } != 1 {
        return None;
    }
    let mut buf = vec![0u8; 4096];
    // SAFETY: buf is writable for buf.len() bytes; ttyname_r NUL-terminates.
    let rc = unsafe { libc::ttyname_r(0, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf.truncate(len);
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Runs `pskit tty`.
pub fn run(args: Args) -> CmdResult {
    let term = stdin_tty();
    let code = if term.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    if args.silent {
        return Ok(code);
    }
    if args.json {
        print_json(&serde_json::json!({ "terminal": term }))?;
        return Ok(code);
    }
    let line = format!("{}\n", term.as_deref().unwrap_or("not a tty"));
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(line.as_bytes()).and_then(|()| out.flush()) {
        eprintln!(
            "{}: write error: {}",
            crate::fmt::prog("tty"),
            crate::proc_common::strerror(e.raw_os_error().unwrap_or(libc::EIO))
        );
        return Ok(ExitCode::from(3));
    }
    Ok(code)
}
