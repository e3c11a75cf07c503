#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Runs every benchmark binary named on the command line, one at a time (they
# measure, so they must not share the two cores), in a scratch directory on
# the same disk as the build, and prints their reports one after another.
# KL_BENCH_BIN (the Makefile passes build/<variant>/kube-lite) names the
# kube-lite binary for benchmarks that run it; it is made absolute here.
set -eu
if [ -n "${KL_BENCH_BIN:-}" ]; then
        KL_BENCH_BIN=$(realpath -m "$KL_BENCH_BIN")
        export KL_BENCH_BIN
fi
mkdir -p build
scratch=$(mktemp -d "$PWD/build/bench-XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
for b in "$@"; do
        echo "== $(basename "$b")"
        KL_BENCH_DIR="$scratch" "$b"
        echo
done
