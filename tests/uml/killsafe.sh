#!/bin/bash
# SIGKILL the recorder in the middle of a writer's work, 50 times: every trace must then
# open (after "muse recover"), pass PRAGMA integrity_check, hold a gapless
# sequence of ops, and replay to a flash that has every write the kernel
# saw acknowledged.  Then a few times under "muse record" with UBIFS,
# which must notice, recover and still summarize the trace.
. "$(dirname "$0")/../lib.sh"

KILLS=${KILLS:-50}
PAGE=2048
REC=$((2048 + 64))

for k in $(seq 0 15); do head -c $PAGE /dev/urandom > "$WORK/page$k"; done

# writer MTD ACKS: erase blocks and write pages; log what returned success
cat > "$WORK/writer" <<'W'
#!/bin/bash
mtd=$1 acks=$2 dir=$3
for b in $(seq 0 63); do
	flash_erase -q "$mtd" $((b * 131072)) 1 || exit 1
	for p in 0 1 2 3; do
		k=$(((b * 4 + p) % 16))
		mtd_debug write "$mtd" $((b * 131072 + p * 2048)) 2048 "$dir/page$k" > /dev/null || exit 1
		echo "$((b * 64 + p)) $k" >> "$acks"
	done
done
W
chmod +x "$WORK/writer"

# verify TRACE ACKS: integrity, gapless ops, every acknowledged page present
verify() {
	"$TOP/build/tests/muse-killcheck" "$1" "$2" "$WORK" 2>&1 > /dev/null
}

bad=0
for i in $(seq 1 "$KILLS"); do
	t=$WORK/kill.db
	rm -f "$t" "$t"-* "$WORK/acks"
	serve_start --geometry nand-2k,size=8m --trace "$t" || { bad=$((bad + 1)); echo "serve failed: $(serve_log)"; continue; }
	"$WORK/writer" "$MTD" "$WORK/acks" "$WORK" 2>/dev/null &
	writer=$!
	# the kill lands after a chosen number of acknowledged writes (1 to
	# 12, spread over the kills), so every run kills at the same points
	target=$(( (i * 5) % 12 + 1 ))
	for _ in $(seq 1 3000); do
		[ -f "$WORK/acks" ] && [ "$(wc -l < "$WORK/acks")" -ge "$target" ] && break
		kill -0 "$writer" 2>/dev/null || break
		sleep 0.01
	done
	kill -KILL "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
	wait "$writer" 2>/dev/null
	"$MUSE" recover "$t" > "$WORK/recover.out" 2>&1 || { bad=$((bad + 1)); cat "$WORK/recover.out"; continue; }
	why=$(verify "$t" "$WORK/acks") || { bad=$((bad + 1)); echo "kill $i: $why"; }
	n=$(wc -l < "$WORK/acks" 2>/dev/null || echo 0)
	echo "kill $i: $(cat "$WORK/recover.out" | sed 's/.*: //'), $n writes acknowledged" >> "$WORK/kills.log"
done
if [ "$bad" = 0 ]; then
	pass "$KILLS kills: every trace complete, gapless, holding every acknowledged write"
else
	fail "$KILLS kills" "$bad traces failed"
fi
check "kills hit the middle of the writes" sh -c "awk '{print \$(NF-2)}' '$WORK/kills.log' | sort -n | tail -n 1 | awk '\$1 > 10 {ok=1} END {exit !ok}'"

# under muse record: the recorder dies while UBIFS is busy
cat > "$WORK/fs-busy" <<W
#!/bin/bash
touch "$WORK/busy"
for i in \$(seq 1 200); do head -c 60000 /dev/urandom > "\$MUSE_MNT/f\$((i % 30))" || exit 0; sync; done
W
chmod +x "$WORK/fs-busy"
for i in 1 2 3; do
	t=$WORK/rec$i.db
	rm -f "$WORK/busy"
	"$MUSE" record --trace "$t" --geometry nand-2k,size=16m -- "$WORK/fs-busy" > "$WORK/rec.out" 2>&1 &
	rec=$!
	# the kill lands in the workload, never in the preparation before it
	for _ in $(seq 1 600); do [ -e "$WORK/busy" ] && break; sleep 0.1; done
	sleep 0.$i
	pkill -KILL -f "serve .*--trace $t"
	wait "$rec"
	check "record $i: recovered after the recorder's death" grep -q "recovering its journal" "$WORK/rec.out"
	check "record $i: summary" grep -q "ops .* programs" "$WORK/rec.out"
	check "record $i: integrity" sh -c "sqlite3 '$t' 'PRAGMA integrity_check' | grep -qx ok"
	check "record $i: replays" "$MUSE" replay "$t" --at end --export "$WORK/img"
	umount "/run/muse-record."*/mnt 2>/dev/null
done
check "kernel log clean" kernel_clean
finish
