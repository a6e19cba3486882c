#!/bin/bash
# muse mount: every state of a trace as files, the same bytes as muse
# replay --export writes, for ops, cuts and marks; read by several
# readers at once; a 1 GiB chip read in part; the trace never written.
. "$(dirname "$0")/../lib.sh"

MNT=$WORK/mnt
MOUNT_PID=

if [ ! -w /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
	skip "muse mount" "no usable /dev/fuse or no fusermount3 here"
	finish
	exit 0
fi

# mount_trace TRACE: muse mount in the background, until DIR is mounted
mount_trace() {
	mkdir -p "$MNT"
	"$MUSE" mount "$1" "$MNT" > "$WORK/mount.out" 2> "$WORK/mount.err" &
	MOUNT_PID=$!
	for _ in $(seq 1 500); do
		mountpoint -q "$MNT" && return 0
		kill -0 "$MOUNT_PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

unmount_trace() {
	fusermount3 -u "$MNT" && wait "$MOUNT_PID"
}

# same_as_export AT FILE [replay options]: FILE is what --export writes
same_as_export() {
	local at=$1 file=$2
	shift 2
	"$MUSE" replay "$T" --at "$at" "$@" --export "$WORK/export" > /dev/null &&
	cmp "$WORK/export" "$file"
}

T=$WORK/t.db
cp "$TOP/tests/data/jffs2-nand-cuts.db" "$T"
before=$(sha256sum < "$T")
# in this shell, not check's subshell: MOUNT_PID must stay known
if mount_trace "$T"; then
	pass "mount the trace"
else
	fail "mount the trace" "$(tail -n 3 "$WORK/mount.err" | tr '\n' ' ')"
	finish
	exit 1
fi

check "summary is muse inspect's" cmp <("$MUSE" inspect "$T") "$MNT/summary"
last=$(ls "$MNT/ops" | sort -n | tail -n 1)
for n in 0 20 37 "$last"; do
	check "ops/$n/flash.oob.bin = replay --at $n --export" same_as_export "$n" "$MNT/ops/$n/flash.oob.bin"
	check "ops/$n/flash.bin = replay --at $n --export --format raw" \
		same_as_export "$n" "$MNT/ops/$n/flash.bin" --format raw
done
check "marks/written links to the op of the mark" \
	test "$(readlink "$MNT/marks/written")" = "../ops/$("$MUSE" inspect "$T" --marks | awk '$1 == "after" && $NF == "written" { print $3 }')"
check "marks/kept reads as its op" cmp "$MNT/marks/kept/flash.oob.bin" "$MNT/ops/37/flash.oob.bin"
for cut in "35 torn 1" "35 torn 9" "36 unstable 1" "40 torn 3"; do
	set -- $cut
	check "cuts/$1/$2-$3.bin = replay --at $1 --cut $2 --seed $3 --export" \
		same_as_export "$1" "$MNT/cuts/$1/$2-$3.bin" --cut "$2" --seed "$3"
done
check "blocks/3/history is muse inspect --block-history 3" \
	cmp <("$MUSE" inspect "$T" --block-history 3) "$MNT/blocks/3/history"
check "names that are not there" sh -c "! ls '$MNT/ops/$((last + 1))' && ! ls '$MNT/ops/01' &&
	! ls '$MNT/cuts/35/clean-1.bin' && ! ls '$MNT/marks/nosuch' && ! ls '$MNT/blocks/16'" 
check "read-only" sh -c "! touch '$MNT/ops/3/flash.bin' && ! echo x > '$MNT/summary' && ! mkdir '$MNT/x'"

# four readers of four states at once
readers() {
	local n pids=()
	for n in 10 25 33 50; do
		"$MUSE" replay "$T" --at "$n" --export "$WORK/e$n" > /dev/null || return 1
	done
	for n in 10 25 33 50; do
		cmp "$WORK/e$n" "$MNT/ops/$n/flash.oob.bin" & pids+=($!)
	done
	for n in "${pids[@]}"; do wait "$n" || return 1; done
}
check "four readers at once" readers
if unmount_trace; then
	pass "fusermount3 -u unmounts, muse mount exits 0"
else
	fail "fusermount3 -u unmounts, muse mount exits 0" "$(cat "$WORK/mount.err")"
fi
check "the trace is not written" test "$(sha256sum < "$T")" = "$before"

# a 1 GiB chip: a range read from the mount is the range of the export
cat > "$WORK/big-workload" <<'W'
#!/bin/bash
set -e
head -c 2048 /dev/zero | tr '\0' '\132' > /tmp/big-page
for b in 1 4000 8191; do
	flash_erase -q "$MUSE_MTD" $((b * 131072)) 1
	mtd_debug write "$MUSE_MTD" $((b * 131072 + 2048)) 2048 /tmp/big-page > /dev/null
done
W
chmod +x "$WORK/big-workload"
big=$WORK/big.db
check "record on a 1 GiB chip" "$MUSE" record --trace "$big" --geometry nand-2k,size=1g \
	--fs none -- "$WORK/big-workload"
range_of_big() {
	local rec=2112 skip=$((4000 * 64 + 1))
	"$MUSE" replay "$big" --at end --export "$WORK/big.oob" > /dev/null &&
	cmp <(dd if="$WORK/big.oob" bs=$rec skip=$skip count=64 2>/dev/null) \
		<(dd if="$MNT/ops/$1/flash.oob.bin" bs=$rec skip=$skip count=64 2>/dev/null) &&
	test "$(stat -c %s "$MNT/ops/$1/flash.oob.bin")" = "$(stat -c %s "$WORK/big.oob")"
}
if mount_trace "$big"; then
	check "1 GiB: a block read through the mount = the export's" \
		range_of_big "$(ls "$MNT/ops" | sort -n | tail -n 1)"
	unmount_trace
else
	fail "mount the 1 GiB trace" "$(tail -n 3 "$WORK/mount.err" | tr '\n' ' ')"
fi
# never leave a mount inside the directory finish removes
mountpoint -q "$MNT" && fusermount3 -u "$MNT"
finish
