/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-store: the store against the physical limits of this machine, in one
 * run (issue 3). First the limits: fsyncs per second of the disk, and bare
 * SQLite loops with the same durability (WAL, synchronous=FULL) committing
 * one row and 64 rows per transaction. Then the store: create latency with one
 * writer, create throughput with 1, 16 and 64 writers, get latency, a list of
 * 1,000 keys, watch delivery to 1,000 watchers, bytes written per update.
 * Each store figure is printed beside the reference it is judged against.
 *
 * Runs in $KL_BENCH_DIR (a scratch directory on the real disk; default: a
 * new directory under /tmp).
 */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/base.h"
#include "loop/loop.h"
#include "store/store-internal.h" /* the SQLite backend's counters: commit group sizes */
#include "store/store.h"

#define VALUE_SIZE 1536 /* a typical Pod */
#define RUN_USEC   (1000 * KL_USEC_PER_MSEC)

static char value[VALUE_SIZE + 256];
static const char *dir;
static int run_id;

static KL_NORETURN void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench-store: %s: %s\n", what, detail);
        abort();
}

static double ms(kl_usec_t usec)
{
        return (double)usec / 1000.0;
}

static int cmp_usec(const void *a, const void *b)
{
        kl_usec_t x = *(const kl_usec_t *)a, y = *(const kl_usec_t *)b;

        return x < y ? -1 : x > y;
}

static kl_usec_t pct(kl_usec_t *v, size_t n, double p)
{
        size_t i;

        if (n == 0)
                return 0;
        qsort(v, n, sizeof(*v), cmp_usec);
        i = (size_t)(p * (double)(n - 1) + 0.5);
        return v[i];
}

static char *fresh_path(const char *name)
{
        return kl_asprintf("%s/%s-%d-%d", dir, name, (int)getpid(), run_id++);
}

/* The disk ------------------------------------------------------------------ */

static double fsync_probe(void)
{
        kl_autofree char *path = fresh_path("fsync-probe");
        kl_autoclose int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        char block[4096];
        kl_usec_t t0, t;
        unsigned n = 0;

        if (fd < 0)
                die("open", path);
        memset(block, 'x', sizeof(block));
        t0 = kl_now_monotonic();
        do {
                if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) ||
                    fdatasync(fd) < 0)
                        die("write+fsync", path);
                n++;
                t = kl_now_monotonic();
        } while (t - t0 < KL_USEC_PER_SEC);
        (void)unlink(path);
        return (double)n * 1e6 / (double)(t - t0);
}

/* Bare SQLite: the engine's own ceiling with the store's durability. */
static void bare_exec(sqlite3 *db, const char *sql)
{
        char *msg = NULL;

        if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
                die(sql, msg ? msg : "?");
}

/*
 * Rows per second committing `per_commit` rows per transaction; p50 commit
 * latency; the number of rows it wrote in its second.
 */
static double bare_loop(int per_commit, kl_usec_t *ret_p50, uint64_t *ret_rows)
{
        kl_autofree char *path = fresh_path("bare.db");
        kl_usec_t *lat = kl_calloc(200000, sizeof(*lat)), t0, t;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        size_t n_lat = 0;
        uint64_t rows = 0;

        if (sqlite3_open(path, &db) != SQLITE_OK)
                die("open", path);
        bare_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      " CREATE TABLE bare (key TEXT PRIMARY KEY, value BLOB NOT NULL)");
        if (sqlite3_prepare_v2(db, "INSERT INTO bare VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK)
                die("prepare", sqlite3_errmsg(db));
        t0 = kl_now_monotonic();
        do {
                kl_usec_t c0 = kl_now_monotonic();

                bare_exec(db, "BEGIN");
                for (int i = 0; i < per_commit; i++) {
                        char key[64];

                        (void)snprintf(key, sizeof(key),
                                       "/registry/core/pods/default/pod-%08" PRIu64, rows++);
                        (void)sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
                        (void)sqlite3_bind_blob(st, 2, value + rows % 64, VALUE_SIZE,
                                                SQLITE_STATIC);
                        if (sqlite3_step(st) != SQLITE_DONE)
                                die("insert", sqlite3_errmsg(db));
                        (void)sqlite3_reset(st);
                }
                bare_exec(db, "COMMIT");
                t = kl_now_monotonic();
                if (n_lat < 200000)
                        lat[n_lat++] = t - c0;
        } while (t - t0 < RUN_USEC);
        (void)sqlite3_finalize(st);
        (void)sqlite3_close(db);
        *ret_p50 = pct(lat, n_lat, 0.5);
        if (ret_rows)
                *ret_rows = rows;
        free(lat);
        return (double)rows * 1e6 / (double)(t - t0);
}

/* The store ------------------------------------------------------------------ */

static struct kl_store *open_store(uv_loop_t *loop, enum kl_store_sync sync, char **ret_dsn)
{
        kl_autofree char *path = fresh_path("store");
        struct kl_store_options o = { .sync = sync };
        struct kl_store *s = NULL;
        kl_autoerr struct kl_err *e = NULL;

        o.dsn = kl_asprintf("sqlite://%s/state.db", path);
        if (kl_store_open(loop, &o, &s, &e) < 0)
                die("open store", kl_err_msg(e));
        if (ret_dsn)
                *ret_dsn = (char *)o.dsn;
        else
                free((char *)o.dsn);
        return s;
}

static void create_or_die(struct kl_store *s, const char *key, size_t shift)
{
        kl_autoerr struct kl_err *e = NULL;

        if (kl_store_create(s, key, value + shift % 64, VALUE_SIZE, 0, NULL, NULL, &e) < 0)
                die("create", kl_err_msg(e));
}

struct writer {
        struct kl_store *s;
        int id;
        kl_usec_t until;
        uint64_t n;
        kl_usec_t *lat; /* per create, when not NULL */
        size_t lat_cap;
        pthread_t tid;
};

static void *writer_main(void *arg)
{
        struct writer *w = arg;

        while (kl_now_monotonic() < w->until) {
                char key[96];
                kl_usec_t c0 = kl_now_monotonic();

                (void)snprintf(key, sizeof(key), "/registry/core/pods/w%d/pod-%08" PRIu64, w->id,
                               w->n);
                create_or_die(w->s, key, w->n);
                if (w->lat && w->n < w->lat_cap)
                        w->lat[w->n] = kl_now_monotonic() - c0;
                w->n++;
        }
        return NULL;
}

/* Creates per second with `writers` threads; with one writer, its latencies too. */
static double store_throughput(int writers, kl_usec_t *lat, size_t lat_cap, size_t *ret_n_lat)
{
        struct kl_store *s = open_store(NULL, KL_STORE_SYNC_FULL, NULL);
        struct writer *w = kl_calloc((size_t)writers, sizeof(*w));
        kl_usec_t t0 = kl_now_monotonic(), t;
        uint64_t total = 0;

        for (int i = 0; i < writers; i++) {
                w[i] = (struct writer){ .s = s, .id = i, .until = t0 + RUN_USEC };
                if (i == 0 && lat) {
                        w[i].lat = lat;
                        w[i].lat_cap = lat_cap;
                }
                if (pthread_create(&w[i].tid, NULL, writer_main, &w[i]) != 0)
                        die("pthread_create", "writer");
        }
        for (int i = 0; i < writers; i++) {
                (void)pthread_join(w[i].tid, NULL);
                total += w[i].n;
        }
        t = kl_now_monotonic();
        if (ret_n_lat)
                *ret_n_lat = KL_MIN((size_t)w[0].n, lat_cap);
        kl_store_close(s);
        free(w);
        return (double)total * 1e6 / (double)(t - t0);
}

/*
 * Asynchronous writes, as the API server issues them: from its one loop
 * thread, `inflight` creates outstanding at all times (each completion
 * issues the next one), `rows` of them in all, with the keys and values of
 * the bare loop (same key sequence, same 1.5 KB values, same durability) so
 * that both build the same table.
 */
struct async_bench {
        struct kl_store *s;
        uint64_t rows, issued, done;
        unsigned inflight;
};

struct async_slot {
        struct async_bench *b;
        uint64_t seq;
        char key[64]; /* borrowed by the store until the callback */
};

static void async_issue(struct async_slot *slot);

static void async_done(void *arg, struct kl_store_result *res)
{
        struct async_slot *slot = arg;

        if (res->r < 0)
                die("async create", kl_err_msg(res->err));
        slot->b->done++;
        if (slot->b->issued < slot->b->rows)
                async_issue(slot);
}

static void async_issue(struct async_slot *slot)
{
        struct async_bench *b = slot->b;
        kl_autoerr struct kl_err *e = NULL;

        slot->seq = b->issued++;
        (void)snprintf(slot->key, sizeof(slot->key), "/registry/core/pods/default/pod-%08" PRIu64,
                       slot->seq);
        if (kl_store_submit_create(b->s, slot->key, value + slot->seq % 64, VALUE_SIZE, 0,
                                   async_done, slot, &e) < 0)
                die("submit create", kl_err_msg(e));
}

/* Creates per second with `inflight` asynchronous creates outstanding, `rows` in all. */
static double store_async_throughput(unsigned inflight, uint64_t rows, double *ret_group)
{
        uv_loop_t loop;
        struct async_bench b = { .rows = rows, .inflight = inflight };
        struct async_slot *slots = kl_calloc(inflight, sizeof(*slots));
        struct kl_store__sqlite_stats st0, st;
        kl_usec_t t0, t;

        if (kl_loop_init(&loop) < 0)
                die("loop", "init");
        b.s = open_store(&loop, KL_STORE_SYNC_FULL, NULL);
        kl_store__sqlite_stats(b.s, &st0);
        t0 = kl_now_monotonic();
        for (unsigned i = 0; i < inflight && b.issued < rows; i++) {
                slots[i].b = &b;
                async_issue(&slots[i]);
        }
        while (b.done < rows)
                (void)kl_loop_run(&loop, UV_RUN_ONCE);
        t = kl_now_monotonic();
        kl_store__sqlite_stats(b.s, &st);
        if (ret_group)
                *ret_group = (double)(st.writes - st0.writes) /
                             (double)KL_MAX(st.commits - st0.commits, 1);
        kl_store_close(b.s);
        if (kl_loop_finish(&loop) != 0)
                die("loop", "did not end clean");
        free(slots);
        return (double)rows * 1e6 / (double)(t - t0);
}

/* Get latency and list time, on 1,000 pods in one namespace among 5,000. */
static void store_reads(kl_usec_t *get_p50, kl_usec_t *get_p99, kl_usec_t *list_p50,
                        kl_usec_t *list_p99)
{
        struct kl_store *s = open_store(NULL, KL_STORE_SYNC_RELAXED, NULL);
        kl_usec_t *lat = kl_calloc(20000, sizeof(*lat));
        unsigned seed = 1;

        for (int ns = 0; ns < 5; ns++)
                for (int i = 0; i < 1000; i++) {
                        char key[96];

                        (void)snprintf(key, sizeof(key), "/registry/core/pods/ns%d/pod-%04d", ns,
                                       i);
                        create_or_die(s, key, (size_t)i);
                }
        for (int i = 0; i < 20000; i++) {
                struct kl_store_kv *kv = NULL;
                char key[96];
                kl_usec_t c0;

                (void)snprintf(key, sizeof(key), "/registry/core/pods/ns%d/pod-%04d",
                               rand_r(&seed) % 5, rand_r(&seed) % 1000);
                c0 = kl_now_monotonic();
                if (kl_store_get(s, key, 0, &kv, NULL) < 0)
                        die("get", key);
                lat[i] = kl_now_monotonic() - c0;
                kl_store_kv_free(kv);
        }
        *get_p50 = pct(lat, 20000, 0.5);
        *get_p99 = pct(lat, 20000, 0.99);
        for (int i = 0; i < 200; i++) {
                struct kl_store_list *l = NULL;
                kl_usec_t c0 = kl_now_monotonic();

                if (kl_store_list(s, "/registry/core/pods/ns2/", 0, 0, NULL, &l, NULL) < 0 ||
                    l->n != 1000)
                        die("list", "1,000 keys");
                lat[i] = kl_now_monotonic() - c0;
                kl_store_list_free(l);
        }
        *list_p50 = pct(lat, 200, 0.5);
        *list_p99 = pct(lat, 200, 0.99);
        free(lat);
        kl_store_close(s);
}

/* Watch delivery: 1,000 watchers, a writer thread, latency from the write call. */
#define WATCHERS     1000
#define WATCH_WRITES 300

struct watch_bench {
        struct kl_store *s;
        kl_usec_t sent[WATCH_WRITES + 16]; /* by index in the run: written before the create */
        int64_t first_rev;
        kl_usec_t *lat;        /* from the write call */
        kl_usec_t *lat_commit; /* from the commit */
        size_t n_lat;
        unsigned done_watchers;
        bool writer_done;
};

struct watcher {
        struct watch_bench *b;
        struct kl_store_watch *w;
        unsigned seen;
};

static void on_watch(struct kl_store_watch *w, void *arg)
{
        struct watcher *x = arg;
        struct kl_store_event *ev = NULL;
        int r;

        while ((r = kl_store_watch_next(w, &ev)) == 1) {
                int64_t i = ev->kv.mod_rev - x->b->first_rev;
                kl_usec_t now = kl_now_monotonic(), sent;

                if (i >= 0 && i < WATCH_WRITES) {
                        sent = __atomic_load_n(&x->b->sent[i], __ATOMIC_ACQUIRE);
                        x->b->lat[x->b->n_lat] = now - sent;
                        x->b->lat_commit[x->b->n_lat++] = now - ev->commit_usec;
                }
                kl_store_event_unref(ev);
                if (++x->seen == WATCH_WRITES)
                        x->b->done_watchers++;
        }
        if (r < 0)
                die("watch", kl_strerror(r));
}

static void *watch_writer(void *arg)
{
        struct watch_bench *b = arg;

        for (int i = 0; i < WATCH_WRITES; i++) {
                char key[96];

                (void)snprintf(key, sizeof(key), "/registry/core/pods/watched/pod-%04d", i);
                __atomic_store_n(&b->sent[i], kl_now_monotonic(), __ATOMIC_RELEASE);
                create_or_die(b->s, key, (size_t)i);
                (void)usleep(2000); /* a steady stream, not a burst */
        }
        __atomic_store_n(&b->writer_done, true, __ATOMIC_RELEASE);
        return NULL;
}

static void store_watch(kl_usec_t *ret_p50, kl_usec_t *ret_p99, kl_usec_t *ret_c50,
                        kl_usec_t *ret_c99)
{
        uv_loop_t loop;
        static struct watch_bench b;
        static struct watcher x[WATCHERS];
        pthread_t tid;

        if (kl_loop_init(&loop) < 0)
                die("loop", "init");
        b = (struct watch_bench){ .s = open_store(&loop, KL_STORE_SYNC_FULL, NULL) };
        b.lat = kl_calloc((size_t)WATCHERS * WATCH_WRITES, sizeof(*b.lat));
        b.lat_commit = kl_calloc((size_t)WATCHERS * WATCH_WRITES, sizeof(*b.lat_commit));
        b.first_rev = kl_store_revision(b.s) + 1;
        for (int i = 0; i < WATCHERS; i++) {
                struct kl_store_event *ev = NULL;

                x[i] = (struct watcher){ .b = &b };
                if (kl_store_watch_start(b.s, "/registry/core/pods/", 0, on_watch, &x[i], &x[i].w,
                                         NULL) < 0 ||
                    kl_store_watch_next(x[i].w, &ev) != 0)
                        die("watch", "start");
        }
        if (pthread_create(&tid, NULL, watch_writer, &b) != 0)
                die("pthread_create", "watch writer");
        while (b.done_watchers < WATCHERS)
                (void)kl_loop_run(&loop, UV_RUN_ONCE);
        (void)pthread_join(tid, NULL);
        *ret_p50 = pct(b.lat, b.n_lat, 0.5);
        *ret_p99 = pct(b.lat, b.n_lat, 0.99);
        *ret_c50 = pct(b.lat_commit, b.n_lat, 0.5);
        *ret_c99 = pct(b.lat_commit, b.n_lat, 0.99);
        for (int i = 0; i < WATCHERS; i++)
                kl_store_watch_stop(x[i].w);
        kl_store_close(b.s);
        if (kl_loop_finish(&loop) != 0)
                die("loop", "did not end clean");
        free(b.lat);
        free(b.lat_commit);
}

/* Bytes written per update: 1,000 keys updated by 16 writers. */
static uint64_t proc_write_bytes(void)
{
        kl_autofree char *text = NULL;
        const char *p;
        char num[32] = { 0 };
        uint64_t v = 0;

        if (kl_read_file("/proc/self/io", 4096, &text, NULL) < 0)
                return 0;
        p = strstr(text, "\nwrite_bytes:");
        if (!p)
                return 0;
        p += strlen("\nwrite_bytes:");
        while (*p == ' ')
                p++;
        for (size_t i = 0; i < sizeof(num) - 1 && p[i] >= '0' && p[i] <= '9'; i++)
                num[i] = p[i];
        (void)kl_parse_uint64(num, &v);
        return v;
}

struct updater {
        struct kl_store *s;
        int id, n;
        pthread_t tid;
};

static void *updater_main(void *arg)
{
        struct updater *u = arg;

        for (int i = 0; i < u->n; i++) {
                char key[96];
                kl_autoerr struct kl_err *e = NULL;

                (void)snprintf(key, sizeof(key), "/registry/coordination.k8s.io/leases/n/%04d",
                               u->id * 1000 / 16 + i % (1000 / 16));
                if (kl_store_update(u->s, key, value + i % 64, VALUE_SIZE, 0, 0, NULL, NULL, &e) <
                    0)
                        die("update", kl_err_msg(e));
        }
        return NULL;
}

static double bytes_per_update(enum kl_store_sync sync, int updates)
{
        struct kl_store *s = open_store(NULL, sync, NULL);
        struct updater u[16];
        int done = updates / 16 * 16;
        uint64_t w0;

        for (int k = 0; k < 1000; k++) {
                char key[96];

                (void)snprintf(key, sizeof(key), "/registry/coordination.k8s.io/leases/n/%04d", k);
                create_or_die(s, key, (size_t)k);
        }
        w0 = proc_write_bytes();
        for (int i = 0; i < 16; i++) {
                u[i] = (struct updater){ .s = s, .id = i, .n = updates / 16 };
                if (pthread_create(&u[i].tid, NULL, updater_main, &u[i]) != 0)
                        die("pthread_create", "updater");
        }
        for (int i = 0; i < 16; i++)
                (void)pthread_join(u[i].tid, NULL);
        kl_store_close(s); /* its last checkpoint counts too */
        return (double)(proc_write_bytes() - w0) / (double)done;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        (void)remove(path);
        return 0;
}

static double median(double *v, size_t n)
{
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
                        double t = v[j];

                        v[j] = v[j - 1];
                        v[j - 1] = t;
                }
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The references and the store are measured in alternation, ROUNDS times, and
 * every figure and ratio is the median over the rounds: the disk of a shared
 * machine drifts, and a ratio of two figures taken a second apart is worth
 * more than one of two figures taken a minute apart.
 */
#define ROUNDS 3

int main(void)
{
        static const int writers[3] = { 1, 16, 64 };
        static const unsigned inflight[3] = { 1, 16, 64 };
        const char *env = getenv("KL_BENCH_DIR");
        kl_autofree char *tmp = NULL;
        double fsyncs[ROUNDS], bare1[ROUNDS], bare64[ROUNDS], tput[3][ROUNDS], atput[3][ROUNDS];
        double agroup[3][ROUNDS];
        double r_lat[ROUNDS], r_64_bare[ROUNDS], r_64_1[ROUNDS], r_per_fsync[ROUNDS];
        double r_t64_bare[ROUNDS], r_t64_1[ROUNDS];
        double bare1_p50_ms[ROUNDS], bare64_p50_ms[ROUNDS], store1_p50_ms[ROUNDS];
        kl_usec_t *clat = kl_calloc((size_t)ROUNDS * 100000, sizeof(*clat));
        size_t n_clat = 0;
        kl_usec_t c50, c99, g50, g99, l50, l99, w50, w99, wc50, wc99;
        double bpu_full, bpu_relaxed;

        if (env && *env) {
                dir = env;
        } else {
                tmp = kl_strdup("/tmp/bench-store-XXXXXX");
                if (!mkdtemp(tmp))
                        die("mkdtemp", tmp);
                dir = tmp;
        }
        for (size_t i = 0; i < sizeof(value); i++)
                value[i] = (char)('a' + (i * 7919) % 26);

        for (int r = 0; r < ROUNDS; r++) {
                kl_usec_t p1, p64, rc50;
                kl_usec_t *copy;
                uint64_t rows1 = 0, rows64 = 0;
                size_t n = 0;

                fsyncs[r] = fsync_probe();
                bare1[r] = bare_loop(1, &p1, &rows1);
                tput[0][r] = store_throughput(1, clat + n_clat, 100000, &n);
                atput[0][r] = store_async_throughput(inflight[0], rows1, &agroup[0][r]);
                /* The asynchronous runs write as many rows as the bare loop did: the same table. */
                bare64[r] = bare_loop(64, &p64, &rows64);
                atput[2][r] = store_async_throughput(inflight[2], rows64, &agroup[2][r]);
                atput[1][r] = store_async_throughput(inflight[1], rows64, &agroup[1][r]);
                tput[1][r] = store_throughput(16, NULL, 0, NULL);
                tput[2][r] = store_throughput(64, NULL, 0, NULL);
                bare1_p50_ms[r] = ms(p1);
                bare64_p50_ms[r] = ms(p64);
                copy = kl_memdup(clat + n_clat, n * sizeof(*copy));
                rc50 = pct(copy, n, 0.5);
                free(copy);
                n_clat += n;
                store1_p50_ms[r] = ms(rc50);
                r_lat[r] = (double)rc50 / (double)(p1 ? p1 : 1);
                r_64_bare[r] = atput[2][r] / bare64[r];
                r_64_1[r] = atput[2][r] / tput[0][r];
                r_t64_bare[r] = tput[2][r] / bare64[r];
                r_t64_1[r] = tput[2][r] / tput[0][r];
                r_per_fsync[r] = atput[2][r] / fsyncs[r];
        }
        c50 = pct(clat, n_clat, 0.5);
        c99 = pct(clat, n_clat, 0.99);
        free(clat);
        store_reads(&g50, &g99, &l50, &l99);
        store_watch(&w50, &w99, &wc50, &wc99);
        bpu_full = bytes_per_update(KL_STORE_SYNC_FULL, 16000);
        bpu_relaxed = bytes_per_update(KL_STORE_SYNC_RELAXED, 16000);

        printf("store benchmark: values of %d bytes, medians of %d alternating rounds, in %s\n\n",
               VALUE_SIZE, ROUNDS, dir);
        printf("each round (the disk of a shared machine drifts; ratios are taken within a round):\n");
        printf("  round  fsyncs/s  bare 1-row p50  store 1-writer p50  bare 64-row  store 64 in flight"
               "  ratio\n");
        for (int r = 0; r < ROUNDS; r++)
                printf("  %5d  %8.0f  %11.3f ms  %15.3f ms  %9.0f/s  %16.0f/s  %5.2f\n", r + 1,
                       fsyncs[r], bare1_p50_ms[r], store1_p50_ms[r], bare64[r], atput[2][r],
                       r_64_bare[r]);
        printf("\nthe machine (medians)\n");
        printf("  disk: 4 KiB write+fdatasync          %9.0f /s  (%.3f ms each)\n",
               median(fsyncs, ROUNDS), 1000.0 / median(fsyncs, ROUNDS));
        printf("  bare SQLite, WAL, synchronous=FULL, keys pod-00000000, pod-00000001, ...:\n");
        printf("    1 row per commit                   %9.0f rows/s (p50 commit %.3f ms)\n",
               median(bare1, ROUNDS), median(bare1_p50_ms, ROUNDS));
        printf("    64 rows per commit                 %9.0f rows/s (p50 commit %.3f ms)\n",
               median(bare64, ROUNDS), median(bare64_p50_ms, ROUNDS));
        printf("\nthe store, sync=full                 measured                          ratio   goal\n");
        printf("  create latency, 1 writer, p50        %9.3f ms (bare 1-row %.3f ms)   %6.2fx  <= 2x\n",
               median(store1_p50_ms, ROUNDS), median(bare1_p50_ms, ROUNDS), median(r_lat, ROUNDS));
        printf("  create latency, 1 writer, all rounds %9.3f ms p50, %.3f ms p99\n", ms(c50),
               ms(c99));
        printf("  creates/s, 1 writer (blocking call)  %9.0f /s\n", median(tput[0], ROUNDS));
        printf("  asynchronous creates from the loop, the bare loop's keys and row count:\n");
        for (int i = 0; i < 3; i++)
                printf("    %2u in flight                        %9.0f /s  (%.1f writes per commit)\n",
                       inflight[i], median(atput[i], ROUNDS), median(agroup[i], ROUNDS));
        printf("  64 in flight / bare 64-row loop                                       %6.2f   >= 0.80\n",
               median(r_64_bare, ROUNDS));
        printf("  64 in flight / 1 writer                                               %6.2fx  >= 10x\n",
               median(r_64_1, ROUNDS));
        printf("  64 in flight: creates per disk fsync                                  %6.1f\n",
               median(r_per_fsync, ROUNDS));
        printf("  blocking creates from threads, one key range per thread:\n");
        for (int i = 1; i < 3; i++)
                printf("    %2d threads                          %9.0f /s\n", writers[i],
                       median(tput[i], ROUNDS));
        printf("    64 threads / bare 64-row loop %.2f, / 1 writer %.2fx\n",
               median(r_t64_bare, ROUNDS), median(r_t64_1, ROUNDS));
        printf("  get latency p50 / p99                %9.3f ms / %.3f ms\n", ms(g50), ms(g99));
        printf("  list of 1,000 keys p50 / p99         %9.3f ms / %.3f ms                    < 5 ms\n",
               ms(l50), ms(l99));
        printf("  watch delivery, 1,000 watchers:\n");
        printf("    commit -> each watcher p50 / p99   %9.3f ms / %.3f ms                    p99 < 5 ms\n",
               ms(wc50), ms(wc99));
        printf("    write call -> each watcher         %9.3f ms / %.3f ms (includes the commit)\n",
               ms(w50), ms(w99));
        printf("  bytes written per update (/proc/self/io write_bytes; 1,000 keys, 16 writers):\n");
        printf("    sync=full                          %9.0f bytes (%.1fx the value)\n", bpu_full,
               bpu_full / VALUE_SIZE);
        printf("    sync=relaxed                       %9.0f bytes (%.1fx the value)\n",
               bpu_relaxed, bpu_relaxed / VALUE_SIZE);
        if (tmp)
                (void)nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}
