#!/bin/bash
# "muse fuzz image" from the host: mutated states of a UBIFS recording
# and of the committed JFFS2 trace go through attach, mount, reads and a
# write, many per boot; the inputs are the same for the same seed; a
# kernel report (here one the exercise writes into the kernel log) is a
# crash, kept with the mutated image, the mutation, the kernel log and a
# reproduce command that finds it again; results.db, JUnit and the HTML
# report hold every input; a stopped campaign goes on where it was; bad
# arguments are refused.
. "$(dirname "$0")/../lib.sh"

cat > "$WORK/w" <<'W'
#!/bin/bash
set -e
mkdir "$MUSE_MNT/d"
for i in 1 2 3; do head -c 40000 /dev/urandom > "$MUSE_MNT/d/f$i"; done
ln -s d/f1 "$MUSE_MNT/link"; sync
muse mark written --expect "$MUSE_MNT/d/f1"
W
chmod +x "$WORK/w"
t=$WORK/ubifs.db
check "record a UBIFS workload" "$MUSE" record --trace "$t" --geometry nand-2k,size=16m -- "$WORK/w"

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(*[d[k] for k in sys.argv[2:]])" "$@"; }

# ---- a campaign: every input tried, some mounted, the same for the same seed ------
rc=0
"$MUSE" fuzz image "$t" --at mark:written --inputs 12 --per-boot 6 --jobs 2 \
	--out "$WORK/c1" > "$WORK/c1.out" 2>&1 || rc=$?
read -r inputs mounted crashes < <(json "$WORK/c1/summary.json" inputs mounted crashes)
check "12 inputs tried" test "$inputs" = 12
check "some mutated states still mount, some are refused" \
	test "$mounted" -gt 0 -a "$mounted" -lt 12
check "exit status says whether a crash was found" \
	test "$rc" = "$([ "$crashes" -gt 0 ] && echo 1 || echo 0)"
"$MUSE" fuzz image "$t" --at mark:written --inputs 12 --per-boot 12 --jobs 1 \
	--out "$WORK/c2" > /dev/null 2>&1
check "the same seed gives the same inputs (as many mount)" \
	test "$(json "$WORK/c2/summary.json" mounted)" = "$mounted"
q() { sqlite3 -readonly "$1/results.db" "$2"; }
check "results.db: a row per input, as many mounted" sh -c \
	"test \"\$(sqlite3 -readonly '$WORK/c1/results.db' 'SELECT count(*), sum(reason LIKE \"mounted%\") FROM runs')\" = '12|$mounted'"
check "JUnit: 12 inputs" grep -q "<testsuite name=\"muse fuzz image\" tests=\"12\" failures=\"$crashes\"" \
	"$WORK/c1/junit.xml"
# stopped at 12 and resumed to 16: only the 4 missing inputs tried
"$MUSE" fuzz image "$t" --at mark:written --inputs 16 --per-boot 6 --jobs 2 \
	--out "$WORK/c1" > "$WORK/c1b.out" 2>&1
check "resumed: only the 4 missing inputs tried" test "$(json "$WORK/c1/summary.json" inputs)" = 4
check "resumed: results.db holds the 16" test "$(q "$WORK/c1" "SELECT count(*) FROM runs")" = 16
check_refused "the directory of another seed's campaign refused" \
	"holds a campaign with seed 1, not 5" "$MUSE" fuzz image "$t" --at mark:written --seed 5 \
	--inputs 1 --out "$WORK/c1"

# ---- a kernel report is a crash, kept and found again ---------------------------------
warn='echo "WARNING: CPU: 0 PID: 1 injected by the imagefuzz test" > /dev/kmsg'
rc=0
"$MUSE" fuzz image "$t" --at end --inputs 4 --per-boot 4 --jobs 1 --exercise "$warn" \
	--out "$WORK/c3" > "$WORK/c3.out" 2>&1 || rc=$?
check "a report in the kernel log: exit 1" test "$rc" = 1
n=$(ls "$WORK/c3/failures" | wc -l)
check "each mounted input kept as a crash" \
	test "$n" = "$(json "$WORK/c3/summary.json" mounted)" -a "$n" -gt 0
f=$(ls -d "$WORK"/c3/failures/* | head -n 1)
check "kept: image, verdict, kernel log, reproduce" \
	test -s "$f/image" -a -s "$f/verdict" -a -s "$f/kernel.log" -a -s "$f/reproduce"
check "the verdict quotes the report" grep -q 'injected by the imagefuzz test' "$f/verdict"
check "the verdict says what was mutated" grep -q '^mutation: block [0-9]' "$f/verdict"
check "results.db: each crash with its mutation, kernel log and reproduce" test \
	"$(q "$WORK/c3" "SELECT count(*) FROM runs WHERE verdict = 'crash' AND input LIKE 'block %'
		AND log LIKE '%injected by the imagefuzz test%' AND reproduce LIKE '%fuzz image%'")" = "$n"
check "JUnit: the crashes as failures" \
	grep -q "<testsuite name=\"muse fuzz image\" tests=\"4\" failures=\"$n\"" "$WORK/c3/junit.xml"
check "HTML report: the totals and each crash" sh -c \
	"grep -q 'id=\"totals\">4 inputs: [0-9]* passed, $n crashes' '$WORK/c3/report.html' &&
	 test \$(grep -c '<details class=\"finding\" id=\"[0-9]*\" data-verdict=\"crash\"' '$WORK/c3/report.html') = $n"
check "the image is the chip's size, with OOB" \
	test "$(stat -c %s "$f/image")" = $((16 * 1024 * 1024 / 2048 * 2112))
rc=0
bash "$f/reproduce" > "$WORK/again.out" 2>&1 || rc=$?
check "reproduce finds it again" test "$rc" = 1 -a -s "$f/again/summary.json"
check "the kept image attaches as served again" sh -c \
	"cmp '$f/image' \"\$(ls -d '$f'/again/failures/*)/image\""

# ---- JFFS2: the committed trace ----------------------------------------------------------
cp "$TOP/tests/data/jffs2-nand-cuts.db" "$WORK/j.db"
check "JFFS2 inputs tried" sh -c \
	"'$MUSE' fuzz image '$WORK/j.db' --at end --inputs 6 --per-boot 6 --jobs 1 --out '$WORK/j' > /dev/null 2>&1; test \$? -le 1"
check "JFFS2: 6 inputs" test "$(json "$WORK/j/summary.json" inputs)" = 6

# ---- refused ----------------------------------------------------------------------------------
check_refused "no --at refused" "--at N is needed" "$MUSE" fuzz image "$t"
check_refused "no trace refused" "one TRACE is needed" "$MUSE" fuzz image --at end
check_refused "an unknown mark refused" "nosuch" "$MUSE" fuzz image "$t" --at mark:nosuch --inputs 1 --out "$WORK/r1"
check_refused "--per-boot 0 refused" "--per-boot 0 is not valid" "$MUSE" fuzz image "$t" --at end --per-boot 0
finish
