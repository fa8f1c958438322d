//! Directory-listing readers (fd, fdinfo, task), the terminal map and the user
//! database, for one process.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{errno, libc_errno, no_such_process, parse, pid_path, translate};
use crate::error::{Error, Result};
use crate::linux::fs::with_bytes;
use crate::linux::net::inodes::{socket_inode, walk_fd_dir};
use crate::root::Root;

/// The name of `uid` in `{etc}/passwd`, else the uid as text (psutil's fallback).
pub(crate) fn username(root: &Root, uid: u32) -> String {
    with_bytes(&root.etc().join("passwd"), |b| {
        Ok(parse::passwd_name(&String::from_utf8_lossy(b), uid))
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| uid.to_string())
}

/// uid → name for every entry of `{etc}/passwd` (the first entry of a uid wins,
/// as getpwuid); empty when the file cannot be read.
pub(crate) fn passwd_map(root: &Root) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    let _ = with_bytes(&root.etc().join("passwd"), |b| {
        for line in String::from_utf8_lossy(b).lines() {
            let mut f = line.split(':');
            let (Some(name), Some(uid)) = (f.next(), f.nth(1)) else {
                continue;
            };
            if let (false, Ok(uid)) = (name.is_empty(), uid.parse::<u32>()) {
                map.entry(uid).or_insert_with(|| name.to_string());
            }
        }
        Ok(())
    });
    map
}

type TtyMap = HashMap<u64, String>;
static TTYS: Mutex<Option<(PathBuf, TtyMap)>> = Mutex::new(None);

fn build_tty_map(dev: &Path) -> TtyMap {
    let mut map = HashMap::new();
    let mut add = |dir: &Path, host_prefix: &str, want_tty: bool| {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if want_tty && !name.starts_with("tty") {
                continue;
            }
            if let Ok(md) = std::fs::metadata(e.path()) {
                map.insert(md.rdev(), format!("{host_prefix}{name}"));
            }
        }
    };
    add(dev, "/dev/", true);
    add(&dev.join("pts"), "/dev/pts/", false);
    map
}

/// tty_nr (stat#7) to a `/dev` path, with the map of `/dev/tty*` and `/dev/pts/*`
/// rebuilt on a miss (psutil 8.0, #2830); 0 means no terminal.
pub(crate) fn tty_name(root: &Root, tty_nr: i64) -> Option<String> {
    if tty_nr <= 0 {
        return None;
    }
    let key = tty_nr as u64;
    let dev = root.dev().to_path_buf();
    let mut guard = TTYS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((d, map)) = guard.as_ref() {
        if *d == dev {
            if let Some(n) = map.get(&key) {
                return Some(n.clone());
            }
        }
    }
    let map = build_tty_map(&dev);
    let out = map.get(&key).cloned();
    *guard = Some((dev, map));
    out
}

/// The numeric entries of `<pid>/<dir>` (fd or task), as (text, number).
pub(crate) fn list_numeric(root: &Root, pid: u32, dir: &str) -> Result<Vec<(String, u32)>> {
    let path = pid_path(root, pid, dir);
    let rd = std::fs::read_dir(&path).map_err(|e| translate(root, pid, Error::io(&path, e)))?;
    let mut out = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Ok(n) = name.parse() {
            out.push((name, n));
        }
    }
    Ok(out)
}

/// psutil `num_fds`: the number of entries of `<pid>/fd`.
pub(crate) fn num_fds(root: &Root, pid: u32) -> Result<usize> {
    Ok(list_numeric(root, pid, "fd")?.len())
}

/// After a listing in which some entry vanished: NoSuchProcess if the process is gone.
fn check_gone(root: &Root, pid: u32) -> Result<()> {
    if pid_path(root, pid, "").exists() {
        Ok(())
    } else {
        Err(no_such_process(pid, "process no longer exists"))
    }
}

/// psutil `threads`: `task/*` sorted as strings, user and system time of each;
/// vanished threads skipped.
pub(crate) fn threads(root: &Root, pid: u32, tck: f64) -> Result<Vec<(u32, f64, f64)>> {
    let mut tids = list_numeric(root, pid, "task")?;
    tids.sort();
    let mut out = Vec::with_capacity(tids.len());
    let mut vanished = false;
    for (name, tid) in tids {
        let path = pid_path(root, pid, &format!("task/{name}/stat"));
        match with_bytes(&path, |b| {
            parse::parse_stat(b)
                .map(|s| (s.utime, s.stime))
                .map_err(|m| Error::parse(&path, m))
        }) {
            Ok((u, s)) => out.push((tid, u as f64 / tck, s as f64 / tck)),
            Err(e)
                if matches!(
                    errno(&e),
                    Some(libc_errno::ENOENT) | Some(libc_errno::ESRCH)
                ) =>
            {
                vanished = true
            }
            Err(e) => return Err(translate(root, pid, e)),
        }
    }
    if vanished {
        check_gone(root, pid)?;
    }
    Ok(out)
}

/// What reading one `<pid>/fd/<n>` link gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FdLink {
    /// The link's target.
    Target(Box<[u8]>),
    /// The fd was closed between the listing and the read.
    Vanished,
    /// Not a link, or a target too long to read (psutil skips these).
    Unreadable,
}

/// A process's `fd` directory read once: each fd, in listing order, with its
/// link. `num_fds`, `open_files` and `net_connections` all read this directory;
/// inside one oneshot scope they share one read (see `Process::fd_table`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FdTable {
    pub entries: Vec<(i32, FdLink)>,
}

impl FdTable {
    /// (socket inode, fd) of each socket, in fd order.
    pub(crate) fn sockets(&self) -> Vec<(u64, i32)> {
        let mut out: Vec<(u64, i32)> = self
            .entries
            .iter()
            .filter_map(|(fd, l)| match l {
                FdLink::Target(t) => socket_inode(t).map(|i| (i, *fd)),
                _ => None,
            })
            .collect();
        // procfs lists fds in ascending order; other trees (fixtures) may not.
        out.sort_unstable_by_key(|&(_, fd)| fd);
        out
    }
}

/// Reads `<pid>/fd` and every link in it: one open of the directory, its
/// entries from getdents64, each link read with readlinkat relative to it (no
/// path walk per fd).
pub(crate) fn fd_table(root: &Root, pid: u32) -> Result<FdTable> {
    use rustix::fs::{openat, Mode, OFlags, CWD};
    use rustix::io::Errno;
    use std::mem::MaybeUninit;
    let dir = pid_path(root, pid, "fd");
    let fail = |e: Errno| {
        let e = std::io::Error::from_raw_os_error(e.raw_os_error());
        translate(root, pid, Error::io(&dir, e))
    };
    let fdfd = openat(
        CWD,
        &dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(fail)?;
    let mut buf = vec![MaybeUninit::<u8>::uninit(); 16 * 1024];
    // A link target is at most PATH_MAX - 1 bytes (procfs renders it into a
    // PATH_MAX buffer, a symlink holds no more), so a full buffer cannot happen
    // there; elsewhere it would be a cut target, which is left out.
    const PATH_MAX: usize = 4096;
    let mut link = vec![0u8; PATH_MAX];
    let mut entries = Vec::new();
    let procfs = crate::linux::fs::kernel_fs(&dir);
    walk_fd_dir(&fdfd, procfs, &mut buf, &mut link, |fd, target| {
        let l = match target {
            Ok(t) if t.len() < PATH_MAX => FdLink::Target(t.into()),
            Ok(_) => FdLink::Unreadable,
            Err(Errno::NOENT | Errno::SRCH) => FdLink::Vanished,
            Err(Errno::INVAL | Errno::NAMETOOLONG) => FdLink::Unreadable,
            Err(e) => return Err(e),
        };
        entries.push((fd, l));
        Ok(())
    })
    .map_err(fail)?;
    Ok(FdTable { entries })
}

/// One open regular file: (path, fd, position, flags).
pub(crate) type RawOpenFile = (String, i32, u64, u32);

/// psutil `open_files` over a read of the fd directory: fds whose link is an
/// absolute path to a regular file, with position and flags from fdinfo;
/// vanished fds skipped.
pub(crate) fn open_files(root: &Root, pid: u32, fds: &FdTable) -> Result<Vec<RawOpenFile>> {
    let mut out = Vec::new();
    let mut vanished = false;
    for (fd, link) in &fds.entries {
        let link = match link {
            FdLink::Target(t) => t,
            FdLink::Vanished => {
                vanished = true;
                continue;
            }
            FdLink::Unreadable => continue,
        };
        let text = parse::lossy(link);
        if !text.starts_with('/') {
            continue;
        }
        // psutil's isfile_strict: stat the path; EPERM/EACCES propagate, any other
        // error means "not a regular file".
        match std::fs::metadata(root.map_host_path(Path::new(&text))) {
            Ok(md) if md.is_file() => {}
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(super::access_denied(pid));
            }
            Err(_) => continue,
        }
        let info = pid_path(root, pid, &format!("fdinfo/{fd}"));
        match with_bytes(&info, |b| {
            parse::parse_fdinfo(b).map_err(|m| Error::parse(&info, m))
        }) {
            Ok((pos, flags)) => out.push((text, *fd, pos, flags)),
            Err(e)
                if matches!(
                    errno(&e),
                    Some(libc_errno::ENOENT) | Some(libc_errno::ESRCH)
                ) =>
            {
                vanished = true
            }
            Err(e) => return Err(translate(root, pid, e)),
        }
    }
    if vanished {
        check_gone(root, pid)?;
    }
    Ok(out)
}

/// (pid, ppid, starttime) of every process, from stat; vanished pids skipped,
/// EACCES is AccessDenied (psutil #2528).
pub(crate) fn ppid_table(root: &Root) -> Result<Vec<(u32, u32, u64)>> {
    let mut out = Vec::new();
    for pid in super::pids(root)? {
        let path = pid_path(root, pid, "stat");
        match with_bytes(&path, |b| {
            Ok(parse::parse_stat(b).ok().map(|s| (s.ppid, s.starttime)))
        }) {
            Ok(Some((ppid, start))) => out.push((pid, ppid, start)),
            Ok(None) => {}
            Err(e)
                if matches!(
                    errno(&e),
                    Some(libc_errno::EACCES) | Some(libc_errno::EPERM)
                ) =>
            {
                return Err(super::access_denied(pid))
            }
            Err(_) => {}
        }
    }
    Ok(out)
}
