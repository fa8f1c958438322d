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
    /// The uids and gids, from the pidfd when [`creds_by_pidfd`] allows (else
    /// from status).
    pub creds: bool,
}

/// Real, effective and saved uids, then gids.
pub(crate) type Creds = ([u32; 3], [u32; 3]);

/// Whether a scan under `root` may take credentials from pidfds rather than
/// from status: only on the kernel's own procfs of this process's pid
/// namespace (pidfd_open takes pids of the caller's namespace), and while the
/// kernel has not shown it lacks `PIDFD_GET_INFO`. status is the costliest of
/// the files a ps-like scan reads (the kernel formats some fifty lines); the
/// ioctl reads the same credentials without formatting.
pub(crate) fn creds_by_pidfd(root: &Root) -> bool {
    static OWN_PROC: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if NO_PIDFD_INFO.load(std::sync::atomic::Ordering::Relaxed)
        || !root.is_host()
        || !crate::linux::fs::kernel_fs(root.proc())
    {
        return false;
    }
    *OWN_PROC.get_or_init(|| {
        rustix::fs::readlink("/proc/self", Vec::new())
            .ok()
            .and_then(|l| l.to_str().ok()?.parse::<u32>().ok())
            == Some(std::process::id())
    })
}

/// Set once the kernel answered that it has no pidfds or no PIDFD_GET_INFO.
static NO_PIDFD_INFO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `pid`'s credentials through a pidfd opened before its other files were read
/// (`pidfd`): None when that failed, and then status is read instead.
fn pidfd_creds(pidfd: Option<&OwnedFd>) -> Option<Creds> {
    use std::os::fd::AsFd;
    match crate::sys::pidfd_creds(pidfd?.as_fd()) {
        Ok(c) => Some(c),
        Err(e) => {
            if matches!(e.raw_os_error(), Some(libc::ENOTTY | libc::EINVAL)) {
                NO_PIDFD_INFO.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            None
        }
    }
}

/// pidfd_open(`pid`) for [`pidfd_creds`]: None when it failed. A kernel
/// without pidfds, or a sandbox that refuses them, stops the pidfd path for
/// good; anything else (a vanished process, which its stat read will show; a
/// pid now used by a thread; no free fd) is this pid's alone.
fn open_for_creds(pid: u32) -> Option<OwnedFd> {
    let raw = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)?;
    match rustix::process::pidfd_open(raw, rustix::process::PidfdFlags::empty()) {
        Ok(fd) => Some(fd),
        Err(Errno::NOSYS | Errno::PERM | Errno::ACCESS) => {
            NO_PIDFD_INFO.store(true, std::sync::atomic::Ordering::Relaxed);
            None
        }
        Err(_) => None,
    }
}

/// What one pid gave. A file that could not be read is `Err(errno)`.
pub(crate) struct Entry<'a> {
    pub pid: u32,
    pub stat: Stat<'a>,
    pub status: Option<std::result::Result<Status, Errno>>,
    pub statm: Option<std::result::Result<[u64; 7], Errno>>,
    pub cmdline: Option<std::result::Result<&'a [u8], Errno>>,
    /// The credentials from the pidfd (None: not asked for, or read from status).
    pub creds: Option<Creds>,
}

/// The kernel-thread bit of stat's flags (include/linux/sched.h).
const PF_KTHREAD: u64 = 0x0020_0000;

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

/// How many results a scanning thread hands over at a time.
const BATCH: usize = 16;

/// Scans every pid and maps each entry with `f`, in pid order. A process that
/// vanishes during the scan is skipped; one that exists but whose files cannot be
/// read or parsed is handed to `f` as an error naming the file, never dropped. A
/// large table is read by the calling thread and a few scoped threads (at most
/// 4 in all, at most the CPUs available), each with its own buffers, taking
/// blocks of pids as they go; the blocks are joined in order.
pub(crate) fn scan_map<T: Send>(
    root: &Root,
    need: Need,
    f: impl Fn(std::result::Result<Entry<'_>, Error>) -> Option<T> + Sync,
) -> Result<Vec<T>> {
    let mut parts = InOrder::default();
    scan_stream(root, need, f, &mut |wait| wait(), &mut |b, t| {
        parts.push(b, t)
    })?;
    Ok(parts.into_vec())
}

/// What [`scan_stream`] hands over, kept by block index and put back in pid
/// order at the end.
pub(crate) struct InOrder<T>(Vec<Vec<T>>);

impl<T> Default for InOrder<T> {
    fn default() -> Self {
        InOrder(Vec::new())
    }
}

impl<T> InOrder<T> {
    /// Keeps `t`, a result of block `block`.
    pub(crate) fn push(&mut self, block: usize, t: T) {
        if self.0.len() <= block {
            self.0.resize_with(block + 1, Vec::new);
        }
        self.0[block].push(t);
    }

    /// Every result, in pid order.
    pub(crate) fn into_vec(self) -> Vec<T> {
        self.0.into_iter().flatten().collect()
    }
}

/// Runs the system reads of the calling thread, through `block`.
pub(crate) type Block<'b> = dyn FnMut(&mut (dyn FnMut() + Send)) + 'b;

/// `f()` run through `block` (which must call the closure it is given: a
/// caller's `block` that does not is an InvalidArgument).
pub(crate) fn through<R: Send>(block: &mut Block<'_>, f: impl FnOnce() -> R + Send) -> Result<R> {
    let (mut f, mut out) = (Some(f), None);
    {
        let (f, out) = (&mut f, &mut out);
        block(&mut move || {
            if let Some(f) = f.take() {
                *out = Some(f());
            }
        });
    }
    out.ok_or_else(|| {
        Error::InvalidArgument(
            "process_iter_each: `block` did not run the closure it was given".into(),
        )
    })
}

/// [`scan_map`] that hands each result to `take` on the calling thread as soon
/// as a scanning thread has it, with its block's index: results of one block
/// come in pid order, block `i` holds lower pids than block `i + 1`, and blocks
/// come in any order. So the caller's own work per result overlaps the reading.
///
/// Everything that reads the system on the calling thread (listing the table,
/// a small table's whole scan, every wait for the scanning threads) runs inside
/// `block`, which must call the closure it is given: Python's bindings release
/// the GIL there, and hold it only in `take`.
pub(crate) fn scan_stream<T: Send>(
    root: &Root,
    need: Need,
    f: impl Fn(std::result::Result<Entry<'_>, Error>) -> Option<T> + Sync,
    block: &mut Block<'_>,
    take: &mut dyn FnMut(usize, T),
) -> Result<()> {
    scan_stream_on(root, need, f, block, take, None)
}

/// [`scan_stream`] on `threads` threads, or with None as many as
/// `scan_threads()` allows for a table of at least [`PARALLEL_MIN`] pids.
fn scan_stream_on<T: Send>(
    root: &Root,
    need: Need,
    f: impl Fn(std::result::Result<Entry<'_>, Error>) -> Option<T> + Sync,
    block: &mut Block<'_>,
    take: &mut dyn FnMut(usize, T),
    threads: Option<usize>,
) -> Result<()> {
    let (dirfd, pids) = through(block, || open_table(root))??;
    let threads = match threads {
        Some(n) => n,
        None if pids.len() < PARALLEL_MIN => 1,
        None => crate::linux::scan_threads(),
    };
    let f = &f;
    if threads < 2 {
        let (dirfd, pids) = (&dirfd, &pids);
        let out = through(block, move || read_part(root, dirfd, pids, need, f))?;
        for t in out {
            take(0, t);
        }
        return Ok(());
    }
    // The calling thread and threads - 1 others take blocks of BATCH pids from
    // a shared counter until none are left, so a thread whose pids are cheap
    // (kernel threads have no cmdline) takes more of them. The others send
    // each block they read; the calling thread hands those to `take` between
    // its own blocks, so the caller's work runs while the others read.
    let blocks: Vec<&[u32]> = pids.chunks(BATCH).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let claim = || {
        let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        blocks.get(b).map(|part| (b, *part))
    };
    let (dirfd, claim) = (&dirfd, &claim);
    let (tx, mut rx) = std::sync::mpsc::channel::<(usize, Vec<T>)>();
    std::thread::scope(|sc| -> Result<()> {
        for _ in 1..threads.min(blocks.len()) {
            let tx = tx.clone();
            sc.spawn(move || {
                while let Some((b, part)) = claim() {
                    let out = read_part(root, dirfd, part, need, f);
                    // The receiver lives until every sender is gone.
                    let _ = tx.send((b, out));
                }
            });
        }
        // The loop ends when every other thread has dropped its sender. (One
        // that panicked, a bug, drops it too; the scope then re-raises the
        // panic rather than return a table with a block missing.)
        drop(tx);
        loop {
            while let Ok((b, out)) = rx.try_recv() {
                for t in out {
                    take(b, t);
                }
            }
            if let Some((b, part)) = claim() {
                let own = through(block, move || read_part(root, dirfd, part, need, f))?;
                for t in own {
                    take(b, t);
                }
                continue;
            }
            let rx = &mut rx;
            let got = through(block, move || rx.recv().ok())?;
            let Some((b, out)) = got else { break };
            for t in out {
                take(b, t);
            }
        }
        Ok(())
    })
}

/// `part`'s pids scanned and mapped with `f`, in pid order.
fn read_part<T>(
    root: &Root,
    dirfd: &OwnedFd,
    part: &[u32],
    need: Need,
    f: &impl Fn(std::result::Result<Entry<'_>, Error>) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(part.len());
    scan_pids(root, dirfd, part, need, &mut |e| out.extend(f(e)));
    out
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
        // Opened before stat is read: if its ioctl then answers, the process
        // was not reaped in between, so the credentials are those of the
        // process whose stat (and start time) was read.
        let pidfd = if need.creds {
            open_for_creds(pid)
        } else {
            None
        };
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
        let creds = if need.creds {
            pidfd_creds(pidfd.as_ref())
        } else {
            None
        };
        drop(pidfd);
        let status = if need.status || (need.creds && creds.is_none()) {
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
        // A kernel thread has no memory map: the kernel's statm shows zeros and
        // its cmdline is empty (get_task_mm() refuses kernel threads), so on
        // the kernel's own procfs those two files are not read for one.
        let kthread = !check && stat.flags & PF_KTHREAD != 0;
        let statm = if need.statm && kthread {
            Some(Ok([0; 7]))
        } else if need.statm {
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
        let cmd_len = if want_cmd && kthread {
            Some(Ok(0))
        } else if want_cmd {
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
            creds,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    /// The status file's uids and gids of `pid`, when it still exists.
    fn status_creds(pid: u32) -> Option<Creds> {
        let text = std::fs::read(format!("/proc/{pid}/status")).ok()?;
        let st = parse::parse_status_upto(&text, None);
        Some((st.uid?, st.gid?))
    }

    /// Every process's credentials read through its pidfd equal the ones its
    /// status shows, here including a process whose real, effective and saved
    /// ids all differ (the case a /proc directory's owner would get wrong).
    #[test]
    fn pidfd_creds_match_status() {
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import os, sys, time\n\
                 os.setresgid(65534, 2, 3); os.setresuid(65534, 1, 4)\n\
                 print('ready', flush=True); sys.stdin.read()",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let pid = child.id();
        let root = Root::host();
        let by_pidfd = creds_by_pidfd(&root);
        let mut compared = 0;
        let mut seen_child = None;
        // Without the pidfd path (a kernel before 6.13, or a procfs of another
        // pid namespace, where pids would not match) scans read status, which
        // the next test covers.
        for p in crate::linux::process::pids(&root).unwrap() {
            if !by_pidfd {
                break;
            }
            let fd = open_for_creds(p);
            let Some(creds) = pidfd_creds(fd.as_ref()) else {
                continue;
            };
            if let Some(st) = status_creds(p) {
                assert_eq!(creds, st, "pid {p}");
                compared += 1;
            }
            if p == pid {
                seen_child = Some(creds);
            }
        }
        drop(child.stdin.take());
        let _ = child.wait();
        if by_pidfd {
            assert!(compared > 1, "compared {compared}");
            // Root can take the three distinct ids; elsewhere setresuid fails.
            if line.trim() == "ready" {
                assert_eq!(seen_child, Some(([65534, 1, 4], [65534, 2, 3])));
            }
        }
    }

    /// The scan gives the same credentials on both paths.
    #[test]
    fn scan_creds_on_both_paths() {
        let root = Root::host();
        let need = Need {
            creds: creds_by_pidfd(&root),
            status: !creds_by_pidfd(&root),
            ..Need::default()
        };
        let me = std::process::id();
        let got = scan_map(&root, need, |e| {
            let e = e.ok()?;
            (e.pid == me).then(|| {
                e.creds
                    .or_else(|| e.status?.ok().and_then(|st| Some((st.uid?, st.gid?))))
            })
        })
        .unwrap();
        assert_eq!(got, vec![status_creds(me)]);
    }

    /// What the scan gives a kernel thread without reading its statm and
    /// cmdline is what those files hold. (In a pid namespace no kernel thread is
    /// visible and there is nothing to compare.)
    #[test]
    fn kernel_threads_statm_and_cmdline_unread() {
        let root = Root::host();
        let need = Need {
            statm: true,
            cmdline: true,
            ..Need::default()
        };
        let kthreads = scan_map(&root, need, |e| {
            let e = e.ok()?;
            (e.stat.flags & PF_KTHREAD != 0).then(|| {
                let cmd = e.cmdline.and_then(|c| c.ok()).map(|c| c.to_vec());
                (e.pid, e.statm.and_then(|m| m.ok()), cmd)
            })
        })
        .unwrap();
        for (pid, statm, cmd) in kthreads {
            let Ok(file) = std::fs::read_to_string(format!("/proc/{pid}/statm")) else {
                continue;
            };
            let from_file: Vec<u64> = file
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect();
            assert_eq!(statm.map(|m| m.to_vec()), Some(from_file), "pid {pid}");
            let cmd_file = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            assert_eq!(cmd, Some(cmd_file), "pid {pid}");
        }
    }

    /// The threaded scan (here with more threads than CPUs, and blocks
    /// claimed in any order) gives what the one-thread scan gives: every pid
    /// once, each block in pid order, block i below block i + 1.
    #[test]
    fn threaded_scan_matches_one_thread() {
        let root = Root::host();
        let need = Need {
            cmdline: true,
            ..Need::default()
        };
        let read = |threads| {
            let mut got: Vec<(usize, u32)> = Vec::new();
            scan_stream_on(
                &root,
                need,
                |e| e.ok().map(|e| e.pid),
                &mut |wait| wait(),
                &mut |b, pid| got.push((b, pid)),
                Some(threads),
            )
            .unwrap();
            got
        };
        let mut many = read(3);
        let one: Vec<u32> = read(1).into_iter().map(|(_, p)| p).collect();
        many.sort_by_key(|&(b, _)| b); // stable: keeps each block's own order
        let many: Vec<u32> = many.into_iter().map(|(_, p)| p).collect();
        assert!(many.windows(2).all(|w| w[0] < w[1]), "{many:?}");
        let me = std::process::id();
        assert!(many.contains(&me) && one.contains(&me));
        // Processes may come and go between the two scans, not many.
        let common = one.iter().filter(|p| many.contains(p)).count();
        assert!(common + 10 >= one.len().max(many.len()), "{one:?} {many:?}");
        assert!(many.len() > BATCH || one.len() <= BATCH);
    }

    /// A caller's `block` that never runs what it is given is an error, not
    /// an empty scan.
    #[test]
    fn block_that_does_not_run_is_an_error() {
        assert_eq!(through(&mut |wait| wait(), || 7).unwrap(), 7);
        assert!(matches!(
            through(&mut |_| {}, || 7),
            Err(Error::InvalidArgument(_))
        ));
        let r = crate::process::process_iter_each(["pid"], |_| {}, |_| {});
        assert!(matches!(r, Err(Error::InvalidArgument(_))));
    }
}
