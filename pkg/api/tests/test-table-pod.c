/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Pod status matrix: the READY, STATUS and RESTARTS cells of upstream's
 * printPod for the states users meet, checked cell by cell here (the golden
 * test checks the same pods whole). The pods are in
 * tests/data/table/pod.in.json, `now` is 2025-06-01T12:00:00Z.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/table-internal.h"
#include "api/table.h"
#include "base/base.h"
#include "testing/testing.h"
#include "json/json.h"

struct expect {
        const char *name;
        const char *ready;
        const char *status;
        const char *restarts;
};

static const struct expect matrix[] = {
        { "pending", "0/1", "Pending", "0" },
        { "container-creating", "0/1", "ContainerCreating", "0" },
        { "running-1-of-2", "1/2", "Running", "0" },
        { "running-ready", "1/1", "Running", "0" },
        { "crashloop", "0/1", "CrashLoopBackOff", "5 (2m ago)" },
        { "image-pull-backoff", "0/1", "ImagePullBackOff", "0" },
        { "completed", "0/1", "Completed", "0" },
        { "error", "0/1", "Error", "0" },
        { "oomkilled", "0/1", "OOMKilled", "1 (30s ago)" },
        { "exit-code", "0/1", "ExitCode:2", "0" },
        { "signal", "0/1", "Signal:9", "0" },
        { "init-0-of-2", "0/1", "Init:0/2", "0" },
        { "init-1-of-2", "0/1", "Init:1/2", "0" },
        { "init-error", "0/1", "Init:Error", "2 (10m ago)" },
        { "init-crashloop", "0/1", "Init:CrashLoopBackOff", "3 (3m ago)" },
        { "init-signal", "0/1", "Init:Signal:15", "0" },
        { "init-exit-code", "0/1", "Init:ExitCode:3", "0" },
        /* The sidecar counts in READY and its restarts in RESTARTS; the latest restart wins. */
        { "sidecar-running", "2/2", "Running", "3 (5m ago)" },
        { "sidecar-starting", "0/2", "Init:0/1", "0" },
        { "terminating", "1/1", "Terminating", "0" },
        { "terminating-succeeded", "0/1", "Completed", "0" },
        { "nodelost", "1/1", "Unknown", "0" },
        { "evicted", "0/1", "Evicted", "0" },
        { "scheduling-gated", "0/1", "SchedulingGated", "0" },
        { "completed-still-running-ready", "1/2", "Running", "0" },
        { "completed-still-running-notready", "1/2", "NotReady", "0" },
        { "restarts-no-last-state", "1/1", "Running", "4" },
        { "readiness-gates", "1/1", "Running", "0" },
        { "future-created", "0/1", "Pending", "0" },
        { "no-creation-timestamp", "0/1", "Pending", "0" },
};

static json_t *table_of_pods(void)
{
        kl_autofree char *path = kl_test_data_path("api", "table/pod.in.json");
        kl_autofree char *text = kl_test_read_file(path);
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *in = NULL;
        json_t *table = NULL;
        int64_t now = 0;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &in, &e), 0, "%s",
                     kl_err_msg(e));
        cr_assert_eq(kl_api__table_time_parse("2025-06-01T12:00:00Z", &now), 0);
        const struct kl_api_table_options opts = {
                .group = "",
                .kind = "Pod",
                .include = KL_API_TABLE_INCLUDE_NONE,
                .now = (kl_usec_t)now,
        };
        cr_assert_eq(kl_api_table_from_list(&opts, json_object_get(in, "items"), NULL, &table, &e),
                     0, "%s", kl_err_msg(e));
        return table;
}

/* The cells of the row whose Name cell is `name`; borrowed from `table`. */
static json_t *cells_of(const json_t *table, const char *name)
{
        json_t *rows = json_object_get(table, "rows"), *row;
        size_t i;

        json_array_foreach(rows, i, row) {
                json_t *cells = json_object_get(row, "cells");

                if (kl_streq(json_string_value(json_array_get(cells, 0)), name))
                        return cells;
        }
        cr_assert_fail("no row for pod '%s'", name);
        return NULL;
}

static const char *cell(const json_t *cells, size_t i)
{
        const char *s = json_string_value(json_array_get(cells, i));

        cr_assert_not_null(s, "cell %zu is not a string", i);
        return s;
}

Test(table_pod, status_matrix)
{
        json_auto_t *table = table_of_pods();

        cr_assert_eq(json_array_size(json_object_get(table, "rows")), KL_ARRAY_SIZE(matrix),
                     "every pod of pod.in.json has an expectation here");
        for (size_t i = 0; i < KL_ARRAY_SIZE(matrix); i++) {
                const struct expect *x = &matrix[i];
                json_t *cells = cells_of(table, x->name);

                cr_expect_eq(json_array_size(cells), 9, "%s: 9 cells", x->name);
                cr_expect_str_eq(cell(cells, 1), x->ready, "%s: READY", x->name);
                cr_expect_str_eq(cell(cells, 2), x->status, "%s: STATUS", x->name);
                cr_expect_str_eq(cell(cells, 3), x->restarts, "%s: RESTARTS", x->name);
        }
}

Test(table_pod, age_and_wide_cells)
{
        json_auto_t *table = table_of_pods();
        json_t *c;

        c = cells_of(table, "running-ready");
        cr_expect_str_eq(cell(c, 4), "60m");
        cr_expect_str_eq(cell(c, 5), "10.42.0.8");
        cr_expect_str_eq(cell(c, 6), "node-1");
        cr_expect_str_eq(cell(c, 7), "<none>");
        cr_expect_str_eq(cell(c, 8), "<none>");

        c = cells_of(table, "pending");
        cr_expect_str_eq(cell(c, 5), "<none>", "no IP");
        cr_expect_str_eq(cell(c, 6), "<none>", "no node");

        /* podIPs alone (no podIP) still gives the IP; gates count the true conditions. */
        c = cells_of(table, "readiness-gates");
        cr_expect_str_eq(cell(c, 5), "fd00::12");
        cr_expect_str_eq(cell(c, 7), "node-2");
        cr_expect_str_eq(cell(c, 8), "1/2");

        /* Created 5s in the future, beyond HumanDuration's tolerance of clock skew. */
        cr_expect_str_eq(cell(cells_of(table, "future-created"), 4), "<invalid>");
        cr_expect_str_eq(cell(cells_of(table, "no-creation-timestamp"), 4), "<unknown>");
}

Test(table_pod, finished_pods_carry_a_completed_condition)
{
        json_auto_t *table = table_of_pods();
        json_t *rows = json_object_get(table, "rows"), *row;
        size_t i, n = 0;

        json_array_foreach(rows, i, row) {
                json_t *cells = json_object_get(row, "cells");
                const char *name = json_string_value(json_array_get(cells, 0));
                json_t *conds = json_object_get(row, "conditions");

                if (kl_streq(name, "completed") || kl_streq(name, "terminating-succeeded")) {
                        cr_assert(json_is_array(conds), "%s", name);
                        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(conds, 0),
                                                                           "reason")),
                                         "Succeeded");
                        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(conds, 0),
                                                                           "message")),
                                         "The pod has completed successfully.");
                        n++;
                } else if (kl_streq(name, "error") || kl_streq(name, "evicted")) {
                        cr_assert(json_is_array(conds), "%s", name);
                        cr_expect_str_eq(json_string_value(
                                                 json_object_get(json_array_get(conds, 0), "type")),
                                         "Completed");
                        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(conds, 0),
                                                                           "status")),
                                         "True");
                        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(conds, 0),
                                                                           "reason")),
                                         "Failed");
                        n++;
                } else {
                        cr_expect_null(conds, "%s has no row conditions", name);
                }
        }
        cr_expect_eq(n, 4);
}

Test(table_pod, columns)
{
        static const char *const names[] = {
                "Name", "Ready", "Status",         "Restarts",       "Age",
                "IP",   "Node",  "Nominated Node", "Readiness Gates"
        };
        const struct kl_api_table_printer *p = kl_api_table_printer_find("", "Pod");

        cr_assert_eq(p->n_columns, KL_ARRAY_SIZE(names));
        for (size_t i = 0; i < p->n_columns; i++) {
                cr_expect_str_eq(p->columns[i].name, names[i]);
                cr_expect_eq(p->columns[i].type, KL_API_TABLE_TYPE_STRING);
                cr_expect_eq(p->columns[i].priority, i >= 5 ? 1 : 0, "%s", names[i]);
                cr_expect_str_eq(p->columns[i].format, i == 0 ? "name" : "");
        }
}
