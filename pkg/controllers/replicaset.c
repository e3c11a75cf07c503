/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ReplicaSet controller (upstream's pkg/controller/replicaset): keeps
 * spec.replicas active pods selected by and controlled by each ReplicaSet.
 *
 * One sync claims pods (adopts matching orphans, releases owned pods that no
 * longer match), then creates or deletes pods towards spec.replicas, and
 * writes the status (replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas, observedGeneration). Pods to delete are picked in
 * upstream's order (kl_ctrl_rs_delete_before()).
 *
 * Differences from upstream, and why:
 *   - Upstream creates pods in slow-start batches of 1, 2, 4, ... within
 *     one sync, stopping at the first failed batch. Here a sync only issues
 *     writes, so each sync creates one batch: as many pods as are active
 *     (at least 1, at most KL_CTRL_RS_BURST); the next sync, triggered by
 *     the pods' add events, doubles it. A quota or admission error thus
 *     costs at most one failed batch per sync, as upstream.
 *   - The "Created pod: <name>" event is recorded with the action, before
 *     the pod exists, so the name is chosen here: generateName plus five
 *     characters from upstream's alphabet, derived from the ReplicaSet's
 *     uid, the clock and a counter, never a name the namespace holds. A
 *     name taken meanwhile fails the create with AlreadyExists, and the key
 *     is retried.
 *   - An orphan pod's event cannot name a ReplicaSet (enqueue callbacks do
 *     not see the informers), so it queues "orphan-pod:<ns>/<name>"; that
 *     key's sync lets the oldest matching ReplicaSet adopt the pod, whose
 *     update event then queues that ReplicaSet.
 *   - Upstream queues a ReplicaSet minReadySeconds after one of its pods
 *     turns ready; enqueue callbacks here cannot delay, so the sync asks to
 *     be called again when the first ready pod will count as available.
 *   - Failed creates and deletes are retried by the manager; their
 *     FailedCreate/FailedDelete events and the ReplicaFailure condition
 *     need the write's error, which a reconcile does not see: the condition
 *     is only removed here once the ReplicaSet syncs cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "api/selector.h"
#include "base/parse.h"
#include "controllers/ctrl-internal.h"

#define DELETION_COST "controller.kubernetes.io/pod-deletion-cost"
#define ORPHAN_KEY    "orphan-pod:"

/* ------------------------------------------------------------------------- */
/* Which pods to delete first (upstream's ActivePodsWithRanks.Less) */

static const char *node_name(const json_t *pod)
{
        const char *n = kl_ctrl_dig_str(pod, "spec.nodeName");

        return n ? n : "";
}

/* Pending < Unknown < Running; anything else counts as Pending (upstream's map default). */
static int phase_ordinal(const json_t *pod)
{
        const char *p = kl_ctrl_dig_str(pod, "status.phase");

        if (kl_streq_null(p, "Unknown"))
                return 1;
        if (kl_streq_null(p, "Running"))
                return 2;
        return 0;
}

/* When the pod became ready; 0 when not ready or unknown. */
static kl_usec_t ready_time(const json_t *pod)
{
        const json_t *c = kl_ctrl_get_condition(pod, "Ready");

        if (!c || !kl_streq_null(json_string_value(json_object_get(c, "status")), "True"))
                return 0;
        return kl_ctrl_time(json_object_get(c, "lastTransitionTime"));
}

/* The pod-deletion-cost annotation as upstream parses it; invalid values count as 0. */
static int64_t deletion_cost(const json_t *pod)
{
        const char *s = json_string_value(
                json_object_get(kl_ctrl_dig(pod, "metadata.annotations"), DELETION_COST));
        int64_t v;

        /* No "+", no leading zeros, as upstream's validFirstDigit. */
        if (!s || !*s || s[0] == '+' || (s[0] == '0' && s[1]))
                return 0;
        if (s[0] == '-' && (!s[1] || s[1] == '0'))
                return 0;
        if (kl_parse_int64(s, &v) < 0 || v < INT32_MIN || v > INT32_MAX)
                return 0;
        return v;
}

static int64_t max_restarts(const json_t *pod)
{
        const json_t *cs = kl_ctrl_dig(pod, "status.containerStatuses"), *c;
        int64_t m = 0;
        size_t i;

        json_array_foreach(cs, i, c) {
                int64_t r = kl_ctrl_dig_i32(c, "restartCount", 0);

                if (r > m)
                        m = r;
        }
        return m;
}

/* int64(math.Log2(now - t in nanoseconds)), -1 when t is not in the past. */
static int64_t log_rank(kl_usec_t t, kl_usec_t now)
{
        uint64_t d;

        if (now <= t)
                return -1;
        d = (uint64_t)(now - t) * 1000;
        return 63 - __builtin_clzll(d);
}

static bool after_or_zero(kl_usec_t t1, kl_usec_t t2)
{
        if (!t1 || !t2)
                return t1 == 0;
        return t1 > t2;
}

/* Newer first, in logarithmic buckets of age (LogarithmicScaleDown, on in 1.32). */
static bool newer_bucket(kl_usec_t ta, kl_usec_t tb, const json_t *a, const json_t *b,
                         kl_usec_t now)
{
        int64_t d;

        if (!now || !ta || !tb)
                return after_or_zero(ta, tb);
        d = log_rank(ta, now) - log_rank(tb, now);
        if (d == 0) {
                const char *ua = kl_ctrl_meta_str(a, "uid"), *ub = kl_ctrl_meta_str(b, "uid");

                return strcmp(ua ? ua : "", ub ? ub : "") < 0;
        }
        return d < 0;
}

bool kl_ctrl_rs_delete_before(const json_t *a, int rank_a, const json_t *b, int rank_b,
                              kl_usec_t now)
{
        const char *na = node_name(a), *nb = node_name(b);
        bool ra = kl_ctrl_pod_is_ready(a), rb = kl_ctrl_pod_is_ready(b);
        kl_usec_t ta, tb;
        int64_t x, y;

        /* 1. Unassigned < assigned. */
        if (!kl_streq(na, nb) && (!*na || !*nb))
                return !*na;
        /* 2. Pending < Unknown < Running. */
        if ((x = phase_ordinal(a)) != (y = phase_ordinal(b)))
                return x < y;
        /* 3. Not ready < ready. */
        if (ra != rb)
                return !ra;
        /* 4. Lower pod-deletion-cost first. */
        if ((x = deletion_cost(a)) != (y = deletion_cost(b)))
                return x < y;
        /* 5. More related pods on the same node first. */
        if (rank_a != rank_b)
                return rank_a > rank_b;
        /* 6. Ready for less time first. */
        if (ra && rb && (ta = ready_time(a)) != (tb = ready_time(b)))
                return newer_bucket(ta, tb, a, b, now);
        /* 7. More container restarts first. */
        if ((x = max_restarts(a)) != (y = max_restarts(b)))
                return x > y;
        /* 8. Newer first. */
        ta = kl_ctrl_time(kl_ctrl_dig(a, "metadata.creationTimestamp"));
        tb = kl_ctrl_time(kl_ctrl_dig(b, "metadata.creationTimestamp"));
        if (ta != tb)
                return newer_bucket(ta, tb, a, b, now);
        return false;
}

struct ranked {
        const json_t *pod;
        int rank;
        size_t idx;
        kl_usec_t now;
};

static int ranked_cmp(const void *pa, const void *pb)
{
        const struct ranked *a = pa, *b = pb;

        if (kl_ctrl_rs_delete_before(a->pod, a->rank, b->pod, b->rank, a->now))
                return -1;
        if (kl_ctrl_rs_delete_before(b->pod, b->rank, a->pod, a->rank, a->now))
                return 1;
        return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * The `n` pods to delete of `pods` (upstream's getPodsToDelete): all of them
 * when n covers them, else the first n by rank, where a pod's rank is the
 * number of active related pods on its node. *ret is new (borrowed items).
 */
static void pods_to_delete(const struct kl_objv *pods, const json_t *const *related,
                           size_t n_related, size_t n, kl_usec_t now, struct kl_objv *ret)
{
        json_auto_t *on_node = NULL;
        struct ranked *v;

        if (n >= pods->n) {
                for (size_t i = 0; i < pods->n; i++)
                        kl_objv_push(ret, pods->items[i]);
                return;
        }
        on_node = json_object();
        for (size_t i = 0; i < n_related; i++) {
                const char *node = node_name(related[i]);

                if (!kl_ctrl_pod_is_active(related[i]))
                        continue;
                json_object_set_new(
                        on_node, node,
                        json_integer(json_integer_value(json_object_get(on_node, node)) + 1));
        }
        v = kl_calloc(pods->n, sizeof(*v));
        for (size_t i = 0; i < pods->n; i++)
                v[i] = (struct ranked){
                        .pod = pods->items[i],
                        .rank = (int)json_integer_value(
                                json_object_get(on_node, node_name(pods->items[i]))),
                        .idx = i,
                        .now = now,
                };
        qsort(v, pods->n, sizeof(*v), ranked_cmp);
        for (size_t i = 0; i < n; i++)
                kl_objv_push(ret, v[i].pod);
        free(v);
}

/* ------------------------------------------------------------------------- */
/* Creating pods */

/*
 * A name for a pod of `generate_name` as the API server would make it
 * (the prefix cut to 58 bytes, five characters of upstream's alphabet),
 * not in `taken` (a set of names), which it joins. New.
 */
static char *pod_name(const char *generate_name, const char *seed, kl_usec_t now, unsigned n,
                      json_t *taken)
{
        static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
        size_t plen = strlen(generate_name);

        if (plen > 58)
                plen = 58;
        for (unsigned attempt = 0;; attempt++) {
                char suffix[6];
                char *name;
                uint32_t h = 2166136261u;
                kl_autofree char *in = kl_asprintf("%s/%llu/%u/%u", seed ? seed : "",
                                                   (unsigned long long)now, n, attempt);

                for (const char *p = in; *p; p++) {
                        h ^= (unsigned char)*p;
                        h *= 16777619u;
                }
                for (size_t i = 0; i < 5; i++) {
                        suffix[i] = alphanums[h % (sizeof(alphanums) - 1)];
                        h /= sizeof(alphanums) - 1;
                }
                suffix[5] = '\0';
                name = kl_asprintf("%.*s%s", (int)plen, generate_name, suffix);
                if (!json_object_get(taken, name)) {
                        json_object_set_new(taken, name, json_true());
                        return name;
                }
                free(name);
        }
}

/* ------------------------------------------------------------------------- */
/* Status */

static bool rs_cond_is(const json_t *c, const char *type)
{
        return kl_streq_null(json_string_value(json_object_get(c, "type")), type);
}

/* Set (or drop, when zero) an omitempty integer of a status. */
static void set_count(json_t *status, const char *field, int64_t v, bool omit_zero)
{
        if (v == 0 && omit_zero)
                (void)json_object_del(status, field);
        else
                json_object_set_new(status, field, json_integer(v));
}

/*
 * Upstream's calculateStatus + updateReplicaSetStatus: the status of `rs`
 * for its active claimed `pods`; an update when anything changed.
 * *ret_next is when the first ready pod that is not available yet will be
 * (0: none).
 */
static void rs_status(const json_t *rs, const struct kl_objv *pods, kl_usec_t now,
                      struct kl_ctrl_actions *out, kl_usec_t *ret_next)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *tsel = NULL;
        const json_t *old = json_object_get(rs, "status");
        int64_t min_ready = kl_ctrl_dig_i32(rs, "spec.minReadySeconds", 0);
        int64_t generation = kl_ctrl_dig_int(rs, "metadata.generation", 0);
        int64_t labeled = 0, ready = 0, available = 0;
        kl_usec_t next = 0;
        json_t *status, *conds, *c, *body;
        size_t i;

        /* Template labels are validated with the object: a failure selects nothing. */
        (void)kl_api_label_selector_from_set(kl_ctrl_dig(rs, "spec.template.metadata.labels"),
                                             &tsel, NULL);
        for (size_t k = 0; k < pods->n; k++) {
                const json_t *pod = pods->items[k];

                if (tsel &&
                    kl_api_label_selector_matches(tsel, kl_ctrl_dig(pod, "metadata.labels")))
                        labeled++;
                if (kl_ctrl_pod_is_ready(pod))
                        ready++;
                if (kl_ctrl_pod_is_available(pod, min_ready, now)) {
                        available++;
                } else if (kl_ctrl_pod_is_ready(pod)) {
                        kl_usec_t at = kl_ctrl_time(kl_ctrl_dig(kl_ctrl_get_condition(pod, "Ready"),
                                                                "lastTransitionTime")) +
                                       (kl_usec_t)min_ready * KL_USEC_PER_SEC;

                        if (at > now && (!next || at < next))
                                next = at;
                }
        }
        *ret_next = next;

        status = json_is_object(old) ? json_deep_copy(old) : json_object();
        set_count(status, "replicas", (int64_t)pods->n, false);
        set_count(status, "fullyLabeledReplicas", labeled, true);
        set_count(status, "readyReplicas", ready, true);
        set_count(status, "availableReplicas", available, true);
        set_count(status, "observedGeneration", generation, true);
        /* No error this sync: a ReplicaFailure condition goes. */
        conds = json_object_get(status, "conditions");
        json_array_foreach(conds, i, c)
                if (rs_cond_is(c, "ReplicaFailure")) {
                        (void)json_array_remove(conds, i);
                        break;
                }
        if (json_is_array(conds) && json_array_size(conds) == 0)
                (void)json_object_del(status, "conditions");

        if (old && json_equal(status, old)) {
                json_decref(status);
                return;
        }
        body = json_deep_copy(rs);
        json_object_set_new(body, "status", status);
        kl_ctrl_update(out, kl_ctrl_res("apps", "replicasets"), kl_ctrl_meta_str(rs, "namespace"),
                       kl_ctrl_meta_str(rs, "name"), "status", body);
}

/* ------------------------------------------------------------------------- */
/* The reconcile */

int kl_ctrl_rs_reconcile(const struct kl_ctrl_rs_input *in, struct kl_ctrl_actions *out,
                         kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        kl_cleanup(kl_objv_clearp) struct kl_objv active = { 0 };
        const struct kl_api_resource *pods_res = kl_ctrl_res("", "pods");
        const json_t *rs = in->rs;
        const char *ns = kl_ctrl_meta_str(rs, "namespace");
        int64_t replicas = kl_ctrl_dig_i32(rs, "spec.replicas", 1);
        int64_t min_ready = kl_ctrl_dig_i32(rs, "spec.minReadySeconds", 0);
        kl_usec_t next = 0;
        int r;

        if (!ns || !kl_ctrl_meta_str(rs, "name") || !kl_ctrl_meta_str(rs, "uid"))
                return kl_err_set(err, -EINVAL, "ReplicaSet without namespace, name or uid");
        r = kl_ctrl_selector(rs, &sel, err);
        if (r < 0)
                return kl_err_wrap(err, r, "ReplicaSet '%s/%s': invalid selector", ns,
                                   kl_ctrl_meta_str(rs, "name"));

        /* Claim the active pods. */
        for (size_t i = 0; i < in->n_pods; i++) {
                const json_t *pod = in->pods[i];

                if (!kl_ctrl_pod_is_active(pod))
                        continue;
                switch (kl_ctrl_rs_claim(rs, sel, pod)) {
                case KL_CTRL_RS_CLAIM_OWNED:
                        kl_objv_push(&active, pod);
                        break;
                case KL_CTRL_RS_CLAIM_ADOPT:
                        kl_ctrl_patch(out, pods_res, ns, kl_ctrl_meta_str(pod, "name"), NULL,
                                      KL_API_PATCH_TYPE_STRATEGIC, kl_ctrl_adopt_patch(rs, pod));
                        kl_objv_push(&active, pod);
                        break;
                case KL_CTRL_RS_CLAIM_RELEASE:
                        kl_ctrl_patch(out, pods_res, ns, kl_ctrl_meta_str(pod, "name"), NULL,
                                      KL_API_PATCH_TYPE_STRATEGIC, kl_ctrl_release_patch(rs, pod));
                        break;
                case KL_CTRL_RS_CLAIM_IGNORE:
                        break;
                }
        }

        /* manageReplicas, unless the ReplicaSet is going away. */
        if (!kl_ctrl_is_deleting(rs) && (int64_t)active.n < replicas) {
                int64_t n = replicas - (int64_t)active.n;
                int64_t batch = active.n > 0 ? (int64_t)active.n : 1;
                json_auto_t *taken = json_object();
                const json_t *tmpl = kl_ctrl_dig(rs, "spec.template");

                if (n > KL_CTRL_RS_BURST)
                        n = KL_CTRL_RS_BURST;
                if (n > batch)
                        n = batch;
                for (size_t i = 0; i < in->n_pods; i++) {
                        const char *pn = kl_ctrl_meta_str(in->pods[i], "name");

                        if (pn)
                                json_object_set_new(taken, pn, json_true());
                }
                /* Validation requires a template with a pod spec: without one, no pods. */
                if (!json_is_object(json_object_get(tmpl, "spec")))
                        n = 0;
                for (int64_t k = 0; k < n; k++) {
                        json_t *pod =
                                kl_ctrl_pod_from_template(tmpl, rs, kl_ctrl_meta_str(rs, "name"));
                        kl_autofree char *name = NULL;

                        if (!pod)
                                break;
                        name = pod_name(kl_ctrl_meta_str(pod, "generateName"),
                                        kl_ctrl_meta_str(rs, "uid"), in->now, (unsigned)k, taken);
                        json_object_set_new(json_object_get(pod, "metadata"), "name",
                                            json_string(name));
                        kl_ctrl_create(out, pods_res, ns, pod);
                        kl_ctrl_event(out, rs, "Normal", "SuccessfulCreate", "Created pod: %s",
                                      name);
                }
        } else if (!kl_ctrl_is_deleting(rs) && (int64_t)active.n > replicas) {
                kl_cleanup(kl_objv_clearp) struct kl_objv victims = { 0 };
                int64_t n = (int64_t)active.n - replicas;

                if (n > KL_CTRL_RS_BURST)
                        n = KL_CTRL_RS_BURST;
                pods_to_delete(&active, in->related, in->n_related, (size_t)n, in->now, &victims);
                for (size_t i = 0; i < victims.n; i++) {
                        const char *name = kl_ctrl_meta_str(victims.items[i], "name");

                        kl_ctrl_delete(out, pods_res, ns, name, NULL);
                        kl_ctrl_event(out, rs, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                                      name);
                }
        }

        rs_status(rs, &active, in->now, out, &next);
        /*
         * Pods ready but not yet minReadySeconds old: look again when the first
         * will count. Upstream queues the ReplicaSet minReadySeconds (+1 s) after
         * a pod turns ready and after a sync with all pods ready; enqueue callbacks
         * here cannot delay, so the sync asks, a second late as upstream's pod path.
         */
        if (min_ready > 0 && next)
                *requeue_after = next - in->now + KL_USEC_PER_SEC;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Sync and events */

/* An orphan pod's key: the oldest ReplicaSet selecting it adopts it. */
static int adopt_orphan(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out)
{
        const struct kl_informer *rsi = kl_ctrl_informer(env, KL_CTRL_INF_REPLICASETS);
        kl_cleanup(kl_objv_clearp) struct kl_objv rss = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        const json_t *pod, *best = NULL;

        kl_client_key_split(key, &ns, &name);
        pod = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_PODS), ns, name);
        if (!pod || kl_ctrl_controller_ref(pod) || !kl_ctrl_pod_is_active(pod))
                return 0;
        kl_informer_list(rsi, ns, &rss);
        for (size_t i = 0; i < rss.n; i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;

                if (kl_ctrl_selector(rss.items[i], &sel, NULL) < 0 ||
                    kl_ctrl_rs_claim(rss.items[i], sel, pod) != KL_CTRL_RS_CLAIM_ADOPT)
                        continue;
                if (!best || kl_ctrl_cmp_creation(rss.items[i], best) < 0)
                        best = rss.items[i];
        }
        if (best)
                kl_ctrl_patch(out, kl_ctrl_res("", "pods"), ns, name, NULL,
                              KL_API_PATCH_TYPE_STRATEGIC, kl_ctrl_adopt_patch(best, pod));
        return 0;
}

/* Pods selected by the ReplicaSets sharing `rs`'s controller (getIndirectlyRelatedPods). */
static void related_pods(const struct kl_ctrl_env *env, const json_t *rs,
                         const struct kl_objv *pods, struct kl_objv *ret)
{
        const json_t *ref = kl_ctrl_controller_ref(rs);
        const char *uid = json_string_value(json_object_get(ref, "uid"));
        kl_cleanup(kl_objv_clearp) struct kl_objv sibs = { 0 };
        json_auto_t *seen = NULL;

        if (!uid)
                return;
        seen = json_object();
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_REPLICASETS), KL_INDEX_OWNER, uid,
                             &sibs);
        for (size_t i = 0; i < sibs.n; i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
                const json_t *sref = kl_ctrl_controller_ref(sibs.items[i]);

                if (!kl_streq_null(json_string_value(json_object_get(sref, "uid")), uid) ||
                    kl_ctrl_selector(sibs.items[i], &sel, NULL) < 0)
                        continue;
                for (size_t k = 0; k < pods->n; k++) {
                        const char *puid = kl_ctrl_meta_str(pods->items[k], "uid");

                        if (!puid || json_object_get(seen, puid) ||
                            !kl_api_label_selector_matches(
                                    sel, kl_ctrl_dig(pods->items[k], "metadata.labels")))
                                continue;
                        json_object_set_new(seen, puid, json_true());
                        kl_objv_push(ret, pods->items[k]);
                }
        }
}

/* Whether the ReplicaSet may have more active pods than it wants (an upper bound). */
static bool may_delete(const json_t *rs, const struct kl_objv *pods)
{
        const char *uid = kl_ctrl_meta_str(rs, "uid");
        int64_t n = 0;

        for (size_t i = 0; i < pods->n; i++) {
                const json_t *ref = kl_ctrl_controller_ref(pods->items[i]);

                if (kl_ctrl_pod_is_active(pods->items[i]) &&
                    (!ref || kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid)))
                        n++;
        }
        return n > kl_ctrl_dig_i32(rs, "spec.replicas", 1);
}

static int rs_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                   kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv related = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *ns = NULL, *name = NULL;
        const json_t *rs;
        int r;

        (void)err;
        if (strncmp(key, ORPHAN_KEY, strlen(ORPHAN_KEY)) == 0)
                return adopt_orphan(env, key + strlen(ORPHAN_KEY), out);
        kl_client_key_split(key, &ns, &name);
        rs = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_REPLICASETS), ns, name);
        if (!rs)
                return 0; /* deleted: the garbage collector takes its pods */
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_PODS), ns, &pods);
        /* Ranks matter only when pods are to be deleted: skip the work otherwise. */
        if (may_delete(rs, &pods))
                related_pods(env, rs, &pods, &related);
        r = kl_ctrl_rs_reconcile(
                &(struct kl_ctrl_rs_input){
                        .rs = rs,
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .related = related.items,
                        .n_related = related.n,
                        .now = env->now,
                },
                out, requeue_after, &e);
        /* A selector that cannot work is the user's to fix: upstream does not retry. */
        if (r < 0)
                kl_log_warn(KL_LOG_CTRL, "replicaset: %s", kl_err_msg(e));
        return 0;
}

static void enqueue_orphan(struct kl_ctrl *c, const json_t *pod)
{
        kl_autofree char *k = kl_client_key(pod);
        kl_autofree char *key = kl_asprintf(ORPHAN_KEY "%s", k);

        kl_ctrl_enqueue(c, key);
}

static void rs_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        const json_t *oref, *nref;

        if (i == KL_CTRL_INF_REPLICASETS) {
                kl_ctrl_enqueue_obj(c, obj ? obj : old);
                return;
        }
        /* Pods. */
        if (!obj) {
                kl_ctrl_enqueue_owner(c, old, "ReplicaSet");
                return;
        }
        nref = kl_ctrl_controller_ref(obj);
        if (!old) {
                if (nref)
                        kl_ctrl_enqueue_owner(c, obj, "ReplicaSet");
                else if (!kl_ctrl_is_deleting(obj))
                        enqueue_orphan(c, obj);
                return;
        }
        oref = kl_ctrl_controller_ref(old);
        if (oref && !json_equal(oref, nref))
                kl_ctrl_enqueue_owner(c, old, "ReplicaSet");
        if (nref)
                kl_ctrl_enqueue_owner(c, obj, "ReplicaSet");
        else if (!json_equal(kl_ctrl_dig(old, "metadata.labels"),
                             kl_ctrl_dig(obj, "metadata.labels")) ||
                 oref)
                enqueue_orphan(c, obj);
}

static const enum kl_ctrl_inf rs_watches[] = {
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_replicaset = {
        .name = "replicaset",
        .user = "system:serviceaccount:kube-system:replicaset-controller",
        .watches = rs_watches,
        .enqueue = rs_enqueue,
        .sync = rs_sync,
};
