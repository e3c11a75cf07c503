/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 request parser on arbitrary bytes. The first input byte picks
 * how the rest is split across feed calls (bits 0-3: piece size, 0 = whole)
 * and whether tight limits apply (bit 4), so one corpus reaches the split
 * handling and every limit; the rest is parsed as a stream of pipelined
 * requests, each result checked for the invariants the server relies on.
 */
#include <string.h>

#include "http/http-internal.h"
#include "testing/fuzz.h"

static void check_message(const struct kl_http__msg *m, const struct kl_http_limits *lim)
{
        struct kl_http_req fake = { .msg = *m };

        kl_assert(m->method && m->target && m->path && m->query);
        kl_assert(m->version_minor <= 1);
        kl_assert(m->n_headers <= lim->max_headers);
        kl_assert(m->body.len <= lim->max_body);
        kl_assert(!(m->flags & KL_HTTP__MSG_HAS_LENGTH) || m->content_length == m->body.len);
        for (size_t i = 0; i < m->n_headers; i++) {
                kl_assert(kl_http__is_token(m->headers[i].name));
                kl_assert(!strpbrk(m->headers[i].value, "\r\n"));
                kl_assert(kl_http__msg_header(m, m->headers[i].name));
        }
        (void)kl_http_req_is_websocket(&fake);
        (void)kl_http_req_ws_offers(&fake, "v5.channel.k8s.io");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kl_http_limits lim;
        struct kl_http__parser p;
        struct kl_http__msg msg = { 0 };
        struct kl_pool pool;
        const char *in;
        size_t step, left;

        if (size < 1)
                return 0;
        step = data[0] & 0x0f;
        kl_http__limits_fill(&lim, (data[0] & 0x10) ? &(struct kl_http_limits){
                                                              .max_request_line = 64,
                                                              .max_header_bytes = 128,
                                                              .max_headers = 4,
                                                              .max_body = 32,
                                                      }
                                                    : NULL);
        in = (const char *)data + 1;
        left = size - 1;
        kl_http__parser_init(&p, &lim);
        kl_pool_init(&pool, 0);
        for (int messages = 0; messages < 64 && left > 0; messages++) {
                int r = KL_HTTP__PARSE_AGAIN;

                kl_pool_release(&pool);
                kl_http__parser_start(&p, &msg, &pool);
                while (left > 0) {
                        size_t n = step ? KL_MIN(step, left) : left, used = 0;

                        r = kl_http__parser_feed(&p, in, n, &used);
                        kl_assert(used <= n);
                        in += used;
                        left -= used;
                        if (r < 0 || r == KL_HTTP__PARSE_DONE)
                                break;
                        /* AGAIN consumes everything; HEAD_DONE may stop early. */
                        kl_assert(r == KL_HTTP__PARSE_HEAD_DONE || used == n);
                }
                if (r == KL_HTTP__PARSE_HEAD_DONE)
                        r = kl_http__parser_feed(&p, in, 0, &(size_t){ 0 });
                if (r < 0) {
                        kl_assert(p.status >= 400 && p.status <= 505 && p.error);
                        break;
                }
                if (r != KL_HTTP__PARSE_DONE)
                        break;
                check_message(&msg, &lim);
        }
        kl_buf_release(&msg.body);
        kl_pool_release(&pool);
        kl_http__parser_release(&p);
        return 0;
}
