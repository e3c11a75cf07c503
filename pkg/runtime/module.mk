# SPDX-License-Identifier: Apache-2.0
# Images for the node: references, content store, registry pulls, layers unpacked once (DESIGN §6).
MODULES        += runtime
runtime_SRCS   := ref.c manifest.c store.c layer.c pull.c import.c image.c
runtime_DEPS   := base json loop
runtime_PKGS   := libcurl libarchive openssl jansson
runtime_TESTS  := test-ref.c test-store.c test-layer.c test-pull.c test-pull-fake.c test-import.c
runtime_FUZZ   := fuzz-ref.c fuzz-challenge.c fuzz-manifest.c fuzz-layer.c
