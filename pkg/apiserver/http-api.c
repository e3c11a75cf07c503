/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP route layer: every request from pkg/http lands in
 * kl_apiserver__http_handler(), which routes it, authenticates and
 * authorizes it, negotiates the encodings and calls the resource handler
 * layer. Everything a client sees of an error is rendered here as a Status
 * (kubectl-contract §7).
 */
#include <string.h>

#include "api/patch.h"
#include "api/schema.h"
#include "api/selector.h"
#include "api/table.h"
#include "api/validate.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/convert-internal.h"
#include "apiserver/evict-internal.h"
#include "json/json.h"

/* ------------------------------------------------------------------------- */
/* Responses */

void kl_apiserver__respond_json(struct kl_http_req *req, int status, const json_t *obj,
                                const char *content_type)
{
        struct kl_buf out = KL_BUF_INIT;
        char *body;
        size_t len;

        if (kl_json_encode(obj, 0, &out, NULL) < 0) {
                kl_buf_release(&out);
                (void)kl_http_respond_status(req, 500);
                return;
        }
        body = kl_buf_detach(&out, &len);
        (void)kl_http_respond_take(req, status, content_type ? content_type : "application/json",
                                   body, len);
}

static void respond_error(struct kl_http_req *req, int code, const char *msg,
                          const struct kl_api_resource *res, const char *name)
{
        json_auto_t *st = kl_apiserver__status_error(code, msg, res, name);

        kl_apiserver__respond_json(req, kl_err_code_http_status(code), st, NULL);
}

static void respond_kl_err(struct kl_http_req *req, int r, const struct kl_err *e,
                           const struct kl_api_resource *res, const char *name)
{
        const char *msg = e ? kl_err_msg(e) : kl_strerror(r);
        char qualified[256];

        /* The handler names the storage row; a view's object is named as the client asked. */
        if (r == -ENOENT && name && kl_apiserver__is_view(res))
                msg = kl_pool_printf(kl_http_req_pool(req), "%s \"%s\" not found",
                                     kl_api_resource_qualified(res, qualified, sizeof(qualified)),
                                     name);

        /* Upstream answers every patch that does not apply with one fixed message (patch.h). */
        if (r == -KL_EINVALID && !strstr(msg, "is invalid"))
                msg = KL_API_PATCH_INVALID_MSG;
        if (kl_err_code_http_status(r) >= 500)
                kl_log_warn(KL_LOG_API, "%s %s: %s", kl_http_req_method(req), kl_http_req_path(req),
                            msg);
        respond_error(req, r, msg, res, name);
}

static void respond_not_found(struct kl_http_req *req)
{
        respond_error(req, -ENOENT, "the server could not find the requested resource", NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Authentication and authorization */

/*
 * The token file and bootstrap tokens (authz.c, shared with TokenReview),
 * else the client certificate; every user found is also in
 * system:authenticated, as upstream's group adder makes it.
 */
static int authenticate_req(struct kl_apiserver *s, struct kl_http_req *req,
                            struct kl_apiserver__user *ret)
{
        const struct kl_http_client_cert *cert = kl_http_req_client_cert(req);
        const char *auth = kl_http_req_header(req, "Authorization");
        const char *tok = auth ? kl_startswith(auth, "Bearer ") : NULL;
        int r;

        if (auth && s->tokens && !tok)
                return -KL_EUNAUTHORIZED;
        /* Without a token file, only bootstrap-shaped bearer tokens are looked at. */
        if (tok) {
                tok += strspn(tok, " ");
                r = kl_apiserver__authenticate_token(s, tok, kl_http_req_pool(req), ret);
                if (r != -ENOENT)
                        return r;
        }
        if (cert && !kl_isempty(cert->common_name)) {
                ret->name = cert->common_name;
                ret->groups = cert->organizations;
                ret->n_groups = cert->n_organizations;
                return 0;
        }
        return -KL_EUNAUTHORIZED;
}

static int authenticate(struct kl_apiserver *s, struct kl_http_req *req,
                        struct kl_apiserver__user *ret)
{
        int r = authenticate_req(s, req, ret);

        if (r == 0)
                kl_apiserver__user_add_authenticated(ret, kl_http_req_pool(req));
        return r;
}

static const char *verb_of(const char *method, bool has_name, bool watch)
{
        if (kl_streq(method, "GET") || kl_streq(method, "HEAD"))
                return watch ? "watch" : has_name ? "get" : "list";
        if (kl_streq(method, "POST"))
                return "create";
        if (kl_streq(method, "PUT"))
                return "update";
        if (kl_streq(method, "PATCH"))
                return "patch";
        if (kl_streq(method, "DELETE"))
                return has_name ? "delete" : "deletecollection";
        return "unknown";
}

/* The 403 upstream's authorizer words (kubectl-contract §7). */
static void respond_forbidden(struct kl_http_req *req, const struct kl_apiserver__user *u,
                              const char *verb, const struct kl_api_resource *res, const char *ns,
                              const char *name)
{
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        char q[128];

        (void)kl_api_resource_qualified(res, q, sizeof(q));
        if (name)
                (void)kl_buf_printf(&msg, "%s \"%s\" is forbidden: ", q, name);
        else
                (void)kl_buf_printf(&msg, "%s is forbidden: ", q);
        (void)kl_buf_printf(&msg, "User \"%s\" cannot %s resource \"%s\" in API group \"%s\"",
                            u->name, verb, res->plural, res->group);
        if (ns)
                (void)kl_buf_printf(&msg, " in the namespace \"%s\"", ns);
        else
                (void)kl_buf_puts(&msg, " at the cluster scope");
        respond_error(req, -EACCES, msg.buf, res, name);
}

/* ------------------------------------------------------------------------- */
/* Discovery and OpenAPI */

static void serve_discovery(struct kl_apiserver *s, struct kl_http_req *req,
                            const struct kl_apiserver__route *rt)
{
        enum kl_apiserver__output out =
                kl_apiserver__negotiate(kl_http_req_header(req, "Accept"), true);
        json_auto_t *doc = NULL;
        const char *ct = NULL;

        if ((rt->kind == KL_APISERVER_ROUTE_API || rt->kind == KL_APISERVER_ROUTE_APIS) &&
            (out == KL_APISERVER_OUTPUT_DISCOVERY_V2 ||
             out == KL_APISERVER_OUTPUT_DISCOVERY_V2BETA1)) {
                bool beta = out == KL_APISERVER_OUTPUT_DISCOVERY_V2BETA1;

                doc = kl_apiserver__discovery_aggregated(rt->kind == KL_APISERVER_ROUTE_API, beta);
                ct = beta ? "application/json;g=apidiscovery.k8s.io;v=v2beta1;as="
                            "APIGroupDiscoveryList"
                          : "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
                (void)kl_http_resp_add_header(req, "Vary", "Accept");
                kl_apiserver__respond_json(req, 200, doc, ct);
                return;
        }
        switch (rt->kind) {
        case KL_APISERVER_ROUTE_API:
                doc = kl_apiserver__discovery_api_versions(s->server_address);
                break;
        case KL_APISERVER_ROUTE_APIS:
                doc = kl_apiserver__discovery_group_list();
                break;
        case KL_APISERVER_ROUTE_GROUP:
                doc = kl_apiserver__discovery_group(rt->group);
                break;
        default:
                doc = kl_apiserver__discovery_resource_list(rt->group, rt->version);
                break;
        }
        if (!doc) {
                respond_not_found(req);
                return;
        }
        (void)kl_http_resp_add_header(req, "Vary", "Accept");
        kl_apiserver__respond_json(req, 200, doc, NULL);
}

/* FNV-1a, 64 bits: the opaque hash in serverRelativeURL only has to change with the text. */
static uint64_t fnv1a(const char *s, size_t n)
{
        uint64_t h = 14695981039346656037ULL;

        for (size_t i = 0; i < n; i++) {
                h ^= (uint8_t)s[i];
                h *= 1099511628211ULL;
        }
        return h;
}

/* Build every document once: they only depend on static tables. */
static int openapi_build(struct kl_apiserver *s)
{
        json_auto_t *index = NULL;
        json_t *docs;
        const char *key;
        json_t *entry;

        if (s->openapi)
                return 0;
        index = kl_apiserver__openapi_index();
        docs = json_object();
        json_object_foreach(json_object_get(index, "paths"), key, entry) {
                const char *gv = kl_startswith(key, "apis/");
                char group[128] = "", url[256];
                const char *version;
                json_auto_t *doc = NULL;
                kl_autobuf struct kl_buf text = KL_BUF_INIT;

                if (gv) {
                        const char *slash = strchr(gv, '/');

                        (void)snprintf(group, sizeof(group), "%.*s", (int)(slash - gv), gv);
                        version = slash + 1;
                } else {
                        version = key + strlen("api/");
                }
                doc = kl_apiserver__openapi_gv(group, version);
                if (!doc || kl_json_encode(doc, 0, &text, NULL) < 0) {
                        json_decref(docs);
                        return -EIO;
                }
                (void)snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%016llX", key,
                               (unsigned long long)fnv1a(text.buf, text.len));
                (void)json_object_set_new(entry, "serverRelativeURL", json_string(url));
                (void)json_object_set_new(docs, key, json_stringn(text.buf, text.len));
        }
        s->openapi = json_pack("{soso}", "index", KL_TAKE_PTR(index), "docs", docs);
        return 0;
}

static void serve_openapi(struct kl_apiserver *s, struct kl_http_req *req,
                          const struct kl_apiserver__route *rt)
{
        char key[192];
        json_t *doc;

        if (openapi_build(s) < 0) {
                respond_error(req, -EIO, "building the OpenAPI documents failed", NULL, NULL);
                return;
        }
        if (rt->kind == KL_APISERVER_ROUTE_OPENAPI_V3) {
                kl_apiserver__respond_json(req, 200, json_object_get(s->openapi, "index"), NULL);
                return;
        }
        if (*rt->group)
                (void)snprintf(key, sizeof(key), "apis/%s/%s", rt->group, rt->version);
        else
                (void)snprintf(key, sizeof(key), "api/%s", rt->version);
        doc = json_object_get(json_object_get(s->openapi, "docs"), key);
        if (!doc) {
                respond_not_found(req);
                return;
        }
        (void)kl_http_respond(req, 200, "application/json", json_string_value(doc),
                              json_string_length(doc));
}

/* ------------------------------------------------------------------------- */
/* Reads */

static int table_options(const struct kl_api_resource *res, const struct kl_apiserver__query *q,
                         struct kl_api_table_options *o, char *api_version, size_t size,
                         struct kl_err **err)
{
        memset(o, 0, sizeof(*o));
        o->group = res->group;
        o->kind = res->kind;
        o->api_version = kl_api_resource_api_version(res, api_version, size);
        o->include = kl_api_table_include_parse(kl_apiserver__query_get(q, "includeObject"), err);
        if ((int)o->include < 0)
                return -EINVAL;
        o->now = kl_now_realtime();
        return 0;
}

/* A GET of a resourceVersion the cache has not reached yet. */
struct get_ctx {
        struct kl_apiserver *s;            /* borrowed */
        struct kl_http_req *req;           /* ref: keeps the pool `rt` and `q` point into */
        const struct kl_api_resource *res; /* static */
        struct kl_apiserver__route rt;
        struct kl_apiserver__query q;
        bool table;
        int64_t want;
};

static void serve_get(struct kl_apiserver *s, struct kl_http_req *req,
                      const struct kl_api_resource *res, const struct kl_apiserver__route *rt,
                      const struct kl_apiserver__query *q, bool table);

static void get_resume(void *arg)
{
        struct get_ctx *ctx = arg;
        struct kl_apiserver *s = ctx->s;

        if (s->closing)
                respond_error(ctx->req, -KL_EUNAVAILABLE, "the server is shutting down", NULL,
                              NULL);
        else if (s->rev < ctx->want)
                /* apiserver/pkg/storage/cacher: waitUntilFreshAndBlock()'s error. */
                respond_error(ctx->req, -ETIMEDOUT,
                              kl_pool_printf(kl_http_req_pool(ctx->req),
                                             "Too large resource version: %lld, current: %lld",
                                             (long long)ctx->want, (long long)s->rev),
                              NULL, NULL);
        else
                serve_get(s, ctx->req, ctx->res, &ctx->rt, &ctx->q, ctx->table);
        kl_http_req_unref(ctx->req);
        free(ctx);
}

static void serve_get(struct kl_apiserver *s, struct kl_http_req *req,
                      const struct kl_api_resource *res, const struct kl_apiserver__route *rt,
                      const struct kl_apiserver__query *q, bool table)
{
        const char *rv = kl_apiserver__query_get(q, "resourceVersion");
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *obj = NULL;
        json_auto_t *out = NULL;
        int64_t want = 0;
        int r;

        /* resourceVersion N on a GET means "not older than N" (upstream's only GET semantics). */
        if (!kl_isempty(rv) && !kl_streq(rv, "0") && (kl_parse_int64(rv, &want) < 0 || want <= 0)) {
                respond_error(
                        req, -EINVAL,
                        kl_pool_printf(kl_http_req_pool(req), "invalid resource version: %s", rv),
                        res, rt->name);
                return;
        }
        if (want > s->rev) {
                struct get_ctx *ctx = kl_new0(struct get_ctx);

                ctx->s = s;
                ctx->req = kl_http_req_ref(req);
                ctx->res = res;
                ctx->rt = *rt;
                ctx->q = *q;
                ctx->table = table;
                ctx->want = want;
                kl_apiserver__wait_rev(s, want, get_resume, ctx);
                return;
        }
        if (!table && !rt->sub && !kl_apiserver__is_view(res)) {
                /* The common case answers with the stored bytes, no decode and encode. */
                const struct kl_apiserver__obj *o =
                        kl_apiserver__lookup(s, res, rt->ns, rt->name, &e);
                struct kl_buf text = KL_BUF_INIT;
                char *body;
                size_t len;

                if (!o) {
                        respond_kl_err(req, -ENOENT, e, res, rt->name);
                        return;
                }
                if (kl_apiserver__obj_append_json(o, &text) == 0) {
                        body = kl_buf_detach(&text, &len);
                        (void)kl_http_respond_take(req, 200, "application/json", body, len);
                        return;
                }
                kl_buf_release(&text);
        }
        r = kl_apiserver_get(s, kl_apiserver__storage_row(res), rt->ns, rt->name, &obj, &e);
        if (r < 0) {
                respond_kl_err(req, r, e, res, rt->name);
                return;
        }
        if (kl_apiserver__is_view(res)) {
                json_t *view = kl_apiserver__convert_out(res, obj);

                json_decref(obj);
                obj = view;
        }
        if (rt->sub && kl_streq(rt->sub, "scale")) {
                out = kl_apiserver__scale_of(obj);
                kl_apiserver__respond_json(req, 200, out, NULL);
                return;
        }
        if (table) {
                struct kl_api_table_options o;
                char av[128];

                r = table_options(res, q, &o, av, sizeof(av), &e);
                if (r >= 0)
                        r = kl_api_table_from_object(&o, obj, &out, &e);
                if (r < 0) {
                        respond_kl_err(req, r, e, res, rt->name);
                        return;
                }
                kl_apiserver__respond_json(req, 200, out, NULL);
                return;
        }
        kl_apiserver__respond_json(req, 200, obj, NULL);
}

/* A list in progress: it may wait for the cache or read the store on a worker. */
struct list_ctx {
        struct kl_http_req *req;           /* ref */
        const struct kl_api_resource *res; /* static */
        struct kl_api_table_options table; /* when `as_table` */
        char api_version[128];
        bool as_table;
};

/*
 * A list written as text a slice at a time (README.md, "Reads"): the body is
 * announced whole in Content-Length, and the next slice is produced only
 * once the connection has written the previous one out (its drain callback),
 * so a LIST holds one slice of text however long it is, and the references
 * on the objects not yet written.
 */
#define LIST_SLICE ((size_t)128 << 10)

struct list_stream {
        struct kl_http_req *req;              /* ref */
        struct kl_http_close_hook hook;       /* on req */
        struct kl_apiserver__list_text *text; /* owned */
        struct kl_buf slice;                  /* reused for every slice */
        bool busy;                            /* inside list_stream_pump() */
        bool over;                            /* the hook ran, or the text is all written */
};

static void list_stream_free(struct list_stream *ls)
{
        kl_http_close_hook_remove(&ls->hook);
        kl_http_req_set_drain_cb(ls->req, NULL, NULL);
        /* Ended before the last byte (a hook ran): the connection closes, the client sees it. */
        (void)kl_http_stream_end(ls->req);
        kl_http_req_unref(ls->req);
        kl_apiserver__list_text_free(ls->text);
        kl_buf_release(&ls->slice);
        free(ls);
}

/* Write the next slice; the rest follows from the drain callback. */
static void list_stream_pump(struct list_stream *ls)
{
        int more, r;

        ls->busy = true;
        more = kl_apiserver__list_text_next(ls->text, &ls->slice, LIST_SLICE);
        kl_assert(more >= 0); /* the slice buffer has no maximum */
        r = kl_http_stream_write(ls->req, ls->slice.buf, ls->slice.len);
        kl_buf_reset(&ls->slice);
        ls->busy = false;
        if (r < 0 || more == 0 || ls->over)
                list_stream_free(ls);
}

static void list_stream_drained(struct kl_http_req *req, void *userdata)
{
        (void)req;
        list_stream_pump(userdata);
}

/* The client went away, stopped reading, or the server is shutting down: stop here. */
static void list_stream_closed(struct kl_http_req *req, int reason, void *userdata)
{
        struct list_stream *ls = userdata;

        (void)req;
        (void)reason;
        ls->over = true;
        if (!ls->busy)
                list_stream_free(ls);
}

void kl_apiserver__respond_list_text(struct kl_http_req *req, struct kl_apiserver__list_text *text)
{
        struct list_stream *ls = kl_new0(struct list_stream);
        int r;

        ls->req = kl_http_req_ref(req);
        ls->text = text;
        kl_buf_init(&ls->slice, SIZE_MAX);
        r = kl_http_req_add_close_hook(req, &ls->hook, list_stream_closed, ls);
        if (r == -ESHUTDOWN)
                respond_error(req, -KL_EUNAVAILABLE, "the server is shutting down", NULL, NULL);
        else if (r < 0)
                (void)kl_http_respond_status(req, 500); /* gone: this only finishes it */
        if (r < 0) {
                list_stream_free(ls);
                return;
        }
        ls->busy = true; /* a failed write runs the hook from inside */
        r = kl_http_stream_start_sized(req, 200, "application/json",
                                       kl_apiserver__list_text_size(text));
        ls->busy = false;
        /* HEAD has its head and nothing more to wait for. */
        if (r < 0 || ls->over || kl_streq(kl_http_req_method(req), "HEAD")) {
                list_stream_free(ls);
                return;
        }
        kl_http_req_set_drain_cb(req, list_stream_drained, ls);
        list_stream_pump(ls);
}

static void list_done(void *arg, int r, const json_t *list, struct kl_apiserver__list_text *text,
                      const struct kl_err *e)
{
        struct list_ctx *ctx = arg;
        kl_autoerr struct kl_err *te = NULL;
        json_auto_t *out = NULL;
        json_auto_t *view = NULL;

        if (r < 0) {
                /* A 422 here is about the ListOptions, not about an object of the resource. */
                respond_kl_err(ctx->req, r, e, r == -KL_EINVALID ? NULL : ctx->res, NULL);
                goto done;
        }
        if (list && kl_apiserver__is_view(ctx->res)) {
                view = kl_apiserver__convert_out(ctx->res, list);
                list = view;
        }
        if (text) {
                kl_apiserver__respond_list_text(ctx->req, text);
        } else if (ctx->as_table) {
                json_t *meta = json_object_get(list, "metadata");
                json_t *remaining = json_object_get(meta, "remainingItemCount");
                struct kl_api_table_list_meta tm = {
                        .resource_version =
                                json_string_value(json_object_get(meta, "resourceVersion")),
                        .continue_token = json_string_value(json_object_get(meta, "continue")),
                        .has_remaining_item_count = remaining != NULL,
                        .remaining_item_count = json_integer_value(remaining),
                };

                r = kl_api_table_from_list(&ctx->table, json_object_get(list, "items"), &tm, &out,
                                           &te);
                if (r < 0)
                        respond_kl_err(ctx->req, r, te, ctx->res, NULL);
                else
                        kl_apiserver__respond_json(ctx->req, 200, out, NULL);
        } else {
                kl_apiserver__respond_json(ctx->req, 200, list, NULL);
        }
done:
        kl_http_req_unref(ctx->req);
        free(ctx);
}

static void serve_list(struct kl_apiserver *s, struct kl_http_req *req,
                       const struct kl_api_resource *res, const struct kl_apiserver__route *rt,
                       const struct kl_apiserver__query *q, bool table)
{
        struct kl_apiserver_list_opts lo = {
                .label_selector = kl_apiserver__query_get(q, "labelSelector"),
                .field_selector = kl_apiserver__query_get(q, "fieldSelector"),
                .continue_token = kl_apiserver__query_get(q, "continue"),
                .resource_version = kl_apiserver__query_get(q, "resourceVersion"),
        };
        const char *limit = kl_apiserver__query_get(q, "limit");
        kl_autoerr struct kl_err *e = NULL;
        struct list_ctx *ctx;

        if (!kl_isempty(limit) && (kl_parse_int64(limit, &lo.limit) < 0 || lo.limit < 0)) {
                respond_error(req, -EINVAL, "invalid limit", res, NULL);
                return;
        }
        ctx = kl_new0(struct list_ctx);
        ctx->res = res;
        ctx->as_table = table;
        if (table && table_options(res, q, &ctx->table, ctx->api_version, sizeof(ctx->api_version),
                                   &e) < 0) {
                free(ctx);
                respond_kl_err(req, -EINVAL, e, res, NULL);
                return;
        }
        ctx->req = kl_http_req_ref(req);
        /* A view's items are converted: it never takes the stored text as it is. */
        kl_apiserver__list_async(s, kl_apiserver__storage_row(res), rt->ns, &lo,
                                 kl_apiserver__query_get(q, "resourceVersionMatch"),
                                 !table && !kl_apiserver__is_view(res), list_done, ctx);
}

/* ------------------------------------------------------------------------- */
/* Watch streams */

struct kl_apiserver__http_watch {
        struct kl_apiserver *s;                       /* borrowed */
        struct kl_apiserver__http_watch *next, *prev; /* in s->http_watches */
        struct kl_http_req *req;                      /* ref */
        struct kl_http_close_hook hook;               /* on req */
        struct kl_apiserver_watch *w;                 /* owned */
        const struct kl_api_resource *res;            /* static */
        struct kl_api_table_options table;            /* when `as_table` */
        char api_version[128];
        bool as_table;
        bool sent_columns;
        uint64_t deadline; /* uv_now() ms */
};

static void http_watch_end(struct kl_apiserver__http_watch *hw)
{
        struct kl_apiserver *s = hw->s;

        kl_apiserver_watch_stop(hw->w);
        kl_http_close_hook_remove(&hw->hook);
        (void)kl_http_stream_end(hw->req);
        kl_http_req_unref(hw->req);
        if (hw->prev)
                hw->prev->next = hw->next;
        else
                s->http_watches = hw->next;
        if (hw->next)
                hw->next->prev = hw->prev;
        free(hw);
}

static void http_watch_on_close(struct kl_http_req *req, int reason, void *userdata)
{
        (void)req;
        (void)reason;
        http_watch_end(userdata);
}

static void http_watch_on_event(struct kl_apiserver_watch *w, enum kl_apiserver_event_type t,
                                const json_t *obj, void *arg)
{
        struct kl_apiserver__http_watch *hw = arg;
        struct kl_apiserver *s = hw->s;
        kl_autobuf struct kl_buf line = KL_BUF_INIT;
        json_auto_t *table = NULL;
        json_auto_t *ev = NULL;
        json_auto_t *view = NULL;
        int r;

        (void)w;
        if (kl_apiserver__is_view(hw->res) && t == KL_APISERVER_EVENT_BOOKMARK) {
                char av[128];

                /* A bookmark carries only metadata: it changes its apiVersion, nothing else. */
                view = json_deep_copy(obj);
                (void)json_object_set_new(
                        view, "apiVersion",
                        json_string(kl_api_resource_api_version(hw->res, av, sizeof(av))));
                obj = view;
        } else if (kl_apiserver__is_view(hw->res) && t <= KL_APISERVER_EVENT_DELETED) {
                view = kl_apiserver__convert_out(hw->res, obj);
                obj = view;
        }
        if (hw->as_table && t <= KL_APISERVER_EVENT_DELETED) {
                hw->table.no_headers = hw->sent_columns;
                if (kl_api_table_from_object(&hw->table, obj, &table, NULL) == 0) {
                        hw->sent_columns = true;
                        obj = table;
                }
        }
        if (!table && !view && s->watch_line.obj == obj && s->watch_line.type == (int)t) {
                r = kl_http_stream_write(hw->req, s->watch_line.line, s->watch_line.len);
        } else {
                ev = json_pack("{sssO}", "type", kl_apiserver_event_type_name(t), "object", obj);
                r = kl_json_encode(ev, 0, &line, NULL);
                /* The shared line is the storage version's: a view's is its own. */
                if (r >= 0 && !table && !view) {
                        kl_apiserver__http_release(s);
                        s->watch_line.obj = json_incref((json_t *)obj);
                        s->watch_line.type = (int)t;
                        s->watch_line.line = kl_memdup(line.buf, line.len);
                        s->watch_line.len = line.len;
                }
                if (r >= 0)
                        r = kl_http_stream_write(hw->req, line.buf, line.len);
        }
        /* -ENOBUFS: a client this far behind is ended; it re-watches from its last event. */
        if (r < 0 || t == KL_APISERVER_EVENT_ERROR)
                http_watch_end(hw);
}

static void serve_watch(struct kl_apiserver *s, struct kl_http_req *req,
                        const struct kl_api_resource *res, const struct kl_apiserver__route *rt,
                        const struct kl_apiserver__query *q, bool table)
{
        struct kl_apiserver_watch_opts wo = {
                .label_selector = kl_apiserver__query_get(q, "labelSelector"),
                .field_selector = kl_apiserver__query_get(q, "fieldSelector"),
                .resource_version = kl_apiserver__query_get(q, "resourceVersion"),
                .allow_bookmarks = kl_apiserver__query_bool(q, "allowWatchBookmarks"),
        };
        const char *timeout = kl_apiserver__query_get(q, "timeoutSeconds");
        struct kl_apiserver__http_watch *hw;
        kl_autoerr struct kl_err *e = NULL;
        int64_t secs = KL_APISERVER_WATCH_MAX_SEC;
        int r;

        if (rt->name) {
                /* A watch of one object is a watch with a metadata.name selector. */
                wo.field_selector =
                        kl_pool_printf(kl_http_req_pool(req), "metadata.name=%s", rt->name);
        }
        if (!kl_isempty(timeout) && (kl_parse_int64(timeout, &secs) < 0 || secs < 0)) {
                respond_error(req, -EINVAL, "invalid timeoutSeconds", res, NULL);
                return;
        }
        if (secs == 0 || secs > KL_APISERVER_WATCH_MAX_SEC)
                secs = KL_APISERVER_WATCH_MAX_SEC;
        wo.timeout_sec = (uint64_t)secs;
        hw = kl_new0(struct kl_apiserver__http_watch);
        hw->s = s;
        hw->res = res;
        hw->as_table = table;
        if (table &&
            table_options(res, q, &hw->table, hw->api_version, sizeof(hw->api_version), &e) < 0) {
                free(hw);
                respond_kl_err(req, -EINVAL, e, res, NULL);
                return;
        }
        r = kl_apiserver_watch_start(s, kl_apiserver__storage_row(res), rt->ns, &wo,
                                     http_watch_on_event, hw, &hw->w, &e);
        if (r < 0) {
                free(hw);
                respond_kl_err(req, r, e, res, NULL);
                return;
        }
        hw->req = kl_http_req_ref(req);
        hw->deadline = uv_now(s->loop) + (uint64_t)secs * 1000;
        hw->next = s->http_watches;
        if (s->http_watches)
                s->http_watches->prev = hw;
        s->http_watches = hw;
        r = kl_http_stream_start(req, 200, "application/json");
        if (r == 0)
                r = kl_http_req_add_close_hook(req, &hw->hook, http_watch_on_close, hw);
        if (r < 0)
                http_watch_end(hw);
}

void kl_apiserver__http_watches_tick(struct kl_apiserver *s)
{
        uint64_t now = uv_now(s->loop);

        for (struct kl_apiserver__http_watch *hw = s->http_watches, *next; hw; hw = next) {
                next = hw->next;
                if (now >= hw->deadline)
                        http_watch_end(hw);
        }
}

void kl_apiserver__http_release(struct kl_apiserver *s)
{
        json_decref(s->watch_line.obj);
        free(s->watch_line.line);
        memset(&s->watch_line, 0, sizeof(s->watch_line));
}

void kl_apiserver__http_watches_end_all(struct kl_apiserver *s)
{
        struct kl_apiserver__http_watch *hw = s->http_watches;

        /* Detach the whole list first: each end then unlinks nothing but itself. */
        s->http_watches = NULL;
        while (hw) {
                struct kl_apiserver__http_watch *next = hw->next;

                hw->prev = hw->next = NULL;
                http_watch_end(hw);
                hw = next;
        }
}

/* ------------------------------------------------------------------------- */
/* Writes */

/*
 * A Warning header as upstream writes it (RFC 7234 code 299, agent "-",
 * the text quoted with '"' and '\\' escaped); kubectl prints the text as
 * "Warning: <text>". Control characters would make the header invalid and
 * are replaced by spaces.
 */
static void add_warning(struct kl_http_req *req, const char *text)
{
        kl_autobuf struct kl_buf v = KL_BUF_INIT;

        if (!text)
                return;
        (void)kl_buf_puts(&v, "299 - \"");
        for (const char *p = text; *p; p++) {
                if (*p == '"' || *p == '\\')
                        (void)kl_buf_putc(&v, '\\');
                (void)kl_buf_putc(&v, (unsigned char)*p < 0x20 ? ' ' : *p);
        }
        (void)kl_buf_putc(&v, '"');
        (void)kl_http_resp_add_header(req, "Warning", v.buf);
}

struct write_ctx {
        struct kl_http_req *req; /* ref */
        const struct kl_api_resource *res;
        char name[256];
};

static void write_done(void *arg, int r, const struct kl_apiserver_result *res,
                       const struct kl_err *err)
{
        struct write_ctx *ctx = arg;
        json_auto_t *view = NULL;
        size_t i;
        json_t *w;

        json_array_foreach(res ? res->warnings : NULL, i, w) {
                add_warning(ctx->req, json_string_value(w));
        }
        if (r >= 0)
                view = kl_apiserver__convert_out(ctx->res, res->obj);
        if (r < 0 && res && res->obj)
                kl_apiserver__respond_json(ctx->req, kl_err_code_http_status(r), res->obj, NULL);
        else if (r < 0)
                respond_kl_err(ctx->req, r, err, ctx->res, ctx->name[0] ? ctx->name : NULL);
        else
                kl_apiserver__respond_json(ctx->req, res->status, view, NULL);
        kl_http_req_unref(ctx->req);
        free(ctx);
}

static struct write_ctx *write_ctx_new(struct kl_http_req *req, const struct kl_api_resource *res,
                                       const char *name)
{
        struct write_ctx *ctx = kl_new0(struct write_ctx);

        ctx->req = kl_http_req_ref(req);
        ctx->res = res;
        if (name)
                (void)snprintf(ctx->name, sizeof(ctx->name), "%s", name);
        return ctx;
}

static int write_opts(const struct kl_apiserver__query *q, struct kl_apiserver_write_opts *o,
                      struct kl_err **err)
{
        const char *dry = kl_apiserver__query_get(q, "dryRun");
        const char *fv = kl_apiserver__query_get(q, "fieldValidation");

        memset(o, 0, sizeof(*o));
        if (dry && !kl_streq(dry, "All"))
                return kl_err_set_msg(err, -EINVAL, "Invalid dryRun parameter: %s", dry);
        o->dry_run = dry != NULL;
        o->field_manager = kl_apiserver__query_get(q, "fieldManager");
        o->force = kl_apiserver__query_bool(q, "force");
        /* Without the parameter upstream warns (handlers/rest.go fieldValidation()). */
        o->field_validation = KL_API_FIELD_VALIDATION_WARN;
        if (!kl_isempty(fv)) {
                int v = kl_api_field_validation_parse(fv);

                if (v < 0)
                        return kl_err_set_msg(err, -EINVAL,
                                              "fieldValidation parameter unsupported: %s", fv);
                o->field_validation = v;
        }
        return 0;
}

/* FieldManagerMaxLength of upstream's options validation. */
#define FIELD_MANAGER_MAX 128

/*
 * Upstream's Validate{Create,Update,Patch}Options, which run before the body
 * is decoded or anything looked up: an apply names its manager (kubectl
 * sends "kubectl"; controllers must set one), only an apply may force, and
 * a manager is at most 128 bytes of printable characters (here: no ASCII
 * or C1 control characters; upstream asks unicode.IsPrint of each rune).
 * The 422 is about the options kind (`kind`: "PatchOptions", ...), e.g.
 * `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value:
 * is required for apply patch`. False when it answered.
 */
static bool write_opts_valid(struct kl_http_req *req, const char *kind,
                             const struct kl_apiserver__query *q, bool patch, bool apply)
{
        const struct kl_api_resource options = { .group = "meta.k8s.io", .kind = kind };
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        const char *manager = kl_apiserver__query_get(q, "fieldManager");
        json_auto_t *st = NULL;
        size_t len = manager ? strlen(manager) : 0;

        if (patch && !apply && kl_apiserver__query_get(q, "force"))
                kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_FORBIDDEN, "force", NULL,
                                             "may not be specified for non-apply patch");
        if (apply && len == 0)
                kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_REQUIRED, "fieldManager", NULL,
                                             "is required for apply patch");
        if (len > FIELD_MANAGER_MAX) {
                kl_autofree char *detail =
                        kl_asprintf("may not be more than %d bytes", FIELD_MANAGER_MAX);

                kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_TOO_LONG, "fieldManager", NULL,
                                             detail);
        }
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)manager[i];
                bool c1 = c == 0xc2 && i + 1 < len && (unsigned char)manager[i + 1] >= 0x80 &&
                          (unsigned char)manager[i + 1] <= 0x9f;
                kl_autofree char *field = NULL;

                if (c >= 0x20 && c != 0x7f && !c1)
                        continue;
                field = kl_asprintf("fieldManager[%zu]", i);
                kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_INVALID, field,
                                             kl_api_go_quoted(manager),
                                             "all characters must be printable");
        }
        if (errs.n == 0)
                return true;
        st = kl_api_validate_status(&options, "", &errs);
        kl_apiserver__respond_json(req, 422, st, NULL);
        return false;
}

static int decode_body(struct kl_http_req *req, json_t **ret, struct kl_err **err)
{
        enum kl_apiserver__body_type type;
        const char *body;
        size_t len;
        int r;

        r = kl_apiserver__body_type(kl_http_req_header(req, "Content-Type"), &type, err);
        if (r < 0)
                return r;
        body = kl_http_req_body(req, &len);
        return kl_apiserver__body_decode(type, body, len, ret, err);
}

/* An eviction succeeded when its delete did: upstream answers 201 with a bare Success. */
static void eviction_done(void *arg, int r, const struct kl_apiserver_result *res,
                          const struct kl_err *err)
{
        struct write_ctx *ctx = arg;
        json_auto_t *st = NULL;

        if (r < 0) {
                write_done(arg, r, res, err);
                return;
        }
        st = json_pack("{sssss{}sssi}", "kind", "Status", "apiVersion", "v1", "metadata", "status",
                       "Success", "code", 201);
        kl_apiserver__respond_json(ctx->req, 201, st, NULL);
        kl_http_req_unref(ctx->req);
        free(ctx);
}

/*
 * POST to pods/{name}/binding (the scheduler) and pods/{name}/eviction
 * (drain): an eviction is a delete with the Eviction's deleteOptions once
 * the pod's PodDisruptionBudget allows it (evict.c).
 */
static void serve_post_sub(struct kl_apiserver *s, struct kl_http_req *req,
                           const struct kl_api_resource *res, const struct kl_apiserver__route *rt,
                           const struct kl_apiserver_write_opts *wo)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *body = NULL;
        const char *name;
        int r;

        r = decode_body(req, &body, &e);
        if (r < 0) {
                respond_kl_err(req, r, e, res, rt->name);
                return;
        }
        if (!json_is_object(body)) {
                respond_error(req, -EINVAL, "the body of the request must be a JSON object", res,
                              rt->name);
                return;
        }
        name = json_string_value(json_object_get(json_object_get(body, "metadata"), "name"));
        if (!kl_isempty(name) && !kl_streq(name, rt->name)) {
                respond_error(req, -EINVAL,
                              kl_pool_printf(kl_http_req_pool(req),
                                             "name in URL does not match name in %s object",
                                             kl_streq(rt->sub, "binding") ? "Binding" : "Eviction"),
                              res, rt->name);
                return;
        }
        if (kl_streq(rt->sub, "binding")) {
                kl_apiserver_update(s, res, rt->ns, rt->name, "binding", KL_TAKE_PTR(body), wo,
                                    write_done, write_ctx_new(req, res, rt->name));
                return;
        }
        kl_apiserver__evict(s, rt->ns, rt->name, KL_TAKE_PTR(body), wo, eviction_done,
                            write_ctx_new(req, res, rt->name));
}

static void serve_write(struct kl_apiserver *s, struct kl_http_req *req,
                        const struct kl_api_resource *res, const struct kl_apiserver__route *rt,
                        const struct kl_apiserver__query *q)
{
        const char *method = kl_http_req_method(req);
        struct kl_apiserver_write_opts wo;
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *body = NULL;
        int r;

        r = write_opts(q, &wo, &e);
        if (r < 0) {
                respond_kl_err(req, r, e, res, rt->name);
                return;
        }
        if (kl_isempty(wo.field_manager)) {
                /* Upstream names an anonymous writer after its User-Agent's product. */
                const char *ua = kl_http_req_header(req, "User-Agent");

                if (!kl_isempty(ua))
                        wo.field_manager = kl_pool_printf(kl_http_req_pool(req), "%.*s",
                                                          (int)strcspn(ua, "/"), ua);
        }
        if ((kl_streq(method, "POST") || kl_streq(method, "PUT")) &&
            !write_opts_valid(req, kl_streq(method, "PUT") ? "UpdateOptions" : "CreateOptions", q,
                              false, false))
                return;
        if (kl_streq(method, "POST") && rt->sub) {
                serve_post_sub(s, req, res, rt, &wo);
                return;
        }
        if (kl_streq(method, "POST")) {
                if (rt->name) {
                        respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                                      "the server does not allow this method on the requested "
                                      "resource",
                                      res, rt->name);
                        return;
                }
                r = decode_body(req, &body, &e);
                if (r >= 0)
                        r = kl_apiserver__convert_in(res, KL_TAKE_PTR(body), &body, &e);
                if (r < 0) {
                        respond_kl_err(req, r, e, res, NULL);
                        return;
                }
                kl_apiserver_create(s, kl_apiserver__storage_row(res), rt->ns, KL_TAKE_PTR(body),
                                    &wo, write_done, write_ctx_new(req, res, NULL));
                return;
        }
        if (!rt->name) {
                respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                              "the server does not allow this method on the requested resource",
                              res, NULL);
                return;
        }
        if (kl_streq(method, "PUT")) {
                r = decode_body(req, &body, &e);
                if (r >= 0)
                        r = kl_apiserver__convert_in(res, KL_TAKE_PTR(body), &body, &e);
                if (r < 0) {
                        respond_kl_err(req, r, e, res, rt->name);
                        return;
                }
                kl_apiserver_update(s, kl_apiserver__storage_row(res), rt->ns, rt->name, rt->sub,
                                    KL_TAKE_PTR(body), &wo, write_done,
                                    write_ctx_new(req, res, rt->name));
                return;
        }
        if (kl_streq(method, "PATCH")) {
                enum kl_api_patch_type type;
                const char *text;
                size_t len;

                r = kl_api_patch_type_check(kl_http_req_header(req, "Content-Type"), true, &type,
                                            &e);
                if (r < 0) {
                        respond_kl_err(req, r, e, res, rt->name);
                        return;
                }
                if (!write_opts_valid(req, "PatchOptions", q, true,
                                      type == KL_API_PATCH_TYPE_APPLY_YAML))
                        return;
                text = kl_http_req_body(req, &len);
                r = type == KL_API_PATCH_TYPE_APPLY_YAML
                            ? kl_apiserver__body_decode(KL_APISERVER_BODY_YAML, text, len, &body,
                                                        &e)
                            : kl_json_decode(text, len, KL_JSON_DEFAULT_MAX, &body, &e);
                if (r < 0) {
                        respond_kl_err(req, r, e, res, rt->name);
                        return;
                }
                if (kl_apiserver__is_view(res)) {
                        kl_apiserver__patch_view(s, res, rt->ns, rt->name, rt->sub, type,
                                                 KL_TAKE_PTR(body), &wo, write_done,
                                                 write_ctx_new(req, res, rt->name));
                        return;
                }
                kl_apiserver_patch(s, res, rt->ns, rt->name, rt->sub, type, KL_TAKE_PTR(body), &wo,
                                   write_done, write_ctx_new(req, res, rt->name));
                return;
        }
        if (kl_streq(method, "DELETE")) {
                size_t len;

                (void)kl_http_req_body(req, &len);
                if (len > 0) {
                        r = decode_body(req, &body, &e);
                        if (r < 0) {
                                respond_kl_err(req, r, e, res, rt->name);
                                return;
                        }
                }
                kl_apiserver_delete(s, kl_apiserver__storage_row(res), rt->ns, rt->name,
                                    KL_TAKE_PTR(body), &wo, write_done,
                                    write_ctx_new(req, res, rt->name));
                return;
        }
        respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                      "the server does not allow this method on the requested resource", res,
                      rt->name);
}

/* ------------------------------------------------------------------------- */
/* The handler */

/* The verbs of each subresource, as upstream registers them. */
static bool sub_allows(const char *sub, const char *method)
{
        bool get = kl_streq(method, "GET") || kl_streq(method, "HEAD");

        if (kl_streq(sub, "status") || kl_streq(sub, "scale"))
                return get || kl_streq(method, "PUT") || kl_streq(method, "PATCH");
        if (kl_streq(sub, "binding") || kl_streq(sub, "eviction"))
                return kl_streq(method, "POST");
        if (kl_streq(sub, "finalize"))
                return kl_streq(method, "PUT");
        /* pods/log is read; exec, attach and portforward are GET (WebSocket) or POST (SPDY). */
        if (kl_streq(sub, "log"))
                return get;
        if (kl_streq(sub, "exec") || kl_streq(sub, "attach") || kl_streq(sub, "portforward"))
                return kl_streq(method, "GET") || kl_streq(method, "POST");
        return false;
}

/* A review POST (authz.c): answered with the review, never stored; dryRun changes nothing. */
static void serve_review(struct kl_apiserver *s, struct kl_http_req *req,
                         const struct kl_apiserver__user *u, const struct kl_api_resource *res,
                         const struct kl_apiserver__route *rt, const struct kl_apiserver__query *q)
{
        struct kl_apiserver_write_opts wo;
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *body = NULL;
        json_auto_t *out = NULL;
        int r;

        if (!kl_streq(kl_http_req_method(req), "POST") || rt->name || rt->sub) {
                respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                              "the server does not allow this method on the requested resource",
                              res, rt->name);
                return;
        }
        r = write_opts(q, &wo, &e);
        if (r < 0) {
                respond_kl_err(req, r, e, res, NULL);
                return;
        }
        if (!write_opts_valid(req, "CreateOptions", q, false, false))
                return;
        r = decode_body(req, &body, &e);
        if (r >= 0)
                r = kl_apiserver__review(s, u, res, res->namespaced ? rt->ns : NULL,
                                         KL_TAKE_PTR(body), kl_http_req_pool(req), &out, &e);
        if (r == -KL_EINVALID && out) {
                kl_apiserver__respond_json(req, 422, out, NULL);
                return;
        }
        if (r < 0) {
                respond_kl_err(req, r, e, res, NULL);
                return;
        }
        kl_apiserver__respond_json(req, 201, out, NULL);
}

static void serve_resource(struct kl_apiserver *s, struct kl_http_req *req,
                           const struct kl_apiserver__user *u, const struct kl_apiserver__route *rt,
                           const struct kl_apiserver__query *q)
{
        const struct kl_api_resource *res =
                kl_api_resource_find(rt->group, rt->version, rt->plural);
        const char *method = kl_http_req_method(req);
        bool watch = kl_apiserver__query_bool(q, "watch");
        bool is_get = kl_streq(method, "GET") || kl_streq(method, "HEAD");
        struct kl_apiserver__attrs a = { 0 };
        bool table;

        if (!res || (rt->ns && !res->namespaced && !kl_streq(res->plural, "namespaces")) ||
            (res->namespaced && rt->name && !rt->ns)) {
                respond_not_found(req);
                return;
        }
        if (rt->sub && !kl_api_resource_subresource(res, rt->sub)) {
                respond_not_found(req);
                return;
        }
        if (rt->sub && !sub_allows(rt->sub, method)) {
                respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                              "the server does not allow this method on the requested resource",
                              res, rt->name);
                return;
        }
        a.verb = verb_of(method, rt->name, watch);
        a.group = res->group;
        a.resource = res->plural;
        a.sub = rt->sub;
        a.ns = res->namespaced ? rt->ns : NULL;
        a.name = rt->name;
        if (!kl_apiserver__authorize(u, &a, NULL)) {
                respond_forbidden(req, u, a.verb, res, a.ns, rt->name);
                return;
        }
        if (kl_apiserver__is_review(res)) {
                serve_review(s, req, u, res, rt, q);
                return;
        }
        /* Streaming pod subresources (proxy.c). */
        if (rt->sub && kl_apiserver__proxy_handles(rt->sub)) {
                kl_apiserver__proxy_serve(s, req, res, rt, q);
                return;
        }
        table = kl_apiserver__negotiate(kl_http_req_header(req, "Accept"), false) ==
                KL_APISERVER_OUTPUT_TABLE;
        if (is_get) {
                if (watch)
                        serve_watch(s, req, res, rt, q, table);
                else if (rt->name)
                        serve_get(s, req, res, rt, q, table);
                else
                        serve_list(s, req, res, rt, q, table);
                return;
        }
        serve_write(s, req, res, rt, q);
}

/*
 * Discovery and OpenAPI are non-resource requests: upstream's verb is the
 * lowercase method (HEAD is asked as "get", which it serves the same). 403 in
 * upstream's words when the authorizer refuses; false when it answered.
 */
static bool authorize_path(struct kl_http_req *req, const struct kl_apiserver__user *u)
{
        const char *method = kl_http_req_method(req);
        struct kl_apiserver__attrs a = { .path = kl_http_req_path(req) };
        char verb[16];
        size_t i;

        for (i = 0; method[i] && i < sizeof(verb) - 1; i++)
                verb[i] = (char)(method[i] >= 'A' && method[i] <= 'Z' ? method[i] - 'A' + 'a'
                                                                      : method[i]);
        verb[i] = '\0';
        a.verb = kl_streq(verb, "head") ? "get" : verb;
        if (kl_apiserver__authorize(u, &a, NULL))
                return true;
        respond_error(req, -EACCES,
                      kl_pool_printf(kl_http_req_pool(req),
                                     "forbidden: User \"%s\" cannot %s path \"%s\"", u->name,
                                     a.verb, a.path),
                      NULL, NULL);
        return false;
}

/*
 * kube-lite does not impersonate (no RBAC to grant `impersonate`): a request
 * asking to act as someone else is refused in the words of upstream's
 * impersonation filter rather than silently run as the caller, which would
 * make `kubectl auth can-i --as=...` answer for the wrong user. False when
 * it answered.
 */
static bool refuse_impersonation(struct kl_http_req *req, const struct kl_apiserver__user *u)
{
        static const struct {
                const char *header;
                const char *plural;
        } asks[] = {
                { "Impersonate-User", "users" },
                { "Impersonate-Group", "groups" },
                { "Impersonate-Uid", "uids" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(asks); i++) {
                const char *v = kl_http_req_header(req, asks[i].header);

                if (!v)
                        continue;
                respond_error(req, -EACCES,
                              kl_pool_printf(kl_http_req_pool(req),
                                             "%s \"%s\" is forbidden: User \"%s\" cannot "
                                             "impersonate resource \"%s\" in API group \"\" at "
                                             "the cluster scope: impersonation is not supported "
                                             "by kube-lite",
                                             asks[i].plural, v, u->name, asks[i].plural),
                              NULL, NULL);
                return false;
        }
        return true;
}

void kl_apiserver__http_handler(struct kl_http_req *req, void *userdata)
{
        struct kl_apiserver *s = userdata;
        struct kl_pool *pool = kl_http_req_pool(req);
        struct kl_apiserver__route rt;
        struct kl_apiserver__query q;
        struct kl_apiserver__user u = { 0 };
        json_auto_t *doc = NULL;

        if (kl_apiserver__route_parse(kl_http_req_path(req), pool, &rt) < 0 ||
            kl_apiserver__query_parse(kl_http_req_query(req), pool, &q) < 0) {
                respond_error(req, -EINVAL, "malformed request URL", NULL, NULL);
                return;
        }
        if (kl_streq(kl_http_req_path(req), KL_APISERVER_CACERTS_PATH)) {
                kl_apiserver__serve_cacerts(s, req);
                return;
        }
        switch (rt.kind) {
        case KL_APISERVER_ROUTE_VERSION:
                doc = kl_apiserver__version_info();
                kl_apiserver__respond_json(req, 200, doc, NULL);
                return;
        case KL_APISERVER_ROUTE_HEALTH:
                (void)kl_http_respond(req, 200, "text/plain; charset=utf-8", "ok", 2);
                return;
        default:
                break;
        }
        if (authenticate(s, req, &u) < 0) {
                respond_error(req, -KL_EUNAUTHORIZED, "Unauthorized", NULL, NULL);
                return;
        }
        if (!refuse_impersonation(req, &u))
                return;
        if (kl_streq(kl_http_req_path(req), KL_APISERVER_NODE_CERT_PATH)) {
                kl_apiserver__serve_node_certificate(s, req, u.name, u.groups, u.n_groups);
                return;
        }
        switch (rt.kind) {
        case KL_APISERVER_ROUTE_API:
        case KL_APISERVER_ROUTE_APIS:
        case KL_APISERVER_ROUTE_GROUP:
        case KL_APISERVER_ROUTE_GROUP_VERSION:
                if (authorize_path(req, &u))
                        serve_discovery(s, req, &rt);
                return;
        case KL_APISERVER_ROUTE_OPENAPI_V3:
        case KL_APISERVER_ROUTE_OPENAPI_V3_GV:
                if (authorize_path(req, &u))
                        serve_openapi(s, req, &rt);
                return;
        case KL_APISERVER_ROUTE_RESOURCE:
                serve_resource(s, req, &u, &rt, &q);
                return;
        default:
                respond_not_found(req);
                return;
        }
}
