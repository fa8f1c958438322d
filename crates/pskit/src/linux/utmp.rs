//! The utmp file: a parser for glibc's `struct utmp` records, and the reader.
//!
//! Written by hand because no maintained crate parses utmp from a file path of our
//! choosing (the `utmp-rs` crate is unmaintained; libc's getutxent reads only the
//! system file), and the root setting must apply.

use crate::error::Result;
use crate::host::User;
use crate::linux::fs::{is_not_found, with_bytes};
use crate::root::Root;

/// glibc x86_64/aarch64 `struct utmp` layout (the on-disk format, 384 bytes).
const RECORD: usize = 384;
const USER_PROCESS: i16 = 7;
const OFF_TYPE: usize = 0;
const OFF_PID: usize = 4;
const OFF_LINE: usize = 8; // [32]
const OFF_USER: usize = 44; // [32]
const OFF_HOST: usize = 76; // [256]
const OFF_TV_SEC: usize = 340; // i32 (the file keeps 32-bit times)

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn i32_at(b: &[u8], off: usize) -> i32 {
    i32::from_ne_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

const OFF_ID: usize = 40; // [4]
const OFF_EXIT: usize = 332; // two i16: termination, exit
const OFF_SESSION: usize = 336; // i32
const OFF_TV_USEC: usize = 344; // i32

/// Every record, whatever its type (beyond psutil: what `who -a` shows). A
/// trailing partial record is ignored.
pub(crate) fn parse_records(data: &[u8]) -> Vec<crate::host::UtmpRecord> {
    data.chunks_exact(RECORD)
        .map(|r| crate::host::UtmpRecord {
            kind: i16::from_ne_bytes([r[OFF_TYPE], r[OFF_TYPE + 1]]),
            pid: i32_at(r, OFF_PID),
            line: cstr(&r[OFF_LINE..OFF_LINE + 32]),
            id: cstr(&r[OFF_ID..OFF_ID + 4]),
            user: cstr(&r[OFF_USER..OFF_USER + 32]),
            host: cstr(&r[OFF_HOST..OFF_HOST + 256]),
            exit_termination: i16::from_ne_bytes([r[OFF_EXIT], r[OFF_EXIT + 1]]),
            exit_status: i16::from_ne_bytes([r[OFF_EXIT + 2], r[OFF_EXIT + 3]]),
            session: i32_at(r, OFF_SESSION),
            sec: i32_at(r, OFF_TV_SEC),
            usec: i32_at(r, OFF_TV_USEC),
        })
        .collect()
}

/// All records of `path`, or of the system's utmp file when `None` (no file:
/// no records).
pub(crate) fn records(
    root: &Root,
    path: Option<&std::path::Path>,
) -> Result<Vec<crate::host::UtmpRecord>> {
    if let Some(p) = path {
        return with_bytes(p, |b| Ok(parse_records(b)));
    }
    for path in [root.run().join("utmp"), root.var().join("run/utmp")] {
        match with_bytes(&path, |b| Ok(parse_records(b))) {
            Ok(r) => return Ok(r),
            Err(e) if is_not_found(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(Vec::new())
}

/// Parses utmp records, keeping `USER_PROCESS` entries as psutil does. A trailing
/// partial record (a file being written) is ignored.
pub(crate) fn parse_utmp(data: &[u8]) -> Vec<User> {
    data.chunks_exact(RECORD)
        .filter(|r| i16::from_ne_bytes([r[OFF_TYPE], r[OFF_TYPE + 1]]) == USER_PROCESS)
        .map(|r| {
            let line = cstr(&r[OFF_LINE..OFF_LINE + 32]);
            let host = cstr(&r[OFF_HOST..OFF_HOST + 256]);
            User {
                name: cstr(&r[OFF_USER..OFF_USER + 32]),
                terminal: (!line.is_empty()).then_some(line),
                host: match host.as_str() {
                    "" | ":0" | ":0.0" => "localhost".to_string(),
                    _ => host,
                },
                started: f64::from(i32_at(r, OFF_TV_SEC)),
                pid: u32::try_from(i32_at(r, OFF_PID)).unwrap_or(0),
            }
        })
        .collect()
}

pub(crate) fn users(root: &Root) -> Result<Vec<User>> {
    for path in [root.run().join("utmp"), root.var().join("run/utmp")] {
        match with_bytes(&path, |b| Ok(parse_utmp(b))) {
            Ok(users) => return Ok(users),
            Err(e) if is_not_found(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(Vec::new())
}

/// Builds one utmp record (for tests and fixture generation).
#[cfg(test)]
pub(crate) fn record(kind: i16, pid: i32, line: &str, user: &str, host: &str, sec: i32) -> Vec<u8> {
    let mut r = vec![0u8; RECORD];
    r[OFF_TYPE..OFF_TYPE + 2].copy_from_slice(&kind.to_ne_bytes());
    r[OFF_PID..OFF_PID + 4].copy_from_slice(&pid.to_ne_bytes());
    r[OFF_LINE..OFF_LINE + line.len()].copy_from_slice(line.as_bytes());
    r[OFF_USER..OFF_USER + user.len()].copy_from_slice(user.as_bytes());
    r[OFF_HOST..OFF_HOST + host.len()].copy_from_slice(host.as_bytes());
    r[OFF_TV_SEC..OFF_TV_SEC + 4].copy_from_slice(&sec.to_ne_bytes());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_user_process_records() {
        let mut data = record(2, 0, "~", "reboot", "6.18.0", 100); // BOOT_TIME
        data.extend(record(
            USER_PROCESS,
            1234,
            "pts/0",
            "alice",
            "10.0.0.1",
            1_700_000_000,
        ));
        data.extend(record(USER_PROCESS, 1300, "", "bob", ":0", 1_700_000_100));
        data.extend(record(8, 1400, "pts/1", "", "", 0)); // DEAD_PROCESS
        data.extend([1, 2, 3]); // a partial trailing record
        let users = parse_utmp(&data);
        assert_eq!(users.len(), 2);
        assert_eq!(
            users[0],
            User {
                name: "alice".into(),
                terminal: Some("pts/0".into()),
                host: "10.0.0.1".into(),
                started: 1_700_000_000.0,
                pid: 1234
            }
        );
        assert_eq!(users[1].terminal, None);
        assert_eq!(users[1].host, "localhost");
    }

    #[test]
    fn garbage_is_empty_not_a_panic() {
        assert!(parse_utmp(&[]).is_empty());
        assert!(parse_utmp(&[0xff; 100]).is_empty());
        let _ = parse_utmp(&[0xff; RECORD * 3]);
    }
}
