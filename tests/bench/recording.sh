#!/bin/bash
# Runs inside the bundled kernel (tests/bench/run): the same UBIFS workload
# on a 64 MiB nand-2k chip, without and with --trace, and on nandsim of the
# same geometry, in one boot.  The workload fills the filesystem with files
# of mixed sizes and kinds, deletes half of them and writes them again.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
modules=${MUSE_KERNEL_DIR:?run me with muse uml}/modules
muse=$top/build/bin/muse
work=$(mktemp -d /tmp/muse-bench-rec.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"

workload() {
	env -u MUSE_MARK_SOCKET MUSE_MNT="$mnt" "$top/tests/bench/churn.sh" 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# on_chip DEV STOP: formats DEV, runs the workload on it, runs STOP after
# the unmount; prints "workload_ms total_ms"
on_chip() {
	local t0 t1 t2
	ubiformat -q -y "$1"
	ubiattach -p "$1" -d 0 > /dev/null
	ubimkvol /dev/ubi0 -N data -m > /dev/null
	mount -t ubifs ubi0:data "$mnt"
	t0=$(now_ms)
	workload
	t1=$(now_ms)
	umount "$mnt"
	ubidetach -d 0
	$2
	t2=$(now_ms)
	echo "$((t1 - t0)) $((t2 - t0))"
}

stop_server() { kill -TERM "$pid" && wait "$pid"; }

# run [serve options]: the workload on a MUSE chip
run() {
	rm -f "$work/dev"
	"$muse" serve --geometry nand-2k "$@" > "$work/dev" 2> "$work/serve.err" &
	pid=$!
	while [ ! -s "$work/dev" ]; do sleep 0.01; done
	on_chip "$(head -n 1 "$work/dev")" stop_server
}

# the same on nandsim: 2 KiB pages, 64 B OOB, 128 KiB blocks, 64 MiB, BCH-4
run_nandsim() {
	local ns
	insmod "$modules/nandsim.ko" id_bytes=0x20,0xa2,0x00,0x15 bch=4
	ns=$(grep -l -x "NAND simulator partition 0" /sys/class/mtd/mtd*/name | head -n 1 |
		sed 's|/sys/class/mtd/mtd\([0-9]*\)/name|\1|')
	on_chip "/dev/mtd$ns" "rmmod nandsim"
}

median() { sort -n | sed -n 2p; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# alternate, three runs each: the guest's timing drifts by 10% or more
for i in 1 2 3; do
	run >> "$work/plain.times"
	rm -f "$work/t.db"
	run --trace "$work/t.db" >> "$work/traced.times"
	run_nandsim >> "$work/nandsim.times"
done
plain=$(cut -d' ' -f1 "$work/plain.times" | median)
plain_total=$(cut -d' ' -f2 "$work/plain.times" | median)
traced=$(cut -d' ' -f1 "$work/traced.times" | median)
traced_total=$(cut -d' ' -f2 "$work/traced.times" | median)
nandsim=$(cut -d' ' -f1 "$work/nandsim.times" | median)
nandsim_total=$(cut -d' ' -f2 "$work/nandsim.times" | median)
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
echo
echo "the same workload on nandsim, same geometry, same boot, median of 3"
printf '%-40s %10s %10s %10s\n' "" "nandsim" "serve" "--trace"
printf '%-40s %10s %10s %10s\n' "workload wall time (ms)" "$nandsim" "$plain" "$traced"
printf '%-40s %10s %10s %10s\n' "against nandsim" "1.00" "$(ratio "$plain" "$nandsim")" \
	"$(ratio "$traced" "$nandsim")"
printf '%-40s %10s %10s %10s\n' "... with unmount and stop (ms)" "$nandsim_total" "$plain_total" \
	"$traced_total"
printf '%-40s %10s %10s %10s\n' "against nandsim" "1.00" "$(ratio "$plain_total" "$nandsim_total")" \
	"$(ratio "$traced_total" "$nandsim_total")"
rm -rf "$work"
