//! The namedprocess collector beside Debian's process-exporter 0.7.10, on
//! process groups this test starts, and its state across scrapes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PE: &str = "/usr/bin/prometheus-process-exporter";

/// A scratch directory removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("pskit-procs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }

    /// A symlink to `target` named `name`: a program run through it has
    /// that comm.
    fn link(&self, target: &str, name: &str) -> PathBuf {
        let p = self.0.join(name);
        std::os::unix::fs::symlink(target, &p).unwrap();
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Children killed when dropped.
#[derive(Default)]
struct Kids(Vec<Child>);

impl Kids {
    /// `prog args…`, its stdin a pipe this test holds (so `read` blocks).
    fn spawn(&mut self, prog: &Path, args: &[&str]) -> &mut Child {
        let c = Command::new(prog)
            .args(args)
            .env("PSKIT_THREAD_HELPER", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.0.push(c);
        self.0.last_mut().unwrap()
    }

    /// Like spawn, and waits for the first line of its output.
    fn spawn_ready(&mut self, prog: &Path, args: &[&str]) {
        let c = self.spawn(prog, args);
        let mut out = BufReader::new(c.stdout.as_mut().unwrap());
        loop {
            let mut line = String::new();
            assert!(out.read_line(&mut line).unwrap() > 0, "no ready line");
            if line.trim_end().ends_with("ready") {
                break;
            }
        }
    }

    fn kill(&mut self, i: usize) {
        let c = &mut self.0[i];
        let _ = c.kill();
        let _ = c.wait();
    }
}

impl Drop for Kids {
    fn drop(&mut self) {
        // A line (or end of input) lets each shell end its own children
        // first; what is still running a moment later is killed.
        for c in &mut self.0 {
            let _ = c.stdin.take().map(|mut s| s.write_all(b"\n"));
        }
        std::thread::sleep(Duration::from_millis(200));
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A name no other test or process uses (comm keeps 15 bytes).
fn tag(prefix: &str) -> String {
    format!("{prefix}{}", std::process::id() % 100_000)
}

fn pe(flags: &[&str]) -> common::Server {
    let mut args = vec!["-web.listen-address", "127.0.0.1:{port}"];
    args.extend_from_slice(flags);
    common::start(PE, &args)
}

type Key = (String, BTreeMap<String, String>);

/// The samples of these groups.
fn of_groups(s: &common::Scrape, groups: &BTreeSet<String>) -> BTreeMap<Key, f64> {
    s.series
        .iter()
        .filter(|x| {
            x.labels
                .get("groupname")
                .is_some_and(|g| groups.contains(g))
        })
        .map(|x| ((x.name.clone(), x.labels.clone()), x.value))
        .collect()
}

/// How far apart the two exporters' values may be, scraped a moment apart.
fn tolerance(name: &str, labels: &BTreeMap<String, String>, theirs: f64) -> f64 {
    match (name, labels.get("memtype").map(String::as_str)) {
        // PSS moves as other processes map or unmap the same pages.
        (_, Some("proportionalResident" | "proportionalSwapped")) => theirs * 0.1 + 65536.0,
        // A few pages of resident memory or page faults.
        (_, Some(_)) => 16.0 * 4096.0,
        ("namedprocess_namegroup_cpu_seconds_total", _) => 0.05,
        ("namedprocess_namegroup_minor_page_faults_total", _) => 8.0,
        _ => 0.0,
    }
}

/// Same families (type, help), same series, values within tolerance.
fn assert_same(ours: &common::Scrape, theirs: &common::Scrape, groups: &BTreeSet<String>) {
    let a = of_groups(ours, groups);
    let b = of_groups(theirs, groups);
    // Each group has two dozen series or more (states, memory types, …).
    assert!(
        b.len() >= 24 * groups.len(),
        "process-exporter lacks some of {groups:?}: {b:?}"
    );
    let ka: BTreeSet<&Key> = a.keys().collect();
    let kb: BTreeSet<&Key> = b.keys().collect();
    assert_eq!(
        ka.symmetric_difference(&kb).collect::<Vec<_>>(),
        Vec::<&&Key>::new(),
        "series only one side has"
    );
    for ((name, labels), theirs_v) in &b {
        assert_eq!(ours.types.get(name), theirs.types.get(name), "{name}");
        assert_eq!(ours.help.get(name), theirs.help.get(name), "{name}");
        let ours_v = a[&(name.clone(), labels.clone())];
        let tol = tolerance(name, labels, *theirs_v);
        assert!(
            (ours_v - theirs_v).abs() <= tol,
            "{name}{labels:?}: pskit {ours_v} vs process-exporter {theirs_v}"
        );
    }
    for name in [
        "namedprocess_scrape_errors",
        "namedprocess_scrape_procread_errors",
        "namedprocess_scrape_partial_errors",
    ] {
        assert_eq!(ours.types.get(name), theirs.types.get(name), "{name}");
        assert_eq!(ours.help.get(name), theirs.help.get(name), "{name}");
    }
}

/// Both exporters started before the groups (so both count the groups'
/// processes in full), then both scraped.
#[test]
fn groups_by_comm_match_process_exporter() {
    let dir = Scratch::new("comm");
    let (a, b, io) = (tag("pska"), tag("pskb"), tag("pskio"));
    let cfg = dir.path("by-comm.yml");
    std::fs::write(
        &cfg,
        "process_names:\n  - name: \"{{.Comm}}\"\n    cmdline: ['.+']\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let pe = pe(&["-config.path", cfg]);
    // pskit's default grouping is that config; its own file gives this
    // test a tracker of its own.
    let flag = format!("--collector.namedprocess.config={cfg}");
    let ours_cfg = pskit_serve::Config::parse([
        "pskit serve",
        "--collector.disable-defaults",
        "--collector.namedprocess",
        &flag,
    ])
    .unwrap();
    // process-exporter compares start times (boot time in whole seconds
    // plus ticks) with its own start: begin a little later.
    std::thread::sleep(Duration::from_millis(1500));
    let mut kids = Kids::default();
    let sleep_a = dir.link("/bin/sleep", &a);
    let sleep_b = dir.link("/bin/sleep", &b);
    for _ in 0..3 {
        kids.spawn(&sleep_a, &["1000"]);
    }
    for _ in 0..2 {
        kids.spawn(&sleep_b, &["1000"]);
    }
    // Known I/O and fds: 1 MiB written by the shell itself, two more fds.
    let bash = dir.link("/bin/bash", &io);
    let out = dir.path("written");
    let script = format!(
        "exec 3</etc/hostname 4</etc/hostname; printf '%*s' 1048576 '' > {}; echo ready; read x",
        out.display()
    );
    kids.spawn_ready(&bash, &["-c", &script]);
    let io_pid = kids.0.last().unwrap().id();
    // A multi-threaded process: this test binary as thread_helper.
    let th = tag("pskw");
    let me = dir.link(std::env::current_exe().unwrap().to_str().unwrap(), &th);
    kids.spawn_ready(
        &me,
        &[
            "--exact",
            "thread_helper",
            "--nocapture",
            "--test-threads=1",
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    let theirs = common::parse(&common::get(&pe.url("/metrics")));
    let ours = common::parse(&pskit_serve::expo::encode_text(&pskit_serve::scrape(
        &ours_cfg,
    )));
    let groups: BTreeSet<String> = [a.clone(), b.clone(), io.clone(), th.clone()].into();
    assert_same(&ours, &theirs, &groups);
    let n = |g: &str| ours.value("namedprocess_namegroup_num_procs", &[("groupname", g)]);
    assert_eq!((n(&a), n(&b), n(&io)), (Some(3.0), Some(2.0), Some(1.0)));
    // The shell's fds: 0, 1, 2, the two it opened, and whatever the test
    // harness let it inherit.
    let listed = std::fs::read_dir(format!("/proc/{io_pid}/fd"))
        .unwrap()
        .count() as f64;
    let fds = ours.value(
        "namedprocess_namegroup_open_filedesc",
        &[("groupname", &io)],
    );
    assert_eq!(fds, Some(listed));
    assert!(listed >= 5.0, "{listed}");
    // main, libtest's thread_helper thread, three sleepers.
    let tc = |t: &str| {
        ours.value(
            "namedprocess_namegroup_thread_count",
            &[("groupname", &th), ("threadname", t)],
        )
    };
    assert_eq!(
        (tc(&th), tc("thread_helper"), tc("pskw-sleeper")),
        (Some(1.0), Some(1.0), Some(3.0))
    );
    let w = ours
        .value(
            "namedprocess_namegroup_write_bytes_total",
            &[("groupname", &io)],
        )
        .unwrap();
    assert!(w >= 1048576.0, "{w}");
}

/// A config with a cmdline matcher, a capture in the name template, a comm
/// matcher with `.Username`, and children: the same groups and values as
/// process-exporter on the same file.
#[test]
fn config_file_matches_process_exporter() {
    let dir = Scratch::new("cfg");
    let (t, c, p) = (tag("pskt"), tag("pskc"), tag("pskp"));
    let cfg = dir.path("cfg.yml");
    std::fs::write(
        &cfg,
        format!(
            r#"process_names:
  - name: "{{{{.ExeBase}}}}:{{{{.Matches.tag}}}}"
    cmdline: ['pskit-tag=(?P<tag>\w+)']
  - comm: [{c}]
    name: "{{{{.Comm}}}}-{{{{.Username}}}}"
  - comm: [{p}]
"#
        ),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let pe = pe(&["-config.path", cfg]);
    let flag = format!("--collector.namedprocess.config={cfg}");
    let ours_cfg = pskit_serve::Config::parse([
        "pskit serve",
        "--collector.disable-defaults",
        "--collector.namedprocess",
        &flag,
    ])
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let mut kids = Kids::default();
    let bash_t = dir.link("/bin/bash", &t);
    for v in ["alpha", "beta", "alpha"] {
        kids.spawn_ready(
            &bash_t,
            &["-c", "echo ready; read x", &format!("pskit-tag={v}")],
        );
    }
    let sleep_c = dir.link("/bin/sleep", &c);
    kids.spawn(&sleep_c, &["1000"]);
    // A tracked parent with an untracked child (a plain sleep): the child
    // joins the parent's group.
    let bash_p = dir.link("/bin/bash", &p);
    kids.spawn_ready(&bash_p, &["-c", SHELL_WITH_SLEEP]);
    std::thread::sleep(Duration::from_millis(300));
    let theirs = common::parse(&common::get(&pe.url("/metrics")));
    let ours = common::parse(&pskit_serve::expo::encode_text(&pskit_serve::scrape(
        &ours_cfg,
    )));
    let me = pskit::Process::current().unwrap().username().unwrap();
    let groups: BTreeSet<String> = [
        format!("{t}:alpha"),
        format!("{t}:beta"),
        format!("{c}-{me}"),
        p.clone(),
    ]
    .into();
    assert_same(&ours, &theirs, &groups);
    let n = |g: &str| ours.value("namedprocess_namegroup_num_procs", &[("groupname", g)]);
    assert_eq!(n(&format!("{t}:alpha")), Some(2.0));
    assert_eq!(n(&format!("{t}:beta")), Some(1.0));
    assert_eq!(n(&format!("{c}-{me}")), Some(1.0));
    assert_eq!(n(&p), Some(2.0), "the shell and its sleep");
}

fn scrape_in(cfg: &pskit_serve::Config) -> common::Scrape {
    common::parse(&pskit_serve::expo::encode_text(&pskit_serve::scrape(cfg)))
}

fn namedprocess_cfg(dir: &Scratch, name: &str, yaml: &str, extra: &[&str]) -> pskit_serve::Config {
    let cfg = dir.path(name);
    std::fs::write(&cfg, yaml).unwrap();
    let flag = format!("--collector.namedprocess.config={}", cfg.display());
    let mut args = vec![
        "pskit serve",
        "--collector.disable-defaults",
        "--collector.namedprocess",
        &flag,
    ];
    args.extend_from_slice(extra);
    pskit_serve::Config::parse(args).unwrap()
}

/// Counters of a group never go down as its members exit; the group stays
/// with its counters once all are gone.
#[test]
fn group_counters_stay_monotonic_when_members_exit() {
    let dir = Scratch::new("mono");
    let m = tag("pskm");
    let cfg = namedprocess_cfg(
        &dir,
        "mono.yml",
        &format!("process_names:\n  - comm: [{m}]\n    name: \"{{{{.Comm}}}}\"\n"),
        &[],
    );
    std::thread::sleep(Duration::from_millis(1100));
    let mut kids = Kids::default();
    let bash = dir.link("/bin/bash", &m);
    // Each burns some CPU, then waits.
    for _ in 0..2 {
        kids.spawn_ready(
            &bash,
            &[
                "-c",
                "for ((i=0;i<150000;i++)); do :; done; echo ready; read x",
            ],
        );
    }
    let counters = [
        (
            "namedprocess_namegroup_cpu_seconds_total",
            vec![("mode", "user")],
        ),
        (
            "namedprocess_namegroup_cpu_seconds_total",
            vec![("mode", "system")],
        ),
        ("namedprocess_namegroup_minor_page_faults_total", vec![]),
        ("namedprocess_namegroup_major_page_faults_total", vec![]),
        ("namedprocess_namegroup_read_bytes_total", vec![]),
        ("namedprocess_namegroup_write_bytes_total", vec![]),
        (
            "namedprocess_namegroup_context_switches_total",
            vec![("ctxswitchtype", "voluntary")],
        ),
        (
            "namedprocess_namegroup_context_switches_total",
            vec![("ctxswitchtype", "nonvoluntary")],
        ),
    ];
    let values = |s: &common::Scrape| -> Vec<f64> {
        counters
            .iter()
            .map(|(n, l)| {
                let mut l = l.clone();
                l.push(("groupname", &m));
                s.value(n, &l).unwrap_or_else(|| panic!("{n} {l:?}"))
            })
            .collect()
    };
    let procs =
        |s: &common::Scrape| s.value("namedprocess_namegroup_num_procs", &[("groupname", &m)]);
    let s1 = scrape_in(&cfg);
    assert_eq!(procs(&s1), Some(2.0));
    let v1 = values(&s1);
    assert!(
        v1[0] + v1[1] > 0.05,
        "the loops' CPU counts in full: {v1:?}"
    );
    assert!(v1[2] > 0.0, "{v1:?}");
    kids.kill(0);
    let s2 = scrape_in(&cfg);
    assert_eq!(procs(&s2), Some(1.0));
    let v2 = values(&s2);
    kids.kill(1);
    let s3 = scrape_in(&cfg);
    assert_eq!(procs(&s3), Some(0.0), "the group stays");
    let v3 = values(&s3);
    for (i, (n, l)) in counters.iter().enumerate() {
        assert!(
            v2[i] >= v1[i] && v3[i] >= v2[i],
            "{n}{l:?}: {} {} {}",
            v1[i],
            v2[i],
            v3[i]
        );
    }
    assert_eq!(v3, v2, "nothing left to add");
    assert_eq!(
        s3.value(
            "namedprocess_namegroup_oldest_start_time_seconds",
            &[("groupname", &m)]
        ),
        Some(-62135596800.0),
        "Go's zero time, as process-exporter writes it"
    );
    assert_eq!(
        s3.value(
            "namedprocess_namegroup_memory_bytes",
            &[("groupname", &m), ("memtype", "resident")]
        ),
        Some(0.0)
    );
}

/// A shell with a `sleep` child. "ready" only once the child has exec'd sleep:
/// caught between fork and exec it still has the shell's comm, so it matches
/// the shell's group by name rather than as a child.
const SHELL_WITH_SLEEP: &str = "sleep 1000 & until read -r c < /proc/$!/comm && \
     [ \"$c\" = sleep ]; do :; done; echo ready; read x; kill $!";

/// `children=false`: a tracked parent's untracked child is not counted.
#[test]
fn children_option() {
    let dir = Scratch::new("kids");
    let p = tag("pskq");
    let yaml = format!("process_names:\n  - comm: [{p}]\n");
    let with = namedprocess_cfg(&dir, "with.yml", &yaml, &[]);
    let without = namedprocess_cfg(
        &dir,
        "without.yml",
        &yaml,
        &["--collector.namedprocess.children=false"],
    );
    let mut kids = Kids::default();
    let bash = dir.link("/bin/bash", &p);
    kids.spawn_ready(&bash, &["-c", SHELL_WITH_SLEEP]);
    let n = |s: &common::Scrape| s.value("namedprocess_namegroup_num_procs", &[("groupname", &p)]);
    assert_eq!(n(&scrape_in(&with)), Some(2.0));
    assert_eq!(n(&scrape_in(&without)), Some(1.0));
}

/// A bad config file, or a bad option, stops startup with the reason.
#[test]
fn bad_config_is_a_startup_error() {
    let dir = Scratch::new("bad");
    for (yaml, want) in [
        ("process_names:\n  - cmdline: ['(']\n", "bad cmdline regex"),
        ("process_names:\n  - name: x\n", "no matchers provided"),
        ("process_names: [\n", "error reading config file"),
        (
            "process_names:\n  - comm: [a]\n    name: '{{.Bogus}}'\n",
            "unsupported action",
        ),
    ] {
        let cfg = dir.path("bad.yml");
        std::fs::write(&cfg, yaml).unwrap();
        let flag = format!("--collector.namedprocess.config={}", cfg.display());
        let e = pskit_serve::Config::parse(["pskit serve", "--collector.namedprocess", &flag])
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{yaml:?}: {e}");
        assert!(e.contains("bad.yml"), "{e}");
    }
    let e = pskit_serve::Config::parse([
        "pskit serve",
        "--collector.namedprocess",
        "--collector.namedprocess.children=maybe",
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("invalid value 'maybe'"), "{e}");
    // The collector off: its options are not checked.
    assert!(pskit_serve::Config::parse([
        "pskit serve",
        "--collector.namedprocess.config=/nonexistent.yml",
    ])
    .is_ok());
}

/// Not a test of its own: with PSKIT_THREAD_HELPER set, the multi-threaded
/// process the comparison with process-exporter watches (three sleeping
/// threads named pskw-sleeper, until a line on stdin).
#[test]
fn thread_helper() {
    if std::env::var_os("PSKIT_THREAD_HELPER").is_none() {
        return;
    }
    for _ in 0..3 {
        std::thread::Builder::new()
            .name("pskw-sleeper".into())
            .spawn(|| loop {
                std::thread::park();
            })
            .unwrap();
    }
    println!("ready");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    std::process::exit(0);
}
