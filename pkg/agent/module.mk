# SPDX-License-Identifier: Apache-2.0
# The agent (the kubelet's part of a node): the Node, its Lease, the pods bound to it and the
# streaming server (agent.h).
MODULES         += agent
agent_SRCS      := agent.c join.c node.c node-status.c node-host.c \
	pods.c pod-worker.c pod-sync.c pod-obs.c pod-plan.c pod-status.c pod-env.c pod-spec.c pod-dns.c \
	volumes.c volumes-projected.c volumes-local.c probe.c probe-http.c probe-grpc.c prober.c \
	server.c server-logs.c server-stream.c server-portforward.c server-spdy.c network.c
agent_DEPS      := base json loop api client pki container runtime http net nft proxy dns
agent_PKGS      := libuv jansson libcurl openssl zlib libnl-3.0 libnl-route-3.0
agent_TESTS     := test-node.c test-pod-dns.c test-pod-plan.c test-pod-status.c test-pod-env.c test-pod-spec.c \
	test-volumes.c test-probe.c test-server-logs.c test-server.c test-portforward.c test-spdy-exec.c
agent_FUZZ      := fuzz-node-flags.c fuzz-ctr-labels.c fuzz-pod-env.c fuzz-probe-http.c \
	fuzz-server-logs.c fuzz-volumes.c fuzz-spdy.c fuzz-spdy-exec.c
agent_BENCH     := bench-node.c
# The integration tests run a real API server and the node lifecycle controller in-process.
agent_TEST_DEPS := apiserver controllers
