//! `diskstats`: node_disk_* from /proc/diskstats, with node_exporter 1.5's
//! names, help texts and device filter, and `node_disk_info` (plus the
//! filesystem, device-mapper and ATA families) from udev's database.
//!
//! As node_exporter (procfs 0.8) does, a line is kept when it has at least
//! the 14 fields of Linux < 4.18, and only the counters the line has are
//! exposed (discards need 4.18, flushes 5.5); a field that is not an
//! unsigned integer fails the whole collector.

use std::collections::HashMap;
use std::path::Path;

use crate::expo::Metrics;
use crate::node::devfilter::{self, DeviceFilter};
use crate::{Ctx, Opt};

/// node_exporter 1.5's `--collector.diskstats.device-exclude` default.
pub const DEFAULT_DEVICE_EXCLUDE: &str = r"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$";

/// The collector's flags, with node_exporter 1.5's defaults.
///
/// ```
/// let o = pskit_serve::node::diskstats::OPTIONS;
/// assert!(o.iter().any(|o| o.flag == "collector.diskstats.device-exclude"));
/// ```
pub const OPTIONS: &[Opt] = &[
    Opt {
        flag: "collector.diskstats.device-exclude",
        default: DEFAULT_DEVICE_EXCLUDE,
        help: "Regexp of diskstats devices to exclude (mutually exclusive to device-include)",
    },
    Opt {
        flag: "collector.diskstats.device-include",
        default: "",
        help: "Regexp of diskstats devices to include (mutually exclusive to device-exclude)",
    },
    Opt {
        flag: "collector.diskstats.ignored-devices",
        default: "",
        help: "DEPRECATED: Use collector.diskstats.device-exclude",
    },
    Opt {
        flag: "path.udev.data",
        default: "/run/udev/data",
        help: "udev data path",
    },
];

/// One line of /proc/diskstats: the device and its counters, `count` being
/// how many fields the line had (3 for major, minor and name, plus the
/// counters; at most 20).
///
/// ```
/// let d = pskit_serve::node::diskstats::parse("8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n").unwrap();
/// assert_eq!((d[0].major, d[0].name.as_str(), d[0].count), (8, "sda", 14));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Major device number.
    pub major: u32,
    /// Minor device number.
    pub minor: u32,
    /// Kernel name.
    pub name: String,
    /// The counters in the kernel's order (those the line lacks are 0).
    pub counters: [u64; 17],
    /// Fields the line had, up to 20.
    pub count: usize,
}

/// Parses /proc/diskstats as node_exporter 1.5 does (Go's
/// `fmt.Sscanf("%d %d %s %d …")` per line): lines with fewer than 14
/// fields are skipped, fields past the 20th ignored, and a field that is
/// not a number (or overflows) is an error naming the line.
///
/// ```
/// use pskit_serve::node::diskstats::parse;
/// assert!(parse("8 0 sda 1 2 3\n").unwrap().is_empty()); // too short: skipped
/// assert!(parse("8 0 sda x 2 3 4 5 6 7 8 9 10 11\n").is_err());
/// ```
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut count = 0;
        let mut d = Line {
            major: 0,
            minor: 0,
            name: String::new(),
            counters: [0; 17],
            count: 0,
        };
        let bad =
            |what: &str, tok: &str| format!("/proc/diskstats: {what} {tok:?} in line {line:?}");
        for (i, tok) in line.split_whitespace().take(20).enumerate() {
            // Go's %d takes no sign for an unsigned field; Rust's parse would.
            if i != 2 && tok.starts_with('+') {
                return Err(bad("bad field", tok));
            }
            match i {
                0 => d.major = tok.parse().map_err(|_| bad("bad major", tok))?,
                1 => d.minor = tok.parse().map_err(|_| bad("bad minor", tok))?,
                2 => d.name = tok.to_string(),
                _ => d.counters[i - 3] = tok.parse().map_err(|_| bad("bad counter", tok))?,
            }
            count = i + 1;
        }
        d.count = count;
        if count >= 14 {
            out.push(d);
        }
    }
    Ok(out)
}

/// The `E:` properties of a udev database entry (`E:ID_MODEL=…`).
///
/// ```
/// let p = pskit_serve::node::diskstats::parse_udev("S:disk/by-id/x\nE:ID_MODEL=QEMU\nE:ID_FS_TYPE=ext4\n");
/// assert_eq!(p["ID_MODEL"], "QEMU");
/// assert_eq!(p.len(), 2);
/// ```
pub fn parse_udev(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("E:"))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The families in the order of the counters, with their help texts and
/// whether they are counters, and the factor from the kernel's units.
const FAMILIES: [(&str, &str, bool, f64); 17] = [
    (
        "node_disk_reads_completed_total",
        "The total number of reads completed successfully.",
        true,
        1.0,
    ),
    (
        "node_disk_reads_merged_total",
        "The total number of reads merged.",
        true,
        1.0,
    ),
    (
        "node_disk_read_bytes_total",
        "The total number of bytes read successfully.",
        true,
        512.0,
    ),
    (
        "node_disk_read_time_seconds_total",
        "The total number of seconds spent by all reads.",
        true,
        0.001,
    ),
    (
        "node_disk_writes_completed_total",
        "The total number of writes completed successfully.",
        true,
        1.0,
    ),
    (
        "node_disk_writes_merged_total",
        "The number of writes merged.",
        true,
        1.0,
    ),
    (
        "node_disk_written_bytes_total",
        "The total number of bytes written successfully.",
        true,
        512.0,
    ),
    (
        "node_disk_write_time_seconds_total",
        "This is the total number of seconds spent by all writes.",
        true,
        0.001,
    ),
    (
        "node_disk_io_now",
        "The number of I/Os currently in progress.",
        false,
        1.0,
    ),
    (
        "node_disk_io_time_seconds_total",
        "Total seconds spent doing I/Os.",
        true,
        0.001,
    ),
    (
        "node_disk_io_time_weighted_seconds_total",
        "The weighted # of seconds spent doing I/Os.",
        true,
        0.001,
    ),
    (
        "node_disk_discards_completed_total",
        "The total number of discards completed successfully.",
        true,
        1.0,
    ),
    (
        "node_disk_discards_merged_total",
        "The total number of discards merged.",
        true,
        1.0,
    ),
    (
        "node_disk_discarded_sectors_total",
        "The total number of sectors discarded successfully.",
        true,
        1.0,
    ),
    (
        "node_disk_discard_time_seconds_total",
        "This is the total number of seconds spent by all discards.",
        true,
        0.001,
    ),
    (
        "node_disk_flush_requests_total",
        "The total number of flush requests completed successfully",
        true,
        1.0,
    ),
    (
        "node_disk_flush_requests_time_seconds_total",
        "This is the total number of seconds spent by all flush requests.",
        true,
        0.001,
    ),
];

/// The ATA families: udev property, name, help.
const ATA: [(&str, &str, &str); 3] = [
    (
        "ID_ATA_WRITE_CACHE",
        "node_disk_ata_write_cache",
        "ATA disk has a write cache.",
    ),
    (
        "ID_ATA_WRITE_CACHE_ENABLED",
        "node_disk_ata_write_cache_enabled",
        "ATA disk has its write cache enabled.",
    ),
    (
        "ID_ATA_ROTATION_RATE_RPM",
        "node_disk_ata_rotation_rate_rpm",
        "ATA disk rotation rate in RPMs (0 for SSDs).",
    ),
];

/// The device filter of the flags, as node_exporter 1.5 builds it.
fn filter(ctx: &Ctx) -> Result<DeviceFilter, String> {
    let exclude = devfilter::with_alias(
        "collector.diskstats.device-exclude",
        ctx.opt("collector.diskstats.device-exclude"),
        DEFAULT_DEVICE_EXCLUDE,
        "collector.diskstats.ignored-devices",
        ctx.opt("collector.diskstats.ignored-devices"),
    )?;
    let include = ctx.opt("collector.diskstats.device-include");
    if !exclude.is_empty() && !include.is_empty() {
        return Err("device-exclude & device-include are mutually exclusive".into());
    }
    DeviceFilter::new(
        "collector.diskstats.device-exclude",
        exclude,
        "collector.diskstats.device-include",
        include,
    )
}

/// Adds node_disk_* for every device of /proc/diskstats the filter keeps.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::diskstats::collect(cfg.ctx(), &mut m).unwrap();
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let filter = filter(ctx)?;
    let path = ctx.root.proc().join("diskstats");
    let lines = pskit::fs::with_text(&path, |t| {
        parse(t).map_err(|e| pskit::Error::parse(&path, e))
    })
    .map_err(|e| format!("couldn't get diskstats: {e}"))?;
    let udev = Path::new(ctx.opt("path.udev.data"));
    for d in lines {
        if filter.ignored(&d.name) {
            continue;
        }
        let dev = d.name.as_str();
        let info = pskit::fs::with_text(&udev.join(format!("b{}:{}", d.major, d.minor)), |t| {
            Ok(parse_udev(t))
        })
        .unwrap_or_default();
        let get = |k: &str| info.get(k).map(String::as_str).unwrap_or("");
        let (major, minor) = (d.major.to_string(), d.minor.to_string());
        m.gauge("node_disk_info", "Info of /sys/block/<block_device>.")
            .sample(
                &[
                    ("device", dev),
                    ("major", &major),
                    ("minor", &minor),
                    ("model", get("ID_MODEL")),
                    ("path", get("ID_PATH")),
                    ("revision", get("ID_REVISION")),
                    ("serial", get("ID_SERIAL_SHORT")),
                    ("wwn", get("ID_WWN")),
                ],
                1.0,
            );
        for (i, (name, help, counter, factor)) in FAMILIES.iter().enumerate() {
            if i + 3 >= d.count {
                break;
            }
            let f = if *counter {
                m.counter(name, help)
            } else {
                m.gauge(name, help)
            };
            f.sample(&[("device", dev)], d.counters[i] as f64 * factor);
        }
        if !get("ID_FS_TYPE").is_empty() {
            m.gauge("node_disk_filesystem_info", "Info about disk filesystem.")
                .sample(
                    &[
                        ("device", dev),
                        ("type", get("ID_FS_TYPE")),
                        ("usage", get("ID_FS_USAGE")),
                        ("uuid", get("ID_FS_UUID")),
                        ("version", get("ID_FS_VERSION")),
                    ],
                    1.0,
                );
        }
        if !get("DM_NAME").is_empty() {
            m.gauge(
                "node_disk_device_mapper_info",
                "Info about disk device mapper.",
            )
            .sample(
                &[
                    ("device", dev),
                    ("lv_layer", get("DM_LV_LAYER")),
                    ("lv_name", get("DM_LV_NAME")),
                    ("name", get("DM_NAME")),
                    ("uuid", get("DM_UUID")),
                    ("vg_name", get("DM_VG_NAME")),
                ],
                1.0,
            );
        }
        if !get("ID_ATA").is_empty() {
            for (prop, name, help) in ATA {
                if let Some(v) = info.get(prop).and_then(|v| v.parse::<f64>().ok()) {
                    m.gauge(name, help).sample(&[("device", dev)], v);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KERNEL_6: &str = " 254       0 vda 2943482 63927 91113562 7778745 778855 658646 302246896 1591104 0 328048 9443991 400141 62 184103568 68353 150559 5788\n   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    #[test]
    fn field_counts() {
        let d = parse(KERNEL_6).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].count, 20);
        assert_eq!(d[0].counters[16], 5788);
        // Linux 4.18..5.4: 18 fields; < 4.18: 14.
        let d = parse(
            "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n8 1 sda1 1 2 3 4 5 6 7 8 9 10 11\n",
        )
        .unwrap();
        assert_eq!((d[0].count, d[1].count), (18, 14));
        // Old partition lines (7 fields) and blank lines are skipped.
        assert!(parse("8 1 sda1 1 2 3 4\n\n").unwrap().is_empty());
        // Fields past the 20th are ignored, even garbage.
        let d = parse("8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 junk\n").unwrap();
        assert_eq!(d[0].count, 20);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",
            "8 0 sda 1 2 3 -4 5 6 7 8 9 10 11\n",
            "8 0 sda 1 2 3 4 5 6 7 8 9 10 99999999999999999999999\n",
            "4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",
            "8 0 sda 1 2 3 4 5 6 7 8 9 10 1.5\n",
            "8 0 sda +1 2 3 4 5 6 7 8 9 10 11\n",
            // Short, but Go's Sscanf fails at the bad field before running out.
            "8 0 sda zz\n",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.starts_with("/proc/diskstats: bad"), "{e}");
        }
        // Truncated mid-line: the short last line is skipped.
        assert_eq!(
            parse("8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 16 sdb 1 2")
                .unwrap()
                .len(),
            1
        );
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn udev_properties() {
        let p = parse_udev("E:ID_ATA=1\nE:BROKEN\nE:K=a=b\nI:123\n");
        assert_eq!(p.get("K").map(String::as_str), Some("a=b"));
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn default_filter() {
        let f = DeviceFilter::new("a", DEFAULT_DEVICE_EXCLUDE, "b", "").unwrap();
        for d in ["loop0", "ram1", "sda1", "vda2", "xvda1", "nvme0n1p1", "fd0"] {
            assert!(f.ignored(d), "{d}");
        }
        for d in ["sda", "vda", "nvme0n1", "dm-0", "zram0", "md0", "mmcblk0p1"] {
            assert!(!f.ignored(d), "{d}");
        }
    }
}
