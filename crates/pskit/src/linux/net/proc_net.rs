//! Pure parsers of `/proc/net/{tcp,tcp6,udp,udp6,unix}` (psutil's `NetConnections`
//! rules, reference §2.5).

use crate::linux::net::ipfmt::proc_hex_ip;
use crate::net::{
    Addr, ConnAddr, SocketEntry, AF_UNIX, CONN_CLOSE, CONN_CLOSE_WAIT, CONN_CLOSING,
    CONN_ESTABLISHED, CONN_FIN_WAIT1, CONN_FIN_WAIT2, CONN_LAST_ACK, CONN_LISTEN, CONN_NONE,
    CONN_SYN_RECV, CONN_SYN_SENT, CONN_TIME_WAIT, SOCK_STREAM,
};

/// The kernel's TCP state number as psutil's `CONN_*` string (`None` if unknown).
pub(crate) fn tcp_status(state: u8) -> Option<&'static str> {
    Some(match state {
        1 => CONN_ESTABLISHED,
        2 => CONN_SYN_SENT,
        3 => CONN_SYN_RECV,
        4 => CONN_FIN_WAIT1,
        5 => CONN_FIN_WAIT2,
        6 => CONN_TIME_WAIT,
        7 => CONN_CLOSE,
        8 => CONN_CLOSE_WAIT,
        9 => CONN_LAST_ACK,
        10 => CONN_LISTEN,
        11 => CONN_CLOSING,
        _ => return None,
    })
}

/// `HEXIP:HEXPORT` → an address; port 0 gives psutil's empty tuple.
fn decode_address(tok: &str, family: i32) -> Option<ConnAddr> {
    let (ip, port) = tok.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    if port == 0 {
        return Some(ConnAddr::Empty);
    }
    Some(ConnAddr::Inet(Addr {
        ip: proc_hex_ip(ip, family)?,
        port,
    }))
}

/// Parses `/proc/net/tcp*` or `/proc/net/udp*`: header skipped; tokens 1, 2, 3 and 9
/// are the local and remote address, the state and the inode. UDP is always "NONE".
pub(crate) fn parse_inet(
    text: &str,
    family: i32,
    r#type: i32,
) -> std::result::Result<Vec<SocketEntry>, String> {
    let mut out = Vec::new();
    for (lineno, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let malformed = || format!("malformed line {lineno} {line:?}");
        let mut toks = line.split_ascii_whitespace();
        let t: Vec<&str> = toks.by_ref().take(10).collect();
        if t.len() < 10 {
            return Err(malformed());
        }
        let state = u8::from_str_radix(t[3], 16).map_err(|_| malformed())?;
        let status = if r#type == SOCK_STREAM {
            tcp_status(state).ok_or_else(malformed)?
        } else {
            CONN_NONE
        };
        let (tx, rx) = t[4].split_once(':').ok_or_else(malformed)?;
        out.push(SocketEntry {
            family,
            r#type,
            laddr: decode_address(t[1], family).ok_or_else(malformed)?,
            raddr: decode_address(t[2], family).ok_or_else(malformed)?,
            status,
            inode: t[9].parse().map_err(|_| malformed())?,
            rx_queue: u64::from_str_radix(rx, 16).map_err(|_| malformed())?,
            tx_queue: u64::from_str_radix(tx, 16).map_err(|_| malformed())?,
            state,
            refcnt: 0,
            flags: 0,
            uid: t[7].parse().map_err(|_| malformed())?,
        });
    }
    Ok(out)
}

/// Parses `/proc/net/unix`: tokens 4 and 6 are the socket type (hex) and the inode;
/// the path is the rest of the line after the inode. Lines without a space are the
/// tail of a path that held a newline and are skipped (psutil #766).
///
/// psutil takes the path only when the line has exactly 8 tokens, so it reports `""`
/// for a path containing whitespace; pskit reports the path (the same text sock_diag
/// gives), on purpose.
pub(crate) fn parse_unix(text: &str) -> std::result::Result<Vec<SocketEntry>, String> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        if !line.contains(' ') {
            continue;
        }
        let malformed = || format!("malformed line {line:?}");
        // Walk the first 7 tokens, remembering where the 7th ends.
        let mut toks: [&str; 7] = [""; 7];
        let mut rest = line;
        for slot in toks.iter_mut() {
            let trimmed = rest.trim_start_matches(' ');
            let end = trimmed.find(' ').unwrap_or(trimmed.len());
            if end == 0 {
                return Err(malformed());
            }
            *slot = &trimmed[..end];
            rest = &trimmed[end..];
        }
        let path = rest.strip_prefix(' ').unwrap_or(rest);
        out.push(SocketEntry {
            family: AF_UNIX,
            r#type: i32::from_str_radix(toks[4], 16).map_err(|_| malformed())?,
            laddr: ConnAddr::Path(path.to_string()),
            raddr: ConnAddr::Path(String::new()),
            status: CONN_NONE,
            inode: toks[6].parse().map_err(|_| malformed())?,
            rx_queue: 0,
            tx_queue: 0,
            state: u8::from_str_radix(toks[5], 16).map_err(|_| malformed())?,
            refcnt: u32::from_str_radix(toks[1], 16).map_err(|_| malformed())?,
            flags: u32::from_str_radix(toks[3], 16).map_err(|_| malformed())?,
            uid: 0,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{AF_INET, AF_INET6, SOCK_DGRAM, SOCK_SEQPACKET};

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 647 1 00000000a64ac79d 100 0 0 10 0
   1: 0100007F:A1B2 0100007F:07E8 01 00000000:00000000 00:00000000 00000000  1000        0 9001 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:A1B4 0100007F:07E8 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
";

    fn inet(ip: &str, port: u16) -> ConnAddr {
        ConnAddr::Inet(Addr {
            ip: ip.into(),
            port,
        })
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn tcp_rows_decode_like_psutil() {
        let rows = parse_inet(TCP, AF_INET, SOCK_STREAM).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].laddr, inet("0.0.0.0", 2024));
        assert_eq!(
            rows[0].raddr,
            ConnAddr::Empty,
            "port 0 gives the empty tuple"
        );
        assert_eq!(rows[0].status, CONN_LISTEN);
        assert_eq!(rows[0].inode, 647);
        assert_eq!(rows[1].laddr, inet("127.0.0.1", 0xA1B2));
        assert_eq!(rows[1].raddr, inet("127.0.0.1", 2024));
        assert_eq!(rows[1].status, CONN_ESTABLISHED);
        assert_eq!(rows[2].status, CONN_TIME_WAIT);
        assert_eq!(rows[2].inode, 0);
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn udp_status_is_none_and_ipv6_words_swap() {
        let text = "header\n  1: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   0  0 77 2 0 0\n";
        let rows = parse_inet(text, AF_INET6, SOCK_DGRAM).unwrap();
        assert_eq!(rows[0].laddr, inet("::1", 53));
        assert_eq!(rows[0].status, CONN_NONE);
        assert_eq!(rows[0].r#type, SOCK_DGRAM);
    }

    #[test]
    fn every_tcp_state_maps() {
        let names: Vec<_> = (1..=11).map(|s| tcp_status(s).unwrap()).collect();
        assert_eq!(
            names,
            [
                "ESTABLISHED",
                "SYN_SENT",
                "SYN_RECV",
                "FIN_WAIT1",
                "FIN_WAIT2",
                "TIME_WAIT",
                "CLOSE",
                "CLOSE_WAIT",
                "LAST_ACK",
                "LISTEN",
                "CLOSING"
            ]
        );
        assert_eq!(tcp_status(0), None);
        assert_eq!(tcp_status(12), None);
    }

    #[test]
    fn inet_empty_header_only_and_garbage() {
        assert!(parse_inet("", AF_INET, SOCK_STREAM).unwrap().is_empty());
        assert!(parse_inet("header\n", AF_INET, SOCK_STREAM)
            .unwrap()
            .is_empty());
        assert!(parse_inet("h\n 0: 0100007F:0050\n", AF_INET, SOCK_STREAM).is_err());
        let bad_state = TCP.replace(" 0A ", " 0C ");
        assert!(parse_inet(&bad_state, AF_INET, SOCK_STREAM).is_err());
        let bad_ip = TCP.replace("0100007F:A1B2", "01Z0007F:A1B2");
        assert!(parse_inet(&bad_ip, AF_INET, SOCK_STREAM).is_err());
        let bad_inode = TCP.replace(" 9001 ", " x ");
        assert!(parse_inet(&bad_inode, AF_INET, SOCK_STREAM).is_err());
    }

    const UNIX: &str = "Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 20001 /run/systemd/private
0000000000000000: 00000002 00000000 00000000 0002 01 20002 @/tmp/.abstract
0000000000000000: 00000003 00000000 00000000 0001 03   643
0000000000000000: 00000002 00000000 00000000 0005 01 20003 /tmp/with space.sock
continuation-of-a-path-with-a-newline
";

    #[test]
    fn unix_rows() {
        let rows = parse_unix(UNIX).unwrap();
        assert_eq!(rows.len(), 4, "the line without a space is skipped (#766)");
        assert_eq!(rows[0].laddr, ConnAddr::Path("/run/systemd/private".into()));
        assert_eq!(rows[0].raddr, ConnAddr::Path(String::new()));
        assert_eq!(rows[0].status, CONN_NONE);
        assert_eq!(rows[0].r#type, SOCK_STREAM);
        assert_eq!(rows[0].inode, 20001);
        assert_eq!(rows[1].laddr, ConnAddr::Path("@/tmp/.abstract".into()));
        assert_eq!(rows[1].r#type, SOCK_DGRAM);
        assert_eq!(rows[2].laddr, ConnAddr::Path(String::new()), "unbound");
        assert_eq!(rows[2].inode, 643);
        assert_eq!(rows[3].r#type, SOCK_SEQPACKET);
        assert_eq!(rows[3].laddr, ConnAddr::Path("/tmp/with space.sock".into()));
    }

    #[test]
    fn unix_empty_and_garbage() {
        assert!(parse_unix("").unwrap().is_empty());
        assert!(parse_unix("header\n").unwrap().is_empty());
        assert!(parse_unix("h\n0000: 00000002 00000000\n").is_err());
        assert!(parse_unix("h\n0000: 2 0 0 00x1 01 5 /p\n").is_err());
        assert!(parse_unix("h\n0000: 2 0 0 0001 01 five /p\n").is_err());
    }
}
