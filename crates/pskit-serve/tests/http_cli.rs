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
