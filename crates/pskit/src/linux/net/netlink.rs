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
            let mut offset = 0;
            while offset + 16 <= size {
                let msg = NetlinkBuffer::new_checked(&self.buf[offset..size])
                    .map_err(|e| invalid(e.to_string()))?;
                let len = msg.length() as usize;
                if msg.sequence_number() == self.seq {
                    let payload = msg.payload();
                    match msg.message_type() {
                        NLMSG_DONE => {
                            let code = status(payload);
                            return if code < 0 {
                                Err(io::Error::from_raw_os_error(-code))
                            } else {
                                Ok(())
                            };
                        }
                        NLMSG_ERROR => {
                            let code = status(payload);
                            if code < 0 {
                                return Err(io::Error::from_raw_os_error(-code));
                            }
                        }
                        NLMSG_OVERRUN => return Err(invalid("netlink overrun")),
                        NLMSG_NOOP => {}
                        t => each(t, payload)?,
                    }
                }
                // Messages are 4-byte aligned within a datagram.
                offset += (len + 3) & !3;
            }
        }
    }
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
