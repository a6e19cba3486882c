#!/bin/bash
# Hostile files: traces cut short, with damaged bytes, from another
# program or a newer muse, and results files the same, given to every
# command that reads them.  Each must end with one line on stderr that names the file
# and the problem, and exit status 2: never a crash, a hang, or a state
# served as if nothing were wrong.  (Damaged checkpoint files are rebuilt:
# tests/unit/test_checkpoint.c.)
. "$(dirname "$0")/../lib.sh"

cat > "$WORK/raw-workload" <<'W'
#!/bin/bash
set -e
head -c 2048 /dev/urandom > /tmp/hostile-page
for b in 3 4 5; do
	flash_erase -q "$MUSE_MTD" $((b * 131072)) 1
	mtd_debug write "$MUSE_MTD" $((b * 131072)) 2048 /tmp/hostile-page > /dev/null
	muse mark "b$b"
done
W
chmod +x "$WORK/raw-workload"
good=$WORK/good.db
if ! "$MUSE" record --trace "$good" --geometry nand-2k,size=8m --fs none \
	-- "$WORK/raw-workload" > "$WORK/record.out" 2>&1; then
	fail "record the trace to damage" "$(tail -n 3 "$WORK/record.out" | tr '\n' ' ')"
	exit 1
fi
"$MUSE" replay "$good" --at end --export "$WORK/good.img" > /dev/null 2>&1
"$MUSE" sweep "$good" --range 1..3 --jobs 1 --results "$WORK/good.sweep.db" > /dev/null 2>&1
size=$(stat -c %s "$good")

# flip FILE OFFSET: one byte of FILE changed at OFFSET
flip() {
	printf '\xa5' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cp "$good" "$WORK/truncated.db" && truncate -s $((size / 2)) "$WORK/truncated.db"
# the file header's magic; a b-tree page's header (the trace's pages are 64 KiB)
cp "$good" "$WORK/header.db" && flip "$WORK/header.db" 3
cp "$good" "$WORK/btree.db" && for o in 0 1 3 5; do flip "$WORK/btree.db" $((65536 * 2 + o)); done
# a payload's stored bytes changed behind SQLite's back
cp "$good" "$WORK/payload.db"
sqlite3 "$WORK/payload.db" "UPDATE blobs SET data = randomblob(length(data))
	WHERE id = (SELECT data FROM ops WHERE kind = 1 ORDER BY seq LIMIT 1)"
# an op moved to another page: SQLite sees nothing wrong, the seal does
cp "$good" "$WORK/op.db" && sqlite3 "$WORK/op.db" "UPDATE ops SET addr = addr + 2048 WHERE seq = 2"
cp "$good" "$WORK/newer.db" && sqlite3 "$WORK/newer.db" "PRAGMA user_version = 99"
sqlite3 "$WORK/foreign.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
head -c 65536 /dev/urandom > "$WORK/random.db"
: > "$WORK/empty.db"
mkdir "$WORK/dir.db"

# hostile NAME FILE CMD...: exit status 2, one line on stderr naming FILE
hostile() {
	local name=$1 file=$2 rc=0
	shift 2
	timeout 300 "$@" > "$WORK/out" 2> "$WORK/all" < /dev/null || rc=$?
	# what it says besides the progress line of a checkpoint build
	grep -v '^muse: building checkpoints' "$WORK/all" > "$WORK/err"
	if [ "$rc" = 2 ] && [ "$(grep -c . "$WORK/err")" = 1 ] && grep -qF "$file" "$WORK/err"; then
		# the message names a temporary path: in the log, not the name
		echo "  $(cat "$WORK/err")"
		pass "$name"
	else
		fail "$name" "exit $rc, stderr: $(head -c 300 "$WORK/err" | tr '\n' ' ')"
	fi
}

for bad in truncated header btree op newer foreign random empty dir missing; do
	t=$WORK/$bad.db
	hostile "inspect, $bad trace" "$t" "$MUSE" inspect "$t"
	hostile "replay, $bad trace" "$t" "$MUSE" replay "$t" --at 1 --export "$WORK/x.img"
	hostile "sweep, $bad trace" "$t" "$MUSE" sweep "$t" --results "$WORK/r.db"
	hostile "recover, $bad trace" "$t" "$MUSE" recover "$t"
done
# a damaged payload is found where it is read: building a state
hostile "replay, payload damaged" "$WORK/payload.db" "$MUSE" replay "$WORK/payload.db" --at end \
	--export "$WORK/x.img"
hostile "sweep, payload damaged" "$WORK/payload.db" "$MUSE" sweep "$WORK/payload.db" \
	--results "$WORK/r.db"

# results files: merge and --resume refuse what is not a results file
cp "$WORK/good.sweep.db" "$WORK/newer-results.db"
sqlite3 "$WORK/newer-results.db" "PRAGMA user_version = 99"
cp "$WORK/good.sweep.db" "$WORK/cut-results.db"
truncate -s $(($(stat -c %s "$WORK/good.sweep.db") / 2)) "$WORK/cut-results.db"
for bad in newer-results cut-results foreign random; do
	r=$WORK/$bad.db
	hostile "merge, $bad file" "$r" "$MUSE" merge "$WORK/merged-$bad.db" "$WORK/good.sweep.db" "$r"
	cp "$r" "$WORK/resume-$bad.db"
	hostile "sweep --resume, $bad file" "$WORK/resume-$bad.db" "$MUSE" sweep "$good" \
		--range 1..3 --jobs 1 --results "$WORK/resume-$bad.db" --resume
done
check "a foreign file given to merge is left as it was" \
	test "$(sqlite3 "$WORK/foreign.db" "SELECT count(*) FROM sqlite_master")" = 1
check "the good trace was never touched" test "$(stat -c %s "$good")" = "$size"
