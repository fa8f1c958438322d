//! Mount tables, /proc/filesystems, the root device and statvfs: parsers and readers
//! for `disk_partitions` and `disk_usage` (reference §2.4). The I/O counters live in
//! [`crate::linux::diskstats`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::disk::{DiskInodes, DiskPartition, DiskUsage};
use crate::error::{Error, Result};
use crate::linux::dirs::names_with_prefix;
use crate::linux::fs::{read_trimmed, with_text};
use crate::linux::parse::{unescape_octal, usage_percent};
use crate::root::Root;

/// One mount-table entry as getmntent(3) returns it, before psutil's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MountEntry {
    pub fsname: String,
    pub dir: String,
    pub fstype: String,
    pub opts: String,
}

/// Parses a mount table (`/etc/mtab`, `/proc/self/mounts`) as getmntent(3) does:
/// blank lines and lines whose first non-blank character is `#` are skipped, fields
/// are separated by runs of spaces and tabs, a missing field reads as `""`, and the
/// octal escapes `\040` and friends are undone.
pub(crate) fn parse_mounts(text: &str) -> Vec<MountEntry> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut fields = line.split([' ', '\t']).filter(|f| !f.is_empty());
        let Some(first) = fields.next() else { continue };
        if first.starts_with('#') {
            continue;
        }
        let mut next = || fields.next().map(unescape_octal).unwrap_or_default();
        let (dir, fstype, opts) = (next(), next(), next());
        out.push(MountEntry {
            fsname: unescape_octal(first),
            dir,
            fstype,
            opts,
        });
    }
    out
}

/// The filesystem types of /proc/filesystems that are backed by a device: lines not
/// starting with `nodev`, plus `zfs` (psutil keeps `nodev zfs`).
pub(crate) fn parse_filesystems(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for line in text.lines() {
        let line = line.trim();
        match line.strip_prefix("nodev") {
            None => {
                out.insert(line.to_string());
            }
            Some(rest) => {
                if rest.trim() == "zfs" {
                    out.insert("zfs".to_string());
                }
            }
        }
    }
    out
}

/// Lookup (a) of psutil's root-device finder: the /proc/partitions row (after the
/// two header lines) whose major and minor match gives `/dev/NAME`.
pub(crate) fn partitions_lookup(text: &str, major: u32, minor: u32) -> Option<String> {
    for line in text.lines().skip(2) {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        if f.len() < 4 {
            continue;
        }
        let num = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        if num(f[0]) == Some(major) && num(f[1]) == Some(minor) {
            return Some(format!("/dev/{}", f[3]));
        }
    }
    None
}

/// Lookup (b): the `DEVNAME=` line of a `/sys/dev/block/MAJ:MIN/uevent` file.
pub(crate) fn uevent_devname(text: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with("DEVNAME="))
        .and_then(|l| l.trim().rsplit_once("DEVNAME="))
        .map(|(_, name)| name)
        .filter(|name| !name.is_empty())
        .map(|name| format!("/dev/{name}"))
}

/// psutil's `RootFsDeviceFinder`: the real `/dev/NAME` of the device numbered
/// `major:minor`, tried in order from /proc/partitions, `/sys/dev/block/MAJ:MIN/uevent`
/// and a scan of `/sys/class/block/*/dev`. The answer is kept only if `/dev/NAME`
/// exists (below the root's /dev).
pub(crate) fn find_root_device(root: &Root, major: u32, minor: u32) -> Option<String> {
    let from_partitions = || {
        with_text(&root.proc_path("partitions"), |s| {
            Ok(partitions_lookup(s, major, minor))
        })
        .ok()
        .flatten()
    };
    let from_uevent = || {
        let path = root.sys_path(format!("dev/block/{major}:{minor}/uevent"));
        with_text(&path, |s| Ok(uevent_devname(s))).ok().flatten()
    };
    let from_class_block = || {
        let needle = format!("{major}:{minor}");
        let dir = root.sys_path("class/block");
        names_with_prefix(&dir, "")
            .into_iter()
            .find(|name| read_trimmed(&dir.join(name).join("dev")).is_ok_and(|d| d == needle))
            .map(|name| format!("/dev/{name}"))
    };
    let path = from_partitions()
        .or_else(from_uevent)
        .or_else(from_class_block)?;
    root.map_host_path(Path::new(&path))
        .exists()
        .then_some(path)
}

/// The major and minor numbers of the device holding `/` (`stat("/").st_dev`).
fn root_dev_numbers() -> Option<(u32, u32)> {
    let st = rustix::fs::stat("/").ok()?;
    Some((rustix::fs::major(st.st_dev), rustix::fs::minor(st.st_dev)))
}

/// True for an `/etc/mtab` symlink target that names the kernel's own table
/// (`/proc/mounts`, `../proc/self/mounts`, …).
pub(crate) fn is_proc_mounts_link(target: &Path) -> bool {
    let t = target.to_string_lossy();
    let t = t.trim_start_matches("../").trim_start_matches('/');
    t == "proc/mounts" || t == "proc/self/mounts"
}

/// psutil's choice of mount table: `/etc/mtab` when procfs is the host's `/proc`
/// and `/etc/mtab` is a file, else `{proc}/self/mounts` (#1307).
///
/// The usual `/etc/mtab` is a symlink to `/proc/mounts`; it is recognised with one
/// readlink and `{proc}/self/mounts` is read directly (the same file psutil's
/// realpath reaches), which saves two path walks through /proc.
fn mount_table_path(root: &Root) -> PathBuf {
    let mtab = root.etc().join("mtab");
    if root.proc() != Path::new("/proc") {
        return root.proc_path("self/mounts");
    }
    let is_file = match std::fs::symlink_metadata(&mtab) {
        Ok(m) if m.file_type().is_symlink() => {
            if std::fs::read_link(&mtab).is_ok_and(|t| is_proc_mounts_link(&t)) {
                return root.proc_path("self/mounts");
            }
            mtab.is_file()
        }
        Ok(m) => m.is_file(),
        Err(_) => false,
    };
    if is_file {
        mtab
    } else {
        root.proc_path("self/mounts")
    }
}

/// Applies psutil's rules to the mount entries: `none` → `""`, `/dev/root` and
/// `rootfs` resolved by `resolve`, and (unless `all`) only entries with a device
/// and a filesystem type from `fstypes`.
pub(crate) fn select_partitions(
    entries: Vec<MountEntry>,
    fstypes: Option<&HashSet<String>>,
    mut resolve: impl FnMut() -> Option<String>,
) -> Vec<DiskPartition> {
    let mut resolved: Option<Option<String>> = None;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let mut device = e.fsname;
        if device == "none" {
            device.clear();
        }
        if device == "/dev/root" || device == "rootfs" {
            if let Some(real) = resolved.get_or_insert_with(&mut resolve) {
                device.clone_from(real);
            }
        }
        if let Some(types) = fstypes {
            if device.is_empty() || !types.contains(&e.fstype) {
                continue;
            }
        }
        out.push(DiskPartition {
            device,
            mountpoint: e.dir,
            fstype: e.fstype,
            opts: e.opts,
        });
    }
    out
}

/// The last /proc/filesystems read: its path, the device-backed types (psutil's
/// set) and every type listed.
type FsCache = (PathBuf, HashSet<String>, HashSet<String>);
static FILESYSTEMS: Mutex<Option<FsCache>> = Mutex::new(None);

/// Every type listed in /proc/filesystems, `nodev` or not.
fn all_listed_types(text: &str) -> HashSet<String> {
    text.lines()
        .filter_map(|l| l.split_ascii_whitespace().last())
        .map(str::to_string)
        .collect()
}

/// psutil's set of device-backed types for these mount entries.
///
/// /proc/filesystems only grows when a module registers a new filesystem type,
/// so the last reading is reused while every mounted type is one it lists; a
/// type it does not know makes it read the file again (a module may just have
/// been loaded), so the answer is always the one a fresh read would give.
fn device_fstypes(root: &Root, entries: &[MountEntry]) -> Result<HashSet<String>> {
    let path = root.proc_path("filesystems");
    let mut cache = FILESYSTEMS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((p, dev, listed)) = cache.as_ref() {
        if *p == path && entries.iter().all(|e| listed.contains(&e.fstype)) {
            return Ok(dev.clone());
        }
    }
    let (dev, listed) = with_text(&path, |s| Ok((parse_filesystems(s), all_listed_types(s))))?;
    *cache = Some((path, dev.clone(), listed));
    Ok(dev)
}

/// `disk_partitions(all)`.
pub(crate) fn disk_partitions(root: &Root, all: bool) -> Result<Vec<DiskPartition>> {
    let entries = with_text(&mount_table_path(root), |s| Ok(parse_mounts(s)))?;
    let fstypes = if all {
        None
    } else {
        Some(device_fstypes(root, &entries)?)
    };
    let resolve = || {
        let (major, minor) = root_dev_numbers()?;
        find_root_device(root, major, minor)
    };
    Ok(select_partitions(entries, fstypes.as_ref(), resolve))
}

fn statvfs(path: &Path) -> Result<rustix::fs::StatVfs> {
    rustix::fs::statvfs(path).map_err(|e| Error::io(path, e.into()))
}

/// psutil's disk_usage formulas on statvfs values.
pub(crate) fn usage_from_statvfs(blocks: u64, bfree: u64, bavail: u64, frsize: u64) -> DiskUsage {
    let total = blocks.saturating_mul(frsize);
    let used = blocks.saturating_sub(bfree).saturating_mul(frsize);
    let free = bavail.saturating_mul(frsize);
    let percent = usage_percent(used as f64, used.saturating_add(free) as f64);
    DiskUsage {
        total,
        used,
        free,
        percent,
    }
}

/// `disk_usage(path)`: statvfs(2), which no root setting redirects (as in psutil).
pub(crate) fn disk_usage(path: &Path) -> Result<DiskUsage> {
    let st = statvfs(path)?;
    Ok(usage_from_statvfs(
        st.f_blocks,
        st.f_bfree,
        st.f_bavail,
        st.f_frsize,
    ))
}

/// Inode usage as `df -i` shows it.
pub(crate) fn inodes_from_statvfs(files: u64, ffree: u64) -> DiskInodes {
    let used = files.saturating_sub(ffree);
    DiskInodes {
        total: files,
        used,
        free: ffree,
        percent: usage_percent(used as f64, files as f64),
    }
}

/// `disk_usage_inodes(path)` (beyond psutil).
pub(crate) fn disk_usage_inodes(path: &Path) -> Result<DiskInodes> {
    let st = statvfs(path)?;
    Ok(inodes_from_statvfs(st.f_files, st.f_ffree))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    #[test]
    fn getmntent_unescapes_and_skips_comments() {
        let text = "# comment\n\n  \n/dev/sda1 /mnt/my\\040disk ext4 rw,relatime 0 0\n\
                    tab\\011dev\t/a\\134b  vfat\tro\nshort /x\n";
        let m = parse_mounts(text);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].dir, "/mnt/my disk");
        assert_eq!(m[0].opts, "rw,relatime");
        assert_eq!(m[1].fsname, "tab\tdev");
        assert_eq!(m[1].dir, "/a\\b");
        assert_eq!((m[2].fstype.as_str(), m[2].opts.as_str()), ("", ""));
    }

    #[test]
    fn empty_and_garbage_mount_tables() {
        assert!(parse_mounts("").is_empty());
        assert_eq!(parse_mounts("\u{0}\u{1} x").len(), 1);
    }

    #[test]
    fn nodev_filter_keeps_zfs() {
        let fs = parse_filesystems("nodev\tsysfs\n\text4\nnodev\tzfs\n\tvfat\nnodev\n");
        assert!(fs.contains("ext4") && fs.contains("vfat") && fs.contains("zfs"));
        assert!(!fs.contains("sysfs"));
    }

    #[test]
    fn mtab_links_to_the_kernel_table() {
        for t in [
            "/proc/mounts",
            "../proc/self/mounts",
            "/proc/self/mounts",
            "../../proc/mounts",
        ] {
            assert!(is_proc_mounts_link(Path::new(t)), "{t}");
        }
        for t in ["/etc/mtab.real", "/proc/1/mounts", "mounts", ""] {
            assert!(!is_proc_mounts_link(Path::new(t)), "{t}");
        }
    }

    #[test]
    fn listed_types_include_nodev() {
        let all = all_listed_types("nodev\tsysfs\n\text4\n\n");
        assert!(all.contains("sysfs") && all.contains("ext4") && all.len() == 2);
    }

    #[test]
    fn proc_partitions_lookup_matches_major_minor() {
        let text = "major minor  #blocks  name\n\n 254        0  268435456 vda\n   8  1 100 sda1\n";
        assert_eq!(partitions_lookup(text, 8, 1), Some("/dev/sda1".into()));
        assert_eq!(partitions_lookup(text, 254, 0), Some("/dev/vda".into()));
        assert_eq!(partitions_lookup(text, 8, 2), None);
        // The two header lines are never rows, even when they look like one.
        assert_eq!(partitions_lookup("8 1 5 x\n8 1 5 y\n", 8, 1), None);
        assert_eq!(partitions_lookup("", 8, 1), None);
        assert_eq!(partitions_lookup("h\n\nx y z w\n8 1\n", 8, 1), None);
    }

    #[test]
    fn uevent_devname_line() {
        assert_eq!(
            uevent_devname("MAJOR=8\nDEVNAME=sda2\nDEVTYPE=partition\n"),
            Some("/dev/sda2".into())
        );
        assert_eq!(uevent_devname("DEVNAME=\n"), None);
        assert_eq!(uevent_devname(""), None);
    }

    #[test]
    fn root_device_lookups_in_order_and_exists_check() {
        let root = Root::new(fixture("disk_rootdev"));
        // (a) /proc/partitions has 8:1 → sda1, and dev/sda1 exists.
        assert_eq!(find_root_device(&root, 8, 1), Some("/dev/sda1".into()));
        // (b) only the uevent knows 8:2 → sda2.
        assert_eq!(find_root_device(&root, 8, 2), Some("/dev/sda2".into()));
        // (c) only /sys/class/block/nvme0n1p3/dev says 259:3.
        assert_eq!(
            find_root_device(&root, 259, 3),
            Some("/dev/nvme0n1p3".into())
        );
        // /proc/partitions names 8:5 sdz, but dev/sdz does not exist.
        assert_eq!(find_root_device(&root, 8, 5), None);
        assert_eq!(find_root_device(&root, 99, 99), None);
    }

    #[test]
    fn root_device_resolution_and_filters() {
        let entries = parse_mounts(
            "/dev/root / ext4 rw 0 0\nrootfs / rootfs rw 0 0\nnone /n tmpfs rw 0 0\nproc /proc proc rw 0 0\n",
        );
        let types: HashSet<String> = ["ext4".to_string()].into();
        let mut calls = 0;
        let all = select_partitions(entries.clone(), None, || {
            calls += 1;
            Some("/dev/vda1".into())
        });
        assert_eq!(calls, 1, "the root device is looked up once per call");
        let devs: Vec<&str> = all.iter().map(|p| p.device.as_str()).collect();
        assert_eq!(devs, ["/dev/vda1", "/dev/vda1", "", "proc"]);
        let phys = select_partitions(entries, Some(&types), || None);
        assert_eq!(phys.len(), 1);
        assert_eq!(phys[0].device, "/dev/root");
    }

    #[test]
    fn usage_formulas() {
        let u = usage_from_statvfs(1000, 400, 300, 4096);
        assert_eq!(u.total, 4_096_000);
        assert_eq!(u.used, 600 * 4096);
        assert_eq!(u.free, 300 * 4096);
        assert_eq!(u.percent, 66.7);
        let z = usage_from_statvfs(0, 0, 0, 4096);
        assert_eq!((z.total, z.percent), (0, 0.0));
        assert_eq!(usage_from_statvfs(10, 20, 0, 1).used, 0);
        let i = inodes_from_statvfs(100, 75);
        assert_eq!((i.used, i.free, i.percent), (25, 75, 25.0));
    }
}
