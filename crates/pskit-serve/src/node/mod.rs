//! node_exporter's collectors, with its metric names, types, labels, units
//! and help texts (node_exporter 1.x on Linux).

pub mod loadavg;
