//! `pskit kill`: send a signal to processes, like util-linux `kill`, race-free
//! (pidfd: the signal cannot reach a process that took a pid over).

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::signals;

/// Arguments of `pskit kill`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// The signal, by name or number (default TERM).
    #[arg(short = 's', long = "signal", value_name = "SIGNAL")]
    signal: Option<String>,
    /// List signal names (or print the name of one number).
    #[arg(short = 'l', long = "list", num_args = 0..=1, value_name = "NUMBER")]
    list: Option<Option<String>>,
    /// Print a JSON array of per-pid results.
    #[arg(long)]
    json: bool,
    /// `-SIGNAL` (as in `kill -9` or `kill -KILL`) followed by the pids.
    #[arg(value_name = "PID", allow_hyphen_values = true)]
    targets: Vec<String>,
}

#[derive(serde::Serialize)]
struct Outcome {
    pid: u32,
    signal: i32,
    ok: bool,
    error: Option<String>,
}

/// Splits `-SIGNAL` off the front of the operands.
pub fn split_signal(explicit: Option<&str>, targets: &[String]) -> Result<(i32, Vec<u32>), String> {
    let mut sig = match explicit {
        Some(s) => Some(signals::parse(s).ok_or_else(|| format!("unknown signal: {s}"))?),
        None => None,
    };
    let mut pids = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        if let Some(rest) = t.strip_prefix('-') {
            if i == 0 && sig.is_none() {
                sig = Some(signals::parse(rest).ok_or_else(|| format!("unknown signal: {rest}"))?);
                continue;
            }
            return Err(format!("invalid pid: {t}"));
        }
        let pid = t.parse::<u32>().map_err(|_| format!("invalid pid: {t}"))?;
        pids.push(pid);
    }
    if pids.is_empty() {
        return Err("not enough arguments: no pid given".into());
    }
    Ok((sig.unwrap_or(libc::SIGTERM), pids))
}

fn list(which: Option<&str>) -> Result<(), String> {
    match which {
        None => {
            let names: Vec<&str> = signals::SIGNALS.iter().map(|(n, _)| *n).collect();
            println!("{}", names.join(" "));
            Ok(())
        }
        Some(n) => {
            let num: i32 = n.parse().map_err(|_| format!("unknown signal: {n}"))?;
            // `kill -l 137` names the signal of an exit status 128+N, as bash does.
            let num = if num > 128 { num - 128 } else { num };
            if signals::parse(&num.to_string()).is_none() || num == 0 {
                return Err(format!("unknown signal: {n}"));
            }
            println!("{}", signals::name(num));
            Ok(())
        }
    }
}

/// Signals one pid through its Process handle.
pub fn signal_pid(pid: u32, sig: i32) -> Result<(), String> {
    let p = pskit::Process::new(pid).map_err(|e| reason(&e))?;
    p.send_signal(sig).map_err(|e| reason(&e))
}

/// The words util-linux uses for a failure.
pub fn reason(e: &pskit::Error) -> String {
    match e {
        e if e.is_no_such_process() => "No such process".into(),
        e if e.is_access_denied() => "Operation not permitted".into(),
        e => e.to_string(),
    }
}

/// Runs `pskit kill`.
pub fn run(args: Args) -> CmdResult {
    if let Some(which) = &args.list {
        return Ok(match list(which.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(m) => {
                eprintln!("pskit kill: {m}");
                ExitCode::from(2)
            }
        });
    }
    let (sig, pids) = match split_signal(args.signal.as_deref(), &args.targets) {
        Ok(v) => v,
        Err(m) => {
            eprintln!("pskit kill: {m}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut outcomes = Vec::new();
    for pid in pids {
        let r = signal_pid(pid, sig);
        if let (Err(m), false) = (&r, args.json) {
            eprintln!("pskit kill: ({pid}) - {m}");
        }
        outcomes.push(Outcome {
            pid,
            signal: sig,
            ok: r.is_ok(),
            error: r.err(),
        });
    }
    if args.json {
        print_json(&outcomes)?;
    }
    Ok(if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn signal_forms() {
        assert_eq!(
            split_signal(None, &s(&["-9", "12"])).unwrap(),
            (9, vec![12])
        );
        assert_eq!(
            split_signal(None, &s(&["-KILL", "12", "13"])).unwrap(),
            (9, vec![12, 13])
        );
        assert_eq!(
            split_signal(Some("HUP"), &s(&["12"])).unwrap(),
            (1, vec![12])
        );
        assert_eq!(split_signal(None, &s(&["12"])).unwrap(), (15, vec![12]));
        assert!(split_signal(None, &s(&["-NOPE", "12"])).is_err());
        assert!(split_signal(None, &s(&["-9"])).is_err());
        assert!(split_signal(None, &s(&["abc"])).is_err());
        assert!(split_signal(Some("TERM"), &s(&["-9", "1"])).is_err());
    }
}
