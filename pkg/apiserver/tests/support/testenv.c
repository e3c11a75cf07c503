/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The integration tests' in-process API server fixture (testenv.h): the
 * loop, server and client set-up and teardown every such test needs, and
 * calls that wait for the server's answer and assert on it.
 */
#include "apiserver/tests/support/testenv.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"
#include "base/base.h"
#include "http/http.h"
#include "loop/loop.h"
#include "pki/pki.h"
#include "testing/testing.h"
#include "json/json.h"

/* Loop iterations before a wait for a flag gives up: far beyond any real wait. */
#define RUN_LIMIT 200000
/* Ticks (10 ms each at least) before a polling wait gives up. */
#define POLL_ROUNDS 30000

static void on_tick(uv_timer_t *t)
{
        struct kl_testenv *e = t->data;

        e->ticked = true;
}

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

void kl_testenv_start(struct kl_testenv *e, const struct kl_testenv_options *opts)
{
        struct kl_apiserver_options so = { .sync = KL_STORE_SYNC_RELAXED };
        const char *user = opts && opts->user ? opts->user : "system:kube-controller-manager";
        struct kl_err *err = NULL;

        if (opts && opts->server)
                so = *opts->server;
        if (!so.data_dir)
                so.data_dir = kl_test_tmpdir();
        if (!so.bind_address)
                so.bind_address = "127.0.0.1";
        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_apiserver_new(&e->loop, &so, &e->server, &err), 0, "start the server: %s",
                     kl_err_msg(err));
        e->client = kl_apiserver_client_new(e->server, user);
        e->url = kl_asprintf("https://127.0.0.1:%d", kl_apiserver_port(e->server));
        e->ca_pem = kl_test_read_file(kl_pki_server_path(e->server->pki, KL_PKI_SERVER_CA_CERT));
        e->admin_pem = kl_test_read_file(kl_pki_server_path(e->server->pki, KL_PKI_ADMIN_CERT));
        e->admin_key = kl_test_read_file(kl_pki_server_path(e->server->pki, KL_PKI_ADMIN_KEY));
        cr_assert_eq(uv_timer_init(&e->loop, &e->tick), 0);
        e->tick.data = e;
        cr_assert_eq(uv_timer_start(&e->tick, on_tick, 10, 10), 0);
}

void kl_testenv_stop(struct kl_testenv *e)
{
        bool closed = false;

        uv_close((uv_handle_t *)&e->tick, NULL);
        kl_client_free(e->client);
        e->client = NULL;
        kl_apiserver_close(e->server, 0, on_closed, &closed);
        kl_testenv_run_until(e, &closed);
        e->server = NULL;
        cr_assert_eq(kl_loop_finish(&e->loop), 0, "the loop did not finish clean");
        free(e->url);
        free(e->ca_pem);
        free(e->admin_pem);
        free(e->admin_key);
        e->url = e->ca_pem = e->admin_pem = e->admin_key = NULL;
}

void kl_testenv_run_until(struct kl_testenv *e, const bool *flag)
{
        for (int i = 0; i < RUN_LIMIT && !*flag; i++)
                (void)kl_loop_run(&e->loop, UV_RUN_ONCE);
        cr_assert(*flag, "the loop ran %d times without getting there", RUN_LIMIT);
}

void kl_testenv_tick(struct kl_testenv *e)
{
        e->ticked = false;
        kl_testenv_run_until(e, &e->ticked);
}

void kl_testenv_on_read(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct kl_testenv_call *call = arg;

        call->done = true;
        call->r = r;
        call->obj = obj;
        if (err)
                (void)snprintf(call->msg, sizeof(call->msg), "%s", kl_err_msg(err));
}

void kl_testenv_on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_testenv_call *call = arg;

        call->done = true;
        call->r = r;
        call->obj = obj ? json_deep_copy(obj) : NULL;
        if (err)
                (void)snprintf(call->msg, sizeof(call->msg), "%s", kl_err_msg(err));
}

void kl_testenv_on_result(void *arg, int r, const struct kl_apiserver_result *res,
                          const struct kl_err *err)
{
        struct kl_testenv_call *call = arg;

        call->done = true;
        call->r = r;
        call->status = res ? res->status : 0;
        call->obj = res && res->obj ? json_deep_copy(res->obj) : NULL;
        if (err)
                (void)snprintf(call->msg, sizeof(call->msg), "%s", kl_err_msg(err));
}

int kl_testenv_wait(struct kl_testenv *e, struct kl_testenv_call *call)
{
        kl_testenv_run_until(e, &call->done);
        return call->r;
}

/* An HTTPS request in flight: the reply and whether it is done. */
struct https_call {
        bool done;
        int r;
        struct kl_testenv_reply *out;
};

static void https_done(void *arg, int r, int status, const char *body, size_t len,
                       const struct kl_err *err)
{
        struct https_call *c = arg;

        (void)err;
        c->done = true;
        c->r = r;
        c->out->status = status;
        c->out->body = body ? kl_memdup(body, len + 1) : NULL; /* body is NUL-terminated */
        c->out->len = body ? len : 0;
}

void kl_testenv_https(struct kl_testenv *e, const struct kl_testenv_creds *who, const char *method,
                      const char *path, const char *body, const char *content_type,
                      struct kl_testenv_reply *out)
{
        const struct kl_http_client_opts co = {
                .ca_pem = e->ca_pem,
                .cert_pem = who ? who->cert_pem : NULL,
                .key_pem = who ? who->key_pem : NULL,
                .bearer_token = who ? who->token : NULL,
        };
        struct https_call call = { .out = out };
        struct kl_http_client *c = NULL;
        struct kl_err *err = NULL;
        kl_autofree char *url = kl_asprintf("%s%s", e->url, path);
        const struct kl_http_call_opts o = {
                .method = method,
                .url = url,
                .content_type = body ? (content_type ? content_type : "application/json") : NULL,
                .body = body,
                .body_len = body ? strlen(body) : 0,
                .done = https_done,
                .arg = &call,
        };

        memset(out, 0, sizeof(*out));
        cr_assert_eq(kl_http_client_new(&e->loop, &co, &c, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_http_call_start(c, &o, NULL, &err), 0, "%s", kl_err_msg(err));
        kl_testenv_run_until(e, &call.done);
        kl_http_client_free(c);
        cr_assert_eq(call.r, 0, "%s %s: transport error %d", method, path, call.r);
}

json_t *kl_testenv_reply_json(const struct kl_testenv_reply *r)
{
        json_t *v = NULL;

        cr_assert_not_null(r->body, "status %d: no body", r->status);
        cr_assert_eq(kl_json_decode(r->body, strlen(r->body), KL_JSON_DEFAULT_MAX, &v, NULL), 0,
                     "status %d: body is not JSON: %s", r->status, r->body);
        return v;
}

void kl_testenv_reply_release(struct kl_testenv_reply *r)
{
        free(r->body);
        memset(r, 0, sizeof(*r));
}

/* Wait for a write, assert it succeeded, hand its object to `ret_obj` or drop it. */
static void write_done(struct kl_testenv *e, struct kl_testenv_call *call, const char *verb,
                       const struct kl_api_resource *res, const char *ns, const char *name,
                       const char *sub, json_t **ret_obj)
{
        cr_assert_eq(kl_testenv_wait(e, call), 0, "%s %s%s%s '%s%s%s': %s", verb, res->plural,
                     sub ? "/" : "", sub ? sub : "", ns ? ns : "", ns ? "/" : "", name ? name : "",
                     call->msg);
        if (ret_obj)
                *ret_obj = call->obj;
        else
                json_decref(call->obj);
}

json_t *kl_testenv_get_or_null(struct kl_testenv *e, const struct kl_api_resource *res,
                               const char *ns, const char *name)
{
        struct kl_testenv_call call = { 0 };
        int r;

        kl_client_get(e->client, res, ns, name, kl_testenv_on_read, &call);
        r = kl_testenv_wait(e, &call);
        cr_assert(r == 0 || r == -ENOENT, "get %s '%s%s%s': %s", res->plural, ns ? ns : "",
                  ns ? "/" : "", name, call.msg);
        return call.obj;
}

json_t *kl_testenv_get(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       const char *name)
{
        json_t *obj = kl_testenv_get_or_null(e, res, ns, name);

        cr_assert(obj, "get %s '%s%s%s': not found", res->plural, ns ? ns : "", ns ? "/" : "",
                  name);
        return obj;
}

json_t *kl_testenv_list(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                        const struct kl_client_list_opts *opts)
{
        struct kl_testenv_call call = { 0 };

        kl_client_list(e->client, res, ns, opts, kl_testenv_on_read, &call);
        cr_assert_eq(kl_testenv_wait(e, &call), 0, "list %s%s%s: %s", res->plural, ns ? " in " : "",
                     ns ? ns : "", call.msg);
        return call.obj;
}

void kl_testenv_create(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       json_t *obj, json_t **ret_obj)
{
        struct kl_testenv_call call = { 0 };
        const char *name =
                json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
        char *what = kl_strdup(name ? name : "");

        kl_client_create(e->client, res, ns, obj, NULL, kl_testenv_on_write, &call);
        write_done(e, &call, "create", res, ns, what, NULL, ret_obj);
        free(what);
}

void kl_testenv_update(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       const char *name, const char *sub, json_t *obj, json_t **ret_obj)
{
        struct kl_testenv_call call = { 0 };

        kl_client_update(e->client, res, ns, name, sub, obj, NULL, kl_testenv_on_write, &call);
        write_done(e, &call, "update", res, ns, name, sub, ret_obj);
}

void kl_testenv_patch(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                      const char *name, const char *sub, int patch_type, json_t *patch,
                      json_t **ret_obj)
{
        struct kl_testenv_call call = { 0 };

        kl_client_patch(e->client, res, ns, name, sub, patch_type, patch, NULL, kl_testenv_on_write,
                        &call);
        write_done(e, &call, "patch", res, ns, name, sub, ret_obj);
}

void kl_testenv_delete(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       const char *name, json_t *delete_opts, json_t **ret_obj)
{
        struct kl_testenv_call call = { 0 };

        kl_client_delete(e->client, res, ns, name, delete_opts, NULL, kl_testenv_on_write, &call);
        write_done(e, &call, "delete", res, ns, name, NULL, ret_obj);
}

json_t *kl_testenv_wait_for(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                            const char *name, bool (*done)(const json_t *obj))
{
        char *last = NULL;

        for (int i = 0; i < POLL_ROUNDS; i++) {
                json_t *obj = kl_testenv_get_or_null(e, res, ns, name);

                if (done(obj)) {
                        free(last);
                        return obj;
                }
                free(last);
                last = obj ? json_dumps(json_object_get(obj, "status"), JSON_COMPACT) : NULL;
                json_decref(obj);
                kl_testenv_tick(e);
        }
        cr_assert_fail("%s '%s%s%s' never reached the state waited for; status: %s", res->plural,
                       ns ? ns : "", ns ? "/" : "", name, last ? last : "(gone)");
        return NULL;
}

void kl_testenv_wait_until(struct kl_testenv *e, bool (*cond)(struct kl_testenv *e),
                           const char *what)
{
        for (int i = 0; i < POLL_ROUNDS; i++) {
                if (cond(e))
                        return;
                kl_testenv_tick(e);
        }
        cr_assert_fail("never reached: %s", what);
}
