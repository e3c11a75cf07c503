/* SPDX-License-Identifier: Apache-2.0 */
/*
 * K10 join tokens and bootstrap tokens.
 */
#include <criterion/criterion.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/testing.h"

#define HASH  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HASH2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void parse_ok(const char *s, const char *hash, const char *user, const char *password)
{
        kl_autotoken struct kl_pki_token t = { .ca_hash = "" };
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_token_parse(s, &t, &err), 0, "'%s': %s", s, kl_err_msg(err));
        cr_assert_str_eq(t.ca_hash, hash, "'%s'", s);
        if (user)
                cr_assert_str_eq(t.username, user, "'%s'", s);
        else
                cr_assert_null(t.username, "'%s'", s);
        cr_assert_str_eq(t.password, password, "'%s'", s);
}

/* Fails with -EINVAL, says `needle`, and never repeats the secret part `secret`. */
static void parse_fails(const char *s, const char *needle, const char *secret)
{
        struct kl_pki_token t = { .ca_hash = "" };
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_token_parse(s, &t, &err), -EINVAL, "'%s'", s);
        cr_assert(strstr(kl_err_msg(err), needle), "'%s': '%s' not in '%s'", s, needle,
                  kl_err_msg(err));
        if (secret)
                cr_assert(!strstr(kl_err_msg(err), secret), "secret in message: %s",
                          kl_err_msg(err));
        cr_assert_null(t.password);
}

Test(token, valid_forms)
{
        parse_ok("K10" HASH "::server:s3cret", HASH, "server", "s3cret");
        parse_ok("K10" HASH "::node:pa:ss::word", HASH, "node", "pa:ss::word");
        parse_ok("K10" HASH "::abcdef.0123456789abcdef", HASH, NULL, "abcdef.0123456789abcdef");
        parse_ok("K10"
                 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789ABCDEF::u:p",
                 HASH, "u", "p");
        /* k3s accepts an empty hash: a secure-looking token that pins nothing. */
        parse_ok("K10::u:p", "", "u", "p");
        parse_ok("user:password", "", "user", "password");
        parse_ok("justapassword", "", NULL, "justapassword");
        /* "K10" alone does not make the secure form. */
        parse_ok("K10abc", "", NULL, "K10abc");
        parse_ok("K10abc:def", "", "K10abc", "def");
}

Test(token, invalid_forms)
{
        char long_token[KL_PKI_TOKEN_MAX + 2];

        parse_fails("", "empty", NULL);
        parse_fails("pass word", "byte 5", "word");
        parse_fails("password\n", "byte 9", "password");
        parse_fails("p\xc3\xa4ss", "byte 2", "ss");
        parse_fails(":secretpw", "empty username", "secretpw");
        parse_fails("user:", "empty password", NULL);
        parse_fails("K10" HASH "::", "empty password", NULL);
        parse_fails("K10" HASH "::u:", "empty password", NULL);
        parse_fails("K10" HASH "::"
                    ":secretpw",
                    "empty username", "secretpw");
        parse_fails("K10abc::u:secretpw", "64 hex digits", "secretpw");
        parse_fails("K10" HASH "0::u:secretpw", "found 65 characters", "secretpw");
        parse_fails("K10"
                    "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef::u:secretpw",
                    "64 hex digits", "secretpw");
        memset(long_token, 'a', sizeof(long_token) - 1);
        long_token[sizeof(long_token) - 1] = '\0';
        parse_fails(long_token, "longer than", NULL);
        long_token[KL_PKI_TOKEN_MAX] = '\0';
        parse_ok(long_token, "", NULL, long_token);
}

static char *format_ok(const char *hash, const char *user, const char *password)
{
        struct kl_pki_token t = { .ca_hash = "" };
        kl_autoerr struct kl_err *err = NULL;
        char *s = NULL;

        if (hash)
                memcpy(t.ca_hash, hash, strlen(hash) + 1);
        t.username = (char *)user;
        t.password = (char *)password;
        cr_assert_eq(kl_pki_token_format(&t, &s, &err), 0, "%s", kl_err_msg(err));
        return s;
}

static void format_fails(const char *hash, const char *user, const char *password)
{
        struct kl_pki_token t = { .ca_hash = "" };
        kl_autoerr struct kl_err *err = NULL;
        char *s = NULL;

        if (hash)
                memcpy(t.ca_hash, hash, strlen(hash) + 1);
        t.username = (char *)user;
        t.password = (char *)password;
        cr_assert_eq(kl_pki_token_format(&t, &s, &err), -EINVAL, "%s/%s", user, password);
        cr_assert_null(s);
        if (password && *password)
                cr_assert(!strstr(kl_err_msg(err), password), "%s", kl_err_msg(err));
}

Test(token, format_round_trips)
{
        kl_autosecret char *a = format_ok(HASH, "server", "s3cret");
        kl_autosecret char *b = format_ok(HASH, NULL, "abcdef.0123456789abcdef");
        kl_autosecret char *c = format_ok(NULL, "u", "p:q");
        kl_autosecret char *d = format_ok(NULL, NULL, "K10isfine");
        kl_autosecret char *e = format_ok(
                "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", "u", "p");

        cr_assert_str_eq(a, "K10" HASH "::server:s3cret");
        cr_assert_str_eq(b, "K10" HASH "::abcdef.0123456789abcdef");
        cr_assert_str_eq(c, "u:p:q");
        cr_assert_str_eq(d, "K10isfine");
        cr_assert_str_eq(e, "K10" HASH "::u:p");
        parse_ok(a, HASH, "server", "s3cret");

        /* An empty-hash token whose username holds "::" after "K10" keeps its "K10::" form. */
        {
                kl_autotoken struct kl_pki_token t = { .ca_hash = "" };
                kl_autosecret char *f = NULL;

                parse_ok("K10::K10abc::u:p", "", "K10abc", ":u:p");
                cr_assert_eq(kl_pki_token_parse("K10::K10abc::u:p", &t, NULL), 0);
                cr_assert_eq(kl_pki_token_format(&t, &f, NULL), 0);
                cr_assert_str_eq(f, "K10::K10abc::u:p");
        }

        format_fails(NULL, NULL, "");
        format_fails(NULL, NULL, NULL);
        format_fails(NULL, "us:er", "secretpw");
        format_fails(NULL, NULL, "user:secretpw");
        format_fails(NULL, NULL, "K10::secretpw");
        format_fails(NULL, "u", "sec ret");
        format_fails("abc", "u", "secretpw");
        format_fails(NULL, "", "secretpw");
}

Test(token, ca_hash_check)
{
        kl_autotoken struct kl_pki_token secure = { .ca_hash = "" };
        kl_autotoken struct kl_pki_token shorty = { .ca_hash = "" };
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_token_parse("K10" HASH "::node:secretpw", &secure, NULL), 0);
        cr_assert_eq(kl_pki_token_parse("secretpw", &shorty, NULL), 0);

        cr_assert_eq(kl_pki_token_check_ca(&secure, HASH, &err), 1);
        cr_assert_eq(kl_pki_token_check_ca(
                             &secure,
                             "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
                             &err),
                     1);
        cr_assert_eq(kl_pki_token_check_ca(&shorty, HASH, &err), 0);

        cr_assert_eq(kl_pki_token_check_ca(&secure, HASH2, &err), -EPERM);
        /* Both hashes in the message, so the operator sees what differs; never the password. */
        cr_assert(strstr(kl_err_msg(err), HASH), "%s", kl_err_msg(err));
        cr_assert(strstr(kl_err_msg(err), HASH2), "%s", kl_err_msg(err));
        cr_assert(!strstr(kl_err_msg(err), "secretpw"));
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_token_check_ca(&secure, "nothex", &err), -EINVAL);
}

Test(token, ca_hash_of_a_real_ca)
{
        struct kl_pki_ca *ca = NULL, *other = NULL;
        char hash[KL_PKI_SHA256_HEX_SIZE], other_hash[KL_PKI_SHA256_HEX_SIZE];
        kl_autotoken struct kl_pki_token t = { .ca_hash = "" };
        kl_autosecret char *text = NULL;

        cr_assert_eq(kl_pki_ca_new("ca", KL_PKI_KEY_ECDSA_P256, &ca, NULL), 0);
        cr_assert_eq(kl_pki_ca_new("ca", KL_PKI_KEY_ECDSA_P256, &other, NULL), 0);
        cr_assert_eq(kl_pki_cert_hash(kl_pki_ca_cert(ca), hash, NULL), 0);
        cr_assert_eq(kl_pki_cert_hash(kl_pki_ca_cert(other), other_hash, NULL), 0);
        text = format_ok(hash, "node", "pw");
        cr_assert_eq(kl_pki_token_parse(text, &t, NULL), 0);
        cr_assert_eq(kl_pki_token_check_ca(&t, hash, NULL), 1);
        cr_assert_eq(kl_pki_token_check_ca(&t, other_hash, NULL), -EPERM);
        kl_pki_ca_free(ca);
        kl_pki_ca_free(other);
}

static bool bootstrap_shape(const char *s)
{
        if (strlen(s) != 23 || s[6] != '.')
                return false;
        for (size_t i = 0; i < 23; i++)
                if (i != 6 && !strchr("abcdefghijklmnopqrstuvwxyz0123456789", s[i]))
                        return false;
        return true;
}

Test(bootstrap, generate_format_parse)
{
        char seen[64][KL_PKI_BOOTSTRAP_TOKEN_SIZE];
        unsigned counts[36] = { 0 };

        for (size_t i = 0; i < KL_ARRAY_SIZE(seen); i++) {
                struct kl_pki_bootstrap_token t, back;

                cr_assert_eq(kl_pki_bootstrap_token_generate(&t, NULL), 0);
                cr_assert_eq(strlen(t.id), 6);
                cr_assert_eq(strlen(t.secret), 16);
                kl_pki_bootstrap_token_format(&t, seen[i]);
                cr_assert(bootstrap_shape(seen[i]), "%s", seen[i]);
                cr_assert_eq(kl_pki_bootstrap_token_parse(seen[i], &back, NULL), 0);
                cr_assert_str_eq(back.id, t.id);
                cr_assert_str_eq(back.secret, t.secret);
                for (size_t k = 0; k < i; k++)
                        cr_assert_str_neq(seen[i], seen[k]);
                for (const char *p = seen[i]; *p; p++)
                        if (*p != '.')
                                counts[*p >= 'a' ? *p - 'a' : *p - '0' + 26]++;
        }
        /* 64 * 22 = 1408 draws over 36 symbols: each about 39 times; all appear. */
        for (size_t i = 0; i < 36; i++)
                cr_assert(counts[i] > 0, "symbol %zu never drawn", i);
}

Test(bootstrap, parse_rejects)
{
        static const char *const bad[] = {
                "",
                "abcdef",
                "abcdef.",
                "abcdef.0123456789abcde",
                "abcdef.0123456789abcdef0",
                "abcdefg.0123456789abcde",
                "ABCDEF.0123456789abcdef",
                "abcdef.0123456789ABCDEF",
                "abcdef-0123456789abcdef",
                "abcde.f0123456789abcdef",
                "abc_ef.0123456789abcdef",
                "abcdef.0123456789abcde\n",
        };
        struct kl_pki_bootstrap_token t;

        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++) {
                kl_autoerr struct kl_err *err = NULL;

                cr_assert_eq(kl_pki_bootstrap_token_parse(bad[i], &t, &err), -EINVAL, "'%s'",
                             bad[i]);
                cr_assert(!strstr(kl_err_msg(err), "0123456789"), "%s", kl_err_msg(err));
        }
        cr_assert_eq(kl_pki_bootstrap_token_parse("07401b.f395accd246ae52d", &t, NULL), 0);
        cr_assert_str_eq(t.id, "07401b");
        cr_assert_str_eq(t.secret, "f395accd246ae52d");
}

Test(bootstrap, as_k10_credentials)
{
        kl_autotoken struct kl_pki_token t = { .ca_hash = "" };
        struct kl_pki_bootstrap_token b;

        cr_assert_eq(kl_pki_token_parse("K10" HASH "::07401b.f395accd246ae52d", &t, NULL), 0);
        cr_assert_null(t.username);
        cr_assert_eq(kl_pki_bootstrap_token_parse(t.password, &b, NULL), 0);
        cr_assert_str_eq(b.id, "07401b");
}
