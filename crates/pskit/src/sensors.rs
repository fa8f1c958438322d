//! Hardware sensors: temperatures, fans and the battery (psutil §2.6).

use indexmap::IndexMap;
use std::time::Duration;

use serde::Serialize;

use crate::error::Result;
use crate::linux::{battery, sensors as sys};
use crate::root::Root;

/// [`Battery::secsleft`] when the time left cannot be estimated (psutil
/// `POWER_TIME_UNKNOWN`).
///
/// ```
/// assert_eq!(pskit::POWER_TIME_UNKNOWN, -1);
/// ```
pub const POWER_TIME_UNKNOWN: i64 = -1;

/// [`Battery::secsleft`] when the machine runs on mains power (psutil
/// `POWER_TIME_UNLIMITED`).
///
/// ```
/// assert_eq!(pskit::POWER_TIME_UNLIMITED, -2);
/// ```
pub const POWER_TIME_UNLIMITED: i64 = -2;

/// One temperature sensor, in °C or °F (psutil `shwtemp`).
///
/// ```
/// for (chip, temps) in pskit::sensors_temperatures(false).unwrap() {
///     for t in temps {
///         println!("{chip} {}: {:.1}°C (high {:?}, critical {:?})", t.label, t.current, t.high, t.critical);
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Temperature {
    /// The sensor's label (`Core 0`), or `""` when the chip gives none.
    pub label: String,
    /// The current temperature.
    pub current: f64,
    /// The "high" threshold; when only one of high and critical is known, both
    /// hold it (psutil's rule).
    pub high: Option<f64>,
    /// The "critical" threshold.
    pub critical: Option<f64>,
}

/// One fan (psutil `sfan`).
///
/// ```
/// for (chip, fans) in pskit::sensors_fans().unwrap() {
///     for f in fans {
///         println!("{chip} {}: {} RPM", f.label, f.current);
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fan {
    /// The fan's label, or `""`.
    pub label: String,
    /// Speed in RPM, as the driver reports it (an `int` in psutil).
    pub current: i64,
}

/// The battery's state (psutil `sbattery`).
///
/// `secsleft` is an `i64` as in psutil: seconds left, or one of the negative
/// constants [`POWER_TIME_UNKNOWN`] (−1) and [`POWER_TIME_UNLIMITED`] (−2). It
/// serializes to the same number psutil's JSON shows; [`Battery::time_left`] gives
/// it as an `Option<Duration>`.
///
/// ```
/// match pskit::sensors_battery().unwrap() {
///     Some(b) => println!("{:.0}% plugged={:?} left={:?}", b.percent, b.power_plugged, b.time_left()),
///     None => println!("no battery"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Battery {
    /// Charge left, 0–100. psutil 7.2.2 gives an `int` when it comes from the
    /// `capacity` file and a `float` from energy/charge; here it is always an
    /// `f64` (psutil 8.0's rule).
    pub percent: f64,
    /// Seconds until empty, or [`POWER_TIME_UNKNOWN`] / [`POWER_TIME_UNLIMITED`].
    pub secsleft: i64,
    /// True on mains power, false on battery, `None` when it cannot be told.
    pub power_plugged: Option<bool>,
}

impl Battery {
    /// The time left as a duration; `None` for [`POWER_TIME_UNKNOWN`] and
    /// [`POWER_TIME_UNLIMITED`].
    ///
    /// ```
    /// let b = pskit::Battery { percent: 50.0, secsleft: 90, power_plugged: Some(false) };
    /// assert_eq!(b.time_left(), Some(std::time::Duration::from_secs(90)));
    /// let plugged = pskit::Battery { secsleft: pskit::POWER_TIME_UNLIMITED, ..b };
    /// assert_eq!(plugged.time_left(), None);
    /// ```
    pub fn time_left(&self) -> Option<Duration> {
        u64::try_from(self.secsleft).ok().map(Duration::from_secs)
    }
}

/// Python truthiness of an optional float: `None` and `0.0` are false.
fn truthy(x: Option<f64>) -> bool {
    x.is_some_and(|v| v != 0.0)
}

/// psutil's post-processing: the °F conversion `x × 9/5 + 32`, then high and
/// critical fill in for each other when only one is set.
pub(crate) fn finish(mut t: Temperature, fahrenheit: bool) -> Temperature {
    if fahrenheit {
        fn to_f(c: f64) -> f64 {
            c * 9.0 / 5.0 + 32.0
        }
        t.current = to_f(t.current);
        t.high = t.high.map(to_f);
        t.critical = t.critical.map(to_f);
    }
    if truthy(t.high) && !truthy(t.critical) {
        t.critical = t.high;
    } else if truthy(t.critical) && !truthy(t.high) {
        t.high = t.critical;
    }
    t
}

/// Temperatures by chip name (psutil `sensors_temperatures`), in °C, or °F with
/// `fahrenheit`. Empty on a machine without sensors.
///
/// Read from `/sys/class/hwmon/hwmon*/temp*_input` (and the `device/` layout of
/// older kernels, and coretemp's platform directory); when no hwmon sensor exists
/// at all, from `/sys/class/thermal/thermal_zone*`. A sensor whose value or chip
/// name cannot be read is skipped.
///
/// The order is psutil's: sensors are visited in the sorted order of their
/// paths (`hwmon0/temp1`, `hwmon0/temp2`, `hwmon1/temp1`, …), and a chip comes
/// where its first sensor does.
///
/// Two deliberate differences from psutil 7.2.2, where it does not do what it
/// means to: a thermal zone's trip-point temperature is divided by 1000 once
/// (7.2.2 divides it again for each later trip point it visits, in an order
/// that varies between runs); and coretemp sensors found only under
/// `/sys/devices/platform/coretemp.*` are really added (7.2.2 looks them up as
/// `temp1_input_input` and drops them).
///
/// ```
/// let celsius = pskit::sensors_temperatures(false).unwrap();
/// assert!(celsius.values().all(|list| !list.is_empty()));
/// let _fahrenheit = pskit::sensors_temperatures(true).unwrap();
/// ```
pub fn sensors_temperatures(fahrenheit: bool) -> Result<IndexMap<String, Vec<Temperature>>> {
    let mut out: IndexMap<String, Vec<Temperature>> = IndexMap::new();
    for (chip, t) in sys::temperatures(&Root::current())? {
        out.entry(chip).or_default().push(finish(t, fahrenheit));
    }
    Ok(out)
}

/// Fan speeds by chip name (psutil `sensors_fans`). Empty without fans.
///
/// A fan whose `_input` file cannot be read is skipped; one that holds something
/// other than an integer, or whose chip has no `name` file, is an error, as in
/// psutil.
///
/// ```
/// let fans = pskit::sensors_fans().unwrap();
/// assert!(fans.values().all(|list| !list.is_empty()));
/// ```
pub fn sensors_fans() -> Result<IndexMap<String, Vec<Fan>>> {
    let mut out: IndexMap<String, Vec<Fan>> = IndexMap::new();
    for (chip, f) in sys::fans(&Root::current())? {
        out.entry(chip).or_default().push(f);
    }
    Ok(out)
}

/// The battery (psutil `sensors_battery`): `None` without one.
///
/// The first of `/sys/class/power_supply/BAT*` and `*battery*` (sorted by name)
/// is used. The percentage comes from energy (or charge) now/full, else from
/// `capacity`; mains power from `AC0/online` or `AC/online`, else the battery's
/// status. When `/sys/class/power_supply` itself is missing this returns `None`
/// (psutil 7.2.2 raises FileNotFoundError there).
///
/// ```
/// if let Some(b) = pskit::sensors_battery().unwrap() {
///     assert!(b.secsleft >= 0 || b.secsleft == pskit::POWER_TIME_UNKNOWN
///         || b.secsleft == pskit::POWER_TIME_UNLIMITED);
/// }
/// ```
pub fn sensors_battery() -> Result<Option<Battery>> {
    battery::sensors_battery(&Root::current())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(high: Option<f64>, critical: Option<f64>) -> Temperature {
        Temperature {
            label: String::new(),
            current: 40.0,
            high,
            critical,
        }
    }

    #[test]
    fn high_and_critical_fill_each_other() {
        assert_eq!(finish(t(Some(80.0), None), false).critical, Some(80.0));
        assert_eq!(finish(t(None, Some(100.0)), false).high, Some(100.0));
        // 0.0 is false in Python, so it is replaced too, and never copied.
        assert_eq!(finish(t(Some(80.0), Some(0.0)), false).critical, Some(80.0));
        assert_eq!(finish(t(Some(0.0), None), false).critical, None);
        assert_eq!(finish(t(None, None), false).high, None);
    }

    #[test]
    fn fahrenheit_before_filling() {
        let f = finish(t(Some(100.0), None), true);
        assert_eq!(f.current, 104.0);
        assert_eq!((f.high, f.critical), (Some(212.0), Some(212.0)));
    }
}
