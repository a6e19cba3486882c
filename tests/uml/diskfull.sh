#!/bin/bash
# The disk holding the trace fills up while recording: the recording stops
# with a clear message, later writes fail (the workload stops), the trace
# stays valid, nothing acknowledged is lost, and "muse recover" completes
# the trace once there is room again.
. "$(dirname "$0")/../lib.sh"

small=$WORK/small
mkdir -p "$small"
mount -t tmpfs -o size=72m tmpfs "$small" || { fail "tmpfs" "cannot mount"; finish; exit 1; }
check "a too full disk is refused at start" sh -c \
	"head -c 20m /dev/zero > '$small/fill' && ! '$MUSE' serve --trace '$small/x.db' 2> '$WORK/err' && grep -q 'a trace needs room' '$WORK/err'"
rm -f "$small/fill"

for k in $(seq 0 15); do head -c 2048 /dev/urandom > "$WORK/page$k"; done
t=$small/t.db
serve_start --geometry nand-2k,size=64m --trace "$t" || fail "serve" "$(serve_log)"
# leave room for a little trace only
head -c $((62 << 20)) /dev/zero > "$small/fill" 2>/dev/null
: > "$WORK/acks"
stopped=0
for b in $(seq 0 511); do
	flash_erase -q "$MTD" $((b * 131072)) 1 || { stopped=1; break; }
	for p in $(seq 0 63); do
		k=$(((b * 64 + p) % 16))
		mtd_debug write "$MTD" $((b * 131072 + p * 2048)) 2048 "$WORK/page$k" > /dev/null 2>&1 ||
			{ stopped=1; break 2; }
		echo "$((b * 64 + p)) $k" >> "$WORK/acks"
	done
done
check "the workload was stopped by a failing write" test "$stopped" = 1
check "the recorder says why" grep -q "recording stopped: .*full" "$WORK/serve.err"
if serve_stop; then
	fail "the recorder exits with an error" "exit status 0"
else
	pass "the recorder exits with an error"
fi
check "the message names the journal and muse recover" grep -q "journal.muse; free space, then run \"muse recover" "$WORK/serve.err"
rm -f "$small/fill"
check "muse recover completes the trace" "$MUSE" recover "$t"
check "every acknowledged write is in the trace ($(wc -l < "$WORK/acks") writes)" \
	"$TOP/build/tests/muse-killcheck" "$t" "$WORK/acks" "$WORK"
umount "$small"
check "kernel log clean" kernel_clean
finish
