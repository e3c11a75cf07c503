/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On a real server: server-side apply to the status and scale
 * subresources, as upstream's field manager runs it. An apply to /status
 * owns status fields only (entries with subresource "status") and never
 * conflicts with the main resource's; an apply of an autoscaling/v1 Scale
 * to /scale conflicts with whoever owns the Deployment's spec.replicas,
 * and a forced one takes it (upstream's ScaleHandler).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/patch.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "json/json.h"

struct env {
        struct kl_testenv t;
        const struct kl_api_resource *res; /* apps/v1 deployments */
};

static void env_start(struct env *e)
{
        kl_testenv_start(&e->t, NULL);
        e->res = kl_api_resource_find("apps", "v1", "deployments");
        cr_assert_not_null(e->res);
}

static void env_stop(struct env *e)
{
        kl_testenv_stop(&e->t);
}

/* PATCH deployments/d[/sub] with `type` as `manager`; *res is the answer (res->obj owned). */
static void patch(struct env *e, const char *sub, int type, json_t *body, const char *manager,
                  bool force, struct kl_testenv_call *res)
{
        struct kl_apiserver_write_opts wo = { .field_manager = manager, .force = force };

        *res = (struct kl_testenv_call){ 0 };
        kl_apiserver_patch(e->t.server, e->res, "default", "d", sub, type, body, &wo,
                           kl_testenv_on_result, res);
        kl_testenv_run_until(&e->t, &res->done);
}

/* Apply to deployments/d[/sub] as `manager`, expecting `want` (0 or -KL_ECONFLICT). */
static void apply(struct env *e, const char *sub, json_t *body, const char *manager, bool force,
                  int want, char *ret_msg, size_t size)
{
        struct kl_testenv_call res;

        patch(e, sub, KL_API_PATCH_TYPE_APPLY_YAML, body, manager, force, &res);
        cr_assert_eq(res.r, want, "apply by %s to /%s: %d %s", manager, sub ? sub : "", res.r,
                     res.msg);
        if (want == -KL_ECONFLICT) {
                const json_t *cause = json_array_get(
                        json_object_get(json_object_get(res.obj, "details"), "causes"), 0);

                cr_expect_eq(json_integer_value(json_object_get(res.obj, "code")), 409);
                cr_expect_str_eq(json_string_value(json_object_get(res.obj, "reason")), "Conflict");
                cr_expect_str_eq(json_string_value(json_object_get(cause, "reason")),
                                 "FieldManagerConflict");
        }
        if (sub && kl_streq(sub, "scale") && want == 0)
                cr_expect_str_eq(json_string_value(json_object_get(res.obj, "kind")), "Scale",
                                 "/scale answers with the Scale");
        if (ret_msg)
                (void)snprintf(ret_msg, size, "%s", res.msg);
        json_decref(res.obj);
}

/* The Deployment manifest as kubectl applies it (replicas < 0: none). */
static json_t *deployment(int replicas)
{
        json_t *d =
                json_pack("{sssss{ss}s{s{s{ss}}s{s{s{ss}}s{s[{ssss}]}}}}", "apiVersion", "apps/v1",
                          "kind", "Deployment", "metadata", "name", "d", "spec", "selector",
                          "matchLabels", "app", "web", "template", "metadata", "labels", "app",
                          "web", "spec", "containers", "name", "web", "image", "nginx");

        if (replicas >= 0)
                (void)json_object_set_new(json_object_get(d, "spec"), "replicas",
                                          json_integer(replicas));
        return d;
}

/* A whole-object manifest applied to /status: its status part counts. */
static json_t *status_manifest(int replicas, int ready)
{
        return json_pack("{sssss{ss}s{si}s{sisi}}", "apiVersion", "apps/v1", "kind", "Deployment",
                         "metadata", "name", "d", "spec", "replicas", 9, "status", "replicas",
                         replicas, "readyReplicas", ready);
}

static json_t *scale_manifest(int replicas)
{
        return json_pack("{sssss{ss}s{si}}", "apiVersion", "autoscaling/v1", "kind", "Scale",
                         "metadata", "name", "d", "spec", "replicas", replicas);
}

static json_t *stored(struct env *e)
{
        json_t *obj = NULL;

        cr_assert_eq(kl_apiserver_get(e->t.server, e->res, "default", "d", &obj, NULL), 0);
        return obj;
}

static json_int_t member_int(const json_t *obj, const char *part, const char *key)
{
        return json_integer_value(json_object_get(json_object_get(obj, part), key));
}

static const char *rv_of(const json_t *obj)
{
        return json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

/* The managedFields entry of (manager, sub), or NULL. */
static const json_t *entry_of(const json_t *obj, const char *manager, const char *sub)
{
        const json_t *mf = json_object_get(json_object_get(obj, "metadata"), "managedFields");
        size_t i;
        json_t *e;

        json_array_foreach(mf, i, e) {
                if (kl_streq_null(json_string_value(json_object_get(e, "manager")), manager) &&
                    kl_streq_null(json_string_value(json_object_get(e, "subresource")), sub))
                        return e;
        }
        return NULL;
}

/* Does `entry` own field `field` of part `part` ("f:spec", "f:replicas")? */
static bool owns(const json_t *entry, const char *part, const char *field)
{
        const json_t *p = json_object_get(json_object_get(entry, "fieldsV1"), part);

        return field ? json_object_get(p, field) != NULL : p != NULL;
}

static const char *str_of(const json_t *entry, const char *key)
{
        return json_string_value(json_object_get(entry, key));
}

/* An apply to /status: an Apply entry with subresource status owning status alone. */
Test(apply_sub, status_apply_records_its_entry)
{
        struct env e = { 0 };
        json_auto_t *obj = NULL;
        const json_t *entry;
        kl_autofree char *rv = NULL;

        env_start(&e);
        apply(&e, NULL, deployment(3), "kubectl", false, 0, NULL, 0);
        apply(&e, "status", status_manifest(3, 2), "ctl", false, 0, NULL, 0);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "status", "readyReplicas"), 2);
        cr_expect_eq(member_int(obj, "status", "replicas"), 3);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 3, "the status apply's spec is ignored");
        entry = entry_of(obj, "ctl", "status");
        cr_assert_not_null(entry);
        cr_expect_str_eq(str_of(entry, "operation"), "Apply");
        cr_expect_str_eq(str_of(entry, "apiVersion"), "apps/v1");
        cr_expect_str_eq(str_of(entry, "fieldsType"), "FieldsV1");
        cr_expect(owns(entry, "f:status", "f:readyReplicas"));
        cr_expect(owns(entry, "f:status", "f:replicas"));
        cr_expect(!owns(entry, "f:spec", NULL), "status applies own status only");
        cr_expect(!owns(entry, "f:metadata", NULL));
        cr_expect_null(entry_of(obj, "ctl", NULL), "no entry of the main resource");
        entry = entry_of(obj, "kubectl", NULL);
        cr_assert_not_null(entry);
        cr_expect(owns(entry, "f:spec", "f:replicas"));
        cr_expect(!owns(entry, "f:status", NULL));
        rv = kl_strdup(rv_of(obj));

        /* The same status again changes nothing, not even the resourceVersion. */
        apply(&e, "status", status_manifest(3, 2), "ctl", false, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_str_eq(rv_of(obj), rv);

        /* Fields the applier no longer applies and nobody else owns go. */
        apply(&e, "status",
              json_pack("{sssss{ss}s{si}}", "apiVersion", "apps/v1", "kind", "Deployment",
                        "metadata", "name", "d", "status", "replicas", 3),
              "ctl", false, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_null(json_object_get(json_object_get(obj, "status"), "readyReplicas"));
        cr_expect_eq(member_int(obj, "status", "replicas"), 3);
        cr_expect(!owns(entry_of(obj, "ctl", "status"), "f:status", "f:readyReplicas"));
        env_stop(&e);
}

/* Two status appliers: a changed value conflicts (409), an equal one is shared, force takes. */
Test(apply_sub, status_conflict_and_force)
{
        struct env e = { 0 };
        json_auto_t *obj = NULL;
        char msg[512];
        const json_t *entry;

        env_start(&e);
        apply(&e, NULL, deployment(3), "kubectl", false, 0, NULL, 0);
        apply(&e, "status", status_manifest(3, 2), "ctl-a", false, 0, NULL, 0);

        /* Equal values: co-owned, no conflict. */
        apply(&e, "status", status_manifest(3, 2), "ctl-b", false, 0, NULL, 0);
        obj = stored(&e);
        cr_expect(owns(entry_of(obj, "ctl-a", "status"), "f:status", "f:readyReplicas"));
        cr_expect(owns(entry_of(obj, "ctl-b", "status"), "f:status", "f:readyReplicas"));

        apply(&e, "status", status_manifest(3, 1), "ctl-b", false, -KL_ECONFLICT, msg, sizeof(msg));
        cr_expect_str_eq(msg, "Apply failed with 1 conflict: conflict with \"ctl-a\" with "
                              "subresource \"status\": .status.readyReplicas");
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "status", "readyReplicas"), 2, "a conflict writes nothing");

        apply(&e, "status", status_manifest(3, 1), "ctl-b", true, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "status", "readyReplicas"), 1);
        entry = entry_of(obj, "ctl-a", "status");
        cr_assert_not_null(entry, "ctl-a keeps the fields it was not forced out of");
        cr_expect(!owns(entry, "f:status", "f:readyReplicas"));
        cr_expect(owns(entry, "f:status", "f:replicas"));
        cr_expect(owns(entry_of(obj, "ctl-b", "status"), "f:status", "f:readyReplicas"));
        env_stop(&e);
}

/*
 * Status and main resource entries never conflict: the main resource's
 * apply leaves status alone, the status apply leaves the spec alone.
 */
Test(apply_sub, main_and_status_applies_do_not_conflict)
{
        struct env e = { 0 };
        json_auto_t *obj = NULL;
        json_t *manifest;
        char msg[512];

        env_start(&e);
        apply(&e, NULL, deployment(3), "kubectl", false, 0, NULL, 0);
        apply(&e, "status", status_manifest(3, 2), "ctl", false, 0, NULL, 0);

        /* The status apply's spec.replicas (9) differs from kubectl's: no conflict, no change. */
        apply(&e, "status", status_manifest(3, 1), "ctl", false, 0, NULL, 0);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 3);
        cr_expect_eq(member_int(obj, "status", "readyReplicas"), 1);

        /* A main-resource manifest with a status stanza: neither conflicts nor changes status. */
        manifest = deployment(4);
        (void)json_object_set_new(manifest, "status", json_pack("{si}", "readyReplicas", 0));
        apply(&e, NULL, manifest, "other", false, -KL_ECONFLICT, msg, sizeof(msg));
        cr_expect_str_eq(msg,
                         "Apply failed with 1 conflict: conflict with \"kubectl\": "
                         ".spec.replicas",
                         "only the main resource's owner conflicts");
        manifest = deployment(3);
        (void)json_object_set_new(manifest, "status", json_pack("{si}", "readyReplicas", 0));
        apply(&e, NULL, manifest, "other", false, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "status", "readyReplicas"), 1);
        cr_expect(!owns(entry_of(obj, "other", NULL), "f:status", NULL));
        cr_expect(owns(entry_of(obj, "ctl", "status"), "f:status", "f:readyReplicas"));
        env_stop(&e);
}

/*
 * /scale: a Scale applier of another replicas value conflicts with the
 * Deployment's applier; forced, it owns spec.replicas (subresource scale)
 * and the Deployment's applier loses it; the Deployment's applier then
 * conflicts with the Scale's.
 */
Test(apply_sub, scale_conflict_and_force)
{
        struct env e = { 0 };
        json_auto_t *obj = NULL;
        const json_t *entry;
        char msg[512];
        kl_autofree char *rv = NULL;

        env_start(&e);
        apply(&e, NULL, deployment(3), "mgr-a", false, 0, NULL, 0);
        apply(&e, "scale", scale_manifest(5), "mgr-b", false, -KL_ECONFLICT, msg, sizeof(msg));
        cr_expect_str_eq(msg,
                         "Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.replicas");
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 3, "a conflict writes nothing");
        cr_expect_null(entry_of(obj, "mgr-b", "scale"));

        apply(&e, "scale", scale_manifest(5), "mgr-b", true, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 5);
        entry = entry_of(obj, "mgr-b", "scale");
        cr_assert_not_null(entry);
        cr_expect_str_eq(str_of(entry, "operation"), "Apply");
        cr_expect_str_eq(str_of(entry, "apiVersion"), "apps/v1",
                         "the parent's version, as upstream's scale handler writes it");
        cr_expect(owns(entry, "f:spec", "f:replicas"));
        cr_expect_eq(
                json_object_size(json_object_get(json_object_get(entry, "fieldsV1"), "f:spec")), 1,
                "spec.replicas alone");
        entry = entry_of(obj, "mgr-a", NULL);
        cr_assert_not_null(entry);
        cr_expect(!owns(entry, "f:spec", "f:replicas"), "taken by the forced Scale apply");
        cr_expect(owns(entry, "f:spec", "f:selector"), "the rest stays mgr-a's");
        cr_expect(owns(entry, "f:spec", "f:template"));
        cr_expect_eq(
                json_array_size(json_object_get(json_object_get(obj, "metadata"), "managedFields")),
                2);
        rv = kl_strdup(rv_of(obj));

        /* The same Scale again changes nothing. */
        apply(&e, "scale", scale_manifest(5), "mgr-b", false, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_str_eq(rv_of(obj), rv, "a no-op Scale apply keeps the resourceVersion");

        /* Now mgr-a changing replicas through the Deployment conflicts with the Scale's owner. */
        apply(&e, NULL, deployment(3), "mgr-a", false, -KL_ECONFLICT, msg, sizeof(msg));
        cr_expect_str_eq(msg, "Apply failed with 1 conflict: conflict with \"mgr-b\" with "
                              "subresource \"scale\": .spec.replicas");
        env_stop(&e);
}

/* An equal replicas value through /scale: no conflict, spec.replicas shared. */
Test(apply_sub, scale_same_value_is_shared)
{
        struct env e = { 0 };
        json_auto_t *obj = NULL;
        char msg[512];

        env_start(&e);
        apply(&e, NULL, deployment(3), "mgr-a", false, 0, NULL, 0);
        apply(&e, "scale", scale_manifest(3), "mgr-b", false, 0, NULL, 0);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 3);
        cr_expect(owns(entry_of(obj, "mgr-a", NULL), "f:spec", "f:replicas"));
        cr_expect(owns(entry_of(obj, "mgr-b", "scale"), "f:spec", "f:replicas"));

        /* Both own it: a third Scale applier of another value conflicts with both. */
        apply(&e, "scale", scale_manifest(6), "mgr-c", false, -KL_ECONFLICT, msg, sizeof(msg));
        cr_expect_str_eq(msg, "Apply failed with 2 conflicts: conflicts with \"mgr-a\":\n"
                              "- .spec.replicas\n"
                              "conflicts with \"mgr-b\" with subresource \"scale\":\n"
                              "- .spec.replicas");
        env_stop(&e);
}

/*
 * The Scale's replicas is a plain int32 upstream: an applier that owned it
 * alone and stops applying it leaves none, which is 0 — scaled to zero; a
 * merge patch that deletes it does the same. A negative value is refused
 * with the value named.
 */
Test(apply_sub, scale_replicas_given_up_are_zero)
{
        struct env e = { 0 };
        struct kl_testenv_call res;
        json_auto_t *obj = NULL;
        json_t *none = scale_manifest(0);

        env_start(&e);
        apply(&e, NULL, deployment(-1), "mgr-a", false, 0, NULL, 0);
        apply(&e, "scale", scale_manifest(4), "scaler", false, 0, NULL, 0);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 4);
        json_decref(obj);

        (void)json_object_del(json_object_get(none, "spec"), "replicas");
        apply(&e, "scale", none, "scaler", false, 0, NULL, 0);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 0);
        cr_expect_null(entry_of(obj, "scaler", "scale"), "the scaler owns nothing any more");
        json_decref(obj);

        apply(&e, "scale", scale_manifest(2), "scaler", false, 0, NULL, 0);
        patch(&e, "scale", KL_API_PATCH_TYPE_MERGE, json_pack("{s{sn}}", "spec", "replicas"), "ops",
              false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 0);

        patch(&e, "scale", KL_API_PATCH_TYPE_MERGE, json_pack("{s{si}}", "spec", "replicas", -7),
              "ops", false, &res);
        cr_expect_eq(res.r, -KL_EINVALID);
        cr_expect_str_eq(res.msg, "Scale.autoscaling \"d\" is invalid: spec.replicas: Invalid "
                                  "value: -7: must be greater than or equal to 0");
        json_decref(res.obj);
        env_stop(&e);
}

/*
 * An ordinary write to /scale (kubectl scale's patch) records an Update
 * entry with subresource scale; a Scale applier of another value conflicts
 * with it, named with its version as upstream prints Update managers.
 */
Test(apply_sub, scale_apply_conflicts_with_scale_updater)
{
        struct env e = { 0 };
        struct kl_testenv_call res;
        json_auto_t *obj = NULL;
        const json_t *entry;
        char msg[512];

        env_start(&e);
        apply(&e, NULL, deployment(-1), "mgr-a", false, 0, NULL, 0);
        patch(&e, "scale", KL_API_PATCH_TYPE_MERGE, json_pack("{s{si}}", "spec", "replicas", 4),
              "kubectl-scale", false, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        obj = stored(&e);
        entry = entry_of(obj, "kubectl-scale", "scale");
        cr_assert_not_null(entry);
        cr_expect_str_eq(str_of(entry, "operation"), "Update");
        cr_expect(owns(entry, "f:spec", "f:replicas"));

        apply(&e, "scale", scale_manifest(2), "hpa", false, -KL_ECONFLICT, msg, sizeof(msg));
        cr_expect_str_eq(msg, "Apply failed with 1 conflict: conflict with \"kubectl-scale\" with "
                              "subresource \"scale\" using apps/v1: .spec.replicas");
        apply(&e, "scale", scale_manifest(2), "hpa", true, 0, NULL, 0);
        json_decref(obj);
        obj = stored(&e);
        cr_expect_eq(member_int(obj, "spec", "replicas"), 2);
        cr_expect_null(entry_of(obj, "kubectl-scale", "scale"), "its only field was taken");
        cr_expect(owns(entry_of(obj, "hpa", "scale"), "f:spec", "f:replicas"));
        cr_expect_not_null(entry_of(obj, "mgr-a", NULL));
        env_stop(&e);
}

/* An apply to /status or /scale of an object that does not exist is a 404, not a create. */
Test(apply_sub, absent_object_is_not_found)
{
        struct env e = { 0 };
        struct kl_testenv_call res;

        env_start(&e);
        patch(&e, "status", KL_API_PATCH_TYPE_APPLY_YAML, status_manifest(1, 1), "ctl", false,
              &res);
        cr_expect_eq(res.r, -ENOENT, "%d %s", res.r, res.msg);
        json_decref(res.obj);
        patch(&e, "scale", KL_API_PATCH_TYPE_APPLY_YAML, scale_manifest(1), "ctl", false, &res);
        cr_expect_eq(res.r, -ENOENT, "%d %s", res.r, res.msg);
        json_decref(res.obj);
        env_stop(&e);
}
