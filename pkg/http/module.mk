# SPDX-License-Identifier: Apache-2.0
# HTTP/1.1 server with TLS (OpenSSL memory BIOs), chunked streaming and WebSocket.
MODULES     += http
http_SRCS   := http-parser.c http-server.c http-tls.c http-ws.c http-client.c http-ws-client.c http-upgrade.c
http_DEPS   := base loop
http_PKGS   := libuv openssl libcurl
http_TESTS  := test-http-parser.c test-http-ws-frames.c test-http-server.c test-http-tls.c test-http-client.c \
	test-http-ws.c test-ws-client.c test-http-spdy.c
http_FUZZ   := fuzz-http-request.c fuzz-http-ws-frame.c fuzz-http-ws-client.c
http_BENCH  := bench-http.c
