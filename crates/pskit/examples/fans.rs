//! Prints the fan speeds, chip by chip.
//!
//! Port of psutil's `scripts/fans.py`:
//!
//! ```text
//! $ cargo run -p pskit --example fans
//! asus
//!     cpu_fan              3200 RPM
//! ```
//!
//! Without fans it prints `no fans detected`.

fn main() -> pskit::Result<()> {
    let fans = pskit::sensors_fans()?;
    if fans.is_empty() {
        println!("no fans detected");
        return Ok(());
    }
    for (name, entries) in &fans {
        println!("{name}");
        for entry in entries {
            let label = if entry.label.is_empty() {
                name
            } else {
                &entry.label
            };
            println!("    {label:<20} {} RPM", entry.current);
        }
        println!();
    }
    Ok(())
}
