/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Joining: how an agent that has nothing but a server URL and a join token
 * comes to hold its own client certificate (issue 7 item 1).
 *
 *   1. GET /cacerts. The server is not trusted yet, so this one request is
 *      made without verifying its certificate — and its answer is then
 *      verified out of band: the first certificate of the bundle must hash
 *      to the CA hash the K10 token carries (as k3s and kubeadm's
 *      discovery-token-ca-cert-hash do). A token without a hash is refused
 *      unless the CA is given by file: a joining node never trusts on first use.
 *   2. POST /v1-kube-lite/node-certificate with the bootstrap token as bearer,
 *      verified against that CA from here on: {nodeName, nodePassword} →
 *      {certificate, key, ca}. The node password is made once and kept in
 *      the identity directory, so this box can ask again for its name and
 *      no other box can take the name over.
 *   3. The CA, certificate and key are written to the identity directory; a
 *      later start uses them without joining again while the certificate
 *      has more than a day left.
 *
 * Blocking (libcurl easy, disk): called before the agent's loop runs, or
 * from a worker. curl_global_init() has been called in main().
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "agent/agent.h"
#include "base/base.h"
#include "pki/pki.h"
#include "json/json.h"

#define JOIN_BODY_MAX    ((size_t)256 << 10)
#define JOIN_TIMEOUT_SEC 30L
/* Renew at the next start when less than this is left (seconds). */
#define CERT_RENEW_MARGIN (24LL * 3600)

void kl_agent_identity_release(struct kl_agent_identity *id)
{
        free(id->ca_pem);
        free(id->client_ca_pem);
        free(id->cert_pem);
        kl_pki_secret_free(id->key_pem);
        *id = (struct kl_agent_identity){ 0 };
}

static size_t body_cb(char *data, size_t size, size_t n, void *arg)
{
        struct kl_buf *b = arg;

        return kl_buf_append(b, data, size * n) < 0 ? 0 : size * n;
}

static void easy_freep(CURL **c)
{
        if (*c)
                curl_easy_cleanup(*c);
}

/*
 * One request. `ca_pem` NULL: the peer is not verified (only for /cacerts,
 * whose answer is checked against the token's hash).
 */
static int http(const char *url, const char *ca_pem, const char *bearer, const char *post,
                struct kl_buf *out, long *ret_status, struct kl_err **err)
{
        kl_cleanup(easy_freep) CURL *c = curl_easy_init();
        char errbuf[CURL_ERROR_SIZE] = "";
        struct curl_slist *headers = NULL;
        kl_autofree char *auth = NULL;
        CURLcode rc;

        if (!c)
                return kl_err_set(err, -ENOMEM, "curl_easy_init");
        (void)curl_easy_setopt(c, CURLOPT_URL, url);
        (void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        (void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
        (void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(c, CURLOPT_TIMEOUT, JOIN_TIMEOUT_SEC);
        (void)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)JOIN_BODY_MAX);
        (void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
        (void)curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
        if (ca_pem) {
                struct curl_blob blob = { .data = (void *)ca_pem,
                                          .len = strlen(ca_pem),
                                          .flags = CURL_BLOB_COPY };

                (void)curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
        } else {
                /* The one unverified request: /cacerts, checked by hash afterwards (above). */
                (void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                (void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (bearer) {
                auth = kl_asprintf("Authorization: Bearer %s", bearer);
                headers = curl_slist_append(headers, auth);
        }
        if (post) {
                headers = curl_slist_append(headers, "Content-Type: application/json");
                (void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
        }
        (void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        rc = curl_easy_perform(c);
        curl_slist_free_all(headers);
        if (auth)
                explicit_bzero(auth, strlen(auth));
        if (rc != CURLE_OK)
                return kl_err_set(err, -EIO, "%s: %s%s%s", url, curl_easy_strerror(rc),
                                  *errbuf ? ": " : "", errbuf);
        (void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
        return 0;
}

/* The server's CA bundle, fetched and checked against the token (or read from `ca_file`). */
static int fetch_ca(const struct kl_agent_join_options *o, const struct kl_pki_token *t,
                    char **ret_pem, struct kl_err **err)
{
        kl_autofree char *url = kl_asprintf("%s/cacerts", o->server);
        struct kl_buf body = KL_BUF_INIT_MAX(JOIN_BODY_MAX);
        char hash[KL_PKI_SHA256_HEX_SIZE];
        X509 *ca = NULL;
        long status = 0;
        int r;

        if (o->ca_file) {
                size_t len = 0;

                r = kl_read_file(o->ca_file, JOIN_BODY_MAX, ret_pem, &len);
                return r < 0 ? kl_err_set(err, r, "read --ca-file %s", o->ca_file) : 0;
        }
        if (!*t->ca_hash)
                return kl_err_set(err, -EINVAL,
                                  "the token carries no CA hash (K10<hash>::...): give the "
                                  "server's CA with --ca-file, or use a token from "
                                  "`kube-lite token create`");
        r = http(url, NULL, NULL, NULL, &body, &status, err);
        if (r >= 0 && status != 200)
                r = kl_err_set(err, -EIO, "%s: HTTP %ld", url, status);
        if (r >= 0)
                r = kl_pki_cert_from_pem(body.buf, body.len, &ca, err);
        if (r >= 0)
                r = kl_pki_cert_hash(ca, hash, err);
        if (r >= 0) {
                int m = kl_pki_token_check_ca(t, hash, err);

                if (m < 0)
                        r = kl_err_wrap(err, -EACCES,
                                        "the server's CA does not match the token's hash (not "
                                        "this cluster, or someone in between)");
                else if (m == 0)
                        r = kl_err_set(err, -EACCES, "the token carries no CA hash");
        }
        X509_free(ca);
        if (r < 0) {
                kl_buf_release(&body);
                return r;
        }
        *ret_pem = kl_buf_detach(&body, NULL);
        return 0;
}

/* The node password: made once, kept beside the identity (mode 0600). */
static int node_password(const char *dir, char **ret, struct kl_err **err)
{
        kl_autofree char *path = kl_asprintf("%s/node-password", dir);
        size_t len = 0;
        int r = kl_read_file(path, 4096, ret, &len);

        if (r == 0) {
                while (len > 0 && ((*ret)[len - 1] == '\n' || (*ret)[len - 1] == '\r'))
                        (*ret)[--len] = '\0';
                if (len > 0)
                        return 0;
                kl_pki_secret_free(*ret);
        } else if (r != -ENOENT) {
                return kl_err_set(err, r, "read %s", path);
        }
        r = kl_pki_random_hex(32, ret, err);
        if (r < 0)
                return r;
        r = kl_write_file_atomic(path, *ret, strlen(*ret), 0600, 0);
        if (r < 0) {
                kl_pki_secret_free(*ret);
                *ret = NULL;
                return kl_err_set(err, r, "write %s", path);
        }
        return 0;
}

/* A kept identity that is still good for `node`: 1, else 0 (join again). */
static int load_kept(const char *dir, const char *node, struct kl_agent_identity *ret)
{
        kl_autofree char *cert_path = kl_asprintf("%s/client-kubelet.crt", dir);
        kl_autofree char *key_path = kl_asprintf("%s/client-kubelet.key", dir);
        kl_autofree char *ca_path = kl_asprintf("%s/server-ca.crt", dir);
        kl_autofree char *client_ca_path = kl_asprintf("%s/client-ca.crt", dir);
        kl_autofree char *want = kl_asprintf("system:node:%s", node);
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        struct kl_agent_identity id = { 0 };
        X509 *cert = NULL;
        bool good;

        if (kl_read_file(cert_path, JOIN_BODY_MAX, &id.cert_pem, NULL) < 0 ||
            kl_read_file(key_path, JOIN_BODY_MAX, &id.key_pem, NULL) < 0 ||
            kl_read_file(ca_path, JOIN_BODY_MAX, &id.ca_pem, NULL) < 0 ||
            kl_read_file(client_ca_path, JOIN_BODY_MAX, &id.client_ca_pem, NULL) < 0 ||
            kl_pki_cert_from_pem(id.cert_pem, strlen(id.cert_pem), &cert, NULL) < 0) {
                kl_agent_identity_release(&id);
                return 0;
        }
        good = kl_pki_cert_seconds_left(cert) > CERT_RENEW_MARGIN &&
               kl_pki_cert_subject(cert, &cn, &orgs, NULL) == 0 && kl_streq(cn, want);
        X509_free(cert);
        if (!good) {
                kl_agent_identity_release(&id);
                return 0;
        }
        *ret = id;
        return 1;
}

static int save(const char *dir, const struct kl_agent_identity *id, struct kl_err **err)
{
        static const struct {
                const char *name;
                mode_t mode;
        } files[] = { { "server-ca.crt", 0644 },
                      { "client-ca.crt", 0644 },
                      { "client-kubelet.crt", 0644 },
                      { "client-kubelet.key", 0600 } };
        const char *data[] = { id->ca_pem, id->client_ca_pem, id->cert_pem, id->key_pem };

        for (size_t i = 0; i < KL_ARRAY_SIZE(files); i++) {
                kl_autofree char *path = kl_asprintf("%s/%s", dir, files[i].name);
                int r = data[i] ? kl_write_file_atomic(path, data[i], strlen(data[i]),
                                                       files[i].mode, 0)
                                : -EINVAL;

                if (r < 0)
                        return kl_err_set(err, r, "write %s", path);
        }
        return 0;
}

int kl_agent_join(const struct kl_agent_join_options *o, struct kl_agent_identity *ret,
                  struct kl_err **err)
{
        kl_cleanup(kl_pki_token_release) struct kl_pki_token t = { 0 };
        kl_cleanup(kl_pki_secret_freep) char *password = NULL;
        kl_autofree char *url = NULL;
        kl_autofree char *req = NULL;
        struct kl_buf body = KL_BUF_INIT_MAX(JOIN_BODY_MAX);
        struct kl_agent_identity id = { 0 };
        json_auto_t *reply = NULL;
        long status = 0;
        int r;

        if (!o->server || !kl_startswith(o->server, "https://") || !o->node_name || !o->dir)
                return kl_err_set(err, -EINVAL,
                                  "join: an https:// server URL, a node name and "
                                  "a directory are needed");
        if (kl_mkdir_p(o->dir, 0700) < 0)
                return kl_err_set(err, -errno, "create %s", o->dir);
        if (load_kept(o->dir, o->node_name, ret) == 1)
                return 0;
        if (!o->token)
                return kl_err_set(err, -EINVAL,
                                  "this node has no certificate yet: a join token "
                                  "is needed (--token)");
        r = kl_pki_token_parse(o->token, &t, err);
        if (r < 0)
                return kl_err_wrap(err, r, "--token");
        r = fetch_ca(o, &t, &id.ca_pem, err);
        if (r >= 0)
                r = node_password(o->dir, &password, err);
        if (r < 0) {
                kl_agent_identity_release(&id);
                return r;
        }
        {
                json_auto_t *o_req =
                        json_pack("{s:s,s:s}", "nodeName", o->node_name, "nodePassword", password);
                struct kl_buf b = KL_BUF_INIT;

                kl_assert(kl_json_encode(o_req, 0, &b, NULL) == 0);
                req = kl_buf_detach(&b, NULL);
        }
        url = kl_asprintf("%s/v1-kube-lite/node-certificate", o->server);
        r = http(url, id.ca_pem, t.password, req, &body, &status, err);
        explicit_bzero(req, strlen(req));
        if (r >= 0 && status != 200 && status != 201) {
                json_auto_t *st = NULL;
                const char *msg = NULL;

                if (kl_json_decode(body.buf, body.len, JOIN_BODY_MAX, &st, NULL) == 0)
                        (void)kl_json_get_str(st, "message", &msg, NULL);
                r = kl_err_set(err, status == 401 || status == 403 ? -EACCES : -EIO,
                               "node-certificate: HTTP %ld%s%s", status, msg ? ": " : "",
                               msg ? msg : "");
        }
        if (r >= 0)
                r = kl_json_decode(body.buf, body.len, JOIN_BODY_MAX, &reply, err);
        if (r >= 0) {
                const char *cert = NULL, *key = NULL, *client_ca = NULL;

                if (kl_json_get_str(reply, "certificate", &cert, NULL) < 0 ||
                    kl_json_get_str(reply, "key", &key, NULL) < 0 ||
                    kl_json_get_str(reply, "clientCA", &client_ca, NULL) < 0)
                        r = kl_err_set(err, -EPROTO,
                                       "node-certificate: no certificate, key and client CA");
                else {
                        id.cert_pem = kl_strdup(cert);
                        id.key_pem = kl_strdup(key);
                        id.client_ca_pem = kl_strdup(client_ca);
                }
        }
        if (body.buf && body.len)
                explicit_bzero(body.buf, body.len);
        kl_buf_release(&body);
        if (r >= 0)
                r = save(o->dir, &id, err);
        if (r < 0) {
                kl_agent_identity_release(&id);
                return r;
        }
        *ret = id;
        return 0;
}
