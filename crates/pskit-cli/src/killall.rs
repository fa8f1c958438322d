//! `pskit killall`: signal processes by name, like psmisc `killall`: `-9`,
//! `-KILL`, `-SIGKILL`, `-s SIG`, `-u USER`, `-i`, `-q`, `-e`, `-w`, `-v`,
//! `-r` (POSIX extended regular expressions, through the C library's regcomp as
//! psmisc), `-I`, `-g` (process groups), `-y`/`-o TIME`, and psmisc's messages
//! and exit statuses.

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
    /// `[-s SIG | -SIG] [-u USER] [-e] [-g] [-i] [-I] [-q] [-r] [-v] [-w] [-y TIME] [-o TIME] [--json] [--] NAME...`
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
  -I,--ignore-case    case insensitive process name match
  -g,--process-group  kill process group instead of process
  -y,--younger-than   kill processes younger than TIME
  -o,--older-than     kill processes older than TIME
  -i,--interactive    ask for confirmation before killing
  -l,--list           list all known signal names
  -q,--quiet          don't print complaints
  -r,--regexp         interpret NAME as an extended regular expression
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
    regexp: bool,
    ignore_case: bool,
    process_group: bool,
    /// `-y`: seconds.
    younger: Option<i64>,
    /// `-o`: seconds.
    older: Option<i64>,
    names: Vec<String>,
}

/// Why the command line was refused: psmisc prints the message (if any), then
/// its usage, and exits 1.
#[derive(Debug, PartialEq)]
struct Usage(Option<&'static str>);

/// psmisc's words for a TIME it cannot read.
const BAD_TIME: &str = "Invalid time format";

/// A `-y`/`-o` value, or psmisc's usage error.
fn time_arg(v: &str) -> Result<i64, Usage> {
    crate::num::killall_time(v).ok_or(Usage(Some(BAD_TIME)))
}

/// psmisc's command line: a leading `-SIGNAL`, then getopt-style options
/// (clustered short flags like `-qw` too), then names.
fn parse(args: &[String]) -> Result<Opts, Usage> {
    let mut o = Opts::default();
    let mut i = 0;
    if let Some(first) = args.first() {
        if let Some(spec) = first.strip_prefix('-') {
            // psmisc: `-` and a digit or a capital letter is the signal
            // (but `-I` alone is --ignore-case).
            let first = spec.bytes().next().unwrap_or(b'-');
            if (first.is_ascii_digit() || first.is_ascii_uppercase()) && spec != "I" {
                o.sig = Some(spec.to_string());
                i = 1;
            }
        }
    }
    while i < args.len() {
        let a = &args[i];
        let value = |i: usize| args.get(i + 1).cloned().ok_or(Usage(None));
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
            "--younger-than" => {
                o.younger = Some(time_arg(&value(i)?)?);
                i += 1;
            }
            "--older-than" => {
                o.older = Some(time_arg(&value(i)?)?);
                i += 1;
            }
            "--regexp" => o.regexp = true,
            "--ignore-case" => o.ignore_case = true,
            "--process-group" => o.process_group = true,
            "--exact" => o.exact = true,
            "--interactive" => o.interactive = true,
            "--quiet" => o.quiet = true,
            "--verbose" => o.verbose = true,
            "--wait" => o.wait = true,
            "--list" => o.list = true,
            "--json" => o.json = true,
            s if s.starts_with("--signal=") => o.sig = Some(s["--signal=".len()..].into()),
            s if s.starts_with("--user=") => o.user = Some(s["--user=".len()..].into()),
            s if s.starts_with("--younger-than=") => {
                o.younger = Some(time_arg(&s["--younger-than=".len()..])?)
            }
            s if s.starts_with("--older-than=") => {
                o.older = Some(time_arg(&s["--older-than=".len()..])?)
            }
            s if s.starts_with("--") => return Err(Usage(None)),
            // psmisc's getopt fallback: `-SIG` after other options is a signal
            // too; `-I` alone is --ignore-case.
            s if s.starts_with('-')
                && s != "-I"
                && s.as_bytes()
                    .get(1)
                    .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
            {
                o.sig = Some(s[1..].to_string())
            }
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
                        'r' => o.regexp = true,
                        'I' => o.ignore_case = true,
                        'g' => o.process_group = true,
                        's' | 'u' | 'y' | 'o' => {
                            let rest = &flags[k + 1..];
                            let v = if rest.is_empty() {
                                i += 1;
                                args.get(i).cloned().ok_or(Usage(None))?
                            } else {
                                rest.to_string()
                            };
                            match c {
                                's' => o.sig = Some(v),
                                'u' => o.user = Some(v),
                                'y' => o.younger = Some(time_arg(&v)?),
                                _ => o.older = Some(time_arg(&v)?),
                            }
                            break;
                        }
                        _ => return Err(Usage(None)),
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
/// against the executable's path. `ignore_case` (`-I`) compares as strcasecmp.
fn matches(pattern: &str, name: &str, exe: Option<&str>, exact: bool, ignore_case: bool) -> bool {
    if pattern.contains('/') {
        return exe == Some(pattern);
    }
    let eq = |a: &str, b: &str| {
        if ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    if eq(name, pattern) {
        return true;
    }
    !exact
        && pattern.len() > 15
        && name.len() == 15
        && pattern.is_char_boundary(15)
        && eq(&pattern[..15], name)
}

/// A POSIX extended regular expression compiled by the C library's regcomp(3)
/// (`REG_EXTENDED | REG_NOSUB`, and `REG_ICASE` with `-I`), as psmisc compiles
/// `-r` names, so the dialect is exactly the same.
struct Regex(Box<libc::regex_t>);

impl Regex {
    /// Compiles `pattern`; `None` when regcomp refuses it (or it holds a NUL).
    fn new(pattern: &str, ignore_case: bool) -> Option<Regex> {
        let c = std::ffi::CString::new(pattern).ok()?;
        // SAFETY: regex_t is plain data that regcomp initialises.
        let mut re: Box<libc::regex_t> = Box::new(unsafe { std::mem::zeroed() });
        let mut flags = libc::REG_EXTENDED | libc::REG_NOSUB;
        if ignore_case {
            flags |= libc::REG_ICASE;
        }
        // SAFETY: re points to writable storage for a regex_t; c is a C string.
        if unsafe { libc::regcomp(&mut *re, c.as_ptr(), flags) } != 0 {
            return None;
        }
        Some(Regex(re))
    }

    /// regexec(3): whether `text` holds a match (a text with a NUL never does).
    fn is_match(&self, text: &str) -> bool {
        let Ok(c) = std::ffi::CString::new(text) else {
            return false;
        };
        // SAFETY: self.0 was compiled by regcomp; no match offsets are asked for.
        unsafe { libc::regexec(&*self.0, c.as_ptr(), 0, std::ptr::null_mut(), 0) == 0 }
    }
}

impl Drop for Regex {
    fn drop(&mut self) {
        // SAFETY: self.0 was compiled by regcomp and is freed once.
        unsafe { libc::regfree(&mut *self.0) };
    }
}

/// How old `pid` is in seconds as psmisc computes it: /proc/uptime less the
/// start time (field 22 of /proc/PID/stat) in clock ticks; `None` when the
/// process is gone.
fn process_age(pid: u32, uptime: f64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    let start: u64 = after.split_whitespace().nth(19)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = if hz > 0 { hz as f64 } else { 100.0 };
    Some((uptime - start as f64 / hz).max(0.0))
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
fn ask(name: &str, id: u32, group: bool) -> bool {
    let mut out = std::io::stdout().lock();
    let pgid = if group { "pgid " } else { "" };
    let _ = write!(out, "Kill {}({pgid}{id}) ? (y/N) ", printable(name));
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
        Err(Usage(m)) => {
            if let Some(m) = m {
                eprintln!("{m}");
            }
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
    // -r: every name is a regular expression (a `/` in it is no path then).
    let mut regexes = Vec::new();
    if o.regexp {
        for n in &o.names {
            match Regex::new(n, o.ignore_case) {
                Some(r) => regexes.push(r),
                None => {
                    eprintln!(
                        "{}: Bad regular expression: {}",
                        crate::fmt::prog("killall"),
                        printable(n)
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    let by_path = !o.regexp && o.names.iter().any(|n| n.contains('/'));
    let mut attrs = vec!["name", "uids"];
    if by_path {
        attrs.push("exe");
    }
    let uptime = if o.younger.is_some() || o.older.is_some() {
        Some(crate::fmt::proc_uptime()?)
    } else {
        None
    };
    let me = std::process::id();
    let mut procs = pskit::process_iter(attrs.as_slice())?;
    procs.sort_by_key(|p| p.pid());
    let mut hits = Vec::new();
    let mut signalled = Vec::new();
    let mut groups: Vec<u32> = Vec::new();
    let mut found = vec![false; o.names.len().max(1)];
    let mut killed_any = false;
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
        // -y and -o: psmisc skips by age before it looks at the name.
        if let Some(uptime) = uptime {
            let Some(age) = process_age(pid, uptime) else {
                continue;
            };
            if o.younger.is_some_and(|y| age > y as f64) || o.older.is_some_and(|t| age < t as f64)
            {
                continue;
            }
        }
        let slot = if o.names.is_empty() {
            0
        } else if o.regexp {
            match regexes.iter().position(|r| r.is_match(name)) {
                Some(i) => i,
                None => continue,
            }
        } else {
            let exe = p.exe.get().map(String::as_str);
            match o
                .names
                .iter()
                .position(|n| matches(n, name, exe, o.exact, o.ignore_case))
            {
                Some(i) => i,
                None => continue,
            }
        };
        // -g: the process group, signalled once however many of it match.
        let id = if o.process_group {
            // SAFETY: getpgid takes a plain pid.
            let g = unsafe { libc::getpgid(pid as libc::pid_t) };
            if g < 0 {
                let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                if e == libc::ESRCH {
                    // Gone since the scan (often a member of a group just
                    // signalled): nothing to signal. psmisc prints its race
                    // here as an error; a vanished process is not one.
                    continue;
                }
                eprintln!(
                    "{}: getpgid({pid}): {}",
                    crate::fmt::prog("killall"),
                    crate::proc_common::strerror(e)
                );
                continue;
            }
            let g = g as u32;
            if groups.contains(&g) {
                continue;
            }
            groups.push(g);
            g
        } else {
            pid
        };
        if o.interactive && !ask(name, id, o.process_group) {
            continue;
        }
        // The error: whether it is ESRCH, and strerror's words.
        let r: Result<(), (bool, String)> = if o.process_group {
            // SAFETY: kill(2) with a negative pid signals the group `id`.
            if unsafe { libc::kill(-(id as libc::pid_t), sig) } == 0 {
                Ok(())
            } else {
                let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                Err((e == libc::ESRCH, crate::proc_common::strerror(e)))
            }
        } else {
            p.process
                .send_signal(sig)
                .map_err(|e| (e.is_no_such_process(), reason(&e)))
        };
        let pgid = if o.process_group { "pgid " } else { "" };
        match &r {
            Ok(()) => {
                found[slot] = true;
                killed_any = true;
                if o.verbose && !o.json {
                    eprintln!("Killed {}({pgid}{id}) with signal {sig}", printable(name));
                }
                if !o.process_group {
                    signalled.push(p.process.clone());
                }
            }
            // psmisc is silent about a process that has gone meanwhile.
            Err((gone, why)) if !o.json && (!gone || o.interactive) => {
                eprintln!("{}({id}): {why}", printable(name))
            }
            Err(_) => {}
        }
        hits.push(Hit {
            pid: id,
            name: name.clone(),
            ok: r.is_ok(),
            error: r.err().map(|(_, why)| why),
        });
    }
    if !o.quiet && !o.json {
        for (n, f) in o.names.iter().zip(&found) {
            if !f {
                eprintln!("{}: no process found", printable(n));
            }
        }
    }
    if o.wait && !signalled.is_empty() {
        // pidfd-based waits: returns as each process goes, never busy-polls.
        pskit::wait_procs(signalled, None, |_, _| {})?;
    }
    if o.wait && o.process_group {
        // A group is gone when kill(-PGID, 0) says ESRCH, as psmisc checks.
        while groups.iter().any(|&g| {
            // SAFETY: signal 0 only checks that the group exists.
            let rc = unsafe { libc::kill(-(g as libc::pid_t), 0) };
            rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
        }) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    if o.json {
        print_json(&hits)?;
    }
    // With names: each must have had a process signalled; without (-u only):
    // any process signalled.
    let ok = if o.names.is_empty() {
        killed_any
    } else {
        found.iter().all(|f| *f)
    };
    Ok(if ok {
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
        let long = "a_very_long_process_name";
        assert!(matches("sleep", "sleep", None, false, false));
        assert!(!matches("slee", "sleep", None, false, false));
        assert!(!matches("SLEEP", "sleep", None, false, false));
        assert!(matches("SLEEP", "sleep", None, false, true));
        assert!(matches(long, "a_very_long_pro", None, false, false));
        assert!(matches(
            "A_VERY_LONG_PROCESS",
            "a_very_long_pro",
            None,
            false,
            true
        ));
        assert!(!matches(long, "a_very_long_pro", None, true, false));
        assert!(matches("/bin/x", "y", Some("/bin/x"), false, false));
        assert!(!matches("/bin/x", "x", None, false, false));
        assert!(!matches(
            "é".repeat(9).as_str(),
            "ééééééé",
            None,
            false,
            true
        ));
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
        let o = parse(&s(&["-I", "x"])).unwrap();
        assert!(o.ignore_case && o.sig.is_none());
        let o = parse(&s(&["-Iv", "x"])).unwrap();
        assert_eq!(o.sig.as_deref(), Some("Iv"));
        let o = parse(&s(&["-r", "-HUP", "x"])).unwrap();
        assert_eq!(o.sig.as_deref(), Some("HUP"));
        let o = parse(&s(&["-rIg", "-y", "5m", "--older-than=1s", "x"])).unwrap();
        assert!(o.regexp && o.ignore_case && o.process_group);
        assert_eq!((o.younger, o.older), (Some(300), Some(1)));
        let o = parse(&s(&["-o2h", "--younger-than", "1d", "x"])).unwrap();
        assert_eq!((o.younger, o.older), (Some(86400), Some(7200)));
        for bad in [
            "1.5m",
            "0s",
            "-5s",
            "1",
            "x",
            "1q",
            "",
            "9223372036854775807y",
        ] {
            assert_eq!(
                parse(&s(&["-y", bad, "x"])).err(),
                Some(Usage(Some(BAD_TIME))),
                "{bad}"
            );
        }
        assert_eq!(parse(&s(&["-o"])).err(), Some(Usage(None)));
        let o = parse(&s(&["-sKILL", "--", "-x"])).unwrap();
        assert_eq!(o.names, s(&["-x"]));
        assert!(parse(&s(&["-x"])).is_err());
        assert!(parse(&s(&["-s"])).is_err());
    }
}
