//! Network functions on fixture trees (reference §2.5): `/proc/net/{dev,tcp,tcp6,udp,
//! udp6,unix}`, `/proc/<pid>/fd` symlinks and `/sys/class/net`.

mod common;

use pskit::net::{
    self, Addr, ConnAddr, Connection, AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_STREAM,
};
use pskit::{NetIoCounters, NicDuplex, Root};

fn root(name: &str) -> Root {
    Root::new(common::fixture(name))
}

fn inet(ip: &str, port: u16) -> ConnAddr {
    ConnAddr::Inet(Addr {
        ip: ip.into(),
        port,
    })
}

fn path(p: &str) -> ConnAddr {
    ConnAddr::Path(p.into())
}

fn sorted(mut v: Vec<Connection>) -> Vec<Connection> {
    v.sort_by(|a, b| {
        (a.family, a.r#type, &a.laddr, &a.raddr, a.pid, a.fd)
            .cmp(&(b.family, b.r#type, &b.laddr, &b.raddr, b.pid, b.fd))
    });
    v
}

#[test]
fn io_counters_per_nic_map_rx_and_tx_columns() {
    let per = root("net")
        .scope(|| pskit::net_io_counters_pernic(false))
        .unwrap();
    // psutil's order: the lines of /proc/net/dev.
    assert_eq!(
        per.keys().collect::<Vec<_>>(),
        ["lo", "eth0", "ifb0", "gone0"]
    );
    assert_eq!(
        per["eth0"],
        NetIoCounters {
            bytes_sent: 300000,
            bytes_recv: 5000000,
            packets_sent: 2000,
            packets_recv: 4000,
            errin: 1,
            errout: 3,
            dropin: 2,
            dropout: 4,
        }
    );
}

#[test]
fn io_counters_total_is_sum_including_lo() {
    let total = root("net")
        .scope(|| pskit::net_io_counters(false))
        .unwrap()
        .unwrap();
    assert_eq!(total.bytes_sent, 1000 + 300000 + 6);
    assert_eq!(total.bytes_recv, 1000 + 5000000 + 5);
    assert_eq!(total.packets_recv, 10 + 4000 + 1);
    assert_eq!(total.errin, 1);
    assert_eq!(total.dropout, 4);
}

#[test]
fn nowrap_adds_previous_raw_value_per_nic_before_summing() {
    // The only test in this binary that uses nowrap=true: the state is global.
    pskit::net_io_counters_cache_clear();
    let first = root("net_wrap1")
        .scope(|| pskit::net_io_counters(true))
        .unwrap()
        .unwrap();
    assert_eq!(first.bytes_recv, 1000 + 4294967000);
    let per = root("net_wrap2")
        .scope(|| pskit::net_io_counters_pernic(true))
        .unwrap();
    assert_eq!(
        per["eth0"].bytes_recv,
        4294967000 + 1000,
        "wrapped counter corrected"
    );
    assert_eq!(
        per["lo"].bytes_recv, 1100,
        "counters that grew pass through"
    );
    let total = root("net_wrap2")
        .scope(|| pskit::net_io_counters(true))
        .unwrap()
        .unwrap();
    assert_eq!(total.bytes_recv, 1100 + 4294967000 + 1000);
    let raw = root("net_wrap2")
        .scope(|| pskit::net_io_counters(false))
        .unwrap()
        .unwrap();
    assert_eq!(
        raw.bytes_recv,
        1100 + 1000,
        "nowrap=false gives the raw sum"
    );
    pskit::net_io_counters_cache_clear();
    let cleared = root("net_wrap2")
        .scope(|| pskit::net_io_counters(true))
        .unwrap()
        .unwrap();
    assert_eq!(
        cleared.bytes_recv,
        1100 + 1000,
        "cache_clear forgets the reminders"
    );
}

#[test]
fn if_stats_from_sysfs_under_a_fixture_root() {
    let stats = root("net").scope(pskit::net_if_stats).unwrap();
    assert_eq!(
        stats.keys().collect::<Vec<_>>(),
        ["lo", "eth0", "ifb0"],
        "/proc/net/dev's order; gone0 has no sysfs dir"
    );
    let eth = &stats["eth0"];
    assert!(eth.isup);
    assert_eq!(eth.duplex, NicDuplex::Full);
    assert_eq!(eth.speed, 1000);
    assert_eq!(eth.mtu, 1500);
    assert_eq!(eth.flags, "up,broadcast,running,multicast");
    let lo = &stats["lo"];
    assert!(lo.isup, "operstate unknown counts as running");
    assert_eq!(lo.flags, "up,loopback,running");
    assert_eq!((lo.duplex, lo.speed), (NicDuplex::Unknown, 0));
    let ifb = &stats["ifb0"];
    assert!(!ifb.isup);
    assert_eq!(ifb.flags, "broadcast,noarp");
    assert_eq!(ifb.mtu, 1500);
}

#[test]
fn if_stats_json_shape() {
    let stats = root("net").scope(pskit::net_if_stats).unwrap();
    let v = serde_json::to_value(&stats["eth0"]).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"isup": true, "duplex": 2, "speed": 1000, "mtu": 1500,
                           "flags": "up,broadcast,running,multicast"})
    );
}

#[cfg(target_endian = "little")]
#[test]
fn connections_all_follow_psutil_rules() {
    let got = sorted(root("net").scope(|| pskit::net_connections("all")).unwrap());
    let c = |fd, family, r#type, laddr, raddr, status, pid| Connection {
        fd,
        family,
        r#type,
        laddr,
        raddr,
        status,
        pid,
    };
    let want = sorted(vec![
        c(
            3,
            AF_INET,
            SOCK_STREAM,
            inet("127.0.0.1", 8080),
            ConnAddr::Empty,
            "LISTEN",
            Some(4242),
        ),
        // Inode 1002 is held by pids 4242 and 5000: the higher pid wins (psutil's dict update).
        c(
            7,
            AF_INET,
            SOCK_STREAM,
            inet("127.0.0.1", 54321),
            inet("127.0.0.1", 8080),
            "ESTABLISHED",
            Some(5000),
        ),
        c(
            -1,
            AF_INET,
            SOCK_STREAM,
            inet("127.0.0.1", 54322),
            inet("127.0.0.1", 8080),
            "TIME_WAIT",
            None,
        ),
        c(
            -1,
            AF_INET,
            SOCK_STREAM,
            inet("0.0.0.0", 22),
            ConnAddr::Empty,
            "LISTEN",
            None,
        ),
        // Two fds on one inet socket: the first fd.
        c(
            8,
            AF_INET6,
            SOCK_STREAM,
            inet("::1", 443),
            ConnAddr::Empty,
            "LISTEN",
            Some(5000),
        ),
        c(
            5,
            AF_INET,
            SOCK_DGRAM,
            inet("0.0.0.0", 68),
            ConnAddr::Empty,
            "NONE",
            Some(4242),
        ),
        // A UNIX socket gives a row per fd.
        c(
            6,
            AF_UNIX,
            SOCK_STREAM,
            path("/run/fixture.sock"),
            path(""),
            "NONE",
            Some(4242),
        ),
        c(
            10,
            AF_UNIX,
            SOCK_STREAM,
            path("/run/fixture.sock"),
            path(""),
            "NONE",
            Some(4242),
        ),
        // Two unowned unbound sockets are one row (psutil returns a set).
        c(-1, AF_UNIX, SOCK_STREAM, path(""), path(""), "NONE", None),
        c(
            11,
            AF_UNIX,
            SOCK_DGRAM,
            path("@abstract"),
            path(""),
            "NONE",
            Some(5000),
        ),
    ]);
    assert_eq!(got, want);
}

#[cfg(target_endian = "little")]
#[test]
fn every_kind_selects_its_tables() {
    let count = |kind: &str| {
        root("net")
            .scope(|| pskit::net_connections(kind))
            .unwrap()
            .len()
    };
    let expected = [
        ("all", 10),
        ("inet", 6),
        ("inet4", 5),
        ("inet6", 1),
        ("tcp", 5),
        ("tcp4", 4),
        ("tcp6", 1),
        ("udp", 1),
        ("udp4", 1),
        ("udp6", 0),
        ("unix", 4),
    ];
    assert_eq!(expected.len(), net::CONN_KINDS.len());
    for (kind, n) in expected {
        assert_eq!(count(kind), n, "kind {kind}");
    }
}

#[test]
fn invalid_kind_is_invalid_argument_naming_valid_kinds() {
    let err = root("net")
        .scope(|| pskit::net_connections("tcp5"))
        .unwrap_err();
    assert!(matches!(err, pskit::Error::InvalidArgument(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("invalid kind argument 'tcp5'; valid ones are: ("),
        "{msg}"
    );
    for k in net::CONN_KINDS {
        assert!(msg.contains(&format!("'{k}'")), "{msg}");
    }
}

#[cfg(target_endian = "little")]
#[test]
fn missing_ipv6_tables_mean_no_ipv6() {
    let r = root("net_noipv6");
    assert!(r
        .scope(|| pskit::net_connections("inet6"))
        .unwrap()
        .is_empty());
    assert_eq!(r.scope(|| pskit::net_connections("tcp")).unwrap().len(), 4);
    // The fixture has no fd tables: every socket is unowned.
    assert!(r
        .scope(|| pskit::net_connections("all"))
        .unwrap()
        .iter()
        .all(|c| c.pid.is_none() && c.fd == -1));
}

#[cfg(target_endian = "little")]
#[test]
fn per_pid_view_scans_only_that_process() {
    let got = root("net")
        .scope(|| net::net_connections_pids("all", Some(&[4242])))
        .unwrap();
    let mut fds: Vec<i32> = got.iter().map(|c| c.fd).collect();
    fds.sort();
    // Its own view of inode 1002 (fd 4), which the system-wide view gives to pid 5000.
    assert_eq!(fds, [3, 4, 5, 6, 10]);
    assert!(got.iter().all(|c| c.pid == Some(4242)));
}

#[test]
fn per_pid_view_reports_unreadable_processes() {
    let err = root("net")
        .scope(|| net::net_connections_pids("all", Some(&[6000])))
        .unwrap_err();
    assert!(err.to_string().contains("6000/fd"), "{err}");
    let none = root("net")
        .scope(|| net::net_connections_pids("all", Some(&[5000])))
        .unwrap();
    assert_eq!(none.len(), 3, "{none:?}");
}

#[test]
fn empty_root_raises_like_psutil() {
    // psutil's own test: with PROCFS_PATH at an empty directory these raise OSError.
    let r = root("net_empty");
    assert!(r.scope(|| pskit::net_connections("inet")).is_err());
    assert!(r.scope(|| pskit::net_io_counters(false)).is_err());
    assert!(r.scope(pskit::net_if_stats).is_err());
}

#[test]
fn program_names_from_comm() {
    assert_eq!(
        root("net").scope(|| net::process_comm(4242)).unwrap(),
        "fixtured"
    );
    let err = root("net").scope(|| net::process_comm(7)).unwrap_err();
    assert!(err.is_no_such_process());
}

#[cfg(target_endian = "little")]
#[test]
fn connection_json_shape() {
    let conns = root("net")
        .scope(|| pskit::net_connections("tcp6"))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&conns[0]).unwrap(),
        serde_json::json!({"fd": 8, "family": 10, "type": 1,
            "laddr": {"ip": "::1", "port": 443}, "raddr": [], "status": "LISTEN", "pid": 5000})
    );
    let unix = root("net")
        .scope(|| pskit::net_connections("unix"))
        .unwrap();
    let v = serde_json::to_value(unix.iter().find(|c| c.fd == 11).unwrap()).unwrap();
    assert_eq!(v["laddr"], "@abstract");
    assert_eq!(v["raddr"], "");
}
