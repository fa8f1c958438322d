//! One error type for the whole library, with psutil's exception kinds.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// The result type of every fallible pskit call.
///
/// ```
/// fn total() -> pskit::Result<u64> {
///     Ok(pskit::virtual_memory()?.total)
/// }
/// assert!(total().unwrap() > 0);
/// ```
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong, as psutil's exceptions plus I/O and parse errors
/// that name the file.
///
/// psutil's `ZombieProcess` is a subclass of `NoSuchProcess`; here
/// [`Error::is_no_such_process`] answers true for both, so code written as
/// "skip processes that are gone" keeps psutil's meaning.
///
/// `Debug` prints the kind and psutil's message, the way a Python traceback
/// ends, so `fn main() -> pskit::Result<()>` reports a failure readably
/// (`Error: NoSuchProcess: process no longer exists (pid=42)`).
///
/// ```
/// let err = pskit::Error::NoSuchProcess { pid: 42, name: None, msg: "process no longer exists".into() };
/// assert!(err.is_no_such_process());
/// assert_eq!(err.to_string(), "process no longer exists (pid=42)");
/// assert_eq!(format!("{err:?}"), "NoSuchProcess: process no longer exists (pid=42)");
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The process does not exist (psutil `NoSuchProcess`).
    #[error("{}", psutil_message(msg, Some(*pid), name.as_deref(), None))]
    NoSuchProcess {
        /// The pid asked for.
        pid: u32,
        /// The process name, when it was known.
        name: Option<String>,
        /// psutil's message, e.g. "process no longer exists".
        msg: String,
    },
    /// The process exists but is a zombie (psutil `ZombieProcess`).
    #[error("{}", psutil_message(msg, Some(*pid), name.as_deref(), *ppid))]
    ZombieProcess {
        /// The zombie's pid.
        pid: u32,
        /// Its name, when known.
        name: Option<String>,
        /// Its parent, when known.
        ppid: Option<u32>,
        /// psutil's message, "PID still exists but it's a zombie".
        msg: String,
    },
    /// The caller lacks the permission (psutil `AccessDenied`).
    #[error("{}", psutil_message(msg, *pid, name.as_deref(), None))]
    AccessDenied {
        /// The pid, when the call concerned a process.
        pid: Option<u32>,
        /// The process name, when known.
        name: Option<String>,
        /// Extra detail (psutil's default is empty).
        msg: String,
    },
    /// A wait timed out (psutil `TimeoutExpired`).
    #[error("{}", psutil_message(&format!("timeout after {seconds} seconds"), *pid, name.as_deref(), None))]
    TimeoutExpired {
        /// The timeout, in seconds.
        seconds: f64,
        /// The pid waited on.
        pid: Option<u32>,
        /// Its name, when known.
        name: Option<String>,
    },
    /// A file or syscall failed; `path` names what was being read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file (or syscall name) involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A file's content was not what the kernel documents.
    #[error("{}: {msg}", path.display())]
    Parse {
        /// The file whose content was odd.
        path: PathBuf,
        /// What was wrong.
        msg: String,
    },
    /// A bad argument (psutil raises `ValueError`).
    #[error("{0}")]
    InvalidArgument(String),
    /// The information is not available on this system (psutil raises
    /// `NotImplementedError` or `RuntimeError`).
    #[error("{0}")]
    Unsupported(String),
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Error::NoSuchProcess { .. } => "NoSuchProcess",
            Error::ZombieProcess { .. } => "ZombieProcess",
            Error::AccessDenied { .. } => "AccessDenied",
            Error::TimeoutExpired { .. } => "TimeoutExpired",
            Error::Io { .. } => "Io",
            Error::Parse { .. } => "Parse",
            Error::InvalidArgument(_) => "InvalidArgument",
            Error::Unsupported(_) => "Unsupported",
        };
        write!(f, "{kind}: {self}")
    }
}

/// psutil's `Error.__str__`: "msg (pid=…, ppid=…, name='…')", listing only what is set.
fn psutil_message(msg: &str, pid: Option<u32>, name: Option<&str>, ppid: Option<u32>) -> String {
    let mut details = Vec::new();
    if let Some(pid) = pid {
        details.push(format!("pid={pid}"));
    }
    if let Some(ppid) = ppid {
        details.push(format!("ppid={ppid}"));
    }
    if let Some(name) = name {
        details.push(format!("name={}", py_repr(name)));
    }
    match (msg.is_empty(), details.is_empty()) {
        (_, true) => msg.to_string(),
        (true, false) => format!("({})", details.join(", ")),
        (false, false) => format!("{msg} ({})", details.join(", ")),
    }
}

/// Python's `repr()` of a string, as psutil's messages show names:
/// `'kthreadd'`, or `"it's"` when only a single quote is inside.
pub(crate) fn py_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// The longest parse-error message kept, in characters.
pub(crate) const MSG_MAX: usize = 160;

/// `msg` with control characters escaped and cut to [`MSG_MAX`] characters.
fn bounded(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(MSG_MAX + 8));
    for (n, c) in msg.chars().enumerate() {
        if n == MSG_MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A short, escaped quote of untrusted file content for an error message: at
/// most 40 characters, control and non-ASCII bytes escaped, `…` when cut.
///
/// ```text
/// excerpt(b"12\x1b[31m") == "\"12\\x1b[31m\""
/// ```
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 40;
    let mut out = String::from("\"");
    for &b in bytes.iter().take(MAX) {
        out.extend(std::ascii::escape_default(b).map(char::from));
    }
    if bytes.len() > MAX {
        out.push('…');
    }
    out.push('"');
    out
}

impl Error {
    /// True for `NoSuchProcess` and `ZombieProcess` (a subclass of it in psutil).
    ///
    /// ```
    /// let err = pskit::Error::ZombieProcess { pid: 7, name: None, ppid: Some(1), msg: String::new() };
    /// assert!(err.is_no_such_process());
    /// ```
    pub fn is_no_such_process(&self) -> bool {
        matches!(
            self,
            Error::NoSuchProcess { .. } | Error::ZombieProcess { .. }
        )
    }

    /// True for `AccessDenied`.
    ///
    /// ```
    /// let err = pskit::Error::AccessDenied { pid: Some(1), name: None, msg: String::new() };
    /// assert!(err.is_access_denied());
    /// ```
    pub fn is_access_denied(&self) -> bool {
        matches!(self, Error::AccessDenied { .. })
    }

    /// Wraps an I/O error with the path that was being read.
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A parse error naming the file. The message is cut to 160
    /// characters, with control characters escaped, since parsers quote the
    /// (untrusted, possibly huge) text they choke on.
    ///
    /// ```
    /// let e = pskit::Error::parse("/proc/loadavg", "no load averages");
    /// assert_eq!(e.to_string(), "/proc/loadavg: no load averages");
    /// ```
    pub fn parse(path: impl Into<PathBuf>, msg: impl fmt::Display) -> Error {
        Error::Parse {
            path: path.into(),
            msg: bounded(&msg.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_as_python_repr_does() {
        let e = Error::NoSuchProcess {
            pid: 2,
            name: Some("kthreadd".into()),
            msg: "process no longer exists".into(),
        };
        assert_eq!(
            e.to_string(),
            "process no longer exists (pid=2, name='kthreadd')"
        );
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("x\ny\x1b"), "'x\\ny\\x1b'");
        let z = Error::ZombieProcess {
            pid: 7,
            name: Some("sh".into()),
            ppid: Some(1),
            msg: "PID still exists but it's a zombie".into(),
        };
        assert_eq!(
            z.to_string(),
            "PID still exists but it's a zombie (pid=7, ppid=1, name='sh')"
        );
    }

    #[test]
    fn parse_errors_quote_a_short_escaped_excerpt() {
        let huge = format!("bad line {:?}", "x".repeat(1_000_000));
        let e = Error::parse("/proc/stat", huge).to_string();
        assert!(e.len() < 300, "{} bytes", e.len());
        assert!(e.starts_with("/proc/stat: bad line \"xxx") && e.ends_with('…'));
        let e = Error::parse("/proc/x", "evil\x1b[31m\nline").to_string();
        assert!(!e.contains('\x1b') && !e.contains('\n'), "{e:?}");
        assert_eq!(excerpt(b"12\x1b[31m"), "\"12\\x1b[31m\"");
        assert!(excerpt(&[b'a'; 100]).ends_with("…\""));
    }
}
