/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct kl_buf: kube-lite's only growable string (git's strbuf, with curl's
 * dynbuf size limit).
 *
 * Invariants: `buf` is never NULL after KL_BUF_INIT or kl_buf_init(); it is
 * always NUL-terminated and may hold embedded NULs (use `len`, not strlen);
 * `alloc` is private; kl_buf_detach() is the only way to take the memory out.
 *
 * Every buffer filled from outside (network, files, processes) is created with
 * a maximum: an append that would make `len` exceed `max` fails with -E2BIG
 * and leaves the buffer unchanged. KL_BUF_INIT has no limit and is for data
 * the program builds itself.
 *
 * Public fields: buf, len (read-only outside this module). Private: alloc, max.
 */
#ifndef KL_BASE_BUF_H
#define KL_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

struct kl_buf {
        char *buf;    /* owned unless it points at kl_buf_empty */
        size_t len;   /* bytes used, not counting the terminating NUL */
        size_t alloc; /* private: bytes allocated, 0 while buf is kl_buf_empty */
        size_t max;   /* private: largest len allowed */
};

extern char kl_buf_empty[1];

#define KL_BUF_INIT                                                        \
        {                                                                  \
                .buf = kl_buf_empty, .len = 0, .alloc = 0, .max = SIZE_MAX \
        }
#define KL_BUF_INIT_MAX(limit)                                            \
        {                                                                 \
                .buf = kl_buf_empty, .len = 0, .alloc = 0, .max = (limit) \
        }

/* Initialise with a maximum length (SIZE_MAX for none). Allocates nothing. */
void kl_buf_init(struct kl_buf *b, size_t max);
/* Free the memory; the buffer is then as after KL_BUF_INIT with the same max. */
void kl_buf_release(struct kl_buf *b);
/* Forget the contents, keep the memory. */
void kl_buf_reset(struct kl_buf *b);
/* Make room for `extra` more bytes. -E2BIG if that would exceed the maximum. */
int kl_buf_grow(struct kl_buf *b, size_t extra);
/* Shorten to `len` (<= current length). */
void kl_buf_truncate(struct kl_buf *b, size_t len);

/* Appends: 0 or -E2BIG (buffer unchanged). Unlimited buffers cannot fail. */
int kl_buf_append(struct kl_buf *b, const void *data, size_t len);
int kl_buf_puts(struct kl_buf *b, const char *s);
int kl_buf_putc(struct kl_buf *b, char c);
int kl_buf_printf(struct kl_buf *b, const char *fmt, ...) KL_PRINTF(2, 3);
int kl_buf_vprintf(struct kl_buf *b, const char *fmt, va_list ap) KL_PRINTF(2, 0);

/*
 * Take the string out: the caller owns the returned memory (free()) and the
 * buffer is left empty and reusable. Never returns NULL. `ret_len` may be NULL.
 */
char *kl_buf_detach(struct kl_buf *b, size_t *ret_len);

#endif
