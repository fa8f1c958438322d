//! The ps-scan benchmark: pskit's `process_iter` with the ps attributes against
//! the floor program, procfs, sysinfo and psutil of `../shared/bench`, in one run.
//!
//! ```text
//! cargo run --release --example bench_scan -- ITERS FLOOR_BIN PEERS_BIN PSUTIL_SCAN_PY
//! ```
//! Any of the three peer paths may be `-` to skip it. Prints ms per scan and the
//! ratios to the floor.

use std::process::Command;
use std::time::Instant;

const ATTRS: [&str; 10] = [
    "pid",
    "ppid",
    "name",
    "status",
    "cpu_times",
    "memory_info",
    "uids",
    "num_threads",
    "cmdline",
    "create_time",
];

fn pskit_ms(iters: usize) -> (usize, f64) {
    scan_ms(&ATTRS, iters)
}

fn scan_ms(attrs: &[&str], iters: usize) -> (usize, f64) {
    let mut n = 0;
    let t = Instant::now();
    for _ in 0..iters {
        n = pskit::process_iter(attrs).map(|v| v.len()).unwrap_or(0);
    }
    (n, t.elapsed().as_secs_f64() * 1e3 / iters as f64)
}

/// Runs a peer and takes the number before " ms/scan" from its output.
fn peer_ms(cmd: &mut Command) -> Option<f64> {
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let before = text.split(" ms/scan").next()?;
    before.rsplit(' ').next()?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let iters: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let arg = |i: usize| args.get(i).filter(|a| *a != "-").cloned();
    let mut rows: Vec<(&str, Option<f64>)> = Vec::new();
    // Warm up the page cache and pskit's lazies once.
    let _ = pskit_ms(1);
    let (n, ms) = pskit_ms(iters);
    rows.push(("pskit", Some(ms)));
    if let Some(floor) = arg(2) {
        rows.push(("floor", peer_ms(Command::new(floor).arg(iters.to_string()))));
    }
    if let Some(peers) = arg(3) {
        rows.push((
            "procfs",
            peer_ms(Command::new(&peers).args(["procfs", &iters.to_string()])),
        ));
        rows.push((
            "sysinfo-warm",
            peer_ms(Command::new(&peers).args(["sysinfo-warm", &iters.to_string()])),
        ));
    }
    if let Some(py) = arg(4) {
        let py_iters = (iters / 4).max(2).to_string();
        rows.push((
            "psutil",
            peer_ms(Command::new("python3").args([py.as_str(), &py_iters])),
        ));
    }
    // The same scan without uids: the floor reads no status file (it takes the
    // owner of /proc/<pid>), psutil's uids need it.
    let no_uids: Vec<&str> = ATTRS.iter().copied().filter(|a| *a != "uids").collect();
    rows.push(("pskit w/o uids", Some(scan_ms(&no_uids, iters).1)));
    // pskit again, so drift during the run shows.
    let (_, ms2) = pskit_ms(iters);
    rows.push(("pskit (again)", Some(ms2)));
    let best = ms.min(ms2);
    let floor = rows.iter().find(|r| r.0 == "floor").and_then(|r| r.1);
    println!("{n} processes, {iters} scans each");
    for (name, v) in &rows {
        match v {
            Some(v) => {
                let vs_floor = floor
                    .map(|f| format!("{:.2}x floor", v / f))
                    .unwrap_or_default();
                println!(
                    "{name:>14}: {v:8.3} ms/scan  {vs_floor:>12}  pskit is {:.2}x faster",
                    v / best
                );
            }
            None => println!("{name:>14}: failed to run"),
        }
    }
}
