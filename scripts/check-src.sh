#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# What formatters cannot check (STYLE R14.9): banned functions, comment and
# whitespace rules, SPDX lines, module-internal symbols used across modules,
# non-static functions without the kl_ prefix, and open()/socket() calls
# without close-on-exec. Prints every finding as file:line: message and exits
# non-zero if there was any.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '^third_party/' | sort -u)
status=0

report() {
        echo "$1" >&2
        status=1
}

# flag FILE TEXT REGEX MESSAGE: report every line of TEXT matching REGEX.
flag() {
        local hits
        hits=$(printf '%s\n' "$2" | grep -nE -- "$3" | cut -d: -f1 || true)
        for n in $hits; do
                report "$1:$n: $4"
        done
}

# Drop comments and string literals so rules apply to code only.
strip_code() {
        perl -0777 -pe '
                s{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]//g; $c }gse;
                s{"(?:\\.|[^"\\\n])*"}{""}g;
                s{'"'"'(?:\\.|[^'"'"'\\\n])*'"'"'}{0}g;
        ' "$1"
}

banned='strcpy|strcat|strncpy|strncat|sprintf|vsprintf|gets|strtok|atoi|atol|atof|gmtime|localtime|ctime|asctime|mktemp|tmpnam|system|popen|signal|alloca|dup|basename|dirname'
strto='strtol|strtoll|strtoul|strtoull|strtod|strtof|strtold|strtoimax|strtoumax'

for f in "${files[@]}"; do
        [ -f "$f" ] || continue
        head -n 3 "$f" | grep -q 'SPDX-License-Identifier:' || report "$f:1: missing SPDX-License-Identifier line"
        flag "$f" "$(cat "$f")" $'\t' "tab character"
        flag "$f" "$(cat "$f")" '[[:space:]]+$' "trailing whitespace"
        flag "$f" "$(cat "$f")" '(^|[^[:alnum:]_])(FIXME|XXX)([^[:alnum:]_]|$)' "bare FIXME/XXX (write TODO(area): ... (#issue))"

        code=$(strip_code "$f")
        flag "$f" "$code" '(^|[^:"])//' "// comment (use /* */)"
        flag "$f" "$code" "(^|[^[:alnum:]_.>])($banned)[[:space:]]*\(" "banned function (STYLE R14.9)"
        [ "$f" = pkg/base/parse.c ] ||
                flag "$f" "$code" "(^|[^[:alnum:]_])($strto)[[:space:]]*\(" "strto* outside pkg/base/parse.c (use base/parse.h)"
        case "$f" in
        cmd/*) ;;
        *)
                flag "$f" "$code" '(^|[^[:alnum:]_])exit[[:space:]]*\(' "exit() outside cmd/"
                ;;
        esac

        # Module-internal names and headers stay inside their module.
        mod=""
        case "$f" in pkg/*) mod=$(echo "$f" | cut -d/ -f2) ;; esac
        for m in $(echo "$code" | grep -oE 'kl_[a-z0-9]+__' | sed 's/^kl_//; s/__$//' | sort -u); do
                [ "$m" = "$mod" ] || report "$f: uses kl_${m}__* outside pkg/$m/"
        done
        for m in $(grep -oE '#include "[a-z0-9]+/[a-z0-9]+-internal\.h"' "$f" | sed 's/#include "//; s|/.*||' | sort -u); do
                [ "$m" = "$mod" ] || report "$f: includes $m's internal header outside pkg/$m/"
        done

        # Close-on-exec: open()/openat()/socket()/accept4() need the flag on the same call.
        flag "$f" "$(printf '%s\n' "$code" | sed -E '/CLOEXEC/s/.*//')" \
                '(^|[^[:alnum:]_.>])(open|openat|socket)[[:space:]]*\(' \
                "open/socket without O_CLOEXEC/SOCK_CLOEXEC on the same line"
done

# Non-static functions must carry the kl_ prefix: ask the compiler's output.
# Every defined global text symbol of our objects (build/<variant>/pkg, cmd).
objs=$(find build/debug/pkg build/debug/cmd -name '*.o' 2>/dev/null | grep -vE '/(tests|fuzz|bench)/' || true)
if [ -n "$objs" ]; then
        bad=$(nm --defined-only -g $objs 2>/dev/null | awk '$2 == "T" || $2 == "D" || $2 == "B" { print $3 }' |
                grep -vE '^(kl_|main$)' | sort -u || true)
        if [ -n "$bad" ]; then
                for s in $bad; do report "global symbol without kl_ prefix: $s"; done
        fi
fi

exit $status
