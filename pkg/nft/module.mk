# SPDX-License-Identifier: Apache-2.0
# nf_tables over nfnetlink with libnl-3 core: build a table in memory, print it as
# nft 1.0.6 lists it, replace it in the kernel in one transaction (README.md).
MODULES    += nft
nft_SRCS   := nft.c nft-print.c nft-linearize.c nft-netlink.c nft-diff.c
nft_DEPS   := base
nft_PKGS   := libnl-3.0
nft_TESTS  := test-nft-print.c test-nft-kernel.c test-nft-update.c
