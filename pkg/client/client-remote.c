/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The remote client (client.h "The remote client"): struct kl_client over
 * HTTPS, for the agent. Each operation is one request of http's client
 * (libcurl on the loop) built from the resource row: /api/v1 or
 * /apis/<group>/<version>, /namespaces/<ns> for namespaced kinds, the
 * plural, the percent-encoded name, the subresource, and the query
 * parameters of the operation. Bodies are JSON both ways; a non-2xx answer
 * becomes a negative code with the message of its Status.
 *
 * Results never come from inside a call: http's client starts every
 * transfer from the loop and reports from there.
 *
 * Watches are streaming GETs (?watch=1). Events are decoded as bytes arrive
 * (kl_client__watch_decode(): newline-delimited JSON, bounded lines) and
 * handed out from inside libcurl's write callback; the watch callback may
 * stop the watch or start other calls there (http defers what libcurl
 * forbids), but must not free the client. The end of a stream for any
 * reason -- a 410 answer or ERROR line, a dropped connection, the server's
 * time-out -- is one ERROR event with a Status; nothing follows it.
 *
 * Ownership: the client owns its requests (list `reqs`) and watches (list
 * `watches`); each request owns its http call until the call's `done` runs.
 * A watch stopped from inside its own callback is freed once the delivery
 * returns (`delivering`). At free, requests in flight get -ECANCELED, in
 * order, and watches stop silently; calls made from those callbacks fail
 * at once with -ECANCELED.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "client/client-internal.h"
#include "http/http.h"
#include "json/json.h"

#define DEFAULT_MAX_RESPONSE ((size_t)64 << 20)
#define DEFAULT_MAX_EVENT    ((size_t)8 << 20)
/* Page size of lists read whole, as client-go's pager. */
#define LIST_PAGE 500
/* Longest URL we build: names and selectors are bounded by validation far below this. */
#define URL_MAX ((size_t)64 << 10)

struct remote;

enum req_kind {
        REQ_GET,
        REQ_LIST,
        REQ_WRITE,
};

struct req {
        struct req *next, *prev; /* in the client's `reqs` */
        struct remote *c;        /* borrowed */
        enum req_kind kind;
        struct kl_http_call *call; /* owned by http until its done runs; NULL between pages */
        kl_client_read_fn *rcb;
        kl_client_write_fn *wcb;
        void *arg;
        /* Lists read in pages: the URL without its continue token, what has arrived. */
        char *page_url; /* owned; NULL: one request */
        json_t *list;   /* ref: the first page, items growing */
        size_t received;
        struct kl_err *failed; /* owned: failed before it was sent; reported by `fail_kick` */
};

struct kl_client_watch {
        struct kl_client_watch *next, *prev; /* in the client's `watches` */
        struct remote *c;                    /* borrowed */
        struct kl_http_call *call;           /* NULL once the stream has ended */
        struct kl_client__watch_decoder dec;
        kl_client_watch_fn *cb;
        void *arg;
        unsigned delivering; /* inside cb: a stop only marks */
        bool stopped;        /* stopped by its owner: free once not delivering */
        bool ended;          /* the ERROR event was delivered */
};

struct remote {
        struct kl_client head; /* first (client.h) */
        struct kl_http_client *http;
        char *server; /* owned, no trailing '/' */
        size_t max_response, max_event;
        struct req *reqs;
        struct kl_client_watch *watches;
        uv_timer_t fail_kick; /* owned: reports requests that failed before being sent */
        bool closing;
};

static const struct kl_client_ops remote_ops;

static struct remote *downcast(struct kl_client *c)
{
        kl_assert(c->ops == &remote_ops);
        return (struct remote *)c;
}

/* ------------------------------------------------------------------------- */
/* Parsers of server output (fuzzed) */

json_t *kl_client__status_new(int code, const char *msg)
{
        return json_pack("{ss ss s{} ss ss ss si}", "kind", "Status", "apiVersion", "v1",
                         "metadata", "status", "Failure", "message", msg, "reason",
                         kl_err_code_reason(code), "code", kl_err_code_http_status(code));
}

int kl_client__decode_object(const char *body, size_t len, size_t max, json_t **ret,
                             struct kl_err **err)
{
        json_t *obj = NULL;
        int r;

        r = kl_json_decode(body, len, max, &obj, err);
        if (r < 0)
                return r;
        if (!json_is_object(obj)) {
                json_decref(obj);
                return kl_err_set_msg(err, -EINVAL, "the response is not a JSON object");
        }
        *ret = obj;
        return 0;
}

static int status_code(int status, const char *reason)
{
        switch (status) {
        case 400:
                return -EINVAL;
        case 401:
                return -KL_EUNAUTHORIZED;
        case 403:
                return -EACCES;
        case 404:
                return -ENOENT;
        case 405:
                return -KL_EMETHOD_NOT_ALLOWED;
        case 406:
                return -KL_ENOT_ACCEPTABLE;
        case 409:
                return kl_streq(reason, "AlreadyExists") ? -EEXIST : -KL_ECONFLICT;
        case 410:
                return kl_streq(reason, "Gone") ? -KL_EGONE : -KL_EEXPIRED;
        case 413:
                return -E2BIG;
        case 415:
                return -KL_EUNSUPPORTED_MEDIA;
        case 422:
                return -KL_EINVALID;
        case 429:
                return -KL_ETOO_MANY_REQUESTS;
        case 503:
                return -KL_EUNAVAILABLE;
        case 504:
                return -ETIMEDOUT;
        default:
                return -EIO;
        }
}

int kl_client__status_error(int status, const char *body, size_t len, struct kl_err **err)
{
        kl_autoerr struct kl_err *ignored = NULL;
        json_t *st = NULL;
        const char *reason = "", *msg = NULL;
        int r;

        /* A Status is small; anything that is not one is only named. */
        if (kl_json_decode(body, len, len, &st, &ignored) >= 0 && json_is_object(st)) {
                reason = json_string_value(json_object_get(st, "reason"));
                msg = json_string_value(json_object_get(st, "message"));
                if (!reason)
                        reason = "";
        }
        r = status_code(status, reason);
        if (!kl_isempty(msg))
                (void)kl_err_set_msg(err, r, "%s", msg);
        else
                (void)kl_err_set_msg(err, r, "the server answered %d", status);
        json_decref(st);
        return r;
}

void kl_client__watch_decoder_init(struct kl_client__watch_decoder *d, size_t max)
{
        kl_buf_init(&d->line, max);
        d->max = max;
}

void kl_client__watch_decoder_release(struct kl_client__watch_decoder *d)
{
        kl_buf_release(&d->line);
}

static int event_type(const char *s, enum kl_client_event_type *ret)
{
        static const char *const names[KL_CLIENT_EVENT_TYPE__COUNT] = {
                [KL_CLIENT_EVENT_ADDED] = "ADDED",     [KL_CLIENT_EVENT_MODIFIED] = "MODIFIED",
                [KL_CLIENT_EVENT_DELETED] = "DELETED", [KL_CLIENT_EVENT_BOOKMARK] = "BOOKMARK",
                [KL_CLIENT_EVENT_ERROR] = "ERROR",
        };

        for (size_t i = 0; s && i < KL_ARRAY_SIZE(names); i++)
                if (kl_streq(s, names[i])) {
                        *ret = (enum kl_client_event_type)i;
                        return 0;
                }
        return -EINVAL;
}

/* One complete line: the event, or nothing for a blank line. */
static int decode_line(const char *line, size_t len, size_t max, kl_client__watch_event_fn *fn,
                       void *arg, struct kl_err **err)
{
        enum kl_client_event_type t;
        json_t *ev = NULL, *obj;
        int r;

        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
                len--;
        if (len == 0)
                return 0;
        r = kl_json_decode(line, len, max, &ev, err);
        if (r < 0)
                return kl_err_wrap(err, r, "watch event");
        obj = json_object_get(ev, "object");
        if (!json_is_object(ev) || !json_is_object(obj) ||
            event_type(json_string_value(json_object_get(ev, "type")), &t) < 0) {
                json_decref(ev);
                return kl_err_set_msg(err, -EINVAL,
                                      "watch event: not {\"type\": <event type>, \"object\": {}}");
        }
        json_incref(obj);
        json_decref(ev);
        return fn(arg, t, obj);
}

int kl_client__watch_decode(struct kl_client__watch_decoder *d, const char *data, size_t len,
                            kl_client__watch_event_fn *fn, void *arg, struct kl_err **err)
{
        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t n = nl ? (size_t)(nl - data) : len;
                int r;

                if (kl_buf_append(&d->line, data, n) < 0)
                        return kl_err_set_msg(err, -E2BIG,
                                              "watch event: a line is longer than %zu bytes",
                                              d->max);
                if (!nl)
                        return 0;
                data += n + 1;
                len -= n + 1;
                r = decode_line(d->line.buf, d->line.len, d->max, fn, arg, err);
                kl_buf_reset(&d->line);
                if (r != 0)
                        return r;
        }
        return 0;
}

/* ------------------------------------------------------------------------- */
/* URLs */

/* The collection path of `res` (in `ns`), with '/' + name and '/' + sub when given. */
static void url_path(struct kl_buf *b, const struct remote *c, const struct kl_api_resource *res,
                     const char *ns, const char *name, const char *sub)
{
        (void)kl_buf_puts(b, c->server);
        if (kl_isempty(res->group))
                (void)kl_buf_printf(b, "/api/%s", res->version);
        else
                (void)kl_buf_printf(b, "/apis/%s/%s", res->group, res->version);
        if (res->namespaced && !kl_isempty(ns)) {
                (void)kl_buf_puts(b, "/namespaces/");
                kl_http_escape(b, ns);
        }
        (void)kl_buf_printf(b, "/%s", res->plural);
        if (name) {
                (void)kl_buf_putc(b, '/');
                kl_http_escape(b, name);
        }
        if (!kl_isempty(sub)) {
                (void)kl_buf_putc(b, '/');
                kl_http_escape(b, sub);
        }
}

/* Append "?key=value" or "&key=value" (value escaped); nothing for an empty value. */
static void url_param(struct kl_buf *b, const char *key, const char *value)
{
        if (kl_isempty(value))
                return;
        (void)kl_buf_putc(b, memchr(b->buf, '?', b->len) ? '&' : '?');
        (void)kl_buf_puts(b, key);
        (void)kl_buf_putc(b, '=');
        kl_http_escape(b, value);
}

static void url_list_params(struct kl_buf *b, const struct kl_client_list_opts *o)
{
        url_param(b, "labelSelector", o->label_selector);
        url_param(b, "fieldSelector", o->field_selector);
        url_param(b, "resourceVersion", o->resource_version);
}

/* ------------------------------------------------------------------------- */
/* Requests */

static void req_unlink(struct req *q)
{
        struct remote *c = q->c;

        if (q->prev)
                q->prev->next = q->next;
        else
                c->reqs = q->next;
        if (q->next)
                q->next->prev = q->prev;
        q->next = q->prev = NULL;
}

static void req_free(struct req *q)
{
        kl_err_free(q->failed);
        free(q->page_url);
        json_decref(q->list);
        free(q);
}

/* Report the result of `q` (unlinked first: the callback may free the client) and free it. */
static void req_finish(struct req *q, int r, json_t *obj, const struct kl_err *err)
{
        req_unlink(q);
        if (q->kind == REQ_WRITE) {
                q->wcb(q->arg, r, r >= 0 ? obj : NULL, err);
                json_decref(obj);
        } else {
                q->rcb(q->arg, r, r >= 0 ? obj : NULL, err);
        }
        req_free(q);
}

static void req_fail(struct req *q, int r, const struct kl_err *err)
{
        req_finish(q, r, NULL, err);
}

static void on_req_done(void *arg, int r, int status, const char *body, size_t len,
                        const struct kl_err *err);

static void on_fail_kick(uv_timer_t *t)
{
        struct remote *c = t->data;
        struct req *q = c->reqs, *prev;

        /* Oldest first (the list is newest first); new requests go to the head. */
        while (q && q->next)
                q = q->next;
        for (; q; q = prev) {
                prev = q->prev;
                if (!q->failed)
                        continue;
                req_fail(q, -q->failed->code, q->failed);
                /* A callback that freed the client finished every request. */
                if (c->closing)
                        return;
        }
}

/* Fail `q` from the loop (r and fmt as kl_err_set_msg()): results never come from the call. */
static void KL_PRINTF(3, 4) req_fail_later(struct req *q, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        (void)kl_err_setv(&q->failed, r, fmt, ap);
        va_end(ap);
        (void)uv_timer_start(&q->c->fail_kick, on_fail_kick, 0, 0);
}

static void req_start(struct req *q, const char *method, const char *url, const char *content_type,
                      const struct kl_buf *body)
{
        struct kl_http_call_opts o = { .method = method,
                                       .url = url,
                                       .content_type = content_type,
                                       .body = body ? body->buf : NULL,
                                       .body_len = body ? body->len : 0,
                                       .done = on_req_done,
                                       .arg = q };
        kl_autoerr struct kl_err *e = NULL;
        int r;

        r = kl_http_call_start(q->c->http, &o, &q->call, &e);
        kl_assert(r >= 0); /* every option is set above */
}

/* The next page of a paged list, or the whole list when this was the last. */
static void list_page(struct req *q, json_t *page)
{
        const char *cont =
                json_string_value(json_object_get(json_object_get(page, "metadata"), "continue"));
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);

        if (!q->list) {
                q->list = page;
        } else {
                json_t *items = json_object_get(q->list, "items");
                json_t *more = json_object_get(page, "items");

                if (!json_is_array(items)) {
                        items = json_array();
                        (void)json_object_set_new(q->list, "items", items);
                }
                if (json_is_array(more))
                        (void)json_array_extend(items, more);
                json_decref(page);
        }
        if (kl_isempty(cont)) {
                json_t *list = q->list;

                q->list = NULL;
                /* The list is one snapshot: the first page's resourceVersion, no token. */
                (void)json_object_del(json_object_get(list, "metadata"), "continue");
                (void)json_object_del(json_object_get(list, "metadata"), "remainingItemCount");
                req_finish(q, 0, list, NULL);
                return;
        }
        (void)kl_buf_puts(&url, q->page_url);
        url_param(&url, "continue", cont);
        req_start(q, "GET", url.buf, NULL, NULL);
}

static void on_req_done(void *arg, int r, int status, const char *body, size_t len,
                        const struct kl_err *err)
{
        struct req *q = arg;
        struct remote *c = q->c;
        kl_autoerr struct kl_err *e = NULL;
        json_t *obj = NULL;

        q->call = NULL;
        if (r < 0) {
                req_fail(q, r, err);
                return;
        }
        if (status < 200 || status >= 300) {
                r = kl_client__status_error(status, body, len, &e);
                req_fail(q, r, e);
                return;
        }
        if (q->page_url) {
                /* All pages count against one bound. */
                if (len > c->max_response - KL_MIN(q->received, c->max_response)) {
                        r = kl_err_set_msg(&e, -E2BIG, "the list is larger than %zu bytes",
                                           c->max_response);
                        req_fail(q, r, e);
                        return;
                }
                q->received += len;
        }
        r = kl_client__decode_object(body, len, c->max_response, &obj, &e);
        if (r < 0) {
                req_fail(q, r, e);
                return;
        }
        if (q->page_url) {
                list_page(q, obj);
                return;
        }
        req_finish(q, 0, obj, NULL);
}

/* A new request of `c`, linked; NULL when the client is closing (cb told). */
static struct req *req_new(struct remote *c, enum req_kind kind, kl_client_read_fn *rcb,
                           kl_client_write_fn *wcb, void *arg)
{
        struct req *q;

        if (c->closing) {
                kl_autoerr struct kl_err *e = NULL;

                (void)kl_err_set_msg(&e, -ECANCELED, "the client is closing");
                if (rcb) {
                        rcb(arg, -ECANCELED, NULL, e);
                } else {
                        kl_assert(wcb);
                        wcb(arg, -ECANCELED, NULL, e);
                }
                return NULL;
        }
        q = kl_new0(struct req);
        q->c = c;
        q->kind = kind;
        q->rcb = rcb;
        q->wcb = wcb;
        q->arg = arg;
        q->next = c->reqs;
        if (c->reqs)
                c->reqs->prev = q;
        c->reqs = q;
        return q;
}

static void remote_get(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                       const char *name, kl_client_read_fn *cb, void *arg)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        struct req *q = req_new(c, REQ_GET, cb, NULL, arg);

        if (!q)
                return;
        url_path(&url, c, res, ns, name, NULL);
        req_start(q, "GET", url.buf, NULL, NULL);
}

static void remote_list(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                        const struct kl_client_list_opts *opts, kl_client_read_fn *cb, void *arg)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        struct req *q = req_new(c, REQ_LIST, cb, NULL, arg);
        char limit[32];

        if (!q)
                return;
        url_path(&url, c, res, ns, NULL, NULL);
        url_list_params(&url, opts);
        (void)snprintf(limit, sizeof(limit), "%" PRId64, opts->limit > 0 ? opts->limit : LIST_PAGE);
        url_param(&url, "limit", limit);
        if (opts->limit <= 0)
                q->page_url = kl_strdup(url.buf); /* all of it: follow the continue tokens */
        url_param(&url, "continue", opts->continue_token);
        req_start(q, "GET", url.buf, NULL, NULL);
}

/* The query of a write: fieldManager (the client's user by default) and dryRun. */
static void url_write_params(struct kl_buf *url, const struct remote *c,
                             const struct kl_client_write_opts *opts)
{
        url_param(url, "fieldManager",
                  opts && !kl_isempty(opts->field_manager) ? opts->field_manager : c->head.user);
        if (opts && opts->dry_run)
                url_param(url, "dryRun", "All");
}

/* Start a write of `body` (stolen; NULL: none). */
static void write_start(struct remote *c, struct req *q, const char *method, struct kl_buf *url,
                        const char *content_type, json_t *body)
{
        kl_autobuf struct kl_buf text = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        int r = 0;

        (void)c;
        if (body)
                r = kl_json_encode(body, 0, &text, &e);
        json_decref(body);
        if (r < 0) {
                req_fail_later(q, r, "%s", kl_err_msg(e));
                return;
        }
        req_start(q, method, url->buf, body ? content_type : NULL, body ? &text : NULL);
}

static void remote_create(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                          json_t *obj, const struct kl_client_write_opts *opts,
                          kl_client_write_fn *cb, void *arg)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        struct req *q = req_new(c, REQ_WRITE, NULL, cb, arg);

        if (!q) {
                json_decref(obj);
                return;
        }
        url_path(&url, c, res, ns, NULL, NULL);
        url_write_params(&url, c, opts);
        write_start(c, q, "POST", &url, "application/json", obj);
}

static void remote_update(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                          const char *name, const char *sub, json_t *obj,
                          const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                          void *arg)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        struct req *q = req_new(c, REQ_WRITE, NULL, cb, arg);
        /* pods/binding and pods/eviction are created (POST), as kubectl and client-go do. */
        bool post = sub && (kl_streq(sub, "binding") || kl_streq(sub, "eviction"));

        if (!q) {
                json_decref(obj);
                return;
        }
        url_path(&url, c, res, ns, name, sub);
        url_write_params(&url, c, opts);
        write_start(c, q, post ? "POST" : "PUT", &url, "application/json", obj);
}

static const char *patch_content_type(int patch_type)
{
        switch (patch_type) {
        case KL_API_PATCH_TYPE_JSON:
                return "application/json-patch+json";
        case KL_API_PATCH_TYPE_MERGE:
                return "application/merge-patch+json";
        case KL_API_PATCH_TYPE_STRATEGIC:
                return "application/strategic-merge-patch+json";
        case KL_API_PATCH_TYPE_APPLY_YAML:
                /* JSON is YAML: the apply configuration goes as its JSON text. */
                return "application/apply-patch+yaml";
        default:
                return NULL;
        }
}

static void remote_patch(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                         const char *name, const char *sub, int patch_type, json_t *patch,
                         const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        const char *ct = patch_content_type(patch_type);
        struct req *q = req_new(c, REQ_WRITE, NULL, cb, arg);

        if (!q) {
                json_decref(patch);
                return;
        }
        if (!ct) {
                json_decref(patch);
                req_fail_later(q, -KL_EUNSUPPORTED_MEDIA, "unknown patch type %d", patch_type);
                return;
        }
        url_path(&url, c, res, ns, name, sub);
        url_write_params(&url, c, opts);
        write_start(c, q, "PATCH", &url, ct, patch);
}

static void remote_delete(struct kl_client *cl, const struct kl_api_resource *res, const char *ns,
                          const char *name, json_t *delete_opts,
                          const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                          void *arg)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        struct req *q = req_new(c, REQ_WRITE, NULL, cb, arg);

        if (!q) {
                json_decref(delete_opts);
                return;
        }
        url_path(&url, c, res, ns, name, NULL);
        if (opts && opts->dry_run)
                url_param(&url, "dryRun", "All");
        if (!delete_opts)
                delete_opts = json_pack("{ssss}", "kind", "DeleteOptions", "apiVersion", "v1");
        write_start(c, q, "DELETE", &url, "application/json", delete_opts);
}

/* ------------------------------------------------------------------------- */
/* Watches */

static void watch_destroy(struct kl_client_watch *w)
{
        kl_client__watch_decoder_release(&w->dec);
        free(w);
}

static void watch_unlink(struct kl_client_watch *w)
{
        struct remote *c = w->c;

        if (w->prev)
                w->prev->next = w->next;
        else
                c->watches = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->next = w->prev = NULL;
}

/*
 * Hand one event to the owner; false when the owner stopped the watch
 * meanwhile. A watch stopped during delivery is freed by the outermost
 * caller (on_watch_data(), on_watch_done()) once the delivery is over.
 */
static bool watch_deliver(struct kl_client_watch *w, enum kl_client_event_type t, const json_t *obj)
{
        w->delivering++;
        w->cb(w, t, obj, w->arg);
        w->delivering--;
        return !w->stopped;
}

/* The end of the stream: one ERROR event with `status` (stolen); nothing follows it. */
static void watch_end(struct kl_client_watch *w, json_t *status)
{
        kl_http_call_cancel(w->call);
        w->call = NULL;
        w->ended = true;
        (void)watch_deliver(w, KL_CLIENT_EVENT_ERROR, status);
        json_decref(status);
}

static int on_watch_event(void *arg, enum kl_client_event_type t, json_t *obj)
{
        struct kl_client_watch *w = arg;
        bool alive;

        if (t == KL_CLIENT_EVENT_ERROR) {
                watch_end(w, obj);
                return 1;
        }
        alive = watch_deliver(w, t, obj);
        json_decref(obj);
        return alive ? 0 : 1;
}

static int on_watch_data(void *arg, const char *data, size_t len)
{
        struct kl_client_watch *w = arg;
        kl_autoerr struct kl_err *e = NULL;
        int r;

        if (w->ended)
                return -ECANCELED;
        w->delivering++;
        r = kl_client__watch_decode(&w->dec, data, len, on_watch_event, w, &e);
        if (r < 0 && !w->stopped && !w->ended)
                watch_end(w, kl_client__status_new(r, kl_err_msg(e)));
        w->delivering--;
        if (w->stopped) {
                watch_destroy(w);
                return -ECANCELED;
        }
        return w->ended ? -ECANCELED : 0;
}

static void on_watch_done(void *arg, int r, int status, const char *body, size_t len,
                          const struct kl_err *err)
{
        struct kl_client_watch *w = arg;
        kl_autoerr struct kl_err *e = NULL;
        json_t *st = NULL;

        w->call = NULL;
        if (w->ended)
                return;
        if (r < 0) {
                st = kl_client__status_new(r, err ? kl_err_msg(err) : kl_strerror(r));
        } else if (status < 200 || status >= 300) {
                /* The server's Status when it sent one (410 Expired: relist). */
                if (kl_client__decode_object(body, len, len, &st, &e) < 0 ||
                    !json_is_integer(json_object_get(st, "code"))) {
                        json_decref(st);
                        kl_err_free(e);
                        e = NULL;
                        r = kl_client__status_error(status, body, len, &e);
                        st = kl_client__status_new(r, kl_err_msg(e));
                }
        } else {
                st = kl_client__status_new(-ECONNRESET, "the watch stream ended");
        }
        watch_end(w, st);
        if (w->stopped)
                watch_destroy(w);
}

static int remote_watch_start(struct kl_client *cl, const struct kl_api_resource *res,
                              const char *ns, const struct kl_client_list_opts *opts,
                              kl_client_watch_fn *cb, void *arg, struct kl_client_watch **ret,
                              struct kl_err **err)
{
        struct remote *c = downcast(cl);
        kl_autobuf struct kl_buf url = KL_BUF_INIT_MAX(URL_MAX);
        struct kl_http_call_opts o = { .method = "GET",
                                       .data = on_watch_data,
                                       .done = on_watch_done };
        struct kl_client_watch *w;
        int r;

        if (c->closing)
                return kl_err_set_msg(err, -ECANCELED, "the client is closing");
        url_path(&url, c, res, ns, NULL, NULL);
        url_param(&url, "watch", "1");
        url_list_params(&url, opts);
        if (opts->allow_bookmarks)
                url_param(&url, "allowWatchBookmarks", "true");
        w = kl_new0(struct kl_client_watch);
        w->c = c;
        w->cb = cb;
        w->arg = arg;
        kl_client__watch_decoder_init(&w->dec, c->max_event);
        o.url = url.buf;
        o.arg = w;
        r = kl_http_call_start(c->http, &o, &w->call, err);
        if (r < 0) {
                watch_destroy(w);
                return r;
        }
        w->next = c->watches;
        if (c->watches)
                c->watches->prev = w;
        c->watches = w;
        *ret = w;
        return 0;
}

static void remote_watch_stop(struct kl_client_watch *w)
{
        watch_unlink(w);
        kl_http_call_cancel(w->call);
        w->call = NULL;
        w->stopped = true;
        if (!w->delivering)
                watch_destroy(w);
}

/* ------------------------------------------------------------------------- */
/* Life cycle */

static void on_remote_closed(uv_handle_t *h)
{
        free(h->data);
}

static void remote_free(struct kl_client *cl)
{
        struct remote *c = downcast(cl);
        struct req *q, *prev;

        c->closing = true;
        for (struct kl_client_watch *w = c->watches, *next; w; w = next) {
                next = w->next;
                kl_assert(!w->delivering); /* not from inside a watch callback */
                remote_watch_stop(w);
        }
        /* Oldest first (the list is newest first). Calls from the callbacks fail at once. */
        q = c->reqs;
        while (q && q->next)
                q = q->next;
        for (; q; q = prev) {
                kl_autoerr struct kl_err *e = NULL;

                prev = q->prev;
                kl_http_call_cancel(q->call);
                q->call = NULL;
                if (q->failed) {
                        /* Finished already: its real result. */
                        req_fail(q, -q->failed->code, q->failed);
                        continue;
                }
                (void)kl_err_set_msg(&e, -ECANCELED, "the client is closing");
                req_fail(q, -ECANCELED, e);
        }
        kl_http_client_free(c->http);
        free(c->server);
        uv_close((uv_handle_t *)&c->fail_kick, on_remote_closed);
}

static const struct kl_client_ops remote_ops = {
        .get = remote_get,
        .list = remote_list,
        .create = remote_create,
        .update = remote_update,
        .patch = remote_patch,
        .delete = remote_delete,
        .watch_start = remote_watch_start,
        .watch_stop = remote_watch_stop,
        .free = remote_free,
};

int kl_client_remote_new(uv_loop_t *loop, const struct kl_client_remote_options *opts,
                         struct kl_client **ret, struct kl_err **err)
{
        struct kl_http_client_opts ho = { .ca_pem = opts->ca_pem,
                                          .cert_pem = opts->cert_pem,
                                          .key_pem = opts->key_pem,
                                          .bearer_token = opts->token,
                                          .connect_timeout = opts->connect_timeout,
                                          .request_timeout = opts->request_timeout };
        struct remote *c;
        size_t n;
        int r;

        if (kl_isempty(opts->server) ||
            (!kl_startswith(opts->server, "https://") && !kl_startswith(opts->server, "http://")))
                return kl_err_set_msg(err, -EINVAL,
                                      "remote client: the server must be an "
                                      "http:// or https:// URL");
        if (kl_isempty(opts->user))
                return kl_err_set_msg(err, -EINVAL, "remote client: a user is required");
        c = kl_new0(struct remote);
        c->max_response = opts->max_response ? opts->max_response : DEFAULT_MAX_RESPONSE;
        c->max_event = opts->max_event ? opts->max_event : DEFAULT_MAX_EVENT;
        ho.max_response = c->max_response;
        r = kl_http_client_new(loop, &ho, &c->http, err);
        if (r < 0) {
                free(c);
                return kl_err_wrap(err, r, "remote client");
        }
        kl_assert(uv_timer_init(loop, &c->fail_kick) == 0);
        c->fail_kick.data = c;
        c->server = kl_strdup(opts->server);
        n = strlen(c->server);
        while (n > 0 && c->server[n - 1] == '/')
                c->server[--n] = '\0';
        kl_client_init(&c->head, &remote_ops, loop, opts->user);
        *ret = &c->head;
        return 0;
}
