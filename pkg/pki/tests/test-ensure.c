/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "ensure" functions: create what is missing, reuse what exists, re-issue
 * leaves that no longer fit, never replace a CA.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/testing.h"

static const char *const files[] = {
        "server-ca.crt",
        "server-ca.key",
        "client-ca.crt",
        "client-ca.key",
        "serving-kube-apiserver.crt",
        "serving-kube-apiserver.key",
        "client-admin.crt",
        "client-admin.key",
        "client-kube-apiserver.crt",
        "client-kube-apiserver.key",
};

/* Every managed file's contents, in `files` order. */
static char **snapshot(const char *dir)
{
        char **v = NULL;

        for (size_t i = 0; i < KL_ARRAY_SIZE(files); i++) {
                kl_autofree char *p = kl_asprintf("%s/%s", dir, files[i]);

                kl_strv_push_take(&v, kl_test_read_file(p));
        }
        return v;
}

static int ensure(const char *dir, const char *const *sans, struct kl_pki_server **ret)
{
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_server *s = NULL;
        int r;

        r = kl_pki_server_ensure(&(struct kl_pki_server_opts){ .dir = dir, .sans = sans }, &s,
                                 &err);
        cr_assert(r >= 0, "ensure: %s", kl_err_msg(err));
        if (ret)
                *ret = s;
        else
                kl_pki_server_free(s);
        return r;
}

static X509 *load(const char *dir, const char *name)
{
        kl_autofree char *p = kl_asprintf("%s/%s", dir, name);
        kl_autoerr struct kl_err *err = NULL;
        X509 *cert = NULL;

        cr_assert_eq(kl_pki_cert_load(p, &cert, &err), 0, "%s", kl_err_msg(err));
        return cert;
}

static STACK_OF(X509) * roots(const char *dir, const char *name)
{
        STACK_OF(X509) *s = sk_X509_new_null();

        cr_assert(sk_X509_push(s, load(dir, name)) > 0);
        return s;
}

static unsigned mode_of_path(const char *path)
{
        struct stat st;

        cr_assert_eq(stat(path, &st), 0, "stat '%s'", path);
        return st.st_mode & 07777;
}

static unsigned mode_of(const char *dir, const char *name)
{
        kl_autofree char *p = kl_asprintf("%s/%s", dir, name);

        return mode_of_path(p);
}

static bool no_temp_files(const char *dir)
{
        kl_autoclosedir DIR *d = opendir(dir);
        struct dirent *e;

        cr_assert(d);
        while ((e = readdir(d)))
                if (strstr(e->d_name, ".tmp"))
                        return false;
        return true;
}

Test(ensure, ca_created_once_then_reused_byte_for_byte)
{
        const char *dir = kl_test_tmpdir();
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_ca *a = NULL, *b = NULL;
        kl_autofree char *crt = kl_asprintf("%s/server-ca.crt", dir);
        kl_autofree char *key = kl_asprintf("%s/server-ca.key", dir);
        kl_autofree char *crt1 = NULL, *key1 = NULL, *crt2 = NULL, *key2 = NULL;
        kl_autofree char *cn = NULL;

        cr_assert_eq(kl_pki_ca_ensure(dir, "server-ca", "kube-lite-server-ca",
                                      KL_PKI_KEY_ECDSA_P256, &a, &err),
                     1, "%s", kl_err_msg(err));
        crt1 = kl_test_read_file(crt);
        key1 = kl_test_read_file(key);
        cr_assert_eq(mode_of(dir, "server-ca.key"), 0600);
        cr_assert_eq(mode_of(dir, "server-ca.crt"), 0644);
        cr_assert_eq(kl_pki_cert_subject(kl_pki_ca_cert(a), &cn, NULL, NULL), 0);
        cr_assert(kl_startswith(cn, "kube-lite-server-ca@"), "%s", cn);
        cr_assert(strlen(cn) > strlen("kube-lite-server-ca@"));

        cr_assert_eq(kl_pki_ca_ensure(dir, "server-ca", "kube-lite-server-ca",
                                      KL_PKI_KEY_ECDSA_P256, &b, &err),
                     0);
        crt2 = kl_test_read_file(crt);
        key2 = kl_test_read_file(key);
        cr_assert_str_eq(crt1, crt2);
        cr_assert_str_eq(key1, key2);
        cr_assert_eq(X509_cmp(kl_pki_ca_cert(a), kl_pki_ca_cert(b)), 0);
        cr_assert_eq(EVP_PKEY_eq(kl_pki_ca_key(a), kl_pki_ca_key(b)), 1);
        kl_pki_ca_free(a);
        kl_pki_ca_free(b);
}

Test(ensure, ca_is_never_replaced)
{
        const char *dir = kl_test_tmpdir();
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_ca *ca = NULL;
        kl_autofree char *crt = kl_asprintf("%s/ca.crt", dir);
        kl_autofree char *key = kl_asprintf("%s/ca.key", dir);
        kl_autofree char *before = NULL, *after = NULL;

        cr_assert_eq(kl_pki_ca_ensure(dir, "ca", "p", KL_PKI_KEY_ECDSA_P256, &ca, &err), 1);
        kl_pki_ca_free(KL_TAKE_PTR(ca));
        before = kl_test_read_file(crt);

        /* The key gone: refuse, and leave the certificate alone. */
        cr_assert_eq(unlink(key), 0);
        cr_assert_eq(kl_pki_ca_ensure(dir, "ca", "p", KL_PKI_KEY_ECDSA_P256, &ca, &err), -EEXIST);
        cr_assert(strstr(kl_err_msg(err), "never replaces"), "%s", kl_err_msg(err));
        kl_err_free(KL_TAKE_PTR(err));
        after = kl_test_read_file(crt);
        cr_assert_str_eq(before, after);
        cr_assert_null(ca);

        /* A key of another CA: a mismatch, not a reason to make a new one. */
        {
                struct kl_pki_ca *other = NULL;

                cr_assert_eq(kl_pki_ca_new("other", KL_PKI_KEY_ECDSA_P256, &other, NULL), 0);
                cr_assert_eq(kl_pki_key_save(key, kl_pki_ca_key(other), NULL), 0);
                kl_pki_ca_free(other);
        }
        cr_assert_eq(kl_pki_ca_ensure(dir, "ca", "p", KL_PKI_KEY_ECDSA_P256, &ca, &err), -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "does not match"), "%s", kl_err_msg(err));
        kl_err_free(KL_TAKE_PTR(err));

        /* A lone key (say, a crash during the first start): refuse too. */
        cr_assert_eq(unlink(crt), 0);
        cr_assert_eq(kl_pki_ca_ensure(dir, "ca", "p", KL_PKI_KEY_ECDSA_P256, &ca, &err), -EEXIST);
        cr_assert_null(ca);
}

Test(ensure, server_first_start_creates_everything)
{
        static const char *const extra[] = { "node-1", "192.168.1.10", "10.43.0.1", "k.example.com",
                                             NULL };
        const char *base = kl_test_tmpdir();
        kl_autofree char *dir = kl_asprintf("%s/server/tls", base);
        kl_cleanup(kl_pki_server_freep) struct kl_pki_server *s = NULL;
        kl_cleanup(X509_freep) X509 *serving = NULL;
        kl_cleanup(X509_freep) X509 *admin = NULL;
        kl_cleanup(X509_freep) X509 *apiserver = NULL;
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *server_ca = NULL;
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *client_ca = NULL;
        kl_autoerr struct kl_err *err = NULL;
        kl_autofree char *cn = NULL;
        kl_autostrv char **orgs = NULL;
        char hash[KL_PKI_SHA256_HEX_SIZE];
        static const char *const want_sans[] = { "127.0.0.1",
                                                 "::1",
                                                 "localhost",
                                                 "kubernetes",
                                                 "kubernetes.default",
                                                 "kubernetes.default.svc",
                                                 "kubernetes.default.svc.cluster.local",
                                                 "node-1",
                                                 "192.168.1.10",
                                                 "10.43.0.1",
                                                 "k.example.com" };

        cr_assert_eq(ensure(dir, extra, &s), 5);
        cr_assert_eq(mode_of_path(dir), 0700);
        for (size_t i = 0; i < KL_ARRAY_SIZE(files); i++) {
                bool key = kl_endswith(files[i], ".key") != NULL;

                cr_assert_eq(mode_of(dir, files[i]), key ? 0600 : 0644, "%s", files[i]);
        }
        cr_assert(no_temp_files(dir));
        cr_assert(kl_endswith(kl_pki_server_path(s, KL_PKI_SERVING_CERT),
                              "/serving-kube-apiserver.crt"));
        cr_assert(kl_startswith(kl_pki_server_path(s, KL_PKI_CLIENT_CA_KEY), dir));

        serving = load(dir, "serving-kube-apiserver.crt");
        admin = load(dir, "client-admin.crt");
        apiserver = load(dir, "client-kube-apiserver.crt");
        server_ca = roots(dir, "server-ca.crt");
        client_ca = roots(dir, "client-ca.crt");

        for (size_t i = 0; i < KL_ARRAY_SIZE(want_sans); i++)
                cr_assert(kl_pki_cert_has_san(serving, want_sans[i]), "missing SAN %s",
                          want_sans[i]);
        cr_assert_eq(kl_pki_verify(serving, NULL, server_ca, KL_PKI_CERT_SERVER, "10.43.0.1", &err),
                     0, "%s", kl_err_msg(err));
        /* Two CAs: a serving certificate is not trusted as a client and vice versa. */
        cr_assert_eq(kl_pki_verify(serving, NULL, client_ca, KL_PKI_CERT_KIND__COUNT, NULL, NULL),
                     -EPERM);
        cr_assert_eq(kl_pki_verify(admin, NULL, client_ca, KL_PKI_CERT_CLIENT, NULL, &err), 0);
        cr_assert_eq(kl_pki_verify(admin, NULL, server_ca, KL_PKI_CERT_KIND__COUNT, NULL, NULL),
                     -EPERM);
        cr_assert_eq(kl_pki_verify(apiserver, NULL, client_ca, KL_PKI_CERT_CLIENT, NULL, &err), 0);

        cr_assert_eq(kl_pki_cert_subject(admin, &cn, &orgs, &err), 0);
        cr_assert_str_eq(cn, "system:admin");
        cr_assert_eq(kl_strv_length(orgs), 1);
        cr_assert_str_eq(orgs[0], "system:masters");

        cr_assert_eq(kl_pki_cert_hash(sk_X509_value(server_ca, 0), hash, NULL), 0);
        cr_assert_str_eq(kl_pki_server_ca_hash(s), hash);
        cr_assert_eq(X509_cmp(kl_pki_ca_cert(kl_pki_server_ca(s)), sk_X509_value(server_ca, 0)), 0);
        cr_assert_eq(
                X509_cmp(kl_pki_ca_cert(kl_pki_server_client_ca(s)), sk_X509_value(client_ca, 0)),
                0);
}

Test(ensure, second_start_changes_nothing)
{
        static const char *const extra[] = { "node-1", "192.168.1.10", NULL };
        const char *dir = kl_test_tmpdir();
        kl_autostrv char **before = NULL;
        kl_autostrv char **after = NULL;

        cr_assert_eq(ensure(dir, extra, NULL), 5);
        before = snapshot(dir);
        cr_assert_eq(ensure(dir, extra, NULL), 0);
        /* The same SANs in another order and case are the same set. */
        cr_assert_eq(ensure(dir, (const char *const[]){ "192.168.1.10", "NODE-1", NULL }, NULL), 0);
        /* A subset is covered: removing a --tls-san does not re-issue (as k3s). */
        cr_assert_eq(ensure(dir, NULL, NULL), 0);
        after = snapshot(dir);
        for (size_t i = 0; i < KL_ARRAY_SIZE(files); i++)
                cr_assert_str_eq(before[i], after[i], "%s changed", files[i]);
}

Test(ensure, new_san_reissues_serving_cert_from_the_same_ca)
{
        static const char *const v1[] = { "node-1", NULL };
        static const char *const v2[] = { "node-1", "lb.example.com", "203.0.113.7", NULL };
        const char *dir = kl_test_tmpdir();
        kl_autostrv char **before = NULL;
        kl_autostrv char **after = NULL;
        kl_cleanup(X509_freep) X509 *serving = NULL;
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *server_ca = NULL;

        cr_assert_eq(ensure(dir, v1, NULL), 5);
        before = snapshot(dir);
        cr_assert_eq(ensure(dir, v2, NULL), 1);
        after = snapshot(dir);
        for (size_t i = 0; i < KL_ARRAY_SIZE(files); i++) {
                if (kl_streq(files[i], "serving-kube-apiserver.crt"))
                        cr_assert_str_neq(before[i], after[i]);
                else /* the CAs, the other leaves, and the serving key: untouched */
                        cr_assert_str_eq(before[i], after[i], "%s changed", files[i]);
        }
        serving = load(dir, "serving-kube-apiserver.crt");
        server_ca = roots(dir, "server-ca.crt");
        cr_assert(kl_pki_cert_has_san(serving, "lb.example.com"));
        cr_assert(kl_pki_cert_has_san(serving, "203.0.113.7"));
        cr_assert(kl_pki_cert_has_san(serving, "node-1"));
        cr_assert_eq(
                kl_pki_verify(serving, NULL, server_ca, KL_PKI_CERT_SERVER, "lb.example.com", NULL),
                0);
        cr_assert_eq(ensure(dir, v2, NULL), 0);
        cr_assert(no_temp_files(dir));
}

Test(ensure, damaged_or_expiring_leaves_are_repaired)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *admin_crt = kl_asprintf("%s/client-admin.crt", dir);
        kl_autofree char *admin_key = kl_asprintf("%s/client-admin.key", dir);
        kl_autofree char *serving_key = kl_asprintf("%s/serving-kube-apiserver.key", dir);
        kl_cleanup(kl_pki_server_freep) struct kl_pki_server *s = NULL;
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(X509_freep) X509 *short_lived = NULL;
        kl_cleanup(X509_freep) X509 *admin = NULL;
        kl_autostrv char **before = NULL;
        kl_autostrv char **after = NULL;
        static const char *const masters[] = { "system:masters", NULL };

        cr_assert_eq(ensure(dir, NULL, &s), 5);

        /* Garbage in a certificate file. */
        cr_assert_eq(kl_write_file_atomic(admin_crt, "garbage", 7, 0644, 0), 0);
        cr_assert_eq(ensure(dir, NULL, NULL), 1);
        admin = load(dir, "client-admin.crt");
        X509_free(KL_TAKE_PTR(admin));

        /* A certificate with 30 days left: renewed (k3s renews within 90 days). */
        cr_assert_eq(kl_pki_key_load(admin_key, &key, NULL), 0);
        cr_assert_eq(kl_pki_cert_issue(kl_pki_server_client_ca(s),
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT,
                                                                  .cn = "system:admin",
                                                                  .orgs = masters,
                                                                  .validity_days = 30 },
                                       key, &short_lived, NULL),
                     0);
        cr_assert_eq(kl_pki_cert_save(admin_crt, short_lived, NULL), 0);
        cr_assert_eq(ensure(dir, NULL, NULL), 1);
        admin = load(dir, "client-admin.crt");
        cr_assert(kl_pki_cert_seconds_left(admin) > 300LL * 86400);

        /* A missing key: a new key and a new certificate. */
        before = snapshot(dir);
        cr_assert_eq(unlink(serving_key), 0);
        cr_assert_eq(ensure(dir, NULL, NULL), 1);
        after = snapshot(dir);
        cr_assert_str_neq(before[4], after[4]);
        cr_assert_str_neq(before[5], after[5]);
        cr_assert_eq(mode_of(dir, "serving-kube-apiserver.key"), 0600);
        cr_assert_eq(ensure(dir, NULL, NULL), 0);
}

Test(ensure, leaves_follow_a_new_ca)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *crt = kl_asprintf("%s/client-ca.crt", dir);
        kl_autofree char *key = kl_asprintf("%s/client-ca.key", dir);
        kl_cleanup(kl_pki_x509_stack_freep) STACK_OF(X509) *client_ca = NULL;
        kl_cleanup(X509_freep) X509 *admin = NULL;

        cr_assert_eq(ensure(dir, NULL, NULL), 5);
        /* An operator removes the client CA on purpose to revoke every client cert. */
        cr_assert_eq(unlink(crt), 0);
        cr_assert_eq(unlink(key), 0);
        cr_assert_eq(ensure(dir, NULL, NULL), 3);
        client_ca = roots(dir, "client-ca.crt");
        admin = load(dir, "client-admin.crt");
        cr_assert_eq(kl_pki_verify(admin, NULL, client_ca, KL_PKI_CERT_CLIENT, NULL, NULL), 0);
}

Test(ensure, leaf_subject_change_reissues)
{
        const char *dir = kl_test_tmpdir();
        kl_cleanup(kl_pki_ca_freep) struct kl_pki_ca *ca = NULL;
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_cert_req req = {
                .kind = KL_PKI_CERT_CLIENT,
                .cn = "system:node:a",
                .orgs = (const char *const[]){ "system:nodes", NULL },
        };

        cr_assert_eq(kl_pki_ca_ensure(dir, "ca", "ca", KL_PKI_KEY_ECDSA_P256, &ca, &err), 1);
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 1);
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 0);
        req.orgs = (const char *const[]){ "system:nodes", "extra", NULL };
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 1);
        req.cn = "system:node:b";
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 1);
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 0);
        /* Another key type asked for: a new key. */
        req.key_type = KL_PKI_KEY_RSA_2048;
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 1);
        cr_assert_eq(kl_pki_cert_ensure(dir, "node", ca, &req, &err), 0);
}

Test(ensure, bad_request_is_an_error_not_a_loop)
{
        const char *dir = kl_test_tmpdir();
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_server *s = NULL;

        cr_assert_eq(
                kl_pki_server_ensure(
                        &(struct kl_pki_server_opts){
                                .dir = dir, .sans = (const char *const[]){ "bad name!", NULL } },
                        &s, &err),
                -EINVAL);
        cr_assert(strstr(kl_err_msg(err), "serving-kube-apiserver"), "%s", kl_err_msg(err));
        cr_assert_null(s);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_server_ensure(&(struct kl_pki_server_opts){ .dir = "" }, &s, &err),
                     -EINVAL);
}

Test(ensure, cluster_domain)
{
        const char *dir = kl_test_tmpdir();
        kl_cleanup(kl_pki_server_freep) struct kl_pki_server *s = NULL;
        kl_cleanup(X509_freep) X509 *serving = NULL;

        cr_assert_eq(
                kl_pki_server_ensure(
                        &(struct kl_pki_server_opts){ .dir = dir, .cluster_domain = "edge.lan" },
                        &s, NULL),
                5);
        serving = load(dir, "serving-kube-apiserver.crt");
        cr_assert(kl_pki_cert_has_san(serving, "kubernetes.default.svc.edge.lan"));
        cr_assert(!kl_pki_cert_has_san(serving, "kubernetes.default.svc.cluster.local"));
}

Test(ensure, admin_kubeconfig)
{
        const char *base = kl_test_tmpdir();
        kl_autofree char *dir = kl_asprintf("%s/tls", base);
        kl_autofree char *path = kl_asprintf("%s/etc/kube-lite/kube-lite.yaml", base);
        kl_autofree char *ca_pem = NULL, *cert_pem = NULL, *key_pem = NULL;
        kl_cleanup(kl_pki_server_freep) struct kl_pki_server *s = NULL;
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(ensure(dir, NULL, &s), 5);
        cr_assert_eq(kl_pki_server_write_kubeconfig(s, NULL, path, KL_PKI_KUBECONFIG_MODE, &err), 0,
                     "%s", kl_err_msg(err));
        cr_assert_eq(mode_of_path(path), 0600);
        cr_assert_eq(kl_pki_kubeconfig_load(path, &kc, &err), 0, "%s", kl_err_msg(err));
        cr_assert_str_eq(kc.server, "https://127.0.0.1:6443");
        ca_pem = kl_test_read_file(kl_pki_server_path(s, KL_PKI_SERVER_CA_CERT));
        cert_pem = kl_test_read_file(kl_pki_server_path(s, KL_PKI_ADMIN_CERT));
        key_pem = kl_test_read_file(kl_pki_server_path(s, KL_PKI_ADMIN_KEY));
        cr_assert_str_eq(kc.ca_pem, ca_pem);
        cr_assert_str_eq(kc.cert_pem, cert_pem);
        cr_assert_str_eq(kc.key_pem, key_pem);
        cr_assert_null(kc.token);

        /* --write-kubeconfig-mode 0644, another URL: rewritten in place. */
        cr_assert_eq(kl_pki_server_write_kubeconfig(s, "https://10.0.0.5:6443", path, 0644, &err),
                     0);
        cr_assert_eq(mode_of_path(path), 0644);
        kl_pki_kubeconfig_release(&kc);
        cr_assert_eq(kl_pki_kubeconfig_load(path, &kc, &err), 0);
        cr_assert_str_eq(kc.server, "https://10.0.0.5:6443");
}
