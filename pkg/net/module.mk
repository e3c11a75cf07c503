# SPDX-License-Identifier: Apache-2.0
# The pod network: bridge, veths, IPAM, VXLAN / host-gw routes, masquerade table (net.h).
MODULES    += net
net_SRCS   := cidr.c ipam.c link.c node.c pod.c overlay.c
net_DEPS   := base json nft
net_PKGS   := libnl-3.0 libnl-route-3.0
net_TESTS  := test-ipam.c test-net.c
net_FUZZ   := fuzz-ipam-state.c
net_BENCH  := bench-net.c
