//! disk_partitions, disk_usage and disk_io_counters against psutil 7.2.2 on this
//! machine (reference §2.4, tolerances §7).

mod common;

use serde_json::Value;

fn ours<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn disk_partitions_equal_psutil() {
    let theirs = common::psutil("out = [p._asdict() for p in psutil.disk_partitions(all=False)]");
    assert_eq!(ours(pskit::disk_partitions(false).unwrap()), theirs);
    let theirs = common::psutil("out = [p._asdict() for p in psutil.disk_partitions(all=True)]");
    assert_eq!(ours(pskit::disk_partitions(true).unwrap()), theirs);
}

#[test]
fn disk_usage_matches_psutil_within_tolerance() {
    let theirs = common::psutil(
        "mounts = [p.mountpoint for p in psutil.disk_partitions(all=False)] + ['/']\n\
         out = {m: psutil.disk_usage(m)._asdict() for m in mounts}",
    );
    let theirs = theirs.as_object().unwrap();
    assert!(theirs.contains_key("/"));
    for (mount, t) in theirs {
        let u = pskit::disk_usage(mount).unwrap();
        let get = |k: &str| t[k].as_u64().unwrap();
        assert_eq!(u.total, get("total"), "total of {mount}");
        assert!(
            common::diff(u.used, get("used")) < common::TOLERANCE_DISK_USAGE,
            "used of {mount}"
        );
        assert!(
            common::diff(u.free, get("free")) < common::TOLERANCE_DISK_USAGE,
            "free of {mount}"
        );
        assert!(
            (u.percent - t["percent"].as_f64().unwrap()).abs() <= 1.0,
            "percent of {mount}"
        );
        assert!(u.used + u.free <= u.total);
    }
}

#[test]
fn disk_usage_of_a_missing_path_names_it() {
    let err = pskit::disk_usage("/nonexistent/pskit/disk").unwrap_err();
    assert!(err.to_string().contains("/nonexistent/pskit/disk"), "{err}");
    assert!(
        matches!(err, pskit::Error::Io { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
}

#[test]
fn inodes_match_statvfs_as_python_sees_it() {
    let theirs = common::psutil("import os\nst = os.statvfs('/')\nout = [st.f_files, st.f_ffree]");
    let i = pskit::disk_usage_inodes("/").unwrap();
    assert_eq!(i.total, theirs[0].as_u64().unwrap());
    assert!(common::diff(i.free, theirs[1].as_u64().unwrap()) < 10_000);
}

const FIELDS: [&str; 9] = [
    "read_count",
    "write_count",
    "read_bytes",
    "write_bytes",
    "read_time",
    "write_time",
    "read_merged_count",
    "write_merged_count",
    "busy_time",
];

/// Counters only grow: psutil's reading, taken between two of ours, must lie
/// between them field by field.
fn assert_between(before: &Value, theirs: &Value, after: &Value, what: &str) {
    for f in FIELDS {
        let (a, t, b) = (
            before[f].as_u64().unwrap(),
            theirs[f].as_u64().unwrap(),
            after[f].as_u64().unwrap(),
        );
        assert!(
            a <= t && t <= b,
            "{what}.{f}: pskit {a}, psutil {t}, pskit again {b}"
        );
    }
}

#[test]
fn disk_io_counters_perdisk_bracket_psutil() {
    let before = ours(pskit::disk_io_counters_perdisk(false).unwrap());
    let theirs = common::psutil(
        "out = {k: v._asdict() for k, v in psutil.disk_io_counters(perdisk=True, nowrap=False).items()}",
    );
    let after = ours(pskit::disk_io_counters_perdisk(false).unwrap());
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(keys(&before), keys(&theirs));
    for (name, t) in theirs.as_object().unwrap() {
        assert_between(&before[name], t, &after[name], name);
    }
}

#[test]
fn disk_io_counters_totals_bracket_psutil() {
    let before = ours(pskit::disk_io_counters(false).unwrap());
    let theirs = common::psutil(
        "c = psutil.disk_io_counters(nowrap=False)\nout = c._asdict() if c else None",
    );
    let after = ours(pskit::disk_io_counters(false).unwrap());
    assert_eq!(before.is_null(), theirs.is_null());
    if !theirs.is_null() {
        assert_between(&before, &theirs, &after, "totals");
    }
    // With nowrap on and no wrap having happened, the values are the raw ones.
    let raw = ours(pskit::disk_io_counters(false).unwrap());
    let dewrapped = ours(pskit::disk_io_counters(true).unwrap());
    let raw_after = ours(pskit::disk_io_counters(false).unwrap());
    if !raw.is_null() {
        assert_between(&raw, &dewrapped, &raw_after, "nowrap totals");
    }
}

#[test]
fn perdisk_map_comes_in_psutils_order() {
    let theirs = common::psutil("out = list(psutil.disk_io_counters(perdisk=True))");
    let ours: Vec<String> = pskit::disk_io_counters_perdisk(false)
        .unwrap()
        .into_keys()
        .collect();
    assert_eq!(serde_json::json!(ours), theirs);
}
