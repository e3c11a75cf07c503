/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ControllerRevisions (upstream's pkg/controller/history), shared by the
 * StatefulSet and DaemonSet controllers, and the claiming of objects by
 * selector and controller reference both use (upstream's
 * ControllerRefManager).
 *
 * A revision stores the "patch" of its owner's pod template exactly as
 * upstream's getPatch writes it, {"spec":{"template":{...,"$patch":"replace"}}},
 * because kubectl's `rollout history` and `rollout undo` read `data` and
 * apply it to the workload as a strategic merge patch. Pure functions.
 */
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "api/selector.h"
#include "controllers/ctrl-internal.h"

/* Upstream truncates the owner's name so "<name>-<hash>" stays a valid name. */
#define REVISION_PREFIX_MAX 223

int64_t kl_ctrl_revision_number(const json_t *rev)
{
        return json_integer_value(json_object_get(rev, "revision"));
}

static int cmp_revisions(const void *pa, const void *pb)
{
        const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
        int64_t ra = kl_ctrl_revision_number(a), rb = kl_ctrl_revision_number(b);
        kl_usec_t ta, tb;

        if (ra != rb)
                return ra < rb ? -1 : 1;
        ta = kl_ctrl_time(json_object_get(json_object_get(a, "metadata"), "creationTimestamp"));
        tb = kl_ctrl_time(json_object_get(json_object_get(b, "metadata"), "creationTimestamp"));
        if (ta != tb)
                return ta < tb ? -1 : 1;
        return strcmp(kl_ctrl_meta_str(a, "name") ?: "", kl_ctrl_meta_str(b, "name") ?: "");
}

void kl_ctrl_revisions_sort(const json_t **revs, size_t n)
{
        if (n > 1)
                qsort(revs, n, sizeof(*revs), cmp_revisions);
}

int64_t kl_ctrl_revisions_next(const json_t *const *revs, size_t n)
{
        int64_t max = 0;

        for (size_t i = 0; i < n; i++)
                if (kl_ctrl_revision_number(revs[i]) > max)
                        max = kl_ctrl_revision_number(revs[i]);
        return max + 1;
}

json_t *kl_ctrl_revision_patch(const json_t *owner)
{
        const json_t *tmpl = json_object_get(json_object_get(owner, "spec"), "template");
        json_t *t = json_is_object(tmpl) ? json_deep_copy(tmpl) : json_object();

        json_object_set_new(t, "$patch", json_string("replace"));
        return json_pack("{s:{s:o}}", "spec", "template", t);
}

bool kl_ctrl_revision_equal(const json_t *a, const json_t *b)
{
        const char *ha = json_string_value(
                json_object_get(json_object_get(json_object_get(a, "metadata"), "labels"),
                                KL_CTRL_REVISION_HASH_LABEL));
        const char *hb = json_string_value(
                json_object_get(json_object_get(json_object_get(b, "metadata"), "labels"),
                                KL_CTRL_REVISION_HASH_LABEL));

        if (!kl_isempty(ha) && !kl_isempty(hb) && !kl_streq(ha, hb))
                return false;
        return json_equal(json_object_get(a, "data"), json_object_get(b, "data"));
}

char *kl_ctrl_revision_name(const char *owner_name, const char *hash)
{
        size_t n = strlen(owner_name);

        return kl_asprintf("%.*s-%s", (int)(n > REVISION_PREFIX_MAX ? REVISION_PREFIX_MAX : n),
                           owner_name, hash);
}

json_t *kl_ctrl_revision_new(const json_t *owner, json_t *data, const char *hash, int64_t revision)
{
        const json_t *tmpl = json_object_get(json_object_get(owner, "spec"), "template");
        const json_t *labels = json_object_get(json_object_get(tmpl, "metadata"), "labels");
        const json_t *annotations =
                json_object_get(json_object_get(owner, "metadata"), "annotations");
        kl_autofree char *name = kl_ctrl_revision_name(kl_ctrl_meta_str(owner, "name") ?: "", hash);
        json_t *meta, *l;

        l = json_is_object(labels) ? json_deep_copy(labels) : json_object();
        json_object_set_new(l, KL_CTRL_REVISION_HASH_LABEL, json_string(hash));
        meta = json_pack("{s:s, s:s?, s:o, s:[o]}", "name", name, "namespace",
                         kl_ctrl_meta_str(owner, "namespace"), "labels", l, "ownerReferences",
                         kl_ctrl_owner_ref(owner));
        if (json_is_object(annotations) && json_object_size(annotations) > 0)
                json_object_set_new(meta, "annotations", json_deep_copy(annotations));
        return json_pack("{s:s, s:s, s:o, s:o, s:I}", "apiVersion", "apps/v1", "kind",
                         "ControllerRevision", "metadata", meta, "data", data, "revision",
                         (json_int_t)revision);
}

json_t *kl_ctrl_revision_apply(const json_t *owner, const json_t *rev)
{
        const json_t *tmpl =
                json_object_get(json_object_get(json_object_get(rev, "data"), "spec"), "template");
        json_t *copy = json_deep_copy(owner), *t;

        if (!json_is_object(tmpl))
                return copy;
        t = json_deep_copy(tmpl);
        json_object_del(t, "$patch");
        if (!json_is_object(json_object_get(copy, "spec")))
                json_object_set_new(copy, "spec", json_object());
        json_object_set_new(json_object_get(copy, "spec"), "template", t);
        return copy;
}

const json_t *kl_ctrl_revision_find(const json_t *const *revs, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (kl_streq_null(kl_ctrl_meta_str(revs[i], "name"), name))
                        return revs[i];
        return NULL;
}

/* ------------------------------------------------------------------------- */
/* Claiming */

/* A merge patch setting obj's ownerReferences to `refs` (stolen), guarded by its uid. */
static json_t *refs_patch(const json_t *obj, json_t *refs)
{
        return json_pack("{s:{s:o, s:s?}}", "metadata", "ownerReferences", refs, "uid",
                         kl_ctrl_meta_str(obj, "uid"));
}

size_t kl_ctrl_claim(const json_t *owner, const struct kl_api_label_selector *sel,
                     const struct kl_api_resource *res, const json_t *const *objs, size_t n,
                     bool (*member)(const json_t *owner, const json_t *obj),
                     struct kl_ctrl_actions *out, const json_t **ret)
{
        const char *uid = kl_ctrl_meta_str(owner, "uid");
        const char *ns = kl_ctrl_meta_str(owner, "namespace");
        bool deleting = kl_ctrl_is_deleting(owner);
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                const json_t *o = objs[i];
                const json_t *ref = kl_ctrl_controller_ref(o);
                const json_t *refs =
                        json_object_get(json_object_get(o, "metadata"), "ownerReferences");
                bool match =
                        kl_api_label_selector_matches(
                                sel, json_object_get(json_object_get(o, "metadata"), "labels")) &&
                        (!member || member(owner, o));
                json_t *nrefs, *r;
                size_t j;

                if (!kl_streq_null(kl_ctrl_meta_str(o, "namespace"), ns))
                        continue;
                if (ref) {
                        if (!kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid))
                                continue; /* someone else's */
                        if (match) {
                                ret[k++] = o;
                                continue;
                        }
                        if (deleting)
                                continue;
                        /* Ours but no longer selected: release it. */
                        nrefs = json_array();
                        json_array_foreach(refs, j, r)
                                if (!kl_streq_null(json_string_value(json_object_get(r, "uid")),
                                                   uid))
                                        json_array_append(nrefs, r);
                        kl_ctrl_patch(out, res, ns, kl_ctrl_meta_str(o, "name"), NULL,
                                      KL_API_PATCH_TYPE_MERGE, refs_patch(o, nrefs));
                        continue;
                }
                /* An orphan: adopt it when selected. */
                if (deleting || !match || kl_ctrl_is_deleting(o))
                        continue;
                nrefs = json_is_array(refs) ? json_deep_copy(refs) : json_array();
                json_array_append_new(nrefs, kl_ctrl_owner_ref(owner));
                kl_ctrl_patch(out, res, ns, kl_ctrl_meta_str(o, "name"), NULL,
                              KL_API_PATCH_TYPE_MERGE, refs_patch(o, nrefs));
                ret[k++] = o;
        }
        return k;
}

/* ------------------------------------------------------------------------- */
/* Small shared helpers */

int64_t kl_ctrl_int_field(const json_t *obj, const char *a, const char *b, int64_t def)
{
        const json_t *v = json_object_get(obj, a);

        if (b)
                v = json_object_get(v, b);
        return json_is_integer(v) ? json_integer_value(v) : def;
}

int64_t kl_ctrl_int_or_percent(const json_t *v, int64_t total, bool round_up, int64_t def)
{
        const char *s = json_string_value(v);
        char num[24];
        size_t len;
        int64_t pct;

        if (json_is_integer(v))
                return json_integer_value(v);
        len = s ? strlen(s) : 0;
        /* "<int>%"; validation allows nothing else for a string. */
        if (len < 2 || len > sizeof(num) || s[len - 1] != '%')
                return def;
        memcpy(num, s, len - 1);
        num[len - 1] = '\0';
        if (kl_parse_int64(num, &pct) < 0 || pct < 0 || pct > 1000000)
                return def;
        if (round_up)
                return (pct * total + 99) / 100;
        return pct * total / 100;
}
