/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-process client (client.c) on a real server: results from the loop,
 * never from inside a call; each operation mapped to the handler layer
 * (pods/binding, /status, evictions, fieldManager defaulting to the user);
 * watch events mapped; the ordering guarantee (a write's callback runs only
 * once every informer on the server holds the change); and a client freed
 * with writes in flight.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/patch.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "client/client.h"
#include "loop/loop.h"

struct env {
        struct kl_testenv t;
        const struct kl_api_resource *pods, *cms;
};

static void env_start(struct env *e)
{
        const struct kl_testenv_options to = { .user = "system:kube-scheduler" };

        kl_testenv_start(&e->t, &to);
        e->pods = kl_api_resource_find("", "v1", "pods");
        e->cms = kl_api_resource_find("", "v1", "configmaps");
}

static void env_stop(struct env *e)
{
        kl_testenv_stop(&e->t);
}

struct result {
        bool done;
        bool in_call; /* set while the call that started it runs */
        int r;
        json_t *obj; /* owned */
        char msg[256];
};

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct result *res = arg;

        cr_expect_not(res->in_call, "write callback from inside the call");
        cr_expect_not(res->done, "write callback twice");
        res->done = true;
        res->r = r;
        res->obj = obj ? json_deep_copy(obj) : NULL;
        if (err)
                (void)snprintf(res->msg, sizeof(res->msg), "%s", kl_err_msg(err));
}

static void on_read(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct result *res = arg;

        cr_expect_not(res->in_call, "read callback from inside the call");
        res->done = true;
        res->r = r;
        res->obj = obj;
        if (err)
                (void)snprintf(res->msg, sizeof(res->msg), "%s", kl_err_msg(err));
}

static json_t *pod(const char *name)
{
        return json_pack("{sssss{ssss}s{s[{ssss}]}}", "apiVersion", "v1", "kind", "Pod", "metadata",
                         "name", name, "namespace", "default", "spec", "containers", "name", "c",
                         "image", "busybox");
}

static const char *rv_of(const json_t *obj)
{
        return json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

static void create_pod(struct env *e, const char *name)
{
        struct result res = { .in_call = true };

        kl_client_create(e->t.client, e->pods, "default", pod(name), NULL, on_write, &res);
        res.in_call = false;
        kl_testenv_run_until(&e->t, &res.done);
        cr_assert_eq(res.r, 0, "create %s: %s", name, res.msg);
        json_decref(res.obj);
}

Test(inproc, reads_and_writes_map_to_the_handler_layer)
{
        struct env e = { 0 };
        struct result res = { .in_call = true };
        json_auto_t *binding = NULL;
        const json_t *mf;

        env_start(&e);
        /* create: fieldManager defaults to the client's user. */
        kl_client_create(e.t.client, e.pods, "default", pod("a"), NULL, on_write, &res);
        res.in_call = false;
        kl_testenv_run_until(&e.t, &res.done);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        mf = json_array_get(json_object_get(json_object_get(res.obj, "metadata"), "managedFields"),
                            0);
        cr_expect_str_eq(json_string_value(json_object_get(mf, "manager")),
                         "system:kube-scheduler");
        json_decref(res.obj);

        /* get and list: from the loop, fresh. */
        res = (struct result){ .in_call = true };
        kl_client_get(e.t.client, e.pods, "default", "a", on_read, &res);
        res.in_call = false;
        cr_expect_not(res.done);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, 0);
        cr_expect_str_eq(
                json_string_value(json_object_get(json_object_get(res.obj, "metadata"), "name")),
                "a");
        json_decref(res.obj);
        res = (struct result){ .in_call = true };
        kl_client_get(e.t.client, e.pods, "default", "nope", on_read, &res);
        res.in_call = false;
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, -ENOENT);
        cr_expect_str_eq(res.msg, "pods \"nope\" not found");
        cr_expect_null(res.obj);
        res = (struct result){ .in_call = true };
        kl_client_list(e.t.client, e.pods, NULL, NULL, on_read, &res);
        res.in_call = false;
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, 0);
        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "kind")), "PodList");
        cr_expect_eq(json_array_size(json_object_get(res.obj, "items")), 1);
        json_decref(res.obj);

        /* pods/binding */
        binding = json_pack("{sssss{ss}s{ssss}}", "apiVersion", "v1", "kind", "Binding", "metadata",
                            "name", "a", "target", "kind", "Node", "name", "n1");
        res = (struct result){ .in_call = true };
        kl_client_update(e.t.client, e.pods, "default", "a", "binding", json_incref(binding), NULL,
                         on_write, &res);
        res.in_call = false;
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        res = (struct result){ 0 };
        kl_client_get(e.t.client, e.pods, "default", "a", on_read, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_str_eq(
                json_string_value(json_object_get(json_object_get(res.obj, "spec"), "nodeName")),
                "n1");
        json_decref(res.obj);
        res = (struct result){ 0 };
        kl_client_update(e.t.client, e.pods, "default", "a", "binding", json_incref(binding), NULL,
                         on_write, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, -KL_ECONFLICT, "%s", res.msg);

        /* status through a merge patch of the subresource */
        res = (struct result){ 0 };
        kl_client_patch(e.t.client, e.pods, "default", "a", "status", KL_API_PATCH_TYPE_MERGE,
                        json_pack("{s{ss}}", "status", "phase", "Running"), NULL, on_write, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_eq(
                json_string_value(json_object_get(json_object_get(res.obj, "status"), "phase")),
                "Running");
        json_decref(res.obj);

        /* eviction: a delete with the Eviction's deleteOptions */
        res = (struct result){ 0 };
        kl_client_update(e.t.client, e.pods, "default", "a", "eviction",
                         json_pack("{sssss{ss}s{si}}", "apiVersion", "policy/v1", "kind",
                                   "Eviction", "metadata", "name", "a", "deleteOptions",
                                   "gracePeriodSeconds", 0),
                         NULL, on_write, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        res = (struct result){ 0 };
        kl_client_get(e.t.client, e.pods, "default", "a", on_read, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, -ENOENT);

        /* dry run writes nothing */
        res = (struct result){ 0 };
        kl_client_create(e.t.client, e.pods, "default", pod("dry"),
                         &(struct kl_client_write_opts){ .dry_run = true, .field_manager = "x" },
                         on_write, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
        res = (struct result){ 0 };
        kl_client_get(e.t.client, e.pods, "default", "dry", on_read, &res);
        kl_testenv_run_until(&e.t, &res.done);
        cr_expect_eq(res.r, -ENOENT);
        env_stop(&e);
}

struct events {
        char log[1024];
        unsigned n;
        bool in_call;
};

static void on_event(struct kl_client_watch *w, enum kl_client_event_type t, const json_t *obj,
                     void *arg)
{
        static const char *const names[] = { "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR" };
        struct events *ev = arg;
        size_t len = strlen(ev->log);

        (void)w;
        cr_expect_not(ev->in_call);
        (void)snprintf(
                ev->log + len, sizeof(ev->log) - len, "%s%s:%s", len ? " " : "", names[t],
                json_string_value(json_object_get(json_object_get(obj, "metadata"), "name")));
        ev->n++;
}

Test(inproc, watch_events_are_mapped)
{
        struct env e = { 0 };
        struct events ev = { .in_call = true };
        struct kl_client_watch *w = NULL;
        struct kl_client_list_opts o = { .resource_version = "0" };
        struct result res = { 0 };

        env_start(&e);
        create_pod(&e, "one");
        cr_assert_eq(
                kl_client_watch_start(e.t.client, e.pods, "default", &o, on_event, &ev, &w, NULL),
                0);
        ev.in_call = false;
        create_pod(&e, "two");
        kl_client_patch(e.t.client, e.pods, "default", "two", NULL, KL_API_PATCH_TYPE_MERGE,
                        json_pack("{s{s{ss}}}", "metadata", "labels", "a", "b"), NULL, on_write,
                        &res);
        kl_testenv_run_until(&e.t, &res.done);
        json_decref(res.obj);
        res = (struct result){ 0 };
        kl_client_delete(e.t.client, e.pods, "default", "two", NULL, NULL, on_write, &res);
        kl_testenv_run_until(&e.t, &res.done);
        json_decref(res.obj);
        cr_expect_str_eq(ev.log, "ADDED:one ADDED:two MODIFIED:two DELETED:two");
        kl_client_watch_stop(e.t.client, w);
        /* A watch from a revision the window does not cover: one ERROR (410). */
        ev = (struct events){ 0 };
        o.resource_version = "1";
        for (int i = 0; i < 1100; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "cm-%d", i);
                kl_client_create(e.t.client, e.cms, "default",
                                 json_pack("{sssss{ss}}", "apiVersion", "v1", "kind", "ConfigMap",
                                           "metadata", "name", name),
                                 NULL, NULL, NULL);
        }
        create_pod(&e, "three");
        for (int i = 0; i < 100 && e.t.server->rev < 1100; i++)
                (void)kl_loop_run(&e.t.loop, UV_RUN_ONCE);
        cr_assert_eq(
                kl_client_watch_start(e.t.client, e.cms, "default", &o, on_event, &ev, &w, NULL),
                0);
        for (int i = 0; i < 100000 && ev.n == 0; i++)
                (void)kl_loop_run(&e.t.loop, UV_RUN_ONCE);
        cr_expect(strncmp(ev.log, "ERROR:", 6) == 0, "%s", ev.log);
        kl_client_watch_stop(e.t.client, w);
        env_stop(&e);
}

static void patch_labels(struct env *e, const char *name, json_t *labels)
{
        struct result res = { 0 };

        kl_client_patch(e->t.client, e->pods, "default", name, NULL, KL_API_PATCH_TYPE_MERGE,
                        json_pack("{s{so}}", "metadata", "labels", labels), NULL, on_write, &res);
        kl_testenv_run_until(&e->t, &res.done);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        json_decref(res.obj);
}

/*
 * Upstream's cacher: with a selector, an update is ADDED when the object
 * enters the selection, MODIFIED while it stays, and a DELETED carrying the
 * new state when it leaves; without one, every update of an existing object
 * is MODIFIED (the cache does not decode the previous state for such
 * watches, and must still tell the two apart).
 */
Test(inproc, selector_watches_see_objects_enter_and_leave)
{
        struct env e = { 0 };
        struct events all = { 0 }, lab = { 0 }, fld = { 0 }, other = { 0 };
        struct kl_client_watch *w[4] = { NULL };
        struct result res = { 0 };

        env_start(&e);
        cr_assert_eq(kl_client_watch_start(e.t.client, e.pods, "default",
                                           &(struct kl_client_list_opts){ .resource_version = "0" },
                                           on_event, &all, &w[0], NULL),
                     0);
        cr_assert_eq(
                kl_client_watch_start(e.t.client, e.pods, "default",
                                      &(struct kl_client_list_opts){ .resource_version = "0",
                                                                     .label_selector = "app=web" },
                                      on_event, &lab, &w[1], NULL),
                0);
        cr_assert_eq(kl_client_watch_start(
                             e.t.client, e.pods, NULL,
                             &(struct kl_client_list_opts){ .resource_version = "0",
                                                            .field_selector = "metadata.name=p" },
                             on_event, &fld, &w[2], NULL),
                     0);
        cr_assert_eq(kl_client_watch_start(e.t.client, e.pods, "kube-system",
                                           &(struct kl_client_list_opts){ .resource_version = "0" },
                                           on_event, &other, &w[3], NULL),
                     0);
        create_pod(&e, "p");
        create_pod(&e, "q");
        patch_labels(&e, "p", json_pack("{ss}", "app", "web")); /* enters */
        patch_labels(&e, "p", json_pack("{ss}", "tier", "x"));  /* stays */
        patch_labels(&e, "p", json_pack("{ss}", "app", "db"));  /* leaves */
        patch_labels(&e, "p", json_pack("{ss}", "app", "web")); /* enters again */
        patch_labels(&e, "q", json_pack("{ss}", "app", "web")); /* q enters */
        kl_client_delete(e.t.client, e.pods, "default", "p", NULL, NULL, on_write, &res);
        kl_testenv_run_until(&e.t, &res.done);
        json_decref(res.obj);
        cr_expect_str_eq(all.log, "ADDED:p ADDED:q MODIFIED:p MODIFIED:p MODIFIED:p MODIFIED:p "
                                  "MODIFIED:q DELETED:p");
        cr_expect_str_eq(lab.log, "ADDED:p MODIFIED:p DELETED:p ADDED:p ADDED:q DELETED:p");
        cr_expect_str_eq(fld.log, "ADDED:p MODIFIED:p MODIFIED:p MODIFIED:p MODIFIED:p DELETED:p");
        cr_expect_str_eq(other.log, "");
        for (size_t i = 0; i < KL_ARRAY_SIZE(w); i++)
                kl_client_watch_stop(e.t.client, w[i]);
        env_stop(&e);
}

/* ------------------------------------------------------------------------- */
/* The ordering guarantee */

struct order {
        struct kl_informer *inf[2];
        const char *name;
        int r;
        bool synced[2];
        bool done;
        bool deleted;
};

static void on_synced_0(void *arg)
{
        ((struct order *)arg)->synced[0] = true;
}

static void on_synced_1(void *arg)
{
        ((struct order *)arg)->synced[1] = true;
}

/* The write's callback: each informer must hold the object at this very resourceVersion. */
static void on_ordered_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct order *o = arg;

        o->done = true;
        o->r = r;
        cr_assert_eq(r, 0, "%s", kl_err_msg(err));
        for (int i = 0; i < 2; i++) {
                const json_t *have;

                if (!o->inf[i])
                        continue;
                have = kl_informer_get(o->inf[i], "default", o->name);
                if (o->deleted) {
                        cr_expect_null(have, "informer %d still has %s", i, o->name);
                        continue;
                }
                cr_assert_not_null(have, "informer %d does not have %s yet", i, o->name);
                cr_expect_str_eq(rv_of(have), rv_of(obj), "informer %d", i);
        }
}

static struct kl_informer *pod_informer(struct env *e, struct kl_client *c)
{
        struct kl_informer *inf = NULL;

        cr_assert_eq(kl_informer_new(c, e->pods, NULL, NULL, NULL, &inf, NULL), 0);
        return inf;
}

Test(inproc, write_callback_runs_after_every_informer_has_the_change)
{
        struct env e = { 0 };
        struct kl_client *other;
        struct order o = { 0 };

        env_start(&e);
        /* Two informers, one of them through another client of the same server. */
        other = kl_apiserver_client_new(e.t.server, "system:kube-controller-manager");
        o.inf[0] = pod_informer(&e, e.t.client);
        o.inf[1] = pod_informer(&e, other);
        kl_informer_on_synced(o.inf[0], on_synced_0, &o);
        kl_informer_on_synced(o.inf[1], on_synced_1, &o);
        cr_assert_eq(kl_informer_start(o.inf[0], NULL), 0);
        cr_assert_eq(kl_informer_start(o.inf[1], NULL), 0);
        kl_testenv_run_until(&e.t, &o.synced[0]);
        kl_testenv_run_until(&e.t, &o.synced[1]);

        /* create, update, status, delete: each callback sees both informers current. */
        o.name = "p1";
        kl_client_create(e.t.client, e.pods, "default", pod("p1"), NULL, on_ordered_write, &o);
        kl_testenv_run_until(&e.t, &o.done);
        o.done = false;
        kl_client_patch(other, e.pods, "default", "p1", NULL, KL_API_PATCH_TYPE_MERGE,
                        json_pack("{s{s{ss}}}", "metadata", "labels", "x", "y"), NULL,
                        on_ordered_write, &o);
        kl_testenv_run_until(&e.t, &o.done);
        o.done = false;
        kl_client_patch(e.t.client, e.pods, "default", "p1", "status", KL_API_PATCH_TYPE_MERGE,
                        json_pack("{s{ss}}", "status", "phase", "Running"), NULL, on_ordered_write,
                        &o);
        kl_testenv_run_until(&e.t, &o.done);
        o.done = false;
        o.deleted = true;
        kl_client_delete(e.t.client, e.pods, "default", "p1", NULL, NULL, on_ordered_write, &o);
        kl_testenv_run_until(&e.t, &o.done);

        kl_informer_free(o.inf[0]);
        kl_informer_free(o.inf[1]);
        kl_client_free(other);
        env_stop(&e);
}

/*
 * The holes the gate closes: a write finishing while an informer's list is
 * queued and its watch not yet linked to the cache. Both informers start in
 * the same turn as a burst of writes; every callback still finds its object.
 */
Test(inproc, ordering_holds_while_informers_start)
{
        struct env e = { 0 };
        struct order o[8];
        char names[8][32];

        env_start(&e);
        for (int round = 0; round < 4; round++) {
                struct kl_informer *inf = pod_informer(&e, e.t.client);

                cr_assert_eq(kl_informer_start(inf, NULL), 0);
                for (int i = 0; i < 8; i++) {
                        (void)snprintf(names[i], sizeof(names[i]), "r%d-p%d", round, i);
                        o[i] = (struct order){ .inf = { inf, NULL }, .name = names[i] };
                        kl_client_create(e.t.client, e.pods, "default", pod(names[i]), NULL,
                                         on_ordered_write, &o[i]);
                }
                for (int i = 0; i < 8; i++)
                        kl_testenv_run_until(&e.t, &o[i].done);
                kl_informer_free(inf);
        }
        env_stop(&e);
}

/*
 * The sharpest case: an informer started from inside a write's callback
 * while other writes have finished and wait to be reported. Its list is
 * queued and its watch not yet linked when the next callback is due; the
 * gate runs the list first and holds the writes until the watch is linked.
 */
struct burst {
        struct env *e;
        struct kl_informer *inf;
        unsigned done, checked;
};

struct burst_write {
        struct burst *b;
        char name[32];
};

static void on_burst_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct burst_write *bw = arg;
        struct burst *b = bw->b;

        cr_assert_eq(r, 0, "%s", kl_err_msg(err));
        b->done++;
        if (!b->inf) {
                b->inf = pod_informer(b->e, b->e->t.client);
                cr_assert_eq(kl_informer_start(b->inf, NULL), 0);
                return;
        }
        cr_assert_not_null(kl_informer_get(b->inf, "default", bw->name),
                           "the informer does not have %s yet", bw->name);
        cr_expect_str_eq(rv_of(kl_informer_get(b->inf, "default", bw->name)), rv_of(obj));
        b->checked++;
}

Test(inproc, ordering_holds_for_an_informer_started_in_a_write_callback)
{
        struct env e = { 0 };
        struct burst b = { .e = &e };
        struct burst_write bw[16];

        env_start(&e);
        for (int i = 0; i < 16; i++) {
                bw[i].b = &b;
                (void)snprintf(bw[i].name, sizeof(bw[i].name), "burst-%d", i);
                kl_client_create(e.t.client, e.pods, "default", pod(bw[i].name), NULL,
                                 on_burst_write, &bw[i]);
        }
        for (int i = 0; i < 100000 && b.done < 16; i++)
                (void)kl_loop_run(&e.t.loop, UV_RUN_ONCE);
        cr_assert_eq(b.done, 16);
        cr_expect_eq(b.checked, 15);
        kl_informer_free(b.inf);
        env_stop(&e);
}

/* ------------------------------------------------------------------------- */
/* Freeing */

struct cancel {
        unsigned calls, cancelled;
};

static void on_cancel(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct cancel *c = arg;

        (void)obj;
        (void)err;
        c->calls++;
        if (r == -ECANCELED)
                c->cancelled++;
}

static void on_cancel_read(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        (void)err;
        json_decref(obj);
        on_cancel(arg, r, NULL, NULL);
}

Test(inproc, free_with_writes_in_flight)
{
        struct env e = { 0 };
        struct kl_client *c2;
        struct cancel cc = { 0 };
        struct result res = { 0 };

        env_start(&e);
        c2 = kl_apiserver_client_new(e.t.server, "short-lived");
        for (int i = 0; i < 5; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "gone-%d", i);
                kl_client_create(c2, e.pods, "default", pod(name), NULL, on_cancel, &cc);
        }
        kl_client_get(c2, e.pods, "default", "x", on_cancel_read, &cc);
        cr_expect_eq(cc.calls, 0);
        kl_client_free(c2);
        /* Every callback ran, exactly once, during the free. */
        cr_expect_eq(cc.calls, 6);
        cr_expect_eq(cc.cancelled, 6);
        /* The server still finishes those writes; nothing touches the freed client. */
        for (int i = 0; i < 5; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "gone-%d", i);
                for (int k = 0; k < 100000; k++) {
                        res = (struct result){ 0 };
                        kl_client_get(e.t.client, e.pods, "default", name, on_read, &res);
                        kl_testenv_run_until(&e.t, &res.done);
                        json_decref(res.obj);
                        if (res.r == 0)
                                break;
                }
                cr_expect_eq(res.r, 0, "%s was not written", name);
        }
        cr_expect_eq(cc.calls, 6);
        env_stop(&e);
}
