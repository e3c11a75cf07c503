/* SPDX-License-Identifier: Apache-2.0 */
/*
 * volumes.c, upstream's VolumeBinding in small: the PreFilter over a pod's
 * claims (missing, deleting, unbound Immediate, unbound WaitForFirstConsumer,
 * bound), the Filter on a bound volume's node affinity, the FitError text;
 * then the scheduler against a real API server: a pod with an unbound
 * WaitForFirstConsumer claim is bound and its claim annotated with
 * volume.kubernetes.io/selected-node; a pod whose claim does not exist gets
 * upstream's FailedScheduling message and is scheduled once the claim exists.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/tests/support/testenv.h"
#include "loop/loop.h"
#include "scheduler/scheduler.h"

#include "sched-test.h"

/* ---- unit: PreFilter and Filter over a fixed world ---------------------------- */

static const char world_text[] =
        "{\"pvc\":{"
        " \"wait\":{\"metadata\":{\"name\":\"wait\"},\"spec\":{\"storageClassName\":\"local-path\"}},"
        " \"imm\":{\"metadata\":{\"name\":\"imm\"},\"spec\":{\"storageClassName\":\"fast\"}},"
        " \"noclass\":{\"metadata\":{\"name\":\"noclass\"},\"spec\":{}},"
        " \"gone\":{\"metadata\":{\"name\":\"gone\",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},"
        "  \"spec\":{\"storageClassName\":\"local-path\"}},"
        " \"bound\":{\"metadata\":{\"name\":\"bound\"},\"spec\":{\"volumeName\":\"pv-a\"}},"
        " \"free\":{\"metadata\":{\"name\":\"free\"},\"spec\":{\"volumeName\":\"pv-any\"}},"
        " \"lost\":{\"metadata\":{\"name\":\"lost\"},\"spec\":{\"volumeName\":\"pv-lost\"}},"
        " \"web-data\":{\"metadata\":{\"name\":\"web-data\"},"
        "  \"spec\":{\"storageClassName\":\"local-path\"}}},"
        "\"pv\":{"
        " \"pv-a\":{\"metadata\":{\"name\":\"pv-a\"},\"spec\":{\"nodeAffinity\":{\"required\":"
        "  {\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
        "  \"operator\":\"In\",\"values\":[\"a\"]}]}]}}}},"
        " \"pv-any\":{\"metadata\":{\"name\":\"pv-any\"},\"spec\":{}}},"
        "\"sc\":{"
        " \"local-path\":{\"metadata\":{\"name\":\"local-path\"},"
        "  \"volumeBindingMode\":\"WaitForFirstConsumer\"},"
        " \"fast\":{\"metadata\":{\"name\":\"fast\"},\"volumeBindingMode\":\"Immediate\"}}}";

static const json_t *world_get(void *arg, enum kl_scheduler_vol_kind kind, const char *ns,
                               const char *name)
{
        static const char *const kinds[] = { "pvc", "pv", "sc" };

        cr_assert(kind == KL_SCHEDULER_VOL_PVC ? kl_streq_null(ns, "default") : ns == NULL);
        return json_object_get(json_object_get(arg, kinds[kind]), name);
}

struct prefilter_case {
        const char *volumes; /* the pod's spec.volumes */
        int r;
        const char *msg;    /* r == 1 */
        const char *select; /* claims to annotate, joined with "," */
        size_t n_affinity;
};

static const struct prefilter_case prefilter_cases[] = {
        { "[]", 0, NULL, "", 0 },
        { "[{\"name\":\"v\",\"emptyDir\":{}}]", 0, NULL, "", 0 },
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"nope\"}}]", 1,
          "persistentvolumeclaim \"nope\" not found", NULL, 0 },
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"gone\"}}]", 1,
          "persistentvolumeclaim \"gone\" is being deleted", NULL, 0 },
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"imm\"}}]", 1,
          "pod has unbound immediate PersistentVolumeClaims", NULL, 0 },
        /* No class yet (the default one is assigned later): Immediate, as upstream. */
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"noclass\"}}]", 1,
          "pod has unbound immediate PersistentVolumeClaims", NULL, 0 },
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"lost\"}}]", 1,
          "persistentvolume \"pv-lost\" not found", NULL, 0 },
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"wait\"}},"
          " {\"name\":\"w\",\"persistentVolumeClaim\":{\"claimName\":\"wait\"}}]",
          0, NULL, "wait", 0 },
        { "[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"bound\"}},"
          " {\"name\":\"f\",\"persistentVolumeClaim\":{\"claimName\":\"free\"}},"
          " {\"name\":\"w\",\"persistentVolumeClaim\":{\"claimName\":\"wait\"}}]",
          0, NULL, "wait", 1 },
        /* A generic ephemeral volume's claim is "<pod>-<volume>". */
        { "[{\"name\":\"data\",\"ephemeral\":{\"volumeClaimTemplate\":{\"spec\":{}}}}]", 0, NULL,
          "web-data", 0 },
        /* The first failing claim decides. */
        { "[{\"name\":\"w\",\"persistentVolumeClaim\":{\"claimName\":\"wait\"}},"
          " {\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"nope\"}}]",
          1, "persistentvolumeclaim \"nope\" not found", NULL, 0 },
};

Test(volumes, prefilter_table)
{
        json_t *world = test_json(world_text);
        const struct kl_scheduler_vol_lookup lk = { .get = world_get, .arg = world };

        for (size_t i = 0; i < KL_ARRAY_SIZE(prefilter_cases); i++) {
                const struct prefilter_case *tc = &prefilter_cases[i];
                kl_autofree char *extra = kl_asprintf("{\"spec\":{\"volumes\":%s}}", tc->volumes);
                json_t *pod = test_pod_json("web", extra);
                struct kl_scheduler_vols v;
                struct kl_err *e = NULL;
                char *msg = NULL;
                int r = kl_scheduler__vols_prefilter(pod, &lk, &v, &msg, &e);

                cr_expect_eq(r, tc->r, "case %zu: %d (%s)", i, r, e ? kl_err_msg(e) : "");
                if (tc->msg)
                        cr_expect_str_eq(msg ? msg : "", tc->msg, "case %zu", i);
                else
                        cr_expect_null(msg, "case %zu: %s", i, msg);
                if (tc->select) {
                        struct kl_buf b = KL_BUF_INIT;
                        kl_autofree char *got = NULL;

                        for (size_t k = 0; v.select && v.select[k]; k++)
                                (void)kl_buf_printf(&b, "%s%s", k ? "," : "", v.select[k]);
                        got = kl_buf_detach(&b, NULL);
                        cr_expect_str_eq(got ? got : "", tc->select, "case %zu", i);
                        cr_expect_eq(v.n_affinity, tc->n_affinity, "case %zu", i);
                }
                kl_scheduler__vols_release(&v);
                free(msg);
                kl_err_free(e);
                json_decref(pod);
        }
        json_decref(world);
}

Test(volumes, bound_volume_node_affinity_filters_nodes)
{
        json_t *world = test_json(world_text);
        const struct kl_scheduler_vol_lookup lk = { .get = world_get, .arg = world };
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod("web", "{\"spec\":{\"volumes\":[{\"name\":\"v\","
                                                     "\"persistentVolumeClaim\":{\"claimName\":"
                                                     "\"bound\"}}]}}");
        struct kl_scheduler_vols v;
        struct kl_scheduler_cycle cy;
        struct kl_scheduler_status st;
        struct kl_scheduler_diagnosis d = { 0 };
        struct kl_err *e = NULL;
        char *msg = NULL, *reasons, *pre, *fit;
        bool victims_fit = true;

        test_add_node(&c, "a", NULL);
        test_add_node(&c, "b", NULL);
        cr_assert_eq(kl_scheduler__vols_prefilter(p->obj, &lk, &v, &msg, &e), 0);
        cr_assert_eq(v.n_affinity, 1);
        kl_scheduler__cycle_init(&cy, &c, p, NULL, NULL);
        cy.vols = &v;

        cr_expect(kl_scheduler__filter(&cy, kl_scheduler__cache_node(&c, "a"), &st));
        cr_expect_not(kl_scheduler__filter(&cy, kl_scheduler__cache_node(&c, "b"), &st));
        cr_expect(st.unresolvable);
        reasons = test_reasons(&st, p);
        cr_expect_str_eq(reasons, "node(s) had volume node affinity conflict");
        free(reasons);

        /* No node fits: the FitError with preemption's verdict, as kubectl describe shows it. */
        d.n_all = 2;
        kl_scheduler__diag_add(&d, &st);
        test_add_node(&c, "c", NULL);
        cr_expect_not(kl_scheduler__filter(&cy, kl_scheduler__cache_node(&c, "c"), &st));
        kl_scheduler__diag_add(&d, &st);
        pre = kl_scheduler__preemption_message(&cy, &d, &victims_fit);
        fit = kl_scheduler__fit_message(&d, p, pre);
        cr_expect_not(victims_fit);
        cr_expect_str_eq(fit, "0/2 nodes are available: 2 node(s) had volume node affinity "
                              "conflict. preemption: 0/2 nodes are available: 2 Preemption is not "
                              "helpful for scheduling..");
        free(pre);
        free(fit);
        kl_scheduler__diag_release(&d);
        kl_scheduler__cycle_release(&cy);
        kl_scheduler__vols_release(&v);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
        json_decref(world);
}

Test(volumes, prefilter_message)
{
        char *m = kl_scheduler__prefilter_message(3, "persistentvolumeclaim \"data\" not found");

        cr_expect_str_eq(m, "0/3 nodes are available: persistentvolumeclaim \"data\" not found. "
                            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for "
                            "scheduling..");
        free(m);
}

/* ---- the scheduler with a real API server ------------------------------------------ */

struct env {
        struct kl_testenv t; /* the client writes as the scheduler */
        struct kl_scheduler *sched;
        const struct kl_api_resource *pods, *nodes, *events, *pvcs, *scs;
        char bound[8][64];
        size_t n_bound;
};

static void on_bound(void *arg, const char *ns, const char *name, const char *node, int r)
{
        struct env *e = arg;

        (void)ns;
        (void)node;
        if (r == 0 && e->n_bound < KL_ARRAY_SIZE(e->bound))
                (void)snprintf(e->bound[e->n_bound++], sizeof(e->bound[0]), "%s", name);
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
        e->pvcs = kl_api_resource_find("", "v1", "persistentvolumeclaims");
        e->scs = kl_api_resource_find("storage.k8s.io", "v1", "storageclasses");
        cr_assert_eq(kl_scheduler_start(e->t.client, &so, &e->sched, &err), 0, "%s",
                     kl_err_msg(err));
}

static void env_stop(struct env *e)
{
        kl_scheduler_free(e->sched);
        kl_testenv_stop(&e->t);
}

static void create(struct env *e, const struct kl_api_resource *res, const char *ns,
                   const char *text)
{
        kl_testenv_create(&e->t, res, ns, test_json(text), NULL);
}

static void add_node(struct env *e, const char *name)
{
        json_t *n = test_node_json(name, NULL);

        kl_testenv_create(&e->t, e->nodes, NULL, json_deep_copy(n), NULL);
        kl_testenv_update(&e->t, e->nodes, NULL, name, "status", n, NULL);
}

static bool is_bound(const struct env *e, const char *name)
{
        for (size_t i = 0; i < e->n_bound; i++)
                if (strcmp(e->bound[i], name) == 0)
                        return true;
        return false;
}

static void wait_bound(struct env *e, const char *name)
{
        for (int i = 0; i < 200000 && !is_bound(e, name); i++)
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        cr_assert(is_bound(e, name), "pod %s was never bound", name);
}

static json_t *get(struct env *e, const struct kl_api_resource *res, const char *name)
{
        return kl_testenv_get(&e->t, res, "default", name);
}

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
                                          reason) &&
                            !msg)
                                msg = kl_strdup(json_string_value(json_object_get(it, "message")));
                }
                json_decref(list);
                if (msg)
                        return msg;
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        }
        cr_assert_fail("no %s event for %s", reason, name);
        return NULL;
}

#define LOCAL_PATH_SC                                                                             \
        "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\",\"metadata\":{\"name\":" \
        "\"local-path\"},\"provisioner\":\"rancher.io/local-path\",\"reclaimPolicy\":\"Delete\"," \
        "\"volumeBindingMode\":\"WaitForFirstConsumer\"}"
#define CLAIM(name)                                                                                \
        "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"" name \
        "\"},\"spec\":{\"storageClassName\":\"local-path\",\"accessModes\":[\"ReadWriteOnce\"],"   \
        "\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}"
#define POD(name, claim)                                                                          \
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\"},\"spec\":{" \
        "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}],\"volumes\":[{\"name\":\"d\","   \
        "\"persistentVolumeClaim\":{\"claimName\":\"" claim "\"}}]}}"

Test(volumes, wait_for_first_consumer_claim_gets_selected_node)
{
        struct env *e = kl_new0(struct env);
        json_t *pvc, *pod;

        env_start(e);
        add_node(e, "n1");
        create(e, e->scs, NULL, LOCAL_PATH_SC);
        create(e, e->pvcs, "default", CLAIM("data"));
        create(e, e->pods, "default", POD("web", "data"));
        wait_bound(e, "web");

        pvc = get(e, e->pvcs, "data");
        cr_expect_str_eq(json_string_value(json_object_get(
                                 json_object_get(json_object_get(pvc, "metadata"), "annotations"),
                                 "volume.kubernetes.io/selected-node")),
                         "n1");
        pod = get(e, e->pods, "web");
        cr_expect_str_eq(
                json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName")), "n1");
        json_decref(pvc);
        json_decref(pod);
        env_stop(e);
        free(e);
}

Test(volumes, missing_claim_is_unschedulable_until_it_exists)
{
        struct env *e = kl_new0(struct env);
        char *msg;

        env_start(e);
        add_node(e, "n1");
        create(e, e->scs, NULL, LOCAL_PATH_SC);
        create(e, e->pods, "default", POD("web", "later"));
        msg = wait_event(e, "web", "FailedScheduling");
        cr_expect_str_eq(msg, "0/1 nodes are available: persistentvolumeclaim \"later\" not "
                              "found. preemption: 0/1 nodes are available: 1 Preemption is not "
                              "helpful for scheduling..");
        free(msg);
        cr_expect_not(is_bound(e, "web"));

        create(e, e->pvcs, "default", CLAIM("later"));
        wait_bound(e, "web");
        env_stop(e);
        free(e);
}
