/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table building: HumanDuration, timestamps, includeObject, list metadata,
 * single objects and watch events, the default printer, printer lookup.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/table-internal.h"
#include "api/table.h"
#include "base/base.h"
#include "json/json.h"

#define SEC  ((int64_t)KL_USEC_PER_SEC)
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)
#define YEAR (365 * DAY)

static json_t *json(const char *text)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e), 0,
                     "%s: <<%s>>", kl_err_msg(e), text);
        return v;
}

static char *encode(const json_t *v)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, &e), 0, "%s", kl_err_msg(e));
        return kl_buf_detach(&b, NULL);
}

static kl_usec_t at(const char *rfc3339)
{
        int64_t t = 0;

        cr_assert_eq(kl_api__table_time_parse(rfc3339, &t), 0, "%s", rfc3339);
        return (kl_usec_t)t;
}

static void expect_duration(int64_t usec, const char *want)
{
        char buf[KL_API_HUMAN_DURATION_MAX];

        cr_expect_str_eq(kl_api_human_duration((kl_usec_t)usec, buf, sizeof(buf)), want, "%lld us",
                         (long long)usec);
}

/*
 * ---------------------------------------------------------------------------
 * HumanDuration: both sides of every boundary of every branch
 */

Test(table_duration, negative_and_seconds)
{
        expect_duration(-1000 * SEC, "<invalid>");
        expect_duration(-2 * SEC, "<invalid>");
        expect_duration(-2 * SEC + 1, "0s"); /* truncates to -1s: clock skew, "now" */
        expect_duration(-1 * SEC, "0s");
        expect_duration(-1, "0s");
        expect_duration(0, "0s");
        expect_duration(SEC - 1, "0s");
        expect_duration(SEC, "1s");
        expect_duration(59 * SEC, "59s");
        expect_duration(119 * SEC + 999999, "119s");
}

Test(table_duration, minutes)
{
        expect_duration(120 * SEC, "2m");
        expect_duration(121 * SEC, "2m1s");
        expect_duration(5 * MIN + 30 * SEC, "5m30s");
        expect_duration(9 * MIN + 59 * SEC, "9m59s");
        expect_duration(10 * MIN - 1, "9m59s");
        expect_duration(10 * MIN, "10m");
        expect_duration(10 * MIN + 59 * SEC, "10m");
        expect_duration(179 * MIN + 59 * SEC, "179m");
}

Test(table_duration, hours)
{
        expect_duration(3 * HOUR, "3h");
        expect_duration(3 * HOUR + 59 * SEC, "3h");
        expect_duration(3 * HOUR + MIN, "3h1m");
        expect_duration(7 * HOUR + 59 * MIN, "7h59m");
        expect_duration(8 * HOUR - 1, "7h59m");
        expect_duration(8 * HOUR, "8h");
        expect_duration(8 * HOUR + 30 * MIN, "8h");
        expect_duration(47 * HOUR + 59 * MIN, "47h");
}

Test(table_duration, days_and_years)
{
        expect_duration(48 * HOUR, "2d");
        expect_duration(49 * HOUR, "2d1h");
        expect_duration(7 * DAY + 23 * HOUR + 59 * MIN, "7d23h");
        expect_duration(8 * DAY, "8d");
        expect_duration(8 * DAY + 23 * HOUR, "8d");
        expect_duration(729 * DAY + 23 * HOUR, "729d");
        expect_duration(2 * YEAR, "2y");
        expect_duration(2 * YEAR + DAY, "2y1d");
        expect_duration(7 * YEAR + 364 * DAY, "7y364d");
        expect_duration(8 * YEAR - 1, "7y364d");
        expect_duration(8 * YEAR, "8y");
        expect_duration(8 * YEAR + 200 * DAY, "8y");
        expect_duration(300 * YEAR, "300y");
}

Test(table_duration, wrapped_differences_are_negative)
{
        char buf[KL_API_HUMAN_DURATION_MAX];
        kl_usec_t now = 1000 * (kl_usec_t)SEC;

        /* `then` 5s after `now`: the unsigned difference wraps and reads back as -5s. */
        cr_expect_str_eq(kl_api_human_duration(now - (now + 5 * (kl_usec_t)SEC), buf, sizeof(buf)),
                         "<invalid>");
        cr_expect_str_eq(kl_api_human_duration(now - (now + 1), buf, sizeof(buf)), "0s");
        cr_expect_str_eq(kl_api_human_duration(UINT64_MAX, buf, sizeof(buf)), "0s");
        cr_expect_str_eq(kl_api_human_duration((kl_usec_t)INT64_MAX + 1, buf, sizeof(buf)),
                         "<invalid>");
        /* Truncated, never overflowed, in a small buffer. */
        cr_expect_str_eq(kl_api_human_duration(9 * MIN, buf, 3), "9m");
}

/*
 * ---------------------------------------------------------------------------
 * Timestamps
 */

Test(table_time, parse_rfc3339)
{
        int64_t t = 0;

        cr_expect_eq(kl_api__table_time_parse("1970-01-01T00:00:00Z", &t), 0);
        cr_expect_eq(t, 0);
        cr_expect_eq(kl_api__table_time_parse("2025-06-01T12:00:00Z", &t), 0);
        cr_expect_eq(t, 1748779200 * SEC);
        cr_expect_eq(kl_api__table_time_parse("2025-06-01T14:00:00+02:00", &t), 0);
        cr_expect_eq(t, 1748779200 * SEC);
        cr_expect_eq(kl_api__table_time_parse("2025-06-01T11:30:00-00:30", &t), 0);
        cr_expect_eq(t, 1748779200 * SEC);
        cr_expect_eq(kl_api__table_time_parse("2025-06-01T12:00:00.123456789Z", &t), 0);
        cr_expect_eq(t, 1748779200 * SEC + 123456);
        cr_expect_eq(kl_api__table_time_parse("2025-06-01T12:00:00,5Z", &t), 0);
        cr_expect_eq(t, 1748779200 * SEC + 500000);
        cr_expect_eq(kl_api__table_time_parse("1969-12-31T23:59:59Z", &t), 0);
        cr_expect_eq(t, -SEC);
        cr_expect_eq(kl_api__table_time_parse("2024-02-29T00:00:00Z", &t), 0);

        static const char *const bad[] = {
                "",
                "2025-06-01",
                "2025-06-01T12:00:00",
                "2025-06-01 12:00:00Z",
                "2025-13-01T12:00:00Z",
                "2025-02-29T12:00:00Z",
                "2025-06-31T12:00:00Z",
                "2025-06-01T24:00:00Z",
                "2025-06-01T12:60:00Z",
                "2025-06-01T12:00:60Z",
                "2025-06-01T12:00:00.Z",
                "2025-06-01T12:00:00z",
                "2025-06-01T12:00:00+0200",
                "2025-06-01T12:00:00Zjunk",
                "25-06-01T12:00:00Z",
                "+2025-06-01T12:00:00Z",
        };
        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++)
                cr_expect_eq(kl_api__table_time_parse(bad[i], &t), -EINVAL, "'%s'", bad[i]);
}

Test(table_time, format_utc)
{
        char buf[64];

        cr_expect_str_eq(kl_api__table_time_format(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
        cr_expect_str_eq(
                kl_api__table_time_format(at("2025-06-01T14:00:00.9+02:00"), buf, sizeof(buf)),
                "2025-06-01T12:00:00Z");
        cr_expect_str_eq(kl_api__table_time_format(-1, buf, sizeof(buf)), "1969-12-31T23:59:59Z");
        cr_expect_str_eq(
                kl_api__table_time_format((int64_t)at("0001-01-01T00:00:00Z"), buf, sizeof(buf)),
                "0001-01-01T00:00:00Z");
        cr_expect_str_eq(
                kl_api__table_time_format((int64_t)at("9999-12-31T23:59:59Z"), buf, sizeof(buf)),
                "9999-12-31T23:59:59Z");
}

Test(table_time, zero_time_is_absent)
{
        json_auto_t *o = json("{\"a\": \"0001-01-01T00:00:00Z\", \"b\": \"0001-01-01T00:00:01Z\","
                              " \"c\": null, \"d\": 5, \"e\": \"yesterday\"}");
        int64_t t = 0;

        cr_expect_not(kl_api__table_time(o, "a", &t));
        cr_expect(kl_api__table_time(o, "b", &t));
        cr_expect_not(kl_api__table_time(o, "c", &t));
        cr_expect_not(kl_api__table_time(o, "d", &t));
        cr_expect_not(kl_api__table_time(o, "e", &t));
        cr_expect_not(kl_api__table_time(o, "missing", &t));
}

Test(table_time, trim_space_as_go)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "  a b \n", "a b" },
                { "\t\v\f\r", "" },
                { "\xc2\xa0x\xc2\x85", "x" },
                { "\xe3\x80\x80x\xe2\x80\x8a", "x" },
                { "\xe2\x80\x8bx", "\xe2\x80\x8bx" }, /* U+200B is not White_Space */
                { "\xc3\xa9", "\xc3\xa9" },
                { "", "" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const char *s = cases[i].in;
                size_t len = strlen(s);

                kl_api__table_trim_space(&s, &len);
                cr_expect_eq(len, strlen(cases[i].out), "case %zu", i);
                cr_expect_eq(memcmp(s, cases[i].out, len), 0, "case %zu", i);
        }
}

/*
 * ---------------------------------------------------------------------------
 * includeObject
 */

Test(table_include, parse)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_expect_eq(kl_api_table_include_parse(NULL, NULL), KL_API_TABLE_INCLUDE_METADATA);
        cr_expect_eq(kl_api_table_include_parse("", NULL), KL_API_TABLE_INCLUDE_METADATA);
        cr_expect_eq(kl_api_table_include_parse("Metadata", NULL), KL_API_TABLE_INCLUDE_METADATA);
        cr_expect_eq(kl_api_table_include_parse("None", NULL), KL_API_TABLE_INCLUDE_NONE);
        cr_expect_eq(kl_api_table_include_parse("Object", NULL), KL_API_TABLE_INCLUDE_OBJECT);
        cr_expect_eq(kl_api_table_include_parse("object", &e), KL_API_TABLE_INCLUDE__INVALID);
        cr_assert_not_null(e);
        cr_expect_eq(e->code, EINVAL);
        cr_expect_str_eq(e->msg, "unrecognized includeObject value: \"object\"");
        kl_err_free(e);
        e = NULL;
        cr_expect_eq(kl_api_table_include_parse("a\"b\n", &e), -EINVAL);
        cr_expect_str_eq(kl_err_msg(e), "unrecognized includeObject value: \"a\\\"b\\n\"");
}

static const char two_configmaps[] =
        "[{\"metadata\": {\"name\": \"a\", \"namespace\": \"default\", \"resourceVersion\": \"5\","
        "   \"creationTimestamp\": \"2025-06-01T11:00:00Z\", \"labels\": {\"app\": \"x\"}},"
        "  \"data\": {\"k\": \"v\"}},"
        " {\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\","
        "  \"metadata\": {\"name\": \"b\", \"namespace\": \"default\", \"resourceVersion\": \"7\","
        "   \"creationTimestamp\": \"2025-06-01T11:59:00Z\"}}]";

static struct kl_api_table_options cm_options(enum kl_api_table_include include)
{
        return (struct kl_api_table_options){
                .group = "",
                .kind = "ConfigMap",
                .api_version = "v1",
                .include = include,
                .now = at("2025-06-01T12:00:00Z"),
        };
}

Test(table_build, list_with_metadata_rows)
{
        json_auto_t *items = json(two_configmaps);
        json_auto_t *table = NULL;
        const struct kl_api_table_options opts = cm_options(KL_API_TABLE_INCLUDE_METADATA);
        const struct kl_api_table_list_meta meta = {
                .resource_version = "123",
                .continue_token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ",
        };
        kl_autofree char *text = NULL;

        cr_assert_eq(kl_api_table_from_list(&opts, items, &meta, &table, NULL), 0);
        text = encode(table);
        cr_expect_str_eq(
                text,
                "{\"apiVersion\":\"meta.k8s.io/v1\","
                "\"columnDefinitions\":["
                "{\"description\":\"Name of the object, unique within its namespace or, for "
                "cluster-scoped kinds, within the cluster.\",\"format\":\"name\",\"name\":\"Name\","
                "\"priority\":0,\"type\":\"string\"},"
                "{\"description\":\"Number of keys, text and binary together.\",\"format\":\"\","
                "\"name\":\"Data\",\"priority\":0,\"type\":\"string\"},"
                "{\"description\":\"Time since the object was created (its creationTimestamp), "
                "in a short human form.\",\"format\":\"\",\"name\":\"Age\",\"priority\":0,"
                "\"type\":\"string\"}],"
                "\"kind\":\"Table\","
                "\"metadata\":{\"continue\":\"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ\","
                "\"resourceVersion\":\"123\"},"
                "\"rows\":["
                "{\"cells\":[\"a\",1,\"60m\"],\"object\":{\"apiVersion\":\"meta.k8s.io/v1\","
                "\"kind\":\"PartialObjectMetadata\",\"metadata\":{\"creationTimestamp\":"
                "\"2025-06-01T11:00:00Z\",\"labels\":{\"app\":\"x\"},\"name\":\"a\","
                "\"namespace\":\"default\",\"resourceVersion\":\"5\"}}},"
                "{\"cells\":[\"b\",0,\"60s\"],\"object\":{\"apiVersion\":\"meta.k8s.io/v1\","
                "\"kind\":\"PartialObjectMetadata\",\"metadata\":{\"creationTimestamp\":"
                "\"2025-06-01T11:59:00Z\",\"name\":\"b\",\"namespace\":\"default\","
                "\"resourceVersion\":\"7\"}}}]}");

        /* Go's struct order, which kubectl does not need but humans reading curl output like. */
        {
                const char *const order[] = { "kind", "apiVersion", "metadata", "columnDefinitions",
                                              "rows" };
                const char *key;
                json_t *v;
                size_t i = 0;

                json_object_foreach(table, key, v)
                        cr_expect_str_eq(key, order[i++]);
        }
}

Test(table_build, list_metadata_is_omitempty)
{
        json_auto_t *items = json("[]");
        json_auto_t *t1 = NULL;
        json_auto_t *t2 = NULL;
        const struct kl_api_table_options opts = cm_options(KL_API_TABLE_INCLUDE_METADATA);
        const struct kl_api_table_list_meta empty = { .resource_version = "",
                                                      .continue_token = "" };
        const struct kl_api_table_list_meta remaining = {
                .resource_version = "9",
                .has_remaining_item_count = true,
                .remaining_item_count = 42,
        };
        kl_autofree char *md1 = NULL;
        kl_autofree char *md2 = NULL;
        kl_autofree char *rows = NULL;

        cr_assert_eq(kl_api_table_from_list(&opts, items, &empty, &t1, NULL), 0);
        md1 = encode(json_object_get(t1, "metadata"));
        cr_expect_str_eq(md1, "{}");
        rows = encode(json_object_get(t1, "rows"));
        cr_expect_str_eq(rows, "[]", "an empty list is an empty array of rows");
        cr_expect_eq(json_array_size(json_object_get(t1, "columnDefinitions")), 3);

        cr_assert_eq(kl_api_table_from_list(&opts, items, &remaining, &t2, NULL), 0);
        md2 = encode(json_object_get(t2, "metadata"));
        cr_expect_str_eq(md2, "{\"remainingItemCount\":42,\"resourceVersion\":\"9\"}");
}

Test(table_build, include_none_and_object)
{
        json_auto_t *items = json(two_configmaps);
        json_auto_t *none = NULL;
        json_auto_t *full = NULL;
        struct kl_api_table_options opts = cm_options(KL_API_TABLE_INCLUDE_NONE);
        json_t *row0, *row1, *obj0, *obj1;
        const char *key;
        json_t *v;
        size_t i = 0;

        cr_assert_eq(kl_api_table_from_list(&opts, items, NULL, &none, NULL), 0);
        json_array_foreach(json_object_get(none, "rows"), i, row0)
                cr_expect_null(json_object_get(row0, "object"), "None leaves object out");

        opts.include = KL_API_TABLE_INCLUDE_OBJECT;
        cr_assert_eq(kl_api_table_from_list(&opts, items, NULL, &full, NULL), 0);
        row0 = json_array_get(json_object_get(full, "rows"), 0);
        row1 = json_array_get(json_object_get(full, "rows"), 1);
        obj0 = json_object_get(row0, "object");
        obj1 = json_object_get(row1, "object");

        /* A list item without kind and apiVersion gets them, first, like upstream's conversion. */
        cr_expect_str_eq(json_string_value(json_object_get(obj0, "kind")), "ConfigMap");
        cr_expect_str_eq(json_string_value(json_object_get(obj0, "apiVersion")), "v1");
        i = 0;
        json_object_foreach(obj0, key, v) {
                static const char *const order[] = { "kind", "apiVersion", "metadata", "data" };

                cr_expect_str_eq(key, order[i++]);
        }
        cr_expect_eq(json_object_get(obj0, "metadata"),
                     json_object_get(json_array_get(items, 0), "metadata"), "shared, not copied");
        cr_expect_null(json_object_get(json_array_get(items, 0), "kind"), "input untouched");
        /* An item that has both is used as it is. */
        cr_expect_eq(obj1, json_array_get(items, 1));
}

Test(table_build, single_object_and_watch_events)
{
        json_auto_t *pod = json("{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"metadata\": "
                                "{\"name\": \"web\", \"namespace\": \"default\", "
                                "\"resourceVersion\": \"77\", \"creationTimestamp\": "
                                "\"2025-06-01T11:55:00Z\"}, \"spec\": {\"containers\": "
                                "[{\"name\": \"a\"}]}, \"status\": {\"phase\": \"Running\"}}");
        json_auto_t *first = NULL;
        json_auto_t *later = NULL;
        struct kl_api_table_options opts = {
                .group = "",
                .kind = "Pod",
                .api_version = "v1",
                .now = at("2025-06-01T12:00:00Z"),
        };
        kl_autofree char *cells = NULL;

        cr_assert_eq(kl_api_table_from_object(&opts, pod, &first, NULL), 0);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(first, "metadata"),
                                                           "resourceVersion")),
                         "77");
        cr_expect_eq(json_array_size(json_object_get(first, "rows")), 1);
        cr_expect_eq(json_array_size(json_object_get(first, "columnDefinitions")), 9);
        cells = encode(json_object_get(json_array_get(json_object_get(first, "rows"), 0), "cells"));
        cr_expect_str_eq(cells, "[\"web\",\"0/1\",\"Running\",\"0\",\"5m\",\"<none>\","
                                "\"<none>\",\"<none>\",\"<none>\"]");

        /* Later events of a watch: no column definitions, sent as null as upstream does. */
        opts.no_headers = true;
        cr_assert_eq(kl_api_table_from_object(&opts, pod, &later, NULL), 0);
        cr_expect(json_is_null(json_object_get(later, "columnDefinitions")));
        cr_expect_eq(json_array_size(json_object_get(later, "rows")), 1);
}

Test(table_build, invalid_input)
{
        kl_autoerr struct kl_err *e1 = NULL;
        kl_autoerr struct kl_err *e2 = NULL;
        kl_autoerr struct kl_err *e3 = NULL;
        kl_autoerr struct kl_err *e4 = NULL;
        json_auto_t *obj = json("{\"items\": [{}, 5]}");
        json_t *table = (json_t *)0x1;
        struct kl_api_table_options opts = cm_options(KL_API_TABLE_INCLUDE_METADATA);

        cr_expect_eq(kl_api_table_from_list(&opts, obj, NULL, &table, &e1), -EINVAL);
        cr_expect_str_eq(kl_err_msg(e1), "build table: items: expected array, got object");
        cr_expect_eq(
                kl_api_table_from_list(&opts, json_object_get(obj, "items"), NULL, &table, &e2),
                -EINVAL);
        cr_expect_str_eq(kl_err_msg(e2), "build table: items[1]: expected object, got number");
        cr_expect_eq(kl_api_table_from_object(&opts, json_object_get(obj, "items"), &table, &e3),
                     -EINVAL);
        cr_expect_str_eq(kl_err_msg(e3), "build table: expected object, got array");
        opts.include = KL_API_TABLE_INCLUDE__INVALID;
        cr_expect_eq(kl_api_table_from_object(&opts, obj, &table, &e4), -EINVAL);
        cr_expect_eq(table, (json_t *)0x1, "untouched on failure");
}

/*
 * ---------------------------------------------------------------------------
 * The default printer and printer lookup
 */

Test(table_default, name_and_created_at)
{
        json_auto_t *items =
                json("[{\"metadata\": {\"name\": \"r\", \"creationTimestamp\": "
                     "\"2025-06-01T13:30:00.75+01:30\"}},"
                     " {\"metadata\": {\"name\": \"no-ts\"}},"
                     " {\"metadata\": {\"name\": \"bad-ts\", \"creationTimestamp\": \"soon\"}},"
                     " {}]");
        json_auto_t *table = NULL;
        const struct kl_api_table_options opts = {
                .group = "rbac.authorization.k8s.io",
                .kind = "Role",
                .include = KL_API_TABLE_INCLUDE_NONE,
                .now = at("2025-06-01T12:00:00Z"),
        };
        kl_autofree char *cols = NULL;
        kl_autofree char *rows = NULL;

        cr_assert_eq(kl_api_table_from_list(&opts, items, NULL, &table, NULL), 0);
        cols = encode(json_object_get(table, "columnDefinitions"));
        cr_expect_str_eq(cols, "[{\"description\":\"Name of the object, unique within its "
                               "namespace or, for cluster-scoped kinds, within the cluster.\","
                               "\"format\":\"name\",\"name\":\"Name\",\"priority\":0,"
                               "\"type\":\"string\"},"
                               "{\"description\":\"When the object was created: its "
                               "creationTimestamp in RFC 3339 form, in UTC.\",\"format\":\"\","
                               "\"name\":\"Created At\",\"priority\":0,\"type\":\"date\"}]");
        rows = encode(json_object_get(table, "rows"));
        cr_expect_str_eq(rows, "[{\"cells\":[\"r\",\"2025-06-01T12:00:00Z\"]},"
                               "{\"cells\":[\"no-ts\",\"0001-01-01T00:00:00Z\"]},"
                               "{\"cells\":[\"bad-ts\",\"0001-01-01T00:00:00Z\"]},"
                               "{\"cells\":[\"\",\"0001-01-01T00:00:00Z\"]}]");
}

Test(table_default, lookup)
{
        static const struct {
                const char *group, *kind;
                bool has_printer;
        } cases[] = {
                { "", "Pod", true },
                { NULL, "Pod", true },
                { "", "Service", true },
                { "apps", "Deployment", true },
                { "", "Deployment", false },
                { "extensions", "Deployment", false },
                { "batch", "CronJob", true },
                { "", "Event", true },
                { "events.k8s.io", "Event", true },
                { "autoscaling", "HorizontalPodAutoscaler", true },
                { "rbac.authorization.k8s.io", "Role", false },
                { "rbac.authorization.k8s.io", "ClusterRole", false },
                { "rbac.authorization.k8s.io", "ClusterRoleBinding", true },
                { "", "LimitRange", false },
                { "", "pod", false },
                { "example.com", "Widget", false },
                { "", NULL, false },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct kl_api_table_printer *p =
                        kl_api_table_printer_find(cases[i].group, cases[i].kind);

                cr_assert_not_null(p);
                cr_expect_eq(p != &kl_api_table_default_printer, cases[i].has_printer, "%s/%s",
                             cases[i].group ? cases[i].group : "(null)",
                             cases[i].kind ? cases[i].kind : "(null)");
        }
}

/* The column names of every printer, as upstream 1.32 names them (kubectl upper-cases them). */
Test(table_default, column_sets)
{
        static const struct {
                const char *group, *kind, *columns;
        } sets[] = {
                { "", "Pod",
                  "Name,Ready,Status,Restarts,Age,IP*,Node*,Nominated Node*,"
                  "Readiness Gates*" },
                { "apps", "Deployment",
                  "Name,Ready,Up-to-date,Available,Age,Containers*,"
                  "Images*,Selector*" },
                { "apps", "ReplicaSet",
                  "Name,Desired,Current,Ready,Age,Containers*,Images*,"
                  "Selector*" },
                { "apps", "StatefulSet", "Name,Ready,Age,Containers*,Images*" },
                { "apps", "DaemonSet",
                  "Name,Desired,Current,Ready,Up-to-date,Available,"
                  "Node Selector,Age,Containers*,Images*,Selector*" },
                { "apps", "ControllerRevision", "Name,Controller,Revision,Age" },
                { "batch", "Job",
                  "Name,Status,Completions,Duration,Age,Containers*,Images*,"
                  "Selector*" },
                { "batch", "CronJob",
                  "Name,Schedule,Timezone,Suspend,Active,Last Schedule,Age,"
                  "Containers*,Images*,Selector*" },
                { "", "Service", "Name,Type,Cluster-IP,External-IP,Port(s),Age,Selector*" },
                { "", "Node",
                  "Name,Status,Roles,Age,Version,Internal-IP*,External-IP*,"
                  "OS-Image*,Kernel-Version*,Container-Runtime*" },
                { "", "Namespace", "Name,Status,Age" },
                { "", "ConfigMap", "Name,Data,Age" },
                { "", "Secret", "Name,Type,Data,Age" },
                { "", "ServiceAccount", "Name,Secrets,Age" },
                { "", "Event",
                  "Last Seen,Type,Reason,Object,Subobject*,Source*,Message,"
                  "First Seen*,Count*,Name*" },
                { "events.k8s.io", "Event",
                  "Last Seen,Type,Reason,Object,Subobject*,Source*,"
                  "Message,First Seen*,Count*,Name*" },
                { "", "Endpoints", "Name,Endpoints,Age" },
                { "discovery.k8s.io", "EndpointSlice", "Name,AddressType,Ports,Endpoints,Age" },
                { "", "PersistentVolumeClaim",
                  "Name,Status,Volume,Capacity,Access Modes,"
                  "StorageClass,VolumeAttributesClass,Age,"
                  "VolumeMode*" },
                { "", "PersistentVolume",
                  "Name,Capacity,Access Modes,Reclaim Policy,Status,"
                  "Claim,StorageClass,VolumeAttributesClass,Reason,Age,"
                  "VolumeMode*" },
                { "networking.k8s.io", "Ingress", "Name,Class,Hosts,Address,Ports,Age" },
                { "networking.k8s.io", "IngressClass", "Name,Controller,Parameters,Age" },
                { "networking.k8s.io", "NetworkPolicy", "Name,Pod-Selector,Age" },
                { "autoscaling", "HorizontalPodAutoscaler",
                  "Name,Reference,Targets,MinPods,"
                  "MaxPods,Replicas,Age" },
                { "policy", "PodDisruptionBudget",
                  "Name,Min Available,Max Unavailable,"
                  "Allowed Disruptions,Age" },
                { "rbac.authorization.k8s.io", "RoleBinding",
                  "Name,Role,Age,Users*,Groups*,"
                  "ServiceAccounts*" },
                { "rbac.authorization.k8s.io", "ClusterRoleBinding",
                  "Name,Role,Age,Users*,"
                  "Groups*,ServiceAccounts*" },
                { "coordination.k8s.io", "Lease", "Name,Holder,Age" },
                { "storage.k8s.io", "StorageClass",
                  "Name,Provisioner,ReclaimPolicy,"
                  "VolumeBindingMode,AllowVolumeExpansion,Age" },
                { "", "ResourceQuota", "Name,Request,Limit,Age" },
                { "scheduling.k8s.io", "PriorityClass",
                  "Name,Value,Global-Default,Age,"
                  "PreemptionPolicy" },
                { "", "LimitRange", "Name,Created At" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(sets); i++) {
                const struct kl_api_table_printer *p =
                        kl_api_table_printer_find(sets[i].group, sets[i].kind);
                kl_autobuf struct kl_buf got = KL_BUF_INIT;
                size_t names = 0;

                for (size_t c = 0; c < p->n_columns; c++) {
                        const struct kl_api_table_column *col = &p->columns[c];

                        (void)kl_buf_printf(&got, "%s%s%s", c > 0 ? "," : "", col->name,
                                            col->priority ? "*" : "");
                        cr_expect(col->description && *col->description, "%s: %s", sets[i].kind,
                                  col->name);
                        if (kl_streq(col->format, "name"))
                                names++;
                }
                cr_expect_str_eq(got.buf, sets[i].columns, "%s", sets[i].kind);
                cr_expect_eq(names, 1, "%s: one column of format name", sets[i].kind);
        }
}
