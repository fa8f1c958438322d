//! `net_if_stats`: flags and MTU from rtnetlink (host root) or sysfs (other roots),
//! speed and duplex from sysfs.

use std::collections::HashMap;

use crate::error::Result;
use crate::linux::fs::{is_not_found, read_trimmed};
use crate::linux::net::{dev, rtnl};
use crate::net::{NicDuplex, NicStats};
use crate::root::Root;

const IFF_UP: u32 = 0x1;
const IFF_RUNNING: u32 = 0x40;

/// psutil's flag names, in its fixed order (reference §2.5).
const FLAG_NAMES: [(u32, &str); 16] = [
    (0x1, "up"),
    (0x2, "broadcast"),
    (0x4, "debug"),
    (0x8, "loopback"),
    (0x10, "pointopoint"),
    (0x20, "notrailers"),
    (0x40, "running"),
    (0x80, "noarp"),
    (0x100, "promisc"),
    (0x200, "allmulti"),
    (0x400, "master"),
    (0x800, "slave"),
    (0x1000, "multicast"),
    (0x2000, "portsel"),
    (0x4000, "automedia"),
    (0x8000, "dynamic"),
];

/// The IFF_* word as psutil's comma-joined names.
pub(crate) fn flags_text(flags: u32) -> String {
    let names: Vec<&str> = FLAG_NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(",")
}

/// SIOCGIFFLAGS' word from sysfs: `flags` holds `dev->flags`, without IFF_RUNNING,
/// which the kernel adds for an up device whose operstate is "up" or "unknown"
/// (`dev_get_flags`, `netif_oper_up`). One difference remains: `dev->flags` counts
/// promisc/allmulti requests made by the kernel (a bridge port), which the ioctl
/// leaves out.
pub(crate) fn flags_from_sysfs(raw: u32, operstate: &str) -> u32 {
    let mut flags = raw & !IFF_RUNNING;
    if flags & IFF_UP != 0 && matches!(operstate, "up" | "unknown") {
        flags |= IFF_RUNNING;
    }
    flags
}

/// `speed` in Mb/s; SPEED_UNKNOWN (printed as -1) and garbage give psutil's 0.
pub(crate) fn parse_speed(text: &str) -> u32 {
    text.trim()
        .parse::<i64>()
        .ok()
        .and_then(|v| u32::try_from(v).ok())
        .filter(|&v| v <= i32::MAX as u32)
        .unwrap_or(0)
}

/// `duplex`: "full", "half", anything else unknown.
pub(crate) fn parse_duplex(text: &str) -> NicDuplex {
    match text.trim() {
        "full" => NicDuplex::Full,
        "half" => NicDuplex::Half,
        _ => NicDuplex::Unknown,
    }
}

fn parse_hex_flags(text: &str) -> Option<u32> {
    let t = text.trim();
    u32::from_str_radix(t.strip_prefix("0x").unwrap_or(t), 16).ok()
}

/// (duplex, speed) from sysfs. The kernel answers only for a running NIC whose driver
/// reports link settings; any error means unknown, as psutil's EOPNOTSUPP/EINVAL.
fn duplex_speed(root: &Root, nic: &str) -> (NicDuplex, u32) {
    let dir = root.sys_path("class/net").join(nic);
    match read_trimmed(&dir.join("speed")) {
        Ok(s) => {
            let duplex = read_trimmed(&dir.join("duplex"))
                .map(|d| parse_duplex(&d))
                .unwrap_or(NicDuplex::Unknown);
            (duplex, parse_speed(&s))
        }
        Err(_) => (NicDuplex::Unknown, 0),
    }
}

/// (flags, mtu) of a NIC from `{sys}/class/net/<nic>`; `None` when the NIC is gone.
fn sysfs_flags_mtu(root: &Root, nic: &str) -> Result<Option<(u32, u32)>> {
    let dir = root.sys_path("class/net").join(nic);
    let read = |f: &str| match read_trimmed(&dir.join(f)) {
        Ok(s) => Ok(Some(s)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    };
    let (Some(flags), Some(mtu)) = (read("flags")?, read("mtu")?) else {
        return Ok(None);
    };
    let operstate = read("operstate")?.unwrap_or_default();
    let path = dir.join("flags");
    let raw = parse_hex_flags(&flags)
        .ok_or_else(|| crate::Error::parse(&path, format!("bad flags {flags:?}")))?;
    let mtu = mtu
        .parse()
        .map_err(|_| crate::Error::parse(dir.join("mtu"), format!("bad mtu {mtu:?}")))?;
    Ok(Some((flags_from_sysfs(raw, &operstate), mtu)))
}

pub(crate) fn net_if_stats(root: &Root) -> Result<indexmap::IndexMap<String, NicStats>> {
    let names: Vec<String> = dev::read_net_dev(root)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    // On the host, rtnetlink gives the exact SIOCGIFFLAGS word and MTU in one dump.
    let links: Option<HashMap<String, (u32, u32)>> = if root.is_host() {
        rtnl::links().ok().map(|ls| {
            ls.into_iter()
                .map(|l| (l.name, (l.flags, l.mtu.unwrap_or(0))))
                .collect()
        })
    } else {
        None
    };
    let mut out = indexmap::IndexMap::new();
    for name in names {
        let flags_mtu = match &links {
            Some(map) => map.get(&name).copied(),
            None => sysfs_flags_mtu(root, &name)?,
        };
        // A NIC that vanished in between is left out (psutil #1279, ENODEV).
        let Some((flags, mtu)) = flags_mtu else {
            continue;
        };
        // The kernel answers speed/duplex only for a running NIC (EINVAL otherwise):
        // no need to ask for one that is down.
        let (duplex, speed) = if flags & IFF_UP != 0 {
            duplex_speed(root, &name)
        } else {
            (NicDuplex::Unknown, 0)
        };
        let flags_s = flags_text(flags);
        out.insert(
            name,
            NicStats {
                isup: flags & IFF_RUNNING != 0,
                duplex,
                speed,
                mtu,
                flags: flags_s,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_in_psutil_order() {
        assert_eq!(flags_text(0x1043), "up,broadcast,running,multicast");
        assert_eq!(flags_text(0x49), "up,loopback,running");
        assert_eq!(flags_text(0x82), "broadcast,noarp");
        assert_eq!(flags_text(0), "");
        assert_eq!(flags_text(0xffff).split(',').count(), 16);
        // IFF_LOWER_UP (0x10000) and above are not psutil flags.
        assert_eq!(flags_text(0x10001), "up");
    }

    #[test]
    fn running_comes_from_operstate() {
        assert_eq!(flags_from_sysfs(0x1003, "up"), 0x1043);
        assert_eq!(flags_from_sysfs(0x9, "unknown"), 0x49);
        assert_eq!(flags_from_sysfs(0x1003, "down"), 0x1003);
        assert_eq!(flags_from_sysfs(0x1003, "dormant"), 0x1003);
        assert_eq!(
            flags_from_sysfs(0x1002, "up"),
            0x1002,
            "not up, not running"
        );
    }

    #[test]
    fn speed_and_duplex() {
        assert_eq!(parse_speed("1000\n"), 1000);
        assert_eq!(parse_speed("-1"), 0);
        assert_eq!(parse_speed("4294967295"), 0);
        assert_eq!(parse_speed(""), 0);
        assert_eq!(parse_duplex("full\n"), NicDuplex::Full);
        assert_eq!(parse_duplex("half"), NicDuplex::Half);
        assert_eq!(parse_duplex("unknown"), NicDuplex::Unknown);
        assert_eq!(parse_duplex(""), NicDuplex::Unknown);
    }

    #[test]
    fn hex_flags() {
        assert_eq!(parse_hex_flags("0x1003\n"), Some(0x1003));
        assert_eq!(parse_hex_flags("zz"), None);
    }
}
