/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One probe run (pod-internal.h): the dispatch to exec, httpGet, tcpSocket
 * and grpc, as upstream's pkg/probe and pkg/kubelet/prober run them, with
 * upstream's wording of every failure. Blocking: on libuv's pool, never on
 * the loop. This file holds the run and what every network probe shares;
 * probe-http.c and probe-grpc.c hold the two protocols.
 *
 * Network probes open their socket inside the pod's network namespace (the
 * pool thread enters it for the socket() call only and comes straight back,
 * so the thread is never left in a pod's namespace: R9.11), then connect
 * and talk with non-blocking I/O and poll(), against one deadline: the
 * probe's timeoutSeconds counted from the start of the run.
 *
 * Here: exec and tcpSocket, the deadline, the socket in the pod's namespace,
 * connections (plain or TLS) and the probe's fields; declared in
 * probe-internal.h for the two protocol files.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "agent/pod-internal.h"
#include "agent/probe-internal.h"
#include "base/base.h"

const char *kl_agent__probe_kind_name(enum kl_agent__probe_kind k)
{
        switch (k) {
        case KL_AGENT__PROBE_STARTUP:
                return "Startup";
        case KL_AGENT__PROBE_LIVENESS:
                return "Liveness";
        case KL_AGENT__PROBE_READINESS:
                return "Readiness";
        }
        return "Unknown";
}

/* ------------------------------------------------------------------------- */
/* Small text helpers */

/* Go's %q of `s` (strconv.Quote for valid ASCII; other bytes as \xNN). Owned. */
char *kl_agent__go_quote(const char *s)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_buf_putc(&b, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        kl_buf_puts(&b, "\\\"");
                        break;
                case '\\':
                        kl_buf_puts(&b, "\\\\");
                        break;
                case '\n':
                        kl_buf_puts(&b, "\\n");
                        break;
                case '\r':
                        kl_buf_puts(&b, "\\r");
                        break;
                case '\t':
                        kl_buf_puts(&b, "\\t");
                        break;
                default:
                        if (*p < 0x20 || *p >= 0x7f)
                                kl_buf_printf(&b, "\\x%02x", *p);
                        else
                                kl_buf_putc(&b, (char)*p);
                }
        }
        kl_buf_putc(&b, '"');
        return kl_buf_detach(&b, NULL);
}

/* Go's syscall.Errno text: the C library's, with a lower-case first letter. */
char *kl_agent__go_errno(int code)
{
        char *s = kl_strdup(strerror(code < 0 ? -code : code));

        s[0] = (char)tolower((unsigned char)s[0]);
        return s;
}

/* net.JoinHostPort. Owned. */
char *kl_agent__join_host_port(const char *host, int port)
{
        return strchr(host, ':') ? kl_asprintf("[%s]:%d", host, port)
                                 : kl_asprintf("%s:%d", host, port);
}

/* ------------------------------------------------------------------------- */
/* Connections */

/* Milliseconds left until `deadline` (monotonic), 0 when it has passed. */
static int remaining_ms(kl_usec_t deadline)
{
        kl_usec_t now = kl_now_monotonic();

        if (now >= deadline)
                return 0;
        return (int)KL_MIN((deadline - now + 999) / 1000, (kl_usec_t)INT32_MAX);
}

/* poll() one fd until `events` or the deadline: 1, 0 (time-out) or -errno. */
static int wait_fd(int fd, short events, kl_usec_t deadline)
{
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int ms = remaining_ms(deadline);
                int r;

                if (ms == 0)
                        return 0;
                r = poll(&p, 1, ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r > 0)
                        return 1;
        }
}

void kl_agent__endpoint_release(struct kl_agent__endpoint *e)
{
        free(e->text);
        e->text = NULL;
}

/* `host` (an IP, or a name resolved by the host's resolver) and `port`. */
int kl_agent__endpoint_resolve(const char *host, int port, struct kl_agent__endpoint *ret,
                               char **ret_msg)
{
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ret->sa;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ret->sa;
        char ip[INET6_ADDRSTRLEN];

        *ret = (struct kl_agent__endpoint){ 0 };
        if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)port);
                ret->len = sizeof(*in4);
        } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                ret->len = sizeof(*in6);
        } else {
                struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
                struct addrinfo *ai = NULL;
                int r = getaddrinfo(host, NULL, &hints, &ai);

                if (r != 0 || !ai) {
                        *ret_msg = kl_asprintf("dial tcp: lookup %s: no such host", host);
                        if (ai)
                                freeaddrinfo(ai);
                        return -ENOENT;
                }
                memcpy(&ret->sa, ai->ai_addr, ai->ai_addrlen);
                ret->len = ai->ai_addrlen;
                freeaddrinfo(ai);
                if (ret->sa.ss_family == AF_INET)
                        in4->sin_port = htons((uint16_t)port);
                else
                        in6->sin6_port = htons((uint16_t)port);
        }
        if (ret->sa.ss_family == AF_INET)
                inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
        else
                inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        ret->text = kl_agent__join_host_port(ip, port);
        return 0;
}

/*
 * A non-blocking TCP socket created inside `netns` (NULL: ours). The thread
 * goes back to its own namespace before anything else happens; a thread that
 * cannot go back would run the pool's next job in a pod's namespace, so that
 * aborts (it cannot happen short of a kernel bug: we hold the fd of our own).
 */
static int socket_in(const char *netns, int family, int *ret_fd, char **ret_msg)
{
        kl_autoclose int self = -EBADF, target = -EBADF;
        int fd, saved;

        if (!netns) {
                fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        saved = errno;
                        *ret_msg = kl_asprintf("socket: %s", strerror(saved));
                        return -saved;
                }
                *ret_fd = fd;
                return 0;
        }
        self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        target = open(netns, O_RDONLY | O_CLOEXEC);
        if (self < 0 || target < 0) {
                saved = errno;
                *ret_msg = kl_asprintf("open network namespace '%s': %s", netns, strerror(saved));
                return -saved;
        }
        if (setns(target, CLONE_NEWNET) < 0) {
                saved = errno;
                *ret_msg = kl_asprintf("enter network namespace '%s': %s", netns, strerror(saved));
                return -saved;
        }
        fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        saved = errno;
        if (setns(self, CLONE_NEWNET) < 0)
                kl_bug("cannot return to the thread's own network namespace");
        if (fd < 0) {
                *ret_msg = kl_asprintf("socket: %s", strerror(saved));
                return -saved;
        }
        *ret_fd = fd;
        return 0;
}

/*
 * Connect to `ep` from inside `netns` before `deadline`. On failure
 * *ret_msg is Go's dial error ("dial tcp 10.0.0.1:80: connect: connection
 * refused", "dial tcp 10.0.0.1:80: i/o timeout") and the code is -ETIMEDOUT
 * for the time-out.
 */
int kl_agent__dial(const char *netns, const struct kl_agent__endpoint *ep, kl_usec_t deadline,
                   int *ret_fd, char **ret_msg)
{
        kl_autoclose int fd = -EBADF;
        kl_autofree char *why = NULL;
        socklen_t sl = sizeof(int);
        int r, soerr = 0;

        r = socket_in(netns, ep->sa.ss_family, &fd, &why);
        if (r < 0) {
                *ret_msg = kl_asprintf("dial tcp %s: %s", ep->text, why);
                return r;
        }
        if (connect(fd, (const struct sockaddr *)&ep->sa, ep->len) < 0) {
                if (errno != EINPROGRESS) {
                        soerr = errno;
                } else {
                        r = wait_fd(fd, POLLOUT, deadline);
                        if (r == 0) {
                                *ret_msg = kl_asprintf("dial tcp %s: i/o timeout", ep->text);
                                return -ETIMEDOUT;
                        }
                        if (r < 0)
                                soerr = -r;
                        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
                                soerr = errno;
                }
        }
        if (soerr != 0) {
                kl_autofree char *text = kl_agent__go_errno(soerr);

                *ret_msg = kl_asprintf("dial tcp %s: connect: %s", ep->text, text);
                return -soerr;
        }
        *ret_fd = KL_TAKE_FD(fd);
        return 0;
}

void kl_agent__conn_close(struct kl_agent__conn *c)
{
        if (c->ssl)
                SSL_free(c->ssl);
        if (c->ctx)
                SSL_CTX_free(c->ctx);
        if (c->fd >= 0)
                (void)kl_close(c->fd);
        *c = (struct kl_agent__conn){ .fd = -EBADF };
}

static char *tls_error_text(void)
{
        unsigned long e = ERR_get_error();
        char buf[256];

        if (e == 0)
                return kl_strdup("tls: handshake failed");
        ERR_error_string_n(e, buf, sizeof(buf));
        ERR_clear_error();
        return kl_asprintf("tls: %s", buf);
}

/* Wait as OpenSSL asks after SSL_ERROR_WANT_*: 1, 0 (time-out), or -1 (another error). */
static int tls_wait(struct kl_agent__conn *c, int ret)
{
        switch (SSL_get_error(c->ssl, ret)) {
        case SSL_ERROR_WANT_READ:
                return wait_fd(c->fd, POLLIN, c->deadline) > 0 ? 1 : 0;
        case SSL_ERROR_WANT_WRITE:
                return wait_fd(c->fd, POLLOUT, c->deadline) > 0 ? 1 : 0;
        default:
                return -1;
        }
}

/* TLS over the connected socket, without verification, as upstream's probes. */
int kl_agent__conn_tls(struct kl_agent__conn *c, const char *server_name, char **ret_msg)
{
        struct in6_addr a6;
        struct in_addr a4;

        ERR_clear_error();
        c->ctx = SSL_CTX_new(TLS_client_method());
        if (!c->ctx || !(c->ssl = SSL_new(c->ctx)) || SSL_set_fd(c->ssl, c->fd) != 1) {
                *ret_msg = tls_error_text();
                return -EIO;
        }
        SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
        SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
        /* Go sends the server name (SNI) unless it is an IP address. */
        if (inet_pton(AF_INET, server_name, &a4) != 1 && inet_pton(AF_INET6, server_name, &a6) != 1)
                (void)SSL_set_tlsext_host_name(c->ssl, server_name);
        for (;;) {
                int r = SSL_connect(c->ssl);
                int w;

                if (r == 1)
                        return 0;
                w = tls_wait(c, r);
                if (w == 0)
                        return -ETIMEDOUT;
                if (w < 0) {
                        *ret_msg = tls_error_text();
                        return -EPROTO;
                }
        }
}

int kl_agent__conn_write_all(struct kl_agent__conn *c, const void *data, size_t len)
{
        const char *p = data;

        while (len > 0) {
                ssize_t n;

                if (c->ssl) {
                        int r = SSL_write(c->ssl, p, (int)KL_MIN(len, (size_t)INT32_MAX));
                        int w;

                        if (r > 0) {
                                n = r;
                        } else {
                                w = tls_wait(c, r);
                                if (w == 0)
                                        return -ETIMEDOUT;
                                if (w < 0)
                                        return -EPIPE;
                                continue;
                        }
                } else {
                        n = send(c->fd, p, len, MSG_NOSIGNAL);
                        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                                if (wait_fd(c->fd, POLLOUT, c->deadline) == 0)
                                        return -ETIMEDOUT;
                                continue;
                        }
                        if (n < 0)
                                return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Read what is there: > 0 bytes, 0 at EOF, -ETIMEDOUT, or -errno. */
ssize_t kl_agent__conn_read(struct kl_agent__conn *c, void *buf, size_t size)
{
        for (;;) {
                ssize_t n;

                if (c->ssl) {
                        int r = SSL_read(c->ssl, buf, (int)KL_MIN(size, (size_t)INT32_MAX));
                        int e, w;

                        if (r > 0)
                                return r;
                        e = SSL_get_error(c->ssl, r);
                        /* Many servers close without close_notify: an end like any other. */
                        if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL)
                                return 0;
                        w = tls_wait(c, r);
                        if (w == 0)
                                return -ETIMEDOUT;
                        if (w < 0)
                                return -ECONNRESET;
                        continue;
                }
                n = recv(c->fd, buf, size, 0);
                if (n >= 0)
                        return n;
                if (errno != EAGAIN && errno != EINTR)
                        return -errno;
                if (wait_fd(c->fd, POLLIN, c->deadline) == 0)
                        return -ETIMEDOUT;
        }
}

/* ------------------------------------------------------------------------- */
/* The probe's fields */

const char *kl_agent__probe_target_host(const struct kl_agent__probe_target *t, const char *host)
{
        if (!kl_isempty(host))
                return host;
        if (!kl_isempty(t->pod_ip))
                return t->pod_ip;
        return "127.0.0.1";
}

/*
 * upstream's ResolveContainerPort: a number, or the name of one of the
 * container's ports, or a number written as a string. -EINVAL with the
 * message upstream's error would have.
 */
int kl_agent__probe_resolve_port(const json_t *port, const json_t *container, int *ret,
                                 char **ret_msg)
{
        int64_t v = -1;

        if (json_is_integer(port)) {
                v = json_integer_value(port);
        } else if (json_is_string(port)) {
                const char *name = json_string_value(port);
                const json_t *p;
                size_t i;

                json_array_foreach(json_object_get(container, "ports"), i, p) {
                        if (kl_streq_null(json_string_value(json_object_get(p, "name")), name)) {
                                v = json_integer_value(json_object_get(p, "containerPort"));
                                break;
                        }
                }
                if (v < 0 && kl_parse_int64(name, &v) < 0) {
                        *ret_msg =
                                kl_asprintf("strconv.Atoi: parsing \"%s\": invalid syntax", name);
                        return -EINVAL;
                }
        } else {
                *ret_msg = kl_strdup("invalid port number: 0");
                return -EINVAL;
        }
        if (v <= 0 || v >= 65536) {
                *ret_msg = kl_asprintf("invalid port number: %lld", (long long)v);
                return -EINVAL;
        }
        *ret = (int)v;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* exec */

static char *join_args(const json_t *cmd)
{
        struct kl_buf b = KL_BUF_INIT;
        const json_t *a;
        size_t i;

        json_array_foreach(cmd, i, a) {
                if (i > 0)
                        (void)kl_buf_putc(&b, ' ');
                (void)kl_buf_puts(&b, json_string_value(a) ?: "");
        }
        return kl_buf_detach(&b, NULL);
}

static enum kl_agent__probe_result probe_exec(const struct kl_agent__probe_ctx *x,
                                              const json_t *action, char **ret_message)
{
        const json_t *cmd = json_object_get(action, "command");
        kl_autobuf struct kl_buf out = KL_BUF_INIT_MAX(KL_AGENT__PROBE_OUTPUT_MAX);
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_process p = { 0 };
        struct kl_ctr_stream *s = NULL;
        const json_t *a;
        size_t i;
        int r;

        if (!x->t->rt || !x->t->ctr_id) {
                *ret_message = kl_strdup("exec probe: no container to run in");
                return KL_AGENT__PROBE_FAILURE;
        }
        json_array_foreach(cmd, i, a)
                kl_strv_push(&p.args, json_string_value(a) ?: "");
        if (!p.args) {
                *ret_message = kl_strdup("exec probe: empty command");
                return KL_AGENT__PROBE_FAILURE;
        }
        r = kl_ctr_exec(x->t->rt, x->t->ctr_id, &p, &s, &e);
        kl_ctr_process_release(&p);
        if (r < 0) {
                *ret_message = kl_strdup(kl_err_msg(e));
                return KL_AGENT__PROBE_FAILURE;
        }
        for (;;) {
                char buf[4096];
                enum kl_ctr_stream_kind kind;
                int code = 0;
                ssize_t n;

                n = kl_ctr_stream_read(s, buf, sizeof(buf), &kind, &code, &e);
                if (n == -EAGAIN) {
                        if (wait_fd(kl_ctr_stream_fd(s), POLLIN, x->deadline) > 0)
                                continue;
                        /*
                         * Upstream's message for an exec probe past its time-out
                         * (the runtime's DeadlineExceeded). The process goes on:
                         * the stream API cannot signal it; it ends with the
                         * container at the latest.
                         */
                        kl_ctr_stream_free(s);
                        {
                                kl_autofree char *line = join_args(cmd);
                                kl_autofree char *q = kl_agent__go_quote(line);

                                *ret_message = kl_asprintf("command %s timed out", q);
                        }
                        return KL_AGENT__PROBE_FAILURE;
                }
                if (n < 0) {
                        kl_ctr_stream_free(s);
                        *ret_message = kl_strdup(kl_err_msg(e));
                        return KL_AGENT__PROBE_FAILURE;
                }
                if (kind == KL_CTR_STREAM_EXIT) {
                        kl_ctr_stream_free(s);
                        *ret_message = kl_buf_detach(&out, NULL);
                        return code == 0 ? KL_AGENT__PROBE_SUCCESS : KL_AGENT__PROBE_FAILURE;
                }
                /* Combined output, the rest dropped past the limit (upstream's LimitWriter). */
                (void)kl_buf_append(&out, buf,
                                    KL_MIN((size_t)n, KL_AGENT__PROBE_OUTPUT_MAX - out.len));
        }
}

/* ------------------------------------------------------------------------- */
/* tcpSocket */

static enum kl_agent__probe_result probe_tcp(const struct kl_agent__probe_ctx *x,
                                             const json_t *action, char **ret_message)
{
        const char *host = kl_agent__probe_target_host(
                x->t, json_string_value(json_object_get(action, "host")));
        struct kl_agent__endpoint ep;
        int port, fd = -EBADF;

        if (kl_agent__probe_resolve_port(json_object_get(action, "port"), x->t->container, &port,
                                         ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        if (kl_agent__endpoint_resolve(host, port, &ep, ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        if (kl_agent__dial(x->t->netns, &ep, x->deadline, &fd, ret_message) < 0) {
                kl_agent__endpoint_release(&ep);
                return KL_AGENT__PROBE_FAILURE;
        }
        (void)kl_close(fd);
        kl_agent__endpoint_release(&ep);
        return KL_AGENT__PROBE_SUCCESS;
}

/* ------------------------------------------------------------------------- */

enum kl_agent__probe_result kl_agent__probe_run(const json_t *probe,
                                                const struct kl_agent__probe_target *t,
                                                char **ret_message)
{
        struct kl_agent__probe_ctx x = { .probe = probe, .t = t, .timeout_sec = 1 };
        kl_autofree char *msg = NULL;
        enum kl_agent__probe_result r;
        const json_t *a;
        json_int_t v;

        kl_assert(probe && t);
        v = json_integer_value(json_object_get(probe, "timeoutSeconds"));
        /* The API defaults timeoutSeconds to 1 and its minimum is 1. */
        if (v > 0)
                x.timeout_sec = v;
        x.deadline = kl_now_monotonic() + (kl_usec_t)x.timeout_sec * KL_USEC_PER_SEC;

        if ((a = json_object_get(probe, "exec")))
                r = probe_exec(&x, a, &msg);
        else if ((a = json_object_get(probe, "httpGet")))
                r = kl_agent__probe_http(&x, a, &msg);
        else if ((a = json_object_get(probe, "tcpSocket")))
                r = probe_tcp(&x, a, &msg);
        else if ((a = json_object_get(probe, "grpc")))
                r = kl_agent__probe_grpc(&x, a, &msg);
        else {
                /* Upstream: "missing probe handler" (an error, never a success). */
                msg = kl_strdup("missing probe handler");
                r = KL_AGENT__PROBE_FAILURE;
        }
        if (ret_message)
                *ret_message = KL_TAKE_PTR(msg);
        return r;
}
