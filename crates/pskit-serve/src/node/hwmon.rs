//! `hwmon`: the sensors of /sys/class/hwmon as node_exporter names them:
//! node_hwmon_temp_celsius, node_hwmon_fan_rpm, node_hwmon_in_volts,
//! node_hwmon_power_*_watt, node_hwmon_chip_names, node_hwmon_sensor_label…,
//! labelled `chip` (from the device path, else the name file, else hwmonN)
//! and `sensor` (`temp1`, `fan2`…).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

use crate::expo::Metrics;
use crate::node::sysread;
use crate::Ctx;

const SENSOR_TYPES: &[&str] = &[
    "vrm",
    "beep_enable",
    "update_interval",
    "in",
    "cpu",
    "fan",
    "pwm",
    "temp",
    "curr",
    "power",
    "energy",
    "humidity",
    "intrusion",
];

/// Sensor → property ("" for a file without one, as `temp1`) → raw value.
type SensorData = BTreeMap<String, BTreeMap<String, String>>;

/// node_exporter's name cleaning: lower case, every character outside
/// `[a-z0-9:_]` made `_`, then `_` trimmed from both ends.
///
/// ```
/// assert_eq!(pskit_serve::node::hwmon::clean_name("Core 0\n"), "core_0");
/// assert_eq!(pskit_serve::node::hwmon::clean_name("coretemp.0"), "coretemp_0");
/// ```
pub fn clean_name(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.trim_matches('_').to_string()
}

/// Splits a sensor file name into type, number and property as
/// node_exporter's `^([^0-9]+)([0-9]*)?(_(.+))?$` does: `temp1_input` →
/// (`temp`, 1, `input`); `None` when it does not match.
///
/// ```
/// use pskit_serve::node::hwmon::explode;
/// assert_eq!(explode("temp1_input"), Some(("temp".into(), 1, "input".into())));
/// assert_eq!(explode("beep_enable"), Some(("beep_enable".into(), 0, "".into())));
/// assert_eq!(explode("1abc"), None);
/// ```
pub fn explode(file: &str) -> Option<(String, i64, String)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$").expect("valid regex")
    });
    let c = re.captures(file)?;
    let ty = c.name("type").map_or("", |m| m.as_str()).to_string();
    let prop = c.name("property").map_or("", |m| m.as_str()).to_string();
    let num = match c.name("id").map(|m| m.as_str()) {
        Some(id) if !id.is_empty() => id.parse().ok()?,
        _ => 0,
    };
    Some((ty, num, prop))
}

/// The first 128 bytes of a sensor file with newlines trimmed from both ends
/// (node_exporter reads hwmon files with one short read).
fn read_value(path: &Path) -> Option<String> {
    pskit::fs::with_text(path, |t| {
        let mut end = t.len().min(128);
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        Ok(t[..end].trim_matches('\n').to_string())
    })
    .ok()
}

fn collect_sensor_data(dir: &Path, data: &mut SensorData) -> Result<(), String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let Some((ty, num, prop)) = explode(&name) else {
            continue;
        };
        if !SENSOR_TYPES.contains(&ty.as_str()) {
            continue;
        }
        if let Some(v) = read_value(&dir.join(&name)) {
            data.entry(format!("{ty}{num}"))
                .or_default()
                .insert(prop, v);
        }
    }
    Ok(())
}

/// The `chip` label of one hwmon directory: `<bus>_<device>` from where its
/// `device` link points, else its cleaned name file, else `hwmonN`.
///
/// ```
/// assert!(pskit_serve::node::hwmon::chip_name(std::path::Path::new("/nonexistent/hwmon0")).is_err());
/// ```
pub fn chip_name(dir: &Path) -> Result<String, String> {
    if let Ok(dev) = std::fs::canonicalize(dir.join("device")) {
        let name = clean_name(&sysread::base_name(&dev));
        let ty = dev
            .parent()
            .map(|p| clean_name(&sysread::base_name(p)))
            .unwrap_or_default();
        if !ty.is_empty() && !name.is_empty() {
            return Ok(format!("{ty}_{name}"));
        }
        if !name.is_empty() {
            return Ok(name);
        }
    }
    if let Ok(raw) = pskit::fs::with_text(&dir.join("name"), |t| Ok(t.to_string())) {
        let c = clean_name(&raw);
        if !c.is_empty() {
            return Ok(c);
        }
    }
    let real = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let c = clean_name(&sysread::base_name(&real));
    if c.is_empty() {
        return Err(format!(
            "Could not derive a monitoring name for {}",
            dir.display()
        ));
    }
    Ok(c)
}

fn gauge(m: &mut Metrics, name: &str, help: &str, labels: &[(&str, &str)], v: f64) {
    m.gauge(name, help).sample(labels, v);
}

fn update_hwmon(m: &mut Metrics, dir: &Path) -> Result<(), String> {
    let chip = chip_name(dir)?;
    let mut data = SensorData::new();
    collect_sensor_data(dir, &mut data)?;
    if std::fs::metadata(dir.join("device")).is_ok() {
        collect_sensor_data(&dir.join("device"), &mut data)?;
    }
    if let Ok(raw) = pskit::fs::with_text(&dir.join("name"), |t| Ok(t.to_string())) {
        let c = clean_name(&raw);
        if !c.is_empty() {
            gauge(
                m,
                "node_hwmon_chip_names",
                "Annotation metric for human-readable chip names",
                &[("chip", &chip), ("chip_name", &c)],
                1.0,
            );
        }
    }
    for (sensor, props) in &data {
        let ty = explode(sensor).map(|e| e.0).unwrap_or_default();
        let labels = [("chip", chip.as_str()), ("sensor", sensor.as_str())];
        if let Some(label) = props.get("label") {
            gauge(
                m,
                "node_hwmon_sensor_label",
                "Label for given chip and sensor",
                &[("chip", &chip), ("label", label), ("sensor", sensor)],
                1.0,
            );
        }
        let bare = props.get("").map(String::as_str).unwrap_or("");
        match ty.as_str() {
            "beep_enable" => {
                let v = if bare == "1" { 1.0 } else { 0.0 };
                gauge(
                    m,
                    "node_hwmon_beep_enabled",
                    "Hardware beep enabled",
                    &labels,
                    v,
                );
                continue;
            }
            "vrm" => {
                if let Ok(v) = bare.parse::<f64>() {
                    gauge(
                        m,
                        "node_hwmon_voltage_regulator_version",
                        "Hardware voltage regulator",
                        &labels,
                        v,
                    );
                }
                continue;
            }
            "update_interval" => {
                if let Ok(v) = bare.parse::<f64>() {
                    gauge(
                        m,
                        "node_hwmon_update_interval_seconds",
                        "Hardware monitor update interval",
                        &labels,
                        v * 0.001,
                    );
                }
                continue;
            }
            _ => {}
        }
        let prefix = format!("node_hwmon_{ty}");
        for (element, value) in props {
            if element == "label" {
                continue;
            }
            let mut name = prefix.clone();
            if element == "input" {
                if props.contains_key("") {
                    name.push_str("_input");
                }
            } else if !element.is_empty() {
                name.push('_');
                name.push_str(&clean_name(element));
            }
            let Ok(v) = value.parse::<f64>() else {
                continue;
            };
            let e = element.as_str();
            if e == "fault" || e == "alarm" {
                let help = format!("Hardware sensor {e} status ({ty})");
                gauge(m, &name, &help, &labels, v);
                continue;
            }
            if e == "beep" {
                gauge(
                    m,
                    &format!("{name}_enabled"),
                    "Hardware monitor sensor has beeping enabled",
                    &labels,
                    v,
                );
                continue;
            }
            let (suffix, help, value) = match ty.as_str() {
                "in" | "cpu" => (
                    "_volts",
                    format!("Hardware monitor for voltage ({e})"),
                    v * 0.001,
                ),
                "temp" if e != "type" => {
                    let e = if e.is_empty() { "input" } else { e };
                    (
                        "_celsius",
                        format!("Hardware monitor for temperature ({e})"),
                        v * 0.001,
                    )
                }
                "curr" => (
                    "_amps",
                    format!("Hardware monitor for current ({e})"),
                    v * 0.001,
                ),
                "energy" => {
                    m.counter(
                        &format!("{name}_joule_total"),
                        &format!("Hardware monitor for joules used so far ({e})"),
                    )
                    .sample(&labels, v / 1000000.0);
                    continue;
                }
                "power" if e == "accuracy" => (
                    "",
                    "Hardware monitor power meter accuracy, as a ratio".to_string(),
                    v / 1000000.0,
                ),
                "power"
                    if e == "average_interval"
                        || e == "average_interval_min"
                        || e == "average_interval_max" =>
                {
                    (
                        "_seconds",
                        format!("Hardware monitor power usage update interval ({e})"),
                        v * 0.001,
                    )
                }
                "power" => (
                    "_watt",
                    format!("Hardware monitor for power usage in watts ({e})"),
                    v / 1000000.0,
                ),
                "humidity" => (
                    "",
                    format!("Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) ({e})"),
                    v / 1000000.0,
                ),
                "fan" if matches!(e, "input" | "min" | "max" | "target") => (
                    "_rpm",
                    format!("Hardware monitor for fan revolutions per minute ({e})"),
                    v,
                ),
                _ => ("", format!("Hardware monitor {ty} element {e}"), v),
            };
            gauge(m, &format!("{name}{suffix}"), &help, &labels, value);
        }
    }
    Ok(())
}

/// Adds every chip's sensors. Without /sys/class/hwmon the collector fails
/// (node_exporter's "no data"); a chip that cannot be read fails it after the
/// others were added.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// let _ = pskit_serve::node::hwmon::collect(cfg.ctx(), &mut m);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let class = ctx.root.sys().join("class/hwmon");
    let rd = std::fs::read_dir(&class).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "hwmon collector metrics are not available for this system".to_string()
        } else {
            format!("{}: {e}", class.display())
        }
    })?;
    let mut dirs: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    dirs.sort();
    let mut err = Ok(());
    for d in dirs {
        // Follows a symlink; skips what is not a directory. A dangling link
        // is skipped but, as in node_exporter, fails the collector.
        match std::fs::metadata(&d) {
            Ok(md) if md.is_dir() => {}
            Ok(_) => continue,
            Err(e) => {
                err = Err(format!("stat {}: {e}", d.display()));
                continue;
            }
        }
        if let Err(e) = update_hwmon(m, &d) {
            err = Err(e);
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explode_like_go_regexp() {
        assert_eq!(explode("temp_1x"), Some(("temp".into(), 0, "1x".into())));
        assert_eq!(explode("in0"), Some(("in".into(), 0, "".into())));
        assert_eq!(explode("fan10_min"), Some(("fan".into(), 10, "min".into())));
        assert_eq!(
            explode("power1_average_interval"),
            Some(("power".into(), 1, "average_interval".into()))
        );
        assert_eq!(explode("temp1a"), None);
        assert_eq!(explode(""), None);
        assert_eq!(explode("temp99999999999999999999999_input"), None);
        assert_eq!(explode("temp1_"), None);
    }

    #[test]
    fn clean() {
        assert_eq!(clean_name("__A-b.c__"), "a_b_c");
        assert_eq!(clean_name("\u{e9}t\u{e9}"), "t");
        assert_eq!(clean_name("\n"), "");
    }
}
