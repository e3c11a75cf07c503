/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the files of pkg/runtime only (STYLE R2.1). */
#ifndef KL_RUNTIME_RT_INTERNAL_H
#define KL_RUNTIME_RT_INTERNAL_H

#include "runtime/rt.h"

struct kl_rt_store {
        char *root; /* owned, absolute and free of symlinks (realpath) */
};

/* Remove `path` and everything below it, making directories writable first. -errno. */
int kl_runtime__rm_rf(const char *path);
/* The diff ids of an image config blob (rootfs.diff_ids); *ret NULL-terminated, owned. */
int kl_runtime__config_diff_ids(struct kl_rt_store *s, const char *config_digest, char ***ret,
                                struct kl_err **err);

/*
 * Unpack the layer file `blob` (any supported compression, no diff id check)
 * into `dir`/fs, writing `dir`/whiteouts when markers could not be made.
 * `dir` must be an absolute path without symlinks. On error `dir` may hold
 * a partial tree: the caller removes it.
 */
int kl_runtime__layer_extract(const char *blob, const char *dir, struct kl_err **err);

#endif
