#!/bin/bash
# No server can crash or hang the kernel: a MUSE server that answers
# with malformed, oversized, wrong-errno, slow and missing replies
# (tests/tools/hostiled.c), under UBI attach, UBIFS and raw MTD IO.
# Each seed's run serves at least 10,000 requests over as many
# connections as its faults end; every protocol violation and stuck
# request must end its connection with a kernel message naming it, and so
# must an error on a write sent behind (half the connections ask for
# them); no legal reply may end it, the workload must always finish, and
# the kernel must report nothing of its own (run under KASAN and lockdep).
. "$(dirname "$0")/../lib.sh"
HOSTILED=$TOP/build/tests/muse-hostiled
SEEDS=${HOSTILE_SEEDS:-1 2 3}
REQUESTS=${HOSTILE_REQUESTS:-10000}

mkdir -p "$WORK/mnt"
cat > "$WORK/workload.sh" <<'WORKLOAD'
#!/bin/sh
# One connection's work; its operations may fail, it must finish.
mnt=$1
ubi=
if ubiattach -m "$MTDNUM" >/dev/null 2>&1; then
	for d in /sys/class/ubi/ubi[0-9]*; do
		[ "$(cat "$d/mtd_num" 2>/dev/null)" = "$MTDNUM" ] && ubi=${d##*/}
	done
fi
if [ -n "$ubi" ]; then
	ubimkvol "/dev/$ubi" -N v -m >/dev/null 2>&1
	if mount -t ubifs "$ubi:v" "$mnt" 2>/dev/null; then
		dd if=/dev/urandom of="$mnt/f" bs=4k count=48 2>/dev/null
		sync
		cat "$mnt/f" > /dev/null 2>&1
		rm -f "$mnt/f" 2>/dev/null
		umount "$mnt"
	fi
	ubidetach -d "${ubi#ubi}" >/dev/null 2>&1
fi
mtd_debug read "$MTD" 0 262144 "$mnt.read" >/dev/null 2>&1
mtd_debug erase "$MTD" 0x200000 0x40000 >/dev/null 2>&1
head -c 65536 /dev/urandom > "$mnt.data"
mtd_debug write "$MTD" 0x200000 65536 "$mnt.data" >/dev/null 2>&1
mtd_debug read "$MTD" 0x200000 65536 "$mnt.read" >/dev/null 2>&1
exit 0
WORKLOAD
chmod +x "$WORK/workload.sh"

# summary_field NAME LINE: the number after NAME in the summary line
summary_field() {
	sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$2"
}

behind=0
for seed in $SEEDS; do
	out=$WORK/hostiled.$seed
	rc=0
	"$HOSTILED" --seed "$seed" --requests "$REQUESTS" --timeout 3 -- \
		"$WORK/workload.sh" "$WORK/mnt" > "$out" 2>&1 || rc=$?
	summary=$(grep '^hostiled: ' "$out")
	requests=$(sed -n 's/.*: \([0-9]*\) requests.*/\1/p' <<<"$summary")
	if [ "$rc" != 0 ] || [ -z "$summary" ]; then
		fail "hostile server, seed $seed" "exit $rc: $(grep -E '^FAIL|^  ' "$out" | head -n 5 | tr '\n' ' ') $summary"
	elif [ "${requests:-0}" -lt "$REQUESTS" ]; then
		fail "hostile server, seed $seed" "only $requests requests: $summary"
	elif [ "$(summary_field protocol "$summary")" = 0 ] ||
	     [ "$(summary_field stuck "$summary")" = 0 ] ||
	     [ "$(summary_field benign "$summary")" = 0 ]; then
		fail "hostile server, seed $seed" "a fault class never drawn: $summary"
	else
		# the counts depend on which task's request drew which fault
		echo "${summary#hostiled: }"
		pass "hostile server, seed $seed"
		behind=$((behind + $(summary_field behind "$summary")))
	fi
done
# rarer than the classes (writes sent behind are few): over all seeds
check "errors on writes sent behind drawn ($behind)" test "$behind" -gt 0

# the kernel still serves a well-behaved server afterwards
if serve_checked "after the hostile servers" --geometry nand-2k,size=16m; then
	check "UBI and UBIFS work after the hostile servers" sh -c "
		ubiattach -m $MTDNUM -d 9 >/dev/null && ubimkvol /dev/ubi9 -N v -m >/dev/null &&
		mount -t ubifs ubi9:v $WORK/mnt && echo ok > $WORK/mnt/f && sync &&
		umount $WORK/mnt && mount -t ubifs ubi9:v $WORK/mnt && grep -qx ok $WORK/mnt/f &&
		umount $WORK/mnt && ubidetach -d 9"
	serve_stop
fi
check "kernel log clean" kernel_clean
finish
