# SPDX-License-Identifier: Apache-2.0
#
# Start and stop `kube-lite server` for the API scenarios (t1xxx). Load after
# lib/common:
#   load lib/common
#   load lib/server
# kl_server_setup gives the scenario its own HOME (kubectl's discovery cache
# starts empty), a kubeconfig and a free port, and starts the server;
# kl_server_teardown (or kl_teardown) stops it.

kl_free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# kl_server_start [FLAGS...]: start the server (again) on $KL_PORT and wait
# until it is ready and the kubeconfig is written. The server is a control
# plane only unless the scenario set KL_AGENT_FLAGS (lib/node).
kl_server_start() {
        local agent=(--disable-agent)
        [ -z "${KL_AGENT_FLAGS+x}" ] || agent=("${KL_AGENT_FLAGS[@]}")
        "$KL_BIN" server --data-dir "$KL_TEST_DIR/data" --https-listen-port "$KL_PORT" \
                --bind-address 127.0.0.1 --write-kubeconfig "$KUBECONFIG" "${agent[@]}" "$@" \
                >>"$KL_TEST_DIR/server.log" 2>&1 &
        KL_SERVER_PID=$!
        KL_PIDS+=("$KL_SERVER_PID")
        kl_wait_for 10 curl -sfk "https://127.0.0.1:$KL_PORT/readyz" -o /dev/null
        kl_wait_for 5 test -s "$KUBECONFIG"
}

# kl_server_stop: SIGTERM and wait; fails unless the server exits 0.
kl_server_stop() {
        local rc=0
        kill -TERM "$KL_SERVER_PID"
        wait "$KL_SERVER_PID" || rc=$?
        return "$rc"
}

kl_server_setup() {
        kl_setup
        export HOME="$KL_TEST_DIR/home"
        mkdir -p "$HOME"
        export KUBECONFIG="$KL_TEST_DIR/kubeconfig.yaml"
        KL_PORT=$(kl_free_port)
        kl_server_start "$@"
}

# kl_server_teardown: the scenario's teardown. The server must exit 0 on
# SIGTERM: under SANITIZE=1 a leak or any sanitizer report fails the
# scenario that caused it (the server log's tail goes to the TAP output).
kl_server_teardown() {
        local rc=0
        if kill -0 "$KL_SERVER_PID" 2>/dev/null; then
                kl_server_stop || rc=$?
                [ "$rc" -eq 0 ] || tail -50 "$KL_TEST_DIR/server.log" >&3
        fi
        kl_teardown
        return "$rc"
}

# kl_deployment_yaml REPLICAS IMAGE EXTRA: the manifest of a Deployment "web"
# (app=web, one container "nginx" of IMAGE), with EXTRA as one more spec line.
kl_deployment_yaml() {
        cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: $1
$3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "$2"}]
YAML
}
