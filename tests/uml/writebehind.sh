#!/bin/bash
# Writes sent behind (what "muse serve" asks for unless a write may
# fail): pages written one by one reach the daemon as one request per
# run of max_io bytes, with what was written, and before any other
# request; a read on the same open device right after its writes sees
# them; what the device's last user wrote is in the image saved at exit.
# A daemon that may fail a write (--write-through, --strict, --trace)
# gets each write before the MTD user gets its answer.
. "$(dirname "$0")/../lib.sh"

random_file "$WORK/data" 1048576

# nandwrite writes page by page: 512 pages of one run, sent at close
write_pages() {
	flash_erase -q "$MTD" 0 8 && nandwrite -q "$MTD" "$WORK/data" &&
		nanddump -q -l 1048576 -f "$WORK/back" "$MTD" &&
		cmp "$WORK/back" "$WORK/data"
}

serve_checked behind --geometry nand-2k,size=16m || finish
check "behind: 512 pages written read back" write_pages
check_serve_stop "behind: daemon clean"
n=$(served writes)
check "behind: 512 page writes in one request ($n)" test "${n:-x}" = 1

for opt in --write-through --strict --trace; do
	extra=
	[ "$opt" = --trace ] && extra=$WORK/t.db
	serve_checked "$opt" --geometry nand-2k,size=16m "$opt" ${extra:+"$extra"} || continue
	check "$opt: 512 pages written read back" write_pages
	check_serve_stop "$opt: daemon clean"
	n=$(served writes)
	check "$opt: one request per page ($n)" test "${n:-x}" = 512
done

# one open device: writes, then reads of the same pages and of others
cat > "$WORK/rw.py" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
data = open(sys.argv[2], "rb").read()
os.pwrite(fd, data[:8192], 0x40000)
got = os.pread(fd, 8192, 0x40000)
os.pwrite(fd, data[8192:10240], 0x40000 + 8192)
other = os.pread(fd, 2048, 0x60000)
got += os.pread(fd, 2048, 0x40000 + 8192)
os.close(fd)
sys.exit(0 if got == data[:10240] and other == b"\xff" * 2048 else 1)
EOF
serve_checked same-fd --geometry nand-2k,size=16m --save "$WORK/saved.img" --format raw ||
	finish
check "same fd: a read after writes sees them" python3 "$WORK/rw.py" "$MTD" "$WORK/data"
check_serve_stop "same fd: daemon clean"
n=$(served writes)
# 4 pages sent before the first read, 1 before the second
check "same fd: two runs ($n)" test "${n:-x}" = 2
head -c 10240 "$WORK/data" > "$WORK/first"
check "saved image holds the last writes" \
	cmp "$WORK/first" <(tail -c +$((0x40000 + 1)) "$WORK/saved.img" | head -c 10240)

check "kernel log clean" kernel_clean
finish
