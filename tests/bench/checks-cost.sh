#!/bin/bash
# Runs inside a UML kernel (tests/bench/sweep.sh): what each of UBI's and
# UBIFS's self-checks adds to a cut point's attach and two mounts, on
# nandsim holding IMAGE (a nanddump --oob image of a state).  For each
# setting, the median of CYCLES cycles of ubiattach, mount, umount,
# mount, umount, ubidetach, in ms.
#   checks-cost.sh IMAGE [CYCLES]
set -eu
modules=${MUSE_KERNEL_DIR:?run me with muse uml}/modules
image=$1
cycles=${2:-5}
mnt=$(mktemp -d /tmp/muse-checks.XXXXXX)
ubifs_checks="chk_general chk_index chk_orphans chk_lprops chk_fs"

insmod "$modules/nandsim.ko" id_bytes=0x20,0xa2,0x00,0x15 bch=4
ns=$(grep -l -x "NAND simulator partition 0" /sys/class/mtd/mtd*/name | head -n 1 |
	sed 's|/sys/class/mtd/mtd\([0-9]*\)/name|\1|')
flash_erase -q "/dev/mtd$ns" 0 0
nandwrite -q -o -N "/dev/mtd$ns" "$image"

set_ubifs() {
	local c
	for c in $ubifs_checks; do
		case " $1 " in
		*" $c "*) echo 1 > "/sys/kernel/debug/ubifs/$c" ;;
		*) echo 0 > "/sys/kernel/debug/ubifs/$c" ;;
		esac
	done
}

# cycle UBI_CHECKS: one cycle's ms
cycle() {
	local t0 t1
	t0=$(date +%s%N)
	ubiattach -p "/dev/mtd$ns" -d 0 > /dev/null
	if [ "$1" = 1 ]; then
		echo 1 > /sys/kernel/debug/ubi/ubi0/chk_gen
		echo 1 > /sys/kernel/debug/ubi/ubi0/chk_io
	fi
	mount -t ubifs ubi0_0 "$mnt"
	umount "$mnt"
	mount -t ubifs ubi0_0 "$mnt"
	umount "$mnt"
	ubidetach -d 0
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# row NAME UBIFS_CHECKS UBI_CHECKS
row() {
	set_ubifs "$2"
	printf '  %-34s %6s ms\n' "$1" "$(for _ in $(seq 1 "$cycles"); do cycle "$3"; done | median)"
}

row "none" "" 0
row "UBI chk_gen + chk_io" "" 1
for c in $ubifs_checks; do
	row "UBIFS $c" "$c" 0
done
row "all (the sweep's full checks)" "$ubifs_checks" 1
set_ubifs ""
rmmod nandsim
rmdir "$mnt"
