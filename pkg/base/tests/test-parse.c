/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>

#include "base/base.h"

Test(parse, int64)
{
        int64_t v = 0;

        cr_assert_eq(kl_parse_int64("-42", &v), 0);
        cr_assert_eq(v, -42);
        cr_assert_eq(kl_parse_int64("9223372036854775807", &v), 0);
        cr_assert_eq(kl_parse_int64("9223372036854775808", &v), -ERANGE);
        cr_assert_eq(kl_parse_int64("", &v), -EINVAL);
        cr_assert_eq(kl_parse_int64(" 1", &v), -EINVAL);
        cr_assert_eq(kl_parse_int64("1 ", &v), -EINVAL);
        cr_assert_eq(kl_parse_int64("12abc", &v), -EINVAL);
        cr_assert_eq(kl_parse_int64(NULL, &v), -EINVAL);
}

Test(parse, unsigned_refuses_sign)
{
        uint64_t u = 0;
        unsigned x = 0;

        cr_assert_eq(kl_parse_uint64("-1", &u), -EINVAL);
        cr_assert_eq(kl_parse_uint64("+1", &u), -EINVAL);
        cr_assert_eq(kl_parse_uint64("18446744073709551615", &u), 0);
        cr_assert_eq(u, UINT64_MAX);
        cr_assert_eq(kl_parse_uint("4294967296", &x), -ERANGE);
}

Test(parse, port_pid_mode)
{
        uint16_t port = 0;
        pid_t pid = 0;
        unsigned mode = 0;

        cr_assert_eq(kl_parse_port("6443", &port), 0);
        cr_assert_eq(port, 6443);
        cr_assert_eq(kl_parse_port("0", &port), -ERANGE);
        cr_assert_eq(kl_parse_port("65536", &port), -ERANGE);
        cr_assert_eq(kl_parse_pid("1", &pid), 0);
        cr_assert_eq(kl_parse_pid("0", &pid), -ERANGE);
        cr_assert_eq(kl_parse_mode("0644", &mode), 0);
        cr_assert_eq(mode, 0644);
        cr_assert_eq(kl_parse_mode("600", &mode), 0);
        cr_assert_eq(mode, 0600);
        cr_assert_eq(kl_parse_mode("0800", &mode), -EINVAL);
        cr_assert_eq(kl_parse_mode("17777", &mode), -ERANGE);
}

Test(parse, bool_go_forms)
{
        bool b = false;

        cr_assert_eq(kl_parse_bool("true", &b), 0);
        cr_assert(b);
        cr_assert_eq(kl_parse_bool("F", &b), 0);
        cr_assert(!b);
        cr_assert_eq(kl_parse_bool("1", &b), 0);
        cr_assert(b);
        cr_assert_eq(kl_parse_bool("yes", &b), -EINVAL);
        cr_assert_eq(kl_parse_bool("tRUE", &b), -EINVAL);
}

Test(parse, double_strict_decimal)
{
        double d = 0;

        cr_assert_eq(kl_parse_double("1.5", &d), 0);
        cr_assert_eq(d, 1.5);
        cr_assert_eq(kl_parse_double("-2e-3", &d), 0);
        cr_assert_eq(d, -2e-3);
        cr_assert_eq(kl_parse_double("7", &d), 0);
        cr_assert_eq(d, 7);
        cr_assert_eq(kl_parse_double("1e-400", &d), 0); /* underflow reads as 0, as in Go */
        cr_assert_eq(d, 0);
        cr_assert_eq(kl_parse_double("1e400", &d), -ERANGE);
        cr_assert_eq(kl_parse_double("-1e400", &d), -ERANGE);
        cr_assert_eq(kl_parse_double("", &d), -EINVAL);
        cr_assert_eq(kl_parse_double(" 1", &d), -EINVAL);
        cr_assert_eq(kl_parse_double("1 ", &d), -EINVAL);
        cr_assert_eq(kl_parse_double("inf", &d), -EINVAL);
        cr_assert_eq(kl_parse_double("nan", &d), -EINVAL);
        cr_assert_eq(kl_parse_double("0x1p3", &d), -EINVAL);
        cr_assert_eq(kl_parse_double("1e5e5", &d), -EINVAL);
        cr_assert_eq(kl_parse_double(".", &d), -EINVAL);
        cr_assert_eq(kl_parse_double(NULL, &d), -EINVAL);
        cr_assert_eq(d, 0);
}

Test(parse, ipv4_and_cidr)
{
        uint32_t a = 0;
        unsigned p = 0;

        cr_assert_eq(kl_parse_ipv4("10.42.1.2", &a), 0);
        cr_expect_eq(a, 0x0a2a0102u);
        cr_assert_eq(kl_parse_ipv4("255.255.255.255", &a), 0);
        cr_expect_eq(a, 0xffffffffu);
        for (const char *const *bad =
                     (const char *const[]){ "", "10.42.1", "10.42.1.2.3", "010.42.1.2",
                                            "10.42.1.256", " 10.42.1.2", "::1", "1.2.3.4/8", NULL };
             *bad; bad++)
                cr_expect_eq(kl_parse_ipv4(*bad, &a), -EINVAL, "%s", *bad);
        cr_expect_eq(kl_parse_ipv4(NULL, &a), -EINVAL);

        cr_assert_eq(kl_parse_ipv4_cidr("10.42.0.0/16", &a, &p), 0);
        cr_expect_eq(a, 0x0a2a0000u);
        cr_expect_eq(p, 16);
        /* Host bits are kept: the caller decides. */
        cr_assert_eq(kl_parse_ipv4_cidr("10.96.3.4/12", &a, &p), 0);
        cr_expect_eq(a, 0x0a600304u);
        cr_expect_eq(a & kl_ipv4_mask(p), 0x0a600000u);
        cr_assert_eq(kl_parse_ipv4_cidr("0.0.0.0/0", &a, &p), 0);
        cr_expect_eq(kl_ipv4_mask(p), 0);
        cr_expect_eq(kl_ipv4_mask(32), 0xffffffffu);
        cr_expect_eq(kl_ipv4_mask(24), 0xffffff00u);
        for (const char *const *bad =
                     (const char *const[]){ "10.42.0.0", "10.42.0.0/", "10.42.0.0/33",
                                            "10.42.0.0/016", "10.42.0.0/-1", "10.42.0/16",
                                            "10.42.0.0/16 ",
                                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/8", NULL };
             *bad; bad++)
                cr_expect_eq(kl_parse_ipv4_cidr(*bad, &a, &p), -EINVAL, "%s", *bad);
}
