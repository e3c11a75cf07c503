/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PodStatus the agent writes, as the kubelet builds it (v1.32):
 * generateAPIPodStatus, convertToAPIContainerStatuses, getPhase, the probe
 * manager's ready/started, the status package's condition generators and
 * the status manager's lastTransitionTime and startTime rules; and the QoS
 * class (GetPodQOS). Pure: `now` comes from the caller; the result is a new
 * object, the inputs are borrowed.
 */
#include <string.h>

#include "agent/pod-internal.h"
#include "client/client.h" /* before pod-internal.h, which names struct kl_client */
#include "json/json.h"

#define CONTAINER_ID_PREFIX "kube-lite://"

struct builder {
        const struct kl_agent__pod_obs *o; /* borrowed */
        const struct kl_agent__plan *plan; /* borrowed */
        const json_t *pod, *spec, *old;    /* borrowed from o */
        const char *policy;
        bool deleted;
        int64_t now;
};

static const char *jstr(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

/*
 * A JSON string of text the runtime or a container wrote (a termination
 * message, a start error): invalid UTF-8 becomes U+FFFD, as Go's encoder
 * writes it, instead of losing the whole string.
 */
static json_t *text_json(const char *s)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        json_t *v = json_string((const char *)p);

        if (v)
                return v;
        while (*p) {
                size_t n = *p < 0x80             ? 1
                           : (*p & 0xe0) == 0xc0 ? 2
                           : (*p & 0xf0) == 0xe0 ? 3
                           : (*p & 0xf8) == 0xf0 ? 4
                                                 : 0;
                kl_autofree char *one = NULL;
                json_t *t;
                size_t k = 1;

                while (k < n && (p[k] & 0xc0) == 0x80)
                        k++;
                if (n > 0 && k == n) {
                        one = kl_strndup((const char *)p, n);
                        t = json_string(one); /* rejects overlong forms and surrogates */
                        if (t) {
                                json_decref(t);
                                (void)kl_buf_append(&b, p, n);
                                p += n;
                                continue;
                        }
                }
                (void)kl_buf_puts(&b, "\xef\xbf\xbd");
                p++;
        }
        return json_string(b.buf);
}

static json_t *time_json(int64_t usec)
{
        char buf[KL_RFC3339_MAX];

        if (usec <= 0)
                return json_null();
        return json_string(
                kl_rfc3339_format((kl_usec_t)usec, KL_RFC3339_SECONDS, buf, sizeof(buf)));
}

static bool is_sidecar(const json_t *container)
{
        return kl_streq_null(jstr(container, "restartPolicy"), "Always");
}

static const json_t *find_named(const json_t *array, const char *key, const char *value)
{
        const json_t *e;
        size_t i;

        json_array_foreach(array, i, e)
                if (kl_streq_null(jstr(e, key), value))
                        return e;
        return NULL;
}

/* The attempt before the newest one (the newest attempt lower than `latest`'s), or NULL. */
static const struct kl_agent__ctr *previous(const struct kl_agent__pod_obs *o,
                                            const struct kl_agent__ctr *latest)
{
        const struct kl_agent__ctr *best = NULL;

        for (size_t i = 0; i < o->n_ctrs; i++) {
                const struct kl_agent__ctr *c = &o->ctrs[i];

                if (c == latest || c->kind != latest->kind || !kl_streq_null(c->name, latest->name))
                        continue;
                if (c->attempt > latest->attempt ||
                    (c->attempt == latest->attempt && c->created_usec > latest->created_usec))
                        continue;
                if (!best || c->attempt > best->attempt ||
                    (c->attempt == best->attempt && c->created_usec > best->created_usec))
                        best = c;
        }
        return best;
}

/* ------------------------------------------------------------------------- */
/* Container statuses */

static json_t *waiting_state(const char *reason, const char *message)
{
        json_t *w = json_object();

        if (!kl_isempty(reason))
                (void)json_object_set_new(w, "reason", text_json(reason));
        if (!kl_isempty(message))
                (void)json_object_set_new(w, "message", text_json(message));
        return json_pack("{s:o}", "waiting", w);
}

static const char *terminated_reason(const struct kl_agent__ctr *c)
{
        if (c->oom_killed)
                return "OOMKilled";
        if (c->error)
                return "StartError";
        return c->exit_code == 0 ? "Completed" : "Error";
}

/* The state of one runtime container (convertContainerStatus). */
static json_t *ctr_state(const struct kl_agent__ctr *c)
{
        kl_autofree char *cid = kl_asprintf(CONTAINER_ID_PREFIX "%s", c->id);
        json_t *t;
        const char *msg = c->message ? c->message : c->error;

        switch (c->status) {
        case KL_CTR_RUNNING:
                return json_pack("{s:{s:o}}", "running", "startedAt", time_json(c->started_usec));
        case KL_CTR_STOPPED:
                t = json_object();
                /* No "signal": the kubelet never sets it (CRI reports exit codes only). */
                (void)json_object_set_new(t, "exitCode", json_integer(c->exit_code));
                (void)json_object_set_new(t, "reason", json_string(terminated_reason(c)));
                if (!kl_isempty(msg))
                        (void)json_object_set_new(t, "message", text_json(msg));
                (void)json_object_set_new(t, "startedAt", time_json(c->started_usec));
                (void)json_object_set_new(t, "finishedAt", time_json(c->finished_usec));
                (void)json_object_set_new(t, "containerID", text_json(cid));
                return json_pack("{s:o}", "terminated", t);
        default: /* created, or unknown: "waiting to be running" */
                return waiting_state(NULL, NULL);
        }
}

/* A terminated state without a container to tell its times (metav1.Time zero: null). */
static json_t *terminated_without_times(int exit_code, const char *reason, const char *message)
{
        return json_pack("{s:{s:i,s:s,s:s,s:n,s:n}}", "terminated", "exitCode", exit_code, "reason",
                         reason, "message", message, "startedAt", "finishedAt");
}

static json_t *unknown_terminated(const char *message)
{
        return terminated_without_times(137, "ContainerStatusUnknown", message);
}

/* status.volumeMounts (RecursiveReadOnlyMounts, on by default since v1.31). */
static json_t *volume_mounts(const json_t *container)
{
        const json_t *m;
        json_t *out = json_array();
        size_t i;

        json_array_foreach(json_object_get(container, "volumeMounts"), i, m) {
                json_t *v = json_object();

                (void)json_object_set_new(v, "name",
                                          json_string(jstr(m, "name") ? jstr(m, "name") : ""));
                (void)json_object_set_new(
                        v, "mountPath",
                        json_string(jstr(m, "mountPath") ? jstr(m, "mountPath") : ""));
                if (json_is_true(json_object_get(m, "readOnly"))) {
                        (void)json_object_set_new(v, "readOnly", json_true());
                        (void)json_object_set_new(
                                v, "recursiveReadOnly",
                                json_string(kl_streq_null(jstr(m, "recursiveReadOnly"), "Enabled")
                                                    ? "Enabled"
                                                    : "Disabled"));
                }
                (void)json_array_append_new(out, v);
        }
        return out;
}

/* Upstream's ShouldContainerBeRestarted, with the planner's rule for probe kills. */
static bool should_restart(const struct builder *b, const struct kl_agent__ctr *c,
                           const struct kl_agent__ctr_info *info)
{
        if (b->deleted)
                return false;
        if (!c)
                return true;
        if (c->status == KL_CTR_RUNNING)
                return false;
        if (c->status == KL_CTR_UNKNOWN || c->status == KL_CTR_CREATED)
                return true;
        if (kl_streq(b->policy, "Never"))
                return false;
        if (info && (info->liveness_failed || info->startup_failed))
                return true;
        if (kl_streq(b->policy, "OnFailure") && c->exit_code == 0)
                return false;
        return true;
}

static const struct kl_agent__backoff_wait *plan_waiting(const struct builder *b,
                                                         enum kl_agent__ctr_kind kind,
                                                         const char *name)
{
        for (size_t i = 0; b->plan && i < b->plan->n_waiting; i++)
                if (b->plan->waiting[i].kind == kind &&
                    kl_streq_null(b->plan->waiting[i].name, name))
                        return &b->plan->waiting[i];
        return NULL;
}

static bool any_app_created(const struct builder *b)
{
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(b->spec, "containers"), i, c) {
                const struct kl_agent__ctr *s =
                        kl_agent__obs_latest(b->o, KL_AGENT__CTR_APP, jstr(c, "name"));

                if (s && s->status != KL_CTR_UNKNOWN)
                        return true;
        }
        return false;
}

/*
 * The waiting reason of a container that will be started again (upstream's
 * reasonCache): the back-off the plan holds it in, else why its last start
 * failed. False when there is none: the state stays as it is.
 */
static bool waiting_reason(const struct builder *b, enum kl_agent__ctr_kind kind, const char *name,
                           const char **ret_reason, const char **ret_message)
{
        const struct kl_agent__backoff_wait *w = plan_waiting(b, kind, name);
        const struct kl_agent__ctr_info *info = kl_agent__obs_info(b->o, kind, name);
        const char *why = info ? info->waiting_reason : NULL;

        if (w) {
                if (kl_streq_null(why, "ErrImagePull") || kl_streq_null(why, "ImagePullBackOff")) {
                        *ret_reason = "ImagePullBackOff";
                        *ret_message = w->message;
                } else if (why && !kl_streq(why, "RunContainerError")) {
                        /* A config error keeps its reason and message while held back. */
                        *ret_reason = why;
                        *ret_message = info->waiting_message;
                } else {
                        *ret_reason = "CrashLoopBackOff";
                        *ret_message = w->message;
                }
                return true;
        }
        if (why) {
                *ret_reason = why;
                *ret_message = info->waiting_message;
                return true;
        }
        return false;
}

static json_t *container_status(const struct builder *b, enum kl_agent__ctr_kind kind,
                                const json_t *container, const json_t *old_list)
{
        const char *name = jstr(container, "name");
        bool has_init = json_array_size(json_object_get(b->spec, "initContainers")) > 0;
        bool sidecar = kind == KL_AGENT__CTR_INIT && is_sidecar(container);
        const json_t *old = find_named(old_list, "name", name);
        const json_t *old_state = json_object_get(old, "state");
        const struct kl_agent__ctr *latest = kl_agent__obs_latest(b->o, kind, name);
        const struct kl_agent__ctr_info *info = kl_agent__obs_info(b->o, kind, name);
        json_auto_t *state = NULL, *last = NULL;
        json_int_t restarts = 0;
        const char *reason, *message;
        json_t *st, *t;
        bool running, started, ready;

        if (old) {
                restarts = json_integer_value(json_object_get(old, "restartCount"));
                last = json_deep_copy(json_object_get(old, "lastState"));
        }
        if (latest) {
                const struct kl_agent__ctr *prev = previous(b->o, latest);

                restarts = latest->attempt;
                state = ctr_state(latest);
                json_decref(last);
                last = prev ? ctr_state(prev) : json_object();
                if (latest->status == KL_CTR_UNKNOWN && json_object_get(old_state, "running")) {
                        json_decref(state);
                        state = unknown_terminated(
                                "The container could not be located when the pod was terminated");
                        restarts = json_integer_value(json_object_get(old, "restartCount")) + 1;
                }
        } else if (json_object_get(old_state, "terminated")) {
                /* Removed from the runtime: what it was when it ended stays true. */
                state = json_deep_copy(old_state);
        } else {
                state = waiting_state(has_init ? "PodInitializing" : "ContainerCreating", NULL);
                if (json_object_get(old_state, "running") && !json_object_get(last, "terminated")) {
                        json_decref(last);
                        last = unknown_terminated("The container could not be located when the pod "
                                                  "was deleted.  The container used to be Running");
                        if (!b->deleted)
                                restarts++;
                }
        }
        if (!last)
                last = json_object();

        /* A container that will start again waits, with the reason it waits for. */
        if (kind == KL_AGENT__CTR_INIT && latest && latest->status == KL_CTR_STOPPED &&
            latest->exit_code == 0) {
                /* an init container that completed is not started again */
        } else if (kind == KL_AGENT__CTR_INIT && !latest && !sidecar && any_app_created(b) &&
                   json_object_get(state, "waiting")) {
                json_decref(state);
                state = terminated_without_times(
                        0, "Completed",
                        "Unable to get init container status from container runtime and pod has "
                        "been initialized, treat it as exited normally");
        } else if (should_restart(b, latest, info) &&
                   waiting_reason(b, kind, name, &reason, &message)) {
                if (json_object_get(state, "terminated")) {
                        json_decref(last);
                        last = KL_TAKE_PTR(state);
                }
                json_decref(state);
                state = waiting_state(reason, message);
        }

        /* The probe manager's ready and started. */
        running = json_object_get(state, "running") != NULL;
        started = running && (!info || info->started);
        if (kind == KL_AGENT__CTR_INIT && !sidecar) {
                t = json_object_get(state, "terminated");
                ready = t && json_integer_value(json_object_get(t, "exitCode")) == 0;
        } else {
                ready = started && (!info || info->ready);
        }

        st = json_object();
        (void)json_object_set_new(st, "name", json_string(name ? name : ""));
        (void)json_object_set_new(st, "state", KL_TAKE_PTR(state));
        (void)json_object_set_new(st, "lastState", KL_TAKE_PTR(last));
        (void)json_object_set_new(st, "ready", json_boolean(ready));
        (void)json_object_set_new(st, "restartCount", json_integer(restarts));
        (void)json_object_set_new(
                st, "image",
                text_json(latest && latest->image
                                  ? latest->image
                                  : (jstr(container, "image") ? jstr(container, "image") : "")));
        (void)json_object_set_new(st, "imageID",
                                  text_json(latest && latest->image_ref ? latest->image_ref : ""));
        if (latest) {
                kl_autofree char *cid = kl_asprintf(CONTAINER_ID_PREFIX "%s", latest->id);

                (void)json_object_set_new(st, "containerID", text_json(cid));
        } else if (jstr(old, "containerID")) {
                (void)json_object_set_new(st, "containerID", json_string(jstr(old, "containerID")));
        }
        (void)json_object_set_new(st, "started", json_boolean(started));
        if (json_array_size(json_object_get(container, "volumeMounts")) > 0)
                (void)json_object_set_new(st, "volumeMounts", volume_mounts(container));
        return st;
}

static json_t *container_statuses(const struct builder *b, enum kl_agent__ctr_kind kind)
{
        const char *key =
                kind == KL_AGENT__CTR_INIT ? "initContainerStatuses" : "containerStatuses";
        const json_t *list = json_object_get(b->spec, kind == KL_AGENT__CTR_INIT ? "initContainers"
                                                                                 : "containers");
        const json_t *c;
        json_t *out = json_array();
        size_t i;

        json_array_foreach(list, i, c)
                (void)json_array_append_new(
                        out, container_status(b, kind, c, json_object_get(b->old, key)));
        return out;
}

/* ------------------------------------------------------------------------- */
/* Phase */

static bool has_state(const json_t *cs, const char *which)
{
        return json_object_get(json_object_get(cs, "state"), which) != NULL;
}

static json_int_t exit_code(const json_t *cs, const char *state)
{
        return json_integer_value(json_object_get(
                json_object_get(json_object_get(cs, state), "terminated"), "exitCode"));
}

static bool last_terminated(const json_t *cs)
{
        return json_object_get(json_object_get(cs, "lastState"), "terminated") != NULL;
}

/* Upstream's HasAnyRegularContainerStarted. */
static bool app_started(const json_t *statuses)
{
        const json_t *cs;
        size_t i;

        json_array_foreach(statuses, i, cs)
                if (has_state(cs, "running") || has_state(cs, "terminated"))
                        return true;
        return false;
}

/* Upstream's getPhase (v1.32, before ContainerRestartRules). */
static const char *get_phase(const struct builder *b, const json_t *inits, const json_t *apps,
                             bool terminal)
{
        unsigned pending_regular = 0, pending_sidecar = 0, failed_init = 0;
        unsigned unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(b->spec, "initContainers"), i, c) {
                const json_t *cs = find_named(inits, "name", jstr(c, "name"));

                if (!cs) {
                        if (is_sidecar(c)) {
                                pending_sidecar++;
                                unknown++;
                        } else {
                                pending_regular++;
                        }
                        continue;
                }
                if (is_sidecar(c)) {
                        if (has_state(cs, "running")) {
                                if (!json_is_true(json_object_get(cs, "started")))
                                        pending_sidecar++;
                                running++;
                        } else if (has_state(cs, "waiting") && !last_terminated(cs)) {
                                pending_sidecar++;
                                waiting++;
                        }
                        continue;
                }
                if (has_state(cs, "terminated"))
                        failed_init += exit_code(cs, "state") != 0;
                else if (!has_state(cs, "running") && last_terminated(cs))
                        failed_init += exit_code(cs, "lastState") != 0;
                else /* running, or waiting for its first run */
                        pending_regular++;
        }
        json_array_foreach(apps, i, c) {
                if (has_state(c, "running")) {
                        running++;
                } else if (has_state(c, "terminated")) {
                        stopped++;
                        succeeded += exit_code(c, "state") == 0;
                } else if (has_state(c, "waiting")) {
                        if (last_terminated(c))
                                stopped++;
                        else
                                waiting++;
                } else {
                        unknown++;
                }
        }

        if (failed_init > 0 && kl_streq(b->policy, "Never"))
                return "Failed";
        if (pending_regular > 0 || (pending_sidecar > 0 && !app_started(apps)) || waiting > 0)
                return "Pending";
        if (running > 0 && unknown == 0)
                return "Running";
        if (running == 0 && stopped > 0 && unknown == 0) {
                if (terminal)
                        return stopped == succeeded ? "Succeeded" : "Failed";
                if (kl_streq(b->policy, "Always"))
                        return "Running";
                if (stopped == succeeded)
                        return "Succeeded";
                if (kl_streq(b->policy, "Never"))
                        return "Failed";
                return "Running";
        }
        return "Pending";
}

/* ------------------------------------------------------------------------- */
/* The end of a pod (the status manager's TerminatePod) */

static bool exited_zero(const json_t *cs, const char *state)
{
        const json_t *t = json_object_get(json_object_get(cs, state), "terminated");

        return t && json_integer_value(json_object_get(t, "exitCode")) == 0;
}

/* Upstream's hasPodInitialized: evidence that the app containers were to run. */
static bool pod_was_initialized(const struct builder *b, const json_t *inits, const json_t *apps)
{
        const json_t *spec_inits = json_object_get(b->spec, "initContainers");
        size_t n = json_array_size(spec_inits);
        const json_t *cs, *last;
        size_t i;

        if (n == 0)
                return true;
        json_array_foreach(apps, i, cs)
                if (last_terminated(cs) || !has_state(cs, "waiting"))
                        return true;
        last = json_array_get(inits, n - 1);
        if (is_sidecar(json_array_get(spec_inits, n - 1)))
                return has_state(last, "running") && json_is_true(json_object_get(last, "started"));
        return exited_zero(last, "lastState") || exited_zero(last, "state");
}

/*
 * Once nothing runs any more, no container is left waiting for a start that
 * will not come: the app containers (once the pod was initialised) and the
 * init containers up to the last one that was tried are reported as
 * terminated with an unknown status, and a phase that is not terminal yet
 * becomes Failed.
 */
static const char *terminate_pod(const struct builder *b, json_t *inits, json_t *apps,
                                 const char *phase)
{
        static const char msg[] = "The container could not be located when the pod was terminated";
        size_t tried = 0;
        json_t *cs;
        size_t i;

        if (pod_was_initialized(b, inits, apps))
                json_array_foreach(apps, i, cs)
                        if (!has_state(cs, "terminated"))
                                (void)json_object_set_new(cs, "state", unknown_terminated(msg));
        json_array_foreach(inits, i, cs)
                if (!has_state(cs, "waiting") || last_terminated(cs))
                        tried = i + 1;
        if (tried == 0 && json_array_size(inits) > 0)
                tried = 1;
        for (i = 0; i < tried; i++) {
                cs = json_array_get(inits, i);
                if (!has_state(cs, "terminated"))
                        (void)json_object_set_new(cs, "state", unknown_terminated(msg));
        }
        if (kl_streq(phase, "Pending") || kl_streq(phase, "Running"))
                return "Failed";
        return phase;
}

/* ------------------------------------------------------------------------- */
/* Conditions */

static bool kubelet_condition(const char *type)
{
        static const char *const owned[] = { "PodScheduled", "Ready", "Initialized",
                                             "ContainersReady", "PodReadyToStartContainers" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(owned); i++)
                if (kl_streq_null(type, owned[i]))
                        return true;
        return false;
}

/* A condition with the status manager's lastTransitionTime: kept while the status holds. */
static json_t *condition(const struct builder *b, const char *type, bool status, const char *reason,
                         const char *message)
{
        const json_t *old = find_named(json_object_get(b->old, "conditions"), "type", type);
        const char *s = status ? "True" : "False";
        json_t *c = json_object();

        (void)json_object_set_new(c, "type", json_string(type));
        (void)json_object_set_new(c, "status", json_string(s));
        (void)json_object_set_new(c, "lastProbeTime", json_null());
        if (old && kl_streq_null(jstr(old, "status"), s) &&
            json_object_get(old, "lastTransitionTime"))
                (void)json_object_set_new(
                        c, "lastTransitionTime",
                        json_deep_copy(json_object_get(old, "lastTransitionTime")));
        else
                (void)json_object_set_new(c, "lastTransitionTime", time_json(b->now));
        if (!kl_isempty(reason))
                (void)json_object_set_new(c, "reason", json_string(reason));
        if (!kl_isempty(message))
                (void)json_object_set_new(c, "message", json_string(message));
        return c;
}

/* "[a b]": a Go []string formatted with %s. */
static void name_list(struct kl_buf *out, const char *prefix, char **names)
{
        if (!names)
                return;
        if (out->len > 0)
                (void)kl_buf_printf(out, ", ");
        (void)kl_buf_printf(out, "%s [", prefix);
        for (size_t i = 0; names[i]; i++)
                (void)kl_buf_printf(out, "%s%s", i ? " " : "", names[i]);
        (void)kl_buf_printf(out, "]");
}

static json_t *initialized_condition(const struct builder *b, const json_t *inits,
                                     const json_t *apps, const char *phase)
{
        kl_autostrv char **unknown = NULL, **incomplete = NULL;
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(b->spec, "initContainers"), i, c) {
                const json_t *cs = find_named(inits, "name", jstr(c, "name"));

                if (!cs)
                        kl_strv_push(&unknown, jstr(c, "name"));
                else if (is_sidecar(c) ? !json_is_true(json_object_get(cs, "started"))
                                       : !json_is_true(json_object_get(cs, "ready")))
                        kl_strv_push(&incomplete, jstr(c, "name"));
        }
        if (kl_streq(phase, "Succeeded") && !unknown)
                return condition(b, "Initialized", true, "PodCompleted", NULL);
        if (app_started(apps))
                return condition(b, "Initialized", true, NULL, NULL);
        name_list(&msg, "containers with unknown status:", unknown);
        name_list(&msg, "containers with incomplete status:", incomplete);
        if (msg.len > 0)
                return condition(b, "Initialized", false, "ContainersNotInitialized", msg.buf);
        return condition(b, "Initialized", true, NULL, NULL);
}

/* GenerateContainersReadyCondition, as status/reason/message. */
static void containers_ready(const struct builder *b, const json_t *inits, const json_t *apps,
                             const char *phase, bool *ret_ok, const char **ret_reason,
                             char **ret_message)
{
        kl_autostrv char **unknown = NULL, **unready = NULL;
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        const json_t *c;
        size_t i;

        *ret_message = NULL;
        json_array_foreach(json_object_get(b->spec, "initContainers"), i, c) {
                const json_t *cs;

                if (!is_sidecar(c))
                        continue;
                cs = find_named(inits, "name", jstr(c, "name"));
                if (!cs)
                        kl_strv_push(&unknown, jstr(c, "name"));
                else if (!json_is_true(json_object_get(cs, "ready")))
                        kl_strv_push(&unready, jstr(c, "name"));
        }
        json_array_foreach(json_object_get(b->spec, "containers"), i, c) {
                const json_t *cs = find_named(apps, "name", jstr(c, "name"));

                if (!cs)
                        kl_strv_push(&unknown, jstr(c, "name"));
                else if (!json_is_true(json_object_get(cs, "ready")))
                        kl_strv_push(&unready, jstr(c, "name"));
        }
        *ret_ok = false;
        if (kl_streq(phase, "Succeeded") && !unknown) {
                *ret_reason = "PodCompleted";
                return;
        }
        if (kl_streq(phase, "Failed")) {
                *ret_reason = "PodFailed";
                return;
        }
        name_list(&msg, "containers with unknown status:", unknown);
        name_list(&msg, "containers with unready status:", unready);
        if (msg.len > 0) {
                *ret_reason = "ContainersNotReady";
                *ret_message = kl_buf_detach(&msg, NULL);
                return;
        }
        *ret_ok = true;
        *ret_reason = NULL;
}

static json_t *ready_condition(const struct builder *b, const json_t *conditions, bool ok,
                               const char *reason, const char *message)
{
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        const json_t *gate;
        size_t i;

        if (!ok)
                return condition(b, "Ready", false, reason, message);
        json_array_foreach(json_object_get(b->spec, "readinessGates"), i, gate) {
                const char *type = jstr(gate, "conditionType") ? jstr(gate, "conditionType") : "";
                const json_t *c = find_named(conditions, "type", type);
                const char *sep = msg.len > 0 ? ", " : "";

                if (!c)
                        (void)kl_buf_printf(&msg,
                                            "%scorresponding condition of pod readiness gate "
                                            "\"%s\" does not exist.",
                                            sep, type);
                else if (!kl_streq_null(jstr(c, "status"), "True"))
                        (void)kl_buf_printf(&msg,
                                            "%sthe status of pod readiness gate \"%s\" is not "
                                            "\"True\", but %s",
                                            sep, type, jstr(c, "status") ? jstr(c, "status") : "");
        }
        if (msg.len > 0)
                return condition(b, "Ready", false, "ReadinessGatesNotReady", msg.buf);
        return condition(b, "Ready", true, NULL, NULL);
}

static json_t *conditions(const struct builder *b, const json_t *inits, const json_t *apps,
                          const char *phase)
{
        json_t *out = json_array();
        const json_t *c;
        kl_autofree char *cr_message = NULL;
        const char *cr_reason = NULL;
        bool cr_ok = false;
        size_t i;

        json_array_foreach(json_object_get(b->old, "conditions"), i, c)
                if (!kubelet_condition(jstr(c, "type")))
                        (void)json_array_append_new(out, json_deep_copy(c));
        (void)json_array_append_new(
                out, condition(b, "PodReadyToStartContainers", b->o->sandbox, NULL, NULL));
        (void)json_array_append_new(out, initialized_condition(b, inits, apps, phase));
        containers_ready(b, inits, apps, phase, &cr_ok, &cr_reason, &cr_message);
        (void)json_array_append_new(out, ready_condition(b, out, cr_ok, cr_reason, cr_message));
        (void)json_array_append_new(out,
                                    condition(b, "ContainersReady", cr_ok, cr_reason, cr_message));
        /* PodScheduled is the scheduler's; the kubelet writes it True, keeping its time. */
        (void)json_array_append_new(out, condition(b, "PodScheduled", true, NULL, NULL));
        return out;
}

/* ------------------------------------------------------------------------- */
/* QoS */

struct qos_sum {
        struct kl_quantity cpu, memory;
        bool has_cpu, has_memory;
};

static void qos_add(struct qos_sum *sum, const json_t *list, bool *ret_cpu, bool *ret_memory)
{
        static const char *const names[] = { "cpu", "memory" };

        *ret_cpu = *ret_memory = false;
        for (size_t k = 0; k < KL_ARRAY_SIZE(names); k++) {
                struct kl_quantity q, *acc = k == 0 ? &sum->cpu : &sum->memory;
                bool *has = k == 0 ? &sum->has_cpu : &sum->has_memory;
                json_t *v = json_object_get(list, names[k]);

                if (!v)
                        continue;
                if (kl_json_get_quantity(list, names[k], &q, NULL) < 0 || kl_quantity_sign(&q) <= 0)
                        continue;
                if (*has)
                        (void)kl_quantity_add(acc, &q, acc, NULL);
                else
                        *acc = q;
                *has = true;
                *(k == 0 ? ret_cpu : ret_memory) = true;
        }
}

const char *kl_agent__pod_qos(const json_t *pod)
{
        const json_t *spec = json_object_get(pod, "spec");
        const char *keys[] = { "containers", "initContainers" };
        struct qos_sum req = { 0 }, lim = { 0 };
        bool guaranteed = true;

        for (size_t k = 0; k < KL_ARRAY_SIZE(keys); k++) {
                const json_t *c;
                size_t i;

                json_array_foreach(json_object_get(spec, keys[k]), i, c) {
                        const json_t *res = json_object_get(c, "resources");
                        bool cpu, memory;

                        qos_add(&req, json_object_get(res, "requests"), &cpu, &memory);
                        qos_add(&lim, json_object_get(res, "limits"), &cpu, &memory);
                        if (!cpu || !memory)
                                guaranteed = false;
                }
        }
        if (!req.has_cpu && !req.has_memory && !lim.has_cpu && !lim.has_memory)
                return "BestEffort";
        if (guaranteed) {
                if (req.has_cpu && (!lim.has_cpu || kl_quantity_cmp(&req.cpu, &lim.cpu) != 0))
                        guaranteed = false;
                if (req.has_memory &&
                    (!lim.has_memory || kl_quantity_cmp(&req.memory, &lim.memory) != 0))
                        guaranteed = false;
        }
        if (guaranteed && req.has_cpu == lim.has_cpu && req.has_memory == lim.has_memory)
                return "Guaranteed";
        return "Burstable";
}

/* ------------------------------------------------------------------------- */

bool kl_agent__status_equal(const json_t *a, const json_t *b)
{
        if (!a || !b)
                return a == b;
        return json_equal((json_t *)a, (json_t *)b);
}

static bool anything_live(const struct kl_agent__pod_obs *o)
{
        for (size_t i = 0; i < o->n_ctrs; i++)
                if (o->ctrs[i].status != KL_CTR_STOPPED)
                        return true;
        return false;
}

static void set_ips(json_t *s, const char *key, const char *list_key, const char *const *ips)
{
        json_t *arr = json_array();

        for (size_t i = 0; ips[i]; i++)
                (void)json_array_append_new(arr, json_pack("{s:s}", "ip", ips[i]));
        (void)json_object_set_new(s, key, json_string(ips[0]));
        (void)json_object_set_new(s, list_key, arr);
}

json_t *kl_agent__pod_status(const struct kl_agent__pod_obs *o,
                             const struct kl_agent__status_ctx *ctx, int64_t now_usec)
{
        struct kl_agent__plan own = { 0 };
        const json_t *old = json_object_get(o->pod, "status");
        const char *old_phase = jstr(old, "phase");
        struct builder b = {
                .o = o,
                .plan = ctx ? ctx->plan : NULL,
                .pod = o->pod,
                .spec = json_object_get(o->pod, "spec"),
                .old = old,
                .deleted = json_object_get(json_object_get(o->pod, "metadata"),
                                           "deletionTimestamp") != NULL,
                .now = now_usec,
        };
        json_t *s = json_is_object(old) ? json_deep_copy(old) : json_object();
        json_t *inits, *apps;
        const char *phase;
        bool terminal;

        b.policy = jstr(b.spec, "restartPolicy") ? jstr(b.spec, "restartPolicy") : "Always";
        if (!b.plan) {
                kl_agent__pod_plan(o, NULL, now_usec, &own);
                b.plan = &own;
        }
        terminal = b.plan->kill_pod && !anything_live(o);

        if (ctx && ctx->pod_ips && ctx->pod_ips[0])
                set_ips(s, "podIP", "podIPs", ctx->pod_ips);
        if (ctx && ctx->host_ip) {
                const char *host[] = { ctx->host_ip, NULL };

                set_ips(s, "hostIP", "hostIPs", host);
        }
        if (!jstr(old, "qosClass"))
                (void)json_object_set_new(s, "qosClass", json_string(kl_agent__pod_qos(o->pod)));
        if (!jstr(old, "startTime"))
                (void)json_object_set_new(s, "startTime", time_json(now_usec));

        inits = container_statuses(&b, KL_AGENT__CTR_INIT);
        apps = container_statuses(&b, KL_AGENT__CTR_APP);
        phase = get_phase(&b, inits, apps, terminal);
        if (b.plan->reason) {
                /* The pod worker's eviction (activeDeadlineSeconds): Failed, with why. */
                phase = "Failed";
                (void)json_object_set_new(s, "reason", json_string(b.plan->reason));
                (void)json_object_set_new(s, "message",
                                          json_string(b.plan->message ? b.plan->message : ""));
        }
        if (kl_streq_null(old_phase, "Succeeded") || kl_streq_null(old_phase, "Failed"))
                phase = old_phase;
        if (terminal)
                phase = terminate_pod(&b, inits, apps, phase);
        if (!b.plan->reason && !kl_streq_null(phase, old_phase)) {
                (void)json_object_del(s, "reason");
                (void)json_object_del(s, "message");
        }
        (void)json_object_set_new(s, "phase", json_string(phase));
        (void)json_object_set_new(s, "conditions", conditions(&b, inits, apps, phase));
        if (json_array_size(inits) > 0)
                (void)json_object_set_new(s, "initContainerStatuses", inits);
        else {
                json_decref(inits);
                (void)json_object_del(s, "initContainerStatuses");
        }
        (void)json_object_set_new(s, "containerStatuses", apps);
        kl_agent__plan_release(&own);
        return s;
}
