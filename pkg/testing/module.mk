# SPDX-License-Identifier: Apache-2.0
# Test-only helpers on top of Criterion; linked into unit tests, never into kube-lite.
MODULES       += testing
testing_SRCS  := testing.c
testing_DEPS  := base
testing_PKGS  :=
testing_TESTS :=
