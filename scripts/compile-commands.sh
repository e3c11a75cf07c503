#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# compile-commands.sh "CC FLAGS..." FILE...: print a compile_commands.json for
# the given sources with one shared command line. The Makefile knows every
# source and flag, so this needs no build interception (bear).
set -euo pipefail
# Collapse the Makefile's continuation whitespace into single spaces.
cmd=$(echo $1)
shift
dir=$(pwd)
echo "["
sep=""
for f in "$@"; do
        [ -f "$f" ] || continue
        esc=$(printf '%s' "$cmd -c $f" | sed 's/\\/\\\\/g; s/"/\\"/g')
        printf '%s  { "directory": "%s", "file": "%s", "command": "%s" }' "$sep" "$dir" "$f" "$esc"
        sep=$',\n'
done
printf '\n]\n'
