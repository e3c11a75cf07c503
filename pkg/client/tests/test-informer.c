/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Informers against a real in-process API server on a loop: the initial
 * list (synced), add/update/delete handlers after the store holds the
 * change, the built-in and custom indexes with results sorted by key, and
 * the relist after a watch that resumes from a resourceVersion the server's
 * window no longer covers (a real 410 Expired from the watch cache).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/tests/support/testenv.h"
#include "client/client-internal.h"
#include "loop/loop.h"

struct env {
        struct kl_testenv t;
        const struct kl_api_resource *pods, *cms;
};

static void env_start(struct env *e)
{
        const struct kl_testenv_options to = { .user = "system:kube-controller-manager" };

        kl_testenv_start(&e->t, &to);
        e->pods = kl_api_resource_find("", "v1", "pods");
        e->cms = kl_api_resource_find("", "v1", "configmaps");
}

static void env_stop(struct env *e)
{
        kl_testenv_stop(&e->t);
}

struct wait {
        unsigned want, done;
        int last_r;
        char msg[256];
};

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct wait *w = arg;

        (void)obj;
        w->done++;
        w->last_r = r;
        cr_expect_geq(r, 0, "write: %s", kl_err_msg(err));
}

static void wait_all(struct env *e, struct wait *w)
{
        for (int i = 0; i < 1000000 && w->done < w->want; i++)
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        cr_assert_eq(w->done, w->want);
}

static json_t *pod(const char *ns, const char *name, const char *app, const char *node,
                   const char *owner_uid)
{
        json_t *p = json_pack("{sssss{ssss}s{s[{ssss}]}}", "apiVersion", "v1", "kind", "Pod",
                              "metadata", "name", name, "namespace", ns, "spec", "containers",
                              "name", "c", "image", "busybox");

        if (app)
                (void)json_object_set_new(json_object_get(p, "metadata"), "labels",
                                          json_pack("{ssss}", "app", app, "tier", "x"));
        if (node)
                (void)json_object_set_new(json_object_get(p, "spec"), "nodeName",
                                          json_string(node));
        if (owner_uid)
                (void)json_object_set_new(json_object_get(p, "metadata"), "ownerReferences",
                                          json_pack("[{ssssssss}]", "apiVersion", "apps/v1", "kind",
                                                    "ReplicaSet", "name", "rs", "uid", owner_uid));
        return p;
}

static json_t *cm(const char *ns, const char *name, const char *value)
{
        return json_pack("{sssss{ssss}s{ss}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
                         "name", name, "namespace", ns, "data", "v", value);
}

/* What the handlers saw, in order: "+ns/name", "~ns/name", "-ns/name". */
struct seen {
        struct kl_informer *inf;
        char log[4096];
        unsigned adds, updates, deletes;
        bool synced;
};

static void note(struct seen *s, char op, const json_t *obj)
{
        kl_autofree char *key = kl_client_key(obj);
        size_t len = strlen(s->log);

        (void)snprintf(s->log + len, sizeof(s->log) - len, "%s%c%s", len ? " " : "", op, key);
}

static void h_add(void *arg, const json_t *obj)
{
        struct seen *s = arg;
        kl_autofree char *key = kl_client_key(obj);

        /* Handlers run after the store holds the change. */
        cr_expect_eq(kl_informer_get_key(s->inf, key), obj);
        s->adds++;
        note(s, '+', obj);
}

static void h_update(void *arg, const json_t *old, const json_t *obj)
{
        struct seen *s = arg;
        kl_autofree char *key = kl_client_key(obj);

        cr_expect_eq(kl_informer_get_key(s->inf, key), obj);
        cr_expect_neq(old, obj);
        s->updates++;
        note(s, '~', obj);
}

static void h_delete(void *arg, const json_t *obj)
{
        struct seen *s = arg;
        kl_autofree char *key = kl_client_key(obj);

        cr_expect_null(kl_informer_get_key(s->inf, key));
        s->deletes++;
        note(s, '-', obj);
}

static void h_synced(void *arg)
{
        ((struct seen *)arg)->synced = true;
}

static struct kl_informer *informer(struct env *e, const struct kl_api_resource *res,
                                    const char *ns, struct seen *s)
{
        struct kl_informer_handler h = {
                .on_add = h_add, .on_update = h_update, .on_delete = h_delete, .arg = s
        };
        struct kl_informer *inf = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_informer_new(e->t.client, res, ns, NULL, NULL, &inf, &err), 0);
        s->inf = inf;
        kl_informer_add_handler(inf, &h);
        kl_informer_on_synced(inf, h_synced, s);
        return inf;
}

static const char *names(const struct kl_objv *v, char *buf, size_t size)
{
        size_t o = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < v->n; i++) {
                kl_autofree char *key = kl_client_key(v->items[i]);

                o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " " : "", key);
        }
        return buf;
}

static void index_app(const json_t *obj, char ***values)
{
        const char *app = json_string_value(json_object_get(
                json_object_get(json_object_get(obj, "metadata"), "labels"), "app"));

        if (app)
                kl_strv_push(values, app);
}

Test(informer, sync_handlers_and_indexes)
{
        struct env e = { 0 };
        struct seen s = { 0 };
        struct wait w = { 0 };
        struct kl_objv v = { 0 };
        struct kl_informer *inf;
        char buf[512];
        const json_t *p;
        json_t *upd;

        env_start(&e);
        /* Made before the informer starts: they come with the list. */
        kl_client_create(e.t.client, e.pods, "default", pod("default", "web-b", "web", "n1", "u1"),
                         NULL, on_write, &w);
        kl_client_create(e.t.client, e.pods, "default", pod("default", "web-a", "web", "n2", "u1"),
                         NULL, on_write, &w);
        kl_client_create(e.t.client, e.pods, "kube-system",
                         pod("kube-system", "dns", "dns", "n1", NULL), NULL, on_write, &w);
        w.want = 3;
        wait_all(&e, &w);

        inf = informer(&e, e.pods, NULL, &s);
        kl_informer_add_index(inf, "app", index_app);
        cr_expect_not(kl_informer_synced(inf));
        cr_assert_eq(kl_informer_start(inf, NULL), 0);
        cr_expect_not(kl_informer_synced(inf), "synced from inside start()");
        kl_testenv_run_until(&e.t, &s.synced);
        cr_expect(kl_informer_synced(inf));
        cr_expect_eq(s.adds, 3);
        cr_expect_eq(kl_informer_count(inf), 3);
        cr_expect_eq(kl_informer_resource(inf), e.pods);

        kl_informer_list(inf, NULL, &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)),
                         "default/web-a default/web-b kube-system/dns");
        kl_informer_list(inf, "default", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a default/web-b");
        kl_informer_by_index(inf, KL_INDEX_NODE, "n1", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-b kube-system/dns");
        kl_informer_by_index(inf, KL_INDEX_OWNER, "u1", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a default/web-b");
        kl_informer_by_index(inf, KL_INDEX_LABEL, "app=web", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a default/web-b");
        kl_informer_by_index(inf, KL_INDEX_LABEL, "tier=x", &v);
        cr_expect_eq(v.n, 3);
        kl_informer_by_index(inf, "app", "dns", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "kube-system/dns");
        kl_informer_by_index(inf, "nope", "x", &v);
        cr_expect_eq(v.n, 0);
        p = kl_informer_get(inf, "default", "web-a");
        cr_assert_not_null(p);
        cr_expect_null(kl_informer_get(inf, "default", "nothing"));

        /* An update moves the object between index values. */
        upd = json_deep_copy(p);
        (void)json_object_set_new(json_object_get(upd, "metadata"), "labels",
                                  json_pack("{ss}", "app", "api"));
        w = (struct wait){ .want = 1 };
        kl_client_update(e.t.client, e.pods, "default", "web-a", NULL, upd, NULL, on_write, &w);
        wait_all(&e, &w);
        cr_expect_eq(s.updates, 1);
        kl_informer_by_index(inf, KL_INDEX_LABEL, "app=web", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-b");
        kl_informer_by_index(inf, KL_INDEX_LABEL, "app=api", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a");
        /* ... and keeps it under the values it still has. */
        kl_informer_by_index(inf, KL_INDEX_NAMESPACE, "default", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a default/web-b");
        kl_informer_by_index(inf, KL_INDEX_NODE, "n2", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a");
        kl_informer_by_index(inf, KL_INDEX_OWNER, "u1", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-a default/web-b");
        kl_informer_by_index(inf, "app", "web", &v);
        cr_expect_str_eq(names(&v, buf, sizeof(buf)), "default/web-b");
        cr_expect_null(json_object_get(
                json_object_get(
                        json_object_get(kl_informer_get(inf, "default", "web-a"), "metadata"),
                        "labels"),
                "tier"));

        /*
         * A delete (unbound pods go at once) leaves every index. One after the
         * other: deletes in flight together run on different workers and may
         * commit in either order, and the log below is in commit order.
         */
        w = (struct wait){ .want = 1 };
        kl_client_delete(e.t.client, e.pods, "kube-system", "dns",
                         json_pack("{si}", "gracePeriodSeconds", 0), NULL, on_write, &w);
        wait_all(&e, &w);
        w = (struct wait){ .want = 1 };
        kl_client_delete(e.t.client, e.pods, "default", "web-b",
                         json_pack("{si}", "gracePeriodSeconds", 0), NULL, on_write, &w);
        wait_all(&e, &w);
        cr_expect_eq(s.deletes, 2);
        cr_expect_eq(kl_informer_count(inf), 1);
        kl_informer_by_index(inf, KL_INDEX_NODE, "n1", &v);
        cr_expect_eq(v.n, 0);
        cr_expect_eq(kl_client__informer_index_size(inf, KL_INDEX_NODE), 1);
        cr_expect_eq(kl_client__informer_index_size(inf, KL_INDEX_OWNER), 1);
        cr_expect_eq(kl_client__informer_index_size(inf, KL_INDEX_NAMESPACE), 1);
        cr_expect_str_eq(s.log, "+default/web-a +default/web-b +kube-system/dns ~default/web-a "
                                "-kube-system/dns -default/web-b");

        kl_objv_clear(&v);
        kl_informer_free(inf);
        env_stop(&e);
}

Test(informer, namespaced_informer_and_bad_selector)
{
        struct env e = { 0 };
        struct seen s = { 0 };
        struct wait w = { .want = 2 };
        struct kl_informer *inf, *bad = NULL;
        struct kl_err *err = NULL;

        env_start(&e);
        cr_expect_eq(kl_informer_new(e.t.client, e.pods, NULL, "a in (", NULL, &bad, &err),
                     -EINVAL);
        cr_expect_null(bad);
        kl_err_free(err);
        err = NULL;
        cr_expect_eq(kl_informer_new(e.t.client, e.pods, NULL, NULL, "spec.nope=x", &bad, &err),
                     -EINVAL);
        kl_err_free(err);

        kl_client_create(e.t.client, e.cms, "default", cm("default", "a", "1"), NULL, on_write, &w);
        kl_client_create(e.t.client, e.cms, "kube-system", cm("kube-system", "b", "1"), NULL,
                         on_write, &w);
        wait_all(&e, &w);
        inf = informer(&e, e.cms, "default", &s);
        cr_assert_eq(kl_informer_start(inf, NULL), 0);
        kl_testenv_run_until(&e.t, &s.synced);
        /* kube-root-ca.crt and friends are not made here: just what the test wrote. */
        cr_expect_eq(kl_informer_count(inf), 1);
        cr_expect_not_null(kl_informer_get(inf, "default", "a"));
        w = (struct wait){ .want = 1 };
        kl_client_create(e.t.client, e.cms, "kube-system", cm("kube-system", "c", "1"), NULL,
                         on_write, &w);
        wait_all(&e, &w);
        cr_expect_eq(kl_informer_count(inf), 1);
        kl_informer_free(inf);
        env_stop(&e);
}

/*
 * The watch is dropped; while it is down the server's window moves past the
 * informer's resourceVersion (more than KL_APISERVER_WINDOW configmap
 * events), so watching again gets a real 410 and the informer relists:
 * vanished objects get on_delete, changed ones on_update, new ones on_add,
 * and it watches on from the new list.
 */
Test(informer, relist_after_410_reconciles)
{
        struct env e = { 0 };
        struct seen s = { 0 };
        struct wait w = { .want = 3 };
        struct kl_informer *inf;
        unsigned adds, updates, deletes;
        const json_t *keep;
        char name[32];

        env_start(&e);
        kl_client_create(e.t.client, e.cms, "default", cm("default", "keep", "1"), NULL, on_write,
                         &w);
        kl_client_create(e.t.client, e.cms, "default", cm("default", "same", "1"), NULL, on_write,
                         &w);
        kl_client_create(e.t.client, e.cms, "default", cm("default", "gone", "1"), NULL, on_write,
                         &w);
        wait_all(&e, &w);
        inf = informer(&e, e.cms, "default", &s);
        cr_assert_eq(kl_informer_start(inf, NULL), 0);
        kl_testenv_run_until(&e.t, &s.synced);
        cr_expect_eq(s.adds, 3);

        kl_client__informer_pause(inf);
        w = (struct wait){ .want = 3 + 1100 };
        kl_client_update(e.t.client, e.cms, "default", "keep", NULL, cm("default", "keep", "2"),
                         NULL, on_write, &w);
        kl_client_delete(e.t.client, e.cms, "default", "gone", NULL, NULL, on_write, &w);
        kl_client_create(e.t.client, e.cms, "default", cm("default", "new", "1"), NULL, on_write,
                         &w);
        for (int i = 0; i < 1100; i++) {
                (void)snprintf(name, sizeof(name), "filler-%d", i);
                kl_client_create(e.t.client, e.cms, "kube-system", cm("kube-system", name, "x"),
                                 NULL, on_write, &w);
        }
        wait_all(&e, &w);
        /* Nothing arrived while the watch was down. */
        cr_expect_eq(s.adds, 3);
        cr_expect_eq(s.updates, 0);
        cr_expect_eq(s.deletes, 0);

        kl_client__informer_resume(inf);
        for (int i = 0; i < 100000 && s.deletes == 0; i++)
                (void)kl_loop_run(&e.t.loop, UV_RUN_ONCE);
        adds = s.adds - 3;
        updates = s.updates;
        deletes = s.deletes;
        cr_expect_eq(adds, 1, "adds after relist: %s", s.log);
        cr_expect_eq(updates, 1, "updates after relist: %s", s.log);
        cr_expect_eq(deletes, 1, "deletes after relist: %s", s.log);
        cr_expect_str_eq(s.log, "+default/gone +default/keep +default/same ~default/keep "
                                "+default/new -default/gone");
        keep = kl_informer_get(inf, "default", "keep");
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(keep, "data"), "v")),
                         "2");
        cr_expect_eq(kl_informer_count(inf), 3);

        /* Watching again from the new list. */
        w = (struct wait){ .want = 1 };
        kl_client_create(e.t.client, e.cms, "default", cm("default", "after", "1"), NULL, on_write,
                         &w);
        wait_all(&e, &w);
        cr_expect_not_null(kl_informer_get(inf, "default", "after"));
        kl_informer_free(inf);
        env_stop(&e);
}

Test(informer, free_before_the_list_arrives)
{
        struct env e = { 0 };
        struct seen s = { 0 };
        struct kl_informer *inf;

        env_start(&e);
        inf = informer(&e, e.pods, NULL, &s);
        cr_assert_eq(kl_informer_start(inf, NULL), 0);
        kl_informer_free(inf);
        for (int i = 0; i < 10; i++)
                (void)kl_loop_run(&e.t.loop, UV_RUN_NOWAIT);
        cr_expect_not(s.synced);
        env_stop(&e);
}

Test(client, keys)
{
        json_auto_t *a = json_pack("{s{ssss}}", "metadata", "namespace", "ns", "name", "x");
        json_auto_t *b = json_pack("{s{ss}}", "metadata", "name", "node-1");
        kl_autofree char *ka = kl_client_key(a);
        kl_autofree char *kb = kl_client_key(b);
        char *ns = NULL, *name = NULL;

        cr_expect_str_eq(ka, "ns/x");
        cr_expect_str_eq(kb, "node-1");
        kl_client_key_split("ns/x", &ns, &name);
        cr_expect_str_eq(ns, "ns");
        cr_expect_str_eq(name, "x");
        free(ns);
        free(name);
        kl_client_key_split("node-1", &ns, &name);
        cr_expect_null(ns);
        cr_expect_str_eq(name, "node-1");
        free(name);
        /* (namespace, name) order, not byte order of the key. */
        cr_expect_lt(kl_client__key_cmp("a/z", "a-b/a"), 0);
        cr_expect_lt(kl_client__key_cmp("a/a", "a/b"), 0);
        cr_expect_eq(kl_client__key_cmp("a/a", "a/a"), 0);
        cr_expect_lt(kl_client__key_cmp("x", "y"), 0);
}
