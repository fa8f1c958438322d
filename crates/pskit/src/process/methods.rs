//! The read methods of `Process` that come from stat, status, statm, cmdline,
//! environ and the links of `/proc/<pid>` (§3.4, §3.5).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::handle::{Cached, Process};
use super::types::*;
use crate::error::{Error, Result};
use crate::linux::cpu::clk_tck;
use crate::linux::process::{self as sys, libc_errno, parse};

pub(crate) fn page_size() -> u64 {
    rustix::param::page_size() as u64
}

impl Process {
    /// The parent's pid (psutil `ppid`); checks first that the pid was not reused.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// assert!(p.ppid().unwrap() > 0);
    /// ```
    pub fn ppid(&self) -> Result<u32> {
        self.check_reused()?;
        self.stat(|s| Ok(s.ppid))
    }

    /// The process name (psutil `name`): the kernel's 15-byte comm, extended from
    /// `cmdline[0]`'s basename when that starts with it (`gnome-keyring-d` →
    /// `gnome-keyring-daemon`).
    ///
    /// ```
    /// let name = pskit::Process::current().unwrap().name().unwrap();
    /// assert!(!name.is_empty());
    /// ```
    pub fn name(&self) -> Result<String> {
        let comm = self.stat(|s| Ok(parse::lossy(s.comm)))?;
        let name = extend_name(comm, || self.cmdline())?;
        self.lock().name = Some(name.clone());
        Ok(name)
    }

    /// The executable's absolute path, or "" for kernel threads (psutil `exe`).
    /// A ` (deleted)` suffix is removed when no file of that name exists. When
    /// the link cannot be read, an absolute executable `cmdline[0]` is used.
    ///
    /// ```
    /// let exe = pskit::Process::current().unwrap().exe().unwrap();
    /// assert!(exe.starts_with('/'));
    /// ```
    pub fn exe(&self) -> Result<String> {
        let cached = self.lock().exe.clone();
        if let Some(exe) = cached {
            return Ok(exe);
        }
        let exe = match self.readlink_or_empty("exe") {
            Ok(p) if p.is_empty() => self.guess_exe().ok().flatten().unwrap_or_default(),
            Ok(p) => p,
            Err(e @ Error::AccessDenied { .. }) => match self.guess_exe() {
                Ok(Some(g)) => g,
                _ => return Err(e),
            },
            Err(e) => return Err(e),
        };
        self.lock().exe = Some(exe.clone());
        Ok(exe)
    }

    fn guess_exe(&self) -> Result<Option<String>> {
        let cmd = self.cmdline()?;
        let Some(first) = cmd.first() else {
            return Ok(None);
        };
        if !first.starts_with('/') {
            return Ok(None);
        }
        let path = self.root.map_host_path(std::path::Path::new(first));
        let ok = path.is_file() && rustix::fs::access(&path, rustix::fs::Access::EXEC_OK).is_ok();
        Ok(ok.then(|| first.clone()))
    }

    /// readlink with psutil's rules: text up to the first NUL, ` (deleted)`
    /// stripped when appropriate; ENOENT/ESRCH while the pid's directory exists
    /// → ZombieProcess for a zombie, else "".
    fn readlink_or_empty(&self, rel: &str) -> Result<String> {
        match sys::readlink_path(&self.path(rel)) {
            Ok(raw) => {
                let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
                Ok(sys::strip_deleted(&self.root, parse::lossy(&raw[..end])))
            }
            Err(e)
                if matches!(
                    sys::errno(&e),
                    Some(libc_errno::ENOENT) | Some(libc_errno::ESRCH)
                ) =>
            {
                if !self.path("").exists() {
                    Err(self.gone())
                } else if sys::is_zombie(&self.root, self.pid) {
                    Err(self.named(sys::zombie(self.pid)))
                } else {
                    Ok(String::new())
                }
            }
            Err(e) => Err(self.translate(e)),
        }
    }

    /// The command line (psutil `cmdline`): NUL-separated, or space-separated for
    /// setproctitle users; `[]` for kernel threads; ZombieProcess for a zombie.
    ///
    /// ```
    /// let cmd = pskit::Process::current().unwrap().cmdline().unwrap();
    /// assert!(!cmd.is_empty());
    /// ```
    pub fn cmdline(&self) -> Result<Vec<String>> {
        let parts = self
            .read_file("cmdline", |b| Ok(parse::parse_cmdline(b)))
            .map_err(|e| self.named(e))?;
        if parts.is_empty() && sys::is_zombie(&self.root, self.pid) {
            return Err(self.named(sys::zombie(self.pid)));
        }
        Ok(parts)
    }

    /// The environment (psutil `environ`); usually needs the same user or root.
    ///
    /// ```
    /// // The environment the process started with (later set_var calls do not show).
    /// let env = pskit::Process::current().unwrap().environ().unwrap();
    /// assert_eq!(env.get("PATH").map(String::as_str), std::env::var("PATH").ok().as_deref());
    /// ```
    pub fn environ(&self) -> Result<BTreeMap<String, String>> {
        self.read_file("environ", |b| Ok(parse::parse_environ(b)))
            .map_err(|e| self.named(e))
    }

    /// Start time in seconds since the epoch (psutil `create_time`): stat#22 /
    /// CLK_TCK + boot_time(), computed once per handle. The start time is the
    /// one read when the handle was made, as psutil's is: a handle whose
    /// process has ended still answers, until [`Process::clear_cache`] (after
    /// it, stat is read again).
    ///
    /// ```
    /// let t = pskit::Process::current().unwrap().create_time().unwrap();
    /// assert!(t > pskit::boot_time().unwrap() - 1.0);
    /// ```
    pub fn create_time(&self) -> Result<f64> {
        let (cached, reread) = {
            let st = self.lock();
            (st.create_time, st.reread_start)
        };
        if let Some(t) = cached {
            return Ok(t);
        }
        let ticks = match self.ident {
            Some(t) if !reread => t,
            _ => self.stat(|s| Ok(s.starttime))?,
        };
        let t = ticks as f64 / clk_tck() + crate::linux::cpu::boot_time(&self.root)?;
        self.lock().create_time = Some(t);
        Ok(t)
    }

    /// Seconds from boot to this process's start (stat#22 / CLK_TCK), as read
    /// when the handle was made; None when stat could not be read then. This is
    /// the part of psutil's process identity that clock changes do not move
    /// (its `create_time(monotonic=True)`); it costs no read.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// let since_boot = p.create_time_monotonic().unwrap();
    /// let t = p.create_time().unwrap();
    /// assert!((t - pskit::boot_time().unwrap() - since_boot).abs() < 1.0);
    /// ```
    pub fn create_time_monotonic(&self) -> Option<f64> {
        self.ident.map(|t| t as f64 / clk_tck())
    }

    /// The parent process, or None for the first process, when the parent is gone,
    /// or when the ppid now names a younger process (psutil `parent`).
    ///
    /// ```
    /// let me = pskit::Process::current().unwrap();
    /// let parent = me.parent().unwrap().unwrap();
    /// assert_eq!(parent.pid(), me.ppid().unwrap());
    /// ```
    pub fn parent(&self) -> Result<Option<Process>> {
        let ppid = self.ppid()?;
        if ppid == 0 {
            return Ok(None);
        }
        let parent = match Process::with_root(self.root.clone(), ppid) {
            Ok(p) => p,
            Err(e) if e.is_no_such_process() => return Ok(None),
            Err(e) => return Err(e),
        };
        let mine = self.stat(|s| Ok(s.starttime))?;
        match parent.ident {
            Some(t) if t > mine => Ok(None),
            _ => Ok(Some(parent)),
        }
    }

    /// The ancestors, nearest first (psutil `parents`).
    ///
    /// ```
    /// let ps = pskit::Process::current().unwrap().parents().unwrap();
    /// assert!(!ps.is_empty());
    /// ```
    pub fn parents(&self) -> Result<Vec<Process>> {
        let mut out: Vec<Process> = Vec::new();
        let mut cur = self.parent()?;
        while let Some(p) = cur {
            if out.iter().any(|q| q.pid == p.pid) {
                break;
            }
            cur = p.parent().unwrap_or(None);
            out.push(p);
        }
        Ok(out)
    }

    /// The raw `/proc/PID/stat` record plus status's `VmLck` (beyond psutil;
    /// see [`ProcStat`]), read in one oneshot scope.
    ///
    /// ```
    /// let st = pskit::Process::current().unwrap().proc_stat().unwrap();
    /// assert_eq!(st.ppid, std::os::unix::process::parent_id());
    /// assert!(st.locked.is_some());
    /// ```
    pub fn proc_stat(&self) -> Result<ProcStat> {
        self.oneshot(|p| {
            let locked = p.status_file(|st| Ok(st.vm_lck.unwrap_or(0))).ok();
            p.stat(|s| {
                let mut out = ProcStat::from_parts(s, None);
                out.locked = locked;
                Ok(out)
            })
        })
    }

    /// The status (psutil `status`, one of the `STATUS_*` constants); it
    /// displays as psutil's string.
    ///
    /// ```
    /// let s = pskit::Process::current().unwrap().status().unwrap();
    /// assert_eq!(s, pskit::STATUS_RUNNING);
    /// assert_eq!(s.to_string(), "running");
    /// ```
    pub fn status(&self) -> Result<Status> {
        match self.stat(|s| Ok(Status::from_letter(s.state))) {
            Err(Error::ZombieProcess { .. }) => Ok(STATUS_ZOMBIE),
            r => r,
        }
    }

    /// The working directory, "" when it cannot be known for a live process
    /// (psutil `cwd`).
    ///
    /// ```
    /// let cwd = pskit::Process::current().unwrap().cwd().unwrap();
    /// assert_eq!(std::path::PathBuf::from(cwd), std::env::current_dir().unwrap());
    /// ```
    pub fn cwd(&self) -> Result<String> {
        self.readlink_or_empty("cwd")
    }

    /// The name of the real user, from `{etc}/passwd`; the uid as text when it is
    /// not listed (psutil `username`).
    ///
    /// ```
    /// let u = pskit::Process::current().unwrap().username().unwrap();
    /// assert!(!u.is_empty());
    /// ```
    pub fn username(&self) -> Result<String> {
        let uid = self.uids()?.real;
        Ok(crate::linux::process::files::username(&self.root, uid))
    }

    /// Real, effective and saved uids (psutil `uids`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().uids().is_ok());
    /// ```
    pub fn uids(&self) -> Result<Uids> {
        let u = self
            .status_file(|s| Ok(s.uid))?
            .ok_or_else(|| self.missing("status", "Uid"))?;
        Ok(Uids {
            real: u[0],
            effective: u[1],
            saved: u[2],
        })
    }

    /// Real, effective and saved gids (psutil `gids`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().gids().is_ok());
    /// ```
    pub fn gids(&self) -> Result<Gids> {
        let g = self
            .status_file(|s| Ok(s.gid))?
            .ok_or_else(|| self.missing("status", "Gid"))?;
        Ok(Gids {
            real: g[0],
            effective: g[1],
            saved: g[2],
        })
    }

    fn missing(&self, file: &str, key: &str) -> Error {
        sys::parse_err(&self.root, self.pid, file, format!("no {key} line"))
    }

    /// The controlling terminal's path, or None (psutil `terminal`).
    ///
    /// ```
    /// let t = pskit::Process::current().unwrap().terminal().unwrap();
    /// assert!(t.map_or(true, |t| t.starts_with("/dev/")));
    /// ```
    pub fn terminal(&self) -> Result<Option<String>> {
        let tty_nr = self.stat(|s| Ok(s.tty_nr))?;
        Ok(crate::linux::process::files::tty_name(&self.root, tty_nr))
    }

    /// The nice value (psutil `nice()` without an argument), -20 to 19.
    ///
    /// ```
    /// let n = pskit::Process::current().unwrap().nice().unwrap();
    /// assert!((-20..=19).contains(&n));
    /// ```
    pub fn nice(&self) -> Result<i32> {
        if !self.root.is_host() {
            return self.stat(|s| Ok(s.nice as i32));
        }
        let pid = rustix::process::Pid::from_raw(self.pid as i32);
        match rustix::process::getpriority_process(pid) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.translate(Error::io("getpriority", e.into()))),
        }
    }

    /// The I/O scheduling class and level (psutil `ionice()`), from the
    /// ioprio_get syscall: class = prio >> 13, level = prio & 0x1fff. A process
    /// that never set one reads back `IOPRIO_CLASS_NONE`.
    ///
    /// ```
    /// let io = pskit::Process::current().unwrap().ionice().unwrap();
    /// assert!((0..=3).contains(&io.ioclass));
    /// ```
    pub fn ionice(&self) -> Result<Ionice> {
        if !self.root.is_host() {
            return Err(Error::Unsupported(
                "ionice is a syscall and cannot follow a non-host root".into(),
            ));
        }
        let prio = crate::sys::ioprio_get(self.pid)
            .map_err(|e| self.translate(Error::io("ioprio_get", e)))?;
        Ok(Ionice {
            ioclass: prio >> 13,
            value: prio & 0x1fff,
        })
    }

    /// A resource limit as (soft, hard), -1 meaning unlimited (psutil
    /// `rlimit(resource)`), with resource one of the `RLIMIT_*` constants. Read
    /// with prlimit(2) as psutil does, so another user's process gives
    /// AccessDenied; under a non-host root, from `<pid>/limits`.
    ///
    /// ```
    /// use pskit::process::RLIMIT_NOFILE;
    /// let (soft, hard) = pskit::Process::current().unwrap().rlimit(RLIMIT_NOFILE).unwrap();
    /// assert!(hard == -1 || soft <= hard);
    /// ```
    pub fn rlimit(&self, resource: i32) -> Result<(i64, i64)> {
        if !(0..=RLIMIT_RTTIME).contains(&resource) {
            return Err(Error::InvalidArgument(format!(
                "invalid resource {resource}"
            )));
        }
        let (root, pid) = (&self.root, self.pid);
        if root.is_host() {
            if pid == 0 {
                return Err(Error::InvalidArgument(
                    "can't use prlimit() against PID 0 process".into(),
                ));
            }
            let as_i64 = |v: u64| {
                if v == u64::MAX {
                    RLIM_INFINITY
                } else {
                    v as i64
                }
            };
            return match crate::sys::prlimit(pid, resource, None) {
                Ok((soft, hard)) => Ok((as_i64(soft), as_i64(hard))),
                // prlimit on a zombie fails with ENOSYS in psutil's experience.
                Err(e) if e.raw_os_error() == Some(38) && sys::is_zombie(root, pid) => {
                    Err(self.named(sys::zombie(pid)))
                }
                Err(e) => Err(self.translate(Error::io("prlimit", e))),
            };
        }
        let all = self.read_file("limits", |b| {
            parse::parse_limits(&String::from_utf8_lossy(b))
                .map_err(|m| sys::parse_err(root, pid, "limits", m))
        })?;
        all.get(resource as usize).copied().ok_or_else(|| {
            sys::parse_err(
                root,
                pid,
                "limits",
                format!("no line for resource {resource}"),
            )
        })
    }

    /// I/O counters (psutil `io_counters`); other users' processes give AccessDenied.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// if let Ok(io) = p.io_counters() { assert!(io.read_count > 0); }
    /// ```
    pub fn io_counters(&self) -> Result<IoCounters> {
        let (root, pid) = (&self.root, self.pid);
        let v = self.read_file("io", |b| {
            parse::parse_io(b).map_err(|m| sys::parse_err(root, pid, "io", m))
        })?;
        Ok(IoCounters {
            read_count: v[0],
            write_count: v[1],
            read_bytes: v[2],
            write_bytes: v[3],
            read_chars: v[4],
            write_chars: v[5],
        })
    }

    /// Voluntary and involuntary context switches (psutil `num_ctx_switches`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().num_ctx_switches().is_ok());
    /// ```
    pub fn num_ctx_switches(&self) -> Result<CtxSwitches> {
        let (v, n) =
            self.status_file(|s| Ok((s.voluntary_ctxt_switches, s.nonvoluntary_ctxt_switches)))?;
        match (v, n) {
            (Some(voluntary), Some(involuntary)) => Ok(CtxSwitches { voluntary, involuntary }),
            _ => Err(Error::Unsupported(
                "'voluntary_ctxt_switches' and 'nonvoluntary_ctxt_switches' lines were not found in status".into(),
            )),
        }
    }

    /// The number of threads (psutil `num_threads`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().num_threads().unwrap() >= 1);
    /// ```
    pub fn num_threads(&self) -> Result<u32> {
        self.status_file(|s| Ok(s.threads))?
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .ok_or_else(|| self.missing("status", "Threads"))
    }

    /// CPU times in seconds (psutil `cpu_times`).
    ///
    /// ```
    /// let t = pskit::Process::current().unwrap().cpu_times().unwrap();
    /// assert!(t.user + t.system >= 0.0);
    /// ```
    pub fn cpu_times(&self) -> Result<ProcessCpuTimes> {
        let tck = clk_tck();
        self.stat(|s| Ok(cpu_times_of(s, tck)))
    }

    /// CPU use in percent since the previous call on this handle (`interval`
    /// None or 0: non-blocking; the first call returns 0.0), or over a blocking
    /// `interval` in seconds. Not divided by the CPU count: up to 100 × CPUs
    /// (psutil `cpu_percent`).
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// assert_eq!(p.cpu_percent(None).unwrap(), 0.0);
    /// assert!(p.cpu_percent(Some(0.05)).unwrap() >= 0.0);
    /// ```
    pub fn cpu_percent(&self, interval: Option<f64>) -> Result<f64> {
        let interval = interval.unwrap_or(0.0);
        if interval < 0.0 || interval.is_nan() {
            return Err(Error::InvalidArgument(format!(
                "interval is not positive (got {interval})"
            )));
        }
        let sample = |p: &Process| -> Result<(Instant, f64)> {
            let t = p.cpu_times()?;
            Ok((Instant::now(), t.user + t.system))
        };
        let (t1, p1) = if interval > 0.0 {
            let first = sample(self)?;
            std::thread::sleep(Duration::try_from_secs_f64(interval).map_err(|_| {
                Error::InvalidArgument(format!("interval is too large (got {interval})"))
            })?);
            first
        } else {
            let prev = self.lock().cpu_sample;
            match prev {
                Some(s) => s,
                None => {
                    let s = sample(self)?;
                    self.lock().cpu_sample = Some(s);
                    return Ok(0.0);
                }
            }
        };
        let (t2, p2) = sample(self)?;
        self.lock().cpu_sample = Some((t2, p2));
        let wall = t2.duration_since(t1).as_secs_f64();
        if wall <= 0.0 {
            return Ok(0.0);
        }
        Ok(crate::linux::parse::round1((p2 - p1) / wall * 100.0))
    }

    /// The CPU the process last ran on (psutil `cpu_num`).
    ///
    /// ```
    /// let n = pskit::Process::current().unwrap().cpu_num().unwrap();
    /// assert!(n < 4096);
    /// ```
    pub fn cpu_num(&self) -> Result<u32> {
        self.stat(|s| Ok(s.processor.max(0) as u32))
    }

    /// The CPUs the process may run on, sorted (psutil `cpu_affinity()`).
    ///
    /// ```
    /// let cpus = pskit::Process::current().unwrap().cpu_affinity().unwrap();
    /// assert!(!cpus.is_empty());
    /// ```
    pub fn cpu_affinity(&self) -> Result<Vec<u32>> {
        if !self.root.is_host() {
            return Err(Error::Unsupported(
                "cpu_affinity is a syscall and cannot follow a non-host root".into(),
            ));
        }
        let pid = rustix::process::Pid::from_raw(self.pid as i32);
        let set = rustix::thread::sched_getaffinity(pid)
            .map_err(|e| self.translate(Error::io("sched_getaffinity", e.into())))?;
        Ok((0..rustix::thread::CpuSet::MAX_CPU)
            .filter(|&c| set.is_set(c))
            .map(|c| c as u32)
            .collect())
    }

    /// Memory use from statm, in bytes (psutil `memory_info`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().memory_info().unwrap().rss > 0);
    /// ```
    pub fn memory_info(&self) -> Result<MemoryInfo> {
        let (root, pid) = (&self.root, self.pid);
        let v = self.with_file(Cached::Statm, |b| {
            parse::parse_statm(b).map_err(|m| sys::parse_err(root, pid, "statm", m))
        })?;
        Ok(memory_info_of(&v, page_size()))
    }

    /// psutil 8.0's `memory_info_ex`: memory_info plus peak_rss, peak_vms, rss_anon,
    /// rss_file, rss_shmem, swap and hugetlb from status (0 when a line is missing).
    ///
    /// ```
    /// let m = pskit::Process::current().unwrap().memory_info_ex().unwrap();
    /// assert!(m.peak_rss >= m.rss_anon);
    /// ```
    pub fn memory_info_ex(&self) -> Result<MemoryInfoEx> {
        let m = self.memory_info()?;
        self.status_file(|s| {
            let z = |v: Option<u64>| v.unwrap_or(0);
            Ok(MemoryInfoEx {
                rss: m.rss,
                vms: m.vms,
                shared: m.shared,
                text: m.text,
                lib: m.lib,
                data: m.data,
                dirty: m.dirty,
                peak_rss: z(s.vm_hwm),
                peak_vms: z(s.vm_peak),
                rss_anon: z(s.rss_anon),
                rss_file: z(s.rss_file),
                rss_shmem: z(s.rss_shmem),
                swap: z(s.vm_swap),
                hugetlb: z(s.hugetlb_pages),
            })
        })
    }

    /// psutil 8.0's `page_faults`: minor and major faults (stat#10, stat#12).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().page_faults().unwrap().minor > 0);
    /// ```
    pub fn page_faults(&self) -> Result<PageFaults> {
        self.stat(|s| {
            Ok(PageFaults {
                minor: s.minflt,
                major: s.majflt,
            })
        })
    }

    /// The process's cgroup path (beyond psutil): the v2 path of `<pid>/cgroup`
    /// (`0::/path`), else the first hierarchy's path.
    ///
    /// ```
    /// let cg = pskit::Process::current().unwrap().cgroup().unwrap();
    /// assert!(cg.map_or(true, |c| c.starts_with('/')));
    /// ```
    pub fn cgroup(&self) -> Result<Option<String>> {
        self.read_file("cgroup", |b| {
            Ok(parse::parse_cgroup(&String::from_utf8_lossy(b)))
        })
    }
}

/// psutil's name wrapper: a comm of 15+ bytes is extended from cmdline[0].
pub(crate) fn extend_name(
    comm: String,
    cmdline: impl FnOnce() -> Result<Vec<String>>,
) -> Result<String> {
    if comm.len() < 15 {
        return Ok(comm);
    }
    match cmdline() {
        Ok(cmd) => {
            if let Some(first) = cmd.first() {
                let base = first.rsplit('/').next().unwrap_or(first);
                if base.starts_with(&comm) {
                    return Ok(base.to_string());
                }
            }
            Ok(comm)
        }
        Err(Error::AccessDenied { .. }) | Err(Error::ZombieProcess { .. }) => Ok(comm),
        Err(e) => Err(e),
    }
}

pub(crate) fn cpu_times_of(s: &parse::Stat<'_>, tck: f64) -> ProcessCpuTimes {
    ProcessCpuTimes {
        user: s.utime as f64 / tck,
        system: s.stime as f64 / tck,
        children_user: s.cutime as f64 / tck,
        children_system: s.cstime as f64 / tck,
        iowait: s.delayacct_blkio_ticks as f64 / tck,
    }
}

pub(crate) fn memory_info_of(v: &[u64; 7], page: u64) -> MemoryInfo {
    MemoryInfo {
        vms: v[0] * page,
        rss: v[1] * page,
        shared: v[2] * page,
        text: v[3] * page,
        lib: v[4] * page,
        data: v[5] * page,
        dirty: v[6] * page,
    }
}

/// memory_info from status, for a scan that reads status anyway: the kernel
/// computes statm and these lines from the same counters (size = VmSize,
/// resident = VmRSS, shared = RssFile + RssShmem, text = VmExe, data = VmData +
/// VmStk; lib and dirty are 0). One caveat: VmExe is capped at the executable
/// mappings' size, statm's text is not; they differ only for a process whose
/// code segment is not mapped executable. Kernel threads have no Vm lines: zeros,
/// as statm gives.
pub(crate) fn memory_info_of_status(s: &parse::Status) -> MemoryInfo {
    let z = |v: Option<u64>| v.unwrap_or(0);
    MemoryInfo {
        rss: z(s.vm_rss),
        vms: z(s.vm_size),
        shared: z(s.rss_file) + z(s.rss_shmem),
        text: z(s.vm_exe),
        lib: 0,
        data: z(s.vm_data) + z(s.vm_stk),
        dirty: 0,
    }
}
