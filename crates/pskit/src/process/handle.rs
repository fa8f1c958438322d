//! The `Process` handle: construction, identity (pid + start time), `is_running`
//! and the oneshot cache (§3.1, §3.3).

use std::hash::{Hash, Hasher};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use rustix::io::Errno;

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
    /// The name, once `name()` has read it: psutil's errors quote it from then on.
    pub(crate) name: Option<String>,
    pub(crate) create_time: Option<f64>,
    /// Set by `clear_cache`: create_time reads stat again, as a re-initialised
    /// psutil Process does, rather than take the start time the handle was
    /// made with.
    pub(crate) reread_start: bool,
    /// The exit code collected by `wait` (psutil caches it).
    pub(crate) exitcode: Option<Option<i32>>,
    /// Inside oneshot, (uss, pss, swap) summed by a memory_maps read of smaps, so
    /// memory_full_info need not parse it again.
    pub(crate) smaps_sums: Option<(u64, u64, u64)>,
    /// Inside oneshot, the fd directory as open_files or net_connections read
    /// it, for the other and for num_fds.
    pub(crate) fds: Option<Arc<sys::files::FdTable>>,
}

/// A process, identified by its pid and start time (psutil `Process`).
///
/// Two handles are equal when pid and start time match, so a handle on a pid
/// that was reused compares unequal to the new process (psutil 7.2.2's identity).
/// Getters read whatever process owns the pid now; [`Process::is_running`] tells
/// whether it is still the same one.
///
/// # Identity that survives pid reuse
/// Start times have clock-tick resolution (10 ms), so a pid reused within one tick
/// looks like the same process to psutil. pskit goes further: a handle made by
/// [`Process::new`], [`Process::current`] or [`Popen`](crate::Popen) holds a
/// pidfd opened *before* the start time is read and confirmed alive after it, so
/// the pidfd names exactly the process the handle describes. Every action then goes
/// through that pidfd:
/// - signals ([`send_signal`](Process::send_signal), `suspend`, `resume`,
///   `terminate`, `kill`) are sent with pidfd_send_signal(2): they reach the
///   original process or fail with NoSuchProcess, whatever the timing;
/// - [`wait`](Process::wait) polls the pidfd and reaps with `waitid(P_PIDFD)`, so
///   it never reaps a newer child that took the pid;
/// - [`is_running`](Process::is_running) asks the pidfd (true until the process
///   is reaped, so true for a zombie);
/// - setters (`set_nice`, `set_ionice`, `set_rlimit`, `set_cpu_affinity`) have no
///   pidfd form in the kernel, so the pidfd is checked just before and just after
///   the pid-based syscall. While the original process is unreaped its pid cannot
///   be given to anyone else, so "alive after" proves the call reached it. For our
///   own children (a `Popen`, or any child we reap only through this handle) the
///   check and the call run under the handle's reap lock, so the proof is complete.
///   For another parent's process one window is left: it would have to exit, be
///   reaped by its parent *and* have its pid handed to a new process between two
///   adjacent syscalls of ours; pskit then reports NoSuchProcess.
///
/// Handles from [`process_iter`](crate::process_iter) (and
/// [`children`](Process::children), [`parent`](Process::parent)) hold no file
/// descriptor, so a scan of thousands of processes does not use thousands of
/// fds. They carry pid + start time, and their first action opens and keeps a
/// pidfd after checking the start time; from then on they are as safe as above.
/// A reuse *within the same clock tick* between the scan and that first action
/// cannot be told apart: make a [`Process::new`] handle when that matters.
/// Without pidfds (Linux < 5.3, a thread id, or a non-host [`Root`]) pskit falls
/// back to psutil's pid + start-time check.
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
    /// The pidfd this handle is pinned to, once it has one.
    pin: Mutex<PinState>,
}

/// A pidfd naming the handle's process, and the lock that orders our own reaping
/// of it against actions taken by pid (see [`Process`]). Shared by clones.
#[derive(Debug)]
pub(crate) struct Pin {
    pub(crate) fd: OwnedFd,
    pub(crate) reap: Mutex<()>,
}

impl Pin {
    fn new(fd: OwnedFd) -> Arc<Pin> {
        Arc::new(Pin {
            fd,
            reap: Mutex::new(()),
        })
    }
}

#[derive(Debug, Clone)]
enum PinState {
    /// Not tried yet (handles from scans): the first action pins.
    Lazy,
    /// No pidfd for this handle (old kernel, thread id, non-host root).
    Never,
    Pinned(Arc<Pin>),
}

/// What a pidfd says about its process.
pub(crate) fn pidfd_alive(fd: &OwnedFd) -> Result<bool> {
    match crate::sys::pidfd_send_signal(fd.as_fd(), 0) {
        Ok(()) => Ok(true),
        Err(e) => match e.raw_os_error() {
            // EPERM: it exists, we just may not signal it.
            Some(libc::EPERM) => Ok(true),
            Some(libc::ESRCH) => Ok(false),
            _ => Err(Error::io("pidfd_send_signal(0)", e)),
        },
    }
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
                name: st.name.clone(),
                create_time: st.create_time,
                exitcode: st.exitcode,
                ..State::default()
            }),
            pin: Mutex::new(self.pin_state()),
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
        let not_found = || sys::no_such_process(pid, "process PID not found");
        // The pidfd first, then the start time: the fd names the process whose
        // start time we read once it is confirmed alive afterwards.
        // Ok(None): no pidfds for this pid (Never); Err(()): none now, such as
        // out of fds (Lazy: the first action tries again).
        let fd: std::result::Result<Option<OwnedFd>, ()> = if root.is_host() && pid != 0 {
            match crate::linux::control::try_pidfd(pid) {
                Ok(fd) => Ok(fd),
                Err(Errno::SRCH) => return Err(not_found()),
                Err(_) => Err(()),
            }
        } else {
            Ok(None)
        };
        let ident = match sys::read_pid_file(&root, pid, "stat", |b| {
            parse::parse_stat(b)
                .map(|s| s.starttime)
                .map_err(|m| sys::parse_err(&root, pid, "stat", m))
        }) {
            Ok(t) => Some(t),
            Err(Error::AccessDenied { .. }) | Err(Error::ZombieProcess { .. }) => None,
            Err(e) if e.is_no_such_process() || crate::linux::fs::is_not_found(&e) => {
                return Err(not_found())
            }
            Err(e) => return Err(e),
        };
        let pin = match fd {
            Ok(Some(fd)) => {
                if !pidfd_alive(&fd)? {
                    return Err(not_found());
                }
                PinState::Pinned(Pin::new(fd))
            }
            Ok(None) => PinState::Never,
            Err(()) => PinState::Lazy,
        };
        Ok(Process::with_pin(root, pid, ident, pin))
    }

    /// A handle from a scan: pid and start time, no fd until its first action.
    pub(crate) fn from_parts(root: Arc<Root>, pid: u32, ident: Option<u64>) -> Process {
        Process::with_pin(root, pid, ident, PinState::Lazy)
    }

    fn with_pin(root: Arc<Root>, pid: u32, ident: Option<u64>, pin: PinState) -> Process {
        Process {
            pid,
            ident,
            root,
            state: Mutex::new(State::default()),
            pin: Mutex::new(pin),
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
        if let PinState::Pinned(pin) = self.pin_state() {
            if let Ok(alive) = pidfd_alive(&pin.fd) {
                return alive;
            }
        }
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

    fn pin_state(&self) -> PinState {
        self.pin.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_pin(&self, pin: PinState) {
        *self.pin.lock().unwrap_or_else(|e| e.into_inner()) = pin;
    }

    /// The pidfd this handle is pinned to, pinning it now if it came from a scan
    /// (open a pidfd, confirm the start time, confirm the fd's process still
    /// alive). `Ok(None)` when pidfds cannot be had for it; NoSuchProcess when the
    /// process is gone or its pid names another process now.
    pub(crate) fn pinned(&self) -> Result<Option<Arc<Pin>>> {
        match self.pin_state() {
            PinState::Pinned(pin) => return Ok(Some(pin)),
            PinState::Never => return Ok(None),
            PinState::Lazy => {}
        }
        if !self.root.is_host() || self.pid == 0 {
            self.set_pin(PinState::Never);
            return Ok(None);
        }
        let fd = match crate::linux::control::try_pidfd(self.pid) {
            Ok(Some(fd)) => fd,
            Ok(None) => {
                self.set_pin(PinState::Never);
                return Ok(None);
            }
            Err(Errno::SRCH) => return Err(self.gone()),
            // Out of fds and the like: act without a pin this time.
            Err(_) => return Ok(None),
        };
        self.check_reused().map_err(|e| self.named(e))?;
        if !pidfd_alive(&fd)? {
            return Err(self.gone());
        }
        let pin = Pin::new(fd);
        self.set_pin(PinState::Pinned(pin.clone()));
        Ok(Some(pin))
    }

    /// NoSuchProcess for a handle whose process is gone, with psutil's wording
    /// when another process has the pid now.
    pub(crate) fn gone(&self) -> Error {
        let now = sys::read_pid_file(&self.root, self.pid, "stat", |b| {
            Ok(parse::parse_stat(b).map(|s| s.starttime).ok())
        })
        .ok()
        .flatten();
        // A pinned handle's process is reaped, so anyone at the pid is another.
        let reused = match self.pin_state() {
            PinState::Pinned(_) => now.is_some(),
            _ => matches!((self.ident, now), (Some(a), Some(b)) if a != b),
        };
        let msg = if reused {
            "process no longer exists and its PID has been reused"
        } else {
            "process no longer exists"
        };
        self.named(sys::no_such_process(self.pid, msg))
    }

    /// An OS error of this process's, translated the psutil way (ESRCH →
    /// NoSuchProcess, EPERM → AccessDenied, …) and named.
    pub(crate) fn translate(&self, e: Error) -> Error {
        self.named(sys::translate(&self.root, self.pid, e))
    }

    /// Reads and parses one file of the process's directory outside oneshot's
    /// cache; errors are translated and named.
    pub(crate) fn read_file<T>(
        &self,
        rel: &str,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        sys::read_pid_file(&self.root, self.pid, rel, parse).map_err(|e| self.named(e))
    }

    /// Adds the cached name to a NoSuchProcess, ZombieProcess or AccessDenied
    /// error, as psutil's messages quote it once `name()` has been read.
    pub(crate) fn named(&self, mut e: Error) -> Error {
        if let Error::NoSuchProcess { name, .. }
        | Error::ZombieProcess { name, .. }
        | Error::AccessDenied { name, .. } = &mut e
        {
            if name.is_none() {
                name.clone_from(&self.lock().name);
            }
        }
        e
    }

    /// Runs a pid-based action `f` on this process only if the handle's process
    /// is still the one that owns the pid (see the type's docs): pinned handles
    /// check their pidfd before and after the call, under the reap lock; others
    /// fall back to the start-time check.
    pub(crate) fn act<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        match self.pinned()? {
            Some(pin) => {
                let _reap = pin.reap.lock().unwrap_or_else(|e| e.into_inner());
                if !pidfd_alive(&pin.fd)? {
                    return Err(self.gone());
                }
                let out = f().map_err(|e| self.named(e));
                if !pidfd_alive(&pin.fd)? {
                    return Err(self.gone());
                }
                out
            }
            None => {
                self.check_reused().map_err(|e| self.named(e))?;
                f().map_err(|e| self.named(e))
            }
        }
    }

    /// A pidfd on this process (Linux ≥ 5.3; beyond psutil): a new descriptor for
    /// the process this handle is pinned to (see the type's docs), which keeps
    /// naming it even after its pid is reused.
    ///
    /// ```
    /// let fd = pskit::Process::current().unwrap().pidfd();
    /// assert!(fd.is_ok() || matches!(fd, Err(pskit::Error::Unsupported(_))));
    /// ```
    pub fn pidfd(&self) -> Result<OwnedFd> {
        if !self.root.is_host() {
            return Err(Error::Unsupported(
                "pidfd needs the host's own procfs root".into(),
            ));
        }
        match self.pinned()? {
            Some(pin) => pin.fd.try_clone().map_err(|e| Error::io("dup(pidfd)", e)),
            None => Err(Error::Unsupported(
                "no pidfd for this process (Linux < 5.3, or a thread id)".into(),
            )),
        }
    }

    /// Forgets what this handle remembered of its process (its name, exe,
    /// create time, exit code and cpu_percent's last sample), keeping its pid,
    /// identity and pidfd: later reads go to /proc again, so on a process that
    /// has ended they raise NoSuchProcess. psutil's `_init(pid, _ignore_nsp=True)`
    /// re-init, which its tests use to drop a Process's caches.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// let t = p.create_time().unwrap();
    /// p.clear_cache();
    /// assert_eq!(p.create_time().unwrap(), t);
    /// ```
    pub fn clear_cache(&self) {
        let mut st = self.lock();
        st.name = None;
        st.exe = None;
        st.create_time = None;
        st.reread_start = true;
        st.exitcode = None;
        st.cpu_sample = None;
    }

    /// Runs `f` with the oneshot cache on (psutil `oneshot()`): inside it, stat,
    /// status, statm, smaps and the fd directory (with its links) are read at
    /// most once each, however many methods use them. Nested scopes are fine;
    /// the cache is dropped when the outermost ends.
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
                self.0.oneshot_exit();
            }
        }
        self.oneshot_enter();
        let _exit = Exit(self);
        f(self)
    }

    /// Opens a oneshot scope that stays open until [`Process::oneshot_exit`],
    /// for callers that cannot wrap the reads in a closure (a Python `with`
    /// block in the bindings). Prefer [`Process::oneshot`]; each enter must be
    /// matched by one exit, and the cache is dropped at the outermost exit.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// p.oneshot_enter();
    /// let (a, b) = (p.cpu_times().unwrap(), p.cpu_times().unwrap());
    /// p.oneshot_exit();
    /// assert_eq!(a, b); // one read of stat served both
    /// ```
    pub fn oneshot_enter(&self) {
        self.lock().oneshot += 1;
    }

    /// Closes a scope [`Process::oneshot_enter`] opened (an exit without an
    /// enter does nothing).
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// p.oneshot_exit(); // nothing open: nothing happens
    /// ```
    pub fn oneshot_exit(&self) {
        let mut st = self.lock();
        st.oneshot = st.oneshot.saturating_sub(1);
        if st.oneshot == 0 {
            st.files = Default::default();
            st.smaps_sums = None;
            st.fds = None;
        }
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
            return sys::read_pid_file(&self.root, self.pid, which.rel(), parse)
                .map_err(|e| self.named(e));
        }
        let i = which as usize;
        if st.files[i].is_none() {
            let bytes = sys::read_pid_file(&self.root, self.pid, which.rel(), |b| Ok(b.to_vec()));
            match bytes {
                Ok(b) => st.files[i] = Some(b),
                Err(e) => {
                    drop(st);
                    return Err(self.named(e));
                }
            }
        }
        parse(st.files[i].as_deref().unwrap_or_default())
    }

    /// Inside oneshot, keeps the (uss, pss, swap) sums of the smaps just parsed,
    /// for memory_full_info; outside it, keeps nothing.
    pub(crate) fn keep_smaps_sums(&self, sums: (u64, u64, u64)) {
        let mut st = self.lock();
        if st.oneshot > 0 {
            st.smaps_sums = Some(sums);
        }
    }

    /// The sums [`Process::keep_smaps_sums`] kept in this oneshot scope.
    pub(crate) fn smaps_sums(&self) -> Option<(u64, u64, u64)> {
        self.lock().smaps_sums
    }

    /// The fd directory with every link read: inside oneshot, read once and
    /// kept; errors are translated and named.
    pub(crate) fn fd_table(&self) -> Result<Arc<sys::files::FdTable>> {
        if let Some(t) = self.cached_fd_table() {
            return Ok(t);
        }
        let t = Arc::new(sys::files::fd_table(&self.root, self.pid).map_err(|e| self.named(e))?);
        let mut st = self.lock();
        if st.oneshot > 0 {
            st.fds = Some(t.clone());
        }
        Ok(t)
    }

    /// The fd table this oneshot scope has read, if any.
    pub(crate) fn cached_fd_table(&self) -> Option<Arc<sys::files::FdTable>> {
        self.lock().fds.clone()
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
