#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t3100: `kube-lite ctr` with the test images of scripts/test-images.sh, as
# root: run in the foreground and detached, exit codes, ps, logs, exec with
# and without a terminal, stop, kill, rm, limits, and a container that
# outlives the command that started it. Each scenario has its own data and
# state directories and its own cgroup parent, removed in teardown.

load lib/common

SCRIPT="$BATS_TEST_DIRNAME/../scripts/test-images.sh"
BB=localhost/kube-lite-test/busybox:1

setup_file() {
        export KL_IMAGES="$BATS_FILE_TMPDIR/images"
        "$SCRIPT" "$KL_IMAGES" >/dev/null 2>&1 || true
}

setup() {
        [ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, cgroups, overlayfs)"
        [ -f "$KL_IMAGES/busybox.tar" ] || skip "no test images: busybox-static is not installed"
        kl_setup
        CG="kl-e2e-ctr-$$-$BATS_TEST_NUMBER"
        CTR=("$KL_BIN" ctr --data-dir "$KL_TEST_DIR/data" --state-dir "$KL_TEST_DIR/run"
                --cgroup-parent "$CG")
        "$KL_BIN" images import --data-dir "$KL_TEST_DIR/data" "$KL_IMAGES/busybox.tar" >/dev/null
}

teardown() {
        local id d
        if [ -n "${KL_TEST_DIR:-}" ] && [ -d "$KL_TEST_DIR/run/containers" ]; then
                for id in $("${CTR[@]}" ps -a -q 2>/dev/null); do
                        "${CTR[@]}" rm -f "$id" >/dev/null 2>&1 || true
                done
        fi
        # The cgroup parent below ours in each hierarchy (its containers are gone).
        if [ -n "${CG:-}" ]; then
                while IFS=: read -r _ ctrl path; do
                        ctrl=${ctrl#name=}
                        [ -n "$ctrl" ] || ctrl=unified
                        for d in ${ctrl//,/ }; do
                                rmdir "/sys/fs/cgroup/$d${path%/}/$CG" 2>/dev/null || true
                        done
                done </proc/self/cgroup
        fi
        kl_teardown
}

@test "run in the foreground: output, stderr, exit status, removed with --rm" {
        run "${CTR[@]}" run --rm "$BB" sh -c 'echo "pid=$$"; hostname; echo oops >&2; exit 7'
        [ "$status" -eq 7 ]
        kl_assert_contains "$output" "pid=1"
        kl_assert_contains "$output" "oops"
        run "${CTR[@]}" ps -a -q
        [ "$status" -eq 0 ]
        [ -z "$output" ]
}

@test "the image's command and environment are the defaults; flags override them" {
        run "${CTR[@]}" run --rm -e GREETING=hi -w /tmp "$BB" sh -c 'echo "$GREETING $PATH"; pwd'
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "hi /"
        kl_assert_contains "$output" "/tmp"
        run "${CTR[@]}" run --rm --user app "$BB" id
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "uid=1000(app)"
        run "${CTR[@]}" run --rm localhost/kube-lite-test/nosuch:1 true
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "not found"
}

@test "detached: ps, inspect, logs, exec, stop, rm" {
        run "${CTR[@]}" run -d --name web "$BB" sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
        [ "$status" -eq 0 ]
        [ "$output" = web ]
        run "${CTR[@]}" ps
        kl_assert_contains "$output" "web"
        kl_assert_contains "$output" "Up "
        run "${CTR[@]}" inspect we
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" '"status": "running"'
        kl_wait_for 10 sh -c '"$@" logs web | grep -q started' _ "${CTR[@]}"
        run "${CTR[@]}" exec web sh -c 'echo in=$$; exit 3'
        [ "$status" -eq 3 ]
        kl_assert_contains "$output" "in="
        run "${CTR[@]}" exec -t web tty
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "/dev/pts/0"
        run "${CTR[@]}" rm web
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "running"
        run "${CTR[@]}" stop -t 10 web
        [ "$status" -eq 0 ]
        run "${CTR[@]}" logs web
        kl_assert_contains "$output" "bye"
        run "${CTR[@]}" ps -a
        kl_assert_contains "$output" "Exited (0)"
        run "${CTR[@]}" rm web
        [ "$status" -eq 0 ]
        run "${CTR[@]}" inspect web
        [ "$status" -eq 1 ]
}

@test "logs are CRI lines on disk; logs -f follows until the container stops" {
        run "${CTR[@]}" run -d --name lg "$BB" sh -c 'for i in 1 2 3; do echo line$i; sleep 0.2; done'
        [ "$status" -eq 0 ]
        run "${CTR[@]}" logs -f lg
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'line1\nline2\nline3')" ]
        run grep -cE '^[0-9-]{10}T[0-9:]{8}\.[0-9]{9}Z stdout F line[123]$' \
                "$KL_TEST_DIR/data/agent/containers/lg.log"
        [ "$output" = 3 ]
}

@test "a memory limit OOM-kills, and ps says so" {
        run "${CTR[@]}" run --name hog --memory 32m "$BB" sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo ${#x}'
        [ "$status" -eq 137 ]
        run "${CTR[@]}" inspect hog
        kl_assert_contains "$output" '"oom_killed": true'
        kl_assert_contains "$output" '"exit_code": 137'
        run "${CTR[@]}" ps -a
        kl_assert_contains "$output" "OOMKilled"
}

@test "the container outlives the command that started it; its end is recorded later" {
        run "${CTR[@]}" run -d --name bg "$BB" sh -c 'sleep 1; exit 5'
        [ "$status" -eq 0 ]
        run "${CTR[@]}" inspect bg
        kl_assert_contains "$output" '"status": "running"'
        kl_wait_for 20 sh -c '"$@" inspect bg | grep -q "\"status\": \"stopped\""' _ "${CTR[@]}"
        run "${CTR[@]}" inspect bg
        kl_assert_contains "$output" '"exit_code": 5'
}

@test "kill sends a signal; stop ends a process that ignores SIGTERM with SIGKILL" {
        run "${CTR[@]}" run -d --name k "$BB" sleep 1000
        run "${CTR[@]}" kill -s TERM k
        [ "$status" -eq 0 ]
        run "${CTR[@]}" inspect k
        kl_assert_contains "$output" '"status": "running"'
        run "${CTR[@]}" stop -t 1 k
        [ "$status" -eq 0 ]
        run "${CTR[@]}" inspect k
        kl_assert_contains "$output" '"exit_code": 137'
}

@test "usage errors" {
        run "${CTR[@]}" frobnicate
        [ "$status" -eq 2 ]
        run "${CTR[@]}" run
        [ "$status" -eq 2 ]
        run "${CTR[@]}" run --memory lots "$BB" true
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "--memory"
        run "${CTR[@]}" logs nosuch
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "no such container"
}

@test "a container's process starts with no signal blocked or ignored (also under exec)" {
        run "${CTR[@]}" run --rm "$BB" grep -E "^Sig(Blk|Ign)" /proc/self/status
        [ "$status" -eq 0 ]
        [ "$output" = "SigBlk:	0000000000000000
SigIgn:	0000000000000000" ]
        id=$("${CTR[@]}" run -d "$BB" sleep 60)
        run "${CTR[@]}" exec "$id" grep -E "^Sig(Blk|Ign)" /proc/self/status
        [ "$output" = "SigBlk:	0000000000000000
SigIgn:	0000000000000000" ]
}
