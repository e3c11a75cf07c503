/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki-internal.h: what the files of pkg/pki share and nobody else may use.
 *
 * Cleanup functions for the OpenSSL types the module handles internally (the
 * ones that cross pki.h are defined there), the OpenSSL error-queue bridge, and
 * the small helpers for secrets and randomness.
 */
#ifndef KL_PKI_PKI_INTERNAL_H
#define KL_PKI_PKI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/base.h"
#include "pki/pki.h"

KL_DEFINE_CLEANUP_FUNC(BIO, BIO_free_all);
KL_DEFINE_CLEANUP_FUNC(BIGNUM, BN_free);
KL_DEFINE_CLEANUP_FUNC(ASN1_INTEGER, ASN1_INTEGER_free);
KL_DEFINE_CLEANUP_FUNC(ASN1_OCTET_STRING, ASN1_OCTET_STRING_free);
KL_DEFINE_CLEANUP_FUNC(X509_NAME, X509_NAME_free);
KL_DEFINE_CLEANUP_FUNC(X509_EXTENSION, X509_EXTENSION_free);
KL_DEFINE_CLEANUP_FUNC(X509_STORE, X509_STORE_free);
KL_DEFINE_CLEANUP_FUNC(X509_STORE_CTX, X509_STORE_CTX_free);
KL_DEFINE_CLEANUP_FUNC(GENERAL_NAMES, GENERAL_NAMES_free);
KL_DEFINE_CLEANUP_FUNC(GENERAL_NAME, GENERAL_NAME_free);
KL_DEFINE_CLEANUP_FUNC(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free);

/* OPENSSL_free() is a macro; the cleanup needs a function. */
static inline void kl_pki__openssl_free(unsigned char *p)
{
        OPENSSL_free(p);
}
KL_DEFINE_CLEANUP_FUNC(unsigned char, kl_pki__openssl_free);

/* Defined here so ca.c, cert.c and ensure.c share it; opaque outside the module. */
struct kl_pki_ca {
        X509 *cert;    /* owned */
        EVP_PKEY *key; /* owned */
};

/* Upper bounds on files this module reads (STYLE R5.2). */
#define KL_PKI__MAX_PEM_FILE  ((size_t)1 << 20) /* a certificate bundle */
#define KL_PKI__MAX_KEY_FILE  ((size_t)64 << 10)
#define KL_PKI__MAX_CERT_FILE ((size_t)64 << 10)

/*
 * kl_err_set() with the OpenSSL error queue appended ("<fmt>: <openssl
 * reason>"), then the queue cleared. The queue is thread-local and a stale
 * entry would be blamed on the next, unrelated failure, so every path that
 * sees an OpenSSL failure goes through here.
 */
int kl_pki__ssl_err_set(struct kl_err **err, int neg_code, const char *fmt, ...) KL_PRINTF(3, 4);

/*
 * The call goes through this wrapper so that the result is `neg_code` where
 * the caller can see it: clang's analyzer does not look into other files, and
 * would otherwise follow a "failure" that returns success and leaves the
 * out-parameters unset.
 */
#define kl_pki__ssl_err(err, neg_code, ...)                                  \
        ({                                                                   \
                int kl_pki_code_ = (neg_code);                               \
                (void)kl_pki__ssl_err_set((err), kl_pki_code_, __VA_ARGS__); \
                kl_pki_code_;                                                \
        })

/* Fill `buf` from getrandom(2). -errno on failure (only when the kernel has none). */
int kl_pki__random(void *buf, size_t len);

/* Lowercase hex of `len` bytes into `out` (2 * len + 1 bytes). */
void kl_pki__hex(const unsigned char *data, size_t len, char *out);

/* The contents of a memory BIO as a new NUL-terminated string (owned). */
char *kl_pki__bio_string(BIO *bio, size_t *ret_len);

/*
 * Canonical form of a SAN request: an IPv4/IPv6 address (brackets allowed)
 * becomes its packed bytes in `ret_ip` (4 or 16, `*ret_ip_len`), anything else
 * must be a DNS name and is returned lowercased in `*ret_dns` (owned). -EINVAL
 * for neither.
 */
int kl_pki__san_parse(const char *san, unsigned char ret_ip[16], size_t *ret_ip_len, char **ret_dns,
                      struct kl_err **err);

/* Whether `s` (`len` bytes) is well-formed UTF-8 without NUL, C0 or C1 control characters. */
bool kl_pki__text_valid(const char *s, size_t len);

/* Base64 (standard alphabet, padded, no line breaks) of `len` bytes; owned. */
char *kl_pki__base64_encode(const void *data, size_t len);
/* Strict inverse of kl_pki__base64_encode(); the result is NUL-terminated and owned. */
int kl_pki__base64_decode(const char *text, size_t len, char **ret, size_t *ret_len);

#endif
