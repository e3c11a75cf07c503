/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Work queues with client-go's semantics (util/workqueue): a key is queued
 * at most once ("dirty"), handed to at most one worker at a time
 * ("processing"; adds meanwhile are remembered and the key is queued again
 * when it is done), in FIFO order. Delayed adds wait in a min-heap on their
 * due time behind one uv_timer armed for the earliest; a later delayed add
 * of a key already waiting for an earlier time changes nothing, an earlier
 * one moves it forward. Back-off per key is base * 2^failures, capped, and
 * forgotten on success (client-go's ItemExponentialFailureRateLimiter).
 *
 * Keys are handed out from a uv_idle callback, never from inside add(), so a
 * handler that adds keys is not re-entered. The idle handle runs only while
 * there are queued keys and a free worker.
 *
 * Each key has one struct item while it is queued, processing, waiting or
 * has failures to remember; it is freed when none of those holds.
 */
#include <stdlib.h>
#include <string.h>

#include "client/client-internal.h"

struct item {
        char *key;                /* owned; also the map's key */
        struct item *next, *prev; /* in the FIFO while queued */
        size_t heap_pos;          /* index in q->heap + 1 while waiting; 0: not waiting */
        uint64_t due_ms;          /* uv_now() when waiting */
        unsigned failures;        /* back-off exponent */
        bool dirty;               /* wants processing (queued, or re-queued after processing) */
        bool queued;              /* in the FIFO */
        bool processing;
};

struct kl_workqueue {
        uv_loop_t *loop; /* borrowed */
        char *name;      /* owned */
        kl_workqueue_fn *fn;
        void *arg;
        kl_usec_t backoff_base, backoff_max;
        unsigned workers;
        unsigned processing;
        struct kl_strmap items;   /* key -> item */
        struct item *head, *tail; /* the FIFO */
        struct item **heap;       /* owned array of borrowed items, by due_ms */
        size_t heap_n, heap_cap;
        uv_timer_t timer;        /* owned: the earliest delayed add */
        uv_idle_t idle;          /* owned: hands keys out */
        unsigned pending_closes; /* handles still closing after free */
        size_t waiting;          /* items dirty or in the heap (kl_workqueue_len()) */
        bool closing;
};

/* ------------------------------------------------------------------------- */
/* Items */

static bool counts_as_waiting(const struct item *it)
{
        return it->dirty || it->heap_pos > 0;
}

static struct item *item_get(struct kl_workqueue *q, const char *key)
{
        struct item *it = kl_strmap_get(&q->items, key);

        if (!it) {
                it = kl_new0(struct item);
                it->key = kl_strdup(key);
                kl_strmap_put(&q->items, it->key, it);
        }
        return it;
}

/* Free `it` when nothing refers to it any more. */
static void item_maybe_free(struct kl_workqueue *q, struct item *it)
{
        if (it->dirty || it->queued || it->processing || it->heap_pos > 0 || it->failures > 0)
                return;
        (void)kl_strmap_remove(&q->items, it->key);
        free(it->key);
        free(it);
}

/* Keep q->waiting right after a change of `it` that found it waiting or not (`was`). */
static void recount(struct kl_workqueue *q, const struct item *it, bool was)
{
        bool now = counts_as_waiting(it);

        if (was && !now)
                q->waiting--;
        else if (!was && now)
                q->waiting++;
}

static void schedule(struct kl_workqueue *q);

static void enqueue(struct kl_workqueue *q, struct item *it)
{
        it->queued = true;
        it->next = NULL;
        it->prev = q->tail;
        if (q->tail)
                q->tail->next = it;
        else
                q->head = it;
        q->tail = it;
        schedule(q);
}

/* Mark dirty and queue it, unless it is being processed (then it is queued when done). */
static void item_add(struct kl_workqueue *q, struct item *it)
{
        bool was = counts_as_waiting(it);

        if (it->dirty)
                return;
        it->dirty = true;
        recount(q, it, was);
        if (!it->processing)
                enqueue(q, it);
}

static struct item *fifo_pop(struct kl_workqueue *q)
{
        struct item *it = q->head;

        if (!it)
                return NULL;
        q->head = it->next;
        if (q->head)
                q->head->prev = NULL;
        else
                q->tail = NULL;
        it->next = it->prev = NULL;
        it->queued = false;
        return it;
}

/* ------------------------------------------------------------------------- */
/* The delay heap */

static void heap_swap(struct kl_workqueue *q, size_t a, size_t b)
{
        struct item *t = q->heap[a];

        q->heap[a] = q->heap[b];
        q->heap[b] = t;
        q->heap[a]->heap_pos = a + 1;
        q->heap[b]->heap_pos = b + 1;
}

static void heap_up(struct kl_workqueue *q, size_t i)
{
        while (i > 0) {
                size_t parent = (i - 1) / 2;

                if (q->heap[parent]->due_ms <= q->heap[i]->due_ms)
                        break;
                heap_swap(q, parent, i);
                i = parent;
        }
}

static void heap_down(struct kl_workqueue *q, size_t i)
{
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;

                if (l < q->heap_n && q->heap[l]->due_ms < q->heap[m]->due_ms)
                        m = l;
                if (r < q->heap_n && q->heap[r]->due_ms < q->heap[m]->due_ms)
                        m = r;
                if (m == i)
                        return;
                heap_swap(q, i, m);
                i = m;
        }
}

static struct item *heap_pop(struct kl_workqueue *q)
{
        struct item *it = q->heap[0];

        heap_swap(q, 0, q->heap_n - 1);
        q->heap_n--;
        if (q->heap_n > 0)
                heap_down(q, 0);
        it->heap_pos = 0;
        return it;
}

static void on_timer(uv_timer_t *t);

static void arm_timer(struct kl_workqueue *q)
{
        uint64_t now = uv_now(q->loop);

        if (q->heap_n == 0 || q->closing) {
                (void)uv_timer_stop(&q->timer);
                return;
        }
        (void)uv_timer_start(&q->timer, on_timer,
                             q->heap[0]->due_ms > now ? q->heap[0]->due_ms - now : 0, 0);
}

static void on_timer(uv_timer_t *t)
{
        struct kl_workqueue *q = kl_container_of(t, struct kl_workqueue, timer);
        uint64_t now = uv_now(q->loop);

        while (q->heap_n > 0 && q->heap[0]->due_ms <= now) {
                struct item *it = heap_pop(q);

                recount(q, it, true);
                item_add(q, it);
        }
        arm_timer(q);
}

/* ------------------------------------------------------------------------- */
/* Handing keys out */

static void finish(struct kl_workqueue *q, struct item *it, int r);

static void on_idle(uv_idle_t *h)
{
        struct kl_workqueue *q = kl_container_of(h, struct kl_workqueue, idle);

        while (!q->closing && q->processing < q->workers && q->head) {
                struct item *it = fifo_pop(q);
                int r;

                it->dirty = false;
                recount(q, it, true);
                it->processing = true;
                q->processing++;
                r = q->fn(q, it->key, q->arg);
                if (r != KL_WORKQUEUE_LATER)
                        finish(q, it, r);
        }
        if (q->closing || q->processing >= q->workers || !q->head)
                (void)uv_idle_stop(&q->idle);
}

static void schedule(struct kl_workqueue *q)
{
        if (!q->closing && q->head && q->processing < q->workers)
                (void)uv_idle_start(&q->idle, on_idle);
}

static kl_usec_t backoff_of(const struct kl_workqueue *q, unsigned failures)
{
        kl_usec_t d = q->backoff_base;

        for (unsigned i = 0; i < failures && d < q->backoff_max; i++)
                d *= 2;
        return KL_MIN(d, q->backoff_max);
}

static void add_after(struct kl_workqueue *q, struct item *it, kl_usec_t delay)
{
        uint64_t due = uv_now(q->loop) + (delay + KL_USEC_PER_MSEC - 1) / KL_USEC_PER_MSEC;

        if (q->closing)
                return;
        if (delay == 0) {
                item_add(q, it);
                return;
        }
        if (it->heap_pos > 0) {
                if (due >= it->due_ms)
                        return;
                it->due_ms = due;
                heap_up(q, it->heap_pos - 1);
        } else {
                bool was = counts_as_waiting(it);

                if (q->heap_n == q->heap_cap) {
                        q->heap_cap = q->heap_cap ? q->heap_cap * 2 : 16;
                        q->heap = kl_realloc(q->heap, q->heap_cap * sizeof(*q->heap));
                }
                it->due_ms = due;
                q->heap[q->heap_n] = it;
                it->heap_pos = ++q->heap_n;
                heap_up(q, q->heap_n - 1);
                recount(q, it, was);
        }
        arm_timer(q);
}

static void free_now_if_done(struct kl_workqueue *q);

static void finish(struct kl_workqueue *q, struct item *it, int r)
{
        kl_assert(it->processing && q->processing > 0);
        it->processing = false;
        q->processing--;
        if (r < 0 && !q->closing) {
                kl_usec_t d = backoff_of(q, it->failures);

                it->failures++;
                add_after(q, it, d);
        } else if (r >= 0) {
                it->failures = 0;
        }
        /* Added while it was processed: hand it out again. */
        if (it->dirty && !q->closing)
                enqueue(q, it);
        item_maybe_free(q, it);
        if (q->closing)
                free_now_if_done(q);
        else
                schedule(q);
}

/* ------------------------------------------------------------------------- */
/* The interface */

int kl_workqueue_new(uv_loop_t *loop, const char *name, const struct kl_workqueue_opts *opts,
                     kl_workqueue_fn *fn, void *arg, struct kl_workqueue **ret)
{
        struct kl_workqueue *q = kl_new0(struct kl_workqueue);

        q->loop = loop;
        q->name = kl_strdup(name);
        q->fn = fn;
        q->arg = arg;
        q->backoff_base = opts && opts->backoff_base ? opts->backoff_base : 5 * KL_USEC_PER_MSEC;
        q->backoff_max = opts && opts->backoff_max ? opts->backoff_max : 1000 * KL_USEC_PER_SEC;
        q->workers = opts && opts->workers ? opts->workers : 1;
        kl_assert(uv_timer_init(loop, &q->timer) == 0);
        kl_assert(uv_idle_init(loop, &q->idle) == 0);
        q->timer.data = q;
        q->idle.data = q;
        *ret = q;
        return 0;
}

void kl_workqueue_add(struct kl_workqueue *q, const char *key)
{
        if (q->closing)
                return;
        item_add(q, item_get(q, key));
}

void kl_workqueue_add_after(struct kl_workqueue *q, const char *key, kl_usec_t delay)
{
        struct item *it;

        if (q->closing)
                return;
        it = item_get(q, key);
        add_after(q, it, delay);
        item_maybe_free(q, it);
}

void kl_workqueue_add_rate_limited(struct kl_workqueue *q, const char *key)
{
        struct item *it;
        kl_usec_t d;

        if (q->closing)
                return;
        it = item_get(q, key);
        d = backoff_of(q, it->failures);
        it->failures++;
        add_after(q, it, d);
}

void kl_workqueue_forget(struct kl_workqueue *q, const char *key)
{
        struct item *it = kl_strmap_get(&q->items, key);

        if (!it)
                return;
        it->failures = 0;
        item_maybe_free(q, it);
}

void kl_workqueue_done(struct kl_workqueue *q, const char *key, int r)
{
        struct item *it = kl_strmap_get(&q->items, key);

        kl_assert(it && it->processing);
        finish(q, it, r);
}

size_t kl_workqueue_len(const struct kl_workqueue *q)
{
        return q->waiting;
}

unsigned kl_client__workqueue_failures(const struct kl_workqueue *q, const char *key)
{
        const struct item *it = kl_strmap_get(&q->items, key);

        return it ? it->failures : 0;
}

/* ------------------------------------------------------------------------- */
/* Freeing */

static void on_closed(uv_handle_t *h)
{
        struct kl_workqueue *q = h->data;

        kl_assert(q->pending_closes > 0);
        if (--q->pending_closes > 0)
                return;
        free(q->name);
        free(q);
}

static void item_free(void *value)
{
        struct item *it = value;

        free(it->key);
        free(it);
}

static void free_now_if_done(struct kl_workqueue *q)
{
        if (q->processing > 0 || q->pending_closes > 0)
                return;
        kl_strmap_drain(&q->items, item_free);
        free(q->heap);
        q->heap = NULL;
        q->heap_n = 0;
        q->head = q->tail = NULL;
        q->pending_closes = 2;
        uv_close((uv_handle_t *)&q->timer, on_closed);
        uv_close((uv_handle_t *)&q->idle, on_closed);
}

void kl_workqueue_free(struct kl_workqueue *q)
{
        if (!q || q->closing)
                return;
        q->closing = true;
        (void)uv_timer_stop(&q->timer);
        (void)uv_idle_stop(&q->idle);
        free_now_if_done(q);
}
