#!/bin/bash
# Runs inside the bundled kernel (tests/bench/run): the same UBIFS workload
# on a 64 MiB nand-2k chip, without and with --trace, in one boot.  The
# workload fills the filesystem with files of mixed sizes and kinds,
# deletes half of them and writes them again.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
muse=$top/build/bin/muse
work=$(mktemp -d /tmp/muse-bench-rec.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"

workload() {
	env -u MUSE_MARK_SOCKET MUSE_MNT="$mnt" "$top/tests/bench/churn.sh" 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# run [serve options]: prints "workload_ms total_ms"
run() {
	local t0 t1 t2 pid dev
	rm -f "$work/dev"
	"$muse" serve --geometry nand-2k "$@" > "$work/dev" 2> "$work/serve.err" &
	pid=$!
	while [ ! -s "$work/dev" ]; do sleep 0.01; done
	dev=$(head -n 1 "$work/dev")
	ubiformat -q -y "$dev"
	ubiattach -p "$dev" -d 0 > /dev/null
	ubimkvol /dev/ubi0 -N data -m > /dev/null
	mount -t ubifs ubi0:data "$mnt"
	t0=$(now_ms)
	workload
	t1=$(now_ms)
	umount "$mnt"
	ubidetach -d 0
	kill -TERM "$pid"
	wait "$pid"
	t2=$(now_ms)
	echo "$((t1 - t0)) $((t2 - t0))"
}

median() { sort -n | sed -n 2p; }

# alternate, three runs each: the guest's timing drifts by 10% or more
for i in 1 2 3; do
	run >> "$work/plain.times"
	rm -f "$work/t.db"
	run --trace "$work/t.db" >> "$work/traced.times"
done
plain=$(cut -d' ' -f1 "$work/plain.times" | median)
plain_total=$(cut -d' ' -f2 "$work/plain.times" | median)
traced=$(cut -d' ' -f1 "$work/traced.times" | median)
traced_total=$(cut -d' ' -f2 "$work/traced.times" | median)
summary=$("$muse" inspect "$work/t.db" --json)
field() { echo "$summary" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
ops=$(field ops)
size=$(field size)
bytes=$(field bytes_programmed)

echo "recording overhead, UBIFS on nand-2k 64 MiB, one UML boot, median of 3"
printf '%-40s %10s %10s %7s\n' "" "plain" "--trace" "ratio"
printf '%-40s %10s %10s %7s\n' "workload wall time (ms)" "$plain" "$traced" \
	"$(awk -v a="$traced" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')"
printf '%-40s %10s %10s %7s\n' "... with unmount and stop (ms)" "$plain_total" "$traced_total" \
	"$(awk -v a="$traced_total" -v b="$plain_total" 'BEGIN { printf "%.2f", a / b }')"
echo "ops recorded: $ops ($(awk -v o="$ops" -v t="$traced" 'BEGIN { printf "%.0f", o * 1000 / t }') ops/s)"
echo "trace: $size bytes for $bytes bytes programmed ($(awk -v s="$size" -v b="$bytes" 'BEGIN { printf "%.2f", s / b }') of them)"
"$top/build/tests/muse-packstat" "$work/t.db"
rm -rf "$work"
