/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Joining a node (join.c) over real HTTPS against an in-process server:
 * /cacerts answers without credentials and its CA hashes to the K10 hash;
 * bootstrap tokens authenticate as upstream's bootstrap authenticator
 * decides (expired, wrong secret, usage off, wrong type, bad extra groups
 * are 401); the node-certificate endpoint issues CN system:node:<name>, O
 * system:nodes, which the server then accepts for what a kubelet does and
 * refuses (403, upstream's wording) for the rest; the node password is
 * stored on first use and must match afterwards.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "pki/pki.h"
#include "testing/testing.h"
#include "json/json.h"

static void env_start_with(struct kl_testenv *e, const char *token_file)
{
        const struct kl_apiserver_options so = { .token_file = token_file,
                                                 .sync = KL_STORE_SYNC_RELAXED };
        const struct kl_testenv_options opts = { .server = &so };

        kl_testenv_start(e, &opts);
}

static void env_start(struct kl_testenv *e)
{
        env_start_with(e, NULL);
}

/* One request with the given credentials (cert+key, or a bearer token, or none). */
static void request(struct kl_testenv *e, const char *cert, const char *key, const char *token,
                    const char *method, const char *path, const char *body,
                    struct kl_testenv_reply *out)
{
        const struct kl_testenv_creds who = { .token = token, .cert_pem = cert, .key_pem = key };

        kl_testenv_https(e, &who, method, path, body, NULL, out);
}

static char *b64(const char *s)
{
        size_t len = strlen(s);
        char *out = kl_malloc(4 * ((len + 2) / 3) + 1);

        (void)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
        return out;
}

struct created {
        bool done;
        int r;
};

static void on_created(void *arg, int r, const struct kl_apiserver_result *res,
                       const struct kl_err *err)
{
        struct created *c = arg;

        (void)res;
        cr_expect_eq(r, 0, "create: %s", err ? kl_err_msg(err) : "");
        c->done = true;
        c->r = r;
}

/* A bootstrap-token Secret as kubeadm writes it; NULL values are left out. */
static void add_token(struct kl_testenv *e, const char *id, const char *secret, const char *type,
                      const char *expiration, const char *usage_auth, const char *extra_groups)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "secrets");
        const char *keys[] = { "token-id",
                               "token-secret",
                               "expiration",
                               "usage-bootstrap-authentication",
                               "usage-bootstrap-signing",
                               "auth-extra-groups" };
        const char *vals[] = { id, secret, expiration, usage_auth, "true", extra_groups };
        json_t *data = json_object();
        kl_autofree char *name = kl_asprintf("bootstrap-token-%s", id);
        const struct kl_apiserver_write_opts wo = { .field_manager = "test" };
        struct created c = { 0 };

        for (size_t i = 0; i < KL_ARRAY_SIZE(keys); i++)
                if (vals[i]) {
                        kl_autofree char *v = b64(vals[i]);

                        cr_assert_eq(json_object_set_new(data, keys[i], json_string(v)), 0);
                }
        kl_apiserver_create(e->server, res, "kube-system",
                            json_pack("{sssss{ssss}ssso}", "apiVersion", "v1", "kind", "Secret",
                                      "metadata", "name", name, "namespace", "kube-system", "type",
                                      type, "data", data),
                            &wo, on_created, &c);
        kl_testenv_run_until(e, &c.done);
        cr_assert_eq(c.r, 0);
}

static const char *future(char buf[KL_RFC3339_MAX])
{
        return kl_rfc3339_format(kl_now_realtime() + 3600 * KL_USEC_PER_SEC, 0, buf,
                                 KL_RFC3339_MAX);
}

static const char *past(char buf[KL_RFC3339_MAX])
{
        return kl_rfc3339_format(kl_now_realtime() - 60 * KL_USEC_PER_SEC, 0, buf, KL_RFC3339_MAX);
}

static const char *message_of(const json_t *st)
{
        return json_string_value(json_object_get(st, "message"));
}

/* ------------------------------------------------------------------------- */

Test(join, cacerts_without_credentials_hash_to_the_k10_hash)
{
        struct kl_testenv e;
        struct kl_testenv_reply c;
        kl_cleanup(X509_freep) X509 *ca = NULL;
        char hash[KL_PKI_SHA256_HEX_SIZE];

        env_start(&e);
        request(&e, NULL, NULL, NULL, "GET", "/cacerts", NULL, &c);
        cr_expect_eq(c.status, 200);
        cr_assert_eq(kl_pki_cert_from_pem(c.body, strlen(c.body), &ca, NULL), 0);
        cr_assert_eq(kl_pki_cert_hash(ca, hash, NULL), 0);
        cr_expect_str_eq(hash, kl_pki_server_ca_hash(e.server->pki));
        kl_testenv_reply_release(&c);
        /* Anything else still needs credentials. */
        request(&e, NULL, NULL, NULL, "GET", "/api/v1/nodes", NULL, &c);
        cr_expect_eq(c.status, 401);
        kl_testenv_reply_release(&c);
        request(&e, NULL, NULL, NULL, "POST", "/cacerts", "{}", &c);
        cr_expect_eq(c.status, 405);
        kl_testenv_reply_release(&c);
        kl_testenv_stop(&e);
}

struct bootstrap_case {
        const char *name;
        const char *id, *secret;  /* stored */
        const char *type;         /* NULL: bootstrap.kubernetes.io/token */
        long expiration;          /* 0 none, 1 future, -1 past */
        const char *usage_auth;   /* NULL: absent */
        const char *extra_groups; /* NULL: absent */
        const char *presented;    /* the bearer token */
        long want;                /* status of GET /api/v1/nodes: 403 authenticated, 401 not */
};

static const struct bootstrap_case bootstrap_cases[] = {
        { "valid", "abcdef", "0123456789abcdef", NULL, 1, "true",
          "system:bootstrappers:kube-lite:default-node-token", "abcdef.0123456789abcdef", 403 },
        { "no expiration", "bcdefg", "0123456789abcdef", NULL, 0, "true", NULL,
          "bcdefg.0123456789abcdef", 403 },
        { "expired", "cdefgh", "0123456789abcdef", NULL, -1, "true", NULL,
          "cdefgh.0123456789abcdef", 401 },
        { "wrong secret", "defghi", "0123456789abcdef", NULL, 1, "true", NULL,
          "defghi.0123456789abcdee", 401 },
        { "usage false", "efghij", "0123456789abcdef", NULL, 1, "false", NULL,
          "efghij.0123456789abcdef", 401 },
        { "usage absent", "fghijk", "0123456789abcdef", NULL, 1, NULL, NULL,
          "fghijk.0123456789abcdef", 401 },
        { "wrong type", "ghijkl", "0123456789abcdef", "Opaque", 1, "true", NULL,
          "ghijkl.0123456789abcdef", 401 },
        { "extra group outside system:bootstrappers", "hijklm", "0123456789abcdef", NULL, 1, "true",
          "system:masters", "hijklm.0123456789abcdef", 401 },
        { "no such token", "ijklmn", "0123456789abcdef", NULL, 1, "true", NULL,
          "zzzzzz.0123456789abcdef", 401 },
        { "not bootstrap-shaped", "jklmno", "0123456789abcdef", NULL, 1, "true", NULL,
          "jklmno-0123456789abcdef", 401 },
};

Test(join, bootstrap_tokens_authenticate_as_upstream)
{
        struct kl_testenv e;

        env_start(&e);
        for (size_t i = 0; i < KL_ARRAY_SIZE(bootstrap_cases); i++) {
                const struct bootstrap_case *bc = &bootstrap_cases[i];
                char when[KL_RFC3339_MAX];
                struct kl_testenv_reply c;

                add_token(&e, bc->id, bc->secret,
                          bc->type ? bc->type : "bootstrap.kubernetes.io/token",
                          bc->expiration > 0   ? future(when)
                          : bc->expiration < 0 ? past(when)
                                               : NULL,
                          bc->usage_auth, bc->extra_groups);
                request(&e, NULL, NULL, bc->presented, "GET", "/api/v1/nodes", NULL, &c);
                cr_expect_eq(c.status, (int)bc->want, "%s: got %d: %s", bc->name, c.status, c.body);
                if (c.status == 403) {
                        json_auto_t *st = kl_testenv_reply_json(&c);
                        kl_autofree char *want = kl_asprintf(
                                "nodes is forbidden: User \"system:bootstrap:%s\" cannot list "
                                "resource \"nodes\" in API group \"\" at the cluster scope",
                                bc->id);

                        cr_expect_str_eq(message_of(st), want, "%s", bc->name);
                }
                kl_testenv_reply_release(&c);
        }
        kl_testenv_stop(&e);
}

Test(join, bootstrap_tokens_work_beside_a_token_file)
{
        kl_autofree char *file = kl_test_write_file(kl_test_tmpdir(), "tokens.csv",
                                                    "admintoken,admin,1,system:masters\n");
        struct kl_testenv e;
        struct kl_testenv_reply c;
        char when[KL_RFC3339_MAX];

        env_start_with(&e, file);
        add_token(&e, "abcdef", "0123456789abcdef", "bootstrap.kubernetes.io/token", future(when),
                  "true", NULL);
        request(&e, NULL, NULL, "admintoken", "GET", "/api/v1/nodes", NULL, &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        kl_testenv_reply_release(&c);
        request(&e, NULL, NULL, "abcdef.0123456789abcdef", "GET", "/api/v1/nodes", NULL, &c);
        cr_expect_eq(c.status, 403, "%s", c.body);
        kl_testenv_reply_release(&c);
        request(&e, NULL, NULL, "abcdef.0123456789abcdee", "GET", "/api/v1/nodes", NULL, &c);
        cr_expect_eq(c.status, 401, "%s", c.body);
        kl_testenv_reply_release(&c);
        request(&e, NULL, NULL, "unknown", "GET", "/api/v1/nodes", NULL, &c);
        cr_expect_eq(c.status, 401, "%s", c.body);
        kl_testenv_reply_release(&c);
        kl_testenv_stop(&e);
}

static void node_cert(struct kl_testenv *e, const char *token, const char *node,
                      const char *password, struct kl_testenv_reply *out)
{
        kl_autofree char *body =
                kl_asprintf("{\"nodeName\":\"%s\",\"nodePassword\":\"%s\"}", node, password);

        request(e, NULL, NULL, token, "POST", KL_APISERVER_NODE_CERT_PATH, body, out);
}

Test(join, node_certificate_is_issued_and_accepted_for_kubelet_work_only)
{
        struct kl_testenv e;
        struct kl_testenv_reply c;
        json_auto_t *got = NULL;
        kl_cleanup(X509_freep) X509 *cert = NULL;
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        const char *cert_pem, *key_pem, *client_ca;
        char when[KL_RFC3339_MAX];
        struct kl_err *err = NULL;

        env_start(&e);
        add_token(&e, "abcdef", "0123456789abcdef", "bootstrap.kubernetes.io/token", future(when),
                  "true", "system:bootstrappers:kube-lite:default-node-token");
        node_cert(&e, "abcdef.0123456789abcdef", "node-1", "pw-one", &c);
        cr_assert_eq(c.status, 200, "%s", c.body);
        got = kl_testenv_reply_json(&c);
        kl_testenv_reply_release(&c);
        cert_pem = json_string_value(json_object_get(got, "certificate"));
        key_pem = json_string_value(json_object_get(got, "key"));
        client_ca = json_string_value(json_object_get(got, "clientCA"));
        cr_assert(cert_pem && key_pem && client_ca);
        cr_expect_str_eq(json_string_value(json_object_get(got, "ca")), e.ca_pem);
        cr_assert_eq(kl_pki_cert_from_pem(cert_pem, strlen(cert_pem), &cert, NULL), 0);
        cr_assert_eq(kl_pki_cert_subject(cert, &cn, &orgs, NULL), 0);
        cr_expect_str_eq(cn, "system:node:node-1");
        cr_assert_eq(kl_strv_length(orgs), 1);
        cr_expect_str_eq(orgs[0], "system:nodes");
        cr_expect_eq(kl_pki_verify_pem(cert_pem, strlen(cert_pem), client_ca, strlen(client_ca),
                                       KL_PKI_CERT_CLIENT, NULL, &err),
                     0, "%s", kl_err_msg(err));
        /* About a year, as k3s's leaf certificates. */
        cr_expect_gt(kl_pki_cert_seconds_left(cert), 364LL * 86400);
        cr_expect_leq(kl_pki_cert_seconds_left(cert), 365LL * 86400);

        /* What a kubelet does is allowed. */
        request(&e, cert_pem, key_pem, NULL, "GET", "/api/v1/nodes", NULL, &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        kl_testenv_reply_release(&c);
        request(&e, cert_pem, key_pem, NULL, "POST", "/api/v1/nodes",
                "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"}}", &c);
        cr_expect_eq(c.status, 201, "%s", c.body);
        kl_testenv_reply_release(&c);
        request(&e, cert_pem, key_pem, NULL, "GET", "/api/v1/namespaces/default/configmaps", NULL,
                &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        kl_testenv_reply_release(&c);
        request(&e, cert_pem, key_pem, NULL, "GET",
                "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", NULL, &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        kl_testenv_reply_release(&c);

        /* Anything else is upstream's 403. */
        {
                static const struct {
                        const char *method, *path, *body, *message;
                } denied[] = {
                        { "GET", "/apis/apps/v1/deployments", NULL,
                          "deployments.apps is forbidden: User \"system:node:node-1\" cannot list "
                          "resource \"deployments\" in API group \"apps\" at the cluster scope" },
                        { "DELETE", "/api/v1/nodes/node-1", NULL,
                          "nodes \"node-1\" is forbidden: User \"system:node:node-1\" cannot "
                          "delete resource \"nodes\" in API group \"\" at the cluster scope" },
                        { "POST", "/api/v1/namespaces",
                          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                          "\"x\"}}",
                          "namespaces is forbidden: User \"system:node:node-1\" cannot create "
                          "resource \"namespaces\" in API group \"\" at the cluster scope" },
                        { "POST", "/api/v1/namespaces/default/secrets",
                          "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":"
                          "\"x\"}}",
                          "secrets is forbidden: User \"system:node:node-1\" cannot create "
                          "resource \"secrets\" in API group \"\" in the namespace \"default\"" },
                        { "GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases", NULL,
                          "leases.coordination.k8s.io is forbidden: User \"system:node:node-1\" "
                          "cannot list resource \"leases\" in API group \"coordination.k8s.io\" "
                          "in the namespace \"default\"" },
                };

                for (size_t i = 0; i < KL_ARRAY_SIZE(denied); i++) {
                        json_auto_t *st = NULL;

                        request(&e, cert_pem, key_pem, NULL, denied[i].method, denied[i].path,
                                denied[i].body, &c);
                        cr_expect_eq(c.status, 403, "%s %s: %d %s", denied[i].method,
                                     denied[i].path, c.status, c.body);
                        st = kl_testenv_reply_json(&c);
                        cr_expect_str_eq(message_of(st), denied[i].message);
                        cr_expect_str_eq(json_string_value(json_object_get(st, "reason")),
                                         "Forbidden");
                        kl_testenv_reply_release(&c);
                }
        }
        /* The node renews its own certificate, not another's. */
        {
                kl_autofree char *body =
                        kl_strdup("{\"nodeName\":\"node-1\",\"nodePassword\":\"pw-one\"}");

                request(&e, cert_pem, key_pem, NULL, "POST", KL_APISERVER_NODE_CERT_PATH, body, &c);
                cr_expect_eq(c.status, 200, "%s", c.body);
                kl_testenv_reply_release(&c);
                request(&e, cert_pem, key_pem, NULL, "POST", KL_APISERVER_NODE_CERT_PATH,
                        "{\"nodeName\":\"node-2\",\"nodePassword\":\"pw\"}", &c);
                cr_expect_eq(c.status, 403, "%s", c.body);
                kl_testenv_reply_release(&c);
        }
        kl_testenv_stop(&e);
}

Test(join, node_password_is_stored_first_and_must_match_later)
{
        struct kl_testenv e;
        struct kl_testenv_reply c;
        char when[KL_RFC3339_MAX];
        json_auto_t *st = NULL, *secret = NULL;
        const char *tok = "abcdef.0123456789abcdef";

        env_start(&e);
        add_token(&e, "abcdef", "0123456789abcdef", "bootstrap.kubernetes.io/token", future(when),
                  "true", NULL);
        node_cert(&e, tok, "box", "first-password", &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        kl_testenv_reply_release(&c);
        cr_assert_eq(kl_apiserver_get(e.server, kl_api_resource_find("", "v1", "secrets"),
                                      "kube-system", "box.node-password.kube-lite", &secret, NULL),
                     0);
        cr_expect_str_eq(json_string_value(json_object_get(secret, "type")),
                         "kube-lite.io/node-password");
        /* Only a salted hash is stored. */
        {
                kl_autofree char *dump = json_dumps(secret, 0);

                cr_expect_null(strstr(dump, "first-password"));
                cr_expect_null(strstr(dump, "Zmlyc3QtcGFzc3dvcmQ")); /* nor in base64 */
        }

        node_cert(&e, tok, "box", "second-password", &c);
        cr_expect_eq(c.status, 403, "%s", c.body);
        st = kl_testenv_reply_json(&c);
        cr_expect_str_eq(message_of(st), "node password mismatch");
        kl_testenv_reply_release(&c);

        node_cert(&e, tok, "box", "first-password", &c);
        cr_expect_eq(c.status, 200, "%s", c.body);
        kl_testenv_reply_release(&c);
        kl_testenv_stop(&e);
}

Test(join, node_certificate_refuses_bad_requests)
{
        static const struct {
                const char *method, *token, *body;
                int want;
        } cases[] = {
                { "POST", NULL, "{\"nodeName\":\"n\",\"nodePassword\":\"p\"}", 401 },
                { "GET", "abcdef.0123456789abcdef", NULL, 405 },
                { "POST", "abcdef.0123456789abcdef", "not json", 400 },
                { "POST", "abcdef.0123456789abcdef", "[]", 400 },
                { "POST", "abcdef.0123456789abcdef", "{\"nodeName\":\"n\"}", 400 },
                { "POST", "abcdef.0123456789abcdef",
                  "{\"nodeName\":\"Not_A_Name\",\"nodePassword\":\"p\"}", 400 },
                { "POST", "abcdef.0123456789abcdef", "{\"nodeName\":\"n\",\"nodePassword\":\"\"}",
                  400 },
        };
        struct kl_testenv e;
        char when[KL_RFC3339_MAX];

        env_start(&e);
        add_token(&e, "abcdef", "0123456789abcdef", "bootstrap.kubernetes.io/token", future(when),
                  "true", NULL);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_testenv_reply c;

                request(&e, NULL, NULL, cases[i].token, cases[i].method,
                        KL_APISERVER_NODE_CERT_PATH, cases[i].body, &c);
                cr_expect_eq(c.status, cases[i].want, "case %zu: %d %s", i, c.status, c.body);
                kl_testenv_reply_release(&c);
        }
        kl_testenv_stop(&e);
}

Test(join, node_rules_are_what_a_kubelet_needs)
{
        static const char *const node_groups[] = { "system:nodes", "system:authenticated" };
        static const struct {
                const char *group, *version, *plural, *ns, *sub, *verb;
                bool want;
        } cases[] = {
                { "", "v1", "nodes", NULL, NULL, "get", true },
                { "", "v1", "nodes", NULL, NULL, "watch", true },
                { "", "v1", "nodes", NULL, NULL, "patch", true },
                { "", "v1", "nodes", NULL, NULL, "delete", false },
                { "", "v1", "nodes", NULL, "status", "patch", true },
                { "coordination.k8s.io", "v1", "leases", "kube-node-lease", NULL, "update", true },
                { "coordination.k8s.io", "v1", "leases", "default", NULL, "update", false },
                { "", "v1", "pods", "default", NULL, "delete", true },
                { "", "v1", "pods", "default", NULL, "create", false },
                { "", "v1", "pods", "default", "status", "patch", true },
                { "", "v1", "pods", "default", "eviction", "create", false },
                { "", "v1", "events", "default", NULL, "create", true },
                { "events.k8s.io", "v1", "events", "default", NULL, "patch", true },
                { "", "v1", "events", "default", NULL, "delete", false },
                { "", "v1", "secrets", "default", NULL, "get", true },
                { "", "v1", "secrets", "default", NULL, "update", false },
                { "", "v1", "persistentvolumes", NULL, NULL, "list", true },
                { "discovery.k8s.io", "v1", "endpointslices", "default", NULL, "watch", true },
                { "", "v1", "serviceaccounts", "default", "token", "create", true },
                { "", "v1", "serviceaccounts", "default", NULL, "get", false },
                { "apps", "v1", "deployments", "default", NULL, "get", false },
                { "", "v1", "namespaces", NULL, NULL, "get", false },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct kl_api_resource *res =
                        kl_api_resource_find(cases[i].group, cases[i].version, cases[i].plural);

                cr_assert_not_null(res, "%s", cases[i].plural);
                cr_expect_eq(kl_apiserver__node_allows("system:node:n1", node_groups, 2,
                                                       cases[i].verb, res->group, res->plural,
                                                       cases[i].ns, cases[i].sub),
                             cases[i].want, "%s %s/%s", cases[i].verb, cases[i].plural,
                             cases[i].sub ? cases[i].sub : "");
        }
        /* The identity must be a node's: both the user name and the group. */
        cr_expect_not(
                kl_apiserver__node_allows("alice", node_groups, 2, "get", "", "nodes", NULL, NULL));
        cr_expect_not(kl_apiserver__node_allows("system:node:n1", node_groups + 1, 1, "get", "",
                                                "nodes", NULL, NULL));
}
