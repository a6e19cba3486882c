#!/bin/bash
# make install into a DESTDIR, as a package build does: the files land
# where they should; the manual pages list exactly the options each
# command's --help lists; bash completion completes commands and
# options; the installed muse knows its kernels, builds one (from the
# cache here) from its own copy of the recipes, records and replays;
# make uninstall leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

ROOT=$WORK/root
K=${MUSE_KERNEL:-6.12}
P=$ROOT/usr/local
M=$P/bin/muse
# the long options a --help or a manual page lists, one per line, sorted
help_options() {
	"$MUSE" "$1" --help 2>&1 | sed -n 's/^ \{2,6\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort -u
}
man_options() {
	sed -n '/^# \(OPTIONS\|COMMANDS AND OPTIONS\)$/,/^# /p' "$TOP/man/muse-$1.1.scd" |
		grep -o '^\*\(-[a-zA-Z]\*, \*\)\{0,1\}--[a-z][a-z-]*' | grep -o -- '--[a-z-]*' | sort -u
}
commands=$("$MUSE" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | grep -vx version)

check "make install DESTDIR PREFIX=/usr/local" make -s -C "$TOP" install DESTDIR="$ROOT" PREFIX=/usr/local
for c in $commands; do
	check "muse-$c(1) lists the options of muse $c --help" \
		cmp <(help_options "$c") <(man_options "$c")
	check "muse-$c.1 installed" test -s "$P/share/man/man1/muse-$c.1"
done
check "muse(1) names every command" sh -c "for c in $(echo $commands); do
	grep -q \"^\\*\$c\\*\$\" '$TOP/man/muse.1.scd' || exit 1; done"
check "kernel recipes, completion and docs installed" test -x "$P/share/muse/kernel/build.sh" -a \
	-d "$P/share/muse/kernel/patches/6.1" -a -s "$P/share/bash-completion/completions/muse" -a \
	-s "$P/share/doc/muse/docs/sweeping.md"

# completion, from the installed script
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _muse; echo "${COMPREPLY[*]}"' \
		sh "$P/share/bash-completion/completions/muse" "$@"
}
check "completion: muse sw -> sweep" test "$(complete_words "$M" sw)" = sweep
check "completion: muse sweep --ju -> --junit" test "$(complete_words "$M" sweep --ju)" = --junit
check "completion: muse mount --r -> --results" test "$(complete_words "$M" mount --r)" = --results
check "completion: nothing after --" test -z "$(complete_words "$M" record -- --f)"

check_installed_muse "$M" "$K" || failures=$((failures + 1))

check "make uninstall" make -s -C "$TOP" uninstall DESTDIR="$ROOT" PREFIX=/usr/local
check "nothing left after uninstall" test -z "$(find "$ROOT" -type f)"
finish
