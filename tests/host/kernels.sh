#!/bin/bash
# Kernels by name, as users name them: "muse kernel list" and "path"; a
# workload recorded on 6.1 replays on 6.1 by default (and says so) and on
# 6.12 when asked, the files the same; a trace whose kernel is not here
# is refused with the command that builds it; "muse kernel build
# --source" on an unpacked linux-source-6.1 tree gives a kernel that
# serves UBIFS, and a tree the series does not apply to is refused with
# the rejected hunks named.
. "$(dirname "$0")/../lib.sh"

OLD=6.1 NEW=6.12
tarball=/usr/src/linux-source-$OLD.tar.xz

release_of() { "$MUSE" uml --kernel "$1" -- uname -r 2>/dev/null; }

# ---- list, path ---------------------------------------------------------------

list=$("$MUSE" kernel list 2>&1)
for k in $OLD $NEW; do
	rel=$(release_of "$k")
	if echo "$list" | grep -qE "^$k +uml +$rel +built"; then
		pass "kernel list: $k built, release as its guests report"
	else
		fail "kernel list: $k built, release as its guests report" "guest says '$rel'; list: $list"
	fi
	case $rel in
	"$k".*) pass "--kernel $k boots Linux $k" ;;
	*) fail "--kernel $k boots Linux $k" "uname -r: '$rel'" ;;
	esac
done
check "kernel path: the binary of a named kernel" \
	test -x "$("$MUSE" kernel path "$OLD")"
# The debug kernel of $OLD is built only when its tests are asked for.
if echo "$list" | grep -qE "^$OLD +uml-debug +[^ ]+ +built"; then
	check "kernel path --debug: the binary of a built debug kernel" \
		test -x "$("$MUSE" kernel path --debug "$OLD")"
elif out=$("$MUSE" kernel path --debug "$OLD" 2>&1); then
	fail "kernel path --debug: a kernel not built is refused" "printed $out"
else
	check "kernel path --debug: a kernel not built is refused, naming its build command" \
		grep -q -- "muse kernel build --debug $OLD" <<< "$out"
fi
if out=$("$MUSE" kernel path no-such-kernel 2>&1); then
	fail "kernel path: unknown name refused" "printed $out"
else
	check "kernel path: unknown name refused, saying how to build one" \
		grep -q -- "--source DIR --name no-such-kernel" <<< "$out"
fi

# ---- record on 6.1, replay on 6.1 and on 6.12 ---------------------------------------

cat > "$WORK/workload" <<'W'
#!/bin/bash
set -e
seq 1 5000 > "$MUSE_MNT/numbers"; head -c 30000 /dev/zero > "$MUSE_MNT/zeros"; sync
muse mark written --expect "$MUSE_MNT/numbers" --expect "$MUSE_MNT/zeros"
W
chmod +x "$WORK/workload"
t=$WORK/t.db
if "$MUSE" record --kernel "$OLD" --trace "$t" --geometry nand-2k,size=16m -- \
	"$WORK/workload" > "$WORK/record.out" 2>&1; then
	pass "record --kernel $OLD"
else
	fail "record --kernel $OLD" "$(tail -n 5 "$WORK/record.out" | tr '\n' ' ')"
fi
meta() { sqlite3 -readonly "$t" "SELECT value FROM meta WHERE key = '$1'"; }
old_rel=$(release_of "$OLD")
check "the trace keeps the kernel's name and release" \
	test "$(meta kernel_name) $(meta kernel_release)" = "$OLD $old_rel"

# what a replay's guest runs on, and the files it sees
show='uname -r; cd "$MUSE_MNT" && sha256sum numbers zeros'
expected=$(cd "$WORK" && seq 1 5000 > numbers && head -c 30000 /dev/zero > zeros &&
	sha256sum numbers zeros)
# the guest's uname -r among what replay prints
guest_release() { grep -xE '[0-9]+\.[0-9]+\.[0-9]+[^ ]*' "$WORK/replay.out" | head -n 1; }
replay_on() {
	MUSE_KERNEL= "$MUSE" replay "$@" "$t" --at mark:written -- sh -c "$show" \
		> "$WORK/replay.out" 2> "$WORK/replay.err"
}
if replay_on; then
	check "replay: on the recording kernel by default" \
		test "$(guest_release)" = "$old_rel"
	check "replay: says which kernel and why" \
		grep -q "on kernel $OLD (Linux $old_rel), the kernel that recorded the trace" \
		"$WORK/replay.err"
	check "replay on $OLD: the files as written" \
		test "$(tail -n 2 "$WORK/replay.out")" = "$expected"
else
	fail "replay: on the recording kernel by default" "$(tail -n 3 "$WORK/replay.err" | tr '\n' ' ')"
fi
if replay_on --kernel "$NEW"; then
	case $(guest_release) in
	"$NEW".*) pass "replay --kernel $NEW: on $NEW" ;;
	*) fail "replay --kernel $NEW: on $NEW" "$(guest_release)" ;;
	esac
	check "replay on $NEW of what $OLD wrote: the same files" \
		test "$(tail -n 2 "$WORK/replay.out")" = "$expected"
else
	fail "replay --kernel $NEW: on $NEW" "$(tail -n 3 "$WORK/replay.err" | tr '\n' ' ')"
fi

# ---- sweeps on each kernel -------------------------------------------------------

last=$(sqlite3 -readonly "$t" 'SELECT max(seq) FROM ops')
range="$((last - 8))..$((last - 1))"
sweep_on() {
	MUSE_KERNEL= "$MUSE" sweep "$t" --range "$range" --models clean,torn "$@" \
		> "$WORK/sweep.out" 2> "$WORK/sweep.err"
}
results_release() { sqlite3 -readonly "$1" "SELECT value FROM meta WHERE key = 'kernel_release'"; }
if sweep_on --results "$WORK/old.db"; then
	pass "sweep: the last points pass on the recording kernel"
else
	fail "sweep: the last points pass on the recording kernel" "$(tail -n 3 "$WORK/sweep.out" | tr '\n' ' ')"
fi
check "sweep: on the recording kernel by default, and the results say so" \
	test "$(grep -c "on kernel $OLD (Linux $old_rel)" "$WORK/sweep.err") $(results_release "$WORK/old.db")" = "1 $old_rel"
if sweep_on --results "$WORK/old.db" --resume --kernel "$NEW"; then
	fail "sweep --resume on another kernel: refused" "it ran"
else
	check "sweep --resume on another kernel: refused" \
		grep -q "holds results judged by Linux $old_rel" "$WORK/sweep.err"
fi
if sweep_on --results "$WORK/new.db" --kernel "$NEW"; then
	pass "sweep --kernel $NEW: what $OLD wrote recovers on $NEW"
else
	fail "sweep --kernel $NEW: what $OLD wrote recovers on $NEW" "$(tail -n 3 "$WORK/sweep.out" | tr '\n' ' ')"
fi
case $(results_release "$WORK/new.db") in
"$NEW".*) pass "sweep --kernel $NEW: the results name $NEW" ;;
*) fail "sweep --kernel $NEW: the results name $NEW" "$(results_release "$WORK/new.db")" ;;
esac
if "$MUSE" merge "$WORK/both.db" "$WORK/old.db" "$WORK/new.db" > "$WORK/merge.out" 2>&1; then
	fail "merge of two kernels' results: refused" "it merged"
else
	check "merge of two kernels' results: refused" grep -q "was judged by Linux" "$WORK/merge.out"
fi

# ---- a trace whose kernel is not here -----------------------------------------

# refused_with NAME MESSAGE [env...]: replay of $WORK/other.db fails, saying MESSAGE
refused_with() {
	local name=$1 msg=$2 rc=0
	shift 2
	env "$@" MUSE_KERNEL= "$MUSE" replay "$WORK/other.db" --at end -- true \
		> /dev/null 2> "$WORK/refused.err" || rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$msg" "$WORK/refused.err"; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(tr '\n' ' ' < "$WORK/refused.err")"
	fi
}
set_meta() { sqlite3 "$WORK/other.db" "UPDATE meta SET value = '$2' WHERE key = '$1'"; }
cp "$t" "$WORK/other.db"
set_meta kernel_release "$OLD.0-older"
refused_with "a release not built: refused, naming the kernel here" \
	"recorded on Linux $OLD.0-older; kernel $OLD here is Linux $old_rel: pass \"--kernel $OLD\""
mkdir -p "$WORK/no-kernels"
set_meta kernel_release "$old_rel"
refused_with "a version not built: refused, naming the command that builds it" \
	"kernel $OLD (uml) is not built: run \"muse kernel build $OLD\"" \
	MUSE_KERNELS_DIR="$WORK/no-kernels"
set_meta kernel_name "vendor-5.15"
set_meta kernel_release "5.15.0"
refused_with "a kernel unknown here: refused, naming how to build one" \
	"no kernel named \"vendor-5.15\" is built"

# ---- any kernel tree --------------------------------------------------------------

tree=$WORK/tree
mkdir -p "$tree"
tar -xf "$tarball" -C "$tree" --strip-components=1
if "$MUSE" kernel build --source "$tree" --name tree-$OLD > "$WORK/build.out" 2>&1; then
	pass "kernel build --source: a linux-source-$OLD tree"
else
	fail "kernel build --source: a linux-source-$OLD tree" "$(tail -n 5 "$WORK/build.out" | tr '\n' ' ')"
fi
check "kernel build --source: picks the $OLD series" \
	grep -q "series $OLD" "$WORK/build.out"
check "kernel build --source: listed under its name" \
	grep -qE "^tree-$OLD +uml +$old_rel +built" <("$MUSE" kernel list)
# a whole suite of the kernel side on it
"$MUSE" uml --kernel tree-$OLD --timeout 600 -- "$TOP/tests/uml/ubifs.sh" > "$WORK/ubifs.out" 2>&1
if grep -q '^PASS: ' "$WORK/ubifs.out" && ! grep -q '^FAIL: ' "$WORK/ubifs.out"; then
	pass "kernel build --source: the kernel passes tests/uml/ubifs.sh"
else
	fail "kernel build --source: the kernel passes tests/uml/ubifs.sh" \
		"$(grep -E '^FAIL' "$WORK/ubifs.out" | head -n 3 | tr '\n' ' ')"
fi

# a tree the series does not apply to: every rejected hunk named
sed -i 's/^\tbool is_ext:1;$/\tbool is_ext:1; \/* vendor change *\//' "$tree/fs/fuse/fuse_i.h"
if "$MUSE" kernel build --source "$tree" > "$WORK/reject.out" 2>&1; then
	fail "kernel build --source: a tree the series does not apply to is refused" "it built"
else
	check "kernel build --source: the rejected hunk named: patch, file, .rej" \
		grep -qE "0002-fuse-Let-a-request.*: fs/fuse/fuse_i.h: 1 of 1 hunk.* rejected \(.*fuse_i.h.rej\)" \
		"$WORK/reject.out"
	check "kernel build --source: the refusal says why" \
		grep -q "does not apply to this tree" "$WORK/reject.out"
	# the patched copy kept for the user to look at: 1.4 GB
	rm -rf "$(sed -n 's|.*rejected (\(.*\)/fs/fuse/fuse_i.h.rej)$|\1|p' "$WORK/reject.out")"
fi
mkdir -p "$WORK/old/fs/fuse"
printf 'VERSION = 5\nPATCHLEVEL = 15\nSUBLEVEL = 0\nEXTRAVERSION =\n' > "$WORK/old/Makefile"
if "$MUSE" kernel build --source "$WORK/old" > "$WORK/old.out" 2>&1; then
	fail "kernel build --source: a 5.15 tree is refused" "it built"
else
	check "kernel build --source: a 5.15 tree is refused" \
		grep -q "MUSE needs 6.1 or later" "$WORK/old.out"
fi

finish
