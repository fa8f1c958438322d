//! One netlink dump request and its multi-part answer, shared by the rtnetlink
//! (`net_if_addrs`, `net_if_stats`) and sock_diag (`net_connections`) readers.

use std::io;

use netlink_packet_core::{
    NetlinkDeserializable, NetlinkHeader, NetlinkMessage, NetlinkPayload, NetlinkSerializable,
    NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_sys::{Socket, SocketAddr};

/// Receive buffer size: the kernel fills at most about 32 KiB per dump part.
const RECV_BUF: usize = 64 * 1024;

/// Sends `request` as a dump on a fresh socket of `protocol` and hands each answer
/// message to `each`, until the kernel says it is done. A netlink error comes back as
/// the matching OS error (for example ENOENT when a sock_diag handler is missing).
pub(crate) fn dump<I>(protocol: isize, request: I, mut each: impl FnMut(I)) -> io::Result<()>
where
    I: NetlinkSerializable + NetlinkDeserializable,
{
    let mut socket = Socket::new(protocol)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;

    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.sequence_number = 1;
    let mut packet = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(request));
    packet.finalize();
    let mut out = vec![0u8; packet.buffer_len()];
    packet.serialize(&mut out);
    socket.send(&out, 0)?;

    let mut buf = vec![0u8; RECV_BUF];
    loop {
        let size = socket.recv(&mut &mut buf[..], 0)?;
        if size == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "netlink: empty read",
            ));
        }
        let mut offset = 0;
        while offset < size {
            let bytes = &buf[offset..size];
            let msg = NetlinkMessage::<I>::deserialize(bytes)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            let len = msg.header.length as usize;
            match msg.payload {
                NetlinkPayload::InnerMessage(m) => each(m),
                NetlinkPayload::Done(d) if d.code < 0 => {
                    return Err(io::Error::from_raw_os_error(-d.code))
                }
                NetlinkPayload::Done(_) => return Ok(()),
                NetlinkPayload::Error(e) if e.code.is_some() => return Err(e.to_io()),
                NetlinkPayload::Error(_) | NetlinkPayload::Noop => {}
                NetlinkPayload::Overrun(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "netlink overrun",
                    ))
                }
                _ => {}
            }
            if len == 0 {
                break;
            }
            // Messages are 4-byte aligned within a datagram.
            offset += (len + 3) & !3;
        }
    }
}
