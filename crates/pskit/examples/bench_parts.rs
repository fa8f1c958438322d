//! Time of `process_iter` per attribute subset (which files cost what).
use std::time::Instant;
fn main() {
    let sets: [&[&str]; 6] = [
        &["pid"],
        &["uids"],
        &["memory_info"],
        &["cmdline"],
        &["name", "status", "cpu_times", "create_time", "ppid"],
        &[
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
        ],
    ];
    for s in sets {
        let _ = pskit::process_iter(s);
        let t = Instant::now();
        for _ in 0..30 {
            let _ = pskit::process_iter(s);
        }
        println!("{:?}: {:.3} ms", s, t.elapsed().as_secs_f64() * 1e3 / 30.0);
    }
}
