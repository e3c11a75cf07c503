/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LISTs written as text a slice at a time (read.c kl_apiserver__list_text,
 * http-api.c kl_apiserver__respond_list_text()): the text produced in slices
 * is byte for byte the whole-built one and what decoding and encoding every
 * object gives (pages with limit/continue, selectors, objects whose bytes
 * cannot be spliced); over HTTP the body is announced in Content-Length and
 * produced only as the client reads it (a slow reader holds back the rest),
 * a client that goes away releases every reference; and through the real
 * server over HTTPS a LIST of many slices and its pages are the same bytes.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "api/selector.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "http/http.h"
#include "loop/loop.h"
#include "pki/pki.h"
#include "testing/testing.h"
#include "json/json.h"

/* Synthetic objects' keys; the server's own are /registry/core/configmaps/default/... */
#define PREFIX "/registry/configmaps/default/"

static const struct kl_api_resource *configmaps(void)
{
        const struct kl_api_resource *r = kl_api_resource_find("", "v1", "configmaps");

        cr_assert_not_null(r);
        return r;
}

/* A ConfigMap's stored text with `pad` bytes of data (escapes included), as the store keeps it. */
static struct kl_apiserver__obj *cm(size_t i, size_t pad, int64_t rev)
{
        kl_autofree char *key = kl_asprintf(PREFIX "cm-%06zu", i);
        kl_autofree char *fill = kl_malloc(pad + 1);
        kl_autofree char *val = NULL;

        memset(fill, 'a' + (char)(i % 26), pad);
        fill[pad] = '\0';
        val = kl_asprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                          "\"cm-%06zu\",\"namespace\":\"default\",\"labels\":{\"app\":\"%s\"},"
                          "\"annotations\":{\"q\":\"x\\\\\",\"e\":\"\\\"}{]\\\\\\\"\"}},"
                          "\"data\":{\"k\":\"%s\",\"u\":\"\xc3\xa9\\n\"}}",
                          i, i % 3 ? "x" : "y", fill);
        return kl_apiserver__obj_new(key, val, strlen(val), rev, rev);
}

struct items {
        struct kl_apiserver__obj **v;
        size_t n;
};

static struct items make_items(size_t n, size_t pad)
{
        struct items it = { .v = kl_calloc(n + 3, sizeof(struct kl_apiserver__obj *)) };
        static const char odd_meta[] =
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}";
        static const char has_rv[] = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{"
                                     "\"name\":\"zz-rv\",\"resourceVersion\":\"3\"}}";

        for (size_t i = 0; i < n; i++)
                it.v[it.n++] = cm(i, pad, (int64_t)(i % 50) + 2);
        /* Empty metadata (no comma), and a text that is decoded instead of spliced. */
        it.v[it.n++] = kl_apiserver__obj_new(PREFIX "zz-empty", odd_meta, strlen(odd_meta), 7, 7);
        it.v[it.n++] = kl_apiserver__obj_new(PREFIX "zz-rv", has_rv, strlen(has_rv), 9, 9);
        return it;
}

static void free_items(struct items *it)
{
        for (size_t i = 0; i < it->n; i++)
                kl_apiserver__obj_unref(it->v[i]);
        free(it->v);
}

/*
 * The page as jansson would encode it: every object decoded, then the list
 * encoded; the text form ends without the encoder's newline.
 */
static char *reference_text(const struct items *it, const struct kl_apiserver__page *p)
{
        json_auto_t *list = NULL;
        kl_autobuf struct kl_buf out = KL_BUF_INIT;

        cr_assert_eq(kl_apiserver__list_page(configmaps(), it->v, it->n, p, &list, NULL, NULL), 0);
        cr_assert_eq(kl_json_encode(list, 0, &out, NULL), 0);
        cr_assert_eq(out.buf[out.len - 1], '\n');
        kl_buf_truncate(&out, out.len - 1);
        return kl_buf_detach(&out, NULL);
}

/* Equal bytes; on a difference, where and a little of each side (never the whole text). */
static void expect_same(const char *got, size_t got_len, const char *want, const char *what)
{
        size_t want_len = strlen(want), i = 0;

        while (i < got_len && i < want_len && got[i] == want[i])
                i++;
        cr_expect(i == got_len && i == want_len,
                  "%s: %zu and %zu bytes, first difference at %zu: got '%.60s', want '%.60s'", what,
                  got_len, want_len, i, got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
}

/* The page produced `want` bytes at a time, checked against the reference as it goes. */
static void check_slices(const struct items *it, const struct kl_apiserver__page *p, size_t want)
{
        kl_autofree char *ref = reference_text(it, p);
        kl_autobuf struct kl_buf whole = KL_BUF_INIT;
        kl_autobuf struct kl_buf all = KL_BUF_INIT;
        struct kl_apiserver__list_text *t = NULL;
        size_t slices = 0;
        int more;

        cr_assert_eq(kl_apiserver__list_page(configmaps(), it->v, it->n, p, NULL, &whole, NULL), 0);
        expect_same(whole.buf, whole.len, ref, "whole");
        cr_assert_eq(kl_apiserver__list_text_new(configmaps(), it->v, it->n, p, &t, NULL), 0);
        cr_expect_eq(kl_apiserver__list_text_size(t), strlen(ref));
        do {
                kl_autobuf struct kl_buf slice = KL_BUF_INIT;

                more = kl_apiserver__list_text_next(t, &slice, want);
                cr_assert_geq(more, 0);
                (void)kl_buf_append(&all, slice.buf, slice.len);
                slices++;
        } while (more > 0);
        cr_expect_eq(kl_apiserver__list_text_next(t, &all, want), 0, "nothing after the end");
        kl_apiserver__list_text_free(t);
        expect_same(all.buf, all.len, ref, "slices");
        if (strlen(ref) > 10000 && want < strlen(ref) / 4)
                cr_expect_gt(slices, 3, "%zu slices of %zu", slices, strlen(ref));
}

Test(list_text, slices_are_the_whole_list_byte_for_byte)
{
        struct items it = make_items(400, 1500);
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *ls = NULL;
        static const size_t wants[] = { 1, 4096, 128 << 10, SIZE_MAX };

        cr_assert_eq(kl_api_label_selector_parse("app=x", &ls, NULL), 0);
        for (size_t w = 0; w < KL_ARRAY_SIZE(wants); w++) {
                /* All, a first page, a middle page from a token, selected, an empty page. */
                check_slices(&it, &(struct kl_apiserver__page){ .rev = 60, .prefix = PREFIX },
                             wants[w]);
                check_slices(
                        &it,
                        &(struct kl_apiserver__page){ .rev = 60, .prefix = PREFIX, .limit = 7 },
                        wants[w]);
                check_slices(&it,
                             &(struct kl_apiserver__page){ .rev = 60,
                                                           .prefix = PREFIX,
                                                           .start = "cm-000100",
                                                           .start_exclusive = true,
                                                           .limit = 150 },
                             wants[w]);
                check_slices(&it,
                             &(struct kl_apiserver__page){
                                     .rev = 60, .prefix = PREFIX, .limit = 90, .ls = ls },
                             wants[w]);
                check_slices(&it,
                             &(struct kl_apiserver__page){ .rev = 60,
                                                           .prefix = "/registry/configmaps/none/" },
                             wants[w]);
        }
        free_items(&it);
}

Test(list_text, references_go_as_items_are_produced)
{
        struct items it = make_items(50, 100);
        struct kl_apiserver__list_text *t = NULL;
        kl_autobuf struct kl_buf out = KL_BUF_INIT;

        cr_assert_eq(kl_apiserver__list_text_new(
                             configmaps(), it.v, it.n,
                             &(struct kl_apiserver__page){ .rev = 60, .prefix = PREFIX }, &t, NULL),
                     0);
        for (size_t i = 0; i < it.n; i++)
                cr_expect_eq(it.v[i]->refs, 2u, "item %zu", i);
        /* The head first, then an item at a time. */
        cr_assert_eq(kl_apiserver__list_text_next(t, &out, 1), 1);
        cr_expect_eq(it.v[0]->refs, 2u);
        cr_assert_eq(kl_apiserver__list_text_next(t, &out, 1), 1);
        cr_expect_eq(it.v[0]->refs, 1u, "the first item was produced");
        cr_expect_eq(it.v[1]->refs, 2u);
        /* A maximum reached: -E2BIG, and the item is still there to produce. */
        kl_buf_release(&out);
        kl_buf_init(&out, 16);
        cr_expect_eq(kl_apiserver__list_text_next(t, &out, 1), -E2BIG);
        cr_expect_eq(it.v[1]->refs, 2u);
        /* Freed early: every reference is released. */
        kl_apiserver__list_text_free(t);
        for (size_t i = 0; i < it.n; i++)
                cr_expect_eq(it.v[i]->refs, 1u, "item %zu", i);
        free_items(&it);
}

/* ------------------------------------------------------------------------- */
/* Over HTTP: a plain server on the test's loop, read by a socket the test drives */

struct plain {
        uv_loop_t loop;
        struct kl_http_server *srv;
        struct items it;
        struct kl_apiserver__page page;
        int port;
        bool closed;
};

static void plain_handler(struct kl_http_req *req, void *userdata)
{
        struct plain *p = userdata;
        struct kl_apiserver__list_text *t = NULL;

        cr_assert_eq(
                kl_apiserver__list_text_new(configmaps(), p->it.v, p->it.n, &p->page, &t, NULL), 0);
        kl_apiserver__respond_list_text(req, t);
}

static void plain_closed(struct kl_http_server *srv, void *userdata)
{
        (void)srv;
        *(bool *)userdata = true;
}

/* `n` objects of about `pad` bytes each: 2,000 of 8 KiB are more than any socket buffers hold. */
static void plain_start(struct plain *p, size_t n, size_t pad)
{
        struct kl_http_server_config cfg = { .handler = plain_handler, .userdata = p };
        struct kl_err *err = NULL;

        memset(p, 0, sizeof(*p));
        /* A write to a client that went away is an error here, as in the server. */
        (void)sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
        cr_assert_eq(kl_loop_init(&p->loop), 0);
        p->it = make_items(n, pad);
        p->page = (struct kl_apiserver__page){ .rev = 60, .prefix = PREFIX };
        cr_assert_eq(kl_http_server_new(&p->loop, &cfg, &p->srv, &err), 0);
        cr_assert_eq(kl_http_server_listen(p->srv, "127.0.0.1", 0, &err), 0);
        p->port = kl_http_server_port(p->srv);
}

static void plain_close(struct plain *p)
{
        kl_http_server_close(p->srv, 0, plain_closed, &p->closed);
        for (int i = 0; i < 100000 && !p->closed; i++)
                (void)kl_loop_run(&p->loop, UV_RUN_ONCE);
        cr_assert(p->closed);
}

static void plain_stop(struct plain *p)
{
        cr_expect_eq(kl_loop_finish(&p->loop), 0);
        free_items(&p->it);
}

/* Items the text still holds a reference on. */
static size_t held(const struct plain *p)
{
        size_t n = 0;

        for (size_t i = 0; i < p->it.n; i++)
                n += p->it.v[i]->refs > 1;
        return n;
}

/* A client with a small receive window that sends `req` and reads only when told to. */
static int client_connect(int port, const char *req)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), small = 4096;

        cr_assert_geq(fd, 0);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
        cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
        cr_assert_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
        return fd;
}

/* Run the loop and read until `out` holds `want` bytes (at most `chunk` per read). */
static void client_read(struct plain *p, int fd, struct kl_buf *out, size_t want, size_t chunk)
{
        char buf[65536];

        chunk = KL_MIN(chunk, sizeof(buf));
        for (long i = 0; i < 10000000 && out->len < want; i++) {
                ssize_t n;

                (void)kl_loop_run(&p->loop, UV_RUN_NOWAIT);
                n = recv(fd, buf, KL_MIN(chunk, want - out->len), 0);
                if (n > 0)
                        (void)kl_buf_append(out, buf, (size_t)n);
                else
                        cr_assert(n < 0 && errno == EAGAIN, "connection ended early");
        }
        cr_assert_eq(out->len, want);
}

/* Read a response head; returns its Content-Length and leaves the body's first bytes in `out`. */
static uint64_t client_head(struct plain *p, int fd, struct kl_buf *out)
{
        const char *end = NULL, *cl;
        uint64_t len = 0;

        while (!end) {
                client_read(p, fd, out, out->len + 1, 1);
                end = strstr(out->buf, "\r\n\r\n");
        }
        cr_assert(kl_startswith(out->buf, "HTTP/1.1 200 OK\r\n"), "%s", out->buf);
        cl = strcasestr(out->buf, "\r\nContent-Length: ");
        cr_assert(cl && cl < end, "%s", out->buf);
        cr_assert_null(strcasestr(out->buf, "Transfer-Encoding"));
        cr_assert_not_null(strstr(out->buf, "\r\nContent-Type: application/json\r\n"));
        {
                kl_autofree char *v =
                        kl_strndup(cl + strlen("\r\nContent-Length: "),
                                   strcspn(cl + 2, "\r") - strlen("Content-Length: "));

                cr_assert_eq(kl_parse_uint64(v, &len), 0, "%s", v);
        }
        memmove(out->buf, end + 4, out->len - (size_t)(end + 4 - out->buf));
        kl_buf_truncate(out, out->len - (size_t)(end + 4 - out->buf));
        return len;
}

Test(list_stream, slow_reader_gets_it_all_and_holds_back_the_rest)
{
        struct plain p;
        kl_autobuf struct kl_buf body = KL_BUF_INIT;
        kl_autofree char *ref = NULL;
        uint64_t len;
        int fd;

        plain_start(&p, 2000, 8000);
        ref = reference_text(&p.it, &p.page);
        fd = client_connect(p.port, "GET /list HTTP/1.1\r\nHost: t\r\n\r\n");
        len = client_head(&p, fd, &body);
        cr_expect_eq(len, strlen(ref));
        /* Not reading: once the socket buffers are full, nothing more is produced. */
        for (int i = 0; i < 2000; i++)
                (void)kl_loop_run(&p.loop, UV_RUN_NOWAIT);
        cr_expect_gt(held(&p), p.it.n / 2, "%zu of %zu items still to produce", held(&p), p.it.n);
        /* Reading slowly, a few KiB at a time: every byte arrives, as the whole list has it. */
        client_read(&p, fd, &body, len, 3000);
        expect_same(body.buf, body.len, ref, "body");
        cr_expect_eq(held(&p), 0);
        /* The connection goes on: HEAD announces the same length and sends nothing. */
        kl_buf_reset(&body);
        cr_assert_eq(send(fd, "HEAD /list HTTP/1.1\r\nHost: t\r\n\r\n", 32, MSG_NOSIGNAL), 32);
        cr_expect_eq(client_head(&p, fd, &body), len);
        cr_expect_eq(body.len, 0);
        cr_expect_eq(held(&p), 0);
        close(fd);
        plain_close(&p);
        plain_stop(&p);
}

Test(list_stream, client_gone_mid_stream_releases_the_references)
{
        struct plain p;
        kl_autobuf struct kl_buf body = KL_BUF_INIT;
        int fd;

        plain_start(&p, 2000, 8000);
        fd = client_connect(p.port, "GET /list HTTP/1.1\r\nHost: t\r\n\r\n");
        (void)client_head(&p, fd, &body);
        client_read(&p, fd, &body, 200000, 65536);
        cr_expect_gt(held(&p), 0);
        close(fd);
        for (int i = 0; i < 100000 && (held(&p) > 0 || kl_http_server_connections(p.srv) > 0); i++)
                (void)kl_loop_run(&p.loop, UV_RUN_ONCE);
        cr_expect_eq(held(&p), 0);
        cr_expect_eq(kl_http_server_connections(p.srv), 0);
        plain_close(&p);
        plain_stop(&p);
}

Test(list_stream, server_shutdown_mid_stream_releases_the_references)
{
        struct plain p;
        kl_autobuf struct kl_buf body = KL_BUF_INIT;
        int fd;

        plain_start(&p, 2000, 8000);
        fd = client_connect(p.port, "GET /list HTTP/1.1\r\nHost: t\r\n\r\n");
        (void)client_head(&p, fd, &body);
        cr_expect_gt(held(&p), 0);
        plain_close(&p);
        cr_expect_eq(held(&p), 0);
        close(fd);
        plain_stop(&p);
}

/* ------------------------------------------------------------------------- */
/* Through the API server over HTTPS */

static void on_write(void *arg, int r, const struct kl_apiserver_result *res,
                     const struct kl_err *err)
{
        (void)res;
        (void)err;
        *(int *)arg = r == 0 ? 1 : r;
}

/* GET as the admin; asserts 200. */
static void get(struct kl_testenv *e, const char *path, struct kl_testenv_reply *out)
{
        const struct kl_testenv_creds admin = { .cert_pem = e->admin_pem, .key_pem = e->admin_key };

        kl_testenv_https(e, &admin, "GET", path, NULL, NULL, out);
        cr_assert_eq(out->status, 200, "%s", out->body);
}

Test(list_stream, api_server_lists_and_pages_as_the_whole_built_text)
{
        const struct kl_api_resource *res = configmaps();
        struct kl_apiserver_write_opts wo = { .field_manager = "test" };
        struct kl_testenv e;
        struct kl_apiserver *s;
        struct kl_apiserver__cache *c;
        kl_autofree char *fill = kl_malloc(3001);
        kl_autofree char *token = NULL;
        kl_autofree char *prefix = kl_api_storage_key(res, "default", NULL);
        struct items view;
        struct kl_testenv_reply call;
        size_t pages = 0, seen = 0;

        memset(fill, 'z', 3000);
        fill[3000] = '\0';
        kl_testenv_start(&e, NULL);
        s = e.server;
        for (int i = 0; i < 150; i++) {
                char name[32];
                int done = 0;

                (void)snprintf(name, sizeof(name), "cm-%03d", i);
                kl_apiserver_create(s, res, "default",
                                    json_pack("{sssss{sss{ss}}s{ss}}", "apiVersion", "v1", "kind",
                                              "ConfigMap", "metadata", "name", name, "labels",
                                              "app", i % 2 ? "odd" : "even", "data", "k", fill),
                                    &wo, on_write, &done);
                for (int j = 0; j < 100000 && !done; j++)
                        (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
                cr_assert_eq(done, 1);
        }
        c = kl_apiserver__cache_of(s, res);
        view = (struct items){ .v = c->items, .n = c->n };

        /* The whole list: several slices, the bytes of the decoded and encoded list. */
        get(&e, "/api/v1/namespaces/default/configmaps", &call);
        {
                kl_autofree char *ref = reference_text(
                        &view, &(struct kl_apiserver__page){ .rev = s->rev, .prefix = prefix });

                cr_expect_gt(call.len, (size_t)3 * 128 * 1024);
                expect_same(call.body, call.len, ref, "list");
        }
        kl_testenv_reply_release(&call);

        /* Pages of 40 with a selector-free count of what remains, then a selected one. */
        do {
                struct kl_apiserver__page pg = { .rev = s->rev, .prefix = prefix, .limit = 40 };
                kl_autofree char *start = NULL;
                kl_autofree char *ref = NULL;
                kl_autofree char *url = NULL;
                json_auto_t *doc = NULL;
                int64_t rev;

                if (token) {
                        cr_assert_eq(kl_apiserver__continue_decode(token, &rev, &start,
                                                                   &pg.start_exclusive, NULL),
                                     0);
                        pg.start = start;
                }
                url = kl_asprintf("/api/v1/namespaces/default/configmaps?limit=40%s%s",
                                  token ? "&continue=" : "", token ? token : "");
                get(&e, url, &call);
                ref = reference_text(&view, &pg);
                expect_same(call.body, call.len, ref, "page");
                doc = json_loadb(call.body, call.len, 0, NULL);
                cr_assert_not_null(doc);
                seen += json_array_size(json_object_get(doc, "items"));
                free(token);
                {
                        const char *next = json_string_value(
                                json_object_get(json_object_get(doc, "metadata"), "continue"));

                        token = next ? kl_strdup(next) : NULL;
                }
                kl_testenv_reply_release(&call);
                pages++;
        } while (token && pages < 10);
        cr_expect_eq(pages, 4);
        cr_expect_eq(seen, 150);

        get(&e, "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dodd&limit=30", &call);
        {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *ls = NULL;
                kl_autofree char *ref = NULL;

                cr_assert_eq(kl_api_label_selector_parse("app=odd", &ls, NULL), 0);
                ref = reference_text(
                        &view, &(struct kl_apiserver__page){
                                       .rev = s->rev, .prefix = prefix, .limit = 30, .ls = ls });
                expect_same(call.body, call.len, ref, "selected");
        }
        kl_testenv_reply_release(&call);

        kl_testenv_stop(&e);
}
