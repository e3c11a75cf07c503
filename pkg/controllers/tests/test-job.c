/* SPDX-License-Identifier: Apache-2.0 */
/* The Job controller's reconcile: one upstream (v1.32) behaviour per test. */
#include <criterion/criterion.h>
#include <stdarg.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define NOW "2025-06-01T12:10:00Z"

static kl_usec_t T(const char *rfc3339)
{
        int64_t t;

        cr_assert_eq(kl_rfc3339_parse(rfc3339, &t), 0);
        return (kl_usec_t)t;
}

/* JSON written with single quotes for legibility. */
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

/* A Job as the API server stores it, `spec` members and `status` replaced. */
static json_t *job(const char *spec, const char *status)
{
        json_t *j = J("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'pi',"
                      "'namespace':'default','uid':'job-uid','resourceVersion':'7',"
                      "'creationTimestamp':'2025-06-01T12:00:00Z'},'spec':{'completions':1,"
                      "'parallelism':1,'backoffLimit':6,'completionMode':'NonIndexed',"
                      "'suspend':false,'podReplacementPolicy':'TerminatingOrFailed',"
                      "'selector':{'matchLabels':{'batch.kubernetes.io/controller-uid':"
                      "'job-uid'}},'template':{'metadata':{'labels':{"
                      "'batch.kubernetes.io/controller-uid':'job-uid',"
                      "'batch.kubernetes.io/job-name':'pi'}},'spec':{'restartPolicy':'Never',"
                      "'containers':[{'name':'main','image':'busybox'}]}}}}");

        if (spec) {
                json_t *s = J(spec);

                cr_assert_eq(json_object_update(json_object_get(j, "spec"), s), 0);
                json_decref(s);
        }
        if (status)
                json_object_set_new(j, "status", J(status));
        return j;
}

enum pod_flags {
        FIN = 1 << 0,      /* has the tracking finalizer */
        READY = 1 << 1,    /* Ready condition True */
        DELETING = 1 << 2, /* deletionTimestamp set */
};

/* A pod of the Job; `index` < 0: none; `status` extra status members (may be NULL). */
static json_t *pod(const char *name, const char *phase, unsigned flags, int index,
                   const char *status)
{
        json_t *p = J("{'apiVersion':'v1','kind':'Pod','metadata':{'namespace':'default',"
                      "'creationTimestamp':'2025-06-01T12:01:00Z','ownerReferences':[{"
                      "'apiVersion':'batch/v1','kind':'Job','name':'pi','uid':'job-uid',"
                      "'controller':true,'blockOwnerDeletion':true}]},"
                      "'spec':{'nodeName':'n1'},'status':{}}");
        json_t *meta = json_object_get(p, "metadata"), *st = json_object_get(p, "status");

        json_object_set_new(meta, "name", json_string(name));
        json_object_set_new(meta, "uid", json_sprintf("uid-%s", name));
        json_object_set_new(st, "phase", json_string(phase));
        if (flags & FIN)
                json_object_set_new(meta, "finalizers", J("['batch.kubernetes.io/job-tracking']"));
        if (flags & READY)
                json_object_set_new(st, "conditions",
                                    J("[{'type':'Ready','status':'True',"
                                      "'lastTransitionTime':'2025-06-01T12:02:00Z'}]"));
        if (flags & DELETING)
                json_object_set_new(meta, "deletionTimestamp", json_string("2025-06-01T12:09:00Z"));
        if (index >= 0) {
                char ix[16];

                snprintf(ix, sizeof(ix), "%d", index);
                json_object_set_new(meta, "annotations",
                                    json_pack("{s:s}", KL_CTRL_JOB_INDEX_ANNOTATION, ix));
        }
        if (status) {
                json_t *s = J(status);

                json_object_update(st, s);
                json_decref(s);
        }
        return p;
}

struct run {
        struct kl_ctrl_actions a;
        kl_usec_t requeue;
        json_t *job;
        json_t *pods[16];
        size_t n;
};

static void run(struct run *r, kl_usec_t now)
{
        kl_ctrl_job_reconcile(&(struct kl_ctrl_job_input){ .job = r->job,
                                                           .pods = (const json_t *const *)r->pods,
                                                           .n_pods = r->n,
                                                           .now = now },
                              &r->a, &r->requeue);
}

static void run_free(struct run *r)
{
        kl_ctrl_actions_clear(&r->a);
        json_decref(r->job);
        for (size_t i = 0; i < r->n; i++)
                json_decref(r->pods[i]);
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

static const struct kl_ctrl_action *event(const struct run *r, const char *reason)
{
        for (size_t i = 0; i < r->a.n; i++)
                if (r->a.v[i].op == KL_CTRL_EVENT && kl_streq(r->a.v[i].reason, reason))
                        return &r->a.v[i];
        return NULL;
}

/* The status written, or NULL. */
static const json_t *new_status(const struct run *r)
{
        const struct kl_ctrl_action *u = nth(r, KL_CTRL_UPDATE, 0);

        if (!u)
                return NULL;
        cr_expect_str_eq(u->sub, "status");
        cr_expect_str_eq(u->res->plural, "jobs");
        return json_object_get(u->obj, "status");
}

static const json_t *cond(const json_t *status, const char *type)
{
        size_t i;
        json_t *c;

        json_array_foreach(json_object_get(status, "conditions"), i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), type))
                        return c;
        return NULL;
}

static const char *str(const json_t *v, const char *field)
{
        return json_string_value(json_object_get(v, field));
}

static int64_t num(const json_t *v, const char *field)
{
        return json_integer_value(json_object_get(v, field));
}

static void expect_finalizer_removed(const struct run *r, const char *pod_name)
{
        for (size_t i = 0; i < r->a.n; i++) {
                const struct kl_ctrl_action *x = &r->a.v[i];

                if (x->op == KL_CTRL_PATCH && kl_streq(x->name, pod_name)) {
                        json_t *want = J("{'metadata':{'$deleteFromPrimitiveList/finalizers':"
                                         "['batch.kubernetes.io/job-tracking']}}");

                        cr_expect(json_equal(x->obj, want));
                        cr_expect_eq(x->patch_type, KL_API_PATCH_TYPE_STRATEGIC);
                        json_decref(want);
                        return;
                }
        }
        cr_expect_fail("no finalizer removal for %s", pod_name);
}

Test(job, creates_a_pod_with_finalizer_owner_and_name)
{
        struct run r = { .job = job("{'completions':5,'parallelism':2}", NULL) };
        kl_autofree char *msg = NULL;
        const json_t *st, *p;
        const char *name;

        run(&r, T(NOW));
        /* Slow start: one pod while none is active. */
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        p = nth(&r, KL_CTRL_CREATE, 0)->obj;
        cr_expect_str_eq(nth(&r, KL_CTRL_CREATE, 0)->res->plural, "pods");
        cr_expect_str_eq(kl_ctrl_meta_str(p, "generateName"), "pi-");
        name = kl_ctrl_meta_str(p, "name");
        cr_assert_not_null(name);
        cr_expect_eq(strlen(name), 8);
        cr_expect(kl_startswith(name, "pi-"));
        cr_expect_str_eq(kl_ctrl_meta_str(p, "namespace"), "default");
        cr_expect(kl_ctrl_is_owned_by(p, "job-uid"));
        cr_expect(json_is_true(json_object_get(kl_ctrl_controller_ref(p), "blockOwnerDeletion")));
        cr_expect_str_eq(json_string_value(json_array_get(
                                 json_object_get(json_object_get(p, "metadata"), "finalizers"), 0)),
                         "batch.kubernetes.io/job-tracking");
        cr_expect_str_eq(str(json_object_get(json_object_get(p, "metadata"), "labels"),
                             "batch.kubernetes.io/job-name"),
                         "pi");
        cr_assert_not_null(event(&r, "SuccessfulCreate"));
        msg = kl_asprintf("Created pod: %s", name);
        cr_expect_str_eq(event(&r, "SuccessfulCreate")->message, msg);
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_str_eq(str(st, "startTime"), NOW);
        cr_expect_eq(num(st, "active"), 1);
        cr_expect_eq(num(st, "ready"), 0);
        cr_expect_eq(num(st, "terminating"), 0);
        cr_expect(json_is_object(json_object_get(st, "uncountedTerminatedPods")));
        cr_expect_eq(json_object_size(json_object_get(st, "uncountedTerminatedPods")), 0);
        run_free(&r);
}

Test(job, slow_start_doubles_up_to_parallelism)
{
        struct run r = { .job = job("{'completions':10,'parallelism':5}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':2,"
                                    "'uncountedTerminatedPods':{}}") };

        r.pods[r.n++] = pod("pi-a", "Running", FIN, -1, NULL);
        r.pods[r.n++] = pod("pi-b", "Pending", FIN, -1, NULL);
        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 2);
        cr_expect_str_neq(kl_ctrl_meta_str(nth(&r, KL_CTRL_CREATE, 0)->obj, "name"),
                          kl_ctrl_meta_str(nth(&r, KL_CTRL_CREATE, 1)->obj, "name"));
        cr_expect_eq(num(new_status(&r), "active"), 4);
        run_free(&r);
}

Test(job, never_creates_more_than_remaining_completions)
{
        struct run r = { .job = job("{'completions':3,'parallelism':5}",
                                    "{'succeeded':2,'startTime':'2025-06-01T12:00:00Z',"
                                    "'uncountedTerminatedPods':{}}") };

        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 1);
        run_free(&r);
}

Test(job, indexed_pods_carry_index_annotation_label_env_and_hostname)
{
        struct run r = { .job = job("{'completions':4,'parallelism':4,'completionMode':'Indexed'}",
                                    NULL) };
        const json_t *p, *env;

        r.pods[r.n++] = pod("pi-1-abcde", "Running", FIN, 1, NULL);
        r.pods[r.n++] = pod("pi-3-abcde", "Running", FIN, 3, NULL);
        run(&r, T(NOW));
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 2);
        p = nth(&r, KL_CTRL_CREATE, 0)->obj;
        cr_expect_str_eq(kl_ctrl_meta_str(p, "generateName"), "pi-0-");
        cr_expect_str_eq(str(json_object_get(json_object_get(p, "metadata"), "annotations"),
                             KL_CTRL_JOB_INDEX_ANNOTATION),
                         "0");
        cr_expect_str_eq(str(json_object_get(json_object_get(p, "metadata"), "labels"),
                             KL_CTRL_JOB_INDEX_ANNOTATION),
                         "0");
        cr_expect_str_eq(str(json_object_get(p, "spec"), "hostname"), "pi-0");
        env = json_array_get(
                json_object_get(
                        json_array_get(json_object_get(json_object_get(p, "spec"), "containers"),
                                       0),
                        "env"),
                0);
        cr_expect_str_eq(str(env, "name"), "JOB_COMPLETION_INDEX");
        cr_expect_str_eq(
                str(json_object_get(json_object_get(env, "valueFrom"), "fieldRef"), "fieldPath"),
                "metadata.annotations['batch.kubernetes.io/job-completion-index']");
        p = nth(&r, KL_CTRL_CREATE, 1)->obj;
        cr_expect_str_eq(kl_ctrl_meta_str(p, "generateName"), "pi-2-");
        run_free(&r);
}

Test(job, indexed_long_job_name_is_cut_keeping_the_index)
{
        struct run r = { .job = job("{'completions':1,'completionMode':'Indexed'}", NULL) };
        const char *gn;

        json_object_set_new(
                json_object_get(r.job, "metadata"), "name",
                json_string("a-very-long-job-name-that-goes-on-and-on-and-on-0123456789ab"));
        run(&r, T(NOW));
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        gn = kl_ctrl_meta_str(nth(&r, KL_CTRL_CREATE, 0)->obj, "generateName");
        cr_expect_eq(strlen(gn), 58);
        cr_expect(kl_endswith(gn, "-0-"));
        run_free(&r);
}

Test(job, succeeded_pod_is_recorded_as_uncounted_before_its_finalizer_goes)
{
        struct run r = { .job = job("{'completions':2,'parallelism':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z',"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *st;

        r.pods[r.n++] = pod("pi-a", "Succeeded", FIN, -1, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_str_eq(json_string_value(json_array_get(
                                 json_object_get(json_object_get(st, "uncountedTerminatedPods"),
                                                 "succeeded"),
                                 0)),
                         "uid-pi-a");
        cr_expect_eq(count(&r, KL_CTRL_PATCH), 0, "finalizer kept until the status is written");
        cr_expect_eq(num(st, "succeeded"), 0);
        run_free(&r);
}

Test(job, recorded_pod_loses_its_finalizer)
{
        struct run r = { .job = job("{'completions':2,'parallelism':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':1,'ready':0,"
                                    "'terminating':0,'uncountedTerminatedPods':{'succeeded':"
                                    "['uid-pi-a']}}") };

        r.pods[r.n++] = pod("pi-a", "Succeeded", FIN, -1, NULL);
        r.pods[r.n++] = pod("pi-b", "Running", FIN, -1, NULL);
        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_PATCH), 1);
        expect_finalizer_removed(&r, "pi-a");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        run_free(&r);
}

Test(job, released_pod_moves_to_the_succeeded_counter)
{
        struct run r = { .job = job("{'completions':2,'parallelism':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':1,'ready':0,"
                                    "'terminating':0,'uncountedTerminatedPods':{'succeeded':"
                                    "['uid-pi-a']}}") };
        const json_t *st;

        r.pods[r.n++] = pod("pi-a", "Succeeded", 0, -1, NULL);
        r.pods[r.n++] = pod("pi-b", "Running", FIN, -1, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_eq(num(st, "succeeded"), 1);
        cr_expect_eq(json_object_size(json_object_get(st, "uncountedTerminatedPods")), 0);
        cr_expect_null(cond(st, "Complete"));
        run_free(&r);
}

Test(job, completes_with_success_criteria_met_then_complete)
{
        struct run r = { .job = job(NULL, "{'startTime':'2025-06-01T12:00:00Z','ready':0,"
                                          "'terminating':0,'uncountedTerminatedPods':"
                                          "{'succeeded':['uid-pi-a']}}") };
        const json_t *st, *scm, *c;

        r.pods[r.n++] = pod("pi-a", "Succeeded", 0, -1, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_eq(num(st, "succeeded"), 1);
        scm = cond(st, "SuccessCriteriaMet");
        c = cond(st, "Complete");
        cr_assert_not_null(scm);
        cr_assert_not_null(c);
        cr_expect_str_eq(str(scm, "reason"), "CompletionsReached");
        cr_expect_str_eq(str(scm, "message"), "Reached expected number of succeeded pods");
        cr_expect_str_eq(str(c, "status"), "True");
        cr_expect_str_eq(str(c, "reason"), "CompletionsReached");
        cr_expect_str_eq(str(st, "completionTime"), NOW);
        cr_assert_not_null(event(&r, "Completed"));
        cr_expect_str_eq(event(&r, "Completed")->message, "Job completed");
        cr_expect_str_eq(event(&r, "Completed")->event_type, "Normal");
        run_free(&r);
}

Test(job, backoff_limit_exceeded_sets_failure_target_and_deletes_active_pods)
{
        struct run r = { .job = job("{'completions':2,'parallelism':2,'backoffLimit':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':1,"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *st, *ft;

        r.pods[r.n++] = pod("pi-a", "Failed", FIN, -1, NULL);
        r.pods[r.n++] = pod("pi-b", "Running", FIN | READY, -1, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        ft = cond(st, "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "BackoffLimitExceeded");
        cr_expect_str_eq(str(ft, "message"), "Job has reached the specified backoff limit");
        cr_expect_null(cond(st, "Failed"), "Failed waits for the pods");
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 1);
        cr_expect_str_eq(nth(&r, KL_CTRL_DELETE, 0)->name, "pi-b");
        cr_assert_not_null(event(&r, "SuccessfulDelete"));
        cr_expect_str_eq(event(&r, "SuccessfulDelete")->message, "Deleted pod: pi-b");
        /* A finishing Job counts every pod as failed; the deleted one is terminating. */
        cr_expect_eq(count(&r, KL_CTRL_PATCH), 0);
        cr_expect_eq(json_array_size(json_object_get(json_object_get(st, "uncountedTerminatedPods"),
                                                     "failed")),
                     2);
        cr_expect_eq(num(st, "terminating"), 1);
        cr_expect_eq(num(st, "ready"), 0);
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        run_free(&r);
}

Test(job, failure_target_becomes_failed_once_pods_are_gone)
{
        struct run r = { .job = job("{'backoffLimit':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':2,"
                                    "'uncountedTerminatedPods':{},'conditions':[{'type':"
                                    "'FailureTarget','status':'True','reason':"
                                    "'BackoffLimitExceeded','message':'Job has reached the "
                                    "specified backoff limit','lastTransitionTime':"
                                    "'2025-06-01T12:09:00Z'}]}") };
        const json_t *st, *f;

        r.pods[r.n++] = pod("pi-a", "Failed", 0, -1, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        f = cond(st, "Failed");
        cr_assert_not_null(f);
        cr_expect_str_eq(str(f, "reason"), "BackoffLimitExceeded");
        cr_expect_null(json_object_get(st, "completionTime"));
        cr_assert_not_null(event(&r, "BackoffLimitExceeded"));
        cr_expect_str_eq(event(&r, "BackoffLimitExceeded")->event_type, "Warning");
        cr_expect_str_eq(event(&r, "BackoffLimitExceeded")->message,
                         "Job has reached the specified backoff limit");
        run_free(&r);
}

Test(job, failed_waits_for_terminating_pods)
{
        struct run r = { .job = job("{'backoffLimit':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':2,"
                                    "'uncountedTerminatedPods':{},'conditions':[{'type':"
                                    "'FailureTarget','status':'True','reason':"
                                    "'BackoffLimitExceeded','message':'m',"
                                    "'lastTransitionTime':'2025-06-01T12:09:00Z'}]}") };
        const json_t *st;

        r.pods[r.n++] = pod("pi-b", "Running", DELETING, -1, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_eq(num(st, "terminating"), 1);
        cr_expect_null(cond(st, "Failed"));
        run_free(&r);
}

Test(job, active_deadline_exceeded)
{
        struct run r = { .job = job("{'activeDeadlineSeconds':60}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':1,"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *ft;

        r.pods[r.n++] = pod("pi-a", "Running", FIN, -1, NULL);
        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "DeadlineExceeded");
        cr_expect_str_eq(str(ft, "message"), "Job was active longer than specified deadline");
        cr_expect_eq(count(&r, KL_CTRL_DELETE), 1);
        run_free(&r);
}

Test(job, active_deadline_requeues_for_the_remaining_time)
{
        struct run r = { .job = job("{'activeDeadlineSeconds':900}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':1,'ready':0,"
                                    "'terminating':0,'uncountedTerminatedPods':{}}") };

        r.pods[r.n++] = pod("pi-a", "Running", FIN, -1, NULL);
        run(&r, T(NOW));
        cr_expect_eq(r.requeue, 300 * KL_USEC_PER_SEC);
        cr_expect_null(new_status(&r), "nothing changed");
        run_free(&r);
}

Test(job, pod_failure_back_off_delays_the_replacement)
{
        /* One failure 3 s ago: 10 s back-off; two: 20 s. */
        struct run r1 = { .job = job(NULL, "{'startTime':'2025-06-01T12:00:00Z','failed':1,"
                                           "'uncountedTerminatedPods':{}}") };
        struct run r2 = { .job = job("{'completions':1}",
                                     "{'startTime':'2025-06-01T12:00:00Z','failed':2,"
                                     "'uncountedTerminatedPods':{}}") };
        struct run r3 = { .job = job(NULL, "{'startTime':'2025-06-01T12:00:00Z','failed':1,"
                                           "'uncountedTerminatedPods':{}}") };
        const char *failed_at = "{'containerStatuses':[{'name':'main','state':{'terminated':"
                                "{'exitCode':1,'finishedAt':'2025-06-01T12:09:57Z'}}}]}";

        r1.pods[r1.n++] = pod("pi-a", "Failed", 0, -1, failed_at);
        run(&r1, T(NOW));
        cr_expect_eq(count(&r1, KL_CTRL_CREATE), 0);
        cr_expect_eq(r1.requeue, 7 * KL_USEC_PER_SEC);

        r2.pods[r2.n++] = pod("pi-a", "Failed", 0, -1, failed_at);
        r2.pods[r2.n++] = pod("pi-b", "Failed", 0, -1, failed_at);
        run(&r2, T(NOW));
        cr_expect_eq(count(&r2, KL_CTRL_CREATE), 0);
        cr_expect_eq(r2.requeue, 17 * KL_USEC_PER_SEC);

        /* Once the back-off has passed, the replacement is created. */
        r3.pods[r3.n++] = pod("pi-a", "Failed", 0, -1, failed_at);
        run(&r3, T(NOW) + 8 * KL_USEC_PER_SEC);
        cr_expect_eq(count(&r3, KL_CTRL_CREATE), 1);
        run_free(&r1);
        run_free(&r2);
        run_free(&r3);
}

Test(job, back_off_is_capped_at_six_minutes)
{
        struct run r = { .job = job("{'backoffLimit':100}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':8,"
                                    "'uncountedTerminatedPods':{}}") };

        for (int i = 0; i < 8; i++) {
                char name[16];

                snprintf(name, sizeof(name), "pi-%d", i);
                r.pods[r.n++] = pod(name, "Failed", 0, -1,
                                    "{'containerStatuses':[{'name':'main','state':{'terminated':"
                                    "{'exitCode':1,'finishedAt':'2025-06-01T12:10:00Z'}}}]}");
        }
        run(&r, T(NOW));
        cr_expect_eq(r.requeue, 360 * KL_USEC_PER_SEC);
        run_free(&r);
}

Test(job, pod_failure_policy_fail_job_on_exit_code)
{
        struct run r = { .job = job("{'podReplacementPolicy':'Failed','podFailurePolicy':{"
                                    "'rules':[{'action':'FailJob','onExitCodes':{'containerName':"
                                    "'main','operator':'In','values':[42]}}]}}",
                                    "{'startTime':'2025-06-01T12:00:00Z',"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *ft;

        r.pods[r.n++] = pod("pi-a", "Failed", FIN, -1,
                            "{'containerStatuses':[{'name':'main','state':{'terminated':"
                            "{'exitCode':42}}}]}");
        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "PodFailurePolicy");
        cr_expect_str_eq(str(ft, "message"),
                         "Container main for pod default/pi-a failed with exit code 42 matching "
                         "FailJob rule at index 0");
        run_free(&r);
}

Test(job, pod_failure_policy_fail_job_on_pod_condition)
{
        struct run r = { .job = job("{'podFailurePolicy':{'rules':[{'action':'Ignore',"
                                    "'onExitCodes':{'operator':'In','values':[1]}},{'action':"
                                    "'FailJob','onPodConditions':[{'type':'ConfigIssue',"
                                    "'status':'True'}]}]}}",
                                    "{'startTime':'2025-06-01T12:00:00Z',"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *ft;

        r.pods[r.n++] = pod("pi-a", "Failed", FIN, -1,
                            "{'conditions':[{'type':'ConfigIssue','status':'True'}]}");
        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "message"),
                         "Pod default/pi-a has condition ConfigIssue matching FailJob rule at "
                         "index 1");
        run_free(&r);
}

Test(job, pod_failure_policy_ignore_does_not_count)
{
        struct run r = { .job = job("{'backoffLimit':0,'podFailurePolicy':{'rules':[{'action':"
                                    "'Ignore','onPodConditions':[{'type':'DisruptionTarget',"
                                    "'status':'True'}]}]}}",
                                    "{'startTime':'2025-06-01T12:00:00Z',"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *st;

        r.pods[r.n++] = pod("pi-a", "Failed", FIN, -1,
                            "{'conditions':[{'type':'DisruptionTarget','status':'True'}]}");
        run(&r, T(NOW));
        expect_finalizer_removed(&r, "pi-a");
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_null(cond(st, "FailureTarget"), "an ignored failure is not a backoff failure");
        cr_expect_eq(json_array_size(json_object_get(json_object_get(st, "uncountedTerminatedPods"),
                                                     "failed")),
                     0);
        run_free(&r);
}

Test(job, pod_failure_policy_count_counts)
{
        struct run r = { .job = job("{'backoffLimit':0,'podFailurePolicy':{'rules':[{'action':"
                                    "'Count','onExitCodes':{'operator':'NotIn','values':[3]}}]}}",
                                    "{'startTime':'2025-06-01T12:00:00Z',"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *ft;

        r.pods[r.n++] = pod("pi-a", "Failed", FIN, -1,
                            "{'containerStatuses':[{'name':'main','state':{'terminated':"
                            "{'exitCode':5}}}]}");
        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "BackoffLimitExceeded");
        run_free(&r);
}

Test(job, restart_policy_on_failure_counts_container_restarts)
{
        struct run r = { .job = job("{'backoffLimit':2,'template':{'spec':{'restartPolicy':"
                                    "'OnFailure','containers':[{'name':'main','image':'x'}]}}}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':1,"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *ft;

        r.pods[r.n++] = pod("pi-a", "Running", FIN, -1,
                            "{'containerStatuses':[{'name':'main','restartCount':2}]}");
        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "BackoffLimitExceeded");
        run_free(&r);
}

Test(job, suspend_deletes_active_pods_and_sets_suspended)
{
        struct run r = { .job = job("{'suspend':true}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':1,"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *st, *c;

        r.pods[r.n++] = pod("pi-a", "Running", FIN | READY, -1, NULL);
        run(&r, T(NOW));
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 1);
        expect_finalizer_removed(&r, "pi-a");
        st = new_status(&r);
        cr_expect_eq(num(st, "ready"), 0);
        c = cond(st, "Suspended");
        cr_assert_not_null(c);
        cr_expect_str_eq(str(c, "status"), "True");
        cr_expect_str_eq(str(c, "reason"), "JobSuspended");
        cr_expect_str_eq(str(c, "message"), "Job suspended");
        cr_expect_eq(num(st, "active"), 0);
        cr_assert_not_null(event(&r, "Suspended"));
        cr_expect_str_eq(event(&r, "Suspended")->message, "Job suspended");
        run_free(&r);
}

Test(job, suspended_job_never_started_has_no_start_time)
{
        struct run r = { .job = job("{'suspend':true}", NULL) };

        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_null(json_object_get(new_status(&r), "startTime"));
        run_free(&r);
}

Test(job, resume_resets_start_time_and_sets_suspended_false)
{
        struct run r = { .job = job(NULL, "{'startTime':'2025-06-01T12:00:00Z',"
                                          "'uncountedTerminatedPods':{},'conditions':[{'type':"
                                          "'Suspended','status':'True','reason':'JobSuspended',"
                                          "'message':'Job suspended','lastTransitionTime':"
                                          "'2025-06-01T12:05:00Z'}]}") };
        const json_t *st, *c;

        run(&r, T(NOW));
        st = new_status(&r);
        c = cond(st, "Suspended");
        cr_assert_not_null(c);
        cr_expect_str_eq(str(c, "status"), "False");
        cr_expect_str_eq(str(c, "reason"), "JobResumed");
        cr_expect_str_eq(str(c, "message"), "Job resumed");
        cr_expect_str_eq(str(st, "startTime"), NOW);
        cr_assert_not_null(event(&r, "Resumed"));
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 1);
        run_free(&r);
}

Test(job, excess_pods_are_deleted_not_ready_first)
{
        struct run r = { .job = job("{'completions':4,'parallelism':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':2,"
                                    "'uncountedTerminatedPods':{}}") };

        r.pods[r.n++] = pod("pi-a", "Running", FIN | READY, -1, NULL);
        r.pods[r.n++] = pod("pi-b", "Running", FIN, -1, NULL);
        run(&r, T(NOW));
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 1);
        cr_expect_str_eq(nth(&r, KL_CTRL_DELETE, 0)->name, "pi-b");
        /* A pod deleted for being one too many is never counted. */
        expect_finalizer_removed(&r, "pi-b");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_eq(num(new_status(&r), "active"), 1);
        cr_expect_eq(num(new_status(&r), "ready"), 1);
        run_free(&r);
}

Test(job, indexed_duplicate_index_pod_is_deleted)
{
        struct run r = { .job = job("{'completions':2,'parallelism':2,'completionMode':'Indexed'}",
                                    "{'startTime':'2025-06-01T12:00:00Z','active':2,"
                                    "'uncountedTerminatedPods':{}}") };

        r.pods[r.n++] = pod("pi-0-a", "Running", FIN, 0, NULL);
        r.pods[r.n++] = pod("pi-0-b", "Running", FIN, 0, NULL);
        run(&r, T(NOW));
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 1);
        cr_expect_str_eq(nth(&r, KL_CTRL_DELETE, 0)->name, "pi-0-b");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0, "creations wait for the next sync");
        run_free(&r);
}

Test(job, indexed_completed_indexes_are_compressed)
{
        struct run r = { .job = job("{'completions':7,'parallelism':1,'completionMode':'Indexed'}",
                                    "{'startTime':'2025-06-01T12:00:00Z','succeeded':1,"
                                    "'completedIndexes':'1','uncountedTerminatedPods':{}}") };
        const json_t *st;

        r.pods[r.n++] = pod("pi-1-a", "Succeeded", FIN, 1, NULL);
        r.pods[r.n++] = pod("pi-3-a", "Succeeded", FIN, 3, NULL);
        r.pods[r.n++] = pod("pi-4-a", "Succeeded", FIN, 4, NULL);
        r.pods[r.n++] = pod("pi-5-a", "Succeeded", FIN, 5, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_str_eq(str(st, "completedIndexes"), "1,3-5");
        cr_expect_eq(num(st, "succeeded"), 4);
        /* Index 1 was already recorded: its pod loses the finalizer now. */
        cr_expect_eq(count(&r, KL_CTRL_PATCH), 1);
        expect_finalizer_removed(&r, "pi-1-a");
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        cr_expect_str_eq(kl_ctrl_meta_str(nth(&r, KL_CTRL_CREATE, 0)->obj, "generateName"),
                         "pi-0-");
        run_free(&r);
}

Test(job, no_completions_job_completes_after_one_success_and_no_active)
{
        struct run r1 = { .job = job("{'completions':null,'parallelism':2}",
                                     "{'startTime':'2025-06-01T12:00:00Z','succeeded':1,"
                                     "'active':1,'uncountedTerminatedPods':{}}") };
        struct run r2 = { .job = job("{'completions':null,'parallelism':2}",
                                     "{'startTime':'2025-06-01T12:00:00Z','succeeded':1,"
                                     "'uncountedTerminatedPods':{}}") };

        json_object_del(json_object_get(r1.job, "spec"), "completions");
        json_object_del(json_object_get(r2.job, "spec"), "completions");
        r1.pods[r1.n++] = pod("pi-b", "Running", FIN, -1, NULL);
        run(&r1, T(NOW));
        cr_expect_eq(count(&r1, KL_CTRL_CREATE), 0, "after a success, no new pods");
        cr_expect_null(cond(new_status(&r1), "Complete"));
        run(&r2, T(NOW));
        cr_expect_not_null(cond(new_status(&r2), "Complete"));
        run_free(&r1);
        run_free(&r2);
}

Test(job, ttl_deletes_finished_job_in_background_when_due)
{
        struct run r = { .job = job("{'ttlSecondsAfterFinished':60}",
                                    "{'succeeded':1,'completionTime':'2025-06-01T12:05:00Z',"
                                    "'conditions':[{'type':'Complete','status':'True',"
                                    "'lastTransitionTime':'2025-06-01T12:05:00Z'}]}") };
        const struct kl_ctrl_action *d;

        run(&r, T(NOW));
        cr_assert_eq(count(&r, KL_CTRL_DELETE), 1);
        d = nth(&r, KL_CTRL_DELETE, 0);
        cr_expect_str_eq(d->res->plural, "jobs");
        cr_expect_str_eq(d->name, "pi");
        cr_expect_str_eq(str(d->obj, "propagationPolicy"), "Background");
        cr_expect_str_eq(str(json_object_get(d->obj, "preconditions"), "uid"), "job-uid");
        run_free(&r);
}

Test(job, ttl_requeues_until_due)
{
        struct run r = { .job = job("{'ttlSecondsAfterFinished':600}",
                                    "{'failed':1,'conditions':[{'type':'Failed','status':'True',"
                                    "'lastTransitionTime':'2025-06-01T12:05:00Z'}]}") };

        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_DELETE), 0);
        cr_expect_eq(r.requeue, 300 * KL_USEC_PER_SEC);
        run_free(&r);
}

Test(job, finished_job_releases_leftover_finalizers)
{
        struct run r = { .job = job(NULL, "{'succeeded':1,'conditions':[{'type':'Complete',"
                                          "'status':'True','lastTransitionTime':"
                                          "'2025-06-01T12:05:00Z'}]}") };

        r.pods[r.n++] = pod("pi-a", "Succeeded", FIN, -1, NULL);
        run(&r, T(NOW));
        expect_finalizer_removed(&r, "pi-a");
        cr_expect_eq(count(&r, KL_CTRL_UPDATE), 0);
        run_free(&r);
}

Test(job, orphans_of_a_deleted_job_lose_the_finalizer)
{
        struct kl_ctrl_actions a = { 0 };
        json_t *pods[2] = { pod("pi-a", "Running", FIN, -1, NULL),
                            pod("pi-b", "Succeeded", 0, -1, NULL) };

        kl_ctrl_job_release_orphans((const json_t *const *)pods, 2, &a);
        cr_assert_eq(a.n, 1);
        cr_expect_str_eq(a.v[0].name, "pi-a");
        kl_ctrl_actions_clear(&a);
        json_decref(pods[0]);
        json_decref(pods[1]);
}

Test(job, deleting_job_counts_pods_but_creates_none)
{
        struct run r = { .job = job("{'completions':3}", "{'startTime':'2025-06-01T12:00:00Z',"
                                                         "'uncountedTerminatedPods':{}}") };

        json_object_set_new(json_object_get(r.job, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:09:00Z"));
        r.pods[r.n++] = pod("pi-a", "Running", FIN, -1, NULL);
        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        run_free(&r);
}

static json_t *pod_failures(json_t *p, const char *count)
{
        json_object_set_new(json_object_get(json_object_get(p, "metadata"), "annotations"),
                            KL_CTRL_JOB_FAILURES_ANNOTATION, json_string(count));
        return p;
}

static const char *ann(const json_t *obj, const char *key)
{
        return str(json_object_get(json_object_get(obj, "metadata"), "annotations"), key);
}

Test(job, per_index_limit_fails_the_index_and_runs_the_others)
{
        struct run r = { .job = job("{'completions':3,'parallelism':3,'completionMode':'Indexed',"
                                    "'backoffLimitPerIndex':1,'backoffLimit':2147483647}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':1,"
                                    "'failedIndexes':'','uncountedTerminatedPods':{}}") };
        const json_t *st;

        /* The second failure of index 0 (the first is counted already). */
        r.pods[r.n++] = pod_failures(pod("pi-0-b", "Failed", FIN, 0, NULL), "1");
        r.pods[r.n++] = pod("pi-0-a", "Failed", 0, 0, NULL);
        run(&r, T(NOW));
        st = new_status(&r);
        cr_assert_not_null(st);
        cr_expect_str_eq(str(st, "failedIndexes"), "0");
        cr_expect_null(cond(st, "FailureTarget"));
        cr_assert_eq(count(&r, KL_CTRL_CREATE), 1);
        cr_expect_str_eq(ann(nth(&r, KL_CTRL_CREATE, 0)->obj, KL_CTRL_JOB_INDEX_ANNOTATION), "1");
        cr_expect_str_eq(ann(nth(&r, KL_CTRL_CREATE, 0)->obj, KL_CTRL_JOB_FAILURES_ANNOTATION),
                         "0");
        run_free(&r);
}

Test(job, per_index_replacement_carries_the_count_after_its_back_off)
{
        const char *failed_at = "{'containerStatuses':[{'name':'main','state':{'terminated':"
                                "{'exitCode':1,'finishedAt':'2025-06-01T12:09:57Z'}}}]}";
        struct run r = { .job = job("{'completions':1,'completionMode':'Indexed',"
                                    "'backoffLimitPerIndex':3}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':1,"
                                    "'failedIndexes':'','uncountedTerminatedPods':{}}") };
        struct run later = { .job = json_deep_copy(r.job) };

        r.pods[r.n++] = pod("pi-0-a", "Failed", 0, 0, failed_at);
        later.pods[later.n++] = pod("pi-0-a", "Failed", 0, 0, failed_at);
        run(&r, T(NOW));
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        cr_expect_eq(r.requeue, 7 * KL_USEC_PER_SEC);
        run(&later, T(NOW) + 8 * KL_USEC_PER_SEC);
        cr_assert_eq(count(&later, KL_CTRL_CREATE), 1);
        cr_expect_str_eq(ann(nth(&later, KL_CTRL_CREATE, 0)->obj, KL_CTRL_JOB_FAILURES_ANNOTATION),
                         "1");
        run_free(&r);
        run_free(&later);
}

Test(job, fail_index_rule_fails_the_index_at_once)
{
        struct run r = { .job = job("{'completions':2,'parallelism':2,'completionMode':'Indexed',"
                                    "'backoffLimitPerIndex':5,'podFailurePolicy':{'rules':[{"
                                    "'action':'FailIndex','onExitCodes':{'operator':'In',"
                                    "'values':[3]}}]}}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failedIndexes':'',"
                                    "'uncountedTerminatedPods':{}}") };

        r.pods[r.n++] = pod_failures(pod("pi-1-a", "Failed", FIN, 1,
                                         "{'containerStatuses':[{'name':'main','state':"
                                         "{'terminated':{'exitCode':3}}}]}"),
                                     "0");
        r.pods[r.n++] = pod("pi-0-a", "Running", FIN, 0, NULL);
        run(&r, T(NOW));
        cr_expect_str_eq(str(new_status(&r), "failedIndexes"), "1");
        cr_expect_eq(count(&r, KL_CTRL_CREATE), 0);
        run_free(&r);
}

Test(job, failed_indexes_fail_the_job_when_every_index_is_done)
{
        struct run r = { .job = job("{'completions':2,'parallelism':2,'completionMode':'Indexed',"
                                    "'backoffLimitPerIndex':0}",
                                    "{'startTime':'2025-06-01T12:00:00Z','succeeded':1,"
                                    "'completedIndexes':'0','failedIndexes':'1','failed':1,"
                                    "'uncountedTerminatedPods':{}}") };
        const json_t *ft;

        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "FailedIndexes");
        cr_expect_str_eq(str(ft, "message"), "Job has failed indexes");
        cr_expect_not_null(cond(new_status(&r), "Failed"), "no pod left: Failed at once");
        cr_expect_str_eq(event(&r, "FailedIndexes")->message, "Job has failed indexes");
        run_free(&r);
}

Test(job, max_failed_indexes_exceeded)
{
        struct run r = { .job = job("{'completions':4,'parallelism':1,'completionMode':'Indexed',"
                                    "'backoffLimitPerIndex':0,'maxFailedIndexes':1}",
                                    "{'startTime':'2025-06-01T12:00:00Z','failed':2,"
                                    "'failedIndexes':'0,2','uncountedTerminatedPods':{}}") };
        const json_t *ft;

        run(&r, T(NOW));
        ft = cond(new_status(&r), "FailureTarget");
        cr_assert_not_null(ft);
        cr_expect_str_eq(str(ft, "reason"), "MaxFailedIndexesExceeded");
        cr_expect_str_eq(str(ft, "message"),
                         "Job has exceeded the specified maximal number of failed indexes");
        run_free(&r);
}

/*
 * Several syncs against a small in-memory cluster: the reconcile's writes
 * are applied as the API server would, pods run to `phase` at once, until
 * the Job finishes. The counting protocol must count every pod once.
 */
struct world {
        json_t *job;
        json_t *pods[32];
        size_t n;
        unsigned uids;
};

static void world_apply(struct world *w, const struct kl_ctrl_actions *a)
{
        for (size_t i = 0; i < a->n; i++) {
                const struct kl_ctrl_action *x = &a->v[i];

                if (x->op == KL_CTRL_UPDATE) {
                        json_object_set(w->job, "status", json_object_get(x->obj, "status"));
                } else if (x->op == KL_CTRL_CREATE) {
                        json_t *p = json_deep_copy(x->obj);
                        json_t *meta = json_object_get(p, "metadata");

                        cr_assert_lt(w->n, KL_ARRAY_SIZE(w->pods));
                        json_object_set_new(meta, "uid", json_sprintf("u%u", ++w->uids));
                        json_object_set_new(meta, "creationTimestamp",
                                            json_string("2025-06-01T12:00:00Z"));
                        json_object_set_new(p, "status", J("{'phase':'Pending'}"));
                        w->pods[w->n++] = p;
                } else if (x->op == KL_CTRL_PATCH) {
                        for (size_t k = 0; k < w->n; k++)
                                if (kl_streq(kl_ctrl_meta_str(w->pods[k], "name"), x->name))
                                        json_object_del(json_object_get(w->pods[k], "metadata"),
                                                        "finalizers");
                }
        }
}

static void world_run_pods(struct world *w, const char *phase)
{
        for (size_t k = 0; k < w->n; k++) {
                json_t *st = json_object_get(w->pods[k], "status");

                if (kl_streq(str(st, "phase"), "Pending"))
                        json_object_set_new(st, "phase", json_string(phase));
        }
}

static size_t world_settle(struct world *w, const char *phase, size_t *n_completed_events)
{
        size_t step;

        for (step = 0; step < 40; step++) {
                struct kl_ctrl_actions a = { 0 };
                kl_usec_t requeue = 0;

                kl_ctrl_job_reconcile(
                        &(struct kl_ctrl_job_input){ .job = w->job,
                                                     .pods = (const json_t *const *)w->pods,
                                                     .n_pods = w->n,
                                                     .now = T(NOW) + step * 400 * KL_USEC_PER_SEC },
                        &a, &requeue);
                for (size_t i = 0; i < a.n; i++)
                        if (a.v[i].op == KL_CTRL_EVENT &&
                            (kl_streq(a.v[i].reason, "Completed") ||
                             kl_streq(a.v[i].reason, "BackoffLimitExceeded")))
                                (*n_completed_events)++;
                world_apply(w, &a);
                kl_ctrl_actions_clear(&a);
                world_run_pods(w, phase);
                if (cond(json_object_get(w->job, "status"), "Complete") ||
                    cond(json_object_get(w->job, "status"), "Failed"))
                        break;
        }
        return step;
}

static void world_free(struct world *w)
{
        json_decref(w->job);
        for (size_t i = 0; i < w->n; i++)
                json_decref(w->pods[i]);
}

Test(job, syncs_until_complete_count_each_pod_once)
{
        struct world w = { .job = job("{'completions':4,'parallelism':2}", NULL) };
        size_t events = 0;
        const json_t *st;

        cr_assert_lt(world_settle(&w, "Succeeded", &events), 40);
        st = json_object_get(w.job, "status");
        cr_expect_eq(num(st, "succeeded"), 4);
        cr_expect_eq(num(st, "failed"), 0);
        cr_expect_eq(w.n, 4, "exactly the pods needed");
        cr_expect_not_null(cond(st, "SuccessCriteriaMet"));
        cr_expect_not_null(cond(st, "Complete"));
        cr_expect_eq(json_object_size(json_object_get(st, "uncountedTerminatedPods")), 0);
        cr_expect_eq(events, 1);
        for (size_t i = 0; i < w.n; i++)
                cr_expect_null(
                        json_object_get(json_object_get(w.pods[i], "metadata"), "finalizers"));
        world_free(&w);
}

Test(job, syncs_until_failed_count_each_pod_once)
{
        struct world w = { .job = job("{'completions':2,'parallelism':1,'backoffLimit':2}", NULL) };
        size_t events = 0;
        const json_t *st;

        cr_assert_lt(world_settle(&w, "Failed", &events), 40);
        st = json_object_get(w.job, "status");
        cr_expect_eq(num(st, "failed"), 3);
        cr_expect_eq(w.n, 3);
        cr_expect_str_eq(str(cond(st, "Failed"), "reason"), "BackoffLimitExceeded");
        cr_expect_eq(events, 1);
        world_free(&w);
}

Test(job, indexed_syncs_until_complete)
{
        struct world w = {
                .job = job("{'completions':5,'parallelism':3,'completionMode':'Indexed'}", NULL)
        };
        size_t events = 0;
        const json_t *st;

        cr_assert_lt(world_settle(&w, "Succeeded", &events), 40);
        st = json_object_get(w.job, "status");
        cr_expect_eq(num(st, "succeeded"), 5);
        cr_expect_str_eq(str(st, "completedIndexes"), "0-4");
        cr_expect_eq(w.n, 5);
        cr_expect_not_null(cond(st, "Complete"));
        world_free(&w);
}
