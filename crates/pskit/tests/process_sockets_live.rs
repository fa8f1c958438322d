//! Process::net_connections against psutil's for a child holding known sockets.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::psutil;
use serde_json::Value;

#[test]
fn process_net_connections_match_psutil_for_every_kind() {
    let dir = std::env::temp_dir().join(format!("pskit-psock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("s.sock");
    let script = format!(
        "import socket, sys, time\n\
         t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()\n\
         c = socket.create_connection(t.getsockname()); a, _ = t.accept()\n\
         u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(('::1', 0))\n\
         x = socket.socket(socket.AF_UNIX); x.bind({:?}); x.listen()\n\
         print('ready', flush=True); time.sleep(60)\n",
        sock.display().to_string()
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    let pid = child.id();
    let p = pskit::Process::new(pid).unwrap();
    for kind in [
        "all", "inet", "inet4", "inet6", "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix",
    ] {
        let ours = p.net_connections(kind).unwrap();
        let theirs = psutil(&format!(
            "def a(x): return {{'ip': x.ip, 'port': x.port}} if hasattr(x, 'ip') else (x if isinstance(x, str) else [])\n\
             out = sorted([[c.fd, int(c.family), int(c.type), a(c.laddr), a(c.raddr), c.status] \
             for c in psutil.Process({pid}).net_connections({kind:?})], key=lambda r: r[0])"
        ));
        let mut ours: Vec<Value> = ours
            .iter()
            .map(|c| {
                let v = serde_json::to_value(c).unwrap();
                serde_json::json!([
                    v["fd"],
                    v["family"],
                    v["type"],
                    v["laddr"],
                    v["raddr"],
                    v["status"]
                ])
            })
            .collect();
        ours.sort_by_key(|r| r[0].as_i64());
        assert_eq!(Value::Array(ours), theirs, "kind {kind}");
    }
    let all = p.net_connections("all").unwrap();
    assert_eq!(
        all.len(),
        5,
        "listener, two ends of a connection, UDP, UNIX: {all:?}"
    );
    assert!(matches!(
        p.net_connections("bogus"),
        Err(pskit::Error::InvalidArgument(_))
    ));
    child.kill().unwrap();
    child.wait().unwrap();
    // Gone: NoSuchProcess.
    assert!(p.net_connections("all").unwrap_err().is_no_such_process());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn process_container_limits_follow_its_cgroup() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let p = pskit::Process::new(child.id()).unwrap();
    // A child shares its parent's cgroup and affinity.
    assert_eq!(
        p.cpu_limit().unwrap(),
        pskit::container::cpu_limit().unwrap()
    );
    let (a, b) = (
        p.memory_limit().unwrap(),
        pskit::container::memory_limit().unwrap(),
    );
    assert_eq!(
        (a.limit, a.cgroup, a.cgroup_version),
        (b.limit, b.cgroup, b.cgroup_version)
    );
    // Its cgroup path is the one the handle reports.
    let cg = p.cgroup().unwrap();
    assert!(cg.is_some());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(p.cpu_limit().unwrap_err().is_no_such_process());
    assert!(p.memory_limit().unwrap_err().is_no_such_process());
}
