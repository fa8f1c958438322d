//! Synthetic rows and a synthetic [`Source`] for the tests (never built into the
//! binary: production code must never show made-up processes).

use std::time::{Duration, Instant};

use super::model::{ProcRow, Snapshot, SystemInfo};
use super::source::Source;

/// A sleeping process with small defaults.
pub fn row(pid: u32, ppid: u32, user: &str, name: &str) -> ProcRow {
    ProcRow {
        tgid: pid,
        pid,
        ppid,
        user: user.to_string(),
        priority: 20,
        nice: 0,
        virt: 100 * 1024 * 1024,
        res: 10 * 1024 * 1024,
        shr: 5 * 1024 * 1024,
        status: "sleeping".to_string(),
        cpu_percent: 0.0,
        memory_percent: 0.5,
        cpu_time: 1.0,
        name: name.to_string(),
        cmdline: vec![format!("/usr/bin/{name}"), "--flag".to_string()],
        is_kernel_thread: false,
        read_bytes: Some(0),
        write_bytes: Some(0),
        num_threads: Some(1),
        cpu_num: Some(0),
        create_time: Some(1_699_990_000.0),
        terminal: None,
        uid: Some(0),
        ctx_switches: Some((10, 1)),
        page_faults: Some((100, 0)),
        ionice: Some((2, 4)),
    }
}

/// Fixed system figures: 4 CPUs, 8 GiB of memory, 2 GiB of swap.
pub fn system() -> SystemInfo {
    const GIB: u64 = 1024 * 1024 * 1024;
    SystemInfo {
        time: 1_700_000_000.0,
        cpu_percpu: vec![10.0, 50.0, 0.0, 100.0],
        cpu_total: 40.0,
        cpu_times: None,
        memory: Some(pskit::VirtualMemory {
            total: 8 * GIB,
            available: 6 * GIB,
            percent: 25.0,
            used: 2 * GIB,
            free: 4 * GIB,
            active: GIB,
            inactive: GIB,
            buffers: GIB / 4,
            cached: GIB,
            shared: GIB / 8,
            slab: GIB / 8,
        }),
        swap: Some(pskit::SwapMemory {
            total: 2 * GIB,
            used: GIB / 2,
            free: 3 * GIB / 2,
            percent: 25.0,
            sin: 0,
            sout: 0,
        }),
        load: Some((0.5, 0.25, 0.125)),
        uptime: Some(3.0 * 86400.0 + 4.0 * 3600.0 + 5.0 * 60.0),
        users: Some(2),
        pressure: None,
        cpu_limit: None,
        memory_limit: None,
        disk_bytes: None,
    }
}

/// A small process tree:
/// 1 init (root) ─┬─ 2 kthreadd (kernel) ── 3 kworker (kernel)
///                ├─ 100 sshd (root) ── 200 bash (alice) ─┬─ 300 vim (alice, 30 % CPU)
///                │                                        └─ 301 make (alice, 80 %, running)
///                └─ 400 nginx (www-data, 5 %) ── 401 nginx (www-data)
pub fn rows() -> Vec<ProcRow> {
    let mut v = vec![
        row(1, 0, "root", "init"),
        row(2, 0, "root", "kthreadd"),
        row(3, 2, "root", "kworker/0:1"),
        row(100, 1, "root", "sshd"),
        row(200, 100, "alice", "bash"),
        row(300, 200, "alice", "vim"),
        row(301, 200, "alice", "make"),
        row(400, 1, "www-data", "nginx"),
        row(401, 400, "www-data", "nginx"),
    ];
    for r in &mut v {
        if r.pid == 2 || r.pid == 3 {
            r.is_kernel_thread = true;
            r.cmdline.clear();
            r.virt = 0;
            r.res = 0;
            r.shr = 0;
            r.memory_percent = 0.0;
            r.read_bytes = None;
            r.write_bytes = None;
        }
    }
    v[5].cpu_percent = 30.0;
    v[5].memory_percent = 2.0;
    v[6].cpu_percent = 80.0;
    v[6].status = "running".to_string();
    v[6].cpu_time = 83.45;
    v[7].cpu_percent = 5.0;
    v[7].memory_percent = 1.0;
    v[8].status = "zombie".to_string();
    v
}

/// A source replaying the synthetic rows; each snapshot is one second after the
/// previous and adds `1 MiB * (pid % 7)` bytes read per process and 4 KiB written
/// by pid 200, so I/O rates are known. Signals and renices are recorded.
pub struct TestSource {
    pub at: Instant,
    pub count: u64,
    pub rows: Vec<ProcRow>,
    pub signals: Vec<(u32, i32)>,
    pub renices: Vec<(u32, i32)>,
    /// Errors every snapshot reports (empty unless a test sets them).
    pub errors: Vec<String>,
}

impl TestSource {
    pub fn new() -> TestSource {
        TestSource {
            at: Instant::now(),
            count: 0,
            rows: rows(),
            signals: Vec::new(),
            renices: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl Source for TestSource {
    fn snapshot(&mut self) -> Snapshot {
        self.at += Duration::from_secs(1);
        self.count += 1;
        for r in &mut self.rows {
            if let Some(b) = &mut r.read_bytes {
                *b += 1024 * 1024 * u64::from(r.pid % 7);
            }
            if let Some(b) = &mut r.write_bytes {
                if r.pid == 200 {
                    *b += 4096;
                }
            }
        }
        let mut system = system();
        system.time += self.count as f64;
        Snapshot {
            at: self.at,
            system,
            rows: self.rows.clone(),
            errors: self.errors.clone(),
        }
    }

    fn signal(&mut self, pid: u32, sig: i32) -> Result<(), String> {
        if pid == 1 {
            return Err("permission denied".to_string());
        }
        self.signals.push((pid, sig));
        Ok(())
    }

    fn renice(&mut self, pid: u32, nice: i32) -> Result<(), String> {
        self.renices.push((pid, nice));
        if let Some(r) = self.rows.iter_mut().find(|r| r.pid == pid) {
            r.nice = i64::from(nice);
        }
        Ok(())
    }
}
