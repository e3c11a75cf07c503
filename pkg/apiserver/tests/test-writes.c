/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handler layer's write path (handler.c, README.md "Where a write
 * runs"): creates and updates commit from the loop with the store's
 * asynchronous writes. What must hold as before: concurrent updates without
 * a resourceVersion all land (a lost race is retried), one with a stale
 * resourceVersion is upstream's 409, a no-op keeps the resourceVersion, a
 * second create of a name is 409 AlreadyExists, NamespaceLifecycle answers
 * 404/403, and writes in flight when the server closes still answer.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/patch.h"
#include "apiserver/apiserver-internal.h"
#include "loop/loop.h"
#include "testing/testing.h"

struct env {
        uv_loop_t loop;
        struct kl_apiserver *s;
        const struct kl_api_resource *cms, *nss;
};

struct result {
        bool done;
        int r;
        int status;
        int64_t rev;
        json_t *obj; /* owned */
        char msg[256];
};

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 100000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void env_start(struct env *e)
{
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1",
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_apiserver_new(&e->loop, &opts, &e->s, &err), 0, "%s", kl_err_msg(err));
        e->cms = kl_api_resource_find("", "v1", "configmaps");
        e->nss = kl_api_resource_find("", "v1", "namespaces");
}

static void env_stop(struct env *e)
{
        bool closed = false;

        kl_apiserver_close(e->s, 0, on_closed, &closed);
        run_until(&e->loop, &closed);
        cr_expect_eq(kl_loop_finish(&e->loop), 0);
}

static void on_write(void *arg, int r, const struct kl_apiserver_result *res,
                     const struct kl_err *err)
{
        struct result *out = arg;

        cr_expect_not(out->done, "write callback twice");
        out->done = true;
        out->r = r;
        if (res) {
                out->status = res->status;
                out->rev = res->rev;
                out->obj = res->obj ? json_deep_copy(res->obj) : NULL;
        }
        if (err)
                (void)snprintf(out->msg, sizeof(out->msg), "%s", kl_err_msg(err));
}

static void result_release(struct result *res)
{
        json_decref(res->obj);
        memset(res, 0, sizeof(*res));
}

static const struct kl_apiserver_write_opts opts_strict = {
        .field_manager = "test",
        .field_validation = KL_API_FIELD_VALIDATION_STRICT,
};

static json_t *configmap(const char *ns, const char *name)
{
        return json_pack("{sssss{ssss}s{ss}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
                         "name", name, "namespace", ns, "data", "k", "v");
}

static void create(struct env *e, const struct kl_api_resource *res, const char *ns, json_t *obj,
                   struct result *out)
{
        kl_apiserver_create(e->s, res, ns, obj, &opts_strict, on_write, out);
        cr_expect_not(out->done, "write callback from inside the call");
        run_until(&e->loop, &out->done);
}

static const char *rv_of(const json_t *obj)
{
        return json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

Test(writes, concurrent_unpinned_updates_all_land)
{
        enum {
                N = 24
        };
        struct env e;
        struct result created = { 0 }, got[N] = { { 0 } };
        json_t *final = NULL;
        struct kl_err *err = NULL;
        int64_t prev = 0;

        env_start(&e);
        create(&e, e.cms, "default", configmap("default", "shared"), &created);
        cr_assert_eq(created.r, 0, "%s", created.msg);
        cr_expect_eq(created.status, 201);
        cr_expect_gt(created.rev, 0);

        /* Every patch reads the same revision; all but one lose the race at least once. */
        for (int i = 0; i < N; i++) {
                char key[16];

                (void)snprintf(key, sizeof(key), "k%02d", i);
                kl_apiserver_patch(e.s, e.cms, "default", "shared", NULL, KL_API_PATCH_TYPE_MERGE,
                                   json_pack("{s{ss}}", "data", key, "x"), &opts_strict, on_write,
                                   &got[i]);
        }
        for (int i = 0; i < N; i++) {
                run_until(&e.loop, &got[i].done);
                cr_expect_eq(got[i].r, 0, "patch %d: %s", i, got[i].msg);
                cr_expect_eq(got[i].status, 200);
                cr_expect_gt(got[i].rev, created.rev);
        }
        /* One revision per write: no two patches were committed as one. */
        for (int i = 0; i < N; i++)
                for (int j = i + 1; j < N; j++)
                        cr_expect_neq(got[i].rev, got[j].rev);
        cr_assert_eq(kl_apiserver_get(e.s, e.cms, "default", "shared", &final, &err), 0, "%s",
                     kl_err_msg(err));
        cr_expect_eq(json_object_size(json_object_get(final, "data")), N + 1);
        for (int i = 0; i < N; i++) {
                int64_t v;

                cr_expect_eq(kl_parse_int64(rv_of(got[i].obj), &v), 0);
                cr_expect_eq(v, got[i].rev, "the answer carries its own revision");
                if (v > prev)
                        prev = v;
        }
        {
                int64_t v;

                cr_expect_eq(kl_parse_int64(rv_of(final), &v), 0);
                cr_expect_eq(v, prev, "the last write is what the cache holds");
        }
        json_decref(final);
        for (int i = 0; i < N; i++)
                result_release(&got[i]);
        result_release(&created);
        env_stop(&e);
}

Test(writes, stale_resource_version_is_a_conflict_and_noop_keeps_it)
{
        struct env e;
        struct result created = { 0 }, upd = { 0 }, stale = { 0 }, noop = { 0 };
        json_t *obj;

        env_start(&e);
        create(&e, e.cms, "default", configmap("default", "cm"), &created);
        cr_assert_eq(created.r, 0, "%s", created.msg);

        /* A real change moves the resourceVersion. */
        obj = json_deep_copy(created.obj);
        (void)json_object_set_new(json_object_get(obj, "data"), "k", json_string("w"));
        kl_apiserver_update(e.s, e.cms, "default", "cm", NULL, obj, &opts_strict, on_write, &upd);
        run_until(&e.loop, &upd.done);
        cr_assert_eq(upd.r, 0, "%s", upd.msg);
        cr_expect_eq(upd.status, 200);
        cr_expect_gt(upd.rev, created.rev);

        /* The first version's resourceVersion is stale now: 409, upstream's words. */
        obj = json_deep_copy(created.obj);
        (void)json_object_set_new(json_object_get(obj, "data"), "k", json_string("z"));
        kl_apiserver_update(e.s, e.cms, "default", "cm", NULL, obj, &opts_strict, on_write, &stale);
        run_until(&e.loop, &stale.done);
        cr_expect_eq(stale.r, -KL_ECONFLICT);
        cr_expect_str_eq(stale.msg,
                         "Operation cannot be fulfilled on configmaps \"cm\": the object has been "
                         "modified; please apply your changes to the latest version and try again");

        /* Writing back what is stored changes nothing, not even the resourceVersion. */
        kl_apiserver_update(e.s, e.cms, "default", "cm", NULL, json_deep_copy(upd.obj),
                            &opts_strict, on_write, &noop);
        run_until(&e.loop, &noop.done);
        cr_assert_eq(noop.r, 0, "%s", noop.msg);
        cr_expect_eq(noop.rev, 0);
        cr_expect_str_eq(rv_of(noop.obj), rv_of(upd.obj));

        result_release(&created);
        result_release(&upd);
        result_release(&stale);
        result_release(&noop);
        env_stop(&e);
}

Test(writes, create_conflicts_and_namespace_lifecycle)
{
        static const struct {
                const char *ns;
                int r;
                const char *msg;
        } cases[] = {
                { "default", -EEXIST, "configmaps \"dup\" already exists" },
                { "nowhere", -ENOENT, "namespaces \"nowhere\" not found" },
                { "going", -EACCES,
                  "configmaps \"dup\" is forbidden: unable to create new content in namespace "
                  "going because it is being terminated" },
        };
        struct env e;
        struct result first = { 0 }, ns = { 0 }, del = { 0 };

        env_start(&e);
        create(&e, e.cms, "default", configmap("default", "dup"), &first);
        cr_assert_eq(first.r, 0, "%s", first.msg);
        /* A namespace with content and a finalizer stays Terminating after its delete. */
        create(&e, e.nss, NULL, json_pack("{s{ss}}", "metadata", "name", "going"), &ns);
        cr_assert_eq(ns.r, 0, "%s", ns.msg);
        result_release(&ns);
        create(&e, e.cms, "going", configmap("going", "keep"), &ns);
        cr_assert_eq(ns.r, 0, "%s", ns.msg);
        result_release(&ns);
        kl_apiserver_patch(e.s, e.cms, "going", "keep", NULL, KL_API_PATCH_TYPE_MERGE,
                           json_pack("{s{s[s]}}", "metadata", "finalizers", "example.com/hold"),
                           &opts_strict, on_write, &ns);
        run_until(&e.loop, &ns.done);
        cr_assert_eq(ns.r, 0, "%s", ns.msg);
        kl_apiserver_delete(e.s, e.nss, NULL, "going", NULL, &opts_strict, on_write, &del);
        run_until(&e.loop, &del.done);
        cr_assert_eq(del.r, 0, "%s", del.msg);

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct result res = { 0 };

                create(&e, e.cms, cases[i].ns, configmap(cases[i].ns, "dup"), &res);
                cr_expect_eq(res.r, cases[i].r, "%s: %d %s", cases[i].ns, res.r, res.msg);
                cr_expect_str_eq(res.msg, cases[i].msg);
                result_release(&res);
        }
        result_release(&first);
        result_release(&ns);
        result_release(&del);
        env_stop(&e);
}

Test(writes, writes_in_flight_answer_when_the_server_closes)
{
        enum {
                N = 16
        };
        struct env e;
        struct result res[N] = { { 0 } };
        bool closed = false;

        env_start(&e);
        for (int i = 0; i < N; i++) {
                char name[16];

                (void)snprintf(name, sizeof(name), "c%02d", i);
                kl_apiserver_create(e.s, e.cms, "default", configmap("default", name), &opts_strict,
                                    on_write, &res[i]);
        }
        kl_apiserver_close(e.s, 0, on_closed, &closed);
        run_until(&e.loop, &closed);
        for (int i = 0; i < N; i++) {
                cr_expect(res[i].done, "create %d answered", i);
                /* Committed (201), or refused as the server shuts down (503). */
                cr_expect(res[i].r == 0 || res[i].r == -KL_EUNAVAILABLE, "create %d: %d %s", i,
                          res[i].r, res[i].msg);
                result_release(&res[i]);
        }
        cr_expect_eq(kl_loop_finish(&e.loop), 0);
}
