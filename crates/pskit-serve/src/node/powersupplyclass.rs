//! `powersupplyclass`: /sys/class/power_supply as node_exporter 1.5 exposes
//! it: `node_power_supply_<attribute>{power_supply}` gauges (µA, µV, µW, µWh
//! and µAh → A, V, W, Wh and Ah; tenths of °C → °C) and
//! node_power_supply_info with the text attributes as labels.

use std::collections::BTreeMap;
use std::path::Path;

use crate::expo::Metrics;
use crate::node::sysread;
use crate::{Ctx, Opt};

/// `--collector.powersupply.ignored-supplies`: a regular expression of
/// supply names to leave out.
///
/// ```
/// let o = &pskit_serve::node::powersupplyclass::OPTIONS[0];
/// assert_eq!(o.default, "^$");
/// ```
pub const OPTIONS: &[Opt] = &[Opt {
    flag: "collector.powersupply.ignored-supplies",
    default: "^$",
    help: "Regexp of power supplies to ignore for powersupplyclass collector.",
}];

/// The integer attributes node_exporter's procfs library parses (a bad
/// value in any of them fails the collector), whether exposed or not.
const INT_FILES: &[&str] = &[
    "authentic",
    "calibrate",
    "capacity",
    "capacity_alert_max",
    "capacity_alert_min",
    "charge_avg",
    "charge_control_limit",
    "charge_control_limit_max",
    "charge_counter",
    "charge_empty",
    "charge_empty_design",
    "charge_full",
    "charge_full_design",
    "charge_now",
    "charge_term_current",
    "constant_charge_current",
    "constant_charge_current_max",
    "constant_charge_voltage",
    "constant_charge_voltage_max",
    "current_avg",
    "current_boot",
    "current_max",
    "current_now",
    "cycle_count",
    "energy_avg",
    "energy_empty",
    "energy_empty_design",
    "energy_full",
    "energy_full_design",
    "energy_now",
    "input_current_limit",
    "online",
    "power_avg",
    "power_now",
    "precharge_current",
    "present",
    "temp",
    "temp_alert_max",
    "temp_alert_min",
    "temp_ambient",
    "temp_ambient_max",
    "temp_ambient_min",
    "temp_max",
    "temp_min",
    "time_to_empty_avg",
    "time_to_empty_now",
    "time_to_full_avg",
    "time_to_full_now",
    "voltage_avg",
    "voltage_boot",
    "voltage_max",
    "voltage_max_design",
    "voltage_min",
    "voltage_min_design",
    "voltage_now",
    "voltage_ocv",
];

/// The text attributes, and the label each becomes on node_power_supply_info.
const TEXT_FILES: &[&str] = &[
    "capacity_level",
    "charge_type",
    "health",
    "manufacturer",
    "model_name",
    "serial_number",
    "status",
    "technology",
    "type",
    "usb_type",
    "scope",
];

/// (metric suffix, file, divisor) of the exposed numbers.
const EXPOSED: &[(&str, &str, f64)] = &[
    ("authentic", "authentic", 1.0),
    ("calibrate", "calibrate", 1.0),
    ("capacity", "capacity", 1.0),
    ("capacity_alert_max", "capacity_alert_max", 1.0),
    ("capacity_alert_min", "capacity_alert_min", 1.0),
    ("cyclecount", "cycle_count", 1.0),
    ("online", "online", 1.0),
    ("present", "present", 1.0),
    ("time_to_empty_seconds", "time_to_empty_now", 1.0),
    ("time_to_full_seconds", "time_to_full_now", 1.0),
    ("current_boot", "current_boot", 1e6),
    ("current_max", "current_max", 1e6),
    ("current_ampere", "current_now", 1e6),
    ("energy_empty", "energy_empty", 1e6),
    ("energy_empty_design", "energy_empty_design", 1e6),
    ("energy_full", "energy_full", 1e6),
    ("energy_full_design", "energy_full_design", 1e6),
    ("energy_watthour", "energy_now", 1e6),
    ("voltage_boot", "voltage_boot", 1e6),
    ("voltage_max", "voltage_max", 1e6),
    ("voltage_max_design", "voltage_max_design", 1e6),
    ("voltage_min", "voltage_min", 1e6),
    ("voltage_min_design", "voltage_min_design", 1e6),
    ("voltage_volt", "voltage_now", 1e6),
    ("voltage_ocv", "voltage_ocv", 1e6),
    ("charge_control_limit", "charge_control_limit", 1e6),
    ("charge_control_limit_max", "charge_control_limit_max", 1e6),
    ("charge_counter", "charge_counter", 1e6),
    ("charge_empty", "charge_empty", 1e6),
    ("charge_empty_design", "charge_empty_design", 1e6),
    ("charge_full", "charge_full", 1e6),
    ("charge_full_design", "charge_full_design", 1e6),
    ("charge_ampere", "charge_now", 1e6),
    ("charge_term_current", "charge_term_current", 1e6),
    ("constant_charge_current", "constant_charge_current", 1e6),
    (
        "constant_charge_current_max",
        "constant_charge_current_max",
        1e6,
    ),
    ("constant_charge_voltage", "constant_charge_voltage", 1e6),
    (
        "constant_charge_voltage_max",
        "constant_charge_voltage_max",
        1e6,
    ),
    ("precharge_current", "precharge_current", 1e6),
    ("input_current_limit", "input_current_limit", 1e6),
    ("power_watt", "power_now", 1e6),
    ("temp_celsius", "temp", 10.0),
    ("temp_alert_max_celsius", "temp_alert_max", 10.0),
    ("temp_alert_min_celsius", "temp_alert_min", 10.0),
    ("temp_ambient_celsius", "temp_ambient", 10.0),
    ("temp_ambient_max_celsius", "temp_ambient_max", 10.0),
    ("temp_ambient_min_celsius", "temp_ambient_min", 10.0),
    ("temp_max_celsius", "temp_max", 10.0),
    ("temp_min_celsius", "temp_min", 10.0),
];

/// An integer as Go's `strconv.ParseInt(s, 0, 64)` reads it: optional sign,
/// then `0x`, `0o`, `0b` or a leading `0` for hex, octal, binary, octal, and
/// `_` between digits.
///
/// ```
/// use pskit_serve::node::powersupplyclass::parse_go_int;
/// assert_eq!(parse_go_int("-12"), Some(-12));
/// assert_eq!(parse_go_int("0x1f"), Some(31));
/// assert_eq!(parse_go_int("010"), Some(8));
/// assert_eq!(parse_go_int("1_000"), Some(1000));
/// assert_eq!(parse_go_int("12 V"), None);
/// assert_eq!(parse_go_int(""), None);
/// ```
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r, true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r, true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if digits.contains('_') {
        // Go: underscores only between digits, or right after a base prefix.
        let ok = !digits.ends_with('_')
            && !digits.contains("__")
            && (prefixed || !digits.starts_with('_'));
        if !ok {
            return None;
        }
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// One power supply's attributes: integers and texts, by file name.
type Supply = (BTreeMap<String, i64>, BTreeMap<String, String>);

/// Reads one `/sys/class/power_supply/<name>` directory as node_exporter's
/// procfs library does: regular files only; a missing file, or one the driver
/// answers EINVAL or EOPNOTSUPP for, is skipped; any other error, or an
/// integer attribute that is not an integer, fails.
///
/// ```
/// assert!(pskit_serve::node::powersupplyclass::read_supply(std::path::Path::new("/nonexistent")).is_err());
/// ```
pub fn read_supply(dir: &Path) -> Result<Supply, String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let (mut ints, mut texts) = (BTreeMap::new(), BTreeMap::new());
    for e in entries {
        if !e.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let value = match sysread::sys_read_file(&path) {
            Ok(v) => v,
            Err(err) if matches!(sysread::errno(&err), Some(2) | Some(22) | Some(95)) => continue,
            Err(err) => return Err(format!("failed to read file {:?}: {err}", path)),
        };
        if INT_FILES.contains(&name.as_str()) {
            let v = parse_go_int(&value)
                .ok_or_else(|| format!("{}: not an integer: {value:?}", path.display()))?;
            ints.insert(name, v);
        } else if TEXT_FILES.contains(&name.as_str()) {
            texts.insert(name, value);
        }
    }
    Ok((ints, texts))
}

/// Adds every power supply's numbers and its info series. Without
/// /sys/class/power_supply the collector fails (node_exporter's "no data");
/// one unreadable supply fails it with nothing added.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// let _ = pskit_serve::node::powersupplyclass::collect(cfg.ctx(), &mut m);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let pattern = ctx.opt("collector.powersupply.ignored-supplies");
    let ignore = crate::node::devfilter::regex("collector.powersupply.ignored-supplies", pattern)?;
    let class = ctx.root.sys().join("class/power_supply");
    let rd = std::fs::read_dir(&class).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "no power_supply class in sysfs".to_string()
        } else {
            format!(
                "could not get power_supply class info: {}: {e}",
                class.display()
            )
        }
    })?;
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut supplies = Vec::new();
    for name in names {
        let s = read_supply(&class.join(&name))
            .map_err(|e| format!("could not get power_supply class info: {e}"))?;
        if !ignore.is_match(&name) {
            supplies.push((name, s));
        }
    }
    for (name, (ints, texts)) in supplies {
        for &(metric, file, div) in EXPOSED {
            if let Some(&v) = ints.get(file) {
                let value = if div == 1.0 { v as f64 } else { v as f64 / div };
                m.gauge(
                    &format!("node_power_supply_{metric}"),
                    &format!("{metric} value of /sys/class/power_supply/<power_supply>."),
                )
                .sample(&[("power_supply", &name)], value);
            }
        }
        let mut labels: Vec<(String, String)> = vec![("power_supply".into(), name.clone())];
        for (k, v) in texts {
            if !v.is_empty() {
                labels.push((k, v));
            }
        }
        labels.sort();
        m.gauge(
            "node_power_supply_info",
            "info of /sys/class/power_supply/<power_supply>.",
        )
        .sample_owned(labels, 1.0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_ints() {
        for (s, v) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("+7", Some(7)),
            ("0b101", Some(5)),
            ("0o17", Some(15)),
            ("0x_1F", Some(31)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("08", None),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("-", None),
            ("0x", None),
            (" 1", None),
            ("\u{e9}", None),
        ] {
            assert_eq!(parse_go_int(s), v, "{s:?}");
        }
    }
}
