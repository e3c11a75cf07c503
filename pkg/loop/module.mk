# SPDX-License-Identifier: Apache-2.0
# libuv helpers shared by every module that runs on an event loop (STYLE §8).
MODULES     += loop
loop_SRCS   := loop.c socket.c
loop_DEPS   := base
loop_PKGS   := libuv
loop_TESTS  := test-loop.c
loop_FUZZ   :=
