/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request parser alone: every limit, chunked bodies, pipelining, and a
 * table of malformed requests, each fed whole and one byte at a time.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "http/http-internal.h"

struct pt {
        struct kl_http_limits lim;
        struct kl_http__parser p;
        struct kl_http__msg msg;
        struct kl_pool pool;
        size_t used; /* bytes consumed by the last parse */
};

static void pt_init(struct pt *t, const struct kl_http_limits *lim)
{
        memset(t, 0, sizeof(*t));
        kl_http__limits_fill(&t->lim, lim);
        kl_http__parser_init(&t->p, &t->lim);
        kl_pool_init(&t->pool, 0);
}

static void pt_release(struct pt *t)
{
        kl_http__parser_release(&t->p);
        kl_buf_release(&t->msg.body);
        kl_pool_release(&t->pool);
}

/*
 * Parse one message from `data`, handing it over in pieces of `step` bytes
 * (0: all at once). Returns DONE, AGAIN (input ran out) or the error.
 */
static int pt_parse(struct pt *t, const char *data, size_t len, size_t step)
{
        size_t off = 0;

        kl_pool_release(&t->pool);
        kl_http__parser_start(&t->p, &t->msg, &t->pool);
        while (off <= len) {
                size_t n = step ? KL_MIN(step, len - off) : len - off, used = 0;
                int r = kl_http__parser_feed(&t->p, data + off, n, &used);

                cr_assert_leq(used, n);
                off += used;
                if (r < 0 || r == KL_HTTP__PARSE_DONE) {
                        t->used = off;
                        return r;
                }
                if (r == KL_HTTP__PARSE_AGAIN && off == len) {
                        t->used = off;
                        return r;
                }
        }
        return KL_HTTP__PARSE_AGAIN;
}

static const size_t steps[] = { 0, 1, 2, 3, 7, 64 };

#define S(lit) lit, sizeof(lit) - 1

Test(parser, simple_get)
{
        static const char req[] = "GET /api/v1/pods?watch=true&rv=1 HTTP/1.1\r\n"
                                  "Host: 127.0.0.1:6443\r\n"
                                  "User-Agent:   kubectl/v1.32.4  \r\n"
                                  "Accept: application/json\r\n\r\n";
        struct pt t;

        pt_init(&t, NULL);
        for (size_t s = 0; s < KL_ARRAY_SIZE(steps); s++) {
                cr_assert_eq(pt_parse(&t, S(req), steps[s]), KL_HTTP__PARSE_DONE, "step %zu",
                             steps[s]);
                cr_assert_eq(t.used, sizeof(req) - 1);
                cr_assert_str_eq(t.msg.method, "GET");
                cr_assert_str_eq(t.msg.target, "/api/v1/pods?watch=true&rv=1");
                cr_assert_str_eq(t.msg.path, "/api/v1/pods");
                cr_assert_str_eq(t.msg.query, "watch=true&rv=1");
                cr_assert_eq(t.msg.version_minor, 1);
                cr_assert_eq(t.msg.n_headers, 3);
                cr_assert_str_eq(kl_http__msg_header(&t.msg, "host"), "127.0.0.1:6443");
                cr_assert_str_eq(kl_http__msg_header(&t.msg, "USER-AGENT"), "kubectl/v1.32.4");
                cr_assert_null(kl_http__msg_header(&t.msg, "Content-Length"));
                cr_assert(t.msg.flags & KL_HTTP__MSG_KEEP_ALIVE);
                cr_assert_eq(t.msg.body.len, 0);
        }
        pt_release(&t);
}

Test(parser, no_query_is_empty_string)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t, S("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 0),
                     KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/healthz");
        cr_assert_str_eq(t.msg.query, "");
        pt_release(&t);
}

Test(parser, content_length_body_any_split)
{
        static const char req[] = "POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 26\r\n\r\n"
                                  "{\"metadata\":{\"name\":\"a\"}}\n";
        struct pt t;

        pt_init(&t, NULL);
        for (size_t s = 0; s < KL_ARRAY_SIZE(steps); s++) {
                cr_assert_eq(pt_parse(&t, S(req), steps[s]), KL_HTTP__PARSE_DONE);
                cr_assert_eq(t.msg.content_length, 26);
                cr_assert_eq(t.msg.body.len, 26);
                cr_assert_str_eq(t.msg.body.buf, "{\"metadata\":{\"name\":\"a\"}}\n");
                cr_assert_eq(t.used, sizeof(req) - 1);
        }
        pt_release(&t);
}

Test(parser, chunked_body_with_extensions_and_trailers)
{
        static const char req[] = "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "5\r\nhello\r\n"
                                  "1;name=value;other\r\n \r\n"
                                  "A \t;ext\r\n0123456789\r\n"
                                  "000\r\nTrailer-One: a\r\nTrailer-Two: b\r\n\r\n";
        struct pt t;

        pt_init(&t, NULL);
        for (size_t s = 0; s < KL_ARRAY_SIZE(steps); s++) {
                cr_assert_eq(pt_parse(&t, S(req), steps[s]), KL_HTTP__PARSE_DONE, "step %zu: %s",
                             steps[s], t.p.error ? t.p.error : "");
                cr_assert(t.msg.flags & KL_HTTP__MSG_CHUNKED);
                cr_assert_eq(t.msg.body.len, 16);
                cr_assert_str_eq(t.msg.body.buf, "hello 0123456789");
                cr_assert_eq(t.used, sizeof(req) - 1);
        }
        pt_release(&t);
}

Test(parser, chunked_bare_lf_and_empty_body)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"
                                "3\nabc\n0\n\n"),
                              1),
                     KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.body.buf, "abc");
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "0\r\n\r\n"),
                              0),
                     KL_HTTP__PARSE_DONE);
        cr_assert_eq(t.msg.body.len, 0);
        pt_release(&t);
}

Test(parser, pipelined_requests_stop_at_message_end)
{
        static const char two[] = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                                  "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "1\r\nz\r\n0\r\n\r\n";
        const char *p = two;
        size_t left = sizeof(two) - 1;
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t, p, left, 0), KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/a");
        cr_assert_str_eq(t.msg.body.buf, "abc");
        p += t.used;
        left -= t.used;
        cr_assert_eq(pt_parse(&t, p, left, 0), KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/b");
        cr_assert_eq(t.msg.body.len, 0);
        p += t.used;
        left -= t.used;
        cr_assert_eq(pt_parse(&t, p, left, 5), KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/c");
        cr_assert_str_eq(t.msg.body.buf, "z");
        cr_assert_eq(t.used, left);
        pt_release(&t);
}

Test(parser, leading_empty_lines)
{
        struct pt t;
        char big[64];

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t, S("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 1),
                     KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/");
        memset(big, '\n', sizeof(big));
        cr_assert_eq(pt_parse(&t, big, sizeof(big), 0), -EBADMSG);
        cr_assert_eq(t.p.status, 400);
        pt_release(&t);
}

Test(parser, incomplete_is_again)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t, S("GET / HTTP/1.1\r\nHost: x\r\n"), 0), KL_HTTP__PARSE_AGAIN);
        cr_assert(t.p.started);
        cr_assert_eq(
                pt_parse(&t, S("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"), 0),
                KL_HTTP__PARSE_AGAIN);
        pt_release(&t);
}

/* A request line of exactly `len` bytes. */
static char *request_line(size_t len)
{
        static const char pre[] = "GET /", post[] = " HTTP/1.1";
        char *s = kl_malloc(len + 32);
        size_t fill = len - (sizeof(pre) - 1) - (sizeof(post) - 1);

        memcpy(s, pre, sizeof(pre) - 1);
        memset(s + sizeof(pre) - 1, 'a', fill);
        memcpy(s + sizeof(pre) - 1 + fill, post, sizeof(post));
        return s;
}

Test(parser, request_line_limit_414)
{
        struct kl_http_limits lim = { .max_request_line = 100 };
        kl_autofree char *ok = request_line(100), *bad = request_line(101);
        kl_autofree char *ok_req = kl_asprintf("%s\r\nHost: x\r\n\r\n", ok);
        kl_autofree char *bad_req = kl_asprintf("%s\r\nHost: x\r\n\r\n", bad);
        kl_autofree char *endless = kl_malloc(1000);
        struct pt t;

        pt_init(&t, &lim);
        for (size_t s = 0; s < KL_ARRAY_SIZE(steps); s++) {
                cr_assert_eq(pt_parse(&t, ok_req, strlen(ok_req), steps[s]), KL_HTTP__PARSE_DONE);
                cr_assert_eq(pt_parse(&t, bad_req, strlen(bad_req), steps[s]), -ENAMETOOLONG);
                cr_assert_eq(t.p.status, 414);
        }
        /* Refused before its end arrives: no waiting for a line that never ends. */
        /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): raw bytes, not a string. */
        memcpy(endless, "GET /", 5);
        memset(endless + 5, 'b', 995);
        cr_assert_eq(pt_parse(&t, endless, 1000, 0), -ENAMETOOLONG);
        cr_assert_leq(t.p.head.len, 102);
        pt_release(&t);
}

Test(parser, header_bytes_limit_431)
{
        struct kl_http_limits lim = { .max_header_bytes = 64 };
        struct pt t;
        char value[80];

        pt_init(&t, &lim);
        /* "Host: x\r\n" (9) + "A: " (3) + 50 + "\r\n" (2) = 64 bytes of header block. */
        memset(value, 'v', 50);
        value[50] = '\0';
        {
                kl_autofree char *ok =
                        kl_asprintf("GET / HTTP/1.1\r\nHost: x\r\nA: %s\r\n\r\n", value);
                kl_autofree char *bad =
                        kl_asprintf("GET / HTTP/1.1\r\nHost: x\r\nA: %sv\r\n\r\n", value);

                for (size_t s = 0; s < KL_ARRAY_SIZE(steps); s++) {
                        cr_assert_eq(pt_parse(&t, ok, strlen(ok), steps[s]), KL_HTTP__PARSE_DONE);
                        cr_assert_eq(pt_parse(&t, bad, strlen(bad), steps[s]), -E2BIG);
                        cr_assert_eq(t.p.status, 431);
                }
        }
        pt_release(&t);
}

Test(parser, header_count_limit_431)
{
        struct kl_http_limits lim = { .max_headers = 5 };
        kl_autobuf struct kl_buf ok = KL_BUF_INIT, bad = KL_BUF_INIT;
        struct pt t;

        (void)kl_buf_puts(&ok, "GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 4; i++)
                (void)kl_buf_printf(&ok, "X-%d: y\r\n", i);
        (void)kl_buf_append(&bad, ok.buf, ok.len);
        (void)kl_buf_puts(&ok, "\r\n");
        (void)kl_buf_puts(&bad, "X-5: y\r\n\r\n");

        pt_init(&t, &lim);
        cr_assert_eq(pt_parse(&t, ok.buf, ok.len, 1), KL_HTTP__PARSE_DONE);
        cr_assert_eq(t.msg.n_headers, 5);
        cr_assert_eq(pt_parse(&t, bad.buf, bad.len, 1), -E2BIG);
        cr_assert_eq(t.p.status, 431);
        pt_release(&t);
}

Test(parser, body_limit_413)
{
        struct kl_http_limits lim = { .max_body = 10 };
        struct pt t;

        pt_init(&t, &lim);
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
                                "0123456789"),
                              0),
                     KL_HTTP__PARSE_DONE);
        /* Refused on the head, before a body byte is read. */
        cr_assert_eq(pt_parse(&t, S("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"), 0),
                     -EMSGSIZE);
        cr_assert_eq(t.p.status, 413);
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 99999999999999999999999\r\n\r\n"),
                              0),
                     -EMSGSIZE);
        /* Chunked: the running total, and a single chunk announced too large. */
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "6\r\n012345\r\n5\r\n67890\r\n0\r\n\r\n"),
                              1),
                     -EMSGSIZE);
        cr_assert_eq(t.p.status, 413);
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "ffffffffffffffffffffffff\r\n"),
                              0),
                     -EMSGSIZE);
        cr_assert_eq(t.msg.body.len, 0);
        pt_release(&t);
}

Test(parser, versions)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t, S("GET / HTTP/1.0\r\n\r\n"), 0), KL_HTTP__PARSE_DONE);
        cr_assert_eq(t.msg.version_minor, 0);
        cr_assert_not(t.msg.flags & KL_HTTP__MSG_KEEP_ALIVE);
        cr_assert_eq(pt_parse(&t, S("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), 0),
                     KL_HTTP__PARSE_DONE);
        cr_assert(t.msg.flags & KL_HTTP__MSG_KEEP_ALIVE);
        cr_assert_eq(pt_parse(&t, S("GET / HTTP/1.2\r\nHost: x\r\n\r\n"), 0), KL_HTTP__PARSE_DONE);
        cr_assert_eq(t.msg.version_minor, 1);
        cr_assert_eq(pt_parse(&t, S("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 0), -EPROTONOSUPPORT);
        cr_assert_eq(t.p.status, 505);
        cr_assert_eq(pt_parse(&t, S("GET / HTTP/0.9\r\n\r\n"), 0), -EPROTONOSUPPORT);
        cr_assert_eq(t.p.status, 505);
        pt_release(&t);
}

Test(parser, connection_tokens)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(
                pt_parse(&t, S("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n"), 0),
                KL_HTTP__PARSE_DONE);
        cr_assert_not(t.msg.flags & KL_HTTP__MSG_KEEP_ALIVE);
        cr_assert(kl_http__list_has_token(" a ,b,  close ", "CLOSE"));
        cr_assert_not(kl_http__list_has_token("closed, xclose", "close"));
        cr_assert_not(kl_http__list_has_token("", "close"));
        pt_release(&t);
}

Test(parser, expect_and_upgrade_flags)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t,
                              S("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n"
                                "Content-Length: 1\r\n\r\nx"),
                              0),
                     KL_HTTP__PARSE_DONE);
        cr_assert(t.msg.flags & KL_HTTP__MSG_EXPECT_CONTINUE);
        cr_assert_eq(pt_parse(&t, S("PUT / HTTP/1.1\r\nHost: x\r\nExpect: something\r\n\r\n"), 0),
                     -EINVAL);
        cr_assert_eq(t.p.status, 417);
        cr_assert_eq(pt_parse(&t,
                              S("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n"
                                "Upgrade: WebSocket\r\n\r\n"),
                              0),
                     KL_HTTP__PARSE_DONE);
        cr_assert(t.msg.flags & KL_HTTP__MSG_UPGRADE_WS);
        cr_assert(t.msg.flags & KL_HTTP__MSG_CONN_UPGRADE);
        cr_assert_eq(pt_parse(&t, S("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"), 0), KL_HTTP__PARSE_DONE);
        cr_assert(t.msg.flags & KL_HTTP__MSG_HEAD);
        pt_release(&t);
}

Test(parser, target_forms)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(
                pt_parse(&t, S("GET http://example.com/a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n"), 0),
                KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/a/b");
        cr_assert_str_eq(t.msg.query, "c=d");
        cr_assert_str_eq(t.msg.target, "http://example.com/a/b?c=d");
        cr_assert_eq(pt_parse(&t, S("GET HTTPS://example.com?q HTTP/1.1\r\nHost: x\r\n\r\n"), 0),
                     KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/");
        cr_assert_str_eq(t.msg.query, "q");
        cr_assert_eq(pt_parse(&t, S("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 0),
                     KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "*");
        cr_assert_eq(pt_parse(&t, S("GET * HTTP/1.1\r\nHost: x\r\n\r\n"), 0), -EBADMSG);
        pt_release(&t);
}

Test(parser, transfer_coding_other_than_chunked_is_501)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t,
                              S("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n"
                                "\r\n"),
                              0),
                     -EOPNOTSUPP);
        cr_assert_eq(t.p.status, 501);
        pt_release(&t);
}

struct bad_case {
        const char *name;
        const char *req;
        int status;
};

static const struct bad_case bad_cases[] = {
        { "no version", "GET /\r\nHost: x\r\n\r\n", 400 },
        { "lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400 },
        { "short version", "GET / HTTP/1\r\nHost: x\r\n\r\n", 400 },
        { "two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400 },
        { "leading space", " GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "bad method char", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "control in target", "GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "non-ascii target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "relative target", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "missing host", "GET / HTTP/1.1\r\n\r\n", 400 },
        { "two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
        { "no colon", "GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n", 400 },
        { "empty name", "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400 },
        { "space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400 },
        { "obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", 400 },
        { "bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", 400 },
        { "control in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\x7f\r\n\r\n", 400 },
        { "bad content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1a\r\n\r\n", 400 },
        { "negative content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
          400 },
        { "empty content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400 },
        { "list content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n",
          400 },
        { "conflicting content-length",
          "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400 },
        { "length and chunked",
          "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
          400 },
        { "two transfer-encodings",
          "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
          "Transfer-Encoding: chunked\r\n\r\n",
          400 },
        { "chunked in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "chunk size not hex",
          "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
        { "chunk size missing",
          "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400 },
        { "chunk without crlf",
          "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400 },
        { "chunk size bare cr",
          "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\rab\r\n", 400 },
        { "empty request line", "\r\n\r\n \r\n\r\n", 400 },
};

Test(parser, malformed_requests)
{
        struct pt t;

        pt_init(&t, NULL);
        for (size_t i = 0; i < KL_ARRAY_SIZE(bad_cases); i++) {
                const struct bad_case *bc = &bad_cases[i];

                for (size_t s = 0; s < KL_ARRAY_SIZE(steps); s++) {
                        int r = pt_parse(&t, bc->req, strlen(bc->req), steps[s]);

                        cr_assert_lt(r, 0, "%s (step %zu): parsed", bc->name, steps[s]);
                        cr_assert_eq(t.p.status, bc->status, "%s: status %d", bc->name, t.p.status);
                        cr_assert_not_null(t.p.error);
                }
        }
        pt_release(&t);
}

Test(parser, nul_in_head_is_refused)
{
        static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n";
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_eq(pt_parse(&t, req, sizeof(req) - 1, 0), -EBADMSG);
        cr_assert_eq(t.p.status, 400);
        pt_release(&t);
}

Test(parser, parser_reuse_after_error)
{
        struct pt t;

        pt_init(&t, NULL);
        cr_assert_lt(pt_parse(&t, S("BAD\r\n\r\n"), 0), 0);
        cr_assert_eq(pt_parse(&t, S("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"), 0),
                     KL_HTTP__PARSE_DONE);
        cr_assert_str_eq(t.msg.path, "/ok");
        pt_release(&t);
}

Test(parser, limits_defaults)
{
        struct kl_http_limits l;

        kl_http__limits_fill(&l, &(struct kl_http_limits){ .max_body = 5 });
        cr_assert_eq(l.max_body, 5);
        cr_assert_eq(l.max_request_line, KL_HTTP_DEFAULT_MAX_REQUEST_LINE);
        cr_assert_eq(l.max_header_bytes, KL_HTTP_DEFAULT_MAX_HEADER_BYTES);
        cr_assert_eq(l.max_headers, KL_HTTP_DEFAULT_MAX_HEADERS);
        cr_assert_eq(l.idle_timeout, KL_HTTP_DEFAULT_IDLE_TIMEOUT);
        kl_http__limits_fill(&l, NULL);
        cr_assert_eq(l.max_body, 3 << 20);
}
