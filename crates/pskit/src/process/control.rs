//! Process control: priority, I/O priority, resource limits and CPU affinity
//! setters, race-free signals, waiting (psutil §3.4–§3.5, §3.7, §2.8 wait_procs).
//!
//! Every setter and every signal checks the process identity first (pid + start
//! time): on a reused pid it fails with NoSuchProcess ("process no longer exists and
//! its PID has been reused") and touches nothing. Signals go through a pidfd opened
//! *before* that check, so they can never reach a process that took the pid over.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::linux::control;
use crate::linux::process::parse;
use crate::process::{
    Process, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE, IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, RLIM_INFINITY,
};
use crate::sys;

fn to_raw_limit(v: i64) -> Result<u64> {
    match v {
        RLIM_INFINITY => Ok(u64::MAX),
        v if v >= 0 => Ok(v as u64),
        v => Err(Error::InvalidArgument(format!(
            "invalid resource limit {v}"
        ))),
    }
}

impl Process {
    fn translate_control(&self, e: std::io::Error, what: &str) -> Error {
        control::map_errno(self.pid, e, what)
    }

    /// Sets the nice value (psutil `nice(value)`). Lowering it below the current
    /// value needs CAP_SYS_NICE: AccessDenied otherwise.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// let n = p.nice().unwrap();
    /// p.set_nice(n).unwrap();
    /// ```
    pub fn set_nice(&self, value: i32) -> Result<()> {
        self.check_reused()?;
        let pid = rustix::process::Pid::from_raw(self.pid as i32);
        rustix::process::setpriority_process(pid, value)
            .map_err(|e| self.translate_control(e.into(), "setpriority"))
    }

    /// Sets the I/O scheduling class and level (psutil `ionice(ioclass, value)`).
    /// `value` is the level 0 (highest) to 7 for RT and BE (None means 0); IDLE and
    /// NONE take no level. Invalid combinations are psutil's ValueErrors.
    ///
    /// ```
    /// use pskit::process::{IOPRIO_CLASS_BE};
    /// let p = pskit::Process::current().unwrap();
    /// p.set_ionice(IOPRIO_CLASS_BE, Some(4)).unwrap();
    /// assert_eq!(p.ionice().unwrap().value, 4);
    /// ```
    pub fn set_ionice(&self, ioclass: i32, value: Option<i32>) -> Result<()> {
        let value = match (ioclass, value) {
            (IOPRIO_CLASS_NONE | IOPRIO_CLASS_IDLE, Some(v)) if v != 0 => {
                let name = if ioclass == IOPRIO_CLASS_NONE {
                    "IOPRIO_CLASS_NONE"
                } else {
                    "IOPRIO_CLASS_IDLE"
                };
                return Err(Error::InvalidArgument(format!(
                    "{name} ioclass accepts no value (got {v})"
                )));
            }
            (IOPRIO_CLASS_NONE | IOPRIO_CLASS_IDLE, _) => 0,
            (IOPRIO_CLASS_RT | IOPRIO_CLASS_BE, v) => {
                let v = v.unwrap_or(0);
                if !(0..=7).contains(&v) {
                    return Err(Error::InvalidArgument(format!(
                        "value not in 0-7 range (got {v})"
                    )));
                }
                v
            }
            (c, _) => {
                return Err(Error::InvalidArgument(format!("invalid ioclass {c}")));
            }
        };
        self.check_reused()?;
        sys::ioprio_set(self.pid, (ioclass << 13) | value)
            .map_err(|e| self.translate_control(e, "ioprio_set"))
    }

    /// Sets a resource limit (psutil `rlimit(resource, (soft, hard))`) through
    /// prlimit(2), for any pid; [`RLIM_INFINITY`] means no limit.
    ///
    /// ```
    /// use pskit::process::RLIMIT_NOFILE;
    /// let p = pskit::Process::current().unwrap();
    /// let (soft, hard) = p.rlimit(RLIMIT_NOFILE).unwrap();
    /// p.set_rlimit(RLIMIT_NOFILE, (soft, hard)).unwrap();
    /// ```
    pub fn set_rlimit(&self, resource: i32, limits: (i64, i64)) -> Result<()> {
        if !(0..=crate::process::RLIMIT_RTTIME).contains(&resource) {
            return Err(Error::InvalidArgument(format!(
                "invalid resource {resource}"
            )));
        }
        let new = (to_raw_limit(limits.0)?, to_raw_limit(limits.1)?);
        if self.pid == 0 {
            return Err(Error::InvalidArgument(
                "can't use prlimit() against PID 0 process".into(),
            ));
        }
        self.check_reused()?;
        sys::prlimit(self.pid, resource, Some(new))
            .map(|_| ())
            .map_err(|e| match e.raw_os_error() {
                Some(libc::EINVAL) => Error::InvalidArgument(format!(
                    "invalid limits {limits:?} for resource {resource} (soft must not exceed hard)"
                )),
                _ => self.translate_control(e, "prlimit"),
            })
    }

    /// Sets the CPUs the process may run on (psutil `cpu_affinity(cpus)`). An empty
    /// list means every eligible CPU; an invalid CPU is an InvalidArgument naming
    /// the valid range.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// let cpus = p.cpu_affinity().unwrap();
    /// p.set_cpu_affinity(&cpus).unwrap();
    /// ```
    pub fn set_cpu_affinity(&self, cpus: &[u32]) -> Result<()> {
        let ncpus = crate::cpu_times_percpu()
            .map(|v| v.len() as u32)
            .unwrap_or(0)
            .max(1);
        let mut wanted: Vec<u32> = if cpus.is_empty() {
            self.eligible_cpus(ncpus)?
        } else {
            cpus.to_vec()
        };
        wanted.sort_unstable();
        wanted.dedup();
        for &c in &wanted {
            if c >= ncpus || c as usize >= rustix::thread::CpuSet::MAX_CPU {
                return Err(Error::InvalidArgument(format!(
                    "invalid CPU {c}; choose between {:?}",
                    (0..ncpus).collect::<Vec<_>>()
                )));
            }
        }
        self.check_reused()?;
        let mut set = rustix::thread::CpuSet::new();
        for &c in &wanted {
            set.set(c as usize);
        }
        let pid = rustix::process::Pid::from_raw(self.pid as i32);
        rustix::thread::sched_setaffinity(pid, &set).map_err(|e| match e {
            rustix::io::Errno::INVAL => {
                let allowed = self.eligible_cpus(ncpus).unwrap_or_default();
                let bad = wanted
                    .iter()
                    .find(|c| !allowed.contains(c))
                    .copied()
                    .unwrap_or(0);
                Error::InvalidArgument(format!("CPU number {bad} is not eligible"))
            }
            e => self.translate_control(e.into(), "sched_setaffinity"),
        })
    }

    /// The CPUs allowed by the cpuset (`Cpus_allowed_list` in status), psutil's
    /// meaning of "all eligible CPUs".
    fn eligible_cpus(&self, ncpus: u32) -> Result<Vec<u32>> {
        let list = self.status_bytes(|b| {
            Ok(parse::status_value(b, "Cpus_allowed_list").and_then(crate::linux::parse::cpu_list))
        })?;
        Ok(match list {
            Some(v) if !v.is_empty() => v,
            _ => (0..ncpus).collect(),
        })
    }

    /// Sends a signal (psutil `send_signal`), race-free: a pidfd is opened, the
    /// identity is confirmed, and the signal goes through the pidfd (kill(2) only on
    /// kernels without pidfds). ESRCH → NoSuchProcess, EPERM → AccessDenied.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// p.send_signal(0).unwrap(); // signal 0 probes, sends nothing
    /// ```
    pub fn send_signal(&self, sig: i32) -> Result<()> {
        control::send_signal(self.pid, sig, || self.check_reused())
    }

    /// SIGSTOP (psutil `suspend`).
    ///
    /// ```no_run
    /// # let p = pskit::Process::current().unwrap();
    /// p.suspend().unwrap();
    /// ```
    pub fn suspend(&self) -> Result<()> {
        self.send_signal(libc::SIGSTOP)
    }

    /// SIGCONT (psutil `resume`).
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// p.resume().unwrap();
    /// ```
    pub fn resume(&self) -> Result<()> {
        self.send_signal(libc::SIGCONT)
    }

    /// SIGTERM (psutil `terminate`).
    ///
    /// ```
    /// let child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    /// let p = pskit::Process::new(child.id()).unwrap();
    /// p.terminate().unwrap();
    /// assert_eq!(p.wait(Some(5.0)).unwrap(), Some(-15));
    /// ```
    pub fn terminate(&self) -> Result<()> {
        self.send_signal(libc::SIGTERM)
    }

    /// SIGKILL (psutil `kill`).
    ///
    /// ```
    /// let child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    /// let p = pskit::Process::new(child.id()).unwrap();
    /// p.kill().unwrap();
    /// assert_eq!(p.wait(Some(5.0)).unwrap(), Some(-9));
    /// ```
    pub fn kill(&self) -> Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    /// Waits for the process to end (psutil `wait(timeout)`): the exit code of a
    /// child, or the negative signal number that killed it; `None` for a process
    /// that is not our child, once it is gone. `TimeoutExpired` when `timeout`
    /// seconds pass first (`Some(0.0)` never blocks). Blocks on a pidfd, never by
    /// busy polling. The result is remembered: a second call returns it again.
    ///
    /// ```
    /// let child = std::process::Command::new("true").spawn().unwrap();
    /// let p = pskit::Process::new(child.id()).unwrap();
    /// assert_eq!(p.wait(None).unwrap(), Some(0));
    /// assert_eq!(p.wait(None).unwrap(), Some(0));
    /// ```
    pub fn wait(&self, timeout: Option<f64>) -> Result<Option<i32>> {
        if self.pid == 0 {
            return Err(Error::InvalidArgument("can't wait for PID 0".into()));
        }
        if let Some(code) = self.lock().exitcode {
            return Ok(code);
        }
        let code = control::wait_pid(self.pid, timeout).map_err(|e| match e {
            Error::TimeoutExpired { seconds, pid, .. } => Error::TimeoutExpired {
                seconds,
                pid,
                name: self.name().ok(),
            },
            e => e,
        })?;
        self.lock().exitcode = Some(code);
        Ok(code)
    }
}

/// The result of [`wait_procs`]: the processes that ended, each with its return
/// code, and the ones still alive.
#[derive(Debug)]
pub struct WaitProcs {
    /// Processes that are gone, with their return code (None for non-children).
    pub gone: Vec<(Process, Option<i32>)>,
    /// Processes still running when the timeout expired.
    pub alive: Vec<Process>,
}

/// Waits for several processes (psutil `wait_procs(procs, timeout, callback)`):
/// each pass waits on each live process for at most `min(remaining, 1 / len(alive))`
/// seconds, so a pass lasts about a second at most; `callback` is called for each process as
/// it goes. Never raises TimeoutExpired: what is still running is in `alive`.
///
/// ```
/// let a = std::process::Command::new("true").spawn().unwrap();
/// let b = std::process::Command::new("sleep").arg("30").spawn().unwrap();
/// let procs = vec![pskit::Process::new(a.id()).unwrap(), pskit::Process::new(b.id()).unwrap()];
/// let r = pskit::wait_procs(procs, Some(0.5), |_, _| {}).unwrap();
/// assert_eq!((r.gone.len(), r.alive.len()), (1, 1));
/// r.alive[0].kill().unwrap();
/// ```
pub fn wait_procs(
    procs: Vec<Process>,
    timeout: Option<f64>,
    mut callback: impl FnMut(&Process, Option<i32>),
) -> Result<WaitProcs> {
    if let Some(t) = timeout {
        if t.is_nan() || t < 0.0 {
            return Err(Error::InvalidArgument(format!(
                "timeout must be a positive number (got {t})"
            )));
        }
    }
    let deadline = timeout.map(|t| Instant::now() + Duration::from_secs_f64(t));
    let mut gone = Vec::new();
    let mut alive = procs;
    let mut check =
        |alive: Vec<Process>, per: Option<f64>, gone: &mut Vec<(Process, Option<i32>)>| {
            let mut still = Vec::with_capacity(alive.len());
            for p in alive {
                match p.wait(per) {
                    Ok(code) => {
                        callback(&p, code);
                        gone.push((p, code));
                    }
                    Err(Error::TimeoutExpired { .. }) if p.is_running() => still.push(p),
                    Err(Error::TimeoutExpired { .. }) => {
                        callback(&p, None);
                        gone.push((p, None));
                    }
                    Err(e) if e.is_no_such_process() => {
                        callback(&p, None);
                        gone.push((p, None));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(still)
        };
    while !alive.is_empty() {
        let remaining = match deadline {
            Some(d) => {
                let r = d.saturating_duration_since(Instant::now()).as_secs_f64();
                if r <= 0.0 {
                    break;
                }
                Some(r)
            }
            None => None,
        };
        // psutil: each wait lasts min(time remaining, 1 / len(alive)).
        let max_per = 1.0 / alive.len() as f64;
        let per = Some(remaining.map_or(max_per, |r| r.min(max_per)));
        alive = check(alive, per, &mut gone)?;
    }
    // A last non-blocking pass, as psutil does.
    if !alive.is_empty() {
        alive = check(alive, Some(0.0), &mut gone)?;
    }
    Ok(WaitProcs { gone, alive })
}
