//! `cpu`: node_cpu_seconds_total{cpu,mode} and
//! node_cpu_guest_seconds_total{cpu,mode} from /proc/stat, node_cpu_isolated
//! from /sys/devices/system/cpu/isolated, and the thermal throttle counters
//! node_cpu_core_throttles_total and node_cpu_package_throttles_total from
//! /sys/devices/system/cpu/cpu*/thermal_throttle.
//!
//! As node_exporter does, each counter is kept from going backwards between
//! scrapes (a kernel may report a slightly smaller value), and a CPU whose
//! idle time jumps back by 3 s or more (a hotplug) starts afresh.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::expo::Metrics;
use crate::node::stat::{self, CpuSeconds};
use crate::node::sysread;
use crate::{Ctx, Opt};

/// The collector's option: `--collector.cpu.guest=false` leaves out
/// node_cpu_guest_seconds_total.
pub const OPTIONS: &[Opt] = &[Opt {
    flag: "collector.cpu.guest",
    default: "true",
    help: "Enables metric node_cpu_guest_seconds_total",
}];

/// node_exporter's idle jump-back limit, in seconds.
const JUMP_BACK_SECONDS: f64 = 3.0;

/// The last values exposed, per /proc directory (tests scrape several roots).
static LAST: Mutex<Option<HashMap<PathBuf, Vec<CpuSeconds>>>> = Mutex::new(None);

fn keep_monotonic(last: &mut Vec<CpuSeconds>, new: &[CpuSeconds]) {
    if last.len() != new.len() {
        *last = vec![CpuSeconds::default(); new.len()];
    }
    for (o, n) in last.iter_mut().zip(new) {
        if o.idle - n.idle >= JUMP_BACK_SECONDS {
            *o = CpuSeconds::default();
        }
        let up = |o: &mut f64, n: f64| {
            if n >= *o {
                *o = n;
            }
        };
        up(&mut o.idle, n.idle);
        up(&mut o.user, n.user);
        up(&mut o.nice, n.nice);
        up(&mut o.system, n.system);
        up(&mut o.iowait, n.iowait);
        up(&mut o.irq, n.irq);
        up(&mut o.softirq, n.softirq);
        up(&mut o.steal, n.steal);
        up(&mut o.guest, n.guest);
        up(&mut o.guest_nice, n.guest_nice);
    }
}

/// Parses /sys/devices/system/cpu/isolated ("1,3-5") as node_exporter does.
///
/// ```
/// assert_eq!(pskit_serve::node::cpu::parse_isolated("1,3-5\n").unwrap(), vec![1, 3, 4, 5]);
/// assert_eq!(pskit_serve::node::cpu::parse_isolated("\n").unwrap(), Vec::<u16>::new());
/// assert!(pskit_serve::node::cpu::parse_isolated("a-b").is_err());
/// ```
pub fn parse_isolated(text: &str) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for item in text.trim_end_matches('\n').split(',') {
        if item.is_empty() {
            continue;
        }
        if let Some((a, b)) = item.split_once('-') {
            let a: u16 = a
                .parse()
                .map_err(|_| format!("invalid cpu start range: {a:?}"))?;
            let b: u16 = b
                .parse()
                .map_err(|_| format!("invalid cpu end range: {b:?}"))?;
            out.extend(a..=b);
        } else {
            out.push(
                item.parse()
                    .map_err(|_| format!("invalid cpu number: {item:?}"))?,
            );
        }
    }
    Ok(out)
}

fn throttles(ctx: &Ctx, m: &mut Metrics) {
    let dir = ctx.root.sys().join("devices/system/cpu");
    let mut packages: BTreeMap<u64, u64> = BTreeMap::new();
    let mut cores: BTreeMap<u64, BTreeMap<u64, Option<u64>>> = BTreeMap::new();
    for cpu in sysread::glob_numbered(&dir, "cpu") {
        let Ok(pkg) = sysread::read_uint(&cpu.join("topology/physical_package_id")) else {
            continue;
        };
        let Ok(core) = sysread::read_uint(&cpu.join("topology/core_id")) else {
            continue;
        };
        let entry = cores.entry(pkg).or_default();
        if let std::collections::btree_map::Entry::Vacant(v) = entry.entry(core) {
            // node_exporter reads it once per core; a failed read is retried
            // on the core's next thread.
            if let Ok(n) = sysread::read_uint(&cpu.join("thermal_throttle/core_throttle_count")) {
                v.insert(Some(n));
            }
        }
        if let std::collections::btree_map::Entry::Vacant(v) = packages.entry(pkg) {
            if let Ok(n) = sysread::read_uint(&cpu.join("thermal_throttle/package_throttle_count"))
            {
                v.insert(n);
            }
        }
    }
    for (pkg, n) in packages {
        m.counter(
            "node_cpu_package_throttles_total",
            "Number of times this CPU package has been throttled.",
        )
        .sample(&[("package", &pkg.to_string())], n as f64);
    }
    for (pkg, cs) in cores {
        for (core, n) in cs {
            if let Some(n) = n {
                m.counter(
                    "node_cpu_core_throttles_total",
                    "Number of times this CPU core has been throttled.",
                )
                .sample(
                    &[("core", &core.to_string()), ("package", &pkg.to_string())],
                    n as f64,
                );
            }
        }
    }
}

/// Adds the cpu collector's families.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::cpu::collect(cfg.ctx(), &mut m).unwrap();
/// let f = m.families().iter().find(|f| f.name == "node_cpu_seconds_total").unwrap();
/// assert_eq!(f.samples.len() % 8, 0);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    // node_exporter reads the isolated list once at start; a missing file
    // means no isolation info, another failure fails the collector.
    let isolated =
        match pskit::fs::with_text(&ctx.root.sys().join("devices/system/cpu/isolated"), |t| {
            Ok(t.to_string())
        }) {
            Ok(t) => Some(parse_isolated(&t)?),
            Err(e) if sysread::errno(&e) == Some(2) => None,
            Err(e) => return Err(format!("unable to get isolated cpus: {e}")),
        };
    let st = stat::read(ctx)?;
    let cpus = {
        let mut guard = LAST.lock().unwrap_or_else(|p| p.into_inner());
        let last = guard
            .get_or_insert_with(HashMap::new)
            .entry(ctx.root.proc().to_path_buf())
            .or_default();
        keep_monotonic(last, &st.cpus);
        last.clone()
    };
    let guest = ctx.opt("collector.cpu.guest") != "false";
    for (i, c) in cpus.iter().enumerate() {
        let n = i.to_string();
        let f = m.counter(
            "node_cpu_seconds_total",
            "Seconds the CPUs spent in each mode.",
        );
        for (mode, v) in [
            ("user", c.user),
            ("nice", c.nice),
            ("system", c.system),
            ("idle", c.idle),
            ("iowait", c.iowait),
            ("irq", c.irq),
            ("softirq", c.softirq),
            ("steal", c.steal),
        ] {
            f.sample(&[("cpu", &n), ("mode", mode)], v);
        }
        if guest {
            m.counter(
                "node_cpu_guest_seconds_total",
                "Seconds the CPUs spent in guests (VMs) for each mode.",
            )
            .sample(&[("cpu", &n), ("mode", "user")], c.guest)
            .sample(&[("cpu", &n), ("mode", "nice")], c.guest_nice);
        }
    }
    for cpu in isolated.unwrap_or_default() {
        m.gauge(
            "node_cpu_isolated",
            "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
        )
        .sample(&[("cpu", &cpu.to_string())], 1.0);
    }
    throttles(ctx, m);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(idle: f64, user: f64) -> CpuSeconds {
        CpuSeconds {
            idle,
            user,
            ..Default::default()
        }
    }

    #[test]
    fn counters_do_not_go_back_but_hotplug_resets() {
        let mut last = Vec::new();
        keep_monotonic(&mut last, &[secs(100.0, 50.0)]);
        keep_monotonic(&mut last, &[secs(99.0, 49.0)]);
        assert_eq!(last[0], secs(100.0, 50.0));
        keep_monotonic(&mut last, &[secs(10.0, 5.0)]);
        assert_eq!(last[0], secs(10.0, 5.0));
        keep_monotonic(&mut last, &[secs(11.0, 6.0), secs(1.0, 1.0)]);
        assert_eq!(last.len(), 2);
    }

    #[test]
    fn isolated_garbage() {
        for bad in ["x", "1-", "-1", "1-2-3", "70000", "1,,y"] {
            assert!(parse_isolated(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_isolated("5-3").unwrap(), Vec::<u16>::new());
        assert_eq!(parse_isolated("0-65535").unwrap().len(), 65536);
    }
}
