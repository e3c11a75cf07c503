/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Job controller (upstream's pkg/controller/job, as of v1.32): runs
 * pods from a Job's template until `completions` of them succeed
 * (NonIndexed), or one pod per completion index succeeds (Indexed), with at
 * most `parallelism` at a time; fails the Job past backoffLimit, past
 * activeDeadlineSeconds or by its podFailurePolicy; suspends and resumes;
 * deletes a finished Job after ttlSecondsAfterFinished.
 *
 * Pods are tracked with the batch.kubernetes.io/job-tracking finalizer as
 * upstream does, spread over successive syncs because each sync is one step:
 *   1. a terminated pod that still has the finalizer and is not yet counted
 *      goes into status.uncountedTerminatedPods (Indexed successes go
 *      straight into status.completedIndexes);
 *   2. a pod whose uid the Job's status already lists loses its finalizer;
 *   3. a uid listed whose pod no longer has the finalizer moves to the
 *      succeeded / failed counters.
 * So a pod is counted exactly once whichever writes fail. A pod the
 * controller deletes because of suspend or too many pods loses its
 * finalizer with the delete and is never counted; the pods a finishing Job
 * deletes keep it and count as failed (upstream's deleteJobPods and
 * deleteActivePods).
 * The terminal
 * conditions follow v1.32: FailureTarget / SuccessCriteriaMet first, Failed /
 * Complete once no pod is uncounted or terminating.
 *
 * The API server already defaults spec.selector and the template labels
 * (batch.kubernetes.io/controller-uid, batch.kubernetes.io/job-name,
 * controller-uid, job-name) on create, as upstream's Job strategy does
 * (kl_api_defaults_job_selector()), so pods created from the template carry
 * them. The pods of a Job are those whose controller reference is the Job's
 * uid; orphans are not adopted (upstream adopts orphans matching the
 * selector, which only a manualSelector Job can have).
 *
 * A sync issues writes only, so pod creation is slow-started across syncs
 * (a batch as large as the active pods, at least 1, at most 500: the add
 * events of one batch trigger the next), and a new pod's name is chosen
 * here so that the SuccessfulCreate event can name it.
 *
 * backoffLimitPerIndex (Indexed): an index fails once a pod of it fails with
 * the index failure count annotation at the limit, or by a FailIndex rule;
 * its pods go, it is not run again, status.failedIndexes lists it, and the
 * Job fails with FailedIndexes once every index is done (or
 * MaxFailedIndexesExceeded). Per-index back-off from the index's last
 * failure. Upstream keeps a failed pod's finalizer until its replacement
 * exists (to carry the count over); here the count is read from the failed
 * pods that remain.
 *
 * Not done: successPolicy, spec.managedBy.
 */
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define BACKOFF_BASE    (10 * KL_USEC_PER_SEC)  /* DefaultJobPodFailureBackOff */
#define BACKOFF_MAX     (360 * KL_USEC_PER_SEC) /* MaxJobPodFailureBackOff */
#define MAX_INDEXES     1000000                 /* validation allows 100000 completions */
#define REASON_PFP      "PodFailurePolicy"
#define REASON_BACKOFF  "BackoffLimitExceeded"
#define REASON_DEADLINE "DeadlineExceeded"

static const json_t *dig(const json_t *v, const char *a, const char *b)
{
        v = json_object_get(v, a);
        return b ? json_object_get(v, b) : v;
}

static const char *dig_str(const json_t *v, const char *a, const char *b)
{
        return json_string_value(dig(v, a, b));
}

static bool is_true_cond(const json_t *obj, const char *type)
{
        const json_t *c = kl_ctrl_get_condition(obj, type);

        return c && kl_streq_null(json_string_value(json_object_get(c, "status")), "True");
}

static bool has_finalizer(const json_t *pod)
{
        const json_t *f = dig(pod, "metadata", "finalizers");
        size_t i;
        json_t *v;

        json_array_foreach(f, i, v)
                if (kl_streq_null(json_string_value(v), KL_CTRL_JOB_TRACKING_FINALIZER))
                        return true;
        return false;
}

static bool str_array_has(const json_t *arr, const char *s)
{
        size_t i;
        json_t *v;

        json_array_foreach(arr, i, v)
                if (s && kl_streq_null(json_string_value(v), s))
                        return true;
        return false;
}

/* Upstream's getCompletionIndex: the annotation as a non-negative decimal, or -1. */
static int64_t pod_index(const json_t *pod)
{
        const char *s = json_string_value(
                json_object_get(dig(pod, "metadata", "annotations"), KL_CTRL_JOB_INDEX_ANNOTATION));
        int64_t n;

        if (!s || !*s || strspn(s, "0123456789") != strlen(s) || kl_parse_int64(s, &n) < 0)
                return -1;
        return n;
}

/* The batch.kubernetes.io/job-index-failure-count annotation, 0 when absent or malformed. */
static int64_t pod_index_failures(const json_t *pod)
{
        const char *s = json_string_value(json_object_get(dig(pod, "metadata", "annotations"),
                                                          KL_CTRL_JOB_FAILURES_ANNOTATION));
        int64_t n;

        if (!s || kl_parse_int64(s, &n) < 0 || n < 0)
                return 0;
        return n;
}

/* -------------------------------------------------------------------------
 * Completed indexes: "1,3-5"
 */

static void indexes_parse(const char *s, uint8_t *set, int64_t n)
{
        kl_autostrv char **parts = NULL;

        if (!s || !*s)
                return;
        parts = kl_strv_split(s, ',');
        for (size_t i = 0; parts[i]; i++) {
                char *dash = strchr(parts[i], '-');
                int64_t lo, hi;

                if (dash)
                        *dash = '\0';
                if (kl_parse_int64(parts[i], &lo) < 0 ||
                    (dash && kl_parse_int64(dash + 1, &hi) < 0))
                        continue; /* upstream logs and skips what it cannot read */
                if (!dash)
                        hi = lo;
                for (int64_t x = lo < 0 ? 0 : lo; x <= hi && x < n; x++)
                        set[x] = 1;
        }
}

static json_t *indexes_format(const uint8_t *set, int64_t n)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        for (int64_t i = 0; i < n; i++) {
                int64_t j = i;

                if (!set[i])
                        continue;
                while (j + 1 < n && set[j + 1])
                        j++;
                (void)kl_buf_printf(&b, "%s%lld", b.len ? "," : "", (long long)i);
                if (j > i)
                        (void)kl_buf_printf(&b, "-%lld", (long long)j);
                i = j;
        }
        return json_string(b.len ? b.buf : "");
}

/* -------------------------------------------------------------------------
 * Pod failure policy
 */

enum pfp_action {
        PFP_NONE,
        PFP_IGNORE,
        PFP_COUNT,
        PFP_FAIL_INDEX, /* counts, and fails the index (backoffLimitPerIndex) */
        PFP_FAIL_JOB
};

static bool exit_code_matches(const json_t *req, int64_t code)
{
        const char *op = json_string_value(json_object_get(req, "operator"));
        const json_t *vals = json_object_get(req, "values");
        bool in = false;
        size_t i;
        json_t *v;

        json_array_foreach(vals, i, v)
                if (json_integer_value(v) == code)
                        in = true;
        return kl_streq_null(op, "In") ? in : kl_streq_null(op, "NotIn") ? !in : false;
}

static const json_t *match_exit_codes(const json_t *statuses, const json_t *req)
{
        const char *cname = json_string_value(json_object_get(req, "containerName"));
        size_t i;
        json_t *cs;

        json_array_foreach(statuses, i, cs) {
                const json_t *term = dig(cs, "state", "terminated");
                int64_t code;

                if (!term)
                        continue; /* still terminating: no exit code yet */
                if (cname && !kl_streq_null(cname, json_string_value(json_object_get(cs, "name"))))
                        continue;
                code = json_integer_value(json_object_get(term, "exitCode"));
                if (code != 0 && exit_code_matches(req, code))
                        return cs;
        }
        return NULL;
}

/* Upstream's matchPodFailurePolicy; *ret_msg (new) for FailJob. */
static enum pfp_action match_pfp(const json_t *pfp, const json_t *pod, char **ret_msg)
{
        const json_t *rules = json_object_get(pfp, "rules");
        const json_t *st = json_object_get(pod, "status");
        size_t i;
        json_t *rule;

        json_array_foreach(rules, i, rule) {
                const char *action = json_string_value(json_object_get(rule, "action"));
                const json_t *req = json_object_get(rule, "onExitCodes");
                const json_t *pats = json_object_get(rule, "onPodConditions");
                const json_t *cs = NULL, *cond = NULL;

                if (req) {
                        cs = match_exit_codes(json_object_get(st, "containerStatuses"), req);
                        if (!cs)
                                cs = match_exit_codes(json_object_get(st, "initContainerStatuses"),
                                                      req);
                        if (!cs)
                                continue;
                } else if (pats) {
                        size_t k, l;
                        json_t *c, *p;

                        json_array_foreach(json_object_get(st, "conditions"), k, c) {
                                json_array_foreach(pats, l, p) {
                                        if (json_equal(json_object_get(c, "type"),
                                                       json_object_get(p, "type")) &&
                                            json_equal(json_object_get(c, "status"),
                                                       json_object_get(p, "status"))) {
                                                cond = c;
                                                break;
                                        }
                                }
                                if (cond)
                                        break;
                        }
                        if (!cond)
                                continue;
                } else {
                        continue;
                }
                if (kl_streq_null(action, "Ignore"))
                        return PFP_IGNORE;
                if (kl_streq_null(action, "Count"))
                        return PFP_COUNT;
                if (kl_streq_null(action, "FailIndex"))
                        return PFP_FAIL_INDEX;
                if (kl_streq_null(action, "FailJob")) {
                        if (cs)
                                *ret_msg = kl_asprintf(
                                        "Container %s for pod %s/%s failed with exit code %lld "
                                        "matching FailJob rule at index %zu",
                                        dig_str(cs, "name", NULL) ?: "",
                                        kl_ctrl_meta_str(pod, "namespace") ?: "",
                                        kl_ctrl_meta_str(pod, "name") ?: "",
                                        (long long)json_integer_value(dig(
                                                dig(cs, "state", "terminated"), "exitCode", NULL)),
                                        i);
                        else
                                *ret_msg = kl_asprintf(
                                        "Pod %s/%s has condition %s matching FailJob rule at "
                                        "index %zu",
                                        kl_ctrl_meta_str(pod, "namespace") ?: "",
                                        kl_ctrl_meta_str(pod, "name") ?: "",
                                        dig_str(cond, "type", NULL) ?: "", i);
                        return PFP_FAIL_JOB;
                }
        }
        return PFP_NONE;
}

/* -------------------------------------------------------------------------
 * Pods
 */

struct pod_info {
        const json_t *pod;
        const char *uid, *name;
        int64_t index;
        int64_t failures; /* backoffLimitPerIndex: the pod's index failure count annotation */
        bool fin, active, succeeded, failed, terminating, ready;
        bool counted_failure; /* failed, and not ignored by the pod failure policy */
};

static const char *pod_phase(const json_t *pod)
{
        return dig_str(pod, "status", "phase") ?: "";
}

/* Upstream's getFinishedTime. */
static kl_usec_t finish_time(const json_t *pod)
{
        const json_t *ready = kl_ctrl_get_condition(pod, "Ready");
        const json_t *statuses = dig(pod, "status", "containerStatuses");
        kl_usec_t t = 0;
        size_t i;
        json_t *cs;

        if (ready && kl_streq_null(dig_str(ready, "status", NULL), "False") &&
            (t = kl_ctrl_time(json_object_get(ready, "lastTransitionTime"))))
                return t;
        json_array_foreach(statuses, i, cs) {
                const json_t *term = dig(cs, "state", "terminated");
                kl_usec_t f;

                if (!term) {
                        t = 0;
                        break;
                }
                f = kl_ctrl_time(json_object_get(term, "finishedAt"));
                if (f > t)
                        t = f;
        }
        if (t)
                return t;
        if ((t = kl_ctrl_time(dig(pod, "metadata", "deletionTimestamp"))))
                return t;
        return kl_ctrl_time(dig(pod, "metadata", "creationTimestamp"));
}

/* controller.ActivePods order: the pods to delete first come first. */
static int active_rank_phase(const json_t *pod)
{
        const char *p = pod_phase(pod);

        return kl_streq(p, "Pending") ? 0 : kl_streq(p, "Unknown") ? 1 : 2;
}

static int cmp_for_removal(const void *a, const void *b)
{
        const json_t *pa = *(const json_t *const *)a, *pb = *(const json_t *const *)b;
        bool na = dig_str(pa, "spec", "nodeName") != NULL, nb = dig_str(pb, "spec", "nodeName");
        int ra = active_rank_phase(pa), rb = active_rank_phase(pb);
        bool ya = kl_ctrl_pod_is_ready(pa), yb = kl_ctrl_pod_is_ready(pb);
        kl_usec_t ca = kl_ctrl_time(dig(pa, "metadata", "creationTimestamp"));
        kl_usec_t cb = kl_ctrl_time(dig(pb, "metadata", "creationTimestamp"));

        if (na != nb)
                return na ? 1 : -1;
        if (ra != rb)
                return ra - rb;
        if (ya != yb)
                return ya ? 1 : -1;
        if (ca != cb)
                return ca > cb ? -1 : 1; /* newer first */
        return strcmp(kl_ctrl_meta_str(pa, "name") ?: "", kl_ctrl_meta_str(pb, "name") ?: "");
}

static void remove_finalizer(struct kl_ctrl_actions *out, const json_t *pod);

/*
 * Delete a pod of the Job. Upstream's deleteJobPods (suspend, too many pods)
 * removes the tracking finalizer first, so the pod is never counted;
 * deleteActivePods (a finishing Job) keeps it, so the pod counts as failed.
 */
static void delete_pod(struct kl_ctrl_actions *out, const json_t *job, const json_t *pod,
                       bool keep_finalizer, int64_t *removed_ready)
{
        const char *name = kl_ctrl_meta_str(pod, "name");

        if (kl_ctrl_pod_is_ready(pod))
                (*removed_ready)++;
        if (!keep_finalizer && has_finalizer(pod))
                remove_finalizer(out, pod);

        kl_ctrl_delete(out, kl_ctrl_res("", "pods"), kl_ctrl_meta_str(pod, "namespace"), name,
                       NULL);
        kl_ctrl_event(out, job, "Normal", "SuccessfulDelete", "Deleted pod: %s", name);
}

static void remove_finalizer(struct kl_ctrl_actions *out, const json_t *pod)
{
        json_t *patch = json_pack("{s:{s:[s]}}", "metadata", "$deleteFromPrimitiveList/finalizers",
                                  KL_CTRL_JOB_TRACKING_FINALIZER);

        kl_ctrl_patch(out, kl_ctrl_res("", "pods"), kl_ctrl_meta_str(pod, "namespace"),
                      kl_ctrl_meta_str(pod, "name"), NULL, KL_API_PATCH_TYPE_STRATEGIC, patch);
}

void kl_ctrl_job_release_orphans(const json_t *const *pods, size_t n_pods,
                                 struct kl_ctrl_actions *out)
{
        for (size_t i = 0; i < n_pods; i++)
                if (has_finalizer(pods[i]))
                        remove_finalizer(out, pods[i]);
}

static void add_index_env(json_t *containers)
{
        size_t i, k;
        json_t *c, *e;

        json_array_foreach(containers, i, c) {
                json_t *env = json_object_get(c, "env");
                bool found = false;

                json_array_foreach(env, k, e)
                        if (kl_streq_null(dig_str(e, "name", NULL), "JOB_COMPLETION_INDEX"))
                                found = true;
                if (found)
                        continue;
                if (!json_is_array(env)) {
                        env = json_array();
                        json_object_set_new(c, "env", env);
                }
                json_array_append_new(
                        env, json_pack("{s:s, s:{s:{s:s}}}", "name", "JOB_COMPLETION_INDEX",
                                       "valueFrom", "fieldRef", "fieldPath",
                                       "metadata.annotations['" KL_CTRL_JOB_INDEX_ANNOTATION "']"));
        }
}

/*
 * The name of a new pod: generateName plus five characters of upstream's
 * alphabet, chosen here rather than by the API server so that the
 * SuccessfulCreate event, recorded with the create, names the pod as
 * upstream's does. Derived from the Job's uid, the clock and a counter, and
 * never a name among `taken`; a name taken meanwhile fails the create with
 * AlreadyExists and the next sync picks another.
 */
static char *pod_name(const char *generate_name, const char *seed, kl_usec_t now, unsigned n,
                      json_t *taken)
{
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        size_t plen = strlen(generate_name) > 58 ? 58 : strlen(generate_name);

        for (unsigned attempt = 0;; attempt++) {
                kl_autofree char *in = kl_asprintf("%s|%llu|%u|%u", seed ? seed : "",
                                                   (unsigned long long)now, n, attempt);
                uint32_t h = 2166136261u;
                char suffix[6];
                char *name;

                for (const char *p = in; *p; p++)
                        h = (h ^ (unsigned char)*p) * 16777619u;
                for (size_t i = 0; i < 5; i++, h /= sizeof(alphabet) - 1)
                        suffix[i] = alphabet[h % (sizeof(alphabet) - 1)];
                suffix[5] = '\0';
                name = kl_asprintf("%.*s%s", (int)plen, generate_name, suffix);
                if (!json_object_get(taken, name)) {
                        json_object_set_new(taken, name, json_true());
                        return name;
                }
                free(name);
        }
}

/* A pod from the template; `failures` >= 0: its index failure count annotation. */
static json_t *new_pod(const json_t *job, int64_t index, int64_t failures)
{
        const char *name = kl_ctrl_meta_str(job, "name") ?: "";
        json_t *pod = kl_ctrl_pod_from_template(dig(job, "spec", "template"), job, name);
        json_t *meta = json_object_get(pod, "metadata"), *spec = json_object_get(pod, "spec");
        json_t *fins = json_object_get(meta, "finalizers");

        if (!json_is_array(fins)) {
                fins = json_array();
                json_object_set_new(meta, "finalizers", fins);
        }
        if (!str_array_has(fins, KL_CTRL_JOB_TRACKING_FINALIZER))
                json_array_append_new(fins, json_string(KL_CTRL_JOB_TRACKING_FINALIZER));
        if (index >= 0) {
                kl_autofree char *ix = kl_asprintf("%lld", (long long)index);
                kl_autofree char *suffix = kl_asprintf("-%s-", ix);
                json_t *ann = json_object_get(meta, "annotations");
                size_t prefix = strlen(name);

                /* podGenerateNameWithIndex: at most 58 characters, the index kept. */
                if (prefix + strlen(suffix) > 58)
                        prefix = 58 - strlen(suffix);
                json_object_set_new(meta, "generateName",
                                    json_sprintf("%.*s%s", (int)prefix, name, suffix));
                if (!json_is_object(ann)) {
                        ann = json_object();
                        json_object_set_new(meta, "annotations", ann);
                }
                json_object_set_new(ann, KL_CTRL_JOB_INDEX_ANNOTATION, json_string(ix));
                if (failures >= 0)
                        json_object_set_new(ann, KL_CTRL_JOB_FAILURES_ANNOTATION,
                                            json_sprintf("%lld", (long long)failures));
                json_object_set_new(json_object_get(meta, "labels"), KL_CTRL_JOB_INDEX_ANNOTATION,
                                    json_string(ix));
                json_object_set_new(spec, "hostname", json_sprintf("%s-%s", name, ix));
                add_index_env(json_object_get(spec, "initContainers"));
                add_index_env(json_object_get(spec, "containers"));
        }
        return pod;
}

/* -------------------------------------------------------------------------
 * The reconcile
 */

enum finish {
        FIN_NONE,
        FIN_FAILURE_TARGET, /* to record as FailureTarget, then Failed */
        FIN_FAILED,
        FIN_SUCCESS_MET, /* to record as SuccessCriteriaMet, then Complete */
        FIN_COMPLETE,
};

struct job_ctx {
        const json_t *job, *spec, *pfp;
        json_t *status; /* the new status */
        json_t *unc_s, *unc_f;
        struct pod_info *pods;
        size_t n;
        int64_t completions; /* -1: unset */
        bool indexed, suspended, deleting, only_failed;
        uint8_t *prev_idx, *new_idx; /* indexed: completions entries */
        int64_t per_index;           /* backoffLimitPerIndex, -1: unset */
        uint8_t *failed_idx;         /* with per_index: the failed indexes */
        enum finish fin;
        char *fin_reason, *fin_msg;
        int64_t removed_ready; /* ready pods deleted by this sync */
};

static void set_finish(struct job_ctx *x, enum finish f, const char *reason, const char *msg)
{
        x->fin = f;
        free(x->fin_reason);
        free(x->fin_msg);
        x->fin_reason = reason ? kl_strdup(reason) : NULL;
        x->fin_msg = msg ? kl_strdup(msg) : NULL;
}

static bool json_int_is(const json_t *v, int64_t *ret)
{
        if (!json_is_integer(v))
                return false;
        *ret = json_integer_value(v);
        return true;
}

static int64_t status_int(const json_t *status, const char *f)
{
        return json_integer_value(json_object_get(status, f));
}

/* Set an int32 status counter with Go's omitempty. */
static void set_counter(json_t *status, const char *f, int64_t v)
{
        if (v)
                json_object_set_new(status, f, json_integer(v));
        else
                json_object_del(status, f);
}

static bool pod_failed(const struct job_ctx *x, const json_t *pod)
{
        const char *phase = pod_phase(pod);

        if (kl_streq(phase, "Failed"))
                return true;
        if (x->only_failed)
                return false;
        /* Deleted pods count as failures: orphans may never reach the Failed phase. */
        return kl_ctrl_is_deleting(pod) && !kl_streq(phase, "Succeeded");
}

static bool in_uncounted(const struct job_ctx *x, const char *uid)
{
        return str_array_has(x->unc_s, uid) || str_array_has(x->unc_f, uid);
}

static bool pod_with_finalizer(const struct job_ctx *x, const char *uid)
{
        for (size_t i = 0; i < x->n; i++)
                if (x->pods[i].fin && kl_streq_null(x->pods[i].uid, uid))
                        return true;
        return false;
}

/* Step 3: uids listed whose pod lost its finalizer (or is gone) move to the counters. */
static void count_released(struct job_ctx *x, json_t *list, const char *counter)
{
        json_t *keep = json_array();
        int64_t moved = 0;
        size_t i;
        json_t *v;

        json_array_foreach(list, i, v) {
                if (pod_with_finalizer(x, json_string_value(v)))
                        json_array_append(keep, v);
                else
                        moved++;
        }
        json_array_clear(list);
        json_array_extend(list, keep);
        json_decref(keep);
        set_counter(x->status, counter, status_int(x->status, counter) + moved);
}

static kl_usec_t backoff_remaining(const struct job_ctx *x, kl_usec_t now)
{
        kl_usec_t last_success = 0, last_failure = 0, delay = BACKOFF_BASE;
        int64_t failures = 0;

        for (size_t i = 0; i < x->n; i++)
                if (x->pods[i].succeeded) {
                        kl_usec_t t = finish_time(x->pods[i].pod);

                        if (t > last_success)
                                last_success = t;
                }
        for (size_t i = 0; i < x->n; i++) {
                kl_usec_t t;

                if (!x->pods[i].failed)
                        continue;
                t = finish_time(x->pods[i].pod);
                if (last_success && t <= last_success)
                        continue;
                failures++;
                if (t > last_failure)
                        last_failure = t;
        }
        if (failures == 0)
                return 0;
        for (int64_t i = 1; i < failures; i++) {
                delay *= 2;
                if (delay >= BACKOFF_MAX) {
                        delay = BACKOFF_MAX;
                        break;
                }
        }
        if (now > last_failure && now - last_failure > delay)
                return 0;
        return delay - (now > last_failure ? now - last_failure : 0);
}

static bool past_backoff_on_failure(const struct job_ctx *x, int64_t backoff_limit)
{
        int64_t restarts = 0;

        if (!kl_streq_null(dig_str(dig(x->spec, "template", "spec"), "restartPolicy", NULL),
                           "OnFailure"))
                return false;
        for (size_t i = 0; i < x->n; i++) {
                const char *phase = pod_phase(x->pods[i].pod);
                const char *lists[] = { "initContainerStatuses", "containerStatuses" };

                if (!kl_streq(phase, "Running") && !kl_streq(phase, "Pending"))
                        continue;
                for (size_t l = 0; l < 2; l++) {
                        size_t k;
                        json_t *cs;

                        json_array_foreach(dig(x->pods[i].pod, "status", lists[l]), k, cs)
                                restarts += json_integer_value(json_object_get(cs, "restartCount"));
                }
        }
        return backoff_limit == 0 ? restarts > 0 : restarts >= backoff_limit;
}

/* The finished branch: leftover finalizers, then ttlSecondsAfterFinished. */
static void reconcile_finished(const struct job_ctx *x, kl_usec_t now, struct kl_ctrl_actions *out,
                               kl_usec_t *requeue_after)
{
        const json_t *job = x->job;
        const json_t *c = is_true_cond(job, "Complete") ? kl_ctrl_get_condition(job, "Complete")
                                                        : kl_ctrl_get_condition(job, "Failed");
        int64_t ttl;
        kl_usec_t finished, due;

        for (size_t i = 0; i < x->n; i++)
                if (x->pods[i].fin)
                        remove_finalizer(out, x->pods[i].pod);
        if (!json_int_is(json_object_get(x->spec, "ttlSecondsAfterFinished"), &ttl) || ttl < 0 ||
            x->deleting)
                return;
        /* The TTL controller's finish time: the terminal condition's transition. */
        finished = kl_ctrl_time(json_object_get(c, "lastTransitionTime"));
        if (!finished)
                finished = kl_ctrl_time(dig(job, "status", "completionTime"));
        if (!finished)
                return;
        due = finished + (kl_usec_t)ttl * KL_USEC_PER_SEC;
        if (due > now) {
                *requeue_after = due - now;
                return;
        }
        kl_ctrl_delete(out, kl_ctrl_res("batch", "jobs"), kl_ctrl_meta_str(job, "namespace"),
                       kl_ctrl_meta_str(job, "name"),
                       json_pack("{s:s, s:s, s:{s:s?}}", "kind", "DeleteOptions",
                                 "propagationPolicy", "Background", "preconditions", "uid",
                                 kl_ctrl_meta_str(job, "uid")));
}

static void job_ctx_release(struct job_ctx *x)
{
        json_decref(x->status);
        free(x->pods);
        free(x->prev_idx);
        free(x->new_idx);
        free(x->failed_idx);
        free(x->fin_reason);
        free(x->fin_msg);
}

/* Indexed: create pods for the lowest indexes neither succeeded nor running. */
/* backoffLimitPerIndex: the failure count a new pod of index `ix` starts with. */
static int64_t index_failures(const struct job_ctx *x, int64_t ix)
{
        int64_t n = 0;

        for (size_t i = 0; i < x->n; i++) {
                const struct pod_info *p = &x->pods[i];

                if (p->index == ix && p->failed && p->failures + p->counted_failure > n)
                        n = p->failures + p->counted_failure;
        }
        return n;
}

/* backoffLimitPerIndex: the back-off left for index `ix`, from its last failed pod. */
static kl_usec_t index_backoff(const struct job_ctx *x, int64_t ix, kl_usec_t now)
{
        const struct pod_info *last = NULL;
        kl_usec_t last_t = 0, delay = BACKOFF_BASE, t;

        for (size_t i = 0; i < x->n; i++) {
                const struct pod_info *p = &x->pods[i];

                if (p->index != ix || !p->failed)
                        continue;
                t = finish_time(p->pod);
                if (!last || t > last_t) {
                        last = p;
                        last_t = t;
                }
        }
        if (!last)
                return 0;
        for (int64_t i = 1; i < last->failures + 1; i++) {
                delay *= 2;
                if (delay >= BACKOFF_MAX) {
                        delay = BACKOFF_MAX;
                        break;
                }
        }
        if (now > last_t && now - last_t > delay)
                return 0;
        return delay - (now > last_t ? now - last_t : 0);
}

/*
 * Indexed: the lowest indexes neither succeeded, failed nor running; with
 * backoffLimitPerIndex, those still backing off wait (*ret_wait: the least wait).
 */
static size_t pending_indexes(const struct job_ctx *x, int64_t *want, size_t max, kl_usec_t now,
                              kl_usec_t *ret_wait)
{
        kl_autofree uint8_t *busy = kl_calloc((size_t)x->completions + 1, 1);
        size_t n = 0;

        for (size_t i = 0; i < x->n; i++)
                if (x->pods[i].active && x->pods[i].index >= 0 && x->pods[i].index < x->completions)
                        busy[x->pods[i].index] = 1;
        for (int64_t i = 0; i < x->completions && n < max; i++) {
                kl_usec_t wait;

                if (busy[i] || x->prev_idx[i] || x->new_idx[i] ||
                    (x->failed_idx && x->failed_idx[i]))
                        continue;
                if (x->per_index >= 0 && (wait = index_backoff(x, i, now)) > 0) {
                        if (!*ret_wait || wait < *ret_wait)
                                *ret_wait = wait;
                        continue;
                }
                want[n++] = i;
        }
        return n;
}

/* Upstream's manageJob: returns the active count after its creations and deletions. */
static int64_t manage(struct job_ctx *x, int64_t active, int64_t terminating, int64_t succeeded,
                      kl_usec_t now, struct kl_ctrl_actions *out, kl_usec_t *requeue_after)
{
        const json_t *job = x->job;
        int64_t parallelism = 1, want, rm_at_least, diff;
        kl_autofree const json_t **act = kl_calloc(x->n + 1, sizeof(*act));
        kl_autofree const json_t **rm = kl_calloc(x->n + 1, sizeof(*rm));
        size_t n_act = 0, n_rm = 0;

        (void)json_int_is(json_object_get(x->spec, "parallelism"), &parallelism);
        if (x->suspended) {
                for (size_t i = 0; i < x->n; i++)
                        if (x->pods[i].active)
                                delete_pod(out, job, x->pods[i].pod, false, &x->removed_ready);
                return 0;
        }
        if (x->completions < 0) {
                want = succeeded > 0 ? active : parallelism;
        } else {
                want = x->completions - succeeded;
                if (want > parallelism)
                        want = parallelism;
                if (want < 0)
                        want = 0;
        }
        rm_at_least = active - want > 0 ? active - want : 0;

        /* Indexed: pods of an index out of range or repeated go first. */
        if (x->indexed) {
                kl_autofree uint8_t *seen = kl_calloc((size_t)x->completions + 1, 1);

                for (size_t i = 0; i < x->n; i++) {
                        const struct pod_info *p = &x->pods[i];

                        if (!p->active)
                                continue;
                        if (p->index < 0 || p->index >= x->completions || seen[p->index] ||
                            (x->failed_idx && x->failed_idx[p->index]))
                                rm[n_rm++] = p->pod;
                        else {
                                seen[p->index] = 1;
                                act[n_act++] = p->pod;
                        }
                }
        } else {
                for (size_t i = 0; i < x->n; i++)
                        if (x->pods[i].active)
                                act[n_act++] = x->pods[i].pod;
        }
        if ((int64_t)n_rm < rm_at_least) {
                qsort(act, n_act, sizeof(*act), cmp_for_removal);
                for (size_t i = 0; i < n_act && (int64_t)n_rm < rm_at_least; i++)
                        rm[n_rm++] = act[i];
        }
        if (n_rm > KL_CTRL_JOB_MAX_PODS_PER_SYNC)
                n_rm = KL_CTRL_JOB_MAX_PODS_PER_SYNC;
        if (n_rm > 0) {
                /* Deletions and creations never in the same sync; deletions first. */
                for (size_t i = 0; i < n_rm; i++)
                        delete_pod(out, job, rm[i], false, &x->removed_ready);
                return active - (int64_t)n_rm;
        }

        diff = want - (x->only_failed ? terminating : 0) - active;
        if (diff <= 0)
                return active;
        if (x->per_index < 0) {
                kl_usec_t wait = backoff_remaining(x, now);

                if (wait > 0) {
                        if (!*requeue_after || wait < *requeue_after)
                                *requeue_after = wait;
                        return active;
                }
        }
        if (diff > KL_CTRL_JOB_MAX_PODS_PER_SYNC)
                diff = KL_CTRL_JOB_MAX_PODS_PER_SYNC;
        /* Slow start across syncs: a batch as large as the pods already active. */
        if (diff > (active > 1 ? active : 1))
                diff = active > 1 ? active : 1;
        {
                kl_autofree int64_t *ix = kl_calloc((size_t)diff, sizeof(*ix));
                json_auto_t *taken = json_object();
                size_t n = (size_t)diff;

                for (size_t i = 0; i < x->n; i++)
                        if (x->pods[i].name)
                                json_object_set_new(taken, x->pods[i].name, json_true());
                if (x->indexed) {
                        kl_usec_t wait = 0;

                        n = pending_indexes(x, ix, (size_t)diff, now, &wait);
                        if (wait && (!*requeue_after || wait < *requeue_after))
                                *requeue_after = wait;
                }
                for (size_t i = 0; i < n; i++) {
                        json_t *pod = new_pod(job, x->indexed ? ix[i] : -1,
                                              x->per_index >= 0 ? index_failures(x, ix[i]) : -1);
                        kl_autofree char *name =
                                pod_name(kl_ctrl_meta_str(pod, "generateName"),
                                         kl_ctrl_meta_str(job, "uid"), now, (unsigned)i, taken);

                        json_object_set_new(json_object_get(pod, "metadata"), "name",
                                            json_string(name));
                        kl_ctrl_create(out, kl_ctrl_res("", "pods"),
                                       kl_ctrl_meta_str(job, "namespace"), pod);
                        kl_ctrl_event(out, job, "Normal", "SuccessfulCreate", "Created pod: %s",
                                      name);
                }
                diff = (int64_t)n;
        }
        return active + diff;
}

static void update_suspended(struct job_ctx *x, kl_usec_t now, struct kl_ctrl_actions *out)
{
        const json_t *c = kl_ctrl_get_condition(x->job, "Suspended");
        const char *st = c ? dig_str(c, "status", NULL) : NULL;

        if (x->suspended) {
                if (kl_streq_null(st, "True"))
                        return;
                kl_ctrl_set_condition(x->status, "Suspended", "True", "JobSuspended",
                                      "Job suspended", now);
                kl_ctrl_event(out, x->job, "Normal", "Suspended", "Job suspended");
        } else if (c && !kl_streq_null(st, "False")) {
                kl_ctrl_set_condition(x->status, "Suspended", "False", "JobResumed", "Job resumed",
                                      now);
                kl_ctrl_event(out, x->job, "Normal", "Resumed", "Job resumed");
                /* activeDeadlineSeconds counts from the resume. */
                json_object_set_new(x->status, "startTime", kl_ctrl_time_json(now));
        }
}

void kl_ctrl_job_reconcile(const struct kl_ctrl_job_input *in, struct kl_ctrl_actions *out,
                           kl_usec_t *requeue_after)
{
        const json_t *job = in->job, *old_status = json_object_get(job, "status");
        kl_cleanup(job_ctx_release) struct job_ctx x = { .job = job };
        kl_usec_t now = in->now, start;
        int64_t backoff_limit = 6, ads, active = 0, ready = 0, terminating = 0;
        int64_t succeeded, failed, new_failed = 0, added = 0;
        json_t *unc;
        bool reached_max = false, manage_called = false;
        kl_autofree char *fail_msg = NULL;

        *requeue_after = 0;
        x.spec = json_object_get(job, "spec");
        x.pfp = json_object_get(x.spec, "podFailurePolicy");
        x.indexed = kl_streq_null(dig_str(x.spec, "completionMode", NULL), "Indexed");
        x.suspended = json_is_true(json_object_get(x.spec, "suspend"));
        x.deleting = kl_ctrl_is_deleting(job);
        x.only_failed =
                x.pfp || kl_streq_null(dig_str(x.spec, "podReplacementPolicy", NULL), "Failed");
        if (!json_int_is(json_object_get(x.spec, "completions"), &x.completions) ||
            x.completions < 0)
                x.completions = -1;
        if (x.indexed && (x.completions < 0 || x.completions > MAX_INDEXES))
                return; /* validation refuses these */
        (void)json_int_is(json_object_get(x.spec, "backoffLimit"), &backoff_limit);
        if (!x.indexed ||
            !json_int_is(json_object_get(x.spec, "backoffLimitPerIndex"), &x.per_index) ||
            x.per_index < 0)
                x.per_index = -1;

        x.pods = kl_calloc(in->n_pods + 1, sizeof(*x.pods));
        for (size_t i = 0; i < in->n_pods; i++) {
                struct pod_info *p = &x.pods[x.n++];
                const json_t *pod = in->pods[i];
                const char *phase = pod_phase(pod);

                *p = (struct pod_info){
                        .pod = pod,
                        .uid = kl_ctrl_meta_str(pod, "uid"),
                        .name = kl_ctrl_meta_str(pod, "name"),
                        .index = x.indexed ? pod_index(pod) : -1,
                        .fin = has_finalizer(pod),
                        .active = kl_ctrl_pod_is_active(pod),
                        .succeeded = kl_streq(phase, "Succeeded"),
                        .failed = pod_failed(&x, pod),
                        .terminating = kl_ctrl_is_deleting(pod) && !kl_streq(phase, "Succeeded") &&
                                       !kl_streq(phase, "Failed"),
                };
                p->ready = p->active && kl_ctrl_pod_is_ready(pod);
                p->failures = x.per_index >= 0 ? pod_index_failures(pod) : 0;
                if (p->failed && !p->succeeded) {
                        kl_autofree char *msg = NULL;

                        p->counted_failure = !x.pfp || match_pfp(x.pfp, pod, &msg) != PFP_IGNORE;
                }
                active += p->active;
                ready += p->ready;
                terminating += p->terminating;
        }

        if (is_true_cond(job, "Complete") || is_true_cond(job, "Failed")) {
                reconcile_finished(&x, now, out, requeue_after);
                return;
        }

        x.status = json_is_object(old_status) ? json_deep_copy(old_status) : json_object();
        unc = json_object_get(x.status, "uncountedTerminatedPods");
        if (!json_is_object(unc)) {
                unc = json_object();
                json_object_set_new(x.status, "uncountedTerminatedPods", unc);
        }
        x.unc_s = json_object_get(unc, "succeeded");
        x.unc_f = json_object_get(unc, "failed");
        if (!json_is_array(x.unc_s)) {
                x.unc_s = json_array();
                json_object_set_new(unc, "succeeded", x.unc_s);
        }
        if (!json_is_array(x.unc_f)) {
                x.unc_f = json_array();
                json_object_set_new(unc, "failed", x.unc_f);
        }
        count_released(&x, x.unc_s, "succeeded");
        count_released(&x, x.unc_f, "failed");
        if (x.indexed) {
                x.prev_idx = kl_calloc((size_t)x.completions + 1, 1);
                x.new_idx = kl_calloc((size_t)x.completions + 1, 1);
                indexes_parse(dig_str(old_status, "completedIndexes", NULL), x.prev_idx,
                              x.completions);
        }
        if (x.per_index >= 0) {
                /* calculateFailedIndexes: the recorded ones, and those failing now. */
                x.failed_idx = kl_calloc((size_t)x.completions + 1, 1);
                indexes_parse(dig_str(old_status, "failedIndexes", NULL), x.failed_idx,
                              x.completions);
                for (size_t i = 0; i < x.n; i++) {
                        const struct pod_info *p = &x.pods[i];
                        kl_autofree char *msg = NULL;

                        if (!p->fin || !p->failed || p->succeeded || p->index < 0 ||
                            p->index >= x.completions)
                                continue;
                        if ((x.pfp && match_pfp(x.pfp, p->pod, &msg) == PFP_FAIL_INDEX) ||
                            (p->counted_failure && p->failures >= x.per_index))
                                x.failed_idx[p->index] = 1;
                }
        }

        /* Failures not yet counted, for the backoff limit. */
        for (size_t i = 0; i < x.n; i++) {
                const struct pod_info *p = &x.pods[i];
                kl_autofree char *msg = NULL;

                if (!p->fin || !p->failed || p->succeeded || in_uncounted(&x, p->uid))
                        continue;
                if (x.pfp && match_pfp(x.pfp, p->pod, &msg) == PFP_IGNORE)
                        continue;
                new_failed++;
        }
        failed = status_int(x.status, "failed") + (int64_t)json_array_size(x.unc_f) + new_failed;

        if (!json_object_get(x.status, "startTime") && !x.suspended)
                json_object_set_new(x.status, "startTime", kl_ctrl_time_json(now));
        start = kl_ctrl_time(json_object_get(x.status, "startTime"));

        /* The terminal condition this sync works towards, if any. */
        if (is_true_cond(job, "FailureTarget")) {
                const json_t *c = kl_ctrl_get_condition(job, "FailureTarget");

                set_finish(&x, FIN_FAILED, dig_str(c, "reason", NULL), dig_str(c, "message", NULL));
        } else if (is_true_cond(job, "SuccessCriteriaMet")) {
                const json_t *c = kl_ctrl_get_condition(job, "SuccessCriteriaMet");

                set_finish(&x, FIN_COMPLETE, dig_str(c, "reason", NULL),
                           dig_str(c, "message", NULL));
        }
        if (x.fin == FIN_NONE && x.pfp) {
                for (size_t i = 0; i < x.n && !fail_msg; i++)
                        if (x.pods[i].failed && !x.pods[i].succeeded &&
                            match_pfp(x.pfp, x.pods[i].pod, &fail_msg) != PFP_FAIL_JOB) {
                                free(fail_msg);
                                fail_msg = NULL;
                        }
                if (fail_msg)
                        set_finish(&x, FIN_FAILURE_TARGET, REASON_PFP, fail_msg);
        }
        if (x.fin == FIN_NONE) {
                if (failed > backoff_limit || past_backoff_on_failure(&x, backoff_limit)) {
                        set_finish(&x, FIN_FAILURE_TARGET, REASON_BACKOFF,
                                   "Job has reached the specified backoff limit");
                } else if (json_int_is(json_object_get(x.spec, "activeDeadlineSeconds"), &ads) &&
                           start && !x.suspended) {
                        kl_usec_t allowed = (kl_usec_t)(ads < 0 ? 0 : ads) * KL_USEC_PER_SEC;

                        if (now >= start && now - start >= allowed)
                                set_finish(&x, FIN_FAILURE_TARGET, REASON_DEADLINE,
                                           "Job was active longer than specified deadline");
                        else
                                *requeue_after = allowed - (now > start ? now - start : 0);
                }
        }
        if (x.fin == FIN_NONE && x.failed_idx) {
                int64_t n_failed = 0, n_done = 0, max_failed;

                kl_autofree uint8_t *done = kl_memdup(x.failed_idx, (size_t)x.completions + 1);

                for (size_t i = 0; i < x.n; i++)
                        if (x.pods[i].succeeded && x.pods[i].index >= 0 &&
                            x.pods[i].index < x.completions)
                                done[x.pods[i].index] = 1;
                for (int64_t i = 0; i < x.completions; i++) {
                        n_failed += x.failed_idx[i];
                        n_done += done[i] || x.prev_idx[i];
                }
                if (json_int_is(json_object_get(x.spec, "maxFailedIndexes"), &max_failed) &&
                    n_failed > max_failed)
                        set_finish(&x, FIN_FAILURE_TARGET, "MaxFailedIndexesExceeded",
                                   "Job has exceeded the specified maximal number of failed "
                                   "indexes");
                else if (n_failed > 0 && n_done >= x.completions)
                        set_finish(&x, FIN_FAILURE_TARGET, "FailedIndexes",
                                   "Job has failed indexes");
        }

        /* Pod tracking: steps 1 and 2 of the header comment. */
        for (size_t i = 0; i < x.n; i++) {
                const struct pod_info *p = &x.pods[i];
                bool finishing = x.fin != FIN_NONE;
                bool failing = finishing && x.fin != FIN_SUCCESS_MET && x.fin != FIN_COMPLETE;

                if (!p->fin)
                        continue;
                if (in_uncounted(&x, p->uid) ||
                    (x.indexed && p->succeeded && p->index >= 0 && p->index < x.completions &&
                     x.prev_idx[p->index])) {
                        remove_finalizer(out, p->pod); /* already recorded */
                        continue;
                }
                if (reached_max)
                        continue;
                if (!(x.deleting || finishing || p->succeeded || p->failed))
                        continue;
                if (p->succeeded) {
                        if (x.indexed && p->index >= 0 && p->index < x.completions) {
                                if (!x.new_idx[p->index]) {
                                        x.new_idx[p->index] = 1;
                                        added++;
                                }
                        } else if (!x.indexed) {
                                json_array_append_new(x.unc_s, json_string(p->uid ?: ""));
                                added++;
                        } else {
                                remove_finalizer(out, p->pod); /* an index we cannot count */
                        }
                } else if (p->failed || failing) {
                        kl_autofree char *msg = NULL;

                        if ((x.indexed && (p->index < 0 || p->index >= x.completions)) ||
                            (x.pfp && p->failed && match_pfp(x.pfp, p->pod, &msg) == PFP_IGNORE)) {
                                remove_finalizer(out, p->pod); /* not counted */
                        } else {
                                json_array_append_new(x.unc_f, json_string(p->uid ?: ""));
                                added++;
                        }
                } else {
                        remove_finalizer(out, p->pod);
                }
                if (added >= KL_CTRL_JOB_MAX_UNCOUNTED)
                        reached_max = true;
        }

        if (x.indexed) {
                int64_t total = 0;

                for (int64_t i = 0; i < x.completions; i++) {
                        x.new_idx[i] |= x.prev_idx[i];
                        total += x.new_idx[i];
                }
                succeeded = total;
                set_counter(x.status, "succeeded", total);
                json_object_set_new(x.status, "completedIndexes",
                                    indexes_format(x.new_idx, x.completions));
                if (!total)
                        json_object_del(x.status, "completedIndexes");
                if (x.failed_idx)
                        json_object_set_new(x.status, "failedIndexes",
                                            indexes_format(x.failed_idx, x.completions));
        } else {
                succeeded = status_int(x.status, "succeeded") + (int64_t)json_array_size(x.unc_s);
        }

        if (x.fin != FIN_NONE) {
                /* Finishing: every active pod goes, and is terminating until gone. */
                for (size_t i = 0; i < x.n; i++)
                        if (x.pods[i].active)
                                delete_pod(out, job, x.pods[i].pod, true, &x.removed_ready);
                terminating += active;
                active = 0;
        } else {
                bool complete;

                if (!x.deleting) {
                        kl_usec_t deadline_requeue = *requeue_after;

                        *requeue_after = 0;
                        active =
                                manage(&x, active, terminating, succeeded, now, out, requeue_after);
                        if (deadline_requeue &&
                            (!*requeue_after || deadline_requeue < *requeue_after))
                                *requeue_after = deadline_requeue;
                        manage_called = true;
                }
                if (x.completions < 0)
                        complete = succeeded > 0 && active == 0;
                else
                        complete = succeeded >= x.completions && active == 0;
                if (complete)
                        set_finish(&x, FIN_SUCCESS_MET, "CompletionsReached",
                                   "Reached expected number of succeeded pods");
                else if (manage_called)
                        update_suspended(&x, now, out);
        }

        /* The interim conditions, then the final one once nothing is pending. */
        if (x.fin == FIN_FAILURE_TARGET) {
                kl_ctrl_set_condition(x.status, "FailureTarget", "True", x.fin_reason, x.fin_msg,
                                      now);
                x.fin = FIN_FAILED;
        } else if (x.fin == FIN_SUCCESS_MET) {
                if (!kl_ctrl_get_condition(job, "SuccessCriteriaMet"))
                        kl_ctrl_set_condition(x.status, "SuccessCriteriaMet", "True", x.fin_reason,
                                              x.fin_msg, now);
                x.fin = FIN_COMPLETE;
        }
        json_object_set_new(x.status, "ready", json_integer(ready - x.removed_ready));
        json_object_set_new(x.status, "terminating", json_integer(terminating));
        set_counter(x.status, "active", active);
        set_counter(x.status, "failed", status_int(x.status, "failed"));
        if (x.fin != FIN_NONE && !reached_max && json_array_size(x.unc_s) == 0 &&
            json_array_size(x.unc_f) == 0 && added == 0 && terminating == 0) {
                bool ok = x.fin == FIN_COMPLETE;

                kl_ctrl_set_condition(x.status, ok ? "Complete" : "Failed", "True", x.fin_reason,
                                      x.fin_msg, now);
                if (ok) {
                        json_object_set_new(x.status, "completionTime", kl_ctrl_time_json(now));
                        if (x.completions >= 0 && succeeded > x.completions)
                                kl_ctrl_event(out, job, "Warning", "TooManySucceededPods",
                                              "Too many succeeded pods running after completion "
                                              "count reached");
                        kl_ctrl_event(out, job, "Normal", "Completed", "Job completed");
                } else {
                        kl_ctrl_event(out, job, "Warning", x.fin_reason ?: "", "%s",
                                      x.fin_msg ?: "");
                }
                *requeue_after = 0;
        }
        if (json_array_size(x.unc_s) == 0)
                json_object_del(unc, "succeeded");
        if (json_array_size(x.unc_f) == 0)
                json_object_del(unc, "failed");

        if (!json_equal(x.status, old_status ? old_status : json_null())) {
                json_t *body = json_deep_copy(job);

                json_object_set(body, "status", x.status);
                kl_ctrl_update(out, kl_ctrl_res("batch", "jobs"),
                               kl_ctrl_meta_str(job, "namespace"), kl_ctrl_meta_str(job, "name"),
                               "status", body);
        }
}

/* -------------------------------------------------------------------------
 * Sync and enqueue
 */

static int job_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv owned = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        const struct kl_informer *pinf = kl_ctrl_informer(env, KL_CTRL_INF_PODS);
        const json_t *job;
        const char *uid;

        (void)err;
        kl_client_key_split(key, &ns, &name);
        job = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_JOBS), ns, name);
        uid = job ? kl_ctrl_meta_str(job, "uid") : NULL;
        if (uid)
                kl_informer_by_index(pinf, KL_INDEX_OWNER, uid, &owned);
        else
                kl_informer_list(pinf, ns, &owned);
        for (size_t i = 0; i < owned.n; i++) {
                const json_t *ref = kl_ctrl_controller_ref(owned.items[i]);

                if (!ref || !kl_streq_null(json_string_value(json_object_get(ref, "kind")), "Job"))
                        continue;
                if (uid ? kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid)
                        : kl_streq_null(json_string_value(json_object_get(ref, "name")), name))
                        kl_objv_push(&pods, owned.items[i]);
        }
        if (!job) {
                /* Gone: its pods must not keep the tracking finalizer. */
                kl_ctrl_job_release_orphans(pods.items, pods.n, out);
                return 0;
        }
        kl_ctrl_job_reconcile(
                &(struct kl_ctrl_job_input){
                        .job = job, .pods = pods.items, .n_pods = pods.n, .now = env->now },
                out, requeue_after);
        return 0;
}

static void job_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        if (i == KL_CTRL_INF_JOBS) {
                kl_ctrl_enqueue_obj(c, obj ? obj : old);
                return;
        }
        if (old && (!obj || !json_equal(kl_ctrl_controller_ref(old), kl_ctrl_controller_ref(obj))))
                kl_ctrl_enqueue_owner(c, old, "Job");
        if (obj)
                kl_ctrl_enqueue_owner(c, obj, "Job");
}

static const enum kl_ctrl_inf job_watches[] = {
        KL_CTRL_INF_JOBS,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_job = {
        .name = "job",
        .user = "system:serviceaccount:kube-system:job-controller",
        .watches = job_watches,
        .enqueue = job_enqueue,
        .sync = job_sync,
};
