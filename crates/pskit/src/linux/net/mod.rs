//! Linux networking: `/proc/net/*` parsers, rtnetlink and sock_diag dumps, the socket
//! owner scan, and the readers that put them together.

pub(crate) mod addrs;
pub(crate) mod conn;
pub(crate) mod dev;
pub(crate) mod diag;
pub(crate) mod inodes;
pub(crate) mod ipfmt;
pub(crate) mod netlink;
pub(crate) mod proc_net;
pub(crate) mod rtnl;
pub(crate) mod stats;
