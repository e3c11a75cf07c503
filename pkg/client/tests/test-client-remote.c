/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The remote client (client-remote.c) against a real API server on an
 * ephemeral port in the same process and loop, over HTTPS with the admin
 * client certificate (or a bearer token): CRUD and the query parameters,
 * upstream's error codes, the four patch types, watches, an informer on the
 * remote client, free with requests in flight, responses over the limit;
 * and the parsers (Status bodies, the watch stream framing) table-driven.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "api/patch.h"
#include "apiserver/apiserver.h"
#include "client/client-internal.h"
#include "loop/loop.h"
#include "testing/testing.h"

struct env {
        uv_loop_t loop;
        struct kl_apiserver *s;
        struct kl_client *c;
        const struct kl_api_resource *cms, *pods, *deploys, *nodes;
        char *dir, *url, *ca, *cert, *key;
};

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 1000000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static char *tls_file(const struct env *e, const char *name)
{
        kl_autofree char *path = kl_asprintf("%s/server/tls/%s", e->dir, name);

        return kl_test_read_file(path);
}

static struct kl_client *remote_new(struct env *e, const struct kl_client_remote_options *extra)
{
        struct kl_client_remote_options o = { .server = e->url,
                                              .ca_pem = e->ca,
                                              .cert_pem = e->cert,
                                              .key_pem = e->key,
                                              .user = "system:kube-agent" };
        struct kl_client *c = NULL;
        struct kl_err *err = NULL;

        if (extra) {
                o.max_response = extra->max_response;
                o.max_event = extra->max_event;
                if (extra->token) {
                        o.token = extra->token;
                        o.cert_pem = o.key_pem = NULL;
                }
        }
        cr_assert_eq(kl_client_remote_new(&e->loop, &o, &c, &err), 0, "%s", kl_err_msg(err));
        return c;
}

static void env_start_with(struct env *e, const char *token_file)
{
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1",
                                             .token_file = token_file,
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_apiserver_new(&e->loop, &opts, &e->s, &err), 0, "%s", kl_err_msg(err));
        e->dir = kl_strdup(opts.data_dir);
        e->url = kl_asprintf("https://127.0.0.1:%d", kl_apiserver_port(e->s));
        e->ca = tls_file(e, "server-ca.crt");
        e->cert = tls_file(e, "client-admin.crt");
        e->key = tls_file(e, "client-admin.key");
        e->c = remote_new(e, NULL);
        e->cms = kl_api_resource_find("", "v1", "configmaps");
        e->pods = kl_api_resource_find("", "v1", "pods");
        e->deploys = kl_api_resource_find("apps", "v1", "deployments");
        e->nodes = kl_api_resource_find("", "v1", "nodes");
}

static void env_start(struct env *e)
{
        env_start_with(e, NULL);
}

static void env_stop(struct env *e)
{
        bool closed = false;

        kl_client_free(e->c);
        kl_apiserver_close(e->s, 0, on_closed, &closed);
        run_until(&e->loop, &closed);
        cr_expect_eq(kl_loop_finish(&e->loop), 0);
        free(e->dir);
        free(e->url);
        free(e->ca);
        free(e->cert);
        free(e->key);
}

struct result {
        bool done;
        bool in_call;
        unsigned calls;
        int r;
        json_t *obj; /* owned */
        char msg[512];
};

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct result *res = arg;

        cr_expect_not(res->in_call, "write callback from inside the call");
        res->calls++;
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
        res->calls++;
        res->done = true;
        res->r = r;
        res->obj = obj;
        if (err)
                (void)snprintf(res->msg, sizeof(res->msg), "%s", kl_err_msg(err));
}

static void result_clear(struct result *res)
{
        json_decref(res->obj);
        *res = (struct result){ 0 };
}

static json_t *cm(const char *name, const char *value)
{
        return json_pack("{sssss{ssss}s{ss}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
                         "name", name, "namespace", "default", "data", "k", value);
}

static const char *meta_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

static const char *data_k(const json_t *obj)
{
        return json_string_value(json_object_get(json_object_get(obj, "data"), "k"));
}

/* Run one write to completion; the result is the caller's to clear. */
#define WRITE(e, res, call)                          \
        do {                                         \
                (res)->in_call = true;               \
                call;                                \
                (res)->in_call = false;              \
                run_until(&(e)->loop, &(res)->done); \
        } while (0)

static void create_cm(struct env *e, const char *name, const char *value)
{
        struct result res = { 0 };

        WRITE(e, &res,
              kl_client_create(e->c, e->cms, "default", cm(name, value), NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "create %s: %s", name, res.msg);
        result_clear(&res);
}

static void get_cm(struct env *e, const char *name, struct result *res)
{
        *res = (struct result){ .in_call = true };
        kl_client_get(e->c, e->cms, "default", name, on_read, res);
        res->in_call = false;
        run_until(&e->loop, &res->done);
}

static void list(struct env *e, const struct kl_api_resource *r,
                 const struct kl_client_list_opts *o, struct result *res)
{
        *res = (struct result){ .in_call = true };
        kl_client_list(e->c, r, "default", o, on_read, res);
        res->in_call = false;
        run_until(&e->loop, &res->done);
}

Test(remote, crud_over_https)
{
        struct env e = { 0 };
        struct result res = { 0 };
        const json_t *mf;
        json_t *upd;

        env_start(&e);
        create_cm(&e, "a", "1");

        get_cm(&e, "a", &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_eq(data_k(res.obj), "1");
        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "kind")), "ConfigMap");
        /* The fieldManager defaults to the client's user. */
        mf = json_array_get(json_object_get(json_object_get(res.obj, "metadata"), "managedFields"),
                            0);
        cr_expect_str_eq(json_string_value(json_object_get(mf, "manager")), "system:kube-agent");

        /* Update (PUT) with the current resourceVersion. */
        upd = json_deep_copy(res.obj);
        (void)json_object_set_new(json_object_get(upd, "data"), "k", json_string("2"));
        result_clear(&res);
        WRITE(&e, &res,
              kl_client_update(e.c, e.cms, "default", "a", NULL, upd, NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_eq(data_k(res.obj), "2");
        result_clear(&res);

        /* dryRun=All: answered as if written, nothing stored. */
        {
                struct kl_client_write_opts wo = { .dry_run = true };

                WRITE(&e, &res,
                      kl_client_create(e.c, e.cms, "default", cm("dry", "x"), &wo, on_write, &res));
                cr_assert_eq(res.r, 0, "%s", res.msg);
                result_clear(&res);
                get_cm(&e, "dry", &res);
                cr_expect_eq(res.r, -ENOENT);
                result_clear(&res);
        }

        /* A list, and a delete answering with a Status (upstream: ConfigMaps do not return the
         * object). */
        create_cm(&e, "b", "1");
        list(&e, e.cms, NULL, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "kind")), "ConfigMapList");
        cr_expect_eq(json_array_size(json_object_get(res.obj, "items")), 2);
        cr_expect_not_null(meta_str(res.obj, "resourceVersion"));
        cr_expect_null(meta_str(res.obj, "continue"));
        result_clear(&res);

        WRITE(&e, &res, kl_client_delete(e.c, e.cms, "default", "a", NULL, NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_str_eq(json_string_value(json_object_get(res.obj, "status")), "Success");
        cr_expect_str_eq(
                json_string_value(json_object_get(json_object_get(res.obj, "details"), "name")),
                "a");
        result_clear(&res);
        get_cm(&e, "a", &res);
        cr_expect_eq(res.r, -ENOENT);
        result_clear(&res);
        env_stop(&e);
}

Test(remote, list_pages_with_limit_and_continue)
{
        struct env e = { 0 };
        struct result res = { 0 };
        struct kl_client_list_opts o = { .limit = 2 };
        kl_autofree char *token = NULL;
        static const char *const names[] = { "p1", "p2", "p3", "p4", "p5" };

        env_start(&e);
        for (size_t i = 0; i < KL_ARRAY_SIZE(names); i++)
                create_cm(&e, names[i], "v");
        list(&e, e.cms, &o, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_eq(json_array_size(json_object_get(res.obj, "items")), 2);
        cr_assert_not_null(meta_str(res.obj, "continue"));
        token = kl_strdup(meta_str(res.obj, "continue"));
        result_clear(&res);
        o.continue_token = token;
        o.limit = 10;
        list(&e, e.cms, &o, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_eq(json_array_size(json_object_get(res.obj, "items")), 3);
        cr_expect_str_eq(meta_str(json_array_get(json_object_get(res.obj, "items"), 0), "name"),
                         "p3");
        result_clear(&res);

        /* A label selector narrows, escaped in the query. */
        {
                struct kl_client_list_opts lo = { .label_selector = "app in (x,y)" };

                list(&e, e.cms, &lo, &res);
                cr_assert_eq(res.r, 0, "%s", res.msg);
                cr_expect_eq(json_array_size(json_object_get(res.obj, "items")), 0);
                result_clear(&res);
        }
        env_stop(&e);
}

Test(remote, list_without_limit_follows_continue_tokens)
{
        struct env e = { 0 };
        struct result res = { 0 };
        enum {
                N = 503
        };
        static struct result writes[N];
        bool all = false;

        env_start(&e);
        for (int i = 0; i < N; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "cm-%03d", i);
                writes[i] = (struct result){ 0 };
                kl_client_create(e.c, e.cms, "default", cm(name, "v"), NULL, on_write, &writes[i]);
        }
        while (!all) {
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
                all = true;
                for (int i = 0; i < N; i++)
                        all = all && writes[i].done;
        }
        for (int i = 0; i < N; i++) {
                cr_assert_eq(writes[i].r, 0, "%s", writes[i].msg);
                result_clear(&writes[i]);
        }
        list(&e, e.cms, NULL, &res);
        cr_assert_eq(res.r, 0, "%s", res.msg);
        cr_expect_eq(json_array_size(json_object_get(res.obj, "items")), N);
        cr_expect_null(meta_str(res.obj, "continue"));
        cr_expect_str_eq(meta_str(json_array_get(json_object_get(res.obj, "items"), N - 1), "name"),
                         "cm-502");
        result_clear(&res);
        env_stop(&e);
}

Test(remote, errors_map_to_codes_with_upstream_messages)
{
        struct env e = { 0 };
        struct result res = { 0 };
        json_t *stale;

        env_start(&e);
        get_cm(&e, "missing", &res);
        cr_expect_eq(res.r, -ENOENT);
        cr_expect_str_eq(res.msg, "configmaps \"missing\" not found");
        result_clear(&res);

        create_cm(&e, "a", "1");
        WRITE(&e, &res,
              kl_client_create(e.c, e.cms, "default", cm("a", "1"), NULL, on_write, &res));
        cr_expect_eq(res.r, -EEXIST, "%d %s", res.r, res.msg);
        cr_expect_str_eq(res.msg, "configmaps \"a\" already exists");
        result_clear(&res);

        /* A stale resourceVersion: 409 Conflict. */
        stale = cm("a", "3");
        (void)json_object_set_new(json_object_get(stale, "metadata"), "resourceVersion",
                                  json_string("1"));
        WRITE(&e, &res,
              kl_client_update(e.c, e.cms, "default", "a", NULL, stale, NULL, on_write, &res));
        cr_expect_eq(res.r, -KL_ECONFLICT, "%d %s", res.r, res.msg);
        cr_expect(strstr(res.msg, "the object has been modified") != NULL, "%s", res.msg);
        result_clear(&res);

        /* An invalid name: 422 Invalid. */
        WRITE(&e, &res,
              kl_client_create(e.c, e.cms, "default", cm("Not_Valid", "1"), NULL, on_write, &res));
        cr_expect_eq(res.r, -KL_EINVALID, "%d %s", res.r, res.msg);
        cr_expect(strstr(res.msg, "Not_Valid") != NULL, "%s", res.msg);
        result_clear(&res);

        /* Names are percent-encoded: a name with '/' and ' ' is one segment, not found. */
        get_cm(&e, "a/b c", &res);
        cr_expect_eq(res.r, -ENOENT, "%d %s", res.r, res.msg);
        result_clear(&res);

        /* Deleting what is gone. */
        WRITE(&e, &res,
              kl_client_delete(e.c, e.cms, "default", "gone", NULL, NULL, on_write, &res));
        cr_expect_eq(res.r, -ENOENT);
        result_clear(&res);
        env_stop(&e);
}

struct patch_case {
        const char *name;
        int type;
        const char *patch;
        const char *want_k;
};

Test(remote, patch_types_send_their_content_type)
{
        static const struct patch_case cases[] = {
                { "merge", KL_API_PATCH_TYPE_MERGE, "{\"data\":{\"k\":\"merge\"}}", "merge" },
                { "json", KL_API_PATCH_TYPE_JSON,
                  "[{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"json\"}]", "json" },
                { "strategic", KL_API_PATCH_TYPE_STRATEGIC, "{\"data\":{\"k\":\"smp\"}}", "smp" },
                { "apply", KL_API_PATCH_TYPE_APPLY_YAML,
                  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"p\","
                  "\"namespace\":\"default\"},\"data\":{\"k\":\"applied\"}}",
                  "applied" },
        };
        struct env e = { 0 };

        env_start(&e);
        create_cm(&e, "p", "0");
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_client_write_opts wo = { .field_manager = "tester" };
                struct result res = { 0 };
                json_t *patch = json_loads(cases[i].patch, 0, NULL);

                cr_assert_not_null(patch);
                WRITE(&e, &res,
                      kl_client_patch(e.c, e.cms, "default", "p", NULL, cases[i].type, patch, &wo,
                                      on_write, &res));
                if (cases[i].type == KL_API_PATCH_TYPE_APPLY_YAML) {
                        /*
                         * Server-side apply without force changing a field
                         * another manager owns (tester's Update): 409 with
                         * upstream's "Apply failed with 1 conflict".
                         */
                        cr_expect_eq(res.r, -KL_ECONFLICT, "%d %s", res.r, res.msg);
                        cr_expect(strstr(res.msg, "conflict") != NULL, "%s", res.msg);
                        result_clear(&res);
                        continue;
                }
                cr_assert_eq(res.r, 0, "%s: %s", cases[i].name, res.msg);
                cr_expect_str_eq(data_k(res.obj), cases[i].want_k, "%s", cases[i].name);
                result_clear(&res);
        }
        /* Apply of a new object with its own manager: created. */
        {
                struct kl_client_write_opts wo = { .field_manager = "applier" };
                struct result res = { 0 };
                json_t *patch = cm("applied-new", "v");

                WRITE(&e, &res,
                      kl_client_patch(e.c, e.cms, "default", "applied-new", NULL,
                                      KL_API_PATCH_TYPE_APPLY_YAML, patch, &wo, on_write, &res));
                cr_assert_eq(res.r, 0, "%s", res.msg);
                cr_expect_str_eq(data_k(res.obj), "v");
                result_clear(&res);
        }
        env_stop(&e);
}

struct watch_log {
        enum kl_client_event_type types[16];
        char names[16][32];
        size_t n;
        bool stop_on_error;
        struct kl_client *c;
        struct kl_client_watch *w;
        int error_code;
};

static void on_event(struct kl_client_watch *w, enum kl_client_event_type t, const json_t *obj,
                     void *arg)
{
        struct watch_log *log = arg;

        cr_assert_lt(log->n, KL_ARRAY_SIZE(log->types));
        log->types[log->n] = t;
        (void)snprintf(log->names[log->n], sizeof(log->names[0]), "%s",
                       t == KL_CLIENT_EVENT_ERROR ? "" : meta_str(obj, "name"));
        log->n++;
        if (t == KL_CLIENT_EVENT_ERROR) {
                log->error_code = (int)json_integer_value(json_object_get(obj, "code"));
                kl_client_watch_stop(log->c, w);
                log->w = NULL;
        }
}

static void run_until_events(struct env *e, struct watch_log *log, size_t n)
{
        for (int i = 0; i < 1000000 && log->n < n; i++)
                (void)kl_loop_run(&e->loop, UV_RUN_ONCE);
        cr_assert_geq(log->n, n);
}

Test(remote, watch_sees_create_modify_delete)
{
        struct env e = { 0 };
        struct watch_log log = { 0 };
        struct result res = { 0 };
        struct kl_err *err = NULL;
        json_t *patch;

        env_start(&e);
        create_cm(&e, "before", "1");
        log.c = e.c;
        /* No resourceVersion: ADDED for what exists first. */
        cr_assert_eq(
                kl_client_watch_start(e.c, e.cms, "default", NULL, on_event, &log, &log.w, &err), 0,
                "%s", kl_err_msg(err));
        cr_expect_eq(log.n, 0, "no event from inside the call");
        run_until_events(&e, &log, 1);
        cr_expect_eq(log.types[0], KL_CLIENT_EVENT_ADDED);
        cr_expect_str_eq(log.names[0], "before");

        create_cm(&e, "w", "1");
        patch = json_pack("{s{ss}}", "data", "k", "2");
        WRITE(&e, &res,
              kl_client_patch(e.c, e.cms, "default", "w", NULL, KL_API_PATCH_TYPE_MERGE, patch,
                              NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        WRITE(&e, &res, kl_client_delete(e.c, e.cms, "default", "w", NULL, NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        run_until_events(&e, &log, 4);
        cr_expect_eq(log.types[1], KL_CLIENT_EVENT_ADDED);
        cr_expect_eq(log.types[2], KL_CLIENT_EVENT_MODIFIED);
        cr_expect_eq(log.types[3], KL_CLIENT_EVENT_DELETED);
        for (size_t i = 1; i < 4; i++)
                cr_expect_str_eq(log.names[i], "w");
        kl_client_watch_stop(e.c, log.w);
        env_stop(&e);
}

Test(remote, watch_from_a_compacted_version_ends_with_410)
{
        struct env e = { 0 };
        struct watch_log log = { 0 };
        struct kl_client_list_opts o = { .resource_version = "1" };
        struct kl_err *err = NULL;

        env_start(&e);
        /* More changes than the watch cache's window keeps (README: 1024 events). */
        for (int i = 0; i < 1100; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "c-%04d", i);
                kl_client_create(e.c, e.cms, "default", cm(name, "v"), NULL, NULL, NULL);
        }
        {
                /* Wait for the writes: a get of the last one succeeds. */
                struct result res = { 0 };

                for (int tries = 0; tries < 100000; tries++) {
                        get_cm(&e, "c-1099", &res);
                        if (res.r == 0)
                                break;
                        result_clear(&res);
                }
                cr_assert_eq(res.r, 0);
                result_clear(&res);
        }
        log.c = e.c;
        cr_assert_eq(kl_client_watch_start(e.c, e.cms, "default", &o, on_event, &log, &log.w, &err),
                     0, "%s", kl_err_msg(err));
        run_until_events(&e, &log, 1);
        cr_expect_eq(log.types[log.n - 1], KL_CLIENT_EVENT_ERROR);
        cr_expect_eq(log.error_code, 410);
        cr_expect_null(log.w, "stopped from its callback");
        env_stop(&e);
}

struct inf_log {
        unsigned adds, updates, deletes;
        bool synced;
};

static void inf_add(void *arg, const json_t *obj)
{
        (void)obj;
        ((struct inf_log *)arg)->adds++;
}

static void inf_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        (void)obj;
        ((struct inf_log *)arg)->updates++;
}

static void inf_delete(void *arg, const json_t *obj)
{
        (void)obj;
        ((struct inf_log *)arg)->deletes++;
}

static void inf_synced(void *arg)
{
        ((struct inf_log *)arg)->synced = true;
}

Test(remote, informer_syncs_and_follows_changes)
{
        struct env e = { 0 };
        struct inf_log log = { 0 };
        struct kl_informer_handler h = {
                .on_add = inf_add, .on_update = inf_update, .on_delete = inf_delete, .arg = &log
        };
        struct kl_informer *inf = NULL;
        struct result res = { 0 };
        struct kl_err *err = NULL;
        json_t *patch;

        env_start(&e);
        create_cm(&e, "one", "1");
        create_cm(&e, "two", "1");
        cr_assert_eq(kl_informer_new(e.c, e.cms, "default", NULL, NULL, &inf, &err), 0, "%s",
                     kl_err_msg(err));
        kl_informer_add_handler(inf, &h);
        kl_informer_on_synced(inf, inf_synced, &log);
        cr_assert_eq(kl_informer_start(inf, &err), 0);
        run_until(&e.loop, &log.synced);
        cr_expect_eq(kl_informer_count(inf), 2);
        cr_expect_eq(log.adds, 2);

        create_cm(&e, "three", "1");
        patch = json_pack("{s{ss}}", "data", "k", "9");
        WRITE(&e, &res,
              kl_client_patch(e.c, e.cms, "default", "one", NULL, KL_API_PATCH_TYPE_MERGE, patch,
                              NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        WRITE(&e, &res, kl_client_delete(e.c, e.cms, "default", "two", NULL, NULL, on_write, &res));
        cr_assert_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        /* Over the network the informer follows after the write's answer: wait for it. */
        for (int i = 0; i < 1000000 && (log.adds < 3 || log.updates < 1 || log.deletes < 1); i++)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(log.adds, 3);
        cr_expect_eq(log.updates, 1);
        cr_expect_eq(log.deletes, 1);
        cr_expect_eq(kl_informer_count(inf), 2);
        cr_expect_str_eq(data_k(kl_informer_get(inf, "default", "one")), "9");
        cr_expect_null(kl_informer_get(inf, "default", "two"));
        cr_expect_not_null(kl_informer_get(inf, "default", "three"));

        /* A dropped watch: the informer watches again from the last version seen. */
        kl_client__informer_pause(inf);
        create_cm(&e, "four", "1");
        kl_client__informer_resume(inf);
        for (int i = 0; i < 1000000 && log.adds < 4; i++)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(log.adds, 4);
        cr_expect_not_null(kl_informer_get(inf, "default", "four"));

        kl_informer_free(inf);
        env_stop(&e);
}

Test(remote, free_with_requests_in_flight_cancels_each_once)
{
        struct env e = { 0 };
        struct result rs[4] = { 0 };
        struct watch_log log = { 0 };
        struct kl_err *err = NULL;
        bool closed = false;

        env_start(&e);
        log.c = e.c;
        kl_client_create(e.c, e.cms, "default", cm("x", "1"), NULL, on_write, &rs[0]);
        kl_client_get(e.c, e.cms, "default", "x", on_read, &rs[1]);
        kl_client_list(e.c, e.cms, "default", NULL, on_read, &rs[2]);
        kl_client_delete(e.c, e.cms, "default", "y", NULL, NULL, on_write, &rs[3]);
        cr_assert_eq(
                kl_client_watch_start(e.c, e.cms, "default", NULL, on_event, &log, &log.w, &err),
                0);
        kl_client_free(e.c);
        e.c = NULL;
        for (size_t i = 0; i < KL_ARRAY_SIZE(rs); i++) {
                cr_expect_eq(rs[i].calls, 1, "request %zu: %u callbacks", i, rs[i].calls);
                cr_expect_eq(rs[i].r, -ECANCELED, "request %zu: %d", i, rs[i].r);
                result_clear(&rs[i]);
        }
        /* Nothing more arrives: the server still finishes what it had. */
        kl_apiserver_close(e.s, 0, on_closed, &closed);
        run_until(&e.loop, &closed);
        for (size_t i = 0; i < KL_ARRAY_SIZE(rs); i++)
                cr_expect_eq(rs[i].calls, 0);
        cr_expect_eq(log.n, 0, "no watch event after free");
        cr_expect_eq(kl_loop_finish(&e.loop), 0);
        free(e.dir);
        free(e.url);
        free(e.ca);
        free(e.cert);
        free(e.key);
}

Test(remote, response_over_the_limit_fails_cleanly)
{
        struct env e = { 0 };
        struct kl_client_remote_options small = { .max_response = 4096, .max_event = 512 };
        struct kl_client *big = NULL;
        struct result res = { 0 };
        struct watch_log log = { 0 };
        struct kl_err *err = NULL;
        char value[1024];

        env_start(&e);
        memset(value, 'x', sizeof(value) - 1);
        value[sizeof(value) - 1] = '\0';
        for (int i = 0; i < 8; i++) {
                char name[16];

                (void)snprintf(name, sizeof(name), "big-%d", i);
                create_cm(&e, name, value);
        }
        big = e.c;
        e.c = remote_new(&e, &small);
        list(&e, e.cms, NULL, &res);
        cr_expect_eq(res.r, -E2BIG, "%d %s", res.r, res.msg);
        cr_expect_null(res.obj);
        result_clear(&res);
        /* One object fits. */
        get_cm(&e, "big-0", &res);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        /* A watch event longer than max_event ends the watch with an ERROR. */
        log.c = e.c;
        cr_assert_eq(
                kl_client_watch_start(e.c, e.cms, "default", NULL, on_event, &log, &log.w, &err),
                0);
        run_until_events(&e, &log, 1);
        cr_expect_eq(log.types[0], KL_CLIENT_EVENT_ERROR);
        cr_expect_eq(log.error_code, 413);
        /* The client still works afterwards. */
        kl_client_free(e.c);
        e.c = big;
        get_cm(&e, "big-7", &res);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        env_stop(&e);
}

Test(remote, bearer_token_and_anonymous)
{
        struct env e = { 0 };
        kl_autofree char *tokens = kl_asprintf("%s/tokens.csv", kl_test_tmpdir());
        struct kl_client_remote_options tok = { .token = "s3cret" };
        struct kl_client_remote_options bad = { .token = "wrong" };
        struct kl_client *admin;
        struct result res = { 0 };
        FILE *f;

        f = fopen(tokens, "we");
        cr_assert_not_null(f);
        (void)fprintf(f, "s3cret,system:admin,uid-1,\"system:masters\"\n");
        (void)fclose(f);
        env_start_with(&e, tokens);
        create_cm(&e, "t", "1");
        admin = e.c;
        e.c = remote_new(&e, &tok);
        get_cm(&e, "t", &res);
        cr_expect_eq(res.r, 0, "%s", res.msg);
        result_clear(&res);
        kl_client_free(e.c);
        e.c = remote_new(&e, &bad);
        get_cm(&e, "t", &res);
        cr_expect_eq(res.r, -KL_EUNAUTHORIZED, "%d %s", res.r, res.msg);
        result_clear(&res);
        kl_client_free(e.c);
        e.c = admin;
        env_stop(&e);
}

Test(remote, bad_options)
{
        uv_loop_t loop;
        struct kl_client *c = NULL;
        struct kl_err *err = NULL;
        struct kl_client_remote_options none = { .user = "u" };
        struct kl_client_remote_options ftp = { .server = "ftp://x", .user = "u" };
        struct kl_client_remote_options nouser = { .server = "https://x" };
        struct kl_client_remote_options halfcert = { .server = "https://x",
                                                     .user = "u",
                                                     .cert_pem = "x" };

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_expect_eq(kl_client_remote_new(&loop, &none, &c, &err), -EINVAL);
        kl_err_free(err);
        err = NULL;
        cr_expect_eq(kl_client_remote_new(&loop, &ftp, &c, &err), -EINVAL);
        kl_err_free(err);
        err = NULL;
        cr_expect_eq(kl_client_remote_new(&loop, &nouser, &c, &err), -EINVAL);
        kl_err_free(err);
        err = NULL;
        cr_expect_eq(kl_client_remote_new(&loop, &halfcert, &c, &err), -EINVAL);
        kl_err_free(err);
        cr_expect_eq(kl_loop_finish(&loop), 0);
}

Test(remote, connection_refused_is_a_transport_error)
{
        uv_loop_t loop;
        struct kl_client *c = NULL;
        struct kl_err *err = NULL;
        /* Port 1 on loopback: nothing listens there in a test environment. */
        struct kl_client_remote_options o = { .server = "https://127.0.0.1:1", .user = "u" };
        struct result res = { 0 };

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_client_remote_new(&loop, &o, &c, &err), 0);
        kl_client_get(c, kl_api_resource_find("", "v1", "nodes"), NULL, "n", on_read, &res);
        run_until(&loop, &res.done);
        cr_expect_eq(res.r, -ECONNREFUSED, "%d %s", res.r, res.msg);
        kl_client_free(c);
        cr_expect_eq(kl_loop_finish(&loop), 0);
}

/* ------------------------------------------------------------------------- */
/* Parsers */

struct status_case {
        const char *body;
        const char *want_msg;
        int http;
        int want;
};

Test(remote_parse, status_bodies_map_to_codes)
{
        static const struct status_case cases[] = {
                { "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"message\":\"pods \\\"x\\\" "
                  "not found\",\"code\":404}",
                  "pods \"x\" not found", 404, -ENOENT },
                { "{\"reason\":\"AlreadyExists\",\"message\":\"exists\"}", "exists", 409, -EEXIST },
                { "{\"reason\":\"Conflict\",\"message\":\"modified\"}", "modified", 409,
                  -KL_ECONFLICT },
                { "{\"reason\":\"Expired\",\"message\":\"too old\"}", "too old", 410,
                  -KL_EEXPIRED },
                { "{\"reason\":\"Gone\",\"message\":\"gone\"}", "gone", 410, -KL_EGONE },
                { "{\"reason\":\"Invalid\",\"message\":\"bad\"}", "bad", 422, -KL_EINVALID },
                { "{\"reason\":\"BadRequest\",\"message\":\"no\"}", "no", 400, -EINVAL },
                { "{}", "the server answered 401", 401, -KL_EUNAUTHORIZED },
                { "{\"message\":\"forbidden\"}", "forbidden", 403, -EACCES },
                { "", "the server answered 429", 429, -KL_ETOO_MANY_REQUESTS },
                { "<html>", "the server answered 500", 500, -EIO },
                { "[1]", "the server answered 503", 503, -KL_EUNAVAILABLE },
                { "{\"message\":\"\"}", "the server answered 504", 504, -ETIMEDOUT },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_err *err = NULL;
                int r = kl_client__status_error(cases[i].http, cases[i].body, strlen(cases[i].body),
                                                &err);

                cr_expect_eq(r, cases[i].want, "case %zu: %d", i, r);
                cr_expect_eq(err->code, -cases[i].want);
                cr_expect_str_eq(kl_err_msg(err), cases[i].want_msg, "case %zu", i);
                kl_err_free(err);
        }
}

struct decoded {
        enum kl_client_event_type types[8];
        char names[8][16];
        size_t n;
        size_t stop_after; /* 0: never */
};

static int on_decoded(void *arg, enum kl_client_event_type t, json_t *obj)
{
        struct decoded *d = arg;

        cr_assert_lt(d->n, KL_ARRAY_SIZE(d->types));
        d->types[d->n] = t;
        (void)snprintf(d->names[d->n], sizeof(d->names[0]), "%s",
                       meta_str(obj, "name") ? meta_str(obj, "name") : "");
        d->n++;
        json_decref(obj);
        return d->stop_after && d->n == d->stop_after ? 1 : 0;
}

struct stream_case {
        const char *text;
        size_t chunk; /* fed in pieces of this size; 0: at once */
        size_t max;
        size_t stop_after;
        int want_r;
        size_t want_n;
        const char *want_types; /* one letter per event: A M D B E */
};

Test(remote_parse, watch_stream_framing)
{
        static const struct stream_case cases[] = {
                { "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
                  "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n",
                  0, 1024, 0, 0, 2, "AM" },
                /* Split at every byte: the same events. */
                { "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
                  "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\r\n",
                  1, 1024, 0, 0, 2, "AD" },
                /* Blank lines are skipped; an unterminated line waits. */
                { "\n\r\n{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{}}}\n{\"type\":", 7, 1024,
                  0, 0, 1, "B" },
                { "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410}}\n", 0, 1024,
                  0, 0, 1, "E" },
                /* Stopped by the callback: the rest is not decoded. */
                { "{\"type\":\"ADDED\",\"object\":{}}\n{\"type\":\"ADDED\",\"object\":{}}\n", 0,
                  1024, 1, 1, 1, "A" },
                { "{\"type\":\"NOPE\",\"object\":{}}\n", 0, 1024, 0, -EINVAL, 0, "" },
                { "{\"type\":\"ADDED\",\"object\":[]}\n", 0, 1024, 0, -EINVAL, 0, "" },
                { "{\"type\":\"ADDED\"}\n", 0, 1024, 0, -EINVAL, 0, "" },
                { "not json\n", 0, 1024, 0, -EINVAL, 0, "" },
                /* A line over the maximum, whether or not its end has come. */
                { "{\"type\":\"ADDED\",\"object\":{\"data\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}",
                  5, 32, 0, -E2BIG, 0, "" },
        };
        static const char letters[] = { [KL_CLIENT_EVENT_ADDED] = 'A',
                                        [KL_CLIENT_EVENT_MODIFIED] = 'M',
                                        [KL_CLIENT_EVENT_DELETED] = 'D',
                                        [KL_CLIENT_EVENT_BOOKMARK] = 'B',
                                        [KL_CLIENT_EVENT_ERROR] = 'E' };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct stream_case *c = &cases[i];
                struct kl_client__watch_decoder dec;
                struct decoded d = { .stop_after = c->stop_after };
                struct kl_err *err = NULL;
                size_t len = strlen(c->text), chunk = c->chunk ? c->chunk : len;
                int r = 0;

                kl_client__watch_decoder_init(&dec, c->max);
                for (size_t off = 0; off < len && r == 0; off += chunk)
                        r = kl_client__watch_decode(&dec, c->text + off, KL_MIN(chunk, len - off),
                                                    on_decoded, &d, &err);
                cr_expect_eq(r, c->want_r, "case %zu: %d %s", i, r, err ? kl_err_msg(err) : "");
                cr_expect_eq(d.n, c->want_n, "case %zu: %zu events", i, d.n);
                for (size_t j = 0; j < d.n && j < strlen(c->want_types); j++)
                        cr_expect_eq(letters[d.types[j]], c->want_types[j], "case %zu event %zu", i,
                                     j);
                if (r < 0)
                        cr_expect_not_null(err);
                kl_err_free(err);
                kl_client__watch_decoder_release(&dec);
        }
}
