/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pods/eviction against PodDisruptionBudgets (evict.c), as upstream's
 * pkg/registry/core/pod/storage/eviction.go. Loop thread only.
 */
#ifndef KL_APISERVER_EVICT_INTERNAL_H
#define KL_APISERVER_EVICT_INTERNAL_H

#include <jansson.h>

#include "apiserver/apiserver.h"

/* Entries of status.disruptedPods past which evictions are refused (upstream's
 * MaxDisruptedPodSize). */
#define KL_APISERVER_MAX_DISRUPTED_PODS 2000
/* Conflicting PodDisruptionBudget writes one eviction absorbs before failing with 409. */
#define KL_APISERVER_EVICT_MAX_TRIES 20

/**
 * Evict pod `name` in `ns` with the policy/v1 Eviction `eviction` (taken;
 * its deleteOptions apply to the delete). A Pending, Succeeded, Failed or
 * terminating pod is deleted without looking at budgets. Otherwise the
 * PodDisruptionBudgets of the namespace whose selector matches the pod
 * decide: none, delete; more than one, 500; one whose status is behind its
 * generation or allows no disruption, 429 with upstream's Status (cause
 * DisruptionBudget); else status.disruptionsAllowed is decremented and the
 * pod recorded in status.disruptedPods by a compare-and-swap of the budget's
 * status (retried from the start on conflicts), and then the pod is deleted.
 * An unready pod is deleted without spending the budget when the budget's
 * unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget, the
 * default) when the budget is currently met. `cb` answers as a delete's;
 * failures with a Status body fill `res->obj`. `opts` strings must live
 * until `cb` runs.
 */
void kl_apiserver__evict(struct kl_apiserver *s, const char *ns, const char *name, json_t *eviction,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg);

#endif
