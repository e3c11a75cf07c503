/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The controller manager (ctrl-internal.h has the contract): one shared
 * informer per kind, one work queue per controller, and the performing of
 * the actions a sync returns.
 *
 * Start-up: every informer an enabled controller watches or reads is created
 * and started; events that arrive before all of them have synced are not
 * dispatched, because the full pass that follows (every object of every
 * watched informer offered to `enqueue` as an add) covers them. Only then do
 * the work queues hand out keys, so no controller acts on a half-filled
 * view (a GC that has not seen an owner yet must not delete its dependents).
 *
 * One sync: the controller's sync appends actions; the manager issues them
 * all at once through the client and ends the key when the last has
 * finished (KL_WORKQUEUE_LATER). The in-process client updates the
 * informers before a write's callback runs, so the next sync of the key
 * sees its own writes; events that arrived meanwhile queue the key again.
 * A failed write (conflict, already exists, gone) retries the key after its
 * back-off; the cause is logged at debug level, as upstream's controllers
 * do for the expected races, and at warning level otherwise.
 */
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

/* Keys of one controller processed at once (kube-controller-manager's --concurrent-*-syncs). */
#define CTRL_WORKERS 5

struct kl_ctrl {
        struct kl_ctrl_manager *m;
        const struct kl_ctrl_def *def;
        struct kl_workqueue *q;
        const char *component; /* events' source: the last part of def->user */
};

struct inf_slot {
        struct kl_ctrl_manager *m;
        enum kl_ctrl_inf i;
};

struct kl_ctrl_manager {
        struct kl_client *client; /* borrowed */
        struct kl_controllers_options opts;
        struct kl_informer *inf[KL_CTRL_INF__COUNT];
        struct inf_slot slots[KL_CTRL_INF__COUNT];
        struct kl_ctrl *ctrls;
        size_t n_ctrls;
        unsigned unsynced; /* informers still filling */
        unsigned inflight; /* batches of writes not finished */
        bool running;      /* all synced: events are dispatched, queues run */
        bool closing;      /* kl_controllers_free() was called: free at inflight 0 */
};

struct kl_controllers {
        struct kl_ctrl_manager m;
};

static const struct {
        const char *group, *plural;
} inf_rows[KL_CTRL_INF__COUNT] = {
        [KL_CTRL_INF_PODS] = { "", "pods" },
        [KL_CTRL_INF_NODES] = { "", "nodes" },
        [KL_CTRL_INF_NAMESPACES] = { "", "namespaces" },
        [KL_CTRL_INF_SERVICES] = { "", "services" },
        [KL_CTRL_INF_ENDPOINTS] = { "", "endpoints" },
        [KL_CTRL_INF_ENDPOINTSLICES] = { "discovery.k8s.io", "endpointslices" },
        [KL_CTRL_INF_SERVICEACCOUNTS] = { "", "serviceaccounts" },
        [KL_CTRL_INF_REPLICASETS] = { "apps", "replicasets" },
        [KL_CTRL_INF_DEPLOYMENTS] = { "apps", "deployments" },
        [KL_CTRL_INF_STATEFULSETS] = { "apps", "statefulsets" },
        [KL_CTRL_INF_DAEMONSETS] = { "apps", "daemonsets" },
        [KL_CTRL_INF_CONTROLLERREVISIONS] = { "apps", "controllerrevisions" },
        [KL_CTRL_INF_JOBS] = { "batch", "jobs" },
        [KL_CTRL_INF_CRONJOBS] = { "batch", "cronjobs" },
        [KL_CTRL_INF_PVCS] = { "", "persistentvolumeclaims" },
        [KL_CTRL_INF_PVS] = { "", "persistentvolumes" },
        [KL_CTRL_INF_STORAGECLASSES] = { "storage.k8s.io", "storageclasses" },
        [KL_CTRL_INF_LEASES] = { "coordination.k8s.io", "leases" },
        [KL_CTRL_INF_CONFIGMAPS] = { "", "configmaps" },
        [KL_CTRL_INF_SECRETS] = { "", "secrets" },
        [KL_CTRL_INF_PDBS] = { "policy", "poddisruptionbudgets" },
};

const struct kl_api_resource *kl_ctrl_inf_resource(enum kl_ctrl_inf i)
{
        kl_assert(i >= 0 && i < KL_CTRL_INF__COUNT);
        return kl_ctrl_res(inf_rows[i].group, inf_rows[i].plural);
}

const struct kl_informer *kl_ctrl_informer(const struct kl_ctrl_env *env, enum kl_ctrl_inf i)
{
        kl_assert(i >= 0 && i < KL_CTRL_INF__COUNT && env->m->inf[i]);
        return env->m->inf[i];
}

/* ------------------------------------------------------------------------- */
/* Queueing */

const struct kl_informer *kl_ctrl_informer_of(const struct kl_ctrl *c, enum kl_ctrl_inf i)
{
        kl_assert(i >= 0 && i < KL_CTRL_INF__COUNT && c->m->inf[i]);
        return c->m->inf[i];
}

const struct kl_controllers_options *kl_ctrl_options(const struct kl_ctrl *c)
{
        return &c->m->opts;
}

void kl_ctrl_enqueue(struct kl_ctrl *c, const char *key)
{
        kl_workqueue_add(c->q, key);
}

void kl_ctrl_enqueue_obj(struct kl_ctrl *c, const json_t *obj)
{
        kl_autofree char *key = kl_client_key(obj);

        kl_workqueue_add(c->q, key);
}

void kl_ctrl_enqueue_owner(struct kl_ctrl *c, const json_t *obj, const char *kind)
{
        const json_t *ref = kl_ctrl_controller_ref(obj);
        const char *ns = kl_ctrl_meta_str(obj, "namespace");
        const char *name = json_string_value(json_object_get(ref, "name"));
        kl_autofree char *key = NULL;

        if (!ref || !name || !kl_streq_null(json_string_value(json_object_get(ref, "kind")), kind))
                return;
        key = ns ? kl_asprintf("%s/%s", ns, name) : kl_strdup(name);
        kl_workqueue_add(c->q, key);
}

static bool watches(const struct kl_ctrl_def *def, enum kl_ctrl_inf i)
{
        for (const enum kl_ctrl_inf *w = def->watches; w && *w != KL_CTRL_INF__COUNT; w++)
                if (*w == i)
                        return true;
        return false;
}

static void dispatch(struct inf_slot *slot, const json_t *old, const json_t *obj)
{
        struct kl_ctrl_manager *m = slot->m;

        if (!m->running)
                return;
        for (size_t k = 0; k < m->n_ctrls; k++)
                if (watches(m->ctrls[k].def, slot->i))
                        m->ctrls[k].def->enqueue(&m->ctrls[k], slot->i, old, obj);
}

static void on_add(void *arg, const json_t *obj)
{
        dispatch(arg, NULL, obj);
}

static void on_update(void *arg, const json_t *old, const json_t *obj)
{
        dispatch(arg, old, obj);
}

static void on_delete(void *arg, const json_t *obj)
{
        dispatch(arg, obj, NULL);
}

/* ------------------------------------------------------------------------- */
/* Performing a sync's actions */

/* The actions of one sync in flight; freed when the last write has finished. */
struct batch {
        struct kl_ctrl *c;
        char *key;
        unsigned pending;
        int failed; /* the first failure's code, 0 if none */
};

struct batch_item {
        struct batch *b;
        enum kl_ctrl_op op;
};

static void manager_free(struct kl_ctrl_manager *m);

static void batch_put(struct batch *b)
{
        struct kl_ctrl_manager *m = b->c->m;

        if (--b->pending > 0)
                return;
        kl_workqueue_done(b->c->q, b->key, b->failed);
        free(b->key);
        free(b);
        if (--m->inflight == 0 && m->closing)
                manager_free(m);
}

static bool expected_race(int r)
{
        return r == -KL_ECONFLICT || r == -EEXIST || r == -ENOENT || r == -ECANCELED;
}

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct batch_item *it = arg;
        struct batch *b = it->b;

        (void)obj;
        /* A delete of something already gone has done its job. */
        if (r < 0 && !(r == -ENOENT && it->op == KL_CTRL_DELETE)) {
                if (expected_race(r))
                        kl_log_debug(KL_LOG_CTRL, "%s: write failed, will retry: %s key=%s",
                                     b->c->def->name, err ? kl_err_msg(err) : strerror(-r), b->key);
                else
                        kl_log_warn(KL_LOG_CTRL, "%s: write failed, will retry: %s key=%s",
                                    b->c->def->name, err ? kl_err_msg(err) : strerror(-r), b->key);
                if (!b->failed)
                        b->failed = r;
        }
        free(it);
        batch_put(b);
}

static void perform(struct kl_ctrl *c, struct batch *b, struct kl_ctrl_action *a)
{
        struct kl_client *client = c->m->client;
        const struct kl_client_write_opts wo = { .field_manager = "kube-controller-manager" };
        struct batch_item *it;

        if (a->op == KL_CTRL_EVENT) {
                kl_client_event_from(client, c->component, a->obj, a->event_type, a->reason, "%s",
                                     a->message);
                return;
        }
        it = kl_new0(struct batch_item);
        it->b = b;
        it->op = a->op;
        b->pending++;
        switch (a->op) {
        case KL_CTRL_CREATE:
                kl_client_create(client, a->res, a->ns, KL_TAKE_PTR(a->obj), &wo, on_write, it);
                break;
        case KL_CTRL_UPDATE:
                kl_client_update(client, a->res, a->ns, a->name, a->sub, KL_TAKE_PTR(a->obj), &wo,
                                 on_write, it);
                break;
        case KL_CTRL_PATCH:
                kl_client_patch(client, a->res, a->ns, a->name, a->sub, a->patch_type,
                                KL_TAKE_PTR(a->obj), &wo, on_write, it);
                break;
        case KL_CTRL_DELETE:
                kl_client_delete(client, a->res, a->ns, a->name, KL_TAKE_PTR(a->obj), &wo, on_write,
                                 it);
                break;
        case KL_CTRL_EVENT:
                kl_bug("events are not writes");
        }
}

static int process(struct kl_workqueue *q, const char *key, void *arg)
{
        struct kl_ctrl *c = arg;
        const struct kl_ctrl_env env = {
                .m = c->m,
                .client = c->m->client,
                .opts = &c->m->opts,
                .now = kl_now_realtime(),
        };
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions actions = { 0 };
        kl_autoerr struct kl_err *err = NULL;
        kl_usec_t requeue = 0;
        struct batch *b;
        int r;

        (void)q;
        r = c->def->sync(&env, key, &actions, &requeue, &err);
        if (r < 0) {
                kl_log_warn(KL_LOG_CTRL, "%s: sync failed, will retry: %s key=%s", c->def->name,
                            err ? kl_err_msg(err) : strerror(-r), key);
                return r;
        }
        if (requeue > 0)
                kl_workqueue_add_after(c->q, key, requeue);

        b = kl_new0(struct batch);
        c->m->inflight++;
        b->c = c;
        b->key = kl_strdup(key);
        b->pending = 1; /* held until every action is issued */
        for (size_t i = 0; i < actions.n; i++)
                perform(c, b, &actions.v[i]);
        if (b->pending == 1) {
                /* Nothing but events: done now. */
                c->m->inflight--;
                free(b->key);
                free(b);
                return 0;
        }
        batch_put(b);
        return KL_WORKQUEUE_LATER;
}

/* ------------------------------------------------------------------------- */
/* Start and stop */

static void full_pass(struct kl_ctrl_manager *m)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv all = { 0 };

        for (size_t k = 0; k < m->n_ctrls; k++) {
                struct kl_ctrl *c = &m->ctrls[k];

                for (const enum kl_ctrl_inf *w = c->def->watches; w && *w != KL_CTRL_INF__COUNT;
                     w++) {
                        all.n = 0;
                        kl_informer_list(m->inf[*w], NULL, &all);
                        for (size_t i = 0; i < all.n; i++)
                                c->def->enqueue(c, *w, NULL, all.items[i]);
                }
                if (c->def->start)
                        c->def->start(c);
        }
}

static void on_synced(void *arg)
{
        struct kl_ctrl_manager *m = arg;

        kl_assert(m->unsynced > 0);
        if (--m->unsynced > 0)
                return;
        kl_log_info(KL_LOG_CTRL, "informers synced, starting %zu controllers", m->n_ctrls);
        m->running = true;
        full_pass(m);
}

static void need(bool *needed, const enum kl_ctrl_inf *list)
{
        for (; list && *list != KL_CTRL_INF__COUNT; list++)
                needed[*list] = true;
}

int kl_controllers__manager_start(struct kl_client *client,
                                  const struct kl_controllers_options *opts,
                                  const struct kl_ctrl_def *const *defs, size_t n_defs,
                                  struct kl_controllers **ret, struct kl_err **err)
{
        struct kl_controllers *cs = kl_new0(struct kl_controllers);
        struct kl_ctrl_manager *m = &cs->m;
        bool needed[KL_CTRL_INF__COUNT] = { 0 };
        int r;

        m->client = client;
        m->opts = *opts;
        if (m->opts.node_monitor_grace == 0)
                m->opts.node_monitor_grace = 40 * KL_USEC_PER_SEC;
        if (m->opts.default_toleration == 0)
                m->opts.default_toleration = 300 * KL_USEC_PER_SEC;
        if (!m->opts.local_path_dir)
                m->opts.local_path_dir = "/var/lib/kube-lite/storage";
        if (!m->opts.fake_node_prefix)
                m->opts.fake_node_prefix = "fake-node";
        /* Strings the options point at are the caller's and outlive the controllers. */

        m->ctrls = kl_calloc(n_defs, sizeof(*m->ctrls));
        for (size_t k = 0; k < n_defs; k++) {
                const struct kl_ctrl_def *def = defs[k];
                struct kl_ctrl *c;
                const struct kl_workqueue_opts qo = { .workers = CTRL_WORKERS };

                c = &m->ctrls[m->n_ctrls++];
                c->m = m;
                c->def = def;
                c->component = def->component            ? def->component
                               : strrchr(def->user, ':') ? strrchr(def->user, ':') + 1
                                                         : def->user;
                r = kl_workqueue_new(client->loop, def->name, &qo, process, c, &c->q);
                if (r < 0) {
                        kl_controllers_free(cs);
                        return kl_err_set(err, r, "work queue of controller %s", def->name);
                }
                need(needed, def->watches);
                need(needed, def->reads);
        }

        for (int i = 0; i < KL_CTRL_INF__COUNT; i++) {
                const struct kl_informer_handler h = { on_add, on_update, on_delete, &m->slots[i] };

                if (!needed[i])
                        continue;
                m->slots[i] = (struct inf_slot){ m, (enum kl_ctrl_inf)i };
                r = kl_informer_new(client, kl_ctrl_inf_resource((enum kl_ctrl_inf)i), NULL, NULL,
                                    NULL, &m->inf[i], err);
                if (r < 0) {
                        kl_controllers_free(cs);
                        return r;
                }
                kl_informer_add_handler(m->inf[i], &h);
                kl_informer_on_synced(m->inf[i], on_synced, m);
                m->unsynced++;
        }
        for (int i = 0; i < KL_CTRL_INF__COUNT; i++) {
                if (!m->inf[i])
                        continue;
                r = kl_informer_start(m->inf[i], err);
                if (r < 0) {
                        kl_controllers_free(cs);
                        return r;
                }
        }
        *ret = cs;
        return 0;
}

static void manager_free(struct kl_ctrl_manager *m)
{
        free(m->ctrls);
        free(kl_container_of(m, struct kl_controllers, m));
}

void kl_controllers_free(struct kl_controllers *cs)
{
        struct kl_ctrl_manager *m;

        if (!cs)
                return;
        m = &cs->m;
        m->running = false;
        m->closing = true;
        for (int i = 0; i < KL_CTRL_INF__COUNT; i++) {
                kl_informer_free(m->inf[i]);
                m->inf[i] = NULL;
        }
        /*
         * A queue with a key in processing frees itself when that key is
         * done; the batches of writes still in flight keep the controllers
         * (which they point at) until the client has answered them all.
         */
        for (size_t k = 0; k < m->n_ctrls; k++)
                kl_workqueue_free(m->ctrls[k].q);
        if (m->inflight == 0)
                manager_free(m);
}
