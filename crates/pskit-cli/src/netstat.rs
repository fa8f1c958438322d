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
    /// Print JSON: psutil's connection rows (plus "name" with -p).
    #[arg(long)]
    json: bool,
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
