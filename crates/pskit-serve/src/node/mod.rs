//! node_exporter's collectors, with its metric names, types, labels, units
//! and help texts (node_exporter 1.x on Linux).

pub(crate) mod devfilter;
pub mod diskstats;
pub mod filesystem;
pub mod loadavg;
pub mod netclass;
pub mod netdev;
