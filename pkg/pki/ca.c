/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Making certificates: self-signed CAs and the leaves they sign.
 */
#include <errno.h>
#include <string.h>

#include "pki/pki-internal.h"

/* One request carries at most this many SANs: the serving cert has about a dozen. */
#define MAX_SANS 256
/* Longest CN or O value accepted in a request (a node name is at most 253 bytes). */
#define MAX_NAME_VALUE 1024

/*
 * A random 128-bit serial, as client-go's certificate helpers make: RFC 5280
 * asks for at most 20 octets and enough entropy that two certificates from
 * one CA never share a serial.
 */
static int set_random_serial(X509 *cert, struct kl_err **err)
{
        kl_cleanup(BN_freep) BIGNUM *bn = NULL;
        kl_cleanup(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
        unsigned char raw[16];
        int r;

        r = kl_pki__random(raw, sizeof(raw));
        if (r < 0)
                return kl_err_set(err, r, "certificate serial: getrandom");
        raw[sizeof(raw) - 1] |= 1; /* never zero */
        bn = BN_bin2bn(raw, sizeof(raw), NULL);
        if (!bn)
                return kl_pki__ssl_err(err, -ENOMEM, "certificate serial");
        serial = BN_to_ASN1_INTEGER(bn, NULL);
        if (!serial || X509_set_serialNumber(cert, serial) != 1)
                return kl_pki__ssl_err(err, -ENOMEM, "certificate serial");
        return 0;
}

/*
 * Add a name entry as a UTF8String. Passing the type explicitly (instead of
 * MBSTRING_UTF8) bypasses OpenSSL's X.520 upper bound of 64 characters for
 * CN and O, which a node's CN "system:node:<name>" can exceed; Go, which
 * verifies these certificates on the client side, has no such limit.
 */
static int name_add(X509_NAME *name, int nid, const char *value, struct kl_err **err)
{
        size_t len = strlen(value);

        if (len == 0 || len > MAX_NAME_VALUE || !kl_pki__text_valid(value, len))
                return kl_err_set(
                        err, -EINVAL,
                        "subject %s: must be 1..%d bytes of UTF-8 without control characters",
                        OBJ_nid2sn(nid), MAX_NAME_VALUE);
        if (X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING, (const unsigned char *)value,
                                       (int)len, -1, 0) != 1)
                return kl_pki__ssl_err(err, -EINVAL, "subject %s", OBJ_nid2sn(nid));
        return 0;
}

/*
 * Extensions whose value is fixed by kube-lite go through OpenSSL's config
 * syntax; nothing a user typed ever reaches it (SANs are built as
 * GENERAL_NAMEs, where a comma cannot inject a second name).
 */
static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value, struct kl_err **err)
{
        kl_cleanup(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;

        ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
        if (!ext || X509_add_ext(cert, ext, -1) != 1)
                return kl_pki__ssl_err(err, -EIO, "certificate extension %s", OBJ_nid2sn(nid));
        return 0;
}

/*
 * Version, serial, names, validity and key of a new certificate. notBefore
 * is an hour in the past so that a node whose clock is a little behind the
 * server's accepts a certificate issued a moment ago.
 */
static int cert_init(X509 *cert, X509_NAME *subject, X509 *issuer, EVP_PKEY *pubkey, long days,
                     struct kl_err **err)
{
        int r;

        if (X509_set_version(cert, X509_VERSION_3) != 1)
                return kl_pki__ssl_err(err, -EIO, "certificate version");
        r = set_random_serial(cert, err);
        if (r < 0)
                return r;
        if (X509_set_subject_name(cert, subject) != 1 ||
            X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subject) != 1)
                return kl_pki__ssl_err(err, -EIO, "certificate names");
        if (!X509_time_adj_ex(X509_getm_notBefore(cert), 0, -3600, NULL) ||
            !X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL))
                return kl_pki__ssl_err(err, -EIO, "certificate validity");
        if (issuer && ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(issuer)) > 0 &&
            X509_set1_notAfter(cert, X509_get0_notAfter(issuer)) != 1)
                return kl_pki__ssl_err(err, -EIO, "certificate validity");
        if (X509_set_pubkey(cert, pubkey) != 1)
                return kl_pki__ssl_err(err, -EIO, "certificate public key");
        return 0;
}

static int cert_sign(X509 *cert, EVP_PKEY *key, struct kl_err **err)
{
        if (X509_sign(cert, key, EVP_sha256()) <= 0)
                return kl_pki__ssl_err(err, -EIO, "sign certificate");
        return 0;
}

int kl_pki_ca_new(const char *cn, enum kl_pki_key_type type, struct kl_pki_ca **ret_ca,
                  struct kl_err **err)
{
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(X509_freep) X509 *cert = NULL;
        kl_cleanup(X509_NAME_freep) X509_NAME *name = NULL;
        struct kl_pki_ca *ca;
        X509V3_CTX ctx = { 0 };
        int r;

        r = kl_pki_key_generate(type, &key, err);
        if (r < 0)
                return kl_err_wrap(err, r, "create CA '%s'", cn);
        name = X509_NAME_new();
        cert = X509_new();
        if (!name || !cert)
                return kl_pki__ssl_err(err, -ENOMEM, "create CA '%s'", cn);
        r = name_add(name, NID_commonName, cn, err);
        if (r >= 0)
                r = cert_init(cert, name, NULL, key, KL_PKI_CA_VALIDITY_DAYS, err);
        if (r < 0)
                return kl_err_wrap(err, r, "create CA '%s'", cn);

        X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
        r = add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE", err);
        if (r >= 0)
                r = add_ext(cert, &ctx, NID_key_usage,
                            "critical,digitalSignature,keyCertSign,cRLSign", err);
        if (r >= 0)
                r = add_ext(cert, &ctx, NID_subject_key_identifier, "hash", err);
        if (r >= 0)
                r = cert_sign(cert, key, err);
        if (r < 0)
                return kl_err_wrap(err, r, "create CA '%s'", cn);

        ca = kl_new0(struct kl_pki_ca);
        ca->cert = KL_TAKE_PTR(cert);
        ca->key = KL_TAKE_PTR(key);
        *ret_ca = ca;
        return 0;
}

X509 *kl_pki_ca_cert(const struct kl_pki_ca *ca)
{
        return ca->cert;
}

EVP_PKEY *kl_pki_ca_key(const struct kl_pki_ca *ca)
{
        return ca->key;
}

void kl_pki_ca_free(struct kl_pki_ca *ca)
{
        if (!ca)
                return;
        X509_free(ca->cert);
        EVP_PKEY_free(ca->key);
        free(ca);
}

int kl_pki_ca_load(const char *cert_path, const char *key_path, struct kl_pki_ca **ret_ca,
                   struct kl_err **err)
{
        kl_cleanup(X509_freep) X509 *cert = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        struct kl_pki_ca *ca;
        int r;

        r = kl_pki_cert_load(cert_path, &cert, err);
        if (r < 0)
                return r;
        r = kl_pki_key_load(key_path, &key, err);
        if (r < 0)
                return r;
        if (X509_check_ca(cert) != 1)
                return kl_pki__ssl_err(
                        err, -EINVAL,
                        "CA certificate '%s': not a CA (basicConstraints CA:TRUE missing)",
                        cert_path);
        if (X509_check_private_key(cert, key) != 1)
                return kl_pki__ssl_err(err, -EINVAL, "CA key '%s' does not match certificate '%s'",
                                       key_path, cert_path);
        ca = kl_new0(struct kl_pki_ca);
        ca->cert = KL_TAKE_PTR(cert);
        ca->key = KL_TAKE_PTR(key);
        *ret_ca = ca;
        return 0;
}

/* Parsed SANs, de-duplicated, in request order. */
struct san_list {
        GENERAL_NAMES *names; /* owned */
        size_t n;
        unsigned char ip[MAX_SANS][16];
        size_t ip_len[MAX_SANS]; /* 0 for a DNS name */
        char *dns[MAX_SANS];     /* owned; NULL for an IP */
};

static void san_list_release(struct san_list *l)
{
        GENERAL_NAMES_free(l->names);
        for (size_t i = 0; i < l->n; i++)
                free(l->dns[i]);
}

static bool san_list_has(const struct san_list *l, const unsigned char *ip, size_t ip_len,
                         const char *dns)
{
        for (size_t i = 0; i < l->n; i++) {
                if (ip_len > 0 && l->ip_len[i] == ip_len && memcmp(l->ip[i], ip, ip_len) == 0)
                        return true;
                if (dns && l->dns[i] && kl_streq(l->dns[i], dns))
                        return true;
        }
        return false;
}

static int san_list_add(struct san_list *l, const char *san, struct kl_err **err)
{
        kl_cleanup(GENERAL_NAME_freep) GENERAL_NAME *gn = NULL;
        kl_autofree char *dns = NULL;
        unsigned char ip[16];
        size_t ip_len = 0;
        int r;

        r = kl_pki__san_parse(san, ip, &ip_len, &dns, err);
        if (r < 0)
                return r;
        if (san_list_has(l, ip, ip_len, dns))
                return 0;
        if (l->n == MAX_SANS)
                return kl_err_set(err, -E2BIG, "more than %d subject alternative names", MAX_SANS);

        gn = GENERAL_NAME_new();
        if (!gn)
                return kl_pki__ssl_err(err, -ENOMEM, "subject alternative name");
        if (ip_len > 0) {
                ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

                if (!os || ASN1_OCTET_STRING_set(os, ip, (int)ip_len) != 1) {
                        ASN1_OCTET_STRING_free(os);
                        return kl_pki__ssl_err(err, -ENOMEM, "subject alternative name");
                }
                GENERAL_NAME_set0_value(gn, GEN_IPADD, os);
        } else {
                ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

                if (!ia5 || ASN1_STRING_set(ia5, dns, (int)strlen(dns)) != 1) {
                        ASN1_IA5STRING_free(ia5);
                        return kl_pki__ssl_err(err, -ENOMEM, "subject alternative name");
                }
                GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
        }
        if (sk_GENERAL_NAME_push(l->names, gn) <= 0)
                return kl_pki__ssl_err(err, -ENOMEM, "subject alternative name");
        gn = NULL; /* owned by the stack now */

        memcpy(l->ip[l->n], ip, ip_len);
        l->ip_len[l->n] = ip_len;
        l->dns[l->n] = KL_TAKE_PTR(dns);
        l->n++;
        return 0;
}

static int add_sans(X509 *cert, const char *const *sans, struct kl_err **err)
{
        kl_autofree struct san_list *l = kl_new0(struct san_list);
        int r = 0;

        l->names = GENERAL_NAMES_new();
        if (!l->names)
                return kl_pki__ssl_err(err, -ENOMEM, "subject alternative names");
        for (size_t i = 0; sans[i] && r >= 0; i++)
                r = san_list_add(l, sans[i], err);
        if (r >= 0 && l->n > 0 &&
            X509_add1_ext_i2d(cert, NID_subject_alt_name, l->names, 0, X509V3_ADD_DEFAULT) != 1)
                r = kl_pki__ssl_err(err, -EIO, "subject alternative names");
        san_list_release(l);
        return r;
}

static const char *kind_name(enum kl_pki_cert_kind kind)
{
        return kind == KL_PKI_CERT_SERVER ? "serving" : "client";
}

int kl_pki_cert_issue(const struct kl_pki_ca *ca, const struct kl_pki_cert_req *req,
                      EVP_PKEY *pubkey, X509 **ret_cert, struct kl_err **err)
{
        kl_cleanup(X509_freep) X509 *cert = NULL;
        kl_cleanup(X509_NAME_freep) X509_NAME *name = NULL;
        X509V3_CTX ctx = { 0 };
        const char *usage;
        unsigned days = req->validity_days ? req->validity_days : KL_PKI_LEAF_VALIDITY_DAYS;
        int r = 0;

        if (req->kind != KL_PKI_CERT_SERVER && req->kind != KL_PKI_CERT_CLIENT)
                return kl_err_set(err, -EINVAL, "issue certificate: unknown kind %d",
                                  (int)req->kind);
        if (kl_isempty(req->cn))
                return kl_err_set(err, -EINVAL, "issue %s certificate: no common name",
                                  kind_name(req->kind));
        if (days > KL_PKI_CA_VALIDITY_DAYS)
                return kl_err_set(err, -EINVAL,
                                  "issue certificate '%s': validity of %u days is more than %d",
                                  req->cn, days, KL_PKI_CA_VALIDITY_DAYS);

        name = X509_NAME_new();
        cert = X509_new();
        if (!name || !cert)
                return kl_pki__ssl_err(err, -ENOMEM, "issue certificate '%s'", req->cn);
        /* O before CN, the order Go's pkix.Name writes and openssl prints. */
        for (size_t i = 0; req->orgs && req->orgs[i] && r >= 0; i++)
                r = name_add(name, NID_organizationName, req->orgs[i], err);
        if (r >= 0)
                r = name_add(name, NID_commonName, req->cn, err);
        if (r >= 0)
                r = cert_init(cert, name, ca->cert, pubkey, days, err);
        if (r < 0)
                return kl_err_wrap(err, r, "issue certificate '%s'", req->cn);

        /*
         * keyEncipherment only matters for RSA key exchange (TLS 1.2 without
         * ECDHE); Go sets it for RSA keys and so do we, and never for ECDSA.
         */
        usage = EVP_PKEY_is_a(pubkey, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                             : "critical,digitalSignature";
        X509V3_set_ctx(&ctx, ca->cert, cert, NULL, NULL, 0);
        r = add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE", err);
        if (r >= 0)
                r = add_ext(cert, &ctx, NID_key_usage, usage, err);
        if (r >= 0)
                r = add_ext(cert, &ctx, NID_ext_key_usage,
                            req->kind == KL_PKI_CERT_SERVER ? "serverAuth" : "clientAuth", err);
        if (r >= 0)
                r = add_ext(cert, &ctx, NID_subject_key_identifier, "hash", err);
        /* "keyid" takes the CA's subject key identifier; every kube-lite CA has one. */
        if (r >= 0)
                r = add_ext(cert, &ctx, NID_authority_key_identifier, "keyid", err);
        if (r >= 0 && req->sans)
                r = add_sans(cert, req->sans, err);
        if (r >= 0)
                r = cert_sign(cert, ca->key, err);
        if (r < 0)
                return kl_err_wrap(err, r, "issue certificate '%s'", req->cn);

        *ret_cert = KL_TAKE_PTR(cert);
        return 0;
}
