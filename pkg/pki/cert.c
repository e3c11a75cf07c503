/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading certificates: PEM in and out, who a certificate names, its SANs,
 * its hash, and chain verification.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "pki/pki-internal.h"

int kl_pki_cert_to_pem(X509 *cert, char **ret_pem, struct kl_err **err)
{
        kl_cleanup(BIO_free_allp) BIO *bio = NULL;

        bio = BIO_new(BIO_s_mem());
        if (!bio)
                return kl_pki__ssl_err(err, -ENOMEM, "encode certificate");
        if (PEM_write_bio_X509(bio, cert) != 1)
                return kl_pki__ssl_err(err, -EIO, "encode certificate");
        *ret_pem = kl_pki__bio_string(bio, NULL);
        return 0;
}

/* PEM_R_NO_START_LINE: the input holds no (further) PEM block of the kind asked for. */
static bool ssl_err_is_no_start_line(void)
{
        unsigned long e = ERR_peek_last_error();

        return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

/* `what` names the text in messages: "certificate" or "certificate '<path>'". */
static int cert_parse(const char *pem, size_t len, const char *what, X509 **ret_cert,
                      struct kl_err **err)
{
        kl_cleanup(BIO_free_allp) BIO *bio = NULL;
        X509 *cert;

        if (len > KL_PKI__MAX_PEM_FILE)
                return kl_err_set(err, -E2BIG, "%s: larger than %zu bytes", what,
                                  KL_PKI__MAX_PEM_FILE);
        bio = BIO_new_mem_buf(pem, (int)len);
        if (!bio)
                return kl_pki__ssl_err(err, -ENOMEM, "%s", what);
        cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (!cert) {
                if (ssl_err_is_no_start_line()) {
                        ERR_clear_error();
                        return kl_err_set(err, -EINVAL, "%s: no PEM certificate found", what);
                }
                return kl_pki__ssl_err(err, -EINVAL, "%s", what);
        }
        *ret_cert = cert;
        return 0;
}

int kl_pki_cert_from_pem(const char *pem, size_t len, X509 **ret_cert, struct kl_err **err)
{
        return cert_parse(pem, len, "certificate", ret_cert, err);
}

int kl_pki_certs_from_pem(const char *pem, size_t len, STACK_OF(X509) * *ret_certs,
                          struct kl_err **err)
{
        kl_cleanup(BIO_free_allp) BIO *bio = NULL;
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *certs = NULL;

        if (len > KL_PKI__MAX_PEM_FILE)
                return kl_err_set(err, -E2BIG, "certificate bundle: larger than %zu bytes",
                                  KL_PKI__MAX_PEM_FILE);
        bio = BIO_new_mem_buf(pem, (int)len);
        certs = sk_X509_new_null();
        if (!bio || !certs)
                return kl_pki__ssl_err(err, -ENOMEM, "certificate bundle");
        for (;;) {
                X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);

                if (!cert) {
                        if (ssl_err_is_no_start_line() && sk_X509_num(certs) > 0) {
                                ERR_clear_error();
                                break;
                        }
                        if (ssl_err_is_no_start_line()) {
                                ERR_clear_error();
                                return kl_err_set(err, -EINVAL,
                                                  "certificate bundle: no PEM certificate found");
                        }
                        return kl_pki__ssl_err(err, -EINVAL, "certificate bundle: certificate %d",
                                               sk_X509_num(certs) + 1);
                }
                if (sk_X509_num(certs) == KL_PKI_MAX_BUNDLE_CERTS) {
                        X509_free(cert);
                        return kl_err_set(err, -E2BIG,
                                          "certificate bundle: more than %d certificates",
                                          KL_PKI_MAX_BUNDLE_CERTS);
                }
                if (sk_X509_push(certs, cert) <= 0) {
                        X509_free(cert);
                        return kl_pki__ssl_err(err, -ENOMEM, "certificate bundle");
                }
        }
        *ret_certs = KL_TAKE_PTR(certs);
        return 0;
}

int kl_pki_cert_load(const char *path, X509 **ret_cert, struct kl_err **err)
{
        kl_autofree char *pem = NULL;
        kl_autofree char *what = kl_asprintf("certificate '%s'", path);
        size_t len = 0;
        int r;

        r = kl_read_file(path, KL_PKI__MAX_CERT_FILE, &pem, &len);
        if (r < 0)
                return kl_err_set(err, r, "read %s", what);
        return cert_parse(pem, len, what, ret_cert, err);
}

int kl_pki_cert_save(const char *path, X509 *cert, struct kl_err **err)
{
        kl_autofree char *pem = NULL;
        int r;

        r = kl_pki_cert_to_pem(cert, &pem, err);
        if (r < 0)
                return kl_err_wrap(err, r, "save '%s'", path);
        r = kl_write_file_atomic(path, pem, strlen(pem), 0644, 0);
        if (r < 0)
                return kl_err_set(err, r, "write certificate '%s'", path);
        return 0;
}

/* An X509_NAME value as a NUL-terminated UTF-8 string (owned). */
static int name_value(const X509_NAME_ENTRY *e, const char *what, char **ret, struct kl_err **err)
{
        kl_cleanup(kl_pki__openssl_freep) unsigned char *utf8 = NULL;
        int n;

        n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        if (n < 0)
                return kl_pki__ssl_err(err, -EINVAL, "certificate subject %s: not a string", what);
        /* An embedded NUL would let "admin\0evil" pass for "admin" in C. */
        if (memchr(utf8, '\0', (size_t)n))
                return kl_err_set(err, -EINVAL, "certificate subject %s: contains a NUL byte",
                                  what);
        *ret = kl_strndup((const char *)utf8, (size_t)n);
        return 0;
}

int kl_pki_cert_subject(X509 *cert, char **ret_cn, char ***ret_orgs, struct kl_err **err)
{
        const X509_NAME *name = X509_get_subject_name(cert);
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        int n = X509_NAME_entry_count(name);

        for (int i = 0; i < n; i++) {
                const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
                int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
                char *value = NULL;
                int r;

                if (nid != NID_commonName && nid != NID_organizationName)
                        continue;
                r = name_value(e, nid == NID_commonName ? "CN" : "O", &value, err);
                if (r < 0)
                        return r;
                if (nid == NID_organizationName) {
                        kl_strv_push_take(&orgs, value);
                        continue;
                }
                /*
                 * Go keeps the last CN of a subject that has several; which
                 * one names the user should not depend on such a detail, so
                 * such a certificate names nobody.
                 */
                if (cn) {
                        free(value);
                        return kl_err_set(err, -EINVAL, "certificate subject: more than one CN");
                }
                cn = value;
        }
        if (kl_isempty(cn))
                return kl_err_set(err, -EINVAL, "certificate subject: no CN");
        if (ret_orgs)
                *ret_orgs = orgs ? KL_TAKE_PTR(orgs) : kl_calloc(1, sizeof(char *));
        *ret_cn = KL_TAKE_PTR(cn);
        return 0;
}

int kl_pki_cert_hash(X509 *cert, char ret_hex[KL_PKI_SHA256_HEX_SIZE], struct kl_err **err)
{
        kl_cleanup(kl_pki__openssl_freep) unsigned char *der = NULL;
        unsigned char digest[SHA256_DIGEST_LENGTH];
        int n;

        n = i2d_X509(cert, &der);
        if (n <= 0)
                return kl_pki__ssl_err(err, -EINVAL, "encode certificate as DER");
        (void)SHA256(der, (size_t)n, digest);
        kl_pki__hex(digest, sizeof(digest), ret_hex);
        return 0;
}

bool kl_pki_cert_has_san(X509 *cert, const char *san)
{
        kl_cleanup(GENERAL_NAMES_freep) GENERAL_NAMES *names = NULL;
        kl_autofree char *dns = NULL;
        unsigned char ip[16];
        size_t ip_len = 0;

        if (kl_pki__san_parse(san, ip, &ip_len, &dns, NULL) < 0)
                return false;
        names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
        if (!names) {
                ERR_clear_error();
                return false;
        }
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
                int type;
                const ASN1_STRING *v = GENERAL_NAME_get0_value(gn, &type);
                const unsigned char *data = ASN1_STRING_get0_data(v);
                size_t len = (size_t)ASN1_STRING_length(v);

                if (type == GEN_IPADD && ip_len > 0 && len == ip_len && memcmp(data, ip, len) == 0)
                        return true;
                if (type == GEN_DNS && dns && len == strlen(dns) &&
                    strncasecmp((const char *)data, dns, len) == 0)
                        return true;
        }
        return false;
}

long long kl_pki_cert_seconds_left(X509 *cert)
{
        int days = 0, secs = 0;

        if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(cert)) != 1) {
                ERR_clear_error();
                return -1;
        }
        return (long long)days * 86400 + secs;
}

int kl_pki_verify(X509 *leaf, STACK_OF(X509) * untrusted, STACK_OF(X509) * roots,
                  enum kl_pki_cert_kind kind, const char *host, struct kl_err **err)
{
        kl_cleanup(X509_STORE_freep) X509_STORE *store = NULL;
        kl_cleanup(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        X509_VERIFY_PARAM *param;
        int code;

        store = X509_STORE_new();
        ctx = X509_STORE_CTX_new();
        if (!store || !ctx)
                return kl_pki__ssl_err(err, -ENOMEM, "verify certificate");
        for (int i = 0; roots && i < sk_X509_num(roots); i++)
                if (X509_STORE_add_cert(store, sk_X509_value(roots, i)) != 1)
                        return kl_pki__ssl_err(err, -EINVAL, "verify certificate: trust bundle");
        if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
                return kl_pki__ssl_err(err, -ENOMEM, "verify certificate");

        param = X509_STORE_CTX_get0_param(ctx);
        /* Go's x509.CertPool semantics: every certificate in the bundle is an anchor. */
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        if (kind == KL_PKI_CERT_SERVER || kind == KL_PKI_CERT_CLIENT) {
                int purpose = kind == KL_PKI_CERT_SERVER ? X509_PURPOSE_SSL_SERVER
                                                         : X509_PURPOSE_SSL_CLIENT;

                if (X509_STORE_CTX_set_purpose(ctx, purpose) != 1)
                        return kl_pki__ssl_err(err, -EINVAL, "verify certificate: purpose");
        }
        if (host) {
                unsigned char ip[16];
                size_t ip_len = 0;
                kl_autofree char *dns = NULL;
                int r = kl_pki__san_parse(host, ip, &ip_len, &dns, err);

                if (r < 0)
                        return kl_err_wrap(err, r, "verify certificate: host");
                if (ip_len > 0 ? X509_VERIFY_PARAM_set1_ip(param, ip, ip_len) != 1
                               : X509_VERIFY_PARAM_set1_host(param, dns, 0) != 1)
                        return kl_pki__ssl_err(err, -EINVAL, "verify certificate: host '%s'", host);
        }

        if (X509_verify_cert(ctx) == 1)
                return 0;
        code = X509_STORE_CTX_get_error(ctx);
        ERR_clear_error();
        return kl_err_set(err, -EPERM, "verify certificate: %s",
                          X509_verify_cert_error_string(code));
}

int kl_pki_verify_pem(const char *chain_pem, size_t chain_len, const char *bundle_pem,
                      size_t bundle_len, enum kl_pki_cert_kind kind, const char *host,
                      struct kl_err **err)
{
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *chain = NULL;
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *roots = NULL;
        kl_cleanup(X509_freep) X509 *leaf = NULL;
        int r;

        r = kl_pki_certs_from_pem(chain_pem, chain_len, &chain, err);
        if (r < 0)
                return kl_err_wrap(err, r, "verify certificate chain");
        r = kl_pki_certs_from_pem(bundle_pem, bundle_len, &roots, err);
        if (r < 0)
                return kl_err_wrap(err, r, "verify certificate chain: CA");
        leaf = sk_X509_shift(chain);
        return kl_pki_verify(leaf, chain, roots, kind, host, err);
}
