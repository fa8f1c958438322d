//! NETLINK_SOCK_DIAG dumps (inet_diag for TCP/UDP over IPv4/IPv6, unix_diag), giving
//! the same rows as the `/proc/net` tables, from one kernel snapshot per table.

use std::io;
use std::net::IpAddr;

use netlink_packet_core::ParseableParametrized;
use netlink_packet_sock_diag::constants::{IPPROTO_TCP, IPPROTO_UDP};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_packet_sock_diag::unix::nlas::UnixDiagName;
use netlink_packet_sock_diag::unix::{self, ShowFlags, UnixRequest};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_sys::protocols::NETLINK_SOCK_DIAG;

use crate::linux::net::ipfmt::ipv6_text;
use crate::linux::net::netlink::NlSocket;
use crate::linux::net::proc_net::tcp_status;
use crate::net::{Addr, ConnAddr, SocketEntry, AF_INET6, AF_UNIX, CONN_NONE, SOCK_STREAM};

/// TCP states 1 (ESTABLISHED) through 12 (NEW_SYN_RECV, reported as SYN_RECV): what
/// `/proc/net/tcp` lists. Bit 13 (BOUND_INACTIVE, Linux 6.6) would add bound-only
/// sockets that the proc tables do not show.
const PROC_VISIBLE_STATES: u32 = 0x1ffe;

fn conn_addr(ip: IpAddr, port: u16) -> ConnAddr {
    if port == 0 {
        return ConnAddr::Empty;
    }
    let ip = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => ipv6_text(&v6),
    };
    ConnAddr::Inet(Addr { ip, port })
}

/// A unix_diag name as `/proc/net/unix` prints it: abstract names start with `@`, and
/// NUL bytes inside them print as `@`.
fn unix_path(name: Option<&UnixDiagName>) -> String {
    match name {
        None => String::new(),
        Some(UnixDiagName::Pathname(p)) => p.to_string_lossy().into_owned(),
        Some(UnixDiagName::Abstract(bytes)) => {
            let mapped: Vec<u8> = std::iter::once(b'@')
                .chain(bytes.iter().map(|&b| if b == 0 { b'@' } else { b }))
                .collect();
            String::from_utf8_lossy(&mapped).into_owned()
        }
    }
}

/// A sock_diag socket; each table is one dump on it.
pub(crate) struct Diag(NlSocket);

/// A sock_diag answer, parsed by netlink-packet-sock-diag.
fn parse(t: u16, payload: &[u8]) -> io::Result<SockDiagMessage> {
    SockDiagMessage::parse_with_param(payload, t)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

impl Diag {
    pub(crate) fn open() -> io::Result<Diag> {
        NlSocket::open(NETLINK_SOCK_DIAG).map(Diag)
    }

    /// The TCP or UDP sockets of one family (`r#type` is SOCK_STREAM or SOCK_DGRAM).
    pub(crate) fn inet_sockets(
        &mut self,
        family: i32,
        r#type: i32,
    ) -> io::Result<Vec<SocketEntry>> {
        let (af, socket_id) = if family == AF_INET6 {
            (
                netlink_packet_sock_diag::constants::AF_INET6,
                SocketId::new_v6(),
            )
        } else {
            (
                netlink_packet_sock_diag::constants::AF_INET,
                SocketId::new_v4(),
            )
        };
        let protocol = if r#type == SOCK_STREAM {
            IPPROTO_TCP
        } else {
            IPPROTO_UDP
        };
        let req = SockDiagMessage::InetRequest(InetRequest {
            family: af,
            protocol,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::from_bits_retain(PROC_VISIBLE_STATES),
            socket_id,
        });
        let mut out = Vec::new();
        self.0.dump(req, |t, payload| {
            out.extend(inet_entry(t, payload, family, r#type)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every UNIX socket, with its bound path.
    pub(crate) fn unix_sockets(&mut self) -> io::Result<Vec<SocketEntry>> {
        let req = SockDiagMessage::UnixRequest(UnixRequest {
            state_flags: unix::StateFlags::from_bits_retain(u32::MAX),
            inode: 0,
            show_flags: ShowFlags::NAME,
            cookie: [0xff; 8],
        });
        let mut out = Vec::new();
        self.0.dump(req, |t, payload| {
            out.extend(unix_entry(t, payload)?);
            Ok(())
        })?;
        Ok(out)
    }
}

/// One inet_diag answer (message type `t`) as a row of the TCP or UDP table of
/// `family`; `None` for other messages and for TCP states `/proc/net/tcp` would not
/// name.
pub(crate) fn inet_entry(
    t: u16,
    payload: &[u8],
    family: i32,
    r#type: i32,
) -> io::Result<Option<SocketEntry>> {
    let SockDiagMessage::InetResponse(r) = parse(t, payload)? else {
        return Ok(None);
    };
    let h = &r.header;
    let status = if r#type == SOCK_STREAM {
        match tcp_status(h.state) {
            Some(s) => s,
            None => return Ok(None),
        }
    } else {
        CONN_NONE
    };
    let id = &h.socket_id;
    Ok(Some(SocketEntry {
        family,
        r#type,
        laddr: conn_addr(id.source_address, id.source_port),
        raddr: conn_addr(id.destination_address, id.destination_port),
        status,
        inode: u64::from(h.inode),
        rx_queue: u64::from(h.recv_queue),
        tx_queue: u64::from(h.send_queue),
        state: h.state,
        refcnt: 0,
        flags: 0,
        uid: h.uid,
    }))
}

/// One unix_diag answer (message type `t`) as a row of the UNIX table; `None` for
/// other messages.
pub(crate) fn unix_entry(t: u16, payload: &[u8]) -> io::Result<Option<SocketEntry>> {
    let SockDiagMessage::UnixResponse(r) = parse(t, payload)? else {
        return Ok(None);
    };
    Ok(Some(SocketEntry {
        family: AF_UNIX,
        r#type: i32::from(r.header.kind),
        laddr: ConnAddr::Path(unix_path(r.name())),
        raddr: ConnAddr::Path(String::new()),
        status: CONN_NONE,
        inode: u64::from(r.header.inode),
        rx_queue: 0,
        tx_queue: 0,
        state: r.header.state,
        refcnt: 0,
        flags: 0,
        uid: 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn abstract_names_print_like_proc() {
        assert_eq!(unix_path(None), "");
        let p = UnixDiagName::Pathname(OsString::from("/run/x.sock"));
        assert_eq!(unix_path(Some(&p)), "/run/x.sock");
        let a = UnixDiagName::Abstract(b"name\0x".to_vec());
        assert_eq!(unix_path(Some(&a)), "@name@x");
    }

    #[test]
    fn port_zero_is_empty() {
        assert_eq!(conn_addr("0.0.0.0".parse().unwrap(), 0), ConnAddr::Empty);
        assert_eq!(
            conn_addr("::ffff:127.0.0.1".parse().unwrap(), 80).to_string(),
            "[::ffff:127.0.0.1]:80"
        );
    }
}
