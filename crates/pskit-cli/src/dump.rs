//! `pskit dump`: one JSON object with a key per psutil system-level function, named
//! as psutil names it, holding what psutil returns with default arguments.

use std::process::ExitCode;

use serde_json::{Map, Value};

use crate::fmt::{print_json, CmdResult};

/// Arguments of `pskit dump`.
#[derive(clap::Args)]
pub struct Args {
    /// Print compact JSON on one line.
    #[arg(long)]
    compact: bool,
}

/// Converts a library result to JSON: the value, or `null` for an error that
/// psutil would raise (the error text goes to an `"errors"` object).
fn put<T: serde::Serialize>(
    map: &mut Map<String, Value>,
    errors: &mut Map<String, Value>,
    key: &str,
    value: pskit::Result<T>,
) {
    match value {
        Ok(v) => {
            map.insert(key.into(), serde_json::to_value(v).unwrap_or(Value::Null));
        }
        Err(e) => {
            map.insert(key.into(), Value::Null);
            errors.insert(key.into(), Value::String(e.to_string()));
        }
    }
}

/// Collects every system-level function into one JSON object.
pub fn collect() -> Value {
    let mut m = Map::new();
    let mut errors = Map::new();
    let e = &mut errors;
    put(&mut m, e, "cpu_times", pskit::cpu_times());
    put(&mut m, e, "cpu_times_percpu", pskit::cpu_times_percpu());
    let count = serde_json::json!({
        "logical": pskit::cpu_count(true),
        "physical": pskit::cpu_count(false),
    });
    m.insert("cpu_count".into(), count);
    put(&mut m, e, "cpu_stats", pskit::cpu_stats());
    put(&mut m, e, "cpu_freq", pskit::cpu_freq());
    put(&mut m, e, "getloadavg", pskit::getloadavg());
    put(&mut m, e, "virtual_memory", pskit::virtual_memory());
    put(&mut m, e, "swap_memory", pskit::swap_memory());
    put(&mut m, e, "boot_time", pskit::boot_time());
    put(&mut m, e, "users", pskit::users());
    put(&mut m, e, "pids", pskit::pids());
    m.insert("errors".into(), Value::Object(errors));
    Value::Object(m)
}

/// Runs `pskit dump`.
pub fn run(args: Args) -> CmdResult {
    let v = collect();
    if args.compact {
        println!("{}", serde_json::to_string(&v)?);
    } else {
        print_json(&v)?;
    }
    Ok(ExitCode::SUCCESS)
}
