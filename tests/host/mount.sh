#!/bin/bash
# muse mount: every state of a trace as files, the same bytes as muse
# replay --export writes, for ops, cuts and marks; read by several
# readers at once; a 1 GiB chip read in part; the trace never written.
. "$(dirname "$0")/../lib.sh"

if ! fuse_usable; then
	skip "muse mount" "no usable /dev/fuse or no fusermount3 here"
	finish
	exit 0
fi

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

# --results: a results file of the schema muse sweep writes (the sweep
# in tests/uml/findings.sh checks the tree against a real one)
R=$WORK/r.db
sqlite3 "$R" < "$TOP/schema/results/001-initial.sql"
sqlite3 "$R" "PRAGMA user_version = 1;
	INSERT INTO meta VALUES ('trace_sha256', '$(sha256sum < "$T" | cut -c1-64)'),
		('replay_args', ' --check ''cat written''');
	INSERT INTO results VALUES (39, 'unstable', 4, 'fail', '--check exited 1', 9, 'the log');
	INSERT INTO results VALUES (20, 'clean', 0, 'fail', 'mounting: EIO', 9, 'log 2');
	INSERT INTO results VALUES (21, 'torn', 1, 'pass', NULL, 9, NULL)"
R_before=$(sha256sum < "$R")
id=$(sha256sum < "$T" | cut -c1-12)
f=$MNT/failures/$id-39-unstable-4
if mount_trace --results "$R" "$T"; then
	check "failures/ lists the points that did not pass" \
		test "$(ls "$MNT/failures" | tr '\n' ' ')" = "$id-20-clean-0 $id-39-unstable-4 "
	check "failures/ID/flash.oob.bin = replay --at 39 --cut unstable --seed 4 --export" \
		same_as_export 39 "$f/flash.oob.bin" --cut unstable --seed 4
	check "failures/ID/flash.bin = the same, raw" \
		same_as_export 39 "$f/flash.bin" --cut unstable --seed 4 --format raw
	check "unstable cells read the same on every read" cmp "$f/flash.bin" "$f/flash.bin"
	check "a clean point's state is its op's" \
		cmp "$MNT/failures/$id-20-clean-0/flash.oob.bin" "$MNT/ops/20/flash.oob.bin"
	check "verdict, reason and kernel.log are the results file's" \
		cmp <(printf 'fail\n--check exited 1\nthe log') \
		<(cat "$f/verdict" "$f/reason" "$f/kernel.log")
	check "reproduce is the replay command with the sweep's checks" test "$(cat "$f/reproduce")" = \
		"muse replay $(realpath "$T") --at 39 --cut unstable --seed 4 --verdict --check 'cat written'"
	unmount_trace
else
	fail "mount with --results" "$(tail -n 3 "$WORK/mount.err" | tr '\n' ' ')"
fi
check "the results file is not written" test "$(sha256sum < "$R")" = "$R_before"

# refused WANT OPTIONS: muse mount fails, says WANT and mounts nothing
refused() {
	local want=$1
	shift
	! "$MUSE" mount "$@" "$T" "$MNT" 2> "$WORK/refused.err" &&
	grep -q -- "$want" "$WORK/refused.err" && ! mountpoint -q "$MNT"
}
sqlite3 "$WORK/other.db" "CREATE TABLE x (a)"
cp "$R" "$WORK/r2.db"
sqlite3 "$WORK/r2.db" "UPDATE meta SET value = '00' || substr(value, 3) WHERE key = 'trace_sha256'"
check "--results refused: no such file" refused "No such file" --results "$WORK/nosuch.db"
check "--results refused: not a results file" refused "not a sweep's results file" --results "$WORK/other.db"
check "--results refused: another trace's sweep" refused "is the sweep of another trace" --results "$WORK/r2.db"

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
finish
