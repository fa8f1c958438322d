//! The filesystem, diskstats, netdev and netclass collectors beside Debian's
//! node_exporter 1.5, on this machine and on fixture roots.
//!
//! Each live comparison scrapes node_exporter, then pskit, then node_exporter
//! again: pskit's value must lie between node_exporter's two (counters only
//! grow, so that is exact), with a small slack for the gauges that move both
//! ways (free bytes, I/Os in flight). Both run with node_exporter 1.5's
//! upstream defaults: Debian's package patches two of them, so those flags
//! are given to it explicitly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::Scrape;

/// node_exporter 1.5's upstream `--collector.filesystem.mount-points-exclude`
/// (Debian's default also excludes /run, /mnt and /media).
const UPSTREAM_MOUNTS: &str = "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
/// Upstream has no netdev exclude by default (Debian's excludes `lo`).
const UPSTREAM_NETDEV: &str = "--collector.netdev.device-exclude=";

type Key = (String, BTreeMap<String, String>);

/// The series a collector adds (not the scrape's own, nor node_exporter's
/// build info and Go runtime families).
fn collector_series(s: &Scrape) -> BTreeMap<Key, f64> {
    s.series
        .iter()
        .filter(|x| {
            x.name.starts_with("node_")
                && !x.name.starts_with("node_scrape_")
                && !x.name.starts_with("node_exporter_")
        })
        .map(|x| ((x.name.clone(), x.labels.clone()), x.value))
        .collect()
}

fn show(k: &Key) -> String {
    let labels: Vec<String> = k.1.iter().map(|(a, b)| format!("{a}={b:?}")).collect();
    format!("{}{{{}}}", k.0, labels.join(","))
}

/// Asserts the same series, `# TYPE` and `# HELP` in `ours` as in `theirs`
/// (either of node_exporter's scrapes, in case a device came or went in
/// between), and each value of ours within node_exporter's two ± `slack`.
fn assert_same(
    collector: &str,
    theirs: &Scrape,
    ours: &Scrape,
    theirs_after: &Scrape,
    slack: impl Fn(&str) -> f64,
) {
    let (t1, o, t2) = (
        collector_series(theirs),
        collector_series(ours),
        collector_series(theirs_after),
    );
    let keys = |m: &BTreeMap<Key, f64>| m.keys().cloned().collect::<BTreeSet<Key>>();
    if keys(&o) != keys(&t1) && keys(&o) != keys(&t2) {
        let only_theirs: Vec<String> = keys(&t1).difference(&keys(&o)).map(show).collect();
        let only_ours: Vec<String> = keys(&o).difference(&keys(&t1)).map(show).collect();
        panic!("{collector}: series differ\nonly node_exporter: {only_theirs:#?}\nonly pskit: {only_ours:#?}");
    }
    assert!(!o.is_empty() || t1.is_empty(), "{collector}: nothing");
    let names: BTreeSet<&String> = o.keys().map(|k| &k.0).collect();
    for name in names {
        assert_eq!(
            ours.types.get(name),
            theirs.types.get(name),
            "# TYPE {name}"
        );
        assert_eq!(ours.help.get(name), theirs.help.get(name), "# HELP {name}");
    }
    for (k, v) in &o {
        let (a, b) = match (t1.get(k), t2.get(k)) {
            (Some(a), Some(b)) => (a.min(*b), a.max(*b)),
            (Some(a), None) | (None, Some(a)) => (*a, *a),
            (None, None) => unreachable!(),
        };
        let s = slack(&k.0);
        assert!(
            *v >= a - s && *v <= b + s,
            "{collector}: {} = {v}, node_exporter said {a} then {b} (slack {s})",
            show(k)
        );
    }
    assert_eq!(
        ours.value("node_scrape_collector_success", &[("collector", collector)]),
        theirs.value("node_scrape_collector_success", &[("collector", collector)]),
        "{collector}: success"
    );
}

/// node_exporter with only `collector` (and `extra` flags), scraped before
/// and after pskit with `ours` flags.
fn live(collector: &str, extra: &[&str], ours: &[&str]) -> (Scrape, Scrape, Scrape) {
    let on = format!("--collector.{collector}");
    let mut flags = vec!["--collector.disable-defaults", on.as_str()];
    flags.extend_from_slice(extra);
    let ne = common::node_exporter(&flags);
    let t1 = common::parse(&common::get(&ne.url("/metrics")));
    let mut mine = vec!["--collector.disable-defaults", on.as_str()];
    mine.extend_from_slice(ours);
    let o = common::parse(&common::pskit_scrape(&mine));
    let t2 = common::parse(&common::get(&ne.url("/metrics")));
    (t1, o, t2)
}

const MIB: f64 = 1024.0 * 1024.0;

#[test]
fn filesystem_matches_node_exporter() {
    let (t1, o, t2) = live("filesystem", &[UPSTREAM_MOUNTS], &[]);
    assert_same("filesystem", &t1, &o, &t2, |name| match name {
        // Other builds on this machine write while the three scrapes run.
        "node_filesystem_free_bytes" | "node_filesystem_avail_bytes" => 4.0 * MIB,
        "node_filesystem_files_free" => 256.0,
        _ => 0.0,
    });
    assert!(o.value("node_filesystem_readonly", &[]).is_none());
    assert!(!o.named("node_filesystem_size_bytes").is_empty());
}

#[test]
fn filesystem_with_debians_default_matches_debians_node_exporter() {
    let debian = "--collector.filesystem.mount-points-exclude=^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
    let (t1, o, t2) = live("filesystem", &[], &[debian]);
    assert_same("filesystem", &t1, &o, &t2, |name| match name {
        "node_filesystem_free_bytes" | "node_filesystem_avail_bytes" => 4.0 * MIB,
        "node_filesystem_files_free" => 256.0,
        _ => 0.0,
    });
}

#[test]
fn diskstats_matches_node_exporter() {
    let (t1, o, t2) = live("diskstats", &[], &[]);
    assert_same("diskstats", &t1, &o, &t2, |name| match name {
        "node_disk_io_now" => 64.0,
        _ => 0.0,
    });
    assert!(!o.named("node_disk_info").is_empty());
}

#[test]
fn netdev_matches_node_exporter() {
    let (t1, o, t2) = live("netdev", &[UPSTREAM_NETDEV], &[]);
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    assert!(o
        .value("node_network_receive_nohandler_total", &[("device", "lo")])
        .is_some());
    // Debian's default, `^lo$`, given to both.
    let (t1, o, t2) = live("netdev", &[], &["--collector.netdev.device-exclude=^lo$"]);
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    // node_exporter's procfs mode.
    let (t1, o, t2) = live(
        "netdev",
        &[UPSTREAM_NETDEV, "--no-collector.netdev.netlink"],
        &["--collector.netdev.netlink=false"],
    );
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    assert!(o.named("node_network_receive_nohandler_total").is_empty());
}

#[test]
fn netdev_detailed_and_address_info_match_node_exporter() {
    let (t1, o, t2) = live(
        "netdev",
        &[
            UPSTREAM_NETDEV,
            "--collector.netdev.enable-detailed-metrics",
            "--collector.netdev.address-info",
        ],
        &[
            "--collector.netdev.enable-detailed-metrics=true",
            "--collector.netdev.address-info=true",
        ],
    );
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    assert!(!o.named("node_network_address_info").is_empty());
    assert!(!o
        .named("node_network_receive_missed_errors_total")
        .is_empty());
}

#[test]
fn netclass_matches_node_exporter() {
    let (t1, o, t2) = live("netclass", &[], &[]);
    assert_same("netclass", &t1, &o, &t2, |_| 0.0);
    let (t1, o, t2) = live(
        "netclass",
        &[
            "--collector.netclass.ignore-invalid-speed",
            "--collector.netclass.ignored-devices=^lo$",
        ],
        &[
            "--collector.netclass.ignore-invalid-speed=true",
            "--collector.netclass.ignored-devices=^lo$",
        ],
    );
    assert_same("netclass", &t1, &o, &t2, |_| 0.0);
    assert!(o
        .named("node_network_up")
        .iter()
        .all(|s| s.labels["device"] != "lo"));
}

/// A scratch directory for one fixture root, removed when dropped.
struct Fixture(PathBuf);

impl Fixture {
    fn new(name: &str) -> Fixture {
        let p = std::env::temp_dir().join(format!("pskit-node-b-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Fixture(p)
    }

    fn write(&self, rel: &str, text: &str) -> &Fixture {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn dir(&self, rel: &str) -> &Fixture {
        std::fs::create_dir_all(self.0.join(rel)).unwrap();
        self
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).to_string_lossy().into_owned()
    }

    fn root(&self) -> &Path {
        &self.0
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Both exporters with only `collector` on the fixture root (`common`
/// flags for both, then each one's own).
fn on_fixture(
    collector: &str,
    common_flags: &[String],
    theirs_only: &[&str],
    ours_only: &[&str],
) -> (Scrape, Scrape, Scrape) {
    let on = format!("--collector.{collector}");
    let mut flags: Vec<&str> = vec!["--collector.disable-defaults", on.as_str()];
    flags.extend(common_flags.iter().map(String::as_str));
    let mut ne_flags = flags.clone();
    ne_flags.extend_from_slice(theirs_only);
    let ne = common::node_exporter(&ne_flags);
    let t1 = common::parse(&common::get(&ne.url("/metrics")));
    let mut mine = flags;
    mine.extend_from_slice(ours_only);
    let o = common::parse(&common::pskit_scrape(&mine));
    let t2 = common::parse(&common::get(&ne.url("/metrics")));
    (t1, o, t2)
}

const DISKSTATS: &str = "\
 254       0 vda 2943482 63927 91113562 7778745 778855 658646 302246896 1591104 0 328048 9443991 400141 62 184103568 68353 150559 5788
 9       0 md0 100 0 800 10 50 0 400 5 0 20 15
   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
   8       1 sda1 1 2 3 4
   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 253       0 dm-0 10 0 80 1 20 0 160 2 3 4 5
";

#[test]
fn diskstats_fixture_matches_node_exporter() {
    // vda: Linux 5.5+ (20 fields); md0 and dm-0: < 4.18 (14); sda:
    // 4.18..5.4 (18); sda1: an old 7-field partition line (skipped, and
    // excluded); loop0: excluded.
    let f = Fixture::new("diskstats");
    f.write("proc/diskstats", DISKSTATS)
        .dir("sys")
        .write(
            "udev/b253:0",
            "S:mapper/vg-root\nE:DM_NAME=vg-root\nE:DM_UUID=LVM-x\nE:DM_VG_NAME=vg\nE:DM_LV_NAME=root\nE:ID_FS_TYPE=ext4\nE:ID_FS_UUID=1234\nE:ID_FS_USAGE=filesystem\nE:ID_FS_VERSION=1.0\n",
        )
        .write(
            "udev/b8:0",
            "E:ID_ATA=1\nE:ID_ATA_WRITE_CACHE=1\nE:ID_ATA_WRITE_CACHE_ENABLED=0\nE:ID_ATA_ROTATION_RATE_RPM=7200\nE:ID_MODEL=Disk\nE:ID_SERIAL_SHORT=S1\nE:ID_WWN=0x5000\nE:ID_PATH=pci-0000:00:1f.2-ata-1\nE:ID_REVISION=1.0\n",
        );
    let flags = vec![
        format!("--path.procfs={}", f.path("proc")),
        format!("--path.sysfs={}", f.path("sys")),
        format!("--path.udev.data={}", f.path("udev")),
    ];
    let (t1, o, t2) = on_fixture("diskstats", &flags, &[], &[]);
    assert_same("diskstats", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value("node_disk_flush_requests_total", &[("device", "vda")]),
        Some(150559.0)
    );
    assert_eq!(
        o.value("node_disk_discards_completed_total", &[("device", "md0")]),
        None
    );
    assert_eq!(
        o.value(
            "node_disk_io_time_weighted_seconds_total",
            &[("device", "md0")]
        ),
        Some(0.015)
    );
    assert_eq!(
        o.value("node_disk_discards_completed_total", &[("device", "sda")]),
        Some(12.0)
    );
    assert_eq!(
        o.value("node_disk_flush_requests_total", &[("device", "sda")]),
        None
    );
    assert!(!o.named("node_disk_ata_rotation_rate_rpm").is_empty());
    assert!(!o.named("node_disk_device_mapper_info").is_empty());

    // Garbage in a counter: both fail the collector and show no disk.
    f.write(
        "proc/diskstats",
        "   8       0 sda 1 2 x 4 5 6 7 8 9 10 11\n",
    );
    let (t1, o, t2) = on_fixture("diskstats", &flags, &[], &[]);
    assert_same("diskstats", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value(
            "node_scrape_collector_success",
            &[("collector", "diskstats")]
        ),
        Some(0.0)
    );
}

const NET_DEV: &str = "\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  220654    2410    0    0    0     0          0         0   220654    2410    0    0    0     0       0          0
  eth0: 304590412   17397    1    2    3     4          5         6  1127819   11894    7    8    9    10      11         12
 weird.name-1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16
";

#[test]
fn netdev_fixture_matches_node_exporter() {
    let f = Fixture::new("netdev");
    f.write("proc/net/dev", NET_DEV).dir("sys");
    let flags = vec![
        format!("--path.procfs={}", f.path("proc")),
        format!("--path.sysfs={}", f.path("sys")),
        UPSTREAM_NETDEV.to_string(),
    ];
    // node_exporter's netlink mode asks the kernel, not the fixture: compare
    // its procfs mode.
    let (t1, o, t2) = on_fixture(
        "netdev",
        &flags,
        &["--no-collector.netdev.netlink"],
        &["--collector.netdev.netlink=false"],
    );
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value("node_network_transmit_carrier_total", &[("device", "eth0")]),
        Some(11.0)
    );
    let (t1, o, t2) = on_fixture(
        "netdev",
        &flags,
        &[
            "--no-collector.netdev.netlink",
            "--collector.netdev.enable-detailed-metrics",
        ],
        &[
            "--collector.netdev.netlink=false",
            "--collector.netdev.enable-detailed-metrics=true",
        ],
    );
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    // pskit's netlink mode on a fixture: /proc/net/dev plus a nohandler
    // counter (0 where sysfs has none).
    let mut mine: Vec<&str> = vec!["--collector.disable-defaults", "--collector.netdev"];
    mine.extend(flags.iter().map(String::as_str));
    let o = common::parse(&common::pskit_scrape(&mine));
    assert_eq!(
        o.value(
            "node_network_receive_nohandler_total",
            &[("device", "eth0")]
        ),
        Some(0.0)
    );

    // A bad number: both fail the collector.
    f.write("proc/net/dev", &NET_DEV.replace("304590412", "30459x412"));
    let (t1, o, t2) = on_fixture(
        "netdev",
        &flags,
        &["--no-collector.netdev.netlink"],
        &["--collector.netdev.netlink=false"],
    );
    assert_same("netdev", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value("node_scrape_collector_success", &[("collector", "netdev")]),
        Some(0.0)
    );
    // A truncated line crashes node_exporter 1.5 (index out of range); pskit
    // fails the collector and carries on.
    f.write("proc/net/dev", &format!("{NET_DEV}  eth1: 1 2 3\n"));
    let o = common::parse(&common::pskit_scrape(&mine));
    assert_eq!(
        o.value("node_scrape_collector_success", &[("collector", "netdev")]),
        Some(0.0)
    );
    assert!(o.named("node_network_receive_bytes_total").is_empty());
}

#[test]
fn netclass_fixture_matches_node_exporter() {
    let f = Fixture::new("netclass");
    f.dir("proc")
        .write("sys/class/net/bonding_masters", "bond0\n")
        // A NIC that is up, with a speed.
        .write("sys/class/net/eth0/operstate", "up\n")
        .write("sys/class/net/eth0/speed", "1000\n")
        .write("sys/class/net/eth0/duplex", "full\n")
        .write("sys/class/net/eth0/address", "52:54:00:12:34:56\n")
        .write("sys/class/net/eth0/broadcast", "ff:ff:ff:ff:ff:ff\n")
        .write("sys/class/net/eth0/flags", "0x1003\n")
        .write("sys/class/net/eth0/mtu", "1500\n")
        .write("sys/class/net/eth0/carrier", "1\n")
        .write("sys/class/net/eth0/carrier_changes", "3\n")
        .write("sys/class/net/eth0/carrier_up_count", "2\n")
        .write("sys/class/net/eth0/carrier_down_count", "1\n")
        .write("sys/class/net/eth0/ifindex", "2\n")
        .write("sys/class/net/eth0/iflink", "2\n")
        .write("sys/class/net/eth0/type", "1\n")
        .write("sys/class/net/eth0/tx_queue_len", "1000\n")
        .write("sys/class/net/eth0/ifalias", "uplink \"a\"\n")
        .write("sys/class/net/eth0/dev_id", "0x0\n")
        .write("sys/class/net/eth0/netdev_group", "0\n")
        .write("sys/class/net/eth0/name_assign_type", "4\n")
        .write("sys/class/net/eth0/addr_assign_type", "0\n")
        .write("sys/class/net/eth0/link_mode", "0\n")
        .write("sys/class/net/eth0/dormant", "0\n")
        // A NIC without a speed file, and garbage in two numbers.
        .write("sys/class/net/nospeed0/operstate", "down\n")
        .write("sys/class/net/nospeed0/mtu", "garbage\n")
        .write("sys/class/net/nospeed0/carrier", "\n")
        // Speed -1 (unknown), and an empty directory.
        .write("sys/class/net/veth1/speed", "-1\n")
        .write("sys/class/net/veth1/operstate", "lowerlayerdown\n")
        .dir("sys/class/net/empty0");
    let flags = vec![
        format!("--path.procfs={}", f.path("proc")),
        format!("--path.sysfs={}", f.path("sys")),
    ];
    let (t1, o, t2) = on_fixture("netclass", &flags, &[], &[]);
    assert_same("netclass", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value("node_network_speed_bytes", &[("device", "eth0")]),
        Some(125_000_000.0)
    );
    assert_eq!(
        o.value("node_network_speed_bytes", &[("device", "veth1")]),
        Some(-125_000.0)
    );
    assert_eq!(
        o.value("node_network_speed_bytes", &[("device", "nospeed0")]),
        None
    );
    assert_eq!(
        o.value("node_network_flags", &[("device", "eth0")]),
        Some(4099.0)
    );
    let (t1, o, t2) = on_fixture(
        "netclass",
        &flags,
        &["--collector.netclass.ignore-invalid-speed"],
        &["--collector.netclass.ignore-invalid-speed=true"],
    );
    assert_same("netclass", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value("node_network_speed_bytes", &[("device", "veth1")]),
        None
    );

    // A device whose directory is gone (a dangling link): both fail the
    // collector and show nothing.
    std::os::unix::fs::symlink(
        f.root().join("nowhere"),
        f.root().join("sys/class/net/ghost0"),
    )
    .unwrap();
    let (t1, o, t2) = on_fixture("netclass", &flags, &[], &[]);
    assert_same("netclass", &t1, &o, &t2, |_| 0.0);
    assert!(o.named("node_network_up").is_empty());

    // No class/net at all: both fail the collector.
    std::fs::remove_dir_all(f.root().join("sys/class")).unwrap();
    let (t1, o, t2) = on_fixture("netclass", &flags, &[], &[]);
    assert_same("netclass", &t1, &o, &t2, |_| 0.0);
}

#[test]
fn filesystem_fixture_matches_node_exporter() {
    let f = Fixture::new("filesystem");
    let root = f.path("");
    let root = root.trim_end_matches('/');
    f.dir("data").dir("my disk").dir("sys").write(
        "proc/1/mounts",
        &format!(
            "/dev/vdb /data ext4 ro,relatime 0 0\n\
                 /dev/vdc /my\\040disk xfs rw 0 0\n\
                 server:/export /missing nfs4 rw 0 0\n\
                 /dev/vdb /data ext4 rw,relatime 0 0\n\
                 tmpfs {root}/data tmpfs rw 0 0\n\
                 proc /proc proc rw 0 0\n\
                 /dev/vdd /dev/shm ext4 rw 0 0\n"
        ),
    );
    let flags = vec![
        format!("--path.procfs={}", f.path("proc")),
        format!("--path.sysfs={}", f.path("sys")),
        format!("--path.rootfs={root}"),
        UPSTREAM_MOUNTS.to_string(),
    ];
    let (t1, o, t2) = on_fixture("filesystem", &flags, &[], &[]);
    assert_same("filesystem", &t1, &o, &t2, |name| match name {
        "node_filesystem_free_bytes" | "node_filesystem_avail_bytes" => 4.0 * MIB,
        "node_filesystem_files_free" => 256.0,
        _ => 0.0,
    });
    let dev = |d: &'static str, fs: &'static str, mp: &'static str| {
        [("device", d), ("fstype", fs), ("mountpoint", mp)]
    };
    assert_eq!(
        o.value(
            "node_filesystem_readonly",
            &dev("/dev/vdb", "ext4", "/data")
        ),
        Some(1.0)
    );
    assert_eq!(
        o.value(
            "node_filesystem_device_error",
            &dev("server:/export", "nfs4", "/missing")
        ),
        Some(1.0)
    );
    assert!(o
        .value(
            "node_filesystem_size_bytes",
            &dev("/dev/vdc", "xfs", "/my disk")
        )
        .is_some());

    // /proc/1/mounts missing: /proc/mounts.
    std::fs::rename(f.root().join("proc/1/mounts"), f.root().join("proc/mounts")).unwrap();
    let (t1, o, t2) = on_fixture("filesystem", &flags, &[], &[]);
    assert_same("filesystem", &t1, &o, &t2, |name| match name {
        "node_filesystem_free_bytes" | "node_filesystem_avail_bytes" => 4.0 * MIB,
        "node_filesystem_files_free" => 256.0,
        _ => 0.0,
    });
    assert!(!o.named("node_filesystem_size_bytes").is_empty());

    // A line of three fields: both fail the collector.
    f.write("proc/mounts", "/dev/vdb /data ext4\n");
    let (t1, o, t2) = on_fixture("filesystem", &flags, &[], &[]);
    assert_same("filesystem", &t1, &o, &t2, |_| 0.0);
    assert_eq!(
        o.value(
            "node_scrape_collector_success",
            &[("collector", "filesystem")]
        ),
        Some(0.0)
    );
}

#[test]
fn every_collector_is_registered_with_node_exporters_default() {
    for name in ["filesystem", "diskstats", "netdev", "netclass"] {
        let c = pskit_serve::COLLECTORS
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert!(c.default_enabled, "{name}");
    }
    // A bad regex is a failed scrape of that collector, not a crash.
    let o = common::parse(&common::pskit_scrape(&[
        "--collector.disable-defaults",
        "--collector.diskstats",
        "--collector.diskstats.device-exclude=(",
    ]));
    assert_eq!(
        o.value(
            "node_scrape_collector_success",
            &[("collector", "diskstats")]
        ),
        Some(0.0)
    );
}
