#!/bin/bash
# A sweep within a budget: the order covers one point of every class
# first, is the same on every run, and its shards split it; --points K
# checks exactly the first K points and still finds a missing fsync (the
# marks' own states come right after the classes); coverage by
# class in the summary, JSON, JUnit, HTML and the results file adds up;
# --resume goes on along the order; a time budget leaves the rest
# unchecked and says so.
. "$(dirname "$0")/../lib.sh"

# replaces "config" by rename without syncing it, and declares it durable
cat > "$WORK/bad" <<'W'
#!/bin/bash
set -e
m=$MUSE_MNT
seq 1 2000 > "$m/config"; sync
muse mark first --expect "$m/config"
head -c 300000 /dev/urandom > "$m/bulk"; sync
muse mark bulk --expect "$m/bulk"
seq 5 5 20000 > "$m/config.new"
mv "$m/config.new" "$m/config"
muse mark replaced --expect "$m/config"
sleep 1
sync
muse mark synced --expect "$m/config"
W
chmod +x "$WORK/bad"
t=$WORK/bad.db
if ! "$MUSE" record --trace "$t" --geometry nand-2k,size=16m -- "$WORK/bad" > "$t.out" 2>&1; then
	fail "record" "$(tail -n 3 "$t.out" | tr '\n' ' ')"
	finish
fi

models=clean,torn
"$MUSE" sweep "$t" --models $models --list > "$WORK/order" 2> /dev/null
"$MUSE" sweep "$t" --models $models --list > "$WORK/order2" 2> /dev/null
total=$(wc -l < "$WORK/order")
classes=$(cut -d' ' -f4- "$WORK/order" | sort -u | wc -l)
check "--list gives the same order twice ($total points, $classes classes)" \
	sh -c "[ $total -gt 200 ] && cmp -s '$WORK/order' '$WORK/order2'"
check "the first $classes points are one of every class" sh -c \
	"[ \$(head -n $classes '$WORK/order' | cut -d' ' -f4- | sort -u | wc -l) = $classes ]"
check "every planned point is in the order once" sh -c \
	"[ \$(cut -d' ' -f1-3 '$WORK/order' | sort -u | wc -l) = $total ]"
"$MUSE" sweep "$t" --models $models --list --shard 1/2 > "$WORK/s1" 2> /dev/null
"$MUSE" sweep "$t" --models $models --list --shard 2/2 > "$WORK/s2" 2> /dev/null
check "shards 1/2 and 2/2 take every other point of the order" \
	test "$(paste -d'\n' "$WORK/s1" "$WORK/s2" | sed '/^$/d')" = "$(cat "$WORK/order")"

# what a user of --points sees: K points checked, the failure found; the
# marks' own states come right after one point of every class
marks=$(sqlite3 -readonly "$t" "SELECT count(*) FROM marks")
k=$((classes + 2 * marks))
rc=0
"$MUSE" sweep "$t" --models $models --points $k --jobs 2 --json "$WORK/b.json" \
	--junit "$WORK/b.xml" --html "$WORK/b.html" > "$WORK/b.out" 2>&1 || rc=$?
checked=$(sqlite3 -readonly "$t.sweep.db" "SELECT n || ' ' || model || ' ' || seed FROM results" | sort)
check "--points $k checks exactly the first $k points of the order" \
	test "$checked" = "$(head -n $k "$WORK/order" | cut -d' ' -f1-3 | sort)"
replaced=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'replaced'")
synced=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'synced'")
bad=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results WHERE verdict = 'fail'")
outside=$(sqlite3 -readonly "$t.sweep.db" "SELECT count(*) FROM results WHERE verdict = 'fail'
	AND (n < $replaced OR n >= $synced OR reason NOT LIKE 'config:%')")
if [ $rc = 1 ] && [ "$bad" -gt 0 ] && [ "$outside" = 0 ]; then
	pass "the unsynced rename is found within $k of $total points ($bad failures)"
else
	fail "the unsynced rename is found within $k points" "status $rc, $bad failures, $outside outside: $(grep -m3 -E 'reason|error' "$WORK/b.out" | tr '\n' ' ')"
fi
check "the summary gives the coverage and what is left" grep -q \
	"^coverage: $k of $total points ([0-9.]*%), $classes of $classes classes; $((total - k)) points left unchecked" \
	"$WORK/b.out"
check "the summary lists each class" sh -c \
	"[ \$(grep -cE '^ +[0-9]+/[0-9]+ +[0-9]+  (clean|torn): ' '$WORK/b.out') = $classes ]"
coverage_agrees() {
	python3 - "$WORK/b.json" "$k" "$total" "$classes" "$bad" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["coverage"]
k, total, classes, bad = map(int, sys.argv[2:])
assert (c["checked"], c["points"], c["unchecked"]) == (k, total, total - k), c
assert (c["classes"], c["classes_checked"]) == (classes, classes), c
by = c["by_class"]
assert len(by) == classes and all(x["checked"] >= 1 for x in by), by
assert sum(x["points"] for x in by) == total and sum(x["checked"] for x in by) == k
assert sum(x["failed"] for x in by) == bad, by
PY
}
check "--json: coverage by class adds up to the totals" coverage_agrees
check "the results file keeps the coverage by class" test \
	"$(sqlite3 -readonly "$t.sweep.db" 'SELECT count(*), sum(points), sum(checked) FROM coverage')" \
	= "$classes|$total|$k"
check "JUnit: coverage properties" sh -c \
	"grep -q '<property name=\"coverage.points\" value=\"$k/$total\"/>' '$WORK/b.xml' &&
	 [ \$(grep -c '<property name=\"coverage.class ' '$WORK/b.xml') = $classes ]"
check "HTML: coverage in the summary and by class" sh -c \
	"grep -q '$k of the $total points planned ($((total - k)) left unchecked), $classes of $classes classes' '$WORK/b.html' &&
	 grep -q '<details id=\"coverage\">' '$WORK/b.html'"

# --resume with a larger K checks only the next points of the order
k2=$((k + 30))
"$MUSE" sweep "$t" --models $models --points $k2 --jobs 2 --resume > "$WORK/r.out" 2>&1 || true
check "--resume --points $k2 checks the next 30 points of the order" sh -c \
	"grep -q ' $total cut points in $classes classes, 30 to check' '$WORK/r.out' &&
	 [ \"\$(sqlite3 -readonly '$t.sweep.db' \"SELECT n || ' ' || model || ' ' || seed FROM results\" | sort)\" = \
	   \"\$(head -n $k2 '$WORK/order' | cut -d' ' -f1-3 | sort)\" ]"

# a time budget: what it reaches depends on the machine; what it says must add up
"$MUSE" sweep "$t" --models $models --budget 30s --jobs 2 --results "$WORK/t.db" \
	> "$WORK/t.out" 2>&1 || true
done_n=$(sqlite3 -readonly "$WORK/t.db" "SELECT count(*) FROM results")
check "--budget 30s checks part of the order ($done_n points) and says what is left" sh -c \
	"[ $done_n -gt 0 ] && [ $done_n -lt $total ] &&
	 grep -q '^coverage: $done_n of $total points .*; $((total - done_n)) points left unchecked' '$WORK/t.out'"

refusal() {
	local name=$1 msg=$2 rc=0
	shift 2
	"$@" > "$WORK/refused" 2>&1 || rc=$?
	if [ $rc = 2 ] && grep -q -- "$msg" "$WORK/refused"; then
		pass "refused: $name"
	else
		fail "refused: $name" "status $rc: $(head -n 2 "$WORK/refused" | tr '\n' ' ')"
	fi
}
refusal "a budget of no time" "a time such as 90s" "$MUSE" sweep "$t" --budget 0
refusal "a budget that is not a time" "a time such as 90s" "$MUSE" sweep "$t" --budget 5x
refusal "no points" "at least 1" "$MUSE" sweep "$t" --points 0

finish
