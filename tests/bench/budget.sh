#!/bin/bash
# A budgeted sweep on a long trace (tests/bench/run, on the host): the
# bench's 175-round UBIFS demo workload (about 21,000 ops) with one
# durability bug seeded half-way (a file replaced by rename and declared
# durable before any sync), swept with clean and torn cuts within BUDGET
# (default 30m).  Read back from the results' checked_at: coverage (points
# and classes) at 5, 15 and 30 minutes, the time to the first failure, and
# where a sweep in trace order (no --budget) would meet the same failure:
# its rank in trace order, timed at the rate a sweep in trace order
# checks the 100 ops before the seeded bug (measured here too).
# The trace is recorded on 6.12 and kept; the sweep runs on $MUSE_KERNEL.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
muse=$top/build/bin/muse
out=$top/build/bench
work=$(mktemp -d /tmp/muse-bench-budget.XXXXXX)
trap 'rm -rf "$work"' EXIT
BUDGET=${BUDGET:-30m}
JOBS=${JOBS:-2}
kernel=${MUSE_KERNEL:-6.12}
half=87 rounds=175

# the demo's first rounds, the seeded bug, the demo's other rounds
cat > "$work/seeded" <<W
#!/bin/bash
set -eu
m=\$MUSE_MNT
"$top/scripts/demo-workload.sh" $half
seq 7 7 40000 > "\$m/data/config.new"
mv "\$m/data/config.new" "\$m/data/config"
muse mark seeded-unsynced-rename --expect "\$m/data/config"
"$top/scripts/demo-workload.sh" $rounds $((half + 1))
W
chmod +x "$work/seeded"
t=$out/budget-seeded.db
if [ ! -f "$t" ]; then
	MUSE_KERNEL=6.12 "$muse" record --trace "$t.tmp" --force --geometry nand-2k --fs ubifs \
		-- "$work/seeded" > "$work/record.log" 2>&1 || { cat "$work/record.log" >&2; exit 1; }
	mv "$t.tmp" "$t"
fi

"$muse" sweep "$t" --models clean,torn --list > "$work/order" 2> /dev/null
t0=$(date +%s.%N)
rc=0
"$muse" sweep "$t" --kernel "$kernel" --models clean,torn --budget "$BUDGET" --jobs "$JOBS" \
	--results "$out/budget-results.db" > "$out/budget-sweep.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
[ $rc -le 1 ] || { tail -n 20 "$out/budget-sweep.log" >&2; exit 1; }

# a sweep in trace order: its rate over the 100 ops before the seeded bug
seeded=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'seeded-unsynced-rename'")
s0=$(date +%s.%N)
"$muse" sweep "$t" --kernel "$kernel" --models clean,torn --range "$((seeded - 100))..$((seeded - 1))" \
	--jobs "$JOBS" --results "$work/in-order.db" > "$work/in-order.log" 2>&1 ||
	{ tail -n 20 "$work/in-order.log" >&2; exit 1; }
in_order=$(awk -v t0="$s0" -v t1="$(date +%s.%N)" \
	-v n="$(sqlite3 -readonly "$work/in-order.db" 'SELECT count(*) FROM results')" \
	'BEGIN { printf "%.3f", n / (t1 - t0) }')

python3 - "$t" "$work/order" "$out/budget-results.db" "$t0" "$t1" "$BUDGET" "$JOBS" "$in_order" <<'PY'
import sqlite3, sys
trace, order_file, results, t0, t1, budget, jobs, in_order = sys.argv[1:]
t0, t1, in_order = float(t0), float(t1), float(in_order)
order = [l.split(" ", 3) for l in open(order_file).read().splitlines()]
klass = {(int(n), m, int(s)): c for n, m, s, c in order}
classes = set(klass.values())
db = sqlite3.connect(f"file:{results}?mode=ro", uri=True)
rows = db.execute("SELECT n, model, seed, verdict, checked_at FROM results").fetchall()
tr = sqlite3.connect(f"file:{trace}?mode=ro", uri=True)
ops = tr.execute("SELECT max(seq) FROM ops").fetchone()[0]
seeded = tr.execute("SELECT after_seq FROM marks WHERE name = 'seeded-unsynced-rename'").fetchone()[0]
fails = sorted(r[4] - t0 for r in rows if r[3] == "fail")
elapsed = t1 - t0
rate = len(rows) / elapsed

print(f"budgeted sweep, {ops} ops, clean and torn, --budget {budget} --jobs {jobs}:")
print(f"  {len(order)} points planned in {len(classes)} classes; a durability bug seeded at op {seeded}")
print(f"  {len(rows)} points checked in {elapsed / 60:.1f} min ({rate:.2f} points/s)")
print(f"  {'minutes':>8} {'points':>8} {'of all':>7} {'classes':>8} {'failures':>9}")
for minutes in (5, 15, 30):
    if minutes * 60 > elapsed + 60:
        break
    done = [r for r in rows if r[4] is not None and r[4] - t0 <= minutes * 60]
    seen = {klass[(r[0], r[1], r[2])] for r in done}
    print(f"  {minutes:>8} {len(done):>8} {100 * len(done) / len(order):>6.1f}% "
          f"{len(seen):>4}/{len(classes):<3} {sum(r[3] == 'fail' for r in done):>9}")
if not fails:
    print("  time to first failure: none found within the budget")
    sys.exit(0)
print(f"  time to first failure, budgeted: {fails[0]:.0f} s ({len(fails)} failures found)")
# trace order: N then model, as a sweep without --budget checks them
first_fail = min((r[0], r[1]) for r in rows if r[3] == "fail")
by_n = sorted((int(n), m) for n, m, s, c in order)
rank = by_n.index(first_fail) + 1
before_seed = sum(1 for p in by_n if p[0] < seeded)
print(f"  in trace order the first failure found is point {rank} of {len(by_n)}"
      f" (at least {before_seed + 1}: nothing before op {seeded} can fail);")
print(f"  a sweep in trace order checks {in_order:.2f} points/s there (the points of the 100 ops before it),")
print(f"  so it meets that failure after about {rank / in_order / 60:.0f} min:"
      f" {rank / in_order / max(fails[0], 1):.0f}x later than the budgeted sweep")
PY
