//! A clone of `ifconfig`: every network interface with its state, I/O counters
//! and addresses.
//!
//! Port of psutil's `scripts/ifconfig.py`:
//!
//! ```text
//! $ cargo run -p pskit --example ifconfig
//! lo:
//!     stats          : speed=0MB, duplex=?, mtu=65536, up=yes
//!     incoming       : bytes=1.95M, pkts=22158, errs=0, drops=0
//!     outgoing       : bytes=1.95M, pkts=22158, errs=0, drops=0
//!     IPv4 address   : 127.0.0.1
//!          netmask   : 255.0.0.0
//!     MAC  address   : 00:00:00:00:00:00
//! ```

use pskit::{bytes2human, NicDuplex};

fn main() -> pskit::Result<()> {
    let stats = pskit::net_if_stats()?;
    let io_counters = pskit::net_io_counters_pernic(true)?;
    for (nic, addrs) in pskit::net_if_addrs()? {
        println!("{nic}:");
        if let Some(st) = stats.get(&nic) {
            let duplex = match st.duplex {
                NicDuplex::Full => "full",
                NicDuplex::Half => "half",
                NicDuplex::Unknown => "?",
            };
            let up = if st.isup { "yes" } else { "no" };
            println!(
                "    stats          : speed={}MB, duplex={duplex}, mtu={}, up={up}",
                st.speed, st.mtu
            );
        }
        if let Some(io) = io_counters.get(&nic) {
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
        for addr in addrs {
            let family = match addr.family {
                pskit::AF_INET => "IPv4".to_string(),
                pskit::AF_INET6 => "IPv6".to_string(),
                pskit::AF_LINK => "MAC".to_string(),
                other => other.to_string(),
            };
            println!("    {family:<4} address   : {}", addr.address);
            // Python's truthiness: neither None nor "".
            let set = |x: &Option<String>| x.clone().filter(|s| !s.is_empty());
            if let Some(broadcast) = set(&addr.broadcast) {
                println!("         broadcast : {broadcast}");
            }
            if let Some(netmask) = set(&addr.netmask) {
                println!("         netmask   : {netmask}");
            }
            if let Some(ptp) = set(&addr.ptp) {
                println!("      p2p       : {ptp}");
            }
        }
        println!();
    }
    Ok(())
}
