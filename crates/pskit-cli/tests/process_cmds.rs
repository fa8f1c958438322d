//! The process subcommands: ps, proc, pidof, pstree, lsof, pmap and tty, on child
//! processes this test starts, with `pskit proc --json` checked against psutil.

use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pskit");

struct Kid(Child);

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sleeper() -> Kid {
    // No inherited files: their positions move while other tests write.
    let kid = Kid(Command::new("sleep")
        .arg("1000")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap());
    // Wait for the exec to be done.
    let comm = format!("/proc/{}/comm", kid.0.id());
    for _ in 0..500 {
        if std::fs::read_to_string(&comm)
            .map(|c| c.trim() == "sleep")
            .unwrap_or(false)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    kid
}

fn pskit(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = pskit(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn psutil_as_dict(pid: u32) -> Value {
    let program = format!(
        "import json, psutil\ndef norm(v):\n    if hasattr(v, '_asdict'): return {{k: norm(x) for k, x in v._asdict().items()}}\n    if isinstance(v, (list, tuple)): return [norm(x) for x in v]\n    if isinstance(v, dict): return {{k: norm(x) for k, x in v.items()}}\n    return v\nprint(json.dumps(norm(psutil.Process({pid}).as_dict())))"
    );
    let out = Command::new("python3")
        .args(["-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn proc_json_agrees_with_psutil_as_dict() {
    let kid = sleeper();
    let pid = kid.0.id();
    let ours = json(&["proc", &pid.to_string(), "--json"]);
    let theirs = psutil_as_dict(pid);
    let stable = [
        "cmdline",
        "cpu_affinity",
        "cpu_num",
        "cwd",
        "environ",
        "exe",
        "gids",
        "ionice",
        "memory_info",
        "memory_maps",
        "name",
        "net_connections",
        "nice",
        "num_fds",
        "num_threads",
        "open_files",
        "pid",
        "ppid",
        "status",
        "terminal",
        "uids",
        "username",
    ];
    for key in stable {
        if key == "memory_maps" {
            let paths = |v: &Value| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["path"].clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(paths(&ours[key]), paths(&theirs[key]));
        } else {
            assert_eq!(ours[key], theirs[key], "{key}");
        }
    }
    let (a, b) = (
        ours["create_time"].as_f64().unwrap(),
        theirs["create_time"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 0.01);
    // Every key psutil has is there.
    let mut missing: Vec<&String> = theirs
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !ours.as_object().unwrap().contains_key(*k))
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn missing_pid_is_a_clear_error() {
    let out = pskit(&["proc", "999999999"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no process with pid 999999999"), "{err}");
    // procps ps: a header, no rows, exit 1; an unknown column is exit 1 too.
    let out = pskit(&["ps", "-p", "999999999"]);
    assert_eq!(out.status.code(), Some(1));
    // The PID column as wide as pid_max's digits, as procps sizes it.
    let digits = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .len()
        .max(5);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{:>digits$} TTY          TIME CMD\n", "PID")
    );
    // The drop-ins answer as the real tools do: pmap prints nothing and exits
    // 42 (procps), lsof exits 1, pstree prints nothing and exits 0 (psmisc).
    for (args, code) in [
        (vec!["pmap", "999999999"], 42),
        (vec!["lsof", "-p", "99999999"], 1),
        (vec!["pstree", "999999999"], 0),
    ] {
        let out = pskit(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = pskit(&["ps", "-o", "pid,bogus"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown user-defined format specifier"));
}

#[test]
fn ps_lists_a_child_with_aux_columns_and_json() {
    let kid = sleeper();
    let pid = kid.0.id().to_string();
    let out = pskit(&["ps", "u", "-p", &pid]);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("USER"));
    let row = lines.next().unwrap();
    assert!(row.contains(&pid) && row.ends_with("sleep 1000"), "{row}");
    let v = json(&[
        "ps",
        "-p",
        &pid,
        "-o",
        "pid,name,ppid,num_threads",
        "--json",
    ]);
    assert_eq!(v[0]["name"], "sleep");
    assert_eq!(v[0]["ppid"], std::process::id());
    assert_eq!(v[0]["num_threads"], 1);
    // -u by name and by uid.
    let me_uid = rustix::process::getuid().as_raw().to_string();
    for user in [me_uid.as_str(), "root"] {
        let rows = json(&["ps", "-u", user, "-o", "uids", "--json"]);
        let uid: u64 = if user == "root" {
            0
        } else {
            me_uid.parse().unwrap()
        };
        assert!(rows
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["uids"]["real"] == uid));
    }
    // Sorted by pid, descending.
    let all = json(&["ps", "-o", "pid", "--sort", "-pid", "--json"]);
    let pids: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pid"].as_u64().unwrap())
        .collect();
    assert!(pids.windows(2).all(|w| w[0] > w[1]));
    let forest =
        String::from_utf8_lossy(&pskit(&["ps", "-e", "--forest", "-o", "pid,args"]).stdout)
            .to_string();
    assert!(forest
        .lines()
        .any(|l| l.contains(&pid) && l.contains("\\_ sleep 1000")));
}

#[test]
fn pidof_pstree_lsof_pmap_tty() {
    let kid = sleeper();
    let pid = kid.0.id();
    let pids = json(&["pidof", "sleep", "--json"]);
    assert!(pids.as_array().unwrap().contains(&Value::from(pid)));
    assert_eq!(
        pskit(&["pidof", "no-such-program-pskit"]).status.code(),
        Some(1)
    );

    let me = std::process::id().to_string();
    let tree = json(&["pstree", &me, "--json"]);
    assert_eq!(tree["pid"], std::process::id());
    assert!(tree["children"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["pid"] == pid && c["name"] == "sleep"));

    let f = std::fs::File::open(env!("CARGO_MANIFEST_PATH")).unwrap();
    let files = json(&["lsof", "-p", &me, "--json"]);
    assert!(files
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == env!("CARGO_MANIFEST_PATH") && r["mode"] == "r"));
    drop(f);

    let maps = json(&["pmap", &pid.to_string(), "--json"]);
    assert!(maps
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["path"] == "[stack]"));
    let x = String::from_utf8_lossy(&pskit(&["pmap", "-x", &pid.to_string()]).stdout).to_string();
    assert!(x.contains("RSS") && x.contains("Dirty") && x.contains("total kB"));

    // CI runs without a controlling terminal; either answer must be well-formed.
    let out = pskit(&["tty", "--json"]);
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Exit status 1 for "not a tty", as tty(1).
    assert_eq!(out.status.success(), !t["terminal"].is_null());
    assert!(t["terminal"].is_null() || t["terminal"].as_str().unwrap().starts_with("/dev/"));
}

#[test]
fn unprivileged_user_gets_access_denied_where_psutil_does() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("not root: cannot switch to nobody; this test runs in CI as root");
        return;
    }
    // A root-owned process; started by a relative name so exe cannot be guessed
    // from cmdline[0] (psutil's fallback).
    let kid = sleeper();
    let pid = kid.0.id().to_string();
    let out = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            BIN,
            "proc",
            &pid,
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    for denied in [
        "environ",
        "exe",
        "open_files",
        "memory_maps",
        "io_counters",
        "cwd",
        "num_fds",
        "memory_full_info",
    ] {
        assert!(
            d[denied].is_null(),
            "{denied} should be AccessDenied: {}",
            d[denied]
        );
    }
    assert_eq!(d["name"], "sleep");
    assert_eq!(d["cmdline"], serde_json::json!(["sleep", "1000"]));
    assert_eq!(d["uids"]["real"], 0);
    assert_eq!(d["username"], "root");
    assert_eq!(d["status"], "sleeping");
    assert!(d["memory_info"]["rss"].as_u64().unwrap() > 0);
    assert!(d["num_threads"].as_u64().unwrap() == 1);
    // And lsof says what it may not read in its rows, as lsof does.
    let out = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            BIN,
            "lsof",
            "-p",
            &pid,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("/proc/{pid}/cwd (readlink: Permission denied)")),
        "{text}"
    );
    assert!(text.contains(&format!("/proc/{pid}/fd (opendir: Permission denied)")));
}

#[test]
fn lsof_lists_sockets_with_files() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import socket, time\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n\
             print(s.getsockname()[1], flush=True); time.sleep(30)",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut port)
        .unwrap();
    let rows = json(&["lsof", "-p", &child.id().to_string(), "--json"]);
    // lsof's NAME (the host by name) and NODE (the protocol).
    let want = format!(":{} (LISTEN)", port.trim());
    let sock = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["node"] == "TCP" && r["name"].as_str().unwrap().ends_with(&want))
        .unwrap_or_else(|| panic!("{want} not in {rows}"));
    assert_eq!(sock["type"], "IPv4");
    assert!(sock["fd"].as_str().unwrap().parse::<u32>().is_ok());
    child.kill().unwrap();
    child.wait().unwrap();
}
