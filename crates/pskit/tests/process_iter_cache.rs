//! psutil's process_iter cache (`_pmap`): handles live on between calls, so
//! `cpu_percent` is real from the second call, and `cache_clear()` starts over.
//! Its own test binary: nothing else here touches the process-wide cache.

use std::process::{Command, Stdio};
use std::time::Duration;

fn cpu_of(pid: u32) -> Option<f64> {
    pskit::process_iter(["cpu_percent"])
        .unwrap()
        .into_iter()
        .find(|p| p.pid() == pid)
        .and_then(|p| p.cpu_percent.value())
}

#[test]
fn cpu_percent_is_real_from_the_second_call_and_cache_clear_starts_over() {
    let mut busy = Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pid = busy.id();
    pskit::process::process_iter_cache_clear();
    assert_eq!(
        cpu_of(pid),
        Some(0.0),
        "first call: no earlier sample (psutil)"
    );
    std::thread::sleep(Duration::from_millis(500));
    let second = cpu_of(pid).unwrap();
    assert!(
        second > 20.0,
        "a busy loop, measured across calls: {second}"
    );
    // The bare form hands out the same cached handles.
    let handles = pskit::process::processes().unwrap();
    let h = handles.iter().find(|p| p.pid() == pid).unwrap();
    assert_eq!(h.pid(), pid);
    pskit::process::process_iter_cache_clear();
    assert_eq!(cpu_of(pid), Some(0.0), "after cache_clear: fresh handles");
    busy.kill().unwrap();
    busy.wait().unwrap();
    // A gone process drops out of the cache with the next scan.
    assert_eq!(cpu_of(pid), None);
}
