#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t2000: the scheduler and the controllers, driven by the real kubectl, on
# simulated nodes (`--fake-nodes`: Nodes whose kubelet only reports, see
# pkg/controllers/fakekubelet.c). Issue 5's acceptance scenarios.

load lib/common
load lib/server

setup() {
        kl_server_setup --fake-nodes 3 --node-monitor-grace-period 4s
        kl_wait_for 20 nodes_ready 3
}

teardown() {
        kl_server_teardown
}

# eventually SECONDS EXPR: retry the shell expression EXPR, evaluated anew
# each time (quote it so that its $(...) are not expanded at the call).
eventually() {
        local seconds=$1
        shift
        kl_wait_for "$seconds" eval "$*"
}

# node_ready NAME: the status of the node's Ready condition.
node_ready() {
        kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
}

# nodes_ready N: N nodes report Ready=True.
nodes_ready() {
        local n
        n=$(kubectl get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
                grep -c '^True$') || true
        [ "$n" -eq "$1" ]
}

# count_pods SELECTOR PHASE_OR_EMPTY: pods matching, not terminating.
count_pods() {
        kubectl get pods -l "$1" -o json | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
phase = sys.argv[1]
print(sum(1 for p in items if "deletionTimestamp" not in p["metadata"]
          and (not phase or p.get("status", {}).get("phase") == phase)))' "${2:-}"
}

# live_pods_on SELECTOR NODE: pods on NODE not marked for deletion.
live_pods_on() {
        kubectl get pods -l "$1" -o json | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
print(sum(1 for p in items if "deletionTimestamp" not in p["metadata"]
          and p["spec"].get("nodeName") == sys.argv[1]))' "$2"
}

deployment_yaml() {
        cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 10
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 3, maxUnavailable: 2}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "$1"}]
YAML
}

# images_of SELECTOR: the sorted set of images of the pods, one per line.
images_of() {
        kubectl get pods -l "$1" -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' |
                sort -u
}

@test "a Deployment of 10 rolls from a to b within maxSurge and maxUnavailable; undo returns to a" {
        deployment_yaml registry.local/web:a | kubectl apply -f -
        run kubectl rollout status deployment/web --timeout=60s
        [ "$status" -eq 0 ]
        [ "$(count_pods app=web Running)" -eq 10 ]
        [ "$(images_of app=web)" = "registry.local/web:a" ]

        # Every pod event of the rollout, replayed below: the sampling sees
        # every state the cluster went through, not only those a poll hits.
        kubectl get pods -l app=web --watch --output-watch-events -o json >"$KL_TEST_DIR/watch.json" &
        KL_PIDS+=($!)
        sleep 1
        kubectl set image deployment/web web=registry.local/web:b
        run kubectl rollout status deployment/web --timeout=60s
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'deployment "web" successfully rolled out'
        sleep 1
        kill "${KL_PIDS[-1]}"

        python3 - "$KL_TEST_DIR/watch.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
dec = json.JSONDecoder()
pods, i, events = {}, 0, 0
max_total, min_ready = 0, 10**9
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    ev, i = dec.raw_decode(text, i)
    events += 1
    p = ev["object"]
    name = p["metadata"]["name"]
    if ev["type"] == "DELETED" or "deletionTimestamp" in p["metadata"]:
        pods.pop(name, None)
    else:
        ready = any(c["type"] == "Ready" and c["status"] == "True"
                    for c in p.get("status", {}).get("conditions", []))
        pods[name] = ready
    if events < 10:
        continue  # the initial list, one pod at a time
    max_total = max(max_total, len(pods))
    min_ready = min(min_ready, sum(pods.values()))
print("events=%d max_total=%d min_ready=%d" % (events, max_total, min_ready))
assert events > 20, "the watch saw the rollout"
assert max_total <= 13, "maxSurge 3 exceeded: %d pods" % max_total
assert min_ready >= 8, "maxUnavailable 2 exceeded: %d ready" % min_ready
PY
        [ "$(images_of app=web)" = "registry.local/web:b" ]
        [ "$(count_pods app=web Running)" -eq 10 ]

        run kubectl rollout history deployment/web
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "REVISION"
        [ "$(kubectl get rs -l app=web --no-headers | wc -l)" -eq 2 ]

        kubectl rollout undo deployment/web
        run kubectl rollout status deployment/web --timeout=60s
        [ "$status" -eq 0 ]
        eventually 20 '[ "$(images_of app=web)" = registry.local/web:a ]'
        [ "$(count_pods app=web Running)" -eq 10 ]
        # The old ReplicaSet came back as revision 3, no third one was made.
        [ "$(kubectl get rs -l app=web --no-headers | wc -l)" -eq 2 ]
        run kubectl get deployment web -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}'
        [ "$output" = "3" ]
}

@test "a paused Deployment does not roll until resumed" {
        deployment_yaml registry.local/web:a | kubectl apply -f -
        kubectl rollout status deployment/web --timeout=60s
        kubectl rollout pause deployment/web
        kubectl set image deployment/web web=registry.local/web:b
        sleep 2
        [ "$(kubectl get rs -l app=web --no-headers | wc -l)" -eq 1 ]
        [ "$(images_of app=web)" = "registry.local/web:a" ]
        run kubectl get deployment web -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}'
        [ "$output" = "DeploymentPaused" ]
        kubectl rollout resume deployment/web
        run kubectl rollout status deployment/web --timeout=60s
        [ "$status" -eq 0 ]
        [ "$(images_of app=web)" = "registry.local/web:b" ]
}

@test "a Job with completions=5 parallelism=2 completes; a failing Job hits its backoffLimit" {
        kubectl apply -f - <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: ok}
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.local/busybox}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: bad}
spec:
  backoffLimit: 1
  template:
    metadata:
      annotations: {kube-lite.io/fake-exit-code: "2"}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.local/busybox}]
YAML
        run kubectl wait --for=condition=Complete job/ok --timeout=60s
        [ "$status" -eq 0 ]
        [ "$(kubectl get job ok -o jsonpath='{.status.succeeded}')" -eq 5 ]
        [ "$(count_pods job-name=ok Succeeded)" -eq 5 ]

        run kubectl wait --for=condition=Failed job/bad --timeout=90s
        [ "$status" -eq 0 ]
        run kubectl get job bad -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}'
        [ "$output" = "BackoffLimitExceeded" ]
        [ "$(kubectl get job bad -o jsonpath='{.status.failed}')" -eq 2 ]
        run kubectl get events --field-selector involvedObject.name=bad -o jsonpath='{.items[*].reason}'
        kl_assert_contains "$output" "BackoffLimitExceeded"
}

@test "a CronJob */1 creates a Job within 60 s" {
        kubectl create cronjob tick --image=registry.local/busybox --schedule='*/1 * * * *'
        eventually 70 '[ -n "$(kubectl get jobs -o name)" ]'
        run kubectl get jobs -o jsonpath='{.items[0].metadata.ownerReferences[0].name}'
        [ "$output" = "tick" ]
        eventually 20 '[ -n "$(kubectl get cronjob tick -o jsonpath={.status.lastScheduleTime})" ]'
}

@test "a StatefulSet of 3 creates web-0, web-1, web-2 in order, with PVCs bound by local-path" {
        kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: sts}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: sts}}
  template:
    metadata: {labels: {app: sts}}
    spec:
      containers:
      - name: c
        image: registry.local/nginx
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
YAML
        run kubectl rollout status statefulset/web --timeout=60s
        [ "$status" -eq 0 ]
        run kubectl get pods -l app=sts -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.creationTimestamp}{"\n"}{end}'
        [ "${#lines[@]}" -eq 3 ]
        # In order: each pod was created no earlier than the one before it.
        [ "$(printf '%s\n' "${lines[@]}" | sort -k2,2 -s | cut -d' ' -f1 | tr '\n' ' ')" = "web-0 web-1 web-2 " ]
        for i in 0 1 2; do
                eventually 20 "[ \"\$(kubectl get pvc data-web-$i -o jsonpath={.status.phase})\" = Bound ]"
        done
        run kubectl get storageclass local-path -o jsonpath='{.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}'
        [ "$output" = "true" ]
        [ "$(kubectl get pv --no-headers | wc -l)" -eq 3 ]
}

@test "a DaemonSet covers the nodes and skips a tainted one" {
        kubectl taint node fake-node-3 dedicated=db:NoSchedule
        kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: c, image: registry.local/agent}]
YAML
        run kubectl rollout status daemonset/agent --timeout=60s
        [ "$status" -eq 0 ]
        run kubectl get pods -l app=agent -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}'
        [ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "fake-node-1 fake-node-2 " ]
        [ "$(kubectl get ds agent -o jsonpath='{.status.desiredNumberScheduled}')" -eq 2 ]
}

@test "deleting a Deployment with --cascade=foreground removes its ReplicaSet and pods first" {
        deployment_yaml registry.local/web:a | kubectl apply -f -
        kubectl rollout status deployment/web --timeout=60s
        run kubectl delete deployment web --cascade=foreground --timeout=60s
        [ "$status" -eq 0 ]
        [ "$(kubectl get rs -l app=web --no-headers 2>/dev/null | wc -l)" -eq 0 ]
        [ "$(kubectl get pods -l app=web --no-headers 2>/dev/null | wc -l)" -eq 0 ]
}

@test "a Deployment deleted in the background leaves no ReplicaSet or pod behind" {
        deployment_yaml registry.local/web:a | kubectl apply -f -
        kubectl rollout status deployment/web --timeout=60s
        kubectl delete deployment web
        eventually 30 '[ "$(kubectl get rs,pods -l app=web --no-headers 2>/dev/null | wc -l)" -eq 0 ]'
}

@test "deleting a namespace removes everything in it" {
        kubectl create namespace team
        deployment_yaml registry.local/web:a | kubectl apply -n team -f -
        kubectl create configmap settings -n team --from-literal=a=b
        kubectl rollout status deployment/web -n team --timeout=60s
        run kubectl get serviceaccount default -n team
        [ "$status" -eq 0 ]
        run kubectl delete namespace team --timeout=60s
        [ "$status" -eq 0 ]
        run kubectl get namespace team
        [ "$status" -ne 0 ]
        [ "$(kubectl get pods,rs,cm -n team --no-headers 2>/dev/null | wc -l)" -eq 0 ]
}

@test "a node whose Lease stops is marked NotReady and its pods are replaced elsewhere" {
        kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: spread}
spec:
  replicas: 6
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers: [{name: c, image: registry.local/web:a}]
YAML
        kubectl rollout status deployment/spread --timeout=60s
        run kubectl get pods -l app=spread -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}'
        printf '%s\n' "${lines[@]}" | grep -q '^fake-node-2$'

        kubectl annotate node fake-node-2 --overwrite kube-lite.io/fake-kubelet=stopped
        eventually 60 '[ "$(node_ready fake-node-2)" = Unknown ]'
        run kubectl get node fake-node-2 -o jsonpath='{.spec.taints[*].key}'
        kl_assert_contains "$output" "node.kubernetes.io/unreachable"
        run kubectl get nodes
        kl_assert_contains "$output" "NotReady"

        # Evicted after their 2 s toleration: marked for deletion (they stay
        # Terminating, as upstream's do, until a kubelet confirms or the node
        # goes) and replaced on the nodes still alive.
        eventually 60 '[ "$(live_pods_on app=spread fake-node-2)" -eq 0 ]'
        eventually 60 '[ "$(count_pods app=spread Running)" -eq 6 ]'
        run kubectl get pods -l app=spread -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.status.conditions[?(@.type=="DisruptionTarget")].reason}{"\n"}{end}'
        kl_assert_contains "$output" "DeletionByTaintManager"
}

@test "an unschedulable pod gets FailedScheduling worded as upstream" {
        kubectl run big --image=registry.local/web:a --overrides='{"spec":{"containers":[{"name":"big","image":"registry.local/web:a","resources":{"requests":{"cpu":"6"}}}]}}'
        eventually 20 '[ -n "$(kubectl get events --field-selector reason=FailedScheduling -o name)" ]'
        run kubectl get events --field-selector reason=FailedScheduling -o jsonpath='{.items[0].message}'
        kl_assert_contains "$output" "0/3 nodes are available: 3 Insufficient cpu."
        run kubectl get pod big -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}'
        [ "$output" = "Unschedulable" ]
        kubectl delete pod big
}
