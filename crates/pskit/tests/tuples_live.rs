//! Every result prints as psutil's named tuple does: our values, rebuilt as
//! psutil 7.2.2's own `_ntuples` types in Python, must give the same str().

mod common;

use pskit::PsutilTuple;
use serde_json::{json, Value};

/// (psutil type name, our fields as JSON, our Display) for one value.
fn case<T: PsutilTuple + std::fmt::Display>(v: &T) -> Value {
    let fields: serde_json::Map<String, Value> = v.fields().into_iter().collect();
    json!([T::NAME, fields, v.to_string()])
}

#[test]
fn display_is_psutils_str() {
    let me = pskit::Process::current().unwrap();
    let mut cases = vec![
        case(&pskit::cpu_times().unwrap()),
        case(&pskit::cpu_stats().unwrap()),
        case(&pskit::virtual_memory().unwrap()),
        case(&pskit::swap_memory().unwrap()),
        case(&pskit::disk_usage("/").unwrap()),
        case(&pskit::net_io_counters(false).unwrap().unwrap()),
        case(&me.uids().unwrap()),
        case(&me.gids().unwrap()),
        case(&me.cpu_times().unwrap()),
        case(&me.memory_info().unwrap()),
        case(&me.memory_full_info().unwrap()),
        case(&me.io_counters().unwrap()),
        case(&me.num_ctx_switches().unwrap()),
        case(&me.ionice().unwrap()),
    ];
    // Odd floats: exponents, whole numbers, long fractions.
    let mut odd = pskit::CpuTimes::default();
    (odd.user, odd.nice, odd.idle, odd.iowait, odd.irq) = (1.0, 2.5, 1e-05, 1e16, 123456789.123);
    cases.push(case(&odd));
    for t in pskit::cpu_times_percpu().unwrap() {
        cases.push(case(&t));
    }
    if let Some(io) = pskit::disk_io_counters(false).unwrap() {
        cases.push(case(&io));
    }
    for p in pskit::disk_partitions(false).unwrap() {
        cases.push(case(&p));
    }
    for (_, addrs) in pskit::net_if_addrs().unwrap() {
        cases.extend(addrs.iter().map(case));
    }
    for (_, s) in pskit::net_if_stats().unwrap() {
        cases.push(case(&s));
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    for c in pskit::net_connections("inet").unwrap().iter().take(20) {
        cases.push(case(c));
    }
    for c in me.net_connections("inet").unwrap() {
        cases.push(case(&c));
    }
    drop(listener);
    for t in me.threads().unwrap() {
        cases.push(case(&t));
    }
    for m in me.memory_maps().unwrap().iter().take(5) {
        cases.push(case(m));
    }
    for u in pskit::users().unwrap() {
        cases.push(case(&u));
    }
    let theirs = common::psutil(&format!(
        "import socket, psutil._ntuples as n, psutil._pslinux, psutil._common\n\
         def conv(name, k, v):\n\
         \x20   if k == 'family': return socket.AddressFamily(v)\n\
         \x20   if k == 'type' and name in ('sconn', 'pconn'): return socket.SocketKind(v)\n\
         \x20   if k == 'duplex': return psutil._common.NicDuplex(v)\n\
         \x20   if k == 'ioclass': return psutil._pslinux.IOPriority(v)\n\
         \x20   if k in ('laddr', 'raddr'): return n.addr(**v) if v else ()\n\
         \x20   return v\n\
         out = []\n\
         for name, d, ours in {}:\n\
         \x20   t = getattr(n, name)(**{{k: conv(name, k, v) for k, v in d.items()}})\n\
         \x20   out.append([str(t), ours])\n",
        serde_json::to_string(&Value::Array(cases.clone()))
            .unwrap()
            .replace("null", "None")
            .replace("true", "True")
            .replace("false", "False")
    ));
    for pair in theirs.as_array().unwrap() {
        assert_eq!(pair[1], pair[0], "ours vs psutil's str()");
    }
    assert_eq!(theirs.as_array().unwrap().len(), cases.len());
}
