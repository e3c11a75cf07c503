/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On a real server: server-side apply of autoscaling/v1
 * HorizontalPodAutoscalers, a view of the v2 storage (convert-hooks.c,
 * kl_apiserver__apply_view()). As upstream's field manager, the apply runs
 * in v1: the Apply entry keeps apiVersion autoscaling/v1, a manager that
 * wrote through v2 conflicts where the apply changes its fields seen in
 * v2 (the cause names the v2 path), and an update through v2 takes the
 * fields it changes from a v1 applier.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/patch.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/convert-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "json/json.h"

struct env {
        struct kl_testenv t;
        const struct kl_api_resource *v1, *v2;
};

static void env_start(struct env *e)
{
        kl_testenv_start(&e->t, NULL);
        e->v1 = kl_api_resource_find("autoscaling", "v1", "horizontalpodautoscalers");
        e->v2 = kl_apiserver__storage_row(e->v1);
        cr_assert_str_eq(e->v2->version, "v2");
}

static void env_stop(struct env *e)
{
        kl_testenv_stop(&e->t);
}

/* A v1 manifest as kubectl sends it: maxReplicas and the CPU target given. */
static json_t *hpa_v1(int max, int cpu)
{
        return json_pack("{sssss{ss}s{s{ssssss}sisisi}}", "apiVersion", "autoscaling/v1", "kind",
                         "HorizontalPodAutoscaler", "metadata", "name", "h", "spec",
                         "scaleTargetRef", "apiVersion", "apps/v1", "kind", "Deployment", "name",
                         "d", "minReplicas", 1, "maxReplicas", max,
                         "targetCPUUtilizationPercentage", cpu);
}

/* Apply `config` through autoscaling/v1 as `manager`; the caller frees res->obj. */
static void apply_v1(struct env *e, json_t *config, const char *manager, bool force,
                     struct kl_testenv_call *res)
{
        struct kl_apiserver_write_opts wo = { .field_manager = manager,
                                              .field_validation = KL_API_FIELD_VALIDATION_STRICT,
                                              .force = force };

        *res = (struct kl_testenv_call){ 0 };
        kl_apiserver__patch_view(e->t.server, e->v1, "default", "h", NULL,
                                 KL_API_PATCH_TYPE_APPLY_YAML, config, &wo, kl_testenv_on_result,
                                 res);
        kl_testenv_run_until(&e->t, &res->done);
}

static json_t *stored(struct env *e)
{
        json_t *obj = NULL;

        cr_assert_eq(kl_apiserver_get(e->t.server, e->v2, "default", "h", &obj, NULL), 0);
        return obj;
}

static const char *rv_of(const json_t *obj)
{
        return json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

/* spec.metrics[0].resource.target.averageUtilization of a v2 object. */
static json_int_t cpu_target(const json_t *v2obj)
{
        const json_t *m =
                json_array_get(json_object_get(json_object_get(v2obj, "spec"), "metrics"), 0);

        return json_integer_value(json_object_get(
                json_object_get(json_object_get(m, "resource"), "target"), "averageUtilization"));
}

/* The managedFields entry of `manager`, or NULL. */
static const json_t *entry_of(const json_t *obj, const char *manager)
{
        const json_t *mf = json_object_get(json_object_get(obj, "metadata"), "managedFields");
        size_t i;
        json_t *e;

        json_array_foreach(mf, i, e) {
                if (kl_streq_null(json_string_value(json_object_get(e, "manager")), manager))
                        return e;
        }
        return NULL;
}

static bool owns(const json_t *entry, const char *spec_field)
{
        return json_object_get(json_object_get(json_object_get(entry, "fieldsV1"), "f:spec"),
                               spec_field) != NULL;
}

/* Create by apply, re-apply unchanged (no write), change a field (a write). */
Test(apply_view, create_noop_change)
{
        struct env e = { 0 };
        struct kl_testenv_call res;
        json_auto_t *obj = NULL;
        json_auto_t *again = NULL;
        const json_t *entry;
        kl_autofree char *rv1 = NULL;

        env_start(&e);
        apply_v1(&e, hpa_v1(3, 50), "kubectl", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_eq(res.status, 201);
        json_decref(res.obj);

        obj = stored(&e);
        cr_expect_str_eq(json_string_value(json_object_get(obj, "apiVersion")), "autoscaling/v2");
        cr_expect_eq(cpu_target(obj), 50, "the v1 CPU target is the v2 Resource metric");
        cr_expect_null(json_object_get(obj, "status"), "status is the status subresource's");
        entry = entry_of(obj, "kubectl");
        cr_assert_not_null(entry);
        cr_expect_str_eq(json_string_value(json_object_get(entry, "operation")), "Apply");
        cr_expect_str_eq(json_string_value(json_object_get(entry, "apiVersion")), "autoscaling/v1",
                         "the entry keeps the applier's version");
        cr_expect(owns(entry, "f:targetCPUUtilizationPercentage"), "v1 paths");
        cr_expect(owns(entry, "f:maxReplicas"));
        cr_expect(!owns(entry, "f:metrics"));
        rv1 = kl_strdup(rv_of(obj));

        /* The same manifest again: nothing changes, not even the resourceVersion. */
        apply_v1(&e, hpa_v1(3, 50), "kubectl", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_eq(res.status, 200);
        cr_expect_str_eq(rv_of(res.obj), rv1, "a no-op apply keeps the resourceVersion");
        json_decref(res.obj);
        again = stored(&e);
        cr_expect_str_eq(rv_of(again), rv1);
        cr_expect(json_equal(json_object_get(again, "metadata"), json_object_get(obj, "metadata")));

        /* A changed field is written. */
        apply_v1(&e, hpa_v1(5, 60), "kubectl", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_neq(rv_of(res.obj), rv1);
        json_decref(res.obj);
        json_decref(again);
        again = stored(&e);
        cr_expect_eq(
                json_integer_value(json_object_get(json_object_get(again, "spec"), "maxReplicas")),
                5);
        cr_expect_eq(cpu_target(again), 60);
        cr_expect_eq(json_array_size(
                             json_object_get(json_object_get(again, "metadata"), "managedFields")),
                     1);
        env_stop(&e);
}

/*
 * A v2 Update manager changes the CPU target (spec.metrics in v2): the v1
 * applier loses targetCPUUtilizationPercentage; applying its old value
 * again conflicts with the v2 manager on the v2 path; force takes it.
 */
Test(apply_view, conflict_with_v2_manager_and_force)
{
        struct env e = { 0 };
        struct kl_apiserver_write_opts wo = { .field_manager = "editor" };
        struct kl_testenv_call res = { 0 };
        json_auto_t *obj = NULL;
        const json_t *cause;
        const json_t *entry;

        env_start(&e);
        apply_v1(&e, hpa_v1(3, 50), "kubectl", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);

        res = (struct kl_testenv_call){ 0 };
        kl_apiserver_patch(e.t.server, e.v2, "default", "h", NULL, KL_API_PATCH_TYPE_MERGE,
                           json_pack("{s{s[{sss{sss{sssi}}}]}}", "spec", "metrics", "type",
                                     "Resource", "resource", "name", "cpu", "target", "type",
                                     "Utilization", "averageUtilization", 70),
                           &wo, kl_testenv_on_result, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        obj = stored(&e);
        entry = entry_of(obj, "editor");
        cr_assert_not_null(entry);
        cr_expect_str_eq(json_string_value(json_object_get(entry, "apiVersion")), "autoscaling/v2");
        cr_expect(owns(entry, "f:metrics"));
        entry = entry_of(obj, "kubectl");
        cr_assert_not_null(entry);
        cr_expect(!owns(entry, "f:targetCPUUtilizationPercentage"),
                  "the v2 update took the field seen in v1");
        cr_expect(owns(entry, "f:maxReplicas"));

        /* Unchanged fields of the v2 manager are no conflict: maxReplicas alone. */
        apply_v1(&e, hpa_v1(4, 70), "kubectl", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);

        apply_v1(&e, hpa_v1(4, 50), "kubectl", false, &res);
        cr_assert_eq(res.r, -KL_ECONFLICT, "%d %s", res.r, res.msg);
        cr_expect_str_eq(res.msg, "Apply failed with 1 conflict: conflict with \"editor\" using "
                                  "autoscaling/v2: .spec.metrics");
        cr_assert_not_null(res.obj);
        cr_expect_eq(json_integer_value(json_object_get(res.obj, "code")), 409);
        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "reason")), "Conflict");
        cause = json_array_get(json_object_get(json_object_get(res.obj, "details"), "causes"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(cause, "reason")),
                         "FieldManagerConflict");
        cr_expect_str_eq(json_string_value(json_object_get(cause, "field")), ".spec.metrics",
                         "the field in the conflicting manager's version");
        cr_expect_str_eq(json_string_value(json_object_get(cause, "message")),
                         "conflict with \"editor\" using autoscaling/v2");
        json_decref(res.obj);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(cpu_target(obj), 70, "a conflict writes nothing");

        apply_v1(&e, hpa_v1(4, 50), "kubectl", true, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(cpu_target(obj), 50);
        cr_expect_null(entry_of(obj, "editor"), "the forced apply took its only field");
        entry = entry_of(obj, "kubectl");
        cr_assert_not_null(entry);
        cr_expect(owns(entry, "f:targetCPUUtilizationPercentage"));
        cr_expect_str_eq(json_string_value(json_object_get(entry, "apiVersion")), "autoscaling/v1");
        env_stop(&e);
}

/* Two v1 appliers: a conflict named in v1, as for any one-version kind; force moves it. */
Test(apply_view, conflict_between_v1_appliers)
{
        struct env e = { 0 };
        struct kl_testenv_call res;
        json_auto_t *obj = NULL;

        env_start(&e);
        apply_v1(&e, hpa_v1(3, 50), "kubectl", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        apply_v1(&e,
                 json_pack("{sssss{ss}s{si}}", "apiVersion", "autoscaling/v1", "kind",
                           "HorizontalPodAutoscaler", "metadata", "name", "h", "spec",
                           "maxReplicas", 7),
                 "other", false, &res);
        cr_assert_eq(res.r, -KL_ECONFLICT, "%s", res.msg);
        cr_expect_str_eq(
                res.msg,
                "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.maxReplicas");
        json_decref(res.obj);
        apply_v1(&e,
                 json_pack("{sssss{ss}s{si}}", "apiVersion", "autoscaling/v1", "kind",
                           "HorizontalPodAutoscaler", "metadata", "name", "h", "spec",
                           "maxReplicas", 7),
                 "other", true, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        obj = stored(&e);
        cr_expect_eq(
                json_integer_value(json_object_get(json_object_get(obj, "spec"), "maxReplicas")),
                7);
        cr_expect(owns(entry_of(obj, "other"), "f:maxReplicas"));
        cr_expect(!owns(entry_of(obj, "kubectl"), "f:maxReplicas"));
        cr_expect_eq(cpu_target(obj), 50, "the other applier's fields stay");
        env_stop(&e);
}

/* Unknown fields of a v1 manifest are found in v1 (fieldValidation=Strict). */
Test(apply_view, strict_unknown_field)
{
        struct env e = { 0 };
        struct kl_testenv_call res;
        json_t *config = hpa_v1(3, 50);

        env_start(&e);
        (void)json_object_set_new(json_object_get(config, "spec"), "bogus", json_integer(1));
        apply_v1(&e, config, "kubectl", false, &res);
        cr_expect_eq(res.r, -EINVAL, "%d %s", res.r, res.msg);
        cr_expect(strstr(res.msg, "unknown field \"spec.bogus\"") != NULL, "%s", res.msg);
        json_decref(res.obj);
        env_stop(&e);
}

/*
 * managed.c's versioned comparison alone (pure), with a converter of its
 * own: "t/v1" has spec.cpu, "t/v2" spec.metrics [{"cpu": N}].
 */
static json_t *fake_convert(const json_t *obj, const char *from, const char *to)
{
        json_t *out = json_deep_copy(obj);
        json_t *spec = json_object_get(out, "spec");

        if (kl_streq(from, "t/v1") && kl_streq(to, "t/v2")) {
                json_t *cpu = json_object_get(spec, "cpu");

                if (cpu)
                        (void)json_object_set_new(spec, "metrics", json_pack("[{sO}]", "cpu", cpu));
                (void)json_object_del(spec, "cpu");
        } else if (kl_streq(from, "t/v2") && kl_streq(to, "t/v1")) {
                json_t *m = json_array_get(json_object_get(spec, "metrics"), 0);

                if (m)
                        (void)json_object_set(spec, "cpu", json_object_get(m, "cpu"));
                (void)json_object_del(spec, "metrics");
        } else {
                json_decref(out);
                return NULL;
        }
        (void)json_object_set_new(out, "apiVersion", json_string(to));
        return out;
}

static json_t *parse(const char *text)
{
        json_t *v = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, NULL), 0, "%s",
                     text);
        return v;
}

Test(managed_versions, apply_conflicts_in_the_entry_version)
{
        /* v1 view of an object whose spec.metrics an Update manager wrote through v2. */
        json_auto_t *live = parse(
                "{\"apiVersion\":\"t/v1\",\"kind\":\"T\",\"metadata\":{\"name\":\"x\","
                "\"managedFields\":[{\"manager\":\"editor\",\"operation\":\"Update\","
                "\"apiVersion\":\"t/v2\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":"
                "{\"f:metrics\":{},\"f:max\":{}}}},{\"manager\":\"old\",\"operation\":\"Update\","
                "\"apiVersion\":\"t/v0\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":"
                "{\"f:cpu\":{}}}}]},\"spec\":{\"cpu\":70,\"max\":3}}");
        json_auto_t *same = parse("{\"apiVersion\":\"t/v1\",\"kind\":\"T\",\"metadata\":{\"name\":"
                                  "\"x\"},\"spec\":{\"cpu\":70,\"max\":3}}");
        json_auto_t *change =
                parse("{\"apiVersion\":\"t/v1\",\"kind\":\"T\",\"metadata\":{\"name\":"
                      "\"x\"},\"spec\":{\"cpu\":50,\"max\":3}}");
        struct kl_apiserver__manager who = { .manager = "kubectl",
                                             .api_version = "t/v1",
                                             .scope = KL_APISERVER_FIELDS_ALL,
                                             .convert = fake_convert };
        json_auto_t *out = NULL;
        json_auto_t *conflicts = NULL;
        kl_autoerr struct kl_err *err = NULL;
        json_auto_t *want = json_pack("{s{s{}}}", "f:spec", "f:max");
        const json_t *mf;

        /* Equal values seen in v2: co-owned, no conflict. */
        cr_assert_eq(
                kl_apiserver__managed_apply(live, same, NULL, &who, false, &out, &conflicts, &err),
                0, "%s", kl_err_msg(err));
        json_decref(out);
        out = NULL;

        cr_assert_eq(kl_apiserver__managed_apply(live, change, NULL, &who, false, &out, &conflicts,
                                                 &err),
                     -KL_ECONFLICT);
        /* Named in the editor's version; t/v0 does not convert: compared as t/v1. */
        cr_assert_eq(json_array_size(conflicts), 2);
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(conflicts, 0), "field")),
                         ".spec.metrics");
        cr_expect_str_eq(
                json_string_value(json_object_get(json_array_get(conflicts, 0), "manager")),
                "\"editor\" using t/v2");
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(conflicts, 1), "field")),
                         ".spec.cpu");
        kl_err_free(KL_TAKE_PTR(err));

        cr_assert_eq(
                kl_apiserver__managed_apply(live, change, NULL, &who, true, &out, &conflicts, &err),
                0, "%s", kl_err_msg(err));
        mf = json_object_get(json_object_get(out, "metadata"), "managedFields");
        cr_expect_eq(json_integer_value(json_object_get(json_object_get(out, "spec"), "cpu")), 50);
        cr_expect(json_equal(json_object_get(json_array_get(mf, 0), "fieldsV1"), want),
                  "forced: the editor keeps only what did not change");
}

Test(managed_versions, update_takes_fields_of_other_version_entries)
{
        json_auto_t *old = parse(
                "{\"apiVersion\":\"t/v2\",\"kind\":\"T\",\"metadata\":{\"name\":\"x\","
                "\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Apply\","
                "\"apiVersion\":\"t/v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":"
                "{\"f:cpu\":{},\"f:max\":{}}}}]},\"spec\":{\"metrics\":[{\"cpu\":50}],\"max\":3}}");
        json_auto_t *next = json_deep_copy(old);
        struct kl_apiserver__manager who = { .manager = "editor",
                                             .api_version = "t/v2",
                                             .scope = KL_APISERVER_FIELDS_ALL,
                                             .convert = fake_convert };
        json_auto_t *want = json_pack("{s{s{}}}", "f:spec", "f:max");
        json_t *mf;

        (void)json_object_set_new(json_object_get(next, "spec"), "metrics",
                                  json_pack("[{si}]", "cpu", 70));
        kl_apiserver__managed_update(next, old, NULL, &who);
        mf = json_object_get(json_object_get(next, "metadata"), "managedFields");
        cr_assert_eq(json_array_size(mf), 2);
        cr_expect(json_equal(json_object_get(json_array_get(mf, 0), "fieldsV1"), want),
                  "the v1 applier lost cpu, changed seen in v1");
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(mf, 1), "apiVersion")),
                         "t/v2");
}
