/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One write of the resource handler layer (`struct op`) and what the files
 * of the write path share about it:
 *
 *   handler.c  the op machinery on the loop: submission, the store commit
 *              the worker left (op->commit), answers (op_done, on_commit)
 *   write.c    create, update and patch, computed on the pool
 *   delete.c   deletion: options, finalizers, cascades, namespaces, grace
 *
 * An op is owned by the operation from op_new() to its callback. The
 * worker functions (`kl_apiserver__op_*_work`) run on libuv's pool and
 * touch only the op and the store; the loop reads the op's results after
 * them (README.md, "Where a write runs").
 */
#ifndef KL_APISERVER_OP_INTERNAL_H
#define KL_APISERVER_OP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "apiserver/apiserver-internal.h"

enum op_verb {
        OP_CREATE,
        OP_UPDATE,
        OP_PATCH,
        OP_DELETE,
};

/* What the watch cache said of the request's namespace when the op was submitted. */
enum op_ns_state {
        NS_UNKNOWN, /* not in the cache (or not asked): the worker reads the store */
        NS_ACTIVE,
        NS_TERMINATING,
};

enum op_commit {
        COMMIT_NONE, /* done on the worker (or nothing to write) */
        COMMIT_CREATE,
        COMMIT_UPDATE,
};

struct op {
        struct kl_apiserver *s; /* borrowed; holds s->ops */
        enum op_verb verb;
        const struct kl_api_resource *res; /* static */
        /*
         * static: the version an apply is made in when it is a view of
         * res's storage (autoscaling/v1), else NULL (convert-internal.h)
         */
        const struct kl_api_resource *view;
        char *ns;     /* owned */
        char *name;   /* owned */
        char *sub;    /* owned */
        json_t *body; /* owned: object, patch or DeleteOptions */
        int patch_type;
        bool dry_run;
        bool ns_cleanup;         /* deleting a namespace's content: do not re-check the namespace */
        bool force;              /* server-side apply takes conflicting fields */
        const char *cascade_uid; /* borrowed: the owner whose dependents are being deleted */
        char *field_manager;     /* owned */
        int field_validation;
        kl_apiserver_write_fn *cb;
        void *arg;
        /* Results, written by the worker, read by the loop after it. */
        int r;
        struct kl_err *err; /* owned */
        json_t *result;     /* owned */
        json_t *failure;    /* owned: the whole Status of a failure that has details (422) */
        json_t *warnings;   /* owned: array of warning texts, or NULL */
        int status;
        int64_t rev;
        /*
         * The store write the worker computed and left to the loop
         * (kl_store_submit_*()): the worker never waits for a commit, so
         * writes of many requests share one commit group.
         */
        enum op_commit commit;
        char *key;                 /* owned: the storage key */
        struct kl_buf value;       /* owned: the canonical bytes to write */
        int64_t expected_rev;      /* update: the mod revision read */
        json_t *next;              /* owned: update: the new object, without its new revision */
        bool pinned;               /* update: a lost race is a 409, not a retry */
        int attempts;              /* update: read-modify-write rounds so far */
        bool blocking;             /* update: lost a race: the retries write from the worker */
        enum op_ns_state ns_state; /* of op->ns, looked up on the loop */
};

static inline bool has_status_sub(const struct kl_api_resource *res)
{
        return kl_api_resource_subresource(res, "status") != NULL;
}

static inline bool is_core(const struct kl_api_resource *res, const char *plural)
{
        return *res->group == '\0' && kl_streq(res->plural, plural);
}

/* Give back what service_allocate() took for `svc` (write.c) when its write fails or it goes. */
static inline void service_allocate_undo(struct op *op, const json_t *svc, const json_t *old)
{
        struct kl_apiserver__service_alloc a = { op->s, op->res, op->dry_run, NULL };

        kl_apiserver__service_allocate_undo(&a, svc, old);
}

/* write.c */

/* `obj` as the store holds it: canonical JSON without metadata.resourceVersion (DESIGN §4). */
int kl_apiserver__encode_canonical(const json_t *obj, struct kl_buf *out, struct kl_err **err);
/* The worker of a create, an update (PUT) and a patch (apply creates when absent). */
void kl_apiserver__op_create_work(void *arg);
void kl_apiserver__op_update_work(void *arg);
void kl_apiserver__op_patch_work(void *arg);
/* The answer to a create the store refused with `r` (sets op->err, returns r's error). */
int kl_apiserver__op_create_failed(struct op *op, const char *key, const char *name, int r);
/* The answer to a create the store committed at `rev`. */
void kl_apiserver__op_create_done(struct op *op, int64_t rev);
/* The answer to an update the store committed at `rev`; takes `next` (NULL for a binding). */
void kl_apiserver__op_update_done(struct op *op, json_t *next, int64_t rev);

/* delete.c */

/* The worker of a delete. */
void kl_apiserver__op_delete_work(void *arg);
/*
 * Is a deletion due: marked, no finalizers, no grace period left (a
 * namespace also waits for spec.finalizers)?
 */
bool kl_apiserver__deletion_done(const struct kl_api_resource *res, const json_t *obj);
/*
 * Remove `key` (stored as `obj` at `mod_rev`) and do what its removal
 * implies (Service allocations, namespace finishing, waiting owners).
 * -KL_ECONFLICT on a lost race.
 */
int kl_apiserver__op_store_remove(struct op *op, const struct kl_api_resource *res, const char *key,
                                  const json_t *obj, int64_t mod_rev, int64_t *ret_rev);

#endif
