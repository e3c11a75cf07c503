# SPDX-License-Identifier: Apache-2.0
# The revisioned key-value store: interface, watch hub, SQLite backend (DESIGN §4, STYLE §7).
MODULES      += store
store_SRCS   := store.c watch-hub.c store-sqlite.c
store_DEPS   := base loop
store_PKGS   := sqlite3 libuv
store_TESTS  := test-store-conformance.c test-store-sqlite.c test-watch-hub.c
store_FUZZ   := fuzz-store-continue.c
store_BENCH  := bench-store.c
