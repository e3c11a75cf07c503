/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming server on :10250 (agent.h): what the kubelet's server
 * (pkg/kubelet/server) is to the API server's pods/log, pods/exec and
 * pods/attach. This file has the server object, TLS, authentication and
 * authorization, and the routes; server-logs.c and server-stream.c serve
 * the requests.
 *
 * Authentication: the client certificate, verified against the client CA by
 * the HTTP layer (which asks for one and reports it only when it verifies);
 * none is 401 "Unauthorized". Authorization stands in for upstream's
 * SubjectAccessReview of nodes/proxy: system:masters members and the API
 * server's kubelet client are allowed, anyone else is 403 with upstream's
 * wording. /healthz is behind the same checks, as on the kubelet's secure
 * port.
 *
 * Lifetime: the server holds one reference while it runs, each session
 * (log stream, exec, attach) and each lookup in flight one more, and the
 * HTTP server's close counts as a pending close; the stop callback runs and
 * the memory goes when all are gone.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <jansson.h>

#include "agent/server-internal.h"
#include "loop/loop.h"
#include "pki/pki.h"

#define DEFAULT_MAX_SESSIONS 256u
#define DEFAULT_QUEUE_HIGH   ((size_t)1 << 20)
#define STOP_GRACE           (1 * KL_USEC_PER_SEC)
#define MASTERS_GROUP        "system:masters"

struct kl_agent_server {
        uv_loop_t *loop;                /* borrowed */
        struct kl_ctr_runtime *runtime; /* borrowed until the stop callback */
        struct kl_http_server *http;    /* owned; closed by kl_agent_server_stop() */
        char *node_name;                /* owned */
        char *cert_pem;                 /* owned: the serving chain, or NULL without TLS */
        bool insecure;
        unsigned max_sessions;
        unsigned sessions;
        size_t queue_high;

        unsigned refs;  /* 1 while running + 1 per session */
        bool http_open; /* the HTTP server's close callback has not run yet */
        bool stopped;
        kl_agent_server_stopped_fn *stopped_cb;
        void *stopped_arg; /* borrowed */
};

static void server_maybe_free(struct kl_agent_server *s)
{
        kl_agent_server_stopped_fn *cb;
        void *arg;

        if (s->refs > 0 || s->http_open)
                return;
        cb = s->stopped_cb;
        arg = s->stopped_arg;
        free(s->node_name);
        free(s->cert_pem);
        free(s);
        if (cb)
                cb(arg);
}

struct kl_ctr_runtime *kl_agent__server_runtime(const struct kl_agent_server *s)
{
        return s->runtime;
}

uv_loop_t *kl_agent__server_loop(const struct kl_agent_server *s)
{
        return s->loop;
}

size_t kl_agent__server_queue_high(const struct kl_agent_server *s)
{
        return s->queue_high;
}

bool kl_agent__server_session_begin(struct kl_agent_server *s)
{
        if (s->stopped || s->sessions >= s->max_sessions)
                return false;
        s->sessions++;
        s->refs++;
        return true;
}

void kl_agent__server_session_end(struct kl_agent_server *s)
{
        kl_assert(s->sessions > 0 && s->refs > 0);
        s->sessions--;
        s->refs--;
        server_maybe_free(s);
}

/* ------------------------------------------------------------------------- */
/* Status objects */

char *kl_agent__status_json(const struct kl_err *e, const char *kind, const char *name)
{
        json_auto_t *st =
                json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status", "apiVersion", "v1",
                          "metadata", "status", "Failure", "message", kl_err_msg(e), "reason",
                          kl_err_reason(e), "code", kl_err_http_status(e));

        kl_assert(st);
        if (kind || name) {
                json_t *d = json_object();

                if (name)
                        (void)json_object_set_new(d, "name", json_string(name));
                if (kind)
                        (void)json_object_set_new(d, "kind", json_string(kind));
                (void)json_object_set_new(st, "details", d);
        }
        return json_dumps(st, JSON_COMPACT);
}

void kl_agent__respond_error(struct kl_http_req *req, const struct kl_err *e, const char *kind,
                             const char *name)
{
        char *body = kl_agent__status_json(e, kind, name);

        (void)kl_http_respond_take(req, kl_err_http_status(e), "application/json", body,
                                   strlen(body));
}

static void respond_msg(struct kl_http_req *req, int code, const char *fmt, ...) KL_PRINTF(3, 4);
static void respond_msg(struct kl_http_req *req, int code, const char *fmt, ...)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = kl_vasprintf(fmt, ap);
        va_end(ap);
        (void)kl_err_set_msg(&e, code, "%s", msg);
        kl_agent__respond_error(req, e, NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Authentication and authorization */

static const char *verb_of(const char *method)
{
        if (kl_streq(method, "POST"))
                return "create";
        if (kl_streq(method, "PUT"))
                return "update";
        if (kl_streq(method, "PATCH"))
                return "patch";
        if (kl_streq(method, "DELETE"))
                return "delete";
        return "get";
}

/* True when the request may go on; otherwise it has been answered. */
static bool authorize(struct kl_agent_server *s, struct kl_http_req *req)
{
        const struct kl_http_client_cert *cert;

        if (s->insecure)
                return true;
        cert = kl_http_req_client_cert(req);
        if (!cert) {
                respond_msg(req, -KL_EUNAUTHORIZED, "Unauthorized");
                return false;
        }
        if (kl_streq(cert->common_name, KL_AGENT_SERVER_APISERVER_CN))
                return true;
        for (size_t i = 0; i < cert->n_organizations; i++)
                if (kl_streq(cert->organizations[i], MASTERS_GROUP))
                        return true;
        /* Upstream's kubelet authorizer: every path here is nodes/proxy. */
        respond_msg(req, -EACCES, "Forbidden (user=%s, verb=%s, resource=nodes, subresource=proxy)",
                    cert->common_name, verb_of(kl_http_req_method(req)));
        return false;
}

/* ------------------------------------------------------------------------- */
/* Routes */

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)(c | 0x20);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A path segment, percent-decoded: non-empty, without NUL or '/'. */
static int unescape_segment(const char *s, size_t len, char **ret)
{
        kl_autofree char *out = kl_malloc(len + 1);
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                int hi, lo;

                if (s[i] != '%') {
                        out[n++] = s[i];
                        continue;
                }
                if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
                        return -EINVAL;
                if (hi == 0 && lo == 0)
                        return -EINVAL;
                if ((hi << 4 | lo) == '/')
                        return -EINVAL;
                out[n++] = (char)(hi << 4 | lo);
                i += 2;
        }
        if (n == 0)
                return -EINVAL;
        out[n] = '\0';
        *ret = KL_TAKE_PTR(out);
        return 0;
}

/* "{ns}/{pod}/{container}" after a route's prefix: exactly three non-empty segments. */
static int three_segments(const char *rest, char **ret_ns, char **ret_pod, char **ret_ctr)
{
        kl_autofree char *ns = NULL, *pod = NULL, *ctr = NULL;
        const char *a = strchr(rest, '/'), *b = a ? strchr(a + 1, '/') : NULL;

        if (!a || !b || strchr(b + 1, '/'))
                return -EINVAL;
        if (unescape_segment(rest, (size_t)(a - rest), &ns) < 0 ||
            unescape_segment(a + 1, (size_t)(b - a - 1), &pod) < 0 ||
            unescape_segment(b + 1, strlen(b + 1), &ctr) < 0)
                return -EINVAL;
        *ret_ns = KL_TAKE_PTR(ns);
        *ret_pod = KL_TAKE_PTR(pod);
        *ret_ctr = KL_TAKE_PTR(ctr);
        return 0;
}

static void handle(struct kl_http_req *req, void *userdata)
{
        struct kl_agent_server *s = userdata;
        const char *path = kl_http_req_path(req), *method = kl_http_req_method(req), *rest;
        kl_autofree char *ns = NULL, *pod = NULL, *ctr = NULL;
        bool exec = false;

        if (s->stopped) {
                (void)kl_http_respond_status(req, 503);
                return;
        }
        if (!authorize(s, req))
                return;
        if (kl_streq(path, "/healthz")) {
                (void)kl_http_respond(req, 200, "text/plain; charset=utf-8", "ok", 2);
                return;
        }
        if ((rest = kl_startswith(path, "/containerLogs/"))) {
                if (!kl_streq(method, "GET") && !kl_streq(method, "HEAD")) {
                        respond_msg(req, -KL_EMETHOD_NOT_ALLOWED, "method %s not allowed", method);
                        return;
                }
                if (three_segments(rest, &ns, &pod, &ctr) < 0) {
                        respond_msg(req, -EINVAL, "Missing podNamespace, podID or containerName.");
                        return;
                }
                kl_agent__logs_serve(s, req, ns, pod, ctr);
                return;
        }
        if ((rest = kl_startswith(path, "/exec/")) || (rest = kl_startswith(path, "/attach/"))) {
                exec = kl_startswith(path, "/exec/") != NULL;
                if (!kl_streq(method, "GET") && !kl_streq(method, "POST")) {
                        respond_msg(req, -KL_EMETHOD_NOT_ALLOWED, "method %s not allowed", method);
                        return;
                }
                if (three_segments(rest, &ns, &pod, &ctr) < 0) {
                        respond_msg(req, -EINVAL, "Missing podNamespace, podID or containerName.");
                        return;
                }
                kl_agent__stream_serve(s, req, exec, ns, pod, ctr);
                return;
        }
        /* port-forward: /portForward/{ns}/{pod} (server-portforward.c). */
        if ((rest = kl_startswith(path, "/portForward/"))) {
                const char *slash = strchr(rest, '/');

                if (!kl_streq(method, "GET") && !kl_streq(method, "POST")) {
                        respond_msg(req, -KL_EMETHOD_NOT_ALLOWED, "method %s not allowed", method);
                        return;
                }
                if (!slash || strchr(slash + 1, '/') ||
                    unescape_segment(rest, (size_t)(slash - rest), &ns) < 0 ||
                    unescape_segment(slash + 1, strlen(slash + 1), &pod) < 0) {
                        respond_msg(req, -EINVAL, "Missing podNamespace or podID.");
                        return;
                }
                kl_agent__portforward_serve(s, req, ns, pod);
                return;
        }
        respond_msg(req, -ENOENT, "the server could not find the requested resource");
}

/* ------------------------------------------------------------------------- */
/* Certificates */

/* A self-signed serving certificate, as the kubelet's GenerateSelfSignedCertKey. */
static int self_signed(const struct kl_agent_server_options *o, char **ret_cert, char **ret_key,
                       struct kl_err **err)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(X509_freep) X509 *leaf = NULL;
        kl_autofree char *ca_cn = NULL, *cn = NULL, *leaf_pem = NULL, *ca_pem = NULL;
        kl_autosecret char *key_pem = NULL;
        kl_autofree const char **sans = NULL;
        long long now = (long long)(kl_now_realtime() / KL_USEC_PER_SEC);
        size_t n = 0;
        int r;

        ca_cn = kl_asprintf("%s-ca@%lld", o->node_name, now);
        cn = kl_asprintf("%s@%lld", o->node_name, now);
        sans = kl_calloc(kl_strv_length((char *const *)o->node_ips) + 3, sizeof(char *));
        sans[n++] = o->node_name;
        for (size_t i = 0; o->node_ips && o->node_ips[i]; i++)
                sans[n++] = o->node_ips[i];
        sans[n++] = "127.0.0.1";
        r = kl_pki_ca_new(ca_cn, KL_PKI_KEY_ECDSA_P256, &ca, err);
        if (r >= 0)
                r = kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, err);
        if (r >= 0)
                r = kl_pki_cert_issue(ca,
                                      &(struct kl_pki_cert_req){
                                              .kind = KL_PKI_CERT_SERVER, .cn = cn, .sans = sans },
                                      key, &leaf, err);
        if (r >= 0)
                r = kl_pki_cert_to_pem(leaf, &leaf_pem, err);
        if (r >= 0)
                r = kl_pki_cert_to_pem(kl_pki_ca_cert(ca), &ca_pem, err);
        if (r >= 0)
                r = kl_pki_key_to_pem(key, &key_pem, err);
        if (r < 0)
                return kl_err_wrap(err, r, "make the serving certificate");
        *ret_cert = kl_asprintf("%s%s", leaf_pem, ca_pem);
        *ret_key = KL_TAKE_PTR(key_pem);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Start and stop */

int kl_agent_server_start(const struct kl_agent_server_options *opts, struct kl_agent_server **ret,
                          struct kl_err **err)
{
        kl_autosecret char *key_pem = NULL;
        kl_autofree char *cert_pem = NULL;
        struct kl_http_tls_config tls = { 0 };
        struct kl_agent_server *s;
        int r;

        if (!opts->loop || !opts->runtime)
                return kl_err_set(err, -EINVAL, "streaming server: no loop or runtime");
        kl_loop_assert_loop_thread(opts->loop);
        if (kl_isempty(opts->node_name))
                return kl_err_set(err, -EINVAL, "streaming server: no node name");
        if (!opts->insecure_no_tls) {
                if (kl_isempty(opts->client_ca_pem))
                        return kl_err_set(err, -EINVAL, "streaming server: no client CA");
                if (!opts->cert_pem != !opts->key_pem)
                        return kl_err_set(err, -EINVAL,
                                          "streaming server: a certificate needs its key");
                if (opts->cert_pem) {
                        cert_pem = kl_strdup(opts->cert_pem);
                        key_pem = kl_strdup(opts->key_pem);
                } else {
                        r = self_signed(opts, &cert_pem, &key_pem, err);
                        if (r < 0)
                                return r;
                }
                tls = (struct kl_http_tls_config){ .cert_pem = cert_pem,
                                                   .key_pem = key_pem,
                                                   .client_ca_pem = opts->client_ca_pem };
        }

        s = kl_new0(struct kl_agent_server);
        s->loop = opts->loop;
        s->runtime = opts->runtime;
        s->node_name = kl_strdup(opts->node_name);
        s->insecure = opts->insecure_no_tls;
        s->max_sessions = opts->max_sessions ? opts->max_sessions : DEFAULT_MAX_SESSIONS;
        s->queue_high = opts->queue_high ? opts->queue_high : DEFAULT_QUEUE_HIGH;
        s->refs = 1;
        r = kl_http_server_new(opts->loop,
                               &(struct kl_http_server_config){
                                       .handler = handle,
                                       .userdata = s,
                                       .tls = opts->insecure_no_tls ? NULL : &tls,
                               },
                               &s->http, err);
        if (r < 0) {
                free(s->node_name);
                free(s);
                return kl_err_wrap(err, r, "streaming server");
        }
        s->http_open = true;
        s->cert_pem = KL_TAKE_PTR(cert_pem);
        r = kl_http_server_listen(s->http, opts->address ? opts->address : "0.0.0.0", opts->port,
                                  err);
        if (r < 0) {
                r = kl_err_wrap(err, r, "streaming server");
                kl_agent_server_stop(s, NULL, NULL);
                return r;
        }
        *ret = s;
        return 0;
}

int kl_agent_server_port(const struct kl_agent_server *s)
{
        return kl_http_server_port(s->http);
}

const char *kl_agent_server_cert_pem(const struct kl_agent_server *s)
{
        return s->cert_pem;
}

static void on_http_closed(struct kl_http_server *h, void *userdata)
{
        struct kl_agent_server *s = userdata;

        (void)h;
        s->http_open = false;
        server_maybe_free(s);
}

void kl_agent_server_stop(struct kl_agent_server *s, kl_agent_server_stopped_fn *cb, void *arg)
{
        if (!s)
                return;
        kl_assert(!s->stopped);
        s->stopped = true;
        s->stopped_cb = cb;
        s->stopped_arg = arg;
        kl_http_server_close(s->http, STOP_GRACE, on_http_closed, s);
        kl_assert(s->refs > 0);
        s->refs--;
        server_maybe_free(s);
}
