//! Per-process /proc files: pure parsers ([`parse`]), psutil's error translation
//! (§3.2) and the readers the public `Process` calls.

pub(crate) mod files;
pub(crate) mod parse;
pub(crate) mod scan;

use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::linux::fs::with_bytes;
use crate::root::Root;

/// `{proc}/<pid>/<rel>`.
pub(crate) fn pid_path(root: &Root, pid: u32, rel: &str) -> PathBuf {
    let mut p = root.proc_path(pid.to_string());
    if !rel.is_empty() {
        p.push(rel);
    }
    p
}

pub(crate) fn no_such_process(pid: u32, msg: &str) -> Error {
    Error::NoSuchProcess {
        pid,
        name: None,
        msg: msg.into(),
    }
}

pub(crate) fn zombie(pid: u32) -> Error {
    Error::ZombieProcess {
        pid,
        name: None,
        ppid: None,
        msg: "PID still exists but it's a zombie".into(),
    }
}

pub(crate) fn access_denied(pid: u32) -> Error {
    Error::AccessDenied {
        pid: Some(pid),
        name: None,
        msg: String::new(),
    }
}

/// True when stat says the process is a zombie (state `Z`).
pub(crate) fn is_zombie(root: &Root, pid: u32) -> bool {
    with_bytes(&pid_path(root, pid, "stat"), |b| {
        Ok(parse::stat_state(b) == Some(b'Z'))
    })
    .unwrap_or(false)
}

/// psutil's `wrap_exceptions`: EPERM/EACCES → AccessDenied; ESRCH → ZombieProcess
/// or NoSuchProcess; ENOENT → ZombieProcess for a zombie, NoSuchProcess when
/// `<pid>/stat` is gone (#2418), else the original error.
pub(crate) fn translate(root: &Root, pid: u32, err: Error) -> Error {
    let Error::Io { source, .. } = &err else {
        return err;
    };
    match source.raw_os_error() {
        Some(libc_errno::EPERM) | Some(libc_errno::EACCES) => access_denied(pid),
        Some(libc_errno::ESRCH) => {
            if is_zombie(root, pid) {
                zombie(pid)
            } else {
                no_such_process(pid, "process no longer exists")
            }
        }
        _ if source.kind() == io::ErrorKind::NotFound => {
            if is_zombie(root, pid) {
                zombie(pid)
            } else if !pid_path(root, pid, "stat").exists() {
                no_such_process(pid, "process no longer exists")
            } else {
                err
            }
        }
        _ => err,
    }
}

/// errno values used by the translation (Linux, every architecture).
pub(crate) mod libc_errno {
    pub const EPERM: i32 = 1;
    pub const ENOENT: i32 = 2;
    pub const ESRCH: i32 = 3;
    pub const EACCES: i32 = 13;
}

/// Reads `<pid>/<rel>` and parses it, translating errors the psutil way.
pub(crate) fn read_pid_file<T>(
    root: &Root,
    pid: u32,
    rel: &str,
    parse: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let path = pid_path(root, pid, rel);
    use crate::linux::fs::{with_buf, Shape, LARGE, SMALL};
    // The files that grow with the process get the large cap; smaps is read in
    // steps that keep the kernel from walking a mapping twice (see linux::fs).
    let (cap, shape) = match rel {
        "smaps" => (LARGE, Shape::Walked),
        "maps" | "cmdline" | "environ" => (LARGE, Shape::Records),
        _ => (SMALL, Shape::Records),
    };
    with_buf(&path, cap, shape, parse).map_err(|e| translate(root, pid, e))
}

/// Wraps a parser's message as a parse error on `<pid>/<rel>`.
pub(crate) fn parse_err(root: &Root, pid: u32, rel: &str, msg: impl std::fmt::Display) -> Error {
    Error::parse(pid_path(root, pid, rel), msg)
}

pub(crate) fn readlink_path(path: &Path) -> Result<Vec<u8>> {
    use std::os::unix::ffi::OsStringExt;
    std::fs::read_link(path)
        .map(|p| p.into_os_string().into_vec())
        .map_err(|e| Error::io(path, e))
}

/// The raw errno of an `Error::Io`.
pub(crate) fn errno(e: &Error) -> Option<i32> {
    match e {
        Error::Io { source, .. } => source.raw_os_error().or(match source.kind() {
            io::ErrorKind::NotFound => Some(libc_errno::ENOENT),
            io::ErrorKind::PermissionDenied => Some(libc_errno::EACCES),
            _ => None,
        }),
        _ => None,
    }
}

/// True when `host` (an absolute path as the kernel shows it) exists, seen
/// through the root.
pub(crate) fn host_path_exists(root: &Root, host: &str) -> bool {
    root.map_host_path(Path::new(host)).exists()
}

/// psutil's rule for a ` (deleted)` suffix (exe, memory maps): removed only when
/// the path with the suffix does not exist.
pub(crate) fn strip_deleted(root: &Root, path: String) -> String {
    match path.strip_suffix(" (deleted)") {
        Some(stripped) if !host_path_exists(root, &path) => stripped.to_string(),
        _ => path,
    }
}

/// The numeric entries of the procfs directory, sorted (psutil `pids()`).
pub(crate) fn pids(root: &Root) -> Result<Vec<u32>> {
    let dir = root.proc();
    let mut out: Vec<u32> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name();
            let b = name.as_encoded_bytes();
            if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(b).ok()?.parse().ok()
        })
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// psutil `pid_exists`: kill(pid, 0) then the Tgid rule (thread ids are not pids).
pub(crate) fn pid_exists(root: &Root, pid: u32) -> Result<bool> {
    if pid == 0 {
        return Ok(pids(root)?.contains(&0));
    }
    if root.is_host() {
        let Some(p) = rustix::process::Pid::from_raw(pid as i32) else {
            return Ok(false);
        };
        match rustix::process::test_kill_process(p) {
            Ok(()) => {}
            Err(rustix::io::Errno::SRCH) => return Ok(false),
            Err(rustix::io::Errno::PERM) => {}
            Err(e) => return Err(Error::io("kill", e.into())),
        }
    }
    match with_bytes(&pid_path(root, pid, "status"), |b| {
        Ok(parse::parse_status(b).tgid)
    }) {
        Ok(Some(tgid)) => Ok(tgid == pid),
        _ => Ok(pids(root)?.contains(&pid)),
    }
}
