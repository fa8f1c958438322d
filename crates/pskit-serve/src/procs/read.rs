//! What the namedprocess collector reads of one tracked process, each file
//! once per scrape, and only the files its metrics need: `stat` comes from
//! pskit's scan; `status` (context switches, VmSwap), `io`, the `fd`
//! directory, the open-files limit (prlimit(2) on the host's procfs,
//! `limits` otherwise) and `wchan` are read here; `smaps_rollup` only with
//! gather-smaps; `task/*/{stat,status,wchan}` only for a process with two
//! threads or more (`task/*/io` only when thread metrics are on).

use std::path::{Path, PathBuf};

use pskit::process::ProcStat;

/// The counters process-exporter sums over a group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Counts {
    pub user: f64,
    pub system: f64,
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub major_faults: u64,
    pub minor_faults: u64,
    pub ctx_voluntary: u64,
    pub ctx_nonvoluntary: u64,
}

impl Counts {
    /// `self - old`, each field floored at 0 (a multi-threaded process's
    /// context switches, summed over its threads, drop when a thread exits).
    pub fn since(&self, old: &Counts) -> Counts {
        Counts {
            user: (self.user - old.user).max(0.0),
            system: (self.system - old.system).max(0.0),
            read_bytes: self.read_bytes.saturating_sub(old.read_bytes),
            write_bytes: self.write_bytes.saturating_sub(old.write_bytes),
            major_faults: self.major_faults.saturating_sub(old.major_faults),
            minor_faults: self.minor_faults.saturating_sub(old.minor_faults),
            ctx_voluntary: self.ctx_voluntary.saturating_sub(old.ctx_voluntary),
            ctx_nonvoluntary: self.ctx_nonvoluntary.saturating_sub(old.ctx_nonvoluntary),
        }
    }

    pub fn add(&mut self, d: &Counts) {
        self.user += d.user;
        self.system += d.system;
        self.read_bytes += d.read_bytes;
        self.write_bytes += d.write_bytes;
        self.major_faults += d.major_faults;
        self.minor_faults += d.minor_faults;
        self.ctx_voluntary += d.ctx_voluntary;
        self.ctx_nonvoluntary += d.ctx_nonvoluntary;
    }
}

/// Processes (and threads) by state, as process-exporter counts them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct States {
    pub running: u64,
    pub sleeping: u64,
    pub waiting: u64,
    pub zombie: u64,
    pub other: u64,
}

impl States {
    pub fn count(&mut self, state: char) {
        match state {
            'R' => self.running += 1,
            'S' => self.sleeping += 1,
            'D' => self.waiting += 1,
            'Z' => self.zombie += 1,
            _ => self.other += 1,
        }
    }

    pub fn add(&mut self, o: &States) {
        self.running += o.running;
        self.sleeping += o.sleeping;
        self.waiting += o.waiting;
        self.zombie += o.zombie;
        self.other += o.other;
    }
}

/// One thread of a multi-threaded process.
#[derive(Debug, Clone)]
pub(crate) struct ThreadRead {
    pub tid: u32,
    pub start: u64,
    pub name: String,
    pub counts: Counts,
    pub wchan: Option<String>,
}

/// One process's metrics at this scrape.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProcRead {
    pub counts: Counts,
    pub rss: u64,
    pub vsize: u64,
    pub swap: u64,
    pub pss: u64,
    pub swap_pss: u64,
    /// -1 when the fd directory could not be read.
    pub open_fds: i64,
    pub fd_limit: f64,
    pub num_threads: u64,
    pub states: States,
    pub wchan: Option<String>,
    /// Empty unless the process has two threads or more.
    pub threads: Vec<ThreadRead>,
    /// Some file other than stat and status could not be read.
    pub partial: bool,
}

/// What to read beyond the basics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Want {
    pub smaps: bool,
    pub thread_io: bool,
}

fn ticks() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

/// The lines of status the collector uses: (voluntary, nonvoluntary,
/// VmSwap bytes, effective uid).
pub(crate) fn read_status(dir: &Path) -> Option<(u64, u64, u64, Option<u32>)> {
    pskit::fs::with_text(&dir.join("status"), |t| {
        let (mut v, mut n, mut swap, mut euid) = (0, 0, 0, None);
        for line in t.lines() {
            let Some((k, rest)) = line.split_once(':') else {
                continue;
            };
            let num = || {
                rest.split_whitespace()
                    .next()
                    .and_then(|x| x.parse::<u64>().ok())
            };
            match k {
                "voluntary_ctxt_switches" => v = num().unwrap_or(0),
                "nonvoluntary_ctxt_switches" => n = num().unwrap_or(0),
                "VmSwap" => swap = num().unwrap_or(0) * 1024,
                "Uid" => euid = rest.split_whitespace().nth(1).and_then(|x| x.parse().ok()),
                _ => {}
            }
        }
        Ok((v, n, swap, euid))
    })
    .ok()
}

fn read_io(dir: &Path) -> Option<(u64, u64)> {
    pskit::fs::with_text(&dir.join("io"), |t| {
        let (mut r, mut w) = (None, None);
        for line in t.lines() {
            if let Some(v) = line.strip_prefix("read_bytes:") {
                r = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("write_bytes:") {
                w = v.trim().parse().ok();
            }
        }
        Ok(r.zip(w))
    })
    .ok()
    .flatten()
}

fn read_wchan(dir: &Path) -> Option<Option<String>> {
    pskit::fs::with_text(&dir.join("wchan"), |t| {
        let t = t.trim_end_matches('\n');
        Ok((!t.is_empty() && t != "0").then(|| t.to_string()))
    })
    .ok()
}

fn read_smaps(dir: &Path) -> Option<(u64, u64)> {
    pskit::fs::with_text(&dir.join("smaps_rollup"), |t| {
        let (mut pss, mut swap_pss) = (0, 0);
        for line in t.lines() {
            let kb = |v: &str| {
                v.split_whitespace()
                    .next()
                    .and_then(|x| x.parse::<u64>().ok())
            };
            if let Some(v) = line.strip_prefix("Pss:") {
                pss = kb(v).unwrap_or(0) * 1024;
            } else if let Some(v) = line.strip_prefix("SwapPss:") {
                swap_pss = kb(v).unwrap_or(0) * 1024;
            }
        }
        Ok((pss, swap_pss))
    })
    .ok()
}

/// The fields of a thread's stat: (comm, state, utime, stime, minflt,
/// majflt, starttime).
fn read_thread_stat(dir: &Path) -> Option<(String, char, u64, u64, u64, u64, u64)> {
    pskit::fs::with_text(&dir.join("stat"), |t| {
        let open = t.find('(');
        let close = t.rfind(')');
        let (Some(o), Some(c)) = (open, close) else {
            return Ok(None);
        };
        let comm = t[o + 1..c].to_string();
        let f: Vec<&str> = t[c + 1..].split_whitespace().collect();
        let n = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        let state = f.first().and_then(|s| s.chars().next()).unwrap_or('?');
        // Fields 3.. of stat: state is field 3, so field k is f[k - 3].
        Ok(Some((comm, state, n(11), n(12), n(7), n(9), n(19))))
    })
    .ok()
    .flatten()
}

fn read_threads(dir: &Path, want: Want, tck: f64) -> Option<Vec<(ThreadRead, char)>> {
    let task = dir.join("task");
    let mut tids: Vec<u32> = std::fs::read_dir(&task)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    let mut out = Vec::with_capacity(tids.len());
    for tid in tids {
        let td = task.join(tid.to_string());
        // A thread that ends meanwhile is left out, as process-exporter does.
        let Some((name, state, ut, st, minflt, majflt, start)) = read_thread_stat(&td) else {
            continue;
        };
        let Some((vol, nonvol, _, _)) = read_status(&td) else {
            continue;
        };
        let (rb, wb) = if want.thread_io {
            read_io(&td).unwrap_or((0, 0))
        } else {
            (0, 0)
        };
        let wchan = read_wchan(&td).flatten();
        out.push((
            ThreadRead {
                tid,
                start,
                name,
                counts: Counts {
                    user: ut as f64 / tck,
                    system: st as f64 / tck,
                    read_bytes: rb,
                    write_bytes: wb,
                    major_faults: majflt,
                    minor_faults: minflt,
                    ctx_voluntary: vol,
                    ctx_nonvoluntary: nonvol,
                },
                wchan,
            },
            state,
        ));
    }
    Some(out)
}

/// The procfs directory of a process.
pub(crate) fn pid_dir(proc_root: &Path, pid: u32) -> PathBuf {
    proc_root.join(pid.to_string())
}

/// Reads one process's metrics, its stat already read by the scan. `None`
/// when the process is gone (or its status cannot be read at all).
pub(crate) fn read_proc(
    p: &pskit::Process,
    dir: &Path,
    stat: &ProcStat,
    want: Want,
) -> Option<ProcRead> {
    let tck = ticks();
    let (vol, nonvol, swap, _) = read_status(dir)?;
    let mut partial = false;
    let (rb, wb) = read_io(dir).unwrap_or_else(|| {
        partial = true;
        (0, 0)
    });
    let open_fds = match p.num_fds() {
        Ok(n) => i64::from(n),
        Err(_) => {
            partial = true;
            -1
        }
    };
    let fd_limit = match p.rlimit(pskit::process::RLIMIT_NOFILE) {
        Ok((soft, _)) if soft >= 0 => soft as f64,
        Ok(_) => u64::MAX as f64,
        Err(_) => {
            partial = true;
            f64::INFINITY
        }
    };
    let wchan = read_wchan(dir).unwrap_or_else(|| {
        partial = true;
        None
    });
    let (pss, swap_pss) = if want.smaps {
        read_smaps(dir).unwrap_or_else(|| {
            partial = true;
            (0, 0)
        })
    } else {
        (0, 0)
    };
    let mut states = States::default();
    states.count(stat.state);
    let mut counts = Counts {
        user: stat.utime as f64 / tck,
        system: stat.stime as f64 / tck,
        read_bytes: rb,
        write_bytes: wb,
        major_faults: stat.majflt,
        minor_faults: stat.minflt,
        ctx_voluntary: vol,
        ctx_nonvoluntary: nonvol,
    };
    let mut threads = Vec::new();
    if stat.num_threads >= 2 {
        match read_threads(dir, want, tck) {
            // status counts the main thread's switches only: a process's
            // are the sum over its threads; each thread's state counts too.
            Some(ts) if ts.len() >= 2 => {
                counts.ctx_voluntary = 0;
                counts.ctx_nonvoluntary = 0;
                for (t, state) in ts {
                    counts.ctx_voluntary += t.counts.ctx_voluntary;
                    counts.ctx_nonvoluntary += t.counts.ctx_nonvoluntary;
                    states.count(state);
                    threads.push(t);
                }
            }
            Some(_) => {}
            None => partial = true,
        }
    }
    Some(ProcRead {
        counts,
        rss: stat.rss * rustix::param::page_size() as u64,
        vsize: stat.vsize,
        swap,
        pss,
        swap_pss,
        open_fds,
        fd_limit,
        num_threads: stat.num_threads,
        states,
        wchan,
        threads,
        partial,
    })
}
