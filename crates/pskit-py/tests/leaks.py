"""No leaks: each pskit function and Process method, called 10,000 times, must
grow this process's RSS by less than 1 MB (the Python bindings issue's target).

    python leaks.py [--calls 10000] [--limit-kb 1024] [--only NAME]

Each call is warmed up first (caches, first-time allocations), then garbage is
collected and RSS read from /proc/self/statm before and after the 10,000 calls.
Prints one line per call and exits 1 if any grew by the limit or more.
"""

import argparse
import gc
import os
import socket
import subprocess
import sys
import tempfile

import pskit

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def cases(child):
    """(name, callable) for every public function and Process method, with
    the arguments psutil's own memory-leak tests use."""
    me = pskit.Process()
    other = pskit.Process(child.pid)
    tmp = tempfile.gettempdir()
    out = [
        ("cpu_count", pskit.cpu_count),
        ("cpu_count(logical=False)", lambda: pskit.cpu_count(logical=False)),
        ("cpu_times", pskit.cpu_times),
        ("cpu_times(percpu=True)", lambda: pskit.cpu_times(percpu=True)),
        ("cpu_percent", pskit.cpu_percent),
        ("cpu_percent(percpu=True)", lambda: pskit.cpu_percent(percpu=True)),
        ("cpu_times_percent", pskit.cpu_times_percent),
        ("cpu_times_percent(percpu=True)", lambda: pskit.cpu_times_percent(percpu=True)),
        ("cpu_stats", pskit.cpu_stats),
        ("cpu_freq", pskit.cpu_freq),
        ("cpu_freq(percpu=True)", lambda: pskit.cpu_freq(percpu=True)),
        ("getloadavg", pskit.getloadavg),
        ("virtual_memory", pskit.virtual_memory),
        ("swap_memory", pskit.swap_memory),
        ("disk_partitions", pskit.disk_partitions),
        ("disk_partitions(all=True)", lambda: pskit.disk_partitions(all=True)),
        ("disk_usage", lambda: pskit.disk_usage(tmp)),
        ("disk_io_counters", lambda: pskit.disk_io_counters(nowrap=False)),
        ("disk_io_counters(perdisk=True)", lambda: pskit.disk_io_counters(perdisk=True, nowrap=False)),
        ("net_io_counters", lambda: pskit.net_io_counters(nowrap=False)),
        ("net_io_counters(pernic=True)", lambda: pskit.net_io_counters(pernic=True, nowrap=False)),
        ("net_connections", lambda: pskit.net_connections(kind="all")),
        ("net_if_addrs", pskit.net_if_addrs),
        ("net_if_stats", pskit.net_if_stats),
        ("sensors_temperatures", pskit.sensors_temperatures),
        ("sensors_fans", pskit.sensors_fans),
        ("sensors_battery", pskit.sensors_battery),
        ("boot_time", pskit.boot_time),
        ("users", pskit.users),
        ("pids", pskit.pids),
        ("pid_exists", lambda: pskit.pid_exists(os.getpid())),
        ("process_iter", lambda: list(pskit.process_iter())),
        ("process_iter(attrs)", lambda: list(pskit.process_iter(["name", "cpu_times", "username"]))),
        ("wait_procs", lambda: pskit.wait_procs([other], timeout=0)),
        ("cpu_limit", pskit.cpu_limit),
        ("memory_limit", pskit.memory_limit),
        ("pressure", pskit.pressure),
        ("heap_info", pskit.heap_info),
        ("heap_trim", pskit.heap_trim),
        ("Process()", pskit.Process),
        ("Process(pid)", lambda: pskit.Process(child.pid)),
    ]
    getters = [n for n in sorted(pskit._as_dict_attrnames) if n != "pid"]
    for n in getters:
        out.append(("Process." + n, getattr(me, n)))
    out += [
        ("Process.memory_maps(grouped=False)", lambda: me.memory_maps(grouped=False)),
        ("Process.net_connections('all')", lambda: me.net_connections("all")),
        ("Process.cgroup", me.cgroup),
        ("Process.cpu_limit", me.cpu_limit),
        ("Process.memory_limit", me.memory_limit),
        ("Process.as_dict", me.as_dict),
        ("Process.as_dict(attrs)", lambda: me.as_dict(["name", "cpu_times", "memory_info"])),
        ("Process.oneshot", lambda: _oneshot(me)),
        ("Process.parent", me.parent),
        ("Process.parents", me.parents),
        ("Process.children", me.children),
        ("Process.children(recursive=True)", lambda: me.children(recursive=True)),
        ("Process.is_running", me.is_running),
        ("Process.rlimit", lambda: me.rlimit(pskit.RLIMIT_NOFILE)),
        ("Process.rlimit(set)", lambda: me.rlimit(pskit.RLIMIT_NOFILE, me.rlimit(pskit.RLIMIT_NOFILE))),
        ("Process.nice(set)", lambda: me.nice(me.nice())),
        ("Process.ionice(set)", lambda: me.ionice(pskit.IOPRIO_CLASS_NONE)),
        ("Process.cpu_affinity(set)", lambda: me.cpu_affinity(me.cpu_affinity())),
        ("Process.send_signal(0)", lambda: other.send_signal(0)),
        ("Process.resume", other.resume),
        ("Process.wait(timeout=0) on a live one", lambda: _timeout(other)),
        ("Process.__repr__", lambda: repr(other)),
        ("Process.__hash__/__eq__", lambda: hash(other) + (other == me)),
        ("NoSuchProcess", lambda: _nsp()),
    ]
    return out


def _oneshot(p):
    with p.oneshot():
        p.name()
        p.cpu_times()


def _timeout(p):
    try:
        p.wait(timeout=0)
    except pskit.TimeoutExpired:
        pass


def _nsp():
    try:
        pskit.Process(2**22 + 1)
    except pskit.NoSuchProcess:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=10000)
    ap.add_argument("--limit-kb", type=int, default=1024)
    ap.add_argument("--only")
    a = ap.parse_args()
    if not 1 <= a.calls <= 10**7 or not 1 <= a.limit_kb <= 10**7:
        ap.error("--calls and --limit-kb must be positive (and sane)")
    # A socket of each kind, so that connection reads have rows to convert.
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM),
             socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
             socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)]
    socks[0].bind(("127.0.0.1", 0))
    socks[0].listen()
    child = subprocess.Popen(["sleep", "600"])
    failed = []
    try:
        for name, fn in cases(child):
            if a.only and a.only not in name:
                continue
            for _ in range(50):
                fn()
            gc.collect()
            before = rss()
            for _ in range(a.calls):
                fn()
            gc.collect()
            grew = rss() - before
            ok = grew < a.limit_kb * 1024
            print("%-40s %+8.1f KiB %s" % (name, grew / 1024, "ok" if ok else "LEAK"), flush=True)
            if not ok:
                failed.append(name)
    finally:
        child.kill()
        child.wait()
        for s in socks:
            s.close()
    if failed:
        print("RSS grew by %d KiB or more over %d calls: %s" % (a.limit_kb, a.calls, ", ".join(failed)))
        sys.exit(1)
    print("no call grew RSS by %d KiB over %d calls" % (a.limit_kb, a.calls))


if __name__ == "__main__":
    main()
