# SPDX-License-Identifier: Apache-2.0
# The cluster DNS server every agent runs (issue 8, dns.h, README.md).
MODULES       += dns
dns_SRCS      := wire.c zone.c answer.c forward.c server.c
dns_DEPS      := base json loop api client
dns_PKGS      := libuv jansson
dns_TESTS     := test-wire.c test-answer.c test-forward.c test-server.c
dns_FUZZ      := fuzz-wire.c
dns_BENCH     := bench-dns.c
# The integration test runs a real API server in-process (it writes EndpointSlices itself).
dns_TEST_DEPS := apiserver
