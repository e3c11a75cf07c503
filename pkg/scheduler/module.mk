# SPDX-License-Identifier: Apache-2.0
# The scheduler: queue, node cache, filter and score plugins, binding (scheduler.h, README.md).
MODULES              += scheduler
scheduler_SRCS       := $(sort $(notdir $(wildcard pkg/scheduler/*.c)))
scheduler_DEPS       := base json loop api client
scheduler_PKGS       := libuv jansson
scheduler_TESTS      := $(sort $(notdir $(wildcard pkg/scheduler/tests/test-*.c)))
scheduler_FUZZ       := $(sort $(notdir $(wildcard pkg/scheduler/fuzz/fuzz-*.c)))
scheduler_BENCH      := bench-scheduler.c
scheduler_TEST_DEPS  := apiserver
