//! `process_iter(attrs)` (psutil §2.8): one scan of the process table that reads,
//! for each pid, only the files the requested attributes need.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::handle::Process;
use super::info::{resolve, Attr, AttrList, Field, ProcessInfo};
use super::methods::{cpu_times_of, extend_name, memory_info_of, memory_info_of_status, page_size};
use super::types::*;
use crate::error::Result;
use crate::linux::cpu::clk_tck;
use crate::linux::process::{files, parse, scan};
use crate::root::Root;

/// Attributes the scan fills from stat, status, statm, cmdline and the pidfd's
/// credentials (nice is stat's field 19, the value getpriority(2) gives;
/// memory_percent is rss over the cached total, as
/// `Process::memory_percent("rss")`).
const SCANNED: [Attr; 19] = [
    Attr::ProcStat,
    Attr::Pid,
    Attr::Ppid,
    Attr::Name,
    Attr::Status,
    Attr::CpuTimes,
    Attr::MemoryInfo,
    Attr::Uids,
    Attr::Gids,
    Attr::Username,
    Attr::NumThreads,
    Attr::NumCtxSwitches,
    Attr::Cmdline,
    Attr::CreateTime,
    Attr::Terminal,
    Attr::CpuNum,
    Attr::PageFaults,
    Attr::MemoryPercent,
    Attr::Nice,
];

/// A scanned attribute's field: not requested, the value, or (requested but not
/// readable) denied, psutil's `ad_value`.
fn field<T>(wanted: bool, v: Option<T>) -> Field<T> {
    match (wanted, v) {
        (false, _) => Field::NotRequested,
        (true, Some(v)) => Field::Value(v),
        (true, None) => Field::Denied,
    }
}

/// Every process, in pid order, with the requested attributes read (psutil
/// `process_iter(attrs)`); an empty `attrs` means all of [`Attr::ALL`].
///
/// For stat, status, statm and cmdline attributes, each of those files is read at
/// most once per process, and only when a requested attribute needs it; other
/// attributes are read as `as_dict` reads them. Beyond psutil, uids, gids and
/// username come from a pidfd (`PIDFD_GET_INFO`, Linux 6.13+) on the kernel's
/// own /proc of this pid namespace, which spares the kernel writing status;
/// elsewhere from status. A large table is read on two or more threads.
/// Processes that vanish during the scan are skipped; thread ids are never
/// listed. Unknown names: InvalidArgument.
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
/// `attrs` holds [`Attr`] values or psutil's names (see [`AttrList`]); an empty
/// list means every attribute of [`Attr::ALL`]. For psutil's bare
/// `process_iter()`, which yields handles, see [`processes`].
///
/// ```
/// use pskit::process::Attr;
/// let procs = pskit::process_iter([Attr::Name, Attr::CpuTimes, Attr::MemoryInfo]).unwrap();
/// let me = procs.iter().find(|p| p.pid() == std::process::id()).unwrap();
/// assert!(me.memory_info.get().unwrap().rss > 0);
/// // psutil's names work too:
/// let named = pskit::process_iter(["name", "ppid"]).unwrap();
/// assert!(named.iter().all(|p| p.ppid.is_requested()));
/// ```
pub fn process_iter(attrs: impl AttrList) -> Result<Vec<ProcessInfo>> {
    let scan = scan_impl(&attrs)?;
    match scan.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(scan.processes),
    }
}

fn scan_impl(attrs: &impl AttrList) -> Result<Scan> {
    let mut parts = crate::linux::process::scan::InOrder::default();
    scan_with(attrs, &mut |wait| wait(), &mut |b, r| parts.push(b, r))?;
    let mut scan = Scan {
        processes: Vec::new(),
        errors: Vec::new(),
    };
    for r in parts.into_vec() {
        match r {
            Ok(p) => scan.processes.push(p),
            Err(e) => scan.errors.push(e),
        }
    }
    Ok(scan)
}

/// [`process_iter`] that hands each process (or the error for one that could
/// not be read or parsed) to `each` on the calling thread as soon as a scanning
/// thread has read it, so the caller's own work per process overlaps the reading
/// of the others. pskit's Python bindings build Python objects this way while the
/// table is still being read. Processes come in no particular order: each carries
/// its pid. Fails as a whole only when the process table cannot be listed.
///
/// Every system read the calling thread makes (the table's listing, the setup,
/// a small table's whole scan, each wait for the scanning threads) runs inside
/// `block`, which must call the closure it is given once: the bindings release
/// Python's GIL there. `|wait| wait()` just runs it.
///
/// ```
/// let mut pids = Vec::new();
/// pskit::process::process_iter_each(["name"], |wait| wait(), |r| {
///     if let Ok(p) = r {
///         pids.push(p.pid());
///     }
/// })
/// .unwrap();
/// assert!(pids.contains(&std::process::id()));
/// ```
pub fn process_iter_each(
    attrs: impl AttrList,
    mut block: impl FnMut(&mut (dyn FnMut() + Send)),
    mut each: impl FnMut(Result<ProcessInfo>),
) -> Result<()> {
    scan_with(&attrs, &mut block, &mut |_, r| each(r))
}

/// What a scan reads once before the table: the files its attributes need
/// besides each pid's own.
struct Setup {
    boot: Option<f64>,
    total: Option<u64>,
    users: HashMap<u32, String>,
    old: Option<Arc<Generation>>,
}

/// The scan behind [`process_scan`] and [`process_iter_each`]: `take` gets each
/// result with its block's index (see `scan::scan_stream`).
fn scan_with(
    attrs: &impl AttrList,
    block: &mut scan::Block<'_>,
    take: &mut dyn FnMut(usize, Result<ProcessInfo>),
) -> Result<()> {
    let (names, all) = resolve(attrs)?;
    let want = |n: Attr| names.contains(&n);
    let root = Root::current();
    let creds = [Attr::Uids, Attr::Gids, Attr::Username]
        .iter()
        .any(|n| want(*n));
    // The credentials come from the pidfd, unless status is read anyway (for
    // the context switches) or the pidfd path is not open here.
    let by_pidfd = creds && !want(Attr::NumCtxSwitches) && scan::creds_by_pidfd(&root);
    let mut need = scan::Need {
        status: want(Attr::NumCtxSwitches) || (creds && !by_pidfd),
        status_tail: want(Attr::NumCtxSwitches),
        statm: false,
        cmdline: want(Attr::Cmdline),
        name: want(Attr::Name),
        creds: by_pidfd,
    };
    // With status read anyway, memory_info comes from it and statm is not read.
    need.statm = (want(Attr::MemoryInfo) || want(Attr::MemoryPercent)) && !need.status;
    let others: Vec<Attr> = names
        .iter()
        .copied()
        .filter(|n| !SCANNED.contains(n))
        .collect();
    let tck = clk_tck();
    let page = page_size();
    let (root_ref, no_others) = (&root, others.is_empty());
    let Setup {
        boot,
        total,
        users,
        old,
    } = scan::through(block, move || -> Result<Setup> {
        let root = root_ref;
        Ok(Setup {
            boot: if want(Attr::CreateTime) {
                Some(crate::linux::cpu::boot_time(root)?)
            } else {
                None
            },
            total: if want(Attr::MemoryPercent) {
                Some(super::maps::total_memory()?)
            } else {
                None
            },
            users: if want(Attr::Username) {
                files::passwd_map(root)
            } else {
                HashMap::new()
            },
            // Attributes read through a handle (cpu_percent, …) use psutil's cache.
            old: if no_others {
                None
            } else {
                Some(pmap_snapshot(root))
            },
        })
    })??;
    let requested: Arc<[Attr]> = names.clone().into();
    type Out = (Option<Arc<Process>>, Result<ProcessInfo>);
    let read = |e: std::result::Result<scan::Entry<'_>, crate::Error>| -> Option<Out> {
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
        let mut info = match &handle {
            Some(h) => {
                let read: Result<ProcessInfo> = h.oneshot(|hp| {
                    let mut info = ProcessInfo::empty(hp.clone(), requested.clone());
                    for &a in &others {
                        info.read(hp, a, all)?;
                    }
                    info.process = hp.clone();
                    Ok(info)
                });
                match read {
                    Ok(info) => info,
                    Err(err) if err.is_no_such_process() => return None,
                    Err(err) => return Some((None, Err(err))),
                }
            }
            None => ProcessInfo::empty(
                Process::from_parts(root.clone(), e.pid, Some(s.starttime)),
                requested.clone(),
            ),
        };
        // cmdline: empty data is [] for a kernel thread, ZombieProcess (None) for a zombie.
        let cmdline = match e.cmdline {
            Some(Ok(b)) if b.is_empty() && zombie => None,
            Some(Ok(b)) => Some(parse::parse_cmdline(b)),
            _ => None,
        };
        let status = e.status.and_then(|r| r.ok());
        let uids = e
            .creds
            .map(|c| c.0)
            .or_else(|| status.as_ref().and_then(|st| st.uid));
        let gids = e
            .creds
            .map(|c| c.1)
            .or_else(|| status.as_ref().and_then(|st| st.gid));
        if want(Attr::Name) {
            let comm = parse::lossy(s.comm);
            let from_cmd = || match &cmdline {
                Some(c) => Ok(c.clone()),
                None => Err(crate::linux::process::access_denied(e.pid)),
            };
            info.name = field(true, extend_name(comm, from_cmd).ok());
        }
        info.ppid = field(want(Attr::Ppid), Some(s.ppid));
        info.status = field(want(Attr::Status), Some(Status::from_letter(s.state)));
        info.cpu_times = field(want(Attr::CpuTimes), Some(cpu_times_of(s, tck)));
        let mem = match (&e.statm, &status) {
            (Some(Ok(v)), _) => Some(memory_info_of(v, page)),
            (None, Some(st)) => Some(memory_info_of_status(st)),
            _ => None,
        };
        info.memory_percent = field(
            want(Attr::MemoryPercent),
            mem.as_ref()
                .zip(total)
                .map(|(m, t)| super::maps::percent_of_memory(m.rss, t)),
        );
        info.memory_info = field(want(Attr::MemoryInfo), mem);
        info.nice = field(want(Attr::Nice), Some(s.nice as i32));
        info.uids = field(
            want(Attr::Uids),
            uids.map(|u| Uids {
                real: u[0],
                effective: u[1],
                saved: u[2],
            }),
        );
        info.gids = field(
            want(Attr::Gids),
            gids.map(|g| Gids {
                real: g[0],
                effective: g[1],
                saved: g[2],
            }),
        );
        info.username = field(
            want(Attr::Username),
            uids.map(|u| {
                users
                    .get(&u[0])
                    .cloned()
                    .unwrap_or_else(|| u[0].to_string())
            }),
        );
        // stat#20 holds the same count as status's Threads line.
        info.num_threads = field(
            want(Attr::NumThreads),
            Some(u32::try_from(s.num_threads).unwrap_or(u32::MAX)),
        );
        info.num_ctx_switches = field(
            want(Attr::NumCtxSwitches),
            status.as_ref().and_then(|st| {
                Some(CtxSwitches {
                    voluntary: st.voluntary_ctxt_switches?,
                    involuntary: st.nonvoluntary_ctxt_switches?,
                })
            }),
        );
        info.cmdline = field(want(Attr::Cmdline), cmdline);
        info.create_time = field(
            want(Attr::CreateTime),
            boot.map(|b| s.starttime as f64 / tck + b),
        );
        if want(Attr::Terminal) {
            info.terminal = Field::Value(files::tty_name(&root, s.tty_nr));
        }
        info.cpu_num = field(want(Attr::CpuNum), Some(s.processor.max(0) as u32));
        if want(Attr::ProcStat) {
            info.proc_stat = Field::Value(ProcStat::from_parts(s, status.as_ref()));
        }
        info.page_faults = field(
            want(Attr::PageFaults),
            Some(PageFaults {
                minor: s.minflt,
                major: s.majflt,
            }),
        );
        Some((handle, Ok(info)))
    };
    let mut next: Generation = HashMap::new();
    scan::scan_stream(&root, need, read, block, &mut |b, (h, r)| {
        if let Some(h) = h.filter(|_| old.is_some()) {
            if let Some(ident) = h.ident {
                next.insert((h.pid(), ident), h);
            }
        }
        take(b, r);
    })?;
    if old.is_some() {
        pmap_store(&root, next);
    }
    Ok(())
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
pub fn process_scan(attrs: impl AttrList) -> Result<Scan> {
    scan_impl(&attrs)
}
