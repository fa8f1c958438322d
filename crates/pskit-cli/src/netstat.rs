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
    /// Per-protocol statistics (net-tools `netstat -s`, from /proc/net/snmp,
    /// netstat, sctp/snmp; snmp6 with -6); -t, -u, -w, -S pick protocols.
    #[arg(short = 's', long = "statistics")]
    statistics: bool,
    /// Extended: the User and Inode columns (net-tools `netstat -e`).
    #[arg(short = 'e', long = "extend", action = clap::ArgAction::Count)]
    extend: u8,
    /// Print the table again every second until interrupted
    /// (net-tools `netstat -c`).
    #[arg(short = 'c', long = "continuous")]
    continuous: bool,
    /// Raw sockets; with -s, the Ip and Icmp statistics.
    #[arg(short = 'w', long = "raw")]
    raw: bool,
    /// SCTP; with -s, the Sctp statistics.
    #[arg(short = 'S', long = "sctp")]
    sctp: bool,
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

/// Runs `pskit netstat`.
pub fn run(args: Args) -> CmdResult {
    if u8::from(args.interfaces) + u8::from(args.route) + u8::from(args.statistics) > 1 {
        // net-tools prints its usage and exits 3 (E_OPTERR).
        eprintln!(
            "{}: use only one of -i, -r and -s",
            crate::fmt::prog("netstat")
        );
        return Ok(ExitCode::from(3));
    }
    if args.statistics {
        if args.unix || (args.ipv4 && args.ipv6) {
            let fam = match (args.ipv4, args.ipv6, args.unix) {
                (true, true, _) => "inet,inet6",
                (_, _, true) => "unix",
                _ => "inet",
            };
            println!("netstat: No statistics support for specified address family: {fam}");
            return Ok(ExitCode::FAILURE);
        }
        let none = !(args.raw || args.tcp || args.udp || args.sctp);
        let p = crate::netstat_stats::Protocols {
            raw: args.raw || none,
            tcp: args.tcp || none,
            udp: args.udp || none,
            sctp: args.sctp || none,
        };
        return crate::netstat_stats::run(p, args.ipv6);
    }
    if !args.json && (args.interfaces || args.route || args.continuous) {
        // net-tools' -c: the same table again every second, until killed.
        loop {
            let code = if args.interfaces {
                interfaces(args.all)?
            } else if args.route {
                routes(args.numeric)?
            } else {
                let none = !(args.tcp || args.udp || args.unix);
                let unix = args.unix || (none && !args.ipv4 && !args.ipv6);
                net_tools_tables(&args, args.tcp || none, args.udp || none, unix)?
            };
            if !args.continuous {
                return Ok(code);
            }
            use std::io::Write;
            std::io::stdout().flush()?;
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    let none_selected = !(args.tcp || args.udp || args.unix);
    let tcp = args.tcp || none_selected;
    let udp = args.udp || none_selected;
    let unix = args.unix || (none_selected && !args.ipv4 && !args.ipv6);
    if !args.json {
        return net_tools_tables(&args, tcp, udp, unix);
    }
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
    print_json(&rows)?;
    Ok(ExitCode::SUCCESS)
}

/// The program column of `netstat -p`: `PID/name` (argv[0], its file name
/// when absolute, as net-tools takes it), cut to 19 characters; `-` when no readable process holds it.
fn program(inode: u64, owners: &std::collections::HashMap<u64, (u32, Vec<i32>)>) -> String {
    let Some((pid, _)) = owners.get(&inode) else {
        return "-".into();
    };
    let path = pskit::Root::current().proc().join(format!("{pid}/cmdline"));
    let cmd = crate::fmt::read_small(&path).unwrap_or_default();
    let arg0 = cmd.split('\0').next().unwrap_or("");
    // net-tools strips the directories of an absolute path only
    // ("target/debug/pskit" stays whole).
    let name = if arg0.starts_with('/') {
        arg0.rsplit('/').next().unwrap_or(arg0)
    } else {
        arg0
    };
    let text = format!("{pid}/{}", crate::fmt::printable(name));
    // net-tools keeps it in a 20-byte buffer: 19 characters.
    text.chars().take(19).collect()
}

/// net-tools' address column: `host:port`, the host cut so the whole fits 23
/// columns; port 0 is `*`. Without -n, names from /etc/hosts and /etc/services.
fn nt_addr(
    a: &ConnAddr,
    family: i32,
    numeric: bool,
    hosts: &std::collections::HashMap<String, String>,
    services: &std::collections::HashMap<(u16, &'static str), String>,
    proto: &'static str,
) -> String {
    let (ip, port) = match a {
        ConnAddr::Inet(x) => (x.ip.clone(), x.port),
        _ if family == AF_INET6 => ("::".to_string(), 0),
        _ => ("0.0.0.0".to_string(), 0),
    };
    let host = if numeric {
        ip.clone()
    } else if ip == "::" {
        "[::]".to_string()
    } else {
        hosts.get(&ip).cloned().unwrap_or(ip.clone())
    };
    let port = if port == 0 {
        "*".to_string()
    } else if numeric {
        port.to_string()
    } else {
        services
            .get(&(port, proto))
            .cloned()
            .unwrap_or_else(|| port.to_string())
    };
    let keep = 22usize.saturating_sub(port.chars().count());
    let host: String = host.chars().take(keep).collect();
    format!("{host}:{port}")
}

/// /etc/services: (port, tcp|udp) → name.
fn services() -> std::collections::HashMap<(u16, &'static str), String> {
    let path = pskit::Root::current().etc().join("services");
    let text = crate::fmt::read_small(&path).unwrap_or_default();
    let mut out = std::collections::HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some((port, proto)) = f.get(1).and_then(|pp| pp.split_once('/')) else {
            continue;
        };
        let (Ok(port), Some(proto)) = (
            port.parse::<u16>(),
            ["tcp", "udp"].into_iter().find(|p| *p == proto),
        ) else {
            continue;
        };
        out.entry((port, proto)).or_insert_with(|| f[0].to_string());
    }
    out
}

/// The socket tables as net-tools' `netstat` prints them, read from
/// /proc/net/{tcp,tcp6,udp,udp6,unix} in the kernel's order.
fn net_tools_tables(args: &Args, tcp: bool, udp: bool, unix: bool) -> CmdResult {
    let root = pskit::Root::current();
    let read = |name: &str| crate::fmt::read_small(&root.proc().join("net").join(name));
    let (v4, v6) = match (args.ipv4, args.ipv6) {
        (true, false) => (true, false),
        (false, true) => (false, true),
        _ => (true, true),
    };
    let inet = tcp || udp;
    let unix = unix && !(args.ipv4 || args.ipv6) || (args.unix && unix);
    let owners = if args.processes {
        pskit::net::socket_owners()?
    } else {
        Default::default()
    };
    let hosts = if args.numeric {
        Default::default()
    } else {
        names_from("hosts", true)
    };
    let svc = if args.numeric {
        Default::default()
    } else {
        services()
    };
    let users = if args.extend > 0 && !args.numeric {
        crate::ps::id_names("passwd")
    } else {
        Default::default()
    };
    let which = if args.all {
        "(servers and established)"
    } else if args.listening {
        "(only servers)"
    } else {
        "(w/o servers)"
    };
    let mut out = String::new();
    if inet {
        out.push_str(&format!("Active Internet connections {which}\n"));
        out.push_str(
            "Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
        );
        if args.extend > 0 {
            out.push_str(" User       Inode     ");
        }
        if args.processes {
            out.push_str(" PID/Program name    ");
        }
        out.push('\n');
        let files: [(&str, &'static str, i32, i32, bool); 4] = [
            ("tcp", "tcp", AF_INET, SOCK_STREAM, tcp && v4),
            ("tcp6", "tcp", AF_INET6, SOCK_STREAM, tcp && v6),
            ("udp", "udp", AF_INET, SOCK_DGRAM, udp && v4),
            ("udp6", "udp", AF_INET6, SOCK_DGRAM, udp && v6),
        ];
        for (file, proto, family, kind, wanted) in files {
            if !wanted {
                continue;
            }
            let text = match read(file) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            for e in pskit::net::parse_proc_net_inet(&text, family, kind)? {
                // net-tools: a socket without a peer port is a server.
                let server = match &e.raddr {
                    ConnAddr::Inet(a) => a.port == 0,
                    _ => true,
                };
                if !args.all && server != args.listening {
                    continue;
                }
                let state = if kind == SOCK_STREAM {
                    e.status
                } else {
                    match e.state {
                        1 => "ESTABLISHED",
                        7 => "",
                        _ => "UNKNOWN",
                    }
                };
                let mut line = format!(
                    "{:<4}  {:>6} {:>6} {:<23} {:<23} {:<11}",
                    file,
                    e.rx_queue,
                    e.tx_queue,
                    nt_addr(&e.laddr, family, args.numeric, &hosts, &svc, proto),
                    nt_addr(&e.raddr, family, args.numeric, &hosts, &svc, proto),
                    state
                );
                if args.extend > 0 {
                    let user = match users.get(&e.uid) {
                        Some(name) if !args.numeric => name.clone(),
                        _ => e.uid.to_string(),
                    };
                    line.push_str(&format!(" {user:<10} {:<10}", e.inode));
                }
                if args.processes {
                    line.push_str(&format!(" {:<20}", program(e.inode, &owners)));
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    if unix {
        out.push_str(&format!("Active UNIX domain sockets {which}\n"));
        out.push_str("Proto RefCnt Flags       Type       State         I-Node  ");
        if args.processes {
            out.push_str(" PID/Program name    ");
        }
        out.push_str(" Path\n");
        let text = read("unix")?;
        for e in pskit::net::parse_proc_net_unix(&text)? {
            const ACCEPTCON: u32 = 0x10000;
            let listening = e.flags & ACCEPTCON != 0;
            if !args.all && listening != args.listening {
                continue;
            }
            let flags = if listening { "[ ACC ]" } else { "[ ]" };
            let kind = match e.r#type {
                1 => "STREAM",
                2 => "DGRAM",
                3 => "RAW",
                4 => "RDM",
                5 => "SEQPACKET",
                _ => "UNKNOWN",
            };
            let state = match e.state {
                0 => "FREE",
                1 if listening => "LISTENING",
                1 => "",
                2 => "CONNECTING",
                3 => "CONNECTED",
                4 => "DISCONNECTING",
                _ => "UNKNOWN",
            };
            let mut line = format!(
                "unix  {:<6} {:<11} {:<10} {:<13} {:<8}",
                e.refcnt, flags, kind, state, e.inode
            );
            if args.processes {
                line.push_str(&format!(" {:<20}", program(e.inode, &owners)));
            }
            line.push(' ');
            line.push_str(&crate::fmt::printable(&e.laddr.to_string()));
            out.push_str(&line);
            out.push('\n');
        }
    }
    print!("{out}");
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
    fn addresses_like_net_tools() {
        let none = std::collections::HashMap::new();
        let svc = std::collections::HashMap::new();
        let a = |c: &ConnAddr, f: i32, n: bool| nt_addr(c, f, n, &none, &svc, "tcp");
        assert_eq!(a(&ConnAddr::Empty, AF_INET, true), "0.0.0.0:*");
        assert_eq!(a(&ConnAddr::Empty, AF_INET6, true), ":::*");
        assert_eq!(a(&ConnAddr::Empty, AF_INET6, false), "[::]:*");
        let long = ConnAddr::Inet(pskit::net::Addr {
            ip: "fd00:1234:5678:9abc:def0:1234:5678:9abc".into(),
            port: 65000,
        });
        assert_eq!(a(&long, AF_INET6, true), "fd00:1234:5678:9a:65000");
    }
}
