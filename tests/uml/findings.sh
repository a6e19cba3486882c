#!/bin/bash
# The kernel behaviours docs/findings.md records, reproduced from the
# committed trace tests/data/jffs2-nand-cuts.db (JFFS2 on nand-2k,size=2m,
# recorded from tests/data/jffs2-nand-cuts.workload), tests/data/jffs2-nor-dir-rename.db
# (F5) and the images kept
# in tests/findings/ (those that need KASAN: findings-kasan.sh).  A pinned trace gives
# the same verdicts on every run: the sweep's list of failures is checked
# whole.  Should a kernel fix one of them, this test says so.
. "$(dirname "$0")/../lib.sh"

t=$WORK/jffs2-nand-cuts.db
cp "$TOP/tests/data/jffs2-nand-cuts.db" "$t"
READ_ALL='find . -type f -exec cat {} + > /dev/null'

# verdict NAME OUT ARGS...: muse replay TRACE ARGS --verdict, output in OUT
verdict() {
	local out=$WORK/$1.out
	shift
	"$MUSE" replay "$t" "$@" --verdict > "$out" 2>&1
	echo $?
}

# F1: a power cut in the first node written after mkfs leaves a JFFS2
# that refuses to mount
check "F1 the state before op 33 mounts" test "$(verdict f1-clean --at 32)" = 0
for cut in "torn --seed 2" "unstable --seed 1"; do
	# shellcheck disable=SC2086
	rc=$(verdict f1 --at 32 --cut $cut)
	check "F1 op 33 cut ($cut): mount fails with EIO" sh -c \
		"[ $rc = 1 ] && grep -q '^reason: mounting .*: Input/output error' '$WORK/f1.out' &&
		 grep -q 'Cowardly refusing to erase blocks on filesystem with no valid JFFS2 nodes' '$WORK/f1.out'"
done

# F2: a node whose data CRC was checked once is trusted; a later read of
# its undecided cells fails and the file reads EIO
rc=$(verdict f2 --at 39 --cut unstable --seed 4 --check "$READ_ALL")
check "F2 op 40 cut (unstable, seed 4): ./written reads EIO after a good first check" sh -c \
	"[ $rc = 1 ] && grep -q 'cat: ./written: Input/output error' '$WORK/f2.out' &&
	 grep -q 'check_node_data: wrong data CRC\|Data CRC .* != calculated CRC' '$WORK/f2.out' &&
	 grep -qx 'unstable reads: 0x1c3800 4/3' '$WORK/f2.out'"
check "F2 the file made durable before is intact" grep -q '^reason: --check exited' "$WORK/f2.out"
rc=$(verdict f2-seed1 --at 39 --cut unstable --seed 1 --check "$READ_ALL")
check "F2 the same cut, seed 1: every read corrected, a pass" sh -c \
	"[ $rc = 0 ] && grep -qx 'unstable reads: 0x1c3800 5/0' '$WORK/f2-seed1.out'"

# F4 (muse fuzz image): UBIFS asserts on a data node's sequence number as
# read from flash (one field changed, its CRC recomputed) instead of
# rejecting the node, and goes read-only
xz -dc "$TOP/tests/findings/ubifs-data-sqnum-assert.oob.xz" > "$WORK/sqnum.oob"
dmesg -c > /dev/null
mkdir -p "$WORK/mnt"
if serve_checked "F4" --geometry nand-2k,size=16m --image "$WORK/sqnum.oob"; then
	ubiattach -m "$MTDNUM" -d 7 > /dev/null 2>&1 &&
		mount -t ubifs ubi7_0 "$WORK/mnt" &&
		find "$WORK/mnt" -type f -exec cat {} + > /dev/null 2>&1
	check "F4 reading the kept image: UBIFS assert failed (file.c:62), read-only" sh -c \
		"dmesg | grep -q 'UBIFS assert failed: le64_to_cpu(dn->ch.sqnum) > ubifs_inode(inode)->creat_sqnum, in fs/ubifs/file.c:62' &&
		 dmesg | grep -q 'switched to read-only mode'"
	umount "$WORK/mnt" 2> /dev/null
	ubidetach -d 7 > /dev/null 2>&1
	serve_stop
fi

# F5 (a sweep of tests/data/jffs2-nor-dir-rename.db, JFFS2 on nor-64k,size=2m):
# a power cut between the two dirents of a directory's rename leaves the
# directory under both names; JFFS2 logs it as a hard-linked directory
d=$WORK/dir-rename.db
cp "$TOP/tests/data/jffs2-nor-dir-rename.db" "$d"
"$MUSE" replay "$d" --at 669 --verdict --check 'ls -d d1 d2 > /dev/null' > "$WORK/f5.out" 2>&1
check "F5 cut between a directory rename's dirents: the directory has both names" \
	grep -q 'jffs2_build_filesystem: child dir "d2" (ino #2) of dir ino #1 is also hard linked' \
	"$WORK/f5.out"
"$MUSE" replay "$d" --at 667 --verdict > "$WORK/f5-before.out" 2>&1
rc=$?
"$MUSE" replay "$d" --at 670 --verdict > "$WORK/f5-after.out" 2>&1
check "F5 before the rename and after it, the state passes" test "$rc:$?" = 0:0

# the sweep of the pinned trace: exactly these failures, every run
"$MUSE" sweep "$t" --models unstable --seeds 4 --range 32..50 --results "$WORK/r.db" \
	--check "$READ_ALL" > "$WORK/sweep.out" 2>&1
got=$(sqlite3 -readonly "$WORK/r.db" "SELECT group_concat(n || ':' || seed, ' ') FROM
	(SELECT n, seed FROM results WHERE verdict != 'pass' ORDER BY n, seed)")
check "sweep 32..50 unstable x4: failures exactly 32:1 32:2 32:3 39:4 49:3 (got: $got)" \
	test "$got" = "32:1 32:2 32:3 39:4 49:3"
check "the sweep's reproduce command carries --verdict and --check" \
	grep -q "muse replay .* --at 39 --cut unstable --seed 4 --verdict --check 'find" "$WORK/sweep.out"

# the same sweep's failures as files: muse mount --results
if ! fuse_usable; then
	skip "muse mount --results on the sweep" "no usable /dev/fuse or no fusermount3 here"
elif mount_trace --results "$WORK/r.db" "$t"; then
	id=$(sha256sum < "$t" | cut -c1-12)
	f=$MNT/failures/$id-39-unstable-4
	check "mount --results: one directory per failure" test "$(ls "$MNT/failures" | tr '\n' ' ')" = \
		"$id-32-unstable-1 $id-32-unstable-2 $id-32-unstable-3 $id-39-unstable-4 $id-49-unstable-3 "
	"$MUSE" replay "$t" --at 39 --cut unstable --seed 4 --export "$WORK/f39.bin" > /dev/null
	check "mount --results: the failing state is what replay exports" cmp "$WORK/f39.bin" "$f/flash.oob.bin"
	check "mount --results: kernel.log is the sweep's" cmp "$f/kernel.log" \
		<(sqlite3 -readonly "$WORK/r.db" "SELECT log FROM results WHERE n = 39 AND seed = 4" | head -c -1)
	sh -c "$(sed "s|^muse |'$MUSE' |" "$f/reproduce")" > "$WORK/repro.out" 2>&1
	rc=$?
	# the sweep adds what replay prints on a line of its own: [unstable reads ...]
	reason=$(sed 's/ \[.*\]$//' "$f/reason")
	check "mount --results: reproduce fails again (exit $rc), for the same reason" \
		sh -c "[ $rc = 1 ] && grep -qxF 'reason: $reason' '$WORK/repro.out'"
	unmount_trace
else
	fail "mount --results on the sweep" "$(tail -n 3 "$WORK/mount.err" | tr '\n' ' ')"
fi
finish
