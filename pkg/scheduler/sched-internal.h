/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scheduler internals, shared by the files of pkg/scheduler only (STYLE
 * R2.1). README.md has the design; this header has the contracts.
 *
 *   podinfo.c    struct kl_scheduler_pod: a pod parsed ONCE into plain numbers
 *                and small arrays (requests in milli-CPU and bytes,
 *                tolerations, node affinity, ports, pod (anti-)affinity,
 *                topology spread); nodes likewise (allocatable, taints);
 *                nothing downstream reads pod or node JSON but labels
 *   nodeinfo.c   struct kl_scheduler_node and the cache of nodes and assigned
 *                (or assumed) pods: allocatable, requested, taints, pods
 *   queue.c      the scheduling queue: activeQ, backoffQ, unschedulable
 *                pods, with an explicit clock so tests drive time
 *   filters.c    the filter plugins and the per-cycle pre-filter state
 *   scores.c     the score plugins, normalisation, weights, host selection
 *   message.c    the FailedScheduling text, worded as upstream's FitError
 *   volumes.c    PersistentVolumeClaims: VolumeBinding's PreFilter and Filter
 *   scheduler.c  informers, the scheduling cycle, assume-then-bind, events
 *
 * Ownership: every struct kl_scheduler_pod is owned by the scheduler's pod
 * registry (struct kl_scheduler_cache.pods); the queue and the nodes hold
 * borrowed pointers and must be told before a pod is freed. Everything is
 * loop-thread state (DESIGN §2): no locks.
 */
#ifndef KL_SCHEDULER_SCHED_INTERNAL_H
#define KL_SCHEDULER_SCHED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/selector.h"
#include "base/base.h"

/* Upper bounds on the lists of one object (STYLE R5.2); objects are validated before. */
#define KL_SCHEDULER_MAX_LIST 4096

/* ------------------------------------------------------------------------- */
/* The caches index by name with base/strmap.h. */

/* ------------------------------------------------------------------------- */
/* podinfo.c: resources, tolerations, taints, selectors */

/* An extended resource (nvidia.com/gpu, hugepages-2Mi): whole units. */
struct kl_scheduler_scalar {
        char *name; /* owned */
        int64_t value;
};

/* What the resource plugins count, pre-parsed. */
struct kl_scheduler_res {
        int64_t milli_cpu;
        int64_t memory;    /* bytes */
        int64_t ephemeral; /* bytes */
        int64_t pods;      /* allocatable: allowed pods; requested: pods counted */
        struct kl_scheduler_scalar *scalars; /* owned */
        size_t n_scalars;
};

enum kl_scheduler_effect {
        KL_SCHEDULER_EFFECT_ALL, /* a toleration without effect */
        KL_SCHEDULER_EFFECT_NO_SCHEDULE,
        KL_SCHEDULER_EFFECT_PREFER_NO_SCHEDULE,
        KL_SCHEDULER_EFFECT_NO_EXECUTE,
        KL_SCHEDULER_EFFECT__COUNT,
        KL_SCHEDULER_EFFECT__INVALID = -EINVAL,
};

struct kl_scheduler_taint {
        char *key, *value; /* owned; value "" when absent */
        enum kl_scheduler_effect effect;
};

struct kl_scheduler_toleration {
        char *key, *value; /* owned; key "" with exists: every key */
        bool exists;       /* operator Exists (else Equal) */
        enum kl_scheduler_effect effect;
};

bool kl_scheduler__tolerates(const struct kl_scheduler_toleration *t, size_t n,
                             const struct kl_scheduler_taint *taint);

/* A NodeSelectorRequirement (matchExpressions or matchFields). */
enum kl_scheduler_node_op {
        KL_SCHEDULER_OP_IN,
        KL_SCHEDULER_OP_NOT_IN,
        KL_SCHEDULER_OP_EXISTS,
        KL_SCHEDULER_OP_DOES_NOT_EXIST,
        KL_SCHEDULER_OP_GT,
        KL_SCHEDULER_OP_LT,
        KL_SCHEDULER_OP__COUNT,
        KL_SCHEDULER_OP__INVALID = -EINVAL,
};

struct kl_scheduler_node_req {
        char *key; /* owned */
        enum kl_scheduler_node_op op;
        char **values;  /* owned string vector; NULL when empty */
        int64_t number; /* Gt, Lt */
        bool bad;       /* a Gt/Lt value that is not an integer: never matches */
};

/* A NodeSelectorTerm: every expression and field requirement must hold; empty matches nothing. */
struct kl_scheduler_node_term {
        struct kl_scheduler_node_req *exprs, *fields; /* owned */
        size_t n_exprs, n_fields;
        int32_t weight; /* preferred terms only */
};

bool kl_scheduler__node_term_matches(const struct kl_scheduler_node_term *t, const char *node_name,
                                     const json_t *labels);

/* A PodAffinityTerm, pre-parsed. */
struct kl_scheduler_pod_term {
        struct kl_api_label_selector *selector;    /* owned */
        struct kl_api_label_selector *ns_selector; /* owned; NULL: only `namespaces` */
        char **namespaces;  /* owned; NULL and no ns_selector: the pod's own namespace */
        char *topology_key; /* owned */
};

/* A TopologySpreadConstraint, pre-parsed. */
struct kl_scheduler_spread {
        char *topology_key;                     /* owned */
        struct kl_api_label_selector *selector; /* owned, matchLabelKeys merged in */
        int32_t max_skew;
        int32_t min_domains; /* 1 when unset */
        bool hard;           /* DoNotSchedule (else ScheduleAnyway) */
        bool honor_affinity; /* nodeAffinityPolicy Honor (the default) */
        bool honor_taints;   /* nodeTaintsPolicy Honor (default Ignore) */
        bool self_match;     /* the selector matches the pod's own labels */
};

struct kl_scheduler_port {
        char ip[48]; /* "0.0.0.0" when unset */
        int32_t port;
        uint8_t proto; /* 0 TCP, 1 UDP, 2 SCTP */
};

enum kl_scheduler_where {
        KL_SCHEDULER_NOWHERE,
        KL_SCHEDULER_ACTIVE,
        KL_SCHEDULER_BACKOFF,
        KL_SCHEDULER_UNSCHEDULABLE,
        KL_SCHEDULER_IN_FLIGHT,
};

struct kl_scheduler_node;

struct kl_scheduler_pod {
        char *key;            /* owned "ns/name"; the registry's map key */
        char *ns, *name;      /* owned */
        json_t *obj;          /* ref: the informer's object this was parsed from */
        const json_t *labels; /* borrowed from obj */
        int32_t priority;
        bool preempt_never; /* preemptionPolicy Never */
        bool terminating;   /* deletionTimestamp set */
        bool terminated;    /* phase Succeeded or Failed */
        bool ours;          /* schedulerName default-scheduler (or empty) */
        char *node_name;    /* owned: spec.nodeName, or the node assumed; NULL: pending */

        struct kl_scheduler_res req;     /* requests (PodRequests, with overhead) */
        int64_t nz_milli_cpu, nz_memory; /* non-zero requests for scoring */

        struct kl_scheduler_toleration *tols; /* owned */
        size_t n_tols;
        struct kl_scheduler_node_req *node_selector; /* owned: spec.nodeSelector as In terms */
        size_t n_node_selector;
        struct kl_scheduler_node_term *required; /* owned; NULL: no required node affinity */
        size_t n_required;
        struct kl_scheduler_node_term *preferred; /* owned */
        size_t n_preferred;
        struct kl_scheduler_port *ports; /* owned */
        size_t n_ports;
        struct kl_scheduler_pod_term *affinity, *anti; /* owned, required terms */
        size_t n_affinity, n_anti;
        struct kl_scheduler_spread *spread; /* owned */
        size_t n_spread;

        /* Cache state. */
        struct kl_scheduler_node *node; /* borrowed: the node it is counted on; NULL: none */
        size_t node_idx;                /* index in node->pods */
        bool assumed;                   /* counted before the binding was confirmed */
        size_t anti_idx;                /* index in the cache's anti list, if n_anti */

        /* Queue state. */
        enum kl_scheduler_where where;
        size_t heap_idx;
        struct kl_scheduler_pod *unsched_prev, *unsched_next;
        kl_usec_t timestamp; /* activeQ order: when last added to the queue */
        kl_usec_t initial_attempt;
        kl_usec_t failed_at; /* the last failure: back-off runs from here */
        kl_usec_t expiry;    /* backoffQ order: when the back-off ends */
        kl_usec_t unsched_since;
        uint64_t seq;   /* tie-breaker: arrival order */
        uint64_t cycle; /* the scheduling cycle it was popped in */
        unsigned attempts;
        bool gone; /* deleted while in flight */
};

/**
 * Parse `obj` (a Pod; borrowed, json_incref()ed into the result) into a new
 * struct kl_scheduler_pod. -EINVAL with the path for a malformed field (a bad
 * quantity, an unknown operator); -E2BIG past KL_SCHEDULER_MAX_LIST.
 */
int kl_scheduler__pod_parse(const json_t *obj, struct kl_scheduler_pod **ret, struct kl_err **err);
void kl_scheduler__pod_free(struct kl_scheduler_pod *p);
KL_DEFINE_CLEANUP_FUNC(struct kl_scheduler_pod, kl_scheduler__pod_free);

/* Parse a ResourceList object ({"cpu": "1", ...}) into `r`, adding to what is there. */
int kl_scheduler__res_add_list(struct kl_scheduler_res *r, const json_t *list, const char *path,
                               struct kl_err **err);
void kl_scheduler__res_release(struct kl_scheduler_res *r);
/* The value of scalar `name` in `r`, 0 when absent. */
int64_t kl_scheduler__res_scalar(const struct kl_scheduler_res *r, const char *name);

bool kl_scheduler__pod_term_matches(const struct kl_scheduler_pod_term *t,
                                    const char *term_owner_ns, const struct kl_scheduler_pod *p,
                                    const json_t *ns_labels);

/* ------------------------------------------------------------------------- */
/* nodeinfo.c: nodes (parsed in podinfo.c) and the cache */

struct kl_scheduler_node {
        char *name;           /* owned */
        json_t *obj;          /* ref; NULL for a node we know only from its pods */
        const json_t *labels; /* borrowed from obj */
        struct kl_scheduler_res alloc;
        struct kl_scheduler_res requested; /* sum of pods' requests; .pods the count */
        int64_t nz_milli_cpu, nz_memory;   /* sum of pods' non-zero requests */
        struct kl_scheduler_taint *taints; /* owned; with the implicit condition taint */
        size_t n_taints;
        bool unschedulable;
        bool has_prefer_taint;
        struct kl_scheduler_pod **pods; /* borrowed from the registry */
        size_t n_pods, cap_pods;
        size_t n_port_pods;  /* pods with host ports */
        size_t idx;          /* index in cache->nodes; SIZE_MAX for ghosts */
        uint64_t generation; /* bumped on every change */
};

/* A node parsed alone (tests, fuzzing): -EINVAL for a malformed field. */
int kl_scheduler__node_parse(const json_t *obj, struct kl_scheduler_node **ret,
                             struct kl_err **err);
void kl_scheduler__node_free(struct kl_scheduler_node *n);
KL_DEFINE_CLEANUP_FUNC(struct kl_scheduler_node, kl_scheduler__node_free);

struct kl_scheduler_cache {
        struct kl_strmap pods;           /* key -> struct kl_scheduler_pod (owned) */
        struct kl_strmap nodes;          /* name -> struct kl_scheduler_node (owned) */
        struct kl_scheduler_node **list; /* borrowed: nodes with an object, for iteration */
        size_t n_list, cap_list;
        struct kl_scheduler_pod **anti; /* borrowed: assigned pods with required anti-affinity */
        size_t n_anti, cap_anti;
        size_t n_affinity_pods; /* assigned pods with any required pod (anti-)affinity */
};

void kl_scheduler__cache_release(struct kl_scheduler_cache *c);
/* Add or replace a node from its object (borrowed). */
int kl_scheduler__cache_node_set(struct kl_scheduler_cache *c, const json_t *obj,
                                 struct kl_err **err);
void kl_scheduler__cache_node_del(struct kl_scheduler_cache *c, const char *name);
/* Count `p` on node `name` (created as a ghost when unknown). */
void kl_scheduler__cache_assign(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p,
                                const char *name);
/* Stop counting `p` on its node. */
void kl_scheduler__cache_unassign(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p);
struct kl_scheduler_node *kl_scheduler__cache_node(const struct kl_scheduler_cache *c,
                                                   const char *name);
/*
 * A detached copy of `n` without its pods of priority below `priority` (the
 * preemption dry run); *ret_removed says how many went. Free with
 * kl_scheduler__node_free(); the pods are borrowed and not told.
 */
struct kl_scheduler_node *kl_scheduler__node_without_lower(const struct kl_scheduler_node *n,
                                                           int32_t priority, size_t *ret_removed);

/* ------------------------------------------------------------------------- */
/* queue.c */

struct kl_scheduler_heap {
        struct kl_scheduler_pod **items; /* borrowed */
        size_t n, cap;
        bool by_backoff; /* ordered by backoff expiry, else by priority then time */
};

struct kl_scheduler_queue {
        struct kl_scheduler_heap active, backoff;
        struct kl_scheduler_pod *unsched_head; /* list of unschedulable pods */
        size_t n_unsched;
        kl_usec_t initial_backoff, max_backoff, max_unsched; /* 1 s, 10 s, 5 min */
        kl_usec_t leftover_at; /* when the unschedulable set is next walked */
        uint64_t seq, cycle, move_cycle;
};

void kl_scheduler__queue_init(struct kl_scheduler_queue *q);
void kl_scheduler__queue_release(struct kl_scheduler_queue *q);
/* A new pending pod: into activeQ. */
void kl_scheduler__queue_add(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                             kl_usec_t now);
/* A pending pod changed: an unschedulable one gets another try (after its back-off). */
void kl_scheduler__queue_update(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                kl_usec_t now);
/*
 * `np` replaces `p` (a newer version of the same pod, not queued yet): it
 * takes p's place, attempts and back-off; `p` leaves the queue. A pod that
 * waited as unschedulable gets another try, as upstream does on an update.
 */
void kl_scheduler__queue_replace(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                 struct kl_scheduler_pod *np, kl_usec_t now);
/* Take `p` out of whatever queue holds it. */
void kl_scheduler__queue_remove(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p);
/* The head of activeQ, now in flight; NULL when empty. */
struct kl_scheduler_pod *kl_scheduler__queue_pop(struct kl_scheduler_queue *q, kl_usec_t now);
/*
 * An in-flight pod failed. `unschedulable`: no node fits; it waits in the
 * unschedulable set for a cluster change, or in backoffQ when the cluster
 * changed while it was in flight. Otherwise (an error, a failed binding):
 * backoffQ.
 */
void kl_scheduler__queue_failed(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p,
                                bool unschedulable, kl_usec_t now);
/* An in-flight pod is done (bound): it leaves the queue. */
void kl_scheduler__queue_done(struct kl_scheduler_queue *q, struct kl_scheduler_pod *p);
/* The cluster changed: every unschedulable pod to backoffQ or activeQ. */
void kl_scheduler__queue_move_all(struct kl_scheduler_queue *q, kl_usec_t now);
/*
 * Move pods whose back-off has ended to activeQ, and pods unschedulable for
 * longer than max_unsched back. Returns when it should run next (0: nothing waits).
 */
kl_usec_t kl_scheduler__queue_flush(struct kl_scheduler_queue *q, kl_usec_t now);
kl_usec_t kl_scheduler__queue_backoff_duration(const struct kl_scheduler_queue *q,
                                               const struct kl_scheduler_pod *p);

/* ------------------------------------------------------------------------- */
/* filters.c */

/* Why a node was refused; one plugin per node, as upstream's framework stops at the first. */
enum kl_scheduler_reason {
        KL_SCHEDULER_R_UNSCHEDULABLE,     /* node(s) were unschedulable */
        KL_SCHEDULER_R_TAINT,             /* node(s) had untolerated taint {k: v} */
        KL_SCHEDULER_R_AFFINITY,          /* node(s) didn't match Pod's node affinity/selector */
        KL_SCHEDULER_R_PORTS,             /* node(s) didn't have free ports ... */
        KL_SCHEDULER_R_TOO_MANY_PODS,     /* Too many pods */
        KL_SCHEDULER_R_CPU,               /* Insufficient cpu */
        KL_SCHEDULER_R_MEMORY,            /* Insufficient memory */
        KL_SCHEDULER_R_EPHEMERAL,         /* Insufficient ephemeral-storage */
        KL_SCHEDULER_R_SCALAR,            /* Insufficient <name>, one per bit of scalar_mask */
        KL_SCHEDULER_R_SPREAD,            /* node(s) didn't match pod topology spread constraints */
        KL_SCHEDULER_R_SPREAD_LABEL,      /* ... (missing required label) */
        KL_SCHEDULER_R_POD_AFFINITY,      /* node(s) didn't match pod affinity rules */
        KL_SCHEDULER_R_POD_ANTI_AFFINITY, /* node(s) didn't match pod anti-affinity rules */
        KL_SCHEDULER_R_EXISTING_ANTI, /* node(s) didn't satisfy existing pods anti-affinity rules */
        KL_SCHEDULER_R_VOLUME_AFFINITY, /* node(s) had volume node affinity conflict */
        KL_SCHEDULER_R__COUNT,
        KL_SCHEDULER_R__INVALID = -EINVAL,
};

struct kl_scheduler_status {
        uint32_t reasons;     /* 1 << enum kl_scheduler_reason; 0: fits */
        uint64_t scalar_mask; /* KL_SCHEDULER_R_SCALAR: indexes into the pod's req.scalars */
        const struct kl_scheduler_taint *taint; /* KL_SCHEDULER_R_TAINT: borrowed from the node */
        const struct kl_scheduler_node *node;   /* borrowed: the node refused */
        bool unresolvable; /* UnschedulableAndUnresolvable: preemption cannot help */
};

/* A (topology key, value) pair and a count, for spread and pod affinity. */
struct kl_scheduler_domain {
        const char *value; /* borrowed from a node's labels */
        int64_t count;
};

struct kl_scheduler_spread_state {
        struct kl_strmap domains; /* value -> struct kl_scheduler_domain (owned) */
        int64_t min_match;
};

/* volumes.c: what a pod's claims ask of its node (VolumeBinding's PreFilter result). */
struct kl_scheduler_vols {
        struct kl_scheduler_pod **affinity; /* owned: bound volumes' node affinity, as pods */
        size_t n_affinity;
        char **select; /* owned: unbound WaitForFirstConsumer claims, to annotate at binding */
};

enum kl_scheduler_vol_kind {
        KL_SCHEDULER_VOL_PVC, /* namespaced */
        KL_SCHEDULER_VOL_PV,  /* ns NULL */
        KL_SCHEDULER_VOL_SC,  /* ns NULL */
};

/* Where the plugin reads claims, volumes and classes (borrowed objects, NULL: absent). */
struct kl_scheduler_vol_lookup {
        const json_t *(*get)(void *arg, enum kl_scheduler_vol_kind kind, const char *ns,
                             const char *name);
        void *arg;
};

/*
 * The claims of `pod`: 0 with `ret` filled; 1 with *ret_msg (owned) when
 * the pod cannot be scheduled anywhere (upstream's PreFilter message, e.g.
 * persistentvolumeclaim "x" not found); < 0 for a malformed volume.
 */
int kl_scheduler__vols_prefilter(const json_t *pod, const struct kl_scheduler_vol_lookup *lk,
                                 struct kl_scheduler_vols *ret, char **ret_msg,
                                 struct kl_err **err);
void kl_scheduler__vols_release(struct kl_scheduler_vols *v);
/* Whether node `n` matches every bound volume's node affinity. */
bool kl_scheduler__filter_volumes(const struct kl_scheduler_vols *v,
                                  const struct kl_scheduler_node *n,
                                  struct kl_scheduler_status *st);
/* FitError for a PreFilter rejection, with the preemption suffix. Owned by the caller. */
char *kl_scheduler__prefilter_message(size_t n_all, const char *msg);

/* What the filters of one pod need about the whole cluster (upstream's PreFilter). */
struct kl_scheduler_cycle {
        const struct kl_scheduler_cache *cache;   /* borrowed */
        const struct kl_scheduler_vols *vols;     /* borrowed; NULL: no claims */
        const struct kl_scheduler_pod *pod;       /* borrowed */
        struct kl_scheduler_spread_state *spread; /* owned; one per constraint of the pod */
        struct kl_strmap *affinity_domains;       /* owned; per required affinity term */
        bool affinity_any;                        /* some pod matches an affinity term */
        bool affinity_self;                       /* the pod matches all its own terms */
        struct kl_strmap *anti_domains;           /* owned; per anti term: values with matches */
        char **existing_anti; /* owned: key, value, key, value...: existing pods' rules */
        /* Namespace labels for namespace selectors; NULL: only {} matches. */
        const json_t *(*ns_labels)(void *arg, const char *ns);
        void *ns_arg;
};

/* Fill `cy` for `p`; release with kl_scheduler__cycle_release(). */
void kl_scheduler__cycle_init(struct kl_scheduler_cycle *cy, const struct kl_scheduler_cache *c,
                              const struct kl_scheduler_pod *p,
                              const json_t *(*ns_labels)(void *arg, const char *ns), void *ns_arg);
void kl_scheduler__cycle_release(struct kl_scheduler_cycle *cy);

/* Run every filter in upstream's order; true when the node fits. `st` always written. */
bool kl_scheduler__filter(const struct kl_scheduler_cycle *cy, const struct kl_scheduler_node *n,
                          struct kl_scheduler_status *st);

/* Single plugins, for tests; each returns true when it passes. */
bool kl_scheduler__filter_unschedulable(const struct kl_scheduler_pod *p,
                                        const struct kl_scheduler_node *n,
                                        struct kl_scheduler_status *st);
bool kl_scheduler__filter_taints(const struct kl_scheduler_pod *p,
                                 const struct kl_scheduler_node *n, struct kl_scheduler_status *st);
bool kl_scheduler__filter_node_affinity(const struct kl_scheduler_pod *p,
                                        const struct kl_scheduler_node *n,
                                        struct kl_scheduler_status *st);
bool kl_scheduler__filter_ports(const struct kl_scheduler_pod *p, const struct kl_scheduler_node *n,
                                struct kl_scheduler_status *st);
bool kl_scheduler__filter_resources(const struct kl_scheduler_pod *p,
                                    const struct kl_scheduler_node *n,
                                    struct kl_scheduler_status *st);
bool kl_scheduler__filter_spread(const struct kl_scheduler_cycle *cy,
                                 const struct kl_scheduler_node *n, struct kl_scheduler_status *st);
bool kl_scheduler__filter_pod_affinity(const struct kl_scheduler_cycle *cy,
                                       const struct kl_scheduler_node *n,
                                       struct kl_scheduler_status *st);

/* Whether the node matches the pod's nodeSelector and required node affinity. */
bool kl_scheduler__node_affinity_matches(const struct kl_scheduler_pod *p,
                                         const struct kl_scheduler_node *n);

/* ------------------------------------------------------------------------- */
/* scores.c */

/* Upstream's default weights (v1.32 default plugins). */
#define KL_SCHEDULER_W_TAINT    3
#define KL_SCHEDULER_W_AFFINITY 2
#define KL_SCHEDULER_W_FIT      1
#define KL_SCHEDULER_W_SPREAD   2
#define KL_SCHEDULER_W_BALANCED 1
#define KL_SCHEDULER_MAX_SCORE  100

/* Per-node raw scores of a plugin, before normalisation. */
int64_t kl_scheduler__score_least_allocated(const struct kl_scheduler_pod *p,
                                            const struct kl_scheduler_node *n);
int64_t kl_scheduler__score_balanced(const struct kl_scheduler_pod *p,
                                     const struct kl_scheduler_node *n);
int64_t kl_scheduler__score_node_affinity(const struct kl_scheduler_pod *p,
                                          const struct kl_scheduler_node *n);
int64_t kl_scheduler__score_taints(const struct kl_scheduler_pod *p,
                                   const struct kl_scheduler_node *n);
/* upstream's DefaultNormalizeScore */
void kl_scheduler__normalize(int64_t *scores, size_t n, bool reverse);

/*
 * The weighted total of every score plugin for each of `nodes` into
 * `ret_scores` (n entries).
 */
void kl_scheduler__score_all(const struct kl_scheduler_cycle *cy,
                             struct kl_scheduler_node *const *nodes, size_t n, int64_t *ret_scores);

/* The highest score, ties broken by reservoir sampling with `rng` (xorshift state). */
size_t kl_scheduler__select_host(const int64_t *scores, size_t n, uint64_t *rng);

/* numFeasibleNodesToFind with the adaptive percentage (0: adaptive). */
size_t kl_scheduler__num_feasible_to_find(size_t all, unsigned percentage);

uint64_t kl_scheduler__rand(uint64_t *state);

/* ------------------------------------------------------------------------- */
/* message.c */

/* The failure of every node that was tried, for the message. */
struct kl_scheduler_diagnosis {
        struct kl_scheduler_status *st; /* owned */
        size_t n, cap;
        size_t n_all; /* nodes in the cluster */
};

void kl_scheduler__diag_add(struct kl_scheduler_diagnosis *d, const struct kl_scheduler_status *st);
void kl_scheduler__diag_release(struct kl_scheduler_diagnosis *d);

/* Append upstream's reason strings of `st` for pod `p`, as a NULL-terminated vector. */
void kl_scheduler__status_reasons(const struct kl_scheduler_status *st,
                                  const struct kl_scheduler_pod *p, char ***reasons);

/*
 * "0/3 nodes are available: 1 node(s) had untolerated taint {k: }, 2
 * Insufficient cpu." and, when `preemption` is not NULL, upstream's
 * " preemption: ..." suffix. Owned by the caller.
 */
char *kl_scheduler__fit_message(const struct kl_scheduler_diagnosis *d,
                                const struct kl_scheduler_pod *p, const char *preemption);

/*
 * The default preemption plugin's PostFilter message for a pod that fits
 * nowhere, as upstream's dry run words it: nodes whose failure preemption
 * cannot resolve get "Preemption is not helpful for scheduling", the others
 * "No preemption victims found for incoming pod" when no pod of lower
 * priority runs there. `victims_fit` is set when removing lower-priority pods
 * would make the pod fit somewhere (upstream would then preempt, which
 * kube-lite does not do) and NULL is returned. Owned by the caller.
 */
char *kl_scheduler__preemption_message(const struct kl_scheduler_cycle *cy,
                                       const struct kl_scheduler_diagnosis *d, bool *victims_fit);

#endif
