/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scheduler: kube-lite's kube-scheduler (DESIGN §3, issue 5). It watches
 * pods and nodes through informers of the client it is given, picks a node
 * for every pod whose schedulerName is "default-scheduler" (or empty) and
 * that has no spec.nodeName, and writes the choice through the pods/binding
 * subresource, as upstream's default profile does: the same filters, scores,
 * node sampling, queue order and back-off, and the same FailedScheduling
 * and Scheduled events (README.md has what is and is not covered).
 *
 * Threads: loop thread only (the client's loop). Owns its informers,
 * timers and caches; borrows the client, which must outlive it.
 */
#ifndef KL_SCHEDULER_SCHEDULER_H
#define KL_SCHEDULER_SCHEDULER_H

#include <stdint.h>

#include "base/base.h"
#include "client/client.h"

struct kl_scheduler;

/*
 * Called when a binding write has finished: r == 0 when the pod is bound to
 * `node`, r < 0 when the write failed (the pod is retried after its
 * back-off). Strings borrowed for the call. For tests and the benchmark.
 */
typedef void kl_scheduler_bound_fn(void *arg, const char *ns, const char *name, const char *node,
                                   int r);

struct kl_scheduler_options {
        /* percentageOfNodesToScore: 0 is upstream's adaptive default (50% - nodes/125, >= 5%). */
        unsigned percentage_of_nodes_to_score;
        /* Seed of the tie-breaking among equal top scores; 0: from the clock. */
        uint64_t seed;
        /* Pods scheduled per turn of the loop before it serves I/O again; 0: 256. */
        unsigned batch;
        kl_scheduler_bound_fn *on_bound; /* may be NULL */
        void *arg;
};

/**
 * Start the scheduler on `client` (borrowed): create the pod, node and
 * namespace informers, start them, and schedule once pods and nodes have
 * synced. *ret is the caller's until kl_scheduler_free(). Errors: those of
 * starting the informers.
 */
int kl_scheduler_start(struct kl_client *client, const struct kl_scheduler_options *opts,
                       struct kl_scheduler **ret, struct kl_err **err);

/* Counters since start, upstream's scheduler metrics in small. */
struct kl_scheduler_stats {
        uint64_t attempts;      /* scheduling cycles run */
        uint64_t scheduled;     /* pods assumed on a node and sent to bind */
        uint64_t unschedulable; /* cycles that found no node */
        uint64_t bound;         /* bindings acknowledged */
        uint64_t bind_errors;   /* bindings that failed */
        kl_usec_t cycle_usec;   /* loop time in scheduling cycles, issuing the bindings included */
        kl_usec_t bind_usec;    /* of which issuing the binding writes (the client's part) */
};

void kl_scheduler_stats(const struct kl_scheduler *s, struct kl_scheduler_stats *ret);

/**
 * Stop scheduling and free. Bindings still in flight complete later
 * (their callbacks only release memory). NULL is a no-op.
 */
void kl_scheduler_free(struct kl_scheduler *s);

#endif
