//! `pskit dump` carries the network functions under psutil's names.

use std::process::Command;

#[test]
fn dump_has_network_keys() {
    let out = Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(["dump", "--compact"])
        .output()
        .expect("run pskit");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["net_io_counters"]["bytes_recv"].is_u64());
    assert!(v["net_if_addrs"]["lo"].is_array());
    assert!(v["net_if_stats"]["lo"]["isup"].is_boolean());
    assert!(v["net_connections"].is_array());
    for key in [
        "net_io_counters",
        "net_if_addrs",
        "net_if_stats",
        "net_connections",
    ] {
        assert!(
            v["errors"].get(key).is_none(),
            "{key}: {}",
            v["errors"][key]
        );
    }
}
