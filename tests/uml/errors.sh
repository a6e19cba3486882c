#!/bin/bash
# Bad input gets a clear message and a non-zero exit: geometry, images,
# backing files, options; and the kernel refuses what userspace would
# never send, naming the bad value in its log.
. "$(dirname "$0")/../lib.sh"
RAWINIT=$TOP/build/tests/muse-rawinit

# refused NAME MESSAGE CMD...: CMD fails, and says MESSAGE on stderr
refused() {
	local name=$1 msg=$2 out rc=0
	shift 2
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" = 0 ]; then
		fail "$name" "exit status 0"
	elif ! grep -qF -- "$msg" <<<"$out"; then
		fail "$name" "message was: $out"
	else
		pass "$name"
	fi
}

refused "bad geometry" "page=3000 is not a power of two" "$MUSE" serve --geometry nand-2k,page=3000
refused "bad geometry key" "unknown key foo" "$MUSE" serve --geometry nand-2k,foo=1
head -c 1000000 /dev/zero > "$WORK/short.img"
refused "truncated image" "is 1000000 bytes (truncated?)" "$MUSE" serve --geometry nand-2k,size=16m --image "$WORK/short.img"
refused "image of no whole block" "no whole number of nand eraseblocks" "$MUSE" serve --image "$WORK/short.img"
refused "missing image" "No such file or directory" "$MUSE" serve --image "$WORK/none.img"
refused "image format" "unknown image format" "$MUSE" serve --format tiff
refused "bad block list" "is beyond the 128 blocks" "$MUSE" serve --geometry nand-2k,size=16m --bad-blocks 3,200
refused "bad blocks on NOR" "NAND only" "$MUSE" serve --geometry nor-64k --bad-blocks 3
head -c 4096 /dev/zero > "$WORK/cells"
refused "backing file of another geometry" "this geometry needs" "$MUSE" serve --backing "$WORK/cells"
refused "unknown option" "unrecognized option" "$MUSE" serve --frobnicate
refused "timeout above an hour" "--timeout 4000 is not a number up to 3600" "$MUSE" serve --timeout 4000
refused "unknown command" "unknown command" "$MUSE" frobnicate
refused "mtdparts refused by the kernel" "mtdparts entry 2" "$MUSE" serve --geometry nand-2k,size=16m --mtdparts "4m(a),1k(b)"

# the kernel validates on its own; each refusal names the value
base="name=raw type=nand size=16777216 erasesize=131072 writesize=2048 oobsize=64 oobfree=2:34"
kernel_refuses() {
	local name=$1 msg=$2 out
	shift 2
	dmesg -C
	out=$("$RAWINIT" "$@" 2>&1)
	if [ "${out#refused}" = "$out" ]; then
		fail "kernel refuses $name" "$out"
	elif ! dmesg | grep -qF -- "$msg"; then
		fail "kernel refuses $name" "kernel said: $(dmesg | grep muse | tr '\n' ' ')"
	else
		pass "kernel refuses $name"
	fi
}
# shellcheck disable=SC2086
{
kernel_refuses "unknown key" "unknown init parameter colour" $base colour=red
kernel_refuses "odd page" "writesize 3000 is not a power of two" name=raw type=nand size=16777216 erasesize=131072 writesize=3000
kernel_refuses "oob >= page" "oobsize 4096 is not smaller than writesize 2048" name=raw type=nand size=16777216 erasesize=131072 writesize=2048 oobsize=4096
kernel_refuses "oobavail mismatch" "oobavail 40 differs from the 34 free bytes" $base oobavail=40
kernel_refuses "free region outside OOB" "outside the 64 byte OOB" name=raw type=nand size=16777216 erasesize=131072 writesize=2048 oobsize=64 oobfree=60:10
kernel_refuses "NOR with OOB" "only NAND has OOB" name=raw type=nor size=16777216 erasesize=65536 writesize=1 oobsize=16
kernel_refuses "MLC subpages" "MLC NAND cannot have subpages" name=raw type=mlc-nand size=16777216 erasesize=131072 writesize=2048 subpage_shift=2
kernel_refuses "size" "is not a non-zero multiple of erasesize" name=raw type=nand size=1000 erasesize=131072 writesize=2048
kernel_refuses "ecc" "ecc_strength 9000 exceeds" $base ecc_strength=9000 ecc_step=512
kernel_refuses "flags" "has bits MUSE does not support" $base flags=0x4000
kernel_refuses "no name" "name is missing" type=nand size=16777216 erasesize=131072 writesize=2048
kernel_refuses "duplicate key" "given twice" $base writesize=4096
kernel_refuses "small max_io" "max_io 1024 is not between" --max-io 1024 $base
kernel_refuses "partitions" "mtdparts entry 1" $base "mtdparts=1m@3k(x)"
kernel_refuses "NAND page below 512" "writesize 256 is not between 512 and 65536" \
	name=raw type=nand size=16777216 erasesize=131072 writesize=256
kernel_refuses "page above 64 KiB" "writesize 131072 is not between 512 and 65536" \
	name=raw type=nand size=16777216 erasesize=1048576 writesize=131072
kernel_refuses "block above 64 MiB" "erasesize 134217728 exceeds 67108864" \
	name=raw type=nor size=268435456 erasesize=134217728 writesize=1
kernel_refuses "more than 2^24 blocks" "holds more than 16777216 blocks" \
	name=raw type=nor size=68719480832 erasesize=4096 writesize=1
kernel_refuses "signed number" "writesize=+2048 is not a decimal or 0x-prefixed number" \
	name=raw type=nand size=16777216 erasesize=131072 writesize=+2048
kernel_refuses "number out of range" "erasesize=4294967296 is not a decimal" \
	name=raw type=nand size=16777216 erasesize=4294967296 writesize=2048
kernel_refuses "read cache above 16 MiB" "readcache 512 exceeds 1024 pages or 16777216 bytes" \
	name=raw type=nand size=16777216 erasesize=1048576 writesize=65536 oobsize=64 readcache=512
kernel_refuses "timeout above an hour" "timeout 4000 exceeds 3600 seconds" $base timeout=4000
kernel_refuses "unknown init flags" "server asks for init flags 0x4" --flags 4 $base
}
check "kernel reads a leading zero as decimal, not octal" \
	sh -c "'$RAWINIT' name=raw type=nand size=16777216 erasesize=131072 writesize=02048 oobsize=64 | grep -q accepted"
check "kernel takes hexadecimal after 0x" \
	sh -c "'$RAWINIT' name=raw type=nand size=0x1000000 erasesize=0x20000 writesize=0x800 oobsize=0x40 | grep -q accepted"
check "kernel accepts a valid description, asks about bad blocks" \
	sh -c "'$RAWINIT' $base ecc_strength=4 ecc_step=512 | grep -q accepted"
check "kernel takes a bad block list" sh -c "'$RAWINIT' $base badblocks=3,5-7 | grep -q accepted"
kernel_refuses "bad block beyond the chip" "badblocks entry 128 is not a block" $base badblocks=3,128
kernel_refuses "read cache on NOR" "only NAND has a read cache" name=raw type=nor size=16777216 erasesize=65536 writesize=1 readcache=8
check "kernel log clean" kernel_clean
finish
