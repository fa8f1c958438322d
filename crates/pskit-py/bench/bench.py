"""pskit against psutil from Python, in one run on the same process table.

    python bench.py [--procs 300] [--rounds 7] [--json] [--floor BIN]

Both packages are imported in this interpreter (pskit as itself, psutil as
itself). With fewer than --procs processes on the machine, sleepers are started
until there are that many (and killed at the end). Each round times a batch
of calls of psutil, then of pskit; the figures are the medians over --rounds
rounds, the ratio the median of the rounds' psutil/pskit (above 1: pskit is
faster).

The issue's targets: process_iter with ps attributes >= 5x, Process().as_dict()
>= 3x, virtual_memory() >= 2x, import under 0.2 s.

It also times reading this process's /proc/self/smaps alone, the kernel work
as_dict's memory_maps needs whoever parses it, and prints psutil's as_dict
over it: the ceiling on as_dict's ratio.

--floor BIN runs ../shared/bench's floor program (`BIN 20 status`: the least
kernel work a scan of ps.py's attributes needs when it takes the uids from
status: stat, cmdline and status) beside them, and prints the ceiling that puts on
a reader of those files: psutil's time over the floor's, single-threaded and
split ideally over every CPU. pskit passes it where the kernel has
PIDFD_GET_INFO (6.13+): it takes the uids from the pidfd and reads statm, not
status, whose text is the costliest of the three for the kernel to write.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import psutil

import pskit

# psutil's scripts/ps.py asks process_iter for these.
PS_ATTRS = ["pid", "memory_percent", "name", "cmdline", "cpu_times", "create_time",
            "memory_info", "status", "nice", "username"]
# ../shared/bench's scan (the Rust benchmarks' attribute list).
SCAN_ATTRS = ["pid", "ppid", "name", "status", "cpu_times", "memory_info", "uids",
              "num_threads", "cmdline", "create_time"]


def batch_time(fn, batch):
    t = time.perf_counter()
    for _ in range(batch):
        fn()
    return (time.perf_counter() - t) / batch


def timed_pair(f_psutil, f_pskit, rounds, batch):
    """Both, alternating round by round (so drift hits both alike): the median
    time of each, and the median, lowest and highest of the per-round ratios."""
    f_psutil()  # warm: process_iter's cache, first reads
    f_pskit()
    a, b, r = [], [], []
    for _ in range(rounds):
        ta = batch_time(f_psutil, batch)
        tb = batch_time(f_pskit, batch)
        a.append(ta)
        b.append(tb)
        r.append(ta / tb)
    return statistics.median(a), statistics.median(b), statistics.median(r), min(r), max(r)


def read_smaps():
    """/proc/self/smaps read to its end with os.read: the kernel's share of
    as_dict's memory_maps, which neither package can avoid. Read in 3 KiB steps
    as pskit reads it, the cheapest way: a larger read makes the kernel fill its
    4 KiB page, throw away the record that overflows it and walk that mapping
    again on the next read."""
    fd = os.open("/proc/self/smaps", os.O_RDONLY)
    try:
        while os.read(fd, 3072):
            pass
    finally:
        os.close(fd)


def import_time(mod, rounds):
    """Wall time of `python -c "import mod"` minus `python -c pass`, medians."""
    def run(code):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t
    base = statistics.median(run("pass") for _ in range(rounds))
    full = statistics.median(run("import " + mod) for _ in range(rounds))
    return max(full - base, 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--procs", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--floor")
    a = ap.parse_args()
    if a.procs < 0 or a.procs > 20000 or a.rounds < 1 or a.rounds > 1000:
        ap.error("--procs must be 0..20000 and --rounds 1..1000")
    sleepers = []
    try:
        while len(psutil.pids()) < a.procs:
            sleepers.append(subprocess.Popen(["sleep", "3000"]))
        nprocs = len(psutil.pids())
        cases = [
            ("list(process_iter(ps.py attrs))",
             lambda m: lambda: list(m.process_iter(PS_ATTRS)), 10, 5.0),
            ("list(process_iter(scan attrs))",
             lambda m: lambda: list(m.process_iter(SCAN_ATTRS)), 10, None),
            ("Process().as_dict()", lambda m: lambda: m.Process().as_dict(), 20, 3.0),
            ("virtual_memory()", lambda m: m.virtual_memory, 2000, 2.0),
        ]
        rows = []
        for name, make, batch, target in cases:
            t_psutil, t_pskit, ratio, lo, hi = timed_pair(make(psutil), make(pskit), a.rounds,
                                                          batch)
            rows.append({"call": name, "psutil_ms": t_psutil * 1e3, "pskit_ms": t_pskit * 1e3,
                         "ratio": ratio, "ratio_min": lo, "ratio_max": hi, "target": target})
        smaps_ms = statistics.median(batch_time(read_smaps, 20) for _ in range(a.rounds)) * 1e3
        imp = {"pskit_s": import_time("pskit", a.rounds), "psutil_s": import_time("psutil", a.rounds)}
        floor = None
        if a.floor:
            out = subprocess.run([a.floor, "20", "status"], check=True, capture_output=True,
                                 text=True).stdout
            floor = float(out.split(" ms/scan")[0].split()[-1])
    finally:
        for s in sleepers:
            s.kill()
        for s in sleepers:
            s.wait()
    if a.json:
        print(json.dumps({"processes": nprocs, "calls": rows, "import": imp, "floor_ms": floor,
                          "smaps_read_ms": smaps_ms}, indent=1))
        return
    print(f"{nprocs} processes; Python {sys.version.split()[0]}; median of {a.rounds} rounds")
    print(f"{'call':34} {'psutil ms':>10} {'pskit ms':>10} {'ratio':>7} {'rounds':>12} "
          f"{'target':>7}")
    for r in rows:
        tgt = f">= {r['target']:g}" if r["target"] else ""
        spread = f"{r['ratio_min']:.2f}-{r['ratio_max']:.2f}"
        print(f"{r['call']:34} {r['psutil_ms']:10.3f} {r['pskit_ms']:10.3f} {r['ratio']:6.2f}x "
              f"{spread:>12} {tgt:>7}")
    print(f"import: pskit {imp['pskit_s']:.3f} s, psutil {imp['psutil_s']:.3f} s (target < 0.2 s)")
    ad = next(r for r in rows if r["call"] == "Process().as_dict()")
    print(f"reading this process's smaps alone (os.read in 3 KiB steps): {smaps_ms:.3f} ms, "
          f"{smaps_ms / ad['pskit_ms'] * 100:.0f} % of pskit's as_dict; psutil's as_dict over it: "
          f"{ad['psutil_ms'] / smaps_ms:.2f}x, the most any as_dict can reach here")
    if floor is not None:
        ps = rows[0]["psutil_ms"]
        cpus = os.cpu_count() or 1
        print(f"floor (stat+cmdline+status, one thread): {floor:.3f} ms; psutil/floor "
              f"{ps / floor:.2f}x, and {ps / (floor / cpus):.2f}x with the floor split ideally "
              f"over {cpus} CPUs: the most a reader of status can reach here (pskit takes "
              f"the uids from the pidfd and reads statm instead, where the kernel allows)")


if __name__ == "__main__":
    main()
