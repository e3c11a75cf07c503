/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ReplicaSet controller's reconcile against upstream's syncReplicaSet:
 * slow-start creation and burstReplicas, deletion in ActivePodsWithRanks
 * order, adoption and release, the status counts with minReadySeconds, and
 * the events.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define T0 ((kl_usec_t)1750000000 * KL_USEC_PER_SEC) /* 2025-06-15T15:06:40Z */

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

/* A ReplicaSet "web-abc" selecting app=web, with `replicas` and minReadySeconds. */
static json_t *mk_rs(int replicas, int min_ready)
{
        return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i, s:s}, s:{s:i, s:i, s:{s:{s:s}}, "
                         "s:{s:{s:{s:s, s:s}}, s:{s:[{s:s, s:s}]}}}, s:{s:i}}",
                         "apiVersion", "apps/v1", "kind", "ReplicaSet", "metadata", "name",
                         "web-abc", "namespace", "default", "uid", "rs-uid", "generation", 2,
                         "creationTimestamp", "2025-06-01T00:00:00Z", "spec", "replicas", replicas,
                         "minReadySeconds", min_ready, "selector", "matchLabels", "app", "web",
                         "template", "metadata", "labels", "app", "web", "tier", "front", "spec",
                         "containers", "name", "c", "image", "nginx", "status", "replicas", 0);
}

enum pod_state {
        PENDING,     /* unscheduled */
        SCHEDULED,   /* on a node, Pending */
        RUNNING,     /* Running, not ready */
        READY,       /* Running, ready since `since` */
        FAILED,      /* Failed */
        TERMINATING, /* deletionTimestamp set */
};

/* A pod of web-abc (`owned`) or an orphan, labelled app=web unless `labels` given. */
static json_t *mk_pod(const char *name, enum pod_state st, const char *node, kl_usec_t since,
                      bool owned)
{
        json_t *pod = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:o, s:{s:s, s:s}}, s:{}, s:{}}",
                                "apiVersion", "v1", "kind", "Pod", "metadata", "name", name,
                                "namespace", "default", "uid", name, "creationTimestamp",
                                ts(T0 - 3600 * KL_USEC_PER_SEC), "labels", "app", "web", "tier",
                                "front", "spec", "status");
        json_t *meta = json_object_get(pod, "metadata");
        json_t *status = json_object_get(pod, "status");

        if (owned)
                json_object_set_new(meta, "ownerReferences",
                                    J("[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
                                      "\"name\":\"web-abc\",\"uid\":\"rs-uid\","
                                      "\"controller\":true,\"blockOwnerDeletion\":true}]"));
        if (node && st != PENDING)
                json_object_set_new(json_object_get(pod, "spec"), "nodeName", json_string(node));
        switch (st) {
        case PENDING:
        case SCHEDULED:
                json_object_set_new(status, "phase", json_string("Pending"));
                break;
        case RUNNING:
                json_object_set_new(status, "phase", json_string("Running"));
                json_object_set_new(status, "conditions",
                                    json_pack("[{s:s, s:s}]", "type", "Ready", "status", "False"));
                break;
        case READY:
                json_object_set_new(status, "phase", json_string("Running"));
                json_object_set_new(status, "conditions",
                                    json_pack("[{s:s, s:s, s:o}]", "type", "Ready", "status",
                                              "True", "lastTransitionTime", ts(since)));
                break;
        case FAILED:
                json_object_set_new(status, "phase", json_string("Failed"));
                break;
        case TERMINATING:
                json_object_set_new(status, "phase", json_string("Running"));
                json_object_set_new(meta, "deletionTimestamp", ts(T0));
                break;
        }
        return pod;
}

struct run {
        struct kl_ctrl_actions a;
        kl_usec_t requeue;
        int r;
};

static void reconcile(struct run *run, const json_t *rs, json_t *const *pods, size_t n,
                      json_t *const *related, size_t n_related)
{
        kl_autoerr struct kl_err *err = NULL;

        run->r = kl_ctrl_rs_reconcile(
                &(struct kl_ctrl_rs_input){
                        .rs = rs,
                        .pods = (const json_t *const *)pods,
                        .n_pods = n,
                        .related = (const json_t *const *)related,
                        .n_related = n_related,
                        .now = T0,
                },
                &run->a, &run->requeue, &err);
}

static size_t count_op(const struct run *run, enum kl_ctrl_op op)
{
        size_t n = 0;

        for (size_t i = 0; i < run->a.n; i++)
                n += run->a.v[i].op == op;
        return n;
}

static const struct kl_ctrl_action *nth_op(const struct run *run, enum kl_ctrl_op op, size_t k)
{
        for (size_t i = 0; i < run->a.n; i++)
                if (run->a.v[i].op == op && k-- == 0)
                        return &run->a.v[i];
        return NULL;
}

static const json_t *status_written(const struct run *run)
{
        for (size_t i = 0; i < run->a.n; i++)
                if (run->a.v[i].op == KL_CTRL_UPDATE && kl_streq_null(run->a.v[i].sub, "status"))
                        return json_object_get(run->a.v[i].obj, "status");
        return NULL;
}

static void free_all(json_t **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                json_decref(v[i]);
}

Test(replicaset, creates_one_pod_first_slow_start)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(5, 0);
        const struct kl_ctrl_action *c, *ev;
        const char *name;

        reconcile(&run, rs, NULL, 0, NULL, 0);
        cr_assert_eq(run.r, 0);
        cr_assert_eq(count_op(&run, KL_CTRL_CREATE), 1);
        c = nth_op(&run, KL_CTRL_CREATE, 0);
        cr_expect_str_eq(c->res->plural, "pods");
        cr_expect_str_eq(c->ns, "default");
        name = kl_ctrl_meta_str(c->obj, "name");
        cr_expect_str_eq(kl_ctrl_meta_str(c->obj, "generateName"), "web-abc-");
        cr_expect_eq(strlen(name), strlen("web-abc-") + 5);
        cr_expect_eq(strncmp(name, "web-abc-", 8), 0);
        cr_expect(kl_ctrl_is_owned_by(c->obj, "rs-uid"));
        cr_expect(json_is_true(json_object_get(kl_ctrl_controller_ref(c->obj), "controller")));
        cr_expect_str_eq(kl_ctrl_dig_str(c->obj, "metadata.labels.tier"), "front");
        cr_expect_str_eq(
                kl_ctrl_dig_str(json_array_get(kl_ctrl_dig(c->obj, "spec.containers"), 0), "image"),
                "nginx");
        ev = nth_op(&run, KL_CTRL_EVENT, 0);
        cr_assert(ev);
        cr_expect_str_eq(ev->reason, "SuccessfulCreate");
        cr_expect_str_eq(ev->event_type, "Normal");
        {
                kl_autofree char *want = kl_asprintf("Created pod: %s", name);

                cr_expect_str_eq(ev->message, want);
        }
        cr_expect_str_eq(kl_ctrl_meta_str(ev->obj, "name"), "web-abc");
        /* The status records the generation seen; zero counts are omitted, as upstream. */
        cr_assert(status_written(&run));
        cr_expect_eq(kl_ctrl_dig_int(status_written(&run), "observedGeneration", 0), 2);
        cr_expect_eq(kl_ctrl_dig_int(status_written(&run), "replicas", -1), 0);
        cr_expect_null(json_object_get(status_written(&run), "readyReplicas"));
        kl_ctrl_actions_clear(&run.a);
        json_decref(rs);
}

Test(replicaset, slow_start_doubles_with_active_pods)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(10, 0);
        json_t *pods[3] = {
                mk_pod("web-abc-a", READY, "n1", T0 - 60 * KL_USEC_PER_SEC, true),
                mk_pod("web-abc-b", READY, "n1", T0 - 60 * KL_USEC_PER_SEC, true),
                mk_pod("web-abc-c", FAILED, "n1", 0, true), /* inactive: not counted */
        };

        reconcile(&run, rs, pods, 3, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 2);
        /* Names are unique and none the namespace holds. */
        cr_expect_str_neq(kl_ctrl_meta_str(nth_op(&run, KL_CTRL_CREATE, 0)->obj, "name"),
                          kl_ctrl_meta_str(nth_op(&run, KL_CTRL_CREATE, 1)->obj, "name"));
        cr_expect_eq(kl_ctrl_dig_int(status_written(&run), "replicas", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(status_written(&run), "readyReplicas", -1), 2);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 3);
        json_decref(rs);
}

Test(replicaset, burst_replicas_caps_creates_at_500)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(3000, 0);
        json_t **pods = kl_calloc(1000, sizeof(*pods));

        for (size_t i = 0; i < 1000; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "web-abc-%zu", i);
                pods[i] = mk_pod(name, RUNNING, "n1", 0, true);
        }
        reconcile(&run, rs, pods, 1000, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), KL_CTRL_RS_BURST);
        cr_expect_eq(count_op(&run, KL_CTRL_EVENT), KL_CTRL_RS_BURST);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1000);
        free(pods);
        json_decref(rs);
}

Test(replicaset, burst_replicas_caps_deletes_at_500)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(0, 0);
        json_t **pods = kl_calloc(600, sizeof(*pods));

        for (size_t i = 0; i < 600; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "web-abc-%zu", i);
                pods[i] = mk_pod(name, RUNNING, "n1", 0, true);
        }
        reconcile(&run, rs, pods, 600, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_DELETE), KL_CTRL_RS_BURST);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 600);
        free(pods);
        json_decref(rs);
}

Test(replicaset, deletes_excess_unassigned_pending_notready_first)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(2, 0);
        json_t *pods[4] = {
                mk_pod("ready", READY, "n1", T0 - 600 * KL_USEC_PER_SEC, true),
                mk_pod("notready", RUNNING, "n1", 0, true),
                mk_pod("unassigned", PENDING, NULL, 0, true),
                mk_pod("scheduled", SCHEDULED, "n2", 0, true),
        };
        const struct kl_ctrl_action *ev;

        reconcile(&run, rs, pods, 4, NULL, 0);
        cr_assert_eq(count_op(&run, KL_CTRL_DELETE), 2);
        cr_expect_str_eq(nth_op(&run, KL_CTRL_DELETE, 0)->name, "unassigned");
        cr_expect_str_eq(nth_op(&run, KL_CTRL_DELETE, 1)->name, "scheduled");
        cr_expect_null(nth_op(&run, KL_CTRL_DELETE, 0)->obj);
        ev = nth_op(&run, KL_CTRL_EVENT, 0);
        cr_expect_str_eq(ev->reason, "SuccessfulDelete");
        cr_expect_str_eq(ev->message, "Deleted pod: unassigned");
        /* Status counts what was there before the deletes, as upstream. */
        cr_expect_eq(kl_ctrl_dig_int(status_written(&run), "replicas", -1), 4);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 4);
        json_decref(rs);
}

Test(replicaset, deletes_all_when_scaled_to_zero)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(0, 0);
        json_t *pods[2] = {
                mk_pod("a", READY, "n1", T0 - 600 * KL_USEC_PER_SEC, true),
                mk_pod("b", READY, "n1", T0 - 600 * KL_USEC_PER_SEC, true),
        };

        reconcile(&run, rs, pods, 2, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_DELETE), 2);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 2);
        json_decref(rs);
}

Test(replicaset, deletes_from_crowded_nodes_first)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);
        json_t *pods[2] = {
                mk_pod("on-n1", READY, "n1", T0 - 600 * KL_USEC_PER_SEC, true),
                mk_pod("on-n2", READY, "n2", T0 - 600 * KL_USEC_PER_SEC, true),
        };
        /* Pods of sibling ReplicaSets of the same Deployment crowd n2. */
        json_t *related[4] = {
                json_incref(pods[0]),
                json_incref(pods[1]),
                mk_pod("sib-1", READY, "n2", T0, false),
                mk_pod("sib-2", READY, "n2", T0, false),
        };

        reconcile(&run, rs, pods, 2, related, 4);
        cr_assert_eq(count_op(&run, KL_CTRL_DELETE), 1);
        cr_expect_str_eq(nth_op(&run, KL_CTRL_DELETE, 0)->name, "on-n2");
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 2);
        free_all(related, 4);
        json_decref(rs);
}

/* One rule of ActivePodsWithRanks.Less each: `first` is deleted before `second`. */
struct order_case {
        const char *rule;
        json_t *first, *second;
        int rank_first, rank_second;
};

static void set_path_str(json_t *pod, const char *obj_path, const char *key, const char *v)
{
        json_t *o = (json_t *)kl_ctrl_dig(pod, obj_path);

        if (!o) {
                o = json_object();
                json_object_set_new(json_object_get(pod, "metadata"), "annotations", o);
        }
        json_object_set_new(o, key, json_string(v));
}

Test(replicaset, deletion_order_follows_upstream_ranks)
{
        struct order_case cases[12];
        size_t n = 0;
        json_t *p;

        cases[n++] = (struct order_case){ "unassigned before assigned",
                                          mk_pod("a", PENDING, NULL, 0, true),
                                          mk_pod("b", READY, "n1", T0, true), 0, 0 };
        cases[n++] = (struct order_case){ "pending before running",
                                          mk_pod("a", SCHEDULED, "n1", 0, true),
                                          mk_pod("b", RUNNING, "n1", 0, true), 0, 0 };
        p = mk_pod("b", RUNNING, "n1", 0, true);
        json_object_set_new(json_object_get(p, "status"), "phase", json_string("Unknown"));
        cases[n++] = (struct order_case){ "pending before unknown",
                                          mk_pod("a", SCHEDULED, "n1", 0, true), p, 0, 0 };
        p = mk_pod("a", RUNNING, "n1", 0, true);
        json_object_set_new(json_object_get(p, "status"), "phase", json_string("Unknown"));
        cases[n++] = (struct order_case){ "unknown before running", p,
                                          mk_pod("b", RUNNING, "n1", 0, true), 0, 0 };
        cases[n++] =
                (struct order_case){ "not ready before ready", mk_pod("a", RUNNING, "n1", 0, true),
                                     mk_pod("b", READY, "n1", T0, true), 0, 0 };
        p = mk_pod("a", READY, "n1", T0 - 3600 * KL_USEC_PER_SEC, true);
        set_path_str(p, "metadata.annotations", "controller.kubernetes.io/pod-deletion-cost", "-5");
        cases[n++] = (struct order_case){ "lower deletion cost first", p,
                                          mk_pod("b", READY, "n1", T0, true), 0, 0 };
        cases[n++] =
                (struct order_case){ "more related pods on the node first",
                                     mk_pod("a", READY, "n1", T0 - 3600 * KL_USEC_PER_SEC, true),
                                     mk_pod("b", READY, "n2", T0, true), 3, 1 };
        cases[n++] =
                (struct order_case){ "ready more recently first",
                                     mk_pod("a", READY, "n1", T0 - 10 * KL_USEC_PER_SEC, true),
                                     mk_pod("b", READY, "n1", T0 - 3600 * KL_USEC_PER_SEC, true), 0,
                                     0 };
        /* 40 s and 50 s ago fall in one power-of-two bucket of nanoseconds: uid decides. */
        cases[n++] = (struct order_case){ "same ready bucket: lower uid first",
                                          mk_pod("a", READY, "n1", T0 - 40 * KL_USEC_PER_SEC, true),
                                          mk_pod("b", READY, "n1", T0 - 50 * KL_USEC_PER_SEC, true),
                                          0, 0 };
        p = mk_pod("a", RUNNING, "n1", 0, true);
        json_object_set_new(json_object_get(p, "status"), "containerStatuses",
                            J("[{\"name\":\"c\",\"restartCount\":7}]"));
        cases[n++] = (struct order_case){ "more restarts first", p,
                                          mk_pod("b", RUNNING, "n1", 0, true), 0, 0 };
        p = mk_pod("a", RUNNING, "n1", 0, true);
        json_object_set_new(json_object_get(p, "metadata"), "creationTimestamp",
                            ts(T0 - 10 * KL_USEC_PER_SEC));
        cases[n++] =
                (struct order_case){ "newer first", p, mk_pod("b", RUNNING, "n1", 0, true), 0, 0 };
        p = mk_pod("b", RUNNING, "n1", 0, true);
        set_path_str(p, "metadata.annotations", "controller.kubernetes.io/pod-deletion-cost", "5");
        cases[n] = (struct order_case){ "an invalid deletion cost counts as 0",
                                        mk_pod("a", RUNNING, "n1", 0, true), p, 0, 0 };
        set_path_str(cases[n].first, "metadata.annotations",
                     "controller.kubernetes.io/pod-deletion-cost", "007");
        n++;

        for (size_t i = 0; i < n; i++) {
                struct order_case *c = &cases[i];

                cr_expect(kl_ctrl_rs_delete_before(c->first, c->rank_first, c->second,
                                                   c->rank_second, T0),
                          "%s", c->rule);
                cr_expect(!kl_ctrl_rs_delete_before(c->second, c->rank_second, c->first,
                                                    c->rank_first, T0),
                          "%s (reversed)", c->rule);
                json_decref(c->first);
                json_decref(c->second);
        }
}

Test(replicaset, adopts_matching_orphans)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);
        json_t *pods[1] = { mk_pod("orphan", READY, "n1", T0 - 600 * KL_USEC_PER_SEC, false) };
        const struct kl_ctrl_action *p;
        const json_t *ref;

        reconcile(&run, rs, pods, 1, NULL, 0);
        cr_assert_eq(count_op(&run, KL_CTRL_PATCH), 1);
        p = nth_op(&run, KL_CTRL_PATCH, 0);
        cr_expect_str_eq(p->name, "orphan");
        cr_expect_eq(p->patch_type, KL_API_PATCH_TYPE_STRATEGIC);
        cr_expect_null(p->sub);
        cr_expect_str_eq(kl_ctrl_dig_str(p->obj, "metadata.uid"), "orphan");
        ref = json_array_get(kl_ctrl_dig(p->obj, "metadata.ownerReferences"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(ref, "uid")), "rs-uid");
        cr_expect_str_eq(json_string_value(json_object_get(ref, "kind")), "ReplicaSet");
        cr_expect(json_is_true(json_object_get(ref, "controller")));
        /* Adopted, it counts: nothing to create. */
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        cr_expect_eq(kl_ctrl_dig_int(status_written(&run), "replicas", -1), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1);
        json_decref(rs);
}

Test(replicaset, releases_owned_pods_that_no_longer_match)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);
        json_t *pods[1] = { mk_pod("relabelled", READY, "n1", T0, true) };
        const struct kl_ctrl_action *p;
        const json_t *ref;

        json_object_set_new(json_object_get(json_object_get(pods[0], "metadata"), "labels"), "app",
                            json_string("debug"));
        reconcile(&run, rs, pods, 1, NULL, 0);
        cr_assert_eq(count_op(&run, KL_CTRL_PATCH), 1);
        p = nth_op(&run, KL_CTRL_PATCH, 0);
        ref = json_array_get(kl_ctrl_dig(p->obj, "metadata.ownerReferences"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(ref, "$patch")), "delete");
        cr_expect_str_eq(json_string_value(json_object_get(ref, "uid")), "rs-uid");
        cr_expect_str_eq(kl_ctrl_dig_str(p->obj, "metadata.uid"), "relabelled");
        /* Released, a replacement is made. */
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1);
        json_decref(rs);
}

Test(replicaset, ignores_pods_of_other_controllers_and_inactive_pods)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);
        json_t *pods[3] = {
                mk_pod("other", READY, "n1", T0, false),
                mk_pod("failed", FAILED, "n1", 0, true),
                mk_pod("terminating", TERMINATING, "n1", 0, true),
        };

        json_object_set_new(json_object_get(pods[0], "metadata"), "ownerReferences",
                            J("[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
                              "\"name\":\"other\",\"uid\":\"other-uid\",\"controller\":true}]"));
        reconcile(&run, rs, pods, 3, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_PATCH), 0);
        cr_expect_eq(count_op(&run, KL_CTRL_DELETE), 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 1);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 3);
        json_decref(rs);
}

Test(replicaset, deleting_replicaset_neither_creates_nor_adopts)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(3, 0);
        json_t *pods[1] = { mk_pod("orphan", READY, "n1", T0, false) };

        json_object_set_new(json_object_get(rs, "metadata"), "deletionTimestamp", ts(T0));
        reconcile(&run, rs, pods, 1, NULL, 0);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE), 0);
        cr_expect_eq(count_op(&run, KL_CTRL_PATCH), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1);
        json_decref(rs);
}

Test(replicaset, status_counts_labels_ready_and_available_with_min_ready_seconds)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(3, 30);
        json_t *pods[3] = {
                mk_pod("long-ready", READY, "n1", T0 - 60 * KL_USEC_PER_SEC, true),
                mk_pod("just-ready", READY, "n1", T0 - 10 * KL_USEC_PER_SEC, true),
                mk_pod("partly-labelled", READY, "n1", T0 - 60 * KL_USEC_PER_SEC, true),
        };
        const json_t *st;

        /* Selected (app=web) but without the template's tier=front label. */
        (void)json_object_del(json_object_get(json_object_get(pods[2], "metadata"), "labels"),
                              "tier");
        reconcile(&run, rs, pods, 3, NULL, 0);
        st = status_written(&run);
        cr_assert(st);
        cr_expect_eq(kl_ctrl_dig_int(st, "replicas", -1), 3);
        cr_expect_eq(kl_ctrl_dig_int(st, "fullyLabeledReplicas", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(st, "readyReplicas", -1), 3);
        cr_expect_eq(kl_ctrl_dig_int(st, "availableReplicas", -1), 2);
        cr_expect_eq(kl_ctrl_dig_int(st, "observedGeneration", -1), 2);
        /* Ready 10 s of 30: look again when it counts, a second late as upstream. */
        cr_expect_eq(run.requeue, 21 * KL_USEC_PER_SEC);
        cr_expect_eq(count_op(&run, KL_CTRL_CREATE) + count_op(&run, KL_CTRL_DELETE), 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 3);
        json_decref(rs);
}

Test(replicaset, unchanged_status_is_not_written)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);
        json_t *pods[1] = { mk_pod("a", READY, "n1", T0 - 60 * KL_USEC_PER_SEC, true) };

        json_object_set_new(rs, "status",
                            J("{\"replicas\":1,\"fullyLabeledReplicas\":1,\"readyReplicas\":1,"
                              "\"availableReplicas\":1,\"observedGeneration\":2}"));
        reconcile(&run, rs, pods, 1, NULL, 0);
        cr_expect_eq(run.a.n, 0);
        cr_expect_eq(run.requeue, 0);
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1);
        json_decref(rs);
}

Test(replicaset, status_update_carries_the_object_read)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);
        json_t *pods[1] = { mk_pod("a", READY, "n1", T0 - 60 * KL_USEC_PER_SEC, true) };
        const struct kl_ctrl_action *u;

        json_object_set_new(json_object_get(rs, "metadata"), "resourceVersion", json_string("77"));
        json_object_set_new(rs, "status",
                            J("{\"replicas\":1,\"conditions\":[{\"type\":\"ReplicaFailure\","
                              "\"status\":\"True\",\"reason\":\"FailedCreate\"}]}"));
        reconcile(&run, rs, pods, 1, NULL, 0);
        u = nth_op(&run, KL_CTRL_UPDATE, 0);
        cr_assert(u);
        cr_expect_str_eq(u->sub, "status");
        cr_expect_str_eq(u->name, "web-abc");
        cr_expect_str_eq(kl_ctrl_dig_str(u->obj, "metadata.resourceVersion"), "77");
        /* A clean sync drops ReplicaFailure. */
        cr_expect_null(kl_ctrl_dig(u->obj, "status.conditions"));
        /* The borrowed input is untouched. */
        cr_expect(kl_ctrl_dig(rs, "status.conditions"));
        kl_ctrl_actions_clear(&run.a);
        free_all(pods, 1);
        json_decref(rs);
}

Test(replicaset, invalid_selector_fails_without_actions)
{
        struct run run = { 0 };
        json_t *rs = mk_rs(1, 0);

        json_object_set_new(json_object_get(rs, "spec"), "selector",
                            J("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Foo\"}]}"));
        reconcile(&run, rs, NULL, 0, NULL, 0);
        cr_expect_eq(run.r, -EINVAL);
        cr_expect_eq(run.a.n, 0);
        kl_ctrl_actions_clear(&run.a);
        json_decref(rs);
}

/* ------------------------------------------------------------------------- */
/*
 * Against a real in-process API server, with one simulated node whose
 * "kubelet" makes pods ready: pods made and counted, a deleted pod replaced,
 * an orphan adopted and the excess deleted, a scale-down.
 */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "replicaset", "serviceaccount", NULL };
        const struct kl_controllers_options co = { .enabled = enabled, .fake_nodes = 1 };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

/* The pods of "default" that are not being deleted (a new list). */
static json_t *live_pods(struct kl_testenv *e)
{
        json_t *live = json_array(), *p;
        json_auto_t *list = kl_testenv_list(e, kl_ctrl_res("", "pods"), "default", NULL);
        size_t i;

        json_array_foreach(json_object_get(list, "items"), i, p)
                if (!kl_ctrl_is_deleting(p))
                        json_array_append(live, p);
        return live;
}

static json_t *get_rs(struct kl_testenv *e)
{
        return kl_testenv_get(e, kl_ctrl_res("apps", "replicasets"), "default", "web");
}

/* Wait for `n` live pods, all owned by the ReplicaSet, and a status saying n ready. */
static void wait_settled(struct kl_testenv *e, int64_t n)
{
        char seen[256] = "";

        for (int i = 0; i < 30000; i++) {
                json_auto_t *pods = live_pods(e);
                json_auto_t *rs = get_rs(e);
                const json_t *p;
                size_t k, owned = 0, ready = 0;

                json_array_foreach(pods, k, p) {
                        owned += kl_ctrl_is_owned_by(p, kl_ctrl_meta_str(rs, "uid"));
                        ready += kl_ctrl_pod_is_ready(p);
                }
                if ((int64_t)json_array_size(pods) == n && owned == json_array_size(pods) &&
                    kl_ctrl_dig_int(rs, "status.readyReplicas", 0) == n &&
                    kl_ctrl_dig_int(rs, "status.replicas", 0) == n &&
                    kl_ctrl_dig_int(rs, "status.observedGeneration", 0) ==
                            kl_ctrl_dig_int(rs, "metadata.generation", -1))
                        return;
                (void)snprintf(
                        seen, sizeof(seen),
                        "%zu live pods (%zu owned, %zu ready), status replicas %lld ready %lld, "
                        "observedGeneration %lld of %lld",
                        json_array_size(pods), owned, ready,
                        (long long)kl_ctrl_dig_int(rs, "status.replicas", 0),
                        (long long)kl_ctrl_dig_int(rs, "status.readyReplicas", 0),
                        (long long)kl_ctrl_dig_int(rs, "status.observedGeneration", 0),
                        (long long)kl_ctrl_dig_int(rs, "metadata.generation", -1));
                kl_testenv_tick(e);
        }
        cr_assert_fail("the ReplicaSet never settled at %lld pods; last seen: %s", (long long)n,
                       seen);
}

Test(replicaset, heals_adopts_and_scales_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_auto_t *pods = NULL;
        const char *victim;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        kl_testenv_create(&e, kl_ctrl_res("apps", "replicasets"), "default",
                          J("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":3,"
                            "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{"
                            "\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"nodeName\":"
                            "\"fake-node-1\",\"containers\":[{\"name\":\"c\",\"image\":"
                            "\"nginx\"}]}}}}"),
                          NULL);
        wait_settled(&e, 3);
        pods = live_pods(&e);
        cr_expect_eq(strncmp(kl_ctrl_meta_str(json_array_get(pods, 0), "name"), "web-", 4), 0);
        cr_expect_str_eq(kl_ctrl_meta_str(json_array_get(pods, 0), "generateName"), "web-");

        /* A pod deleted is replaced. */
        victim = kl_ctrl_meta_str(json_array_get(pods, 1), "name");
        kl_testenv_delete(&e, kl_ctrl_res("", "pods"), "default", victim, NULL, NULL);
        wait_settled(&e, 3);

        /* An orphan that matches is adopted, and one pod too many goes. */
        kl_testenv_create(&e, kl_ctrl_res("", "pods"), "default",
                          J("{\"metadata\":{\"name\":\"stray\",\"labels\":{\"app\":\"web\"}},"
                            "\"spec\":{\"nodeName\":\"fake-node-1\",\"containers\":[{\"name\":"
                            "\"c\",\"image\":\"nginx\"}]}}"),
                          NULL);
        wait_settled(&e, 3);

        /* Scaled down to 1. */
        kl_testenv_patch(&e, kl_ctrl_res("apps", "replicasets"), "default", "web", NULL,
                         KL_API_PATCH_TYPE_MERGE, J("{\"spec\":{\"replicas\":1}}"), NULL);
        wait_settled(&e, 1);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
