//! End to end through the CLI binary: `pskit serve` as a user runs it
//! (built here with cargo when the test run did not build it already).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// target/debug/pskit, built (or found up to date) once per test run.
fn pskit() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| {
        let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let st = Command::new(cargo)
            .args(["build", "-q", "-p", "pskit-cli", "--bin", "pskit"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build -p pskit-cli");
        assert!(st.success(), "cargo build -p pskit-cli failed");
        target.join("debug/pskit").to_string_lossy().into_owned()
    })
}

#[test]
fn pskit_serve_serves_metrics() {
    let s = common::start(
        pskit(),
        &[
            "serve",
            "--web.listen-address=127.0.0.1:{port}",
            "--web.max-requests=3",
        ],
    );
    let body = common::get(&s.url("/metrics"));
    let m = common::parse(&body);
    assert!(m.value("node_load1", &[]).is_some());
    assert_eq!(common::request("GET", &s.url("/"), &[]).status, 200);
    assert_eq!(common::request("GET", &s.url("/nope"), &[]).status, 404);
}

#[test]
fn colon_port_listens_on_ipv4_and_ipv6() {
    let s = common::start(pskit(), &["serve", "--web.listen-address=:{port}"]);
    assert_eq!(common::request("GET", &s.url("/metrics"), &[]).status, 200);
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let r = common::request("GET", &format!("http://[::1]:{}/metrics", s.port), &[]);
        assert_eq!(r.status, 200);
    }
}

#[test]
fn several_listen_addresses() {
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port2 = other.local_addr().unwrap().port();
    drop(other);
    let second = format!("--web.listen-address=127.0.0.1:{port2}");
    let s = common::start(
        pskit(),
        &["serve", "--web.listen-address=127.0.0.1:{port}", &second],
    );
    assert_eq!(common::request("GET", &s.url("/metrics"), &[]).status, 200);
    // The second port was free a moment ago; if another process took it,
    // the server would have exited, and start() would have retried.
    assert_eq!(
        common::request("GET", &format!("http://127.0.0.1:{port2}/metrics"), &[]).status,
        200
    );
}

#[test]
fn bad_flags_and_addresses_are_clear_errors() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = format!("--web.listen-address={}", taken.local_addr().unwrap());
    for (args, code, msg) in [
        (vec!["serve", busy.as_str()], 1, "Address already in use"),
        (
            vec!["serve", "--web.listen-address=localhost"],
            1,
            "missing port",
        ),
        (
            vec!["serve", "--web.config.file=/nonexistent/web.yml"],
            1,
            "/nonexistent/web.yml",
        ),
        (vec!["serve", "--web.max-requests=-1"], 2, "invalid value"),
    ] {
        let out = Command::new(pskit()).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}

/// The server's resident set (VmRSS, KiB).
fn rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

/// `n` scrapes spread over 16 threads at once; the number that were a 200
/// with node_exporter's load average in them.
fn scrape_16_at_once(url: &str, n: usize) -> usize {
    let ok = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..16 {
            let ok = &ok;
            s.spawn(move || {
                for _ in (t..n).step_by(16) {
                    let r = common::request("GET", url, &["Accept-Encoding: identity"]);
                    if r.status == 200 && r.body.contains("\nnode_load1 ") {
                        ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    ok.into_inner()
}

/// Issue #11's load case: 1,008 scrapes by 16 concurrent scrapers, every one
/// answered in full, and the server's memory bounded: after a warm-up at the
/// same concurrency it grows by less than 8 MiB over the next thousand (a
/// leak of 8 KiB a scrape would show).
#[test]
fn a_thousand_scrapes_at_concurrency_16_all_succeed_in_bounded_memory() {
    let s = common::start(pskit(), &["serve", "--web.listen-address=127.0.0.1:{port}"]);
    let url = s.url("/metrics");
    assert_eq!(scrape_16_at_once(&url, 160), 160);
    let warm = rss_kib(s.child.id());
    assert_eq!(scrape_16_at_once(&url, 1008), 1008);
    let after = rss_kib(s.child.id());
    assert!(
        after < warm + 8 * 1024,
        "RSS grew from {warm} KiB to {after} KiB over 1,008 scrapes"
    );
    // Still serving.
    assert_eq!(common::request("GET", &url, &[]).status, 200);
}
