#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t1300: kinds served in more than one version, driven by the real kubectl:
# events.k8s.io/v1 Events are a view of core Events, autoscaling/v1
# HorizontalPodAutoscalers one of autoscaling/v2 (conversion in both
# directions, round-trip annotations), and pods/eviction against
# PodDisruptionBudgets.

load lib/common
load lib/server

# No controllers: the PodDisruptionBudget statuses below are set by hand (the
# disruption controller would recompute them) and the only Events are the tests'.
setup() {
        kl_server_setup --disable-controller-manager --disable-scheduler
}

teardown() {
        kl_server_teardown
}

# json_get EXPR: read JSON on stdin and print the Python expression over `d`.
json_get() {
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

core_event() {
        kubectl create -f - <<YAML
apiVersion: v1
kind: Event
metadata:
  name: $1
involvedObject:
  kind: Pod
  name: p1
  namespace: default
reason: Tested
message: hello from core
type: Normal
count: 3
source:
  component: t1300
YAML
}

@test "a core Event reads as events.k8s.io/v1 with regarding and note" {
        core_event ev1
        run kubectl get events.v1.events.k8s.io ev1 -o yaml
        [ "$status" -eq 0 ]
        echo "$output" | grep -q '^apiVersion: events.k8s.io/v1'
        echo "$output" | grep -q '^note: hello from core'
        echo "$output" | grep -q '^regarding:'
        echo "$output" | grep -q '^deprecatedCount: 3'
        echo "$output" | grep -q 'component: t1300'
        ! echo "$output" | grep -q '^message:'

        run kubectl get events.v1.events.k8s.io -o json
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | json_get 'd["items"][0]["note"]')" = "hello from core" ]
        [ "$(echo "$output" | json_get 'd["items"][0]["apiVersion"]')" = "events.k8s.io/v1" ]

        run kubectl get events.v1.events.k8s.io nope
        [ "$status" -ne 0 ]
        [ "$output" = 'Error from server (NotFound): events.events.k8s.io "nope" not found' ]

        # The core view is untouched.
        run kubectl get events.v1. ev1 -o jsonpath='{.message}'
        [ "$output" = "hello from core" ]
}

@test "an events.k8s.io/v1 Event written through the view is a core Event" {
        kubectl create -f - <<'YAML'
apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: ev2
eventTime: "2024-01-01T00:00:00.000000Z"
regarding:
  kind: Pod
  name: p2
  namespace: default
reason: Tested
note: written as events.k8s.io
type: Warning
action: Testing
reportingController: t1300/controller
reportingInstance: t1300-1
YAML
        run kubectl get --raw /api/v1/namespaces/default/events/ev2
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | json_get 'd["message"]')" = "written as events.k8s.io" ]
        [ "$(echo "$output" | json_get 'd["involvedObject"]["name"]')" = "p2" ]
        [ "$(echo "$output" | json_get 'd["reportingComponent"]')" = "t1300/controller" ]

        # A merge patch through the view applies to the view's fields.
        kubectl patch events.v1.events.k8s.io ev2 --type=merge -p '{"note":"patched"}'
        run kubectl get --raw /api/v1/namespaces/default/events/ev2
        [ "$(echo "$output" | json_get 'd["message"]')" = "patched" ]
}

# kubectl's short-name expansion drops the version (`hpa.v1.autoscaling` asks for the
# preferred v2), so the versioned reads name the resource in full.
@test "kubectl autoscale: v1 shows targetCPUUtilizationPercentage, v2 the metric" {
        kubectl create deployment web --image=registry.k8s.io/pause:3.10 >/dev/null
        run kubectl autoscale deployment web --min=1 --max=3 --cpu-percent=50
        [ "$status" -eq 0 ]
        run kubectl get horizontalpodautoscalers.v1.autoscaling web -o yaml
        [ "$status" -eq 0 ]
        echo "$output" | grep -q '^apiVersion: autoscaling/v1'
        echo "$output" | grep -q 'targetCPUUtilizationPercentage: 50'
        run kubectl get horizontalpodautoscalers.v2.autoscaling web -o json
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | json_get 'd["spec"]["metrics"][0]["resource"]["name"]')" = cpu ]
        [ "$(echo "$output" | json_get 'd["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]')" = 50 ]
}

@test "an autoscaling/v1 HPA without a target gets cpu 80; extra v2 metrics round-trip" {
        kubectl create -f - <<'YAML'
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: h1
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  maxReplicas: 4
YAML
        run kubectl get horizontalpodautoscalers.v2.autoscaling h1 -o json
        [ "$(echo "$output" | json_get 'd["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]')" = 80 ]

        kubectl patch horizontalpodautoscalers.v2.autoscaling h1 --type=json -p '[{"op":"add","path":"/spec/metrics/-","value":{"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}}}]'
        run kubectl get horizontalpodautoscalers.v1.autoscaling h1 -o json
        [ "$(echo "$output" | json_get 'd["spec"]["targetCPUUtilizationPercentage"]')" = 80 ]
        [ "$(echo "$output" | json_get 'd["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"]')" = '[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]' ]

        # Updating through v1 keeps the other metric (it rides in the annotation).
        kubectl patch horizontalpodautoscalers.v1.autoscaling h1 --type=merge -p '{"spec":{"targetCPUUtilizationPercentage":60}}'
        run kubectl get horizontalpodautoscalers.v2.autoscaling h1 -o json
        [ "$(echo "$output" | json_get 'len(d["spec"]["metrics"])')" = 2 ]
        [ "$(echo "$output" | json_get 'd["spec"]["metrics"][0]["pods"]["metric"]["name"]')" = qps ]
        [ "$(echo "$output" | json_get 'd["spec"]["metrics"][1]["resource"]["target"]["averageUtilization"]')" = 60 ]
        [ "$(echo "$output" | json_get 'd["metadata"].get("annotations")')" = None ]
}

@test "a watch of autoscaling/v1 sees v1 objects" {
        kubectl create -f - <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: h2
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 2
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 33}}
YAML
        run timeout 10 kubectl get --raw '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?watch=true&timeoutSeconds=1'
        echo "$output" | head -1 | json_get 'd["object"]["apiVersion"]' | grep -qx autoscaling/v1
        [ "$(echo "$output" | head -1 | json_get 'd["object"]["spec"]["targetCPUUtilizationPercentage"]')" = 33 ]
}

# running_pod NAME: a pod with app=a that reports Running and Ready.
running_pod() {
        kubectl run "$1" --image=registry.k8s.io/pause:3.10 --labels=app=a >/dev/null
        kubectl patch pod "$1" --subresource=status --type=merge \
                -p '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
}

# pdb NAME ALLOWED [OBSERVED_GENERATION]: a budget over app=a with a status set by hand.
pdb() {
        kubectl create pdb "$1" --selector=app=a --min-available=1 >/dev/null
        kubectl patch pdb "$1" --subresource=status --type=merge -p "{\"status\":{\"observedGeneration\":${3:-1},\"disruptionsAllowed\":$2,\"currentHealthy\":1,\"desiredHealthy\":1,\"expectedPods\":1}}" >/dev/null
}

# evict POD: POST a policy/v1 Eviction; the response body and errors in $output.
evict() {
        printf '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"%s","namespace":"default"}}' "$1" >"$KL_TEST_DIR/eviction.json"
        run kubectl create --raw "/api/v1/namespaces/default/pods/$1/eviction" -f "$KL_TEST_DIR/eviction.json" -v8
}

@test "eviction of a pod whose budget allows no disruption is 429 with the budget's cause" {
        running_pod p1
        pdb b1 0
        evict p1
        [ "$status" -ne 0 ]
        echo "$output" | grep -q 'Response Status: 429 Too Many Requests'
        echo "$output" | grep -q "Cannot evict pod as it would violate the pod's disruption budget."
        echo "$output" | grep -q '"causes":\[{"reason":"DisruptionBudget","message":"The disruption budget b1 needs 1 healthy pods and has 1 currently"}\]'
        kubectl get pod p1 >/dev/null
}

@test "eviction spends one disruption, records the pod in disruptedPods, and deletes it" {
        running_pod p1
        pdb b1 1
        evict p1
        [ "$status" -eq 0 ]
        echo "$output" | grep -q '"status":"Success","code":201'
        run kubectl get pod p1
        [ "$status" -ne 0 ]
        run kubectl get pdb b1 -o json
        [ "$(echo "$output" | json_get 'd["status"]["disruptionsAllowed"]')" = 0 ]
        [ "$(echo "$output" | json_get '"p1" in d["status"]["disruptedPods"]')" = True ]
        [ "$(echo "$output" | json_get '[(c["status"], c["reason"]) for c in d["status"]["conditions"] if c["type"] == "DisruptionAllowed"][0]')" = "('False', 'InsufficientPods')" ]

        # The budget is spent: the next pod is refused.
        running_pod p2
        evict p2
        echo "$output" | grep -q 'Response Status: 429'
}

@test "a budget whose status is behind its generation refuses with 429 still being processed" {
        running_pod p1
        pdb b1 1 0
        evict p1
        echo "$output" | grep -q 'Response Status: 429'
        echo "$output" | grep -q 'The disruption budget b1 is still being processed by the server.'
}

@test "two budgets over one pod are a 500" {
        running_pod p1
        pdb b1 1
        pdb b2 1
        evict p1
        echo "$output" | grep -q 'Response Status: 500'
        echo "$output" | grep -q 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'
}

@test "pending pods and pods no budget selects are evicted without a budget" {
        kubectl run pending --image=registry.k8s.io/pause:3.10 --labels=app=a >/dev/null
        running_pod other
        kubectl label pod other app=b --overwrite >/dev/null
        pdb b1 0
        evict pending
        [ "$status" -eq 0 ]
        evict other
        [ "$status" -eq 0 ]
        [ "$(kubectl get pdb b1 -o jsonpath='{.status.disruptionsAllowed}')" = 0 ]
        run kubectl get pods -o name
        [ -z "$output" ]
}

# Server-side apply through autoscaling/v1 runs in v1 (as upstream's field manager):
# the Apply entries keep apiVersion autoscaling/v1, a conflict with another v1
# applier names the v1 path, one with a manager that wrote through v2 the v2 path.
@test "apply --server-side of an autoscaling/v1 HPA: conflicts in each manager's version, --force-conflicts" {
        cat >"$KL_TEST_DIR/hpa-v1.yaml" <<'YAML'
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  targetCPUUtilizationPercentage: 50
YAML
        run kubectl apply --server-side -f "$KL_TEST_DIR/hpa-v1.yaml"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'horizontalpodautoscaler.autoscaling/web serverside-applied'
        run kubectl get horizontalpodautoscalers.v1.autoscaling web -o jsonpath='{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation} {.metadata.managedFields[0].apiVersion} {.metadata.resourceVersion}'
        [ "${output% *}" = "kubectl Apply autoscaling/v1" ]
        rv=${output##* }
        run kubectl get horizontalpodautoscalers.v1.autoscaling web -o jsonpath='{.metadata.managedFields[0].fieldsV1}'
        kl_assert_contains "$output" '"f:targetCPUUtilizationPercentage":{}'

        # Unchanged: no write.
        run kubectl apply --server-side -f "$KL_TEST_DIR/hpa-v1.yaml"
        [ "$status" -eq 0 ]
        run kubectl get horizontalpodautoscalers.v1.autoscaling web -o jsonpath='{.metadata.resourceVersion}'
        [ "$output" = "$rv" ]

        # Another v1 applier: the conflict names the v1 field; forced, it moves.
        sed 's/maxReplicas: 3/maxReplicas: 5/' "$KL_TEST_DIR/hpa-v1.yaml" >"$KL_TEST_DIR/hpa-other.yaml"
        run kubectl apply --server-side --field-manager=other -f "$KL_TEST_DIR/hpa-other.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Apply failed with 1 conflict: conflict with "kubectl": .spec.maxReplicas'
        kl_assert_contains "$output" 'force-conflicts'
        run kubectl apply --server-side --field-manager=other --force-conflicts -f "$KL_TEST_DIR/hpa-other.yaml"
        [ "$status" -eq 0 ]
        run kubectl get horizontalpodautoscalers.v1.autoscaling web -o json --show-managed-fields
        [ "$(echo "$output" | json_get 'd["spec"]["maxReplicas"]')" = 5 ]
        [ "$(echo "$output" | json_get 'd["spec"]["targetCPUUtilizationPercentage"]')" = 50 ]
        [ "$(echo "$output" | json_get '[m["manager"] for m in d["metadata"]["managedFields"] if "f:maxReplicas" in m["fieldsV1"]["f:spec"]]')" = "['other']" ]

        # A manager that writes through v2 owns spec.metrics there.
        kubectl patch horizontalpodautoscalers.v2.autoscaling web --type=merge \
                -p '{"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]}}'
        run kubectl apply --server-side -f "$KL_TEST_DIR/hpa-v1.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Apply failed with 2 conflicts: conflicts with "kubectl-patch" using autoscaling/v2:'
        kl_assert_contains "$output" '- .spec.metrics'
        kl_assert_contains "$output" 'conflicts with "other":'
        kl_assert_contains "$output" '- .spec.maxReplicas'
        run kubectl apply --server-side --force-conflicts -f "$KL_TEST_DIR/hpa-v1.yaml"
        [ "$status" -eq 0 ]

        # Both versions read the same values; `hpa` is the preferred v2.
        run kubectl get hpa web -o yaml
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'apiVersion: autoscaling/v2'
        kl_assert_contains "$output" 'maxReplicas: 3'
        kl_assert_contains "$output" 'averageUtilization: 50'
        run kubectl get horizontalpodautoscalers.v1.autoscaling web -o yaml
        kl_assert_contains "$output" 'apiVersion: autoscaling/v1'
        kl_assert_contains "$output" 'maxReplicas: 3'
        kl_assert_contains "$output" 'targetCPUUtilizationPercentage: 50'
        run kubectl get horizontalpodautoscalers.v2.autoscaling web -o json --show-managed-fields
        [ "$(echo "$output" | json_get 'len(d["spec"]["metrics"])')" = 1 ]
        # The forced apply took spec.metrics from kubectl-patch, its only field.
        [ "$(echo "$output" | json_get 'sorted(m["manager"] + " " + m["apiVersion"] for m in d["metadata"]["managedFields"])')" = "['kubectl autoscaling/v1', 'other autoscaling/v1']" ]
}
