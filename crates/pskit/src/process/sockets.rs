//! `Process::net_connections` (psutil §3.4): the sockets one process holds, from
//! the same socket tables as the system-wide `net_connections`, scanning only this
//! process's fds.

use serde::Serialize;

use crate::error::Result;
use crate::net::ConnAddr;
use crate::process::Process;

/// A socket of one process (psutil `pconn`): the fields of a system-wide
/// connection without the pid.
///
/// ```
/// let me = pskit::Process::current().unwrap();
/// for c in me.net_connections("inet").unwrap() {
///     assert!(c.fd >= 0);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ProcessConnection {
    /// The file descriptor.
    pub fd: i32,
    /// `AF_INET`, `AF_INET6` or `AF_UNIX`.
    pub family: i32,
    /// `SOCK_STREAM`, `SOCK_DGRAM` or `SOCK_SEQPACKET` (psutil's field `type`).
    pub r#type: i32,
    /// The local address.
    pub laddr: ConnAddr,
    /// The remote address.
    pub raddr: ConnAddr,
    /// A `CONN_*` value (`NONE` for UDP and UNIX sockets).
    pub status: &'static str,
}

impl Process {
    /// The sockets this process has open, filtered by `kind` as the system-wide
    /// [`crate::net_connections`] (psutil `Process.net_connections(kind)`).
    /// Another user's process gives AccessDenied; a vanished one NoSuchProcess.
    ///
    /// ```
    /// let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let me = pskit::Process::current().unwrap();
    /// let tcp = me.net_connections("tcp4").unwrap();
    /// let port = l.local_addr().unwrap().port();
    /// assert!(tcp.iter().any(|c| matches!(&c.laddr, pskit::net::ConnAddr::Inet(a) if a.port == port)));
    /// ```
    pub fn net_connections(&self, kind: &str) -> Result<Vec<ProcessConnection>> {
        let conns =
            crate::linux::net::conn::process_connections(&self.root, kind, self.pid, || {
                // From the fd directory this oneshot scope read already, if any.
                Ok(self.fd_table()?.sockets())
            })
            .map_err(|e| self.translate(e))?;
        Ok(conns
            .into_iter()
            .map(|c| ProcessConnection {
                fd: c.fd,
                family: c.family,
                r#type: c.r#type,
                laddr: c.laddr,
                raddr: c.raddr,
                status: c.status,
            })
            .collect())
    }
}
