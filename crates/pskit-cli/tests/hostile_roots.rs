//! Commands under hostile roots (issue #14): with FIFOs, devices and garbage where
//! /proc and /sys files are expected (`HOST_ROOT`), every command finishes quickly,
//! never panics, names the file it could not read, and says so in its exit
//! status; a process that exists but cannot be parsed is reported, not dropped.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "../../pskit/tests/common/mod.rs"]
mod common;

use common::Tree;

/// Runs pskit under `root`; kills it and fails the test after 20 s (a hang).
fn run(root: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .env("HOST_ROOT", root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pskit {args:?} hung under a hostile root");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(101),
        "pskit {args:?} panicked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const STAT: &str = "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nbtime 1700000000\n";
const MEMINFO: &str = "MemTotal: 1000 kB\nMemFree: 500 kB\nMemAvailable: 600 kB\nBuffers: 1 kB\n\
Cached: 2 kB\nShmem: 0 kB\nSReclaimable: 0 kB\nActive: 1 kB\nInactive: 1 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n";
const GOOD_STAT: &str = "1 (init) S 0 1 1 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 1 0 10 1000 100 \
18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

#[test]
fn special_files_fail_fast_with_the_path_and_a_failing_status() {
    let t = Tree::new("fifo");
    t.fifo("proc/stat")
        .fifo("proc/meminfo")
        .fifo("proc/self/mounts")
        .fifo("proc/self/cgroup")
        .fifo("proc/loadavg")
        .fifo("proc/uptime")
        .fifo("proc/diskstats")
        .file("sys/class/hwmon/hwmon0/name", "coretemp\n")
        .fifo("sys/class/hwmon/hwmon0/temp1_input");
    for (args, path) in [
        (&["free"][..], "meminfo"),
        (&["top", "-b", "-n", "1"][..], "proc/stat"),
        (&["df"][..], "mounts"),
        (&["iostat"][..], "proc/"),
        (&["uptime"][..], "proc/"),
        (&["ps"][..], "proc/"),
        (&["dump"][..], "FIFO"),
    ] {
        let out = run(&t.0, args);
        let err = String::from_utf8_lossy(&out.stderr);
        let text = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
        assert!(
            !out.status.success() || args[0] == "dump",
            "pskit {args:?} exited 0: {text}"
        );
        assert!(
            text.contains(path),
            "pskit {args:?} did not name {path}: {text}"
        );
    }
    // sensors: the FIFO sensor is left out; no hang, no panic.
    run(&t.0, &["sensors"]);
}

#[test]
fn devices_in_place_of_files_are_refused() {
    let t = Tree::new("dev");
    t.link("proc/meminfo", "/dev/zero").file("proc/stat", STAT);
    let out = run(&t.0, &["free"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("meminfo") && err.contains("character device"),
        "{err}"
    );
}

#[test]
fn an_unparsable_process_is_reported_by_ps_top_and_pstree() {
    let t = Tree::new("procs");
    t.file("proc/stat", STAT)
        .file("proc/meminfo", MEMINFO)
        .file("proc/loadavg", "0.1 0.2 0.3 1/10 100\n")
        .file("proc/uptime", "100.0 50.0\n")
        .file("proc/1/stat", GOOD_STAT)
        .file(
            "proc/1/status",
            "Name:\tinit\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
        )
        .file("proc/1/statm", "100 50 10 1 0 20 0\n")
        .file("proc/1/cmdline", "init\0")
        .file("proc/2/stat", "2 (broken) garbage\n")
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    for args in [
        &["ps"][..],
        &["ps", "--json"][..],
        &["pstree"][..],
        &["top", "-b", "-n", "1"][..],
    ] {
        let out = run(&t.0, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "pskit {args:?} exited 0: {err}");
        assert!(err.contains("proc/2/stat"), "pskit {args:?}: {err}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("init"),
            "pskit {args:?} dropped the readable process"
        );
    }
}
