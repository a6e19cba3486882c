#!/bin/bash
# The tree keeps its shape: the layers of lib/ cannot reach above
# themselves, SQL stays in the two stores that own a schema, and no file
# or function grows past what a reader takes in at once.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2

# SQLite is spoken by the trace store and the results stores of sweeps
# and fuzz campaigns (and by the white-box tests of the trace store,
# which look at its tables)
check "sqlite3_ only in lib/trace/, the results stores and the trace store's tests" \
	sh -c '! git ls-files "*.c" "*.h" | grep -vE "^(lib/trace/|replayer/(results|fuzz_results|sqlfile)\.c$|tests/unit/(test_trace|test_trace_query|test_packer|trace_fixture)\.c$)" |
		xargs grep -ln "sqlite3_"'

# layering_fails FILE HEADER: FILE including HEADER must not compile
layering_fails() {
	local file=$1 header=$2 copy out
	copy=$(mktemp -d "$WORK/tree.XXXXXX")
	git ls-files -z | xargs -0 cp --parents -t "$copy"
	sed -i "0,/^#include \"/s//#include \"$header\"\n&/" "$copy/$file"
	out=$(make -C "$copy" -s "build/obj/normal/${file%.c}.o" 2>&1)
	if [ $? = 0 ]; then
		fail "$file cannot include $header" "it compiled"
	elif ! echo "$out" | grep -q "$header: No such file"; then
		fail "$file cannot include $header" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	else
		pass "$file cannot include $header"
	fi
	rm -rf "$copy"
}
layering_fails lib/muse/server.c flash.h
layering_fails lib/muse/server.c trace.h
layering_fails lib/flash/flash.c server.h
layering_fails lib/trace/trace.c uml.h
layering_fails lib/mtd/geometry.c flash.h
layering_fails lib/flash/flash.c image.h
layering_fails lib/image/image.c trace.h
layering_fails lib/base/util.c geometry.h
# a library's private headers are its own
layering_fails recorder/inspect_cmd.c trace_impl.h
layering_fails replayer/cut.c flash_impl.h
layering_fails lib/device/flash_backend.c flash_impl.h
layering_fails cli/convert_cmd.c image_impl.h

long_files=$(git ls-files "*.c" "*.h" | grep -vE "^(tests|kernel)/" | xargs wc -l |
	awk '$2 != "total" && $1 > 600 { print $2 " (" $1 ")" }')
check "no source file over 600 lines" test -z "$long_files"
[ -z "$long_files" ] || echo "  long: $long_files"

# a function starts at a line "{" after its signature, ends at "}"
long_functions=$(git ls-files "*.c" | grep -vE "^(tests|kernel)/" | xargs awk '
	FNR == 1 { start = 0 }
	/^\{$/ { start = FNR; name = prev }
	/^\}$/ && start { if (FNR - start > 80) print FILENAME ": " name " (" FNR - start " lines)"; start = 0 }
	{ prev = $0 }')
check "no function over 80 lines" test -z "$long_functions"
[ -z "$long_functions" ] || echo "  long: $long_functions"

finish
