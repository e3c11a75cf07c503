/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deletion in the resource handler layer, on the pool (op-internal.h;
 * kubectl-contract §12): DeleteOptions and preconditions, finalizers and
 * deletionTimestamp, pods' grace period, the namespace controller's and
 * the garbage collector's part done inline (namespace content, Foreground
 * and Orphan cascades, owners waiting for their dependents). These write
 * from the worker with the blocking store calls (README.md, "Deletion").
 */
#include <string.h>

#include "apiserver/apiserver-internal.h"
#include "apiserver/op-internal.h"
#include "json/json.h"

/* ------------------------------------------------------------------------- */
/* Deletion (kubectl-contract §12) */

/* How deep a Foreground cascade follows ownerReferences inline. */
#define MAX_CASCADE_DEPTH 8

enum propagation {
        PROPAGATE_BACKGROUND,
        PROPAGATE_FOREGROUND,
        PROPAGATE_ORPHAN,
};

static json_t *finalizers_of(const json_t *obj)
{
        json_t *f = json_object_get(json_object_get(obj, "metadata"), "finalizers");

        return json_is_array(f) ? f : NULL;
}

/* The DeleteOptions that matter here, checked. */
struct delete_opts {
        enum propagation propagation;
        int64_t grace; /* gracePeriodSeconds; -1 when not given */
};

static int delete_opts_parse(const json_t *o, struct delete_opts *ret, struct kl_err **err)
{
        const json_t *pp = json_object_get(o, "propagationPolicy");
        const json_t *grace = json_object_get(o, "gracePeriodSeconds");
        const json_t *orphan = json_object_get(o, "orphanDependents");

        *ret = (struct delete_opts){ .propagation = PROPAGATE_BACKGROUND, .grace = -1 };
        if (json_is_integer(grace)) {
                ret->grace = json_integer_value(grace);
                if (ret->grace < 0)
                        ret->grace = 0;
        }
        if (json_is_string(pp)) {
                const char *v = json_string_value(pp);

                if (json_is_boolean(orphan))
                        return kl_err_set_msg(
                                err, -KL_EINVALID,
                                "DeleteOptions.meta.k8s.io \"\" is invalid: "
                                "propagationPolicy: Invalid value: \"%s\": orphanDependents "
                                "and deletionPropagation cannot be both set",
                                v);
                if (kl_streq(v, "Foreground"))
                        ret->propagation = PROPAGATE_FOREGROUND;
                else if (kl_streq(v, "Orphan"))
                        ret->propagation = PROPAGATE_ORPHAN;
                else if (!kl_streq(v, "Background"))
                        return kl_err_set_msg(err, -KL_EINVALID,
                                              "DeleteOptions.meta.k8s.io \"\" is invalid: "
                                              "propagationPolicy: Unsupported value: \"%s\": "
                                              "supported values: \"Foreground\", \"Background\", "
                                              "\"Orphan\", \"nil\"",
                                              v);
        } else if (json_is_true(orphan)) {
                ret->propagation = PROPAGATE_ORPHAN;
        }
        return 0;
}

static bool has_finalizer(const json_t *obj, const char *name)
{
        size_t i;
        json_t *f;

        json_array_foreach(finalizers_of(obj), i, f) {
                if (kl_streq_null(json_string_value(f), name))
                        return true;
        }
        return false;
}

static void finalizer_add(json_t *obj, const char *name)
{
        json_t *meta = json_object_get(obj, "metadata");

        if (has_finalizer(obj, name))
                return;
        if (!finalizers_of(obj))
                (void)json_object_set_new(meta, "finalizers", json_array());
        (void)json_array_append_new(json_object_get(meta, "finalizers"), json_string(name));
}

static void finalizer_remove(json_t *obj, const char *name)
{
        json_t *meta = json_object_get(obj, "metadata");
        json_t *f = finalizers_of(obj);

        for (size_t i = json_array_size(f); i-- > 0;)
                if (kl_streq_null(json_string_value(json_array_get(f, i)), name))
                        (void)json_array_remove(f, i);
        if (f && json_array_size(f) == 0)
                (void)json_object_del(meta, "finalizers");
}

/*
 * Is a deletion due: marked, no finalizers, no grace period left to wait
 * for (a pod's kubelet ends it with a zero-grace delete)? Namespaces also
 * wait for spec.finalizers (the namespace controller's "kubernetes").
 */
bool kl_apiserver__deletion_done(const struct kl_api_resource *res, const json_t *obj)
{
        const json_t *meta = json_object_get(obj, "metadata");
        const json_t *spec_fin = json_object_get(json_object_get(obj, "spec"), "finalizers");

        return json_object_get(meta, "deletionTimestamp") &&
               json_integer_value(json_object_get(meta, "deletionGracePeriodSeconds")) == 0 &&
               json_array_size(finalizers_of(obj)) == 0 &&
               (!is_core(res, "namespaces") || json_array_size(spec_fin) == 0);
}

static const char *meta_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

/* Write `obj` over the key at `mod_rev` (CAS). */
static int store_put(struct op *op, const char *key, const json_t *obj, int64_t mod_rev,
                     int64_t *ret_rev, struct kl_err **err)
{
        kl_autobuf struct kl_buf value = KL_BUF_INIT;
        int r;

        r = kl_apiserver__encode_canonical(obj, &value, err);
        if (r < 0)
                return r;
        return kl_store_update(op->s->store, key, value.buf, value.len, mod_rev, 0, ret_rev, NULL,
                               NULL);
}

static int namespace_try_finish(struct op *op, const char *ns);
static void owners_recheck(struct op *op, const json_t *obj);
static int finalizer_release(struct op *op, const struct kl_api_resource *res, const char *key,
                             const char *name, json_t **ret_obj, bool *ret_gone, int64_t *ret_rev,
                             struct kl_err **err);

/*
 * Remove object `key` (stored as `obj` at `mod_rev`) from the store and do
 * what its removal implies: release a Service's allocations, let a
 * terminating namespace go once it is empty. -KL_ECONFLICT on a lost race.
 */
int kl_apiserver__op_store_remove(struct op *op, const struct kl_api_resource *res, const char *key,
                                  const json_t *obj, int64_t mod_rev, int64_t *ret_rev)
{
        int r = kl_store_delete(op->s->store, key, mod_rev, ret_rev, NULL, NULL);

        if (r < 0)
                return r;
        if (is_core(res, "services"))
                service_allocate_undo(op, obj, NULL);
        if (res->namespaced)
                (void)namespace_try_finish(op, meta_str(obj, "namespace"));
        owners_recheck(op, obj);
        return 0;
}

/* Calls fn for every stored object of namespace `ns` (NULL: cluster-scoped ones). */
typedef int each_fn(struct op *op, const struct kl_api_resource *res, struct kl_store_kv *kv,
                    void *arg);

static int for_each_object(struct op *op, const char *ns, each_fn *fn, void *arg)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        for (size_t i = 0; i < n; i++) {
                kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
                kl_autofree char *prefix = NULL;
                int r;

                /* Rows that share another row's storage are covered by it. */
                if (rows[i].namespaced != (ns != NULL) || rows[i].storage_group)
                        continue;
                prefix = kl_api_storage_key(&rows[i], ns, NULL);
                r = kl_store_list(op->s->store, prefix, 0, 0, NULL, &l, &op->err);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < l->n; j++) {
                        r = fn(op, &rows[i], l->items[j], arg);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

static int delete_object(struct op *op, const struct kl_api_resource *res, const char *key,
                         const struct delete_opts *o, int depth, json_t **ret_obj, bool *ret_gone,
                         int64_t *ret_rev, struct kl_err **err);

/* Does namespace `ns` still hold anything? */
static int namespace_has_content(struct op *op, const char *ns, bool *ret)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        *ret = false;
        for (size_t i = 0; i < n && !*ret; i++) {
                kl_autofree char *prefix = NULL;
                int64_t count = 0;
                int r;

                if (!rows[i].namespaced || rows[i].storage_group)
                        continue;
                prefix = kl_api_storage_key(&rows[i], ns, NULL);
                r = kl_store_count(op->s->store, prefix, &count, NULL);
                if (r < 0)
                        return r;
                *ret = count > 0;
        }
        return 0;
}

/*
 * The namespace controller's last step, done inline: a terminating
 * namespace with no content left loses its "kubernetes" finalizer and,
 * when nothing else holds it, goes.
 */
static int namespace_try_finish(struct op *op, const char *ns)
{
        const struct kl_api_resource *nsres = kl_api_resource_find("", "v1", "namespaces");
        kl_autofree char *key = NULL;
        int r = 0;

        if (!ns || op->ns_cleanup)
                return 0;
        key = kl_api_storage_key(nsres, NULL, ns);
        for (int attempt = 0; attempt < KL_APISERVER__CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *obj = NULL;
                json_t *fin;
                bool left;

                if (kl_store_get(op->s->store, key, 0, &kv, NULL) < 0)
                        return 0;
                obj = kl_apiserver__object_decode_kv(kv);
                if (!obj || !meta_str(obj, "deletionTimestamp"))
                        return 0;
                r = namespace_has_content(op, ns, &left);
                if (r < 0 || left)
                        return r;
                fin = json_object_get(json_object_get(obj, "spec"), "finalizers");
                for (size_t i = json_array_size(fin); i-- > 0;)
                        if (kl_streq_null(json_string_value(json_array_get(fin, i)), "kubernetes"))
                                (void)json_array_remove(fin, i);
                if (kl_apiserver__deletion_done(nsres, obj))
                        r = kl_store_delete(op->s->store, key, kv->mod_rev, NULL, NULL, NULL);
                else
                        r = store_put(op, key, obj, kv->mod_rev, NULL, NULL);
                if (r != -KL_ECONFLICT)
                        break;
        }
        return r;
}

struct cascade {
        const char *uid;
        const struct delete_opts *opts;
        int depth;
        bool orphan;
        size_t left; /* dependents still there */
};

/* One object of the owner's scope: delete it or drop the owner reference, if it is a dependent. */
static int cascade_one(struct op *op, const struct kl_api_resource *res, struct kl_store_kv *kv,
                       void *arg)
{
        struct cascade *c = arg;
        json_auto_t *obj = NULL;
        json_t *refs;
        bool dependent = false;
        size_t i;
        json_t *ref;
        int r;

        /* Cheap test first: most objects name no owner at all. */
        if (!memmem(kv->value, kv->len, c->uid, strlen(c->uid)))
                return 0;
        obj = kl_apiserver__object_decode_kv(kv);
        refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
        json_array_foreach(refs, i, ref) {
                dependent |= kl_streq_null(json_string_value(json_object_get(ref, "uid")), c->uid);
        }
        if (!dependent)
                return 0;
        if (c->orphan) {
                for (i = json_array_size(refs); i-- > 0;)
                        if (kl_streq_null(json_string_value(
                                                  json_object_get(json_array_get(refs, i), "uid")),
                                          c->uid))
                                (void)json_array_remove(refs, i);
                if (json_array_size(refs) == 0)
                        (void)json_object_del(json_object_get(obj, "metadata"), "ownerReferences");
                r = store_put(op, kv->key, obj, kv->mod_rev, NULL, NULL);
                if (r == -KL_ECONFLICT)
                        c->left++; /* changed meanwhile: the GC (issue 5) will see it */
                else if (r < 0)
                        return kl_err_set(&op->err, r, "orphan '%s'", kv->key);
                return 0;
        } else {
                json_auto_t *last = NULL;
                kl_autoerr struct kl_err *e = NULL;
                bool gone = false;

                r = delete_object(op, res, kv->key, c->opts, c->depth + 1, &last, &gone, NULL, &e);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(&op->err, r, "delete dependent '%s': %s", kv->key,
                                          kl_err_msg(e));
                if (r >= 0 && !gone)
                        c->left++;
                return 0;
        }
}

/*
 * What the garbage collector does for Foreground and Orphan deletions, done
 * inline until it exists (issue 5): dependents (objects whose
 * ownerReferences name `owner`'s uid, in its namespace, or among the
 * cluster-scoped objects for a cluster-scoped owner) are deleted (with the
 * same options, Foreground recursively) or lose their reference. Returns
 * the number of dependents still there (kept by their own finalizers).
 */
static int cascade(struct op *op, const json_t *owner, const struct delete_opts *o, int depth,
                   bool orphan, size_t *ret_left)
{
        struct cascade c = {
                .uid = meta_str(owner, "uid"),
                .opts = o,
                .depth = depth,
                .orphan = orphan,
        };
        const char *saved;
        int r;

        if (!c.uid || depth >= MAX_CASCADE_DEPTH) {
                *ret_left = 0;
                return 0;
        }
        saved = op->cascade_uid;
        op->cascade_uid = c.uid;
        r = for_each_object(op, meta_str(owner, "namespace"), cascade_one, &c);
        op->cascade_uid = saved;
        if (r < 0)
                return r;
        *ret_left = c.left;
        return 0;
}

static int count_dependent(struct op *op, const struct kl_api_resource *res, struct kl_store_kv *kv,
                           void *arg)
{
        struct cascade *c = arg;
        json_auto_t *obj = NULL;
        size_t i;
        json_t *ref;

        (void)op;
        (void)res;
        if (!memmem(kv->value, kv->len, c->uid, strlen(c->uid)))
                return 0;
        obj = kl_apiserver__object_decode_kv(kv);
        json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i,
                           ref) {
                if (kl_streq_null(json_string_value(json_object_get(ref, "uid")), c->uid)) {
                        c->left++;
                        return 1;
                }
        }
        return 0;
}

/*
 * `obj` left the store: an owner waiting for its dependents (Foreground)
 * whose last dependent this was may go now. The garbage collector's
 * attemptToDelete, for the one case kubectl waits on (issue 5 does the rest).
 */
static void owners_recheck(struct op *op, const json_t *obj)
{
        size_t i;
        json_t *ref;

        json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i,
                           ref) {
                const char *uid = json_string_value(json_object_get(ref, "uid"));
                const char *av = json_string_value(json_object_get(ref, "apiVersion"));
                const char *slash = av ? strchr(av, '/') : NULL;
                char group[128] = "";
                const struct kl_api_resource *ores;
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                kl_autofree char *key = NULL;
                kl_autoerr struct kl_err *e = NULL;
                json_auto_t *owner = NULL;
                json_auto_t *last = NULL;
                struct cascade c = { .uid = uid };
                bool gone;

                if (!uid || !av || kl_streq_null(uid, op->cascade_uid))
                        continue;
                if (slash)
                        (void)snprintf(group, sizeof(group), "%.*s", (int)(slash - av), av);
                ores = kl_api_resource_find_kind(group, slash ? slash + 1 : av,
                                                 json_string_value(json_object_get(ref, "kind")));
                if (!ores)
                        continue;
                key = kl_api_storage_key(ores, ores->namespaced ? meta_str(obj, "namespace") : NULL,
                                         json_string_value(json_object_get(ref, "name")));
                if (kl_store_get(op->s->store, key, 0, &kv, NULL) < 0)
                        continue;
                owner = kl_apiserver__object_decode_kv(kv);
                if (!owner || !kl_streq_null(meta_str(owner, "uid"), uid) ||
                    !meta_str(owner, "deletionTimestamp") ||
                    !has_finalizer(owner, "foregroundDeletion"))
                        continue;
                if (for_each_object(op, meta_str(owner, "namespace"), count_dependent, &c) < 0 ||
                    c.left > 0)
                        continue;
                (void)finalizer_release(op, ores, key, "foregroundDeletion", &last, &gone, NULL,
                                        &e);
        }
}

/* Every object of a terminating namespace, deleted as the namespace controller does. */
static int namespace_delete_one(struct op *op, const struct kl_api_resource *res,
                                struct kl_store_kv *kv, void *arg)
{
        static const struct delete_opts bg = { .propagation = PROPAGATE_BACKGROUND, .grace = -1 };
        json_auto_t *last = NULL;
        kl_autoerr struct kl_err *e = NULL;
        bool gone;
        int r;

        (void)arg;
        r = delete_object(op, res, kv->key, &bg, MAX_CASCADE_DEPTH, &last, &gone, NULL, &e);
        if (r < 0 && r != -ENOENT)
                return kl_err_set(&op->err, r, "delete '%s': %s", kv->key, kl_err_msg(e));
        return 0;
}

/* A pod bound to a node waits for it (the kubelet ends it); others go at once. */
static int64_t pod_grace(const json_t *pod, const struct delete_opts *o)
{
        const json_t *spec = json_object_get(pod, "spec");
        const char *phase =
                json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
        const json_t *tgps = json_object_get(spec, "terminationGracePeriodSeconds");

        if (kl_isempty(json_string_value(json_object_get(spec, "nodeName"))) ||
            kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed"))
                return 0;
        if (o->grace >= 0)
                return o->grace;
        return json_is_integer(tgps) ? json_integer_value(tgps) : 30;
}

/*
 * Re-read `key`, drop finalizer `name` (NULL: none) and remove the object
 * when nothing holds it any more. *ret_obj is the last state.
 */
static int finalizer_release(struct op *op, const struct kl_api_resource *res, const char *key,
                             const char *name, json_t **ret_obj, bool *ret_gone, int64_t *ret_rev,
                             struct kl_err **err)
{
        int r = 0;

        for (int attempt = 0; attempt < KL_APISERVER__CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *obj = NULL;
                int64_t rev = 0;

                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r == -ENOENT) {
                        *ret_gone = true;
                        return 0;
                }
                if (r < 0)
                        return kl_err_set(err, r, "read '%s'", key);
                obj = kl_apiserver__object_decode_kv(kv);
                if (!obj)
                        return kl_err_set(err, -EIO, "stored object '%s' does not decode", key);
                if (name && has_finalizer(obj, name)) {
                        finalizer_remove(obj, name);
                } else if (!kl_apiserver__deletion_done(res, obj)) {
                        *ret_gone = false;
                        json_decref(*ret_obj);
                        *ret_obj = KL_TAKE_PTR(obj);
                        return 0;
                }
                if (kl_apiserver__deletion_done(res, obj))
                        r = kl_apiserver__op_store_remove(op, res, key, obj, kv->mod_rev, &rev);
                else
                        r = store_put(op, key, obj, kv->mod_rev, &rev, NULL);
                if (r == -KL_ECONFLICT)
                        continue;
                if (r == -ENOENT) {
                        /* The garbage collector finished this deletion meanwhile. */
                        *ret_gone = true;
                        return 0;
                }
                if (r < 0)
                        return kl_err_set(err, r, "write '%s'", key);
                if (ret_rev)
                        *ret_rev = rev;
                *ret_gone = kl_apiserver__deletion_done(res, obj);
                kl_apiserver__object_set_rv(obj, rev);
                json_decref(*ret_obj);
                *ret_obj = KL_TAKE_PTR(obj);
                return 0;
        }
        return kl_err_set(err, -KL_ECONFLICT, "finalize '%s'", key);
}

/*
 * After a deletion was marked on `obj` (borrowed): the work that upstream's
 * controllers do, done inline until they exist.
 */
static int delete_finish(struct op *op, const struct kl_api_resource *res, const char *key,
                         const json_t *obj, const struct delete_opts *o, int depth,
                         json_t **ret_obj, bool *ret_gone, int64_t *ret_rev, struct kl_err **err)
{
        const char *name = NULL;
        size_t left = 0;
        int r = 0;

        *ret_obj = json_deep_copy(obj);
        if (is_core(res, "namespaces")) {
                op->ns_cleanup = true;
                r = for_each_object(op, meta_str(obj, "name"), namespace_delete_one, NULL);
                op->ns_cleanup = false;
                if (r < 0)
                        return r;
                r = namespace_try_finish(op, meta_str(obj, "name"));
                /* The namespace controller may have finished it meanwhile. */
                if (r == -ENOENT)
                        r = 0;
                if (r < 0)
                        return kl_err_set(err, r, "finish namespace '%s'", meta_str(obj, "name"));
        } else if (has_finalizer(obj, "foregroundDeletion")) {
                r = cascade(op, obj, o, depth, false, &left);
                name = "foregroundDeletion";
        } else if (has_finalizer(obj, "orphan")) {
                r = cascade(op, obj, o, depth, true, &left);
                name = "orphan";
        }
        if (r < 0)
                return r;
        /* Dependents held by their own finalizers keep a Foreground owner waiting (issue 5). */
        return finalizer_release(op, res, key, left == 0 ? name : NULL, ret_obj, ret_gone, ret_rev,
                                 err);
}

/*
 * Delete object `key` of `res` with options `o`: preconditions are the
 * caller's. *ret_obj is its last state (new), *ret_gone whether it left
 * the store (or, dry run, would have). Objects held by finalizers, bound
 * pods in their grace period and namespaces with content stay, with
 * deletionTimestamp set. -ENOENT when it is not there.
 */
static int delete_object(struct op *op, const struct kl_api_resource *res, const char *key,
                         const struct delete_opts *o, int depth, json_t **ret_obj, bool *ret_gone,
                         int64_t *ret_rev, struct kl_err **err)
{
        int r = 0;

        for (int attempt = 0; attempt < KL_APISERVER__CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *obj = NULL;
                json_t *meta;
                bool is_pod = is_core(res, "pods"), is_ns = is_core(res, "namespaces");
                int64_t grace = 0, rev = 0;
                char ts[KL_RFC3339_MAX];

                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r < 0)
                        return r == -ENOENT ? r : kl_err_set(err, r, "read '%s'", key);
                obj = kl_apiserver__object_decode_kv(kv);
                if (!obj)
                        return kl_err_set(err, -EIO, "stored object '%s' does not decode", key);
                meta = json_object_get(obj, "metadata");
                if (is_pod)
                        grace = pod_grace(obj, o);
                if (json_object_get(meta, "deletionTimestamp")) {
                        /* Already going: only a forced (zero-grace) pod delete changes it. */
                        if (!is_pod || grace != 0 ||
                            json_integer_value(
                                    json_object_get(meta, "deletionGracePeriodSeconds")) == 0) {
                                *ret_gone = false;
                                *ret_obj = KL_TAKE_PTR(obj);
                                return 0;
                        }
                        if (json_array_size(finalizers_of(obj)) > 0) {
                                (void)json_object_set_new(meta, "deletionGracePeriodSeconds",
                                                          json_integer(0));
                                *ret_gone = false;
                                if (!op->dry_run) {
                                        r = store_put(op, key, obj, kv->mod_rev, &rev, err);
                                        if (r == -KL_ECONFLICT)
                                                continue;
                                        if (r < 0)
                                                return r;
                                        kl_apiserver__object_set_rv(obj, rev);
                                        if (ret_rev)
                                                *ret_rev = rev;
                                }
                                *ret_obj = KL_TAKE_PTR(obj);
                                return 0;
                        }
                } else if (grace > 0 || is_ns || json_array_size(finalizers_of(obj)) > 0 ||
                           o->propagation != PROPAGATE_BACKGROUND) {
                        /* Graceful: mark it, keep it; who finishes is named in README.md. */
                        kl_rfc3339_format(kl_now_realtime() + (kl_usec_t)grace * KL_USEC_PER_SEC,
                                          KL_RFC3339_SECONDS, ts, sizeof(ts));
                        (void)json_object_set_new(meta, "deletionTimestamp", json_string(ts));
                        (void)json_object_set_new(meta, "deletionGracePeriodSeconds",
                                                  json_integer(grace));
                        if (o->propagation == PROPAGATE_FOREGROUND)
                                finalizer_add(obj, "foregroundDeletion");
                        else if (o->propagation == PROPAGATE_ORPHAN)
                                finalizer_add(obj, "orphan");
                        if (is_ns)
                                (void)json_object_set_new(
                                        obj, "status", json_pack("{ss}", "phase", "Terminating"));
                        if (op->dry_run) {
                                *ret_gone = false;
                                *ret_obj = KL_TAKE_PTR(obj);
                                return 0;
                        }
                        r = store_put(op, key, obj, kv->mod_rev, &rev, err);
                        if (r == -KL_ECONFLICT)
                                continue;
                        if (r < 0)
                                return r;
                        kl_apiserver__object_set_rv(obj, rev);
                        if (ret_rev)
                                *ret_rev = rev;
                        return delete_finish(op, res, key, obj, o, depth, ret_obj, ret_gone,
                                             ret_rev, err);
                }
                if (op->dry_run) {
                        *ret_gone = true;
                        *ret_obj = KL_TAKE_PTR(obj);
                        return 0;
                }
                r = kl_apiserver__op_store_remove(op, res, key, obj, kv->mod_rev, &rev);
                if (r == -KL_ECONFLICT)
                        continue;
                if (r < 0)
                        return r == -ENOENT ? r : kl_err_set(err, r, "delete '%s'", key);
                if (ret_rev)
                        *ret_rev = rev;
                *ret_gone = true;
                *ret_obj = KL_TAKE_PTR(obj);
                return 0;
        }
        return kl_err_set(err, -KL_ECONFLICT, "delete '%s'", key);
}

static bool returns_object(const struct kl_api_resource *res)
{
        /* Upstream answers these deletes with the object, the rest with a Status. */
        return *res->group == '\0' &&
               (kl_streq(res->plural, "pods") || kl_streq(res->plural, "services") ||
                kl_streq(res->plural, "namespaces"));
}

static int delete_do(struct op *op)
{
        kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
        const json_t *pre = json_object_get(op->body, "preconditions");
        json_t *dry = json_object_get(op->body, "dryRun");
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        json_auto_t *old = NULL;
        json_auto_t *last = NULL;
        struct delete_opts o;
        const char *uid, *want;
        bool gone = false;
        int64_t rev = 0;
        int r;

        if (json_is_array(dry) && json_array_size(dry) > 0)
                op->dry_run = true;
        r = delete_opts_parse(op->body, &o, &op->err);
        if (r < 0)
                return r;
        /* NamespaceLifecycle admission keeps the namespaces the system lives in. */
        if (is_core(op->res, "namespaces") &&
            (kl_streq(op->name, "default") || kl_streq(op->name, "kube-system") ||
             kl_streq(op->name, "kube-public")))
                return kl_err_set_msg(&op->err, -EACCES,
                                      "namespaces \"%s\" is forbidden: this namespace may not be "
                                      "deleted",
                                      op->name);
        r = kl_store_get(op->s->store, key, 0, &kv, NULL);
        if (r == -ENOENT)
                return kl_apiserver__err_not_found(&op->err, op->res, op->name);
        if (r < 0)
                return kl_err_set(&op->err, r, "read '%s'", key);
        old = kl_apiserver__object_decode_kv(kv);
        if (!old)
                return kl_err_set(&op->err, -EIO, "stored object '%s' does not decode", key);
        /*
         * Preconditions are checked against this read; a change between it and
         * the delete is a race the CAS inside delete_object() resolves for the
         * newer state, as upstream's preconditions do against its cache.
         */
        uid = meta_str(old, "uid");
        want = json_string_value(json_object_get(pre, "uid"));
        if (want && !kl_streq_null(want, uid))
                return kl_err_set_msg(&op->err, -KL_ECONFLICT,
                                      "Precondition failed: UID in precondition: %s, UID in "
                                      "object meta: %s",
                                      want, uid ? uid : "");
        want = json_string_value(json_object_get(pre, "resourceVersion"));
        if (want && !kl_streq_null(want, meta_str(old, "resourceVersion")))
                return kl_err_set_msg(&op->err, -KL_ECONFLICT,
                                      "Precondition failed: ResourceVersion in precondition: %s, "
                                      "ResourceVersion in object meta: %s",
                                      want, meta_str(old, "resourceVersion"));
        r = delete_object(op, op->res, key, &o, 0, &last, &gone, &rev, &op->err);
        if (r == -ENOENT) {
                /* Gone since the read (another delete, a finalize): upstream's 404. */
                kl_err_free(KL_TAKE_PTR(op->err));
                return kl_apiserver__err_not_found(&op->err, op->res, op->name);
        }
        if (r < 0)
                return r;
        op->status = 200;
        op->rev = rev;
        /* Upstream answers with the object while it stays, and for kinds that always do. */
        if (!gone || returns_object(op->res))
                op->result = KL_TAKE_PTR(last);
        else
                op->result = kl_apiserver__status_success(op->res, op->name, uid);
        return 0;
}

void kl_apiserver__op_delete_work(void *arg)
{
        struct op *op = arg;
        int r = delete_do(op);

        if (r == -KL_ECONFLICT && !op->err)
                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
        op->r = r;
}
