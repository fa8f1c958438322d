//! Shared by pskit-serve's tests: the real exporters on loopback, a plain
//! HTTP GET, and a parser for the text exposition format.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server the test started; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `program` with `args` (where `{port}` is replaced by a free
/// loopback port) and waits until it answers on that port. A port another
/// process took in between makes the server exit: then it retries on a new
/// port, so the test does not depend on a port being free.
pub fn start(program: &str, args: &[&str]) -> Server {
    for _ in 0..10 {
        let port = free_port();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let child = Command::new(program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        let mut s = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(_)) = s.child.try_wait() {
                break; // exited: the port was taken; try another
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return s;
            }
            assert!(Instant::now() < deadline, "{program} never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = s.child.wait();
    }
    panic!("{program} could not listen on any port");
}

/// Debian's node_exporter on a free loopback port, with extra flags.
pub fn node_exporter(flags: &[&str]) -> Server {
    let mut args = vec!["--web.listen-address=127.0.0.1:{port}"];
    args.extend_from_slice(flags);
    start("/usr/bin/prometheus-node-exporter", &args)
}

/// A response: status code, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// A plain HTTP/1.1 request over loopback with `Connection: close`;
/// `extra` holds more header lines ("Accept: …").
pub fn request(method: &str, url: &str, extra: &[&str]) -> Response {
    let rest = url.strip_prefix("http://").expect("http:// url");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<HashMap<_, _>>();
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// GET `url`; the body of a 200.
pub fn get(url: &str) -> String {
    let r = request("GET", url, &[]);
    assert_eq!(r.status, 200, "GET {url}: {}", r.body);
    r.body
}

/// One sample of a scrape.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A parsed scrape: its samples and each family's `# TYPE` and `# HELP`.
#[derive(Debug, Default)]
pub struct Scrape {
    pub series: Vec<Series>,
    pub types: HashMap<String, String>,
    pub help: HashMap<String, String>,
}

impl Scrape {
    /// The samples with this name.
    pub fn named(&self, name: &str) -> Vec<&Series> {
        self.series.iter().filter(|s| s.name == name).collect()
    }

    /// The one sample with this name and these labels.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.series
            .iter()
            .find(|s| {
                s.name == name
                    && s.labels.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
    }

    /// Every (name, labels) key.
    pub fn keys(&self) -> Vec<(String, BTreeMap<String, String>)> {
        self.series
            .iter()
            .map(|s| (s.name.clone(), s.labels.clone()))
            .collect()
    }
}

/// Parses Prometheus text format 0.0.4 (what both node_exporter and pskit
/// serve answer by default).
pub fn parse(text: &str) -> Scrape {
    let mut out = Scrape::default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (n, t) = rest.split_once(' ').expect("TYPE name type");
            out.types.insert(n.to_string(), t.to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (n, h) = rest.split_once(' ').unwrap_or((rest, ""));
            out.help.insert(n.to_string(), h.to_string());
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (name, labels, rest) = match line.find('{') {
            Some(i) => {
                let close = line.rfind('}').expect("closing brace");
                (
                    &line[..i],
                    parse_labels(&line[i + 1..close]),
                    &line[close + 1..],
                )
            }
            None => {
                let (n, r) = line.split_once(' ').expect("name value");
                (n, BTreeMap::new(), r)
            }
        };
        let value = rest.split_whitespace().next().expect("a value");
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value in {line}")),
        };
        out.series.push(Series {
            name: name.to_string(),
            labels,
            value,
        });
    }
    out
}

fn parse_labels(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek() == Some(&',') || chars.peek() == Some(&' ') {
            chars.next();
        }
        let name: String = chars.by_ref().take_while(|&c| c != '=').collect();
        if name.is_empty() {
            break;
        }
        assert_eq!(chars.next(), Some('"'), "label {name} quoted");
        let mut v = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => v.push('\n'),
                    Some(c) => v.push(c),
                    None => break,
                },
                '"' => break,
                c => v.push(c),
            }
        }
        out.insert(name, v);
    }
    out
}

/// pskit serve's scrape, in-process, with these flags (after "pskit serve").
pub fn pskit_scrape(flags: &[&str]) -> String {
    let mut args = vec!["pskit serve"];
    args.extend_from_slice(flags);
    let cfg = pskit_serve::Config::parse(args).expect("flags");
    pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg))
}
