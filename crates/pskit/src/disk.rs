//! Disks: mounted partitions, usage and I/O counters (psutil §2.4).

use indexmap::IndexMap;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::linux::{disk as sys, diskstats};
use crate::nowrap::NoWrap;
use crate::root::Root;

/// A mounted filesystem (psutil `sdiskpart`).
///
/// Bytes of the mount table that are not UTF-8 become U+FFFD (psutil keeps
/// them with Python's surrogateescape).
///
/// ```
/// for p in pskit::disk_partitions(false).unwrap() {
///     println!("{} on {} type {} ({})", p.device, p.mountpoint, p.fstype, p.opts);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiskPartition {
    /// The device (`/dev/sda1`), or `""` when the mount table says `none`.
    pub device: String,
    /// Where it is mounted.
    pub mountpoint: String,
    /// The filesystem type (`ext4`, `tmpfs`, …).
    pub fstype: String,
    /// The mount options, as the mount table's raw comma-separated string.
    pub opts: String,
}

/// Space on a filesystem, in bytes (psutil `sdiskusage`).
///
/// `free` is what a non-root user can still use (`f_bavail`), so
/// `used + free` can be less than `total` (reserved blocks), and `percent` is
/// `used / (used + free)`, which is `df`'s Use%.
///
/// ```
/// let u = pskit::disk_usage("/").unwrap();
/// assert!(u.used <= u.total && u.free <= u.total);
/// assert!((0.0..=100.0).contains(&u.percent));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DiskUsage {
    /// Size of the filesystem: `f_blocks × f_frsize`.
    pub total: u64,
    /// Used: `(f_blocks − f_bfree) × f_frsize`.
    pub used: u64,
    /// Free for unprivileged users: `f_bavail × f_frsize`.
    pub free: u64,
    /// `used / (used + free) × 100`, rounded to one decimal; 0.0 when both are 0.
    pub percent: f64,
}

/// Inode usage of a filesystem, as `df -i` shows it. Not in psutil: see
/// [`disk_usage_inodes`].
///
/// ```
/// let i = pskit::disk_usage_inodes("/").unwrap();
/// assert_eq!(i.used + i.free, i.total);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DiskInodes {
    /// Inodes in the filesystem (`f_files`); 0 for filesystems without a fixed count.
    pub total: u64,
    /// Inodes in use: `f_files − f_ffree`.
    pub used: u64,
    /// Free inodes (`f_ffree`).
    pub free: u64,
    /// `used / total × 100`, rounded to one decimal; 0.0 when total is 0.
    pub percent: f64,
}

/// Disk I/O statistics since boot (psutil `sdiskio`).
///
/// Bytes are counted in 512-byte sectors, whatever the device's sector size, as
/// the kernel documents for diskstats.
///
/// ```
/// if let Some(io) = pskit::disk_io_counters(true).unwrap() {
///     println!("{} bytes read in {} reads", io.read_bytes, io.read_count);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DiskIoCounters {
    /// Reads completed.
    pub read_count: u64,
    /// Writes completed.
    pub write_count: u64,
    /// Bytes read.
    pub read_bytes: u64,
    /// Bytes written.
    pub write_bytes: u64,
    /// Milliseconds spent reading.
    pub read_time: u64,
    /// Milliseconds spent writing.
    pub write_time: u64,
    /// Reads merged with an adjacent one before reaching the device.
    pub read_merged_count: u64,
    /// Writes merged with an adjacent one.
    pub write_merged_count: u64,
    /// Milliseconds the device had I/O in flight (io_ticks).
    pub busy_time: u64,
}

impl DiskIoCounters {
    fn from_fields(f: [u64; 9]) -> DiskIoCounters {
        DiskIoCounters {
            read_count: f[0],
            write_count: f[1],
            read_bytes: f[2],
            write_bytes: f[3],
            read_time: f[4],
            write_time: f[5],
            read_merged_count: f[6],
            write_merged_count: f[7],
            busy_time: f[8],
        }
    }
}

/// Mounted filesystems, in mount-table order (psutil `disk_partitions`).
///
/// With `all = false`, only entries with a device whose filesystem type is backed
/// by a device in /proc/filesystems (plus zfs) are kept; `all = true` lists every
/// mount. A device of `/dev/root` or `rootfs` is resolved to the real device when
/// it can be found: its numbers come from `stat("/")` of the running system (a
/// syscall, as in psutil, whatever the [`Root`]), looked up in the root's
/// /proc/partitions, `/sys/dev/block/MAJ:MIN/uevent` and `/sys/class/block/*/dev`,
/// and kept only if that `/dev` entry exists. This never calls statvfs, so it
/// cannot hang on a dead network mount.
///
/// ```
/// let parts = pskit::disk_partitions(true).unwrap();
/// assert!(parts.iter().any(|p| p.mountpoint == "/"));
/// ```
pub fn disk_partitions(all: bool) -> Result<Vec<DiskPartition>> {
    sys::disk_partitions(&Root::current(), all)
}

/// Space used and free on the filesystem holding `path` (psutil `disk_usage`).
///
/// `path` is used as given (statvfs is a syscall; no root setting redirects it).
/// A missing path is an [`Error::Io`](crate::Error::Io) naming it.
///
/// ```
/// let u = pskit::disk_usage("/").unwrap();
/// assert!(u.total > 0);
/// assert!(pskit::disk_usage("/no/such/path").is_err());
/// ```
pub fn disk_usage(path: impl AsRef<Path>) -> Result<DiskUsage> {
    sys::disk_usage(path.as_ref())
}

/// Inode counts of the filesystem holding `path`, from statvfs's `f_files` and
/// `f_ffree` (what `df -i` shows).
///
/// Beyond psutil: psutil has no inode call.
///
/// ```
/// let i = pskit::disk_usage_inodes("/").unwrap();
/// assert!(i.used <= i.total);
/// ```
pub fn disk_usage_inodes(path: impl AsRef<Path>) -> Result<DiskInodes> {
    sys::disk_usage_inodes(path.as_ref())
}

/// The `nowrap` state of `disk_io_counters` (psutil keys it "psutil.disk_io_counters";
/// both the totals and the per-disk call share it, as there).
static NOWRAP: NoWrap<9> = NoWrap::new();

fn raw_counters(root: &Root, perdisk: bool, nowrap: bool) -> Result<Vec<diskstats::RawDisk>> {
    let mut raw = diskstats::read_all(root)?;
    if !perdisk {
        let block = diskstats::block_devices(root);
        raw.retain(|(name, _)| diskstats::is_storage_device(&block, name));
    }
    // A later line for the same name replaces an earlier one (psutil builds a dict).
    let mut seen = std::collections::HashMap::with_capacity(raw.len());
    let mut dedup: Vec<diskstats::RawDisk> = Vec::with_capacity(raw.len());
    for (name, v) in raw {
        match seen.get(&name) {
            Some(&i) => dedup[i] = (name, v),
            None => {
                seen.insert(name.clone(), dedup.len());
                dedup.push((name, v));
            }
        }
    }
    if nowrap && !dedup.is_empty() {
        NOWRAP.apply(&mut dedup);
    }
    Ok(dedup)
}

/// System-wide disk I/O: the sum over whole disks and virtual devices (those with
/// a `/sys/block/<name>` entry; partitions are left out so nothing is counted
/// twice). `None` when there are no disks (psutil `disk_io_counters()`).
///
/// With `nowrap`, counters that went backwards (wrapped) are corrected using the
/// previous call's values, per disk, before summing (psutil's default is
/// `nowrap=True`); [`disk_io_counters_cache_clear`] forgets that state.
///
/// ```
/// let a = pskit::disk_io_counters(true).unwrap();
/// let b = pskit::disk_io_counters(true).unwrap();
/// if let (Some(a), Some(b)) = (a, b) {
///     assert!(b.read_count >= a.read_count);
/// }
/// ```
pub fn disk_io_counters(nowrap: bool) -> Result<Option<DiskIoCounters>> {
    let raw = raw_counters(&Root::current(), false, nowrap)?;
    if raw.is_empty() {
        return Ok(None);
    }
    let mut sum = [0u64; 9];
    for (_, v) in &raw {
        for (s, x) in sum.iter_mut().zip(v) {
            *s = s.saturating_add(*x);
        }
    }
    Ok(Some(DiskIoCounters::from_fields(sum)))
}

/// Disk I/O of every device in /proc/diskstats, partitions included, by name
/// (psutil `disk_io_counters(perdisk=True)`). Empty when there are no disks.
///
/// ```
/// for (name, io) in pskit::disk_io_counters_perdisk(true).unwrap() {
///     println!("{name}: {} reads, {} writes", io.read_count, io.write_count);
/// }
/// ```
pub fn disk_io_counters_perdisk(nowrap: bool) -> Result<IndexMap<String, DiskIoCounters>> {
    let raw = raw_counters(&Root::current(), true, nowrap)?;
    Ok(raw
        .into_iter()
        .map(|(name, v)| (name, DiskIoCounters::from_fields(v)))
        .collect())
}

/// Forgets the `nowrap` state of [`disk_io_counters`] and
/// [`disk_io_counters_perdisk`] (psutil `disk_io_counters.cache_clear()`).
///
/// ```
/// pskit::disk_io_counters_cache_clear();
/// ```
pub fn disk_io_counters_cache_clear() {
    NOWRAP.clear();
}

/// Every counter of one /proc/diskstats line, as the kernel gives it
/// (Documentation/admin-guide/iostats.rst): what sysstat's `iostat` reads.
/// Beyond psutil, whose [`DiskIoCounters`] has neither discards, flushes, the
/// in-flight count nor the weighted time.
///
/// Sectors are 512 bytes whatever the device's sector size; times are in
/// milliseconds. Fields an older kernel does not give are 0 (discards need
/// Linux 4.18, flushes 5.5).
///
/// ```
/// for d in pskit::disk::disk_stats().unwrap() {
///     println!("{} ({}:{}): {} discards", d.name, d.major, d.minor, d.discards);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DiskStats {
    /// Device major number.
    pub major: u32,
    /// Device minor number.
    pub minor: u32,
    /// Kernel name (`sda`, `nvme0n1p2`, `dm-0`).
    pub name: String,
    /// Reads completed.
    pub reads: u64,
    /// Reads merged.
    pub reads_merged: u64,
    /// Sectors read.
    pub read_sectors: u64,
    /// Milliseconds spent reading.
    pub read_ticks: u64,
    /// Writes completed.
    pub writes: u64,
    /// Writes merged.
    pub writes_merged: u64,
    /// Sectors written.
    pub write_sectors: u64,
    /// Milliseconds spent writing.
    pub write_ticks: u64,
    /// I/Os currently in progress.
    pub in_flight: u64,
    /// Milliseconds with I/O in progress (io_ticks).
    pub io_ticks: u64,
    /// Weighted milliseconds with I/O in progress (time_in_queue).
    pub time_in_queue: u64,
    /// Discards completed.
    pub discards: u64,
    /// Discards merged.
    pub discards_merged: u64,
    /// Sectors discarded.
    pub discard_sectors: u64,
    /// Milliseconds spent discarding.
    pub discard_ticks: u64,
    /// Flush requests completed.
    pub flushes: u64,
    /// Milliseconds spent flushing.
    pub flush_ticks: u64,
}

/// Every device of /proc/diskstats (partitions included), in file order, with
/// all of its counters. Lines of an unknown form are skipped, as sysstat does.
///
/// ```
/// let all = pskit::disk::disk_stats().unwrap();
/// assert!(all.iter().all(|d| !d.name.is_empty()));
/// ```
pub fn disk_stats() -> Result<Vec<DiskStats>> {
    Ok(diskstats::read_full(&Root::current())?
        .into_iter()
        .map(|(major, minor, name, k)| DiskStats {
            major,
            minor,
            name,
            reads: k[0],
            reads_merged: k[1],
            read_sectors: k[2],
            read_ticks: k[3],
            writes: k[4],
            writes_merged: k[5],
            write_sectors: k[6],
            write_ticks: k[7],
            in_flight: k[8],
            io_ticks: k[9],
            time_in_queue: k[10],
            discards: k[11],
            discards_merged: k[12],
            discard_sectors: k[13],
            discard_ticks: k[14],
            flushes: k[15],
            flush_ticks: k[16],
        })
        .collect())
}
