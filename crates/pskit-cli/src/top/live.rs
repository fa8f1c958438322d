//! The real [`Source`]: process rows from the library's `process_iter`, signals and
//! renice through the `Process` handles of the last snapshot (so a pid reused
//! since then is refused, never signalled).

use std::collections::HashMap;
use std::time::Instant;

use super::model::{ProcRow, Snapshot};
use super::source::{Source, SystemHeader};

/// Reads every process once per refresh; `with_io` adds io_counters (iotop).
pub struct LiveSource {
    header: SystemHeader,
    with_io: bool,
    /// The handles shown last time, by pid: the identity signals are checked against.
    procs: HashMap<u32, pskit::Process>,
    /// (start ticks identity via create_time, cpu seconds) at the previous refresh.
    prev: HashMap<u32, (f64, f64)>,
    prev_at: Option<Instant>,
    /// One row per thread (top -H).
    threads: bool,
}

impl LiveSource {
    /// A source for `top` (`with_io = false`) or `iotop` (`with_io = true`).
    pub fn new(with_io: bool) -> LiveSource {
        let mut header = SystemHeader::new();
        header.with_disks = with_io;
        LiveSource {
            header,
            with_io,
            procs: HashMap::new(),
            prev: HashMap::new(),
            prev_at: None,
            threads: false,
        }
    }

    /// One row per thread instead of per process (top's `-H`).
    pub fn with_threads(mut self, on: bool) -> LiveSource {
        self.threads = on;
        self
    }

    fn attrs(&self) -> Vec<&'static str> {
        let mut a = vec![
            "ppid",
            "name",
            "status",
            "cpu_times",
            "memory_info",
            "username",
            "cmdline",
            "create_time",
            // nice and priority from stat (no getpriority call per process).
            "proc_stat",
            "num_threads",
            "cpu_num",
            "terminal",
            "uids",
            "page_faults",
            "num_ctx_switches",
        ];
        if self.with_io {
            a.push("io_counters");
            a.push("ionice");
        }
        a
    }
}

/// What a thread's own stat record says (the rest of its row is its
/// process's: memory, user, command line).
#[derive(Debug, PartialEq)]
struct TaskStat {
    name: String,
    state: char,
    /// utime + stime in clock ticks.
    ticks: u64,
    priority: i64,
    nice: i64,
    /// When it started, in ticks after boot: with the tid, its identity.
    start: u64,
    processor: Option<u32>,
}

/// Parses /proc/PID/task/TID/stat; None when it is not a stat record.
fn parse_task_stat(text: &str) -> Option<TaskStat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text.get(open + 1..close)?.to_string();
    let f: Vec<&str> = text.get(close + 1..)?.split_ascii_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
    let int = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok());
    Some(TaskStat {
        name,
        state: f.first()?.chars().next()?,
        ticks: num(11)?.checked_add(num(12)?)?,
        priority: int(15)?,
        nice: int(16)?,
        start: num(19)?,
        processor: num(36).and_then(|p| u32::try_from(p).ok()),
    })
}

/// A process's row as one row per thread, each with the thread's own state,
/// name, priority, nice, CPU time and %CPU; the process's row when its
/// threads cannot be listed (it is gone, or not ours to read).
fn thread_rows(
    proc_row: ProcRow,
    last: &HashMap<u32, (f64, f64)>,
    wall: Option<f64>,
    now: &mut HashMap<u32, (f64, f64)>,
) -> Vec<ProcRow> {
    let task = pskit::Root::current()
        .proc()
        .join(format!("{}/task", proc_row.pid));
    let Ok(dir) = std::fs::read_dir(&task) else {
        return vec![proc_row];
    };
    let hz = rustix::param::clock_ticks_per_second() as f64;
    let mut tids: Vec<u32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    let mut out = Vec::with_capacity(tids.len());
    for tid in tids {
        let Some(st) = crate::fmt::read_small(&task.join(format!("{tid}/stat")))
            .ok()
            .as_deref()
            .and_then(parse_task_stat)
        else {
            continue; // the thread ended
        };
        let cpu_time = st.ticks as f64 / hz;
        let identity = st.start as f64;
        let cpu_percent = match (last.get(&tid), wall) {
            (Some(&(c, t)), Some(w)) if c == identity && w > 0.0 => {
                ((cpu_time - t).max(0.0) / w * 100.0 * 10.0).round() / 10.0
            }
            _ => 0.0,
        };
        now.insert(tid, (identity, cpu_time));
        let status = u8::try_from(st.state)
            .map(pskit::process::Status::from_letter)
            .unwrap_or(pskit::process::Status::Unknown)
            .to_string();
        out.push(ProcRow {
            pid: tid,
            name: st.name,
            status,
            cpu_time,
            cpu_percent,
            priority: st.priority,
            nice: st.nice,
            cpu_num: st.processor.or(proc_row.cpu_num),
            num_threads: Some(1),
            ..proc_row.clone()
        });
    }
    if out.is_empty() {
        out.push(proc_row);
    }
    out
}

impl Source for LiveSource {
    fn snapshot(&mut self) -> Snapshot {
        let mut errors = Vec::new();
        let system = self.header.read_checked(&mut errors);
        let at = Instant::now();
        let infos = match pskit::process::process_scan(self.attrs()) {
            Ok(scan) => {
                errors.extend(scan.errors.iter().map(|e| e.to_string()));
                scan.processes
            }
            Err(e) => {
                errors.push(e.to_string());
                Vec::new()
            }
        };
        let total_mem = system.memory.map(|m| m.total).unwrap_or(0) as f64;
        let wall = self.prev_at.map(|p| at.duration_since(p).as_secs_f64());
        let mut rows = Vec::with_capacity(infos.len());
        let mut prev = HashMap::with_capacity(infos.len());
        let mut procs = HashMap::with_capacity(infos.len());
        for info in infos {
            let pid = info.pid();
            let ppid = info.ppid.unwrap_or(0);
            let cpu_time = info.cpu_times.map(|t| t.user + t.system).unwrap_or(0.0);
            let created = info.create_time.unwrap_or(0.0);
            // psutil's Process.cpu_percent: Δcpu / Δwall × 100, not divided by the
            // CPU count (so a busy multithreaded process can exceed 100, as in top).
            let cpu_percent = match (self.prev.get(&pid), wall) {
                (Some(&(c, t)), Some(w)) if c == created && w > 0.0 => {
                    ((cpu_time - t).max(0.0) / w * 100.0 * 10.0).round() / 10.0
                }
                _ => 0.0,
            };
            prev.insert(pid, (created, cpu_time));
            let mem = info.memory_info;
            let st = info.proc_stat.get();
            let nice = st.map_or(0, |st| st.nice);
            let io = info.io_counters.get();
            let cmdline = info.cmdline.clone().unwrap_or_default();
            rows.push(ProcRow {
                pid,
                tgid: pid,
                ppid,
                user: info
                    .username
                    .clone()
                    .value()
                    .or_else(|| info.uids.get().map(|u| u.real.to_string()))
                    .unwrap_or_else(|| "?".into()),
                priority: st.map_or(20 + nice, |st| st.priority),
                nice,
                virt: mem.map(|m| m.vms).unwrap_or(0),
                res: mem.map(|m| m.rss).unwrap_or(0),
                shr: mem.map(|m| m.shared).unwrap_or(0),
                status: info
                    .status
                    .unwrap_or(pskit::process::Status::Unknown)
                    .to_string(),
                cpu_percent,
                memory_percent: match (mem, total_mem > 0.0) {
                    (pskit::process::Field::Value(m), true) => m.rss as f64 / total_mem * 100.0,
                    _ => 0.0,
                },
                cpu_time,
                name: info.name.clone().unwrap_or_default(),
                // kthreadd (pid 2) and its children are the kernel's threads.
                is_kernel_thread: pid == 2 || ppid == 2,
                cmdline,
                read_bytes: io.map(|c| c.read_bytes),
                write_bytes: io.map(|c| c.write_bytes),
                num_threads: info.num_threads.value(),
                cpu_num: info.cpu_num.value(),
                create_time: info.create_time.value(),
                terminal: info.terminal.clone().value().flatten(),
                uid: info.uids.get().map(|u| u.real),
                ctx_switches: info
                    .num_ctx_switches
                    .get()
                    .map(|c| (c.voluntary, c.involuntary)),
                page_faults: info.page_faults.get().map(|f| (f.minor, f.major)),
                ionice: info.ionice.get().map(|i| (i.ioclass, i.value)),
            });
            procs.insert(pid, info.process);
        }
        if self.threads {
            rows = rows
                .into_iter()
                .flat_map(|r| thread_rows(r, &self.prev, wall, &mut prev))
                .collect();
        }
        self.prev = prev;
        self.prev_at = Some(at);
        self.procs = procs;
        Snapshot {
            at,
            system,
            rows,
            errors,
        }
    }

    fn signal(&mut self, pid: u32, sig: i32) -> Result<(), String> {
        let p = self.procs.get(&pid).ok_or("no such process")?;
        p.send_signal(sig).map_err(|e| crate::kill::reason(&e))
    }

    fn renice(&mut self, pid: u32, nice: i32) -> Result<(), String> {
        let p = self.procs.get(&pid).ok_or("no such process")?;
        p.set_nice(nice).map_err(|e| crate::kill::reason(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_stat_parses_and_refuses_garbage() {
        let line = "4242 (a b) c) S 1 1 1 0 -1 4194560 10 0 0 0 7 3 0 0 20 0 4 0 \
                    12345 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        let st = parse_task_stat(line).unwrap();
        assert_eq!(st.name, "a b) c");
        assert_eq!((st.state, st.ticks, st.priority, st.nice), ('S', 10, 20, 0));
        assert_eq!((st.start, st.processor), (12345, Some(1)));
        for bad in [
            "",
            "(",
            ")(",
            "1 (x)",
            "1 (x) S",
            "1 (x) S 1 1 1 0 -1 0 0 0 0 0 99999999999999999999 1",
            "1 (x) S 1 1 1 0 -1 0 0 0 0 0 18446744073709551615 1 0 0 20 0 1 0 5",
        ] {
            assert!(parse_task_stat(bad).is_none(), "{bad}");
        }
    }
}
