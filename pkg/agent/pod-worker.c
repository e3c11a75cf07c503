/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One pod worker, on the loop (pods.c has the whole story): its life, the
 * fetch of what the pod refers to, the hand-off of the work step to the pool
 * and the adoption of its outcome, the probers of the running containers,
 * the status written through pods/status and the API delete of a pod that
 * is gone from the node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/pods-internal.h"
#include "api/patch.h"
#include "loop/loop.h"

/* ------------------------------------------------------------------------- */
/* Workers (loop) */

static void worker_free(struct kl_agent__worker *w)
{
        json_decref(w->pod);
        json_decref(w->written);
        kl_strv_free(w->ids);
        for (size_t i = 0; i < w->n_info; i++) {
                for (int k = 0; k < 3; k++)
                        kl_agent__prober_stop(w->slots[i].p[k]);
                free(w->slots[i].ctr_id);
                free(w->slots[i].netns);
                kl_agent__ctr_info_release(&w->info[i]);
        }
        free(w->slots);
        free(w->info);
        for (size_t i = 0; i < w->n_terms; i++)
                free(w->terms[i].id);
        free(w->terms);
        kl_agent__pod_refs_release(&w->refs);
        free(w->uid);
        free(w);
}

static void worker_unref(struct kl_agent__worker *w)
{
        struct kl_agent__pods *m = w->m;

        kl_assert(w->refs_count > 0);
        if (--w->refs_count > 0)
                return;
        worker_free(w);
        kl_agent__pods_unref(m);
}

static void on_wake_closed(uv_handle_t *h)
{
        worker_unref(h->data);
}

void kl_agent__worker_forget(struct kl_agent__worker *w)
{
        if (w->forgotten)
                return;
        w->forgotten = true;
        kl_strmap_remove(&w->m->workers, w->uid);
        for (size_t i = 0; i < w->n_info; i++)
                for (int k = 0; k < 3; k++) {
                        kl_agent__prober_stop(w->slots[i].p[k]);
                        w->slots[i].p[k] = NULL;
                }
        if (w->wake_open) {
                w->wake_open = false;
                uv_close((uv_handle_t *)&w->wake, on_wake_closed);
        }
        worker_unref(w); /* the map's */
}

static void on_wake(uv_timer_t *t)
{
        kl_agent__worker_sync(t->data);
}

static void worker_arm(struct kl_agent__worker *w, int64_t at_usec)
{
        int64_t now = (int64_t)kl_now_realtime();
        uint64_t ms;

        if (!w->wake_open)
                return;
        ms = at_usec <= now ? 0 : (uint64_t)(at_usec - now + 999) / 1000;
        uv_timer_start(&w->wake, on_wake, ms, 0);
}

/* Build the per-container info from the spec (names never change in a pod). */
static void worker_init_info(struct kl_agent__worker *w)
{
        static const char *const lists[] = { "initContainers", "containers" };
        size_t n = 0;

        for (size_t l = 0; l < 2; l++)
                n += json_array_size(spec_get(w->pod, lists[l]));
        w->info = kl_calloc(n ? n : 1, sizeof(*w->info));
        w->slots = kl_calloc(n ? n : 1, sizeof(*w->slots));
        for (size_t l = 0; l < 2; l++) {
                size_t i;
                const json_t *c;

                json_array_foreach(spec_get(w->pod, lists[l]), i, c) {
                        struct kl_agent__ctr_info *info = &w->info[w->n_info];

                        info->name = kl_strdup(jstr(c, "name") ?: "");
                        info->kind = l == 0 ? KL_AGENT__CTR_INIT : KL_AGENT__CTR_APP;
                        info->started = !json_object_get(c, "startupProbe");
                        w->slots[w->n_info] =
                                (struct kl_agent__probe_slot){ .w = w, .info = w->n_info };
                        w->n_info++;
                }
        }
}

struct kl_agent__worker *kl_agent__worker_new(struct kl_agent__pods *m, const char *uid,
                                              const json_t *pod)
{
        struct kl_agent__worker *w = kl_new0(struct kl_agent__worker);

        w->m = m;
        w->uid = kl_strdup(uid);
        w->pod = json_incref((json_t *)pod);
        w->refs_count = 2; /* the map's and the timer's */
        m->refs++;
        kl_assert(uv_timer_init(m->loop, &w->wake) == 0);
        w->wake.data = w;
        w->wake_open = true;
        worker_init_info(w);
        {
                const json_t *ids = json_object_get(m->adopted, uid);
                size_t i;
                const json_t *id;

                json_array_foreach(ids, i, id)
                        kl_strv_push(&w->ids, json_string_value(id));
                json_object_del(m->adopted, uid);
        }
        kl_strmap_put(&m->workers, w->uid, w);
        return w;
}

static void info_copy(struct kl_agent__ctr_info *dst, const struct kl_agent__ctr_info *src)
{
        *dst = *src;
        dst->name = kl_strdup(src->name);
        dst->probe_message = src->probe_message ? kl_strdup(src->probe_message) : NULL;
        dst->waiting_reason = src->waiting_reason ? kl_strdup(src->waiting_reason) : NULL;
        dst->waiting_message = src->waiting_message ? kl_strdup(src->waiting_message) : NULL;
}

/* ---- probers ---- */

static void on_probe(void *arg, enum kl_agent__probe_kind kind, bool ok, const char *message);
static const char *const probe_fields[] = { "startupProbe", "livenessProbe", "readinessProbe" };
static void slot_stop(struct kl_agent__probe_slot *s)
{
        for (int k = 0; k < 3; k++) {
                kl_agent__prober_stop(s->p[k]);
                s->p[k] = NULL;
        }
        free(s->ctr_id);
        free(s->netns);
        s->ctr_id = NULL;
        s->netns = NULL;
}

/* Start the probers of a new running attempt `c` of the slot's container. */
static void slot_start(struct kl_agent__worker *w, struct kl_agent__probe_slot *s,
                       const struct kl_agent__ctr *c)
{
        const json_t *spec = kl_agent__spec_container(w->pod, c->kind, c->name);
        struct kl_agent__ctr_info *info = &w->info[s->info];
        bool has_startup = json_object_get(spec, "startupProbe") != NULL;

        slot_stop(s);
        s->ctr_id = kl_strdup(c->id);
        s->netns = spec_bool(w->pod, "hostNetwork")
                           ? NULL
                           : kl_ctr_sandbox_ns_path(w->m->rt, w->uid, KL_CTR_NS_NET);
        info->started = !has_startup;
        info->ready = !json_object_get(spec, "readinessProbe");
        info->liveness_failed = false;
        info->startup_failed = false;
        free(info->probe_message);
        info->probe_message = NULL;
        for (int k = 0; k < 3; k++) {
                const json_t *probe = json_object_get(spec, probe_fields[k]);
                struct kl_agent__probe_target t = { .rt = w->m->rt,
                                                    .ctr_id = s->ctr_id,
                                                    .netns = s->netns,
                                                    .pod_ip = NULL,
                                                    .container = spec };
                kl_autoerr struct kl_err *e = NULL;

                if (!probe)
                        continue;
                if (kl_agent__prober_start(w->m->loop, probe, (enum kl_agent__probe_kind)k, &t,
                                           k != KL_AGENT__PROBE_STARTUP && has_startup, on_probe, s,
                                           &s->p[k], &e) < 0)
                        kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "pod %s: %s of %s", w->uid,
                                   probe_fields[k], c->name);
        }
}

static void on_probe(void *arg, enum kl_agent__probe_kind kind, bool ok, const char *message)
{
        struct kl_agent__probe_slot *s = arg;
        struct kl_agent__worker *w = s->w;
        struct kl_agent__ctr_info *info = &w->info[s->info];

        if (!ok && message)
                kl_client_event(w->m->client, w->pod, "Warning", "Unhealthy", "%s probe failed: %s",
                                kl_agent__probe_kind_name(kind), message);
        switch (kind) {
        case KL_AGENT__PROBE_STARTUP:
                if (ok) {
                        info->started = true;
                        for (int k = 1; k < 3; k++)
                                if (s->p[k])
                                        kl_agent__prober_enable(s->p[k]);
                } else {
                        info->startup_failed = true;
                }
                break;
        case KL_AGENT__PROBE_LIVENESS:
                if (!ok)
                        info->liveness_failed = true;
                break;
        case KL_AGENT__PROBE_READINESS:
                info->ready = ok;
                break;
        }
        if (!ok) {
                free(info->probe_message);
                info->probe_message = message ? kl_strdup(message) : NULL;
        }
        kl_agent__worker_sync(w);
}

/* Match the probers to the containers the runtime runs now. */
static void worker_probers(struct kl_agent__worker *w, const struct kl_agent__ctr *ctrs, size_t n)
{
        struct kl_agent__pod_obs obs = { .pod = w->pod, .ctrs = ctrs, .n_ctrs = n };

        for (size_t i = 0; i < w->n_info; i++) {
                struct kl_agent__ctr_info *info = &w->info[i];
                struct kl_agent__probe_slot *s = &w->slots[i];
                const struct kl_agent__ctr *c = kl_agent__obs_latest(&obs, info->kind, info->name);
                bool running = c && c->status == KL_CTR_RUNNING;

                if (!running) {
                        if (s->ctr_id)
                                slot_stop(s);
                        info->ready = false;
                        continue;
                }
                if (!kl_streq_null(s->ctr_id, c->id))
                        slot_start(w, s, c);
        }
}

/* ---- status ---- */

static uint64_t resource_version(const json_t *obj)
{
        uint64_t rv = 0;
        const char *s = meta_str(obj, "resourceVersion");

        return s && kl_parse_uint64(s, &rv) == 0 ? rv : 0;
}

static void on_status_written(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_agent__worker *w = arg;

        w->status_busy = false;
        if (r >= 0) {
                w->written_rv = resource_version(obj);
        } else if (r != -ECANCELED && r != -ENOENT && !w->m->stopped) {
                kl_log(KL_LOG_WARN, KL_LOG_AGENT, "pod %s: status: %s", w->uid,
                       err ? err->msg : "failed");
                json_decref(w->written);
                w->written = NULL;
                worker_arm(w, (int64_t)kl_now_realtime() + (int64_t)KL_USEC_PER_SEC);
        }
        /* A newer status waited for this write: compute it again from fresh states. */
        if (w->status_again && !w->m->stopped && !w->forgotten) {
                w->status_again = false;
                kl_agent__worker_sync(w);
        }
        worker_unref(w);
}

/*
 * Write the pod's status when it differs from the API's. One write at a
 * time per pod: over the remote client two writes in flight could land in
 * either order, leaving the older status in the API. A status we wrote and
 * the API does not show yet is not written again until the API's copy is
 * newer than our write (the watch event is on its way).
 */
static void worker_write_status(struct kl_agent__worker *w, const struct kl_agent__job *j)
{
        struct kl_agent__pods *m = w->m;
        const char *own[] = { w->pod_ip, NULL };
        const char *const *pod_ips = spec_bool(w->pod, "hostNetwork")
                                             ? (const char *const *)m->node_ips
                                     : w->pod_ip[0] ? own
                                                    : NULL;
        struct kl_agent__status_ctx ctx = {
                .host_ip = m->node_ips ? m->node_ips[0] : NULL,
                .pod_ips = pod_ips,
                .plan = &j->plan,
        };
        struct kl_agent__pod_obs obs = { .pod = w->pod,
                                         .sandbox = j->sandbox,
                                         .ctrs = j->ctrs,
                                         .n_ctrs = j->n_ctrs,
                                         .info = w->info,
                                         .n_info = w->n_info };
        json_t *status = kl_agent__pod_status(&obs, &ctx, (int64_t)kl_now_realtime());
        const json_t *current = json_object_get(w->pod, "status");
        json_t *patch;
        const char *key;
        json_t *v;

        if (kl_agent__status_equal(status, current)) {
                json_decref(status);
                return;
        }
        if (w->status_busy) {
                w->status_again = true;
                json_decref(status);
                return;
        }
        if (w->written && kl_agent__status_equal(status, w->written) &&
            resource_version(w->pod) <= w->written_rv) {
                json_decref(status);
                return;
        }
        /* A merge patch of the whole status; keys the new one lacks are removed. */
        patch = json_object();
        json_object_foreach((json_t *)current, key, v)
                if (!json_object_get(status, key))
                        json_object_set_new(patch, key, json_null());
        json_object_update(patch, status);
        json_decref(w->written);
        w->written = status;
        {
                json_t *body = json_pack("{s:{s:o}, s:o}", "metadata", "uid", json_string(w->uid),
                                         "status", patch);

                w->status_busy = true;
                w->refs_count++;
                kl_client_patch(m->client, m->pods_res, meta_str(w->pod, "namespace"),
                                meta_str(w->pod, "name"), "status", KL_API_PATCH_TYPE_MERGE, body,
                                NULL, on_status_written, w);
        }
}

/* ---- delete of a finished pod ---- */

static void on_deleted(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_agent__worker *w = arg;

        (void)obj;
        if (r < 0 && r != -ENOENT && r != -ECANCELED && r != -KL_ECONFLICT && !w->m->stopped) {
                kl_log(KL_LOG_WARN, KL_LOG_AGENT, "pod %s: delete: %s", w->uid,
                       err ? err->msg : "failed");
                w->deleting = false;
                worker_arm(w, (int64_t)kl_now_realtime() + (int64_t)KL_USEC_PER_SEC);
        }
        worker_unref(w);
}

static void worker_delete_api(struct kl_agent__worker *w)
{
        json_t *opts;

        if (w->deleting)
                return;
        w->deleting = true;
        /* Grace 0 with the uid as precondition, as upstream's status manager. */
        opts = json_pack("{s:s, s:s, s:I, s:{s:s}}", "kind", "DeleteOptions", "apiVersion", "v1",
                         "gracePeriodSeconds", (json_int_t)0, "preconditions", "uid", w->uid);
        w->refs_count++;
        kl_client_delete(w->m->client, w->m->pods_res, meta_str(w->pod, "namespace"),
                         meta_str(w->pod, "name"), opts, NULL, on_deleted, w);
}

/* ---- the sync ---- */

static void on_job_done(void *arg, int status)
{
        struct kl_agent__job *j = arg;
        struct kl_agent__worker *w = j->w;
        struct kl_agent__pods *m = w->m;
        int64_t wake = (int64_t)kl_now_realtime() + (int64_t)m->sync_period;

        (void)status;
        w->state = W_IDLE;
        kl_log_debug(KL_LOG_AGENT, "pod %s: synced: %zu container(s), %zu to start, %zu to kill",
                     w->uid, j->n_ctrs, j->plan.n_start, j->plan.n_kill);
        if (m->stopped || w->forgotten) {
                kl_agent__job_free(j);
                worker_unref(w);
                return;
        }
        for (size_t i = 0; i < j->n_events; i++)
                kl_client_event(m->client, w->pod, j->events[i].type, j->events[i].reason, "%s",
                                j->events[i].message);
        /* Adopt what the job learned; probe results stay the loop's. */
        kl_strv_free(w->ids);
        w->ids = KL_TAKE_PTR(j->ids);
        memcpy(w->pod_ip, j->pod_ip, sizeof(w->pod_ip));
        for (size_t i = 0; w->ids && w->ids[i]; i++)
                kl_agent__watch_add(m, w->ids[i], w->uid);
        for (size_t i = 0; i < w->n_info && i < j->n_info; i++) {
                struct kl_agent__ctr_info *dst = &w->info[i];
                struct kl_agent__ctr_info *src = &j->info[i];

                dst->backoff = src->backoff;
                dst->backoff_updated_usec = src->backoff_updated_usec;
                free(dst->waiting_reason);
                free(dst->waiting_message);
                dst->waiting_reason = KL_TAKE_PTR(src->waiting_reason);
                dst->waiting_message = KL_TAKE_PTR(src->waiting_message);
        }
        for (size_t i = 0; i < w->n_terms; i++)
                free(w->terms[i].id);
        free(w->terms);
        w->terms = KL_TAKE_PTR(j->terms);
        w->n_terms = j->n_terms;
        j->n_terms = 0;
        for (size_t i = 0; i < w->n_terms; i++)
                if (w->terms[i].deadline_usec < wake)
                        wake = w->terms[i].deadline_usec;
        if (j->plan.wake_usec > 0 && j->plan.wake_usec < wake)
                wake = j->plan.wake_usec;
        if (j->retry_soon && (int64_t)kl_now_realtime() + (int64_t)RETRY_SOON < wake)
                wake = (int64_t)kl_now_realtime() + (int64_t)RETRY_SOON;

        /* Containers started or stopped: their probers follow. A container
         * without a startup probe counts as started once it runs. */
        {
                bool before[64] = { false };
                size_t n = w->n_info < 64 ? w->n_info : 64;

                for (size_t i = 0; i < n; i++)
                        before[i] = w->info[i].started;
                worker_probers(w, j->ctrs, j->n_ctrs);
                for (size_t i = 0; i < n; i++)
                        if (w->info[i].started != before[i])
                                w->dirty = true;
        }
        if (!w->gone)
                worker_write_status(w, j);

        if (j->cleaned) {
                if (w->gone) {
                        kl_agent__job_free(j);
                        kl_agent__worker_forget(w);
                        worker_unref(w);
                        return;
                }
                worker_delete_api(w);
        }
        worker_arm(w, wake);
        kl_agent__job_free(j);
        if (w->dirty) {
                w->dirty = false;
                kl_agent__worker_sync(w);
        }
        worker_unref(w);
}

/* Everything fetched: hand the work to the pool. */
static void worker_work(struct kl_agent__worker *w)
{
        struct kl_agent__pods *m = w->m;
        struct kl_agent__job *j = kl_new0(struct kl_agent__job);
        json_t *pod = json_deep_copy(w->pod);

        if (w->gone && !json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp")) {
                /* Deleted from the API without a grace period (--force): stop now. */
                char buf[KL_RFC3339_MAX];

                json_object_set_new(
                        json_object_get(pod, "metadata"), "deletionTimestamp",
                        json_string(kl_rfc3339_format(kl_now_realtime(), 0, buf, sizeof(buf))));
                json_object_set_new(json_object_get(pod, "metadata"), "deletionGracePeriodSeconds",
                                    json_integer(0));
        }
        j->w = w;
        j->m = m;
        j->pod = pod;
        j->uid = kl_strdup(w->uid);
        j->gone = w->gone;
        j->refs = w->refs;
        w->refs = (struct kl_agent__pod_refs){ 0 };
        j->ids = kl_strv_copy(w->ids);
        memcpy(j->pod_ip, w->pod_ip, sizeof(j->pod_ip));
        j->info = kl_calloc(w->n_info ? w->n_info : 1, sizeof(*j->info));
        j->n_info = w->n_info;
        for (size_t i = 0; i < w->n_info; i++)
                info_copy(&j->info[i], &w->info[i]);
        j->terms = kl_calloc(w->n_terms ? w->n_terms : 1, sizeof(*j->terms));
        j->n_terms = w->n_terms;
        for (size_t i = 0; i < w->n_terms; i++)
                j->terms[i] = (struct kl_agent__term){ kl_strdup(w->terms[i].id),
                                                       w->terms[i].deadline_usec };
        if (kl_loop_run_blocking(m->loop, kl_agent__job_work, on_job_done, j) < 0) {
                w->state = W_IDLE;
                kl_agent__job_free(j);
                return;
        }
        /* The job's reference (its callback never runs inside the call above). */
        w->state = W_WORKING;
        w->refs_count++;
}

/* What a pod refers to, fetched before each work step. */
enum ref_kind {
        REF_CONFIGMAP,
        REF_SECRET,
        REF_PVC,
        REF_PV,
};

static void fetch(struct kl_agent__worker *w, enum ref_kind kind, const char *name);

static void on_fetched(struct kl_agent__worker *w, enum ref_kind kind, int r, json_t *obj)
{
        json_t *const into[] = { w->refs.configmaps, w->refs.secrets, w->refs.pvcs, w->refs.pvs };

        if (r >= 0 && obj && !w->m->stopped && !w->forgotten) {
                /* A bound claim's volume comes next: the node mounts the path the PV names. */
                const char *vol =
                        kind == REF_PVC ? jstr(json_object_get(obj, "spec"), "volumeName") : NULL;

                if (!kl_isempty(vol) && !json_object_get(w->refs.pvs, vol))
                        fetch(w, REF_PV, vol);
                json_object_set_new(into[kind], meta_str(obj, "name"), obj);
        } else {
                json_decref(obj);
        }
        if (--w->pending == 0 && !w->m->stopped && !w->forgotten)
                worker_work(w);
        else if (w->pending == 0)
                w->state = W_IDLE;
        worker_unref(w);
}

static void on_cm_fetched(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        (void)err;
        on_fetched(arg, REF_CONFIGMAP, r, obj);
}

static void on_secret_fetched(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        (void)err;
        on_fetched(arg, REF_SECRET, r, obj);
}

static void on_pvc_fetched(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        (void)err;
        on_fetched(arg, REF_PVC, r, obj);
}

static void on_pv_fetched(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        (void)err;
        on_fetched(arg, REF_PV, r, obj);
}

static void fetch(struct kl_agent__worker *w, enum ref_kind kind, const char *name)
{
        struct kl_agent__pods *m = w->m;
        const struct kl_api_resource *const res[] = { m->cm_res, m->secret_res, m->pvc_res,
                                                      m->pv_res };
        kl_client_read_fn *const cb[] = { on_cm_fetched, on_secret_fetched, on_pvc_fetched,
                                          on_pv_fetched };

        w->pending++;
        w->refs_count++;
        kl_client_get(m->client, res[kind], kind == REF_PV ? NULL : meta_str(w->pod, "namespace"),
                      name, cb[kind], w);
}

/* The Services of the pod's namespace and default/kubernetes, for the env. */
static json_t *services_for(const struct kl_agent__pods *m, const json_t *pod)
{
        json_t *out = json_array();
        struct kl_objv v = { 0 };
        const char *ns = meta_str(pod, "namespace");

        kl_informer_list(m->services, ns, &v);
        for (size_t i = 0; i < v.n; i++)
                json_array_append(out, (json_t *)v.items[i]);
        if (!kl_streq_null(ns, "default")) {
                const json_t *k = kl_informer_get(m->services, "default", "kubernetes");

                if (k)
                        json_array_append(out, (json_t *)k);
        }
        kl_objv_clear(&v);
        free(v.items);
        return out;
}

void kl_agent__worker_sync(struct kl_agent__worker *w)
{
        struct kl_agent__pods *m = w->m;
        kl_autostrv char **cms = NULL;
        kl_autostrv char **secrets = NULL;
        kl_autostrv char **pvcs = NULL;

        if (m->stopped || w->forgotten)
                return;
        if (w->state != W_IDLE) {
                w->dirty = true;
                return;
        }
        w->state = W_FETCHING;
        kl_agent__pod_refs_release(&w->refs);
        w->refs.configmaps = json_object();
        w->refs.secrets = json_object();
        w->refs.pvcs = json_object();
        w->refs.pvs = json_object();
        w->refs.services = services_for(m, w->pod);
        if (!w->gone) {
                kl_agent__pod_ref_names(w->pod, &cms, &secrets);
                kl_agent__pod_pvc_names(w->pod, &pvcs);
        }
        w->pending = 1; /* this function's own, so that no callback runs the work early */
        for (size_t i = 0; cms && cms[i]; i++)
                fetch(w, REF_CONFIGMAP, cms[i]);
        for (size_t i = 0; secrets && secrets[i]; i++)
                fetch(w, REF_SECRET, secrets[i]);
        for (size_t i = 0; pvcs && pvcs[i]; i++)
                fetch(w, REF_PVC, pvcs[i]);
        if (--w->pending == 0)
                worker_work(w);
}
