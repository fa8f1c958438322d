//! Memory: virtual memory and swap (psutil §2.3).

use serde::Serialize;

use crate::error::Result;
use crate::linux::memory as sys;
use crate::root::Root;

/// System memory in bytes (psutil `svmem`), modelled on procps-ng `free`.
///
/// ```
/// let m = pskit::virtual_memory().unwrap();
/// assert_eq!(m.used, m.total - m.available);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct VirtualMemory {
    /// Total physical memory (`MemTotal`).
    pub total: u64,
    /// Memory that can be given to processes without swapping (`MemAvailable`, or
    /// the kernel's estimate on kernels before 3.14).
    pub available: u64,
    /// `(total - available) / total * 100`, rounded to one decimal.
    pub percent: f64,
    /// `total - available` (psutil ≥ 7.1, procps-ng ≥ 4.0.1).
    pub used: u64,
    /// Unused memory (`MemFree`).
    pub free: u64,
    /// Recently used memory (`Active`).
    pub active: u64,
    /// Memory not recently used (`Inactive`).
    pub inactive: u64,
    /// Block device buffers (`Buffers`).
    pub buffers: u64,
    /// Page cache plus reclaimable slab (`Cached + SReclaimable`, free's buff/cache less buffers).
    pub cached: u64,
    /// tmpfs and shared memory (`Shmem`).
    pub shared: u64,
    /// Kernel data structures (`Slab`).
    pub slab: u64,
}

/// Swap in bytes (psutil `sswap`).
///
/// ```
/// let s = pskit::swap_memory().unwrap();
/// assert_eq!(s.used, s.total - s.free);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SwapMemory {
    /// Total swap (`SwapTotal`).
    pub total: u64,
    /// `total - free`.
    pub used: u64,
    /// Unused swap (`SwapFree`).
    pub free: u64,
    /// `used / total * 100`, one decimal; 0.0 without swap.
    pub percent: f64,
    /// Bytes swapped in since boot (`pswpin` × 4096).
    pub sin: u64,
    /// Bytes swapped out since boot (`pswpout` × 4096).
    pub sout: u64,
}

/// System memory usage (psutil `virtual_memory`).
///
/// ```
/// let m = pskit::virtual_memory().unwrap();
/// assert!(m.available <= m.total);
/// assert!((0.0..=100.0).contains(&m.percent));
/// ```
pub fn virtual_memory() -> Result<VirtualMemory> {
    sys::virtual_memory(&Root::current())
}

/// Swap usage (psutil `swap_memory`).
///
/// ```
/// let s = pskit::swap_memory().unwrap();
/// assert!(s.free <= s.total);
/// ```
pub fn swap_memory() -> Result<SwapMemory> {
    sys::swap_memory(&Root::current())
}
