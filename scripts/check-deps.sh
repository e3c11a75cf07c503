#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Layering (STYLE R2.2): every `#include "X/..."` in module m must name m itself
# or a module listed in m_DEPS of pkg/m/module.mk (tests, benchmarks and fuzz
# targets may also include testing and the modules of m_TEST_DEPS, and only
# they may include test support, "X/tests/..."), and the
# declared dependencies must not form a cycle.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A deps test_deps
status=0

for mk in pkg/*/module.mk cmd/*/module.mk; do
        name=$(sed -nE 's/^(MODULES|PROGRAMS)[[:space:]]*\+=[[:space:]]*([a-z0-9-]+).*/\2/p' "$mk")
        [ -n "$name" ] || continue
        deps[$name]=$(sed -nE "s/^${name}_DEPS[[:space:]]*:?=[[:space:]]*(.*)/\\1/p" "$mk")
        test_deps[$name]=$(sed -nE "s/^${name}_TEST_DEPS[[:space:]]*:?=[[:space:]]*(.*)/\\1/p" "$mk")
        dir=$(dirname "$mk")
        while IFS= read -r f; do
                allowed=" $name ${deps[$name]} "
                case "$f" in */tests/* | */fuzz/* | */bench/*) allowed="$allowed testing ${test_deps[$name]} " ;; esac
                for inc in $(grep -oE '^#include "[a-z0-9]+/' "$f" | sed 's/#include "//; s|/$||' | sort -u); do
                        case "$allowed" in
                        *" $inc "*) ;;
                        *)
                                echo "$f: includes '$inc/' but $mk does not list it in ${name}_DEPS" >&2
                                status=1
                                ;;
                        esac
                done
                # Test support (X/tests/...) is for tests, benchmarks and fuzz targets only.
                case "$f" in
                */tests/* | */fuzz/* | */bench/*) ;;
                *)
                        for inc in $(grep -oE '^#include "[a-z0-9]+/tests/' "$f" | sed 's/#include "//; s|/tests/$||' | sort -u); do
                                echo "$f: includes '$inc/tests/' (test support) outside tests, benchmarks and fuzz targets" >&2
                                status=1
                        done
                        ;;
                esac
        done < <(find "$dir" -name '*.[ch]' | sort)
done

# Cycle check: depth-first search over the declared graph.
declare -A state
visit() {
        local m=$1 path=$2
        case "${state[$m]:-}" in
        done) return 0 ;;
        active)
                echo "dependency cycle: $path" >&2
                status=1
                return 0
                ;;
        esac
        state[$m]=active
        for d in ${deps[$m]:-}; do
                if [ -z "${deps[$d]+x}" ]; then
                        echo "module '$m' depends on unknown module '$d'" >&2
                        status=1
                        continue
                fi
                visit "$d" "$path -> $d"
        done
        state[$m]=done
}
for m in "${!deps[@]}"; do
        visit "$m" "$m"
done

exit $status
