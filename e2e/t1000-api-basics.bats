#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t1000: `kube-lite server` driven only by the real kubectl: start-up,
# discovery, authentication, CRUD, errors worded as upstream, watch, patches.

load lib/common
load lib/server

setup() {
        kl_server_setup
}

teardown() {
        kl_server_teardown
}

@test "kubectl version shows the server, no skew warning" {
        run kubectl version
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "Server Version: v1.32"
        [[ "$output" != *WARNING* ]]
}

@test "health endpoints answer without credentials, the API does not" {
        run curl -sk "https://127.0.0.1:$KL_PORT/readyz"
        [ "$output" = "ok" ]
        run curl -sk "https://127.0.0.1:$KL_PORT/api/v1/namespaces"
        kl_assert_contains "$output" '"reason":"Unauthorized"'
        kl_assert_contains "$output" '"code":401'
}

@test "api-resources and api-versions come from discovery" {
        run kubectl api-resources
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^deployments +deploy +apps/v1 +true +Deployment'
        echo "$output" | grep -qE '^pods +po +v1 +true +Pod'
        run kubectl api-versions
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "apps/v1"
        [ "${lines[-1]}" = "v1" ]
        # The legacy per-group-version lists (what older clients read).
        run kubectl get --raw /api/v1
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" '"kind":"APIResourceList"'
        kl_assert_contains "$output" '"name":"pods/log"'
        run kubectl get --raw /apis/apps/v1
        kl_assert_contains "$output" '"groupVersion":"apps/v1"'
}

@test "cluster-info names the control plane" {
        run kubectl cluster-info
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "Kubernetes control plane is running at https://127.0.0.1:$KL_PORT"
}

@test "default namespaces exist" {
        run kubectl get ns -o name
        [ "$status" -eq 0 ]
        for ns in default kube-system kube-public kube-node-lease; do
                kl_assert_contains "$output" "namespace/$ns"
        done
}

@test "create -f multi-document YAML, get in every output, errors as upstream" {
        cat >"$KL_TEST_DIR/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: a, labels: {app: web}}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
data: {k: v, l: w}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
YAML
        run kubectl create -f "$KL_TEST_DIR/cm.yaml"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "configmap/a created"
        run kubectl create -f "$KL_TEST_DIR/cm.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Error from server (AlreadyExists): error when creating'
        kl_assert_contains "$output" 'configmaps "a" already exists'

        run kubectl get cm
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^NAME +DATA +AGE'
        echo "$output" | grep -qE '^b +2 +'
        run kubectl get cm --chunk-size=2 -o name
        [ "$output" = $'configmap/a\nconfigmap/b\nconfigmap/c' ]
        run kubectl get cm -l app=web -o name
        [ "$output" = "configmap/a" ]
        run kubectl get cm --field-selector metadata.name=b -o name
        [ "$output" = "configmap/b" ]
        run kubectl get cm a -o jsonpath='{.metadata.uid}/{.metadata.resourceVersion}'
        [[ "$output" =~ ^[0-9a-f-]{36}/[0-9]+$ ]]
        run kubectl get cm a -o yaml
        kl_assert_contains "$output" "creationTimestamp:"
        run kubectl get cm -A
        echo "$output" | grep -qE '^default +a +1 +'
        run kubectl get cm nope
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Error from server (NotFound): configmaps "nope" not found'
        run kubectl delete cm a
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'configmap "a" deleted'
        run kubectl get cm a
        [ "$status" -ne 0 ]
}

@test "protobuf bodies: create configmap, namespace, deployment" {
        run kubectl create configmap p --from-literal=x=y
        [ "$status" -eq 0 ]
        run kubectl create namespace other
        [ "$status" -eq 0 ]
        run kubectl create deployment web --image=nginx --replicas=2
        [ "$status" -eq 0 ]
        run kubectl get deploy web -o jsonpath='{.spec.replicas} {.metadata.generation}'
        [ "$output" = "2 1" ]
        run kubectl get deploy
        # No node runs the pods: none ready or available, whatever the controllers did.
        echo "$output" | grep -qE '^web +0/2 +[0-2] +0 +'
        run kubectl create configmap q --from-literal=x=y -n nowhere
        kl_assert_contains "$output" 'namespaces "nowhere" not found'
}

@test "label, annotate, patch (merge, json, strategic), scale, apply" {
        kubectl create configmap w --from-literal=a=b
        run kubectl label cm w x=y
        kl_assert_contains "$output" "configmap/w labeled"
        run kubectl get cm w -o jsonpath='{.metadata.labels.x}'
        [ "$output" = "y" ]
        run kubectl label cm w x-
        kl_assert_contains "$output" "configmap/w unlabeled"
        run kubectl annotate cm w note=hello
        kl_assert_contains "$output" "configmap/w annotated"
        kubectl patch cm w --type merge -p '{"data":{"m":"1"}}'
        kubectl patch cm w --type json -p '[{"op":"add","path":"/data/j","value":"2"}]'
        run kubectl get cm w -o jsonpath='{.data.m}{.data.j}'
        [ "$output" = "12" ]
        kubectl create deployment d --image=nginx
        kubectl patch deploy d -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}'
        run kubectl get deploy d -o jsonpath='{.spec.template.spec.containers[0].image} {.metadata.generation}'
        [ "$output" = "nginx:1.27 2" ]
        run kubectl scale deploy d --replicas=3
        kl_assert_contains "$output" "deployment.apps/d scaled"
        run kubectl get deploy d -o jsonpath='{.spec.replicas}'
        [ "$output" = "3" ]

        cat >"$KL_TEST_DIR/app.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: applied}
data: {k: one}
YAML
        run kubectl apply -f "$KL_TEST_DIR/app.yaml"
        kl_assert_contains "$output" "configmap/applied created"
        sed -i 's/one/two/' "$KL_TEST_DIR/app.yaml"
        run kubectl apply -f "$KL_TEST_DIR/app.yaml"
        kl_assert_contains "$output" "configmap/applied configured"
        run kubectl apply -f "$KL_TEST_DIR/app.yaml"
        kl_assert_contains "$output" "configmap/applied unchanged"
}

@test "get -w shows additions, changes and deletions" {
        timeout 6 kubectl get cm --watch-only --output-watch-events -o json >"$KL_TEST_DIR/w.out" 2>&1 &
        local wpid=$!
        sleep 1
        kubectl create configmap ww --from-literal=a=b
        kubectl label cm ww x=y
        kubectl delete cm ww
        wait "$wpid" || true
        run cat "$KL_TEST_DIR/w.out"
        kl_assert_contains "$output" '"type":"ADDED"'
        kl_assert_contains "$output" '"type":"MODIFIED"'
        kl_assert_contains "$output" '"type":"DELETED"'
}

@test "a finalizer holds a deletion until it is removed" {
        kubectl create configmap fin --from-literal=a=b
        kubectl patch cm fin --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'
        run kubectl delete cm fin --wait=false
        [ "$status" -eq 0 ]
        run kubectl get cm fin -o jsonpath='{.metadata.deletionTimestamp}'
        [ -n "$output" ]
        kubectl patch cm fin --type merge -p '{"metadata":{"finalizers":null}}'
        run kubectl get cm fin
        [ "$status" -ne 0 ]
}

@test "delete namespace removes its contents" {
        kubectl create namespace gone
        kubectl create configmap x -n gone --from-literal=a=b
        run kubectl delete namespace gone
        [ "$status" -eq 0 ]
        run kubectl get cm -n gone -o name
        [ -z "$output" ]
}

@test "SIGTERM stops the server cleanly; a restart keeps objects and resourceVersions" {
        kubectl create configmap keep --from-literal=a=b
        local rv
        rv=$(kubectl get cm keep -o jsonpath='{.metadata.resourceVersion}')
        kill -TERM "$KL_SERVER_PID"
        wait "$KL_SERVER_PID"
        kl_server_start
        run kubectl get cm keep -o jsonpath='{.metadata.resourceVersion}'
        [ "$output" = "$rv" ]
        kubectl create configmap after --from-literal=a=b
}

@test "SIGTERM exits 0 after a clean shutdown" {
        local rc=0
        kill -TERM "$KL_SERVER_PID"
        wait "$KL_SERVER_PID" || rc=$?
        [ "$rc" -eq 0 ]
        run cat "$KL_TEST_DIR/server.log"
        kl_assert_contains "$output" "stopped"
}
