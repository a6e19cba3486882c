#!/bin/bash
# Runs inside a UML kernel (tests/bench/run): the kernel's
# mtd_speedtest over the whole chip, and the median of 10 cycles of
# "ubiattach + mount UBIFS + ls -lR + umount + ubidetach" on the same
# filesystem content, for a MUSE nand-2k chip and for nandsim with the
# same geometry (2 KiB pages, 64 B OOB, 128 KiB blocks, 64 MiB, BCH-4).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
muse=$top/build/bin/muse
modules=${MUSE_KERNEL_DIR:?run me with muse uml}/modules
work=$(mktemp -d /tmp/muse-bench.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"
CYCLES=${CYCLES:-10}

now_ns() { date +%s%N; }

mtd_by_name() {
	grep -l -x "$1" /sys/class/mtd/mtd*/name | head -n 1 |
		sed 's|/sys/class/mtd/mtd\([0-9]*\)/name|\1|'
}

serve() {
	rm -f "$work/dev"
	"$muse" serve "$@" > "$work/dev" 2> "$work/serve.err" &
	serve_pid=$!
	while [ ! -s "$work/dev" ]; do sleep 0.01; done
	mtd=$(head -n 1 "$work/dev")
}

unserve() {
	kill -TERM "$serve_pid"
	wait "$serve_pid" || true
}

# speedtest DEVNUM PREFIX: appends "PREFIX.<metric> KiB/s" lines
speedtest() {
	dmesg -C
	insmod "$modules/mtd_speedtest.ko" dev="$1" count=0 2>/dev/null || true
	rmmod mtd_speedtest 2>/dev/null || true
	dmesg | sed -n 's/.*mtd_speedtest: \(.*\) speed is \([0-9]*\) KiB\/s/\1 \2/p' |
		while read -r line; do
			echo "$2 ${line% *}|${line##* }"
		done >> "$work/speed"
}

fill_ubifs() {
	ubiformat -q -y "$1"
	ubiattach -p "$1" -d 0 > /dev/null
	ubimkvol /dev/ubi0 -N data -m > /dev/null
	mount -t ubifs ubi0:data "$mnt"
	mkdir -p "$mnt/a/b" "$mnt/c"
	for i in $(seq 1 40); do head -c $((i * 25000)) /dev/urandom > "$mnt/a/f$i"; done
	for i in $(seq 1 200); do echo "small $i" > "$mnt/c/s$i"; done
	cp -r "$top/lib" "$mnt/a/b/"
	sync
	umount "$mnt"
	ubidetach -d 0
}

# cycles DEV: prints the median of CYCLES cycles in ms
cycles() {
	local t0 t1 i
	for i in $(seq 1 "$CYCLES"); do
		t0=$(now_ns)
		ubiattach -p "$1" -d 0 > /dev/null &&
			mount -t ubifs ubi0:data "$mnt" &&
			ls -lR "$mnt" > /dev/null &&
			umount "$mnt" &&
			ubidetach -d 0 || { echo "cycle failed on $1" >&2; exit 1; }
		t1=$(now_ns)
		echo $(( (t1 - t0) / 1000 ))
	done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
}

insmod "$modules/mtd_test.ko"

# MUSE: speed, then the filesystem, dumped for nandsim
serve --geometry nand-2k
speedtest "${mtd#/dev/mtd}" muse
fill_ubifs "$mtd"
nanddump -q --oob --bb=dumpbad -f "$work/ubifs.img" "$mtd"
unserve

# the writes again as they were before writes were sent behind
serve --geometry nand-2k --write-through
speedtest "${mtd#/dev/mtd}" through
unserve

serve --geometry nand-2k --image "$work/ubifs.img" ${SERVE_OPTS:-}
muse_cycle=$(cycles "$mtd")
unserve
muse_requests=$(sed -n 's/^muse serve: \([0-9]*\) requests.*/\1/p' "$work/serve.err")

# nandsim with the same geometry and the same bytes
insmod "$modules/nandsim.ko" id_bytes=0x20,0xa2,0x00,0x15 bch=4
ns=$(mtd_by_name "NAND simulator partition 0")
speedtest "$ns" nandsim
flash_erase -q "/dev/mtd$ns" 0 0
nandwrite -q -o -N "/dev/mtd$ns" "$work/ubifs.img"
nandsim_cycle=$(cycles "/dev/mtd$ns")
rmmod nandsim

# rows PREFIX PATTERN: the metrics of PREFIX that match, beside nandsim's
rows() {
	grep "^$1 $2" "$work/speed" | while IFS='|' read -r key value; do
		metric=${key#"$1" }
		other=$(grep -F "nandsim $metric|" "$work/speed" | head -n 1 | cut -d'|' -f2)
		printf '%-34s %12s %12s %8s\n' "$metric" "$value" "${other:-?}" \
			"$(awk -v a="$value" -v b="${other:-0}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "?" }')"
	done
}

echo "MUSE vs nandsim, nand-2k 64 MiB, one UML boot"
printf '%-34s %12s %12s %8s\n' "mtd_speedtest (KiB/s)" muse nandsim ratio
rows muse ''
echo
printf '%-34s %12s %12s %8s\n' "muse serve --write-through (KiB/s)" muse nandsim ratio
rows through '.*write|'
echo
printf '%-34s %12s %12s %8s\n' "UBI attach+mount+ls+umount+detach" muse nandsim ratio
printf '%-34s %12s %12s %8s\n' "median of $CYCLES cycles (ms)" "$muse_cycle" "$nandsim_cycle" \
	"$(awk -v a="$muse_cycle" -v b="$nandsim_cycle" 'BEGIN { printf "%.2f", a / b }')"
echo "MUSE requests per cycle: $(( muse_requests / CYCLES ))"
rm -rf "$work"
