/* SPDX-License-Identifier: Apache-2.0 */
/* The ServiceAccount controller: a "default" ServiceAccount in every active namespace. */
#include <criterion/criterion.h>

#include "controllers/ctrl-internal.h"

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static const struct {
        const char *name;
        const char *ns;
        bool has_default;
        bool creates;
} cases[] = {
        { "an active namespace without it gets one",
          "{\"metadata\":{\"name\":\"team-a\"},\"status\":{\"phase\":\"Active\"}}", false, true },
        { "a namespace that has one is left alone",
          "{\"metadata\":{\"name\":\"team-a\"},\"status\":{\"phase\":\"Active\"}}", true, false },
        { "a deleting namespace gets none",
          "{\"metadata\":{\"name\":\"team-a\",\"deletionTimestamp\":\"2025-06-15T15:00:00Z\"},"
          "\"status\":{\"phase\":\"Terminating\"}}",
          false, false },
        { "a terminating namespace gets none",
          "{\"metadata\":{\"name\":\"team-a\"},\"status\":{\"phase\":\"Terminating\"}}", false,
          false },
        { "a namespace without status yet is active", "{\"metadata\":{\"name\":\"team-a\"}}", false,
          true },
};

Test(serviceaccount, default_service_account_per_namespace)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                json_auto_t *ns = J(cases[i].ns);
                json_auto_t *sa =
                        J("{\"metadata\":{\"name\":\"default\",\"namespace\":\"team-a\"}}");

                kl_ctrl_sa_reconcile(ns, cases[i].has_default ? sa : NULL, &a);
                if (!cases[i].creates) {
                        cr_expect_eq(a.n, 0, "%s", cases[i].name);
                        continue;
                }
                cr_assert_eq(a.n, 1, "%s", cases[i].name);
                cr_expect_eq(a.v[0].op, KL_CTRL_CREATE, "%s", cases[i].name);
                cr_expect_str_eq(a.v[0].res->plural, "serviceaccounts", "%s", cases[i].name);
                cr_expect_str_eq(a.v[0].ns, "team-a", "%s", cases[i].name);
                cr_expect_str_eq(json_string_value(json_object_get(a.v[0].obj, "kind")),
                                 "ServiceAccount");
                cr_expect_str_eq(kl_ctrl_meta_str(a.v[0].obj, "name"), "default");
                cr_expect_str_eq(kl_ctrl_meta_str(a.v[0].obj, "namespace"), "team-a");
                /* No token Secret since 1.24: nothing else is created. */
                cr_expect_null(json_object_get(a.v[0].obj, "secrets"));
        }
}
