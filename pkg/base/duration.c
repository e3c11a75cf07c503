/* SPDX-License-Identifier: Apache-2.0 */
#include "base/duration.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/cleanup.h"
#include "base/macro.h"
#include "base/str.h"

/* Go accumulates magnitudes as uint64 and allows exactly 2^63 for a negative result. */
#define MAX_MAG ((uint64_t)1 << 63)

static const struct {
        const char *name;
        uint64_t ns;
} units[] = {
        { "ns", 1 },
        { "us", 1000 },
        { "\u00b5s", 1000 }, /* µs, MICRO SIGN */
        { "\u03bcs", 1000 }, /* μs, GREEK SMALL LETTER MU */
        { "ms", 1000000 },
        { "s", 1000000000 },
        { "m", 60ULL * 1000000000 },
        { "h", 3600ULL * 1000000000 },
};

static int invalid(struct kl_err **err, int r, const char *s, const char *fmt, ...) KL_PRINTF(4, 5);

static int invalid(struct kl_err **err, int r, const char *s, const char *fmt, ...)
{
        char q[KL_STR_QUOTE_SIZE];
        kl_autofree char *what = NULL;
        va_list ap;

        if (!err)
                return r;
        va_start(ap, fmt);
        what = kl_vasprintf(fmt, ap);
        va_end(ap);
        return kl_err_set(err, r, "invalid duration '%s': %s",
                          kl_str_quote(s, SIZE_MAX, q, sizeof(q)), what);
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

int kl_duration_parse_ns(const char *s, int64_t *ret_ns, struct kl_err **err)
{
        const char *p = s;
        uint64_t total = 0;
        bool neg = false;

        if (!s || !*s)
                return invalid(err, -EINVAL, "", "empty string");
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (p[0] == '0' && p[1] == '\0') {
                *ret_ns = 0;
                return 0;
        }
        if (!*p)
                return invalid(err, -EINVAL, s, "expected a number after the sign");

        while (*p) {
                const char *start = p, *unit;
                uint64_t v = 0, f = 0, unit_ns = 0;
                double scale = 1;
                bool pre, post = false, f_overflow = false;
                size_t len;
                char q[KL_STR_QUOTE_SIZE];

                if (*p != '.' && !is_digit(*p))
                        return invalid(err, -EINVAL, s, "expected a number at '%s'",
                                       kl_str_quote(p, SIZE_MAX, q, sizeof(q)));
                for (; is_digit(*p); p++) {
                        if (v > MAX_MAG / 10)
                                return invalid(err, -ERANGE, s, "out of range");
                        v = v * 10 + (uint64_t)(*p - '0');
                        if (v > MAX_MAG)
                                return invalid(err, -ERANGE, s, "out of range");
                }
                pre = p != start;
                if (*p == '.') {
                        const char *frac = ++p;

                        /* Go keeps the digits that fit and ignores the rest. */
                        for (; is_digit(*p); p++) {
                                uint64_t y;

                                if (f_overflow)
                                        continue;
                                if (f > (uint64_t)INT64_MAX / 10) {
                                        f_overflow = true;
                                        continue;
                                }
                                y = f * 10 + (uint64_t)(*p - '0');
                                if (y > MAX_MAG) {
                                        f_overflow = true;
                                        continue;
                                }
                                f = y;
                                scale *= 10;
                        }
                        post = p != frac;
                }
                if (!pre && !post)
                        return invalid(err, -EINVAL, s, "expected a number at '%s'",
                                       kl_str_quote(start, SIZE_MAX, q, sizeof(q)));

                /* A unit is everything up to the next number, so "1h 30m" has the unit "h ". */
                for (unit = p; *p && *p != '.' && !is_digit(*p); p++)
                        ;
                len = (size_t)(p - unit);
                if (len == 0)
                        return invalid(err, -EINVAL, s, "missing unit after '%s'",
                                       kl_str_quote(start, (size_t)(p - start), q, sizeof(q)));
                for (size_t i = 0; i < KL_ARRAY_SIZE(units); i++)
                        if (strlen(units[i].name) == len && memcmp(units[i].name, unit, len) == 0)
                                unit_ns = units[i].ns;
                if (unit_ns == 0)
                        return invalid(err, -EINVAL, s,
                                       "unknown unit '%s' (expected ns, us, ms, s, m or h)",
                                       kl_str_quote(unit, len, q, sizeof(q)));

                if (v > MAX_MAG / unit_ns)
                        return invalid(err, -ERANGE, s, "out of range");
                v *= unit_ns;
                if (f > 0) {
                        /*
                         * Go's own arithmetic, float64 and truncation, so results agree
                         * to the nanosecond; f / scale < 1, so the product stays below
                         * 3.6e12 and converts exactly.
                         */
                        v += (uint64_t)((double)f * ((double)unit_ns / scale));
                        if (v > MAX_MAG)
                                return invalid(err, -ERANGE, s, "out of range");
                }
                total += v;
                if (total > MAX_MAG)
                        return invalid(err, -ERANGE, s, "out of range");
        }

        if (neg) {
                *ret_ns = total == MAX_MAG ? INT64_MIN : -(int64_t)total;
                return 0;
        }
        if (total > (uint64_t)INT64_MAX)
                return invalid(err, -ERANGE, s, "out of range");
        *ret_ns = (int64_t)total;
        return 0;
}

int kl_duration_parse(const char *s, int64_t *ret_usec, struct kl_err **err)
{
        int64_t ns = 0, usec;
        int r;

        r = kl_duration_parse_ns(s, &ns, err);
        if (r < 0)
                return r;
        usec = ns / 1000;
        if (ns % 1000 > 0)
                usec++;
        else if (ns % 1000 < 0)
                usec--;
        *ret_usec = usec;
        return 0;
}

/*
 * Go's fmtFrac: the low `prec` digits of `*v` as a fraction without trailing
 * zeros (nothing at all, not even the point, when they are all zero), written
 * backwards ending at `end`. Returns the new start; *v loses those digits.
 */
static char *put_frac(char *end, unsigned __int128 *v, int prec)
{
        bool print = false;

        for (int i = 0; i < prec; i++) {
                unsigned digit = (unsigned)(*v % 10);

                print = print || digit != 0;
                if (print)
                        *--end = (char)('0' + digit);
                *v /= 10;
        }
        if (print)
                *--end = '.';
        return end;
}

static char *put_int(char *end, unsigned __int128 v)
{
        do {
                *--end = (char)('0' + (unsigned)(v % 10));
                v /= 10;
        } while (v);
        return end;
}

/* Duration.String() of a magnitude in nanoseconds, built backwards as Go does. */
static char *format_ns(bool neg, unsigned __int128 u, char *buf, size_t size)
{
        char tmp[KL_DURATION_STRING_MAX];
        char *end = tmp + sizeof(tmp), *w = end;

        kl_assert(size >= KL_DURATION_STRING_MAX);
        *--w = 's';
        if (u < 1000000000) {
                int prec;

                if (u == 0) {
                        memcpy(buf, "0s", 3);
                        return buf;
                } else if (u < 1000) {
                        prec = 0;
                        *--w = 'n';
                } else if (u < 1000000) {
                        prec = 3;
                        w -= 2;
                        memcpy(w, "\u00b5", 2); /* µ, two bytes in UTF-8 */
                } else {
                        prec = 6;
                        *--w = 'm';
                }
                w = put_frac(w, &u, prec);
                w = put_int(w, u);
        } else {
                w = put_frac(w, &u, 9);
                w = put_int(w, u % 60);
                u /= 60;
                if (u > 0) {
                        *--w = 'm';
                        w = put_int(w, u % 60);
                        u /= 60;
                        /* Go stops at hours: days have different lengths. */
                        if (u > 0) {
                                *--w = 'h';
                                w = put_int(w, u);
                        }
                }
        }
        if (neg)
                *--w = '-';
        memcpy(buf, w, (size_t)(end - w));
        buf[end - w] = '\0';
        return buf;
}

static unsigned __int128 magnitude(int64_t v)
{
        return v < 0 ? (unsigned __int128)(-(__int128)v) : (unsigned __int128)v;
}

char *kl_duration_format_ns(int64_t ns, char *buf, size_t size)
{
        return format_ns(ns < 0, magnitude(ns), buf, size);
}

char *kl_duration_format(int64_t usec, char *buf, size_t size)
{
        return format_ns(usec < 0, magnitude(usec) * 1000, buf, size);
}
