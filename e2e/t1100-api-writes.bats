#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t1100: the write path of `kube-lite server`, driven only by the real
# kubectl: defaulting and validation, field validation, Service IPs and node
# ports, deletion (grace, finalizers, propagation, namespaces), server-side
# apply, and the binding, eviction and finalize subresources.

load lib/common
load lib/server

setup() {
        kl_server_setup
}

teardown() {
        kl_server_teardown
}

# A pod named $1 in namespace $3 (default), bound to node $2 when given
# (through pods/binding).
make_pod() {
        kubectl run "$1" -n "${3:-default}" --image=busybox --restart=Never >/dev/null
        if [ -n "${2:-}" ]; then
                printf '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"%s"},"target":{"kind":"Node","name":"%s"}}' \
                        "$1" "$2" >"$KL_TEST_DIR/bind.json"
                kubectl create --raw "/api/v1/namespaces/${3:-default}/pods/$1/binding" \
                        -f "$KL_TEST_DIR/bind.json" >/dev/null
        fi
}

@test "validation: Invalid with field paths, one line per cause" {
        run kubectl create deployment x --image=nginx --replicas=-1
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'

        kl_deployment_yaml -1 "" "" >"$KL_TEST_DIR/d.yaml"
        run kubectl create -f "$KL_TEST_DIR/d.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'The Deployment "web" is invalid:'
        kl_assert_contains "$output" '* spec.replicas: Invalid value: -1: must be greater than or equal to 0'
        kl_assert_contains "$output" '* spec.template.spec.containers[0].image: Required value'

        kubectl create configmap v --from-literal=a=b
        run kubectl label cm v 'bad key!=x'
        [ "$status" -ne 0 ]
        run kubectl create configmap Bad_Name
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'metadata.name: Invalid value: "Bad_Name"'
}

@test "validation applies to updates and patches too" {
        kl_deployment_yaml 1 nginx "" >"$KL_TEST_DIR/d.yaml"
        kubectl create -f "$KL_TEST_DIR/d.yaml"
        run kubectl patch deploy web --type merge -p '{"spec":{"replicas":-3}}'
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'spec.replicas: Invalid value: -3: must be greater than or equal to 0'
        run kubectl scale deploy web --replicas=-1
        [ "$status" -ne 0 ]
        run kubectl get deploy web -o jsonpath='{.spec.replicas}'
        [ "$output" = "1" ]
}

@test "defaulting: deployment strategy, pod status and QoS, job selector" {
        kl_deployment_yaml 1 nginx:1.27 "" >"$KL_TEST_DIR/d.yaml"
        kubectl create -f "$KL_TEST_DIR/d.yaml"
        run kubectl get deploy web -o jsonpath='{.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.template.spec.containers[0].imagePullPolicy}'
        [ "$output" = "RollingUpdate 25% IfNotPresent" ]
        kubectl run p --image=busybox --restart=Never
        run kubectl get pod p -o jsonpath='{.status.phase} {.status.qosClass} {.spec.serviceAccountName}'
        [ "$output" = "Pending BestEffort default" ]
        kubectl create job j --image=busybox
        run kubectl get job j -o jsonpath='{.spec.selector.matchLabels}'
        kl_assert_contains "$output" 'batch.kubernetes.io/controller-uid'
        run kubectl describe job j
        [ "$status" -eq 0 ]
}

@test "fieldValidation: Strict fails, Warn warns, Ignore is quiet" {
        kl_deployment_yaml 1 nginx "  foo: 1" >"$KL_TEST_DIR/d.yaml"
        run kubectl create -f "$KL_TEST_DIR/d.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Error from server (BadRequest): error when creating'
        kl_assert_contains "$output" 'strict decoding error: unknown field "spec.foo"'
        run kubectl create -f "$KL_TEST_DIR/d.yaml" --validate=warn
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'Warning: unknown field "spec.foo"'
        kl_assert_contains "$output" 'deployment.apps/web created'
        kubectl delete deploy web
        run kubectl create -f "$KL_TEST_DIR/d.yaml" --validate=false
        [ "$status" -eq 0 ]
        [[ "$output" != *Warning* ]]
}

@test "services: cluster IPs from the service CIDR, node ports, headless, release on delete" {
        run kubectl get svc kubernetes -o jsonpath='{.spec.clusterIP}'
        [ "$output" = "10.43.0.1" ]
        kubectl create service clusterip a --tcp=80:8080
        run kubectl get svc a -o jsonpath='{.spec.clusterIP} {.spec.clusterIPs[0]} {.spec.ipFamilies[0]}'
        [[ "$output" =~ ^10\.43\.[0-9]+\.[0-9]+\ 10\.43\.[0-9]+\.[0-9]+\ IPv4$ ]]
        [[ "$output" != 10.43.0.1\ * && "$output" != 10.43.0.10\ * ]]
        run kubectl get svc a
        echo "$output" | grep -qE '^a +ClusterIP +10\.43\.[0-9.]+ +<none> +80/TCP'

        kubectl create service nodeport np --tcp=80 --node-port=30080
        kubectl create service nodeport auto --tcp=80
        run kubectl get svc auto -o jsonpath='{.spec.ports[0].nodePort}'
        [ "$output" -ge 30000 ] && [ "$output" -le 32767 ]
        run kubectl create service nodeport np2 --tcp=80 --node-port=30080
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated'
        run kubectl create service nodeport np3 --tcp=80 --node-port=20000
        kl_assert_contains "$output" 'provided port is not in the valid range. The range of valid ports is 30000-32767'

        kubectl create service clusterip fixed --tcp=80 --clusterip=10.43.7.7
        run kubectl create service clusterip fixed2 --tcp=80 --clusterip=10.43.7.7
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'spec.clusterIPs: Invalid value: []string{"10.43.7.7"}: failed to allocate IP 10.43.7.7: provided IP is already allocated'
        run kubectl create service clusterip out --tcp=80 --clusterip=10.99.0.1
        kl_assert_contains "$output" 'provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16'

        kubectl create service clusterip h --clusterip=None
        run kubectl get svc h -o jsonpath='{.spec.clusterIP}'
        [ "$output" = "None" ]

        kubectl delete svc fixed np
        kubectl create service clusterip fixed2 --tcp=80 --clusterip=10.43.7.7
        kubectl create service nodeport np2 --tcp=80 --node-port=30080

        # A type change allocates or gives back node ports.
        kubectl patch svc np2 -p '{"spec":{"type":"ClusterIP"}}'
        run kubectl get svc np2 -o jsonpath='{.spec.type} {.spec.ports[0].nodePort}{.spec.externalTrafficPolicy}'
        [ "$output" = "ClusterIP " ]
        kubectl create service nodeport np3 --tcp=80 --node-port=30080
        kubectl patch svc a -p '{"spec":{"type":"NodePort"}}'
        run kubectl get svc a -o jsonpath='{.spec.ports[0].nodePort}'
        [ "$output" -ge 30000 ] && [ "$output" -le 32767 ]
}

@test "services: allocations survive a restart, --service-cidr is honoured" {
        kubectl create service clusterip fixed --tcp=80 --clusterip=10.43.7.7
        kl_server_stop
        kl_server_start
        run kubectl create service clusterip fixed2 --tcp=80 --clusterip=10.43.7.7
        kl_assert_contains "$output" 'provided IP is already allocated'

        kl_server_stop
        rm -rf "$KL_TEST_DIR/data" "$HOME/.kube"
        kl_server_start --service-cidr 10.96.0.0/12
        run kubectl get svc kubernetes -o jsonpath='{.spec.clusterIP}'
        [ "$output" = "10.96.0.1" ]
        kubectl create service clusterip b --tcp=80
        run kubectl get svc b -o jsonpath='{.spec.clusterIP}'
        [[ "$output" =~ ^10\.(9[6-9]|10[0-9]|11[01])\. ]]
}

@test "delete: preconditions, dry run, Success Status and objects as upstream" {
        kubectl create configmap c --from-literal=a=b
        run kubectl delete cm c --dry-run=server
        kl_assert_contains "$output" 'configmap "c" deleted (server dry run)'
        kubectl get cm c
        local uid
        uid=$(kubectl get cm c -o jsonpath='{.metadata.uid}')
        printf '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"nope"}}' >"$KL_TEST_DIR/pre.json"
        run kubectl delete --raw /api/v1/namespaces/default/configmaps/c -f "$KL_TEST_DIR/pre.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "Precondition failed: UID in precondition: nope, UID in object meta: $uid"
        printf '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}' >"$KL_TEST_DIR/pre.json"
        run kubectl delete --raw /api/v1/namespaces/default/configmaps/c -f "$KL_TEST_DIR/pre.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Precondition failed: ResourceVersion in precondition: 1'
        run kubectl delete --raw /api/v1/namespaces/default/configmaps/c
        kl_assert_contains "$output" '"status":"Success"'
        kl_assert_contains "$output" "\"uid\":\"$uid\""
        kubectl create service clusterip s --tcp=80
        run kubectl delete --raw /api/v1/namespaces/default/services/s
        kl_assert_contains "$output" '"kind":"Service"'
}

@test "delete: pods bound to a node wait for it, unbound pods go at once" {
        make_pod free
        run timeout 10 kubectl delete pod free
        [ "$status" -eq 0 ]
        run kubectl get pod free
        [ "$status" -ne 0 ]

        make_pod bound n1
        run kubectl get pod bound -o jsonpath='{.spec.nodeName}'
        [ "$output" = "n1" ]
        run kubectl delete pod bound --wait=false
        [ "$status" -eq 0 ]
        run kubectl get pod bound -o jsonpath='{.metadata.deletionGracePeriodSeconds}'
        [ "$output" = "30" ]
        run kubectl get pod bound
        echo "$output" | grep -qE '^bound +0/1 +Terminating'
        run kubectl delete pod bound --grace-period=0 --force
        [ "$status" -eq 0 ]
        run kubectl get pod bound
        [ "$status" -ne 0 ]
}

@test "delete: finalizers hold the object; kubectl waits until they are removed" {
        kubectl create configmap fin --from-literal=a=b
        kubectl patch cm fin --type merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'
        timeout 20 kubectl delete cm fin >"$KL_TEST_DIR/del.out" 2>&1 &
        local dpid=$!
        kl_wait_for 5 sh -c "kubectl get cm fin -o jsonpath='{.metadata.deletionTimestamp}' | grep -q ."
        run kubectl get cm fin -o jsonpath='{.metadata.deletionGracePeriodSeconds}'
        [ "$output" = "0" ]
        kill -0 "$dpid"
        kubectl patch cm fin --type merge -p '{"metadata":{"finalizers":null}}'
        wait "$dpid"
        run cat "$KL_TEST_DIR/del.out"
        kl_assert_contains "$output" 'configmap "fin" deleted'
}

@test "delete --cascade: foreground removes dependents first, orphan keeps them" {
        local uid
        for mode in foreground orphan background; do
                kubectl create configmap owner
                uid=$(kubectl get cm owner -o jsonpath='{.metadata.uid}')
                cat <<YAML | kubectl create -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: dep
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid", blockOwnerDeletion: true}]
YAML
                run timeout 10 kubectl delete cm owner --cascade=$mode
                [ "$status" -eq 0 ]
                run kubectl get cm owner
                [ "$status" -ne 0 ]
                case $mode in
                foreground)
                        run kubectl get cm dep
                        [ "$status" -ne 0 ]
                        ;;
                orphan)
                        run kubectl get cm dep -o jsonpath='{.metadata.ownerReferences}'
                        [ "$status" -eq 0 ]
                        [ -z "$output" ]
                        kubectl delete cm dep
                        ;;
                background)
                        # The garbage collector removes the dependent afterwards.
                        kl_wait_for 20 sh -c '! kubectl get cm dep 2>/dev/null'
                        ;;
                esac
        done
}

@test "delete: a blocking dependent with a finalizer keeps a foreground owner until it goes" {
        kubectl create configmap owner
        local uid
        uid=$(kubectl get cm owner -o jsonpath='{.metadata.uid}')
        cat <<YAML | kubectl create -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: dep
  finalizers: [example.com/hold]
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid", blockOwnerDeletion: true}]
YAML
        run kubectl delete cm owner --cascade=foreground --wait=false
        [ "$status" -eq 0 ]
        run kubectl get cm owner -o jsonpath='{.metadata.finalizers}'
        [ "$output" = '["foregroundDeletion"]' ]
        run kubectl get cm dep -o jsonpath='{.metadata.deletionTimestamp}'
        [ -n "$output" ]
        # The last dependent gone, the owner goes too.
        kubectl patch cm dep --type merge -p '{"metadata":{"finalizers":null}}'
        run kubectl get cm dep
        [ "$status" -ne 0 ]
        run kubectl get cm owner
        [ "$status" -ne 0 ]
}

@test "namespaces: Terminating while content remains, creation refused, gone at the end" {
        kubectl create namespace t
        kubectl create configmap x -n t --from-literal=a=b
        kubectl create service clusterip s -n t --tcp=80 --clusterip=10.43.9.9
        make_pod p n1 t
        run kubectl delete namespace t --wait=false
        [ "$status" -eq 0 ]
        run kubectl get ns t
        echo "$output" | grep -qE '^t +Terminating'
        run kubectl get ns t -o jsonpath='{.spec.finalizers}'
        [ "$output" = '["kubernetes"]' ]
        run kubectl create configmap y -n t
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'configmaps "y" is forbidden: unable to create new content in namespace t because it is being terminated'
        run kubectl create deployment d -n t --image=nginx
        kl_assert_contains "$output" 'deployments.apps "d" is forbidden: unable to create new content in namespace t'
        run kubectl get cm,svc -n t -o name
        [ -z "$output" ]
        kubectl delete pod p -n t --grace-period=0 --force
        kl_wait_for 5 sh -c '! kubectl get ns t >/dev/null 2>&1'
        # The Service's address went back to the pool with the namespace.
        kubectl create service clusterip s --tcp=80 --clusterip=10.43.9.9
}

@test "namespaces: kubectl delete ns returns when it is gone; finalize subresource" {
        kubectl create namespace gone
        kubectl create configmap x -n gone --from-literal=a=b
        run timeout 10 kubectl delete namespace gone
        [ "$status" -eq 0 ]
        run kubectl get ns gone
        [ "$status" -ne 0 ]
        run kubectl delete namespace kube-system
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted'

        kubectl create namespace held
        make_pod p n1 held
        kubectl delete namespace held --wait=false
        printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"held"},"spec":{"finalizers":[]}}' >"$KL_TEST_DIR/ns.json"
        run kubectl replace --raw /api/v1/namespaces/held/finalize -f "$KL_TEST_DIR/ns.json"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" '"phase":"Terminating"'
        # Nothing holds it any more: it goes, as upstream's does, pod or not.
        run kubectl get ns held
        [ "$status" -ne 0 ]
}

@test "server-side apply: create, managedFields, conflict, --force-conflicts, removal" {
        cat >"$KL_TEST_DIR/ssa.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, labels: {app: web}}
data: {a: one, b: two}
YAML
        run kubectl apply --server-side -f "$KL_TEST_DIR/ssa.yaml"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'configmap/ssa serverside-applied'
        run kubectl get cm ssa -o yaml
        [[ "$output" != *managedFields* ]]
        run kubectl get cm ssa -o jsonpath='{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation} {.metadata.managedFields[0].fieldsType}'
        [ "$output" = "kubectl Apply FieldsV1" ]
        run kubectl get cm ssa -o jsonpath='{.metadata.managedFields[0].fieldsV1}'
        kl_assert_contains "$output" '"f:data":{"f:a":{},"f:b":{}}'

        kubectl patch cm ssa --type merge -p '{"data":{"a":"changed"}}'
        run kubectl get cm ssa -o jsonpath='{.metadata.managedFields[1].manager} {.metadata.managedFields[1].operation}'
        [ "$output" = "kubectl-patch Update" ]
        run kubectl apply --server-side -f "$KL_TEST_DIR/ssa.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.a'
        kl_assert_contains "$output" 'force-conflicts'
        run kubectl apply --server-side -f "$KL_TEST_DIR/ssa.yaml" --force-conflicts
        [ "$status" -eq 0 ]
        run kubectl get cm ssa -o jsonpath='{.data.a}'
        [ "$output" = "one" ]

        sed -i 's/, b: two//' "$KL_TEST_DIR/ssa.yaml"
        kubectl apply --server-side -f "$KL_TEST_DIR/ssa.yaml"
        run kubectl get cm ssa -o jsonpath='{.data}'
        [ "$output" = '{"a":"one"}' ]
        # Applying the same manifest again changes nothing, not even the resourceVersion.
        local rv
        rv=$(kubectl get cm ssa -o jsonpath='{.metadata.resourceVersion}')
        kubectl apply --server-side -f "$KL_TEST_DIR/ssa.yaml"
        run kubectl get cm ssa -o jsonpath='{.metadata.resourceVersion}'
        [ "$output" = "$rv" ]

        # Another manager that applies the same value co-owns it without conflict.
        run kubectl apply --server-side --field-manager=other -f "$KL_TEST_DIR/ssa.yaml"
        [ "$status" -eq 0 ]
}

@test "server-side apply after client-side apply migrates, keyed lists conflict by key" {
        kl_deployment_yaml 2 nginx:1.25 "" >"$KL_TEST_DIR/d.yaml"
        run kubectl apply -f "$KL_TEST_DIR/d.yaml"
        kl_assert_contains "$output" 'deployment.apps/web created'
        run kubectl apply --server-side -f "$KL_TEST_DIR/d.yaml"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" 'deployment.apps/web serverside-applied'
        run kubectl get deploy web -o jsonpath='{.metadata.managedFields[*].manager}'
        kl_assert_contains "$output" 'kubectl-last-applied'
        kubectl set image deploy/web nginx=nginx:1.27
        sed -i 's/1.25/1.26/' "$KL_TEST_DIR/d.yaml"
        run kubectl apply --server-side -f "$KL_TEST_DIR/d.yaml"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="nginx"].image'
        kubectl apply --server-side -f "$KL_TEST_DIR/d.yaml" --force-conflicts
        run kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}'
        [ "$output" = "nginx:1.26" ]
}

@test "pods/binding binds once; pods/eviction deletes" {
        make_pod p n1
        run kubectl get pod p -o wide
        echo "$output" | grep -qE '^p +0/1 +Pending +0 +[0-9a-z]+ +<none> +n1 '
        run kubectl create --raw /api/v1/namespaces/default/pods/p/binding -f "$KL_TEST_DIR/bind.json"
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"'

        make_pod q
        printf '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"q"}}' >"$KL_TEST_DIR/ev.json"
        run kubectl create --raw /api/v1/namespaces/default/pods/q/eviction -f "$KL_TEST_DIR/ev.json"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" '"status":"Success"'
        run kubectl get pod q
        [ "$status" -ne 0 ]
}

@test "SIGTERM after writes of every kind exits cleanly" {
        kubectl create service nodeport np --tcp=80
        kubectl create namespace t
        kubectl delete namespace t
        kl_server_stop
        run cat "$KL_TEST_DIR/server.log"
        kl_assert_contains "$output" "stopped"
}
