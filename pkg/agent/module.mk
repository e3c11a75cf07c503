# SPDX-License-Identifier: Apache-2.0
# The agent (the kubelet's part of a node): Node registration, status and Lease (agent.h).
MODULES         += agent
agent_SRCS      := $(sort $(notdir $(wildcard pkg/agent/*.c)))
agent_DEPS      := base json loop api client pki
agent_PKGS      := libuv jansson libcurl openssl
agent_TESTS     := $(sort $(notdir $(wildcard pkg/agent/tests/test-*.c)))
agent_FUZZ      := $(sort $(notdir $(wildcard pkg/agent/fuzz/fuzz-*.c)))
# The integration tests run a real API server and the node lifecycle controller in-process.
agent_TEST_DEPS := apiserver controllers
