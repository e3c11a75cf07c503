/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDY/3.1 input as an exec/attach session reads it (server-spdy.c): the
 * first byte cuts the input in two feeds (frames arrive split), the second
 * chooses when the owner pauses, resumes and ends. Whatever the bytes, the
 * session hands over only channel messages of stdin (0), resize (4) and the
 * stdin close [255, 0], and what it sends is a sequence of whole frames.
 */
#include <string.h>

#include "agent/server-internal.h"
#include "base/base.h"
#include "testing/fuzz.h"

struct sink {
        struct kl_buf sent;
        bool ended;
};

static int t_send(void *arg, const void *d, size_t len)
{
        struct sink *s = arg;

        kl_assert(kl_buf_append(&s->sent, d, len) == 0);
        return 0;
}

static size_t t_queued(void *arg)
{
        (void)arg;
        return 0;
}

static void t_pause(void *arg, bool pause)
{
        (void)arg;
        (void)pause;
}

static void t_end(void *arg)
{
        ((struct sink *)arg)->ended = true;
}

static void on_message(void *arg, const uint8_t *msg, size_t len)
{
        (void)arg;
        kl_assert(len >= 1);
        kl_assert(msg[0] == 0 || msg[0] == 4 || (msg[0] == 255 && len == 2 && msg[1] == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct sink s = { .sent = KL_BUF_INIT };
        struct kl_agent__sx *sx;
        size_t cut, off = 0;
        uint8_t mode;

        if (size < 2)
                return 0;
        cut = KL_MIN((size_t)data[0], size - 2);
        mode = data[1];
        data += 2;
        size -= 2;
        sx = kl_agent__sx_new(&(struct kl_agent__pf_transport){ .send = t_send,
                                                                .queued = t_queued,
                                                                .pause = t_pause,
                                                                .end = t_end,
                                                                .arg = &s },
                              mode & 0x1f, on_message, &s);
        if (mode & 0x20)
                kl_agent__sx_pause(sx, true);
        kl_agent__sx_feed(sx, data, cut);
        if (mode & 0x40)
                kl_agent__sx_pause(sx, false);
        (void)kl_agent__sx_send(sx, 1, "out", 3);
        kl_agent__sx_feed(sx, data + cut, size - cut);
        (void)kl_agent__sx_send(sx, 3, "{}", 2);
        if (mode & 0x80)
                kl_agent__sx_end(sx);
        /* What went out is whole frames. */
        while (off < s.sent.len) {
                const uint8_t *p = (const uint8_t *)s.sent.buf + off;
                size_t len;

                kl_assert(s.sent.len - off >= 8);
                len = (size_t)p[5] << 16 | (size_t)p[6] << 8 | p[7];
                kl_assert(s.sent.len - off >= 8 + len);
                off += 8 + len;
        }
        kl_agent__sx_free(sx);
        kl_buf_release(&s.sent);
        return 0;
}
