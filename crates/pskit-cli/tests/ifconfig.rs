//! `pskit ifconfig`: text, JSON and bad arguments.

use std::process::Command;

fn pskit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .output()
        .expect("run pskit")
}

/// `cmd args` beside net-tools on the same machine: equal output and status.
/// Counters move with traffic, so a mismatch is retried a few times.
fn beside_net_tools(tool: &str, args: &[&str]) {
    let mut last = String::new();
    for _ in 0..5 {
        let real = Command::new(tool)
            .args(args)
            .output()
            .expect("net-tools runs");
        let ours = pskit(&[&[tool][..], args].concat());
        if real.stdout == ours.stdout && real.status.code() == ours.status.code() {
            return;
        }
        last = format!(
            "net-tools:\n{}\npskit:\n{}",
            String::from_utf8_lossy(&real.stdout),
            String::from_utf8_lossy(&ours.stdout)
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("{tool} {args:?} differs\n{last}");
}

#[test]
fn text_matches_net_tools_ifconfig() {
    for args in [&[][..], &["-a"], &["-s"], &["-a", "-s"], &["lo"]] {
        beside_net_tools("ifconfig", args);
    }
    let text = String::from_utf8(pskit(&["ifconfig", "lo"]).stdout).unwrap();
    assert!(
        text.starts_with("lo: flags=73<UP,LOOPBACK,RUNNING>  mtu "),
        "{text}"
    );
    assert!(
        text.contains("        inet 127.0.0.1  netmask 255.0.0.0\n"),
        "{text}"
    );
}

#[test]
fn netstat_interface_and_route_tables_match_net_tools() {
    for args in [&["-i"][..], &["-ia"], &["-r"], &["-rn"]] {
        beside_net_tools("netstat", args);
    }
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
fn unknown_interface_and_settings_fail_as_net_tools() {
    let out = pskit(&["ifconfig", "nosuchnic0"]);
    let real = Command::new("ifconfig").arg("nosuchnic0").output().unwrap();
    assert_eq!(out.status.code(), real.status.code());
    assert_eq!(out.stderr, real.stderr);
    // Configuring is refused, never attempted.
    let out = pskit(&["ifconfig", "lo", "mtu", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not supported"));
    assert_eq!(pskit::net_if_stats().unwrap()["lo"].mtu, 65536);
}

#[test]
fn bad_flag_exits_2() {
    let out = pskit(&["ifconfig", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
}
