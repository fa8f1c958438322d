//! `pskit lsof [-p PID]`: open regular files with fd, mode and position (psutil
//! `Process.open_files`) and sockets (psutil `net_connections`), like `lsof`.

use std::process::ExitCode;

use serde_json::{json, Value};

use crate::fmt::{print_json, CmdResult};
use crate::proc_common;
use crate::proc_common::outln;

/// Arguments of `pskit lsof`.
#[derive(clap::Args)]
pub struct Args {
    /// Only this process.
    #[arg(short = 'p', long = "pid")]
    pid: Option<u32>,
    /// Print a JSON list of {command, pid, fd, type, mode, position, flags, path}.
    #[arg(long)]
    json: bool,
}

/// lsof's TYPE and the NAME text of a socket: `TCP 127.0.0.1:80->10.0.0.1:5000 (ESTABLISHED)`.
fn socket_row(command: &str, pid: u32, c: &pskit::Connection) -> Value {
    use pskit::net::{ConnAddr, AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM};
    let addr = |a: &ConnAddr| match a {
        ConnAddr::Inet(a) if c.family == AF_INET6 => format!("[{}]:{}", a.ip, a.port),
        ConnAddr::Inet(a) => format!("{}:{}", a.ip, a.port),
        ConnAddr::Empty => "*".into(),
        ConnAddr::Path(p) => p.clone(),
    };
    let (kind, proto) = match (c.family, c.r#type) {
        (AF_INET, SOCK_STREAM) => ("IPv4", "TCP "),
        (AF_INET, SOCK_DGRAM) => ("IPv4", "UDP "),
        (AF_INET6, SOCK_STREAM) => ("IPv6", "TCP "),
        (AF_INET6, SOCK_DGRAM) => ("IPv6", "UDP "),
        _ => ("unix", ""),
    };
    let mut name = format!("{proto}{}", addr(&c.laddr));
    if !matches!(&c.raddr, ConnAddr::Empty)
        && !matches!(&c.raddr, ConnAddr::Path(p) if p.is_empty())
    {
        name.push_str(&format!("->{}", addr(&c.raddr)));
    }
    if c.status != pskit::CONN_NONE {
        name.push_str(&format!(" ({})", c.status));
    }
    json!({
        "command": command, "pid": pid, "fd": c.fd, "type": kind,
        "mode": "u", "position": null, "flags": null, "path": name,
    })
}

fn rows_of(p: &pskit::Process, name: &str) -> pskit::Result<Vec<Value>> {
    Ok(p.open_files()?
        .into_iter()
        .map(|f| {
            json!({
                "command": name, "pid": p.pid(), "fd": f.fd, "type": "REG",
                "mode": f.mode, "position": f.position, "flags": f.flags, "path": f.path,
            })
        })
        .collect())
}

/// Runs `pskit lsof`.
pub fn run(args: Args) -> CmdResult {
    let mut rows = Vec::new();
    let mut failed = false;
    if let Some(pid) = args.pid {
        let p = match proc_common::open(pid) {
            Ok(p) => p,
            Err(code) => return Ok(code),
        };
        let name = p.name().unwrap_or_default();
        match rows_of(&p, &name) {
            Ok(r) => rows = r,
            Err(e) => return Ok(proc_common::fail(pid, &e)),
        }
        match pskit::net::net_connections_pids("all", Some(&[pid])) {
            Ok(conns) => rows.extend(conns.iter().map(|c| socket_row(&name, pid, c))),
            Err(e) => return Ok(proc_common::fail(pid, &e)),
        }
    } else {
        // One read of the socket tables for everybody, grouped by owner.
        let mut sockets: std::collections::HashMap<u32, Vec<pskit::Connection>> =
            std::collections::HashMap::new();
        let conns = pskit::net_connections("all").unwrap_or_else(|e| {
            eprintln!("pskit: sockets: {e}");
            failed = true;
            Vec::new()
        });
        for c in conns {
            if let Some(pid) = c.pid {
                sockets.entry(pid).or_default().push(c);
            }
        }
        let (procs, scan_failed) = crate::proc_common::scan(&["name"])?;
        failed |= scan_failed;
        for info in procs {
            let name = info.name.clone().unwrap_or_default();
            // Other users' processes (AccessDenied) and vanished ones are skipped.
            if let Ok(r) = rows_of(&info.process, &name) {
                rows.extend(r);
            }
            for c in sockets.remove(&info.pid()).unwrap_or_default() {
                rows.push(socket_row(&name, info.pid(), &c));
            }
        }
    }
    if args.json {
        print_json(&rows)?;
        return Ok(proc_common::unless_failed(ExitCode::SUCCESS, failed));
    }
    outln!(
        "{:<16} {:>7} {:>5} {:<5} {:<4} {:>12}  NAME",
        "COMMAND",
        "PID",
        "FD",
        "TYPE",
        "MODE",
        "POS"
    );
    for r in &rows {
        outln!(
            "{:<16} {:>7} {:>5} {:<5} {:<4} {:>12}  {}",
            proc_common::cell(&r["command"]),
            r["pid"].as_u64().unwrap_or(0),
            r["fd"].as_i64().unwrap_or(0),
            proc_common::cell(&r["type"]),
            proc_common::cell(&r["mode"]),
            r["position"]
                .as_u64()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            proc_common::cell(&r["path"])
        );
    }
    Ok(proc_common::unless_failed(ExitCode::SUCCESS, failed))
}
