//! psutil's named tuples: every result type prints as psutil prints it
//! (`svmem(total=…, available=…, …)`) and can be walked field by field in
//! psutil's order, as psutil code does with `nt._fields` or `sum(cpu_times)`.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// A result with psutil's named-tuple shape: its psutil type name and its fields
/// in psutil's order (the order of the JSON keys too).
///
/// ```
/// use pskit::PsutilTuple;
/// let t = pskit::cpu_times().unwrap();
/// assert_eq!(pskit::CpuTimes::NAME, "scputimes");
/// let names: Vec<String> = t.fields().into_iter().map(|(k, _)| k).collect();
/// assert_eq!(names[..3], ["user", "nice", "system"]);
/// // psutil's `sum(cpu_times())`:
/// let total: f64 = t.fields().iter().filter_map(|(_, v)| v.as_f64()).sum();
/// assert!(total > 0.0);
/// // and its str():
/// assert!(t.to_string().starts_with("scputimes(user="));
/// ```
pub trait PsutilTuple: Serialize {
    /// psutil's type name, e.g. `"svmem"` for [`crate::VirtualMemory`].
    const NAME: &'static str;

    /// The fields as (name, value) pairs in psutil's order.
    ///
    /// ```
    /// use pskit::PsutilTuple;
    /// let m = pskit::virtual_memory().unwrap();
    /// assert_eq!(m.fields()[0].0, "total");
    /// ```
    fn fields(&self) -> Vec<(String, Value)> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map.into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Writes `name(field=value, …)` with Python's reprs, as psutil's str() does.
pub(crate) fn render(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    fields: &[(String, Value)],
) -> fmt::Result {
    f.write_str(name)?;
    f.write_str("(")?;
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k}={}", py_value(k, v))?;
    }
    f.write_str(")")
}

/// Python's repr of `v`, for the field `field` (some integer fields are enums in
/// psutil: socket families and kinds, NIC duplex, I/O priority classes).
fn py_value(field: &str, v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if let Some(e) = enum_repr(field, i) {
                    return e;
                }
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                py_float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => crate::error::py_repr(s),
        // An unbound connection address is psutil's empty tuple.
        Value::Array(a) if a.is_empty() && (field == "laddr" || field == "raddr") => "()".into(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|x| py_value("", x)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(m) if m.len() == 2 && m.contains_key("ip") && m.contains_key("port") => {
            format!(
                "addr(ip={}, port={})",
                py_value("ip", &m["ip"]),
                py_value("port", &m["port"])
            )
        }
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{}: {}", crate::error::py_repr(k), py_value(k, x)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// psutil's enum reprs for integer fields.
fn enum_repr(field: &str, v: i64) -> Option<String> {
    let (class, name) = match (field, v) {
        ("family", 1) => ("AddressFamily", "AF_UNIX"),
        ("family", 2) => ("AddressFamily", "AF_INET"),
        ("family", 10) => ("AddressFamily", "AF_INET6"),
        ("family", 17) => ("AddressFamily", "AF_PACKET"),
        ("type", 1) => ("SocketKind", "SOCK_STREAM"),
        ("type", 2) => ("SocketKind", "SOCK_DGRAM"),
        ("type", 3) => ("SocketKind", "SOCK_RAW"),
        ("type", 5) => ("SocketKind", "SOCK_SEQPACKET"),
        ("duplex", 0) => ("NicDuplex", "NIC_DUPLEX_UNKNOWN"),
        ("duplex", 1) => ("NicDuplex", "NIC_DUPLEX_HALF"),
        ("duplex", 2) => ("NicDuplex", "NIC_DUPLEX_FULL"),
        ("ioclass", 0) => ("IOPriority", "IOPRIO_CLASS_NONE"),
        ("ioclass", 1) => ("IOPriority", "IOPRIO_CLASS_RT"),
        ("ioclass", 2) => ("IOPriority", "IOPRIO_CLASS_BE"),
        ("ioclass", 3) => ("IOPriority", "IOPRIO_CLASS_IDLE"),
        ("secsleft", -1) => ("BatteryTime", "POWER_TIME_UNKNOWN"),
        ("secsleft", -2) => ("BatteryTime", "POWER_TIME_UNLIMITED"),
        _ => return None,
    };
    Some(format!("<{class}.{name}: {v}>"))
}

/// Python's `repr(float)`: the shortest text that reads back, with `.0` on
/// whole numbers and an exponent (`1e-05`, `1.5e+16`) outside [1e-4, 1e16).
pub(crate) fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    let s = format!("{x}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

macro_rules! tuples {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl PsutilTuple for $t {
            const NAME: &'static str = $name;
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                render(f, Self::NAME, &self.fields())
            }
        }
    )*};
}

tuples! {
    crate::CpuTimes => "scputimes",
    crate::CpuStats => "scpustats",
    crate::CpuFreq => "scpufreq",
    crate::VirtualMemory => "svmem",
    crate::SwapMemory => "sswap",
    crate::DiskPartition => "sdiskpart",
    crate::DiskUsage => "sdiskusage",
    crate::DiskIoCounters => "sdiskio",
    crate::NetIoCounters => "snetio",
    crate::NicAddr => "snicaddr",
    crate::NicStats => "snicstats",
    crate::Connection => "sconn",
    crate::User => "suser",
    crate::Temperature => "shwtemp",
    crate::Fan => "sfan",
    crate::Battery => "sbattery",
    crate::process::Uids => "puids",
    crate::process::Gids => "pgids",
    crate::process::ProcessCpuTimes => "pcputimes",
    crate::process::MemoryInfo => "pmem",
    crate::process::MemoryFullInfo => "pfullmem",
    crate::process::MemoryMap => "pmmap_grouped",
    crate::process::MemoryMapExt => "pmmap_ext",
    crate::process::OpenFile => "popenfile",
    crate::process::Thread => "pthread",
    crate::process::IoCounters => "pio",
    crate::process::CtxSwitches => "pctxsw",
    crate::process::Ionice => "pionice",
    crate::process::ProcessConnection => "pconn",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        for (x, want) in [
            (1.0, "1.0"),
            (2.5, "2.5"),
            (0.0, "0.0"),
            (1e-05, "1e-05"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789.123, "123456789.123"),
            (0.1, "0.1"),
            (1e15, "1000000000000000.0"),
            (-0.0001, "-0.0001"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(py_float(x), want, "{x}");
        }
    }
}
