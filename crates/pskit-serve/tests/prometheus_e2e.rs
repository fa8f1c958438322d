//! End to end: Debian's Prometheus scrapes pskit serve (served in-process)
//! every second, sees the target up, and answers a query with pskit's
//! value; then the same over TLS with basic authentication. `promtool check
//! metrics` passes on what pskit serves.

mod common;
mod http_support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pskit_serve::webconfig::WebConfig;

const PROMETHEUS: &str = "/usr/bin/prometheus";

/// Prometheus with this scrape config (the `scrape_configs` list's entries),
/// storage in a fresh directory, on a free loopback port.
fn prometheus(name: &str, scrape_configs: &str) -> common::Server {
    let dir = http_support::tempdir(name);
    let cfg = dir.join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n{scrape_configs}"),
    )
    .unwrap();
    let config = format!("--config.file={}", cfg.display());
    let storage = format!("--storage.tsdb.path={}", dir.join("data").display());
    common::start(
        PROMETHEUS,
        &[&config, &storage, "--web.listen-address=127.0.0.1:{port}"],
    )
}

fn api(p: &common::Server, path: &str) -> serde_json::Value {
    let r = common::request("GET", &p.url(path), &[]);
    serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null)
}

/// Waits until the one target is up and `node_load1` has a value; that
/// value.
fn wait_up_and_load1(p: &common::Server) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = serde_json::Value::Null;
    loop {
        assert!(
            Instant::now() < deadline,
            "target never up with node_load1: {last}"
        );
        std::thread::sleep(Duration::from_millis(500));
        let targets = api(p, "/api/v1/targets");
        let up = targets["data"]["activeTargets"]
            .as_array()
            .is_some_and(|t| t.len() == 1 && t[0]["health"] == "up");
        last = targets;
        if !up {
            continue;
        }
        let q = api(p, "/api/v1/query?query=node_load1");
        if let Some(v) = q["data"]["result"][0]["value"][1].as_str() {
            return v.parse().unwrap();
        }
        last = q;
    }
}

fn load1_now() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn prometheus_scrapes_pskit_serve() {
    let port = http_support::serve_flags(&[]);
    let p = prometheus(
        "prom-plain",
        &format!(
            "  - job_name: pskit\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        ),
    );
    let v = wait_up_and_load1(&p);
    let now = load1_now();
    assert!(
        (v - now).abs() <= 0.5 + now * 0.2,
        "Prometheus has node_load1 {v}, /proc/loadavg {now}"
    );
    // pskit's own samples arrive with Prometheus' labels.
    let q = api(
        &p,
        "/api/v1/query?query=node_scrape_collector_success%7Bcollector%3D%22loadavg%22%7D",
    );
    let r = &q["data"]["result"][0];
    assert_eq!(r["metric"]["job"], "pskit", "{q}");
    assert_eq!(r["metric"]["instance"], format!("127.0.0.1:{port}"));
    assert_eq!(r["value"][1], "1");
    // Scraped within a second, every second: no scrape failed.
    let q = api(&p, "/api/v1/query?query=up");
    assert_eq!(q["data"]["result"][0]["value"][1], "1");
}

#[test]
fn prometheus_scrapes_pskit_serve_over_tls_with_basic_auth() {
    let dir = http_support::tempdir("prom-tls-pki");
    http_support::make_pki(&dir);
    let hash = bcrypt::hash("scrape-secret", 10).unwrap();
    let d = dir.display();
    let web = dir.join("web.yml");
    std::fs::write(
        &web,
        format!("tls_server_config:\n  cert_file: {d}/server.pem\n  key_file: {d}/server.key\nbasic_auth_users:\n  prometheus: {hash}\n"),
    )
    .unwrap();
    let web = WebConfig::load(&web).unwrap();
    let port = http_support::serve(http_support::config(&[]), web, Default::default());
    let p = prometheus(
        "prom-tls",
        &format!(
            "  - job_name: pskit-tls\n    scheme: https\n    tls_config:\n      ca_file: {d}/ca.pem\n    basic_auth:\n      username: prometheus\n      password: scrape-secret\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        ),
    );
    let v = wait_up_and_load1(&p);
    assert!(v >= 0.0);
}

/// promtool's verdict on a scrape: its exit status and its lines.
fn promtool_check(body: &str) -> (Option<i32>, Vec<String>) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .map(String::from)
        .collect();
    (out.status.code(), lines)
}

/// `promtool check metrics` on what pskit serves: no parse error (status 1),
/// and no lint finding of its own. node_exporter's names themselves draw
/// lint findings (`node_memory_MemFree_bytes` is camelCase,
/// `node_entropy_available_bits` not in bytes), which pskit must keep to
/// be a drop-in; so every finding must also be one promtool makes on
/// node_exporter's own output of the same collectors on this machine.
#[test]
fn promtool_check_metrics_passes() {
    let port = http_support::serve_flags(&[]);
    let body = common::get(&http_support::url(port, "/metrics"));
    let (code, ours) = promtool_check(&body);
    assert!(
        matches!(code, Some(0) | Some(3)),
        "promtool: {code:?}\n{ours:#?}"
    );
    // node_exporter with pskit's node collectors.
    let mut flags = vec!["--collector.disable-defaults".to_string()];
    flags.extend(
        pskit_serve::COLLECTORS
            .iter()
            .filter(|c| c.default_enabled && c.name != "cgroup")
            .map(|c| format!("--collector.{}", c.name)),
    );
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let ne = common::node_exporter(&flags);
    let (_, theirs) = promtool_check(&common::get(&ne.url("/metrics")));
    let own: Vec<&String> = ours.iter().filter(|l| !theirs.contains(l)).collect();
    assert!(
        own.is_empty(),
        "promtool findings node_exporter does not have: {own:#?}"
    );
    // pskit's own families draw none at all.
    assert!(!ours.iter().any(|l| l.starts_with("pskit_")), "{ours:#?}");
}

/// promtool on docs/fleet: the config, the rules, and their unit tests.
#[test]
fn fleet_docs_pass_promtool() {
    let fleet = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/fleet");
    for args in [
        &["check", "config", "prometheus.yml"][..],
        &["check", "rules", "rules.yml"][..],
        &["test", "rules", "rules_test.yml"][..],
    ] {
        let out = Command::new("promtool")
            .args(args)
            .current_dir(&fleet)
            .output()
            .expect("promtool");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "promtool {args:?}: {text}");
        assert!(!text.contains("WARNING"), "promtool {args:?}: {text}");
    }
}
