#!/bin/bash
# Runs inside the bundled kernel (tests/bench/run): muse replay of TRACE
# at spread-out points after mkfs-done, served, attached and mounted,
# then "true"; prints the median and the slowest wall time.
#   replay-guest.sh TRACE
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$1
from=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'mkfs-done'")
last=$(sqlite3 -readonly "$t" "SELECT max(seq) FROM ops")
times=$(for i in 1 2 3 4 5 6 7 8 9; do
	n=$((from + (last - from) * i / 10))
	t0=$(date +%s%N)
	"$top/build/bin/muse" replay "$t" --at "$n" -- true > /dev/null 2>&1
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
done | sort -n)
echo "muse replay --at N -- true inside the guest (state, serve, UBI attach, UBIFS mount,"
echo "unmount, detach), 9 points after mkfs-done: median $(echo "$times" | sed -n 5p) ms, slowest $(echo "$times" | tail -n 1) ms"
