/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Deployment controller's reconcile against upstream's syncDeployment:
 * the new ReplicaSet and its revision annotations, rolling updates within
 * maxSurge/maxUnavailable, Recreate, paused Deployments, rollback to an old
 * revision, proportional scaling, revisionHistoryLimit, progress deadlines,
 * conditions, status and events.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define T0 ((kl_usec_t)1750000000 * KL_USEC_PER_SEC) /* 2025-06-15T15:06:40Z */
#define S  KL_USEC_PER_SEC

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static json_t *ts(kl_usec_t t)
{
        return kl_ctrl_time_json(t);
}

static char *ts_str(kl_usec_t t)
{
        json_auto_t *v = ts(t);

        return kl_strdup(json_string_value(v));
}

static json_t *tmpl(const char *img)
{
        return json_pack("{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}", "metadata", "labels", "app", "web",
                         "spec", "containers", "name", "c", "image", img);
}

static char *hash_of(const char *img)
{
        json_auto_t *t = tmpl(img);

        return kl_ctrl_template_hash(t, NULL);
}

static char *rs_name(const char *img)
{
        kl_autofree char *h = hash_of(img);

        return kl_asprintf("web-%s", h);
}

/* A Deployment "web" as the API server stores it (defaults filled in), generation `gen`. */
static json_t *mk_d(int replicas, const char *img, int gen)
{
        return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i, s:s}, s:{s:i, s:{s:{s:s}}, s:o, "
                         "s:{s:s, s:{s:s, s:s}}, s:i, s:i, s:i}, s:{}}",
                         "apiVersion", "apps/v1", "kind", "Deployment", "metadata", "name", "web",
                         "namespace", "default", "uid", "d-uid", "generation", gen,
                         "creationTimestamp", "2025-06-01T00:00:00Z", "spec", "replicas", replicas,
                         "selector", "matchLabels", "app", "web", "template", tmpl(img), "strategy",
                         "type", "RollingUpdate", "rollingUpdate", "maxSurge", "25%",
                         "maxUnavailable", "25%", "revisionHistoryLimit", 10,
                         "progressDeadlineSeconds", 600, "minReadySeconds", 0, "status");
}

static void set(json_t *obj, const char *path, json_t *v)
{
        const char *dot = strrchr(path, '.');
        json_t *parent = obj;

        if (dot) {
                kl_autofree char *p = kl_strndup(path, (size_t)(dot - path));

                parent = (json_t *)kl_ctrl_dig(obj, p);
                cr_assert(parent, "no %s", p);
        }
        json_object_set_new(parent, dot ? dot + 1 : path, v);
}

static void annotate(json_t *obj, const char *key, const char *value)
{
        json_t *meta = json_object_get(obj, "metadata");

        if (!json_object_get(meta, "annotations"))
                json_object_set_new(meta, "annotations", json_object());
        json_object_set_new(json_object_get(meta, "annotations"), key, json_string(value));
}

/*
 * A ReplicaSet of `d` for image `img`: `spec` replicas, status replicas and
 * available pods, revision, the replica annotations for `desired` (max =
 * desired + surge `surge`), created `age` seconds before T0.
 */
static json_t *mk_rs(const json_t *d, const char *img, int spec, int have, int avail,
                     const char *revision, int desired, int surge, int age)
{
        kl_autofree char *h = hash_of(img);
        kl_autofree char *name = rs_name(img);
        kl_autofree char *uid = kl_asprintf("uid-%s", img);
        json_t *t = tmpl(img);
        char buf[16];
        json_t *rs;

        json_object_set_new((json_t *)kl_ctrl_dig(t, "metadata.labels"), "pod-template-hash",
                            json_string(h));
        rs = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i, s:o, s:{s:s, s:s}, s:[o], s:{}}, "
                       "s:{s:i, s:i, s:{s:{s:s, s:s}}, s:o}, s:{s:i, s:i, s:i, s:i}}",
                       "apiVersion", "apps/v1", "kind", "ReplicaSet", "metadata", "name", name,
                       "namespace", "default", "uid", uid, "generation", 1, "creationTimestamp",
                       ts(T0 - (kl_usec_t)age * S), "labels", "app", "web", "pod-template-hash", h,
                       "ownerReferences", kl_ctrl_owner_ref(d), "annotations", "spec", "replicas",
                       spec, "minReadySeconds", 0, "selector", "matchLabels", "app", "web",
                       "pod-template-hash", h, "template", t, "status", "replicas", have,
                       "readyReplicas", avail, "availableReplicas", avail, "observedGeneration", 1);
        if (revision)
                annotate(rs, "deployment.kubernetes.io/revision", revision);
        (void)snprintf(buf, sizeof(buf), "%d", desired);
        annotate(rs, "deployment.kubernetes.io/desired-replicas", buf);
        (void)snprintf(buf, sizeof(buf), "%d", desired + surge);
        annotate(rs, "deployment.kubernetes.io/max-replicas", buf);
        return rs;
}

/* A pod controlled by the ReplicaSet `rs`, in `phase`. */
static json_t *mk_pod(const json_t *rs, const char *name, const char *phase)
{
        return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:[o]}, s:{s:s}}", "apiVersion", "v1",
                         "kind", "Pod", "metadata", "name", name, "namespace", "default", "uid",
                         name, "ownerReferences", kl_ctrl_owner_ref(rs), "status", "phase", phase);
}

struct run {
        struct kl_ctrl_actions a;
        kl_usec_t requeue;
        int r;
};

static void reconcile(struct run *run, const json_t *d, json_t *const *rss, size_t n_rss,
                      json_t *const *pods, size_t n_pods)
{
        kl_autoerr struct kl_err *err = NULL;

        run->r = kl_ctrl_deploy_reconcile(
                &(struct kl_ctrl_deploy_input){
                        .d = d,
                        .rss = (const json_t *const *)rss,
                        .n_rss = n_rss,
                        .pods = (const json_t *const *)pods,
                        .n_pods = n_pods,
                        .now = T0,
                },
                &run->a, &run->requeue, &err);
        cr_assert_eq(run->r, 0, "reconcile: %s", err ? kl_err_msg(err) : "");
}

static size_t count_op(const struct run *run, enum kl_ctrl_op op)
{
        size_t n = 0;

        for (size_t i = 0; i < run->a.n; i++)
                n += run->a.v[i].op == op;
        return n;
}

static const struct kl_ctrl_action *find(const struct run *run, enum kl_ctrl_op op,
                                         const char *plural, const char *name)
{
        for (size_t i = 0; i < run->a.n; i++) {
                const struct kl_ctrl_action *x = &run->a.v[i];

                if (x->op == op && (!plural || kl_streq(x->res->plural, plural)) &&
                    (!name || kl_streq_null(x->name, name) ||
                     (op == KL_CTRL_CREATE &&
                      kl_streq_null(kl_ctrl_meta_str(x->obj, "name"), name))))
                        return x;
        }
        return NULL;
}

static const struct kl_ctrl_action *nth_event(const struct run *run, size_t k)
{
        for (size_t i = 0; i < run->a.n; i++)
                if (run->a.v[i].op == KL_CTRL_EVENT && k-- == 0)
                        return &run->a.v[i];
        return NULL;
}

static void expect_event(const struct run *run, size_t k, const char *reason, const char *msg)
{
        const struct kl_ctrl_action *e = nth_event(run, k);

        cr_assert(e, "no event %zu (want %s)", k, msg);
        cr_expect_str_eq(e->reason, reason);
        cr_expect_str_eq(e->message, msg);
        cr_expect_str_eq(kl_ctrl_meta_str(e->obj, "name"), "web");
}

/* The status the sync writes for the Deployment, or NULL. */
static const json_t *dstatus(const struct run *run)
{
        const struct kl_ctrl_action *u = find(run, KL_CTRL_UPDATE, "deployments", "web");

        if (!u)
                return NULL;
        cr_expect_str_eq(u->sub, "status");
        return json_object_get(u->obj, "status");
}

static const json_t *cond(const json_t *status, const char *type)
{
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(status, "conditions"), i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), type))
                        return c;
        return NULL;
}

static void expect_cond(const json_t *status, const char *type, const char *st, const char *reason,
                        const char *msg)
{
        const json_t *c = cond(status, type);

        cr_assert(c, "no %s condition", type);
        cr_expect_str_eq(json_string_value(json_object_get(c, "status")), st);
        cr_expect_str_eq(json_string_value(json_object_get(c, "reason")), reason);
        if (msg)
                cr_expect_str_eq(json_string_value(json_object_get(c, "message")), msg);
}

static const char *rs_ann(const json_t *rs, const char *key)
{
        return json_string_value(json_object_get(kl_ctrl_dig(rs, "metadata.annotations"), key));
}

static void free_all(json_t **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                json_decref(v[i]);
}

Test(deployment, new_deployment_creates_its_first_replicaset)
{
        struct run run = { 0 };
        json_t *d = mk_d(3, "nginx:1", 1);
        kl_autofree char *name = rs_name("nginx:1");
        kl_autofree char *hash = hash_of("nginx:1");
        kl_autofree char *msg = NULL, *now = ts_str(T0);
        const struct kl_ctrl_action *c, *p;
        const json_t *st, *conds;

        reconcile(&run, d, NULL, 0, NULL, 0);
        c = find(&run, KL_CTRL_CREATE, "replicasets", name);
        cr_assert(c, "no create of %s", name);
        cr_expect_str_eq(c->ns, "default");
        cr_expect_str_eq(kl_ctrl_dig_str(c->obj, "metadata.labels.pod-template-hash"), hash);
        cr_expect_str_eq(kl_ctrl_dig_str(c->obj, "metadata.labels.app"), "web");
        cr_expect_str_eq(kl_ctrl_dig_str(c->obj, "spec.selector.matchLabels.pod-template-hash"),
                         hash);
        cr_expect_str_eq(kl_ctrl_dig_str(c->obj, "spec.selector.matchLabels.app"), "web");
        cr_expect_str_eq(kl_ctrl_dig_str(c->obj, "spec.template.metadata.labels.pod-template-hash"),
                         hash);
        cr_expect_eq(kl_ctrl_dig_int(c->obj, "spec.replicas", -1), 3);
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/revision"), "1");
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/desired-replicas"), "3");
        /* maxSurge 25% of 3 rounds up to 1. */
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/max-replicas"), "4");
        cr_expect(kl_ctrl_is_owned_by(c->obj, "d-uid"));
        cr_expect_str_eq(json_string_value(json_object_get(kl_ctrl_controller_ref(c->obj), "kind")),
                         "Deployment");
        msg = kl_asprintf("Scaled up replica set %s from 0 to 3", name);
        expect_event(&run, 0, "ScalingReplicaSet", msg);
        cr_expect_str_eq(nth_event(&run, 0)->event_type, "Normal");

        st = dstatus(&run);
        cr_assert(st);
        cr_expect_eq(kl_ctrl_dig_int(st, "observedGeneration", -1), 1);
        cr_expect_null(json_object_get(st, "replicas"));
        conds = json_object_get(st, "conditions");
        cr_assert_eq(json_array_size(conds), 2);
        free(msg);
        msg = kl_asprintf("Created new replica set \"%s\"", name);
        expect_cond(st, "Progressing", "True", "NewReplicaSetCreated", msg);
        cr_expect_str_eq(kl_ctrl_dig_str(json_array_get(conds, 0), "type"), "Progressing");
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastUpdateTime"), now);
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastTransitionTime"), now);
        expect_cond(st, "Available", "False", "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.");

        /* The revision annotation: a merge patch of the Deployment itself. */
        p = find(&run, KL_CTRL_PATCH, "deployments", "web");
        cr_assert(p);
        cr_expect_eq(p->patch_type, KL_API_PATCH_TYPE_MERGE);
        cr_expect_null(p->sub);
        cr_expect_str_eq(rs_ann(p->obj, "deployment.kubernetes.io/revision"), "1");
        /* Issued after the status update, whose resourceVersion it would make stale. */
        cr_expect(p > find(&run, KL_CTRL_UPDATE, "deployments", "web"));
        kl_ctrl_actions_clear(&run.a);
        json_decref(d);
}

Test(deployment, deployment_annotations_are_copied_to_the_new_replicaset)
{
        struct run run = { 0 };
        json_t *d = mk_d(1, "nginx:1", 1);
        kl_autofree char *name = rs_name("nginx:1");
        const struct kl_ctrl_action *c;

        annotate(d, "kubernetes.io/change-cause", "kubectl set image nginx:1");
        annotate(d, "kubectl.kubernetes.io/last-applied-configuration", "{}");
        annotate(d, "deployment.kubernetes.io/revision", "7");
        reconcile(&run, d, NULL, 0, NULL, 0);
        c = find(&run, KL_CTRL_CREATE, "replicasets", name);
        cr_assert(c);
        cr_expect_str_eq(rs_ann(c->obj, "kubernetes.io/change-cause"), "kubectl set image nginx:1");
        cr_expect_null(rs_ann(c->obj, "kubectl.kubernetes.io/last-applied-configuration"));
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/revision"), "1");
        kl_ctrl_actions_clear(&run.a);
        json_decref(d);
}

Test(deployment, rolling_update_surges_new_and_scales_old_down_in_one_step)
{
        struct run run = { 0 };
        json_t *d = mk_d(4, "nginx:2", 2);
        json_t *rss[1];
        kl_autofree char *newn = rs_name("nginx:2"), *oldn = rs_name("nginx:1");
        kl_autofree char *m1 = NULL, *m2 = NULL, *old_time = ts_str(T0 - 1000 * S);
        const struct kl_ctrl_action *c, *u;
        const json_t *st;

        rss[0] = mk_rs(d, "nginx:1", 4, 4, 4, "1", 4, 1, 3600);
        annotate(d, "deployment.kubernetes.io/revision", "1");
        set(d, "status",
            json_pack("{s:i, s:i, s:i, s:i, s:i, s:[{s:s, s:s, s:o, s:o, s:s, s:s}, "
                      "{s:s, s:s, s:o, s:o, s:s, s:s}]}",
                      "observedGeneration", 1, "replicas", 4, "updatedReplicas", 4, "readyReplicas",
                      4, "availableReplicas", 4, "conditions", "type", "Available", "status",
                      "True", "lastUpdateTime", ts(T0 - 1000 * S), "lastTransitionTime",
                      ts(T0 - 1000 * S), "reason", "MinimumReplicasAvailable", "message",
                      "Deployment has minimum availability.", "type", "Progressing", "status",
                      "True", "lastUpdateTime", ts(T0 - 1000 * S), "lastTransitionTime",
                      ts(T0 - 1000 * S), "reason", "NewReplicaSetAvailable", "message", "x"));
        reconcile(&run, d, rss, 1, NULL, 0);
        /* maxSurge 1: the new ReplicaSet starts at 1 ... */
        c = find(&run, KL_CTRL_CREATE, "replicasets", newn);
        cr_assert(c);
        cr_expect_eq(kl_ctrl_dig_int(c->obj, "spec.replicas", -1), 1);
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/revision"), "2");
        /* ... and maxUnavailable 1 lets one old pod go. */
        u = find(&run, KL_CTRL_UPDATE, "replicasets", oldn);
        cr_assert(u);
        cr_expect_null(u->sub);
        cr_expect_eq(kl_ctrl_dig_int(u->obj, "spec.replicas", -1), 3);
        m1 = kl_asprintf("Scaled up replica set %s from 0 to 1", newn);
        m2 = kl_asprintf("Scaled down replica set %s from 4 to 3", oldn);
        expect_event(&run, 0, "ScalingReplicaSet", m1);
        expect_event(&run, 1, "ScalingReplicaSet", m2);
        st = dstatus(&run);
        cr_assert(st);
        cr_expect_eq(kl_ctrl_dig_int(st, "observedGeneration", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(st, "replicas", -1), 4);
        cr_expect_null(json_object_get(st, "updatedReplicas"));
        /* The condition moves to the end, keeping its transition time (still True). */
        expect_cond(st, "Progressing", "True", "NewReplicaSetCreated", NULL);
        cr_expect_str_eq(
                kl_ctrl_dig_str(json_array_get(json_object_get(st, "conditions"), 1), "type"),
                "Progressing");
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastTransitionTime"), old_time);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, rolling_update_scales_new_up_to_max_surge)
{
        struct run run = { 0 };
        json_t *d = mk_d(4, "nginx:2", 2);
        json_t *rss[2];
        kl_autofree char *newn = rs_name("nginx:2"), *m = NULL;

        rss[0] = mk_rs(d, "nginx:1", 3, 3, 3, "1", 4, 1, 3600);
        rss[1] = mk_rs(d, "nginx:2", 1, 1, 1, "2", 4, 1, 60);
        reconcile(&run, d, rss, 2, NULL, 0);
        /* 4 pods of 5 allowed: one more new one; the old ones wait for the next step. */
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), 1);
        m = kl_asprintf("Scaled up replica set %s from 1 to 2", newn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        cr_expect_eq(kl_ctrl_dig_int(find(&run, KL_CTRL_UPDATE, "replicasets", newn)->obj,
                                     "spec.replicas", -1),
                     2);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, rolling_update_scales_old_down_keeping_min_available)
{
        struct run run = { 0 };
        json_t *d = mk_d(4, "nginx:2", 2);
        json_t *rss[2];
        kl_autofree char *oldn = rs_name("nginx:1"), *m = NULL;

        rss[0] = mk_rs(d, "nginx:1", 3, 3, 3, "1", 4, 1, 3600);
        rss[1] = mk_rs(d, "nginx:2", 2, 2, 2, "2", 4, 1, 60);
        reconcile(&run, d, rss, 2, NULL, 0);
        /* 5 available, 3 needed: two old pods may go. */
        m = kl_asprintf("Scaled down replica set %s from 3 to 1", oldn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, rolling_update_removes_unhealthy_old_replicas_first)
{
        struct run run = { 0 };
        json_t *d = mk_d(4, "nginx:2", 2);
        json_t *rss[2];
        kl_autofree char *oldn = rs_name("nginx:1"), *m = NULL;

        /* The old ReplicaSet has 2 unavailable pods: they go without counting against
         * availability. */
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 1, "1", 4, 1, 3600);
        rss[1] = mk_rs(d, "nginx:2", 2, 2, 2, "2", 4, 1, 60);
        reconcile(&run, d, rss, 2, NULL, 0);
        m = kl_asprintf("Scaled down replica set %s from 3 to 1", oldn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, percentages_round_surge_up_and_unavailable_down)
{
        struct run run = { 0 };
        json_t *d = mk_d(10, "nginx:1", 1);
        json_t *rss[1];
        kl_autofree char *name = rs_name("nginx:1");

        /* 25% of 10: maxSurge 3 (2.5 up), maxUnavailable 2 (2.5 down). */
        reconcile(&run, d, NULL, 0, NULL, 0);
        cr_expect_str_eq(rs_ann(find(&run, KL_CTRL_CREATE, "replicasets", name)->obj,
                                "deployment.kubernetes.io/max-replicas"),
                         "13");
        kl_ctrl_actions_clear(&run.a);

        rss[0] = mk_rs(d, "nginx:1", 10, 10, 8, "1", 10, 3, 60);
        reconcile(&run, d, rss, 1, NULL, 0);
        expect_cond(dstatus(&run), "Available", "True", "MinimumReplicasAvailable",
                    "Deployment has minimum availability.");
        cr_expect_eq(kl_ctrl_dig_int(dstatus(&run), "unavailableReplicas", -1), 2);
        kl_ctrl_actions_clear(&run.a);
        set(rss[0], "status.availableReplicas", json_integer(7));
        reconcile(&run, d, rss, 1, NULL, 0);
        expect_cond(dstatus(&run), "Available", "False", "MinimumReplicasUnavailable", NULL);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, complete_rollout_progressed_and_old_replicasets_cleaned_up)
{
        struct run run = { 0 };
        json_t *d = mk_d(2, "nginx:3", 1);
        json_t *rss[3];
        kl_autofree char *newn = rs_name("nginx:3"), *old1 = rs_name("nginx:1");
        kl_autofree char *msg = NULL, *ltt = ts_str(T0 - 500 * S), *now = ts_str(T0);
        const json_t *st;

        set(d, "spec.revisionHistoryLimit", json_integer(1));
        annotate(d, "deployment.kubernetes.io/revision", "3");
        rss[0] = mk_rs(d, "nginx:1", 0, 0, 0, "1", 2, 1, 7200);
        rss[1] = mk_rs(d, "nginx:2", 0, 0, 0, "2", 2, 1, 3600);
        rss[2] = mk_rs(d, "nginx:3", 2, 2, 2, "3", 2, 1, 60);
        set(d, "status",
            json_pack("{s:i, s:i, s:i, s:i, s:i, s:[{s:s, s:s, s:o, s:o, s:s, s:s}]}",
                      "observedGeneration", 1, "replicas", 2, "updatedReplicas", 2, "readyReplicas",
                      2, "availableReplicas", 2, "conditions", "type", "Progressing", "status",
                      "True", "lastUpdateTime", ts(T0 - 10 * S), "lastTransitionTime",
                      ts(T0 - 500 * S), "reason", "ReplicaSetUpdated", "message", "x"));
        reconcile(&run, d, rss, 3, NULL, 0);
        /* revisionHistoryLimit 1: the lowest revision goes, without preconditions. */
        cr_expect_eq(count_op(&run, KL_CTRL_DELETE), 1);
        cr_assert(find(&run, KL_CTRL_DELETE, "replicasets", old1));
        cr_expect_null(find(&run, KL_CTRL_DELETE, "replicasets", old1)->obj);
        st = dstatus(&run);
        cr_assert(st);
        msg = kl_asprintf("ReplicaSet \"%s\" has successfully progressed.", newn);
        expect_cond(st, "Progressing", "True", "NewReplicaSetAvailable", msg);
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastTransitionTime"), ltt);
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastUpdateTime"), now);
        expect_cond(st, "Available", "True", "MinimumReplicasAvailable", NULL);
        cr_expect_eq(kl_ctrl_dig_int(st, "updatedReplicas", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(st, "availableReplicas", -1), 2);
        cr_expect_eq(count_op(&run, KL_CTRL_PATCH), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 3);
        json_decref(d);
}

Test(deployment, cleanup_keeps_replicasets_not_yet_scaled_down)
{
        struct run run = { 0 };
        json_t *d = mk_d(2, "nginx:3", 1);
        json_t *rss[2];

        set(d, "spec.revisionHistoryLimit", json_integer(0));
        annotate(d, "deployment.kubernetes.io/revision", "3");
        rss[0] = mk_rs(d, "nginx:1", 0, 1, 0, "1", 2, 1, 7200); /* a pod still there */
        rss[1] = mk_rs(d, "nginx:3", 2, 2, 2, "3", 2, 1, 60);
        set(d, "status",
            J("{\"observedGeneration\":1,\"replicas\":2,\"updatedReplicas\":2,"
              "\"readyReplicas\":2,\"availableReplicas\":2}"));
        reconcile(&run, d, rss, 2, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_DELETE), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

static json_t *mk_recreate(int replicas, const char *img)
{
        json_t *d = mk_d(replicas, img, 2);

        set(d, "spec.strategy", J("{\"type\":\"Recreate\"}"));
        annotate(d, "deployment.kubernetes.io/revision", "1");
        return d;
}

Test(deployment, recreate_scales_old_to_zero_first)
{
        struct run run = { 0 };
        json_t *d = mk_recreate(3, "nginx:2");
        json_t *rss[1];
        kl_autofree char *oldn = rs_name("nginx:1"), *m = NULL;

        rss[0] = mk_rs(d, "nginx:1", 3, 3, 3, "1", 3, 0, 3600);
        reconcile(&run, d, rss, 1, NULL, 0);
        m = kl_asprintf("Scaled down replica set %s from 3 to 0", oldn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, recreate_waits_for_old_pods_to_be_gone)
{
        struct run run = { 0 };
        json_t *d = mk_recreate(3, "nginx:2");
        json_t *rss[1], *pods[2];
        kl_autofree char *newn = rs_name("nginx:2"), *m = NULL;
        const struct kl_ctrl_action *c;

        rss[0] = mk_rs(d, "nginx:1", 0, 0, 0, "1", 3, 0, 3600);
        pods[0] = mk_pod(rss[0], "old-1", "Running");
        pods[1] = mk_pod(rss[0], "old-2", "Succeeded");
        reconcile(&run, d, rss, 1, pods, 2);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), 0);
        cr_expect_eq(run.requeue, KL_USEC_PER_SEC);
        kl_ctrl_actions_clear(&run.a);

        /* Only pods in a terminal phase left: the new ReplicaSet comes at full size. */
        reconcile(&run, d, rss, 1, pods + 1, 1);
        c = find(&run, KL_CTRL_CREATE, "replicasets", newn);
        cr_assert(c);
        cr_expect_eq(kl_ctrl_dig_int(c->obj, "spec.replicas", -1), 3);
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/max-replicas"), "3");
        cr_expect_str_eq(rs_ann(c->obj, "deployment.kubernetes.io/revision"), "2");
        m = kl_asprintf("Scaled up replica set %s from 0 to 3", newn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 2);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, paused_deployment_scales_but_does_not_roll_out)
{
        struct run run = { 0 };
        json_t *d = mk_d(5, "nginx:2", 3);
        json_t *rss[1];
        kl_autofree char *oldn = rs_name("nginx:1"), *m = NULL;
        const struct kl_ctrl_action *u;
        const json_t *st;

        set(d, "spec.paused", json_true());
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 3, "1", 3, 1, 3600);
        reconcile(&run, d, rss, 1, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        u = find(&run, KL_CTRL_UPDATE, "replicasets", oldn);
        cr_assert(u);
        cr_expect_eq(kl_ctrl_dig_int(u->obj, "spec.replicas", -1), 5);
        cr_expect_str_eq(rs_ann(u->obj, "deployment.kubernetes.io/desired-replicas"), "5");
        cr_expect_str_eq(rs_ann(u->obj, "deployment.kubernetes.io/max-replicas"), "7");
        m = kl_asprintf("Scaled up replica set %s from 3 to 5", oldn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        st = dstatus(&run);
        expect_cond(st, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
        cr_expect_eq(kl_ctrl_dig_int(st, "observedGeneration", -1), 3);
        cr_expect_null(json_object_get(st, "updatedReplicas"));
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, resumed_deployment_says_so)
{
        struct run run = { 0 };
        json_t *d = mk_d(3, "nginx:1", 1);
        json_t *rss[1];

        annotate(d, "deployment.kubernetes.io/revision", "1");
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 1, "1", 3, 1, 60);
        set(d, "status",
            json_pack("{s:i, s:i, s:i, s:i, s:i, s:[{s:s, s:s, s:o, s:o, s:s, s:s}]}",
                      "observedGeneration", 1, "replicas", 3, "updatedReplicas", 3, "readyReplicas",
                      1, "availableReplicas", 1, "conditions", "type", "Progressing", "status",
                      "Unknown", "lastUpdateTime", ts(T0 - 60 * S), "lastTransitionTime",
                      ts(T0 - 60 * S), "reason", "DeploymentPaused", "message",
                      "Deployment is paused"));
        reconcile(&run, d, rss, 1, NULL, 0);
        expect_cond(dstatus(&run), "Progressing", "Unknown", "DeploymentResumed",
                    "Deployment is resumed");
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, rollout_undo_reuses_the_old_replicaset_with_the_next_revision)
{
        struct run run = { 0 };
        /* kubectl rollout undo put the template of revision 1 back. */
        json_t *d = mk_d(3, "nginx:1", 3);
        json_t *rss[3];
        kl_autofree char *a = rs_name("nginx:1"), *m = NULL;
        const struct kl_ctrl_action *u, *p;

        annotate(d, "deployment.kubernetes.io/revision", "4");
        rss[0] = mk_rs(d, "nginx:1", 0, 0, 0, "1", 3, 1, 7200);
        annotate(rss[0], "deployment.kubernetes.io/revision-history", "");
        rss[1] = mk_rs(d, "nginx:0", 0, 0, 0, "3", 3, 1, 5000);
        annotate(rss[1], "deployment.kubernetes.io/revision-history", "2");
        rss[2] = mk_rs(d, "nginx:2", 3, 3, 3, "4", 3, 1, 3600);
        reconcile(&run, d, rss, 3, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        u = find(&run, KL_CTRL_UPDATE, "replicasets", a);
        cr_assert(u);
        /* One write: the next revision, the old one remembered, and the first scale-up. */
        cr_expect_str_eq(rs_ann(u->obj, "deployment.kubernetes.io/revision"), "5");
        cr_expect_str_eq(rs_ann(u->obj, "deployment.kubernetes.io/revision-history"), "1");
        cr_expect_eq(kl_ctrl_dig_int(u->obj, "spec.replicas", -1), 1);
        m = kl_asprintf("Scaled up replica set %s from 0 to 1", a);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        p = find(&run, KL_CTRL_PATCH, "deployments", "web");
        cr_assert(p);
        cr_expect_str_eq(rs_ann(p->obj, "deployment.kubernetes.io/revision"), "5");
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 3);
        json_decref(d);
}

Test(deployment, revision_history_appends_and_stays_bounded)
{
        struct run run = { 0 };
        json_t *d = mk_d(1, "nginx:1", 2);
        json_t *rss[2];
        kl_autofree char *a = rs_name("nginx:1");
        kl_autofree char *longh = NULL;
        const char *h;
        struct kl_buf b = KL_BUF_INIT;

        /* 400 entries of "1000,": 2000 characters, the limit. */
        for (int i = 0; i < 400; i++)
                cr_assert_eq(kl_buf_printf(&b, "%s%d", i ? "," : "", 1000 + i), 0);
        longh = kl_buf_detach(&b, NULL);
        rss[0] = mk_rs(d, "nginx:1", 0, 0, 0, "1500", 1, 1, 7200);
        annotate(rss[0], "deployment.kubernetes.io/revision-history", longh);
        rss[1] = mk_rs(d, "nginx:2", 1, 1, 1, "1501", 1, 1, 3600);
        reconcile(&run, d, rss, 2, NULL, 0);
        h = rs_ann(find(&run, KL_CTRL_UPDATE, "replicasets", a)->obj,
                   "deployment.kubernetes.io/revision-history");
        cr_assert(h);
        /* 1999 + ",1500" is 2004 > 2000: the oldest entry makes room. */
        cr_expect_eq(strlen(h), 1999);
        cr_expect_eq(strncmp(h, "1001,", 5), 0, "oldest dropped: %.20s", h);
        cr_expect_str_eq(h + strlen(h) - 10, ",1399,1500");
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, scaling_mid_rollout_is_proportional)
{
        struct run run = { 0 };
        json_t *d = mk_d(20, "nginx:2", 3);
        json_t *rss[2];
        kl_autofree char *oldn = rs_name("nginx:1"), *newn = rs_name("nginx:2");
        kl_autofree char *m1 = NULL, *m2 = NULL;
        const struct kl_ctrl_action *u;

        set(d, "spec.strategy.rollingUpdate", J("{\"maxSurge\":3,\"maxUnavailable\":2}"));
        /* Sized for 10 replicas (max 13) when the user scaled to 20. */
        rss[0] = mk_rs(d, "nginx:1", 8, 8, 8, "1", 10, 3, 3600);
        rss[1] = mk_rs(d, "nginx:2", 5, 5, 0, "2", 10, 3, 60);
        reconcile(&run, d, rss, 2, NULL, 0);
        /* 10 more allowed (23 - 13): 8*23/13 = 14.15 -> 14, 5*23/13 = 8.85 -> 9. */
        u = find(&run, KL_CTRL_UPDATE, "replicasets", oldn);
        cr_assert(u);
        cr_expect_eq(kl_ctrl_dig_int(u->obj, "spec.replicas", -1), 14);
        cr_expect_str_eq(rs_ann(u->obj, "deployment.kubernetes.io/desired-replicas"), "20");
        cr_expect_str_eq(rs_ann(u->obj, "deployment.kubernetes.io/max-replicas"), "23");
        u = find(&run, KL_CTRL_UPDATE, "replicasets", newn);
        cr_assert(u);
        cr_expect_eq(kl_ctrl_dig_int(u->obj, "spec.replicas", -1), 9);
        m1 = kl_asprintf("Scaled up replica set %s from 8 to 14", oldn);
        m2 = kl_asprintf("Scaled up replica set %s from 5 to 9", newn);
        expect_event(&run, 0, "ScalingReplicaSet", m1);
        expect_event(&run, 1, "ScalingReplicaSet", m2);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, scaling_down_mid_rollout_takes_from_the_biggest_first)
{
        struct run run = { 0 };
        json_t *d = mk_d(5, "nginx:2", 3);
        json_t *rss[2];
        kl_autofree char *oldn = rs_name("nginx:1"), *newn = rs_name("nginx:2");

        set(d, "spec.strategy.rollingUpdate", J("{\"maxSurge\":3,\"maxUnavailable\":2}"));
        rss[0] = mk_rs(d, "nginx:1", 8, 8, 8, "1", 10, 3, 3600);
        rss[1] = mk_rs(d, "nginx:2", 5, 5, 0, "2", 10, 3, 60);
        reconcile(&run, d, rss, 2, NULL, 0);
        /* 8 allowed (5 + 3), 13 there: -5. 8*8/13 = 4.9 -> 5 (-3); 5*8/13 = 3.1 -> 3 (-2). */
        cr_expect_eq(kl_ctrl_dig_int(find(&run, KL_CTRL_UPDATE, "replicasets", oldn)->obj,
                                     "spec.replicas", -1),
                     5);
        cr_expect_eq(kl_ctrl_dig_int(find(&run, KL_CTRL_UPDATE, "replicasets", newn)->obj,
                                     "spec.replicas", -1),
                     3);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, scaling_a_settled_deployment_scales_its_only_replicaset)
{
        struct run run = { 0 };
        json_t *d = mk_d(2, "nginx:1", 2);
        json_t *rss[1];
        kl_autofree char *n = rs_name("nginx:1"), *m = NULL;

        rss[0] = mk_rs(d, "nginx:1", 5, 5, 5, "1", 5, 2, 3600);
        reconcile(&run, d, rss, 1, NULL, 0);
        m = kl_asprintf("Scaled down replica set %s from 5 to 2", n);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        cr_expect_str_eq(rs_ann(find(&run, KL_CTRL_UPDATE, "replicasets", n)->obj,
                                "deployment.kubernetes.io/desired-replicas"),
                         "2");
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

static json_t *stuck_status(kl_usec_t last_update)
{
        return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:[{s:s, s:s, s:o, s:o, s:s, s:s}, "
                         "{s:s, s:s, s:o, s:o, s:s, s:s}]}",
                         "observedGeneration", 1, "replicas", 3, "updatedReplicas", 3,
                         "readyReplicas", 1, "availableReplicas", 1, "unavailableReplicas", 2,
                         "conditions", "type", "Progressing", "status", "True", "lastUpdateTime",
                         ts(last_update), "lastTransitionTime", ts(T0 - 3000 * S), "reason",
                         "ReplicaSetUpdated", "message", "x", "type", "Available", "status",
                         "False", "lastUpdateTime", ts(T0 - 3000 * S), "lastTransitionTime",
                         ts(T0 - 3000 * S), "reason", "MinimumReplicasUnavailable", "message",
                         "Deployment does not have minimum availability.");
}

Test(deployment, progress_deadline_exceeded)
{
        struct run run = { 0 };
        json_t *d = mk_d(3, "nginx:1", 1);
        json_t *rss[1];
        kl_autofree char *n = rs_name("nginx:1"), *msg = NULL, *now = ts_str(T0);
        const json_t *st;

        annotate(d, "deployment.kubernetes.io/revision", "1");
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 1, "1", 3, 1, 3600);
        set(d, "status", stuck_status(T0 - 700 * S));
        reconcile(&run, d, rss, 1, NULL, 0);
        st = dstatus(&run);
        cr_assert(st);
        msg = kl_asprintf("ReplicaSet \"%s\" has timed out progressing.", n);
        expect_cond(st, "Progressing", "False", "ProgressDeadlineExceeded", msg);
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastTransitionTime"), now);
        cr_expect_eq(run.requeue, 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, progress_deadline_requeues_at_the_deadline)
{
        struct run run = { 0 };
        json_t *d = mk_d(3, "nginx:1", 1);
        json_t *rss[1];

        annotate(d, "deployment.kubernetes.io/revision", "1");
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 1, "1", 3, 1, 3600);
        set(d, "status", stuck_status(T0 - 100 * S));
        reconcile(&run, d, rss, 1, NULL, 0);
        /* Nothing changed: no write, but a look again a second after the deadline. */
        cr_expect_eq(run.a.n, 0);
        cr_expect_eq(run.requeue, 501 * S);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, progressing_keeps_transition_time_and_bumps_update_time)
{
        struct run run = { 0 };
        json_t *d = mk_d(3, "nginx:1", 1);
        json_t *rss[1];
        kl_autofree char *n = rs_name("nginx:1"), *msg = NULL, *now = ts_str(T0);
        kl_autofree char *ltt = ts_str(T0 - 3000 * S);
        const json_t *st;

        annotate(d, "deployment.kubernetes.io/revision", "1");
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 2, "1", 3, 1, 3600); /* one more available */
        set(d, "status", stuck_status(T0 - 100 * S));
        reconcile(&run, d, rss, 1, NULL, 0);
        st = dstatus(&run);
        msg = kl_asprintf("ReplicaSet \"%s\" is progressing.", n);
        expect_cond(st, "Progressing", "True", "ReplicaSetUpdated", msg);
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastUpdateTime"), now);
        cr_expect_str_eq(kl_ctrl_dig_str(cond(st, "Progressing"), "lastTransitionTime"), ltt);
        cr_expect_eq(kl_ctrl_dig_int(st, "availableReplicas", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(st, "readyReplicas", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(st, "unavailableReplicas", -1), 1);
        /* 2 >= 3 - 0: still not available. */
        expect_cond(st, "Available", "False", "MinimumReplicasUnavailable", NULL);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, name_collision_bumps_collision_count)
{
        struct run run = { 0 };
        json_t *d = mk_d(1, "nginx:1", 1);
        json_t *rss[1];
        const json_t *st;

        /* Someone else's ReplicaSet holds the name, with another template. */
        rss[0] = mk_rs(d, "nginx:1", 1, 1, 1, NULL, 1, 1, 60);
        set(rss[0], "metadata.labels", J("{\"app\":\"other\"}"));
        set(rss[0], "metadata.ownerReferences", json_array());
        set(rss[0], "spec.template", tmpl("busybox"));
        reconcile(&run, d, rss, 1, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        cr_expect_eq(run.a.n, 1);
        st = dstatus(&run);
        cr_assert(st);
        cr_expect_eq(kl_ctrl_dig_int(st, "collisionCount", -1), 1);
        kl_ctrl_actions_clear(&run.a);

        /* With the count, another name. */
        set(d, "status", J("{\"collisionCount\":1}"));
        reconcile(&run, d, rss, 1, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 1);
        cr_expect_eq(kl_ctrl_dig_int(dstatus(&run), "collisionCount", -1), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, adopts_orphans_and_releases_non_matching_replicasets)
{
        struct run run = { 0 };
        json_t *d = mk_d(1, "nginx:1", 1);
        json_t *rss[2];
        kl_autofree char *n1 = rs_name("nginx:1"), *n2 = rs_name("nginx:2");
        const struct kl_ctrl_action *p;

        annotate(d, "deployment.kubernetes.io/revision", "1");
        rss[0] = mk_rs(d, "nginx:1", 1, 1, 1, "1", 1, 1, 60);
        set(rss[0], "metadata.ownerReferences", json_array()); /* orphaned */
        rss[1] = mk_rs(d, "nginx:2", 0, 0, 0, "1", 1, 1, 3600);
        set(rss[1], "metadata.labels", J("{\"app\":\"debug\"}"));
        reconcile(&run, d, rss, 2, NULL, 0);
        p = find(&run, KL_CTRL_PATCH, "replicasets", n1);
        cr_assert(p);
        cr_expect_eq(p->patch_type, KL_API_PATCH_TYPE_STRATEGIC);
        cr_expect_str_eq(kl_ctrl_dig_str(p->obj, "metadata.uid"), "uid-nginx:1");
        cr_expect_str_eq(
                kl_ctrl_dig_str(json_array_get(kl_ctrl_dig(p->obj, "metadata.ownerReferences"), 0),
                                "uid"),
                "d-uid");
        p = find(&run, KL_CTRL_PATCH, "replicasets", n2);
        cr_assert(p);
        cr_expect_str_eq(
                kl_ctrl_dig_str(json_array_get(kl_ctrl_dig(p->obj, "metadata.ownerReferences"), 0),
                                "$patch"),
                "delete");
        /* The adopted one is the new ReplicaSet: nothing is created. */
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, selecting_all_pods_is_refused_with_an_event)
{
        struct run run = { 0 };
        json_t *d = mk_d(1, "nginx:1", 2);
        const struct kl_ctrl_action *e;

        set(d, "spec.selector", json_object());
        reconcile(&run, d, NULL, 0, NULL, 0);
        e = nth_event(&run, 0);
        cr_assert(e);
        cr_expect_str_eq(e->event_type, "Warning");
        cr_expect_str_eq(e->reason, "SelectingAll");
        cr_expect_str_eq(
                e->message,
                "This deployment is selecting all pods. A non-empty selector is required.");
        cr_expect_eq(kl_ctrl_dig_int(dstatus(&run), "observedGeneration", -1), 2);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        kl_ctrl_actions_clear(&run.a);
        json_decref(d);
}

Test(deployment, min_ready_seconds_follows_to_the_new_replicaset)
{
        struct run run = { 0 };
        json_t *d = mk_d(1, "nginx:1", 2);
        json_t *rss[1];
        kl_autofree char *n = rs_name("nginx:1");

        set(d, "spec.minReadySeconds", json_integer(10));
        annotate(d, "deployment.kubernetes.io/revision", "1");
        rss[0] = mk_rs(d, "nginx:1", 1, 1, 1, "1", 1, 1, 60);
        reconcile(&run, d, rss, 1, NULL, 0);
        cr_expect_eq(kl_ctrl_dig_int(find(&run, KL_CTRL_UPDATE, "replicasets", n)->obj,
                                     "spec.minReadySeconds", -1),
                     10);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, deleting_deployment_only_updates_status)
{
        struct run run = { 0 };
        json_t *d = mk_d(5, "nginx:2", 2);
        json_t *rss[1];

        set(d, "metadata.deletionTimestamp", ts(T0));
        rss[0] = mk_rs(d, "nginx:1", 3, 3, 3, "1", 3, 1, 3600);
        reconcile(&run, d, rss, 1, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        cr_expect_null(find(&run, KL_CTRL_UPDATE, "replicasets", NULL));
        cr_expect_eq(kl_ctrl_dig_int(dstatus(&run), "replicas", -1), 3);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 1);
        json_decref(d);
}

Test(deployment, saturated_new_replicaset_scales_old_ones_to_zero)
{
        struct run run = { 0 };
        json_t *d = mk_d(3, "nginx:2", 2);
        json_t *rss[2];
        kl_autofree char *oldn = rs_name("nginx:1"), *m = NULL;

        /* The new ReplicaSet has all 3 available; an old one was sized for 2. */
        rss[0] = mk_rs(d, "nginx:1", 1, 1, 1, "1", 2, 1, 3600);
        rss[1] = mk_rs(d, "nginx:2", 3, 3, 3, "2", 3, 1, 60);
        reconcile(&run, d, rss, 2, NULL, 0);
        m = kl_asprintf("Scaled down replica set %s from 1 to 0", oldn);
        expect_event(&run, 0, "ScalingReplicaSet", m);
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(rss, 2);
        json_decref(d);
}

Test(deployment, zero_replicas_creates_an_empty_replicaset_without_event)
{
        struct run run = { 0 };
        json_t *d = mk_d(0, "nginx:1", 1);
        kl_autofree char *name = rs_name("nginx:1");
        const struct kl_ctrl_action *c;

        reconcile(&run, d, NULL, 0, NULL, 0);
        c = find(&run, KL_CTRL_CREATE, "replicasets", name);
        cr_assert(c);
        cr_expect_eq(kl_ctrl_dig_int(c->obj, "spec.replicas", -1), 0);
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), 0);
        /* Nothing wanted, nothing missing: available, and complete at once. */
        expect_cond(dstatus(&run), "Available", "True", "MinimumReplicasAvailable", NULL);
        expect_cond(dstatus(&run), "Progressing", "True", "NewReplicaSetAvailable", NULL);
        kl_ctrl_actions_clear(&run.a);
        json_decref(d);
}

Test(deployment, recreate_counts_pods_in_unknown_phase_as_running)
{
        struct run run = { 0 };
        json_t *d = mk_recreate(3, "nginx:2");
        json_t *rss[1], *pods[1];

        rss[0] = mk_rs(d, "nginx:1", 0, 0, 0, "1", 3, 0, 3600);
        pods[0] = mk_pod(rss[0], "old-1", "Unknown");
        reconcile(&run, d, rss, 1, pods, 1);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1);
        free_all(rss, 1);
        json_decref(d);
}

/* ------------------------------------------------------------------------- */
/*
 * Against a real in-process API server, with the ReplicaSet and Deployment
 * controllers and one simulated node whose "kubelet" makes pods ready: a
 * rollout, an update, and an undo, as kubectl rollout status would watch them.
 */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "replicaset", "deployment", "serviceaccount", NULL };
        const struct kl_controllers_options co = { .enabled = enabled, .fake_nodes = 1 };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

/* What kubectl rollout status waits for: the rollout of the current generation is done. */
static bool rolled_out(const json_t *d)
{
        const json_t *st = json_object_get(d, "status");
        const json_t *c = kl_ctrl_get_condition(d, "Progressing");
        int64_t want = kl_ctrl_dig_int(d, "spec.replicas", 1);

        return d &&
               kl_ctrl_dig_int(st, "observedGeneration", 0) >=
                       kl_ctrl_dig_int(d, "metadata.generation", 0) &&
               kl_ctrl_dig_int(st, "updatedReplicas", 0) == want &&
               kl_ctrl_dig_int(st, "replicas", 0) == want &&
               kl_ctrl_dig_int(st, "availableReplicas", 0) == want && c &&
               kl_streq_null(kl_ctrl_dig_str(c, "reason"), "NewReplicaSetAvailable");
}

static void set_image(struct kl_testenv *e, const char *img)
{
        json_t *patch = json_pack("{s:{s:{s:{s:[{s:s, s:s}]}}}}", "spec", "template", "spec",
                                  "containers", "name", "c", "image", img);

        kl_testenv_patch(e, kl_ctrl_res("apps", "deployments"), "default", "web", NULL,
                         KL_API_PATCH_TYPE_STRATEGIC, patch, NULL);
}

/* Wait for the rollout of Deployment "web" to be done; returns it (new). */
static json_t *wait_rolled_out(struct kl_testenv *e)
{
        return kl_testenv_wait_for(e, kl_ctrl_res("apps", "deployments"), "default", "web",
                                   rolled_out);
}

Test(deployment, rollout_update_and_undo_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_t *d;
        json_auto_t *list = NULL;
        const json_t *rs;
        size_t i, n_current = 0;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        kl_testenv_create(
                &e, kl_ctrl_res("apps", "deployments"), "default",
                J("{\"metadata\":{\"name\":\"web\",\"annotations\":{\"kubernetes.io/"
                  "change-cause\":\"first\"}},\"spec\":{\"replicas\":3,\"selector\":{"
                  "\"matchLabels\":{\"app\":\"web\"}},\"strategy\":{\"rollingUpdate\":{"
                  "\"maxSurge\":1,\"maxUnavailable\":0}},\"template\":{\"metadata\":{\"labels\":"
                  "{\"app\":\"web\"}},\"spec\":{\"nodeName\":\"fake-node-1\",\"containers\":[{"
                  "\"name\":\"c\",\"image\":\"nginx:1\"}]}}}}"),
                NULL);
        d = wait_rolled_out(&e);
        cr_expect_str_eq(rs_ann(d, "deployment.kubernetes.io/revision"), "1");
        expect_cond(json_object_get(d, "status"), "Available", "True", "MinimumReplicasAvailable",
                    NULL);
        json_decref(d);

        /* An update rolls out through a second ReplicaSet, revision 2. */
        set_image(&e, "nginx:2");
        d = wait_rolled_out(&e);
        cr_expect_str_eq(rs_ann(d, "deployment.kubernetes.io/revision"), "2");
        json_decref(d);

        /* kubectl rollout undo puts the old template back: the old ReplicaSet, revision 3. */
        set_image(&e, "nginx:1");
        d = wait_rolled_out(&e);
        cr_expect_str_eq(rs_ann(d, "deployment.kubernetes.io/revision"), "3");
        json_decref(d);
        list = kl_testenv_list(&e, kl_ctrl_res("apps", "replicasets"), "default", NULL);
        cr_assert_eq(json_array_size(json_object_get(list, "items")), 2);
        json_array_foreach(json_object_get(list, "items"), i, rs) {
                const char *rev = rs_ann(rs, "deployment.kubernetes.io/revision");

                cr_expect_str_eq(kl_ctrl_dig_str(kl_ctrl_controller_ref(rs), "kind"), "Deployment");
                cr_expect_str_eq(rs_ann(rs, "kubernetes.io/change-cause"), "first");
                if (kl_streq_null(rev, "3")) {
                        n_current++;
                        cr_expect_str_eq(rs_ann(rs, "deployment.kubernetes.io/revision-history"),
                                         "1");
                        cr_expect_eq(kl_ctrl_dig_int(rs, "spec.replicas", -1), 3);
                } else {
                        cr_expect_str_eq(rev, "2");
                        cr_expect_eq(kl_ctrl_dig_int(rs, "spec.replicas", -1), 0);
                }
        }
        cr_expect_eq(n_current, 1);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}

Test(deployment, recreate_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_t *d;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        kl_testenv_create(&e, kl_ctrl_res("apps", "deployments"), "default",
                          J("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":2,"
                            "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"strategy\":{"
                            "\"type\":\"Recreate\"},\"template\":{\"metadata\":{\"labels\":{"
                            "\"app\":\"web\"}},\"spec\":{\"nodeName\":\"fake-node-1\","
                            "\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"}]}}}}"),
                          NULL);
        d = wait_rolled_out(&e);
        json_decref(d);
        /* The old pods go first; the new ReplicaSet starts once they are gone. */
        set_image(&e, "nginx:2");
        d = wait_rolled_out(&e);
        cr_expect_str_eq(rs_ann(d, "deployment.kubernetes.io/revision"), "2");
        json_decref(d);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
