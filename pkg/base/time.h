/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time. One unit across the code base: uint64_t microseconds (kl_usec_t).
 * Monotonic time for intervals and time-outs; wall-clock only for timestamps
 * written into objects and logs.
 */
#ifndef KL_BASE_TIME_H
#define KL_BASE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t kl_usec_t;

#define KL_USEC_PER_MSEC ((kl_usec_t)1000)
#define KL_USEC_PER_SEC  ((kl_usec_t)1000000)
#define KL_USEC_PER_MIN  (60 * KL_USEC_PER_SEC)
#define KL_USEC_PER_HOUR (60 * KL_USEC_PER_MIN)

kl_usec_t kl_now_monotonic(void);
kl_usec_t kl_now_realtime(void);

/* Length of "2006-01-02T15:04:05.000000Z" plus NUL, with room to spare. */
#define KL_RFC3339_MAX 40

enum kl_rfc3339_flags {
        KL_RFC3339_SECONDS = 0,    /* 2006-01-02T15:04:05Z, Kubernetes metav1.Time */
        KL_RFC3339_MICRO = 1 << 0, /* 2006-01-02T15:04:05.000000Z, metav1.MicroTime */
};

/* Format a wall-clock time in UTC into `buf` (at least KL_RFC3339_MAX bytes). */
char *kl_rfc3339_format(kl_usec_t t, unsigned flags, char *buf, size_t size);

/*
 * Go's time.Parse(time.RFC3339, s), which is what metav1.Time decodes with:
 * a fraction of any length may follow the seconds (with '.' or ','), digits
 * past microseconds are dropped, offsets "Z" or "+hh:mm". *ret_usec is
 * microseconds since the epoch, negative before 1970. -EINVAL otherwise.
 */
int kl_rfc3339_parse(const char *s, int64_t *ret_usec);

/* The proleptic Gregorian calendar: days since 1970-01-01 of a civil date, and back. */
int64_t kl_days_from_civil(int64_t y, int m, int d);
void kl_civil_from_days(int64_t days, int64_t *ret_y, int *ret_m, int *ret_d);
bool kl_is_leap_year(int64_t y);
int kl_days_in_month(int64_t y, int m); /* m in 1..12 */

#endif
