//! Address text exactly as glibc prints it (psutil goes through inet_ntop and
//! getnameinfo), and the hex address form of `/proc/net/{tcp,udp}*`.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

/// IPv6 text as glibc's inet_ntop writes it: the longest run (first on a tie) of two or
/// more zero groups becomes `::`, and an IPv4 tail is kept dotted for `::a.b.c.d`
/// (IPv4-compatible, six zero groups) and `::ffff:a.b.c.d` (IPv4-mapped). Rust's
/// `Display` differs on the IPv4-compatible form, hence this function.
pub(crate) fn ipv6_text(addr: &Ipv6Addr) -> String {
    let w = addr.segments();
    // Longest run of zero words.
    let (mut best_base, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_base = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_base = usize::MAX;
    }
    let mut s = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if best_base != usize::MAX && i >= best_base && i < best_base + best_len {
            if i == best_base {
                s.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = addr.octets();
            let _ = write!(s, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return s;
        }
        let _ = write!(s, "{:x}", w[i]);
        i += 1;
    }
    if best_base != usize::MAX && best_base + best_len == 8 {
        s.push(':');
    }
    s
}

/// True for fe80::/10 and ff02::/16 style link-local addresses, to which glibc's
/// getifaddrs attaches a scope id (and getnameinfo a `%nic` suffix).
pub(crate) fn ipv6_needs_zone(addr: &Ipv6Addr) -> bool {
    let o = addr.octets();
    (o[0] == 0xfe && (o[1] & 0xc0) == 0x80) || (o[0] == 0xff && (o[1] & 0x0f) == 0x02)
}

/// The netmask text of a prefix length, in the family's own notation.
pub(crate) fn netmask_text(family: i32, prefix_len: u8) -> Option<String> {
    match family {
        crate::net::AF_INET => {
            let p = u32::from(prefix_len.min(32));
            let bits = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            Some(Ipv4Addr::from(bits).to_string())
        }
        crate::net::AF_INET6 => {
            let p = u32::from(prefix_len.min(128));
            let bits = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            Some(ipv6_text(&Ipv6Addr::from(bits)))
        }
        _ => None,
    }
}

/// A MAC (or other link-layer) address as `xx:xx:...`, lower case.
pub(crate) fn mac_text(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Decodes the `/proc/net/tcp` form of an address: 8 hex digits holding the IPv4
/// address in host byte order (psutil #201), or 32 holding four 32-bit words each in
/// host order for IPv6. Returns the text form.
pub(crate) fn proc_hex_ip(hex: &str, family: i32) -> Option<String> {
    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match (family, hex.len()) {
        (crate::net::AF_INET, 8) => {
            let word = u32::from_str_radix(hex, 16).ok()?;
            Some(Ipv4Addr::from(host_word_bytes(word)).to_string())
        }
        (crate::net::AF_INET6, 32) => {
            let mut o = [0u8; 16];
            for (i, chunk) in hex.as_bytes().chunks(8).enumerate() {
                let word = u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
                o[i * 4..i * 4 + 4].copy_from_slice(&host_word_bytes(word));
            }
            Some(ipv6_text(&Ipv6Addr::from(o)))
        }
        _ => None,
    }
}

/// The kernel printed the in-memory word with `%08X`: its memory bytes are the
/// network-order address, so the printed number's native-endian bytes are the address.
fn host_word_bytes(printed: u32) -> [u8; 4] {
    printed.to_ne_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        ipv6_text(&s.parse().unwrap())
    }

    #[test]
    fn ipv6_like_inet_ntop() {
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("fe80::fc:ff:fe00:1"), "fe80::fc:ff:fe00:1");
        assert_eq!(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
        assert_eq!(v6("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
        assert_eq!(v6("1::"), "1::");
        assert_eq!(v6("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
        // IPv4-compatible: glibc keeps the dotted tail, Rust's Display does not.
        assert_eq!(v6("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(v6("ffff:ffff:ffff:ffff::"), "ffff:ffff:ffff:ffff::");
    }

    #[test]
    fn netmasks_from_prefix() {
        assert_eq!(netmask_text(2, 24).unwrap(), "255.255.255.0");
        assert_eq!(netmask_text(2, 0).unwrap(), "0.0.0.0");
        assert_eq!(netmask_text(2, 32).unwrap(), "255.255.255.255");
        assert_eq!(netmask_text(10, 64).unwrap(), "ffff:ffff:ffff:ffff::");
        assert_eq!(
            netmask_text(10, 128).unwrap(),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert_eq!(netmask_text(10, 0).unwrap(), "::");
        assert_eq!(netmask_text(17, 8), None);
    }

    #[test]
    fn zone_only_for_link_local() {
        assert!(ipv6_needs_zone(&"fe80::1".parse().unwrap()));
        assert!(ipv6_needs_zone(&"ff02::1".parse().unwrap()));
        assert!(!ipv6_needs_zone(&"fd00::2".parse().unwrap()));
        assert!(!ipv6_needs_zone(&"::1".parse().unwrap()));
    }

    #[test]
    fn mac() {
        assert_eq!(mac_text(&[0x02, 0xfc, 0, 0, 0, 1]), "02:fc:00:00:00:01");
        assert_eq!(mac_text(&[]), "");
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn proc_hex_addresses() {
        assert_eq!(proc_hex_ip("0100007F", 2).unwrap(), "127.0.0.1");
        assert_eq!(proc_hex_ip("0500000A", 2).unwrap(), "10.0.0.5");
        assert_eq!(
            proc_hex_ip("0000000000000000FFFF00000100007F", 10).unwrap(),
            "::ffff:127.0.0.1"
        );
        assert_eq!(
            proc_hex_ip("00000000000000000000000001000000", 10).unwrap(),
            "::1"
        );
        assert_eq!(
            proc_hex_ip("000080FE00000000FF000000FE000000", 10).unwrap(),
            "fe80::ff:0:fe"
        );
        assert_eq!(proc_hex_ip("zz", 2), None);
        assert_eq!(proc_hex_ip("0100007", 2), None);
        assert_eq!(proc_hex_ip("0100007F", 10), None);
    }
}
