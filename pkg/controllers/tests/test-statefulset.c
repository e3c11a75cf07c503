/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The StatefulSet reconcile, table-driven against upstream's behaviour
 * (pkg/controller/statefulset): names and identity, OrderedReady and
 * Parallel, claims, scale down, RollingUpdate with partition, OnDelete,
 * status and ControllerRevisions.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define NOW ((kl_usec_t)1748779200 * KL_USEC_PER_SEC) /* 2025-06-01T12:00:00Z */

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

/* The StatefulSet "web" of the tests, with `patch` (a JSON merge patch, or NULL) applied. */
static json_t *make_set(const char *patch)
{
        json_t *base = J(
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":"
                "\"web\",\"namespace\":\"default\",\"uid\":\"set-uid\",\"generation\":2,"
                "\"annotations\":{\"kubernetes.io/change-cause\":\"v1\"}},\"spec\":{\"replicas\":3,"
                "\"serviceName\":\"nginx\",\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
                "\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1\"}]}},"
                "\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}},"
                "\"podManagementPolicy\":\"OrderedReady\",\"revisionHistoryLimit\":10}}");
        json_t *p, *out = NULL;

        if (!patch)
                return base;
        p = J(patch);
        cr_assert_eq(kl_api_patch_merge(base, p, &out, NULL), 0);
        json_decref(p);
        json_decref(base);
        return out;
}

/* The revision `set` would make for its current template, numbered `n`. */
static json_t *make_rev(const json_t *set, int64_t n)
{
        json_t *data = kl_ctrl_revision_patch(set);
        json_t *zero = json_integer(0);
        kl_autofree char *hash = kl_ctrl_template_hash(data, zero);

        json_decref(zero);
        return kl_ctrl_revision_new(set, data, hash, n);
}

static const char *name_of(const json_t *o)
{
        return kl_ctrl_meta_str(o, "name");
}

enum pod_state {
        PENDING,
        READY,
        RUNNING_NOT_READY,
        FAILED,
        TERMINATING
};

static json_t *make_pod(int ord, const char *rev, enum pod_state st)
{
        kl_autofree char *name = kl_asprintf("web-%d", ord);
        json_t *pod = json_pack(
                "{s:s, s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:[{s:s, s:s, s:s, s:s, "
                "s:b}]}, s:{s:[{s:s}]}}",
                "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", "default",
                "uid", name, "labels", "app", "web", "controller-revision-hash", rev,
                "statefulset.kubernetes.io/pod-name", name, "apps.kubernetes.io/pod-index",
                strrchr(name, '-') + 1, "ownerReferences", "apiVersion", "apps/v1", "kind",
                "StatefulSet", "name", "web", "uid", "set-uid", "controller", 1, "spec",
                "containers", "name", "nginx");
        json_t *status = json_object();

        json_object_set_new(pod, "status", status);
        /* A terminating pod is a ready one with a deletionTimestamp. */
        if (st == TERMINATING)
                json_object_set_new(json_object_get(pod, "metadata"), "deletionTimestamp",
                                    json_string("2025-06-01T11:59:00Z"));
        switch (st) {
        case PENDING:
                json_object_set_new(status, "phase", json_string("Pending"));
                break;
        case FAILED:
                json_object_set_new(status, "phase", json_string("Failed"));
                break;
        case TERMINATING:
        case READY:
        case RUNNING_NOT_READY:
                json_object_set_new(status, "phase", json_string("Running"));
                json_object_set_new(status, "conditions",
                                    json_pack("[{s:s, s:s, s:s}]", "type", "Ready", "status",
                                              st == RUNNING_NOT_READY ? "False" : "True",
                                              "lastTransitionTime", "2025-06-01T11:00:00Z"));
                break;
        }
        return pod;
}

struct world {
        json_t *set;
        json_t *pods[8];
        size_t n_pods;
        json_t *revs[8];
        size_t n_revs;
        json_t *pvcs[4];
        size_t n_pvcs;
        struct kl_ctrl_actions out;
        kl_usec_t requeue;
};

static void run(struct world *w)
{
        struct kl_ctrl_sts_input in = {
                .set = w->set,
                .pods = (const json_t *const *)w->pods,
                .n_pods = w->n_pods,
                .revisions = (const json_t *const *)w->revs,
                .n_revisions = w->n_revs,
                .pvcs = (const json_t *const *)w->pvcs,
                .n_pvcs = w->n_pvcs,
                .now = NOW,
        };
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_ctrl_sts_reconcile(&in, &w->out, &w->requeue, &err), 0, "%s",
                     err ? kl_err_msg(err) : "");
}

static void release(struct world *w)
{
        json_decref(w->set);
        for (size_t i = 0; i < w->n_pods; i++)
                json_decref(w->pods[i]);
        for (size_t i = 0; i < w->n_revs; i++)
                json_decref(w->revs[i]);
        for (size_t i = 0; i < w->n_pvcs; i++)
                json_decref(w->pvcs[i]);
        kl_ctrl_actions_clear(&w->out);
}

/* The n-th action (0-based) of kind `op` on resource `plural`, or NULL. */
static const struct kl_ctrl_action *nth(const struct world *w, enum kl_ctrl_op op,
                                        const char *plural, size_t n)
{
        for (size_t i = 0; i < w->out.n; i++)
                if (w->out.v[i].op == op && kl_streq(w->out.v[i].res->plural, plural) && n-- == 0)
                        return &w->out.v[i];
        return NULL;
}

static size_t count_ops(const struct world *w, enum kl_ctrl_op op, const char *plural)
{
        size_t n = 0;

        for (size_t i = 0; i < w->out.n; i++)
                if (w->out.v[i].op == op && kl_streq(w->out.v[i].res->plural, plural))
                        n++;
        return n;
}

static size_t index_of(const struct world *w, const struct kl_ctrl_action *a)
{
        return (size_t)(a - w->out.v);
}

static bool has_event(const struct world *w, const char *reason, const char *message)
{
        for (size_t i = 0; i < w->out.n; i++)
                if (w->out.v[i].op == KL_CTRL_EVENT && kl_streq(w->out.v[i].reason, reason) &&
                    kl_streq(w->out.v[i].message, message))
                        return true;
        return false;
}

static const json_t *status_written(const struct world *w)
{
        const struct kl_ctrl_action *a = nth(w, KL_CTRL_UPDATE, "statefulsets", 0);

        return a ? json_object_get(a->obj, "status") : NULL;
}

static const char *label(const json_t *obj, const char *key)
{
        return json_string_value(
                json_object_get(json_object_get(json_object_get(obj, "metadata"), "labels"), key));
}

static int64_t st_int(const json_t *st, const char *key)
{
        return json_integer_value(json_object_get(st, key));
}

Test(statefulset, ordinal_parsing)
{
        size_t len = 0;

        cr_expect_eq(kl_ctrl_sts_ordinal("web-0", &len), 0);
        cr_expect_eq(len, 3);
        cr_expect_eq(kl_ctrl_sts_ordinal("my-web-12", &len), 12);
        cr_expect_eq(len, 6);
        cr_expect_eq(kl_ctrl_sts_ordinal("web", NULL), -1);
        cr_expect_eq(kl_ctrl_sts_ordinal("web-", NULL), -1);
        cr_expect_eq(kl_ctrl_sts_ordinal("web-1a", NULL), -1);
        cr_expect_eq(kl_ctrl_sts_ordinal("web-99999999999", NULL), -1);
}

Test(statefulset, first_sync_creates_revision_and_web_0_only)
{
        struct world w = { .set = make_set(NULL) };
        const struct kl_ctrl_action *rev, *pod;
        const json_t *spec, *st;
        const char *rev_name;

        run(&w);
        rev = nth(&w, KL_CTRL_CREATE, "controllerrevisions", 0);
        cr_assert(rev);
        rev_name = name_of(rev->obj);
        cr_expect(kl_startswith(rev_name, "web-"));
        cr_expect_eq(json_integer_value(json_object_get(rev->obj, "revision")), 1);
        cr_expect_str_eq(label(rev->obj, "app"), "web");
        cr_expect_str_eq(label(rev->obj, "controller-revision-hash"), rev_name + 4);
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_object_get(json_object_get(json_object_get(rev->obj, "data"), "spec"),
                                        "template"),
                        "$patch")),
                "replace");

        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 1);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_expect_str_eq(name_of(pod->obj), "web-0");
        cr_expect_null(kl_ctrl_meta_str(pod->obj, "generateName"));
        cr_expect_str_eq(label(pod->obj, "statefulset.kubernetes.io/pod-name"), "web-0");
        cr_expect_str_eq(label(pod->obj, "apps.kubernetes.io/pod-index"), "0");
        cr_expect_str_eq(label(pod->obj, "controller-revision-hash"), rev_name);
        cr_expect_str_eq(label(pod->obj, "app"), "web");
        cr_expect(kl_ctrl_is_owned_by(pod->obj, "set-uid"));
        spec = json_object_get(pod->obj, "spec");
        cr_expect_str_eq(json_string_value(json_object_get(spec, "hostname")), "web-0");
        cr_expect_str_eq(json_string_value(json_object_get(spec, "subdomain")), "nginx");
        cr_expect(has_event(&w, "SuccessfulCreate",
                            "create Pod web-0 in StatefulSet web successful"));

        st = status_written(&w);
        cr_assert(st);
        cr_expect_eq(st_int(st, "observedGeneration"), 2);
        cr_expect_eq(st_int(st, "replicas"), 0);
        cr_expect_eq(st_int(st, "availableReplicas"), 0);
        cr_expect_eq(st_int(st, "collisionCount"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(st, "currentRevision")), rev_name);
        cr_expect_str_eq(json_string_value(json_object_get(st, "updateRevision")), rev_name);
        release(&w);
}

Test(statefulset, ordered_ready_waits_for_predecessor)
{
        struct world w = { .set = make_set(NULL) };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), PENDING);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "controllerrevisions"), 0);
        cr_expect_eq(st_int(status_written(&w), "replicas"), 1);
        release(&w);
}

Test(statefulset, ordered_ready_creates_next_once_ready)
{
        struct world w = { .set = make_set(NULL) };
        const json_t *st;

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 1);
        cr_expect_str_eq(name_of(nth(&w, KL_CTRL_CREATE, "pods", 0)->obj), "web-1");
        st = status_written(&w);
        cr_expect_eq(st_int(st, "replicas"), 1);
        cr_expect_eq(st_int(st, "readyReplicas"), 1);
        cr_expect_eq(st_int(st, "currentReplicas"), 1);
        cr_expect_eq(st_int(st, "updatedReplicas"), 1);
        cr_expect_eq(st_int(st, "availableReplicas"), 1);
        release(&w);
}

Test(statefulset, ordered_ready_stops_on_unhealthy_pod)
{
        struct world w = { .set = make_set(NULL) };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), RUNNING_NOT_READY);
        w.pods[w.n_pods++] = make_pod(1, name_of(w.revs[0]), READY);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        release(&w);
}

Test(statefulset, parallel_creates_all_at_once)
{
        struct world w = { .set = make_set("{\"spec\":{\"podManagementPolicy\":\"Parallel\"}}") };

        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 3);
        cr_expect_str_eq(name_of(nth(&w, KL_CTRL_CREATE, "pods", 0)->obj), "web-0");
        cr_expect_str_eq(name_of(nth(&w, KL_CTRL_CREATE, "pods", 2)->obj), "web-2");
        release(&w);
}

Test(statefulset, ordinals_start)
{
        struct world w = { .set = make_set("{\"spec\":{\"ordinals\":{\"start\":5}}}") };
        const struct kl_ctrl_action *pod;

        run(&w);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_assert(pod);
        cr_expect_str_eq(name_of(pod->obj), "web-5");
        cr_expect_str_eq(label(pod->obj, "apps.kubernetes.io/pod-index"), "5");
        release(&w);
}

Test(statefulset, claims_created_before_pod_and_mounted)
{
        struct world w = {
                .set = make_set("{\"spec\":{\"volumeClaimTemplates\":[{\"metadata\":{\"name\":"
                                "\"data\",\"labels\":{\"tier\":\"db\"}},\"spec\":{\"accessModes\":"
                                "[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":"
                                "\"1Gi\"}}}}],\"template\":{\"spec\":{\"volumes\":[{\"name\":"
                                "\"cfg\",\"emptyDir\":{}}]}}}}")
        };
        const struct kl_ctrl_action *pvc, *pod;
        const json_t *vols;

        run(&w);
        pvc = nth(&w, KL_CTRL_CREATE, "persistentvolumeclaims", 0);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_assert(pvc && pod);
        cr_expect_lt(index_of(&w, pvc), index_of(&w, pod));
        cr_expect_str_eq(name_of(pvc->obj), "data-web-0");
        cr_expect_str_eq(label(pvc->obj, "app"), "web");
        cr_expect_str_eq(label(pvc->obj, "tier"), "db");
        cr_expect_str_eq(json_string_value(json_object_get(
                                 json_object_get(json_object_get(json_object_get(pvc->obj, "spec"),
                                                                 "resources"),
                                                 "requests"),
                                 "storage")),
                         "1Gi");
        /* Retain (the default): the claim outlives the set. */
        cr_expect_null(json_object_get(json_object_get(pvc->obj, "metadata"), "ownerReferences"));
        cr_expect(has_event(&w, "SuccessfulCreate",
                            "create Claim data-web-0 Pod web-0 in StatefulSet web success"));
        vols = json_object_get(json_object_get(pod->obj, "spec"), "volumes");
        cr_assert_eq(json_array_size(vols), 2);
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(vols, 0), "name")),
                         "data");
        cr_expect_str_eq(json_string_value(json_object_get(
                                 json_object_get(json_array_get(vols, 0), "persistentVolumeClaim"),
                                 "claimName")),
                         "data-web-0");
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(vols, 1), "name")),
                         "cfg");
        release(&w);
}

Test(statefulset, existing_claim_is_not_created_again)
{
        struct world w = { .set = make_set("{\"spec\":{\"volumeClaimTemplates\":[{\"metadata\":{"
                                           "\"name\":\"data\"},\"spec\":{}}]}}") };

        w.pvcs[w.n_pvcs++] =
                J("{\"metadata\":{\"name\":\"data-web-0\",\"namespace\":\"default\"}}");
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "persistentvolumeclaims"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 1);
        release(&w);
}

Test(statefulset, retention_delete_owns_claims_by_set)
{
        struct world w = { .set = make_set(
                                   "{\"spec\":{\"persistentVolumeClaimRetentionPolicy\":{"
                                   "\"whenDeleted\":\"Delete\",\"whenScaled\":\"Retain\"},"
                                   "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},"
                                   "\"spec\":{}}]}}") };
        const json_t *refs;

        run(&w);
        refs = json_object_get(
                json_object_get(nth(&w, KL_CTRL_CREATE, "persistentvolumeclaims", 0)->obj,
                                "metadata"),
                "ownerReferences");
        cr_assert_eq(json_array_size(refs), 1);
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "kind")),
                         "StatefulSet");
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "uid")),
                         "set-uid");
        cr_expect_null(json_object_get(json_array_get(refs, 0), "controller"));
        release(&w);
}

Test(statefulset, retention_when_scaled_delete_gives_claim_to_condemned_pod)
{
        struct world w = {
                .set = make_set(
                        "{\"spec\":{\"replicas\":1,\"persistentVolumeClaimRetentionPolicy\":"
                        "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Delete\"},"
                        "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},"
                        "\"spec\":{}}]}}")
        };
        const struct kl_ctrl_action *patch;
        const json_t *refs;

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        w.pods[w.n_pods++] = make_pod(1, name_of(w.revs[0]), READY);
        json_object_set_new(json_object_get(w.pods[0], "spec"), "volumes",
                            J("[{\"name\":\"data\",\"persistentVolumeClaim\":{\"claimName\":"
                              "\"data-web-0\"}}]"));
        w.pvcs[w.n_pvcs++] = J("{\"metadata\":{\"name\":\"data-web-0\",\"namespace\":\"default\","
                               "\"uid\":\"c0\"}}");
        w.pvcs[w.n_pvcs++] = J("{\"metadata\":{\"name\":\"data-web-1\",\"namespace\":\"default\","
                               "\"uid\":\"c1\"}}");
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_PATCH, "persistentvolumeclaims"), 1);
        patch = nth(&w, KL_CTRL_PATCH, "persistentvolumeclaims", 0);
        cr_expect_str_eq(patch->name, "data-web-1");
        refs = json_object_get(json_object_get(patch->obj, "metadata"), "ownerReferences");
        cr_assert_eq(json_array_size(refs), 1);
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "kind")),
                         "Pod");
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "uid")),
                         "web-1");
        cr_expect(has_event(&w, "SuccessfulDelete",
                            "delete Pod web-1 in StatefulSet web successful"));
        release(&w);
}

Test(statefulset, scale_down_deletes_highest_ordinal_first)
{
        struct world w = { .set = make_set("{\"spec\":{\"replicas\":1}}") };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        for (int i = 0; i < 3; i++)
                w.pods[w.n_pods++] = make_pod(i, name_of(w.revs[0]), READY);
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "web-2");
        cr_expect(has_event(&w, "SuccessfulDelete",
                            "delete Pod web-2 in StatefulSet web successful"));
        release(&w);
}

Test(statefulset, scale_down_waits_for_terminating_pod)
{
        struct world w = { .set = make_set("{\"spec\":{\"replicas\":1}}") };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        w.pods[w.n_pods++] = make_pod(1, name_of(w.revs[0]), READY);
        w.pods[w.n_pods++] = make_pod(2, name_of(w.revs[0]), TERMINATING);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        release(&w);
}

Test(statefulset, parallel_scale_down_deletes_all_condemned)
{
        struct world w = {
                .set = make_set("{\"spec\":{\"replicas\":1,\"podManagementPolicy\":\"Parallel\"}}")
        };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        for (int i = 0; i < 3; i++)
                w.pods[w.n_pods++] = make_pod(i, name_of(w.revs[0]), RUNNING_NOT_READY);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 2);
        release(&w);
}

Test(statefulset, failed_pod_is_deleted_to_be_recreated)
{
        struct world w = { .set = make_set(NULL) };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), FAILED);
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "web-0");
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        release(&w);
}

/* Three ready pods at revision 1 of image nginx:1; the set now says nginx:2. */
static void rollout_world(struct world *w, const char *extra)
{
        json_t *old = make_set(NULL);
        kl_autofree char *patch =
                kl_asprintf("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                            "\"nginx\",\"image\":\"nginx:2\"}]}}%s%s}}",
                            extra ? "," : "", extra ? extra : "");

        w->revs[w->n_revs++] = make_rev(old, 1);
        w->set = make_set(patch);
        json_object_set_new(w->set, "status",
                            json_pack("{s:s, s:s}", "currentRevision", name_of(w->revs[0]),
                                      "updateRevision", name_of(w->revs[0])));
        for (int i = 0; i < 3; i++)
                w->pods[w->n_pods++] = make_pod(i, name_of(w->revs[0]), READY);
        json_decref(old);
}

Test(statefulset, rolling_update_replaces_highest_ordinal_first)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *rev;
        const json_t *st;

        rollout_world(&w, NULL);
        run(&w);
        rev = nth(&w, KL_CTRL_CREATE, "controllerrevisions", 0);
        cr_assert(rev);
        cr_expect_eq(json_integer_value(json_object_get(rev->obj, "revision")), 2);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "web-2");
        st = status_written(&w);
        cr_expect_str_eq(json_string_value(json_object_get(st, "currentRevision")),
                         name_of(w.revs[0]));
        cr_expect_str_eq(json_string_value(json_object_get(st, "updateRevision")),
                         name_of(rev->obj));
        cr_expect_eq(st_int(st, "currentReplicas"), 2);
        cr_expect_eq(st_int(st, "updatedReplicas"), 0);
        release(&w);
}

Test(statefulset, rolling_update_waits_for_updated_pod_to_be_ready)
{
        struct world w = { 0 };
        json_t *upd;

        rollout_world(&w, NULL);
        upd = make_rev(w.set, 2);
        json_decref(w.pods[2]);
        w.pods[2] = make_pod(2, name_of(upd), RUNNING_NOT_READY);
        w.revs[w.n_revs++] = upd;
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "controllerrevisions"), 0);
        release(&w);
}

Test(statefulset, rolling_update_continues_below_ready_updated_pod)
{
        struct world w = { 0 };
        json_t *upd;

        rollout_world(&w, NULL);
        upd = make_rev(w.set, 2);
        json_decref(w.pods[2]);
        w.pods[2] = make_pod(2, name_of(upd), READY);
        w.revs[w.n_revs++] = upd;
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "web-1");
        release(&w);
}

Test(statefulset, rolling_update_respects_partition)
{
        struct world w = { 0 };
        json_t *upd;

        rollout_world(&w, "\"updateStrategy\":{\"rollingUpdate\":{\"partition\":2}}");
        upd = make_rev(w.set, 2);
        json_decref(w.pods[2]);
        w.pods[2] = make_pod(2, name_of(upd), READY);
        w.revs[w.n_revs++] = upd;
        run(&w);
        /* web-0 and web-1 are below the partition: they stay at the old revision. */
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(status_written(&w), "currentRevision")),
                         name_of(w.revs[0]));
        release(&w);
}

Test(statefulset, partition_recreates_pod_below_it_at_current_revision)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *pod;

        rollout_world(&w, "\"updateStrategy\":{\"rollingUpdate\":{\"partition\":2}}");
        /* web-0 is gone: it comes back at the current revision with the old image. */
        json_decref(w.pods[0]);
        w.pods[0] = w.pods[--w.n_pods];
        run(&w);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_assert(pod);
        cr_expect_str_eq(name_of(pod->obj), "web-0");
        cr_expect_str_eq(label(pod->obj, "controller-revision-hash"), name_of(w.revs[0]));
        cr_expect_str_eq(json_string_value(json_object_get(
                                 json_array_get(json_object_get(json_object_get(pod->obj, "spec"),
                                                                "containers"),
                                                0),
                                 "image")),
                         "nginx:1");
        release(&w);
}

Test(statefulset, on_delete_does_not_replace_pods)
{
        struct world w = { 0 };

        rollout_world(&w, "\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}");
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "controllerrevisions"), 1);
        release(&w);
}

Test(statefulset, rollout_completes_when_all_updated_and_ready)
{
        struct world w = { 0 };
        json_t *upd;
        const json_t *st;

        rollout_world(&w, NULL);
        upd = make_rev(w.set, 2);
        for (int i = 0; i < 3; i++) {
                json_decref(w.pods[i]);
                w.pods[i] = make_pod(i, name_of(upd), READY);
        }
        w.revs[w.n_revs++] = upd;
        run(&w);
        st = status_written(&w);
        cr_expect_str_eq(json_string_value(json_object_get(st, "currentRevision")), name_of(upd));
        cr_expect_eq(st_int(st, "currentReplicas"), 3);
        cr_expect_eq(st_int(st, "updatedReplicas"), 3);
        /* The old revision is no longer live but within the history limit. */
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "controllerrevisions"), 0);
        release(&w);
}

Test(statefulset, rollback_renumbers_the_old_revision)
{
        struct world w = { .set = make_set(NULL) };
        json_t *v2 = make_set("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                              "\"nginx\",\"image\":\"nginx:2\"}]}}}}");
        const struct kl_ctrl_action *p;

        /* Revision 1 has nginx:1 (the set's template again, after `rollout undo`). */
        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.revs[w.n_revs++] = make_rev(v2, 2);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "controllerrevisions"), 0);
        p = nth(&w, KL_CTRL_PATCH, "controllerrevisions", 0);
        cr_assert(p);
        cr_expect_str_eq(p->name, name_of(w.revs[0]));
        cr_expect_eq(json_integer_value(json_object_get(p->obj, "revision")), 3);
        cr_expect_str_eq(json_string_value(json_object_get(status_written(&w), "updateRevision")),
                         name_of(w.revs[0]));
        json_decref(v2);
        release(&w);
}

Test(statefulset, hash_collision_bumps_collision_count)
{
        struct world w = { .set = make_set(NULL) };
        json_t *other = make_rev(w.set, 7);
        const struct kl_ctrl_action *rev;
        const json_t *st;

        /* A revision of another owner took the name with different data. */
        json_object_set_new(other, "data", J("{\"spec\":{\"template\":{\"x\":1}}}"));
        json_object_set_new(json_object_get(other, "metadata"), "ownerReferences", json_array());
        json_object_set_new(json_object_get(json_object_get(other, "metadata"), "labels"), "app",
                            json_string("other"));
        w.revs[w.n_revs++] = other;
        run(&w);
        rev = nth(&w, KL_CTRL_CREATE, "controllerrevisions", 0);
        cr_assert(rev);
        cr_expect_str_neq(name_of(rev->obj), name_of(other));
        st = status_written(&w);
        cr_expect_eq(st_int(st, "collisionCount"), 1);
        release(&w);
}

Test(statefulset, history_truncated_to_limit)
{
        struct world w = { .set = make_set("{\"spec\":{\"revisionHistoryLimit\":1}}") };

        for (int i = 1; i <= 3; i++) {
                kl_autofree char *p = kl_asprintf(
                        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\","
                        "\"image\":\"old:%d\"}]}}}}",
                        i);
                json_t *s = make_set(p);

                w.revs[w.n_revs++] = make_rev(s, i);
                json_decref(s);
        }
        w.revs[w.n_revs++] = make_rev(w.set, 4);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[3]), PENDING);
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "controllerrevisions"), 2);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "controllerrevisions", 0)->name,
                         name_of(w.revs[0]));
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "controllerrevisions", 1)->name,
                         name_of(w.revs[1]));
        release(&w);
}

Test(statefulset, orphan_pod_is_adopted)
{
        struct world w = { .set = make_set(NULL) };
        const struct kl_ctrl_action *p;

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        json_object_del(json_object_get(w.pods[0], "metadata"), "ownerReferences");
        /* Selected but not named like a member: left alone. */
        w.pods[w.n_pods++] = J("{\"metadata\":{\"name\":\"other\",\"namespace\":\"default\","
                               "\"labels\":{\"app\":\"web\"}}}");
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_PATCH, "pods"), 1);
        p = nth(&w, KL_CTRL_PATCH, "pods", 0);
        cr_expect_str_eq(p->name, "web-0");
        cr_expect_eq(p->patch_type, KL_API_PATCH_TYPE_MERGE);
        cr_expect_str_eq(json_string_value(json_object_get(
                                 json_array_get(json_object_get(json_object_get(p->obj, "metadata"),
                                                                "ownerReferences"),
                                                0),
                                 "uid")),
                         "set-uid");
        cr_expect_str_eq(name_of(nth(&w, KL_CTRL_CREATE, "pods", 0)->obj), "web-1");
        release(&w);
}

Test(statefulset, wrong_identity_is_fixed)
{
        struct world w = { .set = make_set(NULL) };
        const struct kl_ctrl_action *u;

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        json_object_del(json_object_get(json_object_get(w.pods[0], "metadata"), "labels"),
                        "apps.kubernetes.io/pod-index");
        run(&w);
        u = nth(&w, KL_CTRL_UPDATE, "pods", 0);
        cr_assert(u);
        cr_expect_str_eq(label(u->obj, "apps.kubernetes.io/pod-index"), "0");
        cr_expect(has_event(&w, "SuccessfulUpdate",
                            "update Pod web-0 in StatefulSet web successful"));
        release(&w);
}

Test(statefulset, deleting_set_only_writes_status)
{
        struct world w = { .set = make_set("{\"metadata\":{\"deletionTimestamp\":"
                                           "\"2025-06-01T11:00:00Z\"}}") };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_eq(st_int(status_written(&w), "replicas"), 1);
        release(&w);
}

Test(statefulset, unchanged_status_is_not_written)
{
        struct world w = { .set = make_set("{\"spec\":{\"replicas\":1}}") };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        json_object_set_new(w.set, "status",
                            json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:i}",
                                      "observedGeneration", 2, "replicas", 1, "readyReplicas", 1,
                                      "currentReplicas", 1, "updatedReplicas", 1,
                                      "availableReplicas", 1, "currentRevision", name_of(w.revs[0]),
                                      "updateRevision", name_of(w.revs[0]), "collisionCount", 0));
        run(&w);
        cr_expect_eq(w.out.n, 0);
        release(&w);
}

Test(statefulset, min_ready_seconds_requeues)
{
        struct world w = { .set = make_set("{\"spec\":{\"replicas\":1,\"minReadySeconds\":"
                                           "7200}}") };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), READY);
        run(&w);
        cr_expect_eq(st_int(status_written(&w), "readyReplicas"), 1);
        cr_expect_eq(st_int(status_written(&w), "availableReplicas"), 0);
        cr_expect_eq(w.requeue, 7200 * KL_USEC_PER_SEC);
        release(&w);
}

Test(statefulset, unusable_selector_is_an_error)
{
        json_t *set = make_set("{\"spec\":{\"selector\":{\"matchExpressions\":[{\"key\":\"app\","
                               "\"operator\":\"Foo\"}]}}}");
        struct kl_ctrl_actions out = { 0 };
        struct kl_ctrl_sts_input in = { .set = set, .now = NOW };
        kl_autoerr struct kl_err *err = NULL;

        cr_expect_eq(kl_ctrl_sts_reconcile(&in, &out, NULL, &err), -EINVAL);
        cr_assert(err);
        cr_expect(strstr(kl_err_msg(err), "not a valid label selector operator"), "%s",
                  kl_err_msg(err));
        cr_expect_eq(out.n, 0);
        json_decref(set);
}

Test(statefulset, parallel_does_not_wait_for_unhealthy_pods)
{
        struct world w = { .set = make_set("{\"spec\":{\"podManagementPolicy\":\"Parallel\"}}") };

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        w.pods[w.n_pods++] = make_pod(0, name_of(w.revs[0]), PENDING);
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 2);
        cr_expect_str_eq(name_of(nth(&w, KL_CTRL_CREATE, "pods", 0)->obj), "web-1");
        cr_expect_str_eq(name_of(nth(&w, KL_CTRL_CREATE, "pods", 1)->obj), "web-2");
        release(&w);
}

Test(statefulset, pods_of_other_owners_are_ignored)
{
        struct world w = { .set = make_set("{\"spec\":{\"replicas\":1}}") };
        json_t *p;

        w.revs[w.n_revs++] = make_rev(w.set, 1);
        p = make_pod(0, name_of(w.revs[0]), READY);
        json_object_set_new(
                json_array_get(json_object_get(json_object_get(p, "metadata"), "ownerReferences"),
                               0),
                "uid", json_string("someone-else"));
        w.pods[w.n_pods++] = p;
        run(&w);
        /* web-0 belongs to another controller: the create fails as AlreadyExists upstream too. */
        cr_expect_eq(count_ops(&w, KL_CTRL_PATCH, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_eq(st_int(status_written(&w), "replicas"), 0);
        release(&w);
}

/* ------------------------------------------------------------------------- */
/* A small simulation: the reconcile's writes applied to a world, pods made
 * ready as a kubelet would, until nothing is left to do. */

static json_t **list_of(struct world *w, const char *plural, size_t **ret_n)
{
        if (kl_streq(plural, "pods")) {
                *ret_n = &w->n_pods;
                return w->pods;
        }
        if (kl_streq(plural, "controllerrevisions")) {
                *ret_n = &w->n_revs;
                return w->revs;
        }
        cr_assert_str_eq(plural, "persistentvolumeclaims");
        *ret_n = &w->n_pvcs;
        return w->pvcs;
}

static size_t find(json_t **v, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (kl_streq_null(name_of(v[i]), name))
                        return i;
        return n;
}

/* Apply the writes; how many there were. */
static size_t apply(struct world *w)
{
        size_t writes = 0;

        for (size_t i = 0; i < w->out.n; i++) {
                struct kl_ctrl_action *a = &w->out.v[i];
                size_t *n, k;
                json_t **v, *o;

                if (a->op == KL_CTRL_EVENT)
                        continue;
                writes++;
                if (kl_streq(a->res->plural, "statefulsets")) {
                        json_decref(w->set);
                        w->set = json_incref(a->obj);
                        continue;
                }
                v = list_of(w, a->res->plural, &n);
                switch (a->op) {
                case KL_CTRL_CREATE:
                        if (find(v, *n, name_of(a->obj)) < *n)
                                break; /* AlreadyExists */
                        cr_assert_lt(*n, 8);
                        o = json_deep_copy(a->obj);
                        json_object_set_new(json_object_get(o, "metadata"), "uid",
                                            json_string(name_of(o)));
                        if (kl_streq(a->res->plural, "pods"))
                                json_object_set_new(o, "status",
                                                    json_pack("{s:s}", "phase", "Pending"));
                        v[(*n)++] = o;
                        break;
                case KL_CTRL_UPDATE:
                        k = find(v, *n, a->name);
                        cr_assert_lt(k, *n);
                        json_decref(v[k]);
                        v[k] = json_incref(a->obj);
                        break;
                case KL_CTRL_PATCH:
                        k = find(v, *n, a->name);
                        cr_assert_lt(k, *n);
                        cr_assert_eq(kl_api_patch_merge(v[k], a->obj, &o, NULL), 0);
                        json_decref(v[k]);
                        v[k] = o;
                        break;
                case KL_CTRL_DELETE:
                        k = find(v, *n, a->name);
                        cr_assert_lt(k, *n);
                        json_decref(v[k]);
                        v[k] = v[--(*n)];
                        break;
                case KL_CTRL_EVENT:
                        break;
                }
        }
        kl_ctrl_actions_clear(&w->out);
        return writes;
}

static void kubelet(struct world *w)
{
        for (size_t i = 0; i < w->n_pods; i++)
                if (kl_streq_null(json_string_value(json_object_get(
                                          json_object_get(w->pods[i], "status"), "phase")),
                                  "Pending"))
                        json_object_set_new(w->pods[i], "status",
                                            json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "phase",
                                                      "Running", "conditions", "type", "Ready",
                                                      "status", "True", "lastTransitionTime",
                                                      "2025-06-01T11:00:00Z"));
}

/* Reconcile until quiet; the number of syncs it took. */
static int converge(struct world *w)
{
        for (int i = 1; i <= 40; i++) {
                run(w);
                if (apply(w) == 0)
                        return i;
                kubelet(w);
        }
        cr_assert_fail("no convergence");
        return -1;
}

static const char *image_of(const json_t *pod)
{
        return json_string_value(json_object_get(
                json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0),
                "image"));
}

Test(statefulset, simulated_create_rollout_and_undo)
{
        struct world w = { .set = make_set("{\"spec\":{\"volumeClaimTemplates\":[{\"metadata\":{"
                                           "\"name\":\"data\"},\"spec\":{}}]}}") };
        const json_t *st;
        json_t *undone = NULL;
        kl_autofree char *first_rev = NULL;
        size_t k;

        converge(&w);
        cr_assert_eq(w.n_pods, 3);
        cr_expect_eq(w.n_pvcs, 3);
        cr_expect_eq(w.n_revs, 1);
        st = json_object_get(w.set, "status");
        cr_expect_eq(st_int(st, "readyReplicas"), 3);
        cr_expect_eq(st_int(st, "currentReplicas"), 3);
        first_rev = kl_strdup(name_of(w.revs[0]));

        /* kubectl set image */
        json_object_set_new(
                json_array_get(
                        json_object_get(
                                json_object_get(
                                        json_object_get(json_object_get(w.set, "spec"), "template"),
                                        "spec"),
                                "containers"),
                        0),
                "image", json_string("nginx:2"));
        json_object_set_new(json_object_get(w.set, "metadata"), "generation", json_integer(3));
        converge(&w);
        cr_expect_eq(w.n_revs, 2);
        st = json_object_get(w.set, "status");
        cr_expect_str_eq(json_string_value(json_object_get(st, "currentRevision")),
                         json_string_value(json_object_get(st, "updateRevision")));
        cr_expect_str_neq(json_string_value(json_object_get(st, "updateRevision")), first_rev);
        cr_expect_eq(st_int(st, "updatedReplicas"), 3);
        for (size_t i = 0; i < w.n_pods; i++)
                cr_expect_str_eq(image_of(w.pods[i]), "nginx:2");

        /* kubectl rollout undo: revision 1's template back on the set */
        k = find(w.revs, w.n_revs, first_rev);
        cr_assert_lt(k, w.n_revs);
        undone = kl_ctrl_revision_apply(w.set, w.revs[k]);
        json_decref(w.set);
        w.set = undone;
        json_object_set_new(json_object_get(w.set, "metadata"), "generation", json_integer(4));
        converge(&w);
        /* The old revision is reused and renumbered, not copied. */
        cr_expect_eq(w.n_revs, 2);
        k = find(w.revs, w.n_revs, first_rev);
        cr_assert_lt(k, w.n_revs);
        cr_expect_eq(kl_ctrl_revision_number(w.revs[k]), 3);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(w.set, "status"),
                                                           "currentRevision")),
                         first_rev);
        for (size_t i = 0; i < w.n_pods; i++)
                cr_expect_str_eq(image_of(w.pods[i]), "nginx:1");
        release(&w);
}
