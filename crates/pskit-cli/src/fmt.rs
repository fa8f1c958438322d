//! Output helpers shared by the subcommands.

use std::io::{self, Write};

use serde::Serialize;

/// The error type of a subcommand: anything printable.
pub type CmdResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;

/// Prints one value as pretty JSON followed by a newline.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// Becomes `command` (execvp, as coreutils `nice` and util-linux `taskset` do once
/// they have changed their own settings). It only returns on failure: the message
/// is printed and the status is 127 when the program is not found, else 126.
pub fn exec(tool: &str, command: &[String]) -> std::process::ExitCode {
    use std::os::unix::process::CommandExt;
    let Some((program, args)) = command.split_first() else {
        eprintln!("pskit {tool}: no command given");
        return std::process::ExitCode::from(2);
    };
    let err = std::process::Command::new(program).args(args).exec();
    eprintln!("pskit {tool}: failed to execute {program}: {err}");
    std::process::ExitCode::from(if err.kind() == io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}

/// psutil's `bytes2human`: 1024 steps, one decimal, suffixes B K M G T P E Z Y.
pub fn bytes2human(n: u64) -> String {
    const SYMBOLS: [char; 8] = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    for (i, s) in SYMBOLS.iter().enumerate().rev() {
        let prefix = 1u128 << ((i + 1) * 10);
        if u128::from(n) >= prefix {
            return format!("{:.1}{s}", n as f64 / prefix as f64);
        }
    }
    format!("{n}B")
}

/// A horizontal usage bar like htop's: `[|||||     ]`.
pub fn bar(percent: f64, width: usize) -> String {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    format!("[{}{}]", "|".repeat(filled), " ".repeat(width - filled))
}

/// Formats a duration in seconds like `uptime`: "3 days,  4:05" or "12 min".
pub fn uptime_text(secs: u64) -> String {
    let days = secs / 86400;
    let hours = (secs % 86400) / 3600;
    let mins = (secs % 3600) / 60;
    let mut s = String::new();
    if days > 0 {
        s.push_str(&format!("{days} day{}, ", if days == 1 { "" } else { "s" }));
    }
    if hours > 0 {
        s.push_str(&format!("{hours:2}:{mins:02}"));
    } else {
        s.push_str(&format!("{mins} min"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes2human_like_psutil() {
        assert_eq!(bytes2human(0), "0B");
        assert_eq!(bytes2human(1023), "1023B");
        assert_eq!(bytes2human(10000), "9.8K");
        assert_eq!(bytes2human(100001221), "95.4M");
    }

    #[test]
    fn uptime_formats() {
        assert_eq!(uptime_text(59), "0 min");
        assert_eq!(uptime_text(3 * 86400 + 4 * 3600 + 5 * 60), "3 days,  4:05");
        assert_eq!(uptime_text(86400 + 60), "1 day, 1 min");
    }

    #[test]
    fn bars() {
        assert_eq!(bar(50.0, 4), "[||  ]");
        assert_eq!(bar(150.0, 2), "[||]");
    }
}

/// Text as procps prints it on a terminal: white space controls (newline,
/// tab, CR, VT, FF) become a space and every other control character (ESC,
/// DEL, C1 controls) and every byte that was not UTF-8 (decoded as U+FFFD)
/// becomes `?`, so a process name or command line cannot add rows or send
/// escape sequences. `--json` keeps the raw strings.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() || c == '\u{FFFD}';
    if s.chars().any(bad) {
        s.chars()
            .map(|c| match c {
                '\n' | '\t' | '\r' | '\x0b' | '\x0c' => ' ',
                c if bad(c) => '?',
                c => c,
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn controls_and_invalid_bytes_become_question_marks() {
        assert_eq!(printable("sleep 100"), "sleep 100");
        assert_eq!(printable("a\nb\tc"), "a b c");
        assert_eq!(printable("evil\x1b[31mred"), "evil?[31mred");
        assert_eq!(printable("\u{7f}\u{9b}x"), "??x");
        assert_eq!(printable(&String::from_utf8_lossy(b"a\xffb")), "a?b");
        assert_eq!(printable("héllo wörld"), "héllo wörld");
    }
}

/// Reads a small text file (/proc/uptime, /etc/passwd, a wchan) the way the
/// library reads /proc: opened non-blocking, refused unless it is a regular
/// file (a FIFO planted in a fake root cannot hang a command), at most 4 MiB.
/// The error names the path.
pub fn read_small(path: &std::path::Path) -> io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(named)?;
    let meta = file.metadata().map_err(named)?;
    if !meta.is_file() {
        return Err(named(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        )));
    }
    let mut text = String::new();
    file.take(4 << 20)
        .read_to_string(&mut text)
        .map_err(named)?;
    Ok(text)
}

/// The digits of the kernel's pid_max: procps widens its pid columns (ps)
/// and its PID field (top) to them, as htop does (7 for 4194304; pid_max is per pid namespace since Linux 6.14, so a
/// container can differ from its host). At least 5.
pub fn pid_digits() -> usize {
    // The unit tests' screens are laid out for 7 (pid_max 4194304, the
    // common default), whatever the machine running them has.
    if cfg!(test) {
        return 7;
    }
    static DIGITS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *DIGITS.get_or_init(|| {
        let path = pskit::Root::current().proc().join("sys/kernel/pid_max");
        read_small(&path)
            .ok()
            .map(|t| t.trim().len())
            .filter(|&n| n <= 10)
            .unwrap_or(5)
            .max(5)
    })
}

/// Seconds since boot, from /proc/uptime (to the hundredth, as procps reads it).
pub fn proc_uptime() -> std::io::Result<f64> {
    let path = pskit::Root::current().proc().join("uptime");
    let text = read_small(&path)?;
    text.split_whitespace()
        .next()
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: not a number of seconds", path.display()),
            )
        })
}

/// Set when pskit runs through a link named after a tool (`free`, `ps`, …).
static VIA_LINK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Remembers that pskit was invoked through a tool's link, so messages carry
/// the tool's own name as the real tool's do.
pub fn set_via_link() {
    VIA_LINK.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The program name for messages: `pskit free`, or `free` when run through a
/// link of that name.
pub fn prog(tool: &str) -> String {
    if VIA_LINK.load(std::sync::atomic::Ordering::Relaxed) {
        tool.to_string()
    } else {
        format!("pskit {tool}")
    }
}
