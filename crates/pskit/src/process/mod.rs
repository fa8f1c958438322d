//! Processes (psutil §2.8 and §3): [`pids`], [`pid_exists`], the [`Process`]
//! handle with every read method of psutil's `Process`, [`Process::as_dict`] and
//! [`process_iter`], a scan that reads only the files the requested attributes need.
//!
//! ```
//! let me = pskit::Process::current().unwrap();
//! assert_eq!(me.pid(), std::process::id());
//! assert!(me.is_running());
//! let mem = me.memory_info().unwrap();
//! println!("{} uses {} bytes", me.name().unwrap(), mem.rss);
//! ```

mod container;
mod control;
pub(crate) mod handle;
mod info;
mod iter;
mod maps;
mod methods;
mod popen;
mod sockets;
mod types;

pub use control::{wait_procs, WaitProcs};
pub use handle::Process;
pub use info::{AsAttr, Attr, AttrList, Field, ProcessInfo, ATTRS};
pub use iter::{
    process_iter, process_iter_cache_clear, process_iter_each, process_scan, processes, Scan,
};
pub use popen::Popen;
pub use sockets::ProcessConnection;
pub use types::*;

use crate::error::Result;
use crate::linux::process as sys;
use crate::root::Root;

/// The pids of all processes, sorted (psutil `pids`). Thread ids are not listed.
///
/// ```
/// let pids = pskit::pids().unwrap();
/// assert!(pids.contains(&std::process::id()));
/// assert!(pids.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn pids() -> Result<Vec<u32>> {
    sys::pids(&Root::current())
}

/// True when a process with this pid exists (psutil `pid_exists`). A thread id
/// that is not also a process id gives false (the Tgid rule, psutil #687).
///
/// ```
/// assert!(pskit::pid_exists(std::process::id()).unwrap());
/// assert!(!pskit::pid_exists(0).unwrap());
/// ```
pub fn pid_exists(pid: u32) -> Result<bool> {
    sys::pid_exists(&Root::current(), pid)
}
