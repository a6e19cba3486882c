#!/bin/bash
# The walk-through "make demo" runs inside the bundled kernel: a 64 MiB
# NAND chip served from userspace, UBI and UBIFS on it, files written,
# everything detached and attached again, every byte checked, and the
# flash saved as a nanddump-style image.  scripts/demo-sweep.sh follows,
# on the host: record, replay, sweep.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
muse=$top/build/bin/muse
out=${DEMO_DIR:-$top/build/demo}
mnt=$(mktemp -d /tmp/muse-demo.XXXXXX)
mkdir -p "$out"

step() { printf '\n--- %s\n' "$*"; }

step "muse serve --geometry nand-2k (64 MiB, 2 KiB pages, 64 B OOB, BCH-4)"
"$muse" serve --geometry nand-2k --save "$out/flash.bin" > "$mnt.dev" 2> "$out/serve.log" &
serve=$!
while [ ! -s "$mnt.dev" ]; do
	kill -0 "$serve" 2>/dev/null || { cat "$out/serve.log"; exit 1; }
	sleep 0.05
done
mtd=$(head -n 1 "$mnt.dev")
echo "the flash is $mtd"
mtdinfo "$mtd"

step "ubiformat, ubiattach, ubimkvol, mount -t ubifs"
ubiformat -q -y "$mtd"
ubiattach -p "$mtd" -d 0
ubimkvol /dev/ubi0 -N data -m
mount -t ubifs ubi0:data "$mnt"
df -h "$mnt"

step "write files, sync"
mkdir -p "$mnt/photos"
for i in 1 2 3 4 5; do head -c $((i * 300000)) /dev/urandom > "$mnt/photos/img$i.raw"; done
cp -r "$top/docs" "$mnt/docs" 2>/dev/null || true
(cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$mnt.sums"
sync
echo "$(wc -l < "$mnt.sums") files"

step "umount, ubidetach, ubiattach, mount again"
umount "$mnt"
ubidetach -p "$mtd"
ubiattach -p "$mtd" -d 0
mount -t ubifs ubi0:data "$mnt"

step "check every byte"
(cd "$mnt" && sha256sum --quiet -c "$mnt.sums") && echo "all $(wc -l < "$mnt.sums") files intact"

umount "$mnt"
ubidetach -p "$mtd"
kill -TERM "$serve"
rc=0
wait "$serve" || rc=$?
step "daemon statistics"
cat "$out/serve.log"
rm -rf "$mnt" "$mnt.dev" "$mnt.sums"
echo "flash image (nanddump --oob layout): $out/flash.bin"
echo "serve it again:  build/bin/muse uml -- build/bin/muse serve --image $out/flash.bin"
[ "$rc" = 0 ] || exit "$rc"
