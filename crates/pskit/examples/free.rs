//! A clone of the `free` command: system memory and swap in KiB.
//!
//! Port of psutil's `scripts/free.py`, with the same output:
//!
//! ```text
//! $ cargo run -p pskit --example free
//!              total       used       free     shared    buffers      cache
//! Mem:      10125520    8625996    1499524          0     349500    3307836
//! Swap:            0          0          0
//! ```

fn main() -> pskit::Result<()> {
    let virt = pskit::virtual_memory()?;
    let swap = pskit::swap_memory()?;
    // psutil's `int(n / 1024)`: a float division, truncated.
    let kib = |n: u64| ((n as f64 / 1024.0) as u64).to_string();
    let row = |cols: [&str; 7]| {
        let [a, b, c, d, e, f, g] = cols;
        println!("{a:<7} {b:>10} {c:>10} {d:>10} {e:>10} {f:>10} {g:>10}");
    };
    row(["", "total", "used", "free", "shared", "buffers", "cache"]);
    row([
        "Mem:",
        &kib(virt.total),
        &kib(virt.used),
        &kib(virt.free),
        &kib(virt.shared),
        &kib(virt.buffers),
        &kib(virt.cached),
    ]);
    row([
        "Swap:",
        &kib(swap.total),
        &kib(swap.used),
        &kib(swap.free),
        "",
        "",
        "",
    ]);
    Ok(())
}
