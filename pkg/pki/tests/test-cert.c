/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys, CAs, leaf certificates and verification, checked through OpenSSL's
 * own accessors rather than through pkg/pki, so the tests do not trust the
 * code they test.
 */
#include <criterion/criterion.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include "base/base.h"
#include "pki/pki-internal.h" /* the cleanup functions of OpenSSL types */
#include "testing/testing.h"

static struct kl_pki_ca *make_ca(const char *cn)
{
        struct kl_pki_ca *ca = NULL;
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_ca_new(cn, KL_PKI_KEY_ECDSA_P256, &ca, &err), 0, "%s", kl_err_msg(err));
        return ca;
}

static X509 *issue(const struct kl_pki_ca *ca, const struct kl_pki_cert_req *req,
                   EVP_PKEY **ret_key)
{
        kl_autoerr struct kl_err *err = NULL;
        EVP_PKEY *key = NULL;
        X509 *cert = NULL;

        cr_assert_eq(kl_pki_key_generate(req->key_type, &key, &err), 0);
        cr_assert_eq(kl_pki_cert_issue(ca, req, key, &cert, &err), 0, "%s", kl_err_msg(err));
        if (ret_key)
                *ret_key = key;
        else
                EVP_PKEY_free(key);
        return cert;
}

static STACK_OF(X509) * bundle_of(X509 *cert)
{
        STACK_OF(X509) *s = sk_X509_new_null();

        cr_assert(s);
        cr_assert(X509_up_ref(cert) == 1);
        cr_assert(sk_X509_push(s, cert) > 0);
        return s;
}

static bool ext_critical(X509 *cert, int nid)
{
        int i = X509_get_ext_by_NID(cert, nid, -1);

        cr_assert(i >= 0, "extension %s missing", OBJ_nid2sn(nid));
        return X509_EXTENSION_get_critical(X509_get_ext(cert, i)) == 1;
}

static long long days_valid(X509 *cert)
{
        int days = 0, secs = 0;

        cr_assert(
                ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)));
        return days;
}

Test(key, generate_types_and_pem_round_trip)
{
        kl_autoerr struct kl_err *err = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *ec = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *rsa = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *back = NULL;
        kl_autosecret char *pem = NULL;

        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &ec, &err), 0);
        cr_assert_eq(kl_pki_key_type_of(ec), KL_PKI_KEY_ECDSA_P256);
        cr_assert(EVP_PKEY_is_a(ec, "EC"));
        cr_assert_eq(EVP_PKEY_get_bits(ec), 256);
        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_RSA_2048, &rsa, &err), 0);
        cr_assert_eq(kl_pki_key_type_of(rsa), KL_PKI_KEY_RSA_2048);
        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_TYPE__COUNT, &back, &err), -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));

        cr_assert_eq(kl_pki_key_to_pem(ec, &pem, &err), 0);
        cr_assert(kl_startswith(pem, "-----BEGIN PRIVATE KEY-----\n"), "%s", pem);
        cr_assert_eq(kl_pki_key_from_pem(pem, strlen(pem), &back, &err), 0);
        cr_assert_eq(EVP_PKEY_eq(ec, back), 1);

        cr_assert_eq(kl_pki_key_type_parse("ecdsa-p256"), KL_PKI_KEY_ECDSA_P256);
        cr_assert_eq(kl_pki_key_type_parse("rsa-2048"), KL_PKI_KEY_RSA_2048);
        cr_assert_eq(kl_pki_key_type_parse("ed25519"), KL_PKI_KEY_TYPE__INVALID);
        cr_assert_str_eq(kl_pki_key_type_name(KL_PKI_KEY_RSA_2048), "rsa-2048");
}

Test(key, save_is_0600_and_load_reads_back)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_asprintf("%s/k.key", dir);
        kl_autoerr struct kl_err *err = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *back = NULL;
        struct stat st;

        cr_assert_eq(kl_pki_key_load(path, &back, &err), -ENOENT);
        cr_assert(strstr(kl_err_msg(err), path));
        kl_err_free(KL_TAKE_PTR(err));

        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, &err), 0);
        cr_assert_eq(kl_pki_key_save(path, key, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0600);
        cr_assert_eq(kl_pki_key_load(path, &back, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(EVP_PKEY_eq(key, back), 1);
}

Test(key, encrypted_and_garbage_keys_are_refused)
{
        kl_autoerr struct kl_err *err = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *back = NULL;
        BIO *bio = BIO_new(BIO_s_mem());
        char *data = NULL;
        long n;

        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, &err), 0);
        cr_assert(PEM_write_bio_PrivateKey(bio, key, EVP_aes_128_cbc(), (unsigned char *)"pw", 2,
                                           NULL, NULL) == 1);
        n = BIO_get_mem_data(bio, &data);
        /* No prompt on the terminal: a plain failure. */
        cr_assert_eq(kl_pki_key_from_pem(data, (size_t)n, &back, &err), -EINVAL);
        cr_assert_null(back);
        kl_err_free(KL_TAKE_PTR(err));
        BIO_free(bio);

        cr_assert_eq(kl_pki_key_from_pem("hello", 5, &back, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "private key"), "%s", kl_err_msg(err));
}

Test(ca, new_ca_has_the_required_extensions)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca =
                make_ca("kube-lite-server-ca@1700000000");
        X509 *cert = kl_pki_ca_cert(ca);
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        kl_autoerr struct kl_err *err = NULL;
        const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
        kl_cleanup(BN_freep) BIGNUM *bn = NULL;

        cr_assert_eq(kl_pki_cert_subject(cert, &cn, &orgs, &err), 0, "%s", kl_err_msg(err));
        cr_assert_str_eq(cn, "kube-lite-server-ca@1700000000");
        cr_assert_null(orgs[0]);
        cr_assert_eq(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)), 0);
        cr_assert_eq(X509_get_version(cert), X509_VERSION_3);

        cr_assert_eq(X509_check_ca(cert), 1);
        cr_assert(ext_critical(cert, NID_basic_constraints));
        cr_assert(ext_critical(cert, NID_key_usage));
        cr_assert_eq(X509_get_key_usage(cert),
                     KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE);
        cr_assert_not_null(X509_get0_subject_key_id(cert));
        cr_assert_eq(X509_verify(cert, kl_pki_ca_key(ca)), 1);
        cr_assert(days_valid(cert) >= 3650 && days_valid(cert) <= 3651);
        cr_assert_eq(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);

        bn = ASN1_INTEGER_to_BN(serial, NULL);
        cr_assert(!BN_is_negative(bn) && !BN_is_zero(bn));
        cr_assert(BN_num_bits(bn) <= 128);
}

Test(ca, serials_differ)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *a = make_ca("a");
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *b = make_ca("a");

        cr_assert_neq(ASN1_INTEGER_cmp(X509_get0_serialNumber(kl_pki_ca_cert(a)),
                                       X509_get0_serialNumber(kl_pki_ca_cert(b))),
                      0);
}

Test(cert, serving_cert_sans_usage_and_chain)
{
        static const char *const sans[] = { "node1",
                                            "127.0.0.1",
                                            "::1",
                                            "10.43.0.1",
                                            "kubernetes.default.svc.cluster.local",
                                            "2001:db8::7",
                                            "LocalHost",
                                            "127.0.0.1",
                                            "*.example.com",
                                            NULL };
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("server-ca");
        kl_cleanup(X509_freep) X509 *cert =
                issue(ca,
                      &(struct kl_pki_cert_req){
                              .kind = KL_PKI_CERT_SERVER, .cn = "kube-apiserver", .sans = sans },
                      NULL);
        kl_cleanup(GENERAL_NAMES_freep) GENERAL_NAMES *names = NULL;
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *roots = bundle_of(kl_pki_ca_cert(ca));
        kl_autoerr struct kl_err *err = NULL;
        int n_dns = 0, n_ip = 0;

        names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
        cr_assert_not_null(names);
        for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
                const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

                if (gn->type == GEN_DNS) {
                        n_dns++;
                } else {
                        cr_assert_eq(gn->type, GEN_IPADD);
                        n_ip++;
                }
        }
        /* "127.0.0.1" given twice and "LocalHost" lowercased: de-duplicated. */
        cr_assert_eq(n_dns, 4);
        cr_assert_eq(n_ip, 4);
        cr_assert(kl_pki_cert_has_san(cert, "node1"));
        cr_assert(kl_pki_cert_has_san(cert, "NODE1"));
        cr_assert(kl_pki_cert_has_san(cert, "localhost"));
        cr_assert(kl_pki_cert_has_san(cert, "127.0.0.1"));
        cr_assert(kl_pki_cert_has_san(cert, "0:0::1"));
        cr_assert(kl_pki_cert_has_san(cert, "[::1]"));
        cr_assert(kl_pki_cert_has_san(cert, "2001:0db8::0007"));
        cr_assert(kl_pki_cert_has_san(cert, "10.43.0.1"));
        cr_assert(!kl_pki_cert_has_san(cert, "10.43.0.2"));
        cr_assert(!kl_pki_cert_has_san(cert, "kubernetes"));
        cr_assert(!kl_pki_cert_has_san(cert, "not a name"));

        cr_assert(ext_critical(cert, NID_basic_constraints));
        cr_assert_eq(X509_check_ca(cert), 0);
        cr_assert(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER);
        cr_assert(!(X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT));
        cr_assert_eq(X509_get_key_usage(cert), KU_DIGITAL_SIGNATURE);
        cr_assert_eq(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert),
                                           X509_get0_subject_key_id(kl_pki_ca_cert(ca))),
                     0);
        cr_assert_not_null(X509_get0_subject_key_id(cert));
        cr_assert(days_valid(cert) >= 365 && days_valid(cert) <= 366);
        cr_assert_eq(X509_NAME_cmp(X509_get_issuer_name(cert),
                                   X509_get_subject_name(kl_pki_ca_cert(ca))),
                     0);

        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_SERVER, NULL, &err), 0, "%s",
                     kl_err_msg(err));
        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_SERVER, "127.0.0.1", &err), 0);
        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_SERVER, "[::1]", &err), 0);
        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_SERVER, "a.example.com", &err),
                     0);
        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_SERVER, "evil.test", &err),
                     -EPERM);
        kl_err_free(KL_TAKE_PTR(err));
        /* A serving certificate is no client certificate. */
        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_CLIENT, NULL, &err), -EPERM);
        cr_assert(strstr(kl_err_msg(err), "purpose"), "%s", kl_err_msg(err));
}

Test(cert, rsa_leaf_gets_key_encipherment)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("ca");
        kl_cleanup(X509_freep) X509 *cert = issue(
                ca,
                &(struct kl_pki_cert_req){
                        .kind = KL_PKI_CERT_SERVER, .cn = "x", .key_type = KL_PKI_KEY_RSA_2048 },
                NULL);

        cr_assert_eq(X509_get_key_usage(cert), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
}

Test(cert, client_cert_identity_with_several_groups)
{
        static const char *const groups[] = { "system:masters", "dev", "ops team", "ünïcode",
                                              NULL };
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("client-ca");
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *other = make_ca("client-ca");
        kl_cleanup(X509_freep) X509 *cert =
                issue(ca,
                      &(struct kl_pki_cert_req){
                              .kind = KL_PKI_CERT_CLIENT, .cn = "alice", .orgs = groups },
                      NULL);
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *roots = bundle_of(kl_pki_ca_cert(ca));
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *wrong =
                bundle_of(kl_pki_ca_cert(other));
        kl_autoerr struct kl_err *err = NULL;
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;

        cr_assert_eq(kl_pki_cert_subject(cert, &cn, &orgs, &err), 0);
        cr_assert_str_eq(cn, "alice");
        cr_assert_eq(kl_strv_length(orgs), 4);
        for (size_t i = 0; i < 4; i++)
                cr_assert_str_eq(orgs[i], groups[i]);
        cr_assert(X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT);
        cr_assert_null(X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL));

        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_CLIENT, NULL, &err), 0);
        cr_assert_eq(kl_pki_verify(cert, NULL, roots, KL_PKI_CERT_SERVER, NULL, &err), -EPERM);
        kl_err_free(KL_TAKE_PTR(err));
        /* Same CN, different key: not the same CA. */
        cr_assert_eq(kl_pki_verify(cert, NULL, wrong, KL_PKI_CERT_CLIENT, NULL, &err), -EPERM);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_verify(cert, NULL, NULL, KL_PKI_CERT_KIND__COUNT, NULL, &err), -EPERM);
}

Test(cert, long_node_cn_is_allowed)
{
        char name[254];
        kl_autofree char *want = NULL;
        kl_autofree char *cn = NULL;
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("ca");
        kl_cleanup(X509_freep) X509 *cert = NULL;
        static const char *const nodes[] = { "system:nodes", NULL };

        memset(name, 'n', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        want = kl_asprintf("system:node:%s", name);
        cert = issue(
                ca,
                &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT, .cn = want, .orgs = nodes },
                NULL);
        cr_assert_eq(kl_pki_cert_subject(cert, &cn, NULL, NULL), 0);
        cr_assert_str_eq(cn, want);
}

Test(cert, bad_requests)
{
        static const char *const bad_san[] = { "ok.example", "bad name", NULL };
        static const char *const bad_san2[] = { "a..b", NULL };
        static const char *const bad_org[] = { "line\nbreak", NULL };
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("ca");
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        X509 *cert = NULL;
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, &err), 0);
        cr_assert_eq(kl_pki_cert_issue(ca, &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_SERVER },
                                       key, &cert, &err),
                     -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_cert_issue(ca,
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_SERVER,
                                                                  .cn = "x",
                                                                  .sans = bad_san },
                                       key, &cert, &err),
                     -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "'bad name'"), "%s", kl_err_msg(err));
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_cert_issue(ca,
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_SERVER,
                                                                  .cn = "x",
                                                                  .sans = bad_san2 },
                                       key, &cert, &err),
                     -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_cert_issue(ca,
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT,
                                                                  .cn = "x",
                                                                  .orgs = bad_org },
                                       key, &cert, &err),
                     -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_cert_issue(ca,
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT,
                                                                  .cn = "x",
                                                                  .validity_days = 4000 },
                                       key, &cert, &err),
                     -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_cert_issue(ca, &(struct kl_pki_cert_req){ .kind = 7, .cn = "x" }, key,
                                       &cert, &err),
                     -EINVAL);
        cr_assert_null(cert);
}

Test(cert, validity_days_and_seconds_left)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("ca");
        kl_cleanup(X509_freep) X509 *cert =
                issue(ca,
                      &(struct kl_pki_cert_req){
                              .kind = KL_PKI_CERT_CLIENT, .cn = "x", .validity_days = 10 },
                      NULL);
        long long left = kl_pki_cert_seconds_left(cert);

        cr_assert(left > 10LL * 86400 - 60 && left <= 10LL * 86400, "%lld", left);
}

Test(cert, subject_with_two_cns_or_none_names_nobody)
{
        kl_cleanup(X509_freep) X509 *cert = X509_new();
        X509_NAME *name = X509_get_subject_name(cert);
        kl_autoerr struct kl_err *err = NULL;
        char *cn = NULL;

        cr_assert(X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
                                             (const unsigned char *)"g", -1, -1, 0));
        cr_assert_eq(kl_pki_cert_subject(cert, &cn, NULL, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "no CN"));
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                             (const unsigned char *)"a", -1, -1, 0));
        cr_assert(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                             (const unsigned char *)"b", -1, -1, 0));
        cr_assert_eq(kl_pki_cert_subject(cert, &cn, NULL, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "more than one CN"));
        cr_assert_null(cn);
}

Test(cert, subject_with_embedded_nul_is_refused)
{
        kl_cleanup(X509_freep) X509 *cert = X509_new();
        X509_NAME *name = X509_get_subject_name(cert);
        char *cn = NULL;

        cr_assert(X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
                                             (const unsigned char *)"admin\0evil", 10, -1, 0));
        cr_assert_eq(kl_pki_cert_subject(cert, &cn, NULL, NULL), -EINVAL);
}

Test(cert, hash_is_sha256_of_der)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = make_ca("ca");
        unsigned char md[32];
        unsigned int md_len = 0;
        char hex[KL_PKI_SHA256_HEX_SIZE], want[KL_PKI_SHA256_HEX_SIZE];

        cr_assert_eq(kl_pki_cert_hash(kl_pki_ca_cert(ca), hex, NULL), 0);
        cr_assert(X509_digest(kl_pki_ca_cert(ca), EVP_sha256(), md, &md_len));
        cr_assert_eq(md_len, 32);
        for (int i = 0; i < 32; i++)
                snprintf(want + (size_t)2 * i, 3, "%02x", md[i]);
        cr_assert_str_eq(hex, want);
}

Test(cert, pem_round_trip_and_bundles)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *a = make_ca("a");
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *b = make_ca("b");
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        kl_cleanup(X509_freep) X509 *back = NULL;
        kl_autofree char *pa = NULL, *pb = NULL, *bundle = NULL;
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_cert_to_pem(kl_pki_ca_cert(a), &pa, &err), 0);
        cr_assert_eq(kl_pki_cert_to_pem(kl_pki_ca_cert(b), &pb, &err), 0);
        cr_assert(kl_startswith(pa, "-----BEGIN CERTIFICATE-----\n"));
        cr_assert_eq(kl_pki_cert_from_pem(pa, strlen(pa), &back, &err), 0);
        cr_assert_eq(X509_cmp(back, kl_pki_ca_cert(a)), 0);

        bundle = kl_asprintf("# comment\n%sjunk between\n%s", pa, pb);
        cr_assert_eq(kl_pki_certs_from_pem(bundle, strlen(bundle), &certs, &err), 0, "%s",
                     kl_err_msg(err));
        cr_assert_eq(sk_X509_num(certs), 2);
        cr_assert_eq(X509_cmp(sk_X509_value(certs, 1), kl_pki_ca_cert(b)), 0);

        kl_pki_x509_stack_free(KL_TAKE_PTR(certs));
        cr_assert_eq(kl_pki_certs_from_pem("nothing", 7, &certs, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "no PEM certificate"), "%s", kl_err_msg(err));
        kl_err_free(KL_TAKE_PTR(err));
        pa[40] = pa[40] == 'A' ? 'B' : 'A';
        pa[41] = '*';
        cr_assert_eq(kl_pki_certs_from_pem(pa, strlen(pa), &certs, &err), -EINVAL);
        cr_assert_null(certs);
}

Test(cert, bundle_limit)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *a = make_ca("a");
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *certs = NULL;
        kl_autofree char *pem = NULL;
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_pki_cert_to_pem(kl_pki_ca_cert(a), &pem, NULL), 0);
        for (int i = 0; i < KL_PKI_MAX_BUNDLE_CERTS + 1; i++)
                cr_assert_eq(kl_buf_puts(&b, pem), 0);
        cr_assert_eq(kl_pki_certs_from_pem(b.buf, b.len, &certs, NULL), -E2BIG);
}

Test(cert, verify_pem_chain_through_intermediate)
{
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *root = make_ca("root");
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *ikey = NULL;
        kl_cleanup(X509_freep) X509 *icert = NULL;
        kl_autofree char *leaf_pem = NULL, *inter_pem = NULL, *root_pem = NULL, *chain = NULL;
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_ca *inter;
        X509 *leaf;
        X509V3_CTX ctx;
        X509_EXTENSION *ext;

        /* An intermediate CA: a leaf re-marked CA:TRUE and re-signed by the root. */
        icert = issue(root, &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT, .cn = "inter" },
                      &ikey);
        X509_EXTENSION_free(
                X509_delete_ext(icert, X509_get_ext_by_NID(icert, NID_basic_constraints, -1)));
        X509_EXTENSION_free(X509_delete_ext(icert, X509_get_ext_by_NID(icert, NID_key_usage, -1)));
        X509_EXTENSION_free(
                X509_delete_ext(icert, X509_get_ext_by_NID(icert, NID_ext_key_usage, -1)));
        X509V3_set_ctx(&ctx, kl_pki_ca_cert(root), icert, NULL, NULL, 0);
        ext = X509V3_EXT_nconf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(icert, ext, -1);
        X509_EXTENSION_free(ext);
        cr_assert(X509_sign(icert, kl_pki_ca_key(root), EVP_sha256()) > 0);

        /* kl_pki_ca_load() is the public way in; build the CA through files. */
        {
                const char *dir = kl_test_tmpdir();
                kl_autofree char *cp = kl_asprintf("%s/i.crt", dir),
                                 *kp = kl_asprintf("%s/i.key", dir);

                cr_assert_eq(kl_pki_cert_save(cp, icert, &err), 0);
                cr_assert_eq(kl_pki_key_save(kp, ikey, &err), 0);
                cr_assert_eq(kl_pki_ca_load(cp, kp, &inter, &err), 0, "%s", kl_err_msg(err));
        }
        leaf = issue(inter, &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_SERVER, .cn = "l" },
                     NULL);
        cr_assert_eq(kl_pki_cert_to_pem(leaf, &leaf_pem, NULL), 0);
        cr_assert_eq(kl_pki_cert_to_pem(icert, &inter_pem, NULL), 0);
        cr_assert_eq(kl_pki_cert_to_pem(kl_pki_ca_cert(root), &root_pem, NULL), 0);
        chain = kl_asprintf("%s%s", leaf_pem, inter_pem);

        cr_assert_eq(kl_pki_verify_pem(chain, strlen(chain), root_pem, strlen(root_pem),
                                       KL_PKI_CERT_SERVER, NULL, &err),
                     0, "%s", kl_err_msg(err));
        /* Without the intermediate the chain does not reach the root. */
        cr_assert_eq(kl_pki_verify_pem(leaf_pem, strlen(leaf_pem), root_pem, strlen(root_pem),
                                       KL_PKI_CERT_SERVER, NULL, &err),
                     -EPERM);
        kl_err_free(KL_TAKE_PTR(err));
        /* The intermediate alone is a trust anchor, as in a Go CertPool. */
        cr_assert_eq(kl_pki_verify_pem(leaf_pem, strlen(leaf_pem), inter_pem, strlen(inter_pem),
                                       KL_PKI_CERT_SERVER, NULL, &err),
                     0, "%s", kl_err_msg(err));
        X509_free(leaf);
        kl_pki_ca_free(inter);
}

Test(cert, ca_load_rejects_mismatch_and_non_ca)
{
        const char *dir = kl_test_tmpdir();
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *a = make_ca("a");
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *b = make_ca("b");
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *lkey = NULL;
        kl_cleanup(X509_freep) X509 *leaf =
                issue(a, &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT, .cn = "l" }, &lkey);
        kl_autofree char *ac = kl_asprintf("%s/a.crt", dir), *bk = kl_asprintf("%s/b.key", dir);
        kl_autofree char *lc = kl_asprintf("%s/l.crt", dir), *lk = kl_asprintf("%s/l.key", dir);
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_ca *ca = NULL;

        cr_assert_eq(kl_pki_cert_save(ac, kl_pki_ca_cert(a), NULL), 0);
        cr_assert_eq(kl_pki_key_save(bk, kl_pki_ca_key(b), NULL), 0);
        cr_assert_eq(kl_pki_ca_load(ac, bk, &ca, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "does not match"), "%s", kl_err_msg(err));
        kl_err_free(KL_TAKE_PTR(err));

        cr_assert_eq(kl_pki_cert_save(lc, leaf, NULL), 0);
        cr_assert_eq(kl_pki_key_save(lk, lkey, NULL), 0);
        cr_assert_eq(kl_pki_ca_load(lc, lk, &ca, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "not a CA"), "%s", kl_err_msg(err));
        cr_assert_null(ca);
}

Test(secret, equal_and_random)
{
        kl_autosecret char *a = NULL;
        kl_autosecret char *b = NULL;

        cr_assert(kl_pki_secret_equal("abc", 3, "abc", 3));
        cr_assert(!kl_pki_secret_equal("abc", 3, "abd", 3));
        cr_assert(!kl_pki_secret_equal("abc", 3, "abcd", 4));
        cr_assert(kl_pki_secret_equal("", 0, "", 0));

        cr_assert_eq(kl_pki_random_hex(16, &a, NULL), 0);
        cr_assert_eq(kl_pki_random_hex(16, &b, NULL), 0);
        cr_assert_eq(strlen(a), 32);
        cr_assert_eq(strspn(a, "0123456789abcdef"), 32);
        cr_assert_str_neq(a, b);
        cr_assert_eq(kl_pki_random_hex(0, &a, NULL), -EINVAL);
        cr_assert_eq(kl_pki_random_hex(257, &a, NULL), -EINVAL);
}
