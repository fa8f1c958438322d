//! sensors_temperatures, sensors_fans and sensors_battery on fixture trees
//! (reference §2.6).

mod common;

use pskit::{Battery, Fan, Root, Temperature, POWER_TIME_UNKNOWN, POWER_TIME_UNLIMITED};

fn root(name: &str) -> Root {
    Root::new(common::fixture(name))
}

fn temp(label: &str, current: f64, high: Option<f64>, critical: Option<f64>) -> Temperature {
    Temperature {
        label: label.into(),
        current,
        high,
        critical,
    }
}

fn fan(label: &str, current: i64) -> Fan {
    Fan {
        label: label.into(),
        current,
    }
}

#[test]
fn hwmon_labels_max_crit_and_device_layout() {
    let t = root("sensors_hwmon")
        .scope(|| pskit::sensors_temperatures(false))
        .unwrap();
    let chips: Vec<&str> = t.keys().map(|s| s.as_str()).collect();
    // hwmon4 has no `name` file and is skipped; the thermal zone is not used
    // because hwmon sensors exist. psutil's order: sorted sensor paths.
    assert_eq!(chips, ["coretemp", "acpitz", "nct6775"]);
    assert_eq!(
        t["coretemp"],
        vec![
            temp("Package id 0", 45.0, Some(80.0), Some(100.0)),
            // temp10 sorts before temp2, as psutil's sorted() of the paths.
            temp("Core 8", 41.5, Some(80.0), Some(80.0)),
            temp("Core 0", 43.0, Some(100.0), Some(100.0)),
        ]
    );
    // temp2_input holds "N/A": skipped.
    assert_eq!(t["acpitz"], vec![temp("", 27.8, None, None)]);
    // device/ layout; an unparsable _max reads as None.
    assert_eq!(t["nct6775"], vec![temp("", 30.0, None, None)]);
}

#[test]
fn fahrenheit_converts_current_high_and_critical() {
    let f = root("sensors_hwmon")
        .scope(|| pskit::sensors_temperatures(true))
        .unwrap();
    let c = |x: f64| x * 9.0 / 5.0 + 32.0;
    assert_eq!(
        f["coretemp"][0],
        temp("Package id 0", 113.0, Some(176.0), Some(212.0))
    );
    assert_eq!(
        f["coretemp"][1],
        temp("Core 8", c(41.5), Some(176.0), Some(176.0))
    );
    assert_eq!(f["acpitz"][0].current, c(27.8));
}

#[test]
fn thermal_zones_when_no_hwmon_sensor_exists() {
    let t = root("sensors_thermal")
        .scope(|| pskit::sensors_temperatures(false))
        .unwrap();
    let chips: Vec<&str> = t.keys().map(|s| s.as_str()).collect();
    assert_eq!(chips, ["x86_pkg_temp", "acpitz"]);
    // critical trip point fills high; high trip point fills critical.
    assert_eq!(
        t["x86_pkg_temp"],
        vec![temp("", 52.0, Some(105.0), Some(105.0))]
    );
    assert_eq!(t["acpitz"], vec![temp("", 27.8, Some(90.0), Some(90.0))]);
}

#[test]
fn coretemp_platform_dirs_are_added_once() {
    let only = root("sensors_coretemp_only")
        .scope(|| pskit::sensors_temperatures(false))
        .unwrap();
    assert_eq!(
        only["coretemp"],
        vec![temp("Package id 0", 61.0, None, None)]
    );
    // /sys/class/hwmon/hwmon5 links to the coretemp directory: one entry, not two.
    let linked = root("sensors_coretemp_linked")
        .scope(|| pskit::sensors_temperatures(false))
        .unwrap();
    assert_eq!(linked["coretemp"], vec![temp("", 61.0, None, None)]);
}

#[test]
fn no_sensors_is_empty() {
    let none = Root::new("/nonexistent/pskit-root");
    assert!(none
        .scope(|| pskit::sensors_temperatures(false))
        .unwrap()
        .is_empty());
    assert!(none.scope(pskit::sensors_fans).unwrap().is_empty());
    assert_eq!(none.scope(pskit::sensors_battery).unwrap(), None);
}

#[test]
fn fans_with_labels_skip_unreadable_inputs() {
    let f = root("sensors_hwmon").scope(pskit::sensors_fans).unwrap();
    // fan3 has no _input; the device/ fan is ignored because direct ones exist.
    assert_eq!(f.len(), 1);
    assert_eq!(f["thinkpad"], vec![fan("CPU fan", 2100), fan("", 0)]);
}

#[test]
fn fans_in_the_device_layout() {
    let f = root("sensors_device_fans")
        .scope(pskit::sensors_fans)
        .unwrap();
    assert_eq!(f["it8728"], vec![fan("", 1500), fan("SYS fan", 1600)]);
}

#[test]
fn a_fan_speed_that_is_not_an_integer_is_an_error() {
    let err = root("sensors_bad_fan")
        .scope(pskit::sensors_fans)
        .unwrap_err();
    assert!(err.to_string().contains("fan1_input"), "{err}");
}

fn battery(name: &str) -> Option<Battery> {
    root(name).scope(pskit::sensors_battery).unwrap()
}

#[test]
fn energy_form_discharging_picks_the_first_battery() {
    let b = Battery {
        percent: 75.0,
        secsleft: 10800,
        power_plugged: Some(false),
    };
    assert_eq!(battery("battery_energy"), Some(b));
}

#[test]
fn charge_form_with_ac_online_is_plugged() {
    let b = Battery {
        percent: 50.0,
        secsleft: POWER_TIME_UNLIMITED,
        power_plugged: Some(true),
    };
    assert_eq!(battery("battery_charge"), Some(b));
}

#[test]
fn ac0_offline_wins_over_a_charging_status() {
    let b = Battery {
        percent: 50.0,
        secsleft: 2400,
        power_plugged: Some(false),
    };
    assert_eq!(battery("battery_discharging"), Some(b));
}

#[test]
fn full_status_from_capacity_is_plugged() {
    let b = Battery {
        percent: 100.0,
        secsleft: POWER_TIME_UNLIMITED,
        power_plugged: Some(true),
    };
    assert_eq!(battery("battery_full"), Some(b));
}

#[test]
fn time_to_empty_minutes_for_a_battery_named_battery() {
    let b = battery("battery_time_to_empty").unwrap();
    assert_eq!(
        (b.percent, b.secsleft, b.power_plugged),
        (42.0, 5700, Some(false))
    );
    assert_ne!(b.secsleft, POWER_TIME_UNKNOWN);
}

#[test]
fn only_mains_power_is_no_battery() {
    assert_eq!(battery("battery_none"), None);
}

/// psutil itself on the fixture: /sys is bind-mounted over in a private mount
/// namespace (`unshare --mount`, root only: CI runs as root), so psutil 7.2.2 reads
/// the same files; the chips must come in the same order.
#[test]
fn chip_order_is_psutils_on_the_same_files() {
    for name in ["sensors_hwmon", "sensors_thermal", "sensors_device_fans"] {
        let sys = common::fixture(name).join("sys");
        let out = std::process::Command::new("unshare")
            .args(["--mount", "sh", "-c"])
            .arg(format!(
                "mount --bind '{}' /sys && python3 -c 'import json, psutil; \
                 print(json.dumps([list(psutil.sensors_temperatures()), list(psutil.sensors_fans())]))'",
                sys.display()
            ))
            .output()
            .expect("unshare (util-linux)");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ours = root(name).scope(|| {
            let t: Vec<String> = pskit::sensors_temperatures(false)
                .unwrap()
                .into_keys()
                .collect();
            let f: Vec<String> = pskit::sensors_fans().unwrap().into_keys().collect();
            serde_json::json!([t, f])
        });
        assert_eq!(ours, theirs, "{name}");
    }
}
