/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The garbage collector (upstream's garbagecollector, attemptToDeleteItem
 * and processDeletingDependentsItem), over every kind the manager has an
 * informer for.
 *
 * The API server already cascades Foreground and Orphan deletes inline
 * (pkg/apiserver/README.md "Deletion"). What is left to this controller:
 *   - Background propagation: an owner is gone, so its dependents go too;
 *   - dangling references: an ownerReference whose owner (by uid) no longer
 *     exists is dropped, or the dependent deleted when no owner remains;
 *   - references to an owner waiting for its dependents in the foreground
 *     while another owner remains are dropped, so the owner can go;
 *   - the foregroundDeletion finalizer of an owner none of whose
 *     dependents blocks any more, and the orphan finalizer once the
 *     dependents have lost their references.
 *
 * Keys: "<Kind>:<ns>/<name>" (or "<Kind>:<name>") for one object, and
 * "dependents:<uid>" for everything that names `uid` as an owner (queued
 * when an object is added, removed, or being deleted).
 *
 * Absence is judged by uid in the informers, which are all synced before
 * the first sync; a reference to a kind no informer holds is never
 * absent. Informers of different kinds are not in step, so an owner not
 * seen yet by an object written less than KL_CTRL_GC_OWNER_GRACE ago is given
 * that long to appear.
 */
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define FIN_FOREGROUND "foregroundDeletion"
#define FIN_ORPHAN     "orphan"
#define DEPS_PREFIX    "dependents:"
/* At most this many writes per sync of a "dependents:" key; the rest after a short delay. */
#define GC_BATCH       500
#define GC_BATCH_DELAY (100 * KL_USEC_PER_MSEC)

static const json_t *refs_of(const json_t *obj)
{
        return json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
}

static bool has_finalizer(const json_t *obj, const char *name)
{
        const json_t *fin = json_object_get(json_object_get(obj, "metadata"), "finalizers");
        size_t i;
        json_t *f;

        json_array_foreach(fin, i, f)
                if (kl_streq_null(json_string_value(f), name))
                        return true;
        return false;
}

/* When the object was last written, as far as its metadata tells: creation or a managed write. */
static kl_usec_t last_write(const json_t *obj)
{
        const json_t *meta = json_object_get(obj, "metadata");
        kl_usec_t t = kl_ctrl_time(json_object_get(meta, "creationTimestamp"));
        size_t i;
        json_t *mf;

        json_array_foreach(json_object_get(meta, "managedFields"), i, mf)
                t = KL_MAX(t, kl_ctrl_time(json_object_get(mf, "time")));
        return t;
}

/* A merge patch of metadata pinned to the resourceVersion read (a compare-and-swap). */
static json_t *meta_patch(const json_t *obj, const char *field, json_t *value)
{
        return json_pack("{s:{s:o, s:s?}}", "metadata", field, value ? value : json_null(),
                         "resourceVersion", kl_ctrl_meta_str(obj, "resourceVersion"));
}

/* Patch `obj` to keep only the ownerReferences whose uid is not in `drop` (n uids). */
static void drop_refs(struct kl_ctrl_actions *out, const struct kl_api_resource *res,
                      const json_t *obj, const char *const *drop, size_t n)
{
        json_t *keep = json_array();
        size_t i;
        json_t *ref;

        json_array_foreach(refs_of(obj), i, ref) {
                const char *uid = json_string_value(json_object_get(ref, "uid"));
                bool dropped = false;

                for (size_t k = 0; k < n && !dropped; k++)
                        dropped = kl_streq_null(uid, drop[k]);
                if (!dropped)
                        (void)json_array_append(keep, ref);
        }
        if (json_array_size(keep) == 0) {
                json_decref(keep);
                keep = NULL;
        }
        kl_ctrl_patch(out, res, kl_ctrl_meta_str(obj, "namespace"), kl_ctrl_meta_str(obj, "name"),
                      NULL, KL_API_PATCH_TYPE_MERGE, meta_patch(obj, "ownerReferences", keep));
}

static void remove_finalizer(struct kl_ctrl_actions *out, const struct kl_api_resource *res,
                             const json_t *obj, const char *name)
{
        json_t *keep = json_array();
        size_t i;
        json_t *f;

        json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "finalizers"), i, f)
                if (!kl_streq_null(json_string_value(f), name))
                        (void)json_array_append(keep, f);
        if (json_array_size(keep) == 0) {
                json_decref(keep);
                keep = NULL;
        }
        kl_ctrl_patch(out, res, kl_ctrl_meta_str(obj, "namespace"), kl_ctrl_meta_str(obj, "name"),
                      NULL, KL_API_PATCH_TYPE_MERGE, meta_patch(obj, "finalizers", keep));
}

/* The reference of `dep` to the owner with `uid`, or NULL. */
static const json_t *ref_to(const json_t *dep, const char *uid)
{
        size_t i;
        json_t *ref;

        json_array_foreach(refs_of(dep), i, ref)
                if (kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid))
                        return ref;
        return NULL;
}

/* A deleting owner with the orphan finalizer: first the dependents let go, then the finalizer. */
static void orphan_step(const struct kl_ctrl_gc_input *in, struct kl_ctrl_actions *out)
{
        const char *uid = kl_ctrl_meta_str(in->obj, "uid");
        size_t n = 0;

        for (size_t i = 0; i < in->n_dependents; i++) {
                if (!ref_to(in->dependents[i], uid))
                        continue;
                drop_refs(out, in->dependent_res[i], in->dependents[i], &uid, 1);
                n++;
        }
        /* The finalizer goes only once no dependent names the owner, or they would dangle. */
        if (n == 0)
                remove_finalizer(out, in->res, in->obj, FIN_ORPHAN);
}

/*
 * A deleting owner with the foregroundDeletion finalizer: it goes once no
 * dependent blocks it (blockOwnerDeletion). Blocking dependents are the
 * business of their own syncs (they see their owner waiting).
 */
static void foreground_step(const struct kl_ctrl_gc_input *in, struct kl_ctrl_actions *out)
{
        const char *uid = kl_ctrl_meta_str(in->obj, "uid");

        for (size_t i = 0; i < in->n_dependents; i++)
                if (json_is_true(
                            json_object_get(ref_to(in->dependents[i], uid), "blockOwnerDeletion")))
                        return;
        remove_finalizer(out, in->res, in->obj, FIN_FOREGROUND);
}

static void delete_item(const struct kl_ctrl_gc_input *in, struct kl_ctrl_actions *out,
                        const char *policy)
{
        /* As upstream, the uid only: a status write in between is no conflict. */
        kl_ctrl_delete(out, in->res, kl_ctrl_meta_str(in->obj, "namespace"),
                       kl_ctrl_meta_str(in->obj, "name"),
                       json_pack("{s:s, s:{s:s?}}", "propagationPolicy", policy, "preconditions",
                                 "uid", kl_ctrl_meta_str(in->obj, "uid")));
}

void kl_ctrl_gc_reconcile(const struct kl_ctrl_gc_input *in, struct kl_ctrl_actions *out,
                          kl_usec_t *requeue_after)
{
        const json_t *refs = refs_of(in->obj);
        size_t nrefs = json_array_size(refs), n_solid = 0, n_drop = 0, n_waiting = 0;
        kl_autofree const char **drop = NULL;
        bool absent = false;
        kl_usec_t until;

        *requeue_after = 0;
        if (kl_ctrl_is_deleting(in->obj)) {
                if (has_finalizer(in->obj, FIN_ORPHAN))
                        orphan_step(in, out);
                else if (has_finalizer(in->obj, FIN_FOREGROUND))
                        foreground_step(in, out);
                /* Otherwise it is on its way out already. */
                return;
        }
        if (nrefs == 0)
                return;

        drop = kl_calloc(nrefs, sizeof(*drop));
        for (size_t i = 0; i < nrefs; i++) {
                const json_t *ref = json_array_get(refs, i);
                const char *uid = json_string_value(json_object_get(ref, "uid"));
                const struct kl_ctrl_gc_owner *o = i < in->n_owners ? &in->owners[i] : NULL;
                /* A kind without informer (or no word on it) is never judged: solid. */
                bool known = o && !o->unknown;

                if (known && (!o->obj || !kl_streq_null(kl_ctrl_meta_str(o->obj, "uid"), uid))) {
                        /* Dangling: the owner with this uid is gone (a new namesake is another). */
                        drop[n_drop++] = uid;
                        absent = true;
                } else if (known && kl_ctrl_is_deleting(o->obj) &&
                           has_finalizer(o->obj, FIN_FOREGROUND)) {
                        drop[n_drop++] = uid;
                        n_waiting++;
                } else {
                        n_solid++;
                }
        }

        /* An owner written just before its dependent may not have reached its informer yet. */
        until = last_write(in->obj) + KL_CTRL_GC_OWNER_GRACE;
        if (absent && in->now < until) {
                *requeue_after = until - in->now;
                return;
        }

        if (n_solid > 0) {
                /* An owner remains: only let go of the gone and of those waiting on us. */
                if (n_drop > 0)
                        drop_refs(out, in->res, in->obj, drop, n_drop);
                return;
        }
        if (n_waiting > 0 && in->n_dependents > 0) {
                /* An owner waits in the foreground and we have dependents: so do we. */
                delete_item(in, out, "Foreground");
                return;
        }
        /* No owner left: collect it, honouring a cascade its finalizers already ask for. */
        if (has_finalizer(in->obj, FIN_ORPHAN))
                delete_item(in, out, "Orphan");
        else if (has_finalizer(in->obj, FIN_FOREGROUND))
                delete_item(in, out, "Foreground");
        else
                delete_item(in, out, "Background");
}

/* ------------------------------------------------------------------------- */
/* The controller */

static const enum kl_ctrl_inf gc_watches[] = {
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_NODES,
        KL_CTRL_INF_NAMESPACES,
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_ENDPOINTS,
        KL_CTRL_INF_ENDPOINTSLICES,
        KL_CTRL_INF_SERVICEACCOUNTS,
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF_DEPLOYMENTS,
        KL_CTRL_INF_STATEFULSETS,
        KL_CTRL_INF_DAEMONSETS,
        KL_CTRL_INF_CONTROLLERREVISIONS,
        KL_CTRL_INF_JOBS,
        KL_CTRL_INF_CRONJOBS,
        KL_CTRL_INF_PVCS,
        KL_CTRL_INF_PVS,
        KL_CTRL_INF_STORAGECLASSES,
        KL_CTRL_INF_LEASES,
        KL_CTRL_INF_CONFIGMAPS,
        KL_CTRL_INF_SECRETS,
        KL_CTRL_INF_PDBS,
        KL_CTRL_INF__COUNT,
};

/* The informer of the kind an ownerReference names (apiVersion's group + kind); __COUNT: none. */
static enum kl_ctrl_inf inf_of_ref(const json_t *ref)
{
        const char *av = json_string_value(json_object_get(ref, "apiVersion"));
        const char *kind = json_string_value(json_object_get(ref, "kind"));
        const char *slash;
        size_t glen;

        if (!av || !kind)
                return KL_CTRL_INF__COUNT;
        slash = strchr(av, '/');
        glen = slash ? (size_t)(slash - av) : 0;
        for (int i = 0; i < KL_CTRL_INF__COUNT; i++) {
                const struct kl_api_resource *r = kl_ctrl_inf_resource((enum kl_ctrl_inf)i);

                if (kl_streq(r->kind, kind) && strlen(r->group) == glen &&
                    strncmp(r->group, av, glen) == 0)
                        return (enum kl_ctrl_inf)i;
        }
        return KL_CTRL_INF__COUNT;
}

static enum kl_ctrl_inf inf_of_kind(const char *kind, size_t len)
{
        for (int i = 0; i < KL_CTRL_INF__COUNT; i++) {
                const char *k = kl_ctrl_inf_resource((enum kl_ctrl_inf)i)->kind;

                if (strlen(k) == len && strncmp(k, kind, len) == 0)
                        return (enum kl_ctrl_inf)i;
        }
        return KL_CTRL_INF__COUNT;
}

/* "<Kind>:<ns>/<name>" of an object of informer `i` named (ns, name); new. */
static char *item_key(enum kl_ctrl_inf i, const char *ns, const char *name)
{
        const struct kl_api_resource *r = kl_ctrl_inf_resource(i);

        if (r->namespaced)
                return kl_asprintf("%s:%s/%s", r->kind, ns ? ns : "", name);
        return kl_asprintf("%s:%s", r->kind, name);
}

static void enqueue_owner(struct kl_ctrl *c, const json_t *dep, const json_t *ref)
{
        enum kl_ctrl_inf oi = inf_of_ref(ref);
        const char *name = json_string_value(json_object_get(ref, "name"));
        kl_autofree char *key = NULL;

        if (oi == KL_CTRL_INF__COUNT || !name)
                return;
        key = item_key(oi, kl_ctrl_meta_str(dep, "namespace"), name);
        kl_ctrl_enqueue(c, key);
}

/* json_equal() that also holds two absent values equal. */
static bool same(const json_t *a, const json_t *b)
{
        return (!a && !b) || json_equal(a, b);
}

static void gc_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        const json_t *cur = obj ? obj : old;
        const json_t *m_old = json_object_get(old, "metadata");
        const json_t *m_cur = json_object_get(cur, "metadata");
        const char *uid = kl_ctrl_meta_str(cur, "uid");
        const char *name = kl_ctrl_meta_str(cur, "name");
        size_t k;
        json_t *ref;

        if (!name)
                return;
        /* The object itself: new, its owners or its deletion changed. */
        if (!old || !obj ||
            !same(json_object_get(m_old, "ownerReferences"),
                  json_object_get(m_cur, "ownerReferences")) ||
            !same(json_object_get(m_old, "finalizers"), json_object_get(m_cur, "finalizers")) ||
            kl_ctrl_is_deleting(old) != kl_ctrl_is_deleting(cur)) {
                if (obj && (refs_of(obj) || kl_ctrl_is_deleting(obj))) {
                        kl_autofree char *key =
                                item_key(i, kl_ctrl_meta_str(cur, "namespace"), name);

                        kl_ctrl_enqueue(c, key);
                }
        }
        /* Its dependents: it appeared (perhaps a namesake of their owner), left, or goes. */
        if (uid && (!old || !obj || kl_ctrl_is_deleting(cur))) {
                kl_autofree char *key = kl_asprintf(DEPS_PREFIX "%s", uid);

                kl_ctrl_enqueue(c, key);
        }
        /* Owners it no longer names: one waiting for its dependents may go now. */
        json_array_foreach(refs_of(old), k, ref) {
                if (obj && ref_to(obj, json_string_value(json_object_get(ref, "uid"))))
                        continue;
                enqueue_owner(c, old, ref);
        }
}

/* Every object naming `uid` as an owner, with its kind, appended to `deps` and *res. */
static void dependents_of(const struct kl_ctrl_env *env, const char *uid, struct kl_objv *deps,
                          const struct kl_api_resource ***res, size_t *cap)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv one = { 0 };

        for (int i = 0; i < KL_CTRL_INF__COUNT; i++) {
                /* Lookups refill their vector: gather kind by kind. */
                kl_informer_by_index(kl_ctrl_informer(env, (enum kl_ctrl_inf)i), KL_INDEX_OWNER,
                                     uid, &one);
                if (deps->n + one.n > *cap) {
                        *cap = deps->n + one.n;
                        *res = kl_realloc(*res, *cap * sizeof(**res));
                }
                for (size_t j = 0; j < one.n; j++) {
                        (*res)[deps->n] = kl_ctrl_inf_resource((enum kl_ctrl_inf)i);
                        kl_objv_push(deps, one.items[j]);
                }
        }
}

/* Reconcile one object `obj` of informer `i`; the earliest requeue is kept in *requeue_after. */
static void gc_item(const struct kl_ctrl_env *env, enum kl_ctrl_inf i, const json_t *obj,
                    struct kl_ctrl_actions *out, kl_usec_t *requeue_after)
{
        const json_t *refs = refs_of(obj);
        size_t nrefs = json_array_size(refs);
        kl_autofree struct kl_ctrl_gc_owner *owners = kl_calloc(nrefs ? nrefs : 1, sizeof(*owners));
        kl_cleanup(kl_objv_clearp) struct kl_objv deps = { 0 };
        kl_autofree const struct kl_api_resource **deps_res = NULL;
        const char *ns = kl_ctrl_meta_str(obj, "namespace");
        const char *uid = kl_ctrl_meta_str(obj, "uid");
        size_t cap = 0;
        kl_usec_t after = 0;

        for (size_t k = 0; k < nrefs; k++) {
                const json_t *ref = json_array_get(refs, k);
                enum kl_ctrl_inf oi = inf_of_ref(ref);
                const char *oname = json_string_value(json_object_get(ref, "name"));
                const json_t *owner;

                if (oi == KL_CTRL_INF__COUNT || !oname) {
                        owners[k].unknown = true;
                        continue;
                }
                /* A namespaced owner lives in its dependent's namespace; never a cluster one's. */
                if (kl_ctrl_inf_resource(oi)->namespaced)
                        owner = ns ? kl_informer_get(kl_ctrl_informer(env, oi), ns, oname) : NULL;
                else
                        owner = kl_informer_get(kl_ctrl_informer(env, oi), NULL, oname);
                if (owner && kl_streq_null(kl_ctrl_meta_str(owner, "uid"),
                                           json_string_value(json_object_get(ref, "uid"))))
                        owners[k].obj = owner;
        }
        if (uid)
                dependents_of(env, uid, &deps, &deps_res, &cap);
        kl_ctrl_gc_reconcile(
                &(struct kl_ctrl_gc_input){
                        .obj = obj,
                        .res = kl_ctrl_inf_resource(i),
                        .owners = owners,
                        .n_owners = nrefs,
                        .dependents = deps.items,
                        .dependent_res = deps_res,
                        .n_dependents = deps.n,
                        .now = env->now,
                },
                out, &after);
        if (after && (!*requeue_after || after < *requeue_after))
                *requeue_after = after;
}

static int gc_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                   kl_usec_t *requeue_after, struct kl_err **err)
{
        const char *colon;
        enum kl_ctrl_inf i;
        const json_t *obj;

        *requeue_after = 0;
        if (strncmp(key, DEPS_PREFIX, strlen(DEPS_PREFIX)) == 0) {
                kl_cleanup(kl_objv_clearp) struct kl_objv deps = { 0 };
                kl_autofree const struct kl_api_resource **deps_res = NULL;
                size_t cap = 0, start = out->n;

                dependents_of(env, key + strlen(DEPS_PREFIX), &deps, &deps_res, &cap);
                for (size_t k = 0; k < deps.n; k++) {
                        if (out->n - start >= GC_BATCH) {
                                *requeue_after = GC_BATCH_DELAY;
                                break;
                        }
                        gc_item(env, inf_of_kind(deps_res[k]->kind, strlen(deps_res[k]->kind)),
                                deps.items[k], out, requeue_after);
                }
                return 0;
        }
        colon = strchr(key, ':');
        if (!colon)
                return kl_err_set(err, -EINVAL, "bad key '%s'", key);
        i = inf_of_kind(key, (size_t)(colon - key));
        if (i == KL_CTRL_INF__COUNT)
                return kl_err_set(err, -EINVAL, "bad key '%s'", key);
        obj = kl_informer_get_key(kl_ctrl_informer(env, i), colon + 1);
        if (obj)
                gc_item(env, i, obj, out, requeue_after);
        return 0;
}

const struct kl_ctrl_def kl_ctrl_gc = {
        .name = "garbagecollector",
        .user = "system:serviceaccount:kube-system:generic-garbage-collector",
        .watches = gc_watches,
        .enqueue = gc_enqueue,
        .sync = gc_sync,
};
