//! `cgroup` (on by default): processes grouped by their cgroup v2 path, and
//! what the kernel accounts for each such cgroup. Beyond node_exporter and
//! process-exporter, whose nearest figures are per host and per process.
//!
//! Every cgroup that holds at least one process directly gets, with the
//! label `cgroup` set to its path (`/system.slice/ssh.service`, `/` for the
//! root):
//!
//! | family | type | from |
//! | --- | --- | --- |
//! | `pskit_cgroup_processes` | gauge | processes whose `/proc/PID/cgroup` names it |
//! | `pskit_cgroup_cpu_usage_seconds_total` | counter | `cpu.stat` `usage_usec` (the cgroup and its descendants) |
//! | `pskit_cgroup_cpu_throttled_seconds_total` | counter | `cpu.stat` `throttled_usec` (with a CPU limit) |
//! | `pskit_cgroup_cpu_limit_cores` | gauge | `cpu.max` quota / period; absent when `max` |
//! | `pskit_cgroup_memory_current_bytes` | gauge | `memory.current` |
//! | `pskit_cgroup_memory_max_bytes` | gauge | `memory.max`; absent when `max` |
//! | `pskit_cgroup_pressure_cpu_waiting_seconds_total` | counter | `cpu.pressure` `some` total |
//! | `pskit_cgroup_pressure_memory_waiting_seconds_total` | counter | `memory.pressure` `some` total |
//! | `pskit_cgroup_pressure_memory_stalled_seconds_total` | counter | `memory.pressure` `full` total |
//! | `pskit_cgroup_pressure_io_waiting_seconds_total` | counter | `io.pressure` `some` total |
//! | `pskit_cgroup_pressure_io_stalled_seconds_total` | counter | `io.pressure` `full` total |
//!
//! A file the cgroup lacks (the root cgroup has no `memory.max`; a
//! controller not enabled there; a kernel without PSI) leaves its sample
//! out. The cgroup v2 hierarchy is read at `{sysfs}/fs/cgroup`, or at
//! `{sysfs}/fs/cgroup/unified` on a hybrid system; a process only in v1
//! hierarchies is counted under the path pskit reports for it, without the
//! v2 files.
//!
//! Cost: `stat` and `cgroup` per process, then a handful of small files per
//! cgroup that has processes.
//!
//! ```
//! let cfg = pskit_serve::Config::parse(["pskit serve", "--collector.disable-defaults", "--collector.cgroup"]).unwrap();
//! let text = pskit_serve::expo::encode_text(&pskit_serve::scrape(&cfg));
//! assert!(text.contains("# TYPE pskit_cgroup_processes gauge\n"));
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pskit::process::Attr;

use crate::expo::Metrics;
use crate::Ctx;

/// A file's text, trimmed; `None` when it cannot be read.
fn text(p: &Path) -> Option<String> {
    pskit::fs::with_text(p, |t| Ok(t.trim().to_string())).ok()
}

/// A key's value in a flat keyed file (`cpu.stat`).
fn keyed(t: &str, key: &str) -> Option<u64> {
    t.lines().find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok())?
    })
}

/// The `total=` of a pressure file's `some` or `full` line, in µs.
fn psi_total(t: &str, kind: &str) -> Option<u64> {
    t.lines().find_map(|l| {
        let rest = l.strip_prefix(kind)?.strip_prefix(' ')?;
        rest.split_whitespace()
            .find_map(|f| f.strip_prefix("total="))?
            .parse()
            .ok()
    })
}

/// The directory of a cgroup path under the v2 mount.
fn cgroup_dir(base: &Path, path: &str) -> PathBuf {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() {
        base.to_path_buf()
    } else {
        base.join(rel)
    }
}

/// Where the cgroup v2 hierarchy is mounted: `{sysfs}/fs/cgroup` on a v2
/// system, `{sysfs}/fs/cgroup/unified` on a hybrid one (v1 controllers
/// beside a v2 hierarchy, as systemd's hybrid mode and many CI machines
/// have it).
fn v2_mount(sys: &Path) -> PathBuf {
    let base = sys.join("fs/cgroup");
    let unified = base.join("unified");
    if !base.join("cgroup.controllers").exists() && unified.join("cgroup.controllers").exists() {
        unified
    } else {
        base
    }
}

/// The cgroup collector.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::procs::cgroup::collect(cfg.ctx(), &mut m).unwrap();
/// let procs = m.families().iter().find(|f| f.name == "pskit_cgroup_processes").unwrap();
/// assert!(procs.samples.iter().map(|s| s.value).sum::<f64>() >= 1.0);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let scan = ctx
        .root
        .scope(|| pskit::process::process_scan([Attr::Cgroup]))
        .map_err(|e| e.to_string())?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for p in &scan.processes {
        if let Some(Some(path)) = p.cgroup.get() {
            *counts.entry(path.clone()).or_default() += 1;
        }
    }
    let base = v2_mount(ctx.root.sys());
    for (path, n) in &counts {
        let l = [("cgroup", path.as_str())];
        m.gauge(
            "pskit_cgroup_processes",
            "Processes in this cgroup (not counting its descendants).",
        )
        .sample(&l, *n as f64);
        let dir = cgroup_dir(&base, path);
        if let Some(t) = text(&dir.join("cpu.stat")) {
            if let Some(u) = keyed(&t, "usage_usec") {
                m.counter(
                    "pskit_cgroup_cpu_usage_seconds_total",
                    "CPU time used by this cgroup and its descendants (cpu.stat usage_usec).",
                )
                .sample(&l, u as f64 / 1e6);
            }
            if let Some(u) = keyed(&t, "throttled_usec") {
                m.counter(
                    "pskit_cgroup_cpu_throttled_seconds_total",
                    "Time this cgroup was throttled by its CPU limit (cpu.stat throttled_usec).",
                )
                .sample(&l, u as f64 / 1e6);
            }
        }
        if let Some(t) = text(&dir.join("cpu.max")) {
            let mut f = t.split_whitespace();
            if let (Some(q), Some(p)) = (f.next(), f.next()) {
                if let (Ok(q), Ok(p)) = (q.parse::<f64>(), p.parse::<f64>()) {
                    if p > 0.0 {
                        m.gauge(
                            "pskit_cgroup_cpu_limit_cores",
                            "CPU limit of this cgroup in cores (cpu.max quota / period); absent when unlimited.",
                        )
                        .sample(&l, q / p);
                    }
                }
            }
        }
        if let Some(v) = text(&dir.join("memory.current")).and_then(|t| t.parse::<u64>().ok()) {
            m.gauge(
                "pskit_cgroup_memory_current_bytes",
                "Memory used by this cgroup and its descendants (memory.current).",
            )
            .sample(&l, v as f64);
        }
        if let Some(v) = text(&dir.join("memory.max")).and_then(|t| t.parse::<u64>().ok()) {
            m.gauge(
                "pskit_cgroup_memory_max_bytes",
                "Memory limit of this cgroup (memory.max); absent when unlimited.",
            )
            .sample(&l, v as f64);
        }
        for (res, kinds) in [
            ("cpu", &[("some", "waiting")][..]),
            ("memory", &[("some", "waiting"), ("full", "stalled")][..]),
            ("io", &[("some", "waiting"), ("full", "stalled")][..]),
        ] {
            let Some(t) = text(&dir.join(format!("{res}.pressure"))) else {
                continue;
            };
            for (kind, word) in kinds {
                if let Some(us) = psi_total(&t, kind) {
                    let help = if *kind == "some" {
                        format!("Time at least one task of this cgroup waited for {res} ({res}.pressure some total).")
                    } else {
                        format!("Time all non-idle tasks of this cgroup stalled on {res} at once ({res}.pressure full total).")
                    };
                    m.counter(
                        &format!("pskit_cgroup_pressure_{res}_{word}_seconds_total"),
                        &help,
                    )
                    .sample(&l, us as f64 / 1e6);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers() {
        let psi = "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=250\n";
        assert_eq!(psi_total(psi, "some"), Some(1_500_000));
        assert_eq!(psi_total(psi, "full"), Some(250));
        assert_eq!(psi_total("garbage", "some"), None);
        assert_eq!(keyed("usage_usec 12\nuser_usec 3\n", "user_usec"), Some(3));
        assert_eq!(keyed("usage_usec x\n", "usage_usec"), None);
        assert_eq!(cgroup_dir(Path::new("/s"), "/"), PathBuf::from("/s"));
        assert_eq!(cgroup_dir(Path::new("/s"), "/a/b"), PathBuf::from("/s/a/b"));
    }
}
