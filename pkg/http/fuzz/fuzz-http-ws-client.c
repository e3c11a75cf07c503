/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the WebSocket client (http-ws-client.c) parses from a server, on
 * arbitrary bytes: the response head, then either a refusal's body
 * (Content-Length, chunked or up to the end) or, after a 101, server frames
 * through the shared decoder in its from_server mode. The first byte picks
 * the feed piece size (bits 0-3, 0 = whole), the message limit (bit 4) and
 * whether the body sees the end of the connection (bit 5).
 */
#include "http/http-internal.h"
#include "testing/fuzz.h"

static void frames(const uint8_t *in, size_t left, size_t step, size_t max)
{
        struct kl_http__ws_decoder d;

        kl_http__ws_decoder_init(&d, max);
        d.from_server = true;
        while (left > 0) {
                size_t n = step ? KL_MIN(step, left) : left, used = 0;
                int r = kl_http__ws_decoder_feed(&d, in, n, &used);

                kl_assert(used <= n);
                in += used;
                left -= used;
                if (r < 0) {
                        kl_assert(d.close_code == 1002 || d.close_code == 1007 ||
                                  d.close_code == 1009);
                        break;
                }
                if (r == KL_HTTP__WS_EV_MESSAGE)
                        kl_assert(d.message.len <= max);
                else if (r == KL_HTTP__WS_EV_CONTROL)
                        kl_assert(d.control_len <= 125);
        }
        kl_http__ws_decoder_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kl_http__ws_resp resp;
        struct kl_buf body = KL_BUF_INIT_MAX(KL_HTTP__WS_CLIENT_MAX_BODY);
        const char *in;
        size_t step, max, len;
        bool eof;
        int r;

        if (size < 1)
                return 0;
        step = data[0] & 0x0f;
        max = (data[0] & 0x10) ? 64 : 64 << 10;
        eof = data[0] & 0x20;
        in = (const char *)data + 1;
        len = size - 1;

        r = kl_http__ws_resp_parse(in, len, &resp);
        kl_assert(r <= (int)len);
        if (r <= 0) {
                kl_assert(r == 0 || r == -EBADMSG || r == -E2BIG);
                return 0;
        }
        kl_assert(resp.status >= 100 && resp.status <= 999);
        kl_assert(resp.protocol[sizeof(resp.protocol) - 1] == '\0');
        in += r;
        len -= (size_t)r;
        if (resp.status == 101) {
                frames((const uint8_t *)in, len, step, max);
                return 0;
        }
        r = kl_http__ws_resp_body(&resp, in, len, eof, &body);
        kl_assert(r == 0 || r == 1 || r == -EBADMSG || r == -E2BIG);
        if (r == 1)
                kl_assert(body.len <= len && body.len <= KL_HTTP__WS_CLIENT_MAX_BODY);
        else
                kl_assert(body.len == 0);
        kl_buf_release(&body);
        return 0;
}
