# SPDX-License-Identifier: Apache-2.0
# The Kubernetes API server: routes, content negotiation, the resource handler
# layer, the watch cache, discovery, OpenAPI, authn/authz (DESIGN §3, README.md).
MODULES          += apiserver
apiserver_SRCS   := $(sort $(notdir $(wildcard pkg/apiserver/*.c)))
apiserver_DEPS   := base json yaml loop store http pki api client
apiserver_PKGS   := libuv jansson openssl sqlite3 yaml-0.1
apiserver_TESTS  := $(sort $(notdir $(wildcard pkg/apiserver/tests/test-*.c)))
apiserver_BENCH  := bench-apiserver.c
apiserver_FUZZ   := $(sort $(notdir $(wildcard pkg/apiserver/fuzz/fuzz-*.c)))
# The in-process API server fixture of the integration tests (tests/support/testenv.h),
# linked into the tests and benchmarks of every module whose test closure has apiserver.
apiserver_TEST_SUPPORT := support/testenv.c
