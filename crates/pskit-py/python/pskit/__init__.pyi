"""Type stubs for pskit, psutil 7.2.2's API (Linux) on a Rust core.

The types are psutil's documented ones, as this package's runtime gives them
on Linux: the named tuples have the runtime's field names and order.
"""

import enum
import socket
import sys
from _typeshed import StrOrBytesPath
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import IO, Any, Final, Literal, NamedTuple, Protocol, TypeVar, overload, type_check_only

from typing_extensions import Self, TypeAlias, deprecated

__all__ = [
    # exceptions
    "Error",
    "NoSuchProcess",
    "ZombieProcess",
    "AccessDenied",
    "TimeoutExpired",
    # constants
    "version_info",
    "__version__",
    "PROCFS_PATH",
    "STATUS_RUNNING",
    "STATUS_IDLE",
    "STATUS_SLEEPING",
    "STATUS_DISK_SLEEP",
    "STATUS_STOPPED",
    "STATUS_TRACING_STOP",
    "STATUS_ZOMBIE",
    "STATUS_DEAD",
    "STATUS_WAKING",
    "STATUS_LOCKED",
    "STATUS_WAITING",
    "STATUS_PARKED",
    "CONN_ESTABLISHED",
    "CONN_SYN_SENT",
    "CONN_SYN_RECV",
    "CONN_FIN_WAIT1",
    "CONN_FIN_WAIT2",
    "CONN_TIME_WAIT",
    "CONN_CLOSE",
    "CONN_CLOSE_WAIT",
    "CONN_LAST_ACK",
    "CONN_LISTEN",
    "CONN_CLOSING",
    "CONN_NONE",
    "AF_LINK",
    "NIC_DUPLEX_FULL",
    "NIC_DUPLEX_HALF",
    "NIC_DUPLEX_UNKNOWN",
    "POWER_TIME_UNKNOWN",
    "POWER_TIME_UNLIMITED",
    "BSD",
    "FREEBSD",
    "LINUX",
    "NETBSD",
    "OPENBSD",
    "MACOS",
    "OSX",
    "POSIX",
    "SUNOS",
    "WINDOWS",
    "AIX",
    "IOPRIO_CLASS_NONE",
    "IOPRIO_CLASS_RT",
    "IOPRIO_CLASS_BE",
    "IOPRIO_CLASS_IDLE",
    # functions
    "pids",
    "pid_exists",
    "cpu_count",
    "cpu_times",
    "cpu_percent",
    "cpu_times_percent",
    "cpu_stats",
    "cpu_freq",
    "getloadavg",
    "virtual_memory",
    "swap_memory",
    "disk_partitions",
    "disk_usage",
    "disk_io_counters",
    "net_io_counters",
    "net_if_addrs",
    "net_if_stats",
    "sensors_temperatures",
    "sensors_fans",
    "sensors_battery",
    "users",
    "boot_time",
    # processes
    "Process",
    "Popen",
    "process_iter",
    "wait_procs",
    "Negsignal",
    "net_connections",
    # resource limits
    "RLIMIT_AS",
    "RLIMIT_CORE",
    "RLIMIT_CPU",
    "RLIMIT_DATA",
    "RLIMIT_FSIZE",
    "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_NOFILE",
    "RLIMIT_NPROC",
    "RLIMIT_RSS",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
    "RLIMIT_SIGPENDING",
    "RLIMIT_STACK",
    "RLIM_INFINITY",
    # the C heap (glibc)
    "heap_info",
    "heap_trim",
    # every other public name: enums, named tuple types, pskit's version
    "pskit_version",
    "STATUS_WAKE_KILL",
    "STATUS_SUSPENDED",
    "NicDuplex",
    "BatteryTime",
    "IOPriority",
    "svmem",
    "sswap",
    "scputimes",
    "scpustats",
    "scpufreq",
    "sdiskusage",
    "sdiskpart",
    "sdiskio",
    "snetio",
    "suser",
    "snicaddr",
    "snicstats",
    "shwtemp",
    "sbattery",
    "sfan",
    "pcputimes",
    "pmem",
    "pfullmem",
    "pmmap_grouped",
    "pmmap_ext",
    "popenfile",
    "pthread",
    "puids",
    "pgids",
    "pionice",
    "pio",
    "pctxsw",
    "pconn",
    "sconn",
    "addr",
    "pheap",
    # beyond psutil
    "cpu_limit",
    "memory_limit",
    "pressure",
    "scpulimit",
    "smemlimit",
    "spressure",
    "spressureres",
    "spressureline",
]

# --- versions ---------------------------------------------------------------
version_info: tuple[int, int, int]
__version__: str
pskit_version: str

# Assigning it (``pskit.PROCFS_PATH = "/host/proc"``) moves later reads there.
PROCFS_PATH: str

# --- platform flags ---------------------------------------------------------
LINUX: Final[bool]
POSIX: Final[bool]
WINDOWS: Final[bool]
MACOS: Final[bool]
OSX: Final[bool]
FREEBSD: Final[bool]
OPENBSD: Final[bool]
NETBSD: Final[bool]
BSD: Final[bool]
SUNOS: Final[bool]
AIX: Final[bool]

# --- constants --------------------------------------------------------------
STATUS_RUNNING: Final = "running"
STATUS_SLEEPING: Final = "sleeping"
STATUS_DISK_SLEEP: Final = "disk-sleep"
STATUS_STOPPED: Final = "stopped"
STATUS_TRACING_STOP: Final = "tracing-stop"
STATUS_ZOMBIE: Final = "zombie"
STATUS_DEAD: Final = "dead"
STATUS_WAKE_KILL: Final = "wake-kill"
STATUS_WAKING: Final = "waking"
STATUS_IDLE: Final = "idle"
STATUS_LOCKED: Final = "locked"
STATUS_WAITING: Final = "waiting"
STATUS_SUSPENDED: Final = "suspended"
STATUS_PARKED: Final = "parked"

_Status: TypeAlias = Literal[
    "running",
    "sleeping",
    "disk-sleep",
    "stopped",
    "tracing-stop",
    "zombie",
    "dead",
    "wake-kill",
    "waking",
    "idle",
    "locked",
    "waiting",
    "suspended",
    "parked",
]

CONN_ESTABLISHED: Final = "ESTABLISHED"
CONN_SYN_SENT: Final = "SYN_SENT"
CONN_SYN_RECV: Final = "SYN_RECV"
CONN_FIN_WAIT1: Final = "FIN_WAIT1"
CONN_FIN_WAIT2: Final = "FIN_WAIT2"
CONN_TIME_WAIT: Final = "TIME_WAIT"
CONN_CLOSE: Final = "CLOSE"
CONN_CLOSE_WAIT: Final = "CLOSE_WAIT"
CONN_LAST_ACK: Final = "LAST_ACK"
CONN_LISTEN: Final = "LISTEN"
CONN_CLOSING: Final = "CLOSING"
CONN_NONE: Final = "NONE"

# socket.AF_PACKET on Linux.
AF_LINK: socket.AddressFamily

class NicDuplex(enum.IntEnum):
    NIC_DUPLEX_FULL = 2
    NIC_DUPLEX_HALF = 1
    NIC_DUPLEX_UNKNOWN = 0

NIC_DUPLEX_FULL: Final = NicDuplex.NIC_DUPLEX_FULL
NIC_DUPLEX_HALF: Final = NicDuplex.NIC_DUPLEX_HALF
NIC_DUPLEX_UNKNOWN: Final = NicDuplex.NIC_DUPLEX_UNKNOWN

class BatteryTime(enum.IntEnum):
    POWER_TIME_UNKNOWN = -1
    POWER_TIME_UNLIMITED = -2

POWER_TIME_UNKNOWN: Final = BatteryTime.POWER_TIME_UNKNOWN
POWER_TIME_UNLIMITED: Final = BatteryTime.POWER_TIME_UNLIMITED

class IOPriority(enum.IntEnum):
    IOPRIO_CLASS_NONE = 0
    IOPRIO_CLASS_RT = 1
    IOPRIO_CLASS_BE = 2
    IOPRIO_CLASS_IDLE = 3

IOPRIO_CLASS_NONE: Final = IOPriority.IOPRIO_CLASS_NONE
IOPRIO_CLASS_RT: Final = IOPriority.IOPRIO_CLASS_RT
IOPRIO_CLASS_BE: Final = IOPriority.IOPRIO_CLASS_BE
IOPRIO_CLASS_IDLE: Final = IOPriority.IOPRIO_CLASS_IDLE

# The exit code of a child killed by a signal: minus the signal's number.
class Negsignal(enum.IntEnum):
    SIGHUP = -1
    SIGINT = -2
    SIGQUIT = -3
    SIGILL = -4
    SIGTRAP = -5
    SIGABRT = -6
    SIGBUS = -7
    SIGFPE = -8
    SIGKILL = -9
    SIGUSR1 = -10
    SIGSEGV = -11
    SIGUSR2 = -12
    SIGPIPE = -13
    SIGALRM = -14
    SIGTERM = -15
    SIGSTKFLT = -16
    SIGCHLD = -17
    SIGCONT = -18
    SIGSTOP = -19
    SIGTSTP = -20
    SIGTTIN = -21
    SIGTTOU = -22
    SIGURG = -23
    SIGXCPU = -24
    SIGXFSZ = -25
    SIGVTALRM = -26
    SIGPROF = -27
    SIGWINCH = -28
    SIGIO = -29
    SIGPWR = -30
    SIGSYS = -31
    SIGRTMIN = -34
    SIGRTMAX = -64

# --- resource limits (Process.rlimit) ----------------------------------------
RLIM_INFINITY: int
RLIMIT_AS: int
RLIMIT_CORE: int
RLIMIT_CPU: int
RLIMIT_DATA: int
RLIMIT_FSIZE: int
RLIMIT_LOCKS: int
RLIMIT_MEMLOCK: int
RLIMIT_MSGQUEUE: int
RLIMIT_NICE: int
RLIMIT_NOFILE: int
RLIMIT_NPROC: int
RLIMIT_RSS: int
RLIMIT_RTPRIO: int
RLIMIT_RTTIME: int
RLIMIT_SIGPENDING: int
RLIMIT_STACK: int

# --- named tuples: system ---------------------------------------------------
class svmem(NamedTuple):
    total: int
    available: int
    percent: float
    used: int
    free: int
    active: int
    inactive: int
    buffers: int
    cached: int
    shared: int
    slab: int

class sswap(NamedTuple):
    total: int
    used: int
    free: int
    percent: float
    sin: int
    sout: int

class scputimes(NamedTuple):
    user: float
    nice: float
    system: float
    idle: float
    iowait: float
    irq: float
    softirq: float
    steal: float
    guest: float
    guest_nice: float

class scpustats(NamedTuple):
    ctx_switches: int
    interrupts: int
    soft_interrupts: int
    syscalls: int

class scpufreq(NamedTuple):
    current: float
    min: float
    max: float

class sdiskusage(NamedTuple):
    total: int
    used: int
    free: int
    percent: float

class sdiskpart(NamedTuple):
    device: str
    mountpoint: str
    fstype: str
    opts: str

class sdiskio(NamedTuple):
    read_count: int
    write_count: int
    read_bytes: int
    write_bytes: int
    read_time: int
    write_time: int
    read_merged_count: int
    write_merged_count: int
    busy_time: int

class snetio(NamedTuple):
    bytes_sent: int
    bytes_recv: int
    packets_sent: int
    packets_recv: int
    errin: int
    errout: int
    dropin: int
    dropout: int

class suser(NamedTuple):
    name: str
    terminal: str | None
    host: str
    started: float
    pid: int

class snicaddr(NamedTuple):
    family: socket.AddressFamily
    address: str
    netmask: str | None
    broadcast: str | None
    ptp: str | None

class snicstats(NamedTuple):
    isup: bool
    duplex: NicDuplex
    speed: int
    mtu: int
    flags: str

class shwtemp(NamedTuple):
    label: str
    current: float
    high: float | None
    critical: float | None

class sbattery(NamedTuple):
    percent: float
    # Seconds left, or POWER_TIME_UNKNOWN / POWER_TIME_UNLIMITED.
    secsleft: int
    power_plugged: bool | None

class sfan(NamedTuple):
    label: str
    current: int

class pheap(NamedTuple):
    heap_used: int
    mmap_used: int

# --- named tuples: beyond psutil (containers, pressure) -----------------------
class scpulimit(NamedTuple):
    cpus: float
    quota: float | None
    affinity: int
    cgroup_version: int | None
    cgroup: str | None

class smemlimit(NamedTuple):
    limit: int | None
    usage: int | None
    peak: int | None
    swap_limit: int | None
    cgroup_version: int | None
    cgroup: str | None

class spressureline(NamedTuple):
    avg10: float
    avg60: float
    avg300: float
    total: int

class spressureres(NamedTuple):
    some: spressureline | None
    full: spressureline | None

class spressure(NamedTuple):
    cpu: spressureres | None
    memory: spressureres | None
    io: spressureres | None
    irq: spressureres | None

# --- named tuples: processes and sockets -------------------------------------
class addr(NamedTuple):
    ip: str
    port: int

# An inet socket's address is an ``addr`` (``()`` when it has none); a UNIX
# socket's is its path (a str).
_SockAddr: TypeAlias = addr | tuple[()] | str

class pconn(NamedTuple):
    fd: int
    family: socket.AddressFamily
    type: socket.SocketKind
    laddr: _SockAddr
    raddr: _SockAddr
    status: str

class sconn(NamedTuple):
    fd: int
    family: socket.AddressFamily
    type: socket.SocketKind
    laddr: _SockAddr
    raddr: _SockAddr
    status: str
    pid: int | None

class pcputimes(NamedTuple):
    user: float
    system: float
    children_user: float
    children_system: float
    iowait: float

class pmem(NamedTuple):
    rss: int
    vms: int
    shared: int
    text: int
    lib: int
    data: int
    dirty: int

class pfullmem(NamedTuple):
    rss: int
    vms: int
    shared: int
    text: int
    lib: int
    data: int
    dirty: int
    uss: int
    pss: int
    swap: int

class pmmap_grouped(NamedTuple):
    path: str
    rss: int
    size: int
    pss: int
    shared_clean: int
    shared_dirty: int
    private_clean: int
    private_dirty: int
    referenced: int
    anonymous: int
    swap: int

class pmmap_ext(NamedTuple):
    addr: str
    perms: str
    path: str
    rss: int
    size: int
    pss: int
    shared_clean: int
    shared_dirty: int
    private_clean: int
    private_dirty: int
    referenced: int
    anonymous: int
    swap: int

class popenfile(NamedTuple):
    path: str
    fd: int
    position: int
    mode: str
    flags: int

class pthread(NamedTuple):
    id: int
    user_time: float
    system_time: float

class puids(NamedTuple):
    real: int
    effective: int
    saved: int

class pgids(NamedTuple):
    real: int
    effective: int
    saved: int

class pionice(NamedTuple):
    ioclass: IOPriority
    value: int

class pio(NamedTuple):
    read_count: int
    write_count: int
    read_bytes: int
    write_bytes: int
    read_chars: int
    write_chars: int

class pctxsw(NamedTuple):
    voluntary: int
    involuntary: int

# --- exceptions -------------------------------------------------------------
class Error(Exception):
    msg: str

class NoSuchProcess(Error):
    pid: int
    name: str | None
    msg: str
    def __init__(self, pid: int, name: str | None = None, msg: str | None = None) -> None: ...

class ZombieProcess(NoSuchProcess):
    ppid: int | None
    def __init__(
        self, pid: int, name: str | None = None, ppid: int | None = None, msg: str | None = None
    ) -> None: ...

class AccessDenied(Error):
    pid: int | None
    name: str | None
    msg: str
    def __init__(self, pid: int | None = None, name: str | None = None, msg: str | None = None) -> None: ...

class TimeoutExpired(Error):
    seconds: float
    pid: int | None
    name: str | None
    msg: str
    def __init__(self, seconds: float, pid: int | None = None, name: str | None = None) -> None: ...

# --- system functions -------------------------------------------------------
def pids() -> list[int]: ...
def pid_exists(pid: int) -> bool: ...
def virtual_memory() -> svmem: ...
def swap_memory() -> sswap: ...
def cpu_count(logical: bool = True) -> int | None: ...
@overload
def cpu_times(percpu: Literal[False] = False) -> scputimes: ...
@overload
def cpu_times(percpu: Literal[True]) -> list[scputimes]: ...
@overload
def cpu_times(percpu: bool) -> scputimes | list[scputimes]: ...
def cpu_stats() -> scpustats: ...
@overload
def cpu_freq(percpu: Literal[False] = False) -> scpufreq | None: ...
@overload
def cpu_freq(percpu: Literal[True]) -> list[scpufreq]: ...
@overload
def cpu_freq(percpu: bool) -> scpufreq | list[scpufreq] | None: ...
def getloadavg() -> tuple[float, float, float]: ...
def boot_time() -> float: ...
def users() -> list[suser]: ...
@overload
def cpu_percent(interval: float | None = None, percpu: Literal[False] = False) -> float: ...
@overload
def cpu_percent(interval: float | None, percpu: Literal[True]) -> list[float]: ...
@overload
def cpu_percent(*, percpu: Literal[True]) -> list[float]: ...
@overload
def cpu_percent(interval: float | None = None, percpu: bool = False) -> float | list[float]: ...
@overload
def cpu_times_percent(interval: float | None = None, percpu: Literal[False] = False) -> scputimes: ...
@overload
def cpu_times_percent(interval: float | None, percpu: Literal[True]) -> list[scputimes]: ...
@overload
def cpu_times_percent(*, percpu: Literal[True]) -> list[scputimes]: ...
@overload
def cpu_times_percent(interval: float | None = None, percpu: bool = False) -> scputimes | list[scputimes]: ...
def disk_partitions(all: bool = False) -> list[sdiskpart]: ...
def disk_usage(path: StrOrBytesPath) -> sdiskusage: ...

# disk_io_counters and net_io_counters are functions with a ``cache_clear()``
# (which forgets the counters kept to undo wraparounds, for ``nowrap``); as
# psutil documents, they give None (or {} per device) on a machine without
# disks or NICs.
@type_check_only
class _DiskIOCounters(Protocol):
    @overload
    def __call__(self, perdisk: Literal[False] = False, nowrap: bool = True) -> sdiskio | None: ...
    @overload
    def __call__(self, perdisk: Literal[True], nowrap: bool = True) -> dict[str, sdiskio]: ...
    @overload
    def __call__(self, perdisk: bool, nowrap: bool = True) -> sdiskio | dict[str, sdiskio] | None: ...
    def cache_clear(self) -> None: ...

@type_check_only
class _NetIOCounters(Protocol):
    @overload
    def __call__(self, pernic: Literal[False] = False, nowrap: bool = True) -> snetio | None: ...
    @overload
    def __call__(self, pernic: Literal[True], nowrap: bool = True) -> dict[str, snetio]: ...
    @overload
    def __call__(self, pernic: bool, nowrap: bool = True) -> snetio | dict[str, snetio] | None: ...
    def cache_clear(self) -> None: ...

disk_io_counters: _DiskIOCounters
net_io_counters: _NetIOCounters

def net_if_addrs() -> dict[str, list[snicaddr]]: ...
def net_if_stats() -> dict[str, snicstats]: ...
def net_connections(kind: str = "inet") -> list[sconn]: ...
def sensors_temperatures(fahrenheit: bool = False) -> dict[str, list[shwtemp]]: ...
def sensors_fans() -> dict[str, list[sfan]]: ...
def sensors_battery() -> sbattery | None: ...
def cpu_limit() -> scpulimit: ...
def memory_limit() -> smemlimit: ...
def pressure() -> spressure: ...

# glibc only (as psutil): mallinfo2 and malloc_trim.
def heap_info() -> pheap: ...
def heap_trim() -> None: ...

# --- processes --------------------------------------------------------------
# as_dict()/process_iter() accept these containers of attribute names (any
# other type raises TypeError, an unknown name ValueError).
_Attrs: TypeAlias = list[str] | tuple[str, ...] | set[str] | frozenset[str]

class Process:
    # The attributes process_iter(attrs) read ({} otherwise).
    info: dict[str, Any]
    # Set by wait_procs() on each process it returns as gone.
    returncode: int | None
    def __init__(self, pid: int | None = None) -> None: ...
    @property
    def pid(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def oneshot(self) -> AbstractContextManager[None]: ...
    def as_dict(self, attrs: _Attrs | None = None, ad_value: Any = None) -> dict[str, Any]: ...
    # -- tree
    def ppid(self) -> int: ...
    def parent(self) -> Process | None: ...
    def parents(self) -> list[Process]: ...
    def children(self, recursive: bool = False) -> list[Process]: ...
    def is_running(self) -> bool: ...
    # -- getters (and setters)
    def name(self) -> str: ...
    def exe(self) -> str: ...
    def cmdline(self) -> list[str]: ...
    def cwd(self) -> str: ...
    def environ(self) -> dict[str, str]: ...
    def status(self) -> _Status: ...
    def create_time(self) -> float: ...
    def username(self) -> str: ...
    def terminal(self) -> str | None: ...
    def cgroup(self) -> str | None: ...
    def cpu_limit(self) -> scpulimit: ...
    def memory_limit(self) -> smemlimit: ...
    def uids(self) -> puids: ...
    def gids(self) -> pgids: ...
    @overload
    def nice(self, value: None = None) -> int: ...
    @overload
    def nice(self, value: int) -> None: ...
    @overload
    def ionice(self, ioclass: None = None, value: None = None) -> pionice: ...
    @overload
    def ionice(self, ioclass: int, value: int | None = None) -> None: ...
    @overload
    def rlimit(self, resource: int, limits: None = None) -> tuple[int, int]: ...
    @overload
    def rlimit(self, resource: int, limits: tuple[int, int]) -> None: ...
    @overload
    def cpu_affinity(self, cpus: None = None) -> list[int]: ...
    @overload
    def cpu_affinity(self, cpus: Collection[int]) -> None: ...
    def cpu_num(self) -> int: ...
    def cpu_times(self) -> pcputimes: ...
    def cpu_percent(self, interval: float | None = None) -> float: ...
    def memory_info(self) -> pmem: ...
    def memory_full_info(self) -> pfullmem: ...
    def memory_percent(self, memtype: str = "rss") -> float: ...
    @overload
    def memory_maps(self, grouped: Literal[True] = True) -> list[pmmap_grouped]: ...
    @overload
    def memory_maps(self, grouped: Literal[False]) -> list[pmmap_ext]: ...
    @overload
    def memory_maps(self, grouped: bool) -> list[pmmap_grouped] | list[pmmap_ext]: ...
    def io_counters(self) -> pio: ...
    def num_ctx_switches(self) -> pctxsw: ...
    def num_fds(self) -> int: ...
    def num_threads(self) -> int: ...
    def threads(self) -> list[pthread]: ...
    def open_files(self) -> list[popenfile]: ...
    def net_connections(self, kind: str = "inet") -> list[pconn]: ...
    @deprecated("use net_connections() instead")
    def connections(self, kind: str = "inet") -> list[pconn]: ...
    # -- signals
    def send_signal(self, sig: int) -> None: ...
    def suspend(self) -> None: ...
    def resume(self) -> None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    # The exit code of a child (a Negsignal when a signal killed it); None for
    # a process that is not a child of this one.
    def wait(self, timeout: float | None = None) -> int | None: ...

_CMD: TypeAlias = StrOrBytesPath | Sequence[StrOrBytesPath]
_FILE: TypeAlias = int | IO[Any] | None
_ENV: TypeAlias = Mapping[bytes, StrOrBytesPath] | Mapping[str, StrOrBytesPath]

class Popen(Process):
    # subprocess.Popen's attributes, which a Popen forwards to its
    # subprocess.Popen (its other ones, e.g. communicate() and poll(), come
    # through __getattribute__ and are typed Any).
    args: _CMD
    stdin: IO[Any] | None
    stdout: IO[Any] | None
    stderr: IO[Any] | None
    if sys.version_info >= (3, 11):
        def __init__(
            self,
            args: _CMD,
            bufsize: int = -1,
            executable: StrOrBytesPath | None = None,
            stdin: _FILE | None = None,
            stdout: _FILE | None = None,
            stderr: _FILE | None = None,
            preexec_fn: Callable[[], object] | None = None,
            close_fds: bool = True,
            shell: bool = False,
            cwd: StrOrBytesPath | None = None,
            env: _ENV | None = None,
            universal_newlines: bool | None = None,
            startupinfo: Any | None = None,
            creationflags: int = 0,
            restore_signals: bool = True,
            start_new_session: bool = False,
            pass_fds: Collection[int] = (),
            *,
            text: bool | None = None,
            encoding: str | None = None,
            errors: str | None = None,
            user: str | int | None = None,
            group: str | int | None = None,
            extra_groups: Iterable[str | int] | None = None,
            umask: int = -1,
            pipesize: int = -1,
            process_group: int | None = None,
        ) -> None: ...
    elif sys.version_info >= (3, 10):
        def __init__(
            self,
            args: _CMD,
            bufsize: int = -1,
            executable: StrOrBytesPath | None = None,
            stdin: _FILE | None = None,
            stdout: _FILE | None = None,
            stderr: _FILE | None = None,
            preexec_fn: Callable[[], object] | None = None,
            close_fds: bool = True,
            shell: bool = False,
            cwd: StrOrBytesPath | None = None,
            env: _ENV | None = None,
            universal_newlines: bool | None = None,
            startupinfo: Any | None = None,
            creationflags: int = 0,
            restore_signals: bool = True,
            start_new_session: bool = False,
            pass_fds: Collection[int] = (),
            *,
            text: bool | None = None,
            encoding: str | None = None,
            errors: str | None = None,
            user: str | int | None = None,
            group: str | int | None = None,
            extra_groups: Iterable[str | int] | None = None,
            umask: int = -1,
            pipesize: int = -1,
        ) -> None: ...
    else:
        def __init__(
            self,
            args: _CMD,
            bufsize: int = -1,
            executable: StrOrBytesPath | None = None,
            stdin: _FILE | None = None,
            stdout: _FILE | None = None,
            stderr: _FILE | None = None,
            preexec_fn: Callable[[], object] | None = None,
            close_fds: bool = True,
            shell: bool = False,
            cwd: StrOrBytesPath | None = None,
            env: _ENV | None = None,
            universal_newlines: bool | None = None,
            startupinfo: Any | None = None,
            creationflags: int = 0,
            restore_signals: bool = True,
            start_new_session: bool = False,
            pass_fds: Collection[int] = (),
            *,
            text: bool | None = None,
            encoding: str | None = None,
            errors: str | None = None,
            user: str | int | None = None,
            group: str | int | None = None,
            extra_groups: Iterable[str | int] | None = None,
            umask: int = -1,
        ) -> None: ...

    def __dir__(self) -> list[str]: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None: ...
    def __getattribute__(self, name: str) -> Any: ...
    def wait(self, timeout: float | None = None) -> int | None: ...

# process_iter is a generator function with a ``cache_clear()`` (which forgets
# the Process objects it keeps between calls).
@type_check_only
class _ProcessIter(Protocol):
    def __call__(self, attrs: _Attrs | None = None, ad_value: Any = None) -> Iterator[Process]: ...
    def cache_clear(self) -> None: ...

process_iter: _ProcessIter

_P = TypeVar("_P", bound=Process)

def wait_procs(
    procs: Iterable[_P], timeout: float | None = None, callback: Callable[[_P], object] | None = None
) -> tuple[list[_P], list[_P]]: ...
