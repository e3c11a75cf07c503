/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-process client (client/client.h): the controllers' and the
 * scheduler's API calls go straight to the resource handler layer, with the
 * same defaulting, validation, admission and watch semantics as HTTP and no
 * socket or JSON text in between.
 *
 * Results come from the loop, never from inside a call: reads are queued
 * and run when delivered (so a list is as fresh as it can be), and write
 * results are held in a queue until delivered.
 *
 * Ordering guarantee: when a write's callback runs, every informer on the
 * same server already holds the change. What makes it so:
 *
 *   - The handler layer answers a write only once the watch cache has
 *     applied the write's revision (kl_apiserver__wait_rev()), and the cache
 *     hands each change to its watchers synchronously, inside
 *     kl_apiserver__cache_apply(). An informer whose watch is linked to the
 *     cache therefore has the change before the write's callback can run.
 *   - Three holes remain, and the gate below closes them: the handler's
 *     catch-up wait is bounded (KL_APISERVER_CATCH_UP_USEC), a watch is
 *     linked to the cache only by the server's `kick` timer some time after
 *     kl_apiserver_watch_start(), and an informer that relists has no watch
 *     until its list has been delivered.
 *
 * The gate is one per server, shared by every in-process client of it. A
 * finished write is delivered only when (1) the cache's revision has reached
 * the write's, (2) no watch is waiting for the kick (the kick timer is not
 * active) and (3) no read of any in-process client is queued: reads are
 * always run before the writes held with them, so an informer's relist and
 * its watch start happen before a write it must see is reported.
 *
 * Ownership at free (kl_client_free()): writes still at the server complete
 * with -ECANCELED there and then; their request stays allocated, detached
 * from the client, until the server calls back, and is then freed without
 * touching anything else. Writes already finished but held get their real
 * result. Queued reads complete with -ECANCELED; watches are stopped.
 *
 * The gates are kept in a process-wide list (loop-thread state: a server and
 * its clients live on one loop, and no two loops share a server).
 */
#include <stdlib.h>
#include <string.h>

#include "api/schema.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/evict-internal.h"
#include "client/client.h"

/* How often a write held for the cache's catch-up (rare: over 5 s behind) looks again. */
#define GATE_RETRY_MSEC 100

struct inproc;

enum read_kind {
        READ_GET,
        READ_LIST,
};

struct read_req {
        struct read_req *next; /* in the gate's read queue */
        struct inproc *c;      /* borrowed */
        enum read_kind kind;
        const struct kl_api_resource *res;
        char *ns;                                                                  /* owned */
        char *name;                                                                /* owned (get) */
        char *label_selector, *field_selector, *resource_version, *continue_token; /* owned */
        int64_t limit;
        kl_client_read_fn *cb;
        void *arg;
};

struct write_op {
        struct write_op *next;            /* in the gate's write queue while held */
        struct write_op *c_next, *c_prev; /* in the client's list of writes */
        struct inproc *c;                 /* borrowed; NULL once the client is freed */
        kl_client_write_fn *cb;
        void *arg;
        bool held; /* finished: the result below waits in the gate */
        int r;
        json_t *obj;        /* ref: the result object */
        struct kl_err *err; /* owned */
        int64_t rev;
};

struct gate {
        struct gate *next;      /* in `gates` */
        struct kl_apiserver *s; /* borrowed: outlives every client of it */
        unsigned refs;          /* clients using it */
        uv_idle_t idle;         /* owned: delivers */
        uv_timer_t retry;       /* owned: looks again at writes waiting for the cache */
        unsigned pending_closes;
        struct read_req *reads, **reads_tail;
        struct write_op *writes, **writes_tail;
};

struct kl_client_watch {
        struct kl_client_watch *next, *prev; /* in the client's list */
        struct inproc *c;                    /* borrowed */
        struct kl_apiserver_watch *aw;       /* owned; NULL once the watch has ended */
        kl_client_watch_fn *cb;
        void *arg;
};

struct inproc {
        struct kl_client head;   /* first (client.h) */
        struct kl_apiserver *s;  /* borrowed */
        struct gate *gate;       /* ref */
        struct write_op *writes; /* in flight or held */
        struct kl_client_watch *watches;
        bool closing;
};

static struct gate *gates;

static const struct kl_client_ops inproc_ops;

static struct inproc *downcast(struct kl_client *c)
{
        kl_assert(c->ops == &inproc_ops);
        return (struct inproc *)c;
}

/* ------------------------------------------------------------------------- */
/* The gate */

static void deliver(struct gate *g);

static void on_gate_idle(uv_idle_t *h)
{
        deliver(kl_container_of(h, struct gate, idle));
}

static void on_gate_retry(uv_timer_t *t)
{
        deliver(kl_container_of(t, struct gate, retry));
}

static void gate_wake(struct gate *g)
{
        (void)uv_idle_start(&g->idle, on_gate_idle);
}

static struct gate *gate_ref(struct kl_apiserver *s)
{
        struct gate *g;

        for (g = gates; g; g = g->next)
                if (g->s == s) {
                        g->refs++;
                        return g;
                }
        g = kl_new0(struct gate);
        g->s = s;
        g->refs = 1;
        g->reads_tail = &g->reads;
        g->writes_tail = &g->writes;
        kl_assert(uv_idle_init(s->loop, &g->idle) == 0);
        kl_assert(uv_timer_init(s->loop, &g->retry) == 0);
        g->idle.data = g;
        g->retry.data = g;
        g->next = gates;
        gates = g;
        return g;
}

static void on_gate_closed(uv_handle_t *h)
{
        struct gate *g = h->data;

        if (--g->pending_closes == 0)
                free(g);
}

static void gate_unref(struct gate *g)
{
        struct gate **pp;

        kl_assert(g->refs > 0);
        if (--g->refs > 0)
                return;
        kl_assert(!g->reads && !g->writes);
        for (pp = &gates; *pp != g; pp = &(*pp)->next)
                ;
        *pp = g->next;
        g->pending_closes = 2;
        uv_close((uv_handle_t *)&g->idle, on_gate_closed);
        uv_close((uv_handle_t *)&g->retry, on_gate_closed);
}

static void read_free(struct read_req *q)
{
        free(q->ns);
        free(q->name);
        free(q->label_selector);
        free(q->field_selector);
        free(q->resource_version);
        free(q->continue_token);
        free(q);
}

static void read_run(struct read_req *q)
{
        struct kl_apiserver *s = q->c->s;
        kl_autoerr struct kl_err *e = NULL;
        json_t *obj = NULL;
        int r;

        if (q->kind == READ_GET) {
                r = kl_apiserver_get(s, q->res, q->ns, q->name, &obj, &e);
        } else {
                struct kl_apiserver_list_opts o = { .label_selector = q->label_selector,
                                                    .field_selector = q->field_selector,
                                                    .continue_token = q->continue_token,
                                                    .resource_version = q->resource_version,
                                                    .limit = q->limit };

                r = kl_apiserver_list(s, q->res, q->ns, &o, &obj, &e);
        }
        q->cb(q->arg, r, r >= 0 ? obj : NULL, e);
}

static void op_unlink(struct write_op *op)
{
        if (op->c_prev)
                op->c_prev->c_next = op->c_next;
        else if (op->c)
                op->c->writes = op->c_next;
        if (op->c_next)
                op->c_next->c_prev = op->c_prev;
        op->c_next = op->c_prev = NULL;
}

static void op_free(struct write_op *op)
{
        json_decref(op->obj);
        kl_err_free(op->err);
        free(op);
}

/* Whether the held write `op` may be reported now (see the top of the file). */
static bool write_ready(const struct gate *g, const struct write_op *op)
{
        struct kl_apiserver *s = g->s;

        if (g->reads)
                return false;
        if (s->closing)
                return true;
        return !uv_is_active((const uv_handle_t *)&s->kick) && op->rev <= s->rev;
}

static void deliver(struct gate *g)
{
        bool waiting_rev = false;

        for (;;) {
                struct write_op *op;

                /* Reads first: they may start the watches a held write must wait for. */
                if (g->reads) {
                        struct read_req *q = g->reads;

                        g->reads = q->next;
                        if (!g->reads)
                                g->reads_tail = &g->reads;
                        read_run(q);
                        read_free(q);
                        continue;
                }
                op = g->writes;
                if (!op)
                        break;
                if (!write_ready(g, op)) {
                        waiting_rev = !uv_is_active((const uv_handle_t *)&g->s->kick);
                        break;
                }
                g->writes = op->next;
                if (!g->writes)
                        g->writes_tail = &g->writes;
                op_unlink(op);
                op->cb(op->arg, op->r, op->r >= 0 ? op->obj : NULL, op->err);
                op_free(op);
        }
        /*
         * Waiting for the kick: the idle handle keeps the loop from blocking,
         * and the kick (a due timer) runs before idle handles do. Waiting for
         * the cache (only past the handler's bounded catch-up): look again
         * on a timer instead of spinning.
         */
        if (!g->reads && (!g->writes || waiting_rev))
                (void)uv_idle_stop(&g->idle);
        if (g->writes && waiting_rev)
                (void)uv_timer_start(&g->retry, on_gate_retry, GATE_RETRY_MSEC, 0);
}

/* ------------------------------------------------------------------------- */
/* Reads */

static void queue_read(struct inproc *c, struct read_req *q)
{
        struct gate *g = c->gate;

        if (c->closing) {
                kl_autoerr struct kl_err *e = NULL;

                (void)kl_err_set_msg(&e, -ECANCELED, "the client is closing");
                q->cb(q->arg, -ECANCELED, NULL, e);
                read_free(q);
                return;
        }
        q->c = c;
        q->next = NULL;
        *g->reads_tail = q;
        g->reads_tail = &q->next;
        gate_wake(g);
}

static void inproc_get(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                       const char *name, kl_client_read_fn *cb, void *arg)
{
        struct inproc *c = downcast(cl);
        struct read_req *q = kl_new0(struct read_req);

        q->kind = READ_GET;
        q->res = res;
        q->ns = ns ? kl_strdup(ns) : NULL;
        q->name = kl_strdup(name);
        q->cb = cb;
        q->arg = arg;
        queue_read(c, q);
}

static char *dup_or_null(const char *s)
{
        return kl_isempty(s) ? NULL : kl_strdup(s);
}

static void inproc_list(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                        const struct kl_client_list_opts *opts, kl_client_read_fn *cb, void *arg)
{
        struct inproc *c = downcast(cl);
        struct read_req *q = kl_new0(struct read_req);

        q->kind = READ_LIST;
        q->res = res;
        q->ns = ns ? kl_strdup(ns) : NULL;
        q->label_selector = dup_or_null(opts->label_selector);
        q->field_selector = dup_or_null(opts->field_selector);
        q->resource_version = dup_or_null(opts->resource_version);
        q->continue_token = dup_or_null(opts->continue_token);
        q->limit = opts->limit;
        q->cb = cb;
        q->arg = arg;
        queue_read(c, q);
}

/* ------------------------------------------------------------------------- */
/* Writes */

static void on_write_done(void *arg, int r, const struct kl_apiserver_result *res,
                          const struct kl_err *err)
{
        struct write_op *op = arg;
        struct gate *g;

        if (!op->c) {
                /* The client is gone: its caller had -ECANCELED already. */
                op_free(op);
                return;
        }
        op->held = true;
        op->r = r;
        op->obj = res && res->obj ? json_incref(res->obj) : NULL;
        op->rev = res && r >= 0 ? res->rev : 0;
        if (r < 0)
                (void)kl_err_set_msg(&op->err, r, "%s", err ? kl_err_msg(err) : kl_strerror(r));
        g = op->c->gate;
        op->next = NULL;
        *g->writes_tail = op;
        g->writes_tail = &op->next;
        gate_wake(g);
}

/* A new write of `c`, or NULL when the client is closing (cb has been told). */
static struct write_op *op_new(struct inproc *c, kl_client_write_fn *cb, void *arg,
                               struct kl_apiserver_write_opts *ret_wo,
                               const struct kl_client_write_opts *opts)
{
        struct write_op *op;

        if (c->closing) {
                kl_autoerr struct kl_err *e = NULL;

                (void)kl_err_set_msg(&e, -ECANCELED, "the client is closing");
                cb(arg, -ECANCELED, NULL, e);
                return NULL;
        }
        op = kl_new0(struct write_op);
        op->c = c;
        op->cb = cb;
        op->arg = arg;
        op->c_next = c->writes;
        if (c->writes)
                c->writes->c_prev = op;
        c->writes = op;
        /* Our own code writes here: no unknown fields to warn about (fieldValidation=Ignore). */
        *ret_wo = (struct kl_apiserver_write_opts){
                .dry_run = opts && opts->dry_run,
                .field_manager = opts && !kl_isempty(opts->field_manager) ? opts->field_manager
                                                                          : c->head.user,
                .field_validation = KL_API_FIELD_VALIDATION_IGNORE,
        };
        return op;
}

static void inproc_create(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                          json_t *obj, const struct kl_client_write_opts *opts,
                          kl_client_write_fn *cb, void *arg)
{
        struct inproc *c = downcast(cl);
        struct kl_apiserver_write_opts wo;
        struct write_op *op = op_new(c, cb, arg, &wo, opts);

        if (!op) {
                json_decref(obj);
                return;
        }
        kl_apiserver_create(c->s, res, ns, obj, &wo, on_write_done, op);
}

static void inproc_update(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                          const char *name, const char *sub, json_t *obj,
                          const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                          void *arg)
{
        struct inproc *c = downcast(cl);
        struct kl_apiserver_write_opts wo;
        struct write_op *op = op_new(c, cb, arg, &wo, opts);

        if (!op) {
                json_decref(obj);
                return;
        }
        if (sub && kl_streq(sub, "eviction")) {
                /* As the HTTP route: PodDisruptionBudgets first, then the delete. */
                (void)res;
                kl_apiserver__evict(c->s, ns, name, obj, &wo, on_write_done, op);
                return;
        }
        /* "binding" is pods/binding, "status" and "scale" their subresources, as over HTTP. */
        kl_apiserver_update(c->s, res, ns, name, sub, obj, &wo, on_write_done, op);
}

static void inproc_patch(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                         const char *name, const char *sub, int patch_type, json_t *patch,
                         const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg)
{
        struct inproc *c = downcast(cl);
        struct kl_apiserver_write_opts wo;
        struct write_op *op = op_new(c, cb, arg, &wo, opts);

        if (!op) {
                json_decref(patch);
                return;
        }
        kl_apiserver_patch(c->s, res, ns, name, sub, patch_type, patch, &wo, on_write_done, op);
}

static void inproc_delete(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                          const char *name, json_t *delete_opts,
                          const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                          void *arg)
{
        struct inproc *c = downcast(cl);
        struct kl_apiserver_write_opts wo;
        struct write_op *op = op_new(c, cb, arg, &wo, opts);

        if (!op) {
                json_decref(delete_opts);
                return;
        }
        kl_apiserver_delete(c->s, res, ns, name, delete_opts, &wo, on_write_done, op);
}

/* ------------------------------------------------------------------------- */
/* Watches */

static void on_watch_event(struct kl_apiserver_watch *aw, enum kl_apiserver_event_type t,
                           const json_t *obj, void *arg)
{
        struct kl_client_watch *w = arg;
        enum kl_client_event_type ct;

        (void)aw;
        switch (t) {
        case KL_APISERVER_EVENT_ADDED:
                ct = KL_CLIENT_EVENT_ADDED;
                break;
        case KL_APISERVER_EVENT_MODIFIED:
                ct = KL_CLIENT_EVENT_MODIFIED;
                break;
        case KL_APISERVER_EVENT_DELETED:
                ct = KL_CLIENT_EVENT_DELETED;
                break;
        case KL_APISERVER_EVENT_BOOKMARK:
                ct = KL_CLIENT_EVENT_BOOKMARK;
                break;
        default:
                /*
                 * The watch has ended: stop the server's side now. A watch
                 * that ended expired is kept "pending" by the server, and its
                 * kick would begin it again, and fail again, for as long as
                 * it is not stopped.
                 */
                kl_apiserver_watch_stop(w->aw);
                w->aw = NULL;
                ct = KL_CLIENT_EVENT_ERROR;
                break;
        }
        /* The callback may stop (free) `w`: nothing touches it afterwards. */
        w->cb(w, ct, obj, w->arg);
}

static int inproc_watch_start(struct kl_client *cl, const struct kl_api_resource *res,
                              const char *ns, const struct kl_client_list_opts *opts,
                              kl_client_watch_fn *cb, void *arg, struct kl_client_watch **ret,
                              struct kl_err **err)
{
        struct inproc *c = downcast(cl);
        struct kl_apiserver_watch_opts wo = { .label_selector = opts->label_selector,
                                              .field_selector = opts->field_selector,
                                              .resource_version = opts->resource_version,
                                              .allow_bookmarks = opts->allow_bookmarks };
        struct kl_client_watch *w;
        int r;

        if (c->closing)
                return kl_err_set_msg(err, -ECANCELED, "the client is closing");
        w = kl_new0(struct kl_client_watch);
        w->c = c;
        w->cb = cb;
        w->arg = arg;
        r = kl_apiserver_watch_start(c->s, res, ns, &wo, on_watch_event, w, &w->aw, err);
        if (r < 0) {
                free(w);
                return r;
        }
        w->next = c->watches;
        if (c->watches)
                c->watches->prev = w;
        c->watches = w;
        *ret = w;
        return 0;
}

static void inproc_watch_stop(struct kl_client_watch *w)
{
        struct inproc *c = w->c;

        kl_apiserver_watch_stop(w->aw);
        if (w->prev)
                w->prev->next = w->next;
        else
                c->watches = w->next;
        if (w->next)
                w->next->prev = w->prev;
        free(w);
}

/* ------------------------------------------------------------------------- */
/* Life cycle */

static void inproc_free(struct kl_client *cl)
{
        struct inproc *c = downcast(cl);
        struct gate *g = c->gate;
        struct read_req **rp;
        struct write_op **wp;

        c->closing = true;
        for (struct kl_client_watch *w = c->watches, *next; w; w = next) {
                next = w->next;
                kl_apiserver_watch_stop(w->aw);
                free(w);
        }
        c->watches = NULL;
        /* Queued reads of this client: -ECANCELED, in order. */
        for (rp = &g->reads; *rp;) {
                struct read_req *q = *rp;
                kl_autoerr struct kl_err *e = NULL;

                if (q->c != c) {
                        rp = &q->next;
                        continue;
                }
                *rp = q->next;
                (void)kl_err_set_msg(&e, -ECANCELED, "the client is closing");
                q->cb(q->arg, -ECANCELED, NULL, e);
                read_free(q);
        }
        g->reads_tail = &g->reads;
        while (*g->reads_tail)
                g->reads_tail = &(*g->reads_tail)->next;
        /* Held writes of this client: their real result. */
        for (wp = &g->writes; *wp;) {
                struct write_op *op = *wp;

                if (op->c != c) {
                        wp = &op->next;
                        continue;
                }
                *wp = op->next;
                op_unlink(op);
                op->cb(op->arg, op->r, op->r >= 0 ? op->obj : NULL, op->err);
                op_free(op);
        }
        g->writes_tail = &g->writes;
        while (*g->writes_tail)
                g->writes_tail = &(*g->writes_tail)->next;
        /* Writes still at the server: -ECANCELED now; the server's callback frees them. */
        while (c->writes) {
                struct write_op *op = c->writes;
                kl_autoerr struct kl_err *e = NULL;

                op_unlink(op);
                op->c = NULL;
                (void)kl_err_set_msg(&e, -ECANCELED, "the client is closing");
                op->cb(op->arg, -ECANCELED, NULL, e);
        }
        gate_unref(g);
        free(c);
}

static const struct kl_client_ops inproc_ops = {
        .get = inproc_get,
        .list = inproc_list,
        .create = inproc_create,
        .update = inproc_update,
        .patch = inproc_patch,
        .delete = inproc_delete,
        .watch_start = inproc_watch_start,
        .watch_stop = inproc_watch_stop,
        .free = inproc_free,
};

struct kl_client *kl_apiserver_client_new(struct kl_apiserver *s, const char *user)
{
        struct inproc *c = kl_new0(struct inproc);

        kl_client_init(&c->head, &inproc_ops, s->loop, user);
        c->s = s;
        c->gate = gate_ref(s);
        return &c->head;
}
