//! The `Process` methods that list things: children, threads, fds, open files and
//! memory maps, plus memory_full_info and memory_percent (§3.5).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::handle::{Cached, Process};
use super::types::*;
use crate::error::{Error, Result};
use crate::linux::cpu::clk_tck;
use crate::linux::process::{self as sys, files, libc_errno, parse};

/// A memory map record: the named fields, then smaps' ten values in
/// `parse::SmapsEntry::values` order (one list for both record types).
macro_rules! with_smaps_values {
    ($ty:ident { $($field:ident),* }, $v:expr) => {{
        let v: [u64; 10] = $v;
        $ty {
            $($field,)*
            rss: v[0],
            size: v[1],
            pss: v[2],
            shared_clean: v[3],
            shared_dirty: v[4],
            private_clean: v[5],
            private_dirty: v[6],
            referenced: v[7],
            anonymous: v[8],
            swap: v[9],
        }
    }};
}

impl Process {
    /// The children (psutil `children(recursive)`): processes whose ppid is this
    /// pid and that started no earlier than this process (so a reused ppid does not
    /// count); with `recursive`, all descendants, depth first.
    ///
    /// ```
    /// let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
    /// let kids = pskit::Process::current().unwrap().children(false).unwrap();
    /// assert!(kids.iter().any(|k| k.pid() == child.id()));
    /// child.kill().unwrap();
    /// child.wait().unwrap();
    /// ```
    pub fn children(&self, recursive: bool) -> Result<Vec<Process>> {
        self.check_reused()?;
        let mine = self.stat(|s| Ok(s.starttime))?;
        let table = files::ppid_table(&self.root)?;
        let mk = |pid: u32, start: u64| Process::from_parts(self.root.clone(), pid, Some(start));
        if !recursive {
            return Ok(table
                .iter()
                .filter(|&&(pid, ppid, start)| ppid == self.pid && pid != self.pid && start >= mine)
                .map(|&(pid, _, start)| mk(pid, start))
                .collect());
        }
        let mut by_parent: HashMap<u32, Vec<(u32, u64)>> = HashMap::new();
        for &(pid, ppid, start) in &table {
            by_parent.entry(ppid).or_default().push((pid, start));
        }
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![(self.pid, mine)];
        while let Some((pid, start)) = stack.pop() {
            if !seen.insert(pid) {
                continue;
            }
            for &(child, cstart) in by_parent.get(&pid).map(Vec::as_slice).unwrap_or_default() {
                if cstart >= start && !seen.contains(&child) {
                    out.push(mk(child, cstart));
                    stack.push((child, cstart));
                }
            }
        }
        Ok(out)
    }

    /// The number of open file descriptors (psutil `num_fds`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().num_fds().unwrap() >= 3);
    /// ```
    pub fn num_fds(&self) -> Result<u32> {
        // Inside oneshot, the listing open_files or net_connections made; else a
        // listing alone (no link reads).
        let n = match self.cached_fd_table() {
            Some(t) => t.entries.len(),
            None => files::num_fds(&self.root, self.pid).map_err(|e| self.named(e))?,
        };
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Each thread's id and CPU times, sorted by id as text (psutil `threads`).
    ///
    /// ```
    /// let t = pskit::Process::current().unwrap().threads().unwrap();
    /// assert!(t.iter().any(|t| t.id == std::process::id()));
    /// ```
    pub fn threads(&self) -> Result<Vec<Thread>> {
        Ok(files::threads(&self.root, self.pid, clk_tck())
            .map_err(|e| self.named(e))?
            .into_iter()
            .map(|(id, user_time, system_time)| Thread {
                id,
                user_time,
                system_time,
            })
            .collect())
    }

    /// Open regular files with fd, position, mode and flags (psutil `open_files`).
    ///
    /// ```
    /// let files = pskit::Process::current().unwrap().open_files().unwrap();
    /// assert!(files.iter().all(|f| f.path.starts_with('/')));
    /// ```
    pub fn open_files(&self) -> Result<Vec<OpenFile>> {
        let fds = self.fd_table()?;
        Ok(files::open_files(&self.root, self.pid, &fds)
            .map_err(|e| self.named(e))?
            .into_iter()
            .map(|(path, fd, position, flags)| OpenFile {
                path,
                fd,
                position,
                mode: parse::file_mode(flags).to_string(),
                flags,
            })
            .collect())
    }

    /// memory_info plus uss, pss and swap from smaps_rollup, or smaps when the
    /// rollup is missing (psutil `memory_full_info`).
    ///
    /// ```
    /// let m = pskit::Process::current().unwrap().memory_full_info().unwrap();
    /// assert!(m.pss > 0);
    /// ```
    pub fn memory_full_info(&self) -> Result<MemoryFullInfo> {
        let m = self.memory_info()?;
        let (root, pid) = (&self.root, self.pid);
        // Inside oneshot, a memory_maps read of smaps left the sums the rollup
        // would give: no second file, no second parse.
        let rollup = match self.smaps_sums() {
            Some(sums) => Ok(sums),
            None => crate::linux::fs::with_bytes(&self.path("smaps_rollup"), |b| {
                parse::parse_uss_pss_swap(b)
                    .map_err(|m| sys::parse_err(root, pid, "smaps_rollup", m))
            }),
        };
        let (uss, pss, swap) = match rollup {
            Ok(v) => v,
            Err(e)
                if matches!(
                    sys::errno(&e),
                    Some(libc_errno::ENOENT) | Some(libc_errno::ESRCH)
                ) =>
            {
                self.with_file(Cached::Smaps, |b| {
                    parse::parse_uss_pss_swap(b).map_err(|m| sys::parse_err(root, pid, "smaps", m))
                })?
            }
            Err(e) => return Err(self.translate(e)),
        };
        Ok(MemoryFullInfo {
            rss: m.rss,
            vms: m.vms,
            shared: m.shared,
            text: m.text,
            lib: m.lib,
            data: m.data,
            dirty: m.dirty,
            uss,
            pss,
            swap,
        })
    }

    /// A memory figure as a percentage of total physical memory, not rounded
    /// (psutil `memory_percent(memtype)`); `memtype` is a field of
    /// [`MemoryFullInfo`] ("rss", "vms", "uss", …).
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// assert!(p.memory_percent("rss").unwrap() > 0.0);
    /// assert!(p.memory_percent("bogus").is_err());
    /// ```
    pub fn memory_percent(&self, memtype: &str) -> Result<f64> {
        const FIELDS: [&str; 10] = [
            "rss", "vms", "shared", "text", "lib", "data", "dirty", "uss", "pss", "swap",
        ];
        let Some(i) = FIELDS.iter().position(|f| *f == memtype) else {
            return Err(Error::InvalidArgument(format!(
                "invalid memtype {memtype:?}; valid types are {FIELDS:?}"
            )));
        };
        let value = if i < 7 {
            let m = self.memory_info()?;
            [m.rss, m.vms, m.shared, m.text, m.lib, m.data, m.dirty][i]
        } else {
            let m = self.memory_full_info()?;
            [m.uss, m.pss, m.swap][i - 7]
        };
        Ok(percent_of_memory(value, total_memory()?))
    }

    /// Memory maps summed per path, in order of first appearance (psutil
    /// `memory_maps(grouped=True)`).
    ///
    /// ```
    /// let maps = pskit::Process::current().unwrap().memory_maps().unwrap();
    /// assert!(maps.iter().any(|m| m.path == "[stack]"));
    /// ```
    pub fn memory_maps(&self) -> Result<Vec<MemoryMap>> {
        let root = &self.root;
        let fail = |m| sys::parse_err(root, self.pid, "smaps", m);
        let grouped = self.with_smaps(|entries| {
            // Grouped by the path as written (borrowed bytes), then one String per
            // group; a ` (deleted)` path whose file exists again keeps its suffix.
            let raw = parse::group_smaps(entries.iter().map(|e| (e.path, e.values)));
            let mut deleted = false;
            let named: Vec<(String, [u64; 10])> = raw
                .map_err(fail)?
                .into_iter()
                .map(|(path, v)| {
                    let (path, suffix) = smaps_path(root, path);
                    deleted |= suffix;
                    (path, v)
                })
                .collect();
            // A stripped path can name a group of its own: merge them, as psutil
            // groups by the stripped path.
            if deleted {
                parse::group_smaps(named).map_err(fail)
            } else {
                Ok(named)
            }
        })?;
        Ok(grouped
            .into_iter()
            .map(|(path, v)| with_smaps_values!(MemoryMap { path }, v))
            .collect())
    }

    /// One entry per mapping (psutil `memory_maps(grouped=False)`).
    ///
    /// ```
    /// let maps = pskit::Process::current().unwrap().memory_maps_ext().unwrap();
    /// assert!(maps.iter().any(|m| m.perms.contains('x')));
    /// ```
    pub fn memory_maps_ext(&self) -> Result<Vec<MemoryMapExt>> {
        let root = &self.root;
        self.with_smaps(|entries| {
            Ok(entries
                .iter()
                .map(|e| {
                    let (addr, perms) = (parse::lossy(e.addr), parse::lossy(e.perms));
                    let path = smaps_path(root, e.path).0;
                    with_smaps_values!(MemoryMapExt { addr, perms, path }, e.values)
                })
                .collect())
        })
    }

    /// Parses smaps and hands its entries to `f`; an empty smaps of a zombie is
    /// ZombieProcess. Inside oneshot, the (uss, pss, swap) sums are kept for
    /// memory_full_info.
    fn with_smaps<T>(&self, f: impl FnOnce(&[parse::SmapsEntry<'_>]) -> Result<T>) -> Result<T> {
        let (root, pid) = (&self.root, self.pid);
        let mut sums = (0, 0, 0);
        // Inside oneshot `with_file` holds the handle's lock while this runs: only
        // `sys` functions here, no handle methods.
        let out = self
            .with_file(Cached::Smaps, |b| {
                let entries =
                    parse::parse_smaps(b).map_err(|m| sys::parse_err(root, pid, "smaps", m))?;
                if entries.is_empty() && sys::is_zombie(root, pid) {
                    return Err(sys::zombie(pid));
                }
                // values: 2 pss, 5 and 6 private, 9 swap.
                let sum = |i: usize| {
                    entries
                        .iter()
                        .fold(0u64, |a, e| a.saturating_add(e.values[i]))
                };
                sums = (sum(5).saturating_add(sum(6)), sum(2), sum(9));
                f(&entries)
            })
            .map_err(|e| self.named(e))?;
        self.keep_smaps_sums(sums);
        Ok(out)
    }
}

/// A smaps path as text, with psutil's rule for a ` (deleted)` suffix (dropped
/// when no file of the suffixed name exists); true when it had the suffix.
fn smaps_path(root: &crate::Root, raw: &[u8]) -> (String, bool) {
    let path = parse::lossy(raw);
    if path.ends_with(" (deleted)") {
        (sys::strip_deleted(root, path), true)
    } else {
        (path, false)
    }
}

/// `value` bytes as a percentage of `total` (0 when the total is 0), not
/// rounded: memory_percent's formula.
pub(crate) fn percent_of_memory(value: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    value as f64 / total as f64 * 100.0
}

/// virtual_memory().total, read once (psutil caches it too).
pub(crate) fn total_memory() -> Result<u64> {
    static TOTAL: OnceLock<u64> = OnceLock::new();
    if let Some(t) = TOTAL.get() {
        return Ok(*t);
    }
    let t = crate::memory::virtual_memory()?.total;
    Ok(*TOTAL.get_or_init(|| t))
}
