#!/bin/bash
# Builds the bundled User-Mode Linux kernel with the MUSE patches.
#
#   kernel/build.sh uml         -> build/uml/linux, build/uml/modules/*.ko
#   kernel/build.sh uml-debug   -> build/uml-debug/... (KASAN, lockdep, ...)
#
# Inputs: Debian's linux-source-6.12 tarball, kernel/uml-fixes/*.patch
# (fixes UML needs on some hosts), kernel/patches/*.patch (the MUSE
# series), the config fragments and this script.  A build is cached under
# ${XDG_CACHE_HOME:-~/.cache}/muse/kernel/ keyed by a hash of all inputs,
# so an unchanged kernel is never rebuilt, even from a fresh clone.
set -euo pipefail

variant=${1:?usage: kernel/build.sh uml|uml-debug}
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$top/kernel
tarball=${MUSE_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
jobs=${MUSE_JOBS:-$(nproc)}

case $variant in
uml) fragments=("$kdir/uml.config") ;;
uml-debug) fragments=("$kdir/uml.config" "$kdir/uml-debug.config") ;;
*) echo "kernel/build.sh: unknown variant $variant (uml, uml-debug)" >&2; exit 2 ;;
esac

die() { echo "kernel/build.sh: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "no $tarball: install the linux-source-6.12 package (make deps)"

patches=("$kdir"/uml-fixes/*.patch)
for p in "$kdir"/patches/*.patch; do
	# the series' cover letter carries no code
	case $p in *-cover-letter.patch) ;; *) patches+=("$p") ;; esac
done
source_id=$(stat -c '%s %Y' "$tarball")
src_key=$( { echo "$source_id"; cat "${patches[@]}"; } | sha256sum | cut -c1-16)
key=$( { echo "$src_key"; cat "${fragments[@]}" "$0"; gcc --version | head -1; } |
	sha256sum | cut -c1-16)

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/muse/kernel
cache=$cache_root/$variant-$key
out=$top/build/$variant

install_from_cache() {
	rm -rf "$out"
	mkdir -p "$out/modules"
	cp -l "$cache/linux" "$out/linux" 2>/dev/null || cp "$cache/linux" "$out/linux"
	cp "$cache/config" "$out/config"
	cp "$cache"/modules/*.ko "$out/modules/"
	cp -r "$cache/checkpatch" "$out/checkpatch"
	echo "$key" > "$out/key"
}

if [ -x "$cache/linux" ]; then
	if [ "$(cat "$out/key" 2>/dev/null)" != "$key" ]; then
		install_from_cache
		echo "kernel $variant: from cache ($cache)"
	fi
	exit 0
fi

src=$top/build/src/linux-$src_key
if [ ! -f "$src/.muse-patched" ]; then
	echo "kernel $variant: unpacking $tarball"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	for p in "${patches[@]}"; do
		patch -d "$src.tmp" -p1 -s --forward < "$p" ||
			die "$(basename "$p") does not apply to $tarball"
	done
	touch "$src.tmp/.muse-patched"
	mv "$src.tmp" "$src"
	# sources of older patch sets only take space (1.4 GB each)
	find "$top/build/src" -maxdepth 1 -name 'linux-*' ! -name "linux-$src_key" \
		-exec rm -rf {} +
fi

obj=$top/build/obj/$variant
mkdir -p "$obj"
echo "kernel $variant: configuring"
make -s -C "$src" ARCH=um O="$obj" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" >/dev/null
make -s -C "$src" ARCH=um O="$obj" olddefconfig >/dev/null

# Every line of the fragments must have survived olddefconfig: a setting
# lost to an unmet dependency is a bug in the fragment, not a silent skip.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$obj/.config" || { echo "  lost: $line" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set") grep -qxF "$line" "$obj/.config" || { echo "  lost: $line" >&2; missing=1; } ;;
	esac
done < <(cat "${fragments[@]}")
[ $missing = 0 ] || die "the config fragments do not hold (see above)"

echo "kernel $variant: building with $jobs jobs (log: $obj/build.log)"
start=$(date +%s)
if ! make -C "$src" ARCH=um O="$obj" -j"$jobs" linux modules > "$obj/build.log" 2>&1; then
	tail -n 40 "$obj/build.log" >&2
	die "build failed (log: $obj/build.log)"
fi

# The driver itself must build without a single warning, even at W=1,
# both built in (as configured) and as the module patch 0001 exports the
# FUSE request helper for (linked against this kernel's symbols).
for as in y m; do
	touch "$src"/fs/fuse/muse_*.c
	target=fs/fuse/
	[ $as = m ] && target=fs/fuse/muse.ko
	if ! make -C "$src" ARCH=um O="$obj" W=1 KCFLAGS=-Werror CONFIG_MUSE=$as \
		"$target" > "$obj/muse-w1-$as.log" 2>&1; then
		cat "$obj/muse-w1-$as.log" >&2
		die "MUSE (CONFIG_MUSE=$as) does not build cleanly at W=1"
	fi
done
# the kernel has MUSE built in: the module is only built to check it
rm -f "$obj/fs/fuse/muse.ko"
make -C "$src" ARCH=um O="$obj" -j"$jobs" linux > /dev/null 2>&1
echo "kernel $variant: built in $(( $(date +%s) - start )) s"

mkdir -p "$cache_root"
tmp=$(mktemp -d "$cache_root/.build.XXXXXX")
mkdir -p "$tmp/modules"
cp "$obj/linux" "$tmp/linux"
cp "$obj/.config" "$tmp/config"
find "$obj" -name '*.ko' -exec cp {} "$tmp/modules/" \;
# the patches' style checker, so tests need no unpacked source
mkdir -p "$tmp/checkpatch"
cp "$src/scripts/checkpatch.pl" "$src/scripts/spelling.txt" \
	"$src/scripts/const_structs.checkpatch" "$tmp/checkpatch/"
rm -rf "$cache"
mv "$tmp" "$cache"
# keep the three newest builds of this variant
ls -dt "$cache_root/$variant"-???????????????? 2>/dev/null | tail -n +4 |
	xargs -r rm -rf
install_from_cache
