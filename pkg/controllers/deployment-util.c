/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers the ReplicaSet and Deployment controllers share (ctrl-internal.h,
 * section "replicaset.c, deployment.c"): field lookups, claiming objects by
 * selector and controller reference (upstream's ControllerRefManager), the
 * orders upstream sorts ReplicaSets and pods by. Pure functions.
 */
#include <string.h>

#include "api/selector.h"
#include "controllers/ctrl-internal.h"

const json_t *kl_ctrl_dig(const json_t *v, const char *path)
{
        while (v && *path) {
                const char *dot = strchr(path, '.');
                size_t n = dot ? (size_t)(dot - path) : strlen(path);

                v = json_object_getn(v, path, n);
                path += n + (dot ? 1 : 0);
        }
        return v;
}

int64_t kl_ctrl_dig_int(const json_t *v, const char *path, int64_t def)
{
        const json_t *x = kl_ctrl_dig(v, path);

        return json_is_integer(x) ? (int64_t)json_integer_value(x) : def;
}

int64_t kl_ctrl_dig_i32(const json_t *v, const char *path, int64_t def)
{
        int64_t x = kl_ctrl_dig_int(v, path, def);

        /* The API's int32 fields: anything else is not from a valid object. */
        return x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x;
}

const char *kl_ctrl_dig_str(const json_t *v, const char *path)
{
        return json_string_value(kl_ctrl_dig(v, path));
}

enum kl_ctrl_rs_claim kl_ctrl_rs_claim(const json_t *owner, const struct kl_api_label_selector *sel,
                                       const json_t *obj)
{
        const json_t *ref = kl_ctrl_controller_ref(obj);
        const char *uid = kl_ctrl_meta_str(owner, "uid");
        bool match = kl_api_label_selector_matches(sel, kl_ctrl_dig(obj, "metadata.labels"));

        /* Stored objects have names; anything else cannot be written to. */
        if (!kl_ctrl_meta_str(obj, "name"))
                return KL_CTRL_RS_CLAIM_IGNORE;
        if (ref) {
                if (!kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid))
                        return KL_CTRL_RS_CLAIM_IGNORE; /* someone else's */
                if (match)
                        return KL_CTRL_RS_CLAIM_OWNED;
                /* Ours but no longer selected: release, unless we are going away. */
                return kl_ctrl_is_deleting(owner) ? KL_CTRL_RS_CLAIM_IGNORE
                                                  : KL_CTRL_RS_CLAIM_RELEASE;
        }
        /* An orphan: adopt it if it matches and neither side is being deleted. */
        if (!match || kl_ctrl_is_deleting(owner) || kl_ctrl_is_deleting(obj))
                return KL_CTRL_RS_CLAIM_IGNORE;
        return KL_CTRL_RS_CLAIM_ADOPT;
}

/*
 * Upstream's adoption and release patches: strategic merge patches of the
 * ownerReferences list (merge key uid) carrying the object's uid, so the API
 * server refuses them if the object was replaced meanwhile.
 */
json_t *kl_ctrl_adopt_patch(const json_t *owner, const json_t *obj)
{
        return json_pack("{s:{s:[o], s:s?}}", "metadata", "ownerReferences",
                         kl_ctrl_owner_ref(owner), "uid", kl_ctrl_meta_str(obj, "uid"));
}

json_t *kl_ctrl_release_patch(const json_t *owner, const json_t *obj)
{
        return json_pack("{s:{s:[{s:s, s:s?}], s:s?}}", "metadata", "ownerReferences", "$patch",
                         "delete", "uid", kl_ctrl_meta_str(owner, "uid"), "uid",
                         kl_ctrl_meta_str(obj, "uid"));
}

int kl_ctrl_cmp_creation(const json_t *a, const json_t *b)
{
        kl_usec_t ta = kl_ctrl_time(kl_ctrl_dig(a, "metadata.creationTimestamp"));
        kl_usec_t tb = kl_ctrl_time(kl_ctrl_dig(b, "metadata.creationTimestamp"));
        const char *na = kl_ctrl_meta_str(a, "name"), *nb = kl_ctrl_meta_str(b, "name");

        if (ta != tb)
                return ta < tb ? -1 : 1;
        return strcmp(na ? na : "", nb ? nb : "");
}

int kl_ctrl_selector(const json_t *obj, struct kl_api_label_selector **ret, struct kl_err **err)
{
        return kl_api_label_selector_from_json(kl_ctrl_dig(obj, "spec.selector"), ret, err);
}
