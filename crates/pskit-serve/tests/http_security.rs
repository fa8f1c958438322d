//! `--web.config.file` (exporter-toolkit's format): TLS with certificates
//! made at test time (rcgen) and fetched with curl, client certificates,
//! basic authentication with bcrypt hashes made at test time, bad files;
//! and the request limits: a client sending its head a byte a second is cut
//! off while others are served.

mod common;
mod http_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pskit_serve::http::Limits;
use pskit_serve::webconfig::WebConfig;

use http_support::{make_pki, serve, url};

/// Serves with this web config file (written into `dir`); its port.
fn serve_web(dir: &Path, yaml: &str, limits: Limits) -> u16 {
    let path = dir.join("web.yml");
    std::fs::write(&path, yaml).unwrap();
    let web = WebConfig::load(&path).unwrap_or_else(|e| panic!("{e}"));
    serve(http_support::config(&[]), web, limits)
}

/// curl's status code and body (status 0: the connection failed).
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl (Debian's curl package)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

#[test]
fn tls_with_a_certificate_made_at_test_time() {
    let dir = http_support::tempdir("tls");
    make_pki(&dir);
    // Relative file names are taken beside the config file.
    let port = serve_web(
        &dir,
        "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n",
        Limits::default(),
    );
    let ca = dir.join("ca.pem");
    let https = format!("https://127.0.0.1:{port}/metrics");
    let (code, body) = curl(&["--cacert", ca.to_str().unwrap(), &https]);
    assert_eq!(code, 200, "{body}");
    assert!(common::parse(&body).value("node_load1", &[]).is_some());
    // TLS 1.2 too (exporter-toolkit's default minimum).
    let (code, _) = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        "--tlsv1.2",
        "--tls-max",
        "1.2",
        &https,
    ]);
    assert_eq!(code, 200);
    // Without the CA the certificate is not trusted; plain HTTP gets nothing.
    assert_eq!(curl(&[&https]).0, 0);
    let (code, _) = curl(&[&url(port, "/metrics")]);
    assert_ne!(code, 200);
    // Still serving after those.
    assert_eq!(curl(&["--cacert", ca.to_str().unwrap(), &https]).0, 200);
}

#[test]
fn tls_client_certificates_require_and_verify() {
    let dir = http_support::tempdir("mtls");
    make_pki(&dir);
    let d = dir.to_str().unwrap();
    let port = serve_web(
        &dir,
        &format!(
            "tls_server_config:\n  cert_file: {d}/server.pem\n  key_file: {d}/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {d}/ca.pem\n"
        ),
        Limits::default(),
    );
    let https = format!("https://127.0.0.1:{port}/metrics");
    let ca = format!("{d}/ca.pem");
    assert_eq!(
        curl(&["--cacert", &ca, &https]).0,
        0,
        "no client certificate"
    );
    let stranger = curl(&[
        "--cacert",
        &ca,
        "--cert",
        &format!("{d}/stranger.pem"),
        "--key",
        &format!("{d}/stranger.key"),
        &https,
    ]);
    assert_eq!(stranger.0, 0, "a certificate the CA did not sign");
    let (code, body) = curl(&[
        "--cacert",
        &ca,
        "--cert",
        &format!("{d}/client.pem"),
        "--key",
        &format!("{d}/client.key"),
        &https,
    ]);
    assert_eq!(code, 200, "{body}");

    // client_allowed_sans: the client's certificate must name one of them.
    let port = serve_web(
        &dir,
        &format!(
            "tls_server_config:\n  cert_file: {d}/server.pem\n  key_file: {d}/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {d}/ca.pem\n  client_allowed_sans: [other.example]\n"
        ),
        Limits::default(),
    );
    let https = format!("https://127.0.0.1:{port}/metrics");
    let client = [
        "--cacert",
        &ca,
        "--cert",
        &format!("{d}/client.pem"),
        "--key",
        &format!("{d}/client.key"),
    ];
    assert_eq!(curl(&[&client[..], &[https.as_str()]].concat()).0, 0);
    let port = serve_web(
        &dir,
        &format!(
            "tls_server_config:\n  cert_file: {d}/server.pem\n  key_file: {d}/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {d}/ca.pem\n  client_allowed_sans: [other.example, scraper.example]\n"
        ),
        Limits::default(),
    );
    let https = format!("https://127.0.0.1:{port}/metrics");
    assert_eq!(curl(&[&client[..], &[https.as_str()]].concat()).0, 200);

    // RequireAnyClientCert: any certificate, but one is needed.
    let port = serve_web(
        &dir,
        &format!(
            "tls_server_config:\n  cert_file: {d}/server.pem\n  key_file: {d}/server.key\n  client_auth_type: RequireAnyClientCert\n"
        ),
        Limits::default(),
    );
    let https = format!("https://127.0.0.1:{port}/metrics");
    assert_eq!(curl(&["--cacert", &ca, &https]).0, 0);
    let stranger = curl(&[
        "--cacert",
        &ca,
        "--cert",
        &format!("{d}/stranger.pem"),
        "--key",
        &format!("{d}/stranger.key"),
        &https,
    ]);
    assert_eq!(stranger.0, 200);
}

#[test]
fn basic_auth_with_bcrypt() {
    let dir = http_support::tempdir("auth");
    // Cost 12: slow enough that the cache shows.
    let hash = bcrypt::hash("s3cret", 12).unwrap();
    let port = serve_web(
        &dir,
        &format!("basic_auth_users:\n  alice: {hash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n"),
        Limits::default(),
    );
    let m = url(port, "/metrics");
    // alice:s3cret, alice:wrong, bob:s3cret
    let good = "Authorization: Basic YWxpY2U6czNjcmV0";
    for h in [
        &[][..],
        &["Authorization: Basic YWxpY2U6d3Jvbmc="][..],
        &["Authorization: Basic Ym9iOnMzY3JldA=="][..],
        &["Authorization: Basic !!!notbase64"][..],
        &["Authorization: Bearer abc"][..],
    ] {
        let r = common::request("GET", &m, h);
        assert_eq!(r.status, 401, "{h:?}");
        assert_eq!(r.headers["www-authenticate"], "Basic");
        assert_eq!(r.headers["x-frame-options"], "deny");
    }
    // The landing page is behind the same door.
    assert_eq!(common::request("GET", &url(port, "/"), &[]).status, 401);

    let t = Instant::now();
    let r = common::request("GET", &m, &[good]);
    let first = t.elapsed();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.headers["x-frame-options"], "deny");
    assert!(common::parse(&r.body).value("node_load1", &[]).is_some());
    // The successful check is cached: ten more cost less than the first.
    let t = Instant::now();
    for _ in 0..10 {
        assert_eq!(common::request("GET", &m, &[good]).status, 200);
    }
    let ten = t.elapsed();
    assert!(
        ten < first * 2,
        "ten cached checks {ten:?}, the first {first:?}"
    );
    // Wrong passwords are never cached as right.
    assert_eq!(
        common::request("GET", &m, &["Authorization: Basic YWxpY2U6d3Jvbmc="]).status,
        401
    );
}

#[test]
fn bad_web_config_files_fail_at_startup_with_exit_1() {
    let dir = http_support::tempdir("badcfg");
    make_pki(&dir);
    let d = dir.to_str().unwrap();
    let cases = [
        ("junk", "{{{ not yaml"),
        ("unknown key", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  nosuch: 1\n"),
        ("bad hash", "basic_auth_users:\n  alice: plaintext\n"),
        ("missing key", "tls_server_config:\n  cert_file: server.pem\n"),
        ("missing cert file", "tls_server_config:\n  cert_file: nosuch.pem\n  key_file: server.key\n"),
        ("key is not a key", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.pem\n"),
        ("key of another cert", "tls_server_config:\n  cert_file: server.pem\n  key_file: client.key\n"),
        ("bad client auth", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: Sometimes\n"),
        ("CA without policy", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: ca.pem\n"),
        ("verify without CA", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n"),
        ("bad version", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS14\n"),
        ("invented cipher", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  cipher_suites: [TLS_INVENTED]\n"),
        ("invented curve", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  curve_preferences: [CurveInvented]\n"),
        ("header not allowed", "http_server_config:\n  headers:\n    Server: pskit\n"),
        ("bad header value", "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n"),
    ];
    for (what, yaml) in cases {
        let p = dir.join("bad.yml");
        std::fs::write(&p, yaml).unwrap();
        assert!(WebConfig::load(&p).is_err(), "{what} accepted");
        let status = pskit_serve::main([
            "pskit serve",
            "--web.listen-address=127.0.0.1:0",
            &format!("--web.config.file={}", p.display()),
        ]);
        assert_eq!(status, 1, "{what}");
    }
    assert_eq!(
        pskit_serve::main([
            "pskit serve",
            "--web.listen-address=127.0.0.1:0",
            &format!("--web.config.file={d}/nosuch.yml")
        ]),
        1
    );
    // Good files of exporter-toolkit's kinds load.
    for yaml in [
        "",
        "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  min_version: TLS13\n",
        "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]\n  curve_preferences: [X25519, CurveP256, CurveP521]\n  prefer_server_cipher_suites: false\n",
        "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n",
        "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem\n",
        "http_server_config:\n  http2: false\n  headers:\n    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000\n",
        "rate_limit:\n  interval: 0s\n  burst: 1\n",
    ] {
        let p = dir.join("good.yml");
        std::fs::write(&p, yaml).unwrap();
        if let Err(e) = WebConfig::load(&p) {
            panic!("{yaml}: {e}");
        }
    }
}

#[test]
fn listen_address_errors_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = format!("--web.listen-address={}", taken.local_addr().unwrap());
    for a in [
        busy.as_str(),
        "--web.listen-address=nohostport",
        "--web.listen-address=127.0.0.1:http9",
        "--web.listen-address=256.1.1.1:9100",
    ] {
        assert_eq!(pskit_serve::main(["pskit serve", a]), 1, "{a}");
    }
}

#[test]
fn a_head_sent_a_byte_a_second_is_cut_off_and_others_are_served() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(3),
        ..Default::default()
    };
    let port = serve(http_support::config(&[]), WebConfig::default(), limits);
    // Five slow clients, each sending its request one byte a second.
    let slow: Vec<_> = (0..5)
        .map(|_| {
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
                let t = Instant::now();
                let req = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
                for b in req {
                    if s.write_all(&[*b]).is_err() {
                        return (t.elapsed(), false);
                    }
                    let mut buf = [0; 64];
                    match s.read(&mut buf) {
                        Ok(0) => return (t.elapsed(), false), // closed
                        Ok(_) => return (t.elapsed(), true),  // answered: not cut off
                        Err(_) => {}                          // nothing yet
                    }
                    std::thread::sleep(Duration::from_millis(900));
                }
                (t.elapsed(), true)
            })
        })
        .collect();
    // Meanwhile other clients are served, promptly.
    let t = Instant::now();
    let mut served = 0;
    while t.elapsed() < Duration::from_secs(4) {
        let one = Instant::now();
        assert_eq!(
            common::request("GET", &url(port, "/metrics"), &[]).status,
            200
        );
        assert!(
            one.elapsed() < Duration::from_secs(2),
            "a scrape took {:?}",
            one.elapsed()
        );
        served += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(served >= 5);
    for s in slow {
        let (after, answered) = s.join().unwrap();
        assert!(!answered, "a slow client was answered");
        assert!(after < Duration::from_secs(8), "cut off after {after:?}");
        assert!(
            after >= Duration::from_secs(2),
            "cut off too early: {after:?}"
        );
    }
}

#[test]
fn a_silent_connection_is_closed() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let port = serve(http_support::config(&[]), WebConfig::default(), limits);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let t = Instant::now();
    let mut buf = [0; 16];
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
}

#[test]
fn web_config_changes_are_picked_up_while_serving() {
    let dir = http_support::tempdir("reload");
    make_pki(&dir);
    let yml = |hash: &str| {
        format!("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\nbasic_auth_users:\n  alice: {hash}\n")
    };
    let port = serve_web(
        &dir,
        &yml(&bcrypt::hash("one", 4).unwrap()),
        Limits::default(),
    );
    let https = format!("https://127.0.0.1:{port}/metrics");
    let ca = dir.join("ca.pem").to_string_lossy().into_owned();
    let get = |ca: &str, user: &str| curl(&["--cacert", ca, "-u", user, &https]).0;
    assert_eq!(get(&ca, "alice:one"), 200);
    assert_eq!(get(&ca, "alice:two"), 401);

    // A new password.
    std::fs::write(dir.join("web.yml"), yml(&bcrypt::hash("two", 4).unwrap())).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(get(&ca, "alice:one"), 401, "the old password still works");
    assert_eq!(get(&ca, "alice:two"), 200);

    // A new certificate from another CA, in the same files.
    let other = http_support::tempdir("reload-other");
    make_pki(&other);
    for f in ["server.pem", "server.key"] {
        std::fs::copy(other.join(f), dir.join(f)).unwrap();
    }
    std::thread::sleep(Duration::from_millis(1200));
    let new_ca = other.join("ca.pem").to_string_lossy().into_owned();
    assert_eq!(get(&new_ca, "alice:two"), 200);
    assert_eq!(
        get(&ca, "alice:two"),
        0,
        "the old certificate is still served"
    );

    // A broken file: the configuration in force stays.
    std::fs::write(dir.join("web.yml"), "basic_auth_users: [\n").unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(get(&new_ca, "alice:two"), 200);
    assert_eq!(get(&new_ca, "alice:one"), 401);
}

fn huge(_: &pskit_serve::Ctx, m: &mut pskit_serve::expo::Metrics) -> Result<(), String> {
    let f = m.gauge("test_huge", "Many samples.");
    for i in 0..200_000 {
        f.sample(&[("i", &i.to_string())], i as f64);
    }
    Ok(())
}

#[test]
fn a_client_that_does_not_read_its_answer_is_cut_off() {
    let mut cfg = http_support::config(&["--collector.disable-defaults"]);
    cfg.enabled = vec![Box::leak(Box::new(pskit_serve::CollectorDef {
        name: "huge",
        help: "Many samples.",
        default_enabled: false,
        options: &[],
        collect: huge,
    }))];
    let limits = Limits {
        write_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let port = serve(cfg, WebConfig::default(), limits);
    let full = common::get(&url(port, "/metrics")).len();
    assert!(full > 4 << 20, "{full}");
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // Meanwhile others are served.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(common::request("GET", &url(port, "/"), &[]).status, 200);
    std::thread::sleep(Duration::from_secs(4));
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(
        got.len() < full,
        "read {} of {full} bytes: not cut off",
        got.len()
    );
}
