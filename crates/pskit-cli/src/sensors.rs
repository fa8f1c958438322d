//! `pskit sensors`: temperatures and fans like lm-sensors' `sensors`, and the
//! battery like `acpi -b`, from `sensors_temperatures`, `sensors_fans` and
//! `sensors_battery`.

use std::process::ExitCode;

use pskit::{Battery, Fan, Temperature};
use serde::Serialize;

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit sensors`.
#[derive(clap::Args)]
pub struct Args {
    /// Temperatures in degrees Fahrenheit.
    #[arg(short, long)]
    fahrenheit: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Everything {
    temperatures: pskit::IndexMap<String, Vec<Temperature>>,
    fans: pskit::IndexMap<String, Vec<Fan>>,
    battery: Option<Battery>,
}

fn degrees(v: f64, unit: char) -> String {
    format!("{v:+.1}°{unit}")
}

fn temperature_line(t: &Temperature, index: usize, unit: char, width: usize) -> String {
    let label = if t.label.is_empty() {
        format!("temp{}", index + 1)
    } else {
        t.label.clone()
    };
    let mut line = format!(
        "{:<width$} {:>9}",
        format!("{label}:"),
        degrees(t.current, unit)
    );
    let limits: Vec<String> = [("high", t.high), ("crit", t.critical)]
        .iter()
        .filter_map(|(name, v)| v.map(|v| format!("{name} = {}", degrees(v, unit))))
        .collect();
    if !limits.is_empty() {
        line.push_str(&format!("  ({})", limits.join(", ")));
    }
    line
}

fn hms(secs: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `acpi -b` style: "Battery: 75%, discharging, 03:00:00 remaining".
fn battery_line(b: &Battery) -> String {
    let state = match b.power_plugged {
        Some(true) => "on AC power",
        Some(false) => "discharging",
        None => "state unknown",
    };
    let mut line = format!("Battery: {:.0}%, {state}", b.percent);
    if let Some(left) = b.time_left() {
        line.push_str(&format!(", {} remaining", hms(left.as_secs())));
    }
    line
}

/// Runs `pskit sensors`.
pub fn run(args: Args) -> CmdResult {
    let mut failed = false;
    let mut report = |what: &str, e: pskit::Error| {
        eprintln!("pskit: {what}: {e}");
        failed = true;
    };
    let temperatures = pskit::sensors_temperatures(args.fahrenheit).unwrap_or_else(|e| {
        report("temperatures", e);
        Default::default()
    });
    let fans = pskit::sensors_fans().unwrap_or_else(|e| {
        report("fans", e);
        Default::default()
    });
    let battery = pskit::sensors_battery().unwrap_or_else(|e| {
        report("battery", e);
        None
    });
    let all = Everything {
        temperatures,
        fans,
        battery,
    };
    if args.json {
        print_json(&all)?;
    } else {
        print_text(&all, if args.fahrenheit { 'F' } else { 'C' });
    }
    if all.temperatures.is_empty() && all.fans.is_empty() && all.battery.is_none() {
        // lm-sensors' words, on stderr, and its exit status 1 (JSON is printed first).
        eprintln!(
            "No sensors found!\nMake sure you loaded all the kernel drivers you need.\n\
             Try sensors-detect to find out which these are."
        );
        failed = true;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_text(all: &Everything, unit: char) {
    let mut chips: Vec<&String> = all.temperatures.keys().chain(all.fans.keys()).collect();
    chips.sort();
    chips.dedup();
    for chip in &chips {
        println!("{chip}");
        let temps = all
            .temperatures
            .get(*chip)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let fans = all.fans.get(*chip).map(Vec::as_slice).unwrap_or_default();
        let width = temps
            .iter()
            .map(|t| t.label.chars().count())
            .chain(fans.iter().map(|f| f.label.chars().count()))
            .max()
            .unwrap_or(0)
            .max(6)
            + 1;
        for (i, t) in temps.iter().enumerate() {
            println!("{}", temperature_line(t, i, unit, width));
        }
        for (i, f) in fans.iter().enumerate() {
            let label = if f.label.is_empty() {
                format!("fan{}", i + 1)
            } else {
                f.label.clone()
            };
            println!("{:<width$} {:>5} RPM", format!("{label}:"), f.current);
        }
        println!();
    }
    if let Some(b) = &all.battery {
        println!("{}", battery_line(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_like_lm_sensors() {
        let t = Temperature {
            label: "Core 0".into(),
            current: 43.0,
            high: Some(80.0),
            critical: Some(100.0),
        };
        assert_eq!(
            temperature_line(&t, 0, 'C', 8),
            "Core 0:    +43.0°C  (high = +80.0°C, crit = +100.0°C)"
        );
        let bare = Temperature {
            label: String::new(),
            high: None,
            critical: None,
            ..t
        };
        assert_eq!(temperature_line(&bare, 1, 'F', 6), "temp2:   +43.0°F");
    }

    #[test]
    fn battery_lines() {
        let b = Battery {
            percent: 75.4,
            secsleft: 10800,
            power_plugged: Some(false),
        };
        assert_eq!(
            battery_line(&b),
            "Battery: 75%, discharging, 03:00:00 remaining"
        );
        let ac = Battery {
            percent: 100.0,
            secsleft: pskit::POWER_TIME_UNLIMITED,
            power_plugged: Some(true),
        };
        assert_eq!(battery_line(&ac), "Battery: 100%, on AC power");
        let unknown = Battery {
            percent: 50.0,
            secsleft: pskit::POWER_TIME_UNKNOWN,
            power_plugged: None,
        };
        assert_eq!(battery_line(&unknown), "Battery: 50%, state unknown");
    }
}
