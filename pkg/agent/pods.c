/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod workers: what the kubelet's pod workers, PLEG, status manager and
 * housekeeping are upstream (pod-internal.h). This file is the manager: the
 * informers, the inotify watches, housekeeping, start and stop; a worker is
 * pod-worker.c (loop) and its work step pod-sync.c (pool).
 *
 * One worker per pod uid. A sync of a worker is three steps, never two of a
 * worker at once (a trigger during a sync marks it dirty and it runs again):
 *
 *   fetch  (loop)  GET the ConfigMaps and Secrets the pod refers to
 *   work   (pool)  read the runtime state of the pod's containers, plan
 *                  (pod-plan.c), act: sandbox, volumes, image pulls,
 *                  create/start, hooks, stop signals, SIGKILL after the
 *                  grace period, removal; read the states again
 *   done   (loop)  adopt the outcome: container ids, back-off and failure
 *                  reasons, probers for new attempts; write the status
 *                  (pod-status.c) when it changed; delete the API object of
 *                  a deleted pod once nothing of it is left; arm the wake
 *                  timer for the next deadline
 *
 * Triggers: the pod informer (spec.nodeName = this node), an inotify watch
 * on each container's state directory (the shim renames a new state.json in
 * at every change, so an exit is seen at once: upstream's evented PLEG),
 * probe results, the wake timer (back-off ends, grace periods, deadlines,
 * and at least every sync_period, which also refreshes configMap and
 * secret volumes).
 *
 * A grace period never holds a pool thread: the stop signal is sent and the
 * deadline recorded; the sync at the deadline sends SIGKILL. preStop and
 * postStart hooks run in the work step (bounded by the grace period and the
 * hook's own time-out).
 *
 * Housekeeping (once the informer has synced, then every sync_period):
 * containers of pods the API no longer has, and pod directories of such
 * pods, are stopped and removed — what a restarted agent finds of pods that
 * were deleted while it was away.
 *
 * Memory: a worker holds one reference for being in the manager's map, one
 * per request or job in flight and one for its open timer; the manager holds
 * one per worker, per job and per open handle (STYLE R8.2, R8.3). After
 * kl_agent__pods_stop() callbacks only release.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "agent/agent-internal.h"
#include "agent/pods-internal.h"
#include "loop/loop.h"

/* ------------------------------------------------------------------------- */
/* Informer handlers */

static void on_pod(struct kl_agent__pods *m, const json_t *pod)
{
        const char *uid = meta_str(pod, "uid");
        struct kl_agent__worker *w;

        if (kl_isempty(uid) || m->stopped)
                return;
        w = kl_strmap_get(&m->workers, uid);
        if (!w) {
                w = kl_agent__worker_new(m, uid, pod);
        } else if (w->pod != pod) {
                json_decref(w->pod);
                w->pod = json_incref((json_t *)pod);
        }
        kl_agent__worker_sync(w);
}

static void on_pod_add(void *arg, const json_t *obj)
{
        on_pod(arg, obj);
}

static void on_pod_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        on_pod(arg, obj);
}

static void on_pod_delete(void *arg, const json_t *obj)
{
        struct kl_agent__pods *m = arg;
        struct kl_agent__worker *w = kl_strmap_get(&m->workers, meta_str(obj, "uid") ?: "");

        if (!w)
                return;
        w->gone = true;
        kl_agent__worker_sync(w);
}

/* ------------------------------------------------------------------------- */
/* inotify: exits and other state changes of containers */

/*
 * Watch a container's state directory. inotify hands out the same descriptor
 * for a directory watched again, so this is idempotent. The work step also
 * adds the watch right after it creates a container (a syscall, no loop
 * state), so that no exit falls between the creation and this call; events
 * of descriptors not known here yet mark the workers in their work step
 * dirty.
 */
void kl_agent__watch_add(struct kl_agent__pods *m, const char *id, const char *uid)
{
        kl_autofree char *dir = kl_asprintf("%s/%s", kl_ctr_runtime_state_dir(m->rt), id);
        char key[16];
        struct kl_agent__watch *wt;
        int wd;

        if (m->inotify_fd < 0)
                return;
        wd = inotify_add_watch(m->inotify_fd, dir, IN_MOVED_TO | IN_ONLYDIR);
        if (wd < 0)
                return;
        (void)snprintf(key, sizeof(key), "%d", wd);
        if (kl_strmap_get(&m->watches, key))
                return;
        wt = kl_new0(struct kl_agent__watch);
        memcpy(wt->key, key, sizeof(key));
        wt->uid = kl_strdup(uid);
        kl_strmap_put(&m->watches, wt->key, wt);
}

static void watch_free(void *v)
{
        struct kl_agent__watch *wt = v;

        free(wt->uid);
        free(wt);
}

/* A container just made by a work step changed: its worker syncs again after that step. */
void kl_agent__mark_working_dirty(struct kl_agent__pods *m)
{
        size_t i = 0;
        void *v;

        while (kl_strmap_next(&m->workers, &i, &v))
                if (((struct kl_agent__worker *)v)->state == W_WORKING)
                        ((struct kl_agent__worker *)v)->dirty = true;
}

static void on_inotify(uv_poll_t *h, int status, int events)
{
        struct kl_agent__pods *m = h->data;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;

        (void)events;
        if (status < 0 || m->stopped)
                return;
        while ((n = read(m->inotify_fd, buf, sizeof(buf))) > 0) {
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
                        char key[16];
                        struct kl_agent__watch *wt;

                        p += sizeof(*ev) + ev->len;
                        (void)snprintf(key, sizeof(key), "%d", ev->wd);
                        if (ev->mask & IN_IGNORED) {
                                wt = kl_strmap_remove(&m->watches, key);
                                if (wt)
                                        watch_free(wt);
                                continue;
                        }
                        wt = kl_strmap_get(&m->watches, key);
                        if (wt) {
                                struct kl_agent__worker *w = kl_strmap_get(&m->workers, wt->uid);

                                if (w)
                                        kl_agent__worker_sync(w);
                        } else {
                                kl_agent__mark_working_dirty(m);
                        }
                }
        }
}

/* ------------------------------------------------------------------------- */
/* Housekeeping: what belongs to no pod */

struct orphans {
        struct kl_agent__pods *m;
        char **known; /* uids with a worker */
        unsigned removed;
        struct kl_agent__local_volume *locals; /* local-path volumes made here */
        size_t n_locals;
};

static void orphans_work(void *arg)
{
        struct orphans *o = arg;
        struct kl_agent__pods *m = o->m;
        struct kl_ctr_state *all = NULL;
        size_t n = 0;
        DIR *d;

        if (kl_ctr_list(m->rt, &all, &n, NULL) == 0) {
                for (size_t i = 0; i < n; i++) {
                        /* Containers without the label are `kube-lite ctr`'s: not ours. */
                        const char *uid = kl_agent__label(all[i].labels, KL_AGENT__LABEL_POD_UID);

                        if (uid && all[i].id && !kl_strv_contains(o->known, uid)) {
                                (void)kl_ctr_stop(m->rt, all[i].id, HOUSEKEEPING_GRACE_MS, NULL);
                                (void)kl_ctr_delete(m->rt, all[i].id, true, NULL);
                                o->removed++;
                        }
                }
                kl_ctr_states_free(all, n);
        }
        if (m->network)
                kl_agent__network_gc(m->network, (const char *const *)o->known,
                                     kl_strv_length(o->known));
        if (m->local_volumes_dir)
                (void)kl_agent__local_volumes_list(m->local_volumes_dir, &o->locals, &o->n_locals);
        d = opendir(m->pods_dir);
        if (!d)
                return;
        for (struct dirent *de; (de = readdir(d));) {
                kl_autofree char *dir = NULL;

                if (de->d_name[0] == '.' || kl_strv_contains(o->known, de->d_name))
                        continue;
                dir = kl_agent__pod_dir(m, de->d_name);
                if (m->network) {
                        kl_autofree char *netns =
                                kl_ctr_sandbox_ns_path(m->rt, de->d_name, KL_CTR_NS_NET);

                        kl_agent__network_pod_del(m->network, de->d_name, netns);
                }
                (void)kl_ctr_sandbox_delete(m->rt, de->d_name, NULL);
                if (kl_agent__volumes_teardown(dir, NULL) == 0)
                        o->removed++;
        }
        closedir(d);
}

/*
 * A local-path volume made here: once no pod of the node uses its claim and
 * the PersistentVolume is gone from the API, its directory goes (on the
 * pool). Claims of pods still terminating keep theirs.
 */
struct local_gc {
        struct kl_agent__pods *m;
        struct kl_agent__local_volume v;
        bool gone;
        struct kl_err *err;
        int r;
};

static void local_gc_free(struct local_gc *g)
{
        struct kl_agent__pods *m = g->m;

        kl_err_free(g->err);
        free(g->v.pv);
        free(g->v.path);
        free(g->v.claim);
        free(g);
        kl_agent__pods_unref(m);
}

static void local_gc_work(void *arg)
{
        struct local_gc *g = arg;

        g->r = kl_agent__local_volume_remove(g->m->local_volumes_dir, &g->v, &g->err);
}

static void local_gc_done(void *arg, int status)
{
        struct local_gc *g = arg;

        if (status == 0 && g->r < 0)
                kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, g->err, "remove deleted volume %s", g->v.pv);
        else if (status == 0)
                kl_log_info(KL_LOG_AGENT, "removed %s: its volume %s was deleted", g->v.path,
                            g->v.pv);
        local_gc_free(g);
}

static void on_local_pv(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct local_gc *g = arg;

        (void)err;
        json_decref(obj);
        if (r != -ENOENT || g->m->stopped ||
            kl_loop_run_blocking(g->m->loop, local_gc_work, local_gc_done, g) < 0)
                local_gc_free(g);
}

static bool claim_in_use(struct kl_agent__pods *m, const char *claim)
{
        const char *slash = strchr(claim, '/');
        kl_autofree char *ns = kl_strndup(claim, (size_t)(slash - claim));
        struct kl_objv pods = { 0 };
        bool used = false;

        kl_informer_list(m->pods, ns, &pods);
        for (size_t i = 0; i < pods.n && !used; i++) {
                char **names = NULL;

                kl_agent__pod_pvc_names(pods.items[i], &names);
                used = kl_strv_contains(names, slash + 1);
                kl_strv_free(names);
        }
        kl_objv_clear(&pods);
        return used;
}

static void local_volume_check(struct kl_agent__pods *m, struct kl_agent__local_volume *v)
{
        struct local_gc *g;

        if (claim_in_use(m, v->claim))
                return;
        g = kl_new0(struct local_gc);
        g->m = m;
        g->v = *v;
        *v = (struct kl_agent__local_volume){ 0 };
        m->refs++;
        kl_client_get(m->client, m->pv_res, NULL, g->v.pv, on_local_pv, g);
}

static void orphans_done(void *arg, int status)
{
        struct orphans *o = arg;
        struct kl_agent__pods *m = o->m;

        (void)status;
        m->housekeeping_busy = false;
        if (o->removed)
                kl_log_info(KL_LOG_AGENT,
                            "housekeeping removed %u container(s) or pod "
                            "directories of deleted pods",
                            o->removed);
        for (size_t i = 0; i < o->n_locals && !m->stopped; i++)
                local_volume_check(m, &o->locals[i]);
        kl_agent__local_volumes_free(o->locals, o->n_locals);
        kl_strv_free(o->known);
        free(o);
        kl_agent__pods_unref(m);
}

static void on_housekeeping(uv_timer_t *t)
{
        struct kl_agent__pods *m = t->data;
        struct orphans *o;
        size_t i = 0;
        void *v;

        if (m->stopped || !kl_informer_synced(m->pods) || m->housekeeping_busy)
                return;
        o = kl_new0(struct orphans);
        o->m = m;
        while (kl_strmap_next(&m->workers, &i, &v))
                kl_strv_push(&o->known, ((struct kl_agent__worker *)v)->uid);
        m->housekeeping_busy = true;
        m->refs++;
        if (kl_loop_run_blocking(m->loop, orphans_work, orphans_done, o) < 0) {
                m->housekeeping_busy = false;
                kl_strv_free(o->known);
                free(o);
                m->refs--;
        }
}

static void on_pods_synced(void *arg)
{
        struct kl_agent__pods *m = arg;

        on_housekeeping(&m->housekeeping);
}

/* ------------------------------------------------------------------------- */
/* Start and stop */

static void pods_free(struct kl_agent__pods *m)
{
        void (*freed)(void *arg) = m->freed;
        void *arg = m->freed_arg;

        kl_strmap_drain(&m->watches, watch_free);
        kl_strmap_release(&m->workers);
        free(m->node_name);
        kl_strv_free(m->node_ips);
        free(m->pods_dir);
        free(m->local_volumes_dir);
        free(m->log_dir);
        free(m->cluster_domain);
        free(m->cluster_dns);
        free(m->resolv_conf);
        if (m->inotify_fd >= 0)
                close(m->inotify_fd);
        free(m);
        if (freed)
                freed(arg);
}

void kl_agent__pods_unref(struct kl_agent__pods *m)
{
        kl_assert(m->refs > 0);
        if (--m->refs == 0)
                pods_free(m);
}

static void on_handle_closed(uv_handle_t *h)
{
        kl_agent__pods_unref(h->data);
}

/*
 * Containers found at start belong to their pod's worker once it exists
 * (m->adopted: uid -> [ids]). A short list of small files, read once before
 * the loop runs anything of ours.
 */
static void adopt_containers(struct kl_agent__pods *m)
{
        struct kl_ctr_state *all = NULL;
        size_t n = 0;
        kl_autoerr struct kl_err *e = NULL;

        if (kl_ctr_list(m->rt, &all, &n, &e) < 0) {
                kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "list the containers");
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const char *uid = kl_agent__label(all[i].labels, KL_AGENT__LABEL_POD_UID);
                json_t *ids;

                if (!uid || !all[i].id)
                        continue;
                kl_agent__watch_add(m, all[i].id, uid);
                ids = json_object_get(m->adopted, uid);
                if (!ids) {
                        ids = json_array();
                        json_object_set_new(m->adopted, uid, ids);
                }
                json_array_append_new(ids, json_string(all[i].id));
        }
        kl_ctr_states_free(all, n);
}

int kl_agent__pods_start(struct kl_client *client, const struct kl_agent__pods_options *o,
                         struct kl_agent__pods **ret, struct kl_err **err)
{
        struct kl_agent__pods *m;
        kl_autofree char *selector = NULL;
        int r;

        if (kl_isempty(o->node_name) || kl_isempty(o->pods_dir) || kl_isempty(o->log_dir) ||
            !o->rt || !o->images || !o->images_lock)
                return kl_err_set(err, -EINVAL,
                                  "the pod workers need a node name, directories, a runtime and "
                                  "an image store");
        if (kl_mkdir_p(o->pods_dir, 0750) < 0)
                return kl_err_set(err, -errno, "create `%s`", o->pods_dir);
        m = kl_new0(struct kl_agent__pods);
        m->client = client;
        m->loop = client->loop;
        m->pods_res = kl_api_resource_find("", "v1", "pods");
        m->cm_res = kl_api_resource_find("", "v1", "configmaps");
        m->secret_res = kl_api_resource_find("", "v1", "secrets");
        m->svc_res = kl_api_resource_find("", "v1", "services");
        m->pvc_res = kl_api_resource_find("", "v1", "persistentvolumeclaims");
        m->pv_res = kl_api_resource_find("", "v1", "persistentvolumes");
        m->node_name = kl_strdup(o->node_name);
        m->node_ips = o->node_ips ? kl_strv_copy((char *const *)o->node_ips) : NULL;
        if (m->node_ips && !m->node_ips[0]) {
                kl_strv_free(m->node_ips);
                m->node_ips = NULL;
        }
        m->pods_dir = kl_strdup(o->pods_dir);
        m->local_volumes_dir = o->local_volumes_dir ? kl_strdup(o->local_volumes_dir) : NULL;
        m->log_dir = kl_strdup(o->log_dir);
        m->cluster_domain = kl_strdup(o->cluster_domain ? o->cluster_domain : "cluster.local");
        m->cluster_dns = o->cluster_dns ? kl_strdup(o->cluster_dns) : NULL;
        m->network = o->network;
        m->resolv_conf = kl_strdup(o->resolv_conf ? o->resolv_conf : "/etc/resolv.conf");
        m->rt = o->rt;
        m->images = o->images;
        m->images_lock = o->images_lock;
        m->pull = o->pull;
        m->backoff = o->backoff;
        m->sync_period = o->sync_period ? o->sync_period : DEFAULT_SYNC_PERIOD;
        m->facts = (struct kl_agent__node_facts){
                .node_name = m->node_name,
                .host_ip = m->node_ips ? m->node_ips[0] : NULL,
                .pod_ips = NULL,
                .local_volumes_dir = m->local_volumes_dir,
                .alloc_cpu_milli = o->alloc_cpu_milli,
                .alloc_memory = o->alloc_memory,
                .alloc_ephemeral = o->alloc_ephemeral,
        };
        m->adopted = json_object();
        m->refs = 1;

        m->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (m->inotify_fd < 0) {
                kl_log(KL_LOG_WARN, KL_LOG_AGENT,
                       "inotify: %s; container exits are seen at the sync period only",
                       strerror(errno));
        } else {
                kl_assert(uv_poll_init(m->loop, &m->inotify, m->inotify_fd) == 0);
                m->inotify.data = m;
                m->inotify_open = true;
                m->refs++;
                kl_assert(uv_poll_start(&m->inotify, UV_READABLE, on_inotify) == 0);
        }
        kl_assert(uv_timer_init(m->loop, &m->housekeeping) == 0);
        m->housekeeping.data = m;
        m->housekeeping_open = true;
        m->refs++;
        uv_timer_start(&m->housekeeping, on_housekeeping, m->sync_period / 1000,
                       m->sync_period / 1000);
        adopt_containers(m);

        selector = kl_asprintf("spec.nodeName=%s", m->node_name);
        r = kl_informer_new(client, m->pods_res, NULL, NULL, selector, &m->pods, err);
        if (r >= 0)
                r = kl_informer_new(client, m->svc_res, NULL, NULL, NULL, &m->services, err);
        if (r < 0) {
                kl_agent__pods_stop(m, NULL, NULL);
                return r;
        }
        kl_informer_add_handler(m->pods, &(struct kl_informer_handler){ .on_add = on_pod_add,
                                                                        .on_update = on_pod_update,
                                                                        .on_delete = on_pod_delete,
                                                                        .arg = m });
        kl_informer_on_synced(m->pods, on_pods_synced, m);
        (void)kl_informer_start(m->services, NULL);
        (void)kl_informer_start(m->pods, NULL);
        *ret = m;
        return 0;
}

void kl_agent__pods_stop(struct kl_agent__pods *m, void (*freed)(void *arg), void *arg)
{
        size_t i = 0;
        void *v;
        struct kl_agent__worker **all = NULL;
        size_t n = 0;

        if (!m || m->stopped)
                return;
        m->stopped = true;
        m->freed = freed;
        m->freed_arg = arg;
        kl_informer_free(m->pods);
        kl_informer_free(m->services);
        m->pods = m->services = NULL;
        while (kl_strmap_next(&m->workers, &i, &v)) {
                all = kl_realloc(all, (n + 1) * sizeof(*all));
                all[n++] = v;
        }
        for (size_t k = 0; k < n; k++)
                kl_agent__worker_forget(all[k]);
        free(all);
        json_decref(m->adopted);
        m->adopted = NULL;
        if (m->inotify_open) {
                m->inotify_open = false;
                uv_close((uv_handle_t *)&m->inotify, on_handle_closed);
        }
        if (m->housekeeping_open) {
                m->housekeeping_open = false;
                uv_close((uv_handle_t *)&m->housekeeping, on_handle_closed);
        }
        kl_agent__pods_unref(m);
}
