/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The WebSocket client (http-ws-client.c), on one loop with the servers it
 * talks to: our own kl_http server over TLS (whose decoder refuses unmasked
 * frames, so every echo proves the client masks) and a raw TCP server that
 * writes hand-made frames (fragments with a ping between them, a wrong
 * Sec-WebSocket-Accept). Also the pure parsers of the response head and of a
 * refusal's body, table-driven.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "http/http-internal.h"
#include "loop/loop.h"
#include "testing/testing.h"

/* ------------------------------------------------------------------------- */
/* Pure parsers */

struct head_case {
        const char *text;
        int want; /* >0: whole length expected (-1 means strlen), 0 incomplete, <0 error */
        int status;
        bool upgrade, conn, chunked;
        const char *protocol;
};

Test(ws_client, response_head_table)
{
        static const struct head_case cases[] = {
                { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                  "Upgrade\r\nSec-WebSocket-Accept: abc=\r\nSec-WebSocket-Protocol: "
                  "v5.channel.k8s.io\r\n\r\n",
                  -1, 101, true, true, false, "v5.channel.k8s.io" },
                { "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: "
                  "2\r\n\r\n",
                  -1, 403, false, false, false, "" },
                { "HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n", -1, 500, false, false,
                  true, "" },
                { "HTTP/1.1 200\r\n\r\n", -1, 200, false, false, false, "" },
                { "HTTP/1.1 101 Switching", 0, 0, false, false, false, "" },
                { "HTTP/1.1 101 ok\r\nUpgrade: websocket\r\n", 0, 0, false, false, false, "" },
                { "HTTP/2 101 ok\r\n\r\n", -EBADMSG, 0, false, false, false, "" },
                { "HTTP/1.1 1x1 ok\r\n\r\n", -EBADMSG, 0, false, false, false, "" },
                { "HTTP/1.1 099 ok\r\n\r\n", -EBADMSG, 0, false, false, false, "" },
                { "HTTP/1.1 200 ok\r\nno colon\r\n\r\n", -EBADMSG, 0, false, false, false, "" },
                { "HTTP/1.1 200 ok\r\nContent-Length: 1x\r\n\r\n", -EBADMSG, 0, false, false, false,
                  "" },
                { "HTTP/1.1 200 ok\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -EBADMSG, 0,
                  false, false, false, "" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct head_case *c = &cases[i];
                struct kl_http__ws_resp r;
                int got = kl_http__ws_resp_parse(c->text, strlen(c->text), &r);
                int want = c->want == -1 ? (int)strlen(c->text) : c->want;

                cr_expect_eq(got, want, "case %zu: got %d want %d", i, got, want);
                if (got <= 0)
                        continue;
                cr_expect_eq(r.status, c->status, "case %zu", i);
                cr_expect_eq(r.upgrade_ws, c->upgrade, "case %zu", i);
                cr_expect_eq(r.conn_upgrade, c->conn, "case %zu", i);
                cr_expect_eq(r.chunked, c->chunked, "case %zu", i);
                cr_expect_str_eq(r.protocol, c->protocol, "case %zu", i);
        }
}

Test(ws_client, response_head_too_large)
{
        size_t n = KL_HTTP__WS_CLIENT_MAX_HEAD + 10;
        char *big = kl_malloc(n + 1);
        struct kl_http__ws_resp r;

        memcpy(big, "HTTP/1.1 200 ok\r\nX: ", 20);
        memset(big + 20, 'a', n - 20);
        big[n] = '\0';
        cr_expect_eq(kl_http__ws_resp_parse(big, n, &r), -E2BIG);
        free(big);
}

struct body_case {
        const char *head;
        const char *body;
        bool eof;
        int want;
        const char *decoded;
};

Test(ws_client, refusal_body_table)
{
        static const struct body_case cases[] = {
                { "HTTP/1.1 403 x\r\nContent-Length: 5\r\n\r\n", "hello", false, 1, "hello" },
                { "HTTP/1.1 403 x\r\nContent-Length: 5\r\n\r\n", "hel", false, 0, "" },
                { "HTTP/1.1 403 x\r\nContent-Length: 5\r\n\r\n", "hel", true, -EBADMSG, "" },
                { "HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n",
                  "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n", false, 1, "abcde" },
                { "HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n", "3\r\nabc\r\n", false, 0,
                  "" },
                { "HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n", "3\r\nabcX\r\n", false,
                  -EBADMSG, "" },
                { "HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n", "zz\r\n", false, -EBADMSG,
                  "" },
                { "HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n", "1000000000000000\r\n",
                  false, -EBADMSG, "" },
                { "HTTP/1.1 400 x\r\n\r\n", "until close", false, 0, "" },
                { "HTTP/1.1 400 x\r\n\r\n", "until close", true, 1, "until close" },
                { "HTTP/1.1 204 x\r\n\r\n", "", false, 1, "" },
                { "HTTP/1.1 403 x\r\nContent-Length: 99999999999\r\n\r\n", "", false, -E2BIG, "" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct body_case *c = &cases[i];
                struct kl_http__ws_resp r;
                struct kl_buf out = KL_BUF_INIT_MAX(KL_HTTP__WS_CLIENT_MAX_BODY);
                int got;

                cr_assert_gt(kl_http__ws_resp_parse(c->head, strlen(c->head), &r), 0, "case %zu",
                             i);
                got = kl_http__ws_resp_body(&r, c->body, strlen(c->body), c->eof, &out);
                cr_expect_eq(got, c->want, "case %zu: got %d", i, got);
                if (got == 1)
                        cr_expect_str_eq(out.buf, c->decoded, "case %zu", i);
                kl_buf_release(&out);
        }
}

/* ------------------------------------------------------------------------- */
/* Live: a kl_http server on the same loop */

struct env {
        uv_loop_t loop;
        struct kl_http_server *server;
        int port;
        bool server_closed;
        /* what the server saw */
        struct kl_http_ws *sws; /* ref */
        char client_cn[128];
        int server_close_code;
        bool server_closed_ws;
        /* what the client saw */
        struct kl_http_ws_client *c;
        bool connected;
        int connect_r, connect_status;
        char body[512];
        int messages;
        struct kl_buf got; /* last message */
        int got_op;
        bool closed;
        int close_code;
        int pongs;
        char pong[126];
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
        (void)userdata;
        if (len == 5 && memcmp(data, "close", 5) == 0) {
                (void)kl_http_ws_close(ws, 4001, "bye");
                return;
        }
        (void)kl_http_ws_send(ws, op, data, len);
}

static void srv_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct env *e = userdata;

        (void)ws;
        e->server_close_code = code;
        e->server_closed_ws = true;
}

static void handler(struct kl_http_req *req, void *userdata)
{
        struct env *e = userdata;
        const struct kl_http_ws_callbacks cbs = { .on_message = srv_message,
                                                  .on_close = srv_close };
        const struct kl_http_client_cert *cert = kl_http_req_client_cert(req);
        struct kl_err *err = NULL;
        static const char status[] =
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                "\"Failure\",\"message\":\"nope\",\"reason\":\"Forbidden\",\"code\":403}";

        if (cert)
                (void)snprintf(e->client_cn, sizeof(e->client_cn), "%s", cert->common_name);
        if (kl_streq(kl_http_req_path(req), "/refuse")) {
                (void)kl_http_respond(req, 403, "application/json", status, strlen(status));
                return;
        }
        cr_assert_eq(kl_http_ws_accept(req,
                                       kl_http_req_ws_offers(req, "v5.channel.k8s.io")
                                               ? "v5.channel.k8s.io"
                                               : NULL,
                                       &cbs, e, &e->sws, &err),
                     0, "%s", kl_err_msg(err));
}

static void env_start(struct env *e)
{
        kl_autofree char *cert = kl_test_data_path("http", "server.pem");
        kl_autofree char *key = kl_test_data_path("http", "server-key.pem");
        kl_autofree char *ca = kl_test_data_path("http", "ca.pem");
        const struct kl_http_tls_config tls = { .cert_file = cert,
                                                .key_file = key,
                                                .client_ca_file = ca };
        const struct kl_http_server_config cfg = { .handler = handler, .userdata = e, .tls = &tls };
        struct kl_err *err = NULL;

        memset(e, 0, sizeof(*e));
        kl_buf_init(&e->got, SIZE_MAX);
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
        e->messages++;
        e->got_op = op;
        kl_buf_reset(&e->got);
        (void)kl_buf_append(&e->got, data, len);
}

static void cl_close(struct kl_http_ws_client *c, int code, void *userdata)
{
        struct env *e = userdata;

        (void)c;
        e->closed = true;
        e->close_code = code;
}

static void cl_pong(struct kl_http_ws_client *c, const void *data, size_t len, void *userdata)
{
        struct env *e = userdata;

        (void)c;
        e->pongs++;
        (void)snprintf(e->pong, sizeof(e->pong), "%.*s", (int)len, (const char *)data);
}

struct conn_opts {
        const char *path;
        bool with_ca, with_cert, insecure, rogue_ca;
        int port; /* 0: the env's server */
};

static void client_connect(struct env *e, const struct conn_opts *co)
{
        kl_autofree char *ca_path =
                kl_test_data_path("http", co->rogue_ca ? "rogue-ca.pem" : "ca.pem");
        kl_autofree char *cert_path = kl_test_data_path("http", "client.pem");
        kl_autofree char *key_path = kl_test_data_path("http", "client-key.pem");
        kl_autofree char *ca = kl_test_read_file(ca_path);
        kl_autofree char *cert = kl_test_read_file(cert_path);
        kl_autofree char *key = kl_test_read_file(key_path);
        kl_autofree char *url = kl_asprintf("%s://127.0.0.1:%d%s", co->port ? "ws" : "wss",
                                            co->port ? co->port : e->port, co->path);
        struct kl_err *err = NULL;
        const struct kl_http_ws_client_opts o = {
                .url = url,
                .subprotocol = "v5.channel.k8s.io",
                .ca_pem = co->with_ca || co->rogue_ca ? ca : NULL,
                .cert_pem = co->with_cert ? cert : NULL,
                .key_pem = co->with_cert ? key : NULL,
                .insecure_skip_verify = co->insecure,
                .on_connect = cl_connect,
                .on_message = cl_message,
                .on_close = cl_close,
                .on_pong = cl_pong,
                .userdata = e,
        };

        cr_assert_eq(kl_http_ws_client_connect(&e->loop, &o, &e->c, &err), 0, "%s",
                     kl_err_msg(err));
        run_until(&e->loop, &e->connected);
}

Test(ws_client, echo_over_tls_with_client_certificate)
{
        struct env e;
        const char text[] = "hello";
        uint8_t frame[] = { 1, 'o', 'u', 't' };

        env_start(&e);
        client_connect(&e,
                       &(struct conn_opts){ .path = "/echo", .with_ca = true, .with_cert = true });
        cr_assert_eq(e.connect_r, 0);
        cr_assert_eq(e.connect_status, 101);
        cr_expect_str_eq(kl_http_ws_client_protocol(e.c), "v5.channel.k8s.io");
        cr_expect_str_eq(e.client_cn, "admin");

        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, frame, sizeof(frame)), 0);
        while (e.messages < 1)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(e.got_op, KL_HTTP_WS_BINARY);
        cr_expect_eq(e.got.len, sizeof(frame));
        cr_expect_eq(memcmp(e.got.buf, frame, sizeof(frame)), 0);

        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_TEXT, text, strlen(text)), 0);
        while (e.messages < 2)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(e.got_op, KL_HTTP_WS_TEXT);
        cr_expect_str_eq(e.got.buf, "hello");
        env_stop(&e);
}

Test(ws_client, ping_gets_pong)
{
        struct env e;
        char big[126];

        memset(big, 'x', sizeof(big));
        env_start(&e);
        client_connect(&e, &(struct conn_opts){ .path = "/echo", .with_ca = true });
        cr_assert_eq(e.connect_status, 101);
        cr_expect_eq(kl_http_ws_client_ping(e.c, big, sizeof(big)), -EINVAL);
        cr_assert_eq(kl_http_ws_client_ping(e.c, "are you there", 13), 0);
        while (e.pongs < 1)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_str_eq(e.pong, "are you there");
        cr_expect_eq(e.messages, 0);
        env_stop(&e);
}

Test(ws_client, large_messages_both_ways)
{
        struct env e;
        size_t n = 300 << 10;
        char *big = kl_malloc(n);

        for (size_t i = 0; i < n; i++)
                big[i] = (char)(i * 7);
        env_start(&e);
        client_connect(&e, &(struct conn_opts){ .path = "/echo", .with_ca = true });
        cr_assert_eq(e.connect_status, 101);
        for (int k = 0; k < 3; k++)
                cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, big, n), 0);
        while (e.messages < 3)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(e.got.len, n);
        cr_expect_eq(memcmp(e.got.buf, big, n), 0);
        free(big);
        env_stop(&e);
}

Test(ws_client, client_starts_close_handshake)
{
        struct env e;

        env_start(&e);
        client_connect(&e, &(struct conn_opts){ .path = "/echo", .with_ca = true });
        cr_assert_eq(e.connect_status, 101);
        cr_assert_eq(kl_http_ws_client_close(e.c, 1000, "done"), 0);
        run_until(&e.loop, &e.closed);
        cr_expect_eq(e.close_code, 1000);
        run_until(&e.loop, &e.server_closed_ws);
        cr_expect_eq(e.server_close_code, 1000);
        cr_expect_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_BINARY, "x", 1), -ECONNRESET);
        env_stop(&e);
}

Test(ws_client, server_starts_close_handshake)
{
        struct env e;

        env_start(&e);
        client_connect(&e, &(struct conn_opts){ .path = "/echo", .with_ca = true });
        cr_assert_eq(kl_http_ws_client_send(e.c, KL_HTTP_WS_TEXT, "close", 5), 0);
        run_until(&e.loop, &e.closed);
        cr_expect_eq(e.close_code, 4001);
        run_until(&e.loop, &e.server_closed_ws);
        cr_expect_eq(e.server_close_code, 4001);
        env_stop(&e);
}

Test(ws_client, refused_upgrade_relays_status)
{
        struct env e;

        env_start(&e);
        client_connect(&e, &(struct conn_opts){ .path = "/refuse", .with_ca = true });
        cr_expect_eq(e.connect_r, 0);
        cr_expect_eq(e.connect_status, 403);
        cr_expect(strstr(e.body, "\"message\":\"nope\"") != NULL, "%s", e.body);
        cr_expect(!e.closed);
        env_stop(&e);
}

Test(ws_client, server_verification)
{
        struct env e;

        env_start(&e);
        /* A CA that did not sign the server: refused. */
        client_connect(&e, &(struct conn_opts){ .path = "/echo", .rogue_ca = true });
        cr_expect_eq(e.connect_r, -EPROTO);
        kl_http_ws_client_free(e.c);
        e.c = NULL;
        e.connected = false;
        /* Not verified at all, as the API server does with kubelets. */
        client_connect(&e, &(struct conn_opts){ .path = "/echo", .insecure = true });
        cr_expect_eq(e.connect_r, 0);
        cr_expect_eq(e.connect_status, 101);
        env_stop(&e);
}

Test(ws_client, connection_refused)
{
        struct env e;
        uv_tcp_t t;
        struct sockaddr_in a;
        int len = sizeof(a);
        int port;

        env_start(&e);
        /* A port that was bound and released: nothing listens there. */
        cr_assert_eq(uv_tcp_init(&e.loop, &t), 0);
        cr_assert_eq(uv_ip4_addr("127.0.0.1", 0, &a), 0);
        cr_assert_eq(uv_tcp_bind(&t, (const struct sockaddr *)&a, 0), 0);
        cr_assert_eq(uv_tcp_getsockname(&t, (struct sockaddr *)&a, &len), 0);
        port = ntohs(a.sin_port);
        uv_close((uv_handle_t *)&t, NULL);
        client_connect(&e, &(struct conn_opts){ .path = "/", .port = port });
        cr_expect_eq(e.connect_r, -ECONNREFUSED, "%d %d", e.connect_r, e.connect_status);
        env_stop(&e);
}

Test(ws_client, bad_options)
{
        uv_loop_t loop;
        struct kl_http_ws_client *c = NULL;
        struct kl_err *err = NULL;
        static const char *const urls[] = { "ftp://1.2.3.4/",  "wss://node-a:10250/x",
                                            "wss://[::1/x",    "ws://1.2.3.4:99999/",
                                            "ws://1.2.3.4:/x", "ws://1.2.3.4/a b" };

        cr_assert_eq(kl_loop_init(&loop), 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(urls); i++) {
                const struct kl_http_ws_client_opts o = { .url = urls[i],
                                                          .on_connect = cl_connect };

                cr_expect_eq(kl_http_ws_client_connect(&loop, &o, &c, &err), -EINVAL, "%s",
                             urls[i]);
                kl_err_free(err);
                err = NULL;
        }
        cr_expect_eq(kl_loop_finish(&loop), 0);
}

/* ------------------------------------------------------------------------- */
/* A raw server writing hand-made frames */

struct raw {
        uv_tcp_t listener;
        uv_tcp_t conn;
        struct kl_buf in;
        bool answered;
        bool bad_accept;
        bool got_pong; /* a masked pong with the ping's payload came back */
        bool conn_open;
};

static void raw_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
        (void)h;
        buf->base = kl_malloc(size);
        buf->len = size;
}

static void raw_write(uv_tcp_t *t, const void *data, size_t len)
{
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);

        cr_assert_eq(uv_try_write((uv_stream_t *)t, &b, 1), (int)len);
}

static void raw_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
        struct raw *r = s->data;

        if (n > 0)
                (void)kl_buf_append(&r->in, buf->base, (size_t)n);
        free(buf->base);
        if (n < 0) {
                (void)uv_read_stop(s);
                return;
        }
        if (!r->answered) {
                const char *k = strstr(r->in.buf, "Sec-WebSocket-Key: ");
                char key[25], accept[29];
                kl_autofree char *resp = NULL;
                /* "ab" (text, not final), a ping "pp", "cd" (continuation, final). */
                static const uint8_t frames[] = { 0x01, 2,   'a',  'b', 0x89, 2,
                                                  'p',  'p', 0x80, 2,   'c',  'd' };

                if (!strstr(r->in.buf, "\r\n\r\n") || !k)
                        return;
                memcpy(key, k + 19, 24);
                key[24] = '\0';
                cr_assert_eq(kl_http__ws_accept_key(key, accept), 0);
                if (r->bad_accept)
                        accept[0] = accept[0] == 'A' ? 'B' : 'A';
                resp = kl_asprintf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                                   "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n",
                                   accept);
                r->answered = true;
                kl_buf_reset(&r->in);
                raw_write(&r->conn, resp, strlen(resp));
                raw_write(&r->conn, frames, sizeof(frames));
                return;
        }
        /* Expect a masked pong carrying "pp". */
        if (r->in.len >= 8) {
                const uint8_t *f = (const uint8_t *)r->in.buf;

                r->got_pong = f[0] == 0x8a && f[1] == (0x80 | 2) && (f[6] ^ f[2]) == 'p' &&
                              (f[7] ^ f[3]) == 'p';
        }
}

static void raw_on_conn(uv_stream_t *l, int status)
{
        struct raw *r = l->data;

        cr_assert_eq(status, 0);
        cr_assert_eq(uv_tcp_init(l->loop, &r->conn), 0);
        r->conn.data = r;
        cr_assert_eq(uv_accept(l, (uv_stream_t *)&r->conn), 0);
        r->conn_open = true;
        cr_assert_eq(uv_read_start((uv_stream_t *)&r->conn, raw_alloc, raw_read), 0);
}

static int raw_start(uv_loop_t *loop, struct raw *r)
{
        struct sockaddr_in a;
        int len = sizeof(a);

        kl_buf_init(&r->in, 1 << 20);
        cr_assert_eq(uv_tcp_init(loop, &r->listener), 0);
        r->listener.data = r;
        cr_assert_eq(uv_ip4_addr("127.0.0.1", 0, &a), 0);
        cr_assert_eq(uv_tcp_bind(&r->listener, (const struct sockaddr *)&a, 0), 0);
        cr_assert_eq(uv_listen((uv_stream_t *)&r->listener, 4, raw_on_conn), 0);
        cr_assert_eq(uv_tcp_getsockname(&r->listener, (struct sockaddr *)&a, &len), 0);
        return ntohs(a.sin_port);
}

static void raw_stop(struct raw *r)
{
        uv_close((uv_handle_t *)&r->listener, NULL);
        if (r->conn_open)
                uv_close((uv_handle_t *)&r->conn, NULL);
        kl_buf_release(&r->in);
}

Test(ws_client, fragmented_message_with_ping_between)
{
        struct env e;
        struct raw r = { 0 };
        int port;

        env_start(&e);
        port = raw_start(&e.loop, &r);
        client_connect(&e, &(struct conn_opts){ .path = "/frag", .port = port });
        cr_assert_eq(e.connect_status, 101);
        while (e.messages < 1 || !r.got_pong)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(e.messages, 1);
        cr_expect_eq(e.got_op, KL_HTTP_WS_TEXT);
        cr_expect_str_eq(e.got.buf, "abcd");
        kl_http_ws_client_free(e.c);
        e.c = NULL;
        raw_stop(&r);
        env_stop(&e);
}

Test(ws_client, wrong_accept_key_fails)
{
        struct env e;
        struct raw r = { .bad_accept = true };
        int port;

        env_start(&e);
        port = raw_start(&e.loop, &r);
        client_connect(&e, &(struct conn_opts){ .path = "/frag", .port = port });
        cr_expect_eq(e.connect_r, -EPROTO);
        cr_expect_eq(e.messages, 0);
        raw_stop(&r);
        env_stop(&e);
}
