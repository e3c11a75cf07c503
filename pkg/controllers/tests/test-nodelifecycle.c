/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node lifecycle's reconcile, against upstream's node-lifecycle-controller
 * (tryUpdateNodeHealth, TaintNodesByCondition, taint-based eviction,
 * MarkPodsNotReady) and taint-eviction-controller (tolerations,
 * tolerationSeconds, DisruptionTarget).
 */
#include <criterion/criterion.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"
#include "json/json.h"

#define T0  ((kl_usec_t)1750000000 * KL_USEC_PER_SEC) /* 2025-06-15T15:06:40Z */
#define SEC KL_USEC_PER_SEC

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static json_t *at(const json_t *obj, const char *path)
{
        json_t *v = NULL;

        return kl_json_get(obj, path, &v, NULL) == 0 ? v : NULL;
}

static const char *str(const json_t *obj, const char *path)
{
        return json_string_value(at(obj, path));
}

/* A node with Ready `ready` and the given taints (JSON array text). */
static json_t *node(const char *ready, const char *taints)
{
        return json_pack(
                "{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:o}, s:{s:[{s:s, s:s, s:s, s:s, s:s, s:s}, "
                "{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]}}",
                "apiVersion", "v1", "kind", "Node", "metadata", "name", "n1", "resourceVersion",
                "5", "creationTimestamp", "2025-06-01T00:00:00Z", "spec", "taints", J(taints),
                "status", "conditions", "type", "Ready", "status", ready, "reason", "KubeletReady",
                "message", "kubelet is posting ready status", "lastHeartbeatTime",
                "2025-06-15T15:05:50Z", "lastTransitionTime", "2025-06-01T00:00:10Z", "type",
                "MemoryPressure", "status", "False", "reason", "KubeletHasSufficientMemory", "type",
                "DiskPressure", "status", "False", "reason", "KubeletHasNoDiskPressure", "type",
                "PIDPressure", "status", "False", "reason", "KubeletHasSufficientPID", "type",
                "NetworkUnavailable", "status", "False", "reason", "RouteCreated");
}

static json_t *lease(const char *renew)
{
        return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "metadata", "name", "n1", "namespace",
                         "kube-node-lease", "spec", "holderIdentity", "n1", "renewTime", renew);
}

struct run {
        const json_t *node, *lease;
        const json_t *pods[3];
        size_t n_pods;
        bool no_node_ready;
};

static kl_usec_t run(const struct run *r, struct kl_ctrl_actions *a)
{
        kl_usec_t requeue = 0;

        kl_ctrl_nodelc_reconcile(
                &(struct kl_ctrl_nodelc_input){
                        .node = r->node,
                        .lease = r->lease,
                        .pods = r->pods,
                        .n_pods = r->n_pods,
                        .no_node_ready = r->no_node_ready,
                        .monitor_grace = 40 * SEC,
                        .default_toleration = 300 * SEC,
                        .now = T0,
                },
                a, &requeue);
        return requeue;
}

/* ------------------------------------------------------------------------- */
/* Health */

Test(nodelifecycle, renewed_lease_keeps_the_node_as_it_is)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *n = node("True", "[]");
        /* Heartbeat 50 s old, but the lease renewed 37 s ago: 3 s left. */
        json_auto_t *l = lease("2025-06-15T15:06:03.000000Z");

        cr_expect_eq(run(&(struct run){ .node = n, .lease = l }, &a), 3 * SEC + KL_USEC_PER_MSEC);
        cr_expect_eq(a.n, 0);
}

Test(nodelifecycle, a_live_node_is_looked_at_again_each_monitor_period)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *n = node("True", "[]");
        json_auto_t *l = lease("2025-06-15T15:06:39.000000Z");

        cr_expect_eq(run(&(struct run){ .node = n, .lease = l }, &a), 5 * SEC);
        cr_expect_eq(a.n, 0);
}

Test(nodelifecycle, silent_kubelet_makes_the_conditions_unknown)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *n = node("True", "[]");
        json_auto_t *l = lease("2025-06-15T15:05:59.000000Z");
        const json_t *c;

        run(&(struct run){ .node = n, .lease = l }, &a);
        cr_assert_eq(a.n, 2);
        cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(a.v[0].res->plural, "nodes");
        cr_expect_str_eq(a.v[0].name, "n1");
        cr_expect_str_eq(a.v[0].sub, "status");
        c = kl_ctrl_get_condition(a.v[0].obj, "Ready");
        cr_expect_str_eq(str(c, "status"), "Unknown");
        cr_expect_str_eq(str(c, "reason"), "NodeStatusUnknown");
        cr_expect_str_eq(str(c, "message"), "Kubelet stopped posting node status.");
        cr_expect_str_eq(str(c, "lastTransitionTime"), "2025-06-15T15:06:40Z");
        /* The heartbeat is the kubelet's: kept. */
        cr_expect_str_eq(str(c, "lastHeartbeatTime"), "2025-06-15T15:05:50Z");
        for (size_t i = 0; i < 3; i++) {
                static const char *const types[] = { "MemoryPressure", "DiskPressure",
                                                     "PIDPressure" };

                c = kl_ctrl_get_condition(a.v[0].obj, types[i]);
                cr_expect_str_eq(str(c, "status"), "Unknown", "%s", types[i]);
                cr_expect_str_eq(str(c, "reason"), "NodeStatusUnknown", "%s", types[i]);
        }
        /* NetworkUnavailable belongs to the network plugin: untouched. */
        c = kl_ctrl_get_condition(a.v[0].obj, "NetworkUnavailable");
        cr_expect_str_eq(str(c, "status"), "False");
        cr_expect_eq(a.v[1].op, KL_CTRL_EVENT);
        cr_expect_str_eq(a.v[1].event_type, "Normal");
        cr_expect_str_eq(a.v[1].reason, "NodeNotReady");
        cr_expect_str_eq(a.v[1].message, "Node n1 status is now: NodeNotReady");
}

Test(nodelifecycle, node_that_never_posted_status_gets_unknown_after_startup_grace)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions b = { 0 };
        json_auto_t *old = J("{\"metadata\":{\"name\":\"n1\",\"creationTimestamp\":"
                             "\"2025-06-15T15:05:39Z\"},\"spec\":{}}");
        json_auto_t *young = J("{\"metadata\":{\"name\":\"n1\",\"creationTimestamp\":"
                               "\"2025-06-15T15:06:00Z\"},\"spec\":{}}");
        const json_t *c;

        run(&(struct run){ .node = old }, &a);
        cr_assert_eq(a.n, 1); /* no event: it never was Ready */
        cr_expect_str_eq(a.v[0].sub, "status");
        cr_expect_eq(json_array_size(at(a.v[0].obj, "status.conditions")), 4);
        c = kl_ctrl_get_condition(a.v[0].obj, "Ready");
        cr_expect_str_eq(str(c, "status"), "Unknown");
        cr_expect_str_eq(str(c, "reason"), "NodeStatusNeverUpdated");
        cr_expect_str_eq(str(c, "message"), "Kubelet never posted node status.");
        cr_expect_str_eq(str(c, "lastHeartbeatTime"), "2025-06-15T15:05:39Z");

        /* 40 s old: within upstream's 60 s nodeStartupGracePeriod. */
        run(&(struct run){ .node = young }, &b);
        cr_expect_eq(b.n, 0);
}

/* ------------------------------------------------------------------------- */
/* Taints */

#define USER_TAINT "{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}"
#define UNREACHABLE_TAINTS                                                                     \
        "{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\",\"timeAdded\":" \
        "\"2025-06-15T15:00:00Z\"},{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":"    \
        "\"NoExecute\",\"timeAdded\":\"2025-06-15T15:00:00Z\"}"

static const struct {
        const char *name;
        const char *ready;
        const char *taints;
        bool no_node_ready;
        const char *want; /* the taints written, or NULL: no node write */
} taint_cases[] = {
        {
                "an unreachable node gets unreachable NoSchedule and NoExecute",
                "Unknown",
                "[" USER_TAINT "]",
                false,
                "[" USER_TAINT ",{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":"
                "\"NoSchedule\",\"timeAdded\":\"2025-06-15T15:06:40Z\"},{\"key\":"
                "\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\",\"timeAdded\":"
                "\"2025-06-15T15:06:40Z\"}]",
        },
        {
                "a not-ready node swaps unreachable for not-ready",
                "False",
                "[" UNREACHABLE_TAINTS "]",
                false,
                "[{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoSchedule\","
                "\"timeAdded\":\"2025-06-15T15:06:40Z\"},{\"key\":"
                "\"node.kubernetes.io/not-ready\",\"effect\":\"NoExecute\",\"timeAdded\":"
                "\"2025-06-15T15:06:40Z\"}]",
        },
        {
                "a node back to Ready loses the taints, others' taints stay",
                "True",
                "[" UNREACHABLE_TAINTS "," USER_TAINT "]",
                false,
                "[" USER_TAINT "]",
        },
        {
                "with no node Ready anywhere, no NoExecute taint (master disruption mode)",
                "Unknown",
                "[" UNREACHABLE_TAINTS "]",
                true,
                "[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\","
                "\"timeAdded\":\"2025-06-15T15:00:00Z\"}]",
        },
        {
                "taints already right are not written",
                "Unknown",
                "[" UNREACHABLE_TAINTS "]",
                false,
                NULL,
        },
        {
                "a Ready node without taints is not written",
                "True",
                "[]",
                false,
                NULL,
        },
};

Test(nodelifecycle, taints_follow_the_ready_condition)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(taint_cases); i++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                json_auto_t *n = node(taint_cases[i].ready, taint_cases[i].taints);
                /* A fresh lease: health is not this test's business. */
                json_auto_t *l = lease("2025-06-15T15:06:39Z");
                json_auto_t *want = taint_cases[i].want ? J(taint_cases[i].want) : NULL;

                run(&(struct run){ .node = n,
                                   .lease = l,
                                   .no_node_ready = taint_cases[i].no_node_ready },
                    &a);
                if (!want) {
                        cr_expect_eq(a.n, 0, "%s", taint_cases[i].name);
                        continue;
                }
                cr_assert_eq(a.n, 1, "%s: %zu actions", taint_cases[i].name, a.n);
                cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE, "%s", taint_cases[i].name);
                cr_expect_null(a.v[0].sub, "%s", taint_cases[i].name);
                cr_expect_str_eq(str(a.v[0].obj, "metadata.resourceVersion"), "5");
                if (json_array_size(want) == 0)
                        cr_expect_null(at(a.v[0].obj, "spec.taints"), "%s", taint_cases[i].name);
                else
                        cr_expect(json_equal(at(a.v[0].obj, "spec.taints"), want), "%s",
                                  taint_cases[i].name);
        }
}

Test(nodelifecycle, condition_and_unschedulable_taints)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *n = node("True", "[]");
        json_auto_t *l = lease("2025-06-15T15:06:39Z");
        json_t *c = (json_t *)kl_ctrl_get_condition(n, "DiskPressure");

        (void)json_object_set_new(c, "status", json_string("True"));
        (void)json_object_set_new(json_object_get(n, "spec"), "unschedulable", json_true());
        run(&(struct run){ .node = n, .lease = l }, &a);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(json_array_size(at(a.v[0].obj, "spec.taints")), 2);
        cr_expect_str_eq(str(a.v[0].obj, "spec.taints[0].key"), "node.kubernetes.io/disk-pressure");
        cr_expect_str_eq(str(a.v[0].obj, "spec.taints[0].effect"), "NoSchedule");
        cr_expect_str_eq(str(a.v[0].obj, "spec.taints[1].key"), "node.kubernetes.io/unschedulable");
        cr_expect_str_eq(str(a.v[0].obj, "spec.taints[1].effect"), "NoSchedule");
}

/* ------------------------------------------------------------------------- */
/* Pods */

#define POD(name, extra_spec)                                                             \
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\","    \
        "\"namespace\":\"default\",\"uid\":\"" name "-uid\",\"resourceVersion\":\"8\"},"  \
        "\"spec\":{\"nodeName\":\"n1\"" extra_spec "},\"status\":{\"phase\":\"Running\"," \
        "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":" \
        "\"2025-06-15T14:00:00Z\"}]}}"

/* The first step of an eviction: the event, and the DisruptionTarget condition. */
static void expect_eviction(const struct kl_ctrl_action *x, const char *name)
{
        const json_t *c;

        cr_expect_eq(x[0].op, KL_CTRL_EVENT, "%s", name);
        cr_expect_str_eq(x[0].event_type, "Normal");
        cr_expect_str_eq(x[0].reason, "TaintManagerEviction");
        cr_expect_eq(x[1].op, KL_CTRL_PATCH, "%s", name);
        cr_expect_str_eq(x[1].sub, "status", "%s", name);
        cr_expect_eq(x[1].patch_type, KL_API_PATCH_TYPE_STRATEGIC, "%s", name);
        cr_expect_str_eq(x[1].res->plural, "pods");
        cr_expect_str_eq(x[1].ns, "default");
        cr_expect_str_eq(x[1].name, name);
        c = kl_ctrl_get_condition(x[1].obj, "DisruptionTarget");
        cr_assert(c, "%s", name);
        cr_expect_str_eq(str(c, "status"), "True");
        cr_expect_str_eq(str(c, "reason"), "DeletionByTaintManager");
        cr_expect_str_eq(str(c, "message"), "Taint manager: deleting due to NoExecute taint");
        cr_expect_str_eq(str(c, "lastTransitionTime"), "2025-06-15T15:06:40Z");
}

Test(nodelifecycle, pods_of_an_unknown_node_are_marked_not_ready)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        /* Only node of the cluster: no NoExecute taint, so nothing is evicted. */
        json_auto_t *n = node("Unknown", "[{\"key\":\"node.kubernetes.io/unreachable\","
                                         "\"effect\":\"NoSchedule\"}]");
        json_auto_t *p1 = J(POD("web-1", ""));
        json_auto_t *p2 = J("{\"metadata\":{\"name\":\"done\",\"namespace\":\"default\"},"
                            "\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"conditions\":[{"
                            "\"type\":\"Ready\",\"status\":\"False\"}]}}");

        run(&(struct run){ .node = n, .pods = { p1, p2 }, .n_pods = 2, .no_node_ready = true }, &a);
        /* The node's status was written before (Unknown); the lease is long gone. */
        cr_assert_eq(a.n, 2);
        cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(a.v[0].res->plural, "pods");
        cr_expect_str_eq(a.v[0].name, "web-1");
        cr_expect_str_eq(a.v[0].sub, "status");
        cr_expect_str_eq(str(a.v[0].obj, "status.conditions[0].status"), "False");
        cr_expect_str_eq(str(a.v[0].obj, "status.conditions[0].lastTransitionTime"),
                         "2025-06-15T15:06:40Z");
        cr_expect_str_eq(str(a.v[0].obj, "metadata.resourceVersion"), "8");
        cr_expect_eq(a.v[1].op, KL_CTRL_EVENT);
        cr_expect_str_eq(a.v[1].event_type, "Warning");
        cr_expect_str_eq(a.v[1].reason, "NodeNotReady");
        cr_expect_str_eq(a.v[1].message, "Node is not ready");
}

/* A node unreachable since `added`, with its taints in place and a stale lease. */
static json_t *unreachable_node(const char *added)
{
        kl_autofree char *taints = kl_asprintf(
                "[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\","
                "\"timeAdded\":\"%s\"},{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":"
                "\"NoExecute\",\"timeAdded\":\"%s\"}]",
                added, added);
        json_t *n = node("Unknown", taints);

        /* The conditions are already Unknown, as the health step leaves them. */
        for (size_t i = 0; i < 4; i++) {
                static const char *const types[] = { "Ready", "MemoryPressure", "DiskPressure",
                                                     "PIDPressure" };

                json_t *c = (json_t *)kl_ctrl_get_condition(n, types[i]);

                (void)json_object_set_new(c, "status", json_string("Unknown"));
        }
        return n;
}

static const struct {
        const char *name;
        const char *added; /* the NoExecute taint's timeAdded */
        const char *pod;
        bool evicted;
        kl_usec_t requeue; /* when not evicted */
} evict_cases[] = {
        { "a pod without tolerations is evicted after the default 300 s", "2025-06-15T15:01:40Z",
          POD("p", ""), true, 0 },
        { "a pod without tolerations stays within the default 300 s", "2025-06-15T15:01:42Z",
          POD("p", ""), false, 2 * SEC },
        { "a pod's own tolerationSeconds replaces the default", "2025-06-15T15:06:29Z",
          POD("p", ",\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\","
                   "\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":10}]"),
          true, 0 },
        { "a pod tolerating every taint for ever stays", "2025-06-01T00:00:00Z",
          POD("p", ",\"tolerations\":[{\"operator\":\"Exists\"}]"), false, 5 * SEC },
        { "a NoSchedule toleration does not keep a pod on a NoExecute taint for ever",
          "2025-06-15T15:01:40Z",
          POD("p", ",\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\","
                   "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]"),
          true, 0 },
        { "a negative tolerationSeconds means at once", "2025-06-15T15:06:40Z",
          POD("p", ",\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\","
                   "\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":-5}]"),
          true, 0 },
};

Test(nodelifecycle, noexecute_taints_evict_pods_after_their_toleration)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(evict_cases); i++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                json_auto_t *n = unreachable_node(evict_cases[i].added);
                json_auto_t *p = J(evict_cases[i].pod);
                kl_usec_t requeue;
                size_t k = 0;

                requeue = run(&(struct run){ .node = n, .pods = { p }, .n_pods = 1 }, &a);
                if (evict_cases[i].evicted) {
                        cr_assert_eq(a.n, 2, "%s: %zu actions", evict_cases[i].name, a.n);
                        expect_eviction(a.v, "p");
                        cr_expect_str_eq(a.v[0].message, "Marking for deletion Pod default/p");
                        /* The delete follows once the condition is written. */
                        cr_expect_eq(requeue, 10 * KL_USEC_PER_MSEC, "%s", evict_cases[i].name);
                        continue;
                }
                cr_expect_eq(requeue, evict_cases[i].requeue, "%s: requeue %llu",
                             evict_cases[i].name, (unsigned long long)requeue);
                /* Not evicted: only marked not ready (the node is Unknown). */
                for (size_t j = 0; j < a.n; j++)
                        k += a.v[j].op == KL_CTRL_DELETE;
                cr_expect_eq(k, 0, "%s", evict_cases[i].name);
        }
}

Test(nodelifecycle, a_pod_not_tolerating_a_user_noexecute_taint_goes_at_once)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *n = node("True", "[{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":"
                                      "\"NoExecute\",\"timeAdded\":\"2025-06-15T15:06:40Z\"}]");
        json_auto_t *l = lease("2025-06-15T15:06:39Z");
        json_auto_t *keep = J(POD("db", ",\"tolerations\":[{\"key\":\"dedicated\",\"operator\":"
                                        "\"Equal\",\"value\":\"db\",\"effect\":\"NoExecute\"}]"));
        json_auto_t *wrong = J(POD("web", ",\"tolerations\":[{\"key\":\"dedicated\","
                                          "\"operator\":\"Equal\",\"value\":\"web\"}]"));
        json_auto_t *going = J("{\"metadata\":{\"name\":\"old\",\"namespace\":\"default\","
                               "\"deletionTimestamp\":\"2025-06-15T15:06:00Z\"},\"spec\":{"
                               "\"nodeName\":\"n1\"}}");

        run(&(struct run){ .node = n, .lease = l, .pods = { keep, wrong, going }, .n_pods = 3 },
            &a);
        cr_assert_eq(a.n, 2);
        expect_eviction(a.v, "web");
}

Test(nodelifecycle, a_pod_marked_as_disruption_target_is_then_deleted)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *n = unreachable_node("2025-06-15T15:00:00Z");
        json_auto_t *p = J("{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},\"spec\":{"
                           "\"nodeName\":\"n1\"},\"status\":{\"conditions\":[{\"type\":"
                           "\"DisruptionTarget\",\"status\":\"True\"}]}}");

        run(&(struct run){ .node = n, .pods = { p }, .n_pods = 1 }, &a);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_DELETE);
        cr_expect_str_eq(a.v[0].res->plural, "pods");
        cr_expect_str_eq(a.v[0].ns, "default");
        cr_expect_str_eq(a.v[0].name, "p");
        cr_expect_null(a.v[0].obj);
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with simulated kubelets */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "nodelifecycle", NULL };
        const struct kl_controllers_options co = {
                .enabled = enabled,
                /* Past the simulated kubelet's 10 s lease renewals: only a stopped one is late. */
                .node_monitor_grace = 11 * SEC,
                .fake_nodes = 1,
        };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

static json_t *get(struct kl_testenv *e, const char *plural, const char *ns, const char *name)
{
        return kl_testenv_get_or_null(e, kl_ctrl_res("", plural), ns, name);
}

static void wait_for(struct kl_testenv *e, const char *plural, const char *ns, const char *name,
                     bool (*done)(const json_t *obj))
{
        json_decref(kl_testenv_wait_for(e, kl_ctrl_res("", plural), ns, name, done));
}

static bool is_ready(const json_t *obj)
{
        return obj && kl_streq_null(str(kl_ctrl_get_condition(obj, "Ready"), "status"), "True");
}

static bool is_not_ready(const json_t *obj)
{
        return obj && kl_streq_null(str(kl_ctrl_get_condition(obj, "Ready"), "status"), "False");
}

static bool is_unreachable(const json_t *obj)
{
        const json_t *taints = at(obj, "spec.taints");
        size_t i;
        json_t *t;
        bool noexec = false;

        json_array_foreach(taints, i, t)
                noexec |= kl_streq_null(str(t, "key"), "node.kubernetes.io/unreachable") &&
                          kl_streq_null(str(t, "effect"), "NoExecute");
        return obj && noexec &&
               kl_streq_null(str(kl_ctrl_get_condition(obj, "Ready"), "status"), "Unknown");
}

static bool is_evicted(const json_t *obj)
{
        return !obj || (kl_ctrl_is_deleting(obj) &&
                        kl_streq_null(str(kl_ctrl_get_condition(obj, "DisruptionTarget"), "status"),
                                      "True"));
}

static void create_pod(struct kl_testenv *e, const char *name, const char *tolerations)
{
        kl_autofree char *text = kl_asprintf(
                "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"nodeName\":\"fake-node-1\","
                "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}],\"tolerations\":%s}}",
                name, tolerations);

        kl_testenv_create(e, kl_ctrl_res("", "pods"), "default", J(text), NULL);
}

Test(nodelifecycle, dead_kubelet_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_auto_t *slow = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        /* Another node, Ready for good: the cluster is not all down, so NoExecute applies. */
        kl_testenv_create(&e, kl_ctrl_res("", "nodes"), NULL,
                          J("{\"metadata\":{\"name\":\"steady\"}}"), NULL);
        kl_testenv_update(&e, kl_ctrl_res("", "nodes"), NULL, "steady", "status",
                          J("{\"metadata\":{\"name\":\"steady\"},\"status\":{\"conditions\":[{"
                            "\"type\":\"Ready\",\"status\":\"True\",\"lastHeartbeatTime\":"
                            "\"2099-01-01T00:00:00Z\"}]}}"),
                          NULL);
        wait_for(&e, "nodes", NULL, "fake-node-1", is_ready);

        create_pod(&e, "quick",
                   "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                   "\"effect\":\"NoExecute\",\"tolerationSeconds\":0}]");
        create_pod(&e, "slow", "[]");
        wait_for(&e, "pods", "default", "quick", is_ready);
        wait_for(&e, "pods", "default", "slow", is_ready);

        /* Stop the kubelet. */
        kl_testenv_patch(&e, kl_ctrl_res("", "nodes"), NULL, "fake-node-1", NULL,
                         KL_API_PATCH_TYPE_MERGE,
                         J("{\"metadata\":{\"annotations\":{\"kube-lite.io/fake-kubelet\":"
                           "\"stopped\"}}}"),
                         NULL);

        wait_for(&e, "nodes", NULL, "fake-node-1", is_unreachable);
        /* tolerationSeconds 0: evicted at once; the default 300 s keeps the other. */
        wait_for(&e, "pods", "default", "quick", is_evicted);
        wait_for(&e, "pods", "default", "slow", is_not_ready);
        slow = get(&e, "pods", "default", "slow");
        cr_expect(!kl_ctrl_is_deleting(slow));
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
