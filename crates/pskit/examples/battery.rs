//! Prints the battery's charge, time left and power source.
//!
//! Port of psutil's `scripts/battery.py`:
//!
//! ```text
//! $ cargo run -p pskit --example battery
//! charge:     74.0%
//! left:      2:11:31
//! status:     discharging
//! plugged in: no
//! ```
//!
//! Without a battery it prints `no battery is installed` to stderr and exits
//! with status 1.

#[path = "support/py.rs"]
mod py;

use std::process::ExitCode;

fn main() -> ExitCode {
    let batt = match pskit::sensors_battery() {
        Ok(Some(batt)) => batt,
        Ok(None) => {
            eprintln!("no battery is installed");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("charge:     {}%", py::float(py::round(batt.percent, 2)));
    if batt.power_plugged == Some(true) {
        let status = if batt.percent < 100.0 {
            "charging"
        } else {
            "fully charged"
        };
        println!("status:     {status}");
        println!("plugged in: yes");
    } else {
        println!("left:      {}", secs2hours(batt.secsleft));
        println!("status:     discharging");
        println!("plugged in: no");
    }
    ExitCode::SUCCESS
}

/// `H:MM:SS` with Python's floor division (−1 s, POWER_TIME_UNKNOWN, is `-1:59:59`).
fn secs2hours(secs: i64) -> String {
    let (mm, ss) = (secs.div_euclid(60), secs.rem_euclid(60));
    let (hh, mm) = (mm.div_euclid(60), mm.rem_euclid(60));
    format!("{hh}:{mm:02}:{ss:02}")
}
