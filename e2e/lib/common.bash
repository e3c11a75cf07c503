# SPDX-License-Identifier: Apache-2.0
#
# Shared helpers for the bats scenarios in e2e/. Load with
#   load lib/common
# Every scenario gets its own temporary directory ($KL_TEST_DIR), removed in
# teardown together with every process a helper started (by pid).

: "${KL_BIN:=$BATS_TEST_DIRNAME/../kube-lite}"

kl_setup() {
        KL_TEST_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/kl-e2e-XXXXXX")
        export KL_TEST_DIR
        KL_PIDS=()
}

kl_teardown() {
        local pid
        for pid in "${KL_PIDS[@]:-}"; do
                [ -n "$pid" ] || continue
                kill -TERM "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        # KL_E2E_KEEP=DIR keeps each scenario's logs there (debugging a failure).
        if [ -n "${KL_E2E_KEEP:-}" ] && [ -n "${KL_TEST_DIR:-}" ]; then
                mkdir -p "$KL_E2E_KEEP/$BATS_TEST_NUMBER"
                cp "$KL_TEST_DIR"/*.log "$KL_E2E_KEEP/$BATS_TEST_NUMBER/" 2>/dev/null || true
        fi
        [ -n "${KL_TEST_DIR:-}" ] && rm -rf "$KL_TEST_DIR"
}

# kl_wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds
# or the time is up. Every wait in a scenario is bounded.
kl_wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@"; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.1
        done
}

# kl_assert_contains TEXT NEEDLE: fail with both shown when NEEDLE is absent.
kl_assert_contains() {
        case "$1" in
        *"$2"*) return 0 ;;
        esac
        printf 'expected to find: %s\nin:\n%s\n' "$2" "$1" >&2
        return 1
}
