//! `pskit` with no arguments: a one-screen summary of the machine.

use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use crate::fmt::{bar, bytes2human, print_json, uptime_text, CmdResult};

/// How long the CPU sample lasts.
const SAMPLE: Duration = Duration::from_millis(250);

#[derive(Serialize)]
struct Summary {
    hostname: String,
    kernel: String,
    boot_time: f64,
    uptime_seconds: f64,
    cpu_percent: f64,
    cpu_percent_percpu: Vec<f64>,
    cpu_count: (Option<u32>, Option<u32>),
    cpu_freq: Option<pskit::CpuFreq>,
    getloadavg: (f64, f64, f64),
    virtual_memory: pskit::VirtualMemory,
    swap_memory: pskit::SwapMemory,
    users: Vec<pskit::User>,
    cpu_limit: Option<pskit::container::CpuLimit>,
    memory_limit: Option<pskit::container::MemoryLimit>,
    pressure: Option<pskit::pressure::Pressure>,
    disks: Vec<DiskLine>,
    nics: Vec<NicLine>,
    busiest: Vec<Busy>,
}

#[derive(Serialize)]
struct Busy {
    pid: u32,
    name: String,
    username: Option<String>,
    cpu_percent: f64,
    rss: u64,
}

const BUSY_ATTRS: [&str; 4] = ["name", "cpu_times", "memory_info", "username"];

/// The processes that used the most CPU between two scans `secs` apart (psutil's
/// Process.cpu_percent: Δcpu / Δwall × 100), ties broken by resident memory.
fn busiest(before: Vec<pskit::ProcessInfo>, secs: f64, n: usize) -> Vec<Busy> {
    let cpu = |i: &pskit::ProcessInfo| i.cpu_times.map(|t| t.user + t.system).unwrap_or(0.0);
    let earlier: std::collections::HashMap<u32, (&pskit::Process, f64)> = before
        .iter()
        .map(|i| (i.pid(), (&i.process, cpu(i))))
        .collect();
    let mut now: Vec<Busy> = pskit::process_iter(BUSY_ATTRS)
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            // The same process (pid and start time) as in the first scan.
            let start = match earlier.get(&i.pid()) {
                Some((p, c)) if **p == i.process => *c,
                _ => cpu(&i),
            };
            Busy {
                pid: i.pid(),
                cpu_percent: ((cpu(&i) - start).max(0.0) / secs * 1000.0).round() / 10.0,
                rss: i.memory_info.map(|m| m.rss).unwrap_or(0),
                name: i.name.unwrap_or_default(),
                username: i.username.value(),
            }
        })
        .collect();
    now.sort_by(|a, b| {
        b.cpu_percent
            .total_cmp(&a.cpu_percent)
            .then(b.rss.cmp(&a.rss))
    });
    now.truncate(n);
    now
}

#[derive(Serialize)]
struct DiskLine {
    mountpoint: String,
    device: String,
    fstype: String,
    usage: pskit::DiskUsage,
}

#[derive(Serialize)]
struct NicLine {
    name: String,
    isup: bool,
    addresses: Vec<String>,
    counters: Option<pskit::NetIoCounters>,
}

fn disks() -> Vec<DiskLine> {
    pskit::disk_partitions(false)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let usage = pskit::disk_usage(&p.mountpoint).ok()?;
            Some(DiskLine {
                mountpoint: p.mountpoint,
                device: p.device,
                fstype: p.fstype,
                usage,
            })
        })
        .collect()
}

fn nics() -> Vec<NicLine> {
    let stats = pskit::net_if_stats().unwrap_or_default();
    let mut addrs = pskit::net_if_addrs().unwrap_or_default();
    let mut io = pskit::net_io_counters_pernic(true).unwrap_or_default();
    stats
        .into_iter()
        .map(|(name, st)| NicLine {
            isup: st.isup,
            addresses: addrs
                .shift_remove(&name)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| a.family == pskit::net::AF_INET || a.family == pskit::net::AF_INET6)
                .map(|a| a.address)
                .collect(),
            counters: io.shift_remove(&name),
            name,
        })
        .collect()
}

fn collect() -> pskit::Result<Summary> {
    // Prime the per-thread samples, wait, then read the deltas.
    pskit::cpu_percent(None)?;
    pskit::cpu_percent_percpu(None)?;
    let before = pskit::process_iter(BUSY_ATTRS).unwrap_or_default();
    std::thread::sleep(SAMPLE);
    let cpu_percent = pskit::cpu_percent(None)?;
    let cpu_percent_percpu = pskit::cpu_percent_percpu(None)?;
    let uname = rustix::system::uname();
    let boot_time = pskit::boot_time()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(boot_time);
    Ok(Summary {
        hostname: uname.nodename().to_string_lossy().into_owned(),
        kernel: format!(
            "{} {}",
            uname.sysname().to_string_lossy(),
            uname.release().to_string_lossy()
        ),
        boot_time,
        uptime_seconds: (now - boot_time).max(0.0),
        cpu_percent,
        cpu_percent_percpu,
        cpu_count: (pskit::cpu_count(true), pskit::cpu_count(false)),
        cpu_freq: pskit::cpu_freq()?,
        getloadavg: pskit::getloadavg()?,
        virtual_memory: pskit::virtual_memory()?,
        swap_memory: pskit::swap_memory()?,
        users: pskit::users()?,
        cpu_limit: pskit::container::cpu_limit().ok(),
        memory_limit: pskit::container::memory_limit().ok(),
        pressure: pskit::pressure::pressure().ok(),
        disks: disks(),
        nics: nics(),
        busiest: busiest(before, SAMPLE.as_secs_f64(), 5),
    })
}

fn render(s: &Summary) -> String {
    let mut out = String::new();
    let (l1, l5, l15) = s.getloadavg;
    out.push_str(&format!(
        "{} · {} · up {} · {} user{} · load {l1:.2} {l5:.2} {l15:.2}\n",
        s.hostname,
        s.kernel,
        uptime_text(s.uptime_seconds as u64),
        s.users.len(),
        if s.users.len() == 1 { "" } else { "s" },
    ));
    let cores = match s.cpu_count {
        (Some(l), Some(p)) => format!("{l} logical, {p} physical"),
        (Some(l), None) => format!("{l} logical"),
        _ => "unknown count".into(),
    };
    let freq = s
        .cpu_freq
        .map(|f| format!(", {:.0} MHz", f.current))
        .unwrap_or_default();
    out.push_str(&format!(
        "CPU   {} {:5.1}%  ({cores}{freq})\n",
        bar(s.cpu_percent, 30),
        s.cpu_percent
    ));
    for (i, p) in s.cpu_percent_percpu.iter().enumerate() {
        out.push_str(&format!(
            "{:<5} {} {:5.1}%\n",
            format!("cpu{i}"),
            bar(*p, 30),
            p
        ));
    }
    let vm = &s.virtual_memory;
    out.push_str(&format!(
        "Mem   {} {:5.1}%  {} used of {}, {} available, {} cached\n",
        bar(vm.percent, 30),
        vm.percent,
        bytes2human(vm.used),
        bytes2human(vm.total),
        bytes2human(vm.available),
        bytes2human(vm.buffers.saturating_add(vm.cached))
    ));
    let sw = &s.swap_memory;
    if sw.total > 0 {
        out.push_str(&format!(
            "Swap  {} {:5.1}%  {} used of {}\n",
            bar(sw.percent, 30),
            sw.percent,
            bytes2human(sw.used),
            bytes2human(sw.total)
        ));
    } else {
        out.push_str("Swap  none\n");
    }
    let cpu_quota = s.cpu_limit.as_ref().and_then(|c| c.quota);
    let mem_limit = s.memory_limit.as_ref().and_then(|m| m.limit);
    if cpu_quota.is_some() || mem_limit.is_some() {
        let mut parts = Vec::new();
        if let Some(c) = &s.cpu_limit {
            if c.quota.is_some() {
                parts.push(format!(
                    "CPU {:.2} of {} (cgroup v{})",
                    c.cpus,
                    c.affinity,
                    c.cgroup_version.unwrap_or(0)
                ));
            }
        }
        if let (Some(m), Some(limit)) = (&s.memory_limit, mem_limit) {
            let usage = m.usage.map(bytes2human).unwrap_or_else(|| "?".into());
            parts.push(format!(
                "memory {usage} of {} (cgroup v{})",
                bytes2human(limit),
                m.cgroup_version.unwrap_or(0)
            ));
        }
        out.push_str(&format!("Limit {}\n", parts.join(", ")));
    }
    if let Some(p) = &s.pressure {
        let fmt = |name: &str, r: &Option<pskit::pressure::ResourcePressure>| {
            r.and_then(|r| r.some)
                .map(|l| format!("{name} {:.2}%", l.avg10))
        };
        let parts: Vec<String> = [
            fmt("cpu", &p.cpu),
            fmt("memory", &p.memory),
            fmt("io", &p.io),
            fmt("irq", &p.irq),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !parts.is_empty() {
            out.push_str(&format!("PSI   some avg10: {}\n", parts.join(", ")));
        }
    }
    for d in &s.disks {
        let u = &d.usage;
        out.push_str(&format!(
            "Disk  {} {:5.1}%  {} used of {} on {} ({})\n",
            bar(u.percent, 30),
            u.percent,
            bytes2human(u.used),
            bytes2human(u.total),
            d.mountpoint,
            d.fstype
        ));
    }
    for n in &s.nics {
        let io = n
            .counters
            .map(|c| {
                format!(
                    "  rx {} tx {}",
                    bytes2human(c.bytes_recv),
                    bytes2human(c.bytes_sent)
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "Net   {:<10} {:<4} {}{io}\n",
            n.name,
            if n.isup { "up" } else { "down" },
            n.addresses.join(" ")
        ));
    }
    for u in &s.users {
        out.push_str(&format!("User  {}\n", crate::who::user_line(u)));
    }
    if !s.busiest.is_empty() {
        out.push_str(&format!(
            "{:>12} {:<10} {:>6} {:>8}  NAME\n",
            "PID", "USER", "%CPU", "RSS"
        ));
        for b in &s.busiest {
            out.push_str(&format!(
                "{:>12} {:<10} {:>6.1} {:>8}  {}\n",
                b.pid,
                b.username.as_deref().unwrap_or("?"),
                b.cpu_percent,
                bytes2human(b.rss),
                b.name
            ));
        }
    }
    out
}

/// Runs `pskit` with no subcommand.
pub fn run(json: bool) -> CmdResult {
    let s = collect()?;
    if json {
        print_json(&s)?;
    } else {
        print!("{}", render(&s));
    }
    Ok(ExitCode::SUCCESS)
}
