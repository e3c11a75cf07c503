/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend: the embedded default, "sqlite://<path>".
 *
 * Schema (README.md has the reasoning):
 *   kv    the current value of every live key: get, list and count read
 *         only this table
 *   log   one row per retained revision: key, PUT or DELETE, create
 *         revision, and the version it replaced (prev_rev, prev_value). A
 *         version's value is in kv while it is current and in the row of the
 *         revision that replaced it afterwards: each value is written twice
 *         at most (into kv, then into the log when replaced), appended, never
 *         moved. The history is read only by reads at older revisions and by
 *         watches that start in the past. Compaction deletes every row at or
 *         below the compacted revision: a range of the table, whole pages
 *   meta  the last revision, the compacted revision, compaction progress
 *
 * Threads and connections (R9.13, one connection per thread at a time):
 *   writer   one thread, one connection: every write of every caller goes
 *            through it. Blocking callers queue a request and sleep on a
 *            semaphore; asynchronous writes are queued from the loop thread
 *            and answered through the hub's mailbox. The writer takes
 *            everything queued, applies it in one transaction and commits
 *            once (group commit: one fsync for the whole group), posts the
 *            events and the asynchronous answers to the loop in one message,
 *            then wakes the blocking callers.
 *            Between groups it runs maintenance steps (TTL expiry,
 *            incremental compaction, incremental vacuum), each one small.
 *            It also finishes the checkpoints of the log (see wal_hook()).
 *   syncer   one thread, one connection: background checkpoint passes, and
 *            in relaxed mode the log sync 50 ms after a commit, so that no
 *            acknowledged write stays unsynced for longer.
 *   readers  a pool of connections; each read takes one for its duration.
 *            WAL: readers see a snapshot and never wait for the writer.
 *
 * Locks: q_lock (request queue), s_lock (syncer wake-ups), r_lock (reader
 * pool) are leaves: no thread holds two of them, and none is held across a
 * SQLite call. ckpt_lock is held across a checkpoint call and nothing else
 * is taken under it. So there is no lock order to get wrong.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store-internal.h"

#define SCHEMA_VERSION 1

/* A group commit takes at most this many requests: bounds one transaction. */
#define BATCH_MAX 1024
/* Reader connections; more concurrent readers than this wait for one. */
#define READERS_MAX 32
/* TTL expiry deletes at most this many keys per transaction. */
#define EXPIRE_BATCH 256
/*
 * Checkpoint when the log holds this many pages (8 MiB; SQLite's default is
 * 1000): a page written several times between two checkpoints is copied into
 * the database once, so a longer interval writes less to the disk.
 */
#define CHECKPOINT_PAGES 2000
/* Relaxed mode syncs the log this long after a commit: half the 100 ms promised. */
#define RELAXED_SYNC_USEC (50 * KL_USEC_PER_MSEC)
/* A compaction step aims at this duration, adapting the number of revisions it covers. */
#define COMPACT_STEP_TARGET_USEC (2 * KL_USEC_PER_MSEC)
#define COMPACT_STEP_MIN         16
#define COMPACT_STEP_MAX         65536
/* Incremental vacuum gives back at most this many pages per step. */
#define VACUUM_STEP_PAGES 256
/* Revision samples for "keep at least M minutes of history". */
#define SAMPLES_MAX 512

enum log_type {
        LOG_PUT = 0,
        LOG_DELETE = 1,
};

/* Writer statements. */
enum {
        W_BEGIN,
        W_COMMIT,
        W_ROLLBACK,
        W_GET,
        W_INSERT_KV,
        W_UPDATE_KV,
        W_DELETE_KV,
        W_INSERT_LOG,
        W_META,
        W_EXPIRED,
        W_NEXT_EXPIRY,
        W_COMPACT,
        W_FREELIST,
        W_PAGES,
        W__COUNT
};

static const char *const writer_sql[W__COUNT] = {
        [W_BEGIN] = "BEGIN IMMEDIATE",
        [W_COMMIT] = "COMMIT",
        [W_ROLLBACK] = "ROLLBACK",
        [W_GET] = "SELECT rowid, create_rev, mod_rev, value FROM kv WHERE key = ?1",
        /* A create does not look first: the unique key tells whether it existed. */
        [W_INSERT_KV] = "INSERT INTO kv (key, create_rev, mod_rev, expires, value)"
                        " VALUES (?1, ?2, ?2, ?3, ?4) ON CONFLICT (key) DO NOTHING",
        [W_UPDATE_KV] = "UPDATE kv SET mod_rev = ?2, expires = ?3, value = ?4 WHERE rowid = ?1",
        [W_DELETE_KV] = "DELETE FROM kv WHERE rowid = ?1",
        [W_INSERT_LOG] = "INSERT INTO log (rev, key, type, create_rev, prev_rev, prev_value)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [W_META] = "UPDATE meta SET rev = ?1, compact_rev = ?2, compact_done = ?3 WHERE id = 1",
        [W_EXPIRED] = "SELECT rowid, key, create_rev, mod_rev, value FROM kv"
                      " WHERE expires != 0 AND expires <= ?1 ORDER BY expires LIMIT ?2",
        [W_NEXT_EXPIRY] = "SELECT min(expires) FROM kv WHERE expires != 0",
        /*
         * Compaction of (lo, hi]. A read at a revision R >= hi needs the
         * versions live at R: kv has those unchanged since, and the first row
         * after R of each key changed since carries the one it replaced. Rows
         * at or below hi serve no such read.
         */
        [W_COMPACT] = "DELETE FROM log WHERE rev > ?1 AND rev <= ?2",
        [W_FREELIST] = "PRAGMA freelist_count",
        [W_PAGES] = "PRAGMA page_count",
};

/* Reader statements. */
enum {
        R_BEGIN,
        R_END,
        R_META,
        R_GET,
        R_GET_OLD,
        R_LIST,
        R_LIST_OLD,
        R_COUNT,
        R_EVENTS,
        R_CURRENT_VALUE,
        R_REPLACED_LATER,
        R__COUNT
};

static const char *const reader_sql[R__COUNT] = {
        [R_BEGIN] = "BEGIN",
        [R_END] = "COMMIT",
        /* See load_meta() for why the revision is the larger of the two. */
        [R_META] = "SELECT max((SELECT rev FROM meta WHERE id = 1),"
                   " coalesce((SELECT max(rev) FROM log), 0))",
        [R_GET] = "SELECT key, create_rev, mod_rev, value FROM kv WHERE key = ?1",
        /*
         * A key at an older revision R: unchanged since (mod_rev <= R), or else
         * the version that the first change after R replaced. Only changes
         * after R are read, never older history.
         */
        [R_GET_OLD] =
                "SELECT key, create_rev, mod_rev, value FROM kv WHERE key = ?1 AND mod_rev <= ?2"
                " UNION ALL"
                " SELECT key, create_rev, prev_rev, prev_value FROM log"
                " WHERE rev = (SELECT min(rev) FROM log WHERE rev > ?2 AND key = ?1)"
                " AND prev_rev != 0 LIMIT 1",
        [R_LIST] = "SELECT key, create_rev, mod_rev, value FROM kv"
                   " WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3",
        [R_LIST_OLD] = "SELECT key, create_rev, mod_rev, value FROM kv"
                       " WHERE key >= ?1 AND key < ?2 AND mod_rev <= ?3"
                       " UNION ALL"
                       " SELECT e.key, e.create_rev, e.prev_rev, e.prev_value"
                       " FROM (SELECT min(rev) AS first FROM log"
                       "       WHERE rev > ?3 AND key >= ?1 AND key < ?2 GROUP BY key) f"
                       " JOIN log e ON e.rev = f.first WHERE e.prev_rev != 0"
                       " ORDER BY 1 LIMIT ?4",
        [R_COUNT] = "SELECT count(*) FROM kv WHERE key >= ?1 AND key < ?2",
        [R_EVENTS] = "SELECT rev, key, type, create_rev, prev_rev, prev_value FROM log"
                     " WHERE rev > ?1 AND rev <= ?2 AND key >= ?3 AND key < ?4"
                     " ORDER BY rev LIMIT ?5",
        /* Where the value of an event's own version is: see events_in(). */
        [R_CURRENT_VALUE] = "SELECT value FROM kv WHERE key = ?1 AND mod_rev = ?2",
        [R_REPLACED_LATER] = "SELECT prev_rev, prev_value FROM log"
                             " WHERE rev > ?1 AND key >= ?2 AND key < ?3 AND prev_rev != 0"
                             " ORDER BY rev",
};

static const char schema_sql[] =
        "CREATE TABLE IF NOT EXISTS meta ("
        " id INTEGER PRIMARY KEY CHECK (id = 1),"
        " schema INTEGER NOT NULL,"
        " rev INTEGER NOT NULL,"
        " compact_rev INTEGER NOT NULL,"
        " compact_done INTEGER NOT NULL);"
        "INSERT OR IGNORE INTO meta VALUES (1, 1, 0, 0, 0);"
        "CREATE TABLE IF NOT EXISTS kv ("
        " key TEXT NOT NULL UNIQUE,"
        " create_rev INTEGER NOT NULL,"
        " mod_rev INTEGER NOT NULL,"
        " expires INTEGER NOT NULL,"
        " value BLOB NOT NULL);"
        "CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires) WHERE expires != 0;"
        "CREATE TABLE IF NOT EXISTS log ("
        " rev INTEGER PRIMARY KEY,"
        " key TEXT NOT NULL,"
        " type INTEGER NOT NULL,"
        " create_rev INTEGER NOT NULL,"
        " prev_rev INTEGER NOT NULL,"
        " prev_value BLOB);";

struct reader {
        sqlite3 *db;                /* owned */
        sqlite3_stmt *st[R__COUNT]; /* owned */
        struct reader *next_free;   /* in the pool's free list */
        struct reader *next_all;    /* in the pool's list of every reader */
};

/*
 * A blocking caller's request, on the caller's stack until the writer posts
 * `done`. A write's outcome is in w->res; a compaction's in r and err.
 * (Asynchronous writes are queued as they are, see sqlite_submit().)
 */
struct wreq {
        struct kl_store__write *w; /* borrowed; NULL for a compaction request */
        int64_t compact_rev;
        unsigned compact_flags;
        int r;
        struct kl_err *err; /* owned; handed to the caller */
        sem_t done;
        struct wreq *next;
        struct wreq *wake[2]; /* woken by this request's caller once it is woken (see wake_all()) */
};

struct sample {
        kl_usec_t t;
        int64_t rev;
};

struct kl_store_sqlite {
        struct kl_store base; /* first member (R7.2) */
        char *path;           /* owned */
        char *wal_path;       /* owned */
        int lock_fd;          /* owned; flock()ed: one process per database */
        bool sync_inited;     /* the mutexes and conditions below exist */

        /* Request queues: q_lock protects q_head, q_tail, a_head, a_tail, q_len, stopping. */
        pthread_mutex_t q_lock;
        pthread_cond_t q_cond;                    /* the writer waits here */
        struct wreq *q_head, **q_tail;            /* blocking callers and compactions */
        struct kl_store__write *a_head, **a_tail; /* asynchronous writes, borrowed */
        pthread_t writer;
        unsigned q_len;        /* requests in both queues */
        unsigned writer_wants; /* the writer sleeps until q_len reaches this; 0: not waiting */
        bool stopping;
        bool writer_running;

        /* The writer's own: touched by the writer thread only once it runs. */
        sqlite3 *wdb;               /* owned */
        sqlite3_stmt *ws[W__COUNT]; /* owned */
        int64_t wrev;               /* last revision assigned */
        int64_t compact_rev;        /* compacted revision (logical) */
        int64_t compact_done;       /* history rows removed up to here (physical) */
        int64_t compact_step;       /* revisions per step, adapted */
        kl_usec_t last_group_usec;  /* how long the last group took */
        int wal_pages;              /* frames in the log after the last commit (wal_hook()) */
        kl_usec_t next_expiry;      /* wall clock; 0: no key expires */
        kl_usec_t next_sample;      /* monotonic */
        struct sample samples[SAMPLES_MAX];
        unsigned n_samples, sample_head;
        unsigned last_group;            /* requests in the last group */
        int bg_mark;                    /* log frames when the syncer was last asked for a pass */
        bool vacuum_pending;            /* compaction caught up: see whether to vacuum */
        bool vacuuming;                 /* started at a quarter free, goes on down to a tenth */
        bool vacuum_all;                /* a waiting compaction wants every free page back */
        struct wreq *compact_waiters;   /* KL_STORE_COMPACT_WAIT requests not yet done */
        struct wreq *done[BATCH_MAX];   /* the group being acknowledged (wake_all()) */
        struct kl_store_event **events; /* owned: the current group's events */
        size_t n_events, cap_events;
        void *scratch; /* owned: the value a write replaces, without events (current_keep()) */
        size_t scratch_cap;

        /* The syncer: s_lock protects the fields up to s_stop. */
        pthread_mutex_t s_lock;
        pthread_cond_t s_cond;
        kl_usec_t dirty_since; /* monotonic time of the first unsynced commit; 0: none */
        bool checkpoint_wanted;
        bool s_stop;
        bool syncer_running;
        int wal_fd; /* owned; the syncer's handle on the log, for fdatasync */
        pthread_t syncer;
        sqlite3 *sdb; /* owned; the syncer's connection */

        /* Held by whoever checkpoints: the writer (wal_hook) or the syncer. */
        pthread_mutex_t ckpt_lock;

        /* Reader pool: r_lock protects all of it. */
        pthread_mutex_t r_lock;
        pthread_cond_t r_cond;
        struct reader *free_readers;
        struct reader *all_readers; /* owned */
        unsigned n_readers;

        struct kl_store__sqlite_stats stats; /* atomics */
};

static struct kl_store_sqlite *downcast(struct kl_store *s)
{
        kl_assert(s->ops == &kl_store_sqlite_ops);
        return (struct kl_store_sqlite *)s;
}

#define STAT_ADD(q, field, n) __atomic_fetch_add(&(q)->stats.field, (n), __ATOMIC_RELAXED)

static int sqlite_code_errno(int rc)
{
        switch (rc & 0xff) {
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_CANTOPEN:
                return -ENOENT;
        case SQLITE_TOOBIG:
                return -E2BIG;
        default:
                return -EIO;
        }
}

/* sqlite3_errmsg() is overwritten by the next call: copy it into the error at once. */
static int sql_fail(sqlite3 *db, int rc, struct kl_err **err, const char *what)
{
        return kl_err_set(err, sqlite_code_errno(rc), "%s: sqlite: %s", what,
                          db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static int exec(sqlite3 *db, const char *sql, struct kl_err **err)
{
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

        if (rc != SQLITE_OK)
                return sql_fail(db, rc, err, sql);
        return 0;
}

/* Run a statement that returns no rows, then reset it. */
static int step_done(sqlite3 *db, sqlite3_stmt *st, struct kl_err **err)
{
        int rc = sqlite3_step(st);

        (void)sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return sql_fail(db, rc, err, sqlite3_sql(st));
        return 0;
}

/* A NULL pointer would bind SQL NULL; an empty value is an empty blob. */
static void bind_value(sqlite3_stmt *st, int i, const void *p, size_t len)
{
        (void)sqlite3_bind_blob64(st, i, p ? p : "", len, SQLITE_STATIC);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
        (void)sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int prepare_all(sqlite3 *db, const char *const *sql, sqlite3_stmt **st, size_t n,
                       struct kl_err **err)
{
        for (size_t i = 0; i < n; i++) {
                int rc =
                        sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st[i], NULL);

                if (rc != SQLITE_OK)
                        return sql_fail(db, rc, err, sql[i]);
        }
        return 0;
}

static void finalize_all(sqlite3_stmt **st, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                (void)sqlite3_finalize(st[i]);
                st[i] = NULL;
        }
}

static int open_db(const char *path, sqlite3 **ret, struct kl_err **err)
{
        sqlite3 *db = NULL;
        /* NOMUTEX: each connection is used by one thread at a time, so SQLite's own
         * per-connection mutex is pure cost. */
        int rc = sqlite3_open_v2(
                path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        int r;

        if (rc != SQLITE_OK) {
                r = sql_fail(db, rc, err, "open");
                (void)sqlite3_close(db);
                return r;
        }
        (void)sqlite3_extended_result_codes(db, 1);
        /* Only the writer writes and checkpoints; a busy wait would mean another
         * process in the file, which the lock file prevents. */
        (void)sqlite3_busy_timeout(db, 5000);
        *ret = db;
        return 0;
}

static int pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size, struct kl_err **err)
{
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

        if (rc != SQLITE_OK)
                return sql_fail(db, rc, err, sql);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                (void)snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
        else
                buf[0] = '\0';
        (void)sqlite3_finalize(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return sql_fail(db, rc, err, sql);
        return 0;
}

/* Readers ------------------------------------------------------------------ */

static void reader_free(struct reader *rd)
{
        finalize_all(rd->st, R__COUNT);
        (void)sqlite3_close(rd->db);
        free(rd);
}

static int reader_open(struct kl_store_sqlite *q, struct reader **ret, struct kl_err **err)
{
        struct reader *rd = kl_new0(struct reader);
        int r;

        r = open_db(q->path, &rd->db, err);
        if (r >= 0)
                /*
                 * No mmap: mapped database pages count as the server's resident
                 * memory once touched (the start-up read touches them all), which
                 * small boxes feel; reads copy from the page cache instead. A
                 * reader's own cache is small (512 KiB): the API server serves
                 * reads from its watch cache, and the kernel's page cache holds
                 * the file anyway.
                 */
                r = exec(rd->db,
                         "PRAGMA query_only = 1; PRAGMA mmap_size = 0; PRAGMA cache_size = -512",
                         err);
        if (r >= 0)
                r = prepare_all(rd->db, reader_sql, rd->st, R__COUNT, err);
        if (r < 0) {
                reader_free(rd);
                return r;
        }
        *ret = rd;
        return 0;
}

static int reader_get(struct kl_store_sqlite *q, struct reader **ret, struct kl_err **err)
{
        struct reader *rd;
        int r;

        pthread_mutex_lock(&q->r_lock);
        while (!q->free_readers && q->n_readers >= READERS_MAX)
                pthread_cond_wait(&q->r_cond, &q->r_lock);
        rd = q->free_readers;
        if (rd) {
                q->free_readers = rd->next_free;
                pthread_mutex_unlock(&q->r_lock);
                *ret = rd;
                return 0;
        }
        q->n_readers++; /* reserve the slot, open outside the lock */
        pthread_mutex_unlock(&q->r_lock);

        r = reader_open(q, &rd, err);
        pthread_mutex_lock(&q->r_lock);
        if (r < 0) {
                q->n_readers--;
                pthread_cond_signal(&q->r_cond);
        } else {
                rd->next_all = q->all_readers;
                q->all_readers = rd;
        }
        pthread_mutex_unlock(&q->r_lock);
        if (r < 0)
                return r;
        *ret = rd;
        return 0;
}

static void reader_put(struct kl_store_sqlite *q, struct reader *rd)
{
        pthread_mutex_lock(&q->r_lock);
        rd->next_free = q->free_readers;
        q->free_readers = rd;
        pthread_cond_signal(&q->r_cond);
        pthread_mutex_unlock(&q->r_lock);
}

/*
 * Start a read transaction and pin its snapshot (the first SELECT does), then
 * check `rev` against it. The compacted revision is read *after* the snapshot
 * is pinned: compaction only ever advances, and rows are removed only below
 * it, so a revision that passes is complete in this snapshot.
 */
static int read_begin(struct kl_store_sqlite *q, struct reader *rd, int64_t rev, int64_t *ret_snap,
                      struct kl_err **err)
{
        sqlite3_stmt *st = rd->st[R_META];
        int64_t snap, compacted;
        int r, rc;

        r = step_done(rd->db, rd->st[R_BEGIN], err);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = sql_fail(rd->db, rc, err, "read revision");
                (void)sqlite3_reset(st);
                return r;
        }
        snap = sqlite3_column_int64(st, 0);
        (void)sqlite3_reset(st);
        compacted = kl_store_compacted_revision(&q->base);
        if (rev > snap)
                return kl_err_set(err, -ERANGE,
                                  "revision %" PRId64 " is in the future (current is %" PRId64 ")",
                                  rev, snap);
        if (rev > 0 && rev < compacted)
                return kl_err_set(err, -KL_EEXPIRED,
                                  "revision %" PRId64
                                  " has been compacted (compacted revision %" PRId64 ")",
                                  rev, compacted);
        *ret_snap = snap;
        return 0;
}

static void read_end(struct reader *rd)
{
        /* A read transaction has nothing to commit; ending it cannot lose anything. */
        (void)sqlite3_step(rd->st[R_END]);
        (void)sqlite3_reset(rd->st[R_END]);
}

static struct kl_store_kv *kv_from_row(sqlite3_stmt *st)
{
        const char *key = (const char *)sqlite3_column_text(st, 0);
        size_t key_len = (size_t)sqlite3_column_bytes(st, 0);
        int64_t create_rev = sqlite3_column_int64(st, 1), mod_rev = sqlite3_column_int64(st, 2);
        const void *value = sqlite3_column_blob(st, 3);
        size_t len = (size_t)sqlite3_column_bytes(st, 3);

        return kl_store__kv_new(key, key_len, value, len, create_rev, mod_rev);
}

static int get_in(struct kl_store_sqlite *q, struct reader *rd, const char *key, int64_t rev,
                  struct kl_store_kv **ret_kv, struct kl_err **err)
{
        sqlite3_stmt *st;
        int64_t snap = 0;
        int r, rc;

        r = read_begin(q, rd, rev, &snap, err);
        if (r < 0)
                return r;
        if (rev == 0 || rev == snap) {
                st = rd->st[R_GET];
                bind_text(st, 1, key);
        } else {
                st = rd->st[R_GET_OLD];
                bind_text(st, 1, key);
                (void)sqlite3_bind_int64(st, 2, rev);
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret_kv = kv_from_row(st);
        else if (rc == SQLITE_DONE)
                r = kl_err_set_msg(err, -ENOENT, "key '%s' not found", key);
        else
                r = sql_fail(rd->db, rc, err, "get");
        (void)sqlite3_reset(st);
        return r;
}

static int sqlite_get(struct kl_store *s, const char *key, int64_t rev, struct kl_store_kv **ret_kv,
                      struct kl_err **err)
{
        struct kl_store_sqlite *q = downcast(s);
        struct reader *rd;
        int r;

        r = reader_get(q, &rd, err);
        if (r < 0)
                return r;
        r = get_in(q, rd, key, rev, ret_kv, err);
        read_end(rd);
        reader_put(q, rd);
        return r;
}

static void kvs_free(struct kl_store_kv **items, size_t n)
{
        for (size_t i = 0; i < n; i++)
                kl_store_kv_free(items[i]);
        free(items);
}

static int list_in(struct kl_store_sqlite *q, struct reader *rd, const char *start, const char *end,
                   int64_t rev, size_t limit, struct kl_store_kv ***ret_items, size_t *ret_n,
                   int64_t *ret_rev, struct kl_err **err)
{
        struct kl_store_kv **items = NULL;
        size_t n = 0, cap = 0;
        sqlite3_stmt *st;
        /* limit + 1: the caller learns from the extra row whether there is more. */
        int64_t sql_limit = limit > 0 && limit < INT64_MAX ? (int64_t)limit + 1 : -1;
        int64_t snap = 0;
        int r, rc;

        r = read_begin(q, rd, rev, &snap, err);
        if (r < 0)
                return r;
        if (rev == 0 || rev == snap) {
                st = rd->st[R_LIST];
                (void)sqlite3_bind_int64(st, 3, sql_limit);
        } else {
                st = rd->st[R_LIST_OLD];
                (void)sqlite3_bind_int64(st, 3, rev);
                (void)sqlite3_bind_int64(st, 4, sql_limit);
        }
        bind_text(st, 1, start);
        bind_text(st, 2, end);
        for (;;) {
                rc = sqlite3_step(st);
                if (rc != SQLITE_ROW)
                        break;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        items = kl_realloc(items, cap * sizeof(void *)); /* pointers */
                }
                items[n++] = kv_from_row(st);
        }
        (void)sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
                kvs_free(items, n);
                return sql_fail(rd->db, rc, err, "list");
        }
        *ret_items = items;
        *ret_n = n;
        *ret_rev = rev == 0 ? snap : rev;
        return 0;
}

static int sqlite_list(struct kl_store *s, const char *start, const char *end, int64_t rev,
                       size_t limit, struct kl_store_kv ***ret_items, size_t *ret_n,
                       int64_t *ret_rev, struct kl_err **err)
{
        struct kl_store_sqlite *q = downcast(s);
        struct reader *rd;
        int r;

        r = reader_get(q, &rd, err);
        if (r < 0)
                return r;
        r = list_in(q, rd, start, end, rev, limit, ret_items, ret_n, ret_rev, err);
        read_end(rd);
        reader_put(q, rd);
        return r;
}

static int count_in(struct reader *rd, const char *start, const char *end, int64_t *ret_count,
                    struct kl_err **err)
{
        sqlite3_stmt *st = rd->st[R_COUNT];
        int rc, r = 0;

        bind_text(st, 1, start);
        bind_text(st, 2, end);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret_count = sqlite3_column_int64(st, 0);
        else
                r = sql_fail(rd->db, rc, err, "count");
        (void)sqlite3_reset(st);
        return r;
}

static int sqlite_count(struct kl_store *s, const char *start, const char *end, int64_t *ret_count,
                        struct kl_err **err)
{
        struct kl_store_sqlite *q = downcast(s);
        struct reader *rd;
        int r;

        r = reader_get(q, &rd, err);
        if (r < 0)
                return r;
        r = count_in(rd, start, end, ret_count, err);
        reader_put(q, rd);
        return r;
}

/* A row of history being turned into an event. */
struct hrow {
        int64_t rev, create_rev, prev_rev;
        bool del;
        char *key;  /* owned */
        void *prev; /* owned: the replaced version's value, when prev_rev != 0 */
        size_t prev_len;
        void *value; /* owned: this version's value, once found (PUT) */
        size_t len;
        bool found;
};

static void hrows_free(struct hrow *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(rows[i].key);
                free(rows[i].prev);
                free(rows[i].value);
        }
        free(rows);
}

/* The rows are in revision order: find one by revision. */
static struct hrow *hrow_find(struct hrow *rows, size_t n, int64_t rev)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (rows[mid].rev == rev)
                        return &rows[mid];
                if (rows[mid].rev < rev)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* `value` is that of the version written at `rev`: give it to that row, if it waits for it. */
static bool hrow_give(struct hrow *rows, size_t n, int64_t rev, const void *value, size_t len)
{
        struct hrow *h = hrow_find(rows, n, rev);

        if (!h || h->del || h->found)
                return false;
        h->value = kl_memdup(value ? value : "", len);
        h->len = len;
        h->found = true;
        return true;
}

static int collect_rows(struct reader *rd, const char *start, const char *end, int64_t after,
                        int64_t upto, size_t limit, struct hrow **ret, size_t *ret_n,
                        struct kl_err **err)
{
        sqlite3_stmt *st = rd->st[R_EVENTS];
        struct hrow *rows = NULL;
        size_t n = 0, cap = 0;
        int rc;

        (void)sqlite3_bind_int64(st, 1, after);
        (void)sqlite3_bind_int64(st, 2, upto);
        bind_text(st, 3, start);
        bind_text(st, 4, end);
        (void)sqlite3_bind_int64(st, 5, (int64_t)limit);
        for (;;) {
                struct hrow *h;

                rc = sqlite3_step(st);
                if (rc != SQLITE_ROW)
                        break;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        rows = kl_realloc(rows, cap * sizeof(*rows));
                }
                h = &rows[n++];
                *h = (struct hrow){
                        .rev = sqlite3_column_int64(st, 0),
                        .key = kl_strdup((const char *)sqlite3_column_text(st, 1)),
                        .del = sqlite3_column_int(st, 2) == LOG_DELETE,
                        .create_rev = sqlite3_column_int64(st, 3),
                        .prev_rev = sqlite3_column_int64(st, 4),
                        .prev_len = (size_t)sqlite3_column_bytes(st, 5),
                };
                if (h->prev_rev != 0) {
                        const void *p = sqlite3_column_blob(st, 5);

                        h->prev = kl_memdup(p ? p : "", h->prev_len);
                }
        }
        (void)sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
                hrows_free(rows, n);
                return sql_fail(rd->db, rc, err, "read history");
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

/*
 * The value of each PUT's own version: the log row of a revision carries the
 * version it replaced, so a version's value is (1) in the row of a later
 * revision of this page, (2) in kv if it is still current, or (3) in the row
 * of the revision that replaced it after this page, which one forward scan
 * finds for all that are left. Returns how many could not be found (none,
 * unless the database is damaged).
 */
static int find_values(struct reader *rd, const char *start, const char *end, struct hrow *rows,
                       size_t n, size_t *ret_missing, struct kl_err **err)
{
        sqlite3_stmt *st;
        size_t pending = 0;
        int rc;

        for (size_t i = 0; i < n; i++)
                if (rows[i].prev_rev != 0)
                        (void)hrow_give(rows, n, rows[i].prev_rev, rows[i].prev, rows[i].prev_len);
        st = rd->st[R_CURRENT_VALUE];
        for (size_t i = 0; i < n; i++) {
                if (rows[i].del || rows[i].found)
                        continue;
                bind_text(st, 1, rows[i].key);
                (void)sqlite3_bind_int64(st, 2, rows[i].rev);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW)
                        (void)hrow_give(rows, n, rows[i].rev, sqlite3_column_blob(st, 0),
                                        (size_t)sqlite3_column_bytes(st, 0));
                (void)sqlite3_reset(st);
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                        return sql_fail(rd->db, rc, err, "read current value");
                if (!rows[i].found)
                        pending++;
        }
        if (pending > 0) {
                st = rd->st[R_REPLACED_LATER];
                (void)sqlite3_bind_int64(st, 1, rows[n - 1].rev);
                bind_text(st, 2, start);
                bind_text(st, 3, end);
                while (pending > 0) {
                        rc = sqlite3_step(st);
                        if (rc != SQLITE_ROW)
                                break;
                        if (hrow_give(rows, n, sqlite3_column_int64(st, 0),
                                      sqlite3_column_blob(st, 1),
                                      (size_t)sqlite3_column_bytes(st, 1)))
                                pending--;
                }
                (void)sqlite3_reset(st);
                if (pending > 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
                        return sql_fail(rd->db, rc, err, "read history");
        }
        *ret_missing = pending;
        return 0;
}

static int events_in(struct kl_store_sqlite *q, struct reader *rd, const char *start,
                     const char *end, int64_t after, int64_t upto, size_t limit,
                     struct kl_store_event ***ret_events, size_t *ret_n, struct kl_err **err)
{
        struct hrow *rows = NULL;
        struct kl_store_event **evs;
        size_t n = 0, missing = 0;
        int64_t snap = 0;
        int r;

        r = read_begin(q, rd, 0, &snap, err);
        if (r < 0)
                return r;
        /* Events after `after` need the versions live at `after`: it must not be compacted. */
        if (after < kl_store_compacted_revision(&q->base))
                return kl_err_set(err, -KL_EEXPIRED,
                                  "history after revision %" PRId64 " has been compacted", after);
        r = collect_rows(rd, start, end, after, KL_MIN(upto, snap), limit, &rows, &n, err);
        if (r < 0)
                return r;
        if (n > 0)
                r = find_values(rd, start, end, rows, n, &missing, err);
        if (r >= 0 && missing > 0)
                r = kl_err_set(err, -EIO, "history after revision %" PRId64 " is incomplete",
                               after);
        if (r < 0) {
                hrows_free(rows, n);
                return r;
        }
        evs = kl_calloc(n ? n : 1, sizeof(void *)); /* pointers */
        for (size_t i = 0; i < n; i++) {
                struct hrow *h = &rows[i];

                /* A replaced version is of the same incarnation: its create_rev is h's. */
                evs[i] = kl_store__event_new(h->del ? KL_STORE_EVENT_DELETE : KL_STORE_EVENT_PUT,
                                             h->key, h->create_rev, h->rev, h->value, h->len,
                                             h->prev_rev != 0, h->prev, h->prev_len, h->create_rev,
                                             h->prev_rev);
        }
        hrows_free(rows, n);
        *ret_events = evs;
        *ret_n = n;
        return 0;
}

static int sqlite_events(struct kl_store *s, const char *start, const char *end, int64_t after,
                         int64_t upto, size_t limit, struct kl_store_event ***ret_events,
                         size_t *ret_n, struct kl_err **err)
{
        struct kl_store_sqlite *q = downcast(s);
        struct reader *rd;
        int r;

        r = reader_get(q, &rd, err);
        if (r < 0)
                return r;
        r = events_in(q, rd, start, end, after, upto, limit, ret_events, ret_n, err);
        read_end(rd);
        reader_put(q, rd);
        return r;
}

/* The writer ----------------------------------------------------------------- */

static void add_event(struct kl_store_sqlite *q, struct kl_store_event *ev)
{
        if (q->n_events == q->cap_events) {
                q->cap_events = q->cap_events ? q->cap_events * 2 : 64;
                q->events = kl_realloc(q->events, q->cap_events * sizeof(void *)); /* pointers */
        }
        q->events[q->n_events++] = ev;
}

static void drop_events(struct kl_store_sqlite *q)
{
        for (size_t i = 0; i < q->n_events; i++)
                kl_store_event_unref(q->events[i]);
        q->n_events = 0;
}

/*
 * Hand the group's events and its asynchronous writes (`done`, answered) to
 * the hub: one mailbox message for both.
 */
static void publish_events(struct kl_store_sqlite *q, struct kl_store__write *done)
{
        struct kl_store_event **evs = NULL;
        size_t n = q->n_events;

        if (n > 0) {
                kl_usec_t now = kl_now_monotonic();

                /* The hub takes the array; the writer starts a new one for the next group. */
                evs = q->events;
                for (size_t i = 0; i < n; i++)
                        evs[i]->commit_usec = now;
                q->events = NULL;
                q->n_events = 0;
                q->cap_events = 0;
        }
        kl_store__publish(&q->base, evs, n, done);
}

/*
 * Append the row of revision `rev`. A create's row carries nothing else (its
 * value is in kv); an update's or a delete's carries the version it replaced,
 * whose value leaves kv now. Appending it here is the one place it is
 * written: a row never grows or moves once written.
 */
static int insert_log(struct kl_store_sqlite *q, int64_t rev, const char *key, enum log_type type,
                      int64_t create_rev, int64_t prev_rev, const void *prev_value, size_t prev_len,
                      struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[W_INSERT_LOG];

        (void)sqlite3_bind_int64(st, 1, rev);
        bind_text(st, 2, key);
        (void)sqlite3_bind_int(st, 3, type);
        (void)sqlite3_bind_int64(st, 4, create_rev);
        (void)sqlite3_bind_int64(st, 5, prev_rev);
        if (prev_rev != 0)
                bind_value(st, 6, prev_value, prev_len);
        else
                (void)sqlite3_bind_null(st, 6);
        return step_done(q->wdb, st, err);
}

struct current {
        bool exists;
        int64_t rowid, create_rev, mod_rev;
        const void *value; /* borrowed: see read_current(), current_keep() */
        size_t len;
};

/*
 * Read the current version of `key`. When it exists, ret->value points into
 * the statement's row, not copied: it is valid until current_done(), which
 * the caller calls before anything else touches kv (the row is about to
 * change under the statement).
 */
static int read_current(struct kl_store_sqlite *q, const char *key, struct current *ret,
                        struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[W_GET];
        int rc, r = 0;

        bind_text(st, 1, key);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                ret->exists = true;
                ret->rowid = sqlite3_column_int64(st, 0);
                ret->create_rev = sqlite3_column_int64(st, 1);
                ret->mod_rev = sqlite3_column_int64(st, 2);
                ret->value = sqlite3_column_blob(st, 3);
                ret->len = (size_t)sqlite3_column_bytes(st, 3);
                if (!ret->value)
                        ret->value = "";
                return 0;
        }
        if (rc == SQLITE_DONE)
                ret->exists = false;
        else
                r = sql_fail(q->wdb, rc, err, "read current value");
        (void)sqlite3_reset(st);
        return r;
}

static void current_done(struct kl_store_sqlite *q)
{
        (void)sqlite3_reset(q->ws[W_GET]);
}

/*
 * Keep the value of `c` past current_done(): in the watch event, which needs
 * a copy of it anyway (then the value is copied once), or else in the
 * writer's scratch buffer, which only grows (no allocation per write).
 */
static struct kl_store_event *current_keep(struct kl_store_sqlite *q, const char *key,
                                           struct current *c, int64_t rev, bool del,
                                           const void *value, size_t len)
{
        struct kl_store_event *ev;

        if (kl_store__wants_events(&q->base)) {
                ev = kl_store__event_new(del ? KL_STORE_EVENT_DELETE : KL_STORE_EVENT_PUT, key,
                                         c->create_rev, rev, value, len, true, c->value, c->len,
                                         c->create_rev, c->mod_rev);
                c->value = ev->prev.value;
                return ev;
        }
        if (c->len + 1 > q->scratch_cap) {
                q->scratch_cap = KL_MAX(c->len + 1, 2 * q->scratch_cap);
                q->scratch = kl_realloc(q->scratch, q->scratch_cap);
        }
        memcpy(q->scratch, c->value, c->len);
        c->value = q->scratch;
        return NULL;
}

static struct kl_store_kv *current_kv(const char *key, const struct current *c)
{
        return kl_store__kv_new(key, strlen(key), c->value, c->len, c->create_rev, c->mod_rev);
}

static kl_usec_t expiry_of(struct kl_store_sqlite *q, kl_usec_t ttl)
{
        kl_usec_t at;

        if (ttl == 0)
                return 0;
        at = kl_now_realtime() + ttl;
        if (q->next_expiry == 0 || at < q->next_expiry)
                q->next_expiry = at;
        return at;
}

/* Outcome of one write inside a group (not an error of the group): -EEXIST or -ENOENT. */
static void write_fail(struct kl_store__write *w, int code, const char *verb)
{
        w->res.r = kl_err_set_msg(&w->res.err, code, "%s '%s': key %s", verb, w->key,
                                  code == -EEXIST ? "exists" : "not found");
}

static int apply_create(struct kl_store_sqlite *q, struct kl_store__write *w, struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[W_INSERT_KV];
        int64_t rev = q->wrev + 1;
        int r;

        bind_text(st, 1, w->key);
        (void)sqlite3_bind_int64(st, 2, rev);
        (void)sqlite3_bind_int64(st, 3, (int64_t)expiry_of(q, w->ttl));
        bind_value(st, 4, w->value, w->len);
        r = step_done(q->wdb, st, err);
        if (r < 0)
                return r;
        if (sqlite3_changes(q->wdb) == 0) {
                struct current c = { 0 };

                r = read_current(q, w->key, &c, err);
                if (r < 0)
                        return r;
                if (KL_NEVER(!c.exists))
                        return kl_err_set(err, -EIO, "create '%s': conflict on a missing key",
                                          w->key);
                w->res.kv = current_kv(w->key, &c);
                current_done(q);
                write_fail(w, -EEXIST, "create");
                return 0;
        }
        r = insert_log(q, rev, w->key, LOG_PUT, rev, 0, NULL, 0, err);
        if (r < 0)
                return r;
        q->wrev = rev;
        w->res.rev = rev;
        if (kl_store__wants_events(&q->base))
                add_event(q, kl_store__event_new(KL_STORE_EVENT_PUT, w->key, rev, rev, w->value,
                                                 w->len, false, NULL, 0, 0, 0));
        return 0;
}

/*
 * Remove or replace the current version `c` of `key` at revision `rev`. `ev`
 * (owned, may be NULL) is the change's event if the caller has made it
 * already (current_keep()); otherwise it is made here when wanted.
 */
static int replace_current(struct kl_store_sqlite *q, const char *key, const struct current *c,
                           int64_t rev, bool del, const void *value, size_t len, kl_usec_t expires,
                           struct kl_store_event *ev, struct kl_err **err)
{
        sqlite3_stmt *st;
        int r;

        if (del) {
                st = q->ws[W_DELETE_KV];
                (void)sqlite3_bind_int64(st, 1, c->rowid);
        } else {
                st = q->ws[W_UPDATE_KV];
                (void)sqlite3_bind_int64(st, 1, c->rowid);
                (void)sqlite3_bind_int64(st, 2, rev);
                (void)sqlite3_bind_int64(st, 3, (int64_t)expires);
                bind_value(st, 4, value, len);
        }
        r = step_done(q->wdb, st, err);
        if (r >= 0)
                r = insert_log(q, rev, key, del ? LOG_DELETE : LOG_PUT, c->create_rev, c->mod_rev,
                               c->value, c->len, err);
        if (r < 0) {
                kl_store_event_unref(ev);
                return r;
        }
        q->wrev = rev;
        if (!ev && kl_store__wants_events(&q->base))
                ev = kl_store__event_new(del ? KL_STORE_EVENT_DELETE : KL_STORE_EVENT_PUT, key,
                                         c->create_rev, rev, value, len, true, c->value, c->len,
                                         c->create_rev, c->mod_rev);
        if (ev)
                add_event(q, ev);
        return 0;
}

static int apply_change(struct kl_store_sqlite *q, struct kl_store__write *w, struct kl_err **err)
{
        bool del = w->op == KL_STORE__DELETE;
        const void *value = del ? NULL : w->value;
        size_t len = del ? 0 : w->len;
        struct current c = { 0 };
        struct kl_store_event *ev;
        int64_t rev = q->wrev + 1;
        int r;

        r = read_current(q, w->key, &c, err);
        if (r < 0)
                return r;
        if (!c.exists) {
                write_fail(w, -ENOENT, del ? "delete" : "update");
                return 0;
        }
        if (w->expected_rev != 0 && w->expected_rev != c.mod_rev) {
                w->res.kv = current_kv(w->key, &c);
                current_done(q);
                w->res.r =
                        kl_err_set(&w->res.err, -KL_ECONFLICT,
                                   "%s '%s': expected revision %" PRId64 ", current is %" PRId64,
                                   del ? "delete" : "update", w->key, w->expected_rev, c.mod_rev);
                return 0;
        }
        /* A delete answers with what it deleted (freed again if the group fails). */
        if (del)
                w->res.kv = current_kv(w->key, &c);
        ev = current_keep(q, w->key, &c, rev, del, value, len);
        current_done(q);
        r = replace_current(q, w->key, &c, rev, del, value, len, del ? 0 : expiry_of(q, w->ttl), ev,
                            err);
        if (r >= 0)
                w->res.rev = rev;
        return r;
}

static int write_meta(struct kl_store_sqlite *q, struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[W_META];

        (void)sqlite3_bind_int64(st, 1, q->wrev);
        (void)sqlite3_bind_int64(st, 2, q->compact_rev);
        (void)sqlite3_bind_int64(st, 3, q->compact_done);
        return step_done(q->wdb, st, err);
}

static void note_commit(struct kl_store_sqlite *q)
{
        kl_usec_t now = kl_now_monotonic();

        if (q->n_samples == 0 || now >= q->next_sample) {
                struct sample *sm;

                if (q->n_samples == SAMPLES_MAX) {
                        q->sample_head = (q->sample_head + 1) % SAMPLES_MAX;
                        q->n_samples--;
                }
                sm = &q->samples[(q->sample_head + q->n_samples) % SAMPLES_MAX];
                sm->t = now;
                sm->rev = q->wrev;
                q->n_samples++;
                q->next_sample = now + KL_MAX(KL_MIN(q->base.opts.compact_keep_usec / 256,
                                                     5 * KL_USEC_PER_SEC),
                                              KL_USEC_PER_MSEC);
        }
        if (q->base.opts.sync == KL_STORE_SYNC_RELAXED) {
                pthread_mutex_lock(&q->s_lock);
                if (q->dirty_since == 0) {
                        q->dirty_since = now;
                        pthread_cond_signal(&q->s_cond);
                }
                pthread_mutex_unlock(&q->s_lock);
        }
}

/*
 * Commit the open transaction, or roll it back. The fault point stands for
 * everything that makes COMMIT fail (the disk, fsync): the group then fails
 * as a whole.
 */
static int commit(struct kl_store_sqlite *q, struct kl_err **err)
{
        int r = KL_FAULT("store.sqlite.commit");

        if (r < 0)
                return kl_err_set(err, r, "commit: injected fault");
        return step_done(q->wdb, q->ws[W_COMMIT], err);
}

static void rollback(struct kl_store_sqlite *q)
{
        /* After a failed COMMIT SQLite may have rolled back already; then ROLLBACK fails,
         * harmlessly. */
        (void)sqlite3_step(q->ws[W_ROLLBACK]);
        (void)sqlite3_reset(q->ws[W_ROLLBACK]);
}

/* The same error for every request of a failed group: a copy each, no text appended twice. */
static int err_copy(struct kl_err **dst, int r, const struct kl_err *src, const char *what)
{
        if (!src)
                return kl_err_set(dst, r, "%s", what);
        return kl_err_set_msg(dst, -src->code, "%s", src->msg);
}

/*
 * Wake the callers of a group. One futex wake per caller, all from the writer,
 * would cost the writer — the store's bottleneck under load — a system call
 * and a scheduler round per request. Instead the callers wake each other: the
 * writer wakes the first, and each caller wakes two more before it returns
 * (wake[]), a binary tree whose depth is log2 of the group, spread over the
 * other cores. Each woken caller is still blocked until its own post, so the
 * requests it wakes are alive.
 */
static void wake_all(struct wreq **reqs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                reqs[i]->wake[0] = 2 * i + 1 < n ? reqs[2 * i + 1] : NULL;
                reqs[i]->wake[1] = 2 * i + 2 < n ? reqs[2 * i + 2] : NULL;
        }
        if (n > 0)
                (void)sem_post(&reqs[0]->done);
}

static void req_post(struct wreq *req)
{
        /* After this the request (on the caller's stack) is gone. */
        (void)sem_post(&req->done);
}

/* The whole group failed: nothing of it happened, every answer given in it is void. */
static void write_void(struct kl_store__write *w, int r, const struct kl_err *e)
{
        kl_err_free(KL_TAKE_PTR(w->res.err));
        kl_store_kv_free(KL_TAKE_PTR(w->res.kv));
        w->res.rev = 0;
        w->res.r = err_copy(&w->res.err, r, e, "commit");
}

static int apply_write(struct kl_store_sqlite *q, struct kl_store__write *w, struct kl_err **err)
{
        int r = KL_FAULT("store.sqlite.write");

        if (r < 0)
                return kl_err_set(err, r, "write: injected fault");
        return w->op == KL_STORE__CREATE ? apply_create(q, w, err) : apply_change(q, w, err);
}

static void deadline_in(struct timespec *ts, kl_usec_t usec);
static void writer_checkpoint(struct kl_store_sqlite *q);

/*
 * The group being formed and applied, the writer's: blocking requests and
 * asynchronous writes, each list in queue order.
 */
struct group {
        struct wreq *reqs, **reqs_tail;
        struct kl_store__write *async, **async_tail;
        unsigned n;
        unsigned target;    /* form the group until it has this many requests... */
        kl_usec_t deadline; /* ...or until then (monotonic) */
};

/* Move queued requests into the group, up to BATCH_MAX in all. Under q_lock. */
static void take_locked(struct kl_store_sqlite *q, struct group *g)
{
        unsigned n = 0;

        while (q->q_head && g->n + n < BATCH_MAX) {
                struct wreq *req = q->q_head;

                q->q_head = req->next;
                req->next = NULL;
                *g->reqs_tail = req;
                g->reqs_tail = &req->next;
                n++;
        }
        if (!q->q_head)
                q->q_tail = &q->q_head;
        while (q->a_head && g->n + n < BATCH_MAX) {
                struct kl_store__write *w = q->a_head;

                q->a_head = w->next;
                w->next = NULL;
                *g->async_tail = w;
                g->async_tail = &w->next;
                n++;
        }
        if (!q->a_head)
                q->a_tail = &q->a_head;
        q->q_len -= n;
        g->n += n;
}

/*
 * More requests for the group being applied? The requests acknowledged by
 * the last group come back right away (the callers of the last group, or
 * the loop resubmitting from its callbacks); committing with the first of
 * them would make groups alternate between large and tiny. So the group
 * takes what arrived while it was being applied, and waits for as many as
 * last time (g->target), never longer than an eighth of the last group's
 * time (at most 1 ms): a lone writer (a group of one) never waits. Requests
 * that arrive while the writer applies the first ones cost no waiting at all.
 */
static bool gather_more(struct kl_store_sqlite *q, struct group *g)
{
        bool took = false;

        if (g->n >= g->target || g->n >= BATCH_MAX)
                return false;
        pthread_mutex_lock(&q->q_lock);
        for (;;) {
                kl_usec_t now;
                struct timespec ts;

                if (q->q_len > 0) {
                        take_locked(q, g);
                        took = true;
                        break;
                }
                now = kl_now_monotonic();
                if (q->stopping || now >= g->deadline)
                        break;
                deadline_in(&ts, g->deadline - now);
                q->writer_wants = g->target - g->n;
                (void)pthread_cond_timedwait(&q->q_cond, &q->q_lock, &ts);
                q->writer_wants = 0;
        }
        pthread_mutex_unlock(&q->q_lock);
        return took;
}

/* Apply the requests of the group from `req` and `w` on (those not applied yet). */
static int apply_from(struct kl_store_sqlite *q, struct wreq *req, struct kl_store__write *w,
                      struct kl_err **err)
{
        int r = 0;

        for (; req && r >= 0; req = req->next) {
                if (!req->w)
                        q->compact_rev = KL_MAX(q->compact_rev, req->compact_rev);
                else
                        r = apply_write(q, req->w, err);
        }
        for (; w && r >= 0; w = w->next)
                r = apply_write(q, w, err);
        return r;
}

/*
 * Apply a group in one transaction, taking in requests that arrive
 * meanwhile (gather_more()), and commit it once. Then one mailbox message
 * takes the events and the asynchronous answers to the loop, and the
 * blocking callers are woken.
 */
static void run_group(struct kl_store_sqlite *q, struct group *g)
{
        int64_t start_rev = q->wrev, start_compact = q->compact_rev;
        kl_autoerr struct kl_err *e = NULL;
        struct wreq *group;
        uint64_t writes = 0;
        size_t n_done;
        int r;

        r = step_done(q->wdb, q->ws[W_BEGIN], &e);
        if (r >= 0)
                r = apply_from(q, g->reqs, g->async, &e);
        while (r >= 0) {
                struct wreq **reqs_mark = g->reqs_tail;
                struct kl_store__write **async_mark = g->async_tail;

                if (!gather_more(q, g))
                        break;
                r = apply_from(q, *reqs_mark, *async_mark, &e);
        }
        writes = (uint64_t)(q->wrev - start_rev);
        /* The revision itself is the log's last row: meta changes only with compaction. */
        if (r >= 0 && q->compact_rev != start_compact)
                r = write_meta(q, &e);
        if (r >= 0)
                r = commit(q, &e);
        if (r < 0) {
                rollback(q);
                q->wrev = start_rev;
                q->compact_rev = start_compact;
                drop_events(q);
                STAT_ADD(q, failed_commits, 1);
                for (struct kl_store__write *w = g->async; w; w = w->next)
                        write_void(w, r, e);
                publish_events(q, g->async);
        } else {
                kl_store__set_revs(&q->base, q->wrev, q->compact_rev);
                /* Events before acknowledgements: a writer's own watch never lags its ack. */
                publish_events(q, g->async);
                note_commit(q);
                if (writes > 0) {
                        STAT_ADD(q, commits, 1);
                        STAT_ADD(q, writes, writes);
                }
        }

        n_done = 0;
        group = g->reqs;
        while (group) {
                struct wreq *req = group;

                group = req->next;
                if (r < 0) {
                        if (req->w) {
                                write_void(req->w, r, e);
                        } else {
                                kl_err_free(KL_TAKE_PTR(req->err));
                                req->r = err_copy(&req->err, r, e, "commit");
                        }
                } else if (!req->w && (req->compact_flags & KL_STORE_COMPACT_WAIT) &&
                           q->compact_done < req->compact_rev) {
                        req->next = q->compact_waiters;
                        q->compact_waiters = req;
                        q->vacuum_all = true;
                        continue;
                }
                q->done[n_done++] = req;
        }
        wake_all(q->done, n_done);
}

/* TTL expiry: delete what has expired, as ordinary deletes with events. */
struct expired {
        int64_t rowid, create_rev, mod_rev;
        char *key;   /* owned */
        void *value; /* owned */
        size_t len;
};

static int collect_expired(struct kl_store_sqlite *q, kl_usec_t now, struct expired *ex,
                           size_t *ret_n, struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[W_EXPIRED];
        size_t n = 0;
        int rc;

        (void)sqlite3_bind_int64(st, 1, (int64_t)now);
        (void)sqlite3_bind_int(st, 2, EXPIRE_BATCH);
        for (;;) {
                const void *v;

                rc = sqlite3_step(st);
                if (rc != SQLITE_ROW)
                        break;
                v = sqlite3_column_blob(st, 4);
                ex[n].rowid = sqlite3_column_int64(st, 0);
                ex[n].key = kl_strdup((const char *)sqlite3_column_text(st, 1));
                ex[n].create_rev = sqlite3_column_int64(st, 2);
                ex[n].mod_rev = sqlite3_column_int64(st, 3);
                ex[n].len = (size_t)sqlite3_column_bytes(st, 4);
                ex[n].value = kl_memdup(v ? v : "", ex[n].len);
                n++;
        }
        (void)sqlite3_reset(st);
        *ret_n = n;
        if (rc != SQLITE_DONE)
                return sql_fail(q->wdb, rc, err, "find expired keys");
        return 0;
}

static int next_expiry(struct kl_store_sqlite *q, kl_usec_t *ret, struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[W_NEXT_EXPIRY];
        int rc = sqlite3_step(st), r = 0;

        if (rc == SQLITE_ROW)
                *ret = (kl_usec_t)sqlite3_column_int64(st, 0); /* NULL reads as 0: none */
        else
                r = sql_fail(q->wdb, rc, err, "next expiry");
        (void)sqlite3_reset(st);
        return r;
}

static int expire_in(struct kl_store_sqlite *q, struct expired *ex, size_t *ret_n,
                     struct kl_err **err)
{
        kl_usec_t now = kl_now_realtime();
        size_t n = 0;
        int r;

        r = collect_expired(q, now, ex, &n, err);
        *ret_n = n;
        for (size_t i = 0; i < n && r >= 0; i++) {
                struct current c = { .exists = true,
                                     .rowid = ex[i].rowid,
                                     .create_rev = ex[i].create_rev,
                                     .mod_rev = ex[i].mod_rev,
                                     .value = ex[i].value,
                                     .len = ex[i].len };

                r = replace_current(q, ex[i].key, &c, q->wrev + 1, true, NULL, 0, 0, NULL, err);
        }
        return r;
}

static int expire_step(struct kl_store_sqlite *q, struct kl_err **err)
{
        struct expired *ex = kl_calloc(EXPIRE_BATCH, sizeof(*ex));
        int64_t start_rev = q->wrev;
        size_t n = 0;
        int r;

        r = step_done(q->wdb, q->ws[W_BEGIN], err);
        if (r >= 0)
                r = expire_in(q, ex, &n, err);
        if (r >= 0)
                r = commit(q, err);
        if (r >= 0)
                r = next_expiry(q, &q->next_expiry, err);
        if (r < 0) {
                rollback(q);
                q->wrev = start_rev;
                drop_events(q);
        } else {
                kl_store__set_revs(&q->base, q->wrev, q->compact_rev);
                publish_events(q, NULL);
                note_commit(q);
                STAT_ADD(q, expired, (uint64_t)(q->wrev - start_rev));
                if (q->wrev > start_rev) {
                        STAT_ADD(q, commits, 1);
                        STAT_ADD(q, writes, (uint64_t)(q->wrev - start_rev));
                }
        }
        for (size_t i = 0; i < n; i++) {
                free(ex[i].key);
                free(ex[i].value);
        }
        free(ex);
        return r;
}

/* The revision current at monotonic time `t` (by the samples), or 0 if none is that old. */
static int64_t rev_at(const struct kl_store_sqlite *q, kl_usec_t t)
{
        int64_t rev = 0;

        for (unsigned i = 0; i < q->n_samples; i++) {
                const struct sample *sm = &q->samples[(q->sample_head + i) % SAMPLES_MAX];

                if (sm->t > t)
                        break;
                rev = sm->rev;
        }
        return rev;
}

static void auto_compact_target(struct kl_store_sqlite *q)
{
        const struct kl_store_options *o = &q->base.opts;
        kl_usec_t now = kl_now_monotonic();
        int64_t by_count, by_age, target;

        if (o->compact_disable)
                return;
        by_count = q->wrev - o->compact_keep_revs;
        by_age = now > o->compact_keep_usec ? rev_at(q, now - o->compact_keep_usec) : 0;
        target = KL_MIN(by_count, by_age);
        /* Compact in chunks rather than one revision at a time. */
        if (target > q->compact_rev + KL_MAX(o->compact_keep_revs / 16, 1))
                q->compact_rev = target;
}

static int compact_in(struct kl_store_sqlite *q, int64_t lo, int64_t hi, struct kl_err **err)
{
        sqlite3_stmt *st;
        int r;

        st = q->ws[W_COMPACT];
        (void)sqlite3_bind_int64(st, 1, lo);
        (void)sqlite3_bind_int64(st, 2, hi);
        r = step_done(q->wdb, st, err);
        if (r < 0)
                return r;
        q->compact_done = hi;
        return write_meta(q, err);
}

/* One bounded compaction transaction; the step size adapts to its duration. */
static int compact_step(struct kl_store_sqlite *q, struct kl_err **err)
{
        int64_t lo = q->compact_done, hi = KL_MIN(q->compact_rev, lo + q->compact_step);
        kl_usec_t t0 = kl_now_monotonic(), took;
        int r;

        r = step_done(q->wdb, q->ws[W_BEGIN], err);
        if (r >= 0)
                r = compact_in(q, lo, hi, err);
        if (r >= 0)
                r = commit(q, err);
        if (r < 0) {
                rollback(q);
                q->compact_done = lo;
                return r;
        }
        took = kl_now_monotonic() - t0;
        if (took < COMPACT_STEP_TARGET_USEC / 2 && hi - lo == q->compact_step)
                q->compact_step = KL_MIN(q->compact_step * 2, COMPACT_STEP_MAX);
        else if (took > COMPACT_STEP_TARGET_USEC)
                q->compact_step = KL_MAX(q->compact_step / 2, COMPACT_STEP_MIN);
        STAT_ADD(q, compact_steps, 1);
        STAT_ADD(q, compact_usec, took);
        if (took > __atomic_load_n(&q->stats.compact_step_max, __ATOMIC_RELAXED))
                __atomic_store_n(&q->stats.compact_step_max, took, __ATOMIC_RELAXED);
        if (q->compact_done == q->compact_rev)
                q->vacuum_pending = true;
        return 0;
}

static int pragma_int(struct kl_store_sqlite *q, int idx, int64_t *ret, struct kl_err **err)
{
        sqlite3_stmt *st = q->ws[idx];
        int rc = sqlite3_step(st), r = 0;

        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        else
                r = sql_fail(q->wdb, rc, err, sqlite3_sql(st));
        (void)sqlite3_reset(st);
        return r;
}

/*
 * Give free pages back to the file system, a step at a time. Under churn the
 * free pages are reused by the next writes, and moving them would only wear
 * the disk: vacuum only when a quarter of the file is free, down to a tenth
 * (or everything when a compaction waits for it).
 */
static int vacuum_step(struct kl_store_sqlite *q, struct kl_err **err)
{
        int64_t free_pages = 0, pages = 0, keep;
        char sql[64];
        int r;

        r = pragma_int(q, W_FREELIST, &free_pages, err);
        if (r >= 0)
                r = pragma_int(q, W_PAGES, &pages, err);
        if (r < 0)
                return r;
        keep = q->vacuum_all ? 0 : pages / 10;
        if (free_pages <= keep || (!q->vacuuming && !q->vacuum_all && free_pages * 4 < pages)) {
                q->vacuum_pending = false;
                q->vacuuming = false;
                q->vacuum_all = false;
                return 0;
        }
        q->vacuuming = true;
        (void)snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)",
                       (int)KL_MIN(free_pages - keep, VACUUM_STEP_PAGES));
        r = exec(q->wdb, sql, err);
        if (r < 0)
                return r;
        STAT_ADD(q, vacuum_pages, (uint64_t)KL_MIN(free_pages - keep, VACUUM_STEP_PAGES));
        return 0;
}

static void finish_compact_waiters(struct kl_store_sqlite *q, int r, const struct kl_err *e)
{
        struct wreq **p = &q->compact_waiters;

        while (*p) {
                struct wreq *req = *p;

                if (r >= 0 && (q->compact_done < req->compact_rev || q->vacuum_pending)) {
                        p = &req->next;
                        continue;
                }
                *p = req->next;
                if (r < 0)
                        req->r = err_copy(&req->err, r, e, "compaction");
                req_post(req);
        }
}

/*
 * One maintenance step at most of each kind, so a group of writes never waits
 * behind more than a few milliseconds of it. Returns true if more is due now.
 */
static bool maintenance(struct kl_store_sqlite *q)
{
        kl_autoerr struct kl_err *e = NULL;
        int r = 0;

        if (q->next_expiry != 0 && kl_now_realtime() >= q->next_expiry)
                r = expire_step(q, &e);
        auto_compact_target(q);
        if (r >= 0 && q->compact_done < q->compact_rev)
                r = compact_step(q, &e);
        else if (r >= 0 && q->vacuum_pending)
                r = vacuum_step(q, &e);
        if (r < 0) {
                /* Maintenance is retried; a write that fails reports the same error itself. */
                kl_log_warn(KL_LOG_STORE, "maintenance step failed, will retry in 1s: %s",
                            kl_err_msg(e));
                finish_compact_waiters(q, r, e);
                return false;
        }
        finish_compact_waiters(q, 0, NULL);
        return q->compact_done < q->compact_rev || q->vacuum_pending ||
               (q->next_expiry != 0 && kl_now_realtime() >= q->next_expiry);
}

static void deadline_in(struct timespec *ts, kl_usec_t usec)
{
        (void)clock_gettime(CLOCK_MONOTONIC, ts);
        ts->tv_sec += (time_t)(usec / KL_USEC_PER_SEC);
        ts->tv_nsec += (long)(usec % KL_USEC_PER_SEC) * 1000;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

/* How long the writer may sleep when idle: until the next expiry, or the next compaction check. */
static kl_usec_t idle_timeout(const struct kl_store_sqlite *q, bool failed)
{
        kl_usec_t t = failed ? KL_USEC_PER_SEC : 100 * KL_USEC_PER_MSEC;

        if (q->next_expiry != 0) {
                kl_usec_t now = kl_now_realtime();

                t = KL_MIN(t, q->next_expiry > now ? q->next_expiry - now : 0);
        }
        return t;
}

static void *writer_main(void *arg)
{
        struct kl_store_sqlite *q = arg;
        bool more = false;

        for (;;) {
                struct group g = { .reqs_tail = &g.reqs, .async_tail = &g.async };
                bool stopping;

                pthread_mutex_lock(&q->q_lock);
                if (q->q_len == 0 && !q->stopping && !more) {
                        struct timespec ts;

                        deadline_in(&ts, idle_timeout(q, false));
                        q->writer_wants = 1;
                        (void)pthread_cond_timedwait(&q->q_cond, &q->q_lock, &ts);
                        q->writer_wants = 0;
                }
                /* Everything queued while the last group committed rides in this one. */
                take_locked(q, &g);
                stopping = q->stopping;
                pthread_mutex_unlock(&q->q_lock);

                if (g.n > 0) {
                        kl_usec_t t0 = kl_now_monotonic();

                        g.target = stopping ? 0 : q->last_group;
                        g.deadline = t0 + KL_MIN(q->last_group_usec / 8, KL_USEC_PER_MSEC);
                        run_group(q, &g);
                        q->last_group = g.n;
                        q->last_group_usec = kl_now_monotonic() - t0;
                        /* After the answers are out: the next group gathers meanwhile. */
                        writer_checkpoint(q);
                }
                if (stopping && g.n == 0)
                        break;
                more = maintenance(q);
                writer_checkpoint(q);
        }
        finish_compact_waiters(q, -ECANCELED, NULL);
        return NULL;
}

/* Called with q_lock held, after queueing a request. */
static void queued_locked(struct kl_store_sqlite *q)
{
        q->q_len++;
        /* Wake the writer only when it waits for exactly this: not once per request. */
        if (q->writer_wants && q->q_len >= q->writer_wants)
                pthread_cond_signal(&q->q_cond);
}

static void enqueue(struct kl_store_sqlite *q, struct wreq *req)
{
        req->next = NULL;
        pthread_mutex_lock(&q->q_lock);
        kl_assert(!q->stopping);
        *q->q_tail = req;
        q->q_tail = &req->next;
        queued_locked(q);
        pthread_mutex_unlock(&q->q_lock);
}

/* Queue a blocking request and sleep until the writer (or a woken peer) posts it. */
static void submit_wait(struct kl_store_sqlite *q, struct wreq *req)
{
        (void)sem_init(&req->done, 0, 0);
        enqueue(q, req);
        while (sem_wait(&req->done) < 0)
                kl_assert(errno == EINTR);
        /* Pass the wake-up on (wake_all()); after this the two may return and be gone. */
        for (int i = 0; i < 2; i++)
                if (req->wake[i])
                        (void)sem_post(&req->wake[i]->done);
        (void)sem_destroy(&req->done);
}

/* Hand a request's outcome to its caller. */
static int outcome(int r, struct kl_err **from, struct kl_err **err)
{
        if (r < 0) {
                if (err)
                        *err = KL_TAKE_PTR(*from);
                else
                        kl_err_free(KL_TAKE_PTR(*from));
                return r;
        }
        kl_assert(!*from);
        return 0;
}

static int sqlite_write(struct kl_store *s, struct kl_store__write *w, struct kl_err **err)
{
        struct wreq req = { .w = w };

        submit_wait(downcast(s), &req);
        return outcome(w->res.r, &w->res.err, err);
}

/*
 * An asynchronous write is its own queue entry (w->next), so queueing it is
 * one short critical section on the loop thread and no allocation; the
 * writer hands it back through the hub's mailbox with its group's events.
 */
static void sqlite_submit(struct kl_store *s, struct kl_store__write *w)
{
        struct kl_store_sqlite *q = downcast(s);

        w->next = NULL;
        pthread_mutex_lock(&q->q_lock);
        kl_assert(!q->stopping);
        *q->a_tail = w;
        q->a_tail = &w->next;
        queued_locked(q);
        pthread_mutex_unlock(&q->q_lock);
}

static int sqlite_compact(struct kl_store *s, int64_t rev, unsigned flags, struct kl_err **err)
{
        struct wreq req = { .compact_rev = rev, .compact_flags = flags };

        submit_wait(downcast(s), &req);
        return outcome(req.r, &req.err, err);
}

/* The syncer ------------------------------------------------------------------ */

/*
 * Checkpoints: copying the log into the database, and syncing both, is the
 * most expensive thing the store does (tens of milliseconds for a few
 * megabytes on a slow disk), so it is split in two.
 *
 * The syncer copies in the background (PASSIVE: it waits for no one and
 * blocks no one), a pass every CHECKPOINT_PAGES / 4 new frames from half the
 * threshold on. But SQLite starts the log over only when a write transaction
 * begins with the log entirely copied, which a checkpoint on another thread
 * never achieves under a steady stream of commits: the log would grow
 * without bound. So at CHECKPOINT_PAGES the writer checkpoints too, between
 * two of its transactions: after the syncer's passes only the frames
 * committed since are left, so the writer pays for a few frames, not for the
 * whole log, and its next transaction starts the log over. It does so after
 * a group's answers are out (not inside the commit, as SQLite's own
 * automatic checkpoint would): the callers are not held up by it, and the
 * next group gathers meanwhile.
 *
 * Two checkpoints at once make one of them fail (SQLITE_BUSY), so they take
 * ckpt_lock; the writer only tries it, and skips its turn while a pass runs,
 * unless the log has grown to three times the threshold.
 */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
        struct kl_store_sqlite *q = arg;

        (void)db;
        (void)name;
        if (pages < q->bg_mark)
                q->bg_mark = 0; /* the log was started over */
        if (pages >= CHECKPOINT_PAGES / 2 && pages >= q->bg_mark + CHECKPOINT_PAGES / 4) {
                q->bg_mark = pages;
                pthread_mutex_lock(&q->s_lock);
                q->checkpoint_wanted = true;
                pthread_cond_signal(&q->s_cond);
                pthread_mutex_unlock(&q->s_lock);
        }
        q->wal_pages = pages;
        return SQLITE_OK;
}

/* The writer's part of a checkpoint, between groups (see wal_hook()). */
static void writer_checkpoint(struct kl_store_sqlite *q)
{
        kl_usec_t t0, took;
        bool locked;

        if (q->wal_pages < CHECKPOINT_PAGES)
                return;
        if (q->wal_pages >= 3 * CHECKPOINT_PAGES) {
                pthread_mutex_lock(&q->ckpt_lock);
                locked = true;
        } else {
                locked = pthread_mutex_trylock(&q->ckpt_lock) == 0;
        }
        if (!locked)
                return; /* the syncer's pass runs: try again after the next group */
        t0 = kl_now_monotonic();
        if (sqlite3_wal_checkpoint_v2(q->wdb, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
            SQLITE_OK)
                STAT_ADD(q, checkpoints, 1);
        pthread_mutex_unlock(&q->ckpt_lock);
        /* The next commit reports the log's size again (started over, or not). */
        q->wal_pages = 0;
        took = kl_now_monotonic() - t0;
        if (took > __atomic_load_n(&q->stats.checkpoint_max, __ATOMIC_RELAXED))
                __atomic_store_n(&q->stats.checkpoint_max, took, __ATOMIC_RELAXED);
}

static void checkpoint_pass(struct kl_store_sqlite *q)
{
        pthread_mutex_lock(&q->ckpt_lock);
        if (sqlite3_wal_checkpoint_v2(q->sdb, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
            SQLITE_OK)
                STAT_ADD(q, checkpoint_passes, 1);
        pthread_mutex_unlock(&q->ckpt_lock);
}

static void sync_wal(struct kl_store_sqlite *q)
{
        if (q->wal_fd < 0)
                q->wal_fd = open(q->wal_path, O_RDONLY | O_CLOEXEC);
        if (q->wal_fd >= 0 && fdatasync(q->wal_fd) == 0) {
                STAT_ADD(q, wal_syncs, 1);
                return;
        }
        /* No log file to sync (yet): a checkpoint syncs the log first in any mode. */
        (void)sqlite3_wal_checkpoint_v2(q->sdb, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        STAT_ADD(q, wal_syncs, 1);
}

static void *syncer_main(void *arg)
{
        struct kl_store_sqlite *q = arg;

        for (;;) {
                bool do_sync = false, do_checkpoint, stop;

                pthread_mutex_lock(&q->s_lock);
                for (;;) {
                        kl_usec_t now = kl_now_monotonic();

                        if (q->dirty_since != 0 && now >= q->dirty_since + RELAXED_SYNC_USEC) {
                                do_sync = true;
                                q->dirty_since = 0;
                        }
                        if (do_sync || q->checkpoint_wanted || q->s_stop)
                                break;
                        if (q->dirty_since != 0) {
                                struct timespec ts;

                                deadline_in(&ts, q->dirty_since + RELAXED_SYNC_USEC - now);
                                (void)pthread_cond_timedwait(&q->s_cond, &q->s_lock, &ts);
                        } else {
                                pthread_cond_wait(&q->s_cond, &q->s_lock);
                        }
                }
                do_checkpoint = q->checkpoint_wanted;
                q->checkpoint_wanted = false;
                stop = q->s_stop;
                if (stop && q->dirty_since != 0) {
                        do_sync = true;
                        q->dirty_since = 0;
                }
                pthread_mutex_unlock(&q->s_lock);

                if (do_sync)
                        sync_wal(q);
                if (do_checkpoint)
                        checkpoint_pass(q);
                if (stop)
                        return NULL;
        }
}

/* Open and release ------------------------------------------------------------ */

static int init_sync(struct kl_store_sqlite *q)
{
        pthread_condattr_t attr;
        int r;

        /* Timed waits measure monotonic time: a clock step must not stall the writer. */
        r = -pthread_condattr_init(&attr);
        if (r < 0)
                return r;
        (void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        (void)pthread_mutex_init(&q->q_lock, NULL);
        (void)pthread_mutex_init(&q->s_lock, NULL);
        (void)pthread_mutex_init(&q->r_lock, NULL);
        (void)pthread_mutex_init(&q->ckpt_lock, NULL);
        (void)pthread_cond_init(&q->q_cond, &attr);
        (void)pthread_cond_init(&q->s_cond, &attr);
        (void)pthread_cond_init(&q->r_cond, &attr);
        (void)pthread_condattr_destroy(&attr);
        q->sync_inited = true;
        return 0;
}

static int take_lock(struct kl_store_sqlite *q, struct kl_err **err)
{
        kl_autofree char *lock_path = kl_asprintf("%s.lock", q->path);

        q->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (q->lock_fd < 0)
                return kl_err_set(err, -errno, "open '%s'", lock_path);
        /* SQLite's own locks allow several processes; revisions need exactly one writer. */
        if (flock(q->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return kl_err_set(err, -EBUSY, "'%s' is in use by another process",
                                          q->path);
                return kl_err_set(err, -errno, "lock '%s'", lock_path);
        }
        return 0;
}

static int setup_writer(struct kl_store_sqlite *q, struct kl_err **err)
{
        char mode[16];
        int r;

        r = open_db(q->path, &q->wdb, err);
        if (r < 0)
                return r;
        /* Must come before the first table exists; on an existing file it changes nothing. */
        r = exec(q->wdb, "PRAGMA auto_vacuum = INCREMENTAL", err);
        if (r < 0)
                return r;
        r = pragma_text(q->wdb, "PRAGMA journal_mode = WAL", mode, sizeof(mode), err);
        if (r < 0)
                return r;
        if (strcmp(mode, "wal") != 0)
                return kl_err_set(err, -EIO, "cannot switch '%s' to WAL mode (got '%s')", q->path,
                                  mode);
        r = exec(q->wdb,
                 q->base.opts.sync == KL_STORE_SYNC_FULL ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = NORMAL",
                 err);
        if (r < 0)
                return r;
        /*
         * 2 MiB of page cache: enough for the B-tree interior pages a write walks;
         * leaf pages come back from the kernel's page cache. 16 MiB cost the API
         * server 4 MB of RSS with 10,000 pods and no measurable write rate
         * (bench-store, bench-apiserver).
         */
        r = exec(q->wdb,
                 "PRAGMA journal_size_limit = 12582912; PRAGMA cache_size = -2048;"
                 " PRAGMA temp_store = MEMORY",
                 err);
        if (r < 0)
                return r;
        r = exec(q->wdb, "BEGIN IMMEDIATE", err);
        if (r < 0)
                return r;
        r = exec(q->wdb, schema_sql, err);
        if (r >= 0)
                r = exec(q->wdb, "COMMIT", err);
        if (r < 0) {
                (void)sqlite3_exec(q->wdb, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        /* Ours replaces SQLite's automatic checkpoint (see wal_hook()). */
        (void)sqlite3_wal_hook(q->wdb, wal_hook, q);
        return prepare_all(q->wdb, writer_sql, q->ws, W__COUNT, err);
}

static int load_meta(struct kl_store_sqlite *q, struct kl_err **err)
{
        sqlite3_stmt *st = NULL;
        int rc, r = 0;
        int64_t schema;

        /*
         * The last revision is the log's last row: writes do not touch meta, which
         * saves a page per commit. Compaction may delete that row (a delete at or
         * below the compacted revision), so it records the revision in meta in
         * the same transaction; the larger of the two is the truth.
         */
        rc = sqlite3_prepare_v2(q->wdb,
                                "SELECT schema, max(rev, coalesce((SELECT max(rev) FROM log), 0)),"
                                " compact_rev, compact_done FROM meta",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return sql_fail(q->wdb, rc, err, "read meta");
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                schema = sqlite3_column_int64(st, 0);
                q->wrev = sqlite3_column_int64(st, 1);
                q->compact_rev = sqlite3_column_int64(st, 2);
                q->compact_done = sqlite3_column_int64(st, 3);
                if (schema != SCHEMA_VERSION)
                        r = kl_err_set(err, -EINVAL, "'%s' has schema %" PRId64 ", not %d", q->path,
                                       schema, SCHEMA_VERSION);
        } else {
                r = sql_fail(q->wdb, rc, err, "read meta");
        }
        (void)sqlite3_finalize(st);
        if (r < 0)
                return r;
        return next_expiry(q, &q->next_expiry, err);
}

static int sqlite_open(struct kl_store *s, const char *path, struct kl_err **err)
{
        struct kl_store_sqlite *q = downcast(s);
        const char *slash;
        int r;

        q->lock_fd = -EBADF;
        q->wal_fd = -EBADF;
        q->q_tail = &q->q_head;
        q->a_tail = &q->a_head;
        q->compact_step = 1024;
        r = init_sync(q);
        if (r < 0)
                return kl_err_set(err, r, "init");
        if (!*path)
                return kl_err_set(err, -EINVAL, "no database path");
        q->path = kl_strdup(path);
        q->wal_path = kl_asprintf("%s-wal", path);
        slash = strrchr(path, '/');
        if (slash && slash != path) {
                kl_autofree char *dir = kl_strndup(path, (size_t)(slash - path));

                r = kl_mkdir_p(dir, 0700);
                if (r < 0)
                        return kl_err_set(err, r, "create '%s'", dir);
        }
        r = take_lock(q, err);
        if (r < 0)
                return r;
        r = setup_writer(q, err);
        if (r < 0)
                return r;
        r = load_meta(q, err);
        if (r < 0)
                return r;
        kl_store__set_revs(s, q->wrev, q->compact_rev);
        note_commit(q); /* history already there counts as written now */
        r = open_db(q->path, &q->sdb, err);
        if (r < 0)
                return r;
        /*
         * A connection learns that the file is in WAL mode when it first reads
         * it; until then sqlite3_wal_checkpoint_v2() succeeds without doing
         * anything.
         */
        r = exec(q->sdb, "SELECT count(*) FROM meta", err);
        if (r < 0)
                return r;
        r = -pthread_create(&q->syncer, NULL, syncer_main, q);
        if (r < 0)
                return kl_err_set(err, r, "start the syncer thread");
        q->syncer_running = true;
        r = -pthread_create(&q->writer, NULL, writer_main, q);
        if (r < 0)
                return kl_err_set(err, r, "start the writer thread");
        q->writer_running = true;
        return 0;
}

static void sqlite_release(struct kl_store *s)
{
        struct kl_store_sqlite *q = downcast(s);

        if (q->writer_running) {
                pthread_mutex_lock(&q->q_lock);
                q->stopping = true;
                pthread_cond_signal(&q->q_cond);
                pthread_mutex_unlock(&q->q_lock);
                (void)pthread_join(q->writer, NULL);
                q->writer_running = false;
        }
        if (q->syncer_running) {
                pthread_mutex_lock(&q->s_lock);
                q->s_stop = true;
                pthread_cond_signal(&q->s_cond);
                pthread_mutex_unlock(&q->s_lock);
                (void)pthread_join(q->syncer, NULL);
                q->syncer_running = false;
        }
        drop_events(q);
        free(q->events);
        free(q->scratch);
        while (q->all_readers) {
                struct reader *rd = q->all_readers;

                q->all_readers = rd->next_all;
                reader_free(rd);
        }
        (void)sqlite3_close(q->sdb);
        finalize_all(q->ws, W__COUNT);
        /* The last connection: SQLite checkpoints and removes the log file. */
        (void)sqlite3_close(q->wdb);
        if (q->wal_fd >= 0)
                (void)kl_close(q->wal_fd);
        if (q->lock_fd >= 0)
                (void)kl_close(q->lock_fd);
        if (q->sync_inited) {
                (void)pthread_mutex_destroy(&q->q_lock);
                (void)pthread_mutex_destroy(&q->s_lock);
                (void)pthread_mutex_destroy(&q->r_lock);
                (void)pthread_mutex_destroy(&q->ckpt_lock);
                (void)pthread_cond_destroy(&q->q_cond);
                (void)pthread_cond_destroy(&q->s_cond);
                (void)pthread_cond_destroy(&q->r_cond);
        }
        free(q->path);
        free(q->wal_path);
}

void kl_store__sqlite_stats(struct kl_store *s, struct kl_store__sqlite_stats *ret)
{
        struct kl_store_sqlite *q = downcast(s);

#define LOAD(f) ret->f = __atomic_load_n(&q->stats.f, __ATOMIC_RELAXED)
        LOAD(commits);
        LOAD(writes);
        LOAD(failed_commits);
        LOAD(expired);
        LOAD(compact_steps);
        LOAD(compact_usec);
        LOAD(compact_step_max);
        LOAD(vacuum_pages);
        LOAD(wal_syncs);
        LOAD(checkpoints);
        LOAD(checkpoint_max);
        LOAD(checkpoint_passes);
#undef LOAD
}

const struct kl_store_ops kl_store_sqlite_ops = {
        .name = "sqlite",
        .version = KL_STORE_OPS_VERSION,
        .caps = 0,
        .size = sizeof(struct kl_store_sqlite),
        .open = sqlite_open,
        .release = sqlite_release,
        .get = sqlite_get,
        .list = sqlite_list,
        .count = sqlite_count,
        .write = sqlite_write,
        .submit = sqlite_submit,
        .events = sqlite_events,
        .compact = sqlite_compact,
};
