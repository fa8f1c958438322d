//! `pskit._pskit`: the native half of pskit's Python package.
//!
//! Each function here reads the system through the `pskit` crate with the GIL
//! released, and returns plain tuples (fields in psutil's order), lists and
//! dicts of them. The Python half (`python/pskit/__init__.py`) turns those into
//! psutil's named tuples and raises psutil's exception classes: they live in
//! Python, where they pickle and can be patched as psutil's tests do.
//!
//! Errors cross the boundary as `NativeError(kind, msg, pid, name, ppid,
//! seconds)` for psutil's own errors, `OSError(errno, text)` for I/O,
//! `ValueError` for a bad argument and `NotImplementedError` for what this
//! system cannot answer.

use pskit::process::{Attr, Field, ProcessInfo};
use pskit::{IndexMap, PsutilTuple};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyNotImplementedError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use pyo3::BoundObject;
use serde_json::Value;

create_exception!(
    _pskit,
    NativeError,
    PyException,
    "psutil's own errors, as (kind, msg, pid, name, ppid, seconds)."
);

/// pskit's error as the Python exception the package converts.
fn py_err(e: pskit::Error) -> PyErr {
    use pskit::Error as E;
    match e {
        E::NoSuchProcess { pid, name, msg } => NativeError::new_err((
            "NoSuchProcess",
            msg,
            Some(pid),
            name,
            None::<u32>,
            None::<f64>,
        )),
        E::ZombieProcess {
            pid,
            name,
            ppid,
            msg,
        } => NativeError::new_err(("ZombieProcess", msg, Some(pid), name, ppid, None::<f64>)),
        E::AccessDenied { pid, name, msg } => {
            NativeError::new_err(("AccessDenied", msg, pid, name, None::<u32>, None::<f64>))
        }
        E::TimeoutExpired {
            seconds, pid, name, ..
        } => NativeError::new_err((
            "TimeoutExpired",
            String::new(),
            pid,
            name,
            None::<u32>,
            Some(seconds),
        )),
        E::Io {
            ref source,
            ref path,
        } => match source.raw_os_error() {
            // A file: Python's own form, OSError(errno, strerror, filename),
            // which str()s as psutil's "[Errno 2] No such file or directory: '/proc/…'".
            Some(errno) if path.is_absolute() => {
                let text = std::io::Error::from_raw_os_error(errno).to_string();
                let strerror = match text.rfind(" (os error ") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                PyOSError::new_err((errno, strerror, path.to_string_lossy().into_owned()))
            }
            Some(errno) => PyOSError::new_err((errno, e.to_string())),
            None => PyOSError::new_err(e.to_string()),
        },
        E::Parse { .. } => PyOSError::new_err(e.to_string()),
        E::InvalidArgument(msg) => PyValueError::new_err(msg),
        E::Unsupported(msg) => PyNotImplementedError::new_err(msg),
        // pskit::Error is non_exhaustive: a kind added later reads as OSError.
        other => PyOSError::new_err(other.to_string()),
    }
}

/// One JSON value (a field of a pskit result) as a Python object: integers
/// stay ints, floats floats, as psutil types them.
fn value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|x| value(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, x) in map {
                d.set_item(k, value(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A pskit result as a plain tuple of its fields, in psutil's order.
fn tuple<'py, T: PsutilTuple>(py: Python<'py>, t: &T) -> PyResult<Bound<'py, PyAny>> {
    let fields = t
        .fields()
        .iter()
        .map(|(_, v)| value(py, v))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, fields)?.into_any())
}

/// A pskit result that may be absent (no disks, no battery): its tuple, or None.
fn tuple_or_none<'py, T: PsutilTuple>(
    py: Python<'py>,
    t: Option<T>,
) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => tuple(py, &t),
        None => Ok(py.None().into_bound(py)),
    }
}

fn tuples<'py, T: PsutilTuple>(py: Python<'py>, items: &[T]) -> PyResult<Bound<'py, PyAny>> {
    let items = items
        .iter()
        .map(|t| tuple(py, t))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any())
}

fn map_of<'py, T, F>(py: Python<'py>, m: &IndexMap<String, T>, f: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Fn(Python<'py>, &T) -> PyResult<Bound<'py, PyAny>>,
{
    let d = PyDict::new(py);
    for (k, v) in m {
        d.set_item(k, f(py, v)?)?;
    }
    Ok(d.into_any())
}

/// psutil's attribute names as [`Attr`]s; an unknown name is a ValueError (the
/// Python side checks them first, with psutil's message).
fn attrs_of(names: &[String]) -> PyResult<Vec<Attr>> {
    names
        .iter()
        .map(|n| {
            Attr::from_name(n)
                .ok_or_else(|| PyValueError::new_err(format!("invalid attr name {n:?}")))
        })
        .collect()
}

/// The converters of one call, resolved once: for each attribute (by its
/// discriminant, see [`attr_index`]) the callable that makes its
/// record, and whether it is a named tuple class (built with the C-level
/// `tuple.__new__(cls, fields)`, without the class's Python `__new__`).
struct Convs<'py> {
    by_attr: Vec<Option<(Bound<'py, PyAny>, bool)>>,
    tuple_new: Bound<'py, PyAny>,
    /// The status strings made so far (a scan needs a handful, many times).
    statuses: std::cell::RefCell<Vec<(pskit::Status, Bound<'py, PyString>)>>,
}

/// `a`'s slot in [`Convs::by_attr`]: Attr is a fieldless enum.
fn attr_index(a: Attr) -> usize {
    a as usize
}

impl<'py> Convs<'py> {
    fn new(py: Python<'py>, convs: &Bound<'py, PyDict>) -> PyResult<Convs<'py>> {
        let tuple_type = py.get_type::<PyTuple>();
        let every = || Attr::ALL.iter().chain(Attr::EXTRA.iter()).copied();
        let mut by_attr = vec![None; every().map(attr_index).max().unwrap_or(0) + 1];
        for a in every() {
            if let Some(c) = convs.get_item(a.name())? {
                let is_tuple = c
                    .cast::<pyo3::types::PyType>()
                    .is_ok_and(|t| t.is_subclass(&tuple_type).unwrap_or(false));
                by_attr[attr_index(a)] = Some((c, is_tuple));
            }
        }
        Ok(Convs {
            by_attr,
            tuple_new: tuple_type.getattr("__new__")?,
            statuses: Default::default(),
        })
    }

    /// psutil's status string for `s` (one Python string per status per call).
    fn status(&self, py: Python<'py>, s: pskit::Status) -> Bound<'py, PyAny> {
        let mut made = self.statuses.borrow_mut();
        if let Some((_, o)) = made.iter().find(|(k, _)| *k == s) {
            return o.clone().into_any();
        }
        let o = PyString::new(py, s.as_str());
        made.push((s, o.clone()));
        o.into_any()
    }

    /// A record's fields (JSON values, in psutil's order) through `attr`'s converter.
    fn record<I>(&self, py: Python<'py>, attr: Attr, fields: I) -> PyResult<Bound<'py, PyAny>>
    where
        I: IntoIterator<Item = Value>,
    {
        let items = fields
            .into_iter()
            .map(|x| value(py, &x))
            .collect::<PyResult<Vec<_>>>()?;
        self.wrap(attr, PyTuple::new(py, items)?)
    }

    /// A typed record through `attr`'s converter.
    fn typed<T: Fields>(&self, py: Python<'py>, attr: Attr, t: &T) -> PyResult<Bound<'py, PyAny>> {
        self.wrap(attr, t.py_fields(py)?)
    }

    /// A list of typed records through `attr`'s converter.
    fn typed_list<T: Fields>(
        &self,
        py: Python<'py>,
        attr: Attr,
        items: &[T],
    ) -> PyResult<Bound<'py, PyAny>> {
        let items = items
            .iter()
            .map(|t| self.typed(py, attr, t))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }

    /// `fields` as `attr`'s named tuple (or through its function, or as is).
    fn wrap(&self, attr: Attr, t: Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        match &self.by_attr[attr_index(attr)] {
            Some((cls, true)) => self.tuple_new.call1((cls, t)),
            Some((f, false)) => f.call1(t),
            None => Ok(t.into_any()),
        }
    }

    /// A JSON value of `attr` (a record, a list of records, or plain data).
    fn json(&self, py: Python<'py>, attr: Attr, v: Value) -> PyResult<Bound<'py, PyAny>> {
        let has_conv = self.by_attr[attr_index(attr)].is_some();
        match v {
            Value::Object(m) if has_conv => self.record(py, attr, m.into_iter().map(|(_, x)| x)),
            Value::Array(items) if has_conv => {
                let items = items
                    .into_iter()
                    .map(|x| match x {
                        Value::Object(m) => self.record(py, attr, m.into_iter().map(|(_, x)| x)),
                        other => value(py, &other),
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, items)?.into_any())
            }
            other => value(py, &other),
        }
    }
}

/// A field as a Python value: None when not in the dict (not requested, or
/// left out), `ad_value` when denied, else `f(value)`.
fn field_obj<'py, T>(
    f: &Field<T>,
    ad_value: &Bound<'py, PyAny>,
    mk: impl FnOnce(&T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match f {
        Field::NotRequested => Ok(None),
        Field::Denied => Ok(Some(ad_value.clone())),
        Field::Value(v) => mk(v).map(Some),
    }
}

fn py_of<'py, T>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>>
where
    T: Clone + IntoPyObject<'py>,
    PyErr: From<T::Error>,
{
    Ok(v.clone().into_pyobject(py)?.into_any().into_bound())
}

/// Each attribute with its dict key, made once per call rather than once per
/// process.
fn keyed<'py>(py: Python<'py>, attrs: &[Attr]) -> Vec<(Attr, Bound<'py, PyString>)> {
    attrs
        .iter()
        .map(|&a| (a, PyString::intern(py, a.name())))
        .collect()
}

/// psutil's `as_dict` / `p.info` dict of what was read: exactly `attrs`, a
/// denied one as `ad_value`, one left out (unsupported, when all were asked
/// for) absent. The attributes of a ps-like scan are converted from their
/// typed fields; the rest go through their JSON form.
fn info_dict<'py>(
    py: Python<'py>,
    info: &ProcessInfo,
    attrs: &[(Attr, Bound<'py, PyString>)],
    ad_value: &Bound<'py, PyAny>,
    convs: &Convs<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let ad = ad_value;
    for (a, key) in attrs {
        let a = *a;
        let obj = match a {
            Attr::Pid => Some(info.pid().into_pyobject(py)?.into_any()),
            Attr::Name => field_obj(&info.name, ad, |v| py_of(py, v))?,
            Attr::Username => field_obj(&info.username, ad, |v| py_of(py, v))?,
            Attr::Exe => field_obj(&info.exe, ad, |v| py_of(py, v))?,
            Attr::Cwd => field_obj(&info.cwd, ad, |v| py_of(py, v))?,
            Attr::Cmdline => field_obj(&info.cmdline, ad, |v| py_of(py, v))?,
            Attr::Terminal => field_obj(&info.terminal, ad, |v| py_of(py, v))?,
            Attr::Status => field_obj(&info.status, ad, |v| Ok(convs.status(py, *v)))?,
            Attr::Ppid => field_obj(&info.ppid, ad, |v| py_of(py, v))?,
            Attr::NumThreads => field_obj(&info.num_threads, ad, |v| py_of(py, v))?,
            Attr::NumFds => field_obj(&info.num_fds, ad, |v| py_of(py, v))?,
            Attr::CpuNum => field_obj(&info.cpu_num, ad, |v| py_of(py, v))?,
            Attr::Nice => field_obj(&info.nice, ad, |v| py_of(py, v))?,
            Attr::CreateTime => field_obj(&info.create_time, ad, |v| py_of(py, v))?,
            Attr::CpuPercent => field_obj(&info.cpu_percent, ad, |v| py_of(py, v))?,
            Attr::MemoryPercent => field_obj(&info.memory_percent, ad, |v| py_of(py, v))?,
            Attr::CpuTimes => field_obj(&info.cpu_times, ad, |v| convs.typed(py, a, v))?,
            Attr::MemoryInfo => field_obj(&info.memory_info, ad, |v| convs.typed(py, a, v))?,
            Attr::MemoryFullInfo => {
                field_obj(&info.memory_full_info, ad, |v| convs.typed(py, a, v))?
            }
            Attr::Uids => field_obj(&info.uids, ad, |v| convs.typed(py, a, v))?,
            Attr::Gids => field_obj(&info.gids, ad, |v| convs.typed(py, a, v))?,
            Attr::NumCtxSwitches => {
                field_obj(&info.num_ctx_switches, ad, |v| convs.typed(py, a, v))?
            }
            Attr::IoCounters => field_obj(&info.io_counters, ad, |v| convs.typed(py, a, v))?,
            Attr::MemoryMaps => field_obj(&info.memory_maps, ad, |v| convs.typed_list(py, a, v))?,
            Attr::Threads => field_obj(&info.threads, ad, |v| convs.typed_list(py, a, v))?,
            Attr::OpenFiles => field_obj(&info.open_files, ad, |v| convs.typed_list(py, a, v))?,
            _ => {
                if info.is_denied(a) {
                    Some(ad.clone())
                } else {
                    match info.attr_json(a, &Value::Null) {
                        Some(v) => Some(convs.json(py, a, v)?),
                        None => None,
                    }
                }
            }
        };
        if let Some(obj) = obj {
            d.set_item(key, obj)?;
        }
    }
    Ok(d)
}

/// A process record's fields as a Python tuple, in psutil's order, straight
/// from the typed struct (no JSON in between: process_iter builds two or three
/// of these per process).
trait Fields {
    fn py_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>>;
}

/// Typed records as a list of plain tuples (the Python side names them).
fn fields_list<'py, T: Fields>(py: Python<'py>, items: &[T]) -> PyResult<Bound<'py, PyAny>> {
    let items = items
        .iter()
        .map(|t| t.py_fields(py))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any())
}

macro_rules! fields {
    ($($t:ty => $($f:ident),+;)*) => {$(
        impl Fields for $t {
            fn py_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                PyTuple::new(
                    py,
                    [$(self.$f.clone().into_pyobject(py)?.into_any().into_bound()),+],
                )
            }
        }
    )*};
}

fields! {
    pskit::VirtualMemory => total, available, percent, used, free, active, inactive, buffers,
        cached, shared, slab;
    pskit::SwapMemory => total, used, free, percent, sin, sout;
    pskit::CpuTimes => user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice;
    pskit::process::ProcessCpuTimes => user, system, children_user, children_system, iowait;
    pskit::process::MemoryInfo => rss, vms, shared, text, lib, data, dirty;
    pskit::process::MemoryFullInfo => rss, vms, shared, text, lib, data, dirty, uss, pss, swap;
    pskit::process::Uids => real, effective, saved;
    pskit::process::Gids => real, effective, saved;
    pskit::process::CtxSwitches => voluntary, involuntary;
    pskit::process::IoCounters => read_count, write_count, read_bytes, write_bytes, read_chars,
        write_chars;
    pskit::process::MemoryMap => path, rss, size, pss, shared_clean, shared_dirty, private_clean,
        private_dirty, referenced, anonymous, swap;
    pskit::process::Thread => id, user_time, system_time;
    pskit::process::OpenFile => path, fd, position, mode, flags;
}

/// A serializable pskit value (the beyond-psutil records) as plain Python data:
/// a dict of its fields, the Python side wraps it in a named tuple.
fn data<'py, T: serde::Serialize>(py: Python<'py>, t: &T) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(t).map_err(|e| PyValueError::new_err(e.to_string()))?;
    value(py, &v)
}

/// Runs `f` with the GIL released and maps its error.
fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> pskit::Result<T> + Send) -> PyResult<T> {
    py.detach(f).map_err(py_err)
}

#[pyfunction]
fn virtual_memory(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let m = detached(py, pskit::virtual_memory)?;
    Ok(m.py_fields(py)?.into_any())
}

#[pyfunction]
fn swap_memory(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let m = detached(py, pskit::swap_memory)?;
    Ok(m.py_fields(py)?.into_any())
}

#[pyfunction]
#[pyo3(signature = (percpu=false))]
fn cpu_times(py: Python<'_>, percpu: bool) -> PyResult<Bound<'_, PyAny>> {
    if percpu {
        let v = detached(py, pskit::cpu_times_percpu)?;
        fields_list(py, &v)
    } else {
        let t = detached(py, pskit::cpu_times)?;
        Ok(t.py_fields(py)?.into_any())
    }
}

#[pyfunction]
#[pyo3(signature = (logical=true))]
fn cpu_count(py: Python<'_>, logical: bool) -> Option<u32> {
    py.detach(|| pskit::cpu_count(logical))
}

#[pyfunction]
fn cpu_stats(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let s = detached(py, pskit::cpu_stats)?;
    tuple(py, &s)
}

#[pyfunction]
#[pyo3(signature = (percpu=false))]
fn cpu_freq(py: Python<'_>, percpu: bool) -> PyResult<Bound<'_, PyAny>> {
    if percpu {
        let v = detached(py, pskit::cpu_freq_percpu)?;
        tuples(py, &v)
    } else {
        tuple_or_none(py, detached(py, pskit::cpu_freq)?)
    }
}

#[pyfunction]
fn boot_time(py: Python<'_>) -> PyResult<f64> {
    detached(py, pskit::boot_time)
}

#[pyfunction]
fn users(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let v = detached(py, pskit::users)?;
    tuples(py, &v)
}

#[pyfunction]
fn pids(py: Python<'_>) -> PyResult<Vec<u32>> {
    detached(py, pskit::pids)
}

#[pyfunction]
fn pid_exists(py: Python<'_>, pid: u32) -> PyResult<bool> {
    detached(py, || pskit::pid_exists(pid))
}

#[pyfunction]
#[pyo3(signature = (all=false))]
fn disk_partitions(py: Python<'_>, all: bool) -> PyResult<Bound<'_, PyAny>> {
    let v = detached(py, || pskit::disk_partitions(all))?;
    tuples(py, &v)
}

#[pyfunction]
fn disk_usage(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let u = detached(py, || pskit::disk_usage(&path))?;
    tuple(py, &u)
}

#[pyfunction]
#[pyo3(signature = (perdisk=false, nowrap=true))]
fn disk_io_counters(py: Python<'_>, perdisk: bool, nowrap: bool) -> PyResult<Bound<'_, PyAny>> {
    if perdisk {
        let m = detached(py, || pskit::disk_io_counters_perdisk(nowrap))?;
        map_of(py, &m, |py, t| tuple(py, t))
    } else {
        tuple_or_none(py, detached(py, || pskit::disk_io_counters(nowrap))?)
    }
}

/// psutil's `PROCFS_PATH`: the procfs directory later reads use, for the whole
/// process (None: the default, /proc or the environment's root).
#[pyfunction]
#[pyo3(signature = (path=None))]
fn set_procfs_path(path: Option<std::path::PathBuf>) {
    pskit::Root::set_global(path.map(|p| pskit::Root::from_env().with_proc(p)));
}

#[pyfunction]
fn disk_io_counters_cache_clear() {
    pskit::disk_io_counters_cache_clear()
}

#[pyfunction]
#[pyo3(signature = (pernic=false, nowrap=true))]
fn net_io_counters(py: Python<'_>, pernic: bool, nowrap: bool) -> PyResult<Bound<'_, PyAny>> {
    if pernic {
        let m = detached(py, || pskit::net_io_counters_pernic(nowrap))?;
        map_of(py, &m, |py, t| tuple(py, t))
    } else {
        tuple_or_none(py, detached(py, || pskit::net_io_counters(nowrap))?)
    }
}

#[pyfunction]
fn net_io_counters_cache_clear() {
    pskit::net_io_counters_cache_clear()
}

#[pyfunction]
#[pyo3(signature = (kind="inet".to_string()))]
fn net_connections(py: Python<'_>, kind: String) -> PyResult<Bound<'_, PyAny>> {
    let v = detached(py, || pskit::net_connections(&kind))?;
    tuples(py, &v)
}

#[pyfunction]
fn net_if_stats(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let m = detached(py, pskit::net_if_stats)?;
    map_of(py, &m, |py, t| tuple(py, t))
}

#[pyfunction]
fn net_if_addrs(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let m = detached(py, pskit::net_if_addrs)?;
    map_of(py, &m, |py, v| tuples(py, v))
}

#[pyfunction]
#[pyo3(signature = (fahrenheit=false))]
fn sensors_temperatures(py: Python<'_>, fahrenheit: bool) -> PyResult<Bound<'_, PyAny>> {
    let m = detached(py, || pskit::sensors_temperatures(fahrenheit))?;
    map_of(py, &m, |py, v| tuples(py, v))
}

#[pyfunction]
fn sensors_fans(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let m = detached(py, pskit::sensors_fans)?;
    map_of(py, &m, |py, v| tuples(py, v))
}

/// Beyond psutil: the calling process's CPU limit (cgroup quota and affinity).
#[pyfunction]
fn cpu_limit(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let v = detached(py, pskit::container::cpu_limit)?;
    data(py, &v)
}

/// Beyond psutil: the calling process's cgroup memory limit and usage.
#[pyfunction]
fn memory_limit(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let v = detached(py, pskit::container::memory_limit)?;
    data(py, &v)
}

/// Beyond psutil: pressure stall information (/proc/pressure).
#[pyfunction]
fn pressure(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let v = detached(py, pskit::pressure::pressure)?;
    data(py, &v)
}

#[pyfunction]
fn sensors_battery(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    tuple_or_none(py, detached(py, pskit::sensors_battery)?)
}

/// psutil's `process_iter(attrs, ad_value)` in one native scan: for each
/// process, `(pid, create_time, handle, info)`, where `info` is the dict of
/// `attrs` (see [`info_dict`]). The scan reads each /proc file the attributes
/// need once per process, with the GIL released; processes that vanish during
/// it are left out. create_time is always read (it is the Python object's
/// identity); it is in `info` only when asked for.
#[pyfunction]
fn scan<'py>(
    py: Python<'py>,
    attrs: Vec<String>,
    ad_value: Bound<'py, PyAny>,
    convs: Bound<'py, PyDict>,
    pmap: Bound<'py, PyDict>,
    make: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let wanted = attrs_of(&attrs)?;
    let mut read = wanted.clone();
    if !read.contains(&Attr::CreateTime) {
        read.push(Attr::CreateTime);
    }
    let convs = Convs::new(py, &convs)?;
    let keys = keyed(py, &wanted);
    let (ident, info_name) = (pyo3::intern!(py, "_ident"), pyo3::intern!(py, "info"));
    // psutil's process_iter body for one process: its cached Process when the
    // (pid, start after boot) identity still matches, else a new one, with
    // `info` set.
    let proc_of = |info: ProcessInfo| -> PyResult<(u32, Bound<'py, PyAny>)> {
        let d = info_dict(py, &info, &keys, &ad_value, &convs)?;
        let pid = info.pid();
        let ctime = info.create_time.get().copied();
        let since_boot = info.process.create_time_monotonic();
        let proc = match pmap.get_item(pid)? {
            Some(p) if p.getattr(ident)?.eq((pid, since_boot))? => p,
            _ => {
                let h = Bound::new(py, Handle { p: info.process })?;
                let p = make.call1((h, ctime))?;
                pmap.set_item(pid, &p)?;
                p
            }
        };
        proc.setattr(info_name, d)?;
        Ok((pid, proc))
    };
    let mut rows: Vec<(u32, Bound<'py, PyAny>)> = Vec::with_capacity(512);
    let mut failed: Option<PyErr> = None;
    // Each process is converted on this thread while the scanning threads read
    // the next ones; the GIL is released only around the waits and reads.
    pskit::process::process_iter_each(
        read.as_slice(),
        |wait| py.detach(wait),
        |r| {
            if failed.is_some() {
                return;
            }
            match r.map_err(py_err).and_then(&proc_of) {
                Ok(row) => rows.push(row),
                Err(e) => failed = Some(e),
            }
        },
    )
    .map_err(py_err)?;
    if let Some(e) = failed {
        return Err(e);
    }
    rows.sort_unstable_by_key(|(pid, _)| *pid);
    let gone: Vec<Bound<'py, PyAny>> = pmap
        .keys()
        .iter()
        .filter(|k| {
            k.extract::<u32>().map_or(true, |pid| {
                rows.binary_search_by_key(&pid, |(p, _)| *p).is_err()
            })
        })
        .collect();
    for k in gone {
        pmap.del_item(k)?;
    }
    PyList::new(py, rows.into_iter().map(|(_, p)| p))
}

/// A process, as `pskit::Process`: the native half of `pskit.Process`.
///
/// It holds the pidfd the library opened, so signals and setters reach this
/// process and never one that reused its pid.
#[pyclass(name = "Handle", module = "pskit._pskit", frozen)]
struct Handle {
    p: pskit::Process,
}

impl Handle {
    /// Calls a `pskit::Process` method with the GIL released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&pskit::Process) -> pskit::Result<T> + Send,
    ) -> PyResult<T> {
        let p = &self.p;
        detached(py, || f(p))
    }
}

fn handles(v: Vec<pskit::Process>) -> Vec<Handle> {
    v.into_iter().map(|p| Handle { p }).collect()
}

#[pymethods]
impl Handle {
    #[new]
    fn new(py: Python<'_>, pid: u32) -> PyResult<Self> {
        Ok(Handle {
            p: detached(py, || pskit::Process::new(pid))?,
        })
    }

    #[staticmethod]
    fn current(py: Python<'_>) -> PyResult<Self> {
        Ok(Handle {
            p: detached(py, pskit::Process::current)?,
        })
    }

    fn pid(&self) -> u32 {
        self.p.pid()
    }

    /// psutil's `as_dict(attrs, ad_value)`, all read in one oneshot scope; an
    /// empty `attrs` means psutil's whole list (and leaves out what this
    /// system cannot provide, as psutil does).
    fn as_dict<'py>(
        &self,
        py: Python<'py>,
        attrs: Vec<String>,
        ad_value: Bound<'py, PyAny>,
        convs: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let wanted = attrs_of(&attrs)?;
        let info = self.with(py, |p| p.as_dict(wanted.as_slice()))?;
        let list: Vec<Attr> = if wanted.is_empty() {
            Attr::ALL.to_vec()
        } else {
            wanted
        };
        info_dict(
            py,
            &info,
            &keyed(py, &list),
            &ad_value,
            &Convs::new(py, &convs)?,
        )
    }

    /// Opens a oneshot scope (psutil's `oneshot()`): stat, status, statm and
    /// smaps are read once until the matching exit.
    fn oneshot_enter(&self) {
        self.p.oneshot_enter()
    }

    /// Closes a scope oneshot_enter opened.
    fn oneshot_exit(&self) {
        self.p.oneshot_exit()
    }

    /// Drops what the handle remembered (name, create time, exit code, …):
    /// psutil's `_init(pid, _ignore_nsp=True)`.
    fn clear_cache(&self) {
        self.p.clear_cache()
    }

    fn ppid(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |p| p.ppid())
    }

    fn name(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |p| p.name())
    }

    fn exe(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |p| p.exe())
    }

    fn cmdline(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |p| p.cmdline())
    }

    fn cwd(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |p| p.cwd())
    }

    fn environ(&self, py: Python<'_>) -> PyResult<std::collections::BTreeMap<String, String>> {
        self.with(py, |p| p.environ())
    }

    fn status(&self, py: Python<'_>) -> PyResult<String> {
        let s = self.with(py, |p| p.status())?;
        Ok(s.to_string())
    }

    fn create_time(&self, py: Python<'_>) -> PyResult<f64> {
        self.with(py, |p| p.create_time())
    }

    /// Seconds from boot to the start, read when the handle was made (psutil's
    /// identity); no read, so the GIL is kept.
    fn create_time_monotonic(&self) -> Option<f64> {
        self.p.create_time_monotonic()
    }

    fn terminal(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with(py, |p| p.terminal())
    }

    fn cgroup(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with(py, |p| p.cgroup())
    }

    fn cpu_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.cpu_limit())?;
        data(py, &v)
    }

    fn memory_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.memory_limit())?;
        data(py, &v)
    }

    fn nice(&self, py: Python<'_>) -> PyResult<i32> {
        self.with(py, |p| p.nice())
    }

    fn set_nice(&self, py: Python<'_>, value: i32) -> PyResult<()> {
        self.with(py, |p| p.set_nice(value))
    }

    fn ionice<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.ionice())?;
        tuple(py, &v)
    }

    fn set_ionice(&self, py: Python<'_>, ioclass: i32, value: Option<i32>) -> PyResult<()> {
        self.with(py, |p| p.set_ionice(ioclass, value))
    }

    fn rlimit(&self, py: Python<'_>, resource: i32) -> PyResult<(i64, i64)> {
        self.with(py, |p| p.rlimit(resource))
    }

    fn set_rlimit(&self, py: Python<'_>, resource: i32, soft: i64, hard: i64) -> PyResult<()> {
        self.with(py, |p| p.set_rlimit(resource, (soft, hard)))
    }

    fn cpu_affinity(&self, py: Python<'_>) -> PyResult<Vec<u32>> {
        self.with(py, |p| p.cpu_affinity())
    }

    fn set_cpu_affinity(&self, py: Python<'_>, cpus: Vec<u32>) -> PyResult<()> {
        self.with(py, |p| p.set_cpu_affinity(&cpus))
    }

    fn cpu_num(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |p| p.cpu_num())
    }

    fn cpu_times<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.cpu_times())?;
        Ok(v.py_fields(py)?.into_any())
    }

    #[pyo3(signature = (interval=None))]
    fn cpu_percent(&self, py: Python<'_>, interval: Option<f64>) -> PyResult<f64> {
        self.with(py, |p| p.cpu_percent(interval))
    }

    fn memory_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.memory_info())?;
        Ok(v.py_fields(py)?.into_any())
    }

    fn memory_full_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.memory_full_info())?;
        Ok(v.py_fields(py)?.into_any())
    }

    fn memory_percent(&self, py: Python<'_>, memtype: String) -> PyResult<f64> {
        self.with(py, |p| p.memory_percent(&memtype))
    }

    fn memory_maps<'py>(&self, py: Python<'py>, grouped: bool) -> PyResult<Bound<'py, PyAny>> {
        if grouped {
            let v = self.with(py, |p| p.memory_maps())?;
            fields_list(py, &v)
        } else {
            let v = self.with(py, |p| p.memory_maps_ext())?;
            tuples(py, &v)
        }
    }

    fn io_counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.io_counters())?;
        Ok(v.py_fields(py)?.into_any())
    }

    fn num_ctx_switches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.num_ctx_switches())?;
        Ok(v.py_fields(py)?.into_any())
    }

    fn num_fds(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |p| p.num_fds())
    }

    fn num_threads(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |p| p.num_threads())
    }

    fn threads<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.threads())?;
        fields_list(py, &v)
    }

    fn open_files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.open_files())?;
        fields_list(py, &v)
    }

    fn net_connections<'py>(&self, py: Python<'py>, kind: String) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.net_connections(&kind))?;
        tuples(py, &v)
    }

    fn uids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.uids())?;
        Ok(v.py_fields(py)?.into_any())
    }

    fn gids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |p| p.gids())?;
        Ok(v.py_fields(py)?.into_any())
    }

    fn is_running(&self, py: Python<'_>) -> bool {
        let p = &self.p;
        py.detach(|| p.is_running())
    }

    fn children(&self, py: Python<'_>, recursive: bool) -> PyResult<Vec<Handle>> {
        Ok(handles(self.with(py, |p| p.children(recursive))?))
    }

    fn parent(&self, py: Python<'_>) -> PyResult<Option<Handle>> {
        Ok(self.with(py, |p| p.parent())?.map(|p| Handle { p }))
    }

    fn parents(&self, py: Python<'_>) -> PyResult<Vec<Handle>> {
        Ok(handles(self.with(py, |p| p.parents())?))
    }

    fn send_signal(&self, py: Python<'_>, sig: i32) -> PyResult<()> {
        self.with(py, |p| p.send_signal(sig))
    }

    /// Waits in slices of at most 0.2 s, checking for signals between them, so
    /// that Ctrl-C (and any Python signal handler) interrupts a long wait as
    /// it does psutil's.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<i32>> {
        use std::time::{Duration, Instant};
        // A timeout too large for a Duration (1e300, inf) waits without end.
        let deadline = timeout
            .and_then(|t| Duration::try_from_secs_f64(t).ok())
            .and_then(|d| Instant::now().checked_add(d));
        loop {
            let slice = match deadline {
                Some(d) => d
                    .saturating_duration_since(Instant::now())
                    .min(Duration::from_millis(200)),
                None => Duration::from_millis(200),
            };
            let p = &self.p;
            match py.detach(|| p.wait(Some(slice.as_secs_f64()))) {
                Ok(code) => return Ok(code),
                Err(pskit::Error::TimeoutExpired { .. })
                    if deadline.is_none_or(|d| Instant::now() < d) =>
                {
                    py.check_signals()?;
                }
                Err(pskit::Error::TimeoutExpired { pid, name, .. }) => {
                    return Err(NativeError::new_err((
                        "TimeoutExpired",
                        String::new(),
                        pid,
                        name,
                        None::<u32>,
                        timeout,
                    )));
                }
                Err(e) => return Err(py_err(e)),
            }
        }
    }
}

/// The module `pskit._pskit`.
#[pymodule]
fn _pskit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    m.add_class::<Handle>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(virtual_memory, m)?)?;
    m.add_function(wrap_pyfunction!(swap_memory, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_times, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_count, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_stats, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_freq, m)?)?;
    m.add_function(wrap_pyfunction!(boot_time, m)?)?;
    m.add_function(wrap_pyfunction!(users, m)?)?;
    m.add_function(wrap_pyfunction!(pids, m)?)?;
    m.add_function(wrap_pyfunction!(pid_exists, m)?)?;
    m.add_function(wrap_pyfunction!(disk_partitions, m)?)?;
    m.add_function(wrap_pyfunction!(disk_usage, m)?)?;
    m.add_function(wrap_pyfunction!(disk_io_counters, m)?)?;
    m.add_function(wrap_pyfunction!(disk_io_counters_cache_clear, m)?)?;
    m.add_function(wrap_pyfunction!(net_io_counters, m)?)?;
    m.add_function(wrap_pyfunction!(net_io_counters_cache_clear, m)?)?;
    m.add_function(wrap_pyfunction!(net_if_stats, m)?)?;
    m.add_function(wrap_pyfunction!(net_connections, m)?)?;
    m.add_function(wrap_pyfunction!(net_if_addrs, m)?)?;
    m.add_function(wrap_pyfunction!(sensors_temperatures, m)?)?;
    m.add_function(wrap_pyfunction!(sensors_fans, m)?)?;
    m.add_function(wrap_pyfunction!(sensors_battery, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(cpu_limit, m)?)?;
    m.add_function(wrap_pyfunction!(memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(pressure, m)?)?;
    m.add_function(wrap_pyfunction!(set_procfs_path, m)?)?;
    Ok(())
}
