/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler proper: informers feed the cache and the queue; an idle
 * handle runs scheduling cycles while activeQ has pods, a batch per loop
 * turn so the loop keeps serving I/O; a timer moves pods whose back-off
 * ended. One cycle, as upstream's schedulingCycle:
 *
 *   PreFilter   kl_scheduler__vols_prefilter(): the pod's claims (volumes.c);
 *               kl_scheduler__cycle_init(): cluster-wide state for this pod
 *   Filter      nodes from a rotating start index until enough feasible
 *               ones are found (numFeasibleNodesToFind), upstream's order
 *   Score       weighted plugins over the feasible nodes; reservoir
 *               sampling among equal top scores
 *   Assume      count the pod on the node at once
 *   PreBind     unbound WaitForFirstConsumer claims get the annotation
 *               volume.kubernetes.io/selected-node, one after the other
 *   Bind        pods/binding, asynchronous: many bindings are in flight
 *               while later pods are scheduled; a failure un-counts the
 *               pod and retries it after its back-off
 *
 * A pod no node fits gets upstream's FailedScheduling event and its
 * PodScheduled condition False/Unschedulable with the same message, and
 * waits in the unschedulable set until a node is added or changes, or a
 * pod on a node goes away.
 *
 * Memory: the registry (cache.pods) owns every pod record; a binding in
 * flight refers to its pod by key, so a pod deleted meanwhile is simply not
 * found. The scheduler is reference counted: one for its owner, one per
 * binding in flight, one per open handle.
 */
#include <string.h>

#include "api/patch.h"
#include "scheduler/sched-internal.h"
#include "scheduler/scheduler.h"

struct kl_scheduler {
        struct kl_client *client; /* borrowed; outlives the scheduler */
        uv_loop_t *loop;          /* borrowed from the client */
        const struct kl_api_resource *pods_res, *nodes_res, *ns_res;
        const struct kl_api_resource *pvcs_res, *pvs_res, *scs_res;
        struct kl_informer *pods, *nodes, *namespaces; /* owned */
        struct kl_informer *pvcs, *pvs, *scs;          /* owned; for volumes.c */
        unsigned vols_synced;                          /* of pvcs, pvs, scs */
        struct kl_scheduler_cache cache;
        struct kl_scheduler_queue queue;
        uv_idle_t idle;   /* owned; runs cycles while activeQ has pods */
        uv_timer_t timer; /* owned; back-off and unschedulable flushes */
        struct kl_scheduler_options opts;
        struct kl_scheduler_stats stats;
        unsigned refs;
        bool closing, idle_on, pods_synced, nodes_synced;
        uint64_t rng;
        size_t next_start;
        struct kl_scheduler_node **feasible; /* owned scratch */
        int64_t *scores;                     /* owned scratch */
        size_t cap_feasible;
};

struct binding {
        struct kl_scheduler *s;       /* ref */
        char *key, *ns, *name, *node; /* owned */
        char **claims;                /* owned: claims to annotate before binding */
        size_t next_claim;
        bool prebind; /* a claim's annotation is in flight, not the binding */
};

static kl_usec_t now_usec(const struct kl_scheduler *s)
{
        return (kl_usec_t)uv_now(s->loop) * KL_USEC_PER_MSEC;
}

static void unref(struct kl_scheduler *s)
{
        kl_assert(s->refs > 0);
        if (--s->refs > 0)
                return;
        kl_scheduler__queue_release(&s->queue);
        kl_scheduler__cache_release(&s->cache);
        free(s->feasible);
        free(s->scores);
        free(s);
}

static void on_timer(uv_timer_t *h);

static void arm_timer(struct kl_scheduler *s)
{
        kl_usec_t now = now_usec(s), next;

        next = kl_scheduler__queue_flush(&s->queue, now);
        if (next == 0)
                (void)uv_timer_stop(&s->timer);
        else
                (void)uv_timer_start(&s->timer, on_timer, (next - now) / KL_USEC_PER_MSEC + 1, 0);
}

static void on_idle(uv_idle_t *h);

/* Make sure cycles run when activeQ has pods and the informers are synced. */
static void kick(struct kl_scheduler *s)
{
        if (s->closing)
                return;
        if (!s->idle_on && s->queue.active.n > 0 && s->pods_synced && s->nodes_synced &&
            s->vols_synced == 3) {
                (void)uv_idle_start(&s->idle, on_idle);
                s->idle_on = true;
        }
}

static void on_timer(uv_timer_t *h)
{
        struct kl_scheduler *s = kl_container_of(h, struct kl_scheduler, timer);

        if (s->closing)
                return;
        arm_timer(s);
        kick(s);
}

/* ---- events and status ----------------------------------------------------- */

static void set_unschedulable(struct kl_scheduler *s, const struct kl_scheduler_pod *p,
                              const char *msg)
{
        const json_t *conds = json_object_get(json_object_get(p->obj, "status"), "conditions");
        const char *ltt = NULL;
        char ts[KL_RFC3339_MAX];
        json_t *c, *patch;
        size_t i;

        kl_client_event(s->client, p->obj, "Warning", "FailedScheduling", "%s", msg);
        json_array_foreach(conds, i, c) {
                if (!kl_streq_null(json_string_value(json_object_get(c, "type")), "PodScheduled"))
                        continue;
                if (kl_streq_null(json_string_value(json_object_get(c, "status")), "False")) {
                        if (kl_streq_null(json_string_value(json_object_get(c, "reason")),
                                          "Unschedulable") &&
                            kl_streq_null(json_string_value(json_object_get(c, "message")), msg))
                                return; /* already says so */
                        ltt = json_string_value(json_object_get(c, "lastTransitionTime"));
                }
        }
        if (!ltt) {
                kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_SECONDS, ts, sizeof(ts));
                ltt = ts;
        }
        patch = json_pack("{s{s[{sssssssssnss}]}}", "status", "conditions", "type", "PodScheduled",
                          "status", "False", "reason", "Unschedulable", "message", msg,
                          "lastProbeTime", "lastTransitionTime", ltt);
        kl_client_patch(s->client, s->pods_res, p->ns, p->name, "status",
                        KL_API_PATCH_TYPE_STRATEGIC, patch, NULL, NULL, NULL);
}

/* ---- binding ------------------------------------------------------------- */

static void binding_free(struct binding *b)
{
        free(b->key);
        free(b->ns);
        free(b->name);
        free(b->node);
        kl_strv_free(b->claims);
        free(b);
}

static void on_bound(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct binding *b = arg;
        struct kl_scheduler *s = b->s;
        struct kl_scheduler_pod *p;

        (void)obj;
        if (s->closing) {
                binding_free(b);
                unref(s);
                return;
        }
        p = kl_strmap_get(&s->cache.pods, b->key);
        if (r < 0)
                s->stats.bind_errors++;
        else
                s->stats.bound++;
        if (r < 0) {
                kl_log_warn(KL_LOG_SCHED, "binding failed, will retry: %s pod=%s node=%s",
                            err ? kl_err_msg(err) : kl_strerror(r), b->key, b->node);
                if (p && p->where == KL_SCHEDULER_IN_FLIGHT) {
                        if (p->assumed && p->node && strcmp(p->node->name, b->node) == 0) {
                                kl_scheduler__cache_unassign(&s->cache, p);
                                free(p->node_name);
                                p->node_name = NULL;
                        }
                        kl_client_event(s->client, p->obj, "Warning", "FailedScheduling",
                                        b->prebind ? "running PreBind plugin \"VolumeBinding\": "
                                                     "binding volumes: %s"
                                                   : "running Bind plugin \"DefaultBinder\": %s",
                                        err ? kl_err_msg(err) : kl_strerror(r));
                        kl_scheduler__queue_failed(&s->queue, p, false, now_usec(s));
                        arm_timer(s);
                        kick(s);
                }
        } else {
                if (p && p->where == KL_SCHEDULER_IN_FLIGHT)
                        kl_scheduler__queue_done(&s->queue, p);
                if (p)
                        kl_client_event(s->client, p->obj, "Normal", "Scheduled",
                                        "Successfully assigned %s/%s to %s", b->ns, b->name,
                                        b->node);
        }
        if (s->opts.on_bound)
                s->opts.on_bound(s->opts.arg, b->ns, b->name, b->node, r);
        binding_free(b);
        unref(s);
}

static void bind_next(struct binding *b);

static void on_claim_annotated(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct binding *b = arg;

        if (r < 0 || b->s->closing) {
                on_bound(b, r < 0 ? r : -ECANCELED, obj, err);
                return;
        }
        bind_next(b);
}

/* PreBind (the claims' selected-node, as upstream's BindPodVolumes), then Bind. */
static void bind_next(struct binding *b)
{
        struct kl_scheduler *s = b->s;
        json_t *obj;

        if (b->claims && b->claims[b->next_claim]) {
                const char *claim = b->claims[b->next_claim++];

                b->prebind = true;
                kl_client_patch(s->client, s->pvcs_res, b->ns, claim, NULL, KL_API_PATCH_TYPE_MERGE,
                                json_pack("{s:{s:{s:s}}}", "metadata", "annotations",
                                          "volume.kubernetes.io/selected-node", b->node),
                                NULL, on_claim_annotated, b);
                return;
        }
        b->prebind = false;
        obj = json_pack("{sssss{ssss}s{ssssss}}", "apiVersion", "v1", "kind", "Binding", "metadata",
                        "name", b->name, "namespace", b->ns, "target", "apiVersion", "v1", "kind",
                        "Node", "name", b->node);
        kl_client_update(s->client, s->pods_res, b->ns, b->name, "binding", obj, NULL, on_bound, b);
}

/* `claims` (may be NULL) is taken. */
static void bind_pod(struct kl_scheduler *s, struct kl_scheduler_pod *p, const char *node,
                     char **claims)
{
        struct binding *b = kl_new0(struct binding);

        b->s = s;
        s->refs++;
        b->key = kl_strdup(p->key);
        b->ns = kl_strdup(p->ns);
        b->name = kl_strdup(p->name);
        b->node = kl_strdup(node);
        b->claims = claims;
        bind_next(b);
}

/* ---- one scheduling cycle -------------------------------------------------- */

static const json_t *ns_labels(void *arg, const char *ns)
{
        struct kl_scheduler *s = arg;

        return json_object_get(
                json_object_get(kl_informer_get(s->namespaces, NULL, ns), "metadata"), "labels");
}

static const json_t *vol_get(void *arg, enum kl_scheduler_vol_kind kind, const char *ns,
                             const char *name)
{
        struct kl_scheduler *s = arg;

        switch (kind) {
        case KL_SCHEDULER_VOL_PVC:
                return kl_informer_get(s->pvcs, ns, name);
        case KL_SCHEDULER_VOL_PV:
                return kl_informer_get(s->pvs, NULL, name);
        case KL_SCHEDULER_VOL_SC:
                return kl_informer_get(s->scs, NULL, name);
        }
        return NULL;
}

static void fail_unschedulable(struct kl_scheduler *s, struct kl_scheduler_pod *p, const char *msg)
{
        s->stats.unschedulable++;
        kl_log_debug(KL_LOG_SCHED, "unschedulable: %s pod=%s", msg, p->key);
        kl_scheduler__queue_failed(&s->queue, p, true, now_usec(s));
        set_unschedulable(s, p, msg);
}

static void schedule_one(struct kl_scheduler *s, struct kl_scheduler_pod *p)
{
        struct kl_scheduler_cache *c = &s->cache;
        struct kl_scheduler_cycle cy;
        struct kl_scheduler_diagnosis diag = { 0 };
        const struct kl_scheduler_vol_lookup lk = { .get = vol_get, .arg = s };
        struct kl_scheduler_vols vols = { 0 };
        size_t n_all = c->n_list, to_find, n_feasible = 0, processed = 0, best;
        struct kl_scheduler_node *chosen;
        kl_usec_t t0;

        if (n_all == 0) {
                fail_unschedulable(s, p, "no nodes available to schedule pods");
                return;
        }
        if (json_array_size(json_object_get(json_object_get(p->obj, "spec"), "volumes")) > 0) {
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *why = NULL, *msg = NULL;
                int r = kl_scheduler__vols_prefilter(p->obj, &lk, &vols, &why, &e);

                if (r < 0) {
                        kl_log_warn(KL_LOG_SCHED, "cannot read volumes: %s pod=%s", kl_err_msg(e),
                                    p->key);
                        kl_client_event(s->client, p->obj, "Warning", "FailedScheduling",
                                        "running PreFilter plugin \"VolumeBinding\": %s",
                                        kl_err_msg(e));
                        kl_scheduler__queue_failed(&s->queue, p, false, now_usec(s));
                        return;
                }
                if (r > 0) {
                        msg = kl_scheduler__prefilter_message(n_all, why);
                        fail_unschedulable(s, p, msg);
                        return;
                }
        }
        if (s->cap_feasible < n_all) {
                s->cap_feasible = n_all;
                s->feasible = kl_realloc(s->feasible, n_all * sizeof(*s->feasible));
                s->scores = kl_realloc(s->scores, n_all * sizeof(*s->scores));
        }
        kl_scheduler__cycle_init(&cy, c, p, ns_labels, s);
        if (vols.n_affinity)
                cy.vols = &vols;
        to_find = kl_scheduler__num_feasible_to_find(n_all, s->opts.percentage_of_nodes_to_score);
        diag.n_all = n_all;
        for (size_t i = 0; i < n_all && n_feasible < to_find; i++) {
                struct kl_scheduler_node *n = c->list[(s->next_start + i) % n_all];
                struct kl_scheduler_status st;

                processed++;
                if (kl_scheduler__filter(&cy, n, &st))
                        s->feasible[n_feasible++] = n;
                else
                        kl_scheduler__diag_add(&diag, &st);
        }
        s->next_start = (s->next_start + processed) % n_all;

        if (n_feasible == 0) {
                bool victims_fit;
                kl_autofree char *pre = kl_scheduler__preemption_message(&cy, &diag, &victims_fit);
                kl_autofree char *msg = kl_scheduler__fit_message(&diag, p, pre);

                kl_scheduler__cycle_release(&cy);
                kl_scheduler__diag_release(&diag);
                kl_scheduler__vols_release(&vols);
                fail_unschedulable(s, p, msg);
                return;
        }
        if (n_feasible == 1) {
                best = 0;
        } else {
                kl_scheduler__score_all(&cy, s->feasible, n_feasible, s->scores);
                best = kl_scheduler__select_host(s->scores, n_feasible, &s->rng);
        }
        chosen = s->feasible[best];
        kl_scheduler__cycle_release(&cy);
        kl_scheduler__diag_release(&diag);

        free(p->node_name);
        p->node_name = kl_strdup(chosen->name);
        kl_scheduler__cache_assign(c, p, chosen->name);
        p->assumed = true;
        s->stats.scheduled++;
        t0 = kl_now_monotonic();
        bind_pod(s, p, chosen->name, vols.select);
        vols.select = NULL;
        kl_scheduler__vols_release(&vols);
        s->stats.bind_usec += kl_now_monotonic() - t0;
}

static void on_idle(uv_idle_t *h)
{
        struct kl_scheduler *s = kl_container_of(h, struct kl_scheduler, idle);
        unsigned batch = s->opts.batch ? s->opts.batch : 256;
        kl_usec_t t0 = kl_now_monotonic();

        for (unsigned i = 0; i < batch && !s->closing; i++) {
                struct kl_scheduler_pod *p = kl_scheduler__queue_pop(&s->queue, now_usec(s));

                if (!p)
                        break;
                s->stats.attempts++;
                schedule_one(s, p);
        }
        s->stats.cycle_usec += kl_now_monotonic() - t0;
        if (s->queue.active.n == 0 || s->closing) {
                (void)uv_idle_stop(&s->idle);
                s->idle_on = false;
        }
        if (!s->closing)
                arm_timer(s);
}

/* ---- informer handlers -------------------------------------------------------- */

static bool wants(const struct kl_scheduler_pod *p)
{
        return p->ours && !p->node_name && !p->terminating && !p->terminated;
}

static void count_if_assigned(struct kl_scheduler *s, struct kl_scheduler_pod *p)
{
        if (p->node_name && !p->terminated)
                kl_scheduler__cache_assign(&s->cache, p, p->node_name);
}

/*
 * A pod now runs on a node (upstream's AssignedPodAdd): pods waiting for a
 * pod affinity, or a spread domain, may fit now. Moving them respects their
 * back-off.
 */
static void assigned_pod_added(struct kl_scheduler *s)
{
        if (s->queue.n_unsched == 0)
                return;
        kl_scheduler__queue_move_all(&s->queue, now_usec(s));
        arm_timer(s);
        kick(s);
}

static struct kl_scheduler_pod *parse_pod(const json_t *obj)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_scheduler_pod *p = NULL;

        if (kl_scheduler__pod_parse(obj, &p, &e) < 0) {
                kl_log_warn(KL_LOG_SCHED, "cannot read pod, ignoring it: %s", kl_err_msg(e));
                return NULL;
        }
        return p;
}

static void pod_add(void *arg, const json_t *obj)
{
        struct kl_scheduler *s = arg;
        struct kl_scheduler_pod *p = parse_pod(obj), *old;

        if (!p)
                return;
        old = kl_strmap_get(&s->cache.pods, p->key);
        if (old) {
                /* Seen already (a relist): replace it as an update would. */
                kl_scheduler__queue_remove(&s->queue, old);
                kl_scheduler__cache_unassign(&s->cache, old);
                (void)kl_strmap_remove(&s->cache.pods, old->key);
                kl_scheduler__pod_free(old);
        }
        kl_strmap_put(&s->cache.pods, p->key, p);
        if (wants(p)) {
                kl_scheduler__queue_add(&s->queue, p, now_usec(s));
                kick(s);
        } else {
                count_if_assigned(s, p);
                if (p->node)
                        assigned_pod_added(s);
        }
}

/* upstream's isPodUpdated: anything but status, resourceVersion and managed fields. */
static bool pod_changed(const json_t *a, const json_t *b)
{
        const json_t *ma = json_object_get(a, "metadata"), *mb = json_object_get(b, "metadata");
        static const char *const meta[] = { "labels", "annotations", "deletionTimestamp",
                                            "finalizers", "ownerReferences" };

        if (!json_equal(json_object_get(a, "spec"), json_object_get(b, "spec")))
                return true;
        for (size_t i = 0; i < KL_ARRAY_SIZE(meta); i++) {
                const json_t *x = json_object_get(ma, meta[i]), *y = json_object_get(mb, meta[i]);

                if ((x || y) && !(x && y && json_equal(x, y)))
                        return true;
        }
        return false;
}

static void pod_update(void *arg, const json_t *old_obj, const json_t *obj)
{
        struct kl_scheduler *s = arg;
        struct kl_scheduler_pod *p, *np;
        bool freed, added;

        (void)old_obj;
        np = parse_pod(obj);
        if (!np)
                return;
        p = kl_strmap_get(&s->cache.pods, np->key);
        if (!p) {
                kl_scheduler__pod_free(np);
                pod_add(arg, obj);
                return;
        }
        if (np->node_name) {
                /* Bound (by us: confirms the assumed pod) or changed while bound. */
                freed = p->node && (np->terminated || np->terminating != p->terminating);
                added = !p->node || p->assumed;
                kl_scheduler__queue_remove(&s->queue, p);
                kl_scheduler__cache_unassign(&s->cache, p);
                (void)kl_strmap_remove(&s->cache.pods, p->key);
                kl_scheduler__pod_free(p);
                kl_strmap_put(&s->cache.pods, np->key, np);
                count_if_assigned(s, np);
                if (freed) {
                        kl_scheduler__queue_move_all(&s->queue, now_usec(s));
                        arm_timer(s);
                        kick(s);
                } else if (added && np->node) {
                        assigned_pod_added(s);
                }
                return;
        }
        if (p->where == KL_SCHEDULER_IN_FLIGHT || p->node || !pod_changed(p->obj, obj)) {
                /*
                 * Our own status patch, or a pod bound or being bound whose
                 * nodeName has not reached us yet: nothing to redo.
                 */
                kl_scheduler__pod_free(np);
                return;
        }
        (void)kl_strmap_remove(&s->cache.pods, p->key);
        kl_strmap_put(&s->cache.pods, np->key, np);
        if (wants(np) && p->where != KL_SCHEDULER_NOWHERE)
                kl_scheduler__queue_replace(&s->queue, p, np, now_usec(s));
        else if (wants(np))
                kl_scheduler__queue_add(&s->queue, np, now_usec(s));
        else
                kl_scheduler__queue_remove(&s->queue, p);
        kl_scheduler__pod_free(p);
        arm_timer(s);
        kick(s);
}

static void pod_delete(void *arg, const json_t *obj)
{
        struct kl_scheduler *s = arg;
        kl_autofree char *key = kl_client_key(obj);
        struct kl_scheduler_pod *p = kl_strmap_remove(&s->cache.pods, key);
        bool counted;

        if (!p)
                return;
        counted = p->node != NULL;
        kl_scheduler__queue_remove(&s->queue, p);
        kl_scheduler__cache_unassign(&s->cache, p);
        kl_scheduler__pod_free(p);
        if (counted) {
                kl_scheduler__queue_move_all(&s->queue, now_usec(s));
                arm_timer(s);
                kick(s);
        }
}

static void node_set(struct kl_scheduler *s, const json_t *obj)
{
        kl_autoerr struct kl_err *e = NULL;

        if (kl_scheduler__cache_node_set(&s->cache, obj, &e) < 0) {
                kl_log_warn(KL_LOG_SCHED, "cannot read node, ignoring it: %s", kl_err_msg(e));
                return;
        }
        kl_scheduler__queue_move_all(&s->queue, now_usec(s));
        arm_timer(s);
        kick(s);
}

static void node_add(void *arg, const json_t *obj)
{
        node_set(arg, obj);
}

static const char *ready_status(const json_t *node)
{
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(node, "status"), "conditions"), i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), "Ready"))
                        return json_string_value(json_object_get(c, "status"));
        return NULL;
}

/* Whether a node update can make a pod fit (upstream's node update events). */
static bool node_changed(const json_t *a, const json_t *b)
{
        return !json_equal(json_object_get(a, "spec"), json_object_get(b, "spec")) ||
               !json_equal(json_object_get(json_object_get(a, "status"), "allocatable"),
                           json_object_get(json_object_get(b, "status"), "allocatable")) ||
               !kl_streq_null(ready_status(a), ready_status(b)) ||
               !json_equal(json_object_get(json_object_get(a, "metadata"), "labels"),
                           json_object_get(json_object_get(b, "metadata"), "labels"));
}

static void node_update(void *arg, const json_t *old, const json_t *obj)
{
        struct kl_scheduler *s = arg;
        kl_autoerr struct kl_err *e = NULL;

        if (old && !node_changed(old, obj)) {
                /* Heartbeats: keep the cache's copy current, wake nobody. */
                if (kl_scheduler__cache_node_set(&s->cache, obj, &e) < 0)
                        kl_log_warn(KL_LOG_SCHED, "cannot read node, ignoring it: %s",
                                    kl_err_msg(e));
                return;
        }
        node_set(s, obj);
}

static void node_delete(void *arg, const json_t *obj)
{
        struct kl_scheduler *s = arg;

        kl_scheduler__cache_node_del(&s->cache, json_string_value(json_object_get(
                                                        json_object_get(obj, "metadata"), "name")));
}

/*
 * A claim, volume or class changed: pods waiting for one may fit now
 * (upstream's VolumeBinding cluster events).
 */
static void vol_changed(struct kl_scheduler *s)
{
        if (s->queue.n_unsched == 0)
                return;
        kl_scheduler__queue_move_all(&s->queue, now_usec(s));
        arm_timer(s);
        kick(s);
}

static void vol_add(void *arg, const json_t *obj)
{
        (void)obj;
        vol_changed(arg);
}

static void vol_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        (void)obj;
        vol_changed(arg);
}

static void vols_synced(void *arg)
{
        struct kl_scheduler *s = arg;

        s->vols_synced++;
        kick(s);
}

static void pods_synced(void *arg)
{
        struct kl_scheduler *s = arg;

        s->pods_synced = true;
        kick(s);
}

static void nodes_synced(void *arg)
{
        struct kl_scheduler *s = arg;

        s->nodes_synced = true;
        kick(s);
}

/* ---- lifecycle ------------------------------------------------------------ */

static void on_closed(uv_handle_t *h)
{
        unref(h->data);
}

int kl_scheduler_start(struct kl_client *client, const struct kl_scheduler_options *opts,
                       struct kl_scheduler **ret, struct kl_err **err)
{
        struct kl_scheduler *s = kl_new0(struct kl_scheduler);
        const struct kl_informer_handler ph = {
                .on_add = pod_add, .on_update = pod_update, .on_delete = pod_delete, .arg = s
        };
        const struct kl_informer_handler nh = {
                .on_add = node_add, .on_update = node_update, .on_delete = node_delete, .arg = s
        };
        const struct kl_informer_handler vh = {
                .on_add = vol_add, .on_update = vol_update, .on_delete = vol_add, .arg = s
        };
        int r;

        s->client = client;
        s->loop = client->loop;
        s->refs = 1;
        if (opts)
                s->opts = *opts;
        s->rng = s->opts.seed ? s->opts.seed : kl_now_monotonic() | 1;
        s->pods_res = kl_api_resource_find("", "v1", "pods");
        s->nodes_res = kl_api_resource_find("", "v1", "nodes");
        s->ns_res = kl_api_resource_find("", "v1", "namespaces");
        s->pvcs_res = kl_api_resource_find("", "v1", "persistentvolumeclaims");
        s->pvs_res = kl_api_resource_find("", "v1", "persistentvolumes");
        s->scs_res = kl_api_resource_find("storage.k8s.io", "v1", "storageclasses");
        kl_scheduler__queue_init(&s->queue);
        kl_assert(s->pods_res && s->nodes_res && s->ns_res && s->pvcs_res && s->pvs_res &&
                  s->scs_res);
        (void)uv_idle_init(s->loop, &s->idle);
        (void)uv_timer_init(s->loop, &s->timer);
        s->idle.data = s;
        s->timer.data = s;
        s->refs += 2; /* the two handles, dropped in on_closed */

        r = kl_informer_new(client, s->pods_res, NULL, NULL, NULL, &s->pods, err);
        if (r >= 0)
                r = kl_informer_new(client, s->nodes_res, NULL, NULL, NULL, &s->nodes, err);
        if (r >= 0)
                r = kl_informer_new(client, s->ns_res, NULL, NULL, NULL, &s->namespaces, err);
        if (r >= 0)
                r = kl_informer_new(client, s->pvcs_res, NULL, NULL, NULL, &s->pvcs, err);
        if (r >= 0)
                r = kl_informer_new(client, s->pvs_res, NULL, NULL, NULL, &s->pvs, err);
        if (r >= 0)
                r = kl_informer_new(client, s->scs_res, NULL, NULL, NULL, &s->scs, err);
        if (r < 0) {
                kl_scheduler_free(s);
                return kl_err_wrap(err, r, "start scheduler");
        }
        kl_informer_add_handler(s->pods, &ph);
        kl_informer_add_handler(s->nodes, &nh);
        kl_informer_on_synced(s->pods, pods_synced, s);
        kl_informer_on_synced(s->nodes, nodes_synced, s);
        kl_informer_add_handler(s->pvcs, &vh);
        kl_informer_add_handler(s->pvs, &vh);
        kl_informer_add_handler(s->scs, &vh);
        kl_informer_on_synced(s->pvcs, vols_synced, s);
        kl_informer_on_synced(s->pvs, vols_synced, s);
        kl_informer_on_synced(s->scs, vols_synced, s);
        r = kl_informer_start(s->namespaces, err);
        if (r >= 0)
                r = kl_informer_start(s->scs, err);
        if (r >= 0)
                r = kl_informer_start(s->pvs, err);
        if (r >= 0)
                r = kl_informer_start(s->pvcs, err);
        if (r >= 0)
                r = kl_informer_start(s->nodes, err);
        if (r >= 0)
                r = kl_informer_start(s->pods, err);
        if (r < 0) {
                kl_scheduler_free(s);
                return kl_err_wrap(err, r, "start scheduler");
        }
        *ret = s;
        return 0;
}

void kl_scheduler_stats(const struct kl_scheduler *s, struct kl_scheduler_stats *ret)
{
        *ret = s->stats;
}

void kl_scheduler_free(struct kl_scheduler *s)
{
        if (!s)
                return;
        s->closing = true;
        kl_informer_free(s->pods);
        kl_informer_free(s->nodes);
        kl_informer_free(s->namespaces);
        kl_informer_free(s->pvcs);
        kl_informer_free(s->pvs);
        kl_informer_free(s->scs);
        s->pods = s->nodes = s->namespaces = NULL;
        s->pvcs = s->pvs = s->scs = NULL;
        (void)uv_idle_stop(&s->idle);
        (void)uv_timer_stop(&s->timer);
        uv_close((uv_handle_t *)&s->idle, on_closed);
        uv_close((uv_handle_t *)&s->timer, on_closed);
        unref(s);
}
