#!/bin/bash
# make bench, fuzzing: executions per second of "muse fuzz faults" (runs
# per second: two boots each, the recording and the judgement) and of
# "muse fuzz image" (inputs per second, many per boot), each a campaign of
# FUZZ_BENCH_TIME (default 5m: no run or batch starts after it) with
# --jobs 2 on the bench workload: UBIFS on nand-2k,size=16m and JFFS2 on
# nor-64k,size=8m for faults; the UBIFS state on the KASAN/lockdep kernel
# and on the plain one for images.
# Prints one line per campaign; the campaigns stay in $OUT.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
muse=$top/build/bin/muse
out=${OUT:-$top/build/bench/fuzz}
time=${FUZZ_BENCH_TIME:-5m}
kernel=${MUSE_KERNEL:-6.12}
rm -rf "$out"
mkdir -p "$out"

cat > "$out/workload" <<'W'
#!/bin/bash
set -e
for i in 1 2 3; do
	head -c 200000 /dev/urandom > "$MUSE_MNT/f$i"; sync
	muse mark "f$i" --expect "$MUSE_MNT/f$i"
done
mv "$MUSE_MNT/f1" "$MUSE_MNT/g1"; sync
muse mark moved --expect "$MUSE_MNT/g1" --absent "$MUSE_MNT/f1"
W
chmod +x "$out/workload"

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(*[d[k] for k in sys.argv[2:]])" "$@"; }

faults() {
	local name=$1 fs=$2 geometry=$3
	"$muse" fuzz faults --kernel "$kernel" --time "$time" --jobs 2 --fs "$fs" \
		--geometry "$geometry" --cut-at-random --out "$out/$name" -- "$out/workload" \
		> "$out/$name.log" 2>&1 || [ $? = 1 ]
	read -r runs secs rate found < <(json "$out/$name/summary.json" runs seconds \
		runs_per_second fail)
	printf 'fuzz faults %-22s %5s runs in %4.0f s, %.3f runs/s (%.3f per worker), %s failures\n' \
		"$fs,$geometry" "$runs" "$secs" "$rate" "$(echo "$rate / 2" | bc -l)" "$found"
}

image() {
	local name=$1 which=$2 k=$3
	"$muse" fuzz image "$out/ubifs.db" --at end --kernel "$k" --time "$time" --jobs 2 \
		--out "$out/$name" > "$out/$name.log" 2>&1 || [ $? = 1 ]
	read -r inputs secs rate crashes < <(json "$out/$name/summary.json" inputs seconds \
		inputs_per_second crashes)
	printf 'fuzz image  UBIFS, %-15s %5s inputs in %4.0f s, %.2f inputs/s (%.2f per worker), %s crashes\n' \
		"$which" "$inputs" "$secs" "$rate" "$(echo "$rate / 2" | bc -l)" "$crashes"
}

echo "muse fuzz, $time campaigns, --jobs 2, kernel $kernel:"
faults faults-ubifs ubifs nand-2k,size=16m
faults faults-jffs2-nor jffs2 nor-64k,size=8m
"$muse" record --kernel "$kernel" --trace "$out/ubifs.db" --geometry nand-2k,size=16m \
	-- "$out/workload" > "$out/ubifs.record.log" 2>&1
debug=$top/build/kernel/$kernel/uml-debug/linux
if [ -x "$debug" ]; then
	image image-kasan "KASAN kernel" "$debug"
else
	echo "fuzz image  UBIFS, KASAN kernel: not built (muse kernel build --debug $kernel)"
fi
image image-plain "plain kernel" "$top/build/kernel/$kernel/uml/linux"
