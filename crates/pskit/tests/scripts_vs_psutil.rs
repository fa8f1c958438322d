//! The example ports of psutil's scripts (`crates/pskit/examples/*.rs`) against the
//! scripts themselves (`scripts/*.py` of psutil 7.2.2's sdist), run side by side on
//! this machine: same stdout line by line, same stderr, same exit status.
//!
//! Figures that move between two runs (memory in use, disk space used, NIC
//! counters) are checked by bracketing: Python runs before and after Rust, and
//! the Rust figure must lie between the two Python ones (within a tolerance for
//! memory and disk, exactly for counters that only grow). Everything else (names,
//! totals, addresses, column layout, row counts, pids, maps) must be equal.
//! Processes are compared on trees and names this test spawns itself, so that
//! processes coming and going elsewhere cannot change the answer.
//!
//! The example binaries are those `cargo test` (or `cargo build --examples`)
//! builds into `target/debug/examples/`.

mod common;

use std::collections::BTreeSet;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// One run of a script or of its port.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// The last line of stderr: the message of `sys.exit(msg)`, or the exception
    /// line that ends a Python traceback.
    fn error_line(&self) -> &str {
        self.stderr.lines().last().unwrap_or("")
    }
}

/// A scratch directory under target/, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("scripts-{name}-{}-{seq}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    /// A copy of `/bin/<tool>` named `name` in this directory.
    fn tool(&self, tool: &str, name: &str) -> PathBuf {
        let dst = self.0.join(name);
        common::copy_executable(Path::new("/bin").join(tool).as_path(), &dst);
        dst
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Children this test spawned, killed and reaped when dropped (also when an
/// assertion fails first).
#[derive(Default)]
struct Children(Vec<Child>);

impl Children {
    fn spawn(&mut self, cmd: &mut Command) -> u32 {
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn a child process");
        let pid = child.id();
        self.0.push(child);
        pid
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files below `dir`.
fn newest_below(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let t = if path.is_dir() {
            newest_below(&path)
        } else {
            modified(&path).unwrap_or(SystemTime::UNIX_EPOCH)
        };
        newest = newest.max(t);
    }
    newest
}

/// `target/debug/examples/<name>`, next to this test's `target/debug/deps/`.
/// Fails when it is missing or older than its sources: this test must not judge
/// a stale build.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps")
        .join("examples")
        .join(name);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = newest_below(&manifest.join("src")).max(
        modified(&manifest.join(format!("examples/{name}.rs"))).unwrap_or(SystemTime::UNIX_EPOCH),
    );
    match modified(&bin) {
        None => panic!(
            "{} is missing: build the examples first (`cargo test -p pskit` builds them, or `cargo build -p pskit --examples`)",
            bin.display()
        ),
        Some(t) if t < sources => panic!(
            "{} is older than its sources: rebuild the examples (`cargo build -p pskit --examples`, or `cargo test -p pskit`)",
            bin.display()
        ),
        Some(_) => bin,
    }
}

fn run(cmd: &mut Command, cwd: &Path, env: &[(&str, Option<&str>)]) -> Run {
    cmd.current_dir(cwd).stdin(Stdio::null());
    // Both sides see the same terminal-less environment.
    cmd.env_remove("COLUMNS").env_remove("LINES");
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().expect("run a script or an example");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Runs psutil's `scripts/<name>.py` (cwd: a scratch directory).
fn python(name: &str, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let script = common::psutil_scripts().join(format!("{name}.py"));
    let cwd = Scratch::new(&format!("py-{name}"));
    let mut cmd = Command::new("python3");
    cmd.arg(&script).args(args).env("PYTHONIOENCODING", "utf-8");
    run(&mut cmd, &cwd.0, env)
}

/// Runs the Rust port `examples/<name>.rs`.
fn rust(name: &str, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let cwd = Scratch::new(&format!("rs-{name}"));
    run(Command::new(example(name)).args(args), &cwd.0, env)
}

/// Equal stdout, stderr and exit status, byte for byte.
fn assert_identical(what: &str, py: &Run, rs: &Run) {
    assert_eq!(
        rs.code, py.code,
        "{what}: exit status\npython: {py:#?}\nrust: {rs:#?}"
    );
    assert_eq!(
        rs.stdout, py.stdout,
        "{what}: stdout\npython:\n{}\nrust:\n{}",
        py.stdout, rs.stdout
    );
    assert_eq!(rs.stderr, py.stderr, "{what}: stderr");
}

/// Same exit status and stdout, and the same last stderr line (Python's
/// `sys.exit` message or its traceback's exception line), with `prog` for the
/// program path that the usage messages show.
fn assert_same_failure(what: &str, py: &Run, rs: &Run, script: &Path, binary: &Path) {
    assert_eq!(
        rs.code, py.code,
        "{what}: exit status\npython: {py:#?}\nrust: {rs:#?}"
    );
    assert_eq!(rs.stdout, py.stdout, "{what}: stdout");
    assert!(!py.stderr.is_empty(), "{what}: python printed no error");
    let py_err = py.error_line().replace(script.to_str().unwrap(), "PROG");
    let rs_err = rs.error_line().replace(binary.to_str().unwrap(), "PROG");
    assert_eq!(rs_err, py_err, "{what}: error message");
}

/// Tries a comparison of moving figures a few times: it must hold once.
fn retry(what: &str, mut attempt: impl FnMut() -> Result<(), String>) {
    let mut last = String::new();
    for _ in 0..5 {
        match attempt() {
            Ok(()) => return,
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{what}: failed 5 times; last:\n{last}");
}

/// `check(cond, message)` for the retried comparisons.
fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(msg())
    }
}

/// A `bytes2human` figure (`23.5G`, `0.0B`) in bytes, and the size of its last
/// digit (the display's resolution).
fn parse_human(s: &str) -> Option<(f64, f64)> {
    let (num, unit) = s.split_at(s.len().checked_sub(1)?);
    let power = "BKMGTPEZY".find(unit)?;
    let scale = 1024f64.powi(power as i32);
    Some((num.parse::<f64>().ok()? * scale, 0.1 * scale))
}

/// `rs` lies between `a` and `b`, give or take `tol`.
fn between(rs: f64, a: f64, b: f64, tol: f64) -> bool {
    a.min(b) - tol <= rs && rs <= a.max(b) + tol
}

/// Python, Rust, Python: for outputs whose figures move, the Rust run is
/// bracketed by two Python runs.
fn sandwich(name: &str, args: &[&str]) -> (Run, Run, Run) {
    let py1 = python(name, args, &[]);
    let rs = rust(name, args, &[]);
    let py2 = python(name, args, &[]);
    for r in [&py1, &rs, &py2] {
        assert_eq!(r.code, Some(0), "{name}: {r:#?}");
        assert_eq!(r.stderr, "", "{name}: stderr");
    }
    (py1, rs, py2)
}

const MIB: f64 = 1024.0 * 1024.0;

/// Memory figures move between runs (other processes, the page cache); the
/// bracketing absorbs steady drift, this the noise (small enough to tell
/// `buffers` from `shared` apart on a quiet machine; a noisy moment is retried).
const MEM_TOLERANCE: f64 = 2.0 * MIB;

#[test]
fn free() {
    retry("free", || {
        let (py1, rs, py2) = sandwich("free", &[]);
        let (a, r, b) = (py1.lines(), rs.lines(), py2.lines());
        check(r.len() == 3 && a.len() == 3, || format!("3 lines: {r:?}"))?;
        check(r[0] == a[0], || format!("header: {:?} vs {:?}", r[0], a[0]))?;
        for i in 1..3 {
            // Fixed-width columns: equal lengths, trailing blanks included.
            check(r[i].len() == a[i].len(), || {
                format!("layout: {:?} vs {:?}", r[i], a[i])
            })?;
            let (fa, fr, fb): (Vec<&str>, Vec<&str>, Vec<&str>) = (
                a[i].split_whitespace().collect(),
                r[i].split_whitespace().collect(),
                b[i].split_whitespace().collect(),
            );
            check(
                fr.len() == fa.len() && fr[0] == fa[0] && fr[1] == fa[1],
                || format!("label and total: {:?} vs {:?}", r[i], a[i]),
            )?;
            for j in 2..fr.len() {
                let n = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN) * 1024.0;
                check(between(n(fr[j]), n(fa[j]), n(fb[j]), MEM_TOLERANCE), || {
                    format!(
                        "column {j}: {:?} not between {:?} and {:?}",
                        r[i], a[i], b[i]
                    )
                })?;
            }
        }
        Ok(())
    });
}

#[test]
fn meminfo() {
    retry("meminfo", || {
        let (py1, rs, py2) = sandwich("meminfo", &[]);
        let (a, r, b) = (py1.lines(), rs.lines(), py2.lines());
        check(r.len() == a.len(), || {
            format!("line count:\n{}\nvs\n{}", rs.stdout, py1.stdout)
        })?;
        for i in 0..r.len() {
            let (Some((ka, va)), Some((kr, vr)), Some((_, vb))) = (
                a[i].split_once(" : "),
                r[i].split_once(" : "),
                b[i].split_once(" : "),
            ) else {
                check(r[i] == a[i], || {
                    format!("line {i}: {:?} vs {:?}", r[i], a[i])
                })?;
                continue;
            };
            check(kr == ka && vr.len() == va.len(), || {
                format!("{:?} vs {:?}", r[i], a[i])
            })?;
            let ok = if ka.trim() == "Percent" {
                let p = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
                between(p(vr), p(va), p(vb), 1.0)
            } else if ka.trim() == "Total" {
                vr == va
            } else {
                match (
                    parse_human(vr.trim()),
                    parse_human(va.trim()),
                    parse_human(vb.trim()),
                ) {
                    (Some((r, res)), Some((a, _)), Some((b, _))) => {
                        between(r, a, b, MEM_TOLERANCE + res)
                    }
                    _ => false,
                }
            };
            check(ok, || {
                format!("{:?} not between {:?} and {:?}", r[i], a[i], b[i])
            })?;
        }
        Ok(())
    });
}

#[test]
fn disk_usage() {
    retry("disk_usage", || {
        let (py1, rs, py2) = sandwich("disk_usage", &[]);
        let (a, r, b) = (py1.lines(), rs.lines(), py2.lines());
        check(r.len() == a.len() && r.len() > 1, || {
            format!("rows:\n{}\nvs\n{}", rs.stdout, py1.stdout)
        })?;
        check(r[0] == a[0], || format!("header {:?} vs {:?}", r[0], a[0]))?;
        for i in 1..r.len() {
            check(r[i].len() == a[i].len(), || {
                format!("layout: {:?} vs {:?}", r[i], a[i])
            })?;
            let (fa, fr, fb): (Vec<&str>, Vec<&str>, Vec<&str>) = (
                a[i].split_whitespace().collect(),
                r[i].split_whitespace().collect(),
                b[i].split_whitespace().collect(),
            );
            // Device, total, type and mount point are stable.
            check(
                fr.len() == fa.len()
                    && fr.len() >= 7
                    && fr[0] == fa[0]
                    && fr[1] == fa[1]
                    && fr[5..] == fa[5..],
                || format!("{:?} vs {:?}", r[i], a[i]),
            )?;
            for j in 2..4 {
                let h = |s: &str| parse_human(s).unwrap_or((f64::NAN, 0.0));
                let (x, res) = h(fr[j]);
                check(between(x, h(fa[j]).0, h(fb[j]).0, 30.0 * MIB + res), || {
                    format!(
                        "column {j}: {:?} not between {:?} and {:?}",
                        r[i], a[i], b[i]
                    )
                })?;
            }
            let pct = |s: &str| s.trim_end_matches('%').parse::<f64>().unwrap_or(f64::NAN);
            check(between(pct(fr[4]), pct(fa[4]), pct(fb[4]), 1.0), || {
                format!("use%: {:?} vs {:?}", r[i], a[i])
            })?;
        }
        Ok(())
    });
}

#[test]
fn ifconfig() {
    retry("ifconfig", || {
        let (py1, rs, py2) = sandwich("ifconfig", &[]);
        let (a, r, b) = (py1.lines(), rs.lines(), py2.lines());
        check(r.len() == a.len(), || {
            format!("lines:\n{}\nvs\n{}", rs.stdout, py1.stdout)
        })?;
        for i in 0..r.len() {
            let counters = ["    incoming       : ", "    outgoing       : "];
            let Some(prefix) = counters.iter().find(|p| a[i].starts_with(*p)) else {
                // Names, state, MTU and addresses: equal.
                check(r[i] == a[i], || format!("{:?} vs {:?}", r[i], a[i]))?;
                continue;
            };
            // bytes=…, pkts=…, errs=…, drops=…: counters only grow, so Python's
            // two runs bracket Rust's, exactly.
            let fields = |s: &str| -> Vec<(String, f64)> {
                s.strip_prefix(*prefix)
                    .unwrap_or("")
                    .split(", ")
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                        let v = if k == "bytes" {
                            parse_human(v).map_or(f64::NAN, |h| h.0)
                        } else {
                            v.parse().unwrap_or(f64::NAN)
                        };
                        (k.to_string(), v)
                    })
                    .collect()
            };
            let (fa, fr, fb) = (fields(a[i]), fields(r[i]), fields(b[i]));
            let names = |f: &[(String, f64)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
            check(
                names(&fr) == ["bytes", "pkts", "errs", "drops"] && names(&fr) == names(&fa),
                || format!("{:?} vs {:?}", r[i], a[i]),
            )?;
            for j in 0..4 {
                check(between(fr[j].1, fa[j].1, fb[j].1, 0.0), || {
                    format!("{:?} not between {:?} and {:?}", r[i], a[i], b[i])
                })?;
            }
        }
        Ok(())
    });
}

#[test]
fn who() {
    // Logged-in users do not change while the test runs.
    assert_identical("who", &python("who", &[], &[]), &rust("who", &[], &[]));
}

/// The temperature readings, fan speeds and battery figures move between runs;
/// their labels, thresholds and layout do not.
fn blank_sensor_figures(line: &str) -> String {
    let t = line.trim_start();
    let indent = &line[..line.len() - t.len()];
    if let Some(rest) = t.strip_prefix("charge:") {
        return format!("{indent}charge:{}", blank_number(rest));
    }
    if let Some(rest) = t.strip_prefix("left:") {
        return format!("{indent}left:{}", blank_number(rest));
    }
    // "{label:<20} {current}°C (high=…" / "… {current} °C (high = …" / "… {n} RPM":
    // the first figure after the 20-column label.
    if t.contains("°C") || t.ends_with(" RPM") {
        if let Some((label, rest)) = t.split_at_checked(20.min(t.len())) {
            return format!("{indent}{label}{}", blank_number(rest));
        }
    }
    line.to_string()
}

/// The first run of digits, `.`, `:` and `-` replaced by `#`.
fn blank_number(s: &str) -> String {
    let is_fig = |c: char| c.is_ascii_digit() || matches!(c, '.' | ':' | '-');
    match s.find(is_fig) {
        Some(start) => {
            let end = s[start..]
                .find(|c| !is_fig(c))
                .map_or(s.len(), |e| start + e);
            format!("{}#{}", &s[..start], &s[end..])
        }
        None => s.to_string(),
    }
}

fn compare_sensors(name: &str, sort_chips: bool) {
    let py = python(name, &[], &[]);
    let rs = rust(name, &[], &[]);
    assert_eq!(rs.code, py.code, "{name}: exit status\n{py:#?}\n{rs:#?}");
    assert_eq!(rs.stderr, py.stderr, "{name}: stderr");
    let norm = |run: &Run| -> Vec<String> {
        let lines: Vec<String> = run.lines().into_iter().map(blank_sensor_figures).collect();
        if !sort_chips {
            return lines;
        }
        // sensors.py lists its chips in the order of a Python set: compare the
        // chip blocks (and the battery block last) in sorted order.
        let mut blocks: Vec<Vec<String>> = Vec::new();
        let mut battery = Vec::new();
        for l in lines {
            if l == "Battery:" || !battery.is_empty() {
                battery.push(l);
            } else if !l.starts_with(' ') || blocks.is_empty() {
                blocks.push(vec![l]);
            } else if let Some(b) = blocks.last_mut() {
                b.push(l);
            }
        }
        blocks.sort();
        blocks.into_iter().flatten().chain(battery).collect()
    };
    assert_eq!(
        norm(&rs),
        norm(&py),
        "{name}: stdout\n{}\nvs\n{}",
        rs.stdout,
        py.stdout
    );
}

#[test]
fn sensors() {
    compare_sensors("sensors", true);
}

#[test]
fn temperatures() {
    compare_sensors("temperatures", false);
}

#[test]
fn fans() {
    compare_sensors("fans", false);
}

#[test]
fn battery() {
    compare_sensors("battery", false);
}

#[test]
fn pmap() {
    let scratch = Scratch::new("pmap");
    // A long path, so that the mapping lines overflow 80 columns.
    let sleep = scratch.tool(
        "sleep",
        &format!("pmap-target-with-a-rather-long-name-{}", std::process::id()),
    );
    let mut children = Children::default();
    let pid = children.spawn(Command::new(&sleep).arg("1000"));
    let pid = pid.to_string();

    // Stdout is a pipe: 80 columns, or $COLUMNS.
    for columns in [None, Some("200"), Some("30"), Some("0"), Some("junk")] {
        let env = [("COLUMNS", columns)];
        retry(&format!("pmap COLUMNS={columns:?}"), || {
            // The maps settle once sleep runs; then two Python runs agree, and so
            // must Rust's, RSS included.
            let py1 = python("pmap", &[&pid], &env);
            let rs = rust("pmap", &[&pid], &env);
            let py2 = python("pmap", &[&pid], &env);
            check(py1 == py2, || {
                "the maps moved between the python runs".into()
            })?;
            check(rs == py1, || {
                format!(
                    "python:\n{}{}\nrust:\n{}{}",
                    py1.stdout, py1.stderr, rs.stdout, rs.stderr
                )
            })
        });
    }
    let out = python("pmap", &[&pid], &[]);
    assert!(out
        .stdout
        .contains(&format!("PID = {pid}, name = pmap-target-with")));
    assert!(out.stdout.lines().any(|l| l.len() == 80), "no line was cut");

    // Bad arguments and errors: psutil's messages, status 1.
    let script = common::psutil_scripts().join("pmap.py");
    let binary = example("pmap");
    for args in [
        &[][..],
        &["1", "2"],
        &["abc"],
        &["' x'"],
        &["1_"],
        &["-3"],
        &["0"],
        &["2147483647"],
        &["2147483648"],
        &["99999999999999999999999"],
    ] {
        let (py, rs) = (python("pmap", args, &[]), rust("pmap", args, &[]));
        assert_eq!(py.code, Some(1), "pmap {args:?}: {py:#?}");
        assert_same_failure(&format!("pmap {args:?}"), &py, &rs, &script, &binary);
    }
}

/// Waits until `pid` has exited and returns how (`Some(signal)`).
fn reap(children: &mut Children, pid: u32) -> Option<i32> {
    let child = children.0.iter_mut().find(|c| c.id() == pid)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.signal();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

#[test]
fn killall() {
    let scratch = Scratch::new("killall");
    let id = std::process::id();
    let name = format!("ka{id}");
    let target = scratch.tool("sleep", &name);
    let decoy = scratch.tool("sleep", &format!("kb{id}"));
    let script = common::psutil_scripts().join("killall.py");
    let binary = example("killall");
    let mut children = Children::default();
    let decoy_pid = children.spawn(Command::new(&decoy).arg("1000"));

    let mut outcomes = Vec::new();
    for side in ["python", "rust"] {
        let pids: Vec<u32> = (0..3)
            .map(|_| children.spawn(Command::new(&target).arg("1000")))
            .collect();
        let out = match side {
            "python" => python("killall", &[&name], &[]),
            _ => rust("killall", &[&name], &[]),
        };
        // Each of them killed (SIGKILL), nothing else.
        let signals: Vec<Option<i32>> = pids.iter().map(|&p| reap(&mut children, p)).collect();
        assert_eq!(signals, [Some(9); 3], "{side} killall: {out:#?}");
        assert!(
            pskit::pid_exists(decoy_pid).unwrap(),
            "{side} killed the decoy"
        );
        outcomes.push(out);
    }
    assert_identical("killall NAME", &outcomes[0], &outcomes[1]);
    assert_eq!(
        outcomes[0],
        Run {
            stdout: "".into(),
            stderr: "".into(),
            code: Some(0)
        }
    );

    // Nothing of that name left: "NAME: no process found", status 1.
    let (py, rs) = (
        python("killall", &[&name], &[]),
        rust("killall", &[&name], &[]),
    );
    assert_eq!(py.stderr, format!("{name}: no process found\n"));
    assert_identical("killall (none left)", &py, &rs);

    for args in [&[][..], &["a", "b"]] {
        let (py, rs) = (python("killall", args, &[]), rust("killall", args, &[]));
        assert_same_failure(&format!("killall {args:?}"), &py, &rs, &script, &binary);
    }
}

#[test]
fn pidof() {
    let scratch = Scratch::new("pidof");
    let id = std::process::id();
    let name = format!("po{id}");
    let target = scratch.tool("sleep", &name);
    let other = scratch.tool("sleep", &format!("pq{id}"));
    let mut children = Children::default();
    let mut want = BTreeSet::new();
    // Two by name, one by cmdline[0] only (its name is `pq…`), and a decoy.
    want.insert(children.spawn(Command::new(&target).arg("1000")));
    want.insert(children.spawn(Command::new(&target).arg("1000")));
    want.insert(children.spawn(Command::new(&other).arg0(&name).arg("1000")));
    children.spawn(Command::new(&other).arg("1000"));
    let want: Vec<String> = want.iter().map(u32::to_string).collect();

    let (py, rs) = (python("pidof", &[&name], &[]), rust("pidof", &[&name], &[]));
    assert_eq!(
        py.stdout,
        format!("{}\n", want.join(" ")),
        "psutil's own answer"
    );
    assert_identical("pidof NAME", &py, &rs);

    // No match: nothing printed, status 0.
    let none = format!("pz{id}");
    let (py, rs) = (python("pidof", &[&none], &[]), rust("pidof", &[&none], &[]));
    assert_eq!(
        py,
        Run {
            stdout: "".into(),
            stderr: "".into(),
            code: Some(0)
        }
    );
    assert_identical("pidof (no match)", &py, &rs);

    let script = common::psutil_scripts().join("pidof.py");
    let binary = example("pidof");
    for args in [&[][..], &["a", "b"]] {
        let (py, rs) = (python("pidof", args, &[]), rust("pidof", args, &[]));
        assert_same_failure(&format!("pidof {args:?}"), &py, &rs, &script, &binary);
    }
}

/// The lines of the subtree rooted at `pid` in a pstree.py output, without the
/// indentation of the root's ancestors, which depends on the rest of the tree.
fn subtree(out: &str, pid: u32) -> Vec<String> {
    let lines: Vec<&str> = out.lines().collect();
    let head = format!("{pid} ");
    let strip = |l: &str| l.len() - l.trim_start_matches(['|', ' ', '`', '_', '-']).len();
    let Some(at) = lines.iter().position(|l| l[strip(l)..].starts_with(&head)) else {
        return Vec::new();
    };
    // The root's line is its indentation, a 3-character marker ("|- " or "`_ ")
    // and "pid name"; its descendants' lines start with that indentation and
    // "| " or "  ", all bars and blanks, where the lines of the rest of the tree
    // have a marker.
    let keep = strip(lines[at]).saturating_sub(1);
    let mut sub = vec![lines[at][keep + 1..].to_string()];
    for l in &lines[at + 1..] {
        let inside = l.len() > keep
            && l.is_char_boundary(keep)
            && l[..keep].chars().all(|c| c == '|' || c == ' ');
        if !inside {
            break;
        }
        sub.push(l[keep..].to_string());
    }
    sub
}

#[test]
fn pstree() {
    let scratch = Scratch::new("pstree");
    let id = std::process::id();
    let root = scratch.tool("dash", &format!("pt{id}r"));
    let mid = scratch.tool("dash", &format!("pt{id}m"));
    let leaf = scratch.tool("sleep", &format!("pt{id}s"));
    let leaf = leaf.to_str().unwrap();
    // root ─┬─ leaf
    //       └─ mid ─┬─ leaf
    //               └─ leaf
    let mut children = Children::default();
    let root_pid = children.spawn(Command::new(&root).arg("-c").arg(format!(
        "{leaf} 1000 & {} -c '{leaf} 1000 & {leaf} 1000 & wait' & wait",
        mid.display()
    )));
    // Wait for the four descendants to be exec'd.
    let deadline = Instant::now() + Duration::from_secs(10);
    let procs = loop {
        let names: Vec<(u32, String)> = pskit::Process::new(root_pid)
            .and_then(|p| p.children(true))
            .unwrap_or_default()
            .iter()
            .map(|p| (p.pid(), p.name().unwrap_or_default()))
            .collect();
        let leaves = names
            .iter()
            .filter(|(_, n)| n == &format!("pt{id}s"))
            .count();
        if names.len() == 4 && leaves == 3 {
            break names;
        }
        assert!(
            Instant::now() < deadline,
            "the process tree did not start: {names:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let guard = KillOnDrop(procs.iter().map(|p| p.0).collect());

    let py = python("pstree", &[], &[]);
    let rs = rust("pstree", &[], &[]);
    for r in [&py, &rs] {
        assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:#?}");
    }
    // The top of the tree: PID 0 and its first child, PID 1.
    assert_eq!(rs.lines()[..2], py.lines()[..2]);
    let (sub_py, sub_rs) = (subtree(&py.stdout, root_pid), subtree(&rs.stdout, root_pid));
    assert_eq!(sub_py.len(), 5, "psutil's subtree:\n{}", sub_py.join("\n"));
    assert_eq!(
        sub_rs,
        sub_py,
        "rust:\n{}\npython:\n{}",
        sub_rs.join("\n"),
        sub_py.join("\n")
    );
    drop(guard);
}

/// Kills the grandchildren of the pstree test.
struct KillOnDrop(Vec<u32>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for &pid in &self.0 {
            if let Ok(p) = pskit::Process::new(pid) {
                let _ = p.kill();
            }
        }
    }
}

/// Runs `program args…` in a private mount namespace where `setup` (shell
/// commands) has put fixture files in place of the machine's (`unshare -m`:
/// root only; nothing leaks out of the namespace).
fn in_namespace(setup: &str, program: &Path, args: &[&str]) -> Run {
    let cwd = Scratch::new("ns");
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(format!("set -e; {setup}; exec \"$@\""))
        .arg("sh")
        .arg(program)
        .args(args)
        .env("PYTHONIOENCODING", "utf-8");
    run(&mut cmd, &cwd.0, &[])
}

/// Root can fake hardware with mount namespaces; elsewhere the fixture tests
/// cannot run (they say so).
fn can_fake_hardware() -> bool {
    if !rustix::process::geteuid().is_root() {
        eprintln!("not root: the fixture-hardware comparisons are skipped");
        return false;
    }
    true
}

/// Both sides on the same fake `/sys/class` (tests/fixtures/<fixture>): the
/// battery, temperatures and fans this VM lacks.
fn compare_on_fixture(fixture: &str, script: &str) -> (Run, Run) {
    let dir = common::fixture(fixture).join("sys/class");
    let mut setup = String::from(
        "mount -t tmpfs none /sys/class; mkdir /sys/class/hwmon /sys/class/thermal /sys/class/power_supply",
    );
    for sub in ["hwmon", "thermal", "power_supply"] {
        if dir.join(sub).is_dir() {
            setup += &format!(
                "; mount --bind '{}' /sys/class/{sub}",
                dir.join(sub).display()
            );
        }
    }
    let py_script = common::psutil_scripts().join(format!("{script}.py"));
    let py = in_namespace(&setup, Path::new("python3"), &[py_script.to_str().unwrap()]);
    let rs = in_namespace(&setup, &example(script), &[]);
    (py, rs)
}

#[test]
fn sensors_on_fixture_hardware() {
    if !can_fake_hardware() {
        return;
    }
    for fixture in ["battery_discharging", "battery_charge", "battery_energy"] {
        for script in ["battery", "sensors"] {
            let (py, rs) = compare_on_fixture(fixture, script);
            assert!(py.stdout.contains("charge:"), "{fixture}: {py:#?}");
            assert_identical(&format!("{script} on {fixture}"), &py, &rs);
        }
    }
    // Known difference: when the charge comes from the `capacity` file, psutil
    // 7.2.2's percent is an int ("42%"); pskit's `Battery::percent` is always an
    // f64 ("42.0%", psutil 8's rule). Everything else is equal.
    for fixture in ["battery_full", "battery_time_to_empty"] {
        for script in ["battery", "sensors"] {
            let (py, rs) = compare_on_fixture(fixture, script);
            let py_as_float: String = py
                .stdout
                .lines()
                .map(|l| match l.strip_suffix('%') {
                    Some(n) if l.trim_start().starts_with("charge:") && !n.contains('.') => {
                        format!("{n}.0%\n")
                    }
                    _ => format!("{l}\n"),
                })
                .collect();
            assert_ne!(py_as_float, py.stdout, "{fixture}: psutil gave a float");
            let py = Run {
                stdout: py_as_float,
                ..py
            };
            assert_identical(&format!("{script} on {fixture}"), &py, &rs);
        }
    }
    // Chips: pskit lists them sorted by name, psutil in directory order
    // (sensors.py in set order): compare the chip blocks in sorted order.
    for fixture in [
        "sensors_hwmon",
        "sensors_device_fans",
        "sensors_coretemp_only",
    ] {
        for script in ["sensors", "temperatures", "fans"] {
            let (py, rs) = compare_on_fixture(fixture, script);
            assert_eq!(
                (rs.code, &rs.stderr),
                (py.code, &py.stderr),
                "{script} on {fixture}"
            );
            assert_eq!(
                chip_blocks(&rs.stdout),
                chip_blocks(&py.stdout),
                "{script} on {fixture}:\n{}\nvs\n{}",
                rs.stdout,
                py.stdout
            );
        }
    }
    // A fan that reads "fast": both fail (status 1, an error on stderr).
    for script in ["sensors", "fans"] {
        let (py, rs) = compare_on_fixture("sensors_bad_fan", script);
        assert_eq!(
            (rs.code, py.code),
            (Some(1), Some(1)),
            "{script}: {py:#?} {rs:#?}"
        );
        assert_eq!(rs.stdout, py.stdout);
        assert!(!rs.stderr.is_empty());
    }
}

/// The output split into chip blocks (a line at column 0 and the lines below
/// it), sorted; the battery block stays last.
fn chip_blocks(out: &str) -> Vec<Vec<String>> {
    let mut blocks: Vec<Vec<String>> = Vec::new();
    for l in out.lines() {
        match blocks.last_mut() {
            Some(b) if l.starts_with(' ') || l.is_empty() => b.push(l.to_string()),
            _ => blocks.push(vec![l.to_string()]),
        }
    }
    let battery = blocks.iter().position(|b| b[0] == "Battery:");
    let last = battery.map(|i| blocks.remove(i));
    blocks.sort();
    blocks.extend(last);
    blocks
}

/// A glibc `struct utmp` record (x86_64 and aarch64 layout, 384 bytes).
fn utmp_record(kind: i16, pid: u32, line: &str, user: &str, host: &str, sec: i32) -> Vec<u8> {
    let field = |s: &str, n: usize| {
        let mut v = s.as_bytes().to_vec();
        v.resize(n, 0);
        v
    };
    let mut r = Vec::with_capacity(384);
    r.extend(kind.to_le_bytes());
    r.extend([0, 0]);
    r.extend(pid.to_le_bytes());
    r.extend(field(line, 32));
    r.extend(field("", 4));
    r.extend(field(user, 32));
    r.extend(field(host, 256));
    r.extend([0; 4]); // exit status
    r.extend([0; 4]); // session
    r.extend(sec.to_le_bytes());
    r.extend([0; 4]); // usec
    r.extend([0; 16]); // addr_v6
    r.extend([0; 20]);
    assert_eq!(r.len(), 384);
    r
}

#[test]
fn who_on_fixture_utmp() {
    if !can_fake_hardware() {
        return;
    }
    let scratch = Scratch::new("who");
    let id = std::process::id();
    let mut children = Children::default();
    let login = scratch.tool("sleep", &format!("wl{id}"));
    let pid = children.spawn(Command::new(&login).arg("1000"));
    let mut utmp = Vec::new();
    utmp.extend(utmp_record(2, 0, "~", "reboot", "6.1", 1_700_000_000)); // BOOT_TIME: skipped
    utmp.extend(utmp_record(
        7,
        pid,
        "pts/0",
        "alice",
        "10.1.2.3",
        1_700_000_100,
    ));
    utmp.extend(utmp_record(7, 0, "tty1", "bob", "", 1_700_000_200)); // no pid, local
    utmp.extend(utmp_record(7, pid, "", "carol", ":0", 1_700_086_400)); // no tty, X
    utmp.extend(utmp_record(8, 1500, "pts/2", "", "", 0)); // DEAD_PROCESS: skipped
    let file = scratch.0.join("utmp");
    std::fs::write(&file, &utmp).unwrap();
    let setup = format!(
        "mount -t tmpfs none /run; cp '{}' /run/utmp",
        file.display()
    );
    let script = common::psutil_scripts().join("who.py");
    for tz in ["UTC", "Asia/Kolkata"] {
        let setup = format!("export TZ={tz}; {setup}");
        let py = in_namespace(&setup, Path::new("python3"), &[script.to_str().unwrap()]);
        let rs = in_namespace(&setup, &example("who"), &[]);
        assert_eq!(py.lines().len(), 3, "{py:#?}");
        assert!(py.stdout.contains(&format!("wl{id}")), "{py:#?}");
        assert_identical(&format!("who TZ={tz}"), &py, &rs);
    }
    // A session whose login process is gone: psutil.NoSuchProcess, status 1.
    utmp.extend(utmp_record(
        7,
        2_147_483_647,
        "pts/3",
        "dave",
        "h",
        1_700_000_000,
    ));
    std::fs::write(&file, &utmp).unwrap();
    let py = in_namespace(&setup, Path::new("python3"), &[script.to_str().unwrap()]);
    let rs = in_namespace(&setup, &example("who"), &[]);
    assert_eq!(py.code, Some(1));
    assert_same_failure("who (gone pid)", &py, &rs, &script, &example("who"));
}
