/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's OpenSSL context and the client-certificate identity.
 *
 * OpenSSL never touches a socket here: each connection's SSL object reads
 * from and writes to two memory BIOs that http-server.c fills from libuv reads
 * and drains into libuv writes (README.md, "TLS through memory BIOs").
 *
 * Client certificates follow kube-apiserver (Go's tls.RequestClientCert): the
 * server asks for a certificate but never fails the handshake over it. A
 * missing or unverifiable certificate just means "no certificate identity";
 * the request may still authenticate with a bearer token, and authentication
 * answers 401 itself. So the verify callback accepts everything and the
 * result is read afterwards with SSL_get_verify_result().
 */
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "http/http-internal.h"

/* Go's crypto/tls defaults for TLS 1.2: forward secrecy and AEAD only. TLS 1.3 suites are fixed. */
#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"

/* Set *err from OpenSSL's error queue (and empty it: the queue is per thread and sticky). */
static int tls_fail(struct kl_err **err, int code, const char *what, const char *subject)
{
        unsigned long e = ERR_peek_last_error();
        char reason[256] = "unknown error";

        if (e)
                ERR_error_string_n(e, reason, sizeof(reason));
        ERR_clear_error();
        if (subject)
                return kl_err_set(err, code, "%s '%s': %s", what, subject, reason);
        return kl_err_set(err, code, "%s: %s", what, reason);
}

static void ssl_ctx_freep(SSL_CTX **c)
{
        SSL_CTX_free(*c);
}

static void bio_freep(BIO **b)
{
        BIO_free(*b);
}

static void x509_freep(X509 **x)
{
        X509_free(*x);
}

static void pkey_freep(EVP_PKEY **k)
{
        EVP_PKEY_free(*k);
}

/* True when the error queue only says "no more PEM blocks": the normal end of a bundle. */
static bool pem_at_end(void)
{
        unsigned long e = ERR_peek_last_error();

        if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error();
                return true;
        }
        return false;
}

static int use_cert_pem(SSL_CTX *ctx, const char *pem, struct kl_err **err)
{
        kl_cleanup(bio_freep) BIO *bio = BIO_new_mem_buf(pem, -1);
        kl_cleanup(x509_freep) X509 *leaf = NULL;

        if (!bio)
                return tls_fail(err, -ENOMEM, "read certificate PEM", NULL);
        leaf = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
        if (!leaf)
                return tls_fail(err, -EINVAL, "parse certificate PEM", NULL);
        if (SSL_CTX_use_certificate(ctx, leaf) != 1)
                return tls_fail(err, -EINVAL, "use certificate", NULL);
        for (;;) {
                X509 *ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);

                if (!ca) {
                        if (pem_at_end())
                                break;
                        return tls_fail(err, -EINVAL, "parse certificate chain PEM", NULL);
                }
                /* add0 takes the certificate over, but only when it succeeds. */
                if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
                        X509_free(ca);
                        return tls_fail(err, -EINVAL, "add chain certificate", NULL);
                }
        }
        return 0;
}

static int use_key_pem(SSL_CTX *ctx, const char *pem, struct kl_err **err)
{
        kl_cleanup(bio_freep) BIO *bio = BIO_new_mem_buf(pem, -1);
        kl_cleanup(pkey_freep) EVP_PKEY *key = NULL;

        if (!bio)
                return tls_fail(err, -ENOMEM, "read key PEM", NULL);
        key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        if (!key)
                return tls_fail(err, -EINVAL, "parse private key PEM", NULL);
        if (SSL_CTX_use_PrivateKey(ctx, key) != 1)
                return tls_fail(err, -EINVAL, "use private key", NULL);
        return 0;
}

static int load_client_cas_pem(SSL_CTX *ctx, const char *pem, struct kl_err **err)
{
        kl_cleanup(bio_freep) BIO *bio = BIO_new_mem_buf(pem, -1);
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        unsigned n = 0;

        if (!bio)
                return tls_fail(err, -ENOMEM, "read client CA PEM", NULL);
        for (;;) {
                kl_cleanup(x509_freep) X509 *ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);

                if (!ca) {
                        if (n > 0 && pem_at_end())
                                break;
                        return tls_fail(err, -EINVAL, "parse client CA PEM", NULL);
                }
                /* Both copy (up-ref) the certificate; ours is freed at scope end. */
                if (X509_STORE_add_cert(store, ca) != 1 || SSL_CTX_add_client_CA(ctx, ca) != 1)
                        return tls_fail(err, -EINVAL, "add client CA", NULL);
                n++;
        }
        return 0;
}

static int load_client_cas_file(SSL_CTX *ctx, const char *path, struct kl_err **err)
{
        STACK_OF(X509_NAME) *names = NULL;

        if (access(path, R_OK) < 0)
                return kl_err_set(err, -errno, "read client CA bundle '%s'", path);
        if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1)
                return tls_fail(err, -EINVAL, "load client CA bundle", path);
        /* The names go into CertificateRequest, so clients pick a matching certificate. */
        names = SSL_load_client_CA_file(path);
        if (!names)
                return tls_fail(err, -EINVAL, "load client CA names", path);
        SSL_CTX_set_client_CA_list(ctx, names);
        return 0;
}

static int verify_accept_all(int ok, X509_STORE_CTX *store)
{
        (void)ok;
        (void)store;
        /* Never fail the handshake; the result is read with SSL_get_verify_result(). */
        return 1;
}

/*
 * ALPN: pick "http/1.1" when offered. When it is not (a client offering only
 * h2), carry on without ALPN rather than failing: the client may still speak
 * HTTP/1.1.
 */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
        static const unsigned char http11[] = "http/1.1";
        unsigned int i = 0;

        (void)ssl;
        (void)arg;
        while (i < inlen) {
                unsigned int n = in[i];

                if (i + 1 + n > inlen)
                        break;
                if (n == sizeof(http11) - 1 && memcmp(in + i + 1, http11, n) == 0) {
                        *out = in + i + 1;
                        *outlen = (unsigned char)n;
                        return SSL_TLSEXT_ERR_OK;
                }
                i += 1 + n;
        }
        return SSL_TLSEXT_ERR_NOACK;
}

static int check_config(const struct kl_http_tls_config *cfg, struct kl_err **err)
{
        if (!cfg->cert_file == !cfg->cert_pem)
                return kl_err_set(err, -EINVAL, "tls: give exactly one of cert_file and cert_pem");
        if (!cfg->key_file == !cfg->key_pem)
                return kl_err_set(err, -EINVAL, "tls: give exactly one of key_file and key_pem");
        if (cfg->client_ca_file && cfg->client_ca_pem)
                return kl_err_set(err, -EINVAL,
                                  "tls: give at most one of client_ca_file and client_ca_pem");
        return 0;
}

int kl_http__tls_ctx_new(const struct kl_http_tls_config *cfg, SSL_CTX **ret, struct kl_err **err)
{
        kl_cleanup(ssl_ctx_freep) SSL_CTX *ctx = NULL;
        static const unsigned char sid_ctx[] = "kube-lite";
        int r;

        r = check_config(cfg, err);
        if (r < 0)
                return r;
        ERR_clear_error();
        ctx = SSL_CTX_new(TLS_server_method());
        if (!ctx)
                return tls_fail(err, -ENOMEM, "create TLS context", NULL);
        if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
            SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1)
                return tls_fail(err, -EINVAL, "configure TLS context", NULL);
        /*
         * No renegotiation (a DoS vector and useless to us); the server picks
         * the cipher; idle connections (watches) give their buffers back.
         */
        SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                         SSL_OP_NO_COMPRESSION);
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
        /* Required for session resumption once peer verification is on. */
        if (SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1) != 1)
                return tls_fail(err, -EINVAL, "set session id context", NULL);
        SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);

        if (cfg->cert_file) {
                if (access(cfg->cert_file, R_OK) < 0)
                        return kl_err_set(err, -errno, "read certificate '%s'", cfg->cert_file);
                if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1)
                        return tls_fail(err, -EINVAL, "load certificate", cfg->cert_file);
        } else {
                r = use_cert_pem(ctx, cfg->cert_pem, err);
                if (r < 0)
                        return r;
        }
        if (cfg->key_file) {
                if (access(cfg->key_file, R_OK) < 0)
                        return kl_err_set(err, -errno, "read private key '%s'", cfg->key_file);
                if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1)
                        return tls_fail(err, -EINVAL, "load private key", cfg->key_file);
        } else {
                r = use_key_pem(ctx, cfg->key_pem, err);
                if (r < 0)
                        return r;
        }
        if (SSL_CTX_check_private_key(ctx) != 1)
                return tls_fail(err, -EINVAL, "private key does not match the certificate", NULL);

        if (cfg->client_ca_file || cfg->client_ca_pem) {
                r = cfg->client_ca_file ? load_client_cas_file(ctx, cfg->client_ca_file, err)
                                        : load_client_cas_pem(ctx, cfg->client_ca_pem, err);
                if (r < 0)
                        return r;
                SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_accept_all);
                SSL_CTX_set_verify_depth(ctx, 10);
        }
        *ret = KL_TAKE_PTR(ctx);
        return 0;
}

/* An X509_NAME entry as UTF-8 (owned), or NULL when it is not text or holds a NUL. */
static char *entry_utf8(X509_NAME_ENTRY *e)
{
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        char *r = NULL;

        if (n < 0)
                return NULL;
        if (!memchr(utf8, '\0', (size_t)n))
                r = kl_strndup((const char *)utf8, (size_t)n);
        OPENSSL_free(utf8);
        return r;
}

void kl_http__tls_peer_identity(SSL *ssl, struct kl_http__cert_identity *ret)
{
        X509 *cert = SSL_get0_peer_certificate(ssl);
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        X509_NAME *subject;
        int n;

        *ret = (struct kl_http__cert_identity){ 0 };
        if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
                return;
        subject = X509_get_subject_name(cert);
        n = X509_NAME_entry_count(subject);
        for (int i = 0; i < n; i++) {
                X509_NAME_ENTRY *e = X509_NAME_get_entry(subject, i);
                int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
                char *s;

                if (nid != NID_commonName && nid != NID_organizationName)
                        continue;
                s = entry_utf8(e);
                /* A name we cannot read exactly is no identity at all. */
                if (!s)
                        return;
                if (nid == NID_commonName) {
                        /* Go's pkix.Name keeps the last CN; so do we. */
                        free(cn);
                        cn = s;
                } else {
                        kl_strv_push_take(&orgs, s);
                }
        }
        ret->cn = cn ? KL_TAKE_PTR(cn) : kl_strdup("");
        ret->orgs = orgs ? KL_TAKE_PTR(orgs) : kl_new0(char *);
        ret->pub.common_name = ret->cn;
        ret->pub.organizations = (const char *const *)ret->orgs;
        ret->pub.n_organizations = kl_strv_length(ret->orgs);
        ret->present = true;
}

void kl_http__cert_identity_release(struct kl_http__cert_identity *id)
{
        free(id->cn);
        kl_strv_free(id->orgs);
        *id = (struct kl_http__cert_identity){ 0 };
}
