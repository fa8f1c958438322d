//! rtnetlink dumps (RTM_GETLINK, RTM_GETADDR) reduced to the fields that
//! `net_if_addrs` and `net_if_stats` need, keeping the kernel's attribute order
//! (getifaddrs' answer depends on it). Answers are read in place: a link message
//! carries kilobytes of statistics that are never looked at.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_route::address::AddressMessage;
use netlink_packet_route::link::{LinkAttribute, LinkExtentMask, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;

use crate::linux::net::netlink::{attributes, NlSocket};

const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const IFLA_ADDRESS: u16 = 1;
const IFLA_BROADCAST: u16 = 2;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_BROADCAST: u16 = 4;
/// `struct ifinfomsg` and `struct ifaddrmsg` sizes.
const IFINFOMSG_LEN: usize = 16;
const IFADDRMSG_LEN: usize = 8;

/// One interface (an RTM_NEWLINK answer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Link {
    pub index: u32,
    pub name: String,
    /// `ifi_flags`: the same word as SIOCGIFFLAGS (`dev_get_flags`).
    pub flags: u32,
    pub mtu: Option<u32>,
    /// IFLA_ADDRESS: the hardware address, absent when the device has none.
    pub address: Option<Vec<u8>>,
    /// IFLA_BROADCAST.
    pub broadcast: Option<Vec<u8>>,
}

/// The attributes of an address that getifaddrs looks at, in kernel order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AddrAttr {
    Address(IpAddr),
    Local(IpAddr),
    Broadcast(IpAddr),
    Label(String),
}

/// One address (an RTM_NEWADDR answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IfAddr {
    /// AF_INET or AF_INET6 (other families are dropped).
    pub family: i32,
    pub prefix_len: u8,
    pub index: u32,
    pub attrs: Vec<AddrAttr>,
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)?.try_into().ok().map(u32::from_ne_bytes)
}

/// A NUL-terminated attribute string.
fn c_string(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// Parses an RTM_NEWLINK payload.
pub(crate) fn parse_link(payload: &[u8]) -> io::Result<Link> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "short ifinfomsg");
    let index = u32_at(payload, 4).ok_or_else(bad)?;
    let flags = u32_at(payload, 8).ok_or_else(bad)?;
    let mut link = Link {
        index,
        flags,
        ..Link::default()
    };
    attributes(
        payload.get(IFINFOMSG_LEN..).ok_or_else(bad)?,
        |kind, v| match kind {
            IFLA_IFNAME => link.name = c_string(v),
            IFLA_MTU => link.mtu = u32_at(v, 0),
            IFLA_ADDRESS => link.address = Some(v.to_vec()),
            IFLA_BROADCAST => link.broadcast = Some(v.to_vec()),
            _ => {}
        },
    )?;
    Ok(link)
}

fn ip(v: &[u8]) -> Option<IpAddr> {
    match v.len() {
        4 => <[u8; 4]>::try_from(v)
            .ok()
            .map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        16 => <[u8; 16]>::try_from(v)
            .ok()
            .map(|o| IpAddr::V6(Ipv6Addr::from(o))),
        _ => None,
    }
}

/// Parses an RTM_NEWADDR payload; `None` for families other than IPv4 and IPv6.
pub(crate) fn parse_addr(payload: &[u8]) -> io::Result<Option<IfAddr>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "short ifaddrmsg");
    let header = payload.get(..IFADDRMSG_LEN).ok_or_else(bad)?;
    let family = match i32::from(header[0]) {
        f @ (crate::net::AF_INET | crate::net::AF_INET6) => f,
        _ => return Ok(None),
    };
    let mut attrs = Vec::with_capacity(4);
    attributes(&payload[IFADDRMSG_LEN..], |kind, v| {
        let attr = match kind {
            IFA_ADDRESS => ip(v).map(AddrAttr::Address),
            IFA_LOCAL => ip(v).map(AddrAttr::Local),
            IFA_BROADCAST => ip(v).map(AddrAttr::Broadcast),
            IFA_LABEL => Some(AddrAttr::Label(c_string(v))),
            _ => None,
        };
        attrs.extend(attr);
    })?;
    Ok(Some(IfAddr {
        family,
        prefix_len: header[1],
        index: u32_at(header, 4).ok_or_else(bad)?,
        attrs,
    }))
}

fn links_on(socket: &mut NlSocket) -> io::Result<Vec<Link>> {
    let mut out = Vec::new();
    // Skip the per-link statistics: kernel work and kilobytes nobody here reads.
    let mut msg = LinkMessage::default();
    msg.attributes
        .push(LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]));
    let req = RouteNetlinkMessage::GetLink(msg);
    socket.dump(req, |t, payload| {
        if t == RTM_NEWLINK {
            out.push(parse_link(payload)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Every interface, in the kernel's (ifindex) order.
pub(crate) fn links() -> io::Result<Vec<Link>> {
    links_on(&mut NlSocket::open(NETLINK_ROUTE)?)
}

/// Every interface, then every IPv4 and IPv6 address in the kernel's order (IPv4
/// first), from two dumps on one socket as getifaddrs does.
pub(crate) fn links_and_addresses() -> io::Result<(Vec<Link>, Vec<IfAddr>)> {
    let mut socket = NlSocket::open(NETLINK_ROUTE)?;
    let links = links_on(&mut socket)?;
    let mut addrs = Vec::new();
    let mut req = AddressMessage::default();
    req.header.family = AddressFamily::Unspec;
    socket.dump(RouteNetlinkMessage::GetAddress(req), |t, payload| {
        if t == RTM_NEWADDR {
            addrs.extend(parse_addr(payload)?);
        }
        Ok(())
    })?;
    Ok((links, addrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
        let len = 4 + value.len();
        let mut v = Vec::new();
        v.extend_from_slice(&(len as u16).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(value);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    #[test]
    fn link_message_fields() {
        let mut p = vec![0u8; IFINFOMSG_LEN];
        p[4..8].copy_from_slice(&2u32.to_ne_bytes());
        p[8..12].copy_from_slice(&0x1043u32.to_ne_bytes());
        p.extend(nla(IFLA_IFNAME, b"eth0\0"));
        p.extend(nla(IFLA_MTU, &1500u32.to_ne_bytes()));
        p.extend(nla(IFLA_ADDRESS, &[2, 0xfc, 0, 0, 0, 1]));
        p.extend(nla(IFLA_BROADCAST, &[0xff; 6]));
        p.extend(nla(23, &[0; 40])); // IFLA_STATS64 and friends are skipped
        let l = parse_link(&p).unwrap();
        assert_eq!((l.index, l.flags, l.mtu), (2, 0x1043, Some(1500)));
        assert_eq!(l.name, "eth0");
        assert_eq!(l.address.as_deref(), Some(&[2, 0xfc, 0, 0, 0, 1][..]));
        assert_eq!(l.broadcast.as_deref(), Some(&[0xff; 6][..]));
    }

    #[test]
    fn addr_message_keeps_attribute_order() {
        let mut p = vec![2u8, 24, 0, 0];
        p.extend_from_slice(&2u32.to_ne_bytes());
        p.extend(nla(IFA_ADDRESS, &[192, 0, 2, 2]));
        p.extend(nla(IFA_LOCAL, &[192, 0, 2, 2]));
        p.extend(nla(IFA_BROADCAST, &[192, 0, 2, 255]));
        p.extend(nla(IFA_LABEL, b"eth0\0"));
        let a = parse_addr(&p).unwrap().unwrap();
        assert_eq!((a.family, a.prefix_len, a.index), (2, 24, 2));
        assert_eq!(
            a.attrs,
            [
                AddrAttr::Address("192.0.2.2".parse().unwrap()),
                AddrAttr::Local("192.0.2.2".parse().unwrap()),
                AddrAttr::Broadcast("192.0.2.255".parse().unwrap()),
                AddrAttr::Label("eth0".into()),
            ]
        );
        let mut other = p.clone();
        other[0] = 45; // AF_MCTP
        assert_eq!(parse_addr(&other).unwrap(), None);
    }

    #[test]
    fn truncated_messages_are_errors() {
        assert!(parse_link(&[0; 8]).is_err());
        assert!(parse_addr(&[2, 24]).is_err());
        let mut p = vec![0u8; IFINFOMSG_LEN];
        p.extend_from_slice(&[200, 0, 3, 0, b'x']); // attribute longer than the buffer
        assert!(parse_link(&p).is_err());
    }

    #[test]
    fn live_dump_has_loopback() {
        let (links, addrs) = links_and_addresses().unwrap();
        let lo = links.iter().find(|l| l.name == "lo").expect("lo");
        assert_eq!(lo.flags & 0x8, 0x8, "IFF_LOOPBACK");
        assert!(addrs.iter().any(|a| a.index == lo.index));
    }
}
