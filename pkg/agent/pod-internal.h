/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the agent module: the pieces of the pod workers (pods.c), each in
 * its own file so that tests reach them without an API server.
 *
 *   pod-plan.c     what to do next for a pod, from its spec and what the
 *                  runtime has (upstream's computePodActions): pure
 *   pod-status.c   the PodStatus the API gets (upstream's
 *                  generateAPIPodStatus and getPhase): pure
 *   pod-env.c      the objects a pod refers to; the environment of a
 *                  container; $(VAR) expansion: pure
 *   pod-spec.c     a container of the pod spec as a struct kl_ctr_config:
 *                  pure
 *   volumes.c      the pod's volumes on disk: blocking, on the pool
 *                  (with volumes-projected.c and volumes-local.c)
 *   probe.c        one probe run (exec, httpGet, tcpSocket, grpc):
 *                  blocking, on the pool (with probe-http.c and
 *                  probe-grpc.c; probe-internal.h)
 *   prober.c       the probe workers of a running container: loop thread
 *
 * Times are realtime microseconds (kl_now_realtime()), the clock the API's
 * timestamps use; the planner and the status builder take `now` as an
 * argument so tests control it.
 *
 * Who owns what: the pod worker (pods.c) owns every struct below; the pure
 * functions borrow their inputs for the call and return new values.
 */
#ifndef KL_AGENT_POD_INTERNAL_H
#define KL_AGENT_POD_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <pthread.h>

#include <jansson.h>
#include <uv.h>

#include "base/base.h"
#include "client/client.h"
#include "container/container.h"
#include "runtime/rt.h"

/* ------------------------------------------------------------------------- */
/* Containers of a pod, as the runtime has them */

/*
 * Labels the agent puts on each container (struct kl_ctr_config.labels,
 * "key=value"): how it finds a pod's containers again after a restart. The
 * names are upstream's (the kubelet writes them as CRI labels/annotations).
 */
#define KL_AGENT__LABEL_POD_UID   "io.kubernetes.pod.uid"
#define KL_AGENT__LABEL_POD_NAME  "io.kubernetes.pod.name"
#define KL_AGENT__LABEL_POD_NS    "io.kubernetes.pod.namespace"
#define KL_AGENT__LABEL_CTR_NAME  "io.kubernetes.container.name"
#define KL_AGENT__LABEL_ATTEMPT   "io.kubernetes.container.restartCount"
#define KL_AGENT__LABEL_HASH      "io.kubernetes.container.hash"
#define KL_AGENT__LABEL_KIND      "io.kube-lite.container.kind" /* "init" or "app" */
#define KL_AGENT__LABEL_IMAGE_REF "io.kube-lite.image.ref"      /* imageID: name@sha256:... */

enum kl_agent__ctr_kind {
        KL_AGENT__CTR_INIT, /* spec.initContainers[] (sidecars too: restartPolicy Always) */
        KL_AGENT__CTR_APP,  /* spec.containers[] */
};

/* One container (one attempt of one container of the spec) the runtime has. */
struct kl_agent__ctr {
        char *id;   /* the runtime's id (kl_ctr_*); status shows "kube-lite://<id>" */
        char *name; /* the container's name in the pod spec */
        enum kl_agent__ctr_kind kind;
        unsigned attempt; /* 0 for the first run; the restartCount of this attempt */
        char *hash;       /* kl_agent__ctr_hash() of the spec it was created from */
        char *image;      /* the image as the spec named it */
        char *image_ref;  /* what it ran: "docker.io/library/busybox@sha256:..." */
        enum kl_ctr_status status;
        int64_t created_usec;
        int64_t started_usec;  /* 0: never started */
        int64_t finished_usec; /* 0: not finished */
        int exit_code;
        int signal;
        bool oom_killed;
        char *error;   /* the runtime's start error (exec failed), or NULL */
        char *message; /* the termination message, read after it stopped, or NULL */
};

void kl_agent__ctr_release(struct kl_agent__ctr *c);

/** The value of label `key` in "key=value" labels, borrowed, or NULL. */
const char *kl_agent__label(char *const *labels, const char *key);

/**
 * The agent's view of a container from the runtime's state: NULL-safe parse
 * of the labels above. -EINVAL when a label is missing or malformed (not a
 * container of the agent's: left alone).
 */
int kl_agent__ctr_from_state(const struct kl_ctr_state *s, struct kl_agent__ctr *ret);

/**
 * A hash of a container spec (hex, owned): a container whose spec hash
 * differs from its runtime container's is restarted (upstream restarts a
 * container when its spec changes; in a pod only `image` may change).
 */
char *kl_agent__ctr_hash(const json_t *container);

/* What the worker knows about one container of the spec beyond the runtime. */
struct kl_agent__ctr_info {
        char *name;
        enum kl_agent__ctr_kind kind;
        /* From the probes of the current attempt (reset when a new attempt starts). */
        bool started;         /* the startup probe has succeeded, or there is none */
        bool ready;           /* the readiness probe says ready, or there is none */
        bool liveness_failed; /* failureThreshold reached: kill and maybe restart */
        bool startup_failed;  /* likewise for the startup probe */
        char *probe_message;  /* why, for the event and the kill reason, or NULL */
        /*
         * Why it is not running: ErrImagePull, ImagePullBackOff,
         * CreateContainerConfigError, CreateContainerError, RunContainerError,
         * set by the worker when a step failed, cleared when it succeeds; the
         * planner adds CrashLoopBackOff. NULL: none.
         */
        char *waiting_reason;
        char *waiting_message;
        /* Restart back-off (upstream's flowcontrol.Backoff, per container). */
        kl_usec_t backoff;            /* current delay; 0: none yet */
        int64_t backoff_updated_usec; /* when it was last raised */
};

void kl_agent__ctr_info_release(struct kl_agent__ctr_info *i);

/* Back-off settings (the tests shorten them, as the kubelet's tests do). */
struct kl_agent__backoff_opts {
        kl_usec_t base; /* 0: 10 s */
        kl_usec_t max;  /* 0: 300 s */
};

/**
 * Raise `info`'s back-off at a restart made at `now`: the first restart
 * sets `base`, each further one doubles it up to `max`; a delay not raised
 * for 2 × max is forgotten first (upstream's Backoff.Next with its GC).
 */
void kl_agent__backoff_next(struct kl_agent__ctr_info *info, const struct kl_agent__backoff_opts *o,
                            int64_t now_usec);

/* Everything the planner and the status builder look at. Borrowed. */
struct kl_agent__pod_obs {
        const json_t *pod;                /* the pod as the API has it */
        bool sandbox;                     /* the pod's sandbox (namespaces) exists */
        const struct kl_agent__ctr *ctrs; /* every container the runtime has for the pod */
        size_t n_ctrs;
        const struct kl_agent__ctr_info *info; /* one per container name of the spec */
        size_t n_info;
};

/** The newest attempt of container `name` of `kind` (highest attempt), or NULL. */
const struct kl_agent__ctr *kl_agent__obs_latest(const struct kl_agent__pod_obs *o,
                                                 enum kl_agent__ctr_kind kind, const char *name);
/** The info of container `name`, or NULL. */
const struct kl_agent__ctr_info *kl_agent__obs_info(const struct kl_agent__pod_obs *o,
                                                    enum kl_agent__ctr_kind kind, const char *name);

/* ------------------------------------------------------------------------- */
/* The plan (pod-plan.c) */

struct kl_agent__start {
        char *name;
        enum kl_agent__ctr_kind kind;
        unsigned attempt; /* the newest attempt + 1, or 0 */
        bool restart;     /* an earlier attempt exists: the worker raises the back-off */
};

struct kl_agent__kill {
        char *id;
        char *name;
        enum kl_agent__ctr_kind kind;
        /* Why, for the Killing event: "Container x failed liveness probe, will be restarted". */
        char *message;
        int64_t grace_sec; /* the stop signal, then SIGKILL after this */
};

struct kl_agent__plan {
        bool create_sandbox;
        /*
         * The pod is over (deleted, terminal, or past activeDeadlineSeconds):
         * nothing starts again; `kill` stops what runs, app containers first,
         * sidecars only once no app container runs (upstream's order). Once
         * nothing runs the worker removes the pod's containers, volumes and
         * sandbox (and, for a deleted pod, the API object).
         */
        bool kill_pod;
        struct kl_agent__kill *kill; /* what to stop now */
        size_t n_kill;
        struct kl_agent__start *start; /* what to create and start now, in order */
        size_t n_start;
        char **remove; /* dead containers to remove: all but the newest dead attempt of each name */
        /*
         * Containers that wait for their back-off, with the waiting state the
         * status shows (reason CrashLoopBackOff, upstream's message "back-off
         * 20s restarting failed container=NAME pod=POD_NS(UID)").
         */
        struct kl_agent__backoff_wait {
                char *name;
                enum kl_agent__ctr_kind kind;
                char *message;
        } * waiting;
        size_t n_waiting;
        int64_t wake_usec; /* sync again at this time (back-off end, deadline); 0: no need */
        /* Set when the pod just became terminal: reason/message for the status. */
        char *reason;  /* "DeadlineExceeded", or NULL */
        char *message; /* "Pod was active on the node longer than the specified deadline" */
};

void kl_agent__plan_release(struct kl_agent__plan *p);

/**
 * What to do next for the pod, as upstream's computePodActions plus the
 * termination path of the pod worker: sandbox, init containers in order
 * (sidecars — init containers with restartPolicy Always — started in their
 * turn and kept running), app containers, restartPolicy and back-off,
 * liveness and startup failures, spec changes (hash), deletion
 * (deletionTimestamp, grace from metadata.deletionGracePeriodSeconds, else
 * terminationGracePeriodSeconds), activeDeadlineSeconds, terminal pods.
 * README.md ("The pod worker") has the rules. Never fails.
 */
void kl_agent__pod_plan(const struct kl_agent__pod_obs *o, const struct kl_agent__backoff_opts *b,
                        int64_t now_usec, struct kl_agent__plan *ret);

/* ------------------------------------------------------------------------- */
/* Status (pod-status.c) */

struct kl_agent__status_ctx {
        const char *host_ip;               /* the node's first InternalIP, or NULL */
        const char *const *pod_ips;        /* NULL-terminated or NULL (no pod network yet) */
        const struct kl_agent__plan *plan; /* waiting reasons, terminal reason; may be NULL */
};

/**
 * The pod's new status (a new object): phase (upstream's getPhase, never
 * leaving Succeeded or Failed), conditions (PodReadyToStartContainers,
 * Initialized, Ready, ContainersReady, PodScheduled kept; lastTransitionTime
 * kept from the pod's current status unless the condition's status
 * changed), hostIP(s), podIP(s), startTime (kept once set), qosClass,
 * initContainerStatuses and containerStatuses in spec order (state,
 * lastState, ready, started, restartCount, image, imageID, containerID),
 * reason and message of a terminal pod. Fields of the current status the
 * kubelet does not own (conditions of other owners, nominatedNodeName,
 * resize) are kept.
 */
json_t *kl_agent__pod_status(const struct kl_agent__pod_obs *o,
                             const struct kl_agent__status_ctx *ctx, int64_t now_usec);

/** Whether two statuses differ in anything but the order of their keys. */
bool kl_agent__status_equal(const json_t *a, const json_t *b);

/** The pod's QoS class (Guaranteed, Burstable, BestEffort) as upstream computes it. */
const char *kl_agent__pod_qos(const json_t *pod);

/* ------------------------------------------------------------------------- */
/* What a pod refers to, and containers' environments (pod-env.c) */

/*
 * The ConfigMaps and Secrets of the pod's namespace the pod refers to (env,
 * envFrom, configMap/secret/projected volumes, imagePullSecrets), fetched by
 * the worker before a sync. Objects keyed by name; a referenced object that
 * does not exist is absent.
 */
struct kl_agent__pod_refs {
        json_t *configmaps; /* object: name -> ConfigMap */
        json_t *secrets;    /* object: name -> Secret */
        /* Services for the environment variables (enableServiceLinks): the
         * pod's namespace's and the master service "kubernetes" in default. */
        json_t *services; /* array of Service */
        json_t *pvcs;     /* object: name -> PersistentVolumeClaim of the pod's namespace */
        json_t *pvs;      /* object: name -> PersistentVolume (the claims' spec.volumeName) */
};

void kl_agent__pod_refs_release(struct kl_agent__pod_refs *r);

/** The names the pod refers to (sorted, unique, NULL-terminated, owned; empty vectors as NULL). */
void kl_agent__pod_ref_names(const json_t *pod, char ***ret_configmaps, char ***ret_secrets);
/** The claims the pod's volumes name, ephemeral ones as "<pod>-<volume>" (volumes-local.c; as
 * above). */
void kl_agent__pod_pvc_names(const json_t *pod, char ***ret);

/* Facts the downward API needs that the pod object does not hold. */
struct kl_agent__node_facts {
        const char *node_name;
        const char *host_ip;               /* or NULL */
        const char *const *pod_ips;        /* NULL-terminated or NULL */
        const char *service_account_token; /* not used for env */
        int64_t alloc_cpu_milli;           /* node allocatable: limits.cpu when unset */
        int64_t alloc_memory;              /* bytes */
        int64_t alloc_ephemeral;           /* bytes */
        const char *local_volumes_dir;     /* where local-path volumes made here are recorded */
};

/**
 * The environment of `container` (a new NULL-terminated "K=V" vector): the
 * service variables first, then envFrom in order, then env in order, with
 * $(VAR) references to earlier entries expanded, as upstream's
 * makeEnvironmentVariables. Errors are upstream's texts, for the
 * CreateContainerConfigError the status shows: `configmap "x" not found`,
 * `couldn't find key k in ConfigMap ns/x`, `secret "x" not found`.
 * The image's environment is not included (pod-spec.c puts it first).
 */
int kl_agent__container_env(const json_t *pod, const json_t *container,
                            const struct kl_agent__pod_refs *refs,
                            const struct kl_agent__node_facts *node, char ***ret_env,
                            struct kl_err **err);

/**
 * Expand $(VAR) in `s` from `env` ("K=V" vector, later entries win): $$
 * becomes $, unknown references stay as written (upstream's expansion).
 * A new string.
 */
char *kl_agent__expand(const char *s, char *const *env);

/**
 * A downward API field (fieldRef.fieldPath: metadata.name, metadata.namespace,
 * metadata.uid, metadata.labels, metadata.labels['k'], metadata.annotations,
 * metadata.annotations['k'], spec.nodeName, spec.serviceAccountName,
 * status.hostIP, status.hostIPs, status.podIP, status.podIPs) as text; the
 * maps as upstream formats them for files (k="v" lines, sorted). -EINVAL
 * for an unsupported path.
 */
int kl_agent__field_ref(const json_t *pod, const struct kl_agent__node_facts *node,
                        const char *path, char **ret, struct kl_err **err);
/**
 * A resourceFieldRef (limits.cpu, requests.memory, ...) of `container`
 * with `divisor` (NULL: 1), rounded up as upstream; limits fall back to the
 * node's allocatable.
 */
int kl_agent__resource_ref(const json_t *container, const struct kl_agent__node_facts *node,
                           const char *resource, const char *divisor, char **ret,
                           struct kl_err **err);

/**
 * Credentials for pulling `image` (a normalised reference) from the pod's
 * imagePullSecrets (kubernetes.io/dockerconfigjson or dockercfg), matched
 * by registry host as upstream's credential provider keyring does (longest
 * match, "docker.io" also as "index.docker.io", "https://" prefixes and
 * paths tolerated, "auth" base64 or username/password). Returns 1 with
 * *ret_user and *ret_password (owned) set, 0 when no secret has the
 * registry. Malformed secrets are skipped.
 */
int kl_agent__pull_auth(const json_t *pod, const struct kl_agent__pod_refs *refs, const char *image,
                        char **ret_user, char **ret_password);

/* ------------------------------------------------------------------------- */
/* The pod's volumes (volumes.c, volumes-projected.c, volumes-local.c) */

/* Where a pod volume is on the host, for bind mounts into its containers. */
struct kl_agent__volume {
        char *name;
        char *path;    /* a directory (or a file, for a hostPath File) */
        bool readonly; /* the volume itself is read-only (configMap, secret, ...) */
};

struct kl_agent__volumes {
        struct kl_agent__volume *v;
        size_t n;
};

void kl_agent__volumes_release(struct kl_agent__volumes *v);
const struct kl_agent__volume *kl_agent__volumes_find(const struct kl_agent__volumes *v,
                                                      const char *name);

/**
 * Set up (or bring up to date) every volume of `pod` under `pod_dir`
 * (<data-dir>/agent/pods/<uid>): emptyDir (a directory; medium Memory: a
 * tmpfs with sizeLimit), configMap, secret (on a tmpfs), projected,
 * downwardAPI (files written atomically through upstream's ..data symlink
 * swap, so a running container sees an update appear whole; modes, items,
 * optional), hostPath (type checked, DirectoryOrCreate/FileOrCreate made).
 * Blocking (disk, mounts): on the pool. Errors name the volume, as
 * upstream's FailedMount events: `configmap "x" not found`.
 */
int kl_agent__volumes_setup(const json_t *pod, const struct kl_agent__pod_refs *refs,
                            const struct kl_agent__node_facts *node, const char *pod_dir,
                            struct kl_agent__volumes *ret, struct kl_err **err);

/** Unmount and remove everything under `pod_dir`. Blocking. A missing directory is 0. */
int kl_agent__volumes_teardown(const char *pod_dir, struct kl_err **err);

/*
 * The local-path volumes this node made a directory for: one file per
 * PersistentVolume in `dir` (its name) holding the directory and the claim
 * ("path\nnamespace/name\n"), written when a pod first mounts it. Once the
 * PersistentVolume is gone from the API and no pod of the node uses the
 * claim, housekeeping removes the directory (the job k3s's helper pod does).
 */
struct kl_agent__local_volume {
        char *pv;    /* "pvc-<uid>" */
        char *path;  /* the directory */
        char *claim; /* "namespace/name" */
};
void kl_agent__local_volumes_free(struct kl_agent__local_volume *v, size_t n);
/* Every record in `dir`; malformed ones are skipped. *ret owned. */
int kl_agent__local_volumes_list(const char *dir, struct kl_agent__local_volume **ret,
                                 size_t *ret_n);
/*
 * Remove the volume's directory (never following a symbolic link, never
 * leaving its file system) and then its record.
 */
int kl_agent__local_volume_remove(const char *dir, const struct kl_agent__local_volume *v,
                                  struct kl_err **err);

/*
 * What the three files of the volumes share. volumes.c sets a pod's volumes
 * up, each by its kind: emptyDir itself, configMap, secret, downwardAPI and
 * projected through volumes-projected.c, hostPath and persistentVolumeClaim
 * through volumes-local.c. Blocking, on the pool, like the rest.
 */

/* One set-up of a pod's volumes. Borrowed. */
struct kl_agent__vol_ctx {
        const json_t *pod;
        const struct kl_agent__pod_refs *refs;
        const struct kl_agent__node_facts *node;
        const char *pod_dir;
};

/* Append a volume (copies of `name` and `path`) to `v`. */
void kl_agent__vol_add(struct kl_agent__volumes *v, const char *name, const char *path,
                       bool readonly);
/* A boolean field of `obj`; false when absent or not a boolean. */
bool kl_agent__vol_get_bool(const json_t *obj, const char *key);
/* A string field of `obj` (borrowed); NULL when absent or not a string. */
const char *kl_agent__vol_get_str(const json_t *obj, const char *key);
/* qsort() comparison of two `char *`. */
int kl_agent__vol_cmp_str(const void *a, const void *b);

/* A directory below `dirfd`, never through a symlink: a descriptor or -1 with errno. */
int kl_agent__vol_open_dir_at(int dirfd, const char *name);
/**
 * A stream over the entries of the directory `fd` (borrowed; it stays
 * open), from the first entry however far an earlier stream over `fd`
 * read. *ret_dir is owned (closedir()); -errno on failure.
 */
int kl_agent__vol_opendir_fd(int fd, DIR **ret_dir);
/**
 * The next entry of `d` other than "." and ".." (borrowed from `d`, valid
 * until the next call), like readdir() but with its error in *ret_error:
 * NULL with 0 at the end, NULL with -errno on a failure (0 with an entry).
 */
struct dirent *kl_agent__vol_next_entry(DIR *d, int *ret_error);
/**
 * Remove `name` in `dirfd`, whatever it is; a directory with everything
 * under it, never following a symlink nor leaving its file system (-EBUSY
 * for a directory on another one). ENOENT is 0; else -errno.
 */
int kl_agent__vol_rm_at(int dirfd, const char *name);

/**
 * A directory at `path` (not a symlink), made with `mode` when missing
 * (chmod'ed to it); an existing one is chmod'ed to `mode` when `force_mode`.
 */
int kl_agent__vol_ensure_dir(const char *path, mode_t mode, bool force_mode, struct kl_err **err);
/* A tmpfs at `path` (once: setup runs at every sync). size 0: no size option (half of RAM). */
int kl_agent__vol_ensure_tmpfs(const char *path, int64_t size, struct kl_err **err);
/**
 * The size of a memory-backed volume (upstream's
 * calculateEmptyDirMemorySize): the node's allocatable memory, lowered to
 * the pod's memory limit, lowered to `size_limit`. 0: no size option.
 */
int64_t kl_agent__vol_memory_size(const json_t *pod, const struct kl_agent__node_facts *node,
                                  int64_t size_limit);
/* <pod_dir>/volumes/<plugin>/<name> in *ret (owned), its parents made. */
int kl_agent__vol_plugin_dir(const struct kl_agent__vol_ctx *c, const char *plugin,
                             const char *name, char **ret, struct kl_err **err);

/**
 * configMap, secret, downwardAPI and projected (`type`, the key of `vol`):
 * the payload through the atomic writer (volumes-projected.c).
 */
int kl_agent__vol_setup_payload(const struct kl_agent__vol_ctx *c, const json_t *vol,
                                const char *name, const char *type, struct kl_agent__volumes *out,
                                struct kl_err **err);
/**
 * hostPath `hp` (a HostPathVolumeSource, of a pod volume or of a
 * PersistentVolume): upstream's checkType, DirectoryOrCreate/FileOrCreate
 * made (volumes-local.c).
 */
int kl_agent__vol_setup_host_path(const json_t *hp, const char *name, bool readonly,
                                  struct kl_agent__volumes *out, struct kl_err **err);
/** persistentVolumeClaim and ephemeral: the claim's bound volume (volumes-local.c). */
int kl_agent__vol_setup_claim(const struct kl_agent__vol_ctx *c, const json_t *vol,
                              const char *name, struct kl_agent__volumes *out, struct kl_err **err);

/* ------------------------------------------------------------------------- */
/* Containers as the runtime runs them (pod-spec.c) */

struct kl_agent__ctr_inputs {
        const json_t *pod;
        const json_t *container; /* an element of spec.containers or spec.initContainers */
        enum kl_agent__ctr_kind kind;
        unsigned attempt;
        const char *id;                         /* the new container's runtime id (borrowed) */
        const struct kl_rt_image_config *image; /* the image's defaults and layers */
        const char *image_ref;                  /* for the label: name@digest */
        char *const *env;                       /* from kl_agent__container_env() */
        const struct kl_agent__volumes *volumes;
        const struct kl_ctr_runtime *rt; /* sandbox namespace paths */
        const char *sandbox_id;          /* the pod's sandbox */
        const char *pod_dir;             /* <data-dir>/agent/pods/<uid>: etc-hosts, ... */
        const char *log_path;            /* /var/log/pods/NS_POD_UID/NAME/ATTEMPT.log */
        const char *hostname;            /* the pod's hostname (spec.hostname or name) */
};

/**
 * The runtime config of a container: command and args over the image's
 * entrypoint and cmd ($(VAR) expanded), the image's env then the
 * container's, workingDir, securityContext (runAsUser/Group, groups,
 * capabilities, privileged, readOnlyRootFilesystem, allowPrivilegeEscalation,
 * seccompProfile, pod-level defaults), resources (memory limit, CPU quota
 * from limits, shares from requests, as upstream's cgroup conversion),
 * namespaces (the sandbox's net/IPC/UTS, or the host's for hostNetwork,
 * hostIPC; hostPID; shareProcessNamespace), volumeMounts (subPath,
 * readOnly, mountPropagation) over the volumes, /etc/hosts, /etc/hostname,
 * /etc/resolv.conf and the termination message file, tty and stdin, the
 * labels above and the stop signal. -EINVAL with upstream's wording for
 * what cannot be run (a missing volume, a subPath escaping the volume).
 */
int kl_agent__ctr_config(const struct kl_agent__ctr_inputs *in, struct kl_ctr_config *ret,
                         struct kl_err **err);

/** The log path of an attempt: <log_dir>/<ns>_<pod>_<uid>/<container>/<attempt>.log. Owned. */
char *kl_agent__log_path(const char *log_dir, const json_t *pod, const char *container,
                         unsigned attempt);

/* ------------------------------------------------------------------------- */
/* Probes (probe.c: one run; prober.c: the schedule) */

enum kl_agent__probe_kind {
        KL_AGENT__PROBE_STARTUP,
        KL_AGENT__PROBE_LIVENESS,
        KL_AGENT__PROBE_READINESS,
};

/* "Startup", "Liveness", "Readiness" (for messages and events). */
const char *kl_agent__probe_kind_name(enum kl_agent__probe_kind k);

/* Where a probe goes. Borrowed. */
struct kl_agent__probe_target {
        struct kl_ctr_runtime *rt;
        const char *ctr_id;      /* exec probes run in this container */
        const char *netns;       /* the pod's network namespace file; NULL: the host's */
        const char *pod_ip;      /* httpGet/tcpSocket/grpc default host; NULL: 127.0.0.1 */
        const json_t *container; /* named ports (httpGet.port: "http") */
};

enum kl_agent__probe_result {
        KL_AGENT__PROBE_SUCCESS,
        KL_AGENT__PROBE_FAILURE,
};

/**
 * Run `probe` (a Probe object) once, at most its timeoutSeconds: exec (exit
 * code 0), httpGet (a status 200-399, headers and scheme as given; HTTPS
 * without verification, as upstream), tcpSocket (a connection), grpc (the
 * health checking protocol's Check answering SERVING). Sockets are opened
 * inside `netns` so that 127.0.0.1 is the pod's. *ret_message (may be NULL)
 * gets upstream's wording of a failure ("HTTP probe failed with statuscode:
 * 500"), or the output of a successful exec. Blocking: on the pool.
 */
enum kl_agent__probe_result kl_agent__probe_run(const json_t *probe,
                                                const struct kl_agent__probe_target *t,
                                                char **ret_message);

/*
 * A probe worker: one probe of one running container attempt, on the loop.
 * It waits initialDelaySeconds, then runs the probe every periodSeconds on
 * the pool, and counts successes and failures against successThreshold and
 * failureThreshold. The callback hears of each change of the result
 * (readiness: false until the first success; startup: true once; liveness:
 * false once failureThreshold is reached, after which the worker stops).
 */
typedef void kl_agent__prober_fn(void *arg, enum kl_agent__probe_kind kind, bool ok,
                                 const char *message);

struct kl_agent__prober;

/**
 * Start a worker for `probe` (copied) against `target` (copied). Probes of
 * kinds other than startup wait until kl_agent__prober_enable() when
 * `wait_for_startup` is set.
 */
int kl_agent__prober_start(uv_loop_t *loop, const json_t *probe, enum kl_agent__probe_kind kind,
                           const struct kl_agent__probe_target *target, bool wait_for_startup,
                           kl_agent__prober_fn *cb, void *arg, struct kl_agent__prober **ret,
                           struct kl_err **err);
/**
 * Let a worker that waits for the startup probe begin. Its initial delay
 * counts from kl_agent__prober_start() (the container's start), as upstream.
 */
void kl_agent__prober_enable(struct kl_agent__prober *p);
/** Stop: no callback after this; a probe running on the pool finishes and is dropped. NULL ok. */
void kl_agent__prober_stop(struct kl_agent__prober *p);

/* ------------------------------------------------------------------------- */
/* The pod's resolv.conf (pod-dns.c): pure */

struct kl_agent__dns_opts {
        const char *cluster_dns;    /* the cluster DNS server's IP; NULL: none configured */
        const char *cluster_domain; /* "cluster.local" */
};

/*
 * The resolv.conf of `pod` (upstream's GetPodDNS for its dnsPolicy and
 * dnsConfig) over the node's resolver file `host_text` (may be NULL).
 * *ret_missing_dns: ClusterFirst was asked for but there is no cluster DNS
 * (upstream's MissingClusterDNS: the node's resolvers were used).
 */
char *kl_agent__pod_resolv_conf(const json_t *pod, const char *host_text,
                                const struct kl_agent__dns_opts *o, bool *ret_missing_dns);

/* ------------------------------------------------------------------------- */
/* The pod workers (pods.c) */

struct kl_agent__pods_options {
        const char *node_name;
        const char *const *node_ips;        /* NULL-terminated; the first is the host IP */
        const char *pods_dir;               /* <data-dir>/agent/pods: one directory per pod uid */
        const char *local_volumes_dir;      /* <data-dir>/agent/local-volumes: records */
        const char *log_dir;                /* /var/log/pods */
        const char *cluster_domain;         /* NULL: cluster.local */
        const char *cluster_dns;            /* NULL: none (pods get the node's resolvers) */
        const char *resolv_conf;            /* the node's; NULL: /etc/resolv.conf */
        struct kl_ctr_runtime *rt;          /* borrowed */
        struct kl_agent__network *network;  /* borrowed; NULL: no pod network */
        struct kl_rt_store *images;         /* borrowed; used from the pool under `images_lock` */
        pthread_mutex_t *images_lock;       /* borrowed: the store is one thread's at a time */
        const struct kl_rt_pull_opts *pull; /* borrowed; may be NULL */
        struct kl_agent__backoff_opts backoff;
        kl_usec_t sync_period;   /* every pod is synced at least this often; 0: 60 s */
        int64_t alloc_cpu_milli; /* the node's allocatable, for resourceFieldRef */
        int64_t alloc_memory;
        int64_t alloc_ephemeral;
};

struct kl_agent__pods;

/**
 * Start the pod workers on `client`'s loop: an informer on the pods bound to
 * the node, one worker per pod, an inotify watch on each container's state
 * directory, housekeeping of what belongs to no pod. `client` and the
 * borrowed options outlive kl_agent__pods_stop().
 */
int kl_agent__pods_start(struct kl_client *client, const struct kl_agent__pods_options *o,
                         struct kl_agent__pods **ret, struct kl_err **err);
/**
 * Stop: nothing more is started, written or killed; containers keep running
 * (a restarted agent adopts them). Work on the pool finishes and is dropped;
 * `freed` (may be NULL) runs once nothing of the workers is left, from then
 * on the runtime and the image store may go. NULL is a no-op.
 */
void kl_agent__pods_stop(struct kl_agent__pods *p, void (*freed)(void *arg), void *arg);

#endif
