//! Benchmark of the network calls against psutil in the same run.
//!
//! Run with `cargo run --release -p pskit --example bench_net [-- SLEEPERS RUNS]`.
//! It spawns SLEEPERS (default 400) `sleep 3000` processes so the fd scan of
//! `net_connections` has a realistic process table, times pskit (median of RUNS,
//! default 50) and psutil (`python3`, timeit, median), prints the ratios, and kills
//! the sleepers by pid.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median time of `f` in microseconds.
fn time_us<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    for _ in 0..3 {
        std::hint::black_box(f());
    }
    let samples = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    median(samples)
}

/// psutil's median time in microseconds for each expression.
fn psutil_us(exprs: &[(&str, &str)], runs: usize) -> Vec<f64> {
    let mut prog = String::from("import psutil, timeit, statistics\n");
    for (_, e) in exprs {
        prog.push_str(&format!(
            "f = lambda: {e}\nf()\nprint(statistics.median(timeit.repeat(f, number=1, repeat={runs})) * 1e6)\n"
        ));
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(&prog)
        .output()
        .expect("python3 with psutil is needed for the comparison");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().expect("a number"))
        .collect()
}

fn process_count() -> usize {
    std::fs::read_dir(pskit::Root::current().proc())
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                })
                .count()
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sleepers: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(400);
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);

    let mut children: Vec<Child> = (0..sleepers)
        .map(|_| {
            Command::new("sleep")
                .arg("3000")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn sleep")
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let nproc = process_count();

    let calls: [(&str, &str); 4] = [
        ("net_connections('inet')", "psutil.net_connections('inet')"),
        (
            "net_io_counters(pernic)",
            "psutil.net_io_counters(pernic=True)",
        ),
        ("net_if_addrs", "psutil.net_if_addrs()"),
        ("net_if_stats", "psutil.net_if_stats()"),
    ];
    let ours = [
        time_us(runs, || pskit::net_connections("inet").map(|v| v.len())),
        time_us(runs * 20, || {
            pskit::net_io_counters_pernic(true).map(|v| v.len())
        }),
        time_us(runs * 20, || pskit::net_if_addrs().map(|v| v.len())),
        time_us(runs * 20, || pskit::net_if_stats().map(|v| v.len())),
    ];
    // The spread of net_connections, to judge the noise of a shared machine.
    let mut spread: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let _ = std::hint::black_box(pskit::net_connections("inet").map(|v| v.len()));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    spread.sort_by(|a, b| a.total_cmp(b));
    let conns_all = time_us(runs, || pskit::net_connections("all").map(|v| v.len()));
    let theirs = psutil_us(&calls, runs);

    for c in &mut children {
        let _ = c.kill();
    }
    for c in &mut children {
        let _ = c.wait();
    }

    println!("processes: {nproc} ({sleepers} sleepers), medians of {runs}+ runs");
    println!(
        "{:26} {:>12} {:>12} {:>8}",
        "call", "pskit us", "psutil us", "ratio"
    );
    for (i, (name, _)) in calls.iter().enumerate() {
        println!(
            "{:26} {:>12.1} {:>12.1} {:>8.3}",
            name,
            ours[i],
            theirs[i],
            ours[i] / theirs[i]
        );
    }
    println!("{:26} {:>12.1}", "net_connections('all')", conns_all);
    println!(
        "net_connections('inet') spread: min {:.0} us, p90 {:.0} us, max {:.0} us",
        spread[0],
        spread[spread.len() * 9 / 10],
        spread[spread.len() - 1]
    );
}
