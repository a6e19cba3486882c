#!/bin/bash
# Sweep speed (tests/bench/run, on the host): cut points verified per
# second per worker (clean model, default checks) on a recorded UBIFS
# trace of a 64 MiB nand-2k chip, against the same check sequence done by
# hand on nandsim holding the same filesystem; 1 against 2 jobs; and the
# cost per point as the trace grows (about 1k, 5k and 20k ops) with each
# --debug-checks mode on the longest, and what each self-check costs.
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

# rate TRACE JOBS [SWEEP_OPTION...]: cut points per second over the last
# POINTS points; the sweep's summary in $work/sweep.log
rate() {
	local t=$1 jobs=$2 last t0 t1
	shift 2
	last=$(sqlite3 -readonly "$t" 'SELECT max(seq) FROM ops')
	rm -f "$work/r.db"
	t0=$(date +%s%N)
	"$muse" sweep "$t" --kernel "$kernel" --range "$((last - POINTS))..$((last - 1))" --jobs "$jobs" \
		--results "$work/r.db" "$@" > "$work/sweep.log" 2>&1 ||
		{ cat "$work/sweep.log" >&2; exit 1; }
	t1=$(date +%s%N)
	awk -v n="$POINTS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", n / (ns / 1e9) }'
}

ops() { sqlite3 -readonly "$1" 'SELECT max(seq) FROM ops'; }

t=$(trace 20)
"$muse" replay "$t" --at end --export "$work/end.img" > /dev/null
# the nandsim cycle runs every self-check: so does the sweep it is held to
one=$(rate "$t" 1 --debug-checks full)
base=$("$muse" uml --kernel "$kernel" -- "$top/tests/bench/sweep-baseline.sh" "$work/end.img" 40)
echo "sweep on kernel $kernel, clean model, every self-check at every point"
echo "(--debug-checks full), UBIFS on nand-2k 64 MiB"
echo "($(ops "$t") ops), the last $POINTS cut points (each worker boots its own kernel;"
echo "boots included)"
printf '%-44s %8s\n' "muse sweep --jobs 1 (points/s)" "$one"
if [ "$GROWTH" = 1 ]; then
	two=$(rate "$t" 2 --debug-checks full)
	printf '%-44s %8s\n' "muse sweep --jobs 2 (points/s)" "$two"
	printf '%-44s %8s\n' "speed-up, 1 -> 2 jobs" "$(awk -v a="$two" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
fi
printf '%-44s %8s\n' "nandsim, same checks by hand (cycles/s)" "$base"
printf '%-44s %8s\n' "one worker against nandsim" "$(awk -v a="$one" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
echo
[ "$GROWTH" = 1 ] || { rm -rf "$work"; exit 0; }
# phases: the sweep's mean time per phase, "state 21, serve 31, ..."
phases() { sed -n 's/^time per cut point: .*: //p' "$work/sweep.log"; }

echo "cost per cut point as the trace grows (1 job, the last $POINTS points,"
echo "boots included; then the sweep's own mean per phase, in ms):"
for rounds in 9 44 175; do
	t=$(trace "$rounds")
	for checks in sampled full none; do
		# the full and no self-checks beside the default on the longest only
		[ "$checks" = sampled ] || [ "$rounds" = 175 ] || continue
		r=$(rate "$t" 1 --debug-checks "$checks")
		printf '  %6s ops, --debug-checks %-7s %6.1f ms per point\n' "$(ops "$t")" "$checks" \
			"$(awk -v r="$r" 'BEGIN { print 1000 / r }')"
		echo "    $(phases)"
	done
done
echo
echo "each self-check's cost on the $(ops "$t")-op trace's last state, on nandsim"
echo "(ubiattach, mount, umount, mount, umount, ubidetach; median of 5):"
"$muse" replay "$t" --at end --export "$work/last.img" > /dev/null
"$muse" uml --kernel "$kernel" -- "$top/tests/bench/checks-cost.sh" "$work/last.img" 5 2> /dev/null
rm -rf "$work"
