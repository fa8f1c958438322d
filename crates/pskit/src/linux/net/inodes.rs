//! Socket inode → owning (pid, fds), from the `{proc}/<pid>/fd/<n>` symlinks
//! (`socket:[INODE]`).
//!
//! This scan is what `net_connections` spends its time on, so it does the least work
//! the kernel allows: `/proc` is opened once and each `fd` directory is opened relative
//! to it; entries come from getdents64 into one reused buffer; each link is read with
//! readlinkat into a small stack buffer. No per-fd allocation.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{openat, readlinkat_raw, Mode, OFlags, RawDir, CWD};
use rustix::io::Errno;

use crate::error::{Error, Result};

/// The process that holds a socket, and its fds for it in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    pub pid: u32,
    pub fds: Vec<i32>,
}

/// What to do when a process cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnError {
    /// System-wide scan: skip processes that vanished or are not ours (psutil skips
    /// ENOENT, ESRCH and EACCES/EPERM silently).
    SkipProcess,
    /// Chosen processes: report the error, so the caller can tell NoSuchProcess from
    /// AccessDenied.
    Fail,
}

const DIR_BUF: usize = 16 * 1024;

/// The inode of a `socket:[N]` link target, if it is one.
pub(crate) fn socket_inode(target: &[u8]) -> Option<u64> {
    let digits = target.strip_prefix(b"socket:[")?.strip_suffix(b"]")?;
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}

fn parse_decimal(name: &[u8]) -> Option<u32> {
    if name.is_empty() || name.len() > 10 {
        return None;
    }
    let mut n: u32 = 0;
    for &d in name {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
    }
    Some(n)
}

fn open_dir(dirfd: &OwnedFd, path: &str) -> rustix::io::Result<OwnedFd> {
    openat(
        dirfd,
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

fn io_err(path: impl AsRef<Path>, e: Errno) -> Error {
    Error::io(
        path.as_ref(),
        std::io::Error::from_raw_os_error(e.raw_os_error()),
    )
}

/// Lists the pids under `proc`, ascending.
fn list_pids(procfd: &OwnedFd, proc: &Path, buf: &mut [MaybeUninit<u8>]) -> Result<Vec<u32>> {
    let mut pids = Vec::with_capacity(512);
    let mut dir = RawDir::new(procfd, buf);
    while let Some(ent) = dir.next() {
        let ent = ent.map_err(|e| io_err(proc, e))?;
        if let Some(pid) = parse_decimal(ent.file_name().to_bytes()) {
            pids.push(pid);
        }
    }
    pids.sort_unstable();
    Ok(pids)
}

/// Errors that mean "this process is gone or not ours".
fn is_skippable(e: Errno) -> bool {
    matches!(e, Errno::NOENT | Errno::SRCH | Errno::ACCESS | Errno::PERM)
}

/// Reads one process's socket fds into `found` as (inode, fd), in fd order.
/// `Ok(false)` when the process must be skipped.
fn scan_pid(
    procfd: &OwnedFd,
    pid: u32,
    path: &mut String,
    buf: &mut [MaybeUninit<u8>],
    found: &mut Vec<(u64, i32)>,
    on_error: OnError,
    proc: &Path,
) -> Result<bool> {
    path.clear();
    let _ = write!(path, "{pid}/fd");
    let fail = |e: Errno| -> Result<bool> {
        if on_error == OnError::SkipProcess && is_skippable(e) {
            Ok(false)
        } else {
            Err(io_err(proc.join(format!("{pid}/fd")), e))
        }
    };
    let fdfd = match open_dir(procfd, path) {
        Ok(fd) => fd,
        Err(e) => return fail(e),
    };
    let mut link = [0u8; 32];
    let mut dir = RawDir::new(&fdfd, buf);
    while let Some(ent) = dir.next() {
        let ent = match ent {
            Ok(ent) => ent,
            Err(e) => return fail(e),
        };
        let name = ent.file_name();
        let Some(fd) = parse_decimal(name.to_bytes()).and_then(|n| i32::try_from(n).ok()) else {
            continue;
        };
        match readlinkat_raw(&fdfd, name, &mut link) {
            Ok(n) => {
                if let Some(inode) = socket_inode(&link[..n.min(link.len())]) {
                    found.push((inode, fd));
                }
            }
            // The fd was closed meanwhile, or is not a link: psutil skips it.
            Err(Errno::NOENT | Errno::SRCH | Errno::INVAL | Errno::NAMETOOLONG) => {}
            Err(e) => return fail(e),
        }
    }
    Ok(true)
}

/// Maps socket inodes to their owners.
///
/// `pids = None` scans every process; with `Some`, only those. As in psutil, a later
/// (higher) pid holding the same inode replaces an earlier one, and within a process
/// every fd on the inode is kept in fd order.
pub(crate) fn socket_owners(
    proc: &Path,
    pids: Option<&[u32]>,
    on_error: OnError,
) -> Result<HashMap<u64, Owner>> {
    let procfd = open_dir_path(proc)?;
    let mut buf = vec![MaybeUninit::<u8>::uninit(); DIR_BUF];
    let pids: Vec<u32> = match pids {
        Some(p) => p.to_vec(),
        None => list_pids(&procfd, proc, &mut buf)?,
    };
    let mut owners: HashMap<u64, Owner> = HashMap::new();
    let mut path = String::with_capacity(24);
    let mut found = Vec::new();
    for pid in pids {
        found.clear();
        if !scan_pid(
            &procfd, pid, &mut path, &mut buf, &mut found, on_error, proc,
        )? {
            continue;
        }
        for &(inode, fd) in &found {
            match owners.get_mut(&inode) {
                Some(o) if o.pid == pid => o.fds.push(fd),
                _ => {
                    owners.insert(inode, Owner { pid, fds: vec![fd] });
                }
            }
        }
    }
    Ok(owners)
}

fn open_dir_path(proc: &Path) -> Result<OwnedFd> {
    openat(
        CWD,
        proc,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| io_err(proc, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_link_targets() {
        assert_eq!(socket_inode(b"socket:[12345]"), Some(12345));
        assert_eq!(socket_inode(b"socket:[0]"), Some(0));
        assert_eq!(socket_inode(b"socket:[]"), None);
        assert_eq!(socket_inode(b"socket:[12"), None);
        assert_eq!(socket_inode(b"pipe:[12]"), None);
        assert_eq!(socket_inode(b"/dev/null"), None);
        assert_eq!(socket_inode(b"socket:[99999999999999999999999]"), None);
    }

    #[test]
    fn own_process_sockets_are_found() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let me = std::process::id();
        let proc = crate::Root::host().proc().to_path_buf();
        let owners = socket_owners(&proc, Some(&[me]), OnError::Fail).unwrap();
        assert!(owners.values().all(|o| o.pid == me));
        use std::os::fd::AsRawFd;
        let fd = listener.as_raw_fd();
        assert!(owners.values().any(|o| o.fds.contains(&fd)));
    }

    #[test]
    fn missing_pid_fails_only_when_asked() {
        let proc = crate::Root::host().proc().to_path_buf();
        // pid_max is at most 2^22, so this pid cannot exist.
        let ghost = 1 << 23;
        assert!(socket_owners(&proc, Some(&[ghost]), OnError::Fail).is_err());
        assert!(socket_owners(&proc, Some(&[ghost]), OnError::SkipProcess)
            .unwrap()
            .is_empty());
    }
}
