/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watch cache of one storage prefix (README.md, "Watch cache").
 *
 * Objects are kept as the bytes the store holds, not as json_t: a pod is
 * about 2-4 KiB of canonical JSON but several times that as a jansson tree,
 * and the goal is 10,000 pods in 60 MB. Readers decode what they
 * serve. The items array is sorted by key, which is the order upstream lists
 * in (namespace, then name) and what continue tokens resume from; inserting
 * shifts pointers (8 bytes each), cheap next to the decode every write costs
 * anyway.
 *
 * Writers on the pool build the tree of what they store anyway: they may
 * offer it (kl_apiserver__cache_offer()) before submitting, and the event
 * then carries that tree rather than a decode of the same bytes, which was
 * a third of the loop's time in the scheduler's benchmark.
 *
 * Loop thread only: no locks.
 */
#include <string.h>

#include "apiserver/apiserver-internal.h"
#include "json/json.h"

struct kl_apiserver__obj *kl_apiserver__obj_new(const char *key, const void *data, size_t len,
                                                int64_t mod_rev, int64_t create_rev)
{
        size_t klen = strlen(key);
        struct kl_apiserver__obj *o = kl_malloc(sizeof(*o) + len + 1 + klen + 1);

        o->refs = 1;
        o->mod_rev = mod_rev;
        o->create_rev = create_rev;
        o->len = len;
        o->base = NULL;
        memcpy(o->buf, data, len);
        o->buf[len] = '\0';
        memcpy(o->buf + len + 1, key, klen + 1);
        o->data = o->buf;
        o->key = o->buf + len + 1;
        return o;
}

struct kl_apiserver__obj *kl_apiserver__obj_at(struct kl_apiserver__obj *base, int64_t mod_rev)
{
        struct kl_apiserver__obj *o = kl_malloc(sizeof(*o));

        o->refs = 1;
        o->mod_rev = mod_rev;
        o->create_rev = base->create_rev;
        o->len = base->len;
        o->key = base->key;
        o->data = base->data;
        o->base = kl_apiserver__obj_ref(base);
        return o;
}

struct kl_apiserver__obj *kl_apiserver__obj_ref(struct kl_apiserver__obj *o)
{
        kl_assert(o->refs > 0);
        o->refs++;
        return o;
}

struct kl_apiserver__obj *kl_apiserver__obj_unref(struct kl_apiserver__obj *o)
{
        if (!o)
                return NULL;
        kl_assert(o->refs > 0);
        if (--o->refs == 0) {
                kl_apiserver__obj_unref(o->base);
                free(o);
        }
        return NULL;
}

json_t *kl_apiserver__obj_decode(const struct kl_apiserver__obj *o)
{
        json_t *v = NULL;

        /* The store only holds what this server encoded; a failure here is a damaged row. */
        if (kl_json_decode(o->data, o->len, KL_STORE_VALUE_MAX_LIMIT, &v, NULL) < 0)
                return NULL;
        if (!json_is_object(v)) {
                json_decref(v);
                return NULL;
        }
        kl_apiserver__object_set_rv(v, o->mod_rev);
        return v;
}

struct kl_apiserver__offer {
        uint64_t hash; /* of the key: most comparisons stop here */
        char *key;     /* owned */
        char *value;   /* owned copy of the bytes submitted */
        size_t len;
        json_t *tree; /* ref; read only */
};

/* FNV-1a, 64 bits. */
static uint64_t key_hash(const char *key)
{
        uint64_t h = 0xcbf29ce484222325ull;

        for (const unsigned char *p = (const unsigned char *)key; *p; p++)
                h = (h ^ *p) * 0x100000001b3ull;
        return h;
}

static void offer_drop(struct kl_apiserver__cache *c, size_t i)
{
        struct kl_apiserver__offer *f = &c->offers[i];

        free(f->key);
        free(f->value);
        json_decref(f->tree);
        c->offers[i] = c->offers[--c->n_offers];
        memset(&c->offers[c->n_offers], 0, sizeof(*c->offers));
}

void kl_apiserver__cache_offer(struct kl_apiserver__cache *c, const char *key, const void *value,
                               size_t len, json_t *tree)
{
        uint64_t h = key_hash(key);
        struct kl_apiserver__offer *f;
        bool replaced = false;

        for (size_t i = 0; i < c->n_offers && !replaced; i++)
                if (c->offers[i].hash == h && kl_streq(c->offers[i].key, key)) {
                        offer_drop(c, i); /* a newer write of the key replaces it */
                        replaced = true;
                }
        if (!c->offers)
                c->offers = kl_calloc(KL_APISERVER_OFFERS_MAX, sizeof(*c->offers));
        else if (!replaced && c->n_offers == KL_APISERVER_OFFERS_MAX)
                offer_drop(c, 0);
        f = &c->offers[c->n_offers++];
        f->hash = h;
        f->key = kl_strdup(key);
        f->value = kl_memdup(value, len);
        f->len = len;
        f->tree = tree;
}

/*
 * The tree offered for `key` if it encodes to the bytes the store holds now
 * (new: a shallow copy with metadata.resourceVersion set, the rest shared),
 * else NULL (always for a delete: `value` NULL). Either way the offer for
 * `key` is gone.
 */
static json_t *offer_take(struct kl_apiserver__cache *c, const char *key, const void *value,
                          size_t len, int64_t rev)
{
        uint64_t h = key_hash(key);
        json_t *v = NULL;

        for (size_t i = 0; i < c->n_offers; i++) {
                struct kl_apiserver__offer *f = &c->offers[i];
                json_t *meta;

                if (f->hash != h || !kl_streq(f->key, key))
                        continue;
                if (value && f->len == len && memcmp(f->value, value, len) == 0 &&
                    json_is_object(f->tree) &&
                    json_is_object(meta = json_object_get(f->tree, "metadata"))) {
                        /* Copies of the two levels that change: the offer stays as it is. */
                        v = json_copy(f->tree);
                        (void)json_object_set_new(v, "metadata", json_copy(meta));
                        kl_apiserver__object_set_rv(v, rev);
                }
                offer_drop(c, i);
                break;
        }
        return v;
}

void kl_apiserver__cache_init(struct kl_apiserver__cache *c, const char *prefix, int64_t rev)
{
        memset(c, 0, sizeof(*c));
        c->prefix = kl_strdup(prefix);
        c->ring = kl_calloc(KL_APISERVER_WINDOW, sizeof(*c->ring));
        c->window_rev = rev;
}

static void event_release(struct kl_apiserver__event *ev)
{
        ev->obj = kl_apiserver__obj_unref(ev->obj);
        ev->prev = kl_apiserver__obj_unref(ev->prev);
}

void kl_apiserver__cache_release(struct kl_apiserver__cache *c)
{
        for (size_t i = 0; i < c->n; i++)
                kl_apiserver__obj_unref(c->items[i]);
        free(c->items);
        for (size_t i = 0; i < c->ring_len; i++)
                event_release(&c->ring[(c->ring_head + i) % KL_APISERVER_WINDOW]);
        free(c->ring);
        while (c->n_offers > 0)
                offer_drop(c, c->n_offers - 1);
        free(c->offers);
        free(c->prefix);
        memset(c, 0, sizeof(*c));
}

size_t kl_apiserver__cache_lower_bound(const struct kl_apiserver__cache *c, const char *key,
                                       bool inclusive)
{
        size_t lo = 0, hi = c->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int cmp = strcmp(c->items[mid]->key, key);

                if (cmp < 0 || (cmp == 0 && !inclusive))
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

struct kl_apiserver__obj *kl_apiserver__cache_find(const struct kl_apiserver__cache *c,
                                                   const char *key)
{
        size_t i = kl_apiserver__cache_lower_bound(c, key, true);

        if (i < c->n && kl_streq(c->items[i]->key, key))
                return c->items[i];
        return NULL;
}

/* Put `o` (reference taken) at its key; returns the reference it replaced, or NULL. */
static struct kl_apiserver__obj *items_put(struct kl_apiserver__cache *c,
                                           struct kl_apiserver__obj *o)
{
        size_t i = kl_apiserver__cache_lower_bound(c, o->key, true);
        struct kl_apiserver__obj *old;

        if (i < c->n && kl_streq(c->items[i]->key, o->key)) {
                old = c->items[i];
                c->items[i] = o;
                return old;
        }
        if (c->n == c->alloc) {
                c->alloc = c->alloc ? 2 * c->alloc : 16;
                c->items = kl_realloc(c->items, c->alloc * sizeof(*c->items));
        }
        memmove(c->items + i + 1, c->items + i, (c->n - i) * sizeof(*c->items));
        c->items[i] = o;
        c->n++;
        return NULL;
}

static struct kl_apiserver__obj *items_remove(struct kl_apiserver__cache *c, const char *key)
{
        size_t i = kl_apiserver__cache_lower_bound(c, key, true);
        struct kl_apiserver__obj *old;

        if (i >= c->n || !kl_streq(c->items[i]->key, key))
                return NULL;
        old = c->items[i];
        memmove(c->items + i, c->items + i + 1, (c->n - i - 1) * sizeof(*c->items));
        c->n--;
        return old;
}

void kl_apiserver__cache_load(struct kl_apiserver__cache *c, struct kl_apiserver__obj *o)
{
        kl_apiserver__obj_unref(items_put(c, o));
}

/* Append to the ring, evicting the oldest event (which moves the window) when full. */
static struct kl_apiserver__event *ring_push(struct kl_apiserver__cache *c)
{
        struct kl_apiserver__event *ev;

        if (c->ring_len == KL_APISERVER_WINDOW) {
                ev = &c->ring[c->ring_head];
                c->window_rev = ev->rev;
                event_release(ev);
                c->ring_head = (c->ring_head + 1) % KL_APISERVER_WINDOW;
                c->ring_len--;
        }
        ev = &c->ring[(c->ring_head + c->ring_len) % KL_APISERVER_WINDOW];
        c->ring_len++;
        return ev;
}

const json_t *kl_apiserver__event_obj(struct kl_apiserver__event_json *ej)
{
        if (!ej->obj_done) {
                ej->obj = kl_apiserver__obj_decode(ej->ev->obj);
                ej->obj_done = true;
        }
        return ej->obj;
}

const json_t *kl_apiserver__event_prev(struct kl_apiserver__event_json *ej)
{
        if (!ej->prev_done) {
                ej->prev = ej->ev->prev ? kl_apiserver__obj_decode(ej->ev->prev) : NULL;
                ej->prev_done = true;
        }
        return ej->prev;
}

static void event_json_release(struct kl_apiserver__event_json *ej)
{
        json_decref(ej->obj);
        json_decref(ej->prev);
}

static void deliver(struct kl_apiserver__cache_watcher *cw, const struct kl_apiserver__event *ev,
                    struct kl_apiserver__event_json *ej)
{
        if (ev->rev <= cw->after_rev)
                return;
        cw->after_rev = ev->rev;
        cw->fn(cw, ev, ej);
}

void kl_apiserver__cache_apply(struct kl_apiserver__cache *c, enum kl_apiserver__change type,
                               const char *key, const void *value, size_t len, int64_t rev,
                               int64_t create_rev)
{
        struct kl_apiserver__obj *prev;
        struct kl_apiserver__event *ev;
        struct kl_apiserver__event_json ej;

        if (type == KL_APISERVER_CHANGE_PUT) {
                struct kl_apiserver__obj *o =
                        kl_apiserver__obj_new(key, value, len, rev, create_rev);

                prev = items_put(c, kl_apiserver__obj_ref(o));
                ev = ring_push(c);
                ev->obj = o;
        } else {
                prev = items_remove(c, key);
                if (!prev)
                        return; /* never seen: nothing a watcher could know about */
                ev = ring_push(c);
                /*
                 * A DELETED event carries the last state, at the revision of the delete:
                 * the same bytes as `prev`, which the event holds anyway.
                 */
                ev->obj = kl_apiserver__obj_at(prev, rev);
        }
        ev->type = type;
        ev->rev = rev;
        ev->prev = prev;

        ej = (struct kl_apiserver__event_json){ .ev = ev };
        if (c->n_offers > 0) {
                /* Without watchers nobody needs the tree: the offer is only dropped. */
                bool use = type == KL_APISERVER_CHANGE_PUT && c->watchers;

                ej.obj = offer_take(c, key, use ? ev->obj->data : NULL, ev->obj->len, rev);
                ej.obj_done = ej.obj != NULL;
        }
        for (struct kl_apiserver__cache_watcher *cw = c->watchers, *next; cw; cw = next) {
                next = cw->next;
                deliver(cw, ev, &ej);
        }
        event_json_release(&ej);
}

int kl_apiserver__cache_watch(struct kl_apiserver__cache *c, struct kl_apiserver__cache_watcher *cw,
                              int64_t after_rev)
{
        if (after_rev < c->window_rev)
                return -KL_EEXPIRED;
        cw->after_rev = after_rev;
        cw->prev = NULL;
        cw->next = c->watchers;
        if (c->watchers)
                c->watchers->prev = cw;
        c->watchers = cw;
        /*
         * Replay what the window holds after `after_rev`. The watcher may stop
         * itself from its callback: then it is unlinked and we must not go on.
         */
        for (size_t i = 0; i < c->ring_len; i++) {
                const struct kl_apiserver__event *ev =
                        &c->ring[(c->ring_head + i) % KL_APISERVER_WINDOW];
                struct kl_apiserver__event_json ej = { .ev = ev };
                bool linked = false;

                if (ev->rev <= after_rev)
                        continue;
                deliver(cw, ev, &ej);
                event_json_release(&ej);
                for (struct kl_apiserver__cache_watcher *w = c->watchers; w; w = w->next)
                        if (w == cw)
                                linked = true;
                if (!linked)
                        break;
        }
        return 0;
}

void kl_apiserver__cache_unwatch(struct kl_apiserver__cache *c,
                                 struct kl_apiserver__cache_watcher *cw)
{
        if (cw->prev)
                cw->prev->next = cw->next;
        else if (c->watchers == cw)
                c->watchers = cw->next;
        else
                return; /* not linked */
        if (cw->next)
                cw->next->prev = cw->prev;
        cw->next = cw->prev = NULL;
}
