/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated nodes: node registration and lease renewal, and the pod
 * lifecycle their "kubelet" plays (Running and Ready, completion with the
 * fake exit code, restarts for OnFailure, confirmation of deletes).
 */
#include <criterion/criterion.h>

#include "controllers/ctrl-internal.h"
#include "json/json.h"

#define T0 ((kl_usec_t)1750000000 * KL_USEC_PER_SEC)

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static const char *str_at(const json_t *obj, const char *path)
{
        json_t *v = NULL;

        cr_assert_eq(kl_json_get((json_t *)obj, path, &v, NULL), 0, "%s", path);
        return json_string_value(v);
}

Test(fakekubelet, node_names)
{
        const struct kl_controllers_options o = { .fake_nodes = 3,
                                                  .fake_node_prefix = "fake-node" };

        cr_expect_eq(kl_controllers__fake_node_index(&o, "fake-node-1"), 1);
        cr_expect_eq(kl_controllers__fake_node_index(&o, "fake-node-3"), 3);
        cr_expect_eq(kl_controllers__fake_node_index(&o, "fake-node-4"), 0);
        cr_expect_eq(kl_controllers__fake_node_index(&o, "fake-node-0"), 0);
        cr_expect_eq(kl_controllers__fake_node_index(&o, "fake-node"), 0);
        cr_expect_eq(kl_controllers__fake_node_index(&o, "fake-nodes-1"), 0);
        cr_expect_eq(kl_controllers__fake_node_index(&o, "real"), 0);
        cr_expect_eq(kl_controllers__fake_node_index(&o, NULL), 0);
}

Test(fakekubelet, node_is_registered_then_gets_status_and_lease)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        kl_usec_t requeue = 0;
        json_t *node;

        kl_controllers__fake_node_reconcile("fake-node-2", 2, NULL, NULL, T0, &a, &requeue);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_CREATE);
        cr_expect_str_eq(str_at(a.v[0].obj, "metadata.name"), "fake-node-2");
        cr_expect_str_eq(str_at(a.v[0].obj, "spec.podCIDR"), "10.42.2.0/24");
        kl_ctrl_actions_clear(&a);

        /* Created without status (nodes/status is a subresource): the status and the lease. */
        node = J("{\"metadata\":{\"name\":\"fake-node-2\",\"resourceVersion\":\"5\"},\"spec\":{}}");
        kl_controllers__fake_node_reconcile("fake-node-2", 2, node, NULL, T0, &a, &requeue);
        cr_assert_eq(a.n, 2);
        cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(a.v[0].sub, "status");
        cr_expect_str_eq(str_at(a.v[0].obj, "status.allocatable.pods"), "110");
        cr_expect_str_eq(str_at(a.v[0].obj, "metadata.resourceVersion"), "5");
        cr_expect_eq(a.v[1].op, KL_CTRL_CREATE);
        cr_expect_str_eq(a.v[1].ns, "kube-node-lease");
        cr_expect_str_eq(str_at(a.v[1].obj, "spec.holderIdentity"), "fake-node-2");
        cr_expect_eq(requeue, 10 * KL_USEC_PER_SEC);
        json_decref(node);
}

Test(fakekubelet, lease_renewed_every_10s_unless_stopped)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_t *node = J("{\"metadata\":{\"name\":\"fake-node-1\"},\"status\":{\"conditions\":"
                         "[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
        json_t *stopped = J("{\"metadata\":{\"name\":\"fake-node-1\",\"annotations\":"
                            "{\"kube-lite.io/fake-kubelet\":\"stopped\"}}}");
        json_t *lease =
                J("{\"metadata\":{\"name\":\"fake-node-1\",\"namespace\":\"kube-node-lease\"},"
                  "\"spec\":{\"renewTime\":\"2025-06-15T15:06:36.000000Z\"}}");
        kl_usec_t renewed = (kl_usec_t)1750000000 * KL_USEC_PER_SEC - 4 * KL_USEC_PER_SEC;
        kl_usec_t requeue = 0;

        /* 2025-06-15T15:06:36Z is T0 - 4 s: renew in 6 s. */
        kl_controllers__fake_node_reconcile("fake-node-1", 1, node, lease, T0, &a, &requeue);
        cr_expect_eq(a.n, 0);
        cr_expect_eq(requeue, renewed + 10 * KL_USEC_PER_SEC - T0);

        kl_controllers__fake_node_reconcile("fake-node-1", 1, node, lease, T0 + 6 * KL_USEC_PER_SEC,
                                            &a, &requeue);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(str_at(a.v[0].obj, "spec.renewTime"), "2025-06-15T15:06:46.000000Z");
        kl_ctrl_actions_clear(&a);

        requeue = 0;
        kl_controllers__fake_node_reconcile("fake-node-1", 1, stopped, lease,
                                            T0 + 60 * KL_USEC_PER_SEC, &a, &requeue);
        cr_expect_eq(a.n, 0);
        cr_expect_eq(requeue, 0);
        json_decref(node);
        json_decref(stopped);
        json_decref(lease);
}

Test(fakekubelet, pending_pod_runs_and_is_ready)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_t *pod =
                J("{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\",\"uid\":\"u1\"},"
                  "\"spec\":{\"nodeName\":\"fake-node-1\",\"restartPolicy\":\"Always\","
                  "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]},"
                  "\"status\":{\"phase\":\"Pending\"}}");
        kl_usec_t requeue = 0;
        const json_t *st;

        kl_controllers__fake_pod_reconcile(pod, 1, T0, &a, &requeue);
        cr_assert_eq(a.n, 2);
        cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(a.v[0].sub, "status");
        st = json_object_get(a.v[0].obj, "status");
        cr_expect_str_eq(json_string_value(json_object_get(st, "phase")), "Running");
        cr_expect(kl_ctrl_pod_is_ready(a.v[0].obj));
        cr_expect(kl_startswith(json_string_value(json_object_get(st, "podIP")), "10.42.1."));
        cr_expect(json_is_true(json_object_get(
                json_array_get(json_object_get(st, "containerStatuses"), 0), "ready")));
        cr_expect_eq(a.v[1].op, KL_CTRL_EVENT);
        cr_expect_eq(requeue, 0, "an Always pod runs until deleted");
        json_decref(pod);
}

static json_t *running_job_pod(const char *policy, const char *exit_code)
{
        json_t *pod =
                J("{\"metadata\":{\"name\":\"job-1\",\"namespace\":\"default\",\"uid\":\"u2\","
                  "\"annotations\":{}},"
                  "\"spec\":{\"nodeName\":\"fake-node-1\",\"containers\":[{\"name\":\"c\"}]},"
                  "\"status\":{\"phase\":\"Running\",\"startTime\":\"2025-06-15T15:06:40Z\","
                  "\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":2}]}}");

        json_object_set_new(json_object_get(pod, "spec"), "restartPolicy", json_string(policy));
        if (exit_code)
                json_object_set_new(
                        json_object_get(json_object_get(pod, "metadata"), "annotations"),
                        "kube-lite.io/fake-exit-code", json_string(exit_code));
        return pod;
}

Test(fakekubelet, job_pods_finish_after_a_second)
{
        static const struct {
                const char *policy, *code, *phase;
                int exit_code, restarts;
        } cases[] = {
                { "Never", NULL, "Succeeded", 0, 0 },
                { "Never", "3", "Failed", 3, 0 },
                { "OnFailure", NULL, "Succeeded", 0, 0 },
                { "OnFailure", "1", "Running", 1, 3 }, /* restarted in place */
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                json_t *pod = running_job_pod(cases[i].policy, cases[i].code);
                kl_usec_t requeue = 0;
                const json_t *cs;

                /* startTime is T0: not yet. */
                kl_controllers__fake_pod_reconcile(pod, 1, T0 + KL_USEC_PER_SEC / 2, &a, &requeue);
                cr_expect_eq(a.n, 0, "case %zu", i);
                cr_expect_eq(requeue, KL_USEC_PER_SEC / 2, "case %zu", i);

                kl_controllers__fake_pod_reconcile(pod, 1, T0 + KL_USEC_PER_SEC, &a, &requeue);
                cr_assert_eq(a.n, 1, "case %zu", i);
                cr_expect_str_eq(str_at(a.v[0].obj, "status.phase"), cases[i].phase, "case %zu", i);
                cs = json_array_get(
                        json_object_get(json_object_get(a.v[0].obj, "status"), "containerStatuses"),
                        0);
                if (cases[i].restarts)
                        cr_expect_eq(json_integer_value(json_object_get(cs, "restartCount")),
                                     cases[i].restarts, "case %zu", i);
                else
                        cr_expect_eq(
                                json_integer_value(json_object_get(
                                        json_object_get(json_object_get(cs, "state"), "terminated"),
                                        "exitCode")),
                                cases[i].exit_code, "case %zu", i);
                json_decref(pod);
        }
}

Test(fakekubelet, deleting_pod_is_confirmed_with_zero_grace)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_t *pod =
                J("{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\",\"uid\":\"u1\","
                  "\"deletionTimestamp\":\"2025-06-15T15:06:40Z\"},"
                  "\"spec\":{\"nodeName\":\"fake-node-1\"},\"status\":{\"phase\":\"Running\"}}");
        kl_usec_t requeue = 0;

        kl_controllers__fake_pod_reconcile(pod, 1, T0, &a, &requeue);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_DELETE);
        cr_expect_str_eq(a.v[0].name, "web-1");
        cr_expect_eq(json_integer_value(json_object_get(a.v[0].obj, "gracePeriodSeconds")), 0);
        cr_expect_str_eq(str_at(a.v[0].obj, "preconditions.uid"), "u1");
        json_decref(pod);
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with the manager */

#include "apiserver/tests/support/testenv.h"

static bool is_running_and_ready(const json_t *pod)
{
        return pod && kl_streq_null(kl_ctrl_dig_str(pod, "status.phase"), "Running") &&
               kl_ctrl_pod_is_ready(pod);
}

/*
 * A pod bound to a simulated node before that node registers (a restart
 * with pods in the store, or a pod made with spec.nodeName ahead of the
 * node): registering the node queues the pods bound to it, so the pod
 * runs rather than staying Pending.
 */
Test(fakekubelet, pods_bound_before_their_node_registers_are_run)
{
        static const char *const enabled[] = { "fakekubelet", NULL };
        const struct kl_controllers_options co = { .enabled = enabled, .fake_nodes = 1 };
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;
        json_auto_t *pod = NULL;
        const json_t *ready;

        kl_testenv_start(&e, NULL);
        kl_testenv_create(&e, kl_ctrl_res("", "pods"), "default",
                          J("{\"metadata\":{\"name\":\"early\"},\"spec\":{\"nodeName\":"
                            "\"fake-node-1\",\"containers\":[{\"name\":\"c\",\"image\":"
                            "\"nginx\"}]}}"),
                          NULL);
        cr_assert_null(kl_testenv_get_or_null(&e, kl_ctrl_res("", "nodes"), NULL, "fake-node-1"));
        cr_assert_eq(kl_controllers_start(e.client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        pod = kl_testenv_wait_for(&e, kl_ctrl_res("", "pods"), "default", "early",
                                  is_running_and_ready);
        ready = kl_ctrl_get_condition(pod, "Ready");
        cr_assert(ready);
        cr_expect_str_eq(str_at(ready, "status"), "True");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
