//! A clone of lm-sensors' `sensors`: hardware temperatures, fan speeds and the
//! battery.
//!
//! Port of psutil's `scripts/sensors.py`. Python lists the chips in the order of
//! a `set` (arbitrary); this port lists the temperature chips, then the chips
//! that only have fans.
//!
//! ```text
//! $ cargo run -p pskit --example sensors
//! coretemp
//!     Temperatures:
//!         Core 0               61.0°C (high=87.0°C, critical=105.0°C)
//! asus
//!     Temperatures:
//!         asus                 57.0°C (high=None°C, critical=None°C)
//!     Fans:
//!         cpu_fan              3500 RPM
//! Battery:
//!     charge:     84.95%
//!     status:     charging
//!     plugged in: yes
//! ```

#[path = "support/py.rs"]
mod py;

fn main() -> pskit::Result<()> {
    let temps = pskit::sensors_temperatures(false)?;
    let fans = pskit::sensors_fans()?;
    let battery = pskit::sensors_battery()?;
    if temps.is_empty() && fans.is_empty() && battery.is_none() {
        println!("can't read any temperature, fans or battery info");
        return Ok(());
    }

    let mut names: Vec<&String> = temps.keys().collect();
    names.extend(fans.keys().filter(|name| !temps.contains_key(*name)));
    for name in names {
        println!("{name}");
        if let Some(entries) = temps.get(name) {
            println!("    Temperatures:");
            for entry in entries {
                println!(
                    "        {:<20} {}°C (high={}°C, critical={}°C)",
                    label_or(&entry.label, name),
                    py::float(entry.current),
                    entry.high.map_or("None".into(), py::float),
                    entry.critical.map_or("None".into(), py::float),
                );
            }
        }
        if let Some(entries) = fans.get(name) {
            println!("    Fans:");
            for entry in entries {
                println!(
                    "        {:<20} {} RPM",
                    label_or(&entry.label, name),
                    entry.current
                );
            }
        }
    }

    if let Some(battery) = battery {
        println!("Battery:");
        println!(
            "    charge:     {}%",
            py::float(py::round(battery.percent, 2))
        );
        if battery.power_plugged == Some(true) {
            let status = if battery.percent < 100.0 {
                "charging"
            } else {
                "fully charged"
            };
            println!("    status:     {status}");
            println!("    plugged in: yes");
        } else {
            println!("    left:       {}", secs2hours(battery.secsleft));
            println!("    status:     discharging");
            println!("    plugged in: no");
        }
    }
    Ok(())
}

/// Python's `label or name`.
fn label_or<'a>(label: &'a str, name: &'a str) -> &'a str {
    if label.is_empty() {
        name
    } else {
        label
    }
}

/// `H:MM:SS` with Python's floor division (−1 s, POWER_TIME_UNKNOWN, is `-1:59:59`).
fn secs2hours(secs: i64) -> String {
    let (mm, ss) = (secs.div_euclid(60), secs.rem_euclid(60));
    let (hh, mm) = (mm.div_euclid(60), mm.rem_euclid(60));
    format!("{hh}:{mm:02}:{ss:02}")
}
