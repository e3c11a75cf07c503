/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON merge patch, RFC 7386 section 2, on a private copy of the document.
 */
#include "api/patch.h"

#include "api/patch-internal.h"
#include "base/base.h"

/*
 * Merge patch object `patch` into object `target` (ours, modified). Recursion
 * follows the patch's objects only, so `depth` bounds the stack; values the
 * patch adds are copied whole.
 */
static int merge_into(json_t *target, const json_t *patch, unsigned depth, struct kl_err **err)
{
        /* jansson's iterator wants a non-const object; nothing here modifies `patch`. */
        json_t *p = (json_t *)patch;
        const char *key;
        json_t *value;

        if (depth > KL_API_PATCH_MAX_DEPTH)
                return kl_api__patch_too_deep(err);

        /* Keys come from a jansson object, which checked them: the _nocheck setters skip that. */
        json_object_foreach(p, key, value) {
                json_t *old;
                int r;

                if (json_is_null(value)) {
                        (void)json_object_del(target, key);
                        continue;
                }
                if (!json_is_object(value)) {
                        r = json_object_set_new_nocheck(target, key, json_deep_copy(value));
                        kl_assert(r == 0);
                        continue;
                }
                /* MergePatch(Target[Name], Value): a non-object target starts over as {}. */
                old = json_object_get(target, key);
                if (!json_is_object(old)) {
                        r = json_object_set_new_nocheck(target, key, json_object());
                        kl_assert(r == 0);
                        old = json_object_get(target, key);
                }
                r = merge_into(old, value, depth + 1, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int kl_api_patch_merge(const json_t *doc, const json_t *patch, json_t **ret_doc,
                       struct kl_err **err)
{
        json_auto_t *out = NULL;
        int r;

        kl_assert(doc && patch);
        if (!json_is_object(patch)) {
                /* RFC 7386: a patch that is not an object replaces the target. */
                *ret_doc = json_deep_copy(patch);
                kl_assert(*ret_doc);
                return 0;
        }

        out = json_is_object(doc) ? json_deep_copy(doc) : json_object();
        kl_assert(out);
        r = merge_into(out, patch, 1, err);
        if (r < 0)
                return r;

        *ret_doc = KL_TAKE_PTR(out);
        return 0;
}
