//! Hostile roots (issue #14): FIFOs, devices and oversized files where /proc and
//! /sys files are expected must give a clear error naming the path, never a hang,
//! an abort or an unbounded allocation; a process that exists but cannot be read
//! is reported, not dropped.

use std::sync::mpsc;
use std::time::Duration;

use pskit::Root;

mod common;

use common::Tree;

fn root_of(t: &Tree) -> Root {
    Root::new(&t.0)
}

/// Runs `f` under `root` on another thread; fails the test if it takes more than
/// 20 s (a hang) and returns its error text.
fn within<T: Send + 'static + std::fmt::Debug>(
    root: Root,
    f: impl FnOnce() -> pskit::Result<T> + Send + 'static,
) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = root.scope(f);
        let _ = tx.send(format!("{r:?}"));
        r.err().map(|e| e.to_string())
    });
    let got = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the call hung (blocked on a special file?)");
    assert!(got.starts_with("Err("), "expected an error, got {got}");
    got
}

const STAT: &str = "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nbtime 1700000000\n";

#[test]
fn fifos_where_files_are_expected_fail_fast_with_the_path() {
    let t = Tree::new("fifo");
    t.fifo("proc/stat")
        .fifo("proc/meminfo")
        .fifo("proc/self/mounts")
        .fifo("proc/self/cgroup")
        .fifo("proc/loadavg")
        .file("proc/filesystems", "\text4\n")
        .file("sys/class/hwmon/hwmon0/name", "coretemp\n")
        .fifo("sys/class/hwmon/hwmon0/temp1_input");
    let e = within(root_of(&t), pskit::cpu_times);
    assert!(e.contains("proc/stat") && e.contains("FIFO"), "{e}");
    let e = within(root_of(&t), pskit::virtual_memory);
    assert!(e.contains("proc/meminfo") && e.contains("FIFO"), "{e}");
    let e = within(root_of(&t), pskit::getloadavg);
    assert!(e.contains("proc/loadavg"), "{e}");
    let e = within(root_of(&t), || pskit::disk_partitions(false));
    assert!(e.contains("mounts") && e.contains("FIFO"), "{e}");
    within(root_of(&t), pskit::boot_time);
    // A sensor whose input is a FIFO is left out, quickly.
    let (tx, rx) = mpsc::channel();
    let root = root_of(&t);
    std::thread::spawn(move || {
        let _ = tx.send(root.scope(|| pskit::sensors_temperatures(false)).is_ok());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("sensors_temperatures hung on a FIFO");
    // Container limits read proc/self/cgroup: an error or "no limit", never a hang.
    let (tx, rx) = mpsc::channel();
    let root = root_of(&t);
    std::thread::spawn(move || {
        let _ = tx.send(root.scope(pskit::container::cpu_limit).is_ok());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("container::cpu_limit hung on a FIFO");
}

#[test]
fn devices_and_huge_files_are_capped() {
    let t = Tree::new("dev");
    t.link("proc/meminfo", "/dev/zero")
        .link("proc/stat", "/dev/urandom");
    let e = within(root_of(&t), pskit::virtual_memory);
    assert!(
        e.contains("proc/meminfo") && e.contains("character device"),
        "{e}"
    );
    let e = within(root_of(&t), pskit::cpu_times);
    assert!(e.contains("proc/stat"), "{e}");
}

#[test]
fn an_enormous_cpu_list_is_refused_not_expanded() {
    let t = Tree::new("cpulist");
    t.file("sys/devices/system/cpu/online", &"0-65536,".repeat(20_000));
    // A cpu list that would expand to billions of entries: refused, not built.
    let (tx, rx) = mpsc::channel();
    let root = root_of(&t);
    std::thread::spawn(move || {
        let _ = tx.send(format!("{:?}", root.scope(|| pskit::cpu_count(true))));
    });
    let got = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("cpu_count hung");
    // psutil's answer when the count cannot be determined.
    assert_eq!(got, "None");
}

#[test]
fn a_huge_regular_file_hits_the_cap_with_a_clear_error() {
    let t = Tree::new("big");
    // 17 MiB of meminfo-looking lines: past the 16 MiB cap of ordinary files.
    let line = "MemTotal:       16384 kB\n";
    let big = line.repeat((17 << 20) / line.len() + 1);
    t.file("proc/meminfo", &big);
    let e = within(root_of(&t), pskit::virtual_memory);
    assert!(e.contains("proc/meminfo") && e.contains("MiB"), "{e}");
}

#[test]
fn an_unreadable_process_is_reported_not_dropped() {
    let t = Tree::new("procs");
    let good = "1 (init) S 0 1 1 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 1 0 10 1000 100 \
                18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    t.file("proc/stat", STAT)
        .file("proc/1/stat", good)
        .file("proc/2/stat", "2 (broken) garbage\n")
        .fifo("proc/3/stat");
    let root = root_of(&t);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = root.scope(|| pskit::process::process_scan(["name", "ppid"]));
        let _ = tx.send(r.map(|s| {
            (
                s.processes.iter().map(|p| p.pid()).collect::<Vec<_>>(),
                s.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            )
        }));
    });
    let (pids, errors) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("process_scan hung")
        .unwrap();
    assert_eq!(pids, vec![1]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("2/stat"), "{errors:?}");
    assert!(
        errors[1].contains("3/stat") && errors[1].contains("FIFO"),
        "{errors:?}"
    );
    // process_iter raises the first such error, as psutil's generator would.
    let e = within(root_of(&t), || pskit::process_iter(["name"]));
    assert!(e.contains("2/stat"), "{e}");
}
