# SPDX-License-Identifier: Apache-2.0
PROGRAMS       += kube-lite
kube-lite_SRCS := main.c cmd-agent.c cmd-ctr.c cmd-images.c cmd-node.c cmd-server.c cmd-token.c cmd-version.c
kube-lite_DEPS := base config json yaml loop store http pki api apiserver client controllers scheduler runtime container agent
# cmd-version.c asks every library the release binary links for its version.
kube-lite_PKGS := libuv sqlite3 libarchive libcurl libseccomp libnl-3.0 libnl-route-3.0 \
	libnl-genl-3.0 jansson yaml-0.1 openssl zlib libzstd
