#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t4100: `kube-lite agent` joins a server with a token from `kube-lite token
# create` and its Node becomes Ready; it keeps its identity across restarts,
# and another box cannot take its name. Server and agents run on 127.0.0.1.

load lib/common
load lib/server

setup() {
        kl_server_setup --node-monitor-grace-period 4s
        TOKEN=$("$KL_BIN" token create --kubeconfig "$KUBECONFIG" | tail -n 1)
}

teardown() {
        kl_teardown
}

# agent_start NAME DATA [FLAGS...]: run an agent in the background (its pid in AGENT_PID).
agent_start() {
        local name=$1 data=$2
        shift 2
        # In the host's network namespace: no pod network (lib/netns.bash has nodes with one).
        "$KL_BIN" agent join "https://127.0.0.1:$KL_PORT" --data-dir "$data" --node-name "$name" \
                --node-ip 127.0.0.1 --state-dir "$data/run" --kubelet-arg port=0 \
                --network-backend none \
                --kubelet-arg "pod-logs-dir=$data/logs" --kubelet-arg "cgroup-root=kl-e2e-$name-$$" \
                "$@" >>"$KL_TEST_DIR/agent-$name.log" 2>&1 &
        AGENT_PID=$!
        KL_PIDS+=("$AGENT_PID")
}

node_ready() {
        [ "$(kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = "$2" ]
}

@test "an agent joins with a token and its node is Ready, with its Lease" {
        [[ "$TOKEN" == K10*::*.* ]]
        agent_start n1 "$KL_TEST_DIR/n1" --token "$TOKEN" --node-label role=edge
        kl_wait_for 20 node_ready n1 True
        run kubectl get node n1 -o jsonpath='{.metadata.labels.role} {.status.nodeInfo.kubeletVersion} {.status.addresses[0].address}'
        [ "$status" -eq 0 ]
        [ "$output" = "edge v1.32.0-kube-lite 127.0.0.1" ]
        kl_wait_for 10 kubectl -n kube-node-lease get lease n1
        [ -s "$KL_TEST_DIR/n1/agent/client-kubelet.crt" ]
        [ "$(stat -c %a "$KL_TEST_DIR/n1/agent/client-kubelet.key")" = 600 ]
}

@test "a stopped agent's node goes NotReady; restarted without a token it is Ready again" {
        agent_start n2 "$KL_TEST_DIR/n2" --token "$TOKEN"
        kl_wait_for 20 node_ready n2 True
        kill -TERM "$AGENT_PID"
        wait "$AGENT_PID"
        kl_wait_for 30 node_ready n2 Unknown
        agent_start n2 "$KL_TEST_DIR/n2"
        kl_wait_for 20 node_ready n2 True
}

@test "a wrong token, a wrong CA hash and a taken node name are refused" {
        run "$KL_BIN" agent join "https://127.0.0.1:$KL_PORT" --data-dir "$KL_TEST_DIR/x" \
                --node-name x --token "${TOKEN%.*}.0000000000000000"
        [ "$status" -eq 1 ]
        bad="K10$(printf '0%.0s' $(seq 64))::${TOKEN#*::}"
        run "$KL_BIN" agent join "https://127.0.0.1:$KL_PORT" --data-dir "$KL_TEST_DIR/y" \
                --node-name y --token "$bad"
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "does not match"
        agent_start n3 "$KL_TEST_DIR/n3" --token "$TOKEN"
        kl_wait_for 20 node_ready n3 True
        # Another box (another data directory, so another node password) asks for the name.
        run "$KL_BIN" agent join "https://127.0.0.1:$KL_PORT" --data-dir "$KL_TEST_DIR/other" \
                --node-name n3 --token "$TOKEN"
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "password"
}

@test "archives in the image directory are imported at start and listed in the Node's status" {
        "$BATS_TEST_DIRNAME/../scripts/test-images.sh" "$KL_TEST_DIR/img" >/dev/null 2>&1 ||
                skip "no test images: busybox-static is not installed"
        mkdir -p "$KL_TEST_DIR/n4/agent/images"
        cp "$KL_TEST_DIR/img/busybox.tar" "$KL_TEST_DIR/n4/agent/images/"
        agent_start n4 "$KL_TEST_DIR/n4" --token "$TOKEN"
        kl_wait_for 20 node_ready n4 True
        run kubectl get node n4 -o jsonpath='{.status.images[*].names}'
        kl_assert_contains "$output" "localhost/kube-lite-test/busybox:1"
        kl_assert_contains "$output" "localhost/kube-lite-test/busybox@sha256:"
        run "$KL_BIN" images ls -q --data-dir "$KL_TEST_DIR/n4"
        [ "$output" = "localhost/kube-lite-test/busybox:1" ]
}
