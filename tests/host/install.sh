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

# the installed muse, with a cache of its own that sees the built kernels
real_cache=${XDG_CACHE_HOME:-$HOME/.cache}/muse/kernel
mkdir -p "$WORK/cache/muse"
ln -s "$real_cache" "$WORK/cache/muse/kernel"
export XDG_CACHE_HOME=$WORK/cache
unset MUSE_KERNEL
check "installed muse --version" test "$("$M" --version)" = "$("$MUSE" --version)"
check "installed muse kernel list names 6.1 and 6.12" sh -c \
	"'$M' kernel list | grep -q '^6\\.1 ' && '$M' kernel list | grep -q '^6\\.12 '"
check "installed muse builds 6.12 from its recipes (here: from the cache)" \
	"$M" kernel build "$K"
check "the recipes were copied to the user's cache" test -x "$WORK/cache/muse/installed/kernel/build.sh"
cd "$WORK"
check "installed muse records" "$M" record --trace "$WORK/t.db" --geometry nand-2k,size=8m --fs jffs2 \
	--kernel "$K" -- sh -c 'echo installed > "$MUSE_MNT/f" && sync && muse mark saved --expect "$MUSE_MNT/f"'
check "installed muse replays" test "$("$M" replay "$WORK/t.db" --at mark:saved -- sh -c 'cat "$MUSE_MNT/f"' 2> /dev/null | tail -n 1)" = installed

check "make uninstall" make -s -C "$TOP" uninstall DESTDIR="$ROOT" PREFIX=/usr/local
check "nothing left after uninstall" test -z "$(find "$ROOT" -type f)"
finish
