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

fn main() {
    let calls: [(&str, Box<dyn FnMut()>); 6] = [
        (
            "disk_partitions",
            Box::new(|| drop(black_box(pskit::disk_partitions(false)).unwrap())),
        ),
        (
            "disk_partitions_all",
            Box::new(|| drop(black_box(pskit::disk_partitions(true)).unwrap())),
        ),
        (
            "disk_usage",
            Box::new(|| drop(black_box(pskit::disk_usage("/")).unwrap())),
        ),
        (
            "disk_io_counters",
            Box::new(|| drop(black_box(pskit::disk_io_counters_perdisk(true)).unwrap())),
        ),
        (
            "disk_io_counters_total",
            Box::new(|| drop(black_box(pskit::disk_io_counters(true)).unwrap())),
        ),
        (
            "sensors_temperatures",
            Box::new(|| drop(black_box(pskit::sensors_temperatures(false)).unwrap())),
        ),
    ];
    for (name, mut f) in calls {
        let d = per_call(&mut f);
        println!("{name:24} {:10.2} us", d.as_secs_f64() * 1e6);
    }
}
