#!/bin/bash
# Side-by-side cost of htop and pskit top at a 1 s refresh in 120x40 tmux panes.
set -u
DUR=${1:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The static binary (./build-static.sh) is the one the RSS target is met and reported for.
PSKIT=${PSKIT:-$ROOT/target/static/pskit}
tmux -L cost kill-server 2>/dev/null
tmux -L cost -f /dev/null new-session -d -s h -x 120 -y 40 "htop -d 10"
tmux -L cost -f /dev/null new-session -d -s p -x 120 -y 40 "$PSKIT top -d 1"
sleep 3
H=$(pgrep -n -x htop); P=$(pgrep -n -x pskit)
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
h0=$(ticks $H); p0=$(ticks $P)
sleep $DUR
h1=$(ticks $H); p1=$(ticks $P)
hr=$(awk '/VmRSS/{print $2}' /proc/$H/status); pr=$(awk '/VmRSS/{print $2}' /proc/$P/status)
tck=$(getconf CLK_TCK)
echo "processes: $(ls /proc | grep -c '^[0-9]')"
awk -v h=$((h1-h0)) -v p=$((p1-p0)) -v d=$DUR -v t=$tck -v hr=$hr -v pr=$pr 'BEGIN{
 printf "htop:       %.2f%% CPU, %d KiB RSS\n", h/t/d*100, hr;
 printf "pskit top:  %.2f%% CPU, %d KiB RSS\n", p/t/d*100, pr;
 if (h>0) printf "ratio pskit/htop CPU: %.2f\n", p/h }'
tmux -L cost kill-server
