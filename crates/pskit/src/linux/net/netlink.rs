//! A netlink socket that runs dump requests and walks the answers without copying,
//! shared by the rtnetlink (`net_if_addrs`, `net_if_stats`) and sock_diag
//! (`net_connections`) readers.

use std::io;

use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NetlinkSerializable,
    NlasIterator, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_sys::{Socket, SocketAddr};

/// Receive buffer size: the kernel fills at most about 32 KiB per dump part.
const RECV_BUF: usize = 64 * 1024;

const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// The negative errno an NLMSG_ERROR or NLMSG_DONE payload starts with.
fn status(payload: &[u8]) -> i32 {
    payload
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map(i32::from_ne_bytes)
        .unwrap_or(0)
}

/// A connected netlink socket of one protocol. Dumps run one after the other on it.
pub(crate) struct NlSocket {
    socket: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl NlSocket {
    pub(crate) fn open(protocol: isize) -> io::Result<NlSocket> {
        // No bind or connect: the kernel binds the socket on its first send, and
        // requests go to the kernel's address explicitly.
        let socket = Socket::new(protocol)?;
        Ok(NlSocket {
            socket,
            seq: 0,
            buf: vec![0u8; RECV_BUF],
        })
    }

    /// Sends `request` as a dump and hands each answer's (message type, payload) to
    /// `each`, until the kernel says it is done. A netlink error comes back as the
    /// matching OS error (for example ENOENT when a sock_diag handler is missing).
    pub(crate) fn dump<I: NetlinkSerializable>(
        &mut self,
        request: I,
        mut each: impl FnMut(u16, &[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        header.sequence_number = self.seq;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(request));
        packet.finalize();
        let mut out = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut out);
        self.socket.send_to(&out, &SocketAddr::new(0, 0), 0)?;

        loop {
            let size = self.socket.recv(&mut &mut self.buf[..], 0)?;
            if size == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "netlink: empty read",
                ));
            }
            if walk_datagram(&self.buf[..size], self.seq, &mut each)? {
                return Ok(());
            }
        }
    }
}

/// Walks the netlink messages of one received datagram, handing each answer to
/// request `seq` to `each` as (message type, payload). `Ok(true)` when the dump is
/// done (NLMSG_DONE), `Ok(false)` when more datagrams follow; a netlink error comes
/// back as the matching OS error.
pub(crate) fn walk_datagram(
    buf: &[u8],
    seq: u32,
    each: &mut impl FnMut(u16, &[u8]) -> io::Result<()>,
) -> io::Result<bool> {
    let mut offset = 0;
    while offset + 16 <= buf.len() {
        let msg = NetlinkBuffer::new_checked(&buf[offset..]).map_err(|e| invalid(e.to_string()))?;
        let len = msg.length() as usize;
        if msg.sequence_number() == seq {
            let payload = msg.payload();
            match msg.message_type() {
                NLMSG_DONE => {
                    let code = status(payload);
                    return if code < 0 {
                        Err(io::Error::from_raw_os_error(code.saturating_neg()))
                    } else {
                        Ok(true)
                    };
                }
                NLMSG_ERROR => {
                    let code = status(payload);
                    if code < 0 {
                        return Err(io::Error::from_raw_os_error(code.saturating_neg()));
                    }
                }
                NLMSG_OVERRUN => return Err(invalid("netlink overrun")),
                NLMSG_NOOP => {}
                t => each(t, payload)?,
            }
        }
        // Messages are 4-byte aligned within a datagram; new_checked refused a
        // length below the 16-byte header, so this always advances.
        offset = offset.saturating_add((len + 3) & !3);
    }
    Ok(false)
}

/// Walks the netlink attributes in `bytes`, handing each (type, value) to `each` in
/// order. The nested and byte-order flag bits are stripped from the type.
pub(crate) fn attributes(bytes: &[u8], mut each: impl FnMut(u16, &[u8])) -> io::Result<()> {
    for nla in NlasIterator::new(bytes) {
        let nla = nla.map_err(|e| invalid(e.to_string()))?;
        each(nla.kind() & 0x3fff, nla.value());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let len = 16 + payload.len();
        let mut m = Vec::new();
        m.extend_from_slice(&(len as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(payload);
        while m.len() % 4 != 0 {
            m.push(0);
        }
        m
    }

    fn walk(buf: &[u8]) -> (io::Result<bool>, Vec<(u16, Vec<u8>)>) {
        let mut seen = Vec::new();
        let r = walk_datagram(buf, 7, &mut |t, p| {
            seen.push((t, p.to_vec()));
            Ok(())
        });
        (r, seen)
    }

    #[test]
    fn answers_to_our_request_until_done() {
        let mut buf = message(20, 7, b"abc");
        buf.extend(message(20, 8, b"other request"));
        buf.extend(message(NLMSG_NOOP, 7, b""));
        buf.extend(message(20, 7, b"de"));
        let (r, seen) = walk(&buf);
        assert!(!r.unwrap());
        assert_eq!(seen, [(20, b"abc".to_vec()), (20, b"de".to_vec())]);
        buf.extend(message(NLMSG_DONE, 7, &0i32.to_ne_bytes()));
        buf.extend(message(20, 7, b"after done"));
        let (r, seen) = walk(&buf);
        assert!(r.unwrap());
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn netlink_errors_and_garbage() {
        let enoent = message(NLMSG_ERROR, 7, &(-2i32).to_ne_bytes());
        assert_eq!(walk(&enoent).0.unwrap_err().raw_os_error(), Some(2));
        // An ack (error 0) is not an error.
        assert!(!walk(&message(NLMSG_ERROR, 7, &0i32.to_ne_bytes()))
            .0
            .unwrap());
        // A length below the header, or past the datagram, is invalid data.
        let mut short = message(20, 7, b"x");
        short[..4].copy_from_slice(&3u32.to_ne_bytes());
        assert_eq!(
            walk(&short).0.unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let mut long = message(20, 7, b"x");
        long[..4].copy_from_slice(&1000u32.to_ne_bytes());
        assert_eq!(
            walk(&long).0.unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert!(!walk(&[0u8; 15]).0.unwrap());
    }

    // `-code` overflowed for an error code of i32::MIN (a panic in debug builds).
    #[test]
    fn most_negative_error_code_does_not_overflow() {
        for kind in [NLMSG_ERROR, NLMSG_DONE] {
            let m = message(kind, 7, &i32::MIN.to_ne_bytes());
            assert_eq!(walk(&m).0.unwrap_err().raw_os_error(), Some(i32::MAX));
        }
    }

    #[test]
    fn attribute_walk() {
        let mut b = Vec::new();
        b.extend_from_slice(&6u16.to_ne_bytes());
        b.extend_from_slice(&(0x8000u16 | 3).to_ne_bytes());
        b.extend_from_slice(b"ab\0\0");
        let mut seen = Vec::new();
        attributes(&b, |k, v| seen.push((k, v.to_vec()))).unwrap();
        assert_eq!(seen, [(3, b"ab".to_vec())]);
        b[0] = 200;
        assert!(attributes(&b, |_, _| {}).is_err());
    }
}
