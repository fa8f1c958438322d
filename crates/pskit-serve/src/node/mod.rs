//! node_exporter's collectors, with its metric names, types, labels, units
//! and help texts (node_exporter 1.x on Linux).

pub mod cpu;
pub mod cpufreq;
pub(crate) mod devfilter;
pub mod diskstats;
pub mod filesystem;
pub mod hwmon;
pub mod loadavg;
pub mod meminfo;
pub mod netclass;
pub mod netdev;
pub mod powersupplyclass;
pub mod pressure;
pub mod stat;
pub mod sysread;
pub mod thermal_zone;
pub mod time;
pub mod uname;
