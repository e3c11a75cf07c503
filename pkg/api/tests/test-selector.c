/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label and field selectors and the name validators. Expected messages are
 * upstream's (apimachinery's labels, fields and validation packages, and
 * messages real kube-apiservers have printed for the same input) byte for
 * byte, because kubectl shows them to users.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/selector.h"
#include "base/base.h"
#include "json/json.h"

#define QNAME_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define NAME_PART_MSG                                                                             \
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and " \
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex " \
        "used for validation is '" QNAME_RE "')"
#define LABEL_VALUE_MSG                                                                          \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "    \
        "'my_value',  or '12345', regex used for validation is '(" QNAME_RE ")?')"
#define SUBDOMAIN_MSG                                                                                \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
        "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "     \
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define LABEL_1123_MSG                                                                           \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define LABEL_1035_MSG                                                                               \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " \
        "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "         \
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define REQ "unable to parse requirement: "

static json_t *json(const char *text)
{
        json_t *v = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r = kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e);

        cr_assert_eq(r, 0, "bad test JSON '%s': %s", text, kl_err_msg(e));
        return v;
}

static char *label_string(const struct kl_api_label_selector *s)
{
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_api_label_selector_format(s, &b), 0);
        return kl_buf_detach(&b, NULL);
}

static char *field_string(const struct kl_api_field_selector *s)
{
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_api_field_selector_format(s, &b), 0);
        return kl_buf_detach(&b, NULL);
}

static struct kl_api_label_selector *label_parse_ok(const char *in)
{
        struct kl_api_label_selector *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r = kl_api_label_selector_parse(in, &s, &e);

        cr_assert_eq(r, 0, "parse '%s' failed (%d): %s", in, r, kl_err_msg(e));
        cr_assert_null(e);
        return s;
}

/*
 * ---------------------------------------------------------------------------
 * Label selector grammar
 */

Test(label_selector, parse_table)
{
        static const struct {
                const char *in;
                const char *out; /* canonical string, or NULL when parsing fails */
                const char *msg; /* the error, when it does */
        } cases[] = {
                /* Every operator, and the forms kubectl users write. */
                { "", "", NULL },
                { "a=b", "a=b", NULL },
                { "a==b", "a==b", NULL },
                { "a!=b", "a!=b", NULL },
                { "a in (x,y)", "a in (x,y)", NULL },
                { "a notin (y,x)", "a notin (x,y)", NULL },
                { "a", "a", NULL },
                { "!a", "!a", NULL },
                { "a>1", "a>1", NULL },
                { "a<2", "a<2", NULL },
                { "a>01", "a>01", NULL },
                { "b=1,a=2", "a=2,b=1", NULL },
                { "b,a=1,!c", "a=1,b,!c", NULL },
                { "  a = b ,  c  ", "a=b,c", NULL },
                { "a\tin\t(x)\r\n", "a in (x)", NULL },
                /* Upstream's own example: empty values in a set, an empty set. */
                { "x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()", NULL },
                { "a=", "a=", NULL },
                { "a==", "a==", NULL },
                { "a!=", "a!=", NULL },
                { "a in ()", "a in ()", NULL },
                { "a in ( )", "a in ()", NULL },
                { "a in (,)", "a in ()", NULL },
                { "a in (x,)", "a in (,x)", NULL },
                { "a in (x,x,y)", "a in (x,y)", NULL },
                { "a in (in,notin)", "a in (in,notin)", NULL },
                { "in in (a)", "in in (a)", NULL },
                { "notin=in", "notin=in", NULL },
                { "a=1,a=2", "a=1,a=2", NULL },
                { "example.com/app=web", "example.com/app=web", NULL },
                { "app.kubernetes.io/name in (web, db)", "app.kubernetes.io/name in (db,web)",
                  NULL },

                /* From upstream's own tables (TestSelectorParse, TestSetSelectorParser). */
                { "x= ", "x=", NULL },
                { "x=,z= ", "x=,z=", NULL },
                { "x= ,z= ", "x=,z=", NULL },
                { "\rx", "x", NULL },
                { "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                  "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)", NULL },
                { "x notin (, a)", "x notin (,a)", NULL },
                { "a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)", NULL },
                { "x=a||y=b", NULL, REQ "values[0][x]: Invalid value: \"a||y\": " LABEL_VALUE_MSG },
                { "x==a==b", NULL, "found '==', expected: ',' or 'end of string'" },
                { "x,,y", NULL, "found ',', expected: identifier after ','" },
                { ",x,y", NULL, "found ',', expected: !, identifier, or 'end of string'" },
                { "x nott in (y)", NULL,
                  REQ "found 'nott', expected: in, notin, =, ==, !=, gt, lt" },
                { "a in (xyz)b notin ()", NULL, "found 'b', expected: ',' or 'end of string'" },
                { "a notin(", NULL, REQ "found '', expected: ',', ')' or identifier" },
                { "a (", NULL, REQ "found '(', expected: in, notin, =, ==, !=, gt, lt" },

                /* Syntax errors: which token was found, what was expected. */
                { "a in", NULL, REQ "found '' expected: '('" },
                { "a notin x", NULL, REQ "found 'x' expected: '('" },
                { ",", NULL, "found ',', expected: !, identifier, or 'end of string'" },
                { "=", NULL, "found '=', expected: !, identifier, or 'end of string'" },
                { "(a)", NULL, "found '(', expected: !, identifier, or 'end of string'" },
                { "a,", NULL, "found '', expected: identifier after ','" },
                { "a=b,,c", NULL, "found ',', expected: identifier after ','" },
                { "a b", NULL, REQ "found 'b', expected: in, notin, =, ==, !=, gt, lt" },
                { "a!", NULL, REQ "found '!', expected: in, notin, =, ==, !=, gt, lt" },
                { "a=b c", NULL, "found 'c', expected: ',' or 'end of string'" },
                { "!a=b", NULL, "found '=', expected: ',' or 'end of string'" },
                { "a in (x))", NULL, "found ')', expected: ',' or 'end of string'" },
                { "a=(", NULL, REQ "found '(', expected: identifier" },
                { "a>=1", NULL, REQ "found '=', expected: identifier" },
                { "a===b", NULL, REQ "found '=', expected: identifier" },
                { "a in (x", NULL, REQ "found '', expected: ',' or ')'" },
                { "a in (x y)", NULL, REQ "found 'y', expected: ',' or ')'" },
                { "a in (=)", NULL, REQ "found '=', expected: ',', ')' or identifier" },
                { "a in (x,=)", NULL, REQ "found '=', expected: ',', or identifier" },
                { "!", NULL, REQ "found '', expected: identifier" },
                { "!!a", NULL, REQ "found '!', expected: identifier" },

                /* Keys that are not qualified names (messages real servers print). */
                { "app:monolith", NULL,
                  REQ "<nil>: Invalid value: \"app:monolith\": " NAME_PART_MSG },
                { "a/b/c ?=? def", NULL,
                  REQ "<nil>: Invalid value: \"a/b/c\": a qualified name must consist of "
                      "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                      "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                      "regex used for validation is '" QNAME_RE
                      "') with an optional DNS subdomain prefix and '/' (e.g. "
                      "'example.com/MyName')" },
                { "app.kubernetes_io/name=vault", NULL,
                  REQ
                  "<nil>: Invalid value: \"app.kubernetes_io/name\": prefix part " SUBDOMAIN_MSG },
                { "/a=b", NULL, REQ "<nil>: Invalid value: \"/a\": prefix part must be non-empty" },
                { "a/=b", NULL,
                  REQ "<nil>: Invalid value: \"a/\": name part must be non-empty; " NAME_PART_MSG },
                { "*bar", NULL, REQ "<nil>: Invalid value: \"*bar\": " NAME_PART_MSG },
                { "ключ=x", NULL, REQ "<nil>: Invalid value: \"ключ\": " NAME_PART_MSG },
                { "a\x01=x", NULL, REQ "<nil>: Invalid value: \"a\\x01\": " NAME_PART_MSG },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
                  REQ "<nil>: Invalid value: "
                      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": name "
                      "part must be no more than 63 characters" },

                /* Values: label value rules, and integers for > and <. */
                { "a=b@", NULL, REQ "values[0][a]: Invalid value: \"b@\": " LABEL_VALUE_MSG },
                { "a=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL,
                  REQ
                  "values[0][a]: Invalid value: "
                  "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\": must be "
                  "no more than 63 characters" },
                { "a>x", NULL,
                  REQ "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must "
                      "be an integer" },
                { "a<", NULL,
                  REQ "values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must "
                      "be an integer" },
                { "a>9223372036854775808", NULL,
                  REQ "values[0]: Invalid value: \"9223372036854775808\": for 'Gt', 'Lt' "
                      "operators, the value must be an integer" },
                { "a>-1", NULL, REQ "values[0][a]: Invalid value: \"-1\": " LABEL_VALUE_MSG },
                { "a>-x", NULL,
                  REQ "[values[0]: Invalid value: \"-x\": for 'Gt', 'Lt' operators, the value "
                      "must be an integer, values[0][a]: Invalid value: \"-x\": " LABEL_VALUE_MSG
                      "]" },
                { "a in (c@,b@)", NULL,
                  REQ "[values[0][a]: Invalid value: \"b@\": " LABEL_VALUE_MSG
                      ", values[1][a]: Invalid value: \"c@\": " LABEL_VALUE_MSG "]" },
        };
        size_t valid = 0, invalid = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_api_label_selector_parse(cases[i].in, &s, &e);

                if (cases[i].out) {
                        kl_autofree char *str = NULL;

                        cr_expect_eq(r, 0, "'%s': failed: %s", cases[i].in, kl_err_msg(e));
                        if (r < 0)
                                continue;
                        str = label_string(s);
                        cr_expect_str_eq(str, cases[i].out, "'%s'", cases[i].in);
                        valid++;
                } else {
                        cr_expect_eq(r, -EINVAL, "'%s': want -EINVAL, got %d", cases[i].in, r);
                        cr_expect_null(s);
                        cr_expect_str_eq(kl_err_msg(e), cases[i].msg, "'%s': got \"%s\"",
                                         cases[i].in, kl_err_msg(e));
                        invalid++;
                }
        }
        cr_assert_geq(valid + invalid, 40);
        cr_log_info("%zu valid and %zu invalid label selectors", valid, invalid);
}

Test(label_selector, requirements_sorted_and_typed)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s =
                label_parse_ok("z notin (b,a),m>7,a in (y,x,y),!q,k");
        const struct kl_api_label_req *r;
        size_t n = 0;

        r = kl_api_label_selector_reqs(s, &n);
        cr_assert_eq(n, 5);
        cr_expect_str_eq(r[0].key, "a");
        cr_expect_eq(r[0].op, KL_API_LABEL_OP_IN);
        cr_assert_eq(r[0].n_values, 2);
        cr_expect_str_eq(r[0].values[0], "x");
        cr_expect_str_eq(r[0].values[1], "y");
        cr_expect_str_eq(r[1].key, "k");
        cr_expect_eq(r[1].op, KL_API_LABEL_OP_EXISTS);
        cr_expect_eq(r[1].n_values, 0);
        cr_expect_str_eq(r[2].key, "m");
        cr_expect_eq(r[2].op, KL_API_LABEL_OP_GT);
        cr_expect_eq(r[2].number, 7);
        cr_expect_str_eq(r[3].key, "q");
        cr_expect_eq(r[3].op, KL_API_LABEL_OP_DOES_NOT_EXIST);
        cr_expect_str_eq(r[4].key, "z");
        cr_expect_eq(r[4].op, KL_API_LABEL_OP_NOT_IN);
        cr_expect(!kl_api_label_selector_is_empty(s));
        cr_expect(!kl_api_label_selector_is_nothing(s));
}

Test(label_selector, string_round_trip)
{
        static const char *const inputs[] = {
                "a=b",
                "x in (foo,,baz),y,z notin ()",
                " b == 1 , a != 2 , !c , d , e in ( , ) , f notin (x,y,x) , g > 10 , h < 0 ",
                "k.io/a=,k.io/b==,k.io/c!=",
                "in in (in,notin),notin notin (notin)",
                "a=3,a=1,a=2,b in (z,y),a in (q)",
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(inputs); i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *a = NULL;
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *b = NULL;
                kl_autofree char *sa = NULL;
                kl_autofree char *sb = NULL;
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_api_label_selector_parse(inputs[i], &a, &e);

                cr_assert_eq(r, 0, "'%s': %s", inputs[i], kl_err_msg(e));
                sa = label_string(a);
                b = label_parse_ok(sa);
                sb = label_string(b);
                cr_expect_str_eq(sa, sb, "'%s'", inputs[i]);
        }
}

Test(label_selector, sort_is_stable_beyond_insertion_sort_sizes)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s =
                label_parse_ok("k=20,b,k=19,k=18,k=17,k=16,k=15,k=14,k=13,k=12,k=11,k=10,a,k=9");
        kl_autofree char *str = label_string(s);

        cr_expect_str_eq(str, "a,b,k=20,k=19,k=18,k=17,k=16,k=15,k=14,k=13,k=12,k=11,k=10,k=9");
}

/*
 * ---------------------------------------------------------------------------
 * Label matching
 */

Test(label_selector, matches_every_operator)
{
        static const struct {
                const char *sel;
                bool want;
        } cases[] = {
                { "", true },
                { "app=web", true },
                { "app=db", false },
                { "missing=x", false },
                { "app==web", true },
                { "app==db", false },
                { "app!=db", true },
                { "app!=web", false },
                { "missing!=x", true },
                { "app in (db,web)", true },
                { "app in (db)", false },
                { "missing in (x)", false },
                { "app notin (db)", true },
                { "app notin (db,web)", false },
                { "missing notin (x)", true },
                { "app", true },
                { "missing", false },
                { "!app", false },
                { "!missing", true },
                { "n>4", true },
                { "n>5", false },
                { "n<6", true },
                { "n<5", false },
                { "neg<0", true },
                { "neg>0", false },
                { "missing>1", false },
                { "missing<1", false },
                { "word>1", false },
                { "word<1", false },
                { "blank=", true },
                { "blank", true },
                { "blank in (,x)", true },
                { "missing=", false },
                { "missing in ()", false },
                { "missing notin ()", true },
                { "number", false },
                { "null", true },
                { "null=", true },
                { "!null", false },
                { "app=web,tier=fe", true },
                { "app=web,tier=be", false },
                { "app in (web),!missing,n>1,n<9,tier!=be", true },
        };
        json_auto_t *labels = json("{\"app\":\"web\",\"tier\":\"fe\",\"n\":\"5\",\"neg\":\"-3\","
                                   "\"word\":\"x\",\"blank\":\"\",\"number\":5,\"null\":null}");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s =
                        label_parse_ok(cases[i].sel);

                cr_expect_eq(kl_api_label_selector_matches(s, labels), cases[i].want, "'%s'",
                             cases[i].sel);
        }
}

Test(label_selector, matches_without_labels)
{
        static const struct {
                const char *sel;
                bool want;
        } cases[] = {
                { "", true },     { "a", false },        { "!a", true },          { "a=x", false },
                { "a!=x", true }, { "a in (x)", false }, { "a notin (x)", true }, { "a>1", false },
                { "a<1", false },
        };
        json_auto_t *empty = json("{}");
        json_auto_t *not_object = json("[\"a\"]");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s =
                        label_parse_ok(cases[i].sel);

                cr_expect_eq(kl_api_label_selector_matches(s, NULL), cases[i].want, "'%s'",
                             cases[i].sel);
                cr_expect_eq(kl_api_label_selector_matches(s, empty), cases[i].want, "'%s'",
                             cases[i].sel);
                cr_expect_eq(kl_api_label_selector_matches(s, not_object), cases[i].want, "'%s'",
                             cases[i].sel);
        }
        cr_expect(kl_api_label_selector_matches(NULL, empty), "no selector selects everything");
}

Test(label_selector, requires_exact)
{
        static const struct {
                const char *sel, *key, *want;
        } cases[] = {
                { "app=web", "app", "web" },
                { "app==web", "app", "web" },
                { "app in (web)", "app", "web" },
                { "app in (web,db)", "app", NULL },
                { "app!=web", "app", NULL },
                { "app", "app", NULL },
                { "app=web", "other", NULL },
                { "app!=x,app=web", "app", NULL }, /* only the first requirement on the key */
                { "", "app", NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s =
                        label_parse_ok(cases[i].sel);
                const char *v = "untouched";
                bool found = kl_api_label_selector_requires_exact(s, cases[i].key, &v);

                cr_expect_eq(found, cases[i].want != NULL, "'%s'", cases[i].sel);
                cr_expect_str_eq(v, cases[i].want ? cases[i].want : "untouched", "'%s'",
                                 cases[i].sel);
        }
}

/*
 * ---------------------------------------------------------------------------
 * metav1.LabelSelector
 */

static struct kl_api_label_selector *from_json_ok(const char *text)
{
        json_auto_t *v = json(text);
        struct kl_api_label_selector *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r = kl_api_label_selector_from_json(v, &s, &e);

        cr_assert_eq(r, 0, "'%s' failed: %s", text, kl_err_msg(e));
        return s;
}

Test(label_selector_json, conversions)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "{\"matchLabels\":{\"tier\":\"fe\",\"app\":\"web\"}}", "app=web,tier=fe" },
                { "{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\","
                  "\"values\":[\"prod\",\"dev\"]}]}",
                  "env in (dev,prod)" },
                { "{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"NotIn\","
                  "\"values\":[\"x\"]}]}",
                  "env notin (x)" },
                { "{\"matchExpressions\":[{\"key\":\"b\",\"operator\":\"Exists\"},"
                  "{\"key\":\"a\",\"operator\":\"DoesNotExist\",\"values\":null}]}",
                  "!a,b" },
                { "{\"matchLabels\":{\"z\":\"1\"},\"matchExpressions\":[{\"key\":\"z\","
                  "\"operator\":\"Exists\"},{\"key\":\"a\",\"operator\":\"Exists\"}]}",
                  "a,z=1,z" },
                /* Upstream keeps duplicate values; String() sorts but does not dedupe. */
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\","
                  "\"values\":[\"y\",\"x\",\"y\"]}]}",
                  "a in (x,y,y)" },
                { "{\"matchLabels\":{\"a\":\"\"}}", "a=" },
                { "{\"matchLabels\":{},\"matchExpressions\":[]}", "" },
                { "{}", "" },
                { "{\"matchLabels\":null,\"other\":1}", "" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s =
                        from_json_ok(cases[i].in);
                kl_autofree char *str = label_string(s);

                cr_expect_str_eq(str, cases[i].out, "%s", cases[i].in);
                cr_expect(!kl_api_label_selector_is_nothing(s));
        }
}

Test(label_selector_json, errors)
{
        static const struct {
                const char *in;
                int code;
                const char *msg;
        } cases[] = {
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Seriously\"}]}", -EINVAL,
                  "\"Seriously\" is not a valid label selector operator" },
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"in\"}]}", -EINVAL,
                  "\"in\" is not a valid label selector operator" },
                { "{\"matchExpressions\":[{\"key\":\"a\"}]}", -EINVAL,
                  "\"\" is not a valid label selector operator" },
                { "{\"matchExpressions\":[{\"key\":\"name\",\"operator\":\"In\",\"values\":[]}]}",
                  -EINVAL,
                  "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set "
                  "can't be empty" },
                { "{\"matchExpressions\":[{\"key\":\"thisns\",\"operator\":\"NotIn\"}]}", -EINVAL,
                  "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set "
                  "can't be empty" },
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\","
                  "\"values\":[\"x\",\"y\"]}]}",
                  -EINVAL,
                  "values: Invalid value: []string{\"x\", \"y\"}: values set must be empty for "
                  "exists and does not exist" },
                { "{\"matchLabels\":{\"a b\":\"x\"}}", -EINVAL,
                  "key: Invalid value: \"a b\": " NAME_PART_MSG },
                { "{\"matchLabels\":{\"app\":\"a b\"}}", -EINVAL,
                  "values[0][app]: Invalid value: \"a b\": " LABEL_VALUE_MSG },
                { "{\"matchLabels\":{\"z z\":\"x\",\"a a\":\"x\"}}", -EINVAL,
                  "key: Invalid value: \"a a\": " NAME_PART_MSG },
                { "{\"matchExpressions\":[{\"operator\":\"In\"}]}", -EINVAL,
                  "[key: Invalid value: \"\": name part must be non-empty; " NAME_PART_MSG
                  ", values: Invalid value: []string(nil): for 'in', 'notin' operators, values "
                  "set can't be empty]" },
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\","
                  "\"values\":[\"a b\"]}]}",
                  -EINVAL,
                  "[values: Invalid value: []string{\"a b\"}: values set must be empty for exists "
                  "and does not exist, values[0][a]: Invalid value: \"a b\": " LABEL_VALUE_MSG
                  "]" },
                { "{\"matchLabels\":[]}", -EINVAL, "'.matchLabels': expected object, got array" },
                { "{\"matchExpressions\":{}}", -EINVAL,
                  "'.matchExpressions': expected array, got object" },
                { "{\"matchExpressions\":[1]}", -EINVAL,
                  "'.matchExpressions[0]': expected object, got number" },
                { "{\"matchExpressions\":[{\"key\":1}]}", -EINVAL,
                  "'.matchExpressions[0].key': expected string, got number" },
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[1]}]}",
                  -EINVAL, "'.matchExpressions[0].values[0]': expected string, got number" },
                { "{\"matchLabels\":{\"a\":true}}", -EINVAL,
                  "'.matchLabels.a': expected string, got boolean" },
                { "\"app=web\"", -EINVAL, "label selector: expected object, got string" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_auto_t *v = json(cases[i].in);
                struct kl_api_label_selector *s = NULL;
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_api_label_selector_from_json(v, &s, &e);

                cr_expect_eq(r, cases[i].code, "%s: got %d", cases[i].in, r);
                cr_expect_null(s);
                cr_expect_str_eq(kl_err_msg(e), cases[i].msg, "%s: got \"%s\"", cases[i].in,
                                 kl_err_msg(e));
        }
}

Test(label_selector_json, null_selects_nothing_empty_selects_everything)
{
        json_auto_t *labels = json("{\"app\":\"web\"}");
        json_auto_t *null = json("null");
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *nothing = NULL;
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *nothing2 = NULL;
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *everything =
                from_json_ok("{}");
        kl_autofree char *str = NULL;
        const char *v = NULL;
        size_t n = 7;

        cr_assert_eq(kl_api_label_selector_from_json(NULL, &nothing, NULL), 0);
        cr_assert_eq(kl_api_label_selector_from_json(null, &nothing2, NULL), 0);
        cr_expect(kl_api_label_selector_is_nothing(nothing));
        cr_expect(kl_api_label_selector_is_nothing(nothing2));
        cr_expect(!kl_api_label_selector_is_empty(nothing));
        cr_expect(!kl_api_label_selector_matches(nothing, labels));
        cr_expect(!kl_api_label_selector_matches(nothing, NULL));
        cr_expect(!kl_api_label_selector_requires_exact(nothing, "app", &v));
        (void)kl_api_label_selector_reqs(nothing, &n);
        cr_expect_eq(n, 0);
        str = label_string(nothing);
        cr_expect_str_eq(str, "");

        cr_expect(kl_api_label_selector_is_empty(everything));
        cr_expect(!kl_api_label_selector_is_nothing(everything));
        cr_expect(kl_api_label_selector_matches(everything, labels));
        cr_expect(kl_api_label_selector_matches(everything, NULL));
}

Test(label_selector_json, from_set)
{
        json_auto_t *set = json("{\"tier\":\"fe\",\"app\":\"web\"}");
        json_auto_t *bad = json("{\"app\":\"-\"}");
        json_auto_t *labels = json("{\"app\":\"web\",\"tier\":\"fe\",\"x\":\"y\"}");
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *empty = NULL;
        struct kl_api_label_selector *none = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *str = NULL;

        cr_assert_eq(kl_api_label_selector_from_set(set, &s, NULL), 0);
        str = label_string(s);
        cr_expect_str_eq(str, "app=web,tier=fe");
        cr_expect(kl_api_label_selector_matches(s, labels));
        cr_assert_eq(kl_api_label_selector_from_set(NULL, &empty, NULL), 0);
        cr_expect(kl_api_label_selector_is_empty(empty));
        cr_expect_eq(kl_api_label_selector_from_set(bad, &none, &e), -EINVAL);
        cr_expect_null(none);
        cr_expect_str_eq(kl_err_msg(e), "values[0][app]: Invalid value: \"-\": " LABEL_VALUE_MSG);
}

Test(label_selector, limits)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        struct kl_api_label_selector *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autoerr struct kl_err *e2 = NULL;

        for (size_t i = 0; i < KL_API_SELECTOR_MAX_REQUIREMENTS; i++)
                cr_assert_eq(kl_buf_printf(&b, "%sk%zu=v", i ? "," : "", i), 0);
        cr_assert_eq(kl_api_label_selector_parse(b.buf, &s, NULL), 0);
        kl_api_label_selector_free(s);
        s = NULL;

        cr_assert_eq(kl_buf_puts(&b, ",x"), 0);
        cr_expect_eq(kl_api_label_selector_parse(b.buf, &s, &e), -E2BIG);
        cr_expect_str_eq(kl_err_msg(e), "label selector has more than 1024 requirements");

        kl_buf_reset(&b);
        while (b.len <= KL_API_SELECTOR_MAX_LEN)
                cr_assert_eq(kl_buf_puts(&b, "          "), 0);
        cr_expect_eq(kl_api_label_selector_parse(b.buf, &s, &e2), -E2BIG);
        cr_expect_str_eq(kl_err_msg(e2), "label selector is longer than 65536 bytes");
        cr_expect_null(s);
}

/*
 * ---------------------------------------------------------------------------
 * Field selectors
 */

static struct kl_api_field_selector *field_parse_ok(const char *in)
{
        struct kl_api_field_selector *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r = kl_api_field_selector_parse(in, &s, &e);

        cr_assert_eq(r, 0, "parse '%s' failed (%d): %s", in, r, kl_err_msg(e));
        return s;
}

Test(field_selector, parse_table)
{
        static const struct {
                const char *in;
                const char *out; /* canonical string, or NULL when parsing fails */
                const char *msg;
        } cases[] = {
                { "", "", NULL },
                { ",", "", NULL },
                { ",metadata.name=x,", "metadata.name=x", NULL },
                { "metadata.name=foo", "metadata.name=foo", NULL },
                { "metadata.name==foo", "metadata.name=foo", NULL },
                { "spec.nodeName!=n1", "spec.nodeName!=n1", NULL },
                { "b=1,a=2", "a=2,b=1", NULL },
                { "spec.nodeName=node1,status.phase!=Succeeded,status.phase!=Failed",
                  "spec.nodeName=node1,status.phase!=Failed,status.phase!=Succeeded", NULL },
                { "a=", "a=", NULL },
                { "=x", "=x", NULL },
                { "=", "", NULL },
                { "==,a!=b,!=", "a!=b", NULL },
                { "b=,=", "b=", NULL },
                { " a = b ", " a = b ", NULL },
                { "a=b!c", "a=b!c", NULL },
                { "a!!=c", "a!!=c", NULL },
                /* Escapes: \, \= \\ and nothing else. */
                { "a=x\\,y", "a=x\\,y", NULL },
                { "a=x\\=y", "a=x\\=y", NULL },
                { "a=x\\\\y", "a=x\\\\y", NULL },
                { "a=\\,,b=\\=", "a=\\,,b=\\=", NULL },
                { "a\\=b", "a\\=b", NULL },
                { "a=x\\!y", NULL, "invalid field selector: invalid escape sequence: \\!" },
                { "a=x\\", NULL, "invalid field selector: invalid escape sequence: \\" },
                { "a=x\\é", NULL, "invalid field selector: invalid escape sequence: \\é" },
                { "a=b=c", NULL, "invalid field selector: unescaped character in value: 61" },
                { "a!=b=c", NULL, "invalid field selector: unescaped character in value: 61" },
                { "a===b", NULL, "invalid field selector: unescaped character in value: 61" },
                { "foo", NULL, "invalid selector: 'foo'; can't understand 'foo'" },
                { "z=1,foo", NULL, "invalid selector: 'z=1,foo'; can't understand 'foo'" },
                { "a\\,b", NULL, "invalid selector: 'a\\,b'; can't understand 'a\\,b'" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s = NULL;
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_api_field_selector_parse(cases[i].in, &s, &e);

                if (cases[i].out) {
                        kl_autofree char *str = NULL;

                        cr_expect_eq(r, 0, "'%s': failed: %s", cases[i].in, kl_err_msg(e));
                        if (r < 0)
                                continue;
                        str = field_string(s);
                        cr_expect_str_eq(str, cases[i].out, "'%s'", cases[i].in);
                } else {
                        cr_expect_eq(r, -EINVAL, "'%s': want -EINVAL, got %d", cases[i].in, r);
                        cr_expect_null(s);
                        cr_expect_str_eq(kl_err_msg(e), cases[i].msg, "'%s': got \"%s\"",
                                         cases[i].in, kl_err_msg(e));
                }
        }
}

Test(field_selector, unescaped_values)
{
        static const struct {
                const char *in, *field, *value;
                enum kl_api_field_op op;
        } cases[] = {
                { "a=x\\,y", "a", "x,y", KL_API_FIELD_OP_EQUALS },
                { "a==x\\=y", "a", "x=y", KL_API_FIELD_OP_EQUALS },
                { "a!=x\\\\y", "a", "x\\y", KL_API_FIELD_OP_NOT_EQUALS },
                { "a\\=b", "a\\", "b", KL_API_FIELD_OP_EQUALS },
                { "a=", "a", "", KL_API_FIELD_OP_EQUALS },
                /* Not UTF-8: kept as is, unless the value needed unescaping (Go's runes). */
                { "a=\xff", "a", "\xff", KL_API_FIELD_OP_EQUALS },
                { "a=\xff\\,", "a", "\xef\xbf\xbd,", KL_API_FIELD_OP_EQUALS },
                { "a=é\\,", "a", "é,", KL_API_FIELD_OP_EQUALS },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s =
                        field_parse_ok(cases[i].in);
                const struct kl_api_field_req *r;
                size_t n = 0;

                r = kl_api_field_selector_reqs(s, &n);
                cr_assert_eq(n, 1, "'%s'", cases[i].in);
                cr_expect_str_eq(r[0].field, cases[i].field, "'%s'", cases[i].in);
                cr_expect_str_eq(r[0].value, cases[i].value, "'%s'", cases[i].in);
                cr_expect_eq(r[0].op, cases[i].op, "'%s'", cases[i].in);
        }
}

Test(field_selector, supported_fields)
{
        static const char *const pod_fields[] = { "spec.nodeName", "status.phase", NULL };
        static const struct {
                const char *in;
                const char *const *supported;
                const char *msg; /* NULL: supported */
        } cases[] = {
                { "metadata.name=x,metadata.namespace=y", NULL, NULL },
                { "spec.nodeName=n,status.phase!=Failed", pod_fields, NULL },
                { "spec.foo=x", pod_fields, "field label not supported: spec.foo" },
                { "spec.nodeName=n", NULL, "field label not supported: spec.nodeName" },
                { "zz=1,metadata.name=a,b.y=2", pod_fields, "field label not supported: b.y" },
                { "=x", NULL, "field label not supported: " },
                { "", NULL, NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s =
                        field_parse_ok(cases[i].in);
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_api_field_selector_check(s, cases[i].supported, &e);

                if (!cases[i].msg) {
                        cr_expect_eq(r, 0, "'%s': %s", cases[i].in, kl_err_msg(e));
                        continue;
                }
                cr_expect_eq(r, -EINVAL, "'%s'", cases[i].in);
                cr_expect_str_eq(kl_err_msg(e), cases[i].msg, "'%s': got \"%s\"", cases[i].in,
                                 kl_err_msg(e));
                cr_expect_eq(kl_err_http_status(e), 400);
        }
        cr_expect_eq(kl_api_field_selector_check(NULL, NULL, NULL), 0);
}

Test(field_selector, matches_through_getter)
{
        static const struct {
                const char *sel;
                bool want;
        } cases[] = {
                { "", true },
                { "metadata.name=web", true },
                { "metadata.name=db", false },
                { "metadata.name!=db", true },
                { "metadata.namespace==default", true },
                { "spec.nodeName=node1", true },
                { "spec.nodeName=node1,status.phase!=Succeeded,status.phase!=Failed", true },
                { "spec.nodeName=node1,status.phase!=Running", false },
                { "spec.schedulerName=", true }, /* absent compares as "" */
                { "spec.schedulerName!=", false },
                { "spec.unschedulable=true", true },
                { "spec.unschedulable=false", false },
                { "spec.replicas=3", false }, /* numbers are not field values */
                { "metadata.labels.a\\,b=x", false },
        };
        json_auto_t *pod = json("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
                                "\"spec\":{\"nodeName\":\"node1\",\"unschedulable\":true,"
                                "\"replicas\":3},\"status\":{\"phase\":\"Running\"}}");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s =
                        field_parse_ok(cases[i].sel);

                cr_expect_eq(kl_api_field_selector_matches(s, pod, kl_api_field_get_json, NULL),
                             cases[i].want, "'%s'", cases[i].sel);
        }
        cr_expect(kl_api_field_selector_matches(NULL, pod, kl_api_field_get_json, NULL));
}

static const char *count_calls(const void *obj, const char *field, void *userdata)
{
        (void)obj;
        (*(int *)userdata)++;
        return kl_streq(field, "x") ? "1" : NULL;
}

Test(field_selector, getter_gets_userdata_and_stops_early)
{
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s =
                field_parse_ok("a=1,b=2,x=1");
        int calls = 0;

        cr_expect(!kl_api_field_selector_matches(s, NULL, count_calls, &calls));
        cr_expect_eq(calls, 1);
}

Test(field_selector, requires_exact)
{
        static const struct {
                const char *sel, *field, *want;
        } cases[] = {
                { "metadata.name=x", "metadata.name", "x" },
                { "metadata.name==x", "metadata.name", "x" },
                { "metadata.name!=x", "metadata.name", NULL },
                { "metadata.name!=a,metadata.name=b", "metadata.name", "b" },
                { "metadata.name=b,metadata.name=a", "metadata.name", "a" },
                { "metadata.namespace=x", "metadata.name", NULL },
                { "metadata.name=a\\,b", "metadata.name", "a,b" },
                { "", "metadata.name", NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s =
                        field_parse_ok(cases[i].sel);
                const char *v = "untouched";
                bool found = kl_api_field_selector_requires_exact(s, cases[i].field, &v);

                cr_expect_eq(found, cases[i].want != NULL, "'%s'", cases[i].sel);
                cr_expect_str_eq(v, cases[i].want ? cases[i].want : "untouched", "'%s'",
                                 cases[i].sel);
        }
}

Test(field_selector, empty_and_limits)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *empty =
                field_parse_ok(",,,");
        struct kl_api_field_selector *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autoerr struct kl_err *e2 = NULL;

        cr_expect(kl_api_field_selector_is_empty(empty));
        cr_expect(kl_api_field_selector_is_empty(NULL));

        for (size_t i = 0; i < KL_API_SELECTOR_MAX_REQUIREMENTS; i++)
                cr_assert_eq(kl_buf_printf(&b, "%sf%zu=v", i ? "," : "", i), 0);
        cr_assert_eq(kl_api_field_selector_parse(b.buf, &s, NULL), 0);
        cr_expect(!kl_api_field_selector_is_empty(s));
        kl_api_field_selector_free(s);
        s = NULL;
        cr_assert_eq(kl_buf_puts(&b, ",x=y"), 0);
        cr_expect_eq(kl_api_field_selector_parse(b.buf, &s, &e), -E2BIG);
        cr_expect_str_eq(kl_err_msg(e), "field selector has more than 1024 terms");

        kl_buf_reset(&b);
        while (b.len <= KL_API_SELECTOR_MAX_LEN)
                cr_assert_eq(kl_buf_puts(&b, ",,,,,,,,,,"), 0);
        cr_expect_eq(kl_api_field_selector_parse(b.buf, &s, &e2), -E2BIG);
        cr_expect_str_eq(kl_err_msg(e2), "field selector is longer than 65536 bytes");
        cr_expect_null(s);
}

/*
 * ---------------------------------------------------------------------------
 * Validators and quoting
 */

typedef size_t validator_fn(const char *value, char ***msgs);

static void check_validator(validator_fn *fn, const char *name, const char *value,
                            const char *const *want)
{
        kl_autostrv char **msgs = NULL;
        size_t n = fn(value, &msgs);

        cr_expect_eq(n, kl_strv_length((char *const *)want), "%s('%s'): %zu messages", name, value,
                     n);
        cr_expect_eq(n, kl_strv_length(msgs));
        for (size_t i = 0; i < n && want[i]; i++)
                cr_expect_str_eq(msgs[i], want[i], "%s('%s') #%zu", name, value, i);
        cr_expect_eq(fn(value, NULL), n, "%s('%s') without messages", name, value);
}

#define S63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

Test(validation, qualified_name)
{
        static const char *const none[] = { NULL };

        check_validator(kl_api_validate_qualified_name, "qname", "app", none);
        check_validator(kl_api_validate_qualified_name, "qname", "App_1.x-Y", none);
        check_validator(kl_api_validate_qualified_name, "qname", "example.com/app", none);
        check_validator(kl_api_validate_qualified_name, "qname", S63, none);
        check_validator(
                kl_api_validate_qualified_name, "qname", "",
                (const char *const[]){ "name part must be non-empty", NAME_PART_MSG, NULL });
        check_validator(
                kl_api_validate_qualified_name, "qname", S63 "a",
                (const char *const[]){ "name part must be no more than 63 characters", NULL });
        check_validator(kl_api_validate_qualified_name, "qname", "-a",
                        (const char *const[]){ NAME_PART_MSG, NULL });
        check_validator(kl_api_validate_qualified_name, "qname", "/a",
                        (const char *const[]){ "prefix part must be non-empty", NULL });
        check_validator(kl_api_validate_qualified_name, "qname", "Example.com/a",
                        (const char *const[]){ "prefix part " SUBDOMAIN_MSG, NULL });
        check_validator(
                kl_api_validate_qualified_name, "qname", "a/b/c",
                (const char *const[]){
                        "a qualified name must consist of alphanumeric characters, '-', '_' or "
                        "'.', and must start and end with an alphanumeric character (e.g. "
                        "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                        "'" QNAME_RE "') with an optional DNS subdomain prefix and '/' (e.g. "
                        "'example.com/MyName')",
                        NULL });
}

Test(validation, label_value)
{
        static const char *const none[] = { NULL };

        check_validator(kl_api_validate_label_value, "value", "", none);
        check_validator(kl_api_validate_label_value, "value", "a", none);
        check_validator(kl_api_validate_label_value, "value", "1.2-x_Y", none);
        check_validator(kl_api_validate_label_value, "value", S63, none);
        check_validator(kl_api_validate_label_value, "value", "a b",
                        (const char *const[]){ LABEL_VALUE_MSG, NULL });
        check_validator(kl_api_validate_label_value, "value", "x/y",
                        (const char *const[]){ LABEL_VALUE_MSG, NULL });
        check_validator(kl_api_validate_label_value, "value", S63 "a",
                        (const char *const[]){ "must be no more than 63 characters", NULL });
        check_validator(kl_api_validate_label_value, "value", S63 "-",
                        (const char *const[]){ "must be no more than 63 characters",
                                               LABEL_VALUE_MSG, NULL });
}

Test(validation, dns_names)
{
        static const char *const none[] = { NULL };
        kl_autofree char *s253 = NULL;
        kl_autofree char *s254 = NULL;

        s253 = kl_asprintf("%s.%s.%s.%.61s", S63, S63, S63, S63);
        s254 = kl_asprintf("%sb", s253);
        cr_assert_eq(strlen(s253), 253);

        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", "a.b-c.d", none);
        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", "0", none);
        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", s253, none);
        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", s254,
                        (const char *const[]){ "must be no more than 253 characters", NULL });
        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", "A",
                        (const char *const[]){ SUBDOMAIN_MSG, NULL });
        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", "a..b",
                        (const char *const[]){ SUBDOMAIN_MSG, NULL });
        check_validator(kl_api_validate_dns1123_subdomain, "subdomain", "",
                        (const char *const[]){ SUBDOMAIN_MSG, NULL });

        check_validator(kl_api_validate_dns1123_label, "label", "web-0", none);
        check_validator(kl_api_validate_dns1123_label, "label", "0a", none);
        check_validator(kl_api_validate_dns1123_label, "label", "a.b",
                        (const char *const[]){ "must not contain dots", NULL });
        check_validator(kl_api_validate_dns1123_label, "label", "-a",
                        (const char *const[]){ LABEL_1123_MSG, NULL });
        check_validator(kl_api_validate_dns1123_label, "label", "",
                        (const char *const[]){ LABEL_1123_MSG, NULL });
        check_validator(kl_api_validate_dns1123_label, "label", S63 "a",
                        (const char *const[]){ "must be no more than 63 characters", NULL });
        check_validator(kl_api_validate_dns1123_label, "label", S63 ".a",
                        (const char *const[]){ "must be no more than 63 characters",
                                               "must not contain dots", NULL });

        check_validator(kl_api_validate_dns1035_label, "dns1035", "web", none);
        check_validator(kl_api_validate_dns1035_label, "dns1035", "a", none);
        check_validator(kl_api_validate_dns1035_label, "dns1035", "1web",
                        (const char *const[]){ LABEL_1035_MSG, NULL });
        check_validator(kl_api_validate_dns1035_label, "dns1035", "web-",
                        (const char *const[]){ LABEL_1035_MSG, NULL });
        check_validator(kl_api_validate_dns1035_label, "dns1035", S63 "a",
                        (const char *const[]){ "must be no more than 63 characters", NULL });
}

Test(validation, messages_append)
{
        kl_autostrv char **msgs = NULL;

        cr_expect_eq(kl_api_validate_label_value("a b", &msgs), 1);
        cr_expect_eq(kl_api_validate_dns1123_label("a.b", &msgs), 1);
        cr_assert_eq(kl_strv_length(msgs), 2);
        cr_expect_str_eq(msgs[1], "must not contain dots");
}

Test(go_quote, like_strconv_quote)
{
        static const struct {
                const char *in;
                size_t len;
                const char *out;
        } cases[] = {
                { "abc", 3, "\"abc\"" },
                { "", 0, "\"\"" },
                { "a\"b\\", 4, "\"a\\\"b\\\\\"" },
                { "\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"" },
                { "\x01\x1f\x7f", 3, "\"\\x01\\x1f\\x7f\"" },
                { "a\0b", 3, "\"a\\x00b\"" },
                { "\xff\xc3", 2, "\"\\xff\\xc3\"" },
                { "\xed\xa0\x80", 3, "\"\\xed\\xa0\\x80\"" }, /* a surrogate is not UTF-8 */
                { "\xc0\xaf", 2, "\"\\xc0\\xaf\"" },          /* nor is an overlong form */
                { "é ключ 😀", 16, "\"é ключ 😀\"" },
                { "\xc2\x80\xc2\xa0\xc2\xad\xc2\xa1", 8, "\"\\u0080\\u00a0\\u00ad¡\"" },
                { "\xe2\x80\x8b\xef\xbb\xbf", 6, "\"\\u200b\\ufeff\"" },
                { "\xee\x80\x80\xf3\xb0\x80\x80", 7, "\"\\ue000\\U000f0000\"" },
                { "\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\"" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;

                cr_assert_eq(kl_api_go_quote(&b, cases[i].in, cases[i].len), 0);
                cr_expect_str_eq(b.buf, cases[i].out, "case %zu", i);
        }
}

Test(go_quote, full_buffer_is_unchanged)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT_MAX(8);

        cr_assert_eq(kl_buf_puts(&b, "ab"), 0);
        cr_expect_eq(kl_api_go_quote(&b, "0123456789", 10), -E2BIG);
        cr_expect_str_eq(b.buf, "ab");
        cr_expect_eq(b.len, 2);
}
