/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Requests per second of a "hello" handler over keep-alive connections, TLS
 * beside plain HTTP on the same server code in the same run, so the figure
 * for TLS comes with its own reference (what the memory-BIO TLS layer costs).
 * Clients are blocking threads on loopback, one keep-alive connection each,
 * one request in flight per connection (as Go's clients do).
 *
 *   KL_BENCH_SECONDS   seconds per measurement (default 3)
 *   KL_BENCH_CONNS     client connections (default 2, one per core here)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http/http.h"
#include "loop/loop.h"

struct bench {
        uv_loop_t loop;
        uv_thread_t thread;
        uv_async_t stop;
        uv_sem_t ready;
        struct kl_http_server *server;
        struct kl_http_tls_config tls;
        bool use_tls;
        int port;
        atomic_bool running;
        atomic_ulong requests;
};

static void hello(struct kl_http_req *req, void *userdata)
{
        (void)userdata;
        (void)kl_http_respond(req, 200, "text/plain", "hello\n", 6);
}

static void on_stop(uv_async_t *a)
{
        struct bench *b = a->data;

        kl_http_server_close(b->server, KL_USEC_PER_SEC, NULL, NULL);
        uv_close((uv_handle_t *)&b->stop, NULL);
}

static void server_thread(void *arg)
{
        struct bench *b = arg;
        struct kl_http_server_config cfg = { .handler = hello, .tls = b->use_tls ? &b->tls : NULL };
        struct kl_err *err = NULL;

        if (kl_loop_init(&b->loop) < 0 || uv_async_init(&b->loop, &b->stop, on_stop) < 0)
                abort();
        b->stop.data = b;
        if (kl_http_server_new(&b->loop, &cfg, &b->server, &err) < 0 ||
            kl_http_server_listen(b->server, "127.0.0.1", 0, &err) < 0) {
                fprintf(stderr, "bench-http: %s\n", kl_err_msg(err));
                abort();
        }
        b->port = kl_http_server_port(b->server);
        uv_sem_post(&b->ready);
        (void)kl_loop_run(&b->loop, UV_RUN_DEFAULT);
}

struct client {
        struct bench *b;
        uv_thread_t thread;
        SSL_CTX *ctx;
};

static int io(SSL *ssl, int fd, void *buf, size_t len, bool wr)
{
        if (ssl)
                return wr ? SSL_write(ssl, buf, (int)len) : SSL_read(ssl, buf, (int)len);
        return (int)(wr ? write(fd, buf, len) : read(fd, buf, len));
}

static void client_thread(void *arg)
{
        struct client *cl = arg;
        struct bench *b = cl->b;
        static const char req[] = "GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)b->port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
        SSL *ssl = NULL;
        char buf[4096];

        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
                abort();
        if (cl->ctx) {
                ssl = SSL_new(cl->ctx);
                SSL_set_fd(ssl, fd);
                if (SSL_connect(ssl) != 1)
                        abort();
        }
        while (atomic_load(&b->running)) {
                size_t have = 0;
                char *end = NULL;

                if (io(ssl, fd, (char *)req, sizeof(req) - 1, true) != (int)sizeof(req) - 1)
                        abort();
                /* The response is a head plus "hello\n"; nothing else is in flight. */
                while (!end || have < (size_t)(end - buf) + 4 + 6) {
                        int n = io(ssl, fd, buf + have, sizeof(buf) - have - 1, false);

                        if (n <= 0)
                                abort();
                        have += (size_t)n;
                        buf[have] = '\0';
                        end = strstr(buf, "\r\n\r\n");
                }
                atomic_fetch_add(&b->requests, 1);
        }
        SSL_free(ssl);
        close(fd);
}

static double measure(bool use_tls, unsigned conns, unsigned seconds)
{
        struct bench b = { .use_tls = use_tls };
        struct client *clients = kl_calloc(conns, sizeof(*clients));
        SSL_CTX *ctx = NULL;
        kl_usec_t start, took;

        b.tls.cert_file = "pkg/http/tests/data/server.pem";
        b.tls.key_file = "pkg/http/tests/data/server-key.pem";
        uv_sem_init(&b.ready, 0);
        if (uv_thread_create(&b.thread, server_thread, &b) < 0)
                abort();
        uv_sem_wait(&b.ready);
        if (use_tls) {
                ctx = SSL_CTX_new(TLS_client_method());
                if (!ctx ||
                    SSL_CTX_load_verify_locations(ctx, "pkg/http/tests/data/ca.pem", NULL) != 1)
                        abort();
                SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        }
        atomic_store(&b.running, true);
        start = kl_now_monotonic();
        for (unsigned i = 0; i < conns; i++) {
                clients[i] = (struct client){ .b = &b, .ctx = ctx };
                if (uv_thread_create(&clients[i].thread, client_thread, &clients[i]) < 0)
                        abort();
        }
        sleep(seconds);
        atomic_store(&b.running, false);
        for (unsigned i = 0; i < conns; i++)
                uv_thread_join(&clients[i].thread);
        took = kl_now_monotonic() - start;
        uv_async_send(&b.stop);
        uv_thread_join(&b.thread);
        if (kl_loop_finish(&b.loop) != 0)
                fprintf(stderr, "bench-http: loop did not end clean\n");
        uv_sem_destroy(&b.ready);
        SSL_CTX_free(ctx);
        free(clients);
        return (double)atomic_load(&b.requests) * (double)KL_USEC_PER_SEC / (double)took;
}

static unsigned env_uint(const char *name, unsigned def)
{
        const char *v = getenv(name);
        unsigned r;

        return v && kl_parse_uint(v, &r) == 0 && r > 0 ? r : def;
}

int main(void)
{
        unsigned seconds = env_uint("KL_BENCH_SECONDS", 3), conns = env_uint("KL_BENCH_CONNS", 2);
        double plain, tls;

        kl_log_set_level(KL_LOG_WARN);
        plain = measure(false, conns, seconds);
        tls = measure(true, conns, seconds);
        printf("http hello, keep-alive, %u connections, %u s each (loopback)\n", conns, seconds);
        printf("  %-28s %10.0f req/s   (reference)\n", "plain HTTP/1.1", plain);
        printf("  %-28s %10.0f req/s   %5.1f%% of plain\n", "TLS (memory BIOs)", tls,
               100.0 * tls / plain);
        return 0;
}
