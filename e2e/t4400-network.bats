#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t4400: the cluster network (pod network, service proxy, cluster DNS) on three
# nodes, each in its own network namespace on a made-up LAN (lib/netns): n0 is
# the server with its embedded agent, n1 and n2 agents joined with a token; a
# test resolver on the LAN is every node's upstream. Driven by the real
# kubectl: pods reach each other across nodes (ping, TCP); a ClusterIP Service
# spreads requests over its backends, or keeps a client on one with
# sessionAffinity ClientIP, refuses connections at once without endpoints; a
# NodePort answers on every node's address, a LoadBalancer on the nodes' addresses
# (its ingress), a hostPort on its node's; pods reach the LAN behind their node;
# names resolve from pods (services,
# a headless StatefulSet's pods, SRV, an external name through the resolver);
# a pod reaches itself through its Service; pods keep their addresses when
# agents restart; deleting pods frees their addresses.

load lib/common
load lib/server
load lib/node
load lib/netns

# t4401-network-host-gw.bats is a link to this file: run under that name, the nodes
# route pod traffic directly to each other (--network-backend host-gw: they share the
# LAN) instead of over VXLAN.
BACKEND=vxlan
case "$BATS_TEST_FILENAME" in
*t4401*)
        BACKEND=host-gw
        KL_NETNS_NODE_FLAGS=(--network-backend host-gw)
        ;;
esac

setup_file() {
        kl_node_images
}

setup() {
        kl_netns_cluster_setup 2
}

teardown() {
        kl_netns_cluster_teardown
}

DNS_IP=10.43.0.10
# busybox nslookup separates a record's name from its data with a tab.
TAB=$'\t'

# peer NAME NODE: a busybox pod on NODE that answers a TCP connection on port 7000 with
# its name and logs the node it runs on.
peer() {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {role: peer}}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: $BB
    command: [sh, -c, 'echo "on \$NODE"; exec nc -ll -p 7000 -e echo $1']
    env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
EOF
}

# client NODE: the pod `client` (busybox, sleeping) on NODE.
client() {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: $1
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: $BB, command: [sleep, "3600"]}
EOF
        kl_wait_for 60 pod_up client
}

# echo_app NAME REPLICAS: a Deployment of busybox httpd pods (port 8080, named http)
# answering / with their host name (the pod's name), spread over the nodes.
echo_app() {
        kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1}
spec:
  replicas: $2
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
         labelSelector: {matchLabels: {app: $1}}}
      containers:
      - name: httpd
        image: $BB
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
EOF
        kl_wait_for 90 kubectl rollout status "deployment/$1" --timeout=1s
}

# service NAME APP [SPEC LINES]: a Service selecting app=APP, port 80 (named http) to the
# pods' port named http.
service() {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1}
spec:
  selector: {app: $2}
  ports: [{name: http, port: 80, targetPort: http}]
${3:-}
EOF
}

pod_up() {
        kl_pod_phase_is "$1" Running && [ -n "$(kl_pod_field "$1" '{.status.podIP}')" ]
}

pod_ip() {
        kl_pod_field "$1" '{.status.podIP}'
}

# lb_ingress_is SVC "IP IP...": the Service's status.loadBalancer.ingress addresses.
lb_ingress_is() {
        [ "$(kubectl get service "$1" -o jsonpath='{.status.loadBalancer.ingress[*].ip}')" = "$2" ]
}

cluster_ip() {
        kubectl get service "$1" -o jsonpath='{.spec.clusterIP}'
}

# The names of the pods of app=$1, sorted, one a line.
pods_of() {
        kubectl get pods -l "app=$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort
}

# one_of LIST LINE: LINE is one of the lines of LIST.
one_of() {
        grep -qxF -- "$2" <<<"$1" || {
                printf 'expected one of:\n%s\ngot: %s\n' "$1" "$2" >&2
                return 1
        }
}

# get POD URL: what POD fetches from URL (busybox wget, which has no time-out of its own:
# busybox's timeout bounds a hang).
get() {
        kl_pod_exec "$1" timeout 30 wget -q -O - "$2"
}

answers() {
        get "$1" "$2" >/dev/null 2>&1
}

# requests POD URL N: N requests from POD, one answer a line.
requests() {
        kl_pod_exec "$1" sh -c "i=0; while [ \$i -lt $3 ]; do wget -q -O - '$2'; i=\$((i + 1)); done"
}

# mesh PODS...: every pod pings every other one and reads its name from its port 7000.
mesh() {
        local src dst ip
        for src in "$@"; do
                for dst in "$@"; do
                        [ "$src" != "$dst" ] || continue
                        ip=$(pod_ip "$dst")
                        run kl_pod_exec "$src" ping -c 1 -W 5 "$ip"
                        [ "$status" -eq 0 ] || {
                                echo "$src cannot ping $dst ($ip): $output" >&2
                                return 1
                        }
                        run kl_pod_exec "$src" nc -w 5 "$ip" 7000
                        [ "$output" = "$dst" ] || {
                                echo "$src: TCP to $dst ($ip):7000 gave: $output" >&2
                                return 1
                        }
                done
        done
}

# The error of a connection to a Service without endpoints: refused (TCP reset) or an
# ICMP unreachable, at once; never a time-out.
rejected() {
        run get "$1" "$2"
        [ "$status" -ne 0 ] && [[ "$output" =~ "Connection refused"|unreachable ]]
}

@test "three nodes in their own namespaces are Ready on their LAN addresses; logs and exec reach pods on every node" {
        run kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.addresses[?(@.type=="InternalIP")].address} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'
        [ "$output" = "n0 192.168.77.10 True
n1 192.168.77.11 True
n2 192.168.77.12 True" ]
        # Each node's agent listens in its own namespace only.
        for i in 0 1 2; do
                run kl_netns_exec "n$i" ip -o -4 addr show dev eth0
                kl_assert_contains "$output" "inet 192.168.77.1$i/24"
        done
        for i in 0 1 2; do
                peer "p$i" "n$i"
        done
        for i in 0 1 2; do
                kl_wait_for 60 kl_pod_phase_is "p$i" Running
        done
        for i in 0 1 2; do
                logged() { [ "$(kubectl logs "p$i")" = "on n$i" ]; }
                kl_wait_for 10 logged
                run kl_pod_exec "p$i" hostname
                [ "$output" = "p$i" ]
        done
        # Each node also has its own host name and mounts: the pods' namespaces and
        # volumes are mounted in the node's mount namespace, not in the test's.
        for i in 0 1 2; do
                holder=$(eval "echo \$KL_NETNS_HOLDER_n$i")
                [ "$(nsenter --uts="/proc/$holder/ns/uts" hostname)" = "n$i" ]
                grep -q "/netns/" "/proc/$holder/mountinfo"
        done
        run grep -c "$KL_TEST_DIR/.*/netns/" /proc/self/mountinfo
        [ "$output" = 0 ]
}

@test "pods on different nodes reach each other: ping and TCP, at addresses from their node's podCIDR" {
        for i in 0 1 2; do
                peer "p$i" "n$i"
        done
        local cidrs=()
        for i in 0 1 2; do
                kl_wait_for 60 pod_up "p$i"
                cidr=$(kubectl get node "n$i" -o jsonpath='{.spec.podCIDR}')
                [[ "$cidr" =~ ^10\.42\.[0-9]+\.0/24$ ]]
                cidrs+=("$cidr")
                ip=$(pod_ip "p$i")
                [[ "$ip" == "${cidr%.0/24}."* ]]
                # The pod's eth0 holds the address its status shows.
                run kl_pod_exec "p$i" ip -o -4 addr show dev eth0
                kl_assert_contains "$output" "inet $ip/24"
        done
        [ "$(printf '%s\n' "${cidrs[@]}" | sort -u | wc -l)" -eq 3 ]
        # n0 reaches n1's pods over the VXLAN device, or (host-gw) through n1's address.
        run kl_netns_exec n0 ip -4 route show "${cidrs[1]}"
        if [ "$BACKEND" = host-gw ]; then
                kl_assert_contains "$output" "via 192.168.77.11 dev eth0"
        else
                kl_assert_contains "$output" "dev kl.vxlan"
        fi
        mesh p0 p1 p2
}

@test "a ClusterIP Service spreads 60 requests over its 3 backends; with sessionAffinity ClientIP all 60 reach one" {
        echo_app echo 3
        service echo echo
        service sticky echo '  sessionAffinity: ClientIP'
        client n2
        backends=$(pods_of echo)
        [ "$(wc -l <<<"$backends")" -eq 3 ]
        ip=$(cluster_ip echo)
        [[ "$ip" == 10.43.* ]]
        kl_wait_for 60 answers client "http://$ip/"
        run requests client "http://$ip/" 60
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 60 ]
        [ "$(printf '%s\n' "${lines[@]}" | sort -u)" = "$backends" ]

        run kubectl get service sticky -o jsonpath='{.spec.sessionAffinity} {.spec.sessionAffinityConfig.clientIP.timeoutSeconds}'
        [ "$output" = "ClientIP 10800" ]
        ip=$(cluster_ip sticky)
        kl_wait_for 60 answers client "http://$ip/"
        run requests client "http://$ip/" 60
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 60 ]
        one=$(printf '%s\n' "${lines[@]}" | sort -u)
        [ "$(wc -l <<<"$one")" -eq 1 ]
        one_of "$backends" "$one"
}

@test "a Service scaled to 0 refuses connections at once; scaled back, it answers again" {
        echo_app echo 3
        service echo echo
        client n1
        ip=$(cluster_ip echo)
        kl_wait_for 60 answers client "http://$ip/"
        kubectl scale deployment echo --replicas=0
        gone() { [ -z "$(pods_of echo)" ]; }
        kl_wait_for 60 gone
        kl_wait_for 30 rejected client "http://$ip/"
        # Every connection now fails that way (a dropped SYN would hang wget until
        # get's timeout ends it, without either message).
        for i in 1 2 3; do
                run get client "http://$ip/"
                [ "$status" -ne 0 ]
                [[ "$output" =~ "Connection refused"|unreachable ]] || {
                        echo "attempt $i: $output" >&2
                        false
                }
        done
        kubectl scale deployment echo --replicas=3
        kl_wait_for 90 kubectl rollout status deployment/echo --timeout=1s
        kl_wait_for 60 answers client "http://$ip/"
        run get client "http://$ip/"
        [ "$status" -eq 0 ]
        one_of "$(pods_of echo)" "$output"
}

@test "a NodePort answers on every node's address from the LAN" {
        echo_app echo 3
        service echo echo '  type: NodePort'
        backends=$(pods_of echo)
        port=$(kubectl get service echo -o jsonpath='{.spec.ports[0].nodePort}')
        [ "$port" -ge 30000 ] && [ "$port" -le 32767 ]
        for i in 0 1 2; do
                url="http://192.168.77.1$i:$port/"
                kl_wait_for 60 kl_netns_exec lan curl -sf -o /dev/null --max-time 10 "$url"
                for _ in 1 2 3; do
                        run kl_netns_exec lan curl -sf --max-time 10 "$url"
                        [ "$status" -eq 0 ]
                        one_of "$backends" "$output"
                done
        done
}

@test "a LoadBalancer Service gets the nodes' addresses as ingress and answers on them from the LAN" {
        echo_app echo 3
        service echo echo '  type: LoadBalancer'
        backends=$(pods_of echo)
        kl_wait_for 60 lb_ingress_is echo "192.168.77.10 192.168.77.11 192.168.77.12"
        run kubectl get service echo
        [[ "$output" == *"192.168.77.10,192.168.77.11,192.168.77.12"* ]]
        for i in 0 1 2; do
                url="http://192.168.77.1$i/"
                kl_wait_for 60 kl_netns_exec lan curl -sf -o /dev/null --max-time 10 "$url"
                run kl_netns_exec lan curl -sf --max-time 10 "$url"
                [ "$status" -eq 0 ]
                one_of "$backends" "$output"
        done
}

@test "a hostPort answers on its node's address; pods reach the LAN, masqueraded behind their node" {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: hp}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: $BB
    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{containerPort: 8080, hostPort: 8081}]
EOF
        kl_wait_for 60 pod_up hp
        kl_wait_for 60 kl_netns_exec lan curl -sf -o /dev/null --max-time 10 http://192.168.77.11:8081/
        run kl_netns_exec lan curl -sf --max-time 10 http://192.168.77.11:8081/
        [ "$status" -eq 0 ]
        [ "$output" = hp ]
        # The LAN has no route to the pod network: only a masqueraded packet gets an answer.
        run kl_netns_exec lan ip route get "$(pod_ip hp)"
        [[ "$output" != *192.168.77.1* ]]
        run kl_pod_exec hp ping -c 1 -W 5 192.168.77.2
        [ "$status" -eq 0 ]
        run kl_pod_exec hp nslookup example.test 192.168.77.2
        [ "$status" -eq 0 ]
        [[ "$output" == *192.168.77.99* ]]
}

@test "a pod finds a Service by name: short, svc.ns and FQDN, with nslookup and wget" {
        echo_app echo 3
        service echo echo
        client n1
        backends=$(pods_of echo)
        ip=$(cluster_ip echo)
        # ClusterFirst: the cluster DNS and upstream's search path.
        run kl_pod_exec client cat /etc/resolv.conf
        kl_assert_contains "$output" "nameserver $DNS_IP"
        kl_assert_contains "$output" "search default.svc.cluster.local svc.cluster.local cluster.local"
        kl_assert_contains "$output" "options ndots:5"
        resolves() { kl_pod_exec client nslookup echo.default.svc.cluster.local | grep -qx "Address: $ip"; }
        kl_wait_for 60 resolves
        # busybox's nslookup applies the search path to dotless names only (no ndots);
        # wget resolves with the C library, as every program in a pod does.
        for name in echo echo.default.svc.cluster.local; do
                run kl_pod_exec client nslookup "$name"
                kl_assert_contains "$output" "Name:${TAB}echo.default.svc.cluster.local
Address: $ip"
        done
        for name in echo echo.default echo.default.svc echo.default.svc.cluster.local; do
                run get client "http://$name/"
                [ "$status" -eq 0 ]
                one_of "$backends" "$output"
        done
}

# web: a headless Service and a StatefulSet of 2 busybox httpd pods answering their name.
web_statefulset() {
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080, targetPort: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: $BB
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
EOF
        # Ordered: web-1 starts once web-0 is Ready.
        both_ready() { kl_pod_ready web-0 && kl_pod_ready web-1; }
        kl_wait_for 120 both_ready
}

@test "a headless StatefulSet's pods have their own names; the Service's name gives them all" {
        web_statefulset
        client n2
        ip0=$(pod_ip web-0)
        ip1=$(pod_ip web-1)
        resolves() { kl_pod_exec client nslookup web-1.web.default.svc.cluster.local | grep -qx "Address: $ip1"; }
        kl_wait_for 60 resolves
        for i in 0 1; do
                eval "ip=\$ip$i"
                run kl_pod_exec client nslookup "web-$i.web.default.svc.cluster.local"
                kl_assert_contains "$output" "Name:${TAB}web-$i.web.default.svc.cluster.local
Address: $ip"
                run get client "http://web-$i.web:8080/"
                [ "$status" -eq 0 ]
                [ "$output" = "web-$i" ]
        done
        # The pod's own name is its FQDN's first label, as the kubelet sets it.
        run kl_pod_exec web-0 hostname
        [ "$output" = web-0 ]
        run kl_pod_exec client nslookup web.default.svc.cluster.local
        kl_assert_contains "$output" "Address: $ip0"
        kl_assert_contains "$output" "Address: $ip1"
}

@test "SRV records name the port of a headless Service's pods and of a ClusterIP Service" {
        web_statefulset
        service web-vip web
        client n1
        srv() { kl_pod_exec client nslookup -type=SRV "$1"; }
        named() { srv _http._tcp.web.default.svc.cluster.local | grep -q 'service = .* web-1\.web\.default\.svc\.cluster\.local$'; }
        kl_wait_for 60 named
        run srv _http._tcp.web.default.svc.cluster.local
        for i in 0 1; do
                grep -Eq "^_http\._tcp\.web\.default\.svc\.cluster\.local${TAB}service = [0-9]+ [0-9]+ 8080 web-$i\.web\.default\.svc\.cluster\.local$" <<<"$output"
        done
        run srv _http._tcp.web-vip.default.svc.cluster.local
        grep -Eq "^_http\._tcp\.web-vip\.default\.svc\.cluster\.local${TAB}service = [0-9]+ [0-9]+ 80 web-vip\.default\.svc\.cluster\.local$" <<<"$output"
}

@test "a name outside the cluster is forwarded to the node's upstream resolver; an ExternalName Service is its CNAME" {
        client n2
        forwarded() { kl_pod_exec client nslookup "$KL_NETNS_EXT_NAME" | grep -qx "Address: $KL_NETNS_EXT_IP"; }
        kl_wait_for 60 forwarded
        run kl_pod_exec client nslookup "$KL_NETNS_EXT_NAME"
        kl_assert_contains "$output" "Name:${TAB}$KL_NETNS_EXT_NAME
Address: $KL_NETNS_EXT_IP"
        # The question reached the test resolver (and only the cluster DNS asks it).
        grep -qx "$KL_NETNS_EXT_NAME 1 NOERROR" "$KL_TEST_DIR/resolver.log"
        kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata: {name: ext}
spec:
  type: ExternalName
  externalName: $KL_NETNS_EXT_NAME
EOF
        cname() { kl_pod_exec client nslookup ext.default.svc.cluster.local | grep -q "canonical name = $KL_NETNS_EXT_NAME"; }
        kl_wait_for 60 cname
        run kl_pod_exec client nslookup ext
        kl_assert_contains "$output" "ext.default.svc.cluster.local${TAB}canonical name = $KL_NETNS_EXT_NAME"
}

@test "a pod reaches itself through its own Service (hairpin)" {
        echo_app self 1
        service self self
        pod=$(pods_of self)
        ip=$(cluster_ip self)
        kl_wait_for 60 answers "$pod" "http://$ip/"
        for i in 1 2 3; do
                run get "$pod" "http://$ip/"
                [ "$status" -eq 0 ]
                [ "$output" = "$pod" ]
        done
}

@test "restarting agents keeps every pod's address and connectivity" {
        for i in 0 1 2; do
                peer "p$i" "n$i"
        done
        for i in 0 1 2; do
                kl_wait_for 60 pod_up "p$i"
        done
        state() {
                kubectl get pods -l role=peer -o jsonpath='{range .items[*]}{.metadata.name} {.status.podIP} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}{"\n"}{end}'
        }
        before=$(state)
        mesh p0 p1 p2
        # n1's agent down: its pod still answers.
        kl_netns_agent_stop n1
        run kl_pod_exec p0 nc -w 5 "$(pod_ip p1)" 7000
        [ "$output" = p1 ]
        kl_netns_agent_start n1
        kl_wait_for 30 kl_node_ready n1 True
        # The server and its agent (n0).
        kl_netns_server_stop
        kl_netns_server_start
        kl_wait_for 30 kl_node_ready n0 True
        # A few syncs of every agent.
        sleep 5
        [ "$(state)" = "$before" ]
        for i in 0 1 2; do
                run kl_pod_exec "p$i" ip -o -4 addr show dev eth0
                kl_assert_contains "$output" "inet $(pod_ip "p$i")/24"
        done
        mesh p0 p1 p2
}

@test "deleting a node's pods frees their addresses and their links" {
        ipam="$(kl_netns_state_dir n1)/net/ipam"
        for i in 1 2 3; do
                peer "q$i" n1
        done
        ips=()
        for i in 1 2 3; do
                kl_wait_for 60 pod_up "q$i"
                ips+=("$(pod_ip "q$i")")
        done
        [ "$(printf '%s\n' "${ips[@]}" | sort -u | wc -l)" -eq 3 ]
        for ip in "${ips[@]}"; do
                [ -e "$ipam/$ip" ]
        done
        run kl_netns_exec n1 ip -o link show master kl0
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 3 ]
        kubectl delete pod q1 q2 q3 --timeout=60s
        freed() {
                local ip
                for ip in "${ips[@]}"; do
                        [ ! -e "$ipam/$ip" ] || return 1
                done
        }
        kl_wait_for 30 freed
        run kl_netns_exec n1 ip -o link show master kl0
        [ "$status" -eq 0 ]
        [ -z "$output" ]
}
