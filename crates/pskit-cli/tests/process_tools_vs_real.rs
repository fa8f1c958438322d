//! The process tools beside the real ones (procps `kill`, `pmap`; psmisc `killall`,
//! `pstree`; sysvinit-utils `pidof`; coreutils `tty`; util-linux `prlimit`;
//! `lsof`): each case runs the real tool and `pskit TOOL` with the same
//! arguments on processes this test starts, and compares stdout, stderr (less
//! the program-name prefix) and the exit status.
//!
//! Every process is a copy of /bin/sleep (or /bin/sh) under a name no other test
//! uses, so nothing here can signal or match another test's processes.

#[path = "../../pskit/tests/common/mod.rs"]
mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PSKIT: &str = env!("CARGO_BIN_EXE_pskit");

/// A scratch directory with a copy of /bin/sleep named `name`; removed on drop.
struct Scratch {
    dir: PathBuf,
    exe: PathBuf,
    /// The pids of the sleepers spawned, killed (by pid, if still this copy)
    /// when the test ends, also by a failed assertion.
    started: std::cell::RefCell<Vec<u32>>,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("vs-real-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join(name);
        common::copy_executable(Path::new("/bin/sleep"), &exe);
        Scratch {
            dir,
            exe,
            started: Default::default(),
        }
    }

    fn name(&self) -> String {
        self.exe.file_name().unwrap().to_string_lossy().into_owned()
    }

    /// A sleeper running the copy, its stdin on /dev/null.
    fn spawn(&self, secs: &str) -> Child {
        let c = Command::new(&self.exe)
            .arg(secs)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.started.borrow_mut().push(c.id());
        wait_exec(c.id(), &self.name());
        c
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let want: String = self.name().chars().take(15).collect();
        for &pid in self.started.borrow().iter() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim_end() == want {
                // SAFETY: kill(2) on a pid this test started, still running our copy.
                unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits until `pid` runs `name` (the exec is done), so both tools see the same.
fn wait_exec(pid: u32, name: &str) {
    let start = Instant::now();
    let want: String = name.chars().take(15).collect();
    while start.elapsed() < Duration::from_secs(10) {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim_end() == want {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{pid} never became {name}");
}

/// Kills `pid` and its descendants, each by pid (children from /proc first).
fn kill_tree(pid: u32) {
    let kids =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    for k in kids
        .split_whitespace()
        .filter_map(|k| k.parse::<u32>().ok())
    {
        kill_tree(k);
    }
    // SAFETY: kill(2) on a process this test started (or its descendant).
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
}

/// Kills a process tree this test started when dropped, also on a failed assertion.
struct TreeGuard(u32);

impl Drop for TreeGuard {
    fn drop(&mut self) {
        kill_tree(self.0);
    }
}

fn finish(mut c: Child) -> std::process::ExitStatus {
    let _ = c.kill();
    c.wait().unwrap()
}

fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match stdin {
        None => {
            cmd.stdin(Stdio::null());
            cmd.output().unwrap()
        }
        Some(text) => {
            use std::io::Write;
            cmd.stdin(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
    }
}

fn real(tool: &str, args: &[&str]) -> Output {
    run(tool, args, None)
}

fn ours(tool: &str, args: &[&str]) -> Output {
    let mut all = vec![tool];
    all.extend_from_slice(args);
    run(PSKIT, &all, None)
}

/// stdout, stderr with `pskit TOOL:` / `TOOL:` made one, and the exit status.
fn seen(tool: &str, o: &Output) -> (String, String, Option<i32>) {
    let err = String::from_utf8_lossy(&o.stderr)
        .replace(&format!("pskit {tool}"), tool)
        .replace(&format!("/usr/bin/{tool}"), tool);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        err,
        o.status.code(),
    )
}

/// Runs `tool args` both ways and asserts the same result.
fn same(tool: &str, args: &[&str]) -> (String, String, Option<i32>) {
    let r = seen(tool, &real(tool, args));
    let p = seen(tool, &ours(tool, args));
    assert_eq!(p, r, "pskit {tool} {args:?} (left) vs {tool} (right)");
    r
}

/// Like [`same`] but stdout and status only (usage texts differ).
fn same_out(tool: &str, args: &[&str]) -> (String, Option<i32>) {
    let (o, _, c) = seen(tool, &real(tool, args));
    let (po, _, pc) = seen(tool, &ours(tool, args));
    assert_eq!((&po, pc), (&o, c), "pskit {tool} {args:?} (left) vs {tool}");
    (o, c)
}

/// A pid that cannot exist: past the kernel's pid_max.
fn no_pid() -> String {
    let max: u64 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (max + 1).to_string()
}

// ---------------------------------------------------------------- kill

#[test]
fn kill_lists_and_errors_as_procps() {
    let gone = no_pid();
    let neg = format!("-{gone}");
    assert_eq!(same("kill", &["-l", "TERM"]).0, "15\n");
    let list = same("kill", &["-l"]).0;
    assert!(list.starts_with("HUP INT QUIT"), "{list}");
    assert!(same("kill", &["-L"]).0.contains(" 9 KILL"));
    same("kill", &["--table"]);
    for args in [
        &["-l", "15"][..],
        &["-l", "sigkill"],
        &["-l", "0"],
        &["-l", "FOO"],
        &["-l15"],
        &["--list=9"],
        &["abc"],
        &["-9", "abc", &gone],
        &[&gone, "abc"],
        &[&gone],
        &["-0", &gone],
        &["-SIGKILL", &gone],
        &["-s", "FOO", &gone],
        &["--signal=KILL", &gone],
        &["--", &neg],
        &["-9", "--", &neg],
        &["-"],
    ] {
        let (_, _, code) = same("kill", args);
        assert!(code.is_some(), "{args:?}");
    }
    // Usage errors: the same status and nothing on stdout.
    for args in [&[][..], &["-9"], &["-s"]] {
        assert_eq!(same_out("kill", args), (String::new(), Some(1)));
    }
}

#[test]
fn kill_signal_forms_act_as_procps() {
    let s = Scratch::new("vsr_kill_sig");
    for form in [
        &["-9"][..],
        &["-KILL"],
        &["-SIGKILL"],
        &["-s", "KILL"],
        &["-s", "9"],
        &["--signal", "USR1"],
        &["-HUP"],
        &[],
    ] {
        let mut statuses = Vec::new();
        for tool in ["real", "pskit"] {
            let c = s.spawn("60");
            let pid = c.id().to_string();
            let mut args = form.to_vec();
            args.push(&pid);
            let o = if tool == "real" {
                real("kill", &args)
            } else {
                ours("kill", &args)
            };
            let mut c = c;
            let st = c.wait().unwrap();
            statuses.push((st.signal(), seen("kill", &o)));
        }
        assert_eq!(statuses[0], statuses[1], "{form:?}");
        assert!(statuses[0].0.is_some(), "{form:?} signalled");
    }
    // `-n NUM` is bash's form (procps has none): the same signal as bash's kill.
    let mut sigs = Vec::new();
    for tool in ["bash", "pskit"] {
        let mut c = s.spawn("60");
        let pid = c.id().to_string();
        let o = if tool == "bash" {
            run("bash", &["-c", &format!("kill -n 9 {pid}")], None)
        } else {
            ours("kill", &["-n", "9", &pid])
        };
        assert!(o.status.success());
        sigs.push(c.wait().unwrap().signal());
    }
    assert_eq!(sigs, [Some(9), Some(9)]);
    // A bad -n never signals.
    let c = s.spawn("60");
    let o = ours("kill", &["-n", "99", &c.id().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(Path::new(&format!("/proc/{}", c.id())).exists());
    finish(c);
}

/// A python3 that blocks SIGUSR1, says "ready", and prints what sigtimedwait(2)
/// reports within 10 s: the signal (-1 when none came), si_code and
/// si_value.sival_int.
const SIGWAIT_PY: &str = r#"
import ctypes, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
libc = ctypes.CDLL(None, use_errno=True)
mask = (ctypes.c_ulong * 16)()
bits = ctypes.sizeof(ctypes.c_ulong) * 8
mask[(signal.SIGUSR1 - 1) // bits] = 1 << ((signal.SIGUSR1 - 1) % bits)
info = (ctypes.c_char * 128)()
class timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]
print("ready", flush=True)
n = libc.sigtimedwait(ctypes.byref(mask), ctypes.byref(info), ctypes.byref(timespec(10, 0)))
b = bytes(info)
off = 24 if ctypes.sizeof(ctypes.c_void_p) == 8 else 20
code = int.from_bytes(b[8:12], sys.byteorder, signed=True)
value = int.from_bytes(b[off:off + 4], sys.byteorder, signed=True)
print(n, code, value, flush=True)
"#;

/// `kill -q VALUE`: sigqueue(2) with the value, and procps's checks of it.
#[test]
fn kill_queue_as_procps() {
    use std::io::BufRead;
    // (No negative value: procps takes a `-5` anywhere for the signal 5.)
    for value in ["123456", "+7", " 8", "4294967297", "2147483648"] {
        let mut results = Vec::new();
        for tool in ["real", "pskit"] {
            let mut py = Command::new("python3")
                .args(["-c", SIGWAIT_PY])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let _guard = TreeGuard(py.id());
            let mut lines = std::io::BufReader::new(py.stdout.take().unwrap()).lines();
            assert_eq!(lines.next().unwrap().unwrap(), "ready");
            let pid = py.id().to_string();
            let args = ["-s", "USR1", "--queue", value, &pid];
            let o = if tool == "real" {
                real("kill", &args)
            } else {
                ours("kill", &args)
            };
            let got = lines.next().map(|l| l.unwrap()).unwrap_or_default();
            py.wait().unwrap();
            results.push((seen("kill", &o), got));
        }
        assert_eq!(results[0], results[1], "-q {value:?}");
        let v: i32 = (value.trim().parse::<i64>().unwrap()) as i32;
        // SIGUSR1, SI_QUEUE (-1), the value's low 32 bits.
        assert_eq!(results[0].1, format!("{} -1 {v}", libc::SIGUSR1), "{value}");
    }
    let gone = no_pid();
    let neg = format!("-{gone}");
    for args in [
        &["-q", "x", &gone][..],
        &["-q", "1.5", &gone],
        &["-q", "0x10", &gone],
        &["-q", "7x", &gone],
        &["-q", "99999999999999999999", &gone],
        &["--queue=-99999999999999999999", &gone],
        &["-q5", &gone],
        &["-s", "USR1", "-q", "1", &gone],
        &["-q", "1", "--", &neg],
        &["-q", "3", "-0", &gone],
    ] {
        let (_, _, code) = same("kill", args);
        assert_eq!(code, Some(1), "{args:?}");
    }
    // A missing value or pid: usage, status 1.
    for args in [&["-q"][..], &["-q", "5"]] {
        assert_eq!(same_out("kill", args), (String::new(), Some(1)), "{args:?}");
    }
}

/// `kill -- -PGID`: the whole group, through kill(2).
#[test]
fn kill_negative_pid_signals_the_group() {
    let s = Scratch::new("vsr_kill_grp");
    let mut results = Vec::new();
    for tool in ["real", "pskit"] {
        // A group of three sleepers: the leader and two children of a shell.
        let mut leader = Command::new("sh")
            .arg("-c")
            .arg(format!("{0} 60 & {0} 60 & wait", s.exe.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = leader.id();
        let _guard = TreeGuard(pgid);
        let start = Instant::now();
        let members = || {
            std::fs::read_dir("/proc")
                .unwrap()
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter(|p| {
                    let stat =
                        std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
                    let after = stat.rsplit(')').next().unwrap_or("");
                    // A zombie has gone; an init that does not reap (a
                    // container's) may keep it for a while.
                    after.split_whitespace().nth(2) == Some(&pgid.to_string())
                        && after.split_whitespace().next() != Some("Z")
                })
                .count()
        };
        while members() < 3 && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(members(), 3);
        let target = format!("-{pgid}");
        if tool == "real" && pgid < 100 {
            // procps kill reads `-- -N` with N < 100 as a signal number and
            // prints its usage (a small container's pids are that low): no
            // comparison then, pskit's own result is still checked below.
            let _ = ours("kill", &["-9", "--", &target]);
            let _ = leader.wait();
            continue;
        }
        let o = if tool == "real" {
            real("kill", &["--", &target])
        } else {
            ours("kill", &["--", &target])
        };
        let st = leader.wait().unwrap();
        let start = Instant::now();
        while members() > 0 && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        results.push((seen("kill", &o), st.signal(), members()));
    }
    if let [real, ours] = &results[..] {
        assert_eq!(real, ours);
    }
    let ours = results.last().unwrap();
    assert_eq!(ours.0 .2, Some(0), "{:?}", ours.0);
    assert_eq!(ours.1, Some(15));
    assert_eq!(ours.2, 0, "the whole group went");
}

// ---------------------------------------------------------------- killall

#[test]
fn killall_forms_act_as_psmisc() {
    let s = Scratch::new("vsr_killall");
    let name = s.name();
    for form in [
        &["-9"][..],
        &["-KILL"],
        &["-SIGKILL"],
        &["-s", "KILL"],
        &["-e"],
        &["-w"],
        &["-u", "root"],
        &["-q"],
        &[],
    ] {
        let mut results = Vec::new();
        for tool in ["real", "pskit"] {
            let kids = [s.spawn("60"), s.spawn("60")];
            let mut args = form.to_vec();
            args.push(&name);
            let (program, args) = if tool == "real" {
                ("killall", args.clone())
            } else {
                (PSKIT, [&["killall"][..], &args].concat())
            };
            // The tool runs while this test reaps its children: `-w` waits
            // until they are gone, and a zombie is not gone.
            let tool_run = Command::new(program)
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let sigs: Vec<_> = kids
                .into_iter()
                .map(|mut c| c.wait().unwrap().signal())
                .collect();
            let o = tool_run.wait_with_output().unwrap();
            results.push((seen("killall", &o), sigs));
        }
        assert_eq!(results[0], results[1], "{form:?}");
        assert!(results[0].1.iter().all(Option::is_some), "{form:?}");
    }
    // Nothing found: the message, or none with -q; status 1; -u of a user with
    // no such process kills nothing.
    let missing = format!("{name}_none");
    for args in [
        vec![missing.as_str()],
        vec!["-q", missing.as_str()],
        vec!["-s", "FOO", missing.as_str()],
        vec!["-FOO", missing.as_str()],
        vec!["-u", "vsr_no_such_user", missing.as_str()],
    ] {
        let r = seen("killall", &real("killall", &args));
        let p = seen("killall", &ours("killall", &args));
        assert_eq!(p, r, "{args:?}");
        assert_eq!(r.2, Some(1));
    }
    let c = s.spawn("60");
    let pid = c.id();
    let r = seen("killall", &real("killall", &["-u", "nobody", &name]));
    let p = seen("killall", &ours("killall", &["-u", "nobody", &name]));
    assert_eq!(p, r);
    assert_eq!(r.1, format!("{name}: no process found\n"));
    assert!(
        Path::new(&format!("/proc/{pid}")).exists(),
        "-u nobody spared it"
    );
    finish(c);
    // No name at all: usage, status 1.
    assert_eq!(same_out("killall", &[]), (String::new(), Some(1)));
}

#[test]
fn killall_interactive_asks_as_psmisc() {
    let s = Scratch::new("vsr_killall_i");
    let name = s.name();
    let mut results = Vec::new();
    for tool in ["real", "pskit"] {
        let kids = [s.spawn("60"), s.spawn("60")];
        let pids: Vec<String> = kids.iter().map(|c| c.id().to_string()).collect();
        let o = if tool == "real" {
            run("killall", &["-i", &name], Some("n\ny\n"))
        } else {
            run(PSKIT, &["killall", "-i", &name], Some("n\ny\n"))
        };
        let out = String::from_utf8_lossy(&o.stdout)
            .replace(&pids[0], "P0")
            .replace(&pids[1], "P1");
        let [mut k0, mut k1] = kids;
        let second = k1.wait().unwrap().signal();
        let first_alive = k0.try_wait().unwrap().is_none();
        finish(k0);
        results.push((out, o.status.code(), first_alive, second));
    }
    assert_eq!(results[0], results[1]);
    assert!(results[0].2, "`n` spared the first");
    assert_eq!(results[0].3, Some(15), "`y` killed the second");
    // End of input is a no, and then nothing was killed: status 1.
    for tool in ["real", "pskit"] {
        let c = s.spawn("60");
        let o = if tool == "real" {
            run("killall", &["-i", &name], Some(""))
        } else {
            run(PSKIT, &["killall", "-i", &name], Some(""))
        };
        assert_eq!(o.status.code(), Some(1), "{tool}");
        assert!(Path::new(&format!("/proc/{}", c.id())).exists());
        finish(c);
    }
}

/// `killall -r`, `-I`: regular expressions (regcomp's dialect) and case.
#[test]
fn killall_regexp_and_ignore_case_as_psmisc() {
    let s = Scratch::new("vsr_kre_sl");
    let name = s.name();
    let upper = name.to_ascii_uppercase();
    for form in [
        &["-r", "^vsr_kre_s.$"][..],
        &["-r", "vsr_(kre|nope)_[[:lower:]]+"],
        &["-I", &upper],
        &["-I", "-r", "^VSR_KRE"],
        &["-v", "-r", "kre_sl$"],
        &["--regexp", "--ignore-case", "KRE_SL$"],
    ] {
        let mut results = Vec::new();
        for tool in ["real", "pskit"] {
            let kids = [s.spawn("60"), s.spawn("60")];
            let pids: Vec<String> = kids.iter().map(|c| c.id().to_string()).collect();
            let o = if tool == "real" {
                real("killall", form)
            } else {
                ours("killall", form)
            };
            let sigs: Vec<_> = kids
                .into_iter()
                .map(|mut c| c.wait().unwrap().signal())
                .collect();
            let (out, err, code) = seen("killall", &o);
            let err = err.replace(&pids[0], "P0").replace(&pids[1], "P1");
            results.push((out, err, code, sigs));
        }
        assert_eq!(results[0], results[1], "{form:?}");
        assert_eq!(results[0].3, [Some(15), Some(15)], "{form:?}");
    }
    // No match (case matters without -I; -r is a search, anchors bind): status
    // 1 and the message; a bad expression is an error before anything is sent.
    let c = s.spawn("60");
    for args in [
        &[upper.as_str()][..],
        &["-r", "^kre_sl"],
        &["-r", "vsr_kre_sl_x"],
        &["-r", "vsr_kre_s("],
        &["-r", "-I", "[vsr_kre"],
        &["-r", "vsr_kre_sl", "vsr_nothing_at_all"],
    ] {
        let (_, _, code) = same("killall", args);
        assert_eq!(code, Some(1), "{args:?}");
    }
    assert!(Path::new(&format!("/proc/{}", c.id())).exists());
    finish(c);
}

/// `killall -g`: the group of each match, once, the shell leading it included.
#[test]
fn killall_process_group_as_psmisc() {
    let mut results = Vec::new();
    for tool in ["real", "pskit"] {
        // Names of each run's own: the other run's dying sleepers (zombies
        // until something reaps them) must not match.
        let s = Scratch::new(&format!("vsr_kgrp_{}", &tool[..1]));
        let shell = s.dir.join("vsr_kgrp_sh");
        common::copy_executable(Path::new("/bin/sh"), &shell);
        // A group of its own (never the test's): the shell and two sleepers.
        let leader = Command::new(&shell)
            .arg("-c")
            .arg(format!("{0} 60 & {0} 60 & wait", s.exe.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let _guard = TreeGuard(leader.id());
        let pgid = leader.id().to_string();
        let start = Instant::now();
        loop {
            let kids = std::fs::read_to_string(format!("/proc/{pgid}/task/{pgid}/children"))
                .unwrap_or_default();
            let ready = kids.split_whitespace().count() == 2
                && kids.split_whitespace().all(|k| {
                    std::fs::read_to_string(format!("/proc/{k}/comm"))
                        .is_ok_and(|c| c.trim_end() == s.name())
                });
            if ready {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{kids}");
            std::thread::sleep(Duration::from_millis(10));
        }
        let args = ["-v", "-g", &s.name()];
        let o = if tool == "real" {
            real("killall", &args)
        } else {
            ours("killall", &args)
        };
        let mut leader = leader;
        let shell_sig = leader.wait().unwrap().signal();
        let (out, err, code) = seen("killall", &o);
        // psmisc races with the group it has just signalled: a member that
        // died between its scan and its getpgid() call gives it
        // "killall: getpgid(N): No such process" on a loaded machine. That
        // line is the real tool's race, not its answer, so it is left out.
        let err: String = err
            .lines()
            .filter(|l| !(tool == "real" && l.starts_with("killall: getpgid(")))
            .map(|l| format!("{l}\n"))
            .collect();
        let err = err.replace(&pgid, "PGID").replace(&s.name(), "NAME");
        results.push((out, err, code, shell_sig));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(
        results[1].1, "Killed NAME(pgid PGID) with signal 15\n",
        "once per group"
    );
    assert_eq!(results[0].3, Some(15), "the shell is in the group");
}

/// `killall -y/-o TIME`: psmisc's units, and its "Invalid time format".
#[test]
fn killall_age_as_psmisc() {
    let s = Scratch::new("vsr_kage_sl");
    let name = s.name();
    let c = s.spawn("60");
    // Older than an hour, or younger than a tenth of its age: none.
    for args in [
        &["-o", "1h", &name][..],
        &["--older-than", "2d", &name],
        &["-o", "1y", &name],
        &["-y", "1s", "-o", "1M", &name],
    ] {
        let (_, _, code) = same("killall", args);
        assert_eq!(code, Some(1), "{args:?}");
    }
    assert!(Path::new(&format!("/proc/{}", c.id())).exists());
    finish(c);
    // Younger than a week, older than one second: killed, both ways.
    for form in [
        &["-y", "1w"][..],
        &["-o", "1s"],
        &["--younger-than=5m", "-o1s"],
    ] {
        let mut results = Vec::new();
        for tool in ["real", "pskit"] {
            let mut c = s.spawn("60");
            std::thread::sleep(Duration::from_millis(1100));
            let mut args = form.to_vec();
            args.push(&name);
            let o = if tool == "real" {
                real("killall", &args)
            } else {
                ours("killall", &args)
            };
            results.push((seen("killall", &o), c.wait().unwrap().signal()));
        }
        assert_eq!(results[0], results[1], "{form:?}");
        assert_eq!(results[0].1, Some(15), "{form:?}");
    }
    // Bad times: the message, usage and status 1 (the usage texts differ).
    for t in [
        "1.5m", "1", "x", "", "0s", "-5s", "1q", "nan", "1e3s", "0x10s", "5 m",
    ] {
        for opt in ["-y", "-o", "--older-than"] {
            let args = [opt, t, &name];
            let (r, p) = (real("killall", &args), ours("killall", &args));
            assert_eq!(p.status.code(), r.status.code(), "{args:?}");
            assert_eq!(r.status.code(), Some(1), "{args:?}");
            let first = |o: &Output| {
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            assert_eq!(first(&p), first(&r), "{args:?}");
            assert_eq!(first(&r), "Invalid time format", "{args:?}");
        }
    }
    // Odd but valid: strtol's leading blanks and sign, only the unit's first
    // letter counts.
    for t in [" 5s", "+5s", "1ss", "010m"] {
        let missing = format!("{name}_none");
        let (_, err, code) = same("killall", &["-y", t, &missing]);
        assert_eq!(
            (err.as_str(), code),
            (&*format!("{missing}: no process found\n"), Some(1))
        );
    }
}

// ---------------------------------------------------------------- pidof

#[test]
fn pidof_as_sysvinit() {
    let s = Scratch::new("vsr_pidof_sl");
    let name = s.name();
    let exe = s.exe.to_string_lossy().into_owned();
    let kids = [s.spawn("60"), s.spawn("60"), s.spawn("60")];
    let first = kids[0].id().to_string();
    let omit2 = format!("{},{}", kids[1].id(), kids[2].id());
    let other = format!("{name}_other");
    let mut pids: Vec<u32> = kids.iter().map(Child::id).collect();
    pids.sort_unstable_by(|a, b| b.cmp(a));
    let want: Vec<String> = pids.iter().map(u32::to_string).collect();
    assert_eq!(same("pidof", &[&name]).0, format!("{}\n", want.join(" ")));
    assert_eq!(same("pidof", &["-s", &name]).0, format!("{}\n", want[0]));
    for args in [
        &["-o", &first, &name][..],
        &["-o", &omit2, &name],
        &["-o", "%PPID", &name],
        &["-o", "abc", &name],
        &[&exe],
        &[&name, &other],
        &[&name, &name],
        &["-d", ",", &name],
        &["-q", &name],
        &["-x", &name],
        &["-z", &name],
    ] {
        let (out, _, code) = same("pidof", args);
        assert_eq!(code, Some(0), "{args:?}");
        assert!(!out.is_empty() || args.contains(&"-q"), "{args:?}");
    }
    assert_eq!(
        same("pidof", &["-o", &first, "-o", &omit2, &name]).2,
        Some(1)
    );
    for args in [&[other.as_str()][..], &[], &["-X"], &["vsr_pidof"]] {
        assert_eq!(
            same_out("pidof", args),
            (String::new(), Some(1)),
            "{args:?}"
        );
    }
    for c in kids {
        finish(c);
    }
}

/// `pidof -x` finds a script run by its interpreter; `-o %PPID` omits the caller.
#[test]
fn pidof_scripts_and_parent() {
    let s = Scratch::new("vsr_pidof_x");
    // Written under another name and copied by cp, so that no write descriptor
    // to the script can make its exec fail with ETXTBSY (see copy_executable).
    let draft = s.dir.join("draft");
    std::fs::write(&draft, format!("#!/bin/sh\n{} 60\n:\n", s.exe.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&draft, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = s.dir.join("vsr_pidof_scr");
    common::copy_executable(&draft, &script);
    let mut c = Command::new(&script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = TreeGuard(c.id());
    wait_exec(c.id(), "vsr_pidof_scr");
    // The script's sleeper is its child: wait until it has exec'd.
    let start = Instant::now();
    let child = loop {
        let kids = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", c.id()))
            .unwrap_or_default();
        if let Some(k) = kids.split_whitespace().next() {
            break k.parse::<u32>().unwrap();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no sleeper");
        std::thread::sleep(Duration::from_millis(5));
    };
    wait_exec(child, &s.name());
    let (out, _, code) = same("pidof", &["-x", "vsr_pidof_scr"]);
    assert_eq!((out, code), (format!("{}\n", c.id()), Some(0)));
    assert_eq!(same("pidof", &["vsr_pidof_scr"]).2, Some(1));
    kill_tree(c.id());
    let _ = c.wait();

    // `-o %PPID` inside a shell named uniquely: the shell omits itself.
    let shell = s.dir.join("vsr_pidof_shell");
    common::copy_executable(Path::new("/bin/sh"), &shell);
    for (tool, with_o) in [("pidof", true), ("pidof", false)] {
        let omit = if with_o { "-o %PPID " } else { "" };
        let real_out = run(
            shell.to_str().unwrap(),
            &["-c", &format!("{tool} {omit}vsr_pidof_shell; :")],
            None,
        );
        let ours_out = run(
            shell.to_str().unwrap(),
            &["-c", &format!("{PSKIT} {tool} {omit}vsr_pidof_shell; :")],
            None,
        );
        assert_eq!(real_out.status.code(), ours_out.status.code(), "{omit}");
        assert_eq!(real_out.stdout.is_empty(), with_o, "{omit}");
        assert_eq!(ours_out.stdout.is_empty(), with_o, "{omit}");
    }
}

// ---------------------------------------------------------------- tty

#[test]
fn tty_looks_at_stdin_as_coreutils() {
    for args in [&[][..], &["-s"], &["--silent"], &["--quiet"]] {
        same("tty", args);
    }
    assert_eq!(same("tty", &[]).0, "not a tty\n");
    assert_eq!(same("tty", &["-s"]).2, Some(1));
    // On a terminal (script(1) gives one): the same name, status 0.
    let o = Command::new("script")
        .args([
            "-qc",
            &format!(
                "tty; echo $?; {PSKIT} tty; echo $?; tty -s; echo $?; {PSKIT} tty -s; echo $?"
            ),
            "/dev/null",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).replace('\r', "");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("/dev/pts/"), "{text}");
    assert_eq!(lines[0], lines[2]);
    assert_eq!(&lines[1..2], &["0"]);
    assert_eq!(&lines[3..], &["0", "0", "0"]);
}

// ---------------------------------------------------------------- prlimit

#[test]
fn prlimit_as_util_linux() {
    let s = Scratch::new("vsr_prlimit");
    let c = s.spawn("60");
    let pid = c.id().to_string();
    let gone = no_pid();
    for args in [
        &["--pid", &pid][..],
        &["-p", &pid, "--nofile"],
        &["-p", &pid, "-n"],
        &["-p", &pid, "--noheadings", "--nofile"],
        &["-p", &pid, "-n", "--core", "--nofile"],
        &["-p", &pid, "-o", "RESOURCE,SOFT", "--nofile", "--core"],
        &["-p", &pid, "--output=soft,resource", "-n"],
        &["-p", &pid, "--raw"],
        &["-p", &pid, "--raw", "--noheadings", "--cpu"],
        &["-p", &pid, "-o", "FOO"],
        &["-p", "abc"],
        &["-p", &gone],
        &["-p", "-5"],
        &["-p", &pid, "--nofile=abc"],
        &["-p", &pid, "--nofile=99999999999999999999999"],
        &["-p", &pid, "--nofile=5000:1000"],
        &["-p", &pid, "sh"],
        &["--nofile=64", "sh", "-c", "ulimit -n"],
        &["--core", "sh", "-c", "true"],
        &["vsr_no_such_command"],
    ] {
        same("prlimit", args);
    }
    // Setting prints nothing; the limits then read the same through either tool.
    let d = s.spawn("60");
    let pid2 = d.id().to_string();
    for spec in [
        "--nofile=1024:2048",
        "--nofile=1000",
        "--nofile=900:",
        "--nofile=:950",
        "-n800:900",
    ] {
        let r = seen("prlimit", &real("prlimit", &["-p", &pid, spec]));
        let p = seen("prlimit", &ours("prlimit", &["-p", &pid2, spec]));
        assert_eq!(p, r, "{spec}");
        assert_eq!(r, (String::new(), String::new(), Some(0)), "{spec}");
        let a = real("prlimit", &["-p", &pid, "--nofile"]).stdout;
        let b = real("prlimit", &["-p", &pid2, "--nofile"]).stdout;
        assert_eq!(a, b, "{spec}");
    }
    // The headings count for the widths even when not printed (libsmartcols).
    let (out, _, _) = same(
        "prlimit",
        &["-p", &pid2, "-n", "--noheadings", "-o", "SOFT,HARD"],
    );
    assert_eq!(out, " 800  900\n");
    // --verbose; soft over hard; then failures keep the OS's reason (raising
    // the hard limit).
    same("prlimit", &["-p", &pid, "--verbose", "--nofile=700:800"]);
    let (_, err, code) = same("prlimit", &["-p", &pid, "--nofile=:600"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("cannot exceed the hard limit"), "{err}");
    let (_, err, code) = same("prlimit", &["-p", &pid, "--nofile=unlimited"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("failed to set the NOFILE resource limit: "),
        "{err}"
    );
    finish(c);
    finish(d);
}

#[test]
fn prlimit_failures_as_nobody() {
    let s = Scratch::new("vsr_prlimit_nb");
    let c = s.spawn("60");
    let pid = c.id().to_string();
    let as_nobody = |program: &str, args: &[&str]| {
        let mut all = vec![
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            program,
        ];
        all.extend_from_slice(args);
        seen("prlimit", &run("setpriv", &all, None))
    };
    for args in [
        &["-p", &pid, "--nofile=10:20"][..],
        &["-p", &pid, "--nofile"],
        &["-p", &pid],
    ] {
        let r = as_nobody("prlimit", args);
        let mut ours_args = vec!["prlimit"];
        ours_args.extend_from_slice(args);
        let p = as_nobody(PSKIT, &ours_args);
        assert_eq!(p, r, "{args:?}");
        assert_eq!(r.2, Some(1));
        assert!(r.1.contains("Operation not permitted"), "{}", r.1);
    }
    finish(c);
}

// ---------------------------------------------------------------- pstree

/// A tree the test makes: a shell copy named uniquely, three identical sleepers,
/// a fourth with other arguments, and a nested shell with its own sleeper.
fn make_tree(s: &Scratch) -> (Child, Vec<u32>) {
    let shell = s.dir.join("vsr_ptree_sh");
    if !shell.exists() {
        common::copy_executable(Path::new("/bin/sh"), &shell);
    }
    let e = s.exe.display();
    let script = format!(
        "{e} 60 & {e} 60 & {e} 60 & {e} 61 & {sh} -c '{e} 62; :' & wait",
        sh = shell.display()
    );
    let c = Command::new(&shell)
        .arg("-c")
        .arg(&script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until all six processes have exec'd.
    let start = Instant::now();
    loop {
        let o = real("pstree", &["-p", &c.id().to_string()]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        if text.matches(&s.name()[..]).count() == 5 && text.matches("vsr_ptree_sh").count() == 2 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{text}");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pids = vec![c.id()];
    (c, pids)
}

#[test]
fn pstree_as_psmisc() {
    let s = Scratch::new("vsr_ptree_sl");
    let (c, pids) = make_tree(&s);
    let _guard = TreeGuard(pids[0]);
    let root = pids[0].to_string();
    let plain = same("pstree", &[&root]).0;
    assert!(plain.contains(&format!("4*[{}]", s.name())), "{plain}");
    for args in [
        &["-p", &root][..],
        &["-a", &root],
        &["-ap", &root],
        &["-A", &root],
        &["-U", &root],
        &["-c", &root],
        &["-n", "-p", &root],
        &["-np", &root],
        &["-u", &root],
        &["-T", &root],
        &["-l", "-a", &root],
        &["-U", "-a", &root],
        &["--show-pids", "--arguments", &root],
        &[&no_pid()],
        &["vsr_no_such_user"],
    ] {
        same("pstree", args);
    }
    let u = same("pstree", &["-U", &root]).0;
    assert!(u.contains("─┬─"), "{u}");
    for args in [&["-Q"][..], &["abc1", "2"], &["12x"]] {
        assert_eq!(
            same_out("pstree", args),
            (String::new(), Some(1)),
            "{args:?}"
        );
    }
    // Cut at the width: $COLUMNS, as psmisc.
    for cols in ["20", "31"] {
        let r = Command::new("pstree")
            .args(["-a", &root])
            .env("COLUMNS", cols)
            .output()
            .unwrap();
        let p = Command::new(PSKIT)
            .args(["pstree", "-a", &root])
            .env("COLUMNS", cols)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&p.stdout),
            String::from_utf8_lossy(&r.stdout),
            "COLUMNS={cols}"
        );
    }
    // The whole tree starts at pid 1 and hides kernel threads, like psmisc.
    let whole = ours("pstree", &["-lp"]);
    let text = String::from_utf8_lossy(&whole.stdout);
    assert!(text.starts_with(&format!(
        "{}(1)",
        std::fs::read_to_string("/proc/1/comm").unwrap().trim()
    )));
    assert!(
        !text.contains("(2)") && !text.contains("kthreadd"),
        "{text}"
    );
    assert!(text.contains(&format!("({root})")));
    kill_tree(pids[0]);
    let _ = finish(c);
}

/// Runs `tool args` (pskit's as `pskit pstree`) with TERM set or unset.
fn with_term(tool: &str, args: &[&str], term: Option<&str>) -> (String, String, Option<i32>) {
    let mut cmd = if tool == "real" {
        Command::new("pstree")
    } else {
        let mut c = Command::new(PSKIT);
        c.arg("pstree");
        c
    };
    cmd.args(args)
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS");
    match term {
        Some(t) => cmd.env("TERM", t),
        None => cmd.env_remove("TERM"),
    };
    seen("pstree", &cmd.stdin(Stdio::null()).output().unwrap())
}

/// pstree -g, -s, -Z, -h/-H (bold from terminfo, on a pipe too, as psmisc).
#[test]
fn pstree_groups_parents_context_highlight_as_psmisc() {
    let s = Scratch::new("vsr_ptree_g");
    let (c, pids) = make_tree(&s);
    let _guard = TreeGuard(pids[0]);
    let root = pids[0].to_string();
    for args in [
        &["-g", &root][..],
        &["-gp", &root],
        &["--show-pgids", "-c", &root],
        &["-s", &root],
        &["-s", "-p", &root],
        &["--show-parents", "-a", &root],
        &["-Z", &root],
        &["-Zp", &root],
        &["-Za", &root],
        &["--security-context", "-u", &root],
        &["-s", &no_pid()],
        &[&no_pid()],
    ] {
        same("pstree", args);
    }
    assert_eq!(same("pstree", &["-s", &no_pid()]).2, Some(1));
    let z = same("pstree", &["-Z", &root]).0;
    assert!(z.contains("(`") && z.contains("')\n"), "{z}");
    // -H: a sleeper and its ancestors in the terminal's bold.
    let kid = std::fs::read_to_string(format!("/proc/{root}/task/{root}/children"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    for term in ["xterm", "vt100", "dumb"] {
        for args in [
            &["-H", &kid, &root][..],
            &["-h", &root],
            &["-pH", &kid, &root],
        ] {
            let r = with_term("real", args, Some(term));
            assert_eq!(with_term("pskit", args, Some(term)), r, "{term} {args:?}");
        }
    }
    let bold = with_term("real", &["-H", &kid, &root], Some("xterm")).0;
    assert!(bold.contains("\x1b[1m"), "{bold:?}");
    for (args, term) in [
        (&["-H", &kid, &root][..], None),
        (&["-H", &kid, &root], Some("vsr-no-such-term")),
        (&["-h", &root], None),
        (&["-h", &root], Some("vsr-no-such-term")),
    ] {
        let r = with_term("real", args, term);
        assert_eq!(with_term("pskit", args, term), r, "{term:?} {args:?}");
    }
    // Usage errors: a second highlight, pid 0, no pid.
    for args in [&["-h", "-H", &kid][..], &["-H", "0"], &["-H", "x"], &["-H"]] {
        let r = with_term("real", args, Some("xterm"));
        let p = with_term("pskit", args, Some("xterm"));
        assert_eq!((&p.0, p.2), (&r.0, r.2), "{args:?}");
        assert_eq!(r.2, Some(1), "{args:?}");
    }
    // -h marks the tool itself: run under a shell of ours, named apart.
    let shell = s.dir.join("vsr_ptree_hs");
    common::copy_executable(Path::new("/bin/sh"), &shell);
    let mut outs = Vec::new();
    for tool in ["pstree", &format!("{PSKIT} pstree")] {
        let o = Command::new(&shell)
            .args(["-c", &format!("{tool} -h $$; :")])
            .env("TERM", "xterm")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        outs.push(String::from_utf8_lossy(&o.stdout).replace("pskit", "pstree"));
    }
    assert_eq!(outs[1], outs[0]);
    assert!(outs[0].contains("\x1b[1mpstree\x1b["), "{:?}", outs[0]);
    kill_tree(pids[0]);
    let _ = finish(c);
}

/// pstree -N TYPE, in a pid namespace of its own (so that only the processes
/// started here are drawn), with a sleeper in a new UTS namespace.
#[test]
fn pstree_ns_sort_as_psmisc() {
    for args in [&["-N", "bogus"][..], &["-N"], &["--ns-sort=nope"]] {
        assert_eq!(
            same_out("pstree", args),
            (String::new(), Some(1)),
            "{args:?}"
        );
    }
    let s = Scratch::new("vsr_ptree_ns");
    let probe = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "--uts", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("pstree_ns_sort_as_psmisc: no namespaces for this user; -N not compared");
        return;
    }
    let e = s.exe.display();
    let mut script = format!(
        "{e} 60 & unshare --uts {e} 61 & k=$!; n=0; \
         while [ \"$(cat /proc/$k/comm 2>/dev/null)\" != {name} ] && [ $n -lt 500 ]; \
         do sleep 0.02; n=$((n+1)); done; ",
        name = s.name()
    );
    for t in ["uts", "pid", "net", "ipc", "mnt", "user", "cgroup", "time"] {
        for extra in ["", "-g", "-Z", "-l"] {
            script.push_str(&format!(
                "echo '== {t} {extra}'; pstree -N {t} {extra}; echo rc=$?; \
                 echo '== {t} {extra}' >&2; {PSKIT} pstree -N {t} {extra} >&2; echo rc=$? >&2; "
            ));
        }
    }
    let o = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "sh", "-c", &script])
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let real_out = String::from_utf8_lossy(&o.stdout).into_owned();
    let ours_out = String::from_utf8_lossy(&o.stderr).replace("pskit", "pstree");
    assert_eq!(ours_out, real_out);
    assert!(
        real_out.contains(&format!("\n{}\n", s.name())),
        "{real_out}"
    );
    assert_eq!(real_out.matches("rc=0").count(), 32, "{real_out}");
}

// ---------------------------------------------------------------- pmap

#[test]
fn pmap_as_procps() {
    let s = Scratch::new("vsr_pmap");
    let a = s.spawn("60");
    let b = s.spawn("61");
    let (pa, pb) = (a.id().to_string(), b.id().to_string());
    let gone = no_pid();
    let out = same("pmap", &[&pa]).0;
    assert!(
        out.starts_with(&format!("{pa}:   {} 60\n", s.exe.display())),
        "{out}"
    );
    assert!(out.contains(" total "), "{out}");
    for args in [
        &["-x", &pa][..],
        &["-q", &pa],
        &["-x", "-q", &pa],
        &["-qx", &pa],
        &[&pa, &pb],
        &["-x", &pa, &pb],
        &[&pa, &gone],
        &[&gone],
        &["-x", "2"],
    ] {
        same("pmap", args);
    }
    assert_eq!(same("pmap", &[&gone]).2, Some(42));
    assert_eq!(same_out("pmap", &["abc"]), (String::new(), Some(1)));
    // A process another user may not read: the header, then status 1.
    let nb = |program: &str, args: &[&str]| {
        let mut all = vec![
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            program,
        ];
        all.extend_from_slice(args);
        let o = run("setpriv", &all, None);
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            o.status.code(),
        )
    };
    let r = nb("pmap", &[&pa]);
    assert_eq!(nb(PSKIT, &["pmap", &pa]), r);
    assert_eq!(r.1, Some(1));
    assert_eq!(nb(PSKIT, &["pmap", "-X", &pa]), nb("pmap", &["-X", &pa]));
    // -X and -XX: every smaps field, laid out as procps. PSS and the
    // shared/private split move whenever another process maps or unmaps the
    // same pages, and Referenced with page aging, so those columns (and their
    // totals) are left out of the comparison; all else must match.
    for args in [
        &["-X", &pa][..],
        &["-XX", &pa],
        &["-X", "-q", &pa],
        &["-X", &pa, &pb],
        &["-X", &pa, "2", &pb],
        &["-XX", "-q", &pa, &pb],
        &["-X", &gone],
    ] {
        let (r, o) = (
            run("pmap", args, None),
            run(PSKIT, &[&["pmap"][..], args].concat(), None),
        );
        assert_eq!(r.status.code(), o.status.code(), "pmap {args:?}");
        let (r, o) = (
            String::from_utf8_lossy(&r.stdout).into_owned(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        );
        let mode = if args.contains(&"-XX") { "-XX" } else { "-X" };
        let head = run("pmap", &[mode, &pa], None);
        let head = String::from_utf8_lossy(&head.stdout)
            .lines()
            .nth(1)
            .unwrap_or("")
            .to_string();
        assert_eq!(
            without_pss(&r, &head),
            without_pss(&o, &head),
            "pmap {args:?}\n{r}\n{o}"
        );
        assert_eq!(r.lines().count(), o.lines().count(), "pmap {args:?}");
    }
    finish(a);
    finish(b);
}

/// pmap -X output with the columns that move blanked: each line's cells, the
/// columns that `header` (the real tool's -X or -XX header) names Pss*,
/// SwapPss, Shared_*/Private_* (a page turns shared when another process
/// maps it) or Referenced (page aging) replaced by "~"; the rule and totals lines start at the first
/// detail column (the sixth).
fn without_pss(text: &str, header: &str) -> Vec<Vec<String>> {
    let pss: Vec<usize> = header
        .split_whitespace()
        .enumerate()
        .filter(|(_, c)| {
            c.starts_with("Pss")
                || c.starts_with("Shared_")
                || c.starts_with("Private_")
                || matches!(*c, "SwapPss" | "Referenced")
        })
        .map(|(i, _)| i)
        .collect();
    text.lines()
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let footer =
                cells.first().is_some_and(|c| c.starts_with('=')) || cells.last() == Some(&"KB");
            let shift = if footer { 5 } else { 0 };
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if pss.contains(&(i + shift)) {
                        "~".to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------- lsof

#[test]
fn lsof_as_lsof() {
    let s = Scratch::new("vsr_lsof_sl");
    let out_file = s.dir.join("vsr_lsof_out");
    std::fs::write(&out_file, "x").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
    let out = std::fs::OpenOptions::new()
        .append(true)
        .open(&out_file)
        .unwrap();
    let mut cmd = Command::new(&s.exe);
    cmd.arg("60")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::piped());
    // SAFETY: dup2 is async-signal-safe; it gives the child the socket as fd 3.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto itself would keep FD_CLOEXEC: clear it instead.
            let rc = if fd == 3 {
                libc::fcntl(3, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, 3)
            };
            if rc < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let a = cmd.spawn().unwrap();
    let _guard = TreeGuard(a.id());
    drop(listener);
    wait_exec(a.id(), &s.name());
    let b = s.spawn("61");
    let (pa, pb) = (a.id().to_string(), b.id().to_string());
    let both = format!("{pa},{pb}");
    let i_port = format!(":{port}");
    let tcp_port = format!("tcp:{port}");
    let file = out_file.to_string_lossy().into_owned();
    let prefix = &s.name()[..9];
    let gone = no_pid();
    let listing = same("lsof", &["-p", &pa]).0;
    for row in [
        "cwd", "rtd", "txt", "mem", "0r", "1w", "2w", "3u", "CHR", "FIFO", "IPv4",
    ] {
        assert!(listing.contains(row), "{row}: {listing}");
    }
    assert!(listing.starts_with("COMMAND "), "{listing}");
    assert!(listing.contains("(LISTEN)"), "{listing}");
    for args in [
        &["-p", &both][..],
        &["-t", "-p", &both],
        &[&file],
        &["-t", &file],
        &["-c", prefix],
        &["-a", "-c", prefix, "-u", "root"],
        &["-i", &i_port],
        &["-i", &tcp_port],
        &["-nP", "-i", &i_port],
        &["-i4", "-a", "-p", &pa],
        &["-i", "tcp", "-a", "-p", &pa],
        &["-i", "udp", "-a", "-p", &pa],
        &["-i6", "-a", "-p", &pa],
        &["-t", "-i", &i_port],
        &["-a", "-p", &pb, "-c", prefix],
        &["-p", &gone],
        &["-c", "vsr_no_such_cmd"],
    ] {
        same("lsof", args);
    }
    assert_eq!(same("lsof", &["-t", "-i", &i_port]).0, format!("{pa}\n"));
    assert_eq!(same("lsof", &["-p", &gone]).2, Some(1));
    // What another user may not read is a row saying so.
    let nb = |program: &str, args: &[&str]| {
        let mut all = vec![
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            program,
        ];
        all.extend_from_slice(args);
        seen("lsof", &run("setpriv", &all, None))
    };
    let r = nb("lsof", &["-p", &pa]);
    assert_eq!(nb(PSKIT, &["lsof", "-p", &pa]), r);
    assert!(r.0.contains("(readlink: Permission denied)"), "{}", r.0);
    finish(a);
    finish(b);
}

/// A python3 holding what lsof names specially: an eventfd, an epoll watching
/// two descriptors, a pidfd, an inotify, UNIX sockets of each kind and state
/// (bound, accepted, abstract, unbound pair), and a file under `dir/sub`.
const LSOF_HOLDER_PY: &str = r#"
import ctypes, os, select, socket, sys, time
d = sys.argv[1]
efd = os.eventfd(0)
ep = select.epoll()
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); ls.bind(d + "/sock"); ls.listen()
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(d + "/sock"); a, _ = ls.accept()
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); dg.bind(d + "/dg")
p1, p2 = socket.socketpair()
sq = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
ab = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); ab.bind("\0vsr_lsof_abs_%d" % os.getpid()); ab.listen()
ep.register(efd, select.EPOLLIN); ep.register(ls.fileno(), select.EPOLLIN)
pfd = os.pidfd_open(os.getpid())
ino = ctypes.CDLL(None).inotify_init()
f = open(d + "/sub/file", "w")
print("ready", flush=True)
time.sleep(60)
"#;

/// lsof -d, +D, UNIX sockets and anon inodes, on a process of this test's.
#[test]
fn lsof_fd_lists_dirs_unix_and_anon_as_lsof() {
    use std::io::BufRead;
    let s = Scratch::new("vsr_lsof_un");
    let dir = s.dir.join("tree");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let mut py = Command::new("python3")
        .args(["-c", LSOF_HOLDER_PY, &dir.to_string_lossy()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = TreeGuard(py.id());
    let mut lines = std::io::BufReader::new(py.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let pid = py.id().to_string();
    let d = dir.to_string_lossy().into_owned();
    let sub = dir.join("sub").to_string_lossy().into_owned();
    let listing = same("lsof", &["-a", "-p", &pid, "-d", "3-40"]).0;
    for want in [
        "[eventfd:",
        "[eventpoll:",
        "[pidfd:",
        " inotify\n",
        "/sock type=STREAM (LISTEN)",
        "/sock type=STREAM (CONNECTED)",
        " type=STREAM (CONNECTED)",
        "/dg type=DGRAM (UNCONNECTED)",
        " type=SEQPACKET (UNCONNECTED)",
        &format!("@vsr_lsof_abs_{pid} type=STREAM (LISTEN)"),
        " a_inode ",
        " unix 0x",
    ] {
        assert!(listing.contains(want), "{want}: {listing}");
    }
    for args in [
        &["-a", "-p", &pid, "-d", "cwd,3,5-7"][..],
        &["-a", "-p", &pid, "-d", "^mem,^txt,^0-2"],
        &["-a", "-p", &pid, "-d", "^mem", "-d", "^rtd"],
        &["-a", "-p", &pid, "-d", "x"],
        &["-a", "-p", &pid, "-d", "1,,2"],
        &["-a", "-p", &pid, "-d", "^"],
        &["-a", "-p", &pid, "-d", "99999999999"],
        &["-t", "-a", "-p", &pid, "-d", "4"],
        &["+D", &d],
        &["-t", "+D", &d],
        &["+D", &sub],
        &["-a", "-p", &pid, "+D", &d],
        &["-a", "-p", &pid, "-d", "^3-40", "+D", &d],
    ] {
        same("lsof", args);
    }
    // Everything under the directory is open somewhere but the directories:
    // rows, and status 1 as lsof.
    let (out, _, code) = same("lsof", &["+D", &d]);
    assert!(
        out.contains("/sub/file") && out.contains("/dg type=DGRAM"),
        "{out}"
    );
    assert_eq!(code, Some(1));
    // Bad lists: lsof's message and usage, status 1, before anything is read.
    for list in ["1,^2", "^1,2", "5-3", "-1", "3-", "", "1-2-3", "a-b"] {
        let (_, err, code) = same("lsof", &["-d", list]);
        assert_eq!(code, Some(1), "{list}");
        assert!(err.starts_with("lsof: "), "{err}");
    }
    same("lsof", &["-d", "^1", "-d", "2"]);
    same("lsof", &["-p", "1,x"]);
    finish(py);
}
