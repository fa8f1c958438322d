//! Live Process tests: children this test starts and controls, each checked against
//! its known state and against psutil's `Process(pid).as_dict()` for the same pid.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pskit::Process;
use serde_json::Value;

/// A child killed and reaped when dropped.
struct Kid(Child);

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pskit-live-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// psutil's as_dict for `pid`, named tuples as objects.
fn psutil_dict(pid: u32, attrs: &str) -> Value {
    common::psutil(&format!(
        "def norm(v):\n    if hasattr(v, '_asdict'): return {{k: norm(x) for k, x in v._asdict().items()}}\n    if isinstance(v, (list, tuple)): return [norm(x) for x in v]\n    if isinstance(v, dict): return {{k: norm(x) for k, x in v.items()}}\n    return v\nout = norm(psutil.Process({pid}).as_dict({attrs}))"
    ))
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A copy of `sleep` under a long name in a directory whose name has a space (so
/// cmdline[0] has one), with a known environment and cwd.
fn long_named_sleeper(dir: &Path) -> (Kid, PathBuf) {
    let exe = dir.join("pskit-long-name-sleeper");
    let sleep = which("sleep");
    common::copy_executable(&sleep, &exe);
    let child = Command::new(&exe)
        .arg("1000")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env_clear()
        .env("PSKIT_A", "1")
        .env("PSKIT_B", "x=y")
        .current_dir(dir)
        .spawn()
        .unwrap();
    (Kid(child), exe)
}

/// Waits until the long-named sleeper has exec'd and sleeps for good: just past
/// exec it still maps its libraries (running, its memory growing), so its state
/// is compared with psutil's only once it sleeps.
fn wait_asleep(pid: u32) {
    wait_for("exec", || {
        Process::new(pid)
            .and_then(|p| p.name())
            .map(|n| n == "pskit-long-name-sleeper")
            .unwrap_or(false)
    });
    wait_for("sleep", || {
        Process::new(pid)
            .and_then(|p| p.status())
            .map(|s| s == pskit::STATUS_SLEEPING)
            .unwrap_or(false)
    });
}

fn which(prog: &str) -> PathBuf {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {prog}"))
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn long_name_cmdline_environ_cwd() {
    let dir = tempdir("long name");
    let (kid, exe) = long_named_sleeper(&dir);
    let pid = kid.0.id();
    let p = Process::new(pid).unwrap();
    wait_asleep(pid);
    assert_eq!(p.name().unwrap(), "pskit-long-name-sleeper");
    assert_eq!(p.cmdline().unwrap(), [exe.to_str().unwrap(), "1000"]);
    assert_eq!(p.exe().unwrap(), exe.to_str().unwrap());
    let env = p.environ().unwrap();
    assert_eq!(env.len(), 2);
    assert_eq!(env["PSKIT_B"], "x=y");
    assert_eq!(p.cwd().unwrap(), dir.to_str().unwrap());
    assert_eq!(p.ppid().unwrap(), std::process::id());
    assert_eq!(p.parent().unwrap().unwrap().pid(), std::process::id());
    assert!(Process::current()
        .unwrap()
        .children(false)
        .unwrap()
        .contains(&p));

    let ours = p
        .as_dict([
            "name",
            "cmdline",
            "exe",
            "environ",
            "cwd",
            "ppid",
            "uids",
            "gids",
            "username",
            "status",
            "terminal",
            "num_threads",
            "create_time",
            "nice",
            "num_fds",
            "cpu_affinity",
            "memory_info",
        ])
        .map(|d| d.info(Value::Null))
        .unwrap();
    let theirs = psutil_dict(pid, "['name', 'cmdline', 'exe', 'environ', 'cwd', 'ppid', 'uids', 'gids', 'username', 'status', 'terminal', 'num_threads', 'create_time', 'nice', 'num_fds', 'cpu_affinity', 'memory_info']");
    for key in [
        "name",
        "cmdline",
        "exe",
        "environ",
        "cwd",
        "ppid",
        "uids",
        "gids",
        "username",
        "status",
        "terminal",
        "num_threads",
        "nice",
        "num_fds",
        "cpu_affinity",
    ] {
        assert_eq!(ours[key], theirs[key], "{key}");
    }
    let (a, b) = (
        ours["create_time"].as_f64().unwrap(),
        theirs["create_time"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 0.01, "create_time {a} vs {b}");
    assert_eq!(ours["memory_info"]["vms"], theirs["memory_info"]["vms"]);
    assert_eq!(ours["memory_info"]["text"], theirs["memory_info"]["text"]);
    let _ = std::fs::remove_dir_all(&dir);
}

const RICH_CHILD: &str = r#"
import os, sys, threading
d = sys.argv[1]
os.nice(5)
keep = []
def o(name, flags, data=b"", seek=None):
    fd = os.open(os.path.join(d, name), flags | os.O_CREAT, 0o644)
    if data: os.write(fd, data)
    if seek is not None: os.lseek(fd, seek, 0)
    keep.append(fd)
o("r.txt", os.O_RDONLY, seek=3)
o("w.txt", os.O_WRONLY, b"12345")
o("a.txt", os.O_WRONLY | os.O_APPEND, b"1234567")
o("rp.txt", os.O_RDWR, seek=2)
o("ap.txt", os.O_RDWR | os.O_APPEND, b"abcd")
ev = threading.Event()
ts = [threading.Thread(target=ev.wait) for _ in range(3)]
for t in ts: t.start()
print("ready", flush=True)
sys.stdin.read()
"#;

/// A Python child with files open in each mode at known positions, three extra
/// threads and nice 5.
fn rich_child(dir: &Path) -> Kid {
    for f in ["r.txt", "rp.txt"] {
        std::fs::write(dir.join(f), "0123456789").unwrap();
    }
    let mut child = Command::new("python3")
        .args(["-c", RICH_CHILD, dir.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Kid(child)
}

#[test]
fn open_files_threads_nice_against_psutil() {
    let dir = tempdir("rich");
    let kid = rich_child(&dir);
    let pid = kid.0.id();
    let p = Process::new(pid).unwrap();
    // nice(1) adds 5 to this test run's own niceness.
    let me = Process::current().unwrap().nice().unwrap();
    assert_eq!(p.nice().unwrap(), (me + 5).min(19));
    assert_eq!(p.num_threads().unwrap(), 4);
    let threads = p.threads().unwrap();
    assert_eq!(threads.len(), 4);
    assert!(threads.iter().any(|t| t.id == pid));
    let mut files = p.open_files().unwrap();
    files.sort_by_key(|f| f.fd);
    let got: Vec<(String, u64, String)> = files
        .iter()
        .filter(|f| f.path.starts_with(dir.to_str().unwrap()))
        .map(|f| {
            (
                Path::new(&f.path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f.position,
                f.mode.clone(),
            )
        })
        .collect();
    let want = [
        ("r.txt", 3, "r"),
        ("w.txt", 5, "w"),
        ("a.txt", 7, "a"),
        ("rp.txt", 2, "r+"),
        ("ap.txt", 4, "a+"),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((n, pos, mode), (wn, wpos, wmode)) in got.iter().zip(want) {
        assert_eq!((n.as_str(), *pos, mode.as_str()), (wn, wpos, wmode));
    }
    let ours = p
        .as_dict([
            "open_files",
            "nice",
            "num_threads",
            "num_fds",
            "threads",
            "io_counters",
            "memory_maps",
            "memory_full_info",
        ])
        .map(|d| d.info(Value::Null))
        .unwrap();
    let theirs = psutil_dict(pid, "['open_files', 'nice', 'num_threads', 'num_fds', 'threads', 'io_counters', 'memory_maps', 'memory_full_info']");
    for key in ["open_files", "nice", "num_threads", "num_fds"] {
        assert_eq!(ours[key], theirs[key], "{key}");
    }
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&ours["threads"]), ids(&theirs["threads"]));
    let paths = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["path"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&ours["memory_maps"]), paths(&theirs["memory_maps"]));
    for key in ["rss", "vms", "uss"] {
        let (a, b) = (
            ours["memory_full_info"][key].as_u64().unwrap(),
            theirs["memory_full_info"][key].as_u64().unwrap(),
        );
        assert!(
            common::diff(a, b) < common::TOLERANCE_SYS_MEM,
            "{key}: {a} vs {b}"
        );
    }
    let (a, b) = (
        ours["io_counters"]["read_chars"].as_u64().unwrap(),
        theirs["io_counters"]["read_chars"].as_u64().unwrap(),
    );
    assert!(a <= b && b - a < 1 << 20, "read_chars {a} vs {b}");
    drop(kid);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stopped_child() {
    let kid = Kid(Command::new("sleep").arg("1000").spawn().unwrap());
    let pid = kid.0.id();
    let p = Process::new(pid).unwrap();
    let rp = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::kill_process(rp, rustix::process::Signal::STOP).unwrap();
    wait_for("stop", || p.status().ok() == Some(pskit::STATUS_STOPPED));
    assert_eq!(psutil_dict(pid, "['status']")["status"], "stopped");
    rustix::process::kill_process(rp, rustix::process::Signal::CONT).unwrap();
}

#[test]
fn zombie_child() {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    let p = Process::new(pid).unwrap();
    wait_for("zombie", || p.status().ok() == Some(pskit::STATUS_ZOMBIE));
    assert!(p.is_running(), "a zombie is running");
    assert!(matches!(
        p.cmdline(),
        Err(pskit::Error::ZombieProcess { .. })
    ));
    assert!(matches!(p.exe(), Err(pskit::Error::ZombieProcess { .. })));
    let ours = p
        .as_dict(["status", "cmdline", "exe", "name", "ppid", "memory_maps"])
        .map(|d| d.info(Value::Null))
        .unwrap();
    let theirs = psutil_dict(
        pid,
        "['status', 'cmdline', 'exe', 'name', 'ppid', 'memory_maps']",
    );
    assert_eq!(Value::Object(ours), theirs);
    child.wait().unwrap();
    wait_for("reaped", || !p.is_running());
    assert!(p.name().unwrap_err().is_no_such_process());
    assert!(p.memory_info().unwrap_err().is_no_such_process());
    assert!(p.open_files().unwrap_err().is_no_such_process());
    assert!(p
        .as_dict([] as [&str; 0])
        .map(|d| d.info(Value::Null))
        .unwrap_err()
        .is_no_such_process());
}

#[test]
fn deleted_exe() {
    let dir = tempdir("deleted");
    let exe = dir.join("pskit-deleted");
    common::copy_executable(&which("sleep"), &exe);
    let kid = Kid(Command::new(&exe).arg("1000").spawn().unwrap());
    let pid = kid.0.id();
    let p = Process::new(pid).unwrap();
    wait_for("exec", || {
        p.exe()
            .map(|e| e.ends_with("pskit-deleted"))
            .unwrap_or(false)
    });
    std::fs::remove_file(&exe).unwrap();
    let fresh = Process::new(pid).unwrap();
    assert_eq!(fresh.exe().unwrap(), exe.to_str().unwrap());
    assert_eq!(psutil_dict(pid, "['exe']")["exe"], exe.to_str().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn current_process_against_psutil() {
    let me = Process::current().unwrap();
    assert_eq!(me, Process::new(std::process::id()).unwrap());
    assert!(me.is_running());
    assert!(pskit::pid_exists(std::process::id()).unwrap());
    let cpu = me.cpu_percent(None).unwrap();
    assert_eq!(cpu, 0.0, "the first non-blocking call");
    assert!(me.cpu_percent(None).unwrap() >= 0.0);
    assert!(me.cpu_percent(Some(-1.0)).is_err());
    assert!(me.memory_percent("rss").unwrap() > 0.0);
    assert!(matches!(
        me.memory_percent("nope"),
        Err(pskit::Error::InvalidArgument(_))
    ));
    let (soft, hard) = me.rlimit(pskit::process::RLIMIT_NOFILE).unwrap();
    let theirs = common::psutil("out = psutil.Process().rlimit(psutil.RLIMIT_NOFILE)");
    assert_eq!(
        (Value::from(soft), Value::from(hard)),
        (theirs[0].clone(), theirs[1].clone())
    );
}

#[test]
fn thread_id_is_not_a_pid() {
    let (tx, rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let h = std::thread::spawn(move || {
        tx.send(rustix::thread::gettid().as_raw_nonzero().get() as u32)
            .unwrap();
        let _ = done_rx.recv();
    });
    let tid = rx.recv().unwrap();
    assert!(!pskit::pid_exists(tid).unwrap());
    assert!(!pskit::pids().unwrap().contains(&tid));
    assert!(Process::new(tid).is_ok(), "Process(tid) works as in psutil");
    done_tx.send(()).unwrap();
    h.join().unwrap();
}

#[test]
fn process_iter_matches_psutil_on_stable_processes() {
    let dir = tempdir("iter dir");
    let (kid, _) = long_named_sleeper(&dir);
    let pid = kid.0.id();
    wait_asleep(pid);
    let attrs = [
        "pid",
        "ppid",
        "name",
        "status",
        "uids",
        "num_threads",
        "cmdline",
        "memory_info",
        "username",
    ];
    let ours = pskit::process_iter(attrs).unwrap();
    let me = ours.iter().find(|p| p.pid() == pid).unwrap();
    let info = Value::Object(me.info(Value::Null));
    let theirs = psutil_dict(pid, &format!("{attrs:?}"));
    assert_eq!(info, theirs);
    // pid 1 too (never goes away).
    let one = ours
        .iter()
        .find(|p| p.pid() == 1)
        .unwrap()
        .info(Value::Null);
    let theirs = psutil_dict(1, "['pid', 'ppid', 'name', 'uids', 'cmdline', 'username']");
    for k in ["pid", "ppid", "name", "uids", "cmdline", "username"] {
        assert_eq!(one[k], theirs[k], "{k}");
    }
    assert!(ours.windows(2).all(|w| w[0].pid() < w[1].pid()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn churn_scan_skips_vanished_processes() {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let spawner = std::thread::spawn(move || {
        let mut n = 0;
        while !s2.load(std::sync::atomic::Ordering::Relaxed) && n < 400 {
            let kids: Vec<Child> = (0..10)
                .filter_map(|_| Command::new("true").spawn().ok())
                .collect();
            for mut k in kids {
                let _ = k.wait();
            }
            n += 10;
        }
        n
    });
    let mut scans = 0;
    while !spawner.is_finished() {
        let all = pskit::process_iter(pskit::process::Attr::ALL).unwrap();
        assert!(all.iter().any(|p| p.pid() == std::process::id()));
        for p in pskit::pids().unwrap() {
            if let Ok(proc_) = Process::new(p) {
                if let Err(e) = proc_.as_dict([] as [&str; 0]).map(|d| d.info(Value::Null)) {
                    assert!(e.is_no_such_process(), "{e}");
                }
            }
        }
        scans += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let spawned = spawner.join().unwrap();
    assert!(spawned >= 400 && scans >= 1);
}

#[test]
fn large_table_scan_is_complete_and_in_pid_order() {
    // Enough processes for the scan to be split across threads.
    let kids: Vec<Kid> = (0..300)
        .map(|_| Kid(Command::new("sleep").arg("1000").spawn().unwrap()))
        .collect();
    let want: Vec<u32> = kids.iter().map(|k| k.0.id()).collect();
    wait_for("exec", || {
        want.iter().all(|&p| {
            Process::new(p)
                .and_then(|p| p.name())
                .map(|n| n == "sleep")
                .unwrap_or(false)
        })
    });
    let all = pskit::process_iter(["name", "ppid", "cmdline", "username"]).unwrap();
    assert!(all.len() >= 300);
    assert!(all.windows(2).all(|w| w[0].pid() < w[1].pid()));
    let me = std::process::id();
    for pid in &want {
        let p = all
            .iter()
            .find(|p| p.pid() == *pid)
            .expect("every child is listed");
        assert_eq!(p.name.as_deref(), Some("sleep"));
        assert_eq!(p.ppid.value(), Some(me));
        assert_eq!(
            p.cmdline.as_deref(),
            Some(&["sleep".to_string(), "1000".to_string()][..])
        );
        assert!(p.username.get().is_some());
    }
    // The same table, pid by pid.
    let pids = pskit::pids().unwrap();
    for p in all.iter().filter(|p| want.contains(&p.pid())) {
        assert!(pids.contains(&p.pid()));
    }
}

#[test]
fn errors_quote_the_name_as_psutil_does() {
    // psutil's message for a process that is gone after its name was read.
    let theirs = common::psutil(
        "import subprocess\n\
         c = subprocess.Popen(['sleep', '30'])\n\
         p = psutil.Process(c.pid)\n\
         p.name()\n\
         c.kill(); c.wait()\n\
         try:\n    p.status(); msg = None\n\
         except psutil.NoSuchProcess as e:\n    msg = str(e).replace(str(c.pid), 'PID')\n\
         out = msg",
    );
    let child = Command::new("sleep")
        .arg("30")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let p = Process::new(child.id()).unwrap();
    assert_eq!(p.name().unwrap(), "sleep");
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    let ours = p
        .status()
        .unwrap_err()
        .to_string()
        .replace(&child.id().to_string(), "PID");
    assert_eq!(serde_json::json!(ours), theirs);
    // Actions say the same.
    let e = p.set_nice(3).unwrap_err().to_string();
    assert!(e.ends_with("name='sleep')"), "{e}");
}
