/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Patch types and the helpers the patch engines share.
 */
#include "api/patch.h"

#include <string.h>
#include <strings.h>

#include "api/patch-internal.h"
#include "base/base.h"

static const char *const media_types[KL_API_PATCH_TYPE__COUNT] = {
        [KL_API_PATCH_TYPE_JSON] = "application/json-patch+json",
        [KL_API_PATCH_TYPE_MERGE] = "application/merge-patch+json",
        [KL_API_PATCH_TYPE_STRATEGIC] = "application/strategic-merge-patch+json",
        [KL_API_PATCH_TYPE_APPLY_YAML] = "application/apply-patch+yaml",
};

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

enum kl_api_patch_type kl_api_patch_type_parse(const char *content_type)
{
        const char *s = content_type;
        size_t n;

        if (!s)
                return KL_API_PATCH_TYPE__INVALID;
        /* Upstream cuts the value at ';' and compares the rest; media types are case-insensitive.
         */
        n = strcspn(s, ";");
        while (n > 0 && is_blank(*s)) {
                s++;
                n--;
        }
        while (n > 0 && is_blank(s[n - 1]))
                n--;
        for (size_t i = 0; i < KL_ARRAY_SIZE(media_types); i++)
                if (strlen(media_types[i]) == n && strncasecmp(s, media_types[i], n) == 0)
                        return (enum kl_api_patch_type)i;
        return KL_API_PATCH_TYPE__INVALID;
}

const char *kl_api_patch_type_media(enum kl_api_patch_type t)
{
        if (t < 0 || t >= KL_API_PATCH_TYPE__COUNT)
                return NULL;
        return media_types[t];
}

int kl_api_patch_type_check(const char *content_type, bool strategic,
                            enum kl_api_patch_type *ret_type, struct kl_err **err)
{
        enum kl_api_patch_type t = kl_api_patch_type_parse(content_type);

        if (t == KL_API_PATCH_TYPE__INVALID || (t == KL_API_PATCH_TYPE_STRATEGIC && !strategic)) {
                /* The accepted list in upstream's order: the built-in resources' handler lists
                 * strategic merge patch third, custom resources' handler leaves it out. */
                if (strategic)
                        return kl_err_set_msg(err, -KL_EUNSUPPORTED_MEDIA,
                                              "the body of the request was in an unknown format - "
                                              "accepted media types include: %s, %s, %s, %s",
                                              media_types[KL_API_PATCH_TYPE_JSON],
                                              media_types[KL_API_PATCH_TYPE_MERGE],
                                              media_types[KL_API_PATCH_TYPE_STRATEGIC],
                                              media_types[KL_API_PATCH_TYPE_APPLY_YAML]);
                return kl_err_set_msg(err, -KL_EUNSUPPORTED_MEDIA,
                                      "the body of the request was in an unknown format - "
                                      "accepted media types include: %s, %s, %s",
                                      media_types[KL_API_PATCH_TYPE_JSON],
                                      media_types[KL_API_PATCH_TYPE_MERGE],
                                      media_types[KL_API_PATCH_TYPE_APPLY_YAML]);
        }
        *ret_type = t;
        return 0;
}

const char *kl_api__patch_json_word(const json_t *v)
{
        switch (v ? json_typeof(v) : JSON_NULL) {
        case JSON_OBJECT:
                return "object";
        case JSON_ARRAY:
                return "array";
        case JSON_STRING:
                return "string";
        case JSON_INTEGER:
        case JSON_REAL:
                return "number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "bool";
        case JSON_NULL:
                break;
        }
        return "null";
}

int kl_api__patch_too_deep(struct kl_err **err)
{
        return kl_err_set(err, -EINVAL, "patch nested deeper than %d levels",
                          KL_API_PATCH_MAX_DEPTH);
}
