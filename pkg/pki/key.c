/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private keys: generation, PEM in and out, files.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "pki/pki-internal.h"

static const char *const key_type_names[KL_PKI_KEY_TYPE__COUNT] = {
        [KL_PKI_KEY_ECDSA_P256] = "ecdsa-p256",
        [KL_PKI_KEY_RSA_2048] = "rsa-2048",
};

enum kl_pki_key_type kl_pki_key_type_parse(const char *s)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(key_type_names); i++)
                if (s && kl_streq(s, key_type_names[i]))
                        return (enum kl_pki_key_type)i;
        return KL_PKI_KEY_TYPE__INVALID;
}

const char *kl_pki_key_type_name(enum kl_pki_key_type type)
{
        if (type < 0 || type >= KL_PKI_KEY_TYPE__COUNT)
                return NULL;
        return key_type_names[type];
}

enum kl_pki_key_type kl_pki_key_type_of(EVP_PKEY *key)
{
        char group[64];

        if (EVP_PKEY_is_a(key, "RSA"))
                return EVP_PKEY_get_bits(key) == 2048 ? KL_PKI_KEY_RSA_2048
                                                      : KL_PKI_KEY_TYPE__INVALID;
        if (EVP_PKEY_is_a(key, "EC") &&
            EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                           NULL) == 1 &&
            kl_streq(group, "prime256v1"))
                return KL_PKI_KEY_ECDSA_P256;
        ERR_clear_error();
        return KL_PKI_KEY_TYPE__INVALID;
}

int kl_pki_key_generate(enum kl_pki_key_type type, EVP_PKEY **ret_key, struct kl_err **err)
{
        EVP_PKEY *key = NULL;

        switch (type) {
        case KL_PKI_KEY_ECDSA_P256:
                key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
                break;
        case KL_PKI_KEY_RSA_2048:
                key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
                break;
        default:
                return kl_err_set(err, -EINVAL, "generate key: unknown key type %d", (int)type);
        }
        if (!key)
                return kl_pki__ssl_err(err, -EIO, "generate %s key", kl_pki_key_type_name(type));
        *ret_key = key;
        return 0;
}

int kl_pki_key_to_pem(EVP_PKEY *key, char **ret_pem, struct kl_err **err)
{
        kl_cleanup(BIO_free_allp) BIO *bio = NULL;
        char *data = NULL;
        long n;
        char *pem;

        bio = BIO_new(BIO_s_secmem());
        if (!bio)
                return kl_pki__ssl_err(err, -ENOMEM, "encode private key");
        if (PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
                return kl_pki__ssl_err(err, -EIO, "encode private key");
        n = BIO_get_mem_data(bio, &data);
        if (n <= 0)
                return kl_pki__ssl_err(err, -EIO, "encode private key");
        pem = kl_malloc((size_t)n + 1);
        memcpy(pem, data, (size_t)n);
        pem[n] = '\0';
        *ret_pem = pem;
        return 0;
}

/*
 * Without a callback OpenSSL asks for the passphrase of an encrypted key on
 * the controlling terminal, which would hang a server started by an init
 * system. Returning 0 makes decryption fail instead.
 */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
        (void)buf;
        (void)size;
        (void)rwflag;
        (void)u;
        return 0;
}

/* `what` names the key in messages: "private key" or "private key '<path>'". */
static int key_parse(const char *pem, size_t len, const char *what, EVP_PKEY **ret_key,
                     struct kl_err **err)
{
        kl_cleanup(BIO_free_allp) BIO *bio = NULL;
        EVP_PKEY *key;

        if (len > KL_PKI__MAX_KEY_FILE)
                return kl_err_set(err, -E2BIG, "%s: larger than %zu bytes", what,
                                  KL_PKI__MAX_KEY_FILE);
        bio = BIO_new_mem_buf(pem, (int)len);
        if (!bio)
                return kl_pki__ssl_err(err, -ENOMEM, "%s", what);
        key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
        if (!key)
                return kl_pki__ssl_err(err, -EINVAL, "%s: not an unencrypted PEM private key",
                                       what);
        *ret_key = key;
        return 0;
}

int kl_pki_key_from_pem(const char *pem, size_t len, EVP_PKEY **ret_key, struct kl_err **err)
{
        return key_parse(pem, len, "private key", ret_key, err);
}

int kl_pki_key_load(const char *path, EVP_PKEY **ret_key, struct kl_err **err)
{
        kl_autosecret char *pem = NULL;
        kl_autofree char *what = kl_asprintf("private key '%s'", path);
        size_t len = 0;
        int r;

        r = kl_read_file(path, KL_PKI__MAX_KEY_FILE, &pem, &len);
        if (r < 0)
                return kl_err_set(err, r, "read %s", what);
        return key_parse(pem, len, what, ret_key, err);
}

int kl_pki_key_save(const char *path, EVP_PKEY *key, struct kl_err **err)
{
        kl_autosecret char *pem = NULL;
        int r;

        r = kl_pki_key_to_pem(key, &pem, err);
        if (r < 0)
                return kl_err_wrap(err, r, "save '%s'", path);
        r = kl_write_file_atomic(path, pem, strlen(pem), 0600, 0);
        if (r < 0)
                return kl_err_set(err, r, "write private key '%s'", path);
        return 0;
}
