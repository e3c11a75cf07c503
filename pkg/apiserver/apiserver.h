/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apiserver: the Kubernetes v1.32 API that the real kubectl drives (DESIGN
 * §3, shared/docs/kubectl-contract.md), served over TLS from the store.
 *
 * Two layers (README.md has the design and the reasons):
 *
 *   the resource handler layer  get/list/watch/create/update/patch/delete on
 *                               (resource row, namespace, name, options):
 *                               object lifecycle (uid, timestamps,
 *                               generation, resourceVersion), CAS, dry run,
 *                               finalizers, status subresources. Reads come
 *                               from the watch cache, writes go to the store
 *                               on worker threads. The in-process client of
 *                               the controllers will call this layer.
 *   the HTTP route layer        URL and query parsing, authentication and
 *                               authorization, content negotiation (JSON,
 *                               YAML, protobuf in; JSON or Table out),
 *                               discovery, OpenAPI and Status rendering.
 *
 * Threads: one loop thread owns everything here (DESIGN §2). Every function
 * must be called on the loop thread given to kl_apiserver_new(), except
 * kl_apiserver_new() itself, which runs before the loop does (it does the
 * blocking start-up work: certificates, opening the store, the first list).
 *
 * Ownership follows STYLE R5.4 and jansson's words (R9.1), stated per
 * function below.
 */
#ifndef KL_APISERVER_APISERVER_H
#define KL_APISERVER_APISERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "api/resource.h"
#include "base/base.h"
#include "store/store.h"

struct kl_apiserver;

struct kl_apiserver_options {
        const char *data_dir;        /* required; the store and TLS files live below it */
        const char *bind_address;    /* NULL: "0.0.0.0" */
        uint16_t port;               /* 0: an ephemeral port (tests), see kl_apiserver_port() */
        const char *const *tls_sans; /* extra serving SANs, NULL-terminated; may be NULL */
        const char *kubeconfig;      /* where to write the admin kubeconfig; NULL: nowhere */
        unsigned kubeconfig_mode;    /* 0: 0600 */
        const char *token_file;      /* static bearer tokens (CSV); NULL: none */
        const char *service_cidr;    /* Service cluster IPs; NULL: "10.43.0.0/16" (k3s's) */
        /* The cluster DNS address (inside service_cidr): the kube-system/kube-dns Service is
         * created there at start when missing. NULL: no kube-dns Service. */
        const char *cluster_dns;
        enum kl_store_sync sync;
};

/**
 * Start a server on `loop`: ensure the certificates under
 * <data_dir>/server/tls, open the store at <data_dir>/server/db/state.db,
 * create the default namespaces on first start, fill the watch cache, listen,
 * and write the kubeconfig (after listening, so that it names the real port).
 * Blocks (file and database I/O): call it before the loop runs, on the thread
 * that will run it. On success *ret is the caller's until kl_apiserver_close().
 */
int kl_apiserver_new(uv_loop_t *loop, const struct kl_apiserver_options *opts,
                     struct kl_apiserver **ret, struct kl_err **err);

/** The port the server listens on. */
int kl_apiserver_port(const struct kl_apiserver *s);

typedef void kl_apiserver_closed_fn(void *userdata);

/**
 * Shut down: stop accepting, end every watch, let requests in progress finish
 * for up to `grace`, wait for writes on worker threads, close the store. `cb`
 * (may be NULL) runs when everything is closed; `s` is freed right after it.
 * Then the loop has nothing left of the server. Call exactly once.
 */
void kl_apiserver_close(struct kl_apiserver *s, kl_usec_t grace, kl_apiserver_closed_fn *cb,
                        void *userdata);

/* ------------------------------------------------------------------------- */
/* The resource handler layer */

/** Options common to every write (the query parameters of the same names). */
struct kl_apiserver_write_opts {
        bool dry_run;              /* dryRun=All: validate and answer, do not persist */
        const char *field_manager; /* borrowed for the call */
        int field_validation;      /* enum kl_api_field_validation; Strict by default */
        bool force;                /* server-side apply conflicts */
};

/** What a finished write hands back. */
struct kl_apiserver_result {
        int status;             /* HTTP status of success: 200, 201 */
        json_t *obj;            /* borrowed for the callback: the object, or a Status for deletes */
        int64_t rev;            /* store revision of the write (0 for dry runs and no-ops) */
        const json_t *warnings; /* borrowed: warning texts (fieldValidation=Warn), or NULL */
};

/**
 * Called on the loop thread when a write has finished. `r` < 0 is the error
 * (with `err`, borrowed for the call, carrying upstream's message and the
 * StatusReason by its code); `res` is then NULL, or, for failures whose
 * Status has details (422 with causes, 409 apply conflicts), filled with
 * `obj` the whole Status to answer with. On success `res` is filled. When
 * the write changed the store, the watch cache already holds the change (a
 * client that reads after this sees its write).
 */
typedef void kl_apiserver_write_fn(void *arg, int r, const struct kl_apiserver_result *res,
                                   const struct kl_err *err);

/**
 * Read one object from the watch cache. On success *ret_obj is new, with
 * metadata.resourceVersion set. -ENOENT with upstream's `pods "x" not found`.
 */
int kl_apiserver_get(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                     const char *name, json_t **ret_obj, struct kl_err **err);

/** List options (the query parameters of the same names); strings borrowed. */
struct kl_apiserver_list_opts {
        const char *label_selector;
        const char *field_selector;
        const char *continue_token;
        const char *resource_version;
        int64_t limit; /* 0: all */
};

/**
 * List from the watch cache: `ns` NULL for all namespaces. On success
 * *ret_list is a new `<Kind>List` object, items in key order (namespace,
 * name), metadata.resourceVersion the cache's revision and continue set
 * when `limit` cut the list (the same pages and tokens as the HTTP lists).
 * Only the cache's current revision is served: a continue token made at
 * another revision gives -KL_EEXPIRED (410); reads at older revisions are the
 * HTTP route's store-backed path. Errors: -EINVAL (bad selector or token, 400).
 */
int kl_apiserver_list(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                      const struct kl_apiserver_list_opts *opts, json_t **ret_list,
                      struct kl_err **err);

/**
 * Create `obj` (stolen) in `ns` (NULL for cluster-scoped kinds, or to take
 * metadata.namespace). `cb(arg, ...)` runs on the loop thread later, exactly
 * once, also when the server is closing.
 */
void kl_apiserver_create(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         json_t *obj, const struct kl_apiserver_write_opts *opts,
                         kl_apiserver_write_fn *cb, void *arg);

/**
 * Replace object `name` (or its subresource `sub`: "status", "scale"; NULL
 * for the object) with `obj` (stolen). A metadata.resourceVersion in `obj`
 * makes it compare-and-swap (409 Conflict worded as upstream).
 */
void kl_apiserver_update(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         const char *name, const char *sub, json_t *obj,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg);

/**
 * Patch object `name` (or its subresource `sub`) with `patch` (stolen) of
 * type `type` (enum kl_api_patch_type). Read, apply, write with CAS; retried
 * on conflicts unless the patch carries a resourceVersion. An
 * apply-patch+yaml body is server-side apply: it creates an absent object
 * (201), records field ownership under opts->field_manager and fails with
 * 409 (the Status with details.causes in the result) on fields another
 * manager owns, unless opts->force.
 */
void kl_apiserver_patch(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                        const char *name, const char *sub, int type, json_t *patch,
                        const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                        void *arg);

/**
 * Delete object `name`. `delete_opts` (stolen, may be NULL) is a
 * DeleteOptions object: propagationPolicy, gracePeriodSeconds,
 * preconditions (409 when they do not hold), dryRun. Objects held by
 * finalizers (Foreground and Orphan add theirs), pods bound to a node in
 * their grace period and namespaces with content stay, with
 * deletionTimestamp set, and the result is the object; otherwise it is the
 * deleted object for pods, services and namespaces and a Success Status for
 * the rest. README.md "Deletion" has the rules, including what is done
 * inline until the garbage collector and the namespace controller exist.
 */
void kl_apiserver_delete(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         const char *name, json_t *delete_opts,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg);

/* Watches ------------------------------------------------------------------ */

enum kl_apiserver_event_type {
        KL_APISERVER_EVENT_ADDED,
        KL_APISERVER_EVENT_MODIFIED,
        KL_APISERVER_EVENT_DELETED,
        KL_APISERVER_EVENT_BOOKMARK,
        KL_APISERVER_EVENT_ERROR, /* `obj` is a Status; the watch has ended */
        KL_APISERVER_EVENT_TYPE__COUNT,
        KL_APISERVER_EVENT_TYPE__INVALID = -EINVAL,
};

/* "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR". */
const char *kl_apiserver_event_type_name(enum kl_apiserver_event_type t);

struct kl_apiserver_watch;

/**
 * One event, on the loop thread. `obj` is borrowed for the call (with
 * metadata.resourceVersion set). The callback may stop the watch.
 */
typedef void kl_apiserver_watch_fn(struct kl_apiserver_watch *w, enum kl_apiserver_event_type t,
                                   const json_t *obj, void *arg);

struct kl_apiserver_watch_opts {
        const char *label_selector; /* borrowed for the call */
        const char *field_selector;
        const char *resource_version; /* "" or "0": synthetic ADDED first; N: changes after N */
        bool allow_bookmarks;
        /*
         * When the owner ends the watch (timeoutSeconds; 0: no deadline). With
         * bookmarks one goes out 2 s before it, as upstream's cacher does, so a
         * client resumes from a fresh resourceVersion.
         */
        uint64_t timeout_sec;
};

/**
 * Watch `res` in `ns` (NULL: everywhere). Events that are already due (the
 * synthetic ADDED, the replay of a recent window) are delivered from the
 * loop soon after, never from inside this call. A resourceVersion older than
 * the cache's window delivers one ERROR event (410 Expired) and nothing more.
 * Errors: -EINVAL for bad selectors. *ret is the caller's until
 * kl_apiserver_watch_stop().
 */
int kl_apiserver_watch_start(struct kl_apiserver *s, const struct kl_api_resource *res,
                             const char *ns, const struct kl_apiserver_watch_opts *opts,
                             kl_apiserver_watch_fn *cb, void *arg, struct kl_apiserver_watch **ret,
                             struct kl_err **err);

/** Stop and free; no callback runs afterwards. NULL is a no-op. */
void kl_apiserver_watch_stop(struct kl_apiserver_watch *w);

/* ------------------------------------------------------------------------- */
/* The in-process client */

struct kl_client;

/**
 * A client (client/client.h) that calls the resource handler layer of `s`
 * directly, writing as `user` (the default fieldManager; "system:..." names
 * give Events the part after the last ':' as source component). Results come
 * from the loop, never from inside a call. When a write's callback runs,
 * every informer on `s` already holds the change (client.c says how). Free
 * it with kl_client_free() before kl_apiserver_close(): closing the server
 * ends the watches under its clients. Owned by the caller.
 */
struct kl_client *kl_apiserver_client_new(struct kl_apiserver *s, const char *user);

#endif
