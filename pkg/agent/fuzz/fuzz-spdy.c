/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDY/3.1 input as the port-forward session reads it: the bytes are taken
 * as a stream of frames (cut at a point the first byte chooses, so frames
 * also arrive split), every control frame's header block goes through the
 * session's one inflate stream. Whatever the bytes, the parser consumes a
 * whole frame or asks for more, never more than it was given, and a decoded
 * header block is name/value pairs within the bounds.
 */
#include <string.h>

#include "agent/server-internal.h"
#include "base/base.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kl_agent__spdy_zlib *z = kl_agent__spdy_zlib_new();
        struct kl_buf in = KL_BUF_INIT;
        size_t cut = size > 0 ? data[0] : 0, off = 0;

        if (size > 0) {
                data++;
                size--;
        }
        cut = KL_MIN(cut, size);
        /* First the bytes up to the cut, then the rest: the parser must wait, then go on. */
        for (int step = 0; step < 2; step++) {
                size_t from = step == 0 ? 0 : cut, to = step == 0 ? cut : size;

                kl_assert(kl_buf_append(&in, data + from, to - from) == 0);
                for (;;) {
                        struct kl_agent__spdy_frame f;
                        struct kl_err *e = NULL;
                        size_t used = 0;
                        int r = kl_agent__spdy_frame_parse((const uint8_t *)in.buf + off,
                                                           in.len - off, &f, &used, &e);

                        if (r <= 0) {
                                kl_assert(r == 0 || e);
                                kl_err_free(e);
                                if (r < 0)
                                        off = in.len; /* the session would end here */
                                break;
                        }
                        kl_assert(used >= 8 && used <= in.len - off);
                        off += used;
                        if (f.control && (f.type == KL_AGENT__SPDY_SYN_STREAM ||
                                          f.type == KL_AGENT__SPDY_SYN_REPLY ||
                                          f.type == KL_AGENT__SPDY_HEADERS)) {
                                char **h = NULL;

                                if (kl_agent__spdy_headers_decode(z, f.payload, f.len, &h, &e) <
                                    0) {
                                        kl_assert(e);
                                        kl_err_free(e);
                                        continue;
                                }
                                kl_assert(kl_strv_length(h) % 2 == 0);
                                kl_assert(kl_strv_length(h) <=
                                          2 * (size_t)KL_AGENT__SPDY_PAIRS_MAX);
                                kl_strv_free(h);
                        }
                }
        }
        kl_buf_release(&in);
        kl_agent__spdy_zlib_free(z);
        return 0;
}
