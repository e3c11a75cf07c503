/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client: how the controllers, the scheduler and (later) the agent talk to
 * the API (DESIGN §3, §7). Three parts:
 *
 *   struct kl_client   get/list/watch/create/update/patch/delete on a
 *                      resource row, asynchronous, results on the loop.
 *                      Implementations fill struct kl_client_ops: the
 *                      in-process one (kl_apiserver_client_new() in
 *                      apiserver, which calls the resource handler layer:
 *                      same defaulting, validation and watch semantics as
 *                      HTTP, no socket, no JSON text) and, with the agent, a
 *                      remote one over libcurl.
 *   struct kl_informer a local, indexed copy of one resource kept current by
 *                      a watch: handlers for add/update/delete, lookups by
 *                      key and by index (namespace, owner, node, label).
 *   struct kl_workqueue keys to reconcile, each queued at most once, handed
 *                      out one at a time, retried with per-key exponential
 *                      back-off, delayed adds on a timer.
 *
 * Threads: everything here is loop-thread state (DESIGN §2) and takes no
 * locks. Every function must be called on the loop thread of the client.
 *
 * Objects are jansson values. Objects handed out by informers and watches
 * are shared and immutable: borrow them, or json_incref() to keep one, and
 * never modify one (json_deep_copy() first).
 */
#ifndef KL_CLIENT_CLIENT_H
#define KL_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "api/resource.h"
#include "base/base.h"

/* ------------------------------------------------------------------------- */
/* The client */

struct kl_client;

/** Options of a write (the query parameters of the same names). */
struct kl_client_write_opts {
        bool dry_run;
        const char *field_manager; /* borrowed for the call; NULL: the client's default */
};

/**
 * A finished write, on the loop thread, exactly once (also when the client
 * is closing: then r is -ECANCELED). On success `obj` is the object written
 * (borrowed for the call; for deletes the object, or the Status upstream
 * answers with). On failure r < 0 and `err` (borrowed) carries upstream's
 * message; -KL_ECONFLICT for a stale resourceVersion, -ENOENT, -EEXIST.
 */
typedef void kl_client_write_fn(void *arg, int r, const json_t *obj, const struct kl_err *err);

/** A finished read: `obj` is the caller's (stolen) on success, NULL on failure. */
typedef void kl_client_read_fn(void *arg, int r, json_t *obj, const struct kl_err *err);

enum kl_client_event_type {
        KL_CLIENT_EVENT_ADDED,
        KL_CLIENT_EVENT_MODIFIED,
        KL_CLIENT_EVENT_DELETED,
        KL_CLIENT_EVENT_BOOKMARK,
        KL_CLIENT_EVENT_ERROR, /* `obj` is a Status; the watch has ended (410: relist); stop it */
        KL_CLIENT_EVENT_TYPE__COUNT,
};

struct kl_client_watch;

/** One watch event; `obj` borrowed (shared, immutable). The callback may stop the watch. */
typedef void kl_client_watch_fn(struct kl_client_watch *w, enum kl_client_event_type t,
                                const json_t *obj, void *arg);

struct kl_client_list_opts {
        const char *label_selector; /* borrowed for the call; NULL: everything */
        const char *field_selector;
        const char *resource_version; /* watches: NULL/""/"0" start with ADDED for what exists */
        int64_t limit;                /* lists: 0 for all */
        const char *continue_token;
        bool allow_bookmarks;
};

/* The operations an implementation provides; see the kl_client_* wrappers. */
struct kl_client_ops {
        void (*get)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                    const char *name, kl_client_read_fn *cb, void *arg);
        void (*list)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                     const struct kl_client_list_opts *opts, kl_client_read_fn *cb, void *arg);
        void (*create)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                       json_t *obj, const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                       void *arg);
        void (*update)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                       const char *name, const char *sub, json_t *obj,
                       const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg);
        void (*patch)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      const char *name, const char *sub, int patch_type, json_t *patch,
                      const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg);
        void (*delete)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                       const char *name, json_t *delete_opts,
                       const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg);
        int (*watch_start)(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                           const struct kl_client_list_opts *opts, kl_client_watch_fn *cb,
                           void *arg, struct kl_client_watch **ret, struct kl_err **err);
        void (*watch_stop)(struct kl_client_watch *w);
        void (*free)(struct kl_client *c);
};

struct kl_client__recorder;

/*
 * The common head of every implementation's client (embed it first, as
 * libuv's handles do). `user` is who the writes are made as (the
 * fieldManager default and the events' reportingController).
 * Implementations fill it with kl_client_init(); kl_client_free() releases
 * it after ops->free, which frees only the implementation's own state and
 * the allocation.
 */
struct kl_client {
        const struct kl_client_ops *ops;
        uv_loop_t *loop;
        char *user;                           /* owned */
        struct kl_client__recorder *recorder; /* owned by client.c; NULL until the first event */
};

/** Fill the head (`user` copied). For implementations. */
void kl_client_init(struct kl_client *c, const struct kl_client_ops *ops, uv_loop_t *loop,
                    const char *user);

/*
 * Each wrapper calls the implementation. Ownership as the apiserver handler
 * layer: `obj`, `patch` and `delete_opts` are stolen; `ns` is NULL for
 * cluster-scoped kinds; `sub` is a subresource name ("status", "binding",
 * "eviction", "scale") or NULL; `cb` may be NULL (fire and forget; failures
 * are then logged at debug level only). `patch_type` is enum
 * kl_api_patch_type (api/patch.h).
 */
void kl_client_get(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                   const char *name, kl_client_read_fn *cb, void *arg);
void kl_client_list(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                    const struct kl_client_list_opts *opts, kl_client_read_fn *cb, void *arg);
void kl_client_create(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      json_t *obj, const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                      void *arg);
void kl_client_update(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      const char *name, const char *sub, json_t *obj,
                      const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg);
void kl_client_patch(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                     const char *name, const char *sub, int patch_type, json_t *patch,
                     const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg);
void kl_client_delete(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      const char *name, json_t *delete_opts,
                      const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg);
int kl_client_watch_start(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                          const struct kl_client_list_opts *opts, kl_client_watch_fn *cb, void *arg,
                          struct kl_client_watch **ret, struct kl_err **err);
/** NULL is a no-op. No callback runs afterwards. */
void kl_client_watch_stop(struct kl_client *c, struct kl_client_watch *w);
/**
 * Free the client. Writes still in flight complete with -ECANCELED first
 * (finished ones waiting to be reported get their real result), queued
 * reads with -ECANCELED; watches are stopped. Calls made from those
 * callbacks on this client fail at once with -ECANCELED. NULL is a no-op.
 */
void kl_client_free(struct kl_client *c);

/**
 * Record an Event (core/v1) about `involved` as upstream's event recorder
 * does: type "Normal" or "Warning", a CamelCase reason, a message (cut at
 * 1024 bytes); the source component is the client's user after its last
 * ':'. Repeats of the same (object, type, reason, message) within 10
 * minutes bump count and lastTimestamp of the existing Event instead of
 * creating another (README.md). Fire and forget: nothing is called back.
 */
void kl_client_event(struct kl_client *c, const json_t *involved, const char *type,
                     const char *reason, const char *fmt, ...) KL_PRINTF(5, 6);
/*
 * As kl_client_event(), with the source component named (the controller
 * manager's client writes for many controllers: "deployment-controller",
 * "replicaset-controller"); NULL or "": the client's. Events of different
 * components are never folded together.
 */
void kl_client_event_from(struct kl_client *c, const char *component, const json_t *involved,
                          const char *type, const char *reason, const char *fmt, ...)
        KL_PRINTF(6, 7);

/* ------------------------------------------------------------------------- */
/* Informers */

struct kl_informer;

/*
 * Event handlers, on the loop thread, after the informer's store holds the
 * change. `old` is the previous state (NULL for adds). A DELETED object is
 * its last known state.
 */
struct kl_informer_handler {
        void (*on_add)(void *arg, const json_t *obj);
        void (*on_update)(void *arg, const json_t *old, const json_t *obj);
        void (*on_delete)(void *arg, const json_t *obj);
        void *arg;
};

/*
 * An index function: the index values of `obj`, pushed onto *values with
 * kl_strv_push(); none is fine. Called on every add and update.
 */
typedef void kl_informer_index_fn(const json_t *obj, char ***values);

/* Indexes every informer has. */
#define KL_INDEX_NAMESPACE "namespace" /* metadata.namespace */
#define KL_INDEX_OWNER     "owner"     /* the uid of each ownerReference */
#define KL_INDEX_LABEL     "label"     /* "key=value" for each label */
/* Added by kl_informer_new() for pods only. */
#define KL_INDEX_NODE "node" /* spec.nodeName */

/**
 * An informer for `res` in `ns` (NULL: every namespace), optionally narrowed
 * by a label and a field selector (borrowed for the call). It does nothing
 * until kl_informer_start(). Owned by the caller.
 */
int kl_informer_new(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                    const char *label_selector, const char *field_selector,
                    struct kl_informer **ret, struct kl_err **err);
/** Add an index before starting. */
void kl_informer_add_index(struct kl_informer *inf, const char *name, kl_informer_index_fn *fn);
/** Add a handler (copied) before starting. */
void kl_informer_add_handler(struct kl_informer *inf, const struct kl_informer_handler *h);
/**
 * Start: list, then watch from the list's resourceVersion (README.md). The
 * informer is synced once the store holds the first list and the handlers
 * have seen it. An ERROR event with code 410 relists at once and reconciles
 * the store: objects no longer listed get on_delete, changed ones
 * on_update, new ones on_add. Other errors (a failed list, a dropped watch)
 * retry after a back-off, watching from the last resourceVersion seen.
 * Nothing is called from inside this call; bad selectors fail
 * kl_informer_new() already, so this returns 0.
 */
int kl_informer_start(struct kl_informer *inf, struct kl_err **err);
/** Whether the initial contents have all arrived. */
bool kl_informer_synced(const struct kl_informer *inf);
/** Called once when the informer has synced (at most one; NULL clears). Set it before start. */
void kl_informer_on_synced(struct kl_informer *inf, void (*fn)(void *arg), void *arg);
/** The resource row. */
const struct kl_api_resource *kl_informer_resource(const struct kl_informer *inf);
/**
 * Stop and free (its timer handle closes from the loop). Not from inside
 * one of its own handlers. Free informers before their client. NULL is a
 * no-op.
 */
void kl_informer_free(struct kl_informer *inf);

/** The object `ns`/`name` (ns NULL for cluster-scoped), borrowed; NULL if absent. */
const json_t *kl_informer_get(const struct kl_informer *inf, const char *ns, const char *name);
/** The object with store key "ns/name" (or "name"), borrowed; NULL if absent. */
const json_t *kl_informer_get_key(const struct kl_informer *inf, const char *key);
/** How many objects the store holds. */
size_t kl_informer_count(const struct kl_informer *inf);

/*
 * Lookups empty the vector (keeping its memory) and fill it with borrowed
 * objects, valid until the loop next runs an informer callback. `ns` NULL:
 * all. Sorted by key (ns, name) so results are deterministic.
 */
struct kl_objv {
        const json_t **items;
        size_t n, cap;
};
void kl_objv_push(struct kl_objv *v, const json_t *obj);
void kl_objv_clear(struct kl_objv *v);
static inline void kl_objv_clearp(struct kl_objv *v)
{
        kl_objv_clear(v);
}

void kl_informer_list(const struct kl_informer *inf, const char *ns, struct kl_objv *out);
/** Objects whose index `index` holds `value`. */
void kl_informer_by_index(const struct kl_informer *inf, const char *index, const char *value,
                          struct kl_objv *out);

/** The key of an object as informers and work queues use it: "ns/name" or "name". Owned. */
char *kl_client_key(const json_t *obj);
/** Split "ns/name" into its parts (owned); ns NULL for "name". */
void kl_client_key_split(const char *key, char **ret_ns, char **ret_name);

/* ------------------------------------------------------------------------- */
/* Work queues */

struct kl_workqueue;

/*
 * Process one key. Return 0 when done (the key's back-off is forgotten), a
 * negative code to retry the key after its back-off, or KL_WORKQUEUE_LATER
 * when the processing continues asynchronously: the handler then calls
 * kl_workqueue_done() itself, exactly once, when it is finished. While a
 * key is processed, adds of it are remembered and it is handed out again
 * afterwards — never twice at once.
 */
#define KL_WORKQUEUE_LATER 1
typedef int kl_workqueue_fn(struct kl_workqueue *q, const char *key, void *arg);

struct kl_workqueue_opts {
        kl_usec_t backoff_base; /* 0: 5 ms, as client-go's default controller rate limiter */
        kl_usec_t backoff_max;  /* 0: 1000 s */
        unsigned workers;       /* keys in processing at once; 0: 1 */
};

int kl_workqueue_new(uv_loop_t *loop, const char *name, const struct kl_workqueue_opts *opts,
                     kl_workqueue_fn *fn, void *arg, struct kl_workqueue **ret);
/** Queue `key` (copied); nothing if it is queued already. Processing starts from the loop. */
void kl_workqueue_add(struct kl_workqueue *q, const char *key);
/** Queue `key` after `delay` (the earliest of several delayed adds wins). */
void kl_workqueue_add_after(struct kl_workqueue *q, const char *key, kl_usec_t delay);
/** Queue `key` after its back-off, which doubles with each call until forgotten. */
void kl_workqueue_add_rate_limited(struct kl_workqueue *q, const char *key);
/** Reset the back-off of `key`. */
void kl_workqueue_forget(struct kl_workqueue *q, const char *key);
/** End an asynchronous processing (see KL_WORKQUEUE_LATER); r as the handler's return. */
void kl_workqueue_done(struct kl_workqueue *q, const char *key, int r);
/**
 * Keys queued or waiting for their delay, including keys in processing
 * that were added again meanwhile (those in processing only do not count).
 */
size_t kl_workqueue_len(const struct kl_workqueue *q);
/** Stop handing out keys and free once nothing is in processing. NULL is a no-op. */
void kl_workqueue_free(struct kl_workqueue *q);

/* ------------------------------------------------------------------------- */
/* The remote client (client-remote.c): the same interface over HTTPS */

struct kl_client_remote_options {
        const char *server;   /* "https://host:port", required; no trailing path */
        const char *ca_pem;   /* the cluster CA (PEM); NULL: the system's */
        const char *cert_pem; /* client certificate and key (PEM), or NULL */
        const char *key_pem;
        const char *token;         /* a bearer token instead of a certificate, or NULL */
        const char *user;          /* the fieldManager default and events' source; required */
        kl_usec_t connect_timeout; /* 0: 10 s */
        kl_usec_t request_timeout; /* each non-watch request; 0: 60 s */
        size_t max_response;       /* largest response (a list: all its pages); 0: 64 MiB */
        size_t max_event;          /* largest watch event line; 0: 8 MiB */
};

/**
 * A client talking to `kube-lite server` (or any Kubernetes API server)
 * over HTTPS with libcurl, on `loop`. Same semantics as the in-process
 * client: results from the loop, never from inside a call; -ECANCELED for
 * what is in flight at kl_client_free(); watch ends (a dropped connection, a
 * 410) are ERROR events carrying a Status. Non-2xx answers become negative
 * codes with the Status message: 404 -ENOENT, 409 -KL_ECONFLICT (reason
 * AlreadyExists: -EEXIST), 410 -KL_EEXPIRED, 422 -KL_EINVALID, 400 -EINVAL,
 * 401 -KL_EUNAUTHORIZED, 403 -EACCES, 429 -KL_ETOO_MANY_REQUESTS, 503
 * -KL_EUNAVAILABLE, 504 -ETIMEDOUT. A list without a limit is read in pages
 * of 500 following the continue tokens, as client-go's pager does.
 * kl_client_free() must not be called from inside a watch callback.
 */
int kl_client_remote_new(uv_loop_t *loop, const struct kl_client_remote_options *opts,
                         struct kl_client **ret, struct kl_err **err);

#endif
