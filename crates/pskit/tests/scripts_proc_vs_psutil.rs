//! The ports of psutil's process scripts that read through `process_iter` and
//! `as_dict` (ps, procinfo, procsmem, netstat; `crates/pskit/examples/`) against
//! the scripts of psutil 7.2.2's sdist, run side by side on this machine.
//!
//! What is stable is compared exactly: headers, every field of processes and
//! sockets this test creates (a sleeping child's memory, times and limits do
//! not move), the user, pid, start and command of every process alive across
//! both runs, error messages and exit statuses. Figures of other processes that
//! move between the runs (memory, CPU time, state) are left out.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// `target/debug/examples/<name>` (built by `cargo test`).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps")
        .join("examples")
        .join(name);
    assert!(
        bin.is_file(),
        "{} is missing: `cargo test -p pskit` builds the examples (or `cargo build -p pskit --examples`)",
        bin.display()
    );
    bin
}

fn run(mut cmd: Command) -> Run {
    let out = cmd
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

fn python(script: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new("python3");
    cmd.arg(common::psutil_scripts().join(format!("{script}.py")))
        .args(args);
    run(cmd)
}

fn rust(name: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(example(name));
    cmd.args(args);
    run(cmd)
}

/// A child that sleeps in a known state: nice 5, a scratch cwd, a small
/// environment, an open file, a listening TCP socket and a UDP socket. It prints
/// its TCP port once everything is open, then only sleeps, so its times,
/// memory and counters stay put while both tools read it.
/// The sleeper runs under `nice -n 5`: five more than this test run.
fn nice_of_sleeper() -> i32 {
    (pskit::Process::current().unwrap().nice().unwrap() + 5).min(19)
}

struct Sleeper {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sleeper {
    fn start(tag: &str) -> Sleeper {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sleeper-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("data.txt"), "x").unwrap();
        let mut child = Command::new("nice")
            .args(["-n", "5", "python3", "-c"])
            .arg(
                "import socket, sys, time\n\
                 t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()\n\
                 u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))\n\
                 f = open('data.txt')\n\
                 print(t.getsockname()[1], flush=True)\n\
                 time.sleep(120)\n",
            )
            .current_dir(&dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PSKIT_TEST", "sleeper")
            .env("LANG", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn python3");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the sleeper prints its port");
        // Wait until it sleeps for good (the interpreter is done starting).
        let p = pskit::Process::new(child.id()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = None;
        loop {
            let now = (p.cpu_times().unwrap(), p.num_ctx_switches().unwrap());
            if p.status().unwrap() == pskit::STATUS_SLEEPING && last == Some(now) {
                break;
            }
            assert!(Instant::now() < deadline, "the sleeper never settled");
            last = Some(now);
            std::thread::sleep(Duration::from_millis(100));
        }
        Sleeper { child, port, dir }
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// procinfo's output with the rows under `connections` sorted: psutil collects
/// a process's sockets in a set, so their order changes from run to run.
fn sorted_connections(out: &str) -> String {
    let mut lines: Vec<&str> = out.lines().collect();
    if let Some(start) = lines.iter().position(|l| l.starts_with("connections ")) {
        let end = lines[start + 1..]
            .iter()
            .position(|l| !l.starts_with("            "))
            .map_or(lines.len(), |n| start + 1 + n);
        lines[start + 1..end].sort_unstable();
    }
    lines.join("\n")
}

#[test]
fn procinfo_matches_for_a_known_process_and_errors() {
    let s = Sleeper::start("procinfo");
    let pid = s.child.id().to_string();
    for args in [vec![pid.as_str()], vec!["-v", pid.as_str()]] {
        let (py, rs) = (python("procinfo", &args), rust("procinfo", &args));
        assert_eq!(rs.code, Some(0), "{}", rs.stderr);
        assert_eq!(
            sorted_connections(&py.stdout),
            sorted_connections(&rs.stdout),
            "procinfo {args:?}"
        );
        for want in [
            "connections PROTO",
            "open-files  PATH",
            "environ",
            "res-limits",
            &format!("nice        {}", nice_of_sleeper()),
        ] {
            assert!(rs.stdout.contains(want), "{want} in\n{}", rs.stdout);
        }
    }
    // pid 1: the lines that do not move (its children and counters do).
    let (py, rs) = (python("procinfo", &["1"]), rust("procinfo", &["1"]));
    let stable = |r: &Run| -> Vec<String> {
        r.stdout
            .lines()
            .filter(|l| {
                [
                    "pid ",
                    "name ",
                    "parent ",
                    "exe ",
                    "cwd ",
                    "cmdline ",
                    "started ",
                    "user ",
                    "uids ",
                    "terminal ",
                    "nice ",
                    "ionice ",
                ]
                .iter()
                .any(|k| l.starts_with(k))
            })
            .map(String::from)
            .collect()
    };
    assert_eq!(stable(&py), stable(&rs));
    assert!(stable(&rs).len() >= 11);
    // Errors: a pid that does not exist, a kernel thread (psutil's as_dict gets
    // NoSuchProcess from its environ), a bad argument.
    for args in [&["99999999"][..], &["2"]] {
        let (py, rs) = (python("procinfo", args), rust("procinfo", args));
        // psutil's as_dict reads attributes in set order, which changes from run
        // to run: when it reads name before environ, the message quotes it.
        let unnamed = |e: &str| match e.trim().split_once(", name=") {
            Some((head, _)) => format!("{head})"),
            None => e.trim().to_string(),
        };
        assert_eq!(
            (py.code, unnamed(&py.stderr)),
            (rs.code, unnamed(&rs.stderr)),
            "{args:?}"
        );
        assert_eq!(rs.stdout, "");
    }
    let (py, rs) = (python("procinfo", &["x"]), rust("procinfo", &["x"]));
    assert_eq!(py.code, Some(2));
    assert_eq!(rs.code, Some(2));
    assert_eq!(py.stderr.replace("procinfo.py", "procinfo"), rs.stderr);
}

/// ps.py's columns by position (`{:<10} {:>5} {:>5} {:>7} {:>7} {:>5} {:>6}
/// {:>6} {:>6}  {}`), for a row whose user and pid fit their widths.
fn ps_columns(line: &str) -> Option<BTreeMap<&'static str, String>> {
    let cols = [
        ("user", 0, 10),
        ("pid", 11, 16),
        ("vsz", 23, 30),
        ("nice", 39, 44),
        ("status", 45, 51),
        ("start", 52, 58),
        ("time", 59, 65),
    ];
    let chars: Vec<char> = line.chars().collect();
    if chars.len() < 67 || chars[65..67] != [' ', ' '] {
        return None;
    }
    let mut m = BTreeMap::new();
    for (k, a, b) in cols {
        m.insert(k, chars[a..b].iter().collect::<String>().trim().to_string());
    }
    m.insert("cmdline", chars[67..].iter().collect());
    Some(m)
}

fn ps_rows(out: &str) -> BTreeMap<u32, (String, BTreeMap<&'static str, String>)> {
    out.lines()
        .skip(1)
        .filter_map(|l| {
            let cols = ps_columns(l)?;
            Some((cols["pid"].parse().ok()?, (l.to_string(), cols)))
        })
        .collect()
}

#[test]
fn ps_matches_on_every_process_alive_across_both_runs() {
    let s = Sleeper::start("ps");
    // Ten processes of our own, so the comparison has enough rows even in a
    // container whose table holds only the test run itself.
    struct Kids(Vec<Child>);
    impl Drop for Kids {
        fn drop(&mut self) {
            for k in &mut self.0 {
                let _ = k.kill();
                let _ = k.wait();
            }
        }
    }
    let kids = Kids(
        (0..10)
            .map(|i| {
                Command::new("sleep")
                    .arg(format!("{}", 300 + i))
                    .stdin(Stdio::null())
                    .spawn()
                    .expect("spawn sleep")
            })
            .collect(),
    );
    for k in &kids.0 {
        let p = pskit::Process::new(k.id()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while p.name().unwrap() != "sleep" {
            assert!(Instant::now() < deadline, "sleep never started");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let before: BTreeMap<u32, f64> = pskit::process_iter(["create_time"])
        .unwrap()
        .into_iter()
        .filter_map(|p| Some((p.pid(), p.create_time.value()?)))
        .collect();
    let (py, rs) = (python("ps", &[]), rust("ps", &[]));
    let after: BTreeMap<u32, f64> = pskit::process_iter(["create_time"])
        .unwrap()
        .into_iter()
        .filter_map(|p| Some((p.pid(), p.create_time.value()?)))
        .collect();
    assert_eq!(rs.code, Some(0), "{}", rs.stderr);
    assert_eq!(py.stdout.lines().next(), rs.stdout.lines().next(), "header");
    assert!(
        rs.stdout.lines().all(|l| l.chars().count() <= 80),
        "cut at 80 columns"
    );
    let (py_rows, rs_rows) = (ps_rows(&py.stdout), ps_rows(&rs.stdout));
    // The sleeper's whole row, memory and CPU time included.
    let me = s.child.id();
    assert_eq!(py_rows[&me].0, rs_rows[&me].0);
    assert_eq!(rs_rows[&me].1["nice"], nice_of_sleeper().to_string());
    let mut compared = 0;
    for (pid, ct) in &before {
        if after.get(pid) != Some(ct) || *pid >= 100_000 {
            continue;
        }
        let (Some(a), Some(b)) = (py_rows.get(pid), rs_rows.get(pid)) else {
            panic!("pid {pid} alive across both runs is missing from one:\n{py_rows:?}")
        };
        // One that died between the runs (a zombie now) has lost its cmdline,
        // and a kernel worker's name follows the work it does (kworker/1:0-mm…).
        if a.1["status"] == "zombi" || b.1["status"] == "zombi" || a.1["vsz"] == "0.0B" {
            continue;
        }
        for k in ["user", "pid", "nice", "start", "cmdline"] {
            assert_eq!(a.1[k], b.1[k], "{k} of pid {pid}:\n{}\n{}", a.0, b.0);
        }
        compared += 1;
    }
    for k in &kids.0 {
        assert!(py_rows.contains_key(&k.id()) && rs_rows.contains_key(&k.id()));
    }
    assert!(compared >= 10, "only {compared} processes compared");
}

#[test]
fn procsmem_matches_on_a_known_process() {
    // A sleep(1): among the smallest USS there is, so within the 86 rows shown.
    struct Kid(Child);
    impl Drop for Kid {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let kid = Kid(Command::new("sleep").arg("120").spawn().unwrap());
    let kid_pid = kid.0.id();
    let p = pskit::Process::new(kid_pid).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while p.name().unwrap() != "sleep" || p.status().unwrap() != pskit::STATUS_SLEEPING {
        assert!(Instant::now() < deadline, "sleep never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (py, rs) = (python("procsmem", &[]), rust("procsmem", &[]));
    assert_eq!(rs.code, Some(0), "{}", rs.stderr);
    let head = |r: &Run| {
        r.stdout
            .lines()
            .take(2)
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(head(&py), head(&rs));
    // procsmem.py's columns by position: PID, User, USS, PSS, Swap, RSS, Cmdline.
    let col = |l: &str, a: usize, b: usize| -> String {
        l.chars()
            .skip(a)
            .take(b - a)
            .collect::<String>()
            .trim()
            .to_string()
    };
    // A row as procsmem.py formats it: PID, User, then four sizes that end in
    // a unit. A cmdline with a newline in it (another test's python3 -c
    // sleeper) continues on lines of its own, which are not rows.
    let is_row = |l: &str| {
        let pid = col(l, 0, 7);
        !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && l.chars().nth(7) == Some(' ')
            && col(l, 16, 23)
                .chars()
                .last()
                .is_some_and(|u| "BKMGTPEZY".contains(u))
    };
    let row = |r: &Run| {
        r.stdout
            .lines()
            .filter(|l| is_row(l))
            .find(|l| col(l, 0, 7) == kid_pid.to_string())
            .map(|l| {
                // USS and PSS move as other processes map and unmap the same
                // libraries (a page stops being shared when the other user exits).
                [(0, 7), (8, 15), (32, 39), (40, 47), (48, 200)].map(|(a, b)| col(l, a, b))
            })
    };
    assert_eq!(row(&py), row(&rs));
    assert!(row(&rs).is_some(), "the sleep is listed:\n{}", rs.stdout);
    // Sorted by USS, smallest first, at most 86 rows, no warning as root.
    let units = |v: &str| -> f64 {
        let (n, u) = v.split_at(v.len() - 1);
        let k = "BKMGTPEZY".find(u).expect("a unit") as i32;
        n.parse::<f64>().expect("a number") * 1024f64.powi(k)
    };
    let uss: Vec<f64> = rs
        .stdout
        .lines()
        .skip(2)
        .filter(|l| is_row(l))
        .map(|l| units(&col(l, 16, 23)))
        .collect();
    assert!(uss.windows(2).all(|w| w[0] <= w[1]), "{uss:?}");
    assert!(uss.len() <= 86);
    assert_eq!(
        py.stdout.contains("warning:"),
        rs.stdout.contains("warning:")
    );
}

#[test]
fn netstat_matches_on_known_sockets() {
    let s = Sleeper::start("netstat");
    let (py, rs) = (python("netstat", &[]), rust("netstat", &[]));
    assert_eq!(rs.code, Some(0), "{}", rs.stderr);
    assert_eq!(py.stdout.lines().next(), rs.stdout.lines().next(), "header");
    let mine = |r: &Run| -> Vec<String> {
        let mut v: Vec<String> = r
            .stdout
            .lines()
            .filter(|l| {
                l.split_whitespace().nth(4) == Some(&s.child.id().to_string())
                    || l.split_whitespace().nth(3) == Some(&s.child.id().to_string())
            })
            .map(String::from)
            .collect();
        v.sort();
        v
    };
    let ours = mine(&rs);
    assert_eq!(mine(&py), ours);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert!(ours.iter().any(|l| l.starts_with("tcp ")
        && l.contains(&format!("127.0.0.1:{}", s.port))
        && l.contains("LISTEN")));
    assert!(ours
        .iter()
        .any(|l| l.starts_with("udp ") && l.contains("NONE")));
    assert!(ours.iter().all(|l| l.ends_with(" python3")));
}
