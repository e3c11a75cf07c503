/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The contract between the controller manager (manager.c) and the
 * controllers (a file each). Included only inside pkg/controllers/.
 *
 * Every controller is split in two:
 *
 *   a pure reconcile   (objects in, writes out): given the object being
 *                      reconciled and the related objects the manager's
 *                      informers hold, it appends the writes that move the
 *                      cluster one step towards the desired state to a
 *                      struct kl_ctrl_actions, and may ask to be called
 *                      again after a delay. It does no I/O and reads no
 *                      clock (`now` is an input), so unit tests drive it
 *                      table-driven with hand-written objects.
 *   a sync             (the manager calls it with a work-queue key): looks
 *                      the inputs up in the informers and calls the reconcile.
 *
 * The manager then performs the actions through the client, all at once,
 * and ends the key when every write has finished. The in-process client
 * updates the informers before a write's callback runs, so the next sync
 * of the key sees its own writes (this replaces client-go's
 * "expectations"). A write that fails with a conflict or a transient error
 * re-queues the key with back-off; the event is logged once.
 *
 * Objects are borrowed from the informers: never modified (copy first) and
 * never kept past the call.
 */
#ifndef KL_CONTROLLERS_CTRL_INTERNAL_H
#define KL_CONTROLLERS_CTRL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api/resource.h"
#include "base/base.h"
#include "client/client.h"
#include "controllers/controllers.h"

/* ------------------------------------------------------------------------- */
/* Actions */

enum kl_ctrl_op {
        KL_CTRL_CREATE,
        KL_CTRL_UPDATE, /* PUT, with the resourceVersion of the object read: CAS */
        KL_CTRL_PATCH,
        KL_CTRL_DELETE,
        KL_CTRL_EVENT,
};

struct kl_ctrl_action {
        enum kl_ctrl_op op;
        const struct kl_api_resource *res; /* static; the Event row for KL_CTRL_EVENT */
        char *ns;                          /* owned; NULL for cluster-scoped kinds */
        char *name;                        /* owned; NULL for creates */
        const char *sub;                   /* static: "status", "binding", ...; or NULL */
        int patch_type;                    /* enum kl_api_patch_type, for patches */
        json_t *obj; /* owned: the body, the patch, DeleteOptions (may be NULL), or for events
                        the involved object (a reference) */
        /* Events only: */
        const char *event_type; /* static: "Normal" or "Warning" */
        char *reason;           /* owned */
        char *message;          /* owned */
};

struct kl_ctrl_actions {
        struct kl_ctrl_action *v;
        size_t n, cap;
};

/* Append an action; `obj` and `patch` are stolen, strings copied. */
void kl_ctrl_create(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                    json_t *obj);
void kl_ctrl_update(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                    const char *name, const char *sub, json_t *obj);
void kl_ctrl_patch(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                   const char *name, const char *sub, int patch_type, json_t *patch);
/* `delete_opts` (stolen, may be NULL): a DeleteOptions object (propagationPolicy, preconditions).
 */
void kl_ctrl_delete(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                    const char *name, json_t *delete_opts);
/* An Event about `involved` (borrowed; the reference is taken from its metadata). */
void kl_ctrl_event(struct kl_ctrl_actions *a, const json_t *involved, const char *type,
                   const char *reason, const char *fmt, ...) KL_PRINTF(5, 6);
void kl_ctrl_actions_clear(struct kl_ctrl_actions *a);
static inline void kl_ctrl_actions_clearp(struct kl_ctrl_actions *a)
{
        kl_ctrl_actions_clear(a);
}

/* ------------------------------------------------------------------------- */
/* Helpers every controller uses (util.c) */

/* The row of a kind everyone uses, by short name: "pods", "replicasets", ... (static). */
const struct kl_api_resource *kl_ctrl_res(const char *group, const char *plural);

/* metadata.<field> as a string, or NULL. */
const char *kl_ctrl_meta_str(const json_t *obj, const char *field);
/* The ownerReference with controller: true, or NULL. */
const json_t *kl_ctrl_controller_ref(const json_t *obj);
/* Whether `obj` has an ownerReference to the object with uid `uid`. */
bool kl_ctrl_is_owned_by(const json_t *obj, const char *uid);
/* A new ownerReference to `owner` (apiVersion/kind from it) with controller and
 * blockOwnerDeletion true. */
json_t *kl_ctrl_owner_ref(const json_t *owner);
/* metadata.deletionTimestamp is set. */
bool kl_ctrl_is_deleting(const json_t *obj);
/* Parse an RFC 3339 time field value; 0 when absent or malformed. */
kl_usec_t kl_ctrl_time(const json_t *v);
/* An RFC 3339 time string (seconds precision, as metav1.Time) of `t`, new. */
json_t *kl_ctrl_time_json(kl_usec_t t);

/* Pod helpers (upstream's podutil): */
bool kl_ctrl_pod_is_active(const json_t *pod); /* not Succeeded/Failed, not deleting */
bool kl_ctrl_pod_is_ready(const json_t *pod);  /* Ready condition True */
/* Ready for at least `min_ready_sec` at `now` (the Ready condition's lastTransitionTime). */
bool kl_ctrl_pod_is_available(const json_t *pod, int64_t min_ready_sec, kl_usec_t now);

/*
 * A pod from a template (spec.template of a workload) as upstream's
 * GetPodFromTemplate: labels, annotations, finalizers and spec of the
 * template, generateName "<prefix>-" (prefix: the owner's name), the owner
 * reference. New.
 */
json_t *kl_ctrl_pod_from_template(const json_t *tmpl, const json_t *owner, const char *prefix);

/*
 * Set or replace the condition of type `type` in the array `conds` (created
 * in `status` when absent), keeping lastTransitionTime when status did not
 * change, as upstream's SetCondition helpers.
 */
void kl_ctrl_set_condition(json_t *status, const char *type, const char *cond_status,
                           const char *reason, const char *message, kl_usec_t now);
/* The condition of type `type` in status.conditions, or NULL. */
const json_t *kl_ctrl_get_condition(const json_t *obj, const char *type);

/*
 * Remove every null member of the objects in `v`, recursively: Go decodes a
 * null as the field's zero value, so upstream's comparisons of objects
 * (EqualIgnoreHash, semantic.DeepEqual) do not see them.
 */
void kl_ctrl_strip_nulls(json_t *v);

/*
 * A hash of a pod template as upstream's controller.ComputeHash (FNV-32a of
 * the template, with collisionCount), rendered as upstream's
 * rand.SafeEncodeString: the pod-template-hash label and ControllerRevision
 * names.
 */
char *kl_ctrl_template_hash(const json_t *tmpl, const json_t *collision_count);

/* ------------------------------------------------------------------------- */
/* The manager's view (manager.c) */

/* The shared informers, one per kind, created on demand. */
enum kl_ctrl_inf {
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_NODES,
        KL_CTRL_INF_NAMESPACES,
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_ENDPOINTS,
        KL_CTRL_INF_ENDPOINTSLICES,
        KL_CTRL_INF_SERVICEACCOUNTS,
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF_DEPLOYMENTS,
        KL_CTRL_INF_STATEFULSETS,
        KL_CTRL_INF_DAEMONSETS,
        KL_CTRL_INF_CONTROLLERREVISIONS,
        KL_CTRL_INF_JOBS,
        KL_CTRL_INF_CRONJOBS,
        KL_CTRL_INF_PVCS,
        KL_CTRL_INF_PVS,
        KL_CTRL_INF_STORAGECLASSES,
        KL_CTRL_INF_LEASES,
        KL_CTRL_INF_CONFIGMAPS,
        KL_CTRL_INF_SECRETS,
        KL_CTRL_INF_PDBS,
        KL_CTRL_INF__COUNT,
};

struct kl_ctrl_manager;
struct kl_ctrl;

/* What a controller's sync gets. */
struct kl_ctrl_env {
        struct kl_ctrl_manager *m;
        struct kl_client *client;
        const struct kl_controllers_options *opts;
        kl_usec_t now; /* the wall clock at the start of the sync (kl_now_realtime()) */
};

/*
 * The informer of a kind. The manager creates one per kind named in any
 * enabled controller's `watches` or `reads`, and starts syncing keys only
 * once all of them have synced.
 */
const struct kl_informer *kl_ctrl_informer(const struct kl_ctrl_env *env, enum kl_ctrl_inf i);
/* The resource row of an informer kind (static). */
const struct kl_api_resource *kl_ctrl_inf_resource(enum kl_ctrl_inf i);

/*
 * One controller, as static data. `watches` names the informers whose
 * events concern it; for each event `enqueue` queues the keys of the
 * objects to reconcile (kl_ctrl_enqueue()) — e.g. a pod event queues the
 * key of its controlling ReplicaSet. An add has `old` NULL, a delete has
 * `obj` NULL (and `old` the last state), an update has both. Once every
 * informer has synced, the manager calls `enqueue` as an add for every
 * object of every watched informer (the initial full pass), then `start`
 * (may be NULL) for keys that no object names. `sync` reconciles one key: it appends
 * actions and may set *requeue_after (0: no) to be called again later
 * (minReadySeconds, deadlines, cron schedules). A negative return retries
 * with back-off (log the cause in `err`).
 */
struct kl_ctrl_def {
        const char *name; /* "replicaset": log and work-queue name */
        const char *user; /* "system:serviceaccount:kube-system:replicaset-controller" */
        /* The events' source when it is not the last part of `user` (upstream's
         * daemonset-controller runs as daemon-set-controller); may be NULL. */
        const char *component;
        const enum kl_ctrl_inf *watches; /* terminated by KL_CTRL_INF__COUNT */
        const enum kl_ctrl_inf *reads;   /* also needed, without events; may be NULL */
        void (*enqueue)(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                        const json_t *obj);
        int (*sync)(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err);
        void (*start)(struct kl_ctrl *c);
};

/* The manager's options (defaults filled in), for enqueue callbacks. */
const struct kl_controllers_options *kl_ctrl_options(const struct kl_ctrl *c);
/* The informer of a kind, for enqueue callbacks (which get no env). */
const struct kl_informer *kl_ctrl_informer_of(const struct kl_ctrl *c, enum kl_ctrl_inf i);
/* Queue a key of controller `c` (from an enqueue callback). */
void kl_ctrl_enqueue(struct kl_ctrl *c, const char *key);
/* Queue the key of `obj` itself. */
void kl_ctrl_enqueue_obj(struct kl_ctrl *c, const json_t *obj);
/*
 * Queue the key of the controller owning `obj` when its ownerReference with
 * controller: true names kind `kind` (in obj's namespace).
 */
void kl_ctrl_enqueue_owner(struct kl_ctrl *c, const json_t *obj, const char *kind);

/*
 * Start the given controllers (controllers.c picks them from the options;
 * integration tests pass their own list) on `client`.
 */
int kl_controllers__manager_start(struct kl_client *client,
                                  const struct kl_controllers_options *opts,
                                  const struct kl_ctrl_def *const *defs, size_t n_defs,
                                  struct kl_controllers **ret, struct kl_err **err);

/* The controllers (a file each). */
extern const struct kl_ctrl_def kl_ctrl_replicaset;
extern const struct kl_ctrl_def kl_ctrl_deployment;
extern const struct kl_ctrl_def kl_ctrl_statefulset;
extern const struct kl_ctrl_def kl_ctrl_daemonset;
extern const struct kl_ctrl_def kl_ctrl_job;
extern const struct kl_ctrl_def kl_ctrl_cronjob;
extern const struct kl_ctrl_def kl_ctrl_gc;
extern const struct kl_ctrl_def kl_ctrl_namespace;
extern const struct kl_ctrl_def kl_ctrl_serviceaccount;
extern const struct kl_ctrl_def kl_ctrl_endpoints;
extern const struct kl_ctrl_def kl_ctrl_endpointslice;
extern const struct kl_ctrl_def kl_ctrl_nodelifecycle;
extern const struct kl_ctrl_def kl_ctrl_localpath;
extern const struct kl_ctrl_def kl_ctrl_fakekubelet;
extern const struct kl_ctrl_def kl_ctrl_disruption;
extern const struct kl_ctrl_def kl_ctrl_nodeipam;
extern const struct kl_ctrl_def kl_ctrl_servicelb;

/*
 * Each controller's pure reconcile and its inputs are declared below, one
 * section per controller file (its owner edits only its own section).
 */

/* --- replicaset.c, deployment.c ------------------------------------------ */

struct kl_api_label_selector;

/* Pods one ReplicaSet sync creates or deletes at most (upstream's burstReplicas). */
#define KL_CTRL_RS_BURST 500

/*
 * A ReplicaSet sync's inputs (replicaset.c): the ReplicaSet, every pod of its
 * namespace (it claims them by selector and controller reference), and the
 * pods of the ReplicaSets that share its controller, itself included
 * (upstream's "indirectly related pods": they rank which pods to delete by
 * how crowded their nodes are). Arrays of borrowed objects.
 */
struct kl_ctrl_rs_input {
        const json_t *rs;
        const json_t *const *pods;
        size_t n_pods;
        const json_t *const *related;
        size_t n_related;
        kl_usec_t now;
};

/*
 * One step of upstream's syncReplicaSet: adopt and release pods, create
 * (slow start: at most as many as are active, at least 1, at most
 * KL_CTRL_RS_BURST) or delete pods in upstream's preference order, write the
 * status. *requeue_after is set when minReadySeconds must pass before pods
 * count as available. -EINVAL (err set) for an unusable selector: upstream
 * logs it and does not retry.
 */
int kl_ctrl_rs_reconcile(const struct kl_ctrl_rs_input *in, struct kl_ctrl_actions *out,
                         kl_usec_t *requeue_after, struct kl_err **err);

/*
 * Upstream's deletion preference (ActivePodsWithRanks.Less): whether pod `a`
 * (with `rank_a` related pods on its node) goes before pod `b`.
 */
bool kl_ctrl_rs_delete_before(const json_t *a, int rank_a, const json_t *b, int rank_b,
                              kl_usec_t now);

/*
 * A Deployment sync's inputs (deployment.c): the Deployment, every
 * ReplicaSet of its namespace (claimed by selector and controller reference),
 * and the pods controlled by those ReplicaSets (Recreate waits for the old
 * ones to be gone).
 */
struct kl_ctrl_deploy_input {
        const json_t *d;
        const json_t *const *rss;
        size_t n_rss;
        const json_t *const *pods;
        size_t n_pods;
        kl_usec_t now;
};

/*
 * One step of upstream's syncDeployment: claim ReplicaSets, create the new
 * one, scale (rolling update, recreate, proportional scaling, paused),
 * clean up old ReplicaSets beyond revisionHistoryLimit, and write the status
 * and the revision annotation. *requeue_after for progressDeadlineSeconds.
 * -EINVAL (err set) for an unusable selector or strategy.
 */
int kl_ctrl_deploy_reconcile(const struct kl_ctrl_deploy_input *in, struct kl_ctrl_actions *out,
                             kl_usec_t *requeue_after, struct kl_err **err);

/* Helpers both use (deployment-util.c). */

/* The value at a dotted path of object members ("spec.template.metadata"), or NULL. */
const json_t *kl_ctrl_dig(const json_t *v, const char *path);
/* An integer at a path, or `def` when absent or not an integer. */
int64_t kl_ctrl_dig_int(const json_t *v, const char *path, int64_t def);
/* As kl_ctrl_dig_int(), clamped to the int32 range of the API's counts. */
int64_t kl_ctrl_dig_i32(const json_t *v, const char *path, int64_t def);
/* A string at a path, or NULL. */
const char *kl_ctrl_dig_str(const json_t *v, const char *path);
/* spec.selector of `obj` as a selector (a missing one selects nothing). */
int kl_ctrl_selector(const json_t *obj, struct kl_api_label_selector **ret, struct kl_err **err);

/* What upstream's ControllerRefManager does with an object an owner may claim. */
enum kl_ctrl_rs_claim {
        KL_CTRL_RS_CLAIM_IGNORE,  /* someone else's, or not to be touched */
        KL_CTRL_RS_CLAIM_OWNED,   /* ours and selected */
        KL_CTRL_RS_CLAIM_ADOPT,   /* an orphan we select: adopt it */
        KL_CTRL_RS_CLAIM_RELEASE, /* ours but no longer selected: release it */
};
enum kl_ctrl_rs_claim kl_ctrl_rs_claim(const json_t *owner, const struct kl_api_label_selector *sel,
                                       const json_t *obj);
/* The strategic merge patches that adopt `obj` into `owner` and release it (new). */
json_t *kl_ctrl_adopt_patch(const json_t *owner, const json_t *obj);
json_t *kl_ctrl_release_patch(const json_t *owner, const json_t *obj);
/* Older creationTimestamp first, then by name (upstream's ...ByCreationTimestamp). */
int kl_ctrl_cmp_creation(const json_t *a, const json_t *b);

/*
 * One Deployment sync in progress, shared by deployment.c (claims, the new
 * ReplicaSet, actions), deployment-status.c (status, conditions) and
 * deployment-rolling.c (the strategies, scaling, clean-up). Writes go to
 * working copies and become actions at the end, one per object, so that a
 * ReplicaSet changed twice in a sync (annotations, then scale) is written
 * once.
 */
struct kl_ctrl_dep_rs {
        json_t *obj;        /* owned: the working copy */
        const json_t *orig; /* borrowed from the input; NULL for one being created */
        bool dirty;         /* changed: written back with an update */
        bool deleted;       /* deleted by revisionHistoryLimit */
};

struct kl_ctrl_dep {
        const struct kl_ctrl_deploy_input *in;
        const json_t *d;             /* borrowed: in->d */
        struct kl_ctrl_actions *out; /* borrowed */
        json_t *status;              /* owned: the working status */
        json_t *annotations;         /* owned: the working metadata.annotations */
        struct kl_ctrl_dep_rs *rs;   /* owned: the claimed ReplicaSets, then any created */
        size_t n_rs;
        struct kl_ctrl_dep_rs *new_rs; /* into rs, or NULL */
        int64_t replicas;              /* spec.replicas */
        bool stop;                     /* the sync ends here (a name collision) */
        bool wait_pods;                /* Recreate waits for old pods to go */
        kl_usec_t requeue;             /* 0 or a delay */
};

/* deployment.c */

/* spec.replicas of a ReplicaSet (default 1), and status counts (default 0). */
int64_t kl_ctrl_dep_rs_spec(const struct kl_ctrl_dep_rs *rs);
int64_t kl_ctrl_dep_rs_count(const struct kl_ctrl_dep_rs *rs, const char *status_field);
/* Upstream's MaxSurge and MaxUnavailable of the Deployment. */
int64_t kl_ctrl_dep_max_surge(const struct kl_ctrl_dep *w);
int64_t kl_ctrl_dep_max_unavailable(const struct kl_ctrl_dep *w);
/* The new and the old ReplicaSets (getAllReplicaSetsAndSyncRevision); may create the new one. */
void kl_ctrl_dep_get_all(struct kl_ctrl_dep *w, bool create);
/* Scale a ReplicaSet with the replica annotations and the ScalingReplicaSet event. */
bool kl_ctrl_dep_scale_rs(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs *rs, int64_t n);
/* Only when the size differs (scaleReplicaSetAndRecordEvent). */
bool kl_ctrl_dep_scale_rs_if(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs *rs, int64_t n);

/* deployment-status.c */

/* Upstream's DeploymentComplete against a status. */
bool kl_ctrl_dep_complete(const struct kl_ctrl_dep *w, const json_t *status);
/* syncRolloutStatus and syncDeploymentStatus: the new working status. */
void kl_ctrl_dep_sync_rollout_status(struct kl_ctrl_dep *w);
void kl_ctrl_dep_sync_status(struct kl_ctrl_dep *w);
/* spec.progressDeadlineSeconds is set (and not MaxInt32). */
bool kl_ctrl_dep_has_deadline(const json_t *d);
/*
 * Deployment conditions as upstream's deploymentutil: get, new (`now` for
 * both times), and set (nothing when status and reason are unchanged, else
 * replaced at the end, keeping lastTransitionTime while the status is the
 * same; `c` is stolen).
 */
const json_t *kl_ctrl_dep_cond_get(const json_t *status, const char *type);
json_t *kl_ctrl_dep_cond_new(const char *type, const char *status, const char *reason,
                             const char *message, kl_usec_t now);
void kl_ctrl_dep_cond_set(json_t *status, json_t *c);
/* checkPausedConditions. */
void kl_ctrl_dep_check_paused(struct kl_ctrl_dep *w);
/* requeueStuckDeployment: set w->requeue to look again at the progress deadline. */
void kl_ctrl_dep_requeue_stuck(struct kl_ctrl_dep *w, const json_t *st);

/* deployment-rolling.c */

void kl_ctrl_dep_rollout_rolling(struct kl_ctrl_dep *w);
void kl_ctrl_dep_rollout_recreate(struct kl_ctrl_dep *w);
/* The scaling of a paused Deployment or of a scaling event (sync() upstream). */
void kl_ctrl_dep_sync_scale(struct kl_ctrl_dep *w);
/* Delete old ReplicaSets beyond revisionHistoryLimit (cleanupDeployment). */
void kl_ctrl_dep_cleanup(struct kl_ctrl_dep *w);

/* --- statefulset.c, daemonset.c, history.c (ControllerRevisions) --------- */

/* history.c: ControllerRevisions (upstream's controller/history) and claiming. */

struct kl_api_label_selector;

/* The label naming a revision: on revisions and on the pods made from them. */
#define KL_CTRL_REVISION_HASH_LABEL "controller-revision-hash"

/* .revision of a ControllerRevision (0 when absent). */
int64_t kl_ctrl_revision_number(const json_t *rev);
/* Sort by revision, then creationTimestamp, then name (SortControllerRevisions). */
void kl_ctrl_revisions_sort(const json_t **revs, size_t n);
/* One more than the highest revision number; 1 for none. */
int64_t kl_ctrl_revisions_next(const json_t *const *revs, size_t n);
/* Upstream's getPatch of a StatefulSet or DaemonSet:
 * {"spec":{"template":{...,"$patch":"replace"}}}. New. */
json_t *kl_ctrl_revision_patch(const json_t *owner);
/* history.EqualRevision: hash labels (when both set) and data equal. */
bool kl_ctrl_revision_equal(const json_t *a, const json_t *b);
/* "<owner>-<hash>", the owner's name cut to 223 bytes. New. */
char *kl_ctrl_revision_name(const char *owner_name, const char *hash);
/*
 * A new ControllerRevision of `owner` (history.NewControllerRevision): named
 * "<owner>-<hash>", the template's labels plus controller-revision-hash=hash,
 * the owner's annotations (kubectl reads change-cause there), a controller
 * reference, `data` (stolen) and `revision`.
 */
json_t *kl_ctrl_revision_new(const json_t *owner, json_t *data, const char *hash, int64_t revision);
/* A copy of `owner` with the template `rev` stores (ApplyRevision). New. */
json_t *kl_ctrl_revision_apply(const json_t *owner, const json_t *rev);
/* The revision named `name` in `revs`, or NULL. */
const json_t *kl_ctrl_revision_find(const json_t *const *revs, size_t n, const char *name);

/*
 * Upstream's ClaimObjects: of `objs` (n, borrowed), those `owner` controls and
 * `sel` selects (and `member` accepts, when given) go to `ret` (room for n);
 * orphans that match are adopted (a merge patch adding the controller
 * reference, guarded by the object's uid) and go to `ret` too; objects it
 * controls that no longer match are released. Nothing is adopted or
 * released while the owner is being deleted. Returns how many are in `ret`.
 */
size_t kl_ctrl_claim(const json_t *owner, const struct kl_api_label_selector *sel,
                     const struct kl_api_resource *res, const json_t *const *objs, size_t n,
                     bool (*member)(const json_t *owner, const json_t *obj),
                     struct kl_ctrl_actions *out, const json_t **ret);

/* obj.a.b (b may be NULL) as an integer, or `def`. */
int64_t kl_ctrl_int_field(const json_t *obj, const char *a, const char *b, int64_t def);
/* An IntOrString (intstr.GetScaledValueFromIntOrPercent) of `total`; `def` if malformed. */
int64_t kl_ctrl_int_or_percent(const json_t *v, int64_t total, bool round_up, int64_t def);

/* statefulset.c */

/*
 * A StatefulSet sync's inputs: the set and every pod, ControllerRevision and
 * PersistentVolumeClaim of its namespace (borrowed).
 */
struct kl_ctrl_sts_input {
        const json_t *set;
        const json_t *const *pods;
        size_t n_pods;
        const json_t *const *revisions;
        size_t n_revisions;
        const json_t *const *pvcs;
        size_t n_pvcs;
        kl_usec_t now;
};

/*
 * One step of upstream's StatefulSet sync: claim pods and revisions, find or
 * create the update revision (collisions bump status.collisionCount), create
 * claims and pods "<set>-<ordinal>" (OrderedReady: one at a time, each after
 * its predecessors are Running and Ready; Parallel: all), delete condemned
 * pods from the highest ordinal, roll out (RollingUpdate with partition,
 * highest ordinal first, one at a time; OnDelete), fix the claims' owner
 * references for persistentVolumeClaimRetentionPolicy, write the status,
 * and truncate the history to revisionHistoryLimit. -EINVAL (err set) for an
 * unusable selector.
 */
int kl_ctrl_sts_reconcile(const struct kl_ctrl_sts_input *in, struct kl_ctrl_actions *out,
                          kl_usec_t *requeue_after, struct kl_err **err);
/* "<parent>-<ordinal>": the ordinal, or -1 when the name has none. *ret_parent_len if set. */
int64_t kl_ctrl_sts_ordinal(const char *pod_name, size_t *ret_parent_len);

/* daemonset.c */

/* Pods one DaemonSet sync creates or deletes at most (upstream's burstReplicas). */
#define KL_CTRL_DS_BURST 250

/* A DaemonSet sync's inputs: the set, every node, and every pod and revision of its namespace. */
struct kl_ctrl_ds_input {
        const json_t *ds;
        const json_t *const *nodes;
        size_t n_nodes;
        const json_t *const *pods;
        size_t n_pods;
        const json_t *const *revisions;
        size_t n_revisions;
        kl_usec_t now;
};

/*
 * One step of upstream's DaemonSet sync: construct the history (the current
 * revision, renumbered or created), place one pod per eligible node and
 * remove pods from nodes that no longer qualify, replace failed pods, roll
 * out (RollingUpdate with maxUnavailable or maxSurge, OnDelete), clean up
 * the history and write the status.
 */
int kl_ctrl_ds_reconcile(const struct kl_ctrl_ds_input *in, struct kl_ctrl_actions *out,
                         kl_usec_t *requeue_after, struct kl_err **err);
/*
 * NodeShouldRunDaemonPod: whether a daemon pod should be placed on `node`
 * (nodeName, nodeSelector, required node affinity, NoSchedule and NoExecute
 * taints, with the daemon tolerations added) and, in *ret_continue, whether
 * one already there may stay (only untolerated NoExecute taints evict).
 */
bool kl_ctrl_ds_should_run(const json_t *ds, const json_t *node, bool *ret_continue);
/* Add upstream's daemon tolerations to a pod spec (AddOrUpdateDaemonPodTolerations). */
void kl_ctrl_ds_add_tolerations(json_t *spec);
/* Whether `node` matches a pod spec's nodeSelector and required node affinity. */
bool kl_ctrl_node_matches(const json_t *spec, const json_t *node);
/* Whether `tolerations` (array or NULL) tolerate `taint`. */
bool kl_ctrl_tolerates(const json_t *tolerations, const json_t *taint);

/* --- job.c, cronjob.c, cron.c -------------------------------------------- */

/* cron.c: time zones (TZif files, as Go's time.LoadLocation) and cron schedules. */
#define KL_CTRL_ZONEINFO_DIR "/usr/share/zoneinfo"
#define KL_CTRL_TZ_MAX_FILE  ((size_t)512 * 1024) /* larger zone files are refused */
#define KL_CTRL_CRON_MAX_LEN 1024                 /* longer schedules are refused */

struct kl_ctrl_tz; /* NULL everywhere means UTC */
/* The zone `name` of `dir` (NULL: KL_CTRL_ZONEINFO_DIR); "" and "UTC" give *ret NULL (UTC).
 * Errors as Go's: "unknown time zone X", "time: invalid location name". */
int kl_ctrl_tz_load(const char *dir, const char *name, struct kl_ctrl_tz **ret,
                    struct kl_err **err);
/* A zone from the bytes of a TZif file (borrowed). */
int kl_ctrl_tz_parse(const char *name, const void *data, size_t len, struct kl_ctrl_tz **ret,
                     struct kl_err **err);
void kl_ctrl_tz_free(struct kl_ctrl_tz *tz); /* NULL is a no-op */
const char *kl_ctrl_tz_name(const struct kl_ctrl_tz *tz);
/* Seconds east of UTC in force at `sec` (seconds since the epoch). */
int32_t kl_ctrl_tz_offset(const struct kl_ctrl_tz *tz, int64_t sec);
/* RFC 3339 with the zone's offset ("2024-03-10T03:00:00-04:00", "...Z" at UTC), new. */
char *kl_ctrl_tz_format(const struct kl_ctrl_tz *tz, int64_t sec);

struct kl_ctrl_cron;
/* robfig/cron v3 ParseStandard of `spec`; a "TZ=" / "CRON_TZ=" prefix loads the zone from
 * `zoneinfo_dir` (NULL: KL_CTRL_ZONEINFO_DIR). Errors carry robfig's texts. */
int kl_ctrl_cron_parse(const char *spec, const char *zoneinfo_dir, struct kl_ctrl_cron **ret,
                       struct kl_err **err);
void kl_ctrl_cron_free(struct kl_ctrl_cron *c); /* NULL is a no-op */
KL_DEFINE_CLEANUP_FUNC(struct kl_ctrl_cron, kl_ctrl_cron_free);
/* The schedule's zone (borrowed; NULL: UTC). */
const struct kl_ctrl_tz *kl_ctrl_cron_tz(const struct kl_ctrl_cron *c);
/* The first activation strictly after `after` (whole seconds); 0 when none within five years. */
kl_usec_t kl_ctrl_cron_next(const struct kl_ctrl_cron *c, kl_usec_t after);

/* job.c */
#define KL_CTRL_JOB_TRACKING_FINALIZER  "batch.kubernetes.io/job-tracking"
#define KL_CTRL_JOB_INDEX_ANNOTATION    "batch.kubernetes.io/job-completion-index"
#define KL_CTRL_JOB_FAILURES_ANNOTATION "batch.kubernetes.io/job-index-failure-count"
#define KL_CTRL_JOB_MAX_PODS_PER_SYNC   500 /* upstream's MaxPodCreateDeletePerSync */
#define KL_CTRL_JOB_MAX_UNCOUNTED       500 /* upstream's MaxUncountedPods */

struct kl_ctrl_job_input {
        const json_t *job;
        const json_t *const *pods; /* the pods the Job controls (ownerReference uid) */
        size_t n_pods;
        kl_usec_t now;
};
/* One step of upstream's syncJob. *requeue_after: back-off, deadline or TTL (0: none). */
void kl_ctrl_job_reconcile(const struct kl_ctrl_job_input *in, struct kl_ctrl_actions *out,
                           kl_usec_t *requeue_after);
/* Pods still carrying the tracking finalizer of a Job that is gone: remove it. */
void kl_ctrl_job_release_orphans(const json_t *const *pods, size_t n_pods,
                                 struct kl_ctrl_actions *out);

/* cronjob.c */
#define KL_CTRL_CRONJOB_SCHEDULED_ANNOTATION "batch.kubernetes.io/cronjob-scheduled-timestamp"

struct kl_ctrl_cronjob_input {
        const json_t *cronjob;
        const json_t *const *jobs; /* the Jobs it controls */
        size_t n_jobs;
        kl_usec_t now;
        const char *zoneinfo_dir; /* NULL: KL_CTRL_ZONEINFO_DIR */
};
/* One step of upstream's CronJob syncCronJob + cleanupFinishedJobs; *requeue_after: the
 * time to the next schedule (+100 ms, as upstream), 0 for none. */
void kl_ctrl_cronjob_reconcile(const struct kl_ctrl_cronjob_input *in, struct kl_ctrl_actions *out,
                               kl_usec_t *requeue_after);

/* --- gc.c, namespace.c, serviceaccount.c --------------------------------- */

/*
 * Garbage collector (gc.c), one item: `obj` of kind `res`, the owner each
 * of its ownerReferences names (same order; see struct kl_ctrl_gc_owner)
 * and its dependents (objects whose ownerReferences carry its uid), with
 * their kinds. It does what the API server's inline cascade does not:
 * deletes items whose owners are all gone (Background, precondition uid),
 * drops references to gone owners and to owners waiting in the foreground
 * while another owner remains, and ends the orphan and foregroundDeletion
 * finalizers of a deleting item once its dependents allow. A reference to an owner that was not
 * seen although the item was written less than KL_CTRL_GC_OWNER_GRACE ago requeues instead
 * (informers of different kinds are not in step).
 */
#define KL_CTRL_GC_OWNER_GRACE (2 * KL_USEC_PER_SEC)

struct kl_ctrl_gc_owner {
        const json_t *obj; /* the owner with the reference's uid; NULL when absent */
        bool unknown;      /* a kind no informer holds: never treated as absent */
};

struct kl_ctrl_gc_input {
        const json_t *obj;
        const struct kl_api_resource *res;
        const struct kl_ctrl_gc_owner *owners; /* one per metadata.ownerReferences entry */
        size_t n_owners;
        const json_t *const *dependents;
        const struct kl_api_resource *const *dependent_res;
        size_t n_dependents;
        kl_usec_t now;
};

void kl_ctrl_gc_reconcile(const struct kl_ctrl_gc_input *in, struct kl_ctrl_actions *out,
                          kl_usec_t *requeue_after);

/*
 * Namespace lifecycle (namespace.c): a deleting namespace `ns` and what the
 * informers still hold in it (`content`, with kinds). Deletes what is not
 * deleting yet (Background, at most KL_CTRL_NS_DELETE_BATCH per call),
 * keeps the five NamespaceDeletion* / Namespace*Remaining conditions as
 * upstream and, when nothing is left, removes the "kubernetes" finalizer through
 * namespaces/<name>/finalize. Nothing for a namespace that is not deleting.
 */
#define KL_CTRL_NS_DELETE_BATCH 500

struct kl_ctrl_ns_input {
        const json_t *ns;
        const json_t *const *content;
        const struct kl_api_resource *const *content_res;
        size_t n_content;
        kl_usec_t now;
};

void kl_ctrl_ns_reconcile(const struct kl_ctrl_ns_input *in, struct kl_ctrl_actions *out,
                          kl_usec_t *requeue_after);

/*
 * ServiceAccounts (serviceaccount.c): namespace `ns` and its ServiceAccount
 * "default" (NULL when absent): create it in an active namespace.
 */
void kl_ctrl_sa_reconcile(const json_t *ns, const json_t *default_sa, struct kl_ctrl_actions *out);

/*
 * Node lifecycle (nodelifecycle.c), one node: its Lease in kube-node-lease
 * (NULL: none), the pods bound to it, and whether no node of the cluster is
 * Ready (upstream's "master disruption mode": no NoExecute taints then).
 * One write to the node per call (status first, then taints); pods are
 * marked not ready, given the DisruptionTarget condition and deleted when
 * a NoExecute taint they do not tolerate (long enough) is on the node.
 * *requeue_after: the next deadline (lease expiry, an eviction).
 */
#define KL_CTRL_NODE_STARTUP_GRACE (60 * KL_USEC_PER_SEC)

struct kl_ctrl_nodelc_input {
        const json_t *node;
        const json_t *lease;
        const json_t *const *pods;
        size_t n_pods;
        bool no_node_ready;
        kl_usec_t monitor_grace;      /* opts->node_monitor_grace, defaulted */
        kl_usec_t default_toleration; /* opts->default_toleration, defaulted */
        kl_usec_t now;
};

void kl_ctrl_nodelc_reconcile(const struct kl_ctrl_nodelc_input *in, struct kl_ctrl_actions *out,
                              kl_usec_t *requeue_after);

/* --- endpoints.c, endpointslice.c, nodelifecycle.c, localpath.c ---------- */

/*
 * endpoints-util.c: what the Endpoints and EndpointSlice controllers share
 * (upstream's endpointslice/util and podutil.FindPort).
 */

/* spec.selector of a Service when it selects pods (a non-empty object), else NULL. */
const json_t *kl_controllers__ep_selector(const json_t *svc);
/* Whether `pod`'s labels carry every key=value of `selector` (a Service's spec.selector). */
bool kl_controllers__ep_selects(const json_t *selector, const json_t *pod);
/* ShouldPodBeInEndpoints: not terminal, has an IP, not deleting unless `include_terminating`. */
bool kl_controllers__ep_pod_included(const json_t *pod, bool include_terminating);
/* FindPort: the pod's port for a Service port (numeric or named targetPort); false if none. */
bool kl_controllers__ep_find_port(const json_t *pod, const json_t *svc_port, int64_t *ret);
/* An ObjectReference to `pod` (kind, namespace, name, uid), new. */
json_t *kl_controllers__ep_pod_ref(const json_t *pod);
/* ShouldSetHostname: spec.hostname set and spec.subdomain naming the Service. */
bool kl_controllers__ep_set_hostname(const json_t *pod, const json_t *svc);
/* spec.clusterIP is neither "" nor "None" (not headless). */
bool kl_controllers__ep_service_ip_set(const json_t *svc);
/* Whether `ip` is an IPv6 address (text form). */
bool kl_controllers__ep_is_ipv6(const char *ip);
/*
 * The pod's IPs (status.podIPs, or status.podIP when the list is absent),
 * borrowed; at most `max` written to `ips`, the count returned.
 */
size_t kl_controllers__ep_pod_ips(const json_t *pod, const char **ips, size_t max);
/*
 * The value of endpoints.kubernetes.io/last-change-trigger-time: the latest
 * of the Service's creation and the Ready transitions of `pods` (0: none).
 */
kl_usec_t kl_controllers__ep_trigger_time(const json_t *svc, const json_t *const *pods,
                                          size_t n_pods);
/* Whether a pod update can change what Endpoints/EndpointSlices say about it. */
bool kl_controllers__ep_pod_changed(const json_t *old, const json_t *obj);

/* The Endpoints of one Service (endpoints.c). */
struct kl_controllers__endpoints_in {
        const char *ns, *name;     /* the Service's key */
        const json_t *svc;         /* NULL: the Service is gone */
        const json_t *endpoints;   /* the Endpoints of the same name; NULL: none */
        const json_t *const *pods; /* the pods of the namespace, any labels */
        size_t n_pods;
};
void kl_controllers__endpoints_reconcile(const struct kl_controllers__endpoints_in *in,
                                         struct kl_ctrl_actions *out);

/* The EndpointSlices of one Service (endpointslice.c). */
#define KL_CTRL_ENDPOINTSLICE_MAX_ENDPOINTS 100
#define KL_CTRL_ENDPOINTSLICE_MANAGED_BY    "endpointslice-controller.k8s.io"
struct kl_controllers__endpointslice_in {
        const json_t *svc;
        const json_t *const *pods; /* the pods of the namespace, any labels */
        size_t n_pods;
        const json_t *const *slices; /* labelled with the Service's name and managed by us */
        size_t n_slices;
        /* The Node named `name` (for its zone), or NULL when absent. */
        const json_t *(*node)(void *arg, const char *name);
        void *node_arg;
        size_t max_endpoints; /* per slice; 0: KL_CTRL_ENDPOINTSLICE_MAX_ENDPOINTS */
};
/* Returns true when a pod was left out because its Node is unknown: retry later. */
bool kl_controllers__endpointslice_reconcile(const struct kl_controllers__endpointslice_in *in,
                                             struct kl_ctrl_actions *out);

/* The local-path provisioner (localpath.c). */
#define KL_CTRL_LOCALPATH_CLASS       "local-path"
#define KL_CTRL_LOCALPATH_PROVISIONER "rancher.io/local-path"
/* Create the "local-path" StorageClass when `sc` (the informer's) is NULL. */
void kl_controllers__localpath_class_reconcile(const json_t *sc, struct kl_ctrl_actions *out);
struct kl_controllers__localpath_in {
        const char *ns, *name;    /* the claim's key */
        const json_t *pvc;        /* NULL: deleted */
        const json_t *sc;         /* the claim's StorageClass; NULL: absent */
        const json_t *default_sc; /* the default StorageClass, for claims without a class */
        const json_t *const *pvs; /* PersistentVolumes whose claimRef names ns/name */
        size_t n_pvs;
        const json_t *const *pods; /* the pods of the namespace */
        size_t n_pods;
        const char *dir; /* the base directory of volumes on the nodes */
};
void kl_controllers__localpath_reconcile(const struct kl_controllers__localpath_in *in,
                                         struct kl_ctrl_actions *out);

/* --- fakekubelet.c (the lead's) ------------------------------------------ */

/* The index (1..fake_nodes) of a simulated node, or 0 when `name` is not one. */
unsigned kl_controllers__fake_node_index(const struct kl_controllers_options *opts,
                                         const char *name);
/*
 * One step for simulated node `name` (`node`, `lease` as the informers hold
 * them, NULL when absent): create it, give it its status (again after the
 * node lifecycle controller marked it Unknown), renew its Lease.
 * *requeue_after is when the Lease next needs renewing.
 */
void kl_controllers__fake_node_reconcile(const char *name, unsigned index, const json_t *node,
                                         const json_t *lease, kl_usec_t now,
                                         struct kl_ctrl_actions *out, kl_usec_t *requeue_after);
/* One step of the simulated kubelet for `pod` on simulated node `node_index`. */
void kl_controllers__fake_pod_reconcile(const json_t *pod, unsigned node_index, kl_usec_t now,
                                        struct kl_ctrl_actions *out, kl_usec_t *requeue_after);

/* --- disruption.c -------------------------------------------------------- */

/* Upstream's DeletionTimeout: how long a status.disruptedPods entry keeps its pod unhealthy. */
#define KL_CTRL_PDB_DELETION_TIMEOUT ((kl_usec_t)2 * 60 * KL_USEC_PER_SEC)

/*
 * A PodDisruptionBudget sync's inputs: the PDB, the pods of its namespace
 * (any labels: the reconcile applies the selector), and the ReplicaSets,
 * Deployments and StatefulSets of the namespace (the pods' controllers,
 * for their spec.replicas). Arrays of borrowed objects.
 */
struct kl_ctrl_pdb_input {
        const json_t *pdb;
        const json_t *const *pods;
        size_t n_pods;
        const json_t *const *replicasets;
        size_t n_replicasets;
        const json_t *const *deployments;
        size_t n_deployments;
        const json_t *const *statefulsets;
        size_t n_statefulsets;
        kl_usec_t now;
};

/*
 * One step of upstream's disruption controller sync (trySync, failSafe):
 * the events (NoPods, CalculateExpectedPodCountFailed, UnmanagedPods,
 * NotDeleted) and the status write when it changed. *requeue_after: when
 * the next status.disruptedPods entry expires (0: none).
 */
void kl_ctrl_pdb_reconcile(const struct kl_ctrl_pdb_input *in, struct kl_ctrl_actions *out,
                           kl_usec_t *requeue_after);

/* Upstream's stalePodDisruptionTimeout. */
#define KL_CTRL_PDB_STALE_TIMEOUT ((kl_usec_t)2 * 60 * KL_USEC_PER_SEC)
/*
 * A pod whose DisruptionTarget condition is True (not set by the kubelet)
 * while the pod is neither being deleted nor terminal: once the condition
 * is KL_CTRL_PDB_STALE_TIMEOUT old, its status is written with the
 * condition False (upstream's syncStalePodDisruption); before that
 * *requeue_after is the time left.
 */
void kl_ctrl_pdb_stale_pod_reconcile(const json_t *pod, kl_usec_t now, struct kl_ctrl_actions *out,
                                     kl_usec_t *requeue_after);

/* --- nodeipam.c, servicelb.c -------------------------------------------- */

/* Every node gets a /24 of the cluster CIDR (upstream's --node-cidr-mask-size, fixed). */
#define KL_CTRL_NODEIPAM_NODE_PREFIX 24

/*
 * Parse an IPv4 CIDR with a prefix of 8 to 24 bits (host bits are masked
 * off): -EINVAL otherwise.
 */
int kl_controllers__nodeipam_parse(const char *cidr, uint32_t *ret_base, unsigned *ret_prefix);

/*
 * Node IPAM (upstream's range allocator), all nodes at once: the nodes'
 * podCIDRs mark the /24s of `cluster_cidr` that are taken; every node
 * without spec.podCIDR (and not being deleted), oldest first, gets the
 * lowest free one (a merge patch of spec.podCIDR and spec.podCIDRs). When
 * none is left the node gets upstream's CIDRNotAvailable event instead.
 * A podCIDR once set is never changed. -EINVAL for a bad cluster CIDR.
 */
int kl_controllers__nodeipam_reconcile(const char *cluster_cidr, const json_t *const *nodes,
                                       size_t n_nodes, struct kl_ctrl_actions *out,
                                       struct kl_err **err);

/*
 * ServiceLB (k3s's servicelb, without its DaemonSet): the addresses a
 * LoadBalancer Service is reachable at are those of the Ready, schedulable
 * nodes (ExternalIP when a node has one, else InternalIP; IPv4; sorted,
 * each once), restricted to nodes labelled
 * svccontroller.k3s.cattle.io/enablelb=true when any node has that label.
 * The Service's status.loadBalancer.ingress is patched to them, and
 * cleared once the type is not LoadBalancer any more. A Service with
 * spec.loadBalancerClass is another controller's: left alone.
 */
void kl_controllers__servicelb_reconcile(const json_t *svc, const json_t *const *nodes,
                                         size_t n_nodes, struct kl_ctrl_actions *out);

#endif
