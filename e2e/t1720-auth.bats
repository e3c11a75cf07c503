#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t1720: `kubectl auth can-i`, `auth can-i --list` and `auth whoami` with the
# real kubectl (protobuf POSTs of SelfSubjectAccessReview,
# SelfSubjectRulesReview and SelfSubjectReview, kubectl-contract §20), as
# the admin of the written kubeconfig and as a node (a client certificate
# from the node-certificate endpoint, as t4000 gets one): the answers are
# the authorizer's that requests get. Also the review rows in discovery,
# that reviews are never stored, and that impersonation (`--as`), which
# kube-lite does not support, is refused instead of answered for the
# caller.

load lib/common
load lib/server

setup() {
        kl_server_setup --disable-controller-manager --disable-scheduler
}

teardown() {
        kl_server_teardown
}

# node_kubeconfig NAME: $KL_TEST_DIR/node.yaml, a kubeconfig for node NAME
# with a certificate from the node-certificate endpoint.
node_kubeconfig() {
        local token
        token=$("$KL_BIN" token create --kubeconfig "$KUBECONFIG")
        token=${token#*::}
        curl -sfk -o "$KL_TEST_DIR/nc.json" -H "Authorization: Bearer $token" \
                -H 'Content-Type: application/json' \
                -d "{\"nodeName\":\"$1\",\"nodePassword\":\"pw\"}" \
                "https://127.0.0.1:$KL_PORT/v1-kube-lite/node-certificate"
        python3 - "$KL_TEST_DIR" <<'PY'
import json, sys
d = sys.argv[1]
nc = json.load(open(d + "/nc.json"))
open(d + "/node.crt", "w").write(nc["certificate"])
open(d + "/node.key", "w").write(nc["key"])
PY
        cp "$KUBECONFIG" "$KL_TEST_DIR/node.yaml"
        local k=(--kubeconfig "$KL_TEST_DIR/node.yaml")
        kubectl config "${k[@]}" set-credentials node --embed-certs \
                --client-certificate="$KL_TEST_DIR/node.crt" --client-key="$KL_TEST_DIR/node.key" >/dev/null
        kubectl config "${k[@]}" set-context --current --user=node >/dev/null
}

@test "auth can-i as admin: yes, exit 0, for anything" {
        run kubectl auth can-i create pods
        [ "$status" -eq 0 ]
        [ "$output" = "yes" ]
        # Cluster-scoped: kubectl warns that the namespace is ignored, then answers.
        run kubectl auth can-i delete nodes
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "yes" ]
        run kubectl auth can-i get /metrics
        [ "$status" -eq 0 ]
        [ "$output" = "yes" ]
        run kubectl auth can-i '*' '*' --all-namespaces
        [ "$status" -eq 0 ]
        [ "$output" = "yes" ]
}

@test "auth can-i --list as admin shows the *.* rule" {
        run kubectl auth can-i --list
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^\*\.\* +\[\] +\[\] +\[\*\]$'
        echo "$output" | grep -qE '^ +\[\*\] +\[\] +\[\*\]$'
        echo "$output" | grep -qE '^selfsubjectaccessreviews\.authorization\.k8s\.io +\[\] +\[\] +\[create\]$'
}

@test "auth whoami prints the admin user and its groups" {
        run kubectl auth whoami
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^Username +system:admin$'
        echo "$output" | grep -qE '^Groups +\[system:masters system:authenticated\]$'
        run kubectl auth whoami -o jsonpath='{.kind} {.apiVersion} {.status.userInfo.username}'
        [ "$output" = "SelfSubjectReview authentication.k8s.io/v1 system:admin" ]
}

@test "a node sees what a kubelet may do, and nothing else" {
        node_kubeconfig box-1
        local k=(--kubeconfig "$KL_TEST_DIR/node.yaml")
        run kubectl "${k[@]}" auth whoami
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^Username +system:node:box-1$'
        echo "$output" | grep -qE '^Groups +\[system:nodes system:authenticated\]$'
        run kubectl "${k[@]}" auth can-i list pods --all-namespaces
        [ "$status" -eq 0 ]
        [ "$output" = "yes" ]
        run kubectl "${k[@]}" auth can-i update nodes/status
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "yes" ]
        run kubectl "${k[@]}" auth can-i create pods
        [ "$status" -eq 1 ]
        [ "$output" = "no" ]
        run kubectl "${k[@]}" auth can-i update leases -n kube-node-lease
        [ "$output" = "yes" ]
        run kubectl "${k[@]}" auth can-i update leases -n default
        [ "$output" = "no" ]
        # The answers are the requests' answers.
        run kubectl "${k[@]}" create configmap x
        kl_assert_contains "$output" 'cannot create resource "configmaps"'
        run kubectl "${k[@]}" auth can-i --list -n kube-node-lease
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^nodes/status +\[\] +\[\] +\[get update patch\]$'
        echo "$output" | grep -qE '^leases\.coordination\.k8s\.io +\[\] +\[\] +\[get list watch create update patch delete\]$'
        [ "$(echo "$output" | grep -c '^\*\.\*')" -eq 0 ]
        run kubectl "${k[@]}" auth can-i --list -n default
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | grep -c '^leases')" -eq 0 ]
}

@test "the review kinds are in discovery with verbs [create] and cannot be read back" {
        run kubectl api-resources --api-group=authorization.k8s.io -o wide
        [ "$status" -eq 0 ]
        echo "$output" | grep -qE '^selfsubjectaccessreviews +authorization\.k8s\.io/v1 +false +SelfSubjectAccessReview +create *$'
        echo "$output" | grep -qE '^localsubjectaccessreviews +authorization\.k8s\.io/v1 +true +LocalSubjectAccessReview +create *$'
        run kubectl api-resources --api-group=authentication.k8s.io -o wide
        echo "$output" | grep -qE '^tokenreviews +authentication\.k8s\.io/v1 +false +TokenReview +create *$'
        run kubectl get --raw /apis/authorization.k8s.io/v1
        kl_assert_contains "$output" '"name":"subjectaccessreviews","singularName":"subjectaccessreview","namespaced":false,"kind":"SubjectAccessReview","verbs":["create"]'
        run kubectl get selfsubjectaccessreviews
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Error from server (MethodNotAllowed)'
}

@test "kubectl create of a SubjectAccessReview answers for the named user" {
        run kubectl create -o jsonpath='{.status.allowed}' -f - <<'YAML'
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: system:node:n1
  groups: [system:nodes]
  resourceAttributes: {verb: get, resource: nodes}
YAML
        [ "$status" -eq 0 ]
        [ "$output" = "true" ]
        run kubectl create -f - <<'YAML'
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  resourceAttributes: {verb: get, resource: nodes}
YAML
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'spec.user: Invalid value: "": at least one of user or group must be specified'
}

@test "impersonation is not supported: --as is refused, not answered for the caller" {
        run kubectl auth can-i create pods --as=bob
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'users "bob" is forbidden: User "system:admin" cannot impersonate resource "users"'
        [[ "$output" != *yes* ]]
}
