/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod planner: what the pod worker does next for one pod, from its spec
 * and what the runtime has. Upstream's kuberuntime computePodActions (with
 * computeInitContainerActions for sidecars, and doBackOff) plus the pod
 * worker's termination path (deletion, terminal pods, activeDeadlineSeconds).
 * Pure: no I/O, `now` comes from the caller. The plan is owned by the
 * caller (kl_agent__plan_release()); the observation is borrowed.
 *
 * The worker runs a plan in this order: kill, create the sandbox, start.
 * README.md ("The pod worker: rules") lists the rules and where kube-lite
 * differs from upstream.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/pod-internal.h"
#include "base/duration.h"
#include "client/client.h" /* before pod-internal.h, which names struct kl_client */

#define BACKOFF_BASE      (10 * KL_USEC_PER_SEC)
#define BACKOFF_MAX       (300 * KL_USEC_PER_SEC)
#define DEFAULT_GRACE_SEC 30
/* Upstream's killContainer never gives less (minimumGracePeriodInSeconds). */
#define MIN_KILL_GRACE_SEC 2

struct planner {
        const struct kl_agent__pod_obs *o; /* borrowed */
        const json_t *pod, *spec;          /* borrowed from o */
        const char *policy;                /* "Always", "OnFailure", "Never" */
        int64_t now;
        kl_usec_t backoff_max;
        bool purge_init;          /* a new sandbox: the old one's init containers go */
        struct kl_agent__plan *p; /* borrowed: the plan being built */
        /* Spec indexes to start, per kind, collected before the back-off check. */
        size_t *init_starts, n_init_starts;
        size_t *app_starts, n_app_starts;
};

/* ------------------------------------------------------------------------- */
/* Small helpers */

static const char *jstr(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static bool jint(const json_t *o, const char *key, int64_t *ret)
{
        json_t *v = json_object_get(o, key);

        if (!json_is_integer(v))
                return false;
        *ret = json_integer_value(v);
        return true;
}

static const json_t *spec_list(const json_t *spec, enum kl_agent__ctr_kind kind)
{
        return json_object_get(spec, kind == KL_AGENT__CTR_INIT ? "initContainers" : "containers");
}

static bool is_sidecar(const json_t *container)
{
        return kl_streq_null(jstr(container, "restartPolicy"), "Always");
}

/* Alive as far as a second copy must not be started: not (known to be) stopped. */
static bool is_live(const struct kl_agent__ctr *c)
{
        return c && c->status != KL_CTR_STOPPED;
}

static bool is_running(const struct kl_agent__ctr *c)
{
        return c && c->status == KL_CTR_RUNNING;
}

static bool is_exited(const struct kl_agent__ctr *c)
{
        return c && c->status == KL_CTR_STOPPED;
}

/* Upstream's isInitContainerFailed. */
static bool init_failed(const struct kl_agent__ctr *c)
{
        return c &&
               ((c->status == KL_CTR_STOPPED && c->exit_code != 0) || c->status == KL_CTR_UNKNOWN);
}

static const struct kl_agent__ctr_info *info_of(const struct planner *pl,
                                                enum kl_agent__ctr_kind kind, const char *name)
{
        /* A container the worker has no record of: no probes, no failures. */
        static const struct kl_agent__ctr_info none = { .started = true, .ready = true };
        const struct kl_agent__ctr_info *i = kl_agent__obs_info(pl->o, kind, name);

        return i ? i : &none;
}

/* The newest attempt of `name` that has exited: upstream's doBackOff reference. */
static const struct kl_agent__ctr *newest_exited(const struct kl_agent__pod_obs *o,
                                                 enum kl_agent__ctr_kind kind, const char *name)
{
        const struct kl_agent__ctr *best = NULL;

        for (size_t i = 0; i < o->n_ctrs; i++) {
                const struct kl_agent__ctr *c = &o->ctrs[i];

                if (c->kind != kind || !kl_streq_null(c->name, name) || !is_exited(c))
                        continue;
                if (!best || c->attempt > best->attempt ||
                    (c->attempt == best->attempt && c->created_usec > best->created_usec))
                        best = c;
        }
        return best;
}

static int64_t spec_grace(const json_t *spec)
{
        int64_t g = DEFAULT_GRACE_SEC;

        (void)jint(spec, "terminationGracePeriodSeconds", &g);
        return g;
}

/* Upstream's setTerminationGracePeriod and minimum, for kills of a running pod. */
static int64_t kill_grace(const struct planner *pl, const json_t *container, const char *probe)
{
        int64_t g = spec_grace(pl->spec), v;

        if (probe && jint(json_object_get(container, probe), "terminationGracePeriodSeconds", &v))
                g = v;
        return KL_MAX(g, MIN_KILL_GRACE_SEC);
}

static void add_kill(struct planner *pl, const struct kl_agent__ctr *c, char *message,
                     int64_t grace_sec)
{
        struct kl_agent__plan *p = pl->p;

        for (size_t i = 0; i < p->n_kill; i++)
                if (kl_streq(p->kill[i].id, c->id)) {
                        free(message);
                        return;
                }
        p->kill = kl_realloc(p->kill, (p->n_kill + 1) * sizeof(*p->kill));
        p->kill[p->n_kill++] = (struct kl_agent__kill){
                .id = kl_strdup(c->id),
                .name = kl_strdup(c->name),
                .kind = c->kind,
                .message = message ? message : kl_asprintf("Stopping container %s", c->name),
                .grace_sec = grace_sec,
        };
}

static void push_index(size_t **v, size_t *n, size_t idx)
{
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i] == idx)
                        return;
        *v = kl_realloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = idx;
}

static int cmp_size(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;

        return x < y ? -1 : x > y;
}

static void wake_at(struct kl_agent__plan *p, int64_t t)
{
        if (p->wake_usec == 0 || t < p->wake_usec)
                p->wake_usec = t;
}

/* ------------------------------------------------------------------------- */
/* Starting, through the back-off */

static bool is_pull_failure(const char *reason)
{
        return kl_streq_null(reason, "ErrImagePull") || kl_streq_null(reason, "ImagePullBackOff");
}

/*
 * Upstream's doBackOff: a container that exited before restarts only once
 * its back-off has passed since it finished (IsInBackOffSince); a start that
 * failed before a container ran (an image pull, a config error) is retried
 * once the back-off has passed since it was last raised
 * (IsInBackOffSinceUpdate, as the image puller does).
 */
static const char *meta_str(const struct planner *pl, const char *key)
{
        const char *v = jstr(json_object_get(pl->pod, "metadata"), key);

        return v ? v : "";
}

static void plan_start(struct planner *pl, enum kl_agent__ctr_kind kind, const json_t *container)
{
        struct kl_agent__plan *p = pl->p;
        const char *name = jstr(container, "name") ? jstr(container, "name") : "";
        const struct kl_agent__ctr_info *info = info_of(pl, kind, name);
        const struct kl_agent__ctr *latest = kl_agent__obs_latest(pl->o, kind, name);
        const struct kl_agent__ctr *ref = newest_exited(pl->o, kind, name);
        bool restart = false, wait = false;
        int64_t end = 0;

        if (info->waiting_reason) {
                restart = ref != NULL;
                end = info->backoff_updated_usec + (int64_t)info->backoff;
                wait = info->backoff > 0 && pl->now < end;
        } else if (ref) {
                restart = true;
                end = ref->finished_usec + (int64_t)info->backoff;
                wait = info->backoff > 0 &&
                       ref->finished_usec - info->backoff_updated_usec <=
                               (int64_t)(2 * pl->backoff_max) &&
                       pl->now < end;
        }

        if (wait) {
                char d[KL_DURATION_STRING_MAX];
                char *msg;

                if (is_pull_failure(info->waiting_reason))
                        msg = kl_asprintf("Back-off pulling image \"%s\"",
                                          jstr(container, "image") ? jstr(container, "image") : "");
                else
                        msg = kl_asprintf(
                                "back-off %s restarting failed container=%s pod=%s_%s(%s)",
                                kl_duration_format((int64_t)info->backoff, d, sizeof(d)), name,
                                meta_str(pl, "name"), meta_str(pl, "namespace"),
                                meta_str(pl, "uid"));
                p->waiting = kl_realloc(p->waiting, (p->n_waiting + 1) * sizeof(*p->waiting));
                p->waiting[p->n_waiting++] = (struct kl_agent__backoff_wait){
                        .name = kl_strdup(name),
                        .kind = kind,
                        .message = msg,
                };
                wake_at(p, end);
                return;
        }
        p->start = kl_realloc(p->start, (p->n_start + 1) * sizeof(*p->start));
        p->start[p->n_start++] = (struct kl_agent__start){
                .name = kl_strdup(name),
                .kind = kind,
                .attempt = latest ? latest->attempt + 1 : 0,
                .restart = restart,
        };
}

static void flush_starts(struct planner *pl)
{
        const json_t *inits = spec_list(pl->spec, KL_AGENT__CTR_INIT);
        const json_t *apps = spec_list(pl->spec, KL_AGENT__CTR_APP);

        if (pl->n_init_starts > 1)
                qsort(pl->init_starts, pl->n_init_starts, sizeof(size_t), cmp_size);
        for (size_t i = 0; i < pl->n_init_starts; i++)
                plan_start(pl, KL_AGENT__CTR_INIT, json_array_get(inits, pl->init_starts[i]));
        for (size_t i = 0; i < pl->n_app_starts; i++)
                plan_start(pl, KL_AGENT__CTR_APP, json_array_get(apps, pl->app_starts[i]));
}

/* ------------------------------------------------------------------------- */
/* A pod that runs */

/* Upstream's ShouldContainerBeRestarted, for a pod that is not being deleted. */
static bool should_restart(const struct planner *pl, const struct kl_agent__ctr *c,
                           const struct kl_agent__ctr_info *info)
{
        if (!c)
                return true;
        if (c->status == KL_CTR_RUNNING)
                return false;
        if (c->status == KL_CTR_UNKNOWN || c->status == KL_CTR_CREATED)
                return true;
        if (kl_streq(pl->policy, "Never"))
                return false;
        /* Killed for a failed probe: restarted whatever its exit code (see plan_apps). */
        if (info->liveness_failed || info->startup_failed)
                return true;
        if (kl_streq(pl->policy, "OnFailure") && c->exit_code == 0)
                return false;
        return true;
}

static bool any_app_created(const struct planner *pl, bool running_only)
{
        const json_t *c;
        size_t i;

        json_array_foreach(spec_list(pl->spec, KL_AGENT__CTR_APP), i, c) {
                const struct kl_agent__ctr *s =
                        kl_agent__obs_latest(pl->o, KL_AGENT__CTR_APP, jstr(c, "name"));

                if (!s || s->status == KL_CTR_UNKNOWN)
                        continue;
                if (!running_only || s->status != KL_CTR_STOPPED)
                        return true;
        }
        return false;
}

/*
 * No sandbox: upstream kills whatever still runs and starts over from the
 * first init container. Returns true when the pod is over instead (Never
 * and a sandbox that went away after containers ran; or initialised with
 * nothing left to start).
 */
static bool plan_no_sandbox(struct planner *pl)
{
        const json_t *apps = spec_list(pl->spec, KL_AGENT__CTR_APP);
        const json_t *inits = spec_list(pl->spec, KL_AGENT__CTR_INIT);
        const json_t *c;
        size_t i;

        if (kl_streq(pl->policy, "Never") && pl->o->n_ctrs > 0)
                return true;
        json_array_foreach(apps, i, c) {
                const struct kl_agent__ctr *s =
                        kl_agent__obs_latest(pl->o, KL_AGENT__CTR_APP, jstr(c, "name"));

                if (kl_streq(pl->policy, "OnFailure") && is_exited(s) && s->exit_code == 0)
                        continue;
                push_index(&pl->app_starts, &pl->n_app_starts, i);
        }
        if (any_app_created(pl, false) && pl->n_app_starts == 0)
                return true;

        for (size_t k = 0; k < pl->o->n_ctrs; k++)
                if (is_live(&pl->o->ctrs[k]))
                        add_kill(pl, &pl->o->ctrs[k], NULL, kill_grace(pl, NULL, NULL));
        pl->p->create_sandbox = true;
        pl->purge_init = true;
        if (json_array_size(inits) > 0) {
                pl->n_app_starts = 0;
                push_index(&pl->init_starts, &pl->n_init_starts, 0);
        }
        return false;
}

/*
 * A sidecar that runs: once started it lets the next init container start
 * (the first time round); a changed spec or a failed probe restarts it.
 * Returns true when it is the last init container and has started.
 */
static bool plan_running_sidecar(struct planner *pl, const json_t *c, size_t i,
                                 const struct kl_agent__ctr *s,
                                 const struct kl_agent__ctr_info *info, bool previously)
{
        const char *name = jstr(c, "name");
        kl_autofree char *hash = NULL;
        bool last = i == json_array_size(spec_list(pl->spec, KL_AGENT__CTR_INIT)) - 1;

        /* A sidecar killed for a failed probe starts again once it has exited. */
        if (info->startup_failed) {
                add_kill(pl, s, kl_asprintf("Init container %s failed startup probe", name),
                         kill_grace(pl, c, "startupProbe"));
                return false;
        }
        if (!info->started)
                return false; /* wait for its startup probe */
        if (!last && !previously)
                push_index(&pl->init_starts, &pl->n_init_starts, i + 1);
        hash = kl_agent__ctr_hash(c);
        if (!kl_streq_null(hash, s->hash)) {
                add_kill(pl, s, kl_asprintf("Init container %s definition changed", name),
                         kill_grace(pl, c, NULL));
                push_index(&pl->init_starts, &pl->n_init_starts, i);
        } else if (info->liveness_failed) {
                add_kill(pl, s, kl_asprintf("Init container %s failed liveness probe", name),
                         kill_grace(pl, c, "livenessProbe"));
        }
        return last;
}

/*
 * Upstream's computeInitContainerActions. Returns 1 when initialisation is
 * done, 0 while it is in progress, -1 when it failed for good (a regular
 * init container failed under restartPolicy Never).
 */
static int plan_init(struct planner *pl)
{
        const json_t *inits = spec_list(pl->spec, KL_AGENT__CTR_INIT);
        size_t n = json_array_size(inits);
        bool initialized, previously;

        if (n == 0)
                return 1;
        /* An app container created or running: init ran before (its containers may be gone). */
        initialized = any_app_created(pl, true);
        previously = initialized;

        for (size_t i = n; i-- > 0;) {
                const json_t *c = json_array_get(inits, i);
                const char *name = jstr(c, "name");
                const struct kl_agent__ctr *s =
                        kl_agent__obs_latest(pl->o, KL_AGENT__CTR_INIT, name);
                const struct kl_agent__ctr_info *info = info_of(pl, KL_AGENT__CTR_INIT, name);
                bool sidecar = is_sidecar(c);

                if (!s && !info->waiting_reason) {
                        if (previously && sidecar)
                                push_index(&pl->init_starts, &pl->n_init_starts, i);
                        continue;
                }
                if (previously && !sidecar)
                        continue;

                if (!s) {
                        /* Its start failed before a container existed: retry it. */
                        push_index(&pl->init_starts, &pl->n_init_starts, i);
                } else if (s->status == KL_CTR_CREATED) {
                        add_kill(pl, s,
                                 kl_asprintf(
                                         "Init container is in \"created\" state, try killing it"),
                                 kill_grace(pl, c, NULL));
                        push_index(&pl->init_starts, &pl->n_init_starts, i);
                } else if (s->status == KL_CTR_RUNNING) {
                        if (sidecar)
                                initialized |= plan_running_sidecar(pl, c, i, s, info, previously);
                } else if (s->status == KL_CTR_STOPPED) {
                        if (sidecar) {
                                push_index(&pl->init_starts, &pl->n_init_starts, i);
                        } else if (init_failed(s)) {
                                if (kl_streq(pl->policy, "Never"))
                                        return -1;
                                push_index(&pl->init_starts, &pl->n_init_starts, i);
                        } else if (i == n - 1) {
                                initialized = true;
                        } else {
                                push_index(&pl->init_starts, &pl->n_init_starts, i + 1);
                        }
                } else { /* unknown: the shim died; it may still run */
                        if (!sidecar && kl_streq(pl->policy, "Never"))
                                return -1;
                        add_kill(pl, s,
                                 kl_asprintf(
                                         "Init container is in \"unknown\" state, try killing it"),
                                 kill_grace(pl, c, NULL));
                        push_index(&pl->init_starts, &pl->n_init_starts, i);
                }
                /* Everything before the newest init container that ran has run. */
                previously = true;
        }
        if (!previously)
                push_index(&pl->init_starts, &pl->n_init_starts, 0);
        return initialized ? 1 : 0;
}

/*
 * The app containers, once init is done. Returns true when the pod has
 * finished.
 *
 * A container killed for a failed probe is started again only once it has
 * exited (the worker's kills are asynchronous: two attempts must not run at
 * once, holding the same ports and files); its info keeps the probe failure
 * until the next attempt starts, which is what should_restart() looks at.
 * Upstream kills synchronously and starts in the same sync. A container
 * whose spec changed is started in the same plan, as upstream: the intent
 * could not be told apart from an exit after the spec changed.
 */
static bool plan_apps(struct planner *pl)
{
        const json_t *c;
        size_t i, keep = 0, pending = 0;
        bool restart_policy = !kl_streq(pl->policy, "Never");

        json_array_foreach(spec_list(pl->spec, KL_AGENT__CTR_APP), i, c) {
                const char *name = jstr(c, "name");
                const struct kl_agent__ctr *s =
                        kl_agent__obs_latest(pl->o, KL_AGENT__CTR_APP, name);
                const struct kl_agent__ctr_info *info = info_of(pl, KL_AGENT__CTR_APP, name);
                kl_autofree char *hash = NULL;
                const char *what = NULL, *probe = NULL;
                bool restart = restart_policy;

                if (!is_running(s)) {
                        if (!should_restart(pl, s, info))
                                continue;
                        push_index(&pl->app_starts, &pl->n_app_starts, i);
                        if (s && (s->status == KL_CTR_UNKNOWN || s->status == KL_CTR_CREATED))
                                add_kill(
                                        pl, s,
                                        kl_asprintf(
                                                "Container is in \"%s\" state, try killing it before restart",
                                                s->status == KL_CTR_UNKNOWN ? "unknown"
                                                                            : "created"),
                                        kill_grace(pl, c, NULL));
                        continue;
                }
                hash = kl_agent__ctr_hash(c);
                if (!kl_streq_null(hash, s->hash)) {
                        what = "definition changed";
                        restart = true; /* whatever the policy: the spec changed */
                } else if (info->liveness_failed) {
                        what = "failed liveness probe";
                        probe = "livenessProbe";
                } else if (info->startup_failed) {
                        what = "failed startup probe";
                        probe = "startupProbe";
                } else {
                        keep++;
                        continue;
                }
                if (restart && probe)
                        pending++;
                else if (restart)
                        push_index(&pl->app_starts, &pl->n_app_starts, i);
                add_kill(pl, s,
                         kl_asprintf("Container %s %s%s", name, what,
                                     restart ? ", will be restarted" : ""),
                         kill_grace(pl, c, probe));
        }
        return keep == 0 && pending == 0 && pl->n_app_starts == 0;
}

/* ------------------------------------------------------------------------- */
/* A pod that is over */

/*
 * Kill what runs: app containers and regular init containers first (and
 * containers the spec no longer names); sidecars only once none of those
 * runs, the last one first (upstream's terminationOrdering: a sidecar
 * outlives every container started after it).
 */
static void plan_kill_pod(struct planner *pl, int64_t grace)
{
        const json_t *inits = spec_list(pl->spec, KL_AGENT__CTR_INIT);
        bool others = false;

        pl->p->kill_pod = true;
        for (size_t k = 0; k < pl->o->n_ctrs; k++) {
                const struct kl_agent__ctr *c = &pl->o->ctrs[k];
                const json_t *spec_c = NULL, *e;
                size_t i;

                if (!is_live(c))
                        continue;
                if (c->kind == KL_AGENT__CTR_INIT)
                        json_array_foreach(inits, i, e)
                                if (kl_streq_null(jstr(e, "name"), c->name))
                                        spec_c = e;
                if (spec_c && is_sidecar(spec_c))
                        continue;
                add_kill(pl, c, NULL, grace);
                others = true;
        }
        if (others)
                return;
        for (size_t i = json_array_size(inits); i-- > 0;) {
                const json_t *e = json_array_get(inits, i);
                bool found = false;

                if (!is_sidecar(e))
                        continue;
                for (size_t k = 0; k < pl->o->n_ctrs; k++) {
                        const struct kl_agent__ctr *c = &pl->o->ctrs[k];

                        if (c->kind == KL_AGENT__CTR_INIT && is_live(c) &&
                            kl_streq_null(c->name, jstr(e, "name"))) {
                                add_kill(pl, c, NULL, grace);
                                found = true;
                        }
                }
                if (found)
                        return;
        }
}

/*
 * Dead containers but the newest dead attempt of each name (kept for
 * lastState and `logs --previous`: upstream's container GC keeps one dead
 * container per name, MaxPerPodContainer; pruneInitContainersBeforeStart);
 * with a new sandbox, every dead init container (upstream's
 * purgeInitContainers: the new sandbox runs its init containers again, and
 * an old one that completed must not count).
 */
static bool to_remove(const struct planner *pl, const struct kl_agent__ctr *c)
{
        if (!is_exited(c))
                return false;
        if (pl->purge_init && c->kind == KL_AGENT__CTR_INIT)
                return true;
        for (size_t k = 0; k < pl->o->n_ctrs; k++) {
                const struct kl_agent__ctr *d = &pl->o->ctrs[k];

                if (d != c && d->kind == c->kind && kl_streq_null(d->name, c->name) &&
                    is_exited(d) && d->attempt > c->attempt)
                        return true;
        }
        return false;
}

static void plan_remove(struct planner *pl)
{
        struct kl_agent__plan *p = pl->p;
        size_t n = 0;

        for (size_t k = 0; k < pl->o->n_ctrs; k++)
                n += to_remove(pl, &pl->o->ctrs[k]);
        if (n == 0)
                return;
        p->remove = kl_calloc(n + 1, sizeof(char *));
        n = 0;
        for (size_t k = 0; k < pl->o->n_ctrs; k++)
                if (to_remove(pl, &pl->o->ctrs[k]))
                        p->remove[n++] = kl_strdup(pl->o->ctrs[k].id);
}

/*
 * An older attempt that still runs (its kill was asked for, its grace has
 * not run out) is listed again until it has stopped, so that the worker can
 * send SIGKILL when its grace ends: at most one attempt of a name runs.
 */
static void plan_kill_stale(struct planner *pl)
{
        for (size_t k = 0; k < pl->o->n_ctrs; k++) {
                const struct kl_agent__ctr *c = &pl->o->ctrs[k];

                if (is_live(c) && kl_agent__obs_latest(pl->o, c->kind, c->name) != c)
                        add_kill(pl, c, NULL, kill_grace(pl, NULL, NULL));
        }
}

/* ------------------------------------------------------------------------- */

void kl_agent__plan_release(struct kl_agent__plan *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_kill; i++) {
                free(p->kill[i].id);
                free(p->kill[i].name);
                free(p->kill[i].message);
        }
        free(p->kill);
        for (size_t i = 0; i < p->n_start; i++)
                free(p->start[i].name);
        free(p->start);
        kl_strv_free(p->remove);
        for (size_t i = 0; i < p->n_waiting; i++) {
                free(p->waiting[i].name);
                free(p->waiting[i].message);
        }
        free(p->waiting);
        free(p->reason);
        free(p->message);
        memset(p, 0, sizeof(*p));
}

/* The grace period of a pod being stopped (upstream's calculateEffectiveGracePeriod). */
static int64_t pod_grace(const struct planner *pl)
{
        int64_t g = spec_grace(pl->spec);

        if (json_object_get(json_object_get(pl->pod, "metadata"), "deletionTimestamp"))
                (void)jint(json_object_get(pl->pod, "metadata"), "deletionGracePeriodSeconds", &g);
        return KL_MAX(g, 1);
}

void kl_agent__pod_plan(const struct kl_agent__pod_obs *o, const struct kl_agent__backoff_opts *b,
                        int64_t now_usec, struct kl_agent__plan *ret)
{
        struct kl_agent__plan p = { 0 };
        struct planner pl = {
                .o = o,
                .pod = o->pod,
                .spec = json_object_get(o->pod, "spec"),
                .now = now_usec,
                .backoff_max = b && b->max ? b->max : BACKOFF_MAX,
                .p = &p,
        };
        const json_t *meta = json_object_get(o->pod, "metadata");
        const json_t *status = json_object_get(o->pod, "status");
        const char *phase = jstr(status, "phase");
        bool over = false;
        int64_t ads;

        pl.policy = jstr(pl.spec, "restartPolicy");
        if (!pl.policy)
                pl.policy = "Always";

        if (json_object_get(meta, "deletionTimestamp") || kl_streq_null(phase, "Succeeded") ||
            kl_streq_null(phase, "Failed"))
                over = true;
        if (!over && jint(pl.spec, "activeDeadlineSeconds", &ads) && ads > 0) {
                int64_t start;

                if (kl_rfc3339_parse(jstr(status, "startTime") ? jstr(status, "startTime") : "",
                                     &start) == 0) {
                        int64_t deadline = start + ads * (int64_t)KL_USEC_PER_SEC;

                        if (now_usec >= deadline) {
                                over = true;
                                p.reason = kl_strdup("DeadlineExceeded");
                                p.message = kl_strdup(
                                        "Pod was active on the node longer than the specified deadline");
                        } else {
                                wake_at(&p, deadline);
                        }
                }
        }

        if (!over) {
                if (!o->sandbox) {
                        over = plan_no_sandbox(&pl);
                } else {
                        int init = plan_init(&pl);

                        if (init < 0)
                                over = true;
                        else if (init > 0)
                                over = plan_apps(&pl);
                }
                if (!over) {
                        plan_kill_stale(&pl);
                        flush_starts(&pl);
                }
        }
        if (over) {
                /* Nothing starts again: drop what the running pod's rules planned. */
                char *reason = KL_TAKE_PTR(p.reason), *message = KL_TAKE_PTR(p.message);

                kl_agent__plan_release(&p);
                p.reason = reason;
                p.message = message;
                pl.purge_init = false;
                plan_kill_pod(&pl, pod_grace(&pl));
        }
        plan_remove(&pl);
        free(pl.init_starts);
        free(pl.app_starts);
        *ret = p;
}
