//! The namedprocess collector on a procfs tree this test writes and then
//! changes between scrapes: exact values, naming, children, threads, and
//! the counters' deltas as processes come, use CPU and go.

mod common;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const BOOT: u64 = 1_700_000_000;

struct Tree(PathBuf);

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One task's files: stat, status, io, wchan.
#[derive(Clone)]
struct Task {
    comm: &'static str,
    state: char,
    ppid: u32,
    utime: u64,
    stime: u64,
    minflt: u64,
    majflt: u64,
    threads: u64,
    start: u64,
    vsize: u64,
    rss_pages: u64,
    vol: u64,
    nonvol: u64,
    swap_kb: u64,
    read: u64,
    write: u64,
    wchan: &'static str,
}

fn task(comm: &'static str, ppid: u32, start: u64) -> Task {
    Task {
        comm,
        state: 'S',
        ppid,
        utime: 100,
        stime: 50,
        minflt: 1000,
        majflt: 3,
        threads: 1,
        start,
        vsize: 10 << 20,
        rss_pages: 256,
        vol: 10,
        nonvol: 2,
        swap_kb: 8,
        read: 4096,
        write: 8192,
        wchan: "do_wait",
    }
}

fn write_task(dir: &Path, pid: u32, t: &Task) {
    std::fs::create_dir_all(dir).unwrap();
    let w = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    w(
        "stat",
        format!(
            "{pid} ({}) {} {} {pid} {pid} 0 -1 4194560 {} 0 {} 0 {} {} 0 0 20 0 {} 0 {} {} {} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
            t.comm, t.state, t.ppid, t.minflt, t.majflt, t.utime, t.stime, t.threads, t.start, t.vsize, t.rss_pages
        ),
    );
    w(
        "status",
        format!(
            "Name:\t{}\nState:\t{} (sleeping)\nPPid:\t{}\nUid:\t0\t0\t0\t0\nVmSwap:\t{} kB\nThreads:\t{}\nvoluntary_ctxt_switches:\t{}\nnonvoluntary_ctxt_switches:\t{}\n",
            t.comm, t.state, t.ppid, t.swap_kb, t.threads, t.vol, t.nonvol
        ),
    );
    w(
        "io",
        format!(
            "rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: {}\nwrite_bytes: {}\ncancelled_write_bytes: 0\n",
            t.read, t.write
        ),
    );
    w("wchan", t.wchan.to_string());
}

const LIMITS: &str =
    "Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             63704                63704                processes 
Max open files            1000                 4096                 files     
Max locked memory         8388608              8388608              bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       63704                63704                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
";

fn write_proc(
    root: &Path,
    pid: u32,
    t: &Task,
    cmdline: &[&str],
    fds: usize,
    threads: &[(u32, Task)],
) {
    let dir = root.join(pid.to_string());
    write_task(&dir, pid, t);
    let mut cl = cmdline.join("\0");
    if !cl.is_empty() {
        cl.push('\0');
    }
    std::fs::write(dir.join("cmdline"), cl).unwrap();
    std::fs::write(dir.join("limits"), LIMITS).unwrap();
    std::fs::write(
        dir.join("smaps_rollup"),
        "Rss: 1024 kB\nPss: 300 kB\nSwapPss: 4 kB\n",
    )
    .unwrap();
    let fd = dir.join("fd");
    std::fs::create_dir_all(&fd).unwrap();
    for i in 0..fds {
        std::fs::write(fd.join(i.to_string()), "").unwrap();
    }
    for (tid, tt) in threads {
        write_task(&dir.join("task").join(tid.to_string()), *tid, tt);
    }
}

fn now_ticks_after_boot() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    (now - BOOT) * 100
}

#[test]
fn fixture_groups_counters_and_threads() {
    let t = Tree(std::env::temp_dir().join(format!("pskit-np-fixture-{}", std::process::id())));
    let proc = t.0.join("proc");
    std::fs::create_dir_all(&proc).unwrap();
    std::fs::write(
        proc.join("stat"),
        format!("cpu  1 1 1 1 1 1 1 0 0 0\nbtime {BOOT}\n"),
    )
    .unwrap();
    write_proc(&proc, 1, &task("init", 0, 1), &["/sbin/init"], 4, &[]);
    write_proc(&proc, 2, &task("kthreadd", 0, 1), &[], 0, &[]);
    let web = task("web", 1, 5000);
    write_proc(&proc, 100, &web, &["/usr/bin/web", "--port=80"], 10, &[]);
    let worker = task("worker", 100, 6000);
    write_proc(&proc, 101, &worker, &["worker"], 3, &[]);
    // A process with two threads: app and app-io.
    let mut app = task("app", 1, 7000);
    app.threads = 2;
    let (mut t1, mut t2) = (task("app", 1, 7000), task("app-io", 1, 7001));
    t1.wchan = "ep_poll";
    t2.wchan = "0";
    t2.state = 'R';
    t2.vol = 5;
    write_proc(
        &proc,
        200,
        &app,
        &["app"],
        7,
        &[(200, t1.clone()), (201, t2.clone())],
    );
    let cfg_path = t.0.join("cfg.yml");
    std::fs::write(
        &cfg_path,
        "process_names:\n  - cmdline: ['--port=(?P<port>\\d+)']\n    name: \"web-{{.Matches.port}}\"\n  - comm: [app]\n",
    )
    .unwrap();
    let flags = [
        "pskit serve".to_string(),
        "--collector.disable-defaults".into(),
        "--collector.namedprocess".into(),
        format!("--collector.namedprocess.config={}", cfg_path.display()),
        format!("--path.procfs={}", proc.display()),
    ];
    let cfg = pskit_serve::Config::parse(&flags).unwrap();
    let scrape = || common::parse(&pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg)));
    let g = |g: &'static str| [("groupname", g)];
    // Between startup (the first look) and the first scrape, web uses 1 s
    // of user CPU: the first scrape shows it, as process-exporter's does.
    let mut web = web;
    web.utime += 100;
    write_task(&proc.join("100"), 100, &web);
    let s = scrape();
    let groups: std::collections::BTreeSet<_> = s
        .named("namedprocess_namegroup_num_procs")
        .iter()
        .map(|x| x.labels["groupname"].clone())
        .collect();
    assert_eq!(groups, ["app".to_string(), "web-80".to_string()].into());
    let v = |s: &common::Scrape, n: &str, l: &[(&str, &str)]| {
        s.value(n, l).unwrap_or_else(|| panic!("{n} {l:?}"))
    };
    assert_eq!(
        v(&s, "namedprocess_namegroup_num_procs", &g("web-80")),
        2.0,
        "web and its child"
    );
    assert_eq!(
        v(&s, "namedprocess_namegroup_open_filedesc", &g("web-80")),
        13.0
    );
    assert_eq!(
        v(&s, "namedprocess_namegroup_worst_fd_ratio", &g("web-80")),
        0.01
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_memory_bytes",
            &[("groupname", "web-80"), ("memtype", "resident")]
        ),
        2.0 * 256.0 * 4096.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_memory_bytes",
            &[("groupname", "web-80"), ("memtype", "virtual")]
        ),
        2.0 * 10485760.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_memory_bytes",
            &[("groupname", "web-80"), ("memtype", "swapped")]
        ),
        2.0 * 8192.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_memory_bytes",
            &[("groupname", "web-80"), ("memtype", "proportionalResident")]
        ),
        2.0 * 300.0 * 1024.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_oldest_start_time_seconds",
            &g("web-80")
        ),
        (BOOT + 50) as f64
    );
    // Processes running before the collector started count from the first look (at startup) on.
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_cpu_seconds_total",
            &[("groupname", "web-80"), ("mode", "user")]
        ),
        1.0
    );
    // The process and each of its threads count in states and wchans.
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_states",
            &[("groupname", "app"), ("state", "Sleeping")]
        ),
        2.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_states",
            &[("groupname", "app"), ("state", "Running")]
        ),
        1.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_threads_wchan",
            &[("groupname", "app"), ("wchan", "do_wait")]
        ),
        1.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_threads_wchan",
            &[("groupname", "app"), ("wchan", "ep_poll")]
        ),
        1.0
    );
    assert_eq!(
        s.value(
            "namedprocess_namegroup_threads_wchan",
            &[("groupname", "app"), ("wchan", "0")]
        ),
        None
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_context_switches_total",
            &[("ctxswitchtype", "voluntary"), ("groupname", "app")]
        ),
        0.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_thread_count",
            &[("groupname", "app"), ("threadname", "app-io")]
        ),
        1.0
    );
    assert_eq!(v(&s, "namedprocess_namegroup_num_threads", &g("app")), 2.0);

    // Work between scrapes: web uses 2.5 s of user CPU and writes 4 KiB;
    // app-io 1 s of system time and 7 voluntary switches.
    let mut web2 = web.clone();
    web2.utime += 250;
    web2.write += 4096;
    write_task(&proc.join("100"), 100, &web2);
    let mut t2b = t2.clone();
    t2b.stime += 100;
    t2b.vol += 7;
    write_task(&proc.join("200/task/201"), 201, &t2b);
    let s = scrape();
    let cpu_user = |s: &common::Scrape| {
        v(
            s,
            "namedprocess_namegroup_cpu_seconds_total",
            &[("groupname", "web-80"), ("mode", "user")],
        )
    };
    assert_eq!(cpu_user(&s), 3.5);
    assert_eq!(
        v(&s, "namedprocess_namegroup_write_bytes_total", &g("web-80")),
        4096.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_thread_cpu_seconds_total",
            &[
                ("groupname", "app"),
                ("mode", "system"),
                ("threadname", "app-io")
            ]
        ),
        1.0
    );
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_context_switches_total",
            &[("ctxswitchtype", "voluntary"), ("groupname", "app")]
        ),
        7.0,
        "a process's switches are its threads' sum"
    );

    // The child exits: the group's counters stay.
    std::fs::remove_dir_all(proc.join("101")).unwrap();
    let s = scrape();
    assert_eq!(v(&s, "namedprocess_namegroup_num_procs", &g("web-80")), 1.0);
    assert_eq!(cpu_user(&s), 3.5);

    // A new child of web, started after the collector: counted in full.
    let mut late = task("helper", 100, now_ticks_after_boot() + 1000);
    late.utime = 50;
    write_proc(&proc, 300, &late, &["helper"], 1, &[]);
    let s = scrape();
    assert_eq!(v(&s, "namedprocess_namegroup_num_procs", &g("web-80")), 2.0);
    assert_eq!(cpu_user(&s), 4.0);
    assert_eq!(
        v(&s, "namedprocess_namegroup_read_bytes_total", &g("web-80")),
        4096.0
    );

    // pid 100 replaced by another process (a new start time): not the
    // same process, not in the group unless named again.
    std::fs::remove_dir_all(proc.join("100")).unwrap();
    std::fs::remove_dir_all(proc.join("300")).unwrap();
    write_proc(
        &proc,
        100,
        &task("other", 1, now_ticks_after_boot() + 2000),
        &["other"],
        1,
        &[],
    );
    let s = scrape();
    assert_eq!(v(&s, "namedprocess_namegroup_num_procs", &g("web-80")), 0.0);
    assert_eq!(cpu_user(&s), 4.0);
    assert_eq!(
        v(
            &s,
            "namedprocess_namegroup_oldest_start_time_seconds",
            &g("web-80")
        ),
        -62135596800.0
    );
}

/// Scrapes of one configuration from several threads at once share its
/// state safely: every scrape succeeds and counters never go down.
#[test]
fn concurrent_scrapes_share_state() {
    let dir = std::env::temp_dir().join(format!("pskit-np-conc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg_path = dir.join("c.yml");
    std::fs::write(
        &cfg_path,
        "process_names:\n  - name: \"{{.Comm}}\"\n    cmdline: ['.+']\n",
    )
    .unwrap();
    let flags = [
        "pskit serve".to_string(),
        "--collector.disable-defaults".into(),
        "--collector.namedprocess".into(),
        format!("--collector.namedprocess.config={}", cfg_path.display()),
    ];
    let cfg = pskit_serve::Config::parse(&flags).unwrap();
    let me = pskit::Process::current().unwrap().name().unwrap();
    let comm: String = me.chars().take(15).collect();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut last = 0.0;
                for _ in 0..5 {
                    let text = pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg));
                    let p = common::parse(&text);
                    assert_eq!(
                        p.value(
                            "node_scrape_collector_success",
                            &[("collector", "namedprocess")]
                        ),
                        Some(1.0)
                    );
                    let faults = p
                        .value(
                            "namedprocess_namegroup_minor_page_faults_total",
                            &[("groupname", &comm)],
                        )
                        .unwrap();
                    assert!(faults >= last, "{faults} < {last}");
                    last = faults;
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
