//! `pskit tty`: the controlling terminal of this process, like `tty` (psutil
//! `Process().terminal()`).

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::proc_common::outln;

/// Arguments of `pskit tty`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON: {"terminal": path or null}.
    #[arg(long)]
    json: bool,
}

/// Runs `pskit tty`: prints the terminal, or "not a tty" with exit status 1.
pub fn run(args: Args) -> CmdResult {
    let me = pskit::Process::current()?;
    let term = me.terminal()?;
    if args.json {
        print_json(&serde_json::json!({ "terminal": term }))?;
    } else {
        outln!("{}", term.as_deref().unwrap_or("not a tty"));
    }
    Ok(if term.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
