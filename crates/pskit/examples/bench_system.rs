//! Benchmark of the system-wide calls against psutil, in one run on one machine.
//!
//! ```text
//! cargo run --release -p pskit --example bench_system [-- PATH/TO/psutil_sys.py]
//! ```
//!
//! For each call, pskit's time per call is the best of 5 rounds, each as long as
//! Python's `timeit.autorange` would make it (≥ 0.2 s); psutil's comes from
//! `../shared/bench/psutil_sys.py`, run right after. The ratio is psutil ÷ pskit.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

type Call = (&'static str, fn());

/// The files each call must read: reading them whole with a reused buffer, and no
/// parsing, is the floor no implementation can beat.
fn floor_files(name: &str) -> &'static [&'static str] {
    match name {
        "cpu_times_percpu" | "boot_time" => &["/proc/stat"],
        "virtual_memory" => &["/proc/meminfo"],
        "swap_memory" => &["/proc/meminfo", "/proc/vmstat"],
        _ => &[],
    }
}

thread_local! {
    static FLOOR_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(64 * 1024));
}

fn floor(files: &'static [&'static str]) -> Duration {
    use std::io::Read;
    let read_all = move || {
        FLOOR_BUF.with(|b| {
            let mut b = b.borrow_mut();
            for f in files {
                // open, read until EOF into a buffer kept initialised, close: the
                // least work (read_to_end would add a statx and an lseek).
                if b.len() < 64 * 1024 {
                    b.resize(64 * 1024, 0);
                }
                if let Ok(mut file) = std::fs::File::open(f) {
                    let mut filled = 0;
                    while let Ok(n) = file.read(&mut b[filled..]) {
                        if n == 0 || filled + n == b.len() {
                            break;
                        }
                        filled += n;
                    }
                    black_box(filled);
                }
            }
        })
    };
    time_per_call_dyn(&read_all)
}

fn calls() -> Vec<Call> {
    vec![
        ("cpu_times_percpu", || {
            black_box(pskit::cpu_times_percpu().ok());
        }),
        ("cpu_count_phys", || {
            black_box(pskit::cpu_count(false));
        }),
        ("virtual_memory", || {
            black_box(pskit::virtual_memory().ok());
        }),
        ("swap_memory", || {
            black_box(pskit::swap_memory().ok());
        }),
        ("users", || {
            black_box(pskit::users().ok());
        }),
        ("boot_time", || {
            black_box(pskit::boot_time().ok());
        }),
    ]
}

/// Time per call: like timeit's autorange (grow the loop until it takes ≥ 0.2 s),
/// best of 5 rounds.
fn time_per_call(f: fn()) -> Duration {
    time_per_call_dyn(&f)
}

fn time_per_call_dyn(f: &dyn Fn()) -> Duration {
    let mut n = 1u32;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        if t.elapsed() >= Duration::from_millis(200) {
            break;
        }
        n *= 2;
    }
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n
        })
        .min()
        .unwrap_or_default()
}

fn psutil_times(script: &str) -> BTreeMap<String, f64> {
    let out = match Command::new("python3").arg(script).output() {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!("could not run {script}; psutil columns left empty");
            return BTreeMap::new();
        }
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.parse().ok()?))
        })
        .collect()
}

fn main() {
    let script = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/bench/psutil_sys.py"
        )
        .to_string()
    });
    let ours: Vec<(&str, f64, Option<f64>)> = calls()
        .into_iter()
        .map(|(name, f)| {
            let files = floor_files(name);
            let fl = (!files.is_empty()).then(|| floor(files).as_secs_f64() * 1e6);
            (name, time_per_call(f).as_secs_f64() * 1e6, fl)
        })
        .collect();
    let theirs = psutil_times(&script);
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>13} {:>13}",
        "call", "floor µs", "pskit µs", "psutil µs", "psutil/pskit", "pskit/floor"
    );
    let opt = |v: Option<f64>, prec: usize| v.map_or("-".to_string(), |v| format!("{v:.prec$}"));
    for (name, us, fl) in ours {
        let p = theirs.get(name).copied();
        println!(
            "{name:<20} {:>9} {us:>9.2} {:>9} {:>13} {:>13}",
            opt(fl, 2),
            opt(p, 1),
            opt(p.map(|p| p / us), 1),
            opt(fl.map(|f| us / f), 2),
        );
    }
}
