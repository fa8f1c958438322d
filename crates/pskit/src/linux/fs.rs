//! The thin reading layer: every /proc and /sys read goes through here.
//!
//! Files are read whole, in one pass, into a per-thread buffer that is reused across
//! calls (psutil reads with a 32 KiB buffer for the same reason: a /proc file read in
//! small pieces can come back inconsistent, psutil #708/#2050).
//!
//! Reads cannot hang or explode, whatever the root points at:
//! - every file is opened with `O_NONBLOCK`, so a FIFO or a terminal placed where a
//!   /proc file is expected cannot block the open or the read;
//! - below a root that is not the kernel's own procfs or sysfs (a fixture tree, a
//!   host root mounted in a container: anything but `/proc` and `/sys` verified
//!   once by their statfs magic) a file must be a regular file (one fstat);
//! - every read has a size cap: [`SMALL`] (16 MiB) for almost everything, since
//!   procfs and sysfs files are a few KiB at most, and [`LARGE`] (512 MiB) for the
//!   files that grow with the machine: `<pid>/smaps`, `maps`, `cmdline`, `environ`
//!   and the `/proc/net` socket tables. Past the cap the read fails with a clear
//!   error naming the path (a `/dev/zero` linked in as meminfo, say).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, Result};

const CHUNK: usize = 32 * 1024;

/// The size cap of ordinary procfs/sysfs reads.
pub(crate) const SMALL: usize = 16 << 20;
/// The size cap of the files that grow with the machine (see the module docs).
pub(crate) const LARGE: usize = 512 << 20;
/// A thread keeps its read buffer between calls only up to this size.
const KEEP: usize = 1 << 20;

/// True when `dir` is the host's own `/proc` or `/sys` and is really procfs or
/// sysfs (checked once per process). Files there are the kernel's: regular files
/// whatever a hostile tree could hold elsewhere.
pub(crate) fn kernel_fs(dir: &Path) -> bool {
    static PROC: OnceLock<bool> = OnceLock::new();
    static SYS: OnceLock<bool> = OnceLock::new();
    const PROC_SUPER_MAGIC: u64 = 0x9fa0;
    const SYSFS_MAGIC: u64 = 0x6265_6572;
    let magic = |p: &str, want: u64| rustix::fs::statfs(p).is_ok_and(|s| s.f_type as u64 == want);
    if dir.starts_with("/proc") {
        *PROC.get_or_init(|| magic("/proc", PROC_SUPER_MAGIC))
    } else if dir.starts_with("/sys") {
        *SYS.get_or_init(|| magic("/sys", SYSFS_MAGIC))
    } else {
        false
    }
}

thread_local! {
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reads `path` whole into the reused buffer and hands its text to `parse`.
///
/// Non-UTF-8 bytes are replaced (the files read this way are ASCII by kernel
/// contract); the buffer is taken out of the thread-local while in use, so a nested
/// call simply gets a fresh one.
pub(crate) fn with_text<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    with_bytes(path, |bytes| parse(&String::from_utf8_lossy(bytes)))
}

/// Like [`with_text`], with the raw bytes.
pub(crate) fn with_bytes<T>(path: &Path, parse: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
    with_bytes_cap(path, SMALL, parse)
}

/// Like [`with_text`] for a file the kernel writes in one go (procfs
/// `single_open` files: meminfo, stat): a read that does not fill the buffer
/// has it all, so the read that would only confirm the end is skipped. (A
/// multi-record seq_file may stop short before its end: never use this there.)
pub(crate) fn with_text_single<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    with_buf(path, SMALL, true, |bytes| {
        parse(&String::from_utf8_lossy(bytes))
    })
}

/// Like [`with_text`] for the files that grow with the machine ([`LARGE`] cap).
pub(crate) fn with_text_large<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    with_bytes_cap(path, LARGE, |bytes| parse(&String::from_utf8_lossy(bytes)))
}

/// Like [`with_bytes`], with the size cap `cap`.
pub(crate) fn with_bytes_cap<T>(
    path: &Path,
    cap: usize,
    parse: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    with_buf(path, cap, false, parse)
}

/// Reads `path` into the thread's reused buffer and parses it (`single`: see
/// [`with_text_single`]).
fn with_buf<T>(
    path: &Path,
    cap: usize,
    single: bool,
    parse: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let mut buf = BUF.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let out = match read_into(path, &mut buf, cap, single) {
        Ok(n) => parse(&buf[..n]),
        Err(e) => Err(Error::io(path, e)),
    };
    if buf.len() > KEEP {
        // A rare big file (smaps of a large process): do not keep its buffer.
        buf = Vec::new();
    }
    BUF.with(|b| {
        let mut slot = b.borrow_mut();
        if slot.len() < buf.len() {
            *slot = buf;
        }
    });
    out
}

/// Reads a whole file into `buf`, returning the number of bytes read.
///
/// `buf` is kept fully initialised (its length is its usable size) and is only
/// grown, never cleared, so reuse costs nothing. A plain read loop is used rather
/// than `read_to_end`, which adds a statx and an lseek per file to size its buffer
/// (/proc files report size 0 anyway). With `single`, a short read ends it (see
/// [`with_text_single`]).
fn read_into(path: &Path, buf: &mut Vec<u8>, cap: usize, single: bool) -> io::Result<usize> {
    let mut f = open_checked(path)?;
    if buf.len() < CHUNK {
        buf.resize(CHUNK, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            if filled >= cap {
                return Err(too_large(cap));
            }
            buf.resize((buf.len() * 2).min(cap.max(1)), 0);
        }
        match f.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => {
                filled += n;
                if single && filled < buf.len() {
                    return Ok(filled);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Opens `path` for reading without blocking, refusing anything but a regular
/// file outside the kernel's own procfs and sysfs.
pub(crate) fn open_checked(path: &Path) -> io::Result<File> {
    // rustix's openat is the bare syscall with O_CLOEXEC; std's File::open on
    // musl adds an fcntl(F_SETFD) per file, one syscall in four of a scrape.
    use rustix::fs::{openat, Mode, OFlags, CWD};
    let f = File::from(openat(
        CWD,
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?);
    if !kernel_fs(path) {
        ensure_regular(&f)?;
    }
    Ok(f)
}

/// One fstat: an error naming what `fd` is when it is not a regular file (a FIFO
/// or a device where a /proc or /sys file was expected).
pub(crate) fn ensure_regular(fd: impl AsFd) -> io::Result<()> {
    use rustix::fs::FileType;
    let what = match FileType::from_raw_mode(rustix::fs::fstat(fd)?.st_mode) {
        FileType::RegularFile => return Ok(()),
        FileType::Fifo => "a FIFO",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Socket => "a socket",
        FileType::Directory => "a directory",
        _ => "something else",
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{what} where a regular file was expected"),
    ))
}

/// The error for a file past its size cap.
pub(crate) fn too_large(cap: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than the {} MiB this file may hold", cap >> 20),
    )
}

/// Reads a small file (a sysfs attribute) into an owned, trimmed string.
pub(crate) fn read_trimmed(path: &Path) -> Result<String> {
    with_text(path, |s| Ok(s.trim().to_string()))
}

/// Reads a sysfs attribute that holds one integer.
pub(crate) fn read_int<T: std::str::FromStr>(path: &Path) -> Result<T> {
    with_text(path, |s| {
        s.trim().parse().map_err(|_| {
            Error::parse(
                path,
                format!(
                    "expected an integer, found {}",
                    crate::error::excerpt(s.trim().as_bytes())
                ),
            )
        })
    })
}

/// True when an error says the file or directory does not exist.
pub(crate) fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_the_path() {
        let err = with_text(Path::new("/nonexistent/pskit/meminfo"), |_| Ok(())).unwrap_err();
        assert!(is_not_found(&err));
        assert!(err.to_string().contains("/nonexistent/pskit/meminfo"));
    }

    #[test]
    fn nested_reads_do_not_clash() {
        let dir = std::env::temp_dir().join(format!("pskit-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::write(&a, "outer").unwrap();
        std::fs::write(&b, "x".repeat(100_000)).unwrap();
        let got = with_text(&a, |outer| {
            let inner = with_text(&b, |s| Ok(s.len())).unwrap();
            Ok((outer.to_string(), inner))
        })
        .unwrap();
        assert_eq!(got, ("outer".to_string(), 100_000));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
