/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The backend contract of the store (STYLE R7.2), included only inside
 * pkg/store/.
 *
 * store.c is the dispatcher: it validates keys, values, revisions and
 * continue tokens, enforces the limits, and owns the watch hub
 * (watch-hub.c). A backend implements the operations below on ranges of keys
 * and never validates, logs or counts. Backends are registered in
 * `backends[]` in store.c by DSN scheme.
 *
 * A backend's struct embeds struct kl_store as its first member; the core
 * allocates `ops->size` bytes zeroed and calls `open`. The backend publishes
 * its last committed revision and compacted revision through
 * kl_store__set_revs(), and, when kl_store__wants_events() says so, hands
 * every committed change to the hub with kl_store__publish() right after the
 * commit, in revision order, one event per revision.
 */
#ifndef KL_STORE_STORE_INTERNAL_H
#define KL_STORE_STORE_INTERNAL_H

#include "loop/loop.h"
#include "store/store.h"

/* Bumped when operations are appended; a backend written against another version is refused. */
#define KL_STORE_OPS_VERSION 2

enum kl_store_caps {
        /* The backend feeds the hub from its own change stream (etcd); otherwise
         * it publishes what it commits (SQL backends). */
        KL_STORE_CAP_NATIVE_WATCH = 1 << 0,
        /* Several processes may share the store (etcd, PostgreSQL). */
        KL_STORE_CAP_SHARED = 1 << 1,
};

enum kl_store__op {
        KL_STORE__CREATE,
        KL_STORE__UPDATE,
        KL_STORE__DELETE,
};

/*
 * One write, as the dispatcher hands it to the backend. A blocking write
 * (ops->write) lives on the caller's stack for the call; an asynchronous one
 * (ops->submit) is allocated by the dispatcher and lent to the backend until
 * the backend hands it back with kl_store__publish().
 */
struct kl_store__write {
        enum kl_store__op op;
        const char *key;   /* borrowed; validated */
        const void *value; /* borrowed; `len` <= max_value_size; NULL for delete */
        size_t len;
        int64_t expected_rev; /* update/delete: 0 or the mod revision required */
        kl_usec_t ttl;        /* create/update: 0 or the time to live */
        /*
         * The outcome, filled in by the backend: res.r (0 or the error of this
         * write alone: -EEXIST, -ENOENT, -KL_ECONFLICT, or the group's), res.err
         * (owned) when res.r < 0, res.rev on success, res.kv (owned) the
         * current kv on -EEXIST/-KL_ECONFLICT and the previous one on delete.
         */
        struct kl_store_result res;
        /* Asynchronous writes only: the caller's callback, and the list link. */
        kl_store_done_fn *done;
        void *done_arg;
        struct kl_store__write *next; /* the holder's: the backend's queue, then the hub's batch */
};

struct kl_store__hub;

struct kl_store {
        const struct kl_store_ops *ops; /* first member (R7.2) */
        uv_loop_t *loop;                /* borrowed; NULL: no watches */
        struct kl_store__hub *hub;      /* owned; NULL without a loop */
        struct kl_store_options opts;   /* defaults filled in; opts.dsn borrowed from `dsn` */
        char *dsn;                      /* owned */
        int64_t rev;                    /* atomic: last committed revision */
        int64_t compact_rev;            /* atomic: compacted revision */
        int64_t base_rev;               /* the revision at open: where the hub starts */
        bool revs_known;                /* base_rev is set */
        bool closing;                   /* kl_store_close() was called */
        bool released;                  /* ops->release() has run */
};

/*
 * Open the backend at `path` (the DSN after "<scheme>://"), with `s->opts`
 * filled in. On failure the core calls `release` on the half-opened store, so
 * `release` must cope with any state `open` leaves (R6.4). Called once, at
 * start-up, on the thread that opens the store.
 */
typedef int kl_store_open_fn(struct kl_store *s, const char *path, struct kl_err **err);

/*
 * Stop the backend's threads and free everything it owns except the struct
 * itself. Every operation has returned; events already published may still be
 * in the hub's mailbox. Blocking; called on a pool thread or, without a loop,
 * by kl_store_close().
 */
typedef void kl_store_release_fn(struct kl_store *s);

/*
 * Get `key` at revision `rev` (0: current). Sets *ret_kv (owned by the
 * caller). Errors: -ENOENT, -KL_EEXPIRED (rev < compacted revision, checked
 * against the same snapshot the read uses), -ERANGE (rev in the future).
 * Blocking; any thread but the loop's; many at once.
 */
typedef int kl_store_get_fn(struct kl_store *s, const char *key, int64_t rev,
                            struct kl_store_kv **ret_kv, struct kl_err **err);

/*
 * The keys in [start, end) at revision `rev` (0: current), sorted, at most
 * `limit` (0: all) plus one: the backend returns up to limit + 1 items so the
 * caller can tell whether there is more. Sets *ret_items (owned array of owned
 * kvs), *ret_n and *ret_rev (the revision actually read: `rev`, or the current
 * one). Errors as for get. Blocking.
 */
typedef int kl_store_list_fn(struct kl_store *s, const char *start, const char *end, int64_t rev,
                             size_t limit, struct kl_store_kv ***ret_items, size_t *ret_n,
                             int64_t *ret_rev, struct kl_err **err);

/* The number of keys in [start, end) now. Blocking. */
typedef int kl_store_count_fn(struct kl_store *s, const char *start, const char *end,
                              int64_t *ret_count, struct kl_err **err);

/*
 * Perform one write: create (-EEXIST if present), update or delete (-ENOENT if
 * absent, -KL_ECONFLICT if expected_rev is not 0 and differs from the key's mod
 * revision). Fills the result fields of `w` as its contract says. Returns only
 * once the write is durable as the sync mode promises, and after its event
 * has been published. Blocking; many threads at once (the SQLite backend
 * commits concurrent writes together).
 */
typedef int kl_store_write_fn(struct kl_store *s, struct kl_store__write *w, struct kl_err **err);

/*
 * Queue the asynchronous write `w` (w->done is set) and return at once; the
 * loop thread calls this, so it must not block beyond a short mutex section.
 * The backend applies it as the blocking write would, in the order
 * submissions were made, and hands it back, with its outcome in w->res, in
 * the kl_store__publish() call that follows its commit (or the failure of
 * its group), in submission order. A backend that is being released still
 * applies and hands back every write queued before release() was called.
 */
typedef void kl_store_submit_fn(struct kl_store *s, struct kl_store__write *w);

/*
 * History for watches: the events with `after` < revision <= `upto` of keys in
 * [start, end), in revision order, at most `limit` of them. Sets *ret_events
 * (owned array of new references) and *ret_n. Errors: -KL_EEXPIRED if
 * `after` < the compacted revision. Blocking.
 */
typedef int kl_store_events_fn(struct kl_store *s, const char *start, const char *end,
                               int64_t after, int64_t upto, size_t limit,
                               struct kl_store_event ***ret_events, size_t *ret_n,
                               struct kl_err **err);

/*
 * Compact history below `rev` (already checked: compacted < rev <= current).
 * Takes effect for readers before it returns (kl_store__set_revs()); the space
 * may be reclaimed later, unless KL_STORE_COMPACT_WAIT. Blocking.
 */
typedef int kl_store_compact_fn(struct kl_store *s, int64_t rev, unsigned flags,
                                struct kl_err **err);

struct kl_store_ops {
        const char *name; /* the DSN scheme: "sqlite" */
        unsigned version; /* KL_STORE_OPS_VERSION it was written against */
        unsigned caps;    /* enum kl_store_caps */
        size_t size;      /* sizeof the backend struct; struct kl_store is its first member */

        kl_store_open_fn *open;
        kl_store_release_fn *release;
        kl_store_get_fn *get;
        kl_store_list_fn *list;
        kl_store_count_fn *count;
        kl_store_write_fn *write;
        kl_store_submit_fn *submit;
        kl_store_events_fn *events;
        kl_store_compact_fn *compact;
};

extern const struct kl_store_ops kl_store_sqlite_ops;

/* What the SQLite backend did, for tests and benchmarks. */
struct kl_store__sqlite_stats {
        uint64_t commits;           /* write transactions that committed writes */
        uint64_t writes;            /* writes committed (one revision each) */
        uint64_t failed_commits;    /* transactions rolled back after an error */
        uint64_t expired;           /* keys deleted by their TTL */
        uint64_t compact_steps;     /* incremental compaction transactions */
        kl_usec_t compact_usec;     /* their total duration */
        kl_usec_t compact_step_max; /* the longest of them */
        uint64_t vacuum_pages;      /* pages given back to the file system */
        uint64_t wal_syncs;         /* relaxed mode: background log syncs */
        uint64_t checkpoint_passes; /* background checkpoint passes (syncer) */
        uint64_t checkpoints;       /* checkpoints finished by the writer, between groups */
        kl_usec_t checkpoint_max;   /* the longest of those */
};

/* A snapshot of the counters of a store opened with the SQLite backend. Any thread. */
void kl_store__sqlite_stats(struct kl_store *s, struct kl_store__sqlite_stats *ret);

/*
 * Revisions, published by the backend. The first call must come from `open`,
 * before any of the backend's threads can commit: it fixes the revision the
 * hub's event stream starts from. Any thread afterwards.
 */
void kl_store__set_revs(struct kl_store *s, int64_t rev, int64_t compact_rev);

/* Does anyone want events? (The backend skips building them when not.) */
bool kl_store__wants_events(const struct kl_store *s);

/*
 * Hand `n` events to the hub, taking over the array and the references in it
 * (`events` must come from kl_malloc; it is freed by the hub; NULL when n is
 * 0), and hand back `done`, a list (through ->next) of asynchronous writes
 * whose outcome is known, in submission order. One mailbox message for all
 * of it: on the loop, the events are delivered first, then the callbacks run
 * in list order and the writes are freed. Any thread; in revision order
 * across calls. Only a store with a hub may be given writes.
 */
void kl_store__publish(struct kl_store *s, struct kl_store_event **events, size_t n,
                       struct kl_store__write *done);

/* Run the callback of an asynchronous write and free it (the hub, on the loop thread). */
void kl_store__write_finish(struct kl_store__write *w);

/*
 * A new event (one reference) holding copies of everything. `has_prev` is
 * false for a create. For a DELETE, `value` is NULL and `len` 0.
 */
struct kl_store_event *kl_store__event_new(enum kl_store_event_type type, const char *key,
                                           int64_t create_rev, int64_t mod_rev, const void *value,
                                           size_t len, bool has_prev, const void *prev_value,
                                           size_t prev_len, int64_t prev_create_rev,
                                           int64_t prev_mod_rev);

/* A new kv holding copies of key and value. */
struct kl_store_kv *kl_store__kv_new(const char *key, size_t key_len, const void *value, size_t len,
                                     int64_t create_rev, int64_t mod_rev);

/* The end of a prefix range: the smallest string greater than every key with `prefix`. */
char *kl_store__prefix_end(const char *prefix);

/*
 * Continue tokens: opaque to clients (base64url of "<rev>:<last key>"), parsed
 * strictly because they come from the network. Parse returns 0 or -EINVAL;
 * *ret_last (owned) is the last key of the previous page and must have `prefix`.
 */
char *kl_store__continue_format(int64_t rev, const char *last_key);
int kl_store__continue_parse(const char *token, const char *prefix, int64_t *ret_rev,
                             char **ret_last);

/* Key syntax: '/' then printable ASCII without spaces, at most KL_STORE_KEY_MAX bytes. */
bool kl_store__key_is_valid(const char *key);

/* The hub (watch-hub.c), on the loop thread. */
int kl_store__hub_new(struct kl_store *s, struct kl_err **err);
/* Tell the hub the revision the store opened at; called once, from open. */
void kl_store__hub_set_start(struct kl_store *s, int64_t rev);
/* Begin closing: end the watches, then release the backend and free everything. */
void kl_store__hub_close(struct kl_store *s);
/* Frees the store struct itself (after release). Called by the hub once all is done. */
void kl_store__free(struct kl_store *s);

#endif
