//! `pskit ifconfig`: net-tools `ifconfig` (its layout: flags word and names,
//! inet / inet6 / ether lines, RX and TX counters with net-tools' units), `-a`,
//! `-s` (netstat -i's table) and interface arguments; `--json` gives psutil's
//! net_if_addrs, net_if_stats and net_io_counters per interface. Interfaces are
//! only shown, never configured: arguments after the interface are refused.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use pskit::net::{AF_INET, AF_LINK};
use pskit::{NetIoCounters, NicAddr, NicStats};
use serde::Serialize;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit ifconfig`.
#[derive(clap::Args)]
pub struct Args {
    /// Show every interface, down ones too.
    #[arg(short = 'a')]
    all: bool,
    /// A short list, like `netstat -i`.
    #[arg(short = 's')]
    short: bool,
    /// Print JSON: per interface, its addresses, stats and I/O counters.
    #[arg(long)]
    json: bool,
    /// The interface to show (net-tools takes settings after it; pskit only shows).
    #[arg(value_name = "INTERFACE")]
    interface: Option<String>,
    /// Settings for the interface (refused: pskit does not configure interfaces).
    #[arg(
        value_name = "OPTIONS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    settings: Vec<String>,
}

/// Everything known about one interface (the JSON form).
#[derive(Serialize)]
struct Nic {
    addrs: Vec<NicAddr>,
    stats: Option<NicStats>,
    io: Option<NetIoCounters>,
}

/// The IFF_* bits by psutil's flag names, in net-tools' print order.
const FLAGS: [(&str, u32); 16] = [
    ("up", 0x1),
    ("broadcast", 0x2),
    ("debug", 0x4),
    ("loopback", 0x8),
    ("pointopoint", 0x10),
    ("notrailers", 0x20),
    ("running", 0x40),
    ("noarp", 0x80),
    ("promisc", 0x100),
    ("allmulti", 0x200),
    ("master", 0x400),
    ("slave", 0x800),
    ("multicast", 0x1000),
    ("portsel", 0x2000),
    ("automedia", 0x4000),
    ("dynamic", 0x8000),
];

fn flag_bits(names: &str) -> u32 {
    names
        .split(',')
        .filter_map(|n| FLAGS.iter().find(|f| f.0 == n.trim()).map(|f| f.1))
        .fold(0, |a, b| a | b)
}

/// `/proc/net/dev`'s 16 counters for each interface.
fn net_dev() -> BTreeMap<String, [u64; 16]> {
    let path = pskit::Root::current().proc().join("net/dev");
    let text = crate::fmt::read_small(&path).unwrap_or_default();
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let (name, rest) = l.rsplit_once(':')?;
            let mut v = [0u64; 16];
            for (slot, tok) in v.iter_mut().zip(rest.split_whitespace()) {
                *slot = tok.parse().unwrap_or(0);
            }
            Some((name.trim().to_string(), v))
        })
        .collect()
}

/// `/proc/net/if_inet6` rows per interface: (address, prefix length, scope).
fn inet6() -> BTreeMap<String, Vec<(String, u32, u32)>> {
    let path = pskit::Root::current().proc().join("net/if_inet6");
    let text = crate::fmt::read_small(&path).unwrap_or_default();
    let mut out: BTreeMap<String, Vec<(String, u32, u32)>> = BTreeMap::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() < 6 || f[0].len() != 32 {
            continue;
        }
        let Ok(bits) = u128::from_str_radix(f[0], 16) else {
            continue;
        };
        let addr = std::net::Ipv6Addr::from(bits).to_string();
        let plen = u32::from_str_radix(f[2], 16).unwrap_or(0);
        let scope = u32::from_str_radix(f[3], 16).unwrap_or(0);
        out.entry(f[5].to_string())
            .or_default()
            .push((addr, plen, scope));
    }
    out
}

fn sys_net(name: &str, file: &str) -> Option<String> {
    let path = pskit::Root::current()
        .sys()
        .join("class/net")
        .join(name)
        .join(file);
    crate::fmt::read_small(&path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// net-tools' byte counts: `(144.1 MiB)`, `(0.0 B)`.
fn human(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    // net-tools cuts the tenth off (integer arithmetic) rather than rounding.
    format!("{:.1} {}", (v * 10.0).floor() / 10.0, units[i])
}

fn scope_name(scope: u32) -> &'static str {
    match scope & 0xf0 {
        0x10 => "host",
        0x20 => "link",
        0x40 => "site",
        0x80 => "compat",
        _ => "global",
    }
}

/// One interface in net-tools' long form.
fn long_form(
    name: &str,
    st: &NicStats,
    addrs: &[NicAddr],
    v6: &[(String, u32, u32)],
    dev: Option<&[u64; 16]>,
) -> String {
    let bits = flag_bits(&st.flags);
    let names: Vec<String> = FLAGS
        .iter()
        .filter(|f| bits & f.1 != 0)
        .map(|f| f.0.to_uppercase())
        .collect();
    let mut out = format!(
        "{name}: flags={bits}<{}>  mtu {}\n",
        names.join(","),
        st.mtu
    );
    for a in addrs.iter().filter(|a| a.family == AF_INET) {
        out.push_str(&format!("        inet {}", a.address));
        if let Some(m) = &a.netmask {
            out.push_str(&format!("  netmask {m}"));
        }
        if let Some(b) = &a.broadcast {
            out.push_str(&format!("  broadcast {b}"));
        }
        if let Some(p) = &a.ptp {
            out.push_str(&format!("  destination {p}"));
        }
        out.push('\n');
    }
    for (addr, plen, scope) in v6 {
        out.push_str(&format!(
            "        inet6 {addr}  prefixlen {plen}  scopeid 0x{scope:x}<{}>\n",
            scope_name(*scope)
        ));
    }
    let qlen = sys_net(name, "tx_queue_len").unwrap_or_else(|| "0".into());
    let kind = sys_net(name, "type").and_then(|t| t.parse::<u32>().ok());
    let mac = addrs
        .iter()
        .find(|a| a.family == AF_LINK)
        .map(|a| a.address.clone());
    if bits & 0x8 != 0 {
        out.push_str(&format!(
            "        loop  txqueuelen {qlen}  (Local Loopback)\n"
        ));
    } else {
        let link = match kind {
            Some(1) => "Ethernet",
            Some(512) => "Point-to-Point Protocol",
            Some(768) => "IPIP Tunnel",
            Some(776) => "IPv6-in-IPv4",
            Some(65534) => "UNSPEC",
            _ => "UNSPEC",
        };
        match mac {
            Some(m) if kind == Some(1) => {
                out.push_str(&format!("        ether {m}  txqueuelen {qlen}  ({link})\n"))
            }
            _ => out.push_str(&format!(
                "        unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen {qlen}  ({link})\n"
            )),
        }
    }
    let d = dev.copied().unwrap_or([0; 16]);
    out.push_str(&format!(
        "        RX packets {}  bytes {} ({})\n",
        d[1],
        d[0],
        human(d[0])
    ));
    out.push_str(&format!(
        "        RX errors {}  dropped {}  overruns {}  frame {}\n",
        d[2], d[3], d[4], d[5]
    ));
    out.push_str(&format!(
        "        TX packets {}  bytes {} ({})\n",
        d[9],
        d[8],
        human(d[8])
    ));
    out.push_str(&format!(
        "        TX errors {}  dropped {} overruns {}  carrier {}  collisions {}\n",
        d[10], d[11], d[12], d[15], d[13]
    ));
    out
}

/// netstat -i's flag letters.
fn flag_letters(bits: u32) -> String {
    let mut s = String::new();
    for (bit, c) in [
        (0x8000u32, 'A'),
        (0x2, 'B'),
        (0x4, 'D'),
        (0x8, 'L'),
        (0x400, 'm'),
        (0x1000, 'M'),
        (0x80, 'O'),
        (0x10, 'P'),
        (0x100, 'P'),
        (0x40, 'R'),
        (0x800, 's'),
        (0x1, 'U'),
    ] {
        if bits & bit != 0 && !(c == 'P' && s.ends_with('P')) {
            s.push(c);
        }
    }
    s
}

/// The `netstat -i` / `ifconfig -s` table (their headers differ by the
/// spacing after "Iface").
pub fn short_table(names: &[String], stats: &BTreeMap<String, NicStats>, netstat: bool) -> String {
    let dev = net_dev();
    let mut out = String::from(if netstat {
        "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n"
    } else {
        "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n"
    });
    for n in names {
        let Some(st) = stats.get(n) else { continue };
        let d = dev.get(n).copied().unwrap_or([0; 16]);
        out.push_str(&format!(
            "{:<15} {:>5} {:>8} {:>6} {:>6} {:<6} {:>8} {:>6} {:>6} {:>6} {}\n",
            n,
            st.mtu,
            d[1],
            d[2],
            d[3],
            d[4],
            d[9],
            d[10],
            d[11],
            d[12],
            flag_letters(flag_bits(&st.flags))
        ));
    }
    out
}

/// Every interface, by name (net-tools' order).
pub fn sorted_names(
    addrs: &pskit::IndexMap<String, Vec<NicAddr>>,
    stats: &pskit::IndexMap<String, NicStats>,
) -> Vec<String> {
    addrs
        .keys()
        .chain(stats.keys())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Runs `pskit ifconfig`.
pub fn run(args: Args) -> CmdResult {
    if !args.settings.is_empty() {
        // net-tools would try to configure the interface; pskit only shows.
        eprintln!(
            "{}: setting {} on {} is not supported: pskit only shows interfaces",
            crate::fmt::prog("ifconfig"),
            args.settings.join(" "),
            args.interface.as_deref().unwrap_or("")
        );
        return Ok(ExitCode::FAILURE);
    }
    let addrs = pskit::net_if_addrs()?;
    let stats = pskit::net_if_stats()?;
    let io = pskit::net_io_counters_pernic(false)?;
    let stats_sorted: BTreeMap<String, NicStats> =
        stats.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let names = sorted_names(&addrs, &stats);
    let mut names = names;
    if let Some(want) = &args.interface {
        if !names.contains(want) {
            eprintln!("{want}: error fetching interface information: Device not found");
            return Ok(ExitCode::FAILURE);
        }
        names.retain(|n| n == want);
    } else if !args.all {
        names.retain(|n| {
            stats
                .get(n)
                .is_some_and(|s| s.flags.split(',').any(|f| f == "up"))
        });
    }
    if args.json {
        let out: BTreeMap<&str, Nic> = names
            .iter()
            .map(|n| {
                (
                    n.as_str(),
                    Nic {
                        addrs: addrs.get(n).cloned().unwrap_or_default(),
                        stats: stats.get(n).cloned(),
                        io: io.get(n).cloned(),
                    },
                )
            })
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.short {
        print!("{}", short_table(&names, &stats_sorted, false));
        return Ok(ExitCode::SUCCESS);
    }
    let v6 = inet6();
    let dev = net_dev();
    let mut text = String::new();
    for n in &names {
        let Some(st) = stats.get(n) else { continue };
        text.push_str(&long_form(
            n,
            st,
            addrs.get(n).map(Vec::as_slice).unwrap_or(&[]),
            v6.get(n).map(Vec::as_slice).unwrap_or(&[]),
            dev.get(n),
        ));
        text.push('\n');
    }
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_units_as_net_tools() {
        assert_eq!(flag_bits("up,broadcast,running,multicast"), 4163);
        assert_eq!(flag_bits("up,loopback,running"), 73);
        assert_eq!(flag_letters(4163), "BMRU");
        assert_eq!(flag_letters(73), "LRU");
        assert_eq!(flag_letters(0x82), "BO");
        assert_eq!(human(151102890), "144.1 MiB");
        assert_eq!(human(0), "0.0 B");
        assert_eq!(human(81058), "79.1 KiB");
        assert_eq!(human(500322), "488.5 KiB");
        assert_eq!(scope_name(0x20), "link");
        assert_eq!(scope_name(0), "global");
    }
}
