/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Join tokens (k3s's K10 format and the short form) and bootstrap tokens.
 *
 * No message here ever contains a token's text, only offsets and lengths: a
 * token in a log line is a credential handed to whoever reads the log (R11.7).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pki/pki-internal.h"

#define K10_PREFIX "K10"

void kl_pki_token_release(struct kl_pki_token *t)
{
        free(t->username);
        kl_pki_secret_free(t->password);
        explicit_bzero(t, sizeof(*t));
}

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Lowercase a 64-digit hex string into `out`; -EINVAL if it is not one. */
static int hash_parse(const char *s, size_t len, char out[KL_PKI_SHA256_HEX_SIZE])
{
        if (len != KL_PKI_SHA256_HEX_SIZE - 1)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!is_hex(s[i]))
                        return -EINVAL;
                out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
        }
        out[len] = '\0';
        return 0;
}

int kl_pki_token_parse(const char *s, struct kl_pki_token *ret, struct kl_err **err)
{
        struct kl_pki_token t = { .ca_hash = "" };
        size_t len = strnlen(s, KL_PKI_TOKEN_MAX + 1);
        const char *cred = s, *colon;

        if (len == 0)
                return kl_err_set(err, -EINVAL, "token: empty");
        if (len > KL_PKI_TOKEN_MAX)
                return kl_err_set(err, -EINVAL, "token: longer than %d bytes", KL_PKI_TOKEN_MAX);
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
                        return kl_err_set(
                                err, -EINVAL,
                                "token: byte %zu is not printable ASCII (spaces and control characters are not allowed)",
                                i + 1);

        /*
         * "K10" alone does not make the secure form: a password may start
         * with it. Only "K10...::" does, and then what sits between must be
         * a CA hash (k3s also accepts an empty one and so do we).
         */
        if (kl_startswith(s, K10_PREFIX)) {
                const char *sep = strstr(s + strlen(K10_PREFIX), "::");

                if (sep) {
                        const char *hash = s + strlen(K10_PREFIX);
                        size_t hash_len = (size_t)(sep - hash);

                        if (hash_len > 0 && hash_parse(hash, hash_len, t.ca_hash) < 0)
                                return kl_err_set(
                                        err, -EINVAL,
                                        "token: the CA hash after K10 must be 64 hex digits (a SHA-256), found %zu characters",
                                        hash_len);
                        cred = sep + 2;
                }
        }

        colon = strchr(cred, ':');
        if (colon) {
                if (colon == cred)
                        return kl_err_set(err, -EINVAL, "token: empty username before ':'");
                if (colon[1] == '\0')
                        return kl_err_set(err, -EINVAL, "token: empty password after ':'");
                t.username = kl_strndup(cred, (size_t)(colon - cred));
                t.password = kl_strdup(colon + 1);
        } else {
                if (*cred == '\0')
                        return kl_err_set(err, -EINVAL, "token: empty password");
                t.password = kl_strdup(cred);
        }
        *ret = t;
        return 0;
}

/* `text` parses back to exactly `hash`, `username` and `password`. */
static bool parses_back(const char *text, const char *hash, const char *username,
                        const char *password)
{
        kl_autotoken struct kl_pki_token check = { .ca_hash = "" };

        return kl_pki_token_parse(text, &check, NULL) >= 0 && kl_streq(check.ca_hash, hash) &&
               kl_streq_null(check.username, username) && kl_streq_null(check.password, password);
}

int kl_pki_token_format(const struct kl_pki_token *t, char **ret, struct kl_err **err)
{
        kl_autosecret char *cred = NULL;
        kl_autosecret char *text = NULL;
        char hash[KL_PKI_SHA256_HEX_SIZE] = "";

        if (kl_isempty(t->password))
                return kl_err_set(err, -EINVAL, "format token: no password");
        if (t->ca_hash[0] &&
            hash_parse(t->ca_hash, strnlen(t->ca_hash, sizeof(t->ca_hash)), hash) < 0)
                return kl_err_set(err, -EINVAL, "format token: CA hash is not 64 hex digits");
        cred = kl_asprintf("%s%s%s", t->username ? t->username : "", t->username ? ":" : "",
                           t->password);

        /*
         * The parser is the definition of the format: a candidate is good
         * when it parses back unchanged. Without a hash the short form comes
         * first; credentials it would misread (a username holding "::" after
         * "K10", say) take the "K10::" form, which pins no CA either but
         * starts the credentials at a fixed place, as k3s writes it.
         */
        text = kl_asprintf("%s%s%s%s", hash[0] ? K10_PREFIX : "", hash, hash[0] ? "::" : "", cred);
        if (!parses_back(text, hash, t->username, t->password) && !hash[0]) {
                kl_pki_secret_free(text);
                text = kl_asprintf(K10_PREFIX "::%s", cred);
        }
        if (!parses_back(text, hash, t->username, t->password))
                return kl_err_set(
                        err, -EINVAL,
                        "format token: username or password cannot be written (a ':' in the username, a space or control character, or more than %d bytes)",
                        KL_PKI_TOKEN_MAX);
        *ret = KL_TAKE_PTR(text);
        return 0;
}

int kl_pki_token_check_ca(const struct kl_pki_token *t, const char *ca_hash, struct kl_err **err)
{
        char want[KL_PKI_SHA256_HEX_SIZE];

        if (t->ca_hash[0] == '\0')
                return 0;
        if (hash_parse(ca_hash, strlen(ca_hash), want) < 0)
                return kl_err_set(err, -EINVAL, "check CA hash: '%s' is not a SHA-256 in hex",
                                  ca_hash);
        /* The hashes are public (a CA fingerprint), so they may be shown. */
        if (CRYPTO_memcmp(want, t->ca_hash, KL_PKI_SHA256_HEX_SIZE - 1) != 0)
                return kl_err_set(
                        err, -EPERM,
                        "the server's CA certificate does not match the token: token expects CA hash %s, server's CA hash is %s",
                        t->ca_hash, want);
        return 1;
}

static const char bootstrap_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/*
 * Fill `out` with `n` characters uniform over [a-z0-9]. 252 is the largest
 * multiple of 36 below 256: bytes at or above it are thrown away, so the
 * modulo does not favour the first letters.
 */
static int random_alnum(char *out, size_t n)
{
        unsigned char pool[64];
        size_t used = sizeof(pool);
        int r;

        for (size_t i = 0; i < n;) {
                if (used == sizeof(pool)) {
                        r = kl_pki__random(pool, sizeof(pool));
                        if (r < 0)
                                return r;
                        used = 0;
                }
                if (pool[used] < 252)
                        out[i++] = bootstrap_alphabet[pool[used] % 36];
                used++;
        }
        explicit_bzero(pool, sizeof(pool));
        return 0;
}

int kl_pki_bootstrap_token_generate(struct kl_pki_bootstrap_token *ret, struct kl_err **err)
{
        struct kl_pki_bootstrap_token t = { .id = "" };
        int r;

        r = random_alnum(t.id, KL_PKI_BOOTSTRAP_ID_LEN);
        if (r >= 0)
                r = random_alnum(t.secret, KL_PKI_BOOTSTRAP_SECRET_LEN);
        if (r < 0) {
                explicit_bzero(&t, sizeof(t));
                return kl_err_set(err, r, "generate bootstrap token: getrandom");
        }
        *ret = t;
        explicit_bzero(&t, sizeof(t));
        return 0;
}

static bool bootstrap_chars(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

int kl_pki_bootstrap_token_parse(const char *s, struct kl_pki_bootstrap_token *ret,
                                 struct kl_err **err)
{
        const size_t len = KL_PKI_BOOTSTRAP_TOKEN_SIZE - 1;

        if (strnlen(s, len + 1) != len || s[KL_PKI_BOOTSTRAP_ID_LEN] != '.' ||
            !bootstrap_chars(s, KL_PKI_BOOTSTRAP_ID_LEN) ||
            !bootstrap_chars(s + KL_PKI_BOOTSTRAP_ID_LEN + 1, KL_PKI_BOOTSTRAP_SECRET_LEN))
                return kl_err_set(
                        err, -EINVAL,
                        "bootstrap token: expected <6 characters [a-z0-9]>.<16 characters [a-z0-9]>");
        memcpy(ret->id, s, KL_PKI_BOOTSTRAP_ID_LEN);
        ret->id[KL_PKI_BOOTSTRAP_ID_LEN] = '\0';
        memcpy(ret->secret, s + KL_PKI_BOOTSTRAP_ID_LEN + 1, KL_PKI_BOOTSTRAP_SECRET_LEN);
        ret->secret[KL_PKI_BOOTSTRAP_SECRET_LEN] = '\0';
        return 0;
}

char *kl_pki_bootstrap_token_format(const struct kl_pki_bootstrap_token *t,
                                    char buf[KL_PKI_BOOTSTRAP_TOKEN_SIZE])
{
        memcpy(buf, t->id, KL_PKI_BOOTSTRAP_ID_LEN);
        buf[KL_PKI_BOOTSTRAP_ID_LEN] = '.';
        memcpy(buf + KL_PKI_BOOTSTRAP_ID_LEN + 1, t->secret, KL_PKI_BOOTSTRAP_SECRET_LEN);
        buf[KL_PKI_BOOTSTRAP_TOKEN_SIZE - 1] = '\0';
        return buf;
}
