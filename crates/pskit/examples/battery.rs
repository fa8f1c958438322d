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
    println!("charge:     {}%", py_float(round2(batt.percent)));
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

/// Python's `round(x, 2)` (correctly rounded, ties to even).
fn round2(x: f64) -> f64 {
    format!("{x:.2}").parse().unwrap_or(x)
}

/// Python's `str(float)` for everyday magnitudes: `74.0`, where Rust prints `74`.
fn py_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        x.to_string()
    }
}
