/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket upgrades end to end, with kubectl exec's shape in mind
 * (kubectl-contract.md §16.1): the v5.channel.k8s.io handshake, pings answered
 * with pongs, binary echo (large and fragmented), both close handshakes,
 * protocol errors, rejection, disconnects, back-pressure on reads, shutdown,
 * and the same over TLS.
 */
#include "http-test.h"
#include "http/http-internal.h"

struct wst {
        /* Loop thread only. */
        struct kl_http_ws *ws;
        uv_timer_t resume;
        /* Shared (h->mu). */
        int messages;
        int close_code;
        int closes;
        int accept_error;
        bool req_visible;
};

static void ws_on_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                          size_t len, void *userdata)
{
        struct ht_server *h = userdata;
        struct wst *st = h->test;

        uv_mutex_lock(&h->mu);
        st->messages++;
        uv_mutex_unlock(&h->mu);
        if (len == 8 && memcmp(data, "close-me", 8) == 0) {
                cr_assert_eq(kl_http_ws_close(ws, 1000, "done"), 0);
                cr_assert_eq(kl_http_ws_send(ws, KL_HTTP_WS_TEXT, "x", 1), -ECONNRESET);
                return;
        }
        if (len == 5 && memcmp(data, "pause", 5) == 0)
                kl_http_ws_pause(ws, true); /* until the test's timer resumes reading */
        cr_assert_eq(kl_http_ws_send(ws, op, data, len), 0);
}

static void ws_on_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct ht_server *h = userdata;
        struct wst *st = h->test;

        uv_mutex_lock(&h->mu);
        st->closes++;
        st->close_code = code;
        uv_mutex_unlock(&h->mu);
        cr_assert_eq(kl_http_ws_send(ws, KL_HTTP_WS_BINARY, "x", 1), -ECONNRESET);
        /* Every accepted WebSocket's reference is ours; st->ws is only the latest. */
        if (st->ws == ws)
                st->ws = NULL;
        kl_http_ws_unref(ws);
}

static const struct kl_http_ws_callbacks callbacks = {
        .on_message = ws_on_message,
        .on_close = ws_on_close,
};

static void resume_reading(uv_timer_t *t)
{
        struct ht_server *h = t->data;
        struct wst *st = h->test;

        if (st->ws)
                kl_http_ws_pause(st->ws, false);
}

static void handler(struct kl_http_req *req, void *userdata)
{
        struct ht_server *h = userdata;
        struct wst *st = h->test;
        const char *path = kl_http_req_path(req);
        struct kl_err *err = NULL;
        int r;

        if (kl_streq(path, "/reject")) {
                (void)kl_http_respond_status(req, 403);
                return;
        }
        if (kl_streq(path, "/badproto")) {
                r = kl_http_ws_accept(req, "nope", &callbacks, h, &st->ws, &err);
                uv_mutex_lock(&h->mu);
                st->accept_error = r;
                uv_mutex_unlock(&h->mu);
                kl_err_free(err);
                (void)kl_http_respond_status(req, 400);
                return;
        }
        if (!kl_http_req_is_websocket(req)) {
                (void)kl_http_respond_status(req, 426);
                return;
        }
        r = kl_http_ws_accept(
                req, kl_http_req_ws_offers(req, "v5.channel.k8s.io") ? "v5.channel.k8s.io" : NULL,
                &callbacks, h, &st->ws, &err);
        cr_assert_eq(r, 0, "%s", kl_err_msg(err));
        /* The upgrade request stays readable through the WebSocket. */
        uv_mutex_lock(&h->mu);
        st->req_visible = kl_streq(kl_http_req_path(kl_http_ws_req(st->ws)), "/ws");
        uv_mutex_unlock(&h->mu);
        if (!st->resume.loop) {
                cr_assert_eq(uv_timer_init(&h->loop, &st->resume), 0);
                st->resume.data = h;
        }
}

static void pause_hook(struct ht_server *h, void *arg)
{
        struct wst *st = h->test;

        (void)arg;
        cr_assert_eq(uv_timer_start(&st->resume, resume_reading, 200, 0), 0);
}

static void close_timer(struct ht_server *h, void *arg)
{
        struct wst *st = h->test;

        (void)arg;
        if (st->resume.loop)
                uv_close((uv_handle_t *)&st->resume, NULL);
}

#define WS_SERVER(h, st)            \
        struct wst st;              \
        struct ht_server h;         \
        memset(&st, 0, sizeof(st)); \
        ht_init(&h, handler, &st)

static void ws_stop(struct ht_server *h)
{
        ht_call(h, close_timer, NULL);
        ht_stop(h);
}

/* ------------------------------------------------------------------------- */
/* A minimal client side */

static void ws_send(struct ht_client *c, bool fin, int opcode, const void *data, size_t len)
{
        static const uint8_t mask[4] = { 0xa1, 0x02, 0x5c, 0xe7 };
        kl_autofree uint8_t *frame = kl_malloc(len + 14);
        size_t n = kl_http__ws_frame_header(frame, opcode, len);

        if (!fin)
                frame[0] &= 0x7f;
        frame[1] |= 0x80;
        memcpy(frame + n, mask, 4);
        n += 4;
        for (size_t i = 0; i < len; i++)
                frame[n + i] = ((const uint8_t *)data)[i] ^ mask[i & 3];
        ht_send(c, frame, n + len);
}

/* One server frame; returns its opcode; payload in *ret (owned). */
static int ws_read(struct ht_client *c, char **ret, size_t *ret_len)
{
        uint8_t *b;
        uint64_t len;
        size_t off = 2;

        cr_assert(ht_need(c, 2), "EOF before a frame");
        b = (uint8_t *)c->buf;
        cr_assert(b[0] & 0x80, "server frames are never fragmented here");
        cr_assert_not(b[1] & 0x80, "server frames are not masked");
        len = b[1] & 0x7f;
        if (len == 126) {
                cr_assert(ht_need(c, 4));
                b = (uint8_t *)c->buf;
                len = (uint64_t)b[2] << 8 | b[3];
                off = 4;
        } else if (len == 127) {
                cr_assert(ht_need(c, 10));
                b = (uint8_t *)c->buf;
                len = 0;
                for (int i = 0; i < 8; i++)
                        len = len << 8 | b[2 + i];
                off = 10;
        }
        cr_assert(ht_need(c, off + len), "EOF inside a frame");
        b = (uint8_t *)c->buf;
        *ret = kl_memdup(c->buf + off, len + 1);
        (*ret)[len] = '\0';
        *ret_len = len;
        {
                int op = b[0] & 0x0f;

                ht_consume(c, off + len);
                return op;
        }
}

static void ws_handshake(struct ht_client *c, const char *path, const char *protocols,
                         struct ht_resp *r)
{
        char req[512];

        snprintf(req, sizeof(req),
                 "GET %s HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 "%s%s%s\r\n",
                 path, protocols ? "Sec-WebSocket-Protocol: " : "", protocols ? protocols : "",
                 protocols ? "\r\n" : "");
        ht_sends(c, req);
        cr_assert(ht_read_head(c, r));
}

static void ws_open(struct ht_client *c, int port)
{
        struct ht_resp r;

        ht_connect(c, port);
        ws_handshake(c, "/ws", "v5.channel.k8s.io", &r);
        cr_assert_eq(r.status, 101);
}

static void expect_echo(struct ht_client *c, int opcode, const void *data, size_t len)
{
        char *got = NULL;
        size_t got_len = 0;

        cr_assert_eq(ws_read(c, &got, &got_len), opcode);
        cr_assert_eq(got_len, len);
        cr_assert_eq(memcmp(got, data, len), 0);
        free(got);
}

static int expect_close(struct ht_client *c)
{
        char *got = NULL;
        size_t len = 0;
        int code;

        cr_assert_eq(ws_read(c, &got, &len), 0x8);
        cr_assert_geq(len, 2);
        code = (uint8_t)got[0] << 8 | (uint8_t)got[1];
        free(got);
        return code;
}

static bool ws_closed(struct ht_server *h)
{
        return ((struct wst *)h->test)->closes > 0;
}

/* ------------------------------------------------------------------------- */

Test(ws, handshake)
{
        WS_SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ws_handshake(&c, "/ws", "v4.channel.k8s.io, v5.channel.k8s.io", &r);
        cr_assert_eq(r.status, 101);
        cr_assert_str_eq(ht_header(&r, "Upgrade"), "websocket");
        cr_assert_str_eq(ht_header(&r, "Connection"), "Upgrade");
        cr_assert_str_eq(ht_header(&r, "Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        cr_assert_str_eq(ht_header(&r, "Sec-WebSocket-Protocol"), "v5.channel.k8s.io");
        cr_assert_null(ht_header(&r, "Content-Length"));
        ht_close(&c);

        /* No subprotocol offered, none chosen. */
        ht_connect(&c, h.port);
        ws_handshake(&c, "/ws", NULL, &r);
        cr_assert_eq(r.status, 101);
        cr_assert_null(ht_header(&r, "Sec-WebSocket-Protocol"));
        ht_close(&c);
        cr_assert(ht_wait_for(&h, ws_closed, 5000));
        ws_stop(&h);
        cr_assert(st.req_visible);
}

Test(ws, ping_gets_pong)
{
        WS_SERVER(h, st);
        struct ht_client c;

        ht_start(&h);
        ws_open(&c, h.port);
        ws_send(&c, true, 0x9, "kubectl-ping", 12);
        expect_echo(&c, 0xa, "kubectl-ping", 12);
        ws_send(&c, true, 0x9, "", 0);
        expect_echo(&c, 0xa, "", 0);
        /* Pongs from the client are accepted silently. */
        ws_send(&c, true, 0xa, "unsolicited", 11);
        ws_send(&c, true, 0x2, "\x01out", 4);
        expect_echo(&c, 0x2, "\x01out", 4);
        ht_close(&c);
        ws_stop(&h);
}

Test(ws, echo_binary_text_large_and_fragmented)
{
        WS_SERVER(h, st);
        struct ht_client c;
        size_t big = 200000;
        kl_autofree char *payload = kl_malloc(big);

        for (size_t i = 0; i < big; i++)
                payload[i] = (char)(i * 31);
        ht_start(&h);
        ws_open(&c, h.port);
        ws_send(&c, true, 0x2, "\x00stdin", 6);
        expect_echo(&c, 0x2, "\x00stdin", 6);
        ws_send(&c, true, 0x1, "h\xc3\xa9llo", 6);
        expect_echo(&c, 0x1, "h\xc3\xa9llo", 6);
        ws_send(&c, true, 0x2, payload, 300);
        expect_echo(&c, 0x2, payload, 300);
        ws_send(&c, true, 0x2, payload, big);
        expect_echo(&c, 0x2, payload, big);
        /* Fragments with a ping in between: the pong comes first, then the whole message. */
        ws_send(&c, false, 0x2, payload, 1000);
        ws_send(&c, true, 0x9, "mid", 3);
        ws_send(&c, false, 0x0, payload + 1000, 1000);
        ws_send(&c, true, 0x0, payload + 2000, 5);
        expect_echo(&c, 0xa, "mid", 3);
        expect_echo(&c, 0x2, payload, 2005);
        ht_close(&c);
        ws_stop(&h);
        cr_assert_eq(st.messages, 5);
}

Test(ws, frames_sent_with_the_request)
{
        WS_SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        /* kubectl waits for the 101, but bytes right behind the head must not be lost. */
        {
                char req[] = "GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\n"
                             "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n";
                uint8_t frame[] = { 0x82, 0x83, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3 };
                kl_autofree char *both = kl_malloc(sizeof(req) + sizeof(frame));

                memcpy(both, req, sizeof(req) - 1);
                memcpy(both + sizeof(req) - 1, frame, sizeof(frame));
                ht_send(&c, both, sizeof(req) - 1 + sizeof(frame));
        }
        cr_assert(ht_read_head(&c, &r));
        cr_assert_eq(r.status, 101);
        expect_echo(&c, 0x2, "abc", 3);
        ht_close(&c);
        ws_stop(&h);
}

Test(ws, client_closes)
{
        WS_SERVER(h, st);
        struct ht_client c;

        ht_start(&h);
        ws_open(&c, h.port);
        ws_send(&c, true, 0x8,
                "\x03\xe8"
                "bye",
                5);
        cr_assert_eq(expect_close(&c), 1000);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        cr_assert(ht_wait_for(&h, ws_closed, 5000));
        ws_stop(&h);
        cr_assert_eq(st.closes, 1);
        cr_assert_eq(st.close_code, 1000);
}

Test(ws, server_closes)
{
        WS_SERVER(h, st);
        struct ht_client c;
        char *got = NULL;
        size_t len = 0;

        ht_start(&h);
        ws_open(&c, h.port);
        ws_send(&c, true, 0x1, "close-me", 8);
        cr_assert_eq(ws_read(&c, &got, &len), 0x8);
        cr_assert_eq(len, 6);
        cr_assert_eq(memcmp(got,
                            "\x03\xe8"
                            "done",
                            6),
                     0);
        free(got);
        ws_send(&c, true, 0x8, "\x03\xe8", 2);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        cr_assert(ht_wait_for(&h, ws_closed, 5000));
        ws_stop(&h);
        cr_assert_eq(st.close_code, 1000);
}

Test(ws, protocol_errors_close_the_connection)
{
        WS_SERVER(h, st);
        struct ht_client c;
        uint8_t unmasked[] = { 0x82, 0x01, 'x' };
        kl_autofree char *big = kl_calloc(1, 2000);

        h.cfg.limits.max_ws_message = 1000;
        ht_start(&h);
        ws_open(&c, h.port);
        ht_send(&c, unmasked, sizeof(unmasked));
        cr_assert_eq(expect_close(&c), 1002);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        cr_assert(ht_wait_for(&h, ws_closed, 5000));
        cr_assert_eq(st.close_code, 1002);

        ws_open(&c, h.port);
        ws_send(&c, true, 0x2, big, 1001);
        cr_assert_eq(expect_close(&c), 1009);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);

        ws_open(&c, h.port);
        ws_send(&c, true, 0x1, "\xff", 1);
        cr_assert_eq(expect_close(&c), 1007);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ws_stop(&h);
        cr_assert_eq(st.closes, 3);
}

Test(ws, rejected_and_refused_upgrades)
{
        WS_SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ws_handshake(&c, "/reject", "v5.channel.k8s.io", &r);
        cr_assert_eq(r.status, 403);
        cr_assert_str_eq(ht_header(&r, "Connection"), "close");
        cr_assert(ht_need(&c, 14));
        ht_consume(&c, 14); /* "403 Forbidden\n" */
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);

        ht_connect(&c, h.port);
        ws_handshake(&c, "/badproto", "v5.channel.k8s.io", &r);
        cr_assert_eq(r.status, 400);
        ht_close(&c);

        /* Version 8 (an old draft) is not an upgrade we accept. */
        ht_connect(&c, h.port);
        ht_sends(&c,
                 "GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_eq(r.status, 426);
        ht_close(&c);
        ws_stop(&h);
        cr_assert_eq(st.accept_error, -EINVAL);
        cr_assert_eq(st.closes, 0);
}

Test(ws, client_disconnect_is_1006)
{
        WS_SERVER(h, st);
        struct ht_client c;

        ht_start(&h);
        ws_open(&c, h.port);
        ws_send(&c, true, 0x2, "hi", 2);
        expect_echo(&c, 0x2, "hi", 2);
        ht_close(&c);
        cr_assert(ht_wait_for(&h, ws_closed, 5000));
        ws_stop(&h);
        cr_assert_eq(st.close_code, 1006);
}

Test(ws, shutdown_sends_going_away)
{
        WS_SERVER(h, st);
        struct ht_client c;

        ht_start(&h);
        ws_open(&c, h.port);
        ht_shutdown(&h);
        cr_assert_eq(expect_close(&c), 1001);
        ws_send(&c, true, 0x8, "\x03\xe9", 2);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ws_stop(&h);
        cr_assert_eq(st.close_code, 1001);
}

Test(ws, pause_keeps_order)
{
        WS_SERVER(h, st);
        struct ht_client c;

        ht_start(&h);
        ws_open(&c, h.port);
        ws_send(&c, true, 0x2, "pause", 5);
        expect_echo(&c, 0x2, "pause", 5);
        ht_call(&h, pause_hook, NULL);
        ws_send(&c, true, 0x2, "one", 3);
        ws_send(&c, true, 0x9, "p", 1);
        ws_send(&c, true, 0x2, "two", 3);
        /* Nothing is read while paused, pings included; then everything, in order. */
        expect_echo(&c, 0x2, "one", 3);
        expect_echo(&c, 0xa, "p", 1);
        expect_echo(&c, 0x2, "two", 3);
        ht_close(&c);
        ws_stop(&h);
}

Test(ws, over_tls)
{
        WS_SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_use_tls(&h, false);
        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, NULL), 1);
        ws_handshake(&c, "/ws", "v5.channel.k8s.io", &r);
        cr_assert_eq(r.status, 101);
        ws_send(&c, true, 0x2, "\x00tls", 4);
        expect_echo(&c, 0x2, "\x00tls", 4);
        ws_send(&c, true, 0x9, "ping", 4);
        expect_echo(&c, 0xa, "ping", 4);
        ws_send(&c, true, 0x8, "\x03\xe8", 2);
        cr_assert_eq(expect_close(&c), 1000);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ws_stop(&h);
        cr_assert_eq(st.close_code, 1000);
}
