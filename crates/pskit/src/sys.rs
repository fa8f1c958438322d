//! The few syscalls rustix does not cover, wrapped safely. This is the only module
//! of the library with `unsafe`; every block says why it is sound.
//!
//! - `ioprio_get`/`ioprio_set`: rustix has no I/O priority calls.
//! - `prlimit64` on another process with a NULL new limit (a pure read): rustix's
//!   `prlimit` always sets, and `getrlimit` only reads the caller's own limits.
//! - `kill`/`pidfd_send_signal` with any signal number: rustix's `Signal` type
//!   cannot carry real-time signals without an unsafe conversion either way.
//! - `ioctl(PIDFD_GET_INFO)` (Linux 6.13+): rustix has no wrapper, and its
//!   generic ioctl interface is unsafe too.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `IOPRIO_WHO_PROCESS` from linux/ioprio.h.
const IOPRIO_WHO_PROCESS: libc::c_long = 1;

fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// The raw I/O priority of a process (class << 13 | data).
pub(crate) fn ioprio_get(pid: u32) -> io::Result<i32> {
    // SAFETY: ioprio_get takes two integers and touches no memory of ours.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_ioprio_get,
            IOPRIO_WHO_PROCESS,
            pid as libc::c_long,
        )
    };
    check(ret).map(|v| v as i32)
}

/// Sets the raw I/O priority of a process.
pub(crate) fn ioprio_set(pid: u32, ioprio: i32) -> io::Result<()> {
    // SAFETY: ioprio_set takes three integers and touches no memory of ours.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            pid as libc::c_long,
            ioprio as libc::c_long,
        )
    };
    check(ret).map(|_| ())
}

/// Reads (and with `new`, sets) a resource limit of any process; returns the
/// limits in force before the call. `RLIM_INFINITY` is `u64::MAX`.
pub(crate) fn prlimit(pid: u32, resource: i32, new: Option<(u64, u64)>) -> io::Result<(u64, u64)> {
    let mut old = libc::rlimit64 {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let new = new.map(|(soft, hard)| libc::rlimit64 {
        rlim_cur: soft,
        rlim_max: hard,
    });
    let new_ptr = new
        .as_ref()
        .map_or(std::ptr::null(), |n| n as *const libc::rlimit64);
    // SAFETY: `new_ptr` is null or points to a live rlimit64 on our stack; `old` is a
    // valid, writable rlimit64 for the kernel to fill. Both outlive the call.
    let ret = unsafe { libc::prlimit64(pid as libc::pid_t, resource as _, new_ptr, &mut old) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((old.rlim_cur, old.rlim_max))
}

/// kill(2) with any signal number (0 probes for existence).
pub(crate) fn kill(pid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: kill takes two integers and touches no memory of ours.
    let ret = unsafe { libc::kill(pid, sig) };
    check(ret as libc::c_long).map(|_| ())
}

/// pidfd_send_signal(2) with any signal number, no siginfo, no flags.
pub(crate) fn pidfd_send_signal(pidfd: BorrowedFd<'_>, sig: i32) -> io::Result<()> {
    // SAFETY: the fd is borrowed, so open for the whole call; the siginfo pointer is
    // NULL, which the kernel documents as "as if sent by kill(2)".
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd() as libc::c_long,
            sig as libc::c_long,
            std::ptr::null::<libc::siginfo_t>(),
            0 as libc::c_long,
        )
    };
    check(ret).map(|_| ())
}

/// A process's real, effective and saved uids and gids, read from its pidfd
/// with `PIDFD_GET_INFO` (Linux 6.13+), mapped into the caller's user
/// namespace as /proc/PID/status shows them to the caller. ENOTTY or EINVAL
/// when the kernel lacks the ioctl; ESRCH when the process was reaped (or, on
/// some kernels, has no parent visible in the caller's pid namespace).
pub(crate) fn pidfd_creds(pidfd: BorrowedFd<'_>) -> io::Result<([u32; 3], [u32; 3])> {
    // SAFETY: pidfd_info holds only integers, for which all-zero bytes are valid.
    let mut info: libc::pidfd_info = unsafe { std::mem::zeroed() };
    info.mask = u64::from(libc::PIDFD_INFO_CREDS);
    // SAFETY: `info` is a live, writable pidfd_info whose size is the one
    // PIDFD_GET_INFO encodes; the kernel reads its mask and writes at most that
    // many bytes. The fd is borrowed for the call.
    let ret = unsafe { libc::ioctl(pidfd.as_raw_fd(), libc::PIDFD_GET_INFO, &mut info) };
    check(ret as libc::c_long)?;
    if info.mask & u64::from(libc::PIDFD_INFO_CREDS) == 0 {
        return Err(io::Error::from_raw_os_error(libc::ENOTTY));
    }
    Ok((
        [info.ruid, info.euid, info.suid],
        [info.rgid, info.egid, info.sgid],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prlimit_reads_own_nofile() {
        let me = std::process::id();
        let (soft, hard) = prlimit(me, libc::RLIMIT_NOFILE as i32, None).unwrap();
        assert!(soft <= hard);
        // Setting the same values back is a no-op that must succeed.
        assert_eq!(
            prlimit(me, libc::RLIMIT_NOFILE as i32, Some((soft, hard))).unwrap(),
            (soft, hard)
        );
    }

    #[test]
    fn ioprio_reads_own() {
        let v = ioprio_get(std::process::id()).unwrap();
        assert!(v >= 0);
    }

    #[test]
    fn kill_zero_probes() {
        assert!(kill(std::process::id() as i32, 0).is_ok());
        assert_eq!(
            kill(i32::MAX, 0).unwrap_err().raw_os_error(),
            Some(libc::ESRCH)
        );
    }
}
