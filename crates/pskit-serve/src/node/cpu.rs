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

/// The collector's options: `--collector.cpu.guest=false` leaves out
/// node_cpu_guest_seconds_total; `--collector.cpu.info=true` adds
/// node_cpu_info from /proc/cpuinfo, and a flags-include or bugs-include
/// regular expression adds node_cpu_flag_info / node_cpu_bug_info for the
/// first CPU's matching flags and bugs (and turns info on).
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve", "--collector.cpu.info=true"]).unwrap();
/// assert_eq!(cfg.ctx().opt("collector.cpu.info"), "true");
/// assert_eq!(cfg.ctx().opt("collector.cpu.guest"), "true");
/// ```
pub const OPTIONS: &[Opt] = &[
    Opt {
        flag: "collector.cpu.guest",
        default: "true",
        help: "Enables metric node_cpu_guest_seconds_total",
    },
    Opt {
        flag: "collector.cpu.info",
        default: "false",
        help: "Enables metric cpu_info",
    },
    Opt {
        flag: "collector.cpu.info.flags-include",
        default: "",
        help: "Filter the `flags` field in cpuInfo with a value that must be a regular expression",
    },
    Opt {
        flag: "collector.cpu.info.bugs-include",
        default: "",
        help: "Filter the `bugs` field in cpuInfo with a value that must be a regular expression",
    },
];

/// One processor of /proc/cpuinfo: what node_cpu_info shows, and the
/// flags and bugs.
///
/// ```
/// let c = pskit_serve::node::cpu::CpuInfo::default();
/// assert!(c.flags.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuInfo {
    /// `processor`.
    pub processor: u32,
    /// `vendor_id` (or `vendor`).
    pub vendor: String,
    /// `cpu family`.
    pub family: String,
    /// `model`.
    pub model: String,
    /// `model name`.
    pub model_name: String,
    /// `stepping`.
    pub stepping: String,
    /// `microcode`.
    pub microcode: String,
    /// `cache size`.
    pub cache_size: String,
    /// `physical id`.
    pub physical_id: String,
    /// `core id`.
    pub core_id: String,
    /// `flags`, split on whitespace.
    pub flags: Vec<String>,
    /// `bugs`, split on whitespace.
    pub bugs: Vec<String>,
}

fn go_uint32(s: &str) -> Result<u32, String> {
    if s.starts_with(['+', '-']) {
        return Err(format!("invalid number {s:?}"));
    }
    crate::node::powersupplyclass::parse_go_int(s)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| format!("invalid number {s:?}"))
}

/// Parses x86 /proc/cpuinfo as node_exporter's procfs library does: the
/// first non-empty line must be a `processor` line; each `processor` starts
/// the next CPU; a bad number in a numeric field is an error.
///
/// ```
/// let c = pskit_serve::node::cpu::parse_cpuinfo("processor\t: 0\nflags\t\t: fpu sse\n\nprocessor\t: 1\n").unwrap();
/// assert_eq!(c.len(), 2);
/// assert_eq!(c[0].flags, vec!["fpu", "sse"]);
/// assert!(pskit_serve::node::cpu::parse_cpuinfo("garbage\n").is_err());
/// ```
pub fn parse_cpuinfo(text: &str) -> Result<Vec<CpuInfo>, String> {
    let mut lines = text.lines();
    let first = lines.by_ref().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !first.starts_with("processor") || !first.contains(':') {
        return Err(format!("invalid cpuinfo file: {first:?}"));
    }
    let Some((_, v)) = first.split_once(": ") else {
        return Err(format!("invalid cpuinfo file: {first:?}"));
    };
    let mut out = vec![CpuInfo {
        processor: go_uint32(v)?,
        ..Default::default()
    }];
    for line in lines {
        if !line.contains(':') {
            continue;
        }
        let (key, value) = match line.split_once(": ") {
            Some((k, v)) => (k.trim(), Some(v)),
            None => (line.trim(), None),
        };
        let Some(v) = value else {
            continue;
        };
        let cur = out.last_mut().expect("at least one cpu");
        match key {
            "processor" => {
                let p = go_uint32(v)?;
                out.push(CpuInfo {
                    processor: p,
                    ..Default::default()
                });
            }
            "vendor" | "vendor_id" => cur.vendor = v.to_string(),
            "cpu family" => cur.family = v.to_string(),
            "model" => cur.model = v.to_string(),
            "model name" => cur.model_name = v.to_string(),
            "stepping" => cur.stepping = v.to_string(),
            "microcode" => cur.microcode = v.to_string(),
            "cache size" => cur.cache_size = v.to_string(),
            "physical id" => cur.physical_id = v.to_string(),
            "core id" => cur.core_id = v.to_string(),
            "flags" => cur.flags = v.split_whitespace().map(String::from).collect(),
            "bugs" => cur.bugs = v.split_whitespace().map(String::from).collect(),
            "siblings" | "cpu cores" | "cpuid level" | "clflush size" | "cache_alignment" => {
                go_uint32(v).map_err(|e| format!("{key}: {e}"))?;
            }
            "cpu MHz" | "bogomips" => {
                v.parse::<f64>()
                    .map_err(|_| format!("{key}: invalid number {v:?}"))?;
            }
            _ => {}
        }
    }
    Ok(out)
}

fn info(ctx: &Ctx, m: &mut Metrics, flags: &str, bugs: &str) -> Result<(), String> {
    let re = |flag: &str, v: &str| -> Result<Option<regex::Regex>, String> {
        if v.is_empty() {
            return Ok(None);
        }
        regex::Regex::new(v)
            .map(Some)
            .map_err(|e| format!("--{flag} must be a regular expression: {e}"))
    };
    let flags = re("collector.cpu.info.flags-include", flags)?;
    let bugs = re("collector.cpu.info.bugs-include", bugs)?;
    let path = ctx.root.proc().join("cpuinfo");
    let cpus = pskit::fs::with_text(&path, |t| {
        parse_cpuinfo(t).map_err(|e| pskit::Error::parse(&path, e))
    })
    .map_err(|e| e.to_string())?;
    for c in &cpus {
        m.gauge("node_cpu_info", "CPU information from /proc/cpuinfo.")
            .sample(
                &[
                    ("cachesize", &c.cache_size),
                    ("core", &c.core_id),
                    ("cpu", &c.processor.to_string()),
                    ("family", &c.family),
                    ("microcode", &c.microcode),
                    ("model", &c.model),
                    ("model_name", &c.model_name),
                    ("package", &c.physical_id),
                    ("stepping", &c.stepping),
                    ("vendor", &c.vendor),
                ],
                1.0,
            );
    }
    if let Some(first) = cpus.first() {
        for (re, values, name, label, help) in [
            (
                &flags,
                &first.flags,
                "node_cpu_flag_info",
                "flag",
                "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
            ),
            (
                &bugs,
                &first.bugs,
                "node_cpu_bug_info",
                "bug",
                "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
            ),
        ] {
            let Some(re) = re else { continue };
            for v in values.iter().filter(|v| re.is_match(v)) {
                m.gauge(name, help).sample(&[(label, v)], 1.0);
            }
        }
    }
    Ok(())
}

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
    let (flags, bugs) = (
        ctx.opt("collector.cpu.info.flags-include"),
        ctx.opt("collector.cpu.info.bugs-include"),
    );
    if ctx.opt("collector.cpu.info") == "true" || !flags.is_empty() || !bugs.is_empty() {
        info(ctx, m, flags, bugs)?;
    }
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

    const CPUINFO: &str = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n\
model\t\t: 17\nmodel name\t: AMD EPYC\nstepping\t: 1\nmicrocode\t: 0x1000065\n\
cpu MHz\t\t: 2596.138\ncache size\t: 1024 KB\nphysical id\t: 0\nsiblings\t: 2\n\
core id\t\t: 0\ncpu cores\t: 2\ncpuid level\t: 28\nflags\t\t: fpu vme avx2\n\
bugs\t\t: spectre_v1 spectre_v2\nbogomips\t: 5192.27\nclflush size\t: 64\n\
power management:\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\ncore id\t\t: 1\n";

    #[test]
    fn cpuinfo() {
        let c = parse_cpuinfo(CPUINFO).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].model_name, "AMD EPYC");
        assert_eq!(c[0].microcode, "0x1000065");
        assert_eq!(c[0].bugs, vec!["spectre_v1", "spectre_v2"]);
        assert_eq!((c[1].processor, c[1].core_id.as_str()), (1, "1"));
        for cut in 0..CPUINFO.len() {
            let _ = parse_cpuinfo(&CPUINFO[..cut]);
        }
        for bad in [
            "",
            "\n\n",
            "processor:0\n",
            "processor\t: x\n",
            "processor\t: 0\nprocessor\t: -1\n",
            "processor\t: 0\ncpu MHz\t: fast\n",
            "processor\t: 0\nsiblings\t: 99999999999\n",
            "model\t: 1\nprocessor\t: 0\n",
        ] {
            assert!(parse_cpuinfo(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_cpuinfo("processor\t: 0x10\n").unwrap()[0].processor,
            16
        );
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
