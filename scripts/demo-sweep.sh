#!/bin/bash
# The second half of "make demo", on the host: a UBIFS workload recorded
# into a trace (scripts/demo-workload.sh, about 2,300 flash ops after
# mkfs-done), one power cut replayed and mounted, then every cut point
# swept with the clean and torn models on all cores, with JUnit and HTML
# reports.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
muse=$top/build/bin/muse
out=${DEMO_DIR:-$top/build/demo}
t=$out/trace.db
mkdir -p "$out"
step() { printf '\n--- %s\n' "$*"; }

step "muse record: every program and erase of a UBIFS workload, into $t"
"$muse" record --force --trace "$t" --geometry nand-2k --fs ubifs -- "$top/scripts/demo-workload.sh"

step "muse inspect: the first marks, and the ops around one"
"$muse" inspect "$t" --marks | head -n 12
at=$(sqlite3 -readonly "$t" "SELECT after_seq FROM marks WHERE name = 'replaced-3'")
"$muse" inspect "$t" --ops --range "$((at - 2))..$((at + 2))"

step "muse replay: the flash at mark replaced-3, exported"
"$muse" replay "$t" --at mark:replaced-3 --export "$out/at-replaced-3.bin"

n=$(sqlite3 -readonly "$t" "SELECT min(seq) - 1 FROM ops WHERE kind = 1 AND seq > $at")
step "muse replay: power cut while op $((n + 1)) programmed a page (torn), mounted"
"$muse" replay "$t" --at "$n" --cut torn --seed 7 < /dev/null | grep -v '^  kernel: notice'

step "muse sweep: every cut point after mkfs-done, clean and torn, $(nproc) workers"
rc=0
"$muse" sweep "$t" --models clean,torn --jobs "$(nproc)" \
	--junit "$out/sweep.xml" --html "$out/sweep.html" || rc=$?
echo
echo "results: $t.sweep.db   reports: $out/sweep.html, $out/sweep.xml"
exit "$rc"
