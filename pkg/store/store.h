/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store: kube-lite's durable state, a revisioned key-value log with etcd's
 * semantics (DESIGN §4, STYLE §7 "The store").
 *
 * Every successful write (create, update, delete, and the delete of an expired
 * key) gets the next global revision, a strictly increasing int64 that is
 * never reused, also across restarts; `resourceVersion` is this revision.
 * Each revision is exactly one event. Keys are
 * `/registry/<group>/<resource>/<namespace>/<name>` (any printable ASCII key
 * that starts with '/' is accepted); values are opaque bytes, bounded by
 * `max_value_size`. For each key the store keeps its create revision (the
 * revision that created it: a key deleted and created again gets a new one)
 * and its mod revision (the revision of its last change), which is what
 * updates and deletes compare against (compare-and-swap).
 *
 * History: reads and watches can be at older revisions until compaction drops
 * them; below the compacted revision they fail with -KL_EEXPIRED (HTTP 410).
 * Compaction is automatic (keep the last `compact_keep_revs` revisions and
 * at least `compact_keep_usec` of history) and can be asked for.
 *
 * Threads. All operations except watches, asynchronous writes and
 * kl_store_open()/kl_store_close() block (they wait for the database and for
 * the disk) and must not run on the loop thread: call them from a worker
 * (kl_loop_run_blocking()); they assert it. They are safe to call from any
 * number of threads at once. Watches and asynchronous writes
 * (kl_store_submit_create() and its siblings) live on the loop thread given to
 * kl_store_open(): they are called there, never block, and their callbacks run
 * there.
 *
 * Ownership. The kv, list and event objects returned are owned by the caller
 * (free or unref them); every pointer parameter is borrowed for the call.
 *
 * Backends are chosen by the DSN scheme: "sqlite:///var/lib/kube-lite/db/state.db"
 * (the embedded default). An unknown scheme is an error that lists the
 * backends compiled in. pkg/store/README.md explains the design.
 */
#ifndef KL_STORE_STORE_H
#define KL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "base/base.h"

/*
 * Values: 1.5 MiB by default, etcd's default request limit, so that every
 * object an etcd-backed cluster accepts fits here too. Configurable up to
 * KL_STORE_VALUE_MAX_LIMIT.
 */
#define KL_STORE_VALUE_MAX_DEFAULT ((size_t)1536 * 1024)
#define KL_STORE_VALUE_MAX_LIMIT   ((size_t)64 << 20)
/* Keys: a Kubernetes key is at most ~400 bytes (253-byte names, 63-byte namespaces). */
#define KL_STORE_KEY_MAX 1024

enum kl_store_sync {
        /* Every acknowledged write is on disk: one fsync per commit group. */
        KL_STORE_SYNC_FULL,
        /*
         * For SD cards: commits are not fsynced one by one; a background thread
         * syncs the log at most 100 ms after a commit, so a power failure loses
         * at most the last 100 ms of acknowledged writes (a process crash loses
         * nothing). The database is never corrupted either way.
         */
        KL_STORE_SYNC_RELAXED,
        KL_STORE_SYNC__COUNT,
        KL_STORE_SYNC__INVALID = -EINVAL,
};

/* "full" or "relaxed" (the values of --datastore-sync). */
enum kl_store_sync kl_store_sync_parse(const char *s);
const char *kl_store_sync_name(enum kl_store_sync sync);

#define KL_STORE_COMPACT_KEEP_REVS_DEFAULT 1000
#define KL_STORE_COMPACT_KEEP_USEC_DEFAULT (5 * KL_USEC_PER_MIN)
#define KL_STORE_WATCH_BUFFER_DEFAULT      1024u
#define KL_STORE_WATCH_WINDOW_DEFAULT      1024u

struct kl_store_options {
        const char *dsn; /* "sqlite://<path>"; required */
        enum kl_store_sync sync;
        /*
         * Automatic compaction keeps the last `compact_keep_revs` revisions and
         * every revision younger than `compact_keep_usec`; the older of the two
         * bounds wins. 0 means the default; `compact_disable` turns it off
         * (kl_store_compact() still works).
         */
        int64_t compact_keep_revs;
        kl_usec_t compact_keep_usec;
        bool compact_disable;
        size_t max_value_size; /* 0: KL_STORE_VALUE_MAX_DEFAULT */
        unsigned watch_buffer; /* events queued per watcher before it is ended; 0: default */
        unsigned watch_window; /* recent events kept in memory for new watches; 0: default */
};

/* A key and its value. One allocation: free with kl_store_kv_free(). */
struct kl_store_kv {
        const char *key;   /* NUL-terminated; inside the allocation */
        const void *value; /* `len` bytes, followed by a NUL not counted in len */
        size_t len;
        int64_t create_rev; /* revision that created this incarnation of the key */
        int64_t mod_rev;    /* revision of its last change */
};

void kl_store_kv_free(struct kl_store_kv *kv); /* NULL is a no-op */
KL_DEFINE_CLEANUP_FUNC(struct kl_store_kv, kl_store_kv_free);

struct kl_store_list {
        struct kl_store_kv **items; /* owned, each owned; sorted by key */
        size_t n;
        int64_t rev; /* the revision the list was read at: pass it on for later pages */
        /*
         * Owned. NULL when this was the last page; otherwise pass it to the next
         * kl_store_list() call to get the following page, read at the same
         * revision however many writes happened meanwhile.
         */
        char *continue_token;
};

void kl_store_list_free(struct kl_store_list *l); /* NULL is a no-op */
KL_DEFINE_CLEANUP_FUNC(struct kl_store_list, kl_store_list_free);

struct kl_store;

/**
 * Open (creating if needed) the store named by `opts->dsn`. `loop` is the loop
 * whose thread receives watch events; it may be NULL for a store without
 * watches (tools, tests). Call on the loop's thread at start-up: opening reads
 * the database once (a short blocking step, before the loop serves anyone).
 * Errors: -EINVAL (bad DSN or options; an unknown scheme lists the backends
 * compiled in), -EBUSY (another process has the store open), I/O errors.
 */
int kl_store_open(uv_loop_t *loop, const struct kl_store_options *opts, struct kl_store **ret,
                  struct kl_err **err);

/**
 * Close the store. Every blocking operation must have returned. Watches still
 * started are ended with -ECANCELED (their callbacks run once more) and must
 * still be stopped by their owners. Asynchronous writes already submitted are
 * committed and their callbacks run (on the loop, before the close finishes). With a loop, the rest
 * happens asynchronously (the worker threads are joined on the pool, the handles closed); run the
 * loop until it is idle, e.g. kl_loop_finish(). Without a loop, it happens here. NULL is a no-op.
 */
void kl_store_close(struct kl_store *s);

/** The name of the backend ("sqlite"). */
const char *kl_store_backend_name(const struct kl_store *s);
/** Comma-separated list of the backends compiled in (R7.7). Static storage. */
const char *kl_store_backends(void);

/** The last committed revision (0 for an empty store). Any thread; does not block. */
int64_t kl_store_revision(struct kl_store *s);
/** The compacted revision: reads below it fail with -KL_EEXPIRED. Any thread. */
int64_t kl_store_compacted_revision(struct kl_store *s);

/**
 * Get `key` at revision `rev` (0: the current revision). On success `*ret_kv`
 * (owned) is set. Errors: -ENOENT (no such key at that revision), -KL_EEXPIRED
 * (`rev` is below the compacted revision), -ERANGE (`rev` is in the future),
 * -EINVAL (bad key).
 */
int kl_store_get(struct kl_store *s, const char *key, int64_t rev, struct kl_store_kv **ret_kv,
                 struct kl_err **err);

/**
 * List the keys that start with `prefix`, sorted, at revision `rev` (0: the
 * current revision), at most `limit` of them (0: all). `continue_token` is
 * NULL for the first page, or a token from the previous page (then `rev` must
 * be 0 or that page's revision). On success `*ret_list` is owned by the caller.
 * Errors: -KL_EEXPIRED (the revision, or the token's, has been compacted: list
 * again from the start), -ERANGE (future revision), -EINVAL (bad prefix or token).
 */
int kl_store_list(struct kl_store *s, const char *prefix, int64_t rev, size_t limit,
                  const char *continue_token, struct kl_store_list **ret_list, struct kl_err **err);

/** The number of keys that start with `prefix` now, in `*ret_count`. */
int kl_store_count(struct kl_store *s, const char *prefix, int64_t *ret_count, struct kl_err **err);

/**
 * Create `key` with `value`. `ttl` > 0 makes the key expire that long after
 * this write: it is then deleted by the store, with a DELETE event, as any
 * delete. On success `*ret_rev` (may be NULL) is the new revision.
 * Errors: -EEXIST (the key exists; `*ret_current`, if not NULL, is set to it,
 * owned by the caller), -E2BIG (value larger than max_value_size), -EINVAL (bad
 * key), -EIO and other I/O errors (the write did not happen).
 */
int kl_store_create(struct kl_store *s, const char *key, const void *value, size_t len,
                    kl_usec_t ttl, int64_t *ret_rev, struct kl_store_kv **ret_current,
                    struct kl_err **err);

/**
 * Update `key` to `value` if its mod revision is `expected_rev` (compare-and-
 * swap; 0 updates whatever is there). `ttl` as for create, counted from now (0:
 * the key no longer expires). On success `*ret_rev` (may be NULL) is the new
 * revision. Errors: -ENOENT (no such key), -KL_ECONFLICT (the key has another
 * mod revision; `*ret_current`, if not NULL, is set to the current kv, owned by
 * the caller, so the caller can retry without reading again), -E2BIG, -EINVAL,
 * I/O errors.
 */
int kl_store_update(struct kl_store *s, const char *key, const void *value, size_t len,
                    int64_t expected_rev, kl_usec_t ttl, int64_t *ret_rev,
                    struct kl_store_kv **ret_current, struct kl_err **err);

/**
 * Delete `key` if its mod revision is `expected_rev` (0: unconditionally).
 * On success `*ret_rev` (may be NULL) is the revision of the delete and
 * `*ret_prev` (may be NULL) the value deleted, owned by the caller. Errors as
 * for update; on -KL_ECONFLICT `*ret_prev` is the current kv.
 */
int kl_store_delete(struct kl_store *s, const char *key, int64_t expected_rev, int64_t *ret_rev,
                    struct kl_store_kv **ret_prev, struct kl_err **err);

/* Asynchronous writes -------------------------------------------------------- */

/*
 * The outcome of an asynchronous write: what the blocking call would have
 * returned, with the same codes and in the same cases.
 */
struct kl_store_result {
        int r;       /* 0, or the negative error code of the blocking call */
        int64_t rev; /* on success: the revision of the write */
        /*
         * Owned, may be NULL: what the blocking call puts in *ret_current or
         * *ret_prev (the current kv on -EEXIST and -KL_ECONFLICT, the deleted
         * kv after a delete). The callback may take it (KL_TAKE_PTR()); what
         * it leaves is freed when it returns.
         */
        struct kl_store_kv *kv;
        struct kl_err *err; /* owned: the error when r < 0; may be taken likewise */
};

/*
 * Called on the loop thread, exactly once per write that was submitted, with
 * its outcome (`res` is valid during the call only). Callbacks run in the
 * order the writes were submitted, after the watch events of their commit
 * have been delivered to the hub (a watch of the key sees the change no later
 * than the callback runs). A callback may submit more writes.
 */
typedef void kl_store_done_fn(void *arg, struct kl_store_result *res);

/**
 * Asynchronous create, update and delete: the same operations, checks,
 * semantics and errors as kl_store_create(), kl_store_update() and
 * kl_store_delete(), for the loop thread. The write is queued to the writer
 * without blocking and committed with the other writes queued meanwhile (one
 * transaction and one fsync for the group); the results of a group come back
 * to the loop together and `cb(arg, res)` runs for each.
 *
 * Loop thread only; the store must have been opened with a loop. `key` and
 * `value` are borrowed until `cb` has run: keep them alive (e.g. in the
 * request the callback completes), as for uv_write(). `arg` is the caller's.
 *
 * Returns 0 when the write is queued: `cb` will run, never from inside this
 * call, also if the store is closed meanwhile (a write queued before
 * kl_store_close() is still committed, and its callback runs while the loop
 * finishes the close). Returns a negative code, and `cb` never runs, when the
 * arguments are refused before queueing: -EINVAL (bad key or revision),
 * -E2BIG (value larger than max_value_size), -ENOTSUP (no loop), -ECANCELED
 * (kl_store_close() was called).
 */
int kl_store_submit_create(struct kl_store *s, const char *key, const void *value, size_t len,
                           kl_usec_t ttl, kl_store_done_fn *cb, void *arg, struct kl_err **err);
int kl_store_submit_update(struct kl_store *s, const char *key, const void *value, size_t len,
                           int64_t expected_rev, kl_usec_t ttl, kl_store_done_fn *cb, void *arg,
                           struct kl_err **err);
int kl_store_submit_delete(struct kl_store *s, const char *key, int64_t expected_rev,
                           kl_store_done_fn *cb, void *arg, struct kl_err **err);

enum kl_store_compact_flags {
        /* Also wait until the space of the compacted history is free for reuse. */
        KL_STORE_COMPACT_WAIT = 1 << 0,
};

/**
 * Compact history below revision `rev` (<= the current revision): reads at
 * revisions below `rev` and watches from revisions <= `rev` fail with
 * -KL_EEXPIRED from now on. Takes effect at once; the space is reclaimed
 * incrementally in the background, in steps that never hold up writes for more
 * than a few milliseconds (KL_STORE_COMPACT_WAIT waits for that too).
 * Compacting to a revision at or below the compacted one is a no-op.
 * Errors: -ERANGE (future revision), I/O errors.
 */
int kl_store_compact(struct kl_store *s, int64_t rev, unsigned flags, struct kl_err **err);

/* Watches ------------------------------------------------------------------ */

enum kl_store_event_type {
        KL_STORE_EVENT_PUT,    /* created or updated: `kv` is the new value */
        KL_STORE_EVENT_DELETE, /* deleted or expired: `kv` has the key, no value */
        KL_STORE_EVENT_TYPE__COUNT,
        KL_STORE_EVENT_TYPE__INVALID = -EINVAL,
};

/*
 * One change, immutable and reference-counted: the hub hands the same event to
 * every watcher it concerns, without copying. `kv.mod_rev` is the event's
 * revision; for a DELETE, `kv.create_rev` is that of the deleted key and
 * `kv.value` is empty. `prev` is the value before the change (has_prev false
 * for a create).
 */
struct kl_store_event {
        enum kl_store_event_type type;
        struct kl_store_kv kv;
        bool has_prev;
        struct kl_store_kv prev;
        /*
         * Monotonic time (kl_now_monotonic()) at which this process committed
         * the change, for measuring watch lag; 0 when read back from history.
         */
        kl_usec_t commit_usec;
        unsigned refs; /* private */
};

struct kl_store_event *kl_store_event_ref(struct kl_store_event *ev);
/* Drops a reference; frees at zero; returns NULL; NULL is a no-op. Any thread. */
struct kl_store_event *kl_store_event_unref(struct kl_store_event *ev);
KL_DEFINE_CLEANUP_FUNC(struct kl_store_event, kl_store_event_unref);

struct kl_store_watch;

/*
 * Called on the loop thread when the watch has something for its owner: an
 * event, or its end. It is called only after kl_store_watch_next() has
 * returned 0 ("nothing now"), once, so the owner drains with
 * kl_store_watch_next() until it returns 0 or an error, and then waits for the
 * next call. The callback may stop the watch.
 */
typedef void kl_store_watch_fn(struct kl_store_watch *w, void *arg);

/**
 * Watch the keys that start with `prefix` for every event from revision
 * `start_rev` on (0: from the next revision). Events come in revision order,
 * each exactly once, the same whether they are replayed from history or live.
 * Loop thread only. Errors: -KL_EEXPIRED (`start_rev` <= the compacted
 * revision: list again and watch from the list's revision + 1), -EINVAL (bad
 * prefix), -ENOTSUP (the store was opened without a loop).
 *
 * After it returns, drain with kl_store_watch_next(): history may already be
 * there. `*ret` is owned by the caller until kl_store_watch_stop().
 */
int kl_store_watch_start(struct kl_store *s, const char *prefix, int64_t start_rev,
                         kl_store_watch_fn *cb, void *arg, struct kl_store_watch **ret,
                         struct kl_err **err);

/**
 * Take the next event: returns 1 and sets `*ret_ev` (a new reference, owned by
 * the caller), 0 if there is none now (the callback will say when there is),
 * or the negative code that ended the watch, for ever after:
 *   -ENOBUFS      the owner fell `watch_buffer` events behind; the events it
 *                 missed are lost to it: watch again from the last revision it
 *                 handled + 1 (or list again if that fails with -KL_EEXPIRED)
 *   -KL_EEXPIRED  history it still needed was compacted: list again
 *   -ECANCELED    the store is closing
 *   other         an I/O error while reading history
 * Loop thread only.
 */
int kl_store_watch_next(struct kl_store_watch *w, struct kl_store_event **ret_ev);

/** The revision the watch will deliver next (its position). Loop thread only. */
int64_t kl_store_watch_position(const struct kl_store_watch *w);

/** Stop and free the watch; no callback runs after this. NULL is a no-op. Loop thread only. */
void kl_store_watch_stop(struct kl_store_watch *w);

#endif
