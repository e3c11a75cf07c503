/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fieldValidation: unknown fields and JSON type mismatches, worded as the API
 * server words them.
 *
 * Kubernetes decodes a body into its Go type with sigs.k8s.io/json, a fork of
 * encoding/json. Two kinds of findings come out of that, and we reproduce
 * both from the schema tables:
 *
 *  - unknown fields, collected by the strict decoder with their full path
 *    (array indices included): `unknown field "spec.template.spec.
 *    containers[0].imagee"`. Strict fails the request with all of them
 *    joined by ", " after "strict decoding error: "; Warn sends each as a
 *    warning; Ignore does not look;
 *  - a value of the wrong JSON type, which fails the decode whatever the
 *    mode. encoding/json keeps going after one and reports the first, as
 *    `json: cannot unmarshal <json type> into Go struct field
 *    <Struct>.<path> of type <Go type>`, where the path is the chain of JSON
 *    names from the root without array indices and <Struct> the Go type
 *    holding the field.
 */
#include "api/schema.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/schema-internal.h"
#include "base/base.h"

/* JSON nesting the walk follows; the schema itself is never deeper than about 20. */
#define CHECK_MAX_DEPTH 64

/* Quantity.UnmarshalJSON's error for anything that is not a quantity. */
#define QUANTITY_ERROR                                  \
        "quantities must match the regular expression " \
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

struct check {
        enum kl_api_field_validation mode;
        struct kl_buf path;   /* with indices: "spec.containers[0].image" */
        struct kl_buf gopath; /* Go's form, without indices: "spec.containers.image" */
        json_t *unknown;      /* new; array of `unknown field "..."` strings, or NULL */
        char *type_error;     /* owned; the first type mismatch, or NULL */
        unsigned depth;
};

enum kl_api_field_validation kl_api_field_validation_parse(const char *s)
{
        if (!s)
                return KL_API_FIELD_VALIDATION__INVALID;
        if (strcmp(s, "Ignore") == 0)
                return KL_API_FIELD_VALIDATION_IGNORE;
        if (strcmp(s, "Warn") == 0)
                return KL_API_FIELD_VALIDATION_WARN;
        if (strcmp(s, "Strict") == 0)
                return KL_API_FIELD_VALIDATION_STRICT;
        return KL_API_FIELD_VALIDATION__INVALID;
}

/* The word encoding/json uses for a JSON value's kind. */
static const char *json_word(const json_t *v)
{
        switch (json_typeof(v)) {
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
                return "bool";
        default:
                return "null";
        }
}

/* The Go type of one value of field `f` ("int32", "v1.Container"). */
static void go_elem_type(const struct kl_api_field *f, char *buf, size_t size)
{
        static const char *const names[KL_API_TYPE__COUNT] = {
                [KL_API_TYPE_STRING] = "string",  [KL_API_TYPE_BOOL] = "bool",
                [KL_API_TYPE_INT32] = "int32",    [KL_API_TYPE_INT64] = "int64",
                [KL_API_TYPE_UINT32] = "uint32",  [KL_API_TYPE_UINT64] = "uint64",
                [KL_API_TYPE_DOUBLE] = "float64", [KL_API_TYPE_FLOAT] = "float32",
                [KL_API_TYPE_BYTES] = "[]uint8",
        };
        enum kl_api_type t = kl_api_field_type(f);

        if (t == KL_API_TYPE_MESSAGE)
                (void)kl_api_message_go_name(kl_api_field_message(f), buf, size);
        else
                (void)snprintf(buf, size, "%s", names[t]);
}

/* Record the first mismatch only, as encoding/json reports the first. */
static void type_error(struct check *c, const struct kl_api_field *f, const char *value,
                       const char *prefix, const char *go_type_override)
{
        char owner[KL_API_MESSAGE_NAME_MAX];
        char type[KL_API_MESSAGE_NAME_MAX];

        if (c->type_error)
                return;
        (void)kl_api_message_go_name(kl_api__field_owner(f), owner, sizeof(owner));
        if (go_type_override)
                (void)snprintf(type, sizeof(type), "%s", go_type_override);
        else
                go_elem_type(f, type, sizeof(type));
        c->type_error =
                kl_asprintf("json: cannot unmarshal %s into Go struct field %s.%s of type %s%s",
                            value, strchr(owner, '.') + 1, c->gopath.buf, prefix, type);
}

static void unknown_field(struct check *c, const char *key)
{
        kl_autofree char *msg = NULL;

        if (c->mode == KL_API_FIELD_VALIDATION_IGNORE)
                return;
        msg = kl_asprintf("unknown field \"%s%s%s\"", c->path.buf, c->path.len ? "." : "", key);
        if (!c->unknown) {
                c->unknown = json_array();
                if (!c->unknown)
                        kl_oom();
        }
        if (json_array_append_new(c->unknown, json_string(msg)) < 0)
                kl_oom();
}

static bool fits(const struct kl_api_field *f, const json_t *v, char *what, size_t size)
{
        enum kl_api_type t = kl_api_field_type(f);
        json_int_t i;

        if (json_is_real(v)) {
                (void)snprintf(what, size, "number %.17g", json_real_value(v));
                return false;
        }
        i = json_integer_value(v);
        (void)snprintf(what, size, "number %" JSON_INTEGER_FORMAT, i);
        switch (t) {
        case KL_API_TYPE_INT32:
                return i >= INT32_MIN && i <= INT32_MAX;
        case KL_API_TYPE_UINT32:
                return i >= 0 && i <= UINT32_MAX;
        case KL_API_TYPE_UINT64:
                return i >= 0;
        default:
                return true;
        }
}

static void check_object(struct check *c, const struct kl_api_message *m, const json_t *obj);

/* One value of `f`: a scalar, or a message's JSON form. */
static void check_elem(struct check *c, const struct kl_api_field *f, const json_t *v)
{
        char what[64];

        if (json_is_null(v))
                return;
        switch (kl_api_field_type(f)) {
        case KL_API_TYPE_STRING:
        case KL_API_TYPE_BYTES:
                if (!json_is_string(v))
                        type_error(c, f, json_word(v), "", NULL);
                return;
        case KL_API_TYPE_BOOL:
                if (!json_is_boolean(v))
                        type_error(c, f, json_word(v), "", NULL);
                return;
        case KL_API_TYPE_DOUBLE:
        case KL_API_TYPE_FLOAT:
                if (!json_is_number(v))
                        type_error(c, f, json_word(v), "", NULL);
                return;
        case KL_API_TYPE_INT32:
        case KL_API_TYPE_INT64:
        case KL_API_TYPE_UINT32:
        case KL_API_TYPE_UINT64:
                if (!json_is_number(v))
                        type_error(c, f, json_word(v), "", NULL);
                else if (!fits(f, v, what, sizeof(what)))
                        type_error(c, f, what, "", NULL);
                return;
        case KL_API_TYPE_MESSAGE:
        default:
                break;
        }

        switch (kl_api_message_special(kl_api_field_message(f))) {
        case KL_API_SPECIAL_TIME:
        case KL_API_SPECIAL_MICRO_TIME:
        case KL_API_SPECIAL_DURATION:
                /* Their UnmarshalJSON reads a Go string first. */
                if (!json_is_string(v))
                        type_error(c, f, json_word(v), "", "string");
                return;
        case KL_API_SPECIAL_QUANTITY:
                if (json_is_string(v)) {
                        struct kl_quantity q;

                        if (kl_quantity_parse(json_string_value(v), &q, NULL) < 0 && !c->type_error)
                                c->type_error = kl_strdup(QUANTITY_ERROR);
                } else if (!json_is_number(v) && !c->type_error) {
                        c->type_error = kl_strdup(QUANTITY_ERROR);
                }
                return;
        case KL_API_SPECIAL_INT_OR_STRING:
                /* Anything but a string is read into the int32. */
                if (json_is_string(v))
                        return;
                if (!json_is_number(v)) {
                        type_error(c, f, json_word(v), "", "int32");
                        return;
                }
                if (json_is_real(v))
                        (void)snprintf(what, sizeof(what), "number %.17g", json_real_value(v));
                else
                        (void)snprintf(what, sizeof(what), "number %" JSON_INTEGER_FORMAT,
                                       json_integer_value(v));
                if (json_is_real(v) || json_integer_value(v) < INT32_MIN ||
                    json_integer_value(v) > INT32_MAX)
                        type_error(c, f, what, "", "int32");
                return;
        case KL_API_SPECIAL_RAW_EXTENSION:
        case KL_API_SPECIAL_FIELDS_V1:
                return;
        case KL_API_SPECIAL_STRING_LIST: {
                size_t i;
                json_t *s;

                if (!json_is_array(v)) {
                        type_error(c, f, json_word(v), "", NULL);
                        return;
                }
                json_array_foreach(v, i, s) {
                        if (!json_is_string(s) && !json_is_null(s))
                                type_error(c, f, json_word(s), "", "string");
                }
                return;
        }
        case KL_API_SPECIAL_NONE:
        case KL_API_SPECIAL_UNKNOWN:
        default:
                if (!json_is_object(v)) {
                        type_error(c, f, json_word(v), "", NULL);
                        return;
                }
                check_object(c, kl_api_field_message(f), v);
                return;
        }
}

static void check_field(struct check *c, const struct kl_api_field *f, const json_t *v)
{
        unsigned flags = kl_api_field_flags(f);
        size_t i, mark;
        const char *key;
        json_t *e;

        if (json_is_null(v))
                return;
        if (flags & KL_API_FIELD_MAP) {
                if (!json_is_object(v)) {
                        type_error(c, f, json_word(v), "map[string]", NULL);
                        return;
                }
                json_object_foreach((json_t *)v, key, e) {
                        size_t pmark = c->path.len, gmark = c->gopath.len;

                        (void)kl_buf_printf(&c->path, ".%s", key);
                        (void)kl_buf_printf(&c->gopath, ".%s", key);
                        check_elem(c, f, e);
                        kl_buf_truncate(&c->path, pmark);
                        kl_buf_truncate(&c->gopath, gmark);
                }
                return;
        }
        if (flags & KL_API_FIELD_REPEATED) {
                if (!json_is_array(v)) {
                        type_error(c, f, json_word(v), "[]", NULL);
                        return;
                }
                json_array_foreach(v, i, e) {
                        mark = c->path.len;
                        (void)kl_buf_printf(&c->path, "[%zu]", i);
                        check_elem(c, f, e);
                        kl_buf_truncate(&c->path, mark);
                }
                return;
        }
        check_elem(c, f, v);
}

static void check_object(struct check *c, const struct kl_api_message *m, const json_t *obj)
{
        const char *key;
        json_t *v;

        /* Deeper JSON than any schema: nothing known can be down there. */
        if (c->depth >= CHECK_MAX_DEPTH)
                return;
        c->depth++;
        json_object_foreach((json_t *)obj, key, v) {
                const struct kl_api_field *f = kl_api_message_field(m, key);
                size_t pmark = c->path.len, gmark = c->gopath.len;

                if (!f) {
                        if ((kl_api_message_flags(m) & KL_API_MESSAGE_TYPEMETA) &&
                            (strcmp(key, "apiVersion") == 0 || strcmp(key, "kind") == 0))
                                continue;
                        unknown_field(c, key);
                        continue;
                }
                (void)kl_buf_printf(&c->path, "%s%s", pmark ? "." : "", key);
                (void)kl_buf_printf(&c->gopath, "%s%s", gmark ? "." : "", key);
                check_field(c, f, v);
                kl_buf_truncate(&c->path, pmark);
                kl_buf_truncate(&c->gopath, gmark);
        }
        c->depth--;
}

int kl_api_schema_check(const struct kl_api_message *m, const json_t *obj,
                        enum kl_api_field_validation mode, json_t **ret_warnings,
                        struct kl_err **err)
{
        struct check c = {
                .mode = mode,
                .path = KL_BUF_INIT,
                .gopath = KL_BUF_INIT,
        };
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        json_auto_t *unknown = NULL;
        kl_autofree char *type_err = NULL;
        size_t i;
        json_t *w;

        if (!m || !json_is_object(obj))
                return kl_err_set(err, -EINVAL, "schema check: expected a JSON object, got %s",
                                  obj ? json_word(obj) : "nothing");
        if (mode < 0 || mode >= KL_API_FIELD_VALIDATION__COUNT)
                return kl_err_set(err, -EINVAL, "schema check: invalid field validation mode");

        check_object(&c, m, obj);
        kl_buf_release(&c.path);
        kl_buf_release(&c.gopath);
        unknown = c.unknown;
        type_err = c.type_error;

        if (type_err)
                return kl_err_set(err, -EINVAL, "%s", type_err);
        if (mode == KL_API_FIELD_VALIDATION_STRICT && unknown) {
                (void)kl_buf_puts(&msg, "strict decoding error: ");
                json_array_foreach(unknown, i, w) {
                        (void)kl_buf_printf(&msg, "%s%s", i ? ", " : "", json_string_value(w));
                }
                return kl_err_set(err, -EINVAL, "%s", msg.buf);
        }
        if (ret_warnings)
                *ret_warnings = KL_TAKE_PTR(unknown);
        return 0;
}
