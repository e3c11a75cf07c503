/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Work queues on a real loop, with client-go's workqueue semantics: dedupe,
 * one worker per key at a time, FIFO, delayed adds (earliest wins),
 * exponential back-off per key reset by forget, asynchronous processing
 * (KL_WORKQUEUE_LATER), and handing out from the loop, never inside add().
 */
#include <string.h>

#include <criterion/criterion.h>

#include "client/client-internal.h"
#include "loop/loop.h"

#define MAX_SEEN 64

struct rec {
        uv_loop_t *loop;
        char seen[MAX_SEEN][16];
        uint64_t at[MAX_SEEN]; /* uv_now() of each hand-out */
        size_t n;
        int result;            /* what the handler returns */
        const char *fail_key;  /* this key fails... */
        unsigned fail_times;   /* ...this many times */
        unsigned busy;         /* keys in processing right now */
        unsigned max_busy;     /* most at once */
        bool in_add;           /* set around kl_workqueue_add() calls from the handler */
        bool add_from_handler; /* the handler adds "z" once */
        char later[MAX_SEEN][16];
        size_t n_later;
};

static int handler(struct kl_workqueue *q, const char *key, void *arg)
{
        struct rec *r = arg;

        cr_assert(!r->in_add, "handed out from inside kl_workqueue_add()");
        cr_assert_lt(r->n, MAX_SEEN);
        (void)snprintf(r->seen[r->n], sizeof(r->seen[0]), "%s", key);
        r->at[r->n] = uv_now(r->loop);
        r->n++;
        if (r->add_from_handler) {
                r->add_from_handler = false;
                r->in_add = true;
                kl_workqueue_add(q, "z");
                r->in_add = false;
        }
        if (r->fail_key && kl_streq(key, r->fail_key) && r->fail_times > 0) {
                r->fail_times--;
                return -EIO;
        }
        if (r->result == KL_WORKQUEUE_LATER) {
                r->busy++;
                r->max_busy = KL_MAX(r->max_busy, r->busy);
                (void)snprintf(r->later[r->n_later++], sizeof(r->later[0]), "%s", key);
        }
        return r->result;
}

static void run_until_n(uv_loop_t *loop, const struct rec *r, size_t n)
{
        for (int i = 0; i < 100000 && r->n < n; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert_eq(r->n, n, "handed out %zu keys, wanted %zu", r->n, n);
}

/* Turn the loop a few times without waiting for timers. */
static void spin(uv_loop_t *loop)
{
        for (int i = 0; i < 10; i++)
                (void)kl_loop_run(loop, UV_RUN_NOWAIT);
}

static void finish(uv_loop_t *loop, struct kl_workqueue *q)
{
        kl_workqueue_free(q);
        cr_assert_eq(kl_loop_finish(loop), 0);
}

static void order_is(const struct rec *r, const char *const *want, size_t n)
{
        cr_assert_eq(r->n, n);
        for (size_t i = 0; i < n; i++)
                cr_expect_str_eq(r->seen[i], want[i], "hand-out %zu", i);
}

Test(workqueue, dedupe_and_fifo)
{
        static const char *const want[] = { "a", "b", "c" };
        struct rec r = { 0 };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", NULL, handler, &r, &q), 0);
        kl_workqueue_add(q, "a");
        kl_workqueue_add(q, "b");
        kl_workqueue_add(q, "a");
        kl_workqueue_add(q, "c");
        kl_workqueue_add(q, "b");
        cr_expect_eq(kl_workqueue_len(q), 3);
        /* Nothing is handed out from inside add(). */
        cr_expect_eq(r.n, 0);
        run_until_n(&loop, &r, 3);
        spin(&loop);
        order_is(&r, want, 3);
        cr_expect_eq(kl_workqueue_len(q), 0);
        finish(&loop, q);
}

Test(workqueue, add_from_handler_is_not_recursive)
{
        static const char *const want[] = { "a", "z" };
        struct rec r = { .add_from_handler = true };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", NULL, handler, &r, &q), 0);
        kl_workqueue_add(q, "a");
        run_until_n(&loop, &r, 2);
        order_is(&r, want, 2);
        finish(&loop, q);
}

Test(workqueue, a_key_is_never_processed_twice_at_once)
{
        struct kl_workqueue_opts o = { .workers = 2 };
        struct rec r = { .result = KL_WORKQUEUE_LATER };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", &o, handler, &r, &q), 0);
        kl_workqueue_add(q, "a");
        run_until_n(&loop, &r, 1);
        /* Re-added while in processing: remembered, not handed out. */
        kl_workqueue_add(q, "a");
        kl_workqueue_add(q, "a");
        kl_workqueue_add(q, "b");
        cr_expect_eq(kl_workqueue_len(q), 2);
        run_until_n(&loop, &r, 2);
        spin(&loop);
        cr_expect_eq(r.n, 2, "a was handed out again while in processing");
        cr_expect_str_eq(r.seen[1], "b");
        /* Two workers: a and b at once, and no third key while both are busy. */
        cr_expect_eq(r.max_busy, 2);
        kl_workqueue_add(q, "c");
        spin(&loop);
        cr_expect_eq(r.n, 2, "a third key with both workers busy");
        r.busy--;
        kl_workqueue_done(q, "a", 0);
        run_until_n(&loop, &r, 3);
        /* a was re-added during processing: it goes to the back, after c. */
        cr_expect_str_eq(r.seen[2], "c");
        r.busy--;
        kl_workqueue_done(q, "b", 0);
        run_until_n(&loop, &r, 4);
        cr_expect_str_eq(r.seen[3], "a");
        cr_expect_eq(kl_workqueue_len(q), 0);
        /* Free with keys in processing: freed when the last one is done. */
        kl_workqueue_free(q);
        kl_workqueue_done(q, "c", 0);
        kl_workqueue_done(q, "a", -EIO);
        cr_assert_eq(kl_loop_finish(&loop), 0);
}

Test(workqueue, backoff_doubles_and_forget_resets)
{
        struct rec r = { .fail_key = "x", .fail_times = 4 };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", NULL, handler, &r, &q), 0);
        kl_workqueue_add(q, "x");
        /* Four failures, retried after 5, 10, 20, 40 ms, then success. */
        run_until_n(&loop, &r, 5);
        for (size_t i = 1; i < 5; i++) {
                uint64_t want = 5u << (i - 1);

                cr_expect_geq(r.at[i] - r.at[i - 1], want, "retry %zu after %llu ms, want >= %llu",
                              i, (unsigned long long)(r.at[i] - r.at[i - 1]),
                              (unsigned long long)want);
        }
        /* Success forgot the back-off. */
        spin(&loop);
        cr_expect_eq(kl_client__workqueue_failures(q, "x"), 0);

        /* add_rate_limited grows the exponent until forget. */
        kl_workqueue_add_rate_limited(q, "y");
        kl_workqueue_add_rate_limited(q, "y");
        kl_workqueue_add_rate_limited(q, "y");
        cr_expect_eq(kl_client__workqueue_failures(q, "y"), 3);
        cr_expect_eq(kl_workqueue_len(q), 1);
        kl_workqueue_forget(q, "y");
        cr_expect_eq(kl_client__workqueue_failures(q, "y"), 0);
        run_until_n(&loop, &r, 6);
        cr_expect_str_eq(r.seen[5], "y");
        finish(&loop, q);
}

Test(workqueue, backoff_is_capped)
{
        struct kl_workqueue_opts o = { .backoff_base = 4 * KL_USEC_PER_MSEC,
                                       .backoff_max = 16 * KL_USEC_PER_MSEC };
        struct rec r = { .fail_key = "x", .fail_times = 5 };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", &o, handler, &r, &q), 0);
        kl_workqueue_add(q, "x");
        /* 4, 8, 16, 16, 16 ms: the cap holds (lower bounds only, no timing upper bound). */
        run_until_n(&loop, &r, 6);
        cr_expect_geq(r.at[1] - r.at[0], 4);
        cr_expect_geq(r.at[2] - r.at[1], 8);
        for (size_t i = 3; i < 6; i++)
                cr_expect_geq(r.at[i] - r.at[i - 1], 16);
        finish(&loop, q);
}

Test(workqueue, add_after_orders_by_due_time_and_earliest_wins)
{
        static const char *const want[] = { "now", "a", "e", "b", "d", "f", "c" };
        struct rec r = { 0 };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", NULL, handler, &r, &q), 0);
        kl_workqueue_add_after(q, "c", 300 * KL_USEC_PER_MSEC);
        kl_workqueue_add_after(q, "a", 20 * KL_USEC_PER_MSEC);
        kl_workqueue_add_after(q, "b", 60 * KL_USEC_PER_MSEC);
        /* A later add does not postpone... */
        kl_workqueue_add_after(q, "e", 40 * KL_USEC_PER_MSEC);
        kl_workqueue_add_after(q, "e", 10 * KL_USEC_PER_SEC);
        /* ...an earlier one moves the key forward. */
        kl_workqueue_add_after(q, "d", 10 * KL_USEC_PER_SEC);
        kl_workqueue_add_after(q, "d", 80 * KL_USEC_PER_MSEC);
        kl_workqueue_add_after(q, "f", 120 * KL_USEC_PER_MSEC);
        /* No delay: queued at once. */
        kl_workqueue_add_after(q, "now", 0);
        cr_expect_eq(kl_workqueue_len(q), 7);
        run_until_n(&loop, &r, 7);
        order_is(&r, want, 7);
        cr_expect_geq(r.at[1] - r.at[0], 0);
        finish(&loop, q);
}

Test(workqueue, later_then_done_with_error_retries)
{
        struct rec r = { .result = KL_WORKQUEUE_LATER };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", NULL, handler, &r, &q), 0);
        kl_workqueue_add(q, "k");
        run_until_n(&loop, &r, 1);
        cr_expect_eq(kl_workqueue_len(q), 0);
        kl_workqueue_done(q, "k", -EAGAIN);
        cr_expect_eq(kl_client__workqueue_failures(q, "k"), 1);
        cr_expect_eq(kl_workqueue_len(q), 1);
        run_until_n(&loop, &r, 2);
        cr_expect_geq(r.at[1] - r.at[0], 5);
        kl_workqueue_done(q, "k", 0);
        cr_expect_eq(kl_client__workqueue_failures(q, "k"), 0);
        finish(&loop, q);
}

Test(workqueue, free_drops_waiting_keys)
{
        struct rec r = { 0 };
        struct kl_workqueue *q = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r.loop = &loop;
        cr_assert_eq(kl_workqueue_new(&loop, "test", NULL, handler, &r, &q), 0);
        kl_workqueue_add(q, "a");
        kl_workqueue_add_after(q, "b", KL_USEC_PER_SEC);
        kl_workqueue_add_rate_limited(q, "c");
        kl_workqueue_free(q);
        cr_assert_eq(kl_loop_finish(&loop), 0);
        cr_expect_eq(r.n, 0);
}
