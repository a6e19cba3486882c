#!/bin/bash
# muse convert round trips: an image made by the real tools (ubinize and
# mkfs.ubifs; mkfs.jffs2 for NAND and NOR), converted to each format
# and back, is the same file, for every pair of formats that can hold
# that chip (a raw image has no OOB, so it cannot hold JFFS2's NAND
# cleanmarkers).
. "$(dirname "$0")/../lib.sh"

NAND=nand-2k,size=16m NOR=nor-64k,size=8m
UBI_FORMATS="ubi raw nanddump-oob nanddump-oob:bbm-swap=100 interleaved interleaved:step=1024,spare=24,bbm-swap"
JFFS2_NAND_FORMATS="jffs2 nanddump-oob interleaved:step=512,spare=16,bbm-swap"
JFFS2_NOR_FORMATS="jffs2 raw"

make_images() {
	mkdir -p "$WORK/root/d" &&
	seq 1 20000 > "$WORK/root/b" &&
	seq 7 7 700000 | head -c 300000 > "$WORK/root/d/c" &&
	mkfs.ubifs -m 2048 -e 129024 -c 100 -r "$WORK/root" -o "$WORK/u.ubifs" &&
	printf '[data]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=data\n' \
		"$WORK/u.ubifs" > "$WORK/u.ini" &&
	ubinize -o "$WORK/u.ubi" -m 2048 -p 128KiB -s 512 "$WORK/u.ini" 2>/dev/null &&
	mkfs.jffs2 -n -e 128KiB -r "$WORK/root" -o "$WORK/jn.jffs2" &&
	mkfs.jffs2 -e 64KiB -r "$WORK/root" -o "$WORK/jr.jffs2"
}

# there_and_back GEOMETRY FILE FROM VIA: FILE (format FROM) converted to
# VIA and back to FROM is FILE again
there_and_back() {
	local g=$1 file=$2 from=$3 via=$4
	"$MUSE" convert "$file" "$WORK/via" --geometry "$g" --from "$from" --to "$via" >/dev/null &&
	"$MUSE" convert "$WORK/via" "$WORK/back" --geometry "$g" --from "$via" --to "$from" >/dev/null &&
	cmp "$file" "$WORK/back"
}

# matrix TAG GEOMETRY IMAGE IMAGE_FORMAT FORMATS: every pair of FORMATS
matrix() {
	local tag=$1 g=$2 image=$3 fmt=$4 formats=$5 a b i=0
	for a in $formats; do
		i=$((i + 1))
		"$MUSE" convert "$image" "$WORK/$tag-$i" --geometry "$g" --from "$fmt" --to "$a" >/dev/null ||
			{ fail "$tag: to $a" "convert failed"; continue; }
		for b in $formats; do
			check "$tag: $a via $b and back" there_and_back "$g" "$WORK/$tag-$i" "$a" "$b"
		done
	done
}

check "images from ubinize, mkfs.ubifs and mkfs.jffs2" make_images || finish
matrix ubi "$NAND" "$WORK/u.ubi" ubi "$UBI_FORMATS"
matrix "jffs2 nand" "$NAND" "$WORK/jn.jffs2" jffs2 "$JFFS2_NAND_FORMATS"
matrix "jffs2 nor" "$NOR" "$WORK/jr.jffs2" jffs2 "$JFFS2_NOR_FORMATS"
check "ubi: the ubinize image comes back" cmp "$WORK/u.ubi" "$WORK/ubi-1"
check "jffs2: the mkfs.jffs2 images come back" \
	sh -c "cmp '$WORK/jn.jffs2' '$WORK/jffs2 nand-1' && cmp '$WORK/jr.jffs2' '$WORK/jffs2 nor-1'"
check "a mkfs.jffs2 image is no ubi image" \
	sh -c "! '$MUSE' convert '$WORK/jn.jffs2' '$WORK/x' --geometry $NAND --from ubi 2>'$WORK/err' &&
		grep -q 'a ubinize image is whole PEBs' '$WORK/err'"
check "a ubinize image is no jffs2 image" \
	sh -c "! '$MUSE' convert '$WORK/u.ubi' '$WORK/x' --geometry $NAND --from jffs2 2>'$WORK/err' &&
		grep -q 'not a JFFS2 image' '$WORK/err'"
finish
