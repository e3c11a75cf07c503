/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pods/log, pods/exec, pods/attach and pods/portforward: the API server's
 * side of streaming (kubectl-contract §15, §16.1, §17). The API server checks the pod and the
 * container as upstream's pod registry does (pkg/registry/core/pod/strategy.go
 * LogLocation/streamLocation), finds the kubelet of the pod's node (the
 * Node's first InternalIP, else Hostname, and daemonEndpoints.kubeletEndpoint
 * .Port, 10250 by default) and relays:
 *
 *   log          GET https://NODE:PORT/containerLogs/{ns}/{pod}/{container}?..
 *                through the HTTP client (libcurl), streamed to kubectl as a
 *                chunked text/plain response; the call pauses while the
 *                connection to kubectl has more than PROXY_HIGH bytes unsent
 *                and resumes from the request's drain callback.
 *   exec/attach  a WebSocket to https://NODE:PORT/exec|attach/{ns}/{pod}/{c}?..
 *                offering kubectl's subprotocol; once the kubelet answers 101
 *                kubectl's upgrade is accepted with the same subprotocol and
 *                messages are relayed both ways as they are. Pings from either
 *                side are answered by the side's own WebSocket code. When one
 *                side closes, the other is closed with the same code. A side
 *                whose peer has more than PROXY_HIGH unsent is paused; one
 *                timer per proxy resumes it once below PROXY_LOW.
 *   portforward  the same relay to https://NODE:PORT/portForward/{ns}/{pod}
 *                with the subprotocol SPDY/3.1+portforward.k8s.io (the
 *                messages carry an SPDY session the kubelet speaks; the
 *                relay does not look inside). No container; a completed pod
 *                is not refused (upstream's PortForwardLocation).
 *   SPDY/3.1     kubectl's fallback (and older clients' only way): a POST
 *                with `Upgrade: SPDY/3.1` and X-Stream-Protocol-Version
 *                fields. The same relay, byte for byte: the kubelet is asked
 *                for the same SPDY upgrade (the WebSocket client in raw mode,
 *                offering the versions kubectl offered), kubectl's upgrade is
 *                accepted with the version the kubelet chose, and the two raw
 *                connections are joined; the SPDY session (exec, attach,
 *                port-forward streams) is between kubectl and the kubelet.
 *                Anything else that is not an upgrade gets 400 "Upgrade
 *                request required".
 *
 * The kubelet's serving certificate is not verified (upstream's default
 * without --kubelet-certificate-authority); the API server presents the
 * client certificate CN=kube-apiserver-kubelet-client, O=system:masters from
 * the cluster's client CA, made at start next to the admin's.
 *
 * Ownership: the proxy (s->proxy) owns the HTTP client, the flow timer and
 * every live session (a list each for logs and streams). A session owns its
 * reference on the kubectl request (until answered), its call or WebSocket
 * client, and its reference on kubectl's WebSocket; it is freed exactly once,
 * by session_*_free(), from whichever event ends it.
 */
#include <arpa/inet.h>
#include <string.h>

#include "apiserver/apiserver-internal.h"
#include "json/json.h"

#define KUBELET_CLIENT_NAME "client-kube-apiserver-kubelet"
#define KUBELET_CLIENT_CN   "kube-apiserver-kubelet-client"
#define KUBELET_PORT        10250
/* Unsent bytes towards one side above which the other is paused, and below which it resumes. */
#define PROXY_HIGH   ((size_t)1 << 20)
#define PROXY_LOW    ((size_t)256 << 10)
#define FLOW_TICK_MS 20

struct log_session;
struct stream_session;

struct kl_apiserver__proxy {
        struct kl_apiserver *s;         /* borrowed: the owner */
        struct kl_http_client *http;    /* owned: logs */
        char *cert_pem;                 /* owned: the kubelet client certificate */
        char *key_pem;                  /* owned (a secret) */
        uv_timer_t flow;                /* owned: resumes paused streams */
        struct log_session *logs;       /* owned list */
        struct stream_session *streams; /* owned list */
        bool closing;
};

/* ------------------------------------------------------------------------- */
/* Responses */

static void respond_error(struct kl_http_req *req, int code, const char *msg,
                          const struct kl_api_resource *res, const char *name)
{
        json_auto_t *st = kl_apiserver__status_error(code, msg, res, name);

        kl_apiserver__respond_json(req, kl_err_code_http_status(code), st, NULL);
}

static const char *reason_of(int status)
{
        switch (status) {
        case 400:
                return "BadRequest";
        case 401:
                return "Unauthorized";
        case 403:
                return "Forbidden";
        case 404:
                return "NotFound";
        case 405:
                return "MethodNotAllowed";
        case 409:
                return "Conflict";
        case 429:
                return "TooManyRequests";
        case 503:
                return "ServiceUnavailable";
        case 504:
                return "Timeout";
        default:
                return status >= 500 ? "InternalError" : "";
        }
}

/*
 * The kubelet's error answer to kubectl with its code: a Status as it is,
 * anything else wrapped in one (upstream relays the kubelet's bytes; kubectl
 * only reads a Status, so a text body becomes its message).
 */
static void relay_error(struct kl_http_req *req, int status, const char *body, size_t len)
{
        json_auto_t *doc = NULL;
        json_auto_t *st = NULL;
        size_t n = len;

        if (status < 400 || status > 599)
                status = 500;
        if (kl_json_decode(body, len, KL_JSON_DEFAULT_MAX, &doc, NULL) == 0 &&
            kl_streq(json_string_value(json_object_get(doc, "kind")), "Status")) {
                kl_apiserver__respond_json(req, status, doc, NULL);
                return;
        }
        while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r'))
                n--;
        st = json_pack("{sssss{}sss+#sssi}", "kind", "Status", "apiVersion", "v1", "metadata",
                       "status", "Failure", "message", "", body ? body : "", (int)n, "reason",
                       reason_of(status), "code", status);
        kl_apiserver__respond_json(req, status, st, NULL);
}

/* ------------------------------------------------------------------------- */
/* Pod, container, node */

static void names_join(struct kl_buf *out, const json_t *containers)
{
        size_t i;
        json_t *c;

        json_array_foreach(containers, i, c) {
                const char *name = json_string_value(json_object_get(c, "name"));

                if (i > 0)
                        (void)kl_buf_putc(out, ' ');
                (void)kl_buf_puts(out, name ? name : "");
        }
}

static bool has_container(const json_t *spec, const char *name)
{
        static const char *const lists[] = { "containers", "initContainers",
                                             "ephemeralContainers" };

        for (size_t l = 0; l < KL_ARRAY_SIZE(lists); l++) {
                size_t i;
                json_t *c;

                json_array_foreach(json_object_get(spec, lists[l]), i, c) {
                        if (kl_streq(json_string_value(json_object_get(c, "name")), name))
                                return true;
                }
        }
        return false;
}

/*
 * The container a request means, with upstream's answers: the `container`
 * parameter (which must name a container, init or ephemeral one), else the
 * only container, else a 400 listing the choices. Result in the pool.
 */
static int pick_container(struct kl_pool *pool, const json_t *pod, const char *pod_name,
                          const char *param, const char **ret, struct kl_err **err)
{
        const json_t *spec = json_object_get(pod, "spec");
        const json_t *cs = json_object_get(spec, "containers");
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;

        if (!kl_isempty(param)) {
                if (!has_container(spec, param))
                        return kl_err_set_msg(err, -EINVAL, "container %s is not valid for pod %s",
                                              param, pod_name);
                *ret = param;
                return 0;
        }
        if (json_array_size(cs) == 1) {
                const char *only =
                        json_string_value(json_object_get(json_array_get(cs, 0), "name"));

                *ret = kl_pool_strdup(pool, only ? only : "");
                return 0;
        }
        if (json_array_size(cs) == 0)
                return kl_err_set_msg(err, -EINVAL, "a container name must be specified for pod %s",
                                      pod_name);
        (void)kl_buf_printf(&msg, "a container name must be specified for pod %s, choose one of: [",
                            pod_name);
        names_join(&msg, cs);
        (void)kl_buf_putc(&msg, ']');
        if (json_array_size(json_object_get(spec, "initContainers")) > 0) {
                (void)kl_buf_puts(&msg, " or one of the init containers: [");
                names_join(&msg, json_object_get(spec, "initContainers"));
                (void)kl_buf_putc(&msg, ']');
        }
        if (json_array_size(json_object_get(spec, "ephemeralContainers")) > 0) {
                (void)kl_buf_puts(&msg, " or one of the ephemeral containers: [");
                names_join(&msg, json_object_get(spec, "ephemeralContainers"));
                (void)kl_buf_putc(&msg, ']');
        }
        return kl_err_set_msg(err, -EINVAL, "%s", msg.buf);
}

/*
 * "https://ADDR:PORT" of the node's kubelet into the pool: the first
 * InternalIP, else the first Hostname; IPv6 in brackets.
 */
static int kubelet_base(struct kl_apiserver *s, struct kl_pool *pool, const char *node_name,
                        const char **ret, struct kl_err **err)
{
        const struct kl_api_resource *nodes = kl_api_resource_find("", "v1", "nodes");
        json_auto_t *node = NULL;
        const json_t *status, *addrs;
        const char *addr = NULL;
        json_int_t port;
        struct in6_addr a6;
        int r;

        r = kl_apiserver_get(s, nodes, NULL, node_name, &node, err);
        if (r < 0)
                return r;
        status = json_object_get(node, "status");
        addrs = json_object_get(status, "addresses");
        static const char *const types[] = { "InternalIP", "Hostname" };
        for (size_t t = 0; t < KL_ARRAY_SIZE(types) && !addr; t++) {
                size_t i;
                json_t *a;

                json_array_foreach(addrs, i, a) {
                        const char *v = json_string_value(json_object_get(a, "address"));

                        if (kl_streq(json_string_value(json_object_get(a, "type")), types[t]) &&
                            !kl_isempty(v)) {
                                addr = v;
                                break;
                        }
                }
        }
        if (!addr)
                return kl_err_set_msg(err, -EIO,
                                      "no preferred addresses found; known addresses: []");
        /* The address goes into a URL: nothing but what an IP or a host name holds. */
        for (const char *p = addr; *p; p++)
                if (!(*p == '.' || *p == ':' || *p == '-' || (*p >= '0' && *p <= '9') ||
                      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                        return kl_err_set_msg(err, -EIO, "node %s: bad address '%s'", node_name,
                                              addr);
        port = json_integer_value(json_object_get(
                json_object_get(json_object_get(status, "daemonEndpoints"), "kubeletEndpoint"),
                "Port"));
        if (port <= 0 || port > 65535)
                port = KUBELET_PORT;
        if (inet_pton(AF_INET6, addr, &a6) == 1)
                *ret = kl_pool_printf(pool, "https://[%s]:%d", addr, (int)port);
        else
                *ret = kl_pool_printf(pool, "https://%s:%d", addr, (int)port);
        return 0;
}

/* Append "&key=value" (escaped) for every query parameter named in `keep`. */
static void pass_params(struct kl_buf *url, const struct kl_apiserver__query *q,
                        const char *const *keep)
{
        bool first = true;

        for (size_t i = 0; i < q->n; i++) {
                if (!kl_strv_contains((char *const *)keep, q->keys[i]))
                        continue;
                (void)kl_buf_putc(url, first ? '?' : '&');
                first = false;
                kl_http_escape(url, q->keys[i]);
                (void)kl_buf_putc(url, '=');
                kl_http_escape(url, q->values[i]);
        }
}

/* ------------------------------------------------------------------------- */
/* pods/log */

struct log_session {
        struct log_session *next, *prev;
        struct kl_apiserver__proxy *p; /* borrowed */
        struct kl_http_req *req;       /* ref */
        struct kl_http_call *call;     /* borrowed from the client until done */
        struct kl_http_close_hook hook;
        bool started; /* the 200 head went out */
        bool paused;  /* the call waits for kubectl's connection to drain */
        bool in_data; /* inside the data callback */
        bool gone;    /* kubectl went away while in_data: free when it returns */
};

static void log_free(struct log_session *ls)
{
        struct kl_apiserver__proxy *p = ls->p;

        if (ls->prev)
                ls->prev->next = ls->next;
        else
                p->logs = ls->next;
        if (ls->next)
                ls->next->prev = ls->prev;
        kl_http_close_hook_remove(&ls->hook);
        kl_http_req_set_drain_cb(ls->req, NULL, NULL);
        kl_http_req_unref(ls->req);
        free(ls);
}

static void log_drain(struct kl_http_req *req, void *userdata)
{
        struct log_session *ls = userdata;

        (void)req;
        if (!ls->paused || !ls->call)
                return;
        ls->paused = false;
        kl_http_call_resume(ls->call);
}

static int log_data(void *arg, const char *data, size_t len)
{
        struct log_session *ls = arg;
        int r = 0;

        if (kl_http_req_output_queued(ls->req) > PROXY_HIGH) {
                ls->paused = true;
                return KL_HTTP_DATA_PAUSE;
        }
        ls->in_data = true;
        if (!ls->started) {
                ls->started = true;
                r = kl_http_stream_start(ls->req, 200, "text/plain");
        }
        if (r >= 0)
                r = kl_http_stream_write(ls->req, data, len);
        ls->in_data = false;
        if (ls->gone) {
                /* The close hook ran meanwhile and cancelled the call. */
                log_free(ls);
                return -ECONNRESET;
        }
        return r < 0 ? r : 0;
}

static void log_done(void *arg, int r, int status, const char *body, size_t len,
                     const struct kl_err *err)
{
        struct log_session *ls = arg;

        ls->call = NULL;
        if (ls->started) {
                (void)kl_http_stream_end(ls->req);
        } else if (r < 0) {
                respond_error(ls->req, -EIO,
                              kl_pool_printf(kl_http_req_pool(ls->req), "error dialing backend: %s",
                                             err ? kl_err_msg(err) : kl_strerror(r)),
                              NULL, NULL);
        } else if (status >= 200 && status < 300) {
                (void)kl_http_respond(ls->req, 200, "text/plain", "", 0);
        } else {
                relay_error(ls->req, status, body, len);
        }
        log_free(ls);
}

static void log_on_close(struct kl_http_req *req, int reason, void *userdata)
{
        struct log_session *ls = userdata;

        kl_http_call_cancel(ls->call);
        ls->call = NULL;
        if (reason == -ESHUTDOWN) {
                if (ls->started)
                        (void)kl_http_stream_end(req);
                else
                        respond_error(req, -KL_EUNAVAILABLE, "the server is shutting down", NULL,
                                      NULL);
        } else if (ls->started) {
                (void)kl_http_stream_end(req);
        } else {
                /* Gone: responding sends nothing and finishes the request. */
                (void)kl_http_respond_status(req, 500);
        }
        if (ls->in_data) {
                ls->gone = true;
                return;
        }
        log_free(ls);
}

static void serve_log(struct kl_apiserver *s, struct kl_http_req *req, const char *base,
                      const char *ns, const char *pod, const char *container,
                      const struct kl_apiserver__query *q)
{
        static const char *const keep[] = { "follow",    "previous",   "tailLines",  "sinceSeconds",
                                            "sinceTime", "timestamps", "limitBytes", NULL };
        struct kl_apiserver__proxy *p = s->proxy;
        kl_autobuf struct kl_buf url = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        struct log_session *ls;
        int r;

        (void)kl_buf_printf(&url, "%s/containerLogs/", base);
        kl_http_escape(&url, ns);
        (void)kl_buf_putc(&url, '/');
        kl_http_escape(&url, pod);
        (void)kl_buf_putc(&url, '/');
        kl_http_escape(&url, container);
        pass_params(&url, q, keep);

        ls = kl_new0(struct log_session);
        ls->p = p;
        ls->req = kl_http_req_ref(req);
        r = kl_http_call_start(p->http,
                               &(struct kl_http_call_opts){ .method = "GET",
                                                            .url = url.buf,
                                                            .accept = "*/*",
                                                            .data = log_data,
                                                            .done = log_done,
                                                            .arg = ls },
                               &ls->call, &e);
        if (r < 0) {
                respond_error(req, -EIO, kl_err_msg(e), NULL, NULL);
                kl_http_req_unref(ls->req);
                free(ls);
                return;
        }
        ls->next = p->logs;
        if (p->logs)
                p->logs->prev = ls;
        p->logs = ls;
        kl_http_req_set_drain_cb(req, log_drain, ls);
        r = kl_http_req_add_close_hook(req, &ls->hook, log_on_close, ls);
        if (r < 0)
                log_on_close(req, r, ls);
}

/* ------------------------------------------------------------------------- */
/* pods/exec, pods/attach */

struct stream_session {
        struct stream_session *next, *prev;
        struct kl_apiserver__proxy *p;   /* borrowed */
        struct kl_http_req *req;         /* ref until kubectl's upgrade is answered */
        struct kl_http_close_hook hook;  /* kubectl going away before the answer */
        struct kl_http_ws_client *agent; /* owned */
        struct kl_http_ws *ws;           /* ref: kubectl's, once accepted */
        char protocol[64];
        bool spdy; /* both sides are raw SPDY/3.1 connections */
        bool agent_paused, kubectl_paused;
};

static void stream_free(struct stream_session *ss)
{
        struct kl_apiserver__proxy *p = ss->p;

        if (ss->prev)
                ss->prev->next = ss->next;
        else
                p->streams = ss->next;
        if (ss->next)
                ss->next->prev = ss->prev;
        kl_http_close_hook_remove(&ss->hook);
        kl_http_ws_client_free(ss->agent);
        kl_http_ws_unref(ss->ws);
        kl_http_req_unref(ss->req);
        free(ss);
}

/* Codes a close frame may carry (RFC 6455 §7.4): others become 1011 or 1000. */
static uint16_t relay_code(int code)
{
        if (code == 1005)
                return 1000;
        if (code == 1006 || code < 1000 || code > 4999 || code == 1015)
                return 1011;
        return (uint16_t)code;
}

static void on_flow(uv_timer_t *t);

static void flow_start(struct kl_apiserver__proxy *p)
{
        if (!uv_is_active((uv_handle_t *)&p->flow))
                (void)uv_timer_start(&p->flow, on_flow, FLOW_TICK_MS, FLOW_TICK_MS);
}

static void kubectl_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                            size_t len, void *userdata)
{
        struct stream_session *ss = userdata;

        (void)ws;
        if (!ss->agent)
                return;
        if (kl_http_ws_client_send(ss->agent, op, data, len) == -ENOBUFS) {
                (void)kl_http_ws_close(ss->ws, 1011, "kubelet stream overloaded");
                return;
        }
        if (kl_http_ws_client_output_queued(ss->agent) > PROXY_HIGH && !ss->kubectl_paused) {
                ss->kubectl_paused = true;
                kl_http_ws_pause(ss->ws, true);
                flow_start(ss->p);
        }
}

static void kubectl_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct stream_session *ss = userdata;

        (void)ws;
        ss->ws = kl_http_ws_unref(ss->ws);
        if (!ss->agent) {
                stream_free(ss);
                return;
        }
        /* Close the kubelet's side with a handshake; agent_close ends the session. */
        (void)kl_http_ws_client_close(ss->agent, relay_code(code), NULL);
}

static void agent_message(struct kl_http_ws_client *c, enum kl_http_ws_opcode op, const void *data,
                          size_t len, void *userdata)
{
        struct stream_session *ss = userdata;

        (void)c;
        if (!ss->ws)
                return;
        if (kl_http_ws_send(ss->ws, op, data, len) == -ENOBUFS) {
                (void)kl_http_ws_close(ss->ws, 1011, "client too slow");
                return;
        }
        if (kl_http_ws_output_queued(ss->ws) > PROXY_HIGH && !ss->agent_paused) {
                ss->agent_paused = true;
                kl_http_ws_client_pause(ss->agent, true);
                flow_start(ss->p);
        }
}

static void agent_close(struct kl_http_ws_client *c, int code, void *userdata)
{
        struct stream_session *ss = userdata;

        (void)c;
        kl_http_ws_client_free(ss->agent);
        ss->agent = NULL;
        if (!ss->ws) {
                stream_free(ss);
                return;
        }
        /* kubectl's close answer ends the session (kubectl_close). */
        (void)kl_http_ws_close(ss->ws, relay_code(code), NULL);
}

static void on_flow(uv_timer_t *t)
{
        struct kl_apiserver__proxy *p = t->data;
        bool any = false;

        for (struct stream_session *ss = p->streams; ss; ss = ss->next) {
                if (ss->agent_paused && ss->ws && kl_http_ws_output_queued(ss->ws) < PROXY_LOW) {
                        ss->agent_paused = false;
                        if (ss->agent)
                                kl_http_ws_client_pause(ss->agent, false);
                }
                if (ss->kubectl_paused &&
                    (!ss->agent || kl_http_ws_client_output_queued(ss->agent) < PROXY_LOW)) {
                        ss->kubectl_paused = false;
                        if (ss->ws)
                                kl_http_ws_pause(ss->ws, false);
                }
                any = any || ss->agent_paused || ss->kubectl_paused;
        }
        if (!any)
                (void)uv_timer_stop(t);
}

static void agent_connect(struct kl_http_ws_client *c, int r, int status, const char *content_type,
                          const char *body, size_t len, const struct kl_err *err, void *userdata)
{
        struct stream_session *ss = userdata;
        const struct kl_http_ws_callbacks cbs = { .on_message = kubectl_message,
                                                  .on_close = kubectl_close };
        kl_autoerr struct kl_err *e = NULL;
        struct kl_http_req *req = ss->req;

        (void)content_type;
        kl_http_close_hook_remove(&ss->hook);
        if (r < 0) {
                respond_error(req, -EIO,
                              kl_pool_printf(kl_http_req_pool(req), "error dialing backend: %s",
                                             err ? kl_err_msg(err) : kl_strerror(r)),
                              NULL, NULL);
                stream_free(ss);
                return;
        }
        if (status != 101) {
                relay_error(req, status, body, len);
                stream_free(ss);
                return;
        }
        if (ss->spdy) {
                /* The kubelet chose among kubectl's versions (the client checked that). */
                (void)snprintf(ss->protocol, sizeof(ss->protocol), "%s",
                               kl_http_ws_client_protocol(c));
                r = kl_http_spdy_accept(req, ss->protocol[0] ? ss->protocol : NULL, &cbs, ss,
                                        &ss->ws, &e);
                ss->req = kl_http_req_unref(req);
                if (r < 0) {
                        kl_log_debug(KL_LOG_API, "spdy relay: %s", kl_err_msg(e));
                        stream_free(ss);
                }
                return;
        }
        if (!kl_streq(kl_http_ws_client_protocol(c), ss->protocol)) {
                respond_error(req, -EIO, "the kubelet did not accept the stream protocol", NULL,
                              NULL);
                stream_free(ss);
                return;
        }
        r = kl_http_ws_accept(req, ss->protocol, &cbs, ss, &ss->ws, &e);
        ss->req = kl_http_req_unref(req);
        if (r < 0) {
                kl_log_debug(KL_LOG_API, "exec relay: %s", kl_err_msg(e));
                stream_free(ss);
        }
}

static void stream_on_close(struct kl_http_req *req, int reason, void *userdata)
{
        struct stream_session *ss = userdata;

        if (reason == -ESHUTDOWN)
                respond_error(req, -KL_EUNAVAILABLE, "the server is shutting down", NULL, NULL);
        else
                (void)kl_http_respond_status(req, 500);
        stream_free(ss);
}

/* The subprotocols of the channel protocol we relay, most preferred first. */
static const char *const channel_protocols[] = {
        "v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
        "v2.channel.k8s.io", "channel.k8s.io",    NULL,
};

/* port-forward: SPDY/3.1 tunnelled in WebSocket (kubectl-contract §17.1). */
static const char *const portforward_protocols[] = { "SPDY/3.1+portforward.k8s.io", NULL };

/* The X-Stream-Protocol-Version values of a SPDY upgrade, most preferred first. */
static const char *const spdy_channel_protocols[] = {
        "v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
        "v2.channel.k8s.io", "channel.k8s.io",    NULL,
};
static const char *const spdy_portforward_protocols[] = { "portforward.k8s.io", NULL };

static void serve_stream(struct kl_apiserver *s, struct kl_http_req *req, const char *sub,
                         const char *base, const char *ns, const char *pod, const char *container,
                         const struct kl_apiserver__query *q)
{
        static const char *const keep_exec[] = {
                "command", "stdin", "stdout", "stderr", "tty", NULL
        };
        static const char *const keep_attach[] = { "stdin", "stdout", "stderr", "tty", NULL };
        static const char *const keep_portforward[] = { "ports", NULL };
        bool pf = kl_streq(sub, "portforward"), spdy = kl_http_req_is_spdy(req);
        const char *const *protocols =
                spdy ? (pf ? spdy_portforward_protocols : spdy_channel_protocols)
                : pf ? portforward_protocols
                     : channel_protocols;
        kl_autobuf struct kl_buf offer = KL_BUF_INIT;
        struct kl_apiserver__proxy *p = s->proxy;
        kl_autobuf struct kl_buf url = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        struct stream_session *ss;
        const char *proto = NULL;
        int r;

        for (size_t i = 0; protocols[i]; i++) {
                if (spdy ? !kl_http_req_stream_offers(req, protocols[i])
                         : !kl_http_req_ws_offers(req, protocols[i]))
                        continue;
                if (!proto)
                        proto = protocols[i];
                /* SPDY: every version kubectl offered goes on; the kubelet picks. */
                (void)kl_buf_printf(&offer, "%s%s", offer.len ? "," : "", protocols[i]);
        }
        if (!proto) {
                respond_error(req, -EINVAL,
                              spdy ? (pf ? "no supported stream protocol requested "
                                           "(portforward.k8s.io)"
                                         : "no supported stream protocol requested "
                                           "(v4.channel.k8s.io)")
                              : pf ? "no supported stream protocol requested "
                                     "(SPDY/3.1+portforward.k8s.io)"
                                   : "no supported stream protocol requested (v5.channel.k8s.io)",
                              NULL, NULL);
                return;
        }
        (void)kl_buf_printf(&url, "%s/%s/", base, pf ? "portForward" : sub);
        kl_http_escape(&url, ns);
        (void)kl_buf_putc(&url, '/');
        kl_http_escape(&url, pod);
        if (!pf) {
                (void)kl_buf_putc(&url, '/');
                kl_http_escape(&url, container);
        }
        pass_params(&url, q,
                    pf                      ? keep_portforward
                    : kl_streq(sub, "exec") ? keep_exec
                                            : keep_attach);

        ss = kl_new0(struct stream_session);
        ss->p = p;
        ss->req = kl_http_req_ref(req);
        (void)snprintf(ss->protocol, sizeof(ss->protocol), "%s", proto);
        ss->spdy = spdy;
        ss->next = p->streams;
        if (p->streams)
                p->streams->prev = ss;
        p->streams = ss;
        r = kl_http_ws_client_connect(s->loop,
                                      &(struct kl_http_ws_client_opts){
                                              .url = url.buf,
                                              .subprotocol = spdy ? NULL : proto,
                                              .spdy_protocols = spdy ? offer.buf : NULL,
                                              .cert_pem = p->cert_pem,
                                              .key_pem = p->key_pem,
                                              .insecure_skip_verify = true,
                                              .on_connect = agent_connect,
                                              .on_message = agent_message,
                                              .on_close = agent_close,
                                              .userdata = ss,
                                      },
                                      &ss->agent, &e);
        if (r < 0) {
                respond_error(req, -EIO,
                              kl_pool_printf(kl_http_req_pool(req), "error dialing backend: %s",
                                             kl_err_msg(e)),
                              NULL, NULL);
                stream_free(ss);
                return;
        }
        r = kl_http_req_add_close_hook(req, &ss->hook, stream_on_close, ss);
        if (r < 0)
                stream_on_close(req, r, ss);
}

/* ------------------------------------------------------------------------- */
/* Entry points */

bool kl_apiserver__proxy_handles(const char *sub)
{
        return kl_streq(sub, "log") || kl_streq(sub, "exec") || kl_streq(sub, "attach") ||
               kl_streq(sub, "portforward");
}

void kl_apiserver__proxy_serve(struct kl_apiserver *s, struct kl_http_req *req,
                               const struct kl_api_resource *res,
                               const struct kl_apiserver__route *rt,
                               const struct kl_apiserver__query *q)
{
        struct kl_pool *pool = kl_http_req_pool(req);
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *pod = NULL;
        const char *container = NULL, *node, *base = NULL, *phase;
        bool is_log = kl_streq(rt->sub, "log"), is_pf = kl_streq(rt->sub, "portforward");
        int r;

        if (!s->proxy || s->proxy->closing) {
                respond_error(req, -KL_EUNAVAILABLE, "the server is shutting down", NULL, NULL);
                return;
        }
        /* exec, attach, portforward are upgrades; upstream's answer to anything else. */
        if (!is_log && !kl_http_req_is_websocket(req) && !kl_http_req_is_spdy(req)) {
                respond_error(req, -EINVAL, "Upgrade request required", NULL, NULL);
                return;
        }
        r = kl_apiserver_get(s, res, rt->ns, rt->name, &pod, &e);
        if (r < 0) {
                respond_error(req, r, kl_err_msg(e), res, rt->name);
                return;
        }
        /* port-forward names no container (ports travel in the SPDY streams). */
        r = is_pf ? 0
                  : pick_container(pool, pod, rt->name, kl_apiserver__query_get(q, "container"),
                                   &container, &e);
        if (r < 0) {
                respond_error(req, r, kl_err_msg(e), NULL, NULL);
                return;
        }
        node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
        if (kl_isempty(node)) {
                /* Upstream: logs of an unscheduled pod are empty; streams are refused. */
                if (is_log)
                        (void)kl_http_respond(req, 200, "text/plain", "", 0);
                else
                        respond_error(req, -EINVAL,
                                      kl_pool_printf(pool, "pod %s does not have a host assigned",
                                                     rt->name),
                                      NULL, NULL);
                return;
        }
        phase = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
        if (!is_log && !is_pf && (kl_streq(phase, "Succeeded") || kl_streq(phase, "Failed"))) {
                respond_error(req, -EINVAL,
                              kl_pool_printf(pool,
                                             "cannot exec into a container in a completed pod; "
                                             "current phase is %s",
                                             phase),
                              NULL, NULL);
                return;
        }
        r = kubelet_base(s, pool, node, &base, &e);
        if (r < 0) {
                respond_error(req, r, kl_err_msg(e), NULL, NULL);
                return;
        }
        if (is_log)
                serve_log(s, req, base, rt->ns, rt->name, container, q);
        else
                serve_stream(s, req, rt->sub, base, rt->ns, rt->name, container, q);
}

int kl_apiserver__proxy_new(struct kl_apiserver *s, const char *tls_dir, struct kl_err **err)
{
        static const char *const masters[] = { "system:masters", NULL };
        struct kl_apiserver__proxy *p;
        kl_autofree char *cert_path = kl_asprintf("%s/%s.crt", tls_dir, KUBELET_CLIENT_NAME);
        kl_autofree char *key_path = kl_asprintf("%s/%s.key", tls_dir, KUBELET_CLIENT_NAME);
        char *cert = NULL, *key = NULL;
        size_t len;
        int r;

        r = kl_pki_cert_ensure(tls_dir, KUBELET_CLIENT_NAME, kl_pki_server_client_ca(s->pki),
                               &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT,
                                                          .cn = KUBELET_CLIENT_CN,
                                                          .orgs = masters },
                               err);
        if (r < 0)
                return kl_err_wrap(err, r, "kubelet client certificate");
        r = kl_read_file(cert_path, 64 << 10, &cert, &len);
        if (r >= 0)
                r = kl_read_file(key_path, 64 << 10, &key, &len);
        if (r < 0) {
                free(cert);
                return kl_err_set(err, r, "read the kubelet client certificate in '%s'", tls_dir);
        }
        p = kl_new0(struct kl_apiserver__proxy);
        p->s = s;
        p->cert_pem = cert;
        p->key_pem = key;
        r = kl_http_client_new(s->loop,
                               &(struct kl_http_client_opts){ .cert_pem = cert,
                                                              .key_pem = key,
                                                              .insecure_skip_verify = true },
                               &p->http, err);
        if (r < 0) {
                kl_pki_secret_free(p->key_pem);
                free(p->cert_pem);
                free(p);
                return r;
        }
        kl_assert(uv_timer_init(s->loop, &p->flow) == 0);
        p->flow.data = p;
        s->proxy = p;
        return 0;
}

static void on_flow_closed(uv_handle_t *h)
{
        struct kl_apiserver__proxy *p = h->data;
        struct kl_apiserver *s = p->s;

        kl_assert(s->pending_closes > 0);
        s->pending_closes--;
        kl_apiserver__close_step(s);
}

void kl_apiserver__proxy_close(struct kl_apiserver *s)
{
        struct kl_apiserver__proxy *p = s->proxy;

        if (!p || p->closing)
                return;
        p->closing = true;
        for (struct log_session *ls = p->logs, *next; ls; ls = next) {
                next = ls->next;
                /* Not inside a data callback here, so the session is freed now. */
                log_on_close(ls->req, -ESHUTDOWN, ls);
        }
        for (struct stream_session *ss = p->streams, *next; ss; ss = next) {
                next = ss->next;
                if (ss->req) {
                        kl_http_close_hook_remove(&ss->hook);
                        stream_on_close(ss->req, -ESHUTDOWN, ss);
                        continue;
                }
                if (!ss->ws) {
                        /* kubectl is gone; only the kubelet's close handshake was pending. */
                        stream_free(ss);
                        continue;
                }
                kl_http_ws_client_free(ss->agent);
                ss->agent = NULL;
                /* Freed by kubectl_close once kubectl answers, or when the server closes. */
                (void)kl_http_ws_close(ss->ws, 1001, "server shutting down");
        }
        s->pending_closes++;
        uv_close((uv_handle_t *)&p->flow, on_flow_closed);
}

void kl_apiserver__proxy_free(struct kl_apiserver *s)
{
        struct kl_apiserver__proxy *p = s->proxy;

        if (!p)
                return;
        for (struct stream_session *ss = p->streams, *next; ss; ss = next) {
                next = ss->next;
                stream_free(ss);
        }
        kl_http_client_free(p->http);
        kl_pki_secret_free(p->key_pem);
        free(p->cert_pem);
        free(p);
        s->proxy = NULL;
}
