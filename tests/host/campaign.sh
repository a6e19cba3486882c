#!/bin/bash
# "muse fuzz faults" campaigns, from the host as users run them: runs on
# plans drawn from the seed, each judged; a failing --check is found in
# every run, kept with its plan, kernel log and a reproduce file whose
# commands give the same verdict again, and in results.db, JUnit and the
# HTML report; a stopped campaign goes on where it was; a power cut drawn within a run is judged; bad options and a
# workload that fails on a healthy chip are refused.
. "$(dirname "$0")/../lib.sh"

cat > "$WORK/w" <<'W'
#!/bin/bash
set -e
head -c 150000 /dev/urandom > "$MUSE_MNT/a"; sync
muse mark a --expect "$MUSE_MNT/a"
head -c 150000 /dev/urandom > "$MUSE_MNT/b"; sync
mv "$MUSE_MNT/b" "$MUSE_MNT/c"; sync
muse mark moved --expect "$MUSE_MNT/c" --absent "$MUSE_MNT/b"
W
chmod +x "$WORK/w"

fuzz() { "$MUSE" fuzz faults --jobs 2 "$@"; }
# json FILE KEY...: those values of the summary, space-separated
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(*[d[k] for k in sys.argv[2:]])" "$@"; }

# ---- every run fails --check: found, kept, reproduced --------------------------
c=$WORK/checked
rc=0
fuzz --out "$c" --runs 2 --check false -- "$WORK/w" > "$WORK/checked.out" 2>&1 || rc=$?
check "a failing --check: exit 1" test "$rc" = 1
check "summary: 2 runs, both fail" test "$(json "$c/summary.json" runs fail)" = "2 2"
check "a healthy baseline recorded first" test -s "$c/baseline.db"
n=0
for f in "$c"/failures/*/; do
	n=$((n + 1))
	check "kept $(basename "$f"): plan, verdict, kernel log, reproduce" \
		test -s "$f/plan" -a -s "$f/verdict" -a -s "$f/kernel.log" -a -s "$f/reproduce"
done
check "each failing run kept" test "$n" = 2
f=$(ls -d "$c"/failures/*/ | head -n 1)
check "the verdict names the check" grep -q 'at end: --check exited with status 1' "$f/verdict"
check "the plan is one muse serve takes" sh -c "grep -qE '^seed=[0-9]+,' '$f/plan'"
rc=0
bash -c "$(grep -v '^#' "$f/reproduce" | head -n 1)" > "$WORK/again" 2>&1 || rc=$?
check "reproduce: the verdict again, exit 1" test "$rc" = 1
check "reproduce: the same reason" grep -qx 'reason: --check exited with status 1' "$WORK/again"

# results.db, JUnit and the HTML report: the same runs
q() { sqlite3 -readonly "$c/results.db" "$1"; }
check "results.db: both runs, failed, with plan, reason, kernel log and reproduce" \
	test "$(q "SELECT count(*) FROM runs WHERE verdict = 'fail' AND input LIKE 'seed=%'
		AND reason LIKE '%--check exited%' AND log <> '' AND reproduce LIKE '%muse%'")" = 2
check "results.db: the campaign's settings" \
	test "$(q "SELECT value FROM meta WHERE key IN ('campaign', 'seed', 'fs') ORDER BY key")" \
	= "$(printf 'muse fuzz faults\nubifs\n1')"
check "JUnit: 2 runs, 2 failures" grep -q \
	'<testsuite name="muse fuzz faults" tests="2" failures="2" errors="0"' "$c/junit.xml"
check "JUnit: a failure per run, with its plan" \
	test "$(grep -c '<failure type="fail" message=".*--check exited.*">run: seed=' "$c/junit.xml")" = 2
check "HTML report: the totals and both findings" sh -c \
	"grep -q 'id=\"totals\">2 runs: 0 passed, 0 workload errors, 0 losses the chip explains, 2 failed' '$c/report.html' &&
	 test \$(grep -c '<details class=\"finding\"' '$c/report.html') = 2"
check "HTML report needs nothing from the network" sh -c \
	"! grep -Eq '(src|href)=\"(https?:)?//' '$c/report.html'"
if command -v chromium > /dev/null; then
	chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$c/report.html" \
		> "$WORK/report.dom" 2> /dev/null
	check "HTML report renders in headless Chromium, its filter counting the findings" \
		grep -q 'id="fcount">2 of 2 shown' "$WORK/report.dom"
else
	skip "HTML report in headless Chromium" "chromium is not installed"
fi

# ---- stopped and resumed: only the runs that are missing ---------------------------
before=$(stat -c %Y "$c"/runs/*.record.out | sort | tr '\n' ' ')
fuzz --out "$c" --runs 3 --check false -- "$WORK/w" > "$WORK/resumed.out" 2>&1
check "resumed: 3 runs counted" test "$(json "$c/summary.json" runs)" = 3
check "resumed: one more run recorded" test "$(ls "$c"/runs/*.record.out | wc -l)" = 3
check "resumed: the earlier runs left alone" sh -c \
	"stat -c %Y '$c'/runs/*.record.out | sort | head -n 2 | tr '\n' ' ' | grep -qx '$before'"
check "resumed: results.db holds the 3 runs" test "$(q "SELECT count(*) FROM runs")" = 3
check_refused "the directory of another seed's campaign refused" \
	"holds a campaign with seed 1, not 9" "$MUSE" fuzz faults --out "$c" --seed 9 --runs 4 \
	--check false -- "$WORK/w"
# another campaign of the same seed (its baseline given): the same first run
mkdir -p "$WORK/same" && cp "$c/baseline.db" "$WORK/same/"
fuzz --out "$WORK/same" --runs 1 --check false -- "$WORK/w" > /dev/null 2>&1
first=$(ls "$c"/runs/ | grep -m1 '\.db$')
check "the same seed draws the same plan" sh -c \
	"'$MUSE' inspect '$c/runs/$first' | grep '  faults ' > '$WORK/p1' && '$MUSE' inspect '$WORK/same/runs/$first' | grep '  faults ' | cmp - '$WORK/p1'"

# ---- faults of every kind, and power cuts drawn within the runs -----------------------
r=$WORK/random
rc=0
fuzz --out "$r" --runs 4 --seed 7 --cut-at-random -- "$WORK/w" > "$WORK/random.out" 2>&1 || rc=$?
found=$(json "$r/summary.json" fail crash | awk '{print $1 + $2}')
check "cut at random: 4 runs judged" test "$(ls "$r"/runs/*.verdict | wc -l)" = 4
check "cut at random: each judged at a cut within its run" sh -c \
	"cat '$r'/runs/*.verdict | grep -vcE '^(pass|workload|fail)	.*at [0-9]+ (torn|clean|erase)' | grep -qx 0"
check "cut at random: exit status says whether it found something" \
	test "$rc" = "$([ "${found:-0}" -gt 0 ] && echo 1 || echo 0)"
check "cut at random: results.db holds the 4 runs" \
	test "$(sqlite3 -readonly "$r/results.db" "SELECT count(*) FROM runs")" = 4
check "faults were injected" sh -c \
	"for t in '$r'/runs/*.db; do '$MUSE' inspect \"\$t\" --faults; done | grep -qE '^after op'"

# ---- refused ----------------------------------------------------------------------------
check_refused "unknown fault kind refused" "unknown fault bogus" "$MUSE" fuzz faults --kinds wear,bogus -- true
check_refused "--fs none refused" "ubifs or jffs2" "$MUSE" fuzz faults --fs none -- true
check_refused "--runs 0 refused" "--runs 0 is not valid" "$MUSE" fuzz faults --runs 0 -- true
check_refused "no workload refused" "no workload given" "$MUSE" fuzz faults --runs 1
check_refused "a workload failing on a healthy chip" "fails without faults" "$MUSE" fuzz faults \
	--out "$WORK/bad" --runs 1 -- false
finish
