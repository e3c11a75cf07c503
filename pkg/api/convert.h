/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conversion between the versions of a kind that share storage (the rows
 * of resource.c with storage_group/storage_version): core/v1 Event and
 * events.k8s.io/v1 Event, autoscaling/v2 and autoscaling/v1
 * HorizontalPodAutoscaler, as upstream 1.32's pkg/apis/events/v1 and
 * pkg/apis/autoscaling/v1 conversions do. autoscaling/v1 keeps what it
 * cannot express in the round-trip annotations
 * autoscaling.alpha.kubernetes.io/{metrics,current-metrics,conditions,behavior}.
 *
 * Pure functions: inputs are borrowed, results are new objects owned by the
 * caller. Nothing here keeps state; any thread may call.
 */
#ifndef KL_API_CONVERT_H
#define KL_API_CONVERT_H

#include <stdbool.h>

#include <jansson.h>

#include "base/base.h"

/* Whether objects of `group`/`version` and `to_group`/`to_version` convert into each other. */
bool kl_api_convert_known(const char *group, const char *version, const char *to_group,
                          const char *to_version);

/**
 * Convert `obj`, an object (or a List of objects, converted item by item) of
 * `group`/`version`, to `to_group`/`to_version`. An object of another kind
 * (a Status, say) and a pair of equal versions give a copy. -EINVAL (a
 * malformed round-trip annotation, which upstream refuses too) or a pair
 * that does not convert. On success *ret is the caller's.
 */
int kl_api_convert(const json_t *obj, const char *group, const char *version, const char *to_group,
                   const char *to_version, json_t **ret, struct kl_err **err);

#endif
