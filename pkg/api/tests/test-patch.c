/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "api/schema.h"
#include "api/tests/patch-fake-schema.h"
#include "base/base.h"
#include "json/json.h"

/* ---- Helpers ------------------------------------------------------------ */

static json_t *parse(const char *text)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;
        int r = kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e);

        cr_assert_eq(r, 0, "bad test JSON (%s): <<%s>>", kl_err_msg(e), text);
        return v;
}

/* Canonical text of a value (keys sorted), owned by the caller. */
static char *canon(const json_t *v)
{
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, NULL), 0);
        return kl_buf_detach(&b, NULL);
}

static void expect_same(const json_t *got, const char *want_text)
{
        json_auto_t *want = parse(want_text);
        kl_autofree char *g = canon(got);
        kl_autofree char *w = canon(want);

        cr_expect_str_eq(g, w, "\n got: %s\nwant: %s", g, w);
}

enum engine {
        MERGE,
        JSONPATCH,
        STRATEGIC,
        STRATEGIC_REAL, /* the generated schema, Deployment */
};

static const void *real_deployment(void)
{
        const struct kl_api_message *m = kl_api_schema_message_for_kind("apps/v1", "Deployment");

        cr_assert_not_null(m);
        return m;
}

static int run(enum engine eng, const json_t *doc, const json_t *patch, json_t **ret,
               struct kl_err **err)
{
        switch (eng) {
        case MERGE:
                return kl_api_patch_merge(doc, patch, ret, err);
        case JSONPATCH:
                return kl_api_patch_json(doc, patch, ret, err);
        case STRATEGIC:
                return kl_api_patch_strategic(doc, patch, fake_lookup, fake_root(), ret, err);
        case STRATEGIC_REAL:
                return kl_api_patch_strategic(doc, patch, kl_api_patch_schema_lookup,
                                              real_deployment(), ret, err);
        }
        cr_assert_fail("engine");
        return -EINVAL;
}

/* Apply and compare; the inputs must come out untouched. */
static void ok(enum engine eng, const char *doc_text, const char *patch_text, const char *want)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = parse(doc_text);
        json_auto_t *patch = parse(patch_text);
        json_auto_t *got = NULL;
        kl_autofree char *doc_before = canon(doc);
        kl_autofree char *patch_before = canon(patch);
        kl_autofree char *doc_after = NULL;
        kl_autofree char *patch_after = NULL;
        int r = run(eng, doc, patch, &got, &e);

        cr_assert_eq(r, 0, "patch failed (%d): %s\n doc: %s\npatch: %s", r, kl_err_msg(e), doc_text,
                     patch_text);
        cr_assert_null(e);
        cr_assert_not_null(got);
        expect_same(got, want);
        doc_after = canon(doc);
        patch_after = canon(patch);
        cr_expect_str_eq(doc_after, doc_before, "the document was modified");
        cr_expect_str_eq(patch_after, patch_before, "the patch was modified");
}

/* Apply and expect failure with `code` and, if not NULL, exactly `msg`. */
static void fails(enum engine eng, const char *doc_text, const char *patch_text, int code,
                  const char *msg)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = parse(doc_text);
        json_auto_t *patch = parse(patch_text);
        json_t *got = (json_t *)0x1;
        kl_autofree char *doc_before = canon(doc);
        kl_autofree char *doc_after = NULL;
        int r = run(eng, doc, patch, &got, &e);

        cr_assert_eq(r, code, "want %d, got %d (%s)\n doc: %s\npatch: %s", code, r, kl_err_msg(e),
                     doc_text, patch_text);
        cr_assert_not_null(e);
        cr_expect_eq(-e->code, r);
        if (msg)
                cr_expect_str_eq(e->msg, msg);
        cr_expect_eq(got, (json_t *)0x1, "result written on failure");
        doc_after = canon(doc);
        cr_expect_str_eq(doc_after, doc_before, "the document was modified");
}

/* ---- Patch types -------------------------------------------------------- */

Test(patch_type, parse)
{
        cr_expect_eq(kl_api_patch_type_parse("application/json-patch+json"),
                     KL_API_PATCH_TYPE_JSON);
        cr_expect_eq(kl_api_patch_type_parse("application/merge-patch+json; charset=utf-8"),
                     KL_API_PATCH_TYPE_MERGE);
        cr_expect_eq(kl_api_patch_type_parse("Application/Strategic-Merge-Patch+JSON"),
                     KL_API_PATCH_TYPE_STRATEGIC);
        cr_expect_eq(kl_api_patch_type_parse("application/apply-patch+yaml"),
                     KL_API_PATCH_TYPE_APPLY_YAML);
        cr_expect_eq(kl_api_patch_type_parse("application/json"), KL_API_PATCH_TYPE__INVALID);
        cr_expect_eq(kl_api_patch_type_parse(""), KL_API_PATCH_TYPE__INVALID);
        cr_expect_eq(kl_api_patch_type_parse(NULL), KL_API_PATCH_TYPE__INVALID);
        cr_expect_str_eq(kl_api_patch_type_media(KL_API_PATCH_TYPE_STRATEGIC),
                         "application/strategic-merge-patch+json");
        cr_expect_null(kl_api_patch_type_media(KL_API_PATCH_TYPE__INVALID));
}

Test(patch_type, check_gives_upstreams_415)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autoerr struct kl_err *e2 = NULL;
        enum kl_api_patch_type t = KL_API_PATCH_TYPE__INVALID;

        cr_expect_eq(
                kl_api_patch_type_check("application/strategic-merge-patch+json", true, &t, NULL),
                0);
        cr_expect_eq(t, KL_API_PATCH_TYPE_STRATEGIC);
        cr_expect_eq(kl_api_patch_type_check("application/json", true, &t, &e),
                     -KL_EUNSUPPORTED_MEDIA);
        cr_expect_str_eq(e->msg, "the body of the request was in an unknown format - accepted "
                                 "media types include: application/json-patch+json, "
                                 "application/merge-patch+json, "
                                 "application/strategic-merge-patch+json, "
                                 "application/apply-patch+yaml");
        cr_expect_eq(kl_err_http_status(e), 415);
        /* Custom resources: no strategic merge patch. */
        cr_expect_eq(
                kl_api_patch_type_check("application/strategic-merge-patch+json", false, &t, &e2),
                -KL_EUNSUPPORTED_MEDIA);
        cr_expect_str_eq(e2->msg, "the body of the request was in an unknown format - accepted "
                                  "media types include: application/json-patch+json, "
                                  "application/merge-patch+json, application/apply-patch+yaml");
}

/* ---- JSON merge patch: RFC 7386 appendix A ------------------------------ */

Test(merge_patch, rfc7386_appendix_a)
{
        static const char *const cases[][3] = {
                { "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
                { "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
                { "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
                { "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
                { "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
                { "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
                { "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
                  "{\"a\":{\"b\":\"d\"}}" },
                { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
                { "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
                { "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
                { "{\"a\":\"foo\"}", "null", "null" },
                { "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
                { "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
                { "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
                { "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                ok(MERGE, cases[i][0], cases[i][1], cases[i][2]);
}

Test(merge_patch, kubectl_label_annotate_scale)
{
        const char *doc =
                "{\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"web\",\"env\":\"dev\"}},"
                "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":"
                "[{\"name\":\"a\"},{\"name\":\"b\"}]}}}}";

        ok(MERGE, doc, "{\"metadata\":{\"labels\":{\"env\":\"prod\"}}}",
           "{\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"web\",\"env\":\"prod\"}},"
           "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":"
           "[{\"name\":\"a\"},{\"name\":\"b\"}]}}}}");
        ok(MERGE, doc, "{\"metadata\":{\"labels\":{\"env\":null}}}",
           "{\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"web\"}},"
           "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":"
           "[{\"name\":\"a\"},{\"name\":\"b\"}]}}}}");
        /* Lists are replaced whole: merge patch knows no merge keys. */
        ok(MERGE, doc,
           "{\"spec\":{\"replicas\":4,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}",
           "{\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"web\",\"env\":\"dev\"}},"
           "\"spec\":{\"replicas\":4,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}");
        /* Nulls inside arrays are values, not deletions. */
        ok(MERGE, "{}", "{\"a\":[null,{\"b\":null}]}", "{\"a\":[null,{\"b\":null}]}");
}

Test(merge_patch, depth_is_bounded)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autobuf struct kl_buf text = KL_BUF_INIT;
        json_auto_t *doc = parse("{}");
        json_auto_t *patch = NULL;
        json_auto_t *got = NULL;

        for (int i = 0; i < KL_API_PATCH_MAX_DEPTH + 1; i++)
                (void)kl_buf_puts(&text, "{\"a\":");
        (void)kl_buf_puts(&text, "1");
        for (int i = 0; i < KL_API_PATCH_MAX_DEPTH + 1; i++)
                (void)kl_buf_putc(&text, '}');
        patch = parse(text.buf);
        cr_expect_eq(kl_api_patch_merge(doc, patch, &got, &e), -EINVAL);
        cr_expect_str_eq(kl_err_msg(e), "patch nested deeper than 100 levels");
        cr_expect_eq(kl_err_http_status(e), 400);
}

/* ---- JSON patch: RFC 6902 appendix A ------------------------------------ */

Test(json_patch, a1_adding_an_object_member)
{
        ok(JSONPATCH, "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
           "{\"baz\":\"qux\",\"foo\":\"bar\"}");
}

Test(json_patch, a2_adding_an_array_element)
{
        ok(JSONPATCH, "{\"foo\":[\"bar\",\"baz\"]}",
           "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
           "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
}

Test(json_patch, a3_removing_an_object_member)
{
        ok(JSONPATCH, "{\"baz\":\"qux\",\"foo\":\"bar\"}",
           "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}");
}

Test(json_patch, a4_removing_an_array_element)
{
        ok(JSONPATCH, "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
           "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}");
}

Test(json_patch, a5_replacing_a_value)
{
        ok(JSONPATCH, "{\"baz\":\"qux\",\"foo\":\"bar\"}",
           "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
           "{\"baz\":\"boo\",\"foo\":\"bar\"}");
}

Test(json_patch, a6_moving_a_value)
{
        ok(JSONPATCH,
           "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
           "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
           "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}");
}

Test(json_patch, a7_moving_an_array_element)
{
        ok(JSONPATCH, "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
           "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
           "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
}

Test(json_patch, a8_testing_a_value_success)
{
        ok(JSONPATCH, "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
           "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
           "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
           "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}");
}

Test(json_patch, a9_testing_a_value_error)
{
        fails(JSONPATCH, "{\"baz\":\"qux\"}",
              "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", -KL_EINVALID,
              "testing value /baz failed: test failed");
}

Test(json_patch, a10_adding_a_nested_member_object)
{
        ok(JSONPATCH, "{\"foo\":\"bar\"}",
           "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
           "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}");
}

Test(json_patch, a11_ignoring_unrecognized_elements)
{
        ok(JSONPATCH, "{\"foo\":\"bar\"}",
           "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
           "{\"foo\":\"bar\",\"baz\":\"qux\"}");
}

Test(json_patch, a12_adding_to_a_nonexistent_target)
{
        fails(JSONPATCH, "{\"foo\":\"bar\"}",
              "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", -KL_EINVALID,
              "add operation does not apply: doc is missing path: \"/baz/bat\": missing value");
}

Test(json_patch, a13_invalid_json_patch_document)
{
        /*
         * The RFC's operation repeats "op". Decoding keeps the last member, as
         * Go's does; the operation is then a remove of a missing member.
         */
        fails(JSONPATCH, "{\"foo\":\"bar\"}",
              "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]",
              -KL_EINVALID,
              "error in remove for path: '/baz': unable to remove nonexistent key: baz: missing "
              "value");
}

Test(json_patch, a14_escape_ordering)
{
        ok(JSONPATCH, "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
           "{\"/\":9,\"~1\":10}");
}

Test(json_patch, a15_comparing_strings_and_numbers)
{
        fails(JSONPATCH, "{\"/\":9,\"~1\":10}",
              "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", -KL_EINVALID,
              "testing value /~01 failed: test failed");
}

Test(json_patch, a16_adding_an_array_value)
{
        ok(JSONPATCH, "{\"foo\":[\"bar\"]}",
           "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
           "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}");
}

Test(json_patch, kubectl_rollout_undo)
{
        /* kubectl-contract §13.2: two replaces, the template and the annotations. */
        ok(JSONPATCH,
           "{\"metadata\":{\"name\":\"web\",\"annotations\":{\"deployment.kubernetes.io/revision\":\"2\"}},"
           "\"spec\":{\"replicas\":2,\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
           "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.26\"}]}}}}",
           "[{\"op\":\"replace\",\"path\":\"/spec/template\",\"value\":{\"metadata\":{\"labels\":"
           "{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.25\"}]}}},"
           "{\"op\":\"replace\",\"path\":\"/metadata/annotations\",\"value\":"
           "{\"deployment.kubernetes.io/revision\":\"1\"}}]",
           "{\"metadata\":{\"name\":\"web\",\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"}},"
           "\"spec\":{\"replicas\":2,\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
           "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.25\"}]}}}}");
        ok(JSONPATCH, "{\"spec\":{\"replicas\":3}}",
           "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":1}]",
           "{\"spec\":{\"replicas\":1}}");
}

Test(json_patch, replace_needs_an_existing_member)
{
        fails(JSONPATCH, "{\"spec\":{}}",
              "[{\"op\":\"replace\",\"path\":\"/spec/foo\",\"value\":1}]", -KL_EINVALID,
              "replace operation does not apply: doc is missing key: /spec/foo: missing value");
        fails(JSONPATCH, "{\"spec\":1}",
              "[{\"op\":\"replace\",\"path\":\"/spec/foo\",\"value\":1}]", -KL_EINVALID,
              "replace operation does not apply: doc is missing path: /spec/foo: missing value");
        fails(JSONPATCH, "{\"a\":[1]}", "[{\"op\":\"replace\",\"path\":\"/a/1\",\"value\":1}]",
              -KL_EINVALID,
              "replace operation does not apply: doc is missing key: /a/1: missing value");
}

Test(json_patch, array_indices)
{
        const char *doc = "{\"a\":[0,1,2]}";

        ok(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/3\",\"value\":3}]", "{\"a\":[0,1,2,3]}");
        ok(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/0\",\"value\":9}]", "{\"a\":[9,0,1,2]}");
        ok(JSONPATCH, doc, "[{\"op\":\"remove\",\"path\":\"/a/2\"}]", "{\"a\":[0,1]}");
        fails(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/4\",\"value\":3}]", -KL_EINVALID,
              "error in add for path: '/a/4': Unable to access invalid index: 4: invalid index "
              "referenced");
        fails(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":3}]", -KL_EINVALID,
              "error in add for path: '/a/01': value was not a proper array index: '01'");
        fails(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/-1\",\"value\":3}]", -KL_EINVALID,
              NULL);
        fails(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/+1\",\"value\":3}]", -KL_EINVALID,
              NULL);
        fails(JSONPATCH, doc, "[{\"op\":\"remove\",\"path\":\"/a/3\"}]", -KL_EINVALID,
              "error in remove for path: '/a/3': Unable to access invalid index: 3: invalid index "
              "referenced");
        fails(JSONPATCH, doc, "[{\"op\":\"remove\",\"path\":\"/a/-\"}]", -KL_EINVALID, NULL);
        fails(JSONPATCH, doc, "[{\"op\":\"replace\",\"path\":\"/a/-\",\"value\":1}]", -KL_EINVALID,
              NULL);
        fails(JSONPATCH, doc, "[{\"op\":\"test\",\"path\":\"/a/00\",\"value\":0}]", -KL_EINVALID,
              NULL);
        fails(JSONPATCH, doc, "[{\"op\":\"add\",\"path\":\"/a/99999999999999999999\",\"value\":0}]",
              -KL_EINVALID, NULL);
}

Test(json_patch, pointers)
{
        ok(JSONPATCH, "{\"a/b\":{\"c~d\":1}}",
           "[{\"op\":\"replace\",\"path\":\"/a~1b/c~0d\",\"value\":2}]", "{\"a/b\":{\"c~d\":2}}");
        ok(JSONPATCH, "{\"\":{\"\":1}}", "[{\"op\":\"replace\",\"path\":\"//\",\"value\":2}]",
           "{\"\":{\"\":2}}");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]", -KL_EINVALID,
              "remove operation does not apply: doc is missing path: \"a\": invalid JSON pointer");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/a~2\"}]", -KL_EINVALID,
              NULL);
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/a~\"}]", -KL_EINVALID, NULL);
        /* The whole document. */
        ok(JSONPATCH, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]",
           "{\"b\":2}");
        ok(JSONPATCH, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"c\":3}}]",
           "{\"c\":3}");
        ok(JSONPATCH, "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":1.0}}]",
           "{\"a\":1}");
        ok(JSONPATCH, "{\"a\":{\"b\":1}}", "[{\"op\":\"copy\",\"from\":\"\",\"path\":\"/a/c\"}]",
           "{\"a\":{\"b\":1,\"c\":{\"a\":{\"b\":1}}}}");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", -KL_EINVALID, NULL);
}

Test(json_patch, move_and_copy)
{
        ok(JSONPATCH, "{\"a\":{\"b\":1}}",
           "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"},"
           "{\"op\":\"add\",\"path\":\"/c/d\",\"value\":2}]",
           "{\"a\":{\"b\":1},\"c\":{\"b\":1,\"d\":2}}");
        ok(JSONPATCH, "{\"a\":[1,2,3]}", "[{\"op\":\"move\",\"from\":\"/a/0\",\"path\":\"/a/-\"}]",
           "{\"a\":[2,3,1]}");
        ok(JSONPATCH, "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]",
           "{\"a\":1}");
        fails(JSONPATCH, "{\"a\":{\"b\":1}}",
              "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", -KL_EINVALID,
              "move operation does not apply: cannot move '/a' into its own child '/a/b/c'");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/y\"}]",
              -KL_EINVALID,
              "move operation does not apply: doc is missing from path: /x: missing value");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/y\"}]",
              -KL_EINVALID,
              "copy operation does not apply: doc is missing from path: /x: missing value");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/x/y\"}]",
              -KL_EINVALID,
              "move operation does not apply: doc is missing destination path: \"/x/y\": missing "
              "value");
        fails(JSONPATCH, "{\"a\":1}", "[{\"op\":\"copy\",\"path\":\"/y\"}]", -KL_EINVALID,
              "copy operation failed to decode from: missing value");
}

Test(json_patch, operation_shape)
{
        fails(JSONPATCH, "{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", -KL_EINVALID,
              "Unexpected kind: frob");
        fails(JSONPATCH, "{}", "[{\"path\":\"/a\"}]", -KL_EINVALID, "Unexpected kind: unknown");
        fails(JSONPATCH, "{}", "[null]", -KL_EINVALID, "Unexpected kind: unknown");
        fails(JSONPATCH, "{}", "[{\"op\":\"add\",\"value\":1}]", -KL_EINVALID,
              "add operation failed to decode path: missing value");
        fails(JSONPATCH, "{}", "[{\"op\":\"add\",\"path\":3,\"value\":1}]", -KL_EINVALID,
              "add operation failed to decode path: json: cannot unmarshal number into Go value "
              "of type string");
        fails(JSONPATCH, "{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", -KL_EINVALID,
              "add operation failed: operation, missing value field: missing value");
        /* The body itself: 400, with Go's decoding words. */
        fails(JSONPATCH, "{}", "{\"op\":\"add\"}", -EINVAL,
              "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        fails(JSONPATCH, "{}", "[\"add\"]", -EINVAL,
              "json: cannot unmarshal string into Go value of type jsonpatch.Operation");
        /* null is no operations at all; add with a null value adds null. */
        ok(JSONPATCH, "{\"a\":1}", "null", "{\"a\":1}");
        ok(JSONPATCH, "{\"a\":1}", "[]", "{\"a\":1}");
        ok(JSONPATCH, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":null}]",
           "{\"a\":1,\"b\":null}");
}

Test(json_patch, all_or_nothing)
{
        /* The first operations succeed on the copy; the caller's document is untouched (fails()).
         */
        fails(JSONPATCH, "{\"a\":1,\"b\":[1]}",
              "[{\"op\":\"remove\",\"path\":\"/a\"},{\"op\":\"add\",\"path\":\"/b/0\",\"value\":0},"
              "{\"op\":\"test\",\"path\":\"/b/0\",\"value\":1}]",
              -KL_EINVALID, "testing value /b/0 failed: test failed");
}

Test(json_patch, test_compares_as_rfc_6902_says)
{
        ok(JSONPATCH, "{\"a\":{\"x\":[1,{\"y\":null}],\"z\":true}}",
           "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"z\":true,\"x\":[1.0,{\"y\":null}]}}]",
           "{\"a\":{\"x\":[1,{\"y\":null}],\"z\":true}}");
        fails(JSONPATCH, "{\"a\":[1,2]}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":[2,1]}]",
              -KL_EINVALID, NULL);
        fails(JSONPATCH, "{\"a\":{\"b\":1}}",
              "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"b\":1,\"c\":1}}]", -KL_EINVALID,
              NULL);
        fails(JSONPATCH, "{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":false}]",
              -KL_EINVALID, NULL);
        fails(JSONPATCH, "{}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", -KL_EINVALID,
              "test operation does not apply: is missing path: /a: missing value");
}

Test(json_patch, too_many_operations)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = parse("{}");
        json_auto_t *patch = json_array();
        json_auto_t *got = NULL;

        for (int i = 0; i < KL_API_PATCH_MAX_OPS + 1; i++)
                json_array_append_new(patch, json_pack("{s:s,s:s}", "op", "test", "path", ""));
        cr_expect_eq(kl_api_patch_json(doc, patch, &got, &e), -E2BIG);
        cr_expect_str_eq(kl_err_msg(e), "Request entity too large: The allowed maximum operations "
                                        "in a JSON patch is 10000, got 10001");
        cr_expect_eq(kl_err_http_status(e), 413);
}

Test(json_patch, copies_are_bounded)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = parse("{\"a\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}");
        json_auto_t *patch = json_array();
        json_auto_t *got = NULL;

        /* Each copy doubles /a: 2^20 values long before the operations run out. */
        for (int i = 0; i < 40; i++)
                json_array_append_new(patch, json_pack("{s:s,s:s,s:s}", "op", "copy", "from", "/a",
                                                       "path", "/a/-"));
        cr_expect_eq(kl_api_patch_json(doc, patch, &got, &e), -E2BIG);
        cr_expect(strstr(kl_err_msg(e), "Unable to complete the copy") != NULL, "%s",
                  kl_err_msg(e));
}

Test(json_patch, work_is_bounded)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = json_object();
        json_auto_t *big = json_array();
        json_auto_t *patch = json_array();
        json_auto_t *got = NULL;

        /* Ten thousand inserts at the front of a long array: quadratic without a budget. */
        for (int i = 0; i < 20000; i++)
                json_array_append_new(big, json_integer(i));
        json_object_set(doc, "a", big);
        for (int i = 0; i < KL_API_PATCH_MAX_OPS; i++)
                json_array_append_new(
                        patch, json_pack("{s:s,s:s,s:i}", "op", "add", "path", "/a/0", "value", i));
        cr_expect_eq(kl_api_patch_json(doc, patch, &got, &e), -E2BIG);
        cr_expect(strstr(kl_err_msg(e), "units of work") != NULL, "%s", kl_err_msg(e));
}

Test(json_patch, depth_is_bounded)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autobuf struct kl_buf deep = KL_BUF_INIT;
        json_auto_t *doc = parse("{\"a\":{\"b\":{}}}");
        json_auto_t *value = NULL;
        json_auto_t *patch = NULL;
        json_auto_t *got = NULL;

        for (int i = 0; i < KL_API_PATCH_MAX_DEPTH - 2; i++)
                (void)kl_buf_putc(&deep, '[');
        for (int i = 0; i < KL_API_PATCH_MAX_DEPTH - 2; i++)
                (void)kl_buf_putc(&deep, ']');
        value = parse(deep.buf);

        /* 2 levels of path + 98 of value: exactly the limit. */
        patch = json_pack("[{s:s,s:s,s:O}]", "op", "add", "path", "/a/b", "value", value);
        cr_assert_eq(kl_api_patch_json(doc, patch, &got, NULL), 0);
        json_decref(patch);
        patch = json_pack("[{s:s,s:s,s:O}]", "op", "add", "path", "/a/b/c", "value", value);
        cr_expect_eq(kl_api_patch_json(doc, patch, &got, &e), -KL_EINVALID);
        cr_expect(strstr(kl_err_msg(e), "deeper than 100 levels") != NULL, "%s", kl_err_msg(e));
        kl_err_free(KL_TAKE_PTR(e));
        json_decref(patch);
        /* Moving the deep value one level down would cross it too. */
        patch = json_pack("[{s:s,s:s,s:O},{s:s,s:s,s:s}]", "op", "add", "path", "/a/b", "value",
                          value, "op", "move", "from", "/a/b", "path", "/a/x/y");
        json_decref(got);
        got = NULL;
        cr_expect_eq(kl_api_patch_json(doc, patch, &got, &e), -KL_EINVALID);
}

/* ---- Strategic merge patch: kubectl-contract §11, §13 ------------------- */

static const char deployment[] =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
        "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
        "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"}},"
        "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
        "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.25\","
        "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
        "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}}}";

static void smp_both(const char *doc, const char *patch, const char *want)
{
        ok(STRATEGIC, doc, patch, want);
        ok(STRATEGIC_REAL, doc, patch, want);
}

Test(strategic, client_side_apply_configmap)
{
        ok(STRATEGIC,
           "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\","
           "\"namespace\":\"default\",\"annotations\":{\"kubectl.kubernetes.io/"
           "last-applied-configuration\":\"old\\n\"}},\"data\":{\"k1\":\"v1\",\"k3\":\"z\"}}",
           "{\"data\":{\"k1\":\"v2\",\"k2\":\"x\"},\"metadata\":{\"annotations\":{\"kubectl."
           "kubernetes.io/last-applied-configuration\":\"new\\n\"}}}",
           "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\","
           "\"namespace\":\"default\",\"annotations\":{\"kubectl.kubernetes.io/"
           "last-applied-configuration\":\"new\\n\"}},\"data\":{\"k1\":\"v2\",\"k2\":\"x\","
           "\"k3\":\"z\"}}");
}

Test(strategic, image_change_with_set_element_order)
{
        smp_both(
                deployment,
                "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":"
                "\"main\"}],\"containers\":[{\"image\":\"nginx:1.26\",\"name\":\"main\"}]}}}}",
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"}},"
                "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.26\","
                "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
                "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}}}");
}

Test(strategic, rollout_restart_pause_resume)
{
        const char *doc = "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}}}}}";

        smp_both(
                doc,
                "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/"
                "restartedAt\":\"2025-01-01T00:00:00Z\"}}}}}",
                "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"},"
                "\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"2025-01-01T00:00:00Z\"}}}}}");
        smp_both(doc, "{\"spec\":{\"paused\":true}}",
                 "{\"spec\":{\"paused\":true,\"template\":{\"metadata\":{\"labels\":{\"app\":"
                 "\"web\"}}}}}");
        smp_both("{\"spec\":{\"paused\":true}}", "{\"spec\":{\"paused\":null}}", "{\"spec\":{}}");
}

Test(strategic, replace_directive_on_template)
{
        /* rollout undo of a StatefulSet: the ControllerRevision's data, §13.2. */
        ok(STRATEGIC,
           "{\"spec\":{\"replicas\":3,\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"},"
           "\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"x\"}},"
           "\"spec\":{\"containers\":[{\"name\":\"db\",\"image\":\"pg:16\"},{\"name\":\"side\"}]}}}}",
           "{\"spec\":{\"template\":{\"$patch\":\"replace\",\"metadata\":{\"labels\":{\"app\":\"db\"}},"
           "\"spec\":{\"containers\":[{\"name\":\"db\",\"image\":\"pg:15\"}]}}}}",
           "{\"spec\":{\"replicas\":3,\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"}},"
           "\"spec\":{\"containers\":[{\"name\":\"db\",\"image\":\"pg:15\"}]}}}}");
        /* On a map field; nested directives in the replacement act too. */
        ok(STRATEGIC, "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
           "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"c\":\"3\",\"d\":null}}}",
           "{\"metadata\":{\"labels\":{\"c\":\"3\"}}}");
        /* At the top. */
        ok(STRATEGIC, "{\"a\":1,\"b\":2}", "{\"$patch\":\"replace\",\"c\":3}", "{\"c\":3}");
}

Test(strategic, delete_directive)
{
        /* On a container: the element with that key goes. */
        ok(STRATEGIC,
           "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\"},"
           "{\"name\":\"c\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"b\",\"$patch\":\"delete\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"c\"}]}}");
        /* Deleting what is not there is fine. */
        ok(STRATEGIC, "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"z\",\"$patch\":\"delete\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
        /* On a map: it goes from its parent; at the top, everything goes. */
        ok(STRATEGIC, "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"1\"}}}",
           "{\"metadata\":{\"labels\":{\"$patch\":\"delete\"}}}",
           "{\"metadata\":{\"name\":\"x\"}}");
        ok(STRATEGIC, "{\"a\":1}", "{\"$patch\":\"delete\"}", "{}");
        /* A new value that deletes itself is not added. */
        ok(STRATEGIC, "{}", "{\"spec\":{\"strategy\":{\"$patch\":\"delete\"}}}", "{\"spec\":{}}");
}

Test(strategic, env_merge)
{
        smp_both(
                deployment,
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"env\":"
                "[{\"name\":\"B\",\"value\":\"20\"},{\"name\":\"C\",\"value\":\"3\"},"
                "{\"name\":\"A\",\"$patch\":\"delete\"}]}]}}}}",
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"}},"
                "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.25\","
                "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
                "\"env\":[{\"name\":\"B\",\"value\":\"20\"},{\"name\":\"C\",\"value\":\"3\"}]}]}}}}");
}

Test(strategic, ports_merge_by_container_port)
{
        ok(STRATEGIC,
           "{\"spec\":{\"containers\":[{\"name\":\"m\",\"ports\":[{\"containerPort\":80,"
           "\"name\":\"http\"},{\"containerPort\":443}]}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"m\",\"ports\":[{\"containerPort\":443,"
           "\"name\":\"https\"},{\"containerPort\":8080}]}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"m\",\"ports\":[{\"containerPort\":80,"
           "\"name\":\"http\"},{\"containerPort\":443,\"name\":\"https\"},"
           "{\"containerPort\":8080}]}]}}");
        ok(STRATEGIC, "{\"spec\":{\"ports\":[{\"port\":80}]}}",
           "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"a\"}]}}",
           "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"a\"}]}}");
        /* 80 and 80.0 are different keys, as int64 and float64 are in Go. */
        ok(STRATEGIC, "{\"spec\":{\"ports\":[{\"port\":80}]}}",
           "{\"spec\":{\"ports\":[{\"port\":80.0,\"name\":\"a\"}]}}",
           "{\"spec\":{\"ports\":[{\"port\":80.0,\"name\":\"a\"},{\"port\":80}]}}");
}

Test(strategic, finalizers_union_and_delete_from_primitive_list)
{
        const char *doc = "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}";

        /* A union; new values first, as upstream orders them. */
        smp_both(doc, "{\"metadata\":{\"finalizers\":[\"c\",\"a\"]}}",
                 "{\"metadata\":{\"finalizers\":[\"c\",\"a\",\"b\"]}}");
        smp_both(doc, "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\",\"x\"]}}",
                 "{\"metadata\":{\"finalizers\":[\"b\"]}}");
        /* kubectl's three-way patch: order, additions and deletions together. */
        smp_both(doc,
                 "{\"metadata\":{\"$setElementOrder/finalizers\":[\"a\",\"c\"],"
                 "\"$deleteFromPrimitiveList/finalizers\":[\"b\"],\"finalizers\":[\"c\"]}}",
                 "{\"metadata\":{\"finalizers\":[\"a\",\"c\"]}}");
        /* Duplicates collapse. */
        smp_both("{\"metadata\":{\"finalizers\":[\"a\",\"a\",\"b\"]}}",
                 "{\"metadata\":{\"finalizers\":[\"b\",\"b\"]}}",
                 "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}");
        smp_both(doc, "{\"metadata\":{\"finalizers\":null}}", "{\"metadata\":{}}");
        fails(STRATEGIC, doc, "{\"metadata\":{\"$deleteFromPrimitiveListfinalizers\":[\"a\"]}}",
              -EINVAL, "invalid patch format of primitive list");
}

Test(strategic, owner_references_service_ports_conditions)
{
        ok(STRATEGIC,
           "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"a\"},{\"uid\":\"2\","
           "\"name\":\"b\"}]},\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},"
           "{\"port\":443}]},\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},"
           "{\"type\":\"Scheduled\",\"status\":\"True\"}]}}",
           "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"2\",\"name\":\"bb\"}]},"
           "\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]},"
           "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
           "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"1\",\"name\":\"a\"},{\"uid\":\"2\","
           "\"name\":\"bb\"}]},\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090},"
           "{\"port\":443}]},\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
           "{\"type\":\"Scheduled\",\"status\":\"True\"}]}}");
}

Test(strategic, retain_keys)
{
        /* kubectl's patch when a Deployment's strategy goes from RollingUpdate to Recreate. */
        smp_both("{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
                 "{\"maxSurge\":1}}}}",
                 "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}",
                 "{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}");
        /* Volumes: a volume's source changes kind (merge,retainKeys on the list). */
        ok(STRATEGIC,
           "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}},{\"name\":\"w\",\"secret\":"
           "{\"secretName\":\"s\"}}]}}",
           "{\"spec\":{\"volumes\":[{\"$retainKeys\":[\"configMap\",\"name\"],\"name\":\"v\","
           "\"configMap\":{\"name\":\"cm\"}}]}}",
           "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"configMap\":{\"name\":\"cm\"}},{\"name\":"
           "\"w\",\"secret\":{\"secretName\":\"s\"}}]}}");
        fails(STRATEGIC, "{\"spec\":{\"strategy\":{}}}",
              "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}",
              -EINVAL, "invalid patch format of retainKeys");
        fails(STRATEGIC, "{\"spec\":{\"strategy\":{}}}",
              "{\"spec\":{\"strategy\":{\"$retainKeys\":\"type\"}}}", -EINVAL,
              "invalid patch format of retainKeys");
}

Test(strategic, list_order)
{
        const char *doc = "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},"
                          "{\"name\":\"c\"}]}}";

        /* A new element comes first; a changed one stays where it was. */
        ok(STRATEGIC, doc, "{\"spec\":{\"containers\":[{\"name\":\"d\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"d\"},{\"name\":\"a\"},{\"name\":\"b\"},"
           "{\"name\":\"c\"}]}}");
        ok(STRATEGIC, doc,
           "{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"x\"},"
           "{\"name\":\"d\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"image\":\"x\"},"
           "{\"name\":\"d\"},{\"name\":\"c\"}]}}");
        /*
         * The patch's order wins among the elements it names; the others go
         * before a named one that stood after them (upstream's mergeSortedSlice).
         */
        ok(STRATEGIC, doc, "{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"a\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"a\"}]}}");
        /* $setElementOrder decides. */
        ok(STRATEGIC, doc,
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"d\"},"
           "{\"name\":\"a\"},{\"name\":\"b\"}],\"containers\":[{\"name\":\"d\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"d\"},{\"name\":\"a\"},"
           "{\"name\":\"b\"}]}}");
        /* Without the list in the patch it only reorders. */
        ok(STRATEGIC, doc,
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"a\"},{\"name\":\"c\"}]}}");
        fails(STRATEGIC, doc,
              "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],"
              "\"containers\":[{\"name\":\"b\"}]}}",
              -EINVAL,
              "the order in patch list:\n[map[name:b]]\n doesn't match $setElementOrder "
              "list:\n[map[name:a]]");
        fails(STRATEGIC, doc, "{\"spec\":{\"$setElementOrdercontainers\":[]}}", -EINVAL,
              "invalid patch format of setElementOrder list");
}

Test(strategic, set_element_order_like_upstream)
{
        /*
         * kubectl apply renaming a container while the live pod has an injected
         * sidecar: upstream keeps the sidecar first. Its deletion shifts the
         * live list in place and the new container lands in the freed slot, so
         * "sidecar before new" is the order the directive is applied against.
         */
        ok(STRATEGIC, "{\"spec\":{\"containers\":[{\"name\":\"old\"},{\"name\":\"sidecar\"}]}}",
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"new\"}],\"containers\":"
           "[{\"name\":\"new\",\"image\":\"n\"},{\"name\":\"old\",\"$patch\":\"delete\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"sidecar\"},{\"name\":\"new\",\"image\":\"n\"}]}}");
        ok(STRATEGIC,
           "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"d\",\"image\":\"y\"}]}}",
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"c\"}],"
           "\"containers\":[{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"a\",\"$patch\":\"delete\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"d\",\"image\":\"y\"},{\"name\":\"b\"},"
           "{\"name\":\"c\"}]}}");
        /* Only a deletion: the survivors keep their places around the ordered ones. */
        ok(STRATEGIC,
           "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"x\"}]}}",
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],\"containers\":"
           "[{\"name\":\"b\",\"$patch\":\"delete\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"x\"}]}}");
        /* Elements only the server has stay where they were relative to their neighbours. */
        ok(STRATEGIC,
           "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"x\"},"
           "{\"name\":\"y\"},{\"name\":\"c\"},{\"name\":\"d\"}]}}",
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"},"
           "{\"name\":\"d\"},{\"name\":\"c\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"a\"},{\"name\":\"x\"},"
           "{\"name\":\"y\"},{\"name\":\"d\"},{\"name\":\"c\"}]}}");
        /* Elements sharing a key stay together, in their old order. */
        ok(STRATEGIC,
           "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"image\":\"1\"},"
           "{\"name\":\"c\"},{\"name\":\"b\",\"image\":\"2\"}]}}",
           "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"},"
           "{\"name\":\"c\"},{\"name\":\"b\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"1\"},{\"name\":\"b\","
           "\"image\":\"2\"},{\"name\":\"a\"},{\"name\":\"c\"}]}}");
        /* Primitives: an addition goes where the directive puts it, extras follow. */
        ok(STRATEGIC, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
           "{\"metadata\":{\"$setElementOrder/finalizers\":[\"a\",\"b\",\"d\"],"
           "\"finalizers\":[\"d\"]}}",
           "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"d\",\"c\"]}}");
        ok(STRATEGIC, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\",\"e\"]}}",
           "{\"metadata\":{\"$setElementOrder/finalizers\":[\"a\",\"c\",\"f\"],"
           "\"$deleteFromPrimitiveList/finalizers\":[\"b\"],\"finalizers\":[\"f\"]}}",
           "{\"metadata\":{\"finalizers\":[\"a\",\"c\",\"f\",\"e\"]}}");
}

Test(strategic, replace_directive_in_a_list)
{
        ok(STRATEGIC, "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"k\":null},"
           "{\"$patch\":\"replace\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
        ok(STRATEGIC, "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
           "{\"spec\":{\"containers\":[{\"$patch\":\"replace\"}]}}",
           "{\"spec\":{\"containers\":[]}}");
}

Test(strategic, atomic_lists_and_maps)
{
        /* tolerations, args and command have no merge strategy: replaced whole. */
        ok(STRATEGIC,
           "{\"spec\":{\"tolerations\":[{\"key\":\"a\"},{\"key\":\"b\"}],\"containers\":"
           "[{\"name\":\"m\",\"args\":[\"1\",\"2\"],\"command\":[\"sh\"]}]}}",
           "{\"spec\":{\"tolerations\":[{\"key\":\"c\"}],\"containers\":[{\"name\":\"m\","
           "\"args\":[\"3\"],\"command\":[]}]}}",
           "{\"spec\":{\"tolerations\":[{\"key\":\"c\"}],\"containers\":[{\"name\":\"m\","
           "\"args\":[\"3\"],\"command\":[]}]}}");
        /* Kinds that differ: the patch's value wins. */
        ok(STRATEGIC, "{\"spec\":{\"containers\":{\"a\":1}}}",
           "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
           "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
}

Test(strategic, new_values_lose_their_nulls_and_directives)
{
        ok(STRATEGIC, "{}",
           "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":"
           "\"b\"},{\"name\":\"a\"}],\"containers\":[{\"name\":\"b\"},{\"name\":\"a\","
           "\"image\":null},{\"name\":\"x\",\"$patch\":\"delete\"}]}},\"replicas\":null}}",
           "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\"},"
           "{\"name\":\"a\"}]}}}}");
        /* A new primitive list keeps its duplicates, as upstream copies it. */
        ok(STRATEGIC, "{\"metadata\":{}}", "{\"metadata\":{\"finalizers\":[\"a\",\"a\"]}}",
           "{\"metadata\":{\"finalizers\":[\"a\",\"a\"]}}");
}

Test(strategic, unknown_fields_and_untyped)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = parse("{\"a\":{\"b\":1},\"l\":[1]}");
        json_auto_t *patch = parse("{\"a\":{\"$patch\":\"replace\",\"c\":2},\"l\":[2],\"$x\":1}");
        json_auto_t *got = NULL;

        /* Not in the schema: maps merge, lists are replaced. */
        ok(STRATEGIC, "{\"extra\":{\"a\":[1,2],\"b\":1}}", "{\"extra\":{\"a\":[3],\"c\":2}}",
           "{\"extra\":{\"a\":[3],\"b\":1,\"c\":2}}");
        /* No schema at all: still the directives. */
        cr_assert_eq(kl_api_patch_strategic(doc, patch, NULL, NULL, &got, &e), 0, "%s",
                     kl_err_msg(e));
        expect_same(got, "{\"a\":{\"c\":2},\"l\":[2],\"$x\":1}");
        /* '$' keys are data in maps. */
        ok(STRATEGIC, "{\"data\":{}}", "{\"data\":{\"$k\":\"v\"}}", "{\"data\":{\"$k\":\"v\"}}");
}

Test(strategic, errors)
{
        const char *doc = "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}";

        fails(STRATEGIC, doc, "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}", -EINVAL,
              "map: map[image:x] does not contain declared merge key: name");
        /* Values print as Go's %v prints them. */
        fails(STRATEGIC, doc,
              "{\"spec\":{\"containers\":[{\"a\":0.5,\"b\":1e6,\"c\":123456.0,\"d\":[true,null],"
              "\"e\":{\"y\":1,\"x\":2.5e-7}}]}}",
              -EINVAL,
              "map: map[a:0.5 b:1e+06 c:123456 d:[true <nil>] e:map[x:2.5e-07 y:1]] does not "
              "contain declared merge key: name");
        fails(STRATEGIC, doc,
              "{\"spec\":{\"containers\":[{\"$patch\":\"delete\",\"image\":\"x\"}]}}", -EINVAL,
              "map: map[$patch:delete image:x] does not contain declared merge key: name");
        fails(STRATEGIC, "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}",
              "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}", -EINVAL,
              "map: map[image:x] does not contain declared merge key: name");
        fails(STRATEGIC, doc, "{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"frob\"}]}}",
              -EINVAL, "unknown patch type: frob in map: map[$patch:frob name:a]");
        fails(STRATEGIC, doc, "{\"spec\":{\"$patch\":1}}", -EINVAL,
              "unknown patch type: %!s(int64=1) in map: map[$patch:1]");
        fails(STRATEGIC, doc, "{\"spec\":{\"containers\":[{\"$patch\":\"merge\"}]}}", -EINVAL,
              "merging lists cannot yet be specified in the patch");
        fails(STRATEGIC, doc, "{\"spec\":{\"containers\":[\"a\"]}}", -EINVAL,
              "list element types are not identical: [[map[name:a]] [a]]");
        fails(STRATEGIC, "{\"metadata\":{\"finalizers\":[[\"a\"]]}}",
              "{\"metadata\":{\"finalizers\":[[\"b\"]]}}", -KL_EINVALID,
              "lists of lists are not supported");
        fails(STRATEGIC, "{\"metadata\":{\"finalizers\":[\"a\"]}}",
              "{\"metadata\":{\"finalizers\":[{\"x\":1}]}}", -EINVAL,
              "list element types are not identical: [[a] [map[x:1]]]");
        fails(STRATEGIC, "{\"metadata\":{\"finalizers\":[{\"x\":1}]}}",
              "{\"metadata\":{\"finalizers\":[{\"x\":2}]}}", -EINVAL,
              "cannot merge lists without merge key for 'finalizers'");
        fails(STRATEGIC, doc, "{\"spec\":{\"$setElementOrder/containers\":{}}}", -EINVAL,
              "expected a []interface {}, but received a map[string]interface {}");
        fails(STRATEGIC, doc, "{\"spec\":{\"$retainkeys\":[\"a\"]}}", -EINVAL,
              "unknown strategic merge patch directive '$retainkeys'");
        fails(STRATEGIC, doc, "[]", -EINVAL,
              "json: cannot unmarshal array into Go value of type map[string]interface {}");
        fails(STRATEGIC, "[]", "{}", -EINVAL, "invalid JSON document");
        ok(STRATEGIC, doc, "null", doc);
}

Test(strategic, depth_is_bounded)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autobuf struct kl_buf text = KL_BUF_INIT;
        json_auto_t *doc = parse("{}");
        json_auto_t *patch = NULL;
        json_auto_t *got = NULL;

        (void)kl_buf_puts(&text, "{\"x\":");
        for (int i = 0; i < KL_API_PATCH_MAX_DEPTH; i++)
                (void)kl_buf_putc(&text, '[');
        for (int i = 0; i < KL_API_PATCH_MAX_DEPTH; i++)
                (void)kl_buf_putc(&text, ']');
        (void)kl_buf_putc(&text, '}');
        patch = parse(text.buf);
        cr_expect_eq(kl_api_patch_strategic(doc, patch, fake_lookup, fake_root(), &got, &e),
                     -EINVAL);
        cr_expect_str_eq(kl_err_msg(e), "patch nested deeper than 100 levels");
}

Test(strategic, long_lists_merge_in_linear_time)
{
        json_auto_t *doc = json_pack("{s:{s:[]}}", "spec", "containers");
        json_auto_t *patch = json_pack("{s:{s:[]}}", "spec", "containers");
        json_t *dl = json_object_get(json_object_get(doc, "spec"), "containers");
        json_t *pl = json_object_get(json_object_get(patch, "spec"), "containers");
        json_auto_t *got = NULL;

        /* Quadratic matching would take minutes here. */
        for (int i = 0; i < 20000; i++) {
                char a[32], b[32];

                (void)snprintf(a, sizeof(a), "c%d", i);
                (void)snprintf(b, sizeof(b), "c%d", 19999 - i);
                json_array_append_new(dl, json_pack("{s:s}", "name", a));
                json_array_append_new(pl, json_pack("{s:s,s:i}", "name", b, "n", i));
        }
        cr_assert_eq(kl_api_patch_strategic(doc, patch, fake_lookup, fake_root(), &got, NULL), 0);
        pl = json_object_get(json_object_get(got, "spec"), "containers");
        cr_expect_eq(json_array_size(pl), 20000);
        /* The patch's order. */
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(pl, 0), "name")),
                         "c19999");
}

/* ---- The adapter over the generated schema ------------------------------ */

static struct kl_api_patch_field field_of(const char *message, const char *name)
{
        const struct kl_api_message *m = kl_api_schema_message(message);
        struct kl_api_patch_field f = { 0 };

        cr_assert_not_null(m, "%s", message);
        cr_assert_eq(kl_api_patch_schema_lookup(m, name, &f), 0, "%s.%s", message, name);
        return f;
}

Test(strategic_schema, markers_of_the_real_tables)
{
        struct kl_api_patch_field f;

        f = field_of("io.k8s.api.core.v1.PodSpec", "containers");
        cr_expect_eq(f.value, KL_API_PATCH_VALUE_LIST);
        cr_expect_eq(f.elem, KL_API_PATCH_VALUE_OBJECT);
        cr_expect_eq(f.strategy, KL_API_PATCH_MERGE);
        cr_expect_str_eq(f.merge_key, "name");
        cr_expect_eq(f.type, kl_api_schema_message("io.k8s.api.core.v1.Container"));

        f = field_of("io.k8s.api.core.v1.PodSpec", "volumes");
        cr_expect_eq(f.strategy, KL_API_PATCH_MERGE | KL_API_PATCH_RETAIN_KEYS);
        cr_expect_str_eq(f.merge_key, "name");
        f = field_of("io.k8s.api.core.v1.PodSpec", "tolerations");
        cr_expect_eq(f.strategy, 0);
        cr_expect_null(f.merge_key);
        f = field_of("io.k8s.api.core.v1.Container", "ports");
        cr_expect_str_eq(f.merge_key, "containerPort");
        f = field_of("io.k8s.api.core.v1.Container", "env");
        cr_expect_str_eq(f.merge_key, "name");
        f = field_of("io.k8s.api.core.v1.Container", "volumeMounts");
        cr_expect_str_eq(f.merge_key, "mountPath");
        f = field_of("io.k8s.api.core.v1.Container", "args");
        cr_expect_eq(f.value, KL_API_PATCH_VALUE_LIST);
        cr_expect_eq(f.elem, KL_API_PATCH_VALUE_SCALAR);
        cr_expect_eq(f.strategy, 0);
        f = field_of("io.k8s.api.core.v1.ServiceSpec", "ports");
        cr_expect_str_eq(f.merge_key, "port");
        f = field_of("io.k8s.api.core.v1.PodStatus", "conditions");
        cr_expect_str_eq(f.merge_key, "type");
        f = field_of("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
        cr_expect_eq(f.strategy, KL_API_PATCH_MERGE);
        cr_expect_eq(f.elem, KL_API_PATCH_VALUE_SCALAR);
        f = field_of("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences");
        cr_expect_str_eq(f.merge_key, "uid");
        f = field_of("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "labels");
        cr_expect_eq(f.value, KL_API_PATCH_VALUE_MAP);
        cr_expect_eq(f.elem, KL_API_PATCH_VALUE_SCALAR);
        f = field_of("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp");
        cr_expect_eq(f.value, KL_API_PATCH_VALUE_SCALAR);
        f = field_of("io.k8s.api.apps.v1.DeploymentSpec", "strategy");
        cr_expect_eq(f.value, KL_API_PATCH_VALUE_OBJECT);
        cr_expect_eq(f.strategy, KL_API_PATCH_RETAIN_KEYS);
        f = field_of("io.k8s.api.core.v1.ResourceRequirements", "limits");
        cr_expect_eq(f.value, KL_API_PATCH_VALUE_MAP);
        cr_expect_eq(f.elem, KL_API_PATCH_VALUE_SCALAR);

        cr_expect_eq(kl_api_patch_schema_lookup(kl_api_schema_message("io.k8s.api.core.v1.PodSpec"),
                                                "nope", &f),
                     -ENOENT);
}

Test(strategic_schema, pod_patch_through_the_real_tables)
{
        const struct kl_api_message *pod = kl_api_schema_message_for_kind("v1", "Pod");
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = parse(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                "\"finalizers\":[\"x\"]},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\","
                "\"resources\":{\"limits\":{\"cpu\":\"1\"}},\"volumeMounts\":[{\"name\":\"v\","
                "\"mountPath\":\"/v\"}]}],\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}],"
                "\"tolerations\":[{\"key\":\"k\"}]}}");
        json_auto_t *patch = parse(
                "{\"metadata\":{\"finalizers\":[\"y\"]},\"spec\":{\"containers\":[{\"name\":\"a\","
                "\"resources\":{\"limits\":{\"memory\":\"1Gi\"}},\"volumeMounts\":[{\"name\":\"w\","
                "\"mountPath\":\"/w\"}]}],\"volumes\":[{\"name\":\"w\",\"configMap\":{\"name\":"
                "\"c\"}}],\"tolerations\":[{\"key\":\"j\"}]}}");
        json_auto_t *got = NULL;

        cr_assert_not_null(pod);
        cr_assert_eq(kl_api_patch_strategic(doc, patch, kl_api_patch_schema_lookup, pod, &got, &e),
                     0, "%s", kl_err_msg(e));
        expect_same(
                got,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                "\"finalizers\":[\"y\",\"x\"]},\"spec\":{\"containers\":[{\"name\":\"a\","
                "\"image\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}},"
                "\"volumeMounts\":[{\"name\":\"w\",\"mountPath\":\"/w\"},{\"name\":\"v\","
                "\"mountPath\":\"/v\"}]}],\"volumes\":[{\"name\":\"w\",\"configMap\":{\"name\":"
                "\"c\"}},{\"name\":\"v\",\"emptyDir\":{}}],\"tolerations\":[{\"key\":\"j\"}]}}");
}
