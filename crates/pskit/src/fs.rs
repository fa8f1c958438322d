//! Reading /proc and /sys files the way pskit does, for code built on pskit
//! (the exporter's collectors, the CLI) that needs a file pskit has no
//! function for.
//!
//! Every open is non-blocking; outside the host's own /proc and /sys a file
//! must be a regular file (a FIFO planted in a fake root cannot hang the
//! reader); reads are capped (16 MiB, or 512 MiB for the files that grow
//! with the machine); errors name the path. The text goes through one
//! reused per-thread buffer.

use std::path::Path;

use crate::Result;

/// Reads `path` whole and hands its text to `parse` (16 MiB cap).
///
/// ```
/// let root = pskit::Root::current();
/// let n = pskit::fs::with_text(&root.proc().join("loadavg"), |t| {
///     Ok(t.split_whitespace().count())
/// })
/// .unwrap();
/// assert_eq!(n, 5);
/// ```
pub fn with_text<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    crate::linux::fs::with_text(path, parse)
}

/// Like [`with_text`] for files that grow with the machine (512 MiB cap):
/// /proc/net tables, mountinfo, smaps.
///
/// ```
/// let root = pskit::Root::current();
/// let lines = pskit::fs::with_text_large(&root.proc().join("self/mountinfo"), |t| {
///     Ok(t.lines().count())
/// })
/// .unwrap();
/// assert!(lines > 0);
/// ```
pub fn with_text_large<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    crate::linux::fs::with_text_large(path, parse)
}

/// The text of `path`, trimmed of surrounding whitespace (a sysfs value).
///
/// ```
/// let root = pskit::Root::current();
/// let max: u64 = pskit::fs::read_trimmed(&root.proc().join("sys/kernel/pid_max"))
///     .unwrap()
///     .parse()
///     .unwrap();
/// assert!(max > 300);
/// ```
pub fn read_trimmed(path: &Path) -> Result<String> {
    crate::linux::fs::read_trimmed(path)
}
