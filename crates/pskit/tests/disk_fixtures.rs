//! disk_partitions and disk_io_counters on fixture trees (reference §2.4, §1.3).
//!
//! Every test here uses `nowrap = false` except `nowrap_*`, which use their own
//! device names: the nowrap state is global to the process, and the tests run in
//! parallel.

mod common;

use std::path::PathBuf;

use pskit::{DiskIoCounters, DiskPartition, Root};

fn part(device: &str, mountpoint: &str, fstype: &str, opts: &str) -> DiskPartition {
    DiskPartition {
        device: device.into(),
        mountpoint: mountpoint.into(),
        fstype: fstype.into(),
        opts: opts.into(),
    }
}

fn io(f: [u64; 9]) -> DiskIoCounters {
    DiskIoCounters {
        read_count: f[0],
        write_count: f[1],
        read_bytes: f[2],
        write_bytes: f[3],
        read_time: f[4],
        write_time: f[5],
        read_merged_count: f[6],
        write_merged_count: f[7],
        busy_time: f[8],
    }
}

fn root(name: &str) -> Root {
    Root::new(common::fixture(name))
}

#[test]
fn physical_partitions_follow_proc_filesystems_and_keep_zfs() {
    let got = root("disk_basic")
        .scope(|| pskit::disk_partitions(false))
        .unwrap();
    assert_eq!(
        got,
        vec![
            // /dev/root stays as is: the fixture has no /dev entry to resolve it to.
            part("/dev/root", "/", "ext4", "rw,relatime"),
            part("/dev/sda2", "/mnt/my usb disk", "vfat", "rw,fmask=0022"),
            part("tank/home", "/home", "zfs", "rw,xattr"),
            part("/dev/sdb1", "/data\ttab", "ext4", "ro"),
        ]
    );
}

#[test]
fn all_partitions_keep_nodev_and_turn_none_into_empty() {
    let got = root("disk_basic")
        .scope(|| pskit::disk_partitions(true))
        .unwrap();
    assert_eq!(got.len(), 8);
    assert_eq!(
        got[0],
        part("sysfs", "/sys", "sysfs", "rw,nosuid,nodev,noexec,relatime")
    );
    assert_eq!(got[4], part("", "/run/none", "tmpfs", "rw"));
    assert_eq!(got[6].fstype, "overlay");
}

#[test]
fn missing_proc_is_an_error() {
    let empty = Root::new("/nonexistent/pskit-root");
    assert!(empty.scope(|| pskit::disk_partitions(false)).is_err());
    assert!(empty.scope(|| pskit::disk_partitions(true)).is_err());
}

/// major/minor of a dev_t, glibc's encoding.
fn major_minor(dev: u64) -> (u64, u64) {
    let major = ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff);
    let minor = ((dev >> 12) & 0xffff_ff00) | (dev & 0xff);
    (major, minor)
}

/// `/dev/root` is resolved through the root's /proc/partitions with the live
/// `stat("/")` device numbers, and only to a device that exists under its /dev.
#[test]
fn dev_root_resolves_through_proc_partitions() {
    use std::os::unix::fs::MetadataExt;
    let (major, minor) = major_minor(std::fs::metadata("/").unwrap().dev());
    let dir: PathBuf = std::env::temp_dir().join(format!("pskit-rootdev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc/self")).unwrap();
    std::fs::create_dir_all(dir.join("dev")).unwrap();
    std::fs::write(
        dir.join("proc/self/mounts"),
        "/dev/root / ext4 rw 0 0\nrootfs / rootfs rw 0 0\n",
    )
    .unwrap();
    std::fs::write(dir.join("proc/filesystems"), "\text4\nnodev\trootfs\n").unwrap();
    let table = format!("major minor  #blocks  name\n\n {major} {minor} 1000 pskitroot1\n");
    std::fs::write(dir.join("proc/partitions"), table).unwrap();
    let r = Root::new(&dir);

    // Not yet under /dev: left unresolved.
    let before = r.scope(|| pskit::disk_partitions(true)).unwrap();
    assert_eq!(before[0].device, "/dev/root");
    assert_eq!(before[1].device, "rootfs");

    std::fs::write(dir.join("dev/pskitroot1"), "").unwrap();
    let all = r.scope(|| pskit::disk_partitions(true)).unwrap();
    assert_eq!(all[0].device, "/dev/pskitroot1");
    assert_eq!(all[1].device, "/dev/pskitroot1");
    let phys = r.scope(|| pskit::disk_partitions(false)).unwrap();
    assert_eq!(phys, vec![part("/dev/pskitroot1", "/", "ext4", "rw")]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn twenty_field_diskstats_totals_count_only_sys_block_names() {
    let total = root("disk_basic")
        .scope(|| pskit::disk_io_counters(false))
        .unwrap();
    // loop0 + sda + cciss/c0d0 (sys/block/cciss!c0d0) + dm-0; not sda1, sda2.
    let expect = io([1037, 503, 20296 * 512, 8024 * 512, 306, 402, 10, 50, 609]);
    assert_eq!(total, Some(expect));
}

#[test]
fn perdisk_lists_every_line_with_512_byte_sectors() {
    let per = root("disk_basic")
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap();
    let names: Vec<&str> = per.keys().map(|s| s.as_str()).collect();
    // psutil's order: the lines of /proc/diskstats, as they come.
    assert_eq!(
        names,
        ["loop0", "sda", "sda1", "sda2", "cciss/c0d0", "dm-0"]
    );
    assert_eq!(
        per["sda1"],
        io([900, 400, 18000 * 512, 6000 * 512, 290, 300, 9, 40, 500])
    );
}

#[test]
fn fourteen_field_disk_and_seven_field_partition() {
    let per = root("diskstats_14")
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap();
    let hda = io([
        446216,
        424847,
        9550688 * 512,
        5922052 * 512,
        4382310,
        19310380,
        784926,
        312726,
        3376340,
    ]);
    assert_eq!(per["hda"], hda);
    assert_eq!(
        per["hda1"],
        io([35486, 38030, 38030 * 512, 38030 * 512, 0, 0, 0, 0, 0])
    );
    let total = root("diskstats_14")
        .scope(|| pskit::disk_io_counters(false))
        .unwrap();
    assert_eq!(total, Some(hda));
}

#[test]
fn fifteen_field_linux_24_lines() {
    let per = root("diskstats_15")
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap();
    assert_eq!(per["hda"], io([8, 8, 8 * 512, 8 * 512, 8, 8, 8, 8, 8]));
    assert_eq!(per["hdb"], io([100, 5, 3 * 512, 7 * 512, 4, 8, 2, 6, 10]));
}

#[test]
fn eighteen_field_lines() {
    let total = root("diskstats_18")
        .scope(|| pskit::disk_io_counters(false))
        .unwrap();
    assert_eq!(
        total,
        Some(io([100, 50, 3000 * 512, 7000 * 512, 40, 80, 2, 6, 90]))
    );
    let per = root("diskstats_18")
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap();
    assert_eq!(per.len(), 2);
}

#[test]
fn sysfs_stat_files_when_diskstats_is_missing() {
    let per = root("diskstats_sysfs")
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap();
    let names: Vec<&str> = per.keys().map(|s| s.as_str()).collect();
    assert_eq!(names, ["sda", "sda1"]);
    assert_eq!(
        per["sda"],
        io([1000, 500, 20000 * 512, 8000 * 512, 300, 400, 10, 50, 600])
    );
    let total = root("diskstats_sysfs")
        .scope(|| pskit::disk_io_counters(false))
        .unwrap();
    assert_eq!(total, Some(per["sda"]));
}

#[test]
fn no_disks_is_none_and_empty() {
    let r = root("diskstats_empty");
    assert_eq!(r.scope(|| pskit::disk_io_counters(false)).unwrap(), None);
    assert!(r
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap()
        .is_empty());
}

#[test]
fn bad_lines_and_missing_sources_are_errors() {
    let err = root("diskstats_bad")
        .scope(|| pskit::disk_io_counters(false))
        .unwrap_err();
    assert!(err.to_string().contains("diskstats"), "{err}");
    let none = Root::new("/nonexistent/pskit-root");
    let err = none
        .scope(|| pskit::disk_io_counters_perdisk(false))
        .unwrap_err();
    assert!(matches!(err, pskit::Error::Unsupported(_)), "{err}");
}

fn write_stats(dir: &std::path::Path, lines: &[(&str, u64)]) {
    let text: String = lines
        .iter()
        .map(|(n, v)| format!("8 0 {n} {v} 0 {v} 0 {v} 0 {v} 0 0 {v} 0 0 0 0 0 0 0\n"))
        .collect();
    std::fs::write(dir.join("proc/diskstats"), text).unwrap();
}

/// nowrap de-wraps each disk before summing, and cache_clear forgets (§1.3).
#[test]
fn nowrap_dewraps_per_disk_before_summing() {
    let dir = std::env::temp_dir().join(format!("pskit-nowrap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc")).unwrap();
    for n in ["wrapdisk_a", "wrapdisk_b"] {
        std::fs::create_dir_all(dir.join("sys/block").join(n)).unwrap();
    }
    let r = Root::new(&dir);
    let total = || r.scope(|| pskit::disk_io_counters(true)).unwrap().unwrap();
    let per = || r.scope(|| pskit::disk_io_counters_perdisk(true)).unwrap();

    pskit::disk_io_counters_cache_clear();
    write_stats(&dir, &[("wrapdisk_a", 1000), ("wrapdisk_b", 10)]);
    assert_eq!(total().read_count, 1010);
    // wrapdisk_a wraps from 1000 to 5: it reads 1005.
    write_stats(&dir, &[("wrapdisk_a", 5), ("wrapdisk_b", 20)]);
    let t = total();
    assert_eq!(
        (t.read_count, t.read_bytes, t.busy_time),
        (1025, 1025 * 512, 1025)
    );
    // The same state serves the per-disk call.
    write_stats(&dir, &[("wrapdisk_a", 7), ("wrapdisk_b", 30)]);
    let p = per();
    assert_eq!(
        (p["wrapdisk_a"].read_count, p["wrapdisk_b"].read_count),
        (1007, 30)
    );
    // nowrap=false gives the raw values and leaves the state alone.
    let raw = r.scope(|| pskit::disk_io_counters_perdisk(false)).unwrap();
    assert_eq!(raw["wrapdisk_a"].read_count, 7);
    assert_eq!(per()["wrapdisk_a"].read_count, 1007);
    pskit::disk_io_counters_cache_clear();
    assert_eq!(per()["wrapdisk_a"].read_count, 7);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A filesystem type registered after an earlier call (a module loaded on
/// mount) is seen at once: the /proc/filesystems reading is never stale.
#[test]
fn newly_registered_filesystem_types_are_seen() {
    let dir = std::env::temp_dir().join(format!("pskit-fstypes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc/self")).unwrap();
    let r = Root::new(&dir);
    std::fs::write(dir.join("proc/filesystems"), "nodev\tproc\n\text4\n").unwrap();
    std::fs::write(dir.join("proc/self/mounts"), "/dev/sda1 / ext4 rw 0 0\n").unwrap();
    assert_eq!(r.scope(|| pskit::disk_partitions(false)).unwrap().len(), 1);
    std::fs::write(
        dir.join("proc/filesystems"),
        "nodev\tproc\n\text4\n\tvfat\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("proc/self/mounts"),
        "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /usb vfat rw 0 0\n",
    )
    .unwrap();
    let got = r.scope(|| pskit::disk_partitions(false)).unwrap();
    assert_eq!(got[1], part("/dev/sdb1", "/usb", "vfat", "rw"));
    std::fs::remove_dir_all(&dir).unwrap();
}
