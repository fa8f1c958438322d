//! /sys/class/power_supply: the battery (reference §2.6, psutil `sensors_battery`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::linux::dirs::names_with_prefix;
use crate::linux::fs::{read_trimmed, with_text};
use crate::root::Root;
use crate::sensors::{Battery, POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED};

/// A power-supply attribute as psutil's `multi_bcat` reads it: the first of
/// several files that can be read, as an integer when it is one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Attr {
    /// The file held an integer.
    Int(i64),
    /// The file held something else (psutil keeps the text, and fails with a
    /// TypeError if it is used in arithmetic).
    Text(PathBuf, String),
}

impl Attr {
    fn int(&self) -> Result<i64> {
        match self {
            Attr::Int(v) => Ok(*v),
            Attr::Text(path, s) => Err(Error::parse(
                path,
                format!("expected an integer, found {s:?}"),
            )),
        }
    }
}

/// The first readable file of `paths`; `None` when none can be read.
fn first_attr(paths: &[PathBuf]) -> Option<Attr> {
    paths.iter().find_map(|p| {
        with_text(p, |s| {
            let s = s.trim();
            Ok(match s.parse() {
                Ok(v) => Attr::Int(v),
                Err(_) => Attr::Text(p.clone(), s.to_string()),
            })
        })
        .ok()
    })
}

/// The values `sensors_battery` combines, read from the battery's directory.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct BatteryFiles {
    pub energy_now: Option<Attr>,
    pub power_now: Option<Attr>,
    pub energy_full: Option<Attr>,
    pub time_to_empty: Option<Attr>,
    /// The `capacity` file's trimmed text, when it can be read.
    pub capacity: Option<(PathBuf, String)>,
    /// `AC0/online` or `AC/online`.
    pub ac_online: Option<Attr>,
    /// The `status` file, trimmed and lowercased, or "".
    pub status: String,
}

/// psutil's battery arithmetic on the values read.
pub(crate) fn battery_from(files: &BatteryFiles) -> Result<Option<Battery>> {
    let percent = match (&files.energy_now, &files.energy_full) {
        (Some(now), Some(full)) => {
            let (now, full) = (now.int()?, full.int()?);
            if full == 0 {
                0.0
            } else {
                100.0 * now as f64 / full as f64
            }
        }
        _ => {
            let Some((path, text)) = &files.capacity else {
                return Ok(None);
            };
            let cap: i64 = text
                .parse()
                .map_err(|_| Error::parse(path, format!("expected an integer, found {text:?}")))?;
            if cap == -1 {
                return Ok(None);
            }
            cap as f64
        }
    };
    let power_plugged = match &files.ac_online {
        Some(online) => Some(*online == Attr::Int(1)),
        None => match files.status.as_str() {
            "discharging" => Some(false),
            "charging" | "full" => Some(true),
            _ => None,
        },
    };
    let secsleft = if power_plugged == Some(true) {
        POWER_TIME_UNLIMITED
    } else if let (Some(now), Some(power)) = (&files.energy_now, &files.power_now) {
        let (now, power) = (now.int()?, power.int()?);
        if power == 0 {
            POWER_TIME_UNKNOWN
        } else {
            (now as f64 / power.unsigned_abs() as f64 * 3600.0) as i64
        }
    } else if let Some(tte) = &files.time_to_empty {
        let secs = tte.int()?.saturating_mul(60);
        if secs < 0 {
            POWER_TIME_UNKNOWN
        } else {
            secs
        }
    } else {
        POWER_TIME_UNKNOWN
    };
    Ok(Some(Battery {
        percent,
        secsleft,
        power_plugged,
    }))
}

/// True for the power supplies psutil treats as batteries.
pub(crate) fn is_battery(name: &str) -> bool {
    name.starts_with("BAT") || name.to_lowercase().contains("battery")
}

fn read_battery_files(supplies: &Path, bat: &Path) -> BatteryFiles {
    let at = |names: &[&str]| -> Vec<PathBuf> { names.iter().map(|n| bat.join(n)).collect() };
    BatteryFiles {
        energy_now: first_attr(&at(&["energy_now", "charge_now"])),
        power_now: first_attr(&at(&["power_now", "current_now"])),
        energy_full: first_attr(&at(&["energy_full", "charge_full"])),
        time_to_empty: first_attr(&at(&["time_to_empty_now"])),
        capacity: {
            let p = bat.join("capacity");
            read_trimmed(&p).ok().map(|s| (p, s))
        },
        ac_online: first_attr(&[supplies.join("AC0/online"), supplies.join("AC/online")]),
        status: read_trimmed(&bat.join("status"))
            .unwrap_or_default()
            .to_lowercase(),
    }
}

/// `sensors_battery()`: the lexicographically first battery (psutil #1238).
pub(crate) fn sensors_battery(root: &Root) -> Result<Option<Battery>> {
    let supplies = root.sys_path("class/power_supply");
    let Some(name) = names_with_prefix(&supplies, "")
        .into_iter()
        .find(|n| is_battery(n))
    else {
        return Ok(None);
    };
    battery_from(&read_battery_files(&supplies, &supplies.join(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> BatteryFiles {
        BatteryFiles::default()
    }

    #[test]
    fn battery_names() {
        assert!(
            is_battery("BAT0")
                && is_battery("hidpp_Battery_0")
                && is_battery("ps-controller-battery")
        );
        assert!(!is_battery("AC") && !is_battery("ADP1") && !is_battery("bat0"));
    }

    #[test]
    fn energy_percent_and_time_left() {
        let f = BatteryFiles {
            energy_now: Some(Attr::Int(30_000_000)),
            energy_full: Some(Attr::Int(40_000_000)),
            power_now: Some(Attr::Int(-10_000_000)),
            status: "discharging".into(),
            ..files()
        };
        let b = battery_from(&f).unwrap().unwrap();
        assert_eq!(b.percent, 75.0);
        assert_eq!(b.power_plugged, Some(false));
        assert_eq!(b.secsleft, 10800);
    }

    #[test]
    fn zero_full_and_zero_power() {
        let f = BatteryFiles {
            energy_now: Some(Attr::Int(5)),
            energy_full: Some(Attr::Int(0)),
            power_now: Some(Attr::Int(0)),
            ..files()
        };
        let b = battery_from(&f).unwrap().unwrap();
        assert_eq!(
            (b.percent, b.secsleft, b.power_plugged),
            (0.0, POWER_TIME_UNKNOWN, None)
        );
    }

    #[test]
    fn capacity_fallback_and_missing_capacity() {
        let cap = |s: &str| Some((PathBuf::from("capacity"), s.to_string()));
        let b = battery_from(&BatteryFiles {
            capacity: cap("87"),
            ..files()
        })
        .unwrap()
        .unwrap();
        assert_eq!(b.percent, 87.0);
        assert_eq!(battery_from(&files()).unwrap(), None);
        assert_eq!(
            battery_from(&BatteryFiles {
                capacity: cap("-1"),
                ..files()
            })
            .unwrap(),
            None
        );
        assert!(battery_from(&BatteryFiles {
            capacity: cap("lots"),
            ..files()
        })
        .is_err());
    }

    #[test]
    fn ac_online_wins_over_status() {
        let f = BatteryFiles {
            capacity: Some((PathBuf::from("capacity"), "50".into())),
            ac_online: Some(Attr::Int(0)),
            status: "charging".into(),
            time_to_empty: Some(Attr::Int(7)),
            ..files()
        };
        let b = battery_from(&f).unwrap().unwrap();
        assert_eq!((b.power_plugged, b.secsleft), (Some(false), 420));
        let plugged = BatteryFiles {
            ac_online: Some(Attr::Int(1)),
            ..f.clone()
        };
        assert_eq!(
            battery_from(&plugged).unwrap().unwrap().secsleft,
            POWER_TIME_UNLIMITED
        );
        let garbage = BatteryFiles {
            ac_online: Some(Attr::Text("x".into(), "yes".into())),
            ..f
        };
        assert_eq!(
            battery_from(&garbage).unwrap().unwrap().power_plugged,
            Some(false)
        );
    }

    #[test]
    fn status_rules_and_negative_time_to_empty() {
        let base = BatteryFiles {
            capacity: Some((PathBuf::from("capacity"), "50".into())),
            time_to_empty: Some(Attr::Int(-3)),
            ..files()
        };
        for (status, plugged) in [
            ("full", Some(true)),
            ("charging", Some(true)),
            ("discharging", Some(false)),
            ("unknown", None),
        ] {
            let f = BatteryFiles {
                status: status.into(),
                ..base.clone()
            };
            assert_eq!(
                battery_from(&f).unwrap().unwrap().power_plugged,
                plugged,
                "{status}"
            );
        }
        let f = BatteryFiles {
            status: "discharging".into(),
            ..base
        };
        assert_eq!(
            battery_from(&f).unwrap().unwrap().secsleft,
            POWER_TIME_UNKNOWN
        );
    }

    #[test]
    fn garbage_energy_is_an_error_only_when_used() {
        let bad = Some(Attr::Text("energy_now".into(), "??".into()));
        let f = BatteryFiles {
            energy_now: bad.clone(),
            energy_full: Some(Attr::Int(1)),
            ..files()
        };
        assert!(battery_from(&f).is_err());
        let f = BatteryFiles {
            energy_now: bad,
            capacity: Some((PathBuf::from("capacity"), "10".into())),
            status: "full".into(),
            ..files()
        };
        assert_eq!(battery_from(&f).unwrap().unwrap().percent, 10.0);
    }
}
