/* SPDX-License-Identifier: Apache-2.0 */
/*
 * managedFields: who owns which field of an object (server-side apply,
 * kubectl-contract §11.4), in upstream's FieldsV1 form:
 *
 *   {"f:data": {"f:a": {}}, "f:spec": {"f:containers":
 *     {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}}}
 *
 * A field set is a tree of JSON objects; `{}` is a leaf (the field itself
 * is owned), "f:<name>" a struct or map member, "k:<json>" the item of a
 * keyed list (its merge keys, compact JSON with sorted keys), "v:<json>"
 * the item of a set, "." the node itself. Which lists are keyed or sets
 * comes from the schema tables (x-kubernetes-list-type and map keys, or
 * the strategic merge key); anything else is atomic: one leaf.
 *
 * Simplifications against structured-merge-diff, all about precision of
 * the record rather than about what kubectl sees: values are compared as
 * JSON (no canonical quantities), "." is only written for list items, and
 * an apply's removals only remove what the applier owned alone.
 *
 * Entries keep the apiVersion their manager wrote in, and their paths are
 * of that version: where the writer's version differs, the objects are
 * converted to the entry's version (the writer's `convert` hook) and
 * compared there, as structured-merge-diff's versioned field sets are
 * (autoscaling/v1 appliers of v2-stored HorizontalPodAutoscalers).
 *
 * Subresources, as upstream's field manager runs them (write.c):
 *
 *   /status  an apply is a whole object of the kind; only its status
 *            part is owned (scope KL_APISERVER_FIELDS_STATUS, the status
 *            strategy resets the rest), in an Apply entry with
 *            subresource "status". The main resource's entries own no
 *            status, so the two never conflict; status appliers and
 *            status updaters conflict with each other as any managers do.
 *   /scale   an apply is an autoscaling/v1 Scale. Upstream's ScaleHandler:
 *            the parent's entries owning spec.replicas are shown to the
 *            Scale as owners of its spec.replicas (same path: every
 *            scalable kind keeps replicas there), keeping their identity
 *            (manager, operation, apiVersion, subresource), the apply runs
 *            on the Scale, and then a parent entry whose Scale twin lost
 *            replicas (a forced apply took it) loses it too, while a new
 *            owner gets an entry of the parent's apiVersion owning
 *            f:spec.f:replicas, subresource "scale". Only spec.replicas
 *            crosses: the Scale's status is read-only and its metadata
 *            is not the parent's.
 *
 * Pure functions over jansson values; write.c's workers call them.
 */
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "api/schema.h"
#include "apiserver/apiserver-internal.h"
#include "json/json.h"

/* How a JSON value under a schema node is split into fields. */
struct node {
        const struct kl_api_message *m; /* struct: its fields; NULL: a leaf or free-form */
        const struct kl_api_field *f;   /* the field the value sits in (list and map kinds) */
        bool elem;                      /* the value is one element of f (not f's whole value) */
};

static bool is_leaf_message(const struct kl_api_message *m)
{
        return !m || kl_api_message_special(m) != KL_API_SPECIAL_NONE ||
               (kl_api_message_flags(m) & KL_API_MESSAGE_STRUCT_ATOMIC);
}

/* A list's keys: the list-map keys, else the strategic merge key. n = 0: not keyed. */
static size_t list_keys(const struct kl_api_field *f, const char *keys[4])
{
        size_t n = 0;

        if (kl_api_field_list_type(f) == KL_API_LIST_MAP)
                while (n < 4 && kl_api_field_list_map_key(f, n)) {
                        keys[n] = kl_api_field_list_map_key(f, n);
                        n++;
                }
        if (n == 0 && kl_api_field_merge_key(f) && kl_api_field_type(f) == KL_API_TYPE_MESSAGE &&
            kl_api_field_list_type(f) != KL_API_LIST_ATOMIC)
                keys[n++] = kl_api_field_merge_key(f);
        return n;
}

static bool list_is_set(const struct kl_api_field *f)
{
        return kl_api_field_type(f) != KL_API_TYPE_MESSAGE &&
               (kl_api_field_list_type(f) == KL_API_LIST_SET ||
                (kl_api_field_patch_strategy(f) & KL_API_PATCH_MERGE));
}

/*
 * A list-map key of `item` (new reference, or NULL), with the schema default of the one
 * key that has one (ports' protocol, TCP): an applied manifest usually
 * omits it while the stored, defaulted object has it, and both must name
 * the same item, as upstream's key defaulting makes them.
 */
static json_t *key_value(const json_t *item, const char *key)
{
        json_t *v = json_object_get(item, key);

        if (v || !kl_streq(key, "protocol"))
                return v ? json_incref(v) : NULL;
        return json_string("TCP");
}

/* Does `item` have key `key` equal to `want`, defaults included? */
static bool key_matches(const json_t *item, const char *key, const json_t *want)
{
        json_auto_t *v = key_value(item, key);

        return json_equal(v, want);
}

/* The "k:" or "v:" name of list item `item`; NULL when it lacks a key (then atomic). */
static char *item_name(const struct kl_api_field *f, const json_t *item)
{
        const char *keys[4];
        size_t n = list_keys(f, keys);
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        if (n == 0) {
                if (!list_is_set(f) || json_is_object(item) || json_is_array(item))
                        return NULL;
                (void)kl_buf_puts(&b, "v:");
                if (kl_json_encode(item, KL_JSON_ENCODE_CANONICAL, &b, NULL) < 0)
                        return NULL;
                return kl_buf_detach(&b, NULL);
        } else {
                json_auto_t *k = json_object();

                for (size_t i = 0; i < n; i++) {
                        json_t *v = key_value(item, keys[i]);

                        if (!v)
                                continue;
                        (void)json_object_set_new(k, keys[i], v);
                }
                if (json_object_size(k) == 0)
                        return NULL;
                (void)kl_buf_puts(&b, "k:");
                if (kl_json_encode(k, KL_JSON_ENCODE_CANONICAL, &b, NULL) < 0)
                        return NULL;
                return kl_buf_detach(&b, NULL);
        }
}

static void fields_of_value(const json_t *v, struct node n, json_t *out);

/* The members of a struct (m) or a map (f) value. */
static void fields_of_object(const json_t *obj, struct node n, json_t *out)
{
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)obj, key, v) {
                json_t *child = json_object();
                struct node cn = { 0 };
                char *name = kl_asprintf("f:%s", key);

                if (n.m) {
                        const struct kl_api_field *f = kl_api_message_field(n.m, key);

                        if (f) {
                                cn.f = f;
                                cn.m = kl_api_field_message(f);
                        }
                } else if (n.f && kl_api_field_is_map(n.f)) {
                        cn.m = kl_api_field_message(n.f);
                        cn.f = NULL;
                }
                fields_of_value(v, cn, child);
                (void)json_object_set_new(out, name, child);
                free(name);
        }
}

static void fields_of_value(const json_t *v, struct node n, json_t *out)
{
        if (json_is_array(v) && n.f && kl_api_field_is_repeated(n.f) && !n.elem) {
                size_t i;
                json_t *item;

                json_array_foreach(v, i, item) {
                        kl_autofree char *name = item_name(n.f, item);
                        json_t *child;

                        if (!name) {
                                json_object_clear(out); /* atomic after all */
                                return;
                        }
                        child = json_object();
                        if (json_is_object(item)) {
                                (void)json_object_set_new(child, ".", json_object());
                                fields_of_object(item,
                                                 (struct node){ .m = kl_api_field_message(n.f),
                                                                .f = n.f,
                                                                .elem = true },
                                                 child);
                        }
                        (void)json_object_set_new(out, name, child);
                }
                return;
        }
        if (!json_is_object(v) || json_object_size(v) == 0)
                return; /* a leaf */
        if (n.f && kl_api_field_is_map(n.f) && !n.elem) {
                if (kl_api_field_map_type(n.f) == KL_API_MAP_ATOMIC)
                        return;
                fields_of_object(v, (struct node){ .f = n.f }, out);
                return;
        }
        /* Without a schema (n.m and n.f NULL) objects are granular maps. */
        if (is_leaf_message(n.m) && (n.m || n.f))
                return;
        fields_of_object(v, (struct node){ .m = n.m }, out);
}

/* Server-owned metadata is nobody's (upstream's field manager strips it). */
static bool metadata_is_managed(const char *key)
{
        return kl_streq(key, "labels") || kl_streq(key, "annotations") ||
               kl_streq(key, "finalizers") || kl_streq(key, "ownerReferences");
}

json_t *kl_apiserver__fields_of(const json_t *obj, const struct kl_api_message *m,
                                enum kl_apiserver__fields_scope scope)
{
        json_t *out = json_object();
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)obj, key, v) {
                const struct kl_api_field *f = m ? kl_api_message_field(m, key) : NULL;
                struct node n = { .f = f, .m = f ? kl_api_field_message(f) : NULL };
                json_t *child;

                if (kl_streq(key, "apiVersion") || kl_streq(key, "kind"))
                        continue;
                if (kl_streq(key, "status") ? scope == KL_APISERVER_FIELDS_NO_STATUS
                                            : scope == KL_APISERVER_FIELDS_STATUS)
                        continue;
                child = json_object();
                if (kl_streq(key, "metadata")) {
                        const char *mk;
                        json_t *mv;

                        json_object_foreach(v, mk, mv) {
                                const struct kl_api_field *mf =
                                        n.m ? kl_api_message_field(n.m, mk) : NULL;
                                json_t *c;
                                char *name;

                                if (!metadata_is_managed(mk))
                                        continue;
                                c = json_object();
                                fields_of_value(
                                        mv,
                                        (struct node){ .f = mf,
                                                       .m = mf ? kl_api_field_message(mf) : NULL },
                                        c);
                                name = kl_asprintf("f:%s", mk);
                                (void)json_object_set_new(child, name, c);
                                free(name);
                        }
                        if (json_object_size(child) == 0) {
                                json_decref(child);
                                continue;
                        }
                } else {
                        fields_of_value(v, n, child);
                }
                {
                        char *name = kl_asprintf("f:%s", key);

                        (void)json_object_set_new(out, name, child);
                        free(name);
                }
        }
        return out;
}

/* ------------------------------------------------------------------------- */
/* Set operations on field trees */

static bool is_leaf(const json_t *t)
{
        return json_object_size(t) == 0;
}

/* Remove from `a` (modified) every leaf that `b` has; nodes left empty go too. */
void kl_apiserver__fields_subtract(json_t *a, const json_t *b)
{
        const char *key;
        json_t *v;
        void *tmp;

        json_object_foreach_safe(a, tmp, key, v) {
                const json_t *bv = json_object_get(b, key);

                if (!bv)
                        continue;
                if (is_leaf(v) || is_leaf(bv)) {
                        /* b owning a node owns everything below it; a leaf in b takes a's leaf. */
                        if (is_leaf(bv) && !is_leaf(v))
                                continue;
                        (void)json_object_del(a, key);
                        continue;
                }
                kl_apiserver__fields_subtract(v, bv);
                if (is_leaf(v))
                        (void)json_object_del(a, key);
        }
}

/* Add to `a` (modified) every field of `b`. */
void kl_apiserver__fields_union(json_t *a, const json_t *b)
{
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)b, key, v) {
                json_t *av = json_object_get(a, key);

                if (!av)
                        (void)json_object_set_new(a, key, json_deep_copy(v));
                else if (!is_leaf(av) && !is_leaf(v))
                        kl_apiserver__fields_union(av, v);
        }
}

/* ------------------------------------------------------------------------- */
/* Values at paths */

/* The child of value `v` named by path element `key` (borrowed), or NULL. */
static json_t *child_of(const json_t *v, const char *key)
{
        if (kl_startswith(key, "f:"))
                return json_object_get(v, key + 2);
        if (kl_startswith(key, "k:")) {
                json_auto_t *want = NULL;
                size_t i;
                json_t *item;

                if (kl_json_decode(key + 2, strlen(key + 2), KL_JSON_DEFAULT_MAX, &want, NULL) < 0)
                        return NULL;
                json_array_foreach(v, i, item) {
                        const char *k;
                        json_t *kv;
                        bool match = true;

                        json_object_foreach(want, k, kv) {
                                match &= key_matches(item, k, kv);
                        }
                        if (match)
                                return item;
                }
                return NULL;
        }
        if (kl_startswith(key, "v:")) {
                json_auto_t *want = NULL;
                size_t i;
                json_t *item;

                if (kl_json_decode(key + 2, strlen(key + 2), KL_JSON_DEFAULT_MAX, &want, NULL) < 0)
                        return NULL;
                json_array_foreach(v, i, item) {
                        if (json_equal(item, want))
                                return item;
                }
        }
        return NULL;
}

/* Append the upstream path text of element `key` (".data", "[name=\"web\"]"). */
static void path_append(struct kl_buf *p, const char *key)
{
        if (kl_startswith(key, "f:")) {
                (void)kl_buf_printf(p, ".%s", key + 2);
        } else if (kl_startswith(key, "k:")) {
                json_auto_t *k = NULL;
                const char *name;
                json_t *v;
                bool first = true;

                (void)kl_buf_putc(p, '[');
                if (kl_json_decode(key + 2, strlen(key + 2), KL_JSON_DEFAULT_MAX, &k, NULL) == 0)
                        json_object_foreach(k, name, v) {
                                kl_autobuf struct kl_buf t = KL_BUF_INIT;

                                (void)kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &t, NULL);
                                (void)kl_buf_printf(p, "%s%s=%s", first ? "" : ",", name, t.buf);
                                first = false;
                        }
                (void)kl_buf_putc(p, ']');
        } else if (kl_startswith(key, "v:")) {
                (void)kl_buf_printf(p, "[=%s]", key + 2);
        }
}

/*
 * Walk the leaves of `applied`: a leaf the other manager's set `theirs` also
 * has, whose value differs between `live` and `config`, is a conflict,
 * appended to `out` as its path text.
 */
static void conflicts_walk(const json_t *applied, const json_t *theirs, const json_t *live,
                           const json_t *config, struct kl_buf *path, json_t *out)
{
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)applied, key, v) {
                const json_t *t = json_object_get(theirs, key);
                size_t len = path->len;

                if (!t || kl_streq(key, "."))
                        continue;
                path_append(path, key);
                if (is_leaf(v) || is_leaf(t)) {
                        if (!json_equal(child_of(live, key), child_of(config, key)))
                                (void)json_array_append_new(out, json_string(path->buf));
                } else {
                        conflicts_walk(v, t, child_of(live, key), child_of(config, key), path, out);
                }
                path->len = len;
                path->buf[len] = '\0';
        }
}

/* Leaves of `set` whose value differs between `a` and `b`, as a new field set. */
static json_t *changed_walk(const json_t *set, const json_t *a, const json_t *b)
{
        json_t *out = json_object();
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)set, key, v) {
                json_t *av = kl_streq(key, ".") ? (json_t *)a : child_of(a, key);
                json_t *bv = kl_streq(key, ".") ? (json_t *)b : child_of(b, key);

                if (is_leaf(v)) {
                        if (!json_equal(av, bv) && !(kl_streq(key, ".") && av && bv))
                                (void)json_object_set_new(out, key, json_object());
                        continue;
                }
                {
                        json_t *c = changed_walk(v, av, bv);

                        if (json_object_size(c) > 0)
                                (void)json_object_set_new(out, key, c);
                        else
                                json_decref(c);
                }
        }
        return out;
}

/* Remove the value at the leaf paths of `set` from `obj` (modified). */
static void remove_walk(json_t *obj, const json_t *set)
{
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)set, key, v) {
                json_t *child;

                if (kl_streq(key, "."))
                        continue;
                child = child_of(obj, key);
                if (!child)
                        continue;
                if (!is_leaf(v) && !json_object_get(v, ".")) {
                        remove_walk(child, v);
                        continue;
                }
                if (kl_startswith(key, "f:")) {
                        (void)json_object_del(obj, key + 2);
                } else {
                        size_t i;
                        json_t *item;

                        json_array_foreach(obj, i, item) {
                                if (item == child) {
                                        (void)json_array_remove(obj, i);
                                        break;
                                }
                        }
                }
        }
}

/* Append the path text of every leaf of field set `set` under `path` to `out`. */
static void set_paths(const json_t *set, struct kl_buf *path, json_t *out)
{
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)set, key, v) {
                size_t len = path->len;

                if (kl_streq(key, ".")) {
                        /* The list item itself (added or gone): named by its own path. */
                        if (path->len > 0)
                                (void)json_array_append_new(out, json_string(path->buf));
                        continue;
                }
                path_append(path, key);
                if (is_leaf(v))
                        (void)json_array_append_new(out, json_string(path->buf));
                else
                        set_paths(v, path, out);
                path->len = len;
                path->buf[len] = '\0';
        }
}

/* ------------------------------------------------------------------------- */
/* managedFields entries */

static bool entry_is(const json_t *e, const char *manager, const char *operation,
                     const char *api_version, const char *sub)
{
        return kl_streq_null(json_string_value(json_object_get(e, "manager")), manager) &&
               kl_streq_null(json_string_value(json_object_get(e, "operation")), operation) &&
               (kl_streq(operation, "Apply") ||
                kl_streq_null(json_string_value(json_object_get(e, "apiVersion")), api_version)) &&
               kl_streq_null(json_string_value(json_object_get(e, "subresource")), sub);
}

/* The manager as upstream's conflict messages print it. */
static char *manager_text(const json_t *e)
{
        const char *sub = json_string_value(json_object_get(e, "subresource"));
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        (void)kl_buf_printf(&b, "\"%s\"", json_string_value(json_object_get(e, "manager")));
        if (sub)
                (void)kl_buf_printf(&b, " with subresource \"%s\"", sub);
        if (kl_streq_null(json_string_value(json_object_get(e, "operation")), "Update"))
                (void)kl_buf_printf(&b, " using %s",
                                    json_string_value(json_object_get(e, "apiVersion")));
        return kl_buf_detach(&b, NULL);
}

/*
 * The version entry `e` is of, when it is not the writer's and the writer
 * can convert (who->convert); NULL otherwise.
 */
static const char *other_version(const json_t *e, const struct kl_apiserver__manager *who)
{
        const char *av = json_string_value(json_object_get(e, "apiVersion"));

        if (!who->convert || !av || !who->api_version || kl_streq(av, who->api_version))
                return NULL;
        return av;
}

/*
 * The fields of set `set` (of version `av`) whose value differs between
 * `a` and `b` (of the writer's version) seen in version `av`: a new field
 * set, or NULL when the objects do not convert to `av`.
 */
static json_t *changed_in_version(const json_t *set, const char *av, const json_t *a,
                                  const json_t *b, const struct kl_apiserver__manager *who)
{
        json_auto_t *av_a = a ? who->convert(a, who->api_version, av) : NULL;
        json_auto_t *av_b = b ? who->convert(b, who->api_version, av) : NULL;

        if ((a && !av_a) || (b && !av_b))
                return NULL;
        return changed_walk(set, av_a, av_b);
}

/* Set or replace the entry of (manager, operation, sub) with field set `set` (stolen). */
static void entry_put(json_t *entries, const char *manager, const char *operation,
                      const char *api_version, const char *sub, kl_usec_t now, json_t *set)
{
        char ts[KL_RFC3339_MAX];
        json_t *e = NULL;
        size_t i;
        json_t *x;

        json_array_foreach(entries, i, x) {
                if (entry_is(x, manager, operation, api_version, sub)) {
                        e = x;
                        break;
                }
        }
        if (!e) {
                e = json_object();
                (void)json_array_append_new(entries, e);
        } else if (json_equal(json_object_get(e, "fieldsV1"), set) &&
                   kl_streq_null(json_string_value(json_object_get(e, "apiVersion")),
                                 api_version)) {
                /* Nothing changed hands: the time stays, so a repeated apply is a no-op. */
                json_decref(set);
                return;
        }
        kl_rfc3339_format(now, KL_RFC3339_SECONDS, ts, sizeof(ts));
        (void)json_object_set_new(e, "manager", json_string(manager));
        (void)json_object_set_new(e, "operation", json_string(operation));
        (void)json_object_set_new(e, "apiVersion", json_string(api_version));
        (void)json_object_set_new(e, "time", json_string(ts));
        (void)json_object_set_new(e, "fieldsType", json_string("FieldsV1"));
        (void)json_object_set_new(e, "fieldsV1", set);
        if (sub)
                (void)json_object_set_new(e, "subresource", json_string(sub));
}

/* Drop entries that own nothing any more. */
static void entries_prune(json_t *entries)
{
        for (size_t i = json_array_size(entries); i-- > 0;)
                if (json_object_size(json_object_get(json_array_get(entries, i), "fieldsV1")) == 0)
                        (void)json_array_remove(entries, i);
}

static json_t *entries_of(json_t *obj)
{
        json_t *meta = json_object_get(obj, "metadata");
        json_t *e = json_object_get(meta, "managedFields");

        if (!json_is_array(e)) {
                e = json_array();
                (void)json_object_set_new(meta, "managedFields", e);
        }
        return e;
}

void kl_apiserver__managed_update(json_t *next, const json_t *old, const struct kl_api_message *m,
                                  const struct kl_apiserver__manager *who)
{
        enum kl_apiserver__fields_scope scope = who->scope;
        json_auto_t *now_set = kl_apiserver__fields_of(next, m, scope);
        json_auto_t *changed = NULL;
        json_auto_t *removed = NULL;
        const json_t *given = json_object_get(json_object_get(next, "metadata"), "managedFields");
        const json_t *had = json_object_get(json_object_get(old, "metadata"), "managedFields");
        json_t *entries;
        size_t i;
        json_t *e;

        /* A client that writes managedFields itself (kubectl's CSA migration) is obeyed. */
        if (old && given && !json_equal(given, had))
                return;
        (void)json_object_set_new(json_object_get(next, "metadata"), "managedFields",
                                  had ? json_deep_copy(had) : json_array());
        entries = entries_of(next);
        if (old) {
                json_auto_t *old_set = kl_apiserver__fields_of(old, m, scope);

                changed = changed_walk(now_set, next, old);
                removed = json_deep_copy(old_set);
                kl_apiserver__fields_subtract(removed, now_set);
        } else {
                changed = json_deep_copy(now_set);
        }
        json_array_foreach(entries, i, e) {
                json_t *set = json_object_get(e, "fieldsV1");
                const char *av = other_version(e, who);

                if (!json_is_object(set))
                        continue;
                if (av && old) {
                        /* Its paths are of its version: what changed there leaves it. */
                        json_auto_t *c = changed_in_version(set, av, old, next, who);

                        if (c) {
                                kl_apiserver__fields_subtract(set, c);
                                continue;
                        }
                        /* A version that does not convert: compared as ours, as before. */
                }
                kl_apiserver__fields_subtract(set, changed);
                if (removed)
                        kl_apiserver__fields_subtract(set, removed);
        }
        if (json_object_size(changed) > 0) {
                json_t *mine = NULL;

                json_array_foreach(entries, i, e) {
                        if (entry_is(e, who->manager, "Update", who->api_version, who->sub))
                                mine = json_object_get(e, "fieldsV1");
                }
                if (mine && json_is_object(mine))
                        kl_apiserver__fields_union(changed, mine);
                entry_put(entries, who->manager, "Update", who->api_version, who->sub, who->now,
                          json_incref(changed));
        }
        entries_prune(entries);
        if (json_array_size(entries) == 0)
                (void)json_object_del(json_object_get(next, "metadata"), "managedFields");
}

int kl_apiserver__managed_apply(const json_t *live, const json_t *config,
                                const struct kl_api_message *m,
                                const struct kl_apiserver__manager *who, bool force,
                                json_t **ret_obj, json_t **ret_conflicts, struct kl_err **err)
{
        json_auto_t *applied = kl_apiserver__fields_of(config, m, who->scope);
        json_auto_t *merged = NULL;
        json_auto_t *conflicts = json_array();
        json_auto_t *mine_before = NULL;
        kl_autofree bool *versioned = NULL; /* entries compared in their own version */
        json_t *entries;
        size_t i;
        json_t *e;
        int r;

        r = kl_api_patch_strategic(live, config, kl_api_patch_schema_lookup, m, &merged, err);
        if (r < 0)
                return r;
        entries = entries_of(merged);
        versioned = kl_calloc(json_array_size(entries) + 1, sizeof(*versioned));
        json_array_foreach(entries, i, e) {
                json_t *set = json_object_get(e, "fieldsV1");
                const char *av = other_version(e, who);
                kl_autobuf struct kl_buf path = KL_BUF_INIT;
                size_t before;

                if (!json_is_object(set))
                        continue;
                if (entry_is(e, who->manager, "Apply", NULL, who->sub)) {
                        /* Applied in another version: its paths do not name ours, keep them. */
                        if (!av)
                                mine_before = json_deep_copy(set);
                        continue;
                }
                before = json_array_size(conflicts);
                if (av) {
                        /*
                         * structured-merge-diff's versioned sets: compare the
                         * live and merged objects in the entry's version; its
                         * fields that the merge changes there conflict, named
                         * by that version's paths, and a forced apply takes them.
                         */
                        json_auto_t *c = changed_in_version(set, av, live, merged, who);

                        versioned[i] = c != NULL;
                        if (c) {
                                set_paths(c, &path, conflicts);
                                if (force)
                                        kl_apiserver__fields_subtract(set, c);
                        }
                }
                if (!versioned[i])
                        conflicts_walk(applied, set, live, config, &path, conflicts);
                for (size_t j = before; j < json_array_size(conflicts); j++) {
                        kl_autofree char *mgr = manager_text(e);

                        json_array_set_new(conflicts, j,
                                           json_pack("{sssO}", "manager", mgr, "field",
                                                     json_array_get(conflicts, j)));
                }
        }
        if (json_array_size(conflicts) > 0 && !force) {
                *ret_conflicts = KL_TAKE_PTR(conflicts);
                return kl_err_set(err, -KL_ECONFLICT, "apply conflicts");
        }
        /* Fields this manager applied before and no longer does, owned by nobody else, go. */
        if (mine_before) {
                json_auto_t *gone = json_deep_copy(mine_before);

                kl_apiserver__fields_subtract(gone, applied);
                json_array_foreach(entries, i, e) {
                        if (!entry_is(e, who->manager, "Apply", NULL, who->sub))
                                kl_apiserver__fields_subtract(gone, json_object_get(e, "fieldsV1"));
                }
                remove_walk(merged, gone);
        }
        /* Forced: the applier takes the conflicting fields (values it changes) from their owners.
         */
        if (force) {
                json_auto_t *diff = changed_walk(applied, live, config);

                json_array_foreach(entries, i, e) {
                        json_t *set = json_object_get(e, "fieldsV1");

                        if (json_is_object(set) && !versioned[i] &&
                            !entry_is(e, who->manager, "Apply", NULL, who->sub))
                                kl_apiserver__fields_subtract(set, diff);
                }
        }
        entry_put(entries, who->manager, "Apply", who->api_version, who->sub, who->now,
                  json_incref(applied));
        entries_prune(entries);
        *ret_obj = KL_TAKE_PTR(merged);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* The scale subresource's managedFields */

/* Does field set `set` own the leaf spec.replicas (the replicas path of every scalable kind)? */
static bool owns_replicas(const json_t *set)
{
        const json_t *spec = json_object_get(set, "f:spec");

        return json_is_object(spec) && json_object_get(spec, "f:replicas") != NULL;
}

static json_t *replicas_set(void)
{
        return json_pack("{s{s{}}}", "f:spec", "f:replicas");
}

/* Is `a` the same manager entry as `b` (upstream's manager identifier)? */
static bool same_entry(const json_t *a, const json_t *b)
{
        return entry_is(a, json_string_value(json_object_get(b, "manager")),
                        json_string_value(json_object_get(b, "operation")),
                        json_string_value(json_object_get(b, "apiVersion")),
                        json_string_value(json_object_get(b, "subresource")));
}

json_t *kl_apiserver__scale_entries_of(const json_t *parent)
{
        json_t *out = json_array();
        size_t i;
        json_t *e;

        json_array_foreach(parent, i, e) {
                json_t *s;

                if (!owns_replicas(json_object_get(e, "fieldsV1")))
                        continue;
                s = json_deep_copy(e);
                (void)json_object_set_new(s, "fieldsV1", replicas_set());
                (void)json_array_append_new(out, s);
        }
        return out;
}

json_t *kl_apiserver__scale_entries_to_parent(const json_t *parent, const json_t *scale,
                                              const char *api_version)
{
        size_t n = json_array_size(scale);
        kl_autofree bool *matched = kl_calloc(n + 1, sizeof(*matched));
        json_t *out = json_array();
        size_t i;
        json_t *e;

        json_array_foreach(parent, i, e) {
                const json_t *s = NULL;
                json_t *copy = json_deep_copy(e);
                json_t *set = json_object_get(copy, "fieldsV1");

                for (size_t j = 0; j < n && !s; j++) {
                        if (!matched[j] && same_entry(json_array_get(scale, j), e)) {
                                matched[j] = true;
                                s = json_array_get(scale, j);
                        }
                }
                if (s && owns_replicas(json_object_get(s, "fieldsV1"))) {
                        /* Still the manager's through the Scale: the entry stays as it is. */
                        if (!owns_replicas(set) && json_is_object(set)) {
                                json_auto_t *r = replicas_set();

                                kl_apiserver__fields_union(set, r);
                        }
                } else if (owns_replicas(set)) {
                        /* Taken by a forced apply to the Scale (or given up): it loses replicas. */
                        json_auto_t *r = replicas_set();

                        kl_apiserver__fields_subtract(set, r);
                        if (json_object_size(set) == 0) {
                                json_decref(copy);
                                continue;
                        }
                }
                (void)json_array_append_new(out, copy);
        }
        /* Managers new to spec.replicas (the Scale's applier): entries of the parent's version. */
        for (size_t j = 0; j < n; j++) {
                json_t *s = json_array_get(scale, j);
                json_t *copy;

                if (matched[j] || !owns_replicas(json_object_get(s, "fieldsV1")))
                        continue;
                copy = json_deep_copy(s);
                (void)json_object_set_new(copy, "apiVersion", json_string(api_version));
                (void)json_object_set_new(copy, "fieldsV1", replicas_set());
                (void)json_array_append_new(out, copy);
        }
        return out;
}

struct conflict_ref {
        const json_t *c;
        size_t index;
};

static int cmp_conflict(const void *a, const void *b)
{
        const struct conflict_ref *x = a, *y = b;
        int d = strcmp(json_string_value(json_object_get(x->c, "manager")),
                       json_string_value(json_object_get(y->c, "manager")));

        if (d != 0)
                return d;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* `in` grouped by manager, managers sorted, paths in their order (new array). */
static json_t *conflicts_sorted(const json_t *in)
{
        size_t n = json_array_size(in);
        kl_autofree struct conflict_ref *v = kl_calloc(n ? n : 1, sizeof(*v));
        json_t *out = json_array();

        for (size_t i = 0; i < n; i++)
                v[i] = (struct conflict_ref){ json_array_get(in, i), i };
        /* The index makes qsort stable: one manager's paths keep their order. */
        qsort(v, n, sizeof(*v), cmp_conflict);
        for (size_t i = 0; i < n; i++)
                (void)json_array_append(out, (json_t *)v[i].c);
        return out;
}

json_t *kl_apiserver__managed_conflict_status(const struct kl_api_resource *res, const char *name,
                                              const json_t *given, char **ret_message)
{
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        /* Upstream prints the managers sorted (fieldmanager's getConflictMessage()). */
        json_auto_t *conflicts = conflicts_sorted(given);
        json_t *causes = json_array();
        json_t *st;
        size_t i, n = json_array_size(conflicts);
        json_t *c;

        json_array_foreach(conflicts, i, c) {
                const char *mgr = json_string_value(json_object_get(c, "manager"));
                const char *field = json_string_value(json_object_get(c, "field"));

                (void)json_array_append_new(causes,
                                            json_pack("{ssssss}", "reason", "FieldManagerConflict",
                                                      "message", "", "field", field));
                (void)json_object_set_new(json_array_get(causes, i), "message",
                                          json_sprintf("conflict with %s", mgr));
        }
        if (n == 1) {
                c = json_array_get(conflicts, 0);
                (void)kl_buf_printf(&msg, "Apply failed with 1 conflict: conflict with %s: %s",
                                    json_string_value(json_object_get(c, "manager")),
                                    json_string_value(json_object_get(c, "field")));
        } else {
                const char *last = NULL;

                /* Upstream groups the paths by manager, managers sorted. */
                (void)kl_buf_printf(&msg, "Apply failed with %zu conflicts: ", n);
                json_array_foreach(conflicts, i, c) {
                        const char *mgr = json_string_value(json_object_get(c, "manager"));

                        if (!last || !kl_streq(last, mgr))
                                (void)kl_buf_printf(&msg, "%sconflicts with %s:", last ? "\n" : "",
                                                    mgr);
                        (void)kl_buf_printf(&msg, "\n- %s",
                                            json_string_value(json_object_get(c, "field")));
                        last = mgr;
                }
        }
        st = json_pack("{sssss{}sssssss{sssssoso}si}", "kind", "Status", "apiVersion", "v1",
                       "metadata", "status", "Failure", "message", msg.buf, "reason", "Conflict",
                       "details", "name", name, "group", res->group, "kind",
                       json_string(res->plural), "causes", causes, "code", 409);
        if (st && !*res->group)
                (void)json_object_del(json_object_get(st, "details"), "group");
        *ret_message = kl_strdup(msg.buf);
        return st;
}
