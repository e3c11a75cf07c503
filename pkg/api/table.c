/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table building, the default printer, HumanDuration, and the helpers the
 * per-group printer files share (table-internal.h).
 */
#include "api/table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/selector.h"
#include "api/table-internal.h"
#include "json/json.h"

static const char *const type_names[] = {
        [KL_API_TABLE_TYPE_STRING] = "string", [KL_API_TABLE_TYPE_INTEGER] = "integer",
        [KL_API_TABLE_TYPE_NUMBER] = "number", [KL_API_TABLE_TYPE_BOOLEAN] = "boolean",
        [KL_API_TABLE_TYPE_DATE] = "date",
};
_Static_assert(KL_ARRAY_SIZE(type_names) == KL_API_TABLE_TYPE__COUNT, "one name per type");

const char *kl_api_table_type_name(enum kl_api_table_type type)
{
        if (type < 0 || type >= KL_API_TABLE_TYPE__COUNT)
                return "string";
        return type_names[type];
}

/*
 * ---------------------------------------------------------------------------
 * HumanDuration
 */

char *kl_api_human_duration(kl_usec_t d, char *buf, size_t size)
{
        /*
         * Read the wrapped difference back as signed without relying on implementation-defined
         * conversion of out-of-range values.
         */
        int64_t us = d > (kl_usec_t)INT64_MAX ? -(int64_t)(~d) - 1 : (int64_t)d;
        /* Go truncates towards zero (int(d.Seconds())), and so does C's division. */
        int64_t seconds = us / (int64_t)KL_USEC_PER_SEC;
        int64_t minutes, hours;

        if (seconds < -1) {
                (void)snprintf(buf, size, "<invalid>");
                return buf;
        }
        if (seconds < 0) {
                (void)snprintf(buf, size, "0s");
                return buf;
        }
        if (seconds < (int64_t)60 * 2) {
                (void)snprintf(buf, size, "%" PRId64 "s", seconds);
                return buf;
        }

        minutes = us / (int64_t)KL_USEC_PER_MIN;
        if (minutes < 10) {
                int64_t s = seconds % 60;

                if (s == 0)
                        (void)snprintf(buf, size, "%" PRId64 "m", minutes);
                else
                        (void)snprintf(buf, size, "%" PRId64 "m%" PRId64 "s", minutes, s);
                return buf;
        }
        if (minutes < (int64_t)60 * 3) {
                (void)snprintf(buf, size, "%" PRId64 "m", minutes);
                return buf;
        }

        hours = us / (int64_t)KL_USEC_PER_HOUR;
        if (hours < 8) {
                int64_t m = minutes % 60;

                if (m == 0)
                        (void)snprintf(buf, size, "%" PRId64 "h", hours);
                else
                        (void)snprintf(buf, size, "%" PRId64 "h%" PRId64 "m", hours, m);
        } else if (hours < 48) {
                (void)snprintf(buf, size, "%" PRId64 "h", hours);
        } else if (hours < (int64_t)24 * 8) {
                int64_t h = hours % 24;

                if (h == 0)
                        (void)snprintf(buf, size, "%" PRId64 "d", hours / 24);
                else
                        (void)snprintf(buf, size, "%" PRId64 "d%" PRId64 "h", hours / 24, h);
        } else if (hours < (int64_t)24 * 365 * 2) {
                (void)snprintf(buf, size, "%" PRId64 "d", hours / 24);
        } else if (hours < (int64_t)24 * 365 * 8) {
                int64_t dy = (hours / 24) % 365;

                if (dy == 0)
                        (void)snprintf(buf, size, "%" PRId64 "y", hours / 24 / 365);
                else
                        (void)snprintf(buf, size, "%" PRId64 "y%" PRId64 "d", hours / 24 / 365, dy);
        } else {
                (void)snprintf(buf, size, "%" PRId64 "y", hours / 24 / 365);
        }
        return buf;
}

/*
 * ---------------------------------------------------------------------------
 * Timestamps (the calendar arithmetic is base/time.c's).
 */

#define USEC_PER_DAY ((int64_t)86400 * (int64_t)KL_USEC_PER_SEC)

int kl_api__table_time_parse(const char *s, int64_t *ret_usec)
{
        return kl_rfc3339_parse(s, ret_usec);
}

char *kl_api__table_time_format(int64_t usec, char *buf, size_t size)
{
        /* Floor division: a time before 1970 still has a non-negative time of day. */
        int64_t days = usec / USEC_PER_DAY, rem, y;
        int m, d;

        if (usec % USEC_PER_DAY < 0)
                days--;
        rem = (usec - days * USEC_PER_DAY) / (int64_t)KL_USEC_PER_SEC;
        kl_civil_from_days(days, &y, &m, &d);
        (void)snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                       (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
        return buf;
}

/* Go's zero time.Time, 0001-01-01T00:00:00Z, which metav1 treats as "not set". */
static int64_t zero_time_usec(void)
{
        return kl_days_from_civil(1, 1, 1) * USEC_PER_DAY;
}

bool kl_api__table_time(const json_t *obj, const char *path, int64_t *ret_usec)
{
        const char *s = kl_api__table_str(obj, path);
        int64_t t;

        if (!s || kl_api__table_time_parse(s, &t) < 0 || t == zero_time_usec())
                return false;
        *ret_usec = t;
        return true;
}

char *kl_api__table_since(kl_usec_t now, int64_t t, char *buf, size_t size)
{
        /* Unsigned arithmetic wraps for a `t` after `now`; kl_api_human_duration() unwraps it. */
        return kl_api_human_duration(now - (kl_usec_t)t, buf, size);
}

/*
 * ---------------------------------------------------------------------------
 * Readers
 */

const char *kl_api__table_str(const json_t *obj, const char *path)
{
        const char *s = NULL;

        if (kl_json_get_str(obj, path, &s, NULL) < 0)
                return NULL;
        return s;
}

const char *kl_api__table_str_or(const json_t *obj, const char *path, const char *def)
{
        const char *s = kl_api__table_str(obj, path);

        return s ? s : def;
}

bool kl_api__table_has_str(const json_t *obj, const char *path)
{
        return !kl_isempty(kl_api__table_str(obj, path));
}

bool kl_api__table_get_int(const json_t *obj, const char *path, int64_t *ret)
{
        return kl_json_get_int64(obj, path, ret, NULL) == 0;
}

int64_t kl_api__table_int(const json_t *obj, const char *path, int64_t def)
{
        int64_t v;

        return kl_api__table_get_int(obj, path, &v) ? v : def;
}

bool kl_api__table_get_bool(const json_t *obj, const char *path, bool *ret)
{
        return kl_json_get_bool(obj, path, ret, NULL) == 0;
}

bool kl_api__table_bool(const json_t *obj, const char *path, bool def)
{
        bool v;

        return kl_api__table_get_bool(obj, path, &v) ? v : def;
}

json_t *kl_api__table_array(const json_t *obj, const char *path)
{
        json_t *v = NULL;

        if (kl_json_get_array(obj, path, &v, NULL) < 0)
                return NULL;
        return v;
}

json_t *kl_api__table_object(const json_t *obj, const char *path)
{
        json_t *v = NULL;

        if (kl_json_get_object(obj, path, &v, NULL) < 0)
                return NULL;
        return v;
}

size_t kl_api__table_array_len(const json_t *obj, const char *path)
{
        return json_array_size(kl_api__table_array(obj, path));
}

size_t kl_api__table_object_len(const json_t *obj, const char *path)
{
        return json_object_size(kl_api__table_object(obj, path));
}

/*
 * ---------------------------------------------------------------------------
 * Cells
 */

static void append_cell(struct kl_api_table_row *row, json_t *cell)
{
        /*
         * Cell text comes from decoded JSON (valid UTF-8) or is built from it at
         * ASCII boundaries, so json_stringn() cannot refuse it; if a bug ever made
         * it, an empty cell keeps the row the right width.
         */
        if (KL_NEVER(!cell))
                cell = json_string("");
        kl_assert(json_array_append_new(row->cells, cell) == 0);
}

void kl_api__table_cell_strn(struct kl_api_table_row *row, const char *s, size_t len)
{
        append_cell(row, json_stringn(s ? s : "", s ? len : 0));
}

void kl_api__table_cell_str(struct kl_api_table_row *row, const char *s)
{
        kl_api__table_cell_strn(row, s, s ? strlen(s) : 0);
}

void kl_api__table_cell_buf(struct kl_api_table_row *row, const struct kl_buf *b)
{
        kl_api__table_cell_strn(row, b->buf, b->len);
}

void kl_api__table_cell_printf(struct kl_api_table_row *row, const char *fmt, ...)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        va_list ap;

        va_start(ap, fmt);
        (void)kl_buf_vprintf(&b, fmt, ap);
        va_end(ap);
        kl_api__table_cell_buf(row, &b);
}

void kl_api__table_cell_int(struct kl_api_table_row *row, int64_t v)
{
        append_cell(row, json_integer((json_int_t)v));
}

void kl_api__table_cell_bool(struct kl_api_table_row *row, bool v)
{
        append_cell(row, json_boolean(v));
}

void kl_api__table_cell_bool_str(struct kl_api_table_row *row, bool v)
{
        kl_api__table_cell_str(row, v ? "True" : "False");
}

void kl_api__table_cell_since(struct kl_api_table_row *row, const json_t *obj, const char *path)
{
        char buf[KL_API_HUMAN_DURATION_MAX];
        int64_t t;

        if (!kl_api__table_time(obj, path, &t)) {
                kl_api__table_cell_str(row, "<unknown>");
                return;
        }
        kl_api__table_cell_str(row, kl_api__table_since(row->now, t, buf, sizeof(buf)));
}

void kl_api__table_cell_age(struct kl_api_table_row *row, const json_t *obj)
{
        kl_api__table_cell_since(row, obj, "metadata.creationTimestamp");
}

void kl_api__table_join(struct kl_buf *b, const char *sep, const char *s)
{
        if (b->len > 0)
                (void)kl_buf_puts(b, sep);
        (void)kl_buf_puts(b, s ? s : "");
}

void kl_api__table_cell_containers(struct kl_api_table_row *row, const json_t *obj,
                                   const char *spec_path)
{
        kl_autobuf struct kl_buf names = KL_BUF_INIT;
        kl_autobuf struct kl_buf images = KL_BUF_INIT;
        kl_autobuf struct kl_buf path = KL_BUF_INIT;
        json_t *containers, *c;
        size_t i;

        (void)kl_buf_printf(&path, "%s.containers", spec_path);
        containers = kl_api__table_array(obj, path.buf);
        /*
         * Upstream writes the separator after every container but the last, so empty names still
         * take their place in the list.
         */
        json_array_foreach(containers, i, c) {
                if (i > 0) {
                        (void)kl_buf_putc(&names, ',');
                        (void)kl_buf_putc(&images, ',');
                }
                (void)kl_buf_puts(&names, kl_api__table_str_or(c, "name", ""));
                (void)kl_buf_puts(&images, kl_api__table_str_or(c, "image", ""));
        }
        kl_api__table_cell_buf(row, &names);
        kl_api__table_cell_buf(row, &images);
}

void kl_api__table_cell_label_selector(struct kl_api_table_row *row, const json_t *obj,
                                       const char *path)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        /* A selector of the wrong JSON type reads as absent, like every mistyped field. */
        if (kl_api_label_selector_from_json(kl_api__table_object(obj, path), &sel, NULL) < 0) {
                kl_api__table_cell_str(row, "<error>");
                return;
        }
        (void)kl_api_label_selector_format(sel, &b);
        kl_api__table_cell_str(row, b.len > 0 ? b.buf : "<none>");
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void kl_api__table_strv_sort_uniq(char **v)
{
        size_t n = kl_strv_length(v), out = 0;

        if (n == 0)
                return;
        qsort(v, n, sizeof(*v), cmp_str);
        for (size_t i = 0; i < n; i++) {
                if (out > 0 && kl_streq(v[out - 1], v[i])) {
                        free(v[i]);
                        continue;
                }
                v[out++] = v[i];
        }
        v[out] = NULL;
}

void kl_api__table_cell_labels(struct kl_api_table_row *row, const json_t *obj, const char *path)
{
        kl_autostrv char **pairs = NULL;
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        json_t *map = kl_api__table_object(obj, path), *v;
        const char *key;

        /* labels.Set.String() sorts the "key=value" strings, not the keys: "a.b=x" < "a=y". */
        json_object_foreach(map, key, v)
                kl_strv_push_take(
                        &pairs,
                        kl_asprintf("%s=%s", key, json_is_string(v) ? json_string_value(v) : ""));
        if (pairs)
                qsort(pairs, kl_strv_length(pairs), sizeof(*pairs), cmp_str);
        for (size_t i = 0; pairs && pairs[i]; i++)
                kl_api__table_join(&b, ",", pairs[i]);
        kl_api__table_cell_str(row, b.len > 0 ? b.buf : "<none>");
}

const char *kl_api__table_quantity(const json_t *obj, const char *path, char *buf, size_t size,
                                   const char *absent)
{
        struct kl_quantity q;
        json_t *v = NULL;

        if (kl_json_get(obj, path, &v, NULL) < 0 || kl_json_get_quantity(obj, path, &q, NULL) < 0)
                return absent;
        if (json_is_string(v) && kl_quantity_is_verbatim(json_string_value(v)))
                return json_string_value(v);
        kl_assert(size >= KL_QUANTITY_STRING_MAX);
        return kl_quantity_format(&q, buf, size);
}

void kl_api__table_access_modes(struct kl_buf *out, const json_t *obj, const char *path)
{
        static const struct {
                const char *mode, *abbrev;
        } modes[] = {
                { "ReadWriteOnce", "RWO" },
                { "ReadOnlyMany", "ROX" },
                { "ReadWriteMany", "RWX" },
                { "ReadWriteOncePod", "RWOP" },
        };
        json_t *arr = kl_api__table_array(obj, path), *v;
        size_t i;

        for (size_t m = 0; m < KL_ARRAY_SIZE(modes); m++) {
                json_array_foreach(arr, i, v) {
                        if (json_is_string(v) && kl_streq(json_string_value(v), modes[m].mode)) {
                                kl_api__table_join(out, ",", modes[m].abbrev);
                                break;
                        }
                }
        }
}

/* Length of the Unicode White_Space character at s[0..len), or 0. */
static size_t space_at(const unsigned char *s, size_t len)
{
        uint32_t cp;

        if (len >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
                return 1;
        if (len >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
                return 2;
        if (len >= 3 && (s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
                cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
                     (uint32_t)(s[2] & 0x3f);
                if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
                    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
                        return 3;
        }
        return 0;
}

/* Length of the White_Space character ending at s[len), or 0. */
static size_t space_before(const unsigned char *s, size_t len)
{
        for (size_t n = 1; n <= 3 && n <= len; n++) {
                if (space_at(s + len - n, n) == n)
                        return n;
        }
        return 0;
}

void kl_api__table_trim_space(const char **s, size_t *len)
{
        const unsigned char *p = (const unsigned char *)*s;
        size_t n = *len, k;

        while ((k = space_at(p, n)) > 0) {
                p += k;
                n -= k;
        }
        while ((k = space_before(p, n)) > 0)
                n -= k;
        *s = (const char *)p;
        *len = n;
}

/*
 * ---------------------------------------------------------------------------
 * The default printer
 */

static const struct kl_api_table_column default_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Created At",
                .type = KL_API_TABLE_TYPE_DATE,
                .format = "",
                .description = "When the object was created: its creationTimestamp in RFC 3339 "
                               "form, in UTC.",
        },
};

static void default_row(const json_t *obj, struct kl_api_table_row *row)
{
        char buf[64];
        int64_t t;

        /* Upstream formats the zero time for a missing timestamp rather than leaving it out. */
        if (!kl_api__table_time(obj, "metadata.creationTimestamp", &t))
                t = zero_time_usec();
        kl_api__table_cell_str(row, kl_api__table_str(obj, "metadata.name"));
        kl_api__table_cell_str(row, kl_api__table_time_format(t, buf, sizeof(buf)));
}

const struct kl_api_table_printer kl_api_table_default_printer = {
        .group = "",
        .kind = "",
        KL_API__TABLE_COLUMNS(default_columns),
        .row = default_row,
};

static const struct {
        const struct kl_api_table_printer *printers;
        const size_t *count;
} printer_sets[] = {
        { kl_api__table_printers_pod, &kl_api__table_printers_pod_count },
        { kl_api__table_printers_core, &kl_api__table_printers_core_count },
        { kl_api__table_printers_apps, &kl_api__table_printers_apps_count },
        { kl_api__table_printers_batch, &kl_api__table_printers_batch_count },
        { kl_api__table_printers_other, &kl_api__table_printers_other_count },
};

const struct kl_api_table_printer *kl_api_table_printer_find(const char *group, const char *kind)
{
        if (!group)
                group = "";
        if (!kind)
                return &kl_api_table_default_printer;
        for (size_t s = 0; s < KL_ARRAY_SIZE(printer_sets); s++) {
                for (size_t i = 0; i < *printer_sets[s].count; i++) {
                        const struct kl_api_table_printer *p = &printer_sets[s].printers[i];

                        if (kl_streq(p->kind, kind) && kl_streq(p->group, group))
                                return p;
                }
        }
        return &kl_api_table_default_printer;
}

/*
 * ---------------------------------------------------------------------------
 * Building Tables
 */

enum kl_api_table_include kl_api_table_include_parse(const char *value, struct kl_err **err)
{
        kl_autobuf struct kl_buf q = KL_BUF_INIT;

        if (kl_isempty(value) || kl_streq(value, "Metadata"))
                return KL_API_TABLE_INCLUDE_METADATA;
        if (kl_streq(value, "None"))
                return KL_API_TABLE_INCLUDE_NONE;
        if (kl_streq(value, "Object"))
                return KL_API_TABLE_INCLUDE_OBJECT;
        (void)kl_api_go_quote(&q, value, strlen(value));
        return kl_err_set(err, KL_API_TABLE_INCLUDE__INVALID,
                          "unrecognized includeObject value: %s", q.buf);
}

static json_t *column_definitions(const struct kl_api_table_printer *p)
{
        json_t *cols = json_array();

        for (size_t i = 0; i < p->n_columns; i++) {
                const struct kl_api_table_column *c = &p->columns[i];
                json_t *def = json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", c->name, "type",
                                        kl_api_table_type_name(c->type), "format",
                                        c->format ? c->format : "", "description", c->description,
                                        "priority", c->priority);

                kl_assert(def);
                kl_assert(json_array_append_new(cols, def) == 0);
        }
        return cols;
}

/* The row's `object` as opts->include asks, new; NULL for NONE. */
static json_t *row_object(const struct kl_api_table_options *opts, const json_t *obj)
{
        /* jansson hands out and takes non-const values; the objects are shared, not changed. */
        json_t *o = (json_t *)obj, *md, *v;
        json_auto_t *copy = NULL;
        const char *key;

        switch (opts->include) {
        case KL_API_TABLE_INCLUDE_NONE:
                return NULL;
        case KL_API_TABLE_INCLUDE_METADATA:
                md = kl_api__table_object(obj, "metadata");
                return json_pack("{s:s, s:s, s:o}", "kind", "PartialObjectMetadata", "apiVersion",
                                 "meta.k8s.io/v1", "metadata",
                                 md ? json_incref(md) : json_object());
        case KL_API_TABLE_INCLUDE_OBJECT:
                break;
        default:
                kl_bug("invalid include policy");
        }

        if (kl_api__table_str(obj, "kind") && kl_api__table_str(obj, "apiVersion"))
                return json_incref(o);

        /*
         * Items of a list are stored without kind and apiVersion; upstream converts each row object
         * to the requested version, which sets them, and puts them first.
         */
        copy = json_object();
        v = json_object_get(o, "kind");
        if (json_is_string(v))
                kl_assert(json_object_set(copy, "kind", v) == 0);
        else if (opts->kind)
                kl_assert(json_object_set_new(copy, "kind", json_string(opts->kind)) == 0);
        v = json_object_get(o, "apiVersion");
        if (json_is_string(v))
                kl_assert(json_object_set(copy, "apiVersion", v) == 0);
        else if (opts->api_version)
                kl_assert(json_object_set_new(copy, "apiVersion", json_string(opts->api_version)) ==
                          0);
        json_object_foreach(o, key, v) {
                if (kl_streq(key, "kind") || kl_streq(key, "apiVersion"))
                        continue;
                kl_assert(json_object_set(copy, key, v) == 0);
        }
        return KL_TAKE_PTR(copy);
}

static json_t *build_row(const struct kl_api_table_options *opts,
                         const struct kl_api_table_printer *p, const json_t *obj)
{
        json_auto_t *cells = json_array();
        json_auto_t *conditions = NULL;
        json_auto_t *row = json_object();
        json_t *object;
        struct kl_api_table_row r = { .now = opts->now, .cells = cells, .conditions = NULL };

        p->row(obj, &r);
        conditions = r.conditions;
        /* A printer that does not fill every column is a bug in that printer, not in input. */
        kl_assert(json_array_size(cells) == p->n_columns);

        kl_assert(json_object_set_new(row, "cells", KL_TAKE_PTR(cells)) == 0);
        if (conditions)
                kl_assert(json_object_set_new(row, "conditions", KL_TAKE_PTR(conditions)) == 0);
        object = row_object(opts, obj);
        if (object)
                kl_assert(json_object_set_new(row, "object", object) == 0);
        return KL_TAKE_PTR(row);
}

static json_t *table_new(const struct kl_api_table_options *opts,
                         const struct kl_api_table_printer *p, const char *rv, const char *cont,
                         const int64_t *remaining, json_t *rows)
{
        json_t *t = json_object();
        json_t *md = json_object();

        /* ListMeta's fields are all omitempty. */
        if (!kl_isempty(rv))
                kl_assert(json_object_set_new(md, "resourceVersion", json_string(rv)) == 0);
        if (!kl_isempty(cont))
                kl_assert(json_object_set_new(md, "continue", json_string(cont)) == 0);
        if (remaining)
                kl_assert(json_object_set_new(md, "remainingItemCount",
                                              json_integer((json_int_t)*remaining)) == 0);

        kl_assert(json_object_set_new(t, "kind", json_string("Table")) == 0);
        kl_assert(json_object_set_new(t, "apiVersion", json_string("meta.k8s.io/v1")) == 0);
        kl_assert(json_object_set_new(t, "metadata", md) == 0);
        /* Upstream leaves the slice nil with NoHeaders, which encodes as null. */
        kl_assert(json_object_set_new(t, "columnDefinitions",
                                      opts->no_headers ? json_null() : column_definitions(p)) == 0);
        kl_assert(json_object_set_new(t, "rows", rows) == 0);
        return t;
}

static int check_options(const struct kl_api_table_options *opts, struct kl_err **err)
{
        kl_assert(opts);
        if (opts->include < 0 || opts->include >= KL_API_TABLE_INCLUDE__COUNT)
                return kl_err_set(err, -EINVAL, "build table: invalid includeObject policy %d",
                                  (int)opts->include);
        return 0;
}

int kl_api_table_from_list(const struct kl_api_table_options *opts, const json_t *items,
                           const struct kl_api_table_list_meta *meta, json_t **ret_table,
                           struct kl_err **err)
{
        const struct kl_api_table_printer *p;
        json_auto_t *rows = NULL;
        json_t *item;
        size_t i;
        int r;

        r = check_options(opts, err);
        if (r < 0)
                return r;
        if (!json_is_array(items))
                return kl_err_set(err, -EINVAL, "build table: items: expected array, got %s",
                                  kl_json_type_name(items));
        json_array_foreach(items, i, item) {
                if (!json_is_object(item))
                        return kl_err_set(err, -EINVAL,
                                          "build table: items[%zu]: expected object, got %s", i,
                                          kl_json_type_name(item));
        }

        p = kl_api_table_printer_find(opts->group, opts->kind);
        rows = json_array();
        json_array_foreach(items, i, item)
                kl_assert(json_array_append_new(rows, build_row(opts, p, item)) == 0);

        *ret_table = table_new(
                opts, p, meta ? meta->resource_version : NULL, meta ? meta->continue_token : NULL,
                meta && meta->has_remaining_item_count ? &meta->remaining_item_count : NULL,
                KL_TAKE_PTR(rows));
        return 0;
}

int kl_api_table_from_object(const struct kl_api_table_options *opts, const json_t *obj,
                             json_t **ret_table, struct kl_err **err)
{
        const struct kl_api_table_printer *p;
        json_auto_t *rows = NULL;
        int r;

        r = check_options(opts, err);
        if (r < 0)
                return r;
        if (!json_is_object(obj))
                return kl_err_set(err, -EINVAL, "build table: expected object, got %s",
                                  kl_json_type_name(obj));

        p = kl_api_table_printer_find(opts->group, opts->kind);
        rows = json_array();
        kl_assert(json_array_append_new(rows, build_row(opts, p, obj)) == 0);
        *ret_table = table_new(opts, p, kl_api__table_str(obj, "metadata.resourceVersion"), NULL,
                               NULL, KL_TAKE_PTR(rows));
        return 0;
}
