/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generated schema tables and what is built on them: lookups, strict
 * field validation with upstream's wording, and OpenAPI v3 emission.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/schema.h"
#include "base/base.h"
#include "json/json.h"

static const struct kl_api_message *msg(const char *name)
{
        const struct kl_api_message *m = kl_api_schema_message(name);

        cr_assert_not_null(m, "no message '%s'", name);
        return m;
}

static const struct kl_api_field *field(const char *message, const char *name)
{
        const struct kl_api_field *f = kl_api_message_field(msg(message), name);

        cr_assert_not_null(f, "no field '%s' in '%s'", name, message);
        return f;
}

static json_t *parse(const char *text)
{
        json_t *v = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), SIZE_MAX, &v, &e), 0, "%s", kl_err_msg(e));
        return v;
}

/* ---- Lookups ---------------------------------------------------------- */

Test(schema, every_message_is_found_by_its_name)
{
        char name[KL_API_MESSAGE_NAME_MAX];

        cr_assert_gt(kl_api_schema_n_messages(), 500);
        for (size_t i = 0; i < kl_api_schema_n_messages(); i++) {
                const struct kl_api_message *m = kl_api_schema_message_at(i);

                kl_api_message_name(m, name, sizeof(name));
                cr_assert_eq(kl_api_schema_message(name), m, "%s", name);
                /* Every field is found by name (unless inline) and by number. */
                for (size_t k = 0; k < kl_api_message_n_fields(m); k++) {
                        const struct kl_api_field *f = kl_api_message_field_at(m, k);

                        cr_assert_eq(kl_api_message_field_by_number(m, kl_api_field_number(f)), f);
                        if (!(kl_api_field_flags(f) & KL_API_FIELD_INLINE))
                                cr_assert_eq(kl_api_message_field(m, kl_api_field_name(f)), f,
                                             "%s.%s", name, kl_api_field_name(f));
                }
        }
        cr_assert_null(kl_api_schema_message_at(kl_api_schema_n_messages()));
        cr_assert_null(kl_api_schema_message("io.k8s.api.apps.v1.Nope"));
        cr_assert_null(kl_api_schema_message("io.k8s.api.apps.v1"));
        cr_assert_null(kl_api_schema_message("Deployment"));
        cr_assert_null(kl_api_schema_message("io.k8s.api.apps.v1.Deployment.spec"));
        cr_assert_null(kl_api_schema_message(""));
}

Test(schema, names)
{
        const struct kl_api_message *m = msg("io.k8s.api.apps.v1.Deployment");
        char buf[KL_API_MESSAGE_NAME_MAX];

        cr_assert_str_eq(kl_api_message_short_name(m), "Deployment");
        cr_assert_str_eq(kl_api_message_package(m), "io.k8s.api.apps.v1");
        cr_assert_str_eq(kl_api_message_name(m, buf, sizeof(buf)), "io.k8s.api.apps.v1.Deployment");
        cr_assert_str_eq(kl_api_message_go_name(m, buf, sizeof(buf)), "v1.Deployment");
        m = msg("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        cr_assert_str_eq(kl_api_message_go_name(m, buf, sizeof(buf)), "intstr.IntOrString");
        cr_assert_eq(kl_api_message_special(m), KL_API_SPECIAL_INT_OR_STRING);
        cr_assert_eq(kl_api_message_special(msg("io.k8s.apimachinery.pkg.apis.meta.v1.Time")),
                     KL_API_SPECIAL_TIME);
        cr_assert_eq(kl_api_message_special(msg("io.k8s.api.authentication.v1.ExtraValue")),
                     KL_API_SPECIAL_STRING_LIST);
        cr_assert_eq(kl_api_message_special(msg("io.k8s.api.apps.v1.Deployment")),
                     KL_API_SPECIAL_NONE);
}

Test(schema, fields)
{
        const struct kl_api_message *d = msg("io.k8s.api.apps.v1.DeploymentSpec");
        const struct kl_api_field *f;

        f = kl_api_message_field(d, "replicas");
        cr_assert_not_null(f);
        cr_assert_eq(kl_api_field_number(f), 1);
        cr_assert_eq(kl_api_field_type(f), KL_API_TYPE_INT32);
        cr_assert_eq(kl_api_field_flags(f) & KL_API_FIELD_REQUIRED, 0);

        f = kl_api_message_field_by_number(d, 3);
        cr_assert_str_eq(kl_api_field_name(f), "template");
        cr_assert_eq(kl_api_field_type(f), KL_API_TYPE_MESSAGE);
        cr_assert_eq(kl_api_field_message(f), msg("io.k8s.api.core.v1.PodTemplateSpec"));
        cr_assert(kl_api_field_flags(f) & KL_API_FIELD_REQUIRED);
        cr_assert_null(kl_api_message_field_by_number(d, 8)); /* a gap */
        cr_assert_null(kl_api_message_field_by_number(d, 200));
        cr_assert_null(kl_api_message_field(d, "replica"));
        cr_assert_eq(
                kl_api_field_patch_strategy(field("io.k8s.api.apps.v1.DeploymentSpec", "strategy")),
                KL_API_PATCH_RETAIN_KEYS);

        f = field("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "labels");
        cr_assert(kl_api_field_is_map(f));
        cr_assert_eq(kl_api_field_type(f), KL_API_TYPE_STRING);
        f = field("io.k8s.api.core.v1.Secret", "data");
        cr_assert(kl_api_field_is_map(f));
        cr_assert_eq(kl_api_field_type(f), KL_API_TYPE_BYTES);
        f = field("io.k8s.api.core.v1.ResourceRequirements", "limits");
        cr_assert_eq(kl_api_field_message(f), msg("io.k8s.apimachinery.pkg.api.resource.Quantity"));

        /* JSON names that differ from the proto names. */
        cr_assert_not_null(kl_api_message_field(
                msg("io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration"),
                "webhooks"));
        cr_assert_not_null(kl_api_message_field(msg("io.k8s.api.core.v1.DaemonEndpoint"), "Port"));
}

Test(schema, merge_keys)
{
        const struct kl_api_field *f = field("io.k8s.api.core.v1.PodSpec", "containers");

        cr_assert(kl_api_field_is_repeated(f));
        cr_assert_eq(kl_api_field_patch_strategy(f), KL_API_PATCH_MERGE);
        cr_assert_str_eq(kl_api_field_merge_key(f), "name");
        cr_assert_eq(kl_api_field_list_type(f), KL_API_LIST_MAP);
        cr_assert_str_eq(kl_api_field_list_map_key(f, 0), "name");
        cr_assert_null(kl_api_field_list_map_key(f, 1));

        f = field("io.k8s.api.core.v1.Container", "ports");
        cr_assert_str_eq(kl_api_field_merge_key(f), "containerPort");
        cr_assert_str_eq(kl_api_field_list_map_key(f, 0), "containerPort");
        cr_assert_str_eq(kl_api_field_list_map_key(f, 1), "protocol");
        cr_assert_null(kl_api_field_list_map_key(f, 2));

        f = field("io.k8s.api.core.v1.PodSpec", "volumes");
        cr_assert_eq(kl_api_field_patch_strategy(f), KL_API_PATCH_MERGE | KL_API_PATCH_RETAIN_KEYS);

        f = field("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
        cr_assert_eq(kl_api_field_list_type(f), KL_API_LIST_SET);
        cr_assert_eq(kl_api_field_patch_strategy(f), KL_API_PATCH_MERGE);
        cr_assert_null(kl_api_field_merge_key(f));

        f = field("io.k8s.api.core.v1.Container", "command");
        cr_assert_eq(kl_api_field_list_type(f), KL_API_LIST_ATOMIC);
        cr_assert_eq(kl_api_field_patch_strategy(f), 0);

        cr_assert_eq(
                kl_api_message_map_type(msg("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")),
                KL_API_MAP_ATOMIC);
        cr_assert_eq(kl_api_field_map_type(field("io.k8s.api.core.v1.PodSpec", "nodeSelector")),
                     KL_API_MAP_ATOMIC);
}

Test(schema, inline_fields)
{
        const struct kl_api_message *vol = msg("io.k8s.api.core.v1.Volume");
        const struct kl_api_field *f;

        /* The embedded VolumeSource's fields are the Volume's JSON keys. */
        f = kl_api_message_field(vol, "emptyDir");
        cr_assert_not_null(f);
        cr_assert_eq(kl_api_field_message(f), msg("io.k8s.api.core.v1.EmptyDirVolumeSource"));
        cr_assert_null(kl_api_message_field(vol, "volumeSource"));
        f = kl_api_message_field_by_number(vol, 2);
        cr_assert(kl_api_field_flags(f) & KL_API_FIELD_INLINE);

        cr_assert_not_null(kl_api_message_field(msg("io.k8s.api.core.v1.Probe"), "httpGet"));
        cr_assert_not_null(
                kl_api_message_field(msg("io.k8s.api.core.v1.ConfigMapKeySelector"), "name"));
        /* Two levels: NamedRuleWithOperations > RuleWithOperations > Rule. */
        cr_assert_not_null(kl_api_message_field(
                msg("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations"), "apiGroups"));
}

Test(schema, typemeta)
{
        cr_assert(kl_api_message_flags(msg("io.k8s.api.apps.v1.Deployment")) &
                  KL_API_MESSAGE_TYPEMETA);
        cr_assert(kl_api_message_flags(msg("io.k8s.api.apps.v1.DeploymentList")) &
                  KL_API_MESSAGE_TYPEMETA);
        cr_assert(kl_api_message_flags(msg("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")) &
                  KL_API_MESSAGE_TYPEMETA);
        cr_assert_not(kl_api_message_flags(msg("io.k8s.api.core.v1.PodTemplateSpec")) &
                      KL_API_MESSAGE_TYPEMETA);
        cr_assert_not(kl_api_message_flags(msg("io.k8s.api.apps.v1.DeploymentSpec")) &
                      KL_API_MESSAGE_TYPEMETA);
}

Test(schema, message_for_kind)
{
        static const struct {
                const char *api_version, *kind, *want;
        } cases[] = {
                { "v1", "Pod", "io.k8s.api.core.v1.Pod" },
                { "v1", "ConfigMap", "io.k8s.api.core.v1.ConfigMap" },
                { "apps/v1", "Deployment", "io.k8s.api.apps.v1.Deployment" },
                { "batch/v1", "CronJob", "io.k8s.api.batch.v1.CronJob" },
                { "networking.k8s.io/v1", "Ingress", "io.k8s.api.networking.v1.Ingress" },
                { "rbac.authorization.k8s.io/v1", "Role", "io.k8s.api.rbac.v1.Role" },
                { "authorization.k8s.io/v1", "SelfSubjectAccessReview",
                  "io.k8s.api.authorization.v1.SelfSubjectAccessReview" },
                { "authentication.k8s.io/v1", "TokenRequest",
                  "io.k8s.api.authentication.v1.TokenRequest" },
                { "policy/v1", "PodDisruptionBudget", "io.k8s.api.policy.v1.PodDisruptionBudget" },
                { "autoscaling/v2", "HorizontalPodAutoscaler",
                  "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler" },
                { "autoscaling/v1", "Scale", "io.k8s.api.autoscaling.v1.Scale" },
                { "coordination.k8s.io/v1", "Lease", "io.k8s.api.coordination.v1.Lease" },
                { "discovery.k8s.io/v1", "EndpointSlice", "io.k8s.api.discovery.v1.EndpointSlice" },
                { "events.k8s.io/v1", "Event", "io.k8s.api.events.v1.Event" },
                { "scheduling.k8s.io/v1", "PriorityClass",
                  "io.k8s.api.scheduling.v1.PriorityClass" },
                { "storage.k8s.io/v1", "StorageClass", "io.k8s.api.storage.v1.StorageClass" },
                { "node.k8s.io/v1", "RuntimeClass", "io.k8s.api.node.v1.RuntimeClass" },
                { "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
                  "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration" },
                { "v1", "DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions" },
                { "apps/v1", "DeleteOptions",
                  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions" },
                { "meta.k8s.io/v1", "Status", "io.k8s.apimachinery.pkg.apis.meta.v1.Status" },
                { "v1", "List", "io.k8s.api.core.v1.List" },
        };
        char name[KL_API_MESSAGE_NAME_MAX];

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct kl_api_message *m =
                        kl_api_schema_message_for_kind(cases[i].api_version, cases[i].kind);

                cr_assert_not_null(m, "%s %s", cases[i].api_version, cases[i].kind);
                cr_assert_str_eq(kl_api_message_name(m, name, sizeof(name)), cases[i].want);
        }
        cr_assert_null(kl_api_schema_message_for_kind("v1", "Gadget"));
        cr_assert_null(kl_api_schema_message_for_kind("apps/v1", "DeploymentSpec"));
        cr_assert_null(kl_api_schema_message_for_kind("v1", "PodTemplateSpec"));
        cr_assert_null(kl_api_schema_message_for_kind("apps.example.com/v1", "Deployment"));
        cr_assert_null(kl_api_schema_message_for_kind("apps/v2", "Deployment"));
        cr_assert_null(kl_api_schema_message_for_kind("v1", "LabelSelector"));
        cr_assert_null(kl_api_schema_message_for_kind("apps/v1", "LabelSelector"));
        cr_assert_null(kl_api_schema_message_for_kind("v1", ""));
        cr_assert_null(kl_api_schema_message_for_kind("", "Pod"));
        cr_assert_null(kl_api_schema_message_for_kind("v1/", "Pod"));
        cr_assert_null(kl_api_schema_message_for_kind("apps/v1/x", "Deployment"));
        cr_assert_null(kl_api_schema_message_for_kind(NULL, "Pod"));
}

/* ---- Field validation ------------------------------------------------- */

static const char deployment_json[] =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
        "\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},"
        "\"spec\":{\"replicas\":2,\"foo\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":["
        "{\"name\":\"a\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]},"
        "{\"name\":\"b\",\"imagee\":\"nginx\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":1}}}"
        "],\"volumes\":[{\"name\":\"v\",\"emptyDir\":{},\"configMap\":{\"name\":\"c\",\"bogus\":true}}]"
        "}}}}";

Test(validate, strict_reports_every_unknown_field)
{
        const struct kl_api_message *m = msg("io.k8s.api.apps.v1.Deployment");
        json_auto_t *obj = parse(deployment_json);
        kl_autoerr struct kl_err *e = NULL;
        json_t *warnings = NULL;

        cr_assert_eq(kl_api_schema_check(m, obj, KL_API_FIELD_VALIDATION_STRICT, &warnings, &e),
                     -EINVAL);
        cr_assert_null(warnings);
        cr_assert_str_eq(e->msg, "strict decoding error: unknown field \"spec.foo\", unknown field "
                                 "\"spec.template.spec.containers[1].imagee\", unknown field "
                                 "\"spec.template.spec.volumes[0].configMap.bogus\"");
        cr_assert_str_eq(kl_err_reason(e), "BadRequest");
}

Test(validate, warn_collects_them)
{
        const struct kl_api_message *m = msg("io.k8s.api.apps.v1.Deployment");
        json_auto_t *obj = parse(deployment_json);
        json_auto_t *warnings = NULL;

        cr_assert_eq(kl_api_schema_check(m, obj, KL_API_FIELD_VALIDATION_WARN, &warnings, NULL), 0);
        cr_assert_eq(json_array_size(warnings), 3);
        cr_assert_str_eq(json_string_value(json_array_get(warnings, 0)),
                         "unknown field \"spec.foo\"");
        cr_assert_str_eq(json_string_value(json_array_get(warnings, 1)),
                         "unknown field \"spec.template.spec.containers[1].imagee\"");
}

Test(validate, ignore_and_clean_objects)
{
        const struct kl_api_message *m = msg("io.k8s.api.apps.v1.Deployment");
        json_auto_t *obj = parse(deployment_json);
        json_auto_t *clean = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                                   "\"metadata\":{\"name\":\"x\",\"creationTimestamp\":null},"
                                   "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                                   "\"a\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
                                   "\"livenessProbe\":{\"httpGet\":{\"port\":\"http\"}}}]}},"
                                   "\"strategy\":{\"rollingUpdate\":{\"maxSurge\":\"25%\"}}}}");
        json_t *warnings = NULL;

        cr_assert_eq(kl_api_schema_check(m, obj, KL_API_FIELD_VALIDATION_IGNORE, &warnings, NULL),
                     0);
        cr_assert_null(warnings);
        cr_assert_eq(kl_api_schema_check(m, clean, KL_API_FIELD_VALIDATION_STRICT, &warnings, NULL),
                     0);
        cr_assert_null(warnings);
}

Test(validate, top_level_unknown_and_typemeta)
{
        const struct kl_api_message *m = msg("io.k8s.api.core.v1.ConfigMap");
        json_auto_t *obj = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"dat\":{}}");
        json_auto_t *nested =
                parse("{\"metadata\":{\"apiVersion\":\"v1\"}}"); /* TypeMeta only at object level */
        kl_autoerr struct kl_err *e = NULL, *e2 = NULL;

        cr_assert_eq(kl_api_schema_check(m, obj, KL_API_FIELD_VALIDATION_STRICT, NULL, &e),
                     -EINVAL);
        cr_assert_str_eq(e->msg, "strict decoding error: unknown field \"dat\"");
        cr_assert_eq(kl_api_schema_check(m, nested, KL_API_FIELD_VALIDATION_STRICT, NULL, &e2),
                     -EINVAL);
        cr_assert_str_eq(e2->msg, "strict decoding error: unknown field \"metadata.apiVersion\"");
}

Test(validate, type_mismatches_fail_in_every_mode)
{
        static const struct {
                const char *message, *json, *want;
        } cases[] = {
                { "io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"replicas\":\"two\"}}",
                  "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
                  "of type int32" },
                { "io.k8s.api.apps.v1.Deployment",
                  "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":5}]}}}}",
                  "json: cannot unmarshal number into Go struct field "
                  "Container.spec.template.spec.containers.image of type string" },
                { "io.k8s.api.apps.v1.Deployment",
                  "{\"spec\":{\"template\":{\"spec\":{\"containers\":{}}}}}",
                  "json: cannot unmarshal object into Go struct field "
                  "PodSpec.spec.template.spec.containers of type []v1.Container" },
                { "io.k8s.api.apps.v1.Deployment",
                  "{\"spec\":{\"template\":{\"spec\":{\"containers\":[\"x\"]}}}}",
                  "json: cannot unmarshal string into Go struct field "
                  "PodSpec.spec.template.spec.containers of type v1.Container" },
                { "io.k8s.api.core.v1.ConfigMap", "{\"metadata\":{\"labels\":{\"a\":1}}}",
                  "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels.a "
                  "of type string" },
                { "io.k8s.api.core.v1.ConfigMap", "{\"metadata\":{\"labels\":[]}}",
                  "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels "
                  "of type map[string]string" },
                { "io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"replicas\":1.5}}",
                  "json: cannot unmarshal number 1.5 into Go struct field "
                  "DeploymentSpec.spec.replicas of type int32" },
                { "io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"replicas\":3000000000}}",
                  "json: cannot unmarshal number 3000000000 into Go struct field "
                  "DeploymentSpec.spec.replicas of type int32" },
                { "io.k8s.api.apps.v1.Deployment", "{\"spec\":{\"paused\":\"yes\"}}",
                  "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused "
                  "of type bool" },
                { "io.k8s.api.core.v1.Service",
                  "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":{}}]}}",
                  "json: cannot unmarshal object into Go struct field "
                  "ServicePort.spec.ports.targetPort of type int32" },
                { "io.k8s.api.core.v1.ResourceQuota", "{\"spec\":{\"hard\":{\"cpu\":\"lots\"}}}",
                  "quantities must match the regular expression "
                  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
                { "io.k8s.api.core.v1.ConfigMap", "{\"metadata\":{\"creationTimestamp\":5}}",
                  "json: cannot unmarshal number into Go struct field "
                  "ObjectMeta.metadata.creationTimestamp of type string" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                for (int mode = 0; mode < KL_API_FIELD_VALIDATION__COUNT; mode++) {
                        json_auto_t *obj = parse(cases[i].json);
                        kl_autoerr struct kl_err *e = NULL;

                        cr_assert_eq(kl_api_schema_check(msg(cases[i].message), obj,
                                                         (enum kl_api_field_validation)mode, NULL,
                                                         &e),
                                     -EINVAL, "%s", cases[i].json);
                        cr_assert_str_eq(e->msg, cases[i].want);
                }
        }
}

Test(validate, free_form_values)
{
        json_auto_t *obj = parse("{\"data\":{\"anything\":[1,{\"x\":null}]},"
                                 "\"metadata\":{\"managedFields\":[{\"fieldsV1\":{\"f:a\":{}}}]}}");

        cr_assert_eq(kl_api_schema_check(msg("io.k8s.api.apps.v1.ControllerRevision"), obj,
                                         KL_API_FIELD_VALIDATION_STRICT, NULL, NULL),
                     0);
}

Test(validate, parse_mode)
{
        cr_assert_eq(kl_api_field_validation_parse("Strict"), KL_API_FIELD_VALIDATION_STRICT);
        cr_assert_eq(kl_api_field_validation_parse("Warn"), KL_API_FIELD_VALIDATION_WARN);
        cr_assert_eq(kl_api_field_validation_parse("Ignore"), KL_API_FIELD_VALIDATION_IGNORE);
        cr_assert_eq(kl_api_field_validation_parse("strict"), KL_API_FIELD_VALIDATION__INVALID);
        cr_assert_eq(kl_api_field_validation_parse(NULL), KL_API_FIELD_VALIDATION__INVALID);
}

/* ---- OpenAPI ---------------------------------------------------------- */

static json_t *get(json_t *root, const char *path)
{
        json_t *v = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_json_get(root, path, &v, &e), 0, "%s", kl_err_msg(e));
        return v;
}

static void expect(json_t *root, const char *path, const char *want_json)
{
        json_auto_t *want = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf a = KL_BUF_INIT, b = KL_BUF_INIT;

        cr_assert_eq(kl_json_decode(want_json, strlen(want_json), SIZE_MAX, &want, &e), 0);
        cr_assert_eq(kl_json_encode(get(root, path), KL_JSON_ENCODE_CANONICAL, &a, NULL), 0);
        cr_assert_eq(kl_json_encode(want, KL_JSON_ENCODE_CANONICAL, &b, NULL), 0);
        cr_assert_str_eq(a.buf, b.buf, "%s", path);
        kl_buf_release(&a);
        kl_buf_release(&b);
}

Test(openapi, deployment)
{
        static const struct kl_api_gvk gvk = { "apps", "v1", "Deployment" };
        json_auto_t *schemas = json_object();
        kl_autoerr struct kl_err *e = NULL;
        int n;

        n = kl_api_openapi_add_schemas(schemas, msg("io.k8s.api.apps.v1.Deployment"), &gvk, 1, &e);
        cr_assert_gt(n, 50, "%d (%s)", n, kl_err_msg(e));
        cr_assert_eq((size_t)n, json_object_size(schemas));

        expect(schemas, "[\"io.k8s.api.apps.v1.Deployment\"][\"x-kubernetes-group-version-kind\"]",
               "[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]");
        expect(schemas, "[\"io.k8s.api.apps.v1.Deployment\"].properties.apiVersion",
               "{\"type\":\"string\"}");
        expect(schemas, "[\"io.k8s.api.apps.v1.Deployment\"].properties.spec",
               "{\"$ref\":\"#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec\"}");
        expect(schemas, "[\"io.k8s.api.apps.v1.DeploymentSpec\"].properties.template",
               "{\"$ref\":\"#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec\"}");
        expect(schemas, "[\"io.k8s.api.apps.v1.DeploymentSpec\"].properties.replicas",
               "{\"type\":\"integer\",\"format\":\"int32\"}");
        expect(schemas, "[\"io.k8s.api.apps.v1.DeploymentSpec\"].properties.strategy",
               "{\"allOf\":[{\"$ref\":\"#/components/schemas/"
               "io.k8s.api.apps.v1.DeploymentStrategy\"}],"
               "\"x-kubernetes-patch-strategy\":\"retainKeys\"}");
        cr_assert(json_is_array(get(schemas, "[\"io.k8s.api.apps.v1.DeploymentSpec\"].required")));
        expect(schemas, "[\"io.k8s.api.core.v1.PodSpec\"].properties.containers",
               "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/"
               "io.k8s.api.core.v1.Container\"},\"x-kubernetes-list-map-keys\":[\"name\"],"
               "\"x-kubernetes-list-type\":\"map\",\"x-kubernetes-patch-merge-key\":\"name\","
               "\"x-kubernetes-patch-strategy\":\"merge\"}");
        expect(schemas, "[\"io.k8s.api.core.v1.PodSpec\"].properties.volumes",
               "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/"
               "io.k8s.api.core.v1.Volume\"},\"x-kubernetes-list-map-keys\":[\"name\"],"
               "\"x-kubernetes-list-type\":\"map\",\"x-kubernetes-patch-merge-key\":\"name\","
               "\"x-kubernetes-patch-strategy\":\"merge,retainKeys\"}");
        expect(schemas, "[\"io.k8s.api.core.v1.Container\"].required", "[\"name\"]");
        expect(schemas,
               "[\"io.k8s.api.core.v1.Container\"].properties.ports[\"x-kubernetes-list-map-keys\"]",
               "[\"containerPort\",\"protocol\"]");
        /* Inline: the Volume schema has the VolumeSource members, no volumeSource. */
        expect(schemas, "[\"io.k8s.api.core.v1.Volume\"].properties.emptyDir",
               "{\"$ref\":\"#/components/schemas/io.k8s.api.core.v1.EmptyDirVolumeSource\"}");
        cr_assert_null(json_object_get(get(schemas, "[\"io.k8s.api.core.v1.Volume\"].properties"),
                                       "volumeSource"));
        cr_assert_null(json_object_get(schemas, "io.k8s.api.core.v1.VolumeSource"));
        expect(schemas, "[\"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta\"].properties.labels",
               "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}");
        expect(schemas, "[\"io.k8s.apimachinery.pkg.apis.meta.v1.Time\"]",
               "{\"type\":\"string\",\"format\":\"date-time\"}");
        expect(schemas, "[\"io.k8s.apimachinery.pkg.util.intstr.IntOrString\"]",
               "{\"format\":\"int-or-string\",\"oneOf\":[{\"type\":\"integer\"},{\"type\":"
               "\"string\"}],\"x-kubernetes-int-or-string\":true}");
        expect(schemas, "[\"io.k8s.apimachinery.pkg.api.resource.Quantity\"]",
               "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"number\"}],"
               "\"x-kubernetes-int-or-string\":true}");
        expect(schemas, "[\"io.k8s.api.core.v1.ResourceRequirements\"].properties.limits",
               "{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#/components/schemas/"
               "io.k8s.apimachinery.pkg.api.resource.Quantity\"}}");
        expect(schemas,
               "[\"io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector\"][\"x-kubernetes-map-type\"]",
               "\"atomic\"");
        expect(schemas, "[\"io.k8s.api.core.v1.ConfigMapKeySelector\"].properties.name",
               "{\"type\":\"string\"}");
        /* Template specs carry metadata but no TypeMeta. */
        cr_assert_null(json_object_get(
                get(schemas, "[\"io.k8s.api.core.v1.PodTemplateSpec\"].properties"), "kind"));
}

Test(openapi, gvks_are_merged_and_existing_entries_kept)
{
        static const struct kl_api_gvk core = { "", "v1", "DeleteOptions" };
        static const struct kl_api_gvk apps[] = { { "apps", "v1", "DeleteOptions" },
                                                  { "", "v1", "DeleteOptions" } };
        const struct kl_api_message *m = msg("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
        json_auto_t *schemas = json_object();
        json_t *list;

        cr_assert_gt(kl_api_openapi_add_schemas(schemas, m, &core, 1, NULL), 0);
        cr_assert_eq(kl_api_openapi_add_schemas(schemas, m, apps, 2, NULL), 0);
        list = get(schemas, "[\"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions\"]"
                            "[\"x-kubernetes-group-version-kind\"]");
        cr_assert_eq(json_array_size(list), 2);
        expect(schemas,
               "[\"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions\"].properties.dryRun",
               "{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
               "\"x-kubernetes-list-type\":\"atomic\"}");
}

Test(openapi, string_lists_are_inlined)
{
        json_auto_t *schemas = json_object();

        cr_assert_gt(kl_api_openapi_add_schemas(schemas,
                                                msg("io.k8s.api.authentication.v1.TokenReview"),
                                                NULL, 0, NULL),
                     0);
        expect(schemas, "[\"io.k8s.api.authentication.v1.UserInfo\"].properties.extra",
               "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"array\","
               "\"items\":{\"type\":\"string\"}}}");
        cr_assert_null(json_object_get(schemas, "io.k8s.api.authentication.v1.ExtraValue"));
}

Test(openapi, every_message_emits)
{
        json_auto_t *schemas = json_object();

        for (size_t i = 0; i < kl_api_schema_n_messages(); i++)
                cr_assert_geq(kl_api_openapi_add_schemas(schemas, kl_api_schema_message_at(i), NULL,
                                                         0, NULL),
                              0);
        cr_assert_eq(json_object_size(schemas), kl_api_schema_n_messages());
}
