//! The process-control commands on real children: kill, killall, nice, renice,
//! ionice, taskset, prlimit and wait, their bad input, and an unprivileged user.

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

fn pskit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pskit"))
        .args(args)
        .output()
        .expect("run pskit")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn errtext(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sleeper() -> Child {
    Command::new("sleep").arg("60").spawn().unwrap()
}

fn proc_file(pid: u32, rel: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/{rel}")).unwrap_or_default()
}

fn finish(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
}

/// Reaps `c` on a thread as soon as it exits, as its shell would: `pskit wait`
/// on a process that is not its child (like psutil's `wait` and `tail --pid`)
/// returns once the pid is gone, and a zombie is not gone.
fn reap_in_background(mut c: Child) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let _ = c.wait();
    })
}

#[test]
fn kill_sends_the_named_signal() {
    for (args, sig) in [
        (vec!["kill", "-9"], 9),
        (vec!["kill", "-KILL"], 9),
        (vec!["kill", "-s", "TERM"], 15),
        (vec!["kill", "-s", "SIGUSR1"], libc::SIGUSR1),
        (vec!["kill"], 15),
    ] {
        let mut c = sleeper();
        let pid = c.id().to_string();
        let mut a = args.clone();
        a.push(&pid);
        let o = pskit(&a);
        assert!(o.status.success(), "{args:?}: {}", errtext(&o));
        assert_eq!(c.wait().unwrap().signal(), Some(sig), "{args:?}");
    }
}

#[test]
fn kill_bad_input() {
    let o = pskit(&["kill", "-9", "999999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(errtext(&o).contains("(999999): No such process"));
    // procps kill's statuses: 1 for a usage error too; an unknown `-s NAME`
    // signals nothing ("Invalid argument", as procps).
    for args in [
        &["kill", "-NOSUCH", "1"][..],
        &["kill", "abc"],
        &["kill", "-s", "BOGUS", "1"],
        &["kill"],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
    assert!(text(&pskit(&["kill", "-l"])).contains("KILL"));
    assert_eq!(text(&pskit(&["kill", "-l", "15"])).trim(), "TERM");
}

#[test]
fn killall_by_name_and_wait() {
    // sleep under a unique name longer than the kernel's 15-byte comm, exec'd
    // through a symlink: comm and cmdline[0] take the link's name, and no file is
    // written that another test thread's fork could hold open (ETXTBSY).
    let dir = std::env::temp_dir().join(format!("pskit-killall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join("pskit_killall_target_sleeper");
    let _ = std::fs::remove_file(&exe);
    std::os::unix::fs::symlink("/bin/sleep", &exe).unwrap();
    let mut a = Command::new(&exe).arg("60").spawn().unwrap();
    let mut b = Command::new(&exe).arg("60").spawn().unwrap();
    let o = pskit(&[
        "killall",
        "-s",
        "KILL",
        "pskit_killall_target_sleeper",
        "--json",
    ]);
    assert!(o.status.success(), "{}", errtext(&o));
    let hits: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut pids: Vec<u64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["pid"].as_u64().unwrap())
        .collect();
    pids.sort_unstable();
    let mut want = vec![a.id() as u64, b.id() as u64];
    want.sort_unstable();
    assert_eq!(pids, want);
    assert_eq!(a.wait().unwrap().signal(), Some(9));
    assert_eq!(b.wait().unwrap().signal(), Some(9));
    let o = pskit(&["killall", "pskit_no_such_process_name"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(errtext(&o).contains("pskit_no_such_process_name: no process found"));
    assert_eq!(
        pskit(&["killall", "-s", "NOPE", "x"]).status.code(),
        Some(1)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nice_runs_the_command_at_the_new_niceness() {
    let me = pskit::Process::current().unwrap().nice().unwrap();
    let o = pskit(&["nice", "-n", "5", "nice"]);
    assert!(o.status.success());
    assert_eq!(text(&o).trim(), (me + 5).clamp(-20, 19).to_string());
    assert_eq!(
        pskit(&["nice", "-n", "3", "/nonexistent/cmd"])
            .status
            .code(),
        Some(127)
    );
}

#[test]
fn renice_changes_a_running_process() {
    let c = sleeper();
    let pid = c.id().to_string();
    let me = pskit::Process::current().unwrap().nice().unwrap();
    let o = pskit(&["renice", "-n", "8", "-p", &pid]);
    assert!(o.status.success(), "{}", errtext(&o));
    assert!(text(&o).contains(&format!(
        "{pid} (process ID) old priority {me}, new priority 8"
    )));
    let stat = proc_file(c.id(), "stat");
    assert_eq!(
        stat[stat.rfind(')').unwrap() + 2..].split(' ').nth(16),
        Some("8")
    );
    assert_eq!(
        pskit(&["renice", "-n", "1", "-p", "999999"]).status.code(),
        Some(1)
    );
    assert_eq!(pskit(&["renice", "-p", &pid]).status.code(), Some(2));
    finish(c);
}

#[test]
fn ionice_sets_and_reads_classes() {
    let c = sleeper();
    let pid = c.id().to_string();
    assert!(pskit(&["ionice", "-c", "3", "-p", &pid]).status.success());
    assert_eq!(text(&pskit(&["ionice", "-p", &pid])).trim(), "idle");
    assert!(
        pskit(&["ionice", "-c", "best-effort", "-n", "6", "-p", &pid])
            .status
            .success()
    );
    assert_eq!(
        text(&pskit(&["ionice", "-p", &pid])).trim(),
        "best-effort: prio 6"
    );
    let o = pskit(&["ionice", "-c", "2", "-n", "7", "ionice"]);
    assert_eq!(
        text(&o).trim(),
        "best-effort: prio 7",
        "the command runs with the class"
    );
    assert_eq!(
        pskit(&["ionice", "-c", "bogus", "-p", &pid]).status.code(),
        Some(2)
    );
    assert_eq!(
        pskit(&["ionice", "-c", "2", "-n", "9", "-p", &pid])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(pskit(&["ionice", "-p", "999999"]).status.code(), Some(1));
    finish(c);
}

#[test]
fn taskset_gets_and_sets_affinity() {
    let c = sleeper();
    let pid = c.id().to_string();
    let o = pskit(&["taskset", "-cp", "0", &pid]);
    assert!(o.status.success(), "{}", errtext(&o));
    assert!(text(&o).contains(&format!("pid {pid}'s new affinity list: 0")));
    let status = proc_file(c.id(), "status");
    assert!(status.contains("Cpus_allowed_list:\t0\n"), "{status}");
    let o = pskit(&[
        "taskset",
        "-c",
        "0",
        "grep",
        "Cpus_allowed_list",
        "/proc/self/status",
    ]);
    assert_eq!(text(&o).trim(), "Cpus_allowed_list:\t0");
    assert_eq!(
        pskit(&["taskset", "-cp", "0-x", &pid]).status.code(),
        Some(2)
    );
    let o = pskit(&["taskset", "-cp", "999", &pid]);
    assert_eq!(o.status.code(), Some(1));
    assert!(errtext(&o).contains("invalid CPU 999"), "{}", errtext(&o));
    assert_eq!(pskit(&["taskset", "-p", "999999"]).status.code(), Some(1));
    finish(c);
}

#[test]
fn prlimit_sets_lists_and_runs() {
    let c = sleeper();
    let pid = c.id().to_string();
    let o = pskit(&["prlimit", "--pid", &pid, "--nofile=100:200"]);
    assert!(o.status.success(), "{}", errtext(&o));
    let limits = proc_file(c.id(), "limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>()[3..5],
        ["100", "200"]
    );
    let all = text(&pskit(&["prlimit", "--pid", &pid]));
    assert_eq!(all.lines().count(), 17, "a header and the 16 resources");
    let o = pskit(&["prlimit", "--nofile=64", "sh", "-c", "ulimit -n"]);
    assert_eq!(text(&o).trim(), "64");
    assert_eq!(
        pskit(&["prlimit", "--pid", &pid, "--nofile=abc"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        pskit(&["prlimit", "--pid", "999999"]).status.code(),
        Some(1)
    );
    finish(c);
}

#[test]
fn wait_returns_when_processes_end_and_times_out() {
    let quick = Command::new("sleep").arg("0.3").spawn().unwrap();
    let quick_pid = quick.id();
    let reaper = reap_in_background(quick);
    let t = Instant::now();
    let o = pskit(&["wait", &quick_pid.to_string()]);
    assert!(o.status.success());
    assert!(text(&o).contains(&format!("{quick_pid} exited")));
    assert!(t.elapsed() < Duration::from_secs(20));
    reaper.join().unwrap();
    let c = sleeper();
    let o = pskit(&["wait", "--timeout", "0.2", &c.id().to_string()]);
    assert_eq!(o.status.code(), Some(124));
    assert!(errtext(&o).contains("still running"));
    assert_eq!(pskit(&["wait", "999999"]).status.code(), Some(1));
    assert_eq!(
        pskit(&["wait", "--timeout", "-1", "1"]).status.code(),
        Some(2)
    );
    finish(c);
}

/// Runs pskit as `nobody` (CI runs as root); an unprivileged caller runs it as is.
fn as_nobody(args: &[&str]) -> Output {
    if rustix::process::geteuid().is_root() {
        Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_pskit"))
            .args(args)
            .output()
            .expect("setpriv (util-linux)")
    } else {
        pskit(args)
    }
}

#[test]
fn unprivileged_user_gets_access_denied() {
    // Signalling root's init.
    let o = as_nobody(&["kill", "-s", "0", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        errtext(&o).contains("(1): Operation not permitted"),
        "{}",
        errtext(&o)
    );
    // Lowering the niceness of one's own process below 0.
    let own = if rustix::process::geteuid().is_root() {
        Command::new("setpriv")
            .args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "sleep",
                "60",
            ])
            .spawn()
            .unwrap()
    } else {
        sleeper()
    };
    std::thread::sleep(Duration::from_millis(200));
    let o = as_nobody(&["renice", "-n", "-5", "-p", &own.id().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        errtext(&o).contains("Operation not permitted"),
        "{}",
        errtext(&o)
    );
    finish(own);
}

#[test]
fn huge_numbers_are_errors_not_panics_and_an_empty_mask_changes_nothing() {
    // Numbers that do not fit a Duration: exit 2 with a message, never a panic.
    for args in [
        &["top", "-b", "-n", "1", "-d", "1e300"][..],
        &["taskset", "-c", "0-99999999999", "true"][..],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(2), "pskit {args:?}: {}", errtext(&o));
        assert!(!errtext(&o).is_empty(), "pskit {args:?} printed no message");
    }
    // sysstat iostat clamps a huge interval (one report with count 1) and
    // takes any other word for a device name: no error, no panic.
    for args in [
        &["iostat", "99999999999999999999", "1"][..],
        &["iostat", "inf"][..],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(0), "pskit {args:?}: {}", errtext(&o));
    }
    // procps free refuses it with status 1 (its message is checked beside
    // procps in system_tools_vs_real.rs).
    let o = pskit(&["free", "-s", "1e300", "-c", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", errtext(&o));
    // A mask naming CPUs past any kernel's maximum: refused before it is expanded.
    let mask = "f".repeat(3000);
    for args in [
        &["taskset", &mask, "true"][..],
        &["taskset", "-p", &mask, "1"][..],
    ] {
        let o = pskit(args);
        assert_eq!(o.status.code(), Some(2), "{}", errtext(&o));
        assert!(!errtext(&o).is_empty(), "pskit {args:?} printed no message");
    }
    // A huge wait timeout is no deadline: it returns when the process ends.
    let c = Command::new("sleep").arg("0.2").spawn().unwrap();
    let pid = c.id().to_string();
    let reaper = reap_in_background(c);
    let o = pskit(&["wait", &pid, "--timeout", "1e300"]);
    assert_eq!(o.status.code(), Some(0), "{}", errtext(&o));
    reaper.join().unwrap();
    // taskset -p 0 PID: util-linux's "Invalid argument", exit 1, affinity untouched.
    let c = sleeper();
    let pid = c.id().to_string();
    let before = proc_file(c.id(), "status");
    let allowed = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("Cpus_allowed_list:"))
            .map(str::to_string)
    };
    let o = pskit(&["taskset", "-p", "0", &pid]);
    assert_eq!(o.status.code(), Some(1), "{}", errtext(&o));
    assert!(errtext(&o).contains("Invalid argument"), "{}", errtext(&o));
    assert_eq!(allowed(&proc_file(c.id(), "status")), allowed(&before));
    finish(c);
}
