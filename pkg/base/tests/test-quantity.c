/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Expectations come from Kubernetes' own tables (apimachinery's
 * quantity_test.go: TestQuantityParse, TestQuantityString,
 * TestQuantityParseEmit) wherever they cover a case.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

/* In the tables: the conversion must fail with -ERANGE. */
#define RANGE INT64_MIN

static struct kl_quantity parse_ok(const char *s)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_quantity q;
        int r = kl_quantity_parse(s, &q, &e);

        cr_assert_eq(r, 0, "parse '%s' failed (%d): %s", s, r, kl_err_msg(e));
        cr_assert_null(e);
        return q;
}

static const char *fmt(const struct kl_quantity *q)
{
        static char buf[KL_QUANTITY_STRING_MAX];

        return kl_quantity_format(q, buf, sizeof(buf));
}

static void check_conversion(const char *in, const char *what, int r, int64_t got, int64_t want)
{
        if (want == RANGE) {
                cr_expect_eq(r, -ERANGE, "%s of '%s': want -ERANGE, got %d (%lld)", what, in, r,
                             (long long)got);
                return;
        }
        cr_expect_eq(r, 0, "%s of '%s' failed: %d", what, in, r);
        cr_expect_eq(got, want, "%s of '%s': want %lld, got %lld", what, in, (long long)want,
                     (long long)got);
}

Test(quantity, parse_and_format_table)
{
        static const struct {
                const char *in, *out;
                enum kl_quantity_format format;
                int64_t value, milli;
        } cases[] = {
                /* The brief's and Kubernetes' everyday forms. */
                { "100m", "100m", KL_QUANTITY_DECIMAL_SI, 1, 100 },
                { "1Gi", "1Gi", KL_QUANTITY_BINARY_SI, 1073741824, 1073741824000 },
                { "1.5", "1500m", KL_QUANTITY_DECIMAL_SI, 2, 1500 },
                { "2e3", "2e3", KL_QUANTITY_DECIMAL_EXPONENT, 2000, 2000000 },
                { "500Mi", "500Mi", KL_QUANTITY_BINARY_SI, 524288000, 524288000000 },
                { "0.1", "100m", KL_QUANTITY_DECIMAL_SI, 1, 100 },
                { "+1", "1", KL_QUANTITY_DECIMAL_SI, 1, 1000 },
                { "-1", "-1", KL_QUANTITY_DECIMAL_SI, -1, -1000 },
                { "1.5Gi", "1536Mi", KL_QUANTITY_BINARY_SI, 1610612736, 1610612736000 },
                { "1000m", "1", KL_QUANTITY_DECIMAL_SI, 1, 1000 },
                { "1500m", "1500m", KL_QUANTITY_DECIMAL_SI, 2, 1500 },
                { "1024Mi", "1Gi", KL_QUANTITY_BINARY_SI, 1073741824, 1073741824000 },
                { "12e6", "12e6", KL_QUANTITY_DECIMAL_EXPONENT, 12000000, 12000000000 },
                { "1M", "1M", KL_QUANTITY_DECIMAL_SI, 1000000, 1000000000 },
                { "1000k", "1M", KL_QUANTITY_DECIMAL_SI, 1000000, 1000000000 },
                /* Zero in every family prints as "0". */
                { "0", "0", KL_QUANTITY_DECIMAL_SI, 0, 0 },
                { "-0", "0", KL_QUANTITY_DECIMAL_SI, 0, 0 },
                { "0Mi", "0", KL_QUANTITY_BINARY_SI, 0, 0 },
                { "0e5", "0", KL_QUANTITY_DECIMAL_EXPONENT, 0, 0 },
                /* Binary: whole numbers of at least 1024 keep the family, the rest turn decimal. */
                { "1Ki", "1Ki", KL_QUANTITY_BINARY_SI, 1024, 1024000 },
                { "4096Ki", "4Mi", KL_QUANTITY_BINARY_SI, 4194304, 4194304000 },
                { "0.5Mi", "512Ki", KL_QUANTITY_BINARY_SI, 524288, 524288000 },
                { "0.5Ki", "512", KL_QUANTITY_BINARY_SI, 512, 512000 },
                { "1.1Ki", "1126400m", KL_QUANTITY_BINARY_SI, 1127, 1126400 },
                { "-1.5Gi", "-1536Mi", KL_QUANTITY_BINARY_SI, -1610612736, -1610612736000 },
                { "7Ei", "7Ei", KL_QUANTITY_BINARY_SI, 8070450532247928832, RANGE },
                { ".001Ki", "1024m", KL_QUANTITY_BINARY_SI, 2, 1024 },
                { ".000000001Ki", "1024n", KL_QUANTITY_DECIMAL_SI, 1, 1 },
                { ".000000000001Ki", "2n", KL_QUANTITY_DECIMAL_SI, 1, 1 },
                { "100.035Ki", "102435840m", KL_QUANTITY_BINARY_SI, 102436, 102435840 },
                /* Binary input is capped at 2^63-1, as Kubernetes does. */
                { "8Ei", "9223372036854775807", KL_QUANTITY_BINARY_SI, INT64_MAX, RANGE },
                { "9Ei", "9223372036854775807", KL_QUANTITY_BINARY_SI, INT64_MAX, RANGE },
                { "-16Ei", "-9223372036854775807", KL_QUANTITY_BINARY_SI, -INT64_MAX, RANGE },
                { "9223372036854775807Ki", "9223372036854775807", KL_QUANTITY_BINARY_SI, INT64_MAX,
                  RANGE },
                /* Decimal SI. */
                { "1E", "1E", KL_QUANTITY_DECIMAL_SI, 1000000000000000000, RANGE },
                { "12E", "12E", KL_QUANTITY_DECIMAL_SI, RANGE, RANGE },
                { "1000E", "1e21", KL_QUANTITY_DECIMAL_SI, RANGE, RANGE },
                { "1.01E", "1010P", KL_QUANTITY_DECIMAL_SI, 1010000000000000000, RANGE },
                { "100.035k", "100035", KL_QUANTITY_DECIMAL_SI, 100035, 100035000 },
                { "1.08", "1080m", KL_QUANTITY_DECIMAL_SI, 2, 1080 },
                { "0.0005k", "500m", KL_QUANTITY_DECIMAL_SI, 1, 500 },
                { "300M", "300M", KL_QUANTITY_DECIMAL_SI, 300000000, 300000000000 },
                { "1234567M", "1234567M", KL_QUANTITY_DECIMAL_SI, 1234567000000, 1234567000000000 },
                { "6.987654321G", "6987654321", KL_QUANTITY_DECIMAL_SI, 6987654321, 6987654321000 },
                { "1.000k", "1k", KL_QUANTITY_DECIMAL_SI, 1000, 1000000 },
                { "007", "7", KL_QUANTITY_DECIMAL_SI, 7, 7000 },
                { "-.5", "-500m", KL_QUANTITY_DECIMAL_SI, -1, -500 },
                { "1.", "1", KL_QUANTITY_DECIMAL_SI, 1, 1000 },
                { "1.G", "1G", KL_QUANTITY_DECIMAL_SI, 1000000000, 1000000000000 },
                { "2048", "2048", KL_QUANTITY_DECIMAL_SI, 2048, 2048000 },
                { "99999999999999999999999999999", "99999999999999999999999999999",
                  KL_QUANTITY_DECIMAL_SI, RANGE, RANGE },
                /* Rounding away from zero to the nano-unit. */
                { "5n", "5n", KL_QUANTITY_DECIMAL_SI, 1, 1 },
                { "-5n", "-5n", KL_QUANTITY_DECIMAL_SI, -1, -1 },
                { "3.001n", "4n", KL_QUANTITY_DECIMAL_SI, 1, 1 },
                { "0.0000000001", "1n", KL_QUANTITY_DECIMAL_SI, 1, 1 },
                { "-0.0000000001", "-1n", KL_QUANTITY_DECIMAL_SI, -1, -1 },
                { "0.00000012345", "124n", KL_QUANTITY_DECIMAL_SI, 1, 1 },
                /* Decimal exponent. */
                { "1e3", "1e3", KL_QUANTITY_DECIMAL_EXPONENT, 1000, 1000000 },
                { "1E3", "1e3", KL_QUANTITY_DECIMAL_EXPONENT, 1000, 1000000 },
                { "1e+3", "1e3", KL_QUANTITY_DECIMAL_EXPONENT, 1000, 1000000 },
                { "1e-3", "1e-3", KL_QUANTITY_DECIMAL_EXPONENT, 1, 1 },
                { "1E-3", "1e-3", KL_QUANTITY_DECIMAL_EXPONENT, 1, 1 },
                { "80e-3", "80e-3", KL_QUANTITY_DECIMAL_EXPONENT, 1, 80 },
                { "1.5e0", "1500e-3", KL_QUANTITY_DECIMAL_EXPONENT, 2, 1500 },
                { "5e0", "5", KL_QUANTITY_DECIMAL_EXPONENT, 5, 5000 },
                { "1.1E-9", "2e-9", KL_QUANTITY_DECIMAL_EXPONENT, 1, 1 },
                { "1e-10", "1e-9", KL_QUANTITY_DECIMAL_EXPONENT, 1, 1 },
                { "1e-99999", "1e-9", KL_QUANTITY_DECIMAL_EXPONENT, 1, 1 },
                { "0.5e-9", "1e-9", KL_QUANTITY_DECIMAL_EXPONENT, 1, 1 },
                { "1.7E18", "1700e15", KL_QUANTITY_DECIMAL_EXPONENT, 1700000000000000000, RANGE },
                { "1e21", "1e21", KL_QUANTITY_DECIMAL_EXPONENT, RANGE, RANGE },
                { "1e28", "10e27", KL_QUANTITY_DECIMAL_EXPONENT, RANGE, RANGE },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_quantity q = parse_ok(cases[i].in), again;
                int64_t v = 0;
                int r;

                cr_expect_str_eq(fmt(&q), cases[i].out, "'%s': want '%s', got '%s'", cases[i].in,
                                 cases[i].out, fmt(&q));
                cr_expect_eq(q.format, cases[i].format, "'%s': family %d, want %d", cases[i].in,
                             q.format, cases[i].format);
                r = kl_quantity_value(&q, &v);
                check_conversion(cases[i].in, "value", r, v, cases[i].value);
                r = kl_quantity_milli_value(&q, &v);
                check_conversion(cases[i].in, "milli value", r, v, cases[i].milli);

                /* The canonical form reads back as the same value and prints the same. */
                again = parse_ok(cases[i].out);
                cr_expect_eq(kl_quantity_cmp(&q, &again), 0, "'%s' does not round-trip",
                             cases[i].in);
                cr_expect_str_eq(fmt(&again), cases[i].out);
        }
}

Test(quantity, malformed_inputs_quote_the_input)
{
        static const struct {
                const char *in;
                int r;
                const char *msg;
        } cases[] = {
                { "", -EINVAL, "invalid quantity '': empty string" },
                { "Mi", -EINVAL, "invalid quantity 'Mi': expected a number" },
                { ".", -EINVAL, "invalid quantity '.': expected a number" },
                { "-", -EINVAL, "invalid quantity '-': expected a number" },
                { "+-1", -EINVAL, "invalid quantity '+-1': expected a number" },
                { " 1", -EINVAL, "invalid quantity ' 1': expected a number" },
                { "1.5.5", -EINVAL,
                  "invalid quantity '1.5.5': unknown suffix '.5' (expected n, u, m, k, M, G, T, "
                  "P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)" },
                { "1 Mi", -EINVAL,
                  "invalid quantity '1 Mi': unknown suffix ' Mi' (expected n, u, m, k, M, G, T, "
                  "P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)" },
                { "1mi", -EINVAL, "invalid quantity '1mi': unknown suffix 'mi' (" },
                { "1e", -EINVAL, "invalid quantity '1e': unknown suffix 'e' (" },
                { "1e+", -EINVAL, "invalid quantity '1e+': unknown suffix 'e+' (" },
                { "-3.01e-", -EINVAL, "invalid quantity '-3.01e-': unknown suffix 'e-' (" },
                { "1e 3", -EINVAL, "invalid quantity '1e 3': unknown suffix 'e 3' (" },
                { "1e3.5", -EINVAL, "invalid quantity '1e3.5': unknown suffix 'e3.5' (" },
                { "1Ee3", -EINVAL, "invalid quantity '1Ee3': unknown suffix 'Ee3' (" },
                { "1K", -EINVAL, "invalid quantity '1K': unknown suffix 'K' (" },
                { "1KiB", -EINVAL, "invalid quantity '1KiB': unknown suffix 'KiB' (" },
                { "1 ", -EINVAL, "invalid quantity '1 ': unknown suffix ' ' (" },
                { "1i", -EINVAL, "invalid quantity '1i': unknown suffix 'i' (" },
                { "1.1.M", -EINVAL, "invalid quantity '1.1.M': unknown suffix '.M' (" },
                { "1+1.0M", -EINVAL, "invalid quantity '1+1.0M': unknown suffix '+1.0M' (" },
                { "0.1am", -EINVAL, "invalid quantity '0.1am': unknown suffix 'am' (" },
                { "aoeu", -EINVAL, "invalid quantity 'aoeu': expected a number" },
                { "1\n", -EINVAL, "invalid quantity '1\\x0a': unknown suffix '\\x0a' (" },
                { "1'", -EINVAL, "invalid quantity '1\\x27': unknown suffix '\\x27' (" },
                { "1e30", -ERANGE,
                  "invalid quantity '1e30': out of range (the magnitude must be below 1e29)" },
                { "100000000000000000000000000000", -ERANGE,
                  "invalid quantity '100000000000000000000000000000': out of range" },
                { "-1e29", -ERANGE, "invalid quantity '-1e29': out of range" },
                { "1e99999", -ERANGE, "invalid quantity '1e99999': out of range" },
                { "100000000000000E", -ERANGE,
                  "invalid quantity '100000000000000E': out of range" },
                { "1e99999999999999999999", -ERANGE,
                  "invalid quantity '1e99999999999999999999': exponent out of range" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_quantity q = kl_quantity_from_int(42, KL_QUANTITY_DECIMAL_SI);
                int r = kl_quantity_parse(cases[i].in, &q, &e);

                cr_expect_eq(r, cases[i].r, "'%s': want %d, got %d", cases[i].in, cases[i].r, r);
                cr_assert_not_null(e, "'%s': no error message", cases[i].in);
                cr_expect_eq(e->code, -cases[i].r);
                cr_expect(strncmp(e->msg, cases[i].msg, strlen(cases[i].msg)) == 0,
                          "'%s': message\n  %s\nwant prefix\n  %s", cases[i].in, e->msg,
                          cases[i].msg);
                /* Output parameters are written only on success (R3.6). */
                cr_expect_str_eq(fmt(&q), "42");
                /* Without an err the code is the same. */
                cr_expect_eq(kl_quantity_parse(cases[i].in, &q, NULL), cases[i].r);
        }
}

Test(quantity, long_input_is_truncated_in_the_message)
{
        kl_autoerr struct kl_err *e = NULL;
        char in[300];
        struct kl_quantity q;

        memset(in, '9', sizeof(in) - 2);
        in[sizeof(in) - 2] = 'x';
        in[sizeof(in) - 1] = '\0';
        cr_assert_eq(kl_quantity_parse(in, &q, &e), -EINVAL);
        cr_assert(strlen(e->msg) < 300, "message not bounded: %zu bytes", strlen(e->msg));
        cr_assert(strstr(e->msg, "...': unknown suffix 'x'"), "%s", e->msg);
}

Test(quantity, verbatim_as_kubernetes_fast_path)
{
        static const struct {
                const char *in;
                bool verbatim;
        } cases[] = {
                { "0", true },      { "1", true },       { "-1", true },      { "+1", true },
                { "01", true },     { "100m", true },    { "1E3", true },     { "1e+3", true },
                { "5e0", true },    { "1.500k", true },  { "12e6", true },    { "1.", true },
                { "1Ki", true },    { "1Ti", true },     { "1.Ki", true },    { "1023Ki", true },
                { "1Pi", false },   { "8Ki", false },    { "1024Mi", false }, { "0m", false },
                { "1000", false },  { "1.000k", false }, { "1.5", false },    { "0.1", false },
                { "1.5Gi", false }, { "1.5n", false },   { "-0", false },     { "1x", false },
                { "1e30", false },  { "", false },       { "Mi", false },     { "1E", true },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                cr_expect_eq(kl_quantity_is_verbatim(cases[i].in), cases[i].verbatim,
                             "'%s': want %d", cases[i].in, cases[i].verbatim);
        cr_expect(!kl_quantity_is_verbatim(NULL));
}

Test(quantity, cmp_and_sign)
{
        static const struct {
                const char *a, *b;
                int cmp;
        } cases[] = {
                { "0", "0", 0 },          { "100m", "50m", 1 },       { "50m", "100m", -1 },
                { "10000T", "100Gi", 1 }, { "1Gi", "1073741824", 0 }, { "1.5", "1500m", 0 },
                { "-1", "0", -1 },        { "1n", "0", 1 },           { "1e3", "1k", 0 },
                { "-1Ki", "-1k", -1 },    { "1E", "1Ei", -1 },        { "0Ki", "-0", 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_quantity a = parse_ok(cases[i].a), b = parse_ok(cases[i].b);

                cr_expect_eq(kl_quantity_cmp(&a, &b), cases[i].cmp, "%s <=> %s", cases[i].a,
                             cases[i].b);
                cr_expect_eq(kl_quantity_cmp(&b, &a), -cases[i].cmp);
        }

        struct kl_quantity n = parse_ok("-3m"), z = parse_ok("0"), p = parse_ok("1n");

        cr_expect_eq(kl_quantity_sign(&n), -1);
        cr_expect_eq(kl_quantity_sign(&z), 0);
        cr_expect_eq(kl_quantity_sign(&p), 1);
        cr_expect(kl_quantity_is_zero(&z));
        cr_expect(!kl_quantity_is_zero(&p));
}

Test(quantity, add_and_sub)
{
        static const struct {
                const char *a, *b, *sum, *diff;
        } cases[] = {
                { "1Gi", "512Mi", "1536Mi", "512Mi" },
                { "100m", "900m", "1", "-800m" },
                { "0", "1Gi", "1Gi", "-1Gi" }, /* a zero takes b's family */
                { "1Gi", "0", "1Gi", "1Gi" },
                { "1Gi", "1Gi", "2Gi", "0" },
                { "1k", "1Ki", "2024", "-24" }, /* a's family wins */
                { "1Ki", "1k", "2024", "24" },  /* binary, but below 1024 or not whole */
                { "2e3", "1", "2001", "1999" },
                { "1n", "1", "1000000001n", "-999999999n" },
                { "8Ei", "8Ei", "18446744073709551614", "0" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_quantity a = parse_ok(cases[i].a), b = parse_ok(cases[i].b), r;

                cr_assert_eq(kl_quantity_add(&a, &b, &r, NULL), 0);
                cr_expect_str_eq(fmt(&r), cases[i].sum, "%s + %s", cases[i].a, cases[i].b);
                cr_assert_eq(kl_quantity_sub(&a, &b, &r, NULL), 0);
                cr_expect_str_eq(fmt(&r), cases[i].diff, "%s - %s", cases[i].a, cases[i].b);
        }
}

Test(quantity, add_aliasing_and_accumulation)
{
        struct kl_quantity total = parse_ok("0"), cpu = parse_ok("250m");

        for (int i = 0; i < 6; i++)
                cr_assert_eq(kl_quantity_add(&total, &cpu, &total, NULL), 0);
        cr_expect_str_eq(fmt(&total), "1500m");
        cr_assert_eq(kl_quantity_sub(&total, &total, &total, NULL), 0);
        cr_expect(kl_quantity_is_zero(&total));
}

Test(quantity, arithmetic_overflow)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_quantity big = parse_ok("99999999999999999999999999999");
        struct kl_quantity one = parse_ok("1"), neg = parse_ok("-99999999999999999999999999999");
        struct kl_quantity r = parse_ok("7");

        cr_assert_eq(kl_quantity_add(&big, &one, &r, &e), -ERANGE);
        cr_expect_str_eq(e->msg, "quantity '99999999999999999999999999999' + '1' is out of range");
        cr_expect_str_eq(fmt(&r), "7", "result written on failure");
        cr_assert_eq(kl_quantity_sub(&neg, &one, &r, NULL), -ERANGE);
        cr_assert_eq(kl_quantity_sub(&big, &neg, &r, NULL), -ERANGE);
        cr_assert_eq(kl_quantity_add(&big, &neg, &r, NULL), 0);
        cr_expect(kl_quantity_is_zero(&r));
}

Test(quantity, scaled_values)
{
        static const struct {
                const char *in;
                int scale;
                int r;
                int64_t want;
        } cases[] = {
                { "1", -9, 0, 1000000000 },
                { "1n", -9, 0, 1 },
                { "0.5n", -3, 0, 1 },
                { "1M", 3, 0, 1000 },
                { "1500", 3, 0, 2 },
                { "-1500", 3, 0, -2 },
                { "-1.5", 0, 0, -2 },
                { "9.01", -1, 0, 91 },
                { "-9.01", -1, 0, -91 },
                { "1", 40, 0, 1 },
                { "-1", 100, 0, -1 },
                { "0", 100, 0, 0 },
                { "0", -100, 0, 0 },
                { "1", -18, 0, 1000000000000000000 },
                { "9223372036854775807", 0, 0, INT64_MAX },
                { "-9223372036854775808", 0, 0, INT64_MIN },
                { "9223372036854775807m", -3, 0, INT64_MAX },
                { "9223372036854775.807", -3, 0, INT64_MAX },
                { "1", -19, -ERANGE, 0 },
                { "1", -30, -ERANGE, 0 },
                { "1", INT32_MIN + 1, -ERANGE, 0 },
                { "9223372036854775808", 0, -ERANGE, 0 },
                { "-9223372036854775809", 0, -ERANGE, 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_quantity q = parse_ok(cases[i].in);
                int64_t v = 12345;
                int r = kl_quantity_scaled_value(&q, cases[i].scale, &v);

                cr_expect_eq(r, cases[i].r, "'%s' at scale %d: %d (%lld)", cases[i].in,
                             cases[i].scale, r, (long long)v);
                if (cases[i].r < 0)
                        cr_expect_eq(v, 12345, "written on failure");
                else
                        cr_expect_eq(v, cases[i].want, "'%s' at scale %d: %lld", cases[i].in,
                                     cases[i].scale, (long long)v);
        }
}

Test(quantity, from_int_and_milli)
{
        struct kl_quantity q;

        /* Kubernetes' TestNewSet and TestMilliNewSet. */
        q = kl_quantity_from_int(1, KL_QUANTITY_DECIMAL_SI);
        cr_expect_str_eq(fmt(&q), "1");
        q = kl_quantity_from_int(1000, KL_QUANTITY_DECIMAL_SI);
        cr_expect_str_eq(fmt(&q), "1k");
        q = kl_quantity_from_int(1234000, KL_QUANTITY_DECIMAL_SI);
        cr_expect_str_eq(fmt(&q), "1234k");
        q = kl_quantity_from_int(1024, KL_QUANTITY_BINARY_SI);
        cr_expect_str_eq(fmt(&q), "1Ki");
        q = kl_quantity_from_int(1000000, KL_QUANTITY_DECIMAL_EXPONENT);
        cr_expect_str_eq(fmt(&q), "1e6");
        q = kl_quantity_from_int(INT64_C(1024) * 1024, KL_QUANTITY_BINARY_SI);
        cr_expect_str_eq(fmt(&q), "1Mi");
        q = kl_quantity_from_int(INT64_MIN, KL_QUANTITY_BINARY_SI);
        cr_expect_str_eq(fmt(&q), "-8Ei");
        q = kl_quantity_from_milli(1, KL_QUANTITY_DECIMAL_SI);
        cr_expect_str_eq(fmt(&q), "1m");
        q = kl_quantity_from_milli(1000, KL_QUANTITY_DECIMAL_SI);
        cr_expect_str_eq(fmt(&q), "1");
        q = kl_quantity_from_milli(1234000, KL_QUANTITY_DECIMAL_SI);
        cr_expect_str_eq(fmt(&q), "1234");
        q = kl_quantity_from_milli(1024, KL_QUANTITY_BINARY_SI);
        cr_expect_str_eq(fmt(&q), "1024m");
        q = kl_quantity_from_milli(1000000, KL_QUANTITY_DECIMAL_EXPONENT);
        cr_expect_str_eq(fmt(&q), "1e3");
        q = kl_quantity_from_milli(INT64_C(1024) * 1024, KL_QUANTITY_BINARY_SI);
        cr_expect_str_eq(fmt(&q), "1048576m");
}

Test(quantity, binary_formatting_stops_at_exbi)
{
        struct kl_quantity a = parse_ok("7Ei"), r = a;

        /* 7Ei * 2^10 = 7168Ei; apimachinery would print a bare "7". */
        for (int i = 0; i < 10; i++)
                cr_assert_eq(kl_quantity_add(&r, &r, &r, NULL), 0);
        cr_expect_str_eq(fmt(&r), "7168Ei");
}
