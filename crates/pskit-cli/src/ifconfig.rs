//! `pskit ifconfig`: addresses, flags, MTU, speed, duplex and counters per interface,
//! like psutil's `scripts/ifconfig.py` and `ip -s addr`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use pskit::net::{AF_INET, AF_INET6, AF_LINK};
use pskit::{NetIoCounters, NicAddr, NicDuplex, NicStats};
use serde::Serialize;

use crate::fmt::{bytes2human, print_json, CmdResult};

/// Arguments of `pskit ifconfig`.
#[derive(clap::Args)]
pub struct Args {
    /// Show only these interfaces (all by default).
    interfaces: Vec<String>,
    /// Print JSON: per interface, its addresses, stats and I/O counters.
    #[arg(long)]
    json: bool,
}

/// Everything known about one interface.
#[derive(Serialize)]
struct Nic {
    addrs: Vec<NicAddr>,
    stats: Option<NicStats>,
    io: Option<NetIoCounters>,
}

fn family_name(family: i32) -> String {
    match family {
        AF_INET => "IPv4".into(),
        AF_INET6 => "IPv6".into(),
        AF_LINK => "MAC".into(),
        other => other.to_string(),
    }
}

fn duplex_name(d: NicDuplex) -> &'static str {
    match d {
        NicDuplex::Full => "full",
        NicDuplex::Half => "half",
        NicDuplex::Unknown => "?",
    }
}

fn print_nic(name: &str, nic: &Nic) {
    println!("{name}:");
    if let Some(st) = &nic.stats {
        println!(
            "    flags          : {}",
            if st.flags.is_empty() { "-" } else { &st.flags }
        );
        println!(
            "    stats          : speed={}MB, duplex={}, mtu={}, up={}",
            st.speed,
            duplex_name(st.duplex),
            st.mtu,
            if st.isup { "yes" } else { "no" }
        );
    }
    if let Some(io) = &nic.io {
        println!(
            "    incoming       : bytes={}, pkts={}, errs={}, drops={}",
            bytes2human(io.bytes_recv),
            io.packets_recv,
            io.errin,
            io.dropin
        );
        println!(
            "    outgoing       : bytes={}, pkts={}, errs={}, drops={}",
            bytes2human(io.bytes_sent),
            io.packets_sent,
            io.errout,
            io.dropout
        );
    }
    for a in &nic.addrs {
        println!("    {:<4} address   : {}", family_name(a.family), a.address);
        if let Some(b) = &a.broadcast {
            println!("         broadcast : {b}");
        }
        if let Some(m) = &a.netmask {
            println!("         netmask   : {m}");
        }
        if let Some(p) = &a.ptp {
            println!("         p2p       : {p}");
        }
    }
    println!();
}

/// Runs `pskit ifconfig`.
pub fn run(args: Args) -> CmdResult {
    let mut addrs = pskit::net_if_addrs()?;
    let mut stats = pskit::net_if_stats()?;
    let mut io = pskit::net_io_counters_pernic(true)?;
    let known: BTreeSet<String> = addrs
        .keys()
        .chain(stats.keys())
        .chain(io.keys())
        .cloned()
        .collect();
    for name in &args.interfaces {
        if !known.contains(name) {
            eprintln!("pskit: ifconfig: no such interface: {name}");
            return Ok(ExitCode::from(2));
        }
    }
    let wanted: Vec<String> = if args.interfaces.is_empty() {
        known.into_iter().collect()
    } else {
        args.interfaces.clone()
    };
    let nics: BTreeMap<String, Nic> = wanted
        .into_iter()
        .map(|name| {
            let nic = Nic {
                addrs: addrs.shift_remove(&name).unwrap_or_default(),
                stats: stats.shift_remove(&name),
                io: io.shift_remove(&name),
            };
            (name, nic)
        })
        .collect();
    if args.json {
        print_json(&nics)?;
    } else {
        for (name, nic) in &nics {
            print_nic(name, nic);
        }
    }
    Ok(ExitCode::SUCCESS)
}
