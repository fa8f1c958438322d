//! Race-free signalling and waiting by pid: the kernel side of psutil's
//! `send_signal`/`wait`, built on pidfds (Linux ≥ 5.3) with kill(2)/waitpid(2)
//! fallbacks. The `Process` handle supplies the identity check.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};
use rustix::io::Errno;
use rustix::process::{pidfd_open, waitpid, Pid, PidfdFlags, WaitOptions, WaitStatus};

use crate::error::{Error, Result};
use crate::sys;

fn raw_pid(pid: u32) -> Result<Pid> {
    i32::try_from(pid)
        .ok()
        .and_then(Pid::from_raw)
        .ok_or_else(|| Error::InvalidArgument(format!("invalid pid {pid}")))
}

/// Maps the errno of a call on `pid` to psutil's exceptions.
pub(crate) fn map_errno(pid: u32, e: std::io::Error, what: &str) -> Error {
    match e.raw_os_error() {
        Some(libc::ESRCH) => Error::NoSuchProcess {
            pid,
            name: None,
            msg: "process no longer exists".into(),
        },
        Some(libc::EPERM) | Some(libc::EACCES) => Error::AccessDenied {
            pid: Some(pid),
            name: None,
            msg: String::new(),
        },
        _ => Error::io(what, e),
    }
}

/// pidfd_open(2) with the errno as it is: `Ok(None)` when the kernel has no
/// pidfds (ENOSYS, < 5.3) or `pid` is a thread that leads no thread group
/// (EINVAL, or ENOENT since Linux 6.9); ESRCH for a pid beyond pid_t.
pub(crate) fn try_pidfd(pid: u32) -> std::result::Result<Option<OwnedFd>, Errno> {
    let Some(raw) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return Err(Errno::SRCH);
    };
    match pidfd_open(raw, PidfdFlags::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::NOSYS) | Err(Errno::INVAL) | Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(e),
    }
}

/// [`try_pidfd`] with psutil's errors.
fn open_pidfd(pid: u32) -> Result<Option<OwnedFd>> {
    raw_pid(pid)?;
    try_pidfd(pid).map_err(|e| map_errno(pid, e.into(), "pidfd_open"))
}

/// psutil's error for a failed signal to `pid`.
fn signal_error(pid: u32, sig: i32, e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EINVAL) => Error::InvalidArgument(format!("invalid signal number {sig}")),
        _ => map_errno(pid, e, "pidfd_send_signal"),
    }
}

/// Sends `sig` to `pid` so that it can never reach a process that took the pid
/// over: open a pidfd first (it pins the process), then run `verify` (the caller's
/// identity check, e.g. "the start time is still the one I stored"), then signal
/// through the pidfd. Without pidfds, `verify` then kill(2).
pub(crate) fn send_signal(pid: u32, sig: i32, verify: impl FnOnce() -> Result<()>) -> Result<()> {
    if pid == 0 {
        return Err(Error::InvalidArgument(
            "preventing sending signal to process with PID 0 as it would affect every process \
             in the process group of the calling process instead of PID 0"
                .into(),
        ));
    }
    let fd = open_pidfd(pid)?;
    verify()?;
    let sent = match &fd {
        Some(fd) => sys::pidfd_send_signal(fd.as_fd(), sig),
        None => sys::kill(pid as i32, sig),
    };
    sent.map_err(|e| signal_error(pid, sig, e))
}

/// psutil's exit-code convention: the exit status, or −signal for a signal death.
fn convert(status: WaitStatus) -> Option<i32> {
    if let Some(code) = status.exit_status() {
        Some(code)
    } else {
        status.terminating_signal().map(|s| -s)
    }
}

/// Reaps `pid` if it is our child: `Ok(Some(code))`; `Ok(None)` for a non-child
/// (ECHILD), as psutil's `wait()` returns None for processes it did not start.
fn reap(pid: u32, opts: WaitOptions) -> Result<Option<Option<i32>>> {
    loop {
        match waitpid(Some(raw_pid(pid)?), opts) {
            Ok(Some((_, status))) => return Ok(Some(convert(status))),
            Ok(None) => return Ok(None), // WNOHANG and still running
            Err(Errno::INTR) => continue,
            Err(Errno::CHILD) => return Ok(Some(None)),
            Err(e) => return Err(Error::io("waitpid", e.into())),
        }
    }
}

/// Waits for `pid` to exit (psutil's `wait`): the exit code of a child (negative
/// signal number when killed), `None` for a non-child once it is gone, and
/// `TimeoutExpired` when `timeout` (seconds) passes first. `timeout = 0` never
/// blocks. Blocks on a pidfd, never by busy polling; without pidfds (kernel < 5.3)
/// it falls back to psutil's waitpid/kill loop with growing sleeps.
pub(crate) fn wait_pid(pid: u32, timeout: Option<f64>) -> Result<Option<i32>> {
    check_timeout(timeout)?;
    let deadline = deadline(timeout);
    let fd = match open_pidfd(pid) {
        Ok(fd) => fd,
        // Already gone (or never existed): a child may still have a status to reap.
        Err(Error::NoSuchProcess { .. }) => {
            return Ok(reap(pid, WaitOptions::NOHANG)?.flatten());
        }
        Err(e) => return Err(e),
    };
    let Some(fd) = fd else {
        return wait_pid_polling(pid, deadline, timeout);
    };
    poll_exit(&fd, pid, deadline, timeout)?;
    match reap(pid, WaitOptions::empty())? {
        // Not our child: psutil waits until its parent has reaped it.
        Some(None) => wait_reaped(&fd, pid, deadline, timeout),
        code => Ok(code.flatten()),
    }
}

/// After a non-child exited (its pidfd polled readable), waits as psutil does
/// until it is gone: reaped by its parent (a zombie still exists, and psutil's
/// `pid_exists` polling says so). pidfd_send_signal(0) answers ESRCH only once
/// the process is reaped, and never for another process that took its pid.
/// Sleeps 0.1 ms doubling to 40 ms, psutil's back-off; `TimeoutExpired` at the
/// deadline (at once for timeout 0, as psutil's `wait_pid_posix`).
fn wait_reaped(
    fd: &OwnedFd,
    pid: u32,
    deadline: Option<Instant>,
    timeout: Option<f64>,
) -> Result<Option<i32>> {
    let mut delay = Duration::from_micros(100);
    loop {
        match sys::pidfd_send_signal(fd.as_fd(), 0) {
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => return Ok(None),
            // EPERM: it exists, we may not signal it.
            Ok(()) | Err(_) => {}
        }
        if timeout == Some(0.0) || deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(timeout_expired(pid, timeout));
        }
        back_off(&mut delay, deadline);
    }
}

/// psutil's back-off between polls: sleeps `delay` (never past the deadline),
/// then doubles it up to 40 ms.
fn back_off(delay: &mut Duration, deadline: Option<Instant>) {
    let nap = match deadline {
        Some(d) => (*delay).min(d.saturating_duration_since(Instant::now())),
        None => *delay,
    };
    std::thread::sleep(nap);
    *delay = (*delay * 2).min(Duration::from_millis(40));
}

/// A timeout psutil accepts: None, or a number ≥ 0 (NaN and negatives are
/// ValueErrors). Huge values are fine: they mean "longer than we will live".
pub(crate) fn check_timeout(timeout: Option<f64>) -> Result<()> {
    match timeout {
        Some(t) if t.is_nan() || t < 0.0 => Err(Error::InvalidArgument(format!(
            "timeout must be a positive number (got {t})"
        ))),
        _ => Ok(()),
    }
}

/// The instant `timeout` seconds from now; None (no deadline) when there is no
/// timeout or it is too far away to represent (1e300 s, +inf).
pub(crate) fn deadline(timeout: Option<f64>) -> Option<Instant> {
    let d = Duration::try_from_secs_f64(timeout?).ok()?;
    Instant::now().checked_add(d)
}

/// Blocks until the pidfd's process exits or the deadline passes.
fn poll_exit(
    fd: &OwnedFd,
    pid: u32,
    deadline: Option<Instant>,
    timeout: Option<f64>,
) -> Result<()> {
    loop {
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let ts = remaining.map(|r| rustix::time::Timespec {
            tv_sec: r.as_secs().min(i64::MAX as u64) as _,
            tv_nsec: r.subsec_nanos() as _,
        });
        let mut fds = [PollFd::new(fd, PollFlags::IN)];
        match poll(&mut fds, ts.as_ref()) {
            Ok(0) => return Err(timeout_expired(pid, timeout)),
            Ok(_) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(Error::io("poll(pidfd)", e.into())),
        }
    }
}

/// Sends `sig` through a pidfd: it reaches that process or nothing.
pub(crate) fn pidfd_signal(fd: &OwnedFd, pid: u32, sig: i32) -> Result<()> {
    sys::pidfd_send_signal(fd.as_fd(), sig).map_err(|e| signal_error(pid, sig, e))
}

/// psutil's `wait` on a pinned handle: polls its pidfd, then reaps it with
/// `waitid(P_PIDFD)` under the reap lock, so only that very process can be
/// reaped (never a newer child that took the pid). `None` for a non-child.
pub(crate) fn wait_pidfd(
    pin: &crate::process::handle::Pin,
    pid: u32,
    timeout: Option<f64>,
) -> Result<Option<i32>> {
    let deadline = deadline(timeout);
    poll_exit(&pin.fd, pid, deadline, timeout)?;
    let reap_lock = pin.reap.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        match rustix::process::waitid(
            rustix::process::WaitId::PidFd(pin.fd.as_fd()),
            rustix::process::WaitIdOptions::EXITED,
        ) {
            Ok(Some(st)) => {
                return Ok(match st.exit_status() {
                    Some(code) => Some(code),
                    None => st.terminating_signal().map(|s| -s),
                })
            }
            Ok(None) => return Ok(None),
            Err(Errno::INTR) => continue,
            // Not our child (or reaped already by someone else): wait until
            // its parent has reaped it, as psutil does.
            Err(Errno::CHILD) => {
                drop(reap_lock);
                return wait_reaped(&pin.fd, pid, deadline, timeout);
            }
            // waitid(P_PIDFD) needs Linux 5.4: fall back to waitpid while the pidfd
            // says the process is unreaped (so the pid is still its own).
            Err(Errno::INVAL) => {
                return Ok(reap(pid, WaitOptions::NOHANG)?.flatten());
            }
            Err(e) => return Err(Error::io("waitid(P_PIDFD)", e.into())),
        }
    }
}

fn timeout_expired(pid: u32, timeout: Option<f64>) -> Error {
    Error::TimeoutExpired {
        seconds: timeout.unwrap_or(0.0),
        pid: Some(pid),
        name: None,
    }
}

/// The pre-pidfd fallback (psutil's `wait_pid_posix`): reap a child with WNOHANG,
/// or probe a non-child with kill(pid, 0), sleeping 0.1 ms doubling to 40 ms.
fn wait_pid_polling(
    pid: u32,
    deadline: Option<Instant>,
    timeout: Option<f64>,
) -> Result<Option<i32>> {
    let mut delay = Duration::from_micros(100);
    loop {
        match reap(pid, WaitOptions::NOHANG)? {
            Some(Some(code)) => return Ok(Some(code)),
            Some(None) => {
                // Not our child: wait until the pid is gone.
                if let Err(e) = sys::kill(pid as i32, 0) {
                    if e.raw_os_error() == Some(libc::ESRCH) {
                        return Ok(None);
                    }
                }
            }
            None => {}
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(timeout_expired(pid, timeout));
        }
        back_off(&mut delay, deadline);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::process::{Child, Command};

    /// `sh -c SCRIPT` with its stdout piped, and the number on the first line it
    /// prints (a pid).
    pub(crate) fn sh_line(script: &str) -> (Child, u32) {
        use std::io::BufRead;
        let mut sh = Command::new("sh")
            .args(["-c", script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(sh.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        (sh, line.trim().parse().unwrap())
    }

    #[test]
    fn child_exit_code_and_signal() {
        // The children are reaped by wait_pid itself (std's Child is not used to wait).
        #[allow(clippy::zombie_processes)]
        let c = Command::new("sh").args(["-c", "exit 7"]).spawn().unwrap();
        assert_eq!(wait_pid(c.id(), Some(10.0)).unwrap(), Some(7));
        #[allow(clippy::zombie_processes)]
        let c = Command::new("sleep").arg("30").spawn().unwrap();
        send_signal(c.id(), libc::SIGTERM, || Ok(())).unwrap();
        assert_eq!(wait_pid(c.id(), Some(10.0)).unwrap(), Some(-libc::SIGTERM));
    }

    #[test]
    fn timeout_zero_never_blocks() {
        let mut c = Command::new("sleep").arg("30").spawn().unwrap();
        let t = Instant::now();
        assert!(matches!(
            wait_pid(c.id(), Some(0.0)),
            Err(Error::TimeoutExpired { .. })
        ));
        assert!(matches!(
            wait_pid(c.id(), Some(0.2)),
            Err(Error::TimeoutExpired { .. })
        ));
        assert!(t.elapsed() < Duration::from_secs(5));
        c.kill().unwrap();
        c.wait().unwrap();
    }

    #[test]
    fn failed_verify_sends_nothing() {
        let mut c = Command::new("sleep").arg("30").spawn().unwrap();
        let refused = send_signal(c.id(), libc::SIGKILL, || {
            Err(Error::NoSuchProcess {
                pid: 0,
                name: None,
                msg: "process no longer exists and its PID has been reused".into(),
            })
        });
        assert!(refused.unwrap_err().is_no_such_process());
        assert!(matches!(
            wait_pid(c.id(), Some(0.3)),
            Err(Error::TimeoutExpired { .. })
        ));
        c.kill().unwrap();
        c.wait().unwrap();
    }

    #[test]
    fn pid_zero_and_gone_pids() {
        assert!(matches!(
            send_signal(0, 15, || Ok(())),
            Err(Error::InvalidArgument(_))
        ));
        let mut c = Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap(); // reaped by std: the pid is gone
        assert!(send_signal(pid, 0, || Ok(()))
            .unwrap_err()
            .is_no_such_process());
        assert_eq!(wait_pid(pid, Some(1.0)).unwrap(), None);
    }

    #[test]
    fn non_child_gives_none_after_exit() {
        // sh starts a grandchild, prints its pid and reaps it (PID 1 may never
        // reap an orphan, and psutil waits until the non-child is gone).
        let (mut sh, pid) = sh_line("sleep 0.3 & echo $!; wait");
        assert_eq!(wait_pid(pid, Some(10.0)).unwrap(), None);
        assert!(sh.wait().unwrap().success());
    }

    #[test]
    fn polling_fallback_matches() {
        #[allow(clippy::zombie_processes)]
        let c = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        let deadline = Some(Instant::now() + Duration::from_secs(10));
        assert_eq!(
            wait_pid_polling(c.id(), deadline, Some(10.0)).unwrap(),
            Some(3)
        );
    }
}
