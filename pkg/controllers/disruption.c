/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The disruption controller (upstream's pkg/controller/disruption): keeps
 * the status of every policy/v1 PodDisruptionBudget, which the eviction
 * subresource reads to allow or refuse an eviction.
 *
 * One sync of a PDB: the pods its selector matches in its namespace; the
 * number of pods expected (the matching pods when minAvailable is an
 * integer, else the sum of spec.replicas of the pods' controllers, found
 * through their controller references as upstream's finders do); the
 * desired healthy count from minAvailable or maxUnavailable (percentages
 * rounded up); the healthy count (Ready pods neither being deleted nor
 * listed in status.disruptedPods for less than KL_CTRL_PDB_DELETION_TIMEOUT);
 * disruptionsAllowed; the DisruptionAllowed condition. The status is only
 * written when something changed. A failure (a selector that cannot work,
 * a pod whose controller cannot be found) writes upstream's fail-safe
 * status: disruptionsAllowed 0 and the condition False with reason
 * SyncFailed. Entries of status.disruptedPods that the eviction handler
 * added are dropped once their pod is being deleted, is gone, or was not
 * deleted within the timeout; the sync asks to be called again when the
 * next one expires.
 *
 * Differences from upstream, and why:
 *   - A pod event queues every PDB selecting the pod, where upstream picks
 *     one arbitrarily and records a MultiplePodDisruptionBudgets event on
 *     the pod (enqueue callbacks cannot record events); a pod update also
 *     queues the PDBs its old labels matched.
 *   - Upstream falls back to the scale subresource for a controller kind
 *     it has no lister for. Here controllers are read from the informers:
 *     ReplicaSets, Deployments and StatefulSets. A kind the API does not
 *     serve fails as upstream's REST mapping does ("no matches for kind"),
 *     a kind without a scale subresource as upstream ("daemonsets.apps does
 *     not implement the scale subresource"); ReplicationControllers are not
 *     served by kube-lite.
 *   - Upstream queues a pod with a stale DisruptionTarget condition in a
 *     queue of its own, delayed until the condition is
 *     KL_CTRL_PDB_STALE_TIMEOUT old. Here the pod's key is queued with the
 *     prefix "stale-pod:" in this controller's queue, and its sync asks to
 *     be called again until the condition is old enough.
 *
 * Stale DisruptionTarget conditions: a pod that is not being deleted and
 * not terminal, whose DisruptionTarget condition was set True (by an
 * eviction, preemption or the taint manager, not by the kubelet) more than
 * KL_CTRL_PDB_STALE_TIMEOUT ago, gets the condition set False.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/selector.h"
#include "base/buf.h"
#include "base/parse.h"
#include "controllers/ctrl-internal.h"

#define COND_TYPE "DisruptionAllowed"
#define STALE_KEY "stale-pod:"

/* ------------------------------------------------------------------------- */
/* Controllers and their scale (upstream's finders) */

static const json_t *find_named(const json_t *const *v, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (kl_streq_null(kl_ctrl_meta_str(v[i], "name"), name))
                        return v[i];
        return NULL;
}

static const char *ref_str(const json_t *ref, const char *field)
{
        return json_string_value(json_object_get(ref, field));
}

/*
 * Split an apiVersion as schema.ParseGroupVersion: "v1" is the core group,
 * "apps/v1" a group and version, "" the empty GroupVersion. Error (a new
 * message, the parts set empty) for more than one '/'.
 */
static char *parse_gv(const char *api_version, char **ret_group, char **ret_version)
{
        const char *slash;

        if (!api_version)
                api_version = "";
        slash = strchr(api_version, '/');
        if (!slash) {
                *ret_group = kl_strdup("");
                *ret_version = kl_strdup(api_version);
                return NULL;
        }
        if (strchr(slash + 1, '/')) {
                *ret_group = kl_strdup("");
                *ret_version = kl_strdup("");
                return kl_asprintf("unexpected GroupVersion string: %s", api_version);
        }
        *ret_group = kl_strndup(api_version, (size_t)(slash - api_version));
        *ret_version = kl_strdup(slash + 1);
        return NULL;
}

static bool group_in(const char *group, bool extensions_too)
{
        return kl_streq(group, "apps") || (extensions_too && kl_streq(group, "extensions"));
}

/* The object named by `ref` in `v` when its uid is the reference's, else NULL. */
static const json_t *resolve(const json_t *const *v, size_t n, const json_t *ref)
{
        const json_t *o = find_named(v, n, ref_str(ref, "name"));

        if (!o || !kl_streq_null(kl_ctrl_meta_str(o, "uid"), ref_str(ref, "uid")))
                return NULL;
        return o;
}

struct found {
        const json_t *obj; /* the controller whose scale counts; NULL: none found */
};

/*
 * The controller whose spec.replicas counts for a pod with controller
 * reference `ref`, tried in upstream's order: ReplicationController (not
 * served here), the Deployment of a ReplicaSet, a ReplicaSet without a
 * Deployment, a StatefulSet, then any kind with a scale subresource. A new
 * error message, or NULL with ret->obj set or NULL (nothing found).
 */
static char *find_controller(const struct kl_ctrl_pdb_input *in, const json_t *ref,
                             struct found *ret)
{
        kl_autofree char *group = NULL, *version = NULL;
        const char *kind = ref_str(ref, "kind");
        const struct kl_api_resource *res;
        char *msg;

        ret->obj = NULL;
        msg = parse_gv(ref_str(ref, "apiVersion"), &group, &version);
        if (msg)
                return msg;
        if (kl_streq_null(kind, "ReplicaSet") && group_in(group, true)) {
                const json_t *rs = resolve(in->replicasets, in->n_replicasets, ref);
                const json_t *dref = rs ? kl_ctrl_controller_ref(rs) : NULL;

                /* getPodDeployment */
                if (dref) {
                        kl_autofree char *dgroup = NULL, *dversion = NULL;

                        msg = parse_gv(ref_str(dref, "apiVersion"), &dgroup, &dversion);
                        if (msg)
                                return msg;
                        if (kl_streq_null(ref_str(dref, "kind"), "Deployment") &&
                            group_in(dgroup, true)) {
                                ret->obj = resolve(in->deployments, in->n_deployments, dref);
                                if (ret->obj)
                                        return NULL;
                        }
                }
                /* getPodReplicaSet: only a ReplicaSet no Deployment controls. */
                if (rs && !(dref && kl_streq_null(ref_str(dref, "kind"), "Deployment"))) {
                        ret->obj = rs;
                        return NULL;
                }
        }
        if (kl_streq_null(kind, "StatefulSet") && group_in(group, false)) {
                ret->obj = resolve(in->statefulsets, in->n_statefulsets, ref);
                if (ret->obj)
                        return NULL;
        }
        /* getScaleController: the REST mapping, then the scale subresource. */
        res = kl_api_resource_find_kind(group, version, kind ? kind : "");
        if (!res)
                return kl_asprintf("no matches for kind \"%s\" in version \"%s%s%s\"",
                                   kind ? kind : "", group, *group ? "/" : "", version);
        if (!kl_api_resource_subresource(res, "scale"))
                return kl_asprintf("%s%s%s does not implement the scale subresource", res->plural,
                                   *res->group ? "." : "", res->group);
        if (kl_streq(res->group, "apps") && kl_streq(res->kind, "ReplicaSet"))
                ret->obj = resolve(in->replicasets, in->n_replicasets, ref);
        else if (kl_streq(res->group, "apps") && kl_streq(res->kind, "Deployment"))
                ret->obj = resolve(in->deployments, in->n_deployments, ref);
        else if (kl_streq(res->group, "apps") && kl_streq(res->kind, "StatefulSet"))
                ret->obj = resolve(in->statefulsets, in->n_statefulsets, ref);
        return NULL;
}

/*
 * getExpectedScale: the sum of the scales of the pods' controllers, each
 * controller once. Pods without a controller are listed in `unmanaged`
 * (names, a JSON array). A new error message, or NULL.
 */
static char *expected_scale(const struct kl_ctrl_pdb_input *in, const struct kl_objv *pods,
                            int64_t *ret, json_t *unmanaged)
{
        json_auto_t *seen_refs = json_object(); /* controller reference uids already resolved */
        json_auto_t *scales = json_object();    /* controller uid -> replicas */
        const char *uid;
        json_t *v;
        int64_t sum = 0;

        for (size_t i = 0; i < pods->n; i++) {
                const json_t *ref = kl_ctrl_controller_ref(pods->items[i]);
                const char *ruid = ref_str(ref, "uid");
                struct found f;
                char *msg;

                if (!ref) {
                        json_array_append_new(
                                unmanaged, json_string(kl_ctrl_meta_str(pods->items[i], "name")));
                        continue;
                }
                if (json_object_get(seen_refs, ruid ? ruid : ""))
                        continue;
                msg = find_controller(in, ref, &f);
                if (msg)
                        return msg;
                if (!f.obj)
                        return kl_asprintf("found no controllers for pod \"%s\"",
                                           kl_ctrl_meta_str(pods->items[i], "name"));
                json_object_set_new(seen_refs, ruid ? ruid : "", json_true());
                json_object_set_new(scales,
                                    kl_ctrl_meta_str(f.obj, "uid") ? kl_ctrl_meta_str(f.obj, "uid")
                                                                   : "",
                                    json_integer(kl_ctrl_dig_i32(f.obj, "spec.replicas", 1)));
        }
        json_object_foreach(scales, uid, v)
                sum += json_integer_value(v);
        /* Upstream sums int32s. */
        *ret = (int32_t)(uint32_t)(uint64_t)sum;
        return NULL;
}

/*
 * intstr.GetScaledValueFromIntOrPercent with rounding up. A new error
 * message, or NULL.
 */
static char *scaled_value(const json_t *v, int64_t total, int64_t *ret)
{
        const char *s = json_string_value(v);
        kl_autofree char *num = NULL;
        size_t len;
        int64_t n;
        __int128 x;
        int r;

        if (json_is_integer(v)) {
                *ret = (int32_t)json_integer_value(v);
                return NULL;
        }
        if (!s)
                return kl_strdup("invalid value for IntOrString: invalid type: neither int nor "
                                 "percentage");
        len = strlen(s);
        if (len == 0 || s[len - 1] != '%')
                return kl_strdup("invalid value for IntOrString: invalid type: string is not a "
                                 "percentage");
        num = kl_strndup(s, len - 1);
        /* strconv.Atoi takes one leading sign. */
        r = num[0] == '+' && num[1] != '+' && num[1] != '-' ? kl_parse_int64(num + 1, &n)
                                                            : kl_parse_int64(num, &n);
        if (r < 0)
                return kl_asprintf("invalid value for IntOrString: invalid value \"%s\": "
                                   "strconv.Atoi: parsing \"%s\": %s",
                                   s, num, r == -ERANGE ? "value out of range" : "invalid syntax");
        /* math.Ceil(value * total / 100) in exact integers. */
        x = (__int128)n * total;
        x = x >= 0 ? (x + 99) / 100 : -((-x) / 100);
        *ret = x > INT64_MAX ? INT64_MAX : x < INT64_MIN ? INT64_MIN : (int64_t)x;
        return NULL;
}

/*
 * getExpectedPodCount. A new error message, or NULL; `unmanaged` gets the
 * names of pods without a controller when controllers were looked at.
 */
static char *expected_pod_count(const struct kl_ctrl_pdb_input *in, const struct kl_objv *pods,
                                int64_t *ret_expected, int64_t *ret_desired, json_t *unmanaged)
{
        const json_t *max_unavail = kl_ctrl_dig(in->pdb, "spec.maxUnavailable");
        const json_t *min_avail = kl_ctrl_dig(in->pdb, "spec.minAvailable");
        int64_t v = 0;
        char *msg;

        *ret_expected = 0;
        *ret_desired = 0;
        if (max_unavail && !json_is_null(max_unavail)) {
                msg = expected_scale(in, pods, ret_expected, unmanaged);
                if (msg)
                        return msg;
                msg = scaled_value(max_unavail, *ret_expected, &v);
                if (msg)
                        return msg;
                *ret_desired = *ret_expected - v < 0 ? 0 : *ret_expected - v;
        } else if (min_avail && !json_is_null(min_avail)) {
                if (json_is_integer(min_avail)) {
                        *ret_desired = (int32_t)json_integer_value(min_avail);
                        *ret_expected = (int64_t)pods->n;
                } else if (json_is_string(min_avail)) {
                        msg = expected_scale(in, pods, ret_expected, unmanaged);
                        if (msg)
                                return msg;
                        msg = scaled_value(min_avail, *ret_expected, ret_desired);
                        if (msg)
                                return msg;
                }
        }
        return NULL;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ------------------------------------------------------------------------- */
/* The selector as Go's %v prints a *metav1.LabelSelector (its generated String()) */

static void print_selector(struct kl_buf *b, const json_t *sel)
{
        const json_t *labels = json_object_get(sel, "matchLabels");
        const json_t *exprs = json_object_get(sel, "matchExpressions");
        const char **keys;
        const char *k;
        size_t n = 0, i;
        json_t *v, *e;

        if (!json_is_object(sel)) {
                (void)kl_buf_puts(b, "nil");
                return;
        }
        (void)kl_buf_puts(b, "&LabelSelector{MatchLabels:map[string]string{");
        keys = kl_calloc(json_object_size(labels) + 1, sizeof(*keys));
        json_object_foreach((json_t *)labels, k, v)
                keys[n++] = k;
        qsort(keys, n, sizeof(*keys), cmp_str);
        for (i = 0; i < n; i++)
                (void)kl_buf_printf(b, "%s: %s,", keys[i],
                                    json_string_value(json_object_get(labels, keys[i]))
                                            ? json_string_value(json_object_get(labels, keys[i]))
                                            : "");
        free(keys);
        (void)kl_buf_puts(b, "},MatchExpressions:[]LabelSelectorRequirement{");
        json_array_foreach(exprs, i, e) {
                const json_t *vals = json_object_get(e, "values");
                size_t j;
                json_t *x;

                (void)kl_buf_printf(b, "LabelSelectorRequirement{Key:%s,Operator:%s,Values:[",
                                    ref_str(e, "key") ? ref_str(e, "key") : "",
                                    ref_str(e, "operator") ? ref_str(e, "operator") : "");
                json_array_foreach(vals, j, x)
                        (void)kl_buf_printf(b, "%s%s", j ? " " : "",
                                            json_string_value(x) ? json_string_value(x) : "");
                (void)kl_buf_puts(b, "],},");
        }
        (void)kl_buf_puts(b, "},}");
}

/* ------------------------------------------------------------------------- */
/* Status */

/* apimeta.SetStatusCondition on status.conditions (created when absent). */
static void set_condition(json_t *status, const char *cond_status, const char *reason,
                          const char *message, int64_t observed_generation, kl_usec_t now)
{
        json_t *conds = json_object_get(status, "conditions"), *c, *found = NULL;
        size_t i;

        if (!json_is_array(conds)) {
                conds = json_array();
                json_object_set_new(status, "conditions", conds);
        }
        json_array_foreach(conds, i, c)
                if (kl_streq_null(ref_str(c, "type"), COND_TYPE)) {
                        found = c;
                        break;
                }
        if (!found) {
                found = json_pack("{s:s}", "type", COND_TYPE);
                json_object_set_new(found, "lastTransitionTime", kl_ctrl_time_json(now));
                json_object_set_new(found, "status", json_string(cond_status));
                json_array_append_new(conds, found);
        } else if (!kl_streq_null(ref_str(found, "status"), cond_status)) {
                json_object_set_new(found, "status", json_string(cond_status));
                json_object_set_new(found, "lastTransitionTime", kl_ctrl_time_json(now));
        }
        json_object_set_new(found, "reason", json_string(reason));
        json_object_set_new(found, "message", json_string(message));
        if (observed_generation)
                json_object_set_new(found, "observedGeneration", json_integer(observed_generation));
        else
                json_object_del(found, "observedGeneration");
}

/* pdbhelper.ConditionsAreUpToDate on the PDB as read. */
static bool conditions_up_to_date(const json_t *pdb)
{
        const json_t *c = kl_ctrl_get_condition(pdb, COND_TYPE);

        if (!c)
                return false;
        if (kl_ctrl_dig_int(pdb, "status.observedGeneration", 0) !=
            kl_ctrl_dig_int(pdb, "metadata.generation", 0))
                return false;
        if (kl_ctrl_dig_i32(pdb, "status.disruptionsAllowed", 0) > 0)
                return kl_streq_null(ref_str(c, "status"), "True") &&
                       kl_streq_null(ref_str(c, "reason"), "SufficientPods");
        return kl_streq_null(ref_str(c, "status"), "False") &&
               kl_streq_null(ref_str(c, "reason"), "InsufficientPods");
}

/* Semantic equality of two disruptedPods maps (null and empty are equal). */
static bool disrupted_equal(const json_t *a, const json_t *b)
{
        const char *k;
        json_t *v;

        if (json_object_size(a) != json_object_size(b))
                return false;
        json_object_foreach((json_t *)a, k, v) {
                const json_t *w = json_object_get(b, k);

                if (!w || kl_ctrl_time(v) != kl_ctrl_time(w))
                        return false;
        }
        return true;
}

/* failSafe: disruptionsAllowed 0 and the condition False/SyncFailed with the error. */
static void fail_safe(const json_t *pdb, const char *msg, struct kl_ctrl_actions *out,
                      kl_usec_t now)
{
        json_t *copy = json_deep_copy(pdb);
        json_t *status = json_object_get(copy, "status");

        if (!json_is_object(status)) {
                status = json_object();
                json_object_set_new(copy, "status", status);
        }
        json_object_set_new(status, "disruptionsAllowed", json_integer(0));
        set_condition(status, "False", "SyncFailed", msg,
                      kl_ctrl_dig_int(pdb, "status.observedGeneration", 0), now);
        kl_ctrl_update(out, kl_ctrl_res("policy", "poddisruptionbudgets"),
                       kl_ctrl_meta_str(pdb, "namespace"), kl_ctrl_meta_str(pdb, "name"), "status",
                       copy);
}

void kl_ctrl_pdb_reconcile(const struct kl_ctrl_pdb_input *in, struct kl_ctrl_actions *out,
                           kl_usec_t *requeue_after)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *msg = NULL;
        json_auto_t *unmanaged = json_array();
        json_auto_t *disrupted = json_object();
        const json_t *old_disrupted = kl_ctrl_dig(in->pdb, "status.disruptedPods");
        const json_t *pdb = in->pdb;
        int64_t expected, desired, healthy = 0, allowed;
        int64_t generation = kl_ctrl_dig_int(pdb, "metadata.generation", 0);
        kl_usec_t recheck = 0;
        json_t *copy, *status, *old_conds;

        *requeue_after = 0;
        /* getPodsForPdb */
        if (kl_ctrl_selector(pdb, &sel, &e) < 0) {
                kl_ctrl_event(out, pdb, "Warning", "NoPods", "Failed to get pods: %s",
                              kl_err_msg(e));
                fail_safe(pdb, kl_err_msg(e), out, in->now);
                return;
        }
        for (size_t i = 0; i < in->n_pods; i++)
                if (kl_streq_null(kl_ctrl_meta_str(in->pods[i], "namespace"),
                                  kl_ctrl_meta_str(pdb, "namespace")) &&
                    kl_api_label_selector_matches(sel, kl_ctrl_dig(in->pods[i], "metadata.labels")))
                        kl_objv_push(&pods, in->pods[i]);
        if (pods.n == 0)
                kl_ctrl_event(out, pdb, "Normal", "NoPods", "No matching pods found");

        msg = expected_pod_count(in, &pods, &expected, &desired, unmanaged);
        if (msg) {
                kl_ctrl_event(out, pdb, "Warning", "CalculateExpectedPodCountFailed",
                              "Failed to calculate the number of expected pods: %s", msg);
                fail_safe(pdb, msg, out, in->now);
                return;
        }
        if (json_array_size(unmanaged) > 0) {
                struct kl_buf b;
                kl_autofree char *s = NULL;

                kl_buf_init(&b, (size_t)1 << 20);
                print_selector(&b, kl_ctrl_dig(pdb, "spec.selector"));
                s = kl_buf_detach(&b, NULL);
                kl_ctrl_event(out, pdb, "Warning", "UnmanagedPods",
                              "Pods selected by this PodDisruptionBudget (selector: %s) were "
                              "found to be unmanaged. As a result, the status of the PDB cannot "
                              "be calculated correctly, which may result in undefined behavior. "
                              "To account for these pods please set \".spec.minAvailable\" field "
                              "of the PDB to an integer value.",
                              s);
        }

        /* buildDisruptedPodMap */
        if (json_is_object(old_disrupted)) {
                for (size_t i = 0; i < pods.n; i++) {
                        const char *name = kl_ctrl_meta_str(pods.items[i], "name");
                        const json_t *t = name ? json_object_get(old_disrupted, name) : NULL;
                        kl_usec_t deadline;

                        if (kl_ctrl_is_deleting(pods.items[i]) || !t)
                                continue;
                        deadline = kl_ctrl_time(t) + KL_CTRL_PDB_DELETION_TIMEOUT;
                        if (deadline < in->now) {
                                /* Upstream names the namespace twice. */
                                kl_ctrl_event(out, pods.items[i], "Warning", "NotDeleted",
                                              "Pod was expected by PDB %s/%s to be deleted but "
                                              "it wasn't",
                                              kl_ctrl_meta_str(pdb, "namespace"),
                                              kl_ctrl_meta_str(pdb, "namespace"));
                                continue;
                        }
                        if (!recheck || deadline < recheck)
                                recheck = deadline;
                        json_object_set_new(disrupted, name, json_deep_copy(t));
                }
        }

        /* countHealthyPods */
        for (size_t i = 0; i < pods.n; i++) {
                const json_t *t =
                        json_object_get(disrupted, kl_ctrl_meta_str(pods.items[i], "name")
                                                           ? kl_ctrl_meta_str(pods.items[i], "name")
                                                           : "");

                if (kl_ctrl_is_deleting(pods.items[i]))
                        continue;
                if (t && kl_ctrl_time(t) + KL_CTRL_PDB_DELETION_TIMEOUT > in->now)
                        continue;
                if (kl_ctrl_pod_is_ready(pods.items[i]))
                        healthy++;
        }

        /* updatePdbStatus */
        allowed = healthy - desired;
        if (expected <= 0 || allowed <= 0)
                allowed = 0;
        if (recheck)
                *requeue_after = recheck > in->now ? recheck - in->now : 1;
        if (kl_ctrl_dig_int(pdb, "status.currentHealthy", 0) == healthy &&
            kl_ctrl_dig_int(pdb, "status.desiredHealthy", 0) == desired &&
            kl_ctrl_dig_int(pdb, "status.expectedPods", 0) == expected &&
            kl_ctrl_dig_int(pdb, "status.disruptionsAllowed", 0) == allowed &&
            disrupted_equal(old_disrupted, disrupted) &&
            kl_ctrl_dig_int(pdb, "status.observedGeneration", 0) == generation &&
            conditions_up_to_date(pdb))
                return;

        copy = json_deep_copy(pdb);
        old_conds = json_object_get(json_object_get(copy, "status"), "conditions");
        status = json_pack("{s:I, s:I, s:I, s:I}", "currentHealthy", (json_int_t)healthy,
                           "desiredHealthy", (json_int_t)desired, "expectedPods",
                           (json_int_t)expected, "disruptionsAllowed", (json_int_t)allowed);
        if (json_object_size(disrupted) > 0)
                json_object_set(status, "disruptedPods", disrupted);
        if (generation)
                json_object_set_new(status, "observedGeneration", json_integer(generation));
        if (json_is_array(old_conds))
                json_object_set(status, "conditions", old_conds);
        json_object_set_new(copy, "status", status);
        /* pdbhelper.UpdateDisruptionAllowedCondition */
        if (allowed > 0)
                set_condition(status, "True", "SufficientPods", "", generation, in->now);
        else
                set_condition(status, "False", "InsufficientPods", "", generation, in->now);
        kl_ctrl_update(out, kl_ctrl_res("policy", "poddisruptionbudgets"),
                       kl_ctrl_meta_str(pdb, "namespace"), kl_ctrl_meta_str(pdb, "name"), "status",
                       copy);
}

/* ------------------------------------------------------------------------- */
/* Stale DisruptionTarget conditions */

/*
 * nonTerminatingPodHasStaleDisruptionCondition: whether the pod carries a
 * DisruptionTarget condition to reset, and in *ret_wait how long until it
 * is stale (0: now).
 */
static bool has_stale_condition(const json_t *pod, kl_usec_t now, kl_usec_t *ret_wait)
{
        const json_t *c = kl_ctrl_get_condition(pod, "DisruptionTarget");
        const char *phase = kl_ctrl_dig_str(pod, "status.phase");
        kl_usec_t at;

        *ret_wait = 0;
        if (kl_ctrl_is_deleting(pod) || !c || !kl_streq_null(ref_str(c, "status"), "True") ||
            kl_streq_null(ref_str(c, "reason"), "TerminationByKubelet") ||
            kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed"))
                return false;
        at = kl_ctrl_time(json_object_get(c, "lastTransitionTime")) + KL_CTRL_PDB_STALE_TIMEOUT;
        if (at > now)
                *ret_wait = at - now;
        return true;
}

void kl_ctrl_pdb_stale_pod_reconcile(const json_t *pod, kl_usec_t now, struct kl_ctrl_actions *out,
                                     kl_usec_t *requeue_after)
{
        json_t *copy, *conds, *c;
        kl_usec_t wait;
        size_t i;

        *requeue_after = 0;
        if (!has_stale_condition(pod, now, &wait))
                return;
        if (wait > 0) {
                *requeue_after = wait;
                return;
        }
        /* apipod.UpdatePodCondition with {DisruptionTarget, False}: reason and message go. */
        copy = json_deep_copy(pod);
        conds = json_object_get(json_object_get(copy, "status"), "conditions");
        json_array_foreach(conds, i, c)
                if (kl_streq_null(ref_str(c, "type"), "DisruptionTarget")) {
                        json_array_set_new(conds, i,
                                           json_pack("{s:s, s:s, s:o}", "type", "DisruptionTarget",
                                                     "status", "False", "lastTransitionTime",
                                                     kl_ctrl_time_json(now)));
                        break;
                }
        kl_ctrl_update(out, kl_ctrl_res("", "pods"), kl_ctrl_meta_str(pod, "namespace"),
                       kl_ctrl_meta_str(pod, "name"), "status", copy);
}

/* ------------------------------------------------------------------------- */
/* Sync and events */

static int pdb_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv rss = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv deps = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv sss = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        const json_t *pdb;

        (void)err;
        if (strncmp(key, STALE_KEY, strlen(STALE_KEY)) == 0) {
                const json_t *pod;

                kl_client_key_split(key + strlen(STALE_KEY), &ns, &name);
                pod = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_PODS), ns, name);
                if (pod)
                        kl_ctrl_pdb_stale_pod_reconcile(pod, env->now, out, requeue_after);
                return 0;
        }
        kl_client_key_split(key, &ns, &name);
        pdb = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_PDBS), ns, name);
        if (!pdb || !ns)
                return 0; /* deleted: nothing to clean up */
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_PODS), ns, &pods);
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_REPLICASETS), ns, &rss);
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_DEPLOYMENTS), ns, &deps);
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_STATEFULSETS), ns, &sss);
        kl_ctrl_pdb_reconcile(
                &(struct kl_ctrl_pdb_input){
                        .pdb = pdb,
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .replicasets = rss.items,
                        .n_replicasets = rss.n,
                        .deployments = deps.items,
                        .n_deployments = deps.n,
                        .statefulsets = sss.items,
                        .n_statefulsets = sss.n,
                        .now = env->now,
                },
                out, requeue_after);
        return 0;
}

/* Queue every PDB of the pod's namespace whose selector matches its labels. */
static void enqueue_pdbs_of(struct kl_ctrl *c, const json_t *pod)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv pdbs = { 0 };
        const json_t *labels = kl_ctrl_dig(pod, "metadata.labels");
        const char *ns = kl_ctrl_meta_str(pod, "namespace");

        /* Upstream's lister finds no PDB for a pod without labels. */
        if (!ns || json_object_size(labels) == 0)
                return;
        kl_informer_list(kl_ctrl_informer_of(c, KL_CTRL_INF_PDBS), ns, &pdbs);
        for (size_t i = 0; i < pdbs.n; i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;

                if (kl_ctrl_selector(pdbs.items[i], &sel, NULL) < 0 ||
                    !kl_api_label_selector_matches(sel, labels))
                        continue;
                kl_ctrl_enqueue_obj(c, pdbs.items[i]);
        }
}

static void pdb_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        if (i == KL_CTRL_INF_PDBS) {
                kl_ctrl_enqueue_obj(c, obj ? obj : old);
                return;
        }
        if (obj) {
                kl_usec_t wait;

                enqueue_pdbs_of(c, obj);
                /* The wait is the sync's to measure: it asks to be called again. */
                if (has_stale_condition(obj, 0, &wait)) {
                        kl_autofree char *k = kl_client_key(obj);
                        kl_autofree char *key = kl_asprintf(STALE_KEY "%s", k);

                        kl_ctrl_enqueue(c, key);
                }
        }
        if (old && (!obj || !json_equal(kl_ctrl_dig(old, "metadata.labels"),
                                        kl_ctrl_dig(obj, "metadata.labels"))))
                enqueue_pdbs_of(c, old);
}

static const enum kl_ctrl_inf pdb_watches[] = {
        KL_CTRL_INF_PDBS,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF__COUNT,
};

static const enum kl_ctrl_inf pdb_reads[] = {
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF_DEPLOYMENTS,
        KL_CTRL_INF_STATEFULSETS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_disruption = {
        .name = "disruption",
        .user = "system:serviceaccount:kube-system:disruption-controller",
        /* Upstream's recorder names the whole controller manager. */
        .component = "controllermanager",
        .watches = pdb_watches,
        .reads = pdb_reads,
        .enqueue = pdb_enqueue,
        .sync = pdb_sync,
};
