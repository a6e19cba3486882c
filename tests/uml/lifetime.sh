#!/bin/bash
# The daemon dies at the worst moments; the kernel must not care.  Run
# under the KASAN/lockdep kernel: after each scenario the log must hold
# no KASAN report, lockdep splat, WARN, BUG or hung task, no block may
# have been marked bad, everything must unmount and detach, and a new
# daemon must get a device.
. "$(dirname "$0")/../lib.sh"

MNT=$WORK/mnt
mkdir -p "$MNT"
BAD_MARKING='mark PEB .* as bad|must be bad|marked as bad'

no_bad_marking() { ! dmesg | grep -E "$BAD_MARKING"; }

# killed NAME: checks common to every scenario after a SIGKILL
after_kill() {
	local tag=$1
	check_serve_start "$tag: new daemon gets a device" --geometry nand-2k,size=16m
	check "$tag: it serves" mtd_debug read "$MTD" 0 2048 "$WORK/page"
	serve_stop
	check "$tag: no block marked bad" no_bad_marking
	check "$tag: kernel log clean" kernel_clean
}

kill_daemon() {
	kill -KILL "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
}

# mtd_gone N: the MTD leaves /proc/mtd (after its last user, in a work item)
mtd_gone() {
	for _ in $(seq 1 200); do
		grep -q "^mtd$1:" /proc/mtd || return 0
		sleep 0.01
	done
	return 1
}

scenario_idle() {
	dmesg -C
	serve_start --geometry nand-2k,size=16m || fail "idle: serve" "$(serve_log)"
	local num=$MTDNUM
	kill_daemon
	check "idle: MTD removed" mtd_gone "$num"
	after_kill idle
}

# A long write, so that the daemon surely dies in the middle of it
scenario_long_write() {
	local writer num
	dmesg -C
	serve_start --geometry nand-2k,size=64m || fail "long write: serve" "$(serve_log)"
	num=$MTDNUM
	head -c $((48 << 20)) /dev/urandom > "$WORK/big"
	flash_erase -q "$MTD" 0 0
	# 1 MiB at a time, each noted: the daemon dies a few MiB in, well
	# inside the 48, however fast the machine.  nocreat: once the MTD is
	# gone, its /dev node is too, and dd must not write a regular file
	# in its place (which then hides the next daemon's device node)
	(
		for i in $(seq 0 47); do
			dd if="$WORK/big" of="$MTD" bs=1M count=1 skip="$i" seek="$i" conv=nocreat \
				2>> "$WORK/writer.out" || exit 1
			echo "$i" >> "$WORK/progress"
		done
	) &
	writer=$!
	for _ in $(seq 1 3000); do
		[ -f "$WORK/progress" ] && [ "$(wc -l < "$WORK/progress")" -ge 4 ] && break
		kill -0 "$writer" 2>/dev/null || break
		sleep 0.01
	done
	check "long write: still writing when the daemon dies" kill -0 "$writer"
	kill_daemon
	if wait "$writer"; then
		fail "long write: writer sees the error" "dd succeeded"
	else
		pass "long write: writer sees the error"
	fi
	check "long write: MTD removed" mtd_gone "$num"
	after_kill "long write"
}

ubifs_up() {
	serve_start --geometry nand-2k,size=64m "$@" &&
		ubiformat -q -y "$MTD" && ubiattach -p "$MTD" -d 0 >/dev/null &&
		ubimkvol /dev/ubi0 -N data -m >/dev/null &&
		mount -t ubifs ubi0:data "$MNT"
}

busy_writer() {
	local i=0
	while :; do
		head -c 200000 /dev/urandom > "$MNT/w$((i % 20))" || return
		sync
		i=$((i + 1))
	done
}

scenario_ubifs_busy() {
	local writer num second
	dmesg -C
	if ubifs_up; then pass "ubifs busy: mounted"; else fail "ubifs busy: mounted" "$(serve_log)"; fi
	num=$MTDNUM
	busy_writer > /dev/null 2>&1 &
	writer=$!
	for _ in $(seq 1 500); do [ -e "$MNT/w2" ] && break; sleep 0.01; done
	kill_daemon
	# the writer's next IO meets the dead daemon; wait for the kernel's word
	for _ in $(seq 1 1000); do
		dmesg | grep -qE 'UBIFS error|read-only mode|ubi0 error' && break
		sleep 0.01
	done
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
	check "ubifs busy: filesystem reports errors" sh -c "dmesg | grep -qE 'UBIFS error|read-only mode|ubi0 error'"
	# a second daemon while the first MTD is still held: a new index
	check_serve_start "ubifs busy: second daemon while UBI holds the old MTD" \
		--geometry nand-2k,size=16m
	second=$MTDNUM
	check "ubifs busy: second daemon has its own index" test "$second" != "$num"
	check "ubifs busy: umount" umount "$MNT"
	check "ubifs busy: ubidetach" ubidetach -d 0
	check "ubifs busy: old MTD gone after detach" mtd_gone "$num"
	check "ubifs busy: second daemon still serves" mtd_debug read "$MTD" 0 2048 "$WORK/page"
	serve_stop
	after_kill "ubifs busy"
}

# SIGKILL the task doing IO, never the daemon: UBIFS must stay read-write
scenario_kill_fsync() {
	local i w
	dmesg -C
	if ubifs_up; then pass "kill mid-fsync: mounted"; else fail "kill mid-fsync: mounted" "$(serve_log)"; fi
	for i in 1 2 3 4 5 6; do
		dd if=/dev/urandom of="$MNT/f" bs=64k count=100 conv=fsync 2>/dev/null &
		w=$!
		sleep "0.$((i + 1))"
		kill -KILL "$w" 2>/dev/null
		wait "$w" 2>/dev/null
		rm -f "$MNT/f"
	done
	check "kill mid-fsync: still read-write" sh -c "grep ' $MNT ubifs rw' /proc/mounts"
	check "kill mid-fsync: no read-only switch" sh -c "! dmesg | grep -q 'read-only mode'"
	check "kill mid-fsync: new file durable" sh -c "head -c 100000 /dev/urandom > '$MNT/after' && sync"
	check "kill mid-fsync: umount" umount "$MNT"
	check "kill mid-fsync: detach" ubidetach -d 0
	check_serve_stop "kill mid-fsync: daemon clean"
	check "kill mid-fsync: kernel log clean" kernel_clean
}

# A daemon that stops answering (SIGSTOP, a debugger, a deadlock): the
# kernel gives it up after --timeout seconds, the IO fails instead of
# hanging, and the daemon, woken, says why the kernel ended it
scenario_stopped() {
	local writer num rc=0
	dmesg -C
	if ubifs_up --timeout 2; then pass "stopped: mounted"; else fail "stopped: mounted" "$(serve_log)"; fi
	num=$MTDNUM
	busy_writer > /dev/null 2>&1 &
	writer=$!
	for _ in $(seq 1 500); do [ -e "$MNT/w2" ] && break; sleep 0.01; done
	kill -STOP "$SERVE_PID"
	for _ in $(seq 1 3000); do
		dmesg | grep -q 'no answer for 2 s: ending the connection' && break
		sleep 0.01
	done
	check "stopped: kernel ends the connection after the timeout" \
		sh -c "dmesg | grep -q 'muse: muse: no answer for 2 s: ending the connection'"
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
	check "stopped: umount" umount "$MNT"
	check "stopped: ubidetach" ubidetach -d 0
	check "stopped: MTD gone after detach" mtd_gone "$num"
	kill -CONT "$SERVE_PID"
	wait "$SERVE_PID" || rc=$?
	SERVE_PID=
	check "stopped: woken daemon fails" test "$rc" != 0
	check "stopped: and names the kernel's reason" grep -q "no answer for 2 s" "$WORK/serve.err"
	after_kill stopped
}

scenario_idle
scenario_long_write
scenario_ubifs_busy
scenario_kill_fsync
scenario_stopped
finish
