/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watch cache and the list read path: the event window and its 410,
 * replay to watchers, whether the cache can stand for an older revision,
 * pages with limit/continue/remainingItemCount and selectors, and upstream's
 * continue tokens.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/selector.h"
#include "apiserver/apiserver-internal.h"

static const struct kl_api_resource *configmaps(void)
{
        const struct kl_api_resource *r = kl_api_resource_find("", "v1", "configmaps");

        cr_assert_not_null(r);
        return r;
}

static void put(struct kl_apiserver__cache *c, const char *ns, const char *name, int64_t rev,
                const char *app)
{
        kl_autofree char *key = kl_asprintf("/registry/configmaps/%s/%s", ns, name);
        kl_autofree char *val = kl_asprintf(
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
                "\"namespace\":\"%s\",\"labels\":{\"app\":\"%s\"}}}",
                name, ns, app);

        kl_apiserver__cache_apply(c, KL_APISERVER_CHANGE_PUT, key, val, strlen(val), rev, rev);
}

static json_t *page(struct kl_apiserver__cache *c, const struct kl_apiserver__page *p)
{
        json_t *list = NULL;

        kl_autobuf struct kl_buf text = KL_BUF_INIT;
        json_auto_t *from_text = NULL;
        kl_autofree char *a = NULL;
        kl_autofree char *b = NULL;

        cr_assert_eq(kl_apiserver__list_page(configmaps(), c->items, c->n, p, &list, NULL, NULL),
                     0);
        /* The text form, spliced from the stored bytes, says the same. */
        cr_assert_eq(kl_apiserver__list_page(configmaps(), c->items, c->n, p, NULL, &text, NULL),
                     0);
        from_text = json_loadb(text.buf, text.len, 0, NULL);
        cr_assert_not_null(from_text, "%s", text.buf);
        a = json_dumps(list, JSON_SORT_KEYS | JSON_COMPACT);
        b = json_dumps(from_text, JSON_SORT_KEYS | JSON_COMPACT);
        cr_expect_str_eq(a, b);
        return list;
}

static const char *item_name(const json_t *list, size_t i)
{
        return json_string_value(json_object_get(
                json_object_get(json_array_get(json_object_get(list, "items"), i), "metadata"),
                "name"));
}

static const char *meta_str(const json_t *list, const char *key)
{
        return json_string_value(json_object_get(json_object_get(list, "metadata"), key));
}

Test(continue_token, upstream_encoding)
{
        kl_autofree char *tok = kl_apiserver__continue_encode(10, "c2");
        kl_autofree char *start = NULL;
        int64_t rev = 0;
        bool excl = false;

        /* base64url of {"v":"meta.k8s.io/v1","rv":10,"start":"c2\u0000"}, as upstream writes it. */
        cr_expect_str_eq(tok, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTAsInN0YXJ0IjoiYzJcdTAwMDAifQ");
        cr_assert_eq(kl_apiserver__continue_decode(tok, &rev, &start, &excl, NULL), 0);
        cr_expect_eq(rev, 10);
        cr_expect_str_eq(start, "c2");
        cr_expect(excl);
}

Test(continue_token, namespaced_key_round_trip)
{
        kl_autofree char *tok = kl_apiserver__continue_encode(1234, "kube-system/coredns");
        kl_autofree char *start = NULL;
        int64_t rev = 0;
        bool excl = false;

        cr_assert_eq(kl_apiserver__continue_decode(tok, &rev, &start, &excl, NULL), 0);
        cr_expect_eq(rev, 1234);
        cr_expect_str_eq(start, "kube-system/coredns");
}

static void expect_invalid(const char *raw_json, const char *words)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *start = NULL;
        char tok[512];
        size_t n = strlen(raw_json), o = 0;
        static const char b64[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int64_t rev;
        bool excl;

        /* A tiny encoder of our own so the test does not trust the one under test. */
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t)(uint8_t)raw_json[i] << 16;

                if (i + 1 < n)
                        v |= (uint32_t)(uint8_t)raw_json[i + 1] << 8;
                if (i + 2 < n)
                        v |= (uint8_t)raw_json[i + 2];
                tok[o++] = b64[v >> 18];
                tok[o++] = b64[(v >> 12) & 63];
                if (i + 1 < n)
                        tok[o++] = b64[(v >> 6) & 63];
                if (i + 2 < n)
                        tok[o++] = b64[v & 63];
        }
        tok[o] = '\0';
        cr_expect_eq(kl_apiserver__continue_decode(tok, &rev, &start, &excl, &e), -EINVAL, "%s",
                     raw_json);
        cr_assert_not_null(e);
        cr_expect(strstr(kl_err_msg(e), "invalid continue token: ") != NULL, "%s", kl_err_msg(e));
        cr_expect(strstr(kl_err_msg(e), words) != NULL, "%s", kl_err_msg(e));
}

Test(continue_token, invalid)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *start = NULL;
        int64_t rev;
        bool excl;

        cr_expect_eq(kl_apiserver__continue_decode("!!", &rev, &start, &excl, &e), -EINVAL);
        expect_invalid("not json", "malformed");
        expect_invalid("{\"v\":\"v2\",\"rv\":1,\"start\":\"a\"}", "does not recognize");
        expect_invalid("{\"v\":\"meta.k8s.io/v1\",\"rv\":0,\"start\":\"a\"}",
                       "incorrect encoded start resourceVersion");
        expect_invalid("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"\"}",
                       "encoded continue key empty");
        expect_invalid("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"../secrets/x\"}",
                       "not valid");
        expect_invalid("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"/abs\"}", "not valid");
}

Test(continue_token, too_long_is_refused_before_decoding)
{
        char *tok = kl_malloc(KL_APISERVER_CONTINUE_MAX + 2);
        kl_autofree char *start = NULL;
        int64_t rev;
        bool excl;

        memset(tok, 'A', KL_APISERVER_CONTINUE_MAX + 1);
        tok[KL_APISERVER_CONTINUE_MAX + 1] = '\0';
        cr_expect_eq(kl_apiserver__continue_decode(tok, &rev, &start, &excl, NULL), -EINVAL);
        free(tok);
}

Test(list_page, limit_continue_and_remaining)
{
        struct kl_apiserver__cache c;
        kl_autofree char *start = NULL;
        json_auto_t *p1 = NULL;
        json_auto_t *p2 = NULL;
        json_auto_t *all = NULL;
        int64_t rev;
        bool excl;

        kl_apiserver__cache_init(&c, "/registry/configmaps/", 1);
        put(&c, "default", "c", 2, "x");
        put(&c, "default", "a", 3, "x");
        put(&c, "default", "b", 4, "y");
        put(&c, "other", "a", 5, "x");

        p1 = page(&c, &(struct kl_apiserver__page){
                              .rev = 5, .prefix = "/registry/configmaps/default/", .limit = 2 });
        cr_assert_eq(json_array_size(json_object_get(p1, "items")), 2);
        cr_expect_str_eq(item_name(p1, 0), "a");
        cr_expect_str_eq(item_name(p1, 1), "b");
        cr_expect_str_eq(meta_str(p1, "resourceVersion"), "5");
        cr_expect_eq(json_integer_value(json_object_get(json_object_get(p1, "metadata"),
                                                        "remainingItemCount")),
                     1);
        cr_assert_eq(
                kl_apiserver__continue_decode(meta_str(p1, "continue"), &rev, &start, &excl, NULL),
                0);
        cr_expect_eq(rev, 5);
        cr_expect_str_eq(start, "b");

        p2 = page(&c, &(struct kl_apiserver__page){ .rev = 5,
                                                    .prefix = "/registry/configmaps/default/",
                                                    .start = start,
                                                    .start_exclusive = excl,
                                                    .limit = 2 });
        cr_assert_eq(json_array_size(json_object_get(p2, "items")), 1);
        cr_expect_str_eq(item_name(p2, 0), "c");
        cr_expect_null(meta_str(p2, "continue"));
        cr_expect_null(json_object_get(json_object_get(p2, "metadata"), "remainingItemCount"));

        /* All namespaces: namespace, then name. */
        all = page(&c, &(struct kl_apiserver__page){ .rev = 5, .prefix = "/registry/configmaps/" });
        cr_assert_eq(json_array_size(json_object_get(all, "items")), 4);
        cr_expect_str_eq(item_name(all, 3), "a");
        cr_expect_str_eq(json_string_value(json_object_get(all, "kind")), "ConfigMapList");
        kl_apiserver__cache_release(&c);
}

Test(list_page, selectors_fill_the_limit_and_drop_the_count)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *ls = NULL;
        struct kl_apiserver__cache c;
        json_auto_t *p1 = NULL;

        kl_apiserver__cache_init(&c, "/registry/configmaps/", 1);
        put(&c, "default", "a", 2, "x");
        put(&c, "default", "b", 3, "y");
        put(&c, "default", "c", 4, "x");
        put(&c, "default", "d", 5, "x");
        cr_assert_eq(kl_api_label_selector_parse("app=x", &ls, NULL), 0);

        p1 = page(&c, &(struct kl_apiserver__page){ .rev = 5,
                                                    .prefix = "/registry/configmaps/default/",
                                                    .limit = 2,
                                                    .ls = ls });
        cr_assert_eq(json_array_size(json_object_get(p1, "items")), 2);
        cr_expect_str_eq(item_name(p1, 0), "a");
        cr_expect_str_eq(item_name(p1, 1), "c");
        cr_expect_not_null(meta_str(p1, "continue"));
        cr_expect_null(json_object_get(json_object_get(p1, "metadata"), "remainingItemCount"));
        kl_apiserver__cache_release(&c);
}

Test(obj_text, splices_the_resource_version_into_metadata)
{
        static const char *const cases[][2] = {
                { "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"x\":\"}\\\"{\"}}",
                  "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"},"
                  "\"data\":{\"x\":\"}\\\"{\"}}" },
                { "{\"a\":[1,{\"metadata\":{}}],\"metadata\":{}}",
                  "{\"a\":[1,{\"metadata\":{}}],\"metadata\":{\"resourceVersion\":\"42\"}}" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_apiserver__obj *o = kl_apiserver__obj_new(
                        "/registry/configmaps/d/a", cases[i][0], strlen(cases[i][0]), 42, 1);
                kl_autobuf struct kl_buf out = KL_BUF_INIT;

                cr_expect_eq(kl_apiserver__obj_append_json(o, &out), 0, "%s", cases[i][0]);
                cr_expect_str_eq(out.buf, cases[i][1]);
                kl_apiserver__obj_unref(o);
        }
}

Test(obj_text, refuses_what_it_cannot_splice)
{
        static const char *const cases[] = {
                "{\"kind\":\"X\"}",
                "[]",
                "{\"metadata\":{\"resourceVersion\":\"1\"}}",
                "{\"metadata\":\"x\"}",
                "{\"metadata\":{\"name\":\"a\"",
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_apiserver__obj *o = kl_apiserver__obj_new(
                        "/registry/configmaps/d/a", cases[i], strlen(cases[i]), 42, 1);
                kl_autobuf struct kl_buf out = KL_BUF_INIT;

                cr_expect_lt(kl_apiserver__obj_append_json(o, &out), 0, "%s", cases[i]);
                kl_apiserver__obj_unref(o);
        }
}

struct rec {
        struct kl_apiserver__cache_watcher cw;
        int64_t revs[8];
        int types[8];
        size_t n;
};

static void on_event(struct kl_apiserver__cache_watcher *cw, const struct kl_apiserver__event *ev,
                     struct kl_apiserver__event_json *ej)
{
        struct rec *r = kl_container_of(cw, struct rec, cw);

        cr_assert_not_null(kl_apiserver__event_obj(ej));
        if (r->n < KL_ARRAY_SIZE(r->revs)) {
                r->revs[r->n] = ev->rev;
                r->types[r->n] = ev->type;
        }
        r->n++;
}

Test(cache, replays_the_window_then_follows)
{
        struct kl_apiserver__cache c;
        struct rec r = { .cw.fn = on_event };

        kl_apiserver__cache_init(&c, "/registry/configmaps/", 1);
        put(&c, "default", "a", 2, "x");
        put(&c, "default", "a", 3, "y");
        cr_assert_eq(kl_apiserver__cache_watch(&c, &r.cw, 2), 0);
        cr_expect_eq(r.n, 1);
        cr_expect_eq(r.revs[0], 3);
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_DELETE, "/registry/configmaps/default/a",
                                  NULL, 0, 4, 0);
        cr_assert_eq(r.n, 2);
        cr_expect_eq(r.revs[1], 4);
        cr_expect_eq(r.types[1], KL_APISERVER_CHANGE_DELETE);
        cr_expect_eq(c.n, 0);
        kl_apiserver__cache_unwatch(&c, &r.cw);
        put(&c, "default", "b", 5, "x");
        cr_expect_eq(r.n, 2);
        kl_apiserver__cache_release(&c);
}

/* Upstream's DELETED event carries the object's last state at the revision of the delete. */
static void on_deleted(struct kl_apiserver__cache_watcher *cw, const struct kl_apiserver__event *ev,
                       struct kl_apiserver__event_json *ej)
{
        struct rec *r = kl_container_of(cw, struct rec, cw);
        const json_t *obj = kl_apiserver__event_obj(ej);
        const json_t *prev = kl_apiserver__event_prev(ej);

        r->n++;
        cr_assert_eq(ev->type, KL_APISERVER_CHANGE_DELETE);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(obj, "metadata"),
                                                           "resourceVersion")),
                         "7");
        cr_expect_str_eq(
                json_string_value(json_object_get(
                        json_object_get(json_object_get(obj, "metadata"), "labels"), "app")),
                "last");
        cr_assert_not_null(prev);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(prev, "metadata"),
                                                           "resourceVersion")),
                         "6");
}

Test(cache, deleted_event_carries_the_last_state_at_the_delete_revision)
{
        struct kl_apiserver__cache c;
        struct rec r = { .cw.fn = on_deleted };
        const struct kl_apiserver__event *ev;

        kl_apiserver__cache_init(&c, "/registry/configmaps/", 1);
        put(&c, "default", "a", 5, "first");
        put(&c, "default", "a", 6, "last");
        cr_assert_eq(kl_apiserver__cache_watch(&c, &r.cw, 6), 0);
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_DELETE, "/registry/configmaps/default/a",
                                  NULL, 0, 7, 0);
        cr_expect_eq(r.n, 1);
        kl_apiserver__cache_unwatch(&c, &r.cw);
        /* The event's object shares the bytes of the state it ends; the key is the same. */
        ev = &c.ring[(c.ring_head + c.ring_len - 1) % KL_APISERVER_WINDOW];
        cr_assert_not_null(ev->prev);
        cr_expect_eq(ev->obj->data, ev->prev->data);
        cr_expect_eq(ev->obj->len, ev->prev->len);
        cr_expect_str_eq(ev->obj->key, "/registry/configmaps/default/a");
        cr_expect_eq(ev->obj->mod_rev, 7);
        cr_expect_eq(ev->obj->create_rev, ev->prev->create_rev);
        /* A late watcher replays it from the window the same way. */
        r.n = 0;
        cr_assert_eq(kl_apiserver__cache_watch(&c, &r.cw, 6), 0);
        cr_expect_eq(r.n, 1);
        kl_apiserver__cache_unwatch(&c, &r.cw);
        kl_apiserver__cache_release(&c);
}

/* Keeps the object of the last event (a reference) for the test to look at. */
struct keep {
        struct kl_apiserver__cache_watcher cw;
        json_t *obj;
        unsigned n;
};

static void on_keep(struct kl_apiserver__cache_watcher *cw, const struct kl_apiserver__event *ev,
                    struct kl_apiserver__event_json *ej)
{
        struct keep *k = kl_container_of(cw, struct keep, cw);

        (void)ev;
        json_decref(k->obj);
        k->obj = json_incref((json_t *)kl_apiserver__event_obj(ej));
        k->n++;
}

static const char *label_of(const json_t *obj)
{
        return json_string_value(json_object_get(
                json_object_get(json_object_get(obj, "metadata"), "labels"), "app"));
}

static const char *rv_of(const json_t *obj)
{
        return json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

/*
 * A writer's offered tree stands for the decode of the bytes it encodes to:
 * the watcher gets a copy with the resourceVersion set, sharing the rest,
 * and the offered tree is left as it was. Bytes that differ (another write
 * won), a delete, or a newer offer of the key mean the offer is dropped and
 * the bytes are decoded; the offers are bounded.
 */
Test(cache, an_offered_tree_stands_for_the_decode_of_the_same_bytes)
{
        static const char *const fmt = "{\"apiVersion\":\"v1\",\"data\":{\"k\":\"v\"},"
                                       "\"kind\":\"ConfigMap\",\"metadata\":{\"labels\":{"
                                       "\"app\":\"%s\"},\"name\":\"a\",\"namespace\":"
                                       "\"default\"}}";
        const char *key = "/registry/configmaps/default/a";
        struct kl_apiserver__cache c;
        struct keep k = { .cw.fn = on_keep };
        kl_autofree char *x = kl_asprintf(fmt, "x");
        kl_autofree char *y = kl_asprintf(fmt, "y");
        kl_autofree char *z = kl_asprintf(fmt, "z");
        json_t *tree = json_loads(x, 0, NULL);

        cr_assert_not_null(tree);
        kl_apiserver__cache_init(&c, "/registry/configmaps/", 1);
        cr_assert_eq(kl_apiserver__cache_watch(&c, &k.cw, 1), 0);

        /* The same bytes: the offered tree, copied where the resourceVersion goes. */
        kl_apiserver__cache_offer(&c, key, x, strlen(x), json_incref(tree));
        cr_expect_eq(c.n_offers, 1);
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_PUT, key, x, strlen(x), 5, 5);
        cr_assert_eq(k.n, 1);
        cr_expect_eq(c.n_offers, 0);
        cr_expect_neq(k.obj, tree);
        cr_expect_eq(json_object_get(k.obj, "data"), json_object_get(tree, "data"));
        cr_expect_str_eq(rv_of(k.obj), "5");
        cr_expect_null(rv_of(tree), "the offered tree is not written to");
        cr_expect_str_eq(label_of(k.obj), "x");

        /* Other bytes landed: decoded, and the offer is gone. */
        kl_apiserver__cache_offer(&c, key, y, strlen(y), json_incref(tree));
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_PUT, key, z, strlen(z), 6, 5);
        cr_assert_eq(k.n, 2);
        cr_expect_eq(c.n_offers, 0);
        cr_expect_str_eq(label_of(k.obj), "z");
        cr_expect_str_eq(rv_of(k.obj), "6");
        cr_expect_neq(json_object_get(k.obj, "data"), json_object_get(tree, "data"));

        /* A newer offer of the key replaces the older one. */
        kl_apiserver__cache_offer(&c, key, x, strlen(x), json_incref(tree));
        kl_apiserver__cache_offer(&c, key, y, strlen(y), json_loads(y, 0, NULL));
        cr_expect_eq(c.n_offers, 1);
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_PUT, key, y, strlen(y), 7, 5);
        cr_expect_str_eq(label_of(k.obj), "y");
        cr_expect_str_eq(rv_of(k.obj), "7");

        /* A delete drops the key's offer; the event carries the last state. */
        kl_apiserver__cache_offer(&c, key, x, strlen(x), json_incref(tree));
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_DELETE, key, NULL, 0, 8, 0);
        cr_expect_eq(c.n_offers, 0);
        cr_expect_str_eq(label_of(k.obj), "y");
        cr_expect_str_eq(rv_of(k.obj), "8");

        /* Bounded: offers never matched (failed writes) do not pile up. */
        for (unsigned i = 0; i < KL_APISERVER_OFFERS_MAX + 10; i++) {
                kl_autofree char *kk = kl_asprintf("/registry/configmaps/default/n%u", i);

                kl_apiserver__cache_offer(&c, kk, x, strlen(x), json_incref(tree));
        }
        cr_expect_eq(c.n_offers, KL_APISERVER_OFFERS_MAX);
        cr_expect_eq(tree->refcount, 1 + KL_APISERVER_OFFERS_MAX);

        /* Without watchers the matching change only drops its offer. */
        kl_apiserver__cache_unwatch(&c, &k.cw);
        kl_apiserver__cache_apply(&c, KL_APISERVER_CHANGE_PUT, "/registry/configmaps/default/n20",
                                  x, strlen(x), 9, 9);
        cr_expect_eq(c.n_offers, KL_APISERVER_OFFERS_MAX - 1);
        cr_expect_eq(k.n, 4);
        json_decref(k.obj);
        kl_apiserver__cache_release(&c);
        cr_expect_eq(tree->refcount, 1);
        json_decref(tree);
}

Test(cache, window_eviction_expires_old_watches)
{
        struct kl_apiserver__cache c;
        struct rec r = { .cw.fn = on_event };

        kl_apiserver__cache_init(&c, "/registry/configmaps/", 1);
        for (int64_t rev = 2; rev < 2 + (int64_t)KL_APISERVER_WINDOW + 10; rev++)
                put(&c, "default", "a", rev, "x");
        cr_expect_gt(c.window_rev, 1);
        cr_expect_eq(kl_apiserver__cache_watch(&c, &r.cw, 1), -KL_EEXPIRED);
        cr_expect_eq(kl_apiserver__cache_watch(&c, &r.cw, c.window_rev), 0);
        cr_expect_eq(r.n, KL_APISERVER_WINDOW); /* everything after the window's start */
        kl_apiserver__cache_unwatch(&c, &r.cw);
        kl_apiserver__cache_release(&c);
}

Test(cache, stands_for_a_revision_only_when_nothing_newer_changed)
{
        struct kl_apiserver__cache c;

        kl_apiserver__cache_init(&c, "/registry/configmaps/", 10);
        /* No events: the content is that of any revision from the window on. */
        cr_expect(kl_apiserver__cache_is_at(&c, 12, 10));
        cr_expect(kl_apiserver__cache_is_at(&c, 12, 12));
        cr_expect_not(kl_apiserver__cache_is_at(&c, 12, 13));
        put(&c, "default", "a", 15, "x");
        cr_expect_not(kl_apiserver__cache_is_at(&c, 20, 14));
        cr_expect(kl_apiserver__cache_is_at(&c, 20, 15));
        cr_expect(kl_apiserver__cache_is_at(&c, 20, 20));
        kl_apiserver__cache_release(&c);
}
