# SPDX-License-Identifier: Apache-2.0
#
# A single-node cluster for the pod scenarios (t42xx): `kube-lite server` with
# its embedded agent, as root, with the test images of scripts/test-images.sh
# in the air-gap directory. It runs in the host's network namespace, so
# without the pod network (--network-backend none: pods have loopback only);
# lib/netns.bash builds clusters with it inside namespaces of their own. Load after lib/common and lib/server:
#   load lib/common
#   load lib/server
#   load lib/node
# Everything the node makes lives under $KL_TEST_DIR (data, run-time state,
# pod logs) or in the cgroup $KL_CG below ours; kl_node_teardown removes the
# containers, the mounts and the cgroups the scenario left.

KL_SCRIPT_IMAGES="$BATS_TEST_DIRNAME/../scripts/test-images.sh"
BB=localhost/kube-lite-test/busybox:1
HTTPD=localhost/kube-lite-test/httpd:1

# For setup_file: build the test images once per file.
kl_node_images() {
        export KL_IMAGES="$BATS_FILE_TMPDIR/images"
        "$KL_SCRIPT_IMAGES" "$KL_IMAGES" >/dev/null 2>&1 || true
}

# kl_node_setup [SERVER FLAGS...]: the server and its node, Ready.
kl_node_setup() {
        [ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, cgroups, overlayfs)"
        [ -f "$KL_IMAGES/busybox.tar" ] || skip "no test images: busybox-static is not installed"
        kl_setup
        KL_NODE_DIRS=()
        KL_CG="kl-e2e-node-$$-$BATS_TEST_NUMBER"
        KL_NODE=kl-e2e
        mkdir -p "$KL_TEST_DIR/data/agent/images"
        cp "$KL_IMAGES/busybox.tar" "$KL_IMAGES/httpd.tar" "$KL_TEST_DIR/data/agent/images/"
        KL_AGENT_FLAGS=(--default-local-storage-path "$KL_TEST_DIR/storage"
                --node-name "$KL_NODE" --node-ip 127.0.0.1
                --state-dir "$KL_TEST_DIR/run"
                --kubelet-arg port=0 --kubelet-arg "pod-logs-dir=$KL_TEST_DIR/logs"
                --kubelet-arg "cgroup-root=$KL_CG" --kubelet-arg sync-frequency=2s
                --network-backend none)
        export HOME="$KL_TEST_DIR/home"
        mkdir -p "$HOME"
        export KUBECONFIG="$KL_TEST_DIR/kubeconfig.yaml"
        KL_PORT=$(kl_free_port)
        kl_server_start "$@"
        kl_wait_for 30 kl_node_ready "$KL_NODE" True
        kl_wait_for 30 kubectl get serviceaccount default -o name
        # KL_NODE_AGENTS=N: N more nodes (n1...), agents joined with a token (the 3-node harness).
        if [ "${KL_NODE_AGENTS:-0}" -gt 0 ]; then
                KL_TOKEN=$("$KL_BIN" token create --kubeconfig "$KUBECONFIG" | tail -n 1)
                for i in $(seq 1 "$KL_NODE_AGENTS"); do
                        kl_agent_start "n$i"
                done
                for i in $(seq 1 "$KL_NODE_AGENTS"); do
                        kl_wait_for 30 kl_node_ready "n$i" True
                done
        fi
}

# kl_agent_start NAME: a `kube-lite agent` joined with $KL_TOKEN, with its own data and
# state directories, streaming port and cgroup under $KL_TEST_DIR/NAME (its pid in
# KL_AGENT_PID_<NAME>).
kl_agent_start() {
        local name=$1 dir="$KL_TEST_DIR/$1"
        mkdir -p "$dir/agent/images"
        cp "$KL_IMAGES/busybox.tar" "$KL_IMAGES/httpd.tar" "$dir/agent/images/"
        "$KL_BIN" agent join "https://127.0.0.1:$KL_PORT" --token "$KL_TOKEN" --data-dir "$dir" \
                --node-name "$name" --node-ip 127.0.0.1 --state-dir "$dir/run" \
                --kubelet-arg port=0 --kubelet-arg "pod-logs-dir=$dir/logs" \
                --kubelet-arg "cgroup-root=$KL_CG-$name" --kubelet-arg sync-frequency=2s \
                --network-backend none \
                >>"$KL_TEST_DIR/agent-$name.log" 2>&1 &
        eval "KL_AGENT_PID_$name=$!"
        KL_PIDS+=("$!")
        KL_NODE_DIRS+=("$dir")
}

kl_node_ready() {
        [ "$(kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = "$2" ]
}

kl_node_teardown() {
        local id d m
        # The server first (containers keep running), then what it left.
        for pid in "${KL_PIDS[@]:-}"; do
                [ -n "$pid" ] || continue
                kill -TERM "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        KL_PIDS=()
        # Every node's containers: the server's, and those of agents in KL_NODE_DIRS.
        if [ -n "${KL_TEST_DIR:-}" ]; then
                for d in "$KL_TEST_DIR/data" "${KL_NODE_DIRS[@]:-}"; do
                        [ -n "$d" ] || continue
                        local st="$d/run"
                        [ "$d" != "$KL_TEST_DIR/data" ] || st="$KL_TEST_DIR/run"
                        [ -d "$st/containers" ] || continue
                        for id in $("$KL_BIN" ctr --data-dir "$d" --state-dir "$st" ps -a -q 2>/dev/null); do
                                "$KL_BIN" ctr --data-dir "$d" --state-dir "$st" rm -f "$id" >/dev/null 2>&1 || true
                        done
                done
        fi
        # Mounts under the scenario's directory (pod namespaces, tmpfs volumes), deepest first.
        if [ -n "${KL_TEST_DIR:-}" ]; then
                for m in $(awk -v d="$KL_TEST_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
                        umount -l "$m" 2>/dev/null || true
                done
        fi
        if [ -n "${KL_CG:-}" ]; then
                while IFS=: read -r _ ctrl path; do
                        ctrl=${ctrl#name=}
                        [ -n "$ctrl" ] || ctrl=unified
                        for d in ${ctrl//,/ }; do
                                for m in "/sys/fs/cgroup/$d${path%/}/$KL_CG"*; do
                                        [ -d "$m" ] && rmdir "$m" 2>/dev/null || true
                                done
                        done
                done </proc/self/cgroup
        fi
        kl_teardown
}

# kl_pod_field POD JSONPATH: one field of a pod ("" when absent).
kl_pod_field() {
        kubectl get pod "$1" -o jsonpath="$2" 2>/dev/null
}

kl_pod_phase_is() {
        [ "$(kl_pod_field "$1" '{.status.phase}')" = "$2" ]
}

kl_pod_ready() {
        [ "$(kl_pod_field "$1" '{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
