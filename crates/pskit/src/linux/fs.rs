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

/// How the kernel writes a file, which decides how it is best read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    /// Records until the end of the file, read in reads as large as the buffer.
    Records,
    /// A procfs `single_open` file (meminfo, stat), written in one go: a read
    /// that does not fill the buffer has it all, so the read that would only
    /// confirm the end is skipped. (A multi-record seq_file may stop short before
    /// its end: never use this there.)
    Single,
    /// A seq_file whose records are costly to write: `<pid>/smaps`, whose every
    /// record walks a mapping's page tables. Per read, the kernel fills a
    /// page-sized buffer with whole records and throws away the one that
    /// overflows it, to write it again on the next read: about one record in
    /// five, walked twice. Reads of [`WALK_STEP`] bytes stop the kernel before
    /// that overflow, so no record under a KiB is written twice. Measured on
    /// this process's smaps: 12 % less time than reads of a page or more.
    Walked,
}

/// The read size for [`Shape::Walked`]: three quarters of a 4 KiB page, leaving
/// room for one more record of up to a KiB (smaps records are 0.7-0.9 KiB).
const WALK_STEP: usize = 3 * 1024;

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

/// Like [`with_text`] for a file the kernel writes in one go ([`Shape::Single`]).
pub(crate) fn with_text_single<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    with_buf(path, SMALL, Shape::Single, |bytes| {
        parse(&String::from_utf8_lossy(bytes))
    })
}

/// Like [`with_text`] for the files that grow with the machine ([`LARGE`] cap).
pub(crate) fn with_text_large<T>(path: &Path, parse: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    with_bytes_cap(path, LARGE, |bytes| parse(&String::from_utf8_lossy(bytes)))
}

/// Like [`with_bytes`], with the size cap `cap`.
fn with_bytes_cap<T>(path: &Path, cap: usize, parse: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
    with_buf(path, cap, Shape::Records, parse)
}

/// Reads `path`, a file of the given [`Shape`], into the thread's reused buffer
/// and parses it.
pub(crate) fn with_buf<T>(
    path: &Path,
    cap: usize,
    shape: Shape,
    parse: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let mut buf = BUF.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let out = match read_into(path, &mut buf, cap, shape) {
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
/// (/proc files report size 0 anyway). How much each read asks for, and whether
/// a short read ends the file, follow its [`Shape`].
fn read_into(path: &Path, buf: &mut Vec<u8>, cap: usize, shape: Shape) -> io::Result<usize> {
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
        let end = match shape {
            Shape::Walked => buf.len().min(filled + WALK_STEP),
            Shape::Records | Shape::Single => buf.len(),
        };
        match f.read(&mut buf[filled..end]) {
            Ok(0) => return Ok(filled),
            Ok(n) => {
                filled += n;
                if shape == Shape::Single && filled < buf.len() {
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

    #[test]
    fn every_shape_reads_the_whole_file() {
        let dir = std::env::temp_dir().join(format!("pskit-fs-shape-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Past the 32 KiB first buffer, and not a multiple of WALK_STEP.
        let text: Vec<u8> = (0..100_003u32).map(|i| b'a' + (i % 26) as u8).collect();
        let path = dir.join("big");
        std::fs::write(&path, &text).unwrap();
        for shape in [Shape::Records, Shape::Walked] {
            let got = with_buf(&path, LARGE, shape, |b| Ok(b.to_vec())).unwrap();
            assert_eq!(got, text, "{shape:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn smaps_read_in_steps_is_whole_records() {
        // A live seq_file read in WALK_STEP pieces: every mapping header has its
        // value lines (no record lost or cut at a step boundary).
        let path = Path::new("/proc/self/smaps");
        let n = with_buf(path, LARGE, Shape::Walked, |b| {
            let text = String::from_utf8_lossy(b);
            // Value lines start with a capital ("Rss:"), headers with a hex digit.
            let headers = text
                .lines()
                .filter(|l| !l.starts_with(|c: char| c.is_ascii_uppercase()))
                .count();
            let rss = text.lines().filter(|l| l.starts_with("Rss:")).count();
            assert_eq!(headers, rss, "{text}");
            Ok(headers)
        })
        .unwrap();
        assert!(n > 3);
    }
}
