/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The WebSocket frame decoder on arbitrary bytes. The first byte picks the
 * piece size of the feed calls (bits 0-3, 0 = whole) and the message limit
 * (bit 4: 64 bytes, else 64 KiB); events are checked for the invariants the
 * session relies on.
 */
#include "http/http-internal.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kl_http__ws_decoder d;
        size_t step, left, max;
        const uint8_t *in;

        if (size < 1)
                return 0;
        step = data[0] & 0x0f;
        max = (data[0] & 0x10) ? 64 : 64 << 10;
        in = data + 1;
        left = size - 1;
        kl_http__ws_decoder_init(&d, max);
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
                if (r == KL_HTTP__WS_EV_MESSAGE) {
                        kl_assert(d.message.len <= max);
                        kl_assert(d.msg_opcode == KL_HTTP__WS_TEXT ||
                                  d.msg_opcode == KL_HTTP__WS_BINARY);
                        if (d.msg_opcode == KL_HTTP__WS_TEXT)
                                kl_assert(kl_http__utf8_valid((const uint8_t *)d.message.buf,
                                                              d.message.len));
                } else if (r == KL_HTTP__WS_EV_CONTROL) {
                        kl_assert(d.control_len <= 125);
                        kl_assert(d.ctl_opcode >= KL_HTTP__WS_CLOSE &&
                                  d.ctl_opcode <= KL_HTTP__WS_PONG);
                } else {
                        kl_assert(used == n);
                }
        }
        kl_http__ws_decoder_release(&d);
        return 0;
}
