//! Signal names and numbers for `kill`, `killall` and the `top` signal dialog, as
//! util-linux `kill -l` spells them (numbers from libc, so per architecture).

/// Standard signals, in `kill -l` order.
pub const SIGNALS: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// The real-time range as the kernel numbers it (glibc reserves the first two
/// for itself and reports SIGRTMIN as 34; `kill -l` uses the kernel's 34..=64).
const RTMIN: i32 = 34;
const RTMAX: i32 = 64;

/// Parses a signal given as a number (`9`), a name (`KILL`, `SIGKILL`, `kill`), or
/// a real-time offset (`RTMIN+3`, `RTMAX-1`). `None` when it is not a signal.
pub fn parse(text: &str) -> Option<i32> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i32>() {
        return (0..=RTMAX).contains(&n).then_some(n);
    }
    let upper = t.to_ascii_uppercase();
    let name = match upper.strip_prefix("SIG").unwrap_or(&upper) {
        // Other names of the same signals.
        "IO" => "POLL",
        "IOT" => "ABRT",
        "CLD" => "CHLD",
        n => n,
    };
    if let Some(&(_, n)) = SIGNALS.iter().find(|(s, _)| *s == name) {
        return Some(n);
    }
    let (base, rest) = if let Some(r) = name.strip_prefix("RTMIN") {
        (RTMIN, r)
    } else if let Some(r) = name.strip_prefix("RTMAX") {
        (RTMAX, r)
    } else {
        return None;
    };
    let n = match rest.as_bytes().first() {
        None => base,
        Some(b'+') => base + rest[1..].parse::<i32>().ok()?,
        Some(b'-') => base - rest[1..].parse::<i32>().ok()?,
        _ => return None,
    };
    (RTMIN..=RTMAX).contains(&n).then_some(n)
}

/// The name of a signal number without the SIG prefix (`TERM`, `RTMIN+2`).
pub fn name(sig: i32) -> String {
    if let Some((n, _)) = SIGNALS.iter().find(|(_, s)| *s == sig) {
        return (*n).to_string();
    }
    match sig {
        RTMIN => "RTMIN".into(),
        RTMAX => "RTMAX".into(),
        s if (RTMIN..RTMAX).contains(&s) => format!("RTMIN+{}", s - RTMIN),
        s => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_rt() {
        assert_eq!(parse("9"), Some(9));
        assert_eq!(parse("KILL"), Some(libc::SIGKILL));
        assert_eq!(parse("sigterm"), Some(libc::SIGTERM));
        assert_eq!(parse("RTMIN+2"), Some(36));
        assert_eq!(parse("RTMAX-1"), Some(63));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("SIGIO"), Some(libc::SIGIO));
        assert_eq!(parse("iot"), Some(libc::SIGABRT));
        for bad in ["", "NOPE", "-1", "65", "RTMIN+99", "RTMINx", "SIG"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(name(libc::SIGTERM), "TERM");
        assert_eq!(name(36), "RTMIN+2");
        for (n, s) in SIGNALS {
            assert_eq!(parse(n), Some(*s));
        }
    }
}
