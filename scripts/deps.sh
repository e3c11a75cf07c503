#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Install every build, test and runtime dependency of kube-lite on Debian 12.
# Idempotent: when everything is present it checks dpkg's database and exits
# quietly, without touching the network. Called by the Makefile targets that
# need it; safe to run by hand.
set -eu

# Libraries the dynamic build links (their -dev packages).
LIBS="libuv1-dev libsqlite3-dev libarchive-dev libcurl4-openssl-dev libseccomp-dev
libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libjansson-dev libyaml-dev libssl-dev
zlib1g-dev libzstd-dev libmimalloc-dev"
# Compilers, build and lint tools.
TOOLS="build-essential pkg-config clang clang-format clang-tidy cppcheck bear
libclang-rt-14-dev file"
# Tests: unit (Criterion), e2e (bats, prove; python3 for the network harness's test
# resolver; curl for the requests kubectl cannot make), node tests.
TESTS="libcriterion-dev bats iproute2 nftables util-linux procps docker-registry skopeo
busybox-static umoci python3 curl"
# The fully static build (third_party/build.sh): musl, Debian source packages and
# the generators some of them need.
STATIC="musl-tools dpkg-dev autoconf automake libtool gperf flex bison tcl
linux-libc-dev xz-utils cmake"

# Benchmarks: nginx is the reference the API server's rates are printed against;
# runc, crun and podman those of the container runtime (bench-ctr).
BENCH="nginx-light runc crun podman"

PKGS=$(echo $LIBS $TOOLS $TESTS $STATIC $BENCH)

missing=""
for p in $PKGS; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
                missing="$missing $p"
        fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
