//! `netdev`: node_network_{receive,transmit}_*_total per network device,
//! with node_exporter 1.5's names, help texts and flags.
//!
//! node_exporter 1.5 reads the counters over rtnetlink by default
//! (`--collector.netdev.netlink`) and folds the detailed error counters
//! into /proc/net/dev's columns, which is exactly what the kernel prints in
//! /proc/net/dev: so pskit reads /proc/net/dev (under `--path.procfs`),
//! plus the one counter netlink adds, `rx_nohandler`, from
//! `/sys/class/net/<dev>/statistics` (under `--path.sysfs`). With
//! `--collector.netdev.netlink=false` the counters are /proc/net/dev's
//! alone, as node_exporter's procfs path. node_exporter's boolean flags are
//! given here as `--collector.netdev.netlink=false`,
//! `--collector.netdev.address-info=true`, …

use std::collections::HashMap;

use crate::expo::Metrics;
use crate::node::devfilter::{self, DeviceFilter};
use crate::{Ctx, Opt};

/// The collector's flags, with node_exporter 1.5's defaults
/// (`device-whitelist` and `device-blacklist` are its deprecated aliases).
///
/// ```
/// let o = pskit_serve::node::netdev::OPTIONS;
/// assert!(o.iter().any(|o| o.flag == "collector.netdev.netlink" && o.default == "true"));
/// ```
pub const OPTIONS: &[Opt] = &[
    Opt {
        flag: "collector.netdev.device-include",
        default: "",
        help: "Regexp of net devices to include (mutually exclusive to device-exclude)",
    },
    Opt {
        flag: "collector.netdev.device-whitelist",
        default: "",
        help: "DEPRECATED: Use collector.netdev.device-include",
    },
    Opt {
        flag: "collector.netdev.device-exclude",
        default: "",
        help: "Regexp of net devices to exclude (mutually exclusive to device-include)",
    },
    Opt {
        flag: "collector.netdev.device-blacklist",
        default: "",
        help: "DEPRECATED: Use collector.netdev.device-exclude",
    },
    Opt {
        flag: "collector.netdev.address-info",
        default: "false",
        help: "Collect address-info for every device (true or false)",
    },
    Opt {
        flag: "collector.netdev.enable-detailed-metrics",
        default: "false",
        help: "Use (incompatible) metric names that provide more detailed stats on Linux (true or false)",
    },
    Opt {
        flag: "collector.netdev.netlink",
        default: "true",
        help: "Use netlink's counters (with receive_nohandler) rather than /proc/net/dev's alone (true or false)",
    },
];

/// The 16 columns of /proc/net/dev, named as node_exporter's procfs path
/// names them.
pub const PROC_COLUMNS: [&str; 16] = [
    "receive_bytes",
    "receive_packets",
    "receive_errors",
    "receive_dropped",
    "receive_fifo",
    "receive_frame",
    "receive_compressed",
    "receive_multicast",
    "transmit_bytes",
    "transmit_packets",
    "transmit_errors",
    "transmit_dropped",
    "transmit_fifo",
    "transmit_colls",
    "transmit_carrier",
    "transmit_compressed",
];

/// The counters of rtnetlink's `rtnl_link_stats64` that node_exporter's
/// detailed netlink names use, and the `/sys/class/net/<dev>/statistics`
/// file that holds each.
const NETLINK_STATS: [(&str, &str); 24] = [
    ("receive_packets", "rx_packets"),
    ("transmit_packets", "tx_packets"),
    ("receive_bytes", "rx_bytes"),
    ("transmit_bytes", "tx_bytes"),
    ("receive_errors", "rx_errors"),
    ("transmit_errors", "tx_errors"),
    ("receive_dropped", "rx_dropped"),
    ("transmit_dropped", "tx_dropped"),
    ("multicast", "multicast"),
    ("collisions", "collisions"),
    ("receive_length_errors", "rx_length_errors"),
    ("receive_over_errors", "rx_over_errors"),
    ("receive_crc_errors", "rx_crc_errors"),
    ("receive_frame_errors", "rx_frame_errors"),
    ("receive_fifo_errors", "rx_fifo_errors"),
    ("receive_missed_errors", "rx_missed_errors"),
    ("transmit_aborted_errors", "tx_aborted_errors"),
    ("transmit_carrier_errors", "tx_carrier_errors"),
    ("transmit_fifo_errors", "tx_fifo_errors"),
    ("transmit_heartbeat_errors", "tx_heartbeat_errors"),
    ("transmit_window_errors", "tx_window_errors"),
    ("receive_compressed", "rx_compressed"),
    ("transmit_compressed", "tx_compressed"),
    ("receive_nohandler", "rx_nohandler"),
];

/// Parses /proc/net/dev as node_exporter's procfs 0.8 does: the two header
/// lines skipped, the name before a line's last `:`, then 16 unsigned
/// decimal counters. A later line for the same name replaces an earlier
/// one; a line without a colon, with an empty name, fewer than 16 fields
/// (node_exporter panics there) or a bad number is an error.
///
/// ```
/// let t = "h1\nh2\n  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
/// let d = pskit_serve::node::netdev::parse(t).unwrap();
/// assert_eq!(d[0].0, "lo");
/// assert_eq!(d[0].1[15], 16);
/// ```
pub fn parse(text: &str) -> Result<Vec<(String, [u64; 16])>, String> {
    let mut out: Vec<(String, [u64; 16])> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for line in text.lines().skip(2) {
        let Some(i) = line.rfind(':') else {
            return Err(format!("invalid net/dev line, missing colon: {line:?}"));
        };
        let name = line[..i].trim();
        if name.is_empty() {
            return Err(format!(
                "invalid net/dev line, empty interface name: {line:?}"
            ));
        }
        let fields: Vec<&str> = line[i + 1..].split_whitespace().collect();
        if fields.len() < 16 {
            return Err(format!(
                "invalid net/dev line, {} fields where 16 were expected: {line:?}",
                fields.len()
            ));
        }
        let mut v = [0u64; 16];
        for (slot, f) in v.iter_mut().zip(&fields) {
            *slot = f
                .strip_prefix('+')
                .map_or_else(|| f.parse::<u64>().ok(), |_| None)
                .ok_or_else(|| format!("invalid net/dev counter {f:?} in line {line:?}"))?;
        }
        match index.get(name) {
            Some(&j) => out[j].1 = v,
            None => {
                index.insert(name.to_string(), out.len());
                out.push((name.to_string(), v));
            }
        }
    }
    Ok(out)
}

/// node_exporter's `legacy()`: the detailed names folded into
/// /proc/net/dev's, as the kernel folds them there.
///
/// ```
/// let mut s = std::collections::HashMap::from([
///     ("receive_dropped".to_string(), 1u64),
///     ("receive_missed_errors".to_string(), 2),
/// ]);
/// pskit_serve::node::netdev::legacy(&mut s);
/// assert_eq!(s["receive_drop"], 3);
/// assert_eq!(s.len(), 1);
/// ```
pub fn legacy(m: &mut HashMap<String, u64>) {
    let popz = |m: &mut HashMap<String, u64>, k: &str| m.remove(k).unwrap_or(0);
    if let Some(v) = m.remove("receive_errors") {
        m.insert("receive_errs".into(), v);
    }
    if let Some(v) = m.remove("receive_dropped") {
        let x = v.wrapping_add(popz(m, "receive_missed_errors"));
        m.insert("receive_drop".into(), x);
    }
    if let Some(v) = m.remove("receive_fifo_errors") {
        m.insert("receive_fifo".into(), v);
    }
    if let Some(v) = m.remove("receive_frame_errors") {
        let x = v
            .wrapping_add(popz(m, "receive_length_errors"))
            .wrapping_add(popz(m, "receive_over_errors"))
            .wrapping_add(popz(m, "receive_crc_errors"));
        m.insert("receive_frame".into(), x);
    }
    if let Some(v) = m.remove("multicast") {
        m.insert("receive_multicast".into(), v);
    }
    if let Some(v) = m.remove("transmit_errors") {
        m.insert("transmit_errs".into(), v);
    }
    if let Some(v) = m.remove("transmit_dropped") {
        m.insert("transmit_drop".into(), v);
    }
    if let Some(v) = m.remove("transmit_fifo_errors") {
        m.insert("transmit_fifo".into(), v);
    }
    if let Some(v) = m.remove("collisions") {
        m.insert("transmit_colls".into(), v);
    }
    if let Some(v) = m.remove("transmit_carrier_errors") {
        let x = v
            .wrapping_add(popz(m, "transmit_aborted_errors"))
            .wrapping_add(popz(m, "transmit_heartbeat_errors"))
            .wrapping_add(popz(m, "transmit_window_errors"));
        m.insert("transmit_carrier".into(), x);
    }
}

/// Go's `strconv.ParseBool`, for node_exporter's boolean flags.
pub(crate) fn parse_bool(flag: &str, v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" | "" => Ok(false),
        _ => Err(format!("--{flag}: {v:?} is neither true nor false")),
    }
}

fn filter(ctx: &Ctx) -> Result<DeviceFilter, String> {
    let include = devfilter::with_alias(
        "collector.netdev.device-include",
        ctx.opt("collector.netdev.device-include"),
        "",
        "collector.netdev.device-whitelist",
        ctx.opt("collector.netdev.device-whitelist"),
    )?;
    let exclude = devfilter::with_alias(
        "collector.netdev.device-exclude",
        ctx.opt("collector.netdev.device-exclude"),
        "",
        "collector.netdev.device-blacklist",
        ctx.opt("collector.netdev.device-blacklist"),
    )?;
    if !exclude.is_empty() && !include.is_empty() {
        return Err("device-exclude & device-include are mutually exclusive".into());
    }
    DeviceFilter::new(
        "collector.netdev.device-exclude",
        exclude,
        "collector.netdev.device-include",
        include,
    )
}

/// One counter file of `/sys/class/net/<dev>/statistics`, 0 when missing
/// or unreadable (netlink gives 0 for what a kernel does not count).
fn sys_stat(ctx: &Ctx, dev: &str, file: &str) -> u64 {
    let p = ctx
        .root
        .sys()
        .join("class/net")
        .join(dev)
        .join("statistics")
        .join(file);
    pskit::fs::read_trimmed(&p)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The prefix length of a netmask (`255.255.255.0` → 24), as Go's
/// `IPMask.Size()`: 0 for a mask that is not a run of ones.
fn prefix_len(mask: &str) -> u32 {
    let bytes: Vec<u8> = if let Ok(v4) = mask.parse::<std::net::Ipv4Addr>() {
        v4.octets().to_vec()
    } else if let Ok(v6) = mask.parse::<std::net::Ipv6Addr>() {
        v6.octets().to_vec()
    } else {
        return 0;
    };
    let width = bytes.len() as u32 * 8;
    let bits: u128 = bytes.iter().fold(0u128, |a, b| (a << 8) | *b as u128) << (128 - width);
    let ones = bits.leading_ones();
    if bits.checked_shl(ones).unwrap_or(0) == 0 {
        ones
    } else {
        0
    }
}

/// Go's scope names of an address (node_exporter's `scope()`).
fn scope(ip: std::net::IpAddr) -> &'static str {
    use std::net::IpAddr;
    let link_local_unicast = match ip {
        IpAddr::V4(a) => a.is_link_local(),
        IpAddr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80,
    };
    let link_local_multicast = match ip {
        IpAddr::V4(a) => a.octets()[..3] == [224, 0, 0],
        IpAddr::V6(a) => a.is_multicast() && (a.segments()[0] & 0x000f) == 2,
    };
    if ip.is_loopback() || link_local_unicast || link_local_multicast {
        return "link-local";
    }
    if let IpAddr::V6(a) = ip {
        if a.is_multicast() && (a.segments()[0] & 0x000f) == 1 {
            return "interface-local";
        }
    }
    let broadcast = matches!(ip, IpAddr::V4(a) if a.is_broadcast());
    if !ip.is_unspecified() && !ip.is_multicast() && !broadcast {
        return "global";
    }
    ""
}

/// Adds `node_network_address_info` (`--collector.netdev.address-info`).
fn address_info(m: &mut Metrics) -> Result<(), String> {
    let addrs =
        pskit::net_if_addrs().map_err(|e| format!("could not get network interfaces: {e}"))?;
    for (dev, list) in addrs {
        for a in list {
            if a.family != pskit::AF_INET && a.family != pskit::AF_INET6 {
                continue;
            }
            let addr = a.address.split('%').next().unwrap_or("");
            let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
                continue;
            };
            let len = a.netmask.as_deref().map_or(0, prefix_len).to_string();
            m.gauge(
                "node_network_address_info",
                "node network address by device",
            )
            .sample(
                &[
                    ("address", &ip.to_string()),
                    ("device", &dev),
                    ("netmask", &len),
                    ("scope", scope(ip)),
                ],
                1.0,
            );
        }
    }
    Ok(())
}

/// Adds node_network_*_total for every device of /proc/net/dev the filter
/// keeps.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::netdev::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_network_receive_bytes_total"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let filter = filter(ctx)?;
    let netlink = parse_bool(
        "collector.netdev.netlink",
        ctx.opt("collector.netdev.netlink"),
    )?;
    let detailed = parse_bool(
        "collector.netdev.enable-detailed-metrics",
        ctx.opt("collector.netdev.enable-detailed-metrics"),
    )?;
    let addr_info = parse_bool(
        "collector.netdev.address-info",
        ctx.opt("collector.netdev.address-info"),
    )?;
    let path = ctx.root.proc().join("net/dev");
    let devs = pskit::fs::with_text(&path, |t| {
        parse(t).map_err(|e| pskit::Error::parse(&path, e))
    })
    .map_err(|e| format!("couldn't get netstats: {e}"))?;
    for (dev, cols) in devs {
        if filter.ignored(&dev) {
            continue;
        }
        let mut stats: HashMap<String, u64> = if netlink && detailed {
            NETLINK_STATS
                .iter()
                .map(|(k, file)| (k.to_string(), sys_stat(ctx, &dev, file)))
                .collect()
        } else {
            PROC_COLUMNS
                .iter()
                .map(|k| k.to_string())
                .zip(cols)
                .collect()
        };
        if netlink && !detailed {
            stats.insert(
                "receive_nohandler".into(),
                sys_stat(ctx, &dev, "rx_nohandler"),
            );
        }
        if !detailed {
            legacy(&mut stats);
        }
        for (key, v) in stats {
            m.counter(
                &format!("node_network_{key}_total"),
                &format!("Network device statistic {key}."),
            )
            .sample(&[("device", &dev)], v as f64);
        }
    }
    if addr_info {
        address_info(m)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

    #[test]
    fn parses_and_replaces() {
        let t = format!("{HEAD}    lo:  220654    2410    0    0    0     0          0         0   220654    2410    0    0    0     0       0          0\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\nlo: 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9\n");
        let d = parse(&t).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], ("lo".to_string(), [9; 16]));
        // The name is what precedes the last colon (a name may hold one).
        let d = parse(&format!(
            "{HEAD}a:b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
        ))
        .unwrap();
        assert_eq!(d[0].0, "a:b");
        assert!(parse("").unwrap().is_empty());
        assert!(parse("only one header").unwrap().is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "no colon here",
            "  : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
            "eth0: 1 2 3",
            "eth0:",
            "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x",
            "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -1",
            "eth0: +1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
            "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 18446744073709551616",
            "",
        ] {
            let e = parse(&format!("{HEAD}{bad}\n")).unwrap_err();
            assert!(e.starts_with("invalid net/dev"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn legacy_names_match_proc_net_dev() {
        // Netlink's detailed counters fold into /proc/net/dev's columns.
        let mut m: HashMap<String, u64> = NETLINK_STATS
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.to_string(), 1 << i))
            .collect();
        legacy(&mut m);
        let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "receive_bytes",
                "receive_compressed",
                "receive_drop",
                "receive_errs",
                "receive_fifo",
                "receive_frame",
                "receive_multicast",
                "receive_nohandler",
                "receive_packets",
                "transmit_bytes",
                "transmit_carrier",
                "transmit_colls",
                "transmit_compressed",
                "transmit_drop",
                "transmit_errs",
                "transmit_fifo",
                "transmit_packets"
            ]
        );
        assert_eq!(
            m["receive_frame"],
            (1 << 13) | (1 << 10) | (1 << 11) | (1 << 12)
        );
        assert_eq!(
            m["transmit_carrier"],
            (1 << 17) | (1 << 16) | (1 << 19) | (1 << 20)
        );
        // The procfs names fold to the same set, without nohandler.
        let mut p: HashMap<String, u64> = PROC_COLUMNS.iter().map(|k| (k.to_string(), 0)).collect();
        legacy(&mut p);
        assert_eq!(p.len(), 16);
        assert!(p.keys().all(|k| m.contains_key(k)));
    }

    #[test]
    fn masks_and_scopes() {
        assert_eq!(prefix_len("255.255.255.0"), 24);
        assert_eq!(prefix_len("255.0.255.0"), 0);
        assert_eq!(prefix_len("0.0.0.0"), 0);
        assert_eq!(prefix_len("255.255.255.255"), 32);
        assert_eq!(prefix_len("ffff:ffff:ffff:ffff::"), 64);
        assert_eq!(prefix_len("junk"), 0);
        for (ip, s) in [
            ("127.0.0.1", "link-local"),
            ("169.254.1.1", "link-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "link-local"),
            ("ff01::1", "interface-local"),
            ("10.0.0.1", "global"),
            ("2001:db8::1", "global"),
            ("0.0.0.0", ""),
            ("255.255.255.255", ""),
            ("239.1.1.1", ""),
        ] {
            assert_eq!(scope(ip.parse().unwrap()), s, "{ip}");
        }
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("f", "True"), Ok(true));
        assert_eq!(parse_bool("f", "0"), Ok(false));
        assert!(parse_bool("f", "yes").is_err());
    }
}
