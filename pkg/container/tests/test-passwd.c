/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Users and groups from a container's /etc/passwd and /etc/group, against
 * runc's GetExecUser() (libcontainer/user/user_test.go) and containerd's
 * supplementary groups.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "# a comment:x:0:0::/comment:/bin/sh\n"
                             "   bin:x:2:2:bin:/bin:/usr/sbin/nologin   \n"
                             "\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                             "app:x:1000:1000:App,,,:/home/app:/bin/sh\n"
                             "nohome:x:1001:1001\n"
                             "emptyhome:x:1002:1002:::/bin/sh\n"
                             "dup:x:1003:1003::/first:/bin/sh\n"
                             "dup:x:1004:1004::/second:/bin/sh\n"
                             "1234:x:1500:1500::/home/numeric-name:/bin/sh\n"
                             "bad:x:abc:1::/bad:/bin/sh\n"
                             "badgid:x:1600:-1::/bad:/bin/sh\n"
                             "short:x:1100\n"
                             ":x:1200:1200::/noname:/bin/sh\n"
                             "big:x:2147483648:1::/big:/bin/sh\n"
                             "max:x:2147483647:2147483647::/max:/bin/sh\n"
                             "crlf:x:1300:1300::/home/crlf:/bin/sh\r\n"
                             "last:x:1400:1400::/home/last:/bin/sh"; /* no final newline */

static const char group[] = "root:x:0:\n"
                            "daemon:x:1:\n"
                            "bin:x:2:\n"
                            "adm:x:4:app,daemon\n"
                            "# comment:x:5:app\n"
                            "tty:x:5:\n"
                            "wheel:x:10:root,app\n"
                            "audio:x:29:app\n"
                            "app:x:1000:\n"
                            "staff:x:50:app,app\n"
                            "staff2:x:50:app\n"
                            "primary:x:1000:app\n"
                            "users:x:100:dup,nohome,1234\n"
                            "ops:x:1010:approot,xapp,ap,\n"
                            "weird:x:abc:app\n"
                            "  spaced:x:60:app  \n"
                            "nomembers:x:1020\n"
                            "wheel:x:11:app\n";

struct want {
        const char *spec;
        uint32_t uid, gid;
        const char *home;
        uint32_t groups[8];
        size_t n_groups;
};

static void check(const struct want *w, const char *pw, const char *gr)
{
        struct kl_container__user u = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        int r;

        r = kl_container__user_resolve(w->spec, pw, pw ? strlen(pw) : 0, gr, gr ? strlen(gr) : 0,
                                       &u, &e);
        cr_assert_eq(r, 0, "'%s': %s", w->spec ? w->spec : "(null)", kl_err_msg(e));
        cr_expect_eq(u.uid, w->uid, "'%s': uid %u", w->spec, u.uid);
        cr_expect_eq(u.gid, w->gid, "'%s': gid %u", w->spec, u.gid);
        cr_expect_str_eq(u.home, w->home, "'%s'", w->spec);
        cr_expect_eq(u.n_groups, w->n_groups, "'%s': %zu groups", w->spec, u.n_groups);
        for (size_t i = 0; i < u.n_groups && i < w->n_groups; i++)
                cr_expect_eq(u.groups[i], w->groups[i], "'%s': group %zu is %u", w->spec, i,
                             u.groups[i]);
        kl_container__user_release(&u);
}

Test(user, resolves_names_numbers_and_mixed_forms)
{
        static const struct want cases[] = {
                /* The default user is root, found by uid: its home and groups. */
                { NULL, 0, 0, "/root", { 10 }, 1 },
                { "", 0, 0, "/root", { 10 }, 1 },
                { "0", 0, 0, "/root", { 10 }, 1 },
                { "root", 0, 0, "/root", { 10 }, 1 },
                /* Groups listing the name, in file order, without duplicates or the primary gid. */
                { "app", 1000, 1000, "/home/app", { 4, 10, 29, 50, 60, 11 }, 6 },
                { "1000", 1000, 1000, "/home/app", { 4, 10, 29, 50, 60, 11 }, 6 },
                { "+1000", 1000, 1000, "/home/app", { 4, 10, 29, 50, 60, 11 }, 6 },
                { "01000", 1000, 1000, "/home/app", { 4, 10, 29, 50, 60, 11 }, 6 },
                /* An explicit group: the first entry of that name or gid. */
                { "app:wheel", 1000, 10, "/home/app", { 4, 29, 50, 1000, 60, 11 }, 6 },
                { "app:5", 1000, 5, "/home/app", { 4, 10, 29, 50, 1000, 60, 11 }, 7 },
                { "app:777", 1000, 777, "/home/app", { 4, 10, 29, 50, 1000, 60, 11 }, 7 },
                { "1000:1000", 1000, 1000, "/home/app", { 4, 10, 29, 50, 60, 11 }, 6 },
                { "app:", 1000, 1000, "/home/app", { 4, 10, 29, 50, 60, 11 }, 6 },
                { "app:wheel:ignored", 1000, 10, "/home/app", { 4, 29, 50, 1000, 60, 11 }, 6 },
                { "app:nomembers", 1000, 1020, "/home/app", { 4, 10, 29, 50, 1000, 60, 11 }, 7 },
                { ":wheel", 0, 10, "/root", { 0 }, 0 },
                /* Numeric ids need no entry: gid 0, home "/", no groups. */
                { "4242", 4242, 0, "/", { 0 }, 0 },
                { "4242:4243", 4242, 4243, "/", { 0 }, 0 },
                { "4242:wheel", 4242, 10, "/", { 0 }, 0 },
                { "2147483647", 2147483647, 2147483647, "/max", { 0 }, 0 },
                { "0:2147483647", 0, 2147483647, "/root", { 10 }, 1 },
                /* A numeric spec is always an id, never a name (runc). */
                { "1234", 1234, 0, "/", { 0 }, 0 },
                { "1500", 1500, 1500, "/home/numeric-name", { 100 }, 1 },
                /* Entries: no home or an empty one is "/"; the first of duplicates wins. */
                { "nohome", 1001, 1001, "/", { 100 }, 1 },
                { "emptyhome", 1002, 1002, "/", { 0 }, 0 },
                { "dup", 1003, 1003, "/first", { 100 }, 1 },
                { "1004", 1004, 1004, "/second", { 100 }, 1 },
                /* Surrounding white space and a CR are not part of the line. */
                { "bin", 2, 2, "/bin", { 0 }, 0 },
                { "crlf", 1300, 1300, "/home/crlf", { 0 }, 0 },
                { "last", 1400, 1400, "/home/last", { 0 }, 0 },
                { "daemon", 1, 1, "/usr/sbin", { 4 }, 1 },
                { "nobody", 65534, 65534, "/nonexistent", { 0 }, 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                check(&cases[i], passwd, group);
}

struct fail {
        const char *spec;
        const char *pw, *gr;
        int code;
        const char *msg;
};

static void check_fail(const struct fail *f)
{
        struct kl_container__user u = { .uid = 77 };
        kl_autoerr struct kl_err *e = NULL;
        int r;

        r = kl_container__user_resolve(f->spec, f->pw, f->pw ? strlen(f->pw) : 0, f->gr,
                                       f->gr ? strlen(f->gr) : 0, &u, &e);
        cr_assert_eq(r, f->code, "'%s': %d (%s)", f->spec, r, kl_err_msg(e));
        cr_assert_not_null(e);
        cr_expect_eq(e->code, -f->code);
        cr_expect_str_eq(kl_err_msg(e), f->msg, "'%s'", f->spec);
        cr_expect_eq(u.uid, 77, "output written on failure");
        cr_expect_null(u.home);
}

Test(user, missing_entries_and_ranges_are_errors_with_runc_texts)
{
        static const struct fail cases[] = {
                { "nosuch", passwd, group, -ENOENT,
                  "unable to find user nosuch: no matching entries in passwd file" },
                { "app:nosuch", passwd, group, -ENOENT,
                  "unable to find group nosuch: no matching entries in group file" },
                { "nosuch:wheel", passwd, group, -ENOENT,
                  "unable to find user nosuch: no matching entries in passwd file" },
                { "4242:nosuch", passwd, group, -ENOENT,
                  "unable to find group nosuch: no matching entries in group file" },
                /* Comments and malformed lines are no entries. */
                { "# a comment", passwd, group, -ENOENT,
                  "unable to find user # a comment: no matching entries in passwd file" },
                { "bad", passwd, group, -ENOENT,
                  "unable to find user bad: no matching entries in passwd file" },
                { "badgid", passwd, group, -ENOENT,
                  "unable to find user badgid: no matching entries in passwd file" },
                { "short", passwd, group, -ENOENT,
                  "unable to find user short: no matching entries in passwd file" },
                { "big", passwd, group, -ENOENT,
                  "unable to find user big: no matching entries in passwd file" },
                { "app:weird", passwd, group, -ENOENT,
                  "unable to find group weird: no matching entries in group file" },
                { "app:# comment", passwd, group, -ENOENT,
                  "unable to find group # comment: no matching entries in group file" },
                /* Names are matched exactly. */
                { "App", passwd, group, -ENOENT,
                  "unable to find user App: no matching entries in passwd file" },
                { "ap", passwd, group, -ENOENT,
                  "unable to find user ap: no matching entries in passwd file" },
                /* Numbers out of runc's range; a number too big for Atoi is a name. */
                { "-1", passwd, group, -ERANGE, "uids and gids must be in range 0-2147483647" },
                { "2147483648", passwd, group, -ERANGE,
                  "uids and gids must be in range 0-2147483647" },
                { "app:-5", passwd, group, -ERANGE, "uids and gids must be in range 0-2147483647" },
                { "0:4294967296", passwd, group, -ERANGE,
                  "uids and gids must be in range 0-2147483647" },
                { "99999999999999999999", passwd, group, -ENOENT,
                  "unable to find user 99999999999999999999: no matching entries in passwd file" },
                /* Absent or empty files. */
                { "app", NULL, group, -ENOENT,
                  "unable to find user app: no matching entries in passwd file" },
                { "app", "", group, -ENOENT,
                  "unable to find user app: no matching entries in passwd file" },
                { "0:wheel", passwd, NULL, -ENOENT,
                  "unable to find group wheel: no matching entries in group file" },
                { "0:wheel", passwd, "", -ENOENT,
                  "unable to find group wheel: no matching entries in group file" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                check_fail(&cases[i]);
}

Test(user, absent_or_empty_files)
{
        static const struct want cases[] = {
                { NULL, 0, 0, "/", { 0 }, 0 },
                { "0", 0, 0, "/", { 0 }, 0 },
                { "1000", 1000, 0, "/", { 0 }, 0 },
                { "1000:50", 1000, 50, "/", { 0 }, 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                check(&cases[i], NULL, NULL);
                check(&cases[i], "", "");
                check(&cases[i], "# only a comment\n\n", "# only a comment\n");
        }
        /* A passwd entry without a group file: no supplementary groups. */
        check(&(struct want){ "app", 1000, 1000, "/home/app", { 0 }, 0 }, passwd, NULL);
}

/* A line of `len` bytes: an entry padded in its gecos field. */
static char *long_entry(const char *name, size_t len)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        size_t head;

        kl_assert(kl_buf_printf(&b, "%s:x:3000:3000:", name) == 0);
        head = b.len;
        for (size_t i = head; i + strlen(":/home/long:/bin/sh") < len; i++)
                kl_assert(kl_buf_putc(&b, 'g') == 0);
        kl_assert(kl_buf_puts(&b, ":/home/long:/bin/sh") == 0);
        kl_assert(b.len == len);
        return kl_buf_detach(&b, NULL);
}

Test(user, long_lines)
{
        kl_autofree char *ok_line = long_entry("long", 64 << 10);
        kl_autofree char *bad_line = long_entry("long", (64 << 10) + 1);
        kl_autofree char *pw_ok = kl_asprintf("%s\n%s\n", passwd, ok_line);
        kl_autofree char *pw_bad = kl_asprintf("%s\n%s\n", bad_line, passwd);
        kl_autofree char *gr_bad = kl_asprintf("%s%s\n", group, bad_line);
        kl_autofree char *gr_bad_first = kl_asprintf("%s\n%s", bad_line, group);

        check(&(struct want){ "long", 3000, 3000, "/home/long", { 0 }, 0 }, pw_ok, group);
        check_fail(&(struct fail){
                "long", pw_bad, group, -E2BIG,
                "unable to find user long: line 1 of passwd file is longer than 65536 bytes" });
        /* runc reads the whole file, so a numeric id fails alike. */
        check_fail(&(struct fail){
                "1000", pw_bad, group, -E2BIG,
                "unable to find user 1000: line 1 of passwd file is longer than 65536 bytes" });
        check_fail(&(struct fail){
                "app", passwd, gr_bad, -E2BIG,
                "unable to find groups for spec app: line 19 of group file is longer than 65536 bytes" });
        check_fail(&(struct fail){
                "0:wheel", passwd, gr_bad_first, -E2BIG,
                "unable to find group wheel: line 1 of group file is longer than 65536 bytes" });
        /* Without a passwd entry, the group file is not read for members. */
        check(&(struct want){ "4242", 4242, 0, "/", { 0 }, 0 }, passwd, gr_bad);
}

Test(user, only_the_first_mebibyte_counts)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        const char *inside = "inside:x:3001:3001::/inside:/bin/sh\n";
        const char *cut = "straddles:x:3002:3002::/cut:/bin/sh\n";
        const char *beyond = "beyond:x:3003:3003::/beyond:/bin/sh\n";
        kl_autofree char *text = NULL;
        size_t len;

        cr_assert_eq(kl_buf_puts(&b, inside), 0);
        while (b.len + 80 < (1 << 20))
                cr_assert_eq(
                        kl_buf_puts(&b, "# filler filler filler filler filler filler filler\n"), 0);
        while (b.len < (1 << 20) - 10)
                cr_assert_eq(kl_buf_putc(&b, '\n'), 0);
        cr_assert_eq(kl_buf_puts(&b, cut), 0);
        cr_assert_eq(kl_buf_puts(&b, beyond), 0);
        text = kl_buf_detach(&b, &len);

        check(&(struct want){ "inside", 3001, 3001, "/inside", { 0 }, 0 }, text, NULL);
        check_fail(&(struct fail){
                "straddles", text, NULL, -ENOENT,
                "unable to find user straddles: no matching entries in passwd file" });
        check_fail(
                &(struct fail){ "beyond", text, NULL, -ENOENT,
                                "unable to find user beyond: no matching entries in passwd file" });
        /* The caller's length is what counts, not a NUL. */
        {
                struct kl_container__user u = { 0 };

                cr_assert_eq(kl_container__user_resolve("inside", text, 10, NULL, 0, &u, NULL),
                             -ENOENT);
        }
}

Test(user, embedded_nul_bytes_do_not_match_shorter_names)
{
        static const char pw[] = "ro\0t:x:5:5::/nul:/bin/sh\nroot:x:0:0::/root:/bin/sh\n";
        struct kl_container__user u = { 0 };

        cr_assert_eq(kl_container__user_resolve("ro", pw, sizeof(pw) - 1, NULL, 0, &u, NULL),
                     -ENOENT);
        cr_assert_eq(kl_container__user_resolve("root", pw, sizeof(pw) - 1, NULL, 0, &u, NULL), 0);
        cr_expect_eq(u.uid, 0);
        cr_expect_str_eq(u.home, "/root");
        kl_container__user_release(&u);
        kl_container__user_release(&u);
        kl_container__user_release(NULL);
}

Test(user, many_groups)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        struct kl_container__user u = { 0 };

        for (unsigned i = 0; i < 3000; i++)
                cr_assert_eq(kl_buf_printf(&b, "g%u:x:%u:other,app\ng%ub:x:%u:app\n", i, 2000 + i,
                                           i, 2000 + i),
                             0);
        cr_assert_eq(
                kl_container__user_resolve("app", passwd, strlen(passwd), b.buf, b.len, &u, NULL),
                0);
        cr_assert_eq(u.n_groups, 3000);
        for (unsigned i = 0; i < 3000; i++)
                cr_expect_eq(u.groups[i], 2000 + i);
        kl_container__user_release(&u);
}
