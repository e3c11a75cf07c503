/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Informers: a local copy of one resource, kept by list-then-watch as
 * client-go's reflector does.
 *
 *   list      the whole collection; the store is reconciled against it
 *             (adds, updates of objects whose resourceVersion changed,
 *             deletes of objects no longer listed), then the informer is
 *             synced: "synced" means the store holds the list.
 *   watch     from the list's resourceVersion, so nothing between the two is
 *             lost; every event moves the informer's resourceVersion.
 *   410       an ERROR event with code 410 (Expired: the server's window no
 *             longer reaches our resourceVersion) relists at once. Any other
 *             ERROR, a failed list or a failed watch start retries after a
 *             back-off (1 s doubling to 30 s): a watch from the last
 *             resourceVersion seen, or a list when there is none.
 *
 * Objects are kept as the client hands them out, with json_incref(): they
 * are immutable and shared, so the store costs one reference per object and
 * a hash entry per key. Indexes map each value to the set of keys having it
 * (jansson objects used as hash maps); the values of an object are computed
 * again from the object when it leaves, so nothing else is kept per object.
 *
 * A list in flight cannot be cancelled; its callback holds a small request
 * that the informer detaches when freed.
 */
#include <stdlib.h>
#include <string.h>

#include "api/selector.h"
#include "client/client-internal.h"

#define RETRY_FIRST_MSEC 1000
#define RETRY_MAX_MSEC   30000

struct index {
        char *name; /* owned */
        kl_informer_index_fn *fn;
        json_t *map; /* owned: value -> {key: true} */
};

struct list_req {
        struct kl_informer *inf; /* borrowed; NULL once the informer is freed */
};

struct kl_informer {
        struct kl_client *client; /* borrowed: outlives the informer */
        const struct kl_api_resource *res;
        char *ns;             /* owned; NULL: all namespaces */
        char *label_selector; /* owned; NULL: none */
        char *field_selector; /* owned; NULL: none */
        json_t *store;        /* owned: key -> object (ref) */
        struct index *indexes;
        size_t n_indexes;
        struct kl_informer_handler *handlers;
        size_t n_handlers;
        struct kl_client_watch *watch; /* owned; NULL between watches */
        struct list_req *req;          /* the list in flight, or NULL */
        char *rv;         /* owned: the last resourceVersion seen; NULL before a list */
        uv_timer_t retry; /* owned: closed by kl_informer_free() */
        uint64_t backoff_ms;
        bool started;
        bool synced;
        void (*synced_fn)(void *arg);
        void *synced_arg;
};

/* ------------------------------------------------------------------------- */
/* Index functions every informer has */

static void index_namespace(const json_t *obj, char ***values)
{
        const char *ns =
                json_string_value(json_object_get(json_object_get(obj, "metadata"), "namespace"));

        if (!kl_isempty(ns))
                kl_strv_push(values, ns);
}

static void index_owner(const json_t *obj, char ***values)
{
        const json_t *refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
        const json_t *ref;
        size_t i;

        json_array_foreach(refs, i, ref) {
                const char *uid = json_string_value(json_object_get(ref, "uid"));

                if (!kl_isempty(uid))
                        kl_strv_push(values, uid);
        }
}

static void index_label(const json_t *obj, char ***values)
{
        const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)labels, k, v) {
                if (json_is_string(v))
                        kl_strv_push_take(values, kl_asprintf("%s=%s", k, json_string_value(v)));
        }
}

static void index_node(const json_t *obj, char ***values)
{
        const char *node =
                json_string_value(json_object_get(json_object_get(obj, "spec"), "nodeName"));

        if (!kl_isempty(node))
                kl_strv_push(values, node);
}

/* ------------------------------------------------------------------------- */
/* The store and its indexes */

/*
 * Move `key` in the indexes from the values of `old` to those of `obj`
 * (either may be NULL: an add, a removal). A value both have is left alone:
 * an update rarely changes what an object is indexed by (its namespace, its
 * node), and the sets of a value can hold every key of the store.
 */
static void index_update(struct kl_informer *inf, const char *key, const json_t *old,
                         const json_t *obj)
{
        for (size_t i = 0; i < inf->n_indexes; i++) {
                struct index *ix = &inf->indexes[i];
                kl_autostrv char **before = NULL;
                kl_autostrv char **after = NULL;

                if (old)
                        ix->fn(old, &before);
                if (obj)
                        ix->fn(obj, &after);
                for (size_t j = 0; before && before[j]; j++) {
                        json_t *set;

                        if (after && kl_strv_contains(after, before[j]))
                                continue;
                        set = json_object_get(ix->map, before[j]);
                        if (!set)
                                continue;
                        (void)json_object_del(set, key);
                        if (json_object_size(set) == 0)
                                (void)json_object_del(ix->map, before[j]);
                }
                for (size_t j = 0; after && after[j]; j++) {
                        json_t *set;

                        if (before && kl_strv_contains(before, after[j]))
                                continue;
                        set = json_object_get(ix->map, after[j]);
                        if (!set) {
                                set = json_object();
                                (void)json_object_set_new(ix->map, after[j], set);
                        }
                        (void)json_object_set_new(set, key, json_true());
                }
        }
}

static const char *rv_of(const json_t *obj)
{
        return json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

static void set_rv(struct kl_informer *inf, const char *rv)
{
        if (kl_isempty(rv))
                return;
        free(inf->rv);
        inf->rv = kl_strdup(rv);
}

/* Put `obj` (borrowed; a reference is kept) under `key`, then tell the handlers. */
static void store_put(struct kl_informer *inf, const char *key, const json_t *obj)
{
        json_auto_t *old = json_incref(json_object_get(inf->store, key));

        (void)json_object_set(inf->store, key, (json_t *)obj);
        index_update(inf, key, old, obj);
        for (size_t i = 0; i < inf->n_handlers; i++) {
                const struct kl_informer_handler *h = &inf->handlers[i];

                if (old && h->on_update)
                        h->on_update(h->arg, old, obj);
                else if (!old && h->on_add)
                        h->on_add(h->arg, obj);
        }
}

/* Remove `key`; `last` (borrowed) is the object's last state for the handlers. */
static void store_delete(struct kl_informer *inf, const char *key, const json_t *last)
{
        json_auto_t *old = json_incref(json_object_get(inf->store, key));

        if (!old)
                return;
        index_update(inf, key, old, NULL);
        (void)json_object_del(inf->store, key);
        for (size_t i = 0; i < inf->n_handlers; i++) {
                const struct kl_informer_handler *h = &inf->handlers[i];

                if (h->on_delete)
                        h->on_delete(h->arg, last ? last : old);
        }
}

/* Make the store what `items` (borrowed array) says, telling the handlers what changed. */
static void store_replace(struct kl_informer *inf, const json_t *items)
{
        json_auto_t *seen = json_object();
        kl_autostrv char **gone = NULL;
        const char *key;
        const json_t *it;
        json_t *v;
        size_t i;

        json_array_foreach(items, i, it) {
                kl_autofree char *k = kl_client_key(it);
                const json_t *old = json_object_get(inf->store, k);

                (void)json_object_set_new(seen, k, json_true());
                /* Unchanged objects keep their state and get no call (upstream resyncs aside). */
                if (old && kl_streq_null(rv_of(old), rv_of(it)))
                        continue;
                store_put(inf, k, it);
        }
        json_object_foreach(inf->store, key, v) {
                if (!json_object_get(seen, key))
                        kl_strv_push(&gone, key);
        }
        for (i = 0; gone && gone[i]; i++)
                store_delete(inf, gone[i], NULL);
}

/* ------------------------------------------------------------------------- */
/* List and watch */

static void begin_list(struct kl_informer *inf);
static void begin_watch(struct kl_informer *inf);

static void on_retry(uv_timer_t *t)
{
        struct kl_informer *inf = kl_container_of(t, struct kl_informer, retry);

        if (inf->rv)
                begin_watch(inf);
        else
                begin_list(inf);
}

static void retry_later(struct kl_informer *inf)
{
        inf->backoff_ms =
                inf->backoff_ms ? KL_MIN(inf->backoff_ms * 2, RETRY_MAX_MSEC) : RETRY_FIRST_MSEC;
        (void)uv_timer_start(&inf->retry, on_retry, inf->backoff_ms, 0);
}

static void on_watch(struct kl_client_watch *w, enum kl_client_event_type t, const json_t *obj,
                     void *arg)
{
        struct kl_informer *inf = arg;
        kl_autofree char *key = NULL;

        switch (t) {
        case KL_CLIENT_EVENT_ADDED:
        case KL_CLIENT_EVENT_MODIFIED:
                key = kl_client_key(obj);
                set_rv(inf, rv_of(obj));
                store_put(inf, key, obj);
                inf->backoff_ms = 0;
                return;
        case KL_CLIENT_EVENT_DELETED:
                key = kl_client_key(obj);
                set_rv(inf, rv_of(obj));
                store_delete(inf, key, obj);
                inf->backoff_ms = 0;
                return;
        case KL_CLIENT_EVENT_BOOKMARK:
                set_rv(inf, rv_of(obj));
                return;
        default:
                break;
        }
        /* ERROR: the watch has ended. */
        kl_client_watch_stop(inf->client, w);
        inf->watch = NULL;
        if (json_integer_value(json_object_get(obj, "code")) == 410) {
                kl_log_debug(KL_LOG_API, "informer %s: watch expired at %s, relisting",
                             inf->res->plural, inf->rv ? inf->rv : "");
                free(inf->rv);
                inf->rv = NULL;
                begin_list(inf);
                return;
        }
        kl_log_debug(KL_LOG_API, "informer %s: watch ended: %s, will retry", inf->res->plural,
                     json_string_value(json_object_get(obj, "message")));
        retry_later(inf);
}

static void begin_watch(struct kl_informer *inf)
{
        struct kl_client_list_opts o = { .label_selector = inf->label_selector,
                                         .field_selector = inf->field_selector,
                                         .resource_version = inf->rv,
                                         .allow_bookmarks = true };
        kl_autoerr struct kl_err *e = NULL;
        int r;

        kl_assert(!inf->watch && inf->rv);
        r = kl_client_watch_start(inf->client, inf->res, inf->ns, &o, on_watch, inf, &inf->watch,
                                  &e);
        if (r < 0) {
                (void)kl_log_err(KL_LOG_WARN, KL_LOG_API, e,
                                 "informer %s: watch from %s, will retry", inf->res->plural,
                                 inf->rv);
                retry_later(inf);
        }
}

static void on_list(void *arg, int r, json_t *list, const struct kl_err *err)
{
        struct list_req *req = arg;
        struct kl_informer *inf = req->inf;
        json_auto_t *l = list;

        free(req);
        if (!inf)
                return;
        inf->req = NULL;
        if (r < 0) {
                (void)kl_log_err(KL_LOG_WARN, KL_LOG_API, err, "informer %s: list, will retry",
                                 inf->res->plural);
                retry_later(inf);
                return;
        }
        store_replace(inf, json_object_get(l, "items"));
        set_rv(inf, json_string_value(
                            json_object_get(json_object_get(l, "metadata"), "resourceVersion")));
        json_decref(KL_TAKE_PTR(l));
        inf->backoff_ms = 0;
        if (inf->rv)
                begin_watch(inf);
        else
                retry_later(inf);
        if (!inf->synced) {
                inf->synced = true;
                if (inf->synced_fn)
                        inf->synced_fn(inf->synced_arg);
        }
}

static void begin_list(struct kl_informer *inf)
{
        struct kl_client_list_opts o = { .label_selector = inf->label_selector,
                                         .field_selector = inf->field_selector };

        kl_assert(!inf->req);
        inf->req = kl_new0(struct list_req);
        inf->req->inf = inf;
        kl_client_list(inf->client, inf->res, inf->ns, &o, on_list, inf->req);
}

/* ------------------------------------------------------------------------- */
/* Life cycle */

int kl_informer_new(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                    const char *label_selector, const char *field_selector,
                    struct kl_informer **ret, struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *ls = NULL;
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *fs = NULL;
        struct kl_informer *inf;
        int r;

        /* Refuse bad selectors here, so that the server never has to. */
        r = kl_api_label_selector_parse(label_selector ? label_selector : "", &ls, err);
        if (r < 0)
                return r;
        r = kl_api_field_selector_parse(field_selector ? field_selector : "", &fs, err);
        if (r < 0)
                return r;
        r = kl_api_field_selector_check(fs, res->field_selectors, err);
        if (r < 0)
                return r;

        inf = kl_new0(struct kl_informer);
        inf->client = c;
        inf->res = res;
        inf->ns = res->namespaced && ns ? kl_strdup(ns) : NULL;
        inf->label_selector = kl_isempty(label_selector) ? NULL : kl_strdup(label_selector);
        inf->field_selector = kl_isempty(field_selector) ? NULL : kl_strdup(field_selector);
        inf->store = json_object();
        kl_assert(uv_timer_init(c->loop, &inf->retry) == 0);
        kl_informer_add_index(inf, KL_INDEX_NAMESPACE, index_namespace);
        kl_informer_add_index(inf, KL_INDEX_OWNER, index_owner);
        kl_informer_add_index(inf, KL_INDEX_LABEL, index_label);
        if (kl_streq(res->group, "") && kl_streq(res->plural, "pods"))
                kl_informer_add_index(inf, KL_INDEX_NODE, index_node);
        *ret = inf;
        return 0;
}

void kl_informer_add_index(struct kl_informer *inf, const char *name, kl_informer_index_fn *fn)
{
        struct index *ix;

        kl_assert(!inf->started);
        inf->indexes = kl_realloc(inf->indexes, (inf->n_indexes + 1) * sizeof(*inf->indexes));
        ix = &inf->indexes[inf->n_indexes++];
        ix->name = kl_strdup(name);
        ix->fn = fn;
        ix->map = json_object();
}

void kl_informer_add_handler(struct kl_informer *inf, const struct kl_informer_handler *h)
{
        kl_assert(!inf->started);
        inf->handlers = kl_realloc(inf->handlers, (inf->n_handlers + 1) * sizeof(*inf->handlers));
        inf->handlers[inf->n_handlers++] = *h;
}

int kl_informer_start(struct kl_informer *inf, struct kl_err **err)
{
        (void)err;
        kl_assert(!inf->started);
        inf->started = true;
        begin_list(inf);
        return 0;
}

bool kl_informer_synced(const struct kl_informer *inf)
{
        return inf->synced;
}

void kl_informer_on_synced(struct kl_informer *inf, void (*fn)(void *arg), void *arg)
{
        inf->synced_fn = fn;
        inf->synced_arg = arg;
}

const struct kl_api_resource *kl_informer_resource(const struct kl_informer *inf)
{
        return inf->res;
}

static void on_retry_closed(uv_handle_t *h)
{
        free(kl_container_of((uv_timer_t *)h, struct kl_informer, retry));
}

void kl_informer_free(struct kl_informer *inf)
{
        if (!inf)
                return;
        if (inf->req)
                inf->req->inf = NULL;
        kl_client_watch_stop(inf->client, inf->watch);
        for (size_t i = 0; i < inf->n_indexes; i++) {
                free(inf->indexes[i].name);
                json_decref(inf->indexes[i].map);
        }
        free(inf->indexes);
        free(inf->handlers);
        json_decref(inf->store);
        free(inf->ns);
        free(inf->label_selector);
        free(inf->field_selector);
        free(inf->rv);
        /* The timer is the last thing: its close callback frees the informer. */
        uv_close((uv_handle_t *)&inf->retry, on_retry_closed);
}

/* ------------------------------------------------------------------------- */
/* Lookups */

const json_t *kl_informer_get(const struct kl_informer *inf, const char *ns, const char *name)
{
        kl_autofree char *key = NULL;

        if (kl_isempty(ns))
                return json_object_get(inf->store, name);
        key = kl_asprintf("%s/%s", ns, name);
        return json_object_get(inf->store, key);
}

const json_t *kl_informer_get_key(const struct kl_informer *inf, const char *key)
{
        return json_object_get(inf->store, key);
}

size_t kl_informer_count(const struct kl_informer *inf)
{
        return json_object_size(inf->store);
}

struct keyed {
        const char *key;
        const json_t *obj;
};

static int keyed_cmp(const void *a, const void *b)
{
        return kl_client__key_cmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* Fill `out` from the keys of the object `keys` (values unused), sorted by key. */
static void fill_sorted(const struct kl_informer *inf, const json_t *keys, struct kl_objv *out)
{
        size_t n = json_object_size(keys), i = 0;
        struct keyed *v;
        const char *key;
        json_t *val;

        out->n = 0;
        if (n == 0)
                return;
        v = kl_calloc(n, sizeof(*v));
        json_object_foreach((json_t *)keys, key, val) {
                const json_t *obj = keys == inf->store ? val : json_object_get(inf->store, key);

                if (obj) {
                        v[i].key = key;
                        v[i].obj = obj;
                        i++;
                }
        }
        qsort(v, i, sizeof(*v), keyed_cmp);
        for (size_t j = 0; j < i; j++)
                kl_objv_push(out, v[j].obj);
        free(v);
}

static const struct index *index_find(const struct kl_informer *inf, const char *name)
{
        for (size_t i = 0; i < inf->n_indexes; i++)
                if (kl_streq(inf->indexes[i].name, name))
                        return &inf->indexes[i];
        return NULL;
}

void kl_informer_list(const struct kl_informer *inf, const char *ns, struct kl_objv *out)
{
        if (!ns) {
                fill_sorted(inf, inf->store, out);
                return;
        }
        kl_informer_by_index(inf, KL_INDEX_NAMESPACE, ns, out);
}

void kl_informer_by_index(const struct kl_informer *inf, const char *index, const char *value,
                          struct kl_objv *out)
{
        const struct index *ix = index_find(inf, index);
        const json_t *set = ix ? json_object_get(ix->map, value) : NULL;

        out->n = 0;
        if (set)
                fill_sorted(inf, set, out);
}

/* ------------------------------------------------------------------------- */
/* Test hooks (client-internal.h) */

void kl_client__informer_pause(struct kl_informer *inf)
{
        kl_client_watch_stop(inf->client, inf->watch);
        inf->watch = NULL;
}

void kl_client__informer_resume(struct kl_informer *inf)
{
        begin_watch(inf);
}

size_t kl_client__informer_index_size(const struct kl_informer *inf, const char *index)
{
        const struct index *ix = index_find(inf, index);

        return ix ? json_object_size(ix->map) : 0;
}
