//! `cpufreq`: node_cpu_frequency_{,min_,max_}hertz and
//! node_cpu_scaling_frequency_{,min_,max_}hertz per CPU, from
//! /sys/devices/system/cpu/cpu*/cpufreq (kHz → Hz).

use std::path::Path;

use crate::expo::Metrics;
use crate::node::sysread;
use crate::Ctx;

/// One CPU's cpufreq values, in kHz; `None` for a file this kernel or user
/// lacks.
///
/// ```
/// let f = pskit_serve::node::cpufreq::CpuFreq::default();
/// assert!(f.cpuinfo_cur.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuFreq {
    /// The CPU's number (the N of cpuN).
    pub cpu: String,
    /// cpuinfo_cur_freq.
    pub cpuinfo_cur: Option<u64>,
    /// cpuinfo_min_freq.
    pub cpuinfo_min: Option<u64>,
    /// cpuinfo_max_freq.
    pub cpuinfo_max: Option<u64>,
    /// scaling_cur_freq.
    pub scaling_cur: Option<u64>,
    /// scaling_min_freq.
    pub scaling_min: Option<u64>,
    /// scaling_max_freq.
    pub scaling_max: Option<u64>,
}

fn opt_uint(path: &Path) -> Result<Option<u64>, String> {
    match sysread::read_uint(path) {
        Ok(v) => Ok(Some(v)),
        Err(e) if sysread::is_absent(&e) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads one `cpuN/cpufreq` directory as node_exporter's procfs library
/// does: a frequency file may be missing or unreadable, but the governor,
/// driver, related_cpus and scaling_setspeed files must be readable, and a
/// frequency must be a number.
///
/// ```
/// let e = pskit_serve::node::cpufreq::read_cpufreq(std::path::Path::new("/nonexistent"), "0");
/// assert!(e.is_err());
/// ```
pub fn read_cpufreq(dir: &Path, cpu: &str) -> Result<CpuFreq, String> {
    let f = CpuFreq {
        cpu: cpu.to_string(),
        cpuinfo_cur: opt_uint(&dir.join("cpuinfo_cur_freq"))?,
        cpuinfo_max: opt_uint(&dir.join("cpuinfo_max_freq"))?,
        cpuinfo_min: opt_uint(&dir.join("cpuinfo_min_freq"))?,
        scaling_cur: opt_uint(&dir.join("scaling_cur_freq"))?,
        scaling_max: opt_uint(&dir.join("scaling_max_freq"))?,
        scaling_min: opt_uint(&dir.join("scaling_min_freq"))?,
    };
    opt_uint(&dir.join("cpuinfo_transition_latency"))?;
    for name in [
        "scaling_available_governors",
        "scaling_driver",
        "scaling_governor",
        "related_cpus",
        "scaling_setspeed",
    ] {
        sysread::sys_read_file(&dir.join(name)).map_err(|e| e.to_string())?;
    }
    Ok(f)
}

/// Adds the frequency gauges of every CPU that has a cpufreq directory. Any
/// CPU's read failing fails the collector with nothing added, as in
/// node_exporter.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// let _ = pskit_serve::node::cpufreq::collect(cfg.ctx(), &mut m);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let mut all = Vec::new();
    for cpu in sysread::glob_numbered(&ctx.root.sys().join("devices/system/cpu"), "cpu") {
        let dir = cpu.join("cpufreq");
        match std::fs::metadata(&dir) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        }
        let name = sysread::base_name(&cpu);
        all.push(read_cpufreq(&dir, &name["cpu".len()..])?);
    }
    for f in &all {
        for (name, help, v) in [
            (
                "node_cpu_frequency_hertz",
                "Current cpu thread frequency in hertz.",
                f.cpuinfo_cur,
            ),
            (
                "node_cpu_frequency_min_hertz",
                "Minimum cpu thread frequency in hertz.",
                f.cpuinfo_min,
            ),
            (
                "node_cpu_frequency_max_hertz",
                "Maximum cpu thread frequency in hertz.",
                f.cpuinfo_max,
            ),
            (
                "node_cpu_scaling_frequency_hertz",
                "Current scaled CPU thread frequency in hertz.",
                f.scaling_cur,
            ),
            (
                "node_cpu_scaling_frequency_min_hertz",
                "Minimum scaled CPU thread frequency in hertz.",
                f.scaling_min,
            ),
            (
                "node_cpu_scaling_frequency_max_hertz",
                "Maximum scaled CPU thread frequency in hertz.",
                f.scaling_max,
            ),
        ] {
            if let Some(v) = v {
                m.gauge(name, help)
                    .sample(&[("cpu", &f.cpu)], v as f64 * 1000.0);
            }
        }
    }
    Ok(())
}
