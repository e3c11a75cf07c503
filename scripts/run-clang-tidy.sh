#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# clang-tidy over the given sources with the checks in .clang-tidy, using
# compile_commands.json; two files at a time (the machines have two cores).
# Fails if any file has a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f compile_commands.json ] || { echo "run-clang-tidy: compile_commands.json missing" >&2; exit 1; }
out=$(printf '%s\n' "$@" | xargs -r -P "$(nproc)" -n 4 clang-tidy -p . --quiet 2>&1 || true)
# clang-tidy prints progress noise even with --quiet; keep only findings.
out=$(printf '%s\n' "$out" | grep -vE '^[0-9]+ (warnings?|errors?)( and [0-9]+ errors?)? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing|^$' || true)
if [ -n "$out" ]; then
        printf '%s\n' "$out" >&2
        exit 1
fi
