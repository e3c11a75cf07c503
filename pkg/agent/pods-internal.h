/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the pod workers: what pods.c (the manager: informers, inotify,
 * housekeeping), pod-worker.c (one worker per pod, on the loop) and
 * pod-sync.c (a worker's work step, on the pool) share. pods.c's header
 * comment tells the whole story.
 */
#ifndef KL_AGENT_PODS_INTERNAL_H
#define KL_AGENT_PODS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "agent/pod-internal.h"

#define DEFAULT_SYNC_PERIOD   (60 * KL_USEC_PER_SEC)
#define MIN_GRACE_SEC         2 /* upstream's minimumGracePeriodInSeconds */
#define TERM_MESSAGE_MAX      4096
#define TERM_LOG_LINES        80
#define TERM_LOG_BYTES        2048
#define HOUSEKEEPING_GRACE_MS 2000
/* A failed volume set-up (a claim not bound yet) is tried again this soon. */
#define RETRY_SOON (2 * KL_USEC_PER_SEC)

struct kl_agent__pods;

/* A container the worker sent its stop signal to, and when SIGKILL is due. */
struct kl_agent__term {
        char *id;
        int64_t deadline_usec;
};

/* The probers of one container name, for the attempt `ctr_id`. */
struct kl_agent__probe_slot {
        struct kl_agent__worker *w;
        size_t info; /* index into w->info */
        char *ctr_id;
        char *netns;
        struct kl_agent__prober *p[3]; /* by enum kl_agent__probe_kind */
};

enum worker_state {
        W_IDLE,
        W_FETCHING,
        W_WORKING,
};

struct kl_agent__worker {
        struct kl_agent__pods *m;
        char *uid;     /* owned; the key in m->workers */
        json_t *pod;   /* the latest pod (shared, immutable), or the last one seen when gone */
        bool gone;     /* no longer in the API: stop everything and forget the worker */
        bool deleting; /* the API delete of a finished pod was sent */
        bool forgotten;

        char **ids; /* the runtime containers of the pod */
        struct kl_agent__ctr_info *info;
        size_t n_info;
        struct kl_agent__probe_slot *slots; /* one per info */
        struct kl_agent__term *terms;
        size_t n_terms;
        json_t *written;     /* the status last written, or NULL */
        uint64_t written_rv; /* the resourceVersion our last status write answered with */
        char pod_ip[16];     /* the pod network's address for it, or "" */
        bool status_busy;    /* a status write is in flight */
        bool status_again;   /* ... and another status was computed meanwhile */

        enum worker_state state;
        bool dirty;
        unsigned pending; /* GETs in flight while fetching */
        struct kl_agent__pod_refs refs;

        uv_timer_t wake;
        bool wake_open;
        unsigned refs_count;
};

struct kl_agent__pods {
        struct kl_client *client;
        uv_loop_t *loop;
        const struct kl_api_resource *pods_res, *cm_res, *secret_res, *svc_res, *pvc_res, *pv_res;

        char *node_name;
        char **node_ips;
        char *pods_dir;
        char *local_volumes_dir; /* NULL: local-path directories are never removed */
        char *log_dir;
        char *cluster_domain;
        char *cluster_dns; /* NULL: no cluster DNS (pods get the node's resolvers) */
        char *resolv_conf;
        struct kl_ctr_runtime *rt;
        struct kl_agent__network *network; /* NULL: pods have loopback only */
        struct kl_rt_store *images;
        pthread_mutex_t *images_lock;
        const struct kl_rt_pull_opts *pull;
        struct kl_agent__backoff_opts backoff;
        kl_usec_t sync_period;
        struct kl_agent__node_facts facts;

        struct kl_informer *pods;
        struct kl_informer *services;
        struct kl_strmap workers; /* uid -> struct kl_agent__worker */

        int inotify_fd;
        uv_poll_t inotify;
        bool inotify_open;
        struct kl_strmap watches; /* "wd" -> struct kl_agent__watch */
        json_t *adopted; /* uid -> [container ids] found at start, until a worker takes them */

        uv_timer_t housekeeping;
        bool housekeeping_open;
        bool housekeeping_busy;

        unsigned refs;
        bool stopped;
        void (*freed)(void *arg);
        void *freed_arg;
};

struct kl_agent__watch {
        char key[16]; /* the watch descriptor in decimal */
        char *uid;
};

/* ------------------------------------------------------------------------- */
/* The work step (pool thread): everything that blocks */

struct kl_agent__job_event {
        const char *type; /* static */
        const char *reason;
        char *message;
};

struct kl_agent__job {
        struct kl_agent__worker *w; /* a reference; read-only from the pool except nothing */
        struct kl_agent__pods *m;
        /* Inputs, owned by the job. */
        json_t *pod; /* a deep copy */
        char *uid;
        bool gone;
        struct kl_agent__pod_refs refs;
        char **ids;
        struct kl_agent__ctr_info *info;
        size_t n_info;
        struct kl_agent__term *terms;
        size_t n_terms;
        char pod_ip[16]; /* in: the worker's; out: what the sandbox has now ("": none) */
        struct kl_agent__node_facts facts; /* the manager's, with this pod's IPs */
        const char *facts_ips[2];
        /* Outputs. */
        struct kl_agent__ctr *ctrs;
        size_t n_ctrs;
        bool sandbox;
        struct kl_agent__plan plan;
        struct kl_agent__job_event *events;
        size_t n_events;
        bool cleaned;    /* nothing of the pod is left on the node */
        bool retry_soon; /* a volume could not be set up: try again in RETRY_SOON */
        int64_t now;
};

/* Small accessors of pod objects (borrowed results). */
static inline const char *jstr(const json_t *o, const char *k)
{
        return json_string_value(json_object_get(o, k));
}

static inline const char *meta_str(const json_t *pod, const char *k)
{
        return jstr(json_object_get(pod, "metadata"), k);
}

static inline const json_t *spec_get(const json_t *pod, const char *k)
{
        return json_object_get(json_object_get(pod, "spec"), k);
}

static inline bool spec_bool(const json_t *pod, const char *k)
{
        return json_is_true(spec_get(pod, k));
}

/* pod-sync.c */
/* The container spec named `name` of `kind`, or NULL. */
const json_t *kl_agent__spec_container(const json_t *pod, enum kl_agent__ctr_kind kind,
                                       const char *name);
/* <pods_dir>/<uid>; owned. */
char *kl_agent__pod_dir(const struct kl_agent__pods *m, const char *uid);
/* The work step of a sync (kl_loop_work_fn). */
void kl_agent__job_work(void *arg);
void kl_agent__job_free(struct kl_agent__job *j);

/* pod-worker.c */
struct kl_agent__worker *kl_agent__worker_new(struct kl_agent__pods *m, const char *uid,
                                              const json_t *pod);
/* Sync now, or again after the sync in progress. */
void kl_agent__worker_sync(struct kl_agent__worker *w);
/* Drop the worker from the manager: its probers stop, its timer closes. */
void kl_agent__worker_forget(struct kl_agent__worker *w);

/* pods.c */
void kl_agent__pods_unref(struct kl_agent__pods *m);
/* Watch a container's state directory for its pod (idempotent). */
void kl_agent__watch_add(struct kl_agent__pods *m, const char *id, const char *uid);
/* Mark the workers in their work step dirty: a container they just made changed. */
void kl_agent__mark_working_dirty(struct kl_agent__pods *m);

#endif
