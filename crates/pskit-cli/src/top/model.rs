//! The data seam of the monitors: one plain snapshot of the system (header figures
//! and process rows). A [`super::Source`] produces it; the UI only reads it.

use std::time::Instant;

use serde::Serialize;

/// One process as the monitors show it. Units are psutil's: bytes for memory and
/// I/O, seconds for CPU time, percent for CPU and memory shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcRow {
    /// Process id (the thread id in top's -H mode).
    pub pid: u32,
    /// The process a thread belongs to (= pid for a process row): `-p`
    /// selects by it, as procps top does with -H.
    pub tgid: u32,
    /// Parent process id (0 for the roots).
    pub ppid: u32,
    /// Owner's user name (or the uid as text when it has no name).
    pub user: String,
    /// Scheduling priority as top's PR column shows it (20 + nice for normal tasks,
    /// negative for real-time ones).
    pub priority: i64,
    /// Nice value, -20..19.
    pub nice: i64,
    /// Virtual memory size in bytes (psutil `memory_info().vms`).
    pub virt: u64,
    /// Resident set size in bytes (`memory_info().rss`).
    pub res: u64,
    /// Shared memory in bytes (`memory_info().shared`).
    pub shr: u64,
    /// psutil's status string: "running", "sleeping", "disk-sleep", "stopped",
    /// "tracing-stop", "zombie", "dead", "wake-kill", "waking", "idle", "parked".
    pub status: String,
    /// CPU use since the previous snapshot, in percent of one CPU (may exceed 100).
    pub cpu_percent: f64,
    /// Resident memory in percent of the total.
    pub memory_percent: f64,
    /// User + system CPU time in seconds.
    pub cpu_time: f64,
    /// Process name (the `comm`).
    pub name: String,
    /// Command line; empty for kernel threads and zombies.
    pub cmdline: Vec<String>,
    /// True for kernel threads (children of kthreadd, no command line).
    pub is_kernel_thread: bool,
    /// Bytes read from storage since the process started (`io_counters().read_bytes`),
    /// `None` when not readable (another user's process without privileges).
    pub read_bytes: Option<u64>,
    /// Bytes written to storage (`io_counters().write_bytes`), `None` when not readable.
    pub write_bytes: Option<u64>,
    /// Threads (psutil `num_threads`).
    pub num_threads: Option<u32>,
    /// The CPU it last ran on (psutil `cpu_num`).
    pub cpu_num: Option<u32>,
    /// Start time, seconds since the epoch (psutil `create_time`).
    pub create_time: Option<f64>,
    /// Controlling terminal without `/dev/` (psutil `terminal`).
    pub terminal: Option<String>,
    /// Real uid (psutil `uids().real`).
    pub uid: Option<u32>,
    /// Voluntary and involuntary context switches (psutil `num_ctx_switches`).
    pub ctx_switches: Option<(u64, u64)>,
    /// Minor and major page faults (psutil 8.0 `page_faults`).
    pub page_faults: Option<(u64, u64)>,
    /// I/O scheduling class and level (iotop's PRIO), when read.
    pub ionice: Option<(i32, i32)>,
}

impl ProcRow {
    /// top's one-letter S column for psutil's status string.
    pub fn state_letter(&self) -> char {
        crate::proc_common::status_letter(&self.status)
    }
}

/// The system-wide figures above the table. Each part is `None` when it could not
/// be read (the header then leaves that meter out).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SystemInfo {
    /// Wall-clock time of the sample, seconds since the epoch.
    pub time: f64,
    /// Per-CPU utilisation in percent (psutil `cpu_percent(percpu=True)`).
    pub cpu_percpu: Vec<f64>,
    /// Total CPU utilisation in percent (psutil `cpu_percent()`).
    pub cpu_total: f64,
    /// The share of each CPU mode in percent (psutil `cpu_times_percent()`).
    pub cpu_times: Option<pskit::CpuTimes>,
    /// psutil `virtual_memory()`.
    pub memory: Option<pskit::VirtualMemory>,
    /// psutil `swap_memory()`.
    pub swap: Option<pskit::SwapMemory>,
    /// psutil `getloadavg()`.
    pub load: Option<(f64, f64, f64)>,
    /// Seconds since boot.
    pub uptime: Option<f64>,
    /// Number of logged-in user sessions.
    pub users: Option<usize>,
    /// Pressure stall information, when the kernel has it.
    pub pressure: Option<pskit::pressure::Pressure>,
    /// The container's CPU limit, only when a cgroup quota applies.
    pub cpu_limit: Option<pskit::container::CpuLimit>,
    /// The container's memory limit, only when a cgroup limit applies.
    pub memory_limit: Option<pskit::container::MemoryLimit>,
    /// Bytes read and written by the disks since boot (iotop's Current DISK
    /// line), when read.
    pub disk_bytes: Option<(u64, u64)>,
}

/// One refresh: the header figures and every process row, in no particular order.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When the rows were read (rates are deltas over these instants).
    pub at: Instant,
    /// System-wide figures.
    pub system: SystemInfo,
    /// The processes.
    pub rows: Vec<ProcRow>,
    /// What could not be read this time (a system file, a process that exists but
    /// does not parse): reported on stderr in batch mode, which then exits 1.
    pub errors: Vec<String>,
}

impl Snapshot {
    /// An empty snapshot taken now.
    pub fn empty() -> Snapshot {
        Snapshot {
            at: Instant::now(),
            system: SystemInfo::default(),
            rows: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// Task counts by state, as top's "Tasks:" line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    /// All rows.
    pub total: usize,
    /// State R.
    pub running: usize,
    /// States S, D, I (and anything else not counted below).
    pub sleeping: usize,
    /// States T and t.
    pub stopped: usize,
    /// State Z.
    pub zombie: usize,
    /// Kernel threads among the total.
    pub kernel_threads: usize,
}

impl TaskCounts {
    /// Counts the rows by state.
    pub fn of(rows: &[ProcRow]) -> TaskCounts {
        let mut c = TaskCounts {
            total: rows.len(),
            ..TaskCounts::default()
        };
        for r in rows {
            match r.state_letter() {
                'R' => c.running += 1,
                'T' | 't' => c.stopped += 1,
                'Z' => c.zombie += 1,
                _ => c.sleeping += 1,
            }
            if r.is_kernel_thread {
                c.kernel_threads += 1;
            }
        }
        c
    }
}
