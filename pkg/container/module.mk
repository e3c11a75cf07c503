# SPDX-License-Identifier: Apache-2.0
# Containers on the node: the shim, namespaces, rootfs, cgroups, capabilities, seccomp (container.h).
MODULES          += container
container_SRCS   := config.c state.c client.c shim.c spawn.c sandbox.c rootfs.c cgroup.c caps.c \
	seccomp.c passwd.c crilog.c proto.c
container_DEPS   := base json
container_PKGS   := libseccomp jansson openssl
container_TESTS  := test-config.c test-proto.c test-passwd.c test-crilog.c test-caps.c \
	test-seccomp.c test-cgroup.c test-rootfs.c test-container.c
container_FUZZ   := fuzz-config.c fuzz-frame.c fuzz-passwd.c fuzz-crilog.c fuzz-seccomp.c \
	fuzz-cgroup.c
container_BENCH  := bench-ctr.c
