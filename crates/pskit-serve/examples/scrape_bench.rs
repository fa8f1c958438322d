//! CPU per scrape, in-process: `scrape_bench [N] [pskit serve flags…]` runs
//! each enabled collector N times (default 500) and prints its CPU time per
//! call (this thread's CPU clock: user + system, so the kernel's share of
//! the reads counts), then the same for a whole scrape, the text and
//! OpenMetrics encodings and gzip of the OpenMetrics body.
//!
//! ```text
//! cargo run --release -p pskit-serve --example scrape_bench -- 500 --collector.disable-defaults --collector.netclass
//! ```

use std::hint::black_box;

/// This thread's CPU time in microseconds (user + system).
fn thread_cpu_us() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 * 1e6 + t.tv_nsec as f64 / 1e3
}

fn per_call(n: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm
    let t = thread_cpu_us();
    for _ in 0..n {
        f();
    }
    (thread_cpu_us() - t) / n as f64
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = match args.first().and_then(|a| a.parse().ok()) {
        Some(n) => {
            args.remove(0);
            n
        }
        None => 500,
    };
    let mut flags = vec!["pskit serve".to_string()];
    flags.extend(args);
    let cfg = match pskit_serve::Config::parse(&flags) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            std::process::exit(2);
        }
    };
    let ctx = cfg.ctx();
    let mut total = 0.0;
    for c in &cfg.enabled {
        let us = ctx.root.clone().scope(|| {
            per_call(n, || {
                let mut m = pskit_serve::expo::Metrics::default();
                let _ = black_box((c.collect)(ctx, &mut m));
                black_box(m);
            })
        });
        total += us;
        println!("{:<18} {us:8.1} µs", c.name);
    }
    println!("{:<18} {total:8.1} µs", "(sum)");
    let scrape = per_call(n, || {
        black_box(pskit_serve::scrape(&cfg));
    });
    println!("{:<18} {scrape:8.1} µs", "scrape");
    let m = pskit_serve::scrape(&cfg);
    let text = per_call(n, || {
        black_box(pskit_serve::expo::encode_text(&m));
    });
    println!("{:<18} {text:8.1} µs", "encode text");
    let shared = std::sync::Arc::new(m.clone());
    let om = per_call(n, || {
        black_box(pskit_serve::expo::encode_openmetrics_shared(shared.clone()).unwrap());
    });
    println!("{:<18} {om:8.1} µs", "encode openmetrics");
    let body = pskit_serve::expo::encode_openmetrics(&m).unwrap();
    let gz = per_call(n, || {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(body.as_bytes()).unwrap();
        black_box(e.finish().unwrap());
    });
    println!("{:<18} {gz:8.1} µs ({} B)", "gzip", body.len());
}
