//! Network: I/O counters, interface addresses and stats, socket connections (psutil §2.5).
//!
//! Where psutil calls getifaddrs(3) and ioctls, pskit (which forbids unsafe code) asks the
//! kernel over rtnetlink and reads sysfs, and rebuilds the same answer. Socket tables come
//! from NETLINK_SOCK_DIAG when the root is the host's (faster, and one consistent snapshot
//! per table) and from `{proc}/net/{tcp,tcp6,udp,udp6,unix}` otherwise, as psutil does.

use indexmap::IndexMap;

use serde::{Serialize, Serializer};

use crate::error::Result;
use crate::linux::net as sys;
use crate::root::Root;

mod connection;
pub use connection::{Addr, ConnAddr, Connection, SocketEntry};

/// `AF_UNIX` (1): the family of UNIX domain sockets.
pub const AF_UNIX: i32 = 1;
/// `AF_INET` (2): IPv4.
pub const AF_INET: i32 = 2;
/// `AF_INET6` (10): IPv6.
pub const AF_INET6: i32 = 10;
/// psutil's `AF_LINK`: the family of MAC addresses in [`net_if_addrs`], 17 (`AF_PACKET`)
/// on Linux.
pub const AF_LINK: i32 = 17;

/// `SOCK_STREAM` (1): TCP and stream UNIX sockets.
pub const SOCK_STREAM: i32 = 1;
/// `SOCK_DGRAM` (2): UDP and datagram UNIX sockets.
pub const SOCK_DGRAM: i32 = 2;
/// `SOCK_SEQPACKET` (5): sequenced-packet UNIX sockets.
pub const SOCK_SEQPACKET: i32 = 5;

/// TCP state "ESTABLISHED".
pub const CONN_ESTABLISHED: &str = "ESTABLISHED";
/// TCP state "SYN_SENT".
pub const CONN_SYN_SENT: &str = "SYN_SENT";
/// TCP state "SYN_RECV".
pub const CONN_SYN_RECV: &str = "SYN_RECV";
/// TCP state "FIN_WAIT1".
pub const CONN_FIN_WAIT1: &str = "FIN_WAIT1";
/// TCP state "FIN_WAIT2".
pub const CONN_FIN_WAIT2: &str = "FIN_WAIT2";
/// TCP state "TIME_WAIT".
pub const CONN_TIME_WAIT: &str = "TIME_WAIT";
/// TCP state "CLOSE".
pub const CONN_CLOSE: &str = "CLOSE";
/// TCP state "CLOSE_WAIT".
pub const CONN_CLOSE_WAIT: &str = "CLOSE_WAIT";
/// TCP state "LAST_ACK".
pub const CONN_LAST_ACK: &str = "LAST_ACK";
/// TCP state "LISTEN".
pub const CONN_LISTEN: &str = "LISTEN";
/// TCP state "CLOSING".
pub const CONN_CLOSING: &str = "CLOSING";
/// The status of UDP and UNIX sockets, "NONE".
pub const CONN_NONE: &str = "NONE";

/// Full duplex (psutil `NIC_DUPLEX_FULL`, 2).
pub const NIC_DUPLEX_FULL: NicDuplex = NicDuplex::Full;
/// Half duplex (psutil `NIC_DUPLEX_HALF`, 1).
pub const NIC_DUPLEX_HALF: NicDuplex = NicDuplex::Half;
/// Unknown duplex (psutil `NIC_DUPLEX_UNKNOWN`, 0).
pub const NIC_DUPLEX_UNKNOWN: NicDuplex = NicDuplex::Unknown;

/// The `kind` values [`net_connections`] accepts, in psutil's order (its error message
/// lists them in this order).
pub const CONN_KINDS: [&str; 11] = [
    "all", "tcp", "tcp4", "udp", "udp4", "inet", "inet4", "inet6", "tcp6", "udp6", "unix",
];

/// Network I/O counters of one interface or of all (psutil `snetio`).
///
/// ```
/// // Every Linux system has at least `lo`, so the total is there.
/// let io = pskit::net_io_counters(false).unwrap().expect("lo at least");
/// println!("sent {} bytes, received {} bytes", io.bytes_sent, io.bytes_recv);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NetIoCounters {
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_recv: u64,
    /// Packets sent.
    pub packets_sent: u64,
    /// Packets received.
    pub packets_recv: u64,
    /// Errors while receiving.
    pub errin: u64,
    /// Errors while sending.
    pub errout: u64,
    /// Incoming packets dropped.
    pub dropin: u64,
    /// Outgoing packets dropped.
    pub dropout: u64,
}

impl NetIoCounters {
    pub(crate) fn from_array(v: [u64; 8]) -> NetIoCounters {
        NetIoCounters {
            bytes_sent: v[0],
            bytes_recv: v[1],
            packets_sent: v[2],
            packets_recv: v[3],
            errin: v[4],
            errout: v[5],
            dropin: v[6],
            dropout: v[7],
        }
    }
}

/// One address of a network interface (psutil `snicaddr`).
///
/// `family` is [`AF_INET`], [`AF_INET6`] or [`AF_LINK`] (a MAC address); it serializes as
/// the number, as psutil's `AddressFamily` does in JSON.
///
/// ```
/// let addrs = pskit::net_if_addrs().unwrap();
/// for (nic, list) in &addrs {
///     for a in list {
///         println!("{nic}: family {} {}", a.family, a.address);
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NicAddr {
    /// [`AF_INET`], [`AF_INET6`] or [`AF_LINK`].
    pub family: i32,
    /// The address: dotted IPv4, IPv6 (with `%nic` for link-local ones), or a MAC.
    pub address: String,
    /// The netmask (IPv4/IPv6 only).
    pub netmask: Option<String>,
    /// The broadcast address, on interfaces with the broadcast flag.
    pub broadcast: Option<String>,
    /// The peer address, on point-to-point interfaces.
    pub ptp: Option<String>,
}

/// A NIC's duplex mode (psutil `NicDuplex`); serializes as psutil's number.
///
/// ```
/// assert_eq!(pskit::NIC_DUPLEX_FULL as i32, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NicDuplex {
    /// Unknown (0).
    Unknown = 0,
    /// Half duplex (1).
    Half = 1,
    /// Full duplex (2).
    Full = 2,
}

impl Serialize for NicDuplex {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_i32(*self as i32)
    }
}

/// A network interface's state (psutil `snicstats`).
///
/// ```
/// let stats = pskit::net_if_stats().unwrap();
/// for (nic, s) in &stats {
///     assert_eq!(s.isup, s.flags.split(',').any(|f| f == "running"), "{nic}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NicStats {
    /// True when the interface is up and running (`running` is among the flags).
    pub isup: bool,
    /// Full, half or unknown.
    pub duplex: NicDuplex,
    /// The link speed in Mb/s; 0 when unknown.
    pub speed: u32,
    /// The MTU in bytes.
    pub mtu: u32,
    /// The IFF_* flags set, as psutil names them, comma-separated in psutil's order
    /// (e.g. `"up,broadcast,running,multicast"`).
    pub flags: String,
}

/// System-wide network I/O counters summed over every interface, `lo` included
/// (psutil `net_io_counters(pernic=False, nowrap)`); `None` when there is no interface.
///
/// With `nowrap`, counters that went backwards (32-bit wrap, or a NIC re-created) are
/// corrected per NIC before the sum, from state kept across calls (psutil §1.3); see
/// [`net_io_counters_cache_clear`].
///
/// ```
/// let total = pskit::net_io_counters(true).unwrap();
/// println!("{total:?}");
/// ```
pub fn net_io_counters(nowrap: bool) -> Result<Option<NetIoCounters>> {
    sys::dev::net_io_counters(&Root::current(), nowrap)
}

/// Network I/O counters per interface, keyed by name (psutil
/// `net_io_counters(pernic=True, nowrap)`).
///
/// ```
/// let per = pskit::net_io_counters_pernic(true).unwrap();
/// if let Some(lo) = per.get("lo") {
///     assert_eq!(lo.bytes_sent, lo.bytes_recv);
/// }
/// ```
pub fn net_io_counters_pernic(nowrap: bool) -> Result<IndexMap<String, NetIoCounters>> {
    sys::dev::net_io_counters_pernic(&Root::current(), nowrap)
}

/// Forgets the `nowrap` state of [`net_io_counters`] (psutil
/// `net_io_counters.cache_clear()`).
///
/// ```
/// pskit::net_io_counters_cache_clear();
/// ```
pub fn net_io_counters_cache_clear() {
    sys::dev::cache_clear();
}

/// The addresses of every network interface (psutil `net_if_addrs`).
///
/// Each NIC's list is ordered by family (IPv4, IPv6, then the MAC as [`AF_LINK`]), as
/// psutil stable-sorts getifaddrs' list. Alias labels such as `eth0:1` are keys of their
/// own. Built from rtnetlink dumps rebuilt the way glibc's getifaddrs does it, so
/// broadcast and point-to-point peers come out as psutil reports them. Like psutil's
/// syscalls, this describes the live kernel whatever the [`Root`].
///
/// ```
/// let addrs = pskit::net_if_addrs().unwrap();
/// if let Some(lo) = addrs.get("lo") {
///     assert!(lo.iter().any(|a| a.address == "127.0.0.1" || a.address == "::1"));
/// }
/// ```
pub fn net_if_addrs() -> Result<IndexMap<String, Vec<NicAddr>>> {
    sys::addrs::net_if_addrs()
}

/// The state of every interface listed in `{proc}/net/dev` (psutil `net_if_stats`).
///
/// On the host root the flags and MTU come from rtnetlink (the same flags word as
/// psutil's SIOCGIFFLAGS ioctl); under another root from `{sys}/class/net/<nic>`, with
/// `running` derived from `operstate` as the kernel does (there, `promisc` also shows
/// when a bridge, not a user, asked for it). `isup` is psutil's "running is among the
/// flags", which implies "up". Speed and duplex come from
/// `{sys}/class/net/<nic>/{speed,duplex}`; the kernel answers those only for a running
/// NIC with ethtool support, otherwise they are 0 and unknown.
///
/// ```
/// let stats = pskit::net_if_stats().unwrap();
/// if let Some(lo) = stats.get("lo") {
///     assert!(lo.flags.contains("loopback"));
/// }
/// ```
pub fn net_if_stats() -> Result<IndexMap<String, NicStats>> {
    sys::stats::net_if_stats(&Root::current())
}

/// System-wide sockets (psutil `net_connections(kind)`).
///
/// `kind` is one of [`CONN_KINDS`]: `inet` (the default in psutil), `inet4`, `inet6`,
/// `tcp`, `tcp4`, `tcp6`, `udp`, `udp4`, `udp6`, `unix` or `all`; anything else is an
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the valid ones.
///
/// Rows are unique (psutil returns a set); their order is unspecified. Owners are found
/// by scanning `{proc}/<pid>/fd`; processes that cannot be read are skipped, so without
/// privileges other users' sockets have `pid: None` and `fd: -1`.
///
/// ```
/// let conns = pskit::net_connections("inet").unwrap();
/// for c in conns.iter().filter(|c| c.status == pskit::CONN_LISTEN) {
///     println!("listening on {} (pid {:?})", c.laddr, c.pid);
/// }
/// assert!(pskit::net_connections("bogus").is_err());
/// ```
pub fn net_connections(kind: &str) -> Result<Vec<Connection>> {
    sys::conn::net_connections(&Root::current(), kind, None, sys::conn::Source::Auto)
}

/// The sockets of some processes only: [`net_connections`] restricted to the pids given
/// (psutil's `Process.net_connections` path), or system-wide with `None`.
///
/// Only those processes' fd tables are scanned. If none of them holds a socket the
/// socket tables are not read at all. A pid whose fd table cannot be listed gives the
/// I/O error (its path names the pid), so a caller can tell a vanished process from a
/// permission problem.
///
/// ```
/// let me = std::process::id();
/// let mine = pskit::net::net_connections_pids("all", Some(&[me])).unwrap();
/// assert!(mine.iter().all(|c| c.pid == Some(me)));
/// ```
pub fn net_connections_pids(kind: &str, pids: Option<&[u32]>) -> Result<Vec<Connection>> {
    sys::conn::net_connections(&Root::current(), kind, pids, sys::conn::Source::Auto)
}

/// Which process holds each socket, by inode (beyond psutil: what `netstat -p`
/// and `lsof` show beside a socket table): the holding pid and its fds on it, in
/// fd order. When several processes share a socket, the highest pid is kept, as
/// psutil does. Processes that cannot be read (another user's, without
/// privileges) are left out.
///
/// ```
/// let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let owners = pskit::net::socket_owners().unwrap();
/// assert!(owners.values().any(|(pid, _)| *pid == std::process::id()));
/// ```
pub fn socket_owners() -> Result<std::collections::HashMap<u64, (u32, Vec<i32>)>> {
    let root = Root::current();
    Ok(
        sys::inodes::socket_owners(root.proc(), None, sys::inodes::OnError::SkipProcess)?
            .into_iter()
            .map(|(inode, o)| (inode, (o.pid, o.fds)))
            .collect(),
    )
}

/// Parses the text of `/proc/net/tcp`, `tcp6`, `udp` or `udp6` (psutil's rules: port 0
/// gives [`ConnAddr::Empty`], UDP sockets have status [`CONN_NONE`]).
///
/// ```
/// let rows = pskit::net::parse_proc_net_inet("header\n", pskit::net::AF_INET6, pskit::net::SOCK_DGRAM).unwrap();
/// assert!(rows.is_empty());
/// ```
pub fn parse_proc_net_inet(text: &str, family: i32, r#type: i32) -> Result<Vec<SocketEntry>> {
    sys::proc_net::parse_inet(text, family, r#type).map_err(crate::Error::InvalidArgument)
}

/// Parses the text of `/proc/net/unix`.
///
/// ```
/// let text = "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/x.sock\n";
/// let rows = pskit::net::parse_proc_net_unix(text).unwrap();
/// assert_eq!(rows[0].laddr.to_string(), "/run/x.sock");
/// assert_eq!(rows[0].inode, 12345);
/// ```
pub fn parse_proc_net_unix(text: &str) -> Result<Vec<SocketEntry>> {
    sys::proc_net::parse_unix(text).map_err(crate::Error::InvalidArgument)
}

/// Parses the text of `/proc/net/dev` into (name, counters) in file order.
///
/// ```
/// let text = "Inter-|   Receive\n face |bytes\n    lo: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n";
/// let rows = pskit::net::parse_proc_net_dev(text).unwrap();
/// assert_eq!(rows[0].0, "lo");
/// assert_eq!(rows[0].1.bytes_recv, 10);
/// assert_eq!(rows[0].1.bytes_sent, 20);
/// ```
pub fn parse_proc_net_dev(text: &str) -> Result<Vec<(String, NetIoCounters)>> {
    sys::dev::parse_net_dev(text)
        .map(|v| {
            v.into_iter()
                .map(|(n, a)| (n, NetIoCounters::from_array(a)))
                .collect()
        })
        .map_err(crate::Error::InvalidArgument)
}

/// The name of a process as `netstat -p` and `ss -p` show it (`{proc}/<pid>/comm`).
///
/// A small stand-in for `Process::name()` that the network tools need.
///
/// ```
/// let name = pskit::net::process_comm(std::process::id()).unwrap();
/// assert!(!name.is_empty());
/// ```
pub fn process_comm(pid: u32) -> Result<String> {
    sys::conn::process_comm(&Root::current(), pid)
}
