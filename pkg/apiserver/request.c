/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Routing, query parsing and content negotiation: pure functions over the
 * text of a request, so the unit tests can cover them without a socket.
 */
#include <string.h>
#include <strings.h>

#include "api/schema.h"
#include "apiserver/apiserver-internal.h"
#include "yaml/yaml.h"
#include "json/json.h"

/* Longest path we route; longer ones are not Kubernetes URLs (names are <= 253). */
#define MAX_SEGMENTS 12

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Percent-decode `n` bytes of `s` into the pool; '+' is a space when `plus`. */
static int decode(const char *s, size_t n, bool plus, struct kl_pool *pool, const char **ret)
{
        char *out = kl_pool_alloc(pool, n + 1);
        size_t j = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '%') {
                        int hi, lo;

                        if (i + 2 >= n)
                                return -EINVAL;
                        hi = hexval(s[i + 1]);
                        lo = hexval(s[i + 2]);
                        if (hi < 0 || lo < 0)
                                return -EINVAL;
                        /* A NUL inside a name or value would cut it short behind our back. */
                        if (hi == 0 && lo == 0)
                                return -EINVAL;
                        out[j++] = (char)(hi * 16 + lo);
                        i += 2;
                } else if (plus && s[i] == '+') {
                        out[j++] = ' ';
                } else {
                        out[j++] = s[i];
                }
        }
        out[j] = '\0';
        *ret = out;
        return 0;
}

static bool is_health(const char *p)
{
        static const char *const names[] = { "/healthz", "/livez", "/readyz" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(names); i++) {
                const char *rest = kl_startswith(p, names[i]);

                if (rest && (*rest == '\0' || *rest == '/'))
                        return true;
        }
        return false;
}

/* The segments after the group/version: [namespaces/{ns}/]{res}[/{name}[/{sub}]]. */
static void route_resource(const char **seg, size_t n, struct kl_apiserver__route *r)
{
        r->kind = KL_APISERVER_ROUTE_NOT_FOUND;
        if (n == 0)
                return;
        if (kl_streq(seg[0], "namespaces") && n >= 3) {
                /*
                 * namespaces/{name}/{sub} and namespaces/{ns}/{res} look alike;
                 * upstream registers only status and finalize as subresources of
                 * namespaces, so those two words decide.
                 */
                if (n == 3 && (kl_streq(seg[2], "status") || kl_streq(seg[2], "finalize"))) {
                        r->plural = seg[0];
                        r->name = seg[1];
                        r->sub = seg[2];
                        r->kind = KL_APISERVER_ROUTE_RESOURCE;
                        return;
                }
                r->ns = seg[1];
                seg += 2;
                n -= 2;
        }
        if (n > 3)
                return;
        r->plural = seg[0];
        r->name = n > 1 ? seg[1] : NULL;
        r->sub = n > 2 ? seg[2] : NULL;
        r->kind = KL_APISERVER_ROUTE_RESOURCE;
}

int kl_apiserver__route_parse(const char *path, struct kl_pool *pool,
                              struct kl_apiserver__route *ret)
{
        struct kl_apiserver__route r = { .kind = KL_APISERVER_ROUTE_NOT_FOUND };
        const char *seg[MAX_SEGMENTS];
        size_t n = 0;
        const char *p = path;
        int rc;

        if (kl_streq(path, "/version") || kl_streq(path, "/version/")) {
                ret->kind = KL_APISERVER_ROUTE_VERSION;
                return 0;
        }
        if (is_health(path)) {
                ret->kind = KL_APISERVER_ROUTE_HEALTH;
                return 0;
        }
        if (*p != '/') {
                *ret = r;
                return 0;
        }
        while (*p) {
                const char *end;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                end = strchr(p, '/');
                if (!end)
                        end = p + strlen(p);
                if (n == MAX_SEGMENTS) {
                        *ret = r;
                        return 0;
                }
                rc = decode(p, (size_t)(end - p), false, pool, &seg[n]);
                if (rc < 0)
                        return rc;
                /* "." and ".." would make names that are not names. */
                if (kl_streq(seg[n], ".") || kl_streq(seg[n], "..")) {
                        *ret = r;
                        return 0;
                }
                n++;
                p = end;
        }
        if (n == 0) {
                *ret = r;
                return 0;
        }
        if (kl_streq(seg[0], "api")) {
                r.group = "";
                if (n == 1)
                        r.kind = KL_APISERVER_ROUTE_API;
                else if (n == 2) {
                        r.version = seg[1];
                        r.kind = KL_APISERVER_ROUTE_GROUP_VERSION;
                } else {
                        r.version = seg[1];
                        route_resource(seg + 2, n - 2, &r);
                }
        } else if (kl_streq(seg[0], "apis")) {
                if (n == 1)
                        r.kind = KL_APISERVER_ROUTE_APIS;
                else if (n == 2) {
                        r.group = seg[1];
                        r.kind = KL_APISERVER_ROUTE_GROUP;
                } else if (n == 3) {
                        r.group = seg[1];
                        r.version = seg[2];
                        r.kind = KL_APISERVER_ROUTE_GROUP_VERSION;
                } else {
                        r.group = seg[1];
                        r.version = seg[2];
                        route_resource(seg + 3, n - 3, &r);
                }
        } else if (kl_streq(seg[0], "openapi") && n >= 2 && kl_streq(seg[1], "v3")) {
                if (n == 2)
                        r.kind = KL_APISERVER_ROUTE_OPENAPI_V3;
                else if (n == 4 && kl_streq(seg[2], "api")) {
                        r.group = "";
                        r.version = seg[3];
                        r.kind = KL_APISERVER_ROUTE_OPENAPI_V3_GV;
                } else if (n == 5 && kl_streq(seg[2], "apis")) {
                        r.group = seg[3];
                        r.version = seg[4];
                        r.kind = KL_APISERVER_ROUTE_OPENAPI_V3_GV;
                }
        }
        *ret = r;
        return 0;
}

int kl_apiserver__query_parse(const char *query, struct kl_pool *pool,
                              struct kl_apiserver__query *ret)
{
        const char *p = query;
        int r;

        ret->n = 0;
        while (p && *p) {
                const char *amp = strchr(p, '&');
                const char *end = amp ? amp : p + strlen(p);
                const char *eq = memchr(p, '=', (size_t)(end - p));
                const char *k, *v = "";

                if (end > p) {
                        if (ret->n == KL_APISERVER_MAX_QUERY_PARAMS)
                                return -E2BIG;
                        r = decode(p, (size_t)((eq ? eq : end) - p), true, pool, &k);
                        if (r < 0)
                                return r;
                        if (eq) {
                                r = decode(eq + 1, (size_t)(end - eq - 1), true, pool, &v);
                                if (r < 0)
                                        return r;
                        }
                        ret->keys[ret->n] = k;
                        ret->values[ret->n] = v;
                        ret->n++;
                }
                p = amp ? amp + 1 : NULL;
        }
        return 0;
}

const char *kl_apiserver__query_get(const struct kl_apiserver__query *q, const char *key)
{
        for (size_t i = 0; i < q->n; i++)
                if (kl_streq(q->keys[i], key))
                        return q->values[i];
        return NULL;
}

bool kl_apiserver__query_bool(const struct kl_apiserver__query *q, const char *key)
{
        const char *v = kl_apiserver__query_get(q, key);
        bool b = false;

        if (!v)
                return false;
        if (kl_parse_bool(v, &b) < 0)
                return false;
        return b;
}

/* One media range split into its type and parameters (trimmed, in the pool-free scratch). */
struct media {
        char type[128];
        char as[64], g[64], v[32];
};

static void trim_copy(char *dst, size_t size, const char *s, size_t n)
{
        while (n > 0 && (*s == ' ' || *s == '\t')) {
                s++;
                n--;
        }
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        if (n >= size)
                n = size - 1;
        memcpy(dst, s, n);
        dst[n] = '\0';
}

static void media_parse(const char *s, size_t n, struct media *m)
{
        const char *end = s + n;
        const char *semi = memchr(s, ';', n);

        memset(m, 0, sizeof(*m));
        trim_copy(m->type, sizeof(m->type), s, (size_t)((semi ? semi : end) - s));
        while (semi) {
                const char *p = semi + 1;
                const char *next = memchr(p, ';', (size_t)(end - p));
                const char *pend = next ? next : end;
                const char *eq = memchr(p, '=', (size_t)(pend - p));
                char key[16];

                if (eq) {
                        trim_copy(key, sizeof(key), p, (size_t)(eq - p));
                        if (kl_streq(key, "as"))
                                trim_copy(m->as, sizeof(m->as), eq + 1, (size_t)(pend - eq - 1));
                        else if (kl_streq(key, "g"))
                                trim_copy(m->g, sizeof(m->g), eq + 1, (size_t)(pend - eq - 1));
                        else if (kl_streq(key, "v"))
                                trim_copy(m->v, sizeof(m->v), eq + 1, (size_t)(pend - eq - 1));
                }
                semi = next;
        }
}

enum kl_apiserver__output kl_apiserver__negotiate(const char *accept, bool discovery)
{
        const char *p = accept;

        if (kl_isempty(accept))
                return KL_APISERVER_OUTPUT_JSON;
        while (p && *p) {
                const char *comma = strchr(p, ',');
                size_t n = comma ? (size_t)(comma - p) : strlen(p);
                struct media m;

                media_parse(p, n, &m);
                if (strcasecmp(m.type, "application/json") == 0) {
                        if (m.as[0] == '\0')
                                return KL_APISERVER_OUTPUT_JSON;
                        if (kl_streq(m.as, "Table") && kl_streq(m.g, "meta.k8s.io") &&
                            (kl_streq(m.v, "v1") || kl_streq(m.v, "v1beta1")))
                                return KL_APISERVER_OUTPUT_TABLE;
                        if (discovery && kl_streq(m.as, "APIGroupDiscoveryList") &&
                            kl_streq(m.g, "apidiscovery.k8s.io")) {
                                if (kl_streq(m.v, "v2"))
                                        return KL_APISERVER_OUTPUT_DISCOVERY_V2;
                                if (kl_streq(m.v, "v2beta1"))
                                        return KL_APISERVER_OUTPUT_DISCOVERY_V2BETA1;
                        }
                } else if (kl_streq(m.type, "*/*") || strcasecmp(m.type, "application/*") == 0) {
                        return KL_APISERVER_OUTPUT_JSON;
                }
                p = comma ? comma + 1 : NULL;
        }
        return KL_APISERVER_OUTPUT_JSON;
}

int kl_apiserver__body_type(const char *content_type, enum kl_apiserver__body_type *ret,
                            struct kl_err **err)
{
        struct media m;

        if (kl_isempty(content_type)) {
                *ret = KL_APISERVER_BODY_JSON;
                return 0;
        }
        media_parse(content_type, strlen(content_type), &m);
        if (strcasecmp(m.type, "application/json") == 0) {
                *ret = KL_APISERVER_BODY_JSON;
                return 0;
        }
        if (strcasecmp(m.type, "application/yaml") == 0) {
                *ret = KL_APISERVER_BODY_YAML;
                return 0;
        }
        if (strcasecmp(m.type, "application/vnd.kubernetes.protobuf") == 0) {
                *ret = KL_APISERVER_BODY_PROTOBUF;
                return 0;
        }
        return kl_err_set_msg(err, -KL_EUNSUPPORTED_MEDIA,
                              "the body of the request was in an unknown format - accepted media "
                              "types include: application/json, application/yaml, "
                              "application/vnd.kubernetes.protobuf");
}

int kl_apiserver__body_decode(enum kl_apiserver__body_type type, const char *body, size_t len,
                              json_t **ret, struct kl_err **err)
{
        json_auto_t *v = NULL;
        int r;

        switch (type) {
        case KL_APISERVER_BODY_JSON:
                r = kl_json_decode(body, len, KL_JSON_DEFAULT_MAX, &v, err);
                break;
        case KL_APISERVER_BODY_YAML: {
                const struct kl_yaml_limits limits = { .max_input = KL_JSON_DEFAULT_MAX };

                r = kl_yaml_decode_one(body, len, NULL, &limits, &v, err);
                break;
        }
        case KL_APISERVER_BODY_PROTOBUF:
                r = kl_api_protobuf_decode(body, len, KL_JSON_DEFAULT_MAX, &v, err);
                break;
        default:
                return kl_err_set(err, -EINVAL, "unknown body type");
        }
        if (r < 0)
                return r;
        *ret = KL_TAKE_PTR(v);
        return 0;
}
