#!/bin/bash
# The demo's recorded workload, on UBIFS at $MUSE_MNT: rounds of creating,
# appending to, atomically replacing (write, fsync, rename, fsync),
# truncating and deleting files.  Each change is made durable (sync) and
# then declared with "muse mark": --expect for what must be there exactly,
# --in-place for the log that grows in place, --absent for what is gone.
# Usage: demo-workload.sh [ROUNDS [FIRST]]: rounds FIRST..ROUNDS (default
# 1..20); a later call with FIRST goes on where an earlier one stopped.
set -eu
m=$MUSE_MNT
rounds=${1:-20}
first=${2:-1}
mkdir -p "$m/data" "$m/logs"
for i in $(seq "$first" "$rounds"); do
	seq $((i * 1000)) $((i * 1000 + 15000)) > "$m/data/file$i"
	head -c 80000 /dev/urandom > "$m/data/blob$i"
	sync
	muse mark "created-$i" --expect "$m/data/file$i" --expect "$m/data/blob$i"

	seq 1 2000 | sed "s/^/round $i: event /" >> "$m/logs/app.log"
	sync
	muse mark "appended-$i" --in-place "$m/logs/app.log"

	seq "$i" 3 30000 > "$m/data/config.tmp"
	sync
	mv "$m/data/config.tmp" "$m/data/config"
	sync
	muse mark "replaced-$i" --expect "$m/data/config"

	truncate -s 10000 "$m/data/blob$i"
	sync
	muse mark "truncated-$i" --expect "$m/data/blob$i"

	if [ "$i" -gt 1 ]; then
		rm "$m/data/file$((i - 1))"
		sync
		muse mark "deleted-$i" --absent "$m/data/file$((i - 1))"
	fi
done
