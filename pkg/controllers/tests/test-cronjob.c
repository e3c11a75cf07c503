/* SPDX-License-Identifier: Apache-2.0 */
/* The CronJob controller's reconcile: one upstream (v1.32) behaviour per test. */
#include <criterion/criterion.h>

#include "controllers/ctrl-internal.h"

static kl_usec_t T(const char *rfc3339)
{
        int64_t t;

        cr_assert_eq(kl_rfc3339_parse(rfc3339, &t), 0);
        return (kl_usec_t)t;
}

static json_t *J(const char *text)
{
        kl_autofree char *s = kl_strdup(text);
        json_error_t e;
        json_t *v;

        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        v = json_loads(s, 0, &e);
        cr_assert(v, "bad test JSON: %s: %s", e.text, s);
        return v;
}

/* A CronJob created at 12:00 UTC, `spec` members and `status` replaced. */
static json_t *cronjob(const char *spec, const char *status)
{
        json_t *cj = J("{'apiVersion':'batch/v1','kind':'CronJob','metadata':{'name':'hello',"
                       "'namespace':'default','uid':'cj-uid','resourceVersion':'3',"
                       "'creationTimestamp':'2025-06-01T12:00:00Z'},'spec':{'schedule':"
                       "'*/5 * * * *','concurrencyPolicy':'Allow','suspend':false,"
                       "'successfulJobsHistoryLimit':3,'failedJobsHistoryLimit':1,"
                       "'jobTemplate':{'metadata':{'labels':{'team':'a'},'annotations':"
                       "{'note':'x'}},'spec':{'backoffLimit':2,'template':{'spec':{"
                       "'restartPolicy':'OnFailure','containers':[{'name':'c','image':"
                       "'busybox'}]}}}}}}");

        if (spec) {
                json_t *s = J(spec);

                cr_assert_eq(json_object_update(json_object_get(cj, "spec"), s), 0);
                json_decref(s);
        }
        if (status)
                json_object_set_new(cj, "status", J(status));
        return cj;
}

/* A Job of the CronJob; `cond` "Complete", "Failed" or NULL (running). */
static json_t *child(const char *name, const char *cond, const char *start, const char *done)
{
        json_t *j = J("{'apiVersion':'batch/v1','kind':'Job','metadata':{'namespace':'default',"
                      "'ownerReferences':[{'apiVersion':'batch/v1','kind':'CronJob','name':"
                      "'hello','uid':'cj-uid','controller':true}]},'status':{}}");
        json_t *st = json_object_get(j, "status");

        json_object_set_new(json_object_get(j, "metadata"), "name", json_string(name));
        json_object_set_new(json_object_get(j, "metadata"), "uid", json_sprintf("uid-%s", name));
        if (start)
                json_object_set_new(st, "startTime", json_string(start));
        if (cond)
                json_object_set_new(st, "conditions",
                                    json_pack("[{s:s, s:s}]", "type", cond, "status", "True"));
        if (done)
                json_object_set_new(st, "completionTime", json_string(done));
        return j;
}

struct run {
        struct kl_ctrl_actions a;
        kl_usec_t requeue;
        json_t *cj;
        json_t *jobs[8];
        size_t n;
};

static void run(struct run *r, const char *now)
{
        kl_ctrl_cronjob_reconcile(
                &(struct kl_ctrl_cronjob_input){ .cronjob = r->cj,
                                                 .jobs = (const json_t *const *)r->jobs,
                                                 .n_jobs = r->n,
                                                 .now = T(now) },
                &r->a, &r->requeue);
}

static void run_free(struct run *r)
{
        kl_ctrl_actions_clear(&r->a);
        json_decref(r->cj);
        for (size_t i = 0; i < r->n; i++)
                json_decref(r->jobs[i]);
}

static size_t count(const struct run *r, enum kl_ctrl_op op)
{
        size_t n = 0;

        for (size_t i = 0; i < r->a.n; i++)
                n += r->a.v[i].op == op;
        return n;
}

static const struct kl_ctrl_action *nth(const struct run *r, enum kl_ctrl_op op, size_t k)
{
        for (size_t i = 0; i < r->a.n; i++)
                if (r->a.v[i].op == op && k-- == 0)
                        return &r->a.v[i];
        return NULL;
}

static const char *message(const struct run *r, const char *reason)
{
        for (size_t i = 0; i < r->a.n; i++)
                if (r->a.v[i].op == KL_CTRL_EVENT && kl_streq(r->a.v[i].reason, reason))
                        return r->a.v[i].message;
        return NULL;
}

static const json_t *new_status(const struct run *r)
{
        const struct kl_ctrl_action *u = nth(r, KL_CTRL_UPDATE, 0);

        if (!u)
                return NULL;
        cr_expect_str_eq(u->sub, "status");
        cr_expect_str_eq(u->res->plural, "cronjobs");
        return json_object_get(u->obj, "status");
}

static const char *str(const json_t *v, const char *f)
{
        return json_string_value(json_object_get(v, f));
}

static char *job_name_at(const char *when)
{
        return kl_asprintf("hello-%llu", (unsigned long long)(T(when) / KL_USEC_PER_MIN));
}

Test(cronjob, creates_the_job_of_the_schedule_time)
{
        struct run r = { .cj = cronjob(NULL, NULL) };
        kl_autofree char *name = job_name_at("2025-06-01T12:05:00Z");
        kl_autofree char *msg = NULL;
        const struct kl_ctrl_action *c;
        const json_t *job, *meta, *st, *ref;

        run(&r, "2025-06-01T12:05:10Z");
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        c = nth(&r, KL_CTRL_CREATE, 0);
        cr_expect_str_eq(c->res->plural, "jobs");
        cr_expect_str_eq(c->ns, "default");
        job = c->obj;
        meta = json_object_get(job, "metadata");
        cr_expect_str_eq(str(meta, "name"), name);
        cr_expect_str_eq(str(json_object_get(meta, "labels"), "team"), "a");
        cr_expect_str_eq(str(json_object_get(meta, "annotations"), "note"), "x");
        cr_expect_str_eq(str(json_object_get(meta, "annotations"),
                             "batch.kubernetes.io/cronjob-scheduled-timestamp"),
                         "2025-06-01T12:05:00Z");
        cr_expect(kl_ctrl_is_owned_by(job, "cj-uid"));
        cr_expect(json_is_true(json_object_get(kl_ctrl_controller_ref(job), "controller")));
        cr_expect_eq(
                json_integer_value(json_object_get(json_object_get(job, "spec"), "backoffLimit")),
                2);
        msg = kl_asprintf("Created job %s", name);
        cr_expect_str_eq(message(&r, "SuccessfulCreate"), msg);
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_str_eq(str(st, "lastScheduleTime"), "2025-06-01T12:05:00Z");
        cr_assert_eq(json_array_size(json_object_get(st, "active")), 1);
        ref = json_array_get(json_object_get(st, "active"), 0);
        cr_expect_str_eq(str(ref, "kind"), "Job");
        cr_expect_str_eq(str(ref, "name"), name);
        cr_expect_str_eq(str(ref, "namespace"), "default");
        /* Next at 12:10:00, plus upstream's 100 ms. */
        cr_expect_eq(r.requeue, 290 * KL_USEC_PER_SEC + 100 * KL_USEC_PER_MSEC);
        run_free(&r);
}

Test(cronjob, waits_for_the_first_schedule_time)
{
        struct run r = { .cj = cronjob(NULL, NULL) };

        run(&r, "2025-06-01T12:03:00Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_null(new_status(&r));
        cr_expect_eq(r.requeue, 120 * KL_USEC_PER_SEC + 100 * KL_USEC_PER_MSEC);
        run_free(&r);
}

Test(cronjob, scheduled_time_already_processed_is_not_run_again)
{
        struct run r = { .cj = cronjob(NULL, "{'lastScheduleTime':'2025-06-01T12:05:00Z'}") };

        run(&r, "2025-06-01T12:06:00Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_eq(r.requeue, 240 * KL_USEC_PER_SEC + 100 * KL_USEC_PER_MSEC);
        run_free(&r);
}

Test(cronjob, time_zone_schedules_and_annotates_in_the_zone)
{
        struct run r = { .cj = cronjob("{'schedule':'0 9 * * *','timeZone':'America/New_York'}",
                                       NULL) };
        const json_t *job;

        run(&r, "2025-06-01T13:00:30Z");
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        job = nth(&r, KL_CTRL_CREATE, 0)->obj;
        cr_expect_str_eq(str(json_object_get(json_object_get(job, "metadata"), "annotations"),
                             "batch.kubernetes.io/cronjob-scheduled-timestamp"),
                         "2025-06-01T09:00:00-04:00");
        cr_expect_str_eq(str(new_status(&r), "lastScheduleTime"), "2025-06-01T13:00:00Z");
        run_free(&r);
}

Test(cronjob, unknown_time_zone_is_an_event_and_no_job)
{
        struct run r = { .cj = cronjob("{'timeZone':'Mars/Olympus'}", NULL) };

        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_str_eq(message(&r, "UnknownTimeZone"),
                         "invalid timeZone: \"Mars/Olympus\": unknown time zone Mars/Olympus");
        cr_expect_eq(r.requeue, 0);
        run_free(&r);
}

Test(cronjob, tz_in_schedule_is_unsupported_but_used)
{
        struct run r = { .cj = cronjob("{'schedule':'TZ=America/New_York 0 9 * * *'}", NULL) };

        run(&r, "2025-06-01T13:00:30Z");
        cr_expect_str_eq(message(&r, "UnsupportedSchedule"),
                         "CRON_TZ or TZ used in schedule \"TZ=America/New_York 0 9 * * *\" is not "
                         "officially supported, see https://kubernetes.io/docs/concepts/workloads/"
                         "controllers/cron-jobs/ for more details");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 1);
        run_free(&r);
}

Test(cronjob, unparseable_schedule_is_an_event)
{
        struct run r = { .cj = cronjob("{'schedule':'bad'}", NULL) };

        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_str_eq(message(&r, "UnparseableSchedule"),
                         "unparseable schedule: \"bad\" : expected exactly 5 fields, found 1: "
                         "[bad]");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        run_free(&r);
}

Test(cronjob, schedule_that_never_runs_is_invalid)
{
        struct run r = { .cj = cronjob("{'schedule':'0 0 30 2 *'}", NULL) };

        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_str_eq(message(&r, "InvalidSchedule"),
                         "invalid schedule: 0 0 30 2 * : time difference between two schedules is "
                         "less than 1 second");
        run_free(&r);
}

Test(cronjob, suspended_creates_nothing)
{
        struct run r = { .cj = cronjob("{'suspend':true}", NULL) };

        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_eq(r.requeue, 0);
        run_free(&r);
}

Test(cronjob, forbid_skips_while_a_job_is_active)
{
        struct run r = { .cj = cronjob("{'concurrencyPolicy':'Forbid'}",
                                       "{'lastScheduleTime':'2025-06-01T12:00:00Z','active':[{"
                                       "'kind':'Job','namespace':'default','name':'hello-1',"
                                       "'uid':'uid-hello-1','apiVersion':'batch/v1'}]}") };

        r.jobs[r.n++] = child("hello-1", NULL, "2025-06-01T12:00:01Z", NULL);
        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_str_eq(message(&r, "JobAlreadyActive"),
                         "Not starting job because prior execution is running and concurrency "
                         "policy is Forbid");
        run_free(&r);
}

Test(cronjob, allow_runs_concurrently)
{
        struct run r = { .cj = cronjob(NULL, "{'lastScheduleTime':'2025-06-01T12:00:00Z',"
                                             "'active':[{'kind':'Job','namespace':'default',"
                                             "'name':'hello-1','uid':'uid-hello-1',"
                                             "'apiVersion':'batch/v1'}]}") };

        r.jobs[r.n++] = child("hello-1", NULL, "2025-06-01T12:00:01Z", NULL);
        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 1);
        cr_expect_eq(json_array_size(json_object_get(new_status(&r), "active")), 2);
        run_free(&r);
}

Test(cronjob, replace_deletes_the_active_job_first)
{
        struct run r = { .cj = cronjob("{'concurrencyPolicy':'Replace'}",
                                       "{'lastScheduleTime':'2025-06-01T12:00:00Z','active':[{"
                                       "'kind':'Job','namespace':'default','name':'hello-1',"
                                       "'uid':'uid-hello-1','apiVersion':'batch/v1'}]}") };
        const struct kl_ctrl_action *d;
        const json_t *active;

        r.jobs[r.n++] = child("hello-1", NULL, "2025-06-01T12:00:01Z", NULL);
        run(&r, "2025-06-01T12:05:10Z");
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 1);
        d = nth(&r, KL_CTRL_DELETE, 0);
        cr_expect_str_eq(d->name, "hello-1");
        cr_expect_str_eq(str(d->obj, "propagationPolicy"), "Background");
        cr_expect_str_eq(message(&r, "SuccessfulDelete"), "Deleted job hello-1");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 1);
        active = json_object_get(new_status(&r), "active");
        cr_assert_eq(json_array_size(active), 1);
        cr_expect_str_neq(str(json_array_get(active, 0), "name"), "hello-1");
        run_free(&r);
}

Test(cronjob, starting_deadline_skips_missed_times)
{
        struct run r = { .cj = cronjob("{'schedule':'0 * * * *','startingDeadlineSeconds':10}",
                                       NULL) };

        json_object_set_new(json_object_get(r.cj, "metadata"), "creationTimestamp",
                            json_string("2025-06-01T10:30:00Z"));
        run(&r, "2025-06-01T12:00:30Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        run_free(&r);
}

Test(cronjob, missed_times_after_a_restart_run_only_the_most_recent)
{
        struct run r = { .cj = cronjob("{'schedule':'0 * * * *'}", NULL) };
        kl_autofree char *name = job_name_at("2025-06-01T15:00:00Z");

        json_object_set_new(json_object_get(r.cj, "metadata"), "creationTimestamp",
                            json_string("2025-06-01T10:30:00Z"));
        run(&r, "2025-06-01T15:20:00Z");
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        cr_expect_str_eq(kl_ctrl_meta_str(nth(&r, KL_CTRL_CREATE, 0)->obj, "name"), name);
        cr_expect_null(message(&r, "TooManyMissedTimes"));
        run_free(&r);
}

Test(cronjob, too_many_missed_times_warns_and_runs_the_latest)
{
        struct run r = { .cj = cronjob("{'schedule':'* * * * *'}", NULL) };
        kl_autofree char *name = job_name_at("2025-06-01T14:00:00Z");

        run(&r, "2025-06-01T14:00:30Z");
        cr_expect_str_eq(message(&r, "TooManyMissedTimes"),
                         "too many missed start times. Set or decrease "
                         ".spec.startingDeadlineSeconds or check clock skew");
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        cr_expect_str_eq(kl_ctrl_meta_str(nth(&r, KL_CTRL_CREATE, 0)->obj, "name"), name);
        run_free(&r);
}

Test(cronjob, finished_active_job_leaves_the_active_list)
{
        struct run r = { .cj = cronjob(NULL, "{'lastScheduleTime':'2025-06-01T12:05:00Z',"
                                             "'active':[{'kind':'Job','namespace':'default',"
                                             "'name':'hello-1','uid':'uid-hello-1',"
                                             "'apiVersion':'batch/v1'}]}") };
        const json_t *st;

        r.jobs[r.n++] =
                child("hello-1", "Complete", "2025-06-01T12:05:01Z", "2025-06-01T12:05:30Z");
        run(&r, "2025-06-01T12:06:00Z");
        cr_expect_str_eq(message(&r, "SawCompletedJob"),
                         "Saw completed job: hello-1, condition: Complete");
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_null(json_object_get(st, "active"));
        cr_expect_str_eq(str(st, "lastSuccessfulTime"), "2025-06-01T12:05:30Z");
        run_free(&r);
}

Test(cronjob, missing_active_job_is_dropped)
{
        struct run r = { .cj = cronjob(NULL, "{'lastScheduleTime':'2025-06-01T12:05:00Z',"
                                             "'active':[{'kind':'Job','namespace':'default',"
                                             "'name':'hello-1','uid':'uid-hello-1',"
                                             "'apiVersion':'batch/v1'}]}") };

        run(&r, "2025-06-01T12:06:00Z");
        cr_expect_str_eq(message(&r, "MissingJob"), "Active job went missing: hello-1");
        cr_expect_null(json_object_get(new_status(&r), "active"));
        run_free(&r);
}

Test(cronjob, created_job_reference_gets_its_uid)
{
        struct run r = { .cj = cronjob(NULL, "{'lastScheduleTime':'2025-06-01T12:05:00Z',"
                                             "'active':[{'kind':'Job','namespace':'default',"
                                             "'name':'hello-1','apiVersion':'batch/v1'}]}") };
        const json_t *ref;

        r.jobs[r.n++] = child("hello-1", NULL, NULL, NULL);
        run(&r, "2025-06-01T12:06:00Z");
        ref = json_array_get(json_object_get(new_status(&r), "active"), 0);
        cr_expect_str_eq(str(ref, "uid"), "uid-hello-1");
        cr_expect_null(message(&r, "UnexpectedJob"));
        run_free(&r);
}

Test(cronjob, unexpected_running_job_is_reported)
{
        struct run r = { .cj = cronjob(NULL, "{'lastScheduleTime':'2025-06-01T12:05:00Z'}") };

        r.jobs[r.n++] = child("stray", NULL, NULL, NULL);
        run(&r, "2025-06-01T12:06:00Z");
        cr_expect_str_eq(message(&r, "UnexpectedJob"),
                         "Saw a job that the controller did not create or forgot: stray");
        run_free(&r);
}

Test(cronjob, history_limits_delete_the_oldest_finished_jobs)
{
        struct run r = { .cj = cronjob("{'successfulJobsHistoryLimit':1,"
                                       "'failedJobsHistoryLimit':0}",
                                       "{'lastScheduleTime':'2025-06-01T12:05:00Z'}") };

        r.jobs[r.n++] = child("hello-c", "Complete", "2025-06-01T11:50:00Z", NULL);
        r.jobs[r.n++] = child("hello-a", "Complete", "2025-06-01T11:40:00Z", NULL);
        r.jobs[r.n++] = child("hello-b", "Complete", "2025-06-01T11:45:00Z", NULL);
        r.jobs[r.n++] = child("hello-f", "Failed", "2025-06-01T11:55:00Z", NULL);
        run(&r, "2025-06-01T12:06:00Z");
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 3);
        cr_expect_str_eq(nth(&r, KL_CTRL_DELETE, 0)->name, "hello-a");
        cr_expect_str_eq(nth(&r, KL_CTRL_DELETE, 1)->name, "hello-b");
        cr_expect_str_eq(nth(&r, KL_CTRL_DELETE, 2)->name, "hello-f");
        cr_expect_str_eq(str(nth(&r, KL_CTRL_DELETE, 0)->obj, "propagationPolicy"), "Background");
        cr_expect_str_eq(message(&r, "SuccessfulDelete"), "Deleted job hello-a");
        run_free(&r);
}

Test(cronjob, deleting_cronjob_only_updates_status)
{
        struct run r = { .cj = cronjob(NULL, NULL) };

        json_object_set_new(json_object_get(r.cj, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:05:00Z"));
        run(&r, "2025-06-01T12:05:10Z");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_eq(count(&r, KL_CTRL_DELETE), 0);
        run_free(&r);
}

/* Several syncs, the writes applied as the API server would; each Job completes at once. */
Test(cronjob, runs_every_schedule_and_keeps_the_history_limit)
{
        json_t *cj = cronjob("{'successfulJobsHistoryLimit':1}", NULL);
        json_t *jobs[16];
        size_t n = 0, created = 0, deleted = 0;
        kl_usec_t now = T("2025-06-01T12:05:10Z");

        for (int step = 0; step < 12; step++) {
                struct kl_ctrl_actions a = { 0 };
                kl_usec_t requeue = 0;

                kl_ctrl_cronjob_reconcile(
                        &(struct kl_ctrl_cronjob_input){ .cronjob = cj,
                                                         .jobs = (const json_t *const *)jobs,
                                                         .n_jobs = n,
                                                         .now = now },
                        &a, &requeue);
                for (size_t i = 0; i < a.n; i++) {
                        const struct kl_ctrl_action *x = &a.v[i];

                        if (x->op == KL_CTRL_UPDATE) {
                                json_object_set(cj, "status", json_object_get(x->obj, "status"));
                        } else if (x->op == KL_CTRL_CREATE) {
                                json_t *j = json_deep_copy(x->obj);

                                cr_assert_lt(n, KL_ARRAY_SIZE(jobs));
                                json_object_set_new(json_object_get(j, "metadata"), "uid",
                                                    json_sprintf("u%zu", ++created));
                                json_object_set_new(j, "status",
                                                    J("{'startTime':'2025-06-01T12:00:00Z',"
                                                      "'conditions':[{'type':'Complete',"
                                                      "'status':'True'}]}"));
                                json_object_set_new(json_object_get(j, "status"), "startTime",
                                                    kl_ctrl_time_json(now));
                                json_object_set_new(json_object_get(j, "status"), "completionTime",
                                                    kl_ctrl_time_json(now));
                                jobs[n++] = j;
                        } else if (x->op == KL_CTRL_DELETE) {
                                for (size_t k = 0; k < n; k++) {
                                        if (!kl_streq(kl_ctrl_meta_str(jobs[k], "name"), x->name))
                                                continue;
                                        json_decref(jobs[k]);
                                        jobs[k] = jobs[--n];
                                        deleted++;
                                        break;
                                }
                        }
                }
                kl_ctrl_actions_clear(&a);
                /* The next sync: at the requeue (the next schedule time). */
                cr_assert_gt(requeue, 0);
                now += requeue;
        }
        /* One Job per schedule time; each sync first retires the finished one before. */
        cr_expect_eq(created, 12);
        cr_expect_eq(n, 2, "the limit's one, and the one just created");
        cr_expect_eq(deleted, created - 2);
        cr_expect_eq(json_array_size(json_object_get(json_object_get(cj, "status"), "active")), 1);
        cr_expect_not_null(json_object_get(json_object_get(cj, "status"), "lastSuccessfulTime"));
        for (size_t i = 0; i < n; i++)
                json_decref(jobs[i]);
        json_decref(cj);
}
