//! /proc/stat, /proc/cpuinfo, /proc/loadavg and sysfs cpufreq/topology: parsers and readers.

use std::collections::BTreeSet;
use std::path::Path;

use crate::cpu::{CpuFreq, CpuStats, CpuTimes};
use crate::error::{Error, Result};
use crate::linux::fs::{is_not_found, read_int, read_trimmed, with_text, with_text_single};
use crate::linux::parse::count_cpu_list;
use crate::root::Root;

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`).
pub(crate) fn clk_tck() -> f64 {
    rustix::param::clock_ticks_per_second() as f64
}

/// Parses the numbers of one `cpu…` line of /proc/stat into seconds.
/// At least user, nice, system and idle must be present; later columns a kernel
/// lacks read as 0.
fn parse_cpu_line(line: &str, tck: f64) -> std::result::Result<CpuTimes, String> {
    let mut f = [0.0f64; 10];
    let mut n = 0;
    for (i, tok) in line.split_ascii_whitespace().skip(1).take(10).enumerate() {
        let v: u64 = tok
            .parse()
            .map_err(|_| format!("bad number {tok:?} in line {line:?}"))?;
        f[i] = v as f64 / tck;
        n = i + 1;
    }
    if n < 4 {
        return Err(format!("too few columns in cpu line {line:?}"));
    }
    Ok(CpuTimes {
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
    })
}

/// The first line of /proc/stat (`cpu  …`), in seconds.
pub(crate) fn parse_stat_total(text: &str, tck: f64) -> std::result::Result<CpuTimes, String> {
    let line = text.lines().next().unwrap_or("");
    if line.split_ascii_whitespace().next() != Some("cpu") {
        return Err("first line is not the \"cpu\" total".into());
    }
    parse_cpu_line(line, tck)
}

/// Every `cpuN` line of /proc/stat, in file order (offline CPUs have none).
pub(crate) fn parse_stat_percpu(
    text: &str,
    tck: f64,
) -> std::result::Result<Vec<CpuTimes>, String> {
    // The cpu lines come first; stop at the first other line (the long `intr`
    // line follows and need not be scanned).
    text.lines()
        .skip(1)
        .take_while(|l| l.starts_with("cpu"))
        .map(|l| parse_cpu_line(l, tck))
        .collect()
}

/// The first number after a keyword line (`ctxt`, `intr`, `softirq`, `btime`).
fn stat_value(text: &str, key: &str) -> std::result::Result<Option<u64>, String> {
    for line in text.lines() {
        let mut it = line.split_ascii_whitespace();
        if it.next() == Some(key) {
            let tok = it.next().ok_or_else(|| format!("no value after {key:?}"))?;
            return tok
                .parse()
                .map(Some)
                .map_err(|_| format!("bad number {tok:?} after {key:?}"));
        }
    }
    Ok(None)
}

/// ctxt, intr and softirq totals from /proc/stat. A missing line reads as 0.
pub(crate) fn parse_stat_cpu_stats(text: &str) -> std::result::Result<CpuStats, String> {
    Ok(CpuStats {
        ctx_switches: stat_value(text, "ctxt")?.unwrap_or(0),
        interrupts: stat_value(text, "intr")?.unwrap_or(0),
        soft_interrupts: stat_value(text, "softirq")?.unwrap_or(0),
        syscalls: 0,
    })
}

/// `btime` from /proc/stat; psutil raises RuntimeError when it is missing.
pub(crate) fn parse_stat_btime(text: &str) -> std::result::Result<f64, String> {
    match stat_value(text, "btime")? {
        Some(v) => Ok(v as f64),
        None => Err("line 'btime' not found".into()),
    }
}

pub(crate) fn read_stat<T>(
    root: &Root,
    parse: impl FnOnce(&str) -> std::result::Result<T, String>,
) -> Result<T> {
    let path = root.proc_path("stat");
    with_text_single(&path, |s| parse(s).map_err(|m| Error::parse(&path, m)))
}

pub(crate) fn cpu_times(root: &Root) -> Result<CpuTimes> {
    let tck = clk_tck();
    read_stat(root, |s| parse_stat_total(s, tck))
}

pub(crate) fn cpu_times_percpu(root: &Root) -> Result<Vec<CpuTimes>> {
    let tck = clk_tck();
    read_stat(root, |s| parse_stat_percpu(s, tck))
}

pub(crate) fn cpu_stats(root: &Root) -> Result<CpuStats> {
    read_stat(root, parse_stat_cpu_stats)
}

pub(crate) fn boot_time(root: &Root) -> Result<f64> {
    read_stat(root, parse_stat_btime)
}

/// /proc/loadavg's first three numbers.
pub(crate) fn parse_loadavg(text: &str) -> std::result::Result<(f64, f64, f64), String> {
    let mut it = text.split_ascii_whitespace().map(|t| {
        t.parse::<f64>()
            .map_err(|_| format!("bad load average {t:?}"))
    });
    let mut next = || {
        it.next()
            .unwrap_or_else(|| Err("fewer than 3 load averages".into()))
    };
    Ok((next()?, next()?, next()?))
}

pub(crate) fn getloadavg(root: &Root) -> Result<(f64, f64, f64)> {
    let path = root.proc_path("loadavg");
    with_text(&path, |s| {
        parse_loadavg(s).map_err(|m| Error::parse(&path, m))
    })
}

/// The values of every `cpu MHz` line of /proc/cpuinfo.
pub(crate) fn parse_cpuinfo_mhz(text: &str) -> Vec<f64> {
    text.lines()
        .filter(|l| l.starts_with("cpu MHz"))
        .filter_map(|l| l.split_once(':')?.1.trim().parse().ok())
        .collect()
}

/// The number of `processor` lines of /proc/cpuinfo.
pub(crate) fn parse_cpuinfo_processors(text: &str) -> u32 {
    text.lines().filter(|l| l.starts_with("processor")).count() as u32
}

/// psutil's second method for physical cores: per blank-line-separated block,
/// `physical id` → `cpu cores`, summed over distinct ids (split on ':' as in 8.0,
/// which also works on s390x).
pub(crate) fn parse_cpuinfo_cores(text: &str) -> u32 {
    let mut mapping = std::collections::BTreeMap::new();
    let (mut phys, mut cores) = (None, None);
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if line.is_empty() {
            if let (Some(p), Some(c)) = (phys.take(), cores.take()) {
                mapping.insert(p, c);
            }
            phys = None;
            cores = None;
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            match k.trim() {
                "physical id" => phys = v.trim().parse::<u32>().ok(),
                "cpu cores" => cores = v.trim().parse::<u32>().ok(),
                _ => {}
            }
        }
    }
    mapping.values().fold(0u32, |a, c| a.saturating_add(*c))
}

fn read_cpuinfo<T>(root: &Root, parse: impl FnOnce(&str) -> T) -> Result<T> {
    with_text(&root.proc_path("cpuinfo"), |s| Ok(parse(s)))
}

/// Online CPUs: glibc's `sysconf(_SC_NPROCESSORS_ONLN)` reads
/// /sys/devices/system/cpu/online, so pskit reads it through the root; then
/// psutil's fallbacks (cpuinfo `processor` lines, /proc/stat `cpuN` lines).
pub(crate) fn cpu_count_logical(root: &Root) -> Option<u32> {
    let online = read_trimmed(&root.sys_path("devices/system/cpu/online"))
        .ok()
        .and_then(|s| count_cpu_list(&s));
    let n = match online {
        Some(n) if n > 0 => n,
        _ => {
            let n = read_cpuinfo(root, parse_cpuinfo_processors).unwrap_or(0);
            if n > 0 {
                n
            } else {
                read_stat(
                    root,
                    |s| Ok(s.lines().filter(|l| is_cpun(l)).count() as u32),
                )
                .unwrap_or(0)
            }
        }
    };
    (n >= 1).then_some(n)
}

fn is_cpun(line: &str) -> bool {
    line.strip_prefix("cpu")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

/// The `cpuN` directories of /sys/devices/system/cpu, as (N, path), sorted by N.
fn cpu_dirs(root: &Root) -> Vec<(u32, std::path::PathBuf)> {
    let base = root.sys_path("devices/system/cpu");
    let mut out: Vec<_> = std::fs::read_dir(&base)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let n = name.to_str()?.strip_prefix("cpu")?.parse::<u32>().ok()?;
            Some((n, e.path()))
        })
        .collect();
    out.sort();
    out
}

/// Physical cores: distinct `core_cpus_list` (else `thread_siblings_list`) contents,
/// else the cpuinfo method (psutil's two methods).
pub(crate) fn cpu_count_cores(root: &Root) -> Option<u32> {
    let dirs = cpu_dirs(root);
    let mut n = 0;
    for file in ["topology/core_cpus_list", "topology/thread_siblings_list"] {
        let distinct: BTreeSet<String> = dirs
            .iter()
            .filter_map(|(_, d)| read_trimmed(&d.join(file)).ok())
            .collect();
        if !distinct.is_empty() {
            n = distinct.len() as u32;
            break;
        }
    }
    if n == 0 {
        n = read_cpuinfo(root, parse_cpuinfo_cores).unwrap_or(0);
    }
    (n >= 1).then_some(n)
}

/// psutil's cpufreq logic: policy directories (or cpuN/cpufreq) sorted by number;
/// current from cpuinfo when it has one MHz line per directory (fast, #1851), else
/// scaling_cur_freq, else cpuinfo_cur_freq; an offline CPU without either gives zeros.
/// Without cpufreq in sysfs: one entry per cpuinfo MHz line, min = max = 0.
pub(crate) fn cpu_freq(root: &Root) -> Result<Vec<CpuFreq>> {
    let mhz = match read_cpuinfo(root, parse_cpuinfo_mhz) {
        Ok(v) => v,
        Err(e) if is_not_found(&e) => Vec::new(),
        Err(e) => return Err(e),
    };
    let sysdir = root.sys_path("devices/system/cpu");
    let sysfs = sysdir.join("cpufreq/policy0").exists() || sysdir.join("cpu0/cpufreq").exists();
    if !sysfs {
        return Ok(mhz
            .into_iter()
            .map(|current| CpuFreq {
                current,
                min: 0.0,
                max: 0.0,
            })
            .collect());
    }
    let mut paths = numbered_dirs(&sysdir.join("cpufreq"), "policy");
    if paths.is_empty() {
        paths = cpu_dirs(root)
            .into_iter()
            .map(|(n, p)| (n, p.join("cpufreq")))
            .filter(|(_, p)| p.is_dir())
            .collect();
    }
    let mut out = Vec::with_capacity(paths.len());
    for (i, (_, path)) in paths.iter().enumerate() {
        let khz = |name: &str| -> Result<Option<f64>> {
            match read_int::<u64>(&path.join(name)) {
                Ok(v) => Ok(Some(v as f64)),
                Err(e) if is_not_found(&e) => Ok(None),
                Err(e) => Err(e),
            }
        };
        let cur = if paths.len() == mhz.len() {
            Some(mhz[i] * 1000.0)
        } else {
            khz("scaling_cur_freq")?
        };
        let cur = match cur {
            Some(c) => c,
            None => match khz("cpuinfo_cur_freq")? {
                Some(c) => c,
                None => {
                    let online = sysdir.join(format!("cpu{i}/online"));
                    if read_trimmed(&online).ok().as_deref() == Some("0") {
                        out.push(CpuFreq::default());
                        continue;
                    }
                    return Err(Error::Unsupported(format!(
                        "can't find current frequency file in {}",
                        path.display()
                    )));
                }
            },
        };
        let need = |name: &str| -> Result<f64> {
            khz(name)?.ok_or_else(|| Error::parse(path.join(name), "file is missing"))
        };
        out.push(CpuFreq {
            current: cur / 1000.0,
            min: need("scaling_min_freq")? / 1000.0,
            max: need("scaling_max_freq")? / 1000.0,
        });
    }
    Ok(out)
}

/// Entries `PREFIXN` of a directory, as (N, path), sorted by N.
fn numbered_dirs(dir: &Path, prefix: &str) -> Vec<(u32, std::path::PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_str()?.strip_prefix(prefix)?.parse().ok()?;
            Some((n, e.path()))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "cpu  2403 0 1170 29143 112 0 11 5 0 0\n\
cpu0 1200 0 600 14500 50 0 5 2 0 0\n\
cpu1 1203 0 570 14643 62 0 6 3 0 0\n\
intr 123456 1 2 3\n\
ctxt 987654\n\
btime 1764193800\n\
processes 4000\n\
procs_running 1\n\
softirq 55555 1 2\n";

    #[test]
    fn cpu_total_divides_by_clock_ticks() {
        let t = parse_stat_total(STAT, 100.0).unwrap();
        assert_eq!(t.user, 24.03);
        assert_eq!(t.system, 11.7);
        assert_eq!(t.idle, 291.43);
        assert_eq!(t.steal, 0.05);
    }

    #[test]
    fn percpu_lines_in_file_order() {
        let per = parse_stat_percpu(STAT, 100.0).unwrap();
        assert_eq!(per.len(), 2);
        assert_eq!(per[1].user, 12.03);
    }

    #[test]
    fn old_kernel_missing_columns_read_as_zero() {
        let t = parse_stat_total("cpu 1 2 3 4 5 6 7\n", 1.0).unwrap();
        assert_eq!((t.softirq, t.steal, t.guest_nice), (7.0, 0.0, 0.0));
    }

    #[test]
    fn garbage_stat_is_an_error_not_a_panic() {
        for bad in [
            "",
            "\n",
            "cpu\n",
            "cpu 1 2 x 4\n",
            "intr 5\n",
            "cpu 1 2 3\n",
            "\u{0}\u{1}",
        ] {
            assert!(parse_stat_total(bad, 100.0).is_err(), "{bad:?}");
        }
        assert!(parse_stat_percpu("cpu 1 2 3 4\ncpu0 1 2\n", 100.0).is_err());
    }

    #[test]
    fn cpu_stats_first_numbers() {
        let s = parse_stat_cpu_stats(STAT).unwrap();
        assert_eq!(
            s,
            CpuStats {
                ctx_switches: 987654,
                interrupts: 123456,
                soft_interrupts: 55555,
                syscalls: 0
            }
        );
        assert!(parse_stat_cpu_stats("ctxt x\n").is_err());
        assert!(parse_stat_cpu_stats("ctxt\n").is_err());
    }

    #[test]
    fn btime_missing_is_an_error() {
        assert_eq!(parse_stat_btime(STAT).unwrap(), 1764193800.0);
        assert!(parse_stat_btime("cpu 1 2 3 4\n").is_err());
    }

    #[test]
    fn loadavg() {
        assert_eq!(
            parse_loadavg("0.31 1.04 0.40 1/234 5678\n").unwrap(),
            (0.31, 1.04, 0.40)
        );
        assert!(parse_loadavg("0.31 1.04").is_err());
        assert!(parse_loadavg("a b c").is_err());
    }

    #[test]
    fn cpuinfo_parsers() {
        let text = "processor\t: 0\nphysical id\t: 0\ncpu cores\t: 4\ncpu MHz\t\t: 2596.122\n\n\
processor\t: 1\nphysical id\t: 0\ncpu cores\t: 4\ncpu MHz\t\t: 1800.5\n\n\
processor\t: 2\nphysical id\t: 1\ncpu cores\t: 4\ncpu MHz\t\t: bogus\n";
        assert_eq!(parse_cpuinfo_processors(text), 3);
        assert_eq!(parse_cpuinfo_mhz(text), vec![2596.122, 1800.5]);
        assert_eq!(parse_cpuinfo_cores(text), 8);
        // s390x style "physical id:" without a tab still parses.
        assert_eq!(parse_cpuinfo_cores("physical id: 0\ncpu cores: 2\n"), 2);
        assert_eq!(parse_cpuinfo_cores("garbage\n\n::\n"), 0);
    }
}
