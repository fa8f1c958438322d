//! sensors_temperatures, sensors_fans and sensors_battery against psutil 7.2.2 on
//! this machine (reference §2.6). On a machine without sensors both sides are empty,
//! and that is still compared.

mod common;

use serde_json::Value;

fn ours<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Numbers compared as f64 (psutil gives ints where pskit gives floats, e.g. a
/// battery percent from `capacity`), everything else exactly.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn temperatures_equal_psutil() {
    for fahrenheit in [false, true] {
        let py = if fahrenheit { "True" } else { "False" };
        let theirs = common::psutil(&format!(
            "out = {{k: [t._asdict() for t in v] for k, v in psutil.sensors_temperatures(fahrenheit={py}).items()}}"
        ));
        let mine = ours(pskit::sensors_temperatures(fahrenheit).unwrap());
        assert!(same(&mine, &theirs), "pskit {mine}\npsutil {theirs}");
    }
}

#[test]
fn fans_equal_psutil() {
    let theirs = common::psutil(
        "out = {k: [f._asdict() for f in v] for k, v in psutil.sensors_fans().items()}",
    );
    let mine = ours(pskit::sensors_fans().unwrap());
    assert!(same(&mine, &theirs), "pskit {mine}\npsutil {theirs}");
}

#[test]
fn battery_equals_psutil() {
    let theirs = common::psutil(
        "try:\n    b = psutil.sensors_battery()\n    out = b._asdict() if b else None\n\
         except FileNotFoundError:\n    out = None\n",
    );
    let mine = ours(pskit::sensors_battery().unwrap());
    assert!(same(&mine, &theirs), "pskit {mine}\npsutil {theirs}");
}
