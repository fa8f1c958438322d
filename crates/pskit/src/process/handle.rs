//! The `Process` handle: construction, identity (pid + start time), `is_running`
//! and the oneshot cache (§3.1, §3.3).

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::linux::process::{self as sys, parse};
use crate::root::Root;

/// The files the oneshot scope reads once each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cached {
    Stat = 0,
    Status = 1,
    Statm = 2,
    Smaps = 3,
}

impl Cached {
    fn rel(self) -> &'static str {
        match self {
            Cached::Stat => "stat",
            Cached::Status => "status",
            Cached::Statm => "statm",
            Cached::Smaps => "smaps",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    oneshot: u32,
    files: [Option<Vec<u8>>; 4],
    pub(crate) cpu_sample: Option<(Instant, f64)>,
    pub(crate) exe: Option<String>,
    pub(crate) create_time: Option<f64>,
    /// The exit code collected by `wait` (psutil caches it).
    pub(crate) exitcode: Option<Option<i32>>,
}

/// A process, identified by its pid and start time (psutil `Process`).
///
/// Two handles are equal when pid and start time match, so a handle on a pid
/// that was reused compares unequal to the new process (psutil 7.2.2's identity).
/// Getters read whatever process owns the pid now; [`Process::is_running`] tells
/// whether it is still the same one.
///
/// ```
/// let p = pskit::Process::current().unwrap();
/// let q = pskit::Process::new(std::process::id()).unwrap();
/// assert_eq!(p, q);
/// println!("{} {:?} {}", p.pid(), p.status().unwrap(), p.create_time().unwrap());
/// ```
#[derive(Debug)]
pub struct Process {
    pub(crate) pid: u32,
    /// stat#22, start time in clock ticks after boot; None when it could not be read.
    pub(crate) ident: Option<u64>,
    pub(crate) root: Arc<Root>,
    pub(crate) state: Mutex<State>,
}

impl Clone for Process {
    fn clone(&self) -> Process {
        let st = self.lock();
        Process {
            pid: self.pid,
            ident: self.ident,
            root: self.root.clone(),
            state: Mutex::new(State {
                cpu_sample: st.cpu_sample,
                exe: st.exe.clone(),
                create_time: st.create_time,
                exitcode: st.exitcode,
                ..State::default()
            }),
        }
    }
}

impl PartialEq for Process {
    fn eq(&self, other: &Process) -> bool {
        self.pid == other.pid && self.ident == other.ident
    }
}

impl Eq for Process {}

impl Hash for Process {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.pid.hash(h);
        self.ident.hash(h);
    }
}

impl Process {
    /// The process with this pid (psutil `Process(pid)`). A thread id works too, as
    /// in psutil.
    ///
    /// Errors: NoSuchProcess ("process PID not found") when there is no such pid,
    /// or "process PID out of range" for a pid beyond pid_t.
    ///
    /// ```
    /// assert!(pskit::Process::new(std::process::id()).is_ok());
    /// let err = pskit::Process::new(u32::MAX).unwrap_err();
    /// assert!(err.is_no_such_process());
    /// ```
    pub fn new(pid: u32) -> Result<Process> {
        Process::with_root(Root::current(), pid)
    }

    /// The calling process (psutil `Process()`).
    ///
    /// ```
    /// assert_eq!(pskit::Process::current().unwrap().pid(), std::process::id());
    /// ```
    pub fn current() -> Result<Process> {
        Process::new(std::process::id())
    }

    pub(crate) fn with_root(root: Arc<Root>, pid: u32) -> Result<Process> {
        if pid > i32::MAX as u32 {
            return Err(sys::no_such_process(pid, "process PID out of range"));
        }
        let ident = match sys::read_pid_file(&root, pid, "stat", |b| {
            parse::parse_stat(b)
                .map(|s| s.starttime)
                .map_err(|m| sys::parse_err(&root, pid, "stat", m))
        }) {
            Ok(t) => Some(t),
            Err(Error::AccessDenied { .. }) | Err(Error::ZombieProcess { .. }) => None,
            Err(e) if e.is_no_such_process() || crate::linux::fs::is_not_found(&e) => {
                return Err(sys::no_such_process(pid, "process PID not found"))
            }
            Err(e) => return Err(e),
        };
        Ok(Process::from_parts(root, pid, ident))
    }

    pub(crate) fn from_parts(root: Arc<Root>, pid: u32, ident: Option<u64>) -> Process {
        Process {
            pid,
            ident,
            root,
            state: Mutex::new(State::default()),
        }
    }

    /// The process id.
    ///
    /// ```
    /// assert_eq!(pskit::Process::current().unwrap().pid(), std::process::id());
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True while the pid still names this same process (same start time);
    /// also true for a zombie (psutil `is_running`).
    ///
    /// ```
    /// assert!(pskit::Process::current().unwrap().is_running());
    /// ```
    pub fn is_running(&self) -> bool {
        let now = sys::read_pid_file(&self.root, self.pid, "stat", |b| {
            Ok(parse::parse_stat(b).map(|s| s.starttime).ok())
        });
        match now {
            Ok(t) => self.ident.is_none() || t == self.ident,
            Err(Error::ZombieProcess { .. }) | Err(Error::AccessDenied { .. }) => true,
            Err(_) => false,
        }
    }

    /// psutil's `_raise_if_pid_reused`: NoSuchProcess when the pid now names another
    /// process.
    pub(crate) fn check_reused(&self) -> Result<()> {
        let Some(ident) = self.ident else {
            return Ok(());
        };
        match self.stat(|s| Ok(s.starttime)) {
            Ok(t) if t != ident => Err(sys::no_such_process(
                self.pid,
                "process no longer exists and its PID has been reused",
            )),
            _ => Ok(()),
        }
    }

    /// A pidfd on this process (Linux ≥ 5.3; beyond psutil): a handle that keeps
    /// naming this process even after its pid is reused, for signals and waits
    /// without the reuse race. The start time is checked after the fd is open, so
    /// the fd cannot refer to a process that took over the pid.
    ///
    /// ```
    /// let fd = pskit::Process::current().unwrap().pidfd();
    /// assert!(fd.is_ok() || matches!(fd, Err(pskit::Error::Unsupported(_))));
    /// ```
    pub fn pidfd(&self) -> Result<std::os::fd::OwnedFd> {
        if !self.root.is_host() {
            return Err(Error::Unsupported(
                "pidfd needs the host's own procfs root".into(),
            ));
        }
        let pid = rustix::process::Pid::from_raw(self.pid as i32)
            .ok_or_else(|| sys::no_such_process(self.pid, "process PID not found"))?;
        let fd = match rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::SRCH) => {
                return Err(sys::no_such_process(self.pid, "process no longer exists"))
            }
            Err(rustix::io::Errno::NOSYS) => {
                return Err(Error::Unsupported("pidfd_open needs Linux 5.3".into()))
            }
            Err(e) => return Err(Error::io("pidfd_open", e.into())),
        };
        self.check_reused()?;
        Ok(fd)
    }

    /// Runs `f` with the oneshot cache on (psutil `oneshot()`): inside it, stat,
    /// status, statm and smaps are read at most once each, however many methods
    /// use them. Nested scopes are fine; the cache is dropped when the outermost
    /// ends.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// let (name, times, ppid) = p.oneshot(|p| (p.name(), p.cpu_times(), p.ppid()));
    /// assert!(name.is_ok() && times.is_ok() && ppid.is_ok());
    /// ```
    pub fn oneshot<R>(&self, f: impl FnOnce(&Process) -> R) -> R {
        struct Exit<'a>(&'a Process);
        impl Drop for Exit<'_> {
            fn drop(&mut self) {
                let mut st = self.0.lock();
                st.oneshot = st.oneshot.saturating_sub(1);
                if st.oneshot == 0 {
                    st.files = Default::default();
                }
            }
        }
        self.lock().oneshot += 1;
        let _exit = Exit(self);
        f(self)
    }

    /// Reads `which` (from the cache inside oneshot) and parses it; errors are
    /// translated the psutil way.
    pub(crate) fn with_file<T>(
        &self,
        which: Cached,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let mut st = self.lock();
        if st.oneshot == 0 {
            drop(st);
            return sys::read_pid_file(&self.root, self.pid, which.rel(), parse);
        }
        let i = which as usize;
        if st.files[i].is_none() {
            let bytes = sys::read_pid_file(&self.root, self.pid, which.rel(), |b| Ok(b.to_vec()))?;
            st.files[i] = Some(bytes);
        }
        parse(st.files[i].as_deref().unwrap_or_default())
    }

    /// Parses stat and hands the fields to `f`.
    pub(crate) fn stat<T>(&self, f: impl FnOnce(&parse::Stat<'_>) -> Result<T>) -> Result<T> {
        let (root, pid) = (&self.root, self.pid);
        self.with_file(Cached::Stat, |b| {
            let s = parse::parse_stat(b).map_err(|m| sys::parse_err(root, pid, "stat", m))?;
            f(&s)
        })
    }

    /// Parses status and hands it to `f`.
    pub(crate) fn status_file<T>(&self, f: impl FnOnce(&parse::Status) -> Result<T>) -> Result<T> {
        self.with_file(Cached::Status, |b| f(&parse::parse_status(b)))
    }

    /// A path below this process's procfs directory.
    pub(crate) fn path(&self, rel: &str) -> std::path::PathBuf {
        sys::pid_path(&self.root, self.pid, rel)
    }
}
