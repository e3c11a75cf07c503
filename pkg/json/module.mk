# SPDX-License-Identifier: Apache-2.0
# JSON decode/encode in one place, typed access by path (STYLE R9.5, R9.6).
MODULES    += json
json_SRCS  := json.c
json_DEPS  := base
json_PKGS  := jansson
json_TESTS := test-json.c
json_FUZZ  := fuzz-json.c
