//! The pskit command for the system-wide API: dump against psutil, free against
//! procps free, summary, uptime and who, and bad arguments.

#[path = "../../pskit/tests/common/mod.rs"]
mod common;

use std::process::{Command, Output};

use common::{diff, psutil, retry_on_failure, TOLERANCE_SYS_MEM};
use serde_json::Value;

fn pskit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .output()
        .expect("run pskit")
}

fn pskit_json(args: &[&str]) -> Value {
    let out = pskit(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn dump_agrees_with_psutil() {
    let ours = pskit_json(&["dump"]);
    let theirs = psutil(
        "f = lambda x: x._asdict() if hasattr(x, '_asdict') else x\n\
         out = {\n\
           'cpu_times': f(psutil.cpu_times()),\n\
           'cpu_times_percpu': [f(t) for t in psutil.cpu_times(percpu=True)],\n\
           'cpu_count': {'logical': psutil.cpu_count(), 'physical': psutil.cpu_count(logical=False)},\n\
           'cpu_stats': f(psutil.cpu_stats()),\n\
           'cpu_freq': f(psutil.cpu_freq()) if psutil.cpu_freq() else None,\n\
           'getloadavg': list(psutil.getloadavg()),\n\
           'virtual_memory': f(psutil.virtual_memory()),\n\
           'swap_memory': f(psutil.swap_memory()),\n\
           'boot_time': psutil.boot_time(),\n\
           'users': [f(u) for u in psutil.users()],\n\
         }",
    );
    for key in theirs.as_object().unwrap().keys() {
        assert!(ours.get(key).is_some(), "dump lacks {key}");
    }
    assert_eq!(ours["errors"], serde_json::json!({}), "no function failed");
    // cpu_percent: the first non-blocking call, the busy share since boot.
    let t = &ours["cpu_times"];
    let g = |k: &str| t[k].as_f64().unwrap();
    let total: f64 = [
        "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
    ]
    .iter()
    .map(|k| g(k))
    .sum();
    let since_boot = (total - g("idle") - g("iowait")) / total * 100.0;
    let p = ours["cpu_percent"].as_f64().unwrap();
    assert!((p - since_boot).abs() <= 0.15, "{p} vs {since_boot}");
    assert_eq!(ours["cpu_count"], theirs["cpu_count"]);
    assert_eq!(ours["boot_time"], theirs["boot_time"]);
    assert_eq!(ours["users"], theirs["users"]);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    for k in ["cpu_times", "cpu_stats", "virtual_memory", "swap_memory"] {
        assert_eq!(
            keys(&ours[k]),
            keys(&theirs[k]),
            "{k} fields in psutil's order"
        );
    }
    for k in keys(&theirs["cpu_times"]) {
        let (a, b) = (
            ours["cpu_times"][&k].as_f64().unwrap(),
            theirs["cpu_times"][&k].as_f64().unwrap(),
        );
        assert!((a - b).abs() <= 1.0, "cpu_times.{k}");
    }
    assert_eq!(
        ours["cpu_times_percpu"].as_array().unwrap().len(),
        theirs["cpu_times_percpu"].as_array().unwrap().len()
    );
    let (vo, vt) = (&ours["virtual_memory"], &theirs["virtual_memory"]);
    assert_eq!(vo["total"], vt["total"]);
    // Memory moves between two reads: compare with fresh pairs of reads until one
    // agrees, as psutil's tests do (retry_on_failure).
    retry_on_failure(|| {
        let ours = pskit_json(&["dump", "--compact"]);
        let theirs = psutil("out = psutil.virtual_memory()._asdict()");
        for k in ["available", "used", "free"] {
            let (a, b) = (
                ours["virtual_memory"][k].as_u64().unwrap(),
                theirs[k].as_u64().unwrap(),
            );
            if diff(a, b) >= TOLERANCE_SYS_MEM {
                return Err(format!("{k}: pskit {a} psutil {b}"));
            }
        }
        Ok(())
    });
    assert_eq!(ours["swap_memory"]["total"], theirs["swap_memory"]["total"]);
    for i in 0..3 {
        let (a, b) = (
            ours["getloadavg"][i].as_f64().unwrap(),
            theirs["getloadavg"][i].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 1.0);
    }
    assert_eq!(ours["cpu_freq"]["min"], theirs["cpu_freq"]["min"]);
    assert_eq!(ours["cpu_freq"]["max"], theirs["cpu_freq"]["max"]);
}

fn free_b() -> Vec<Vec<u64>> {
    let out = Command::new("free")
        .arg("-b")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("procps free");
    parse_free(&String::from_utf8_lossy(&out.stdout))
}

fn parse_free(text: &str) -> Vec<Vec<u64>> {
    text.lines()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .map(|t| t.parse().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn free_bytes_agrees_with_procps_free() {
    retry_on_failure(|| {
        let out = pskit(&["free", "-b", "-t"]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with(
            "               total        used        free      shared  buff/cache   available\n"
        ));
        let ours = parse_free(&text);
        let theirs = free_b();
        assert_eq!(ours.len(), 3, "Mem, Swap and Total rows");
        assert_eq!(ours[0][0], theirs[0][0], "total is exact");
        assert_eq!(ours[1][0], theirs[1][0], "swap total");
        assert_eq!(
            ours[2][0],
            ours[0][0] + ours[1][0],
            "Total row sums Mem and Swap"
        );
        for col in 1..6 {
            let (a, b) = (ours[0][col], theirs[0][col]);
            if diff(a, b) >= TOLERANCE_SYS_MEM {
                return Err(format!("Mem column {col}: pskit {a} free {b}"));
            }
        }
        Ok(())
    });
}

#[test]
fn free_repeats_with_count_and_json_lines() {
    let out = pskit(&["free", "-c", "2", "-s", "0.1", "--json"]);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["virtual_memory"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn free_human_units() {
    let out = pskit(&["free", "-h"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().nth(1).unwrap().contains("i"), "{text}");
    let out = pskit(&["free", "--si", "-h"]);
    assert!(out.status.success());
}

#[test]
fn summary_shows_cpu_memory_and_load() {
    let out = pskit(&[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["CPU", "cpu0", "Mem", "Swap", "load"] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    // A busy child is among the busiest processes.
    let mut busy = Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let v = pskit_json(&["--json"]);
    busy.kill().unwrap();
    busy.wait().unwrap();
    let top: Vec<u64> = v["busiest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["pid"].as_u64().unwrap())
        .collect();
    assert!(top.contains(&(busy.id() as u64)), "{top:?}");
    assert_eq!(
        v["cpu_percent_percpu"].as_array().unwrap().len() as u32,
        pskit::cpu_count(true).unwrap()
    );
    assert!(v["virtual_memory"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn uptime_since_is_boot_time_and_who_json_is_users() {
    let theirs = psutil(
        "import datetime\n\
         out = [datetime.datetime.fromtimestamp(psutil.boot_time()).strftime('%Y-%m-%d %H:%M:%S'),\n\
                [u._asdict() for u in psutil.users()]]",
    );
    // uptime -s is procps's (now − /proc/uptime, rounded), which can be a second
    // away from psutil's boot_time (stat's btime, truncated).
    let out = pskit(&["uptime", "-s"]);
    let ours = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let procps = Command::new("uptime").arg("-s").output().unwrap();
    let procps = String::from_utf8_lossy(&procps.stdout).trim().to_string();
    let within_a_second = |a: &str, b: &str| {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        (t(a) - t(b)).num_seconds().abs() <= 1
    };
    assert_eq!(ours, procps);
    assert!(within_a_second(&ours, theirs[0].as_str().unwrap()));
    assert_eq!(pskit_json(&["who", "--json"]), theirs[1]);
    let text = String::from_utf8_lossy(&pskit(&["uptime"]).stdout).into_owned();
    assert!(
        text.contains(" up ") && text.contains("load average: "),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&pskit(&["uptime", "-p"]).stdout).starts_with("up "));
    let v = pskit_json(&["uptime", "--json"]);
    assert_eq!(
        v["boot_time"],
        serde_json::json!(pskit::boot_time().unwrap())
    );
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for args in [
        &["nosuchcommand"][..],
        &["free", "--bogus"],
        &["uptime", "extra"],
        &["dump", "--nope"],
    ] {
        let out = pskit(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?} printed no message");
    }
}

#[test]
fn host_root_environment_points_every_read_at_another_root() {
    let out = Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(["dump"])
        .env("HOST_ROOT", common::fixture("cpu_sysfs"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cpu_count"]["logical"], 4);
    assert_eq!(v["cpu_count"]["physical"], 2);
    assert_eq!(v["boot_time"], 1_700_000_000.0);
    assert_eq!(v["getloadavg"], serde_json::json!([1.5, 0.75, 0.25]));
    // The fixture has no meminfo: that function's error is reported, not hidden.
    assert_eq!(v["virtual_memory"], Value::Null);
    assert!(v["errors"]["virtual_memory"]
        .as_str()
        .unwrap()
        .contains("meminfo"));
    // HOST_PROC alone overrides just procfs.
    let out = Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(["dump", "--compact"])
        .env(
            "HOST_PROC",
            common::fixture("meminfo_no_available").join("proc"),
        )
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["virtual_memory"]["total"], 2_000_000u64 * 1024);
    assert_eq!(v["swap_memory"]["sin"], 10 * 4096);
}
