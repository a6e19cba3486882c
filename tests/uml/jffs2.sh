#!/bin/bash
# JFFS2 on a MUSE NAND (OOB cleanmarkers written by flash_erase -j, write
# buffer) and on a MUSE NOR: write, sync, unmount, mount again, compare.
. "$(dirname "$0")/../lib.sh"

run_jffs2() {
	local geometry=$1 tag=$2 mnt=$WORK/mnt sums=$WORK/sums
	serve_checked "$tag" --geometry "$geometry" || return
	check "$tag flash_erase -j" flash_erase -q -j "$MTD" 0 0
	mkdir -p "$mnt"
	check "$tag mount" mount -t jffs2 "mtd$MTDNUM" "$mnt"
	mkdir -p "$mnt/d"
	for size in 0 1 300 4096 65536 500000; do
		random_file "$mnt/f$size" "$size"
	done
	random_file "$mnt/d/g" 12345
	rm "$mnt/f300"
	(cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$sums"
	sync
	check "$tag umount" umount "$mnt"
	check "$tag remount" mount -t jffs2 "mtd$MTDNUM" "$mnt"
	check "$tag every byte" sh -c "cd '$mnt' && sha256sum --quiet -c '$sums'"
	check "$tag deleted file stays deleted" test ! -e "$mnt/f300"
	umount "$mnt"
	check_serve_stop "$tag no flash rule violations"
}

run_jffs2 nand-2k,size=16m "jffs2 nand"
run_jffs2 nor-64k,size=8m "jffs2 nor"
check "kernel log clean" kernel_clean
finish
