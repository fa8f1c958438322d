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
    assert!(text.starts_with("avg-cpu:"), "{text}");
    let head = text.lines().find(|l| l.starts_with("Device")).unwrap();
    let cols: Vec<&str> = head.split_whitespace().collect();
    assert_eq!(
        cols,
        [
            "Device",
            "tps",
            "kB_read/s",
            "kB_wrtn/s",
            "kB_read",
            "kB_wrtn"
        ]
    );
}

#[test]
fn extended_device_reports_over_an_interval() {
    let text = stdout(&pskit(&["iostat", "-d", "-x", "0.1", "2"]));
    assert!(!text.contains("avg-cpu"));
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("Device")).collect();
    assert_eq!(heads.len(), 2, "{text}");
    let cols: Vec<&str> = heads[0].split_whitespace().collect();
    assert_eq!(
        cols,
        [
            "Device", "r/s", "rkB/s", "rrqm/s", "r_await", "w/s", "wkB/s", "wrqm/s", "w_await",
            "%util"
        ]
    );
}

#[test]
fn json_is_one_object_per_report() {
    let text = stdout(&pskit(&["iostat", "--json", "0.1", "2"]));
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
            assert!((0.0..=100.0).contains(&util));
        }
    }
    let second = reports[1]["interval_secs"].as_f64().unwrap();
    assert!((0.1..5.0).contains(&second), "{second}");
    // A single report is a single JSON document.
    let one: serde_json::Value =
        serde_json::from_str(&stdout(&pskit(&["iostat", "-d", "--json"]))).unwrap();
    assert!(one.get("avg_cpu").is_none());
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["iostat", "0"][..],
        &["iostat", "abc"],
        &["iostat", "1", "0"],
        &["iostat", "--", "-1"],
        &["iostat", "-q"],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
}
