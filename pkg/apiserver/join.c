/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Joining a node (issue 7 item 1): bootstrap-token authentication, the CA
 * bundle for agents that have not yet verified the server, the endpoint that
 * issues a node its client certificate, and what the `system:nodes` group
 * may do until RBAC and the Node authorizer exist.
 *
 *   Bootstrap tokens   "<id>.<secret>" bearer tokens backed by Secrets
 *                      kube-system/bootstrap-token-<id> of type
 *                      bootstrap.kubernetes.io/token, as kubeadm stores them
 *                      and upstream's bootstrap authenticator reads them. Read
 *                      from the watch cache on the loop thread.
 *   /cacerts           the server CA as PEM, unauthenticated: a joining agent
 *                      hashes it and compares with its K10 token's hash.
 *   node-certificate   POST /v1-kube-lite/node-certificate: a new key and a
 *                      client certificate (CN system:node:<name>, O
 *                      system:nodes) signed by the client CA. The first
 *                      request for a name stores a salted PBKDF2 hash of the
 *                      node password in kube-system/<name>.node-password.kube-lite
 *                      (k3s's rule); later requests must present the same
 *                      password. Hashing and key generation run on a worker
 *                      (R8.6), counted in s->ops so closing waits for them.
 *
 * Ownership: a `struct node_cert` owns its strings and holds a reference on
 * the request from the handler until the answer is sent.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "api/selector.h"
#include "apiserver/apiserver-internal.h"
#include "loop/loop.h"
#include "json/json.h"

#define BOOTSTRAP_NS            "kube-system"
#define BOOTSTRAP_SECRET_PREFIX "bootstrap-token-"
#define BOOTSTRAP_SECRET_TYPE   "bootstrap.kubernetes.io/token"
/* Longest Secret data value read for a bootstrap token (base64 text). */
#define BOOTSTRAP_VALUE_MAX 4096
/* Most auth-extra-groups accepted (R5.2). */
#define BOOTSTRAP_MAX_GROUPS 32

#define NODE_PASSWORD_SUFFIX ".node-password.kube-lite"
#define NODE_PASSWORD_TYPE   "kube-lite.io/node-password"
/* The node-certificate request body, in bytes: two short strings. */
#define NODE_CERT_BODY_MAX ((size_t)16 << 10)
#define NODE_PASSWORD_MAX  256
/* Object names are at most 253 characters: the password Secret's name must fit. */
#define NODE_NAME_MAX (253 - (sizeof(NODE_PASSWORD_SUFFIX) - 1))
/* PBKDF2-HMAC-SHA256 work factor of new hashes, and the most a stored one may ask for. */
#define PBKDF2_ITERATIONS     100000u
#define PBKDF2_ITERATIONS_MAX 10000000u
#define PBKDF2_SALT_BYTES     ((size_t)16)
#define PBKDF2_KEY_BYTES      ((size_t)32)

/* ------------------------------------------------------------------------- */
/* Small helpers */

static void respond_error(struct kl_http_req *req, int code, const char *msg)
{
        json_auto_t *st = kl_apiserver__status_error(code, msg, NULL, NULL);

        kl_apiserver__respond_json(req, kl_err_code_http_status(code), st, NULL);
}

/* Base64 (standard alphabet, padded) of `len` bytes; owned. */
static char *b64_encode(const void *data, size_t len)
{
        char *out = kl_malloc(4 * ((len + 2) / 3) + 1);

        (void)EVP_EncodeBlock((unsigned char *)out, data, (int)len);
        return out;
}

/* Decode padded standard base64 into a NUL-terminated string (owned); NULL when malformed. */
static char *b64_decode(const char *text, size_t len)
{
        size_t pad = 0;
        char *out;
        int n;

        if (len == 0)
                return kl_strdup("");
        if (len % 4 != 0 || len > BOOTSTRAP_VALUE_MAX)
                return NULL;
        out = kl_malloc(len / 4 * 3 + 1);
        n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)text, (int)len);
        if (n < 0) {
                free(out);
                return NULL;
        }
        while (pad < 2 && text[len - 1 - pad] == '=')
                pad++;
        n -= (int)pad;
        out[n] = '\0';
        /* Values are text: an embedded NUL would make them mean something else. */
        if (strlen(out) != (size_t)n) {
                explicit_bzero(out, (size_t)n);
                free(out);
                return NULL;
        }
        return out;
}

/* The decoded value of data[key] of a Secret (owned secret text), or NULL. */
static char *secret_value(const json_t *secret, const char *key)
{
        const json_t *v = json_object_get(json_object_get(secret, "data"), key);

        if (!json_is_string(v))
                return NULL;
        return b64_decode(json_string_value(v), json_string_length(v));
}

static const struct kl_api_resource *secrets_resource(void)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "secrets");

        kl_assert(res);
        return res;
}

/* ------------------------------------------------------------------------- */
/* Bootstrap tokens */

/* auth-extra-groups: comma-separated, each "system:bootstrappers:<...>" (upstream's rule). */
static int extra_groups(const char *text, struct kl_pool *pool, const char ***groups, size_t *n)
{
        kl_autostrv char **parts = kl_strv_split(text, ',');

        for (size_t i = 0; parts && parts[i]; i++) {
                const char *g = parts[i];
                const char *rest = kl_startswith(g, KL_APISERVER_BOOTSTRAP_GROUP ":");

                if (kl_isempty(g))
                        continue;
                if (!rest || kl_isempty(rest) || *n >= BOOTSTRAP_MAX_GROUPS)
                        return -EINVAL;
                for (const char *p = rest; *p; p++)
                        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                              *p == ':'))
                                return -EINVAL;
                (*groups)[(*n)++] = kl_pool_strdup(pool, g);
        }
        return 0;
}

int kl_apiserver__bootstrap_authenticate(struct kl_apiserver *s, const char *token,
                                         struct kl_pool *pool, const char **ret_name,
                                         const char *const **ret_groups, size_t *ret_n)
{
        struct kl_pki_bootstrap_token t = { { 0 } };
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *secret = NULL;
        kl_autosecret char *id = NULL, *sec = NULL, *exp = NULL, *usage = NULL, *groups = NULL;
        const char **gv;
        size_t n = 0;
        char name[sizeof(BOOTSTRAP_SECRET_PREFIX) + KL_PKI_BOOTSTRAP_ID_LEN];
        int r = -KL_EUNAUTHORIZED;

        if (kl_pki_bootstrap_token_parse(token, &t, NULL) < 0)
                return -ENOENT;
        (void)snprintf(name, sizeof(name), BOOTSTRAP_SECRET_PREFIX "%s", t.id);
        if (kl_apiserver_get(s, secrets_resource(), BOOTSTRAP_NS, name, &secret, &e) < 0)
                goto out;
        /* Upstream's authenticator ignores Secrets being deleted and of other types. */
        if (json_object_get(json_object_get(secret, "metadata"), "deletionTimestamp") ||
            !kl_streq_null(json_string_value(json_object_get(secret, "type")),
                           BOOTSTRAP_SECRET_TYPE))
                goto out;
        id = secret_value(secret, "token-id");
        sec = secret_value(secret, "token-secret");
        if (!id || !sec || !kl_streq(id, t.id) ||
            !kl_pki_secret_equal(sec, strlen(sec), t.secret, strlen(t.secret)))
                goto out;
        exp = secret_value(secret, "expiration");
        if (exp) {
                int64_t when;

                if (kl_rfc3339_parse(exp, &when) < 0 || when <= (int64_t)kl_now_realtime())
                        goto out;
        }
        usage = secret_value(secret, "usage-bootstrap-authentication");
        if (!usage || !kl_streq(usage, "true"))
                goto out;
        gv = kl_pool_calloc(pool, BOOTSTRAP_MAX_GROUPS + 2, sizeof(*gv));
        gv[n++] = KL_APISERVER_BOOTSTRAP_GROUP;
        groups = secret_value(secret, "auth-extra-groups");
        if (groups && extra_groups(groups, pool, &gv, &n) < 0)
                goto out;
        *ret_name = kl_pool_printf(pool, "system:bootstrap:%s", t.id);
        *ret_groups = gv;
        *ret_n = n;
        r = 0;
out:
        explicit_bzero(&t, sizeof(t));
        return r;
}

/* ------------------------------------------------------------------------- */
/* What system:nodes may do (until RBAC and the Node authorizer) */

static const char *const verbs_node[] = {
        "get", "list", "watch", "create", "update", "patch", NULL
};
static const char *const verbs_read[] = { "get", "list", "watch", NULL };
static const char *const verbs_pod[] = { "get", "list", "watch", "delete", NULL };
static const char *const verbs_status[] = { "get", "update", "patch", NULL };
static const char *const verbs_write[] = { "create", "update", "patch", NULL };
static const char *const verbs_lease[] = { "get",    "list",  "watch",  "create",
                                           "update", "patch", "delete", NULL };
static const char *const verbs_create[] = { "create", NULL };

static const struct kl_apiserver__rule node_rules[] = {
        { "", "nodes", NULL, NULL, verbs_node },
        { "", "nodes", "status", NULL, verbs_status },
        { "coordination.k8s.io", "leases", NULL, "kube-node-lease", verbs_lease },
        { "", "pods", NULL, NULL, verbs_pod },
        { "", "pods", "status", NULL, verbs_status },
        { "", "events", NULL, NULL, verbs_write },
        { "events.k8s.io", "events", NULL, NULL, verbs_write },
        { "", "configmaps", NULL, NULL, verbs_read },
        { "", "secrets", NULL, NULL, verbs_read },
        { "", "services", NULL, NULL, verbs_read },
        { "", "endpoints", NULL, NULL, verbs_read },
        { "discovery.k8s.io", "endpointslices", NULL, NULL, verbs_read },
        { "", "persistentvolumeclaims", NULL, NULL, verbs_read },
        { "", "persistentvolumes", NULL, NULL, verbs_read },
        { "", "serviceaccounts", "token", NULL, verbs_create },
};

static bool in_groups(const char *g, const char *const *groups, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (kl_streq(groups[i], g))
                        return true;
        return false;
}

const struct kl_apiserver__rule *kl_apiserver__node_rules(size_t *ret_n)
{
        *ret_n = KL_ARRAY_SIZE(node_rules);
        return node_rules;
}

bool kl_apiserver__is_node(const char *user, const char *const *groups, size_t n_groups)
{
        const char *node = kl_startswith(user, KL_APISERVER_NODE_USER_PREFIX);

        return !kl_isempty(node) && in_groups(KL_APISERVER_NODES_GROUP, groups, n_groups);
}

bool kl_apiserver__node_allows(const char *user, const char *const *groups, size_t n_groups,
                               const char *verb, const char *group, const char *resource,
                               const char *ns, const char *sub)
{
        const struct kl_apiserver__attrs a = {
                .verb = verb, .group = group, .resource = resource, .sub = sub, .ns = ns
        };

        if (!kl_apiserver__is_node(user, groups, n_groups))
                return false;
        for (size_t i = 0; i < KL_ARRAY_SIZE(node_rules); i++)
                if (kl_apiserver__rule_allows(&node_rules[i], &a))
                        return true;
        return false;
}

/* ------------------------------------------------------------------------- */
/* GET /cacerts */

void kl_apiserver__serve_cacerts(struct kl_apiserver *s, struct kl_http_req *req)
{
        kl_autoerr struct kl_err *e = NULL;
        char *pem = NULL;

        if (!kl_streq(kl_http_req_method(req), "GET") &&
            !kl_streq(kl_http_req_method(req), "HEAD")) {
                respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                              "the server does not allow this method on the requested resource");
                return;
        }
        if (kl_pki_cert_to_pem(kl_pki_ca_cert(kl_pki_server_ca(s->pki)), &pem, &e) < 0) {
                respond_error(req, -EIO, kl_err_msg(e));
                return;
        }
        (void)kl_http_respond_take(req, 200, "application/x-pem-file", pem, strlen(pem));
}

/* ------------------------------------------------------------------------- */
/* Node passwords: "pbkdf2-sha256$<iterations>$<salt hex>$<key hex>" */

static int pbkdf2_hex(const char *password, const unsigned char *salt, size_t salt_len,
                      unsigned iterations, char out[2 * PBKDF2_KEY_BYTES + 1])
{
        unsigned char key[PBKDF2_KEY_BYTES];
        static const char hex[] = "0123456789abcdef";

        if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, (int)iterations,
                              EVP_sha256(), sizeof(key), key) != 1)
                return -EIO;
        for (size_t i = 0; i < sizeof(key); i++) {
                out[2 * i] = hex[key[i] >> 4];
                out[2 * i + 1] = hex[key[i] & 0xf];
        }
        out[2 * sizeof(key)] = '\0';
        explicit_bzero(key, sizeof(key));
        return 0;
}

static int unhex(const char *s, unsigned char *out, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unsigned v = 0;

                for (int k = 0; k < 2; k++) {
                        char c = s[2 * i + k];

                        if (c >= '0' && c <= '9')
                                v = v * 16 + (unsigned)(c - '0');
                        else if (c >= 'a' && c <= 'f')
                                v = v * 16 + (unsigned)(c - 'a' + 10);
                        else
                                return -EINVAL;
                }
                out[i] = (unsigned char)v;
        }
        return s[2 * n] == '\0' || s[2 * n] == '$' ? 0 : -EINVAL;
}

static int password_hash(const char *password, char **ret, struct kl_err **err)
{
        kl_autosecret char *salt_hex = NULL;
        unsigned char salt[PBKDF2_SALT_BYTES];
        char key[2 * PBKDF2_KEY_BYTES + 1];
        int r;

        r = kl_pki_random_hex(PBKDF2_SALT_BYTES, &salt_hex, err);
        if (r < 0)
                return r;
        kl_assert(unhex(salt_hex, salt, sizeof(salt)) == 0);
        if (pbkdf2_hex(password, salt, sizeof(salt), PBKDF2_ITERATIONS, key) < 0)
                return kl_err_set_msg(err, -EIO, "PBKDF2 failed");
        *ret = kl_asprintf("pbkdf2-sha256$%u$%s$%s", PBKDF2_ITERATIONS, salt_hex, key);
        return 0;
}

/* 1 when `password` matches `stored`, 0 when it does not, -EINVAL when `stored` is malformed. */
static int password_check(const char *password, const char *stored)
{
        const char *p = kl_startswith(stored, "pbkdf2-sha256$");
        unsigned char salt[PBKDF2_SALT_BYTES];
        char key[2 * PBKDF2_KEY_BYTES + 1];
        unsigned long long iterations = 0;
        const char *want;
        bool same;

        if (!p)
                return -EINVAL;
        for (; *p >= '0' && *p <= '9' && iterations <= PBKDF2_ITERATIONS_MAX; p++)
                iterations = iterations * 10 + (unsigned)(*p - '0');
        if (*p++ != '$' || iterations == 0 || iterations > PBKDF2_ITERATIONS_MAX ||
            strlen(p) != 2 * PBKDF2_SALT_BYTES + 1 + 2 * PBKDF2_KEY_BYTES ||
            unhex(p, salt, sizeof(salt)) < 0)
                return -EINVAL;
        want = p + 2 * PBKDF2_SALT_BYTES + 1;
        if (pbkdf2_hex(password, salt, sizeof(salt), (unsigned)iterations, key) < 0)
                return -EIO;
        same = kl_pki_secret_equal(key, strlen(key), want, strlen(want));
        explicit_bzero(key, sizeof(key));
        return same ? 1 : 0;
}

/* ------------------------------------------------------------------------- */
/* POST /v1-kube-lite/node-certificate */

struct node_cert {
        struct kl_apiserver *s;  /* borrowed; s->ops counts the worker */
        struct kl_http_req *req; /* ref */
        char *node;              /* owned */
        char *password;          /* owned secret */
        char *stored;            /* owned: the stored hash; NULL on the first request */
        /* Filled by the worker. */
        int r;
        struct kl_err *err; /* owned */
        bool mismatch;
        char *new_hash;      /* owned: to store, when `stored` was NULL */
        char *cert_pem;      /* owned */
        char *key_pem;       /* owned secret */
        char *ca_pem;        /* owned: the server CA */
        char *client_ca_pem; /* owned */
};

static void node_cert_free(struct node_cert *nc)
{
        kl_http_req_unref(nc->req);
        free(nc->node);
        kl_pki_secret_free(nc->password);
        free(nc->stored);
        kl_err_free(nc->err);
        free(nc->new_hash);
        free(nc->cert_pem);
        kl_pki_secret_free(nc->key_pem);
        free(nc->ca_pem);
        free(nc->client_ca_pem);
        free(nc);
}

static void node_cert_work(void *arg)
{
        struct node_cert *nc = arg;
        const struct kl_pki_ca *client_ca = kl_pki_server_client_ca(nc->s->pki);
        const char *orgs[] = { KL_APISERVER_NODES_GROUP, NULL };
        kl_autofree char *cn = kl_asprintf(KL_APISERVER_NODE_USER_PREFIX "%s", nc->node);
        const struct kl_pki_cert_req creq = {
                .kind = KL_PKI_CERT_CLIENT,
                .cn = cn,
                .orgs = orgs,
                .validity_days = KL_PKI_LEAF_VALIDITY_DAYS,
                .key_type = KL_PKI_KEY_ECDSA_P256,
        };
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(X509_freep) X509 *cert = NULL;
        int r;

        if (nc->stored) {
                r = password_check(nc->password, nc->stored);
                if (r < 0) {
                        nc->r = kl_err_set_msg(&nc->err, -EIO,
                                               "the stored password of node \"%s\" is malformed",
                                               nc->node);
                        return;
                }
                if (r == 0) {
                        nc->mismatch = true;
                        return;
                }
        } else if ((r = password_hash(nc->password, &nc->new_hash, &nc->err)) < 0) {
                nc->r = r;
                return;
        }
        r = kl_pki_key_generate(creq.key_type, &key, &nc->err);
        if (r >= 0)
                r = kl_pki_cert_issue(client_ca, &creq, key, &cert, &nc->err);
        if (r >= 0)
                r = kl_pki_cert_to_pem(cert, &nc->cert_pem, &nc->err);
        if (r >= 0)
                r = kl_pki_key_to_pem(key, &nc->key_pem, &nc->err);
        if (r >= 0)
                r = kl_pki_cert_to_pem(kl_pki_ca_cert(kl_pki_server_ca(nc->s->pki)), &nc->ca_pem,
                                       &nc->err);
        if (r >= 0)
                r = kl_pki_cert_to_pem(kl_pki_ca_cert(client_ca), &nc->client_ca_pem, &nc->err);
        nc->r = r;
}

static void node_cert_answer(struct node_cert *nc)
{
        json_auto_t *out = json_pack("{ssssssss}", "certificate", nc->cert_pem, "key", nc->key_pem,
                                     "ca", nc->ca_pem, "clientCA", nc->client_ca_pem);
        json_t *key;

        if (!out) {
                respond_error(nc->req, -EIO, "encoding the certificate failed");
                return;
        }
        kl_apiserver__respond_json(nc->req, 200, out, NULL);
        /*
         * jansson copied the key: wipe that copy before it is freed. The
         * response body itself belongs to pkg/http once handed over.
         */
        key = json_object_get(out, "key");
        explicit_bzero((char *)json_string_value(key), json_string_length(key));
}

static void password_stored(void *arg, int r, const struct kl_apiserver_result *res,
                            const struct kl_err *err)
{
        struct node_cert *nc = arg;

        (void)res;
        if (r == -EEXIST)
                respond_error(nc->req, -KL_ECONFLICT,
                              kl_pool_printf(kl_http_req_pool(nc->req),
                                             "the password of node \"%s\" was stored by another "
                                             "request at the same time; try again",
                                             nc->node));
        else if (r < 0)
                respond_error(nc->req, r, err ? kl_err_msg(err) : kl_strerror(r));
        else
                node_cert_answer(nc);
        node_cert_free(nc);
}

static void node_cert_done(void *arg, int status)
{
        struct node_cert *nc = arg;
        struct kl_apiserver *s = nc->s;
        const struct kl_apiserver_write_opts wo = { .field_manager = "kube-lite-join" };
        kl_autofree char *hash64 = NULL;
        json_t *secret;

        kl_assert(s->ops > 0);
        s->ops--;
        if (status < 0 || s->closing) {
                respond_error(nc->req, -KL_EUNAVAILABLE, "the server is shutting down");
                node_cert_free(nc);
        } else if (nc->mismatch) {
                kl_log_info(KL_LOG_API, "node-certificate for \"%s\": node password mismatch",
                            nc->node);
                respond_error(nc->req, -EACCES, "node password mismatch");
                node_cert_free(nc);
        } else if (nc->r < 0) {
                respond_error(nc->req, nc->r, kl_err_msg(nc->err));
                node_cert_free(nc);
        } else if (nc->stored) {
                node_cert_answer(nc);
                node_cert_free(nc);
        } else {
                hash64 = b64_encode(nc->new_hash, strlen(nc->new_hash));
                secret = json_pack("{sssss{ssss}sssbs{ss}}", "apiVersion", "v1", "kind", "Secret",
                                   "metadata", "name",
                                   kl_pool_printf(kl_http_req_pool(nc->req), "%s%s", nc->node,
                                                  NODE_PASSWORD_SUFFIX),
                                   "namespace", BOOTSTRAP_NS, "type", NODE_PASSWORD_TYPE,
                                   "immutable", 1, "data", "hash", hash64);
                kl_assert(secret);
                kl_apiserver_create(s, secrets_resource(), BOOTSTRAP_NS, secret, &wo,
                                    password_stored, nc);
        }
        if (s->closing)
                kl_apiserver__close_step(s);
}

static bool may_request_cert(const char *user, const char *const *groups, size_t n_groups,
                             const char *node)
{
        const char *own = kl_startswith(user, KL_APISERVER_NODE_USER_PREFIX);

        if (in_groups(KL_APISERVER_BOOTSTRAP_GROUP, groups, n_groups) ||
            in_groups("system:masters", groups, n_groups))
                return true;
        /* A node renews its own certificate. */
        return own && kl_streq(own, node) && in_groups(KL_APISERVER_NODES_GROUP, groups, n_groups);
}

void kl_apiserver__serve_node_certificate(struct kl_apiserver *s, struct kl_http_req *req,
                                          const char *user, const char *const *groups,
                                          size_t n_groups)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autostrv char **msgs = NULL;
        json_auto_t *body = NULL, *pw_secret = NULL;
        const char *data, *node, *password;
        struct node_cert *nc;
        size_t len;
        int r;

        if (!kl_streq(kl_http_req_method(req), "POST")) {
                respond_error(req, -KL_EMETHOD_NOT_ALLOWED,
                              "the server does not allow this method on the requested resource");
                return;
        }
        data = kl_http_req_body(req, &len);
        r = kl_json_decode(data ? data : "", data ? len : 0, NODE_CERT_BODY_MAX, &body, &e);
        if (r < 0) {
                respond_error(req, r == -E2BIG ? -E2BIG : -EINVAL, kl_err_msg(e));
                return;
        }
        node = json_string_value(json_object_get(body, "nodeName"));
        password = json_string_value(json_object_get(body, "nodePassword"));
        if (!json_is_object(body) || !node || !password) {
                respond_error(req, -EINVAL,
                              "the body must be a JSON object with the strings nodeName and "
                              "nodePassword");
                return;
        }
        if (kl_api_validate_dns1123_subdomain(node, &msgs) > 0 || strlen(node) > NODE_NAME_MAX) {
                respond_error(req, -EINVAL,
                              kl_pool_printf(kl_http_req_pool(req), "invalid nodeName: %s",
                                             msgs && msgs[0] ? msgs[0]
                                                             : "must be no more than 229 "
                                                               "characters"));
                return;
        }
        if (kl_isempty(password) || strlen(password) > NODE_PASSWORD_MAX ||
            strlen(password) != json_string_length(json_object_get(body, "nodePassword"))) {
                respond_error(req, -EINVAL,
                              "nodePassword must be 1 to 256 bytes without NUL characters");
                return;
        }
        if (!may_request_cert(user, groups, n_groups, node)) {
                respond_error(req, -EACCES,
                              kl_pool_printf(kl_http_req_pool(req),
                                             "User \"%s\" cannot request a certificate for "
                                             "node \"%s\"",
                                             user, node));
                return;
        }
        nc = kl_new0(struct node_cert);
        nc->s = s;
        nc->req = kl_http_req_ref(req);
        nc->node = kl_strdup(node);
        nc->password = kl_strdup(password);
        if (kl_apiserver_get(
                    s, secrets_resource(), BOOTSTRAP_NS,
                    kl_pool_printf(kl_http_req_pool(req), "%s%s", node, NODE_PASSWORD_SUFFIX),
                    &pw_secret, NULL) >= 0) {
                nc->stored = secret_value(pw_secret, "hash");
                if (!nc->stored) {
                        respond_error(req, -EIO,
                                      kl_pool_printf(kl_http_req_pool(req),
                                                     "the stored password of node \"%s\" is "
                                                     "malformed",
                                                     node));
                        node_cert_free(nc);
                        return;
                }
        }
        s->ops++;
        r = kl_loop_run_blocking(s->loop, node_cert_work, node_cert_done, nc);
        if (r < 0) {
                s->ops--;
                respond_error(req, -KL_EUNAVAILABLE, "could not queue the work");
                node_cert_free(nc);
        }
}
