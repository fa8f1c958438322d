//! `pskit kill`: send a signal to processes, like the `kill` of this machine
//! (procps-ng's `/bin/kill`, which Debian ships), race-free for single pids (pidfd:
//! the signal cannot reach a process that took a pid over). `-- -PGID` signals a
//! whole process group through kill(2), as the real tool does.
//!
//! `-q VALUE` (`--queue`) sends with sigqueue(2) and the integer VALUE, as procps
//! does (the receiver sees `si_code` SI_QUEUE and `si_value.sival_int`).
//!
//! The arguments are parsed by hand, as procps does, because `-9`, `-KILL`,
//! `-SIGKILL` and `-- -PGID` are not options clap can describe.

use std::process::ExitCode;

use crate::fmt::{print_json, CmdResult};
use crate::signals;

/// Arguments of `pskit kill`: `[-s SIGNAL | -n NUM | -SIGNAL] [-q VALUE] [--] PID|-PGID...`,
/// `-l [SIGNAL]`, `-L`.
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// Options and operands, as procps `kill` reads them.
    #[arg(
        num_args = 0..,
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

#[derive(serde::Serialize)]
struct Outcome {
    pid: i64,
    signal: i32,
    ok: bool,
    error: Option<String>,
}

const USAGE: &str = "
Usage:
 kill [options] <pid> [...]

Options:
 <pid> [...]            send signal to every <pid> listed
 -<signal>, -s, --signal <signal>
                        specify the <signal> to be sent
 -n <number>            the signal as a number (as bash's kill)
 -q, --queue <value>    integer value to be sent with the signal
 -l, --list=[<signal>]  list all signal names, or convert one to a name
 -L, --table            list all signal names in a nice table
 --json                 print a JSON array of per-pid results

 -h, --help     display this help and exit
";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Action {
    /// `-l` with an optional operand.
    List(Option<String>),
    /// `-L`.
    Table,
    /// `-h`.
    Help,
    /// Signal `targets` (as typed; parsed one by one, as procps does), with
    /// sigqueue(2) and `queue` as the value when given.
    Send {
        sig: Result<i32, String>,
        targets: Vec<String>,
        queue: Option<i32>,
        json: bool,
    },
    /// A fatal error without the usage text (procps's `error(EXIT_FAILURE, …)`).
    Fail(String),
}

/// procps's words for a `-q` value it cannot read.
const BAD_QUEUE: &str = "must be an integer value to be passed with the signal.";

/// A `-q` value as procps reads it (`strtol_or_err`, then the `long` stored in
/// `sival_int`, so only its low 32 bits travel, as in procps); the message when
/// it is not an integer.
fn queue_value(v: &str) -> Result<i32, String> {
    match crate::num::strtol_whole(v) {
        Ok(n) => Ok(n as i32),
        Err(crate::num::StrtolError::Range) => Err(format!(
            "{BAD_QUEUE}: '{v}': {}",
            crate::proc_common::strerror(libc::ERANGE)
        )),
        Err(_) => Err(format!("{BAD_QUEUE}: '{v}'")),
    }
}

/// A usage error: the message (if any) and the usage text follow, status 1.
#[derive(Debug, PartialEq)]
struct Usage(Option<String>);

/// procps's signal numbers: 0..=64 (names, numbers, RTMIN+n).
fn signal_arg(s: &str) -> Option<i32> {
    signals::parse(s)
}

/// Parses the arguments as procps `kill` does: options first (`-s SIG`,
/// `--signal=SIG`, `-SIG`, `-l [SIG]`, `-L`, `-n NUM`), then operands; `--` ends
/// the options so that `-PGID` is a process group.
fn parse(args: &[String]) -> Result<Action, Usage> {
    let mut sig: Option<Result<i32, String>> = None;
    let mut queue = None;
    let mut json = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let value = |i: usize, opt: char| -> Result<&String, Usage> {
            args.get(i + 1)
                .ok_or_else(|| Usage(Some(format!("invalid argument {opt}"))))
        };
        match a {
            "--" => {
                i += 1;
                break;
            }
            "--json" => json = true,
            "-h" | "--help" => return Ok(Action::Help),
            "-L" | "--table" => return Ok(Action::Table),
            "-l" | "--list" => {
                // The optional operand is the next word unless it is an option.
                return Ok(Action::List(args.get(i + 1).cloned()));
            }
            "-s" | "--signal" => {
                let v = value(i, 's')?;
                // procps passes an unknown name on as -1: kill(2) says EINVAL.
                sig = Some(signal_arg(v).ok_or_else(|| "Invalid argument".to_string()));
                i += 1;
            }
            "-n" => {
                let v = value(i, 'n')?;
                match v.parse::<i32>().ok().filter(|n| (0..=64).contains(n)) {
                    Some(n) => sig = Some(Ok(n)),
                    None => return Err(Usage(Some(format!("invalid signal number: '{v}'")))),
                }
                i += 1;
            }
            "-q" | "--queue" => {
                match queue_value(value(i, 'q')?) {
                    Ok(v) => queue = Some(v),
                    Err(m) => return Ok(Action::Fail(m)),
                }
                i += 1;
            }
            _ if a.starts_with("--queue=") || (a.starts_with("-q") && !a.starts_with("--")) => {
                let v = a.strip_prefix("--queue=").unwrap_or(&a[2..]);
                match queue_value(v) {
                    Ok(v) => queue = Some(v),
                    Err(m) => return Ok(Action::Fail(m)),
                }
            }
            _ if a.starts_with("--list=") => {
                return Ok(Action::List(Some(a["--list=".len()..].to_string())))
            }
            _ if a.starts_with("--signal=") => {
                let v = &a["--signal=".len()..];
                sig = Some(signal_arg(v).ok_or_else(|| "Invalid argument".to_string()));
            }
            _ if a.starts_with("-l") => return Ok(Action::List(Some(a[2..].to_string()))),
            _ if a.starts_with("-s") && a.len() > 2 && signal_arg(&a[2..]).is_some() => {
                sig = signal_arg(&a[2..]).map(Ok);
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                let spec = &a[1..];
                match signal_arg(spec) {
                    // `-9`, `-KILL`, `-SIGKILL`: only before the operands.
                    Some(n) if sig.is_none() => sig = Some(Ok(n)),
                    // A second signal, or a negative number: the operands start
                    // (procps reads `kill -9 -1` as the pid -1 only after --).
                    Some(_) if spec.bytes().all(|b| b.is_ascii_digit()) => break,
                    _ => {
                        let c = spec.chars().next().unwrap_or('-');
                        return Err(Usage(Some(format!("invalid argument {c}"))));
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    let targets = args[i.min(args.len())..].to_vec();
    if targets.is_empty() {
        return Err(Usage(None));
    }
    Ok(Action::Send {
        sig: sig.unwrap_or(Ok(libc::SIGTERM)),
        targets,
        queue,
        json,
    })
}

/// A pid or `-PGID` operand ([`crate::num::kill_target`]).
fn target(t: &str) -> Option<i32> {
    crate::num::kill_target(t)
}

/// procps's `kill -l` list: the 31 standard names, a new line once a line passes
/// 73 columns.
fn list_all() -> String {
    let mut out = String::new();
    let mut pos = 0;
    for (i, (name, _)) in signals::SIGNALS.iter().enumerate() {
        if i > 0 {
            if pos > 73 {
                out.push('\n');
                pos = 0;
            } else {
                out.push(' ');
                pos += 1;
            }
        }
        out.push_str(name);
        pos += name.len();
    }
    out.push('\n');
    out
}

/// procps's `kill -L` table: `%2d %s` in 11 columns, 7 a line.
fn table() -> String {
    let mut out = String::new();
    for (i, (name, n)) in signals::SIGNALS.iter().enumerate() {
        let cell = format!("{n:2} {name}");
        out.push_str(&cell);
        if (i + 1) % 7 != 0 {
            out.push_str(&" ".repeat(11usize.saturating_sub(cell.len())));
        } else {
            out.push('\n');
        }
    }
    if signals::SIGNALS.len() % 7 != 0 {
        out.push('\n');
    }
    out
}

/// `kill -l ARG`: a standard signal's number gives its name, a name gives its
/// number; anything else is an "unknown signal name" (status 0, as procps).
fn list_one(arg: &str) -> Result<String, String> {
    if arg.starts_with('-') {
        return Ok(list_all());
    }
    let std_name = |n: i32| signals::SIGNALS.iter().find(|(_, s)| *s == n);
    if let Ok(n) = arg.parse::<i32>() {
        if let Some((name, _)) = std_name(n) {
            return Ok(format!("{name}\n"));
        }
    } else if let Some(n) = signals::parse(arg).filter(|&n| std_name(n).is_some()) {
        return Ok(format!("{n}\n"));
    }
    Err(format!("unknown signal name {arg}"))
}

/// Signals one pid through its Process handle.
pub fn signal_pid(pid: u32, sig: i32) -> Result<(), String> {
    let p = pskit::Process::new(pid).map_err(|e| reason(&e))?;
    p.send_signal(sig).map_err(|e| reason(&e))
}

/// Signals a process group (`-PGID`), or every process (`-1`), with kill(2).
fn signal_group(target: i32, sig: i32) -> Result<(), String> {
    // SAFETY: kill(2) takes plain integers; target is negative (a group or -1).
    if unsafe { libc::kill(target, sig) } == 0 {
        Ok(())
    } else {
        Err(crate::proc_common::strerror(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    }
}

/// sigqueue(2): `sig` with the integer `value` to `pid` (a negative pid is no
/// group for sigqueue: the kernel answers ESRCH, as it does to procps).
fn queue_signal(pid: i32, sig: i32, value: i32) -> Result<(), String> {
    // union sigval { int sival_int; void *sival_ptr; }: the int is its first
    // four bytes, which are the pointer's low half only on a little-endian CPU.
    let bits = value as u32 as usize;
    #[cfg(target_endian = "big")]
    let bits = bits << (usize::BITS - 32);
    let val = libc::sigval {
        sival_ptr: bits as *mut libc::c_void,
    };
    // SAFETY: sigqueue takes plain integers and a sigval by value.
    if unsafe { libc::sigqueue(pid, sig, val) } == 0 {
        Ok(())
    } else {
        Err(crate::proc_common::strerror(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    }
}

/// The words the C tools use for a failure (strerror).
pub fn reason(e: &pskit::Error) -> String {
    crate::proc_common::os_reason(e)
}

/// Runs `pskit kill`.
pub fn run(args: Args) -> CmdResult {
    // clap has checked nothing but drops a leading `--`: read the words as typed.
    let raw = crate::proc_common::raw_args_after("kill");
    let words = if raw.len() >= args.args.len() {
        raw
    } else {
        args.args
    };
    let action = match parse(&words) {
        Ok(a) => a,
        Err(Usage(m)) => {
            if let Some(m) = m {
                eprintln!("{}: {m}", crate::fmt::prog("kill"));
            }
            eprint!("{USAGE}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let (sig, targets, queue, json) = match action {
        Action::Help => {
            print!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Action::Table => {
            print!("{}", table());
            return Ok(ExitCode::SUCCESS);
        }
        Action::List(None) => {
            print!("{}", list_all());
            return Ok(ExitCode::SUCCESS);
        }
        Action::List(Some(arg)) => {
            match list_one(&arg) {
                Ok(text) => print!("{text}"),
                Err(m) => eprintln!("{}: {m}", crate::fmt::prog("kill")),
            }
            return Ok(ExitCode::SUCCESS);
        }
        Action::Fail(m) => {
            eprintln!("{}: {m}", crate::fmt::prog("kill"));
            return Ok(ExitCode::FAILURE);
        }
        Action::Send {
            sig,
            targets,
            queue,
            json,
        } => (sig, targets, queue, json),
    };
    let mut outcomes = Vec::new();
    let mut ok = true;
    for t in &targets {
        let Some(pid) = target(t) else {
            // procps stops at the first operand it cannot read.
            eprintln!(
                "{}: failed to parse argument: '{t}'",
                crate::fmt::prog("kill")
            );
            ok = false;
            break;
        };
        let r = match &sig {
            // An unknown `-s NAME` reaches kill(2) as -1 in procps: ESRCH for a
            // missing process, else EINVAL; nothing is signalled either way.
            Err(m) if pid > 0 && pskit::pid_exists(pid as u32).unwrap_or(true) => Err(m.clone()),
            Err(_) if pid > 0 => Err(crate::proc_common::strerror(libc::ESRCH)),
            Err(m) => Err(m.clone()),
            Ok(s) if queue.is_some() => queue_signal(pid, *s, queue.unwrap_or(0)),
            Ok(s) if pid > 0 => signal_pid(pid as u32, *s),
            Ok(s) => signal_group(pid, *s),
        };
        if let (Err(m), false) = (&r, json) {
            eprintln!("{}: ({pid}): {m}", crate::fmt::prog("kill"));
        }
        ok &= r.is_ok();
        outcomes.push(Outcome {
            pid: i64::from(pid),
            signal: *sig.as_ref().unwrap_or(&-1),
            ok: r.is_ok(),
            error: r.err(),
        });
    }
    if json {
        print_json(&outcomes)?;
    }
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
    fn queue_values() {
        let q = |v: &[&str]| match parse(&s(v)).unwrap() {
            Action::Send { queue, .. } => Ok(queue),
            Action::Fail(m) => Err(m),
            other => panic!("{other:?}"),
        };
        assert_eq!(q(&["-q", "5", "1"]), Ok(Some(5)));
        assert_eq!(q(&["-q", " -7", "1"]), Ok(Some(-7)));
        assert_eq!(q(&["--queue=+8", "1"]), Ok(Some(8)));
        assert_eq!(q(&["-q9", "-USR1", "1"]), Ok(Some(9)));
        assert_eq!(q(&["-q", "4294967297", "1"]), Ok(Some(1)));
        assert_eq!(q(&["1"]), Ok(None));
        for bad in ["x", "1.5", "0x10", "7x", "", "1e3", "nan", "5 "] {
            assert_eq!(
                q(&["-q", bad, "1"]),
                Err(format!("{BAD_QUEUE}: '{bad}'")),
                "{bad}"
            );
        }
        assert_eq!(
            q(&["-q", "99999999999999999999", "1"]),
            Err(format!(
                "{BAD_QUEUE}: '99999999999999999999': Numerical result out of range"
            ))
        );
        assert!(parse(&s(&["-q"])).is_err());
        assert!(parse(&s(&["-q", "5"])).is_err());
    }

    fn send(v: &[&str]) -> (i32, Vec<String>) {
        match parse(&s(v)).unwrap() {
            Action::Send { sig, targets, .. } => (sig.unwrap(), targets),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn signal_forms() {
        assert_eq!(send(&["-9", "12"]), (9, s(&["12"])));
        assert_eq!(send(&["-KILL", "12", "13"]), (9, s(&["12", "13"])));
        assert_eq!(send(&["-SIGKILL", "12"]), (9, s(&["12"])));
        assert_eq!(send(&["-s", "HUP", "12"]), (1, s(&["12"])));
        assert_eq!(send(&["-n", "9", "12"]), (9, s(&["12"])));
        assert_eq!(send(&["--signal=USR1", "12"]), (10, s(&["12"])));
        assert_eq!(send(&["12"]), (15, s(&["12"])));
        assert_eq!(send(&["--", "-12"]), (15, s(&["-12"])));
        assert_eq!(send(&["-9", "--", "-12"]), (9, s(&["-12"])));
        assert_eq!(send(&["-9", "-12"]), (9, s(&["-12"])));
        assert!(parse(&s(&["-NOPE", "12"])).is_err());
        assert!(parse(&s(&["-9"])).is_err());
        assert!(parse(&s(&["-n", "99", "1"])).is_err());
        assert!(parse(&s(&["-n", "x", "1"])).is_err());
        assert!(parse(&s(&["-s"])).is_err());
        assert_eq!(
            parse(&s(&["-l", "TERM"])),
            Ok(Action::List(Some("TERM".into())))
        );
        assert_eq!(parse(&s(&["-L"])), Ok(Action::Table));
    }

    #[test]
    fn targets_are_checked() {
        assert_eq!(target("12"), Some(12));
        assert_eq!(target("-12"), Some(-12));
        for bad in [
            "abc",
            "4294967296",
            "+5",
            "-",
            "",
            "5x",
            "--5",
            "99999999999999",
        ] {
            assert_eq!(target(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists() {
        assert_eq!(list_one("TERM"), Ok("15\n".into()));
        assert_eq!(list_one("sigkill"), Ok("9\n".into()));
        assert_eq!(list_one("15"), Ok("TERM\n".into()));
        assert!(list_one("0").is_err());
        assert!(list_one("36").is_err());
        assert!(list_one("1x").is_err());
        assert!(table().ends_with("31 SYS     \n"));
        assert_eq!(list_all().lines().count(), 2);
    }
}
