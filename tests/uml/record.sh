#!/bin/bash
# Recording: the trace holds the flash before the workload and every
# mutating op, in order: replaying them onto the initial state gives, byte
# for byte (data and OOB), the flash the daemon held at the end.  Marks
# land exactly between the ops around them.
. "$(dirname "$0")/../lib.sh"

cat > "$WORK/fs-workload" <<'W'
#!/bin/bash
set -e
mkdir -p "$MUSE_MNT/dir"
for i in 1 2 3 4 5 6; do head -c $((i * 40000)) /dev/urandom > "$MUSE_MNT/dir/f$i"; done
seq 1 20000 > "$MUSE_MNT/text"
# logs: enough similar pages that the recorder learns a payload dictionary
for i in 1 2 3; do seq -f "line %g of a log" $i 3 120000 > "$MUSE_MNT/log$i"; done
sync
muse mark files-written --expect "$MUSE_MNT/text" --expect "$MUSE_MNT/dir/f1"
rm "$MUSE_MNT/dir/f2" "$MUSE_MNT/dir/f3"
head -c 100000 /dev/urandom >> "$MUSE_MNT/text"
sync
muse mark rewritten --absent "$MUSE_MNT/dir/f2" --in-place "$MUSE_MNT/text"
W
chmod +x "$WORK/fs-workload"

# record GEOMETRY FS TAG: the end state replays byte for byte
record_and_replay() {
	local geometry=$1 fs=$2 tag=$3 t=$WORK/$3.db
	if ! "$MUSE" record --trace "$t" --geometry "$geometry" --fs "$fs" \
		--save "$WORK/$tag.end" -- "$WORK/fs-workload" > "$WORK/$tag.out" 2>&1; then
		fail "$tag record" "$(tail -n 5 "$WORK/$tag.out" | tr '\n' ' ')"
		return
	fi
	pass "$tag record"
	check "$tag summary printed" grep -q "ops .* programs" "$WORK/$tag.out"
	check "$tag replay to the end" "$MUSE" replay "$t" --at end --export "$WORK/$tag.replayed"
	check "$tag replay equals the daemon's flash, data and OOB" cmp "$WORK/$tag.end" "$WORK/$tag.replayed"
	"$MUSE" inspect "$t" --marks > "$WORK/marks"
	check "$tag mkfs-done then the workload's marks" sh -c \
		"awk '/^after op/ {printf \"%s \", \$4}' '$WORK/marks' | grep -qx 'mkfs-done files-written rewritten '"
	check "$tag preparation recorded before mkfs-done" sh -c \
		"awk '/mkfs-done/ {exit !(\$3 > 0)}' '$WORK/marks'"
	check "$tag no flash rule violations" sh -c "\"$MUSE\" inspect '$t' --violations | wc -l | grep -qx 0"
	check "$tag integrity" sh -c "sqlite3 '$t' 'PRAGMA integrity_check' | grep -qx ok"
	echo "$tag: $(sqlite3 "$t" "SELECT count(*) || ' payloads, ' || sum(codec = 2) || ' packed with a dictionary' FROM blobs")"
}

record_and_replay nand-2k,size=32m ubifs ubifs
record_and_replay nand-2k,size=16m jffs2 jffs2-nand
record_and_replay nor-64k,size=8m jffs2 jffs2-nor
# NOR programs are small and many: the recorder learned a dictionary
check "jffs2-nor replayed with dictionary-packed payloads" sh -c \
	"sqlite3 '$WORK/jffs2-nor.db' 'SELECT count(*) FROM blobs WHERE codec = 2' | grep -qv '^0$'"

# a trace is never overwritten by accident, and inspect leaves it alone
t=$WORK/ubifs.db
sum=$(sha256sum < "$t")
"$MUSE" inspect "$t" --ops > /dev/null
"$MUSE" inspect "$t" --block-history 3 --json > /dev/null
check "inspect leaves the trace unchanged" test "$(sha256sum < "$t")" = "$sum"
check "existing trace refused" sh -c "! '$MUSE' record --trace '$t' -- true 2> '$WORK/refused' && grep -q 'exists; --force replaces it' '$WORK/refused'"

# marks land between the right ops: erase, mark, program, mark, program
cat > "$WORK/raw-workload" <<'W'
#!/bin/bash
set -e
page=$(mktemp)
head -c 2048 /dev/urandom > "$page"
flash_erase -q "$MUSE_MTD" 0x60000 1
muse mark erased
mtd_debug write "$MUSE_MTD" 0x60000 2048 "$page" > /dev/null
muse mark first-page
mtd_debug write "$MUSE_MTD" 0x60800 2048 "$page" > /dev/null
rm -f "$page"
W
chmod +x "$WORK/raw-workload"
t=$WORK/raw.db
check "record with --fs none" "$MUSE" record --trace "$t" --geometry nand-2k,size=16m --fs none -- "$WORK/raw-workload"
"$MUSE" inspect "$t" --ops > "$WORK/ops"
"$MUSE" inspect "$t" --marks > "$WORK/marks"
check "ops: erase, program, program" sh -c \
	"awk 'NR > 1 {printf \"%s:%s:%s \", \$1, \$3, \$5 \$7}' '$WORK/ops' | grep -qx '1:erase:3 2:program:30 3:program:31 '"
check "marks after ops 0, 1 and 2" sh -c \
	"awk '/^after op/ {printf \"%s@%s \", \$4, \$3}' '$WORK/marks' | grep -qx 'mkfs-done@0 erased@1 first-page@2 '"
check "marks and ops as JSON" sh -c "'$MUSE' inspect '$t' --ops --json | grep -q '\"kind\": \"erase\"'"

# mark paths: --absent under directories that are gone or moved away,
# symbolic links followed into the mount, paths outside it refused
cat > "$WORK/paths-workload" <<'W'
#!/bin/bash
m=$MUSE_MNT out=$1
try() { local name=$1; shift; if muse mark "$name" "$@" 2> "$out/$name.err"; then echo ok > "$out/$name"; else echo refused > "$out/$name"; fi; }
mkdir -p "$m/a/sub" && echo data > "$m/a/sub/s" && echo target > "$m/t" && sync
mv "$m/a/sub" "$m/moved" && rm -r "$m/a" && sync
try gone-dir --absent "$m/a/sub/s"
try dotdot --absent "$m/nowhere/../a/x"
ln -s t "$m/link" && ln -s /etc/hostname "$m/out" && sync
try via-link --expect "$m/link"
try link-outside --expect "$m/out"
try outside --expect /etc/hostname
try escape --absent "$m/nowhere/../../x"
try missing --expect "$m/nope"
try still-there --absent "$m/moved/s"
exit 0
W
chmod +x "$WORK/paths-workload"
mkdir -p "$WORK/paths"
t=$WORK/paths.db
check "record the mark-paths workload" "$MUSE" record --trace "$t" --geometry nand-2k,size=16m \
	--fs jffs2 -- "$WORK/paths-workload" "$WORK/paths"
"$MUSE" inspect "$t" --marks > "$WORK/paths.marks"
check "--absent under a directory moved away: recorded as a/sub/s" sh -c \
	"grep -q 'absent *a/sub/s' '$WORK/paths.marks' && test \"\$(cat '$WORK/paths/gone-dir')\" = ok"
check "--absent through a missing dir and ..: recorded as a/x" sh -c \
	"grep -q 'absent *a/x' '$WORK/paths.marks' && test \"\$(cat '$WORK/paths/dotdot')\" = ok"
check "--expect of a symlink records its target" sh -c \
	"grep -q 'expect *t ' '$WORK/paths.marks' && test \"\$(cat '$WORK/paths/via-link')\" = ok"
check "a symlink out of the mount is refused" sh -c \
	"test \"\$(cat '$WORK/paths/link-outside')\" = refused && grep -q 'not on the recorded filesystem' '$WORK/paths/link-outside.err'"
check "a path outside the mount is refused" sh -c \
	"test \"\$(cat '$WORK/paths/outside')\" = refused && grep -q 'not on the recorded filesystem' '$WORK/paths/outside.err'"
check "--absent climbing out of the mount is refused" sh -c \
	"test \"\$(cat '$WORK/paths/escape')\" = refused && grep -q 'not on the recorded filesystem' '$WORK/paths/escape.err'"
check "--expect of a missing file names the problem" sh -c \
	"test \"\$(cat '$WORK/paths/missing')\" = refused && grep -q 'No such file or directory' '$WORK/paths/missing.err'"
check "--absent of a file that exists is refused" sh -c \
	"test \"\$(cat '$WORK/paths/still-there')\" = refused && grep -q 'exists; --absent declares it deleted' '$WORK/paths/still-there.err'"

check "kernel log clean" kernel_clean
finish

