#!/bin/bash
# Sweep speed (tests/bench/run, on the host): cut points verified per
# second per worker (clean model, default checks) on a recorded UBIFS
# trace of a 64 MiB nand-2k chip, against the same check sequence done by
# hand on nandsim holding the same filesystem; 1 against 2 jobs; and the
# cost per point as the trace grows (about 1k, 5k and 20k ops).
# Traces are recorded on 6.12 and kept; the sweeps run on $MUSE_KERNEL
# (default 6.12).  GROWTH=0 leaves out 2 jobs and the growing traces.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
muse=$top/build/bin/muse
out=$top/build/bench
work=$(mktemp -d /tmp/muse-bench-sweep.XXXXXX)
POINTS=${POINTS:-120}
GROWTH=${GROWTH:-1}
kernel=${MUSE_KERNEL:-6.12}

# trace ROUNDS: a recorded demo workload of ROUNDS rounds, kept
trace() {
	local t=$out/sweep-$1.db
	if [ ! -f "$t" ]; then
		MUSE_KERNEL=6.12 "$muse" record --trace "$t.tmp" --force --geometry nand-2k --fs ubifs \
			-- "$top/scripts/demo-workload.sh" "$1" > "$work/record-$1.log" 2>&1
		mv "$t.tmp" "$t"
	fi
	echo "$t"
}

# rate TRACE JOBS: cut points per second over the last POINTS points
rate() {
	local t=$1 last t0 t1
	last=$(sqlite3 -readonly "$t" 'SELECT max(seq) FROM ops')
	t0=$(date +%s%N)
	"$muse" sweep "$t" --kernel "$kernel" --range "$((last - POINTS))..$((last - 1))" --jobs "$2" \
		--results "$work/r.db" > "$work/sweep.log" 2>&1 ||
		{ cat "$work/sweep.log" >&2; exit 1; }
	t1=$(date +%s%N)
	awk -v n="$POINTS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", n / (ns / 1e9) }'
}

ops() { sqlite3 -readonly "$1" 'SELECT max(seq) FROM ops'; }

t=$(trace 20)
"$muse" replay "$t" --at end --export "$work/end.img" > /dev/null
one=$(rate "$t" 1)
base=$("$muse" uml --kernel "$kernel" -- "$top/tests/bench/sweep-baseline.sh" "$work/end.img" 40)
echo "sweep on kernel $kernel, clean model, default checks, UBIFS on nand-2k 64 MiB"
echo "($(ops "$t") ops), the last $POINTS cut points (each worker boots its own kernel;"
echo "boots included)"
printf '%-44s %8s\n' "muse sweep --jobs 1 (points/s)" "$one"
if [ "$GROWTH" = 1 ]; then
	two=$(rate "$t" 2)
	printf '%-44s %8s\n' "muse sweep --jobs 2 (points/s)" "$two"
	printf '%-44s %8s\n' "speed-up, 1 -> 2 jobs" "$(awk -v a="$two" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
fi
printf '%-44s %8s\n' "nandsim, same checks by hand (cycles/s)" "$base"
printf '%-44s %8s\n' "one worker against nandsim" "$(awk -v a="$one" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
echo
[ "$GROWTH" = 1 ] || { rm -rf "$work"; exit 0; }
echo "cost per cut point as the trace grows (1 job, the last $POINTS points):"
for rounds in 9 44 175; do
	t=$(trace "$rounds")
	r=$(rate "$t" 1)
	printf '  %6s ops: %6.1f ms per point\n' "$(ops "$t")" "$(awk -v r="$r" 'BEGIN { print 1000 / r }')"
done
rm -rf "$work"
