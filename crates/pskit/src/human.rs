//! psutil's `bytes2human` (from `psutil._common`, used by ten of its example
//! scripts).

/// A byte count in 1024 steps with one decimal and psutil's symbols
/// (`B K M G T P E Z Y`), exactly as psutil's `bytes2human(n)` prints it:
/// `10000` → `"9.8K"`, `100001221` → `"95.4M"`, and below 1024 the plain count
/// with one decimal (`100` → `"100.0B"`). Negative counts are scaled by their
/// size, as psutil's `abs(n)` does.
///
/// ```
/// assert_eq!(pskit::bytes2human(10_000u64), "9.8K");
/// assert_eq!(pskit::bytes2human(100_001_221u64), "95.4M");
/// assert_eq!(pskit::bytes2human(100u32), "100.0B");
/// assert_eq!(pskit::bytes2human(-2048i64), "-2.0K");
/// ```
pub fn bytes2human<N: Into<i128>>(n: N) -> String {
    const SYMBOLS: [char; 8] = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    let n: i128 = n.into();
    for (i, symbol) in SYMBOLS.iter().enumerate().rev() {
        let prefix: i128 = 1 << ((i + 1) * 10);
        if n.unsigned_abs() >= prefix.unsigned_abs() {
            return format!("{:.1}{symbol}", n as f64 / prefix as f64);
        }
    }
    format!("{:.1}B", n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psutil_examples_and_edges() {
        // psutil's own doctests and values checked against psutil 7.2.2.
        assert_eq!(bytes2human(0u8), "0.0B");
        assert_eq!(bytes2human(1023u32), "1023.0B");
        assert_eq!(bytes2human(1024u32), "1.0K");
        assert_eq!(bytes2human(10_000u64), "9.8K");
        assert_eq!(bytes2human(100_001_221u64), "95.4M");
        assert_eq!(bytes2human(u64::MAX), "16.0E");
        assert_eq!(bytes2human(1i128 << 80), "1.0Y");
        assert_eq!(bytes2human(-1i8), "-1.0B");
    }
}
