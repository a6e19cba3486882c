#!/bin/bash
# Sweeping, from the host as users run it (each worker boots the bundled
# kernel): every clean cut point of UBIFS and JFFS2 (NAND; NOR: every third)
# passes; a workload that marks a file durable without syncing it is
# caught at exactly the cut points where the file is not yet on flash;
# shards merged and a killed-then-resumed sweep give the verdicts of one
# full sweep; a failing --check is reported at its N; the trace is never
# modified; the reports are written.
. "$(dirname "$0")/../lib.sh"

# creates, appends (in place: may be seen half done), renames, truncates
# and deletes, each made durable (sync) before the mark that declares it
cat > "$WORK/good" <<'W'
#!/bin/bash
set -e
m=$MUSE_MNT
seq 1 3000 > "$m/a"; head -c 20000 /dev/urandom > "$m/b"; sync
muse mark created --expect "$m/a" --expect "$m/b"
seq 3001 4000 >> "$m/a"; sync
muse mark appended --in-place "$m/a"
head -c 9000 /dev/urandom > "$m/c.tmp"; sync; mv "$m/c.tmp" "$m/c"; sync
muse mark renamed --expect "$m/c" --absent "$m/c.tmp"
truncate -s 5000 "$m/b"; sync
muse mark truncated --expect "$m/b"
rm "$m/a"; sync
muse mark deleted --absent "$m/a"
W
# replaces "config" by rename without syncing the new file first, and
# declares it durable right away: wrong until the sync; then changes it
# without declaring it again
cat > "$WORK/bad" <<'W'
#!/bin/bash
set -e
m=$MUSE_MNT
seq 1 2000 > "$m/config"; sync
muse mark first --expect "$m/config"
seq 5 5 20000 > "$m/config.new"
mv "$m/config.new" "$m/config"
muse mark replaced --expect "$m/config"
head -c 3000 /dev/urandom > "$m/other"
muse mark '<i>odd & name</i>'
sleep 1
sync
muse mark synced --expect "$m/config"
# changes config and never says so: a workload error, not the filesystem's
echo tail >> "$m/config"
sync
muse mark end --expect "$m/other"
W
chmod +x "$WORK/good" "$WORK/bad"

record() {
	local t=$1 geometry=$2 fs=$3 workload=$4
	"$MUSE" record --trace "$t" --geometry "$geometry" --fs "$fs" -- "$workload" \
		> "$t.out" 2>&1
}

verdicts() { sqlite3 -readonly "$1" "SELECT n, model, seed, verdict FROM results ORDER BY 1, 2, 3"; }

# clean sweeps pass everywhere (on NOR, whose JFFS2 writes are many and
# small, every third point: all of the workload in a third of the time)
for cfg in "ubifs nand-2k,size=16m ubifs 1" "jffs2-nand nand-2k,size=16m jffs2 1" \
	"jffs2-nor nor-64k,size=2m jffs2 3"; do
	set -- $cfg
	t=$WORK/$1.db
	if ! record "$t" "$2" "$3" "$WORK/good"; then
		fail "$1 record" "$(tail -n 3 "$t.out" | tr '\n' ' ')"
		continue
	fi
	sum=$(sha256sum < "$t")
	rc=0
	"$MUSE" sweep "$t" --jobs 2 --every "$4" --junit "$t.xml" > "$t.sweep" 2>&1 || rc=$?
	points=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results")
	if [ $rc = 0 ] && [ "$points" -ge 20 ]; then
		pass "$1: all $points clean cut points after mkfs-done pass$([ "$4" = 1 ] || echo " (every third op)")"
	else
		fail "$1: clean sweep" "status $rc, $points points: $(grep -m3 -E 'first|reason|reproduce' "$t.sweep" | tr '\n' ' ')"
	fi
	check "$1: the trace is unchanged by the sweep" test "$(sha256sum < "$t")" = "$sum"
	check "$1: JUnit report" grep -q "<testsuite name=\"muse sweep .*\" tests=\"$points\" failures=\"0\"" "$t.xml"
done

# the oracle catches the missing fsync, and only where it matters
t=$WORK/bad.db
if record "$t" nand-2k,size=16m ubifs "$WORK/bad"; then
	rc=0
	"$MUSE" sweep "$t" --jobs 2 --html "$t.html" > "$t.sweep" 2>&1 || rc=$?
	replaced=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'replaced'")
	synced=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'synced'")
	bad=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results WHERE verdict = 'fail'")
	outside=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results WHERE verdict = 'fail'
		AND (n < $replaced OR n >= $synced OR reason NOT LIKE 'config:%')")
	workload=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results WHERE verdict = 'workload'")
	misplaced=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results WHERE verdict = 'workload'
		AND (n < $synced OR reason NOT LIKE 'workload error: config changed after the mark synced%')")
	if [ $rc = 1 ] && [ "$bad" -gt 0 ] && [ "$outside" = 0 ]; then
		pass "unsynced rename flagged at $bad cut points, all between the marks replaced and synced"
	else
		fail "unsynced rename flagged" "status $rc, $bad failures, $outside outside $replaced..$synced: $(grep -m2 reason "$t.sweep")"
	fi
	if [ "$workload" -gt 0 ] && [ "$misplaced" = 0 ]; then
		pass "config changed undeclared after synced: $workload workload errors, not failures"
	else
		fail "workload errors" "$workload workload errors, $misplaced misplaced"
	fi
	check "the summary names the first failure and its command" \
		grep -q "reproduce: muse replay $t --at" "$t.sweep"
	check "HTML report links the failures" grep -q '<details id="' "$t.html"
	check "HTML report escapes what comes from the trace" grep -q '&lt;i&gt;odd &amp; name' "$t.html"
	check "HTML report needs nothing from the network" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$t.html'"
	if command -v chromium > /dev/null; then
		chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$t.html" \
			> "$t.dom" 2> /dev/null
		check "HTML report renders in headless Chromium with its failures" sh -c \
			"grep -q 'id=\"totals\">[0-9]* cut points: [0-9]* passed, $bad failed' '$t.dom' &&
			 grep -q '<details id=' '$t.dom' && ! grep -q '<i>odd' '$t.dom'"
	else
		skip "HTML report in headless Chromium" "chromium is not installed"
	fi
else
	fail "bad workload record" "$(tail -n 3 "$t.out" | tr '\n' ' ')"
fi

# shards and resume give the verdicts of one full sweep
t=$WORK/ubifs.db
from=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'mkfs-done'")
range=$from..$((from + 59))
"$MUSE" sweep "$t" --range "$range" --models clean,torn --jobs 2 --results "$WORK/full.db" > /dev/null 2>&1
for i in 1 2 3; do
	"$MUSE" sweep "$t" --range "$range" --models clean,torn --jobs 1 --shard "$i/3" \
		--results "$WORK/shard$i.db" > /dev/null 2>&1
done
"$MUSE" merge "$WORK/merged.db" "$WORK/shard1.db" "$WORK/shard2.db" "$WORK/shard3.db" > /dev/null 2>&1
check "shards 1/3 2/3 3/3 merged equal the full sweep" \
	test "$(verdicts "$WORK/merged.db")" = "$(verdicts "$WORK/full.db")"
check "the full sweep had both models" sh -c \
	"sqlite3 -readonly '$WORK/full.db' 'SELECT count(DISTINCT model) FROM results' | grep -qx 2"

"$MUSE" sweep "$t" --range "$range" --models clean,torn --jobs 2 --results "$WORK/resumed.db" \
	> /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	f=$(ls "$WORK"/resumed.db.d/worker-*.db 2>/dev/null | head -n 1)
	[ -n "$f" ] && [ "$(sqlite3 "$f" 'SELECT count(*) FROM results' 2>/dev/null || echo 0)" -ge 10 ] && break
	sleep 0.2
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
for _ in $(seq 1 300); do pgrep -f 'resumed[.]db[.]d/worker' > /dev/null || break; sleep 0.1; done
check "workers die with a killed sweep" sh -c "! pgrep -f 'resumed[.]db[.]d/worker' > /dev/null"
partial=0
for f in "$WORK"/resumed.db.d/worker-*.db "$WORK/resumed.db"; do
	[ -f "$f" ] && partial=$((partial + $(sqlite3 "$f" 'SELECT count(*) FROM results' 2>/dev/null || echo 0)))
done
"$MUSE" sweep "$t" --range "$range" --models clean,torn --jobs 2 --results "$WORK/resumed.db" \
	--resume > "$WORK/resume.out" 2>&1
if [ "$(verdicts "$WORK/resumed.db")" = "$(verdicts "$WORK/full.db")" ]; then
	pass "a sweep killed after $partial points and resumed equals the full sweep"
else
	fail "a sweep killed after $partial points and resumed equals the full sweep" \
		"$(tail -n 4 "$WORK/resume.out" | tr '\n' ' ')"
fi
total=$(sqlite3 -readonly "$WORK/full.db" 'SELECT count(*) FROM results')
todo=$(sed -n 's/.* cut points in [0-9]* classes, \([0-9]*\) to check.*/\1/p' "$WORK/resume.out")
check "the resumed sweep checked only what was missing ($todo of $total)" \
	test -n "$todo" -a "$todo" -lt "$total" -a "$todo" -gt 0

# a user check that fails at one N is reported there, and only there
n=$((from + 7))
rc=0
"$MUSE" sweep "$t" --range "$from..$((from + 15))" --jobs 2 --results "$WORK/check.db" \
	--json "$WORK/check.json" --debug-checks full \
	--check "test \"\${MUSE_CUT%%:*}\" != $n" > "$WORK/check.out" 2>&1 || rc=$?
check "--check failing at N=$n is reported at exactly N=$n" sh -c \
	"[ $rc = 1 ] && sqlite3 -readonly '$WORK/check.db' \"SELECT n FROM results WHERE verdict = 'fail'\" | grep -qx $n &&
	 [ \$(sqlite3 -readonly '$WORK/check.db' \"SELECT count(*) FROM results WHERE verdict = 'fail'\") = 1 ]"
# the same summary as JSON: the results file's counts, the failure with
# the op in flight and the reproduce command the text summary prints
json_agrees() {
	python3 - "$WORK/check.json" "$(sqlite3 -readonly "$WORK/check.db" "SELECT count(*) FROM results")" \
		"$n" "$(sed -n 's/^  reproduce: //p' "$WORK/check.out")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
points, n, repro = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
t = s["totals"]
assert t["points"] == points and t["failed"] == 1 and t["passed"] == points - 1, t
assert sum(m["points"] for m in s["by_model"].values()) == points, s["by_model"]
(f,) = s["failures"]
assert f["n"] == n and f["verdict"] == "fail" and f["reproduce"] == repro, f
assert f["op_in_flight"].startswith(f"op {n + 1}, "), f["op_in_flight"]
assert f["reason"].startswith("--check exited"), f["reason"]
assert len(s["trace_sha256"]) == 64 and s["kernel_release"], s
PY
}
check "--json: the summary's counts, failure, op and reproduce command" json_agrees
check "the reproduce command keeps --debug-checks full" \
	grep -q "reproduce: muse replay .* --debug-checks full" "$WORK/check.out"
# where the time went: every phase, over every point checked
check "the time per cut point by phase, over all 16 points" grep -qE \
	"^time per cut point: [0-9]+ ms \(mean of 16\): state [0-9]+, serve [0-9]+, attach [0-9]+, mount [0-9]+, files [0-9]+, remount [0-9]+, down [0-9]+, log [0-9]+$" \
	"$WORK/check.out"

refusal() {
	local name=$1 msg=$2 rc=0
	shift 2
	"$@" > "$WORK/refused" 2>&1 || rc=$?
	if [ $rc = 2 ] && grep -q "$msg" "$WORK/refused"; then
		pass "refused: $name"
	else
		fail "refused: $name" "status $rc: $(head -n 2 "$WORK/refused" | tr '\n' ' ')"
	fi
}
refusal "unknown model" 'unknown cut model "tron"' "$MUSE" sweep "$t" --models clean,tron
refusal "bad shard" "I/N with 1 <= I <= N" "$MUSE" sweep "$t" --shard 4/3
refusal "unknown self-checks mode" "sampled, full or none" "$MUSE" sweep "$t" --debug-checks all
refusal "range beyond the trace" "the trace has" "$MUSE" sweep "$t" --range 0..99999999
refusal "results of another trace" "results of another trace" \
	"$MUSE" sweep "$WORK/jffs2-nand.db" --results "$WORK/full.db" --resume
refusal "merging a missing results file" "No such file" \
	"$MUSE" merge "$WORK/m1.db" "$WORK/full.db" "$WORK/nonexistent.db"
refusal "merging results of two traces" "is from another trace" \
	"$MUSE" merge "$WORK/m2.db" "$WORK/full.db" "$WORK/jffs2-nand.db.sweep.db"

finish
