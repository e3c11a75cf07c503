/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler against a real in-process API server on a loop, with fake
 * Node objects (status.allocatable, a Ready condition) as an agent would
 * register them: pods get bound through pods/binding with a Scheduled
 * event (and no managedFields entry for the binding, as upstream); a pod that fits nowhere gets
 * upstream's FailedScheduling event and PodScheduled=False/Unschedulable with the same message, and
 * is scheduled once a node that fits is added; pods with spec.nodeName or another schedulerName are
 * left alone; a deleted pod gives its room back.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/tests/support/testenv.h"
#include "loop/loop.h"
#include "scheduler/scheduler.h"

struct bound {
        char ns[64], name[64], node[64];
        int r;
};

struct env {
        struct kl_testenv t; /* the client writes as the scheduler */
        struct kl_scheduler *sched;
        const struct kl_api_resource *pods, *nodes, *events;
        struct bound bound[32];
        size_t n_bound;
};

static void on_bound(void *arg, const char *ns, const char *name, const char *node, int r)
{
        struct env *e = arg;
        struct bound *b;

        cr_assert_lt(e->n_bound, KL_ARRAY_SIZE(e->bound));
        b = &e->bound[e->n_bound++];
        (void)snprintf(b->ns, sizeof(b->ns), "%s", ns);
        (void)snprintf(b->name, sizeof(b->name), "%s", name);
        (void)snprintf(b->node, sizeof(b->node), "%s", node);
        b->r = r;
}

static void env_start(struct env *e)
{
        const struct kl_testenv_options to = { .user = "system:kube-scheduler" };
        struct kl_scheduler_options so = { .seed = 1, .on_bound = on_bound, .arg = e };
        struct kl_err *err = NULL;

        kl_testenv_start(&e->t, &to);
        e->pods = kl_api_resource_find("", "v1", "pods");
        e->nodes = kl_api_resource_find("", "v1", "nodes");
        e->events = kl_api_resource_find("", "v1", "events");
        cr_assert_eq(kl_scheduler_start(e->t.client, &so, &e->sched, &err), 0, "%s",
                     kl_err_msg(err));
}

static void env_stop(struct env *e)
{
        kl_scheduler_free(e->sched);
        kl_testenv_stop(&e->t);
}

static void add_node(struct env *e, const char *name, const char *cpu, const char *taints)
{
        json_t *n = json_pack("{sssss{sss{ss}}s{s{ssssss}s[{ssss}]}}", "apiVersion", "v1", "kind",
                              "Node", "metadata", "name", name, "labels", "kubernetes.io/hostname",
                              name, "status", "allocatable", "cpu", cpu, "memory", "8Gi", "pods",
                              "110", "conditions", "type", "Ready", "status", "True");

        if (taints)
                (void)json_object_set_new(n, "spec",
                                          json_pack("{so}", "taints", json_loads(taints, 0, NULL)));
        kl_testenv_create(&e->t, e->nodes, NULL, json_deep_copy(n), NULL);
        /* The status as the kubelet reports it, in case create kept none. */
        (void)json_object_set_new(json_object_get(n, "metadata"), "resourceVersion", NULL);
        kl_testenv_update(&e->t, e->nodes, NULL, name, "status", n, NULL);
}

static void add_pod(struct env *e, const char *name, const char *cpu, const char *extra)
{
        json_t *p = json_pack("{sssss{ss}s{s[{sssss{s{ss}}}]}}", "apiVersion", "v1", "kind", "Pod",
                              "metadata", "name", name, "spec", "containers", "name", "c", "image",
                              "busybox", "resources", "requests", "cpu", cpu);

        if (extra) {
                json_t *x = json_loads(extra, 0, NULL);

                cr_assert(x);
                cr_assert_eq(json_object_update_recursive(p, x), 0);
                json_decref(x);
        }
        kl_testenv_create(&e->t, e->pods, "default", p, NULL);
}

static const struct bound *wait_bound(struct env *e, const char *name)
{
        for (int i = 0; i < 200000; i++) {
                for (size_t j = 0; j < e->n_bound; j++)
                        if (strcmp(e->bound[j].name, name) == 0)
                                return &e->bound[j];
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        }
        cr_assert_fail("pod %s was never bound", name);
        return NULL;
}

static json_t *get_pod(struct env *e, const char *name)
{
        return kl_testenv_get(&e->t, e->pods, "default", name);
}

/* The message of the newest event with `reason` about pod `name`; waits for it. Owned. */
static char *wait_event(struct env *e, const char *name, const char *reason)
{
        for (int i = 0; i < 200000; i++) {
                struct kl_apiserver_list_opts o = { 0 };
                json_t *list = NULL, *it;
                struct kl_err *err = NULL;
                char *msg = NULL;
                size_t k;

                cr_assert_eq(kl_apiserver_list(e->t.server, e->events, "default", &o, &list, &err),
                             0);
                json_array_foreach(json_object_get(list, "items"), k, it) {
                        const json_t *io = json_object_get(it, "involvedObject");

                        if (kl_streq_null(json_string_value(json_object_get(io, "name")), name) &&
                            kl_streq_null(json_string_value(json_object_get(it, "reason")),
                                          reason)) {
                                free(msg);
                                msg = kl_strdup(json_string_value(json_object_get(it, "message")));
                        }
                }
                json_decref(list);
                if (msg)
                        return msg;
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        }
        cr_assert_fail("no %s event for %s", reason, name);
        return NULL;
}

/* The PodScheduled condition's status, reason and message once it reads `status`. */
static json_t *wait_condition(struct env *e, const char *name, const char *status)
{
        for (int i = 0; i < 200000; i++) {
                json_t *p = get_pod(e, name), *c;
                size_t k;

                json_array_foreach(json_object_get(json_object_get(p, "status"), "conditions"), k,
                                   c) {
                        if (kl_streq_null(json_string_value(json_object_get(c, "type")),
                                          "PodScheduled") &&
                            kl_streq_null(json_string_value(json_object_get(c, "status")),
                                          status)) {
                                json_incref(c);
                                json_decref(p);
                                return c;
                        }
                }
                json_decref(p);
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        }
        cr_assert_fail("pod %s never got PodScheduled=%s", name, status);
        return NULL;
}

Test(scheduler, binds_fails_then_schedules_on_a_new_node)
{
        struct env *e = kl_new0(struct env);
        const struct bound *b;
        const char *want =
                "0/3 nodes are available: 1 node(s) had untolerated taint "
                "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 "
                "nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption "
                "victims found for incoming pod..";
        kl_autofree char *ev = NULL;
        json_t *cond, *p;

        env_start(e);
        add_node(e, "cp", "4",
                 "[{\"key\":\"node-role.kubernetes.io/control-plane\",\"effect\":\"NoSchedule\"}]");
        add_node(e, "n1", "2", NULL);
        add_node(e, "n2", "2", NULL);

        add_pod(e, "web-1", "1500m", NULL);
        b = wait_bound(e, "web-1");
        cr_expect_eq(b->r, 0);
        cr_expect(strcmp(b->node, "n1") == 0 || strcmp(b->node, "n2") == 0, "%s", b->node);
        {
                char want_ev[128];

                ev = wait_event(e, "web-1", "Scheduled");
                (void)snprintf(want_ev, sizeof(want_ev),
                               "Successfully assigned default/web-1 to %s", b->node);
                cr_expect_str_eq(ev, want_ev);
                free(KL_TAKE_PTR(ev));
        }
        p = get_pod(e, "web-1");
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(p, "spec"), "nodeName")),
                         b->node);
        /*
         * Upstream's binding writes the pod without a field manager: the
         * creator's entry is the only one, and it does not own nodeName.
         */
        {
                const json_t *mf = json_object_get(json_object_get(p, "metadata"), "managedFields");

                cr_expect_eq(json_array_size(mf), 1);
                cr_expect_str_eq(
                        json_string_value(json_object_get(json_array_get(mf, 0), "operation")),
                        "Update");
                cr_expect_null(json_object_get(
                        json_object_get(json_object_get(json_array_get(mf, 0), "fieldsV1"),
                                        "f:spec"),
                        "f:nodeName"));
        }
        json_decref(p);
        cond = wait_condition(e, "web-1", "True");
        json_decref(cond);

        /* The second one must go to the other node: the first is counted there. */
        add_pod(e, "web-2", "1500m", NULL);
        cr_expect_str_neq(wait_bound(e, "web-2")->node, wait_bound(e, "web-1")->node);

        /* Nothing has 1.5 CPUs left; the control-plane node is tainted. */
        add_pod(e, "web-3", "1500m", NULL);
        ev = wait_event(e, "web-3", "FailedScheduling");
        cr_expect_str_eq(ev, want);
        cond = wait_condition(e, "web-3", "False");
        cr_expect_str_eq(json_string_value(json_object_get(cond, "reason")), "Unschedulable");
        cr_expect_str_eq(json_string_value(json_object_get(cond, "message")), want);
        json_decref(cond);

        /* A node that fits: web-3 is retried and bound there. */
        add_node(e, "big", "8", NULL);
        b = wait_bound(e, "web-3");
        cr_expect_eq(b->r, 0);
        cr_expect_str_eq(b->node, "big");
        env_stop(e);
        free(e);
}

Test(scheduler, leaves_other_pods_alone_and_frees_on_delete)
{
        struct env *e = kl_new0(struct env);
        json_t *p;

        env_start(e);
        add_node(e, "n1", "2", NULL);
        /* Already placed: only counted. */
        add_pod(e, "pinned", "1500m", "{\"spec\":{\"nodeName\":\"n1\"}}");
        /* Another scheduler's pod: never bound by us. */
        add_pod(e, "other", "100m", "{\"spec\":{\"schedulerName\":\"my-scheduler\"}}");
        add_pod(e, "web-1", "1", NULL);
        free(wait_event(e, "web-1", "FailedScheduling"));
        for (size_t i = 0; i < e->n_bound; i++)
                cr_expect(strcmp(e->bound[i].name, "web-1") != 0 &&
                                  strcmp(e->bound[i].name, "other") != 0 &&
                                  strcmp(e->bound[i].name, "pinned") != 0,
                          "%s bound", e->bound[i].name);

        /* Deleting the pinned pod frees its CPU: web-1 goes to n1. */
        kl_testenv_delete(&e->t, e->pods, "default", "pinned",
                          json_pack("{si}", "gracePeriodSeconds", 0), NULL);
        cr_expect_str_eq(wait_bound(e, "web-1")->node, "n1");
        p = get_pod(e, "other");
        cr_expect_null(json_object_get(json_object_get(p, "spec"), "nodeName"));
        json_decref(p);
        env_stop(e);
        free(e);
}

/* A pod waiting for pod affinity is retried when a matching pod lands on a node. */
Test(scheduler, pod_affinity_waits_for_its_peer)
{
        struct env *e = kl_new0(struct env);
        kl_autofree char *ev = NULL;

        env_start(e);
        add_node(e, "n1", "4", NULL);
        add_node(e, "n2", "4", NULL);
        add_pod(e, "follower", "100m",
                "{\"spec\":{\"affinity\":{\"podAffinity\":{"
                "\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":"
                "{\"matchLabels\":{\"app\":\"cache\"}},\"topologyKey\":"
                "\"kubernetes.io/hostname\"}]}}}}");
        ev = wait_event(e, "follower", "FailedScheduling");
        cr_expect_str_eq(ev, "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. "
                             "preemption: 0/2 nodes are available: 2 Preemption is not helpful "
                             "for scheduling..");
        add_pod(e, "cache", "100m", "{\"metadata\":{\"labels\":{\"app\":\"cache\"}}}");
        cr_expect_str_eq(wait_bound(e, "follower")->node, wait_bound(e, "cache")->node);
        env_stop(e);
        free(e);
}

/* A NotReady node is refused with upstream's taint message until it reports Ready. */
Test(scheduler, waits_for_a_node_to_become_ready)
{
        struct env *e = kl_new0(struct env);
        json_t *n =
                json_pack("{sssss{ss}s{s{ssssss}s[{ssss}]}}", "apiVersion", "v1", "kind", "Node",
                          "metadata", "name", "n1", "status", "allocatable", "cpu", "4", "memory",
                          "8Gi", "pods", "110", "conditions", "type", "Ready", "status", "False");
        kl_autofree char *ev = NULL;

        env_start(e);
        kl_testenv_create(&e->t, e->nodes, NULL, json_deep_copy(n), NULL);
        kl_testenv_update(&e->t, e->nodes, NULL, "n1", "status", json_deep_copy(n), NULL);
        add_pod(e, "web-1", "100m", NULL);
        ev = wait_event(e, "web-1", "FailedScheduling");
        cr_expect_str_eq(ev, "0/1 nodes are available: 1 node(s) had untolerated taint "
                             "{node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are "
                             "available: 1 Preemption is not helpful for scheduling..");
        (void)json_string_set(
                json_object_get(
                        json_array_get(json_object_get(json_object_get(n, "status"), "conditions"),
                                       0),
                        "status"),
                "True");
        kl_testenv_update(&e->t, e->nodes, NULL, "n1", "status", n, NULL);
        cr_expect_str_eq(wait_bound(e, "web-1")->node, "n1");
        env_stop(e);
        free(e);
}
