/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenAPI v3 component schemas from the schema tables, in the shape the API
 * server's own documents have, so that kubectl's three readers of them work:
 * the fieldValidation gate (x-kubernetes-group-version-kind), client-side
 * strategic merge (properties all the way down, x-kubernetes-patch-*), and
 * explain (type, format, items, additionalProperties, $ref/allOf, required).
 *
 * Upstream wraps every $ref in allOf because every property has a
 * description beside it; we write no descriptions (upstream's text may not be
 * copied), so a $ref is wrapped only when something else sits beside it.
 * kubectl follows both forms. The special types get upstream's schemas:
 * Time and MicroTime are date-time strings, Quantity and IntOrString are
 * oneOf pairs with the x-kubernetes-int-or-string marker that explain
 * recognises, RawExtension and FieldsV1 are plain objects, and the Go
 * []string types (ExtraValue, Verbs) are inlined as arrays, as openapi-gen
 * does for named non-struct types.
 */
#include "api/schema.h"

#include <stdio.h>
#include <string.h>

#include "api/schema-internal.h"
#include "base/base.h"

#define REF_PREFIX "#/components/schemas/"

/* How deep inline embedding may nest (two levels in v1.32). */
#define INLINE_MAX_DEPTH 8

static void set_new(json_t *obj, const char *key, json_t *value)
{
        if (!value || json_object_set_new(obj, key, value) < 0)
                kl_oom();
}

static json_t *type_schema(const char *type, const char *format)
{
        json_t *s = json_object();

        if (!s)
                kl_oom();
        if (type)
                set_new(s, "type", json_string(type));
        if (format)
                set_new(s, "format", json_string(format));
        return s;
}

static json_t *one_of(const char *a, const char *b)
{
        json_t *arr = json_array();

        if (!arr || json_array_append_new(arr, type_schema(a, NULL)) < 0 ||
            json_array_append_new(arr, type_schema(b, NULL)) < 0)
                kl_oom();
        return arr;
}

/* The component schema of a special message. New. */
static json_t *special_schema(enum kl_api_special sp)
{
        json_t *s;

        switch (sp) {
        case KL_API_SPECIAL_TIME:
        case KL_API_SPECIAL_MICRO_TIME:
                return type_schema("string", "date-time");
        case KL_API_SPECIAL_DURATION:
                return type_schema("string", NULL);
        case KL_API_SPECIAL_QUANTITY:
                s = type_schema(NULL, NULL);
                set_new(s, "oneOf", one_of("string", "number"));
                set_new(s, "x-kubernetes-int-or-string", json_true());
                return s;
        case KL_API_SPECIAL_INT_OR_STRING:
                s = type_schema(NULL, "int-or-string");
                set_new(s, "oneOf", one_of("integer", "string"));
                set_new(s, "x-kubernetes-int-or-string", json_true());
                return s;
        case KL_API_SPECIAL_STRING_LIST:
                s = type_schema("array", NULL);
                set_new(s, "items", type_schema("string", NULL));
                return s;
        case KL_API_SPECIAL_RAW_EXTENSION:
        case KL_API_SPECIAL_FIELDS_V1:
        default:
                return type_schema("object", NULL);
        }
}

static json_t *ref_schema(const struct kl_api_message *m)
{
        char name[KL_API_MESSAGE_NAME_MAX];
        char ref[KL_API_MESSAGE_NAME_MAX + sizeof(REF_PREFIX)];
        json_t *s = json_object();

        (void)snprintf(ref, sizeof(ref), REF_PREFIX "%s",
                       kl_api_message_name(m, name, sizeof(name)));
        if (!s)
                kl_oom();
        set_new(s, "$ref", json_string(ref));
        return s;
}

/* The schema of one value of `f` (an element, a map value). New. */
static json_t *value_schema(const struct kl_api_field *f)
{
        const struct kl_api_message *m;

        switch (kl_api_field_type(f)) {
        case KL_API_TYPE_STRING:
                return type_schema("string", NULL);
        case KL_API_TYPE_BYTES:
                return type_schema("string", "byte");
        case KL_API_TYPE_BOOL:
                return type_schema("boolean", NULL);
        case KL_API_TYPE_INT32:
                return type_schema("integer", "int32");
        case KL_API_TYPE_INT64:
        case KL_API_TYPE_UINT32:
                return type_schema("integer", "int64");
        case KL_API_TYPE_UINT64:
                return type_schema("integer", NULL);
        case KL_API_TYPE_DOUBLE:
                return type_schema("number", "double");
        case KL_API_TYPE_FLOAT:
                return type_schema("number", "float");
        case KL_API_TYPE_MESSAGE:
        default:
                m = kl_api_field_message(f);
                if (kl_api_message_special(m) == KL_API_SPECIAL_STRING_LIST)
                        return special_schema(KL_API_SPECIAL_STRING_LIST);
                return ref_schema(m);
        }
}

static const char *map_type_name(enum kl_api_map_type t)
{
        return t == KL_API_MAP_ATOMIC ? "atomic" : t == KL_API_MAP_GRANULAR ? "granular" : NULL;
}

/* The property schema of field `f`, with its list, map and patch extensions. New. */
static json_t *property_schema(const struct kl_api_field *f)
{
        unsigned flags = kl_api_field_flags(f);
        unsigned strategy = kl_api_field_patch_strategy(f);
        const char *merge_key = kl_api_field_merge_key(f);
        const char *map_type = map_type_name(kl_api_field_map_type(f));
        json_t *v = value_schema(f);
        json_t *p;

        if (flags & KL_API_FIELD_REPEATED) {
                static const char *const list_types[KL_API_LIST__COUNT] = {
                        [KL_API_LIST_ATOMIC] = "atomic",
                        [KL_API_LIST_SET] = "set",
                        [KL_API_LIST_MAP] = "map",
                };
                const char *lt = list_types[kl_api_field_list_type(f)];

                p = type_schema("array", NULL);
                set_new(p, "items", v);
                if (lt)
                        set_new(p, "x-kubernetes-list-type", json_string(lt));
                if (kl_api_field_list_map_key(f, 0)) {
                        json_t *keys = json_array();

                        if (!keys)
                                kl_oom();
                        for (size_t i = 0; kl_api_field_list_map_key(f, i); i++)
                                if (json_array_append_new(
                                            keys, json_string(kl_api_field_list_map_key(f, i))) < 0)
                                        kl_oom();
                        set_new(p, "x-kubernetes-list-map-keys", keys);
                }
        } else if (flags & KL_API_FIELD_MAP) {
                p = type_schema("object", NULL);
                set_new(p, "additionalProperties", v);
        } else if (json_object_get(v, "$ref") && (strategy || merge_key || map_type)) {
                json_t *all = json_array();

                if (!all || json_array_append_new(all, v) < 0)
                        kl_oom();
                p = json_object();
                if (!p)
                        kl_oom();
                set_new(p, "allOf", all);
        } else {
                p = v;
        }

        if (map_type)
                set_new(p, "x-kubernetes-map-type", json_string(map_type));
        if (merge_key)
                set_new(p, "x-kubernetes-patch-merge-key", json_string(merge_key));
        if (strategy) {
                char buf[64];

                (void)snprintf(
                        buf, sizeof(buf), "%s%s%s%s%s",
                        strategy & KL_API_PATCH_MERGE ? "merge" : "",
                        (strategy & KL_API_PATCH_MERGE) && (strategy & ~KL_API_PATCH_MERGE) ? ","
                                                                                            : "",
                        strategy & KL_API_PATCH_RETAIN_KEYS ? "retainKeys" : "",
                        (strategy & KL_API_PATCH_RETAIN_KEYS) && (strategy & KL_API_PATCH_REPLACE)
                                ? ","
                                : "",
                        strategy & KL_API_PATCH_REPLACE ? "replace" : "");
                set_new(p, "x-kubernetes-patch-strategy", json_string(buf));
        }
        return p;
}

/*
 * The properties and required names of `m` into `props`/`required`,
 * flattening inline-embedded structs. Messages to emit are pushed on `todo`.
 */
static void add_properties(const struct kl_api_message *m, json_t *props, json_t *required,
                           const struct kl_api_message **todo, size_t *n_todo, size_t max_todo,
                           unsigned depth)
{
        for (size_t i = 0; i < kl_api_message_n_fields(m); i++) {
                const struct kl_api_field *f = kl_api_message_field_at(m, i);
                const struct kl_api_message *ref = kl_api_field_message(f);
                unsigned flags = kl_api_field_flags(f);

                if (flags & KL_API_FIELD_INLINE) {
                        if (depth < INLINE_MAX_DEPTH)
                                add_properties(ref, props, required, todo, n_todo, max_todo,
                                               depth + 1);
                        continue;
                }
                if (ref && kl_api_message_special(ref) != KL_API_SPECIAL_STRING_LIST) {
                        kl_assert(*n_todo < max_todo);
                        todo[(*n_todo)++] = ref;
                }
                set_new(props, kl_api_field_name(f), property_schema(f));
                if ((flags & KL_API_FIELD_REQUIRED) &&
                    json_array_append_new(required, json_string(kl_api_field_name(f))) < 0)
                        kl_oom();
        }
}

/* The component schema of `m`. New. */
static json_t *message_schema(const struct kl_api_message *m, const struct kl_api_message **todo,
                              size_t *n_todo, size_t max_todo)
{
        const char *map_type = map_type_name(kl_api_message_map_type(m));
        json_t *s, *props, *required;

        if (kl_api_message_special(m) != KL_API_SPECIAL_NONE &&
            kl_api_message_special(m) != KL_API_SPECIAL_UNKNOWN)
                return special_schema(kl_api_message_special(m));

        s = type_schema("object", NULL);
        props = json_object();
        required = json_array();
        if (!props || !required)
                kl_oom();
        if (kl_api_message_flags(m) & KL_API_MESSAGE_TYPEMETA) {
                set_new(props, "apiVersion", type_schema("string", NULL));
                set_new(props, "kind", type_schema("string", NULL));
        }
        add_properties(m, props, required, todo, n_todo, max_todo, 0);
        set_new(s, "properties", props);
        if (json_array_size(required) > 0)
                set_new(s, "required", required);
        else
                json_decref(required);
        if (map_type)
                set_new(s, "x-kubernetes-map-type", json_string(map_type));
        return s;
}

static bool gvk_equal(const json_t *e, const struct kl_api_gvk *g)
{
        return kl_streq_null(json_string_value(json_object_get(e, "group")), g->group) &&
               kl_streq_null(json_string_value(json_object_get(e, "version")), g->version) &&
               kl_streq_null(json_string_value(json_object_get(e, "kind")), g->kind);
}

static int add_gvks(json_t *schema, const struct kl_api_gvk *gvks, size_t n_gvks,
                    struct kl_err **err)
{
        json_t *list = json_object_get(schema, "x-kubernetes-group-version-kind");

        if (n_gvks == 0)
                return 0;
        if (!list) {
                list = json_array();
                set_new(schema, "x-kubernetes-group-version-kind", list);
        } else if (!json_is_array(list)) {
                return kl_err_set(err, -EINVAL,
                                  "openapi: x-kubernetes-group-version-kind is not an array");
        }
        for (size_t i = 0; i < n_gvks; i++) {
                bool present = false;
                size_t k;
                json_t *e;

                if (!gvks[i].group || !gvks[i].version || !gvks[i].kind)
                        return kl_err_set(err, -EINVAL, "openapi: incomplete group/version/kind");
                json_array_foreach(list, k, e) {
                        if (gvk_equal(e, &gvks[i]))
                                present = true;
                }
                if (present)
                        continue;
                e = json_pack("{s:s, s:s, s:s}", "group", gvks[i].group, "kind", gvks[i].kind,
                              "version", gvks[i].version);
                if (!e)
                        return kl_err_set(err, -EINVAL, "openapi: group/version/kind is not text");
                if (json_array_append_new(list, e) < 0)
                        kl_oom();
        }
        return 0;
}

int kl_api_openapi_add_schemas(json_t *schemas, const struct kl_api_message *m,
                               const struct kl_api_gvk *gvks, size_t n_gvks, struct kl_err **err)
{
        /*
         * A work list instead of recursion: schemas nest about 20 deep, but
         * one message can reach hundreds (a PodSpec), each pushed once per
         * referencing field. Every message pushes at most its field count, and an embedded
         * struct's fields are pushed for each of its few embedders.
         */
        size_t max_todo = 2 * kl_api__schema_n_fields + 1;
        kl_autofree const struct kl_api_message **todo =
                kl_calloc(max_todo, sizeof(const struct kl_api_message *));
        char name[KL_API_MESSAGE_NAME_MAX];
        size_t n_todo = 0;
        int added = 0;
        json_t *root;
        int r;

        if (!json_is_object(schemas) || !m)
                return kl_err_set(err, -EINVAL, "openapi: no schemas object or message");

        todo[n_todo++] = m;
        while (n_todo > 0) {
                const struct kl_api_message *cur = todo[--n_todo];

                kl_api_message_name(cur, name, sizeof(name));
                if (json_object_get(schemas, name))
                        continue;
                set_new(schemas, name, message_schema(cur, todo, &n_todo, max_todo));
                added++;
        }

        root = json_object_get(schemas, kl_api_message_name(m, name, sizeof(name)));
        if (!json_is_object(root))
                return kl_err_set(err, -EINVAL, "openapi: schema '%s' is not an object", name);
        r = add_gvks(root, gvks, n_gvks, err);
        if (r < 0)
                return r;
        return added;
}
