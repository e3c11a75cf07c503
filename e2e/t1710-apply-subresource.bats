#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t1710: server-side apply to the status and scale subresources, driven by
# the real kubectl (`kubectl apply --server-side --subresource=status`):
# field ownership of status fields with subresource "status"; and the
# Scale's spec.replicas shared with the Deployment's owners (upstream's
# scale handler): conflicts, force, the managedFields left. kubectl 1.32
# cannot send a Scale manifest (its mapper has no kind Scale: "no matches
# for kind Scale in version autoscaling/v1"), so /scale is applied with
# curl and the kubeconfig's client certificate. Also the PatchOptions rules
# every apply client meets first (a manager is required; force only with
# apply; 128 printable bytes at most).

load lib/common
load lib/server

# No controllers: the deployment controller would rewrite the status applied here.
setup() {
        kl_server_setup --disable-controller-manager --disable-scheduler
}

teardown() {
        kl_server_teardown
}

# managed MANAGER SUBRESOURCE: "OPERATION FIELDS" of that managedFields entry.
managed() {
        kubectl get deploy web -o json --show-managed-fields | python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in d["metadata"].get("managedFields", []):
    if e["manager"] == sys.argv[1] and e.get("subresource", "") == sys.argv[2]:
        print(e["operation"], json.dumps(e["fieldsV1"], sort_keys=True, separators=(",", ":")))
' "$1" "$2"
}

# api_patch CONTENT-TYPE PATH?QUERY FILE: a PATCH as curl sends it, with the
# kubeconfig's client certificate; prints the body, fails on non-2xx.
api_patch() {
        local u=users[0].user
        kubectl config view --raw -o jsonpath="{.$u.client-certificate-data}" |
                base64 -d >"$KL_TEST_DIR/cert.pem"
        kubectl config view --raw -o jsonpath="{.$u.client-key-data}" | base64 -d >"$KL_TEST_DIR/key.pem"
        curl -sSk --fail-with-body --cert "$KL_TEST_DIR/cert.pem" --key "$KL_TEST_DIR/key.pem" \
                -X PATCH -H "Content-Type: $1" --data-binary "@$3" "https://127.0.0.1:$KL_PORT$2"
}

# apply_scale MANAGER FORCE FILE: apply FILE to deployments/web/scale.
apply_scale() {
        api_patch application/apply-patch+yaml \
                "/apis/apps/v1/namespaces/default/deployments/web/scale?fieldManager=$1&force=$2" "$3"
}

deployment() {
        kl_deployment_yaml "$1" nginx "" | kubectl apply --server-side -f -
}

@test "apply --subresource=status: status ownership, conflicts, --force-conflicts" {
        deployment 3
        cat >"$KL_TEST_DIR/status.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
status: {replicas: 3, readyReplicas: 2}
YAML
        run kubectl apply --server-side --subresource=status --field-manager=ctl-a -f "$KL_TEST_DIR/status.yaml"
        [ "$status" -eq 0 ]
        run kubectl get deploy web -o jsonpath='{.status.readyReplicas}'
        [ "$output" = "2" ]
        run managed ctl-a status
        [ "$output" = 'Apply {"f:status":{"f:readyReplicas":{},"f:replicas":{}}}' ]

        sed -i 's/readyReplicas: 2/readyReplicas: 1/' "$KL_TEST_DIR/status.yaml"
        run kubectl apply --server-side --subresource=status --field-manager=ctl-b -f "$KL_TEST_DIR/status.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Apply failed with 1 conflict: conflict with "ctl-a" with subresource "status": .status.readyReplicas'
        run kubectl apply --server-side --subresource=status --field-manager=ctl-b --force-conflicts -f "$KL_TEST_DIR/status.yaml"
        [ "$status" -eq 0 ]
        run kubectl get deploy web -o jsonpath='{.status.readyReplicas}'
        [ "$output" = "1" ]
        run managed ctl-a status
        [ "$output" = 'Apply {"f:status":{"f:replicas":{}}}' ]

        # The Deployment's own applier never conflicts with status appliers.
        run deployment 3
        [ "$status" -eq 0 ]
}

@test "apply to /scale: conflicts with the owner of spec.replicas, force takes it" {
        deployment 3
        cat >"$KL_TEST_DIR/scale.yaml" <<'YAML'
apiVersion: autoscaling/v1
kind: Scale
metadata: {name: web}
spec: {replicas: 5}
YAML
        run apply_scale scaler false "$KL_TEST_DIR/scale.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" '"code":409'
        kl_assert_contains "$output" 'Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas'
        run kubectl get deploy web -o jsonpath='{.spec.replicas}'
        [ "$output" = "3" ]
        run apply_scale scaler true "$KL_TEST_DIR/scale.yaml"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" '"kind":"Scale"'
        run kubectl get deploy web -o jsonpath='{.spec.replicas}'
        [ "$output" = "5" ]
        run managed scaler scale
        [ "$output" = 'Apply {"f:spec":{"f:replicas":{}}}' ]
        run managed kubectl ""
        kl_assert_contains "$output" '"f:selector"'
        [[ "$output" != *'"f:replicas"'* ]]

        run deployment 3
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'conflict with "scaler" with subresource "scale": .spec.replicas'
}

@test "what every apply client meets first: PatchOptions, the version, no managedFields" {
        deployment 3
        echo '{"spec":{"replicas":2}}' >"$KL_TEST_DIR/patch.json"
        local path=/apis/apps/v1/namespaces/default/deployments/web
        run api_patch application/apply-patch+yaml "$path" "$KL_TEST_DIR/patch.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" '"code":422'
        kl_assert_contains "$output" 'PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch'
        kl_assert_contains "$output" '"field":"fieldManager"'
        run api_patch application/merge-patch+json "$path?force=true" "$KL_TEST_DIR/patch.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'force: Forbidden: may not be specified for non-apply patch'
        run api_patch application/merge-patch+json "$path?fieldManager=$(printf 'm%.0s' {1..129})" "$KL_TEST_DIR/patch.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'fieldManager: Too long: may not be more than 128 bytes'
        run api_patch application/merge-patch+json "$path?fieldManager=a%09b" "$KL_TEST_DIR/patch.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'fieldManager[1]: Invalid value: \"a\\tb\": all characters must be printable'
        # The applied configuration is of the request's version, without managedFields.
        printf 'apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n' >"$KL_TEST_DIR/old.yaml"
        run api_patch application/apply-patch+yaml "$path?fieldManager=ops" "$KL_TEST_DIR/old.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" '"code":400'
        kl_assert_contains "$output" 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta2, expected: apps/v1'
        printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, managedFields: []}\n' >"$KL_TEST_DIR/mf.yaml"
        run api_patch application/apply-patch+yaml "$path?fieldManager=ops" "$KL_TEST_DIR/mf.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'metadata.managedFields must be nil'
        # None of them touched the object.
        run kubectl get deploy web -o jsonpath='{.spec.replicas}'
        [ "$output" = "3" ]
        run api_patch application/merge-patch+json "$path?fieldManager=ops" "$KL_TEST_DIR/patch.json"
        [ "$status" -eq 0 ]
        run kubectl get deploy web -o jsonpath='{.spec.replicas}'
        [ "$output" = "2" ]
}
