# SPDX-License-Identifier: Apache-2.0
MODULES     += base
base_SRCS   := alloc.c buf.c duration.c err.c fault.c file.c log.c parse.c pool.c quantity.c str.c strmap.c time.c
base_DEPS   :=
base_PKGS   :=
base_TESTS  := test-buf.c test-duration.c test-err.c test-fault.c test-file.c test-log.c test-parse.c test-pool.c test-quantity.c test-str.c
base_FUZZ   := fuzz-duration.c fuzz-quantity.c
