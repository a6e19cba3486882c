#!/bin/bash
# ECC as a NAND controller reports it: cells flipped with --flip-bits are
# corrected within the strength (data intact, corrected_bits counts them,
# -EUCLEAN from the bitflip threshold on, which makes UBI scrub), beyond
# it the raw cells come back and ecc_failures counts the step; raw reads
# see the flips; an erase clears them.
. "$(dirname "$0")/../lib.sh"

PAGE=2048
sysfs() { cat "/sys/class/mtd/mtd$MTDNUM/$1"; }
ff_page() { head -c $PAGE /dev/zero | tr '\0' '\377' > "$1"; }
ff_page "$WORK/ff"

# page 1: three flips in ECC step 0, five in step 1 (strength 4); no
# read cache, so that a read covers only the steps it asks for
flips=0x800.0,0x801.1,0x802.2,0xa00.0,0xa00.1,0xa01.0,0xa02.5,0xa03.7
serve_start --geometry nand-2k,size=16m --flip-bits $flips --read-cache 0 ||
	fail "serve" "$(serve_log)"
check "threshold from the geometry" test "$(sysfs bitflip_threshold)" = 3
mtd_debug read "$MTD" 0x800 512 "$WORK/step0" > /dev/null
head -c 512 "$WORK/ff" > "$WORK/ff512"
check "step within strength reads corrected" cmp "$WORK/step0" "$WORK/ff512"
check "corrected bits counted" test "$(sysfs corrected_bits)" = 3
check "no failure yet" test "$(sysfs ecc_failures)" = 0
mtd_debug read "$MTD" 0xa00 512 "$WORK/step1" > /dev/null
check "step beyond strength reads raw" test "$(od -An -tx1 -N4 "$WORK/step1" | tr -d ' ')" = fcfedf7f
check "failed step counted" test "$(sysfs ecc_failures)" = 1
nanddump -q -n -s 0x800 -l $PAGE -f "$WORK/raw" "$MTD"
check "raw read shows the flipped cells" test "$(od -An -tx1 -N3 "$WORK/raw" | tr -d ' ')" = fefdfb
check "erase" flash_erase -q "$MTD" 0 1
mtd_debug read "$MTD" 0x800 $PAGE "$WORK/page" > /dev/null
check "erase clears the flips" cmp "$WORK/page" "$WORK/ff"
check "no more corrections after the erase" test "$(sysfs corrected_bits)" = 3
check_serve_stop "flip daemon clean"

# with the read cache, MUSE reads whole pages, like a controller without
# subpage reads: the failing step 1 shows in a read of step 0
serve_start --geometry nand-2k,size=16m --flip-bits $flips || fail "serve" "$(serve_log)"
mtd_debug read "$MTD" 0x800 512 "$WORK/step0" > /dev/null
check "cached: step 0 still corrected" cmp "$WORK/step0" "$WORK/ff512"
check "cached: whole page read, step 1 failure counted" test "$(sysfs ecc_failures)" = 1
check_serve_stop "cache daemon clean"

# read-ahead: page after page of a block is a few requests, with the data
# of one whole-block read; a read-ahead over a flipped page does not
# charge its corrections to the page the caller asked for
serve_start --geometry nand-2k,size=16m --flip-bits 0x21000.0,0x21001.1,0x21002.2 ||
	fail "serve" "$(serve_log)"
random_file "$WORK/block" 131072
mtd_debug write "$MTD" 0x40000 131072 "$WORK/block" > /dev/null
: > "$WORK/paged"
for p in $(seq 0 63); do
	mtd_debug read "$MTD" $((0x40000 + p * PAGE)) $PAGE "$WORK/p" > /dev/null
	cat "$WORK/p" >> "$WORK/paged"
done
check "read ahead: page by page reads what was written" cmp "$WORK/paged" "$WORK/block"
mtd_debug read "$MTD" 0x20000 $PAGE "$WORK/p" > /dev/null
mtd_debug read "$MTD" 0x20800 $PAGE "$WORK/p" > /dev/null
check "read ahead: no corrections charged to a clean page" test "$(sysfs corrected_bits)" = 0
mtd_debug read "$MTD" 0x21000 $PAGE "$WORK/p" > /dev/null
check "read ahead: the flipped page reads corrected" cmp "$WORK/p" "$WORK/ff"
check "read ahead: its corrections counted once it is read" test "$(sysfs corrected_bits)" = 3
check_serve_stop "read-ahead daemon clean"
reads=$(served reads)
# 64 pages in runs of 1, 2, 4, 8, 16 and 32, and the last one alone (the
# read-ahead stops at the block's end): 7; then page 64 alone (1), pages
# 65 and 66 each a read-ahead over the flipped page sent again without it
# (2 + 2); without read-ahead 67
check "read ahead: 67 page reads in 12 requests ($reads)" test "${reads:-99}" = 12

# UBI: a fixable bit-flip in a PEB's headers is reported and scrubbed
serve_start --geometry nand-2k,size=16m --save "$WORK/ubi.img" || fail "serve" "$(serve_log)"
ubiformat -q -y "$MTD" && ubiattach -p "$MTD" -d 0 > /dev/null &&
	ubimkvol /dev/ubi0 -N data -m > /dev/null && mkdir -p "$WORK/mnt" &&
	mount -t ubifs ubi0:data "$WORK/mnt" && random_file "$WORK/mnt/f" 300000 &&
	sha256sum < "$WORK/mnt/f" > "$WORK/sum" && umount "$WORK/mnt" && ubidetach -d 0 ||
	fail "prepare UBIFS" "$(dmesg | tail -n 3)"
check_serve_stop "prepare daemon clean"

peb_flips() { echo "$(($1 * 131072)).0,$(($1 * 131072 + 1)).1,$(($1 * 131072 + 2)).2"; }

dmesg -C
serve_start --geometry nand-2k,size=16m --image "$WORK/ubi.img" --flip-bits "$(peb_flips 5)" ||
	fail "serve image" "$(serve_log)"
check "ubiattach with a flipped header" ubiattach -p "$MTD" -d 0
check "UBI sees -EUCLEAN" sh -c "dmesg | grep -q 'fixable bit-flip detected at PEB 5'"
check "files intact" sh -c "mount -t ubifs ubi0:data '$WORK/mnt' && sha256sum < '$WORK/mnt/f' | cmp - '$WORK/sum'"
umount "$WORK/mnt"; ubidetach -d 0
check_serve_stop "scrub daemon clean"

# the same flips below a raised threshold are corrected silently
dmesg -C
serve_start --geometry nand-2k,size=16m --image "$WORK/ubi.img" --flip-bits "$(peb_flips 5)" ||
	fail "serve image" "$(serve_log)"
echo 4 > "/sys/class/mtd/mtd$MTDNUM/bitflip_threshold"
check "ubiattach, threshold 4" ubiattach -p "$MTD" -d 0
check "no -EUCLEAN below the sysfs threshold" sh -c "! dmesg | grep -q 'fixable bit-flip'"
check "corrections still counted" test "$(sysfs corrected_bits)" -ge 3
ubidetach -d 0
check_serve_stop "threshold daemon clean"

check "kernel log clean" kernel_clean
finish
