/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the store's tests: a store in a temporary directory (or
 * the backend named by KL_TEST_STORE), a loop that must end clean, and a
 * watch collector. Static functions: each test binary includes this once.
 */
#ifndef KL_STORE_TESTS_STORE_TEST_H
#define KL_STORE_TESTS_STORE_TEST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "loop/loop.h"
#include "store/store.h"
#include "testing/testing.h"

/*
 * Criterion's assertions are not thread-safe (each one is a message to the
 * runner process, and concurrent ones garble it): threads that a test starts
 * check with this instead, which fails the test by aborting it.
 */
#define t_check(cond, ...)                                              \
        do {                                                            \
                if (!(cond)) {                                          \
                        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
                        fprintf(stderr, __VA_ARGS__);                   \
                        fputc('\n', stderr);                            \
                        abort();                                        \
                }                                                       \
        } while (0)

/*
 * The DSN of a fresh, empty store. KL_TEST_STORE selects the backend: unset or
 * "sqlite" is SQLite in a new temporary directory; anything else is a DSN in
 * which "{tmp}" is replaced by a new temporary directory (R7.6).
 */
static KL_UNUSED char *t_dsn(void)
{
        const char *env = getenv("KL_TEST_STORE");
        const char *tmp = kl_test_tmpdir();
        const char *mark;

        if (!env || !*env || strcmp(env, "sqlite") == 0)
                return kl_asprintf("sqlite://%s/db/state.db", tmp);
        mark = strstr(env, "{tmp}");
        if (!mark)
                return kl_strdup(env);
        return kl_asprintf("%.*s%s%s", (int)(mark - env), env, tmp, mark + 5);
}

static KL_UNUSED struct kl_store *t_open_opts(uv_loop_t *loop, struct kl_store_options *o)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_store *s = NULL;
        int r = kl_store_open(loop, o, &s, &e);

        cr_assert_eq(r, 0, "open '%s': %s", o->dsn, kl_err_msg(e));
        return s;
}

static KL_UNUSED struct kl_store *t_open(uv_loop_t *loop, char **ret_dsn)
{
        struct kl_store_options o = { .dsn = t_dsn() };
        struct kl_store *s = t_open_opts(loop, &o);

        if (ret_dsn)
                *ret_dsn = (char *)o.dsn;
        else
                free((char *)o.dsn);
        return s;
}

/* Close the store and, with a loop, check that the loop ends with nothing left open. */
static KL_UNUSED void t_close(struct kl_store *s, uv_loop_t *loop)
{
        kl_store_close(s);
        if (loop)
                cr_assert_eq(kl_loop_finish(loop), 0, "the loop did not end clean");
}

/*
 * Writes through either API. While t_async_loop is set (the loop the store
 * was opened with), t_store_create(), t_store_update() and t_store_delete()
 * submit the write asynchronously and run the loop until its callback has
 * run; otherwise they are the blocking calls. Same signatures and results as
 * the blocking calls, so one test body checks both (R7.6).
 */
static uv_loop_t *t_async_loop;

struct t_async {
        bool done;
        struct kl_store_result res; /* owned kv and err */
};

static KL_UNUSED void t_async_done(void *arg, struct kl_store_result *res)
{
        struct t_async *a = arg;

        cr_assert_not(a->done, "a write's callback ran twice");
        a->done = true;
        a->res = *res;
        res->kv = NULL; /* taken */
        res->err = NULL;
}

static KL_UNUSED int t_async_wait(int r, struct t_async *a, int64_t *ret_rev,
                                  struct kl_store_kv **ret_kv, struct kl_err **err)
{
        if (r < 0) {
                cr_assert_not(a->done, "refused write ran its callback");
                return r;
        }
        cr_assert_not(a->done, "a write's callback ran inside the submit call");
        while (!a->done)
                (void)kl_loop_run(t_async_loop, UV_RUN_ONCE);
        if (ret_kv)
                *ret_kv = KL_TAKE_PTR(a->res.kv);
        else
                kl_store_kv_free(KL_TAKE_PTR(a->res.kv));
        if (a->res.r < 0) {
                cr_assert(a->res.err, "failed write without an error");
                if (err)
                        *err = KL_TAKE_PTR(a->res.err);
                else
                        kl_err_free(KL_TAKE_PTR(a->res.err));
                return a->res.r;
        }
        cr_assert_null(a->res.err);
        if (ret_rev)
                *ret_rev = a->res.rev;
        return 0;
}

static KL_UNUSED int t_store_create(struct kl_store *s, const char *key, const void *value,
                                    size_t len, kl_usec_t ttl, int64_t *ret_rev,
                                    struct kl_store_kv **ret_current, struct kl_err **err)
{
        struct t_async a = { 0 };

        if (!t_async_loop)
                return kl_store_create(s, key, value, len, ttl, ret_rev, ret_current, err);
        return t_async_wait(kl_store_submit_create(s, key, value, len, ttl, t_async_done, &a, err),
                            &a, ret_rev, ret_current, err);
}

static KL_UNUSED int t_store_update(struct kl_store *s, const char *key, const void *value,
                                    size_t len, int64_t expected_rev, kl_usec_t ttl,
                                    int64_t *ret_rev, struct kl_store_kv **ret_current,
                                    struct kl_err **err)
{
        struct t_async a = { 0 };

        if (!t_async_loop)
                return kl_store_update(s, key, value, len, expected_rev, ttl, ret_rev, ret_current,
                                       err);
        return t_async_wait(kl_store_submit_update(s, key, value, len, expected_rev, ttl,
                                                   t_async_done, &a, err),
                            &a, ret_rev, ret_current, err);
}

static KL_UNUSED int t_store_delete(struct kl_store *s, const char *key, int64_t expected_rev,
                                    int64_t *ret_rev, struct kl_store_kv **ret_prev,
                                    struct kl_err **err)
{
        struct t_async a = { 0 };

        if (!t_async_loop)
                return kl_store_delete(s, key, expected_rev, ret_rev, ret_prev, err);
        return t_async_wait(kl_store_submit_delete(s, key, expected_rev, t_async_done, &a, err), &a,
                            ret_rev, ret_prev, err);
}

static KL_UNUSED int64_t t_create(struct kl_store *s, const char *key, const char *value)
{
        kl_autoerr struct kl_err *e = NULL;
        int64_t rev = 0;
        int r = t_store_create(s, key, value, strlen(value), 0, &rev, NULL, &e);

        cr_assert_eq(r, 0, "create '%s': %s", key, kl_err_msg(e));
        return rev;
}

static KL_UNUSED int64_t t_update(struct kl_store *s, const char *key, const char *value)
{
        kl_autoerr struct kl_err *e = NULL;
        int64_t rev = 0;
        int r = t_store_update(s, key, value, strlen(value), 0, 0, &rev, NULL, &e);

        cr_assert_eq(r, 0, "update '%s': %s", key, kl_err_msg(e));
        return rev;
}

static KL_UNUSED int64_t t_delete(struct kl_store *s, const char *key)
{
        kl_autoerr struct kl_err *e = NULL;
        int64_t rev = 0;
        int r = t_store_delete(s, key, 0, &rev, NULL, &e);

        cr_assert_eq(r, 0, "delete '%s': %s", key, kl_err_msg(e));
        return rev;
}

/* Everything a watch delivered, until it ended. */
struct collector {
        struct kl_store_watch *w;
        struct kl_store_event **evs; /* owned refs */
        size_t n, cap;
        int status; /* 0 while the watch runs */
        unsigned notifications;
        bool stop_in_callback;
};

static KL_UNUSED void collector_drain(struct collector *c)
{
        for (;;) {
                struct kl_store_event *ev = NULL;
                int r = kl_store_watch_next(c->w, &ev);

                if (r == 0)
                        return;
                if (r < 0) {
                        c->status = r;
                        return;
                }
                if (c->n == c->cap) {
                        c->cap = c->cap ? c->cap * 2 : 64;
                        c->evs = kl_realloc(c->evs, c->cap * sizeof(void *)); /* pointers */
                }
                c->evs[c->n++] = ev;
        }
}

static KL_UNUSED void collector_cb(struct kl_store_watch *w, void *arg)
{
        struct collector *c = arg;

        cr_assert_eq(c->w, w);
        c->notifications++;
        collector_drain(c);
        if (c->stop_in_callback && c->status != 0) {
                kl_store_watch_stop(c->w);
                c->w = NULL;
        }
}

static KL_UNUSED int collector_start(struct kl_store *s, struct collector *c, const char *prefix,
                                     int64_t start_rev)
{
        int r;

        *c = (struct collector){ 0 };
        r = kl_store_watch_start(s, prefix, start_rev, collector_cb, c, &c->w, NULL);
        if (r == 0)
                collector_drain(c);
        return r;
}

static KL_UNUSED void collector_stop(struct collector *c)
{
        kl_store_watch_stop(c->w);
        c->w = NULL;
        for (size_t i = 0; i < c->n; i++)
                kl_store_event_unref(c->evs[i]);
        free(c->evs);
        c->evs = NULL;
        c->n = c->cap = 0;
}

/* Run the loop until `done(arg)` or `timeout_ms`; returns whether `done` became true. */
static KL_UNUSED bool t_run_until(uv_loop_t *loop, bool (*done)(void *), void *arg,
                                  unsigned timeout_ms)
{
        kl_usec_t end = kl_now_monotonic() + (kl_usec_t)timeout_ms * KL_USEC_PER_MSEC;

        for (;;) {
                (void)kl_loop_run(loop, UV_RUN_NOWAIT);
                if (done(arg))
                        return true;
                if (kl_now_monotonic() > end)
                        return false;
                (void)usleep(200);
        }
}

struct wait_n {
        struct collector *c;
        size_t n;
};

static KL_UNUSED bool has_n(void *arg)
{
        struct wait_n *w = arg;

        return w->c->n >= w->n || w->c->status != 0;
}

/* Run the loop until `c` has at least `n` events (or ended); asserts it got there. */
static KL_UNUSED void t_wait_events(uv_loop_t *loop, struct collector *c, size_t n)
{
        struct wait_n w = { .c = c, .n = n };

        cr_assert(t_run_until(loop, has_n, &w, 10000), "waited 10s for %zu events, got %zu", n,
                  c->n);
}

#endif
