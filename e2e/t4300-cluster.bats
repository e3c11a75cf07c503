#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t4300: a 3-node cluster on one box — `kube-lite server` with its embedded
# agent and two `kube-lite agent`s joined with a token, each node with its own
# data and state directories, streaming port and cgroup, all on 127.0.0.1.
# Pods spread over the nodes; kubectl reaches each node's pods (logs, exec)
# through the API server; a node whose agent stops goes NotReady and its pods
# are replaced on the others.

load lib/common
load lib/server
load lib/node

setup_file() {
        kl_node_images
}

setup() {
        KL_NODE_AGENTS=2 kl_node_setup --node-monitor-grace-period 15s
}

teardown() {
        kl_node_teardown
}

# The nodes the pods of app=$1 run on, sorted, one line each.
pod_nodes() {
        kubectl get pods -l "app=$1" --field-selector status.phase=Running \
                -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort
}

spread_on_three() {
        [ "$(pod_nodes spread | sort -u | wc -l)" -eq 3 ]
}

@test "three nodes are Ready and a spread Deployment runs a pod on each; logs and exec reach every node" {
        run kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{end}'
        [ "$output" = "$KL_NODE n1 n2 " ]
        kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: spread}
spec:
  replicas: 3
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
         labelSelector: {matchLabels: {app: spread}}}
      containers:
      - name: app
        image: $BB
        command: [sh, -c, 'echo "hello from \$NODE"; sleep 3600']
        env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
EOF
        kl_wait_for 90 spread_on_three
        for pod in $(kubectl get pods -l app=spread -o jsonpath='{.items[*].metadata.name}'); do
                node=$(kl_pod_field "$pod" '{.spec.nodeName}')
                run kubectl logs "$pod"
                [ "$output" = "hello from $node" ]
                run kubectl exec "$pod" -- sh -c 'echo $NODE'
                [ "$output" = "$node" ]
        done
}

@test "a node whose agent stops goes NotReady and its pods are replaced on the others" {
        kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: moving}
spec:
  replicas: 3
  selector: {matchLabels: {app: moving}}
  template:
    metadata: {labels: {app: moving}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,
         labelSelector: {matchLabels: {app: moving}}}
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers:
      - {name: app, image: $BB, command: [sleep, "3600"]}
EOF
        kl_wait_for 90 kubectl rollout status deployment/moving --timeout=1s
        on_n2() { pod_nodes moving | grep -qx n2; }
        kl_wait_for 30 on_n2
        kill -TERM "$KL_AGENT_PID_n2"
        wait "$KL_AGENT_PID_n2"
        kl_wait_for 60 kl_node_ready n2 Unknown
        # Three running replicas again, none of them on n2 (its old pods stay Terminating
        # until n2 comes back to finish them, as upstream).
        replaced() {
                [ "$(kubectl get deployment moving -o jsonpath='{.status.availableReplicas}')" = 3 ] &&
                        [ "$(kubectl get pods -l app=moving -o jsonpath='{range .items[*]}{.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{"\n"}{end}' |
                                awk '$1 != "n2" && $2 == "Running" && NF == 2' | wc -l)" -eq 3 ]
        }
        kl_wait_for 90 replaced || { kubectl get nodes; kubectl get pods -o wide; false; }
}
