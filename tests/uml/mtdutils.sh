#!/bin/bash
# mtd-utils against a MUSE NAND: flash_erase, nandwrite -o -N then
# nanddump --oob --bb=dumpbad (PLACE mode, same bytes), mtd_debug, bad
# blocks, and images taken with nanddump served again with --image.
. "$(dirname "$0")/../lib.sh"

PAGE=2048
OOB=64
PAGES=$((8 * 64))		# eight eraseblocks
REC=$((PAGE + OOB))

# make_input PATH: random pages with OOB; bytes 0-1 of the OOB stay 0xFF
# so that no block looks bad
make_input() {
	python3 - "$1" "$PAGES" <<'PY'
import os, sys
path, pages = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as f:
    for _ in range(pages):
        f.write(os.urandom(2048))
        f.write(b"\xff\xff" + os.urandom(62))
PY
}

serve_start --geometry nand-2k,size=16m --bad-blocks 100 --save "$WORK/saved" ||
	fail "serve" "$(serve_log)"
check "bad block count in sysfs" test "$(cat /sys/class/mtd/mtd$MTDNUM/bad_blocks)" = 1
check "flash_erase skips the bad block" sh -c "flash_erase '$MTD' 0 0 2>&1 | grep -q 'Skipping bad block at 00c80000'"

make_input "$WORK/in"
check "nandwrite -o -N" nandwrite -q -o -N "$MTD" "$WORK/in"
check "nanddump --oob --bb=dumpbad" nanddump -q --oob --bb=dumpbad -l $((PAGES * PAGE)) -f "$WORK/out" "$MTD"
check "nandwrite/nanddump bytes equal" cmp "$WORK/in" "$WORK/out"

# raw (no ECC) dump of the same pages is identical on clean flash
check "nanddump --noecc" nanddump -q -n --oob --bb=dumpbad -l $((PAGES * PAGE)) -f "$WORK/out-raw" "$MTD"
check "raw dump equal" cmp "$WORK/in" "$WORK/out-raw"

head -c $((3 * PAGE)) /dev/urandom > "$WORK/pages"
check "mtd_debug erase" mtd_debug erase "$MTD" 0x200000 0x20000
check "mtd_debug write" mtd_debug write "$MTD" 0x200000 $((3 * PAGE)) "$WORK/pages"
check "mtd_debug read" mtd_debug read "$MTD" 0x200000 $((3 * PAGE)) "$WORK/back"
check "mtd_debug bytes equal" cmp "$WORK/pages" "$WORK/back"
check "unaligned write refused" sh -c "! mtd_debug write '$MTD' 0x210100 512 '$WORK/pages'"
check "unaligned erase refused" sh -c "! mtd_debug erase '$MTD' 0x200800 0x20000"

check "whole-chip dump" nanddump -q --oob --bb=dumpbad -f "$WORK/dump" "$MTD"
check "dump has marker of block 100" test "$(od -An -tx1 -j $((100 * 64 * REC + PAGE)) -N1 "$WORK/dump" | tr -d ' ')" = 00
check_serve_stop "first daemon clean"
check "--save wrote the same image" cmp "$WORK/dump" "$WORK/saved"

# a dump is what a user brings from real hardware
serve_start --image "$WORK/dump" || fail "serve --image" "$(serve_log)"
check "bad block found from the marker" test "$(cat /sys/class/mtd/mtd$MTDNUM/bad_blocks)" = 1
check "image dump" nanddump -q --oob --bb=dumpbad -f "$WORK/dump2" "$MTD"
check "image served byte for byte" cmp "$WORK/dump" "$WORK/dump2"
check_serve_stop "image daemon clean"

serve_start --geometry nand-2k,size=16m --read-only || fail "serve --read-only" "$(serve_log)"
check "read-only device says so" sh -c "mtdinfo '$MTD' | grep -q 'Device is writable: *false'"
# mtdchar refuses to open a read-only device for writing
check "read-only device refuses writes" sh -c "! mtd_debug write '$MTD' 0 2048 '$WORK/pages'"
check "read-only device reads" mtd_debug read "$MTD" 0 2048 "$WORK/back"
check_serve_stop "read-only daemon clean"

# a datasheet rule broken through the kernel: logged, counted, exit 3
head -c 2048 /dev/zero > "$WORK/zero"
violation() {
	local rc=0
	serve_stop || rc=$?
	[ "$rc" = 3 ] && grep -q "out of order: block 0 page 0 (page 2 already programmed)" "$WORK/serve.err"
}
serve_start --geometry nand-2k,size=16m || fail "serve" "$(serve_log)"
mtd_debug write "$MTD" 0x1000 2048 "$WORK/zero" > /dev/null
check "out-of-order program still ANDs (chips do not refuse)" mtd_debug write "$MTD" 0 2048 "$WORK/zero"
if violation; then pass "violation logged, exit status 3"; else fail "violation logged, exit status 3" "$(serve_log)"; fi
serve_start --geometry nand-2k,size=16m --strict || fail "serve --strict" "$(serve_log)"
mtd_debug write "$MTD" 0x1000 2048 "$WORK/zero" > /dev/null
check "--strict refuses the program" sh -c "! mtd_debug write '$MTD' 0 2048 '$WORK/zero'"
if violation; then pass "strict violation logged"; else fail "strict violation logged" "$(serve_log)"; fi

check "kernel log clean" kernel_clean
finish
