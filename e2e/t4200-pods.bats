#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t4200: pods on a single-node cluster (`kube-lite server` with its embedded
# agent), driven by the real kubectl: Deployments that become Ready, init
# containers and sidecars sharing an emptyDir, probes, restarts with
# back-off, OOM kills, ConfigMap volumes that follow edits, the environment
# from Secrets and the downward API, graceful deletion, an agent killed with
# SIGKILL that adopts its containers again, logs, exec, cp and run -i.
#
# t4201-pods-3nodes.bats is a link to this file: run under that name, the same
# scenarios run on the 3-node harness (two more agents joined with a token),
# where pods land on any node and kubectl reaches them through the API server.

load lib/common
load lib/server
load lib/node

setup_file() {
        kl_node_images
}

case "$BATS_TEST_FILENAME" in
*t4201*) export KL_NODE_AGENTS=2 ;;
esac

setup() {
        kl_node_setup
}

teardown() {
        kl_node_teardown
}

@test "a Deployment of httpd pods becomes Running and Ready behind a readiness probe" {
        kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: $HTTPD
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
EOF
        kl_wait_for 60 kubectl rollout status deployment/web --timeout=1s
        run kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.status.phase} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].restartCount}{"\n"}{end}'
        [ "$status" -eq 0 ]
        [ "$output" = "Running true 0
Running true 0" ]
        run kubectl get pods -l app=web -o jsonpath='{.items[0].status.conditions[?(@.type=="Ready")].status} {.items[0].status.qosClass} {.items[0].status.hostIP} {.items[0].status.containerStatuses[0].containerID}'
        [[ "$output" == "True BestEffort 127.0.0.1 kube-lite://"* ]]
        run kubectl get deployment web -o jsonpath='{.status.readyReplicas}/{.status.availableReplicas}'
        [ "$output" = "2/2" ]
}

@test "an init container fills an emptyDir the app reads; a sidecar tails what the app writes" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  volumes: [{name: work, emptyDir: {}}]
  initContainers:
  - name: fill
    image: $BB
    command: [sh, -c, 'echo from-init > /work/greeting']
    volumeMounts: [{name: work, mountPath: /work}]
  - name: tail
    image: $BB
    restartPolicy: Always
    command: [sh, -c, 'touch /work/app.log; tail -f /work/app.log > /work/tailed']
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'cat /work/greeting >> /work/app.log; echo app-line >> /work/app.log; sleep 3600']
    volumeMounts: [{name: work, mountPath: /work}]
EOF
        kl_wait_for 60 kl_pod_phase_is shared Running
        run kl_pod_field shared '{.status.initContainerStatuses[0].state.terminated.reason} {.status.initContainerStatuses[1].started} {.status.conditions[?(@.type=="Initialized")].status}'
        [ "$output" = "Completed true True" ]
        kl_wait_for 30 kubectl exec shared -c app -- grep -q app-line /work/tailed
        run kubectl exec shared -c tail -- head -n 1 /work/tailed
        [ "$output" = "from-init" ]
}

@test "a failing liveness probe restarts the container with back-off" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: sick}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600']
    livenessProbe:
      exec: {command: [test, -e, /tmp/healthy]}
      periodSeconds: 1
      failureThreshold: 1
EOF
        restarts() { [ "$(kl_pod_field sick '{.status.containerStatuses[0].restartCount}')" -ge "$1" ] 2>/dev/null; }
        kl_wait_for 60 restarts 1
        kl_wait_for 90 restarts 2
        kubectl get events --field-selector involvedObject.name=sick -o jsonpath='{.items[*].reason}' >"$KL_TEST_DIR/reasons"
        kl_assert_contains "$(cat "$KL_TEST_DIR/reasons")" Unhealthy
        kl_assert_contains "$(cat "$KL_TEST_DIR/reasons")" Killing
        run kl_pod_field sick '{.status.containerStatuses[0].lastState.terminated.exitCode}'
        [ "$output" = 137 ]
}

@test "a crashing container shows CrashLoopBackOff and counts its restarts" {
        kubectl run crash --image="$BB" --restart=Always -- sh -c 'echo bye; exit 3'
        waiting() { [ "$(kl_pod_field crash '{.status.containerStatuses[0].state.waiting.reason}')" = CrashLoopBackOff ]; }
        kl_wait_for 60 waiting
        run kl_pod_field crash '{.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}'
        [ "$output" = "3 Error" ]
        run kubectl get pod crash
        kl_assert_contains "$output" CrashLoopBackOff
}

@test "a readiness probe gates READY" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: gated}
spec:
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'sleep 3600']
    readinessProbe:
      exec: {command: [test, -e, /tmp/ready]}
      periodSeconds: 1
EOF
        kl_wait_for 60 kl_pod_phase_is gated Running
        sleep 2
        run kl_pod_field gated '{.status.containerStatuses[0].ready} {.status.conditions[?(@.type=="Ready")].reason}'
        [ "$output" = "false ContainersNotReady" ]
        kubectl exec gated -- touch /tmp/ready
        kl_wait_for 30 kl_pod_ready gated
}

@test "a 32Mi memory limit OOM-kills a hog" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: $BB
    command: [dd, if=/dev/zero, of=/dev/null, bs=128M, count=1]
    resources: {limits: {memory: 32Mi}}
EOF
        kl_wait_for 60 kl_pod_phase_is hog Failed
        run kl_pod_field hog '{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}'
        [ "$output" = "OOMKilled 137" ]
}

@test "a ConfigMap volume follows an edit; env comes from a Secret and the downward API" {
        kubectl create configmap conf --from-literal=greeting=hello
        kubectl create secret generic creds --from-literal=password=s3cret
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: conf, labels: {tier: test}}
spec:
  volumes: [{name: conf, configMap: {name: conf}}]
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'echo "PASSWORD=\$PASSWORD POD=\$POD_NAME NS=\$POD_NS TIER=\$TIER"; while true; do cat /etc/conf/greeting > /tmp/seen; sleep 0.5; done']
    env:
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
    volumeMounts: [{name: conf, mountPath: /etc/conf}]
EOF
        kl_wait_for 60 kl_pod_phase_is conf Running
        logged() { kubectl logs conf | grep -q PASSWORD; }
        kl_wait_for 10 logged
        run kubectl logs conf
        [ "${lines[0]}" = "PASSWORD=s3cret POD=conf NS=default TIER=test" ]
        run kubectl exec conf -- cat /etc/conf/greeting
        [ "$output" = hello ]
        kubectl patch configmap conf -p '{"data":{"greeting":"bonjour"}}'
        updated() { [ "$(kubectl exec conf -- cat /tmp/seen)" = bonjour ]; }
        kl_wait_for 60 updated
}

@test "deleting a pod sends SIGTERM; a pod that handles it goes before its grace period" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: polite}
spec:
  terminationGracePeriodSeconds: 30
  volumes: [{name: out, hostPath: {path: $KL_TEST_DIR/out, type: DirectoryOrCreate}}]
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'trap "echo got-TERM > /out/marker; exit 0" TERM; while true; do sleep 0.2; done']
    volumeMounts: [{name: out, mountPath: /out}]
EOF
        kl_wait_for 60 kl_pod_phase_is polite Running
        kubectl delete pod polite --timeout=60s
        [ "$(cat "$KL_TEST_DIR/out/marker")" = got-TERM ]
        run kubectl get pod polite
        [ "$status" -ne 0 ]
        # Nothing of it is left on its node.
        [ -z "$(ls "$KL_TEST_DIR"/data/agent/pods "$KL_TEST_DIR"/n*/agent/pods 2>/dev/null | grep -v ':$')" ]
}

@test "an agent killed with SIGKILL adopts its containers again: no restarts" {
        kubectl run keep --image="$BB" --overrides="{\"spec\":{\"nodeName\":\"$KL_NODE\"}}" -- sh -c 'sleep 3600'
        kl_wait_for 60 kl_pod_phase_is keep Running
        before=$(kl_pod_field keep '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')
        kill -KILL "$KL_SERVER_PID"
        wait "$KL_SERVER_PID" || true
        kl_server_start
        kl_wait_for 30 kl_node_ready "$KL_NODE" True
        sleep 3
        after=$(kl_pod_field keep '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')
        [ "$before" = "$after" ]
        [[ "$after" == *" 0" ]]
        kl_pod_phase_is keep Running
}

@test "kubectl logs: --tail, -f until the container ends, --previous after a crash" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: talk}
spec:
  restartPolicy: OnFailure
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'for i in 1 2 3; do echo line-\$i; done; sleep 2; echo last; exit 1']
EOF
        restarted() { [ "$(kl_pod_field talk '{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null; }
        kl_wait_for 60 restarted
        run kubectl logs talk --previous
        [ "$status" -eq 0 ]
        [ "$output" = "line-1
line-2
line-3
last" ]
        kl_wait_for 30 kl_pod_phase_is talk Running
        run timeout 30 kubectl logs -f talk
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = last ]
        run kubectl logs talk --tail=2
        [ "$output" = "line-3
last" ]
        run kubectl logs talk -c nope
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" 'container nope is not valid for pod talk'
}

@test "kubectl exec -i and -t, exit codes; kubectl cp both ways; kubectl run -i --rm and -it --rm" {
        kubectl run box --image="$BB" -- sleep 3600
        kl_wait_for 60 kl_pod_phase_is box Running
        run kubectl exec box -- sh -c 'echo out; echo err >&2; exit 3'
        [ "$status" -eq 3 ]
        kl_assert_contains "$output" out
        kl_assert_contains "$output" err
        run kubectl exec -i box -- tr a-z A-Z <<<"shout"
        [ "$output" = SHOUT ]
        run script -qec "kubectl exec -it box -- sh -c 'tty; stty size'" /dev/null </dev/null
        kl_assert_contains "$output" /dev/pts/
        echo "round trip" >"$KL_TEST_DIR/in.txt"
        kubectl cp "$KL_TEST_DIR/in.txt" box:/tmp/in.txt
        run kubectl exec box -- cat /tmp/in.txt
        [ "$output" = "round trip" ]
        kubectl cp box:/tmp/in.txt "$KL_TEST_DIR/out.txt"
        [ "$(cat "$KL_TEST_DIR/out.txt")" = "round trip" ]
        run timeout 60 kubectl run once -i --rm --restart=Never --image="$BB" -- sh -c 'read x; echo "got $x"' <<<"hello"
        [ "$status" -eq 0 ]
        kl_assert_contains "$output" "got hello"
        run kubectl get pod once
        [ "$status" -ne 0 ]
        # -it: a terminal (script(1) gives kubectl one); what is typed reaches the shell once
        # attached, so the same line is typed every second until the shell has run it.
        run bash -c "(for i in \$(seq 40); do echo 'echo hello-\$((6*7)); exit'; sleep 1; done) |
                timeout 90 script -qfec 'kubectl run tty -it --rm --restart=Never --image=$BB -- sh' /dev/null"
        kl_assert_contains "$output" hello-42
        run kubectl get pod tty
        [ "$status" -ne 0 ]
}

@test "termination messages: the file, or the log's tail with FallbackToLogsOnError" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: said}
spec:
  restartPolicy: Never
  containers:
  - name: file
    image: $BB
    command: [sh, -c, 'echo "disk full" > /dev/termination-log; exit 1']
  - name: logs
    image: $BB
    terminationMessagePolicy: FallbackToLogsOnError
    command: [sh, -c, 'echo first; echo "last words"; exit 2']
EOF
        kl_wait_for 60 kl_pod_phase_is said Failed
        run kl_pod_field said '{.status.containerStatuses[?(@.name=="file")].state.terminated.message}'
        [ "$output" = "disk full" ]
        run kl_pod_field said '{.status.containerStatuses[?(@.name=="logs")].state.terminated.message}'
        [ "$output" = "first
last words" ]
}

@test "postStart runs before the container counts as started; preStop runs before SIGTERM" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: hooked}
spec:
  terminationGracePeriodSeconds: 10
  volumes: [{name: out, hostPath: {path: $KL_TEST_DIR/hooks, type: DirectoryOrCreate}}]
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'trap "echo term >> /out/order; exit 0" TERM; while true; do sleep 0.2; done']
    volumeMounts: [{name: out, mountPath: /out}]
    lifecycle:
      postStart: {exec: {command: [sh, -c, 'echo post-start > /tmp/started']}}
      preStop: {exec: {command: [sh, -c, 'echo pre-stop >> /out/order']}}
EOF
        kl_wait_for 60 kl_pod_phase_is hooked Running
        run kubectl exec hooked -- cat /tmp/started
        [ "$output" = post-start ]
        kubectl delete pod hooked --timeout=60s
        [ "$(cat "$KL_TEST_DIR/hooks/order")" = "pre-stop
term" ]
}

@test "kubectl port-forward serves two requests" {
        kubectl run fwd --image="$HTTPD" --port=8080
        kl_wait_for 60 kl_pod_phase_is fwd Running
        local port
        port=$(kl_free_port)
        # fd 3 closed: bats waits for whoever holds it.
        kubectl port-forward pod/fwd "$port:8080" >"$KL_TEST_DIR/pf.out" 2>&1 3>&- &
        local pf=$!
        # The listener is up once kubectl says so (after its SPDY session is open).
        kl_wait_for 30 grep -q "Forwarding from 127.0.0.1:$port" "$KL_TEST_DIR/pf.out" ||
                { kill "$pf"; cat "$KL_TEST_DIR/pf.out"; false; }
        run curl -s "http://127.0.0.1:$port/"
        local first=$status out1=$output
        run curl -s "http://127.0.0.1:$port/"
        local second=$status out2=$output
        kill "$pf"
        wait "$pf" || true
        [ "$first" -eq 0 ]
        [ "$out1" = "hello from kube-lite-test" ]
        [ "$second" -eq 0 ]
        [ "$out2" = "hello from kube-lite-test" ]
        run grep -q "lost connection" "$KL_TEST_DIR/pf.out"
        [ "$status" -ne 0 ]
}

@test "a PersistentVolumeClaim of the local-path class keeps its data across pods" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 16Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  restartPolicy: Never
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
  containers:
  - {name: app, image: $BB, command: [sh, -c, 'echo kept > /data/file'],
     volumeMounts: [{name: data, mountPath: /data}]}
EOF
        kl_wait_for 60 kl_pod_phase_is writer Succeeded
        run kubectl get pvc data -o jsonpath='{.status.phase} {.spec.storageClassName}'
        [ "$output" = "Bound local-path" ]
        node=$(kl_pod_field writer '{.spec.nodeName}')
        kubectl delete pod writer
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
  containers:
  - {name: app, image: $BB, command: [cat, /data/file],
     volumeMounts: [{name: data, mountPath: /data}]}
EOF
        kl_wait_for 60 kl_pod_phase_is reader Succeeded
        run kubectl logs reader
        [ "$output" = kept ]
        # The volume pins its pods to the node that has its directory.
        [ "$(kl_pod_field reader '{.spec.nodeName}')" = "$node" ]
        # Deleting the claim deletes its volume (reclaimPolicy Delete); once no pod uses it,
        # the node removes the directory, as k3s's helper pod does.
        pv=$(kubectl get pvc data -o jsonpath='{.spec.volumeName}')
        dir=$(kubectl get pv "$pv" -o jsonpath='{.spec.hostPath.path}')
        [ -f "$dir/file" ]
        kubectl delete pod reader
        kubectl delete pvc data
        kl_wait_for 60 sh -c "! kubectl get pv '$pv' -o name 2>/dev/null | grep -q ."
        kl_wait_for 60 sh -c "[ ! -e '$dir' ]"
        [ -d "$(dirname "$dir")" ]
}

# SPDY/3.1: kubectl's fallback when the WebSocket upgrade is refused, and what older clients
# speak only. The environment variables make kubectl 1.32 skip the WebSocket attempt, so the
# API server relays a POST `Upgrade: SPDY/3.1` to the agent, which serves the streams itself.
@test "spdy: kubectl exec -i and -t, exit codes, kubectl cp both ways, attach" {
        export KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false
        kubectl run box --image="$BB" -- sleep 3600
        kl_wait_for 60 kl_pod_phase_is box Running
        run kubectl exec box -- sh -c 'echo out; echo err >&2; exit 3'
        [ "$status" -eq 3 ]
        kl_assert_contains "$output" out
        kl_assert_contains "$output" err
        kl_assert_contains "$output" "command terminated with exit code 3"
        run kubectl exec box -- true
        [ "$status" -eq 0 ]
        run kubectl exec -i box -- tr a-z A-Z <<<"shout"
        [ "$output" = SHOUT ]
        run script -qec "kubectl exec -it box -- sh -c 'tty; stty size'" /dev/null </dev/null
        kl_assert_contains "$output" /dev/pts/
        echo "round trip" >"$KL_TEST_DIR/in.txt"
        kubectl cp "$KL_TEST_DIR/in.txt" box:/tmp/in.txt
        run kubectl exec box -- cat /tmp/in.txt
        [ "$output" = "round trip" ]
        kubectl cp box:/tmp/in.txt "$KL_TEST_DIR/out.txt"
        [ "$(cat "$KL_TEST_DIR/out.txt")" = "round trip" ]
        # attach: a container reading its stdin echoes what is sent over the SPDY stdin stream.
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: cat}
spec:
  containers:
  - name: cat
    image: $BB
    stdin: true
    command: [sh, -c, 'while read l; do echo "seen \$l"; done']
EOF
        kl_wait_for 60 kl_pod_phase_is cat Running
        run timeout 30 bash -c "(echo one; sleep 2) | kubectl attach -i cat"
        kl_assert_contains "$output" "seen one"
}

@test "spdy: kubectl port-forward serves two requests" {
        export KUBECTL_PORT_FORWARD_WEBSOCKETS=false
        kubectl run fwd --image="$HTTPD" --port=8080
        kl_wait_for 60 kl_pod_phase_is fwd Running
        local port
        port=$(kl_free_port)
        # fd 3 closed: bats waits for whoever holds it.
        kubectl port-forward pod/fwd "$port:8080" >"$KL_TEST_DIR/pf.out" 2>&1 3>&- &
        local pf=$!
        kl_wait_for 30 grep -q "Forwarding from 127.0.0.1:$port" "$KL_TEST_DIR/pf.out" ||
                { kill "$pf"; cat "$KL_TEST_DIR/pf.out"; false; }
        run curl -s "http://127.0.0.1:$port/"
        local first=$status out1=$output
        run curl -s "http://127.0.0.1:$port/"
        local second=$status out2=$output
        kill "$pf"
        wait "$pf" || true
        [ "$first" -eq 0 ]
        [ "$out1" = "hello from kube-lite-test" ]
        [ "$second" -eq 0 ]
        [ "$out2" = "hello from kube-lite-test" ]
        run grep -q "lost connection" "$KL_TEST_DIR/pf.out"
        [ "$status" -ne 0 ]
}
