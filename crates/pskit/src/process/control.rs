//! Process control: priority, I/O priority, resource limits and CPU affinity
//! setters, race-free signals, waiting (psutil §3.4–§3.5, §3.7, §2.8 wait_procs).
//!
//! Every setter, signal and wait goes through [`Process::act`] or the handle's
//! pidfd (see [`Process`]'s "Identity that survives pid reuse"): on a reused pid it
//! fails with NoSuchProcess ("process no longer exists and its PID has been
//! reused") and touches nothing.

use std::time::Instant;

use crate::error::{Error, Result};
use crate::linux::control;
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
        let pid = rustix::process::Pid::from_raw(self.pid as i32);
        self.act(|| {
            rustix::process::setpriority_process(pid, value)
                .map_err(|e| self.translate_control(e.into(), "setpriority"))
        })
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
        self.act(|| {
            sys::ioprio_set(self.pid, (ioclass << 13) | value)
                .map_err(|e| self.translate_control(e, "ioprio_set"))
        })
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
        self.act(|| {
            sys::prlimit(self.pid, resource, Some(new))
                .map(|_| ())
                .map_err(|e| match e.raw_os_error() {
                    Some(libc::EINVAL) => Error::InvalidArgument(format!(
                        "invalid limits {limits:?} for resource {resource} (soft must not exceed hard)"
                    )),
                    _ => self.translate_control(e, "prlimit"),
                })
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
        let mut set = rustix::thread::CpuSet::new();
        for &c in &wanted {
            set.set(c as usize);
        }
        let pid = rustix::process::Pid::from_raw(self.pid as i32);
        self.act(|| {
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
        })
    }

    /// Every online CPU: what "all eligible CPUs" means for an empty list. The
    /// kernel then narrows the mask to the cpuset the process is confined to.
    /// (psutil 7.2.2 reads the target's own `Cpus_allowed_list`, which after a
    /// narrowing is the narrowed set, so `cpu_affinity([])` could not widen it
    /// again; it also understands only one `A-B` range.)
    fn eligible_cpus(&self, ncpus: u32) -> Result<Vec<u32>> {
        let online =
            crate::linux::fs::read_trimmed(&self.root.sys_path("devices/system/cpu/online"))
                .ok()
                .and_then(|s| crate::linux::parse::cpu_list(&s));
        Ok(match online {
            Some(v) if !v.is_empty() => v,
            _ => (0..ncpus).collect(),
        })
    }

    /// Sends a signal (psutil `send_signal`), race-free: it goes through the pidfd
    /// the handle is pinned to (kill(2) after the start-time check only where there
    /// are no pidfds). A process that is gone, or whose pid now names another,
    /// gives NoSuchProcess; EPERM gives AccessDenied.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// p.send_signal(0).unwrap(); // signal 0 probes, sends nothing
    /// ```
    pub fn send_signal(&self, sig: i32) -> Result<()> {
        if self.pid == 0 {
            return control::send_signal(0, sig, || Ok(()));
        }
        match self.pinned()? {
            Some(pin) => control::pidfd_signal(&pin.fd, self.pid, sig).map_err(|e| {
                if e.is_no_such_process() {
                    self.gone()
                } else {
                    self.named(e)
                }
            }),
            None => control::send_signal(self.pid, sig, || self.check_reused())
                .map_err(|e| self.named(e)),
        }
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
        control::check_timeout(timeout)?;
        let waited = match self.pinned() {
            Ok(Some(pin)) => control::wait_pidfd(&pin, self.pid, timeout),
            Ok(None) => control::wait_pid(self.pid, timeout),
            // Reaped already (a zombie child would still have pinned): no status
            // is left to collect, and the pid may name another process now.
            Err(e) if e.is_no_such_process() => Ok(None),
            Err(e) => Err(e),
        };
        let code = waited.map_err(|e| match e {
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
    control::check_timeout(timeout)?;
    let deadline = control::deadline(timeout);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{
        RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS,
        RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS,
        RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK,
    };
    use std::process::{Child, Command};
    use std::time::Duration;

    /// A `sleep` child; the test reaps it (wait or kill).
    fn sleeper() -> (Child, Process) {
        let c = Command::new("sleep").arg("60").spawn().unwrap();
        let p = Process::new(c.id()).unwrap();
        (c, p)
    }

    fn proc_file(pid: u32, rel: &str) -> String {
        std::fs::read_to_string(format!("/proc/{pid}/{rel}")).unwrap()
    }

    fn finish(mut c: Child) {
        let _ = c.kill();
        let _ = c.wait();
    }

    fn is_root() -> bool {
        rustix::process::geteuid().is_root()
    }

    #[test]
    fn nice_round_trip_seen_in_proc_stat() {
        let (c, p) = sleeper();
        p.set_nice(7).unwrap();
        assert_eq!(p.nice().unwrap(), 7);
        let stat = proc_file(c.id(), "stat");
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        assert_eq!(after.split(' ').nth(16), Some("7"), "stat#19 nice");
        finish(c);
    }

    #[test]
    fn ionice_each_class_round_trip() {
        let (c, p) = sleeper();
        for level in 0..=7 {
            p.set_ionice(IOPRIO_CLASS_BE, Some(level)).unwrap();
            let io = p.ionice().unwrap();
            assert_eq!((io.ioclass, io.value), (IOPRIO_CLASS_BE, level));
        }
        p.set_ionice(IOPRIO_CLASS_IDLE, None).unwrap();
        assert_eq!(p.ionice().unwrap().ioclass, IOPRIO_CLASS_IDLE);
        p.set_ionice(IOPRIO_CLASS_NONE, None).unwrap();
        assert_eq!(p.ionice().unwrap().ioclass, IOPRIO_CLASS_NONE);
        match p.set_ionice(IOPRIO_CLASS_RT, Some(3)) {
            Ok(()) => {
                assert!(is_root());
                let io = p.ionice().unwrap();
                assert_eq!((io.ioclass, io.value), (IOPRIO_CLASS_RT, 3));
            }
            Err(e) => assert!(!is_root() && e.is_access_denied(), "{e}"),
        }
        // The util-linux tool agrees.
        let out = Command::new("ionice")
            .arg("-p")
            .arg(c.id().to_string())
            .output();
        if let Ok(out) = out {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.starts_with(if is_root() {
                    "realtime: prio 3"
                } else {
                    "none"
                }),
                "{text}"
            );
        }
        finish(c);
    }

    #[test]
    fn ionice_invalid_values_are_psutil_value_errors() {
        let (c, p) = sleeper();
        for (class, value) in [
            (IOPRIO_CLASS_IDLE, Some(3)),
            (IOPRIO_CLASS_NONE, Some(1)),
            (IOPRIO_CLASS_BE, Some(8)),
            (IOPRIO_CLASS_BE, Some(-1)),
            (9, None),
        ] {
            assert!(
                matches!(p.set_ionice(class, value), Err(Error::InvalidArgument(_))),
                "{class} {value:?}"
            );
        }
        finish(c);
    }

    #[test]
    fn every_rlimit_round_trip_seen_in_proc_limits() {
        let (c, p) = sleeper();
        let resources = [
            (RLIMIT_CPU, "Max cpu time", 3000),
            (RLIMIT_FSIZE, "Max file size", 1 << 30),
            (RLIMIT_DATA, "Max data size", 1 << 32),
            (RLIMIT_STACK, "Max stack size", 1 << 23),
            (RLIMIT_CORE, "Max core file size", 1 << 20),
            (RLIMIT_RSS, "Max resident set", 1 << 32),
            (RLIMIT_NPROC, "Max processes", 1000),
            (RLIMIT_NOFILE, "Max open files", 256),
            (RLIMIT_MEMLOCK, "Max locked memory", 1 << 16),
            (RLIMIT_AS, "Max address space", 1 << 34),
            (RLIMIT_LOCKS, "Max file locks", 100),
            (RLIMIT_SIGPENDING, "Max pending signals", 100),
            (RLIMIT_MSGQUEUE, "Max msgqueue size", 4096),
            (RLIMIT_NICE, "Max nice priority", 5),
            (RLIMIT_RTPRIO, "Max realtime priority", 0),
            (RLIMIT_RTTIME, "Max realtime timeout", 1_000_000),
        ];
        for (res, label, want) in resources {
            let (_, hard) = p.rlimit(res).unwrap();
            let soft = if hard == RLIM_INFINITY {
                want
            } else {
                want.min(hard)
            };
            p.set_rlimit(res, (soft, hard)).unwrap();
            assert_eq!(p.rlimit(res).unwrap(), (soft, hard), "{label}");
            let limits = proc_file(c.id(), "limits");
            let line = limits.lines().find(|l| l.starts_with(label)).unwrap();
            assert_eq!(
                line[26..].split_whitespace().next(),
                Some(soft.to_string().as_str()),
                "{line}"
            );
        }
        assert!(matches!(
            p.set_rlimit(99, (1, 1)),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            p.set_rlimit(RLIMIT_NOFILE, (-5, 1)),
            Err(Error::InvalidArgument(_))
        ));
        let (_, hard) = p.rlimit(RLIMIT_NOFILE).unwrap();
        if hard != RLIM_INFINITY {
            // soft above hard: EINVAL, psutil's ValueError.
            assert!(matches!(
                p.set_rlimit(RLIMIT_NOFILE, (hard, hard - 1)),
                Err(Error::InvalidArgument(_))
            ));
        }
        finish(c);
    }

    #[test]
    fn affinity_round_trip_and_invalid_cpu() {
        let (c, p) = sleeper();
        let all = p.cpu_affinity().unwrap();
        p.set_cpu_affinity(&[all[0]]).unwrap();
        assert_eq!(p.cpu_affinity().unwrap(), vec![all[0]]);
        let status = proc_file(c.id(), "status");
        let line = status
            .lines()
            .find(|l| l.starts_with("Cpus_allowed_list"))
            .unwrap();
        assert_eq!(
            line.split_whitespace().nth(1),
            Some(all[0].to_string().as_str())
        );
        p.set_cpu_affinity(&[]).unwrap(); // [] = every eligible CPU
        assert_eq!(p.cpu_affinity().unwrap(), all);
        match p.set_cpu_affinity(&[9999]) {
            Err(Error::InvalidArgument(m)) => {
                assert!(m.contains("invalid CPU 9999; choose between"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        finish(c);
    }

    fn status_eventually(p: &Process, want: &[&str]) -> &'static str {
        let mut s = "";
        for _ in 0..200 {
            s = p.status().unwrap().as_str();
            if want.contains(&s) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        s
    }

    #[test]
    fn suspend_resume_terminate_kill_and_wait_codes() {
        let (c, p) = sleeper();
        p.suspend().unwrap();
        assert_eq!(status_eventually(&p, &["stopped"]), "stopped");
        p.resume().unwrap();
        assert!(["sleeping", "running"].contains(&status_eventually(&p, &["sleeping", "running"])));
        p.terminate().unwrap();
        assert_eq!(p.wait(Some(10.0)).unwrap(), Some(-libc::SIGTERM));
        assert_eq!(
            p.wait(None).unwrap(),
            Some(-libc::SIGTERM),
            "the result is remembered"
        );
        drop(c);
        let (c, p) = sleeper();
        p.kill().unwrap();
        assert_eq!(p.wait(Some(10.0)).unwrap(), Some(-libc::SIGKILL));
        drop(c);
        // Reaped by Process::wait, not by std's Child.
        #[allow(clippy::zombie_processes)]
        let c = Command::new("sh").args(["-c", "exit 5"]).spawn().unwrap();
        assert_eq!(
            Process::new(c.id()).unwrap().wait(Some(10.0)).unwrap(),
            Some(5)
        );
    }

    #[test]
    fn timeout_expired_on_a_live_process() {
        let (c, p) = sleeper();
        match p.wait(Some(0.0)) {
            Err(Error::TimeoutExpired { seconds, pid, name }) => {
                assert_eq!(
                    (seconds, pid, name.as_deref()),
                    (0.0, Some(c.id()), Some("sleep"))
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            p.wait(Some(0.1)),
            Err(Error::TimeoutExpired { .. })
        ));
        assert!(matches!(p.wait(Some(-1.0)), Err(Error::InvalidArgument(_))));
        finish(c);
    }

    use crate::linux::control::tests::sh_line;

    #[test]
    fn non_child_wait_is_none_once_its_parent_reaped_it() {
        // Another shell's child that ends when told (a line through a FIFO),
        // not after a delay a loaded machine can outlast before we look. Its
        // parent, not PID 1 (which may never reap), collects it.
        let dir = std::env::temp_dir().join(format!("pskit-nonchild-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("go");
        let _ = std::fs::remove_file(&fifo);
        assert!(Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let (mut sh, pid) = sh_line(&format!(
            "sh -c 'read x < {}' >/dev/null 2>&1 & echo $!; wait",
            fifo.display()
        ));
        let p = Process::new(pid).unwrap();
        std::fs::write(&fifo, b"\n").unwrap();
        assert_eq!(p.wait(Some(10.0)).unwrap(), None);
        assert!(sh.wait().unwrap().success());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn non_child_zombie_is_waited_for_until_reaped() {
        // psutil waits for a non-child until it is gone: a zombie its parent
        // holds is still there. The parent is a Python that forks a child that
        // exits at once, prints its pid and sleeps, never waiting (a shell may
        // reap its background job on its own).
        let (mut parent, pid) = sh_line(
            "exec python3 -c 'import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(1000)'",
        );
        let p = Process::new(pid).unwrap();
        assert_eq!(status_eventually(&p, &["zombie"]), "zombie");
        assert!(matches!(
            p.wait(Some(0.0)),
            Err(Error::TimeoutExpired { .. })
        ));
        assert!(matches!(
            p.wait(Some(0.2)),
            Err(Error::TimeoutExpired { .. })
        ));
        parent.kill().unwrap();
        parent.wait().unwrap();
    }

    #[test]
    fn wait_procs_reports_gone_and_alive_with_callback() {
        #[allow(clippy::zombie_processes)] // reaped by wait_procs
        let quick = Command::new("sh").args(["-c", "exit 2"]).spawn().unwrap();
        let (slow, slow_p) = sleeper();
        let procs = vec![Process::new(quick.id()).unwrap(), slow_p.clone()];
        let mut seen = Vec::new();
        let r = wait_procs(procs, Some(0.5), |p, code| seen.push((p.pid(), code))).unwrap();
        assert_eq!(seen, vec![(quick.id(), Some(2))]);
        assert_eq!(r.gone.len(), 1);
        assert_eq!(r.gone[0].1, Some(2));
        assert_eq!(r.alive, vec![slow_p.clone()]);
        slow_p.kill().unwrap();
        let r = wait_procs(r.alive, Some(10.0), |_, _| {}).unwrap();
        assert_eq!(r.gone[0].1, Some(-libc::SIGKILL));
        assert!(r.alive.is_empty());
        assert!(matches!(
            wait_procs(vec![], Some(-1.0), |_, _| {}),
            Err(Error::InvalidArgument(_))
        ));
        drop(slow);
    }

    #[test]
    fn simulated_pid_reuse_refuses_every_setter_and_signal() {
        let (c, real) = sleeper();
        let before_nice = real.nice().unwrap();
        let before_aff = real.cpu_affinity().unwrap();
        let ident = real.ident.unwrap();
        // The handle remembers another start time: the pid now names "another" process.
        let stale = Process::from_parts(real.root.clone(), c.id(), Some(ident + 100));
        let reused = |r: Result<()>| match r {
            Err(Error::NoSuchProcess { msg, .. }) => {
                assert_eq!(msg, "process no longer exists and its PID has been reused")
            }
            other => panic!("{other:?}"),
        };
        reused(stale.set_nice(before_nice + 3));
        reused(stale.set_ionice(IOPRIO_CLASS_IDLE, None));
        reused(stale.set_rlimit(RLIMIT_NOFILE, (64, 64)));
        reused(stale.set_cpu_affinity(&[before_aff[0]]));
        reused(stale.send_signal(libc::SIGUSR1));
        reused(stale.suspend());
        reused(stale.resume());
        reused(stale.terminate());
        reused(stale.kill());
        // The live process received nothing and kept its settings.
        assert!(real.is_running());
        assert!(
            ["sleeping", "running"].contains(&real.status().unwrap().as_str()),
            "not stopped"
        );
        assert_eq!(real.nice().unwrap(), before_nice);
        assert_eq!(real.cpu_affinity().unwrap(), before_aff);
        assert_ne!(real.rlimit(RLIMIT_NOFILE).unwrap(), (64, 64));
        assert_ne!(real.ionice().unwrap().ioclass, IOPRIO_CLASS_IDLE);
        assert!(matches!(
            real.wait(Some(0.2)),
            Err(Error::TimeoutExpired { .. })
        ));
        finish(c);
    }

    #[test]
    fn huge_and_infinite_timeouts_are_no_deadline_not_a_panic() {
        // Reaped by Process::wait.
        #[allow(clippy::zombie_processes)]
        let c = Command::new("true").spawn().unwrap();
        let p = Process::new(c.id()).unwrap();
        assert_eq!(p.wait(Some(1e300)).unwrap(), Some(0));
        #[allow(clippy::zombie_processes)]
        let c = Command::new("true").spawn().unwrap();
        let p = Process::new(c.id()).unwrap();
        assert_eq!(p.wait(Some(f64::INFINITY)).unwrap(), Some(0));
        assert!(matches!(p.wait(Some(f64::NAN)), Ok(Some(0))), "cached");
        // A child that ends: a huge timeout is no deadline.
        #[allow(clippy::zombie_processes)]
        let c = Command::new("true").spawn().unwrap();
        let r = wait_procs(vec![Process::new(c.id()).unwrap()], Some(1e300), |_, _| {}).unwrap();
        assert_eq!(r.gone.len(), 1);
        assert!(matches!(
            wait_procs(vec![], Some(f64::NAN), |_, _| {}),
            Err(Error::InvalidArgument(_))
        ));
        let me = Process::current().unwrap();
        assert!(matches!(
            me.cpu_percent(Some(1e300)),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            crate::cpu_percent(Some(1e300)),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn handles_are_pinned_and_thread_ids_fall_back() {
        // A process handle holds a pidfd naming exactly its process.
        let (c, p) = sleeper();
        let fd = p.pidfd().unwrap();
        assert!(crate::process::handle::pidfd_alive(&fd).unwrap());
        p.kill().unwrap();
        assert_eq!(p.wait(Some(10.0)).unwrap(), Some(-libc::SIGKILL));
        assert!(!crate::process::handle::pidfd_alive(&fd).unwrap());
        assert!(!p.is_running());
        assert!(p.set_nice(5).unwrap_err().is_no_such_process());
        assert!(p.send_signal(0).unwrap_err().is_no_such_process());
        drop(c);
        // A thread id has no pidfd of its own: the start-time check is used.
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            tx.send(rustix::thread::gettid().as_raw_nonzero().get() as u32)
                .unwrap();
            let _ = stop_rx.recv();
        });
        let tid = rx.recv().unwrap();
        let th = Process::new(tid).unwrap();
        assert!(th.is_running());
        assert!(matches!(th.pidfd(), Err(Error::Unsupported(_))));
        th.send_signal(0).unwrap();
        stop_tx.send(()).unwrap();
        t.join().unwrap();
    }

    #[test]
    fn pid_zero_is_refused() {
        let zero = Process::from_parts(crate::Root::current(), 0, None);
        assert!(matches!(
            zero.send_signal(libc::SIGTERM),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            zero.wait(Some(0.0)),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            zero.set_rlimit(RLIMIT_NOFILE, (1, 1)),
            Err(Error::InvalidArgument(_))
        ));
    }
}
