/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduling queue with a test clock: activeQ order (priority, then
 * time added, then arrival), the 1 s doubling to 10 s back-off, the
 * unschedulable set and what moves pods out of it.
 */
#include "sched-test.h"

#define SEC KL_USEC_PER_SEC

static struct kl_scheduler_pod *mk(const char *name, int priority)
{
        char extra[64];

        (void)snprintf(extra, sizeof(extra), "{\"spec\":{\"priority\":%d}}", priority);
        return test_pod(name, extra);
}

Test(queue, priority_then_time_then_arrival)
{
        struct kl_scheduler_queue q;
        struct kl_scheduler_pod *a = mk("a", 0), *b = mk("b", 1000), *c = mk("c", 0),
                                *d = mk("d", 1000);
        const char *want[] = { "b", "d", "a", "c" };

        kl_scheduler__queue_init(&q);
        kl_scheduler__queue_add(&q, a, 10 * SEC);
        kl_scheduler__queue_add(&q, b, 11 * SEC);
        kl_scheduler__queue_add(&q, c, 10 * SEC);
        kl_scheduler__queue_add(&q, d, 12 * SEC);
        for (size_t i = 0; i < KL_ARRAY_SIZE(want); i++) {
                struct kl_scheduler_pod *p = kl_scheduler__queue_pop(&q, 20 * SEC);

                cr_assert(p);
                cr_expect_str_eq(p->name, want[i]);
                cr_expect_eq(p->where, KL_SCHEDULER_IN_FLIGHT);
                cr_expect_eq(p->attempts, 1);
        }
        cr_expect_null(kl_scheduler__queue_pop(&q, 20 * SEC));
        kl_scheduler__queue_release(&q);
        kl_scheduler__pod_free(a);
        kl_scheduler__pod_free(b);
        kl_scheduler__pod_free(c);
        kl_scheduler__pod_free(d);
}

Test(queue, backoff_doubles_to_ten_seconds)
{
        struct kl_scheduler_queue q;
        struct kl_scheduler_pod *p = mk("p", 0);
        const kl_usec_t want[] = { 1, 2, 4, 8, 10, 10 };

        kl_scheduler__queue_init(&q);
        for (size_t i = 0; i < KL_ARRAY_SIZE(want); i++) {
                p->attempts = (unsigned)i + 1;
                cr_expect_eq(kl_scheduler__queue_backoff_duration(&q, p), want[i] * SEC,
                             "attempt %zu", i + 1);
        }
        kl_scheduler__queue_release(&q);
        kl_scheduler__pod_free(p);
}

Test(queue, error_goes_to_backoff_then_active)
{
        struct kl_scheduler_queue q;
        struct kl_scheduler_pod *p = mk("p", 0);
        kl_usec_t next;

        kl_scheduler__queue_init(&q);
        kl_scheduler__queue_add(&q, p, 100 * SEC);
        cr_assert_eq(kl_scheduler__queue_pop(&q, 100 * SEC), p);
        kl_scheduler__queue_failed(&q, p, false, 100 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_BACKOFF);
        cr_expect_null(kl_scheduler__queue_pop(&q, 100 * SEC));
        next = kl_scheduler__queue_flush(&q, 100 * SEC + SEC / 2);
        cr_expect_eq(next, 101 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_BACKOFF);
        (void)kl_scheduler__queue_flush(&q, 101 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_ACTIVE);
        /* Second failure: 2 s. */
        cr_assert_eq(kl_scheduler__queue_pop(&q, 101 * SEC), p);
        kl_scheduler__queue_failed(&q, p, false, 102 * SEC);
        cr_expect_eq(kl_scheduler__queue_flush(&q, 102 * SEC), 104 * SEC);
        kl_scheduler__queue_release(&q);
        kl_scheduler__pod_free(p);
}

Test(queue, unschedulable_waits_for_a_cluster_change)
{
        struct kl_scheduler_queue q;
        struct kl_scheduler_pod *p = mk("p", 0), *o = mk("o", 0);

        kl_scheduler__queue_init(&q);
        kl_scheduler__queue_add(&q, p, 0);
        cr_assert_eq(kl_scheduler__queue_pop(&q, 0), p);
        kl_scheduler__queue_failed(&q, p, true, 1 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_UNSCHEDULABLE);
        cr_expect_eq(q.n_unsched, 1);
        /* Time alone (short of 5 minutes) does not bring it back. */
        (void)kl_scheduler__queue_flush(&q, 60 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_UNSCHEDULABLE);
        /* A change while its back-off (1 s) runs: backoffQ; after: activeQ. */
        kl_scheduler__queue_move_all(&q, 1 * SEC + SEC / 2);
        cr_expect_eq(p->where, KL_SCHEDULER_BACKOFF);
        (void)kl_scheduler__queue_flush(&q, 2 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_ACTIVE);

        /* Failing again, then a change well after the back-off: straight to activeQ. */
        cr_assert_eq(kl_scheduler__queue_pop(&q, 2 * SEC), p);
        kl_scheduler__queue_failed(&q, p, true, 3 * SEC);
        kl_scheduler__queue_move_all(&q, 30 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_ACTIVE);

        /* A change while it is being scheduled sends a failure to backoffQ, not to wait. */
        cr_assert_eq(kl_scheduler__queue_pop(&q, 30 * SEC), p);
        kl_scheduler__queue_move_all(&q, 30 * SEC);
        kl_scheduler__queue_failed(&q, p, true, 30 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_BACKOFF);

        /* Five minutes in the unschedulable set bring a pod back without a change. */
        kl_scheduler__queue_add(&q, o, 40 * SEC);
        (void)kl_scheduler__queue_flush(&q, 40 * SEC);
        cr_assert_eq(kl_scheduler__queue_pop(&q, 40 * SEC), p);
        cr_assert_eq(kl_scheduler__queue_pop(&q, 40 * SEC), o);
        kl_scheduler__queue_failed(&q, o, true, 41 * SEC);
        cr_expect_eq(o->where, KL_SCHEDULER_UNSCHEDULABLE);
        /* The set is walked every 30 s: the next walk is due 30 s after this one. */
        cr_expect_eq(kl_scheduler__queue_flush(&q, 100 * SEC), 130 * SEC);
        (void)kl_scheduler__queue_flush(&q, 340 * SEC);
        cr_expect_eq(o->where, KL_SCHEDULER_UNSCHEDULABLE);
        (void)kl_scheduler__queue_flush(&q, 370 * SEC);
        cr_expect_eq(o->where, KL_SCHEDULER_ACTIVE);
        kl_scheduler__queue_release(&q);
        kl_scheduler__pod_free(p);
        kl_scheduler__pod_free(o);
}

Test(queue, update_and_replace_and_remove)
{
        struct kl_scheduler_queue q;
        struct kl_scheduler_pod *p = mk("p", 0), *np = mk("p", 0), *x = mk("x", 0);

        kl_scheduler__queue_init(&q);
        kl_scheduler__queue_add(&q, p, 0);
        cr_assert_eq(kl_scheduler__queue_pop(&q, 0), p);
        kl_scheduler__queue_failed(&q, p, true, 0);
        /* The pod was edited: np takes its place, with its attempts, back to the queue. */
        kl_scheduler__queue_replace(&q, p, np, 10 * SEC);
        cr_expect_eq(p->where, KL_SCHEDULER_NOWHERE);
        cr_expect_eq(np->where, KL_SCHEDULER_ACTIVE);
        cr_expect_eq(np->attempts, 1);
        cr_expect_eq(q.n_unsched, 0);
        kl_scheduler__queue_add(&q, x, 5 * SEC);
        kl_scheduler__queue_remove(&q, np);
        cr_expect_eq(q.active.n, 1);
        cr_expect_eq(kl_scheduler__queue_pop(&q, 20 * SEC), x);
        kl_scheduler__queue_done(&q, x);
        cr_expect_eq(x->where, KL_SCHEDULER_NOWHERE);
        kl_scheduler__queue_release(&q);
        kl_scheduler__pod_free(p);
        kl_scheduler__pod_free(np);
        kl_scheduler__pod_free(x);
}

/* Many pods: the heap hands them out in order. */
Test(queue, heap_order_many)
{
        struct kl_scheduler_queue q;
        struct kl_scheduler_pod *pods[200];
        int last_prio = INT32_MAX;
        kl_usec_t last_t = 0;

        kl_scheduler__queue_init(&q);
        for (int i = 0; i < 200; i++) {
                char name[16];

                (void)snprintf(name, sizeof(name), "p%d", i);
                pods[i] = mk(name, (i * 37) % 5);
                kl_scheduler__queue_add(&q, pods[i], (kl_usec_t)((i * 13) % 7) * SEC);
        }
        for (int i = 0; i < 200; i++) {
                struct kl_scheduler_pod *p = kl_scheduler__queue_pop(&q, 0);

                cr_assert(p);
                cr_expect(p->priority <= last_prio);
                if (p->priority == last_prio)
                        cr_expect(p->timestamp >= last_t);
                last_prio = p->priority;
                last_t = p->timestamp;
        }
        kl_scheduler__queue_release(&q);
        for (int i = 0; i < 200; i++)
                kl_scheduler__pod_free(pods[i]);
}
