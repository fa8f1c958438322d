//! `pskit top` and `pskit iotop` end to end: the real binary on the live process
//! table, in a real terminal (tmux) and in batch and JSON modes.

#[path = "support/tmux.rs"]
mod tmux;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use tmux::{first_row, rows, Tmux};

/// A child that is killed and reaped however the test ends, with its output
/// detached so that it can never hold the test runner's pipes open.
struct Kid(std::process::Child);

impl Kid {
    fn spawn(cmd: &mut Command) -> Kid {
        Kid(cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap())
    }
}

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn interactive_top_sorts_filters_trees_kills_resizes_and_quits() {
    let mut child = Kid::spawn(Command::new("sleep").arg("3141"));
    let pid = child.0.id().to_string();
    let command = format!(
        "NO_COLOR=1 {} top -d 0.5; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_pskit")
    );
    let t = Tmux::start("pskit-top-e2e", 120, 40, &command);
    t.wait_for("header and table", |s| {
        s.contains("Mem[") && s.contains("PID USER")
    });

    // Sort by PID: init comes first.
    t.keys(&["N"]);
    t.wait_for("PID order", |s| first_row(s).trim_start().starts_with("1 "));
    // Tree view: kthreadd's children hang under it.
    t.keys(&["t"]);
    t.wait_for("tree", |s| s.contains("─ "));
    t.keys(&["t"]);

    // Filter on the child's unique argument: only its row remains.
    t.keys(&["F4"]);
    t.keys(&["-l", "3141"]);
    t.keys(&["Enter"]);
    let s = t.wait_for("filtered", |s| {
        let r = rows(s);
        r.len() == 1 && r[0].trim_start().starts_with(&pid)
    });
    assert!(rows(&s)[0].contains("sleep"), "{s}");

    // F9, Enter: SIGTERM (the default) to the selected row; the child dies of it.
    t.keys(&["F9"]);
    t.wait_for("signal dialog", |s| s.contains("Send signal"));
    t.keys(&["Enter"]);
    t.wait_for("signal sent", |s| s.contains("sent SIGTERM to 1 process"));
    assert_eq!(child.0.wait().unwrap().signal(), Some(libc::SIGTERM));

    // Resize small: everything fits.
    t.keys(&["Escape"]);
    t.resize(50, 12);
    let s = t.wait_for("small", |s| s.contains("PID") && s.lines().count() <= 12);
    assert!(s.lines().all(|l| l.chars().count() <= 50), "{s}");
    t.resize(120, 40);

    // q quits with status 0.
    t.keys(&["q"]);
    t.wait_for("exit", |s| s.contains("EXIT=0"));
}

fn pskit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn batch_text_and_json_show_a_known_child() {
    let child = Kid::spawn(Command::new("sleep").arg("2718"));
    let pid = child.0.id().to_string();
    let o = pskit(&["top", "-b", "-n", "2", "-d", "0.2", "-p", &pid]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.matches("top - ").count(), 2, "{text}");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(&pid))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].ends_with("sleep"));

    // Chosen columns: any attribute the scan reads.
    let o = pskit(&[
        "top",
        "-b",
        "-n",
        "1",
        "-d",
        "0.2",
        "-p",
        &pid,
        "--columns",
        "pid,ppid,nlwp,psr,start,tty,command",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let header = text
        .lines()
        .find(|l| l.trim_start().starts_with("PID"))
        .unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["PID", "PPID", "NLWP", "P", "START", "TTY", "COMMAND"]
    );
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.trim_start().starts_with(&pid))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        (row[1], row[2], row[6]),
        (std::process::id().to_string().as_str(), "1", "sleep"),
        "{text}"
    );

    let o = pskit(&[
        "top",
        "-b",
        "-n",
        "1",
        "-d",
        "0.2",
        "-p",
        &pid,
        "--columns",
        "pid,uid,vcsw,minflt,command",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.trim_start().starts_with(&pid))
        .unwrap()
        .split_whitespace()
        .collect();
    let me = pskit::Process::current()
        .unwrap()
        .uids()
        .unwrap()
        .real
        .to_string();
    assert_eq!(row[1], me, "{text}");
    assert!(
        row[2].parse::<u64>().is_ok() && row[3].parse::<u64>().unwrap() > 0,
        "{text}"
    );

    let o = pskit(&["top", "-b", "-n", "1", "-d", "0.2", "-p", &pid, "--json"]);
    let snap: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().unwrap()).unwrap();
    let procs = snap["processes"].as_array().unwrap();
    assert_eq!(procs.len(), 1);
    assert_eq!(procs[0]["pid"].as_u64().unwrap().to_string(), pid);
    assert_eq!(procs[0]["name"], "sleep");
    assert_eq!(procs[0]["cmdline"], serde_json::json!(["sleep", "2718"]));
    drop(child);
}

#[test]
fn iotop_batch_counts_a_writer() {
    // A child that writes and syncs: its write_bytes grow between two samples.
    // Under target/ (a real disk): /tmp may be a tmpfs, where writes count no block I/O.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pskit-iotop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out");
    // One dd process (no shell loop, so killing it stops every write).
    let child = Kid::spawn(
        Command::new("dd")
            .args(["if=/dev/zero", "bs=64k", "count=100000", "oflag=dsync"])
            .arg(format!("of={}", file.display())),
    );
    let pid = child.0.id().to_string();
    let o = pskit(&["iotop", "-b", "-n", "3", "-d", "0.5", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let snaps: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(snaps.len(), 3);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("read_bytes_per_sec") || text.contains("write_bytes_per_sec"),
        "{text}"
    );
    // The shell or its dd children show up with a write rate in at least one sample.
    let wrote = snaps.iter().any(|s| {
        s["processes"].as_array().into_iter().flatten().any(|p| {
            (p["pid"].as_u64().map(|x| x.to_string()) == Some(pid.clone()) || p["name"] == "dd")
                && p["write_bytes_per_sec"].as_f64().unwrap_or(0.0) > 0.0
        })
    });
    drop(child);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(wrote, "no writer seen:\n{text}");
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["top", "-d", "-1"][..],
        &["top", "-s", "NOPE"],
        &["top", "-n", "x"],
        &["iotop", "-d", "-1"],
        &["iotop", "--bogus"],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}

/// iotop's header lines, PRIO column, -k and -P on the live system.
#[test]
fn iotop_batch_has_current_disk_prio_and_kilobytes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(["iotop", "-b", "-n", "1", "-d", "0.2", "-k", "-P"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Total DISK READ:"), "{text}");
    if pskit::disk_io_counters(false).unwrap().is_some() {
        assert!(lines[1].starts_with("Current DISK READ:"), "{text}");
    }
    let header = lines
        .iter()
        .find(|l| l.trim_start().starts_with("PID"))
        .unwrap();
    // The PID field as wide as pid_max's digits (at least 5), as top's.
    let digits = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .len()
        .max(5);
    assert!(
        header.starts_with(&format!("{:>digits$} PRIO   USER", "PID")),
        "{header}"
    );
    // -k: every rate in K/s.
    for l in &lines {
        for unit in [" B/s", " M/s", " G/s"] {
            assert!(!l.contains(unit), "-k left {unit} in {l}");
        }
    }
    let me = lines
        .iter()
        .find(|l| l.split_whitespace().next() == Some(&std::process::id().to_string()));
    if let Some(me) = me {
        let prio = me.split_whitespace().nth(1).unwrap();
        assert!(
            prio.starts_with("be/") || prio.starts_with("rt/") || prio == "idle",
            "{me}"
        );
    }
}
