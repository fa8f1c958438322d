//! `pskit netstat`: sockets like `ss -tunap` / `netstat -tunap`, from
//! `pskit::net_connections`.

use std::process::ExitCode;

use pskit::net::{
    ConnAddr, Connection, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM,
};
use serde::Serialize;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit netstat`.
///
/// Without -t, -u or -x every kind is shown. As with ss, only connected sockets are
/// shown unless -l (listening only: TCP LISTEN and unconnected UDP) or -a (both).
/// UNIX sockets have no state in psutil's model, so they are shown with any of these.
#[derive(clap::Args)]
#[command(
    after_help = "Without -t, -u or -x, all kinds are shown. Like ss, only connected \
sockets are listed unless -l (listening only: TCP LISTEN, unconnected UDP) or -a (both). \
UNIX sockets have no state in psutil's model and are listed in every mode."
)]
pub struct Args {
    /// TCP sockets.
    #[arg(short = 't', long)]
    tcp: bool,
    /// UDP sockets.
    #[arg(short = 'u', long)]
    udp: bool,
    /// UNIX domain sockets.
    #[arg(short = 'x', long)]
    unix: bool,
    /// IPv4 only (no UNIX sockets unless -x).
    #[arg(short = '4', long = "ipv4")]
    ipv4: bool,
    /// IPv6 only (no UNIX sockets unless -x).
    #[arg(short = '6', long = "ipv6")]
    ipv6: bool,
    /// Listening sockets only.
    #[arg(short = 'l', long)]
    listening: bool,
    /// Listening and connected sockets.
    #[arg(short = 'a', long)]
    all: bool,
    /// Numeric addresses (always the case; accepted for compatibility).
    #[arg(short = 'n', long)]
    numeric: bool,
    /// Show the owning process (pid/name).
    #[arg(short = 'p', long)]
    processes: bool,
    /// The kernel interface table (net-tools `netstat -i`; with -a, down
    /// interfaces too).
    #[arg(short = 'i', long = "interfaces")]
    interfaces: bool,
    /// The kernel IP routing table (net-tools `netstat -r`, from /proc/net/route).
    #[arg(short = 'r', long = "route")]
    route: bool,
    /// Print JSON: psutil's connection rows (plus "name" with -p).
    #[arg(long)]
    json: bool,
}

/// `netstat -i`.
fn interfaces(all: bool) -> CmdResult {
    let addrs = pskit::net_if_addrs()?;
    let stats = pskit::net_if_stats()?;
    let mut names = crate::ifconfig::sorted_names(&addrs, &stats);
    if !all {
        names.retain(|n| {
            stats
                .get(n)
                .is_some_and(|s| s.flags.split(',').any(|f| f == "up"))
        });
    }
    let sorted = stats.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    print!(
        "Kernel Interface table\n{}",
        crate::ifconfig::short_table(&names, &sorted, true)
    );
    Ok(ExitCode::SUCCESS)
}

/// An IPv4 address from /proc/net/route's little-endian hex.
fn route_ip(hex: &str) -> Option<std::net::Ipv4Addr> {
    u32::from_str_radix(hex, 16)
        .ok()
        .map(|v| std::net::Ipv4Addr::from(v.swap_bytes()))
}

/// Names for addresses from a hosts-style file (`/etc/networks`: "name addr";
/// `/etc/hosts`: "addr name…"), as net-tools' lookups find them without DNS.
fn names_from(file: &str, addr_first: bool) -> std::collections::HashMap<String, String> {
    let path = pskit::Root::current().etc().join(file);
    let text = crate::fmt::read_small(&path).unwrap_or_default();
    let mut out = std::collections::HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 2 {
            continue;
        }
        let (addr, name) = if addr_first {
            (f[0], f[1])
        } else {
            (f[1], f[0])
        };
        out.entry(addr.to_string())
            .or_insert_with(|| name.to_string());
    }
    out
}

/// `netstat -r` / `-rn`.
fn routes(numeric: bool) -> CmdResult {
    let path = pskit::Root::current().proc().join("net/route");
    let text = crate::fmt::read_small(&path)?;
    let (nets, hosts) = if numeric {
        Default::default()
    } else {
        (names_from("networks", false), names_from("hosts", true))
    };
    let mut out = String::from(
        "Kernel IP routing table\nDestination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n",
    );
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 11 {
            continue;
        }
        let (Some(dst), Some(gw), Some(mask)) = (route_ip(f[1]), route_ip(f[2]), route_ip(f[7]))
        else {
            continue;
        };
        let flags = u32::from_str_radix(f[3], 16).unwrap_or(0);
        let mut fl = String::new();
        for (bit, c) in [
            (0x1, 'U'),
            (0x2, 'G'),
            (0x4, 'H'),
            (0x8, 'R'),
            (0x10, 'D'),
            (0x20, 'M'),
            (0x40000, 'A'),
            (0x1000000, 'C'),
            (0x200, '!'),
        ] {
            if flags & bit != 0 {
                fl.push(c);
            }
        }
        let dst = dst.to_string();
        let gw = gw.to_string();
        let dst_name = if numeric {
            dst.clone()
        } else if dst == "0.0.0.0" {
            "default".to_string()
        } else if flags & 0x4 != 0 {
            hosts.get(&dst).cloned().unwrap_or(dst.clone())
        } else {
            nets.get(&dst).cloned().unwrap_or(dst.clone())
        };
        let gw_name = if numeric || gw == "0.0.0.0" {
            gw.clone()
        } else {
            hosts.get(&gw).cloned().unwrap_or(gw.clone())
        };
        let cut = |s: &str| s.chars().take(15).collect::<String>();
        out.push_str(&format!(
            "{:<15} {:<15} {:<15} {:<5} {:>5} {:<6} {:>5} {}\n",
            cut(&dst_name),
            cut(&gw_name),
            mask,
            fl,
            f[8],
            f[9],
            f[10],
            f[0]
        ));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// One row with the optional program name.
#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    conn: Connection,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

/// The narrowest psutil kind covering the selection.
fn kind(tcp: bool, udp: bool, unix: bool, v4: bool, v6: bool) -> &'static str {
    let fam = match (v4, v6) {
        (true, false) => "4",
        (false, true) => "6",
        _ => "",
    };
    match (tcp, udp, unix) {
        (_, _, true) if tcp || udp => "all",
        (false, false, true) => "unix",
        (true, false, _) => {
            ["tcp", "tcp4", "tcp6"][["", "4", "6"].iter().position(|f| *f == fam).unwrap_or(0)]
        }
        (false, true, _) => {
            ["udp", "udp4", "udp6"][["", "4", "6"].iter().position(|f| *f == fam).unwrap_or(0)]
        }
        _ => ["inet", "inet4", "inet6"][["", "4", "6"].iter().position(|f| *f == fam).unwrap_or(0)],
    }
}

/// ss's notion of a listening socket: TCP LISTEN, or UDP without a peer (UNCONN).
fn is_listening(c: &Connection) -> bool {
    match (c.family, c.r#type) {
        (AF_UNIX, _) => true,
        (_, SOCK_STREAM) => c.status == pskit::CONN_LISTEN,
        _ => c.raddr.is_empty(),
    }
}

fn is_connected(c: &Connection) -> bool {
    c.family == AF_UNIX || !is_listening(c)
}

fn proto(c: &Connection) -> &'static str {
    match (c.family, c.r#type) {
        (AF_INET, SOCK_STREAM) => "tcp",
        (AF_INET6, SOCK_STREAM) => "tcp6",
        (AF_INET, SOCK_DGRAM) => "udp",
        (AF_INET6, SOCK_DGRAM) => "udp6",
        (AF_UNIX, SOCK_STREAM) => "u_str",
        (AF_UNIX, SOCK_DGRAM) => "u_dgr",
        (AF_UNIX, SOCK_SEQPACKET) => "u_seq",
        _ => "?",
    }
}

fn addr_text(a: &ConnAddr, family: i32) -> String {
    match a {
        ConnAddr::Inet(a) => a.to_string(),
        ConnAddr::Empty if family == AF_INET6 => "[::]:*".into(),
        ConnAddr::Empty => "*:*".into(),
        ConnAddr::Path(p) if p.is_empty() => "*".into(),
        ConnAddr::Path(p) => p.clone(),
    }
}

/// Runs `pskit netstat`.
pub fn run(args: Args) -> CmdResult {
    if args.interfaces && !args.json {
        return interfaces(args.all);
    }
    if args.route && !args.json {
        return routes(args.numeric);
    }
    let none_selected = !(args.tcp || args.udp || args.unix);
    let tcp = args.tcp || none_selected;
    let udp = args.udp || none_selected;
    let unix = args.unix || (none_selected && !args.ipv4 && !args.ipv6);
    let kind = kind(tcp, udp, unix, args.ipv4, args.ipv6);
    let mut conns: Vec<Connection> = pskit::net_connections(kind)?
        .into_iter()
        .filter(|c| match c.family {
            AF_UNIX => unix,
            AF_INET => tcp_udp_ok(c, tcp, udp) && (!args.ipv6 || args.ipv4),
            _ => tcp_udp_ok(c, tcp, udp) && (!args.ipv4 || args.ipv6),
        })
        .filter(|c| {
            if args.all {
                true
            } else if args.listening {
                is_listening(c)
            } else {
                is_connected(c)
            }
        })
        .collect();
    conns.sort_by(|a, b| {
        (proto(a), &a.laddr, &a.raddr, a.pid, a.fd).cmp(&(
            proto(b),
            &b.laddr,
            &b.raddr,
            b.pid,
            b.fd,
        ))
    });
    let rows: Vec<Row> = conns
        .into_iter()
        .map(|c| {
            let name = if args.processes {
                c.pid
                    .map(|p| pskit::net::process_comm(p).unwrap_or_else(|_| "?".into()))
            } else {
                None
            };
            Row { conn: c, name }
        })
        .collect();
    if args.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            let c = &r.conn;
            let state = if c.status == pskit::CONN_NONE {
                "-"
            } else {
                c.status
            };
            let process = match (c.pid, &r.name) {
                (Some(pid), Some(name)) => format!("{pid}/{name}"),
                (Some(pid), None) => pid.to_string(),
                (None, _) => "-".into(),
            };
            [
                proto(c).to_string(),
                state.to_string(),
                addr_text(&c.laddr, c.family),
                addr_text(&c.raddr, c.family),
                process,
            ]
        })
        .collect();
    let header = [
        "Proto",
        "State",
        "Local Address:Port",
        "Peer Address:Port",
        "PID/Program name",
    ];
    let columns = if args.processes { 5 } else { 4 };
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header.map(String::from)).chain(table.iter()) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells[..columns]
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i + 1 == columns {
                    s.clone()
                } else {
                    format!("{s:<w$}", w = widths[i])
                }
            })
            .collect();
        println!("{}", parts.join("  "));
    };
    line(&header.map(String::from));
    for row in &table {
        line(row);
    }
    Ok(ExitCode::SUCCESS)
}

fn tcp_udp_ok(c: &Connection, tcp: bool, udp: bool) -> bool {
    match c.r#type {
        SOCK_STREAM => tcp,
        SOCK_DGRAM => udp,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowest_kind() {
        assert_eq!(kind(true, true, true, false, false), "all");
        assert_eq!(kind(true, false, false, false, false), "tcp");
        assert_eq!(kind(true, false, false, true, false), "tcp4");
        assert_eq!(kind(false, true, false, false, true), "udp6");
        assert_eq!(kind(true, true, false, false, false), "inet");
        assert_eq!(kind(true, true, false, true, true), "inet");
        assert_eq!(kind(false, false, true, false, false), "unix");
    }

    #[test]
    fn addresses_like_ss() {
        assert_eq!(addr_text(&ConnAddr::Empty, AF_INET), "*:*");
        assert_eq!(addr_text(&ConnAddr::Empty, AF_INET6), "[::]:*");
        assert_eq!(addr_text(&ConnAddr::Path(String::new()), AF_UNIX), "*");
    }
}
