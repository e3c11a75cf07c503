#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t0001: the command line itself: version, help, unknown commands.

load lib/common

setup() {
        kl_setup
}

teardown() {
        kl_teardown
}

@test "version names kube-lite, the Kubernetes API and every library" {
        run "$KL_BIN" version
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "kube-lite "
        kl_assert_contains "$output" "(commit "
        kl_assert_contains "$output" "kubernetes  v1.32"
        for lib in libuv sqlite libarchive libcurl openssl zlib zstd libseccomp libnl jansson libyaml; do
                echo "$output" | grep -qE "^$lib +[^ ]" || { echo "missing $lib in: $output" >&2; false; }
        done
}

@test "version --short prints only the version" {
        run "$KL_BIN" version --short
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
        [ "${#lines[@]}" -eq 1 ]
}

@test "--help lists the commands and exits 0" {
        run "$KL_BIN" --help
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "version"
}

@test "an unknown command is an error that names it" {
        run "$KL_BIN" frobnicate
        [ "$status" -eq 2 ]
        kl_assert_contains "$output" "unknown command 'frobnicate'"
}

@test "no command prints usage and fails" {
        run "$KL_BIN"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "Usage:"
}
