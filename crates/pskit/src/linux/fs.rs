//! The thin reading layer: every /proc and /sys read goes through here.
//!
//! Files are read whole, in one pass, into a per-thread buffer that is reused across
//! calls (psutil reads with a 32 KiB buffer for the same reason: a /proc file read in
//! small pieces can come back inconsistent, psutil #708/#2050).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::error::{Error, Result};

const CHUNK: usize = 32 * 1024;

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
    let mut buf = BUF.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let out = match read_into(path, &mut buf) {
        Ok(n) => parse(&buf[..n]),
        Err(e) => Err(Error::io(path, e)),
    };
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
/// (/proc files report size 0 anyway).
fn read_into(path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut f = File::open(path)?;
    if buf.len() < CHUNK {
        buf.resize(CHUNK, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match f.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Reads a small file (a sysfs attribute) into an owned, trimmed string.
pub(crate) fn read_trimmed(path: &Path) -> Result<String> {
    with_text(path, |s| Ok(s.trim().to_string()))
}

/// Reads a sysfs attribute that holds one integer.
pub(crate) fn read_int<T: std::str::FromStr>(path: &Path) -> Result<T> {
    with_text(path, |s| {
        s.trim()
            .parse()
            .map_err(|_| Error::parse(path, format!("expected an integer, found {:?}", s.trim())))
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
