#!/bin/bash
# Builds a User-Mode Linux kernel with the MUSE patches.
#
#   kernel/build.sh VERSION [VARIANT]
#       Linux VERSION (6.1, 6.12: a folder of kernel/patches/) from
#       Debian's linux-source-VERSION tarball
#   kernel/build.sh --source DIR [--name NAME] [--config FILE] [VARIANT]
#       any kernel tree of 6.1 or later (a vendor's, say), with the series
#       of the nearest version; NAME defaults to the tree's version
#   kernel/build.sh --versions
#       the versions there is a series for, one a line
#
# VARIANT is uml (default) or uml-debug (KASAN, lockdep, ...).  The kernel
# lands in build/kernel/NAME/VARIANT/ (linux, config, modules/, release,
# name, checkpatch/).  A build is cached under
# ${XDG_CACHE_HOME:-~/.cache}/muse/kernel/ keyed by a hash of all inputs
# (the source, kernel/uml-fixes/*.patch, the series, the config fragments,
# the build steps of this script, the compiler), so an unchanged kernel is
# never rebuilt, even from a fresh clone.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$top/kernel
jobs=${MUSE_JOBS:-$(nproc)}
kernels=${MUSE_KERNELS_DIR:-$top/build/kernel}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/muse/kernel

die() { echo "kernel/build.sh: $*" >&2; exit 1; }
usage() {
	echo "usage: kernel/build.sh VERSION [uml|uml-debug]" >&2
	echo "       kernel/build.sh --source DIR [--name NAME] [--config FILE] [uml|uml-debug]" >&2
	echo "       kernel/build.sh --versions" >&2
	exit 2
}

versions() {
	local d
	for d in "$kdir"/patches/*/; do
		d=${d%/}
		basename "$d"
	done | sort -t. -k1,1n -k2,2n
}

# The series whose version is nearest MAJOR.MINOR (the older on a tie)
nearest_series() {
	local want=$(( $1 * 1000 + $2 )) best= dist= v d
	for v in $(versions); do
		d=$(( ${v%%.*} * 1000 + ${v#*.} - want ))
		d=${d#-}
		if [ -z "$dist" ] || [ "$d" -lt "$dist" ]; then
			best=$v dist=$d
		fi
	done
	echo "$best"
}

# A source is known by the listing of its files (path, size, mtime):
# hashing 1 GB of sources on every run would cost more than it saves.  A
# tarball and the tree it unpacks to list the same, so both share a cache.
tree_listing() {
	(cd "$1" && find . -path ./.git -prune -o -type f -printf '%P %s %Ts\n') |
		LC_ALL=C sort
}

tarball_listing() {
	python3 -c '
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t:
        if m.isfile() and "/" in m.name:
            print(m.name.split("/", 1)[1], m.size, int(m.mtime))
' "$1" | LC_ALL=C sort
}

# listing a tarball takes seconds, so its hash is kept by the tarball's
# size and mtime
tarball_id() {
	local memo
	memo=$cache_root/.sources/$(stat -c '%s %Y %n' "$1" | sha256sum | cut -c1-16)
	if [ ! -s "$memo" ]; then
		mkdir -p "${memo%/*}"
		tarball_listing "$1" | sha256sum | cut -c1-16 > "$memo.$$"
		mv "$memo.$$" "$memo"
	fi
	cat "$memo"
}

source_dir= name= vendor_config= version=
while [ $# -gt 0 ]; do
	case $1 in
	--versions) versions; exit 0 ;;
	--source) source_dir=${2:?--source needs a directory}; shift 2 ;;
	--name) name=${2:?--name needs a name}; shift 2 ;;
	--config) vendor_config=${2:?--config needs a file}; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "kernel/build.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
if [ -z "$source_dir" ]; then
	version=${1:-}
	[ -n "$version" ] || usage
	shift
fi
variant=${1:-uml}
[ $# -le 1 ] || usage

case $variant in
uml) fragments=("$kdir/uml.config") ;;
uml-debug) fragments=("$kdir/uml.config" "$kdir/uml-debug.config") ;;
*) die "unknown variant $variant (uml, uml-debug)" ;;
esac

# ---- what to build from -----------------------------------------------------

if [ -n "$source_dir" ]; then
	[ -f "$source_dir/Makefile" ] && [ -d "$source_dir/fs/fuse" ] ||
		die "$source_dir is not a kernel source tree"
	source_dir=$(cd "$source_dir" && pwd)
	tree_version=$(awk -F' *= *' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { x = $2 }
		END { if (v != "" && p != "") print v "." p "." (s == "" ? 0 : s) x }' \
		"$source_dir/Makefile")
	[ -n "$tree_version" ] || die "$source_dir/Makefile does not say which Linux it is"
	major=${tree_version%%.*} rest=${tree_version#*.}
	minor=${rest%%.*}
	[ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "$minor" -ge 1 ]; } ||
		die "$source_dir holds Linux $tree_version; MUSE needs 6.1 or later"
	series=$(nearest_series "$major" "$minor")
	name=${name:-$tree_version}
	[ -z "$vendor_config" ] && [ -f "$source_dir/.config" ] &&
		vendor_config=$source_dir/.config
	echo "kernel $name: Linux $tree_version from $source_dir, series $series"
	source_id=$(tree_listing "$source_dir" | sha256sum | cut -c1-16)
else
	[ -d "$kdir/patches/$version" ] ||
		die "no series for Linux $version (there are: $(versions | paste -sd ' '))"
	series=$version
	name=${name:-$version}
	tarball=${MUSE_LINUX_TARBALL:-/usr/src/linux-source-$version.tar.xz}
	[ -r "$tarball" ] ||
		die "no $tarball: install Debian's linux-source-$version (apt-get install linux-source-$version)"
	source_id=$(tarball_id "$tarball")
fi
case $name in
*/*|.*|"") die "bad kernel name \"$name\"" ;;
esac

patches=("$kdir"/uml-fixes/*.patch)
for p in "$kdir/patches/$series"/*.patch; do
	# the series' cover letter carries no code
	case $p in *-cover-letter.patch) ;; *) patches+=("$p") ;; esac
done

# The filesystem options of the tree's own configuration, under muse's:
# a vendor's UBI, UBIFS and JFFS2 choices (compressors, summaries, fastmap)
# shape what the kernel writes; its drivers and architecture do not apply.
fs_fragment=
if [ -n "$vendor_config" ]; then
	[ -r "$vendor_config" ] || die "cannot read $vendor_config"
	fs_fragment=$(grep -E '^(# )?CONFIG_(MTD_UBI|UBIFS_FS|JFFS2)[A-Z0-9_]*[= ]' \
		"$vendor_config" | grep -vE 'CONFIG_(MTD_UBI|UBIFS_FS|JFFS2_FS)[= ]' || true)
fi

# A version's own fragments go on top of muse's, each over the one of its
# name (kernel/patches/VERSION/uml.config, uml-debug.config): a "# CONFIG_X
# is not set" there takes X out of them, for an option that version
# cannot have.
series_fragments=$kdir/patches/$series/
own_fragments=()
for f in "${fragments[@]}"; do
	f=$series_fragments$(basename "$f")
	[ -f "$f" ] && own_fragments+=("$f")
done
fragments+=("${own_fragments[@]}")

src_key=$( { echo "$source_id"; cat "${patches[@]}"; } | sha256sum | cut -c1-16)
# the steps from "configure" on make the kernel; those above only find it
recipe=$(sed -n '/^# ---- configure/,$p' "$0")
key=$( { echo "$src_key"; echo "$fs_fragment"; cat "${fragments[@]}"; echo "$recipe"
	gcc --version | head -1; } | sha256sum | cut -c1-16)

# the fragments as one, each option set by the last that names it
resolve_fragments() {
	awk -v series="$series_fragments" '
		match($0, /^CONFIG_[A-Za-z0-9_]+=/) { sym = substr($0, 1, RLENGTH - 1) }
		match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set$/) { sym = $2 }
		!/^CONFIG_/ && !/^# CONFIG_.* is not set$/ { next }
		{ if (!(sym in line)) order[++n] = sym
		  line[sym] = (index(FILENAME, series) == 1 && /^#/) ? "" : $0 }
		END { for (i = 1; i <= n; i++) if (line[order[i]] != "") print line[order[i]] }
	' "${fragments[@]}"
}
if [ ${#own_fragments[@]} -gt 0 ]; then
	effective=$(mktemp)
	trap 'rm -f "$effective"' EXIT
	resolve_fragments > "$effective"
	fragments=("$effective")
fi

# the name is not an input: the same tree built under two names is one build
cache=$cache_root/$variant-$key
out=$kernels/$name/$variant

install_from_cache() {
	rm -rf "$out"
	mkdir -p "$out/modules"
	cp -l "$cache/linux" "$out/linux" 2>/dev/null || cp "$cache/linux" "$out/linux"
	cp "$cache/config" "$cache/release" "$cache/build-seconds" "$out/"
	cp "$cache"/modules/*.ko "$out/modules/"
	cp -r "$cache/checkpatch" "$out/checkpatch"
	echo "$name" > "$out/name"
	echo "$key" > "$out/key"
}

# one build of a kernel at a time: commands that need it may all start it
mkdir -p "$cache_root"
exec 9> "$cache_root/.$variant-$key.lock"
flock 9

if [ -x "$cache/linux" ]; then
	if [ "$(cat "$out/key" 2>/dev/null)" != "$key" ]; then
		install_from_cache
		echo "kernel $name $variant: from cache ($cache)"
	fi
	exit 0
fi

# ---- unpack and patch ---------------------------------------------------------

# Applies every patch, all hunks that apply, and lists those that do not,
# with the file that keeps each: on a vendor tree the whole list says more
# than the first failure.
apply_series() {
	local tree=$1 p rejected=0
	for p in "${patches[@]}"; do
		if ! patch -d "$tree" -p1 --forward --no-backup-if-mismatch \
			< "$p" > "$tree/.muse-patch.log" 2>&1; then
			awk -v patch="$(basename "$p")" -v tree="$tree" '
				/^patching file / { file = $3 }
				/^Hunk #/ { next }
				/hunks? FAILED/ { printf "  %s: %s: %s of %s hunk%s rejected (%s/%s.rej)\n",
					patch, file, $1, $4, $4 == 1 ? "" : "s", tree, file; next }
				/FAILED|can.t find file|malformed|Reversed|already exists/ { print "  " patch ": " $0 }
			' "$tree/.muse-patch.log" >&2
			rejected=1
		fi
	done
	rm -f "$tree/.muse-patch.log"
	return $rejected
}

src=$top/build/src/linux-$src_key
if [ ! -f "$src/.muse-patched" ]; then
	rm -rf "$src" "$src.tmp"
	# trees a failed or interrupted build left (1.4 GB each), once the
	# user had an hour to look at their rejected hunks
	mkdir -p "$top/build/src"
	find "$top/build/src" -maxdepth 1 -name 'linux-*.tmp' -mmin +60 -exec rm -rf {} +
	mkdir -p "$src.tmp"
	if [ -n "$source_dir" ]; then
		echo "kernel $name $variant: copying $source_dir"
		(cd "$source_dir" && tar -cf - --exclude=./.git .) | tar -xf - -C "$src.tmp"
		# the tree may have been configured or built in place
		make -s -C "$src.tmp" mrproper >/dev/null 2>&1 || true
	else
		echo "kernel $name $variant: unpacking $tarball"
		tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	fi
	apply_series "$src.tmp" ||
		die "the MUSE series for $series does not apply to this tree (hunks listed above)"
	touch "$src.tmp/.muse-patched"
	mv "$src.tmp" "$src"
	# sources of other patch sets only take space (1.4 GB each)
	ls -dt "$top"/build/src/linux-???????????????? | tail -n +4 | xargs -r rm -rf
fi

# ---- configure ----------------------------------------------------------------

obj=$top/build/obj/$name-$variant
mkdir -p "$obj"
echo "kernel $name $variant: configuring"
make -s -C "$src" ARCH=um O="$obj" tinyconfig >/dev/null
all_fragments=()
if [ -n "$fs_fragment" ]; then
	echo "$fs_fragment" > "$obj/vendor-fs.config"
	all_fragments+=("$obj/vendor-fs.config")
fi
all_fragments+=("${fragments[@]}")
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${all_fragments[@]}" >/dev/null
make -s -C "$src" ARCH=um O="$obj" olddefconfig >/dev/null

# Every line of muse's fragments must have survived olddefconfig: a
# setting lost to an unmet dependency is a bug in the fragment, not a
# silent skip.  "is not set" holds trivially for an option this tree lacks.
known() { grep -rqE "^\s*(menu)?config $1\$" --include='Kconfig*' "$src"; }
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$obj/.config" || { echo "  lost: $line" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# CONFIG_}
		sym=${sym%% *}
		grep -qxF "$line" "$obj/.config" || ! known "$sym" ||
			{ echo "  lost: $line" >&2; missing=1; } ;;
	esac
done < <(cat "${fragments[@]}")
[ $missing = 0 ] || die "the config fragments do not hold (see above)"

# ---- build --------------------------------------------------------------------

echo "kernel $name $variant: building with $jobs jobs (log: $obj/build.log)"
start=$(date +%s)
if ! make -C "$src" ARCH=um O="$obj" -j"$jobs" linux modules > "$obj/build.log" 2>&1; then
	tail -n 40 "$obj/build.log" >&2
	die "build failed (log: $obj/build.log)"
fi

# The driver itself must build without a single warning: in this build,
# and at W=1, both built in (as configured) and as the module patch 0001
# exports the FUSE request helper for (linked against this kernel's
# symbols).  W=1 is checked on the plain variant, whose driver source is
# the debug one's.  The rest of the tree is not ours to judge: older
# trees warn at W=1.
muse_warnings() {
	grep -E 'fs/fuse/muse[a-z_]*\.[ch]:[0-9]+(:[0-9]+)?: (warning|error)' "$1"
}
if muse_warnings "$obj/build.log" >&2; then
	die "MUSE does not build cleanly (log: $obj/build.log)"
fi
# the kernel as built, before the checks below rebuild the driver's objects
cp "$obj/linux" "$obj/linux.built"
for as in y m; do
	[ "$variant" = uml ] || break
	touch "$src"/fs/fuse/muse_*.c
	target=fs/fuse/
	[ $as = m ] && target=fs/fuse/muse.ko
	log=$obj/muse-w1-$as.log
	if ! make -C "$src" ARCH=um O="$obj" W=1 CONFIG_MUSE=$as "$target" > "$log" 2>&1 ||
		muse_warnings "$log" > /dev/null; then
		grep -E 'fs/fuse/muse|Error' "$log" >&2
		die "MUSE (CONFIG_MUSE=$as) does not build cleanly at W=1 (log: $log)"
	fi
done
# the kernel has MUSE built in: the module is only built to check it
rm -f "$obj/fs/fuse/muse.ko"
seconds=$(( $(date +%s) - start ))
echo "kernel $name $variant: built in $seconds s"

mkdir -p "$cache_root"
tmp=$(mktemp -d "$cache_root/.build.XXXXXX")
mkdir -p "$tmp/modules"
cp "$obj/linux.built" "$tmp/linux"
cp "$obj/.config" "$tmp/config"
make -s -C "$src" ARCH=um O="$obj" kernelrelease > "$tmp/release"
echo "$seconds" > "$tmp/build-seconds"
find "$obj" -name '*.ko' -exec cp {} "$tmp/modules/" \;
# the patches' style checker, so tests need no unpacked source
mkdir -p "$tmp/checkpatch"
cp "$src/scripts/checkpatch.pl" "$src/scripts/spelling.txt" \
	"$src/scripts/const_structs.checkpatch" "$tmp/checkpatch/"
rm -rf "$cache"
mv "$tmp" "$cache"
# keep the six newest builds of this variant (of all versions)
ls -dt "$cache_root/$variant"-???????????????? 2>/dev/null | tail -n +7 |
	xargs -r rm -rf
install_from_cache
