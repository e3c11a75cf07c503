/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DaemonSet reconcile and its node predicates, table-driven against
 * upstream's behaviour (pkg/controller/daemon): placement by nodeSelector,
 * affinity and taints, the daemon tolerations, failed pods, RollingUpdate
 * with maxUnavailable and maxSurge, OnDelete, status, history.
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

static json_t *merged(json_t *base, const char *patch)
{
        json_t *p, *out = NULL;

        if (!patch)
                return base;
        p = J(patch);
        cr_assert_eq(kl_api_patch_merge(base, p, &out, NULL), 0);
        json_decref(p);
        json_decref(base);
        return out;
}

static json_t *make_ds(const char *patch)
{
        return merged(
                J("{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":"
                  "\"agent\",\"namespace\":\"kube-system\",\"uid\":\"ds-uid\",\"generation\":3},"
                  "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"agent\"}},\"template\":{"
                  "\"metadata\":{\"labels\":{\"app\":\"agent\"}},\"spec\":{\"containers\":[{"
                  "\"name\":\"a\",\"image\":\"agent:1\"}]}},\"updateStrategy\":{\"type\":"
                  "\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":1,\"maxSurge\":0}},"
                  "\"revisionHistoryLimit\":10}}"),
                patch);
}

static json_t *make_node(const char *name, const char *patch)
{
        json_t *n = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{}}", "apiVersion", "v1", "kind",
                              "Node", "metadata", "name", name, "labels", "kubernetes.io/hostname",
                              name, "spec");

        return merged(n, patch);
}

/* The current revision of `ds`, numbered `n`. */
static json_t *make_rev(const json_t *ds, int64_t n)
{
        kl_autofree char *hash = kl_ctrl_template_hash(
                json_object_get(json_object_get(ds, "spec"), "template"), NULL);

        return kl_ctrl_revision_new(ds, kl_ctrl_revision_patch(ds), hash, n);
}

static const char *rev_hash(const json_t *rev)
{
        return json_string_value(
                json_object_get(json_object_get(json_object_get(rev, "metadata"), "labels"),
                                "controller-revision-hash"));
}

enum pod_state {
        PENDING,
        READY,
        NOT_READY,
        FAILED,
        TERMINATING
};

static json_t *make_pod(const char *name, const char *node, const char *hash, enum pod_state st,
                        const char *created)
{
        json_t *pod = json_pack(
                "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s, s:b}]}, "
                "s:{s:s}, s:{}}",
                "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace",
                "kube-system", "uid", name, "creationTimestamp", created, "labels", "app", "agent",
                "controller-revision-hash", hash, "ownerReferences", "apiVersion", "apps/v1",
                "kind", "DaemonSet", "name", "agent", "uid", "ds-uid", "controller", 1, "spec",
                "nodeName", node, "status");
        json_t *status = json_object_get(pod, "status");

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
        case NOT_READY:
                json_object_set_new(status, "phase", json_string("Running"));
                json_object_set_new(status, "conditions",
                                    json_pack("[{s:s, s:s, s:s}]", "type", "Ready", "status",
                                              st == NOT_READY ? "False" : "True",
                                              "lastTransitionTime", "2025-06-01T11:00:00Z"));
                break;
        }
        return pod;
}

struct world {
        json_t *ds;
        json_t *nodes[8];
        size_t n_nodes;
        json_t *pods[12];
        size_t n_pods;
        json_t *revs[8];
        size_t n_revs;
        struct kl_ctrl_actions out;
        kl_usec_t requeue;
};

static void run(struct world *w)
{
        struct kl_ctrl_ds_input in = {
                .ds = w->ds,
                .nodes = (const json_t *const *)w->nodes,
                .n_nodes = w->n_nodes,
                .pods = (const json_t *const *)w->pods,
                .n_pods = w->n_pods,
                .revisions = (const json_t *const *)w->revs,
                .n_revisions = w->n_revs,
                .now = NOW,
        };
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_ctrl_ds_reconcile(&in, &w->out, &w->requeue, &err), 0, "%s",
                     err ? kl_err_msg(err) : "");
}

static void release(struct world *w)
{
        json_decref(w->ds);
        for (size_t i = 0; i < w->n_nodes; i++)
                json_decref(w->nodes[i]);
        for (size_t i = 0; i < w->n_pods; i++)
                json_decref(w->pods[i]);
        for (size_t i = 0; i < w->n_revs; i++)
                json_decref(w->revs[i]);
        kl_ctrl_actions_clear(&w->out);
}

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

static bool has_event(const struct world *w, const char *type, const char *reason,
                      const char *message)
{
        for (size_t i = 0; i < w->out.n; i++)
                if (w->out.v[i].op == KL_CTRL_EVENT && kl_streq(w->out.v[i].event_type, type) &&
                    kl_streq(w->out.v[i].reason, reason) && kl_streq(w->out.v[i].message, message))
                        return true;
        return false;
}

/* The node a created pod is pinned to by its required affinity. */
static const char *pinned_node(const json_t *pod)
{
        const json_t *terms = json_object_get(
                json_object_get(
                        json_object_get(json_object_get(json_object_get(pod, "spec"), "affinity"),
                                        "nodeAffinity"),
                        "requiredDuringSchedulingIgnoredDuringExecution"),
                "nodeSelectorTerms");
        const json_t *f =
                json_array_get(json_object_get(json_array_get(terms, 0), "matchFields"), 0);

        cr_assert_eq(json_array_size(terms), 1);
        cr_assert_str_eq(json_string_value(json_object_get(f, "key")), "metadata.name");
        cr_assert_str_eq(json_string_value(json_object_get(f, "operator")), "In");
        return json_string_value(json_array_get(json_object_get(f, "values"), 0));
}

static const json_t *status_written(const struct world *w)
{
        const struct kl_ctrl_action *a = nth(w, KL_CTRL_UPDATE, "daemonsets", 0);

        return a ? json_object_get(a->obj, "status") : NULL;
}

static int64_t st_int(const json_t *st, const char *key)
{
        return json_integer_value(json_object_get(st, key));
}

/* ------------------------------------------------------------------------- */
/* Predicates */

struct match_case {
        const char *name, *spec, *node;
        bool want;
};

Test(daemonset, node_selector_and_required_affinity)
{
        static const struct match_case cases[] = {
                { "no constraints", "{}", "{}", true },
                { "nodeSelector matches", "{\"nodeSelector\":{\"disk\":\"ssd\"}}",
                  "{\"metadata\":{\"labels\":{\"disk\":\"ssd\"}}}", true },
                { "nodeSelector differs", "{\"nodeSelector\":{\"disk\":\"ssd\"}}",
                  "{\"metadata\":{\"labels\":{\"disk\":\"hdd\"}}}", false },
                { "In",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuring"
                  "Execution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone"
                  "\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]}]}}}}",
                  "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}", true },
                { "NotIn absent",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
                  "IgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"match"
                  "Expressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\","
                  "\"values\":[\"a\"]}]}]}}}}",
                  "{}", true },
                { "DoesNotExist",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
                  "IgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"match"
                  "Expressions\":[{\"key\":\"gpu\",\"operator\":\"DoesNotExist\""
                  "}]}]}}}}",
                  "{\"metadata\":{\"labels\":{\"gpu\":\"1\"}}}", false },
                { "Gt",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuring"
                  "Execution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"cores"
                  "\",\"operator\":\"Gt\",\"values\":[\"4\"]}]}]}}}}",
                  "{\"metadata\":{\"labels\":{\"cores\":\"8\"}}}", true },
                { "Lt not a number",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
                  "IgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"match"
                  "Expressions\":[{\"key\":\"cores\",\"operator\":\"Lt\","
                  "\"values\":[\"4\"]}]}]}}}}",
                  "{\"metadata\":{\"labels\":{\"cores\":\"x\"}}}", false },
                { "terms are ORed",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringScheduling"
                  "IgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"match"
                  "Expressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]},{"
                  "\"matchExpressions\":[{\"key\":\"b\",\"operator\":\"Exists\"}"
                  "]}]}}}}",
                  "{\"metadata\":{\"labels\":{\"b\":\"\"}}}", true },
                { "an empty term matches nothing",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuring"
                  "Execution\":{\"nodeSelectorTerms\":[{}]}}}}",
                  "{}", false },
                { "matchFields metadata.name",
                  "{\"affinity\":{\"nodeAffinity\":{\"required"
                  "DuringSchedulingIgnoredDuringExecution\":{\"node"
                  "SelectorTerms\":[{\"matchFields\":[{\"key\":"
                  "\"metadata.name\",\"operator\":\"In\",\"values\":"
                  "[\"n1\"]}]}]}}}}",
                  "{}", true },
                { "matchFields other node",
                  "{\"affinity\":{\"nodeAffinity\":{\"requiredDuring"
                  "SchedulingIgnoredDuringExecution\":{\"nodeSelector"
                  "Terms\":[{\"matchFields\":[{\"key\":\"metadata.name\""
                  ",\"operator\":\"In\",\"values\":[\"n2\"]}]}]}}}}",
                  "{}", false },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_t *spec = J(cases[i].spec), *node = make_node("n1", cases[i].node);

                cr_expect_eq(kl_ctrl_node_matches(spec, node), cases[i].want, "%s", cases[i].name);
                json_decref(spec);
                json_decref(node);
        }
}

Test(daemonset, toleration_matching)
{
        static const struct {
                const char *name, *tols, *taint;
                bool want;
        } cases[] = {
                { "none", "[]", "{\"key\":\"k\",\"effect\":\"NoSchedule\"}", false },
                { "Exists with empty key tolerates all", "[{\"operator\":\"Exists\"}]",
                  "{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}", true },
                { "Equal value", "[{\"key\":\"k\",\"operator\":\"Equal\",\"value\":\"v\"}]",
                  "{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}", true },
                { "default operator is Equal", "[{\"key\":\"k\",\"value\":\"w\"}]",
                  "{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}", false },
                { "effect must match",
                  "[{\"key\":\"k\",\"operator\":\"Exists\",\"effect\":"
                  "\"NoSchedule\"}]",
                  "{\"key\":\"k\",\"effect\":\"NoExecute\"}", false },
                { "empty effect matches all", "[{\"key\":\"k\",\"operator\":\"Exists\"}]",
                  "{\"key\":\"k\",\"effect\":\"NoExecute\"}", true },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_t *t = J(cases[i].tols), *taint = J(cases[i].taint);

                cr_expect_eq(kl_ctrl_tolerates(t, taint), cases[i].want, "%s", cases[i].name);
                json_decref(t);
                json_decref(taint);
        }
}

Test(daemonset, daemon_tolerations_in_upstream_order)
{
        static const char *const want[][2] = {
                { "node.kubernetes.io/not-ready", "NoExecute" },
                { "node.kubernetes.io/unreachable", "NoExecute" },
                { "node.kubernetes.io/disk-pressure", "NoSchedule" },
                { "node.kubernetes.io/memory-pressure", "NoSchedule" },
                { "node.kubernetes.io/pid-pressure", "NoSchedule" },
                { "node.kubernetes.io/unschedulable", "NoSchedule" },
                { "node.kubernetes.io/network-unavailable", "NoSchedule" },
        };
        /* A user toleration of the same key, operator and effect is replaced, not doubled. */
        json_t *spec = J("{\"hostNetwork\":true,\"tolerations\":[{\"key\":\"node.kubernetes.io/"
                         "not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
                         "\"tolerationSeconds\":300},{\"key\":\"mine\",\"operator\":\"Exists\"}]}");
        const json_t *tols;

        kl_ctrl_ds_add_tolerations(spec);
        tols = json_object_get(spec, "tolerations");
        cr_assert_eq(json_array_size(tols), 8);
        cr_expect_null(json_object_get(json_array_get(tols, 0), "tolerationSeconds"));
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(tols, 1), "key")),
                         "mine");
        for (size_t i = 1; i < KL_ARRAY_SIZE(want); i++) {
                const json_t *t = json_array_get(tols, i + 1);

                cr_expect_str_eq(json_string_value(json_object_get(t, "key")), want[i][0]);
                cr_expect_str_eq(json_string_value(json_object_get(t, "effect")), want[i][1]);
                cr_expect_str_eq(json_string_value(json_object_get(t, "operator")), "Exists");
        }
        json_decref(spec);
}

Test(daemonset, should_run_and_continue_running)
{
        static const struct {
                const char *name, *node;
                bool run, cont;
        } cases[] = {
                { "plain node", "{}", true, true },
                { "NoSchedule taint: not placed, may stay",
                  "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"effect\":\"NoSchedule\"}]}}",
                  false, true },
                { "NoExecute taint: evicted",
                  "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"effect\":\"NoExecute\"}]}}",
                  false, false },
                { "PreferNoSchedule is ignored",
                  "{\"spec\":{\"taints\":[{\"key\":\"x\",\"effect\":\"PreferNoSchedule\"}]}}", true,
                  true },
                { "not-ready tolerated by the daemon tolerations",
                  "{\"spec\":{\"taints\":[{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":"
                  "\"NoExecute\"}]}}",
                  true, true },
                { "cordoned node still runs daemons",
                  "{\"spec\":{\"unschedulable\":true,\"taints\":[{\"key\":\"node.kubernetes.io/"
                  "unschedulable\",\"effect\":\"NoSchedule\"}]}}",
                  true, true },
                { "network-unavailable only tolerated with hostNetwork",
                  "{\"spec\":{\"taints\":[{\"key\":\"node.kubernetes.io/network-unavailable\","
                  "\"effect\":\"NoSchedule\"}]}}",
                  false, true },
                { "nodeSelector mismatch", "{\"metadata\":{\"labels\":{\"role\":\"db\"}}}", false,
                  false },
        };
        json_t *ds = make_ds("{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes."
                             "io/os\":\"linux\"}}}}}");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_t *node = make_node("n1", cases[i].node);
                bool cont = !cases[i].cont;

                json_object_set_new(
                        json_object_get(json_object_get(node, "metadata"), "labels"),
                        "kubernetes.io/os",
                        json_string(i == KL_ARRAY_SIZE(cases) - 1 ? "windows" : "linux"));
                cr_expect_eq(kl_ctrl_ds_should_run(ds, node, &cont), cases[i].run, "%s",
                             cases[i].name);
                cr_expect_eq(cont, cases[i].cont, "%s", cases[i].name);
                json_decref(node);
        }
        json_decref(ds);
}

/* ------------------------------------------------------------------------- */
/* Reconcile */

Test(daemonset, one_pod_per_eligible_node)
{
        struct world w = { .ds = make_ds(NULL) };
        const struct kl_ctrl_action *rev, *pod;
        const json_t *meta;
        kl_autofree char *msg = NULL;

        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.nodes[w.n_nodes++] = make_node("n2", "{\"spec\":{\"taints\":[{\"key\":\"dedicated\","
                                               "\"value\":\"db\",\"effect\":\"NoSchedule\"}]}}");
        w.nodes[w.n_nodes++] = make_node("n3", NULL);
        run(&w);
        rev = nth(&w, KL_CTRL_CREATE, "controllerrevisions", 0);
        cr_assert(rev);
        cr_expect_eq(json_integer_value(json_object_get(rev->obj, "revision")), 1);
        cr_expect(kl_startswith(kl_ctrl_meta_str(rev->obj, "name"), "agent-"));

        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 2);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_expect_str_eq(pinned_node(pod->obj), "n1");
        cr_expect_str_eq(pinned_node(nth(&w, KL_CTRL_CREATE, "pods", 1)->obj), "n3");
        meta = json_object_get(pod->obj, "metadata");
        /* Placed by the scheduler: the node is in the affinity, not in spec.nodeName. */
        cr_expect_null(json_object_get(json_object_get(pod->obj, "spec"), "nodeName"));
        cr_expect(kl_ctrl_is_owned_by(pod->obj, "ds-uid"));
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(meta, "labels"),
                                                           "controller-revision-hash")),
                         rev_hash(rev->obj));
        cr_expect(kl_startswith(kl_ctrl_meta_str(pod->obj, "name"), "agent-"));
        cr_expect_eq(strlen(kl_ctrl_meta_str(pod->obj, "name")), strlen("agent-") + 5);
        cr_expect_eq(
                json_array_size(json_object_get(json_object_get(pod->obj, "spec"), "tolerations")),
                6);
        msg = kl_asprintf("Created pod: %s", kl_ctrl_meta_str(pod->obj, "name"));
        cr_expect(has_event(&w, "Normal", "SuccessfulCreate", msg));
        cr_expect_eq(st_int(status_written(&w), "desiredNumberScheduled"), 2);
        cr_expect_eq(st_int(status_written(&w), "currentNumberScheduled"), 0);
        cr_expect_eq(st_int(status_written(&w), "numberUnavailable"), 2);
        cr_expect_eq(st_int(status_written(&w), "observedGeneration"), 3);
        release(&w);
}

Test(daemonset, template_generation_label)
{
        struct world w = { .ds = make_ds("{\"metadata\":{\"annotations\":{\"deprecated.daemonset."
                                         "template.generation\":\"3\"}}}") };
        const json_t *labels;

        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        run(&w);
        labels = json_object_get(
                json_object_get(nth(&w, KL_CTRL_CREATE, "pods", 0)->obj, "metadata"), "labels");
        cr_expect_str_eq(json_string_value(json_object_get(labels, "pod-template-generation")),
                         "3");
        release(&w);
}

Test(daemonset, pod_names_are_distinct_and_stable)
{
        struct world a = { .ds = make_ds(NULL) }, b = { .ds = make_ds(NULL) };

        for (int i = 0; i < 4; i++) {
                kl_autofree char *n = kl_asprintf("n%d", i);

                a.nodes[a.n_nodes++] = make_node(n, NULL);
                b.nodes[b.n_nodes++] = make_node(n, NULL);
        }
        run(&a);
        run(&b);
        cr_assert_eq(count_ops(&a, KL_CTRL_CREATE, "pods"), 4);
        for (size_t i = 0; i < 4; i++) {
                const char *ni = kl_ctrl_meta_str(nth(&a, KL_CTRL_CREATE, "pods", i)->obj, "name");

                cr_expect_str_eq(ni,
                                 kl_ctrl_meta_str(nth(&b, KL_CTRL_CREATE, "pods", i)->obj, "name"));
                for (size_t j = 0; j < i; j++)
                        cr_expect_str_neq(
                                ni,
                                kl_ctrl_meta_str(nth(&a, KL_CTRL_CREATE, "pods", j)->obj, "name"));
        }
        release(&a);
        release(&b);
}

Test(daemonset, removes_pods_from_nodes_that_no_longer_qualify)
{
        struct world w = { .ds = make_ds(NULL) };
        const json_t *st;

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.nodes[w.n_nodes++] = make_node("n2", "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":"
                                               "\"NoExecute\"}]}}");
        w.nodes[w.n_nodes++] = make_node("n3", "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":"
                                               "\"NoSchedule\"}]}}");
        w.pods[w.n_pods++] =
                make_pod("agent-a", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        w.pods[w.n_pods++] =
                make_pod("agent-b", "n2", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        w.pods[w.n_pods++] =
                make_pod("agent-c", "n3", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        run(&w);
        /* NoExecute evicts; a pod already on a NoSchedule node may stay. */
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "agent-b");
        cr_expect(has_event(&w, "Normal", "SuccessfulDelete", "Deleted pod: agent-b"));
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        st = status_written(&w);
        cr_expect_eq(st_int(st, "desiredNumberScheduled"), 1);
        cr_expect_eq(st_int(st, "currentNumberScheduled"), 1);
        cr_expect_eq(st_int(st, "numberMisscheduled"), 2);
        cr_expect_eq(st_int(st, "numberReady"), 1);
        cr_expect_eq(st_int(st, "numberAvailable"), 1);
        cr_expect_eq(st_int(st, "updatedNumberScheduled"), 1);
        cr_expect_null(json_object_get(st, "numberUnavailable"));
        release(&w);
}

Test(daemonset, failed_pod_is_deleted_with_warning)
{
        struct world w = { .ds = make_ds(NULL) };

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.pods[w.n_pods++] =
                make_pod("agent-a", "n1", rev_hash(w.revs[0]), FAILED, "2025-06-01T10:00:00Z");
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect(has_event(&w, "Warning", "FailedDaemonPod",
                            "Found failed daemon pod kube-system/agent-a on node n1, will try to "
                            "kill it"));
        /* The replacement comes on the next sync, once the failed pod is gone. */
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        release(&w);
}

Test(daemonset, duplicate_pods_keep_the_oldest)
{
        struct world w = { .ds = make_ds(NULL) };

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.pods[w.n_pods++] =
                make_pod("agent-new", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T11:00:00Z");
        w.pods[w.n_pods++] =
                make_pod("agent-old", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "agent-new");
        release(&w);
}

/* Three nodes with available pods of the old template; the DaemonSet now has agent:2. */
static void rollout_world(struct world *w, const char *strategy)
{
        json_t *old = make_ds(NULL);
        kl_autofree char *patch = kl_asprintf(
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":"
                "\"agent:2\"}]}}%s%s}}",
                strategy ? "," : "", strategy ? strategy : "");

        w->revs[w->n_revs++] = make_rev(old, 1);
        w->ds = make_ds(patch);
        for (int i = 0; i < 3; i++) {
                kl_autofree char *n = kl_asprintf("n%d", i);
                kl_autofree char *p = kl_asprintf("agent-old%d", i);

                w->nodes[w->n_nodes++] = make_node(n, NULL);
                w->pods[w->n_pods++] =
                        make_pod(p, n, rev_hash(w->revs[0]), READY, "2025-06-01T10:00:00Z");
        }
        json_decref(old);
}

Test(daemonset, rolling_update_max_unavailable_deletes_one_old_pod)
{
        struct world w = { 0 };
        const json_t *st;

        rollout_world(&w, NULL);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "controllerrevisions"), 1);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "agent-old0");
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        st = status_written(&w);
        cr_expect_eq(st_int(st, "updatedNumberScheduled"), 0);
        release(&w);
}

Test(daemonset, rolling_update_waits_while_new_pod_unavailable)
{
        struct world w = { 0 };
        json_t *cur;

        rollout_world(&w, NULL);
        cur = make_rev(w.ds, 2);
        json_decref(w.pods[0]);
        w.pods[0] = make_pod("agent-new0", "n0", rev_hash(cur), NOT_READY, "2025-06-01T11:00:00Z");
        w.revs[w.n_revs++] = cur;
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        cr_expect_eq(st_int(status_written(&w), "updatedNumberScheduled"), 1);
        release(&w);
}

Test(daemonset, rolling_update_percent_rounds_up)
{
        struct world w = { 0 };

        rollout_world(&w, "\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":\"50%\"}}");
        run(&w);
        /* 50% of 3 rounds up to 2. */
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 2);
        release(&w);
}

Test(daemonset, rolling_update_surge_creates_new_pod_first)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *pod;

        rollout_world(&w, "\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,"
                          "\"maxSurge\":1}}");
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 1);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_expect_str_eq(pinned_node(pod->obj), "n0");
        release(&w);
}

Test(daemonset, surge_removes_old_pod_once_new_is_available)
{
        struct world w = { 0 };
        json_t *cur;

        rollout_world(&w, "\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,"
                          "\"maxSurge\":1}}");
        cur = make_rev(w.ds, 2);
        w.pods[w.n_pods++] =
                make_pod("agent-new0", "n0", rev_hash(cur), READY, "2025-06-01T11:00:00Z");
        w.revs[w.n_revs++] = cur;
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "agent-old0");
        release(&w);
}

Test(daemonset, on_delete_leaves_old_pods)
{
        struct world w = { 0 };

        rollout_world(&w, "\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}");
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        release(&w);
}

Test(daemonset, rollback_renumbers_matching_revision)
{
        struct world w = { .ds = make_ds(NULL) };
        json_t *v2 = make_ds("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\","
                             "\"image\":\"agent:2\"}]}}}}");
        const struct kl_ctrl_action *p;

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.revs[w.n_revs++] = make_rev(v2, 2);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "controllerrevisions"), 0);
        p = nth(&w, KL_CTRL_PATCH, "controllerrevisions", 0);
        cr_assert(p);
        cr_expect_str_eq(p->name, kl_ctrl_meta_str(w.revs[0], "name"));
        cr_expect_eq(json_integer_value(json_object_get(p->obj, "revision")), 3);
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_object_get(json_object_get(nth(&w, KL_CTRL_CREATE, "pods", 0)->obj,
                                                        "metadata"),
                                        "labels"),
                        "controller-revision-hash")),
                rev_hash(w.revs[0]));
        json_decref(v2);
        release(&w);
}

Test(daemonset, name_collision_bumps_collision_count)
{
        struct world w = { .ds = make_ds(NULL) };
        json_t *other = make_rev(w.ds, 1);
        const struct kl_ctrl_action *u;

        json_object_set_new(other, "data", J("{\"spec\":{\"template\":{\"x\":1}}}"));
        json_object_set_new(json_object_get(other, "metadata"), "ownerReferences", json_array());
        json_object_set_new(json_object_get(json_object_get(other, "metadata"), "labels"), "app",
                            json_string("other"));
        w.revs[w.n_revs++] = other;
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        run(&w);
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        u = nth(&w, KL_CTRL_UPDATE, "daemonsets", 0);
        cr_assert(u);
        cr_expect_str_eq(u->sub, "status");
        cr_expect_eq(st_int(json_object_get(u->obj, "status"), "collisionCount"), 1);
        release(&w);
}

Test(daemonset, history_cleanup_keeps_live_revisions)
{
        struct world w = { .ds = make_ds("{\"spec\":{\"revisionHistoryLimit\":0}}") };

        for (int i = 1; i <= 2; i++) {
                kl_autofree char *p = kl_asprintf(
                        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\","
                        "\"image\":\"old:%d\"}]}}}}",
                        i);
                json_t *d = make_ds(p);

                w.revs[w.n_revs++] = make_rev(d, i);
                json_decref(d);
        }
        w.revs[w.n_revs++] = make_rev(w.ds, 3);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        /* A pod still runs revision 1: it is live and stays. */
        w.pods[w.n_pods++] =
                make_pod("agent-a", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "controllerrevisions"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "controllerrevisions", 0)->name,
                         kl_ctrl_meta_str(w.revs[1], "name"));
        release(&w);
}

Test(daemonset, deleting_daemonset_is_left_alone)
{
        struct world w = { .ds = make_ds("{\"metadata\":{\"deletionTimestamp\":"
                                         "\"2025-06-01T11:00:00Z\"}}") };

        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        run(&w);
        cr_expect_eq(w.out.n, 0);
        release(&w);
}

Test(daemonset, pods_on_missing_nodes_never_scheduled_are_deleted)
{
        struct world w = { .ds = make_ds(NULL) };
        json_t *pod;

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.pods[w.n_pods++] =
                make_pod("agent-a", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        pod = make_pod("agent-gone", "", rev_hash(w.revs[0]), PENDING, "2025-06-01T10:00:00Z");
        json_object_set_new(json_object_get(pod, "spec"), "affinity",
                            J("{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution"
                              "\":{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata."
                              "name\",\"operator\":\"In\",\"values\":[\"gone\"]}]}]}}}"));
        json_object_del(json_object_get(pod, "spec"), "nodeName");
        w.pods[w.n_pods++] = pod;
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 1);
        cr_expect_str_eq(nth(&w, KL_CTRL_DELETE, "pods", 0)->name, "agent-gone");
        release(&w);
}

Test(daemonset, min_ready_seconds_requeues)
{
        struct world w = { .ds = make_ds("{\"spec\":{\"minReadySeconds\":7200}}") };

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.pods[w.n_pods++] =
                make_pod("agent-a", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        run(&w);
        cr_expect_eq(st_int(status_written(&w), "numberReady"), 1);
        cr_expect_null(json_object_get(status_written(&w), "numberAvailable"));
        cr_expect_eq(w.requeue, 7200 * KL_USEC_PER_SEC);
        release(&w);
}

Test(daemonset, orphan_pod_on_node_is_adopted_not_duplicated)
{
        struct world w = { .ds = make_ds(NULL) };
        const struct kl_ctrl_action *p;

        w.revs[w.n_revs++] = make_rev(w.ds, 1);
        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.pods[w.n_pods++] =
                make_pod("agent-a", "n1", rev_hash(w.revs[0]), READY, "2025-06-01T10:00:00Z");
        json_object_del(json_object_get(w.pods[0], "metadata"), "ownerReferences");
        run(&w);
        p = nth(&w, KL_CTRL_PATCH, "pods", 0);
        cr_assert(p);
        cr_expect_str_eq(p->name, "agent-a");
        cr_expect_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 0);
        cr_expect_eq(st_int(status_written(&w), "currentNumberScheduled"), 1);
        release(&w);
}

Test(daemonset, node_without_pod_gets_one_during_rollout)
{
        struct world w = { 0 };
        const struct kl_ctrl_action *pod;
        json_t *cur;

        rollout_world(&w, NULL);
        cur = make_rev(w.ds, 2);
        w.revs[w.n_revs++] = cur;
        /* agent-old0 was deleted by the rollout: its node gets a pod of the new revision. */
        json_decref(w.pods[0]);
        w.pods[0] = w.pods[--w.n_pods];
        run(&w);
        cr_assert_eq(count_ops(&w, KL_CTRL_CREATE, "pods"), 1);
        pod = nth(&w, KL_CTRL_CREATE, "pods", 0);
        cr_expect_str_eq(pinned_node(pod->obj), "n0");
        cr_expect_str_eq(json_string_value(json_object_get(
                                 json_object_get(json_object_get(pod->obj, "metadata"), "labels"),
                                 "controller-revision-hash")),
                         rev_hash(cur));
        /* Placement first: no further old pod goes in the same sync. */
        cr_expect_eq(count_ops(&w, KL_CTRL_DELETE, "pods"), 0);
        release(&w);
}

/* ------------------------------------------------------------------------- */
/* A small simulation: writes applied to a world, pods bound to the node their
 * affinity names and made ready, until nothing is left to do. */

static size_t find(json_t **v, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (kl_streq_null(kl_ctrl_meta_str(v[i], "name"), name))
                        return i;
        return n;
}

static size_t apply(struct world *w)
{
        size_t writes = 0;

        for (size_t i = 0; i < w->out.n; i++) {
                struct kl_ctrl_action *a = &w->out.v[i];
                bool pods = kl_streq(a->res->plural, "pods");
                json_t **v = pods ? w->pods : w->revs, *o;
                size_t *n = pods ? &w->n_pods : &w->n_revs, k;

                if (a->op == KL_CTRL_EVENT)
                        continue;
                writes++;
                if (kl_streq(a->res->plural, "daemonsets")) {
                        json_decref(w->ds);
                        w->ds = json_incref(a->obj);
                        continue;
                }
                k = a->op == KL_CTRL_CREATE ? find(v, *n, kl_ctrl_meta_str(a->obj, "name"))
                                            : find(v, *n, a->name);
                switch (a->op) {
                case KL_CTRL_CREATE:
                        cr_assert_eq(k, *n, "created twice: %s", kl_ctrl_meta_str(a->obj, "name"));
                        cr_assert_lt(*n, 12);
                        o = json_deep_copy(a->obj);
                        json_object_set_new(json_object_get(o, "metadata"), "uid",
                                            json_string(kl_ctrl_meta_str(o, "name")));
                        json_object_set_new(json_object_get(o, "metadata"), "creationTimestamp",
                                            json_string("2025-06-01T11:30:00Z"));
                        if (pods) {
                                /* The scheduler binds it to the node of its affinity. */
                                json_object_set_new(json_object_get(o, "spec"), "nodeName",
                                                    json_string(pinned_node(o)));
                                json_object_set_new(o, "status",
                                                    json_pack("{s:s}", "phase", "Pending"));
                        }
                        v[(*n)++] = o;
                        break;
                case KL_CTRL_PATCH:
                        cr_assert_lt(k, *n);
                        cr_assert_eq(kl_api_patch_merge(v[k], a->obj, &o, NULL), 0);
                        json_decref(v[k]);
                        v[k] = o;
                        break;
                case KL_CTRL_DELETE:
                        cr_assert_lt(k, *n);
                        json_decref(v[k]);
                        v[k] = v[--(*n)];
                        break;
                case KL_CTRL_UPDATE:
                case KL_CTRL_EVENT:
                        cr_assert_fail("unexpected write");
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

static size_t pods_with_image(const struct world *w, const char *image)
{
        size_t n = 0;

        for (size_t i = 0; i < w->n_pods; i++)
                if (kl_streq_null(json_string_value(json_object_get(
                                          json_array_get(json_object_get(json_object_get(w->pods[i],
                                                                                         "spec"),
                                                                         "containers"),
                                                         0),
                                          "image")),
                                  image))
                        n++;
        return n;
}

static void set_image(struct world *w, const char *image, int generation)
{
        json_object_set_new(
                json_array_get(
                        json_object_get(
                                json_object_get(
                                        json_object_get(json_object_get(w->ds, "spec"), "template"),
                                        "spec"),
                                "containers"),
                        0),
                "image", json_string(image));
        json_object_set_new(json_object_get(w->ds, "metadata"), "generation",
                            json_integer(generation));
}

static void simulate(const char *strategy)
{
        struct world w = { .ds = make_ds(strategy) };
        const json_t *st;

        w.nodes[w.n_nodes++] = make_node("n1", NULL);
        w.nodes[w.n_nodes++] = make_node("n2", "{\"spec\":{\"taints\":[{\"key\":\"dedicated\","
                                               "\"effect\":\"NoSchedule\"}]}}");
        w.nodes[w.n_nodes++] = make_node("n3", NULL);
        w.nodes[w.n_nodes++] = make_node("n4", NULL);
        converge(&w);
        cr_expect_eq(w.n_pods, 3);
        st = json_object_get(w.ds, "status");
        cr_expect_eq(st_int(st, "desiredNumberScheduled"), 3);
        cr_expect_eq(st_int(st, "numberAvailable"), 3);

        set_image(&w, "agent:2", 4);
        converge(&w);
        cr_expect_eq(w.n_pods, 3);
        cr_expect_eq(pods_with_image(&w, "agent:2"), 3);
        cr_expect_eq(w.n_revs, 2);
        st = json_object_get(w.ds, "status");
        cr_expect_eq(st_int(st, "updatedNumberScheduled"), 3);
        cr_expect_eq(st_int(st, "observedGeneration"), 4);

        /* A NoExecute taint evicts the daemon pod of its node. */
        json_decref(w.nodes[3]);
        w.nodes[3] = make_node("n4", "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":"
                                     "\"NoExecute\"}]}}");
        converge(&w);
        cr_expect_eq(w.n_pods, 2);
        cr_expect_eq(st_int(json_object_get(w.ds, "status"), "desiredNumberScheduled"), 2);
        release(&w);
}

Test(daemonset, simulated_rollout_with_max_unavailable)
{
        simulate(NULL);
}

Test(daemonset, simulated_rollout_with_max_surge)
{
        simulate("{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,"
                 "\"maxSurge\":\"100%\"}}}}");
}
