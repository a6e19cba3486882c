#!/bin/bash
# Images the real tools make, served by muse: a ubinize image and a
# mkfs.jffs2 image (NAND and NOR) attach and mount with the files they
# were made from, and the chip muse builds from each is the one the
# flashing tools build (ubiformat -f; flash_erase -j and nandwrite or a
# copy), byte for byte, OOB included.  A nanddump of a served dump gives
# the dump back, bad blocks included.
. "$(dirname "$0")/../lib.sh"

NAND=nand-2k,size=16m NOR=nor-64k,size=8m
ROOT=$WORK/root

make_tree() {
	mkdir -p "$ROOT/d"
	echo hello > "$ROOT/a"
	seq 1 20000 > "$ROOT/b"
	seq 7 7 700000 | head -c 300000 > "$ROOT/d/c"
	(cd "$ROOT" && find . -type f | sort | xargs sha256sum) > "$WORK/sums"
}

# same_files NAME DIR: DIR holds the tree, byte for byte
same_files() {
	check "$1" sh -c "cd '$2' && sha256sum --quiet -c '$WORK/sums'"
}

# served_chip FILE [serve options]: the chip muse serves for an image,
# saved as a nanddump-oob dump (raw on NOR) without anything touching it
served_chip() {
	local out=$1
	shift
	serve_start "$@" --save "$out" && serve_stop
}

# flashed_chip FILE GEOMETRY CMD...: an erased chip, CMD run against it
# ($MTD in CMD), saved the same way
flashed_chip() {
	local out=$1 geometry=$2
	shift 2
	serve_start --geometry "$geometry" --save "$out" || return 1
	MTD=$MTD sh -c "$*" || { serve_stop; return 1; }
	serve_stop
}

ubi_image() {
	mkfs.ubifs -m 2048 -e 129024 -c 100 -r "$ROOT" -o "$WORK/u.ubifs" &&
	printf '[data]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=data\nvol_flags=autoresize\n' \
		"$WORK/u.ubifs" > "$WORK/u.ini" &&
	ubinize -o "$WORK/u.ubi" -m 2048 -p 128KiB -s 512 -Q 4242 -e 0 "$WORK/u.ini" 2>/dev/null
}

ubi_as_ubiformat() {
	served_chip "$WORK/u-served.oob" --geometry "$NAND" --image "$WORK/u.ubi" &&
	flashed_chip "$WORK/u-flashed.oob" "$NAND" \
		"ubiformat -q -y -Q 4242 -e 0 -f '$WORK/u.ubi' \$MTD" &&
	cmp "$WORK/u-served.oob" "$WORK/u-flashed.oob"
}

test_ubi() {
	local mnt=$WORK/mnt
	check "ubi: ubinize and mkfs.ubifs make an image" ubi_image || return
	check "ubi: the chip served is the one ubiformat -f writes" ubi_as_ubiformat
	serve_checked "ubi" --geometry "$NAND" --image "$WORK/u.ubi" || return
	check "ubi: ubiattach" ubiattach -m "$MTDNUM"
	mkdir -p "$mnt"
	check "ubi: mount the UBIFS volume" mount -t ubifs ubi0:data "$mnt"
	same_files "ubi: every file" "$mnt"
	umount "$mnt"
	ubidetach -m "$MTDNUM"
	check_serve_stop "ubi: no flash rule violations"
}

jffs2_tree() {
	local mnt=$WORK/mnt tag=$1
	shift
	serve_checked "$tag" "$@" || return
	mkdir -p "$mnt"
	check "$tag: mount" mount -t jffs2 "mtd$MTDNUM" "$mnt"
	same_files "$tag: every file" "$mnt"
	umount "$mnt"
	check_serve_stop "$tag: no flash rule violations"
}

jffs2_nand_as_nandwrite() {
	served_chip "$WORK/j-served.oob" --geometry "$NAND" --image "$WORK/j.img" &&
	flashed_chip "$WORK/j-flashed.oob" "$NAND" \
		"flash_erase -q -j \$MTD 0 0 && nandwrite -q -p \$MTD '$WORK/j.img'" &&
	cmp "$WORK/j-served.oob" "$WORK/j-flashed.oob"
}

test_jffs2_nand() {
	check "jffs2 nand: mkfs.jffs2 -n makes an image" \
		mkfs.jffs2 -n -e 128KiB -r "$ROOT" -o "$WORK/j.img"
	check "jffs2 nand: the chip served is the one flash_erase -j and nandwrite write" \
		jffs2_nand_as_nandwrite
	jffs2_tree "jffs2 nand" --geometry "$NAND" --image "$WORK/j.img"
}

jffs2_nor_as_copy() {
	served_chip "$WORK/jn-served.img" --geometry "$NOR" --image "$WORK/jn.img" &&
	flashed_chip "$WORK/jn-flashed.img" "$NOR" \
		"flash_erase -q -j \$MTD 0 0 && cat '$WORK/jn.img' > \$MTD" &&
	cmp "$WORK/jn-served.img" "$WORK/jn-flashed.img"
}

test_jffs2_nor() {
	check "jffs2 nor: mkfs.jffs2 makes an image" \
		mkfs.jffs2 -e 64KiB -r "$ROOT" -o "$WORK/jn.img"
	check "jffs2 nor: the chip served is the one flash_erase -j and a copy write" \
		jffs2_nor_as_copy
	jffs2_tree "jffs2 nor" --geometry "$NOR" --image "$WORK/jn.img"
}

test_nanddump() {
	check "nanddump: a dump with a bad block" served_chip "$WORK/dump.oob" \
		--geometry "$NAND" --image "$WORK/u.ubi" --bad-blocks 7
	serve_checked "nanddump" --geometry "$NAND" --image "$WORK/dump.oob" || return
	check "nanddump: the bad block comes from the dump's marker" \
		test "$(cat "/sys/class/mtd/mtd$MTDNUM/bad_blocks")" = 1
	check "nanddump --oob --bb=dumpbad reads the chip" \
		nanddump -q --oob --bb=dumpbad -f "$WORK/read.oob" "$MTD"
	check_serve_stop "nanddump: no flash rule violations"
	check "nanddump: what it read is the dump served" cmp "$WORK/read.oob" "$WORK/dump.oob"
}

make_tree
test_ubi
test_jffs2_nand
test_jffs2_nor
test_nanddump
check "kernel log clean" kernel_clean
finish
