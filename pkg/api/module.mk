# SPDX-License-Identifier: Apache-2.0
# The API machinery: resource table, schemas, encodings, selectors, patches,
# defaulting, validation, tables, OpenAPI. Sources are every .c file here, so
# the files of one area can be added without touching this list.
MODULES    += api
api_SRCS   := $(sort $(notdir $(wildcard pkg/api/*.c)))
api_DEPS   := base json yaml
api_PKGS   := jansson
api_TESTS  := $(sort $(notdir $(wildcard pkg/api/tests/test-*.c)))
api_FUZZ   := $(sort $(notdir $(wildcard pkg/api/fuzz/fuzz-*.c)))
