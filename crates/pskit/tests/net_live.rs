//! Network functions against psutil 7.2.2 on this machine (reference §2.5, §7.2).

mod common;

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};

use pskit::net::{self, ConnAddr, Connection, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM};
use serde_json::{json, Value};

/// psutil's rows of this process for `kind`, in pskit's JSON shape.
fn psutil_conns_of(pid: u32, kind: &str) -> BTreeSet<String> {
    let snippet = format!(
        "def a(x):\n    return {{'ip': x[0], 'port': x[1]}} if isinstance(x, tuple) and len(x) == 2 else (list(x) if isinstance(x, tuple) else x)\n\
         out = [dict(fd=c.fd, family=int(c.family), type=int(c.type), laddr=a(c.laddr), raddr=a(c.raddr), status=c.status, pid=c.pid)\n\
         \x20      for c in psutil.net_connections({kind:?}) if c.pid == {pid}]"
    );
    let v = common::psutil(&snippet);
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn as_json_set(conns: &[Connection]) -> BTreeSet<String> {
    conns
        .iter()
        .map(|c| serde_json::to_value(c).unwrap().to_string())
        .collect()
}

fn mine(conns: Vec<Connection>) -> Vec<Connection> {
    let me = std::process::id();
    conns.into_iter().filter(|c| c.pid == Some(me)).collect()
}

/// A root that is not the host root but reads the same /proc: pskit then uses the
/// `/proc/net` files instead of sock_diag.
fn proc_files_root(tag: &str) -> (pskit::Root, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("pskit-net-live-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(pskit::Root::host().proc(), dir.join("proc")).unwrap();
    std::os::unix::fs::symlink(pskit::Root::host().sys(), dir.join("sys")).unwrap();
    (pskit::Root::new(&dir), dir)
}

#[test]
fn if_addrs_equal_psutil() {
    let ours = serde_json::to_value(pskit::net_if_addrs().unwrap()).unwrap();
    let theirs = common::psutil(
        "out = {k: [dict(family=int(a.family), address=a.address, netmask=a.netmask, broadcast=a.broadcast, ptp=a.ptp) for a in v] for k, v in psutil.net_if_addrs().items()}",
    );
    assert_eq!(ours, theirs);
}

#[test]
fn if_stats_equal_psutil() {
    let ours = serde_json::to_value(pskit::net_if_stats().unwrap()).unwrap();
    let theirs = common::psutil(
        "out = {k: dict(isup=v.isup, duplex=int(v.duplex), speed=v.speed, mtu=v.mtu, flags=v.flags) for k, v in psutil.net_if_stats().items()}",
    );
    assert_eq!(ours, theirs);
}

#[test]
fn if_stats_through_sysfs_equal_netlink() {
    // Under a non-host root, flags and MTU come from sysfs (running derived from
    // operstate); they must give the same answer as rtnetlink.
    let (root, dir) = proc_files_root("stats");
    let mut via_sysfs = root.scope(pskit::net_if_stats).unwrap();
    let mut via_netlink = pskit::net_if_stats().unwrap();
    let _ = std::fs::remove_dir_all(dir);
    // sysfs shows dev->flags, where promisc/allmulti also count a bridge's or a
    // packet socket's requests; SIOCGIFFLAGS and rtnetlink show the user's. Compare
    // the rest.
    for stats in [&mut via_sysfs, &mut via_netlink] {
        for s in stats.values_mut() {
            s.flags = s
                .flags
                .split(',')
                .filter(|f| *f != "promisc" && *f != "allmulti")
                .collect::<Vec<_>>()
                .join(",");
        }
    }
    assert_eq!(via_sysfs, via_netlink);
}

/// psutil's net_io_counters tolerances (test_linux.py): bytes < 10 KiB, packets < 1024,
/// errors and drops < 10.
fn assert_io_close(ours: &Value, theirs: &Value, what: &str) {
    for (field, tol) in [
        ("bytes_sent", 10 * 1024),
        ("bytes_recv", 10 * 1024),
        ("packets_sent", 1024),
        ("packets_recv", 1024),
        ("errin", 10),
        ("errout", 10),
        ("dropin", 10),
        ("dropout", 10),
    ] {
        let a = ours[field].as_u64().unwrap();
        let b = theirs[field].as_u64().unwrap();
        assert!(
            common::diff(a, b) < tol,
            "{what}.{field}: pskit {a}, psutil {b}"
        );
    }
}

#[test]
fn io_counters_within_psutil_tolerances() {
    let theirs = common::psutil(
        "out = dict(total=psutil.net_io_counters(nowrap=False)._asdict(), per={k: v._asdict() for k, v in psutil.net_io_counters(pernic=True, nowrap=False).items()})",
    );
    let total = serde_json::to_value(pskit::net_io_counters(false).unwrap().unwrap()).unwrap();
    let per = serde_json::to_value(pskit::net_io_counters_pernic(false).unwrap()).unwrap();
    assert_io_close(&total, &theirs["total"], "total");
    let names: BTreeSet<_> = per.as_object().unwrap().keys().collect();
    let their_names: BTreeSet<_> = theirs["per"].as_object().unwrap().keys().collect();
    assert_eq!(names, their_names);
    for name in names {
        assert_io_close(&per[name], &theirs["per"][name], name);
    }
}

#[test]
fn io_counters_totals_are_sums_of_nics() {
    let per = pskit::net_io_counters_pernic(false).unwrap();
    let total = pskit::net_io_counters(false).unwrap().unwrap();
    let sum: u64 = per.values().map(|c| c.bytes_recv).sum();
    assert!(
        total.bytes_recv >= sum.saturating_sub(10 * 1024) && total.bytes_recv <= sum + 10 * 1024
    );
    assert!(per.contains_key("lo"));
}

struct Sockets {
    tcp4_listen: TcpListener,
    tcp4_client: TcpStream,
    tcp4_server: TcpStream,
    tcp6: Option<(TcpListener, TcpStream, TcpStream)>,
    udp4: UdpSocket,
    udp6: Option<UdpSocket>,
    unix_listen: UnixListener,
    unix_client: UnixStream,
    unix_server: UnixStream,
    unix_path: std::path::PathBuf,
}

fn open_sockets() -> Sockets {
    let tcp4_listen = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp4_client = TcpStream::connect(tcp4_listen.local_addr().unwrap()).unwrap();
    let (tcp4_server, _) = tcp4_listen.accept().unwrap();
    // IPv6 may be disabled on a machine: then only the IPv4 half is checked.
    let tcp6 = TcpListener::bind("[::1]:0").ok().map(|l| {
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        (l, c, s)
    });
    let udp4 = UdpSocket::bind("127.0.0.1:0").unwrap();
    let udp6 = UdpSocket::bind("[::1]:0").ok();
    let unix_path = std::env::temp_dir().join(format!("pskit-net-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&unix_path);
    let unix_listen = UnixListener::bind(&unix_path).unwrap();
    let unix_client = UnixStream::connect(&unix_path).unwrap();
    let (unix_server, _) = unix_listen.accept().unwrap();
    Sockets {
        tcp4_listen,
        tcp4_client,
        tcp4_server,
        tcp6,
        udp4,
        udp6,
        unix_listen,
        unix_client,
        unix_server,
        unix_path,
    }
}

fn find(conns: &[Connection], fd: i32) -> &Connection {
    conns
        .iter()
        .find(|c| c.fd == fd)
        .unwrap_or_else(|| panic!("fd {fd} not in {conns:#?}"))
}

fn inet_of(addr: std::net::SocketAddr) -> ConnAddr {
    ConnAddr::Inet(net::Addr {
        ip: addr.ip().to_string(),
        port: addr.port(),
    })
}

/// All socket checks share one test: they compare this process's whole socket set, so
/// no other test of this binary may open sockets meanwhile.
#[test]
fn own_sockets_match_psutil_for_every_kind_and_both_sources() {
    let s = open_sockets();
    let me = std::process::id();
    let all = mine(pskit::net_connections("all").unwrap());

    // The expected fields of each socket.
    let l = find(&all, s.tcp4_listen.as_raw_fd());
    assert_eq!(
        (l.family, l.r#type, l.status),
        (AF_INET, SOCK_STREAM, pskit::CONN_LISTEN)
    );
    assert_eq!(l.laddr, inet_of(s.tcp4_listen.local_addr().unwrap()));
    assert_eq!(l.raddr, ConnAddr::Empty);
    let c = find(&all, s.tcp4_client.as_raw_fd());
    assert_eq!(c.status, pskit::CONN_ESTABLISHED);
    assert_eq!(c.laddr, inet_of(s.tcp4_client.local_addr().unwrap()));
    assert_eq!(c.raddr, inet_of(s.tcp4_client.peer_addr().unwrap()));
    let sv = find(&all, s.tcp4_server.as_raw_fd());
    assert_eq!(sv.laddr, c.raddr);
    assert_eq!(sv.raddr, c.laddr);
    if let Some((l6, c6, _)) = &s.tcp6 {
        let l = find(&all, l6.as_raw_fd());
        assert_eq!((l.family, l.status), (AF_INET6, pskit::CONN_LISTEN));
        assert_eq!(l.laddr, inet_of(l6.local_addr().unwrap()));
        let c = find(&all, c6.as_raw_fd());
        assert_eq!(c.raddr, inet_of(c6.peer_addr().unwrap()));
    }
    let u = find(&all, s.udp4.as_raw_fd());
    assert_eq!(
        (u.family, u.r#type, u.status),
        (AF_INET, SOCK_DGRAM, pskit::CONN_NONE)
    );
    assert_eq!(u.laddr, inet_of(s.udp4.local_addr().unwrap()));
    assert_eq!(u.raddr, ConnAddr::Empty);
    if let Some(u6) = &s.udp6 {
        assert_eq!(find(&all, u6.as_raw_fd()).family, AF_INET6);
    }
    let path = ConnAddr::Path(s.unix_path.to_string_lossy().into_owned());
    let ul = find(&all, s.unix_listen.as_raw_fd());
    assert_eq!(
        (ul.family, ul.r#type, ul.status),
        (AF_UNIX, SOCK_STREAM, pskit::CONN_NONE)
    );
    assert_eq!(
        (&ul.laddr, &ul.raddr),
        (&path, &ConnAddr::Path(String::new()))
    );
    assert_eq!(
        find(&all, s.unix_server.as_raw_fd()).laddr,
        path,
        "accepted side shares the path"
    );
    assert_eq!(
        find(&all, s.unix_client.as_raw_fd()).laddr,
        ConnAddr::Path(String::new())
    );
    assert!(all.iter().all(|c| c.pid == Some(me)));

    // psutil sees the same rows for every kind, and so do the /proc/net files and
    // the per-process view.
    let (proc_root, dir) = proc_files_root("conns");
    for kind in net::CONN_KINDS {
        let ours = mine(pskit::net_connections(kind).unwrap());
        let theirs = psutil_conns_of(me, kind);
        assert_eq!(as_json_set(&ours), theirs, "kind {kind}: pskit vs psutil");
        let via_proc = mine(proc_root.scope(|| pskit::net_connections(kind)).unwrap());
        assert_eq!(
            as_json_set(&ours),
            as_json_set(&via_proc),
            "kind {kind}: sock_diag vs /proc/net"
        );
        let per_pid = net::net_connections_pids(kind, Some(&[me])).unwrap();
        assert_eq!(
            as_json_set(&ours),
            as_json_set(&per_pid),
            "kind {kind}: per-process view"
        );
    }
    let _ = std::fs::remove_dir_all(dir);

    // Every kind keeps only its families and types.
    let rows = |k: &str| mine(pskit::net_connections(k).unwrap());
    assert!(rows("tcp")
        .iter()
        .all(|c| c.r#type == SOCK_STREAM && c.family != AF_UNIX));
    assert!(rows("udp4")
        .iter()
        .all(|c| c.r#type == SOCK_DGRAM && c.family == AF_INET));
    assert!(rows("inet6").iter().all(|c| c.family == AF_INET6));
    assert!(rows("unix").iter().all(|c| c.family == AF_UNIX));
    assert_eq!(rows("tcp4").len(), 3);
    assert_eq!(rows("unix").len(), 3);
    drop(s.unix_listen);
    let _ = std::fs::remove_file(&s.unix_path);
}

#[test]
fn connections_json_matches_psutil_shape() {
    let v = serde_json::to_value(pskit::net_connections("all").unwrap()).unwrap();
    for c in v.as_array().unwrap() {
        let keys: Vec<&str> = c.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            ["fd", "family", "type", "laddr", "raddr", "status", "pid"]
        );
        if c["family"] == json!(1) {
            assert!(c["laddr"].is_string() && c["raddr"] == json!(""));
        } else {
            assert!(c["laddr"].is_object() || c["laddr"] == json!([]));
        }
    }
}

#[test]
fn nic_maps_come_in_psutils_order() {
    let theirs = common::psutil(
        "out = [list(psutil.net_io_counters(pernic=True)), list(psutil.net_if_stats()), \
         list(psutil.net_if_addrs())]",
    );
    let ours = serde_json::json!([
        pskit::net_io_counters_pernic(false)
            .unwrap()
            .into_keys()
            .collect::<Vec<_>>(),
        pskit::net_if_stats()
            .unwrap()
            .into_keys()
            .collect::<Vec<_>>(),
        pskit::net_if_addrs()
            .unwrap()
            .into_keys()
            .collect::<Vec<_>>(),
    ]);
    assert_eq!(ours, theirs);
}
