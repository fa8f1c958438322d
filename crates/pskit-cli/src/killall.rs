//! `pskit killall`: signal processes by name, like psmisc `killall`: `-9`,
//! `-KILL`, `-SIGKILL`, `-s SIG`, `-u USER`, `-i`, `-q`, `-e`, `-w`, `-v`, and
//! psmisc's messages and exit statuses.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use crate::fmt::{print_json, printable, CmdResult};
use crate::kill::reason;
use crate::signals;

/// Arguments of `pskit killall` (read by hand, as psmisc does, so that `-9` and
/// `-KILL` work before the names).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// `[-s SIG | -SIG] [-u USER] [-e] [-i] [-q] [-v] [-w] [--json] [--] NAME...`
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

const USAGE: &str = "Usage: killall [OPTION]... [--] NAME...
       killall -l, --list

  -e,--exact          require exact match for very long names
  -i,--interactive    ask for confirmation before killing
  -l,--list           list all known signal names
  -q,--quiet          don't print complaints
  -s,--signal SIGNAL  send this signal instead of SIGTERM
  -u,--user USER      kill only process(es) running as USER
  -v,--verbose        report if the signal was successfully sent
  -w,--wait           wait for processes to die
     --json           print the processes signalled as JSON
";

#[derive(Debug, Default)]
struct Opts {
    sig: Option<String>,
    user: Option<String>,
    exact: bool,
    interactive: bool,
    quiet: bool,
    verbose: bool,
    wait: bool,
    list: bool,
    json: bool,
    names: Vec<String>,
}

/// psmisc's command line: a leading `-SIGNAL`, then getopt-style options
/// (clustered short flags like `-qw` too), then names.
fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    if let Some(first) = args.first() {
        if let Some(spec) = first.strip_prefix('-') {
            // psmisc: `-` and a digit or a capital letter is the signal.
            let first = spec.bytes().next().unwrap_or(b'-');
            if first.is_ascii_digit() || first.is_ascii_uppercase() {
                o.sig = Some(spec.to_string());
                i = 1;
            }
        }
    }
    while i < args.len() {
        let a = &args[i];
        let value = |i: usize| args.get(i + 1).cloned().ok_or_else(String::new);
        match a.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "--signal" => {
                o.sig = Some(value(i)?);
                i += 1;
            }
            "--user" => {
                o.user = Some(value(i)?);
                i += 1;
            }
            "--exact" => o.exact = true,
            "--interactive" => o.interactive = true,
            "--quiet" => o.quiet = true,
            "--verbose" => o.verbose = true,
            "--wait" => o.wait = true,
            "--list" => o.list = true,
            "--json" => o.json = true,
            s if s.starts_with("--signal=") => o.sig = Some(s["--signal=".len()..].into()),
            s if s.starts_with("--user=") => o.user = Some(s["--user=".len()..].into()),
            s if s.starts_with("--") => return Err(String::new()),
            s if s.starts_with('-') && s.len() > 1 => {
                let flags = &s[1..];
                for (k, c) in flags.char_indices() {
                    match c {
                        'e' => o.exact = true,
                        'i' => o.interactive = true,
                        'q' => o.quiet = true,
                        'v' => o.verbose = true,
                        'w' => o.wait = true,
                        'l' => o.list = true,
                        's' | 'u' => {
                            let rest = &flags[k + 1..];
                            let v = if rest.is_empty() {
                                i += 1;
                                args.get(i).cloned().ok_or_else(String::new)?
                            } else {
                                rest.to_string()
                            };
                            if c == 's' {
                                o.sig = Some(v);
                            } else {
                                o.user = Some(v);
                            }
                            break;
                        }
                        _ => return Err(String::new()),
                    }
                }
            }
            // GNU getopt permutes: a name, and the options go on after it.
            _ => o.names.push(a.clone()),
        }
        i += 1;
    }
    o.names.extend(args[i.min(args.len())..].iter().cloned());
    Ok(o)
}

/// psmisc's rule: a name of 15 bytes or more matches a comm that is its first 15
/// bytes, unless `exact`; psutil's `name()` already extends comm from cmdline, so a
/// full-name comparison works for long names too. A name with a `/` is matched
/// against the executable's path.
fn matches(pattern: &str, name: &str, exe: Option<&str>, exact: bool) -> bool {
    if pattern.contains('/') {
        return exe == Some(pattern);
    }
    if name == pattern {
        return true;
    }
    !exact && pattern.len() > 15 && name.len() == 15 && pattern.starts_with(name)
}

#[derive(serde::Serialize)]
struct Hit {
    pid: u32,
    name: String,
    ok: bool,
    error: Option<String>,
}

/// psmisc's `-i` question, on stdout; true when the answer starts with y or Y
/// (end of input is a no).
fn ask(name: &str, pid: u32) -> bool {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "Kill {}({pid}) ? (y/N) ", printable(name));
    let _ = out.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(n) if n > 0 => matches!(line.chars().next(), Some('y' | 'Y')),
        _ => false,
    }
}

/// Runs `pskit killall`.
pub fn run(args: Args) -> CmdResult {
    let raw = crate::proc_common::raw_args_after("killall");
    let words = if raw.len() >= args.args.len() {
        raw
    } else {
        args.args
    };
    let o = match parse(&words) {
        Ok(o) => o,
        Err(_) => {
            eprint!("{USAGE}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if o.list {
        let names: Vec<&str> = signals::SIGNALS.iter().map(|(n, _)| *n).collect();
        for chunk in names.chunks(16) {
            println!("{}", chunk.join(" "));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let sig = match o.sig.as_deref().map(|s| (s, signals::parse(s))) {
        None => libc::SIGTERM,
        Some((_, Some(n))) => n,
        Some((s, None)) => {
            eprintln!("{s}: unknown signal; pskit killall -l lists signals.");
            return Ok(ExitCode::FAILURE);
        }
    };
    let uid = match o.user.as_deref() {
        None => None,
        Some(u) => match crate::proc_common::user_uid(u) {
            Some(uid) => Some(uid),
            None => {
                eprintln!("Cannot find user {u}");
                return Ok(ExitCode::FAILURE);
            }
        },
    };
    if o.names.is_empty() && uid.is_none() {
        eprint!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    }
    let by_path = o.names.iter().any(|n| n.contains('/'));
    let mut attrs = vec!["name", "uids"];
    if by_path {
        attrs.push("exe");
    }
    let me = std::process::id();
    let mut procs = pskit::process_iter(attrs.as_slice())?;
    procs.sort_by_key(|p| p.pid());
    let mut hits = Vec::new();
    let mut signalled = Vec::new();
    let mut found = vec![false; o.names.len().max(1)];
    for p in procs {
        let pid = p.pid();
        if pid == me {
            continue;
        }
        let Some(name) = p.name.get() else { continue };
        if let Some(uid) = uid {
            if p.uids.get().map(|u| u.effective) != Some(uid) {
                continue;
            }
        }
        let slot = if o.names.is_empty() {
            0
        } else {
            let exe = p.exe.get().map(String::as_str);
            match o.names.iter().position(|n| matches(n, name, exe, o.exact)) {
                Some(i) => i,
                None => continue,
            }
        };
        if o.interactive && !ask(name, pid) {
            continue;
        }
        let r = p.process.send_signal(sig);
        match &r {
            Ok(()) => {
                found[slot] = true;
                if o.verbose && !o.json {
                    eprintln!("Killed {}({pid}) with signal {sig}", printable(name));
                }
                signalled.push(p.process.clone());
            }
            Err(e) if !o.quiet && !o.json => {
                eprintln!("{}({pid}): {}", printable(name), reason(e))
            }
            Err(_) => {}
        }
        hits.push(Hit {
            pid,
            name: name.clone(),
            ok: r.is_ok(),
            error: r.err().map(|e| reason(&e)),
        });
    }
    if !o.quiet && !o.json {
        if o.names.is_empty() {
            if !found[0] {
                eprintln!("no process found");
            }
        } else {
            for (n, f) in o.names.iter().zip(&found) {
                if !f {
                    eprintln!("{}: no process found", printable(n));
                }
            }
        }
    }
    if o.wait && !signalled.is_empty() {
        // pidfd-based waits: returns as each process goes, never busy-polls.
        pskit::wait_procs(signalled, None, |_, _| {})?;
    }
    if o.json {
        print_json(&hits)?;
    }
    Ok(if found.iter().all(|f| *f) {
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
    fn long_names_match_truncated_comm_unless_exact() {
        assert!(matches("sleep", "sleep", None, false));
        assert!(!matches("slee", "sleep", None, false));
        assert!(matches(
            "a_very_long_process_name",
            "a_very_long_pro",
            None,
            false
        ));
        assert!(!matches(
            "a_very_long_process_name",
            "a_very_long_pro",
            None,
            true
        ));
        assert!(matches("/bin/x", "y", Some("/bin/x"), false));
        assert!(!matches("/bin/x", "x", None, false));
    }

    #[test]
    fn option_forms() {
        let o = parse(&s(&["-9", "a"])).unwrap();
        assert_eq!((o.sig.as_deref(), o.names.clone()), (Some("9"), s(&["a"])));
        let o = parse(&s(&["-SIGKILL", "-q", "a", "b"])).unwrap();
        assert_eq!(o.sig.as_deref(), Some("SIGKILL"));
        assert!(o.quiet);
        assert_eq!(o.names, s(&["a", "b"]));
        let o = parse(&s(&["-s", "HUP", "-u", "root", "-iew", "x"])).unwrap();
        assert_eq!(
            (o.sig.as_deref(), o.user.as_deref()),
            (Some("HUP"), Some("root"))
        );
        assert!(o.interactive && o.exact && o.wait);
        let o = parse(&s(&["-sKILL", "--", "-x"])).unwrap();
        assert_eq!(o.names, s(&["-x"]));
        assert!(parse(&s(&["-x"])).is_err());
        assert!(parse(&s(&["-s"])).is_err());
    }
}
