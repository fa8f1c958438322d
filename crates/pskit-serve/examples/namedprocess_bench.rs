//! Times scrapes of the namedprocess collector in-process:
//! `namedprocess_bench [N] [pskit serve flags…]` prints the first scrape's
//! time (it reads every process's cmdline) and the median, mean and slowest
//! of the next N (default 50), with the number of groups and processes.
//!
//! ```text
//! cargo run --release -p pskit-serve --example namedprocess_bench -- 100 --collector.namedprocess.threads=false
//! ```

use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = match args.first().and_then(|a| a.parse().ok()) {
        Some(n) => {
            args.remove(0);
            n
        }
        None => 50,
    };
    let mut flags = vec![
        "pskit serve".to_string(),
        "--collector.disable-defaults".into(),
        "--collector.namedprocess".into(),
    ];
    flags.extend(args);
    let cfg = match pskit_serve::Config::parse(&flags) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            std::process::exit(2);
        }
    };
    let cpu = || {
        let t = pskit::Process::current().and_then(|p| p.cpu_times());
        t.map_or(0.0, |t| t.user + t.system)
    };
    let t = Instant::now();
    let first = pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg));
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(n);
    let mut text = first;
    let cpu0 = cpu();
    for _ in 0..n {
        let t = Instant::now();
        text = pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let cpu_ms = (cpu() - cpu0) * 1e3 / n.max(1) as f64;
    times.sort_by(|a, b| a.total_cmp(b));
    let procs: f64 = text
        .lines()
        .filter(|l| l.starts_with("namedprocess_namegroup_num_procs{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    let groups = text
        .lines()
        .filter(|l| l.starts_with("namedprocess_namegroup_num_procs{"))
        .count();
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    println!(
        "{groups} groups, {procs} processes, {} bytes; first scrape {first_ms:.1} ms; next {n}: median {:.2} ms, mean {mean:.2} ms, max {:.2} ms; CPU {cpu_ms:.1} ms a scrape",
        text.len(),
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0),
    );
}
