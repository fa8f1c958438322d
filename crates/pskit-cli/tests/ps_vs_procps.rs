//! `pskit ps` beside procps `ps` on the same machine: every preset format and
//! a long `-o` list on processes this test starts (sleeping, so every column
//! holds still), the selection options on every process alive across both
//! runs, sorting, escaping and procps's error messages and exit statuses.

#[path = "../../pskit/tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pskit");

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(program: &str, args: &[&str]) -> Run {
    let (prog, pre): (&str, &[&str]) = if program == "pskit" {
        (BIN, &["ps"])
    } else {
        ("ps", &[])
    };
    let out = Command::new(prog)
        .args(pre)
        .args(args)
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run ps");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Sleeping children with a name of their own: one plain, one at nice 5, one
/// with control characters in its argv[0], one under a shell (a tree).
struct Kids {
    children: Vec<Child>,
    name: String,
    dir: PathBuf,
}

impl Kids {
    fn start(tag: &str) -> Kids {
        let name = format!("psk{tag}{}", std::process::id() % 100_000);
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(&name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join(&name);
        common::copy_executable(std::path::Path::new("/bin/sleep"), &exe);
        let quiet = |c: &mut Command| {
            c.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
        };
        let mut cmds = Vec::new();
        let mut plain = Command::new(&exe);
        plain.arg("300");
        cmds.push(plain);
        let mut niced = Command::new("nice");
        niced.args(["-n", "5"]).arg(&exe).arg("301");
        cmds.push(niced);
        let mut evil = Command::new(&exe);
        evil.arg0("evil\x1b[31m\nname").arg("302");
        cmds.push(evil);
        let mut tree = Command::new("sh");
        tree.arg("-c").arg(format!(
            "{} 303 & {} 304; wait",
            exe.display(),
            exe.display()
        ));
        cmds.push(tree);
        let children: Vec<Child> = cmds
            .iter_mut()
            .map(|c| {
                quiet(c);
                c.spawn().expect("spawn")
            })
            .collect();
        let kids = Kids {
            children,
            name,
            dir,
        };
        // Wait until all five sleeps run and sleep.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let procs = pskit::process_iter(["name", "status"]).unwrap();
            let n = procs
                .iter()
                .filter(|p| {
                    p.name.get() == Some(&kids.name)
                        && p.status.value() == Some(pskit::STATUS_SLEEPING)
                })
                .count();
            if n == 5 {
                break;
            }
            assert!(Instant::now() < deadline, "the sleepers never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        kids
    }

    /// The pids of the sleeps and of the shell.
    fn pids(&self) -> String {
        let procs = pskit::process_iter(["name"]).unwrap();
        let mut pids: Vec<String> = procs
            .iter()
            .filter(|p| p.name.get() == Some(&self.name))
            .map(|p| p.pid().to_string())
            .collect();
        pids.push(self.children[3].id().to_string());
        pids.join(",")
    }
}

impl Drop for Kids {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // The shell's own children.
        let _ = Command::new("pkill").args(["-x", &self.name]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn every_format_matches_procps_on_sleeping_processes() {
    let kids = Kids::start("f");
    let pids = kids.pids();
    let formats: &[&[&str]] = &[
        &[],
        &["u"],
        &["-f"],
        &["-F"],
        &["-l"],
        &["-ly"],
        &["-lf"],
        &["j"],
        &["-j"],
        &["l"],
        &["v"],
        &["-o", "pid,ppid,pgid,sid,tpgid,uid,user,ruser,gid,group,%cpu,%mem,vsz,rss,sz,tname,tty,stat,s,stime,start,lstart,time,bsdtime,ni,pri,psr,nlwp,c,f,rtprio,cls,policy,comm,args"],
        &["-o", "pid=,comm="],
        &["-o", "pid:10,user:20,args"],
        &["-o", "pid=PROCESS", "-o", "comm=NAME"],
        &["--forest", "-o", "pid,args"],
        &["-H", "-o", "pid,comm"],
        &["-o", "pid,ni,comm", "--sort=ni,-pid"],
        &["--no-headers", "-o", "pid,args"],
        &["h", "-o", "pid,stat"],
    ];
    for f in formats {
        let mut args: Vec<&str> = f.to_vec();
        args.extend(["-p", &pids]);
        let (real, ours) = (run("ps", &args), run("pskit", &args));
        assert_eq!(ours.code, Some(0), "{args:?}: {}", ours.stderr);
        assert_eq!(real.stdout, ours.stdout, "ps {args:?}");
    }
    // The evil argv[0] is escaped, never printed raw.
    let (real, ours) = (
        run(
            "ps",
            &["-o", "args", "-p", &kids.children[2].id().to_string()],
        ),
        run(
            "pskit",
            &["-o", "args", "-p", &kids.children[2].id().to_string()],
        ),
    );
    assert_eq!(real.stdout, ours.stdout);
    assert!(
        ours.stdout.contains("evil?[31m name 302"),
        "{}",
        ours.stdout
    );
}

/// The pids a selection lists, minus those that came or went during the runs.
fn selected(program: &str, sel: &[&str]) -> BTreeSet<u32> {
    let mut args = vec!["-o", "pid="];
    args.extend(sel);
    run(program, &args)
        .stdout
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

#[test]
fn selections_match_procps() {
    let kids = Kids::start("s");
    let me = std::process::id().to_string();
    let sels: &[&[&str]] = &[
        &[],
        &["-e"],
        &["-A"],
        &["ax"],
        &["x"],
        &["a"],
        &["-a"],
        &["-d"],
        &["-N", "-p", "1"],
        &["-u", "root"],
        &["-U", "0"],
        &["-C", &kids.name],
        &["--ppid", &me],
        &["-p", "1,2"],
        &["p", "1"],
        &["1"],
        &["T"],
    ];
    for sel in sels {
        let before: BTreeSet<u32> = pskit::pids().unwrap().into_iter().collect();
        let (real, ours) = (selected("ps", sel), selected("pskit", sel));
        let after: BTreeSet<u32> = pskit::pids().unwrap().into_iter().collect();
        let stable = |s: &BTreeSet<u32>| -> BTreeSet<u32> {
            s.iter()
                .copied()
                .filter(|p| before.contains(p) && after.contains(p))
                .collect()
        };
        assert_eq!(stable(&real), stable(&ours), "ps {sel:?}");
    }
    let c = selected("pskit", &["-C", &kids.name]);
    assert_eq!(c.len(), 5, "the five sleeps by name: {c:?}");
}

#[test]
fn errors_and_exit_statuses_match_procps() {
    let cases: &[&[&str]] = &[
        &["-u", "nosuchuser-pskit"],
        &["-p", "x"],
        &["-p", "99999999999999999999"],
        &["-p", "2147483648"],
        &["-p", "0"],
        &["-p", "2147483647"],
        &["--sort=bogus"],
        &["-Q"],
        &["aQ"],
        &["-o", "nosuch"],
        &["-p", "99999999"],
        &["-C", "no-such-command-pskit"],
    ];
    for args in cases {
        let (real, ours) = (run("ps", args), run("pskit", args));
        assert_eq!(real.code, ours.code, "ps {args:?}");
        assert_eq!(real.stdout, ours.stdout, "ps {args:?}");
        assert_eq!(real.stderr, ours.stderr, "ps {args:?}");
    }
}

#[test]
fn json_rows_carry_the_columns_asked_for() {
    let kids = Kids::start("j");
    let pid = kids.children[1].id().to_string();
    let out = run(
        "pskit",
        &["-o", "pid,ni,comm,memory_info", "-p", &pid, "--json"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let row = &v[0];
    assert_eq!(row["pid"].as_u64().unwrap().to_string(), pid);
    let me = pskit::Process::current().unwrap().nice().unwrap();
    assert_eq!(row["ni"], (me + 5).min(19));
    assert_eq!(row["comm"], kids.name.as_str());
    assert!(row["memory_info"]["rss"].as_u64().unwrap() > 0);
}

/// The evil argv[0] (ESC and a newline) is escaped by every human output and
/// kept raw by --json.
#[test]
fn control_characters_are_escaped_everywhere_but_json() {
    let kids = Kids::start("e");
    let pid = kids.children[2].id().to_string();
    for args in [
        &["top", "-b", "-n", "1", "-c", "-p", &pid][..],
        &["proc", &pid],
        &["ps", "aux", "-p", &pid],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}");
        assert!(!text.contains('\x1b'), "{args:?} printed ESC raw:\n{text}");
        assert!(
            text.lines().any(|l| l.contains("evil?[31m name 302")),
            "{args:?}:\n{text}"
        );
    }
    let json = run("pskit", &["-o", "args", "-p", &pid, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[0]["args"], "evil\x1b[31m\nname 302");
}
