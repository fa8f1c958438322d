//! The HTTP(S) server of `pskit serve`: node_exporter's web interface on
//! tokio (one thread, plus a small blocking pool for collections and
//! bcrypt) and hyper's HTTP/1.1, with TLS through rustls.
//!
//! - The telemetry path (`/metrics`) answers GET and HEAD with one scrape in
//!   Prometheus text 0.0.4, or OpenMetrics 1.0 when the `Accept` header asks
//!   for `application/openmetrics-text` (negotiated as client_golang does),
//!   gzipped when `Accept-Encoding` allows it (and the body is not tiny).
//! - `/` is a small HTML page that links the telemetry path; any other path
//!   is a 404, any other method a 405.
//! - Scrapes that arrive while one is collecting wait for it and share its
//!   result (one collection at a time); more than `--web.max-requests`
//!   scrapes in flight get a 503.
//! - With a `--web.config.file`: TLS, client certificates, basic
//!   authentication (bcrypt, successful checks cached) and extra headers.
//! - [`Limits`] bound what a client can hold: the time to send the request
//!   head, its size, idle and stalled connections, the number of
//!   connections.
//!
//! ```
//! use std::io::{Read, Write};
//! let cfg = pskit_serve::Config::parse(["pskit serve", "--web.listen-address=127.0.0.1:0"]).unwrap();
//! let listeners = cfg.listen.iter().map(|a| pskit_serve::http::bind(a)).collect::<Result<Vec<_>, _>>().unwrap();
//! let addr = listeners[0].local_addr().unwrap();
//! // Serves until the process ends.
//! std::thread::spawn(move || pskit_serve::http::serve(listeners, cfg, Default::default()));
//! let mut c = std::net::TcpStream::connect(addr).unwrap();
//! c.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! c.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(answer.contains("\nnode_load1 "));
//! ```

use std::collections::HashSet;
use std::convert::Infallible;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Semaphore;

use crate::expo::{self, Metrics};
use crate::webconfig::WebConfig;
use crate::Config;

/// What a client may hold of the server.
///
/// ```
/// let l = pskit_serve::http::Limits::default();
/// assert_eq!(l.header_read_timeout, std::time::Duration::from_secs(10));
/// assert!(l.max_header_bytes >= 8192);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The time a client has to send a request's head (request line and
    /// headers), from the connection's start or from the head's first byte
    /// on a kept-alive connection: a client sending a byte a second is cut
    /// off then.
    pub header_read_timeout: Duration,
    /// A kept-alive connection with no traffic and no request being answered
    /// for this long is closed (longer than usual scrape intervals, so that
    /// Prometheus keeps its connection).
    pub idle_timeout: Duration,
    /// A connection whose client does not read the answer for this long is
    /// closed.
    pub write_timeout: Duration,
    /// The time a TLS client has to finish its handshake.
    pub handshake_timeout: Duration,
    /// The largest request head read (at least 8192; more is answered 431).
    pub max_header_bytes: usize,
    /// Connections open at once; more are closed as they are accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            write_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            max_connections: 512,
        }
    }
}

/// Opens a listening socket for one `--web.listen-address`, as Go's
/// `net.Listen("tcp", addr)` does: `:PORT` is every address, IPv6 and IPv4
/// (or IPv4 alone where the host has no IPv6); `HOST:PORT` takes an IP
/// address (`[::1]:9100` for IPv6) or a name, whose first IPv4 address
/// (else first address) is used.
///
/// ```
/// let l = pskit_serve::http::bind("127.0.0.1:0").unwrap();
/// assert!(l.local_addr().unwrap().port() > 0);
/// assert!(pskit_serve::http::bind("127.0.0.1").is_err());
/// assert!(pskit_serve::http::bind("127.0.0.1:99999").is_err());
/// ```
pub fn bind(addr: &str) -> Result<std::net::TcpListener, String> {
    let err = |e: &dyn std::fmt::Display| format!("listen tcp {addr}: {e}");
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| err(&"missing port in address"))?;
    let port: u16 = port
        .parse()
        .map_err(|_| err(&format_args!("invalid port {port:?}")))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        let any6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
        return match listen(any6) {
            Ok(l) => Ok(l),
            Err(e6) => listen(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port))
                .map_err(|e4| err(&format_args!("{e4} (IPv6: {e6})"))),
        };
    }
    let sa = match host.parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port),
        Err(_) => {
            let all: Vec<SocketAddr> = (host, port)
                .to_socket_addrs()
                .map_err(|e| err(&format_args!("lookup {host}: {e}")))?
                .collect();
            *all.iter()
                .find(|a| a.is_ipv4())
                .or_else(|| all.first())
                .ok_or_else(|| err(&format_args!("lookup {host}: no address")))?
        }
    };
    listen(sa).map_err(|e| err(&e))
}

fn listen(sa: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let s = Socket::new(Domain::for_address(sa), Type::STREAM, Some(Protocol::TCP))?;
    s.set_reuse_address(true)?;
    if sa.is_ipv6() && sa.ip().is_unspecified() {
        s.set_only_v6(false)?;
    }
    s.bind(&sa.into())?;
    s.listen(1024)?;
    s.set_nonblocking(true)?;
    Ok(s.into())
}

/// Serves on these listeners until the process ends, with the default
/// [`Limits`]. An `Err` is a failure to start (the runtime, a listener).
///
/// ```
/// use std::io::{Read, Write};
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let l = pskit_serve::http::bind("127.0.0.1:0").unwrap();
/// let addr = l.local_addr().unwrap();
/// std::thread::spawn(move || pskit_serve::http::serve(vec![l], cfg, Default::default()));
/// let mut c = std::net::TcpStream::connect(addr).unwrap();
/// c.write_all(b"DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
/// let mut answer = String::new();
/// c.read_to_string(&mut answer).unwrap();
/// assert!(answer.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
/// ```
pub fn serve(
    listeners: Vec<std::net::TcpListener>,
    cfg: Config,
    web: WebConfig,
) -> std::io::Result<()> {
    serve_with(listeners, cfg, web, Limits::default())
}

/// [`serve`] with other [`Limits`].
///
/// ```
/// use std::io::Read;
/// use std::time::{Duration, Instant};
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let l = pskit_serve::http::bind("127.0.0.1:0").unwrap();
/// let addr = l.local_addr().unwrap();
/// let limits = pskit_serve::http::Limits { header_read_timeout: Duration::from_millis(300), ..Default::default() };
/// std::thread::spawn(move || pskit_serve::http::serve_with(vec![l], cfg, Default::default(), limits));
/// // A client that says nothing is hung up on.
/// let t = Instant::now();
/// let mut c = std::net::TcpStream::connect(addr).unwrap();
/// assert_eq!(c.read(&mut [0; 16]).unwrap_or(0), 0);
/// assert!(t.elapsed() < Duration::from_secs(5));
/// ```
pub fn serve_with(
    listeners: Vec<std::net::TcpListener>,
    cfg: Config,
    web: WebConfig,
    limits: Limits,
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .max_blocking_threads(4)
        .thread_keep_alive(Duration::from_secs(120))
        .thread_name("pskit-serve")
        .build()?;
    let state = Arc::new(State::new(cfg, web, limits));
    rt.block_on(async move {
        let conns = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let mut tasks = Vec::new();
        for l in listeners {
            l.set_nonblocking(true)?;
            let l = tokio::net::TcpListener::from_std(l)?;
            tasks.push(tokio::spawn(accept_loop(l, state.clone(), conns.clone())));
        }
        for t in tasks {
            let _ = t.await;
        }
        Ok(())
    })
}

/// The result of one collection, and its encodings, made once each when
/// first asked for.
struct Collected {
    metrics: Arc<Metrics>,
    bodies: [OnceLock<Option<Bytes>>; 4],
}

impl Collected {
    /// The body in this format; `None` when OpenMetrics could not be
    /// written.
    fn body(&self, openmetrics: bool, gzip: bool) -> Option<Bytes> {
        let i = usize::from(openmetrics) * 2 + usize::from(gzip);
        self.bodies[i]
            .get_or_init(|| {
                if gzip {
                    self.body(openmetrics, false).map(|b| gzip_bytes(&b))
                } else if openmetrics {
                    match expo::encode_openmetrics_shared(Arc::clone(&self.metrics)) {
                        Ok(s) => Some(Bytes::from(s)),
                        Err(e) => {
                            eprintln!("pskit serve: writing OpenMetrics: {e}");
                            None
                        }
                    }
                } else {
                    Some(Bytes::from(expo::encode_text(&self.metrics)))
                }
            })
            .clone()
    }
}

/// Bodies smaller than this go uncompressed even when gzip is accepted:
/// they fit in a packet or two, and compressing costs more than it saves.
const GZIP_MIN: usize = 1024;

/// gzip (RFC 1952) of `b`, at the fastest level, with one deflate state
/// per thread reused from scrape to scrape (setting one up costs more than
/// compressing a small body).
fn gzip_bytes(b: &[u8]) -> Bytes {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static DEFLATE: std::cell::RefCell<Option<Compress>> = const { std::cell::RefCell::new(None) };
    }
    DEFLATE.with(|d| {
        let mut d = d.borrow_mut();
        let z = d.get_or_insert_with(|| Compress::new(Compression::fast(), false));
        z.reset();
        // ID1 ID2, deflate, no flags, no time, no extra flags, unknown OS.
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        out.reserve(b.len() / 3 + 64);
        loop {
            let done = usize::try_from(z.total_in())
                .unwrap_or(b.len())
                .min(b.len());
            if out.len() == out.capacity() {
                out.reserve(out.capacity().max(4096));
            }
            match z.compress_vec(&b[done..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => {}
                Err(_) => {
                    // Not expected of a reset state: a new one next time,
                    // and a one-off encoder now.
                    *d = None;
                    let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
                    let _ = e.write_all(b); // to a Vec: cannot fail
                    return Bytes::from(e.finish().unwrap_or_default());
                }
            }
        }
        let mut crc = flate2::Crc::new();
        crc.update(b);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        Bytes::from(out)
    })
}

/// promhttp's counts of the telemetry handler, served as node_exporter
/// serves them (`promhttp_metric_handler_*`).
#[derive(Default)]
struct HandlerStats {
    in_flight: AtomicU64,
    /// Answers with 200, 500 and 503.
    by_code: [AtomicU64; 3],
    encoding_errors: AtomicU64,
    gathering_errors: AtomicU64,
}

const CODES: [(u16, &str); 3] = [(200, "200"), (500, "500"), (503, "503")];

impl HandlerStats {
    fn answered(&self, status: StatusCode) {
        if let Some(i) = CODES.iter().position(|(c, _)| *c == status.as_u16()) {
            self.by_code[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

struct InFlight<'a>(&'a HandlerStats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The exporter's own families, as client_golang's process collector and
/// promhttp name them.
fn exporter_metrics(m: &mut Metrics, stats: &HandlerStats) {
    // This process, once: a handle is a pidfd, not worth opening per scrape.
    static ME: OnceLock<Option<pskit::Process>> = OnceLock::new();
    if let Some(p) = ME.get_or_init(|| pskit::Process::current().ok()) {
        if let Ok(t) = p.cpu_times() {
            m.counter(
                "process_cpu_seconds_total",
                "Total user and system CPU time spent in seconds.",
            )
            .set(t.user + t.system);
        }
        if let Ok(n) = p.num_fds() {
            m.gauge("process_open_fds", "Number of open file descriptors.")
                .set(f64::from(n));
        }
        if let Ok((soft, _)) = p.rlimit(pskit::process::RLIMIT_NOFILE) {
            m.gauge(
                "process_max_fds",
                "Maximum number of open file descriptors.",
            )
            .set(soft as f64);
        }
        if let Ok(mi) = p.memory_info() {
            m.gauge(
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
            )
            .set(mi.rss as f64);
            m.gauge(
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
            )
            .set(mi.vms as f64);
        }
        if let Ok((soft, _)) = p.rlimit(pskit::process::RLIMIT_AS) {
            // -1: unlimited, which Go reports as the largest uint64.
            let v = if soft < 0 {
                u64::MAX as f64
            } else {
                soft as f64
            };
            m.gauge(
                "process_virtual_memory_max_bytes",
                "Maximum amount of virtual memory available in bytes.",
            )
            .set(v);
        }
        static START: OnceLock<Option<f64>> = OnceLock::new();
        if let Some(t) = *START.get_or_init(|| p.create_time().ok()) {
            m.gauge(
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
            )
            .set(t);
        }
    }
    m.counter(
        "promhttp_metric_handler_errors_total",
        "Total number of internal errors encountered by the promhttp metric handler.",
    )
    .sample(
        &[("cause", "encoding")],
        stats.encoding_errors.load(Ordering::Relaxed) as f64,
    )
    .sample(
        &[("cause", "gathering")],
        stats.gathering_errors.load(Ordering::Relaxed) as f64,
    );
    m.gauge(
        "promhttp_metric_handler_requests_in_flight",
        "Current number of scrapes being served.",
    )
    .set(stats.in_flight.load(Ordering::Relaxed) as f64);
    let total = m.counter(
        "promhttp_metric_handler_requests_total",
        "Total number of scrapes by HTTP status code.",
    );
    for (i, (_, code)) in CODES.iter().enumerate() {
        total.sample(
            &[("code", code)],
            stats.by_code[i].load(Ordering::Relaxed) as f64,
        );
    }
}

type Flight = tokio::sync::watch::Receiver<Option<Arc<Result<Collected, String>>>>;

/// The web configuration in force, reloaded when its files change.
struct Live {
    web: Arc<WebConfig>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stamp: Vec<Option<(u64, i64, i64, u64)>>,
    checked: Instant,
}

/// How often the web configuration's files are looked at (at most).
const WEB_CHECK_EVERY: Duration = Duration::from_secs(1);

struct State {
    cfg: Arc<Config>,
    live: Mutex<Live>,
    limits: Limits,
    landing: Bytes,
    scrape_limit: Option<Arc<Semaphore>>,
    flight: Arc<Mutex<Option<Flight>>>,
    stats: Arc<HandlerStats>,
    auth_cache: Mutex<HashSet<[u8; 32]>>,
    bcrypt_gate: Semaphore,
}

/// Successful (user, hash, password) checks kept; the set is emptied when
/// full (a password longer than bcrypt's 72 bytes has endless variants).
const AUTH_CACHE_MAX: usize = 256;

impl State {
    fn new(cfg: Config, web: WebConfig, limits: Limits) -> State {
        let path = html_escape(&cfg.telemetry_path);
        let landing = format!(
            "<html>\n<head><title>pskit serve</title></head>\n<body>\n<h1>pskit serve</h1>\n<p>A Prometheus exporter with node_exporter's metrics.</p>\n<p><a href=\"{path}\">Metrics</a></p>\n</body>\n</html>\n"
        );
        State {
            scrape_limit: (cfg.max_requests > 0)
                .then(|| Arc::new(Semaphore::new(cfg.max_requests))),
            cfg: Arc::new(cfg),
            live: Mutex::new(Live {
                tls: web.tls.clone().map(tokio_rustls::TlsAcceptor::from),
                stamp: web.stamp(),
                web: Arc::new(web),
                checked: Instant::now(),
            }),
            limits,
            landing: Bytes::from(landing),
            flight: Arc::new(Mutex::new(None)),
            stats: Arc::default(),
            auth_cache: Mutex::new(HashSet::new()),
            bcrypt_gate: Semaphore::new(1),
        }
    }

    /// The web configuration now, and its TLS acceptor: reloaded, as
    /// exporter-toolkit does, when the file or a certificate, key or CA
    /// file it names has changed (looked at once a second at most). A new
    /// version that does not load is reported and the one in force kept.
    fn web(&self) -> (Arc<WebConfig>, Option<tokio_rustls::TlsAcceptor>) {
        let mut live = lock(&self.live);
        if live.web.files.is_empty() || live.checked.elapsed() < WEB_CHECK_EVERY {
            return (live.web.clone(), live.tls.clone());
        }
        live.checked = Instant::now();
        let stamp = live.web.stamp();
        if stamp != live.stamp {
            live.stamp = stamp;
            let path = live.web.files[0].clone();
            match WebConfig::load(&path) {
                Ok(w) if w.tls.is_some() != live.tls.is_some() => eprintln!(
                    "pskit serve: {}: TLS cannot be turned on or off without a restart; keeping the configuration in force",
                    path.display()
                ),
                Ok(w) => {
                    eprintln!("pskit serve: reloaded {}", path.display());
                    live.stamp = w.stamp();
                    live.tls = w.tls.clone().map(tokio_rustls::TlsAcceptor::from);
                    live.web = Arc::new(w);
                }
                Err(e) => eprintln!(
                    "pskit serve: --web.config.file: {e}; keeping the configuration in force"
                ),
            }
        }
        (live.web.clone(), live.tls.clone())
    }

    /// One collection for every scrape that arrives while it runs. The
    /// collection is a task of its own: a scraper that hangs up does not
    /// cancel it for the others waiting.
    async fn collect(&self) -> Arc<Result<Collected, String>> {
        let mut rx = {
            let mut g = lock(&self.flight);
            match &*g {
                Some(rx) => rx.clone(),
                None => {
                    let (tx, rx) = tokio::sync::watch::channel(None);
                    *g = Some(rx.clone());
                    let cfg = self.cfg.clone();
                    let slot = self.flight.clone();
                    let stats = self.stats.clone();
                    tokio::spawn(async move {
                        let r = tokio::task::spawn_blocking(move || {
                            let mut m = crate::scrape(&cfg);
                            if cfg.exporter_metrics {
                                exporter_metrics(&mut m, &stats);
                            }
                            m
                        })
                        .await;
                        let r = Arc::new(match r {
                            Ok(metrics) => Ok(Collected {
                                metrics: Arc::new(metrics),
                                bodies: Default::default(),
                            }),
                            Err(e) => Err(format!("collection failed: {e}")),
                        });
                        // Scrapes from now on collect anew.
                        *lock(&slot) = None;
                        let _ = tx.send(Some(r));
                    });
                    rx
                }
            }
        };
        let r = match rx.wait_for(Option::is_some).await {
            Ok(v) => v.clone(),
            Err(_) => None,
        };
        r.unwrap_or_else(|| Arc::new(Err("the collection ended without a result".into())))
    }

    async fn authorized(&self, web: &WebConfig, headers: &HeaderMap) -> bool {
        let Some((user, pass)) = basic_credentials(headers) else {
            return false;
        };
        let hash = std::str::from_utf8(&user)
            .ok()
            .and_then(|u| web.users.get(u))
            .cloned();
        let known = hash.is_some();
        let key = cache_key(&user, hash.as_deref().unwrap_or(""), &pass);
        if known && lock(&self.auth_cache).contains(&key) {
            return true;
        }
        // bcrypt is slow on purpose: one check at a time, off the event loop.
        let Ok(_gate) = self.bcrypt_gate.acquire().await else {
            return false;
        };
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(h) => bcrypt::verify(&pass, &h).unwrap_or(false),
            None => {
                // An unknown user costs as much as a known one, so timing
                // does not tell which users exist.
                static FAKE: OnceLock<String> = OnceLock::new();
                let fake = FAKE.get_or_init(|| {
                    bcrypt::hash("pskit serve: no such user", bcrypt::DEFAULT_COST)
                        .unwrap_or_default()
                });
                let _ = bcrypt::verify(&pass, fake);
                false
            }
        })
        .await
        .unwrap_or(false);
        if ok {
            let mut c = lock(&self.auth_cache);
            if c.len() >= AUTH_CACHE_MAX {
                c.clear();
            }
            c.insert(key);
        }
        ok
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn cache_key(user: &[u8], hash: &str, pass: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [user, hash.as_bytes(), pass] {
        ctx.update(&(part.len() as u64).to_le_bytes());
        ctx.update(part);
    }
    let mut out = [0; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The user and password of an `Authorization: Basic …` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(Vec<u8>, Vec<u8>)> {
    use base64::Engine as _;
    let v = headers.get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, rest) = v.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"basic ") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim_ascii())
        .ok()?;
    let colon = raw.iter().position(|&b| b == b':')?;
    Some((raw[..colon].to_vec(), raw[colon + 1..].to_vec()))
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn accept_loop(l: tokio::net::TcpListener, st: Arc<State>, conns: Arc<Semaphore>) {
    loop {
        match l.accept().await {
            Ok((tcp, _peer)) => {
                // Over the connection limit: closed at once.
                let Ok(permit) = conns.clone().try_acquire_owned() else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let st = st.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    let tls = st.web().1;
                    match tls {
                        None => connection(tcp, &st).await,
                        Some(acc) => {
                            let hs =
                                tokio::time::timeout(st.limits.handshake_timeout, acc.accept(tcp));
                            if let Ok(Ok(tls)) = hs.await {
                                connection(tls, &st).await;
                            }
                        }
                    }
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin.
                eprintln!("pskit serve: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Progress of one connection, seen by its watchdog.
#[derive(Default)]
struct Activity {
    /// Milliseconds since `start` of the last byte read or written.
    last: AtomicU64,
    /// A write is waiting for the client to read.
    write_blocked: AtomicBool,
    /// Requests being answered.
    busy: AtomicUsize,
    /// 1 + milliseconds since `start` of the first byte of a request head
    /// not yet complete (0: none).
    head_started: AtomicU64,
}

struct Watched<T> {
    io: T,
    act: Arc<Activity>,
    start: Instant,
}

impl<T> Watched<T> {
    fn touch(&self) -> u64 {
        let now = self.start.elapsed().as_millis() as u64;
        self.act.last.store(now, Ordering::Relaxed);
        now
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            let now = self.touch();
            // Bytes while no request is being answered: a request head
            // begins, and has `header_read_timeout` to end.
            if self.act.busy.load(Ordering::Relaxed) == 0 {
                let _ = self.act.head_started.compare_exchange(
                    0,
                    now + 1,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.note_write(&r);
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.note_write(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl<T> Watched<T> {
    fn note_write(&self, r: &Poll<std::io::Result<usize>>) {
        match r {
            Poll::Pending => self.act.write_blocked.store(true, Ordering::Relaxed),
            Poll::Ready(_) => {
                self.act.write_blocked.store(false, Ordering::Relaxed);
                self.touch();
            }
        }
    }
}

struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn connection<T>(io: T, st: &Arc<State>)
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let act = Arc::new(Activity::default());
    // A new connection is expected to send its first request at once.
    act.head_started.store(1, Ordering::Relaxed);
    let start = Instant::now();
    let io = Watched {
        io,
        act: act.clone(),
        start,
    };
    let svc_state = st.clone();
    let svc_act = act.clone();
    let svc = hyper::service::service_fn(move |req| {
        let st = svc_state.clone();
        svc_act.busy.fetch_add(1, Ordering::Relaxed);
        svc_act.head_started.store(0, Ordering::Relaxed);
        let busy = Busy(svc_act.clone());
        async move {
            let r = handle(req, &st).await;
            drop(busy);
            Ok::<_, Infallible>(r)
        }
    });
    let mut b = hyper::server::conn::http1::Builder::new();
    // hyper's own header timer also runs while a keep-alive connection
    // waits for its next request, which would close it between scrapes:
    // it gets the idle timeout, and the watchdog below times the heads.
    b.timer(TokioTimer::new())
        .header_read_timeout(st.limits.idle_timeout.max(st.limits.header_read_timeout))
        .max_buf_size(st.limits.max_header_bytes.max(8192))
        .keep_alive(true);
    let conn = b.serve_connection(TokioIo::new(io), svc);
    let mut conn = std::pin::pin!(conn);
    let idle = st.limits.idle_timeout;
    let stalled = st.limits.write_timeout;
    let head = st.limits.header_read_timeout;
    let tick =
        (head.min(idle).min(stalled) / 4).clamp(Duration::from_millis(50), Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = tokio::time::sleep(tick) => {
                let quiet = start.elapsed().saturating_sub(Duration::from_millis(act.last.load(Ordering::Relaxed)));
                let blocked = act.write_blocked.load(Ordering::Relaxed);
                let busy = act.busy.load(Ordering::Relaxed) > 0;
                let started = act.head_started.load(Ordering::Relaxed);
                let slow_head = !busy
                    && started > 0
                    && start.elapsed() >= Duration::from_millis(started - 1) + head;
                if slow_head || (blocked && quiet >= stalled) || (!blocked && !busy && quiet >= idle) {
                    return; // dropping the connection closes it
                }
            }
        }
    }
}

type Resp = Response<Full<Bytes>>;

fn text(status: StatusCode, body: &'static str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn handle(req: Request<Incoming>, st: &State) -> Resp {
    let (web, _) = st.web();
    let mut r = route(&req, st, &web).await;
    for (k, v) in &web.headers {
        if let (Ok(k), Ok(v)) = (
            header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

async fn route(req: &Request<Incoming>, st: &State, web: &WebConfig) -> Resp {
    if !web.users.is_empty() && !st.authorized(web, req.headers()).await {
        let mut r = text(StatusCode::UNAUTHORIZED, "Unauthorized\n");
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
        return r;
    }
    let path = req.uri().path();
    let metrics = path == st.cfg.telemetry_path;
    if !metrics && path != "/" {
        return text(StatusCode::NOT_FOUND, "404 page not found\n");
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if !metrics {
        let mut r = Response::new(Full::new(st.landing.clone()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return r;
    }
    st.stats.in_flight.fetch_add(1, Ordering::Relaxed);
    let _in_flight = InFlight(&st.stats);
    let r = telemetry(req, st).await;
    st.stats.answered(r.status());
    r
}

/// The telemetry path: a scrape, within `--web.max-requests`.
async fn telemetry(req: &Request<Incoming>, st: &State) -> Resp {
    let _permit = match &st.scrape_limit {
        None => None,
        Some(s) => match s.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                let msg = format!(
                    "Limit of concurrent requests reached ({}), try again later.\n",
                    st.cfg.max_requests
                );
                let mut r = Response::new(Full::new(Bytes::from(msg)));
                *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                return r;
            }
        },
    };
    let om = wants_openmetrics(req.headers());
    let gz = accepts_gzip(req.headers());
    let collected = st.collect().await;
    let body = match &*collected {
        Ok(c) => c
            .body(om, false)
            .map(|plain| (gz && plain.len() >= GZIP_MIN, plain))
            .and_then(|(gzip, plain)| {
                if gzip {
                    c.body(om, true).map(|b| (true, b))
                } else {
                    Some((false, plain))
                }
            }),
        Err(e) => {
            eprintln!("pskit serve: {e}");
            st.stats.gathering_errors.fetch_add(1, Ordering::Relaxed);
            None
        }
    };
    if body.is_none() && collected.is_ok() {
        st.stats.encoding_errors.fetch_add(1, Ordering::Relaxed);
    }
    let Some((gzipped, body)) = body else {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error has occurred while serving metrics.\n",
        );
    };
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if om {
            expo::OPENMETRICS_CONTENT_TYPE
        } else {
            expo::TEXT_CONTENT_TYPE
        }),
    );
    if gzipped {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    r
}

/// One entry of a list header: the value (lower case), its parameters and
/// its `q`.
type ListEntry = (String, Vec<(String, String)>, f64);

/// The entries of a list header (`Accept`, `Accept-Encoding`): each value
/// without its parameters, its parameters, and its `q` (1 when not given),
/// best first, entries of equal `q` in the order given.
fn header_list(headers: &HeaderMap, name: header::HeaderName) -> Vec<ListEntry> {
    let mut out = Vec::new();
    for v in headers.get_all(name) {
        let Ok(v) = v.to_str() else { continue };
        for item in v.split(',') {
            let mut parts = item.split(';');
            let value = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            if value.is_empty() {
                continue;
            }
            let mut q = 1.0;
            let mut params = Vec::new();
            for p in parts {
                let Some((k, v)) = p.split_once('=') else {
                    continue;
                };
                let k = k.trim().to_ascii_lowercase();
                let v = v.trim().trim_matches('"').to_string();
                if k == "q" {
                    q = v
                        .parse::<f64>()
                        .ok()
                        .filter(|q| q.is_finite())
                        .unwrap_or(0.0);
                } else {
                    params.push((k, v));
                }
            }
            out.push((value, params, q));
        }
    }
    out.sort_by(|a, b| b.2.total_cmp(&a.2));
    out
}

/// Whether the `Accept` header asks for OpenMetrics before text 0.0.4, as
/// client_golang's `expfmt.Negotiate` decides (wildcards are passed over;
/// text when nothing matches).
fn wants_openmetrics(headers: &HeaderMap) -> bool {
    for (ty, params, q) in header_list(headers, header::ACCEPT) {
        if q <= 0.0 {
            continue;
        }
        let version = params
            .iter()
            .find(|(k, _)| k == "version")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        match ty.as_str() {
            "application/openmetrics-text" if matches!(version, "" | "0.0.1" | "1.0.0") => {
                return true
            }
            "text/plain" if matches!(version, "" | "0.0.4") => return false,
            _ => {}
        }
    }
    false
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    header_list(headers, header::ACCEPT_ENCODING)
        .iter()
        .any(|(e, _, q)| e == "gzip" && *q > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: header::HeaderName, v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(name, HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn negotiation() {
        let prom = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert!(wants_openmetrics(&h(header::ACCEPT, prom)));
        assert!(!wants_openmetrics(&h(
            header::ACCEPT,
            "text/plain;version=0.0.4;q=0.5,application/openmetrics-text;q=0.4"
        )));
        assert!(!wants_openmetrics(&h(header::ACCEPT, "*/*")));
        assert!(!wants_openmetrics(&h(
            header::ACCEPT,
            "application/openmetrics-text;version=9"
        )));
        assert!(!wants_openmetrics(&h(
            header::ACCEPT,
            "application/openmetrics-text;q=0"
        )));
        assert!(!wants_openmetrics(&HeaderMap::new()));
        assert!(accepts_gzip(&h(
            header::ACCEPT_ENCODING,
            "deflate, gzip;q=0.5"
        )));
        assert!(!accepts_gzip(&h(header::ACCEPT_ENCODING, "gzip;q=0, br")));
    }

    #[test]
    fn gzip_round_trips_with_the_state_reused() {
        use std::io::Read;
        let big: String = (0..50_000)
            .map(|i| format!("x{{i=\"{i}\"}} {i}\n"))
            .collect();
        for body in ["", "a", "# HELP x\n", big.as_str(), "again", big.as_str()] {
            let z = gzip_bytes(body.as_bytes());
            let mut back = String::new();
            flate2::read::GzDecoder::new(&z[..])
                .read_to_string(&mut back)
                .unwrap();
            assert_eq!(back, body);
        }
        assert!(gzip_bytes(big.as_bytes()).len() < big.len() / 4);
    }

    #[test]
    fn credentials() {
        let m = h(header::AUTHORIZATION, "Basic YWxpY2U6czNjcjN0"); // alice:s3cr3t
        assert_eq!(
            basic_credentials(&m),
            Some((b"alice".to_vec(), b"s3cr3t".to_vec()))
        );
        assert_eq!(
            basic_credentials(&h(header::AUTHORIZATION, "Basic !!")),
            None
        );
        assert_eq!(
            basic_credentials(&h(header::AUTHORIZATION, "Bearer x")),
            None
        );
        assert_eq!(basic_credentials(&h(header::AUTHORIZATION, "Ba")), None);
        assert_eq!(
            basic_credentials(&h(header::AUTHORIZATION, "Basic YWxpY2U=")),
            None
        );
        assert_ne!(cache_key(b"a", "h", b"bc"), cache_key(b"ab", "h", b"c"));
    }
}
