//! Typed process attributes: [`Attr`] names what to read, [`ProcessInfo`] holds
//! what was read (psutil's `as_dict()` and `process_iter(attrs)`'s `p.info`), each
//! attribute a [`Field`] that tells "not requested" from "denied" (psutil's
//! `ad_value`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use super::handle::Process;
use super::sockets::ProcessConnection;
use super::types::*;
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

/// One attribute of a [`ProcessInfo`].
///
/// psutil's `as_dict(ad_value=…)` puts `ad_value` where reading an attribute
/// raised AccessDenied or ZombieProcess; pskit keeps that case apart from the
/// attributes that were not asked for, so code never mistakes one for the other.
/// Serialized, `Value` is the value, `Denied` is `null` (`ad_value=None`), and a
/// `NotRequested` field is left out of the map altogether.
///
/// ```
/// use pskit::process::Field;
/// let f: Field<u32> = Field::Value(3);
/// assert_eq!(f.get(), Some(&3));
/// assert!(Field::<u32>::Denied.is_denied());
/// assert_eq!(Field::<u32>::NotRequested.unwrap_or(7), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    /// The attribute was not asked for (or, when every attribute was asked
    /// for, it is one pskit cannot provide here and psutil leaves out too).
    #[default]
    NotRequested,
    /// Reading it gave AccessDenied or ZombieProcess (psutil's `ad_value`).
    Denied,
    /// The value read.
    Value(T),
}

impl<T> Field<T> {
    /// The value, if one was read.
    ///
    /// ```
    /// assert_eq!(pskit::process::Field::Value("x").get(), Some(&"x"));
    /// ```
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if one was read, by value.
    ///
    /// ```
    /// assert_eq!(pskit::process::Field::Value(2).value(), Some(2));
    /// ```
    pub fn value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// True when reading the attribute was denied (AccessDenied or ZombieProcess).
    ///
    /// ```
    /// assert!(pskit::process::Field::<i32>::Denied.is_denied());
    /// ```
    pub fn is_denied(&self) -> bool {
        matches!(self, Field::Denied)
    }

    /// True when the attribute was asked for (it holds a value or was denied).
    ///
    /// ```
    /// assert!(!pskit::process::Field::<i32>::NotRequested.is_requested());
    /// ```
    pub fn is_requested(&self) -> bool {
        !matches!(self, Field::NotRequested)
    }

    /// A field borrowing the value.
    ///
    /// ```
    /// let f = pskit::process::Field::Value(String::from("a"));
    /// assert_eq!(f.as_ref().map(|s| s.len()).value(), Some(1));
    /// ```
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Value(v) => Field::Value(v),
            Field::Denied => Field::Denied,
            Field::NotRequested => Field::NotRequested,
        }
    }

    /// The value dereferenced (`Field<String>` gives `Option<&str>`).
    ///
    /// ```
    /// let f = pskit::process::Field::Value(String::from("sshd"));
    /// assert_eq!(f.as_deref(), Some("sshd"));
    /// ```
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.get().map(|v| &**v)
    }

    /// Maps the value, keeping `Denied` and `NotRequested`.
    ///
    /// ```
    /// let f = pskit::process::Field::Value(2).map(|x| x * 10);
    /// assert_eq!(f, pskit::process::Field::Value(20));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Value(v) => Field::Value(f(v)),
            Field::Denied => Field::Denied,
            Field::NotRequested => Field::NotRequested,
        }
    }

    /// The value, or `default` when there is none.
    ///
    /// ```
    /// assert_eq!(pskit::process::Field::Denied.unwrap_or(0.0), 0.0);
    /// ```
    pub fn unwrap_or(self, default: T) -> T {
        self.value().unwrap_or(default)
    }

    /// The value; panics when the attribute was denied or not requested.
    ///
    /// ```
    /// assert_eq!(pskit::process::Field::Value(5).unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn unwrap(self) -> T {
        match self {
            Field::Value(v) => v,
            Field::Denied => panic!("called `Field::unwrap()` on a denied attribute"),
            Field::NotRequested => panic!("called `Field::unwrap()` on an attribute not requested"),
        }
    }

    /// The value, or `T::default()` when there is none.
    ///
    /// ```
    /// assert_eq!(pskit::process::Field::<String>::Denied.unwrap_or_default(), "");
    /// ```
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.value().unwrap_or_default()
    }

    /// This field as psutil's dict value: `None` when not requested (the key is
    /// absent), `ad_value` when denied.
    fn json(&self, ad_value: &Value) -> Option<Value>
    where
        T: Serialize,
    {
        match self {
            Field::NotRequested => None,
            Field::Denied => Some(ad_value.clone()),
            Field::Value(v) => Some(serde_json::to_value(v).unwrap_or(Value::Null)),
        }
    }

    /// The field for one read: AccessDenied and ZombieProcess are `Denied`;
    /// Unsupported is left out when every attribute was asked for (`skip`).
    pub(crate) fn from_read(r: Result<T>, skip: bool) -> Result<Field<T>> {
        match r {
            Ok(v) => Ok(Field::Value(v)),
            Err(Error::AccessDenied { .. }) | Err(Error::ZombieProcess { .. }) => Ok(Field::Denied),
            Err(Error::Unsupported(_)) if skip => Ok(Field::NotRequested),
            Err(e) => Err(e),
        }
    }
}

impl<T> From<Field<T>> for Option<T> {
    fn from(f: Field<T>) -> Option<T> {
        f.value()
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(s),
            _ => s.serialize_none(),
        }
    }
}

/// Something that names process attributes: a slice, array or Vec of [`Attr`]
/// values or of psutil's attribute names (`&str`, `String`). An empty list means
/// every attribute of [`Attr::ALL`], as in psutil.
///
/// ```
/// use pskit::process::{Attr, AttrList};
/// assert_eq!(["name", "pid"].attrs().unwrap(), vec![Attr::Name, Attr::Pid]);
/// assert_eq!([Attr::Nice].attrs().unwrap(), vec![Attr::Nice]);
/// assert!(["bogus"].attrs().is_err());
/// ```
pub trait AttrList {
    /// The attributes, in the order given; InvalidArgument names unknown ones.
    fn attrs(&self) -> Result<Vec<Attr>>;
}

/// One attribute name: an [`Attr`] or psutil's name for it.
///
/// ```
/// use pskit::process::{Attr, AsAttr};
/// assert_eq!("nice".as_attr(), Some(Attr::Nice));
/// assert_eq!(Attr::Nice.as_attr(), Some(Attr::Nice));
/// ```
pub trait AsAttr {
    /// The attribute, or None for an unknown name.
    fn as_attr(&self) -> Option<Attr>;
    /// How to name it in an error.
    fn label(&self) -> String;
}

impl AsAttr for Attr {
    fn as_attr(&self) -> Option<Attr> {
        Some(*self)
    }
    fn label(&self) -> String {
        self.name().to_string()
    }
}

impl AsAttr for str {
    fn as_attr(&self) -> Option<Attr> {
        Attr::from_name(self)
    }
    fn label(&self) -> String {
        self.to_string()
    }
}

impl AsAttr for String {
    fn as_attr(&self) -> Option<Attr> {
        Attr::from_name(self)
    }
    fn label(&self) -> String {
        self.clone()
    }
}

impl<A: AsAttr + ?Sized> AsAttr for &A {
    fn as_attr(&self) -> Option<Attr> {
        (**self).as_attr()
    }
    fn label(&self) -> String {
        (**self).label()
    }
}

impl<A: AsAttr> AttrList for [A] {
    fn attrs(&self) -> Result<Vec<Attr>> {
        let bad: Vec<String> = self
            .iter()
            .filter(|a| a.as_attr().is_none())
            .map(|a| a.label())
            .collect();
        if !bad.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "invalid attr name(s): {}",
                bad.join(", ")
            )));
        }
        Ok(self.iter().filter_map(|a| a.as_attr()).collect())
    }
}

impl<A: AsAttr, const N: usize> AttrList for [A; N] {
    fn attrs(&self) -> Result<Vec<Attr>> {
        self.as_slice().attrs()
    }
}

impl<A: AsAttr> AttrList for Vec<A> {
    fn attrs(&self) -> Result<Vec<Attr>> {
        self.as_slice().attrs()
    }
}

impl<L: AttrList + ?Sized> AttrList for &L {
    fn attrs(&self) -> Result<Vec<Attr>> {
        (**self).attrs()
    }
}

/// The attribute list to read: the given ones, or all of [`Attr::ALL`] when
/// empty (the flag says which, for psutil's Unsupported rule).
pub(crate) fn resolve(attrs: &impl AttrList) -> Result<(Vec<Attr>, bool)> {
    let list = attrs.attrs()?;
    if list.is_empty() {
        Ok((Attr::ALL.to_vec(), true))
    } else {
        Ok((list, false))
    }
}

macro_rules! process_attrs {
    ($($var:ident $name:literal $field:ident: $ty:ty = |$p:ident| $read:expr;)*) => {
        /// A process attribute, by psutil's name (`Attr::MemoryInfo` is
        /// `"memory_info"`). [`Attr::ALL`] holds psutil 7.2.2's 30 `as_dict`
        /// names; [`Attr::EXTRA`] the ones read only on request.
        ///
        /// ```
        /// use pskit::process::Attr;
        /// assert_eq!(Attr::MemoryInfo.name(), "memory_info");
        /// assert_eq!("cpu_percent".parse::<Attr>().unwrap(), Attr::CpuPercent);
        /// assert_eq!(Attr::Nice.to_string(), "nice");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Attr {
            /// `pid`.
            Pid,
            $(
                #[doc = concat!("`", $name, "`.")]
                $var,
            )*
        }

        impl Attr {
            /// psutil's name for it.
            ///
            /// ```
            /// assert_eq!(pskit::process::Attr::NumFds.name(), "num_fds");
            /// ```
            pub const fn name(self) -> &'static str {
                match self {
                    Attr::Pid => "pid",
                    $(Attr::$var => $name,)*
                }
            }

            /// The attribute with this psutil name.
            ///
            /// ```
            /// use pskit::process::Attr;
            /// assert_eq!(Attr::from_name("exe"), Some(Attr::Exe));
            /// assert_eq!(Attr::from_name("nope"), None);
            /// ```
            pub fn from_name(name: &str) -> Option<Attr> {
                match name {
                    "pid" => Some(Attr::Pid),
                    $($name => Some(Attr::$var),)*
                    _ => None,
                }
            }
        }

        /// What was read of one process (psutil's `as_dict()` result and
        /// `process_iter(attrs)`'s `p.info`), one typed [`Field`] per attribute.
        ///
        /// Serialized (serde), it is psutil's dict: the requested attributes
        /// under psutil's names, denied ones `null`. [`ProcessInfo::info`] gives
        /// the same map with another `ad_value`.
        ///
        /// ```
        /// let me = pskit::Process::current().unwrap();
        /// let info = me.as_dict(["name", "memory_percent"]).unwrap();
        /// assert!(info.memory_percent.unwrap_or(0.0) > 0.0);
        /// assert!(!info.nice.is_requested());
        /// let json = serde_json::to_value(&info).unwrap();
        /// assert_eq!(json.as_object().unwrap().len(), 2);
        /// ```
        #[derive(Debug, Clone)]
        pub struct ProcessInfo {
            /// The process handle (psutil's `p` of `p.info`).
            pub process: Process,
            $(
                #[doc = concat!("`", $name, "`.")]
                pub $field: Field<$ty>,
            )*
            requested: Arc<[Attr]>,
        }

        impl ProcessInfo {
            /// An empty record for these requested attributes.
            pub(crate) fn empty(process: Process, requested: Arc<[Attr]>) -> ProcessInfo {
                ProcessInfo {
                    process,
                    $($field: Field::NotRequested,)*
                    requested,
                }
            }

            /// Reads one attribute through `p` (the handle whose state, such as
            /// cpu_percent's sample, the read updates).
            pub(crate) fn read(&mut self, p: &Process, attr: Attr, skip_unsupported: bool) -> Result<()> {
                match attr {
                    Attr::Pid => {}
                    $(Attr::$var => {
                        let $p = p;
                        self.$field = Field::from_read($read, skip_unsupported)?;
                    })*
                }
                Ok(())
            }

            /// One attribute as psutil's dict value: None when it is not in the
            /// dict (not requested), `ad_value` when it was denied.
            ///
            /// ```
            /// use pskit::process::Attr;
            /// let me = pskit::Process::current().unwrap().as_dict([Attr::Ppid]).unwrap();
            /// let ad = serde_json::Value::Null;
            /// assert!(me.attr_json(Attr::Ppid, &ad).unwrap().is_u64());
            /// assert!(me.attr_json(Attr::Nice, &ad).is_none());
            /// ```
            pub fn attr_json(&self, attr: Attr, ad_value: &Value) -> Option<Value> {
                match attr {
                    Attr::Pid => Some(Value::from(self.process.pid())),
                    $(Attr::$var => self.$field.json(ad_value),)*
                }
            }

            /// True when `attr` was asked for and reading it was denied
            /// (AccessDenied or ZombieProcess: psutil's `ad_value`), so that
            /// callers putting their own `ad_value` in (the Python bindings) can
            /// tell a denied attribute from one whose value is null.
            ///
            /// ```
            /// use pskit::process::Attr;
            /// let me = pskit::Process::current().unwrap().as_dict([Attr::Terminal]).unwrap();
            /// assert!(!me.is_denied(Attr::Terminal));
            /// assert!(!me.is_denied(Attr::Pid));
            /// ```
            pub fn is_denied(&self, attr: Attr) -> bool {
                match attr {
                    Attr::Pid => false,
                    $(Attr::$var => self.$field.is_denied(),)*
                }
            }
        }
    };
}

process_attrs! {
    Cmdline "cmdline" cmdline: Vec<String> = |p| p.cmdline();
    CpuAffinity "cpu_affinity" cpu_affinity: Vec<u32> = |p| p.cpu_affinity();
    CpuNum "cpu_num" cpu_num: u32 = |p| p.cpu_num();
    CpuPercent "cpu_percent" cpu_percent: f64 = |p| p.cpu_percent(None);
    CpuTimes "cpu_times" cpu_times: ProcessCpuTimes = |p| p.cpu_times();
    CreateTime "create_time" create_time: f64 = |p| p.create_time();
    Cwd "cwd" cwd: String = |p| p.cwd();
    Environ "environ" environ: BTreeMap<String, String> = |p| p.environ();
    Exe "exe" exe: String = |p| p.exe();
    Gids "gids" gids: Gids = |p| p.gids();
    IoCounters "io_counters" io_counters: IoCounters = |p| p.io_counters();
    Ionice "ionice" ionice: Ionice = |p| p.ionice();
    MemoryFullInfo "memory_full_info" memory_full_info: MemoryFullInfo = |p| p.memory_full_info();
    MemoryInfo "memory_info" memory_info: MemoryInfo = |p| p.memory_info();
    MemoryMaps "memory_maps" memory_maps: Vec<MemoryMap> = |p| p.memory_maps();
    MemoryPercent "memory_percent" memory_percent: f64 = |p| p.memory_percent("rss");
    Name "name" name: String = |p| p.name();
    NetConnections "net_connections" net_connections: Vec<ProcessConnection> = |p| p.net_connections("inet");
    Nice "nice" nice: i32 = |p| p.nice();
    NumCtxSwitches "num_ctx_switches" num_ctx_switches: CtxSwitches = |p| p.num_ctx_switches();
    NumFds "num_fds" num_fds: u32 = |p| p.num_fds();
    NumThreads "num_threads" num_threads: u32 = |p| p.num_threads();
    OpenFiles "open_files" open_files: Vec<OpenFile> = |p| p.open_files();
    Ppid "ppid" ppid: u32 = |p| p.ppid();
    Status "status" status: Status = |p| p.status();
    Terminal "terminal" terminal: Option<String> = |p| p.terminal();
    Threads "threads" threads: Vec<Thread> = |p| p.threads();
    Uids "uids" uids: Uids = |p| p.uids();
    Username "username" username: String = |p| p.username();
    PageFaults "page_faults" page_faults: PageFaults = |p| p.page_faults();
    MemoryInfoEx "memory_info_ex" memory_info_ex: MemoryInfoEx = |p| p.memory_info_ex();
    Cgroup "cgroup" cgroup: Option<String> = |p| p.cgroup();
    ProcStat "proc_stat" proc_stat: ProcStat = |p| p.proc_stat();
}

impl Attr {
    /// psutil 7.2.2's `as_dict` attributes on Linux, by name (what an empty
    /// attribute list means).
    ///
    /// ```
    /// use pskit::process::{Attr, ATTRS};
    /// assert_eq!(Attr::ALL.len(), 30);
    /// assert!(Attr::ALL.iter().map(|a| a.name()).eq(ATTRS));
    /// ```
    pub const ALL: [Attr; 30] = [
        Attr::Cmdline,
        Attr::CpuAffinity,
        Attr::CpuNum,
        Attr::CpuPercent,
        Attr::CpuTimes,
        Attr::CreateTime,
        Attr::Cwd,
        Attr::Environ,
        Attr::Exe,
        Attr::Gids,
        Attr::IoCounters,
        Attr::Ionice,
        Attr::MemoryFullInfo,
        Attr::MemoryInfo,
        Attr::MemoryMaps,
        Attr::MemoryPercent,
        Attr::Name,
        Attr::NetConnections,
        Attr::Nice,
        Attr::NumCtxSwitches,
        Attr::NumFds,
        Attr::NumThreads,
        Attr::OpenFiles,
        Attr::Pid,
        Attr::Ppid,
        Attr::Status,
        Attr::Terminal,
        Attr::Threads,
        Attr::Uids,
        Attr::Username,
    ];

    /// Attributes read only when asked for by name: `page_faults` and
    /// `memory_info_ex` (psutil 8.0), `cgroup` and `proc_stat` (beyond psutil).
    ///
    /// ```
    /// assert_eq!(pskit::process::Attr::EXTRA[2].name(), "cgroup");
    /// ```
    pub const EXTRA: [Attr; 4] = [
        Attr::PageFaults,
        Attr::MemoryInfoEx,
        Attr::Cgroup,
        Attr::ProcStat,
    ];
}

impl std::fmt::Display for Attr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Attr {
    type Err = Error;
    fn from_str(s: &str) -> Result<Attr> {
        Attr::from_name(s)
            .ok_or_else(|| Error::InvalidArgument(format!("invalid attr name(s): {s}")))
    }
}

impl Serialize for Attr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl ProcessInfo {
    /// The pid.
    ///
    /// ```
    /// let all = pskit::process_iter(["pid"]).unwrap();
    /// assert!(all.iter().any(|p| p.pid() == std::process::id()));
    /// ```
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The attributes that were asked for, in the order asked.
    ///
    /// ```
    /// use pskit::process::Attr;
    /// let me = pskit::Process::current().unwrap().as_dict([Attr::Nice, Attr::Pid]).unwrap();
    /// assert_eq!(me.requested(), &[Attr::Nice, Attr::Pid]);
    /// ```
    pub fn requested(&self) -> &[Attr] {
        &self.requested
    }

    /// psutil's dict (`as_dict(attrs, ad_value)`, `p.info`): exactly the
    /// requested attributes under psutil's names, denied ones set to `ad_value`,
    /// named tuples as JSON objects with psutil's fields in psutil's order.
    ///
    /// ```
    /// let all = pskit::process_iter(["name", "uids"]).unwrap();
    /// let info = all[0].info(serde_json::Value::Null);
    /// assert!(info.contains_key("name") && info.contains_key("uids"));
    /// ```
    pub fn info(&self, ad_value: Value) -> Map<String, Value> {
        let mut m = Map::new();
        for &attr in self.requested.iter() {
            if let Some(v) = self.attr_json(attr, &ad_value) {
                m.insert(attr.name().to_string(), v);
            }
        }
        m
    }
}

impl Serialize for ProcessInfo {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for &attr in self.requested.iter() {
            if let Some(v) = self.attr_json(attr, &Value::Null) {
                map.serialize_entry(attr.name(), &v)?;
            }
        }
        map.end()
    }
}

impl Process {
    /// The process's attributes (psutil `as_dict(attrs)`), typed.
    ///
    /// `attrs` holds [`Attr`] values or psutil's names; an empty list means all
    /// of [`Attr::ALL`]; unknown names give InvalidArgument. Everything is read
    /// in one oneshot scope. An attribute whose read gives AccessDenied or
    /// ZombieProcess is [`Field::Denied`] (psutil's `ad_value`); one pskit
    /// cannot provide (`Unsupported`) is left out when all were asked for and is
    /// an error when asked for by name; NoSuchProcess fails the call. For
    /// psutil's dict with another `ad_value`, see [`ProcessInfo::info`].
    ///
    /// ```
    /// use pskit::process::Attr;
    /// let p = pskit::Process::current().unwrap();
    /// let d = p.as_dict([Attr::Pid, Attr::Name, Attr::Uids]).unwrap();
    /// assert_eq!(d.pid(), std::process::id());
    /// assert!(d.uids.get().is_some());
    /// let json = d.info(serde_json::Value::Null);
    /// assert_eq!(json["pid"], std::process::id());
    /// assert!(p.as_dict(["bogus"]).is_err());
    /// ```
    pub fn as_dict(&self, attrs: impl AttrList) -> Result<ProcessInfo> {
        let (list, all) = resolve(&attrs)?;
        self.read_info(list.into(), all)
    }

    /// Reads these attributes into a new [`ProcessInfo`] in one oneshot scope.
    pub(crate) fn read_info(
        &self,
        attrs: Arc<[Attr]>,
        skip_unsupported: bool,
    ) -> Result<ProcessInfo> {
        self.oneshot(|p| {
            let mut info = ProcessInfo::empty(p.clone(), attrs.clone());
            // The reads that leave something in the oneshot cache for others go
            // first: memory_maps's smaps serves memory_full_info (and
            // memory_percent's uss/pss) without a read of smaps_rollup; the fd
            // directory that open_files and net_connections read serves each
            // other and num_fds.
            let feeds =
                |a: &&Attr| matches!(a, Attr::MemoryMaps | Attr::OpenFiles | Attr::NetConnections);
            let first = attrs.iter().filter(feeds);
            let rest = attrs.iter().filter(|a| !feeds(a));
            for &a in first.chain(rest) {
                info.read(p, a, skip_unsupported)?;
            }
            // A copy made after the reads carries their state (cpu_percent's sample).
            info.process = p.clone();
            Ok(info)
        })
    }
}
