/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The helpers every file of pkg/pki uses: OpenSSL errors into struct kl_err,
 * randomness, secrets, hex and base64, SAN parsing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#include "pki/pki-internal.h"

int kl_pki__ssl_err_set(struct kl_err **err, int neg_code, const char *fmt, ...)
{
        kl_autofree char *what = NULL;
        char reason[256] = "";
        unsigned long e;
        va_list ap;

        /*
         * The first error queued is the root cause; later entries are the
         * callers' context ("PEM routines ... ASN1 lib"), so report the first.
         */
        e = ERR_get_error();
        if (e != 0)
                ERR_error_string_n(e, reason, sizeof(reason));
        ERR_clear_error();

        va_start(ap, fmt);
        what = kl_vasprintf(fmt, ap);
        va_end(ap);
        if (reason[0])
                return kl_err_set(err, neg_code, "%s: %s", what, reason);
        return kl_err_set(err, neg_code, "%s", what);
}

int kl_pki__random(void *buf, size_t len)
{
        unsigned char *p = buf;

        /*
         * Flags 0: block until the kernel's pool is initialised, which on a
         * freshly booted edge box may take a moment; a secret made from an
         * uninitialised pool would be worse than the wait.
         */
        while (len > 0) {
                ssize_t n = getrandom(p, len, 0);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

void kl_pki__hex(const unsigned char *data, size_t len, char *out)
{
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[data[i] >> 4];
                out[2 * i + 1] = digits[data[i] & 0xf];
        }
        out[2 * len] = '\0';
}

char *kl_pki__bio_string(BIO *bio, size_t *ret_len)
{
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        char *s;

        if (n < 0)
                n = 0;
        s = kl_malloc((size_t)n + 1);
        if (n > 0)
                memcpy(s, data, (size_t)n);
        s[n] = '\0';
        if (ret_len)
                *ret_len = (size_t)n;
        return s;
}

void kl_pki_x509_stack_free(STACK_OF(X509) * certs)
{
        if (certs)
                sk_X509_pop_free(certs, X509_free);
}

void kl_pki_secret_free(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

bool kl_pki_secret_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
        unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
        bool eq;

        /*
         * Hashing first makes the comparison itself independent of the
         * lengths as well as the contents (digests are always 32 bytes);
         * equal digests mean equal inputs for any practical purpose.
         */
        (void)SHA256(a, a_len, da);
        (void)SHA256(b, b_len, db);
        eq = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
        explicit_bzero(da, sizeof(da));
        explicit_bzero(db, sizeof(db));
        return eq;
}

int kl_pki_random_hex(size_t bytes, char **ret_hex, struct kl_err **err)
{
        unsigned char raw[256];
        char *hex;
        int r;

        if (bytes == 0 || bytes > sizeof(raw))
                return kl_err_set(err, -EINVAL, "random secret of %zu bytes: must be 1..%zu", bytes,
                                  sizeof(raw));
        r = kl_pki__random(raw, bytes);
        if (r < 0)
                return kl_err_set(err, r, "getrandom");
        hex = kl_malloc(2 * bytes + 1);
        kl_pki__hex(raw, bytes, hex);
        explicit_bzero(raw, sizeof(raw));
        *ret_hex = hex;
        return 0;
}

static bool dns_label_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * A DNS name as certificates carry it: labels of [a-z0-9-_], 1..63 bytes,
 * at most 253 in all, optionally starting with a "*." wildcard label. The
 * underscore is allowed because Kubernetes service names in SRV form and
 * some real hostnames have one, and Go accepts it in SANs.
 */
static bool dns_name_valid(const char *s)
{
        size_t len = strlen(s), label = 0;

        if (len == 0 || len > 253)
                return false;
        if (s[0] == '*') {
                if (s[1] != '.' || s[2] == '\0')
                        return false;
                s += 2;
        }
        for (; *s; s++) {
                if (*s == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                        continue;
                }
                if (!dns_label_char(*s) || ++label > 63)
                        return false;
        }
        return label > 0;
}

int kl_pki__san_parse(const char *san, unsigned char ret_ip[16], size_t *ret_ip_len, char **ret_dns,
                      struct kl_err **err)
{
        char addr[INET6_ADDRSTRLEN + 2];
        size_t len = strlen(san);
        kl_autofree char *dns = NULL;

        if (len >= 2 && san[0] == '[' && san[len - 1] == ']' && len - 2 < sizeof(addr)) {
                memcpy(addr, san + 1, len - 2);
                addr[len - 2] = '\0';
                if (inet_pton(AF_INET6, addr, ret_ip) == 1) {
                        *ret_ip_len = 16;
                        *ret_dns = NULL;
                        return 0;
                }
        }
        if (inet_pton(AF_INET, san, ret_ip) == 1) {
                *ret_ip_len = 4;
                *ret_dns = NULL;
                return 0;
        }
        if (inet_pton(AF_INET6, san, ret_ip) == 1) {
                *ret_ip_len = 16;
                *ret_dns = NULL;
                return 0;
        }
        dns = kl_strdup(san);
        for (char *p = dns; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char)(*p - 'A' + 'a');
        if (!dns_name_valid(dns))
                return kl_err_set(
                        err, -EINVAL,
                        "subject alternative name '%s': neither an IP address nor a DNS name", san);
        *ret_ip_len = 0;
        *ret_dns = KL_TAKE_PTR(dns);
        return 0;
}

char *kl_pki__base64_encode(const void *data, size_t len)
{
        size_t n = 4 * ((len + 2) / 3);
        char *out = kl_malloc(n + 1);

        /* EVP_EncodeBlock() takes an int; every caller encodes a few KiB at most. */
        kl_assert(len < (size_t)1 << 30);
        (void)EVP_EncodeBlock((unsigned char *)out, data, (int)len);
        out[n] = '\0';
        return out;
}

static int b64_value(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/*
 * Written out rather than EVP_DecodeBlock(), which skips whitespace and
 * returns padding as zero bytes: kubeconfig data must be exactly Go's
 * base64.StdEncoding, and the decoded length must be exact.
 */
int kl_pki__base64_decode(const char *text, size_t len, char **ret, size_t *ret_len)
{
        kl_autofree char *out = NULL;
        size_t o = 0;

        if (len % 4 != 0)
                return -EINVAL;
        out = kl_malloc(len / 4 * 3 + 1);
        for (size_t i = 0; i < len; i += 4) {
                int v[4];
                int pad = 0;

                for (int k = 0; k < 4; k++) {
                        char c = text[i + k];

                        if (c == '=' && i + 4 == len && k >= 2) {
                                v[k] = 0;
                                pad++;
                                continue;
                        }
                        if (pad > 0)
                                return -EINVAL;
                        v[k] = b64_value(c);
                        if (v[k] < 0)
                                return -EINVAL;
                }
                out[o++] = (char)((v[0] << 2) | (v[1] >> 4));
                if (pad < 2)
                        out[o++] = (char)(((v[1] & 0xf) << 4) | (v[2] >> 2));
                if (pad < 1)
                        out[o++] = (char)(((v[2] & 0x3) << 6) | v[3]);
        }
        out[o] = '\0';
        *ret = KL_TAKE_PTR(out);
        if (ret_len)
                *ret_len = o;
        return 0;
}

bool kl_pki__text_valid(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < len) {
                unsigned char c = p[i];
                size_t n;
                uint32_t cp;

                if (c < 0x80) {
                        if (c < 0x20 || c == 0x7f)
                                return false;
                        i++;
                        continue;
                }
                if ((c & 0xe0) == 0xc0) {
                        n = 1;
                        cp = c & 0x1f;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2;
                        cp = c & 0x0f;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3;
                        cp = c & 0x07;
                } else {
                        return false;
                }
                if (len - i <= n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((p[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i + k] & 0x3f);
                }
                /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
                if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
                /* The C1 controls, NEL (U+0085) among them, are control characters too. */
                if (cp >= 0x80 && cp <= 0x9f)
                        return false;
                i += n + 1;
        }
        return true;
}
