#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t3000: `kube-lite images` on the test images of scripts/test-images.sh:
# import, ls, pull from Debian's docker-registry on 127.0.0.1, rm, and the
# command's errors. Skips what needs a tool that is not installed.

load lib/common

SCRIPT="$BATS_TEST_DIRNAME/../scripts/test-images.sh"
BB=localhost/kube-lite-test/busybox:1
HTTPD=localhost/kube-lite-test/httpd:1

setup_file() {
        local out
        # Built once for the file; every scenario imports or pushes these.
        export KL_IMAGES="$BATS_FILE_TMPDIR/images"
        if ! out=$("$SCRIPT" "$KL_IMAGES" 2>&1); then
                case "$out" in
                *busybox-static*) ;; # no static busybox here: need_images skips
                *)
                        echo "$out" >&2
                        return 1
                        ;;
                esac
        fi
}

setup() {
        kl_setup
        DATA="$KL_TEST_DIR/data"
}

teardown() {
        kl_teardown
}

need_images() {
        [ -f "$KL_IMAGES/busybox.tar" ] || skip "no test images: busybox-static is not installed"
}

need_registry() {
        need_images
        command -v docker-registry >/dev/null || skip "docker-registry is not installed"
        command -v skopeo >/dev/null || skip "skopeo is not installed"
}

# entries DIR: how many files and directories DIR holds (hidden ones too).
entries() {
        find "$1" -mindepth 1 -maxdepth 1 | wc -l
}

# json_names FILE: "name pinned size" per image of `images ls -o json`, with jq or else python3.
json_names() {
        if command -v jq >/dev/null; then
                jq -r '.images[] | "\(.name) \(.pinned) \(.size)"' "$1"
        else
                python3 -c 'import json,sys
for i in json.load(open(sys.argv[1]))["images"]:
    print(i["name"], str(i["pinned"]).lower(), i["size"])' "$1"
        fi
}

# registry_start: docker-registry on a free port of 127.0.0.1, its config written here.
registry_start() {
        local port
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        REGISTRY=127.0.0.1:$port
        mkdir -p "$KL_TEST_DIR/registry"
        cat >"$KL_TEST_DIR/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $KL_TEST_DIR/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
        docker-registry serve "$KL_TEST_DIR/registry/config.yml" >"$KL_TEST_DIR/registry/log" 2>&1 &
        KL_PIDS+=("$!")
        kl_wait_for 10 curl -sf "http://$REGISTRY/v2/" -o /dev/null
}

@test "images --help lists the verbs" {
        run "$KL_BIN" images --help
        [ "$status" -eq 0 ]
        for verb in pull import ls rm; do
                echo "$output" | grep -qE "^  $verb " || { echo "no $verb in: $output" >&2; false; }
        done
        run "$KL_BIN" help images
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "Usage: kube-lite images"
}

@test "usage errors exit 2" {
        run "$KL_BIN" images
        [ "$status" -eq 2 ]
        kl_assert_contains "$output" "Usage: kube-lite images"
        run "$KL_BIN" images frobnicate
        [ "$status" -eq 2 ]
        kl_assert_contains "$output" "kube-lite images: unknown command 'frobnicate'"
        run "$KL_BIN" images pull -d "$DATA"
        [ "$status" -eq 2 ]
        run "$KL_BIN" images pull -d "$DATA" a b
        [ "$status" -eq 2 ]
        run "$KL_BIN" images ls -d "$DATA" --bogus
        [ "$status" -eq 2 ]
        run "$KL_BIN" images ls -d "$DATA" -o yaml
        [ "$status" -eq 2 ]
        run "$KL_BIN" images rm -d "$DATA"
        [ "$status" -eq 2 ]
        run "$KL_BIN" images import -d "$DATA"
        [ "$status" -eq 2 ]
        run "$KL_BIN" images pull -d "$DATA" --platform windows/amd64 busybox
        [ "$status" -eq 2 ]
        kl_assert_contains "$output" "--platform: only linux images run here"
        run "$KL_BIN" images pull -d "$DATA" --platform amd64 busybox
        [ "$status" -eq 2 ]
        # Nothing of the above created a store.
        [ ! -e "$DATA" ]
}

@test "ls of a store that does not exist is empty and creates nothing" {
        run "$KL_BIN" images ls -d "$DATA"
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
        kl_assert_contains "${lines[0]}" "IMAGE"
        [ ! -e "$DATA" ]
}

@test "test-images.sh is reproducible and names both images in its layout" {
        need_images
        "$SCRIPT" "$KL_TEST_DIR/again"
        cmp "$KL_IMAGES/busybox.tar" "$KL_TEST_DIR/again/busybox.tar"
        cmp "$KL_IMAGES/httpd.tar" "$KL_TEST_DIR/again/httpd.tar"
        cmp "$KL_IMAGES/layout/index.json" "$KL_TEST_DIR/again/layout/index.json"
        kl_assert_contains "$(cat "$KL_IMAGES/layout/index.json")" "\"org.opencontainers.image.ref.name\":\"$BB\""
        kl_assert_contains "$(cat "$KL_IMAGES/layout/index.json")" "\"org.opencontainers.image.ref.name\":\"$HTTPD\""
        # Idempotent: a second run over the same directory leaves the same files.
        "$SCRIPT" "$KL_TEST_DIR/again"
        cmp "$KL_IMAGES/busybox.tar" "$KL_TEST_DIR/again/busybox.tar"
        [ "$(entries "$KL_TEST_DIR/again")" -eq 3 ]
}

@test "import both archives; ls shows them pinned, -q and -o json" {
        need_images
        run "$KL_BIN" images import -d "$DATA" "$KL_IMAGES/busybox.tar" "$KL_IMAGES/httpd.tar"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$BB" ]
        [ "${lines[1]}" = "$HTTPD" ]

        run "$KL_BIN" images ls -d "$DATA"
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^IMAGE +TAG +DIGEST +SIZE +PINNED$'
        echo "$output" | grep -qE '^localhost/kube-lite-test/busybox +1 +[0-9a-f]{12} +1\.[0-9]+MB +true$'
        echo "$output" | grep -qE '^localhost/kube-lite-test/httpd +1 +[0-9a-f]{12} +1\.[0-9]+MB +true$'
        [ "${#lines[@]}" -eq 3 ]

        run "$KL_BIN" images ls -d "$DATA" -q
        [ "$status" -eq 0 ]
        [ "$output" = "$BB"$'\n'"$HTTPD" ]

        "$KL_BIN" images ls -d "$DATA" -o json >"$KL_TEST_DIR/ls.json"
        run json_names "$KL_TEST_DIR/ls.json"
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[0]}" =~ ^localhost/kube-lite-test/busybox:1\ true\ [0-9]+$ ]]
        [[ "${lines[1]}" =~ ^localhost/kube-lite-test/httpd:1\ true\ [0-9]+$ ]]

        # The data directory also comes from the environment, as every flag.
        KUBE_LITE_DATA_DIR="$DATA" run "$KL_BIN" images ls -q
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 2 ]
}

@test "options come from the config file too, whose images keys other commands accept" {
        need_images
        cat >"$KL_TEST_DIR/config.yaml" <<EOF
data-dir: $DATA
insecure-registry:
  - 127.0.0.1:5000
https-listen-port: 6443
EOF
        run "$KL_BIN" images import -c "$KL_TEST_DIR/config.yaml" "$KL_IMAGES/busybox.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "$BB" ]
        run "$KL_BIN" images ls -d "$DATA" -q
        [ "$output" = "$BB" ]
        # Given before the verb, the file and the flags apply to it all the same.
        run "$KL_BIN" images -c "$KL_TEST_DIR/config.yaml" ls -q
        [ "$status" -eq 0 ]
        [ "$output" = "$BB" ]
        echo "bogus-key: 1" >>"$KL_TEST_DIR/config.yaml"
        run "$KL_BIN" images ls -c "$KL_TEST_DIR/config.yaml"
        [ "$status" -eq 2 ]
        kl_assert_contains "$output" "unknown key 'bogus-key'"
}

@test "import of a file that is no archive fails for it alone" {
        need_images
        echo "not an archive" >"$KL_TEST_DIR/junk.tar"
        run "$KL_BIN" images import -d "$DATA" "$KL_TEST_DIR/junk.tar" "$KL_IMAGES/busybox.tar"
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "kube-lite images import: '$KL_TEST_DIR/junk.tar': "
        kl_assert_contains "$output" "$BB"
        run "$KL_BIN" images ls -d "$DATA" -q
        [ "$output" = "$BB" ]
}

@test "pull from a local docker-registry, again fetches nothing, rm sweeps the blobs" {
        need_registry
        registry_start
        "$SCRIPT" "$KL_TEST_DIR/images" "$REGISTRY"

        run "$KL_BIN" images pull -d "$DATA" --insecure-registry "$REGISTRY" \
                "$REGISTRY/kube-lite-test/httpd:1"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "Image: $REGISTRY/kube-lite-test/httpd:1"
        echo "$output" | grep -qE '^Digest: sha256:[0-9a-f]{64}$'
        # The config and both layers.
        kl_assert_contains "$output" "Fetched: 3 blobs;"
        kl_assert_contains "$output" "unpacked 2 layers"

        run "$KL_BIN" images pull -d "$DATA" --insecure-registry "$REGISTRY" \
                "$REGISTRY/kube-lite-test/httpd:1"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "Fetched: 0 blobs;"
        kl_assert_contains "$output" "in 1 request;"
        kl_assert_contains "$output" "unpacked 0 layers"

        # The insecure registry from the environment; busybox shares httpd's base layer.
        KUBE_LITE_INSECURE_REGISTRY="$REGISTRY" run "$KL_BIN" images pull -d "$DATA" \
                "$REGISTRY/kube-lite-test/busybox:1"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "Fetched: 1 blob;"

        # Without --insecure-registry the registry is reached over https, which it does not speak.
        run "$KL_BIN" images pull -d "$DATA" "$REGISTRY/kube-lite-test/busybox:1"
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "kube-lite images pull: "

        run "$KL_BIN" images pull -d "$DATA" --insecure-registry "$REGISTRY" \
                "$REGISTRY/kube-lite-test/nothere:1"
        [ "$status" -eq 1 ]
        [ "${#lines[@]}" -eq 1 ]
        kl_assert_contains "$output" "kube-lite images pull: "

        run "$KL_BIN" images ls -d "$DATA"
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE "^$REGISTRY/kube-lite-test/httpd +1 +[0-9a-f]{12} +1\.[0-9]+MB +false$"

        blobs="$DATA/agent/images/blobs/sha256"
        [ "$(entries "$blobs")" -eq 6 ]
        # Removing httpd keeps everything busybox uses (its manifest, config and the shared layer).
        run "$KL_BIN" images rm -d "$DATA" "$REGISTRY/kube-lite-test/httpd:1"
        [ "$status" -eq 0 ]
        [ "$output" = "Deleted: $REGISTRY/kube-lite-test/httpd:1" ]
        [ "$(entries "$blobs")" -eq 3 ]
        [ "$(entries "$DATA/agent/images/snapshots")" -eq 1 ]
        run "$KL_BIN" images ls -d "$DATA" -q
        [ "$output" = "$REGISTRY/kube-lite-test/busybox:1" ]

        run "$KL_BIN" images rm -d "$DATA" "$REGISTRY/kube-lite-test/busybox:1"
        [ "$status" -eq 0 ]
        [ "$(entries "$blobs")" -eq 0 ]
        run "$KL_BIN" images ls -d "$DATA" -q
        [ "$status" -eq 0 ]
        [ -z "$output" ]
}

@test "rm of an unknown name fails for that name; the others are still removed" {
        need_images
        "$KL_BIN" images import -d "$DATA" "$KL_IMAGES/busybox.tar" "$KL_IMAGES/httpd.tar" >/dev/null
        run "$KL_BIN" images rm -d "$DATA" busybox "$BB" "Not/Valid"
        [ "$status" -eq 1 ]
        # A short name is a reference: busybox is docker.io/library/busybox:latest.
        kl_assert_contains "$output" "kube-lite images rm: no such image 'docker.io/library/busybox:latest'"
        kl_assert_contains "$output" "kube-lite images rm: 'Not/Valid': "
        kl_assert_contains "$output" "Deleted: $BB"
        run "$KL_BIN" images ls -d "$DATA" -q
        [ "$output" = "$HTTPD" ]
        # The layer httpd shares with the removed image stays.
        [ -x "$(echo "$DATA"/agent/images/snapshots/*/fs/bin/busybox)" ]
}
