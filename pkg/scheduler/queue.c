/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduling queue, as upstream's PriorityQueue (internal/queue):
 *
 *   activeQ        a heap: higher spec.priority first, then the earlier time
 *                  the pod was (re)added, then arrival order
 *   backoffQ       a heap by back-off expiry: pods that failed wait
 *                  1 s doubling per attempt up to 10 s
 *   unschedulable  pods no node could take; they go back (to backoffQ while
 *                  their back-off runs, else activeQ) when the cluster
 *                  changes, or after 5 minutes in any case
 *
 * A pod that fails after the cluster changed while it was being scheduled
 * (a move request in or after its cycle) goes to backoffQ, not to the
 * unschedulable set: the change it might need has already happened.
 *
 * Pure data structure: the caller passes the time, so tests drive the clock.
 */
#include "scheduler/sched-internal.h"

static bool before(const struct kl_scheduler_heap *h, const struct kl_scheduler_pod *a,
                   const struct kl_scheduler_pod *b)
{
        if (h->by_backoff) {
                if (a->expiry != b->expiry)
                        return a->expiry < b->expiry;
                return a->seq < b->seq;
        }
        if (a->priority != b->priority)
                return a->priority > b->priority;
        if (a->timestamp != b->timestamp)
                return a->timestamp < b->timestamp;
        return a->seq < b->seq;
}

static void swap(struct kl_scheduler_heap *h, size_t i, size_t j)
{
        struct kl_scheduler_pod *t = h->items[i];

        h->items[i] = h->items[j];
        h->items[j] = t;
        h->items[i]->heap_idx = i;
        h->items[j]->heap_idx = j;
}

static void up(struct kl_scheduler_heap *h, size_t i)
{
        while (i > 0) {
                size_t parent = (i - 1) / 2;

                if (!before(h, h->items[i], h->items[parent]))
                        break;
                swap(h, i, parent);
                i = parent;
        }
}

static void down(struct kl_scheduler_heap *h, size_t i)
{
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;

                if (l < h->n && before(h, h->items[l], h->items[m]))
                        m = l;
                if (r < h->n && before(h, h->items[r], h->items[m]))
                        m = r;
                if (m == i)
                        return;
                swap(h, i, m);
                i = m;
        }
}

static void heap_push(struct kl_scheduler_heap *h, struct kl_scheduler_pod *p)
{
        if (h->n == h->cap) {
                h->cap = h->cap ? h->cap * 2 : 64;
                h->items = kl_realloc(h->items, h->cap * sizeof(*h->items));
        }
        p->heap_idx = h->n;
        h->items[h->n++] = p;
        up(h, p->heap_idx);
}

static void heap_remove(struct kl_scheduler_heap *h, struct kl_scheduler_pod *p)
{
        size_t i = p->heap_idx;

        kl_assert(i < h->n && h->items[i] == p);
        h->n--;
        if (i == h->n)
                return;
        h->items[i] = h->items[h->n];
        h->items[i]->heap_idx = i;
        up(h, i);
        down(h, h->items[i]->heap_idx);
}

static void unsched_add(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p, kl_usec_t now)
{
        p->where = KL_SCHEDULER_UNSCHEDULABLE;
        p->unsched_since = now;
        p->unsched_prev = NULL;
        p->unsched_next = q->unsched_head;
        if (q->unsched_head)
                q->unsched_head->unsched_prev = p;
        q->unsched_head = p;
        q->n_unsched++;
}

static void unsched_del(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p)
{
        if (p->unsched_prev)
                p->unsched_prev->unsched_next = p->unsched_next;
        else
                q->unsched_head = p->unsched_next;
        if (p->unsched_next)
                p->unsched_next->unsched_prev = p->unsched_prev;
        p->unsched_prev = p->unsched_next = NULL;
        q->n_unsched--;
}

void kl_scheduler__queue_init(struct kl_scheduler_queue *q)
{
        *q = (struct kl_scheduler_queue){
                .backoff = { .by_backoff = true },
                .initial_backoff = KL_USEC_PER_SEC,
                .max_backoff = 10 * KL_USEC_PER_SEC,
                .max_unsched = 5 * KL_USEC_PER_MIN,
        };
}

void kl_scheduler__queue_release(struct kl_scheduler_queue *q)
{
        free(q->active.items);
        free(q->backoff.items);
        q->active = (struct kl_scheduler_heap){ 0 };
        q->backoff = (struct kl_scheduler_heap){ 0 };
        q->unsched_head = NULL;
        q->n_unsched = 0;
}

/* upstream's calculateBackoffDuration: initial doubled per attempt after the first, capped. */
kl_usec_t kl_scheduler__queue_backoff_duration(const struct kl_scheduler_queue *q,
                                               const struct kl_scheduler_pod *p)
{
        kl_usec_t d = q->initial_backoff;

        for (unsigned i = 1; i < p->attempts; i++) {
                if (d > q->max_backoff - d)
                        return q->max_backoff;
                d *= 2;
        }
        return KL_MIN(d, q->max_backoff);
}

static kl_usec_t backoff_expiry(const struct kl_scheduler_queue *q,
                                const struct kl_scheduler_pod *p)
{
        return p->attempts == 0 ? 0 : p->failed_at + kl_scheduler__queue_backoff_duration(q, p);
}

static void to_active(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p)
{
        p->where = KL_SCHEDULER_ACTIVE;
        heap_push(&q->active, p);
}

static void to_backoff_or_active(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                 kl_usec_t now)
{
        p->expiry = backoff_expiry(q, p);
        if (p->expiry <= now) {
                to_active(q, p);
                return;
        }
        p->where = KL_SCHEDULER_BACKOFF;
        heap_push(&q->backoff, p);
}

void kl_scheduler__queue_add(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                             kl_usec_t now)
{
        kl_assert(p->where == KL_SCHEDULER_NOWHERE);
        p->seq = ++q->seq;
        p->timestamp = now;
        if (p->initial_attempt == 0)
                p->initial_attempt = now;
        to_active(q, p);
}

void kl_scheduler__queue_update(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                kl_usec_t now)
{
        if (p->where != KL_SCHEDULER_UNSCHEDULABLE)
                return;
        unsched_del(q, p);
        to_backoff_or_active(q, p, now);
}

void kl_scheduler__queue_replace(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                 struct kl_scheduler_pod *np, kl_usec_t now)
{
        enum kl_scheduler_where was = p->where;

        kl_assert(np->where == KL_SCHEDULER_NOWHERE);
        kl_scheduler__queue_remove(q, p);
        np->seq = p->seq;
        np->timestamp = p->timestamp;
        np->initial_attempt = p->initial_attempt;
        np->failed_at = p->failed_at;
        np->attempts = p->attempts;
        np->cycle = p->cycle;
        switch (was) {
        case KL_SCHEDULER_ACTIVE:
                to_active(q, np);
                break;
        case KL_SCHEDULER_BACKOFF:
        case KL_SCHEDULER_UNSCHEDULABLE:
                np->timestamp = now;
                to_backoff_or_active(q, np, now);
                break;
        default:
                kl_scheduler__queue_add(q, np, now);
                break;
        }
}

void kl_scheduler__queue_remove(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p)
{
        switch (p->where) {
        case KL_SCHEDULER_ACTIVE:
                heap_remove(&q->active, p);
                break;
        case KL_SCHEDULER_BACKOFF:
                heap_remove(&q->backoff, p);
                break;
        case KL_SCHEDULER_UNSCHEDULABLE:
                unsched_del(q, p);
                break;
        default:
                break;
        }
        p->where = KL_SCHEDULER_NOWHERE;
}

struct kl_scheduler_pod *kl_scheduler__queue_pop(struct kl_scheduler_queue *q, kl_usec_t now)
{
        struct kl_scheduler_pod *p;

        (void)now;
        if (q->active.n == 0)
                return NULL;
        p = q->active.items[0];
        heap_remove(&q->active, p);
        p->where = KL_SCHEDULER_IN_FLIGHT;
        p->attempts++;
        p->cycle = ++q->cycle;
        return p;
}

void kl_scheduler__queue_failed(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                bool unschedulable, kl_usec_t now)
{
        kl_assert(p->where == KL_SCHEDULER_IN_FLIGHT);
        p->timestamp = now;
        p->failed_at = now;
        if (unschedulable && q->move_cycle < p->cycle) {
                unsched_add(q, p, now);
                return;
        }
        to_backoff_or_active(q, p, now);
}

void kl_scheduler__queue_done(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p)
{
        (void)q;
        p->where = KL_SCHEDULER_NOWHERE;
        p->attempts = 0;
}

void kl_scheduler__queue_move_all(struct kl_scheduler_queue *q, kl_usec_t now)
{
        while (q->unsched_head) {
                struct kl_scheduler_pod *p = q->unsched_head;

                unsched_del(q, p);
                to_backoff_or_active(q, p, now);
        }
        q->move_cycle = q->cycle;
}

kl_usec_t kl_scheduler__queue_flush(struct kl_scheduler_queue *q, kl_usec_t now)
{
        kl_usec_t next = 0;

        while (q->backoff.n > 0 && q->backoff.items[0]->expiry <= now) {
                struct kl_scheduler_pod *p = q->backoff.items[0];

                heap_remove(&q->backoff, p);
                to_active(q, p);
        }
        if (q->backoff.n > 0)
                next = q->backoff.items[0]->expiry;
        /*
         * The unschedulable set is walked at most every 30 s, as upstream's
         * flushUnschedulablePodsLeftover: flushes run on every batch, and
         * the set may be long.
         */
        if (q->unsched_head && now >= q->leftover_at) {
                q->leftover_at = now + 30 * KL_USEC_PER_SEC;
                for (struct kl_scheduler_pod *p = q->unsched_head, *nx; p; p = nx) {
                        nx = p->unsched_next;
                        if (now - p->unsched_since >= q->max_unsched) {
                                unsched_del(q, p);
                                to_backoff_or_active(q, p, now);
                                if (p->where == KL_SCHEDULER_BACKOFF &&
                                    (next == 0 || p->expiry < next))
                                        next = p->expiry;
                        }
                }
        }
        if (q->unsched_head && (next == 0 || q->leftover_at < next))
                next = q->leftover_at;
        return next;
}
