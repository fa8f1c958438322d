//! What the ports of psutil's scripts need from Python itself: `str(float)`,
//! `round(x, n)`, `shutil.get_terminal_size()` and `datetime.fromtimestamp`.
//! Shared by the examples through `#[path = "support/py.rs"] mod py;`.
#![allow(dead_code)]

/// Python's `str(x)` for a float: the shortest digits that read back as `x`,
/// always with a fraction (`10.0`), and Python's exponent form below 1e-4 and
/// from 1e16 up (`1e-05`, `1e+16`).
pub fn float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        // Rust's `{:e}` has the same shortest digits: `1e-5`, `1.5e16`.
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let s = format!("{x}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Python's `round(x, ndigits)`: the decimal value nearest to `x` (Rust's
/// fixed-precision formatting rounds the exact binary value, as CPython does).
pub fn round(x: f64, ndigits: usize) -> f64 {
    format!("{x:.ndigits$}").parse().unwrap_or(x)
}

/// `shutil.get_terminal_size()[0]`: `$COLUMNS` when it is a positive number, else
/// the width of the terminal on stdout, else 80.
pub fn terminal_columns() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    match rustix::termios::tcgetwinsize(std::io::stdout()) {
        Ok(ws) if ws.ws_col > 0 => usize::from(ws.ws_col),
        _ => 80,
    }
}

/// `datetime.fromtimestamp(t)` in the local time zone (None when out of range).
pub fn local_time(t: f64) -> Option<chrono::DateTime<chrono::Local>> {
    use chrono::TimeZone;
    if !t.is_finite() {
        return None;
    }
    let secs = t.floor();
    let nanos = ((t - secs) * 1e9).round().min(999_999_999.0) as u32;
    chrono::Local.timestamp_opt(secs as i64, nanos).single()
}

/// The first `n` characters of `s` (Python's `s[:n]`).
pub fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
