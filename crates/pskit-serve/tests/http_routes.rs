//! pskit serve's HTTP routes, served in-process: the telemetry path in both
//! formats, gzip, HEAD, the landing page, 404 and 405, odd requests.

mod common;
mod http_support;

use std::io::Read;

use http_support::{raw, serve_flags, url};

#[test]
fn metrics_text_0_0_4() {
    let port = serve_flags(&[]);
    let r = common::request("GET", &url(port, "/metrics"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(!r.headers.contains_key("content-encoding"));
    let s = common::parse(&r.body);
    assert_eq!(s.types["node_load1"], "gauge");
    assert!(s.value("node_load1", &[]).is_some());
    assert_eq!(
        s.value("node_scrape_collector_success", &[("collector", "loadavg")]),
        Some(1.0)
    );
}

#[test]
fn metrics_openmetrics_when_accepted() {
    let port = serve_flags(&[]);
    // What Prometheus 2.42 sends.
    let accept = "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let r = common::request("GET", &url(port, "/metrics"), &[accept]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-type"],
        pskit_serve::expo::OPENMETRICS_CONTENT_TYPE
    );
    assert!(r.body.ends_with("# EOF\n"), "{}", r.body);
    assert!(r.body.contains("# TYPE node_load1 gauge\n"), "{}", r.body);
    // Text first, or nothing known: text.
    for a in [
        "Accept: text/plain;version=0.0.4,application/openmetrics-text;q=0.5",
        "Accept: */*",
        "Accept: application/json",
    ] {
        let r = common::request("GET", &url(port, "/metrics"), &[a]);
        assert_eq!(
            r.headers["content-type"],
            pskit_serve::expo::TEXT_CONTENT_TYPE,
            "{a}"
        );
    }
}

fn many(_: &pskit_serve::Ctx, m: &mut pskit_serve::expo::Metrics) -> Result<(), String> {
    let f = m.gauge("test_many", "Many samples.");
    for i in 0..200 {
        f.sample(&[("i", &i.to_string())], i as f64);
    }
    Ok(())
}

#[test]
fn metrics_gzip_when_accepted_and_worth_it() {
    // A small body goes as it is.
    let port = serve_flags(&[
        "--web.disable-exporter-metrics",
        "--collector.disable-defaults",
        "--collector.loadavg",
    ]);
    let r = common::request("GET", &url(port, "/metrics"), &["Accept-Encoding: gzip"]);
    assert!(!r.headers.contains_key("content-encoding"));
    assert!(common::parse(&r.body).value("node_load1", &[]).is_some());

    let mut cfg = http_support::config(&[]);
    cfg.enabled
        .push(Box::leak(Box::new(pskit_serve::CollectorDef {
            name: "many",
            help: "Many samples.",
            default_enabled: false,
            options: &[],
            collect: many,
        })));
    let port = http_support::serve(cfg, Default::default(), Default::default());
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    use std::io::Write;
    s.write_all(
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&all[..split]).to_ascii_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&all[split + 4..])
        .read_to_string(&mut text)
        .unwrap();
    let m = common::parse(&text);
    assert!(m.value("node_load1", &[]).is_some());
    assert_eq!(m.value("test_many", &[("i", "199")]), Some(199.0));
}

#[test]
fn head_has_headers_and_no_body() {
    let port = serve_flags(&[]);
    let r = common::request("HEAD", &url(port, "/metrics"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-type"],
        pskit_serve::expo::TEXT_CONTENT_TYPE
    );
    assert!(r.headers["content-length"].parse::<usize>().unwrap() > 0);
    assert_eq!(r.body, "");
    let r = common::request("HEAD", &url(port, "/"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "");
}

#[test]
fn landing_page_links_the_telemetry_path() {
    let port = serve_flags(&[]);
    let r = common::request("GET", &url(port, "/"), &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    assert!(
        r.body.contains("<a href=\"/metrics\">Metrics</a>"),
        "{}",
        r.body
    );

    let port = serve_flags(&["--web.telemetry-path=/node/metrics"]);
    let r = common::request("GET", &url(port, "/"), &[]);
    assert!(r.body.contains("<a href=\"/node/metrics\">"), "{}", r.body);
    assert_eq!(
        common::request("GET", &url(port, "/node/metrics"), &[]).status,
        200
    );
    assert_eq!(
        common::request("GET", &url(port, "/metrics"), &[]).status,
        404
    );
}

#[test]
fn other_paths_404_other_methods_405() {
    let port = serve_flags(&[]);
    for p in ["/nosuch", "/metrics/", "/metricsx", "/index.html"] {
        let r = common::request("GET", &url(port, p), &[]);
        assert_eq!(r.status, 404, "{p}");
        assert_eq!(r.body, "404 page not found\n");
    }
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        for p in ["/metrics", "/"] {
            let r = common::request(m, &url(port, p), &["Content-Length: 0"]);
            assert_eq!(r.status, 405, "{m} {p}");
            assert_eq!(r.headers["allow"], "GET, HEAD");
        }
    }
}

#[test]
fn hostile_requests_get_errors_not_panics() {
    let port = serve_flags(&[]);
    let bad: &[&[u8]] = &[
        b"\x00\x01\x02garbage\r\n\r\n",
        b"GET /metrics HTTP/9.9\r\n\r\n",
        b"GET metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: ;;;,,,q=zz;version=\"\r\nAccept-Encoding: gzip;q=NaN\r\nConnection: close\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: \xff\xfe\r\nConnection: close\r\n\r\n",
        b"GET /%zz%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\nabc",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
    ];
    for b in bad {
        let out = raw(port, b);
        assert!(
            out.is_empty() || out.starts_with("HTTP/1.1 "),
            "{:?} -> {out:?}",
            String::from_utf8_lossy(b)
        );
    }
    // A head over the limit: 431, and the server still answers.
    let mut big = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 64 * 1024));
    big.extend_from_slice(b"\r\n\r\n");
    let out = raw(port, &big);
    assert!(
        out.is_empty() || out.starts_with("HTTP/1.1 431"),
        "{out:.100}"
    );
    assert_eq!(
        common::request("GET", &url(port, "/metrics"), &[]).status,
        200
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let port = serve_flags(&[]);
    let req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(3)
        + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let out = raw(port, req.as_bytes());
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 4, "{out}");
}

#[test]
fn exporter_metrics_as_node_exporter_serves_them() {
    let port = serve_flags(&[]);
    common::get(&url(port, "/metrics"));
    let ours = common::parse(&common::get(&url(port, "/metrics")));
    assert_eq!(
        ours.value("promhttp_metric_handler_requests_total", &[("code", "200")]),
        Some(1.0)
    );
    assert_eq!(
        ours.value("promhttp_metric_handler_requests_in_flight", &[]),
        Some(1.0)
    );
    assert!(ours.value("process_resident_memory_bytes", &[]).unwrap() > 0.0);
    assert!(ours.value("process_open_fds", &[]).unwrap() > 0.0);

    // Same names, types and help as node_exporter's.
    let ne = common::node_exporter(&["--collector.disable-defaults", "--collector.loadavg"]);
    let theirs = common::parse(&common::get(&ne.url("/metrics")));
    let mut checked = 0;
    for (name, ty) in &ours.types {
        if name.starts_with("process_") || name.starts_with("promhttp_") {
            assert_eq!(theirs.types.get(name), Some(ty), "{name}");
            assert_eq!(theirs.help.get(name), ours.help.get(name), "{name}");
            let keys = |s: &common::Scrape| {
                let mut k: Vec<_> = s.named(name).iter().map(|x| x.labels.clone()).collect();
                k.sort();
                k
            };
            assert_eq!(keys(&ours), keys(&theirs), "{name}");
            checked += 1;
        }
    }
    assert_eq!(checked, 10);

    let port = serve_flags(&["--web.disable-exporter-metrics"]);
    let body = common::get(&url(port, "/metrics"));
    assert!(
        !body.contains("process_") && !body.contains("promhttp_"),
        "{body}"
    );
}

/// Mangled requests (bytes flipped, dropped, inserted, cut short) get an
/// answer or a closed connection, and the server goes on serving.
#[test]
fn mangled_requests_never_stop_the_server() {
    use std::io::Write;
    use std::net::{Shutdown, TcpStream};
    let port = serve_flags(&[]);
    let good = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5\r\nAccept-Encoding: gzip, deflate;q=0.5\r\nAuthorization: Basic YWxpY2U6czNjcjN0\r\nConnection: close\r\n\r\n";
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..400 {
        let mut b = good.to_vec();
        for _ in 0..(next() % 5 + 1) {
            let i = (next() as usize) % b.len().max(1);
            match next() % 4 {
                0 => b[i] = (next() % 256) as u8,
                1 => {
                    b.remove(i);
                }
                2 => {
                    let odd = b"\r\n :;,=\"\0\x7f%";
                    b.insert(i, odd[(next() % odd.len() as u64) as usize]);
                }
                _ => b.truncate(i),
            }
            if b.is_empty() {
                break;
            }
        }
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let _ = s.write_all(&b);
        let _ = s.shutdown(Shutdown::Write);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        assert!(
            out.is_empty() || out.starts_with(b"HTTP/1.1 "),
            "round {round}"
        );
        if round % 50 == 0 {
            assert_eq!(
                common::request("GET", &url(port, "/metrics"), &[]).status,
                200
            );
        }
    }
    assert_eq!(
        common::request("GET", &url(port, "/metrics"), &[]).status,
        200
    );
}
