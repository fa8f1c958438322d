//! `/proc/net/dev`: the per-NIC counters behind `net_io_counters`.

use crate::error::{Error, Result};
use crate::linux::fs::with_text;
use crate::net::NetIoCounters;
use crate::nowrap::NoWrap;
use crate::root::Root;

/// psutil's "psutil.net_io_counters" nowrap table.
static NOWRAP: NoWrap<8> = NoWrap::new();

/// Parses `/proc/net/dev` into (name, [bytes_sent, bytes_recv, packets_sent,
/// packets_recv, errin, errout, dropin, dropout]) in file order.
///
/// psutil's rules: the two header lines are skipped; the name is the text before the
/// *last* `:`, trimmed; exactly 16 numbers follow (8 rx columns, then 8 tx).
pub(crate) fn parse_net_dev(text: &str) -> std::result::Result<Vec<(String, [u64; 8])>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(2) {
        if line.trim().is_empty() {
            continue;
        }
        let colon = line
            .rfind(':')
            .filter(|&c| c > 0)
            .ok_or_else(|| format!("line {}: no interface name: {line:?}", i + 1))?;
        let name = line[..colon].trim();
        let mut v = [0u64; 16];
        let mut n = 0;
        for tok in line[colon + 1..].split_ascii_whitespace() {
            if n == 16 {
                return Err(format!("line {}: more than 16 columns", i + 1));
            }
            v[n] = tok
                .parse()
                .map_err(|_| format!("line {}: bad number {tok:?}", i + 1))?;
            n += 1;
        }
        if n != 16 {
            return Err(format!("line {}: {n} columns, expected 16", i + 1));
        }
        // rx: bytes packets errs drop fifo frame compressed multicast
        // tx: bytes packets errs drop fifo colls carrier compressed
        out.push((
            name.to_string(),
            [v[8], v[0], v[9], v[1], v[2], v[10], v[3], v[11]],
        ));
    }
    Ok(out)
}

/// Reads `{proc}/net/dev`.
pub(crate) fn read_net_dev(root: &Root) -> Result<Vec<(String, [u64; 8])>> {
    let path = root.proc_path("net/dev");
    with_text(&path, |s| {
        parse_net_dev(s).map_err(|m| Error::parse(&path, m))
    })
}

/// The raw (or de-wrapped) per-NIC counters, in file order.
fn counters(root: &Root, nowrap: bool) -> Result<Vec<(String, [u64; 8])>> {
    let mut rows = read_net_dev(root)?;
    if nowrap {
        NOWRAP.apply(&mut rows);
    }
    Ok(rows)
}

pub(crate) fn net_io_counters(root: &Root, nowrap: bool) -> Result<Option<NetIoCounters>> {
    let rows = counters(root, nowrap)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut sum = [0u64; 8];
    for (_, v) in &rows {
        for (s, x) in sum.iter_mut().zip(v) {
            *s = s.wrapping_add(*x);
        }
    }
    Ok(Some(NetIoCounters::from_array(sum)))
}

pub(crate) fn net_io_counters_pernic(
    root: &Root,
    nowrap: bool,
) -> Result<indexmap::IndexMap<String, NetIoCounters>> {
    Ok(counters(root, nowrap)?
        .into_iter()
        .map(|(n, v)| (n, NetIoCounters::from_array(v)))
        .collect())
}

pub(crate) fn cache_clear() {
    NOWRAP.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 23775460    1113    1    2    0     0          0         0    91117     768    3    4    0     0       0          0
";

    #[test]
    fn columns_map_to_psutil_fields() {
        let rows = parse_net_dev(DEV).unwrap();
        assert_eq!(rows[0], ("lo".into(), [3193, 3193, 29, 29, 0, 0, 0, 0]));
        assert_eq!(
            rows[1],
            ("eth0".into(), [91117, 23775460, 768, 1113, 1, 3, 2, 4])
        );
    }

    #[test]
    fn name_is_text_before_last_colon() {
        let text = "h\nh\n  eth0:1:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
        let rows = parse_net_dev(text).unwrap();
        assert_eq!(rows[0].0, "eth0:1");
        assert_eq!(rows[0].1, [9, 1, 10, 2, 3, 11, 4, 12]);
    }

    #[test]
    fn empty_and_header_only_give_no_rows() {
        assert!(parse_net_dev("").unwrap().is_empty());
        assert!(parse_net_dev("a\nb\n").unwrap().is_empty());
    }

    #[test]
    fn truncated_or_garbage_is_an_error() {
        assert!(parse_net_dev("a\nb\n lo: 1 2 3\n").is_err());
        assert!(parse_net_dev("a\nb\n lo 1 2 3\n").is_err());
        assert!(parse_net_dev("a\nb\n:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n").is_err());
        assert!(parse_net_dev("a\nb\n lo: x 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n").is_err());
        assert!(parse_net_dev("a\nb\n lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n").is_err());
    }
}
