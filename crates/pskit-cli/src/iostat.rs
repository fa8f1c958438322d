//! `pskit iostat`: per-disk I/O rates like sysstat's `iostat`, from the deltas of
//! `disk_io_counters_perdisk` (and `cpu_times` for the avg-cpu line).
//!
//! The first report covers the time since boot; each later one the last interval.
//! Devices that never did any I/O are left out, as iostat does. Partitions are
//! listed too (as `iostat -p ALL`): psutil's per-disk call includes them.
//! With `--json`, each report is one line of JSON (JSON Lines), so a stream of
//! reports can be read as it comes.

use pskit::IndexMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pskit::{CpuTimes, DiskIoCounters};
use serde::Serialize;

use crate::fmt::CmdResult;

/// Arguments of `pskit iostat`.
#[derive(clap::Args)]
pub struct Args {
    /// Show the device report only (no avg-cpu line).
    #[arg(short = 'd')]
    device_only: bool,
    /// Extended statistics: r/s, w/s, rkB/s, wkB/s, merges, await times, %util.
    #[arg(short = 'x')]
    extended: bool,
    /// Seconds between reports (fractions allowed).
    interval: Option<f64>,
    /// Number of reports (default: one without an interval, endless with one).
    count: Option<u64>,
    /// Print each report as one line of JSON.
    #[arg(long)]
    json: bool,
}

/// One device's rates over an interval (sysstat's JSON names).
#[derive(Debug, Serialize, PartialEq)]
struct DeviceRates {
    tps: f64,
    #[serde(rename = "kB_read/s")]
    kb_read_s: f64,
    #[serde(rename = "kB_wrtn/s")]
    kb_wrtn_s: f64,
    #[serde(rename = "kB_read")]
    kb_read: u64,
    #[serde(rename = "kB_wrtn")]
    kb_wrtn: u64,
    #[serde(rename = "r/s")]
    r_s: f64,
    #[serde(rename = "w/s")]
    w_s: f64,
    #[serde(rename = "rkB/s")]
    rkb_s: f64,
    #[serde(rename = "wkB/s")]
    wkb_s: f64,
    #[serde(rename = "rrqm/s")]
    rrqm_s: f64,
    #[serde(rename = "wrqm/s")]
    wrqm_s: f64,
    r_await: f64,
    w_await: f64,
    util: f64,
}

/// The avg-cpu line, in percent of all CPU time over the interval.
#[derive(Debug, Serialize, PartialEq)]
struct AvgCpu {
    user: f64,
    nice: f64,
    system: f64,
    iowait: f64,
    steal: f64,
    idle: f64,
}

#[derive(Serialize)]
struct Report {
    interval_secs: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    avg_cpu: Option<AvgCpu>,
    devices: IndexMap<String, DeviceRates>,
}

/// Rates of one device between two samples `secs` apart.
fn rates(old: &DiskIoCounters, new: &DiskIoCounters, secs: f64) -> DeviceRates {
    let d = |a: u64, b: u64| b.saturating_sub(a);
    let reads = d(old.read_count, new.read_count);
    let writes = d(old.write_count, new.write_count);
    let rbytes = d(old.read_bytes, new.read_bytes);
    let wbytes = d(old.write_bytes, new.write_bytes);
    let per_s = |x: u64| if secs > 0.0 { x as f64 / secs } else { 0.0 };
    let avg = |ms: u64, n: u64| if n > 0 { ms as f64 / n as f64 } else { 0.0 };
    let busy_ms = d(old.busy_time, new.busy_time) as f64;
    DeviceRates {
        tps: per_s(reads.saturating_add(writes)),
        kb_read_s: per_s(rbytes) / 1024.0,
        kb_wrtn_s: per_s(wbytes) / 1024.0,
        kb_read: rbytes / 1024,
        kb_wrtn: wbytes / 1024,
        r_s: per_s(reads),
        w_s: per_s(writes),
        rkb_s: per_s(rbytes) / 1024.0,
        wkb_s: per_s(wbytes) / 1024.0,
        rrqm_s: per_s(d(old.read_merged_count, new.read_merged_count)),
        wrqm_s: per_s(d(old.write_merged_count, new.write_merged_count)),
        r_await: avg(d(old.read_time, new.read_time), reads),
        w_await: avg(d(old.write_time, new.write_time), writes),
        util: if secs > 0.0 {
            (busy_ms / (secs * 10.0)).min(100.0)
        } else {
            0.0
        },
    }
}

/// iostat's avg-cpu split of a cpu_times delta (%system includes irq and softirq).
fn avg_cpu(old: &CpuTimes, new: &CpuTimes) -> AvgCpu {
    let d = |a: f64, b: f64| (b - a).max(0.0);
    let user = d(old.user, new.user);
    let nice = d(old.nice, new.nice);
    let system = d(old.system, new.system) + d(old.irq, new.irq) + d(old.softirq, new.softirq);
    let iowait = d(old.iowait, new.iowait);
    let steal = d(old.steal, new.steal);
    let idle = d(old.idle, new.idle);
    let total = user + nice + system + iowait + steal + idle;
    let pct = |x: f64| if total > 0.0 { x / total * 100.0 } else { 0.0 };
    AvgCpu {
        user: pct(user),
        nice: pct(nice),
        system: pct(system),
        iowait: pct(iowait),
        steal: pct(steal),
        idle: pct(idle),
    }
}

struct Sample {
    at: Instant,
    disks: IndexMap<String, DiskIoCounters>,
    cpu: Option<CpuTimes>,
}

fn sample(with_cpu: bool) -> pskit::Result<Sample> {
    Ok(Sample {
        at: Instant::now(),
        disks: pskit::disk_io_counters_perdisk(true)?,
        cpu: if with_cpu {
            Some(pskit::cpu_times()?)
        } else {
            None
        },
    })
}

/// A report between `old` (None: boot) and `new`.
fn report(old: Option<&Sample>, new: &Sample, uptime: f64) -> Report {
    let secs = old.map_or(uptime, |o| new.at.duration_since(o.at).as_secs_f64());
    let zero = DiskIoCounters::default();
    let devices = new
        .disks
        .iter()
        .filter(|(_, c)| **c != zero)
        .map(|(name, c)| {
            let prev = old.and_then(|o| o.disks.get(name)).unwrap_or(&zero);
            (name.clone(), rates(prev, c, secs))
        })
        .collect();
    let avg_cpu = new.cpu.as_ref().map(|c| {
        let base = old.and_then(|o| o.cpu).unwrap_or_default();
        avg_cpu(&base, c)
    });
    Report {
        interval_secs: secs,
        avg_cpu,
        devices,
    }
}

fn print_report(r: &Report, extended: bool) {
    let mut out = String::new();
    if let Some(c) = &r.avg_cpu {
        out.push_str("avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n");
        out.push_str(&format!(
            "         {:7.2} {:7.2} {:7.2} {:7.2} {:7.2} {:7.2}\n\n",
            c.user, c.nice, c.system, c.iowait, c.steal, c.idle
        ));
    }
    let w = r.devices.keys().map(|n| n.len()).max().unwrap_or(0).max(12);
    if extended {
        out.push_str(&format!(
            "{:<w$} {:>8} {:>10} {:>8} {:>8} {:>8} {:>10} {:>8} {:>8} {:>7}\n",
            "Device",
            "r/s",
            "rkB/s",
            "rrqm/s",
            "r_await",
            "w/s",
            "wkB/s",
            "wrqm/s",
            "w_await",
            "%util"
        ));
        for (name, d) in &r.devices {
            out.push_str(&format!(
                "{name:<w$} {:>8.2} {:>10.2} {:>8.2} {:>8.2} {:>8.2} {:>10.2} {:>8.2} {:>8.2} {:>7.2}\n",
                d.r_s, d.rkb_s, d.rrqm_s, d.r_await, d.w_s, d.wkb_s, d.wrqm_s, d.w_await, d.util
            ));
        }
    } else {
        out.push_str(&format!(
            "{:<w$} {:>9} {:>12} {:>12} {:>12} {:>12}\n",
            "Device", "tps", "kB_read/s", "kB_wrtn/s", "kB_read", "kB_wrtn"
        ));
        for (name, d) in &r.devices {
            out.push_str(&format!(
                "{name:<w$} {:>9.2} {:>12.2} {:>12.2} {:>12} {:>12}\n",
                d.tps, d.kb_read_s, d.kb_wrtn_s, d.kb_read, d.kb_wrtn
            ));
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{out}");
    let _ = stdout.flush();
}

fn uptime_secs() -> pskit::Result<f64> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    Ok((now - pskit::boot_time()?).max(0.0))
}

/// Runs `pskit iostat`.
pub fn run(args: Args) -> CmdResult {
    let pause = match args.interval.map(|i| (i, crate::num::seconds(i, false))) {
        None => Duration::from_secs(1),
        Some((_, Ok(d))) => d,
        Some((i, Err(_))) => {
            eprintln!("pskit: interval must be a positive number of seconds, not {i}");
            return Ok(ExitCode::from(2));
        }
    };
    if args.count == Some(0) {
        eprintln!("pskit: count must be at least 1");
        return Ok(ExitCode::from(2));
    }
    let count = match (args.interval, args.count) {
        (None, _) => Some(1),
        (Some(_), c) => c,
    };
    let with_cpu = !args.device_only;
    let uptime = uptime_secs()?;
    let mut prev: Option<Sample> = None;
    let mut n = 0u64;
    loop {
        let cur = sample(with_cpu)?;
        let r = report(prev.as_ref(), &cur, uptime);
        if args.json {
            println!("{}", serde_json::to_string(&r)?);
        } else {
            print_report(&r, args.extended);
        }
        n += 1;
        if count.is_some_and(|c| n >= c) {
            break;
        }
        prev = Some(cur);
        std::thread::sleep(pause);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(reads: u64, rbytes: u64, rtime: u64, busy: u64) -> DiskIoCounters {
        DiskIoCounters {
            read_count: reads,
            read_bytes: rbytes,
            read_time: rtime,
            busy_time: busy,
            ..Default::default()
        }
    }

    #[test]
    fn rates_over_an_interval() {
        let r = rates(
            &io(10, 1024, 5, 100),
            &io(30, 1024 + 20 * 4096, 45, 600),
            2.0,
        );
        assert_eq!(r.tps, 10.0);
        assert_eq!(r.r_s, 10.0);
        assert_eq!(r.kb_read, 80);
        assert_eq!(r.kb_read_s, 40.0);
        assert_eq!(r.r_await, 2.0);
        assert_eq!(r.w_await, 0.0);
        assert_eq!(r.util, 25.0);
    }

    #[test]
    fn counters_going_back_and_zero_time_do_not_panic() {
        let r = rates(&io(30, 0, 0, 900), &io(10, 0, 0, 100), 0.0);
        assert_eq!((r.tps, r.util), (0.0, 0.0));
        let full = rates(&io(0, 0, 0, 0), &io(0, 0, 0, 5000), 1.0);
        assert_eq!(full.util, 100.0);
    }

    #[test]
    fn avg_cpu_shares() {
        let a = CpuTimes::default();
        let b = CpuTimes {
            user: 2.0,
            system: 1.0,
            irq: 0.5,
            softirq: 0.5,
            idle: 6.0,
            ..Default::default()
        };
        let c = avg_cpu(&a, &b);
        assert_eq!((c.user, c.system, c.idle), (20.0, 20.0, 60.0));
        assert_eq!(avg_cpu(&a, &a).idle, 0.0);
    }
}
