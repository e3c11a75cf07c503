/* SPDX-License-Identifier: Apache-2.0 */
#include "base/quantity.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/parse.h"
#include "base/str.h"

#define NANO ((unsigned __int128)1000000000)

/* 10^38: every magnitude we hold is below it, so it fits in an __int128 with room to add. */
#define LIMIT ((unsigned __int128)10000000000000000000ULL * 10000000000000000000ULL)

/* Kubernetes caps binary-suffixed input at 2^63-1 units (its maxAllowed). */
#define BINARY_CAP ((unsigned __int128)INT64_MAX * NANO)

/*
 * Exponents are clamped to this before any arithmetic. Beyond it the outcome
 * no longer depends on the exact value (overflow, or a non-zero value rounding
 * to one nano-unit), as long as the input is shorter than 2^40 bytes.
 */
#define EXP_CLAMP ((int64_t)1 << 40)

static const struct {
        const char *name;
        int exp10; /* decimal SI: the power of ten */
        int exp2;  /* binary SI: the power of two */
        enum kl_quantity_format format;
} suffixes[] = {
        { "", 0, 0, KL_QUANTITY_DECIMAL_SI },   { "n", -9, 0, KL_QUANTITY_DECIMAL_SI },
        { "u", -6, 0, KL_QUANTITY_DECIMAL_SI }, { "m", -3, 0, KL_QUANTITY_DECIMAL_SI },
        { "k", 3, 0, KL_QUANTITY_DECIMAL_SI },  { "M", 6, 0, KL_QUANTITY_DECIMAL_SI },
        { "G", 9, 0, KL_QUANTITY_DECIMAL_SI },  { "T", 12, 0, KL_QUANTITY_DECIMAL_SI },
        { "P", 15, 0, KL_QUANTITY_DECIMAL_SI }, { "E", 18, 0, KL_QUANTITY_DECIMAL_SI },
        { "Ki", 0, 10, KL_QUANTITY_BINARY_SI }, { "Mi", 0, 20, KL_QUANTITY_BINARY_SI },
        { "Gi", 0, 30, KL_QUANTITY_BINARY_SI }, { "Ti", 0, 40, KL_QUANTITY_BINARY_SI },
        { "Pi", 0, 50, KL_QUANTITY_BINARY_SI }, { "Ei", 0, 60, KL_QUANTITY_BINARY_SI },
};

/* Indexed by the power of 1024 and by (power of ten + 9) / 3 when formatting. */
static const char *const binary_names[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
static const char *const decimal_names[] = { "n", "u", "m", "", "k", "M", "G", "T", "P", "E" };

/* A quantity string taken apart; the pointers borrow from the input. */
struct scan {
        bool neg;
        const char *int_digits; /* n_int digits before the point */
        size_t n_int;
        const char *frac_digits; /* n_frac digits after it */
        size_t n_frac;
        const char *suffix;
        enum kl_quantity_format format;
        int64_t exp10; /* the suffix's power of ten (decimal families) */
        int exp2;      /* the suffix's power of two (binary family), else 0 */
};

static int invalid(struct kl_err **err, int r, const char *s, const char *what)
{
        char q[KL_STR_QUOTE_SIZE];

        if (!err)
                return r;
        return kl_err_set(err, r, "invalid quantity '%s': %s",
                          kl_str_quote(s, SIZE_MAX, q, sizeof(q)), what);
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static int interpret_suffix(struct scan *sc)
{
        int64_t e;
        int r;

        for (size_t i = 0; i < KL_ARRAY_SIZE(suffixes); i++)
                if (kl_streq(sc->suffix, suffixes[i].name)) {
                        sc->format = suffixes[i].format;
                        sc->exp10 = suffixes[i].exp10;
                        sc->exp2 = suffixes[i].exp2;
                        return 0;
                }

        /* Checked after the table, so a lone "E" stays exa. */
        if (sc->suffix[0] != 'e' && sc->suffix[0] != 'E')
                return -EINVAL;
        if (!is_digit(sc->suffix[1]) && sc->suffix[1] != '+' && sc->suffix[1] != '-')
                return -EINVAL;
        r = kl_parse_int64(sc->suffix + 1, &e);
        if (r < 0)
                return r;
        sc->format = KL_QUANTITY_DECIMAL_EXPONENT;
        sc->exp10 = e;
        sc->exp2 = 0;
        return 0;
}

static int scan(const char *s, struct scan *sc, struct kl_err **err)
{
        const char *p = s;
        int r;

        *sc = (struct scan){ 0 };
        if (!*p)
                return invalid(err, -EINVAL, s, "empty string");
        if (*p == '+' || *p == '-')
                sc->neg = *p++ == '-';
        sc->int_digits = p;
        while (is_digit(*p))
                p++;
        sc->n_int = (size_t)(p - sc->int_digits);
        if (*p == '.') {
                sc->frac_digits = ++p;
                while (is_digit(*p))
                        p++;
                sc->n_frac = (size_t)(p - sc->frac_digits);
        }
        if (sc->n_int + sc->n_frac == 0)
                return invalid(err, -EINVAL, s, "expected a number");
        sc->suffix = p;

        r = interpret_suffix(sc);
        if (r == -ERANGE)
                return invalid(err, r, s, "exponent out of range");
        if (r < 0) {
                char q[KL_STR_QUOTE_SIZE];
                kl_autofree char *what = NULL;

                if (!err)
                        return r;
                what = kl_asprintf("unknown suffix '%s' (expected n, u, m, k, M, G, T, P, E, "
                                   "Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)",
                                   kl_str_quote(sc->suffix, SIZE_MAX, q, sizeof(q)));
                return invalid(err, r, s, what);
        }
        return 0;
}

/* Digit `i` of the number with the point removed. */
static unsigned digit_at(const struct scan *sc, size_t i)
{
        char c = i < sc->n_int ? sc->int_digits[i] : sc->frac_digits[i - sc->n_int];

        return (unsigned)(c - '0');
}

/* *acc = *acc * 10 + d, unless that would reach `limit`. */
static bool push_digit(unsigned __int128 *acc, unsigned d, unsigned __int128 limit)
{
        if (*acc > (limit - 1 - d) / 10)
                return false;
        *acc = *acc * 10 + d;
        return true;
}

/*
 * The magnitude in nano-units, rounded up: ceil(D × 10^(exp10 - n_frac + 9) × 2^exp2)
 * where D is the digit string. The digits split at position k into an integer
 * head and a fractional tail; the tail times 2^exp2 is computed by long
 * multiplication from its last digit, which yields its integer part (the
 * carry) and whether anything is left over, in one pass and without a bignum.
 * Returns 1 when the value had to be capped (binary family), -ERANGE when it
 * is out of range (decimal families).
 */
static int magnitude(const struct scan *sc, unsigned __int128 *ret)
{
        size_t n = sc->n_int + sc->n_frac;
        int64_t e = KL_MAX(KL_MIN(sc->exp10, EXP_CLAMP), -EXP_CLAMP);
        int64_t k = (int64_t)sc->n_int + e + 9;
        unsigned __int128 limit = sc->exp2 ? BINARY_CAP + 1 : LIMIT;
        unsigned __int128 acc = 0, mag;
        uint64_t mult = (uint64_t)1 << sc->exp2, carry = 0;
        size_t head = (size_t)KL_MAX(KL_MIN(k, (int64_t)n), (int64_t)0);
        bool big = false, rest = false;

        for (size_t i = 0; i < head && !big; i++)
                big = !push_digit(&acc, digit_at(sc, i), limit);
        if (!big && acc != 0)
                for (int64_t pad = k - (int64_t)n; pad > 0 && !big; pad--)
                        big = !push_digit(&acc, 0, limit);

        /* carry < mult at every step, so d * mult + carry < 10 * 2^60 fits. */
        for (size_t i = n; i > head; i--) {
                uint64_t t = digit_at(sc, i - 1) * mult + carry;

                rest |= t % 10 != 0;
                carry = t / 10;
        }
        /* The zeros between the point and the first digit, while they still matter. */
        for (int64_t z = k; z < 0 && carry != 0; z++) {
                rest |= carry % 10 != 0;
                carry /= 10;
        }

        if (sc->exp2 == 0) {
                if (big || acc + rest >= LIMIT)
                        return -ERANGE;
                *ret = acc + rest;
                return 0;
        }
        if (big || acc > (BINARY_CAP >> sc->exp2)) {
                *ret = BINARY_CAP;
                return 1;
        }
        mag = (acc << sc->exp2) + carry + rest;
        if (mag > BINARY_CAP) {
                *ret = BINARY_CAP;
                return 1;
        }
        *ret = mag;
        return 0;
}

int kl_quantity_parse(const char *s, struct kl_quantity *ret, struct kl_err **err)
{
        struct scan sc;
        unsigned __int128 mag;
        enum kl_quantity_format format;
        int r;

        if (!s)
                return invalid(err, -EINVAL, "", "no value");
        r = scan(s, &sc, err);
        if (r < 0)
                return r;
        r = magnitude(&sc, &mag);
        if (r < 0)
                return invalid(err, r, s, "out of range (the magnitude must be below 1e29)");

        /* Kubernetes switches a binary value strictly between 0 and 1 to decimal SI. */
        format = sc.format;
        if (format == KL_QUANTITY_BINARY_SI && mag > 0 && mag < NANO)
                format = KL_QUANTITY_DECIMAL_SI;

        ret->nanos = sc.neg ? -(__int128)mag : (__int128)mag;
        ret->format = format;
        return 0;
}

/*
 * apimachinery's ParseQuantity fast path, which stores the input as the
 * serialised form: replayed step by step, including its float32-free
 * precision estimate and its "looks canonical" test, so that the answer is
 * exactly Kubernetes'.
 */
bool kl_quantity_is_verbatim(const char *s)
{
        struct kl_quantity q;
        struct scan sc;
        const char *num;
        size_t n_num, n;
        int64_t precision, scale;
        uint64_t value = 0, mantissa = 1, result;
        char shifted[40];

        if (!s || kl_quantity_parse(s, &q, NULL) < 0)
                return false;
        if (kl_streq(s, "0"))
                return true;
        if (scan(s, &sc, NULL) < 0)
                return false;

        /* Kubernetes' "num": the integer digits without leading zeros, "0" when none remain. */
        num = sc.int_digits;
        n_num = sc.n_int;
        while (n_num > 0 && *num == '0') {
                num++;
                n_num--;
        }
        if (n_num > 18 || sc.n_frac > 18)
                return false;

        if (sc.format == KL_QUANTITY_BINARY_SI) {
                if (sc.n_frac > 0)
                        return false;
                precision = 15 - (int64_t)KL_MAX(n_num, (size_t)1) - sc.exp2 * 3 / 10 - 1;
                mantissa = (uint64_t)1 << sc.exp2;
                scale = 0;
        } else {
                if (sc.exp10 < INT32_MIN || sc.exp10 > INT32_MAX)
                        return false;
                precision = 18 - (int64_t)(KL_MAX(n_num, (size_t)1) + sc.n_frac);
                scale = sc.exp10;
        }
        if (precision < 0)
                return false;
        scale -= (int64_t)sc.n_frac;
        if (scale < -9)
                return false;

        n = 0;
        if (n_num == 0)
                shifted[n++] = '0';
        memcpy(shifted + n, num, n_num);
        n += n_num;
        if (sc.n_frac > 0)
                memcpy(shifted + n, sc.frac_digits, sc.n_frac);
        n += sc.n_frac;
        shifted[n] = '\0';
        for (size_t i = 0; i < n; i++)
                value = value * 10 + (uint64_t)(shifted[i] - '0');
        if (value > INT64_MAX || __builtin_mul_overflow(value, mantissa, &result) ||
            result > INT64_MAX)
                return false;

        if (sc.format == KL_QUANTITY_BINARY_SI)
                return (value & 7) != 0;
        return scale % 3 == 0 && !kl_endswith(shifted, "000") && shifted[0] != '0';
}

/* Decimal digits of `v` at `buf`, which has room; returns the count. */
static size_t put_u128(char *buf, unsigned __int128 v)
{
        char tmp[40];
        size_t n = 0;

        do {
                tmp[n++] = (char)('0' + (unsigned)(v % 10));
                v /= 10;
        } while (v);
        for (size_t i = 0; i < n; i++)
                buf[i] = tmp[n - 1 - i];
        return n;
}

static unsigned __int128 abs_u128(__int128 v)
{
        return v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
}

char *kl_quantity_format(const struct kl_quantity *q, char *buf, size_t size)
{
        unsigned __int128 mag = abs_u128(q->nanos), m;
        enum kl_quantity_format format = q->format;
        size_t n = 0;
        int e = 0;

        kl_assert(size >= KL_QUANTITY_STRING_MAX);
        if (mag == 0) {
                memcpy(buf, "0", 2);
                return buf;
        }
        if (q->nanos < 0)
                buf[n++] = '-';

        /* Binary output only for whole numbers of at least 1024: anything else would round. */
        if (format == KL_QUANTITY_BINARY_SI && (mag < 1024 * NANO || mag % NANO != 0))
                format = KL_QUANTITY_DECIMAL_SI;

        if (format == KL_QUANTITY_BINARY_SI) {
                /* Stops at Ei: apimachinery would print 1024Ei as a bare "1". */
                for (m = mag / NANO; m % 1024 == 0 && e < 6; e++)
                        m /= 1024;
                n += put_u128(buf + n, m);
                (void)snprintf(buf + n, size - n, "%s", binary_names[e]);
                return buf;
        }

        /* Move every factor of ten into the exponent, then back until it is a multiple of 3. */
        e = -9;
        for (m = mag; m % 10 == 0; e++)
                m /= 10;
        for (; e % 3 != 0; e--)
                m *= 10;
        n += put_u128(buf + n, m);
        if (format == KL_QUANTITY_DECIMAL_SI && e <= 18)
                (void)snprintf(buf + n, size - n, "%s", decimal_names[(e + 9) / 3]);
        else if (e == 0)
                buf[n] = '\0';
        else
                (void)snprintf(buf + n, size - n, "e%d", e);
        return buf;
}

struct kl_quantity kl_quantity_from_int(int64_t value, enum kl_quantity_format format)
{
        return (struct kl_quantity){ .nanos = (__int128)value * (__int128)NANO, .format = format };
}

struct kl_quantity kl_quantity_from_milli(int64_t milli, enum kl_quantity_format format)
{
        return (struct kl_quantity){ .nanos = (__int128)milli * 1000000, .format = format };
}

int kl_quantity_cmp(const struct kl_quantity *a, const struct kl_quantity *b)
{
        return (a->nanos > b->nanos) - (a->nanos < b->nanos);
}

int kl_quantity_sign(const struct kl_quantity *q)
{
        return (q->nanos > 0) - (q->nanos < 0);
}

static int arith(const struct kl_quantity *a, const struct kl_quantity *b, bool subtract,
                 struct kl_quantity *ret, struct kl_err **err)
{
        __int128 v;
        bool overflow;

        overflow = subtract ? __builtin_sub_overflow(a->nanos, b->nanos, &v)
                            : __builtin_add_overflow(a->nanos, b->nanos, &v);
        if (overflow || abs_u128(v) >= LIMIT) {
                char x[KL_QUANTITY_STRING_MAX], y[KL_QUANTITY_STRING_MAX];

                return kl_err_set(err, -ERANGE, "quantity '%s' %c '%s' is out of range",
                                  kl_quantity_format(a, x, sizeof(x)), subtract ? '-' : '+',
                                  kl_quantity_format(b, y, sizeof(y)));
        }
        ret->format = a->nanos == 0 ? b->format : a->format;
        ret->nanos = v;
        return 0;
}

int kl_quantity_add(const struct kl_quantity *a, const struct kl_quantity *b,
                    struct kl_quantity *ret, struct kl_err **err)
{
        return arith(a, b, false, ret, err);
}

int kl_quantity_sub(const struct kl_quantity *a, const struct kl_quantity *b,
                    struct kl_quantity *ret, struct kl_err **err)
{
        return arith(a, b, true, ret, err);
}

int kl_quantity_scaled_value(const struct kl_quantity *q, int scale, int64_t *ret)
{
        unsigned __int128 mag = abs_u128(q->nanos), p = 1;
        int64_t shift = (int64_t)scale + 9;

        if (mag == 0) {
                *ret = 0;
                return 0;
        }
        if (shift >= 0) {
                /* Dividing by at least 10^38 leaves less than one, which rounds away to one. */
                if (shift >= 38) {
                        mag = 1;
                } else {
                        for (int64_t i = 0; i < shift; i++)
                                p *= 10;
                        mag = mag / p + (mag % p != 0);
                }
        } else {
                for (int64_t i = 0; i < -shift; i++) {
                        if (mag > (unsigned __int128)INT64_MAX + 1)
                                return -ERANGE;
                        mag *= 10;
                }
        }
        if (mag > (unsigned __int128)INT64_MAX + (q->nanos < 0))
                return -ERANGE;
        *ret = q->nanos < 0 ? (int64_t)(-(__int128)mag) : (int64_t)mag;
        return 0;
}
