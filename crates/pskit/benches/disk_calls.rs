//! µs per call of the disk and sensor functions, timed like Python's
//! `timeit.autorange` so the numbers compare with /work/shared/bench/psutil_sys.py
//! (same call set: disk_partitions(), disk_usage("/"), disk_io_counters(perdisk),
//! sensors_temperatures()). Run with `cargo bench --bench disk_calls`.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The best of 5 rounds, each long enough (≥ 0.2 s) to average out the clock.
fn per_call(mut f: impl FnMut()) -> Duration {
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

/// Runs one call and hands its result to `black_box`, failing loudly on an error.
fn call<T>(r: pskit::Result<T>) {
    black_box(r.unwrap());
}

type Call = (&'static str, fn());

fn main() {
    let calls: [Call; 6] = [
        ("disk_partitions", || call(pskit::disk_partitions(false))),
        ("disk_partitions_all", || call(pskit::disk_partitions(true))),
        ("disk_usage", || call(pskit::disk_usage("/"))),
        ("disk_io_counters", || {
            call(pskit::disk_io_counters_perdisk(true))
        }),
        ("disk_io_counters_total", || {
            call(pskit::disk_io_counters(true))
        }),
        ("sensors_temperatures", || {
            call(pskit::sensors_temperatures(false))
        }),
    ];
    for (name, f) in calls {
        let d = per_call(f);
        println!("{name:24} {:10.2} us", d.as_secs_f64() * 1e6);
    }
}
