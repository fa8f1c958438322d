//! The result types of the `Process` methods: psutil's named tuples, fields in
//! psutil 7.2.2's order.

use serde::Serialize;

/// A process status (psutil's `STATUS_*` strings), from the state letter of
/// `/proc/PID/stat`. It displays and serializes as psutil's string and compares
/// equal to it.
///
/// ```
/// use pskit::process::Status;
/// assert_eq!(Status::DiskSleep.to_string(), "disk-sleep");
/// assert_eq!(Status::from_letter(b'S'), pskit::STATUS_SLEEPING);
/// assert!(Status::Zombie == "zombie");
/// assert_eq!(serde_json::to_value(Status::Idle).unwrap(), "idle");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// `"running"` (`R`).
    Running,
    /// `"sleeping"` (`S`).
    Sleeping,
    /// `"disk-sleep"` (`D`).
    DiskSleep,
    /// `"stopped"` (`T`).
    Stopped,
    /// `"tracing-stop"` (`t`).
    TracingStop,
    /// `"zombie"` (`Z`).
    Zombie,
    /// `"dead"` (`X` or `x`).
    Dead,
    /// `"wake-kill"` (`K`).
    WakeKill,
    /// `"waking"` (`W`).
    Waking,
    /// `"idle"` (`I`).
    Idle,
    /// `"parked"` (`P`).
    Parked,
    /// `"locked"` (exported by psutil, never produced on Linux).
    Locked,
    /// `"waiting"` (exported by psutil, never produced on Linux).
    Waiting,
    /// `"?"`: a letter psutil does not know.
    Unknown,
}

impl Status {
    /// The status for a stat state letter; an unknown letter gives
    /// [`Status::Unknown`] (psutil's `"?"`).
    ///
    /// ```
    /// use pskit::process::Status;
    /// assert_eq!(Status::from_letter(b'R'), Status::Running);
    /// assert_eq!(Status::from_letter(b'!').as_str(), "?");
    /// ```
    pub fn from_letter(c: u8) -> Status {
        match c {
            b'R' => Status::Running,
            b'S' => Status::Sleeping,
            b'D' => Status::DiskSleep,
            b'T' => Status::Stopped,
            b't' => Status::TracingStop,
            b'Z' => Status::Zombie,
            b'X' | b'x' => Status::Dead,
            b'K' => Status::WakeKill,
            b'W' => Status::Waking,
            b'I' => Status::Idle,
            b'P' => Status::Parked,
            _ => Status::Unknown,
        }
    }

    /// psutil's string for it.
    ///
    /// ```
    /// assert_eq!(pskit::STATUS_TRACING_STOP.as_str(), "tracing-stop");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Sleeping => "sleeping",
            Status::DiskSleep => "disk-sleep",
            Status::Stopped => "stopped",
            Status::TracingStop => "tracing-stop",
            Status::Zombie => "zombie",
            Status::Dead => "dead",
            Status::WakeKill => "wake-kill",
            Status::Waking => "waking",
            Status::Idle => "idle",
            Status::Parked => "parked",
            Status::Locked => "locked",
            Status::Waiting => "waiting",
            Status::Unknown => "?",
        }
    }

    /// The status named by psutil's string.
    ///
    /// ```
    /// use pskit::process::Status;
    /// assert_eq!(Status::from_name("waking"), Some(Status::Waking));
    /// assert_eq!(Status::from_name("busy"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Status> {
        ALL_STATUSES.into_iter().find(|s| s.as_str() == name)
    }
}

const ALL_STATUSES: [Status; 14] = [
    Status::Running,
    Status::Sleeping,
    Status::DiskSleep,
    Status::Stopped,
    Status::TracingStop,
    Status::Zombie,
    Status::Dead,
    Status::WakeKill,
    Status::Waking,
    Status::Idle,
    Status::Parked,
    Status::Locked,
    Status::Waiting,
    Status::Unknown,
];

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Status> {
        Status::from_name(s)
            .ok_or_else(|| crate::Error::InvalidArgument(format!("unknown process status {s:?}")))
    }
}

impl PartialEq<str> for Status {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Status {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Status> for &str {
    fn eq(&self, other: &Status) -> bool {
        *self == other.as_str()
    }
}

impl AsRef<str> for Status {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// psutil `STATUS_RUNNING` (stat letter `R`).
pub const STATUS_RUNNING: Status = Status::Running;
/// psutil `STATUS_SLEEPING` (`S`).
pub const STATUS_SLEEPING: Status = Status::Sleeping;
/// psutil `STATUS_DISK_SLEEP` (`D`).
pub const STATUS_DISK_SLEEP: Status = Status::DiskSleep;
/// psutil `STATUS_STOPPED` (`T`).
pub const STATUS_STOPPED: Status = Status::Stopped;
/// psutil `STATUS_TRACING_STOP` (`t`).
pub const STATUS_TRACING_STOP: Status = Status::TracingStop;
/// psutil `STATUS_ZOMBIE` (`Z`).
pub const STATUS_ZOMBIE: Status = Status::Zombie;
/// psutil `STATUS_DEAD` (`X` or `x`).
pub const STATUS_DEAD: Status = Status::Dead;
/// psutil's `"wake-kill"` (`K`).
pub const STATUS_WAKE_KILL: Status = Status::WakeKill;
/// psutil `STATUS_WAKING` (`W`).
pub const STATUS_WAKING: Status = Status::Waking;
/// psutil `STATUS_IDLE` (`I`).
pub const STATUS_IDLE: Status = Status::Idle;
/// psutil `STATUS_PARKED` (`P`).
pub const STATUS_PARKED: Status = Status::Parked;
/// psutil `STATUS_LOCKED` (exported, never produced on Linux).
pub const STATUS_LOCKED: Status = Status::Locked;
/// psutil `STATUS_WAITING` (exported, never produced on Linux).
pub const STATUS_WAITING: Status = Status::Waiting;

/// psutil `IOPRIO_CLASS_NONE`: no I/O priority was ever set.
pub const IOPRIO_CLASS_NONE: i32 = 0;
/// psutil `IOPRIO_CLASS_RT`.
pub const IOPRIO_CLASS_RT: i32 = 1;
/// psutil `IOPRIO_CLASS_BE`.
pub const IOPRIO_CLASS_BE: i32 = 2;
/// psutil `IOPRIO_CLASS_IDLE`.
pub const IOPRIO_CLASS_IDLE: i32 = 3;

/// Every `RLIMIT_*` constant with its psutil name, in number order (what
/// psutil's procinfo.py builds by hand to print a process's limits).
///
/// ```
/// assert_eq!(pskit::RLIMITS[7], ("RLIMIT_NOFILE", pskit::RLIMIT_NOFILE));
/// assert_eq!(pskit::RLIMITS.len(), 16);
/// ```
pub const RLIMITS: [(&str, i32); 16] = [
    ("RLIMIT_CPU", RLIMIT_CPU),
    ("RLIMIT_FSIZE", RLIMIT_FSIZE),
    ("RLIMIT_DATA", RLIMIT_DATA),
    ("RLIMIT_STACK", RLIMIT_STACK),
    ("RLIMIT_CORE", RLIMIT_CORE),
    ("RLIMIT_RSS", RLIMIT_RSS),
    ("RLIMIT_NPROC", RLIMIT_NPROC),
    ("RLIMIT_NOFILE", RLIMIT_NOFILE),
    ("RLIMIT_MEMLOCK", RLIMIT_MEMLOCK),
    ("RLIMIT_AS", RLIMIT_AS),
    ("RLIMIT_LOCKS", RLIMIT_LOCKS),
    ("RLIMIT_SIGPENDING", RLIMIT_SIGPENDING),
    ("RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE),
    ("RLIMIT_NICE", RLIMIT_NICE),
    ("RLIMIT_RTPRIO", RLIMIT_RTPRIO),
    ("RLIMIT_RTTIME", RLIMIT_RTTIME),
];

/// psutil `RLIM_INFINITY`.
pub const RLIM_INFINITY: i64 = -1;
/// psutil `RLIMIT_CPU`.
pub const RLIMIT_CPU: i32 = 0;
/// psutil `RLIMIT_FSIZE`.
pub const RLIMIT_FSIZE: i32 = 1;
/// psutil `RLIMIT_DATA`.
pub const RLIMIT_DATA: i32 = 2;
/// psutil `RLIMIT_STACK`.
pub const RLIMIT_STACK: i32 = 3;
/// psutil `RLIMIT_CORE`.
pub const RLIMIT_CORE: i32 = 4;
/// psutil `RLIMIT_RSS`.
pub const RLIMIT_RSS: i32 = 5;
/// psutil `RLIMIT_NPROC`.
pub const RLIMIT_NPROC: i32 = 6;
/// psutil `RLIMIT_NOFILE`.
pub const RLIMIT_NOFILE: i32 = 7;
/// psutil `RLIMIT_MEMLOCK`.
pub const RLIMIT_MEMLOCK: i32 = 8;
/// psutil `RLIMIT_AS`.
pub const RLIMIT_AS: i32 = 9;
/// psutil `RLIMIT_LOCKS`.
pub const RLIMIT_LOCKS: i32 = 10;
/// psutil `RLIMIT_SIGPENDING`.
pub const RLIMIT_SIGPENDING: i32 = 11;
/// psutil `RLIMIT_MSGQUEUE`.
pub const RLIMIT_MSGQUEUE: i32 = 12;
/// psutil `RLIMIT_NICE`.
pub const RLIMIT_NICE: i32 = 13;
/// psutil `RLIMIT_RTPRIO`.
pub const RLIMIT_RTPRIO: i32 = 14;
/// psutil `RLIMIT_RTTIME`.
pub const RLIMIT_RTTIME: i32 = 15;

/// Real, effective and saved user ids (psutil `puids`).
///
/// ```
/// let u = pskit::Process::current().unwrap().uids().unwrap();
/// assert_eq!(u.real, rustix::process::getuid().as_raw());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Uids {
    /// Real uid.
    pub real: u32,
    /// Effective uid.
    pub effective: u32,
    /// Saved set-user-id.
    pub saved: u32,
}

/// Real, effective and saved group ids (psutil `pgids`).
///
/// ```
/// let g = pskit::Process::current().unwrap().gids().unwrap();
/// assert_eq!(g.real, rustix::process::getgid().as_raw());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Gids {
    /// Real gid.
    pub real: u32,
    /// Effective gid.
    pub effective: u32,
    /// Saved set-group-id.
    pub saved: u32,
}

/// A process's CPU times in seconds (psutil `pcputimes`).
///
/// ```
/// let t = pskit::Process::current().unwrap().cpu_times().unwrap();
/// assert!(t.user >= 0.0 && t.iowait >= 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ProcessCpuTimes {
    /// Time in user mode.
    pub user: f64,
    /// Time in kernel mode.
    pub system: f64,
    /// User time of waited-for children.
    pub children_user: f64,
    /// System time of waited-for children.
    pub children_system: f64,
    /// Time blocked on I/O (delayacct_blkio_ticks).
    pub iowait: f64,
}

/// Memory use in bytes (psutil 7.2.2 `pmem`).
///
/// ```
/// let m = pskit::Process::current().unwrap().memory_info().unwrap();
/// assert!(m.rss > 0 && m.vms >= m.rss);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MemoryInfo {
    /// Resident set size.
    pub rss: u64,
    /// Virtual memory size.
    pub vms: u64,
    /// Resident shared pages (file-backed and shmem).
    pub shared: u64,
    /// Text (code) size.
    pub text: u64,
    /// Always 0 on Linux ≥ 2.6.
    pub lib: u64,
    /// Data plus stack.
    pub data: u64,
    /// Always 0 on Linux ≥ 2.6.
    pub dirty: u64,
}

/// [`MemoryInfo`] plus uss, pss and swap (psutil `pfullmem`).
///
/// ```
/// let m = pskit::Process::current().unwrap().memory_full_info().unwrap();
/// assert!(m.uss > 0 && m.uss <= m.rss);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MemoryFullInfo {
    /// Resident set size.
    pub rss: u64,
    /// Virtual memory size.
    pub vms: u64,
    /// Resident shared pages.
    pub shared: u64,
    /// Text size.
    pub text: u64,
    /// Always 0.
    pub lib: u64,
    /// Data plus stack.
    pub data: u64,
    /// Always 0.
    pub dirty: u64,
    /// Unique set size: memory that would be freed if the process exited.
    pub uss: u64,
    /// Proportional set size.
    pub pss: u64,
    /// Swapped out memory.
    pub swap: u64,
}

/// psutil 8.0's `memory_info_ex`: [`MemoryInfo`] plus status-based extras, bytes.
///
/// ```
/// let m = pskit::Process::current().unwrap().memory_info_ex().unwrap();
/// assert_eq!(m.rss, m.rss_anon + m.rss_file + m.rss_shmem);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MemoryInfoEx {
    /// Resident set size.
    pub rss: u64,
    /// Virtual memory size.
    pub vms: u64,
    /// Resident shared pages.
    pub shared: u64,
    /// Text size.
    pub text: u64,
    /// Always 0.
    pub lib: u64,
    /// Data plus stack.
    pub data: u64,
    /// Always 0.
    pub dirty: u64,
    /// Peak resident set size (VmHWM).
    pub peak_rss: u64,
    /// Peak virtual size (VmPeak).
    pub peak_vms: u64,
    /// Resident anonymous memory (RssAnon).
    pub rss_anon: u64,
    /// Resident file mappings (RssFile).
    pub rss_file: u64,
    /// Resident shared memory (RssShmem).
    pub rss_shmem: u64,
    /// Swapped-out anonymous memory (VmSwap).
    pub swap: u64,
    /// Huge TLB pages (HugetlbPages).
    pub hugetlb: u64,
}

/// The raw record of `/proc/PID/stat` (beyond psutil; what `ps` and `top`
/// columns are made of): ids, terminal, flags, scheduling and times in clock
/// ticks, as proc(5) names them. `locked` is `VmLck` of `/proc/PID/status`, in
/// bytes, when status was read too ([`crate::Process::proc_stat`] reads it; a
/// `process_iter` scan reads it when it reads status for another attribute:
/// uids, gids, username or num_ctx_switches).
///
/// ```
/// let st = pskit::Process::current().unwrap().proc_stat().unwrap();
/// assert_eq!(st.state, 'R');
/// assert!(st.num_threads >= 1 && st.starttime > 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcStat {
    /// Field 2, the command name (at most 15 bytes for user processes).
    pub comm: String,
    /// Field 3, the state letter (`R`, `S`, `D`, `Z`, `T`, `t`, `X`, `I`, …).
    pub state: char,
    /// Field 4.
    pub ppid: u32,
    /// Field 5, the process group.
    pub pgrp: i64,
    /// Field 6, the session.
    pub session: i64,
    /// Field 7, the controlling terminal's device number (0: none).
    pub tty_nr: i64,
    /// Field 8, the terminal's foreground process group (-1: none).
    pub tpgid: i64,
    /// Field 9, the kernel flags word (`PF_*`).
    pub flags: u64,
    /// Field 10.
    pub minflt: u64,
    /// Field 12.
    pub majflt: u64,
    /// Field 14, user time in clock ticks.
    pub utime: u64,
    /// Field 15, system time in clock ticks.
    pub stime: u64,
    /// Field 16, waited-for children's user time in clock ticks.
    pub cutime: u64,
    /// Field 17, waited-for children's system time in clock ticks.
    pub cstime: u64,
    /// Field 18, the kernel's priority value.
    pub priority: i64,
    /// Field 19, the nice value.
    pub nice: i64,
    /// Field 20.
    pub num_threads: u64,
    /// Field 22, the start time in clock ticks after boot.
    pub starttime: u64,
    /// Field 23, the virtual size in bytes.
    pub vsize: u64,
    /// Field 24, the resident set in pages.
    pub rss: u64,
    /// Field 26, the address above which program text can run.
    pub startcode: u64,
    /// Field 27, the address below which program text can run.
    pub endcode: u64,
    /// Field 39, the CPU it last ran on.
    pub processor: i64,
    /// Field 40, the real-time priority (0 for normal policies).
    pub rt_priority: u64,
    /// Field 41, the scheduling policy (`SCHED_*`).
    pub policy: u64,
    /// `VmLck` of status, in bytes, when status was read.
    pub locked: Option<u64>,
}

impl ProcStat {
    pub(crate) fn from_parts(
        s: &crate::linux::process::parse::Stat<'_>,
        status: Option<&crate::linux::process::parse::Status>,
    ) -> ProcStat {
        ProcStat {
            comm: crate::linux::process::parse::lossy(s.comm),
            state: char::from(s.state),
            ppid: s.ppid,
            pgrp: s.pgrp,
            session: s.session,
            tty_nr: s.tty_nr,
            tpgid: s.tpgid,
            flags: s.flags,
            minflt: s.minflt,
            majflt: s.majflt,
            utime: s.utime,
            stime: s.stime,
            cutime: s.cutime,
            cstime: s.cstime,
            priority: s.priority,
            nice: s.nice,
            num_threads: s.num_threads,
            starttime: s.starttime,
            vsize: s.vsize,
            rss: s.rss,
            startcode: s.startcode,
            endcode: s.endcode,
            processor: s.processor,
            rt_priority: s.rt_priority,
            policy: s.policy,
            locked: status.map(|st| st.vm_lck.unwrap_or(0)),
        }
    }
}

/// psutil 8.0's `page_faults` (`ppagefaults`).
///
/// ```
/// let f = pskit::Process::current().unwrap().page_faults().unwrap();
/// assert!(f.minor > 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PageFaults {
    /// Faults served without disk I/O.
    pub minor: u64,
    /// Faults that needed disk I/O.
    pub major: u64,
}

/// One mapping path's totals (psutil `pmmap_grouped`), bytes.
///
/// ```
/// let maps = pskit::Process::current().unwrap().memory_maps().unwrap();
/// assert!(maps.iter().any(|m| m.rss > 0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MemoryMap {
    /// Mapped file, or `[anon]`, `[heap]`, `[stack]`, …
    pub path: String,
    /// Resident.
    pub rss: u64,
    /// Mapped size.
    pub size: u64,
    /// Proportional set size.
    pub pss: u64,
    /// Shared clean pages.
    pub shared_clean: u64,
    /// Shared dirty pages.
    pub shared_dirty: u64,
    /// Private clean pages.
    pub private_clean: u64,
    /// Private dirty pages.
    pub private_dirty: u64,
    /// Referenced.
    pub referenced: u64,
    /// Anonymous.
    pub anonymous: u64,
    /// Swapped out.
    pub swap: u64,
}

/// One mapping (psutil `pmmap_ext`, from `memory_maps(grouped=False)`), bytes.
///
/// ```
/// let maps = pskit::Process::current().unwrap().memory_maps_ext().unwrap();
/// assert!(maps.iter().all(|m| m.addr.contains('-')));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MemoryMapExt {
    /// Address range, `start-end` in hex.
    pub addr: String,
    /// Permissions such as `r-xp`.
    pub perms: String,
    /// Mapped file, or `[anon]`, `[heap]`, …
    pub path: String,
    /// Resident.
    pub rss: u64,
    /// Mapped size.
    pub size: u64,
    /// Proportional set size.
    pub pss: u64,
    /// Shared clean pages.
    pub shared_clean: u64,
    /// Shared dirty pages.
    pub shared_dirty: u64,
    /// Private clean pages.
    pub private_clean: u64,
    /// Private dirty pages.
    pub private_dirty: u64,
    /// Referenced.
    pub referenced: u64,
    /// Anonymous.
    pub anonymous: u64,
    /// Swapped out.
    pub swap: u64,
}

/// An open regular file (psutil `popenfile`).
///
/// ```
/// let f = std::fs::File::open("Cargo.toml").unwrap();
/// let files = pskit::Process::current().unwrap().open_files().unwrap();
/// assert!(files.iter().any(|o| o.path.ends_with("Cargo.toml") && o.mode == "r"));
/// # drop(f);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OpenFile {
    /// Absolute path.
    pub path: String,
    /// File descriptor.
    pub fd: i32,
    /// Offset (`pos:` of fdinfo).
    pub position: u64,
    /// `r`, `w`, `a`, `r+` or `a+`.
    pub mode: String,
    /// The open flags (`flags:` of fdinfo, octal there).
    pub flags: u32,
}

/// One thread's CPU times in seconds (psutil `pthread`).
///
/// ```
/// let t = pskit::Process::current().unwrap().threads().unwrap();
/// assert!(!t.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Thread {
    /// Thread id.
    pub id: u32,
    /// User time.
    pub user_time: f64,
    /// System time.
    pub system_time: f64,
}

/// I/O counters (psutil `pio`).
///
/// ```
/// match pskit::Process::current().unwrap().io_counters() {
///     Ok(io) => assert!(io.read_chars > 0),
///     Err(e) => assert!(e.is_access_denied()),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct IoCounters {
    /// read-like syscalls (syscr).
    pub read_count: u64,
    /// write-like syscalls (syscw).
    pub write_count: u64,
    /// Bytes fetched from storage (read_bytes).
    pub read_bytes: u64,
    /// Bytes sent to storage (write_bytes).
    pub write_bytes: u64,
    /// Bytes passed to read-like syscalls (rchar).
    pub read_chars: u64,
    /// Bytes passed to write-like syscalls (wchar).
    pub write_chars: u64,
}

/// Context switches (psutil `pctxsw`).
///
/// ```
/// std::thread::sleep(std::time::Duration::from_millis(1)); // a voluntary switch
/// let c = pskit::Process::current().unwrap().num_ctx_switches().unwrap();
/// assert!(c.voluntary > 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CtxSwitches {
    /// Voluntary switches.
    pub voluntary: u64,
    /// Involuntary switches.
    pub involuntary: u64,
}

/// I/O scheduling class and level (psutil `pionice`).
///
/// ```
/// let i = pskit::process::Ionice { ioclass: pskit::process::IOPRIO_CLASS_BE, value: 4 };
/// assert_eq!(i.value, 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Ionice {
    /// One of the `IOPRIO_CLASS_*` constants.
    pub ioclass: i32,
    /// Level 0 (highest) to 7.
    pub value: i32,
}
