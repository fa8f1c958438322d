//! `pskit who`: coreutils `who` over the utmp file's records (`-a`, `-b`, `-d`,
//! `-l`, `-p`, `-r`, `-t`, `-u`, `-T`, `-H`, `-q`, `-s`, `-m`, `am i`, a FILE
//! argument), with coreutils' layout; `--json` prints psutil's `users()`.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Local, TimeZone};
use pskit::host::{
    UtmpRecord, BOOT_TIME, DEAD_PROCESS, INIT_PROCESS, LOGIN_PROCESS, NEW_TIME, RUN_LVL,
    USER_PROCESS,
};

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit who`.
#[derive(clap::Args)]
pub struct Args {
    /// Same as -b -d --login -p -r -t -T -u.
    #[arg(short = 'a', long = "all")]
    all: bool,
    /// Time of the last system boot.
    #[arg(short = 'b', long = "boot")]
    boot: bool,
    /// Dead processes.
    #[arg(short = 'd', long = "dead")]
    dead: bool,
    /// Print a line of column headings.
    #[arg(short = 'H', long = "heading")]
    heading: bool,
    /// System login processes.
    #[arg(short = 'l', long = "login")]
    login: bool,
    /// Only the host and user associated with stdin.
    #[arg(short = 'm')]
    me: bool,
    /// Active processes spawned by init.
    #[arg(short = 'p', long = "process")]
    process: bool,
    /// Only the names and the number of users logged on.
    #[arg(short = 'q', long = "count")]
    count: bool,
    /// The current run level.
    #[arg(short = 'r', long = "runlevel")]
    runlevel: bool,
    /// Only name, line and time (the default).
    #[arg(short = 's', long = "short")]
    short: bool,
    /// The last system clock change.
    #[arg(short = 't', long = "time")]
    time: bool,
    /// Add each user's message status as +, - or ?.
    #[arg(short = 'T', short_alias = 'w', long = "mesg", aliases = ["message", "writable"])]
    mesg: bool,
    /// Users logged in, with idle time and pid.
    #[arg(short = 'u', long = "users")]
    users: bool,
    /// Print JSON (psutil's `users()`).
    #[arg(long)]
    json: bool,
    /// A utmp-format FILE (e.g. /var/log/wtmp), or `am i` / `mom likes`.
    #[arg(value_name = "FILE | ARG1 ARG2", num_args = 0..=2)]
    operands: Vec<String>,
}

/// What coreutils' option switch decides.
#[derive(Default)]
struct Want {
    users: bool,
    boot: bool,
    dead: bool,
    login: bool,
    init: bool,
    runlevel: bool,
    clock: bool,
    mesg: bool,
    idle: bool,
    exit: bool,
    short: bool,
    heading: bool,
}

fn want(a: &Args) -> Want {
    let mut w = Want {
        mesg: a.mesg,
        heading: a.heading,
        short: a.short,
        ..Want::default()
    };
    let mut assumptions = true;
    if a.all {
        w.boot = true;
        w.dead = true;
        w.login = true;
        w.init = true;
        w.runlevel = true;
        w.clock = true;
        w.users = true;
        w.mesg = true;
        w.idle = true;
        w.exit = true;
        assumptions = false;
    }
    if a.boot {
        w.boot = true;
        assumptions = false;
    }
    if a.dead {
        w.dead = true;
        w.idle = true;
        w.exit = true;
        assumptions = false;
    }
    if a.login {
        w.login = true;
        w.idle = true;
        assumptions = false;
    }
    if a.process {
        w.init = true;
        assumptions = false;
    }
    if a.runlevel {
        w.runlevel = true;
        w.idle = true;
        assumptions = false;
    }
    if a.time {
        w.clock = true;
        assumptions = false;
    }
    if a.users {
        w.users = true;
        w.idle = true;
        assumptions = false;
    }
    if assumptions {
        w.users = true;
        w.short = true;
    }
    if w.exit {
        w.short = false;
    }
    w
}

/// coreutils' print_line, trailing blanks removed.
#[allow(clippy::too_many_arguments)]
fn print_line(
    w: &Want,
    user: &str,
    state: char,
    line: &str,
    time: &str,
    idle: &str,
    pid: &str,
    comment: &str,
    exit: &str,
) -> String {
    let mut s = format!("{user:<8}");
    if w.mesg {
        s.push(' ');
        s.push(state);
    }
    s.push_str(&format!(" {line:<12} {time:<16}"));
    if w.idle && !w.short {
        s.push_str(&format!(" {idle:<6}"));
    }
    if !w.short {
        s.push_str(&format!(" {pid:>10}"));
    }
    s.push_str(&format!(" {comment:<8}"));
    if w.exit {
        s.push_str(&format!(" {exit:<12}"));
    }
    s.truncate(s.trim_end_matches(' ').len());
    s
}

fn time_str(sec: i32) -> String {
    Local
        .timestamp_opt(i64::from(sec), 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// coreutils' idle_string.
fn idle_string(when: i64, boottime: i64, now: i64) -> String {
    let idle = now - when;
    if boottime < when && when <= now && idle < 24 * 3600 {
        if idle < 60 {
            "  .  ".into()
        } else {
            format!("{:02}:{:02}", idle / 3600, (idle % 3600) / 60)
        }
    } else {
        " old ".into()
    }
}

/// One session as the summary shows it: NAME LINE TIME (HOST).
pub fn user_line(u: &pskit::User) -> String {
    let mut s = format!(
        "{:<8} {:<12} {}",
        u.name,
        u.terminal.as_deref().unwrap_or("?"),
        time_str(u.started as i32)
    );
    if u.host != "localhost" {
        s.push_str(&format!(" ({})", u.host));
    }
    s
}

/// The line of stdin's terminal, without `/dev/` (for `-m` / `am i`).
fn my_line() -> Option<String> {
    let path = std::fs::read_link("/proc/self/fd/0").ok()?;
    let s = path.to_str()?;
    if !rustix::termios::isatty(std::io::stdin()) {
        return None;
    }
    Some(s.strip_prefix("/dev/").unwrap_or(s).to_string())
}

/// Runs `pskit who`.
pub fn run(args: Args) -> CmdResult {
    if args.json {
        print_json(&pskit::users()?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (file, my_line_only) = match args.operands.len() {
        0 => (None, args.me),
        1 => (Some(PathBuf::from(&args.operands[0])), args.me),
        _ => (None, true),
    };
    let mut records = match pskit::host::utmp_records(file.as_deref()) {
        Ok(r) => r,
        // As glibc's utmpname: a missing file has no records.
        Err(pskit::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Vec::new()
        }
        Err(e) => {
            // coreutils: "who: FILE: No such file or directory".
            let text = e.to_string();
            let text = match text.rfind(" (os error") {
                Some(i) => &text[..i],
                None => &text,
            };
            eprintln!("{}: {text}", crate::fmt::prog("who"));
            return Ok(ExitCode::FAILURE);
        }
    };
    // Reading the system's utmp, coreutils skips sessions whose process is gone.
    if file.is_none() {
        records.retain(|r| {
            r.kind != USER_PROCESS
                || r.pid <= 0
                || rustix::process::test_kill_process(
                    rustix::process::Pid::from_raw(r.pid).unwrap_or(rustix::process::Pid::INIT),
                ) != Err(rustix::io::Errno::SRCH)
        });
    }
    let is_user = |r: &UtmpRecord| r.kind == USER_PROCESS && !r.user.is_empty();
    if args.count {
        let names: Vec<&str> = records
            .iter()
            .filter(|r| is_user(r))
            .map(|r| r.user.trim())
            .collect();
        println!("{}\n# users={}", names.join(" "), names.len());
        return Ok(ExitCode::SUCCESS);
    }
    let w = want(&args);
    let mut out = String::new();
    if w.heading {
        out.push_str(&print_line(
            &w, "NAME", ' ', "LINE", "TIME", "IDLE", "PID", "COMMENT", "EXIT",
        ));
        out.push('\n');
    }
    let me = if my_line_only { my_line() } else { None };
    if my_line_only && me.is_none() {
        print!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    let now = chrono::Local::now().timestamp();
    let mut boottime = i64::MIN;
    let dev = pskit::Root::current().dev().to_path_buf();
    for r in &records {
        if me.as_deref().is_none_or(|m| m == r.line) {
            let time = time_str(r.sec);
            let pid = r.pid.to_string();
            let id = format!("id={}", r.id);
            let text = if w.users && is_user(r) {
                let (state, idle) = match std::fs::metadata(dev.join(&r.line)) {
                    Ok(m) => (
                        if m.mode() & 0o020 != 0 { '+' } else { '-' },
                        idle_string(m.atime(), boottime, now),
                    ),
                    Err(_) => ('?', "  ?".to_string()),
                };
                let comment = if r.host.is_empty() {
                    String::new()
                } else {
                    format!("({})", r.host)
                };
                Some(print_line(
                    &w, &r.user, state, &r.line, &time, &idle, &pid, &comment, "",
                ))
            } else if w.runlevel && r.kind == RUN_LVL {
                let (last, curr) = ((r.pid / 256) as u8, (r.pid % 256) as u8);
                let last = if last == b'N' { b'S' } else { last };
                let comment = if (0x20..0x7f).contains(&last) {
                    format!("last={}", last as char)
                } else {
                    String::new()
                };
                let level = format!("run-level {}", curr as char);
                Some(print_line(&w, "", ' ', &level, &time, "", "", &comment, ""))
            } else if w.boot && r.kind == BOOT_TIME {
                Some(print_line(
                    &w,
                    "",
                    ' ',
                    "system boot",
                    &time,
                    "",
                    "",
                    "",
                    "",
                ))
            } else if w.clock && r.kind == NEW_TIME {
                Some(print_line(
                    &w,
                    "",
                    ' ',
                    "clock change",
                    &time,
                    "",
                    "",
                    "",
                    "",
                ))
            } else if w.init && r.kind == INIT_PROCESS {
                Some(print_line(&w, "", ' ', &r.line, &time, "", &pid, &id, ""))
            } else if w.login && r.kind == LOGIN_PROCESS {
                Some(print_line(
                    &w, "LOGIN", ' ', &r.line, &time, "", &pid, &id, "",
                ))
            } else if w.dead && r.kind == DEAD_PROCESS {
                let exit = format!("term={} exit={}", r.exit_termination, r.exit_status);
                Some(print_line(
                    &w, "", ' ', &r.line, &time, "", &pid, &id, &exit,
                ))
            } else {
                None
            };
            if let Some(t) = text {
                out.push_str(&crate::fmt::printable(&t));
                out.push('\n');
            }
        }
        if r.kind == BOOT_TIME {
            boottime = i64::from(r.sec);
        }
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
