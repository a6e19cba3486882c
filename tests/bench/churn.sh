#!/bin/bash
# A UBIFS workload for benchmarks: ROUNDS times, fill the filesystem at
# $MUSE_MNT with files of mixed sizes and kinds (text, random, mostly
# zeros), delete half of them and write them again.  With "muse mark" on
# PATH (under muse record) each round ends with the mark round-N.
#   churn.sh [ROUNDS]
set -eu
rounds=${1:-1}
mnt=${MUSE_MNT:?MUSE_MNT is not set}
src=$(mktemp -d /tmp/muse-churn.XXXXXX)
trap 'rm -rf "$src"' EXIT

for i in 0 1 2 3 4 5 6 7 8 9; do
	case $((i % 3)) in
	0) seq $((i * 7000)) $((i * 7000 + 40000 * (i + 1))) > "$src/$i" ;;
	1) head -c $((30000 * (i + 1))) /dev/urandom > "$src/$i" ;;
	2) { head -c $((20000 * i)) /dev/zero; head -c 5000 /dev/urandom; } > "$src/$i" ;;
	esac
done

for r in $(seq 1 "$rounds"); do
	for n in $(seq 1 120); do cp "$src/$(((n + r) % 10))" "$mnt/f$n"; done
	sync
	for n in $(seq 1 2 120); do rm "$mnt/f$n"; done
	sync
	for n in $(seq 1 2 120); do cp "$src/$(((n + r + 3) % 10))" "$mnt/f$n"; done
	sync
	if [ -n "${MUSE_MARK_SOCKET:-}" ]; then muse mark "round-$r"; fi
done
