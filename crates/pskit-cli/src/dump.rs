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
    /// Accepted like every subcommand's `--json`: dump always prints JSON.
    #[arg(long = "json")]
    _json: bool,
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
    // The process's first non-blocking call: the CPU usage since boot.
    put(&mut m, e, "cpu_percent", pskit::cpu_percent(None));
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
    disks(&mut m, e);
    put(
        &mut m,
        e,
        "sensors_temperatures",
        pskit::sensors_temperatures(false),
    );
    put(&mut m, e, "sensors_fans", pskit::sensors_fans());
    put(&mut m, e, "sensors_battery", pskit::sensors_battery());
    put(&mut m, e, "net_io_counters", pskit::net_io_counters(true));
    put(&mut m, e, "net_if_addrs", pskit::net_if_addrs());
    put(&mut m, e, "net_if_stats", pskit::net_if_stats());
    put(&mut m, e, "net_connections", pskit::net_connections("all"));
    put(&mut m, e, "pids", pskit::pids());
    // Beyond psutil, under their own keys.
    put(&mut m, e, "cpu_limit", pskit::container::cpu_limit());
    put(&mut m, e, "memory_limit", pskit::container::memory_limit());
    put(&mut m, e, "pressure", pskit::pressure::pressure());
    m.insert("errors".into(), Value::Object(errors));
    Value::Object(m)
}

/// disk_partitions, disk_usage of each partition's mountpoint (an object keyed by
/// mountpoint) and disk_io_counters.
fn disks(m: &mut Map<String, Value>, e: &mut Map<String, Value>) {
    let parts = pskit::disk_partitions(false);
    let mut usage = Map::new();
    if let Ok(parts) = &parts {
        let mut errs = Map::new();
        for p in parts {
            put(
                &mut usage,
                &mut errs,
                &p.mountpoint,
                pskit::disk_usage(&p.mountpoint),
            );
        }
        if !errs.is_empty() {
            e.insert("disk_usage".into(), Value::Object(errs));
        }
    }
    put(m, e, "disk_partitions", parts);
    m.insert("disk_usage".into(), Value::Object(usage));
    put(m, e, "disk_io_counters", pskit::disk_io_counters(true));
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
