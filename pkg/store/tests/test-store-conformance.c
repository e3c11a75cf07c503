/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's conformance suite (STYLE R7.6, R13.4): what every backend must
 * do, through the public interface only. Runs against the backend named by
 * KL_TEST_STORE (default: SQLite in a temporary directory).
 */
#include <inttypes.h>
#include <pthread.h>

#include "store-test.h"

/*
 * One time-out for the whole suite: Criterion 2.4.1 leaks in its runner when
 * tests with different time-outs run in parallel (LeakSanitizer sees it).
 */
TestSuite(conformance, .timeout = 120);

/*
 * The write cases run twice: through the blocking calls (from this thread,
 * outside the loop) and through the asynchronous ones (submitted on the loop
 * thread, the loop run until the callback). The body opens its store with
 * `loop` either way and closes it with t_close(s, loop).
 */
static void run_both(void (*body)(uv_loop_t *loop), bool async)
{
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        t_async_loop = async ? &loop : NULL;
        body(&loop);
        t_async_loop = NULL;
}

#define WRITE_TEST(name)                          \
        static void name##_body(uv_loop_t *loop); \
        Test(conformance, name)                   \
        {                                         \
                run_both(name##_body, false);     \
        }                                         \
        Test(conformance, name##_async)           \
        {                                         \
                run_both(name##_body, true);      \
        }                                         \
        static void name##_body(uv_loop_t *loop)

Test(conformance, unknown_backend_lists_compiled_in)
{
        struct kl_store_options o = { .dsn = "etcd3://127.0.0.1:2379" };
        kl_autoerr struct kl_err *e = NULL;
        struct kl_store *s = NULL;

        cr_assert_eq(kl_store_open(NULL, &o, &s, &e), -EINVAL);
        cr_assert(strstr(e->msg, "unknown backend 'etcd3'"), "%s", e->msg);
        cr_assert(strstr(e->msg, "compiled in: sqlite"), "%s", e->msg);
}

WRITE_TEST(create_get_and_limits)
{
        struct kl_store *s = t_open(loop, NULL);
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *cur = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *big = NULL;
        int64_t rev, n = -1;

        rev = t_create(s, "/registry/core/pods/default/a", "v1");
        cr_assert_gt(rev, 0);
        cr_assert_eq(kl_store_get(s, "/registry/core/pods/default/a", 0, &kv, NULL), 0);
        cr_assert_str_eq(kv->key, "/registry/core/pods/default/a");
        cr_assert_eq(kv->len, 2);
        cr_assert_str_eq(kv->value, "v1");
        cr_assert_eq(kv->create_rev, rev);
        cr_assert_eq(kv->mod_rev, rev);

        /* Create fails if present, and says what is there. */
        cr_assert_eq(t_store_create(s, "/registry/core/pods/default/a", "x", 1, 0, NULL, &cur, &e),
                     -EEXIST);
        cr_assert_eq(cur->mod_rev, rev);
        cr_assert_str_eq(cur->value, "v1");
        cr_assert_eq(t_store_update(s, "/registry/core/pods/default/none", "x", 1, 0, 0, NULL, NULL,
                                    NULL),
                     -ENOENT);
        cr_assert_eq(t_store_delete(s, "/registry/core/pods/default/none", 0, NULL, NULL, NULL),
                     -ENOENT);
        cr_assert_eq(kl_store_get(s, "/registry/core/pods/default/none", 0, &kv, NULL), -ENOENT);

        /* Empty values are values. */
        t_create(s, "/registry/core/pods/default/empty", "");
        kl_store_kv_free(KL_TAKE_PTR(kv));
        cr_assert_eq(kl_store_get(s, "/registry/core/pods/default/empty", 0, &kv, NULL), 0);
        cr_assert_eq(kv->len, 0);

        /* Limits and syntax are checked before anything reaches the backend. */
        big = kl_calloc(1, KL_STORE_VALUE_MAX_DEFAULT + 1);
        cr_assert_eq(t_store_create(s, "/registry/big", big, KL_STORE_VALUE_MAX_DEFAULT + 1, 0,
                                    NULL, NULL, NULL),
                     -E2BIG);
        cr_assert_eq(t_store_create(s, "/registry/big", big, KL_STORE_VALUE_MAX_DEFAULT, 0, NULL,
                                    NULL, NULL),
                     0);
        cr_assert_eq(t_store_create(s, "no-slash", "x", 1, 0, NULL, NULL, NULL), -EINVAL);
        cr_assert_eq(t_store_create(s, "/has space", "x", 1, 0, NULL, NULL, NULL), -EINVAL);
        cr_assert_eq(kl_store_get(s, "/registry/core/pods/default/a", kl_store_revision(s) + 1, &kv,
                                  NULL),
                     -ERANGE);

        cr_assert_eq(kl_store_count(s, "/registry/core/pods/", &n, NULL), 0);
        cr_assert_eq(n, 2);
        t_close(s, loop);
}

struct rev_thread {
        struct kl_store *s;
        int id;
        int64_t revs[300];
        size_t n;
};

static void *rev_writer(void *arg)
{
        struct rev_thread *t = arg;

        for (int i = 0; i < 100; i++) {
                char key[64], val[32];
                int64_t rev = 0;

                (void)snprintf(key, sizeof(key), "/registry/t/k/%d-%d", t->id, i);
                (void)snprintf(val, sizeof(val), "v%d", i);
                t_check(kl_store_create(t->s, key, val, strlen(val), 0, &rev, NULL, NULL) == 0,
                        "create '%s'", key);
                t->revs[t->n++] = rev;
                t_check(kl_store_update(t->s, key, "w", 1, rev, 0, &rev, NULL, NULL) == 0,
                        "update '%s'", key);
                t->revs[t->n++] = rev;
                if (i % 2 == 0) {
                        t_check(kl_store_delete(t->s, key, rev, &rev, NULL, NULL) == 0,
                                "delete '%s'", key);
                        t->revs[t->n++] = rev;
                }
        }
        return NULL;
}

static int cmp_rev(const void *a, const void *b)
{
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

        return x < y ? -1 : x > y;
}

Test(conformance, revisions_strictly_increase)
{
        kl_autofree char *dsn = NULL;
        struct kl_store *s = t_open(NULL, &dsn);
        struct rev_thread th[4];
        pthread_t tid[4];
        int64_t all[4 * 300], last;
        size_t n = 0;

        for (int i = 0; i < 4; i++) {
                th[i] = (struct rev_thread){ .s = s, .id = i };
                cr_assert_eq(pthread_create(&tid[i], NULL, rev_writer, &th[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
                cr_assert_eq(pthread_join(tid[i], NULL), 0);
                /* Each writer sees its own revisions go up... */
                for (size_t j = 1; j < th[i].n; j++)
                        cr_assert_gt(th[i].revs[j], th[i].revs[j - 1]);
                memcpy(all + n, th[i].revs, th[i].n * sizeof(int64_t));
                n += th[i].n;
        }
        /* ...and no two writes anywhere share one. */
        qsort(all, n, sizeof(int64_t), cmp_rev);
        for (size_t j = 1; j < n; j++)
                cr_assert_gt(all[j], all[j - 1]);
        last = kl_store_revision(s);
        cr_assert_eq(last, all[n - 1]);
        t_close(s, NULL);

        /* Across a restart too: the next revision is above every earlier one. */
        {
                struct kl_store_options o = { .dsn = dsn };

                s = t_open_opts(NULL, &o);
                cr_assert_eq(kl_store_revision(s), last);
                cr_assert_gt(t_create(s, "/registry/t/after-restart", "x"), last);
                t_close(s, NULL);
        }
}

WRITE_TEST(cas_conflicts_report_current_revision)
{
        struct kl_store *s = t_open(loop, NULL);
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *cur = NULL;
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *prev = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const char *k = "/registry/apps/deployments/default/web";
        int64_t r1, r2, r3;

        r1 = t_create(s, k, "one");
        cr_assert_eq(t_store_update(s, k, "two", 3, r1, 0, &r2, NULL, NULL), 0);
        cr_assert_gt(r2, r1);

        cr_assert_eq(t_store_update(s, k, "stale", 5, r1, 0, NULL, &cur, &e), -KL_ECONFLICT);
        cr_assert_eq(e->code, KL_ECONFLICT);
        cr_assert_eq(cur->mod_rev, r2);
        cr_assert_eq(cur->create_rev, r1);
        cr_assert_str_eq(cur->value, "two");
        kl_store_kv_free(KL_TAKE_PTR(cur));
        kl_err_free(KL_TAKE_PTR(e));

        cr_assert_eq(t_store_delete(s, k, r1, NULL, &cur, &e), -KL_ECONFLICT);
        cr_assert_eq(cur->mod_rev, r2);

        cr_assert_eq(t_store_delete(s, k, r2, &r3, &prev, NULL), 0);
        cr_assert_gt(r3, r2);
        cr_assert_str_eq(prev->value, "two");
        cr_assert_eq(prev->mod_rev, r2);
        t_close(s, loop);
}

WRITE_TEST(deleted_and_recreated_key_gets_new_create_revision)
{
        struct kl_store *s = t_open(loop, NULL);
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        const char *k = "/registry/core/configmaps/default/cm";
        int64_t c1, c2;

        c1 = t_create(s, k, "a");
        t_update(s, k, "b");
        t_delete(s, k);
        c2 = t_create(s, k, "c");
        cr_assert_gt(c2, c1);
        cr_assert_eq(kl_store_get(s, k, 0, &kv, NULL), 0);
        cr_assert_eq(kv->create_rev, c2);
        cr_assert_eq(kv->mod_rev, c2);
        t_close(s, loop);
}

static void expect_list(struct kl_store_list *l, const char *const *keys, const char *const *vals,
                        size_t n)
{
        cr_assert_eq(l->n, n, "expected %zu items, got %zu", n, l->n);
        for (size_t i = 0; i < n; i++) {
                cr_assert_str_eq(l->items[i]->key, keys[i]);
                cr_assert_str_eq(l->items[i]->value, vals[i]);
        }
}

WRITE_TEST(list_at_old_revision_sees_old_world)
{
        struct kl_store *s = t_open(loop, NULL);
        struct kl_store_list *l = NULL;
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        int64_t r0, r_old;

        r0 = t_create(s, "/registry/x/a", "a1");
        t_create(s, "/registry/x/b", "b1");
        t_create(s, "/registry/y/other", "o");
        r_old = kl_store_revision(s);

        t_update(s, "/registry/x/a", "a2");
        t_delete(s, "/registry/x/b");
        t_create(s, "/registry/x/c", "c1");
        t_delete(s, "/registry/x/a");
        t_create(s, "/registry/x/a", "a3");

        cr_assert_eq(kl_store_list(s, "/registry/x/", r_old, 0, NULL, &l, NULL), 0);
        cr_assert_eq(l->rev, r_old);
        expect_list(l, (const char *const[]){ "/registry/x/a", "/registry/x/b" },
                    (const char *const[]){ "a1", "b1" }, 2);
        cr_assert_eq(l->items[0]->mod_rev, r0);
        kl_store_list_free(l);

        cr_assert_eq(kl_store_list(s, "/registry/x/", 0, 0, NULL, &l, NULL), 0);
        cr_assert_eq(l->rev, kl_store_revision(s));
        expect_list(l, (const char *const[]){ "/registry/x/a", "/registry/x/c" },
                    (const char *const[]){ "a3", "c1" }, 2);
        kl_store_list_free(l);

        /* Before anything existed: empty. */
        cr_assert_eq(kl_store_list(s, "/registry/x/", r0 - 1 > 0 ? r0 - 1 : r0, 0, NULL, &l, NULL),
                     0);
        kl_store_list_free(l);

        /* Get at old revisions, including of a key deleted since. */
        cr_assert_eq(kl_store_get(s, "/registry/x/b", r_old, &kv, NULL), 0);
        cr_assert_str_eq(kv->value, "b1");
        kl_store_kv_free(KL_TAKE_PTR(kv));
        cr_assert_eq(kl_store_get(s, "/registry/x/a", r_old, &kv, NULL), 0);
        cr_assert_str_eq(kv->value, "a1");
        kl_store_kv_free(KL_TAKE_PTR(kv));
        cr_assert_eq(kl_store_get(s, "/registry/x/c", r_old, &kv, NULL), -ENOENT);
        cr_assert_eq(kl_store_get(s, "/registry/x/b", 0, &kv, NULL), -ENOENT);
        t_close(s, loop);
}

/* Pagination: a writer changes the listed range all the time; pages still add up to one revision.
 */
#define PAGE_KEYS 120

struct churn_op {
        int64_t rev;
        int key;
        int kind; /* 0 update, 1 delete, 2 create */
        int value;
};

struct churn {
        struct kl_store *s;
        bool stop;
        bool live[PAGE_KEYS + 40];
        int value[PAGE_KEYS + 40];
        struct churn_op ops[20000];
        size_t n_ops;
        size_t done; /* n_ops, published atomically for the paging thread */
};

/*
 * Wait until the churn thread has written something since `seen`, so that
 * every page is read with writes having landed in between, however the
 * threads are scheduled (a busy or sanitized machine can starve the writer).
 * Bounded: the writer makes progress in milliseconds.
 */
static size_t churn_wait_progress(struct churn *c, size_t seen)
{
        for (int i = 0; i < 5000; i++) {
                size_t now = __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);

                if (now > seen)
                        return now;
                (void)usleep(1000);
        }
        return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

static void *churn_main(void *arg)
{
        struct churn *c = arg;
        unsigned seed = 7;

        while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) && c->n_ops < KL_ARRAY_SIZE(c->ops)) {
                int k = (int)(rand_r(&seed) % (PAGE_KEYS + 40));
                char key[64], val[32];
                struct churn_op op = { .key = k, .value = (int)c->n_ops + 1000 };
                int r;

                (void)snprintf(key, sizeof(key), "/registry/p/k%04d", k);
                (void)snprintf(val, sizeof(val), "%d", op.value);
                if (!c->live[k]) {
                        op.kind = 2;
                        r = kl_store_create(c->s, key, val, strlen(val), 0, &op.rev, NULL, NULL);
                } else if (rand_r(&seed) % 4 == 0) {
                        op.kind = 1;
                        r = kl_store_delete(c->s, key, 0, &op.rev, NULL, NULL);
                } else {
                        r = kl_store_update(c->s, key, val, strlen(val), 0, 0, &op.rev, NULL, NULL);
                }
                t_check(r == 0, "churn on '%s': %d", key, r);
                c->live[k] = op.kind != 1;
                c->ops[c->n_ops++] = op;
                __atomic_store_n(&c->done, c->n_ops, __ATOMIC_RELEASE);
        }
        return NULL;
}

Test(conformance, pagination_consistent_under_concurrent_writes)
{
        struct kl_store *s = t_open(NULL, NULL);
        static struct churn c;
        bool want_live[PAGE_KEYS + 40] = { 0 };
        int want_val[PAGE_KEYS + 40] = { 0 };
        char **got = NULL;
        kl_autofree char *token = NULL;
        int64_t list_rev = 0, base_rev;
        size_t n_got = 0, pages = 0;
        pthread_t tid;
        size_t seen = 0;

        c = (struct churn){ .s = s };
        for (int k = 0; k < PAGE_KEYS; k++) {
                char key[64], val[32];

                (void)snprintf(key, sizeof(key), "/registry/p/k%04d", k);
                (void)snprintf(val, sizeof(val), "%d", k);
                t_create(s, key, val);
                c.live[k] = want_live[k] = true;
                c.value[k] = want_val[k] = k;
        }
        base_rev = kl_store_revision(s);
        cr_assert_eq(pthread_create(&tid, NULL, churn_main, &c), 0);

        do {
                struct kl_store_list *l = NULL;
                kl_autoerr struct kl_err *e = NULL;

                seen = churn_wait_progress(&c, seen); /* writes land between pages */
                cr_assert_eq(kl_store_list(s, "/registry/p/", 0, 7, token, &l, &e), 0, "%s",
                             kl_err_msg(e));
                if (pages++ == 0)
                        list_rev = l->rev;
                cr_assert_eq(l->rev, list_rev, "every page is read at the first page's revision");
                for (size_t i = 0; i < l->n; i++) {
                        got = kl_realloc(got, (n_got + 1) * sizeof(*got));
                        got[n_got++] = kl_asprintf("%s=%s", l->items[i]->key,
                                                   (const char *)l->items[i]->value);
                }
                free(token);
                token = l->continue_token ? kl_strdup(l->continue_token) : NULL;
                kl_store_list_free(l);
        } while (token);
        __atomic_store_n(&c.stop, true, __ATOMIC_RELEASE);
        cr_assert_eq(pthread_join(tid, NULL), 0);
        cr_assert_gt(pages, 10);
        cr_assert_gt(kl_store_revision(s), list_rev, "writes went on while paging");

        /* The expected world at list_rev: the initial keys plus every write up to it. */
        cr_assert_geq(list_rev, base_rev);
        for (size_t i = 0; i < c.n_ops && c.ops[i].rev <= list_rev; i++) {
                want_live[c.ops[i].key] = c.ops[i].kind != 1;
                want_val[c.ops[i].key] = c.ops[i].value;
        }
        {
                size_t j = 0;

                for (int k = 0; k < PAGE_KEYS + 40; k++) {
                        char expect[96];

                        if (!want_live[k])
                                continue;
                        (void)snprintf(expect, sizeof(expect), "/registry/p/k%04d=%d", k,
                                       want_val[k]);
                        cr_assert_lt(j, n_got, "missing '%s'", expect);
                        cr_assert_str_eq(got[j], expect);
                        j++;
                }
                cr_assert_eq(j, n_got, "extra items in the pages");
        }
        for (size_t i = 0; i < n_got; i++)
                free(got[i]);
        free(got);
        t_close(s, NULL);
}

Test(conformance, continue_token_is_checked)
{
        struct kl_store *s = t_open(NULL, NULL);
        struct kl_store_list *l = NULL;
        kl_autofree char *token = NULL;

        t_create(s, "/registry/a/1", "x");
        t_create(s, "/registry/a/2", "x");
        t_create(s, "/registry/b/1", "x");
        cr_assert_eq(kl_store_list(s, "/registry/a/", 0, 1, NULL, &l, NULL), 0);
        cr_assert_not_null(l->continue_token);
        token = kl_strdup(l->continue_token);
        kl_store_list_free(l);
        /* A token is bound to its prefix and its revision. */
        cr_assert_eq(kl_store_list(s, "/registry/b/", 0, 1, token, &l, NULL), -EINVAL);
        cr_assert_eq(kl_store_list(s, "/registry/a/", 1, 1, token, &l, NULL), -EINVAL);
        cr_assert_eq(kl_store_list(s, "/registry/a/", 0, 1, "not a token", &l, NULL), -EINVAL);
        cr_assert_eq(kl_store_list(s, "/registry/a/", 0, 1, token, &l, NULL), 0);
        cr_assert_eq(l->n, 1);
        cr_assert_str_eq(l->items[0]->key, "/registry/a/2");
        cr_assert_null(l->continue_token);
        kl_store_list_free(l);
        t_close(s, NULL);
}

static void expect_same_event(const struct kl_store_event *a, const struct kl_store_event *b)
{
        cr_assert_eq(a->type, b->type);
        cr_assert_str_eq(a->kv.key, b->kv.key);
        cr_assert_eq(a->kv.mod_rev, b->kv.mod_rev);
        cr_assert_eq(a->kv.create_rev, b->kv.create_rev);
        cr_assert_eq(a->kv.len, b->kv.len);
        cr_assert_eq(memcmp(a->kv.value, b->kv.value, a->kv.len), 0);
        cr_assert_eq(a->has_prev, b->has_prev, "rev %" PRId64, a->kv.mod_rev);
        cr_assert_eq(a->prev.mod_rev, b->prev.mod_rev);
        cr_assert_eq(a->prev.create_rev, b->prev.create_rev);
        cr_assert_eq(a->prev.len, b->prev.len);
        cr_assert_eq(memcmp(a->prev.value, b->prev.value, a->prev.len), 0);
}

/* Writes of every kind, on two prefixes, with values that tell them apart. */
static void write_history(struct kl_store *s, int rounds)
{
        for (int i = 0; i < rounds; i++) {
                char key[64], val[64];
                int64_t rev;

                (void)snprintf(key, sizeof(key), "/registry/h/k%d", i % 5);
                (void)snprintf(val, sizeof(val), "value-%d", i);
                if (kl_store_create(s, key, val, strlen(val), 0, &rev, NULL, NULL) == -EEXIST) {
                        if (i % 3 == 0)
                                t_delete(s, key);
                        else
                                t_update(s, key, val);
                }
                (void)snprintf(key, sizeof(key), "/registry/other/k%d", i % 3);
                if (kl_store_create(s, key, val, strlen(val), 0, &rev, NULL, NULL) == -EEXIST)
                        t_update(s, key, val);
        }
}

Test(conformance, watch_replays_same_events_from_any_retained_revision)
{
        uv_loop_t loop;
        struct kl_store *s;
        struct kl_store_options o = { .watch_window = 4 }; /* most replays come from history */
        struct collector live;
        int64_t first, last;
        size_t expected_n;

        cr_assert_eq(kl_loop_init(&loop), 0);
        o.dsn = t_dsn();
        s = t_open_opts(&loop, &o);
        free((char *)o.dsn);
        first = kl_store_revision(s) + 1;
        cr_assert_eq(collector_start(s, &live, "/registry/h/", 0), 0);
        write_history(s, 40);
        last = kl_store_revision(s);
        /* 40 writes on /registry/h/ and 40 on /registry/other/ */
        expected_n = 40;
        t_wait_events(&loop, &live, expected_n);
        cr_assert_eq(live.n, expected_n);
        for (size_t i = 1; i < live.n; i++)
                cr_assert_gt(live.evs[i]->kv.mod_rev, live.evs[i - 1]->kv.mod_rev);

        for (int64_t start = first; start <= last + 1; start++) {
                struct collector c;
                size_t skip = 0;

                while (skip < live.n && live.evs[skip]->kv.mod_rev < start)
                        skip++;
                cr_assert_eq(collector_start(s, &c, "/registry/h/", start), 0);
                t_wait_events(&loop, &c, live.n - skip);
                cr_assert_eq(c.status, 0);
                cr_assert_eq(c.n, live.n - skip, "from %" PRId64 ": %zu events, want %zu", start,
                             c.n, live.n - skip);
                for (size_t i = 0; i < c.n; i++)
                        expect_same_event(c.evs[i], live.evs[skip + i]);
                collector_stop(&c);
        }
        /* And the stream goes on live after the replay. */
        {
                struct collector c;
                size_t n0 = live.n;

                cr_assert_eq(collector_start(s, &c, "/registry/h/", first), 0);
                t_wait_events(&loop, &c, n0);
                t_create(s, "/registry/h/new", "n");
                t_wait_events(&loop, &c, n0 + 1);
                t_wait_events(&loop, &live, n0 + 1);
                cr_assert_eq(c.n, n0 + 1);
                expect_same_event(c.evs[n0], live.evs[n0]);
                collector_stop(&c);
        }
        collector_stop(&live);
        t_close(s, &loop);
}

Test(conformance, watch_from_compacted_revision_expires)
{
        uv_loop_t loop;
        struct kl_store *s;
        struct kl_store_list *l = NULL;
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct collector c;
        int64_t r1, r2, r3;

        cr_assert_eq(kl_loop_init(&loop), 0);
        s = t_open(&loop, NULL);
        r1 = t_create(s, "/registry/c/a", "1");
        r2 = t_update(s, "/registry/c/a", "2");
        r3 = t_update(s, "/registry/c/a", "3");
        t_create(s, "/registry/c/b", "1");
        cr_assert_eq(kl_store_compact(s, r2, 0, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(kl_store_compacted_revision(s), r2);

        cr_assert_eq(kl_store_watch_start(s, "/registry/c/", r2, collector_cb, &c, &c.w, &e),
                     -KL_EEXPIRED);
        cr_assert_eq(kl_err_http_status(e), 410);
        cr_assert_eq(kl_store_watch_start(s, "/registry/c/", r1, collector_cb, &c, &c.w, NULL),
                     -KL_EEXPIRED);
        cr_assert_eq(kl_store_get(s, "/registry/c/a", r1, &kv, NULL), -KL_EEXPIRED);
        cr_assert_eq(kl_store_list(s, "/registry/c/", r1, 0, NULL, &l, NULL), -KL_EEXPIRED);

        /* At the compacted revision itself reads still work; watches start after it. */
        cr_assert_eq(kl_store_get(s, "/registry/c/a", r2, &kv, NULL), 0);
        cr_assert_str_eq(kv->value, "2");
        cr_assert_eq(collector_start(s, &c, "/registry/c/", r2 + 1), 0);
        t_wait_events(&loop, &c, 2);
        cr_assert_eq(c.evs[0]->kv.mod_rev, r3);
        cr_assert(c.evs[0]->has_prev);
        cr_assert_str_eq(c.evs[0]->prev.value, "2");
        collector_stop(&c);

        /* Compacting is idempotent, and never into the future. */
        cr_assert_eq(kl_store_compact(s, r1, 0, NULL), 0);
        cr_assert_eq(kl_store_compacted_revision(s), r2);
        cr_assert_eq(kl_store_compact(s, kl_store_revision(s) + 1, 0, NULL), -ERANGE);
        t_close(s, &loop);
}

WRITE_TEST(ttl_expiry_emits_delete)
{
        struct kl_store *s;
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        struct collector c;
        int64_t rev;

        s = t_open(loop, NULL);
        cr_assert_eq(collector_start(s, &c, "/registry/events/", 0), 0);
        cr_assert_eq(t_store_create(s, "/registry/events/default/e1", "ev", 2,
                                    200 * KL_USEC_PER_MSEC, &rev, NULL, NULL),
                     0);
        /* A key whose TTL is removed by an update stays. */
        cr_assert_eq(t_store_create(s, "/registry/events/default/e2", "ev", 2,
                                    200 * KL_USEC_PER_MSEC, NULL, NULL, NULL),
                     0);
        t_update(s, "/registry/events/default/e2", "kept");
        t_wait_events(loop, &c, 4);
        cr_assert_eq(c.evs[0]->type, KL_STORE_EVENT_PUT);
        cr_assert_eq(c.evs[3]->type, KL_STORE_EVENT_DELETE);
        cr_assert_str_eq(c.evs[3]->kv.key, "/registry/events/default/e1");
        cr_assert_gt(c.evs[3]->kv.mod_rev, rev);
        cr_assert(c.evs[3]->has_prev);
        cr_assert_str_eq(c.evs[3]->prev.value, "ev");
        cr_assert_eq(kl_store_get(s, "/registry/events/default/e1", 0, &kv, NULL), -ENOENT);
        cr_assert_eq(kl_store_get(s, "/registry/events/default/e2", 0, &kv, NULL), 0);
        collector_stop(&c);
        t_close(s, loop);
}

WRITE_TEST(watch_sees_only_its_prefix_in_order)
{
        struct kl_store *s;
        struct collector c;

        s = t_open(loop, NULL);
        cr_assert_eq(collector_start(s, &c, "/registry/core/pods/", 0), 0);
        t_create(s, "/registry/core/pods/default/a", "1");
        t_create(s, "/registry/core/podsx/default/a", "no");
        t_create(s, "/registry/core/services/default/a", "no");
        t_update(s, "/registry/core/pods/default/a", "2");
        t_delete(s, "/registry/core/pods/default/a");
        t_wait_events(loop, &c, 3);
        cr_assert_eq(c.n, 3);
        cr_assert_eq(c.evs[0]->type, KL_STORE_EVENT_PUT);
        cr_assert_not(c.evs[0]->has_prev);
        cr_assert_eq(c.evs[1]->type, KL_STORE_EVENT_PUT);
        cr_assert_str_eq(c.evs[1]->prev.value, "1");
        cr_assert_eq(c.evs[2]->type, KL_STORE_EVENT_DELETE);
        cr_assert_eq(c.evs[2]->kv.len, 0);
        cr_assert_str_eq(c.evs[2]->prev.value, "2");
        cr_assert_eq(kl_store_watch_position(c.w), c.evs[2]->kv.mod_rev + 1);
        collector_stop(&c);
        t_close(s, loop);
}

/* Asynchronous writes ------------------------------------------------------ */

#define ASYNC_WRITES 300

struct async_run {
        struct kl_store *s;
        struct collector *c;
        unsigned next_cb; /* the index the next callback must have */
        unsigned done;
        int64_t last_rev;
        int r[ASYNC_WRITES];
        int64_t rev[ASYNC_WRITES];
        int64_t kv_rev[ASYNC_WRITES]; /* mod_rev of res.kv, 0 if none */
        bool event_seen[ASYNC_WRITES];
};

struct async_op {
        struct async_run *run;
        unsigned i;
        char key[64];
};

static void async_op_done(void *arg, struct kl_store_result *res)
{
        struct async_op *op = arg;
        struct async_run *run = op->run;

        /* Callbacks come in submission order, each once. */
        cr_assert_eq(op->i, run->next_cb);
        run->next_cb++;
        run->done++;
        run->r[op->i] = res->r;
        run->kv_rev[op->i] = res->kv ? res->kv->mod_rev : 0;
        cr_assert_eq(res->r < 0, res->err != NULL);
        if (res->r == 0) {
                /* Revisions strictly increase in submission order... */
                cr_assert_gt(res->rev, run->last_rev);
                run->last_rev = res->rev;
                run->rev[op->i] = res->rev;
                /* ...and the write's event is already in the watch. */
                collector_drain(run->c);
                for (size_t k = 0; k < run->c->n; k++)
                        if (run->c->evs[k]->kv.mod_rev == res->rev)
                                run->event_seen[op->i] = true;
                cr_assert(run->event_seen[op->i], "no event for revision %" PRId64 " yet",
                          res->rev);
        }
}

static bool async_all_done(void *arg)
{
        const struct async_run *run = arg;

        return run->done == ASYNC_WRITES;
}

/*
 * Many writes in flight at once from the loop: they share commits, and each
 * gets the outcome the same writes would get one after the other, in the
 * order they were submitted (a create, then an update guarded by the
 * revision the create will get, a stale update, a delete, a create of a key
 * just deleted, a second create of the same key).
 */
Test(conformance, async_writes_in_flight_behave_as_serial)
{
        uv_loop_t loop;
        struct async_run run = { 0 };
        struct async_op ops[ASYNC_WRITES];
        struct collector c;
        int64_t base;
        unsigned i = 0;

        cr_assert_eq(kl_loop_init(&loop), 0);
        run.s = t_open(&loop, NULL);
        run.c = &c;
        cr_assert_eq(collector_start(run.s, &c, "/registry/", 0), 0);
        base = kl_store_revision(run.s);
        run.last_rev = base;
        /* 50 rounds of 6 operations on one key each; every write succeeds except where noted. */
        for (unsigned k = 0; k < ASYNC_WRITES / 6; k++) {
                for (unsigned j = 0; j < 6; j++, i++) {
                        ops[i] = (struct async_op){ .run = &run, .i = i };
                        (void)snprintf(ops[i].key, sizeof(ops[i].key), "/registry/async/k%03u", k);
                }
                cr_assert_eq(kl_store_submit_create(run.s, ops[i - 6].key, "c", 1, 0, async_op_done,
                                                    &ops[i - 6], NULL),
                             0);
                /* 6k writes before it succeed and 2 per round fail: this create gets base + 4k + 1.
                 */
                cr_assert_eq(kl_store_submit_update(run.s, ops[i - 5].key, "u", 1,
                                                    base + 4 * (int64_t)k + 1, 0, async_op_done,
                                                    &ops[i - 5], NULL),
                             0);
                cr_assert_eq(kl_store_submit_update(run.s, ops[i - 4].key, "stale", 5,
                                                    base + 4 * (int64_t)k + 1, 0, async_op_done,
                                                    &ops[i - 4], NULL),
                             0);
                cr_assert_eq(kl_store_submit_delete(run.s, ops[i - 3].key, 0, async_op_done,
                                                    &ops[i - 3], NULL),
                             0);
                cr_assert_eq(kl_store_submit_create(run.s, ops[i - 2].key, "again", 5, 0,
                                                    async_op_done, &ops[i - 2], NULL),
                             0);
                cr_assert_eq(kl_store_submit_create(run.s, ops[i - 1].key, "twice", 5, 0,
                                                    async_op_done, &ops[i - 1], NULL),
                             0);
        }
        cr_assert_eq(run.done, 0, "a callback ran inside a submit call");
        cr_assert(t_run_until(&loop, async_all_done, &run, 30000));
        for (unsigned k = 0; k < ASYNC_WRITES / 6; k++) {
                unsigned o = 6 * k;
                int64_t created = base + 4 * (int64_t)k + 1;

                cr_assert_eq(run.r[o], 0);
                cr_assert_eq(run.rev[o], created);
                cr_assert_eq(run.r[o + 1], 0);
                cr_assert_eq(run.rev[o + 1], created + 1);
                cr_assert_eq(run.r[o + 2], -KL_ECONFLICT);
                cr_assert_eq(run.kv_rev[o + 2], created + 1, "the conflict reports the current kv");
                cr_assert_eq(run.r[o + 3], 0);
                cr_assert_eq(run.kv_rev[o + 3], created + 1, "a delete returns what it deleted");
                cr_assert_eq(run.r[o + 4], 0);
                cr_assert_eq(run.r[o + 5], -EEXIST);
                cr_assert_eq(run.kv_rev[o + 5], run.rev[o + 4]);
        }
        cr_assert_eq(kl_store_revision(run.s), base + 4 * ASYNC_WRITES / 6);
        collector_drain(&c);
        cr_assert_eq(c.n, 4 * ASYNC_WRITES / 6);
        collector_stop(&c);
        t_close(run.s, &loop);
}

struct close_run {
        struct kl_store *s;
        unsigned done, ok;
        int resubmit; /* what a submit from inside a callback returned, during the close */
        int64_t rev[64];
        char key[64][48];
};

struct close_op {
        struct close_run *run;
        unsigned i;
};

static void close_op_done(void *arg, struct kl_store_result *res)
{
        struct close_op *op = arg;
        struct close_run *run = op->run;

        run->done++;
        if (res->r == 0) {
                run->ok++;
                run->rev[op->i] = res->rev;
        }
        if (op->i == 0)
                run->resubmit = kl_store_submit_create(run->s, "/registry/close/late", "x", 1, 0,
                                                       close_op_done, op, NULL);
}

/* Writes queued before kl_store_close() are committed, and their callbacks run during the close. */
Test(conformance, async_writes_queued_before_close_complete)
{
        uv_loop_t loop;
        kl_autofree char *dsn = NULL;
        static struct close_run run;
        struct close_op ops[64];
        struct kl_store_options o = { 0 };

        cr_assert_eq(kl_loop_init(&loop), 0);
        run.s = t_open(&loop, &dsn);
        for (unsigned i = 0; i < 64; i++) {
                ops[i] = (struct close_op){ .run = &run, .i = i };
                (void)snprintf(run.key[i], sizeof(run.key[i]), "/registry/close/k%02u", i);
                cr_assert_eq(kl_store_submit_create(run.s, run.key[i], "v", 1, 0, close_op_done,
                                                    &ops[i], NULL),
                             0);
        }
        kl_store_close(run.s);
        cr_assert_eq(run.done, 0);
        cr_assert_eq(kl_loop_finish(&loop), 0, "the loop did not end clean");
        cr_assert_eq(run.done, 64);
        cr_assert_eq(run.ok, 64);
        cr_assert_eq(run.resubmit, -ECANCELED);

        o.dsn = dsn;
        run.s = t_open_opts(NULL, &o);
        for (unsigned i = 0; i < 64; i++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;

                cr_assert_eq(kl_store_get(run.s, run.key[i], 0, &kv, NULL), 0);
                cr_assert_eq(kv->mod_rev, run.rev[i]);
        }
        t_close(run.s, NULL);
}

static void never_called(void *arg, struct kl_store_result *res)
{
        (void)arg;
        (void)res;
        cr_assert_fail("the callback of a refused write ran");
}

/* Refused before queueing: the code comes back from the call, the callback never runs. */
Test(conformance, async_writes_refused_before_queueing)
{
        uv_loop_t loop;
        struct kl_store *s, *plain;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *big = kl_calloc(1, KL_STORE_VALUE_MAX_DEFAULT + 1);
        static const struct {
                const char *key;
                size_t len;
                int64_t expected_rev;
                int want;
        } cases[] = {
                { "no-slash", 1, 0, -EINVAL },
                { "/has space", 1, 0, -EINVAL },
                { "/registry/ok", KL_STORE_VALUE_MAX_DEFAULT + 1, 0, -E2BIG },
                { "/registry/ok", 1, -1, -EINVAL },
        };

        cr_assert_eq(kl_loop_init(&loop), 0);
        s = t_open(&loop, NULL);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                cr_assert_eq(kl_store_submit_update(s, cases[i].key, big, cases[i].len,
                                                    cases[i].expected_rev, 0, never_called, NULL,
                                                    &e),
                             cases[i].want, "case %zu", i);
                cr_assert_eq(e->code, -cases[i].want);
                kl_err_free(KL_TAKE_PTR(e));
        }
        cr_assert_eq(kl_store_submit_delete(s, "bad", 0, never_called, NULL, NULL), -EINVAL);
        cr_assert_eq(kl_store_submit_create(s, "/registry/big", big, KL_STORE_VALUE_MAX_DEFAULT + 1,
                                            0, never_called, NULL, NULL),
                     -E2BIG);
        t_close(s, &loop);

        /* Without a loop there is nowhere to call back. */
        plain = t_open(NULL, NULL);
        cr_assert_eq(
                kl_store_submit_create(plain, "/registry/a", "x", 1, 0, never_called, NULL, &e),
                -ENOTSUP);
        t_close(plain, NULL);
}
