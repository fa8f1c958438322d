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
#![forbid(unsafe_code)]

#[cfg(not(target_os = "linux"))]
compile_error!("pskit supports Linux only for now: the platform seam is `src/linux`.");

pub mod cpu;
mod error;
pub mod host;
mod linux;
pub mod memory;
mod nowrap;
pub mod process;
mod root;

pub use cpu::{
    cpu_count, cpu_freq, cpu_freq_percpu, cpu_percent, cpu_percent_percpu, cpu_stats, cpu_times,
    cpu_times_percent, cpu_times_percent_percpu, cpu_times_percpu, getloadavg, CpuFreq, CpuStats,
    CpuTimes,
};
pub use error::{Error, Result};
pub use host::{boot_time, users, User};
pub use memory::{swap_memory, virtual_memory, SwapMemory, VirtualMemory};
pub use process::{pid_exists, pids, process_iter, Process, ProcessInfo};
pub use root::Root;
