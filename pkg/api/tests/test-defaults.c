/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden tests of defaulting (STYLE R13.5). Each
 * tests/data/defaults/<name>.in.json holds {"group", "kind", "object"};
 * the object after kl_api_defaults_apply_kind() is compared, as canonical
 * pretty JSON, with <name>.golden.json. KL_TEST_UPDATE_GOLDEN=1 rewrites
 * the golden files so a change shows up in review. Every golden object must
 * also pass validation (defaults never produce an invalid object), and
 * defaulting twice must change nothing.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api/defaults.h"
#include "api/resource.h"
#include "api/validate.h"
#include "base/base.h"
#include "testing/testing.h"
#include "json/json.h"

static json_t *load(const char *rel)
{
        kl_autofree char *path = kl_test_data_path("api", rel);
        kl_autofree char *text = kl_test_read_file(path);
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e), 0, "%s: %s",
                     path, kl_err_msg(e));
        return v;
}

static char *canonical(const json_t *v)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL | KL_JSON_ENCODE_PRETTY, &b, &e), 0,
                     "%s", kl_err_msg(e));
        (void)kl_buf_putc(&b, '\n');
        return kl_buf_detach(&b, NULL);
}

static void golden(const char *name, bool expect_valid)
{
        kl_autofree char *in_rel = kl_asprintf("defaults/%s.in.json", name);
        kl_autofree char *out_rel = kl_asprintf("defaults/%s.golden.json", name);
        kl_autofree char *path = kl_test_data_path("api", out_rel);
        json_auto_t *in = load(in_rel);
        const char *group = json_string_value(json_object_get(in, "group"));
        const char *kind = json_string_value(json_object_get(in, "kind"));
        json_t *obj = json_object_get(in, "object");
        const char *update = getenv("KL_TEST_UPDATE_GOLDEN");
        kl_autofree char *out = NULL;
        kl_autofree char *want = NULL;
        kl_autofree char *again = NULL;

        cr_assert(group && kind && json_is_object(obj), "%s: malformed input", name);
        cr_assert_eq(kl_api_defaults_apply_kind(group, kind, obj), 0);
        out = canonical(obj);
        if (update && kl_streq(update, "1"))
                cr_assert_eq(kl_write_file_atomic(path, out, strlen(out), 0644, 0), 0);
        want = kl_test_read_file(path);
        cr_expect_str_eq(out, want, "%s differs (KL_TEST_UPDATE_GOLDEN=1 rewrites it):\n%s", path,
                         out);

        cr_assert_eq(kl_api_defaults_apply_kind(group, kind, obj), 0);
        again = canonical(obj);
        cr_expect_str_eq(again, out, "%s: defaulting is not idempotent", name);

        if (expect_valid) {
                const struct kl_api_resource *r = kl_api_resource_find_kind(group, "v1", kind);
                kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;

                cr_assert(r);
                (void)kl_api_validate(r, obj, NULL, &errs);
                for (size_t i = 0; i < errs.n; i++) {
                        kl_autofree char *s = kl_api_field_error_string(&errs.items[i]);

                        cr_expect(false, "%s: %s", name, s);
                }
        }
}

#define GOLDEN(name, valid)           \
        Test(defaults_golden, name)   \
        {                             \
                golden(#name, valid); \
        }

GOLDEN(pod, true)
GOLDEN(service, true)
GOLDEN(deployment, true)
GOLDEN(replicaset, true)
GOLDEN(statefulset, true)
GOLDEN(daemonset, true)
GOLDEN(cronjob, true)
GOLDEN(configmap, true)
GOLDEN(secret, true)
GOLDEN(namespace, true)

/* Names with '-' cannot be Criterion test names; these go through a table. */
Test(defaults_golden, variants)
{
        static const struct {
                const char *name;
                bool valid;
        } variants[] = {
                { "pod-hostnetwork", true },
                { "service-nodeport", true },
                { "service-headless", true },
                { "service-externalname", true },
                { "deployment-recreate", true },
                { "statefulset-explicit-rolling", true },
                { "secret-tls", true },
                /* Jobs need the generated selector first; see job_selector below. */
                { "job", false },
                { "job-parallel", false },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(variants); i++)
                golden(variants[i].name, variants[i].valid);
}

Test(defaults, job_selector_then_valid)
{
        const struct kl_api_resource *r = kl_api_resource_find_kind("batch", "v1", "Job");
        json_auto_t *in = load("defaults/job.in.json");
        json_t *job = json_object_get(in, "object");
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        json_t *labels;

        cr_assert(r);
        cr_assert_eq(kl_api_defaults_apply(r, job), 0);
        /* The Job took the template's labels before the generated ones were added. */
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_object_get(json_object_get(job, "metadata"), "labels"), "team")),
                "math");
        cr_assert_eq(kl_api_defaults_job_selector(job, "0f3c"), 0);
        labels = json_object_get(
                json_object_get(json_object_get(json_object_get(job, "spec"), "template"),
                                "metadata"),
                "labels");
        cr_expect_str_eq(json_string_value(json_object_get(labels, "batch.kubernetes.io/job-name")),
                         "pi");
        cr_expect_str_eq(json_string_value(json_object_get(labels, "controller-uid")), "0f3c");
        cr_expect_eq(kl_api_validate(r, job, NULL, &errs), 0);
}

Test(defaults, image_pull_policy)
{
        static const struct {
                const char *image;
                const char *policy;
        } cases[] = {
                { "nginx", "Always" },
                { "nginx:latest", "Always" },
                { "nginx:1.27", "IfNotPresent" },
                { "localhost:5000/nginx", "Always" },
                { "localhost:5000/nginx:v2", "IfNotPresent" },
                { "registry.k8s.io/pause:3.10", "IfNotPresent" },
                { "nginx@sha256:abc", "IfNotPresent" },
                { "nginx:latest@sha256:abc", "Always" },
                { "Nginx", "IfNotPresent" },
                { "", "IfNotPresent" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_auto_t *pod = json_pack("{s:{s:[{s:s, s:s}]}}", "spec", "containers", "name",
                                             "c", "image", cases[i].image);
                json_t *c = json_array_get(
                        json_object_get(json_object_get(pod, "spec"), "containers"), 0);

                cr_assert_eq(kl_api_defaults_apply_kind("", "Pod", pod), 0);
                cr_expect_str_eq(json_string_value(json_object_get(c, "imagePullPolicy")),
                                 cases[i].policy, "image '%s'", cases[i].image);
        }
}

Test(defaults, not_an_object)
{
        json_auto_t *a = json_array();

        cr_expect_eq(kl_api_defaults_apply_kind("", "Pod", a), -EINVAL);
        cr_expect_eq(kl_api_defaults_job_selector(a, "u"), -EINVAL);
}

Test(defaults, service_update_keeps_allocations)
{
        const struct kl_api_resource *r = kl_api_resource_find_kind("", "v1", "Service");
        json_auto_t *old = json_pack(
                "{s:{s:s, s:s}, s:{s:s, s:s, s:[s], s:[s], s:s, s:[{s:s, s:i, s:i}]}}", "metadata",
                "name", "s", "namespace", "d", "spec", "type", "NodePort", "clusterIP", "10.43.0.5",
                "clusterIPs", "10.43.0.5", "ipFamilies", "IPv4", "ipFamilyPolicy", "SingleStack",
                "ports", "name", "http", "port", 80, "nodePort", 30080);
        json_auto_t *obj = json_pack("{s:{s:s, s:s}, s:{s:s, s:[{s:s, s:i}]}}", "metadata", "name",
                                     "s", "namespace", "d", "spec", "type", "NodePort", "ports",
                                     "name", "http", "port", 8080);
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        json_t *spec = json_object_get(obj, "spec");

        cr_assert(r);
        cr_assert_eq(kl_api_defaults_apply(r, old), 0);
        cr_assert_eq(kl_api_defaults_apply(r, obj), 0);
        kl_api_defaults_update(r, obj, old);
        cr_expect_str_eq(json_string_value(json_object_get(spec, "clusterIP")), "10.43.0.5");
        cr_expect_eq(json_integer_value(json_object_get(
                             json_array_get(json_object_get(spec, "ports"), 0), "nodePort")),
                     30080);
        cr_expect_eq(kl_api_validate(r, obj, old, &errs), 0);
}

Test(defaults, qos_class)
{
        json_auto_t *best = json_pack("{s:{s:[{s:s}]}}", "spec", "containers", "name", "c");
        json_auto_t *guaranteed =
                json_pack("{s:{s:[{s:s, s:{s:{s:s, s:s}}}]}}", "spec", "containers", "name", "c",
                          "resources", "limits", "cpu", "1", "memory", "1Gi");
        json_auto_t *burstable = json_pack("{s:{s:[{s:s, s:{s:{s:s}}}]}}", "spec", "containers",
                                           "name", "c", "resources", "requests", "cpu", "100m");

        cr_expect_str_eq(kl_api_pod_qos_class(best), "BestEffort");
        cr_assert_eq(kl_api_defaults_apply_kind("", "Pod", guaranteed), 0);
        cr_expect_str_eq(kl_api_pod_qos_class(guaranteed), "Guaranteed");
        cr_expect_str_eq(kl_api_pod_qos_class(burstable), "Burstable");
}

Test(admission, default_toleration_seconds)
{
        static const struct {
                const char *spec, *want;
        } cases[] = {
                /* Nothing there: both, 300 s. */
                { "{}", "[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
                        "\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
                        "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                        "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]" },
                /* The pod's own NoExecute toleration of one taint is kept, the other added. */
                { "{\"tolerations\":[{\"key\":\"node.kubernetes.io/unreachable\","
                  "\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":2}]}",
                  "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                  "\"effect\":\"NoExecute\",\"tolerationSeconds\":2},"
                  "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
                  "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]" },
                /* Tolerating everything (empty key, Exists, no effect): nothing added. */
                { "{\"tolerations\":[{\"operator\":\"Exists\"}]}", "[{\"operator\":\"Exists\"}]" },
                /* A NoSchedule toleration does not cover NoExecute. */
                { "{\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\","
                  "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}",
                  "[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
                  "\"effect\":\"NoSchedule\"},"
                  "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
                  "\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
                  "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
                  "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_auto_t *pod = json_pack("{s:o}", "spec", json_loads(cases[i].spec, 0, NULL));
                json_auto_t *want = json_loads(cases[i].want, 0, NULL);

                cr_assert(want, "case %zu: bad JSON", i);
                cr_assert_eq(kl_api_admit_default_tolerations(pod, 300), 0);
                cr_expect(json_equal(json_object_get(json_object_get(pod, "spec"), "tolerations"),
                                     want),
                          "case %zu", i);
        }
}

/* The v1 round trip of a Node's podCIDR and podCIDRs (Convert_v1_NodeSpec_To_core_NodeSpec). */
Test(defaults, node_pod_cidrs)
{
        static const struct {
                const char *spec, *pod_cidr, *pod_cidrs;
        } t[] = {
                { "{}", NULL, NULL },
                { "{\"podCIDR\":\"10.42.1.0/24\"}", "10.42.1.0/24", "[\"10.42.1.0/24\"]" },
                { "{\"podCIDRs\":[\"10.42.1.0/24\",\"fd00::/64\"]}", "10.42.1.0/24",
                  "[\"10.42.1.0/24\",\"fd00::/64\"]" },
                /* The list wins: podCIDR is its first entry. */
                { "{\"podCIDR\":\"10.42.9.0/24\",\"podCIDRs\":[\"10.42.1.0/24\"]}", "10.42.1.0/24",
                  "[\"10.42.1.0/24\"]" },
        };
        const struct kl_api_resource *r = kl_api_resource_find("", "v1", "nodes");

        cr_assert(r);
        for (size_t i = 0; i < KL_ARRAY_SIZE(t); i++) {
                json_auto_t *node = json_pack("{s{ss}so}", "metadata", "name", "n1", "spec",
                                              json_loads(t[i].spec, 0, NULL));
                const json_t *spec;
                kl_autofree char *list = NULL;

                cr_assert_eq(kl_api_defaults_apply(r, node), 0);
                spec = json_object_get(node, "spec");
                if (t[i].pod_cidr)
                        cr_expect_str_eq(json_string_value(json_object_get(spec, "podCIDR")),
                                         t[i].pod_cidr, "%s", t[i].spec);
                else
                        cr_expect_null(json_object_get(spec, "podCIDR"), "%s", t[i].spec);
                list = json_object_get(spec, "podCIDRs")
                               ? json_dumps(json_object_get(spec, "podCIDRs"), JSON_COMPACT)
                               : NULL;
                if (t[i].pod_cidrs)
                        cr_expect_str_eq(list, t[i].pod_cidrs, "%s", t[i].spec);
                else
                        cr_expect_null(list, "%s", t[i].spec);
        }
}
