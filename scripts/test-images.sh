#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# test-images.sh [-v] OUTDIR [REGISTRY]
#
# Build the test images from Debian's busybox-static, without any daemon:
#
#   localhost/kube-lite-test/busybox:1  one layer: bin/busybox and a symlink per applet,
#                                       etc/passwd and etc/group (root, app 1000 in groups
#                                       app 1000 and extra 2000, nobody 65534), tmp (1777),
#                                       proc, sys, dev, root; Cmd ["sh"]
#   localhost/kube-lite-test/httpd:1    the busybox layer + www/index.html; Cmd runs
#                                       busybox httpd on port 8080, ExposedPorts 8080/tcp
#
# and write
#
#   OUTDIR/layout        an OCI image layout with both, each named by the
#                        org.opencontainers.image.ref.name annotation with its full name
#   OUTDIR/busybox.tar   an OCI layout archive of one image (`kube-lite images import`)
#   OUTDIR/httpd.tar     likewise
#
# With REGISTRY (host:port, plain http), also push both there with skopeo as
# REGISTRY/kube-lite-test/busybox:1 and REGISTRY/kube-lite-test/httpd:1.
#
# The output is reproducible: fixed mtimes and owners, sorted tar entries, gzip
# without name or time; the same busybox gives the same digests. Running it
# again replaces OUTDIR's files with identical ones. Quiet unless -v.
#
# Plain tar + gzip + sha256sum rather than umoci: umoci records the build
# host's times and owners unless told otherwise at each step, and an OCI layout
# is four small JSON documents.
set -euo pipefail

prog=test-images.sh
verbose=0
if [ "${1:-}" = "-v" ]; then
        verbose=1
        shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
        echo "usage: $prog [-v] OUTDIR [REGISTRY]" >&2
        exit 2
fi
outdir=$1
registry=${2:-}
busybox=${BUSYBOX:-/bin/busybox}

die() {
        echo "$prog: $*" >&2
        exit 1
}
say() {
        [ "$verbose" -eq 0 ] || echo "$prog: $*" >&2
}

for tool in tar gzip sha256sum; do
        command -v "$tool" >/dev/null || die "$tool is missing"
done
[ -x "$busybox" ] || die "$busybox is missing (apt-get install busybox-static)"
# A dynamically linked busybox would need a libc in the image.
if command -v readelf >/dev/null && readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
        die "$busybox is dynamically linked; the images need busybox-static (apt-get install busybox-static)"
fi
if [ -n "$registry" ]; then
        command -v skopeo >/dev/null || die "skopeo is missing (apt-get install skopeo)"
fi

case "$(uname -m)" in
x86_64) arch=amd64 variant= ;;
aarch64 | arm64) arch=arm64 variant=v8 ;;
armv7*) arch=arm variant=v7 ;;
armv6*) arch=arm variant=v6 ;;
i?86) arch=386 variant= ;;
riscv64) arch=riscv64 variant= ;;
ppc64le) arch=ppc64le variant= ;;
s390x) arch=s390x variant= ;;
*) die "unknown machine '$(uname -m)'" ;;
esac

# 2023-11-14T22:13:20Z: every file's mtime and the images' creation time.
epoch=1700000000
created=2023-11-14T22:13:20Z
path_env=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.work-XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 022

blobs=$work/layout/blobs/sha256
mkdir -p "$blobs"

sha() {
        sha256sum "$1" | cut -d' ' -f1
}
size() {
        stat -c %s "$1"
}

# put FILE: store FILE as a blob of the layout; prints its hex digest.
put() {
        local h
        h=$(sha "$1")
        mv -f "$1" "$blobs/$h"
        echo "$h"
}

# layer STAGE: tar STAGE's contents reproducibly, gzip; sets layer_hex, layer_size, diff_hex.
layer() {
        local stage=$1 tarf=$work/layer.tar
        # shellcheck disable=SC2046 # the top-level names, one word each
        tar -C "$stage" --sort=name --format=ustar --mtime="@$epoch" --owner=0 --group=0 \
                --numeric-owner -cf "$tarf" $(cd "$stage" && LC_ALL=C ls -A)
        diff_hex=$(sha "$tarf")
        gzip -n -9 "$tarf"
        layer_size=$(size "$tarf.gz")
        layer_hex=$(put "$tarf.gz")
}

# image NAME CONFIG_EXTRA LAYERS...: LAYERS are "hex:size:diffhex"; sets man_hex, man_size.
image() {
        local name=$1 extra=$2
        shift 2
        local diffs="" descs="" l hex sz dh cfg man platform_variant=""
        for l in "$@"; do
                IFS=: read -r hex sz dh <<<"$l"
                diffs="$diffs${diffs:+,}\"sha256:$dh\""
                descs="$descs${descs:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$hex\",\"size\":$sz}"
        done
        [ -z "$variant" ] || platform_variant=",\"variant\":\"$variant\""
        cfg=$work/config.json
        printf '{"created":"%s","architecture":"%s"%s,"os":"linux","config":{"Env":["PATH=%s"],%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created":"%s","created_by":"scripts/test-images.sh %s"}]}' \
                "$created" "$arch" "$platform_variant" "$path_env" "$extra" "$diffs" "$created" \
                "$name" >"$cfg"
        local cfg_size cfg_hex
        cfg_size=$(size "$cfg")
        cfg_hex=$(put "$cfg")
        man=$work/manifest.json
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
                "$cfg_hex" "$cfg_size" "$descs" >"$man"
        man_size=$(size "$man")
        man_hex=$(put "$man")
        say "$name: manifest sha256:$man_hex"
}

# descriptor HEX SIZE NAME: one index entry naming an image.
descriptor() {
        printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}' \
                "$1" "$2" "$3"
}

write_layout() {
        local dir=$1 entries=$2
        printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' \
                "$entries" >"$dir/index.json"
}

# blobs_of MANIFEST_HEX: the manifest and every blob it names.
blobs_of() {
        echo "$1"
        grep -o 'sha256:[0-9a-f]\{64\}' "$blobs/$1" | cut -d: -f2
}

# archive FILE MANIFEST_HEX SIZE NAME: an OCI layout archive of one image.
archive() {
        local file=$1 hex=$2 sz=$3 name=$4 dir=$work/one h
        rm -rf "$dir"
        mkdir -p "$dir/blobs/sha256"
        for h in $(blobs_of "$hex" | sort -u); do
                cp "$blobs/$h" "$dir/blobs/sha256/$h"
        done
        write_layout "$dir" "$(descriptor "$hex" "$sz" "$name")"
        tar -C "$dir" --sort=name --format=ustar --mtime="@$epoch" --owner=0 --group=0 \
                --numeric-owner -cf "$work/archive.tar" oci-layout index.json blobs
        mv -f "$work/archive.tar" "$file"
        say "wrote $file"
}

# ---- the busybox layer ----
stage=$work/base
mkdir -p "$stage"/{bin,etc,proc,sys,dev,root,tmp}
chmod 0755 "$stage"/{bin,etc,proc,sys,dev}
chmod 0700 "$stage/root"
chmod 1777 "$stage/tmp"
cp "$busybox" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
applets=$("$busybox" --list)
for a in sh ls cat echo sleep true false id hostname ps wget nc httpd head dd mount grep env \
        pwd touch mkdir rm yes; do
        grep -qx -- "$a" <<<"$applets" || die "$busybox has no applet '$a'"
done
while IFS= read -r a; do
        if [ -n "$a" ] && [ "$a" != busybox ]; then
                ln -s busybox "$stage/bin/$a"
        fi
done <<<"$applets"
cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
app:x:1000:
extra:x:2000:app
nogroup:x:65534:
EOF
chmod 0644 "$stage/etc/passwd" "$stage/etc/group"
layer "$stage"
base_layer=$layer_hex:$layer_size:$diff_hex
say "busybox layer sha256:$layer_hex ($layer_size bytes)"

# ---- the httpd layer ----
stage=$work/www
mkdir -p "$stage/www"
chmod 0755 "$stage/www"
echo "hello from kube-lite-test" >"$stage/www/index.html"
chmod 0644 "$stage/www/index.html"
layer "$stage"
www_layer=$layer_hex:$layer_size:$diff_hex

bb_name=localhost/kube-lite-test/busybox:1
httpd_name=localhost/kube-lite-test/httpd:1
image "$bb_name" '"Cmd":["sh"]' "$base_layer"
bb_hex=$man_hex bb_size=$man_size
image "$httpd_name" '"Cmd":["httpd","-f","-p","8080","-h","/www"],"ExposedPorts":{"8080/tcp":{}}' \
        "$base_layer" "$www_layer"
httpd_hex=$man_hex httpd_size=$man_size

write_layout "$work/layout" \
        "$(descriptor "$bb_hex" "$bb_size" "$bb_name"),$(descriptor "$httpd_hex" "$httpd_size" "$httpd_name")"
archive "$outdir/busybox.tar" "$bb_hex" "$bb_size" "$bb_name"
archive "$outdir/httpd.tar" "$httpd_hex" "$httpd_size" "$httpd_name"
rm -rf "$outdir/layout"
mv "$work/layout" "$outdir/layout"
say "wrote $outdir/layout"

if [ -n "$registry" ]; then
        for name in busybox httpd; do
                log=$work/skopeo.log
                if ! skopeo copy --insecure-policy --dest-tls-verify=false \
                        "oci:$outdir/layout:localhost/kube-lite-test/$name:1" \
                        "docker://$registry/kube-lite-test/$name:1" >"$log" 2>&1; then
                        cat "$log" >&2
                        die "push of kube-lite-test/$name:1 to $registry failed"
                fi
                say "pushed $registry/kube-lite-test/$name:1"
        done
fi
