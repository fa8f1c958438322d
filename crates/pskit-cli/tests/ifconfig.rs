//! `pskit ifconfig`: text, JSON and bad arguments.

use std::process::Command;

fn pskit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .output()
        .expect("run pskit")
}

#[test]
fn text_lists_every_interface_with_stats_and_addresses() {
    let out = pskit(&["ifconfig"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for nic in pskit::net_io_counters_pernic(false).unwrap().keys() {
        assert!(
            text.contains(&format!("\n{nic}:\n")) || text.starts_with(&format!("{nic}:\n")),
            "{nic} in {text}"
        );
    }
    assert!(text.contains("    stats          : speed="));
    assert!(text.contains("    incoming       : bytes="));
    assert!(text.contains("IPv4 address   : 127.0.0.1"), "{text}");
}

#[test]
fn json_matches_the_library() {
    let out = pskit(&["ifconfig", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lo = &v["lo"];
    assert_eq!(
        lo["addrs"],
        serde_json::to_value(&pskit::net_if_addrs().unwrap()["lo"]).unwrap()
    );
    assert_eq!(
        lo["stats"],
        serde_json::to_value(&pskit::net_if_stats().unwrap()["lo"]).unwrap()
    );
    assert!(lo["io"]["bytes_recv"].is_u64());
}

#[test]
fn one_interface_only() {
    let out = pskit(&["ifconfig", "lo", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["lo"]);
}

#[test]
fn unknown_interface_is_a_usage_error() {
    let out = pskit(&["ifconfig", "nosuchnic0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("pskit: ") && err.contains("nosuchnic0"),
        "{err}"
    );
}

#[test]
fn bad_flag_exits_2() {
    let out = pskit(&["ifconfig", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
}
