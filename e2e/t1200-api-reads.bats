#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t1200: the read path driven only by the real kubectl: resourceVersion
# semantics of lists, continue tokens consistent under writes, watches (Table
# rows, bookmarks, timeoutSeconds, 410, selector transitions, single objects),
# wait and rollout status, explain, client-side apply computed from our
# OpenAPI schemas.

load lib/common
load lib/server

setup() {
        kl_server_setup
}

teardown() {
        kl_server_teardown
}

# json_get EXPR: read JSON on stdin and print the Python expression over `d`.
json_get() {
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# bg FILE CMD...: run CMD in the background (bounded by timeout 20), output in FILE.
bg() {
        local out=$1
        shift
        timeout 20 "$@" >"$out" 2>&1 &
        KL_PIDS+=("$!")
}

file_has() {
        grep -q -- "$2" "$1"
}

@test "list pages come from the first page's revision however many writes happen" {
        for i in 1 2 3 4 5; do kubectl create cm "c$i" >/dev/null; done
        run kubectl get --raw '/api/v1/namespaces/default/configmaps?limit=2'
        [ "$status" -eq 0 ]
        first=$output
        rv=$(echo "$first" | json_get 'd["metadata"]["resourceVersion"]')
        token=$(echo "$first" | json_get 'd["metadata"]["continue"]')
        [ "$(echo "$first" | json_get 'd["metadata"]["remainingItemCount"]')" = 3 ]
        # Upstream's opaque token: base64url JSON {"v":"meta.k8s.io/v1","rv":N,"start":"c2\u0000"}.
        run python3 -c 'import base64,sys; t=sys.argv[1]; print(base64.urlsafe_b64decode(t+"="*(-len(t)%4)).decode())' "$token"
        [ "$output" = "{\"v\":\"meta.k8s.io/v1\",\"rv\":$rv,\"start\":\"c2\\u0000\"}" ]

        kubectl create cm c0 >/dev/null
        kubectl delete cm c3 >/dev/null
        kubectl label cm c4 changed=yes >/dev/null

        run kubectl get --raw "/api/v1/namespaces/default/configmaps?limit=2&continue=$token"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | json_get '" ".join(i["metadata"]["name"] for i in d["items"])')" = "c3 c4" ]
        [ "$(echo "$output" | json_get 'd["metadata"]["resourceVersion"]')" = "$rv" ]
        [ "$(echo "$output" | json_get 'd["items"][1]["metadata"].get("labels")')" = None ]
        [ "$(echo "$output" | json_get 'd["metadata"]["remainingItemCount"]')" = 1 ]

        # A new list sees the writes.
        run kubectl get cm -o name
        [ "$output" = "$(printf 'configmap/c0\nconfigmap/c1\nconfigmap/c2\nconfigmap/c4\nconfigmap/c5')" ]
}

@test "get --chunk-size pages through every object in order, Table and JSON" {
        for i in 1 2 3 4 5; do kubectl create cm "c$i" >/dev/null; done
        run kubectl get cm --chunk-size=2
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 6 ]
        [[ "${lines[0]}" == NAME* ]]
        [[ "${lines[5]}" == c5* ]]
        run kubectl get cm --chunk-size=2 -o jsonpath='{.items[*].metadata.name}'
        [ "$output" = "c1 c2 c3 c4 c5" ]
}

@test "resourceVersion and resourceVersionMatch on lists and gets as upstream" {
        kubectl create cm old >/dev/null
        rv=$(kubectl get cm old -o jsonpath='{.metadata.resourceVersion}')
        kubectl create cm new >/dev/null
        kubectl label cm old later=yes >/dev/null

        # Exact: the store at that revision.
        run kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersion=$rv&resourceVersionMatch=Exact"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | json_get '" ".join(i["metadata"]["name"] for i in d["items"])')" = "old" ]
        [ "$(echo "$output" | json_get 'd["metadata"]["resourceVersion"]')" = "$rv" ]
        [ "$(echo "$output" | json_get 'd["items"][0]["metadata"].get("labels")')" = None ]
        # A limit without a match is upstream's legacy exact read.
        run kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersion=$rv&limit=10"
        [ "$(echo "$output" | json_get 'len(d["items"])')" = 1 ]
        # NotOlderThan and "0": the newest state.
        run kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersion=$rv&resourceVersionMatch=NotOlderThan"
        [ "$(echo "$output" | json_get 'len(d["items"])')" = 2 ]
        run kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersion=0"
        [ "$(echo "$output" | json_get 'len(d["items"])')" = 2 ]
        run kubectl get --raw "/api/v1/namespaces/default/configmaps/old?resourceVersion=$rv"
        [ "$(echo "$output" | json_get 'd["metadata"]["labels"]["later"]')" = yes ]

        run kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersion=999999&resourceVersionMatch=NotOlderThan"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "Error from server (Timeout): Too large resource version: 999999, current: "
        run kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "resourceVersionMatch is forbidden unless resourceVersion is provided"
        run kubectl get --raw "/api/v1/namespaces/default/configmaps?continue=bm90IGpzb24"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "Error from server (BadRequest): invalid continue token"
}

@test "get -w prints Table rows for additions, changes and deletions" {
        kubectl create cm first >/dev/null
        bg "$KL_TEST_DIR/w" kubectl get cm -w
        kl_wait_for 10 file_has "$KL_TEST_DIR/w" '^first'
        kubectl create cm second >/dev/null
        kl_wait_for 10 file_has "$KL_TEST_DIR/w" '^second'
        kubectl label cm second a=b >/dev/null
        kubectl delete cm second >/dev/null
        kl_wait_for 10 test "$(grep -c '^second' "$KL_TEST_DIR/w")" -ge 3
        run cat "$KL_TEST_DIR/w"
        [ "$(grep -c '^NAME' "$KL_TEST_DIR/w")" -eq 1 ]
        [[ "${lines[0]}" == NAME*DATA*AGE ]]
}

@test "a watch reports an object leaving its selector as DELETED" {
        bg "$KL_TEST_DIR/w" kubectl get cm -l app=x -w --output-watch-events
        sleep 1
        kubectl create cm moving >/dev/null
        kubectl label cm moving app=x >/dev/null
        kl_wait_for 10 file_has "$KL_TEST_DIR/w" '^ADDED *moving'
        kubectl label cm moving app=y --overwrite >/dev/null
        kl_wait_for 10 file_has "$KL_TEST_DIR/w" '^DELETED *moving'
        kubectl label cm moving app=x --overwrite >/dev/null
        kl_wait_for 10 test "$(grep -c '^ADDED *moving' "$KL_TEST_DIR/w")" -eq 2
}

@test "get NAME -w shows the object once, then its changes" {
        kubectl create cm one >/dev/null
        kubectl create cm other >/dev/null
        bg "$KL_TEST_DIR/w" kubectl get cm one -w -o name
        kl_wait_for 10 file_has "$KL_TEST_DIR/w" 'configmap/one'
        kubectl label cm other x=y >/dev/null
        kubectl label cm one x=y >/dev/null
        kl_wait_for 10 test "$(grep -c 'configmap/one' "$KL_TEST_DIR/w")" -eq 2
        ! grep -q other "$KL_TEST_DIR/w"
}

@test "watch: bookmarks when allowed, timeoutSeconds ends the stream, 410 for a too old revision" {
        kubectl create cm a >/dev/null
        run timeout 15 kubectl get --raw '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=3'
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == '{"type":"ADDED","object":{'*'"name":"a"'* ]]
        kl_assert_contains "$output" '{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"'

        run timeout 15 kubectl get --raw '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1'
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 ('* ]]
        kl_assert_contains "$output" '"reason":"Expired","code":410}}'
}

@test "wait --for=jsonpath and --for=delete, rollout status follow the object" {
        kubectl create deployment web --image=nginx >/dev/null
        bg "$KL_TEST_DIR/wait" kubectl wait --for=jsonpath='{.status.readyReplicas}'=1 deploy/web --timeout=15s
        bg "$KL_TEST_DIR/rollout" kubectl rollout status deploy/web --timeout=15s
        sleep 1
        kubectl patch deploy web --subresource=status --type=merge \
                -p '{"status":{"observedGeneration":1,"replicas":1,"updatedReplicas":1,"availableReplicas":1,"readyReplicas":1}}' >/dev/null
        kl_wait_for 10 file_has "$KL_TEST_DIR/wait" 'deployment.apps/web condition met'
        kl_wait_for 10 file_has "$KL_TEST_DIR/rollout" 'deployment "web" successfully rolled out'

        kubectl create cm doomed >/dev/null
        bg "$KL_TEST_DIR/del" kubectl wait --for=delete cm/doomed --timeout=15s
        sleep 1
        kubectl delete cm doomed >/dev/null
        kl_wait_for 10 file_has "$KL_TEST_DIR/del" 'configmap/doomed condition met'
        run kubectl wait --for=delete cm/never-existed --timeout=2s
        [ "$status" -eq 0 ]
        run kubectl wait --for=jsonpath='{.data.x}'=y cm/never-existed --timeout=1s
        [ "$status" -ne 0 ]
}

@test "explain walks our OpenAPI schemas" {
        run kubectl explain pods.spec.containers
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "KIND:       Pod" ]
        [ "${lines[1]}" = "VERSION:    v1" ]
        kl_assert_contains "$output" "FIELD: containers <[]Container>"
        kl_assert_contains "$output" "DESCRIPTION:"
        kl_assert_contains "$output" "FIELDS:"
        echo "$output" | grep -qE '^  name	<string> -required-'
        echo "$output" | grep -qE '^  image	<string>'
        run kubectl explain deployment.spec
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "GROUP:      apps" ]
        [ "${lines[1]}" = "KIND:       Deployment" ]
        kl_assert_contains "$output" "FIELD: spec <DeploymentSpec>"
        echo "$output" | grep -qE '^  template	<PodTemplateSpec> -required-'
        echo "$output" | grep -qE '^  strategy	<DeploymentStrategy>'
}

@test "client-side apply computes strategic merge patches from our schemas" {
        cat >"$KL_TEST_DIR/d.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: a
        image: nginx:1
        env: [{name: FOO, value: "1"}, {name: BAR, value: "2"}]
      - name: b
        image: busybox
EOF
        run kubectl apply -f "$KL_TEST_DIR/d.yaml"
        [ "$output" = "deployment.apps/web created" ]
        run kubectl apply -f "$KL_TEST_DIR/d.yaml"
        [ "$output" = "deployment.apps/web unchanged" ]
        sed -i -e 's/nginx:1/nginx:2/' -e 's/, {name: BAR, value: "2"}//' -e '/name: b/,$d' "$KL_TEST_DIR/d.yaml"
        run kubectl apply -f "$KL_TEST_DIR/d.yaml"
        [ "$output" = "deployment.apps/web configured" ] # no "error calculating patch" warning
        run kubectl apply -f "$KL_TEST_DIR/d.yaml"
        [ "$output" = "deployment.apps/web unchanged" ]
        run kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[*].name}'
        [ "$output" = "a nginx:2 FOO" ]
}

@test "SIGTERM with reads in flight and watches open exits cleanly" {
        for i in 1 2 3; do kubectl create cm "c$i" >/dev/null; done
        rv=$(kubectl get cm c1 -o jsonpath='{.metadata.resourceVersion}')
        token=$(kubectl get --raw '/api/v1/namespaces/default/configmaps?limit=1' | json_get 'd["metadata"]["continue"]')
        kubectl delete cm c3 >/dev/null
        kubectl get --raw "/api/v1/namespaces/default/configmaps?limit=1&continue=$token" >/dev/null
        kubectl get --raw "/api/v1/namespaces/default/configmaps?resourceVersion=$rv&resourceVersionMatch=Exact" >/dev/null
        bg "$KL_TEST_DIR/w1" kubectl get cm -w
        bg "$KL_TEST_DIR/w2" kubectl get --raw '/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true'
        bg "$KL_TEST_DIR/g" kubectl get --raw '/api/v1/namespaces/default/configmaps/c1?resourceVersion=999999'
        kl_wait_for 10 file_has "$KL_TEST_DIR/w1" '^c1'
        kl_server_stop
}
