//! rtnetlink dumps (RTM_GETLINK, RTM_GETADDR) reduced to the fields that
//! `net_if_addrs` and `net_if_stats` need, keeping the kernel's attribute order
//! (getifaddrs' answer depends on it).

use std::io;
use std::net::IpAddr;

use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;

use crate::linux::net::netlink::dump;

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

/// Every interface, in the kernel's (ifindex) order.
pub(crate) fn links() -> io::Result<Vec<Link>> {
    let mut out = Vec::new();
    let req = RouteNetlinkMessage::GetLink(LinkMessage::default());
    dump(NETLINK_ROUTE, req, |m| {
        if let RouteNetlinkMessage::NewLink(l) = m {
            out.push(link_of(l));
        }
    })?;
    Ok(out)
}

fn link_of(l: LinkMessage) -> Link {
    let mut link = Link {
        index: l.header.index,
        flags: l.header.flags.bits(),
        ..Link::default()
    };
    for a in l.attributes {
        match a {
            LinkAttribute::IfName(n) => link.name = n,
            LinkAttribute::Mtu(m) => link.mtu = Some(m),
            LinkAttribute::Address(b) => link.address = Some(b),
            LinkAttribute::Broadcast(b) => link.broadcast = Some(b),
            _ => {}
        }
    }
    link
}

/// Every IPv4 and IPv6 address, in the kernel's order (IPv4 first, then IPv6).
pub(crate) fn addresses() -> io::Result<Vec<IfAddr>> {
    let mut out = Vec::new();
    let mut req = AddressMessage::default();
    req.header.family = AddressFamily::Unspec;
    dump(NETLINK_ROUTE, RouteNetlinkMessage::GetAddress(req), |m| {
        if let RouteNetlinkMessage::NewAddress(a) = m {
            if let Some(a) = addr_of(a) {
                out.push(a);
            }
        }
    })?;
    Ok(out)
}

fn addr_of(a: AddressMessage) -> Option<IfAddr> {
    let family = match a.header.family {
        AddressFamily::Inet => crate::net::AF_INET,
        AddressFamily::Inet6 => crate::net::AF_INET6,
        _ => return None,
    };
    let attrs = a
        .attributes
        .into_iter()
        .filter_map(|x| match x {
            AddressAttribute::Address(ip) => Some(AddrAttr::Address(ip)),
            AddressAttribute::Local(ip) => Some(AddrAttr::Local(ip)),
            AddressAttribute::Broadcast(ip) => Some(AddrAttr::Broadcast(IpAddr::V4(ip))),
            AddressAttribute::Label(l) => Some(AddrAttr::Label(l)),
            _ => None,
        })
        .collect();
    Some(IfAddr {
        family,
        prefix_len: a.header.prefix_len,
        index: a.header.index,
        attrs,
    })
}
