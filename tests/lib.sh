# Helpers for the shell tests: those inside the bundled kernel
# (tests/uml/, run by "muse uml") and those on the host (tests/host/).
#
# A test script sources this file, then reports each check with pass,
# fail or skip.  tests/run counts the PASS:/FAIL:/SKIP: lines; a script
# that stops early without reporting is a failure of its own.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
MUSE=$TOP/build/bin/muse
# the guest's kernel (muse uml says where it is), else the default one
MODULES=${MUSE_KERNEL_DIR:-$TOP/build/kernel/${MUSE_KERNEL:-6.12}/uml}/modules
WORK=$(mktemp -d /tmp/muse-test.XXXXXX)
SERVE_PID=
failures=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }
skip() { echo "SKIP: $1: $2"; }

# check NAME CMD...: pass if CMD succeeds, fail with its output otherwise
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 5 | tr '\n' ' ')"
	fi
}

# check_refused NAME WANT CMD...: pass if CMD exits 2 saying WANT
check_refused() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" > "$WORK/refused.out" 2>&1 || rc=$?
	if [ "$rc" = 2 ] && grep -q -- "$want" "$WORK/refused.out"; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(head -c 300 "$WORK/refused.out" | tr '\n' ' ')"
	fi
}

# serve_start [muse serve options...]: sets MTD (/dev/mtdN) and MTDNUM.
# MUSE_SERVE_WRAPPER (e.g. "valgrind -q") runs the daemon under a tool.
serve_start() {
	: > "$WORK/serve.out"
	# shellcheck disable=SC2086
	${MUSE_SERVE_WRAPPER:-} "$MUSE" serve "$@" > "$WORK/serve.out" 2> "$WORK/serve.err" &
	SERVE_PID=$!
	for _ in $(seq 1 3000); do
		# the whole line: the daemon's write may be seen half done
		grep -qx '/dev/mtd[0-9]*' "$WORK/serve.out" 2>/dev/null && break
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.01
	done
	MTD=$(head -n 1 "$WORK/serve.out")
	MTDNUM=${MTD#/dev/mtd}
	[ -n "$MTD" ] && [ -c "$MTD" ]
}

# serve_checked TAG [muse serve options...]: serve_start, or a failure
# "TAG serve" with the daemon's messages
serve_checked() {
	local tag=$1
	shift
	serve_start "$@" && return 0
	fail "$tag serve" "$(serve_log)"
	return 1
}

# serve_stop: SIGTERM, then the daemon's exit status (0: no violations)
serve_stop() {
	local rc=0
	[ -n "$SERVE_PID" ] || return 0
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" || rc=$?
	SERVE_PID=
	return $rc
}

serve_log() { cat "$WORK/serve.err"; }

# served KIND: the daemon's count of KIND requests (reads, writes,
# erases) from the summary it printed at exit
served() {
	grep '^muse serve: [0-9]* requests (' "$WORK/serve.err" |
		sed -n "s/.*[(,] *\([0-9]*\) $1[,)].*/\1/p"
}

# check_serve_start NAME [options]: serve_start in this shell (not a
# subshell, which would lose SERVE_PID and MTD)
check_serve_start() {
	local name=$1
	shift
	if serve_start "$@"; then
		pass "$name"
	else
		fail "$name" "$(tail -n 3 "$WORK/serve.err" | tr '\n' ' ')"
	fi
}

# check_serve_stop NAME: stops the daemon; passes if it saw no violation
check_serve_stop() {
	if serve_stop; then
		pass "$1"
	else
		fail "$1" "$(tail -n 3 "$WORK/serve.err" | tr '\n' ' ')"
	fi
}

# Kernel messages that mean the kernel itself is unhappy
KERNEL_BAD='BUG:|WARNING:|Oops|KASAN|UBSAN|possible recursive locking|possible circular locking|inconsistent lock state|INFO: task .* blocked|hung_task|general protection|Kernel panic|kernel BUG|ODEBUG'

kernel_clean() {
	! dmesg | grep -E "$KERNEL_BAD"
}

# MTD index by name, for devices muse did not create (nandsim, mtdram)
mtd_by_name() {
	grep -l -x "$1" /sys/class/mtd/mtd*/name 2>/dev/null | head -n 1 |
		sed 's|/sys/class/mtd/mtd\([0-9]*\)/name|\1|'
}

# random_file PATH SIZE: random content (compare against a checksum)
random_file() {
	head -c "$2" /dev/urandom > "$1"
}

# muse mount: MNT is the mount point, MOUNT_PID the daemon's
MNT=$WORK/mnt
MOUNT_PID=

fuse_usable() { [ -w /dev/fuse ] && command -v fusermount3 > /dev/null; }

# mount_trace [OPTIONS] TRACE: muse mount in the background, until MNT is mounted
mount_trace() {
	mkdir -p "$MNT"
	"$MUSE" mount "$@" "$MNT" > "$WORK/mount.out" 2> "$WORK/mount.err" &
	MOUNT_PID=$!
	for _ in $(seq 1 500); do
		mountpoint -q "$MNT" && return 0
		kill -0 "$MOUNT_PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

unmount_trace() {
	fusermount3 -u "$MNT" && wait "$MOUNT_PID"
}

# check_installed_muse MUSE KERNEL: an installed muse (make install, the
# .deb) knows its kernels, builds KERNEL from its own copy of the recipes
# (here a hit of the user's kernel cache), records and replays.  Runs in
# a subshell: its cache is its own.
check_installed_muse() (
	local m=$1 k=$2 real_cache=${XDG_CACHE_HOME:-$HOME/.cache}/muse/kernel
	mkdir -p "$WORK/cache/muse"
	ln -sfn "$real_cache" "$WORK/cache/muse/kernel"
	export XDG_CACHE_HOME=$WORK/cache
	unset MUSE_KERNEL
	# the version of the tree; a build outside git adds no commit to it
	check "installed muse --version" test "$("$m" --version | sed 's/+.*//')" = "muse $(cat "$TOP/VERSION")"
	check "installed muse kernel list names 6.1 and 6.12" sh -c \
		"'$m' kernel list | grep -q '^6\\.1 ' && '$m' kernel list | grep -q '^6\\.12 '"
	check "installed muse builds $k from its recipes (here: from the cache)" "$m" kernel build "$k"
	check "the recipes were copied to the user's cache" test -x "$WORK/cache/muse/installed/kernel/build.sh"
	cd "$WORK" || return
	rm -f "$WORK/installed.db"
	check "installed muse records" "$m" record --trace "$WORK/installed.db" \
		--geometry nand-2k,size=8m --fs jffs2 --kernel "$k" -- \
		sh -c 'echo installed > "$MUSE_MNT/f" && sync && muse mark saved --expect "$MUSE_MNT/f"'
	check "installed muse replays" test "$("$m" replay "$WORK/installed.db" --at mark:saved -- \
		sh -c 'cat "$MUSE_MNT/f"' 2> /dev/null | tail -n 1)" = installed
	# the checks above ran in this subshell: their failures count outside
	[ "$failures" = 0 ]
)

finish() {
	# never leave a mount inside the directory removed below
	mountpoint -q "$MNT" 2>/dev/null && fusermount3 -u "$MNT"
	serve_stop >/dev/null 2>&1
	rm -rf "$WORK"
	[ "$failures" = 0 ]
}
