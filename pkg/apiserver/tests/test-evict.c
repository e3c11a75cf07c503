/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On a real server: pods/eviction against PodDisruptionBudgets (evict.c),
 * table-driven over upstream's eviction.go outcomes, and the conversion
 * hooks of view rows (convert-hooks.c): a body written through
 * autoscaling/v1 is stored as v2, and a patch through the view applies to
 * the v1 shape.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/patch.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/convert-internal.h"
#include "apiserver/evict-internal.h"
#include "apiserver/tests/support/testenv.h"

struct env {
        struct kl_testenv t;
        const struct kl_api_resource *pods, *pdbs;
};

static void env_start(struct env *e)
{
        kl_testenv_start(&e->t, NULL);
        e->pods = kl_api_resource_find("", "v1", "pods");
        e->pdbs = kl_api_resource_find("policy", "v1", "poddisruptionbudgets");
}

static void env_stop(struct env *e)
{
        kl_testenv_stop(&e->t);
}

static void wait_ok(struct env *e, struct kl_testenv_call *res, const char *what)
{
        kl_testenv_run_until(&e->t, &res->done);
        cr_assert_eq(res->r, 0, "%s: %s", what, res->msg);
        json_decref(res->obj);
        *res = (struct kl_testenv_call){ 0 };
}

static void create(struct env *e, const struct kl_api_resource *r, json_t *obj)
{
        struct kl_apiserver_write_opts wo = { 0 };
        struct kl_testenv_call res = { 0 };

        kl_apiserver_create(e->t.server, r, "default", obj, &wo, kl_testenv_on_result, &res);
        wait_ok(e, &res, "create");
}

/* A pod with app=a, given phase, Ready or not. */
static void make_pod(struct env *e, const char *name, const char *phase, bool ready,
                     const char *app)
{
        struct kl_apiserver_write_opts wo = { 0 };
        struct kl_testenv_call res = { 0 };
        json_t *st;

        create(e, e->pods,
               json_pack("{sssss{sss{ss}}s{s[{ssss}]}}", "apiVersion", "v1", "kind", "Pod",
                         "metadata", "name", name, "labels", "app", app, "spec", "containers",
                         "name", "c", "image", "busybox"));
        st = json_pack("{sssss{ssss}s{sss[{ssss}]}}", "apiVersion", "v1", "kind", "Pod", "metadata",
                       "name", name, "namespace", "default", "status", "phase", phase, "conditions",
                       "type", "Ready", "status", ready ? "True" : "False");
        kl_apiserver_update(e->t.server, e->pods, "default", name, "status", st, &wo,
                            kl_testenv_on_result, &res);
        wait_ok(e, &res, "pod status");
}

struct pdb_spec {
        const char *name;
        int allowed;
        int observed_generation;
        int current, desired;
        const char *policy; /* unhealthyPodEvictionPolicy or NULL */
};

static void make_pdb(struct env *e, const struct pdb_spec *p)
{
        struct kl_apiserver_write_opts wo = { 0 };
        struct kl_testenv_call res = { 0 };
        json_t *spec = json_pack("{si s{s{ss}}}", "minAvailable", 1, "selector", "matchLabels",
                                 "app", "a");
        json_t *st;

        if (p->policy)
                (void)json_object_set_new(spec, "unhealthyPodEvictionPolicy",
                                          json_string(p->policy));
        create(e, e->pdbs,
               json_pack("{sssss{ss}so}", "apiVersion", "policy/v1", "kind", "PodDisruptionBudget",
                         "metadata", "name", p->name, "spec", spec));
        st = json_pack("{sssss{ssss}s{sisisisisi}}", "apiVersion", "policy/v1", "kind",
                       "PodDisruptionBudget", "metadata", "name", p->name, "namespace", "default",
                       "status", "observedGeneration", p->observed_generation, "disruptionsAllowed",
                       p->allowed, "currentHealthy", p->current, "desiredHealthy", p->desired,
                       "expectedPods", 1);
        kl_apiserver_update(e->t.server, e->pdbs, "default", p->name, "status", st, &wo,
                            kl_testenv_on_result, &res);
        wait_ok(e, &res, "pdb status");
}

struct evict_case {
        const char *name;
        const char *phase;
        const char *app;
        const char *want_msg;    /* substring of the error message or Status */
        struct pdb_spec pdbs[2]; /* name NULL: absent */
        int want_r;
        int want_allowed_after; /* of the first budget, when there is one */
        bool ready;
        bool dry_run;
        bool want_gone;     /* the pod left the store */
        bool want_recorded; /* the pod is in status.disruptedPods */
};

#define BUDGET(n, a)                                                                          \
        {                                                                                     \
                .name = n, .allowed = a, .observed_generation = 1, .current = 1, .desired = 1 \
        }

static const struct evict_case evict_cases[] = {
        { .name = "no disruption allowed",
          .phase = "Running",
          .ready = true,
          .app = "a",
          .pdbs = { BUDGET("b", 0) },
          .want_r = -KL_ETOO_MANY_REQUESTS,
          .want_msg = "The disruption budget b needs 1 healthy pods and has 1 currently" },
        { .name = "one disruption allowed",
          .phase = "Running",
          .ready = true,
          .app = "a",
          .pdbs = { BUDGET("b", 1) },
          .want_gone = true,
          .want_recorded = true },
        { .name = "dry run spends nothing",
          .phase = "Running",
          .ready = true,
          .app = "a",
          .pdbs = { BUDGET("b", 1) },
          .dry_run = true,
          .want_allowed_after = 1 },
        { .name = "status behind generation",
          .phase = "Running",
          .ready = true,
          .app = "a",
          .pdbs = { { .name = "b", .allowed = 1, .current = 1, .desired = 1 } },
          .want_r = -KL_ETOO_MANY_REQUESTS,
          .want_msg = "The disruption budget b is still being processed by the server.",
          .want_allowed_after = 1 },
        { .name = "two budgets",
          .phase = "Running",
          .ready = true,
          .app = "a",
          .pdbs = { BUDGET("b", 1), BUDGET("c", 1) },
          .want_r = -EIO,
          .want_msg = "This pod has more than one PodDisruptionBudget, which the eviction "
                      "subresource does not support.",
          .want_allowed_after = 1 },
        { .name = "negative allowance",
          .phase = "Running",
          .ready = true,
          .app = "a",
          .pdbs = { BUDGET("b", -1) },
          .want_r = -EACCES,
          .want_msg = "pdb disruptions allowed is negative",
          .want_allowed_after = -1 },
        { .name = "pending pods ignore budgets",
          .phase = "Pending",
          .app = "a",
          .pdbs = { BUDGET("b", 0) },
          .want_gone = true },
        { .name = "failed pods ignore budgets",
          .phase = "Failed",
          .app = "a",
          .pdbs = { BUDGET("b", 0) },
          .want_gone = true },
        { .name = "pods no budget selects",
          .phase = "Running",
          .ready = true,
          .app = "other",
          .pdbs = { BUDGET("b", 0) },
          .want_gone = true },
        { .name = "unready pod, healthy budget (IfHealthyBudget)",
          .phase = "Running",
          .app = "a",
          .pdbs = { BUDGET("b", 0) },
          .want_gone = true },
        { .name = "unready pod, AlwaysAllow",
          .phase = "Running",
          .app = "a",
          .pdbs = { { .name = "b",
                      .observed_generation = 1,
                      .desired = 1,
                      .policy = "AlwaysAllow" } },
          .want_gone = true },
        { .name = "unready pod, unhealthy budget",
          .phase = "Running",
          .app = "a",
          .pdbs = { { .name = "b", .observed_generation = 1, .desired = 1 } },
          .want_r = -KL_ETOO_MANY_REQUESTS,
          .want_msg = "needs 1 healthy pods and has 0 currently" },
};

Test(evict, budgets)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(evict_cases); i++) {
                const struct evict_case *c = &evict_cases[i];
                struct kl_apiserver_write_opts wo = { .dry_run = c->dry_run };
                struct env e = { 0 };
                struct kl_testenv_call res = { 0 };
                json_auto_t *pod = NULL;
                json_auto_t *pdb = NULL;
                kl_autofree char *body = NULL;
                int r;

                cr_log_info("case %s", c->name);
                env_start(&e);
                make_pod(&e, "p", c->phase, c->ready, c->app);
                for (size_t j = 0; j < 2 && c->pdbs[j].name; j++)
                        make_pdb(&e, &c->pdbs[j]);
                kl_apiserver__evict(e.t.server, "default", "p",
                                    json_pack("{sss{}}", "kind", "Eviction", "metadata"), &wo,
                                    kl_testenv_on_result, &res);
                kl_testenv_run_until(&e.t, &res.done);
                cr_expect_eq(res.r, c->want_r, "%s: r=%d %s", c->name, res.r, res.msg);
                if (c->want_msg) {
                        body = res.obj ? json_dumps(res.obj, JSON_COMPACT) : NULL;
                        cr_expect(strstr(res.msg, c->want_msg) ||
                                          (body && strstr(body, c->want_msg)),
                                  "%s: %s / %s", c->name, res.msg, body ? body : "");
                }
                if (c->want_r == -KL_ETOO_MANY_REQUESTS) {
                        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "reason")),
                                         "TooManyRequests");
                        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "message")),
                                         "Cannot evict pod as it would violate the pod's "
                                         "disruption budget.");
                        cr_expect_eq(json_integer_value(json_object_get(res.obj, "code")), 429);
                }
                json_decref(res.obj);
                r = kl_apiserver_get(e.t.server, e.pods, "default", "p", &pod, NULL);
                cr_expect_eq(r == -ENOENT, c->want_gone, "%s: pod gone %d", c->name, r);
                if (c->pdbs[0].name) {
                        json_t *st;

                        cr_assert_eq(kl_apiserver_get(e.t.server, e.pdbs, "default",
                                                      c->pdbs[0].name, &pdb, NULL),
                                     0);
                        st = json_object_get(pdb, "status");
                        cr_expect_eq(json_integer_value(json_object_get(st, "disruptionsAllowed")),
                                     c->want_allowed_after, "%s", c->name);
                        cr_expect_eq(json_object_get(json_object_get(st, "disruptedPods"), "p") !=
                                             NULL,
                                     c->want_recorded, "%s", c->name);
                }
                env_stop(&e);
        }
}

/* The status write is a compare-and-swap: two evictions for the last disruption, one wins. */
Test(evict, racing_evictions_spend_the_budget_once)
{
        struct kl_apiserver_write_opts wo = { 0 };
        struct pdb_spec b = BUDGET("b", 1);
        struct kl_testenv_call r1 = { 0 }, r2 = { 0 };
        struct env e = { 0 };

        env_start(&e);
        make_pod(&e, "p1", "Running", true, "a");
        make_pod(&e, "p2", "Running", true, "a");
        make_pdb(&e, &b);
        kl_apiserver__evict(e.t.server, "default", "p1", json_object(), &wo, kl_testenv_on_result,
                            &r1);
        kl_apiserver__evict(e.t.server, "default", "p2", json_object(), &wo, kl_testenv_on_result,
                            &r2);
        kl_testenv_run_until(&e.t, &r1.done);
        kl_testenv_run_until(&e.t, &r2.done);
        cr_expect((r1.r == 0) != (r2.r == 0), "r1=%d r2=%d", r1.r, r2.r);
        cr_expect(r1.r == -KL_ETOO_MANY_REQUESTS || r2.r == -KL_ETOO_MANY_REQUESTS);
        json_decref(r1.obj);
        json_decref(r2.obj);
        env_stop(&e);
}

/* A v1 HPA body is stored as v2; a merge patch through v1 keeps v2's other metrics. */
Test(convert_hooks, hpa_v1_view)
{
        const struct kl_api_resource *v1 =
                kl_api_resource_find("autoscaling", "v1", "horizontalpodautoscalers");
        const struct kl_api_resource *v2 = kl_apiserver__storage_row(v1);
        struct kl_apiserver_write_opts wo = { 0 };
        kl_autoerr struct kl_err *err = NULL;
        struct kl_testenv_call res = { 0 };
        struct env e = { 0 };
        json_auto_t *stored = NULL;
        json_auto_t *view = NULL;
        json_t *body = NULL;
        json_t *metrics;

        cr_assert_str_eq(v2->version, "v2");
        env_start(&e);
        cr_assert_eq(kl_apiserver__convert_in(
                             v1,
                             json_pack("{sssss{ss}s{s{ssss}sisi}}", "apiVersion", "autoscaling/v1",
                                       "kind", "HorizontalPodAutoscaler", "metadata", "name", "h",
                                       "spec", "scaleTargetRef", "kind", "Deployment", "name", "d",
                                       "maxReplicas", 3, "targetCPUUtilizationPercentage", 50),
                             &body, &err),
                     0);
        create(&e, v2, body);
        cr_assert_eq(kl_apiserver_get(e.t.server, v2, "default", "h", &stored, NULL), 0);
        cr_expect_str_eq(json_string_value(json_object_get(stored, "apiVersion")),
                         "autoscaling/v2");
        metrics = json_object_get(json_object_get(stored, "spec"), "metrics");
        cr_expect_eq(
                json_integer_value(json_object_get(
                        json_object_get(json_object_get(json_array_get(metrics, 0), "resource"),
                                        "target"),
                        "averageUtilization")),
                50);
        view = kl_apiserver__convert_out(v1, stored);
        cr_expect_eq(json_integer_value(json_object_get(json_object_get(view, "spec"),
                                                        "targetCPUUtilizationPercentage")),
                     50);

        kl_apiserver__patch_view(e.t.server, v1, "default", "h", NULL, KL_API_PATCH_TYPE_MERGE,
                                 json_pack("{s{si}}", "spec", "targetCPUUtilizationPercentage", 70),
                                 &wo, kl_testenv_on_result, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "apiVersion")),
                         "autoscaling/v2", "the handler answers in the storage version");
        json_decref(res.obj);
        json_decref(stored);
        stored = NULL;
        cr_assert_eq(kl_apiserver_get(e.t.server, v2, "default", "h", &stored, NULL), 0);
        metrics = json_object_get(json_object_get(stored, "spec"), "metrics");
        cr_expect_eq(json_array_size(metrics), 1);
        cr_expect_eq(
                json_integer_value(json_object_get(
                        json_object_get(json_object_get(json_array_get(metrics, 0), "resource"),
                                        "target"),
                        "averageUtilization")),
                70);
        env_stop(&e);
}
