/* SPDX-License-Identifier: Apache-2.0 */
/* The helpers every controller uses: owner references, pod states, templates, conditions. */
#include <criterion/criterion.h>

#include "controllers/ctrl-internal.h"

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

Test(util, owner_references)
{
        json_t *rs = J("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":"
                       "{\"name\":\"web-1\",\"namespace\":\"default\",\"uid\":\"u1\"}}");
        json_t *ref = kl_ctrl_owner_ref(rs);
        json_t *pod = json_pack("{s:{s:[o]}}", "metadata", "ownerReferences", json_incref(ref));

        cr_expect_str_eq(json_string_value(json_object_get(ref, "kind")), "ReplicaSet");
        cr_expect(json_is_true(json_object_get(ref, "controller")));
        cr_expect(json_is_true(json_object_get(ref, "blockOwnerDeletion")));
        cr_expect(kl_ctrl_is_owned_by(pod, "u1"));
        cr_expect(!kl_ctrl_is_owned_by(pod, "u2"));
        cr_expect_eq(kl_ctrl_controller_ref(pod), ref);
        json_decref(ref);
        json_decref(pod);
        json_decref(rs);
}

Test(util, pod_states)
{
        json_t *ready =
                J("{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
                  "\"status\":\"True\",\"lastTransitionTime\":\"2025-06-01T12:00:00Z\"}]}}");
        json_t *failed = J("{\"status\":{\"phase\":\"Failed\"}}");
        json_t *deleting = J("{\"metadata\":{\"deletionTimestamp\":\"2025-06-01T12:00:00Z\"}}");
        int64_t t0;

        cr_assert_eq(kl_rfc3339_parse("2025-06-01T12:00:00Z", &t0), 0);
        cr_expect(kl_ctrl_pod_is_active(ready));
        cr_expect(!kl_ctrl_pod_is_active(failed));
        cr_expect(!kl_ctrl_pod_is_active(deleting));
        cr_expect(kl_ctrl_pod_is_ready(ready));
        cr_expect(!kl_ctrl_pod_is_ready(failed));
        cr_expect(kl_ctrl_pod_is_available(ready, 0, (kl_usec_t)t0));
        cr_expect(!kl_ctrl_pod_is_available(ready, 10, (kl_usec_t)t0 + 9 * KL_USEC_PER_SEC));
        cr_expect(kl_ctrl_pod_is_available(ready, 10, (kl_usec_t)t0 + 10 * KL_USEC_PER_SEC));
        json_decref(ready);
        json_decref(failed);
        json_decref(deleting);
}

Test(util, pod_from_template)
{
        json_t *rs = J("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":"
                       "{\"name\":\"web-7d4b9\",\"namespace\":\"ns1\",\"uid\":\"u1\"}}");
        json_t *tmpl =
                J("{\"metadata\":{\"labels\":{\"app\":\"web\"},\"annotations\":{\"a\":\"b\"}},"
                  "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}");
        json_t *pod = kl_ctrl_pod_from_template(tmpl, rs, "web-7d4b9");

        cr_expect_str_eq(kl_ctrl_meta_str(pod, "generateName"), "web-7d4b9-");
        cr_expect_str_eq(kl_ctrl_meta_str(pod, "namespace"), "ns1");
        cr_expect(kl_ctrl_is_owned_by(pod, "u1"));
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_object_get(json_object_get(pod, "metadata"), "labels"), "app")),
                "web");
        cr_expect(json_equal(json_object_get(pod, "spec"), json_object_get(tmpl, "spec")));
        /* A copy: changing the pod leaves the template alone. */
        json_object_set_new(json_object_get(pod, "spec"), "nodeName", json_string("n1"));
        cr_expect(!json_object_get(json_object_get(tmpl, "spec"), "nodeName"));
        json_decref(pod);
        json_decref(tmpl);
        json_decref(rs);
}

Test(util, conditions_keep_transition_time)
{
        json_t *status = json_object();
        const json_t *c;

        kl_ctrl_set_condition(status, "Available", "True", "MinimumReplicasAvailable", "ok",
                              1000 * KL_USEC_PER_SEC);
        kl_ctrl_set_condition(status, "Available", "True", "MinimumReplicasAvailable", "still",
                              2000 * KL_USEC_PER_SEC);
        cr_assert_eq(json_array_size(json_object_get(status, "conditions")), 1);
        c = json_array_get(json_object_get(status, "conditions"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(c, "lastTransitionTime")),
                         "1970-01-01T00:16:40Z");
        cr_expect_str_eq(json_string_value(json_object_get(c, "message")), "still");
        kl_ctrl_set_condition(status, "Available", "False", "MinimumReplicasUnavailable", "no",
                              3000 * KL_USEC_PER_SEC);
        c = json_array_get(json_object_get(status, "conditions"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(c, "lastTransitionTime")),
                         "1970-01-01T00:50:00Z");
        json_decref(status);
}

Test(util, template_hash_is_stable_and_safe)
{
        json_t *a = J("{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"x\":1}}");
        json_t *b = J("{\"spec\":{\"x\":1},\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        json_t *c = J("{\"spec\":{\"x\":2},\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        json_t *one = json_integer(1);
        kl_autofree char *ha = kl_ctrl_template_hash(a, NULL);
        kl_autofree char *hb = kl_ctrl_template_hash(b, NULL);
        kl_autofree char *hc = kl_ctrl_template_hash(c, NULL);
        kl_autofree char *hcol = kl_ctrl_template_hash(a, one);

        cr_expect_str_eq(ha, hb);
        cr_expect_str_neq(ha, hc);
        cr_expect_str_neq(ha, hcol);
        cr_expect_str_empty(ha + strspn(ha, "bcdfghjklmnpqrstvwxz2456789"));
        json_decref(a);
        json_decref(b);
        json_decref(c);
        json_decref(one);
}

Test(util, actions_own_their_data)
{
        struct kl_ctrl_actions a = { 0 };
        json_t *pod = J("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                        "\"namespace\":\"default\",\"uid\":\"u\"}}");

        kl_ctrl_create(&a, kl_ctrl_res("", "pods"), "default", json_deep_copy(pod));
        kl_ctrl_delete(&a, kl_ctrl_res("", "pods"), "default", "p", NULL);
        kl_ctrl_event(&a, pod, "Normal", "SuccessfulCreate", "Created pod: %s", "p");
        cr_assert_eq(a.n, 3);
        cr_expect_eq(a.v[0].op, KL_CTRL_CREATE);
        cr_expect_str_eq(a.v[1].name, "p");
        cr_expect_str_eq(a.v[2].message, "Created pod: p");
        cr_expect_str_eq(a.v[2].res->plural, "events");
        cr_expect_str_eq(kl_ctrl_res("apps", "deployments")->version, "v1");
        kl_ctrl_actions_clear(&a);
        json_decref(pod);
}
