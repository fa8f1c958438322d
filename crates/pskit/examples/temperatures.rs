//! Prints the hardware temperatures, chip by chip, like lm-sensors' `sensors`.
//!
//! Port of psutil's `scripts/temperatures.py` (including its stray `%` before
//! the critical value):
//!
//! ```text
//! $ cargo run -p pskit --example temperatures
//! coretemp
//!     Physical id 0        54.0 °C (high = 100.0 °C, critical = %100.0 °C)
//!     Core 0               47.0 °C (high = 100.0 °C, critical = %100.0 °C)
//! ```
//!
//! Without sensors it prints `can't read any temperature` to stderr and exits
//! with status 1.

#[path = "support/py.rs"]
mod py;

use std::process::ExitCode;

fn main() -> ExitCode {
    let temps = match pskit::sensors_temperatures(false) {
        Ok(temps) => temps,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if temps.is_empty() {
        eprintln!("can't read any temperature");
        return ExitCode::FAILURE;
    }
    for (name, entries) in &temps {
        println!("{name}");
        for entry in entries {
            let label = if entry.label.is_empty() {
                name
            } else {
                &entry.label
            };
            println!(
                "    {:<20} {} °C (high = {} °C, critical = %{} °C)",
                label,
                py::float(entry.current),
                entry.high.map_or("None".into(), py::float),
                entry.critical.map_or("None".into(), py::float),
            );
        }
        println!();
    }
    ExitCode::SUCCESS
}
