/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node lifecycle (upstream's node-lifecycle-controller and, folded in, its
 * taint-eviction-controller). Keys are node names. For one node:
 *
 *   health     the kubelet proves it is alive by renewing its Lease in
 *              kube-node-lease (and by posting Ready heartbeats). When
 *              neither happened for node_monitor_grace (60 s for a node
 *              that never posted status), the Ready, MemoryPressure,
 *              DiskPressure and PIDPressure conditions go Unknown
 *              ("NodeStatusUnknown", "Kubelet stopped posting node
 *              status.") and a NodeNotReady event is recorded.
 *   taints     from the conditions, as TaintNodesByCondition and
 *              taint-based eviction do: not-ready / unreachable with
 *              NoSchedule and NoExecute, the pressure taints, unschedulable;
 *              removed when the condition clears. While no node at all is
 *              Ready (upstream's "master disruption mode": more likely the
 *              control plane's view is wrong than every node at once) the
 *              NoExecute ones are not set, and removed.
 *   pods       on a node whose Ready is Unknown are marked not ready
 *              (MarkPodsNotReady). A pod that does not tolerate a NoExecute
 *              taint of its node, or only for tolerationSeconds since the
 *              taint's timeAdded, gets the DisruptionTarget condition and is
 *              then deleted.
 *
 * The API server has no DefaultTolerationSeconds admission, so its effect
 * is applied here: a pod without a toleration for not-ready/unreachable
 * (NoExecute) tolerates them for default_toleration, as if admission had
 * added the tolerations.
 *
 * Differences from upstream, all from being stateless: times are those the
 * objects carry (lease renewTime, heartbeats, taints' timeAdded) rather
 * than when the controller observed them; the NoExecute taints are not
 * rate limited per zone; every node is looked at again every
 * NODE_MONITOR_PERIOD, as upstream's monitorNodeHealth loop does.
 */
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define NODE_LEASE_NS       "kube-node-lease"
#define NODE_MONITOR_PERIOD (5 * KL_USEC_PER_SEC)
/* From an evicted pod's DisruptionTarget condition to its delete. */
#define EVICT_STEP (10 * KL_USEC_PER_MSEC)

#define TAINT_NOT_READY     "node.kubernetes.io/not-ready"
#define TAINT_UNREACHABLE   "node.kubernetes.io/unreachable"
#define TAINT_UNSCHEDULABLE "node.kubernetes.io/unschedulable"

/* The conditions that go Unknown when the kubelet is silent (not NetworkUnavailable). */
static const char *const silent_conds[] = { "Ready", "MemoryPressure", "DiskPressure",
                                            "PIDPressure" };

/* The NoSchedule taints TaintNodesByCondition keeps: condition, status, taint key. */
static const struct {
        const char *cond, *status, *key;
} cond_taints[] = {
        { "Ready", "False", TAINT_NOT_READY },
        { "Ready", "Unknown", TAINT_UNREACHABLE },
        { "MemoryPressure", "True", "node.kubernetes.io/memory-pressure" },
        { "DiskPressure", "True", "node.kubernetes.io/disk-pressure" },
        { "NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable" },
        { "PIDPressure", "True", "node.kubernetes.io/pid-pressure" },
};

static const char *str_at(const json_t *obj, const char *field)
{
        return json_string_value(json_object_get(obj, field));
}

static const char *cond_status(const json_t *obj, const char *type)
{
        return str_at(kl_ctrl_get_condition(obj, type), "status");
}

static void min_after(kl_usec_t *acc, kl_usec_t after)
{
        if (after && (!*acc || after < *acc))
                *acc = after;
}

/* ------------------------------------------------------------------------- */
/* Health */

/*
 * Step 1: conditions Unknown once the kubelet has been silent too long.
 * True when the node's status is written (the only node write of the call).
 */
static bool health_step(const struct kl_ctrl_nodelc_input *in, struct kl_ctrl_actions *out,
                        kl_usec_t *requeue_after)
{
        const json_t *node = in->node;
        const json_t *meta = json_object_get(node, "metadata");
        const json_t *ready = kl_ctrl_get_condition(node, "Ready");
        kl_usec_t created = kl_ctrl_time(json_object_get(meta, "creationTimestamp"));
        kl_usec_t last, grace;
        json_auto_t *next = NULL;
        json_t *status, *conds;
        bool was_ready = kl_streq_null(str_at(ready, "status"), "True");

        if (ready) {
                last = kl_ctrl_time(json_object_get(ready, "lastHeartbeatTime"));
                grace = in->monitor_grace;
        } else {
                /* Never posted: upstream's nodeStartupGracePeriod from creation. */
                last = created;
                grace = KL_MAX(in->monitor_grace, KL_CTRL_NODE_STARTUP_GRACE);
        }
        if (in->lease)
                last = KL_MAX(last, kl_ctrl_time(json_object_get(json_object_get(in->lease, "spec"),
                                                                 "renewTime")));
        if (in->now <= last + grace) {
                min_after(requeue_after, last + grace - in->now + KL_USEC_PER_MSEC);
                return false;
        }

        next = json_deep_copy(node);
        status = json_object_get(next, "status");
        if (!json_is_object(status)) {
                status = json_object();
                (void)json_object_set_new(next, "status", status);
        }
        conds = json_object_get(status, "conditions");
        if (!json_is_array(conds)) {
                conds = json_array();
                (void)json_object_set_new(status, "conditions", conds);
        }
        for (size_t k = 0; k < KL_ARRAY_SIZE(silent_conds); k++) {
                json_t *c = (json_t *)kl_ctrl_get_condition(next, silent_conds[k]);

                if (!c) {
                        (void)json_array_append_new(
                                conds,
                                json_pack("{s:s, s:s, s:s, s:s, s:O?, s:o}", "type",
                                          silent_conds[k], "status", "Unknown", "reason",
                                          "NodeStatusNeverUpdated", "message",
                                          "Kubelet never posted node status.", "lastHeartbeatTime",
                                          json_object_get(meta, "creationTimestamp"),
                                          "lastTransitionTime", kl_ctrl_time_json(in->now)));
                } else if (!kl_streq_null(str_at(c, "status"), "Unknown")) {
                        (void)json_object_set_new(c, "status", json_string("Unknown"));
                        (void)json_object_set_new(c, "reason", json_string("NodeStatusUnknown"));
                        (void)json_object_set_new(
                                c, "message", json_string("Kubelet stopped posting node status."));
                        (void)json_object_set_new(c, "lastTransitionTime",
                                                  kl_ctrl_time_json(in->now));
                }
        }
        /* Upstream writes only when Ready itself changed. */
        if (json_equal(kl_ctrl_get_condition(next, "Ready"), ready))
                return false;
        kl_ctrl_update(out, kl_ctrl_res("", "nodes"), NULL, kl_ctrl_meta_str(node, "name"),
                       "status", KL_TAKE_PTR(next));
        if (was_ready)
                kl_ctrl_event(out, node, "Normal", "NodeNotReady", "Node %s status is now: %s",
                              kl_ctrl_meta_str(node, "name"), "NodeNotReady");
        return true;
}

/* ------------------------------------------------------------------------- */
/* Taints */

static bool taint_is(const json_t *t, const char *key, const char *effect)
{
        return kl_streq_null(str_at(t, "key"), key) && kl_streq_null(str_at(t, "effect"), effect);
}

/* Is (key, effect) one the controller manages, and is it wanted on `node`? */
static bool managed_taint(const struct kl_ctrl_nodelc_input *in, const char *key,
                          const char *effect, bool *ret_wanted)
{
        const char *ready = cond_status(in->node, "Ready");

        if (kl_streq_null(effect, "NoExecute")) {
                if (kl_streq_null(key, TAINT_NOT_READY)) {
                        *ret_wanted = !in->no_node_ready && kl_streq_null(ready, "False");
                        return true;
                }
                if (kl_streq_null(key, TAINT_UNREACHABLE)) {
                        *ret_wanted = !in->no_node_ready && kl_streq_null(ready, "Unknown");
                        return true;
                }
                return false;
        }
        if (!kl_streq_null(effect, "NoSchedule"))
                return false;
        if (kl_streq_null(key, TAINT_UNSCHEDULABLE)) {
                *ret_wanted = json_is_true(
                        json_object_get(json_object_get(in->node, "spec"), "unschedulable"));
                return true;
        }
        for (size_t k = 0; k < KL_ARRAY_SIZE(cond_taints); k++) {
                if (!kl_streq_null(key, cond_taints[k].key))
                        continue;
                *ret_wanted = kl_streq_null(cond_status(in->node, cond_taints[k].cond),
                                            cond_taints[k].status);
                return true;
        }
        return false;
}

static void want_taint(const struct kl_ctrl_nodelc_input *in, json_t *taints, const char *key,
                       const char *effect)
{
        size_t i;
        json_t *t;
        bool wanted = false;

        if (!managed_taint(in, key, effect, &wanted) || !wanted)
                return;
        json_array_foreach(taints, i, t)
                if (taint_is(t, key, effect))
                        return;
        /* Upstream's SwapNodeControllerTaint stamps every taint it adds. */
        (void)json_array_append_new(taints,
                                    json_pack("{s:s, s:s, s:o}", "key", key, "effect", effect,
                                              "timeAdded", kl_ctrl_time_json(in->now)));
}

/* Step 2: the node's taints as its conditions say. True when the node is written. */
static bool taint_step(const struct kl_ctrl_nodelc_input *in, struct kl_ctrl_actions *out)
{
        const json_t *old = json_object_get(json_object_get(in->node, "spec"), "taints");
        json_auto_t *taints = json_array();
        json_auto_t *next = NULL;
        json_t *spec;
        size_t i;
        json_t *t;

        /* Keep what is not ours and what is still wanted, in order... */
        json_array_foreach(old, i, t) {
                bool wanted = false;

                if (!managed_taint(in, str_at(t, "key"), str_at(t, "effect"), &wanted) || wanted)
                        (void)json_array_append(taints, t);
        }
        /* ...then add what is missing, in upstream's order. */
        for (size_t k = 0; k < KL_ARRAY_SIZE(cond_taints); k++)
                want_taint(in, taints, cond_taints[k].key, "NoSchedule");
        want_taint(in, taints, TAINT_UNSCHEDULABLE, "NoSchedule");
        want_taint(in, taints, TAINT_NOT_READY, "NoExecute");
        want_taint(in, taints, TAINT_UNREACHABLE, "NoExecute");

        if (json_equal(taints, old) || (json_array_size(taints) == 0 && json_array_size(old) == 0))
                return false;
        next = json_deep_copy(in->node);
        spec = json_object_get(next, "spec");
        if (!json_is_object(spec)) {
                spec = json_object();
                (void)json_object_set_new(next, "spec", spec);
        }
        if (json_array_size(taints) > 0)
                (void)json_object_set(spec, "taints", taints);
        else
                (void)json_object_del(spec, "taints");
        kl_ctrl_update(out, kl_ctrl_res("", "nodes"), NULL, kl_ctrl_meta_str(in->node, "name"),
                       NULL, KL_TAKE_PTR(next));
        return true;
}

/* ------------------------------------------------------------------------- */
/* Pods */

/* Upstream's Toleration.ToleratesTaint. */
static bool tolerates(const json_t *tol, const json_t *taint)
{
        const char *effect = str_at(tol, "effect"), *key = str_at(tol, "key");
        const char *op = str_at(tol, "operator");

        if (!kl_isempty(effect) && !kl_streq_null(effect, str_at(taint, "effect")))
                return false;
        if (!kl_isempty(key) && !kl_streq_null(key, str_at(taint, "key")))
                return false;
        if (kl_streq_null(op, "Exists"))
                return true;
        if (!kl_isempty(op) && !kl_streq(op, "Equal"))
                return false;
        return kl_streq(str_at(tol, "value") ? str_at(tol, "value") : "",
                        str_at(taint, "value") ? str_at(taint, "value") : "");
}

/*
 * The pod's tolerations plus those DefaultTolerationSeconds admission would
 * have added: not-ready and unreachable, NoExecute, for `secs`, unless the
 * pod tolerates that key (or every key) with NoExecute (or every effect).
 */
static json_t *effective_tolerations(const json_t *pod, int64_t secs)
{
        json_t *tols = json_deep_copy(json_object_get(json_object_get(pod, "spec"), "tolerations"));
        static const char *const keys[] = { TAINT_NOT_READY, TAINT_UNREACHABLE };

        if (!json_is_array(tols)) {
                json_decref(tols);
                tols = json_array();
        }
        for (size_t k = 0; k < KL_ARRAY_SIZE(keys); k++) {
                bool has = false;
                size_t i;
                json_t *t;

                json_array_foreach(tols, i, t) {
                        const char *key = str_at(t, "key"), *effect = str_at(t, "effect");

                        if ((kl_isempty(key) || kl_streq(key, keys[k])) &&
                            (kl_isempty(effect) || kl_streq(effect, "NoExecute")))
                                has = true;
                }
                if (!has)
                        (void)json_array_append_new(
                                tols, json_pack("{s:s, s:s, s:s, s:I}", "key", keys[k], "operator",
                                                "Exists", "effect", "NoExecute",
                                                "tolerationSeconds", (json_int_t)secs));
        }
        return tols;
}

/*
 * When the pod must go for the node's NoExecute taints: 0 never, else the
 * time (<= now: at once). Upstream's GetMatchingTolerations and
 * getMinTolerationTime, counted from the taints' timeAdded.
 */
static kl_usec_t eviction_time(const struct kl_ctrl_nodelc_input *in, const json_t *pod,
                               const json_t *noexec)
{
        json_auto_t *tols =
                effective_tolerations(pod, (int64_t)(in->default_toleration / KL_USEC_PER_SEC));
        kl_usec_t start = 0, when = 0;
        int64_t min_secs = -1;
        size_t i;
        json_t *taint;

        json_array_foreach(noexec, i, taint) {
                kl_usec_t added = kl_ctrl_time(json_object_get(taint, "timeAdded"));
                const json_t *used = NULL;
                size_t j;
                json_t *tol;

                json_array_foreach(tols, j, tol) {
                        if (tolerates(tol, taint)) {
                                used = tol;
                                break;
                        }
                }
                if (!used)
                        return in->now; /* not tolerated: at once */
                if (json_is_integer(json_object_get(used, "tolerationSeconds"))) {
                        int64_t s = KL_MAX(
                                json_integer_value(json_object_get(used, "tolerationSeconds")), 0);

                        min_secs = min_secs < 0 ? s : KL_MIN(min_secs, s);
                }
                /* The earliest taint starts the clock (upstream keeps the first schedule). */
                if (i == 0 || added < start)
                        start = added;
        }
        if (min_secs < 0)
                return 0; /* tolerated for ever */
        when = start + (kl_usec_t)min_secs * KL_USEC_PER_SEC;
        return when ? when : 1;
}

/*
 * Upstream's taint-manager eviction: the DisruptionTarget condition and an
 * event, then (once the condition shows, on the next call) the delete. One
 * write per pod and call, as upstream does them one after the other: a
 * status patch racing the delete could be lost. True when the pod is to be
 * looked at again for its delete.
 */
static bool evict(const json_t *pod, struct kl_ctrl_actions *out, kl_usec_t now)
{
        const json_t *dt = kl_ctrl_get_condition(pod, "DisruptionTarget");
        const char *ns = kl_ctrl_meta_str(pod, "namespace"), *name = kl_ctrl_meta_str(pod, "name");
        const struct kl_api_resource *pods = kl_ctrl_res("", "pods");

        if (kl_streq_null(str_at(dt, "status"), "True")) {
                kl_ctrl_delete(out, pods, ns, name, NULL);
                return false;
        }
        kl_ctrl_event(out, pod, "Normal", "TaintManagerEviction", "Marking for deletion Pod %s/%s",
                      ns ? ns : "", name ? name : "");
        kl_ctrl_patch(out, pods, ns, name, "status", KL_API_PATCH_TYPE_STRATEGIC,
                      json_pack("{s:{s:[{s:s, s:s, s:s, s:s, s:o}]}}", "status", "conditions",
                                "type", "DisruptionTarget", "status", "True", "reason",
                                "DeletionByTaintManager", "message",
                                "Taint manager: deleting due to NoExecute taint",
                                "lastTransitionTime", kl_ctrl_time_json(now)));
        return true;
}

/* Upstream's MarkPodsNotReady for one pod: Ready False (reason and message kept). */
static void mark_not_ready(const json_t *pod, struct kl_ctrl_actions *out, kl_usec_t now)
{
        const json_t *ready = kl_ctrl_get_condition(pod, "Ready");
        json_auto_t *next = NULL;
        json_t *c;

        if (!ready || kl_streq_null(str_at(ready, "status"), "False"))
                return;
        next = json_deep_copy(pod);
        c = (json_t *)kl_ctrl_get_condition(next, "Ready");
        (void)json_object_set_new(c, "status", json_string("False"));
        (void)json_object_set_new(c, "lastTransitionTime", kl_ctrl_time_json(now));
        kl_ctrl_update(out, kl_ctrl_res("", "pods"), kl_ctrl_meta_str(pod, "namespace"),
                       kl_ctrl_meta_str(pod, "name"), "status", KL_TAKE_PTR(next));
        kl_ctrl_event(out, pod, "Warning", "NodeNotReady", "Node is not ready");
}

static void pods_step(const struct kl_ctrl_nodelc_input *in, struct kl_ctrl_actions *out,
                      kl_usec_t *requeue_after)
{
        const char *node = kl_ctrl_meta_str(in->node, "name");
        bool unknown = kl_streq_null(cond_status(in->node, "Ready"), "Unknown");
        json_auto_t *noexec = json_array();
        size_t i;
        json_t *t;

        json_array_foreach(json_object_get(json_object_get(in->node, "spec"), "taints"), i, t)
                if (kl_streq_null(str_at(t, "effect"), "NoExecute"))
                        (void)json_array_append(noexec, t);

        for (size_t k = 0; k < in->n_pods; k++) {
                const json_t *pod = in->pods[k];
                kl_usec_t when;

                /* Defensive, as upstream: only pods bound to this node. */
                if (!kl_streq_null(str_at(json_object_get(pod, "spec"), "nodeName"), node) ||
                    kl_ctrl_is_deleting(pod))
                        continue;
                when = json_array_size(noexec) > 0 ? eviction_time(in, pod, noexec) : 0;
                if (when && when <= in->now) {
                        /* The delete follows as soon as the condition is written. */
                        if (evict(pod, out, in->now))
                                min_after(requeue_after, EVICT_STEP);
                        continue;
                }
                if (when)
                        min_after(requeue_after, when - in->now);
                /* Only a silent node's pods: a live kubelet owns its pods' readiness. */
                if (unknown)
                        mark_not_ready(pod, out, in->now);
        }
}

void kl_ctrl_nodelc_reconcile(const struct kl_ctrl_nodelc_input *in, struct kl_ctrl_actions *out,
                              kl_usec_t *requeue_after)
{
        *requeue_after = NODE_MONITOR_PERIOD;
        if (!kl_ctrl_meta_str(in->node, "name") || kl_ctrl_is_deleting(in->node))
                return;
        /* One write to the node per call: each changes its resourceVersion. */
        if (health_step(in, out, requeue_after))
                return;
        (void)taint_step(in, out);
        pods_step(in, out, requeue_after);
}

/* ------------------------------------------------------------------------- */
/* The controller */

static void nodelc_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                           const json_t *obj)
{
        const json_t *cur = obj ? obj : old;
        const char *node;

        switch (i) {
        case KL_CTRL_INF_NODES:
                if (obj)
                        kl_ctrl_enqueue_obj(c, obj);
                return;
        case KL_CTRL_INF_LEASES:
                if (obj && kl_streq_null(kl_ctrl_meta_str(obj, "namespace"), NODE_LEASE_NS))
                        kl_ctrl_enqueue(c, kl_ctrl_meta_str(obj, "name"));
                return;
        case KL_CTRL_INF_PODS:
                /* A pod that lands on a node may have to go (or be marked) at once. */
                node = str_at(json_object_get(cur, "spec"), "nodeName");
                if (obj && node &&
                    !kl_streq_null(str_at(json_object_get(old, "spec"), "nodeName"), node))
                        kl_ctrl_enqueue(c, node);
                return;
        default:
                return;
        }
}

static int nodelc_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                       kl_usec_t *requeue_after, struct kl_err **err)
{
        const struct kl_informer *nodes = kl_ctrl_informer(env, KL_CTRL_INF_NODES);
        const json_t *node = kl_informer_get(nodes, NULL, key);
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv all = { 0 };
        bool any_ready = false;

        (void)err;
        if (!node)
                return 0;
        kl_informer_list(nodes, NULL, &all);
        for (size_t k = 0; k < all.n && !any_ready; k++)
                any_ready = kl_streq_null(cond_status(all.items[k], "Ready"), "True");
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NODE, key, &pods);
        kl_ctrl_nodelc_reconcile(
                &(struct kl_ctrl_nodelc_input){
                        .node = node,
                        .lease = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_LEASES),
                                                 NODE_LEASE_NS, key),
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .no_node_ready = !any_ready,
                        .monitor_grace = env->opts->node_monitor_grace,
                        .default_toleration = env->opts->default_toleration,
                        .now = env->now,
                },
                out, requeue_after);
        return 0;
}

static const enum kl_ctrl_inf nodelc_watches[] = {
        KL_CTRL_INF_NODES,
        KL_CTRL_INF_LEASES,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_nodelifecycle = {
        .name = "nodelifecycle",
        .user = "system:serviceaccount:kube-system:node-controller",
        .watches = nodelc_watches,
        .enqueue = nodelc_enqueue,
        .sync = nodelc_sync,
};
