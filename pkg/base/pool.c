/* SPDX-License-Identifier: Apache-2.0 */
#include "base/pool.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/cleanup.h"

#define POOL_ALIGN alignof(max_align_t)

struct kl_pool_chunk {
        struct kl_pool_chunk *next;
        /* The payload follows, aligned like max_align_t. */
        alignas(max_align_t) char data[];
};

struct kl_pool_defer {
        struct kl_pool_defer *next;
        void (*fn)(void *arg);
        void *arg;
};

void kl_pool_init(struct kl_pool *p, size_t chunk_size)
{
        *p = (struct kl_pool)KL_POOL_INIT;
        if (chunk_size)
                p->chunk_size = chunk_size;
}

void kl_pool_release(struct kl_pool *p)
{
        struct kl_pool_chunk *c;

        /*
         * Destructors first and newest first: a resource registered later may
         * depend on one registered earlier, and the defer records themselves
         * live in the chunks freed below.
         */
        while (p->defers) {
                struct kl_pool_defer *d = p->defers;

                p->defers = d->next;
                d->fn(d->arg);
        }
        c = p->chunks;
        while (c) {
                struct kl_pool_chunk *next = c->next;

                free(c);
                c = next;
        }
        p->chunks = NULL;
        p->cur = NULL;
        p->left = 0;
}

static size_t align_up(size_t n)
{
        if (n > SIZE_MAX - (POOL_ALIGN - 1))
                kl_oom();
        return (n + POOL_ALIGN - 1) & ~(POOL_ALIGN - 1);
}

static struct kl_pool_chunk *chunk_new(size_t payload)
{
        if (payload > SIZE_MAX - sizeof(struct kl_pool_chunk))
                kl_oom();
        return kl_malloc(sizeof(struct kl_pool_chunk) + payload);
}

void *kl_pool_alloc(struct kl_pool *p, size_t size)
{
        struct kl_pool_chunk *c;
        void *r;

        size = align_up(size ? size : 1);
        if (size <= p->left) {
                r = p->cur;
                p->cur += size;
                p->left -= size;
                return r;
        }
        if (size > p->chunk_size / 4) {
                /*
                 * A large block gets a chunk of its own, linked behind the
                 * current chunk so the current chunk's free space stays in use.
                 */
                c = chunk_new(size);
                if (p->chunks) {
                        c->next = p->chunks->next;
                        p->chunks->next = c;
                } else {
                        c->next = NULL;
                        p->chunks = c;
                }
                return c->data;
        }
        c = chunk_new(p->chunk_size);
        c->next = p->chunks;
        p->chunks = c;
        p->cur = c->data + size;
        p->left = p->chunk_size - size;
        return c->data;
}

void *kl_pool_calloc(struct kl_pool *p, size_t n, size_t size)
{
        void *r;

        if (size && n > SIZE_MAX / size)
                kl_oom();
        r = kl_pool_alloc(p, n * size);
        memset(r, 0, n * size);
        return r;
}

void *kl_pool_memdup(struct kl_pool *p, const void *data, size_t size)
{
        void *r = kl_pool_alloc(p, size);

        if (size)
                memcpy(r, data, size);
        return r;
}

char *kl_pool_strndup(struct kl_pool *p, const char *s, size_t n)
{
        size_t len = strnlen(s, n);
        char *r = kl_pool_alloc(p, len + 1);

        memcpy(r, s, len);
        r[len] = '\0';
        return r;
}

char *kl_pool_strdup(struct kl_pool *p, const char *s)
{
        /* Not strndup(s, SIZE_MAX): gcc's -O2 fortify check rejects that bound. */
        return kl_pool_memdup(p, s, strlen(s) + 1);
}

char *kl_pool_printf(struct kl_pool *p, const char *fmt, ...)
{
        kl_autofree char *tmp = NULL;
        va_list ap;

        /* Formatted once on the heap, then copied: simpler than two passes over a va_list. */
        va_start(ap, fmt);
        tmp = kl_vasprintf(fmt, ap);
        va_end(ap);
        return kl_pool_strdup(p, tmp);
}

void kl_pool_defer(struct kl_pool *p, void (*fn)(void *arg), void *arg)
{
        struct kl_pool_defer *d = kl_pool_alloc(p, sizeof(*d));

        d->fn = fn;
        d->arg = arg;
        d->next = p->defers;
        p->defers = d;
}
