//! `stat`: node_boot_time_seconds, node_context_switches_total,
//! node_forks_total, node_intr_total, node_procs_running and
//! node_procs_blocked from /proc/stat. The parser here also feeds the `cpu`
//! collector.

use std::cell::RefCell;
use std::rc::Rc;

use crate::expo::Metrics;
use crate::Ctx;

/// USER_HZ: /proc/stat's cpu lines count hundredths of a second (node_exporter's
/// procfs library uses the same constant).
const USER_HZ: f64 = 100.0;

/// The largest CPU number accepted on a `cpuN` line (a hostile file cannot
/// make the parser allocate without bound).
const MAX_CPU: usize = 65_535;

/// The ten columns of a `cpu` line of /proc/stat, in seconds.
///
/// ```
/// let s = pskit_serve::node::stat::parse("cpu0 100 0 50 1000\n").unwrap();
/// assert_eq!(s.cpus[0].system, 0.5);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuSeconds {
    /// Normal processes in user mode.
    pub user: f64,
    /// Niced processes in user mode.
    pub nice: f64,
    /// Kernel mode.
    pub system: f64,
    /// Idle.
    pub idle: f64,
    /// Waiting for I/O.
    pub iowait: f64,
    /// Servicing interrupts.
    pub irq: f64,
    /// Servicing softirqs.
    pub softirq: f64,
    /// Stolen by the hypervisor.
    pub steal: f64,
    /// Running a guest (also counted in user).
    pub guest: f64,
    /// Running a niced guest (also counted in nice).
    pub guest_nice: f64,
}

/// What node_exporter takes from /proc/stat. A line the file lacks reads as 0,
/// as in node_exporter.
///
/// ```
/// let s = pskit_serve::node::stat::parse("ctxt 7\nbtime 1700000000\nprocesses 9\n").unwrap();
/// assert_eq!((s.ctxt, s.btime, s.processes, s.intr), (7, 1_700_000_000, 9, 0));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcStat {
    /// Per CPU, indexed by the N of `cpuN`; a CPU without a line (offline)
    /// between two that have one reads as zeros.
    pub cpus: Vec<CpuSeconds>,
    /// `btime`: boot time in seconds since the epoch.
    pub btime: u64,
    /// The first number of `intr`: interrupts serviced.
    pub intr: u64,
    /// `ctxt`: context switches.
    pub ctxt: u64,
    /// `processes`: forks since boot.
    pub processes: u64,
    /// `procs_running`.
    pub procs_running: u64,
    /// `procs_blocked`.
    pub procs_blocked: u64,
    /// The `softirq` line's per-vector counts, in the kernel's order
    /// ([`SOFTIRQ_VECTORS`]).
    pub softirq: [u64; 10],
}

/// The softirq vectors of /proc/stat's `softirq` line, as node_exporter
/// labels them.
///
/// ```
/// assert_eq!(pskit_serve::node::stat::SOFTIRQ_VECTORS[1], "timer");
/// ```
pub const SOFTIRQ_VECTORS: [&str; 10] = [
    "hi",
    "timer",
    "net_tx",
    "net_rx",
    "block",
    "block_iopoll",
    "tasklet",
    "sched",
    "hrtimer",
    "rcu",
];

/// `--collector.stat.softirq=true` adds node_softirqs_total{vector}.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve", "--collector.stat.softirq=true"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::stat::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_softirqs_total"));
/// ```
pub const OPTIONS: &[crate::Opt] = &[crate::Opt {
    flag: "collector.stat.softirq",
    default: "false",
    help: "Export softirq calls per vector",
}];

fn parse_cpu(line: &str) -> Result<(Option<usize>, CpuSeconds), String> {
    let mut it = line.split_ascii_whitespace();
    let name = it.next().unwrap_or("");
    let mut f = [0.0f64; 10];
    let mut n = 0;
    for (i, tok) in it.take(10).enumerate() {
        let v: f64 = tok
            .parse()
            .map_err(|_| format!("bad number {tok:?} in cpu line {name:?}"))?;
        if !v.is_finite() {
            return Err(format!("bad number {tok:?} in cpu line {name:?}"));
        }
        f[i] = v / USER_HZ;
        n = i + 1;
    }
    if n == 0 {
        return Err(format!("no numbers in cpu line {name:?}"));
    }
    let t = CpuSeconds {
        user: f[0],
        nice: f[1],
        system: f[2],
        idle: f[3],
        iowait: f[4],
        irq: f[5],
        softirq: f[6],
        steal: f[7],
        guest: f[8],
        guest_nice: f[9],
    };
    if name == "cpu" {
        return Ok((None, t));
    }
    let id: usize = name[3..]
        .parse()
        .map_err(|_| format!("bad cpu number in {name:?}"))?;
    if id > MAX_CPU {
        return Err(format!("cpu number too large in {name:?}"));
    }
    Ok((Some(id), t))
}

/// Parses /proc/stat as node_exporter does: a malformed number on a line it
/// uses is an error; lines it does not use are ignored.
///
/// ```
/// let s = pskit_serve::node::stat::parse("cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu2 5 6 7 8\nintr 42 1 2\n").unwrap();
/// assert_eq!(s.cpus.len(), 3); // cpu1 is offline: zeros
/// assert_eq!(s.cpus[1].idle, 0.0);
/// assert_eq!(s.intr, 42);
/// assert!(pskit_serve::node::stat::parse("ctxt x\n").is_err());
/// ```
pub fn parse(text: &str) -> Result<ProcStat, String> {
    let mut s = ProcStat::default();
    for line in text.lines() {
        let mut parts = line.split_ascii_whitespace();
        let (Some(key), Some(val)) = (parts.next(), parts.next()) else {
            continue;
        };
        let num = |what: &str| -> Result<u64, String> {
            val.parse()
                .map_err(|_| format!("bad number {val:?} after {what:?}"))
        };
        match key {
            "btime" => s.btime = num(key)?,
            "intr" => {
                s.intr = num(key)?;
                // node_exporter parses every per-IRQ count too: one bad
                // count fails the file.
                for n in parts {
                    n.parse::<u64>()
                        .map_err(|_| format!("bad number {n:?} in intr line"))?;
                }
            }
            "softirq" => {
                // The total and ten vectors must all be there.
                num(key)?;
                let v: Vec<&str> = parts.take(10).collect();
                if v.len() < 10 {
                    return Err(format!("short softirq line {line:?}"));
                }
                for (slot, n) in s.softirq.iter_mut().zip(v) {
                    *slot = n
                        .parse()
                        .map_err(|_| format!("bad number {n:?} in softirq line"))?;
                }
            }
            "ctxt" => s.ctxt = num(key)?,
            "processes" => s.processes = num(key)?,
            "procs_running" => s.procs_running = num(key)?,
            "procs_blocked" => s.procs_blocked = num(key)?,
            k if k.starts_with("cpu") => {
                if let (Some(id), t) = parse_cpu(line)? {
                    if s.cpus.len() <= id {
                        s.cpus.resize(id + 1, CpuSeconds::default());
                    }
                    s.cpus[id] = t;
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// Reads and parses `{procfs}/stat`.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let s = pskit_serve::node::stat::read(cfg.ctx()).unwrap();
/// assert!(s.btime > 0 && !s.cpus.is_empty());
/// ```
pub fn read(ctx: &Ctx) -> Result<Rc<ProcStat>, String> {
    if let Some(Some(s)) = IN_SCRAPE.with_borrow(Clone::clone) {
        return Ok(s);
    }
    let path = ctx.root.proc().join("stat");
    let s = Rc::new(
        pskit::fs::with_text(&path, |t| {
            parse(t).map_err(|m| pskit::Error::parse(&path, m))
        })
        .map_err(|e| e.to_string())?,
    );
    IN_SCRAPE.with_borrow_mut(|m| {
        if let Some(slot) = m {
            *slot = Some(s.clone());
        }
    });
    Ok(s)
}

thread_local! {
    /// /proc/stat as first read in the scrape running on this thread: the
    /// cpu and stat collectors share one read of it per scrape.
    static IN_SCRAPE: RefCell<Option<Option<Rc<ProcStat>>>> = const { RefCell::new(None) };
}

/// Runs `f` (one scrape) with /proc/stat read at most once inside it.
pub(crate) fn once_per_scrape<T>(f: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_SCRAPE.set(None);
        }
    }
    IN_SCRAPE.set(Some(None));
    let _reset = Reset;
    f()
}

/// Adds the /proc/stat families node_exporter's `stat` collector has.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::stat::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_forks_total"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let s = read(ctx)?;
    m.counter("node_intr_total", "Total number of interrupts serviced.")
        .set(s.intr as f64);
    m.counter(
        "node_context_switches_total",
        "Total number of context switches.",
    )
    .set(s.ctxt as f64);
    m.counter("node_forks_total", "Total number of forks.")
        .set(s.processes as f64);
    m.gauge("node_boot_time_seconds", "Node boot time, in unixtime.")
        .set(s.btime as f64);
    m.gauge(
        "node_procs_running",
        "Number of processes in runnable state.",
    )
    .set(s.procs_running as f64);
    m.gauge(
        "node_procs_blocked",
        "Number of processes blocked waiting for I/O to complete.",
    )
    .set(s.procs_blocked as f64);
    if ctx.opt("collector.stat.softirq") == "true" {
        for (vector, n) in SOFTIRQ_VECTORS.iter().zip(s.softirq) {
            m.counter("node_softirqs_total", "Number of softirq calls.")
                .sample(&[("vector", vector)], n as f64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0\n\
cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n\
cpu1 1335405 47422 570431 13356776 2862 0 2532 0 23374 12\n\
intr 199292213 9 0 0 0 0 0 0 0 1 0\n\
ctxt 338937893\n\
btime 1700000000\n\
processes 1564520\n\
procs_running 3\n\
procs_blocked 1\n\
softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 855 1009 1123275\n";

    #[test]
    fn real_file() {
        let s = parse(REAL).unwrap();
        assert_eq!(s.cpus.len(), 2);
        assert_eq!(s.cpus[0].user, 13932.8);
        assert_eq!(s.cpus[1].guest_nice, 0.12);
        assert_eq!(s.intr, 199292213);
        assert_eq!(s.ctxt, 338937893);
        assert_eq!(s.btime, 1700000000);
        assert_eq!(s.processes, 1564520);
        assert_eq!((s.procs_running, s.procs_blocked), (3, 1));
        assert_eq!(s.softirq[0], 250191);
        assert_eq!(s.softirq[9], 1123275);
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        for cut in 0..REAL.len() {
            let _ = parse(&REAL[..cut]);
        }
        for bad in [
            "cpu0 x 1 2\n",
            "cpuX 1 2 3\n",
            "cpu99999999999999999999 1\n",
            "cpu70000 1 2 3\n",
            "btime -1\n",
            "intr 1e9\n",
            "cpu0 NaN 1\n",
            "procs_running 99999999999999999999999\n",
            "intr 1 2 x\n",
            "softirq 1 2 3\n",
            "softirq 1 2 3 4 5 6 7 8 9 10 -11\n",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // Lines node_exporter skips.
        assert_eq!(
            parse("\n\nbtime\nfoo bar\n\0\u{fffd} x\n").unwrap(),
            ProcStat::default()
        );
    }
}
