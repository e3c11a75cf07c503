/* SPDX-License-Identifier: Apache-2.0 */
/*
 * "Ensure" at server start: create what is missing under the TLS directory,
 * reuse what exists, re-issue leaves that no longer fit, never replace a CA.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "pki/pki-internal.h"

static bool file_exists(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0;
}

int kl_pki_ca_ensure(const char *dir, const char *name, const char *cn_prefix,
                     enum kl_pki_key_type type, struct kl_pki_ca **ret_ca, struct kl_err **err)
{
        kl_autofree char *cert_path = kl_asprintf("%s/%s.crt", dir, name);
        kl_autofree char *key_path = kl_asprintf("%s/%s.key", dir, name);
        kl_autofree char *cn = NULL;
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = NULL;
        bool have_cert = file_exists(cert_path), have_key = file_exists(key_path);
        int r;

        if (have_cert && !have_key)
                return kl_err_set(
                        err, -EEXIST,
                        "CA certificate '%s' exists but its key '%s' does not; kube-lite never replaces a CA: restore the key or remove the certificate",
                        cert_path, key_path);
        if (have_cert) {
                r = kl_pki_ca_load(cert_path, key_path, ret_ca, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "CA '%s'", name);
                return 0;
        }
        if (have_key)
                return kl_err_set(
                        err, -EEXIST,
                        "CA key '%s' exists but its certificate '%s' does not; kube-lite never replaces a CA: restore the certificate or remove the key",
                        key_path, cert_path);

        cn = kl_asprintf("%s@%lld", cn_prefix, (long long)time(NULL));
        r = kl_pki_ca_new(cn, type, &ca, err);
        if (r < 0)
                return r;
        /*
         * The certificate is written last: its presence is what says "this CA
         * exists". A crash in between leaves a lone key, which the next start
         * reports instead of silently making a second CA.
         */
        r = kl_pki_key_save(key_path, ca->key, err);
        if (r >= 0)
                r = kl_pki_cert_save(cert_path, ca->cert, err);
        if (r < 0)
                return kl_err_wrap(err, r, "CA '%s'", name);
        *ret_ca = KL_TAKE_PTR(ca);
        return 1;
}

/* The certificate's O values equal `orgs` as sets. */
static bool orgs_equal(char *const *have, const char *const *want)
{
        size_t n_have = kl_strv_length(have), n_want = 0;

        for (; want && want[n_want]; n_want++)
                if (!kl_strv_contains(have, want[n_want]))
                        return false;
        for (size_t i = 0; i < n_have; i++) {
                bool found = false;

                for (size_t k = 0; k < n_want && !found; k++)
                        found = kl_streq(have[i], want[k]);
                if (!found)
                        return false;
        }
        return true;
}

/* Why an existing leaf must be re-issued, or NULL when it can be reused. */
static const char *leaf_mismatch(X509 *cert, EVP_PKEY *key, const struct kl_pki_ca *ca,
                                 const struct kl_pki_cert_req *req)
{
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *roots = sk_X509_new_null();
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        const char *why = NULL;

        if (X509_check_private_key(cert, key) != 1)
                why = "key does not match";
        else if (!roots || sk_X509_push(roots, X509_dup(ca->cert)) <= 0 ||
                 kl_pki_verify(cert, NULL, roots, req->kind, NULL, NULL) < 0)
                why = "not valid for this CA";
        else if (kl_pki_cert_subject(cert, &cn, &orgs, NULL) < 0 || !kl_streq(cn, req->cn) ||
                 !orgs_equal(orgs, req->orgs))
                why = "subject changed";
        else if (kl_pki_cert_seconds_left(cert) < (long long)KL_PKI_RENEW_BEFORE_DAYS * 86400)
                why = "expires soon";
        for (size_t i = 0; !why && req->sans && req->sans[i]; i++)
                if (!kl_pki_cert_has_san(cert, req->sans[i]))
                        why = "subject alternative names changed";
        ERR_clear_error();
        return why;
}

int kl_pki_cert_ensure(const char *dir, const char *name, const struct kl_pki_ca *ca,
                       const struct kl_pki_cert_req *req, struct kl_err **err)
{
        kl_autofree char *cert_path = kl_asprintf("%s/%s.crt", dir, name);
        kl_autofree char *key_path = kl_asprintf("%s/%s.key", dir, name);
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(X509_freep) X509 *cert = NULL;
        kl_cleanup(X509_freep) X509 *fresh = NULL;
        bool new_key = false;
        int r;

        /*
         * A file that is missing or unreadable as a key or certificate is
         * treated alike: it is made again. Unlike a CA, a leaf holds nothing
         * that cannot be re-created from the CA.
         */
        if (kl_pki_key_load(key_path, &key, NULL) < 0 || kl_pki_key_type_of(key) != req->key_type) {
                EVP_PKEY_free(KL_TAKE_PTR(key));
        }
        if (key && kl_pki_cert_load(cert_path, &cert, NULL) >= 0 &&
            !leaf_mismatch(cert, key, ca, req))
                return 0;

        if (!key) {
                r = kl_pki_key_generate(req->key_type, &key, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "certificate '%s'", name);
                new_key = true;
        }
        r = kl_pki_cert_issue(ca, req, key, &fresh, err);
        if (r < 0)
                return kl_err_wrap(err, r, "certificate '%s'", name);
        /*
         * A new key goes first: a crash before the certificate follows leaves
         * a pair that does not match, which the next start detects and
         * repairs. When the key is kept only the certificate file changes.
         */
        if (new_key) {
                r = kl_pki_key_save(key_path, key, err);
                if (r < 0)
                        return r;
        }
        r = kl_pki_cert_save(cert_path, fresh, err);
        if (r < 0)
                return r;
        return 1;
}

static const char *const server_file_names[KL_PKI_SERVER_FILE__COUNT] = {
        [KL_PKI_SERVER_CA_CERT] = "server-ca.crt",
        [KL_PKI_SERVER_CA_KEY] = "server-ca.key",
        [KL_PKI_CLIENT_CA_CERT] = "client-ca.crt",
        [KL_PKI_CLIENT_CA_KEY] = "client-ca.key",
        [KL_PKI_SERVING_CERT] = "serving-kube-apiserver.crt",
        [KL_PKI_SERVING_KEY] = "serving-kube-apiserver.key",
        [KL_PKI_ADMIN_CERT] = "client-admin.crt",
        [KL_PKI_ADMIN_KEY] = "client-admin.key",
        [KL_PKI_APISERVER_CLIENT_CERT] = "client-kube-apiserver.crt",
        [KL_PKI_APISERVER_CLIENT_KEY] = "client-kube-apiserver.key",
};

struct kl_pki_server {
        struct kl_pki_ca *server_ca;            /* owned */
        struct kl_pki_ca *client_ca;            /* owned */
        char *paths[KL_PKI_SERVER_FILE__COUNT]; /* owned */
        char ca_hash[KL_PKI_SHA256_HEX_SIZE];
};

void kl_pki_server_free(struct kl_pki_server *s)
{
        if (!s)
                return;
        kl_pki_ca_free(s->server_ca);
        kl_pki_ca_free(s->client_ca);
        for (size_t i = 0; i < KL_ARRAY_SIZE(s->paths); i++)
                free(s->paths[i]);
        free(s);
}

/* The serving certificate's names every server has, whatever the caller adds. */
static char **serving_sans(const struct kl_pki_server_opts *opts)
{
        const char *domain =
                kl_isempty(opts->cluster_domain) ? "cluster.local" : opts->cluster_domain;
        char **sans = NULL;

        kl_strv_push(&sans, "127.0.0.1");
        kl_strv_push(&sans, "::1");
        kl_strv_push(&sans, "localhost");
        kl_strv_push(&sans, "kubernetes");
        kl_strv_push(&sans, "kubernetes.default");
        kl_strv_push(&sans, "kubernetes.default.svc");
        kl_strv_push_take(&sans, kl_asprintf("kubernetes.default.svc.%s", domain));
        for (size_t i = 0; opts->sans && opts->sans[i]; i++)
                kl_strv_push(&sans, opts->sans[i]);
        return sans;
}

int kl_pki_server_ensure(const struct kl_pki_server_opts *opts, struct kl_pki_server **ret_server,
                         struct kl_err **err)
{
        static const char *const masters[] = { "system:masters", NULL };
        kl_cleanup(kl_pki_server_freep) struct kl_pki_server *s = NULL;
        kl_autostrv char **sans = NULL;
        int r, written = 0;

        if (kl_isempty(opts->dir))
                return kl_err_set(err, -EINVAL, "server TLS: no directory");
        /* Private keys live here: nobody but the server's user lists it. */
        r = kl_mkdir_p(opts->dir, 0700);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", opts->dir);

        s = kl_new0(struct kl_pki_server);
        for (size_t i = 0; i < KL_ARRAY_SIZE(s->paths); i++)
                s->paths[i] = kl_asprintf("%s/%s", opts->dir, server_file_names[i]);

        r = kl_pki_ca_ensure(opts->dir, "server-ca", "kube-lite-server-ca", opts->key_type,
                             &s->server_ca, err);
        if (r < 0)
                return r;
        written += r;
        r = kl_pki_ca_ensure(opts->dir, "client-ca", "kube-lite-client-ca", opts->key_type,
                             &s->client_ca, err);
        if (r < 0)
                return r;
        written += r;

        sans = serving_sans(opts);
        r = kl_pki_cert_ensure(opts->dir, "serving-kube-apiserver", s->server_ca,
                               &(struct kl_pki_cert_req){
                                       .kind = KL_PKI_CERT_SERVER,
                                       .cn = "kube-apiserver",
                                       .sans = (const char *const *)sans,
                                       .key_type = opts->key_type,
                               },
                               err);
        if (r < 0)
                return r;
        written += r;
        r = kl_pki_cert_ensure(opts->dir, "client-admin", s->client_ca,
                               &(struct kl_pki_cert_req){
                                       .kind = KL_PKI_CERT_CLIENT,
                                       .cn = "system:admin",
                                       .orgs = masters,
                                       .key_type = opts->key_type,
                               },
                               err);
        if (r < 0)
                return r;
        written += r;
        r = kl_pki_cert_ensure(opts->dir, "client-kube-apiserver", s->client_ca,
                               &(struct kl_pki_cert_req){
                                       .kind = KL_PKI_CERT_CLIENT,
                                       .cn = "system:kube-apiserver",
                                       .orgs = masters,
                                       .key_type = opts->key_type,
                               },
                               err);
        if (r < 0)
                return r;
        written += r;

        r = kl_pki_cert_hash(s->server_ca->cert, s->ca_hash, err);
        if (r < 0)
                return r;
        *ret_server = KL_TAKE_PTR(s);
        return written;
}

const struct kl_pki_ca *kl_pki_server_ca(const struct kl_pki_server *s)
{
        return s->server_ca;
}

const struct kl_pki_ca *kl_pki_server_client_ca(const struct kl_pki_server *s)
{
        return s->client_ca;
}

const char *kl_pki_server_path(const struct kl_pki_server *s, enum kl_pki_server_file f)
{
        kl_assert(f >= 0 && f < KL_PKI_SERVER_FILE__COUNT);
        return s->paths[f];
}

const char *kl_pki_server_ca_hash(const struct kl_pki_server *s)
{
        return s->ca_hash;
}

int kl_pki_server_write_kubeconfig(const struct kl_pki_server *s, const char *server_url,
                                   const char *path, mode_t mode, struct kl_err **err)
{
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        int r;

        kc.server = kl_strdup(server_url ? server_url : "https://127.0.0.1:6443");
        r = kl_pki_cert_to_pem(s->server_ca->cert, &kc.ca_pem, err);
        if (r < 0)
                return kl_err_wrap(err, r, "kubeconfig '%s'", path);
        r = kl_read_file(s->paths[KL_PKI_ADMIN_CERT], KL_PKI__MAX_CERT_FILE, &kc.cert_pem, NULL);
        if (r < 0)
                return kl_err_set(err, r, "kubeconfig '%s': read '%s'", path,
                                  s->paths[KL_PKI_ADMIN_CERT]);
        r = kl_read_file(s->paths[KL_PKI_ADMIN_KEY], KL_PKI__MAX_KEY_FILE, &kc.key_pem, NULL);
        if (r < 0)
                return kl_err_set(err, r, "kubeconfig '%s': read '%s'", path,
                                  s->paths[KL_PKI_ADMIN_KEY]);
        return kl_pki_kubeconfig_write(path, &kc, mode, err);
}
