//! Concurrent scrapes: one collection for scrapes that arrive together, and
//! `--web.max-requests`' 503 beyond the limit. A test-only collector counts
//! its runs and takes its time.

mod common;
mod http_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use pskit_serve::expo::Metrics;
use pskit_serve::{CollectorDef, Ctx};

static SHARED_RUNS: AtomicUsize = AtomicUsize::new(0);
static LIMIT_RUNS: AtomicUsize = AtomicUsize::new(0);
static HANGUP_RUNS: AtomicUsize = AtomicUsize::new(0);

fn hangup(_: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let n = HANGUP_RUNS.fetch_add(1, Ordering::SeqCst) + 1;
    std::thread::sleep(Duration::from_millis(1500));
    m.gauge("test_collection", "Which collection this is.")
        .set(n as f64);
    Ok(())
}

fn shared(_: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let n = SHARED_RUNS.fetch_add(1, Ordering::SeqCst) + 1;
    std::thread::sleep(Duration::from_millis(1500));
    m.gauge("test_collection", "Which collection this is.")
        .set(n as f64);
    Ok(())
}

fn limited(_: &Ctx, m: &mut Metrics) -> Result<(), String> {
    LIMIT_RUNS.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(2000));
    m.gauge("test_up", "Up.").set(1.0);
    Ok(())
}

/// A server whose only collector is `collect`.
fn slow_server(name: &'static str, collect: pskit_serve::CollectFn, flags: &[&str]) -> u16 {
    let mut f = vec!["--collector.disable-defaults"];
    f.extend_from_slice(flags);
    let mut cfg = http_support::config(&f);
    cfg.enabled = vec![Box::leak(Box::new(CollectorDef {
        name,
        help: "A test collector.",
        default_enabled: false,
        options: &[],
        collect,
    }))];
    http_support::serve(cfg, Default::default(), Default::default())
}

/// `n` GETs of /metrics sent at once; their statuses and bodies.
fn concurrent(port: u16, n: usize) -> Vec<common::Response> {
    let go = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let go = go.clone();
            std::thread::spawn(move || {
                go.wait();
                common::request("GET", &http_support::url(port, "/metrics"), &[])
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn concurrent_scrapes_share_one_collection() {
    let port = slow_server("shared", shared, &["--web.max-requests=0"]);
    let rs = concurrent(port, 8);
    assert_eq!(
        SHARED_RUNS.load(Ordering::SeqCst),
        1,
        "8 scrapes at once, one collection"
    );
    for r in &rs {
        assert_eq!(r.status, 200, "{}", r.body);
        let s = common::parse(&r.body);
        assert_eq!(s.value("test_collection", &[]), Some(1.0));
    }
    // A scrape after that one ended collects anew.
    let s = common::parse(&common::get(&http_support::url(port, "/metrics")));
    assert_eq!(s.value("test_collection", &[]), Some(2.0));
    assert_eq!(SHARED_RUNS.load(Ordering::SeqCst), 2);
}

#[test]
fn scrapes_beyond_max_requests_get_503() {
    let port = slow_server("limited", limited, &["--web.max-requests=2"]);
    let rs = concurrent(port, 6);
    let ok = rs.iter().filter(|r| r.status == 200).count();
    let busy: Vec<_> = rs.iter().filter(|r| r.status == 503).collect();
    assert_eq!(ok + busy.len(), 6, "only 200s and 503s");
    assert!(ok >= 2, "the first two scrapes are served");
    assert!(
        busy.len() >= 2,
        "scrapes beyond 2 get 503 (got {} 200s)",
        ok
    );
    assert_eq!(
        busy[0].body,
        "Limit of concurrent requests reached (2), try again later.\n"
    );
    // The landing page is not a scrape: never limited.
    assert_eq!(
        common::request("GET", &http_support::url(port, "/"), &[]).status,
        200
    );
    // Once they are done, scrapes are served again.
    assert_eq!(
        common::request("GET", &http_support::url(port, "/metrics"), &[]).status,
        200
    );
}

#[test]
fn max_requests_zero_means_no_limit() {
    let port = http_support::serve_flags(&["--web.max-requests=0"]);
    let rs = concurrent(port, 60);
    assert!(rs.iter().all(|r| r.status == 200));
}

#[test]
fn a_scraper_hanging_up_does_not_cancel_the_collection_others_wait_for() {
    use std::io::Write;
    let port = slow_server("hangup", hangup, &[]);
    let mut first = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    first
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let second = std::thread::spawn(move || {
        common::request("GET", &http_support::url(port, "/metrics"), &[])
    });
    std::thread::sleep(Duration::from_millis(300));
    drop(first); // hangs up while the collection runs
    let r = second.join().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        common::parse(&r.body).value("test_collection", &[]),
        Some(1.0)
    );
    assert_eq!(HANGUP_RUNS.load(Ordering::SeqCst), 1);
}
