#!/bin/bash
# Runs inside a UML kernel (tests/bench/sweep.sh): the sweep's check
# sequence for one cut point, done by hand on nandsim holding the same
# filesystem (IMAGE, a nanddump --oob image of the state at the end of
# the trace): ubiattach, UBI and UBIFS self-checks on, mount, every file
# read and hashed, umount, mount, umount, ubidetach.  Prints the rate.
#   sweep-baseline.sh IMAGE CYCLES
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
modules=${MUSE_KERNEL_DIR:?run me with muse uml}/modules
image=$1
cycles=${2:-40}
mnt=$(mktemp -d /tmp/muse-baseline.XXXXXX)

insmod "$modules/nandsim.ko" id_bytes=0x20,0xa2,0x00,0x15 bch=4
ns=$(grep -l -x "NAND simulator partition 0" /sys/class/mtd/mtd*/name | head -n 1 |
	sed 's|/sys/class/mtd/mtd\([0-9]*\)/name|\1|')
flash_erase -q "/dev/mtd$ns" 0 0
nandwrite -q -o -N "/dev/mtd$ns" "$image"
for c in chk_general chk_index chk_orphans chk_lprops chk_fs; do
	echo 1 > "/sys/kernel/debug/ubifs/$c"
done
t0=$(date +%s%N)
for _ in $(seq 1 "$cycles"); do
	ubiattach -p "/dev/mtd$ns" -d 0 > /dev/null
	echo 1 > /sys/kernel/debug/ubi/ubi0/chk_gen
	echo 1 > /sys/kernel/debug/ubi/ubi0/chk_io
	mount -t ubifs ubi0_0 "$mnt"
	find "$mnt" -type f -exec sha256sum {} + > /dev/null
	umount "$mnt"
	mount -t ubifs ubi0_0 "$mnt"
	umount "$mnt"
	ubidetach -d 0
done
t1=$(date +%s%N)
rmmod nandsim
rmdir "$mnt"
awk -v n="$cycles" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f\n", n / (ns / 1e9) }'
