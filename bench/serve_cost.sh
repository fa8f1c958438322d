#!/bin/bash
# Cost of pskit serve beside Debian's node_exporter with the same collectors:
# RSS and CPU idle, then under 10 scrapes/s each (keep-alive, gzip and the
# Accept header Prometheus sends), for DUR seconds each phase.
# PSKIT defaults to the static release binary (./build-static.sh); NE_FLAGS adds
# node_exporter flags (--web.disable-exporter-metrics: no go_*/process_*/promhttp_*).
set -u
DUR=${1:-60}
COLLECTORS=${COLLECTORS:---collector.disable-defaults --collector.loadavg}
PSKIT=${PSKIT:-$(cd "$(dirname "$0")/.." && pwd)/target/static/pskit}
NE=/usr/bin/prometheus-node-exporter
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PP=$(free_port); NP=$(free_port)
$PSKIT serve --web.listen-address=127.0.0.1:$PP $COLLECTORS 2>/dev/null & P=$!
$NE --web.listen-address=127.0.0.1:$NP $COLLECTORS ${NE_FLAGS:-} 2>/dev/null & N=$!
trap 'kill $P $N 2>/dev/null' EXIT
sleep 2
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
rss() { awk '/VmRSS/{print $2}' /proc/$1/status; }
tck=$(getconf CLK_TCK)
report() { # phase p0 p1 n0 n1
    awk -v ph="$1" -v p=$(($3-$2)) -v n=$(($5-$4)) -v d=$DUR -v t=$tck -v pr=$(rss $P) -v nr=$(rss $N) 'BEGIN{
     printf "%-8s pskit serve:   %.3f%% CPU, %d KiB RSS\n", ph, p/t/d*100, pr;
     printf "%-8s node_exporter: %.3f%% CPU, %d KiB RSS\n", ph, n/t/d*100, nr }'
}
p0=$(ticks $P); n0=$(ticks $N); sleep $DUR; p1=$(ticks $P); n1=$(ticks $N)
report idle $p0 $p1 $n0 $n1
p0=$(ticks $P); n0=$(ticks $N)
python3 - "$PP" "$NP" "$DUR" <<'PY'
import http.client, sys, time
ports, dur = [int(sys.argv[1]), int(sys.argv[2])], float(sys.argv[3])
hdr = {"Accept": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
       "Accept-Encoding": "gzip"}
conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in ports]
sizes = [0, 0]; n = 0; t0 = time.time()
while time.time() - t0 < dur:
    for i, c in enumerate(conns):
        c.request("GET", "/metrics", headers=hdr); r = c.getresponse(); sizes[i] = len(r.read())
        assert r.status == 200, r.status
    n += 1
    time.sleep(max(0, t0 + n / 10 - time.time()))
print(f"load     {n} scrapes each; body as sent (gzip from 1 KiB for pskit): pskit serve {sizes[0]} B, node_exporter {sizes[1]} B")
PY
p1=$(ticks $P); n1=$(ticks $N)
report 10/s $p0 $p1 $n0 $n1
