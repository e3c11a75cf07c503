/* SPDX-License-Identifier: Apache-2.0 */
/*
 * managedFields: field sets in FieldsV1 form, ordinary writes, server-side
 * apply conflicts and forcing (kubectl-contract §11.4).
 */
#include <criterion/criterion.h>

#include "api/schema.h"
#include "apiserver/apiserver-internal.h"
#include "json/json.h"

static json_t *parse(const char *text)
{
        json_t *v = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, NULL), 0, "%s",
                     text);
        return v;
}

static void expect_json(const json_t *got, const char *want_text)
{
        json_auto_t *want = parse(want_text);
        kl_autobuf struct kl_buf g = KL_BUF_INIT;

        (void)kl_json_encode(got, KL_JSON_ENCODE_CANONICAL, &g, NULL);
        cr_expect(json_equal(got, want), "got %s\nwant %s", g.buf, want_text);
}

static const struct kl_apiserver__manager kubectl = {
        .manager = "kubectl",
        .api_version = "apps/v1",
        .scope = KL_APISERVER_FIELDS_NO_STATUS,
};

static const struct kl_apiserver__manager patcher = {
        .manager = "kubectl-patch",
        .api_version = "apps/v1",
        .scope = KL_APISERVER_FIELDS_NO_STATUS,
};

static const struct kl_api_message *deployment(void)
{
        const struct kl_api_message *m = kl_api_schema_message("io.k8s.api.apps.v1.Deployment");

        cr_assert(m);
        return m;
}

#define DEPLOY                                                                                   \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","    \
        "\"uid\":\"u\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":2,\"selector\":"     \
        "{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"spec\":{\"containers\":[{\"name\":" \
        "\"nginx\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80,\"protocol\":"      \
        "\"TCP\"}],\"args\":[\"a\"]}]}}},\"status\":{\"replicas\":2}}"

Test(fields, deployment_keys_sets_atomics)
{
        json_auto_t *obj = parse(DEPLOY);
        json_auto_t *set =
                kl_apiserver__fields_of(obj, deployment(), KL_APISERVER_FIELDS_NO_STATUS);

        expect_json(set, "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{"
                         "\"f:replicas\":{},\"f:selector\":{},\"f:template\":{\"f:spec\":{"
                         "\"f:containers\":{\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},"
                         "\"f:name\":{},\"f:image\":{},\"f:args\":{},\"f:ports\":{"
                         "\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
                         "\"f:containerPort\":{},\"f:protocol\":{}}}}}}}}}");
}

Test(fields, status_scope_and_sets)
{
        json_auto_t *obj = parse("{\"metadata\":{\"finalizers\":[\"a\",\"b\"],\"uid\":\"x\"},"
                                 "\"status\":{\"phase\":\"Running\"}}");
        const struct kl_api_message *pod = kl_api_schema_message("io.k8s.api.core.v1.Pod");
        json_auto_t *main = kl_apiserver__fields_of(obj, pod, KL_APISERVER_FIELDS_NO_STATUS);
        json_auto_t *status = kl_apiserver__fields_of(obj, pod, KL_APISERVER_FIELDS_STATUS);

        expect_json(main, "{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"a\\\"\":{},"
                          "\"v:\\\"b\\\"\":{}}}}");
        /* The status subresource owns status alone. */
        expect_json(status, "{\"f:status\":{\"f:phase\":{}}}");
}

Test(fields, subtract_and_union)
{
        json_auto_t *a = parse("{\"f:data\":{\"f:a\":{},\"f:b\":{}},\"f:x\":{}}");
        json_auto_t *b = parse("{\"f:data\":{\"f:a\":{}},\"f:x\":{}}");

        kl_apiserver__fields_subtract(a, b);
        expect_json(a, "{\"f:data\":{\"f:b\":{}}}");
        kl_apiserver__fields_subtract(a, b);
        expect_json(a, "{\"f:data\":{\"f:b\":{}}}");
        kl_apiserver__fields_union(a, b);
        expect_json(a, "{\"f:data\":{\"f:a\":{},\"f:b\":{}},\"f:x\":{}}");
        kl_apiserver__fields_subtract(a, a);
        expect_json(a, "{}");
}

Test(managed, create_then_update_moves_ownership)
{
        json_auto_t *obj =
                parse("{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
        json_auto_t *next = NULL;
        struct kl_apiserver__manager create = { .manager = "kubectl-create", .api_version = "v1" };
        struct kl_apiserver__manager patch = { .manager = "kubectl-patch", .api_version = "v1" };

        kl_apiserver__managed_update(obj, NULL, NULL, &create);
        expect_json(json_object_get(json_array_get(json_object_get(json_object_get(obj, "metadata"),
                                                                   "managedFields"),
                                                   0),
                                    "fieldsV1"),
                    "{\"f:data\":{\"f:a\":{},\"f:b\":{}}}");
        next = json_deep_copy(obj);
        (void)json_object_set_new(json_object_get(next, "data"), "a", json_string("9"));
        (void)json_object_del(json_object_get(next, "data"), "b");
        kl_apiserver__managed_update(next, obj, NULL, &patch);
        {
                json_t *mf = json_object_get(json_object_get(next, "metadata"), "managedFields");

                /* kubectl-create lost a (changed) and b (gone): its entry is dropped. */
                cr_assert_eq(json_array_size(mf), 1);
                cr_expect_str_eq(
                        json_string_value(json_object_get(json_array_get(mf, 0), "manager")),
                        "kubectl-patch");
                cr_expect_str_eq(
                        json_string_value(json_object_get(json_array_get(mf, 0), "operation")),
                        "Update");
                expect_json(json_object_get(json_array_get(mf, 0), "fieldsV1"),
                            "{\"f:data\":{\"f:a\":{}}}");
        }
}

Test(managed, client_written_managed_fields_are_kept)
{
        json_auto_t *old = parse("{\"data\":{\"a\":\"1\"},\"metadata\":{\"managedFields\":["
                                 "{\"manager\":\"x\",\"operation\":\"Update\",\"apiVersion\":"
                                 "\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":"
                                 "{\"f:a\":{}}}}]}}");
        json_auto_t *next = parse("{\"data\":{\"a\":\"2\"},\"metadata\":{\"managedFields\":["
                                  "{\"manager\":\"y\",\"operation\":\"Apply\",\"apiVersion\":"
                                  "\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":"
                                  "{\"f:a\":{}}}}]}}");
        json_auto_t *want = json_deep_copy(next);
        struct kl_apiserver__manager who = { .manager = "kubectl-patch", .api_version = "v1" };

        kl_apiserver__managed_update(next, old, NULL, &who);
        cr_expect(json_equal(next, want));
}

Test(managed, apply_conflict_force_and_removal)
{
        json_auto_t *live = parse(DEPLOY);
        json_auto_t *config = parse(DEPLOY);
        json_auto_t *applied = NULL;
        json_auto_t *patched = NULL;
        json_auto_t *conflicts = NULL;
        json_auto_t *forced = NULL;
        json_auto_t *st = NULL;
        kl_autofree char *msg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const struct kl_api_resource *res = kl_api_resource_find("apps", "v1", "deployments");
        json_t *c0;

        (void)json_object_del(json_object_get(live, "metadata"), "labels");
        cr_assert_eq(kl_apiserver__managed_apply(live, config, deployment(), &kubectl, false,
                                                 &applied, &conflicts, &e),
                     0);
        /* Another writer changes the image. */
        patched = json_deep_copy(applied);
        (void)json_object_set_new(
                json_array_get(
                        json_object_get(
                                json_object_get(json_object_get(json_object_get(patched, "spec"),
                                                                "template"),
                                                "spec"),
                                "containers"),
                        0),
                "image", json_string("nginx:1.27"));
        kl_apiserver__managed_update(patched, applied, deployment(), &patcher);

        /* Applying the old image again conflicts on exactly that field. */
        cr_assert_eq(kl_apiserver__managed_apply(patched, config, deployment(), &kubectl, false,
                                                 &forced, &conflicts, &e),
                     -KL_ECONFLICT);
        kl_err_free(e);
        e = NULL;
        cr_assert_eq(json_array_size(conflicts), 1);
        c0 = json_array_get(conflicts, 0);
        cr_expect_str_eq(json_string_value(json_object_get(c0, "field")),
                         ".spec.template.spec.containers[name=\"nginx\"].image");
        cr_expect_str_eq(json_string_value(json_object_get(c0, "manager")),
                         "\"kubectl-patch\" using apps/v1");
        st = kl_apiserver__managed_conflict_status(res, "web", conflicts, &msg);
        cr_expect_str_eq(msg,
                         "Apply failed with 1 conflict: conflict with \"kubectl-patch\" "
                         "using apps/v1: .spec.template.spec.containers[name=\"nginx\"].image");
        cr_expect_eq(json_integer_value(json_object_get(st, "code")), 409);
        cr_expect_str_eq(json_string_value(json_object_get(st, "reason")), "Conflict");
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_array_get(json_object_get(json_object_get(st, "details"), "causes"),
                                       0),
                        "reason")),
                "FieldManagerConflict");
        json_decref(conflicts);
        conflicts = NULL;

        /* Forced: the applier wins, the other writer's entry loses the field and goes. */
        cr_assert_eq(kl_apiserver__managed_apply(patched, config, deployment(), &kubectl, true,
                                                 &forced, &conflicts, &e),
                     0);
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_array_get(
                                json_object_get(
                                        json_object_get(
                                                json_object_get(json_object_get(forced, "spec"),
                                                                "template"),
                                                "spec"),
                                        "containers"),
                                0),
                        "image")),
                "nginx:1.25");
        cr_expect_eq(json_array_size(
                             json_object_get(json_object_get(forced, "metadata"), "managedFields")),
                     1);
}

Test(managed, apply_removes_what_it_stopped_applying)
{
        json_auto_t *live = parse("{\"metadata\":{\"name\":\"c\"},\"data\":{}}");
        json_auto_t *c1 =
                parse("{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
        json_auto_t *c2 = parse("{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}");
        json_auto_t *o1 = NULL;
        json_auto_t *o2 = NULL;
        json_auto_t *conflicts = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_apiserver__manager who = { .manager = "kubectl", .api_version = "v1" };

        cr_assert_eq(kl_apiserver__managed_apply(live, c1, NULL, &who, false, &o1, &conflicts, &e),
                     0);
        cr_assert_eq(kl_apiserver__managed_apply(o1, c2, NULL, &who, false, &o2, &conflicts, &e),
                     0);
        expect_json(json_object_get(o2, "data"), "{\"a\":\"1\"}");
}

Test(fields, port_keys_default_their_protocol)
{
        json_auto_t *obj = parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                                 "\"c\",\"ports\":[{\"containerPort\":80}]}]}}}}");
        json_auto_t *set =
                kl_apiserver__fields_of(obj, deployment(), KL_APISERVER_FIELDS_NO_STATUS);

        expect_json(set, "{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{"
                         "\"k:{\\\"name\\\":\\\"c\\\"}\":{\".\":{},\"f:name\":{},\"f:ports\":{"
                         "\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
                         "\"f:containerPort\":{}}}}}}}}}");
}
