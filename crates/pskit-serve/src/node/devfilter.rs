//! Small pieces the filesystem, diskstats, netdev and netclass collectors
//! share: node_exporter's device filter (an exclude and an include regex),
//! compiled regexes kept between scrapes, Go's `filepath.Join`, Go's
//! `strconv.ParseInt(s, 0, 64)` and Go-duration flags.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use regex::Regex;

/// The regex for `pattern`, compiled once per process (a flag's value does
/// not change between scrapes). `flag` names the flag in the error.
pub(crate) fn regex(flag: &str, pattern: &str) -> Result<Regex, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = cache.get(pattern) {
        return Ok(r.clone());
    }
    let r = Regex::new(pattern).map_err(|e| format!("--{flag}: invalid regex: {e}"))?;
    cache.insert(pattern.to_string(), r.clone());
    Ok(r)
}

/// node_exporter's `deviceFilter`: a device is ignored when it matches the
/// exclude regex or does not match the include regex (an empty pattern is
/// no regex). Go's `MatchString` finds a match anywhere, as `is_match` does.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeviceFilter {
    ignore: Option<Regex>,
    accept: Option<Regex>,
}

impl DeviceFilter {
    /// The filter of these two flags (names for errors, then values).
    pub(crate) fn new(
        exclude_flag: &str,
        exclude: &str,
        include_flag: &str,
        include: &str,
    ) -> Result<DeviceFilter, String> {
        let compile = |flag: &str, p: &str| {
            if p.is_empty() {
                Ok(None)
            } else {
                regex(flag, p).map(Some)
            }
        };
        Ok(DeviceFilter {
            ignore: compile(exclude_flag, exclude)?,
            accept: compile(include_flag, include)?,
        })
    }

    /// Whether `name` is left out.
    pub(crate) fn ignored(&self, name: &str) -> bool {
        self.ignore.as_ref().is_some_and(|r| r.is_match(name))
            || self.accept.as_ref().is_some_and(|r| !r.is_match(name))
    }
}

/// A new flag and its deprecated alias, as node_exporter 1.x resolves them:
/// the alias is used when given and the new flag is left at its default;
/// both given is an error.
pub(crate) fn with_alias<'a>(
    new_flag: &str,
    new: &'a str,
    new_default: &str,
    old_flag: &str,
    old: &'a str,
) -> Result<&'a str, String> {
    if old.is_empty() {
        Ok(new)
    } else if new == new_default {
        Ok(old)
    } else {
        Err(format!(
            "--{old_flag} and --{new_flag} are mutually exclusive"
        ))
    }
}

/// Go's `filepath.Join(root, p)`: the two joined by one slash, then
/// cleaned lexically (`//`, `.` and `..` resolved), so an absolute `p` lands
/// under `root` (Rust's `Path::join` would replace `root`).
pub(crate) fn go_join(root: &str, p: &str) -> String {
    let joined = if root.is_empty() {
        p.to_string()
    } else if p.is_empty() {
        root.to_string()
    } else {
        format!("{root}/{p}")
    };
    go_clean(&joined)
}

/// Go's `filepath.Clean`.
pub(crate) fn go_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, which procfs uses for sysfs values:
/// an optional sign, then decimal, `0x` hex, `0o`/leading-`0` octal or `0b`
/// binary, `_` allowed only after a base prefix. `None` where Go errs.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    let digits: String = if prefixed {
        // Go: underscores only between digits (or after the prefix).
        if digits.ends_with('_') || digits.contains("__") {
            return None;
        }
        digits.chars().filter(|&c| c != '_').collect()
    } else {
        digits.to_string()
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// A Go duration flag (`5s`, `1m30s`, `250ms`, `1.5h`); a bare number is
/// taken as seconds.
pub(crate) fn parse_go_duration(flag: &str, s: &str) -> Result<Duration, String> {
    let bad = || format!("--{flag}: invalid duration {s:?}");
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|_| bad());
    }
    let mut total = 0.0f64;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let num: f64 = rest[..n].parse().map_err(|_| bad())?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += num * unit;
        rest = &rest[u..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let f = DeviceFilter::new("x", "^lo$", "y", "").unwrap();
        assert!(f.ignored("lo"));
        assert!(!f.ignored("eth0"));
        let f = DeviceFilter::new("x", "", "y", "^eth").unwrap();
        assert!(f.ignored("lo"));
        assert!(!f.ignored("eth0"));
        assert!(!DeviceFilter::default().ignored("anything"));
        let e = DeviceFilter::new("collector.x", "(", "y", "").unwrap_err();
        assert!(e.starts_with("--collector.x: invalid regex"), "{e}");
    }

    #[test]
    fn aliases() {
        assert_eq!(with_alias("n", "d", "d", "o", ""), Ok("d"));
        assert_eq!(with_alias("n", "d", "d", "o", "old"), Ok("old"));
        assert_eq!(with_alias("n", "new", "d", "o", ""), Ok("new"));
        assert!(with_alias("n", "new", "d", "o", "old").is_err());
    }

    #[test]
    fn joins_like_go() {
        assert_eq!(go_join("/", "/home"), "/home");
        assert_eq!(go_join("/", "/"), "/");
        assert_eq!(go_join("/host", "/home"), "/host/home");
        assert_eq!(go_join("/host/", "/"), "/host");
        assert_eq!(go_join("/host", "/../etc"), "/etc");
        assert_eq!(go_join("rel", "a/./b//c/.."), "rel/a/b");
        assert_eq!(go_clean(""), ".");
        assert_eq!(go_clean("../a/.."), "..");
    }

    #[test]
    fn go_ints() {
        for (s, v) in [
            ("0", Some(0)),
            ("42", Some(42)),
            ("-1", Some(-1)),
            ("+7", Some(7)),
            ("0x1003", Some(4099)),
            ("0X1f", Some(31)),
            ("010", Some(8)),
            ("0o10", Some(8)),
            ("0b101", Some(5)),
            ("0x_1_0", Some(16)),
            ("1_0", None),
            ("", None),
            ("-", None),
            ("09", None),
            ("up", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("1 2", None),
        ] {
            assert_eq!(parse_go_int(s), v, "{s:?}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("f", "5s"), Ok(Duration::from_secs(5)));
        assert_eq!(
            parse_go_duration("f", "250ms"),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(parse_go_duration("f", "1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("f", "2"), Ok(Duration::from_secs(2)));
        assert!(parse_go_duration("f", "").is_err());
        assert!(parse_go_duration("f", "5x").is_err());
        assert!(parse_go_duration("f", "s").is_err());
        assert!(parse_go_duration("f", "-1").is_err());
    }
}
