//! `pskit iostat`: reports since boot and over intervals, JSON lines, bad arguments.

use std::process::{Command, Output};

fn pskit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn one_report_since_boot_with_cpu() {
    let text = stdout(&pskit(&["iostat"]));
    assert!(text.starts_with("Linux "), "{text}");
    assert_eq!(text.lines().nth(1), Some(""), "{text}");
    assert!(
        text.lines().nth(2).unwrap().starts_with("avg-cpu:"),
        "{text}"
    );
    let head = text.lines().find(|l| l.starts_with("Device")).unwrap();
    let cols: Vec<&str> = head.split_whitespace().collect();
    assert_eq!(
        cols,
        [
            "Device",
            "tps",
            "kB_read/s",
            "kB_wrtn/s",
            "kB_dscd/s",
            "kB_read",
            "kB_wrtn",
            "kB_dscd"
        ]
    );
}

#[test]
fn extended_device_reports_over_an_interval() {
    let text = stdout(&pskit(&["iostat", "-d", "-x", "1", "2"]));
    assert!(!text.contains("avg-cpu"));
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("Device")).collect();
    assert_eq!(heads.len(), 2, "{text}");
    let cols: Vec<&str> = heads[0].split_whitespace().collect();
    assert_eq!(
        cols,
        [
            "Device", "r/s", "rkB/s", "rrqm/s", "%rrqm", "r_await", "rareq-sz", "w/s", "wkB/s",
            "wrqm/s", "%wrqm", "w_await", "wareq-sz", "d/s", "dkB/s", "drqm/s", "%drqm", "d_await",
            "dareq-sz", "f/s", "f_await", "aqu-sz", "%util"
        ]
    );
}

#[test]
fn json_is_one_object_per_report() {
    let text = stdout(&pskit(&["iostat", "--json", "1", "2"]));
    let reports: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert!(r["devices"].is_object());
        assert!(r["avg_cpu"]["idle"].as_f64().unwrap() >= 0.0);
        for d in r["devices"].as_object().unwrap().values() {
            let util = d["util"].as_f64().unwrap();
            assert!(util >= 0.0, "{util}");
            assert!(d["tps"].as_f64().unwrap() >= 0.0);
        }
    }
    let second = reports[1]["interval_secs"].as_f64().unwrap();
    assert!((0.5..5.0).contains(&second), "{second}");
    // A single report is a single JSON document.
    let one: serde_json::Value =
        serde_json::from_str(&stdout(&pskit(&["iostat", "-d", "--json"]))).unwrap();
    assert!(one.get("avg_cpu").is_none());
}

/// sysstat's usage and exit status 1; never a panic, whatever the number.
#[test]
fn bad_arguments_exit_1() {
    for args in [
        &["iostat", "1", "0"][..],
        &["iostat", "0", "3"],
        &["iostat", "--", "-1"],
        &["iostat", "-q"],
        &["iostat", "-k", "-m"],
        &["iostat", "1", "2", "3"],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).starts_with("Usage: pskit iostat [ options ]"),
            "{args:?}"
        );
        assert!(o.stdout.is_empty());
    }
    // Not all digits: a device name (none such: an empty device list), as in sysstat.
    for word in ["1e300", "NaN", "-0", "abc"] {
        let o = pskit(&["iostat", "-d", word]);
        if word == "-0" {
            assert_eq!(o.status.code(), Some(1));
            continue;
        }
        let text = stdout(&o);
        assert!(text.contains("Device"), "{word}: {text}");
        assert_eq!(
            text.lines().filter(|l| !l.is_empty()).count(),
            2,
            "{word}: {text}"
        );
    }
    // A huge interval with a count of 1: one report, no sleep.
    let o = pskit(&["iostat", "-c", "99999999999999999999999", "1"]);
    assert!(stdout(&o).contains("avg-cpu"));
}

/// `-V` prints the version on stdout and exits 0, as sysstat's does, even
/// before arguments that would be a usage error.
#[test]
fn version_exits_0() {
    for args in [&["iostat", "-V"][..], &["iostat", "-xV", "1", "0"]] {
        let o = pskit(args);
        let text = stdout(&o);
        assert_eq!(
            text,
            format!("pskit iostat version {}\n", env!("CARGO_PKG_VERSION")),
            "{args:?}"
        );
        assert!(o.stderr.is_empty());
    }
}
