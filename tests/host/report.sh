#!/bin/bash
# The sweep's HTML report on a crowded timeline: a recorded UBIFS workload
# with 150 marks and a results file of 20,000 points (the schema muse sweep
# writes; the verdicts of tests/host/sweep.sh come from real sweeps).
# In headless Chromium and Firefox: visible mark labels never overlap at any zoom,
# keys zoom, a click on a failure opens it, the filters filter.  The page
# is one file, a few MB at most, loads nothing, and escapes what comes
# from the trace and the kernel.  A screenshot is kept in build/.
. "$(dirname "$0")/../lib.sh"

if ! command -v chromium > /dev/null; then
	skip "report" "chromium is not installed"
	finish
	exit 0
fi
cat > "$WORK/workload" <<'W'
#!/bin/sh
set -e
for i in $(seq 1 150); do
	echo "file $i" > "$MUSE_MNT/f$((i % 7))"
	sync
	name=m$i
	[ "$i" = 75 ] && name='<i>odd & name</script>'
	muse mark "$name" --expect "$MUSE_MNT/f$((i % 7))"
done
W
chmod +x "$WORK/workload"
t=$WORK/marks.db
if ! "$MUSE" record --trace "$t" --geometry nand-2k,size=32m --fs ubifs -- "$WORK/workload" \
	> "$WORK/record.out" 2>&1; then
	fail "record 150 marks" "$(tail -n 3 "$WORK/record.out" | tr '\n' ' ')"
	finish
	exit 1
fi
from=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'mkfs-done'")
last=$(sqlite3 -readonly "$t" "SELECT max(seq) FROM ops")
# 20,000 points: clean and torn, as many seeds as it takes; a failure every
# 97th N, with a reason and a log that must not become markup
python3 - "$WORK/r.db" "$TOP/schema/results/001-initial.sql" "$from" "$last" \
	"$(sha256sum < "$t" | cut -c1-64)" "$t" <<'PY'
import sqlite3, sys
db, schema, first, last, sha, trace = sys.argv[1:]
first, last = int(first), int(last)
c = sqlite3.connect(db)
c.executescript(open(schema).read())
c.execute("PRAGMA user_version = 1")
c.executemany("INSERT INTO meta VALUES (?, ?)", [("trace_sha256", sha), ("trace", trace),
	("kernel_release", "6.12.0")])
rows, seeds = [], 1
while len(rows) < 20000:
	for n in range(first, last):
		for model in ("clean", "torn"):
			if len(rows) == 20000 or (model == "clean" and seeds > 1):
				continue
			bad = n % 97 == 0
			rows.append((n, model, 0 if model == "clean" else seeds,
				"fail" if bad else "pass", "mounting: <b>odd</b> & EIO" if bad else None,
				120.0, "UBIFS error </script><script>alert(1)</script>" if bad else None))
	seeds += 1
c.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
c.commit()
PY
rc=0
"$MUSE" merge "$WORK/all.db" "$WORK/r.db" --html "$WORK/r.html" > "$WORK/merge.out" 2>&1 || rc=$?
points=$(sqlite3 -readonly "$WORK/all.db" "SELECT count(*) FROM results")
size=$(stat -c %s "$WORK/r.html")
check "the report of $points points is one file of $((size / 1024)) KiB (< 4 MiB)" \
	test "$points" -ge 20000 -a "$rc" = 1 -a "$size" -lt $((4 << 20))
check "it loads nothing from the network" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$WORK/r.html'"
check "what comes from the trace and the kernel stays text" sh -c \
	"[ \$(grep -o '<script' '$WORK/r.html' | wc -l) = 2 ] && ! grep -q '<b>odd' '$WORK/r.html' &&
	 ! grep -q '<i>odd' '$WORK/r.html'"
check "the timeline and the controls can be reached by keyboard" sh -c \
	"grep -q '<div id=\"tl\" tabindex=\"0\" aria-label=' '$WORK/r.html' &&
	 grep -q '<button id=\"zin\" type=\"button\">' '$WORK/r.html'"

chromium --headless --no-sandbox --disable-gpu --window-size=1400,1000 --virtual-time-budget=10000 \
	--dump-dom "file://$WORK/r.html#selftest" > "$WORK/dom" 2> /dev/null
sed -n '/<pre id="selftest"/,/<\/pre>/p' "$WORK/dom" > "$WORK/selftest"
marks=$(sqlite3 -readonly "$t" "SELECT count(*) FROM marks")
for z in 1 4 16 64; do
	check "zoom $z: visible mark labels never overlap" grep -Eq "zoom $z: [1-9][0-9]* of $marks labels shown, 0 overlapping" "$WORK/selftest"
done
check "crowded: the whole trace shows only some of the $marks labels" \
	grep -Eq "zoom 1: [0-9]+ of $marks " "$WORK/selftest"
shown1=$(sed -n "s/.*zoom 1: \([0-9]*\) of.*/\1/p" "$WORK/selftest")
check "crowded: $shown1 of $marks labels shown at zoom 1" test "${shown1:-$marks}" -lt "$marks"
check "the + key zooms in" grep -q "key +: zoomed in" "$WORK/selftest"
check "a click on a failure in the verdict band opens it" grep -Eq "click on failure [0-9a-f]{12}-[0-9]+-[a-z]+-[0-9]+: opened" "$WORK/selftest"
check "the model filter filters" grep -Eq "filter model [a-z]+: [0-9]+ of [0-9]+ shown" "$WORK/selftest"
check "the filter by what op N+1 writes filters" grep -Eq "filter area [A-Za-z ]+: [0-9]+ of [0-9]+ shown" "$WORK/selftest"
# what the programs wrote, decoded from UBI's and UBIFS's headers
check "programs coloured by UBI and UBIFS area" python3 - "$WORK/r.html" <<'PY'
import json, re, sys
h = open(sys.argv[1]).read()
d = json.loads(re.search(r'<script type="application/json" id="data">\n(.*?)\n</script>', h, re.S).group(1))
seen = {d["areas"][o[3]] for o in d["ops"] if o[1] == 0}
want = {"UBI EC header", "UBI VID header", "UBI volume table", "UBIFS superblock",
	"UBIFS master", "UBIFS log", "UBIFS LPT", "UBIFS main"}
assert want <= seen, want - seen
PY
check "each failure says what op N+1 writes" grep -Eq \
	"<dt>it writes</dt><dd>(UBI|UBIFS) [a-zA-Z ]+ \((volume 0|UBI.s internal volume [0-9]+), LEB [0-9]+\)" "$WORK/r.html"
check "rendered: totals, failures, and no markup from the trace" sh -c \
	"grep -q 'id=\"totals\">$points cut points' '$WORK/dom' && grep -q '<details id=' '$WORK/dom' &&
	 ! grep -q '<i>odd' '$WORK/dom' && ! grep -q '<b>odd' '$WORK/dom'"
# the same checks in Firefox, which only takes screenshots headless: the
# page paints its verdict as a square in the top left corner
if command -v firefox-esr > /dev/null; then
	mkdir -p "$WORK/ff-home"
	HOME=$WORK/ff-home timeout 180 firefox-esr --headless --window-size=1400,1000 \
		--screenshot "$WORK/ff.png" "file://$WORK/r.html#selftest" > "$WORK/ff.out" 2>&1
	check "Firefox: the page's own checks pass (labels, keys, click, filters)" \
		test "$("$TOP/tests/host/png-pixel.py" "$WORK/ff.png" 10 10 2>&1)" = "#00ff00"
else
	skip "the report in Firefox" "firefox-esr is not installed"
fi
chromium --headless --no-sandbox --disable-gpu --window-size=1400,1000 \
	--screenshot="$WORK/chromium.png" "file://$WORK/r.html#selftest" > /dev/null 2>&1
check "Chromium paints the same verdict" \
	test "$("$TOP/tests/host/png-pixel.py" "$WORK/chromium.png" 10 10 2>&1)" = "#00ff00"
mkdir -p "$TOP/build"
cp "$WORK/r.html" "$TOP/build/report-example.html"
chromium --headless --no-sandbox --disable-gpu --window-size=1400,1100 \
	--screenshot="$TOP/build/report-screenshot.png" "file://$WORK/r.html" > /dev/null 2>&1
check "a screenshot for the reviewer: build/report-screenshot.png" test -s "$TOP/build/report-screenshot.png"
finish
