//! Container limits: the CPU and memory a process may really use, from cgroups
//! (beyond psutil, which reports host values only).
//!
//! Both cgroup v2 and v1 are read, and hybrid layouts (v1 controllers beside a v2
//! mount, as on many CI machines) work: for each controller pskit uses the hierarchy
//! that actually has it. Limits are the tightest over the cgroup and its ancestors.

use serde::Serialize;

use crate::error::Result;
use crate::linux::cgroup as sys;
use crate::root::Root;

/// The CPU limit of the calling process.
///
/// ```
/// let lim = pskit::container::cpu_limit().unwrap();
/// assert!(lim.cpus > 0.0);
/// assert!(lim.cpus <= lim.affinity as f64);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuLimit {
    /// The CPUs this process can use: the cgroup quota (if any) bounded by the
    /// affinity mask. Fractional for a fractional quota (1.5 = 150 ms per 100 ms).
    pub cpus: f64,
    /// The tightest CFS quota over the cgroup and its ancestors, in CPUs
    /// (`cpu.max` on v2, `cpu.cfs_quota_us / cpu.cfs_period_us` on v1); `None` when
    /// unlimited.
    pub quota: Option<f64>,
    /// The number of CPUs in the affinity mask (sched_getaffinity).
    pub affinity: u32,
    /// The cgroup version the CPU controller was found in (1 or 2), `None` when
    /// no cgroup CPU controller is visible.
    pub cgroup_version: Option<u8>,
    /// The cgroup path of the process in that hierarchy (as in /proc/self/cgroup).
    pub cgroup: Option<String>,
}

impl CpuLimit {
    /// The whole number of CPUs to size a thread pool by: `cpus` rounded up, as
    /// coreutils `nproc` does for a cgroup quota.
    ///
    /// ```
    /// let lim = pskit::container::cpu_limit().unwrap();
    /// assert!(lim.usable_cpus() >= 1);
    /// ```
    pub fn usable_cpus(&self) -> u32 {
        (self.cpus.ceil() as u32).max(1)
    }
}

/// The memory limit and usage of the calling process's cgroup.
///
/// ```
/// let m = pskit::container::memory_limit().unwrap();
/// if let (Some(limit), Some(usage)) = (m.limit, m.usage) {
///     println!("{usage} of {limit} bytes");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryLimit {
    /// The tightest memory limit in bytes over the cgroup and its ancestors
    /// (`memory.max` on v2, `memory.limit_in_bytes` on v1); `None` when unlimited.
    pub limit: Option<u64>,
    /// Current usage in bytes (`memory.current` / `memory.usage_in_bytes`).
    pub usage: Option<u64>,
    /// Peak usage in bytes (`memory.peak` on v2 ≥ 5.19 / `memory.max_usage_in_bytes`).
    pub peak: Option<u64>,
    /// The tightest swap limit in bytes (`memory.swap.max` on v2,
    /// `memory.memsw.limit_in_bytes` on v1, which counts memory + swap); `None`
    /// when unlimited or not reported.
    pub swap_limit: Option<u64>,
    /// The cgroup version the memory controller was found in.
    pub cgroup_version: Option<u8>,
    /// The cgroup path of the process in that hierarchy.
    pub cgroup: Option<String>,
}

/// The effective CPU limit of this process (cgroup quota bounded by affinity).
///
/// ```
/// let lim = pskit::container::cpu_limit().unwrap();
/// println!("usable CPUs: {}", lim.cpus);
/// ```
pub fn cpu_limit() -> Result<CpuLimit> {
    sys::cpu_limit(&Root::current(), "self")
}

/// The memory limit and usage of this process's cgroup.
///
/// ```
/// let m = pskit::container::memory_limit().unwrap();
/// println!("{:?}", m.limit);
/// ```
pub fn memory_limit() -> Result<MemoryLimit> {
    sys::memory_limit(&Root::current(), "self")
}

/// True when a cgroup limit constrains this process (a CPU quota or a memory
/// limit), i.e. it runs in a limited container or slice.
///
/// ```
/// println!("limited: {}", pskit::container::is_limited().unwrap());
/// ```
pub fn is_limited() -> Result<bool> {
    Ok(cpu_limit()?.quota.is_some() || memory_limit()?.limit.is_some())
}
