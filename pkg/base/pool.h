/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct kl_pool: a bump allocator for memory that lives exactly as long as
 * one activity, typically one HTTP request (STYLE R5.7; h2o's h2o_mem_pool_t,
 * nginx's ngx_pool_t).
 *
 * Allocations are carved from chunks and are never freed one by one: the
 * whole pool goes at once with kl_pool_release(). Requests larger than a
 * quarter of the chunk size get a chunk of their own, so one large string does
 * not waste the rest of a chunk. Non-memory resources tied to the same
 * lifetime register a destructor with kl_pool_defer(); destructors run in
 * reverse order of registration, before any memory is freed, so a destructor
 * may still read pool memory.
 *
 * The pool does not bound anything: callers bound what they copy into it
 * (STYLE R5.2). Like every allocation helper here, a pool allocation never
 * fails (R5.1). Anything that can outlive the activity -- a response still
 * being written, a watch subscription -- is heap-allocated and ref-counted,
 * never pool-allocated.
 *
 * Not thread-safe: a pool belongs to one thread at a time.
 *
 * Public fields: none. Embed the struct by value and use the functions.
 */
#ifndef KL_BASE_POOL_H
#define KL_BASE_POOL_H

#include <stdarg.h>
#include <stddef.h>

#include "base/macro.h"

struct kl_pool_chunk;
struct kl_pool_defer;

struct kl_pool {
        struct kl_pool_chunk *chunks; /* private; owned, newest first */
        struct kl_pool_defer *defers; /* private; pool memory, newest first */
        char *cur;                    /* private: next free byte of chunks[0] */
        size_t left;                  /* private: bytes left after cur */
        size_t chunk_size;            /* private: size of an ordinary chunk */
};

/* Default chunk size: enough for a typical request's head and parsed headers. */
#define KL_POOL_CHUNK_DEFAULT 4096

#define KL_POOL_INIT                                                    \
        {                                                               \
                .chunks = NULL, .defers = NULL, .cur = NULL, .left = 0, \
                .chunk_size = KL_POOL_CHUNK_DEFAULT                     \
        }

/* Initialise an empty pool; `chunk_size` 0 means KL_POOL_CHUNK_DEFAULT. Allocates nothing. */
void kl_pool_init(struct kl_pool *p, size_t chunk_size);

/*
 * Run the deferred destructors (newest first), then free every chunk. The
 * pool is left empty and may be used again.
 */
void kl_pool_release(struct kl_pool *p);

/*
 * `size` bytes aligned for any type (max_align_t). Never NULL; `size` 0 gives
 * a valid unique pointer. The memory is uninitialised.
 */
void *kl_pool_alloc(struct kl_pool *p, size_t size);
/* Zeroed room for `n` objects of `size` bytes; n * size overflow aborts. */
void *kl_pool_calloc(struct kl_pool *p, size_t n, size_t size);
void *kl_pool_memdup(struct kl_pool *p, const void *data, size_t size);
char *kl_pool_strdup(struct kl_pool *p, const char *s);
/* Copy at most `n` bytes of `s` and NUL-terminate (embedded NULs end the copy early). */
char *kl_pool_strndup(struct kl_pool *p, const char *s, size_t n);
char *kl_pool_printf(struct kl_pool *p, const char *fmt, ...) KL_PRINTF(2, 3);

/* Call `fn(arg)` when the pool is released. Destructors run newest first. */
void kl_pool_defer(struct kl_pool *p, void (*fn)(void *arg), void *arg);

#endif
