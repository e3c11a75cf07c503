/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ControllerRevision helpers (upstream's controller/history and the
 * workloads' getPatch) and claiming by selector and controller reference.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/patch.h"
#include "api/schema.h"
#include "api/selector.h"
#include "controllers/ctrl-internal.h"

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static json_t *owner(void)
{
        return J("{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":"
                 "\"web\",\"namespace\":\"ns1\",\"uid\":\"u1\",\"annotations\":{\"kubernetes.io/"
                 "change-cause\":\"kubectl set image\"}},\"spec\":{\"replicas\":3,\"template\":{"
                 "\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"
                 "\"c\",\"image\":\"nginx:1\"}]}}}}");
}

Test(history, patch_is_upstream_get_patch)
{
        json_t *o = owner();
        json_t *p = kl_ctrl_revision_patch(o);
        json_t *want = J("{\"spec\":{\"template\":{\"$patch\":\"replace\",\"metadata\":{\"labels\":"
                         "{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
                         "\"nginx:1\"}]}}}}");

        cr_expect(json_equal(p, want));
        /* The owner's template is not touched. */
        cr_expect_null(
                json_object_get(json_object_get(json_object_get(o, "spec"), "template"), "$patch"));
        json_decref(want);
        json_decref(p);
        json_decref(o);
}

Test(history, apply_restores_the_whole_template)
{
        /* ApplyRevision: the stored template replaces the owner's, fields added since included. */
        json_t *o = owner(), *changed = json_deep_copy(o);
        json_t *p = kl_ctrl_revision_patch(o);
        json_t *rev = kl_ctrl_revision_new(o, p, "abc", 1);
        json_t *restored;

        json_object_set_new(json_object_get(json_object_get(changed, "spec"), "template"), "spec",
                            J("{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:2\"}],"
                              "\"nodeName\":\"x\"}"));
        restored = kl_ctrl_revision_apply(changed, rev);
        cr_expect(json_equal(json_object_get(restored, "spec"), json_object_get(o, "spec")));
        json_decref(restored);
        json_decref(rev);
        json_decref(changed);
        json_decref(o);
}

Test(history, new_revision_names_labels_and_owner)
{
        json_t *o = owner();
        json_t *rev = kl_ctrl_revision_new(o, kl_ctrl_revision_patch(o), "5d8f7c9b4", 4);
        const json_t *meta = json_object_get(rev, "metadata");

        cr_expect_str_eq(json_string_value(json_object_get(rev, "kind")), "ControllerRevision");
        cr_expect_str_eq(json_string_value(json_object_get(rev, "apiVersion")), "apps/v1");
        cr_expect_str_eq(kl_ctrl_meta_str(rev, "name"), "web-5d8f7c9b4");
        cr_expect_str_eq(kl_ctrl_meta_str(rev, "namespace"), "ns1");
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(meta, "labels"), "app")),
                         "web");
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(meta, "labels"),
                                                           "controller-revision-hash")),
                         "5d8f7c9b4");
        /* kubectl rollout history prints change-cause from the revision's annotations. */
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(meta, "annotations"),
                                                           "kubernetes.io/change-cause")),
                         "kubectl set image");
        cr_expect_str_eq(json_string_value(json_object_get(kl_ctrl_controller_ref(rev), "uid")),
                         "u1");
        cr_expect_eq(kl_ctrl_revision_number(rev), 4);
        json_decref(rev);
        json_decref(o);
}

Test(history, long_owner_names_are_cut)
{
        char name[240];
        kl_autofree char *rn = NULL;

        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        rn = kl_ctrl_revision_name(name, "hash");
        cr_expect_eq(strlen(rn), 223 + 1 + 4);
        cr_expect_str_eq(rn + 224, "hash");
}

Test(history, sort_and_next_revision)
{
        json_t *a = J("{\"metadata\":{\"name\":\"b\"},\"revision\":3}");
        json_t *b = J("{\"metadata\":{\"name\":\"a\"},\"revision\":1}");
        json_t *c =
                J("{\"metadata\":{\"name\":\"c\",\"creationTimestamp\":\"2025-01-01T00:00:00Z\"},"
                  "\"revision\":3}");
        json_t *d =
                J("{\"metadata\":{\"name\":\"d\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},"
                  "\"revision\":3}");
        const json_t *v[] = { a, b, c, d };

        cr_expect_eq(kl_ctrl_revisions_next(NULL, 0), 1);
        cr_expect_eq(kl_ctrl_revisions_next(v, 4), 4);
        kl_ctrl_revisions_sort(v, 4);
        cr_expect_eq(v[0], b);
        /* Same revision: the older first; a missing timestamp counts as oldest. */
        cr_expect_eq(v[1], a);
        cr_expect_eq(v[2], d);
        cr_expect_eq(v[3], c);
        json_decref(a);
        json_decref(b);
        json_decref(c);
        json_decref(d);
}

Test(history, equal_revisions)
{
        json_t *a = J("{\"metadata\":{\"labels\":{\"controller-revision-hash\":\"h1\"}},\"data\":"
                      "{\"x\":1}}");
        json_t *b = J("{\"metadata\":{\"labels\":{\"controller-revision-hash\":\"h1\"}},\"data\":"
                      "{\"x\":1}}");
        json_t *c = J("{\"metadata\":{\"labels\":{\"controller-revision-hash\":\"h2\"}},\"data\":"
                      "{\"x\":1}}");
        json_t *d = J("{\"metadata\":{},\"data\":{\"x\":1}}");
        json_t *e = J("{\"metadata\":{},\"data\":{\"x\":2}}");

        cr_expect(kl_ctrl_revision_equal(a, b));
        cr_expect(!kl_ctrl_revision_equal(a, c)); /* both hashed, differently */
        cr_expect(kl_ctrl_revision_equal(a, d));  /* one without a hash: data decides */
        cr_expect(!kl_ctrl_revision_equal(d, e));
        json_decref(a);
        json_decref(b);
        json_decref(c);
        json_decref(d);
        json_decref(e);
}

Test(history, claim_adopts_and_releases)
{
        json_t *o = owner();
        json_t *mine = J("{\"metadata\":{\"name\":\"p1\",\"namespace\":\"ns1\",\"labels\":{\"app\":"
                         "\"web\"},\"ownerReferences\":[{\"uid\":\"u1\",\"controller\":true}]}}");
        json_t *orphan = J("{\"metadata\":{\"name\":\"p2\",\"namespace\":\"ns1\",\"uid\":\"p2u\","
                           "\"labels\":{\"app\":\"web\"}}}");
        json_t *theirs =
                J("{\"metadata\":{\"name\":\"p3\",\"namespace\":\"ns1\",\"labels\":{\"app\":"
                  "\"web\"},\"ownerReferences\":[{\"uid\":\"u9\",\"controller\":true}]}}");
        json_t *unselected =
                J("{\"metadata\":{\"name\":\"p4\",\"namespace\":\"ns1\",\"labels\":{"
                  "\"app\":\"db\"},\"ownerReferences\":[{\"uid\":\"u1\",\"controller\":"
                  "true},{\"uid\":\"x\"}]}}");
        json_t *other_ns = J("{\"metadata\":{\"name\":\"p5\",\"namespace\":\"ns2\",\"labels\":{"
                             "\"app\":\"web\"}}}");
        json_t *ls = J("{\"matchLabels\":{\"app\":\"web\"}}");
        const json_t *objs[] = { mine, orphan, theirs, unselected, other_ns };
        const json_t *got[5];
        struct kl_ctrl_actions out = { 0 };
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        const json_t *refs;
        size_t n;

        cr_assert_eq(kl_api_label_selector_from_json(ls, &sel, NULL), 0);
        n = kl_ctrl_claim(o, sel, kl_ctrl_res("", "pods"), objs, 5, NULL, &out, got);
        cr_assert_eq(n, 2);
        cr_expect_eq(got[0], mine);
        cr_expect_eq(got[1], orphan);
        cr_assert_eq(out.n, 2);
        cr_expect_eq(out.v[0].op, KL_CTRL_PATCH);
        cr_expect_str_eq(out.v[0].name, "p2");
        refs = json_object_get(json_object_get(out.v[0].obj, "metadata"), "ownerReferences");
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "uid")), "u1");
        cr_expect(json_is_true(json_object_get(json_array_get(refs, 0), "controller")));
        cr_expect_str_eq(json_string_value(
                                 json_object_get(json_object_get(out.v[0].obj, "metadata"), "uid")),
                         "p2u");
        cr_expect_str_eq(out.v[1].name, "p4");
        refs = json_object_get(json_object_get(out.v[1].obj, "metadata"), "ownerReferences");
        cr_assert_eq(json_array_size(refs), 1);
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "uid")), "x");

        /* A deleting owner adopts and releases nothing. */
        kl_ctrl_actions_clear(&out);
        json_object_set_new(json_object_get(o, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T00:00:00Z"));
        n = kl_ctrl_claim(o, sel, kl_ctrl_res("", "pods"), objs, 5, NULL, &out, got);
        cr_expect_eq(n, 1);
        cr_expect_eq(out.n, 0);
        kl_ctrl_actions_clear(&out);
        json_decref(ls);
        json_decref(mine);
        json_decref(orphan);
        json_decref(theirs);
        json_decref(unselected);
        json_decref(other_ns);
        json_decref(o);
}

Test(history, int_or_percent)
{
        json_t *i = json_integer(2), *p = json_string("25%"), *bad = json_string("25"),
               *p0 = json_string("0%");

        cr_expect_eq(kl_ctrl_int_or_percent(i, 10, true, 1), 2);
        cr_expect_eq(kl_ctrl_int_or_percent(p, 10, true, 1), 3);
        cr_expect_eq(kl_ctrl_int_or_percent(p, 10, false, 1), 2);
        cr_expect_eq(kl_ctrl_int_or_percent(bad, 10, true, 1), 1);
        cr_expect_eq(kl_ctrl_int_or_percent(p0, 10, true, 1), 0);
        cr_expect_eq(kl_ctrl_int_or_percent(NULL, 10, true, 7), 7);
        json_decref(i);
        json_decref(p);
        json_decref(bad);
        json_decref(p0);
}

Test(history, rollout_undo_patch_restores_template)
{
        /*
         * kubectl rollout undo sends a revision's data as a strategic merge
         * patch: "$patch": "replace" must swap the whole template, dropping
         * containers and fields the newer template added.
         */
        json_t *o = owner(), *changed = json_deep_copy(o), *got = NULL;
        json_t *data = kl_ctrl_revision_patch(o);
        kl_autoerr struct kl_err *err = NULL;

        json_object_set_new(json_object_get(json_object_get(changed, "spec"), "template"), "spec",
                            J("{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:2\"},{\"name\":"
                              "\"sidecar\",\"image\":\"x\"}],\"hostNetwork\":true}"));
        cr_assert_eq(kl_api_patch_strategic(
                             changed, data, kl_api_patch_schema_lookup,
                             kl_api_schema_message_for_kind("apps/v1", "StatefulSet"), &got, &err),
                     0, "%s", err ? kl_err_msg(err) : "");
        cr_expect(json_equal(json_object_get(json_object_get(got, "spec"), "template"),
                             json_object_get(json_object_get(o, "spec"), "template")));
        cr_expect_eq(json_integer_value(json_object_get(json_object_get(got, "spec"), "replicas")),
                     3);
        json_decref(got);
        json_decref(data);
        json_decref(changed);
        json_decref(o);
}
