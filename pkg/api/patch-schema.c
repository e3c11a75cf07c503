/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The strategic-merge lookup over the compiled-in schema tables (schema.h):
 * what upstream's PatchMetaFromStruct reads from the Go struct tags
 * (patchStrategy, patchMergeKey), and what the JSON of each field is.
 *
 * Only the patch markers matter here, as they do upstream: a list with
 * x-kubernetes-list-type=map but no patchStrategy is replaced by a strategic
 * merge patch, exactly as kube-apiserver's struct-tag lookup replaces it.
 */
#include "api/patch.h"

#include "base/base.h"

/* What a value of the field's protobuf type is in JSON; *ret_type for structs. */
static enum kl_api_patch_value value_of(const struct kl_api_field *f, const void **ret_type)
{
        const struct kl_api_message *m;

        *ret_type = NULL;
        if (kl_api_field_type(f) != KL_API_TYPE_MESSAGE)
                return KL_API_PATCH_VALUE_SCALAR;
        m = kl_api_field_message(f);
        if (!m)
                return KL_API_PATCH_VALUE_UNKNOWN;
        switch (kl_api_message_special(m)) {
        case KL_API_SPECIAL_NONE:
                *ret_type = m;
                return KL_API_PATCH_VALUE_OBJECT;
        case KL_API_SPECIAL_TIME:
        case KL_API_SPECIAL_MICRO_TIME:
        case KL_API_SPECIAL_DURATION:
        case KL_API_SPECIAL_QUANTITY:
        case KL_API_SPECIAL_INT_OR_STRING:
                return KL_API_PATCH_VALUE_SCALAR;
        case KL_API_SPECIAL_STRING_LIST:
                return KL_API_PATCH_VALUE_LIST;
        case KL_API_SPECIAL_RAW_EXTENSION:
        case KL_API_SPECIAL_FIELDS_V1:
        case KL_API_SPECIAL_UNKNOWN:
        default:
                return KL_API_PATCH_VALUE_UNKNOWN;
        }
}

int kl_api_patch_schema_lookup(const void *type, const char *name, struct kl_api_patch_field *ret)
{
        const struct kl_api_field *f = type ? kl_api_message_field(type, name) : NULL;
        enum kl_api_patch_value v;
        const void *sub;
        unsigned flags;

        if (!f)
                return -ENOENT;
        flags = kl_api_field_flags(f);
        v = value_of(f, &sub);
        *ret = (struct kl_api_patch_field){
                .strategy = kl_api_field_patch_strategy(f),
                .merge_key = kl_api_field_merge_key(f),
                .type = sub,
        };
        if (flags & (KL_API_FIELD_REPEATED | KL_API_FIELD_MAP)) {
                ret->value = flags & KL_API_FIELD_REPEATED ? KL_API_PATCH_VALUE_LIST
                                                           : KL_API_PATCH_VALUE_MAP;
                /* A list inside a list or map (map[string]ExtraValue): no strategy reaches it. */
                ret->elem = v == KL_API_PATCH_VALUE_LIST ? KL_API_PATCH_VALUE_UNKNOWN : v;
        } else if (v == KL_API_PATCH_VALUE_LIST) {
                /* A Go []string type of its own (ExtraValue, Verbs). */
                ret->value = KL_API_PATCH_VALUE_LIST;
                ret->elem = KL_API_PATCH_VALUE_SCALAR;
        } else {
                ret->value = v;
                ret->elem = KL_API_PATCH_VALUE_UNKNOWN;
        }
        return 0;
}
