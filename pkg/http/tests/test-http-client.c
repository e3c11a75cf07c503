/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client (http-client.c) against our own server on the same loop
 * (plain HTTP; TLS with client certificates is exercised by the client
 * module's tests against the API server): requests and bodies, headers,
 * keep-alive reuse, streaming, the response limit, time-outs, the
 * concurrency limit, cancels (also from inside a stream callback) and frees
 * (also from inside `done`), and percent-encoding.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "http/http.h"
#include "loop/loop.h"
#include "testing/testing.h"

struct env {
        uv_loop_t loop;
        struct kl_http_server *server;
        struct kl_http_client *client;
        char base[64];
        /* What the handler saw. */
        char peers[8][64];
        size_t n_peers;
        char last_auth[128];
        struct kl_http_req *held; /* a request the handler answers later */
        uv_timer_t stream_timer;
        struct kl_http_req *streaming;
        int stream_step;
        unsigned in_handler, max_in_handler;
};

static void on_stream_tick(uv_timer_t *t)
{
        struct env *e = t->data;
        static const char *const parts[] = { "one\n", "two\n", "three\n" };

        if (e->stream_step < 3) {
                (void)kl_http_stream_write(e->streaming, parts[e->stream_step],
                                           strlen(parts[e->stream_step]));
                e->stream_step++;
                return;
        }
        (void)uv_timer_stop(t);
        (void)kl_http_stream_end(e->streaming);
        e->streaming = NULL;
}

static void handler(struct kl_http_req *req, void *userdata)
{
        struct env *e = userdata;
        const char *path = kl_http_req_path(req);
        const char *auth = kl_http_req_header(req, "authorization");

        if (e->n_peers < KL_ARRAY_SIZE(e->peers))
                (void)snprintf(e->peers[e->n_peers++], sizeof(e->peers[0]), "%s",
                               kl_http_req_peer(req));
        (void)snprintf(e->last_auth, sizeof(e->last_auth), "%s", auth ? auth : "");
        if (kl_streq(path, "/echo")) {
                size_t len = 0;
                const char *body = kl_http_req_body(req, &len);
                const char *ct = kl_http_req_header(req, "content-type");
                const char *q = kl_http_req_query(req);
                char *out = kl_asprintf("%s %s %s %.*s", kl_http_req_method(req), ct ? ct : "-",
                                        kl_isempty(q) ? "-" : q, (int)len, body ? body : "");

                (void)kl_http_respond_take(req, 200, "text/plain", out, strlen(out));
                return;
        }
        if (kl_streq(path, "/big")) {
                char buf[1000];

                memset(buf, 'b', sizeof(buf));
                (void)kl_http_respond(req, 200, "text/plain", buf, sizeof(buf));
                return;
        }
        if (kl_streq(path, "/missing")) {
                (void)kl_http_respond(req, 404, "application/json", "{\"code\":404}", 12);
                return;
        }
        if (kl_streq(path, "/stream")) {
                (void)kl_http_stream_start(req, 200, "application/json");
                e->streaming = req;
                e->stream_step = 0;
                (void)uv_timer_start(&e->stream_timer, on_stream_tick, 1, 1);
                return;
        }
        if (kl_streq(path, "/hold")) {
                e->held = kl_http_req_ref(req);
                return;
        }
        (void)kl_http_respond_status(req, 404);
}

static void env_start(struct env *e, const struct kl_http_client_opts *co)
{
        struct kl_http_server_config cfg = { .handler = handler, .userdata = e };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_http_server_new(&e->loop, &cfg, &e->server, &err), 0);
        cr_assert_eq(kl_http_server_listen(e->server, "127.0.0.1", 0, &err), 0);
        (void)snprintf(e->base, sizeof(e->base), "http://127.0.0.1:%d",
                       kl_http_server_port(e->server));
        cr_assert_eq(kl_http_client_new(&e->loop, co, &e->client, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(uv_timer_init(&e->loop, &e->stream_timer), 0);
        e->stream_timer.data = e;
}

static void on_server_closed(struct kl_http_server *s, void *arg)
{
        (void)s;
        *(bool *)arg = true;
}

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 1000000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void env_stop(struct env *e)
{
        bool closed = false;

        kl_http_client_free(e->client);
        if (e->held) {
                (void)kl_http_respond_status(e->held, 503);
                (void)kl_http_req_unref(e->held);
        }
        uv_close((uv_handle_t *)&e->stream_timer, NULL);
        kl_http_server_close(e->server, 0, on_server_closed, &closed);
        run_until(&e->loop, &closed);
        cr_expect_eq(kl_loop_finish(&e->loop), 0);
}

struct result {
        char body[2048];
        char streamed[256];
        size_t streamed_len;
        struct kl_http_call *call;
        struct env *free_env; /* free the client from inside done */
        unsigned *order, *order_pos;
        unsigned order_n;
        unsigned calls;
        int r, status;
        bool done;
        bool cancel_in_data;
};

static void on_done(void *arg, int r, int status, const char *body, size_t len,
                    const struct kl_err *err)
{
        struct result *res = arg;

        res->calls++;
        res->done = true;
        res->r = r;
        res->status = status;
        if (r < 0)
                cr_expect_not_null(err);
        (void)snprintf(res->body, sizeof(res->body), "%.*s", (int)len, body ? body : "");
        if (res->order_pos)
                res->order[(*res->order_pos)++] = res->order_n;
        if (res->free_env) {
                kl_http_client_free(res->free_env->client);
                res->free_env->client = NULL;
        }
}

static int on_data(void *arg, const char *data, size_t len)
{
        struct result *res = arg;

        cr_assert_leq(res->streamed_len + len, sizeof(res->streamed) - 1);
        memcpy(res->streamed + res->streamed_len, data, len);
        res->streamed_len += len;
        if (res->cancel_in_data) {
                kl_http_call_cancel(res->call);
                res->done = true;
        }
        return 0;
}

static void start(struct env *e, const char *method, const char *path, const char *ct,
                  const char *body, struct result *res)
{
        kl_autofree char *url = kl_asprintf("%s%s", e->base, path);
        struct kl_http_call_opts o = { .method = method,
                                       .url = url,
                                       .content_type = ct,
                                       .body = body,
                                       .body_len = body ? strlen(body) : 0,
                                       .done = on_done,
                                       .arg = res };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_http_call_start(e->client, &o, &res->call, &err), 0);
        cr_expect_not(res->done, "no result from inside the call");
}

Test(http_client, methods_bodies_and_headers)
{
        struct kl_http_client_opts co = { .bearer_token = "tok" };
        struct env e = { 0 };
        struct result res = { 0 };

        env_start(&e, &co);
        start(&e, "POST", "/echo?a=b", "application/json", "{\"x\":1}", &res);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.r, 0);
        cr_expect_eq(res.status, 200);
        cr_expect_str_eq(res.body, "POST application/json a=b {\"x\":1}");
        cr_expect_str_eq(e.last_auth, "Bearer tok");

        res = (struct result){ 0 };
        start(&e, "PATCH", "/echo", "application/merge-patch+json", "{}", &res);
        run_until(&e.loop, &res.done);
        cr_expect_str_eq(res.body, "PATCH application/merge-patch+json - {}");

        res = (struct result){ 0 };
        start(&e, "DELETE", "/missing", NULL, NULL, &res);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.r, 0);
        cr_expect_eq(res.status, 404);
        cr_expect_str_eq(res.body, "{\"code\":404}");
        cr_expect_eq(res.calls, 1);
        env_stop(&e);
}

Test(http_client, keep_alive_reuses_the_connection)
{
        struct env e = { 0 };

        env_start(&e, NULL);
        for (int i = 0; i < 4; i++) {
                struct result res = { 0 };

                start(&e, "GET", "/echo", NULL, NULL, &res);
                run_until(&e.loop, &res.done);
                cr_assert_eq(res.status, 200);
        }
        cr_assert_eq(e.n_peers, 4);
        for (size_t i = 1; i < 4; i++)
                cr_expect_str_eq(e.peers[i], e.peers[0], "request %zu on another connection", i);
        env_stop(&e);
}

Test(http_client, streams_deliver_data_as_it_arrives)
{
        struct env e = { 0 };
        struct result res = { 0 };
        kl_autofree char *url = NULL;
        struct kl_http_call_opts o = {
                .method = "GET", .done = on_done, .data = on_data, .arg = &res
        };
        struct kl_err *err = NULL;

        env_start(&e, NULL);
        url = kl_asprintf("%s/stream", e.base);
        o.url = url;
        cr_assert_eq(kl_http_call_start(e.client, &o, &res.call, &err), 0);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.r, 0);
        cr_expect_eq(res.status, 200);
        cr_expect_str_eq(res.streamed, "one\ntwo\nthree\n");
        cr_expect_str_eq(res.body, "", "2xx stream bodies are not buffered");
        env_stop(&e);
}

Test(http_client, cancel_from_inside_a_stream_callback)
{
        struct env e = { 0 };
        struct result res = { .cancel_in_data = true };
        kl_autofree char *url = NULL;
        struct kl_http_call_opts o = {
                .method = "GET", .done = on_done, .data = on_data, .arg = &res
        };
        struct kl_err *err = NULL;

        env_start(&e, NULL);
        url = kl_asprintf("%s/stream", e.base);
        o.url = url;
        cr_assert_eq(kl_http_call_start(e.client, &o, &res.call, &err), 0);
        run_until(&e.loop, &res.done);
        /* Let the stream finish on the server; nothing more reaches us. */
        for (int i = 0; i < 1000 && e.streaming; i++)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(res.calls, 0, "done after a cancel");
        cr_expect_str_eq(res.streamed, "one\n");
        env_stop(&e);
}

Test(http_client, response_over_the_limit)
{
        struct kl_http_client_opts co = { .max_response = 100 };
        struct env e = { 0 };
        struct result res = { 0 };

        env_start(&e, &co);
        start(&e, "GET", "/big", NULL, NULL, &res);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.r, -E2BIG);
        cr_expect_eq(res.calls, 1);
        /* The client goes on working. */
        res = (struct result){ 0 };
        start(&e, "GET", "/echo", NULL, NULL, &res);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.status, 200);
        env_stop(&e);
}

Test(http_client, time_out)
{
        struct kl_http_client_opts co = { .request_timeout = 50 * KL_USEC_PER_MSEC };
        struct env e = { 0 };
        struct result res = { 0 };

        env_start(&e, &co);
        start(&e, "GET", "/hold", NULL, NULL, &res);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.r, -ETIMEDOUT, "%d", res.r);
        env_stop(&e);
}

Test(http_client, connection_refused)
{
        struct env e = { 0 };
        struct result res = { 0 };
        struct kl_http_call_opts o = {
                .method = "GET", .url = "http://127.0.0.1:1/", .done = on_done, .arg = &res
        };
        struct kl_err *err = NULL;

        env_start(&e, NULL);
        cr_assert_eq(kl_http_call_start(e.client, &o, NULL, &err), 0);
        run_until(&e.loop, &res.done);
        cr_expect_eq(res.r, -ECONNREFUSED, "%d", res.r);
        env_stop(&e);
}

Test(http_client, requests_beyond_max_requests_queue_in_order)
{
        struct kl_http_client_opts co = { .max_requests = 1 };
        struct env e = { 0 };
        struct result res[4] = { 0 };
        unsigned order[4], pos = 0;

        env_start(&e, &co);
        for (unsigned i = 0; i < 4; i++) {
                res[i].order = order;
                res[i].order_n = i;
                res[i].order_pos = &pos;
                start(&e, "GET", "/echo", NULL, NULL, &res[i]);
        }
        run_until(&e.loop, &res[3].done);
        cr_assert_eq(pos, 4);
        for (unsigned i = 0; i < 4; i++) {
                cr_expect_eq(order[i], i);
                cr_expect_eq(res[i].status, 200);
        }
        /* One at a time over one connection. */
        for (size_t i = 1; i < e.n_peers; i++)
                cr_expect_str_eq(e.peers[i], e.peers[0]);
        env_stop(&e);
}

Test(http_client, cancel_and_free_with_calls_in_flight)
{
        struct env e = { 0 };
        struct result a = { 0 }, b = { 0 }, c = { 0 };

        env_start(&e, NULL);
        start(&e, "GET", "/echo", NULL, NULL, &a);
        kl_http_call_cancel(a.call); /* before it was even sent */
        start(&e, "GET", "/hold", NULL, NULL, &b);
        for (int i = 0; i < 1000000 && !e.held; i++)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_assert_not_null(e.held);
        start(&e, "GET", "/echo", NULL, NULL, &c);
        kl_http_client_free(e.client);
        e.client = NULL;
        cr_expect_eq(a.calls + b.calls + c.calls, 0, "no callback of cancelled calls");
        env_stop(&e);
}

Test(http_client, free_from_inside_done)
{
        struct env e = { 0 };
        struct result a = { 0 }, b = { 0 };

        env_start(&e, NULL);
        a.free_env = &e;
        start(&e, "GET", "/echo", NULL, NULL, &a);
        start(&e, "GET", "/hold", NULL, NULL, &b);
        run_until(&e.loop, &a.done);
        cr_expect_null(e.client);
        cr_expect_eq(b.calls, 0);
        env_stop(&e);
}

Test(http_client, escape)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "abc-._~XYZ09", "abc-._~XYZ09" },
                { "a b/c", "a%20b%2Fc" },
                { "app in (x,y)", "app%20in%20%28x%2Cy%29" },
                { "k=v&x", "k%3Dv%26x" },
                { "\xc3\xa9", "%C3%A9" },
                { "", "" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;

                kl_http_escape(&b, cases[i].in);
                cr_expect_str_eq(b.buf, cases[i].out, "case %zu", i);
        }
}

Test(http_client, bad_options)
{
        uv_loop_t loop;
        struct kl_http_client *c = NULL;
        struct kl_http_client_opts half = { .cert_pem = "x" };
        struct kl_http_call_opts none = { 0 };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_expect_eq(kl_http_client_new(&loop, &half, &c, &err), -EINVAL);
        kl_err_free(err);
        err = NULL;
        cr_assert_eq(kl_http_client_new(&loop, NULL, &c, &err), 0);
        cr_expect_eq(kl_http_call_start(c, &none, NULL, &err), -EINVAL);
        kl_err_free(err);
        kl_http_client_free(c);
        cr_expect_eq(kl_loop_finish(&loop), 0);
}
