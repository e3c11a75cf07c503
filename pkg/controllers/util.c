/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers every controller uses (ctrl-internal.h): metadata, owner
 * references, pod states, pods from templates, conditions, template hashes.
 * Pure functions of their arguments.
 */
#include <string.h>

#include "controllers/ctrl-internal.h"
#include "json/json.h"

const struct kl_api_resource *kl_ctrl_res(const char *group, const char *plural)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        /* The first row is the preferred version; rows stored elsewhere are aliases. */
        for (size_t i = 0; i < n; i++)
                if (!rows[i].storage_group && kl_streq(rows[i].group, group) &&
                    kl_streq(rows[i].plural, plural))
                        return &rows[i];
        /* Controllers name only rows of the static table: a miss is a typo. */
        kl_bug("no such resource");
}

const char *kl_ctrl_meta_str(const json_t *obj, const char *field)
{
        return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

const json_t *kl_ctrl_controller_ref(const json_t *obj)
{
        const json_t *refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
        size_t i;
        json_t *ref;

        json_array_foreach(refs, i, ref)
                if (json_is_true(json_object_get(ref, "controller")))
                        return ref;
        return NULL;
}

bool kl_ctrl_is_owned_by(const json_t *obj, const char *uid)
{
        const json_t *refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
        size_t i;
        json_t *ref;

        if (!uid)
                return false;
        json_array_foreach(refs, i, ref)
                if (kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid))
                        return true;
        return false;
}

json_t *kl_ctrl_owner_ref(const json_t *owner)
{
        return json_pack("{s:O?, s:O?, s:s?, s:s?, s:b, s:b}", "apiVersion",
                         json_object_get(owner, "apiVersion"), "kind",
                         json_object_get(owner, "kind"), "name", kl_ctrl_meta_str(owner, "name"),
                         "uid", kl_ctrl_meta_str(owner, "uid"), "controller", 1,
                         "blockOwnerDeletion", 1);
}

bool kl_ctrl_is_deleting(const json_t *obj)
{
        return kl_ctrl_meta_str(obj, "deletionTimestamp") != NULL;
}

kl_usec_t kl_ctrl_time(const json_t *v)
{
        int64_t t;

        if (!json_is_string(v) || kl_rfc3339_parse(json_string_value(v), &t) < 0 || t < 0)
                return 0;
        return (kl_usec_t)t;
}

json_t *kl_ctrl_time_json(kl_usec_t t)
{
        char buf[KL_RFC3339_MAX];

        return json_string(kl_rfc3339_format(t, KL_RFC3339_SECONDS, buf, sizeof(buf)));
}

static const char *pod_phase(const json_t *pod)
{
        return json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
}

bool kl_ctrl_pod_is_active(const json_t *pod)
{
        const char *phase = pod_phase(pod);

        return !kl_streq_null(phase, "Succeeded") && !kl_streq_null(phase, "Failed") &&
               !kl_ctrl_is_deleting(pod);
}

bool kl_ctrl_pod_is_ready(const json_t *pod)
{
        const json_t *c = kl_ctrl_get_condition(pod, "Ready");

        return c && kl_streq_null(json_string_value(json_object_get(c, "status")), "True");
}

bool kl_ctrl_pod_is_available(const json_t *pod, int64_t min_ready_sec, kl_usec_t now)
{
        const json_t *c = kl_ctrl_get_condition(pod, "Ready");
        kl_usec_t since;

        if (!c || !kl_streq_null(json_string_value(json_object_get(c, "status")), "True"))
                return false;
        if (min_ready_sec <= 0)
                return true;
        since = kl_ctrl_time(json_object_get(c, "lastTransitionTime"));
        return since != 0 && since + (kl_usec_t)min_ready_sec * KL_USEC_PER_SEC <= now;
}

json_t *kl_ctrl_pod_from_template(const json_t *tmpl, const json_t *owner, const char *prefix)
{
        const json_t *tmeta = json_object_get(tmpl, "metadata");
        json_t *meta = json_object(), *pod, *v;

        /* Upstream drops the dash when "<prefix>-" is not a valid pod name prefix. */
        if (strlen(prefix) < 63)
                json_object_set_new(meta, "generateName", json_sprintf("%s-", prefix));
        else
                json_object_set_new(meta, "generateName", json_string(prefix));
        if ((v = json_object_get(owner, "metadata")) && json_object_get(v, "namespace"))
                json_object_set(meta, "namespace", json_object_get(v, "namespace"));
        json_object_set_new(meta, "labels", json_deep_copy(json_object_get(tmeta, "labels")));
        if (!json_object_get(meta, "labels"))
                json_object_set_new(meta, "labels", json_object());
        if ((v = json_object_get(tmeta, "annotations")))
                json_object_set_new(meta, "annotations", json_deep_copy(v));
        if ((v = json_object_get(tmeta, "finalizers")))
                json_object_set_new(meta, "finalizers", json_deep_copy(v));
        if (owner)
                json_object_set_new(meta, "ownerReferences",
                                    json_pack("[o]", kl_ctrl_owner_ref(owner)));
        v = json_object_get(tmpl, "spec");
        pod = json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "v1", "kind", "Pod", "metadata", meta,
                        "spec", json_is_object(v) ? json_deep_copy(v) : json_object());
        return pod;
}

const json_t *kl_ctrl_get_condition(const json_t *obj, const char *type)
{
        const json_t *conds = json_object_get(json_object_get(obj, "status"), "conditions");
        size_t i;
        json_t *c;

        json_array_foreach(conds, i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), type))
                        return c;
        return NULL;
}

void kl_ctrl_set_condition(json_t *status, const char *type, const char *cond_status,
                           const char *reason, const char *message, kl_usec_t now)
{
        json_t *conds = json_object_get(status, "conditions"), *c, *nc;
        size_t i;

        if (!json_is_array(conds)) {
                conds = json_array();
                json_object_set_new(status, "conditions", conds);
        }
        nc = json_pack("{s:s, s:s}", "type", type, "status", cond_status);
        json_array_foreach(conds, i, c) {
                if (!kl_streq_null(json_string_value(json_object_get(c, "type")), type))
                        continue;
                /* The transition time moves only when the status does. */
                if (kl_streq_null(json_string_value(json_object_get(c, "status")), cond_status) &&
                    json_object_get(c, "lastTransitionTime"))
                        json_object_set(nc, "lastTransitionTime",
                                        json_object_get(c, "lastTransitionTime"));
                break;
        }
        if (!json_object_get(nc, "lastTransitionTime"))
                json_object_set_new(nc, "lastTransitionTime", kl_ctrl_time_json(now));
        if (reason)
                json_object_set_new(nc, "reason", json_string(reason));
        if (message)
                json_object_set_new(nc, "message", json_string(message));
        if (i < json_array_size(conds))
                json_array_set_new(conds, i, nc);
        else
                json_array_append_new(conds, nc);
}

void kl_ctrl_strip_nulls(json_t *v)
{
        const char *key;
        json_t *member;
        void *tmp;
        size_t i;

        if (json_is_object(v)) {
                json_object_foreach_safe(v, tmp, key, member) {
                        if (json_is_null(member))
                                (void)json_object_del(v, key);
                        else
                                kl_ctrl_strip_nulls(member);
                }
        } else if (json_is_array(v)) {
                json_array_foreach(v, i, member)
                        kl_ctrl_strip_nulls(member);
        }
}

char *kl_ctrl_template_hash(const json_t *tmpl, const json_t *collision_count)
{
        /* Upstream's rand.SafeEncodeString alphabet: no vowels, no look-alikes. */
        static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        char dec[16];
        uint32_t h = 2166136261u;
        size_t n;

        json_auto_t *norm = json_deep_copy(tmpl);

        /* Go decodes null as unset: kubectl's `rollout undo` sends creationTimestamp: null. */
        kl_ctrl_strip_nulls(norm);
        /* A template that cannot be encoded hashes as empty: still a stable name. */
        (void)kl_json_encode(norm, KL_JSON_ENCODE_CANONICAL, &b, NULL);
        if (json_is_integer(collision_count))
                (void)kl_buf_printf(&b, "%lld", (long long)json_integer_value(collision_count));
        for (size_t i = 0; i < b.len; i++) {
                h ^= (unsigned char)b.buf[i];
                h *= 16777619u;
        }
        n = (size_t)snprintf(dec, sizeof(dec), "%u", h);
        for (size_t i = 0; i < n; i++)
                dec[i] = alphanums[(unsigned char)dec[i] % (sizeof(alphanums) - 1)];
        return kl_strdup(dec);
}
