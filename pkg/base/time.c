/* SPDX-License-Identifier: Apache-2.0 */
#include "base/time.h"

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
