//! `process_iter(attrs)` (psutil §2.8): one scan of the process table that reads,
//! for each pid, only the files the requested attributes need.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use super::as_dict::{validate, ATTRS};
use super::handle::Process;
use super::methods::{cpu_times_of, extend_name, memory_info_of, memory_info_of_status, page_size};
use super::types::*;
use crate::error::Result;
use crate::linux::cpu::clk_tck;
use crate::linux::process::{files, parse, scan};
use crate::root::Root;

/// Attributes the scan fills from stat, status, statm and cmdline.
const SCANNED: [&str; 16] = [
    "pid",
    "ppid",
    "name",
    "status",
    "cpu_times",
    "memory_info",
    "uids",
    "gids",
    "username",
    "num_threads",
    "num_ctx_switches",
    "cmdline",
    "create_time",
    "terminal",
    "cpu_num",
    "page_faults",
];

/// One process of [`process_iter`], with the requested attributes (psutil's
/// `p.info`). A field is `None` when it was not requested, or when reading it gave
/// AccessDenied or ZombieProcess (psutil's `ad_value=None`); [`ProcessInfo::info`]
/// tells the two apart.
///
/// ```
/// for p in pskit::process_iter(&["name", "ppid"]).unwrap() {
///     println!("{} {:?} {:?}", p.process.pid(), p.name, p.ppid);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ProcessInfo {
    /// The process handle (pid and start time).
    pub process: Process,
    /// `ppid`.
    pub ppid: Option<u32>,
    /// `name`.
    pub name: Option<String>,
    /// `status`.
    pub status: Option<&'static str>,
    /// `cpu_times`.
    pub cpu_times: Option<ProcessCpuTimes>,
    /// `memory_info`.
    pub memory_info: Option<MemoryInfo>,
    /// `uids`.
    pub uids: Option<Uids>,
    /// `gids`.
    pub gids: Option<Gids>,
    /// `username`.
    pub username: Option<String>,
    /// `num_threads`.
    pub num_threads: Option<u32>,
    /// `num_ctx_switches`.
    pub num_ctx_switches: Option<CtxSwitches>,
    /// `cmdline`.
    pub cmdline: Option<Vec<String>>,
    /// `create_time`.
    pub create_time: Option<f64>,
    /// `terminal` (the inner None: no terminal).
    pub terminal: Option<Option<String>>,
    /// `cpu_num`.
    pub cpu_num: Option<u32>,
    /// `page_faults` (psutil 8.0).
    pub page_faults: Option<PageFaults>,
    /// Every other requested attribute, as `as_dict` gives it.
    pub other: Map<String, Value>,
    requested: std::sync::Arc<[&'static str]>,
}

impl ProcessInfo {
    /// The pid.
    ///
    /// ```
    /// let all = pskit::process_iter(&["pid"]).unwrap();
    /// assert!(all.iter().any(|p| p.pid() == std::process::id()));
    /// ```
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// psutil's `p.info`: a map with exactly the requested attributes, unreadable
    /// ones set to `ad_value`.
    ///
    /// ```
    /// let all = pskit::process_iter(&["name", "uids"]).unwrap();
    /// let info = all[0].info(serde_json::Value::Null);
    /// assert!(info.contains_key("name") && info.contains_key("uids"));
    /// ```
    pub fn info(&self, ad_value: Value) -> Map<String, Value> {
        fn v<T: serde::Serialize>(x: &Option<T>, ad: &Value) -> Value {
            match x {
                Some(x) => serde_json::to_value(x).unwrap_or(Value::Null),
                None => ad.clone(),
            }
        }
        let ad = &ad_value;
        let mut m = Map::new();
        for &name in self.requested.iter() {
            let val = match name {
                "pid" => Value::from(self.pid()),
                "ppid" => v(&self.ppid, ad),
                "name" => v(&self.name, ad),
                "status" => v(&self.status, ad),
                "cpu_times" => v(&self.cpu_times, ad),
                "memory_info" => v(&self.memory_info, ad),
                "uids" => v(&self.uids, ad),
                "gids" => v(&self.gids, ad),
                "username" => v(&self.username, ad),
                "num_threads" => v(&self.num_threads, ad),
                "num_ctx_switches" => v(&self.num_ctx_switches, ad),
                "cmdline" => v(&self.cmdline, ad),
                "create_time" => v(&self.create_time, ad),
                "terminal" => v(&self.terminal, ad),
                "cpu_num" => v(&self.cpu_num, ad),
                "page_faults" => v(&self.page_faults, ad),
                other => match self.other.get(other) {
                    Some(Value::Null) => ad.clone(),
                    Some(x) => x.clone(),
                    // Left out: pskit cannot provide it (all attributes were asked for).
                    None => continue,
                },
            };
            m.insert(name.to_string(), val);
        }
        m
    }
}

fn static_name(name: &str) -> Option<&'static str> {
    ATTRS
        .iter()
        .chain(super::as_dict::EXTRA_ATTRS.iter())
        .find(|a| **a == name)
        .copied()
}

/// Every process, in pid order, with the requested attributes read (psutil
/// `process_iter(attrs)`); an empty `attrs` means all of [`ATTRS`].
///
/// For stat, status, statm and cmdline attributes, each of those files is read at
/// most once per process, and only when a requested attribute needs it; other
/// attributes are read as `as_dict` reads them. Processes that vanish during the
/// scan are skipped; thread ids are never listed. Unknown names: InvalidArgument.
/// A process that exists but cannot be read or parsed fails the call with that
/// error, as psutil's generator raises; [`process_scan`] reports such processes
/// and goes on.
///
/// The handles hold no file descriptor: they carry pid + start time and pin
/// themselves to a pidfd at their first action (signal, setter, wait), after
/// checking the start time. See [`Process`]'s "Identity that survives pid reuse"
/// for what that guarantees and the one case it cannot (a reuse within the same
/// clock tick before that first action).
///
/// ```
/// let procs = pskit::process_iter(&["name", "cpu_times", "memory_info"]).unwrap();
/// let me = procs.iter().find(|p| p.pid() == std::process::id()).unwrap();
/// assert!(me.memory_info.unwrap().rss > 0);
/// ```
pub fn process_iter(attrs: &[&str]) -> Result<Vec<ProcessInfo>> {
    let scan = scan_impl(attrs)?;
    match scan.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(scan.processes),
    }
}

fn scan_impl(attrs: &[&str]) -> Result<Scan> {
    validate(attrs)?;
    let names: Vec<&'static str> = if attrs.is_empty() {
        ATTRS.to_vec()
    } else {
        attrs.iter().filter_map(|a| static_name(a)).collect()
    };
    let want = |n: &str| names.contains(&n);
    let mut need = scan::Need {
        status: ["uids", "gids", "username", "num_ctx_switches"]
            .iter()
            .any(|n| want(n)),
        status_tail: want("num_ctx_switches"),
        statm: false,
        cmdline: want("cmdline"),
        name: want("name"),
    };
    // With status read anyway, memory_info comes from it and statm is not read.
    need.statm = want("memory_info") && !need.status;
    let others: Vec<&'static str> = names
        .iter()
        .copied()
        .filter(|n| !SCANNED.contains(n))
        .collect();
    let root = Root::current();
    let tck = clk_tck();
    let page = page_size();
    let boot = if want("create_time") {
        Some(crate::linux::cpu::boot_time(&root)?)
    } else {
        None
    };
    let requested: std::sync::Arc<[&'static str]> = names.clone().into();
    let users: HashMap<u32, String> = if want("username") {
        files::passwd_map(&root)
    } else {
        HashMap::new()
    };
    // Attributes read through a handle (cpu_percent, …) use psutil's cache.
    let old = if others.is_empty() {
        None
    } else {
        Some(pmap_snapshot(&root))
    };
    type Out = (Option<Arc<Process>>, Result<ProcessInfo>);
    let results = scan::scan_map(&root, need, |e| -> Option<Out> {
        let e = match e {
            Ok(e) => e,
            Err(err) => return Some((None, Err(err))),
        };
        let s = &e.stat;
        let zombie = s.state == b'Z';
        let handle = old
            .as_ref()
            .map(|old| handle_from(old, &root, e.pid, s.starttime));
        // Attributes beyond the scan are read through the cached handle, so its
        // state (cpu_percent's sample) lives on; the result carries a copy made
        // after that read.
        let (process, other) = match &handle {
            Some(h) => match h.dict_of(&others, &Value::Null, attrs.is_empty()) {
                Ok(m) => ((**h).clone(), m),
                Err(err) if err.is_no_such_process() => return None,
                Err(err) => return Some((None, Err(err))),
            },
            None => (
                Process::from_parts(root.clone(), e.pid, Some(s.starttime)),
                Map::new(),
            ),
        };
        // cmdline: empty data is [] for a kernel thread, ZombieProcess (None) for a zombie.
        let cmdline = match e.cmdline {
            Some(Ok(b)) if b.is_empty() && zombie => None,
            Some(Ok(b)) => Some(parse::parse_cmdline(b)),
            _ => None,
        };
        let status = e.status.and_then(|r| r.ok());
        let uids = status.as_ref().and_then(|st| st.uid);
        let name = if want("name") {
            let comm = parse::lossy(s.comm);
            let from_cmd = || match &cmdline {
                Some(c) => Ok(c.clone()),
                None => Err(crate::linux::process::access_denied(e.pid)),
            };
            extend_name(comm, from_cmd).ok()
        } else {
            None
        };
        let info = ProcessInfo {
            ppid: want("ppid").then_some(s.ppid),
            name,
            status: want("status").then(|| status_from_letter(s.state)),
            cpu_times: want("cpu_times").then(|| cpu_times_of(s, tck)),
            memory_info: match (&e.statm, &status) {
                (Some(Ok(v)), _) => Some(memory_info_of(v, page)),
                (None, Some(st)) if want("memory_info") => Some(memory_info_of_status(st)),
                _ => None,
            },
            uids: uids.filter(|_| want("uids")).map(|u| Uids {
                real: u[0],
                effective: u[1],
                saved: u[2],
            }),
            gids: status
                .as_ref()
                .and_then(|st| st.gid)
                .filter(|_| want("gids"))
                .map(|g| Gids {
                    real: g[0],
                    effective: g[1],
                    saved: g[2],
                }),
            username: match uids {
                Some(u) if want("username") => Some(
                    users
                        .get(&u[0])
                        .cloned()
                        .unwrap_or_else(|| u[0].to_string()),
                ),
                _ => None,
            },
            // stat#20 holds the same count as status's Threads line.
            num_threads: want("num_threads")
                .then(|| u32::try_from(s.num_threads).unwrap_or(u32::MAX)),
            num_ctx_switches: status
                .as_ref()
                .filter(|_| want("num_ctx_switches"))
                .and_then(|st| {
                    Some(CtxSwitches {
                        voluntary: st.voluntary_ctxt_switches?,
                        involuntary: st.nonvoluntary_ctxt_switches?,
                    })
                }),
            cmdline: cmdline.filter(|_| want("cmdline")),
            create_time: boot.map(|b| s.starttime as f64 / tck + b),
            terminal: want("terminal").then(|| files::tty_name(&root, s.tty_nr)),
            cpu_num: want("cpu_num").then_some(s.processor.max(0) as u32),
            page_faults: want("page_faults").then_some(PageFaults {
                minor: s.minflt,
                major: s.majflt,
            }),
            other,
            process,
            requested: requested.clone(),
        };
        Some((handle, Ok(info)))
    })?;
    if old.is_some() {
        let next: Generation = results
            .iter()
            .filter_map(|(h, _)| {
                let h = h.as_ref()?;
                Some(((h.pid(), h.ident?), h.clone()))
            })
            .collect();
        pmap_store(&root, next);
    }
    let results = results.into_iter().map(|(_, r)| r);
    let mut scan = Scan {
        processes: Vec::with_capacity(results.len()),
        errors: Vec::new(),
    };
    for r in results {
        match r {
            Ok(p) => scan.processes.push(p),
            Err(e) => scan.errors.push(e),
        }
    }
    Ok(scan)
}

/// psutil's `process_iter` cache (`_pmap`): per procfs directory, the handles of
/// the last scan by (pid, start time). Handles keep per-process state between
/// calls (cpu_percent's last sample, the cached name and exe), so
/// `process_iter(&["cpu_percent"])` gives real figures from its second call on.
/// A scan reads a snapshot of it without locking per process and stores the next
/// generation (gone processes drop out) when it is done.
type Generation = HashMap<(u32, u64), Arc<Process>>;
static PMAP: Mutex<Option<HashMap<PathBuf, Arc<Generation>>>> = Mutex::new(None);

fn pmap_snapshot(root: &Root) -> Arc<Generation> {
    PMAP.lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|m| m.get(root.proc()).cloned())
        .unwrap_or_default()
}

fn pmap_store(root: &Root, next: Generation) {
    PMAP.lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(root.proc().to_path_buf(), Arc::new(next));
}

/// The cached handle for (pid, start time), or a new one.
fn handle_from(old: &Generation, root: &Arc<Root>, pid: u32, start: u64) -> Arc<Process> {
    old.get(&(pid, start))
        .cloned()
        .unwrap_or_else(|| Arc::new(Process::from_parts(root.clone(), pid, Some(start))))
}

/// Empties the handle cache of [`process_iter`] and [`processes`] (psutil
/// `process_iter.cache_clear()`): the next call starts from fresh handles, so
/// its `cpu_percent` values are 0.0 again.
///
/// ```
/// pskit::process::process_iter_cache_clear();
/// ```
pub fn process_iter_cache_clear() {
    *PMAP.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Every process as a handle, in pid order (psutil's bare `process_iter()`,
/// which yields its cached `Process` objects). The handles are shared with the
/// cache ([`Arc`]), so what a call on them remembers, such as `cpu_percent`'s
/// last sample, is there again on the next `processes()` or [`process_iter`].
///
/// ```
/// let procs = pskit::process::processes().unwrap();
/// let me = procs.iter().find(|p| p.pid() == std::process::id()).unwrap();
/// assert_eq!(me.cpu_percent(None).unwrap(), 0.0); // first sample
/// let again = pskit::process::processes().unwrap();
/// let me2 = again.iter().find(|p| p.pid() == std::process::id()).unwrap();
/// assert!(std::sync::Arc::ptr_eq(me, me2)); // the same handle
/// ```
pub fn processes() -> Result<Vec<Arc<Process>>> {
    let root = Root::current();
    let old = pmap_snapshot(&root);
    let found = scan::scan_map(&root, scan::Need::default(), |e| {
        let e = e.ok()?;
        Some(handle_from(&old, &root, e.pid, e.stat.starttime))
    })?;
    pmap_store(
        &root,
        found
            .iter()
            .filter_map(|h| Some(((h.pid(), h.ident?), h.clone())))
            .collect(),
    );
    Ok(found)
}

/// What [`process_scan`] found: every process it could read, and an error for
/// each process that exists but could not be read or parsed (vanished processes
/// are simply absent).
///
/// ```
/// let scan = pskit::process::process_scan(&["name"]).unwrap();
/// assert!(scan.errors.is_empty());
/// assert!(scan.processes.iter().any(|p| p.pid() == std::process::id()));
/// ```
#[derive(Debug)]
pub struct Scan {
    /// The processes read, in pid order.
    pub processes: Vec<ProcessInfo>,
    /// One error per process that could not be read (the file and reason named).
    pub errors: Vec<crate::Error>,
}

/// [`process_iter`] that keeps going past a process it cannot read or parse: the
/// processes it could read plus an error for each one it could not, so a tool can
/// show what it has and still report (and exit non-zero for) what it lacks.
/// Fails as a whole only when the process table itself cannot be listed.
///
/// ```
/// let scan = pskit::process::process_scan(&["pid", "ppid"]).unwrap();
/// for e in &scan.errors {
///     eprintln!("pskit: {e}");
/// }
/// assert!(!scan.processes.is_empty());
/// ```
pub fn process_scan(attrs: &[&str]) -> Result<Scan> {
    scan_impl(attrs)
}
