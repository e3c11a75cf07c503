#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Build every C library kube-lite links, fully static against musl (musl-gcc),
# from the Debian source packages pinned in third_party/manifest, into one
# prefix in a cache outside the checkout.
#
# Usage:
#   third_party/build.sh                 build what is missing; last stdout line
#                                        is the prefix (lib/, include/, lib/pkgconfig/)
#   third_party/build.sh --print-prefix  print the prefix if it is complete, else exit 1
#   third_party/build.sh --cflags        compiler flags for the prefix (exit 1 if incomplete)
#   third_party/build.sh --ldflags       -static, -L and --gc-sections (exit 1 if incomplete)
#   third_party/build.sh --libs          the -l flags, in link order (third_party/link-flags)
#
# Everything but the requested value goes to stderr, so a Makefile can say
#   PREFIX := $(shell third_party/build.sh)
#
# Cache layout (KL_THIRD_PARTY_CACHE, default ~/.cache/kube-lite/third_party):
#   sources/PKG_VERSION/   downloaded source files, shared by every build
#   HASH/prefix/           the installed libraries; HASH covers the manifest,
#                          this script, the recipes and the toolchain, so any
#                          change builds a new prefix and a revert finds the old one
#   HASH/stamps/PKG.done   one per package, so an interrupted build resumes
#   HASH/logs/PKG.log      the full build log of each package
#   HASH/.complete         written last; when present the script returns at once
set -eu

# Reproducible tool output (sort, glob order in the hash) whatever the caller's locale.
LC_ALL=C
export LC_ALL

TP_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
RECIPES=$TP_DIR/recipes

say() {
        printf 'third_party: %s\n' "$*" >&2
}

die() {
        say "error: $*"
        exit 1
}

usage() {
        sed -n '/^# Usage:/,/^#$/p' "$TP_DIR/build.sh" | sed 's/^# \{0,1\}//' >&2
}

# --- identity of this build ------------------------------------------------

# The toolchain is part of the identity too: a new musl, compiler or kernel
# header package must not reuse archives built by the old one.
toolchain_id() {
        printf 'arch=%s\n' "$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || uname -m)"
        printf 'cc=%s\n' "$(musl-gcc -dumpfullversion 2>/dev/null || echo none)"
        for p in musl-dev linux-libc-dev; do
                # shellcheck disable=SC2016 # ${Version} is dpkg-query's, not ours
                printf '%s=%s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo none)"
        done
}

build_hash() {
        for f in "$TP_DIR/manifest" "$TP_DIR/build.sh" "$RECIPES"/*.sh; do
                [ -f "$f" ] || die "missing $f"
        done
        {
                for f in "$TP_DIR/manifest" "$TP_DIR/build.sh" "$RECIPES"/*.sh; do
                        printf '== %s\n' "${f#"$TP_DIR"/}"
                        cat "$f"
                done
                toolchain_id
        } | sha256sum | cut -c1-16
}

CACHE_ROOT=${KL_THIRD_PARTY_CACHE:-${HOME:?HOME is not set; set KL_THIRD_PARTY_CACHE}/.cache/kube-lite/third_party}
case $CACHE_ROOT in
/*) ;;
*) CACHE_ROOT=$(pwd)/$CACHE_ROOT ;;
esac
HASH=$(build_hash)
TOP=$CACHE_ROOT/$HASH
PREFIX=$TOP/prefix
# Kernel uapi headers for musl: musl-gcc searches only musl's own include
# directory, but netlink, seccomp and nf_tables code needs <linux/...>.
KHDR=$PREFIX/kernel-headers

# The link order that resolves in one pass of GNU ld: every library before the
# libraries it needs. Kept in a file of its own so the Makefile can read it too.
link_flags() {
        grep -v '^[[:space:]]*#' "$TP_DIR/link-flags" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

require_complete() {
        [ -f "$TOP/.complete" ] || {
                say "no complete build at $PREFIX; run third_party/build.sh first"
                exit 1
        }
}

[ $# -le 1 ] || {
        usage
        exit 2
}
case ${1:-} in
"") ;;
--print-prefix)
        require_complete
        echo "$PREFIX"
        exit 0
        ;;
--cflags)
        require_complete
        # libnl installs its headers under include/libnl3 (as Debian's does).
        echo "-I$PREFIX/include -I$PREFIX/include/libnl3 -isystem $KHDR"
        exit 0
        ;;
--ldflags)
        require_complete
        echo "-static -L$PREFIX/lib -Wl,--gc-sections"
        exit 0
        ;;
--libs)
        link_flags
        echo
        exit 0
        ;;
-h | --help)
        usage
        exit 0
        ;;
*)
        usage
        exit 2
        ;;
esac
if [ -f "$TOP/.complete" ]; then
        echo "$PREFIX"
        exit 0
fi

# --- preflight --------------------------------------------------------------

missing=""
for tool in musl-gcc dpkg-source dpkg-architecture apt-get apt-cache make cmake \
        autoreconf libtoolize gperf flex bison tclsh pkg-config patch perl sha256sum; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] || die "missing tools:$missing (scripts/deps.sh installs them)"

JOBS=$(nproc 2>/dev/null || echo 2)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
DEB_ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

mkdir -p "$TOP/stamps" "$TOP/logs" "$TOP/build" "$CACHE_ROOT/sources"

# One build per hash at a time (two `make static` in parallel would otherwise
# race on the same prefix); the second waits and then finds .complete.
if command -v flock >/dev/null 2>&1; then
        exec 9>"$TOP/.lock"
        if ! flock -n 9; then
                say "waiting for another build of $TOP"
                flock 9
        fi
fi
if [ -f "$TOP/.complete" ]; then
        echo "$PREFIX"
        exit 0
fi

# A build started from make must not inherit its jobserver, -k or DESTDIR.
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR CONFIG_SITE PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- Debian sources -----------------------------------------------------------

have_deb_src() {
        grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
                grep -qsiE '^[[:space:]]*Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}

apt_update() {
        say "apt-get update"
        $SUDO apt-get update -qq >&2
}

# Mirror the machine's own binary entries as deb-src, so sources come from the
# same archive and suites as the installed packages.
add_deb_src() {
        if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
                die "no deb-src entry in apt's sources, and adding one needs root (no sudo here)"
        fi
        if [ -f /etc/apt/sources.list.d/debian.sources ]; then
                say "adding deb-src entry /etc/apt/sources.list.d/kube-lite-src.sources"
                sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
                        $SUDO tee /etc/apt/sources.list.d/kube-lite-src.sources >/dev/null
        elif grep -qsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list; then
                say "adding deb-src entry /etc/apt/sources.list.d/kube-lite-src.list"
                sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list |
                        $SUDO tee /etc/apt/sources.list.d/kube-lite-src.list >/dev/null
        else
                die "no deb-src entry and no Debian entry to mirror in /etc/apt"
        fi
}

served() {
        apt-cache showsrc --only-source "$1" 2>/dev/null | grep -qxF "Version: $2"
}

APT_READY=""
APT_UPDATED=""
# Make sure apt knows the pinned source version; touches apt only when a
# download is actually needed, so warm and resumed builds work offline.
apt_ready() {
        if [ -z "$APT_READY" ]; then
                if ! have_deb_src; then
                        add_deb_src
                        apt_update
                        APT_UPDATED=1
                fi
                APT_READY=1
        fi
        if ! served "$1" "$2" && [ -z "$APT_UPDATED" ]; then
                apt_update
                APT_UPDATED=1
        fi
        if ! served "$1" "$2"; then
                say "the archive serves these versions of $1:"
                apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: /  /p' >&2
                die "$1 $2 is not served; update third_party/manifest (see third_party/README.md)"
        fi
}

# Verify the downloaded files against the hashes in apt's Sources index.
# $3 = orig: only the upstream tarballs are required.
verify_sources() {
        apt-get source --print-uris -qq --only-source "$1=$2" >"$4.uris"
        n=0
        while read -r _uri name _size hash; do
                case $3:$name in
                orig:*.asc | orig:*.dsc | orig:*.debian.tar.*) continue ;;
                esac
                [ -f "$4/$name" ] || die "$1 $2: $name was not downloaded"
                case $hash in
                SHA256:*) ;;
                *) die "$1 $2: no SHA256 for $name in apt's index" ;;
                esac
                echo "${hash#SHA256:}  $4/$name" | sha256sum -c --quiet - >&2 ||
                        die "$1 $2: checksum mismatch for $name"
                n=$((n + 1))
        done <"$4.uris"
        rm -f "$4.uris"
        [ "$n" -gt 0 ] || die "$1 $2: apt lists no source files"
}

# Download one source package into sources/PKG_VERSION (reused across builds).
# Sets SRC to that directory.
fetch() {
        SRC=$CACHE_ROOT/sources/${1}_$(echo "$2" | tr ':' '_')
        [ -f "$SRC/.complete" ] && return 0
        # sources/ is shared by the builds of every hash: fetch one at a time.
        if command -v flock >/dev/null 2>&1; then
                exec 8>"$CACHE_ROOT/sources/.lock"
                flock 8
                if [ -f "$SRC/.complete" ]; then
                        exec 8>&-
                        return 0
                fi
        fi
        apt_ready "$1" "$2"
        tmp=$SRC.tmp.$$
        flog=$TOP/logs/$1.fetch.log
        rm -rf "$tmp"
        mkdir -p "$tmp"
        say "$1 $2: downloading (log: $flog)"
        # One package per command: apt-get source fails whole when one file is missing.
        if ! (cd "$tmp" && apt-get source --download-only --only-source "$1=$2") >"$flog" 2>&1 </dev/null; then
                # For an orig-only pin the .dsc and debian.tar are known to be
                # missing; what counts is that the orig tarball arrived intact.
                if [ "$3" != orig ]; then
                        tail -n 20 "$flog" >&2
                        die "$1 $2: download failed"
                fi
        fi
        verify_sources "$1" "$2" "$3" "$tmp"
        rm -rf "$SRC"
        mv "$tmp" "$SRC"
        touch "$SRC/.complete"
        exec 8>&-
}

# --- building -----------------------------------------------------------------

kernel_headers() {
        for d in /usr/include/linux /usr/include/asm-generic /usr/include/mtd "/usr/include/$MULTIARCH/asm"; do
                [ -d "$d" ] || die "missing $d (install linux-libc-dev)"
        done
        rm -rf "$KHDR"
        mkdir -p "$KHDR"
        ln -s /usr/include/linux "$KHDR/linux"
        ln -s /usr/include/asm-generic "$KHDR/asm-generic"
        ln -s /usr/include/mtd "$KHDR/mtd"
        ln -s "/usr/include/$MULTIARCH/asm" "$KHDR/asm"
}

# Helpers for the recipes (recipes/PKG.sh), which run in a subshell inside the
# unpacked source tree with CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX, STAGE, JOBS set.

kl_make() {
        make -j"$JOBS" "$@"
}

# Autotools with the options every library here shares. Options a configure
# script does not know (e.g. dependency tracking in SQLite's) are only warned about.
kl_configure() {
        ./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" --includedir="$PREFIX/include" \
                --enable-static --disable-shared --disable-dependency-tracking "$@"
}

# Fail unless a configure result header says a feature was found: a missing
# dependency must not silently build a library without it.
kl_require_define() {
        grep -qE "^#define $2 1" "$1" || die "$2 is not set in $1: a dependency was not found"
}

# Copy what a recipe installed under $STAGE$PREFIX into the prefix: static
# archives, headers, pkg-config files. Binaries, man pages, .la files and
# anything installed outside the prefix (e.g. /etc) stay behind.
collect() {
        s=$STAGE$PREFIX
        [ -d "$s/lib" ] || die "the recipe installed nothing into $s/lib"
        mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/include"
        for f in "$s"/lib/*.a "$s"/lib/pkgconfig/*.pc; do
                if [ -f "$f" ]; then
                        case $f in
                        *.pc) cp "$f" "$PREFIX/lib/pkgconfig/" ;;
                        *) cp "$f" "$PREFIX/lib/" ;;
                        esac
                fi
        done
        if [ -d "$s/include" ]; then
                cp -R "$s/include/." "$PREFIX/include/"
        fi
}

copy_license() {
        mkdir -p "$PREFIX/share/licenses/$1"
        for f in debian/copyright LICENSE.txt LICENSE COPYING; do
                if [ -f "$f" ]; then
                        cp "$f" "$PREFIX/share/licenses/$1/"
                        return 0
                fi
        done
        die "$1: no licence file found"
}

# Runs in a subshell with its output in the package's log.
build_one() {
        pkg=$1 ver=$2 form=$3
        bdir=$TOP/build/$pkg
        rm -rf "$bdir"
        mkdir -p "$bdir"
        STAGE=$bdir/stage
        case $form in
        debian)
                dsc=$(ls "$SRC"/*.dsc)
                dpkg-source -x "$dsc" "$bdir/src"
                ;;
        orig)
                mkdir "$bdir/src"
                for t in "$SRC"/*.orig.tar.*; do
                        case $t in *.asc) continue ;; esac
                        tar -xf "$t" -C "$bdir/src" --strip-components=1
                done
                ;;
        esac
        cd "$bdir/src"

        # Reproducible archives: dates that end up in a library (OpenSSL's
        # "built on", __DATE__) come from the source, not from the clock.
        case $form in
        debian) SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l debian/changelog -STimestamp) ;;
        orig) SOURCE_DATE_EPOCH=$(find . -type f -printf '%T@\n' | sort -n | tail -n 1 | cut -d. -f1) ;;
        esac
        [ -n "$SOURCE_DATE_EPOCH" ] || die "$pkg: no source date"
        export SOURCE_DATE_EPOCH

        CC=musl-gcc
        # -Os: the libraries end up in one binary copied to every node, so size
        # is what we optimise; the hot paths that -O2 would speed up (OpenSSL's
        # ciphers and hashes) are assembly either way. Sections per function and
        # object let the final link drop what kube-lite never calls
        # (-Wl,--gc-sections); -fPIE keeps a static-pie link possible.
        CFLAGS="-Os -pipe -ffunction-sections -fdata-sections -fPIE"
        # -ffile-prefix-map: __FILE__ in assert() and friends names the file
        # relative to its source tree; CMake compiles by absolute path, and
        # the binary would otherwise carry the build cache's path.
        CPPFLAGS="-I$PREFIX/include -isystem $KHDR -ffile-prefix-map=$bdir/src=."
        # -static: configure's link tests then resolve like the final binary.
        LDFLAGS="-L$PREFIX/lib -static"
        # Only the prefix: never the host's glibc .pc files (nghttp2, libxml2, ...).
        PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig
        export CC CFLAGS CPPFLAGS LDFLAGS PKG_CONFIG_LIBDIR PREFIX STAGE JOBS DEB_ARCH

        provides=""
        # shellcheck source=/dev/null
        . "$RECIPES/$pkg.sh"
        echo "== $pkg $ver: CC=$CC CFLAGS=$CFLAGS CPPFLAGS=$CPPFLAGS LDFLAGS=$LDFLAGS"
        kl_build
        cd "$bdir/src"
        collect
        for lib in $provides; do
                [ -f "$PREFIX/lib/$lib" ] || die "$pkg: $lib was not installed"
        done
        copy_license "$pkg"
        # The build tree is only needed while it builds; the log stays.
        cd "$TOP"
        rm -rf "$bdir"
}

step() {
        pkg=$1 ver=$2 form=$3
        stamp=$TOP/stamps/$pkg.done
        [ -f "$stamp" ] && return 0
        fetch "$pkg" "$ver" "$form"
        log=$TOP/logs/$pkg.log
        say "$pkg $ver: building (log: $log)"
        t0=$(date +%s)
        # Not `( ... ) || fail`: inside a subshell tested with || the shell
        # ignores set -e, and a failing command would not stop the recipe.
        set +e
        (
                set -e
                build_one "$pkg" "$ver" "$form"
        ) >"$log" 2>&1 </dev/null
        rc=$?
        set -e
        if [ "$rc" -ne 0 ]; then
                say "$pkg $ver: FAILED (exit $rc); the end of $log:"
                tail -n 40 "$log" >&2
                exit 1
        fi
        touch "$stamp"
        say "$pkg $ver: done in $(($(date +%s) - t0))s"
}

started=$(date +%s)
say "building into $PREFIX ($JOBS jobs)"
mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/include"
kernel_headers

# Read the whole manifest first: the steps run commands that read stdin.
entries=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TP_DIR/manifest")
[ -n "$entries" ] || die "third_party/manifest lists no package"
echo "$entries" | while read -r pkg ver form extra; do
        if [ -z "$ver" ] || [ -n "$extra" ]; then
                die "manifest: bad line: $pkg $ver $form $extra"
        fi
        case $form in
        debian | orig) ;;
        *) die "manifest: $pkg: form must be debian or orig, not '$form'" ;;
        esac
        [ -f "$RECIPES/$pkg.sh" ] || die "manifest: no recipe $RECIPES/$pkg.sh"
done
# (Checked in a pipeline above, built in the main shell below so that exit
# and the steps' variables behave.)
set -f
# shellcheck disable=SC2086
set -- $entries
set +f
while [ $# -gt 0 ]; do
        step "$1" "$2" "$3"
        shift 3
done

touch "$TOP/.complete"
say "complete in $(($(date +%s) - started))s"
echo "$PREFIX"
