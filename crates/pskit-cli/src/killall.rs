//! `pskit killall`: signal processes by name, like psmisc `killall`.

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::kill::reason;
use crate::signals;

/// Arguments of `pskit killall`.
#[derive(clap::Args)]
pub struct Args {
    /// The signal, by name or number (default TERM).
    #[arg(short = 's', long = "signal", value_name = "SIGNAL")]
    signal: Option<String>,
    /// Wait for the signalled processes to die.
    #[arg(short = 'w', long = "wait")]
    wait: bool,
    /// Match the whole name exactly, also beyond the kernel's 15-byte comm.
    #[arg(short = 'e', long = "exact")]
    exact: bool,
    /// Report whether the signal was sent.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Print JSON: the processes signalled.
    #[arg(long)]
    json: bool,
    /// Process names.
    #[arg(required = true, value_name = "NAME")]
    names: Vec<String>,
}

#[derive(serde::Serialize)]
struct Hit {
    pid: u32,
    name: String,
    ok: bool,
    error: Option<String>,
}

/// psmisc's rule: a name of 15 bytes or more matches a comm that is its first 15
/// bytes, unless `exact`; psutil's `name()` already extends comm from cmdline, so a
/// full-name comparison works for long names too.
fn matches(pattern: &str, name: &str, exact: bool) -> bool {
    if name == pattern {
        return true;
    }
    !exact && pattern.len() > 15 && name.len() == 15 && pattern.starts_with(name)
}

/// Runs `pskit killall`.
pub fn run(args: Args) -> CmdResult {
    let sig = match args.signal.as_deref().map(|s| (s, signals::parse(s))) {
        None => libc::SIGTERM,
        Some((_, Some(n))) => n,
        Some((s, None)) => {
            eprintln!("pskit killall: {s}: unknown signal");
            return Ok(ExitCode::from(2));
        }
    };
    let me = std::process::id();
    let (procs, failed) = crate::proc_common::scan(&["name"])?;
    let mut hits = Vec::new();
    let mut signalled = Vec::new();
    let mut found_any = vec![false; args.names.len()];
    for p in procs {
        let Some(name) = p.name.get() else { continue };
        let Some(i) = args.names.iter().position(|n| matches(n, name, args.exact)) else {
            continue;
        };
        if p.process.pid() == me {
            continue;
        }
        found_any[i] = true;
        let r = p.process.send_signal(sig);
        if args.verbose && r.is_ok() && !args.json {
            println!("Killed {name}({}) with signal {sig}", p.process.pid());
        }
        if let Err(e) = &r {
            if !args.json {
                eprintln!("{name}({}): {}", p.process.pid(), reason(e));
            }
        } else {
            signalled.push(p.process.clone());
        }
        hits.push(Hit {
            pid: p.process.pid(),
            name: name.clone(),
            ok: r.is_ok(),
            error: r.err().map(|e| reason(&e)),
        });
    }
    for (n, found) in args.names.iter().zip(&found_any) {
        if !found && !args.json {
            eprintln!("{n}: no process found");
        }
    }
    if args.wait {
        // pidfd-based waits: returns as each process goes, never busy-polls.
        pskit::wait_procs(signalled, None, |_, _| {})?;
    }
    if args.json {
        print_json(&hits)?;
    }
    let ok = !failed && found_any.iter().all(|f| *f) && hits.iter().all(|h| h.ok);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn long_names_match_truncated_comm_unless_exact() {
        assert!(matches("sleep", "sleep", false));
        assert!(!matches("slee", "sleep", false));
        assert!(matches(
            "a_very_long_process_name",
            "a_very_long_pro",
            false
        ));
        assert!(!matches(
            "a_very_long_process_name",
            "a_very_long_pro",
            true
        ));
    }
}
