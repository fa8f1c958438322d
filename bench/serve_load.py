#!/usr/bin/env python3
"""pskit serve beside Debian's node_exporter, same collectors, one run:

1. CPU per scrape: SCRAPES scrapes one after another on a kept-alive
   connection (Prometheus' Accept and Accept-Encoding headers); the server's
   CPU time (utime + stime from /proc/PID/stat) divided by the scrapes.
2. Latency under load: SCRAPES scrapes by CONCURRENCY scrapers at once
   (each its own kept-alive connection); p50/p90/p99/max latency, failures,
   and RSS before and after.

    bench/serve_load.py [SCRAPES] [CONCURRENCY]

PSKIT (default target/static/pskit) picks the binary, COLLECTORS the flags
both get (default: the 14 node collectors both have; see serve_cost.sh).
"""
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PSKIT = os.environ.get("PSKIT", os.path.join(ROOT, "target/static/pskit"))
NE = "/usr/bin/prometheus-node-exporter"
COLLECTORS = os.environ.get(
    "COLLECTORS",
    "--collector.disable-defaults --collector.cpu --collector.meminfo "
    "--collector.loadavg --collector.stat --collector.filesystem "
    "--collector.diskstats --collector.netdev --collector.netclass "
    "--collector.pressure --collector.uname --collector.time "
    "--collector.cpufreq --collector.thermal_zone --collector.powersupplyclass",
).split()
HDR = {
    "Accept": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
    "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    "Accept-Encoding": "gzip",
}
TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(argv, port):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    sys.exit(f"{argv[0]} never listened on {port}")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def scrape(conn):
    conn.request("GET", "/metrics", headers=HDR)
    r = conn.getresponse()
    r.read()
    return r.status


def sequential(port, n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        assert scrape(c) == 200
    c.close()


def concurrent(port, n, k):
    lat, fails, lock = [], [0], threading.Lock()

    def worker(count):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(count):
            t = time.perf_counter()
            try:
                ok = scrape(c) == 200
            except OSError:
                ok = False
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            dt = time.perf_counter() - t
            with lock:
                lat.append(dt)
                fails[0] += not ok
        c.close()

    ts = [threading.Thread(target=worker, args=(n // k + (i < n % k),)) for i in range(k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sorted(lat), fails[0]


def pct(xs, p):
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] * 1000


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    pp, np_ = free_port(), free_port()
    servers = {
        "pskit serve": start([PSKIT, "serve", f"--web.listen-address=127.0.0.1:{pp}"] + COLLECTORS, pp),
        "node_exporter": start([NE, f"--web.listen-address=127.0.0.1:{np_}"] + COLLECTORS, np_),
    }
    ports = {"pskit serve": pp, "node_exporter": np_}
    try:
        per = {}
        for name, p in servers.items():
            sequential(ports[name], 50)  # warm
        # Interleave the two in rounds so a busy moment hits both alike.
        rounds = 5
        for name in servers:
            per[name] = 0
        for _ in range(rounds):
            for name, p in servers.items():
                t0 = cpu_ticks(p.pid)
                sequential(ports[name], n // rounds)
                per[name] += cpu_ticks(p.pid) - t0
        print(f"CPU per scrape, {n} scrapes one after another (Prometheus' headers, kept alive):")
        for name in servers:
            print(f"  {name:<14} {per[name] / TCK / n * 1000:.3f} ms")
        print(f"  ratio pskit/node_exporter: {per['pskit serve'] / per['node_exporter']:.2f}")
        print(f"{n} scrapes by {k} concurrent scrapers:")
        for name, p in servers.items():
            before = rss_kib(p.pid)
            t = time.perf_counter()
            lat, fails = concurrent(ports[name], n, k)
            wall = time.perf_counter() - t
            print(
                f"  {name:<14} p50 {pct(lat, 50):.1f} ms, p90 {pct(lat, 90):.1f} ms, "
                f"p99 {pct(lat, 99):.1f} ms, max {lat[-1] * 1000:.1f} ms; "
                f"{fails} failed; {n / wall:.0f} scrapes/s; RSS {before} -> {rss_kib(p.pid)} KiB"
            )
    finally:
        for p in servers.values():
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
