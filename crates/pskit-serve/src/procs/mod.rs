//! Process groups: process-exporter's `namedprocess` metrics and pskit's own
//! per-cgroup metrics ([`cgroup`]).
//!
//! # namedprocess (off by default: `--collector.namedprocess`)
//!
//! process-exporter 0.7.10's group metrics, with its names, types, help
//! texts and labels: `namedprocess_namegroup_{num_procs, cpu_seconds_total,
//! read_bytes_total, write_bytes_total, major_page_faults_total,
//! minor_page_faults_total, context_switches_total, memory_bytes,
//! open_filedesc, worst_fd_ratio, oldest_start_time_seconds, num_threads,
//! states, threads_wchan}`, the `thread_*` families (`threads` option) and
//! `namedprocess_scrape_{errors, procread_errors, partial_errors}`.
//!
//! Which processes, and in which group: the `process_names` of
//! `--collector.namedprocess.config=FILE`, process-exporter's YAML
//! ([`config`]); without it, every process with a command line grouped by
//! its comm (process-exporter's `{name: "{{.Comm}}", cmdline: ['.+']}`). A
//! bad file stops `pskit serve` at startup with the reason.
//!
//! As in process-exporter, a process is named once, when first seen, and
//! keeps its group; with `children` (default true) a process no rule matches
//! joins the group of its nearest tracked ancestor. Counters are what the
//! group's processes used since the collector started (at startup it takes
//! a first look, as process-exporter does): a process already running then
//! counts from that moment, one started later counts in full. The group keeps what exited members used, so its counters never
//! go down; a group whose processes have all exited stays, its counters
//! frozen and its gauges 0 (its oldest start time is Go's zero time,
//! -62135596800, as process-exporter writes it).
//!
//! Options (values as Go's flag package takes booleans):
//! `--collector.namedprocess.config`, `--collector.namedprocess.children`
//! (true), `--collector.namedprocess.threads` (true: per-thread-name
//! families), `--collector.namedprocess.gather-smaps` (true: read
//! `smaps_rollup` for the proportional memory types). The defaults are
//! process-exporter's.
//!
//! What is read per scrape: `stat` of every process (pskit's selective scan,
//! nothing else for processes not tracked); for tracked processes `status`,
//! `io`, the `fd` directory, the open-files limit, `wchan`, `smaps_rollup`
//! (gather-smaps) and, for a process with several threads, `task/*/stat`,
//! `status`, `wchan` (and `io` with `threads`); `cmdline` once in a
//! process's life, when it is first seen.
//!
//! ```
//! let cfg = pskit_serve::Config::parse([
//!     "pskit serve", "--collector.disable-defaults", "--collector.namedprocess",
//! ]).unwrap();
//! let text = pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg));
//! assert!(text.contains("# TYPE namedprocess_namegroup_cpu_seconds_total counter\n"));
//! ```

pub mod cgroup;
pub mod config;
mod read;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use pskit::process::Attr;

use crate::expo::Metrics;
use crate::{Ctx, Opt};
use config::{NameConfig, ProcAttrs};
use read::{Counts, ProcRead, States, Want};

/// The namedprocess collector's options.
///
/// ```
/// assert!(pskit_serve::procs::NAMEDPROCESS_OPTIONS.iter().any(|o| o.flag == "collector.namedprocess.config"));
/// ```
pub static NAMEDPROCESS_OPTIONS: &[Opt] = &[
    Opt {
        flag: "collector.namedprocess.config",
        default: "",
        help: "process-exporter's YAML config (process_names); default: every process with a command line, grouped by comm",
    },
    Opt {
        flag: "collector.namedprocess.children",
        default: "true",
        help: "If a proc is tracked, track with it any children that aren't part of their own group",
    },
    Opt {
        flag: "collector.namedprocess.threads",
        default: "true",
        help: "Report on per-threadname metrics as well",
    },
    Opt {
        flag: "collector.namedprocess.gather-smaps",
        default: "true",
        help: "Gather metrics from smaps_rollup, which contains proportional resident memory size",
    },
];

/// The options, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Settings {
    config: String,
    children: bool,
    threads: bool,
    smaps: bool,
}

/// A boolean as Go's strconv.ParseBool reads it.
fn go_bool(flag: &str, v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("--{flag}={v}: not a boolean (true or false)")),
    }
}

fn settings(ctx: &Ctx) -> Result<Settings, String> {
    let b = |k: &str| go_bool(k, ctx.opt(k));
    Ok(Settings {
        config: ctx.opt("collector.namedprocess.config").to_string(),
        children: b("collector.namedprocess.children")?,
        threads: b("collector.namedprocess.threads")?,
        smaps: b("collector.namedprocess.gather-smaps")?,
    })
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// One process the collector has seen.
#[derive(Debug)]
struct Entry {
    /// Start time in clock ticks after boot: with the pid, its identity.
    start: u64,
    /// Its group; `None` for a process not tracked.
    group: Option<Arc<str>>,
    /// Its counters at the last scrape.
    last: Counts,
    /// Its threads (tid to start and counters), when it has two or more.
    threads: HashMap<u32, (u64, Counts)>,
    /// The scrape that last saw it.
    seen: u64,
}

/// The collector's state for one configuration, kept across scrapes.
#[derive(Debug)]
struct Tracker {
    names: NameConfig,
    settings: Settings,
    /// When the collector started (process-exporter's firstUpdateAt).
    started: f64,
    boot: Option<f64>,
    procs: HashMap<u32, Entry>,
    /// Each group's counters so far (process-exporter's groupAccum).
    accum: BTreeMap<Arc<str>, Counts>,
    /// Each group's per-thread-name counters so far.
    thread_accum: HashMap<Arc<str>, HashMap<String, Counts>>,
    users: Option<HashMap<u32, String>>,
    generation: u64,
    scrape_errors: u64,
    read_errors: u64,
    partial_errors: u64,
}

type Shared = Arc<Mutex<Tracker>>;

static TRACKERS: Mutex<BTreeMap<String, Shared>> = Mutex::new(BTreeMap::new());

/// The tracker for this context's procfs and options, made (and its config
/// read) the first time.
fn tracker(ctx: &Ctx) -> Result<Shared, String> {
    let s = settings(ctx)?;
    let key = format!("{}\0{:?}", ctx.root.proc().display(), s);
    let mut all = TRACKERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = all.get(&key) {
        return Ok(t.clone());
    }
    let names = if s.config.is_empty() {
        NameConfig::by_comm()
    } else {
        NameConfig::read(&s.config)?
    };
    let t = Arc::new(Mutex::new(Tracker {
        names,
        settings: s,
        started: now(),
        boot: None,
        procs: HashMap::new(),
        accum: BTreeMap::new(),
        thread_accum: HashMap::new(),
        users: None,
        generation: 0,
        scrape_errors: 0,
        read_errors: 0,
        partial_errors: 0,
    }));
    all.insert(key, t.clone());
    drop(all);
    // Like process-exporter's first update at startup: the processes
    // running now count from here on, and the first scrape shows what they
    // used since.
    let mut first = t.lock().unwrap_or_else(|e| e.into_inner());
    if ctx.root.scope(|| first.update(&ctx.root)).is_err() {
        first.scrape_errors += 1;
    }
    drop(first);
    Ok(t)
}

/// Checks the namedprocess options and reads its config file, at startup:
/// the error says what is wrong. Then a first look at the processes, as
/// process-exporter takes at startup: counters count from then on.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// assert!(pskit_serve::procs::prepare(cfg.ctx()).is_ok());
/// let bad = pskit_serve::Config::parse([
///     "pskit serve", "--collector.namedprocess", "--collector.namedprocess.config=/nonexistent.yml",
/// ]);
/// assert!(bad.unwrap_err().to_string().contains("/nonexistent.yml"));
/// ```
pub fn prepare(ctx: &Ctx) -> Result<(), String> {
    tracker(ctx).map(|_| ())
}

/// One group's figures at this scrape.
#[derive(Debug, Default)]
struct Group {
    procs: u64,
    counts: Counts,
    states: States,
    wchans: BTreeMap<String, u64>,
    rss: u64,
    vsize: u64,
    swap: u64,
    pss: u64,
    swap_pss: u64,
    open_fds: u64,
    worst_fd_ratio: f64,
    num_threads: u64,
    oldest: Option<f64>,
    /// Thread name to (threads, counters since the last scrape).
    threads: BTreeMap<String, (u64, Counts)>,
}

/// `/etc/passwd` under the root: uid to name.
fn passwd(root: &pskit::Root) -> HashMap<u32, String> {
    pskit::fs::with_text(&root.etc().join("passwd"), |t| {
        Ok(t.lines()
            .filter_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let uid = f.nth(1)?.parse().ok()?;
                Some((uid, name.to_string()))
            })
            .collect())
    })
    .unwrap_or_default()
}

/// The cgroup paths of `/proc/PID/cgroup`, one per hierarchy.
fn cgroups(dir: &std::path::Path) -> Vec<String> {
    pskit::fs::with_text(&dir.join("cgroup"), |t| {
        Ok(t.lines()
            .filter_map(|l| Some(l.splitn(3, ':').nth(2)?.to_string()))
            .collect())
    })
    .unwrap_or_default()
}

impl Tracker {
    /// One scrape: reads the processes, updates the state, and returns the
    /// groups.
    fn update(&mut self, root: &pskit::Root) -> Result<BTreeMap<Arc<str>, Group>, String> {
        let scan = pskit::process::process_scan([Attr::ProcStat]).map_err(|e| e.to_string())?;
        self.read_errors += scan.errors.len() as u64;
        let boot = match self.boot {
            Some(b) => b,
            None => {
                let b = pskit::boot_time().map_err(|e| e.to_string())?;
                self.boot = Some(b);
                b
            }
        };
        let tck = rustix::param::clock_ticks_per_second() as f64;
        self.generation += 1;
        let gen = self.generation;
        let proc_root = root.proc().to_path_buf();
        // Known processes are marked seen; new ones are named.
        let mut fresh: Vec<(usize, u32)> = Vec::new();
        let mut ppids: HashMap<u32, u32> = HashMap::new();
        let mut unnamed: HashSet<u32> = HashSet::new();
        for (i, info) in scan.processes.iter().enumerate() {
            let Some(st) = info.proc_stat.get() else {
                continue;
            };
            let pid = info.pid();
            if let Some(e) = self.procs.get_mut(&pid) {
                if e.start == st.starttime {
                    e.seen = gen;
                    continue;
                }
            }
            let dir = read::pid_dir(&proc_root, pid);
            let cmdline = match info.process.cmdline() {
                Ok(c) => c,
                Err(e) if e.is_no_such_process() => continue,
                Err(_) => Vec::new(),
            };
            let username = if self.names.wants_username() {
                let euid = read::read_status(&dir).and_then(|s| s.3);
                let users = self.users.get_or_insert_with(|| passwd(root));
                euid.map(|u| users.get(&u).cloned().unwrap_or_else(|| u.to_string()))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let cgs = if self.names.wants_cgroups() {
                cgroups(&dir)
            } else {
                Vec::new()
            };
            let attrs = ProcAttrs {
                comm: &st.comm,
                cmdline: &cmdline,
                username: &username,
                pid,
                start_time: boot + st.starttime as f64 / tck,
                cgroups: &cgs,
            };
            let group = self.names.name(&attrs).map(Arc::<str>::from);
            if group.is_none() {
                unnamed.insert(pid);
                ppids.insert(pid, st.ppid);
            }
            self.procs.insert(
                pid,
                Entry {
                    start: st.starttime,
                    group,
                    last: Counts::default(),
                    threads: HashMap::new(),
                    seen: gen,
                },
            );
            fresh.push((i, pid));
        }
        self.procs.retain(|_, e| e.seen == gen);
        // Children: an unnamed new process joins its nearest tracked
        // ancestor's group, as process-exporter's checkAncestry does.
        if self.settings.children {
            let pending: Vec<u32> = unnamed.iter().copied().collect();
            for pid in pending {
                self.inherit(pid, &mut unnamed, &ppids);
            }
        }
        // Read the tracked processes and add them up by group.
        let want = Want {
            smaps: self.settings.smaps,
            thread_io: self.settings.threads,
        };
        let fresh: HashSet<u32> = fresh.into_iter().map(|(_, pid)| pid).collect();
        let mut groups: BTreeMap<Arc<str>, Group> = BTreeMap::new();
        let mut thread_deltas: BTreeMap<Arc<str>, Vec<(String, Counts)>> = BTreeMap::new();
        let mut gone = Vec::new();
        for info in &scan.processes {
            let pid = info.pid();
            let Some(e) = self.procs.get_mut(&pid) else {
                continue;
            };
            let Some(g) = e.group.clone() else {
                continue;
            };
            let Some(st) = info.proc_stat.get() else {
                continue;
            };
            let dir = read::pid_dir(&proc_root, pid);
            let Some(r) = read::read_proc(&info.process, &dir, st, want) else {
                gone.push(pid);
                continue;
            };
            if r.partial {
                self.partial_errors += 1;
            }
            let delta = if fresh.contains(&pid) {
                if boot + st.starttime as f64 / tck > self.started {
                    r.counts
                } else {
                    Counts::default()
                }
            } else {
                r.counts.since(&e.last)
            };
            e.last = r.counts;
            // Threads: a known thread adds what it used since the last
            // scrape, a new one nothing yet.
            let mut tdeltas = Vec::new();
            if r.threads.len() >= 2 {
                let mut next = HashMap::with_capacity(r.threads.len());
                for t in &r.threads {
                    let d = match e.threads.get(&t.tid) {
                        Some((start, old)) if *start == t.start => t.counts.since(old),
                        _ => Counts::default(),
                    };
                    tdeltas.push((t.name.clone(), d));
                    next.insert(t.tid, (t.start, t.counts));
                }
                e.threads = next;
            } else {
                e.threads.clear();
            }
            let grp = groups.entry(g.clone()).or_default();
            add_proc(grp, &r, &delta, boot + st.starttime as f64 / tck);
            if !tdeltas.is_empty() {
                thread_deltas.entry(g).or_default().extend(tdeltas);
            }
        }
        for pid in gone {
            self.procs.remove(&pid);
        }
        // Add what the groups had before, and remember the sums.
        for (name, grp) in groups.iter_mut() {
            if let Some(old) = self.accum.get(name) {
                grp.counts.add(old);
            }
            self.accum.insert(name.clone(), grp.counts);
            match thread_deltas.remove(name) {
                None => {
                    self.thread_accum.remove(name);
                }
                Some(ts) => {
                    let mut by_name: BTreeMap<String, (u64, Counts)> = BTreeMap::new();
                    for (tname, d) in ts {
                        let e = by_name.entry(tname).or_default();
                        e.0 += 1;
                        e.1.add(&d);
                    }
                    let history = self.thread_accum.remove(name).unwrap_or_default();
                    let mut next = HashMap::with_capacity(by_name.len());
                    for (tname, (_, c)) in by_name.iter_mut() {
                        if let Some(old) = history.get(tname) {
                            c.add(old);
                        }
                        next.insert(tname.clone(), *c);
                    }
                    self.thread_accum.insert(name.clone(), next);
                    grp.threads = by_name;
                }
            }
        }
        // Groups seen before but with no process now keep their counters.
        for (name, c) in &self.accum {
            groups.entry(name.clone()).or_insert_with(|| Group {
                counts: *c,
                ..Group::default()
            });
        }
        Ok(groups)
    }

    /// The group an unnamed new process inherits from its ancestors (and
    /// records it), or `None`: then it is not tracked.
    fn inherit(
        &mut self,
        pid: u32,
        unnamed: &mut HashSet<u32>,
        ppids: &HashMap<u32, u32>,
    ) -> Option<Arc<str>> {
        if !unnamed.remove(&pid) {
            return self.procs.get(&pid).and_then(|e| e.group.clone());
        }
        let ppid = ppids.get(&pid).copied().unwrap_or(0);
        let group = if ppid < 1 || ppid == pid {
            None
        } else if unnamed.contains(&ppid) {
            self.inherit(ppid, unnamed, ppids)
        } else {
            self.procs.get(&ppid).and_then(|e| e.group.clone())
        };
        if let Some(e) = self.procs.get_mut(&pid) {
            e.group = group.clone();
        }
        group
    }
}

/// process-exporter's groupadd: one process into its group.
fn add_proc(g: &mut Group, r: &ProcRead, delta: &Counts, start: f64) {
    g.procs += 1;
    g.rss += r.rss;
    g.vsize += r.vsize;
    g.swap += r.swap;
    g.pss += r.pss;
    g.swap_pss += r.swap_pss;
    if r.open_fds >= 0 {
        g.open_fds += r.open_fds as u64;
    }
    let ratio = r.open_fds as f64 / r.fd_limit;
    if ratio > g.worst_fd_ratio {
        g.worst_fd_ratio = ratio;
    }
    g.num_threads += r.num_threads;
    g.counts.add(delta);
    g.states.add(&r.states);
    if g.oldest.is_none_or(|o| start < o) {
        g.oldest = Some(start);
    }
    if let Some(w) = &r.wchan {
        *g.wchans.entry(w.clone()).or_default() += 1;
    }
    if r.threads.len() >= 2 {
        for t in &r.threads {
            if let Some(w) = &t.wchan {
                *g.wchans.entry(w.clone()).or_default() += 1;
            }
        }
    }
}

/// Go's zero time as Unix seconds: what process-exporter writes as the
/// oldest start time of a group without processes.
const GO_ZERO_TIME: f64 = -62_135_596_800.0;

/// The namedprocess collector.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve", "--collector.namedprocess"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::procs::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "namedprocess_namegroup_num_procs"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let shared = tracker(ctx)?;
    let mut t = shared.lock().unwrap_or_else(|e| e.into_inner());
    let result = ctx.root.scope(|| t.update(&ctx.root));
    match &result {
        Ok(groups) => emit(m, groups, t.settings.threads, t.settings.smaps),
        Err(_) => t.scrape_errors += 1,
    }
    m.counter(
        "namedprocess_scrape_errors",
        "general scrape errors: no proc metrics collected during a cycle",
    )
    .set(t.scrape_errors as f64);
    m.counter(
        "namedprocess_scrape_procread_errors",
        "incremented each time a proc's metrics collection fails",
    )
    .set(t.read_errors as f64);
    m.counter(
        "namedprocess_scrape_partial_errors",
        "incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats",
    )
    .set(t.partial_errors as f64);
    result.map(|_| ())
}

fn emit(m: &mut Metrics, groups: &BTreeMap<Arc<str>, Group>, threads: bool, smaps: bool) {
    for (name, g) in groups {
        let n: &str = name;
        let gn = [("groupname", n)];
        m.gauge(
            "namedprocess_namegroup_num_procs",
            "number of processes in this group",
        )
        .sample(&gn, g.procs as f64);
        let mem = m.gauge(
            "namedprocess_namegroup_memory_bytes",
            "number of bytes of memory in use",
        );
        for (t, v) in [
            ("resident", g.rss),
            ("virtual", g.vsize),
            ("swapped", g.swap),
        ] {
            mem.sample(&[("groupname", n), ("memtype", t)], v as f64);
        }
        if smaps {
            for (t, v) in [
                ("proportionalResident", g.pss),
                ("proportionalSwapped", g.swap_pss),
            ] {
                mem.sample(&[("groupname", n), ("memtype", t)], v as f64);
            }
        }
        m.gauge(
            "namedprocess_namegroup_oldest_start_time_seconds",
            "start time in seconds since 1970/01/01 of oldest process in group",
        )
        .sample(&gn, g.oldest.map_or(GO_ZERO_TIME, f64::floor));
        m.gauge(
            "namedprocess_namegroup_open_filedesc",
            "number of open file descriptors for this group",
        )
        .sample(&gn, g.open_fds as f64);
        m.gauge(
            "namedprocess_namegroup_worst_fd_ratio",
            "the worst (closest to 1) ratio between open fds and max fds among all procs in this group",
        )
        .sample(&gn, g.worst_fd_ratio);
        m.counter(
            "namedprocess_namegroup_cpu_seconds_total",
            "Cpu user usage in seconds",
        )
        .sample(&[("groupname", n), ("mode", "user")], g.counts.user)
        .sample(&[("groupname", n), ("mode", "system")], g.counts.system);
        m.counter(
            "namedprocess_namegroup_read_bytes_total",
            "number of bytes read by this group",
        )
        .sample(&gn, g.counts.read_bytes as f64);
        m.counter(
            "namedprocess_namegroup_write_bytes_total",
            "number of bytes written by this group",
        )
        .sample(&gn, g.counts.write_bytes as f64);
        m.counter(
            "namedprocess_namegroup_major_page_faults_total",
            "Major page faults",
        )
        .sample(&gn, g.counts.major_faults as f64);
        m.counter(
            "namedprocess_namegroup_minor_page_faults_total",
            "Minor page faults",
        )
        .sample(&gn, g.counts.minor_faults as f64);
        m.counter(
            "namedprocess_namegroup_context_switches_total",
            "Context switches",
        )
        .sample(
            &[("ctxswitchtype", "voluntary"), ("groupname", n)],
            g.counts.ctx_voluntary as f64,
        )
        .sample(
            &[("ctxswitchtype", "nonvoluntary"), ("groupname", n)],
            g.counts.ctx_nonvoluntary as f64,
        );
        m.gauge("namedprocess_namegroup_num_threads", "Number of threads")
            .sample(&gn, g.num_threads as f64);
        let st = m.gauge(
            "namedprocess_namegroup_states",
            "Number of processes in states Running, Sleeping, Waiting, Zombie, or Other",
        );
        for (s, v) in [
            ("Running", g.states.running),
            ("Sleeping", g.states.sleeping),
            ("Waiting", g.states.waiting),
            ("Zombie", g.states.zombie),
            ("Other", g.states.other),
        ] {
            st.sample(&[("groupname", n), ("state", s)], v as f64);
        }
        let wc = m.gauge(
            "namedprocess_namegroup_threads_wchan",
            "Number of threads in this group waiting on each wchan",
        );
        for (w, c) in &g.wchans {
            wc.sample(&[("groupname", n), ("wchan", w)], *c as f64);
        }
        if threads {
            emit_threads(m, n, g);
        }
    }
}

fn emit_threads(m: &mut Metrics, n: &str, g: &Group) {
    for (tn, (count, c)) in &g.threads {
        let tn: &str = tn;
        m.gauge(
            "namedprocess_namegroup_thread_count",
            "Number of threads in this group with same threadname",
        )
        .sample(&[("groupname", n), ("threadname", tn)], *count as f64);
        m.counter(
            "namedprocess_namegroup_thread_cpu_seconds_total",
            "Cpu user/system usage in seconds",
        )
        .sample(
            &[("groupname", n), ("mode", "user"), ("threadname", tn)],
            c.user,
        )
        .sample(
            &[("groupname", n), ("mode", "system"), ("threadname", tn)],
            c.system,
        );
        m.counter(
            "namedprocess_namegroup_thread_io_bytes_total",
            "number of bytes read/written by these threads",
        )
        .sample(
            &[("groupname", n), ("iomode", "read"), ("threadname", tn)],
            c.read_bytes as f64,
        )
        .sample(
            &[("groupname", n), ("iomode", "write"), ("threadname", tn)],
            c.write_bytes as f64,
        );
        m.counter(
            "namedprocess_namegroup_thread_major_page_faults_total",
            "Major page faults for these threads",
        )
        .sample(
            &[("groupname", n), ("threadname", tn)],
            c.major_faults as f64,
        );
        m.counter(
            "namedprocess_namegroup_thread_minor_page_faults_total",
            "Minor page faults for these threads",
        )
        .sample(
            &[("groupname", n), ("threadname", tn)],
            c.minor_faults as f64,
        );
        m.counter(
            "namedprocess_namegroup_thread_context_switches_total",
            "Context switches for these threads",
        )
        .sample(
            &[
                ("ctxswitchtype", "voluntary"),
                ("groupname", n),
                ("threadname", tn),
            ],
            c.ctx_voluntary as f64,
        )
        .sample(
            &[
                ("ctxswitchtype", "nonvoluntary"),
                ("groupname", n),
                ("threadname", tn),
            ],
            c.ctx_nonvoluntary as f64,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_booleans() {
        assert_eq!(go_bool("x", "True"), Ok(true));
        assert_eq!(go_bool("x", "0"), Ok(false));
        assert!(go_bool("x", "yes").unwrap_err().contains("--x=yes"));
    }
}
