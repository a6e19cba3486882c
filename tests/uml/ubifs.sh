#!/bin/bash
# UBIFS on a MUSE NAND: format, attach, make a volume, mount, write files
# of many sizes, sync, then detach, reattach and check every byte.
. "$(dirname "$0")/../lib.sh"

run_ubifs() {
	local geometry=$1 tag=$2 mnt=$WORK/mnt sums=$WORK/sums
	serve_checked "$tag" --geometry "$geometry" || return
	check "$tag ubiformat" ubiformat -q -y "$MTD"
	check "$tag ubiattach" ubiattach -p "$MTD" -d 0
	check "$tag ubimkvol" ubimkvol /dev/ubi0 -N data -m
	mkdir -p "$mnt"
	check "$tag mount" mount -t ubifs ubi0:data "$mnt"
	mkdir -p "$mnt/dir/sub"
	for size in 0 1 511 512 2048 4095 100000 1000000 3000000; do
		random_file "$mnt/f$size" "$size"
	done
	random_file "$mnt/dir/sub/deep" 77777
	ln -s f512 "$mnt/link"
	(cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$sums"
	sync
	check "$tag umount" umount "$mnt"
	check "$tag ubidetach" ubidetach -p "$MTD"
	check "$tag reattach" ubiattach -p "$MTD" -d 0
	check "$tag remount" mount -t ubifs ubi0:data "$mnt"
	check "$tag every byte" sh -c "cd '$mnt' && sha256sum --quiet -c '$sums'"
	check "$tag symlink" test "$(readlink "$mnt/link")" = f512
	check "$tag files" test "$(find "$mnt" -type f | wc -l)" = 10
	umount "$mnt" && ubidetach -p "$MTD"
	check_serve_stop "$tag no flash rule violations"
}

run_ubifs nand-2k,size=64m nand-2k
run_ubifs nand-4k,size=64m nand-4k
check "kernel log clean" kernel_clean
finish
