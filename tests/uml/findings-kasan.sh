#!/bin/bash
# The findings of docs/findings.md that only KASAN shows, reproduced from
# the images kept in tests/findings/ on the KASAN kernel: each must still
# give its report.  Should a kernel fix one, this test says so.
. "$(dirname "$0")/../lib.sh"

# UBI: a layout-volume VID header saying LEB 2 (its CRC recomputed) makes
# process_lvol() write past leb[UBI_LAYOUT_VOLUME_EBS] on the stack
xz -dc "$TOP/tests/findings/ubi-layout-lnum-kasan.oob.xz" > "$WORK/lnum.oob"
dmesg -c > /dev/null
if serve_checked "UBI layout LEB" --geometry nand-2k,size=16m --image "$WORK/lnum.oob"; then
	ubiattach -m "$MTDNUM" -d 7 > /dev/null 2>&1 && ubidetach -d 7 > /dev/null 2>&1
	check "UBI layout volume LEB 2: KASAN stack-out-of-bounds write in ubi_read_volume_table" \
		sh -c "dmesg | grep -A1 'BUG: KASAN: stack-out-of-bounds in ubi_read_volume_table' |
		       grep -q 'Write of size 8'"
	serve_stop
fi
finish
