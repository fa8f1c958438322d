//! `net_if_addrs`: glibc's getifaddrs(3) rebuilt from rtnetlink dumps, then psutil's
//! post-processing (stable sort by family, MAC padding, grouping by name).

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::linux::net::ipfmt::{ipv6_needs_zone, ipv6_text, mac_text, netmask_text};
use crate::linux::net::rtnl::{self, AddrAttr, IfAddr, Link};
use crate::net::{NicAddr, AF_LINK};

const IFF_BROADCAST: u32 = 0x2;
const IFF_POINTOPOINT: u32 = 0x10;

/// glibc keeps a link-layer address only if it fits its sockaddr storage (36 bytes).
const MAX_LL_ADDR: usize = 36;

/// psutil: broadcast when the link has IFF_BROADCAST, else the peer when it has
/// IFF_POINTOPOINT (getifaddrs keeps both in one union), else neither.
fn split_broadcast(flags: u32, other: Option<String>) -> (Option<String>, Option<String>) {
    if flags & IFF_BROADCAST != 0 {
        (other, None)
    } else if flags & IFF_POINTOPOINT != 0 {
        (None, other)
    } else {
        (None, None)
    }
}

fn ip_text(ip: &IpAddr, zone: &str) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) if ipv6_needs_zone(v6) => format!("{}%{zone}", ipv6_text(v6)),
        IpAddr::V6(v6) => ipv6_text(v6),
    }
}

/// The link-layer entry of one interface, as getifaddrs gives it for AF_PACKET.
fn link_entry(link: &Link) -> Option<(String, NicAddr)> {
    let hw = link.address.as_ref().filter(|b| b.len() <= MAX_LL_ADDR)?;
    if hw.is_empty() {
        return None;
    }
    let mut address = mac_text(hw);
    // psutil pads short hardware addresses to six groups (#786).
    while address.matches(':').count() < 5 {
        address.push_str(":00");
    }
    let other = link
        .broadcast
        .as_ref()
        .filter(|b| !b.is_empty() && b.len() <= MAX_LL_ADDR)
        .map(|b| mac_text(b));
    let (broadcast, ptp) = split_broadcast(link.flags, other);
    let entry = NicAddr {
        family: AF_LINK,
        address,
        netmask: None,
        broadcast,
        ptp,
    };
    Some((link.name.clone(), entry))
}

/// One address entry. getifaddrs walks the attributes in order: IFA_ADDRESS fills the
/// address, or the peer when IFA_LOCAL came first; IFA_LOCAL moves an earlier address
/// to the peer slot and takes its place; IFA_BROADCAST overwrites the peer slot.
fn addr_entry(a: &IfAddr, links: &[Link]) -> Option<(String, NicAddr)> {
    let link = links.iter().find(|l| l.index == a.index)?;
    let mut name = None;
    let mut addr: Option<IpAddr> = None;
    let mut other: Option<IpAddr> = None;
    for attr in &a.attrs {
        match attr {
            AddrAttr::Address(ip) => {
                if addr.is_some() {
                    other = Some(*ip);
                } else {
                    addr = Some(*ip);
                }
            }
            AddrAttr::Local(ip) => {
                if addr.is_some() {
                    other = addr;
                }
                addr = Some(*ip);
            }
            AddrAttr::Broadcast(ip) => other = Some(*ip),
            AddrAttr::Label(l) => name = Some(l.clone()),
        }
    }
    let addr = addr?;
    let zone = link.name.as_str();
    let (broadcast, ptp) = split_broadcast(link.flags, other.map(|o| ip_text(&o, zone)));
    let entry = NicAddr {
        family: a.family,
        address: ip_text(&addr, zone),
        netmask: netmask_text(a.family, a.prefix_len),
        broadcast,
        ptp,
    };
    Some((name.unwrap_or_else(|| link.name.clone()), entry))
}

/// Builds psutil's answer from the two dumps: getifaddrs' list (links, then
/// addresses), stable-sorted by family, grouped by name.
pub(crate) fn build(links: &[Link], addrs: &[IfAddr]) -> indexmap::IndexMap<String, Vec<NicAddr>> {
    let mut flat: Vec<(String, NicAddr)> = links.iter().filter_map(link_entry).collect();
    flat.extend(addrs.iter().filter_map(|a| addr_entry(a, links)));
    flat.sort_by_key(|(_, e)| e.family);
    // psutil: a stable sort by family, then grouped by name in that order.
    let mut out: indexmap::IndexMap<String, Vec<NicAddr>> = indexmap::IndexMap::new();
    for (name, e) in flat {
        out.entry(name).or_default().push(e);
    }
    out
}

pub(crate) fn net_if_addrs() -> Result<indexmap::IndexMap<String, Vec<NicAddr>>> {
    let (links, addrs) = rtnl::links_and_addresses()
        .map_err(|e| Error::io("rtnetlink RTM_GETLINK/RTM_GETADDR", e))?;
    Ok(build(&links, &addrs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{AF_INET, AF_INET6};

    fn link(index: u32, name: &str, flags: u32, hw: &[u8], brd: &[u8]) -> Link {
        Link {
            index,
            name: name.into(),
            flags,
            mtu: Some(1500),
            address: Some(hw.to_vec()),
            broadcast: Some(brd.to_vec()),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn s(x: &str) -> Option<String> {
        Some(x.into())
    }

    // lo: UP|LOOPBACK|RUNNING; eth0: UP|BROADCAST|RUNNING|MULTICAST; tun0: UP|POINTOPOINT|RUNNING|NOARP
    fn sample() -> (Vec<Link>, Vec<IfAddr>) {
        let links = vec![
            link(1, "lo", 0x49, &[0; 6], &[0; 6]),
            link(2, "eth0", 0x1043, &[2, 0xfc, 0, 0, 0, 1], &[0xff; 6]),
            Link {
                index: 3,
                name: "tun0".into(),
                flags: 0x10d1,
                mtu: Some(1500),
                address: None,
                broadcast: None,
            },
            link(4, "sit1", 0x91, &[192, 0, 2, 2], &[0; 4]),
        ];
        let addrs = vec![
            IfAddr {
                family: AF_INET,
                prefix_len: 8,
                index: 1,
                attrs: vec![
                    AddrAttr::Address(ip("127.0.0.1")),
                    AddrAttr::Local(ip("127.0.0.1")),
                    AddrAttr::Label("lo".into()),
                ],
            },
            IfAddr {
                family: AF_INET,
                prefix_len: 24,
                index: 2,
                attrs: vec![
                    AddrAttr::Address(ip("192.0.2.2")),
                    AddrAttr::Local(ip("192.0.2.2")),
                    AddrAttr::Broadcast(ip("192.0.2.255")),
                    AddrAttr::Label("eth0".into()),
                ],
            },
            IfAddr {
                family: AF_INET,
                prefix_len: 24,
                index: 2,
                attrs: vec![
                    AddrAttr::Address(ip("198.51.100.7")),
                    AddrAttr::Local(ip("198.51.100.7")),
                    AddrAttr::Label("eth0:1".into()),
                ],
            },
            IfAddr {
                family: AF_INET,
                prefix_len: 32,
                index: 3,
                attrs: vec![
                    AddrAttr::Address(ip("10.8.0.2")),
                    AddrAttr::Local(ip("10.8.0.1")),
                    AddrAttr::Label("tun0".into()),
                ],
            },
            IfAddr {
                family: AF_INET6,
                prefix_len: 128,
                index: 1,
                attrs: vec![AddrAttr::Address(ip("::1"))],
            },
            IfAddr {
                family: AF_INET6,
                prefix_len: 64,
                index: 2,
                attrs: vec![AddrAttr::Address(ip("fe80::fc:ff:fe00:1"))],
            },
            IfAddr {
                family: AF_INET6,
                prefix_len: 64,
                index: 3,
                attrs: vec![
                    AddrAttr::Local(ip("fe80::1")),
                    AddrAttr::Address(ip("fe80::2")),
                ],
            },
        ];
        (links, addrs)
    }

    #[test]
    fn loopback_has_no_broadcast_and_zero_mac() {
        let (l, a) = sample();
        let m = build(&l, &a);
        let lo = &m["lo"];
        assert_eq!(lo.iter().map(|e| e.family).collect::<Vec<_>>(), [2, 10, 17]);
        assert_eq!(lo[0].address, "127.0.0.1");
        assert_eq!(lo[0].netmask, s("255.0.0.0"));
        assert_eq!((lo[0].broadcast.clone(), lo[0].ptp.clone()), (None, None));
        assert_eq!(lo[1].netmask, s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert_eq!(lo[2].address, "00:00:00:00:00:00");
        assert_eq!(lo[2].netmask, None);
    }

    #[test]
    fn ethernet_broadcast_zone_and_alias_label() {
        let (l, a) = sample();
        let m = build(&l, &a);
        let eth = &m["eth0"];
        assert_eq!(eth[0].broadcast, s("192.0.2.255"));
        assert_eq!(eth[1].address, "fe80::fc:ff:fe00:1%eth0");
        assert_eq!(eth[1].netmask, s("ffff:ffff:ffff:ffff::"));
        assert_eq!(eth[1].broadcast, None, "IPv6 has no broadcast");
        assert_eq!(eth[2].address, "02:fc:00:00:00:01");
        assert_eq!(eth[2].broadcast, s("ff:ff:ff:ff:ff:ff"));
        // An alias without IFA_BROADCAST: getifaddrs leaves IFA_ADDRESS in the slot.
        let alias = &m["eth0:1"];
        assert_eq!(alias.len(), 1);
        assert_eq!(alias[0].broadcast, s("198.51.100.7"));
    }

    #[test]
    fn point_to_point_peer_is_ptp() {
        let (l, a) = sample();
        let m = build(&l, &a);
        let tun = &m["tun0"];
        assert_eq!(tun.len(), 2, "no hardware address, no AF_LINK entry");
        assert_eq!(tun[0].address, "10.8.0.1");
        assert_eq!(tun[0].ptp, s("10.8.0.2"));
        assert_eq!(tun[0].broadcast, None);
        assert_eq!(tun[1].address, "fe80::1%tun0");
        assert_eq!(tun[1].ptp, s("fe80::2%tun0"));
    }

    #[test]
    fn short_hardware_address_is_padded_but_not_its_broadcast() {
        let (l, a) = sample();
        let m = build(&l, &a);
        let sit = &m["sit1"];
        assert_eq!(sit[0].address, "c0:00:02:02:00:00");
        assert_eq!(sit[0].ptp, s("00:00:00:00"));
    }

    #[test]
    fn empty_and_orphan_input() {
        assert!(build(&[], &[]).is_empty());
        let (_, a) = sample();
        assert!(
            build(&[], &a).is_empty(),
            "addresses of unknown links are dropped"
        );
        let mut no_hw = link(9, "wg0", 0x91, &[], &[]);
        assert!(build(std::slice::from_ref(&no_hw), &[]).is_empty());
        no_hw.address = Some(vec![0; 40]);
        assert!(build(&[no_hw], &[]).is_empty(), "too long for getifaddrs");
    }
}
