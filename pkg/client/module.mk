# SPDX-License-Identifier: Apache-2.0
# The API client interface, informers and work queues (DESIGN §3, client.h).
MODULES          += client
client_SRCS      := $(sort $(notdir $(wildcard pkg/client/*.c)))
client_DEPS      := base json loop api http
client_PKGS      := libuv jansson
client_TEST_DEPS := apiserver
client_TESTS     := $(sort $(notdir $(wildcard pkg/client/tests/test-*.c)))
client_FUZZ      := $(sort $(notdir $(wildcard pkg/client/fuzz/fuzz-*.c)))
