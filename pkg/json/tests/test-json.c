/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "testing/testing.h"
#include "json/json.h"

static json_t *decode_ok(const char *text)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;
        int r = kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e);

        cr_assert_eq(r, 0, "decode failed (%d): %s\ninput: <<%s>>", r, kl_err_msg(e), text);
        return v;
}

/* The encoding of `v` with `flags`, owned by the caller. */
static char *encode(const json_t *v, unsigned flags)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT;
        int r = kl_json_encode(v, flags, &b, &e);

        cr_assert_eq(r, 0, "encode failed (%d): %s", r, kl_err_msg(e));
        return kl_buf_detach(&b, NULL);
}

static void expect_decode_error(const char *text, size_t len, size_t max, int want, const char *msg)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = (json_t *)0x1;
        int r = kl_json_decode(text, len, max, &v, &e);

        cr_expect_eq(r, want, "<<%s>>: want %d, got %d", text, want, r);
        cr_assert_not_null(e);
        cr_expect_str_eq(e->msg, msg);
        cr_expect_eq(v, (json_t *)0x1, "written on failure");
        for (const char *p = e->msg; *p; p++)
                cr_expect((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                          "unprintable byte in '%s'", e->msg);
}

Test(json_decode, any_value_at_the_top)
{
        json_auto_t *o = decode_ok("{\"a\": [1, 2.5, \"x\", true, null]}");
        json_auto_t *n = decode_ok(" 42 ");
        json_auto_t *s = decode_ok("\"caf\\u00e9\"");
        json_auto_t *z = decode_ok("null");

        cr_expect(json_is_object(o));
        cr_expect_eq(json_integer_value(n), 42);
        cr_expect_str_eq(json_string_value(s), "caf\xc3\xa9");
        cr_expect(json_is_null(z));
}

Test(json_decode, errors_carry_line_and_column)
{
        static const char multi[] = "{\n  \"a\": 1\n  \"b\": 2\n}";

        expect_decode_error("{\"a\": 1,}", 9, 100, -EINVAL,
                            "invalid JSON at line 1, column 9: string or '}' expected near '}'");
        expect_decode_error(multi, strlen(multi), 100, -EINVAL,
                            "invalid JSON at line 3, column 5: '}' expected near '\"b\"'");
        expect_decode_error("", 0, 100, -EINVAL,
                            "invalid JSON at line 1, column 0: unexpected token near end of file");
        expect_decode_error("{} x", 4, 100, -EINVAL,
                            "invalid JSON at line 1, column 4: end of file expected near 'x'");
        expect_decode_error("[1,2", 4, 100, -EINVAL,
                            "invalid JSON at line 1, column 4: ']' expected near end of file");
        expect_decode_error("99999999999999999999", 20, 100, -EINVAL,
                            "invalid JSON at line 1, column 20: too big integer near "
                            "'99999999999999999999'");
        /* The input's bytes never reach the message unescaped. */
        expect_decode_error("[\"\xff\"]", 4, 100, -EINVAL,
                            "invalid JSON at line 1, column 2: unable to decode byte 0xff near "
                            "'\"'");
        expect_decode_error("\xc3\xa9", 2, 100, -EINVAL,
                            "invalid JSON at line 1, column 1: invalid token near '?"
                            "?'");
        expect_decode_error("[1\x7f]", 4, 100, -EINVAL,
                            "invalid JSON at line 1, column 3: ']' expected near '?'");
        expect_decode_error("\x01", 1, 100, -EINVAL,
                            "invalid JSON at line 1, column 1: invalid token near '?'");
}

Test(json_decode, nul_in_strings_is_refused)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;
        static const char text[] = "{\"a\": \"x\\u0000y\"}";

        cr_expect_eq(kl_json_decode(text, strlen(text), 100, &v, &e), -EINVAL);
        cr_expect(strstr(e->msg, "line 1, column ") != NULL, "%s", e->msg);
        /* Raw NUL bytes in the document as well. */
        cr_expect_eq(kl_json_decode("[1]\0", 4, 100, &v, NULL), -EINVAL);
}

Test(json_decode, size_limit_is_checked_first)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *v = NULL;

        /* Not even valid JSON: the limit is decided before any parsing. */
        expect_decode_error("{{{{{{{{{{{", 11, 10, -E2BIG,
                            "JSON document of 11 bytes exceeds the limit of 10");
        cr_expect_eq(kl_json_decode("[1,2,3]", 7, 7, &v, &e), 0);
        cr_expect_eq(json_array_size(v), 3);
}

Test(json_decode, duplicate_keys_keep_the_last)
{
        json_auto_t *v = decode_ok("{\"a\": 1, \"b\": 2, \"a\": 3}");

        cr_expect_eq(json_object_size(v), 2);
        cr_expect_eq(json_integer_value(json_object_get(v, "a")), 3);
}

Test(json_decode, nesting_is_bounded)
{
        size_t n = 5000;
        kl_autofree char *deep = kl_malloc(2 * n);

        memset(deep, '[', n);
        memset(deep + n, ']', n);
        cr_expect_eq(kl_json_decode(deep, 2 * n, 2 * n, &(json_t *){ NULL }, NULL), -EINVAL);
}

Test(json_encode, canonical_sorts_keys_and_is_compact)
{
        json_auto_t *a = decode_ok("{\"b\": 1, \"a\": {\"d\": [1, 2], \"c\": \"x\"}, \"e\": null}");
        json_auto_t *b = decode_ok("{\"e\": null, \"a\": {\"c\": \"x\", \"d\": [1, 2]}, \"b\": 1}");
        kl_autofree char *ca = encode(a, KL_JSON_ENCODE_CANONICAL);
        kl_autofree char *cb = encode(b, KL_JSON_ENCODE_CANONICAL);

        cr_expect_str_eq(ca, "{\"a\":{\"c\":\"x\",\"d\":[1,2]},\"b\":1,\"e\":null}");
        cr_expect_str_eq(ca, cb, "equal objects, different bytes");
}

Test(json_encode, response_keeps_order_and_ends_with_newline)
{
        json_auto_t *v =
                decode_ok("{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"n\": [1.5, true]}");
        kl_autofree char *out = encode(v, 0);

        cr_expect_str_eq(out, "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"n\":[1.5,true]}\n");
}

Test(json_encode, pretty)
{
        json_auto_t *v = decode_ok("{\"b\": 1, \"a\": {}, \"c\": []}");
        kl_autofree char *pretty = encode(v, KL_JSON_ENCODE_PRETTY);
        kl_autofree char *sorted = encode(v, KL_JSON_ENCODE_PRETTY | KL_JSON_ENCODE_CANONICAL);

        cr_expect_str_eq(pretty, "{\n  \"b\": 1,\n  \"a\": {},\n  \"c\": []\n}");
        cr_expect_str_eq(sorted, "{\n  \"a\": {},\n  \"b\": 1,\n  \"c\": []\n}");
}

Test(json_encode, scalars_and_reals)
{
        json_auto_t *arr = decode_ok("[0.1, 1.0, 2, -0.0, 1e300, \"\\u00e9\\n\"]");
        json_auto_t *s = json_string("x");
        kl_autofree char *out = encode(arr, KL_JSON_ENCODE_CANONICAL);
        kl_autofree char *sout = encode(s, KL_JSON_ENCODE_CANONICAL);

        /* Seventeen significant digits: every double reads back as itself. */
        cr_expect_str_eq(out, "[0.10000000000000001,1.0,2,-0.0,1.0000000000000001e300,"
                              "\"\xc3\xa9\\n\"]");
        cr_expect_str_eq(sout, "\"x\"");
}

Test(json_encode, limit_leaves_the_buffer_unchanged)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT_MAX(12);
        json_auto_t *v = decode_ok("{\"abcdef\": \"ghijkl\"}");

        cr_assert_eq(kl_buf_puts(&b, "pre:"), 0);
        cr_expect_eq(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, &e), -E2BIG);
        cr_expect_str_eq(e->msg, "encode JSON: output exceeds its limit");
        cr_expect_str_eq(b.buf, "pre:");
        cr_expect_eq(b.len, 4);

        /* The response newline is the byte that does not fit. */
        kl_buf_release(&b);
        kl_buf_init(&b, 4 + 2);
        cr_assert_eq(kl_buf_puts(&b, "pre:"), 0);
        json_auto_t *empty = json_object();
        cr_expect_eq(kl_json_encode(empty, 0, &b, NULL), -E2BIG);
        cr_expect_str_eq(b.buf, "pre:");
        cr_expect_eq(kl_json_encode(empty, KL_JSON_ENCODE_CANONICAL, &b, NULL), 0);
        cr_expect_str_eq(b.buf, "pre:{}");
        kl_buf_release(&b);
}

Test(json_encode, refuses_null_and_cycles)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT;
        json_auto_t *a = json_array();
        json_t *inner = json_array();

        cr_expect_eq(kl_json_encode(NULL, 0, &b, &e), -EINVAL);
        cr_expect_str_eq(e->msg, "encode JSON: no value");
        kl_err_free(KL_TAKE_PTR(e));

        /* a -> inner -> a: jansson detects the loop while dumping. */
        cr_assert_eq(json_array_append_new(a, inner), 0);
        cr_assert_eq(json_array_append(inner, a), 0);
        cr_expect_eq(kl_json_encode(a, KL_JSON_ENCODE_CANONICAL, &b, &e), -EINVAL);
        cr_expect_str_eq(e->msg, "encode JSON: value cannot be encoded");
        cr_expect_eq(b.len, 0);
        json_array_clear(inner);
        kl_buf_release(&b);
}

Test(json_encode, golden_canonical_pod)
{
        kl_autofree char *path = kl_test_data_path("json", "pod.json");
        kl_autofree char *golden = kl_test_data_path("json", "pod.canonical.json");
        kl_autofree char *text = kl_test_read_file(path);
        json_auto_t *v = decode_ok(text);
        kl_autofree char *out = encode(v, KL_JSON_ENCODE_CANONICAL);

        if (getenv("KL_TEST_UPDATE_GOLDEN"))
                cr_assert_eq(kl_write_file_atomic(golden, out, strlen(out), 0644, 0), 0);
        kl_autofree char *want = kl_test_read_file(golden);
        cr_expect_str_eq(out, want);

        /* Canonical bytes decode to an equal value and encode to the same bytes. */
        json_auto_t *again = decode_ok(out);
        kl_autofree char *out2 = encode(again, KL_JSON_ENCODE_CANONICAL);
        cr_expect(json_equal(v, again));
        cr_expect_str_eq(out, out2);
}

Test(json, type_names)
{
        json_auto_t *v = decode_ok("[{}, [], \"s\", 1, 1.5, true, false, null]");
        static const char *const names[] = { "object", "array",   "string",  "number",
                                             "number", "boolean", "boolean", "null" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(names); i++)
                cr_expect_str_eq(kl_json_type_name(json_array_get(v, i)), names[i]);
        cr_expect_str_eq(kl_json_type_name(NULL), "nothing");
}

static const char pod[] =
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\","
        " \"metadata\": {\"name\": \"web\", \"generation\": 3,"
        "   \"labels\": {\"app.kubernetes.io/name\": \"web\"}},"
        " \"spec\": {\"nodeName\": 7, \"hostNetwork\": true, \"priority\": 1.5, \"nothing\": null,"
        "   \"containers\": [{\"name\": \"app\", \"resources\": {"
        "       \"limits\": {\"cpu\": \"500m\", \"memory\": \" 1Gi \"},"
        "       \"requests\": {\"cpu\": 0.25, \"memory\": 134217728}}},"
        "     {\"name\": \"side\"}],"
        "   \"weird\": {\"a.b\": {\"c\": 1}, \"q\\\"k\": 2, \"b\\\\s\": 3, \"\": 4}}}";

/* The getter failed with `want_r` and exactly `want_msg`. */
#define expect_fail(call, want_r, want_msg)                                             \
        do {                                                                            \
                kl_autoerr struct kl_err *e_ = NULL;                                    \
                int r_ = (call);                                                        \
                                                                                        \
                cr_expect_eq(r_, (want_r), "%s: want %d, got %d", #call, (want_r), r_); \
                cr_assert_not_null(e_, "%s: no message", #call);                        \
                cr_expect_str_eq(e_->msg, (want_msg));                                  \
        } while (0)

Test(json_get, strings_and_paths)
{
        json_auto_t *v = decode_ok(pod);
        const char *s = NULL;

        cr_assert_eq(kl_json_get_str(v, "metadata.name", &s, NULL), 0);
        cr_expect_str_eq(s, "web");
        cr_assert_eq(kl_json_get_str(v, ".metadata.name", &s, NULL), 0);
        cr_expect_str_eq(s, "web");
        cr_assert_eq(kl_json_get_str(v, "spec.containers[0].name", &s, NULL), 0);
        cr_expect_str_eq(s, "app");
        cr_assert_eq(kl_json_get_str(v, "spec.containers[1].name", &s, NULL), 0);
        cr_expect_str_eq(s, "side");
        cr_assert_eq(kl_json_get_str(v, "metadata.labels[\"app.kubernetes.io/name\"]", &s, NULL),
                     0);
        cr_expect_str_eq(s, "web");

        s = "untouched";
        expect_fail(kl_json_get_str(v, "spec.nodeName", &s, &e_), -EINVAL,
                    "'.spec.nodeName': expected string, got number");
        expect_fail(kl_json_get_str(v, "spec.missing", &s, &e_), -ENOENT,
                    "'.spec.missing': not found");
        expect_fail(kl_json_get_str(v, ".spec.containers[2].name", &s, &e_), -ENOENT,
                    "'.spec.containers[2]': not found");
        expect_fail(kl_json_get_str(v, "spec.containers.name", &s, &e_), -EINVAL,
                    "'.spec.containers': expected object, got array");
        expect_fail(kl_json_get_str(v, "spec.hostNetwork[0]", &s, &e_), -EINVAL,
                    "'.spec.hostNetwork': expected array, got boolean");
        expect_fail(kl_json_get_str(v, "kind.x", &s, &e_), -EINVAL,
                    "'.kind': expected object, got string");
        expect_fail(kl_json_get_str(v, "spec.nothing", &s, &e_), -ENOENT,
                    "'.spec.nothing': not found");
        expect_fail(kl_json_get_str(v, "spec.nothing.deeper", &s, &e_), -ENOENT,
                    "'.spec.nothing': not found");
        cr_expect_str_eq(s, "untouched", "written on failure");

        /* Without an err, the code alone: optional fields. */
        cr_expect_eq(kl_json_get_str(v, "spec.missing", &s, NULL), -ENOENT);
        cr_expect_eq(kl_json_get_str(v, "spec.nodeName", &s, NULL), -EINVAL);
}

Test(json_get, quoted_keys)
{
        json_auto_t *v = decode_ok(pod);
        int64_t i = 0;

        cr_assert_eq(kl_json_get_int64(v, "spec.weird[\"a.b\"].c", &i, NULL), 0);
        cr_expect_eq(i, 1);
        cr_assert_eq(kl_json_get_int64(v, "spec.weird[\"q\\\"k\"]", &i, NULL), 0);
        cr_expect_eq(i, 2);
        cr_assert_eq(kl_json_get_int64(v, "spec.weird[\"b\\\\s\"]", &i, NULL), 0);
        cr_expect_eq(i, 3);
        cr_assert_eq(kl_json_get_int64(v, "spec.weird[\"\"]", &i, NULL), 0);
        cr_expect_eq(i, 4);
        expect_fail(kl_json_get_int64(v, "spec.weird[\"nope\"]", &i, &e_), -ENOENT,
                    "'.spec.weird[\"nope\"]': not found");
        expect_fail(kl_json_get_int64(v, "spec.containers[\"x\"]", &i, &e_), -EINVAL,
                    "'.spec.containers': expected object, got array");
}

Test(json_get, root_and_null_root)
{
        json_auto_t *v = decode_ok(pod);
        json_auto_t *null = json_null();
        json_t *got = NULL;

        cr_assert_eq(kl_json_get(v, "", &got, NULL), 0);
        cr_expect_eq(got, v);
        cr_assert_eq(kl_json_get_object(v, ".", &got, NULL), 0);
        cr_expect_eq(got, v);
        expect_fail(kl_json_get(NULL, "metadata.name", &got, &e_), -ENOENT,
                    "'.metadata.name': not found");
        expect_fail(kl_json_get(null, "metadata", &got, &e_), -ENOENT, "'.metadata': not found");
        expect_fail(kl_json_get_array(v, "", &got, &e_), -EINVAL,
                    "'.': expected array, got object");
}

Test(json_get, typed_getters)
{
        json_auto_t *v = decode_ok(pod);
        json_t *o = NULL;
        int64_t i = 0;
        bool b = false;
        double d = 0;

        cr_assert_eq(kl_json_get_int64(v, "metadata.generation", &i, NULL), 0);
        cr_expect_eq(i, 3);
        expect_fail(kl_json_get_int64(v, "spec.priority", &i, &e_), -EINVAL,
                    "'.spec.priority': expected integer, got number");
        expect_fail(kl_json_get_int64(v, "kind", &i, &e_), -EINVAL,
                    "'.kind': expected integer, got string");
        expect_fail(kl_json_get_int64(v, "spec.gone", &i, &e_), -ENOENT, "'.spec.gone': not found");

        cr_assert_eq(kl_json_get_bool(v, "spec.hostNetwork", &b, NULL), 0);
        cr_expect(b);
        expect_fail(kl_json_get_bool(v, "kind", &b, &e_), -EINVAL,
                    "'.kind': expected boolean, got string");
        expect_fail(kl_json_get_bool(v, "spec.gone", &b, &e_), -ENOENT, "'.spec.gone': not found");

        cr_assert_eq(kl_json_get_number(v, "spec.priority", &d, NULL), 0);
        cr_expect_eq(d, 1.5);
        cr_assert_eq(kl_json_get_number(v, "metadata.generation", &d, NULL), 0);
        cr_expect_eq(d, 3.0);
        expect_fail(kl_json_get_number(v, "spec.hostNetwork", &d, &e_), -EINVAL,
                    "'.spec.hostNetwork': expected number, got boolean");
        expect_fail(kl_json_get_number(v, "spec.gone", &d, &e_), -ENOENT,
                    "'.spec.gone': not found");

        cr_assert_eq(kl_json_get_object(v, "spec", &o, NULL), 0);
        cr_expect(json_is_object(o));
        expect_fail(kl_json_get_object(v, "spec.containers", &o, &e_), -EINVAL,
                    "'.spec.containers': expected object, got array");
        expect_fail(kl_json_get_object(v, "spec.gone", &o, &e_), -ENOENT,
                    "'.spec.gone': not found");

        cr_assert_eq(kl_json_get_array(v, "spec.containers", &o, NULL), 0);
        cr_expect_eq(json_array_size(o), 2);
        expect_fail(kl_json_get_array(v, "spec", &o, &e_), -EINVAL,
                    "'.spec': expected array, got object");
        expect_fail(kl_json_get_array(v, "spec.gone", &o, &e_), -ENOENT, "'.spec.gone': not found");

        cr_assert_eq(kl_json_get(v, "spec.nodeName", &o, NULL), 0);
        cr_expect(json_is_integer(o));
        expect_fail(kl_json_get(v, "spec.gone", &o, &e_), -ENOENT, "'.spec.gone': not found");
}

Test(json_get, malformed_paths)
{
        json_auto_t *v = decode_ok(pod);
        json_t *o = NULL;

        expect_fail(kl_json_get(v, "spec..x", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec..x': empty key");
        expect_fail(kl_json_get(v, "spec.", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.': empty key");
        expect_fail(kl_json_get(v, "..", &o, &e_), -EINVAL, "invalid JSON path '..': empty key");
        expect_fail(kl_json_get(v, "spec.[0]", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.[0]': empty key");
        expect_fail(kl_json_get(v, "spec.containers[x]", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.containers[x]': an index is [digits]");
        expect_fail(kl_json_get(v, "spec.containers[-1]", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.containers[-1]': an index is [digits]");
        expect_fail(kl_json_get(v, "spec.containers[0", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.containers[0': an index is [digits]");
        expect_fail(kl_json_get(v, "spec.containers[99999999999999999999999]", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.containers[99999999999999999999999]': an index is "
                    "[digits]");
        expect_fail(kl_json_get(v, "spec[\"weird", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec[\"weird': malformed [\"key\"]");
        expect_fail(kl_json_get(v, "spec[\"a\\x\"]", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec[\"a\\x\"]': malformed [\"key\"]");
        expect_fail(kl_json_get(v, "spec.containers[0]name", &o, &e_), -EINVAL,
                    "invalid JSON path 'spec.containers[0]name': expected '.' or '[' after ']'");
}

Test(json_get, quantities)
{
        json_auto_t *v = decode_ok(pod);
        struct kl_quantity q;
        char buf[KL_QUANTITY_STRING_MAX];
        int64_t n = 0;

        cr_assert_eq(kl_json_get_quantity(v, "spec.containers[0].resources.limits.cpu", &q, NULL),
                     0);
        cr_expect_str_eq(kl_quantity_format(&q, buf, sizeof(buf)), "500m");
        cr_assert_eq(kl_quantity_milli_value(&q, &n), 0);
        cr_expect_eq(n, 500);
        /* Strings are trimmed, as Kubernetes' UnmarshalJSON does. */
        cr_assert_eq(
                kl_json_get_quantity(v, "spec.containers[0].resources.limits.memory", &q, NULL), 0);
        cr_expect_str_eq(kl_quantity_format(&q, buf, sizeof(buf)), "1Gi");
        cr_assert_eq(kl_json_get_quantity(v, "spec.containers[0].resources.requests.cpu", &q, NULL),
                     0);
        cr_expect_str_eq(kl_quantity_format(&q, buf, sizeof(buf)), "250m");
        cr_assert_eq(
                kl_json_get_quantity(v, "spec.containers[0].resources.requests.memory", &q, NULL),
                0);
        cr_expect_str_eq(kl_quantity_format(&q, buf, sizeof(buf)), "134217728");
        cr_assert_eq(kl_quantity_value(&q, &n), 0);
        cr_expect_eq(n, 134217728);

        expect_fail(kl_json_get_quantity(v, "spec.hostNetwork", &q, &e_), -EINVAL,
                    "'.spec.hostNetwork': expected quantity (string or number), got boolean");
        expect_fail(kl_json_get_quantity(v, "spec.containers[0].resources.limits.gpu", &q, &e_),
                    -ENOENT, "'.spec.containers[0].resources.limits.gpu': not found");
}

Test(json_get, quantity_errors_name_the_path)
{
        json_auto_t *v = decode_ok("{\"q\": \"1x\", \"big\": 1.5e300, \"e\": \"\"}");
        struct kl_quantity q;

        expect_fail(kl_json_get_quantity(v, "q", &q, &e_), -EINVAL,
                    "'.q': invalid quantity '1x': unknown suffix 'x' (expected n, u, m, k, M, G, "
                    "T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)");
        expect_fail(kl_json_get_quantity(v, "big", &q, &e_), -ERANGE,
                    "'.big': invalid quantity '1.5e+300': out of range (the magnitude must be "
                    "below 1e29)");
        expect_fail(kl_json_get_quantity(v, "e", &q, &e_), -EINVAL,
                    "'.e': invalid quantity '': empty string");
}

Test(json_get, quantity_from_reals_reads_like_go)
{
        static const struct {
                const char *json, *canonical;
                enum kl_quantity_format format;
        } cases[] = {
                { "0.5", "500m", KL_QUANTITY_DECIMAL_SI },
                { "0.1", "100m", KL_QUANTITY_DECIMAL_SI },
                { "2.0", "2", KL_QUANTITY_DECIMAL_SI },
                { "-0.25", "-250m", KL_QUANTITY_DECIMAL_SI },
                { "0.3", "300m", KL_QUANTITY_DECIMAL_SI },
                { "1e-7", "100e-9", KL_QUANTITY_DECIMAL_EXPONENT },
                { "1e21", "1e21", KL_QUANTITY_DECIMAL_EXPONENT },
                { "1e20", "100E", KL_QUANTITY_DECIMAL_SI },
                { "0.000001", "1u", KL_QUANTITY_DECIMAL_SI },
                { "123456789.123", "123456789123m", KL_QUANTITY_DECIMAL_SI },
                { "0.0", "0", KL_QUANTITY_DECIMAL_SI },
                { "7", "7", KL_QUANTITY_DECIMAL_SI },
                { "-3", "-3", KL_QUANTITY_DECIMAL_SI },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *doc = kl_asprintf("{\"q\": %s}", cases[i].json);
                json_auto_t *v = decode_ok(doc);
                struct kl_quantity q;
                char buf[KL_QUANTITY_STRING_MAX];

                cr_assert_eq(kl_json_get_quantity(v, "q", &q, NULL), 0, "%s", cases[i].json);
                cr_expect_str_eq(kl_quantity_format(&q, buf, sizeof(buf)), cases[i].canonical,
                                 "%s: got %s", cases[i].json, buf);
                cr_expect_eq(q.format, cases[i].format, "%s", cases[i].json);
        }
}
