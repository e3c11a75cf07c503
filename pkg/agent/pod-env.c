/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a pod refers to and what its containers see in their environment:
 * the ConfigMap and Secret names a pod needs fetched, upstream's
 * makeEnvironmentVariables (service links, envFrom, env with $(VAR)
 * expansion and every valueFrom source), the downward API's fieldRef and
 * resourceFieldRef values, and the image pull credentials of the pod's
 * imagePullSecrets (upstream's credentialprovider keyring). Pure: the
 * objects come from the worker (struct kl_agent__pod_refs), nothing is read
 * from disk or the network. Everything returned is owned by the caller; the
 * inputs are borrowed for the call.
 *
 * Error texts are upstream's, word for word: they become the
 * CreateContainerConfigError message kubectl shows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "agent/pod-internal.h"
#include "api/selector.h"
#include "json/json.h"

/* A Secret or ConfigMap is at most 1 MiB in the API; a decoded value never exceeds it. */
#define REF_VALUE_MAX ((size_t)1 << 20)

static const json_t *jget(const json_t *o, const char *key)
{
        return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *jstr(const json_t *o, const char *key)
{
        return json_string_value(jget(o, key));
}

/* A JSON boolean that is true (optional: true; absent or null is false). */
static bool jtrue(const json_t *o, const char *key)
{
        return json_is_true(jget(o, key));
}

static const char *pod_ns(const json_t *pod)
{
        const char *ns = jstr(jget(pod, "metadata"), "namespace");

        return ns ? ns : "";
}

/* ------------------------------------------------------------------------- */
/* References */

void kl_agent__pod_refs_release(struct kl_agent__pod_refs *r)
{
        if (!r)
                return;
        json_decref(r->configmaps);
        json_decref(r->secrets);
        json_decref(r->services);
        json_decref(r->pvcs);
        json_decref(r->pvs);
        *r = (struct kl_agent__pod_refs){ 0 };
}

static void add_name(json_t *set, const char *name)
{
        if (!kl_isempty(name))
                (void)json_object_set_new(set, name, json_true());
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys of `set` as a sorted vector, NULL when empty. */
static char **sorted_names(const json_t *set)
{
        char **v = NULL;
        const char *key;
        json_t *value;

        json_object_foreach((json_t *)set, key, value)
                kl_strv_push(&v, key);
        if (v)
                qsort(v, kl_strv_length(v), sizeof(*v), cmp_str);
        return v;
}

static void container_refs(const json_t *containers, json_t *cms, json_t *secrets)
{
        const json_t *c, *e;
        size_t i, j;

        json_array_foreach(containers, i, c) {
                json_array_foreach(jget(c, "env"), j, e) {
                        const json_t *from = jget(e, "valueFrom");

                        add_name(cms, jstr(jget(from, "configMapKeyRef"), "name"));
                        add_name(secrets, jstr(jget(from, "secretKeyRef"), "name"));
                }
                json_array_foreach(jget(c, "envFrom"), j, e) {
                        add_name(cms, jstr(jget(e, "configMapRef"), "name"));
                        add_name(secrets, jstr(jget(e, "secretRef"), "name"));
                }
        }
}

void kl_agent__pod_ref_names(const json_t *pod, char ***ret_configmaps, char ***ret_secrets)
{
        const json_t *spec = jget(pod, "spec"), *v, *s;
        json_auto_t *cms = json_object(), *secrets = json_object();
        size_t i, j;

        container_refs(jget(spec, "initContainers"), cms, secrets);
        container_refs(jget(spec, "containers"), cms, secrets);
        container_refs(jget(spec, "ephemeralContainers"), cms, secrets);
        json_array_foreach(jget(spec, "volumes"), i, v) {
                add_name(cms, jstr(jget(v, "configMap"), "name"));
                add_name(secrets, jstr(jget(v, "secret"), "secretName"));
                json_array_foreach(jget(jget(v, "projected"), "sources"), j, s) {
                        add_name(cms, jstr(jget(s, "configMap"), "name"));
                        add_name(secrets, jstr(jget(s, "secret"), "name"));
                }
        }
        json_array_foreach(jget(spec, "imagePullSecrets"), i, v)
                add_name(secrets, jstr(v, "name"));
        *ret_configmaps = sorted_names(cms);
        *ret_secrets = sorted_names(secrets);
}

/* ------------------------------------------------------------------------- */
/* $(VAR) expansion: third_party/forked/golang/expansion */

/*
 * The value of variable `name` (`len` bytes), or NULL when there is none.
 * The subPathExpr variant records the miss and answers "".
 */
typedef const char *lookup_fn(void *ctx, const char *name, size_t len);

static void expand(const char *s, lookup_fn *lookup, void *ctx, struct kl_buf *out)
{
        size_t n = strlen(s), checkpoint = 0;

        for (size_t cur = 0; cur < n; cur++) {
                const char *in;

                if (s[cur] != '$' || cur + 1 >= n)
                        continue;
                (void)kl_buf_append(out, s + checkpoint, cur - checkpoint);
                in = s + cur + 1;
                if (in[0] == '$') {
                        (void)kl_buf_putc(out, '$');
                } else if (in[0] == '(') {
                        const char *close = memchr(in + 1, ')', n - cur - 2);

                        if (close) {
                                size_t len = (size_t)(close - in - 1);
                                const char *v = lookup(ctx, in + 1, len);

                                if (v)
                                        (void)kl_buf_puts(out, v);
                                else
                                        (void)kl_buf_append(out, in - 1, len + 3);
                                cur += len + 2;
                                checkpoint = cur + 1;
                                continue;
                        }
                        (void)kl_buf_puts(out, "$(");
                } else {
                        unsigned char b = (unsigned char)in[0];

                        /*
                         * Go writes string(input[0]): the byte taken as a code
                         * point, so a byte of a multi-byte character comes out
                         * re-encoded as two bytes. Kept for identical results.
                         */
                        (void)kl_buf_putc(out, '$');
                        if (b < 0x80) {
                                (void)kl_buf_putc(out, (char)b);
                        } else {
                                (void)kl_buf_putc(out, (char)(0xc0 | (b >> 6)));
                                (void)kl_buf_putc(out, (char)(0x80 | (b & 0x3f)));
                        }
                }
                cur += 1;
                checkpoint = cur + 1;
        }
        (void)kl_buf_append(out, s + checkpoint, n - checkpoint);
}

/* The last "K=V" of `env` for K, as the vector's later entries win. */
static const char *strv_lookup(void *ctx, const char *name, size_t len)
{
        char *const *env = ctx;
        const char *found = NULL;

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
                        found = env[i] + len + 1;
        return found;
}

char *kl_agent__expand(const char *s, char *const *env)
{
        struct kl_buf out = KL_BUF_INIT;

        expand(s, strv_lookup, (void *)env, &out);
        return kl_buf_detach(&out, NULL);
}

/* ------------------------------------------------------------------------- */
/* The environment being built: "K=V" in first-set order, a later set replaces in place. */

struct envb {
        char **v; /* owned, NULL-terminated */
        size_t n;
        json_t *index; /* name -> position in v */
};

static void envb_release(struct envb *b)
{
        kl_strv_free(b->v);
        json_decref(b->index);
        *b = (struct envb){ 0 };
}

/*
 * Set `name`. A name with '=' (or none) cannot be in an environment; the
 * API's validation keeps them out of env, envFrom prefixes and ConfigMap
 * keys, so only an object that skipped validation reaches the check.
 */
static void envb_set(struct envb *b, const char *name, const char *value)
{
        char *kv;
        json_t *pos;

        if (!*name || strchr(name, '='))
                return;
        kv = kl_asprintf("%s=%s", name, value);
        if (!b->index)
                b->index = json_object();
        pos = json_object_get(b->index, name);
        if (pos && b->v) {
                size_t i = (size_t)json_integer_value(pos);

                free(b->v[i]);
                b->v[i] = kv;
                return;
        }
        (void)json_object_set_new(b->index, name, json_integer((json_int_t)b->n));
        kl_strv_push_take(&b->v, kv);
        b->n++;
}

static const char *envb_lookup(void *ctx, const char *name, size_t len)
{
        struct envb *b = ctx;
        json_t *pos = json_object_getn(b->index, name, len);

        if (!pos || !b->v)
                return NULL;
        return strchr(b->v[json_integer_value(pos)], '=') + 1;
}

/* ------------------------------------------------------------------------- */
/* Service links: pkg/kubelet/envvars */

/* A Service's name as a variable prefix: upper case, '-' as '_'. */
static char *env_name(const char *s)
{
        char *r = kl_strdup(s);

        for (char *p = r; *p; p++)
                *p = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        return r;
}

static char *lower(const char *s)
{
        char *r = kl_strdup(s);

        for (char *p = r; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char)(*p - 'A' + 'a');
        return r;
}

static bool service_ip_set(const json_t *svc)
{
        const char *ip = jstr(jget(svc, "spec"), "clusterIP");

        return !kl_isempty(ip) && !kl_streq(ip, "None");
}

static void service_vars(const json_t *svc, struct envb *b)
{
        const json_t *spec = jget(svc, "spec"), *ports = jget(spec, "ports"), *p;
        const char *ip = jstr(spec, "clusterIP");
        kl_autofree char *prefix = env_name(jstr(jget(svc, "metadata"), "name"));
        kl_autofree char *name = NULL;
        bool v6 = strchr(ip, ':') != NULL;
        size_t i;

        name = kl_asprintf("%s_SERVICE_HOST", prefix);
        envb_set(b, name, ip);
        if (json_array_size(ports) == 0)
                return; /* validation forbids it; upstream would index ports[0] */
        free(name);
        name = kl_asprintf("%s_SERVICE_PORT", prefix);
        {
                kl_autofree char *port =
                        kl_asprintf("%" JSON_INTEGER_FORMAT,
                                    json_integer_value(jget(json_array_get(ports, 0), "port")));

                envb_set(b, name, port);
        }
        json_array_foreach(ports, i, p) {
                const char *pname = jstr(p, "name");

                if (!kl_isempty(pname)) {
                        kl_autofree char *n = env_name(pname);
                        kl_autofree char *k = kl_asprintf("%s_%s", name, n);
                        kl_autofree char *v = kl_asprintf("%" JSON_INTEGER_FORMAT,
                                                          json_integer_value(jget(p, "port")));

                        envb_set(b, k, v);
                }
        }
        /* Docker's link variables. */
        json_array_foreach(ports, i, p) {
                const char *proto = kl_isempty(jstr(p, "protocol")) ? "TCP" : jstr(p, "protocol");
                json_int_t port = json_integer_value(jget(p, "port"));
                kl_autofree char *lp = lower(proto);
                kl_autofree char *up = env_name(proto);
                kl_autofree char *url = kl_asprintf("%s://%s%s%s:%" JSON_INTEGER_FORMAT, lp,
                                                    v6 ? "[" : "", ip, v6 ? "]" : "", port);
                kl_autofree char *pp =
                        kl_asprintf("%s_PORT_%" JSON_INTEGER_FORMAT "_%s", prefix, port, up);
                kl_autofree char *k = NULL;
                kl_autofree char *portstr = kl_asprintf("%" JSON_INTEGER_FORMAT, port);

                if (i == 0) {
                        k = kl_asprintf("%s_PORT", prefix);
                        envb_set(b, k, url);
                        free(KL_TAKE_PTR(k));
                }
                envb_set(b, pp, url);
                k = kl_asprintf("%s_PROTO", pp);
                envb_set(b, k, lp);
                free(KL_TAKE_PTR(k));
                k = kl_asprintf("%s_PORT", pp);
                envb_set(b, k, portstr);
                free(KL_TAKE_PTR(k));
                k = kl_asprintf("%s_ADDR", pp);
                envb_set(b, k, ip);
        }
}

/*
 * upstream's getServiceEnvVarMap: the master service "kubernetes" of
 * "default" always, the pod namespace's services with a cluster IP when
 * enableServiceLinks; a service of the pod's namespace wins over the master
 * service of the same name. Services are taken in name order (upstream's
 * order is a Go map's).
 */
static void service_env(const json_t *pod, const json_t *services, struct envb *b)
{
        json_auto_t *chosen = json_object();
        const char *ns = pod_ns(pod);
        const json_t *links = jget(jget(pod, "spec"), "enableServiceLinks");
        bool enable = !json_is_false(links);
        const json_t *svc;
        kl_autostrv char **names = NULL;
        size_t i;

        json_array_foreach(services, i, svc) {
                const char *sns = jstr(jget(svc, "metadata"), "namespace");
                const char *name = jstr(jget(svc, "metadata"), "name");

                if (!sns || kl_isempty(name) || !service_ip_set(svc))
                        continue;
                if (kl_streq(sns, "default") && kl_streq(name, "kubernetes")) {
                        if (!json_object_get(chosen, name))
                                (void)json_object_set(chosen, name, (json_t *)svc);
                } else if (kl_streq(sns, ns) && enable) {
                        (void)json_object_set(chosen, name, (json_t *)svc);
                }
        }
        names = sorted_names(chosen);
        for (i = 0; names && names[i]; i++)
                service_vars(json_object_get(chosen, names[i]), b);
}

/* ------------------------------------------------------------------------- */
/* ConfigMap and Secret values */

/* Go's base64.StdEncoding (padded, `pad`) or RawStdEncoding; '\r' and '\n' skipped as Go does. */
static int b64_decode(const char *s, bool pad, char **ret, size_t *ret_len)
{
        size_t n = strlen(s), len = 0, bits = 0, npad = 0;
        uint32_t acc = 0;
        kl_autofree char *out = kl_malloc(n / 4 * 3 + 4);

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                int v;

                if (c == '\r' || c == '\n')
                        continue;
                if (c == '=' && pad) {
                        npad++;
                        continue;
                }
                if (npad)
                        return -EINVAL; /* data after padding */
                if (c >= 'A' && c <= 'Z')
                        v = c - 'A';
                else if (c >= 'a' && c <= 'z')
                        v = c - 'a' + 26;
                else if (c >= '0' && c <= '9')
                        v = c - '0' + 52;
                else if (c == '+')
                        v = 62;
                else if (c == '/')
                        v = 63;
                else
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[len++] = (char)((acc >> bits) & 0xff);
                }
        }
        /*
         * Bits left over: 0 (whole groups), 4 (one byte more: "=="), 2 (two
         * more: "="); 6 cannot be. Like Go's non-strict decoder, the
         * leftover bits need not be zero.
         */
        if (bits == 6)
                return -EINVAL;
        if (pad && npad != (bits == 0 ? 0 : bits == 4 ? 2 : 1))
                return -EINVAL;
        out[len] = '\0';
        *ret = KL_TAKE_PTR(out);
        *ret_len = len;
        return 0;
}

/* The decoded value of `key` of a Secret: 0, -ENOENT (no such key) or -EINVAL. */
static int secret_value(const json_t *secret, const char *key, char **ret, size_t *ret_len)
{
        const char *b64 = jstr(jget(secret, "data"), key);

        if (!b64)
                return -ENOENT;
        if (strlen(b64) > REF_VALUE_MAX * 2)
                return -EINVAL;
        return b64_decode(b64, true, ret, ret_len);
}

static int nul_error(struct kl_err **err, const char *key, const char *kind, const char *ns,
                     const char *name)
{
        return kl_err_set_msg(err, -EINVAL,
                              "invalid value of key %s in %s %s/%s: contains a NUL byte", key, kind,
                              ns, name);
}

static int envfrom_one(const json_t *pod, const json_t *ef, const struct kl_agent__pod_refs *refs,
                       struct envb *b, struct kl_err **err)
{
        const char *prefix = jstr(ef, "prefix") ? jstr(ef, "prefix") : "";
        const json_t *cm = jget(ef, "configMapRef"), *sr = jget(ef, "secretRef");
        const char *ns = pod_ns(pod);
        kl_autostrv char **keys = NULL;

        if (cm) {
                const char *name = jstr(cm, "name") ? jstr(cm, "name") : "";
                const json_t *obj = jget(refs->configmaps, name);

                if (!obj) {
                        if (jtrue(cm, "optional"))
                                return 0;
                        return kl_err_set_msg(err, -ENOENT, "configmap \"%s\" not found", name);
                }
                keys = sorted_names(jget(obj, "data"));
                for (size_t i = 0; keys && keys[i]; i++) {
                        kl_autofree char *k = kl_asprintf("%s%s", prefix, keys[i]);
                        const char *v = jstr(jget(obj, "data"), keys[i]);

                        if (v)
                                envb_set(b, k, v);
                }
                return 0;
        }
        if (sr) {
                const char *name = jstr(sr, "name") ? jstr(sr, "name") : "";
                const json_t *obj = jget(refs->secrets, name);

                if (!obj) {
                        if (jtrue(sr, "optional"))
                                return 0;
                        return kl_err_set_msg(err, -ENOENT, "secret \"%s\" not found", name);
                }
                keys = sorted_names(jget(obj, "data"));
                for (size_t i = 0; keys && keys[i]; i++) {
                        kl_autofree char *k = kl_asprintf("%s%s", prefix, keys[i]);
                        kl_autofree char *v = NULL;
                        size_t len = 0;

                        if (secret_value(obj, keys[i], &v, &len) < 0)
                                return kl_err_set_msg(err, -EINVAL,
                                                      "invalid base64 in key %s of Secret %s/%s",
                                                      keys[i], ns, name);
                        if (strlen(v) != len)
                                return nul_error(err, keys[i], "Secret", ns, name);
                        envb_set(b, k, v);
                }
        }
        return 0;
}

/*
 * The value of a configMapKeyRef or secretKeyRef: 1 with *ret set, 0 when
 * the variable is skipped (optional and missing), or an error.
 */
static int key_ref(const json_t *pod, const json_t *sel, bool secret,
                   const struct kl_agent__pod_refs *refs, char **ret, struct kl_err **err)
{
        const char *name = jstr(sel, "name") ? jstr(sel, "name") : "";
        const char *key = jstr(sel, "key") ? jstr(sel, "key") : "";
        const char *ns = pod_ns(pod);
        bool optional = jtrue(sel, "optional");
        const json_t *obj = jget(secret ? refs->secrets : refs->configmaps, name);
        kl_autofree char *v = NULL;
        size_t len = 0;
        int r;

        if (!obj) {
                if (optional)
                        return 0;
                return kl_err_set_msg(err, -ENOENT, "%s \"%s\" not found",
                                      secret ? "secret" : "configmap", name);
        }
        if (!secret) {
                const char *s = jstr(jget(obj, "data"), key);

                if (!s) {
                        if (optional)
                                return 0;
                        return kl_err_set_msg(err, -ENOENT,
                                              "couldn't find key %s in ConfigMap %s/%s", key, ns,
                                              name);
                }
                *ret = kl_strdup(s);
                return 1;
        }
        r = secret_value(obj, key, &v, &len);
        if (r == -ENOENT) {
                if (optional)
                        return 0;
                return kl_err_set_msg(err, -ENOENT, "couldn't find key %s in Secret %s/%s", key, ns,
                                      name);
        }
        if (r < 0)
                return kl_err_set_msg(err, -EINVAL, "invalid base64 in key %s of Secret %s/%s", key,
                                      ns, name);
        if (strlen(v) != len)
                return nul_error(err, key, "Secret", ns, name);
        *ret = KL_TAKE_PTR(v);
        return 1;
}

/* ------------------------------------------------------------------------- */
/* Downward API: fieldRef */

static bool is_ipv6(const char *s)
{
        unsigned char buf[16];

        return inet_pton(AF_INET6, s, buf) == 1;
}

static bool is_ipv4(const char *s)
{
        unsigned char buf[4];

        return inet_pton(AF_INET, s, buf) == 1;
}

/*
 * upstream's sortPodIPs: the first pod IP of the node's family, then the
 * first of the other family; at most two.
 */
static void pod_ips(const struct kl_agent__node_facts *node, const char **ret)
{
        bool primary_v6 = node && node->host_ip && is_ipv6(node->host_ip);
        size_t n = 0;

        ret[0] = ret[1] = NULL;
        for (int pass = 0; pass < 2; pass++) {
                bool want_v6 = pass == 0 ? primary_v6 : !primary_v6;

                for (size_t i = 0; node && node->pod_ips && node->pod_ips[i]; i++) {
                        const char *ip = node->pod_ips[i];

                        if (want_v6 ? is_ipv6(ip) : is_ipv4(ip)) {
                                ret[n++] = ip;
                                break;
                        }
                }
        }
}

/* fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['k']" -> path and subscript. */
static bool split_subscript(const char *s, char **ret_path, char **ret_sub)
{
        const char *end = kl_endswith(s, "']"), *open;

        if (!end)
                return false;
        open = strstr(s, "['");
        if (!open || open == s || open + 2 > end)
                return false;
        *ret_path = kl_strndup(s, (size_t)(open - s));
        *ret_sub = kl_strndup(open + 2, (size_t)(end - open - 2));
        return true;
}

/* fieldpath.FormatMap: k="v" lines, keys sorted, values quoted as Go's %q. */
static char *format_map(const json_t *m)
{
        kl_autostrv char **keys = sorted_names(json_is_object(m) ? m : NULL);
        struct kl_buf out = KL_BUF_INIT;

        for (size_t i = 0; keys && keys[i]; i++) {
                const char *v = jstr(m, keys[i]) ? jstr(m, keys[i]) : "";

                if (i)
                        (void)kl_buf_putc(&out, '\n');
                (void)kl_buf_printf(&out, "%s=", keys[i]);
                (void)kl_api_go_quote(&out, v, strlen(v));
        }
        return kl_buf_detach(&out, NULL);
}

static int invalid_subscript(const char *path, char **msgs, struct kl_err **err)
{
        struct kl_buf b = KL_BUF_INIT;
        int r;

        for (size_t i = 0; msgs && msgs[i]; i++)
                (void)kl_buf_printf(&b, "%s%s", i ? ";" : "", msgs[i]);
        r = kl_err_set_msg(err, -EINVAL, "invalid key subscript in %s: %s", path, b.buf);
        kl_buf_release(&b);
        kl_strv_free(msgs);
        return r;
}

int kl_agent__field_ref(const json_t *pod, const struct kl_agent__node_facts *node,
                        const char *path, char **ret, struct kl_err **err)
{
        static const char *const supported[] = {
                "metadata.annotations", "metadata.labels",
                "metadata.name",        "metadata.namespace",
                "metadata.uid",         "spec.nodeName",
                "spec.restartPolicy",   "spec.serviceAccountName",
                "spec.schedulerName",   "status.phase",
                "status.hostIP",        "status.hostIPs",
                "status.podIP",         "status.podIPs",
        };
        const json_t *meta = jget(pod, "metadata"), *spec = jget(pod, "spec");
        kl_autofree char *base = NULL, *sub = NULL;
        const char *ips[2];
        const char *v = NULL;
        bool known = false;

        if (split_subscript(path, &base, &sub)) {
                char **msgs = NULL;
                const json_t *map;

                if (!kl_streq(base, "metadata.annotations") && !kl_streq(base, "metadata.labels"))
                        return kl_err_set_msg(err, -EINVAL,
                                              "field label does not support subscript: %s", path);
                if (kl_streq(base, "metadata.annotations")) {
                        kl_autofree char *low = lower(sub);

                        if (kl_api_validate_qualified_name(low, &msgs) > 0)
                                return invalid_subscript(path, msgs, err);
                        map = jget(meta, "annotations");
                } else {
                        if (kl_api_validate_qualified_name(sub, &msgs) > 0)
                                return invalid_subscript(path, msgs, err);
                        map = jget(meta, "labels");
                }
                kl_strv_free(msgs);
                v = jstr(map, sub);
                *ret = kl_strdup(v ? v : "");
                return 0;
        }
        if (kl_streq(path, "spec.host"))
                path = "spec.nodeName";
        for (size_t i = 0; i < KL_ARRAY_SIZE(supported); i++)
                known = known || kl_streq(path, supported[i]);
        if (!known)
                return kl_err_set_msg(err, -EINVAL, "field label not supported: %s", path);

        pod_ips(node, ips);
        if (kl_streq(path, "spec.nodeName")) {
                v = jstr(spec, "nodeName");
        } else if (kl_streq(path, "spec.serviceAccountName")) {
                v = jstr(spec, "serviceAccountName");
        } else if (kl_streq(path, "status.hostIP") || kl_streq(path, "status.hostIPs")) {
                if (!node || kl_isempty(node->host_ip))
                        return kl_err_set_msg(err, -ENOENT, "host IP unknown; known addresses: []");
                v = node->host_ip;
        } else if (kl_streq(path, "status.podIP")) {
                v = ips[0];
        } else if (kl_streq(path, "status.podIPs")) {
                *ret = kl_asprintf("%s%s%s", ips[0] ? ips[0] : "", ips[1] ? "," : "",
                                   ips[1] ? ips[1] : "");
                return 0;
        } else if (kl_streq(path, "metadata.annotations")) {
                *ret = format_map(jget(meta, "annotations"));
                return 0;
        } else if (kl_streq(path, "metadata.labels")) {
                *ret = format_map(jget(meta, "labels"));
                return 0;
        } else if (kl_streq(path, "metadata.name") || kl_streq(path, "metadata.namespace") ||
                   kl_streq(path, "metadata.uid")) {
                v = jstr(meta, path + strlen("metadata."));
        } else {
                /* Labels the API converts but the kubelet cannot extract (status.phase, ...). */
                return kl_err_set_msg(err, -EINVAL, "unsupported fieldPath: %s", path);
        }
        *ret = kl_strdup(v ? v : "");
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Downward API: resourceFieldRef (pkg/api/v1/resource) */

/*
 * A quantity of the container's resources (`list` "limits" or "requests"),
 * 0 when absent. With `node`, a missing or zero limit of cpu, memory or
 * ephemeral-storage is the node's allocatable (MergeContainerResourceLimits).
 */
static int resource_qty(const json_t *container, const struct kl_agent__node_facts *node,
                        const char *list, const char *name, struct kl_quantity *ret,
                        struct kl_err **err)
{
        const json_t *v = jget(jget(jget(container, "resources"), list), name);
        struct kl_quantity q = kl_quantity_from_int(0, KL_QUANTITY_DECIMAL_SI);
        int r;

        if (v) {
                kl_autofree char *path = kl_asprintf("resources.%s[\"%s\"]", list, name);

                r = kl_json_get_quantity(container, path, &q, err);
                if (r < 0)
                        return r;
        }
        if (node && kl_streq(list, "limits") && kl_quantity_is_zero(&q)) {
                if (kl_streq(name, "cpu") && node->alloc_cpu_milli > 0)
                        q = kl_quantity_from_milli(node->alloc_cpu_milli, KL_QUANTITY_DECIMAL_SI);
                else if (kl_streq(name, "memory") && node->alloc_memory > 0)
                        q = kl_quantity_from_int(node->alloc_memory, KL_QUANTITY_BINARY_SI);
                else if (kl_streq(name, "ephemeral-storage") && node->alloc_ephemeral > 0)
                        q = kl_quantity_from_int(node->alloc_ephemeral, KL_QUANTITY_BINARY_SI);
        }
        *ret = q;
        return 0;
}

static int resource_value(const json_t *container, const struct kl_agent__node_facts *defaults,
                          const char *resource, const char *divisor, char **ret,
                          struct kl_err **err)
{
        struct kl_quantity d = kl_quantity_from_int(1, KL_QUANTITY_DECIMAL_SI), q;
        const char *list, *name;
        int64_t a = 0, b = 0, q64;
        bool cpu;
        int r;

        if (!kl_isempty(divisor)) {
                r = kl_quantity_parse(divisor, &d, err);
                if (r < 0)
                        return r;
                if (kl_quantity_is_zero(&d))
                        d = kl_quantity_from_int(1, KL_QUANTITY_DECIMAL_SI);
        }
        if ((name = kl_startswith(resource, "limits.")))
                list = "limits";
        else if ((name = kl_startswith(resource, "requests.")))
                list = "requests";
        else
                return kl_err_set_msg(err, -EINVAL, "unsupported container resource : %s",
                                      resource);
        if (!kl_streq(name, "cpu") && !kl_streq(name, "memory") &&
            !kl_streq(name, "ephemeral-storage") && !kl_startswith(name, "hugepages-"))
                return kl_err_set_msg(err, -EINVAL, "unsupported container resource : %s",
                                      resource);
        cpu = kl_streq(name, "cpu");
        r = resource_qty(container, kl_startswith(name, "hugepages-") ? NULL : defaults, list, name,
                         &q, err);
        if (r < 0)
                return r;
        r = cpu ? kl_quantity_milli_value(&q, &a) : kl_quantity_value(&q, &a);
        if (r >= 0)
                r = cpu ? kl_quantity_milli_value(&d, &b) : kl_quantity_value(&d, &b);
        if (r < 0)
                return kl_err_set_msg(err, -ERANGE, "%s: value out of range", resource);
        /*
         * Upstream rounds up a float64 division, int64(math.Ceil(a / b)); the
         * integer ceiling is the same wherever a double holds the values
         * exactly (below 2^53), and exact beyond.
         */
        q64 = a / b + (a % b != 0 && (a < 0) == (b < 0));
        *ret = kl_asprintf("%lld", (long long)q64);
        return 0;
}

int kl_agent__resource_ref(const json_t *container, const struct kl_agent__node_facts *node,
                           const char *resource, const char *divisor, char **ret,
                           struct kl_err **err)
{
        static const struct kl_agent__node_facts none = { 0 };

        return resource_value(container, node ? node : &none, resource, divisor, ret, err);
}

/* The resourceFieldRef of an env var, with its containerName looked up in the pod. */
static int env_resource(const json_t *pod, const json_t *container, const json_t *sel,
                        const struct kl_agent__node_facts *node, char **ret, struct kl_err **err)
{
        static const struct kl_agent__node_facts none = { 0 };
        const char *cname = jstr(sel, "containerName");
        const char *resource = jstr(sel, "resource") ? jstr(sel, "resource") : "";
        const char *divisor = jstr(sel, "divisor");
        const json_t *spec = jget(pod, "spec"), *c;
        kl_autofree char *divisor_num = NULL;
        size_t i;

        /* A divisor written as a JSON number ("divisor: 1"). */
        if (!divisor && json_is_number(jget(sel, "divisor"))) {
                struct kl_quantity q;

                if (kl_json_get_quantity(sel, "divisor", &q, err) < 0)
                        return -EINVAL;
                divisor_num = kl_malloc(KL_QUANTITY_STRING_MAX);
                divisor = kl_quantity_format(&q, divisor_num, KL_QUANTITY_STRING_MAX);
        }
        if (!node)
                node = &none;
        if (kl_isempty(cname))
                return resource_value(container, node, resource, divisor, ret, err);
        /* Only app containers get the node's allocatable as their limits (upstream). */
        json_array_foreach(jget(spec, "containers"), i, c)
                if (kl_streq_null(jstr(c, "name"), cname))
                        return resource_value(c, node, resource, divisor, ret, err);
        json_array_foreach(jget(spec, "initContainers"), i, c)
                if (kl_streq_null(jstr(c, "name"), cname))
                        return resource_value(c, &none, resource, divisor, ret, err);
        return kl_err_set_msg(err, -ENOENT, "container %s not found", cname);
}

/* ------------------------------------------------------------------------- */
/* makeEnvironmentVariables */

static int env_var(const json_t *pod, const json_t *container, const json_t *e,
                   const struct kl_agent__pod_refs *refs, const struct kl_agent__node_facts *node,
                   struct envb *b, struct kl_err **err)
{
        const char *name = jstr(e, "name");
        const char *value = jstr(e, "value");
        const json_t *from = jget(e, "valueFrom");
        kl_autofree char *v = NULL;
        int r;

        if (kl_isempty(name))
                return 0;
        if (!kl_isempty(value)) {
                struct kl_buf out = KL_BUF_INIT;

                expand(value, envb_lookup, b, &out);
                v = kl_buf_detach(&out, NULL);
        } else if (jget(from, "fieldRef")) {
                const json_t *fr = jget(from, "fieldRef");
                const char *version = jstr(fr, "apiVersion");

                if (version && !kl_streq(version, "v1"))
                        return kl_err_set_msg(err, -EINVAL, "unsupported pod version: %s", version);
                r = kl_agent__field_ref(
                        pod, node, jstr(fr, "fieldPath") ? jstr(fr, "fieldPath") : "", &v, err);
                if (r < 0)
                        return r;
        } else if (jget(from, "resourceFieldRef")) {
                r = env_resource(pod, container, jget(from, "resourceFieldRef"), node, &v, err);
                if (r < 0)
                        return r;
        } else if (jget(from, "configMapKeyRef") || jget(from, "secretKeyRef")) {
                bool secret = !jget(from, "configMapKeyRef");

                r = key_ref(pod, jget(from, secret ? "secretKeyRef" : "configMapKeyRef"), secret,
                            refs, &v, err);
                if (r <= 0)
                        return r;
        }
        envb_set(b, name, v ? v : "");
        return 0;
}

int kl_agent__container_env(const json_t *pod, const json_t *container,
                            const struct kl_agent__pod_refs *refs,
                            const struct kl_agent__node_facts *node, char ***ret_env,
                            struct kl_err **err)
{
        static const struct kl_agent__pod_refs no_refs = { 0 };
        struct envb b = { 0 };
        const json_t *e;
        size_t i;
        int r = 0;

        if (!refs)
                refs = &no_refs;
        service_env(pod, refs->services, &b);
        json_array_foreach(jget(container, "envFrom"), i, e) {
                r = envfrom_one(pod, e, refs, &b, err);
                if (r < 0)
                        break;
        }
        if (r >= 0) {
                json_array_foreach(jget(container, "env"), i, e) {
                        r = env_var(pod, container, e, refs, node, &b, err);
                        if (r < 0)
                                break;
                }
        }
        if (r < 0) {
                envb_release(&b);
                return r;
        }
        *ret_env = b.v ? KL_TAKE_PTR(b.v) : kl_new0(char *);
        envb_release(&b);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Image pull credentials: pkg/credentialprovider keyring */

struct cred {
        char *key; /* host[/path], as BasicDockerKeyring.Add makes it */
        char *user, *password;
        size_t order; /* insertion order, for the stable sort */
};

struct keyring {
        struct cred *c;
        size_t n;
};

static void keyring_release(struct keyring *k)
{
        for (size_t i = 0; i < k->n; i++) {
                free(k->c[i].key);
                free(k->c[i].user);
                if (k->c[i].password)
                        explicit_bzero(k->c[i].password, strlen(k->c[i].password));
                free(k->c[i].password);
        }
        free(k->c);
        *k = (struct keyring){ 0 };
}

/*
 * A URL as Go's url.Parse("https://" + s) splits it (enough of it): host
 * (after any userinfo) and path (without query and fragment). -EINVAL for
 * what Go rejects: a port that is not digits, bytes not allowed in a host.
 */
static int url_split(const char *s, char **ret_host, char **ret_path)
{
        const char *rest = kl_startswith(s, "https://");
        size_t alen, plen;
        const char *auth, *at, *colon;

        if (!rest)
                rest = kl_startswith(s, "http://");
        if (!rest)
                rest = s;
        alen = strcspn(rest, "/?#");
        auth = rest;
        at = memrchr(auth, '@', alen);
        if (at) {
                alen -= (size_t)(at + 1 - auth);
                auth = at + 1;
        }
        for (size_t i = 0; i < alen; i++) {
                unsigned char c = (unsigned char)auth[i];

                if (c <= ' ' || c >= 0x7f || strchr("<>\"{}|\\^`", c))
                        return -EINVAL;
        }
        if (alen > 0 && auth[0] == '[') {
                const char *close = memchr(auth, ']', alen);

                if (!close)
                        return -EINVAL;
                colon = close + 1 < auth + alen ? close + 1 : NULL;
                if (colon && *colon != ':')
                        return -EINVAL;
        } else {
                colon = memrchr(auth, ':', alen);
        }
        for (const char *p = colon ? colon + 1 : auth + alen; p < auth + alen; p++)
                if (*p < '0' || *p > '9')
                        return -EINVAL; /* Go: invalid port after host */
        plen = strcspn(auth + alen, "?#");
        *ret_host = kl_strndup(auth, alen);
        *ret_path = kl_strndup(auth + alen, plen);
        return 0;
}

/* net.SplitHostPort's split, or the whole host and no port when it fails. */
static void host_port(const char *host, char **ret_host, char **ret_port)
{
        const char *colon = strrchr(host, ':');

        if (host[0] == '[') {
                const char *close = strchr(host, ']');

                if (close && close[1] == ':' && !strchr(close + 2, ':')) {
                        *ret_host = kl_strndup(host + 1, (size_t)(close - host - 1));
                        *ret_port = kl_strdup(close + 2);
                        return;
                }
        } else if (colon && colon == strchr(host, ':')) {
                *ret_host = kl_strndup(host, (size_t)(colon - host));
                *ret_port = kl_strdup(colon + 1);
                return;
        }
        *ret_host = kl_strdup(host);
        *ret_port = kl_strdup("");
}

/* credentialprovider.URLsMatchStr: glob host parts, same port, path prefix. */
static bool urls_match(const char *glob, const char *target)
{
        kl_autofree char *gh = NULL, *gp = NULL, *th = NULL, *tp = NULL;
        kl_autofree char *gname = NULL, *gport = NULL, *tname = NULL, *tport = NULL;
        kl_autostrv char **gparts = NULL, **tparts = NULL;

        if (url_split(glob, &gh, &gp) < 0 || url_split(target, &th, &tp) < 0)
                return false;
        host_port(gh, &gname, &gport);
        host_port(th, &tname, &tport);
        if (!kl_streq(gport, tport))
                return false;
        gparts = kl_strv_split(gname, '.');
        tparts = kl_strv_split(tname, '.');
        if (kl_strv_length(gparts) != kl_strv_length(tparts))
                return false;
        if (!kl_startswith(tp, gp))
                return false;
        for (size_t i = 0; gparts[i]; i++)
                if (fnmatch(gparts[i], tparts[i], 0) != 0)
                        return false;
        return true;
}

/* DockerConfigEntry: "auth" (base64 user:password, padded or not) over username/password. */
static int entry_creds(const json_t *entry, char **ret_user, char **ret_password)
{
        const char *auth = jstr(entry, "auth");
        kl_autofree char *decoded = NULL;
        const char *colon;
        size_t len = 0, n;

        if (!json_is_object(entry))
                return -EINVAL;
        if (kl_isempty(auth)) {
                *ret_user = kl_strdup(jstr(entry, "username") ? jstr(entry, "username") : "");
                *ret_password = kl_strdup(jstr(entry, "password") ? jstr(entry, "password") : "");
                return 0;
        }
        n = strlen(auth);
        while (n > 0 && (auth[n - 1] == ' ' || auth[n - 1] == '\t' || auth[n - 1] == '\n' ||
                         auth[n - 1] == '\r'))
                n--;
        if (b64_decode(auth, n > 0 && auth[n - 1] == '=', &decoded, &len) < 0)
                return -EINVAL;
        colon = memchr(decoded, ':', len);
        if (!colon)
                return -EINVAL;
        *ret_user = kl_strndup(decoded, (size_t)(colon - decoded));
        *ret_password = kl_strndup(colon + 1, len - (size_t)(colon + 1 - decoded));
        explicit_bzero(decoded, len);
        return 0;
}

/* BasicDockerKeyring.Add of one secret's config; the whole secret is skipped if an entry is bad. */
static void keyring_add(struct keyring *k, const json_t *cfg)
{
        size_t start = k->n;
        const char *loc;
        json_t *entry;

        if (!json_is_object(cfg))
                return;
        json_object_foreach((json_t *)cfg, loc, entry) {
                kl_autofree char *user = NULL, *password = NULL, *host = NULL, *path = NULL;
                kl_autofree char *url = NULL;
                const char *eff;

                if (entry_creds(entry, &user, &password) < 0) {
                        /* Go's json.Unmarshal fails for the secret as a whole. */
                        for (size_t i = start; i < k->n; i++) {
                                free(k->c[i].key);
                                free(k->c[i].user);
                                explicit_bzero(k->c[i].password, strlen(k->c[i].password));
                                free(k->c[i].password);
                        }
                        k->n = start;
                        return;
                }
                url = kl_startswith(loc, "https://") || kl_startswith(loc, "http://")
                              ? kl_strdup(loc)
                              : kl_asprintf("https://%s", loc);
                if (url_split(url, &host, &path) < 0) {
                        explicit_bzero(password, strlen(password));
                        continue; /* upstream logs the entry and ignores it */
                }
                eff = path;
                if (kl_startswith(eff, "/v2/") || kl_startswith(eff, "/v1/"))
                        eff += 3;
                k->c = kl_realloc(k->c, (k->n + 1) * sizeof(*k->c));
                k->c[k->n] = (struct cred){
                        .key = *eff && !kl_streq(eff, "/") ? kl_asprintf("%s%s", host, eff)
                                                           : kl_strdup(host),
                        .user = KL_TAKE_PTR(user),
                        .password = KL_TAKE_PTR(password),
                        .order = k->n,
                };
                k->n++;
        }
}

/* Reverse bytewise order of keys (upstream's index), insertion order within a key. */
static int cmp_cred(const void *a, const void *b)
{
        const struct cred *x = a, *y = b;
        int c = strcmp(y->key, x->key);

        if (c)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* isDefaultRegistryMatch: the repository is on Docker Hub. */
static bool default_registry(const char *repo)
{
        const char *slash = strchr(repo, '/');
        kl_autofree char *first = NULL;

        if (!*repo || repo[0] == '/')
                return false;
        if (!slash)
                return true;
        first = kl_strndup(repo, (size_t)(slash - repo));
        if (kl_streq(first, "docker.io") || kl_streq(first, "index.docker.io"))
                return true;
        return !strpbrk(first, ".:") && !kl_streq(first, "localhost");
}

static void secret_config(const json_t *secret, struct keyring *k)
{
        const char *type = jstr(secret, "type");
        const char *key;
        kl_autofree char *text = NULL;
        size_t len = 0;
        json_auto_t *doc = NULL;

        if (kl_streq_null(type, "kubernetes.io/dockerconfigjson"))
                key = ".dockerconfigjson";
        else if (kl_streq_null(type, "kubernetes.io/dockercfg"))
                key = ".dockercfg";
        else
                return;
        if (secret_value(secret, key, &text, &len) < 0 || len == 0)
                return;
        if (kl_json_decode(text, len, REF_VALUE_MAX, &doc, NULL) < 0)
                return;
        if (kl_streq(key, ".dockerconfigjson")) {
                const json_t *auths = jget(doc, "auths");

                if (!json_is_object(doc) || (auths && !json_is_object(auths)))
                        return;
                keyring_add(k, auths);
        } else {
                keyring_add(k, doc);
        }
        explicit_bzero(text, len);
}

int kl_agent__pull_auth(const json_t *pod, const struct kl_agent__pod_refs *refs, const char *image,
                        char **ret_user, char **ret_password)
{
        struct kl_rt_ref ref = { 0 };
        struct keyring k = { 0 };
        kl_autofree char *repo = NULL;
        const struct cred *found = NULL;
        const json_t *s;
        size_t i;

        if (!refs || kl_rt_ref_parse(image, &ref, NULL) < 0)
                return 0;
        repo = kl_asprintf("%s/%s", ref.domain, ref.path);
        kl_rt_ref_release(&ref);
        json_array_foreach(jget(jget(pod, "spec"), "imagePullSecrets"), i, s) {
                const char *name = jstr(s, "name");
                const json_t *secret = kl_isempty(name) ? NULL : jget(refs->secrets, name);

                if (secret)
                        secret_config(secret, &k);
        }
        if (k.n)
                qsort(k.c, k.n, sizeof(*k.c), cmp_cred);
        for (i = 0; i < k.n && !found; i++)
                if (urls_match(k.c[i].key, repo))
                        found = &k.c[i];
        if (!found && default_registry(repo))
                for (i = 0; i < k.n && !found; i++)
                        if (kl_streq(k.c[i].key, "index.docker.io"))
                                found = &k.c[i];
        if (found) {
                *ret_user = kl_strdup(found->user);
                *ret_password = kl_strdup(found->password);
        }
        keyring_release(&k);
        return found ? 1 : 0;
}
