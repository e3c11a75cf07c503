#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
#
# t3200: the server's side of the cluster network (issue 8), with the real
# kubectl on a control plane with simulated nodes: the kube-dns Service at
# --cluster-dns, a pod CIDR per node (node IPAM), LoadBalancer ingress from
# the nodes (ServiceLB) and `--disable servicelb`.

load lib/common
load lib/server

setup() {
        kl_server_setup --fake-nodes 2
}

teardown() {
        kl_server_teardown
}

eventually() {
        local seconds=$1
        shift
        kl_wait_for "$seconds" eval "$*"
}

bare_node() {
        kubectl create -f - <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $1
EOF
}

@test "kube-dns is at --cluster-dns, once, across restarts" {
        run kubectl get svc -n kube-system kube-dns -o jsonpath='{.spec.clusterIP} {.spec.ports[*].name} {.metadata.labels.k8s-app}'
        [ "$status" -eq 0 ]
        [ "$output" = "10.43.0.10 dns dns-tcp metrics kube-dns" ]
        uid=$(kubectl get svc -n kube-system kube-dns -o jsonpath='{.metadata.uid}')

        kl_server_stop
        kl_server_start --fake-nodes 2
        run kubectl get svc -n kube-system kube-dns -o jsonpath='{.metadata.uid} {.spec.clusterIP}'
        [ "$output" = "$uid 10.43.0.10" ]
        [ "$(kubectl get svc -A --no-headers | grep -c kube-dns)" -eq 1 ]

        # The address is taken: nobody else gets it.
        run kubectl create service clusterip clash --tcp=80 --clusterip=10.43.0.10
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "provided IP is already allocated"
}

@test "a node gets a pod CIDR, and keeps it" {
        bare_node bare
        eventually 10 '[ -n "$(kubectl get node bare -o jsonpath={.spec.podCIDR})" ]'
        # The simulated nodes hold 10.42.1.0/24 and 10.42.2.0/24: the lowest free is next.
        [ "$(kubectl get node bare -o jsonpath={.spec.podCIDR})" = "10.42.0.0/24" ]
        [ "$(kubectl get node bare -o jsonpath='{.spec.podCIDRs[*]}')" = "10.42.0.0/24" ]

        run kubectl patch node bare --type=merge -p '{"spec":{"podCIDR":"10.42.9.0/24","podCIDRs":["10.42.9.0/24"]}}'
        [ "$status" -ne 0 ]
        kl_assert_contains "$output" "node updates may not change podCIDR"

        bare_node second
        eventually 10 '[ "$(kubectl get node second -o jsonpath={.spec.podCIDR})" = "10.42.3.0/24" ]'
}

@test "a LoadBalancer Service is answered at the nodes' addresses" {
        kubectl create service loadbalancer web --tcp=80:8080
        want=$(kubectl get nodes -o jsonpath='{.items[*].status.addresses[?(@.type=="InternalIP")].address}' |
                tr ' ' '\n' | sort -t. -k4,4n | paste -sd, -)
        eventually 10 '[ "$(kubectl get svc web -o jsonpath="{.status.loadBalancer.ingress[*].ip}" | tr " " ,)" = "$want" ]'
        run kubectl get svc web
        kl_assert_contains "$output" "$want"
}

@test "--disable servicelb leaves LoadBalancer Services pending" {
        kl_server_stop
        kl_server_start --fake-nodes 2 --disable servicelb
        kubectl create service loadbalancer web --tcp=80:8080
        sleep 2
        [ -z "$(kubectl get svc web -o jsonpath='{.status.loadBalancer.ingress}')" ]
        run kubectl get svc web
        kl_assert_contains "$output" "<pending>"
}
