/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The static token file: kube-apiserver's CSV format, read with Go
 * encoding/csv's rules, errors with line numbers, lookups.
 */
#include <criterion/criterion.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/testing.h"

static struct kl_pki_token_file *parse_ok(const char *text)
{
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_token_file *f = NULL;

        cr_assert_eq(kl_pki_token_file_parse(text, strlen(text), "tokens.csv", &f, &err), 0, "%s",
                     kl_err_msg(err));
        return f;
}

static void parse_fails(const char *text, const char *message)
{
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_token_file *f = NULL;

        cr_assert_eq(kl_pki_token_file_parse(text, strlen(text), "tokens.csv", &f, &err), -EINVAL,
                     "%s", text);
        cr_assert_str_eq(kl_err_msg(err), message);
        cr_assert_null(f);
}

static const struct kl_pki_token_user *lookup(const struct kl_pki_token_file *f, const char *token)
{
        return kl_pki_token_file_lookup(f, token, strlen(token));
}

Test(token_file, users_groups_and_lookup)
{
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f =
                parse_ok("31ada4fd-adec-460c-809a-9e56ceb75269,admin,uid-1,\"system:masters,dev\"\n"
                         "token2,bob,uid-2\n"
                         "token3,carol,,ops\n");
        const struct kl_pki_token_user *u;

        cr_assert_eq(kl_pki_token_file_count(f), 3);
        u = lookup(f, "31ada4fd-adec-460c-809a-9e56ceb75269");
        cr_assert_not_null(u);
        cr_assert_str_eq(u->name, "admin");
        cr_assert_str_eq(u->uid, "uid-1");
        cr_assert_str_eq(u->groups[0], "system:masters");
        cr_assert_str_eq(u->groups[1], "dev");
        cr_assert_null(u->groups[2]);
        cr_assert_eq(u->line, 1);

        u = lookup(f, "token2");
        cr_assert_str_eq(u->name, "bob");
        cr_assert_null(u->groups[0]);
        u = lookup(f, "token3");
        cr_assert_str_eq(u->uid, "");
        cr_assert_str_eq(u->groups[0], "ops");
        cr_assert_eq(u->line, 3);

        cr_assert_null(lookup(f, "token"));
        cr_assert_null(lookup(f, "token22"));
        cr_assert_null(lookup(f, ""));
        cr_assert_null(kl_pki_token_file_lookup(f, "token2\0x", 8));
        cr_assert_not_null(kl_pki_token_file_lookup(f, "token2x", 6));
}

Test(token_file, csv_rules)
{
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f =
                parse_ok("\n"
                         "t1,alice,1,\"a,,b,\",extra,columns\r\n"
                         "\r\n"
                         "\"t,2\",\"bob \"\"the\"\" builder\",2\n"
                         "\"t\n3\",\"multi\nline\",3,\"g1\r\ng2\"\n"
                         ",nobody,4\n"
                         " t5 ,dave,5\n"
                         "t6,eve,6");
        const struct kl_pki_token_user *u;

        /* The record with an empty token is skipped, as kube-apiserver does. */
        cr_assert_eq(kl_pki_token_file_count(f), 5);
        u = lookup(f, "t1");
        cr_assert_str_eq(u->name, "alice");
        cr_assert_str_eq(u->groups[0], "a");
        cr_assert_str_eq(u->groups[1], "b");
        cr_assert_null(u->groups[2]);
        cr_assert_eq(u->line, 2);
        u = lookup(f, "t,2");
        cr_assert_str_eq(u->name, "bob \"the\" builder");
        cr_assert_eq(u->line, 4);
        u = lookup(f, "t\n3");
        cr_assert_str_eq(u->name, "multi\nline");
        cr_assert_str_eq(u->groups[0], "g1\ng2");
        cr_assert_eq(u->line, 5);
        /* Spaces are data: Go's reader does not trim unless asked to. */
        cr_assert_null(lookup(f, "t5"));
        cr_assert_str_eq(lookup(f, " t5 ")->name, "dave");
        cr_assert_eq(lookup(f, " t5 ")->line, 10);
        cr_assert_eq(lookup(f, "t6")->line, 11);
}

Test(token_file, empty_file)
{
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f = parse_ok("");
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *g = parse_ok("\n\r\n\n");

        cr_assert_eq(kl_pki_token_file_count(f), 0);
        cr_assert_eq(kl_pki_token_file_count(g), 0);
        cr_assert_null(lookup(f, ""));
}

Test(token_file, errors_name_the_line)
{
        parse_fails(
                "a,b,c\nd,e,f\ntoken,user\n",
                "token file 'tokens.csv': line 3: expected at least 3 columns (token, user name, uid), found 2");
        parse_fails(
                "\n\nlonely\n",
                "token file 'tokens.csv': line 3: expected at least 3 columns (token, user name, uid), found 1");
        parse_fails("a,b,c\nto\"ken,u,1\n",
                    "token file 'tokens.csv': line 2: bare \" in a field that is not quoted");
        parse_fails("a,b,c\n\"tok\"en,u,1\n",
                    "token file 'tokens.csv': line 2: extraneous or missing \" in quoted field");
        parse_fails(
                "a,b,c\n\"token,u,1\nmore\n",
                "token file 'tokens.csv': line 2: quoted field not closed (extraneous or missing \" in quoted field)");
        parse_fails("a,b,c\n\"multi\nline\",u,1\nsecret,,1\n",
                    "token file 'tokens.csv': line 4: empty user name");
        parse_fails("a,b,c\nsecret,u,1\nx,y,z\n\nsecret,v,2\n",
                    "token file 'tokens.csv': line 5: duplicate token (first on line 2)");
}

Test(token_file, nul_inside_data_is_refused)
{
        static const char data[] = "ab,u,1\nse\0t,v,2\n";
        static const char quoted[] = "ab,u,1\n\n\"se\0t\",v,2\n";
        kl_autoerr struct kl_err *err = NULL;
        struct kl_pki_token_file *f = NULL;

        cr_assert_eq(kl_pki_token_file_parse(data, sizeof(data) - 1, "x", &f, &err), -EINVAL);
        cr_assert_str_eq(kl_err_msg(err), "token file 'x': line 2: NUL byte");
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_token_file_parse(quoted, sizeof(quoted) - 1, "x", &f, &err), -EINVAL);
        cr_assert_str_eq(kl_err_msg(err), "token file 'x': line 3: NUL byte");
}

Test(token_file, messages_never_contain_tokens)
{
        static const char *const bad[] = {
                "sekrit1,u,1\nsekrit1,v,2\n",
                "sekrit1,u\n",
                "sekrit1,,1\n",
                "\"sekrit1,u,1\n",
                "sek\"rit1,u,1\n",
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++) {
                kl_autoerr struct kl_err *err = NULL;
                struct kl_pki_token_file *f = NULL;

                cr_assert_eq(kl_pki_token_file_parse(bad[i], strlen(bad[i]), "f", &f, &err),
                             -EINVAL);
                cr_assert(!strstr(kl_err_msg(err), "sekrit") && !strstr(kl_err_msg(err), "rit1"),
                          "%s", kl_err_msg(err));
        }
}

Test(token_file, size_limit_and_files)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_test_write_file(dir, "tokens.csv", "tok,user,1,\"g\"\n");
        kl_autofree char *missing = kl_asprintf("%s/none.csv", dir);
        kl_autofree char *big = kl_malloc(KL_PKI_TOKEN_FILE_MAX + 1);
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f = NULL;
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_token_file_load(path, &f, &err), 0, "%s", kl_err_msg(err));
        cr_assert_str_eq(lookup(f, "tok")->groups[0], "g");
        kl_pki_token_file_free(KL_TAKE_PTR(f));

        cr_assert_eq(kl_pki_token_file_load(missing, &f, &err), -ENOENT);
        cr_assert(strstr(kl_err_msg(err), missing));
        kl_err_free(KL_TAKE_PTR(err));

        memset(big, '\n', KL_PKI_TOKEN_FILE_MAX + 1);
        cr_assert_eq(kl_pki_token_file_parse(big, KL_PKI_TOKEN_FILE_MAX + 1, "big", &f, &err),
                     -E2BIG);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_token_file_parse(big, KL_PKI_TOKEN_FILE_MAX, "big", &f, &err), 0);
}

Test(token_file, many_users)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f = NULL;

        for (int i = 0; i < 2000; i++)
                cr_assert_eq(kl_buf_printf(&b, "token-%d,user-%d,%d,\"g%d,all\"\n", i, i, i, i % 7),
                             0);
        cr_assert_eq(kl_pki_token_file_parse(b.buf, b.len, "many", &f, NULL), 0);
        cr_assert_eq(kl_pki_token_file_count(f), 2000);
        cr_assert_str_eq(lookup(f, "token-1234")->name, "user-1234");
        cr_assert_eq(lookup(f, "token-1234")->line, 1235);
        cr_assert_str_eq(lookup(f, "token-1999")->groups[1], "all");
}
