/* SPDX-License-Identifier: Apache-2.0 */
#include "json/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/cleanup.h"
#include "base/parse.h"
#include "base/str.h"

/*
 * JSON_DECODE_ANY: a document may be any value (patches are arrays). Not
 * JSON_REJECT_DUPLICATES: Kubernetes keeps the last of duplicated keys unless
 * the client asks for fieldValidation=Strict, and jansson's default does the
 * same. Not JSON_ALLOW_NUL: a NUL inside a string would silently truncate it
 * for every C consumer downstream.
 */
#define DECODE_FLAGS JSON_DECODE_ANY

/* jansson's own texts are ASCII, but "near '...'" quotes the input verbatim. */
static void sanitize(char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
                        *s = '?';
}

int kl_json_decode(const char *data, size_t len, size_t max, json_t **ret_value,
                   struct kl_err **err)
{
        json_error_t jerr;
        json_t *v = NULL;

        if (len > max)
                return kl_err_set(err, -E2BIG,
                                  "JSON document of %zu bytes exceeds the limit of %zu", len, max);
        v = json_loadb(data, len, DECODE_FLAGS, &jerr);
        if (!v) {
                /* Only reachable without main()'s json_set_alloc_funcs(kl_malloc, free). */
                if (json_error_code(&jerr) == json_error_out_of_memory)
                        return kl_err_set(err, -ENOMEM, "decode JSON");
                jerr.text[JSON_ERROR_TEXT_LENGTH - 1] = '\0';
                sanitize(jerr.text);
                return kl_err_set(err, -EINVAL, "invalid JSON at line %d, column %d: %s", jerr.line,
                                  jerr.column, jerr.text);
        }
        *ret_value = v;
        return 0;
}

struct dump_ctx {
        struct kl_buf *out;
        int r;
};

static int dump_cb(const char *buffer, size_t size, void *data)
{
        struct dump_ctx *ctx = data;

        ctx->r = kl_buf_append(ctx->out, buffer, size);
        return ctx->r < 0 ? -1 : 0;
}

int kl_json_encode(const json_t *value, unsigned flags, struct kl_buf *out, struct kl_err **err)
{
        struct dump_ctx ctx = { .out = out, .r = 0 };
        size_t start = out->len;
        /*
         * JSON_REAL_PRECISION stays at jansson's default of 17 significant
         * digits: every double reads back as itself, which canonical bytes need.
         */
        size_t jflags = JSON_ENCODE_ANY;

        if (!value)
                return kl_err_set(err, -EINVAL, "encode JSON: no value");
        jflags |= flags & KL_JSON_ENCODE_PRETTY ? JSON_INDENT(2) : JSON_COMPACT;
        if (flags & KL_JSON_ENCODE_CANONICAL)
                jflags |= JSON_SORT_KEYS;

        if (json_dump_callback(value, dump_cb, &ctx, jflags) < 0) {
                kl_buf_truncate(out, start);
                if (ctx.r < 0)
                        return kl_err_set(err, ctx.r, "encode JSON: output exceeds its limit");
                /* jansson refuses cycles, the only unencodable values it can hold. */
                return kl_err_set(err, -EINVAL, "encode JSON: value cannot be encoded");
        }
        if (!(flags & (KL_JSON_ENCODE_CANONICAL | KL_JSON_ENCODE_PRETTY)) &&
            kl_buf_putc(out, '\n') < 0) {
                kl_buf_truncate(out, start);
                return kl_err_set(err, -E2BIG, "encode JSON: output exceeds its limit");
        }
        return 0;
}

const char *kl_json_type_name(const json_t *value)
{
        if (!value)
                return "nothing";
        switch (json_typeof(value)) {
        case JSON_OBJECT:
                return "object";
        case JSON_ARRAY:
                return "array";
        case JSON_STRING:
                return "string";
        case JSON_INTEGER:
        case JSON_REAL:
                return "number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "boolean";
        case JSON_NULL:
                return "null";
        }
        return "unknown";
}

/*
 * Path walking. Messages name a prefix of the path as the caller wrote it,
 * always with one leading '.', so "spec.x" and ".spec.x" read the same.
 */

static int path_error(struct kl_err **err, const char *path, const char *what)
{
        return kl_err_set(err, -EINVAL, "invalid JSON path '%s': %s", path, what);
}

/* `body[0..len)` is the part of the path walked so far. */
static int not_found(struct kl_err **err, const char *body, size_t len)
{
        if (len > INT32_MAX)
                len = INT32_MAX;
        return kl_err_set_msg(err, -ENOENT, "'.%.*s': not found", (int)len, body);
}

static int wrong_type(struct kl_err **err, const char *body, size_t len, const char *want,
                      const json_t *got)
{
        if (len > INT32_MAX)
                len = INT32_MAX;
        return kl_err_set(err, -EINVAL, "'.%.*s': expected %s, got %s", (int)len, body, want,
                          kl_json_type_name(got));
}

/* A `["..."]` key: unescape it into `key`, leave *p after the closing bracket. */
static int parse_quoted_key(const char **p, struct kl_buf *key)
{
        const char *s = *p + 2; /* after `["` */

        kl_buf_reset(key);
        for (; *s && *s != '"'; s++) {
                if (*s == '\\') {
                        s++;
                        if (*s != '"' && *s != '\\')
                                return -EINVAL;
                }
                (void)kl_buf_putc(key, *s);
        }
        if (s[0] != '"' || s[1] != ']')
                return -EINVAL;
        *p = s + 2;
        return 0;
}

static int parse_index(const char **p, size_t *ret)
{
        const char *s = *p + 1; /* after `[` */
        size_t v = 0;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                if (v > (SIZE_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (size_t)(*s - '0');
        }
        if (*s != ']')
                return -EINVAL;
        *p = s + 1;
        *ret = v;
        return 0;
}

static int lookup(const json_t *root, const char *path, json_t **ret, const char **ret_body,
                  struct kl_err **err)
{
        kl_autobuf struct kl_buf key = KL_BUF_INIT;
        const char *body, *p;
        size_t walked = 0; /* body[0..walked) led to `cur` */
        /* jansson's getters take const and hand out non-const borrowed values; so do we. */
        json_t *cur = (json_t *)root;

        kl_assert(path);
        body = path[0] == '.' ? path + 1 : path;
        *ret_body = body;
        if (!cur || json_is_null(cur))
                return not_found(err, body, strlen(body));

        for (p = body; *p;) {
                json_t *next;

                if (p[0] == '[' && p[1] == '"') {
                        if (parse_quoted_key(&p, &key) < 0)
                                return path_error(err, path, "malformed [\"key\"]");
                        if (!json_is_object(cur))
                                return wrong_type(err, body, walked, "object", cur);
                        next = json_object_getn(cur, key.buf, key.len);
                } else if (p[0] == '[') {
                        size_t index;
                        int r = parse_index(&p, &index);

                        if (r < 0)
                                return path_error(err, path, "an index is [digits]");
                        if (!json_is_array(cur))
                                return wrong_type(err, body, walked, "array", cur);
                        next = json_array_get(cur, index);
                } else {
                        const char *k = p;

                        p += strcspn(p, ".[");
                        if (p == k)
                                return path_error(err, path, "empty key");
                        if (!json_is_object(cur))
                                return wrong_type(err, body, walked, "object", cur);
                        next = json_object_getn(cur, k, (size_t)(p - k));
                }

                walked = (size_t)(p - body);
                if (!next || json_is_null(next))
                        return not_found(err, body, walked);
                cur = next;

                if (*p == '.') {
                        p++;
                        if (*p == '\0' || *p == '.' || *p == '[')
                                return path_error(err, path, "empty key");
                } else if (*p != '\0' && *p != '[') {
                        return path_error(err, path, "expected '.' or '[' after ']'");
                }
        }
        *ret = cur;
        return 0;
}

enum want {
        WANT_ANY,
        WANT_OBJECT,
        WANT_ARRAY,
        WANT_STRING,
        WANT_INTEGER,
        WANT_BOOLEAN,
        WANT_NUMBER,
};

static bool matches(const json_t *v, enum want want)
{
        switch (want) {
        case WANT_ANY:
                return true;
        case WANT_OBJECT:
                return json_is_object(v);
        case WANT_ARRAY:
                return json_is_array(v);
        case WANT_STRING:
                return json_is_string(v);
        case WANT_INTEGER:
                return json_is_integer(v);
        case WANT_BOOLEAN:
                return json_is_boolean(v);
        case WANT_NUMBER:
                return json_is_number(v);
        }
        return false;
}

static const char *const want_names[] = {
        [WANT_ANY] = "value",     [WANT_OBJECT] = "object",   [WANT_ARRAY] = "array",
        [WANT_STRING] = "string", [WANT_INTEGER] = "integer", [WANT_BOOLEAN] = "boolean",
        [WANT_NUMBER] = "number",
};

static int get_typed(const json_t *root, const char *path, enum want want, json_t **ret,
                     struct kl_err **err)
{
        const char *body;
        json_t *v = NULL;
        int r;

        r = lookup(root, path, &v, &body, err);
        if (r < 0)
                return r;
        if (!matches(v, want))
                return wrong_type(err, body, strlen(body), want_names[want], v);
        *ret = v;
        return 0;
}

int kl_json_get(const json_t *root, const char *path, json_t **ret, struct kl_err **err)
{
        return get_typed(root, path, WANT_ANY, ret, err);
}

int kl_json_get_object(const json_t *root, const char *path, json_t **ret, struct kl_err **err)
{
        return get_typed(root, path, WANT_OBJECT, ret, err);
}

int kl_json_get_array(const json_t *root, const char *path, json_t **ret, struct kl_err **err)
{
        return get_typed(root, path, WANT_ARRAY, ret, err);
}

int kl_json_get_str(const json_t *root, const char *path, const char **ret, struct kl_err **err)
{
        json_t *v = NULL;
        int r = get_typed(root, path, WANT_STRING, &v, err);

        if (r < 0)
                return r;
        *ret = json_string_value(v);
        return 0;
}

int kl_json_get_int64(const json_t *root, const char *path, int64_t *ret, struct kl_err **err)
{
        json_t *v = NULL;
        int r = get_typed(root, path, WANT_INTEGER, &v, err);

        if (r < 0)
                return r;
        *ret = (int64_t)json_integer_value(v);
        return 0;
}

int kl_json_get_bool(const json_t *root, const char *path, bool *ret, struct kl_err **err)
{
        json_t *v = NULL;
        int r = get_typed(root, path, WANT_BOOLEAN, &v, err);

        if (r < 0)
                return r;
        *ret = json_is_true(v);
        return 0;
}

int kl_json_get_number(const json_t *root, const char *path, double *ret, struct kl_err **err)
{
        json_t *v = NULL;
        int r = get_typed(root, path, WANT_NUMBER, &v, err);

        if (r < 0)
                return r;
        *ret = json_number_value(v);
        return 0;
}

/*
 * A real as Kubernetes would read it. kubectl turns YAML into JSON with Go's
 * encoder, which prints a float64 as the shortest text that reads back as the
 * same double, in plain notation from 1e-6 up to 1e21 and in exponent
 * notation outside; Quantity then parses that text, so the notation decides
 * the family. The shortest digits are those of the first "%.*e" precision
 * that round-trips (seventeen significant digits always do).
 */
static int real_to_quantity(double x, struct kl_quantity *ret, struct kl_err **err)
{
        char text[40];
        double ax = fabs(x), y;
        int r;

        for (int prec = 0; prec < 17; prec++) {
                (void)snprintf(text, sizeof(text), "%.*e", prec, x);
                if (kl_parse_double(text, &y) == 0 && y == x)
                        break;
        }
        r = kl_quantity_parse(text, ret, err);
        if (r < 0)
                return r;
        ret->format = ax != 0 && (ax < 1e-6 || ax >= 1e21) ? KL_QUANTITY_DECIMAL_EXPONENT
                                                           : KL_QUANTITY_DECIMAL_SI;
        return 0;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int kl_json_get_quantity(const json_t *root, const char *path, struct kl_quantity *ret,
                         struct kl_err **err)
{
        struct kl_quantity q;
        const char *body;
        json_t *v = NULL;
        int r;

        r = lookup(root, path, &v, &body, err);
        if (r < 0)
                return r;

        if (json_is_string(v)) {
                const char *s = json_string_value(v);
                size_t len = json_string_length(v);
                kl_autofree char *trimmed = NULL;

                while (len > 0 && is_space(*s)) {
                        s++;
                        len--;
                }
                while (len > 0 && is_space(s[len - 1]))
                        len--;
                trimmed = kl_strndup(s, len);
                r = kl_quantity_parse(trimmed, &q, err);
        } else if (json_is_integer(v)) {
                char text[32];

                (void)snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                r = kl_quantity_parse(text, &q, err);
        } else if (json_is_real(v)) {
                r = real_to_quantity(json_real_value(v), &q, err);
        } else {
                return wrong_type(err, body, strlen(body), "quantity (string or number)", v);
        }
        if (r < 0)
                return kl_err_wrap(err, r, "'.%s'", body);
        *ret = q;
        return 0;
}
