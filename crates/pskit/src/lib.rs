//! # pskit: psutil for Rust
//!
//! System and process information with psutil 7.2.2's names, fields, units, formulas
//! and errors, as idiomatic Rust. Linux is the supported platform.
//!
//! ```
//! let mem = pskit::virtual_memory().unwrap();
//! println!("{} of {} bytes used ({}%)", mem.used, mem.total, mem.percent);
//! let load = pskit::getloadavg().unwrap();
//! println!("load average: {:.2} {:.2} {:.2}", load.0, load.1, load.2);
//! ```
//!
//! Every path pskit reads goes through one [`Root`] setting (psutil's `PROCFS_PATH`,
//! extended to /sys, /etc, /run, /var and /dev), so a container can read a mounted
//! host root and tests can point pskit at a fixture tree.

#![deny(missing_docs)]
#![deny(unsafe_code)]

#[cfg(not(target_os = "linux"))]
compile_error!("pskit supports Linux only for now: the platform seam is `src/linux`.");

pub mod container;
pub mod cpu;
pub mod disk;
mod error;
pub mod fs;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod host;
mod human;
mod linux;
pub mod memory;
pub mod net;
mod nowrap;
pub mod pressure;
pub mod process;
mod root;
pub mod sensors;
#[allow(unsafe_code)]
mod sys;
mod tuple;

pub use cpu::{
    cpu_count, cpu_freq, cpu_freq_percpu, cpu_percent, cpu_percent_percpu, cpu_stats, cpu_times,
    cpu_times_percent, cpu_times_percent_percpu, cpu_times_percpu, getloadavg, CpuFreq, CpuStats,
    CpuTimes,
};
pub use disk::{
    disk_io_counters, disk_io_counters_cache_clear, disk_io_counters_perdisk, disk_partitions,
    disk_usage, disk_usage_inodes, DiskInodes, DiskIoCounters, DiskPartition, DiskUsage,
};
pub use error::{Error, Result};
pub use host::{boot_time, users, User};
pub use human::bytes2human;
/// The ordered map of the functions that return one entry per NIC, disk or
/// sensor chip: it keeps psutil's (the kernel's) order. Re-exported from the
/// `indexmap` crate.
pub use indexmap::IndexMap;
pub use memory::{swap_memory, virtual_memory, SwapMemory, VirtualMemory};
pub use net::{
    net_connections, net_if_addrs, net_if_stats, net_io_counters, net_io_counters_cache_clear,
    net_io_counters_pernic, Connection, NetIoCounters, NicAddr, NicDuplex, NicStats, AF_LINK,
    CONN_CLOSE, CONN_CLOSE_WAIT, CONN_CLOSING, CONN_ESTABLISHED, CONN_FIN_WAIT1, CONN_FIN_WAIT2,
    CONN_LAST_ACK, CONN_LISTEN, CONN_NONE, CONN_SYN_RECV, CONN_SYN_SENT, CONN_TIME_WAIT,
    NIC_DUPLEX_FULL, NIC_DUPLEX_HALF, NIC_DUPLEX_UNKNOWN,
};
pub use process::{
    pid_exists, pids, process_iter, wait_procs, Attr, Field, Popen, Process, ProcessInfo, Status,
    WaitProcs,
};
// psutil's constants, all reachable from the top as in psutil (`psutil.AF_INET`,
// `psutil.RLIMIT_NOFILE`, `psutil.STATUS_ZOMBIE`, …).
pub use net::{AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM};
pub use process::{
    IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE, IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, RLIMITS, RLIMIT_AS,
    RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK,
    RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO,
    RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK, RLIM_INFINITY, STATUS_DEAD, STATUS_DISK_SLEEP,
    STATUS_IDLE, STATUS_LOCKED, STATUS_PARKED, STATUS_RUNNING, STATUS_SLEEPING, STATUS_STOPPED,
    STATUS_TRACING_STOP, STATUS_WAITING, STATUS_WAKE_KILL, STATUS_WAKING, STATUS_ZOMBIE,
};
pub use root::Root;
pub use sensors::{
    sensors_battery, sensors_fans, sensors_temperatures, Battery, Fan, Temperature,
    POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED,
};
pub use tuple::PsutilTuple;
