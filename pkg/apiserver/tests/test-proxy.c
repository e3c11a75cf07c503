/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pods/log, pods/exec, pods/attach (proxy.c) on a real server, with a fake
 * kubelet on the same loop: a kl_http server over TLS that trusts the
 * cluster's client CA (so it sees who the API server says it is) and plays
 * the agent's part of the fixed interface (containerLogs streams, exec
 * WebSockets with the v5 channel protocol, SPDY/3.1 upgrades answered with
 * an echo of the raw bytes, refusals as Status JSON). "kubectl" is the HTTP
 * client (logs) and the WebSocket client (exec; in raw mode for SPDY) with
 * the admin's certificate.
 */
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"
#include "http/http.h"
#include "loop/loop.h"
#include "pki/pki.h"
#include "testing/testing.h"
#include "json/json.h"

struct kubelet_seen {
        char target[1024];
        char cn[128];
        char orgs[256];
        char offered[256]; /* X-Stream-Protocol-Version values, comma-joined */
        int requests;
};

struct env {
        uv_loop_t loop;
        struct kl_apiserver *s;
        char *url;       /* owned: https://127.0.0.1:<port> */
        char *wss;       /* owned: wss://127.0.0.1:<port> */
        char *ca_pem;    /* owned */
        char *admin_pem; /* owned */
        char *admin_key; /* owned */
        /* the fake kubelet */
        struct kl_http_server *kubelet;
        int kubelet_port;
        char *kubelet_cert, *kubelet_key; /* owned */
        struct kubelet_seen seen;
        struct kl_http_ws *kws;  /* ref: the kubelet side of the last exec */
        struct kl_http_ws *kraw; /* ref: the kubelet side of the last SPDY upgrade */
        size_t kraw_got;         /* bytes it received */
        int kubelet_close_code;
        bool kubelet_closed;
        size_t big_written; /* bytes of the big log the kubelet has written */
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

/* ------------------------------------------------------------------------- */
/* The fake kubelet */

static const char waiting_status[] =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        "\"message\":\"container \\\"a\\\" in pod \\\"waiting\\\" is waiting to start: "
        "ContainerCreating\",\"reason\":\"BadRequest\",\"code\":400}";
static const char gone_status[] =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        "\"message\":\"container not found (\\\"gone\\\")\",\"reason\":\"NotFound\",\"code\":404}";

static void kubelet_ws_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                               size_t len, void *userdata)
{
        const uint8_t *d = data;
        static const char success[] = "\3{\"metadata\":{},\"status\":\"Success\"}";

        (void)userdata;
        if (len == 2 && d[0] == 255 && d[1] == 0) {
                /* stdin closed: the command ends. */
                (void)kl_http_ws_send(ws, KL_HTTP_WS_BINARY, success, sizeof(success) - 1);
                (void)kl_http_ws_close(ws, 1000, NULL);
                return;
        }
        if (len >= 1 && d[0] == 0) {
                /* stdin echoed to stdout, and its length to stderr. */
                uint8_t *out = kl_malloc(len);
                char err[32];
                int n = snprintf(err, sizeof(err), "\2%zu", len - 1);

                memcpy(out, d, len);
                out[0] = 1;
                (void)kl_http_ws_send(ws, op, out, len);
                (void)kl_http_ws_send(ws, KL_HTTP_WS_BINARY, err, (size_t)n);
                free(out);
        }
}

static void kubelet_ws_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct env *e = userdata;

        (void)ws;
        e->kubelet_close_code = code;
        e->kubelet_closed = true;
}

/* The kubelet's end of a SPDY upgrade: bytes echoed as they are; "close" closes. */
static void kubelet_raw_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                                size_t len, void *userdata)
{
        struct env *e = userdata;

        e->kraw_got += len;
        if (len == 5 && memcmp(data, "close", 5) == 0) {
                (void)kl_http_ws_close(ws, 1000, NULL);
                return;
        }
        (void)kl_http_ws_send(ws, op, data, len);
}

/* A log far larger than every buffer on the way: 32 MiB, written as the connection drains. */
#define BIG_LOG ((size_t)32 << 20)

static uint8_t big_byte(size_t i)
{
        return (uint8_t)((i * 31) ^ (i >> 13));
}

static void big_log_write(struct kl_http_req *req, void *userdata)
{
        struct env *e = userdata;
        uint8_t chunk[64 << 10];

        while (e->big_written < BIG_LOG && kl_http_req_output_queued(req) < (256u << 10)) {
                size_t n = KL_MIN(sizeof(chunk), BIG_LOG - e->big_written);

                for (size_t i = 0; i < n; i++)
                        chunk[i] = big_byte(e->big_written + i);
                if (kl_http_stream_write(req, chunk, n) < 0)
                        break;
                e->big_written += n;
        }
        if (e->big_written == BIG_LOG) {
                kl_http_req_set_drain_cb(req, NULL, NULL);
                (void)kl_http_stream_end(req);
        }
}

static void kubelet_handler(struct kl_http_req *req, void *userdata)
{
        struct env *e = userdata;
        const struct kl_http_client_cert *cert = kl_http_req_client_cert(req);
        const char *path = kl_http_req_path(req);
        const struct kl_http_ws_callbacks cbs = { .on_message = kubelet_ws_message,
                                                  .on_close = kubelet_ws_close };
        struct kl_err *err = NULL;

        e->seen.requests++;
        (void)snprintf(e->seen.target, sizeof(e->seen.target), "%s", kl_http_req_target(req));
        e->seen.cn[0] = e->seen.orgs[0] = '\0';
        if (cert) {
                (void)snprintf(e->seen.cn, sizeof(e->seen.cn), "%s", cert->common_name);
                for (size_t i = 0; i < cert->n_organizations; i++)
                        (void)snprintf(e->seen.orgs + strlen(e->seen.orgs),
                                       sizeof(e->seen.orgs) - strlen(e->seen.orgs), "%s%s",
                                       i ? "," : "", cert->organizations[i]);
        }
        if (kl_startswith(path, "/containerLogs/default/waiting/")) {
                (void)kl_http_respond(req, 400, "application/json", waiting_status,
                                      strlen(waiting_status));
                return;
        }
        if (kl_startswith(path, "/containerLogs/default/big/")) {
                (void)kl_http_stream_start(req, 200, "text/plain");
                kl_http_req_set_drain_cb(req, big_log_write, e);
                big_log_write(req, e);
                return;
        }
        if (kl_startswith(path, "/containerLogs/")) {
                (void)kl_http_stream_start(req, 200, "text/plain");
                (void)kl_http_stream_write(req, "line 1\n", 7);
                (void)kl_http_stream_write(req, "line 2\n", 7);
                (void)kl_http_stream_end(req);
                return;
        }
        if (kl_endswith(path, "/gone")) {
                (void)kl_http_respond(req, 404, "application/json", gone_status,
                                      strlen(gone_status));
                return;
        }
        e->seen.offered[0] = '\0';
        {
                size_t n = 0;
                const struct kl_http_header *h = kl_http_req_headers(req, &n);

                for (size_t i = 0; i < n; i++)
                        if (strcasecmp(h[i].name, "X-Stream-Protocol-Version") == 0)
                                (void)snprintf(e->seen.offered + strlen(e->seen.offered),
                                               sizeof(e->seen.offered) - strlen(e->seen.offered),
                                               "%s%s", e->seen.offered[0] ? "," : "", h[i].value);
        }
        if (kl_http_req_is_spdy(req)) {
                const struct kl_http_ws_callbacks rcbs = { .on_message = kubelet_raw_message,
                                                           .on_close = kubelet_ws_close };
                const char *proto = kl_startswith(path, "/portForward/") ? "portforward.k8s.io"
                                                                         : "v4.channel.k8s.io";

                e->kraw = kl_http_ws_unref(e->kraw);
                cr_assert_eq(kl_http_spdy_accept(req, proto, &rcbs, e, &e->kraw, &err), 0, "%s",
                             kl_err_msg(err));
                return;
        }
        if ((kl_startswith(path, "/exec/") || kl_startswith(path, "/attach/")) &&
            kl_http_req_is_websocket(req) && kl_http_req_ws_offers(req, "v5.channel.k8s.io")) {
                e->kws = kl_http_ws_unref(e->kws);
                cr_assert_eq(kl_http_ws_accept(req, "v5.channel.k8s.io", &cbs, e, &e->kws, &err), 0,
                             "%s", kl_err_msg(err));
                return;
        }
        (void)kl_http_respond_status(req, 404);
}

static void kubelet_start(struct env *e)
{
        struct kl_pki_ca *ca = NULL;
        EVP_PKEY *key = NULL;
        X509 *cert = NULL;
        struct kl_err *err = NULL;
        static const char *const sans[] = { "127.0.0.1", NULL };
        kl_autofree char *client_ca =
                kl_test_read_file(kl_pki_server_path(e->s->pki, KL_PKI_CLIENT_CA_CERT));
        struct kl_http_tls_config tls = { 0 };
        struct kl_http_server_config cfg = { .handler = kubelet_handler, .userdata = e };

        /* Self-signed by a CA nobody trusts: the API server must not verify it. */
        cr_assert_eq(kl_pki_ca_new("fake-kubelet-ca", KL_PKI_KEY_ECDSA_P256, &ca, &err), 0);
        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, &err), 0);
        cr_assert_eq(kl_pki_cert_issue(ca,
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_SERVER,
                                                                  .cn = "node-1",
                                                                  .sans = sans },
                                       key, &cert, &err),
                     0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_pki_cert_to_pem(cert, &e->kubelet_cert, &err), 0);
        cr_assert_eq(kl_pki_key_to_pem(key, &e->kubelet_key, &err), 0);
        X509_free(cert);
        EVP_PKEY_free(key);
        kl_pki_ca_free(ca);
        tls.cert_pem = e->kubelet_cert;
        tls.key_pem = e->kubelet_key;
        tls.client_ca_pem = client_ca;
        cfg.tls = &tls;
        cr_assert_eq(kl_http_server_new(&e->loop, &cfg, &e->kubelet, &err), 0, "%s",
                     kl_err_msg(err));
        cr_assert_eq(kl_http_server_listen(e->kubelet, "127.0.0.1", 0, &err), 0);
        e->kubelet_port = kl_http_server_port(e->kubelet);
}

/* ------------------------------------------------------------------------- */
/* Objects */

struct result {
        bool done;
        int r;
        char msg[512];
};

static void on_write(void *arg, int r, const struct kl_apiserver_result *res,
                     const struct kl_err *err)
{
        struct result *out = arg;

        (void)res;
        out->done = true;
        out->r = r;
        if (err)
                (void)snprintf(out->msg, sizeof(out->msg), "%s", kl_err_msg(err));
}

static void write_obj(struct env *e, const char *plural, const char *ns, const char *name,
                      const char *sub, const char *text)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", plural);
        struct kl_apiserver_write_opts wo = { 0 };
        struct result out = { 0 };
        json_t *obj = json_loads(text, 0, NULL);

        cr_assert(obj, "bad JSON: %s", text);
        if (sub)
                kl_apiserver_update(e->s, res, ns, name, sub, obj, &wo, on_write, &out);
        else
                kl_apiserver_create(e->s, res, ns, obj, &wo, on_write, &out);
        run_until(&e->loop, &out.done);
        cr_assert_eq(out.r, 0, "%s %s: %s", plural, name ? name : "", out.msg);
}

static void make_pod(struct env *e, const char *name, const char *node, const char *containers,
                     const char *phase)
{
        kl_autofree char *pod = kl_asprintf(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"},"
                "\"spec\":{%s%s%s%s}}",
                name, node ? "\"nodeName\":\"" : "", node ? node : "", node ? "\"," : "",
                containers);

        write_obj(e, "pods", "default", NULL, NULL, pod);
        if (phase) {
                kl_autofree char *st = kl_asprintf(
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
                        "\"namespace\":\"default\"},\"status\":{\"phase\":\"%s\"}}",
                        name, phase);

                write_obj(e, "pods", "default", name, "status", st);
        }
}

static const char one_container[] = "\"containers\":[{\"name\":\"a\",\"image\":\"busybox\"}]";

static void env_start(struct env *e)
{
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1",
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_err *err = NULL;
        kl_autofree char *node = NULL;
        kl_autofree char *node_status = NULL;

        memset(e, 0, sizeof(*e));
        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_apiserver_new(&e->loop, &opts, &e->s, &err), 0, "%s", kl_err_msg(err));
        e->url = kl_asprintf("https://127.0.0.1:%d", kl_apiserver_port(e->s));
        e->wss = kl_asprintf("wss://127.0.0.1:%d", kl_apiserver_port(e->s));
        e->ca_pem = kl_test_read_file(kl_pki_server_path(e->s->pki, KL_PKI_SERVER_CA_CERT));
        e->admin_pem = kl_test_read_file(kl_pki_server_path(e->s->pki, KL_PKI_ADMIN_CERT));
        e->admin_key = kl_test_read_file(kl_pki_server_path(e->s->pki, KL_PKI_ADMIN_KEY));
        kubelet_start(e);

        write_obj(e, "nodes", NULL, NULL, NULL,
                  "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}");
        node_status = kl_asprintf(
                "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"},"
                "\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"n1\"},"
                "{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],"
                "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":%d}}}}",
                e->kubelet_port);
        write_obj(e, "nodes", NULL, "n1", "status", node_status);
        make_pod(e, "web", "n1", one_container, "Running");
}

static void on_kubelet_closed(struct kl_http_server *h, void *arg)
{
        (void)h;
        *(bool *)arg = true;
}

static void env_stop(struct env *e)
{
        bool closed = false, kclosed = false;

        e->kws = kl_http_ws_unref(e->kws);
        e->kraw = kl_http_ws_unref(e->kraw);
        kl_apiserver_close(e->s, 0, on_closed, &closed);
        run_until(&e->loop, &closed);
        if (e->kubelet) {
                kl_http_server_close(e->kubelet, 0, on_kubelet_closed, &kclosed);
                run_until(&e->loop, &kclosed);
        }
        cr_expect_eq(kl_loop_finish(&e->loop), 0);
        free(e->url);
        free(e->wss);
        free(e->ca_pem);
        free(e->admin_pem);
        free(e->admin_key);
        free(e->kubelet_cert);
        kl_pki_secret_free(e->kubelet_key);
}

/* ------------------------------------------------------------------------- */
/* kubectl: plain requests */

struct call {
        bool done;
        int r;
        int status;
        char *body; /* owned */
};

static void call_done(void *arg, int r, int status, const char *body, size_t len,
                      const struct kl_err *err)
{
        struct call *c = arg;

        (void)err;
        c->done = true;
        c->r = r;
        c->status = status;
        /* A streamed 2xx comes with an empty body: keep what `data` gathered. */
        if (!c->body || len > 0) {
                free(c->body);
                c->body = kl_strndup(body ? body : "", len);
        }
}

static int stream_data(void *arg, const char *data, size_t len)
{
        struct call *c = arg;
        char *old = c->body;

        c->body = kl_asprintf("%s%.*s", old ? old : "", (int)len, data);
        free(old);
        return 0;
}

static void request(struct env *e, const char *method, const char *path, bool stream,
                    struct call *out)
{
        const struct kl_http_client_opts co = { .ca_pem = e->ca_pem,
                                                .cert_pem = e->admin_pem,
                                                .key_pem = e->admin_key };
        struct kl_http_client *c = NULL;
        struct kl_err *err = NULL;
        kl_autofree char *url = kl_asprintf("%s%s", e->url, path);
        const struct kl_http_call_opts o = { .method = method,
                                             .url = url,
                                             .accept = "application/json, */*",
                                             .data = stream ? stream_data : NULL,
                                             .done = call_done,
                                             .arg = out };

        memset(out, 0, sizeof(*out));
        cr_assert_eq(kl_http_client_new(&e->loop, &co, &c, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_http_call_start(c, &o, NULL, &err), 0, "%s", kl_err_msg(err));
        /* A streaming call's `done` has an empty body for 2xx: keep what `data` gathered. */
        run_until(&e->loop, &out->done);
        kl_http_client_free(c);
        cr_assert_eq(out->r, 0, "%s %s: transport error %d", method, path, out->r);
}

static void request_accept(struct env *e, const char *path, const char *accept, struct call *out)
{
        const struct kl_http_client_opts co = { .ca_pem = e->ca_pem,
                                                .cert_pem = e->admin_pem,
                                                .key_pem = e->admin_key };
        struct kl_http_client *c = NULL;
        struct kl_err *err = NULL;
        kl_autofree char *url = kl_asprintf("%s%s", e->url, path);
        const struct kl_http_call_opts o = {
                .method = "GET", .url = url, .accept = accept, .done = call_done, .arg = out
        };

        memset(out, 0, sizeof(*out));
        cr_assert_eq(kl_http_client_new(&e->loop, &co, &c, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_http_call_start(c, &o, NULL, &err), 0, "%s", kl_err_msg(err));
        run_until(&e->loop, &out->done);
        kl_http_client_free(c);
        cr_assert_eq(out->r, 0);
}

/* The Status message of an error answer. */
static const char *status_message(const char *body, char *buf, size_t size)
{
        json_t *doc = json_loads(body ? body : "", 0, NULL);

        (void)snprintf(buf, size, "%s",
                       doc ? json_string_value(json_object_get(doc, "message")) : "(not JSON)");
        json_decref(doc);
        return buf;
}

/* ------------------------------------------------------------------------- */
/* pods/log */

Test(proxy, log_streams_and_passes_parameters)
{
        struct env e;
        struct call c;

        env_start(&e);
        request(&e, "GET",
                "/api/v1/namespaces/default/pods/web/log?container=a&follow=true&tailLines=10"
                "&timestamps=true&sinceSeconds=300&sinceTime=2024-01-01T00%3A00%3A00Z"
                "&limitBytes=100&previous=false&insecureSkipTLSVerifyBackend=true",
                false, &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        cr_expect_str_eq(c.body, "line 1\nline 2\n");
        cr_expect_str_eq(e.seen.target,
                         "/containerLogs/default/web/a?follow=true&tailLines=10&timestamps=true"
                         "&sinceSeconds=300&sinceTime=2024-01-01T00%3A00%3A00Z&limitBytes=100"
                         "&previous=false");
        /* Who the API server is to the kubelet. */
        cr_expect_str_eq(e.seen.cn, "kube-apiserver-kubelet-client");
        cr_expect_str_eq(e.seen.orgs, "system:masters");
        free(c.body);

        /* The only container is the default; the answer streams through `data`. */
        request(&e, "GET", "/api/v1/namespaces/default/pods/web/log", true, &c);
        cr_expect_eq(c.status, 200);
        cr_expect_str_eq(c.body, "line 1\nline 2\n");
        cr_expect_str_eq(e.seen.target, "/containerLogs/default/web/a");
        free(c.body);
        env_stop(&e);
}

struct error_case {
        const char *path;
        const char *message;
        int status;
        int kubelet_requests; /* how many reached the kubelet (cumulative) */
};

Test(proxy, log_errors_as_upstream)
{
        static const struct error_case cases[] = {
                { "/api/v1/namespaces/default/pods/nope/log", "pods \"nope\" not found", 404, 0 },
                { "/api/v1/namespaces/default/pods/multi/log",
                  "a container name must be specified for pod multi, choose one of: [a b] or one "
                  "of the init containers: [init]",
                  400, 0 },
                { "/api/v1/namespaces/default/pods/multi/log?container=zz",
                  "container zz is not valid for pod multi", 400, 0 },
                { "/api/v1/namespaces/default/pods/waiting/log",
                  "container \"a\" in pod \"waiting\" is waiting to start: ContainerCreating", 400,
                  1 },
                { "/api/v1/namespaces/default/pods/lost/log", "nodes \"ghost\" not found", 404, 1 },
        };
        struct env e;

        env_start(&e);
        make_pod(&e, "multi", "n1",
                 "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\"}],"
                 "\"containers\":[{\"name\":\"a\",\"image\":\"busybox\"},"
                 "{\"name\":\"b\",\"image\":\"busybox\"}]",
                 NULL);
        make_pod(&e, "waiting", "n1", one_container, NULL);
        make_pod(&e, "lost", "ghost", one_container, NULL);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct error_case *k = &cases[i];
                struct call c;
                char msg[512];

                request(&e, "GET", k->path, false, &c);
                cr_expect_eq(c.status, k->status, "%s: %d %s", k->path, c.status, c.body);
                cr_expect_str_eq(status_message(c.body, msg, sizeof(msg)), k->message, "%s",
                                 k->path);
                cr_expect_eq(e.seen.requests, k->kubelet_requests, "%s", k->path);
                free(c.body);
        }
        env_stop(&e);
}

Test(proxy, log_of_unscheduled_pod_is_empty)
{
        struct env e;
        struct call c;

        env_start(&e);
        make_pod(&e, "pending", NULL, one_container, NULL);
        request(&e, "GET", "/api/v1/namespaces/default/pods/pending/log", false, &c);
        cr_expect_eq(c.status, 200);
        cr_expect_str_eq(c.body, "");
        cr_expect_eq(e.seen.requests, 0);
        free(c.body);
        env_stop(&e);
}

struct slow_reader {
        struct kl_http_call *call;
        bool pause_once, paused, done, mismatch;
        int r, status;
        size_t got;
};

static int slow_data(void *arg, const char *data, size_t len)
{
        struct slow_reader *sr = arg;

        if (sr->pause_once) {
                sr->pause_once = false;
                sr->paused = true;
                return KL_HTTP_DATA_PAUSE;
        }
        for (size_t i = 0; i < len; i++)
                if ((uint8_t)data[i] != big_byte(sr->got + i))
                        sr->mismatch = true;
        sr->got += len;
        return 0;
}

static void slow_done(void *arg, int r, int status, const char *body, size_t len,
                      const struct kl_err *err)
{
        struct slow_reader *sr = arg;

        (void)body;
        (void)len;
        (void)err;
        sr->done = true;
        sr->r = r;
        sr->status = status;
}

struct quiet {
        struct env *e;
        size_t last;
        int still;
        bool quiet;
};

static void quiet_check(uv_timer_t *t)
{
        struct quiet *q = t->data;

        if (q->e->big_written == q->last && ++q->still >= 5) {
                q->quiet = true;
                (void)uv_timer_stop(t);
        } else if (q->e->big_written != q->last) {
                q->last = q->e->big_written;
                q->still = 0;
        }
        if (q->e->big_written == BIG_LOG) {
                q->quiet = true;
                (void)uv_timer_stop(t);
        }
}

/*
 * kubectl stops reading in the middle of a 32 MiB log and later goes on:
 * every byte arrives, in order, and the stream is not cut. (On loopback the
 * kernel's socket buffers absorb about 10 MiB, so this does not by itself
 * show that the API server paused its reading of the kubelet.)
 */
Test(proxy, log_survives_a_paused_reader)
{
        struct env e;
        struct slow_reader sr = { .pause_once = true };
        struct kl_http_client *c = NULL;
        struct kl_err *err = NULL;
        kl_autofree char *url = NULL;

        env_start(&e);
        make_pod(&e, "big", "n1", one_container, "Running");
        url = kl_asprintf("%s/api/v1/namespaces/default/pods/big/log?follow=true", e.url);
        {
                const struct kl_http_client_opts o = { .ca_pem = e.ca_pem,
                                                       .cert_pem = e.admin_pem,
                                                       .key_pem = e.admin_key };
                const struct kl_http_call_opts call = { .method = "GET",
                                                        .url = url,
                                                        .data = slow_data,
                                                        .done = slow_done,
                                                        .arg = &sr };

                cr_assert_eq(kl_http_client_new(&e.loop, &o, &c, &err), 0);
                cr_assert_eq(kl_http_call_start(c, &call, &sr.call, &err), 0);
        }
        run_until(&e.loop, &sr.paused);
        /*
         * While kubectl reads nothing, wait for the kubelet's writing to come
         * to rest (no progress over five checks 200 ms apart) or to end.
         */
        {
                uv_timer_t t;
                struct quiet q = { .e = &e };

                cr_assert_eq(uv_timer_init(&e.loop, &t), 0);
                t.data = &q;
                cr_assert_eq(uv_timer_start(&t, quiet_check, 200, 200), 0);
                run_until(&e.loop, &q.quiet);
                uv_close((uv_handle_t *)&t, NULL);
        }
        kl_http_call_resume(sr.call);
        run_until(&e.loop, &sr.done);
        cr_expect_eq(sr.r, 0);
        cr_expect_eq(sr.status, 200);
        cr_expect_eq(sr.got, BIG_LOG);
        cr_expect(!sr.mismatch);
        kl_http_client_free(c);
        env_stop(&e);
}

/* ------------------------------------------------------------------------- */
/* kubectl: WebSockets */

struct wsc {
        struct kl_http_ws_client *c;
        bool connected, closed;
        int r, status, close_code;
        char body[1024];
        char out[4096]; /* channel 1 */
        char err[256];  /* channel 2 */
        char status3[512];
        int pongs;
        char pong[126];
};

static void wsc_connect(struct kl_http_ws_client *c, int r, int status, const char *ct,
                        const char *body, size_t len, const struct kl_err *err, void *userdata)
{
        struct wsc *w = userdata;

        (void)c;
        (void)ct;
        (void)err;
        w->connected = true;
        w->r = r;
        w->status = status;
        (void)snprintf(w->body, sizeof(w->body), "%.*s", (int)len, body ? body : "");
}

static void wsc_message(struct kl_http_ws_client *c, enum kl_http_ws_opcode op, const void *data,
                        size_t len, void *userdata)
{
        struct wsc *w = userdata;
        const char *d = data;
        char *dst;
        size_t size;

        (void)c;
        cr_expect_eq(op, KL_HTTP_WS_BINARY);
        if (len < 1)
                return;
        switch (d[0]) {
        case 1:
                dst = w->out;
                size = sizeof(w->out);
                break;
        case 2:
                dst = w->err;
                size = sizeof(w->err);
                break;
        case 3:
                dst = w->status3;
                size = sizeof(w->status3);
                break;
        default:
                return;
        }
        (void)snprintf(dst + strlen(dst), size - strlen(dst), "%.*s", (int)(len - 1), d + 1);
}

static void wsc_close(struct kl_http_ws_client *c, int code, void *userdata)
{
        struct wsc *w = userdata;

        (void)c;
        w->closed = true;
        w->close_code = code;
}

static void wsc_pong(struct kl_http_ws_client *c, const void *data, size_t len, void *userdata)
{
        struct wsc *w = userdata;

        (void)c;
        w->pongs++;
        (void)snprintf(w->pong, sizeof(w->pong), "%.*s", (int)len, (const char *)data);
}

static void ws_open(struct env *e, const char *path, struct wsc *w)
{
        kl_autofree char *url = kl_asprintf("%s%s", e->wss, path);
        struct kl_err *err = NULL;
        const struct kl_http_ws_client_opts o = { .url = url,
                                                  .subprotocol = "v5.channel.k8s.io",
                                                  .ca_pem = e->ca_pem,
                                                  .cert_pem = e->admin_pem,
                                                  .key_pem = e->admin_key,
                                                  .on_connect = wsc_connect,
                                                  .on_message = wsc_message,
                                                  .on_close = wsc_close,
                                                  .on_pong = wsc_pong,
                                                  .userdata = w };

        memset(w, 0, sizeof(*w));
        cr_assert_eq(kl_http_ws_client_connect(&e->loop, &o, &w->c, &err), 0, "%s",
                     kl_err_msg(err));
        run_until(&e->loop, &w->connected);
}

Test(proxy, exec_relays_channels_both_ways)
{
        struct env e;
        struct wsc w;
        static const char in[] = "\0hello";
        static const uint8_t eof[] = { 255, 0 };

        env_start(&e);
        ws_open(&e,
                "/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=echo%20hi"
                "&container=a&stdin=true&stdout=true&stderr=true",
                &w);
        cr_assert_eq(w.r, 0);
        cr_assert_eq(w.status, 101, "%s", w.body);
        cr_expect_str_eq(kl_http_ws_client_protocol(w.c), "v5.channel.k8s.io");
        cr_expect_str_eq(e.seen.target, "/exec/default/web/a?command=sh&command=-c"
                                        "&command=echo%20hi&stdin=true&stdout=true&stderr=true");
        cr_expect_str_eq(e.seen.cn, "kube-apiserver-kubelet-client");

        cr_assert_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, in, sizeof(in) - 1), 0);
        while (strlen(w.out) < 5 || strlen(w.err) < 1)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_str_eq(w.out, "hello");
        cr_expect_str_eq(w.err, "5");

        /* stdin EOF: the kubelet answers with the status and closes; so does the proxy. */
        cr_assert_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, eof, sizeof(eof)), 0);
        run_until(&e.loop, &w.closed);
        cr_expect_str_eq(w.status3, "{\"metadata\":{},\"status\":\"Success\"}");
        cr_expect_eq(w.close_code, 1000);
        run_until(&e.loop, &e.kubelet_closed);
        cr_expect_eq(e.kubelet_close_code, 1000);
        kl_http_ws_client_free(w.c);
        env_stop(&e);
}

/* kubectl's heartbeat (§16.1): the API server answers its pings itself, with the payload. */
Test(proxy, pings_are_answered)
{
        struct env e;
        struct wsc w;

        env_start(&e);
        ws_open(&e, "/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true",
                &w);
        cr_assert_eq(w.status, 101, "%s", w.body);
        cr_assert_eq(kl_http_ws_client_ping(w.c, "beat-1", 6), 0);
        while (w.pongs < 1)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_str_eq(w.pong, "beat-1");
        cr_assert_eq(kl_http_ws_client_ping(w.c, "beat-2", 6), 0);
        while (w.pongs < 2)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_str_eq(w.pong, "beat-2");
        /* The stream is untouched by the heartbeat. */
        cr_assert_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, "\0x", 2), 0);
        while (strlen(w.out) < 1)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_str_eq(w.out, "x");
        kl_http_ws_client_free(w.c);
        env_stop(&e);
}

Test(proxy, kubectl_close_reaches_the_kubelet)
{
        struct env e;
        struct wsc w;

        env_start(&e);
        ws_open(&e, "/api/v1/namespaces/default/pods/web/attach?stdin=true&stdout=true&tty=true",
                &w);
        cr_assert_eq(w.status, 101, "%s", w.body);
        cr_expect_str_eq(e.seen.target, "/attach/default/web/a?stdin=true&stdout=true&tty=true");
        cr_assert_eq(kl_http_ws_client_close(w.c, 1000, NULL), 0);
        run_until(&e.loop, &e.kubelet_closed);
        cr_expect_eq(e.kubelet_close_code, 1000);
        run_until(&e.loop, &w.closed);
        kl_http_ws_client_free(w.c);
        env_stop(&e);
}

/* The kubelet shuts down under a running exec: kubectl's WebSocket ends with its code. */
Test(proxy, kubelet_going_away_closes_kubectl)
{
        struct env e;
        struct wsc w;
        bool kclosed = false;

        env_start(&e);
        ws_open(&e, "/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true",
                &w);
        cr_assert_eq(w.status, 101, "%s", w.body);
        e.kws = kl_http_ws_unref(e.kws);
        kl_http_server_close(e.kubelet, 0, on_kubelet_closed, &kclosed);
        e.kubelet = NULL;
        run_until(&e.loop, &w.closed);
        cr_expect_eq(w.close_code, 1001);
        run_until(&e.loop, &kclosed);
        /* Nothing is left to relay to. */
        cr_expect_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, "\0x", 2), -ECONNRESET);
        kl_http_ws_client_free(w.c);
        env_stop(&e);
}

/* A node's credentials may not read logs or exec (only the admin group may, until RBAC). */
Test(proxy, nodes_may_not_stream)
{
        static const char *const orgs[] = { "system:nodes", NULL };
        struct env e;
        struct kl_err *err = NULL;
        EVP_PKEY *key = NULL;
        X509 *cert = NULL;
        char *cert_pem = NULL, *key_pem = NULL;
        kl_autofree char *url = NULL;
        struct kl_http_client *c = NULL;
        struct call out = { 0 };

        env_start(&e);
        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, &err), 0);
        cr_assert_eq(kl_pki_cert_issue(kl_pki_server_client_ca(e.s->pki),
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT,
                                                                  .cn = "system:node:n1",
                                                                  .orgs = orgs },
                                       key, &cert, &err),
                     0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_pki_cert_to_pem(cert, &cert_pem, &err), 0);
        cr_assert_eq(kl_pki_key_to_pem(key, &key_pem, &err), 0);
        X509_free(cert);
        EVP_PKEY_free(key);
        url = kl_asprintf("%s/api/v1/namespaces/default/pods/web/log", e.url);
        {
                const struct kl_http_client_opts co = { .ca_pem = e.ca_pem,
                                                        .cert_pem = cert_pem,
                                                        .key_pem = key_pem };
                const struct kl_http_call_opts o = {
                        .method = "GET", .url = url, .done = call_done, .arg = &out
                };

                cr_assert_eq(kl_http_client_new(&e.loop, &co, &c, &err), 0);
                cr_assert_eq(kl_http_call_start(c, &o, NULL, &err), 0);
                run_until(&e.loop, &out.done);
                kl_http_client_free(c);
        }
        cr_expect_eq(out.status, 403, "%s", out.body);
        cr_expect(strstr(out.body, "\"reason\":\"Forbidden\"") != NULL, "%s", out.body);
        cr_expect_eq(e.seen.requests, 0);
        free(out.body);
        free(cert_pem);
        kl_pki_secret_free(key_pem);
        env_stop(&e);
}

struct ws_error_case {
        const char *path;
        const char *message;
        int status;
};

Test(proxy, exec_errors_as_upstream)
{
        static const struct ws_error_case cases[] = {
                { "/api/v1/namespaces/default/pods/web2/exec?command=ls&container=gone&stdout=true",
                  "container not found (\"gone\")", 404 },
                { "/api/v1/namespaces/default/pods/pending/exec?command=ls&stdout=true",
                  "pod pending does not have a host assigned", 400 },
                { "/api/v1/namespaces/default/pods/done/exec?command=ls&stdout=true",
                  "cannot exec into a container in a completed pod; current phase is Succeeded",
                  400 },
                { "/api/v1/namespaces/default/pods/web/exec?command=ls&container=x&stdout=true",
                  "container x is not valid for pod web", 400 },
                { "/api/v1/namespaces/default/pods/nope/attach?stdout=true",
                  "pods \"nope\" not found", 404 },
        };
        struct env e;

        env_start(&e);
        make_pod(&e, "pending", NULL, one_container, NULL);
        make_pod(&e, "done", "n1", one_container, "Succeeded");
        /* A container the kubelet does not know: its refusal is relayed with its code. */
        write_obj(&e, "pods", "default", NULL, NULL,
                  "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web2\"},"
                  "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"a\",\"image\":"
                  "\"busybox\"},{\"name\":\"gone\",\"image\":\"busybox\"}]}}");
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct wsc w;
                char msg[512];
                const char *path = cases[i].path;

                ws_open(&e, path, &w);
                cr_expect_eq(w.r, 0, "%s", path);
                cr_expect_eq(w.status, cases[i].status, "%s: %d %s", path, w.status, w.body);
                cr_expect_str_eq(status_message(w.body, msg, sizeof(msg)), cases[i].message, "%s",
                                 path);
                kl_http_ws_client_free(w.c);
        }
        env_stop(&e);
}

/* A POST that asks for no upgrade at all (neither WebSocket nor SPDY/3.1) is refused. */
Test(proxy, post_without_upgrade_gets_upgrade_required)
{
        struct env e;
        struct call c;
        char msg[256];

        env_start(&e);
        request(&e, "POST", "/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true",
                false, &c);
        cr_expect_eq(c.status, 400);
        cr_expect_str_eq(status_message(c.body, msg, sizeof(msg)), "Upgrade request required");
        free(c.body);
        request(&e, "PUT", "/api/v1/namespaces/default/pods/web/log", false, &c);
        cr_expect_eq(c.status, 405);
        free(c.body);
        cr_expect_eq(e.seen.requests, 0);
        env_stop(&e);
}

/* ------------------------------------------------------------------------- */
/* kubectl: SPDY/3.1 (kubectl's fallback), relayed byte for byte */

struct rawc {
        struct kl_http_ws_client *c;
        bool connected, closed;
        int r, status, close_code;
        char body[1024];
        struct kl_buf got;
};

static void rawc_connect(struct kl_http_ws_client *c, int r, int status, const char *ct,
                         const char *body, size_t len, const struct kl_err *err, void *userdata)
{
        struct rawc *w = userdata;

        (void)c;
        (void)ct;
        (void)err;
        w->connected = true;
        w->r = r;
        w->status = status;
        (void)snprintf(w->body, sizeof(w->body), "%.*s", (int)len, body ? body : "");
}

static void rawc_message(struct kl_http_ws_client *c, enum kl_http_ws_opcode op, const void *data,
                         size_t len, void *userdata)
{
        struct rawc *w = userdata;

        (void)c;
        (void)op;
        cr_assert_eq(kl_buf_append(&w->got, data, len), 0);
}

static void rawc_close(struct kl_http_ws_client *c, int code, void *userdata)
{
        struct rawc *w = userdata;

        (void)c;
        w->closed = true;
        w->close_code = code;
}

static void spdy_open(struct env *e, const char *path, const char *protocols, struct rawc *w)
{
        kl_autofree char *url = kl_asprintf("%s%s", e->url, path);
        struct kl_err *err = NULL;
        const struct kl_http_ws_client_opts o = { .url = url,
                                                  .spdy_protocols = protocols,
                                                  .ca_pem = e->ca_pem,
                                                  .cert_pem = e->admin_pem,
                                                  .key_pem = e->admin_key,
                                                  .on_connect = rawc_connect,
                                                  .on_message = rawc_message,
                                                  .on_close = rawc_close,
                                                  .userdata = w };

        memset(w, 0, sizeof(*w));
        kl_buf_init(&w->got, SIZE_MAX);
        cr_assert_eq(kl_http_ws_client_connect(&e->loop, &o, &w->c, &err), 0, "%s",
                     kl_err_msg(err));
        run_until(&e->loop, &w->connected);
}

static void spdy_close(struct rawc *w)
{
        kl_http_ws_client_free(w->c);
        kl_buf_release(&w->got);
}

/* kubectl's SPDY offer reaches the kubelet; its choice comes back; bytes flow as they are. */
Test(proxy, spdy_exec_relays_bytes_both_ways)
{
        static const char frame[] = "\x80\x03\x00\x01 a SYN_STREAM, say";
        struct env e;
        struct rawc w;

        env_start(&e);
        spdy_open(&e,
                  "/api/v1/namespaces/default/pods/web/exec?command=ls&container=a&stdout=true"
                  "&stderr=true",
                  "v5.channel.k8s.io,v4.channel.k8s.io,v3.channel.k8s.io,v2.channel.k8s.io,"
                  "channel.k8s.io",
                  &w);
        cr_assert_eq(w.r, 0);
        cr_assert_eq(w.status, 101, "%s", w.body);
        cr_expect_str_eq(kl_http_ws_client_protocol(w.c), "v4.channel.k8s.io");
        cr_expect_str_eq(e.seen.target, "/exec/default/web/a?command=ls&stdout=true&stderr=true");
        cr_expect_str_eq(e.seen.offered, "v5.channel.k8s.io,v4.channel.k8s.io,v3.channel.k8s.io,"
                                         "v2.channel.k8s.io,channel.k8s.io");
        cr_expect_str_eq(e.seen.cn, "kube-apiserver-kubelet-client");

        cr_assert_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, frame, sizeof(frame) - 1), 0);
        while (w.got.len < sizeof(frame) - 1)
                (void)kl_loop_run(&e.loop, UV_RUN_ONCE);
        cr_expect_eq(w.got.len, sizeof(frame) - 1);
        cr_expect_eq(memcmp(w.got.buf, frame, sizeof(frame) - 1), 0);

        /* kubectl goes: the kubelet's connection ends too. */
        cr_assert_eq(kl_http_ws_client_close(w.c, 1000, NULL), 0);
        run_until(&e.loop, &e.kubelet_closed);
        run_until(&e.loop, &w.closed);
        spdy_close(&w);
        e.kraw = kl_http_ws_unref(e.kraw);
        env_stop(&e);
}

/* port-forward over SPDY: portforward.k8s.io; the kubelet's end reaches kubectl. */
Test(proxy, spdy_portforward_relays_and_kubelet_close_ends_it)
{
        struct env e;
        struct rawc w;

        env_start(&e);
        spdy_open(&e, "/api/v1/namespaces/default/pods/web/portforward", "portforward.k8s.io", &w);
        cr_assert_eq(w.status, 101, "%s", w.body);
        cr_expect_str_eq(kl_http_ws_client_protocol(w.c), "portforward.k8s.io");
        cr_expect_str_eq(e.seen.target, "/portForward/default/web");
        cr_expect_str_eq(e.seen.offered, "portforward.k8s.io");
        cr_assert_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, "close", 5), 0);
        run_until(&e.loop, &w.closed);
        cr_expect_eq(e.kraw_got, 5);
        cr_expect_eq(kl_http_ws_client_send(w.c, KL_HTTP_WS_BINARY, "x", 1), -ECONNRESET);
        spdy_close(&w);
        e.kraw = kl_http_ws_unref(e.kraw);
        env_stop(&e);
}

/* SPDY offers nothing the kubelet speaks: refused before the kubelet is asked. */
Test(proxy, spdy_without_a_known_protocol_is_refused)
{
        static const struct {
                const char *path, *protocols, *message;
        } cases[] = {
                { "/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true",
                  "v9.channel.k8s.io",
                  "no supported stream protocol requested (v4.channel.k8s.io)" },
                { "/api/v1/namespaces/default/pods/web/portforward", "v4.channel.k8s.io",
                  "no supported stream protocol requested (portforward.k8s.io)" },
        };
        struct env e;

        env_start(&e);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct rawc w;
                char msg[256];

                spdy_open(&e, cases[i].path, cases[i].protocols, &w);
                cr_expect_eq(w.r, 0);
                cr_expect_eq(w.status, 400, "%s", w.body);
                cr_expect_str_eq(status_message(w.body, msg, sizeof(msg)), cases[i].message);
                spdy_close(&w);
        }
        cr_expect_eq(e.seen.requests, 0);
        env_stop(&e);
}

/*
 * Aggregated discovery (what kubectl 1.32 reads) lists pods/attach, exec, log
 * and portforward with upstream's response kinds and verbs.
 */
Test(proxy, discovery_lists_the_subresources)
{
        static const struct {
                const char *name, *kind, *verbs;
        } want[] = {
                { "attach", "PodAttachOptions", "[\"create\",\"get\"]" },
                { "exec", "PodExecOptions", "[\"create\",\"get\"]" },
                { "log", "Pod", "[\"get\"]" },
                { "portforward", "PodPortForwardOptions", "[\"create\",\"get\"]" },
        };
        struct env e;
        struct call c;
        json_auto_t *doc = NULL;
        const json_t *pods = NULL, *subs;
        size_t i;
        json_t *r;

        env_start(&e);
        request_accept(&e, "/api",
                       "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", &c);
        cr_assert_eq(c.status, 200, "%s", c.body);
        doc = json_loads(c.body, 0, NULL);
        free(c.body);
        cr_assert(doc);
        json_array_foreach(
                json_object_get(
                        json_array_get(
                                json_object_get(json_array_get(json_object_get(doc, "items"), 0),
                                                "versions"),
                                0),
                        "resources"),
                i, r) {
                if (kl_streq(json_string_value(json_object_get(r, "resource")), "pods"))
                        pods = r;
        }
        cr_assert(pods);
        subs = json_object_get(pods, "subresources");
        for (size_t k = 0; k < KL_ARRAY_SIZE(want); k++) {
                bool found = false;

                json_array_foreach(subs, i, r) {
                        char *verbs;

                        if (!kl_streq(json_string_value(json_object_get(r, "subresource")),
                                      want[k].name))
                                continue;
                        found = true;
                        cr_expect_str_eq(json_string_value(json_object_get(
                                                 json_object_get(r, "responseKind"), "kind")),
                                         want[k].kind);
                        verbs = json_dumps(json_object_get(r, "verbs"), JSON_COMPACT);
                        cr_expect_str_eq(verbs, want[k].verbs, "%s", want[k].name);
                        free(verbs);
                }
                cr_expect(found, "pods/%s missing", want[k].name);
        }
        env_stop(&e);
}
