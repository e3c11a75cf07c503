/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end fixture for pkg/http's tests: the server runs on its own loop in
 * a background thread (the "loop thread" as in the product), and the test body
 * drives it from the main thread with blocking clients over real sockets,
 * plain or TLS. Criterion's assertions stay on the main thread; handlers
 * record what they see under `mu` and the test reads it afterwards, or runs a
 * function on the loop thread synchronously with ht_call().
 *
 * ht_stop() shuts the server down gracefully, joins the thread and asserts
 * that the close callback ran and kl_loop_finish() found the loop clean
 * (STYLE R8.9, R13.3): a leaked handle fails the test, a leaked allocation
 * fails it under SANITIZE=1.
 */
#ifndef KL_HTTP_TESTS_HTTP_TEST_H
#define KL_HTTP_TESTS_HTTP_TEST_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http/http.h"
#include "loop/loop.h"
#include "testing/testing.h"

struct ht_server;
typedef void ht_fn(struct ht_server *h, void *arg);

struct ht_server {
        uv_loop_t loop;
        uv_thread_t thread;
        uv_async_t wake; /* main thread -> loop thread: run `call`, or stop */
        uv_sem_t done;   /* loop thread -> main thread: started, call done */
        uv_mutex_t mu;   /* guards everything below that both threads touch */
        ht_fn *call_fn;
        void *call_arg;
        bool stop;
        struct kl_http_server_config cfg;
        struct kl_http_tls_config tls;
        bool use_tls;
        const char *address;
        kl_usec_t grace;
        struct kl_http_server *server;
        int port;
        int listen_error;
        bool closed;
        bool shutdown_called; /* main thread only */
        void *test;           /* the test's own state */
};

static inline void ht_wake_cb(uv_async_t *a)
{
        struct ht_server *h = a->data;
        ht_fn *fn;
        void *arg;
        bool stop;

        uv_mutex_lock(&h->mu);
        fn = h->call_fn;
        arg = h->call_arg;
        stop = h->stop;
        h->call_fn = NULL;
        uv_mutex_unlock(&h->mu);
        if (fn) {
                fn(h, arg);
                uv_sem_post(&h->done);
        }
        if (stop)
                uv_close((uv_handle_t *)&h->wake, NULL);
}

static inline void ht_closed_cb(struct kl_http_server *s, void *userdata)
{
        struct ht_server *h = userdata;

        (void)s;
        uv_mutex_lock(&h->mu);
        h->closed = true;
        uv_mutex_unlock(&h->mu);
}

static inline void ht_thread(void *arg)
{
        struct ht_server *h = arg;
        struct kl_err *err = NULL;
        int r;

        cr_assert_eq(kl_loop_init(&h->loop), 0);
        h->wake.data = h;
        cr_assert_eq(uv_async_init(&h->loop, &h->wake, ht_wake_cb), 0);
        if (h->use_tls)
                h->cfg.tls = &h->tls;
        r = kl_http_server_new(&h->loop, &h->cfg, &h->server, &err);
        if (r >= 0)
                r = kl_http_server_listen(h->server, h->address ? h->address : "127.0.0.1", 0,
                                          &err);
        if (r < 0) {
                fprintf(stderr, "server: %s\n", kl_err_msg(err));
                kl_err_free(err);
                h->listen_error = r;
        } else {
                h->port = kl_http_server_port(h->server);
        }
        uv_sem_post(&h->done);
        (void)kl_loop_run(&h->loop, UV_RUN_DEFAULT);
}

static inline char *ht_data(const char *name)
{
        return kl_test_data_path("http", name);
}

/* Fill in a server on 127.0.0.1, plain HTTP, with `handler`. */
static inline void ht_init(struct ht_server *h, kl_http_handler_fn *handler, void *test)
{
        memset(h, 0, sizeof(*h));
        h->cfg.handler = handler;
        h->cfg.userdata = h;
        h->test = test;
        h->grace = 5 * KL_USEC_PER_SEC;
        uv_mutex_init(&h->mu);
        uv_sem_init(&h->done, 0);
}

/* Serve TLS with the committed test certificate; `client_ca` asks for client certificates. */
static inline void ht_use_tls(struct ht_server *h, bool client_ca)
{
        h->use_tls = true;
        h->tls.cert_file = ht_data("server.pem");
        h->tls.key_file = ht_data("server-key.pem");
        if (client_ca)
                h->tls.client_ca_file = ht_data("ca.pem");
}

static inline void ht_start(struct ht_server *h)
{
        cr_assert_eq(uv_thread_create(&h->thread, ht_thread, h), 0);
        uv_sem_wait(&h->done);
        cr_assert_eq(h->listen_error, 0, "server did not start: %s", kl_strerror(h->listen_error));
        cr_assert_gt(h->port, 0);
}

/* Run fn(h, arg) on the loop thread and wait for it. */
static inline void ht_call(struct ht_server *h, ht_fn *fn, void *arg)
{
        uv_mutex_lock(&h->mu);
        h->call_fn = fn;
        h->call_arg = arg;
        uv_mutex_unlock(&h->mu);
        uv_async_send(&h->wake);
        uv_sem_wait(&h->done);
}

static inline void ht_close_server(struct ht_server *h, void *arg)
{
        (void)arg;
        kl_http_server_close(h->server, h->grace, ht_closed_cb, h);
}

/* Begin the graceful shutdown (the loop thread keeps running until it ends). */
static inline void ht_shutdown(struct ht_server *h)
{
        h->shutdown_called = true;
        ht_call(h, ht_close_server, NULL);
}

/* Shut down (unless ht_shutdown() did), wait for the loop to end, check it ended clean. */
static inline void ht_stop(struct ht_server *h)
{
        if (!h->shutdown_called)
                ht_shutdown(h);
        uv_mutex_lock(&h->mu);
        h->stop = true;
        uv_mutex_unlock(&h->mu);
        uv_async_send(&h->wake);
        cr_assert_eq(uv_thread_join(&h->thread), 0);
        cr_assert(h->closed, "the server's close callback did not run");
        cr_assert_eq(kl_loop_finish(&h->loop), 0, "handles left open on the loop");
        uv_sem_destroy(&h->done);
        uv_mutex_destroy(&h->mu);
        free((char *)h->tls.cert_file);
        free((char *)h->tls.key_file);
        free((char *)h->tls.client_ca_file);
}

/* Poll `cond(h)` on the loop thread until it holds or `ms` pass. */
static inline bool ht_wait_for(struct ht_server *h, bool (*cond)(struct ht_server *h), int ms)
{
        for (int waited = 0; waited < ms; waited += 10) {
                bool ok;

                uv_mutex_lock(&h->mu);
                ok = cond(h);
                uv_mutex_unlock(&h->mu);
                if (ok)
                        return true;
                usleep(10 * 1000);
        }
        return false;
}

/* ------------------------------------------------------------------------- */
/* Blocking client */

struct ht_client {
        int fd;
        SSL_CTX *ctx;
        SSL *ssl;
        char *buf; /* owned; received, not yet consumed */
        size_t len;
        bool eof;
};

struct ht_resp {
        int status;
        char head[16 * 1024]; /* status line and headers, NUL-terminated */
        char *body;           /* owned; NUL-terminated */
        size_t body_len;
        bool chunked;
};

static inline void ht_resp_release(struct ht_resp *r)
{
        free(r->body);
        r->body = NULL;
}

static inline int ht_socket_connect(int family, const char *ip, int port)
{
        struct sockaddr_storage ss = { 0 };
        socklen_t len;
        struct timeval tv = { .tv_sec = 10 };
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;

        cr_assert_geq(fd, 0);
        if (family == AF_INET6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                cr_assert_eq(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
                len = sizeof(*a);
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;

                a->sin_family = AF_INET;
                a->sin_port = htons((uint16_t)port);
                cr_assert_eq(inet_pton(AF_INET, ip, &a->sin_addr), 1);
                len = sizeof(*a);
        }
        /* Never hang a test: a read that waits 10 s fails it. */
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        cr_assert_eq(connect(fd, (struct sockaddr *)&ss, len), 0, "connect: %s", strerror(errno));
        return fd;
}

#define HT_CLIENT_BUF ((size_t)8 << 20)

/* A client on an already connected socket. */
static inline void ht_client_init(struct ht_client *c, int fd)
{
        memset(c, 0, sizeof(*c));
        c->fd = fd;
        c->buf = kl_malloc(HT_CLIENT_BUF);
}

static inline void ht_connect(struct ht_client *c, int port)
{
        ht_client_init(c, ht_socket_connect(AF_INET, "127.0.0.1", port));
}

struct ht_tls_opts {
        const char *cert; /* client certificate (data file name), or NULL */
        const char *key;
        const char *alpn; /* wire format, e.g. "\x02h2\x08http/1.1" */
        size_t alpn_len;
        int max_version; /* 0: no limit */
};

/* TLS handshake; returns SSL_connect()'s result (1 on success). */
static inline int ht_connect_tls(struct ht_client *c, int port, const struct ht_tls_opts *o)
{
        kl_autofree char *ca = ht_data("ca.pem");
        int r;

        ht_connect(c, port);
        c->ctx = SSL_CTX_new(TLS_client_method());
        cr_assert_not_null(c->ctx);
        cr_assert_eq(SSL_CTX_load_verify_locations(c->ctx, ca, NULL), 1);
        SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
        if (o && o->max_version)
                cr_assert_eq(SSL_CTX_set_max_proto_version(c->ctx, o->max_version), 1);
        if (o && o->cert) {
                kl_autofree char *cert = ht_data(o->cert), *key = ht_data(o->key);

                cr_assert_eq(SSL_CTX_use_certificate_chain_file(c->ctx, cert), 1);
                cr_assert_eq(SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM), 1);
        }
        c->ssl = SSL_new(c->ctx);
        cr_assert_not_null(c->ssl);
        if (o && o->alpn)
                cr_assert_eq(SSL_set_alpn_protos(c->ssl, (const unsigned char *)o->alpn,
                                                 (unsigned)o->alpn_len),
                             0);
        SSL_set1_host(c->ssl, "127.0.0.1");
        SSL_set_fd(c->ssl, c->fd);
        r = SSL_connect(c->ssl);
        ERR_clear_error();
        return r;
}

static inline void ht_close(struct ht_client *c)
{
        if (c->ssl)
                SSL_free(c->ssl);
        SSL_CTX_free(c->ctx);
        if (c->fd >= 0)
                close(c->fd);
        free(c->buf);
        c->buf = NULL;
        c->ssl = NULL;
        c->ctx = NULL;
        c->fd = -1;
}

static inline void ht_send(struct ht_client *c, const void *data, size_t len)
{
        const char *p = data;

        while (len > 0) {
                ssize_t n = c->ssl ? SSL_write(c->ssl, p, (int)len) : write(c->fd, p, len);

                cr_assert_gt(n, 0, "send failed");
                p += n;
                len -= (size_t)n;
        }
}

static inline void ht_sends(struct ht_client *c, const char *s)
{
        ht_send(c, s, strlen(s));
}

/* Read more bytes into the buffer; false on EOF (or a reset, which is EOF to us). */
static inline bool ht_fill(struct ht_client *c)
{
        ssize_t n;

        if (c->eof)
                return false;
        cr_assert_lt(c->len, HT_CLIENT_BUF, "client buffer full");
        if (c->ssl) {
                n = SSL_read(c->ssl, c->buf + c->len, (int)(HT_CLIENT_BUF - c->len));
                ERR_clear_error();
        } else {
                n = read(c->fd, c->buf + c->len, HT_CLIENT_BUF - c->len);
                if (n < 0 && errno == ECONNRESET)
                        n = 0;
                cr_assert_geq(n, 0, "read: %s", strerror(errno));
        }
        if (n <= 0) {
                c->eof = true;
                return false;
        }
        c->len += (size_t)n;
        return true;
}

static inline void ht_consume(struct ht_client *c, size_t n)
{
        memmove(c->buf, c->buf + n, c->len - n);
        c->len -= n;
}

/* Wait until `n` bytes are buffered; false on EOF first. */
static inline bool ht_need(struct ht_client *c, size_t n)
{
        while (c->len < n)
                if (!ht_fill(c))
                        return false;
        return true;
}

/* One line (without CRLF) into `out`. */
static inline void ht_read_line(struct ht_client *c, char *out, size_t size)
{
        char *nl;

        while (!(nl = memchr(c->buf, '\n', c->len)))
                cr_assert(ht_fill(c), "EOF before end of line");
        cr_assert_lt((size_t)(nl - c->buf), size);
        memcpy(out, c->buf, (size_t)(nl - c->buf));
        out[nl - c->buf] = '\0';
        if (nl > c->buf && nl[-1] == '\r')
                out[nl - c->buf - 1] = '\0';
        ht_consume(c, (size_t)(nl - c->buf) + 1);
}

/* The value of header `name` in a head read by ht_read_head(), or NULL. Static buffer. */
static inline const char *ht_header(const struct ht_resp *r, const char *name)
{
        static char value[1024];
        size_t nlen = strlen(name);
        const char *line = strchr(r->head, '\n');

        while (line && line[1]) {
                line++;
                if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
                        const char *v = line + nlen + 1, *end = strchr(v, '\r');

                        while (*v == ' ')
                                v++;
                        snprintf(value, sizeof(value), "%.*s", (int)(end - v), v);
                        return value;
                }
                line = strchr(line, '\n');
        }
        return NULL;
}

/* Status line and headers; false on EOF before any byte. */
static inline bool ht_read_head(struct ht_client *c, struct ht_resp *r)
{
        char *end;

        memset(r, 0, sizeof(*r));
        while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
                if (!ht_fill(c)) {
                        cr_assert_eq(c->len, 0, "EOF in the middle of a response head");
                        return false;
                }
        }
        cr_assert_lt((size_t)(end - c->buf) + 4, sizeof(r->head));
        memcpy(r->head, c->buf, (size_t)(end - c->buf) + 4);
        r->head[end - c->buf + 4] = '\0';
        ht_consume(c, (size_t)(end - c->buf) + 4);
        cr_assert_eq(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1, "bad status line: %s",
                     r->head);
        r->chunked = ht_header(r, "Transfer-Encoding") != NULL;
        return true;
}

/* One chunk of a chunked body; returns its length (0: the last chunk), data in `*ret`. */
static inline size_t ht_read_chunk(struct ht_client *c, char **ret)
{
        char line[64];
        unsigned long size;

        ht_read_line(c, line, sizeof(line));
        cr_assert_eq(sscanf(line, "%lx", &size), 1, "bad chunk line '%s'", line);
        if (size == 0) {
                ht_read_line(c, line, sizeof(line));
                cr_assert_str_eq(line, "");
                *ret = kl_strdup("");
                return 0;
        }
        cr_assert(ht_need(c, size + 2), "EOF inside a chunk");
        *ret = kl_strndup(c->buf, size);
        cr_assert_eq(memcmp(c->buf + size, "\r\n", 2), 0);
        ht_consume(c, size + 2);
        return size;
}

/* A whole response; `head_request` when it answers HEAD (no body follows). */
static inline bool ht_read_response(struct ht_client *c, struct ht_resp *r, bool head_request)
{
        const char *cl;
        kl_autobuf struct kl_buf body = KL_BUF_INIT;

        if (!ht_read_head(c, r))
                return false;
        cl = ht_header(r, "Content-Length");
        if (head_request || r->status == 204 || r->status == 304 || r->status < 200) {
                /* no body */
        } else if (r->chunked) {
                for (;;) {
                        char *chunk = NULL;
                        size_t n = ht_read_chunk(c, &chunk);

                        (void)kl_buf_append(&body, chunk, n);
                        free(chunk);
                        if (n == 0)
                                break;
                }
        } else if (cl) {
                uint64_t n = 0;

                cr_assert_eq(kl_parse_uint64(cl, &n), 0, "bad Content-Length '%s'", cl);
                cr_assert(ht_need(c, n), "EOF inside a body");
                (void)kl_buf_append(&body, c->buf, n);
                ht_consume(c, n);
        } else {
                while (ht_fill(c))
                        ;
                (void)kl_buf_append(&body, c->buf, c->len);
                ht_consume(c, c->len);
        }
        r->body = kl_buf_detach(&body, &r->body_len);
        return true;
}

/* True if the server closes the connection (EOF) with nothing more to read. */
static inline bool ht_expect_eof(struct ht_client *c)
{
        while (ht_fill(c))
                ;
        return c->len == 0;
}

/* A request with a body-less GET, then its response. */
static inline void ht_get(struct ht_client *c, const char *path, struct ht_resp *r)
{
        char req[1024];

        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
        ht_sends(c, req);
        cr_assert(ht_read_response(c, r, false), "no response to GET %s", path);
}

#endif
