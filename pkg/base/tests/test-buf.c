/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "base/base.h"

Test(buf, empty_is_valid_string)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        cr_assert_not_null(b.buf);
        cr_assert_str_eq(b.buf, "");
        cr_assert_eq(b.len, 0);
}

Test(buf, append_printf_and_embedded_nul)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_buf_puts(&b, "hello"), 0);
        cr_assert_eq(kl_buf_append(&b, "\0x", 2), 0);
        cr_assert_eq(kl_buf_printf(&b, "%d-%s", 42, "y"), 0);
        cr_assert_eq(b.len, 11);
        /* NOLINTNEXTLINE(bugprone-string-literal-with-embedded-nul): that is the point. */
        cr_assert_eq(memcmp(b.buf, "hello\0x42-y", 11), 0);
        cr_assert_eq(b.buf[b.len], '\0');
}

Test(buf, printf_grows_past_first_guess)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        char big[5000];

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        cr_assert_eq(kl_buf_putc(&b, '<'), 0);
        cr_assert_eq(kl_buf_printf(&b, "%s>", big), 0);
        cr_assert_eq(b.len, sizeof(big) + 1);
        cr_assert_eq(b.buf[b.len - 1], '>');
}

Test(buf, limit_refuses_and_keeps_contents)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT_MAX(8);

        cr_assert_eq(kl_buf_puts(&b, "12345678"), 0);
        cr_assert_eq(kl_buf_putc(&b, '9'), -E2BIG);
        cr_assert_str_eq(b.buf, "12345678");
        kl_buf_reset(&b);
        cr_assert_eq(kl_buf_printf(&b, "%s", "123456789"), -E2BIG);
        cr_assert_eq(b.len, 0);
        cr_assert_str_eq(b.buf, "");
}

Test(buf, limit_with_existing_room)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT_MAX(100);

        cr_assert_eq(kl_buf_grow(&b, 90), 0);
        cr_assert_eq(kl_buf_puts(&b, "abc"), 0);
        cr_assert_eq(kl_buf_printf(&b, "%s", "abcdef"), 0);
        kl_buf_release(&b);

        /* Fits in the allocation but not under the limit. */
        kl_buf_init(&b, 4);
        cr_assert_eq(kl_buf_grow(&b, 4), 0);
        cr_assert_eq(kl_buf_printf(&b, "%s", "abcdef"), -E2BIG);
        cr_assert_str_eq(b.buf, "");
}

Test(buf, detach_leaves_empty_buffer)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        kl_autofree char *s = NULL, *e = NULL;
        size_t len = 0;

        (void)kl_buf_puts(&b, "abc");
        s = kl_buf_detach(&b, &len);
        cr_assert_str_eq(s, "abc");
        cr_assert_eq(len, 3);
        cr_assert_eq(b.len, 0);
        e = kl_buf_detach(&b, NULL);
        cr_assert_str_eq(e, "");
}
