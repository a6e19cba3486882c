#!/bin/bash
# The Debian package: dpkg-buildpackage -us -uc -b builds it from a copy
# of the tree, lintian finds no error in it, its version is the tree's,
# it holds the tool, the manual pages, the completion and the kernel
# recipes, and the muse it installs (unpacked into a prefix, no root
# filesystem touched) knows its kernels, records and replays.
. "$(dirname "$0")/../lib.sh"

K=${MUSE_KERNEL:-6.12}
if ! command -v dpkg-buildpackage > /dev/null || ! command -v dh > /dev/null; then
	skip "Debian package" "dpkg-dev or debhelper is not installed"
	finish
	exit 0
fi

# a copy of the tree as git knows it (new files included), without build/
mkdir -p "$WORK/src"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp --parents -t "$WORK/src" 2> /dev/null)
version=$(cat "$TOP/VERSION")
check "debian/changelog is at the tree's version ($version)" \
	test "$(cd "$TOP" && dpkg-parsechangelog -S Version)" = "$version"
check "dpkg-buildpackage -us -uc -b" sh -c \
	"cd '$WORK/src' && dpkg-buildpackage -us -uc -b > '$WORK/build.log' 2>&1 || { tail -n 20 '$WORK/build.log'; exit 1; }"
deb=$WORK/muse_${version}_amd64.deb
check "the .deb is there" test -s "$deb"
if command -v lintian > /dev/null; then
	lintian "$deb" > "$WORK/lintian.out" 2>&1
	check "lintian: no errors" sh -c "! grep '^E: ' '$WORK/lintian.out'"
else
	skip "lintian" "lintian is not installed"
fi
dpkg -c "$deb" > "$WORK/contents" 2> /dev/null
for f in usr/bin/muse usr/share/man/man1/muse.1.gz usr/share/man/man1/muse-sweep.1.gz \
	usr/share/bash-completion/completions/muse usr/share/muse/kernel/build.sh \
	usr/share/muse/kernel/patches/6.12/ usr/share/doc/muse/copyright; do
	check "the package holds /$f" grep -q " \./$f\$" "$WORK/contents"
done
dpkg -x "$deb" "$WORK/root"
check_installed_muse "$WORK/root/usr/bin/muse" "$K" || failures=$((failures + 1))
finish
