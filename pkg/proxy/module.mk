# SPDX-License-Identifier: Apache-2.0
# The service proxy (kube-proxy's job, nftables): Services and EndpointSlices -> the table
# `ip kube-lite-proxy`, updated or replaced atomically (proxy.h).
MODULES         += proxy
proxy_SRCS      := proxy-state.c proxy-render.c proxy.c
proxy_DEPS      := base json loop api client nft
proxy_PKGS      := jansson libuv
proxy_TESTS     := test-proxy-render.c test-proxy-apply.c
proxy_FUZZ      := fuzz-proxy-state.c
proxy_BENCH     := bench-proxy.c
# The apply test and the benchmark run a real API server in-process.
proxy_TEST_DEPS := apiserver controllers
