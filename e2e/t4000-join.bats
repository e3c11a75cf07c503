#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t4000: joining a node, the server's half (issue 7 item 1): `kube-lite token
# create|list|delete` against a real server, the K10 token's CA hash, /cacerts
# without credentials, bootstrap-token authentication, the node-certificate
# endpoint with its node password, and what a node's certificate may do.

load lib/common
load lib/server

setup() {
        kl_server_setup
}

teardown() {
        kl_teardown
}

kl_token() {
        "$KL_BIN" token "$@" --kubeconfig "$KUBECONFIG"
}

# node_cert TOKEN NAME PASSWORD: POST to the node-certificate endpoint; the
# body goes to $KL_TEST_DIR/nc.json, the HTTP status to stdout.
node_cert() {
        curl -sk -o "$KL_TEST_DIR/nc.json" -w '%{http_code}' -H "Authorization: Bearer $1" \
                -H 'Content-Type: application/json' \
                -d "{\"nodeName\":\"$2\",\"nodePassword\":\"$3\"}" \
                "https://127.0.0.1:$KL_PORT/v1-kube-lite/node-certificate"
}

@test "token create prints K10<hash of the server CA>::<id>.<secret>" {
        run kl_token create
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})$ ]]
        local hash=${BASH_REMATCH[1]} id=${BASH_REMATCH[2]}
        # The same hash as the CA the server hands out unauthenticated.
        run bash -c "curl -sk https://127.0.0.1:$KL_PORT/cacerts | openssl x509 -outform der | sha256sum"
        [ "${output%% *}" = "$hash" ]
        # Stored as kubeadm stores it.
        run kubectl -n kube-system get secret "bootstrap-token-$id" -o jsonpath='{.type}'
        [ "$output" = "bootstrap.kubernetes.io/token" ]
        run kubectl -n kube-system get secret "bootstrap-token-$id" -o jsonpath='{.data.token-id}'
        [ "$(echo "$output" | base64 -d)" = "$id" ]
        run kubectl -n kube-system get secret "bootstrap-token-$id" \
                -o jsonpath='{.data.usage-bootstrap-authentication}'
        [ "$(echo "$output" | base64 -d)" = "true" ]
        run kubectl -n kube-system get secret "bootstrap-token-$id" -o jsonpath='{.data.auth-extra-groups}'
        [ "$(echo "$output" | base64 -d)" = "system:bootstrappers:kube-lite:default-node-token" ]
        run kubectl -n kube-system get secret "bootstrap-token-$id" -o jsonpath='{.data.expiration}'
        [[ "$(echo "$output" | base64 -d)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
}

@test "cacerts answers without credentials, the API does not" {
        run curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$KL_PORT/cacerts"
        [ "$output" = "200" ]
        run curl -sk "https://127.0.0.1:$KL_PORT/cacerts"
        kl_assert_contains "$output" "-----BEGIN CERTIFICATE-----"
        run curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$KL_PORT/api/v1/nodes"
        [ "$output" = "401" ]
}

@test "token list shows ids masked, TTL, expiry, usages and description" {
        run kl_token create --description "for the lab" --ttl 2h
        [ "$status" -eq 0 ]
        local id=${output#*::}
        id=${id%%.*}
        run kl_token create --ttl 0
        [ "$status" -eq 0 ]
        local full=${output#*::}
        local forever=${full%%.*}
        run kl_token list
        [ "$status" -eq 0 ]
        echo "$output"
        [[ "${lines[0]}" =~ ^TOKEN\ +TTL\ +EXPIRES\ +USAGES\ +DESCRIPTION\ +EXTRA\ GROUPS$ ]]
        echo "$output" | grep -qE "^$id\.\*{16} +1h +[0-9T:-]+Z +authentication,signing +for the lab +system:bootstrappers:kube-lite:default-node-token$"
        echo "$output" | grep -qE "^$forever\.\*{16} +<forever> +<never> +authentication,signing +<none> +"
        # The secret never appears.
        [[ "$output" != *"$full"* ]]
}

@test "token delete removes the Secret and the token stops authenticating" {
        run kl_token create
        local token=${output#*::}
        local id=${token%%.*}
        run node_cert "$token" box-1 pw
        [ "$output" = "200" ]
        run kl_token delete "$id"
        [ "$status" -eq 0 ]
        [ "$output" = "bootstrap token \"$id\" deleted" ]
        run kubectl -n kube-system get secret "bootstrap-token-$id"
        [ "$status" -ne 0 ]
        run node_cert "$token" box-1 pw
        [ "$output" = "401" ]
        run kl_token delete "$id"
        [ "$status" -eq 1 ]
        kl_assert_contains "$output" "bootstrap token \"$id\" not found"
        run kl_token delete NOT-AN-ID
        [ "$status" -eq 2 ]
}

@test "a bootstrap token gets a node certificate the server accepts for kubelet work only" {
        run kl_token create
        local token=${output#*::}
        run node_cert "$token" box-1 secret-pw
        [ "$output" = "200" ]
        python3 - "$KL_TEST_DIR" <<'PY'
import json, sys
d = sys.argv[1]
nc = json.load(open(d + "/nc.json"))
open(d + "/node.crt", "w").write(nc["certificate"])
open(d + "/node.key", "w").write(nc["key"])
PY
        run openssl x509 -in "$KL_TEST_DIR/node.crt" -noout -subject
        kl_assert_contains "$output" "O = system:nodes, CN = system:node:box-1"
        local c=(--cert "$KL_TEST_DIR/node.crt" --key "$KL_TEST_DIR/node.key")
        run curl -sk "${c[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$KL_PORT/api/v1/nodes"
        [ "$output" = "200" ]
        run curl -sk "${c[@]}" "https://127.0.0.1:$KL_PORT/apis/apps/v1/namespaces/default/deployments"
        kl_assert_contains "$output" 'deployments.apps is forbidden: User \"system:node:box-1\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"default\"'
        kl_assert_contains "$output" '"code":403'
        # The bootstrap identity itself may not touch the API.
        run curl -sk -H "Authorization: Bearer $token" "https://127.0.0.1:$KL_PORT/api/v1/nodes"
        kl_assert_contains "$output" 'User \"system:bootstrap:'
        kl_assert_contains "$output" '"code":403'
}

@test "a second box cannot take over a node name: the node password must match" {
        run kl_token create
        local token=${output#*::}
        run node_cert "$token" box-2 first
        [ "$output" = "200" ]
        run node_cert "$token" box-2 second
        [ "$output" = "403" ]
        run cat "$KL_TEST_DIR/nc.json"
        kl_assert_contains "$output" '"message":"node password mismatch"'
        run node_cert "$token" box-2 first
        [ "$output" = "200" ]
        run kubectl -n kube-system get secret box-2.node-password.kube-lite -o jsonpath='{.type}'
        [ "$output" = "kube-lite.io/node-password" ]
}
