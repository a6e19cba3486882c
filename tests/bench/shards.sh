#!/bin/bash
# A long trace swept completely, as a CI matrix would (tests/bench/run
# with FULL_SWEEP=1, on the host; about 2 hours on 2 cores): the
# 175-round UBIFS trace of tests/bench/sweep.sh (about 21,000 ops), clean
# model, default checks, in SHARDS (default 4) shards run one after the
# other with --jobs JOBS (default: the CPUs), each timed, then merged.
# The longest shard is the matrix's wall time; the sum, one machine's.
# TRACE names another trace.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
muse=$top/build/bin/muse
out=$top/build/bench
trace=${TRACE:-$out/sweep-175.db}
SHARDS=${SHARDS:-4}
JOBS=${JOBS:-$(nproc)}
kernel=${MUSE_KERNEL:-6.12}
work=$(mktemp -d /tmp/muse-bench-shards.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -f "$trace" ] || { echo "shards.sh: $trace missing: run tests/bench/sweep.sh first" >&2; exit 2; }

echo "$trace ($(sqlite3 -readonly "$trace" 'SELECT max(seq) FROM ops') ops), clean model,"
echo "default checks, kernel $kernel, $SHARDS shards one after the other, --jobs $JOBS:"
printf '  %-7s %7s %10s %9s %8s\n' shard points "not passed" seconds "points/s"
total=0 longest=0
for i in $(seq 1 "$SHARDS"); do
	t0=$(date +%s)
	rc=0
	"$muse" sweep "$trace" --kernel "$kernel" --shard "$i/$SHARDS" --jobs "$JOBS" \
		--results "$work/shard-$i.db" > "$work/shard-$i.log" 2>&1 || rc=$?
	s=$(( $(date +%s) - t0 ))
	[ "$rc" -le 1 ] || { tail -20 "$work/shard-$i.log" >&2; exit 2; }
	n=$(sqlite3 -readonly "$work/shard-$i.db" "SELECT count(*) FROM results")
	printf '  %-7s %7s %10s %9s %8.2f\n' "$i/$SHARDS" "$n" \
		"$(sqlite3 -readonly "$work/shard-$i.db" "SELECT count(*) FROM results WHERE verdict != 'pass'")" \
		"$s" "$(awk -v n="$n" -v s="$s" 'BEGIN { print n / s }')"
	total=$((total + s))
	[ "$s" -le "$longest" ] || longest=$s
done
t0=$(date +%s)
rc=0
"$muse" merge "$work/all.db" "$work"/shard-*.db > "$work/merge.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || { cat "$work/merge.log" >&2; exit 2; }
echo "  muse merge, $(( $(date +%s) - t0 )) s: $(sed -n 's/^[^:]*: //p' "$work/merge.log" | head -1)"
printf '  %-44s %6.1f min\n' "matrix wall time (the longest shard)" "$(awk -v s="$longest" 'BEGIN { print s / 60 }')"
printf '  %-44s %6.1f min\n' "one machine (the shards' sum)" "$(awk -v s="$total" 'BEGIN { print s / 60 }')"
