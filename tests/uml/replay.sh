#!/bin/bash
# Replaying: the state after op N is what the recording daemon held right
# after op N (snapshots taken through the kernel during the recording,
# data and OOB); at every mark declaring files the filesystem mounts and
# holds them; cuts of sampled ops after mkfs-done, with every model,
# attach and recover; the trace is never modified; bad input is refused.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$WORK/snaps"
# The workload snapshots the flash at quiet moments: mark, read the whole
# chip through the kernel, mark again.  A snapshot counts only where no op
# landed between the two marks.
cat > "$WORK/workload" <<'W'
#!/bin/bash
set -e
snap() {
	sync
	muse mark "$1"
	if [ "$(cat /sys/class/mtd/${MUSE_MTD#/dev/}/type)" = nand ]; then
		nanddump -q --oob --bb=dumpbad -f "$SNAPS/$1" "$MUSE_MTD"
	else
		dd if="$MUSE_MTD" of="$SNAPS/$1" bs=65536 status=none
	fi
	muse mark "$1-end"
}
mkdir -p "$MUSE_MNT/d"
for i in 1 2 3 4 5; do
	head -c $((i * 37000)) /dev/urandom > "$MUSE_MNT/d/f$i"
	seq $i 7 $((i * 20000)) > "$MUSE_MNT/t$i"
	sync
	muse mark "w$i" --expect "$MUSE_MNT/d/f$i" --expect "$MUSE_MNT/t$i"
	snap "s$i"
done
rm "$MUSE_MNT/d/f2"
seq 1 5000 >> "$MUSE_MNT/t3"
sync
muse mark changed --absent "$MUSE_MNT/d/f2" --in-place "$MUSE_MNT/t3"
snap s6
# churn COUNT KIB: rewritten and deleted data, until the filesystem erases
for i in $(seq 1 ${CHURN% *}); do
	head -c $((${CHURN#* } * 1024)) /dev/urandom > "$MUSE_MNT/churn"
	sync
	rm "$MUSE_MNT/churn"
	sync
done
W
chmod +x "$WORK/workload"

sql() { sqlite3 -readonly "$1" "$2"; }

# snapshots GEOMETRY TAG: the replayed state equals each valid snapshot
check_snapshots() {
	local t=$1 tag=$2 fmt=$3 n=0 s a b
	for s in s1 s2 s3 s4 s5 s6; do
		a=$(sql "$t" "SELECT after_seq FROM marks WHERE name = '$s'")
		b=$(sql "$t" "SELECT after_seq FROM marks WHERE name = '$s-end'")
		[ -n "$a" ] && [ "$a" = "$b" ] || continue
		"$MUSE" replay "$t" --at "$a" --export "$WORK/$tag.$s" --format "$fmt" > /dev/null &&
			cmp -s "$WORK/$tag.$s" "$WORK/snaps/$s" || {
			fail "$tag state after op $a equals the daemon's flash" "differs from snapshot $s"
			return
		}
		n=$((n + 1))
		rm -f "$WORK/$tag.$s"
	done
	if [ "$n" -ge 4 ]; then
		pass "$tag state after op N equals the daemon's flash ($n snapshots, data and OOB)"
	else
		fail "$tag snapshots" "only $n of 6 snapshots were taken at a quiet moment"
	fi
}

# every mark that declares files, and mkfs-done: the filesystem mounts and
# holds what the mark declared (the snapshot marks, with no op between
# them and the mark before, would replay the same states again)
check_marks() {
	local t=$1 tag=$2 mark out bad= marks=0 files=0
	while read -r mark; do
		marks=$((marks + 1))
		out=$WORK/$tag.listing
		if ! "$MUSE" replay "$t" --at "mark:$mark" < /dev/null > "$out" 2>&1; then
			bad="$bad $mark(mount: $(grep -m1 -v kernel "$out"))"
			continue
		fi
		while IFS='|' read -r kind path size sha; do
			files=$((files + 1))
			case $kind in
			expect | in-place) grep -qx "file  $path $size $sha" "$out" || bad="$bad $mark:$path" ;;
			absent) ! grep -q "^file  $path " "$out" || bad="$bad $mark:$path-present" ;;
			esac
		done < <(sql "$t" "SELECT f.kind, f.path, f.size, lower(hex(f.sha256)) FROM mark_files f
				   JOIN marks m ON m.id = f.mark WHERE m.name = '$mark'")
	done < <(sql "$t" "SELECT name FROM marks m WHERE name = 'mkfs-done' OR EXISTS
			   (SELECT 1 FROM mark_files f WHERE f.mark = m.id) ORDER BY id")
	if [ -z "$bad" ] && [ $marks -ge 7 ] && [ $files -ge 12 ]; then
		pass "$tag every mark declaring files mounts with them ($marks marks, $files files)"
	else
		bad="$bad ($marks marks, $files files checked)"
		fail "$tag every mark declaring files mounts with them" "$bad"
	fi
}

# cut_as_expected TAG MODEL RC OUT: what a cut must come to.  Every cut
# recovers and reads back, except JFFS2 on NAND under unstable: JFFS2
# trusts a node it read once, and when a later read of the same undecided
# page fails ECC the file (or, for an erase cut, the whole mount) gives
# EIO (docs/findings.md).  There the suite expects exactly that and no
# worse: EIO from an ECC or CRC failure, never wrong data, a kernel
# report or a hang.
cut_as_expected() {
	local tag=$1 model=$2 rc=$3 out=$4
	[ "$rc" = 0 ] && return 0
	[ "$tag" = jffs2-nand ] && [ "$model" = unstable ] && [ "$rc" = 1 ] || return 1
	grep -q 'Input/output error' "$out" || grep -qE '^reason: kernel: .*jffs2: .*(CRC failed|ECC error)' "$out" || return 1
	grep -qE '^reason: (--check exited with status 1|mounting .*: Input/output error|.* cannot be read: Input/output error|kernel: .*jffs2: )' "$out" &&
		! grep -qE 'BUG|WARNING:|Oops|KASAN|UBSAN' "$out"
}

# sampled cut points after mkfs-done, every model that applies
check_cuts() {
	local t=$1 tag=$2 from kind n model seeds seed rc bad= count=0
	from=$(sql "$t" "SELECT after_seq FROM marks WHERE name = 'mkfs-done'")
	while IFS='|' read -r n kind; do
		case $kind in
		1) models="clean torn unstable" ;;
		2) models="clean erase unstable" ;;
		*) continue ;;
		esac
		for model in $models; do
			# a clean cut draws nothing: one seed is all there is
			seeds="1 2"
			[ $model = clean ] && seeds=1
			for seed in $seeds; do
				rc=0
				# the sweep's judgement; UBIFS's self-checks are sweep.sh's
				"$MUSE" replay "$t" --at $((n - 1)) --cut $model --seed $seed --verdict \
					--no-debug-checks --check 'find . -type f -exec cat {} + > /dev/null' \
					< /dev/null > "$WORK/cut.out" 2>&1 || rc=$?
				head -n 1 "$WORK/cut.out" >> "$WORK/$tag.cuts"
				count=$((count + 1))
				cut_as_expected "$tag" "$model" "$rc" "$WORK/cut.out" ||
					bad="$bad [muse replay TRACE --at $((n - 1)) --cut $model --seed $seed --verdict: $rc $(grep -m1 '^reason' "$WORK/cut.out")]"
			done
		done
	done < <(sql "$t" "SELECT * FROM (SELECT seq, kind FROM ops WHERE seq > $from
			   AND kind = 1 AND seq % 13 = 0 LIMIT 5) UNION ALL
			   SELECT * FROM (SELECT seq, kind FROM ops WHERE seq > $from AND kind = 2 LIMIT 4)")
	if [ -z "$bad" ] && [ $count -ge 30 ]; then
		pass "$tag $count cuts after mkfs-done recover and read back (or, JFFS2 under unstable, fail with EIO only)"
	else
		bad="$bad ($count cuts)"
		fail "$tag cuts after mkfs-done" "$bad"
	fi
}

replay_suite() {
	local geometry=$1 fs=$2 tag=$3 fmt=$4 churn=$5 t=$WORK/$3.db sum
	rm -f "$WORK"/snaps/*
	if ! SNAPS=$WORK/snaps CHURN=$churn "$MUSE" record --trace "$t" --geometry "$geometry" --fs "$fs" \
		-- "$WORK/workload" > "$WORK/$tag.out" 2>&1; then
		fail "$tag record" "$(tail -n 5 "$WORK/$tag.out" | tr '\n' ' ')"
		return
	fi
	sum=$(sha256sum < "$t")
	check_snapshots "$t" "$tag" "$fmt"
	check_marks "$t" "$tag"
	check_cuts "$t" "$tag"
	check "$tag trace unchanged by replaying" test "$(sha256sum < "$t")" = "$sum"
	check "$tag checkpoints next to the trace" test -s "$t.checkpoints"
	check "$tag erases after mkfs-done were cut" grep -q "erase of block" "$WORK/$tag.cuts"
}

# the churn makes UBI and JFFS2 erase after mkfs-done: erase cuts to test
replay_suite nand-2k,size=16m ubifs ubifs nanddump-oob "2 512"
replay_suite nand-2k,size=16m jffs2 jffs2-nand nanddump-oob "12 1024"
replay_suite nor-64k,size=2m jffs2 jffs2-nor raw "5 200"


t=$WORK/ubifs.db
check "--no-mount leaves UBI attached, nothing mounted" "$MUSE" replay "$t" --at mark:w3 --no-mount -- \
	sh -c 'test -c "$MUSE_UBI" && test -z "${MUSE_MNT:-}" && ! grep -q " ubifs " /proc/mounts'
check "mtd-utils read the replayed chip" "$MUSE" replay "$t" --at mark:w3 --no-mount -- \
	sh -c 'nanddump -q -l 4096 -f /dev/null "$MUSE_MTD"'
check "writes stay in the replay: the state is the same next time" sh -c "
	'$MUSE' replay '$t' --at mark:w2 -- sh -c 'rm -f t1 d/f1; sync' > /dev/null 2>&1 &&
	'$MUSE' replay '$t' --at mark:w2 < /dev/null | grep -q '^file  t1 '"

# bad input: a clear message, a non-zero exit
refused() {
	local name=$1 msg=$2 rc=0
	shift 2
	"$@" > "$WORK/refused" 2>&1 || rc=$?
	if [ $rc != 0 ] && grep -q "$msg" "$WORK/refused"; then
		pass "refused: $name"
	else
		fail "refused: $name" "status $rc: $(head -n 2 "$WORK/refused" | tr '\n' ' ')"
	fi
}
last=$(sql "$t" "SELECT max(seq) FROM ops")
refused "N beyond the end" "the trace has $last ops" "$MUSE" replay "$t" --at $((last + 1)) --export "$WORK/x"
refused "unknown mark" 'no mark "nosuch"' "$MUSE" replay "$t" --at mark:nosuch --export "$WORK/x"
refused "model typo" 'unknown cut model "tron"' "$MUSE" replay "$t" --at 5 --cut tron --export "$WORK/x"
refused "model that does not apply" "does not apply" "$MUSE" replay "$t" --at "$last" --cut torn --export "$WORK/x"
cp "$t" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "PRAGMA user_version = 99"
refused "trace from a newer version" "upgrade muse" "$MUSE" replay "$WORK/newer.db" --at 1 --export "$WORK/x"
echo "not a trace" > "$WORK/foreign.db"
refused "not a trace" "not" "$MUSE" replay "$WORK/foreign.db" --at 1 --export "$WORK/x"

check "kernel log clean" kernel_clean
finish
