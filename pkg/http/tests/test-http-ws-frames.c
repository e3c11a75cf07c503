/* SPDX-License-Identifier: Apache-2.0 */
/* The WebSocket frame decoder, frame headers, accept key and UTF-8 check, without a socket. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/http-internal.h"

/* A masked client frame into `out`; returns its length. */
static size_t client_frame(uint8_t *out, bool fin, int opcode, const void *payload, size_t len)
{
        static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
        size_t n = kl_http__ws_frame_header(out, opcode, len);

        if (!fin)
                out[0] &= 0x7f;
        out[1] |= 0x80;
        memcpy(out + n, mask, 4);
        n += 4;
        for (size_t i = 0; i < len; i++)
                out[n + i] = ((const uint8_t *)payload)[i] ^ mask[i & 3];
        return n + len;
}

struct events {
        int kinds[16];
        int ops[16];
        char data[16][256];
        size_t lens[16];
        size_t n;
        int error;
};

/* Feed `data` in pieces of `step` (0: whole) and record every event. */
static void decode(struct kl_http__ws_decoder *d, const uint8_t *data, size_t len, size_t step,
                   struct events *ev)
{
        size_t off = 0;

        memset(ev, 0, sizeof(*ev));
        while (off < len) {
                size_t n = step ? KL_MIN(step, len - off) : len - off, used = 0;
                int r = kl_http__ws_decoder_feed(d, data + off, n, &used);

                off += used;
                if (r < 0) {
                        ev->error = d->close_code;
                        return;
                }
                if (r == KL_HTTP__WS_EV_MESSAGE || r == KL_HTTP__WS_EV_CONTROL) {
                        const void *p = r == KL_HTTP__WS_EV_MESSAGE ? (const void *)d->message.buf
                                                                    : (const void *)d->control;
                        size_t l = r == KL_HTTP__WS_EV_MESSAGE ? d->message.len : d->control_len;

                        cr_assert_lt(ev->n, 16);
                        ev->kinds[ev->n] = r;
                        ev->ops[ev->n] =
                                r == KL_HTTP__WS_EV_MESSAGE ? d->msg_opcode : d->ctl_opcode;
                        ev->lens[ev->n] = l;
                        memcpy(ev->data[ev->n], p, KL_MIN(l, sizeof(ev->data[0])));
                        ev->n++;
                } else {
                        cr_assert_eq(used, n);
                }
        }
}

Test(ws_frames, binary_message_any_split)
{
        uint8_t buf[64];
        size_t n = client_frame(buf, true, KL_HTTP__WS_BINARY, "\x00hello", 6);
        struct kl_http__ws_decoder d;
        struct events ev;

        for (size_t step = 0; step < 8; step++) {
                kl_http__ws_decoder_init(&d, 1024);
                decode(&d, buf, n, step, &ev);
                cr_assert_eq(ev.error, 0);
                cr_assert_eq(ev.n, 1);
                cr_assert_eq(ev.kinds[0], KL_HTTP__WS_EV_MESSAGE);
                cr_assert_eq(ev.ops[0], KL_HTTP__WS_BINARY);
                cr_assert_eq(ev.lens[0], 6);
                cr_assert_eq(memcmp(ev.data[0], "\x00hello", 6), 0);
                kl_http__ws_decoder_release(&d);
        }
}

Test(ws_frames, fragments_with_ping_between)
{
        uint8_t buf[256];
        size_t n = 0;
        struct kl_http__ws_decoder d;
        struct events ev;

        n += client_frame(buf + n, false, KL_HTTP__WS_TEXT, "hel", 3);
        n += client_frame(buf + n, true, KL_HTTP__WS_PING, "pp", 2);
        n += client_frame(buf + n, false, KL_HTTP__WS_CONT, "lo ", 3);
        n += client_frame(buf + n, true, KL_HTTP__WS_CONT, "w\xc3\xb6rld", 6);
        n += client_frame(buf + n, true, KL_HTTP__WS_BINARY, "", 0);
        for (size_t step = 0; step < 5; step++) {
                kl_http__ws_decoder_init(&d, 1024);
                decode(&d, buf, n, step, &ev);
                cr_assert_eq(ev.error, 0);
                cr_assert_eq(ev.n, 3);
                cr_assert_eq(ev.kinds[0], KL_HTTP__WS_EV_CONTROL);
                cr_assert_eq(ev.ops[0], KL_HTTP__WS_PING);
                cr_assert_eq(memcmp(ev.data[0], "pp", 2), 0);
                cr_assert_eq(ev.kinds[1], KL_HTTP__WS_EV_MESSAGE);
                cr_assert_eq(ev.ops[1], KL_HTTP__WS_TEXT);
                cr_assert_eq(ev.lens[1], 12);
                cr_assert_eq(memcmp(ev.data[1], "hello w\xc3\xb6rld", 12), 0);
                cr_assert_eq(ev.ops[2], KL_HTTP__WS_BINARY);
                cr_assert_eq(ev.lens[2], 0);
                kl_http__ws_decoder_release(&d);
        }
}

Test(ws_frames, long_lengths)
{
        size_t len = 70000;
        kl_autofree uint8_t *payload = kl_malloc(len);
        kl_autofree uint8_t *buf = kl_malloc(len + 14);
        struct kl_http__ws_decoder d;
        size_t n, used = 0;

        for (size_t i = 0; i < len; i++)
                payload[i] = (uint8_t)(i * 7);
        n = client_frame(buf, true, KL_HTTP__WS_BINARY, payload, len);
        cr_assert_eq(buf[1] & 0x7f, 127);
        kl_http__ws_decoder_init(&d, len);
        cr_assert_eq(kl_http__ws_decoder_feed(&d, buf, n, &used), KL_HTTP__WS_EV_MESSAGE);
        cr_assert_eq(used, n);
        cr_assert_eq(d.message.len, len);
        cr_assert_eq(memcmp(d.message.buf, payload, len), 0);
        kl_http__ws_decoder_release(&d);

        n = client_frame(buf, true, KL_HTTP__WS_BINARY, payload, 300);
        cr_assert_eq(buf[1] & 0x7f, 126);
        kl_http__ws_decoder_init(&d, len);
        cr_assert_eq(kl_http__ws_decoder_feed(&d, buf, n, &used), KL_HTTP__WS_EV_MESSAGE);
        cr_assert_eq(d.message.len, 300);
        kl_http__ws_decoder_release(&d);
}

static int decode_error(const uint8_t *buf, size_t n, size_t max)
{
        struct kl_http__ws_decoder d;
        struct events ev;

        kl_http__ws_decoder_init(&d, max);
        decode(&d, buf, n, 0, &ev);
        kl_http__ws_decoder_release(&d);
        return ev.error;
}

Test(ws_frames, protocol_errors)
{
        uint8_t buf[512];
        size_t n;

        (void)client_frame(buf, true, KL_HTTP__WS_BINARY, "x", 1);
        buf[1] &= 0x7f; /* unmasked */
        cr_assert_eq(decode_error(buf, 2, 100), 1002);

        n = client_frame(buf, true, KL_HTTP__WS_BINARY, "x", 1);
        buf[0] |= 0x40; /* RSV1 without an extension */
        cr_assert_eq(decode_error(buf, n, 100), 1002);

        n = client_frame(buf, true, 0x3, "x", 1); /* reserved opcode */
        cr_assert_eq(decode_error(buf, n, 100), 1002);

        n = client_frame(buf, false, KL_HTTP__WS_PING, "x", 1); /* fragmented control */
        cr_assert_eq(decode_error(buf, n, 100), 1002);

        memset(buf + 100, 'a', 200);
        n = client_frame(buf, true, KL_HTTP__WS_PING, buf + 100, 126); /* control too long */
        cr_assert_eq(decode_error(buf, n, 1000), 1002);

        n = client_frame(buf, true, KL_HTTP__WS_CONT, "x", 1); /* continuation of nothing */
        cr_assert_eq(decode_error(buf, n, 100), 1002);

        n = client_frame(buf, false, KL_HTTP__WS_TEXT, "a", 1);
        n += client_frame(buf + n, true, KL_HTTP__WS_BINARY, "b", 1); /* new message inside one */
        cr_assert_eq(decode_error(buf, n, 100), 1002);

        n = client_frame(buf, true, KL_HTTP__WS_TEXT, "\xc0\xaf", 2); /* overlong UTF-8 */
        cr_assert_eq(decode_error(buf, n, 100), 1007);

        n = client_frame(buf, true, KL_HTTP__WS_BINARY, buf + 100, 101); /* over the limit */
        cr_assert_eq(decode_error(buf, n, 100), 1009);

        /* A message whose fragments add up to more than the limit. */
        n = client_frame(buf, false, KL_HTTP__WS_BINARY, buf + 100, 60);
        n += client_frame(buf + n, true, KL_HTTP__WS_CONT, buf + 100, 60);
        cr_assert_eq(decode_error(buf, n, 100), 1009);

        /* A 2^62-byte frame is refused from its header alone. */
        buf[0] = 0x82;
        buf[1] = 0x80 | 127;
        memset(buf + 2, 0, 8);
        buf[2] = 0x40;
        memset(buf + 10, 0, 4);
        cr_assert_eq(decode_error(buf, 14, 100), 1009);
        buf[2] = 0x80; /* most significant bit set: not a valid length */
        cr_assert_eq(decode_error(buf, 14, 100), 1002);
}

Test(ws_frames, frame_header_sizes)
{
        uint8_t h[10];

        cr_assert_eq(kl_http__ws_frame_header(h, KL_HTTP__WS_BINARY, 0), 2);
        cr_assert_eq(h[0], 0x82);
        cr_assert_eq(h[1], 0);
        cr_assert_eq(kl_http__ws_frame_header(h, KL_HTTP__WS_TEXT, 125), 2);
        cr_assert_eq(h[1], 125);
        cr_assert_eq(kl_http__ws_frame_header(h, KL_HTTP__WS_TEXT, 126), 4);
        cr_assert_eq(h[1], 126);
        cr_assert_eq(h[2], 0);
        cr_assert_eq(h[3], 126);
        cr_assert_eq(kl_http__ws_frame_header(h, KL_HTTP__WS_TEXT, 65535), 4);
        cr_assert_eq(kl_http__ws_frame_header(h, KL_HTTP__WS_TEXT, 65536), 10);
        cr_assert_eq(h[1], 127);
        cr_assert_eq(h[7], 1);
        cr_assert_eq(h[8], 0);
}

Test(ws_frames, accept_key_rfc6455_example)
{
        char out[29];

        cr_assert_eq(kl_http__ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
        cr_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

Test(ws_frames, utf8)
{
        cr_assert(kl_http__utf8_valid((const uint8_t *)"", 0));
        cr_assert(kl_http__utf8_valid((const uint8_t *)"plain", 5));
        cr_assert(kl_http__utf8_valid((const uint8_t *)"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
        cr_assert_not(kl_http__utf8_valid((const uint8_t *)"\xc3", 1));             /* truncated */
        cr_assert_not(kl_http__utf8_valid((const uint8_t *)"\xe0\x80\xaf", 3));     /* overlong */
        cr_assert_not(kl_http__utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
        cr_assert_not(kl_http__utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > 10FFFF */
        cr_assert_not(kl_http__utf8_valid((const uint8_t *)"\xff", 1));
        cr_assert_not(kl_http__utf8_valid((const uint8_t *)"\x80", 1));
}
