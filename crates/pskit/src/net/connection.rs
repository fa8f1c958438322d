//! Socket rows of `net_connections` (psutil `sconn`) and their addresses.

use std::fmt;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// An IP address and port (psutil's `addr(ip, port)` named tuple).
///
/// ```
/// let a = pskit::net::Addr { ip: "127.0.0.1".into(), port: 80 };
/// assert_eq!(a.to_string(), "127.0.0.1:80");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Addr {
    /// The address in text form.
    pub ip: String,
    /// The port.
    pub port: u16,
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ip.contains(':') {
            write!(f, "[{}]:{}", self.ip, self.port)
        } else {
            write!(f, "{}:{}", self.ip, self.port)
        }
    }
}

impl Serialize for Addr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("addr", 2)?;
        st.serialize_field("ip", &self.ip)?;
        st.serialize_field("port", &self.port)?;
        st.end()
    }
}

/// A socket's local or remote address, in psutil's three shapes.
///
/// JSON: an [`Addr`] object, `[]` for psutil's empty tuple, or the path string.
///
/// ```
/// use pskit::net::ConnAddr;
/// assert_eq!(serde_json::to_string(&ConnAddr::Empty).unwrap(), "[]");
/// assert_eq!(serde_json::to_string(&ConnAddr::Path("/run/x".into())).unwrap(), "\"/run/x\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnAddr {
    /// An inet address with a non-zero port.
    Inet(Addr),
    /// psutil's empty tuple `()`: an inet endpoint whose port is 0 (unbound, or the peer
    /// of a listening or unconnected socket).
    Empty,
    /// A UNIX socket's path (`@name` for the abstract namespace); `""` when unbound, and
    /// always `""` for the peer (psutil cannot see UNIX peers).
    Path(String),
}

impl ConnAddr {
    /// The inet address, if this is one.
    ///
    /// ```
    /// assert!(pskit::net::ConnAddr::Empty.inet().is_none());
    /// ```
    pub fn inet(&self) -> Option<&Addr> {
        match self {
            ConnAddr::Inet(a) => Some(a),
            _ => None,
        }
    }

    /// True for psutil's empty tuple and for an empty path.
    ///
    /// ```
    /// assert!(pskit::net::ConnAddr::Path(String::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        match self {
            ConnAddr::Inet(_) => false,
            ConnAddr::Empty => true,
            ConnAddr::Path(p) => p.is_empty(),
        }
    }
}

impl fmt::Display for ConnAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnAddr::Inet(a) => a.fmt(f),
            ConnAddr::Empty => Ok(()),
            ConnAddr::Path(p) => f.write_str(p),
        }
    }
}

impl Serialize for ConnAddr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ConnAddr::Inet(a) => a.serialize(s),
            ConnAddr::Empty => s.serialize_seq(Some(0))?.end(),
            ConnAddr::Path(p) => s.serialize_str(p),
        }
    }
}

/// One socket (psutil `sconn`).
///
/// ```
/// for c in pskit::net_connections("tcp").unwrap() {
///     assert_eq!(c.r#type, pskit::net::SOCK_STREAM);
///     assert!(c.family == pskit::net::AF_INET || c.family == pskit::net::AF_INET6);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Connection {
    /// The file descriptor in the owning process, -1 when unknown.
    pub fd: i32,
    /// [`AF_INET`](super::AF_INET), [`AF_INET6`](super::AF_INET6) or [`AF_UNIX`](super::AF_UNIX).
    pub family: i32,
    /// [`SOCK_STREAM`](super::SOCK_STREAM), [`SOCK_DGRAM`](super::SOCK_DGRAM) or [`SOCK_SEQPACKET`](super::SOCK_SEQPACKET) (psutil's field `type`).
    pub r#type: i32,
    /// The local address.
    pub laddr: ConnAddr,
    /// The remote address.
    pub raddr: ConnAddr,
    /// A `CONN_*` value: the TCP state, [`CONN_NONE`](super::CONN_NONE) for UDP and UNIX sockets.
    pub status: &'static str,
    /// The owning process, `None` when it could not be found (another user's process
    /// without privileges, another pid namespace, or no process: TIME_WAIT sockets).
    pub pid: Option<u32>,
}

/// One row of a socket table before the owner lookup: what `/proc/net/{tcp,udp,unix}`
/// (or sock_diag) says about a socket.
///
/// ```
/// let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0\n";
/// let rows = pskit::net::parse_proc_net_inet(text, pskit::net::AF_INET, pskit::net::SOCK_STREAM).unwrap();
/// assert_eq!(rows[0].inode, 4242);
/// assert_eq!(rows[0].status, pskit::CONN_LISTEN);
/// assert_eq!(rows[0].laddr.to_string(), "127.0.0.1:8080");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SocketEntry {
    /// [`AF_INET`](super::AF_INET), [`AF_INET6`](super::AF_INET6) or [`AF_UNIX`](super::AF_UNIX).
    pub family: i32,
    /// [`SOCK_STREAM`](super::SOCK_STREAM), [`SOCK_DGRAM`](super::SOCK_DGRAM) or [`SOCK_SEQPACKET`](super::SOCK_SEQPACKET).
    pub r#type: i32,
    /// The local address.
    pub laddr: ConnAddr,
    /// The remote address.
    pub raddr: ConnAddr,
    /// A `CONN_*` value.
    pub status: &'static str,
    /// The socket inode (0 for TIME_WAIT and request sockets).
    pub inode: u64,
    /// Bytes queued for reading (netstat's Recv-Q; for a listening TCP socket,
    /// its accept queue).
    pub rx_queue: u64,
    /// Bytes queued for sending (netstat's Send-Q; a listening socket's backlog).
    pub tx_queue: u64,
    /// The kernel's state number: a TCP state (1 ESTABLISHED … 10 LISTEN, 7 for
    /// an unconnected UDP socket) or, for UNIX sockets, an `SS_*` value.
    pub state: u8,
    /// UNIX sockets: the reference count (`/proc/net/unix` only; 0 from
    /// sock_diag).
    pub refcnt: u32,
    /// UNIX sockets: the flags word (`__SO_ACCEPTCON` = 0x10000 marks a
    /// listening socket; `/proc/net/unix` only, 0 from sock_diag).
    pub flags: u32,
    /// TCP and UDP sockets: the owner's uid (netstat -e's User); 0 for UNIX
    /// sockets.
    pub uid: u32,
}
