/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every result is compared as canonical JSON text (sorted keys, compact), so
 * each expectation reads as the JSON a reviewer would write by hand.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "yaml/yaml.h"

#define CANON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)

static char *dump(const json_t *v)
{
        char *s = json_dumps(v, CANON_FLAGS);

        cr_assert_not_null(s);
        return s;
}

/* The stream's documents as canonical JSON; the decode must succeed. */
static char *stream_lim(const char *yaml, size_t len, const struct kl_yaml_limits *lim)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *docs = NULL;
        int r;

        r = kl_yaml_decode_stream(yaml, len, "test.yaml", lim, &docs, &e);
        cr_assert_eq(r, 0, "decode failed (%d): %s\ninput: <<%s>>", r, kl_err_msg(e), yaml);
        cr_assert(json_is_array(docs));
        return dump(docs);
}

static char *stream(const char *yaml)
{
        return stream_lim(yaml, strlen(yaml), NULL);
}

/* The single document as canonical JSON. */
static char *one(const char *yaml)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = NULL;
        int r;

        r = kl_yaml_decode_one(yaml, strlen(yaml), "test.yaml", NULL, &doc, &e);
        cr_assert_eq(r, 0, "decode failed (%d): %s\ninput: <<%s>>", r, kl_err_msg(e), yaml);
        return dump(doc);
}

#define expect_stream(yaml, expected)                                                        \
        do {                                                                                 \
                kl_autofree char *got_ = stream(yaml);                                       \
                cr_assert_str_eq(got_, (expected), "\ninput: <<%s>>", (const char *)(yaml)); \
        } while (0)

#define expect_one(yaml, expected)                                                           \
        do {                                                                                 \
                kl_autofree char *got_ = one(yaml);                                          \
                cr_assert_str_eq(got_, (expected), "\ninput: <<%s>>", (const char *)(yaml)); \
        } while (0)

static void expect_error_lim(const char *yaml, size_t len, const struct kl_yaml_limits *lim,
                             int code, const char *msg)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *docs = NULL;
        int r;

        r = kl_yaml_decode_stream(yaml, len, "test.yaml", lim, &docs, &e);
        cr_assert_eq(r, code, "want %d, got %d (%s)\ninput: <<%s>>", code, r, kl_err_msg(e), yaml);
        cr_assert_null(docs, "output written on failure");
        cr_assert_not_null(e);
        cr_assert_eq(e->code, -code);
        cr_assert_str_eq(e->msg, msg, "\ninput: <<%s>>", yaml);
}

static void expect_error(const char *yaml, int code, const char *msg)
{
        expect_error_lim(yaml, strlen(yaml), NULL, code, msg);
}

/* ---- streams ---- */

static const char manifest[] = "# A web front end.\n"
                               "apiVersion: apps/v1\n"
                               "kind: Deployment\n"
                               "metadata:\n"
                               "  name: web\n"
                               "  labels: &labels\n"
                               "    app: web\n"
                               "    tier: frontend\n"
                               "spec:\n"
                               "  replicas: 3\n"
                               "  selector:\n"
                               "    matchLabels: *labels\n"
                               "  template:\n"
                               "    metadata:\n"
                               "      labels: *labels\n"
                               "      annotations:\n"
                               "        enabled: \"true\"   # quoted: annotations are strings\n"
                               "    spec:\n"
                               "      containers:\n"
                               "      - name: nginx\n"
                               "        image: nginx:1.25\n"
                               "        args: [\"--port\", \"8080\"]\n"
                               "        ports:\n"
                               "        - containerPort: 8080\n"
                               "          protocol: TCP\n"
                               "        resources:\n"
                               "          limits: {cpu: 500m, memory: 128Mi}\n"
                               "        env:\n"
                               "        - name: DEBUG\n"
                               "          value: \"no\"\n"
                               "        - name: MODE\n"
                               "          value: on\n"
                               "        volumeMounts:\n"
                               "        - {name: config, mountPath: /etc/web, readOnly: true}\n"
                               "      volumes:\n"
                               "      - name: config\n"
                               "        configMap:\n"
                               "          name: web-config\n"
                               "          defaultMode: 0644\n"
                               "---\n"
                               "# nothing here: skipped\n"
                               "---\n"
                               "apiVersion: v1\n"
                               "kind: Service\n"
                               "metadata:\n"
                               "  name: web\n"
                               "spec:\n"
                               "  selector:\n"
                               "    app: web\n"
                               "  ports:\n"
                               "  - port: 80\n"
                               "    targetPort: 8080\n"
                               "...\n"
                               "---\n"
                               "apiVersion: v1\n"
                               "kind: ConfigMap\n"
                               "metadata: {name: web-config}\n"
                               "data:\n"
                               "  nginx.conf: |\n"
                               "    server {\n"
                               "      listen 8080;\n"
                               "    }\n"
                               "  empty: \"\"\n";

Test(stream, deployment_service_configmap)
{
        expect_stream(
                manifest,
                "[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"labels\":"
                "{\"app\":\"web\",\"tier\":\"frontend\"},\"name\":\"web\"},\"spec\":{\"replicas\":3,"
                "\"selector\":{\"matchLabels\":{\"app\":\"web\",\"tier\":\"frontend\"}},"
                "\"template\":{\"metadata\":{\"annotations\":{\"enabled\":\"true\"},\"labels\":"
                "{\"app\":\"web\",\"tier\":\"frontend\"}},\"spec\":{\"containers\":[{\"args\":"
                "[\"--port\",\"8080\"],\"env\":[{\"name\":\"DEBUG\",\"value\":\"no\"},{\"name\":"
                "\"MODE\",\"value\":\"on\"}],\"image\":\"nginx:1.25\",\"name\":\"nginx\","
                "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"resources\":"
                "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}},\"volumeMounts\":"
                "[{\"mountPath\":\"/etc/web\",\"name\":\"config\",\"readOnly\":true}]}],"
                "\"volumes\":[{\"configMap\":{\"defaultMode\":420,\"name\":\"web-config\"},"
                "\"name\":\"config\"}]}}}},"
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},"
                "\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}],\"selector\":{\"app\":"
                "\"web\"}}},"
                "{\"apiVersion\":\"v1\",\"data\":{\"empty\":\"\",\"nginx.conf\":\"server {\\n  "
                "listen 8080;\\n}\\n\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                "\"web-config\"}}]");
}

Test(stream, key_order_of_the_input_is_kept)
{
        json_auto_t *docs = NULL;
        kl_autofree char *s = NULL;

        cr_assert_eq(kl_yaml_decode_stream("b: 1\na: 2\nc: 3\n", 15, NULL, NULL, &docs, NULL), 0);
        s = json_dumps(json_array_get(docs, 0), JSON_COMPACT);
        cr_assert_str_eq(s, "{\"b\":1,\"a\":2,\"c\":3}");
}

Test(stream, empty_inputs_give_no_documents)
{
        expect_stream("", "[]");
        expect_stream("\n\n", "[]");
        expect_stream("# only a comment\n# and another\n", "[]");
        expect_stream("---\n", "[]");
        expect_stream("---\n---\n...\n", "[]");
        expect_stream("--- # comment\n...\n--- \n", "[]");
        /* kubectl skips documents that decode to null, whatever spelling. */
        expect_stream("--- null\n--- ~\n", "[]");
}

Test(stream, separators_and_scalar_documents)
{
        expect_stream("a: 1\n---\nb: 2\n", "[{\"a\":1},{\"b\":2}]");
        expect_stream("--- {a: 1}\n...\n--- [1, 2]\n", "[{\"a\":1},[1,2]]");
        expect_stream("--- hello\n--- 42\n", "[\"hello\",42]");
        expect_stream("%YAML 1.2\n---\na: 1\n", "[{\"a\":1}]");
        expect_stream("\xef\xbb\xbf"
                      "a: 1\n",
                      "[{\"a\":1}]"); /* byte order mark */
}

Test(stream, null_data_with_zero_length)
{
        json_auto_t *docs = NULL;

        cr_assert_eq(kl_yaml_decode_stream(NULL, 0, "x", NULL, &docs, NULL), 0);
        cr_assert_eq(json_array_size(docs), 0);
}

Test(stream, anchors_do_not_cross_documents)
{
        expect_error("a: &x 1\n---\nb: *x\n", -EINVAL,
                     "test.yaml: line 3, column 4: unknown anchor 'x'");
}

Test(one, single_document)
{
        expect_one("a: 1\n", "{\"a\":1}");
        expect_one("", "null");
        expect_one("# comment\n", "null");
        expect_one("---\na: 1\n---\n", "{\"a\":1}");
}

Test(one, second_document_is_an_error)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = NULL;
        const char *y = "a: 1\n---\nb: 2\n";

        cr_assert_eq(kl_yaml_decode_one(y, strlen(y), "config.yaml", NULL, &doc, &e), -EINVAL);
        cr_assert_null(doc);
        cr_assert_str_eq(e->msg, "config.yaml: line 2, column 1: expected a single document, "
                                 "found another");
}

/* ---- scalars ---- */

struct scalar_case {
        const char *yaml;
        const char *json;
};

static void check_scalars(const struct scalar_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                kl_autofree char *y = kl_asprintf("v: %s\n", cases[i].yaml);
                kl_autofree char *want = kl_asprintf("{\"v\":%s}", cases[i].json);
                kl_autofree char *got = one(y);

                cr_expect_str_eq(got, want, "scalar <<%s>>", cases[i].yaml);
        }
}

Test(scalar, yaml11_booleans_stay_strings)
{
        static const struct scalar_case cases[] = {
                { "yes", "\"yes\"" },   { "no", "\"no\"" },     { "on", "\"on\"" },
                { "off", "\"off\"" },   { "y", "\"y\"" },       { "n", "\"n\"" },
                { "Yes", "\"Yes\"" },   { "NO", "\"NO\"" },     { "On", "\"On\"" },
                { "tRue", "\"tRue\"" }, { "nULL", "\"nULL\"" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, booleans_and_nulls)
{
        static const struct scalar_case cases[] = {
                { "true", "true" },   { "True", "true" },   { "TRUE", "true" },
                { "false", "false" }, { "False", "false" }, { "FALSE", "false" },
                { "null", "null" },   { "Null", "null" },   { "NULL", "null" },
                { "~", "null" },      { "", "null" },       { "# a comment", "null" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, integers)
{
        static const struct scalar_case cases[] = {
                { "0", "0" },
                { "-0", "0" },
                { "42", "42" },
                { "+42", "42" },
                { "-42", "-42" },
                { "0777", "511" },
                { "0644", "420" },
                { "00", "0" },
                { "-0644", "-420" },
                { "0o17", "15" },
                { "0x1F", "31" },
                { "0x1f", "31" },
                { "-0x10", "-16" },
                { "9223372036854775807", "9223372036854775807" },
                { "-9223372036854775808", "-9223372036854775808" },
                { "0x7fffffffffffffff", "9223372036854775807" },
                { "0777777777777777777777", "9223372036854775807" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, integer_lookalikes_stay_strings)
{
        static const struct scalar_case cases[] = {
                { "08", "\"08\"" },
                { "09", "\"09\"" },
                { "0778", "\"0778\"" },
                { "0x", "\"0x\"" },
                { "0o", "\"0o\"" },
                { "0o8", "\"0o8\"" },
                { "0xG", "\"0xG\"" },
                { "0X1F", "\"0X1F\"" },
                { "0b101", "\"0b101\"" },
                { "1_000", "\"1_000\"" },
                { "1:20", "\"1:20\"" },
                { "+", "\"+\"" },
                { "12abc", "\"12abc\"" },
                { "1 2", "\"1 2\"" },
                { "2001-12-14", "\"2001-12-14\"" },
                { "2001-12-14t21:59:43.10-05:00", "\"2001-12-14t21:59:43.10-05:00\"" },
                { "500m", "\"500m\"" },
                { "1.2.3", "\"1.2.3\"" },
                { ".", "\".\"" },
                { "1e", "\"1e\"" },
                { "e3", "\"e3\"" },
                { "1e+", "\"1e+\"" },
                { "0x8000000000000000", "\"0x8000000000000000\"" },
                { "01777777777777777777777", "\"01777777777777777777777\"" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, floats)
{
        static const struct scalar_case cases[] = {
                { "1.5", "1.5" },
                { "-.5", "-0.5" },
                { "+.5", "0.5" },
                { ".25", "0.25" },
                { "1.", "1.0" },
                { "1e3", "1000.0" },
                { "1E3", "1000.0" },
                { "-2.5e-1", "-0.25" },
                { "1.5e+2", "150.0" },
                { "007.5", "7.5" },
                { "08.5", "8.5" },
                { "0.0", "0.0" },
                { "-0.0", "-0.0" },
                { "1e-400", "0.0" },
                /* Beyond int64: a float, as sigs.k8s.io/yaml makes it. */
                { "9223372036854775808", "9.2233720368547758e18" },
                { "-100000000000000000000", "-1e20" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, quoted_and_block_scalars_are_strings)
{
        static const struct scalar_case cases[] = {
                { "\"123\"", "\"123\"" },
                { "'0777'", "\"0777\"" },
                { "\"true\"", "\"true\"" },
                { "'null'", "\"null\"" },
                { "\"\"", "\"\"" },
                { "''", "\"\"" },
                { "\"1.5\"", "\"1.5\"" },
                { "'~'", "\"~\"" },
                { "\".inf\"", "\".inf\"" },
                { "|\n  12\n", "\"12\\n\"" },
                { ">-\n  true\n", "\"true\"" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, double_quoted_escapes)
{
        check_scalars(
                (const struct scalar_case[]){
                        { "\"a\\tb\\n\"", "\"a\\tb\\n\"" },
                        { "\"\\u00e9\"", "\"\xc3\xa9\"" },
                        { "\"nul\\0inside\"", "\"nul\\u0000inside\"" },
                        { "'it''s'", "\"it's\"" },
                        { "\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"" },
                },
                5);
}

Test(scalar, standard_tags)
{
        static const struct scalar_case cases[] = {
                { "!!str 123", "\"123\"" },
                { "!!str true", "\"true\"" },
                { "!!str", "\"\"" },
                { "!!int \"12\"", "12" },
                { "!!int '0x1F'", "31" },
                { "!!float 1", "1.0" },
                { "!!float \"2.5\"", "2.5" },
                { "!!float 0x10", "16.0" },
                { "!!bool \"true\"", "true" },
                { "!!null \"\"", "null" },
                { "!!null ~", "null" },
                { "!<tag:yaml.org,2002:int> \"7\"", "7" },
                { "!!binary aGVsbG8=", "\"aGVsbG8=\"" },
                { "!!timestamp 2001-12-14", "\"2001-12-14\"" },
                /* The non-specific tag makes a string of a plain scalar. */
                { "! 123", "\"123\"" },
                /* Unknown tags are ignored. */
                { "!custom 123", "123" },
                { "!custom \"123\"", "\"123\"" },
                { "!!python/none 5", "5" },
                { "!<tag:example.com,2024:x> true", "true" },
        };

        check_scalars(cases, KL_ARRAY_SIZE(cases));
}

Test(scalar, tags_on_collections)
{
        expect_one("!!map {a: 1}", "{\"a\":1}");
        expect_one("!!seq [1]", "[1]");
        expect_one("!custom {a: !other [1]}", "{\"a\":[1]}");
        expect_error("a: !!str {b: 1}\n", -EINVAL,
                     "test.yaml: line 1, column 4: tag '!!str' cannot be applied to a mapping");
        expect_error("a: !!map [1]\n", -EINVAL,
                     "test.yaml: line 1, column 4: tag '!!map' cannot be applied to a sequence");
        expect_error("a: !!seq x\n", -EINVAL,
                     "test.yaml: line 1, column 4: tag '!!seq' cannot be applied to a scalar");
}

Test(scalar, tag_mismatch_is_an_error)
{
        expect_error("a: !!int abc\n", -EINVAL,
                     "test.yaml: line 1, column 4: cannot decode 'abc' as !!int");
        expect_error("a: !!int 1.5\n", -EINVAL,
                     "test.yaml: line 1, column 4: cannot decode '1.5' as !!int");
        expect_error("a: !!bool yes\n", -EINVAL,
                     "test.yaml: line 1, column 4: cannot decode 'yes' as !!bool");
        expect_error("a: !!null 0\n", -EINVAL,
                     "test.yaml: line 1, column 4: cannot decode '0' as !!null");
        expect_error("a: !!float x\n", -EINVAL,
                     "test.yaml: line 1, column 4: cannot decode 'x' as !!float");
        expect_error("a: !!int 99999999999999999999\n", -EINVAL,
                     "test.yaml: line 1, column 4: integer '99999999999999999999' is out of "
                     "range for !!int");
}

Test(scalar, infinity_and_nan_are_errors)
{
        expect_error("a: .inf\n", -EINVAL,
                     "test.yaml: line 1, column 4: float '.inf' is not representable in JSON");
        expect_error("- 1\n- -.Inf\n", -EINVAL,
                     "test.yaml: line 2, column 3: float '-.Inf' is not representable in JSON");
        expect_error("a: .NaN\n", -EINVAL,
                     "test.yaml: line 1, column 4: float '.NaN' is not representable in JSON");
        expect_error("a: !!float .nan\n", -EINVAL,
                     "test.yaml: line 1, column 4: float '.nan' is not representable in JSON");
        expect_error("a: 1e400\n", -EINVAL,
                     "test.yaml: line 1, column 4: number '1e400' is out of range; infinity is "
                     "not representable in JSON");
        /* Quoted, they are just strings. */
        expect_one("a: '.inf'\n", "{\"a\":\".inf\"}");
        expect_one("a: !!str .nan\n", "{\"a\":\".nan\"}");
}

/* ---- mapping keys ---- */

Test(keys, scalar_keys_become_strings)
{
        expect_one("1: a\ntrue: b\n~: c\n0x1F: d\n1.50: e\nTrue2: f\n\"2\": g\nyes: h\n",
                   "{\"1\":\"a\",\"1.50\":\"e\",\"2\":\"g\",\"31\":\"d\",\"True2\":\"f\","
                   "\"null\":\"c\",\"true\":\"b\",\"yes\":\"h\"}");
        expect_one("? x\n: y\n", "{\"x\":\"y\"}");
        expect_one("{.inf: 1, 0777: 2, False: 3}", "{\".inf\":1,\"511\":2,\"false\":3}");
        expect_one("\"a\\0b\": 1\n", "{\"a\\u0000b\":1}");
}

Test(keys, non_scalar_keys_are_errors)
{
        expect_error("? [a, b]\n: c\n", -EINVAL,
                     "test.yaml: line 1, column 3: mapping key must be a scalar, not a sequence");
        expect_error("{a: 1}: x\n", -EINVAL,
                     "test.yaml: line 1, column 1: mapping key must be a scalar, not a mapping");
        expect_error("base: &b {a: 1}\nm:\n  *b : x\n", -EINVAL,
                     "test.yaml: line 3, column 3: mapping key must be a scalar, but alias "
                     "'*b' is a mapping");
}

Test(keys, alias_of_a_scalar_as_key)
{
        expect_one("k: &k 0x10\nm:\n  *k : v\n", "{\"k\":16,\"m\":{\"16\":\"v\"}}");
        expect_one("- &k name\n- {*k : v}\n", "[\"name\",{\"name\":\"v\"}]");
}

Test(keys, duplicates_are_errors)
{
        expect_error("metadata:\n  name: a\n  labels: {}\n  name: b\n", -EINVAL,
                     "test.yaml: line 4, column 3: duplicate key 'name'");
        expect_error("{a: 1, a: 2}", -EINVAL, "test.yaml: line 1, column 8: duplicate key 'a'");
        /* Keys that resolve to the same value collide, as in sigs.k8s.io/yaml. */
        expect_error("1: a\n0x1: b\n", -EINVAL, "test.yaml: line 2, column 1: duplicate key '1'");
        expect_error("null: a\n~: b\n", -EINVAL,
                     "test.yaml: line 2, column 1: duplicate key 'null'");
        /* The same key in different mappings is fine. */
        expect_one("a: {x: 1}\nb: {x: 2}\n", "{\"a\":{\"x\":1},\"b\":{\"x\":2}}");
}

Test(keys, duplicate_key_message_is_sanitised)
{
        expect_error("\"a\\nb\": 1\n\"a\\nb\": 2\n", -EINVAL,
                     "test.yaml: line 2, column 1: duplicate key 'a?b'");
        expect_error("? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                     ": 1\n"
                     "? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                     ": 2\n",
                     -EINVAL,
                     "test.yaml: line 3, column 3: duplicate key "
                     "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
}

/* ---- anchors, aliases, merge keys ---- */

Test(alias, scalars_and_collections_are_expanded)
{
        expect_one("a: &x 1\nb: *x\n", "{\"a\":1,\"b\":1}");
        expect_one("a: &s [1, {b: 2}]\nc: *s\n", "{\"a\":[1,{\"b\":2}],\"c\":[1,{\"b\":2}]}");
        expect_one("- &a x\n- &a y\n- *a\n", "[\"x\",\"y\",\"y\"]");
        expect_one("- &a [&a 1, *a]\n- *a\n", "[[1,1],1]");
}

Test(alias, copies_are_independent)
{
        const char *y = "a: &x {k: 1, l: [1]}\nb: *x\nc: *x\n";
        json_auto_t *doc = NULL;
        json_t *a, *b, *c;

        cr_assert_eq(kl_yaml_decode_one(y, strlen(y), NULL, NULL, &doc, NULL), 0);
        a = json_object_get(doc, "a");
        b = json_object_get(doc, "b");
        c = json_object_get(doc, "c");
        cr_assert(a != b && b != c && a != c);
        cr_assert(json_object_get(a, "l") != json_object_get(b, "l"));
        cr_assert_eq(json_object_set_new(a, "k", json_integer(2)), 0);
        cr_assert_eq(json_integer_value(json_object_get(b, "k")), 1);
        cr_assert_eq(json_integer_value(json_object_get(c, "k")), 1);
}

Test(alias, unknown_and_recursive_aliases_are_errors)
{
        expect_error("a: *nope\n", -EINVAL, "test.yaml: line 1, column 4: unknown anchor 'nope'");
        expect_error("a: &r [1, *r]\n", -EINVAL,
                     "test.yaml: line 1, column 11: alias '*r' refers to a node that contains "
                     "it; recursive structures have no JSON form");
        expect_error("b: *later\nc: &later 1\n", -EINVAL,
                     "test.yaml: line 1, column 4: unknown anchor 'later'");
}

Test(merge, single_and_list)
{
        expect_one("base: &b {cpu: 1, mem: 2}\n"
                   "small:\n"
                   "  <<: *b\n"
                   "  mem: 1\n",
                   "{\"base\":{\"cpu\":1,\"mem\":2},\"small\":{\"cpu\":1,\"mem\":1}}");
        expect_one(
                "a: &a {x: 1, y: 1}\n"
                "b: &b {y: 2, z: 2}\n"
                "c:\n"
                "  <<: [*a, *b]\n"
                "  z: 3\n",
                "{\"a\":{\"x\":1,\"y\":1},\"b\":{\"y\":2,\"z\":2},\"c\":{\"x\":1,\"y\":1,\"z\":3}}");
}

Test(merge, explicit_keys_win_wherever_they_are)
{
        expect_one("b: &b {k: merged, m: merged}\n"
                   "c:\n"
                   "  k: explicit\n"
                   "  <<: *b\n",
                   "{\"b\":{\"k\":\"merged\",\"m\":\"merged\"},\"c\":{\"k\":\"explicit\",\"m\":"
                   "\"merged\"}}");
}

Test(merge, inline_and_tagged)
{
        expect_one("c:\n  <<: {a: 1}\n  b: 2\n", "{\"c\":{\"a\":1,\"b\":2}}");
        expect_one("c:\n  !!merge <<: {a: 1}\n", "{\"c\":{\"a\":1}}");
        /* A quoted "<<" is an ordinary key. */
        expect_one("c:\n  \"<<\": {a: 1}\n", "{\"c\":{\"<<\":{\"a\":1}}}");
        /* Merged values are copies too. */
        expect_one("d: &d {l: [1]}\ne: {<<: *d}\n", "{\"d\":{\"l\":[1]},\"e\":{\"l\":[1]}}");
}

Test(merge, bad_values_are_errors)
{
        expect_error("a: &s 1\nb:\n  <<: *s\n", -EINVAL,
                     "test.yaml: line 3, column 3: the merge key '<<' needs a mapping or a "
                     "sequence of mappings");
        expect_error("b:\n  <<: [{a: 1}, 2]\n", -EINVAL,
                     "test.yaml: line 2, column 3: the merge key '<<' needs a mapping or a "
                     "sequence of mappings");
}

/* ---- block scalars, flow collections, comments ---- */

Test(block, literal_and_folded_with_chomping)
{
        expect_one("a: |\n  line1\n  line2\n\n", "{\"a\":\"line1\\nline2\\n\"}");
        expect_one("a: |-\n  line1\n  line2\n\n", "{\"a\":\"line1\\nline2\"}");
        expect_one("a: |+\n  line1\n\n\nb: 1\n", "{\"a\":\"line1\\n\\n\\n\",\"b\":1}");
        expect_one("a: >\n  one\n  two\n\n  three\n", "{\"a\":\"one two\\nthree\\n\"}");
        expect_one("a: >-\n  one\n  two\n", "{\"a\":\"one two\"}");
        expect_one("a: >+\n  one\n\n", "{\"a\":\"one\\n\\n\"}");
        expect_one("a: |2\n    indented\n  normal\n", "{\"a\":\"  indented\\nnormal\\n\"}");
        expect_one("a: >2-\n   x\n  y\n", "{\"a\":\" x\\ny\"}");
        expect_one("a: |\n  # not a comment\n", "{\"a\":\"# not a comment\\n\"}");
        expect_one("a: |\nb: 1\n", "{\"a\":\"\",\"b\":1}");
}

Test(flow, collections_and_comments)
{
        expect_one("{a: [1, 2, {b: c}], d: [], e: {}}  # trailing\n",
                   "{\"a\":[1,2,{\"b\":\"c\"}],\"d\":[],\"e\":{}}");
        expect_one("# head\na: 1 # one\n# between\nb: [x, # in flow\n  y]\n",
                   "{\"a\":1,\"b\":[\"x\",\"y\"]}");
        expect_one("[a: 1, b]", "[{\"a\":1},\"b\"]");
        expect_one("- - - deep\n", "[[[\"deep\"]]]");
        expect_one("a: b#not a comment\n", "{\"a\":\"b#not a comment\"}");
        expect_one("a: plain\n  continued\n", "{\"a\":\"plain continued\"}");
}

/* ---- syntax errors ---- */

Test(errors, positions_are_reported)
{
        expect_error("a: 1\nb: 2\nc: d: e\n", -EINVAL,
                     "test.yaml: line 3, column 5: mapping values are not allowed in this context");
        expect_error("a: \"unterminated\n", -EINVAL,
                     "test.yaml: line 2, column 1: found unexpected end of stream (while "
                     "scanning a quoted scalar at line 1, column 4)");
        expect_error("a:\n\t- b\n", -EINVAL,
                     "test.yaml: line 2, column 1: found character that cannot start any token "
                     "(while scanning for the next token at line 2, column 1)");
        expect_error("a: [1, 2\n", -EINVAL,
                     "test.yaml: line 2, column 1: did not find expected ',' or ']' (while "
                     "parsing a flow sequence at line 1, column 4)");
        expect_error("- a\nb: c\n", -EINVAL,
                     "test.yaml: line 2, column 1: did not find expected '-' indicator (while "
                     "parsing a block collection at line 1, column 1)");
}

Test(errors, invalid_utf8_is_placed)
{
        expect_error("a: 1\nb: x\xff\n", -EINVAL,
                     "test.yaml: line 2, column 5: invalid leading UTF-8 octet (#xFF)");
}

Test(errors, name_is_optional)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *docs = NULL;

        cr_assert_eq(kl_yaml_decode_stream("a: b: c", 7, NULL, NULL, &docs, &e), -EINVAL);
        cr_assert_str_eq(e->msg,
                         "line 1, column 5: mapping values are not allowed in this context");
}

Test(errors, null_err_still_returns_the_code)
{
        json_auto_t *docs = NULL;

        cr_assert_eq(kl_yaml_decode_stream("a: *x", 5, "x", NULL, &docs, NULL), -EINVAL);
        cr_assert_null(docs);
}

/* ---- limits ---- */

Test(limits, input_size_is_checked_first)
{
        struct kl_yaml_limits lim = { .max_input = 8 };

        expect_error_lim("a: 1\nb: 2\n", 10, &lim, -E2BIG,
                         "test.yaml: input is 10 bytes, more than the limit of 8");
        /* Even when the input would not parse. */
        expect_error_lim("::::::::::", 10, &lim, -E2BIG,
                         "test.yaml: input is 10 bytes, more than the limit of 8");
        kl_autofree char *ok = stream_lim("a: 1\n", 5, &lim);
        cr_assert_str_eq(ok, "[{\"a\":1}]");
}

static char *nested(size_t depth)
{
        struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; i < depth; i++)
                (void)kl_buf_putc(&b, '[');
        for (size_t i = 0; i < depth; i++)
                (void)kl_buf_putc(&b, ']');
        return kl_buf_detach(&b, NULL);
}

Test(limits, depth)
{
        struct kl_yaml_limits lim = { .max_depth = 3 };
        kl_autofree char *deep = nested(KL_YAML_DEFAULT_MAX_DEPTH + 1);
        kl_autofree char *at_limit = nested(KL_YAML_DEFAULT_MAX_DEPTH);
        kl_autofree char *s = NULL;

        s = stream_lim("a: {b: [1]}", 11, &lim);
        cr_assert_str_eq(s, "[{\"a\":{\"b\":[1]}}]");
        expect_error_lim("a: {b: [[1]]}", 13, &lim, -E2BIG,
                         "test.yaml: line 1, column 9: nesting deeper than 3 levels");
        expect_error_lim("- - - - x\n", 10, &lim, -E2BIG,
                         "test.yaml: line 1, column 7: nesting deeper than 3 levels");
        expect_error_lim(deep, strlen(deep), NULL, -E2BIG,
                         "test.yaml: line 1, column 257: nesting deeper than 256 levels");
        free(s);
        s = stream_lim(at_limit, strlen(at_limit), NULL);
        cr_assert_eq(strlen(s), 2 + 2 * KL_YAML_DEFAULT_MAX_DEPTH);
}

Test(limits, depth_counts_expanded_aliases)
{
        struct kl_yaml_limits lim = { .max_depth = 3 };
        kl_autofree char *s = NULL;

        s = stream_lim("a: &x [1]\nb: [*x]\n", 18, &lim);
        cr_assert_str_eq(s, "[{\"a\":[1],\"b\":[[1]]}]");
        expect_error_lim("a: &x [1]\nb: [[*x]]\n", 20, &lim, -E2BIG,
                         "test.yaml: line 2, column 6: alias '*x' nests deeper than 3 levels");
}

Test(limits, nodes)
{
        struct kl_yaml_limits lim = { .max_nodes = 7 };
        kl_autofree char *s = NULL;

        /* mapping, 3 keys, 3 values */
        s = stream_lim("a: 1\nb: 2\nc: 3\n", 15, &lim);
        cr_assert_str_eq(s, "[{\"a\":1,\"b\":2,\"c\":3}]");
        expect_error_lim("a: 1\nb: 2\nc: 3\nd: 4\n", 20, &lim, -E2BIG,
                         "test.yaml: line 4, column 1: more than 7 nodes with aliases expanded");
        /* An alias costs what it expands to: 1 + [ + 3 = 5, then 5 more. */
        expect_error_lim("- &x [1, 2, 3]\n- *x\n", 20, &lim, -E2BIG,
                         "test.yaml: line 2, column 3: more than 7 nodes with aliases expanded");
}

static const char billion_laughs[] =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";

Test(limits, billion_laughs_fails_fast)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *docs = NULL;
        int r;

        r = kl_yaml_decode_stream(billion_laughs, strlen(billion_laughs), "lol.yaml", NULL, &docs,
                                  &e);
        cr_assert_eq(r, -E2BIG, "%s", kl_err_msg(e));
        cr_assert_str_eq(e->msg, "lol.yaml: line 7, column 23: more than 4194304 nodes with "
                                 "aliases expanded");
}

Test(limits, expansion_within_limits_is_complete)
{
        /* 9 + 1 = 10 nodes per `a`, 9 * 10 + 1 = 91 per `b`: a small laugh is fine. */
        const char *y =
                "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b]\n";
        json_auto_t *doc = NULL;
        json_t *c;

        cr_assert_eq(kl_yaml_decode_one(y, strlen(y), NULL, NULL, &doc, NULL), 0);
        c = json_object_get(doc, "c");
        cr_assert_eq(json_array_size(c), 2);
        cr_assert_eq(json_array_size(json_array_get(json_array_get(c, 1), 8)), 9);
        cr_assert(json_array_get(c, 0) != json_array_get(c, 1));
}

Test(version, libyaml)
{
        const char *v = kl_yaml_library_version();

        cr_assert_not_null(v);
        cr_assert(kl_startswith(v, "0.") != NULL, "version '%s'", v);
}
