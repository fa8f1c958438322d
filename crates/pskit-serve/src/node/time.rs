//! `time`: node_time_seconds, node_time_zone_offset_seconds{time_zone}, and
//! the clock sources of /sys/devices/system/clocksource
//! (node_time_clocksource_available_info and
//! node_time_clocksource_current_info, labelled device and clocksource).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::expo::Metrics;
use crate::node::sysread;
use crate::Ctx;

/// The local time zone's abbreviation and offset east of UTC in seconds at
/// `secs` since the epoch, from the C library (TZ, else /etc/localtime), as
/// Go's `time.Now().Zone()` gives them.
///
/// ```
/// let (name, off) = pskit_serve::node::time::zone_at(0);
/// assert!(!name.is_empty());
/// assert!(off.abs() <= 14 * 3600);
/// ```
pub fn zone_at(secs: i64) -> (String, i64) {
    extern "C" {
        fn tzset();
    }
    let t: libc::time_t = secs as libc::time_t;
    // SAFETY: tzset has no preconditions; localtime_r writes only into `tm`,
    // which lives for the call; tm_zone, when not null, points to a
    // NUL-terminated string owned by the C library that stays valid until
    // the next tzset, and is copied at once.
    #[allow(unsafe_code)]
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tzset();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return ("UTC".into(), 0);
        }
        let name = if tm.tm_zone.is_null() {
            String::new()
        } else {
            std::ffi::CStr::from_ptr(tm.tm_zone)
                .to_string_lossy()
                .into_owned()
        };
        (name, tm.tm_gmtoff as i64)
    }
}

/// Adds the time families. The clock sources come from the sysfs root; a
/// clock source missing one of its two files fails the collector after the
/// time itself was added, as in node_exporter.
///
/// ```
/// let cfg = pskit_serve::Config::parse(["pskit serve"]).unwrap();
/// let mut m = pskit_serve::expo::Metrics::default();
/// pskit_serve::node::time::collect(cfg.ctx(), &mut m).unwrap();
/// assert!(m.families().iter().any(|f| f.name == "node_time_seconds"));
/// ```
pub fn collect(ctx: &Ctx, m: &mut Metrics) -> Result<(), String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    m.gauge(
        "node_time_seconds",
        "System time in seconds since epoch (1970).",
    )
    .set(now.as_nanos() as f64 / 1e9);
    let (zone, off) = zone_at(now.as_secs() as i64);
    m.gauge(
        "node_time_zone_offset_seconds",
        "System time zone offset in seconds.",
    )
    .sample(&[("time_zone", &zone)], off as f64);
    let dir = ctx.root.sys().join("devices/system/clocksource");
    let mut sources = Vec::new();
    for cs in sysread::glob_numbered(&dir, "clocksource") {
        let avail = sysread::sys_read_file(&cs.join("available_clocksource"))
            .map_err(|e| format!("couldn't get clocksources: {e}"))?;
        let cur = sysread::sys_read_file(&cs.join("current_clocksource"))
            .map_err(|e| format!("couldn't get clocksources: {e}"))?;
        sources.push((avail, cur));
    }
    for (i, (avail, cur)) in sources.iter().enumerate() {
        let dev = i.to_string();
        for a in avail.split_whitespace() {
            m.gauge(
                "node_time_clocksource_available_info",
                "Available clocksources read from '/sys/devices/system/clocksource'.",
            )
            .sample(&[("clocksource", a), ("device", &dev)], 1.0);
        }
        m.gauge(
            "node_time_clocksource_current_info",
            "Current clocksource read from '/sys/devices/system/clocksource'.",
        )
        .sample(&[("clocksource", cur), ("device", &dev)], 1.0);
    }
    Ok(())
}
