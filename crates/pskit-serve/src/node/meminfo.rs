//! `meminfo`: every /proc/meminfo field as `node_memory_<Field>[_bytes]`, as
//! node_exporter names them: kB values become bytes with a `_bytes` suffix,
//! unit-less counts (HugePages_Total) keep the bare name, and parentheses
//! become an underscore (`Active(anon)` → `node_memory_Active_anon_bytes`).

use std::collections::BTreeMap;

use crate::expo::Metrics;
use crate::Ctx;

/// The metric-name part of a meminfo key: `Active(anon)` → `Active_anon`
/// (node_exporter's `\((.*)\)` → `_$1`).
///
/// ```
/// assert_eq!(pskit_serve::node::meminfo::key_name("Active(anon)"), "Active_anon");
/// assert_eq!(pskit_serve::node::meminfo::key_name("MemFree"), "MemFree");
/// ```
pub fn key_name(key: &str) -> String {
    if let Some(i) = key.find('(') {
        if let Some(j) = key.rfind(')') {
            if j > i {
                return format!("{}_{}{}", &key[..i], &key[i + 1..j], &key[j + 1..]);
            }
        }
    }
    key.to_string()
}

fn valid_metric_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses /proc/meminfo into (name suffix, value): `MemFree:  10 kB` →
/// (`MemFree_bytes`, 10240). A later duplicate key wins. A key that would make
/// an invalid metric name is skipped; a bad number or a line with more than
/// a unit is an error.
///
/// ```
/// let m = pskit_serve::node::meminfo::parse("MemTotal: 2 kB\nHugePages_Total: 0\n").unwrap();
/// assert_eq!(m["MemTotal_bytes"], 2048.0);
/// assert_eq!(m["HugePages_Total"], 0.0);
/// assert!(pskit_serve::node::meminfo::parse("MemTotal: x kB\n").is_err());
/// ```
pub fn parse(text: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_ascii_whitespace().collect();
        if parts.is_empty() {
            continue;
        }
        let Some(raw) = parts.get(1) else {
            return Err(format!("invalid line in meminfo: {line:?}"));
        };
        let mut v: f64 = raw
            .parse()
            .map_err(|_| format!("invalid value in meminfo: {raw:?}"))?;
        // node_exporter drops the key's last character (the colon).
        let k = parts[0];
        let k = match k.char_indices().last() {
            Some((i, _)) => &k[..i],
            None => k,
        };
        let mut key = key_name(k);
        match parts.len() {
            2 => {}
            3 => {
                v *= 1024.0;
                key.push_str("_bytes");
            }
            _ => return Err(format!("invalid line in meminfo: {line:?}")),
        }
        if !valid_metric_name(&format!("node_memory_{key}")) {
            continue;
        }
        out.insert(key, v);
    }
    Ok(out)
}

/// Adds one gauge per /proc/meminfo field (a counter for a field whose name
/// ends in `_total`, as node_exporter does).
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::meminfo::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_memory_MemTotal_bytes"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let path = ctx.root.proc().join("meminfo");
    let fields = pskit::fs::with_text(&path, |t| {
        parse(t).map_err(|e| pskit::Error::parse(&path, e))
    })
    .map_err(|e| format!("couldn't get meminfo: {e}"))?;
    for (k, v) in fields {
        let name = format!("node_memory_{k}");
        let help = format!("Memory information field {k}.");
        if k.ends_with("_total") {
            m.counter(&name, &help).set(v);
        } else {
            m.gauge(&name, &help).set(v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "MemTotal:       24683568 kB\nMemFree:        18546040 kB\n\
Active(anon):       1564 kB\nInactive(file):  3424044 kB\nHugePages_Total:       0\n\
Hugepagesize:       2048 kB\nDirectMap1G:    25165824 kB\n";

    #[test]
    fn real_file() {
        let m = parse(REAL).unwrap();
        assert_eq!(m["MemTotal_bytes"], 24683568.0 * 1024.0);
        assert_eq!(m["Active_anon_bytes"], 1564.0 * 1024.0);
        assert_eq!(m["Inactive_file_bytes"], 3424044.0 * 1024.0);
        assert_eq!(m["HugePages_Total"], 0.0);
        assert_eq!(m.len(), 7);
    }

    #[test]
    fn names() {
        assert_eq!(key_name("a(b)(c)"), "a_b)(c");
        assert_eq!(key_name("a)b(c"), "a)b(c");
        assert_eq!(key_name("(x)"), "_x");
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        for cut in 0..REAL.len() {
            let _ = parse(&REAL[..cut]);
        }
        for bad in ["MemTotal:\n", "MemTotal: 1 kB extra\n", "A: 1e kB\n"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // Keys that cannot be metric names are skipped, multibyte keys too.
        let m = parse("Bad{key}: 1 kB\nÄö: 2\n:\u{e9} 1\nOk: 3\n").unwrap();
        // ":é" loses its last character as node_exporter drops the colon: ":".
        assert_eq!(m.keys().collect::<Vec<_>>(), vec![":", "Ok"]);
        assert_eq!(parse("\n\n").unwrap().len(), 0);
    }
}
