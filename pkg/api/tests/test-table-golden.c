/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden tests of every printer (STYLE R13.5). Each
 * tests/data/table/<name>.in.json holds {"group", "kind", "apiVersion",
 * "items"}; the Table built from the items (at a fixed `now`) is rendered as
 * text and compared with <name>.golden: one line per column definition
 * (name, type, format, priority) and one line per row (its cells, and its
 * conditions when it has any, as compact JSON). KL_TEST_UPDATE_GOLDEN=1
 * rewrites the golden files, so a change of output shows up in review.
 *
 * The same inputs then go through a mutation pass: every value of every
 * object, one at a time, is replaced by null, a number, a string, a
 * boolean, an empty array and an empty object, and the row must still be
 * built with one cell per column (the builder asserts it). Stored objects
 * with missing or mistyped fields must never crash or fail a row.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api/table-internal.h"
#include "api/table.h"
#include "base/base.h"
#include "testing/testing.h"
#include "json/json.h"

#define NOW "2025-06-01T12:00:00Z"

static kl_usec_t now_usec(void)
{
        int64_t t = 0;

        cr_assert_eq(kl_api__table_time_parse(NOW, &t), 0);
        return (kl_usec_t)t;
}

static char *encode_compact(const json_t *v)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_json_encode(v, 0, &b, &e), 0, "%s", kl_err_msg(e));
        if (b.len > 0 && b.buf[b.len - 1] == '\n')
                kl_buf_truncate(&b, b.len - 1);
        return kl_buf_detach(&b, NULL);
}

static char *render(const json_t *table)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        json_t *cols = json_object_get(table, "columnDefinitions");
        json_t *rows = json_object_get(table, "rows");
        json_t *v;
        size_t i;

        (void)kl_buf_puts(&out, "# columns: name, type, format, priority\n");
        json_array_foreach(cols, i, v) {
                (void)kl_buf_printf(&out, "%s | %s | %s | %" JSON_INTEGER_FORMAT "\n",
                                    json_string_value(json_object_get(v, "name")),
                                    json_string_value(json_object_get(v, "type")),
                                    json_string_value(json_object_get(v, "format")),
                                    json_integer_value(json_object_get(v, "priority")));
                cr_expect(json_string_length(json_object_get(v, "description")) > 0,
                          "column %zu has no description", i);
        }
        (void)kl_buf_puts(&out, "# rows\n");
        json_array_foreach(rows, i, v) {
                kl_autofree char *cells = encode_compact(json_object_get(v, "cells"));
                json_t *conds = json_object_get(v, "conditions");

                (void)kl_buf_puts(&out, cells);
                if (conds) {
                        kl_autofree char *c = encode_compact(conds);

                        (void)kl_buf_printf(&out, "  conditions: %s", c);
                }
                (void)kl_buf_putc(&out, '\n');
        }
        return kl_buf_detach(&out, NULL);
}

static json_t *load(const char *name)
{
        kl_autofree char *rel = kl_asprintf("table/%s.in.json", name);
        kl_autofree char *path = kl_test_data_path("api", rel);
        kl_autofree char *text = kl_test_read_file(path);
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e), 0, "%s: %s",
                     path, kl_err_msg(e));
        return v;
}

static struct kl_api_table_options options_of(const json_t *in)
{
        return (struct kl_api_table_options){
                .group = json_string_value(json_object_get(in, "group")),
                .kind = json_string_value(json_object_get(in, "kind")),
                .api_version = json_string_value(json_object_get(in, "apiVersion")),
                .include = KL_API_TABLE_INCLUDE_NONE,
                .now = now_usec(),
        };
}

static void build_one(const struct kl_api_table_options *opts, const json_t *obj)
{
        json_auto_t *t = NULL;

        cr_assert_eq(kl_api_table_from_object(opts, obj, &t, NULL), 0);
}

/* Replace each value below `node`, in turn, by each mutant and build `root`'s row. */
static void mutate(const struct kl_api_table_options *opts, json_t *root, json_t *node,
                   json_t *const *mutants, size_t n_mutants, unsigned depth)
{
        kl_autostrv char **keys = NULL;
        const char *key;
        json_t *v;
        size_t i;

        cr_assert(depth < 32, "test input nests too deeply");
        if (json_is_object(node)) {
                json_object_foreach(node, key, v)
                        kl_strv_push(&keys, key);
                for (i = 0; keys && keys[i]; i++) {
                        json_t *old = json_incref(json_object_get(node, keys[i]));

                        for (size_t m = 0; m < n_mutants; m++) {
                                cr_assert_eq(json_object_set(node, keys[i], mutants[m]), 0);
                                build_one(opts, root);
                        }
                        cr_assert_eq(json_object_set_new(node, keys[i], old), 0);
                        mutate(opts, root, old, mutants, n_mutants, depth + 1);
                }
        } else if (json_is_array(node)) {
                for (i = 0; i < json_array_size(node); i++) {
                        json_t *old = json_incref(json_array_get(node, i));

                        for (size_t m = 0; m < n_mutants; m++) {
                                cr_assert_eq(json_array_set(node, i, mutants[m]), 0);
                                build_one(opts, root);
                        }
                        cr_assert_eq(json_array_set_new(node, i, old), 0);
                        mutate(opts, root, old, mutants, n_mutants, depth + 1);
                }
        }
}

static void golden(const char *name)
{
        json_auto_t *in = load(name);
        json_auto_t *table = NULL;
        json_t *items = json_object_get(in, "items"), *item;
        struct kl_api_table_options opts = options_of(in);
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *rel = kl_asprintf("table/%s.golden", name);
        kl_autofree char *path = kl_test_data_path("api", rel);
        kl_autofree char *out = NULL;
        kl_autofree char *want = NULL;
        const char *update = getenv("KL_TEST_UPDATE_GOLDEN");
        size_t i;

        cr_assert(opts.kind && opts.group && json_is_array(items), "%s: malformed input", name);
        cr_assert_eq(kl_api_table_from_list(&opts, items, NULL, &table, &e), 0, "%s",
                     kl_err_msg(e));
        cr_expect_eq(json_array_size(json_object_get(table, "rows")), json_array_size(items));
        out = render(table);

        if (update && kl_streq(update, "1"))
                cr_assert_eq(kl_write_file_atomic(path, out, strlen(out), 0644, 0), 0);
        want = kl_test_read_file(path);
        cr_expect_str_eq(out, want, "%s differs (KL_TEST_UPDATE_GOLDEN=1 rewrites it):\n%s", path,
                         out);

        {
                json_t *mutants[] = { json_null(),  json_integer(-7), json_string("x"), json_true(),
                                      json_array(), json_object(),    json_real(1.5) };

                json_array_foreach(items, i, item)
                        mutate(&opts, item, item, mutants, KL_ARRAY_SIZE(mutants), 0);
                for (i = 0; i < KL_ARRAY_SIZE(mutants); i++)
                        json_decref(mutants[i]);
        }
}

#define GOLDEN(name)             \
        Test(table_golden, name) \
        {                        \
                golden(#name);   \
        }

GOLDEN(pod)
GOLDEN(service)
GOLDEN(node)
GOLDEN(namespace)
GOLDEN(configmap)
GOLDEN(secret)
GOLDEN(serviceaccount)
GOLDEN(event)
GOLDEN(event_events_k8s_io)
GOLDEN(endpoints)
GOLDEN(pvc)
GOLDEN(pv)
GOLDEN(resourcequota)
GOLDEN(limitrange)
GOLDEN(deployment)
GOLDEN(replicaset)
GOLDEN(statefulset)
GOLDEN(daemonset)
GOLDEN(controllerrevision)
GOLDEN(job)
GOLDEN(cronjob)
GOLDEN(endpointslice)
GOLDEN(ingress)
GOLDEN(ingressclass)
GOLDEN(networkpolicy)
GOLDEN(hpa)
GOLDEN(pdb)
GOLDEN(role)
GOLDEN(rolebinding)
GOLDEN(clusterrolebinding)
GOLDEN(lease)
GOLDEN(storageclass)
GOLDEN(priorityclass)
