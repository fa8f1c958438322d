//! `pskit pidof NAME`: pids of the processes with that name, like `pidof`
//! (psutil's scripts/pidof.py: the name, or cmdline[0]'s basename, matches).

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::proc_common::outln;

/// Arguments of `pskit pidof`.
#[derive(clap::Args)]
pub struct Args {
    /// The program name to look for.
    name: String,
    /// Print a JSON list of pids.
    #[arg(long)]
    json: bool,
}

/// Runs `pskit pidof`; exit status 1 when nothing matches, as pidof.
pub fn run(args: Args) -> CmdResult {
    let mut found = Vec::new();
    let (procs, failed) = crate::proc_common::scan(&["name", "cmdline"])?;
    for p in procs {
        let by_name = p.name.as_deref() == Some(args.name.as_str());
        let by_cmd = p
            .cmdline
            .get()
            .and_then(|c| c.first())
            .map(|c0| c0.rsplit('/').next() == Some(args.name.as_str()))
            .unwrap_or(false);
        if by_name || by_cmd {
            found.push(p.pid());
        }
    }
    if args.json {
        print_json(&found)?;
    } else if !found.is_empty() {
        let text: Vec<String> = found.iter().map(u32::to_string).collect();
        outln!("{}", text.join(" "));
    }
    Ok(if found.is_empty() || failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
