/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CronJob controller (upstream's pkg/controller/cronjob, the v2
 * controller as of v1.32): creates a Job "<cronjob>-<minutes since the
 * epoch>" at each time of the schedule (cron.c), in spec.timeZone or UTC,
 * under the concurrency policy, within startingDeadlineSeconds; keeps
 * status.active, lastScheduleTime and lastSuccessfulTime; deletes finished
 * Jobs beyond the history limits; asks to be called again at the next
 * scheduled time.
 *
 * Upstream adds a created Job's full reference (with its uid) to
 * status.active in the same sync, after the create returned. Our writes are
 * performed after the reconcile, so the reference is written with the name
 * only, and the next sync (which the Job's own informer event triggers)
 * fills the uid in from the Job it finds. A reference whose Job does not
 * exist is dropped with a MissingJob event, as upstream does.
 */
#include <string.h>
#include <time.h>

#include "controllers/ctrl-internal.h"

#define NEXT_SCHEDULE_DELTA (100 * KL_USEC_PER_MSEC)
#define MAX_MISSED_LOOP     1000 /* bound of the walk to the most recent missed time */

static const char *dig_str(const json_t *v, const char *a, const char *b)
{
        v = json_object_get(v, a);
        return json_string_value(b ? json_object_get(v, b) : v);
}

/* "Complete" or "Failed" when a terminal condition is True, else NULL. */
static const char *finished_type(const json_t *job)
{
        static const char *const types[] = { "Complete", "Failed" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(types); i++) {
                const json_t *c = kl_ctrl_get_condition(job, types[i]);

                if (c && kl_streq_null(dig_str(c, "status", NULL), "True"))
                        return types[i];
        }
        return NULL;
}

/* The index in `active` of the reference to `job` (by uid, or by name for a reference
 * written before the uid was known), or -1. */
static ssize_t active_index(const json_t *active, const json_t *job)
{
        const char *uid = kl_ctrl_meta_str(job, "uid"), *name = kl_ctrl_meta_str(job, "name");
        size_t i;
        json_t *ref;

        json_array_foreach(active, i, ref) {
                const char *ruid = dig_str(ref, "uid", NULL);

                if (ruid ? kl_streq_null(ruid, uid)
                         : kl_streq_null(dig_str(ref, "name", NULL), name))
                        return (ssize_t)i;
        }
        return -1;
}

static json_t *job_ref(const json_t *job)
{
        json_t *ref = json_pack("{s:s, s:s, s:s?, s:s?}", "kind", "Job", "apiVersion", "batch/v1",
                                "namespace", kl_ctrl_meta_str(job, "namespace"), "name",
                                kl_ctrl_meta_str(job, "name"));

        if (kl_ctrl_meta_str(job, "uid"))
                json_object_set_new(ref, "uid", json_string(kl_ctrl_meta_str(job, "uid")));
        if (kl_ctrl_meta_str(job, "resourceVersion"))
                json_object_set_new(ref, "resourceVersion",
                                    json_string(kl_ctrl_meta_str(job, "resourceVersion")));
        return ref;
}

static void delete_job(struct kl_ctrl_actions *out, const json_t *cj, json_t *active,
                       const json_t *job)
{
        ssize_t ix = active_index(active, job);

        kl_ctrl_delete(out, kl_ctrl_res("batch", "jobs"), kl_ctrl_meta_str(job, "namespace"),
                       kl_ctrl_meta_str(job, "name"),
                       json_pack("{s:s, s:s}", "kind", "DeleteOptions", "propagationPolicy",
                                 "Background"));
        if (ix >= 0)
                json_array_remove(active, (size_t)ix);
        kl_ctrl_event(out, cj, "Normal", "SuccessfulDelete", "Deleted job %s",
                      kl_ctrl_meta_str(job, "name") ?: "");
}

/* byJobStartTime: by status.startTime, unset last, then by name. */
static int cmp_start(const void *a, const void *b)
{
        const json_t *ja = *(const json_t *const *)a, *jb = *(const json_t *const *)b;
        kl_usec_t ta = kl_ctrl_time(json_object_get(json_object_get(ja, "status"), "startTime"));
        kl_usec_t tb = kl_ctrl_time(json_object_get(json_object_get(jb, "status"), "startTime"));

        if (!ta != !tb)
                return ta ? -1 : 1;
        if (ta != tb)
                return ta < tb ? -1 : 1;
        return strcmp(kl_ctrl_meta_str(ja, "name") ?: "", kl_ctrl_meta_str(jb, "name") ?: "");
}

static void remove_oldest(struct kl_ctrl_actions *out, const json_t *cj, json_t *active,
                          const json_t **jobs, size_t n, int64_t keep)
{
        if (keep < 0 || (int64_t)n <= keep)
                return;
        qsort(jobs, n, sizeof(*jobs), cmp_start);
        for (size_t i = 0; i < n - (size_t)keep; i++)
                delete_job(out, cj, active, jobs[i]);
}

/* cleanupFinishedJobs: the history limits. */
static void cleanup_finished(const struct kl_ctrl_cronjob_input *in, json_t *active,
                             struct kl_ctrl_actions *out)
{
        const json_t *spec = json_object_get(in->cronjob, "spec");
        const json_t *ls = json_object_get(spec, "successfulJobsHistoryLimit");
        const json_t *lf = json_object_get(spec, "failedJobsHistoryLimit");
        kl_autofree const json_t **ok = kl_calloc(in->n_jobs + 1, sizeof(*ok));
        kl_autofree const json_t **bad = kl_calloc(in->n_jobs + 1, sizeof(*bad));
        size_t n_ok = 0, n_bad = 0;

        if (!json_is_integer(ls) && !json_is_integer(lf))
                return;
        for (size_t i = 0; i < in->n_jobs; i++) {
                const char *t = finished_type(in->jobs[i]);

                if (kl_streq_null(t, "Complete"))
                        ok[n_ok++] = in->jobs[i];
                else if (kl_streq_null(t, "Failed"))
                        bad[n_bad++] = in->jobs[i];
        }
        if (json_is_integer(ls))
                remove_oldest(out, in->cronjob, active, ok, n_ok, json_integer_value(ls));
        if (json_is_integer(lf))
                remove_oldest(out, in->cronjob, active, bad, n_bad, json_integer_value(lf));
}

enum missed {
        MISSED_NONE,
        MISSED_FEW,
        MISSED_MANY
};

/*
 * Upstream's mostRecentScheduleTime: *ret_recent the latest schedule time not after `now`
 * since the last one (0: none); the count of missed times is estimated from the interval
 * between the next two times, then the recent one walked to.
 */
static int most_recent(const json_t *cj, kl_usec_t now, const struct kl_ctrl_cron *sched,
                       bool with_deadline, kl_usec_t *ret_earliest, kl_usec_t *ret_recent,
                       enum missed *ret_missed)
{
        const json_t *spec = json_object_get(cj, "spec"), *sds;
        kl_usec_t earliest = kl_ctrl_time(
                          json_object_get(json_object_get(cj, "status"), "lastScheduleTime")),
                  t1, t2, potential, recent = 0;
        int64_t between, missed;
        size_t steps = 0;

        if (!earliest)
                earliest = kl_ctrl_time(
                        json_object_get(json_object_get(cj, "metadata"), "creationTimestamp"));
        sds = json_object_get(spec, "startingDeadlineSeconds");
        if (with_deadline && json_is_integer(sds)) {
                int64_t d = json_integer_value(sds);
                kl_usec_t deadline = d >= 0 && (kl_usec_t)d * KL_USEC_PER_SEC < now
                                             ? now - (kl_usec_t)d * KL_USEC_PER_SEC
                                             : 0;

                if (deadline > earliest)
                        earliest = deadline;
        }
        *ret_earliest = earliest;
        *ret_recent = 0;
        *ret_missed = MISSED_NONE;
        t1 = kl_ctrl_cron_next(sched, earliest);
        t2 = t1 ? kl_ctrl_cron_next(sched, t1) : 0;
        if (t1 && now < t1)
                return 0;
        if (t1 && now < t2) {
                *ret_recent = t1;
                return 0;
        }
        between = t1 && t2 ? (int64_t)((t2 - t1 + KL_USEC_PER_SEC / 2) / KL_USEC_PER_SEC) : 0;
        if (between < 1)
                return -EINVAL; /* "time difference between two schedules is less than 1 second" */
        missed = (int64_t)((now - t1) / KL_USEC_PER_SEC) / between + 1;
        potential = t1;
        if (missed - 2 > 0)
                potential += (kl_usec_t)((missed - 2) * between) * KL_USEC_PER_SEC;
        else if (missed - 2 < 0 && potential > (kl_usec_t)between * KL_USEC_PER_SEC)
                potential -= (kl_usec_t)between * KL_USEC_PER_SEC;
        for (kl_usec_t t = kl_ctrl_cron_next(sched, potential);
             t && t <= now && steps < MAX_MISSED_LOOP; t = kl_ctrl_cron_next(sched, t), steps++)
                recent = t;
        if (missed > 100)
                *ret_missed = MISSED_MANY;
        else if (missed > 1)
                *ret_missed = MISSED_FEW;
        *ret_recent = recent;
        return 0;
}

/* nextScheduleTimeDuration: how long until the next schedule time (plus 100 ms). */
static kl_usec_t next_duration(const json_t *cj, kl_usec_t now, const struct kl_ctrl_cron *sched)
{
        kl_usec_t earliest, recent, next;
        enum missed missed;

        if (most_recent(cj, now, sched, false, &earliest, &recent, &missed) < 0)
                recent = now;
        else if (!recent)
                recent = missed == MISSED_NONE ? earliest : now;
        next = kl_ctrl_cron_next(sched, recent);
        if (!next)
                return 0;
        next += NEXT_SCHEDULE_DELTA;
        return next > now ? next - now : 1;
}

/* time.RFC1123Z of a UTC time. */
static void format_rfc1123z(kl_usec_t t, char *buf, size_t size)
{
        time_t s = (time_t)(t / KL_USEC_PER_SEC);
        struct tm tm;

        (void)gmtime_r(&s, &tm);
        (void)strftime(buf, size, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static json_t *job_from_template(const json_t *cj, kl_usec_t scheduled, const struct kl_ctrl_tz *tz)
{
        const json_t *tmpl = json_object_get(json_object_get(cj, "spec"), "jobTemplate");
        const json_t *tmeta = json_object_get(tmpl, "metadata");
        json_t *labels = json_deep_copy(json_object_get(tmeta, "labels"));
        json_t *ann = json_deep_copy(json_object_get(tmeta, "annotations"));
        json_t *spec = json_deep_copy(json_object_get(tmpl, "spec"));
        kl_autofree char *when = kl_ctrl_tz_format(tz, (int64_t)(scheduled / KL_USEC_PER_SEC));

        if (!json_is_object(labels)) {
                json_decref(labels);
                labels = json_object();
        }
        if (!json_is_object(ann)) {
                json_decref(ann);
                ann = json_object();
        }
        json_object_set_new(ann, KL_CTRL_CRONJOB_SCHEDULED_ANNOTATION, json_string(when));
        return json_pack("{s:s, s:s, s:{s:o, s:s?, s:o, s:o, s:[o]}, s:o}", "apiVersion",
                         "batch/v1", "kind", "Job", "metadata", "name",
                         json_sprintf("%s-%llu", kl_ctrl_meta_str(cj, "name") ?: "",
                                      (unsigned long long)(scheduled / KL_USEC_PER_MIN)),
                         "namespace", kl_ctrl_meta_str(cj, "namespace"), "labels", labels,
                         "annotations", ann, "ownerReferences", kl_ctrl_owner_ref(cj), "spec",
                         spec ? spec : json_object());
}

/* syncCronJob after the bookkeeping of the active list: maybe start a Job. */
static void schedule(const struct kl_ctrl_cronjob_input *in, json_t *status, json_t *active,
                     struct kl_ctrl_actions *out, kl_usec_t *requeue_after)
{
        const json_t *cj = in->cronjob, *spec = json_object_get(cj, "spec");
        const char *zone_name = dig_str(spec, "timeZone", NULL);
        const char *sched_str = dig_str(spec, "schedule", NULL) ?: "";
        const char *policy = dig_str(spec, "concurrencyPolicy", NULL) ?: "Allow";
        kl_cleanup(kl_ctrl_cron_freep) struct kl_ctrl_cron *sched = NULL;
        struct kl_ctrl_tz *tz = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *formatted = NULL;
        kl_autofree char *job_name = NULL;
        kl_usec_t now = in->now, earliest, scheduled;
        json_t *sds = json_object_get(spec, "startingDeadlineSeconds");
        enum missed missed;
        json_t *job;

        if (zone_name) {
                if (kl_ctrl_tz_load(in->zoneinfo_dir, zone_name, &tz, &e) < 0) {
                        kl_ctrl_event(out, cj, "Warning", "UnknownTimeZone",
                                      "invalid timeZone: \"%s\": %s", zone_name, kl_err_msg(e));
                        return;
                }
        }
        if (json_is_true(json_object_get(spec, "suspend"))) {
                kl_ctrl_tz_free(tz);
                return;
        }
        /* formatSchedule */
        if (strstr(sched_str, "TZ")) {
                kl_ctrl_event(out, cj, "Warning", "UnsupportedSchedule",
                              "CRON_TZ or TZ used in schedule \"%s\" is not officially supported, "
                              "see https://kubernetes.io/docs/concepts/workloads/controllers/"
                              "cron-jobs/ for more details",
                              sched_str);
                formatted = kl_strdup(sched_str);
        } else if (zone_name && *zone_name) {
                formatted = kl_asprintf("TZ=%s %s", zone_name, sched_str);
        } else {
                formatted = kl_strdup(sched_str);
        }
        if (kl_ctrl_cron_parse(formatted, in->zoneinfo_dir, &sched, &e) < 0) {
                kl_ctrl_event(out, cj, "Warning", "UnparseableSchedule",
                              "unparseable schedule: \"%s\" : %s", sched_str, kl_err_msg(e));
                kl_ctrl_tz_free(tz);
                return;
        }
        if (most_recent(cj, now, sched, true, &earliest, &scheduled, &missed) < 0) {
                kl_ctrl_event(out, cj, "Warning", "InvalidSchedule", "invalid schedule: %s : %s",
                              sched_str,
                              "time difference between two schedules is less than 1 second");
                kl_ctrl_tz_free(tz);
                return;
        }
        if (scheduled && missed == MISSED_MANY)
                kl_ctrl_event(out, cj, "Warning", "TooManyMissedTimes",
                              "too many missed start times. Set or decrease "
                              ".spec.startingDeadlineSeconds or check clock skew");
        if (!scheduled || scheduled > now)
                goto requeue;
        if (json_is_integer(sds) &&
            scheduled + (kl_usec_t)KL_MAX(json_integer_value(sds), 0) * KL_USEC_PER_SEC < now) {
                char buf[64];

                format_rfc1123z(scheduled, buf, sizeof(buf));
                kl_ctrl_event(out, cj, "Warning", "MissSchedule",
                              "Missed scheduled time to start a job: %s", buf);
                goto requeue;
        }
        job_name = kl_asprintf("%s-%llu", kl_ctrl_meta_str(cj, "name") ?: "",
                               (unsigned long long)(scheduled / KL_USEC_PER_MIN));
        {
                size_t i;
                json_t *ref;
                bool seen = false;

                json_array_foreach(active, i, ref)
                        if (kl_streq_null(dig_str(ref, "name", NULL), job_name))
                                seen = true;
                if (seen || kl_ctrl_time(json_object_get(status, "lastScheduleTime")) == scheduled)
                        goto requeue;
        }
        if (kl_streq(policy, "Forbid") && json_array_size(active) > 0) {
                kl_ctrl_event(out, cj, "Normal", "JobAlreadyActive",
                              "Not starting job because prior execution is running and "
                              "concurrency policy is Forbid");
                goto requeue;
        }
        if (kl_streq(policy, "Replace")) {
                while (json_array_size(active) > 0) {
                        const json_t *found = NULL;

                        for (size_t i = 0; i < in->n_jobs && !found; i++)
                                if (active_index(active, in->jobs[i]) == 0)
                                        found = in->jobs[i];
                        if (found)
                                delete_job(out, cj, active, found);
                        else
                                json_array_remove(active, 0);
                }
        }
        job = job_from_template(cj, scheduled, tz);
        kl_ctrl_create(out, kl_ctrl_res("batch", "jobs"), kl_ctrl_meta_str(cj, "namespace"), job);
        kl_ctrl_event(out, cj, "Normal", "SuccessfulCreate", "Created job %s", job_name);
        json_array_append_new(active, job_ref(job));
        json_object_set_new(status, "lastScheduleTime", kl_ctrl_time_json(scheduled));
requeue : {
        /* Computed from the status as it will be written. */
        json_t *view = json_deep_copy(cj);

        json_object_set(view, "status", status);
        *requeue_after = next_duration(view, now, sched);
        json_decref(view);
}
        kl_ctrl_tz_free(tz);
}

void kl_ctrl_cronjob_reconcile(const struct kl_ctrl_cronjob_input *in, struct kl_ctrl_actions *out,
                               kl_usec_t *requeue_after)
{
        const json_t *cj = in->cronjob, *old_status = json_object_get(cj, "status");
        json_auto_t *status =
                json_is_object(old_status) ? json_deep_copy(old_status) : json_object();
        json_t *active = json_object_get(status, "active");
        kl_usec_t last_ok = kl_ctrl_time(json_object_get(status, "lastSuccessfulTime"));
        kl_usec_t last_ok0 = last_ok;
        bool deleting = kl_ctrl_is_deleting(cj);
        size_t i;
        json_t *ref;

        *requeue_after = 0;
        if (!json_is_array(active)) {
                active = json_array();
                json_object_set_new(status, "active", active);
        }
        cleanup_finished(in, active, out);
        for (size_t k = 0; k < in->n_jobs; k++) {
                const json_t *j = in->jobs[k];
                ssize_t ix = active_index(active, j);
                const char *fin = finished_type(j);

                if (ix < 0 && !fin) {
                        kl_ctrl_event(out, cj, "Warning", "UnexpectedJob",
                                      "Saw a job that the controller did not create or forgot: %s",
                                      kl_ctrl_meta_str(j, "name") ?: "");
                } else if (fin) {
                        if (ix >= 0) {
                                json_array_remove(active, (size_t)ix);
                                kl_ctrl_event(out, cj, "Normal", "SawCompletedJob",
                                              "Saw completed job: %s, condition: %s",
                                              kl_ctrl_meta_str(j, "name") ?: "", fin);
                        }
                        if (kl_streq(fin, "Complete")) {
                                kl_usec_t t = kl_ctrl_time(json_object_get(
                                        json_object_get(j, "status"), "completionTime"));

                                if (t > last_ok)
                                        last_ok = t;
                        }
                } else if (!dig_str(json_array_get(active, (size_t)ix), "uid", NULL)) {
                        /* The reference written at creation, now with the Job's uid. */
                        json_array_set_new(active, (size_t)ix, job_ref(j));
                }
        }
        /* References to Jobs that are gone. */
        for (i = 0; i < json_array_size(active);) {
                bool found = false;

                ref = json_array_get(active, i);
                for (size_t k = 0; k < in->n_jobs && !found; k++)
                        found = active_index(active, in->jobs[k]) == (ssize_t)i;
                if (found) {
                        i++;
                        continue;
                }
                kl_ctrl_event(out, cj, "Normal", "MissingJob", "Active job went missing: %s",
                              dig_str(ref, "name", NULL) ?: "");
                json_array_remove(active, i);
        }
        if (last_ok != last_ok0)
                json_object_set_new(status, "lastSuccessfulTime", kl_ctrl_time_json(last_ok));
        if (!deleting)
                schedule(in, status, active, out, requeue_after);
        if (json_array_size(active) == 0)
                json_object_del(status, "active");
        if (old_status ? !json_equal(status, old_status) : json_object_size(status) > 0) {
                json_t *body = json_deep_copy(cj);

                json_object_set(body, "status", status);
                kl_ctrl_update(out, kl_ctrl_res("batch", "cronjobs"),
                               kl_ctrl_meta_str(cj, "namespace"), kl_ctrl_meta_str(cj, "name"),
                               "status", body);
        }
}

/* -------------------------------------------------------------------------
 * Sync and enqueue
 */

static int cronjob_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                        kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv owned = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv jobs = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        const json_t *cj;
        const char *uid;

        (void)err;
        kl_client_key_split(key, &ns, &name);
        cj = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_CRONJOBS), ns, name);
        if (!cj || !(uid = kl_ctrl_meta_str(cj, "uid")))
                return 0; /* deleted: the garbage collector takes its Jobs */
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_JOBS), KL_INDEX_OWNER, uid, &owned);
        for (size_t i = 0; i < owned.n; i++) {
                const json_t *ref = kl_ctrl_controller_ref(owned.items[i]);

                if (ref && kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid))
                        kl_objv_push(&jobs, owned.items[i]);
        }
        kl_ctrl_cronjob_reconcile(
                &(struct kl_ctrl_cronjob_input){
                        .cronjob = cj, .jobs = jobs.items, .n_jobs = jobs.n, .now = env->now },
                out, requeue_after);
        return 0;
}

static void cronjob_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                            const json_t *obj)
{
        if (i == KL_CTRL_INF_CRONJOBS) {
                kl_ctrl_enqueue_obj(c, obj ? obj : old);
                return;
        }
        if (old && (!obj || !json_equal(kl_ctrl_controller_ref(old), kl_ctrl_controller_ref(obj))))
                kl_ctrl_enqueue_owner(c, old, "CronJob");
        if (obj)
                kl_ctrl_enqueue_owner(c, obj, "CronJob");
}

static const enum kl_ctrl_inf cronjob_watches[] = {
        KL_CTRL_INF_CRONJOBS,
        KL_CTRL_INF_JOBS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_cronjob = {
        .name = "cronjob",
        .user = "system:serviceaccount:kube-system:cronjob-controller",
        .watches = cronjob_watches,
        .enqueue = cronjob_enqueue,
        .sync = cronjob_sync,
};
