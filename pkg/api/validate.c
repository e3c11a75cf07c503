/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field error lists, their upstream rendering and the 422 Status, the walk
 * context and value renderers every validate-*.c file uses, the ObjectMeta
 * rules, and the dispatch from a resource row to its kind's validator.
 */
#include <string.h>

#include "api/selector.h"
#include "api/validate-internal.h"
#include "api/validate.h"
#include "base/base.h"

/*
 * ---------------------------------------------------------------------------
 * Error lists
 */

static const struct {
        const char *text;
        const char *reason;
} error_types[KL_API_FIELD_ERR__COUNT] = {
        [KL_API_FIELD_ERR_NOT_FOUND] = { "Not found", "FieldValueNotFound" },
        [KL_API_FIELD_ERR_REQUIRED] = { "Required value", "FieldValueRequired" },
        [KL_API_FIELD_ERR_DUPLICATE] = { "Duplicate value", "FieldValueDuplicate" },
        [KL_API_FIELD_ERR_INVALID] = { "Invalid value", "FieldValueInvalid" },
        [KL_API_FIELD_ERR_NOT_SUPPORTED] = { "Unsupported value", "FieldValueNotSupported" },
        [KL_API_FIELD_ERR_FORBIDDEN] = { "Forbidden", "FieldValueForbidden" },
        [KL_API_FIELD_ERR_TOO_LONG] = { "Too long", "FieldValueTooLong" },
        [KL_API_FIELD_ERR_TOO_MANY] = { "Too many", "FieldValueTooMany" },
        [KL_API_FIELD_ERR_INTERNAL] = { "Internal error", "InternalError" },
};

const char *kl_api_field_error_type_string(enum kl_api_field_error_type type)
{
        if ((unsigned)type >= KL_API_FIELD_ERR__COUNT)
                return "Invalid value";
        return error_types[type].text;
}

const char *kl_api_field_error_type_reason(enum kl_api_field_error_type type)
{
        if ((unsigned)type >= KL_API_FIELD_ERR__COUNT)
                return "FieldValueInvalid";
        return error_types[type].reason;
}

void kl_api_field_errors_release(struct kl_api_field_errors *errs)
{
        for (size_t i = 0; i < errs->n; i++) {
                free(errs->items[i].field);
                free(errs->items[i].value);
                free(errs->items[i].detail);
        }
        free(errs->items);
        *errs = (struct kl_api_field_errors)KL_API_FIELD_ERRORS_INIT;
}

void kl_api_field_errors_add_take(struct kl_api_field_errors *errs,
                                  enum kl_api_field_error_type type, const char *field, char *value,
                                  const char *detail)
{
        kl_autofree char *owned = value;

        if (errs->n >= KL_API_FIELD_ERRORS_MAX) {
                errs->dropped++;
                return;
        }
        if (errs->n == errs->alloc) {
                errs->alloc = errs->alloc ? errs->alloc * 2 : 8;
                errs->items = kl_realloc(errs->items, errs->alloc * sizeof(*errs->items));
        }
        errs->items[errs->n++] = (struct kl_api_field_error){
                .type = type,
                .field = kl_strdup(field ? field : ""),
                .value = KL_TAKE_PTR(owned),
                .detail = kl_strdup(detail ? detail : ""),
        };
}

/*
 * Required, Forbidden, TooLong and Internal never print their value, and
 * the others always do (field.Error.ErrorBody()).
 */
static bool prints_value(enum kl_api_field_error_type type)
{
        return type != KL_API_FIELD_ERR_REQUIRED && type != KL_API_FIELD_ERR_FORBIDDEN &&
               type != KL_API_FIELD_ERR_TOO_LONG && type != KL_API_FIELD_ERR_INTERNAL;
}

char *kl_api_field_error_body(const struct kl_api_field_error *e)
{
        struct kl_buf b = KL_BUF_INIT;

        (void)kl_buf_puts(&b, kl_api_field_error_type_string(e->type));
        if (prints_value(e->type) && e->value)
                (void)kl_buf_printf(&b, ": %s", e->value);
        if (e->detail && *e->detail)
                (void)kl_buf_printf(&b, ": %s", e->detail);
        return kl_buf_detach(&b, NULL);
}

char *kl_api_field_error_string(const struct kl_api_field_error *e)
{
        kl_autofree char *body = kl_api_field_error_body(e);

        return kl_asprintf("%s: %s", e->field, body);
}

/*
 * ---------------------------------------------------------------------------
 * The 422 Status
 */

void kl_api_validate_status_parts(const struct kl_api_resource *r, const char *name,
                                  const struct kl_api_field_errors *errs, char **ret_message,
                                  json_t **ret_details)
{
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        json_auto_t *seen = json_object();
        json_auto_t *details = NULL;
        json_t *causes = json_array();
        size_t n_unique = 0, i;

        if (!name)
                name = "";
        kl_assert(seen && causes);

        (void)kl_buf_puts(&msg, r->kind);
        if (*r->group)
                (void)kl_buf_printf(&msg, ".%s", r->group);
        (void)kl_buf_putc(&msg, ' ');
        (void)kl_api_go_quote(&msg, name, strlen(name));
        (void)kl_buf_puts(&msg, " is invalid");

        /*
         * ErrorList.ToAggregate() drops errors whose text repeats an earlier
         * one, and the aggregate prints one error bare and several as "[a,
         * b]". The causes keep every error.
         */
        {
                kl_autobuf struct kl_buf agg = KL_BUF_INIT;

                for (i = 0; i < errs->n; i++) {
                        kl_autofree char *text = kl_api_field_error_string(&errs->items[i]);

                        if (json_object_get(seen, text))
                                continue;
                        kl_assert(json_object_set_new(seen, text, json_true()) == 0);
                        if (n_unique++ > 0)
                                (void)kl_buf_puts(&agg, ", ");
                        (void)kl_buf_puts(&agg, text);
                }
                if (n_unique == 1)
                        (void)kl_buf_printf(&msg, ": %s", agg.buf);
                else if (n_unique > 1)
                        (void)kl_buf_printf(&msg, ": [%s]", agg.buf);
        }

        for (i = 0; i < errs->n; i++) {
                const struct kl_api_field_error *e = &errs->items[i];
                kl_autofree char *body = kl_api_field_error_body(e);

                kl_assert(json_array_append_new(
                                  causes, json_pack("{s:s, s:s, s:s}", "reason",
                                                    kl_api_field_error_type_reason(e->type),
                                                    "message", body, "field", e->field)) == 0);
        }

        details = json_pack("{s:s}", "name", name);
        kl_assert(details);
        if (*r->group)
                kl_assert(json_object_set_new(details, "group", json_string(r->group)) == 0);
        kl_assert(json_object_set_new(details, "kind", json_string(r->kind)) == 0);
        kl_assert(json_object_set_new(details, "causes", causes) == 0);

        if (ret_message)
                *ret_message = kl_buf_detach(&msg, NULL);
        if (ret_details)
                *ret_details = KL_TAKE_PTR(details);
}

json_t *kl_api_validate_status(const struct kl_api_resource *r, const char *name,
                               const struct kl_api_field_errors *errs)
{
        kl_autofree char *message = NULL;
        json_t *details = NULL;
        json_t *status;

        kl_api_validate_status_parts(r, name, errs, &message, &details);
        status = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:o, s:i}", "kind", "Status",
                           "apiVersion", "v1", "metadata", "status", "Failure", "message", message,
                           "reason", "Invalid", "details", details, "code", 422);
        kl_assert(status);
        return status;
}

/*
 * ---------------------------------------------------------------------------
 * The walk context
 */

void kl_api__vctx_init(struct kl_api__vctx *v, struct kl_api_field_errors *errs)
{
        *v = (struct kl_api__vctx){ .errs = errs };
        kl_buf_init(&v->path, SIZE_MAX);
}

void kl_api__vctx_release(struct kl_api__vctx *v)
{
        kl_buf_release(&v->path);
}

size_t kl_api__vpush(struct kl_api__vctx *v, const char *child)
{
        size_t mark = v->path.len;

        if (v->path.len > 0)
                (void)kl_buf_putc(&v->path, '.');
        (void)kl_buf_puts(&v->path, child);
        return mark;
}

size_t kl_api__vpush_index(struct kl_api__vctx *v, size_t index)
{
        size_t mark = v->path.len;

        (void)kl_buf_printf(&v->path, "[%zu]", index);
        return mark;
}

size_t kl_api__vpush_key(struct kl_api__vctx *v, const char *key)
{
        size_t mark = v->path.len;

        (void)kl_buf_printf(&v->path, "[%s]", key);
        return mark;
}

void kl_api__vpop(struct kl_api__vctx *v, size_t mark)
{
        kl_buf_truncate(&v->path, mark);
}

void kl_api__v_add_take(struct kl_api__vctx *v, enum kl_api_field_error_type type,
                        const char *child, char *value_take, const char *detail)
{
        size_t mark = v->path.len;

        if (child)
                (void)kl_api__vpush(v, child);
        kl_api_field_errors_add_take(v->errs, type, v->path.buf, value_take, detail);
        kl_api__vpop(v, mark);
}

void kl_api__v_required(struct kl_api__vctx *v, const char *child, const char *detail)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_REQUIRED, child, NULL, detail);
}

void kl_api__v_forbidden(struct kl_api__vctx *v, const char *child, const char *detail)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_FORBIDDEN, child, NULL, detail);
}

/*
 * field.TooLong() as of v1.32, which no longer prints the value and says
 * "may not be more than N bytes" (it said "must have at most N bytes"
 * before).
 */
void kl_api__v_too_long(struct kl_api__vctx *v, const char *child, size_t max)
{
        kl_autofree char *detail =
                kl_asprintf("may not be more than %zu %s", max, max == 1 ? "byte" : "bytes");

        kl_api__v_add_take(v, KL_API_FIELD_ERR_TOO_LONG, child, NULL, detail);
}

void kl_api__v_invalid_str(struct kl_api__vctx *v, const char *child, const char *value,
                           const char *detail)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_INVALID, child, kl_api_go_quoted(value), detail);
}

void kl_api__v_invalid_int(struct kl_api__vctx *v, const char *child, int64_t value,
                           const char *detail)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_INVALID, child,
                           kl_asprintf("%lld", (long long)value), detail);
}

void kl_api__v_invalid_take(struct kl_api__vctx *v, const char *child, char *value_take,
                            const char *detail)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_INVALID, child, value_take, detail);
}

void kl_api__v_duplicate_take(struct kl_api__vctx *v, const char *child, char *value_take)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_DUPLICATE, child, value_take, NULL);
}

void kl_api__v_not_found_str(struct kl_api__vctx *v, const char *child, const char *value)
{
        kl_api__v_add_take(v, KL_API_FIELD_ERR_NOT_FOUND, child, kl_api_go_quoted(value), NULL);
}

void kl_api__v_not_supported(struct kl_api__vctx *v, const char *child, const char *value,
                             const char *const *valid)
{
        kl_autobuf struct kl_buf detail = KL_BUF_INIT;

        for (size_t i = 0; valid && valid[i]; i++) {
                (void)kl_buf_puts(&detail, i == 0 ? "supported values: " : ", ");
                (void)kl_api_go_quote(&detail, valid[i], strlen(valid[i]));
        }
        kl_api__v_add_take(v, KL_API_FIELD_ERR_NOT_SUPPORTED, child, kl_api_go_quoted(value),
                           detail.buf);
}

void kl_api__v_msgs(struct kl_api__vctx *v, const char *child, const char *value, char **msgs)
{
        kl_autostrv char **owned = msgs;

        for (size_t i = 0; owned && owned[i]; i++)
                kl_api__v_invalid_str(v, child, value, owned[i]);
}

void kl_api__v_nonneg(struct kl_api__vctx *v, const json_t *obj, const char *key)
{
        int64_t n;

        if (kl_api__jint(obj, key, &n) && n < 0)
                kl_api__v_invalid_int(v, key, n, "must be greater than or equal to 0");
}

void kl_api__v_immutable(struct kl_api__vctx *v, const char *child, const json_t *new_value,
                         const json_t *old_value)
{
        if (json_is_null(new_value))
                new_value = NULL;
        if (json_is_null(old_value))
                old_value = NULL;
        if (!new_value && !old_value)
                return;
        if (new_value && old_value && json_equal(new_value, old_value))
                return;
        kl_api__v_invalid_take(v, child, new_value ? kl_api__go_json(new_value) : kl_strdup("null"),
                               "field is immutable");
}

/*
 * ---------------------------------------------------------------------------
 * Name rules (apimachinery's ValidateNameFunc family)
 */

/*
 * A generateName prefix may end in '-'; upstream validates it by replacing
 * the last two characters with "a" (maskTrailingDash), and so do we, so the
 * messages about the prefix are the same.
 */
static char *mask_trailing_dash(const char *name)
{
        size_t len = strlen(name);

        if (len > 1 && name[len - 1] == '-')
                return kl_asprintf("%.*sa", (int)(len - 2), name);
        return kl_strdup(name);
}

size_t kl_api__name_dns1123_subdomain(const char *name, bool prefix, char ***msgs)
{
        kl_autofree char *n = prefix ? mask_trailing_dash(name) : kl_strdup(name);

        return kl_api_validate_dns1123_subdomain(n, msgs);
}

size_t kl_api__name_dns1123_label(const char *name, bool prefix, char ***msgs)
{
        kl_autofree char *n = prefix ? mask_trailing_dash(name) : kl_strdup(name);

        return kl_api_validate_dns1123_label(n, msgs);
}

size_t kl_api__name_dns1035_label(const char *name, bool prefix, char ***msgs)
{
        kl_autofree char *n = prefix ? mask_trailing_dash(name) : kl_strdup(name);

        return kl_api_validate_dns1035_label(n, msgs);
}

/*
 * ---------------------------------------------------------------------------
 * Value renderers
 */

char *kl_api__json_compact(const json_t *value)
{
        char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);

        return text ? text : kl_strdup("null");
}

static bool all_strings_object(const json_t *o)
{
        const char *k;
        json_t *m;

        json_object_foreach((json_t *)o, k, m) {
                if (!json_is_string(m))
                        return false;
        }
        return true;
}

static bool all_strings_array(const json_t *a)
{
        size_t i;
        json_t *m;

        json_array_foreach(a, i, m) {
                if (!json_is_string(m))
                        return false;
        }
        return true;
}

const char **kl_api__sorted_keys(const json_t *o, size_t *ret_n)
{
        size_t n = json_object_size(o), i = 0;
        const char **keys = kl_calloc(n + 1, sizeof(*keys));
        const char *k;
        json_t *m;

        json_object_foreach((json_t *)o, k, m)
                keys[i++] = k;
        qsort(keys, n, sizeof(*keys), kl_api__strcmp_p);
        *ret_n = n;
        return keys;
}

int kl_api__strcmp_p(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void go_string_map(struct kl_buf *b, const json_t *o)
{
        size_t n, i;
        kl_autofree const char **keys = NULL;

        if (!o) {
                (void)kl_buf_puts(b, "map[string]string(nil)");
                return;
        }
        keys = kl_api__sorted_keys(o, &n);
        (void)kl_buf_puts(b, "map[string]string{");
        for (i = 0; i < n; i++) {
                const char *val = json_string_value(json_object_get(o, keys[i]));

                if (i > 0)
                        (void)kl_buf_puts(b, ", ");
                (void)kl_api_go_quote(b, keys[i], strlen(keys[i]));
                (void)kl_buf_putc(b, ':');
                (void)kl_api_go_quote(b, val ? val : "", val ? strlen(val) : 0);
        }
        (void)kl_buf_putc(b, '}');
}

char *kl_api__go_json(const json_t *value)
{
        struct kl_buf b = KL_BUF_INIT;
        size_t i;
        json_t *m;

        if (!value || json_is_null(value))
                return kl_strdup("null");
        if (json_is_string(value))
                return kl_api_go_quoted(json_string_value(value));
        if (json_is_integer(value))
                return kl_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(value));
        if (json_is_real(value))
                return kl_asprintf("%g", json_real_value(value));
        if (json_is_boolean(value))
                return kl_strdup(json_is_true(value) ? "true" : "false");
        if (json_is_object(value) && all_strings_object(value)) {
                go_string_map(&b, value);
                return kl_buf_detach(&b, NULL);
        }
        if (json_is_array(value) && all_strings_array(value)) {
                (void)kl_buf_puts(&b, "[]string{");
                json_array_foreach(value, i, m) {
                        if (i > 0)
                                (void)kl_buf_puts(&b, ", ");
                        (void)kl_api_go_quote(&b, json_string_value(m), json_string_length(m));
                }
                (void)kl_buf_putc(&b, '}');
                return kl_buf_detach(&b, NULL);
        }
        return kl_api__json_compact(value);
}

/*
 * The gogo-generated (*LabelSelector).String(), which v1.32's field errors
 * call for a selector: `&LabelSelector{MatchLabels:map[string]string{app:
 * web,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement
 * {Key:tier,Operator:In,Values:[a b],},},}` (keys sorted, nothing quoted).
 */
char *kl_api__go_selector(const json_t *selector)
{
        struct kl_buf b = KL_BUF_INIT;
        json_t *ml = kl_api__jobj(selector, "matchLabels");
        json_t *me = kl_api__jarr(selector, "matchExpressions");
        json_t *req;
        size_t i, j, n = 0;

        if (!selector || json_is_null(selector))
                return kl_strdup("null");
        (void)kl_buf_puts(&b, "&LabelSelector{MatchLabels:map[string]string{");
        if (ml) {
                kl_autofree const char **keys = kl_api__sorted_keys(ml, &n);

                for (i = 0; i < n; i++) {
                        const char *val = json_string_value(json_object_get(ml, keys[i]));

                        (void)kl_buf_printf(&b, "%s: %s,", keys[i], val ? val : "");
                }
        }
        (void)kl_buf_puts(&b, "},MatchExpressions:[]LabelSelectorRequirement{");
        json_array_foreach(me, i, req) {
                json_t *vals = kl_api__jarr(req, "values"), *val;

                (void)kl_buf_printf(&b, "LabelSelectorRequirement{Key:%s,Operator:%s,Values:[",
                                    kl_api__jstr0(req, "key"), kl_api__jstr0(req, "operator"));
                json_array_foreach(vals, j, val) {
                        const char *s = json_string_value(val);

                        (void)kl_buf_printf(&b, "%s%s", j > 0 ? " " : "", s ? s : "");
                }
                (void)kl_buf_puts(&b, "],},");
        }
        (void)kl_buf_puts(&b, "},}");
        return kl_buf_detach(&b, NULL);
}

char *kl_api__go_intstr(const json_t *value)
{
        if (json_is_string(value))
                return kl_strdup(json_string_value(value));
        if (json_is_integer(value))
                return kl_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(value));
        return kl_strdup("0");
}

/*
 * ---------------------------------------------------------------------------
 * Tolerant readers
 */

const char *kl_api__jstr(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

const char *kl_api__jstr0(const json_t *o, const char *key)
{
        const char *s = kl_api__jstr(o, key);

        return s ? s : "";
}

json_t *kl_api__jobj(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        return json_is_object(m) ? m : NULL;
}

json_t *kl_api__jarr(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        return json_is_array(m) ? m : NULL;
}

bool kl_api__jint(const json_t *o, const char *key, int64_t *ret)
{
        json_t *m = json_object_get(o, key);

        if (!json_is_integer(m))
                return false;
        *ret = json_integer_value(m);
        return true;
}

bool kl_api__jtrue(const json_t *o, const char *key)
{
        return json_is_true(json_object_get(o, key));
}

bool kl_api__jhas(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        return m && !json_is_null(m);
}

size_t kl_api__jlen(const json_t *value)
{
        if (json_is_object(value))
                return json_object_size(value);
        if (json_is_array(value))
                return json_array_size(value);
        return 0;
}

/*
 * ---------------------------------------------------------------------------
 * Labels, annotations, selectors, ports
 */

void kl_api__v_labels(struct kl_api__vctx *v, const char *child, const json_t *labels)
{
        kl_autofree const char **keys = NULL;
        size_t n, i;

        if (!json_is_object(labels))
                return;
        /* Go walks the map in random order; sorted keys make the output stable. */
        keys = kl_api__sorted_keys(labels, &n);
        for (i = 0; i < n; i++) {
                const char *val = kl_api__jstr0(labels, keys[i]);
                char **msgs = NULL;

                (void)kl_api_validate_qualified_name(keys[i], &msgs);
                kl_api__v_msgs(v, child, keys[i], msgs);
                msgs = NULL;
                (void)kl_api_validate_label_value(val, &msgs);
                kl_api__v_msgs(v, child, val, msgs);
        }
}

/* apimachinery's TotalAnnotationSizeLimitB. */
#define ANNOTATIONS_MAX_BYTES ((size_t)256 << 10)

void kl_api__v_annotations(struct kl_api__vctx *v, const char *child, const json_t *annotations)
{
        kl_autofree const char **keys = NULL;
        size_t n, i, total = 0;

        if (!json_is_object(annotations))
                return;
        keys = kl_api__sorted_keys(annotations, &n);
        for (i = 0; i < n; i++) {
                kl_autofree char *lower = kl_strdup(keys[i]);
                char **msgs = NULL;

                /* Upstream checks the lower-cased key but reports the key as written. */
                for (char *p = lower; *p; p++)
                        if (*p >= 'A' && *p <= 'Z')
                                *p = (char)(*p - 'A' + 'a');
                (void)kl_api_validate_qualified_name(lower, &msgs);
                kl_api__v_msgs(v, child, keys[i], msgs);
                total += strlen(keys[i]) + strlen(kl_api__jstr0(annotations, keys[i]));
        }
        if (total > ANNOTATIONS_MAX_BYTES)
                kl_api__v_too_long(v, child, ANNOTATIONS_MAX_BYTES);
}

void kl_api__v_label_selector(struct kl_api__vctx *v, const char *child, const json_t *selector)
{
        json_t *exprs, *req, *vals, *val;
        size_t mark, i, j;

        if (!json_is_object(selector))
                return;
        mark = child ? kl_api__vpush(v, child) : v->path.len;
        kl_api__v_labels(v, "matchLabels", kl_api__jobj(selector, "matchLabels"));
        exprs = kl_api__jarr(selector, "matchExpressions");
        json_array_foreach(exprs, i, req) {
                const char *op = kl_api__jstr0(req, "operator");
                const char *key = kl_api__jstr0(req, "key");
                size_t m2 = kl_api__vpush(v, "matchExpressions");
                char **msgs = NULL;

                (void)kl_api__vpush_index(v, i);
                vals = kl_api__jarr(req, "values");
                if (kl_streq(op, "In") || kl_streq(op, "NotIn")) {
                        if (kl_api__jlen(vals) == 0)
                                kl_api__v_required(
                                        v, "values",
                                        "must be specified when `operator` is 'In' or 'NotIn'");
                } else if (kl_streq(op, "Exists") || kl_streq(op, "DoesNotExist")) {
                        if (kl_api__jlen(vals) > 0)
                                kl_api__v_forbidden(v, "values",
                                                    "may not be specified when `operator` is "
                                                    "'Exists' or 'DoesNotExist'");
                } else {
                        kl_api__v_invalid_str(v, "operator", op, "not a valid selector operator");
                }
                (void)kl_api_validate_qualified_name(key, &msgs);
                kl_api__v_msgs(v, "key", key, msgs);
                json_array_foreach(vals, j, val) {
                        const char *s = json_is_string(val) ? json_string_value(val) : "";
                        size_t m3 = kl_api__vpush(v, "values");

                        msgs = NULL;
                        (void)kl_api__vpush_index(v, j);
                        (void)kl_api_validate_label_value(s, &msgs);
                        kl_api__v_msgs(v, NULL, s, msgs);
                        kl_api__vpop(v, m3);
                }
                kl_api__vpop(v, m2);
        }
        kl_api__vpop(v, mark);
}

bool kl_api__port_ok(int64_t port)
{
        return port >= 1 && port <= 65535;
}

/* validation.IsValidPortName: an IANA service name. */
size_t kl_api__port_name_msgs(const char *name, char ***msgs)
{
        size_t len = strlen(name), before = kl_strv_length(*msgs);
        bool charset = len > 0, letter = false;

        if (len > 15)
                kl_strv_push(msgs, "must be no more than 15 characters");
        for (const char *p = name; *p; p++) {
                if (*p >= 'a' && *p <= 'z')
                        letter = true;
                else if (!(*p >= '0' && *p <= '9') && *p != '-')
                        charset = false;
        }
        if (!charset)
                kl_strv_push(
                        msgs,
                        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        else if (!letter)
                kl_strv_push(msgs, "must contain at least one letter (a-z)");
        if (strstr(name, "--"))
                kl_strv_push(msgs, "must not contain consecutive hyphens");
        if (len > 0 && (name[0] == '-' || name[len - 1] == '-'))
                kl_strv_push(msgs, "must not begin or end with a hyphen");
        return kl_strv_length(*msgs) - before;
}

void kl_api__v_port_num_or_name(struct kl_api__vctx *v, const json_t *obj, const char *key)
{
        json_t *port = json_object_get(obj, key);

        if (json_is_string(port)) {
                char **msgs = NULL;

                (void)kl_api__port_name_msgs(json_string_value(port), &msgs);
                kl_api__v_msgs(v, key, json_string_value(port), msgs);
                return;
        }
        {
                int64_t n = json_is_integer(port) ? json_integer_value(port) : 0;

                if (!kl_api__port_ok(n))
                        kl_api__v_invalid_int(v, key, n, "must be between 1 and 65535, inclusive");
        }
}

size_t kl_api__config_key_msgs(const char *key, char ***msgs)
{
        size_t len = strlen(key), before = kl_strv_length(*msgs);
        bool ok = len > 0;

        if (len > 253)
                kl_strv_push(msgs, "must be no more than 253 characters");
        for (const char *p = key; *p; p++) {
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
                        ok = false;
        }
        if (!ok)
                kl_strv_push(msgs, "a valid config key must consist of alphanumeric characters, "
                                   "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                                   "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
        if (kl_streq(key, "."))
                kl_strv_push(msgs, "must not be '.'");
        else if (kl_streq(key, ".."))
                kl_strv_push(msgs, "must not be '..'");
        else if (kl_startswith(key, ".."))
                kl_strv_push(msgs, "must not start with '..'");
        return kl_strv_length(*msgs) - before;
}

size_t kl_api__env_name_msgs(const char *name, char ***msgs)
{
        size_t before = kl_strv_length(*msgs);

        if (!*name)
                kl_strv_push(msgs, "environment variable name must be non-empty");
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
                if (*p < 0x20 || *p > 0x7e || *p == '=') {
                        kl_strv_push(msgs, "a valid environment variable name must consist only "
                                           "of printable ASCII characters other than '='");
                        break;
                }
        }
        return kl_strv_length(*msgs) - before;
}

/*
 * ---------------------------------------------------------------------------
 * ObjectMeta
 */

static void v_owner_references(struct kl_api__vctx *v, const json_t *refs)
{
        const char *first_controller = NULL;
        kl_autofree char *first_owned = NULL;
        json_t *ref;
        size_t i;

        json_array_foreach(refs, i, ref) {
                const char *api_version = kl_api__jstr0(ref, "apiVersion");
                const char *slash = strchr(api_version, '/');
                const char *version = slash ? slash + 1 : api_version;

                /* schema.ParseGroupVersion: more than one '/' is no version at all. */
                if (slash && strchr(slash + 1, '/'))
                        version = "";
                if (!*version)
                        kl_api__v_invalid_str(v, "apiVersion", api_version,
                                              "version must not be empty");
                if (!*kl_api__jstr0(ref, "kind"))
                        kl_api__v_invalid_str(v, "kind", "", "kind must not be empty");
                if (!*kl_api__jstr0(ref, "name"))
                        kl_api__v_invalid_str(v, "name", "", "name must not be empty");
                if (!*kl_api__jstr0(ref, "uid"))
                        kl_api__v_invalid_str(v, "uid", "", "uid must not be empty");
                if (kl_api__jtrue(ref, "controller")) {
                        kl_autofree char *cur = kl_asprintf("%s/%s", kl_api__jstr0(ref, "kind"),
                                                            kl_api__jstr0(ref, "name"));

                        if (first_controller) {
                                kl_autofree char *detail = kl_asprintf(
                                        "Only one reference can have Controller set to true. "
                                        "Found \"true\" in references for %s and %s",
                                        first_controller, cur);

                                kl_api__v_invalid_take(v, NULL, kl_api__json_compact(refs), detail);
                        } else {
                                first_owned = KL_TAKE_PTR(cur);
                                first_controller = first_owned;
                        }
                }
        }
}

static void v_finalizers(struct kl_api__vctx *v, const json_t *finalizers)
{
        bool orphan = false, foreground = false;
        json_t *f;
        size_t i;

        json_array_foreach(finalizers, i, f) {
                const char *s = json_is_string(f) ? json_string_value(f) : "";
                char **msgs = NULL;

                (void)kl_api_validate_qualified_name(s, &msgs);
                kl_api__v_msgs(v, NULL, s, msgs);
                orphan |= kl_streq(s, "orphan");
                foreground |= kl_streq(s, "foregroundDeletion");
        }
        if (orphan && foreground)
                kl_api__v_invalid_take(
                        v, NULL, kl_api__go_json(finalizers),
                        "finalizer orphan and foregroundDeletion cannot be both set");
}

void kl_api__v_object_meta(struct kl_api__vctx *v, const json_t *obj, bool namespaced,
                           kl_api__name_fn *name_fn)
{
        json_t *meta = kl_api__jobj(obj, "metadata");
        const char *gen_name = kl_api__jstr0(meta, "generateName");
        const char *name = kl_api__jstr0(meta, "name");
        const char *ns = kl_api__jstr0(meta, "namespace");
        size_t mark = kl_api__vpush(v, "metadata");
        char **msgs = NULL;

        if (*gen_name) {
                (void)name_fn(gen_name, true, &msgs);
                kl_api__v_msgs(v, "generateName", gen_name, msgs);
                msgs = NULL;
        }
        if (!*name) {
                kl_api__v_required(v, "name", "name or generateName is required");
        } else {
                (void)name_fn(name, false, &msgs);
                kl_api__v_msgs(v, "name", name, msgs);
                msgs = NULL;
        }
        if (namespaced) {
                if (!*ns) {
                        kl_api__v_required(v, "namespace", "");
                } else {
                        (void)kl_api_validate_dns1123_label(ns, &msgs);
                        kl_api__v_msgs(v, "namespace", ns, msgs);
                }
        } else if (*ns) {
                kl_api__v_forbidden(v, "namespace", "not allowed on this type");
        }
        kl_api__v_nonneg(v, meta, "generation");
        kl_api__v_labels(v, "labels", kl_api__jobj(meta, "labels"));
        kl_api__v_annotations(v, "annotations", kl_api__jobj(meta, "annotations"));
        {
                size_t m2 = kl_api__vpush(v, "ownerReferences");

                v_owner_references(v, kl_api__jarr(meta, "ownerReferences"));
                kl_api__vpop(v, m2);
                m2 = kl_api__vpush(v, "finalizers");
                v_finalizers(v, kl_api__jarr(meta, "finalizers"));
                kl_api__vpop(v, m2);
        }
        kl_api__vpop(v, mark);
}

void kl_api__v_object_meta_update(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *meta = kl_api__jobj(obj, "metadata");
        json_t *old_meta = kl_api__jobj(old, "metadata");
        size_t mark = kl_api__vpush(v, "metadata");
        int64_t gen = 0, old_gen = 0;

        if (kl_api__jhas(old_meta, "deletionTimestamp")) {
                json_t *fins = kl_api__jarr(meta, "finalizers"), *f;
                json_t *old_fins = kl_api__jarr(old_meta, "finalizers"), *of;
                json_auto_t *extra = json_array();
                size_t i, j;

                json_array_foreach(fins, i, f) {
                        bool found = false;

                        json_array_foreach(old_fins, j, of) {
                                if (json_equal(f, of)) {
                                        found = true;
                                        break;
                                }
                        }
                        if (!found)
                                kl_assert(json_array_append(extra, f) == 0);
                }
                if (json_array_size(extra) > 0) {
                        kl_autofree char *list = kl_api__go_json(extra);
                        kl_autofree char *detail = kl_asprintf(
                                "no new finalizers can be added if the object is being deleted, "
                                "found new finalizers %s",
                                list);

                        kl_api__v_forbidden(v, "finalizers", detail);
                }
        }
        if (kl_api__jint(meta, "generation", &gen) &&
            kl_api__jint(old_meta, "generation", &old_gen) && gen < old_gen)
                kl_api__v_invalid_int(v, "generation", gen, "must not be decremented");
        kl_api__v_immutable(v, "name", json_object_get(meta, "name"),
                            json_object_get(old_meta, "name"));
        kl_api__v_immutable(v, "namespace", json_object_get(meta, "namespace"),
                            json_object_get(old_meta, "namespace"));
        kl_api__v_immutable(v, "uid", json_object_get(meta, "uid"),
                            json_object_get(old_meta, "uid"));
        kl_api__vpop(v, mark);
}

/*
 * ---------------------------------------------------------------------------
 * Dispatch
 */

typedef void validate_fn(struct kl_api__vctx *v, const json_t *obj, const json_t *old);

static const struct {
        const char *group;
        const char *kind;
        validate_fn *fn;
} validators[] = {
        { "", "Pod", kl_api__validate_pod },
        { "", "Service", kl_api__validate_service },
        { "", "ConfigMap", kl_api__validate_configmap },
        { "", "Secret", kl_api__validate_secret },
        { "", "Namespace", kl_api__validate_namespace },
        { "", "Node", kl_api__validate_node },
        { "apps", "Deployment", kl_api__validate_deployment },
        { "apps", "ReplicaSet", kl_api__validate_replicaset },
        { "apps", "StatefulSet", kl_api__validate_statefulset },
        { "apps", "DaemonSet", kl_api__validate_daemonset },
        { "batch", "Job", kl_api__validate_job },
        { "batch", "CronJob", kl_api__validate_cronjob },
};

size_t kl_api_validate(const struct kl_api_resource *r, const json_t *obj, const json_t *old,
                       struct kl_api_field_errors *errs)
{
        struct kl_api__vctx v;
        size_t before = errs->n + errs->dropped;
        validate_fn *fn = NULL;

        kl_assert(json_is_object(obj));
        for (size_t i = 0; i < KL_ARRAY_SIZE(validators); i++) {
                if (kl_streq(validators[i].group, r->group) &&
                    kl_streq(validators[i].kind, r->kind)) {
                        fn = validators[i].fn;
                        break;
                }
        }
        kl_api__vctx_init(&v, errs);
        if (fn) {
                fn(&v, obj, old);
        } else {
                /* Every other kind gets upstream's generic rules for names and metadata. */
                kl_api__v_object_meta(&v, obj, r->namespaced, kl_api__name_dns1123_subdomain);
                if (old)
                        kl_api__v_object_meta_update(&v, obj, old);
        }
        kl_api__vctx_release(&v);
        return errs->n + errs->dropped - before;
}
