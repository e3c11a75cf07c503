/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Raw upgrades (http-upgrade.c, the raw branches of http-ws.c and of
 * http-ws-client.c): the HTTP/1.1 `Upgrade: SPDY/3.1` handshake of
 * client-go's SPDY round tripper, then an unframed byte pipe both ways. One
 * loop holds our server over TLS and our client in raw mode; a plain TCP
 * socket writes hand-made requests for the request predicates. Also the
 * client's parse of the 101's fields, table-driven.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "http/http-internal.h"
#include "loop/loop.h"
#include "testing/testing.h"

/* ------------------------------------------------------------------------- */
/* The 101 of a SPDY upgrade, as the client reads it */

Test(spdy_upgrade, response_head_fields_table)
{
        static const struct {
                const char *text;
                bool spdy, ws, conn;
                const char *protocol;
        } cases[] = {
                { "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "
                  "SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n",
                  true, false, true, "v4.channel.k8s.io" },
                { "HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: "
                  "spdy/3.1\r\n\r\n",
                  true, false, true, "" },
                { "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "
                  "websocket\r\n\r\n",
                  false, true, true, "" },
                { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: SPDY/3.0\r\n\r\n", false, false,
                  false, "" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_http__ws_resp r;

                cr_assert_gt(kl_http__ws_resp_parse(cases[i].text, strlen(cases[i].text), &r), 0,
                             "case %zu", i);
                cr_expect_eq(r.upgrade_spdy, cases[i].spdy, "case %zu", i);
                cr_expect_eq(r.upgrade_ws, cases[i].ws, "case %zu", i);
                cr_expect_eq(r.conn_upgrade, cases[i].conn, "case %zu", i);
                cr_expect_str_eq(r.stream_protocol, cases[i].protocol, "case %zu", i);
        }
}

/* ------------------------------------------------------------------------- */
/* Live: our server and our client on one loop */

struct env {
        uv_loop_t loop;
        struct kl_http_server *server;
        int port;
        bool tls;
        /* the server's side */
        struct kl_http_ws *sws; /* ref */
        bool spdy, offers_v4, offers_v9;
        int accept_r, bad_accept_r;
        struct kl_buf server_got;
        bool server_closed;
        int server_close_code;
        int requests;
        /* the client's side */
        struct kl_http_ws_client *c;
        bool connected;
        int connect_r, connect_status;
        char body[512];
        struct kl_buf got;
        bool closed;
        int close_code;
};

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 1000000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void srv_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                        size_t len, void *userdata)
{
        struct env *e = userdata;

        cr_expect_eq(op, KL_HTTP_WS_BINARY);
        cr_assert_eq(kl_buf_append(&e->server_got, data, len), 0);
        if (len == 5 && memcmp(data, "close", 5) == 0) {
                (void)kl_http_ws_send(ws, KL_HTTP_WS_BINARY, "bye", 3);
                (void)kl_http_ws_close(ws, 1000, NULL);
                return;
        }
        (void)kl_http_ws_send(ws, KL_HTTP_WS_BINARY, data, len);
}

static void srv_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct env *e = userdata;

        (void)ws;
        e->server_close_code = code;
        e->server_closed = true;
}

static void handler(struct kl_http_req *req, void *userdata)
{
        struct env *e = userdata;
        const struct kl_http_ws_callbacks cbs = { .on_message = srv_message,
                                                  .on_close = srv_close };
        struct kl_err *err = NULL;

        e->requests++;
        e->spdy = kl_http_req_is_spdy(req);
        e->offers_v4 = kl_http_req_stream_offers(req, "v4.channel.k8s.io");
        e->offers_v9 = kl_http_req_stream_offers(req, "v9.channel.k8s.io");
        if (kl_streq(kl_http_req_path(req), "/refuse") || !e->spdy) {
                (void)kl_http_respond(req, 400, "text/plain", "no", 2);
                return;
        }
        /* A version the client did not offer is refused, and the request can still be answered. */
        e->bad_accept_r = kl_http_spdy_accept(req, "v9.channel.k8s.io", &cbs, e, &e->sws, &err);
        kl_err_free(err);
        err = NULL;
        e->accept_r = kl_http_spdy_accept(req, e->offers_v4 ? "v4.channel.k8s.io" : NULL, &cbs, e,
                                          &e->sws, &err);
        kl_err_free(err);
}

static void env_start(struct env *e, bool tls)
{
        kl_autofree char *cert = kl_test_data_path("http", "server.pem");
        kl_autofree char *key = kl_test_data_path("http", "server-key.pem");
        const struct kl_http_tls_config t = { .cert_file = cert, .key_file = key };
        const struct kl_http_server_config cfg = { .handler = handler,
                                                   .userdata = e,
                                                   .tls = tls ? &t : NULL };
        struct kl_err *err = NULL;

        memset(e, 0, sizeof(*e));
        e->tls = tls;
        kl_buf_init(&e->got, SIZE_MAX);
        kl_buf_init(&e->server_got, SIZE_MAX);
        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_http_server_new(&e->loop, &cfg, &e->server, &err), 0, "%s",
                     kl_err_msg(err));
        cr_assert_eq(kl_http_server_listen(e->server, "127.0.0.1", 0, &err), 0);
        e->port = kl_http_server_port(e->server);
}

static void on_server_closed(struct kl_http_server *s, void *userdata)
{
        (void)s;
        *(bool *)userdata = true;
}

static void env_stop(struct env *e)
{
        bool closed = false;

        kl_http_ws_client_free(e->c);
        e->c = NULL;
        e->sws = kl_http_ws_unref(e->sws);
        kl_http_server_close(e->server, 0, on_server_closed, &closed);
        run_until(&e->loop, &closed);
        cr_expect_eq(kl_loop_finish(&e->loop), 0);
        kl_buf_release(&e->got);
        kl_buf_release(&e->server_got);
}

static void cl_connect(struct kl_http_ws_client *c, int r, int status, const char *ct,
                       const char *body, size_t len, const struct kl_err *err, void *userdata)
{
        struct env *e = userdata;

        (void)c;
        (void)ct;
        (void)err;
        e->connected = true;
        e->connect_r = r;
        e->connect_status = status;
        (void)snprintf(e->body, sizeof(e->body), "%.*s", (int)len, body ? body : "");
}

static void cl_message(struct kl_http_ws_client *c, enum kl_http_ws_opcode op, const void *data,
                       size_t len, void *userdata)
{
        struct env *e = userdata;

        (void)c;
        cr_expect_eq(op, KL_HTTP_WS_BINARY);
        cr_assert_eq(kl_buf_append(&e->got, data, len), 0);
}

static void cl_close(struct kl_http_ws_client *c, int code, void *userdata)
{
        struct env *e = userdata;

        (void)c;
        e->closed = true;
        e->close_code = code;
}

static void client_connect(struct env *e, const char *path, const char *protocols)
{
        kl_autofree char *url =
                kl_asprintf("%s://127.0.0.1:%d%s", e->tls ? "https" : "http", e->port, path);
        struct kl_err *err = NULL;
        const struct kl_http_ws_client_opts o = {
                .url = url,
                .spdy_protocols = protocols,
                .insecure_skip_verify = true,
                .on_connect = cl_connect,
                .on_message = cl_message,
                .on_close = cl_close,
                .userdata = e,
        };

        cr_assert_eq(kl_http_ws_client_connect(&e->loop, &o, &e->c, &err), 0, "%s",
                     kl_err_msg(err));
        run_until(&e->loop, &e->connected);
}

/* kubectl's offer, the server's choice, then bytes both ways without framing. */
Test(spdy_upgrade, echo_over_tls)
{
        struct env e;
        size_t n = 1 << 20;
        char *big = kl_malloc(n);

        for (size_t i = 0; i < n; i++)
                big[i] = (char)(i * 13 + (i >> 9));
        env_start(&e, true);
        client_connect(&e, "/exec/ns/pod/c?command=ls",
                       "v5.channel.k8s.io,v4.channel.k8s.io,channel.k8s.io");
        cr_assert_eq(e.connect_r, 0);
        cr_assert_eq(e.connect_status, 101);
        cr_expect(e.spdy);
        cr_expect(e.offers_v4);
        cr_expect(!e.offers_v9);
        cr_expect_eq(e.bad_accept_r, -EINVAL);
        cr_expect_eq(e.accept_r, 0);
        cr_expect_str_eq(kl_http_ws_client_protocol(e.c), "v4.channel.k8s.io");

        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, "\x80\x03\0\x01", 4), 0);
        while (e.got.len < 4)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(memcmp(e.got.buf, "\x80\x03\0\x01", 4), 0, "the bytes as they are");
        kl_buf_reset(&e.got);
        kl_buf_reset(&e.server_got);
        /* A megabyte arrives in whatever pieces, whole and in order. */
        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, big, n), 0);
        while (e.got.len < n)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(e.server_got.len, n);
        cr_expect_eq(memcmp(e.got.buf, big, n), 0);
        cr_expect_eq(kl_http_ws_client_ping(e.c, "x", 1), -EINVAL, "no pings in raw mode");
        free(big);
        env_stop(&e);
}

/* The server's close writes what is queued, then the connection ends: normal on both sides. */
Test(spdy_upgrade, server_close_after_write)
{
        struct env e;

        env_start(&e, true);
        client_connect(&e, "/x", "v4.channel.k8s.io");
        cr_assert_eq(e.connect_status, 101);
        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, "close", 5), 0);
        run_until(&e.loop, &e.closed);
        cr_expect_eq(e.close_code, 1000);
        cr_expect_eq(e.got.len, 3);
        cr_expect_eq(memcmp(e.got.buf, "bye", 3), 0);
        run_until(&e.loop, &e.server_closed);
        cr_expect_eq(e.server_close_code, 1000);
        cr_expect_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, "x", 1), -ECONNRESET);
        env_stop(&e);
}

/* The client's close: its bytes go out first; the server sees the connection end. */
Test(spdy_upgrade, client_close_after_write)
{
        struct env e;

        env_start(&e, false);
        client_connect(&e, "/x", "v4.channel.k8s.io");
        cr_assert_eq(e.connect_status, 101);
        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, "last", 4), 0);
        cr_assert_eq(kl_http_ws_client_close(e.c, 1000, NULL), 0);
        run_until(&e.loop, &e.closed);
        cr_expect_eq(e.close_code, 1000);
        run_until(&e.loop, &e.server_closed);
        cr_expect_eq(e.server_got.len, 4);
        cr_expect_eq(memcmp(e.server_got.buf, "last", 4), 0);
        cr_expect_eq(e.server_close_code, 1006, "no close of its own: the connection was lost");
        env_stop(&e);
}

/* A refusal is an answer with its body; no protocol offered is accepted without the header. */
Test(spdy_upgrade, refusal_and_no_protocol)
{
        struct env e;

        env_start(&e, true);
        client_connect(&e, "/refuse", "portforward.k8s.io");
        cr_expect_eq(e.connect_r, 0);
        cr_expect_eq(e.connect_status, 400);
        cr_expect_str_eq(e.body, "no");
        kl_http_ws_client_free(e.c);
        e.c = NULL;
        e.connected = false;
        client_connect(&e, "/x", "portforward.k8s.io");
        cr_expect_eq(e.connect_status, 101);
        cr_expect_str_eq(kl_http_ws_client_protocol(e.c), "");
        env_stop(&e);
}

Test(spdy_upgrade, bad_protocol_lists_are_refused)
{
        static const char *const bad[] = { "", ",v4", "v4,", "v4,,v5", "v4 v5", "v4;q=1" };
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++) {
                struct kl_http_ws_client *c = NULL;
                struct kl_err *err = NULL;
                const struct kl_http_ws_client_opts o = { .url = "http://127.0.0.1:1/x",
                                                          .spdy_protocols = bad[i],
                                                          .on_connect = cl_connect };

                cr_expect_eq(kl_http_ws_client_connect(&loop, &o, &c, &err), -EINVAL, "'%s'",
                             bad[i]);
                kl_err_free(err);
        }
        cr_expect_eq(kl_loop_finish(&loop), 0);
}

/* ------------------------------------------------------------------------- */
/* The request predicates, on hand-made requests */

static int plain_connect(int port)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        return fd;
}

struct pump_arg {
        int fd;
        const char *req;
        char resp[4096];
        size_t len;
        bool done;
};

static void pump_thread(void *arg)
{
        struct pump_arg *p = arg;
        ssize_t n;

        if (write(p->fd, p->req, strlen(p->req)) < 0)
                return;
        /* The head is all we need: read until its end. */
        while (p->len < sizeof(p->resp) - 1 &&
               (n = read(p->fd, p->resp + p->len, sizeof(p->resp) - 1 - p->len)) > 0) {
                p->len += (size_t)n;
                p->resp[p->len] = '\0';
                if (strstr(p->resp, "\r\n\r\n"))
                        break;
        }
        __atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
}

Test(spdy_upgrade, request_predicates_table)
{
        static const struct {
                const char *req;
                bool spdy, v4;
                const char *status; /* of the answer */
        } cases[] = {
                { "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: Upgrade\r\n"
                  "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v5.channel.k8s.io\r\n"
                  "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n",
                  true, true, "101" },
                { "GET /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n"
                  "Upgrade: spdy/3.1\r\nX-Stream-Protocol-Version: v2.channel.k8s.io, "
                  "v4.channel.k8s.io\r\n\r\n",
                  true, true, "101" },
                { "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nUpgrade: SPDY/3.1\r\n\r\n",
                  false, false, "400" },
                { "POST /x HTTP/1.0\r\nContent-Length: 0\r\nConnection: Upgrade\r\n"
                  "Upgrade: SPDY/3.1\r\n\r\n",
                  false, false, "400" },
                { "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: Upgrade\r\n"
                  "Upgrade: SPDY/3\r\n\r\n",
                  false, false, "400" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct env e;
                struct pump_arg p = { .req = cases[i].req };
                uv_thread_t t;

                env_start(&e, false);
                p.fd = plain_connect(e.port);
                cr_assert_eq(uv_thread_create(&t, pump_thread, &p), 0);
                while (e.requests == 0)
                        (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
                cr_expect_eq(e.spdy, cases[i].spdy, "case %zu", i);
                cr_expect_eq(e.offers_v4, cases[i].v4, "case %zu", i);
                /* The answer reaches the socket from the loop; the reader says when it has it. */
                while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE)) {
                        (void)kl_loop_run(&e.loop, UV_RUN_NOWAIT);
                        (void)usleep(1000);
                }
                cr_assert_eq(uv_thread_join(&t), 0);
                cr_expect(p.len > 12 && strncmp(p.resp + 9, cases[i].status, 3) == 0,
                          "case %zu: %s", i, p.resp);
                if (cases[i].spdy && cases[i].v4)
                        cr_expect(strstr(p.resp, "\r\nUpgrade: SPDY/3.1\r\n") &&
                                          strstr(p.resp, "\r\nConnection: Upgrade\r\n") &&
                                          strstr(p.resp, "\r\nX-Stream-Protocol-Version: "
                                                         "v4.channel.k8s.io\r\n"),
                                  "case %zu: %s", i, p.resp);
                (void)close(p.fd);
                env_stop(&e);
        }
}
