"""pskit: psutil's API on a Rust core.

``import pskit as psutil`` is the goal (issue #10). This first part has
psutil 7.2.2's system-wide functions, named tuples, constants and exception
classes; the ``Process`` class is not here yet, and its names are absent (not
stubbed), so code that needs it fails with AttributeError.

Written for pskit from psutil's documented behaviour
(../shared/reference/psutil-linux.md); no psutil code is copied here.
"""

import collections
import enum
import os
import socket
import sys
import threading
import time

from . import _pskit

__all__ = [
    # exceptions
    "Error", "NoSuchProcess", "ZombieProcess", "AccessDenied", "TimeoutExpired",
    # constants
    "version_info", "__version__", "PROCFS_PATH",
    "STATUS_RUNNING", "STATUS_IDLE", "STATUS_SLEEPING", "STATUS_DISK_SLEEP",
    "STATUS_STOPPED", "STATUS_TRACING_STOP", "STATUS_ZOMBIE", "STATUS_DEAD",
    "STATUS_WAKING", "STATUS_LOCKED", "STATUS_WAITING", "STATUS_PARKED",
    "CONN_ESTABLISHED", "CONN_SYN_SENT", "CONN_SYN_RECV", "CONN_FIN_WAIT1",
    "CONN_FIN_WAIT2", "CONN_TIME_WAIT", "CONN_CLOSE", "CONN_CLOSE_WAIT",
    "CONN_LAST_ACK", "CONN_LISTEN", "CONN_CLOSING", "CONN_NONE",
    "AF_LINK", "NIC_DUPLEX_FULL", "NIC_DUPLEX_HALF", "NIC_DUPLEX_UNKNOWN",
    "POWER_TIME_UNKNOWN", "POWER_TIME_UNLIMITED",
    "BSD", "FREEBSD", "LINUX", "NETBSD", "OPENBSD", "MACOS", "OSX", "POSIX",
    "SUNOS", "WINDOWS", "AIX",
    "IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE",
    # functions
    "pids", "pid_exists",
    "cpu_count", "cpu_times", "cpu_percent", "cpu_times_percent", "cpu_stats",
    "cpu_freq", "getloadavg",
    "virtual_memory", "swap_memory",
    "disk_partitions", "disk_usage", "disk_io_counters",
    "net_io_counters", "net_if_addrs", "net_if_stats",
    "sensors_temperatures", "sensors_fans", "sensors_battery",
    "users", "boot_time",
]

# The version of psutil whose API this follows (the contract), and pskit's own.
version_info = (7, 2, 2)
__version__ = "7.2.2"
pskit_version = _pskit.__version__

PROCFS_PATH = "/proc"

# --- platform flags ---------------------------------------------------------
LINUX = sys.platform.startswith("linux")
POSIX = os.name == "posix"
WINDOWS = MACOS = OSX = FREEBSD = OPENBSD = NETBSD = BSD = SUNOS = AIX = False
if not LINUX:
    raise ImportError("pskit's Python bindings support Linux only (platform: %s)" % sys.platform)

# --- constants --------------------------------------------------------------
STATUS_RUNNING = "running"
STATUS_SLEEPING = "sleeping"
STATUS_DISK_SLEEP = "disk-sleep"
STATUS_STOPPED = "stopped"
STATUS_TRACING_STOP = "tracing-stop"
STATUS_ZOMBIE = "zombie"
STATUS_DEAD = "dead"
STATUS_WAKE_KILL = "wake-kill"
STATUS_WAKING = "waking"
STATUS_IDLE = "idle"
STATUS_LOCKED = "locked"
STATUS_WAITING = "waiting"
STATUS_SUSPENDED = "suspended"
STATUS_PARKED = "parked"

CONN_ESTABLISHED = "ESTABLISHED"
CONN_SYN_SENT = "SYN_SENT"
CONN_SYN_RECV = "SYN_RECV"
CONN_FIN_WAIT1 = "FIN_WAIT1"
CONN_FIN_WAIT2 = "FIN_WAIT2"
CONN_TIME_WAIT = "TIME_WAIT"
CONN_CLOSE = "CLOSE"
CONN_CLOSE_WAIT = "CLOSE_WAIT"
CONN_LAST_ACK = "LAST_ACK"
CONN_LISTEN = "LISTEN"
CONN_CLOSING = "CLOSING"
CONN_NONE = "NONE"

AF_LINK = socket.AF_PACKET


class NicDuplex(enum.IntEnum):
    """A NIC's duplex, as psutil's ``net_if_stats()`` gives it."""

    NIC_DUPLEX_FULL = 2
    NIC_DUPLEX_HALF = 1
    NIC_DUPLEX_UNKNOWN = 0


NIC_DUPLEX_FULL = NicDuplex.NIC_DUPLEX_FULL
NIC_DUPLEX_HALF = NicDuplex.NIC_DUPLEX_HALF
NIC_DUPLEX_UNKNOWN = NicDuplex.NIC_DUPLEX_UNKNOWN


class BatteryTime(enum.IntEnum):
    """``sensors_battery().secsleft``'s two special values."""

    POWER_TIME_UNKNOWN = -1
    POWER_TIME_UNLIMITED = -2


POWER_TIME_UNKNOWN = BatteryTime.POWER_TIME_UNKNOWN
POWER_TIME_UNLIMITED = BatteryTime.POWER_TIME_UNLIMITED


class IOPriority(enum.IntEnum):
    """A process's I/O scheduling class (``Process.ionice``)."""

    IOPRIO_CLASS_NONE = 0
    IOPRIO_CLASS_RT = 1
    IOPRIO_CLASS_BE = 2
    IOPRIO_CLASS_IDLE = 3


IOPRIO_CLASS_NONE = IOPriority.IOPRIO_CLASS_NONE
IOPRIO_CLASS_RT = IOPriority.IOPRIO_CLASS_RT
IOPRIO_CLASS_BE = IOPriority.IOPRIO_CLASS_BE
IOPRIO_CLASS_IDLE = IOPriority.IOPRIO_CLASS_IDLE

# --- named tuples (psutil's type names and fields, 7.2.2 order) ------------
_nt = collections.namedtuple
svmem = _nt("svmem", "total available percent used free active inactive buffers cached shared slab")
sswap = _nt("sswap", "total used free percent sin sout")
scputimes = _nt("scputimes", "user nice system idle iowait irq softirq steal guest guest_nice")
scpustats = _nt("scpustats", "ctx_switches interrupts soft_interrupts syscalls")
scpufreq = _nt("scpufreq", "current min max")
sdiskusage = _nt("sdiskusage", "total used free percent")
sdiskpart = _nt("sdiskpart", "device mountpoint fstype opts")
sdiskio = _nt(
    "sdiskio",
    "read_count write_count read_bytes write_bytes read_time write_time "
    "read_merged_count write_merged_count busy_time",
)
snetio = _nt("snetio", "bytes_sent bytes_recv packets_sent packets_recv errin errout dropin dropout")
suser = _nt("suser", "name terminal host started pid")
snicaddr = _nt("snicaddr", "family address netmask broadcast ptp")
snicstats = _nt("snicstats", "isup duplex speed mtu flags")
shwtemp = _nt("shwtemp", "label current high critical")
sbattery = _nt("sbattery", "percent secsleft power_plugged")
sfan = _nt("sfan", "label current")
del _nt


# --- exceptions -------------------------------------------------------------
def _details(pid=None, ppid=None, name=None):
    parts = []
    if pid is not None:
        parts.append("pid=%s" % pid)
    if ppid is not None:
        parts.append("ppid=%s" % ppid)
    if name:
        parts.append("name=%r" % name)
    return ", ".join(parts)


class Error(Exception):
    """Base of pskit's (psutil's) exceptions.

    A subclass names its constructor's arguments in ``_init_args`` (pickling
    rebuilds it from them) and its repr's fields in ``_repr_fields``; str() is
    the message followed by the pid, ppid and name it has.
    """

    msg = ""
    _init_args = ()
    _repr_fields = ("msg",)

    def __reduce__(self):
        if not self._init_args:
            return Exception.__reduce__(self)
        return (self.__class__, tuple(getattr(self, a) for a in self._init_args))

    def __str__(self):
        details = _details(
            getattr(self, "pid", None), getattr(self, "ppid", None), getattr(self, "name", None)
        )
        if self.msg and details:
            return "%s (%s)" % (self.msg, details)
        if details:
            return "(%s)" % details
        return self.msg or ""

    def __repr__(self):
        fields = ", ".join(
            "%s=%r" % (k, v)
            for k, v in ((k, getattr(self, k, None)) for k in self._repr_fields)
            if v not in (None, "")
        )
        return "psutil.%s(%s)" % (type(self).__name__, fields)


class NoSuchProcess(Error):
    """The process no longer exists (or never did)."""

    _init_args = ("pid", "name", "msg")
    _repr_fields = ("pid", "name", "msg")

    def __init__(self, pid, name=None, msg=None):
        Error.__init__(self)
        self.pid = pid
        self.name = name
        self.msg = msg or "process no longer exists"


class ZombieProcess(NoSuchProcess):
    """The process exists but is a zombie."""

    _init_args = ("pid", "name", "ppid", "msg")
    _repr_fields = ("pid", "ppid", "name", "msg")

    def __init__(self, pid, name=None, ppid=None, msg=None):
        NoSuchProcess.__init__(self, pid, name, msg or "PID still exists but it's a zombie")
        self.ppid = ppid


class AccessDenied(Error):
    """Permission denied."""

    _init_args = ("pid", "name", "msg")
    _repr_fields = ("pid", "name", "msg")

    def __init__(self, pid=None, name=None, msg=None):
        Error.__init__(self)
        self.pid = pid
        self.name = name
        self.msg = msg or ""


class TimeoutExpired(Error):
    """A wait timed out."""

    _init_args = ("seconds", "pid", "name")
    _repr_fields = ("pid", "name", "seconds", "msg")

    def __init__(self, seconds, pid=None, name=None):
        Error.__init__(self)
        self.seconds = seconds
        self.pid = pid
        self.name = name
        self.msg = "timeout after %s seconds" % seconds


def _native(fn, *args):
    """Calls a native function, raising psutil's exception for pskit's error."""
    try:
        return fn(*args)
    except _pskit.NativeError as e:
        kind, msg, pid, name, ppid, seconds = e.args
        if kind == "NoSuchProcess":
            raise NoSuchProcess(pid, name, msg or None) from None
        if kind == "ZombieProcess":
            raise ZombieProcess(pid, name, ppid, msg or None) from None
        if kind == "AccessDenied":
            raise AccessDenied(pid, name, msg or None) from None
        raise TimeoutExpired(seconds, pid, name) from None


# --- system functions -------------------------------------------------------
def pids():
    """The pids of the running processes, sorted."""
    return _native(_pskit.pids)


def pid_exists(pid):
    """Whether ``pid`` is in the process table (a thread id counts, as in psutil)."""
    if pid < 0:
        return False
    return _native(_pskit.pid_exists, pid)


_tuple_new = tuple.__new__  # a named tuple from a tuple, without its Python __new__


def virtual_memory():
    """System memory, as psutil's ``svmem``."""
    # No _native wrapper: it raises only OSError, which needs no translation.
    return _tuple_new(svmem, _pskit.virtual_memory())


def swap_memory():
    """Swap, as psutil's ``sswap``."""
    return sswap(*_native(_pskit.swap_memory))


def cpu_count(logical=True):
    """Logical CPUs, or physical cores with ``logical=False``; None if unknown."""
    return _pskit.cpu_count(bool(logical))


def cpu_times(percpu=False):
    """System CPU times in seconds, as ``scputimes`` (a list with ``percpu``)."""
    if percpu:
        return [scputimes(*t) for t in _native(_pskit.cpu_times, True)]
    return scputimes(*_native(_pskit.cpu_times, False))


def cpu_stats():
    """Context switches, interrupts, soft interrupts (syscalls is 0 on Linux)."""
    return scpustats(*_native(_pskit.cpu_stats))


def cpu_freq(percpu=False):
    """CPU frequency in MHz, as ``scpufreq`` (a list with ``percpu``)."""
    if percpu:
        return [scpufreq(*t) for t in _native(_pskit.cpu_freq, True)]
    t = _native(_pskit.cpu_freq, False)
    return None if t is None else scpufreq(*t)


def getloadavg():
    """The 1, 5 and 15 minute load averages.

    psutil's is ``os.getloadavg`` (getloadavg(3)); so is this, to give the same
    figures: glibc >= 2.35 computes them from sysinfo(2), finer than the two
    decimals of /proc/loadavg that ``pskit::getloadavg`` reads.
    """
    return os.getloadavg()


def boot_time():
    """The boot time, seconds since the epoch."""
    return _native(_pskit.boot_time)


def users():
    """The users logged in, from utmp."""
    return [suser(*t) for t in _native(_pskit.users)]


# cpu_percent and cpu_times_percent keep their last sample per calling thread,
# and sample at import for the importing thread (reference §1.5).
def _total(t):
    return sum(t) - t.guest - t.guest_nice


def _busy(t):
    return _total(t) - t.idle - t.iowait


def _delta(t1, t2):
    return scputimes(*[max(0.0, b - a) for a, b in zip(t1, t2)])


def _busy_percent(t1, t2):
    d = _delta(t1, t2)
    total = _total(d)
    if total == 0:
        return 0.0
    return round(_busy(d) / total * 100, 1)


def _times_percent(t1, t2):
    d = _delta(t1, t2)
    total = max(1, _total(d))
    return scputimes(*[min(100.0, max(0.0, round(x * 100 / total, 1))) for x in d])


_last_cpu = {}
_last_cpu_percpu = {}
_last_times = {}
_last_times_percpu = {}


def _sampled(interval, percpu, store, store_percpu, compute):
    if interval is not None and interval < 0:
        raise ValueError("interval is not positive (got %r)" % interval)
    tid = threading.get_ident()
    blocking = interval is not None and interval > 0.0
    if percpu:
        if blocking:
            t1 = cpu_times(percpu=True)
            time.sleep(interval)
        else:
            t1 = store_percpu.get(tid) or cpu_times(percpu=True)
        t2 = cpu_times(percpu=True)
        store_percpu[tid] = t2
        return [compute(a, b) for a, b in zip(t1, t2)]
    if blocking:
        t1 = cpu_times()
        time.sleep(interval)
    else:
        t1 = store.get(tid) or cpu_times()
    t2 = cpu_times()
    store[tid] = t2
    return compute(t1, t2)


def cpu_percent(interval=None, percpu=False):
    """System CPU use in percent since the last call (or over ``interval`` seconds)."""
    return _sampled(interval, percpu, _last_cpu, _last_cpu_percpu, _busy_percent)


def cpu_times_percent(interval=None, percpu=False):
    """Each CPU time field in percent, sampled as ``cpu_percent``."""
    return _sampled(interval, percpu, _last_times, _last_times_percpu, _times_percent)


def disk_partitions(all=False):
    """Mounted partitions (with ``all``, pseudo file systems too)."""
    return [sdiskpart(*t) for t in _native(_pskit.disk_partitions, bool(all))]


def disk_usage(path):
    """Total, used and free bytes and percent used of the file system at ``path``."""
    return sdiskusage(*_native(_pskit.disk_usage, os.fsdecode(path)))


def _counters(r, cls):
    """A dict of tuples (per disk or NIC) as ``cls`` by name; else one ``cls``, or None."""
    if isinstance(r, dict):
        return {k: cls(*v) for k, v in r.items()}
    return None if r is None else cls(*r)


def disk_io_counters(perdisk=False, nowrap=True):
    """Disk I/O counters: one ``sdiskio``, or a dict by disk with ``perdisk``."""
    return _counters(_native(_pskit.disk_io_counters, bool(perdisk), bool(nowrap)), sdiskio)


disk_io_counters.cache_clear = _pskit.disk_io_counters_cache_clear


def net_io_counters(pernic=False, nowrap=True):
    """Network I/O counters: one ``snetio``, or a dict by NIC with ``pernic``."""
    return _counters(_native(_pskit.net_io_counters, bool(pernic), bool(nowrap)), snetio)


net_io_counters.cache_clear = _pskit.net_io_counters_cache_clear


def _family(f):
    try:
        return socket.AddressFamily(f)
    except ValueError:
        return f


def net_if_addrs():
    """Each NIC's addresses, as lists of ``snicaddr``."""
    out = {}
    for nic, addrs in _native(_pskit.net_if_addrs).items():
        out[nic] = [snicaddr(_family(a[0]), *a[1:]) for a in addrs]
    return out


def net_if_stats():
    """Each NIC's state, duplex, speed, MTU and flags, as ``snicstats``."""
    out = {}
    for nic, (isup, duplex, speed, mtu, flags) in _native(_pskit.net_if_stats).items():
        out[nic] = snicstats(isup, _duplex(duplex), speed, mtu, flags)
    return out


def _duplex(d):
    if isinstance(d, str):
        return {"full": NIC_DUPLEX_FULL, "half": NIC_DUPLEX_HALF}.get(d.lower(), NIC_DUPLEX_UNKNOWN)
    return NicDuplex(d)


def sensors_temperatures(fahrenheit=False):
    """Temperatures by chip, as lists of ``shwtemp``."""
    r = _native(_pskit.sensors_temperatures, bool(fahrenheit))
    return {k: [shwtemp(*t) for t in v] for k, v in r.items()}


def sensors_fans():
    """Fan speeds (RPM) by chip, as lists of ``sfan``."""
    return {k: [sfan(*t) for t in v] for k, v in _native(_pskit.sensors_fans).items()}


def sensors_battery():
    """The battery, as ``sbattery``, or None without one."""
    t = _native(_pskit.sensors_battery)
    if t is None:
        return None
    percent, secsleft, plugged = t
    if secsleft == -1:
        secsleft = POWER_TIME_UNKNOWN
    elif secsleft == -2:
        secsleft = POWER_TIME_UNLIMITED
    return sbattery(percent, secsleft, plugged)


# --- beyond psutil: containers and pressure -----------------------------------
scpulimit = collections.namedtuple("scpulimit", "cpus quota affinity cgroup_version cgroup")
scpulimit.__doc__ = """CPUs usable (cgroup quota bounded by affinity), the quota in CPUs (None:
unlimited), CPUs in the affinity mask, cgroup version and path."""
smemlimit = collections.namedtuple(
    "smemlimit", "limit usage peak swap_limit cgroup_version cgroup"
)
smemlimit.__doc__ = """The cgroup's memory limit, usage, peak and swap limit in bytes (None:
unlimited or not shown), cgroup version and path."""
spressure = collections.namedtuple("spressure", "cpu memory io irq")
spressure.__doc__ = """Pressure stall information per resource (None where the kernel has none)."""
spressureres = collections.namedtuple("spressureres", "some full")
spressureres.__doc__ = """A resource's pressure: some task stalled, all tasks stalled (or None)."""
spressureline = collections.namedtuple("spressureline", "avg10 avg60 avg300 total")
spressureline.__doc__ = """Stall percentages over 10, 60 and 300 s, and total stall µs since boot."""


def cpu_limit():
    """Beyond psutil: the CPU limit this process runs under (container-aware:
    the cgroup CPU quota, bounded by the affinity mask), as ``scpulimit``."""
    return scpulimit(**_native(_pskit.cpu_limit))


def memory_limit():
    """Beyond psutil: this process's cgroup memory limit and usage, as
    ``smemlimit``."""
    return smemlimit(**_native(_pskit.memory_limit))


def _line(d):
    return None if d is None else spressureline(**d)


def _res(d):
    return None if d is None else spressureres(_line(d.get("some")), _line(d.get("full")))


def pressure():
    """Beyond psutil: pressure stall information (/proc/pressure/{cpu,memory,io,irq}),
    as ``spressure``; a resource the kernel does not report is None."""
    d = _native(_pskit.pressure)
    return spressure(_res(d.get("cpu")), _res(d.get("memory")), _res(d.get("io")), _res(d.get("irq")))


__all__ += ["cpu_limit", "memory_limit", "pressure"]


# Sample now, so that the importing thread's first non-blocking call measures
# "since import", as psutil does.
try:
    cpu_percent()
    cpu_times_percent()
except Exception:  # a missing /proc/stat surfaces at the caller's first call
    pass


# --- processes --------------------------------------------------------------
import contextlib as _contextlib
import pwd  # psutil's module attribute too (its tests patch psutil.pwd)
import signal as _signal
import subprocess as _subprocess

__all__ += ["Process", "Popen", "process_iter", "wait_procs", "Negsignal"]

_nt = collections.namedtuple
pcputimes = _nt("pcputimes", "user system children_user children_system iowait")
pmem = _nt("pmem", "rss vms shared text lib data dirty")
pfullmem = _nt("pfullmem", "rss vms shared text lib data dirty uss pss swap")
pmmap_grouped = _nt(
    "pmmap_grouped",
    "path rss size pss shared_clean shared_dirty private_clean private_dirty referenced anonymous swap",
)
pmmap_ext = _nt(
    "pmmap_ext",
    "addr perms path rss size pss shared_clean shared_dirty private_clean private_dirty "
    "referenced anonymous swap",
)
popenfile = _nt("popenfile", "path fd position mode flags")
pthread = _nt("pthread", "id user_time system_time")
puids = _nt("puids", "real effective saved")
pgids = _nt("pgids", "real effective saved")
pionice = _nt("pionice", "ioclass value")
pio = _nt("pio", "read_count write_count read_bytes write_bytes read_chars write_chars")
pctxsw = _nt("pctxsw", "voluntary involuntary")
pconn = _nt("pconn", "fd family type laddr raddr status")
sconn = _nt("sconn", "fd family type laddr raddr status pid")
addr = _nt("addr", "ip port")
del _nt

Negsignal = enum.IntEnum("Negsignal", {s.name: -s.value for s in _signal.Signals})

# The names as_dict() knows (psutil 7.2.2 on Linux, reference §3.6).
_as_dict_attrnames = frozenset(
    "cmdline cpu_affinity cpu_num cpu_percent cpu_times create_time cwd environ exe gids "
    "io_counters ionice memory_full_info memory_info memory_maps memory_percent name "
    "net_connections nice num_ctx_switches num_fds num_threads open_files pid ppid status "
    "terminal threads uids username".split()
)


def _enum_or_value(value, enum_type):
    try:
        return enum_type(value)
    except ValueError:
        return value


def _addr(a):
    if a is None:
        return ()
    if isinstance(a, dict):
        return addr(a["ip"], a["port"])
    if isinstance(a, list):
        return addr(*a) if a else ()
    return a


def _conn(t, cls):
    fields = list(t)
    fields[1] = _enum_or_value(fields[1], socket.AddressFamily)
    fields[2] = _enum_or_value(fields[2], socket.SocketKind)
    fields[3] = _addr(fields[3])
    fields[4] = _addr(fields[4])
    return cls(*fields)


def _ionice_of(ioclass, value):
    return pionice(_enum_or_value(ioclass, IOPriority), value)


def _pconn_of(*fields):
    return _conn(fields, pconn)


# The named tuple (or the function building it) of each attribute whose value
# is a record: the native as_dict and process_iter build p.info with them.
_CONV = {
    "cpu_times": pcputimes,
    "memory_info": pmem,
    "memory_full_info": pfullmem,
    "memory_maps": pmmap_grouped,
    "open_files": popenfile,
    "threads": pthread,
    "uids": puids,
    "gids": pgids,
    "ionice": _ionice_of,
    "io_counters": pio,
    "num_ctx_switches": pctxsw,
    "net_connections": _pconn_of,
}


def _check_attrs(attrs):
    """psutil's validation of as_dict/process_iter ``attrs``: the set asked for."""
    if not isinstance(attrs, (list, tuple, set, frozenset)):
        raise TypeError("invalid attrs type %s" % type(attrs))
    attrs = set(attrs)
    invalid = attrs - _as_dict_attrnames
    if invalid:
        raise ValueError(
            "invalid attr name%s %s"
            % ("s" if len(invalid) > 1 else "", ", ".join(map(repr, sorted(invalid))))
        )
    return attrs


class Process:
    """A process, by pid (the current one without), as psutil's ``Process``.

    Signals and setters go through the pidfd the native handle opened, so they
    reach this process and never one that reused its pid.
    """

    def __init__(self, pid=None):
        self._init(pid)

    def _init(self, pid, _ignore_nsp=False, _handle=None, _create_time=None):
        # _ignore_nsp: psutil's tests re-init a live object to drop its cache;
        # the handle (and its pidfd) stays that of the same process.
        if _handle is None and _ignore_nsp and getattr(self, "_h", None) is not None:
            _handle = self._h
            _handle.clear_cache()
        if _handle is None:
            if pid is None:
                _handle = _native(_pskit.Handle.current)
            else:
                if not isinstance(pid, int) or isinstance(pid, bool):
                    raise TypeError("pid must be an integer (got %r)" % (pid,))
                if pid < 0:
                    raise ValueError("pid must be a positive integer (got %s)" % pid)
                try:
                    _handle = _native(_pskit.Handle, pid)
                except OverflowError:
                    raise NoSuchProcess(pid, msg="process PID not found") from None
        self._h = _handle
        self._pid = _handle.pid()
        self._name = None
        self._ppid = None
        self._exitcode = None
        self.info = {}
        # As psutil's: create_time() when asked (a scan passes the one it read).
        self._create_time = _create_time
        if _create_time is not None:
            self._ident = (self._pid, _handle.create_time_monotonic())
            return
        try:
            self._ident = self._get_ident()
        except (AccessDenied, ZombieProcess):
            self._ident = (self._pid, None)

    def _get_ident(self):
        # psutil's identity: the pid and the start time after boot, which clock
        # changes do not move. The native handle read it when it was made.
        return (self._pid, self._h.create_time_monotonic())

    # -- identity
    @property
    def pid(self):
        """The process id."""
        return self._pid

    def __eq__(self, other):
        if not isinstance(other, Process):
            return NotImplemented
        return self._ident == other._ident

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._ident)

    def __str__(self):
        info = collections.OrderedDict()
        info["pid"] = self.pid
        if self._name:
            info["name"] = self._name
        try:
            info["name"] = self._name = self.name()
            if self._ident[1] is not None and not self.is_running():
                raise NoSuchProcess(self.pid)
            info["status"] = self.status()
        except ZombieProcess:
            info["status"] = "zombie"
        except NoSuchProcess:
            info["status"] = "terminated"
        except AccessDenied:
            pass
        if self._exitcode is not None:
            info["exitcode"] = self._exitcode
        return "psutil.Process(%s)" % ", ".join("%s=%r" % (k, v) for k, v in info.items())

    __repr__ = __str__

    @_contextlib.contextmanager
    def oneshot(self):
        """A block of reads of this process, as psutil's: inside it stat, status,
        statm, smaps and the fd directory are read once each however many methods
        use them (the cache belongs to this Process object, and is dropped at the
        end)."""
        self._h.oneshot_enter()
        try:
            yield
        finally:
            self._h.oneshot_exit()

    def as_dict(self, attrs=None, ad_value=None):
        """The attributes named (all when None), AccessDenied/Zombie as ``ad_value``."""
        if attrs is not None:
            attrs = _check_attrs(attrs)
        ls = attrs or _as_dict_attrnames
        if _unpatched(self, ls):
            # One native call reads them all in one oneshot scope.
            d = _native(self._h.as_dict, list(attrs or ()), ad_value, _CONV)
            if d.get("name") is not None and d["name"] is not ad_value:
                self._name = d["name"]
            return d
        retdict = {}
        with self.oneshot():
            for name in ls:
                try:
                    if name == "pid":
                        ret = self.pid
                    else:
                        ret = getattr(self, name)()
                except (AccessDenied, ZombieProcess):
                    ret = ad_value
                except NotImplementedError:
                    if attrs:
                        raise
                    continue
                retdict[name] = ret
        return retdict

    # -- tree
    def ppid(self):
        """The parent's pid."""
        self._ppid = _native(self._h.ppid)
        return self._ppid

    def parent(self):
        """The parent as a Process, or None (gone, or younger than this one)."""
        h = _native(self._h.parent)
        return None if h is None else _from_handle(h)

    def parents(self):
        """The ancestors, nearest first."""
        return [_from_handle(h) for h in _native(self._h.parents)]

    def children(self, recursive=False):
        """The children (all descendants with ``recursive``)."""
        return [_from_handle(h) for h in _native(self._h.children, bool(recursive))]

    def is_running(self):
        """Whether this very process (not a reuser of its pid) still runs."""
        return self._h.is_running()

    # -- simple getters
    def name(self):
        """The process name."""
        self._name = _native(self._h.name)
        return self._name

    def exe(self):
        """The executable's absolute path ('' when unknown)."""
        return _native(self._h.exe)

    def cmdline(self):
        """The command line, as a list."""
        return _native(self._h.cmdline)

    def cwd(self):
        """The working directory."""
        return _native(self._h.cwd)

    def environ(self):
        """The environment, as a dict."""
        return dict(_native(self._h.environ))

    def status(self):
        """One of the STATUS_* strings."""
        return _native(self._h.status)

    def create_time(self):
        """The start time, seconds since the epoch."""
        if self._create_time is None:
            self._create_time = _native(self._h.create_time)
        return self._create_time

    def username(self):
        """The real user's name (its uid as a string when it has none).

        As psutil: the real uid through ``pwd.getpwuid``, so NSS (LDAP, …)
        names resolve too.
        """
        real_uid = self.uids().real
        try:
            return pwd.getpwuid(real_uid).pw_name
        except KeyError:
            return str(real_uid)

    # -- beyond psutil
    def cgroup(self):
        """Beyond psutil: the cgroup path (the v2 path of /proc/PID/cgroup, else
        the first hierarchy's), or None."""
        return _native(self._h.cgroup)

    def cpu_limit(self):
        """Beyond psutil: this process's cgroup CPU limit, as ``scpulimit``."""
        return scpulimit(**_native(self._h.cpu_limit))

    def memory_limit(self):
        """Beyond psutil: this process's cgroup memory limit and usage, as
        ``smemlimit``."""
        return smemlimit(**_native(self._h.memory_limit))

    def terminal(self):
        """The controlling terminal's path, or None."""
        return _native(self._h.terminal)

    def uids(self):
        """Real, effective and saved uids."""
        return puids(*_native(self._h.uids))

    def gids(self):
        """Real, effective and saved gids."""
        return pgids(*_native(self._h.gids))

    def nice(self, value=None):
        """The niceness; with ``value``, sets it."""
        if value is None:
            return _native(self._h.nice)
        if not isinstance(value, int):
            raise TypeError("value must be an integer (got %r)" % (value,))
        _native(self._h.set_nice, value)
        return None

    def ionice(self, ioclass=None, value=None):
        """The I/O class and value; with ``ioclass``, sets them."""
        if ioclass is None:
            if value is not None:
                raise ValueError("'ioclass' argument must be specified")
            c, v = _native(self._h.ionice)
            return pionice(_enum_or_value(c, IOPriority), v)
        _native(self._h.set_ionice, int(ioclass), value)
        return None

    def rlimit(self, resource, limits=None):
        """(soft, hard) for ``resource``; with ``limits``, sets them."""
        if limits is None:
            return _native(self._h.rlimit, resource)
        try:
            soft, hard = limits
        except (TypeError, ValueError):
            raise ValueError("second argument must be a (soft, hard) tuple, got %r" % (limits,)) from None
        _native(self._h.set_rlimit, resource, soft, hard)
        return None

    def cpu_affinity(self, cpus=None):
        """The CPUs this process may run on; with ``cpus``, sets them ([] = all)."""
        if cpus is None:
            return sorted(set(_native(self._h.cpu_affinity)))
        allcpus = range(len(cpu_times(percpu=True)))
        cpus = list(set(cpus or allcpus))
        for cpu in cpus:
            if not isinstance(cpu, int):
                raise TypeError("invalid CPU %r; an integer is required" % cpu)
            if cpu not in allcpus:
                raise ValueError("invalid CPU %r; choose between %r" % (cpu, tuple(allcpus)))
        _native(self._h.set_cpu_affinity, cpus)
        return None

    def cpu_num(self):
        """The CPU it last ran on."""
        return _native(self._h.cpu_num)

    def cpu_times(self):
        """User, system, children's and iowait times, seconds."""
        return pcputimes(*_native(self._h.cpu_times))

    def cpu_percent(self, interval=None):
        """CPU use in percent since the last call (or over ``interval`` s)."""
        if interval is not None and interval < 0:
            raise ValueError("interval is not positive (got %r)" % interval)
        return _native(self._h.cpu_percent, interval)

    def memory_info(self):
        """rss, vms, shared, text, lib, data, dirty in bytes."""
        return pmem(*_native(self._h.memory_info))

    def memory_full_info(self):
        """memory_info plus uss, pss and swap (reads smaps)."""
        return pfullmem(*_native(self._h.memory_full_info))

    def memory_percent(self, memtype="rss"):
        """``memtype`` of memory_full_info as a percent of physical memory."""
        valid = pfullmem._fields
        if memtype not in valid:
            raise ValueError("invalid memtype %r; valid types are %r" % (memtype, tuple(valid)))
        return _native(self._h.memory_percent, memtype)

    def memory_maps(self, grouped=True):
        """Mapped regions (grouped by path by default)."""
        rows = _native(self._h.memory_maps, bool(grouped))
        cls = pmmap_grouped if grouped else pmmap_ext
        return [cls(*r) for r in rows]

    def io_counters(self):
        """I/O counts and bytes."""
        return pio(*_native(self._h.io_counters))

    def num_ctx_switches(self):
        """Voluntary and involuntary context switches."""
        return pctxsw(*_native(self._h.num_ctx_switches))

    def num_fds(self):
        """Open file descriptors."""
        return _native(self._h.num_fds)

    def num_threads(self):
        """Threads."""
        return _native(self._h.num_threads)

    def threads(self):
        """Each thread's id and times."""
        return [pthread(*t) for t in _native(self._h.threads)]

    def open_files(self):
        """Regular files open."""
        return [popenfile(*t) for t in _native(self._h.open_files)]

    def net_connections(self, kind="inet"):
        """Sockets of ``kind``."""
        return [_conn(t, pconn) for t in _native(self._h.net_connections, kind)]

    def connections(self, kind="inet"):
        """Deprecated alias of net_connections."""
        import warnings

        warnings.warn(
            "connections() is deprecated and will be removed; use net_connections() instead",
            category=DeprecationWarning,
            stacklevel=2,
        )
        return self.net_connections(kind)

    # -- signals
    def send_signal(self, sig):
        """Sends ``sig`` through the pidfd."""
        _native(self._h.send_signal, int(sig))

    def suspend(self):
        """SIGSTOP."""
        self.send_signal(_signal.SIGSTOP)

    def resume(self):
        """SIGCONT."""
        self.send_signal(_signal.SIGCONT)

    def terminate(self):
        """SIGTERM."""
        self.send_signal(_signal.SIGTERM)

    def kill(self):
        """SIGKILL."""
        self.send_signal(_signal.SIGKILL)

    def wait(self, timeout=None):
        """Waits for the end; the exit code for a child (a Negsignal when killed)."""
        if timeout is not None:
            if not isinstance(timeout, (int, float)):
                raise TypeError("timeout must be an int or float (got %s)" % type(timeout).__name__)
            if timeout < 0:
                raise ValueError("timeout must be positive or zero (got %s)" % timeout)
        if self.pid == 0:
            raise ValueError("can't wait for PID 0")
        if self._exitcode is not None:
            return self._exitcode
        code = _native(self._h.wait, timeout)
        if code is not None and code < 0:
            try:
                code = Negsignal(code)
            except ValueError:
                pass
        self._exitcode = code
        return code


def _from_handle(h, create_time=None):
    """A Process over a native handle (create_time: when a scan read it)."""
    p = Process.__new__(Process)
    p._init(None, _handle=h, _create_time=create_time)
    return p


class Popen(Process):
    """subprocess.Popen and Process in one object, as psutil's ``Popen``."""

    def __init__(self, *args, **kwargs):
        self.__subproc = _subprocess.Popen(*args, **kwargs)
        self._init(self.__subproc.pid)

    def __dir__(self):
        return sorted(set(dir(Popen) + dir(_subprocess.Popen)))

    def __enter__(self):
        if hasattr(self.__subproc, "__enter__"):
            self.__subproc.__enter__()
        return self

    def __exit__(self, *args, **kwargs):
        if hasattr(self.__subproc, "__exit__"):
            return self.__subproc.__exit__(*args, **kwargs)
        return None

    def __getattribute__(self, name):
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            try:
                return object.__getattribute__(self.__subproc, name)
            except AttributeError:
                raise AttributeError(
                    "%s instance has no attribute '%s'" % (self.__class__.__name__, name)
                ) from None

    def wait(self, timeout=None):
        if self.__subproc.returncode is not None:
            return self.__subproc.returncode
        ret = super().wait(timeout)
        self.__subproc.returncode = ret
        return ret


# Process's own getters, as defined: as_dict and process_iter read natively only
# while none of the requested ones is patched or overridden (psutil's tests
# mock them; a subclass may override them), else they call the methods.
_PROCESS = Process
_ORIG = {n: getattr(Process, n) for n in _as_dict_attrnames | {"as_dict"} if n != "pid"}


def _unpatched(proc_or_cls, names):
    cls = proc_or_cls if isinstance(proc_or_cls, type) else type(proc_or_cls)
    inst = {} if isinstance(proc_or_cls, type) else proc_or_cls.__dict__
    for n in names:
        if n != "pid" and (getattr(cls, n, None) is not _ORIG[n] or n in inst):
            return False
    return True


_pmap = {}


def process_iter(attrs=None, ad_value=None):
    """Every running process, reusing the Process objects of earlier calls.

    With ``attrs``, one native scan reads them for every process (each /proc
    file once per process) and fills ``p.info``.
    """
    if attrs is not None:
        wanted = _check_attrs(attrs)
        names = (wanted or _as_dict_attrnames) | {"as_dict"}
        if Process is _PROCESS and _unpatched(Process, names):
            yield from _scan(wanted, ad_value)
            return
    new_pids = set(pids())
    old_pids = set(_pmap)
    for pid in old_pids - new_pids:
        _pmap.pop(pid, None)
    pmap = _pmap
    for pid in sorted(new_pids):
        proc = pmap.get(pid)
        try:
            if proc is None or not proc.is_running():
                proc = Process(pid)
                pmap[pid] = proc
            if attrs is not None:
                proc.info = proc.as_dict(attrs=attrs, ad_value=ad_value)
            yield proc
        except NoSuchProcess:
            pmap.pop(pid, None)


def _scan(wanted, ad_value):
    # One native call: the scan, p.info for each process, and _pmap's update
    # (a Process is kept while its (pid, create_time) identity holds).
    names = sorted(wanted or _as_dict_attrnames)
    return _native(_pskit.scan, names, ad_value, _CONV, _pmap, _from_handle)


def net_connections(kind="inet"):
    """System-wide sockets of ``kind``, as ``sconn`` (with the owning pid)."""
    return [_conn(t, sconn) for t in _native(_pskit.net_connections, kind)]


__all__.append("net_connections")


def _pmap_clear():
    _pmap.clear()


process_iter.cache_clear = _pmap_clear


def wait_procs(procs, timeout=None, callback=None):
    """Waits for ``procs`` to end; (gone, alive). Each gone one gets ``returncode``."""
    if timeout is not None and not timeout >= 0:
        raise ValueError("timeout must be a positive integer, got %s" % timeout)
    if callback is not None and not callable(callback):
        raise TypeError("callback %r is not a callable" % callback)
    gone = set()
    alive = set(procs)
    deadline = None if timeout is None else time.monotonic() + timeout

    def check(proc, t):
        try:
            code = proc.wait(t)
        except TimeoutExpired:
            return
        except NoSuchProcess:
            code = None
        proc.returncode = code
        gone.add(proc)
        if callback is not None:
            callback(proc)

    while alive:
        if deadline is not None and time.monotonic() >= deadline:
            break
        for proc in list(alive):
            slot = 0.05 / max(1, len(alive))
            if deadline is not None:
                slot = max(0, min(slot, deadline - time.monotonic()))
            check(proc, slot)
        alive -= gone
    if alive:
        for proc in list(alive):
            check(proc, 0)
        alive -= gone
    return (list(gone), list(alive))


# --- resource limits (names and values from Python's resource module) ----
import resource as _resource

# Linux's numbers for the limits Python's resource module may not name.
_RLIMIT_LINUX = {"LOCKS": 10, "SIGPENDING": 11, "MSGQUEUE": 12, "NICE": 13, "RTPRIO": 14, "RTTIME": 15}

RLIM_INFINITY = _resource.RLIM_INFINITY
for _n in (
    "AS CORE CPU DATA FSIZE LOCKS MEMLOCK MSGQUEUE NICE NOFILE NPROC RSS RTPRIO RTTIME "
    "SIGPENDING STACK"
).split():
    globals()["RLIMIT_" + _n] = getattr(_resource, "RLIMIT_" + _n, _RLIMIT_LINUX.get(_n))
    __all__.append("RLIMIT_" + _n)
__all__.append("RLIM_INFINITY")
del _n


def _set_debug(value):
    """psutil's debug switch (pskit prints no debug lines; kept for its tests' setUp)."""
    return None


def _cpu_busy_time(times):
    """Busy CPU seconds of a ``scputimes`` (total minus idle and iowait)."""
    return _busy(times)


# --- the C heap (glibc only, as psutil: mallinfo2 and malloc_trim) ---------
pheap = collections.namedtuple("pheap", "heap_used mmap_used")

try:
    _GLIBC = bool(os.confstr("CS_GNU_LIBC_VERSION"))
except (ValueError, OSError):
    _GLIBC = False

if _GLIBC:

    _HEAP = []

    def _heap_fns():
        """(mallinfo2, malloc_trim), bound once (a ctypes type and prototype made
        per call would pile up in ctypes' caches)."""
        if not _HEAP:
            import ctypes

            class _Mallinfo2(ctypes.Structure):
                _fields_ = [
                    (n, ctypes.c_size_t)
                    for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
                ]

            libc = ctypes.CDLL(None)
            info = libc.mallinfo2
            info.restype = _Mallinfo2
            info.argtypes = []
            trim = libc.malloc_trim
            trim.argtypes = [ctypes.c_size_t]
            _HEAP[:] = [info, trim]
        return _HEAP

    def heap_info():
        """Bytes in use on the C heap (brk) and in mmap'd chunks, as ``pheap``."""
        mi = _heap_fns()[0]()
        return pheap(mi.uordblks, mi.hblkhd)

    def heap_trim():
        """Gives the C heap's free memory back to the system (malloc_trim(0))."""
        _heap_fns()[1](0)

    __all__ += ["heap_info", "heap_trim"]

# Everything public is exported (the enums and named tuple types too).
__all__ += [
    _name
    for _name, _obj in list(globals().items())
    if not _name.startswith("_") and _name not in __all__ and not isinstance(_obj, type(os))
]


class _Module(type(os)):
    """pskit's module type: assigning ``PROCFS_PATH`` (as psutil users and
    psutil's tests do) moves every later read to that procfs directory."""

    def __setattr__(self, name, value):
        if name == "PROCFS_PATH":
            path = os.fspath(value)
            _pskit.set_procfs_path(None if path == "/proc" else path)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Module
