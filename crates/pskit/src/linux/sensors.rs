//! /sys/class/hwmon and /sys/class/thermal: temperatures and fans (reference §2.6).
//!
//! psutil finds sensors with globs and cuts each path at its first `_` to get a
//! base such as `.../hwmon0/temp1`. Here only the file name is cut, which is the
//! same on a real /sys and stays right when the root's own path holds a `_`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::linux::dirs::names_with_prefix;
use crate::linux::fs::{read_int, read_trimmed, with_text};
use crate::root::Root;
use crate::sensors::{Fan, Temperature};

/// The base name of a sensor file matching `{kind}*_*` (`temp1_input` → `temp1`).
pub(crate) fn sensor_base<'a>(file: &'a str, kind: &str) -> Option<&'a str> {
    let rest = file.strip_prefix(kind)?;
    let cut = rest.find('_')?;
    Some(&file[..kind.len() + cut])
}

/// Parses a sysfs value as Python's `float()` would (surrounding blanks allowed).
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    text.trim().parse().ok()
}

/// The sorted, deduplicated bases of the `{kind}*_*` files in each directory.
fn bases_in(dirs: impl IntoIterator<Item = PathBuf>, kind: &str, out: &mut BTreeSet<String>) {
    for dir in dirs {
        for file in names_with_prefix(&dir, kind) {
            if let Some(base) = sensor_base(&file, kind) {
                out.insert(dir.join(base).to_string_lossy().into_owned());
            }
        }
    }
}

/// The `hwmon*` directories of /sys/class/hwmon, each with `suffix` appended.
fn hwmon_dirs(root: &Root, suffix: &str) -> Vec<PathBuf> {
    let class = root.sys_path("class/hwmon");
    names_with_prefix(&class, "hwmon")
        .into_iter()
        .map(|h| class.join(h).join(suffix))
        .collect()
}

/// The bases of coretemp's own hwmon directories
/// (`/sys/devices/platform/coretemp.*/hwmon/hwmon*`), each with the path of the
/// same sensor under /sys/class/hwmon (psutil #1708).
fn coretemp_bases(root: &Root) -> Vec<(String, String)> {
    let platform = root.sys_path("devices/platform");
    let class = root.sys_path("class/hwmon");
    let mut out = Vec::new();
    for chip in names_with_prefix(&platform, "coretemp.") {
        let hwmon = platform.join(chip).join("hwmon");
        for h in names_with_prefix(&hwmon, "hwmon") {
            let mut bases = BTreeSet::new();
            bases_in([hwmon.join(&h)], "temp", &mut bases);
            for base in bases {
                let file = Path::new(&base)
                    .file_name()
                    .map(|f| f.to_owned())
                    .unwrap_or_default();
                let alt = class.join(&h).join(file).to_string_lossy().into_owned();
                out.push((base, alt));
            }
        }
    }
    out
}

fn read_float_opt(path: &Path) -> Option<f64> {
    with_text(path, |s| Ok(parse_float(s))).ok().flatten()
}

fn with_suffix(base: &str, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{base}{suffix}"))
}

fn parent_file(base: &str, name: &str) -> PathBuf {
    Path::new(base).parent().unwrap_or(Path::new("")).join(name)
}

/// One hwmon temperature: `None` when its value or chip name cannot be read.
fn hwmon_temperature(base: &str) -> Option<(String, Temperature)> {
    let current = read_float_opt(&with_suffix(base, "_input"))? / 1000.0;
    let chip = read_trimmed(&parent_file(base, "name")).ok()?;
    let milli = |suffix| read_float_opt(&with_suffix(base, suffix)).map(|v| v / 1000.0);
    let label = read_trimmed(&with_suffix(base, "_label")).unwrap_or_default();
    Some((
        chip,
        Temperature {
            label,
            current,
            high: milli("_max"),
            critical: milli("_crit"),
        },
    ))
}

/// The trip points of a thermal zone directory (`trip_point_0_temp` →
/// `trip_point_0`), sorted.
pub(crate) fn trip_point_keys(names: &[String]) -> BTreeSet<String> {
    names
        .iter()
        .map(|n| n.split('_').take(3).collect::<Vec<_>>().join("_"))
        .collect()
}

/// One thermal zone: current from `temp`, chip from `type`, high and critical from
/// the trip points of that type.
fn thermal_zone(zone: &Path) -> Option<(String, Temperature)> {
    let current = read_float_opt(&zone.join("temp"))? / 1000.0;
    let chip = read_trimmed(&zone.join("type")).ok()?;
    let (mut high, mut critical) = (None, None);
    for key in trip_point_keys(&names_with_prefix(zone, "trip_point")) {
        let kind = read_trimmed(&zone.join(format!("{key}_type"))).unwrap_or_default();
        let temp = || read_float_opt(&zone.join(format!("{key}_temp"))).map(|v| v / 1000.0);
        match kind.as_str() {
            "critical" => critical = temp(),
            "high" => high = temp(),
            _ => {}
        }
    }
    let label = String::new();
    Some((
        chip,
        Temperature {
            label,
            current,
            high,
            critical,
        },
    ))
}

/// Every temperature sensor as (chip, raw reading), in psutil's discovery order.
pub(crate) fn temperatures(root: &Root) -> Result<Vec<(String, Temperature)>> {
    let mut set = BTreeSet::new();
    bases_in(hwmon_dirs(root, ""), "temp", &mut set);
    bases_in(hwmon_dirs(root, "device"), "temp", &mut set);
    let mut bases: Vec<String> = set.iter().cloned().collect();
    for (base, alt) in coretemp_bases(root) {
        if !set.contains(&alt) && !bases.contains(&base) {
            bases.push(base);
        }
    }
    if !bases.is_empty() {
        return Ok(bases.iter().filter_map(|b| hwmon_temperature(b)).collect());
    }
    let thermal = root.sys_path("class/thermal");
    Ok(names_with_prefix(&thermal, "thermal_zone")
        .into_iter()
        .filter_map(|z| thermal_zone(&thermal.join(z)))
        .collect())
}

/// Every fan as (chip, fan), in psutil's discovery order.
pub(crate) fn fans(root: &Root) -> Result<Vec<(String, Fan)>> {
    let mut set = BTreeSet::new();
    bases_in(hwmon_dirs(root, ""), "fan", &mut set);
    if set.is_empty() {
        bases_in(hwmon_dirs(root, "device"), "fan", &mut set);
    }
    let mut out = Vec::with_capacity(set.len());
    for base in set {
        let current = match read_int::<i64>(&with_suffix(&base, "_input")) {
            Ok(v) => v,
            // psutil skips a fan it cannot read, but a value that is not an
            // integer raises ValueError.
            Err(e @ Error::Parse { .. }) => return Err(e),
            Err(_) => continue,
        };
        let chip = read_trimmed(&parent_file(&base, "name"))?;
        let label = read_trimmed(&with_suffix(&base, "_label")).unwrap_or_default();
        out.push((chip, Fan { label, current }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_cut_at_the_first_underscore() {
        assert_eq!(sensor_base("temp1_input", "temp"), Some("temp1"));
        assert_eq!(sensor_base("temp12_crit_alarm", "temp"), Some("temp12"));
        assert_eq!(sensor_base("temp_x", "temp"), Some("temp"));
        assert_eq!(sensor_base("temp1", "temp"), None);
        assert_eq!(sensor_base("fan1_input", "temp"), None);
        assert_eq!(sensor_base("", "fan"), None);
    }

    #[test]
    fn floats_like_python() {
        assert_eq!(parse_float(" 45000\n"), Some(45000.0));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float(""), None);
        assert_eq!(parse_float("N/A"), None);
    }

    #[test]
    fn trip_point_names() {
        let names: Vec<String> = [
            "trip_point_0_temp",
            "trip_point_0_type",
            "trip_point_1_hyst",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let keys: Vec<String> = trip_point_keys(&names).into_iter().collect();
        assert_eq!(keys, ["trip_point_0", "trip_point_1"]);
        assert!(trip_point_keys(&[]).is_empty());
    }
}
