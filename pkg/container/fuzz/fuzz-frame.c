/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shim socket frames: the input is a byte stream as a peer might send it.
 * It is parsed whole, and again fed in pieces of pseudo-random sizes (the
 * first byte seeds them) through a reassembly loop like the shim's: both
 * must see the same frames and stop at the same place for the same reason,
 * and every frame must encode back to the bytes it came from.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/fuzz.h"

#define INPUT_MAX ((size_t)1 << 20)

struct seen {
        size_t off, len; /* where the frame's payload is in the stream */
        unsigned type;
};

/* Parse the whole stream; returns how the parse ended (0: partial or empty tail, -EPROTO). */
static int parse_all(const uint8_t *p, size_t n, struct seen *v, size_t *ret_n, size_t *ret_used)
{
        size_t off = 0, k = 0;

        for (;;) {
                struct kl_container__frame f;
                ssize_t r = kl_container__frame_parse(p + off, n - off, &f);

                if (r <= 0) {
                        *ret_n = k;
                        *ret_used = off;
                        return (int)r;
                }
                kl_assert((size_t)r == KL_CONTAINER__FRAME_HDR + f.len);
                kl_assert(f.len <= KL_CONTAINER__FRAME_MAX);
                kl_assert(f.payload == p + off + KL_CONTAINER__FRAME_HDR);
                v[k++] = (struct seen){ off + KL_CONTAINER__FRAME_HDR, f.len, f.type };
                off += (size_t)r;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *stream;
        size_t n, n_whole = 0, used_whole = 0, k = 0, have = 0, fed = 0, consumed = 0;
        kl_autofree struct seen *whole = NULL;
        kl_autofree uint8_t *buf = NULL;
        uint32_t seed;
        int end_whole, end = 0;
        bool stopped = false;

        if (size < 1 || size > INPUT_MAX)
                return 0;
        seed = data[0] * 2654435761u + 1;
        stream = data + 1;
        n = size - 1;
        /* At most one frame per header's worth of bytes. */
        whole = kl_calloc(n / KL_CONTAINER__FRAME_HDR + 1, sizeof(*whole));
        end_whole = parse_all(stream, n, whole, &n_whole, &used_whole);
        kl_assert(end_whole == 0 || end_whole == -EPROTO);

        /* The reassembly loop: append a piece, take every whole frame off the front. */
        buf = kl_malloc(n + 1);
        while (!stopped && fed < n) {
                size_t piece;

                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                piece = KL_MIN(n - fed, (size_t)(seed % 97) + 1);
                memcpy(buf + have, stream + fed, piece);
                have += piece;
                fed += piece;
                for (;;) {
                        struct kl_container__frame f;
                        ssize_t r = kl_container__frame_parse(buf, have, &f);

                        if (r < 0) {
                                end = (int)r;
                                stopped = true;
                                break;
                        }
                        if (r == 0)
                                break;
                        kl_assert(k < n_whole);
                        kl_assert(f.type == whole[k].type && f.len == whole[k].len);
                        kl_assert(memcmp(f.payload, stream + whole[k].off, f.len) == 0);
                        {
                                kl_autobuf struct kl_buf again = KL_BUF_INIT;

                                kl_assert(kl_container__frame_put(&again, f.type, f.payload,
                                                                  f.len) == 0);
                                kl_assert(again.len == (size_t)r);
                                kl_assert(memcmp(again.buf, buf, (size_t)r) == 0);
                        }
                        k++;
                        consumed += (size_t)r;
                        memmove(buf, buf + r, have - (size_t)r);
                        have -= (size_t)r;
                }
        }
        kl_assert(k == n_whole);
        kl_assert(end == end_whole);
        kl_assert(consumed == used_whole);
        return 0;
}
