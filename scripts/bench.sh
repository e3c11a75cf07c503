#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Runs every benchmark binary named on the command line, one at a time (they
# measure, so they must not share the two cores), in a scratch directory on
# the same disk as the build, and prints their reports one after another.
set -eu
mkdir -p build
scratch=$(mktemp -d "$PWD/build/bench-XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
for b in "$@"; do
        echo "== $(basename "$b")"
        KL_BENCH_DIR="$scratch" "$b"
        echo
done
