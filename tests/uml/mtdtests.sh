#!/bin/bash
# The kernel's own MTD test modules (drivers/mtd/tests) against a MUSE
# NAND, nandsim with the same geometry in the same boot, and a MUSE NOR.
# The verdict comes from each module's messages, not from insmod, whose
# exit status says nothing about what the test found.
. "$(dirname "$0")/../lib.sh"

# The nand-2k geometry for nandsim: 2 KiB pages, 128 KiB blocks, BCH-4,
# 2^7 blocks (16 MiB)
NANDSIM_ARGS="id_bytes=0x20,0xa2,0x00,0x15 bch=4 overridesize=7"

TESTS="readtest pagetest oobtest subpagetest speedtest:count=16
stresstest:count=2000 torturetest:cycles_count=2"

verdict() {
	local mod=$1 log=$2
	grep -q "$mod: this test requires NAND flash" <<<"$log" && return 2
	grep -qE "$mod: error(:| -?[0-9])|$mod: finished with (errors|[1-9])" <<<"$log" && return 1
	grep -qE "$mod: finished( with 0 errors$|$|,| after)" <<<"$log"
}

# run_tests DEVNUM TAG
run_tests() {
	local dev=$1 tag=$2 t mod params log rc
	for t in $TESTS; do
		mod=mtd_${t%%:*}
		params=
		[ "$t" != "${t#*:}" ] && params=${t#*:}
		dmesg -C
		# shellcheck disable=SC2086
		insmod "$MODULES/$mod.ko" dev="$dev" $params 2>/dev/null
		log=$(dmesg)
		rmmod "$mod" 2>/dev/null
		rc=0
		verdict "$mod" "$log" || rc=$?
		case $rc in
		0) pass "$tag $mod" ;;
		2) skip "$tag $mod" "NAND-only test" ;;
		*) fail "$tag $mod" "$(grep "$mod" <<<"$log" | grep -vi expected | tail -n 3 | tr '\n' ' ')" ;;
		esac
		echo "$log" >> "$WORK/kernel.log"
	done
}

check "insmod mtd_test" insmod "$MODULES/mtd_test.ko"

if serve_start --geometry nand-2k,size=16m; then
	run_tests "$MTDNUM" "muse nand-2k"
	check_serve_stop "muse nand-2k no flash rule violations"
else
	fail "muse nand-2k serve" "$(serve_log)"
fi

if insmod "$MODULES/nandsim.ko" $NANDSIM_ARGS; then
	run_tests "$(mtd_by_name 'NAND simulator partition 0')" "nandsim nand-2k"
	rmmod nandsim
else
	fail "nandsim" "insmod nandsim failed"
fi

if serve_start --geometry nor-64k,size=8m; then
	run_tests "$MTDNUM" "muse nor-64k"
	check_serve_stop "muse nor-64k no flash rule violations"
else
	fail "muse nor-64k serve" "$(serve_log)"
fi

rmmod mtd_test
grep -E "$KERNEL_BAD" "$WORK/kernel.log" && fail "kernel log clean" "see above" || pass "kernel log clean"
finish
