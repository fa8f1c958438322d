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

use crate::num::{SIG_RTMAX as RTMAX, SIG_RTMIN as RTMIN};

/// Parses a signal given as a number (`9`), a name (`KILL`, `SIGKILL`, `kill`), or
/// a real-time offset (`RTMIN+3`, `RTMAX-1`). `None` when it is not a signal.
/// (The parser itself is [`crate::num::signal_number`], which the fuzz target
/// reaches.)
pub fn parse(text: &str) -> Option<i32> {
    crate::num::signal_number(text, SIGNALS)
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
