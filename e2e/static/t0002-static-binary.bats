#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t0002: the release binary of `make static` stands alone: no dynamic loader,
# no shared library, no file of the build machine. Run by `make static-check`
# with KL_STATIC_BIN pointing at build/static/kube-lite.

load ../lib/common

setup() {
        kl_setup
        [ -n "${KL_STATIC_BIN:-}" ] || skip "KL_STATIC_BIN is not set (run make static-check)"
}

teardown() {
        kl_teardown
}

@test "file says statically linked" {
        run file "$KL_STATIC_BIN"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "statically linked"
}

@test "alone in an empty root, version prints every library" {
        [ "$(id -u)" -eq 0 ] || skip "chroot needs root"
        mkdir "$KL_TEST_DIR/root"
        cp "$KL_STATIC_BIN" "$KL_TEST_DIR/root/kube-lite"
        run chroot "$KL_TEST_DIR/root" /kube-lite version
        [ "$status" -eq 0 ]
        for lib in kubernetes libuv sqlite libarchive libcurl openssl zlib zstd libseccomp libnl jansson libyaml; do
                echo "$output" | grep -qE "^$lib +[^ ]" || { echo "missing $lib in: $output" >&2; false; }
        done
        kl_assert_contains "$output" "OpenSSL/"
}

@test "no path of the build machine is baked in" {
        run grep -c -a "$HOME/.cache/kube-lite" "$KL_STATIC_BIN"
        [ "$output" = "0" ]
}
