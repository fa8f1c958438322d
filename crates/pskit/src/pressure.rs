//! Pressure stall information (PSI, Linux ≥ 4.20): the share of time tasks were
//! stalled waiting for CPU, memory, I/O or IRQ (beyond psutil).

use serde::Serialize;

use crate::error::Result;
use crate::linux::psi as sys;
use crate::root::Root;

/// One line of a pressure file: stall averages in percent and the total in µs.
///
/// ```
/// let p = pskit::pressure::pressure().unwrap();
/// if let Some(some) = p.cpu.and_then(|c| c.some) {
///     assert!(some.avg10 >= 0.0);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PressureLine {
    /// Percent of the last 10 seconds.
    pub avg10: f64,
    /// Percent of the last 60 seconds.
    pub avg60: f64,
    /// Percent of the last 300 seconds.
    pub avg300: f64,
    /// Total stall time since boot, in microseconds.
    pub total: u64,
}

/// One resource's pressure: `some` (at least one task stalled) and `full` (all
/// non-idle tasks stalled at once). A kernel may omit `full` (CPU on old kernels).
///
/// ```
/// let p = pskit::pressure::pressure().unwrap();
/// println!("{:?}", p.memory.map(|m| m.full));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ResourcePressure {
    /// The `some` line.
    pub some: Option<PressureLine>,
    /// The `full` line.
    pub full: Option<PressureLine>,
}

/// Pressure for each resource; `None` where the kernel has no file for it
/// (`irq` needs Linux ≥ 6.1 with CONFIG_IRQ_TIME_ACCOUNTING).
///
/// ```
/// let p = pskit::pressure::pressure().unwrap();
/// println!("{p:?}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Pressure {
    /// /proc/pressure/cpu.
    pub cpu: Option<ResourcePressure>,
    /// /proc/pressure/memory.
    pub memory: Option<ResourcePressure>,
    /// /proc/pressure/io.
    pub io: Option<ResourcePressure>,
    /// /proc/pressure/irq.
    pub irq: Option<ResourcePressure>,
}

/// System-wide pressure stall information. Returns [`crate::Error::Unsupported`]
/// when the kernel has no PSI (no /proc/pressure, or booted with `psi=0`).
///
/// ```
/// match pskit::pressure::pressure() {
///     Ok(p) => println!("cpu some avg10: {:?}", p.cpu.and_then(|c| c.some).map(|s| s.avg10)),
///     Err(e) => println!("no PSI here: {e}"),
/// }
/// ```
pub fn pressure() -> Result<Pressure> {
    sys::pressure(&Root::current())
}
