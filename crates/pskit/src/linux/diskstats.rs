//! /proc/diskstats and /sys/block/*/stat: parsers and readers for
//! `disk_io_counters` (reference §2.4).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::linux::dirs::names_with_prefix;
use crate::linux::fs::{with_text, with_text_large};
use crate::root::Root;

/// Bytes per sector in diskstats: always 512, whatever the device's hardware sector
/// size (psutil #1305, #965).
const SECTOR_SIZE: u64 = 512;

/// One device's raw counters in psutil's field order: read_count, write_count,
/// read_bytes, write_bytes, read_time, write_time, read_merged_count,
/// write_merged_count, busy_time.
pub(crate) type RawDisk = (String, [u64; 9]);

fn num(tok: &str, line: &str) -> std::result::Result<u64, String> {
    tok.parse()
        .map_err(|_| format!("bad number {tok:?} in line {line:?}"))
}

/// Builds the psutil tuple from the kernel's order (reads, reads merged, sectors
/// read, ms reading, writes, writes merged, sectors written, ms writing, in flight,
/// io ticks).
fn from_kernel_order(k: [u64; 10]) -> [u64; 9] {
    let [reads, rmerged, rsect, rtime, writes, wmerged, wsect, wtime, _inflight, busy] = k;
    [
        reads,
        writes,
        rsect.saturating_mul(SECTOR_SIZE),
        wsect.saturating_mul(SECTOR_SIZE),
        rtime,
        wtime,
        rmerged,
        wmerged,
        busy,
    ]
}

fn ten(toks: &[&str], line: &str) -> std::result::Result<[u64; 10], String> {
    let mut k = [0u64; 10];
    for (slot, tok) in k.iter_mut().zip(toks) {
        *slot = num(tok, line)?;
    }
    Ok(k)
}

/// Parses one /proc/diskstats line by its token count: 14 or ≥ 18 (Linux 2.6+,
/// 4.18+, 5.5+: name is token 3), 15 (Linux 2.4: name is token 4, reads token 3),
/// 7 (an old partition line: reads, sectors read, writes, sectors written). Any
/// other count is an error, as in psutil.
pub(crate) fn parse_diskstats_line(line: &str) -> std::result::Result<RawDisk, String> {
    let t: Vec<&str> = line.split_ascii_whitespace().collect();
    match t.len() {
        15 => {
            let mut k = ten(&t[4..14], line)?;
            // Linux 2.4 puts reads before the name: shift it into the kernel order.
            k.rotate_right(1);
            k[0] = num(t[2], line)?;
            Ok((t[3].to_string(), from_kernel_order(k)))
        }
        n if n == 14 || n >= 18 => {
            let k = ten(&t[3..13], line)?;
            // The 11th number (weighted ms) is parsed too, as psutil does.
            num(t[13], line)?;
            Ok((t[2].to_string(), from_kernel_order(k)))
        }
        7 => {
            let v: Vec<u64> = t[3..7]
                .iter()
                .map(|x| num(x, line))
                .collect::<std::result::Result<_, _>>()?;
            let k = [v[0], 0, v[1], 0, v[2], 0, v[3], 0, 0, 0];
            Ok((t[2].to_string(), from_kernel_order(k)))
        }
        _ => Err(format!("not sure how to interpret line {line:?}")),
    }
}

/// Parses /proc/diskstats, every line (partitions included), in file order.
pub(crate) fn parse_diskstats(text: &str) -> std::result::Result<Vec<RawDisk>, String> {
    text.lines().map(parse_diskstats_line).collect()
}

/// Parses a `/sys/block/.../stat` file: its first ten numbers, kernel order.
pub(crate) fn parse_sysfs_stat(name: &str, text: &str) -> std::result::Result<RawDisk, String> {
    let t: Vec<&str> = text.split_ascii_whitespace().collect();
    if t.len() < 10 {
        return Err(format!("expected at least 10 numbers, found {}", t.len()));
    }
    Ok((
        name.to_string(),
        from_kernel_order(ten(&t[..10], text.trim())?),
    ))
}

/// Every `stat` file below `dir`, walked top-down without following symlinked
/// subdirectories (psutil's `os.walk`); the device name is the directory's name.
fn walk_stat_files(dir: &Path, out: &mut Vec<RawDisk>) -> Result<()> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut entries: Vec<(String, PathBuf)> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .collect();
    entries.sort_unstable();
    let stat = dir.join("stat");
    if stat.is_file() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        out.push(with_text(&stat, |s| {
            parse_sysfs_stat(name, s).map_err(|m| Error::parse(&stat, m))
        })?);
    }
    for (_, path) in entries {
        let is_real_dir = path.symlink_metadata().is_ok_and(|m| m.is_dir());
        if is_real_dir {
            walk_stat_files(&path, out)?;
        }
    }
    Ok(())
}

/// Every device's raw counters: /proc/diskstats, else the `stat` files below
/// /sys/block, else `Unsupported`.
pub(crate) fn read_all(root: &Root) -> Result<Vec<RawDisk>> {
    let diskstats = root.proc_path("diskstats");
    if diskstats.exists() {
        return with_text(&diskstats, |s| {
            parse_diskstats(s).map_err(|m| Error::parse(&diskstats, m))
        });
    }
    let block = root.sys_path("block");
    if block.exists() {
        let mut out = Vec::new();
        for name in names_with_prefix(&block, "") {
            walk_stat_files(&block.join(name), &mut out)?;
        }
        return Ok(out);
    }
    Err(Error::Unsupported(format!(
        "{} nor {} are available on this system",
        diskstats.display(),
        block.display()
    )))
}

/// The entries of /sys/block, for psutil's `is_storage_device` test. One
/// directory listing answers for every device, where psutil stats
/// `/sys/block/<name>` once per line; a missing /sys/block lists nothing.
pub(crate) fn block_devices(root: &Root) -> HashSet<String> {
    std::fs::read_dir(root.sys_path("block"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// psutil's `is_storage_device`: a whole disk or virtual device (it has a
/// `/sys/block/<name>` entry, `/` in the name written as `!`), not a partition.
pub(crate) fn is_storage_device(block: &HashSet<String>, name: &str) -> bool {
    if name.contains('/') {
        block.contains(&name.replace('/', "!"))
    } else {
        block.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE_20: &str = " 254  0 vda 13442 4045 3407578 15922 1654 9345 1125144 1905 0 2704 18057 3618 57 52312 227 48 1";

    #[test]
    fn line_with_20_fields() {
        let (name, v) = parse_diskstats_line(LINE_20).unwrap();
        assert_eq!(name, "vda");
        assert_eq!(
            v,
            [
                13442,
                1654,
                3407578 * 512,
                1125144 * 512,
                15922,
                1905,
                4045,
                9345,
                2704
            ]
        );
    }

    #[test]
    fn lines_with_14_and_18_fields() {
        let l14 = "3 0 hda 1 2 3 4 5 6 7 8 9 10 11";
        assert_eq!(
            parse_diskstats_line(l14).unwrap().1,
            [1, 5, 3 * 512, 7 * 512, 4, 8, 2, 6, 10]
        );
        let l18 = "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15";
        assert_eq!(
            parse_diskstats_line(l18).unwrap().1,
            [1, 5, 3 * 512, 7 * 512, 4, 8, 2, 6, 10]
        );
    }

    #[test]
    fn linux_24_line_with_15_fields() {
        let l15 = "3 0 100 hda 2 3 4 5 6 7 8 9 10 11 12";
        let (name, v) = parse_diskstats_line(l15).unwrap();
        assert_eq!(name, "hda");
        assert_eq!(v, [100, 5, 3 * 512, 7 * 512, 4, 8, 2, 6, 10]);
    }

    #[test]
    fn partition_line_with_7_fields() {
        let (name, v) = parse_diskstats_line("3 1 hda1 10 20 30 40").unwrap();
        assert_eq!(name, "hda1");
        assert_eq!(v, [10, 30, 20 * 512, 40 * 512, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn other_token_counts_and_garbage_are_errors() {
        assert!(parse_diskstats_line("").is_err());
        assert!(parse_diskstats_line("8 0 sda 1 2 3").is_err());
        assert!(parse_diskstats_line("8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14").is_err());
        assert!(parse_diskstats_line("8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13").is_err());
        assert!(parse_diskstats_line("8 0 sda 1 x 3 4 5 6 7 8 9 10 11").is_err());
        assert!(parse_diskstats_line("8 0 sda -1 2 3 4 5 6 7 8 9 10 11").is_err());
        assert!(parse_diskstats("").unwrap().is_empty());
    }

    #[test]
    fn storage_devices_by_sys_block_name() {
        let block: HashSet<String> = ["sda", "cciss!c0d0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(is_storage_device(&block, "sda"));
        assert!(is_storage_device(&block, "cciss/c0d0"));
        assert!(!is_storage_device(&block, "sda1"));
        assert!(!is_storage_device(&HashSet::new(), "sda"));
    }

    #[test]
    fn sysfs_stat_file() {
        let v = parse_sysfs_stat("sda", "  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n").unwrap();
        assert_eq!(v.1, [1, 5, 3 * 512, 7 * 512, 4, 8, 2, 6, 10]);
        assert!(parse_sysfs_stat("sda", "1 2 3").is_err());
        assert!(parse_sysfs_stat("sda", "").is_err());
    }
}

/// Major, minor, name and the 17 counters of a diskstats line.
pub(crate) type FullDisk = (u32, u32, String, [u64; 17]);

/// One /proc/diskstats line with every field the kernel gives: major, minor,
/// name and up to 17 counters in the kernel's order (reads, reads merged,
/// sectors read, ms reading, writes, writes merged, sectors written, ms
/// writing, in flight, io ticks, weighted ms, discards, discards merged,
/// sectors discarded, ms discarding, flushes, ms flushing). Fields an older
/// kernel does not give are 0; a 7-field partition line (Linux 2.6.0-2.6.24)
/// fills reads, sectors read, writes and sectors written. `None` for a line
/// that fits none of these forms (sysstat ignores those too).
pub(crate) fn parse_diskstats_line_full(line: &str) -> Option<FullDisk> {
    let t: Vec<&str> = line.split_ascii_whitespace().collect();
    if t.len() < 7 {
        return None;
    }
    let major = t[0].parse().ok()?;
    let minor = t[1].parse().ok()?;
    let name = t[2].to_string();
    let mut k = [0u64; 17];
    if t.len() == 7 {
        let v: Vec<u64> = t[3..7]
            .iter()
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        k[0] = v[0];
        k[2] = v[1];
        k[4] = v[2];
        k[6] = v[3];
    } else if t.len() >= 14 {
        for (slot, tok) in k.iter_mut().zip(&t[3..]) {
            *slot = tok.parse().ok()?;
        }
    } else {
        return None;
    }
    Some((major, minor, name, k))
}

/// Every parsable line of /proc/diskstats, in file order, with all its fields.
pub(crate) fn read_full(root: &Root) -> Result<Vec<FullDisk>> {
    let diskstats = root.proc_path("diskstats");
    with_text_large(&diskstats, |s| {
        Ok(s.lines().filter_map(parse_diskstats_line_full).collect())
    })
}

#[cfg(test)]
mod full_tests {
    use super::parse_diskstats_line_full;

    #[test]
    fn every_field_and_old_forms() {
        let l = " 254 0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17";
        let (ma, mi, name, k) = parse_diskstats_line_full(l).unwrap();
        assert_eq!((ma, mi, name.as_str()), (254, 0, "vda"));
        assert_eq!(k, core::array::from_fn(|i| i as u64 + 1));
        let (_, _, _, k) = parse_diskstats_line_full("8 1 sda1 1 2 3 4 5 6 7 8 9 10 11").unwrap();
        assert_eq!((k[10], k[11], k[16]), (11, 0, 0));
        let (_, _, _, k) = parse_diskstats_line_full("3 1 hda1 10 20 30 40").unwrap();
        assert_eq!((k[0], k[2], k[4], k[6]), (10, 20, 30, 40));
        assert!(parse_diskstats_line_full("8 1 sda1 1 2 3").is_none());
        assert!(parse_diskstats_line_full("8 1 sda1 1 2 3 x 5 6 7 8 9 10 11").is_none());
        assert!(parse_diskstats_line_full("").is_none());
    }
}
