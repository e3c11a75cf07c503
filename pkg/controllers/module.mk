# SPDX-License-Identifier: Apache-2.0
# The controller manager and the controllers, a file each (controllers.h, ctrl-internal.h).
MODULES               += controllers
controllers_SRCS      := $(sort $(notdir $(wildcard pkg/controllers/*.c)))
controllers_DEPS      := base json loop api client
controllers_PKGS      := libuv jansson
controllers_TESTS     := $(sort $(notdir $(wildcard pkg/controllers/tests/test-*.c)))
controllers_FUZZ      := $(sort $(notdir $(wildcard pkg/controllers/fuzz/fuzz-*.c)))
controllers_BENCH     := bench-controllers.c
# Integration tests and the benchmark run a real API server and the scheduler in-process.
controllers_TEST_DEPS := apiserver scheduler
