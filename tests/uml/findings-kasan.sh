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

# UBIFS images mounted and read: $1 the name, $2 the kept image, $3 what
# KASAN must say, $4 a function UBIFS must have come through
ubifs_kasan() {
	local name=$1 image=$2 report=$3 via=$4
	xz -dc "$TOP/tests/findings/$image" > "$WORK/image.oob"
	dmesg -c > /dev/null
	mkdir -p "$WORK/mnt"
	serve_checked "$name" --geometry nand-2k,size=16m --image "$WORK/image.oob" || return
	ubiattach -m "$MTDNUM" -d 7 > /dev/null 2>&1 &&
		mount -t ubifs ubi7_0 "$WORK/mnt" 2> /dev/null &&
		find "$WORK/mnt" -type f -exec cat {} + > /dev/null 2>&1
	check "$name: KASAN $report, through $via" sh -c \
		"dmesg | grep -A200 'BUG: KASAN: $report' | grep -q '$via'"
	umount "$WORK/mnt" 2> /dev/null
	ubidetach -d 7 > /dev/null 2>&1
	serve_stop
}

# UBIFS: a directory entry whose header length (CRC recomputed) is longer
# than the index says: ubifs_check_node() takes the CRC past the buffer
ubifs_kasan "UBIFS node length" ubifs-node-len-crc-kasan.oob.xz \
	"slab-out-of-bounds in crc32_body" ubifs_check_node
# UBIFS: an index node's branch to another index node with a length
# beyond the largest index node: read_znode() reads that much into a
# buffer of that size.  A heap write: last, as the kernel may not survive it
ubifs_kasan "UBIFS index branch length" ubifs-index-branch-len-kasan.oob.xz \
	"slab-out-of-bounds in" ubifs_load_znode
finish
