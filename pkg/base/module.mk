# SPDX-License-Identifier: Apache-2.0
MODULES     += base
base_SRCS   := alloc.c buf.c err.c file.c log.c parse.c str.c time.c
base_DEPS   :=
base_PKGS   :=
base_TESTS  := test-buf.c test-err.c test-file.c test-log.c test-parse.c test-str.c
base_FUZZ   :=
