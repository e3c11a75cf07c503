/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The disruption controller: PodDisruptionBudget status (expectedPods,
 * desiredHealthy, currentHealthy, disruptionsAllowed, disruptedPods, the
 * DisruptionAllowed condition) and events, as upstream's v1.32.
 */
#include <criterion/criterion.h>

#include "controllers/ctrl-internal.h"

#define T0      ((kl_usec_t)1750000000 * KL_USEC_PER_SEC) /* 2025-06-15T15:06:40Z */
#define T0_TEXT "2025-06-15T15:06:40Z"

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

/* A PDB in namespace "ns" selecting app=web, with the given spec members and status. */
static json_t *mk_pdb(const char *spec_extra, const char *status)
{
        char *text = kl_asprintf(
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":"
                "{\"name\":\"web-pdb\",\"namespace\":\"ns\",\"uid\":\"pdb-uid\",\"generation\":2,"
                "\"resourceVersion\":\"7\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":"
                "\"web\"}}%s%s},\"status\":%s}",
                *spec_extra ? "," : "", spec_extra, status ? status : "{}");
        json_t *v = J(text);

        free(text);
        return v;
}

enum pod_state {
        READY,
        NOT_READY,
        DELETING
};

/* A pod labelled app=web; `owner` is the JSON of its controller reference or NULL. */
static json_t *mk_pod(const char *name, enum pod_state st, const char *owner)
{
        char *text = kl_asprintf(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
                "\"namespace\":\"ns\",\"uid\":\"uid-%s\",\"labels\":{\"app\":\"web\"}%s%s%s%s},"
                "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
                "\"status\":\"%s\"}]}}",
                name, name, st == DELETING ? ",\"deletionTimestamp\":\"" T0_TEXT "\"" : "",
                owner ? ",\"ownerReferences\":[" : "", owner ? owner : "", owner ? "]" : "",
                st == NOT_READY ? "False" : "True");
        json_t *v = J(text);

        free(text);
        return v;
}

#define RS_REF(name, uid)                                                                          \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"" name "\",\"uid\":\"" uid \
        "\",\"controller\":true}"
#define DEP_REF(name, uid)                                                                         \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"" name "\",\"uid\":\"" uid \
        "\",\"controller\":true}"
#define SS_REF(name, uid)                                                       \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"name\":\"" name \
        "\",\"uid\":\"" uid "\",\"controller\":true}"

/* A workload of `kind` with spec.replicas and an optional controller reference. */
static json_t *mk_workload(const char *kind, const char *name, const char *uid, int replicas,
                           const char *owner)
{
        char *text = kl_asprintf("{\"apiVersion\":\"apps/v1\",\"kind\":\"%s\",\"metadata\":{"
                                 "\"name\":\"%s\",\"namespace\":\"ns\",\"uid\":\"%s\"%s%s%s},"
                                 "\"spec\":{\"replicas\":%d}}",
                                 kind, name, uid, owner ? ",\"ownerReferences\":[" : "",
                                 owner ? owner : "", owner ? "]" : "", replicas);
        json_t *v = J(text);

        free(text);
        return v;
}

struct world {
        json_t *pdb;
        json_t *pods[8];
        size_t n_pods;
        json_t *rss[4];
        size_t n_rss;
        json_t *deps[4];
        size_t n_deps;
        json_t *sss[4];
        size_t n_sss;
        kl_usec_t now;
        struct kl_ctrl_actions out;
        kl_usec_t requeue;
};

static void run(struct world *w)
{
        w->out = (struct kl_ctrl_actions){ 0 };
        w->requeue = 0;
        kl_ctrl_pdb_reconcile(
                &(struct kl_ctrl_pdb_input){
                        .pdb = w->pdb,
                        .pods = (const json_t *const *)w->pods,
                        .n_pods = w->n_pods,
                        .replicasets = (const json_t *const *)w->rss,
                        .n_replicasets = w->n_rss,
                        .deployments = (const json_t *const *)w->deps,
                        .n_deployments = w->n_deps,
                        .statefulsets = (const json_t *const *)w->sss,
                        .n_statefulsets = w->n_sss,
                        .now = w->now ? w->now : T0,
                },
                &w->out, &w->requeue);
}

static void world_free(struct world *w)
{
        json_decref(w->pdb);
        for (size_t i = 0; i < w->n_pods; i++)
                json_decref(w->pods[i]);
        for (size_t i = 0; i < w->n_rss; i++)
                json_decref(w->rss[i]);
        for (size_t i = 0; i < w->n_deps; i++)
                json_decref(w->deps[i]);
        for (size_t i = 0; i < w->n_sss; i++)
                json_decref(w->sss[i]);
        kl_ctrl_actions_clear(&w->out);
}

/* The only status update among the actions (asserted), or NULL when `want` is false. */
static const struct kl_ctrl_action *status_write(const struct world *w, bool want)
{
        const struct kl_ctrl_action *found = NULL;

        for (size_t i = 0; i < w->out.n; i++) {
                if (w->out.v[i].op == KL_CTRL_EVENT)
                        continue;
                cr_assert_eq(w->out.v[i].op, KL_CTRL_UPDATE);
                cr_assert_null(found, "more than one write");
                found = &w->out.v[i];
        }
        if (!want) {
                cr_assert_null(found, "unexpected status write");
                return NULL;
        }
        cr_assert(found, "no status write");
        cr_expect_str_eq(found->res->plural, "poddisruptionbudgets");
        cr_expect_str_eq(found->sub, "status");
        cr_expect_str_eq(found->ns, "ns");
        cr_expect_str_eq(found->name, "web-pdb");
        cr_expect_str_eq(kl_ctrl_meta_str(found->obj, "resourceVersion"), "7");
        return found;
}

static int64_t st(const struct kl_ctrl_action *a, const char *field)
{
        const json_t *v = json_object_get(json_object_get(a->obj, "status"), field);

        cr_assert(json_is_integer(v), "status.%s is not an integer", field);
        return json_integer_value(v);
}

static const json_t *cond(const struct kl_ctrl_action *a)
{
        const json_t *c = kl_ctrl_get_condition(a->obj, "DisruptionAllowed");

        cr_assert(c, "no DisruptionAllowed condition");
        return c;
}

static const char *cs(const json_t *c, const char *field)
{
        return json_string_value(json_object_get(c, field));
}

/* The n-th event (0-based) among the actions, or NULL. */
static const struct kl_ctrl_action *event(const struct world *w, size_t n)
{
        for (size_t i = 0; i < w->out.n; i++)
                if (w->out.v[i].op == KL_CTRL_EVENT && n-- == 0)
                        return &w->out.v[i];
        return NULL;
}

static size_t n_events(const struct world *w)
{
        size_t n = 0;

        for (size_t i = 0; i < w->out.n; i++)
                n += w->out.v[i].op == KL_CTRL_EVENT;
        return n;
}

/* ------------------------------------------------------------------------- */
/* Counting, table-driven */

static const struct {
        const char *name;
        const char *spec;       /* members of spec besides the selector */
        enum pod_state pods[5]; /* the pods, all owned by ReplicaSet web-1 */
        size_t n_pods;
        int dep_replicas; /* Deployment web controlling web-1 (0: RS alone) */
        int rs_replicas;  /* spec.replicas of web-1 */
        int64_t expected, desired, healthy, allowed;
} counts[] = {
        { "integer minAvailable counts the matching pods",
          "\"minAvailable\":2",
          { READY, READY, READY },
          3,
          5,
          5,
          3,
          2,
          3,
          1 },
        { "integer minAvailable equal to the healthy pods allows nothing",
          "\"minAvailable\":3",
          { READY, READY, READY },
          3,
          5,
          5,
          3,
          3,
          3,
          0 },
        { "integer minAvailable above the healthy pods allows nothing",
          "\"minAvailable\":5",
          { READY, READY, NOT_READY },
          3,
          0,
          3,
          3,
          5,
          2,
          0 },
        { "maxUnavailable uses the Deployment's replicas",
          "\"maxUnavailable\":1",
          { READY, READY, READY, READY },
          4,
          5,
          4,
          5,
          4,
          4,
          0 },
        { "maxUnavailable with every pod healthy allows it",
          "\"maxUnavailable\":1",
          { READY, READY, READY, READY },
          4,
          4,
          4,
          4,
          3,
          4,
          1 },
        { "maxUnavailable percent rounds up",
          "\"maxUnavailable\":\"25%\"",
          { READY, READY, READY, READY, READY },
          5,
          5,
          5,
          5,
          3,
          5,
          2 },
        { "minAvailable percent rounds up",
          "\"minAvailable\":\"50%\"",
          { READY, READY, READY },
          3,
          3,
          3,
          3,
          2,
          3,
          1 },
        { "minAvailable percent of a ReplicaSet without a Deployment",
          "\"minAvailable\":\"100%\"",
          { READY, READY },
          2,
          0,
          2,
          2,
          2,
          2,
          0 },
        { "maxUnavailable larger than the scale gives desiredHealthy 0",
          "\"maxUnavailable\":10",
          { READY, NOT_READY },
          2,
          0,
          3,
          3,
          0,
          1,
          1 },
        { "not ready and deleting pods are not healthy",
          "\"minAvailable\":1",
          { READY, NOT_READY, DELETING, READY },
          4,
          0,
          4,
          4,
          1,
          2,
          1 },
        { "neither minAvailable nor maxUnavailable", "", { READY, READY }, 2, 0, 2, 0, 0, 2, 0 },
        { "maxUnavailable 0% allows nothing",
          "\"maxUnavailable\":\"0%\"",
          { READY, READY },
          2,
          0,
          2,
          2,
          2,
          2,
          0 },
};

Test(disruption, status_counts)
{
        static const char *names[] = { "p0", "p1", "p2", "p3", "p4" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(counts); i++) {
                struct world w = { 0 };
                const struct kl_ctrl_action *a;
                const json_t *c;

                w.pdb = mk_pdb(counts[i].spec, NULL);
                for (size_t k = 0; k < counts[i].n_pods; k++)
                        w.pods[w.n_pods++] =
                                mk_pod(names[k], counts[i].pods[k], RS_REF("web-1", "rs-uid"));
                w.rss[w.n_rss++] =
                        mk_workload("ReplicaSet", "web-1", "rs-uid", counts[i].rs_replicas,
                                    counts[i].dep_replicas ? DEP_REF("web", "dep-uid") : NULL);
                if (counts[i].dep_replicas)
                        w.deps[w.n_deps++] = mk_workload("Deployment", "web", "dep-uid",
                                                         counts[i].dep_replicas, NULL);
                run(&w);
                cr_expect_eq(n_events(&w), 0, "%s", counts[i].name);
                a = status_write(&w, true);
                cr_expect_eq(st(a, "expectedPods"), counts[i].expected, "%s", counts[i].name);
                cr_expect_eq(st(a, "desiredHealthy"), counts[i].desired, "%s", counts[i].name);
                cr_expect_eq(st(a, "currentHealthy"), counts[i].healthy, "%s", counts[i].name);
                cr_expect_eq(st(a, "disruptionsAllowed"), counts[i].allowed, "%s", counts[i].name);
                cr_expect_eq(st(a, "observedGeneration"), 2, "%s", counts[i].name);
                cr_expect_null(json_object_get(json_object_get(a->obj, "status"), "disruptedPods"),
                               "%s", counts[i].name);
                c = cond(a);
                cr_expect_str_eq(cs(c, "status"), counts[i].allowed > 0 ? "True" : "False", "%s",
                                 counts[i].name);
                cr_expect_str_eq(cs(c, "reason"),
                                 counts[i].allowed > 0 ? "SufficientPods" : "InsufficientPods",
                                 "%s", counts[i].name);
                cr_expect_str_eq(cs(c, "message"), "", "%s", counts[i].name);
                cr_expect_str_eq(cs(c, "lastTransitionTime"), T0_TEXT, "%s", counts[i].name);
                cr_expect_eq(json_integer_value(json_object_get(c, "observedGeneration")), 2, "%s",
                             counts[i].name);
                cr_expect_eq(w.requeue, 0, "%s", counts[i].name);
                world_free(&w);
        }
}

Test(disruption, deployment_counted_once_across_its_replicasets)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;

        w.pdb = mk_pdb("\"maxUnavailable\":\"50%\"", NULL);
        w.pods[w.n_pods++] = mk_pod("old-a", READY, RS_REF("web-1", "rs1"));
        w.pods[w.n_pods++] = mk_pod("new-a", READY, RS_REF("web-2", "rs2"));
        w.pods[w.n_pods++] = mk_pod("new-b", READY, RS_REF("web-2", "rs2"));
        w.rss[w.n_rss++] = mk_workload("ReplicaSet", "web-1", "rs1", 1, DEP_REF("web", "d1"));
        w.rss[w.n_rss++] = mk_workload("ReplicaSet", "web-2", "rs2", 2, DEP_REF("web", "d1"));
        w.deps[w.n_deps++] = mk_workload("Deployment", "web", "d1", 4, NULL);
        run(&w);
        a = status_write(&w, true);
        cr_expect_eq(st(a, "expectedPods"), 4);
        cr_expect_eq(st(a, "desiredHealthy"), 2);
        cr_expect_eq(st(a, "currentHealthy"), 3);
        cr_expect_eq(st(a, "disruptionsAllowed"), 1);
        world_free(&w);
}

Test(disruption, statefulset_scale_and_sum_of_controllers)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;

        w.pdb = mk_pdb("\"minAvailable\":\"50%\"", NULL);
        w.pods[w.n_pods++] = mk_pod("db-0", READY, SS_REF("db", "ss1"));
        w.pods[w.n_pods++] = mk_pod("db-1", READY, SS_REF("db", "ss1"));
        w.pods[w.n_pods++] = mk_pod("web-x", READY, RS_REF("web-1", "rs1"));
        w.sss[w.n_sss++] = mk_workload("StatefulSet", "db", "ss1", 3, NULL);
        w.rss[w.n_rss++] = mk_workload("ReplicaSet", "web-1", "rs1", 2, NULL);
        run(&w);
        a = status_write(&w, true);
        /* 3 + 2 expected; half of 5 rounded up. */
        cr_expect_eq(st(a, "expectedPods"), 5);
        cr_expect_eq(st(a, "desiredHealthy"), 3);
        cr_expect_eq(st(a, "disruptionsAllowed"), 0);
        world_free(&w);
}

Test(disruption, replicaset_of_a_missing_deployment_counts_its_own_scale)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;

        w.pdb = mk_pdb("\"maxUnavailable\":1", NULL);
        w.pods[w.n_pods++] = mk_pod("p0", READY, RS_REF("web-1", "rs1"));
        w.rss[w.n_rss++] = mk_workload("ReplicaSet", "web-1", "rs1", 3, DEP_REF("web", "gone"));
        run(&w);
        a = status_write(&w, true);
        cr_expect_eq(st(a, "expectedPods"), 3);
        cr_expect_eq(st(a, "desiredHealthy"), 2);
        world_free(&w);
}

/* ------------------------------------------------------------------------- */
/* Events and the fail-safe status */

static const struct {
        const char *name;
        const char *spec;
        const char *owner; /* of pod p0 */
        bool with_rs;      /* ReplicaSet web-1 (uid rs1) exists */
        const char *error;
} failures[] = {
        { "a pod whose ReplicaSet is gone", "\"maxUnavailable\":1", RS_REF("web-1", "rs1"), false,
          "found no controllers for pod \"p0\"" },
        { "a ReplicaSet of the same name but another uid", "\"minAvailable\":\"50%\"",
          RS_REF("web-1", "other"), true, "found no controllers for pod \"p0\"" },
        { "a DaemonSet pod has no scale", "\"maxUnavailable\":\"10%\"",
          "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"ds\",\"uid\":\"d\","
          "\"controller\":true}",
          false, "daemonsets.apps does not implement the scale subresource" },
        { "a Job pod has no scale", "\"maxUnavailable\":1",
          "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"name\":\"j\",\"uid\":\"j\","
          "\"controller\":true}",
          false, "jobs.batch does not implement the scale subresource" },
        { "a kind the API does not serve", "\"maxUnavailable\":1",
          "{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"name\":\"rc\",\"uid\":\"r\","
          "\"controller\":true}",
          false, "no matches for kind \"ReplicationController\" in version \"v1\"" },
        { "a malformed apiVersion", "\"maxUnavailable\":1",
          "{\"apiVersion\":\"a/b/c\",\"kind\":\"X\",\"name\":\"x\",\"uid\":\"x\","
          "\"controller\":true}",
          false, "unexpected GroupVersion string: a/b/c" },
        { "a percentage without the sign", "\"maxUnavailable\":\"10\"", RS_REF("web-1", "rs1"),
          true, "invalid value for IntOrString: invalid type: string is not a percentage" },
        { "a percentage that is not a number", "\"minAvailable\":\"x%\"", RS_REF("web-1", "rs1"),
          true,
          "invalid value for IntOrString: invalid value \"x%\": strconv.Atoi: parsing \"x\": "
          "invalid syntax" },
};

Test(disruption, expected_count_failures_fail_safe)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(failures); i++) {
                struct world w = { 0 };
                const struct kl_ctrl_action *a, *e;
                const json_t *c;
                char *msg;

                w.pdb = mk_pdb(failures[i].spec,
                               "{\"currentHealthy\":3,\"desiredHealthy\":2,\"expectedPods\":3,"
                               "\"disruptionsAllowed\":1,\"observedGeneration\":1}");
                w.pods[w.n_pods++] = mk_pod("p0", READY, failures[i].owner);
                if (failures[i].with_rs)
                        w.rss[w.n_rss++] = mk_workload("ReplicaSet", "web-1", "rs1", 3, NULL);
                run(&w);
                cr_assert_eq(n_events(&w), 1, "%s", failures[i].name);
                e = event(&w, 0);
                cr_expect_str_eq(e->event_type, "Warning", "%s", failures[i].name);
                cr_expect_str_eq(e->reason, "CalculateExpectedPodCountFailed", "%s",
                                 failures[i].name);
                msg = kl_asprintf("Failed to calculate the number of expected pods: %s",
                                  failures[i].error);
                cr_expect_str_eq(e->message, msg, "%s", failures[i].name);
                free(msg);
                cr_expect_str_eq(kl_ctrl_meta_str(e->obj, "name"), "web-pdb");
                a = status_write(&w, true);
                /* failSafe: only disruptionsAllowed and the condition change. */
                cr_expect_eq(st(a, "disruptionsAllowed"), 0, "%s", failures[i].name);
                cr_expect_eq(st(a, "currentHealthy"), 3, "%s", failures[i].name);
                cr_expect_eq(st(a, "expectedPods"), 3, "%s", failures[i].name);
                cr_expect_eq(st(a, "observedGeneration"), 1, "%s", failures[i].name);
                c = cond(a);
                cr_expect_str_eq(cs(c, "status"), "False", "%s", failures[i].name);
                cr_expect_str_eq(cs(c, "reason"), "SyncFailed", "%s", failures[i].name);
                cr_expect_str_eq(cs(c, "message"), failures[i].error, "%s", failures[i].name);
                cr_expect_eq(json_integer_value(json_object_get(c, "observedGeneration")), 1, "%s",
                             failures[i].name);
                world_free(&w);
        }
}

Test(disruption, no_matching_pods_event)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a, *e;

        w.pdb = mk_pdb("\"minAvailable\":1", NULL);
        /* Another namespace and other labels do not match. */
        w.pods[w.n_pods++] = J("{\"metadata\":{\"name\":\"x\",\"namespace\":\"other\","
                               "\"labels\":{\"app\":\"web\"}}}");
        w.pods[w.n_pods++] = J(
                "{\"metadata\":{\"name\":\"y\",\"namespace\":\"ns\",\"labels\":{\"app\":\"db\"}}}");
        run(&w);
        cr_assert_eq(n_events(&w), 1);
        e = event(&w, 0);
        cr_expect_str_eq(e->event_type, "Normal");
        cr_expect_str_eq(e->reason, "NoPods");
        cr_expect_str_eq(e->message, "No matching pods found");
        a = status_write(&w, true);
        cr_expect_eq(st(a, "expectedPods"), 0);
        cr_expect_eq(st(a, "desiredHealthy"), 1);
        cr_expect_eq(st(a, "disruptionsAllowed"), 0);
        cr_expect_str_eq(cs(cond(a), "reason"), "InsufficientPods");
        world_free(&w);
}

Test(disruption, null_selector_selects_nothing_empty_selects_all)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;

        w.pdb = mk_pdb("\"minAvailable\":0", NULL);
        json_object_set_new(json_object_get(w.pdb, "spec"), "selector", json_null());
        w.pods[w.n_pods++] = mk_pod("p0", READY, NULL);
        run(&w);
        cr_expect_str_eq(event(&w, 0)->reason, "NoPods");
        cr_expect_eq(st(status_write(&w, true), "expectedPods"), 0);
        kl_ctrl_actions_clear(&w.out);

        json_object_set_new(json_object_get(w.pdb, "spec"), "selector", json_object());
        run(&w);
        cr_expect_eq(n_events(&w), 0);
        a = status_write(&w, true);
        cr_expect_eq(st(a, "expectedPods"), 1);
        cr_expect_eq(st(a, "currentHealthy"), 1);
        cr_expect_eq(st(a, "disruptionsAllowed"), 1);
        world_free(&w);
}

Test(disruption, invalid_selector_fails_safe)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a, *e;

        w.pdb = mk_pdb("\"minAvailable\":1", NULL);
        json_object_set_new(json_object_get(w.pdb, "spec"), "selector",
                            J("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Foo\"}]}"));
        w.pods[w.n_pods++] = mk_pod("p0", READY, NULL);
        run(&w);
        cr_assert_eq(n_events(&w), 1);
        e = event(&w, 0);
        cr_expect_str_eq(e->event_type, "Warning");
        cr_expect_str_eq(e->reason, "NoPods");
        cr_expect_str_eq(e->message,
                         "Failed to get pods: \"Foo\" is not a valid label selector operator");
        a = status_write(&w, true);
        cr_expect_eq(st(a, "disruptionsAllowed"), 0);
        cr_expect_str_eq(cs(cond(a), "reason"), "SyncFailed");
        cr_expect_str_eq(cs(cond(a), "message"), "\"Foo\" is not a valid label selector operator");
        world_free(&w);
}

Test(disruption, unmanaged_pods_event)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a, *e;

        w.pdb = mk_pdb("\"maxUnavailable\":1", NULL);
        json_object_set_new(
                json_object_get(w.pdb, "spec"), "selector",
                J("{\"matchLabels\":{\"tier\":\"fe\",\"app\":\"web\"},\"matchExpressions\":[{"
                  "\"key\":\"env\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]}"));
        w.pods[w.n_pods++] = J("{\"metadata\":{\"name\":\"bare\",\"namespace\":\"ns\",\"labels\":"
                               "{\"app\":\"web\",\"tier\":\"fe\",\"env\":\"a\"}},\"status\":{"
                               "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
        run(&w);
        cr_assert_eq(n_events(&w), 1);
        e = event(&w, 0);
        cr_expect_str_eq(e->event_type, "Warning");
        cr_expect_str_eq(e->reason, "UnmanagedPods");
        cr_expect_str_eq(
                e->message,
                "Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:"
                "map[string]string{app: web,tier: fe,},MatchExpressions:[]LabelSelectorRequirement"
                "{LabelSelectorRequirement{Key:env,Operator:In,Values:[a b],},},}) were found to "
                "be unmanaged. As a result, the status of the PDB cannot be calculated correctly, "
                "which may result in undefined behavior. To account for these pods please set "
                "\".spec.minAvailable\" field of the PDB to an integer value.");
        /* Unmanaged pods add nothing to the expected count. */
        a = status_write(&w, true);
        cr_expect_eq(st(a, "expectedPods"), 0);
        cr_expect_eq(st(a, "currentHealthy"), 1);
        cr_expect_eq(st(a, "disruptionsAllowed"), 0);
        world_free(&w);
}

Test(disruption, integer_min_available_needs_no_controllers)
{
        struct world w = { 0 };

        w.pdb = mk_pdb("\"minAvailable\":1", NULL);
        w.pods[w.n_pods++] = mk_pod("bare", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("ds-pod", READY,
                                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":"
                                    "\"ds\",\"uid\":\"d\",\"controller\":true}");
        run(&w);
        cr_expect_eq(n_events(&w), 0);
        cr_expect_eq(st(status_write(&w, true), "disruptionsAllowed"), 1);
        world_free(&w);
}

/* ------------------------------------------------------------------------- */
/* disruptedPods */

Test(disruption, disrupted_pods_entries)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a, *e;
        const json_t *dp;

        /* fresh: 30 s old; expired: 3 min old; deleting: being deleted; gone: no such pod. */
        w.pdb = mk_pdb("\"minAvailable\":1",
                       "{\"disruptedPods\":{\"fresh\":\"2025-06-15T15:06:10Z\","
                       "\"expired\":\"2025-06-15T15:03:40Z\",\"deleting\":\"2025-06-15T15:06:30Z\","
                       "\"gone\":\"2025-06-15T15:06:30Z\"}}");
        w.pods[w.n_pods++] = mk_pod("fresh", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("expired", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("deleting", DELETING, NULL);
        w.pods[w.n_pods++] = mk_pod("other", READY, NULL);
        run(&w);
        cr_assert_eq(n_events(&w), 1);
        e = event(&w, 0);
        cr_expect_str_eq(e->event_type, "Warning");
        cr_expect_str_eq(e->reason, "NotDeleted");
        /* Upstream prints the PDB's namespace twice. */
        cr_expect_str_eq(e->message, "Pod was expected by PDB ns/ns to be deleted but it wasn't");
        cr_expect_str_eq(kl_ctrl_meta_str(e->obj, "name"), "expired");
        cr_expect_str_eq(json_string_value(json_object_get(e->obj, "kind")), "Pod");
        a = status_write(&w, true);
        dp = json_object_get(json_object_get(a->obj, "status"), "disruptedPods");
        cr_assert_eq(json_object_size(dp), 1);
        cr_expect_str_eq(json_string_value(json_object_get(dp, "fresh")), "2025-06-15T15:06:10Z");
        /* fresh counts as unhealthy; expired and other are healthy again. */
        cr_expect_eq(st(a, "currentHealthy"), 2);
        cr_expect_eq(st(a, "disruptionsAllowed"), 1);
        /* Called again when fresh's entry expires: 90 s from now. */
        cr_expect_eq(w.requeue, 90 * KL_USEC_PER_SEC);
        world_free(&w);
}

Test(disruption, disrupted_pods_earliest_expiry_requeues)
{
        struct world w = { 0 };

        w.pdb = mk_pdb("\"minAvailable\":0", "{\"disruptedPods\":{\"a\":\"2025-06-15T15:06:30Z\","
                                             "\"b\":\"2025-06-15T15:05:40Z\"}}");
        w.pods[w.n_pods++] = mk_pod("a", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("b", READY, NULL);
        run(&w);
        cr_expect_eq(st(status_write(&w, true), "currentHealthy"), 0);
        cr_expect_eq(w.requeue, 60 * KL_USEC_PER_SEC);
        world_free(&w);
}

/* ------------------------------------------------------------------------- */
/* Writing only on change; the condition */

Test(disruption, unchanged_status_is_not_written)
{
        struct world w = { 0 };

        w.pdb = mk_pdb(
                "\"minAvailable\":1",
                "{\"currentHealthy\":2,\"desiredHealthy\":1,\"expectedPods\":2,"
                "\"disruptionsAllowed\":1,\"observedGeneration\":2,\"conditions\":[{\"type\":"
                "\"DisruptionAllowed\",\"status\":\"True\",\"reason\":\"SufficientPods\","
                "\"message\":\"\",\"observedGeneration\":2,\"lastTransitionTime\":"
                "\"2025-06-01T00:00:00Z\"}]}");
        w.pods[w.n_pods++] = mk_pod("p0", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("p1", READY, NULL);
        run(&w);
        cr_expect_eq(w.out.n, 0);
        world_free(&w);
}

Test(disruption, new_generation_is_observed_keeping_transition_time)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;
        const json_t *c;

        w.pdb = mk_pdb(
                "\"minAvailable\":1",
                "{\"currentHealthy\":2,\"desiredHealthy\":1,\"expectedPods\":2,"
                "\"disruptionsAllowed\":1,\"observedGeneration\":1,\"conditions\":[{\"type\":"
                "\"DisruptionAllowed\",\"status\":\"True\",\"reason\":\"SufficientPods\","
                "\"message\":\"\",\"observedGeneration\":1,\"lastTransitionTime\":"
                "\"2025-06-01T00:00:00Z\"}]}");
        w.pods[w.n_pods++] = mk_pod("p0", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("p1", READY, NULL);
        run(&w);
        a = status_write(&w, true);
        cr_expect_eq(st(a, "observedGeneration"), 2);
        c = cond(a);
        cr_expect_eq(json_integer_value(json_object_get(c, "observedGeneration")), 2);
        cr_expect_str_eq(cs(c, "lastTransitionTime"), "2025-06-01T00:00:00Z");
        cr_expect_eq(
                json_array_size(json_object_get(json_object_get(a->obj, "status"), "conditions")),
                1);
        world_free(&w);
}

Test(disruption, condition_flips_with_a_new_transition_time)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;
        const json_t *c;

        w.pdb = mk_pdb(
                "\"minAvailable\":2",
                "{\"currentHealthy\":2,\"desiredHealthy\":2,\"expectedPods\":2,"
                "\"disruptionsAllowed\":0,\"observedGeneration\":2,\"conditions\":[{\"type\":"
                "\"DisruptionAllowed\",\"status\":\"False\",\"reason\":\"InsufficientPods\","
                "\"message\":\"\",\"observedGeneration\":2,\"lastTransitionTime\":"
                "\"2025-06-01T00:00:00Z\"}]}");
        w.pods[w.n_pods++] = mk_pod("p0", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("p1", READY, NULL);
        w.pods[w.n_pods++] = mk_pod("p2", READY, NULL);
        run(&w);
        a = status_write(&w, true);
        cr_expect_eq(st(a, "disruptionsAllowed"), 1);
        c = cond(a);
        cr_expect_str_eq(cs(c, "status"), "True");
        cr_expect_str_eq(cs(c, "reason"), "SufficientPods");
        cr_expect_str_eq(cs(c, "lastTransitionTime"), T0_TEXT);
        world_free(&w);
}

Test(disruption, sync_failed_condition_is_replaced_on_success)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *a;
        const json_t *c;

        w.pdb = mk_pdb(
                "\"minAvailable\":1",
                "{\"currentHealthy\":1,\"desiredHealthy\":1,\"expectedPods\":1,"
                "\"disruptionsAllowed\":0,\"observedGeneration\":2,\"conditions\":[{\"type\":"
                "\"DisruptionAllowed\",\"status\":\"False\",\"reason\":\"SyncFailed\","
                "\"message\":\"boom\",\"observedGeneration\":2,\"lastTransitionTime\":"
                "\"2025-06-01T00:00:00Z\"}]}");
        w.pods[w.n_pods++] = mk_pod("p0", READY, NULL);
        run(&w);
        a = status_write(&w, true);
        c = cond(a);
        cr_expect_str_eq(cs(c, "status"), "False");
        cr_expect_str_eq(cs(c, "reason"), "InsufficientPods");
        cr_expect_str_eq(cs(c, "message"), "");
        /* Same status: the transition time stays. */
        cr_expect_str_eq(cs(c, "lastTransitionTime"), "2025-06-01T00:00:00Z");
        world_free(&w);
}

/* ------------------------------------------------------------------------- */
/* Stale DisruptionTarget conditions */

static const struct {
        const char *name;
        const char *meta; /* extra metadata members */
        const char *phase;
        const char *status; /* of the DisruptionTarget condition; NULL: none */
        const char *reason;
        const char *since; /* its lastTransitionTime */
        bool writes;
        kl_usec_t requeue;
} stale[] = {
        { "an eviction condition older than two minutes is reset", "", "Running", "True",
          "EvictionByEvictionAPI", "2025-06-15T15:04:00Z", true, 0 },
        { "a younger one waits for the rest of the two minutes", "", "Running", "True",
          "PreemptionByScheduler", "2025-06-15T15:06:10Z", false, 90 * KL_USEC_PER_SEC },
        { "exactly two minutes old is stale", "", "Running", "True", "DeletionByTaintManager",
          "2025-06-15T15:04:40Z", true, 0 },
        { "a pod being deleted keeps it", ",\"deletionTimestamp\":\"" T0_TEXT "\"", "Running",
          "True", "EvictionByEvictionAPI", "2025-06-15T15:00:00Z", false, 0 },
        { "the kubelet's condition is never stale", "", "Running", "True", "TerminationByKubelet",
          "2025-06-15T15:00:00Z", false, 0 },
        { "a terminal pod keeps it", "", "Failed", "True", "EvictionByEvictionAPI",
          "2025-06-15T15:00:00Z", false, 0 },
        { "a False condition is left alone", "", "Running", "False", "", "2025-06-15T15:00:00Z",
          false, 0 },
        { "no condition, nothing to do", "", "Running", NULL, NULL, NULL, false, 0 },
};

Test(disruption, stale_disruption_target_condition)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(stale); i++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                char *cond_text =
                        stale[i].status
                                ? kl_asprintf(",{\"type\":\"DisruptionTarget\",\"status\":\"%s\","
                                              "\"reason\":\"%s\",\"message\":\"m\","
                                              "\"lastTransitionTime\":\"%s\"}",
                                              stale[i].status, stale[i].reason, stale[i].since)
                                : kl_strdup("");
                char *text = kl_asprintf(
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p0\","
                        "\"namespace\":\"ns\",\"resourceVersion\":\"9\"%s},\"status\":{\"phase\":"
                        "\"%s\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}%s]}}",
                        stale[i].meta, stale[i].phase, cond_text);
                json_auto_t *pod = J(text);
                kl_usec_t requeue = 1;
                const json_t *c;

                free(text);
                free(cond_text);
                kl_ctrl_pdb_stale_pod_reconcile(pod, T0, &a, &requeue);
                cr_expect_eq(requeue, stale[i].requeue, "%s", stale[i].name);
                if (!stale[i].writes) {
                        cr_expect_eq(a.n, 0, "%s", stale[i].name);
                        continue;
                }
                cr_assert_eq(a.n, 1, "%s", stale[i].name);
                cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
                cr_expect_str_eq(a.v[0].res->plural, "pods");
                cr_expect_str_eq(a.v[0].sub, "status");
                cr_expect_str_eq(a.v[0].ns, "ns");
                cr_expect_str_eq(a.v[0].name, "p0");
                cr_expect_str_eq(kl_ctrl_meta_str(a.v[0].obj, "resourceVersion"), "9");
                c = kl_ctrl_get_condition(a.v[0].obj, "DisruptionTarget");
                cr_assert(c);
                cr_expect_str_eq(cs(c, "status"), "False", "%s", stale[i].name);
                cr_expect_str_eq(cs(c, "lastTransitionTime"), T0_TEXT, "%s", stale[i].name);
                /* UpdatePodCondition replaces the condition: reason and message go. */
                cr_expect_null(json_object_get(c, "reason"), "%s", stale[i].name);
                cr_expect_null(json_object_get(c, "message"), "%s", stale[i].name);
                cr_expect_str_eq(cs(kl_ctrl_get_condition(a.v[0].obj, "Ready"), "status"), "True");
                /* The borrowed pod is untouched. */
                cr_expect_str_eq(cs(kl_ctrl_get_condition(pod, "DisruptionTarget"), "status"),
                                 "True");
        }
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server */

#include "api/patch.h"
#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "disruption", NULL };
        const struct kl_controllers_options co = { .enabled = enabled };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

static json_t *get_pdb(struct kl_testenv *e)
{
        return kl_testenv_get(e, kl_ctrl_res("policy", "poddisruptionbudgets"), "team-a",
                              "web-pdb");
}

/* Run the loop until the PDB's status reads as wanted; bounded by iterations. */
static void wait_status(struct kl_testenv *e, int64_t expected, int64_t healthy, int64_t allowed)
{
        /* At least a tick (10 ms) a round: a safety net of minutes, not a deadline. */
        for (int i = 0; i < 30000; i++) {
                json_auto_t *pdb = get_pdb(e);

                if (kl_ctrl_dig_int(pdb, "status.expectedPods", -1) == expected &&
                    kl_ctrl_dig_int(pdb, "status.currentHealthy", -1) == healthy &&
                    kl_ctrl_dig_int(pdb, "status.disruptionsAllowed", -1) == allowed &&
                    kl_ctrl_get_condition(pdb, "DisruptionAllowed"))
                        return;
                kl_testenv_tick(e);
        }
        cr_assert_fail("the PDB never reached expectedPods %lld currentHealthy %lld",
                       (long long)expected, (long long)healthy);
}

static void create(struct kl_testenv *e, const char *group, const char *plural, const char *ns,
                   const char *text)
{
        kl_testenv_create(e, kl_ctrl_res(group, plural), ns, J(text), NULL);
}

static void make_ready(struct kl_testenv *e, const char *name)
{
        kl_testenv_patch(e, kl_ctrl_res("", "pods"), "team-a", name, "status",
                         KL_API_PATCH_TYPE_MERGE,
                         J("{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":"
                           "\"Ready\",\"status\":\"True\"}]}}"),
                         NULL);
}

Test(disruption, status_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_auto_t *pdb = NULL;
        const json_t *c;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        create(&e, "", "namespaces", NULL, "{\"metadata\":{\"name\":\"team-a\"}}");
        create(&e, "policy", "poddisruptionbudgets", "team-a",
               "{\"metadata\":{\"name\":\"web-pdb\"},\"spec\":{\"minAvailable\":1,"
               "\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}");
        /* No pods yet. */
        wait_status(&e, 0, 0, 0);
        for (int i = 0; i < 2; i++) {
                char *text = kl_asprintf(
                        "{\"metadata\":{\"name\":\"web-%d\",\"labels\":{\"app\":\"web\"}},"
                        "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}",
                        i);

                create(&e, "", "pods", "team-a", text);
                free(text);
        }
        /* Two pods, none ready. */
        wait_status(&e, 2, 0, 0);
        make_ready(&e, "web-0");
        make_ready(&e, "web-1");
        wait_status(&e, 2, 2, 1);
        pdb = get_pdb(&e);
        cr_expect_eq(kl_ctrl_dig_int(pdb, "status.desiredHealthy", -1), 1);
        cr_expect_eq(kl_ctrl_dig_int(pdb, "status.observedGeneration", -1),
                     kl_ctrl_dig_int(pdb, "metadata.generation", -2));
        c = kl_ctrl_get_condition(pdb, "DisruptionAllowed");
        cr_assert(c);
        cr_expect_str_eq(cs(c, "status"), "True");
        cr_expect_str_eq(cs(c, "reason"), "SufficientPods");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
