/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watch hub: fan-out by reference, bounded queues, slow watchers, catch-up
 * larger than a queue, callbacks that stop their watch, shutdown.
 */
#include <signal.h>

#include "store-test.h"

static struct kl_store *open_loop(uv_loop_t *loop, unsigned buffer, unsigned window)
{
        struct kl_store_options o = { .watch_buffer = buffer, .watch_window = window };
        struct kl_store *s;

        cr_assert_eq(kl_loop_init(loop), 0);
        o.dsn = t_dsn();
        s = t_open_opts(loop, &o);
        free((char *)o.dsn);
        return s;
}

/*
 * One time-out for the whole suite: Criterion 2.4.1 leaks in its runner when
 * tests with different time-outs run in parallel (LeakSanitizer sees it).
 */
TestSuite(hub, .timeout = 120);

Test(hub, fan_out_shares_one_event_object)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 0, 0);
        struct collector c[3];

        for (int i = 0; i < 3; i++)
                cr_assert_eq(collector_start(s, &c[i], "/registry/", 0), 0);
        t_create(s, "/registry/core/pods/default/a", "a value of some length");
        for (int i = 0; i < 3; i++)
                t_wait_events(&loop, &c[i], 1);
        /* The same object, not a copy per watcher: three owners plus the hub's window. */
        cr_assert_eq(c[0].evs[0], c[1].evs[0]);
        cr_assert_eq(c[1].evs[0], c[2].evs[0]);
        cr_assert_eq(__atomic_load_n(&c[0].evs[0]->refs, __ATOMIC_RELAXED), 4);
        for (int i = 0; i < 3; i++)
                collector_stop(&c[i]);
        t_close(s, &loop);
}

Test(hub, slow_watcher_is_ended_and_recovers_from_its_position)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 8, 0);
        struct collector fast, slow, again;
        struct kl_store_event *ev = NULL;
        int64_t resume;

        cr_assert_eq(collector_start(s, &fast, "/registry/", 0), 0);
        /* The slow one takes two events, then stops reading. */
        cr_assert_eq(kl_store_watch_start(s, "/registry/", 0, collector_cb, &slow, &slow.w, NULL),
                     0);
        t_create(s, "/registry/x/0", "v");
        t_create(s, "/registry/x/1", "v");
        t_wait_events(&loop, &fast, 2);
        for (int i = 0; i < 2; i++) {
                cr_assert_eq(kl_store_watch_next(slow.w, &ev), 1);
                kl_store_event_unref(ev);
        }
        resume = kl_store_watch_position(slow.w);
        for (int i = 2; i < 50; i++) {
                char key[32];

                (void)snprintf(key, sizeof(key), "/registry/x/%d", i);
                /* Writes never wait for watchers, however far behind one is. */
                t_create(s, key, "v");
                (void)kl_loop_run(&loop, UV_RUN_NOWAIT);
        }
        t_wait_events(&loop, &fast, 50);
        cr_assert_eq(fast.status, 0);
        cr_assert_eq(fast.n, 50);
        /* Its queue of 8 overflowed: ended, queue dropped, an error it can act on. */
        cr_assert_eq(kl_store_watch_next(slow.w, &ev), -ENOBUFS);
        cr_assert_eq(kl_store_watch_next(slow.w, &ev), -ENOBUFS);
        kl_store_watch_stop(slow.w);

        /* Watching again from where it was loses nothing (catch-up in pages of 8). */
        cr_assert_eq(collector_start(s, &again, "/registry/", resume), 0);
        t_wait_events(&loop, &again, 48);
        cr_assert_eq(again.status, 0);
        for (size_t i = 0; i < 48; i++)
                cr_assert_eq(again.evs[i]->kv.mod_rev, fast.evs[i + 2]->kv.mod_rev);
        collector_stop(&again);
        collector_stop(&fast);
        t_close(s, &loop);
}

struct stopper {
        struct kl_store_watch *w;
        int calls;
};

static void stop_on_first(struct kl_store_watch *w, void *arg)
{
        struct stopper *st = arg;
        struct kl_store_event *ev = NULL;

        cr_assert_eq(st->w, w);
        st->calls++;
        cr_assert_eq(kl_store_watch_next(w, &ev), 1);
        kl_store_event_unref(ev);
        kl_store_watch_stop(w);
        st->w = NULL;
}

static bool stopped(void *arg)
{
        return ((struct stopper *)arg)->w == NULL;
}

Test(hub, callback_may_stop_its_watch)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 0, 0);
        struct stopper st = { 0 };
        struct kl_store_event *ev = NULL;

        cr_assert_eq(kl_store_watch_start(s, "/registry/", 0, stop_on_first, &st, &st.w, NULL), 0);
        cr_assert_eq(kl_store_watch_next(st.w, &ev), 0);
        t_create(s, "/registry/a", "1");
        t_create(s, "/registry/b", "2");
        cr_assert(t_run_until(&loop, stopped, &st, 5000));
        t_create(s, "/registry/c", "3");
        (void)kl_loop_run(&loop, UV_RUN_NOWAIT);
        cr_assert_eq(st.calls, 1);
        t_close(s, &loop);
}

static void stop_on_end(struct kl_store_watch *w, void *arg)
{
        struct collector *c = arg;

        collector_drain(c);
        if (c->status != 0) {
                kl_store_watch_stop(w);
                c->w = NULL;
        }
}

Test(hub, close_ends_watches_with_ecanceled)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 0, 0);
        struct collector c = { 0 }, kept = { 0 };

        cr_assert_eq(kl_store_watch_start(s, "/registry/", 0, stop_on_end, &c, &c.w, NULL), 0);
        collector_drain(&c);
        cr_assert_eq(collector_start(s, &kept, "/registry/", 0), 0);
        t_create(s, "/registry/a", "1");
        t_wait_events(&loop, &c, 1);
        kl_store_close(s);
        cr_assert_eq(c.status, -ECANCELED);
        cr_assert_null(c.w);
        /* A watch its owner stops only after the close: the store waits for it. */
        cr_assert_eq(kl_store_watch_next(kept.w, &(struct kl_store_event *){ NULL }), -ECANCELED);
        (void)kl_loop_run(&loop, UV_RUN_NOWAIT);
        collector_stop(&kept);
        for (size_t i = 0; i < c.n; i++)
                kl_store_event_unref(c.evs[i]);
        free(c.evs);
        cr_assert_eq(kl_loop_finish(&loop), 0);
}

Test(hub, thousand_watchers_each_get_every_event)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 0, 0);
        static struct collector c[1000];

        for (int i = 0; i < 1000; i++)
                cr_assert_eq(collector_start(s, &c[i], i % 2 ? "/registry/a/" : "/registry/", 0),
                             0);
        for (int i = 0; i < 5; i++) {
                t_create(s, "/registry/a/x", "v");
                t_delete(s, "/registry/a/x");
                t_create(s, "/registry/b/x", "v");
                t_delete(s, "/registry/b/x");
        }
        for (int i = 0; i < 1000; i++) {
                t_wait_events(&loop, &c[i], i % 2 ? 10 : 20);
                cr_assert_eq(c[i].n, i % 2 ? 10u : 20u);
        }
        for (int i = 0; i < 1000; i++)
                collector_stop(&c[i]);
        t_close(s, &loop);
}

Test(hub, catch_up_longer_than_the_queue_waits_for_room)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 8, 2);
        struct collector c;
        int64_t first = 0;

        for (int i = 0; i < 100; i++) {
                char key[32];
                int64_t rev;

                (void)snprintf(key, sizeof(key), "/registry/q/%03d", i);
                rev = t_create(s, key, "v");
                if (i == 0)
                        first = rev;
        }
        cr_assert_eq(collector_start(s, &c, "/registry/q/", first), 0);
        t_wait_events(&loop, &c, 100);
        cr_assert_eq(c.status, 0, "history is read at the reader's pace, never -ENOBUFS");
        for (size_t i = 0; i < 100; i++)
                cr_assert_eq(c.evs[i]->kv.mod_rev, first + (int64_t)i);
        collector_stop(&c);
        t_close(s, &loop);
}

Test(hub, watch_from_a_future_revision_waits_for_it)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 0, 0);
        struct collector c;
        int64_t from = kl_store_revision(s) + 3;

        cr_assert_eq(collector_start(s, &c, "/registry/", from), 0);
        for (int i = 0; i < 5; i++)
                t_create(s,
                         (const char *[]){ "/registry/0", "/registry/1", "/registry/2",
                                           "/registry/3", "/registry/4" }[i],
                         "v");
        t_wait_events(&loop, &c, 3);
        cr_assert_eq(c.evs[0]->kv.mod_rev, from);
        collector_stop(&c);
        t_close(s, &loop);
}

Test(hub, reopened_store_watches_and_writes_go_on)
{
        uv_loop_t loop;
        struct kl_store_options o = { 0 };
        struct kl_store *s;
        struct collector live, replay;
        int64_t rev;

        cr_assert_eq(kl_loop_init(&loop), 0);
        o.dsn = t_dsn();
        s = t_open_opts(&loop, &o);
        t_create(s, "/registry/core/pods/default/a", "1");
        t_create(s, "/registry/core/pods/default/b", "2");
        t_close(s, &loop);

        /* A second life: the hub must continue from the stored revision. */
        cr_assert_eq(kl_loop_init(&loop), 0);
        s = t_open_opts(&loop, &o);
        free((char *)o.dsn);
        cr_assert_eq(collector_start(s, &live, "/registry/", 0), 0);
        cr_assert_eq(collector_start(s, &replay, "/registry/", 2), 0);
        rev = t_create(s, "/registry/core/pods/default/c", "3");
        cr_assert_eq(rev, 3);
        t_wait_events(&loop, &live, 1);
        t_wait_events(&loop, &replay, 2);
        cr_assert_eq(live.evs[0]->kv.mod_rev, 3);
        cr_assert_eq(replay.evs[0]->kv.mod_rev, 2);
        cr_assert_eq(replay.evs[1]->kv.mod_rev, 3);
        collector_stop(&live);
        collector_stop(&replay);
        t_close(s, &loop);
}

Test(hub, no_loop_no_watches)
{
        struct kl_store *s = t_open(NULL, NULL);
        struct kl_store_watch *w = NULL;

        cr_assert_eq(kl_store_watch_start(s, "/registry/", 0, collector_cb, NULL, &w, NULL),
                     -ENOTSUP);
        t_close(s, NULL);
}

static void get_inside_callback(struct kl_store_watch *w, void *arg)
{
        struct kl_store *s = arg;
        struct kl_store_kv *kv = NULL;

        (void)w;
        /* A bug: blocking on the loop thread. The store asserts. */
        (void)kl_store_get(s, "/registry/a", 0, &kv, NULL);
}

Test(hub, blocking_call_on_the_loop_aborts, .signal = SIGABRT)
{
        uv_loop_t loop;
        struct kl_store *s = open_loop(&loop, 0, 0);
        struct kl_store_watch *w = NULL;
        struct kl_store_event *ev = NULL;

        cr_assert_eq(kl_store_watch_start(s, "/registry/", 0, get_inside_callback, s, &w, NULL), 0);
        cr_assert_eq(kl_store_watch_next(w, &ev), 0);
        t_create(s, "/registry/a", "1");
        for (int i = 0; i < 5000; i++) {
                (void)kl_loop_run(&loop, UV_RUN_NOWAIT);
                (void)usleep(1000);
        }
}
