//! The command line's number parsers (and the other pure argument parsers:
//! signal names, killall's TIME, lsof's pid and fd lists), in one
//! dependency-free module so that the fuzz targets can include it as it is
//! (`fuzz/fuzz_targets/cli_numbers.rs`).
//! Every number a user types is checked here before it becomes a `Duration`, an
//! index or a size: an error, never a panic or an unbounded allocation.

use std::time::Duration;

/// psutil's `RLIM_INFINITY` (-1): "unlimited".
pub const RLIM_INFINITY: i64 = -1;

/// The most CPUs a mask or list may name (the kernel's `CONFIG_NR_CPUS` maximum
/// is 8192; glibc's `cpu_set_t` holds 1024).
pub const MAX_CPUS: u32 = 8192;

/// A number of seconds typed by the user (`-s 1.5`, an iostat interval, a delay):
/// finite, not negative, positive unless `allow_zero`, and small enough to be a
/// `Duration` (`1e300` is refused, not a panic).
pub fn seconds(v: f64, allow_zero: bool) -> Result<Duration, String> {
    if !v.is_finite() || v < 0.0 || (v == 0.0 && !allow_zero) {
        return Err(format!("`{v}' is not a positive number of seconds"));
    }
    Duration::try_from_secs_f64(v).map_err(|_| format!("`{v}' seconds is too long"))
}

/// Parses a hex mask (`0x3`, `3`) into CPU numbers.
pub fn parse_mask(s: &str) -> Option<Vec<u32>> {
    let hex = s
        .trim()
        .trim_start_matches("0x")
        .trim_start_matches("0X")
        .replace(',', "");
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    // Leading zeros name no CPU; more digits than MAX_CPUS / 4 name CPUs that
    // cannot exist.
    let hex = hex.trim_start_matches('0');
    if hex.len() > (MAX_CPUS / 4) as usize {
        return None;
    }
    let mut cpus = Vec::new();
    for (i, c) in hex.chars().rev().enumerate() {
        let d = c.to_digit(16)?;
        for bit in 0..4 {
            if d & (1 << bit) != 0 {
                cpus.push(i as u32 * 4 + bit);
            }
        }
    }
    Some(cpus)
}

/// A kernel-style CPU list (`0-3,8`); `None` when malformed or when it names a
/// CPU at or past [`MAX_CPUS`]. Sorted, without duplicates, so a list can never
/// be longer than `MAX_CPUS` whatever is typed (`0-8191,0-8191,…`).
pub fn cpu_list(s: &str) -> Option<Vec<u32>> {
    let mut seen = vec![false; MAX_CPUS as usize];
    for part in s.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let a = part.trim().parse::<u32>().ok()?;
                (a, a)
            }
        };
        if b < a || b >= MAX_CPUS {
            return None;
        }
        for c in a..=b {
            seen[c as usize] = true;
        }
    }
    Some((0..MAX_CPUS).filter(|&c| seen[c as usize]).collect())
}

/// Parses a df block size: `1024`, `K`, `4K`, `1KiB` (powers of 1024), `kB`, `MB`
/// (powers of 1000).
pub fn parse_block_size(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (num, unit) = s.split_at(digits);
    let num: u64 = if num.is_empty() { 1 } else { num.parse().ok()? };
    let mut chars = unit.chars();
    let scale = match chars.next() {
        None => 1,
        Some(c) => {
            let power = "KMGTPEZY".find(c.to_ascii_uppercase())? as u32 + 1;
            let base: u64 = match chars.as_str() {
                "" | "iB" => 1024,
                "B" => 1000,
                _ => return None,
            };
            base.checked_pow(power)?
        }
    };
    num.checked_mul(scale).filter(|&n| n > 0)
}

fn parse_one(s: &str) -> Option<i64> {
    match s {
        "unlimited" | "infinity" | "-1" => Some(RLIM_INFINITY),
        s => s.parse::<i64>().ok().filter(|v| *v >= 0),
    }
}

/// Parses `SOFT:HARD`, `SOFT:`, `:HARD` or `VALUE` against the current limits.
pub fn parse_limits(s: &str, current: (i64, i64)) -> Option<(i64, i64)> {
    match s.split_once(':') {
        None => parse_one(s).map(|v| (v, v)),
        Some(("", "")) => None,
        Some(("", h)) => Some((current.0, parse_one(h)?)),
        Some((soft, "")) => Some((parse_one(soft)?, current.1)),
        Some((soft, h)) => Some((parse_one(soft)?, parse_one(h)?)),
    }
}

// ps (procps): pid lists and counts.
/// A decimal count in `min..=max` (column widths, pids, `--cols`): digits only,
/// so huge, negative, fractional or exponent values are refused.
pub fn decimal(s: &str, min: u64, max: u64) -> Result<u64, ()> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    s.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or(())
}

pub fn list_of(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// A pid list as procps checks it: digits only ("syntax error"), 1 to
/// 2^31 - 1 ("out of range").
pub fn pid_list(s: &str) -> Result<Vec<u32>, String> {
    list_of(s)
        .iter()
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("process ID list syntax error".to_string());
            }
            decimal(p, 1, i32::MAX as u64)
                .map(|n| n as u32)
                .map_err(|_| "process ID out of range".to_string())
        })
        .collect()
}

// free (procps): -s and -c.
/// procps free's checks of `-s`: digits with an optional fraction (no sign
/// but `-`, no exponent, no nan/inf), and at least a microsecond.
pub fn free_seconds(s: &str) -> Result<Duration, String> {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(format!("seconds argument failed: '{s}': Invalid argument"));
    }
    let v: f64 = format!("0{int}.{frac}0").parse().unwrap_or(0.0);
    let v = if neg { -v } else { v };
    if v * 1e6 < 1.0 {
        return Err(format!("seconds argument `{s}' is not positive number"));
    }
    Duration::try_from_secs_f64(v)
        .map_err(|_| format!("seconds argument failed: '{s}': Numerical result out of range"))
}

/// procps free's checks of `-c`: a decimal from 1 up.
pub fn free_count(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let number = !t.is_empty()
        && t.strip_prefix(['-', '+'])
            .unwrap_or(t)
            .bytes()
            .all(|b| b.is_ascii_digit())
        && t != "-"
        && t != "+";
    if !number {
        return Err(format!("failed to parse count argument: '{s}'"));
    }
    match t.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n as u64),
        _ => Err(format!(
            "failed to parse count argument: '{s}': Numerical result out of range"
        )),
    }
}

// iostat (sysstat): an all-digits interval or count.
/// `atol` of an all-digits word: glibc saturates at LONG_MAX.
pub fn atol(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    s.parse().unwrap_or(i64::MAX)
}

// C's strtol(3) in base 10, as the C tools read their numbers.
/// Why a [`strtol`] failed, as the C tools tell it apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrtolError {
    /// No digits where the number should be (strtol consumed nothing).
    NoDigits,
    /// Digits, then something else (`*end != '\0'`).
    Trailing,
    /// More than a `long` holds (`ERANGE`).
    Range,
}

/// The white space strtol(3) skips before a number (isspace in the C locale).
fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// strtol(3) in base 10 on the start of `s`: leading white space and one sign,
/// then decimal digits. The value and the rest of `s` after the digits; a value
/// past `i64` is [`StrtolError::Range`] (strtol's saturated value is never used).
pub fn strtol_prefix(s: &str) -> Result<(i64, &str), StrtolError> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && c_space(b[i]) {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    let mut overflow = false;
    while i < b.len() && b[i].is_ascii_digit() {
        let d = i64::from(b[i] - b'0');
        // Accumulated negatively so that i64::MIN itself fits.
        match v.checked_mul(10).and_then(|x| x.checked_sub(d)) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return Err(StrtolError::NoDigits);
    }
    if overflow {
        return Err(StrtolError::Range);
    }
    let v = if neg {
        v
    } else {
        v.checked_neg().ok_or(StrtolError::Range)?
    };
    Ok((v, &s[i..]))
}

/// A whole word as procps's `strtol_or_err` reads it: strtol(3) in base 10 with
/// nothing after the digits (`7x`, `1.5`, `0x10` and the empty word are
/// refused, `" 7"` and `+7` accepted).
pub fn strtol_whole(s: &str) -> Result<i64, StrtolError> {
    let (v, rest) = strtol_prefix(s)?;
    if rest.is_empty() {
        Ok(v)
    } else {
        Err(StrtolError::Trailing)
    }
}

// kill: pid operands.
/// A `kill` pid or `-PGID` operand: digits with an optional `-`, that fit in a
/// pid_t, never 0 through overflow (procps's strtol cast makes `kill
/// 4294967296` signal its own group; this refuses it).
pub fn kill_target(t: &str) -> Option<i32> {
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i32>().ok()
}

// psmisc killall: -y/--younger-than and -o/--older-than.
/// psmisc killall's TIME (`-y`, `-o`): an integer as strtol(3) reads it, then
/// a unit of which only the first character counts: `s`, `m`, `h`, `d`, `w`,
/// `M` (4 weeks) or `y` (48 weeks). The seconds, or `None` ("Invalid time
/// format") when there are no digits, no unit, an unknown unit, the result is
/// not positive, or it does not fit in an `i64` (where psmisc's arithmetic
/// would overflow, this is an error rather than a wrapped value). psmisc reads
/// only the first 63 bytes of the argument; so does this.
pub fn killall_time(s: &str) -> Option<i64> {
    let mut end = s.len().min(63);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let (n, rest) = strtol_prefix(&s[..end]).ok()?;
    let scale: i64 = match rest.as_bytes().first()? {
        b's' => 1,
        b'm' => 60,
        b'h' => 60 * 60,
        b'd' => 60 * 60 * 24,
        b'w' => 60 * 60 * 24 * 7,
        b'M' => 60 * 60 * 24 * 7 * 4,
        b'y' => 60 * 60 * 24 * 7 * 4 * 12,
        _ => return None,
    };
    n.checked_mul(scale).filter(|&v| v > 0)
}

// Signals (kill, killall, top): names and numbers against a table.
/// The real-time range as the kernel numbers it (glibc reserves the first two
/// for itself and reports SIGRTMIN as 34; `kill -l` uses the kernel's 34..=64).
pub const SIG_RTMIN: i32 = 34;
/// The last real-time signal.
pub const SIG_RTMAX: i32 = 64;

/// Parses a signal given as a number (`9`), a name (`KILL`, `SIGKILL`, `kill`)
/// looked up in `table` (names without `SIG`), or a real-time offset
/// (`RTMIN+3`, `RTMAX-1`). `None` when it is not a signal from 0 to
/// [`SIG_RTMAX`].
pub fn signal_number(text: &str, table: &[(&str, i32)]) -> Option<i32> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i32>() {
        return (0..=SIG_RTMAX).contains(&n).then_some(n);
    }
    let upper = t.to_ascii_uppercase();
    let name = match upper.strip_prefix("SIG").unwrap_or(&upper) {
        // Other names of the same signals.
        "IO" => "POLL",
        "IOT" => "ABRT",
        "CLD" => "CHLD",
        n => n,
    };
    if let Some(&(_, n)) = table.iter().find(|(s, _)| *s == name) {
        return Some(n);
    }
    let (base, rest) = if let Some(r) = name.strip_prefix("RTMIN") {
        (SIG_RTMIN, r)
    } else if let Some(r) = name.strip_prefix("RTMAX") {
        (SIG_RTMAX, r)
    } else {
        return None;
    };
    let offset = |r: &str| -> Option<i32> {
        // Digits only (no second sign), and small: `RTMIN+99999999999` is None.
        if r.is_empty() || !r.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        r.parse::<i32>().ok()
    };
    let n = match rest.as_bytes().first() {
        None => base,
        Some(b'+') => base.checked_add(offset(&rest[1..])?)?,
        Some(b'-') => base.checked_sub(offset(&rest[1..])?)?,
        _ => return None,
    };
    (SIG_RTMIN..=SIG_RTMAX).contains(&n).then_some(n)
}

// lsof: -p pid lists and -d fd lists.
/// lsof's `-p` list: comma-separated pids from 1 to 2^31 - 1 (an empty item is
/// skipped); anything else is `illegal process ID: LIST`, naming the whole
/// value as lsof 4.95 does.
pub fn lsof_pids(value: &str) -> Result<Vec<u32>, String> {
    let bad = || format!("illegal process ID: {value}");
    let mut pids = Vec::new();
    for p in value.split(',').filter(|p| !p.is_empty()) {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match decimal(p, 1, i32::MAX as u64) {
            Ok(n) => pids.push(n as u32),
            Err(()) => return Err(bad()),
        }
    }
    Ok(pids)
}

/// lsof's `-d` list, over every `-d` given: all inclusions or all exclusions
/// (`^`), each a descriptor number, a range `LO-HI` (LO < HI), or a name
/// (`cwd`, `txt`, `mem`, … compared as typed).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FdFilter {
    /// The list excludes (every item began with `^`).
    pub exclude: bool,
    /// Numbers and ranges, inclusive; a single number is `(n, n)`.
    pub ranges: Vec<(u64, u64)>,
    /// Names.
    pub names: Vec<String>,
}

impl FdFilter {
    /// Whether a row whose FD column (without its mode) is `fd` is listed.
    pub fn allows(&self, fd: &str) -> bool {
        let hit = if !fd.is_empty() && fd.bytes().all(|b| b.is_ascii_digit()) {
            let n = fd.parse::<u64>().unwrap_or(u64::MAX);
            self.ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&n))
        } else {
            self.names.iter().any(|n| n == fd)
        };
        hit != self.exclude
    }

    /// Whether nothing has been entered yet (the kind is still open).
    fn is_empty(&self) -> bool {
        self.ranges.is_empty() && self.names.is_empty()
    }
}

/// Digits as a descriptor number: past `u64` (and so past any descriptor) it
/// saturates, where lsof's int wraps around.
fn fd_digits(d: &str) -> u64 {
    d.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    })
}

/// Enters one `-d` value into `filter` as lsof 4.95 does, or its message
/// (without the `lsof: ` prefix): `no file descriptor specified`, `illegal FD
/// range for -d: -1`, `non-digit in -d FD range: 1-2-3`, `-d FD range's low >=
/// its high: 5-3`, `exclude in an include -d list: ^2`, `include in an exclude
/// -d list: 2`.
pub fn lsof_fd_list(value: &str, filter: &mut Option<FdFilter>) -> Result<(), String> {
    if value.is_empty() {
        return Err("no file descriptor specified".into());
    }
    for item in value.split(',') {
        let (exclude, body) = match item.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        if body.is_empty() {
            continue;
        }
        let range = match body.rfind('-') {
            Some(0) => return Err(format!("illegal FD range for -d: {body}")),
            Some(dash) => {
                let (lo, hi) = (&body[..dash], &body[dash + 1..]);
                let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
                if !digits(lo) || !digits(hi) {
                    return Err(format!("non-digit in -d FD range: {body}"));
                }
                let (lo, hi) = (fd_digits(lo), fd_digits(hi));
                if lo >= hi {
                    return Err(format!("-d FD range's low >= its high: {body}"));
                }
                Some((lo, hi))
            }
            None => None,
        };
        let f = filter.get_or_insert_with(FdFilter::default);
        if f.is_empty() {
            f.exclude = exclude;
        } else if f.exclude != exclude {
            return Err(if exclude {
                format!("exclude in an include -d list: {item}")
            } else {
                format!("include in an exclude -d list: {item}")
            });
        }
        match range {
            Some(r) => f.ranges.push(r),
            None if body.bytes().all(|b| b.is_ascii_digit()) => {
                let n = fd_digits(body);
                f.ranges.push((n, n));
            }
            None => f.names.push(body.to_string()),
        }
    }
    Ok(())
}

/// The fuzz target of this module (`fuzz/fuzz_targets/cli_numbers.rs`, and the
/// stable test below): every parser on `data` as text, with the invariants that
/// make the results safe to use.
#[allow(dead_code)] // used by the fuzz harness and the tests, not by the binary
pub fn fuzz_one(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(v) = s.trim().parse::<f64>() {
        for zero in [false, true] {
            if let Ok(d) = seconds(v, zero) {
                assert!(v >= 0.0 && v.is_finite());
                assert!(d.as_secs_f64() <= v * 1.000_001 + 1e-9);
            }
        }
    }
    for cpus in [parse_mask(&s), cpu_list(&s)].into_iter().flatten() {
        assert!(cpus.len() <= MAX_CPUS as usize);
        assert!(cpus.iter().all(|&c| c < MAX_CPUS));
    }
    if let Some(n) = parse_block_size(&s) {
        assert!(n > 0);
    }
    if let Some((soft, hard)) = parse_limits(&s, (7, 9)) {
        assert!(soft >= -1 && hard >= -1);
    }
    if let Ok(n) = decimal(&s, 1, 4096) {
        assert!((1..=4096).contains(&n));
    }
    if let Ok(pids) = pid_list(&s) {
        assert!(pids.iter().all(|&p| p >= 1 && p <= i32::MAX as u32));
    }
    if let Ok(d) = free_seconds(&s) {
        assert!(d.as_secs_f64() >= 1e-6);
    }
    if let Ok(c) = free_count(&s) {
        assert!(c >= 1);
    }
    let _ = atol(s.trim());
    // Signals against Linux's generic numbering (x86, ARM): 0..=64 or nothing.
    const TABLE: &[(&str, i32)] = &[("HUP", 1), ("KILL", 9), ("TERM", 15), ("POLL", 29)];
    if let Some(n) = signal_number(&s, TABLE) {
        assert!((0..=SIG_RTMAX).contains(&n));
    }
    if let Some(t) = killall_time(&s) {
        assert!(t > 0);
    }
    if let Some(t) = kill_target(&s) {
        assert!(s.starts_with('-') == (t < 0) || t == 0);
    }
    if let Ok(pids) = lsof_pids(&s) {
        assert!(pids.iter().all(|&p| p >= 1 && p <= i32::MAX as u32));
    }
    let mut filter = None;
    if lsof_fd_list(&s, &mut filter).is_ok() {
        if let Some(f) = &filter {
            assert!(f.ranges.iter().all(|&(lo, hi)| lo <= hi));
            let _ = f.allows("3");
            let _ = f.allows("cwd");
        }
    }
    match strtol_prefix(&s) {
        Ok((_, rest)) => assert!(rest.len() < s.len()),
        Err(_) => assert!(strtol_whole(&s).is_err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz target's seeds, every truncation of them, and 20,000 seeded
    /// mutations (a stable-toolchain pass over what `fuzz/smoke.sh` fuzzes).
    #[test]
    fn fuzz_target_on_seeds_and_mutations() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/cli_numbers");
        let seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .expect("fuzz/corpus/cli_numbers")
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        assert!(seeds.len() >= 10, "seeds missing");
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for seed in &seeds {
            for n in 0..=seed.len() {
                fuzz_one(&seed[..n]);
            }
        }
        let alphabet = b"0123456789abcdefxX-.:,eE+KMGTPiBunlimited ";
        for i in 0..20_000 {
            let mut v = seeds[i % seeds.len()].clone();
            for _ in 0..(next() % 4 + 1) {
                let pos = (next() as usize) % (v.len() + 1);
                let byte = alphabet[(next() as usize) % alphabet.len()];
                match next() % 3 {
                    0 if pos < v.len() => v[pos] = byte,
                    1 if pos < v.len() => {
                        v.remove(pos);
                    }
                    _ => v.insert(pos, byte),
                }
            }
            fuzz_one(&v);
        }
    }

    #[test]
    fn seconds_are_checked_before_becoming_durations() {
        assert_eq!(seconds(1.5, false), Ok(Duration::from_millis(1500)));
        assert_eq!(seconds(0.0, true), Ok(Duration::ZERO));
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e300,
            99999999999999999999.0,
        ] {
            assert!(seconds(bad, false).is_err(), "{bad}");
        }
        assert!(seconds(-0.5, true).is_err());
    }

    #[test]
    fn cpu_numbers_are_bounded() {
        assert_eq!(cpu_list("0-3,8,2"), Some(vec![0, 1, 2, 3, 8]));
        assert_eq!(cpu_list("8192"), None);
        assert_eq!(cpu_list("0-4294967295"), None);
        assert_eq!(cpu_list(&"0-8191,".repeat(1000)), None, "trailing comma");
        assert_eq!(
            cpu_list(&["0-8191"; 1000].join(",")).map(|v| v.len()),
            Some(8192)
        );
        assert_eq!(parse_mask("0x0000000001"), Some(vec![0]));
        assert_eq!(parse_mask("0"), Some(vec![]));
        assert_eq!(parse_mask(&"f".repeat(3000)), None);
        assert_eq!(parse_mask(&"f".repeat(2048)).map(|v| v.len()), Some(8192));
    }

    #[test]
    fn sizes_and_limits_never_overflow() {
        assert_eq!(parse_block_size("99999999999Y"), None);
        assert_eq!(parse_block_size("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_block_size("18446744073709551616"), None);
        assert_eq!(parse_limits("9223372036854775808", (1, 2)), None);
        assert_eq!(parse_limits("-2", (1, 2)), None);
    }

    #[test]
    fn strtol_as_c_reads_it() {
        assert_eq!(strtol_whole(" +7"), Ok(7));
        assert_eq!(strtol_whole("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(strtol_whole("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(strtol_whole("9223372036854775808"), Err(StrtolError::Range));
        assert_eq!(
            strtol_whole("-9223372036854775809"),
            Err(StrtolError::Range)
        );
        assert_eq!(strtol_whole(&"9".repeat(500)), Err(StrtolError::Range));
        for bad in ["", " ", "-", "+", "x", "nan", "inf", "--1", "+-1"] {
            assert_eq!(strtol_whole(bad), Err(StrtolError::NoDigits), "{bad:?}");
        }
        for bad in ["1.5", "1e3", "0x10", "7x", "5 ", "1,2"] {
            assert_eq!(strtol_whole(bad), Err(StrtolError::Trailing), "{bad:?}");
        }
        assert_eq!(strtol_prefix("12ab"), Ok((12, "ab")));
    }

    #[test]
    fn killall_times() {
        assert_eq!(killall_time("5s"), Some(5));
        assert_eq!(killall_time("2m"), Some(120));
        assert_eq!(killall_time("1h"), Some(3600));
        assert_eq!(killall_time("1d"), Some(86400));
        assert_eq!(killall_time("1w"), Some(604_800));
        assert_eq!(killall_time("1M"), Some(2_419_200));
        assert_eq!(killall_time("1y"), Some(29_030_400));
        assert_eq!(
            killall_time(" +3sx"),
            Some(3),
            "strtol's blanks, sign; unit's first letter"
        );
        assert_eq!(killall_time("9223372036854775807s"), Some(i64::MAX));
        for bad in [
            "",
            "s",
            "5",
            "1.5m",
            "0s",
            "-5s",
            "-0s",
            "nan",
            "NaNs",
            "infs",
            "1e3s",
            "0x10s",
            "5q",
            "5 s",
            "9223372036854775807y",
            "9223372036854775808s",
            "-9223372036854775808y",
            "99999999999999999999999999s",
        ] {
            assert_eq!(killall_time(bad), None, "{bad:?}");
        }
        // Only the first 63 bytes are read: the unit falls off.
        assert_eq!(killall_time(&format!("{}1s", " ".repeat(62))), None);
        assert_eq!(killall_time(&format!("{}1s", " ".repeat(61))), Some(1));
        assert_eq!(killall_time(&"é".repeat(40)), None);
    }

    #[test]
    fn signals_against_a_table() {
        let t: &[(&str, i32)] = &[("HUP", 1), ("KILL", 9), ("POLL", 29)];
        assert_eq!(signal_number("9", t), Some(9));
        assert_eq!(signal_number("sigkill", t), Some(9));
        assert_eq!(signal_number("IO", t), Some(29));
        assert_eq!(signal_number("RTMIN+30", t), Some(64));
        assert_eq!(signal_number("RTMAX-30", t), Some(34));
        for bad in [
            "",
            "-1",
            "65",
            "99999999999999999999",
            "1e1",
            "1.0",
            "NaN",
            "RTMIN+31",
            "RTMAX-31",
            "RTMIN+",
            "RTMIN+-1",
            "RTMIN++1",
            "RTMIN+99999999999",
            "RTMAX-2147483648",
            "SIG",
            "NOPE",
        ] {
            assert_eq!(signal_number(bad, t), None, "{bad:?}");
        }
    }

    #[test]
    fn lsof_lists() {
        let fd = |v: &str| {
            let mut f = None;
            lsof_fd_list(v, &mut f).map(|()| f)
        };
        let f = fd("cwd,3,5-7").unwrap().unwrap();
        assert!(!f.exclude);
        assert!(f.allows("cwd") && f.allows("3") && f.allows("6") && !f.allows("4"));
        assert!(!f.allows("txt") && !f.allows("8"));
        let f = fd("^mem,^0-2").unwrap().unwrap();
        assert!(f.exclude && !f.allows("mem") && !f.allows("1") && f.allows("3"));
        assert_eq!(fd("^").unwrap(), None);
        assert_eq!(fd(",,").unwrap(), None);
        let huge = fd("99999999999999999999999").unwrap().unwrap();
        assert_eq!(huge.ranges, [(u64::MAX, u64::MAX)]);
        assert!(!huge.allows("3"));
        assert_eq!(fd("").unwrap_err(), "no file descriptor specified");
        assert_eq!(fd("-1").unwrap_err(), "illegal FD range for -d: -1");
        assert_eq!(fd("5-3").unwrap_err(), "-d FD range's low >= its high: 5-3");
        assert_eq!(fd("3-").unwrap_err(), "-d FD range's low >= its high: 3-");
        assert_eq!(fd("3-3").unwrap_err(), "-d FD range's low >= its high: 3-3");
        assert_eq!(fd("1-2-3").unwrap_err(), "non-digit in -d FD range: 1-2-3");
        assert_eq!(fd("1e3-5").unwrap_err(), "non-digit in -d FD range: 1e3-5");
        assert_eq!(fd("1,^2").unwrap_err(), "exclude in an include -d list: ^2");
        assert_eq!(fd("^1,2").unwrap_err(), "include in an exclude -d list: 2");
        let mut f = None;
        lsof_fd_list("^1", &mut f).unwrap();
        assert!(lsof_fd_list("2", &mut f).is_err(), "across -d options");
        assert_eq!(lsof_pids("1,,22"), Ok(vec![1, 22]));
        for bad in [
            "x",
            "1,x",
            "0",
            "-1",
            "2147483648",
            "99999999999999999999",
            "1e3",
            " 1",
        ] {
            assert_eq!(
                lsof_pids(bad),
                Err(format!("illegal process ID: {bad}")),
                "{bad}"
            );
        }
    }
}
