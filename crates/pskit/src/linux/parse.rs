//! Small helpers shared by the pure parsers.

/// Python's `round(x, 1)`: correctly rounded on the exact binary value, ties to even.
/// Rust's `{:.1}` formatting rounds the same way, so the two agree digit for digit.
pub(crate) fn round1(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.1}").parse().unwrap_or(x)
}

/// psutil's `usage_percent(used, total, round_=1)`: 0.0 when total is 0.
pub(crate) fn usage_percent(used: f64, total: f64) -> f64 {
    if total == 0.0 {
        0.0
    } else {
        round1(used / total * 100.0)
    }
}

/// Counts the CPUs of a kernel cpu list such as `0-3,8,10-11`; `None` if it is malformed.
pub(crate) fn count_cpu_list(list: &str) -> Option<u32> {
    cpu_list(list).map(|v| v.len() as u32)
}

/// The cpu lists pskit accepts: CPU numbers below this, and at most this many
/// members (the kernel's NR_CPUS is at most 8192), so a hostile list cannot ask for
/// gigabytes.
pub(crate) const MAX_CPUS: u32 = 1 << 16;

/// Expands a kernel cpu list (`0-3,8`) into its members; `None` if malformed, if a
/// CPU number reaches [`MAX_CPUS`] or if there would be more than that many members.
pub(crate) fn cpu_list(list: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    let list = list.trim();
    if list.is_empty() {
        return Some(out);
    }
    let cpu = |s: &str| s.parse::<u32>().ok().filter(|&n| n < MAX_CPUS);
    for part in list.split(',') {
        let part = part.trim();
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (cpu(a)?, cpu(b)?),
            None => {
                let n = cpu(part)?;
                (n, n)
            }
        };
        if b < a || out.len() + (b - a) as usize >= MAX_CPUS as usize {
            return None;
        }
        out.extend(a..=b);
    }
    Some(out)
}

/// Undoes the octal escapes of mount tables (`\040` space, `\011` tab, `\012`
/// newline, `\134` backslash), as getmntent(3) does.
pub(crate) fn unescape_octal(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() {
            let oct = &b[i + 1..i + 4];
            if oct.iter().all(|c| (b'0'..=b'7').contains(c)) {
                let v = (oct[0] - b'0') as u32 * 64
                    + (oct[1] - b'0') as u32 * 8
                    + (oct[2] - b'0') as u32;
                if v <= 255 {
                    out.push(v as u8);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_like_python() {
        assert_eq!(round1(0.25), 0.2);
        assert_eq!(round1(0.35), 0.3); // 0.35 is 0.34999… in binary
        assert_eq!(round1(12.345), 12.3);
        assert_eq!(round1(99.96), 100.0);
    }

    #[test]
    fn usage_percent_zero_total() {
        assert_eq!(usage_percent(5.0, 0.0), 0.0);
        assert_eq!(usage_percent(1.0, 3.0), 33.3);
    }

    #[test]
    fn cpu_lists() {
        assert_eq!(count_cpu_list("0-1"), Some(2));
        assert_eq!(count_cpu_list("0-3,8,10-11\n"), Some(7));
        assert_eq!(count_cpu_list(""), Some(0));
        assert_eq!(count_cpu_list("3-1"), None);
        assert_eq!(count_cpu_list("x"), None);
        assert_eq!(count_cpu_list("0-4294967295"), None);
        assert_eq!(count_cpu_list("65535"), Some(1));
        assert_eq!(count_cpu_list("0-65535"), Some(65536));
        assert_eq!(count_cpu_list("65536"), None);
    }

    // Fuzz crash (issue #14): a 160 KB `online` file of `0-65536,` repeated asked
    // for 4 GB. The list is refused once it would pass MAX_CPUS members.
    #[test]
    fn cpu_list_expansion_is_capped() {
        let hostile = vec!["0-65535"; 20_000].join(",");
        assert_eq!(cpu_list(&hostile), None);
        assert_eq!(cpu_list(&vec!["0-65536"; 20_000].join(",")), None);
        assert_eq!(cpu_list(&vec!["7"; 65_537].join(",")), None);
        let most = vec!["7"; 65_536].join(",");
        assert_eq!(cpu_list(&most).map(|v| v.len()), Some(65_536));
        assert_eq!(cpu_list("0-65535,0"), None);
    }

    #[test]
    fn octal_unescape() {
        assert_eq!(unescape_octal(r"/mnt/my\040disk"), "/mnt/my disk");
        assert_eq!(unescape_octal(r"a\011b\012c\134d"), "a\tb\nc\\d");
        assert_eq!(unescape_octal(r"trailing\04"), r"trailing\04");
        assert_eq!(unescape_octal(r"\999"), r"\999");
    }
}
