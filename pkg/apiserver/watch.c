/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watch API of the resource handler layer: selectors and namespaces on
 * top of the cache's raw change feed, the synthetic ADDED events of a watch
 * from resourceVersion "" or "0", bookmarks, and 410 for a resourceVersion
 * the window no longer covers.
 *
 * A watch's callback may stop the watch. While a callback runs the watch is
 * "busy"; kl_apiserver_watch_stop() then only unlinks it and marks it dead,
 * and emit() frees it when the callback returns, so no caller ever touches
 * freed memory.
 */
#include <string.h>

#include "api/selector.h"
#include "apiserver/apiserver-internal.h"

struct kl_apiserver_watch {
        struct kl_apiserver *s;                 /* borrowed */
        struct kl_apiserver_watch *next, *prev; /* in s->watches */
        const struct kl_api_resource *res;      /* static */
        struct kl_apiserver__cache *cache;      /* borrowed from s */
        struct kl_apiserver__cache_watcher cw;  /* linked into cache while live */
        struct kl_api_label_selector *ls;       /* owned */
        struct kl_api_field_selector *fs;       /* owned */
        char *prefix;                           /* owned: storage prefix of the namespace */
        int64_t start_rev;
        bool initial; /* rv "" or "0": synthetic ADDED for what exists */
        bool pending; /* not started in the cache yet (the kick does it) */
        bool ended;   /* sent its ERROR: not in the cache, never started again */
        bool bookmarks;
        bool dead;    /* stopped while busy */
        bool selects; /* has a label or field selector: not every object matches */
        unsigned busy;
        uint64_t next_bookmark; /* uv_now() ms; UINT64_MAX: none due */
        uint64_t deadline;      /* uv_now() ms; 0: none */
        kl_apiserver_watch_fn *cb;
        void *arg;
};

const char *kl_apiserver_event_type_name(enum kl_apiserver_event_type t)
{
        static const char *const names[] = { "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR" };

        if (t < 0 || (size_t)t >= KL_ARRAY_SIZE(names))
                return NULL;
        return names[t];
}

static void watch_free(struct kl_apiserver_watch *w)
{
        kl_api_label_selector_free(w->ls);
        kl_api_field_selector_free(w->fs);
        free(w->prefix);
        free(w);
}

/* Call the owner; false when the watch was stopped meanwhile (it is freed then). */
static bool emit(struct kl_apiserver_watch *w, enum kl_apiserver_event_type t, const json_t *obj)
{
        w->busy++;
        w->cb(w, t, obj, w->arg);
        w->busy--;
        if (w->dead) {
                if (w->busy == 0)
                        watch_free(w);
                return false;
        }
        return true;
}

static bool matches(const struct kl_apiserver_watch *w, const json_t *obj)
{
        if (!obj)
                return false;
        return kl_api_label_selector_matches(
                       w->ls, json_object_get(json_object_get(obj, "metadata"), "labels")) &&
               kl_api_field_selector_matches(w->fs, obj, kl_apiserver__field_get, NULL);
}

static void on_cache_event(struct kl_apiserver__cache_watcher *cw,
                           const struct kl_apiserver__event *ev,
                           struct kl_apiserver__event_json *ej)
{
        struct kl_apiserver_watch *w = kl_container_of(cw, struct kl_apiserver_watch, cw);
        const json_t *obj;
        bool now, before;

        if (!kl_startswith(ev->obj->key, w->prefix))
                return;
        obj = kl_apiserver__event_obj(ej);
        now = matches(w, obj);
        if (ev->type == KL_APISERVER_CHANGE_DELETE) {
                if (now)
                        (void)emit(w, KL_APISERVER_EVENT_DELETED, obj);
                return;
        }
        /*
         * Whether the object was in the watch before: without selectors it
         * was if it existed, and the previous state is not decoded at all.
         */
        if (!ev->prev)
                before = false;
        else if (w->selects)
                before = matches(w, kl_apiserver__event_prev(ej));
        else
                before = true;
        if (now)
                (void)emit(w, before ? KL_APISERVER_EVENT_MODIFIED : KL_APISERVER_EVENT_ADDED, obj);
        else if (before)
                /* An object leaving the selector is gone as far as this watch can tell. */
                (void)emit(w, KL_APISERVER_EVENT_DELETED, obj);
}

/*
 * The cacher's nextBookmarkTime(): every KL_APISERVER_BOOKMARK_SEC, and 2 s
 * before the deadline if that comes first; none once that moment has passed.
 */
static uint64_t next_bookmark(const struct kl_apiserver_watch *w, uint64_t now)
{
        uint64_t t = now + (uint64_t)KL_APISERVER_BOOKMARK_SEC * 1000;

        if (w->deadline == 0)
                return t;
        if (w->deadline < 2000 || w->deadline - 2000 < now)
                return UINT64_MAX;
        return w->deadline - 2000 < t ? w->deadline - 2000 : t;
}

int kl_apiserver_watch_start(struct kl_apiserver *s, const struct kl_api_resource *res,
                             const char *ns, const struct kl_apiserver_watch_opts *opts,
                             kl_apiserver_watch_fn *cb, void *arg, struct kl_apiserver_watch **ret,
                             struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *ls = NULL;
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *fs = NULL;
        const char *rv = opts->resource_version;
        struct kl_apiserver_watch *w;
        int64_t start = 0;
        int r;

        r = kl_api_label_selector_parse(opts->label_selector ? opts->label_selector : "", &ls, err);
        if (r < 0)
                return r;
        r = kl_api_field_selector_parse(opts->field_selector ? opts->field_selector : "", &fs, err);
        if (r < 0)
                return r;
        r = kl_api_field_selector_check(fs, res->field_selectors, err);
        if (r < 0)
                return r;
        if (!kl_isempty(rv) && !kl_streq(rv, "0") && (kl_parse_int64(rv, &start) < 0 || start < 0))
                return kl_err_set_msg(err, -EINVAL, "invalid resource version: %s", rv);

        w = kl_new0(struct kl_apiserver_watch);
        w->s = s;
        w->res = res;
        w->cache = kl_apiserver__cache_of(s, res);
        w->cw.fn = on_cache_event;
        w->selects = !kl_api_label_selector_is_empty(ls) || !kl_api_field_selector_is_empty(fs);
        w->ls = KL_TAKE_PTR(ls);
        w->fs = KL_TAKE_PTR(fs);
        w->prefix = kl_api_storage_key(res, ns, NULL);
        w->start_rev = start;
        w->initial = start == 0;
        w->pending = true;
        w->bookmarks = opts->allow_bookmarks;
        if (opts->timeout_sec > 0)
                w->deadline = uv_now(s->loop) + opts->timeout_sec * 1000;
        w->next_bookmark = next_bookmark(w, uv_now(s->loop));
        w->cb = cb;
        w->arg = arg;
        w->next = s->watches;
        if (s->watches)
                s->watches->prev = w;
        s->watches = w;
        kl_apiserver__watches_kick(s);
        *ret = w;
        return 0;
}

void kl_apiserver_watch_stop(struct kl_apiserver_watch *w)
{
        struct kl_apiserver *s;

        if (!w || w->dead)
                return;
        s = w->s;
        if (!w->pending && !w->ended)
                kl_apiserver__cache_unwatch(w->cache, &w->cw);
        if (w->prev)
                w->prev->next = w->next;
        else
                s->watches = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->next = w->prev = NULL;
        if (w->busy > 0) {
                w->dead = true;
                return;
        }
        watch_free(w);
}

static json_t *expired_status(int64_t rv, int64_t oldest)
{
        char msg[96];

        (void)snprintf(msg, sizeof(msg), "too old resource version: %lld (%lld)", (long long)rv,
                       (long long)oldest);
        return kl_apiserver__status_error(-KL_EEXPIRED, msg, NULL, NULL);
}

/* Start one pending watch: initial ADDED events, then the cache feed. False if it stopped. */
static bool watch_begin(struct kl_apiserver_watch *w)
{
        struct kl_apiserver__cache *c = w->cache;
        int64_t after = w->start_rev;
        size_t plen = strlen(w->prefix);
        int r;

        w->pending = false;
        if (w->initial) {
                /*
                 * Copy the matching items first: the callback may not write, but
                 * holding references keeps this independent of what it does.
                 */
                size_t i = kl_apiserver__cache_lower_bound(c, w->prefix, true), n = 0, k;
                struct kl_apiserver__obj **snap = NULL;

                for (k = i; k < c->n && strncmp(c->items[k]->key, w->prefix, plen) == 0; k++)
                        n++;
                snap = kl_calloc(n ? n : 1, sizeof(*snap));
                for (k = 0; k < n; k++)
                        snap[k] = kl_apiserver__obj_ref(c->items[i + k]);
                after = w->s->rev;
                for (k = 0; k < n; k++) {
                        json_auto_t *obj = kl_apiserver__obj_decode(snap[k]);

                        if (obj && matches(w, obj) && !emit(w, KL_APISERVER_EVENT_ADDED, obj)) {
                                for (; k < n; k++)
                                        kl_apiserver__obj_unref(snap[k]);
                                free(snap);
                                return false;
                        }
                        kl_apiserver__obj_unref(snap[k]);
                }
                free(snap);
        }
        w->busy++;
        r = kl_apiserver__cache_watch(c, &w->cw, after);
        w->busy--;
        if (w->dead) {
                if (w->busy == 0)
                        watch_free(w);
                return false;
        }
        if (r == -KL_EEXPIRED) {
                json_auto_t *st = expired_status(after, c->window_rev + 1);

                /*
                 * Not linked in the cache: stop must not unlink it, and the
                 * kick must not start it again (it would fail the same way,
                 * forever) while its owner has not stopped it yet.
                 */
                w->ended = true;
                return emit(w, KL_APISERVER_EVENT_ERROR, st);
        }
        return true;
}

static void on_kick(uv_timer_t *t)
{
        struct kl_apiserver *s = kl_container_of(t, struct kl_apiserver, kick);
        bool again = true;

        /*
         * A callback may stop any watch, so restart the scan after each start.
         * A stopped watch is unlinked from s->watches before it is freed
         * (kl_apiserver_watch_stop()), which the analyzer cannot follow.
         */
        while (again) {
                again = false;
                /* NOLINTBEGIN(clang-analyzer-unix.Malloc): see above. */
                for (struct kl_apiserver_watch *w = s->watches; w; w = w->next) {
                        if (!w->pending || w->busy)
                                continue;
                        (void)watch_begin(w);
                        again = true;
                        break;
                }
                /* NOLINTEND(clang-analyzer-unix.Malloc) */
        }
}

void kl_apiserver__watches_kick(struct kl_apiserver *s)
{
        if (!s->closing)
                (void)uv_timer_start(&s->kick, on_kick, 0, 0);
}

void kl_apiserver__watches_tick(struct kl_apiserver *s)
{
        uint64_t now = uv_now(s->loop);
        bool again = true;

        while (again) {
                again = false;
                /* NOLINTBEGIN(clang-analyzer-unix.Malloc): stopped watches are unlinked. */
                for (struct kl_apiserver_watch *w = s->watches; w; w = w->next) {
                        char api_version[128], rv[24];
                        json_auto_t *bm = NULL;

                        if (!w->bookmarks || w->pending || w->ended || now < w->next_bookmark)
                                continue;
                        w->next_bookmark = next_bookmark(w, now);
                        if (w->next_bookmark <= now)
                                w->next_bookmark = UINT64_MAX; /* the pre-deadline one was sent */
                        (void)snprintf(rv, sizeof(rv), "%lld", (long long)s->rev);
                        bm = json_pack("{sssss{ss}}", "kind", w->res->kind, "apiVersion",
                                       kl_api_resource_api_version(w->res, api_version,
                                                                   sizeof(api_version)),
                                       "metadata", "resourceVersion", rv);
                        (void)emit(w, KL_APISERVER_EVENT_BOOKMARK, bm);
                        again = true;
                        break;
                }
                /* NOLINTEND(clang-analyzer-unix.Malloc) */
        }
}
