//! `thermal_zone`: node_thermal_zone_temp{zone,type} (°C) from
//! /sys/class/thermal/thermal_zone*, and node_cooling_device_cur_state and
//! node_cooling_device_max_state{name,type} from
//! /sys/class/thermal/cooling_device*.

use std::path::Path;

use crate::expo::Metrics;
use crate::node::sysread;
use crate::Ctx;

const ENODATA: i32 = 61;

/// One thermal zone: its type and temperature in millidegrees Celsius, or
/// `None` when the zone answers ENODATA (node_exporter skips such a zone).
///
/// ```
/// assert!(pskit_serve::node::thermal_zone::read_zone(std::path::Path::new("/nonexistent")).is_err());
/// ```
pub fn read_zone(dir: &Path) -> Result<Option<(String, i64)>, String> {
    let nodata = |e: &pskit::Error| sysread::errno(e) == Some(ENODATA);
    macro_rules! req {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) if nodata(&e) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            }
        };
    }
    let ty = req!(sysread::sys_read_file(&dir.join("type")));
    req!(sysread::sys_read_file(&dir.join("policy")));
    let temp = req!(sysread::read_int(&dir.join("temp")));
    match sysread::sys_read_file(&dir.join("mode")) {
        Ok(_) => {}
        Err(e) if sysread::is_absent(&e) => {}
        Err(e) if nodata(&e) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    match sysread::read_uint(&dir.join("passive")) {
        Ok(_) => {}
        Err(e) if sysread::is_absent(&e) => {}
        Err(e) if nodata(&e) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    Ok(Some((ty, temp)))
}

/// One cooling device: type, current state and maximum state.
///
/// ```
/// assert!(pskit_serve::node::thermal_zone::read_cooling_device(std::path::Path::new("/nonexistent")).is_err());
/// ```
pub fn read_cooling_device(dir: &Path) -> Result<(String, i64, i64), String> {
    let int = |name: &str| -> Result<i64, String> {
        let t = sysread::sys_read_file(&dir.join(name)).map_err(|e| e.to_string())?;
        t.parse()
            .map_err(|_| format!("{}: not an integer: {t:?}", dir.join(name).display()))
    };
    let ty = sysread::sys_read_file(&dir.join("type")).map_err(|e| e.to_string())?;
    let max = int("max_state")?;
    let cur = int("cur_state")?;
    Ok((ty, cur, max))
}

/// Adds the zone temperatures, then the cooling devices (a failing zone
/// fails the collector with nothing added; a failing cooling device after the
/// zones were added, as in node_exporter).
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// let _ = pskit_serve::node::thermal_zone::collect(cfg.ctx(), &mut m);
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let class = ctx.root.sys().join("class/thermal");
    let mut zones = Vec::new();
    for z in sysread::glob_numbered(&class, "thermal_zone") {
        if let Some((ty, temp)) = read_zone(&z)? {
            let name = sysread::base_name(&z);
            zones.push((name["thermal_zone".len()..].to_string(), ty, temp));
        }
    }
    for (zone, ty, temp) in zones {
        m.gauge("node_thermal_zone_temp", "Zone temperature in Celsius")
            .sample(&[("type", &ty), ("zone", &zone)], temp as f64 / 1000.0);
    }
    let mut devices = Vec::new();
    for d in sysread::glob_numbered(&class, "cooling_device") {
        let (ty, cur, max) = read_cooling_device(&d)?;
        let name = sysread::base_name(&d);
        devices.push((name["cooling_device".len()..].to_string(), ty, cur, max));
    }
    for (name, ty, cur, max) in devices {
        let labels = [("name", name.as_str()), ("type", ty.as_str())];
        m.gauge(
            "node_cooling_device_cur_state",
            "Current throttle state of the cooling device",
        )
        .sample(&labels, cur as f64);
        m.gauge(
            "node_cooling_device_max_state",
            "Maximum throttle state of the cooling device",
        )
        .sample(&labels, max as f64);
    }
    Ok(())
}
