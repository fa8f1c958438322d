//! The machine's inet sockets with their programs, like `netstat -antp`:
//! psutil's `scripts/netstat.py`, ported.
//!
//! ```text
//! $ cargo run -p pskit --example netstat
//! Proto Local address                  Remote address                 Status        PID    Program name
//! tcp   127.0.0.1:631                  -                              LISTEN        1042   cupsd
//! ```
//!
//! It shows [`pskit::net_connections`] and a pid → name map from one
//! `process_iter` scan.

use std::collections::HashMap;
use std::process::ExitCode;

use pskit::process::Attr;
use pskit::{AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM};

const AD: &str = "-";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> pskit::Result<()> {
    let templ = |c: [&str; 6]| {
        format!(
            "{:<5} {:<30} {:<30} {:<13} {:<6} {}",
            c[0], c[1], c[2], c[3], c[4], c[5]
        )
    };
    println!(
        "{}",
        templ([
            "Proto",
            "Local address",
            "Remote address",
            "Status",
            "PID",
            "Program name"
        ])
    );
    let proc_names: HashMap<u32, Option<String>> = pskit::process_iter([Attr::Pid, Attr::Name])?
        .into_iter()
        .map(|p| (p.pid(), p.name.value()))
        .collect();
    for c in pskit::net_connections("inet")? {
        let proto = match (c.family, c.r#type) {
            (AF_INET, SOCK_STREAM) => "tcp",
            (AF_INET6, SOCK_STREAM) => "tcp6",
            (AF_INET, SOCK_DGRAM) => "udp",
            (AF_INET6, SOCK_DGRAM) => "udp6",
            _ => continue,
        };
        // psutil's laddr is an (ip, port) tuple, or () for an unbound socket,
        // which the script cannot format: it stops there with an IndexError.
        let Some(l) = c.laddr.inet() else {
            return Err(pskit::Error::InvalidArgument(
                "IndexError: Replacement index 0 out of range for positional args tuple".into(),
            ));
        };
        let laddr = format!("{}:{}", l.ip, l.port);
        let raddr = c
            .raddr
            .inet()
            .map(|r| format!("{}:{}", r.ip, r.port))
            .unwrap_or_else(|| AD.to_string());
        // `proc_names.get(c.pid, '?') or ''`
        let name = match c.pid.map(|pid| proc_names.get(&pid)) {
            Some(Some(name)) => name.clone().unwrap_or_default(),
            _ => "?".to_string(),
        };
        let pid = c
            .pid
            .map(|p| p.to_string())
            .unwrap_or_else(|| AD.to_string());
        let name: String = name.chars().take(15).collect();
        println!("{}", templ([proto, &laddr, &raddr, c.status, &pid, &name]));
    }
    Ok(())
}
