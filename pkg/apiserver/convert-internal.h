/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version conversion at the edge of the HTTP route layer (convert-hooks.c).
 *
 * A row with storage_group (events.k8s.io/v1 Events, autoscaling/v1
 * HorizontalPodAutoscalers) is a view of another version's objects: the
 * resource handler layer only ever sees the storage row and storage-version
 * objects, and http-api.c converts request bodies on the way in and every
 * object on the way out (GET, LIST items, watch events, write answers,
 * Tables) with these functions. Loop thread only, like the rest of the
 * route layer.
 */
#ifndef KL_APISERVER_CONVERT_INTERNAL_H
#define KL_APISERVER_CONVERT_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "api/resource.h"
#include "apiserver/apiserver.h"
#include "base/base.h"

/* The row whose objects `res` serves: `res` itself, or its storage version's row. */
const struct kl_api_resource *kl_apiserver__storage_row(const struct kl_api_resource *res);

/* Whether objects of `res` are converted on the way in and out. */
static inline bool kl_apiserver__is_view(const struct kl_api_resource *res)
{
        return res && res->storage_group != NULL;
}

/**
 * An object (or list, or watch object) of the storage version as `res`'s
 * version: a new reference (`obj` itself, increfed, for rows that are not
 * views and for kinds that do not convert, like a Status).
 */
json_t *kl_apiserver__convert_out(const struct kl_api_resource *res, const json_t *obj);

/**
 * A request body of `res`'s version as the storage version. Takes `obj`;
 * on success *ret is new. -EINVAL (400) for a body conversion refuses.
 */
int kl_apiserver__convert_in(const struct kl_api_resource *res, json_t *obj, json_t **ret,
                             struct kl_err **err);

/**
 * PATCH of a view row: read the stored object, convert it to `res`'s
 * version, apply the patch there, convert back and write it as an update
 * guarded by the resourceVersion read (retried on conflicts when the patch
 * did not set one itself), as upstream's patcher does across versions.
 * Server-side apply is passed through for Events (a partial events.k8s.io
 * object converts field by field); for autoscaling/v1 it is made in v1
 * (kl_apiserver__apply_view(); a partial v1 object has no faithful v2
 * form), except on subresources (-EINVAL). Takes `patch`; `opts` strings
 * must live until `cb` runs.
 */
void kl_apiserver__patch_view(struct kl_apiserver *s, const struct kl_api_resource *res,
                              const char *ns, const char *name, const char *sub, int type,
                              json_t *patch, const struct kl_apiserver_write_opts *opts,
                              kl_apiserver_write_fn *cb, void *arg);

/**
 * Server-side apply of `config` (stolen; an object of view row `view`'s
 * version) to object `name` of `view`'s storage row, made in `view`'s
 * version as upstream's field manager does (handler.c, op-internal.h): the
 * stored object is converted to it, the config merged there, the Apply
 * entry recorded with `view`'s apiVersion, conflicts with managers of
 * another version found in theirs (managed.c), and the result converted
 * back and written guarded by the mod revision read (a lost race is
 * retried unless the config named a resourceVersion). Absent objects are
 * created. `cb` answers with the storage version's object, as
 * kl_apiserver_patch(). `opts` strings must live until `cb` runs.
 */
void kl_apiserver__apply_view(struct kl_apiserver *s, const struct kl_api_resource *view,
                              const char *ns, const char *name, json_t *config,
                              const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                              void *arg);

#endif
