/* SPDX-License-Identifier: Apache-2.0 */
/* Printers of batch/v1: Job and CronJob. */
#include <inttypes.h>

#include "api/table-internal.h"
#include "json/json.h"

static const struct kl_api_table_column job_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Status",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Where the job stands: Running, Complete, Failed, Suspended, "
                               "FailureTarget or Terminating.",
        },
        {
                .name = "Completions",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Pods that succeeded out of the completions the job needs.",
        },
        {
                .name = "Duration",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "How long the job ran, or has been running.",
        },
        KL_API__TABLE_COL_AGE,
        KL_API__TABLE_COL_CONTAINERS,
        KL_API__TABLE_COL_IMAGES,
        KL_API__TABLE_COL_SELECTOR,
};

/* hasJobCondition: the first condition of `type` decides, and it must be True. */
static bool has_condition(const json_t *job, const char *type)
{
        json_t *conds = kl_api__table_array(job, "status.conditions"), *c;
        size_t i;

        json_array_foreach(conds, i, c) {
                if (kl_streq(kl_api__table_str_or(c, "type", ""), type))
                        return kl_streq(kl_api__table_str_or(c, "status", ""), "True");
        }
        return false;
}

static const char *job_status(const json_t *job)
{
        if (has_condition(job, "Complete"))
                return "Complete";
        if (has_condition(job, "Failed"))
                return "Failed";
        if (kl_api__table_has_str(job, "metadata.deletionTimestamp"))
                return "Terminating";
        if (has_condition(job, "Suspended"))
                return "Suspended";
        if (has_condition(job, "FailureTarget"))
                return "FailureTarget";
        return "Running";
}

static void job_row(const json_t *job, struct kl_api_table_row *row)
{
        char duration[KL_API_HUMAN_DURATION_MAX] = "";
        int64_t succeeded = kl_api__table_int(job, "status.succeeded", 0);
        int64_t completions, parallelism = 0, start, end;

        kl_api__table_cell_str(row, kl_api__table_str(job, "metadata.name"));
        kl_api__table_cell_str(row, job_status(job));

        /* v1 defaulting makes both 1 when both are missing, which prints as the nil case does. */
        if (kl_api__table_get_int(job, "spec.completions", &completions)) {
                kl_api__table_cell_printf(row, "%" PRId64 "/%" PRId64, succeeded, completions);
        } else {
                (void)kl_api__table_get_int(job, "spec.parallelism", &parallelism);
                if (parallelism > 1)
                        kl_api__table_cell_printf(row, "%" PRId64 "/1 of %" PRId64, succeeded,
                                                  parallelism);
                else
                        kl_api__table_cell_printf(row, "%" PRId64 "/1", succeeded);
        }

        /* Not started: empty; running: since the start; finished: completion - start. */
        if (kl_api__table_time(job, "status.startTime", &start)) {
                if (kl_api__table_time(job, "status.completionTime", &end))
                        (void)kl_api_human_duration((kl_usec_t)end - (kl_usec_t)start, duration,
                                                    sizeof(duration));
                else
                        (void)kl_api__table_since(row->now, start, duration, sizeof(duration));
        }
        kl_api__table_cell_str(row, duration);
        kl_api__table_cell_age(row, job);
        kl_api__table_cell_containers(row, job, "spec.template.spec");
        kl_api__table_cell_label_selector(row, job, "spec.selector");
}

static const struct kl_api_table_column cronjob_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Schedule",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "When jobs are started, in cron syntax.",
        },
        {
                .name = "Timezone",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Time zone the schedule is read in; the controller's own when "
                               "unset.",
        },
        {
                .name = "Suspend",
                .type = KL_API_TABLE_TYPE_BOOLEAN,
                .format = "",
                .description = "Whether new jobs are held back.",
        },
        {
                .name = "Active",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of jobs running now.",
        },
        {
                .name = "Last Schedule",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Time since a job was last scheduled.",
        },
        KL_API__TABLE_COL_AGE,
        KL_API__TABLE_COL_CONTAINERS,
        KL_API__TABLE_COL_IMAGES,
        KL_API__TABLE_COL_SELECTOR,
};

static void cronjob_row(const json_t *cj, struct kl_api_table_row *row)
{
        char last[KL_API_HUMAN_DURATION_MAX];
        bool suspend;
        int64_t t;

        kl_api__table_cell_str(row, kl_api__table_str(cj, "metadata.name"));
        kl_api__table_cell_str(row, kl_api__table_str(cj, "spec.schedule"));
        kl_api__table_cell_str(row, kl_api__table_str_or(cj, "spec.timeZone", "<none>"));
        /*
         * printBoolPtr: a string, despite the column's boolean type. Its "<unset>" for a nil
         * pointer never shows: v1 defaulting sets suspend to false when upstream reads it.
         */
        if (!kl_api__table_get_bool(cj, "spec.suspend", &suspend))
                suspend = false;
        kl_api__table_cell_bool_str(row, suspend);
        kl_api__table_cell_int(row, (int64_t)kl_api__table_array_len(cj, "status.active"));
        /* A lastScheduleTime that is present but the zero time prints as "<unknown>". */
        if (kl_api__table_time(cj, "status.lastScheduleTime", &t))
                kl_api__table_cell_str(row, kl_api__table_since(row->now, t, last, sizeof(last)));
        else if (kl_api__table_str(cj, "status.lastScheduleTime"))
                kl_api__table_cell_str(row, "<unknown>");
        else
                kl_api__table_cell_str(row, "<none>");
        kl_api__table_cell_age(row, cj);
        kl_api__table_cell_containers(row, cj, "spec.jobTemplate.spec.template.spec");
        kl_api__table_cell_label_selector(row, cj, "spec.jobTemplate.spec.selector");
}

const struct kl_api_table_printer kl_api__table_printers_batch[] = {
        { .group = "batch", .kind = "Job", KL_API__TABLE_COLUMNS(job_columns), .row = job_row },
        { .group = "batch",
          .kind = "CronJob",
          KL_API__TABLE_COLUMNS(cronjob_columns),
          .row = cronjob_row },
};
const size_t kl_api__table_printers_batch_count = KL_ARRAY_SIZE(kl_api__table_printers_batch);
