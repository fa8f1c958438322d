//! The whole-table scan behind `process_iter`: the procfs directory is opened once,
//! each pid's files are opened relative to it (`openat`), read with one syscall
//! into buffers reused across pids, and parsed in place. Only the files the
//! requested attributes need are read.

use std::os::fd::OwnedFd;

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

use super::parse::{self, Stat, Status};
use crate::error::{Error, Result};
use crate::root::Root;

/// Which files beyond stat to read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Need {
    pub status: bool,
    /// Whether status lines after `HugetlbPages` (context switches) are needed.
    pub status_tail: bool,
    pub statm: bool,
    /// cmdline for its own sake (`name` reads it only for a 15-byte comm).
    pub cmdline: bool,
    pub name: bool,
}

/// What one pid gave. A file that could not be read is `Err(errno)`.
pub(crate) struct Entry<'a> {
    pub pid: u32,
    pub stat: Stat<'a>,
    pub status: Option<std::result::Result<Status, Errno>>,
    pub statm: Option<std::result::Result<[u64; 7], Errno>>,
    pub cmdline: Option<std::result::Result<&'a [u8], Errno>>,
}

/// Cap on stat, status and statm (a few hundred bytes each in practice).
const SMALL: usize = crate::linux::fs::SMALL;

/// A reusable read buffer, and whether files must be checked to be regular.
struct Buf(Vec<u8>, bool);

/// Why a read failed: an errno, or a file refused for its type or size.
#[derive(Debug)]
enum Fail {
    Errno(Errno),
    Refused(std::io::Error),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}

impl Buf {
    fn new(check: bool) -> Buf {
        Buf(vec![0; 4096], check)
    }

    /// Reads `dirfd/<path>` whole; the file is complete when a read returns less
    /// than the space offered (procfs files are produced in one go). Opened
    /// non-blocking; more than `cap` bytes is EFBIG, and under a root that is not
    /// the kernel's own procfs anything but a regular file is EINVAL (see
    /// [`crate::linux::fs`]).
    fn read_at(
        &mut self,
        dirfd: &OwnedFd,
        path: &std::ffi::CStr,
        cap: usize,
    ) -> std::result::Result<usize, Fail> {
        let fd = rustix::fs::openat(
            dirfd,
            path,
            OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::empty(),
        )?;
        if self.1 {
            crate::linux::fs::ensure_regular(&fd).map_err(Fail::Refused)?;
        }
        let mut len = 0;
        loop {
            if len == self.0.len() {
                if len >= cap {
                    return Err(Fail::Refused(crate::linux::fs::too_large(cap)));
                }
                self.0.resize((self.0.len() * 2).min(cap.max(1)), 0);
            }
            let n = rustix::io::read(&fd, &mut self.0[len..])?;
            len += n;
            if n == 0 || len < self.0.len() {
                return Ok(len);
            }
        }
    }
}

/// Writes `<pid>/<file>\0` into `path` without allocating after the first call.
fn set_path(path: &mut Vec<u8>, pid: u32, file: &[u8]) {
    path.clear();
    let mut digits = [0u8; 10];
    let mut n = pid;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    path.extend_from_slice(&digits[i..]);
    path.push(b'/');
    path.extend_from_slice(file);
    path.push(0);
}

fn cstr(path: &[u8]) -> &std::ffi::CStr {
    std::ffi::CStr::from_bytes_with_nul(path).unwrap_or_default()
}

fn vanished(e: &Fail) -> bool {
    matches!(e, Fail::Errno(Errno::NOENT | Errno::SRCH))
}

fn open_table(root: &Root) -> Result<(OwnedFd, Vec<u32>)> {
    let dir = root.proc();
    let dirfd = rustix::fs::open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::io(dir, e.into()))?;
    Ok((dirfd, super::pids(root)?))
}

/// Below this many processes a scan stays on the calling thread.
const PARALLEL_MIN: usize = 256;

/// Scans every pid and maps each entry with `f`, in pid order. A process that
/// vanishes during the scan is skipped; one that exists but whose files cannot be
/// read or parsed is handed to `f` as an error naming the file, never dropped. A large table is
/// split in pid-ordered chunks read by a few scoped threads (at most 4, at most the
/// CPUs available), each with its own buffers, as sysinfo does with rayon; the
/// chunks are joined in order.
pub(crate) fn scan_map<T: Send>(
    root: &Root,
    need: Need,
    f: impl Fn(std::result::Result<Entry<'_>, Error>) -> Option<T> + Sync,
) -> Result<Vec<T>> {
    let (dirfd, pids) = open_table(root)?;
    let threads = crate::linux::scan_threads();
    if threads < 2 || pids.len() < PARALLEL_MIN {
        let mut out = Vec::with_capacity(pids.len());
        scan_pids(root, &dirfd, &pids, need, &mut |e| out.extend(f(e)));
        return Ok(out);
    }
    let chunk = pids.len().div_ceil(threads);
    let (dirfd, f) = (&dirfd, &f);
    let parts: Vec<Vec<T>> = std::thread::scope(|sc| {
        let handles: Vec<_> = pids
            .chunks(chunk)
            .map(|part| {
                sc.spawn(move || {
                    let mut out = Vec::with_capacity(part.len());
                    scan_pids(root, dirfd, part, need, &mut |e| out.extend(f(e)));
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    Ok(parts.into_iter().flatten().collect())
}

/// The error for `<pid>/<file>` that failed with `e` (not a vanished process).
fn file_error(root: &Root, pid: u32, file: &str, e: Fail) -> Error {
    let io = match e {
        Fail::Errno(e) => e.into(),
        Fail::Refused(io) => io,
    };
    super::translate(root, pid, Error::io(super::pid_path(root, pid, file), io))
}

fn scan_pids(
    root: &Root,
    dirfd: &OwnedFd,
    pids: &[u32],
    need: Need,
    f: &mut impl FnMut(std::result::Result<Entry<'_>, Error>),
) {
    let check = !crate::linux::fs::kernel_fs(root.proc());
    let (mut b_stat, mut b_status, mut b_statm, mut b_cmd) = (
        Buf::new(check),
        Buf::new(check),
        Buf::new(check),
        Buf::new(check),
    );
    let mut path = Vec::with_capacity(32);
    for &pid in pids {
        set_path(&mut path, pid, b"stat");
        let n = match b_stat.read_at(dirfd, cstr(&path), SMALL) {
            Ok(n) => n,
            Err(e) if vanished(&e) => continue,
            Err(e) => {
                f(Err(file_error(root, pid, "stat", e)));
                continue;
            }
        };
        let stat = match parse::parse_stat(&b_stat.0[..n]) {
            Ok(s) => s,
            Err(m) => {
                f(Err(super::parse_err(root, pid, "stat", m)));
                continue;
            }
        };
        let status = if need.status {
            set_path(&mut path, pid, b"status");
            match b_status.read_at(dirfd, cstr(&path), SMALL) {
                Ok(n) => {
                    let last: Option<&[u8]> = if need.status_tail {
                        None
                    } else {
                        Some(b"HugetlbPages")
                    };
                    Some(Ok(parse::parse_status_upto(&b_status.0[..n], last)))
                }
                Err(e) if vanished(&e) => continue,
                // Not allowed (psutil's AccessDenied): the field is left out.
                Err(Fail::Errno(e @ (Errno::ACCESS | Errno::PERM))) => Some(Err(e)),
                Err(e) => {
                    f(Err(file_error(root, pid, "status", e)));
                    continue;
                }
            }
        } else {
            None
        };
        let statm = if need.statm {
            set_path(&mut path, pid, b"statm");
            match b_statm.read_at(dirfd, cstr(&path), SMALL) {
                Ok(n) => match parse::parse_statm(&b_statm.0[..n]) {
                    Ok(v) => Some(Ok(v)),
                    Err(m) => {
                        f(Err(super::parse_err(root, pid, "statm", m)));
                        continue;
                    }
                },
                Err(e) if vanished(&e) => continue,
                // Not allowed (psutil's AccessDenied): the field is left out.
                Err(Fail::Errno(e @ (Errno::ACCESS | Errno::PERM))) => Some(Err(e)),
                Err(e) => {
                    f(Err(file_error(root, pid, "statm", e)));
                    continue;
                }
            }
        } else {
            None
        };
        let want_cmd = need.cmdline || (need.name && stat.comm.len() >= 15);
        let cmd_len = if want_cmd {
            set_path(&mut path, pid, b"cmdline");
            match b_cmd.read_at(dirfd, cstr(&path), crate::linux::fs::LARGE) {
                Ok(n) => Some(Ok(n)),
                Err(e) if vanished(&e) => continue,
                // Not allowed (psutil's AccessDenied): the field is left out.
                Err(Fail::Errno(e @ (Errno::ACCESS | Errno::PERM))) => Some(Err(e)),
                Err(e) => {
                    f(Err(file_error(root, pid, "cmdline", e)));
                    continue;
                }
            }
        } else {
            None
        };
        let cmdline = cmd_len.map(|r| r.map(|n| &b_cmd.0[..n]));
        f(Ok(Entry {
            pid,
            stat,
            status,
            statm,
            cmdline,
        }));
    }
}
