/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the patch engines (patch*.c) share and nobody else needs.
 */
#ifndef KL_API_PATCH_INTERNAL_H
#define KL_API_PATCH_INTERNAL_H

#include <jansson.h>

#include "api/patch.h"
#include "base/buf.h"
#include "base/err.h"

/*
 * The word Go's encoding/json uses for the JSON type of `v` in "json: cannot
 * unmarshal <word> into Go value of type ...": "object", "array", "string",
 * "number", "bool"; "null" for NULL or null.
 */
const char *kl_api__patch_json_word(const json_t *v);

/* -EINVAL (400) "patch nested deeper than 100 levels". */
int kl_api__patch_too_deep(struct kl_err **err);

#endif
