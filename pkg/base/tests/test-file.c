/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "testing/testing.h"

Test(file, atomic_write_then_read)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_asprintf("%s/a/b/c.txt", dir);
        kl_autofree char *text = NULL;
        struct stat st;
        size_t len = 0;

        cr_assert_eq(kl_write_file_atomic(path, "one", 3, 0600, 0), -ENOENT);
        cr_assert_eq(kl_write_file_atomic(path, "one", 3, 0600, KL_WRITE_FILE_MKDIR), 0);
        cr_assert_eq(kl_write_file_atomic(path, "two!", 4, 0640, 0), 0);
        cr_assert_eq(kl_read_file(path, 100, &text, &len), 0);
        cr_assert_str_eq(text, "two!");
        cr_assert_eq(len, 4);
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0640);
}

Test(file, read_is_bounded)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_test_write_file(dir, "f", "0123456789");
        kl_autofree char *text = NULL;

        cr_assert_eq(kl_read_file(path, 9, &text, NULL), -E2BIG);
        cr_assert_null(text);
        cr_assert_eq(kl_read_file(path, 10, &text, NULL), 0);
        cr_assert_str_eq(text, "0123456789");
}

Test(file, read_missing)
{
        char *text = NULL;

        cr_assert_eq(kl_read_file("/nonexistent/kube-lite", 10, &text, NULL), -ENOENT);
}

Test(file, read_empty_and_large)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *empty = kl_test_write_file(dir, "e", "");
        kl_autofree char *big = kl_asprintf("%s/big", dir);
        kl_autofree char *data = kl_malloc(300000);
        kl_autofree char *text = NULL, *text2 = NULL;
        size_t len = 1;

        cr_assert_eq(kl_read_file(empty, 10, &text, &len), 0);
        cr_assert_eq(len, 0);
        memset(data, 'x', 300000);
        cr_assert_eq(kl_write_file_atomic(big, data, 300000, 0644, 0), 0);
        cr_assert_eq(kl_read_file(big, 300000, &text2, &len), 0);
        cr_assert_eq(len, 300000);
}

Test(file, mkdir_p_existing)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *p = kl_asprintf("%s/x/y/z", dir);

        cr_assert_eq(kl_mkdir_p(p, 0755), 0);
        cr_assert_eq(kl_mkdir_p(p, 0755), 0);
        cr_assert_eq(access(p, F_OK), 0);
}
