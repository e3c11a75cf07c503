/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Most expectations are Go's own (time_test.go: parseDurationTests,
 * parseDurationErrorTests, durationTests), so a difference from Go shows up
 * as a failing row.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

#define NS   INT64_C(1)
#define US   (1000 * NS)
#define MS   (1000 * US)
#define SEC  (1000 * MS)
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)

Test(duration, parse_go_table)
{
        static const struct {
                const char *in;
                int64_t ns;
        } cases[] = {
                /* The brief's examples. */
                { "1h30m", HOUR + 30 * MIN },
                { "10s", 10 * SEC },
                { "1.5h", HOUR + 30 * MIN },
                { "300ms", 300 * MS },
                { "2h45m0.5s", 2 * HOUR + 45 * MIN + 500 * MS },
                { "1us", US },
                { "1\u00b5s", US },
                { "1\u03bcs", US },
                { "-1m", -MIN },
                { "0", 0 },
                /* Go's parseDurationTests. */
                { "5s", 5 * SEC },
                { "30s", 30 * SEC },
                { "1478s", 1478 * SEC },
                { "-5s", -5 * SEC },
                { "+5s", 5 * SEC },
                { "-0", 0 },
                { "+0", 0 },
                { "5.0s", 5 * SEC },
                { "5.6s", 5 * SEC + 600 * MS },
                { "5.s", 5 * SEC },
                { ".5s", 500 * MS },
                { "1.0s", SEC },
                { "1.00s", SEC },
                { "1.004s", SEC + 4 * MS },
                { "1.0040s", SEC + 4 * MS },
                { "100.00100s", 100 * SEC + MS },
                { "10ns", 10 * NS },
                { "11us", 11 * US },
                { "12\u00b5s", 12 * US },
                { "12\u03bcs", 12 * US },
                { "13ms", 13 * MS },
                { "14s", 14 * SEC },
                { "15m", 15 * MIN },
                { "16h", 16 * HOUR },
                { "3h30m", 3 * HOUR + 30 * MIN },
                { "10.5s4m", 4 * MIN + 10 * SEC + 500 * MS },
                { "-2m3.4s", -(2 * MIN + 3 * SEC + 400 * MS) },
                { "1h2m3s4ms5us6ns", HOUR + 2 * MIN + 3 * SEC + 4 * MS + 5 * US + 6 * NS },
                { "39h9m14.425s", 39 * HOUR + 9 * MIN + 14 * SEC + 425 * MS },
                { "52763797000ns", 52763797000 * NS },
                { "0.3333333333333333333h", 20 * MIN },
                { "9007199254740993ns", (INT64_C(1) << 53) + 1 },
                { "9223372036854775807ns", INT64_MAX },
                { "9223372036854775.807us", INT64_MAX },
                { "9223372036s854ms775us807ns", INT64_MAX },
                { "-9223372036854775808ns", INT64_MIN },
                { "-9223372036854775.808us", INT64_MIN },
                { "-2562047h47m16.854775808s", INT64_MIN },
                { "0.100000000000000000000h", 6 * MIN },
                { "0.830103483285477580700h", 49 * MIN + 48 * SEC + 372539827 * NS },
                /* Go truncates fractions of a nanosecond and repeats units without complaint. */
                { "0.5ns", 0 },
                { "1.9ns", 1 },
                { "1h1h", 2 * HOUR },
                { "1h.5m", HOUR + 30 * SEC },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autoerr struct kl_err *e = NULL;
                int64_t ns = 0;
                int r = kl_duration_parse_ns(cases[i].in, &ns, &e);

                cr_expect_eq(r, 0, "'%s': %d %s", cases[i].in, r, kl_err_msg(e));
                cr_expect_eq(ns, cases[i].ns, "'%s': want %lld, got %lld", cases[i].in,
                             (long long)cases[i].ns, (long long)ns);
        }
}

Test(duration, malformed_inputs_quote_the_input)
{
        static const struct {
                const char *in;
                int r;
                const char *msg;
        } cases[] = {
                { "", -EINVAL, "invalid duration '': empty string" },
                { "1", -EINVAL, "invalid duration '1': missing unit after '1'" },
                { "3", -EINVAL, "invalid duration '3': missing unit after '3'" },
                { "1h30", -EINVAL, "invalid duration '1h30': missing unit after '30'" },
                { "00", -EINVAL, "invalid duration '00': missing unit after '00'" },
                { "h", -EINVAL, "invalid duration 'h': expected a number at 'h'" },
                { "s", -EINVAL, "invalid duration 's': expected a number at 's'" },
                { "-", -EINVAL, "invalid duration '-': expected a number after the sign" },
                { ".", -EINVAL, "invalid duration '.': expected a number at '.'" },
                { "-.", -EINVAL, "invalid duration '-.': expected a number at '.'" },
                { ".s", -EINVAL, "invalid duration '.s': expected a number at '.s'" },
                { "+.s", -EINVAL, "invalid duration '+.s': expected a number at '.s'" },
                { " 1s", -EINVAL, "invalid duration ' 1s': expected a number at ' 1s'" },
                { "1x", -EINVAL,
                  "invalid duration '1x': unknown unit 'x' (expected ns, us, ms, s, m or h)" },
                { "1d", -EINVAL, "invalid duration '1d': unknown unit 'd' (" },
                { "1h 30m", -EINVAL, "invalid duration '1h 30m': unknown unit 'h ' (" },
                { "1s ", -EINVAL, "invalid duration '1s ': unknown unit 's ' (" },
                { "1H", -EINVAL, "invalid duration '1H': unknown unit 'H' (" },
                { "\x85\x85", -EINVAL,
                  "invalid duration '\\x85\\x85': expected a number at '\\x85\\x85'" },
                { "1\xff", -EINVAL, "invalid duration '1\\xff': unknown unit '\\xff' (" },
                { "9223372036854775808ns", -ERANGE,
                  "invalid duration '9223372036854775808ns': out of range" },
                { "9223372036854775.808us", -ERANGE, "invalid duration '9223372036854775.808us'" },
                { "9223372036854ms775us808ns", -ERANGE,
                  "invalid duration '9223372036854ms775us808ns': out of range" },
                { "-9223372036854775809ns", -ERANGE, "invalid duration '-9223372036854775809ns'" },
                { "2562048h", -ERANGE, "invalid duration '2562048h': out of range" },
                { "100000000000000000000h", -ERANGE, "invalid duration '100000000000000000000h'" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autoerr struct kl_err *e = NULL;
                int64_t ns = 42, usec = 42;
                int r = kl_duration_parse_ns(cases[i].in, &ns, &e);

                cr_expect_eq(r, cases[i].r, "'%s': want %d, got %d", cases[i].in, cases[i].r, r);
                cr_assert_not_null(e, "'%s': no message", cases[i].in);
                cr_expect(strncmp(e->msg, cases[i].msg, strlen(cases[i].msg)) == 0,
                          "'%s': message\n  %s\nwant prefix\n  %s", cases[i].in, e->msg,
                          cases[i].msg);
                cr_expect_eq(ns, 42, "written on failure");
                cr_expect_eq(kl_duration_parse(cases[i].in, &usec, NULL), cases[i].r);
                cr_expect_eq(usec, 42, "written on failure");
        }
        cr_expect_eq(kl_duration_parse_ns(NULL, &(int64_t){ 0 }, NULL), -EINVAL);
}

Test(duration, microseconds_round_away_from_zero)
{
        static const struct {
                const char *in;
                int64_t usec;
        } cases[] = {
                { "0", 0 },
                { "1ns", 1 },
                { "999ns", 1 },
                { "1000ns", 1 },
                { "1001ns", 2 },
                { "1500ns", 2 },
                { "-1ns", -1 },
                { "-1500ns", -2 },
                { "1.5s", 1500000 },
                { "1h30m", 5400000000 },
                { "-1m", -60000000 },
                { "9223372036854775807ns", 9223372036854776 },
                { "-9223372036854775808ns", -9223372036854776 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                int64_t usec = 0;

                cr_expect_eq(kl_duration_parse(cases[i].in, &usec, NULL), 0, "%s", cases[i].in);
                cr_expect_eq(usec, cases[i].usec, "'%s': want %lld, got %lld", cases[i].in,
                             (long long)cases[i].usec, (long long)usec);
        }
}

Test(duration, format_go_table)
{
        static const struct {
                int64_t ns;
                const char *out;
        } cases[] = {
                { 0, "0s" },
                { 1 * NS, "1ns" },
                { 1100 * NS, "1.1\u00b5s" },
                { 2200 * US, "2.2ms" },
                { 3300 * MS, "3.3s" },
                { 4 * MIN + 5 * SEC, "4m5s" },
                { 4 * MIN + 5001 * MS, "4m5.001s" },
                { 5 * HOUR + 6 * MIN + 7001 * MS, "5h6m7.001s" },
                { 8 * MIN + 1 * NS, "8m0.000000001s" },
                { INT64_MAX, "2562047h47m16.854775807s" },
                { INT64_MIN, "-2562047h47m16.854775808s" },
                { HOUR + 30 * MIN, "1h30m0s" },
                { HOUR, "1h0m0s" },
                { 10 * SEC, "10s" },
                { 300 * MS, "300ms" },
                { -MIN, "-1m0s" },
                { -1500 * US, "-1.5ms" },
                { 999 * NS, "999ns" },
                { 1 * US, "1\u00b5s" },
                { SEC - 1, "999.999999ms" },
                { 59 * SEC, "59s" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                char buf[KL_DURATION_STRING_MAX];
                int64_t back = 0;

                cr_expect_str_eq(kl_duration_format_ns(cases[i].ns, buf, sizeof(buf)),
                                 cases[i].out);
                cr_expect_eq(kl_duration_parse_ns(cases[i].out, &back, NULL), 0);
                cr_expect_eq(back, cases[i].ns, "'%s' does not read back", cases[i].out);
        }
}

Test(duration, format_microseconds)
{
        static const struct {
                int64_t usec;
                const char *out;
        } cases[] = {
                { 0, "0s" },
                { 1, "1\u00b5s" },
                { 999, "999\u00b5s" },
                { 1500, "1.5ms" },
                { 1000000, "1s" },
                { 5400000000, "1h30m0s" },
                { -60000000, "-1m0s" },
                /* Beyond Go's nanosecond range: printed, though Go could not read it back. */
                { INT64_MAX, "2562047788h0m54.775807s" },
                { INT64_MIN, "-2562047788h0m54.775808s" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                char buf[KL_DURATION_STRING_MAX];

                cr_expect_str_eq(kl_duration_format(cases[i].usec, buf, sizeof(buf)), cases[i].out);
        }
}
