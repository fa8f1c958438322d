//! Socket inode → owning (pid, fds), from the `{proc}/<pid>/fd/<n>` symlinks
//! (`socket:[INODE]`).
//!
//! This scan is what `net_connections` spends its time on, so it does the least work
//! the kernel allows: `/proc` is opened once and each `fd` directory is opened relative
//! to it; entries come from getdents64 into one reused buffer; each link is read with
//! readlinkat into a small stack buffer. No per-fd allocation.

use std::collections::HashMap;
use std::ffi::CStr;
use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// procfs' `f_type` (PROC_SUPER_MAGIC).
const PROC_SUPER_MAGIC: i64 = 0x9fa0;

/// The largest directory record getdents64 can produce (a 255-byte name).
const MAX_DIRENT: usize = 280;

/// getdents64's record length for a name of `len` bytes.
fn dirent_len(len: usize) -> usize {
    (19 + len + 1 + 7) & !7
}

/// Walks an open `<pid>/fd` directory: hands each numeric entry's fd to `each`,
/// with its link target (read with readlinkat into `link`, cut to `link`'s
/// length) or the error of that read. An error of `each` or of the listing
/// stops the walk. `buf` holds the directory entries.
///
/// `procfs`: the directory is the kernel's, which lists every fd in one
/// getdents64 call unless the buffer fills up; the second call, which would
/// return 0, is then skipped.
pub(crate) fn walk_fd_dir(
    fdfd: &OwnedFd,
    procfs: bool,
    buf: &mut [MaybeUninit<u8>],
    link: &mut [u8],
    mut each: impl FnMut(i32, std::result::Result<&[u8], Errno>) -> std::result::Result<(), Errno>,
) -> std::result::Result<(), Errno> {
    let capacity = buf.len();
    let mut consumed = 0;
    let mut dir = RawDir::new(fdfd, buf);
    // fd names are at most 10 digits: copied out (NUL-terminated) so that the
    // directory iterator can be asked whether its batch is exhausted.
    let mut name = [0u8; 12];
    while let Some(ent) = dir.next() {
        let ent = ent?;
        let bytes = ent.file_name().to_bytes();
        consumed += dirent_len(bytes.len());
        let fd = parse_decimal(bytes).and_then(|n| i32::try_from(n).ok());
        let len = bytes.len().min(name.len() - 1);
        name[..len].copy_from_slice(&bytes[..len]);
        name[len] = 0;
        let last_of_batch = dir.is_buffer_empty();
        if let (Some(fd), Ok(cname)) = (fd, CStr::from_bytes_with_nul(&name[..=len])) {
            match readlinkat_raw(fdfd, cname, &mut *link) {
                Ok(n) => {
                    let n = n.min(link.len());
                    each(fd, Ok(&link[..n]))?
                }
                Err(e) => each(fd, Err(e))?,
            }
        }
        if procfs && last_of_batch && consumed + MAX_DIRENT <= capacity {
            break;
        }
    }
    Ok(())
}

/// One owner scan: the open `{proc}` directory and how to treat errors.
struct Scan<'a> {
    procfd: OwnedFd,
    proc: &'a Path,
    on_error: OnError,
    /// `{proc}` is a real procfs, whose fd directories list every fd in one getdents64
    /// call unless the buffer fills up; the second call, which would return 0, is then
    /// skipped.
    procfs: bool,
}

impl Scan<'_> {
    /// Reads one process's socket fds into `found` as (inode, fd), in fd order.
    /// `Ok(false)` when the process must be skipped.
    fn pid(
        &self,
        pid: u32,
        path: &mut String,
        buf: &mut [MaybeUninit<u8>],
        found: &mut Vec<(u64, i32)>,
    ) -> Result<bool> {
        let fail = |e: Errno| -> Result<bool> {
            if self.on_error == OnError::SkipProcess && is_skippable(e) {
                Ok(false)
            } else {
                Err(io_err(self.proc.join(format!("{pid}/fd")), e))
            }
        };
        path.clear();
        let _ = write!(path, "{pid}/fd");
        let fdfd = match open_dir(&self.procfd, path) {
            Ok(fd) => fd,
            Err(e) => return fail(e),
        };
        // Socket targets ("socket:[N]") fit in 32 bytes; longer ones are cut, and
        // cut they cannot look like a socket.
        let mut link = [0u8; 32];
        let walked = walk_fd_dir(&fdfd, self.procfs, buf, &mut link, |fd, target| {
            match target {
                Ok(t) => {
                    if let Some(inode) = socket_inode(t) {
                        found.push((inode, fd));
                    }
                    Ok(())
                }
                // The fd was closed meanwhile, or is not a link: psutil skips it.
                Err(Errno::NOENT | Errno::SRCH | Errno::INVAL | Errno::NAMETOOLONG) => Ok(()),
                Err(e) => Err(e),
            }
        });
        if let Err(e) = walked {
            return fail(e);
        }
        // procfs lists fds in ascending order; other trees (fixtures) may not.
        found.sort_unstable_by_key(|&(_, fd)| fd);
        Ok(true)
    }

    /// Scans `pids` in order, appending what each readable process holds.
    fn run(&self, pids: &[u32], buf: &mut [MaybeUninit<u8>], out: &mut Found) -> Result<()> {
        let mut path = String::with_capacity(24);
        let mut found = Vec::new();
        for &pid in pids {
            found.clear();
            if self.pid(pid, &mut path, buf, &mut found)? {
                out.extend(found.iter().map(|&(inode, fd)| (pid, inode, fd)));
            }
        }
        Ok(())
    }

    /// The same scan spread over worker threads that take chunks of pids in turn;
    /// the chunks are put back in pid order afterwards, so the result is the
    /// sequential one.
    fn parallel(&self, pids: &[u32], threads: usize) -> Result<Found> {
        let next = AtomicUsize::new(0);
        let work = || -> Result<Vec<(usize, Found)>> {
            let mut buf = vec![MaybeUninit::<u8>::uninit(); DIR_BUF];
            let mut chunks = Vec::new();
            loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= pids.len() {
                    return Ok(chunks);
                }
                let mut found = Vec::new();
                self.run(
                    &pids[start..(start + CHUNK).min(pids.len())],
                    &mut buf,
                    &mut found,
                )?;
                chunks.push((start, found));
            }
        };
        // All workers are spawned threads: measured faster than making the caller one
        // of them (the scheduler spreads fresh threads better).
        let results: Vec<Result<Vec<(usize, Found)>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Unsupported("socket scan thread panicked".into()))
                    })
                })
                .collect()
        });
        let mut chunks = Vec::new();
        for r in results {
            chunks.extend(r?);
        }
        chunks.sort_unstable_by_key(|(start, _)| *start);
        Ok(chunks.into_iter().flat_map(|(_, f)| f).collect())
    }
}

/// Below this many processes the scan runs on the calling thread only.
const PARALLEL_MIN_PIDS: usize = 64;

/// Pids handed to a worker at a time.
const CHUNK: usize = 16;

/// (pid, inode, fd) triples of a run of pids, in pid then fd order.
type Found = Vec<(u32, u64, i32)>;

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
    // `f_type`'s integer type differs between architectures.
    #[allow(clippy::unnecessary_cast)]
    let procfs = rustix::fs::fstatfs(&procfd)
        .map(|st| st.f_type as i64 == PROC_SUPER_MAGIC)
        .unwrap_or(false);
    let scan = Scan {
        procfd,
        proc,
        on_error,
        procfs,
    };
    let mut buf = vec![MaybeUninit::<u8>::uninit(); DIR_BUF];
    let pids: Vec<u32> = match pids {
        Some(p) => p.to_vec(),
        None => list_pids(&scan.procfd, proc, &mut buf)?,
    };
    let threads = crate::linux::scan_threads();
    let found = if threads > 1 && pids.len() >= PARALLEL_MIN_PIDS {
        scan.parallel(&pids, threads)?
    } else {
        let mut found = Vec::new();
        scan.run(&pids, &mut buf, &mut found)?;
        found
    };
    Ok(owners_by_inode(found))
}

/// (pid, inode, fd) triples in pid then fd order, as socket inode → owner. As
/// in psutil, a later (higher) pid holding the same inode replaces an earlier
/// one, and within a process every fd on the inode is kept in fd order.
pub(crate) fn owners_by_inode(
    found: impl IntoIterator<Item = (u32, u64, i32)>,
) -> HashMap<u64, Owner> {
    let mut owners: HashMap<u64, Owner> = HashMap::new();
    for (pid, inode, fd) in found {
        match owners.get_mut(&inode) {
            Some(o) if o.pid == pid => o.fds.push(fd),
            _ => {
                owners.insert(inode, Owner { pid, fds: vec![fd] });
            }
        }
    }
    owners
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
