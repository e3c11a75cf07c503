/* SPDX-License-Identifier: Apache-2.0 */
#include "base/time.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

static kl_usec_t now(clockid_t clock)
{
        struct timespec ts;

        /* clock_gettime() cannot fail for these clocks with a valid pointer. */
        (void)clock_gettime(clock, &ts);
        return (kl_usec_t)ts.tv_sec * KL_USEC_PER_SEC + (kl_usec_t)ts.tv_nsec / 1000;
}

kl_usec_t kl_now_monotonic(void)
{
        return now(CLOCK_MONOTONIC);
}

kl_usec_t kl_now_realtime(void)
{
        return now(CLOCK_REALTIME);
}

char *kl_rfc3339_format(kl_usec_t t, unsigned flags, char *buf, size_t size)
{
        time_t sec = (time_t)(t / KL_USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&sec, &tm)) {
                (void)snprintf(buf, size, "?");
                return buf;
        }
        if (flags & KL_RFC3339_MICRO)
                (void)snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
                               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                               (unsigned)(t % KL_USEC_PER_SEC));
        else
                (void)snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return buf;
}

/*
 * Calendar arithmetic of our own (Howard Hinnant's days-from-civil) rather
 * than timegm()/gmtime_r(): it is exact for every year Kubernetes can write,
 * including Go's zero time in year 1, and depends on no time zone state.
 */
int64_t kl_days_from_civil(int64_t y, int m, int d)
{
        int64_t era, yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

void kl_civil_from_days(int64_t z, int64_t *ret_y, int *ret_m, int *ret_d)
{
        int64_t era, doe, yoe, doy, mp;

        z += 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = z - era * 146097;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        *ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
        *ret_m = (int)(mp < 10 ? mp + 3 : mp - 9);
        *ret_y = yoe + era * 400 + (*ret_m <= 2);
}

bool kl_is_leap_year(int64_t y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int kl_days_in_month(int64_t y, int m)
{
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        return m == 2 && kl_is_leap_year(y) ? 29 : days[m - 1];
}

/* Exactly `n` ASCII digits at *p, advancing it. */
static bool digits(const char **p, int n, int *ret)
{
        int v = 0;

        for (int i = 0; i < n; i++) {
                char c = (*p)[i];

                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (c - '0');
        }
        *p += n;
        *ret = v;
        return true;
}

static bool expect(const char **p, char c)
{
        if (**p != c)
                return false;
        (*p)++;
        return true;
}

/*
 * Go's time.Parse(time.RFC3339, s), which is what metav1.Time decodes with:
 * a fraction of any length may follow the seconds (with '.' or ','), even
 * though the layout has none. Digits past microseconds are dropped.
 */
int kl_rfc3339_parse(const char *s, int64_t *ret_usec)
{
        const char *p = s;
        int year, mon, day, hour, min, sec, off = 0;
        int64_t usec = 0, t;

        if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &mon) || !expect(&p, '-') ||
            !digits(&p, 2, &day) || !expect(&p, 'T') || !digits(&p, 2, &hour) || !expect(&p, ':') ||
            !digits(&p, 2, &min) || !expect(&p, ':') || !digits(&p, 2, &sec))
                return -EINVAL;
        if (mon < 1 || mon > 12 || day < 1 || day > kl_days_in_month(year, mon) || hour > 23 ||
            min > 59 || sec > 59)
                return -EINVAL;

        if (*p == '.' || *p == ',') {
                int n = 0;

                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++, n++) {
                        if (n < 6)
                                usec = usec * 10 + (*p - '0');
                }
                for (; n < 6; n++)
                        usec *= 10;
        }

        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p == '-' ? -1 : 1, oh, om;

                p++;
                if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om) || oh > 23 ||
                    om > 59)
                        return -EINVAL;
                off = sign * (oh * 3600 + om * 60);
        } else {
                return -EINVAL;
        }
        if (*p != '\0')
                return -EINVAL;

        t = kl_days_from_civil(year, mon, day) * 86400 + (int64_t)hour * 3600 + (int64_t)min * 60 +
            sec - off;
        *ret_usec = t * (int64_t)KL_USEC_PER_SEC + usec;
        return 0;
}
