/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server over plain HTTP on 127.0.0.1:<ephemeral>, driven by a raw-socket
 * client: responses and their headers, keep-alive and pipelining, request
 * bodies, every limit and time-out, asynchronous and streamed responses, a
 * client that goes away mid-stream, back-pressure, and graceful shutdown.
 */
#include "http-test.h"

struct st {
        /* Loop thread only. */
        struct kl_http_req *held; /* a request a test finishes later */
        struct kl_http_close_hook hook;
        /* Shared (h->mu). */
        int hook_calls;
        int hook_reason;
        int requests;
        int after_close_write;
        int after_close_end;
        size_t flood_bytes;
        size_t flood_queued;
        int flood_result;
        int drains;
        bool async_done;
        int sized_over;  /* a write past the announced length */
        int sized_end;   /* ending a sized stream */
        bool sized_done; /* the two above are set (the answer may arrive before) */
};

static struct st *st_of(struct ht_server *h)
{
        return h->test;
}

struct delayed {
        uv_timer_t timer;
        struct kl_http_req *req;
};

static void delayed_fire(uv_timer_t *t)
{
        struct delayed *d = kl_container_of(t, struct delayed, timer);

        (void)kl_http_respond(d->req, 200, "text/plain", "late\n", 5);
        uv_close((uv_handle_t *)&d->timer, (uv_close_cb)free);
}

static void stream_hook(struct kl_http_req *req, int reason, void *userdata)
{
        struct ht_server *h = userdata;
        struct st *st = st_of(h);

        uv_mutex_lock(&h->mu);
        st->hook_calls++;
        st->hook_reason = reason;
        uv_mutex_unlock(&h->mu);
        /* Shutting down: end the stream like a watch does. Gone: the test finishes it. */
        if (reason == -ESHUTDOWN && st->held == req) {
                (void)kl_http_stream_write(req, "bye\n", 4);
                (void)kl_http_stream_end(req);
                st->held = NULL;
        }
}

static void never_hook(struct kl_http_req *req, int reason, void *userdata)
{
        struct ht_server *h = userdata;

        (void)req;
        uv_mutex_lock(&h->mu);
        st_of(h)->hook_calls++;
        st_of(h)->hook_reason = reason;
        uv_mutex_unlock(&h->mu);
}

static void flood_drain(struct kl_http_req *req, void *userdata)
{
        struct ht_server *h = userdata;

        uv_mutex_lock(&h->mu);
        st_of(h)->drains++;
        uv_mutex_unlock(&h->mu);
        kl_http_req_set_drain_cb(req, NULL, NULL);
        (void)kl_http_stream_write(req, "end", 3);
        (void)kl_http_stream_end(req);
}

static void flood(struct ht_server *h, struct kl_http_req *req)
{
        static char chunk[16 * 1024];
        size_t total = 0, queued = 0;
        int r = 0;

        memset(chunk, 'f', sizeof(chunk));
        (void)kl_http_stream_start(req, 200, "application/octet-stream");
        while (total < ((size_t)256 << 20)) {
                r = kl_http_stream_write(req, chunk, sizeof(chunk));
                if (r < 0)
                        break;
                total += sizeof(chunk);
                queued = KL_MAX(queued, kl_http_req_output_queued(req));
        }
        uv_mutex_lock(&h->mu);
        st_of(h)->flood_bytes = total;
        st_of(h)->flood_queued = queued;
        st_of(h)->flood_result = r;
        uv_mutex_unlock(&h->mu);
        kl_http_req_set_drain_cb(req, flood_drain, h);
}

#define BIG_SIZE ((size_t)4 << 20)

static void handler(struct kl_http_req *req, void *userdata)
{
        struct ht_server *h = userdata;
        struct st *st = st_of(h);
        const char *path = kl_http_req_path(req);

        uv_mutex_lock(&h->mu);
        st->requests++;
        uv_mutex_unlock(&h->mu);

        if (kl_streq(path, "/hello")) {
                cr_assert_eq(kl_http_resp_add_header(req, "X-Test", "yes"), 0);
                (void)kl_http_respond(req, 200, "text/plain; charset=utf-8", "hello\n", 6);
        } else if (kl_streq(path, "/echo")) {
                size_t len;
                const char *body = kl_http_req_body(req, &len);
                char *text = kl_asprintf("%s %s %s %zu:%.*s", kl_http_req_method(req), path,
                                         kl_http_req_query(req), len, (int)len, body);

                (void)kl_http_respond_take(req, 200, "text/plain", text, strlen(text));
        } else if (kl_streq(path, "/peer")) {
                const char *peer = kl_http_req_peer(req);

                (void)kl_http_respond(req, 200, "text/plain", peer, strlen(peer));
        } else if (kl_streq(path, "/async")) {
                struct delayed *d = kl_new0(struct delayed);

                d->req = req;
                cr_assert_eq(uv_timer_init(&h->loop, &d->timer), 0);
                cr_assert_eq(uv_timer_start(&d->timer, delayed_fire, 150, 0), 0);
        } else if (kl_streq(path, "/stream")) {
                cr_assert_eq(kl_http_stream_start(req, 200, "application/json"), 0);
                cr_assert_eq(kl_http_stream_write(req, "first\n", 6), 0);
                cr_assert_eq(kl_http_req_add_close_hook(req, &st->hook, stream_hook, h), 0);
                st->held = req;
        } else if (kl_streq(path, "/never")) {
                cr_assert_eq(kl_http_req_add_close_hook(req, &st->hook, never_hook, h), 0);
                st->held = req;
        } else if (kl_streq(path, "/flood")) {
                flood(h, req);
        } else if (kl_streq(path, "/big")) {
                char *body = kl_malloc(BIG_SIZE);

                memset(body, 'b', BIG_SIZE);
                (void)kl_http_respond_take(req, 200, "application/octet-stream", body, BIG_SIZE);
        } else if (kl_streq(path, "/nocontent")) {
                (void)kl_http_respond(req, 204, NULL, "ignored", 7);
        } else if (kl_streq(path, "/sized") || kl_streq(path, "/sizedshort")) {
                bool whole = kl_streq(path, "/sized");
                int over, end;

                cr_assert_eq(kl_http_stream_start_sized(req, 200, "text/plain", whole ? 11 : 10),
                             0);
                cr_assert_eq(kl_http_stream_write(req, "hello ", 6), 0);
                if (whole)
                        cr_assert_eq(kl_http_stream_write(req, "world", 5), 0);
                over = whole ? kl_http_stream_write(req, "!", 1)
                             : kl_http_stream_write(req, "abc", 3);
                end = kl_http_stream_end(req);
                uv_mutex_lock(&h->mu);
                st->sized_over = over;
                st->sized_end = end;
                st->sized_done = true;
                uv_mutex_unlock(&h->mu);
        } else if (kl_streq(path, "/headstream")) {
                (void)kl_http_stream_start(req, 200, "application/json");
                (void)kl_http_stream_write(req, "not sent for HEAD", 17);
                (void)kl_http_stream_end(req);
        } else if (kl_streq(path, "/badheaders")) {
                cr_assert_eq(kl_http_resp_add_header(req, "Bad Name", "x"), -EINVAL);
                cr_assert_eq(kl_http_resp_add_header(req, "X-Ok", "a\r\nInjected: 1"), -EINVAL);
                cr_assert_eq(kl_http_resp_add_header(req, "Content-Length", "5"), -EINVAL);
                cr_assert_eq(kl_http_resp_add_header(req, "connection", "close"), -EINVAL);
                cr_assert_eq(kl_http_resp_add_header(req, "Warning", "299 - \"careful\""), 0);
                /* Using a request after finishing it needs a reference of one's own. */
                kl_http_req_ref(req);
                cr_assert_eq(kl_http_respond_status(req, 201), 0);
                cr_assert_eq(kl_http_respond_status(req, 200), -EALREADY);
                cr_assert_eq(kl_http_stream_start(req, 200, NULL), -EALREADY);
                cr_assert_eq(kl_http_resp_add_header(req, "X-Late", "1"), -EALREADY);
                kl_http_req_unref(req);
        } else {
                (void)kl_http_respond_status(req, 404);
        }
}

#define SERVER(h, st)               \
        struct st st;               \
        struct ht_server h;         \
        memset(&st, 0, sizeof(st)); \
        ht_init(&h, handler, &st)

Test(server, hello_with_headers)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_get(&c, "/hello", &r);
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(r.body, "hello\n");
        cr_assert_str_eq(ht_header(&r, "Content-Length"), "6");
        cr_assert_str_eq(ht_header(&r, "Content-Type"), "text/plain; charset=utf-8");
        cr_assert_str_eq(ht_header(&r, "X-Test"), "yes");
        cr_assert_not_null(ht_header(&r, "Date"));
        cr_assert(kl_endswith(ht_header(&r, "Date"), " GMT"));
        cr_assert_null(ht_header(&r, "Connection"));
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, default_404_without_handler)
{
        struct ht_server h;
        struct ht_client c;
        struct ht_resp r;

        ht_init(&h, NULL, NULL);
        ht_start(&h);
        ht_connect(&c, h.port);
        ht_get(&c, "/anything", &r);
        cr_assert_eq(r.status, 404);
        cr_assert_str_eq(r.body, "404 Not Found\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, head_has_length_but_no_body)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, true));
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(ht_header(&r, "Content-Length"), "6");
        ht_resp_release(&r);
        /* No body bytes were sent: the next response starts right away. */
        ht_sends(&c, "HEAD /headstream HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, true));
        cr_assert_str_eq(ht_header(&r, "Transfer-Encoding"), "chunked");
        ht_resp_release(&r);
        ht_get(&c, "/nocontent", &r);
        cr_assert_eq(r.status, 204);
        cr_assert_null(ht_header(&r, "Content-Length"));
        ht_resp_release(&r);
        ht_get(&c, "/hello", &r);
        cr_assert_str_eq(r.body, "hello\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

static void check_one_conn(struct ht_server *h, void *arg)
{
        *(unsigned *)arg = kl_http_server_connections(h->server);
}

Test(server, keep_alive_reuses_the_connection)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;
        char first[64];
        unsigned conns = 0;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_get(&c, "/peer", &r);
        snprintf(first, sizeof(first), "%s", r.body);
        cr_assert(kl_startswith(first, "127.0.0.1:"));
        ht_resp_release(&r);
        for (int i = 0; i < 5; i++) {
                ht_get(&c, "/peer", &r);
                cr_assert_str_eq(r.body, first);
                ht_resp_release(&r);
        }
        ht_call(&h, check_one_conn, &conns);
        cr_assert_eq(conns, 1);
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(st.requests, 6);
}

Test(server, pipelined_requests_answered_in_order)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /echo?n=1 HTTP/1.1\r\nHost: t\r\n\r\n"
                     "POST /echo?n=2 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody"
                     "GET /async HTTP/1.1\r\nHost: t\r\n\r\n"
                     "PUT /echo?n=4 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"
                     "GET /echo?n=5 HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(r.body, "GET /echo n=1 0:");
        ht_resp_release(&r);
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(r.body, "POST /echo n=2 4:body");
        ht_resp_release(&r);
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(r.body, "late\n");
        ht_resp_release(&r);
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(r.body, "PUT /echo n=4 3:abc");
        ht_resp_release(&r);
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(r.body, "GET /echo n=5 0:");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, connection_close_ends_the_connection)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        /* The second request comes after "close" and is never answered. */
        ht_sends(&c, "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                     "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(ht_header(&r, "Connection"), "close");
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(st.requests, 1);
}

Test(server, half_close_after_the_request)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        /*
         * An idle time-out far beyond the suite's time-out: if the server
         * waited for it instead of ending after the response, the test would
         * time out rather than pass.
         */
        h.cfg.limits.idle_timeout = 3600 * KL_USEC_PER_SEC;
        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert_eq(shutdown(c.fd, SHUT_WR), 0);
        /* The whole response still arrives, then the end, not after the idle time-out. */
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_eq(r.body_len, BIG_SIZE);
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ht_stop(&h);
}

Test(server, http10)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(ht_header(&r, "Connection"), "keep-alive");
        ht_resp_release(&r);
        ht_sends(&c, "GET /hello HTTP/1.0\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_str_eq(r.body, "hello\n");
        cr_assert_str_eq(ht_header(&r, "Connection"), "close");
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);

        /* A stream to an HTTP/1.0 client is ended by closing the connection. */
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /stream HTTP/1.0\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_null(ht_header(&r, "Transfer-Encoding"));
        cr_assert(ht_need(&c, 6));
        cr_assert_eq(memcmp(c.buf, "first\n", 6), 0);
        ht_shutdown(&h);
        while (ht_fill(&c))
                ;
        cr_assert_eq(c.len, 10);
        cr_assert_eq(memcmp(c.buf, "first\nbye\n", 10), 0);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, expect_100_continue)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                     "Content-Length: 5\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_eq(r.status, 100);
        ht_sends(&c, "hello");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(r.body, "POST /echo  5:hello");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

struct error_case {
        const char *name;
        const char *request;
        int status;
};

Test(server, errors_get_status_then_close)
{
        static const struct error_case cases[] = {
                { "413 announced body",
                  "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n", 413 },
                { "413 chunked body",
                  "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "400\r\n",
                  413 },
                { "431 headers",
                  "GET / HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431 },
                { "414 line", NULL, 414 },
                { "400 garbage", "HELLO\r\n\r\n", 400 },
                { "400 smuggling",
                  "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                  400 },
                { "505 version", "GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505 },
                { "501 coding", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
                  501 },
                { "417 expect", "POST / HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\n\r\n", 417 },
        };
        SERVER(h, st);

        h.cfg.limits.max_body = 1000;
        h.cfg.limits.max_headers = 3;
        h.cfg.limits.max_request_line = 200;
        ht_start(&h);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct ht_client c;
                struct ht_resp r;
                char long_line[400];

                ht_connect(&c, h.port);
                if (cases[i].request) {
                        ht_sends(&c, cases[i].request);
                } else {
                        memset(long_line, 'a', sizeof(long_line));
                        /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): raw bytes. */
                        memcpy(long_line, "GET /", 5);
                        ht_send(&c, long_line, sizeof(long_line));
                }
                cr_assert(ht_read_response(&c, &r, false), "%s: no response", cases[i].name);
                cr_assert_eq(r.status, cases[i].status, "%s: got %d", cases[i].name, r.status);
                cr_assert_str_eq(ht_header(&r, "Connection"), "close");
                ht_resp_release(&r);
                cr_assert(ht_expect_eof(&c), "%s: connection not closed", cases[i].name);
                ht_close(&c);
        }
        ht_stop(&h);
        cr_assert_eq(st.requests, 0);
}

Test(server, async_response_after_a_delay)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;
        kl_usec_t start;

        ht_start(&h);
        ht_connect(&c, h.port);
        start = kl_now_monotonic();
        ht_get(&c, "/async", &r);
        cr_assert_geq(kl_now_monotonic() - start, 140 * KL_USEC_PER_MSEC);
        cr_assert_str_eq(r.body, "late\n");
        ht_resp_release(&r);
        ht_get(&c, "/hello", &r);
        cr_assert_str_eq(r.body, "hello\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

static void stream_more(struct ht_server *h, void *arg)
{
        struct st *st = st_of(h);

        (void)arg;
        cr_assert_not_null(st->held);
        cr_assert_eq(kl_http_stream_write(st->held, "second\n", 7), 0);
        cr_assert_eq(kl_http_stream_end(st->held), 0);
        st->held = NULL;
}

Test(server, streamed_chunks_arrive_before_the_end)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;
        char *chunk = NULL;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(ht_header(&r, "Transfer-Encoding"), "chunked");
        cr_assert_null(ht_header(&r, "Content-Length"));
        /* The stream is still open on the server: this chunk was flushed on its own. */
        cr_assert_eq(ht_read_chunk(&c, &chunk), 6);
        cr_assert_str_eq(chunk, "first\n");
        free(chunk);
        ht_call(&h, stream_more, NULL);
        cr_assert_eq(ht_read_chunk(&c, &chunk), 7);
        cr_assert_str_eq(chunk, "second\n");
        free(chunk);
        cr_assert_eq(ht_read_chunk(&c, &chunk), 0);
        free(chunk);
        /* And the connection is good for another request. */
        ht_get(&c, "/hello", &r);
        cr_assert_str_eq(r.body, "hello\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(st.hook_calls, 0);
}

static bool hook_ran(struct ht_server *h)
{
        return st_of(h)->hook_calls > 0;
}

static bool sized_done(struct ht_server *h)
{
        return st_of(h)->sized_done;
}

static void write_after_close(struct ht_server *h, void *arg)
{
        struct st *st = st_of(h);

        (void)arg;
        cr_assert_not(kl_http_req_is_connected(st->held));
        st->after_close_write = kl_http_stream_write(st->held, "lost", 4);
        st->after_close_end = kl_http_stream_end(st->held);
        st->held = NULL;
}

Test(server, client_disconnect_during_a_stream)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;
        char *chunk = NULL;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_eq(ht_read_chunk(&c, &chunk), 6);
        free(chunk);
        ht_close(&c);
        cr_assert(ht_wait_for(&h, hook_ran, 5000), "close hook did not run");
        cr_assert_eq(st.hook_reason, -ECONNRESET);
        ht_call(&h, write_after_close, NULL);
        cr_assert_eq(st.after_close_write, -ECONNRESET);
        cr_assert_eq(st.after_close_end, -ECONNRESET);
        ht_stop(&h);
        cr_assert_eq(st.hook_calls, 1);
}

Test(server, sized_stream_is_framed_by_content_length)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_get(&c, "/sized", &r);
        cr_assert_eq(r.status, 200);
        cr_assert_str_eq(ht_header(&r, "Content-Length"), "11");
        cr_assert_null(ht_header(&r, "Transfer-Encoding"));
        cr_assert_str_eq(r.body, "hello world");
        ht_resp_release(&r);
        /* The answer leaves while the handler runs: wait for what it recorded after. */
        cr_assert(ht_wait_for(&h, sized_done, 5000));
        uv_mutex_lock(&h.mu);
        cr_expect_eq(st.sized_over, -EINVAL);
        cr_expect_eq(st.sized_end, 0);
        uv_mutex_unlock(&h.mu);
        /* HEAD: the same head, no body; the connection stays usable. */
        ht_sends(&c, "HEAD /sized HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_response(&c, &r, true));
        cr_assert_str_eq(ht_header(&r, "Content-Length"), "11");
        ht_resp_release(&r);
        ht_get(&c, "/hello", &r);
        cr_assert_str_eq(r.body, "hello\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, sized_stream_ended_short_closes_the_connection)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /sizedshort HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_str_eq(ht_header(&r, "Content-Length"), "10");
        /* Nine bytes of the ten, then the end of the connection. */
        cr_assert(ht_need(&c, 9));
        cr_assert_eq(memcmp(c.buf, "hello abc", 9), 0);
        ht_consume(&c, 9);
        cr_assert(ht_expect_eof(&c));
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_expect_eq(st.sized_over, 0);
        cr_expect_eq(st.sized_end, -EPIPE);
}

Test(server, header_timeout_408)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        h.cfg.limits.header_timeout = 200 * KL_USEC_PER_MSEC;
        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /hello HTTP/1.1\r\nHost: t\r\n");
        /* Trickling bytes does not extend the deadline. */
        usleep(100 * 1000);
        ht_sends(&c, "X-A: 1\r\n");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_eq(r.status, 408);
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ht_stop(&h);
}

Test(server, body_timeout_408)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        h.cfg.limits.body_timeout = 200 * KL_USEC_PER_MSEC;
        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
        cr_assert(ht_read_response(&c, &r, false));
        cr_assert_eq(r.status, 408);
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(st.requests, 0);
}

Test(server, idle_timeout_closes_quietly)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        h.cfg.limits.idle_timeout = 200 * KL_USEC_PER_MSEC;
        ht_start(&h);
        ht_connect(&c, h.port);
        ht_get(&c, "/hello", &r);
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&c));
        ht_close(&c);
        ht_stop(&h);
}

static bool three_requests(struct ht_server *h)
{
        return st_of(h)->requests >= 3;
}

Test(server, graceful_shutdown_with_open_connections)
{
        SERVER(h, st);
        struct ht_client idle, slow, watch;
        struct ht_resp r;
        char *chunk = NULL;

        ht_start(&h);
        ht_connect(&idle, h.port);
        ht_get(&idle, "/hello", &r);
        ht_resp_release(&r);
        ht_connect(&slow, h.port);
        ht_sends(&slow, "GET /async HTTP/1.1\r\nHost: t\r\n\r\n");
        ht_connect(&watch, h.port);
        ht_sends(&watch, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_head(&watch, &r));
        cr_assert_eq(ht_read_chunk(&watch, &chunk), 6);
        free(chunk);
        cr_assert(ht_wait_for(&h, three_requests, 5000));

        ht_shutdown(&h);
        /* Idle: closed at once, without a byte. */
        cr_assert(ht_expect_eof(&idle));
        /* The watch heard -ESHUTDOWN and ended its stream properly. */
        cr_assert_eq(ht_read_chunk(&watch, &chunk), 4);
        cr_assert_str_eq(chunk, "bye\n");
        free(chunk);
        cr_assert_eq(ht_read_chunk(&watch, &chunk), 0);
        free(chunk);
        cr_assert(ht_expect_eof(&watch));
        /* The request in progress finished, marked as the last one. */
        cr_assert(ht_read_response(&slow, &r, false));
        cr_assert_str_eq(r.body, "late\n");
        cr_assert_str_eq(ht_header(&r, "Connection"), "close");
        ht_resp_release(&r);
        cr_assert(ht_expect_eof(&slow));
        /* Nobody new gets in. */
        {
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(h.port) };
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

                inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
                cr_assert_neq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
                close(fd);
        }
        ht_close(&idle);
        ht_close(&slow);
        ht_close(&watch);
        ht_stop(&h);
        cr_assert_eq(st.hook_calls, 1);
        cr_assert_eq(st.hook_reason, -ESHUTDOWN);
}

static void finish_never(struct ht_server *h, void *arg)
{
        struct st *st = st_of(h);

        (void)arg;
        cr_assert_eq(kl_http_respond_status(st->held, 200), -ECONNRESET);
        st->held = NULL;
}

static bool one_request(struct ht_server *h)
{
        return st_of(h)->requests >= 1;
}

Test(server, shutdown_deadline_closes_what_is_left)
{
        SERVER(h, st);
        struct ht_client c;
        kl_usec_t start;

        h.grace = 300 * KL_USEC_PER_MSEC;
        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET /never HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_wait_for(&h, one_request, 5000));
        start = kl_now_monotonic();
        ht_shutdown(&h);
        cr_assert(ht_expect_eof(&c));
        cr_assert_geq(kl_now_monotonic() - start, 250 * KL_USEC_PER_MSEC);
        ht_close(&c);
        /* The application still holds its request; finishing it now is harmless. */
        ht_call(&h, finish_never, NULL);
        ht_stop(&h);
        cr_assert_eq(st.hook_calls, 1);
        cr_assert_eq(st.hook_reason, -ESHUTDOWN);
}

static bool flooded(struct ht_server *h)
{
        return st_of(h)->flood_result != 0;
}

static bool drained(struct ht_server *h)
{
        return st_of(h)->drains > 0;
}

Test(server, backpressure_and_drain)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;
        size_t total = 0;
        int small = 4096;

        h.cfg.limits.max_stream_queued = (size_t)64 << 10;
        ht_start(&h);
        /* A small receive window (set before connect) makes the server's queue grow sooner. */
        ht_client_init(&c, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        cr_assert_geq(c.fd, 0);
        (void)setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        {
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(h.port) };
                struct timeval tv = { .tv_sec = 10 };

                (void)setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
                cr_assert_eq(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr), 1);
                cr_assert_eq(connect(c.fd, (struct sockaddr *)&a, sizeof(a)), 0);
        }
        ht_sends(&c, "GET /flood HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_wait_for(&h, flooded, 5000));
        uv_mutex_lock(&h.mu);
        cr_assert_eq(st.flood_result, -ENOBUFS, "the slow client was never noticed");
        cr_assert_gt(st.flood_queued, (size_t)64 << 10);
        cr_assert_eq(st.drains, 0);
        uv_mutex_unlock(&h.mu);

        cr_assert(ht_read_head(&c, &r));
        for (;;) {
                char *chunk = NULL;
                size_t n = ht_read_chunk(&c, &chunk);

                total += n;
                if (n == 3)
                        cr_assert_str_eq(chunk, "end");
                free(chunk);
                if (n == 0)
                        break;
        }
        cr_assert(ht_wait_for(&h, drained, 5000));
        cr_assert_eq(total, st.flood_bytes + 3);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, listen_on_any_and_ipv6)
{
        static const struct {
                const char *listen;
                int family;
                const char *connect;
        } cases[] = {
                { "0.0.0.0", AF_INET, "127.0.0.1" },
                { "::1", AF_INET6, "::1" },
                { "::", AF_INET6, "::1" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                SERVER(h, st);
                struct ht_client c;
                struct ht_resp r;
                int probe = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (cases[i].family == AF_INET6 && probe < 0) {
                        cr_log_warn("no IPv6 here, skipping %s", cases[i].listen);
                        continue;
                }
                if (probe >= 0)
                        close(probe);
                h.address = cases[i].listen;
                ht_start(&h);
                ht_client_init(&c, ht_socket_connect(cases[i].family, cases[i].connect, h.port));
                ht_get(&c, "/hello", &r);
                cr_assert_eq(r.status, 200, "%s", cases[i].listen);
                ht_resp_release(&r);
                ht_close(&c);
                ht_stop(&h);
        }
}

static void listen_errors(struct ht_server *h, void *arg)
{
        struct kl_http_server *other = NULL;
        struct kl_err *err = NULL;

        (void)arg;
        cr_assert_eq(kl_http_server_listen(h->server, "127.0.0.1", 0, &err), -EBUSY);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_http_server_new(&h->loop, &h->cfg, &other, &err), 0);
        cr_assert_eq(kl_http_server_port(other), -ENOTCONN);
        cr_assert_eq(kl_http_server_listen(other, "localhost", 0, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "'localhost'"));
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_http_server_listen(other, "127.0.0.1", (uint16_t)h->port, &err),
                     -EADDRINUSE);
        kl_err_free(KL_TAKE_PTR(err));
        kl_http_server_close(other, 0, NULL, NULL);
}

Test(server, listen_errors)
{
        SERVER(h, st);

        ht_start(&h);
        ht_call(&h, listen_errors, NULL);
        ht_stop(&h);
}

Test(server, response_header_rules)
{
        SERVER(h, st);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_get(&c, "/badheaders", &r);
        cr_assert_eq(r.status, 201);
        cr_assert_str_eq(ht_header(&r, "Warning"), "299 - \"careful\"");
        cr_assert_null(ht_header(&r, "Injected"));
        cr_assert_str_eq(r.body, "201 Created\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(server, max_connections)
{
        SERVER(h, st);
        struct ht_client a, b, extra;
        struct ht_resp r;

        h.cfg.limits.max_connections = 2;
        ht_start(&h);
        ht_connect(&a, h.port);
        ht_get(&a, "/hello", &r);
        ht_resp_release(&r);
        ht_connect(&b, h.port);
        ht_get(&b, "/hello", &r);
        ht_resp_release(&r);
        ht_connect(&extra, h.port);
        cr_assert(ht_expect_eof(&extra));
        ht_close(&extra);
        ht_close(&a);
        ht_close(&b);
        ht_stop(&h);
}
