#!/bin/bash
# Faults (docs/faults.md) as the kernel meets them.  A block that goes
# bad under a UBIFS workload: UBI recovers the data, marks the block bad,
# no file is lost; one failed program: the data moves, the PEB passes
# torture and stays in use.  Read disturb: UBI sees -EUCLEAN and scrubs.  Wear-out:
# the bad-block reserve runs out and UBI goes read-only, files still
# readable.  JFFS2 on NAND and NOR: a failed write is written again
# elsewhere.  Each recorded run replays, byte for byte, to the flash the
# daemon ended with, and "muse inspect --faults" lists what happened.
. "$(dirname "$0")/../lib.sh"

G=nand-2k,size=16m
mkdir -p "$WORK/mnt"

# a workload writing two files, their checksums left in $WORK/sums
cat > "$WORK/write" <<W
#!/bin/bash
set -e
head -c 300000 /dev/urandom > "\$MUSE_MNT/a"; sync
head -c 200000 /dev/urandom > "\$MUSE_MNT/b"; sync
mkdir "\$MUSE_MNT/d"; head -c 70000 /dev/urandom > "\$MUSE_MNT/d/c"; sync
cd "\$MUSE_MNT" && sha256sum a b d/c > "$WORK/sums"
W
chmod +x "$WORK/write"

# recorded TAG GEOMETRY FS PLAN: records the workload under PLAN; the end
# state must replay byte for byte
recorded() {
	local tag=$1 t=$WORK/$1.db
	dmesg -C
	if ! "$MUSE" record --trace "$t" --geometry "$2" --fs "$3" --faults "$4" \
		--save "$WORK/$tag.end" -- "$WORK/write" > "$WORK/$tag.out" 2>&1; then
		fail "$tag record" "$(tail -n 5 "$WORK/$tag.out" | tr '\n' ' ')"
		return 1
	fi
	pass "$tag record"
	dmesg > "$WORK/$tag.dmesg"
	"$MUSE" inspect "$t" --faults > "$WORK/$tag.faults"
	check "$tag replay to the end is the daemon's flash" sh -c \
		"'$MUSE' replay '$t' --at end --export '$WORK/$tag.replayed' && cmp '$WORK/$tag.end' '$WORK/$tag.replayed'"
	check "$tag plan kept in the trace" sh -c "'$MUSE' inspect '$t' | grep -q 'faults .*seed='"
}

# files_intact TAG GEOMETRY FS: the saved end state mounts with every file
files_intact() {
	local tag=$1
	serve_checked "$tag intact" --geometry "$2" --image "$WORK/$tag.end" || return
	if [ "$3" = ubifs ]; then
		ubiattach -p "$MTD" -d 0 > /dev/null && mount -t ubifs ubi0:data "$WORK/mnt"
	else
		mount -t jffs2 "mtd$MTDNUM" "$WORK/mnt"
	fi || fail "$tag mount the end state" "$(dmesg | tail -n 3 | tr '\n' ' ')"
	check "$tag every file intact" sh -c "cd '$WORK/mnt' && sha256sum --quiet -c '$WORK/sums'"
	umount "$WORK/mnt"
	[ "$3" = ubifs ] && ubidetach -d 0
	serve_stop
}

# ---- UBIFS: the block the workload first writes goes bad ---------------------
if recorded grown $G ubifs seed=1,grown-bad@op=1; then
	bad=$(awk '/grown-bad .*now bad/ {print $6; exit}' "$WORK/grown.faults")
	check "grown: inspect lists the block gone bad" test -n "$bad"
	check "grown: UBI saw the failure and marked PEB $bad bad" \
		grep -q "mark PEB $bad as bad" "$WORK/grown.dmesg"
	check "grown: the markbad is in the trace" sh -c \
		"'$MUSE' inspect '$WORK/grown.db' --ops --kind markbad --block '$bad' | grep -q markbad"
	check "grown: later ops on the block failed with EIO" sh -c \
		"'$MUSE' inspect '$WORK/grown.db' --ops --block '$bad' --json | grep -q '\"result\": -5'"
	check "grown: kernel log clean" sh -c "! grep -E '$KERNEL_BAD' '$WORK/grown.dmesg'"
	files_intact grown $G ubifs
fi

# ---- UBI: read disturb makes UBI scrub ---------------------------------------------
dmesg -C
if serve_checked disturb --geometry $G --image "$WORK/grown.end" --faults seed=3,read-disturb=1; then
	ubiattach -p "$MTD" -d 0 > /dev/null && mount -t ubifs ubi0:data "$WORK/mnt"
	ok=1
	for _ in $(seq 1 40); do
		echo 3 > /proc/sys/vm/drop_caches
		(cd "$WORK/mnt" && sha256sum --quiet -c "$WORK/sums") > /dev/null 2>&1 || ok=0
		dmesg | grep -q 'scrubbed PEB' && break
	done
	check "disturb: every read returned the files" test $ok = 1
	check "disturb: UBI saw a fixable bit-flip" sh -c "dmesg | grep -q 'fixable bit-flip detected at PEB'"
	check "disturb: UBI scrubbed the PEB" sh -c "dmesg | grep -q 'scrubbed PEB'"
	check "disturb: the daemon reported the flips" grep -q 'fault .*read-disturb' "$WORK/serve.err"
	umount "$WORK/mnt"
	ubidetach -d 0
	serve_stop
	check "disturb: kernel log clean" kernel_clean
fi

# ---- UBIFS: one program fails once: the PEB passes torture and stays in use -----
# (after the read-disturb test: that one reads the files grown wrote, and
# this workload writes new ones)
if recorded once $G ubifs seed=1,program-fail@op=1; then
	peb=$(sed -n 's/.*run torture test for PEB \([0-9]*\).*/\1/p' "$WORK/once.dmesg" | head -n 1)
	check "once: UBI moved the data off the failing PEB" grep -q 'data was successfully recovered' \
		"$WORK/once.dmesg"
	check "once: UBI tortured the PEB" test -n "$peb"
	check "once: PEB $peb passed torture and was not marked bad" sh -c \
		"grep -q 'PEB $peb passed torture test, do not mark it as bad' '$WORK/once.dmesg' &&
		 ! grep -q 'mark PEB .* as bad' '$WORK/once.dmesg'"
	check "once: kernel log clean" sh -c "! grep -E '$KERNEL_BAD' '$WORK/once.dmesg'"
	files_intact once $G ubifs
fi

# ---- UBI: wear-out runs the reserve dry, UBI goes read-only -------------------------
dmesg -C
if serve_checked wear --geometry $G --faults seed=5,wear=4; then
	ubiformat -q -y "$MTD" && ubiattach -p "$MTD" -d 0 > /dev/null &&
		ubimkvol /dev/ubi0 -N data -m > /dev/null &&
		mount -t ubifs ubi0:data "$WORK/mnt" &&
		random_file "$WORK/mnt/keep" 100000 && sync &&
		(cd "$WORK/mnt" && sha256sum keep > "$WORK/keep.sum") ||
		fail "wear: prepare" "$(dmesg | tail -n 3 | tr '\n' ' ')"
	for i in $(seq 1 300); do
		head -c 1000000 /dev/zero > "$WORK/mnt/churn" 2>/dev/null && sync 2>/dev/null ||
			break
		rm -f "$WORK/mnt/churn"
		dmesg | grep -q 'read-only mode' && break
	done
	echo "wear: $i rounds; $(grep -c 'mark PEB' <(dmesg)) PEBs marked bad"
	check "wear: blocks marked bad one by one" sh -c "dmesg | grep -q 'PEBs left in the reserve'"
	check "wear: UBI ran out of reserve and went read-only" sh -c \
		"dmesg | grep -q 'no reserved/available physical eraseblocks' && dmesg | grep -q 'read-only mode'"
	check "wear: writes now fail" sh -c \
		"! dd if=/dev/zero of='$WORK/mnt/new' bs=64k count=4 conv=fsync 2>/dev/null"
	check "wear: the file written before still reads" sh -c "cd '$WORK/mnt' && sha256sum --quiet -c '$WORK/keep.sum'"
	umount "$WORK/mnt" 2>/dev/null
	ubidetach -d 0
	serve_stop
	check "wear: the daemon counted the worn blocks" grep -q 'faults: .* wear [0-9]' "$WORK/serve.err"
fi

# ---- JFFS2: a failed write is written again elsewhere ---------------------------------
for geo in nand-2k,size=16m nor-64k,size=8m; do
	tag=jffs2-${geo%%-*}
	recorded "$tag" "$geo" jffs2 seed=2,program-fail@op=1 || continue
	check "$tag: inspect lists the failed program" grep -q 'program-fail' "$WORK/$tag.faults"
	check "$tag: JFFS2 saw the write fail" grep -qiE 'jffs2.*(write|wbuf).*(fail|error)' "$WORK/$tag.dmesg"
	check "$tag: kernel log clean" sh -c "! grep -E '$KERNEL_BAD' '$WORK/$tag.dmesg'"
	files_intact "$tag" "$geo" jffs2
done

finish
