//! `Process::as_dict` (psutil §3.6): attribute names, ad_value, oneshot.

use serde::Serialize;
use serde_json::{Map, Value};

use super::handle::Process;
use crate::error::{Error, Result};

/// psutil 7.2.2's `as_dict` attribute names on Linux (the 30 names checked at
/// runtime), sorted. `page_faults`, `memory_info_ex` (psutil 8.0) and `cgroup`
/// (beyond psutil) are also accepted when asked for by name.
///
/// ```
/// assert_eq!(pskit::process::ATTRS.len(), 30);
/// assert!(pskit::process::ATTRS.contains(&"memory_full_info"));
/// ```
pub const ATTRS: [&str; 30] = [
    "cmdline",
    "cpu_affinity",
    "cpu_num",
    "cpu_percent",
    "cpu_times",
    "create_time",
    "cwd",
    "environ",
    "exe",
    "gids",
    "io_counters",
    "ionice",
    "memory_full_info",
    "memory_info",
    "memory_maps",
    "memory_percent",
    "name",
    "net_connections",
    "nice",
    "num_ctx_switches",
    "num_fds",
    "num_threads",
    "open_files",
    "pid",
    "ppid",
    "status",
    "terminal",
    "threads",
    "uids",
    "username",
];

/// Names accepted on request beyond [`ATTRS`].
pub(crate) const EXTRA_ATTRS: [&str; 3] = ["page_faults", "memory_info_ex", "cgroup"];

/// Checks attribute names: InvalidArgument naming the unknown ones.
pub(crate) fn validate(attrs: &[&str]) -> Result<()> {
    let bad: Vec<&str> = attrs
        .iter()
        .copied()
        .filter(|a| !ATTRS.contains(a) && !EXTRA_ATTRS.contains(a))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "invalid attr name(s): {}",
            bad.join(", ")
        )))
    }
}

fn json<T: Serialize>(r: Result<T>) -> Result<Value> {
    r.map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
}

impl Process {
    /// One attribute by its psutil name, as JSON.
    pub(crate) fn attr_value(&self, name: &str) -> Result<Value> {
        match name {
            "pid" => Ok(Value::from(self.pid)),
            "cmdline" => json(self.cmdline()),
            "cpu_affinity" => json(self.cpu_affinity()),
            "cpu_num" => json(self.cpu_num()),
            "cpu_percent" => json(self.cpu_percent(None)),
            "cpu_times" => json(self.cpu_times()),
            "create_time" => json(self.create_time()),
            "cwd" => json(self.cwd()),
            "environ" => json(self.environ()),
            "exe" => json(self.exe()),
            "gids" => json(self.gids()),
            "io_counters" => json(self.io_counters()),
            "ionice" => json(self.ionice()),
            "memory_full_info" => json(self.memory_full_info()),
            "memory_info" => json(self.memory_info()),
            "memory_maps" => json(self.memory_maps()),
            "memory_percent" => json(self.memory_percent("rss")),
            "name" => json(self.name()),
            "net_connections" => json(self.net_connections("inet")),
            "nice" => json(self.nice()),
            "num_ctx_switches" => json(self.num_ctx_switches()),
            "num_fds" => json(self.num_fds()),
            "num_threads" => json(self.num_threads()),
            "open_files" => json(self.open_files()),
            "ppid" => json(self.ppid()),
            "status" => json(self.status()),
            "terminal" => json(self.terminal()),
            "threads" => json(self.threads()),
            "uids" => json(self.uids()),
            "username" => json(self.username()),
            "page_faults" => json(self.page_faults()),
            "memory_info_ex" => json(self.memory_info_ex()),
            "cgroup" => json(self.cgroup()),
            other => Err(Error::InvalidArgument(format!(
                "invalid attr name(s): {other}"
            ))),
        }
    }

    /// The process's attributes as a JSON map (psutil `as_dict(attrs, ad_value)`).
    ///
    /// An empty `attrs` means all of [`ATTRS`]. Unknown names give InvalidArgument.
    /// Inside one oneshot scope, each attribute is read; AccessDenied and
    /// ZombieProcess become `ad_value`; an attribute pskit cannot provide
    /// (`Unsupported`) is left out when all were asked for, and is an error when
    /// it was asked for by name. NoSuchProcess is returned as an error.
    ///
    /// Named tuples are JSON objects with psutil's field names, in psutil's order.
    ///
    /// ```
    /// let p = pskit::Process::current().unwrap();
    /// let d = p.as_dict(&["pid", "name", "uids"], serde_json::Value::Null).unwrap();
    /// assert_eq!(d["pid"], std::process::id());
    /// assert!(d["uids"]["real"].is_u64());
    /// assert!(p.as_dict(&["bogus"], serde_json::Value::Null).is_err());
    /// ```
    pub fn as_dict(&self, attrs: &[&str], ad_value: Value) -> Result<Map<String, Value>> {
        validate(attrs)?;
        let all = attrs.is_empty();
        let names: &[&str] = if all { &ATTRS } else { attrs };
        self.dict_of(names, &ad_value, all)
    }

    /// as_dict without validation; `skip_unsupported` leaves out what pskit cannot
    /// provide instead of failing.
    pub(crate) fn dict_of(
        &self,
        names: &[&str],
        ad_value: &Value,
        skip_unsupported: bool,
    ) -> Result<Map<String, Value>> {
        self.oneshot(|p| {
            let mut out = Map::new();
            for &name in names {
                match p.attr_value(name) {
                    Ok(v) => {
                        out.insert(name.to_string(), v);
                    }
                    Err(Error::AccessDenied { .. }) | Err(Error::ZombieProcess { .. }) => {
                        out.insert(name.to_string(), ad_value.clone());
                    }
                    Err(Error::Unsupported(_)) if skip_unsupported => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        })
    }
}
