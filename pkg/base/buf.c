/* SPDX-License-Identifier: Apache-2.0 */
#include "base/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* Shared empty string so an unused buffer costs no allocation (git's slopbuf). */
char kl_buf_empty[1];

void kl_buf_init(struct kl_buf *b, size_t max)
{
        *b = (struct kl_buf)KL_BUF_INIT_MAX(max);
}

void kl_buf_release(struct kl_buf *b)
{
        if (b->alloc)
                free(b->buf);
        b->buf = kl_buf_empty;
        b->len = 0;
        b->alloc = 0;
}

void kl_buf_reset(struct kl_buf *b)
{
        kl_buf_truncate(b, 0);
}

void kl_buf_truncate(struct kl_buf *b, size_t len)
{
        kl_assert(len <= b->len);
        b->len = len;
        if (b->alloc)
                b->buf[len] = '\0';
}

int kl_buf_grow(struct kl_buf *b, size_t extra)
{
        size_t want, n;

        if (extra > b->max || b->len > b->max - extra)
                return -E2BIG;
        want = b->len + extra + 1;
        if (want <= b->alloc)
                return 0;
        n = b->alloc ? b->alloc : 64;
        while (n < want) {
                if (n > SIZE_MAX / 2) {
                        n = want;
                        break;
                }
                n *= 2;
        }
        if (b->alloc) {
                b->buf = kl_realloc(b->buf, n);
        } else {
                b->buf = kl_malloc(n);
                b->buf[0] = '\0';
        }
        b->alloc = n;
        return 0;
}

int kl_buf_append(struct kl_buf *b, const void *data, size_t len)
{
        int r = kl_buf_grow(b, len);

        if (r < 0)
                return r;
        if (len)
                memcpy(b->buf + b->len, data, len);
        b->len += len;
        b->buf[b->len] = '\0';
        return 0;
}

int kl_buf_puts(struct kl_buf *b, const char *s)
{
        return kl_buf_append(b, s, strlen(s));
}

int kl_buf_putc(struct kl_buf *b, char c)
{
        return kl_buf_append(b, &c, 1);
}

int kl_buf_vprintf(struct kl_buf *b, const char *fmt, va_list ap)
{
        va_list cp;
        size_t room;
        int n, r;

        /* Try in the space we have; most formats fit, saving a second pass. */
        room = b->alloc ? b->alloc - b->len : 0;
        va_copy(cp, ap);
        /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_copy just initialised it. */
        n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, cp);
        va_end(cp);
        if (n < 0)
                return -EINVAL;
        if ((size_t)n < room) {
                if ((size_t)n > b->max - b->len) {
                        b->buf[b->len] = '\0';
                        return -E2BIG;
                }
                b->len += (size_t)n;
                return 0;
        }
        if (room)
                b->buf[b->len] = '\0';
        r = kl_buf_grow(b, (size_t)n);
        if (r < 0)
                return r;
        va_copy(cp, ap);
        n = vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, cp);
        va_end(cp);
        if (n < 0)
                return -EINVAL;
        b->len += (size_t)n;
        return 0;
}

int kl_buf_printf(struct kl_buf *b, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = kl_buf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

char *kl_buf_detach(struct kl_buf *b, size_t *ret_len)
{
        char *s;

        if (!b->alloc)
                s = kl_strdup("");
        else
                s = b->buf;
        if (ret_len)
                *ret_len = b->len;
        b->buf = kl_buf_empty;
        b->len = 0;
        b->alloc = 0;
        return s;
}
