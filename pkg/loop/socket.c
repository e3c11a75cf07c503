/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A UDP and a TCP socket on one address and port (loop.h): what a DNS
 * server listens on. Plain sockets, handed to libuv with uv_udp_open() and
 * uv_tcp_open(), because a port chosen by the kernel for one protocol may
 * be held in the other (a connection's local port, a listener), and trying
 * another means closing sockets at once, which libuv handles cannot do
 * outside the loop.
 */
#include "loop/loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Picks of a port free in both protocols before giving up: far beyond bad luck. */
#define PAIR_ATTEMPTS 64

static int bound_socket(int type, const struct sockaddr *addr, socklen_t len)
{
        kl_autoclose int fd = socket(addr->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int on = 1;

        if (fd < 0)
                return -errno;
        /* As uv_tcp_bind(): a listener may take a port whose old connections linger. */
        if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
                return -errno;
        if (bind(fd, addr, len) < 0)
                return -errno;
        return KL_TAKE_FD(fd);
}

static unsigned port_of(const struct sockaddr *addr)
{
        if (addr->sa_family == AF_INET6)
                return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
        return ntohs(((const struct sockaddr_in *)addr)->sin_port);
}

int kl_loop_bind_udp_tcp(const struct sockaddr *addr, int *ret_udp, int *ret_tcp)
{
        socklen_t len = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                    : sizeof(struct sockaddr_in);
        bool any_port;

        if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
                return -EAFNOSUPPORT;
        any_port = port_of(addr) == 0;
        for (unsigned attempt = 1;; attempt++) {
                kl_autoclose int udp = bound_socket(SOCK_DGRAM, addr, len);
                struct sockaddr_storage got = { 0 };
                socklen_t got_len = sizeof(got);
                int tcp;

                if (udp < 0)
                        return udp;
                if (getsockname(udp, (struct sockaddr *)&got, &got_len) < 0)
                        return -errno;
                tcp = bound_socket(SOCK_STREAM, (const struct sockaddr *)&got, got_len);
                if (tcp >= 0) {
                        *ret_udp = KL_TAKE_FD(udp);
                        *ret_tcp = tcp;
                        return 0;
                }
                if (tcp != -EADDRINUSE || !any_port || attempt == PAIR_ATTEMPTS)
                        return tcp;
        }
}
