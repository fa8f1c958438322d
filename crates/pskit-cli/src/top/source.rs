//! Where the monitors get their data: the [`Source`] trait (process rows and
//! actions on processes) and [`SystemHeader`], the reader of the system figures.

use std::time::{SystemTime, UNIX_EPOCH};

use super::model::{Snapshot, SystemInfo};

/// What the monitors need from the system. The real implementation reads
/// processes with the library's process API; tests use synthetic rows.
pub trait Source {
    /// Reads one refresh: the system figures (usually [`SystemHeader::read`]) and
    /// every process row. Processes that vanish or cannot be read are left out or
    /// given partial rows; this never fails as a whole.
    fn snapshot(&mut self) -> Snapshot;
    /// Sends signal `sig` to `pid` (race-free: the pid must still be the process
    /// the last snapshot showed). The error is a short text for the status line.
    fn signal(&mut self, pid: u32, sig: i32) -> Result<(), String>;
    /// Sets the nice value of `pid`. The error is a short text for the status line.
    fn renice(&mut self, pid: u32, nice: i32) -> Result<(), String>;
}

/// Reads the header figures with the library: CPU (per core, total and by mode),
/// memory, swap, load, uptime, users, pressure and container limits.
///
/// CPU percentages compare with the previous call on the same thread (psutil's
/// `interval=None`), so call [`SystemHeader::read`] once per refresh from one thread.
pub struct SystemHeader {
    /// Read the disks' counters too (iotop).
    pub with_disks: bool,
    cpu_limit: Option<pskit::container::CpuLimit>,
    memory_limited: bool,
    boot_time: Option<f64>,
}

impl Default for SystemHeader {
    fn default() -> Self {
        SystemHeader::new()
    }
}

impl SystemHeader {
    /// Reads the things that do not change (boot time, the CPU quota, whether a
    /// memory limit applies) and primes the CPU percentages.
    pub fn new() -> SystemHeader {
        let cpu_limit = pskit::container::cpu_limit()
            .ok()
            .filter(|l| l.quota.is_some());
        let memory_limited = pskit::container::memory_limit()
            .map(|m| m.limit.is_some())
            .unwrap_or(false);
        // The first calls return meaningless zeros (psutil): prime them now.
        let _ = pskit::cpu_percent_percpu(None);
        let _ = pskit::cpu_percent(None);
        let _ = pskit::cpu_times_percent(None);
        SystemHeader {
            with_disks: false,
            cpu_limit,
            memory_limited,
            boot_time: pskit::boot_time().ok(),
        }
    }

    /// One reading of every header figure; parts that fail are `None`.
    #[cfg(test)]
    pub fn read(&mut self) -> SystemInfo {
        self.read_checked(&mut Vec::new())
    }

    /// [`SystemHeader::read`], adding a line to `errors` for each of the core
    /// figures (CPU, memory, swap, load) that could not be read.
    pub fn read_checked(&mut self, errors: &mut Vec<String>) -> SystemInfo {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        fn note<T>(r: pskit::Result<T>, errors: &mut Vec<String>) -> Option<T> {
            r.map_err(|e| errors.push(e.to_string())).ok()
        }
        SystemInfo {
            time: now,
            cpu_percpu: note(pskit::cpu_percent_percpu(None), errors).unwrap_or_default(),
            cpu_total: pskit::cpu_percent(None).unwrap_or(0.0),
            cpu_times: pskit::cpu_times_percent(None).ok(),
            memory: note(pskit::virtual_memory(), errors),
            swap: note(pskit::swap_memory(), errors),
            load: note(pskit::getloadavg(), errors),
            uptime: self.boot_time.map(|b| (now - b).max(0.0)),
            users: pskit::users().ok().map(|u| u.len()),
            pressure: pskit::pressure::pressure().ok(),
            cpu_limit: self.cpu_limit.clone(),
            memory_limit: if self.memory_limited {
                pskit::container::memory_limit().ok()
            } else {
                None
            },
            disk_bytes: if self.with_disks {
                pskit::disk_io_counters(false)
                    .ok()
                    .flatten()
                    .map(|d| (d.read_bytes, d.write_bytes))
            } else {
                None
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_reads_the_live_system() {
        let mut h = SystemHeader::new();
        let s = h.read();
        assert_eq!(
            s.cpu_percpu.len(),
            pskit::cpu_count(true).unwrap_or(0) as usize
        );
        assert!(s.memory.is_some_and(|m| m.total > 0));
        assert!(s.load.is_some());
        assert!(s.uptime.is_some_and(|u| u > 0.0));
        assert!(s.time > 0.0);
    }
}
