#!/bin/bash
# The fuzz harnesses' inputs as regression tests: every committed corpus
# input, every input that once crashed a harness (tests/fuzz/regress/),
# and fresh seeds run once through the ASan+UBSan harness without a
# report.  "make fuzz" is the search; this is the memory of what it found.
. "$(dirname "$0")/../lib.sh"

"$TOP/build/tests/fuzz-seeds" "$WORK/seeds" > /dev/null 2>&1
for h in "$TOP"/build/tests/fuzz-*; do
	name=${h##*/fuzz-}
	[ "$name" = seeds ] && continue
	inputs=$(find "$TOP/tests/fuzz/corpus/$name" "$TOP/tests/fuzz/regress/$name" \
		"$WORK/seeds/$name" -type f 2>/dev/null)
	n=$(printf '%s\n' "$inputs" | grep -c .)
	kept=$(find "$TOP/tests/fuzz/regress/$name" -type f 2>/dev/null | wc -l)
	# shellcheck disable=SC2086
	if [ "$n" -gt 0 ] && (cd "$WORK" && "$h" $inputs > "$WORK/$name.out" 2>&1); then
		pass "fuzz $name: $n inputs ($kept that once crashed it) run clean"
	else
		fail "fuzz $name: $n inputs run clean" "$(grep -m2 -E 'ERROR|SUMMARY|Running' "$WORK/$name.out" | tr '\n' ' ')"
	fi
done
