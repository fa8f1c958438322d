//! Small reads of /proc and /sys files the way node_exporter's procfs
//! library does them, through pskit's capped, non-blocking readers.

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// A sysfs attribute as procfs' `SysReadFile` reads it: at most the first
/// 128 bytes, surrounding whitespace trimmed.
///
/// ```
/// let root = pskit::Root::current();
/// let v = pskit_serve::node::sysread::sys_read_file(&root.proc().join("sys/kernel/ostype")).unwrap();
/// assert_eq!(v, "Linux");
/// ```
pub fn sys_read_file(path: &Path) -> pskit::Result<String> {
    pskit::fs::with_text(path, |t| {
        let mut end = t.len().min(128);
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        Ok(t[..end].trim().to_string())
    })
}

/// The whole file with surrounding whitespace trimmed, as an unsigned
/// integer (procfs' `ReadUintFromFile`).
///
/// ```
/// let root = pskit::Root::current();
/// assert!(pskit_serve::node::sysread::read_uint(&root.proc().join("sys/kernel/pid_max")).unwrap() > 300);
/// ```
pub fn read_uint(path: &Path) -> pskit::Result<u64> {
    pskit::fs::with_text(path, |t| {
        let t = t.trim();
        t.parse()
            .map_err(|_| pskit::Error::parse(path, format!("not an unsigned integer: {t:?}")))
    })
}

/// The whole file with surrounding whitespace trimmed, as a signed integer
/// (procfs' `ReadIntFromFile`).
///
/// ```
/// let root = pskit::Root::current();
/// assert!(pskit_serve::node::sysread::read_int(&root.proc().join("sys/kernel/pid_max")).unwrap() > 300);
/// ```
pub fn read_int(path: &Path) -> pskit::Result<i64> {
    pskit::fs::with_text(path, |t| {
        let t = t.trim();
        t.parse()
            .map_err(|_| pskit::Error::parse(path, format!("not an integer: {t:?}")))
    })
}

/// The OS error number of a pskit I/O error (ENOENT, EACCES, ENODATA…).
///
/// ```
/// let e = pskit::fs::read_trimmed(std::path::Path::new("/nonexistent/x")).unwrap_err();
/// assert_eq!(pskit_serve::node::sysread::errno(&e), Some(2));
/// ```
pub fn errno(e: &pskit::Error) -> Option<i32> {
    match e {
        pskit::Error::Io { source, .. } => source.raw_os_error(),
        _ => None,
    }
}

/// Whether the error is "no such file" or "permission denied", which
/// node_exporter treats as an attribute this kernel or user does not have.
///
/// ```
/// let e = pskit::fs::read_trimmed(std::path::Path::new("/nonexistent/x")).unwrap_err();
/// assert!(pskit_serve::node::sysread::is_absent(&e));
/// ```
pub fn is_absent(e: &pskit::Error) -> bool {
    matches!(errno(e), Some(2) | Some(13) | Some(1))
        || matches!(e, pskit::Error::Io { source, .. }
            if matches!(source.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied))
}

/// The entries of `dir` named `prefix` then a digit then anything (the
/// glob `prefix[0-9]*`), sorted by name as Go's `filepath.Glob` sorts them
/// (`cpu10` before `cpu2`). A missing or unreadable directory has none.
///
/// ```
/// let root = pskit::Root::current();
/// let cpus = pskit_serve::node::sysread::glob_numbered(&root.sys().join("devices/system/cpu"), "cpu");
/// assert!(!cpus.is_empty());
/// ```
pub fn glob_numbered(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_prefix(prefix))
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            })
            .map(|e| e.path())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// A file name's text (lossy), for labels.
///
/// ```
/// assert_eq!(pskit_serve::node::sysread::base_name(std::path::Path::new("/sys/x/cpu3")), "cpu3");
/// ```
pub fn base_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A sysfs directory held open, so that its attribute files are opened
/// relative to it: one path walk for the directory (through the
/// `/sys/class/net/<dev>` symlink), then one component per file, where a
/// full path per file walks the symlink again each time. This is most of
/// the kernel's work for netclass, which reads some 20 files per device.
///
/// ```
/// let root = pskit::Root::current();
/// let d = pskit_serve::node::sysread::SysDir::open(&root.sys().join("kernel")).unwrap();
/// assert!(d.regular_files().unwrap().iter().any(|n| n == "uevent_seqnum"));
/// let mut buf = [0u8; 128];
/// let n = d.read_attr("uevent_seqnum", &mut buf).unwrap();
/// assert!(std::str::from_utf8(&buf[..n]).unwrap().trim().parse::<u64>().is_ok());
/// ```
#[derive(Debug)]
pub struct SysDir {
    fd: OwnedFd,
    path: PathBuf,
}

impl SysDir {
    /// Opens the directory (following a symlink to it, as a path would).
    pub fn open(path: &Path) -> pskit::Result<SysDir> {
        use rustix::fs::{openat, Mode, OFlags, CWD};
        let fd = openat(
            CWD,
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io_err(path, e))?;
        Ok(SysDir {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The names of its regular files (from the directory entries' types,
    /// as Go's `ReadDir` gives them: symlinks and subdirectories left out).
    pub fn regular_files(&self) -> pskit::Result<Vec<String>> {
        use rustix::fs::{Dir, FileType};
        let err = |e| io_err(&self.path, e);
        let mut out = Vec::new();
        for e in Dir::read_from(&self.fd).map_err(err)? {
            let e = e.map_err(err)?;
            if e.file_type() == FileType::RegularFile {
                out.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(out)
    }

    /// Which of `wanted` (at most 64 names) are regular files in it, as a
    /// bit mask (bit `i` for `wanted[i]`), read from the directory entries'
    /// types without allocating a name.
    ///
    /// ```
    /// let root = pskit::Root::current();
    /// let d = pskit_serve::node::sysread::SysDir::open(&root.sys().join("kernel")).unwrap();
    /// assert_eq!(d.regular_among(&["uevent_seqnum", "nosuch", "mm"]).unwrap(), 0b001);
    /// ```
    pub fn regular_among(&self, wanted: &[&str]) -> pskit::Result<u64> {
        use rustix::fs::{Dir, FileType};
        let err = |e| io_err(&self.path, e);
        let mut mask = 0u64;
        for e in Dir::read_from(&self.fd).map_err(err)? {
            let e = e.map_err(err)?;
            if e.file_type() != FileType::RegularFile {
                continue;
            }
            let name = e.file_name().to_bytes();
            if let Some(i) = wanted.iter().take(64).position(|w| w.as_bytes() == name) {
                mask |= 1 << i;
            }
        }
        Ok(mask)
    }

    /// One read of at most `buf.len()` bytes of the file `name` in it, as
    /// procfs' `SysReadFile` does (128 bytes there); opened without blocking,
    /// so a FIFO planted in a hostile tree cannot hang the scrape, and never
    /// more than one bounded read.
    pub fn read_attr(&self, name: &str, buf: &mut [u8]) -> pskit::Result<usize> {
        use rustix::fs::{openat, Mode, OFlags};
        let path = || self.path.join(name);
        let fd = openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io_err(&path(), e))?;
        loop {
            match rustix::io::read(&fd, &mut *buf) {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(io_err(&path(), e)),
            }
        }
    }
}

/// A syscall's error as pskit's I/O error naming the path.
fn io_err(path: &Path, e: rustix::io::Errno) -> pskit::Error {
    pskit::Error::Io {
        path: path.to_path_buf(),
        source: e.into(),
    }
}
