/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Durations written the way Go writes them ("1h30m", "300ms", "-1.5s"): the
 * format of metav1.Duration fields, kubelet and k3s flags and config files.
 *
 * Parsing follows time.ParseDuration exactly: an optional sign, then one or
 * more <number><unit> terms with no space between them, where a number is
 * digits with an optional fraction (".5" and "1." are fine) and a unit is one
 * of ns, us, µs (U+00B5 or U+03BC), ms, s, m, h. A bare "0" (optionally
 * signed) is the only term allowed without a unit. Fractions are converted
 * with the same float64 arithmetic Go uses, so the result is Go's to the
 * nanosecond. The range is Go's: an int64 of nanoseconds, about ±292 years.
 *
 * kube-lite counts time in microseconds (base/time.h). kl_duration_parse()
 * therefore rounds the nanosecond result away from zero to whole microseconds:
 * a non-zero duration never becomes zero (a "1ns" timeout must not turn into
 * "no timeout"), the same rule Kubernetes applies to quantities. Callers that
 * need the exact nanoseconds use kl_duration_parse_ns().
 *
 * Formatting is Go's Duration.String(): "1h30m0s", "10s", "300ms", "1.5µs",
 * "0s". Pure functions: thread-safe, no allocation.
 */
#ifndef KL_BASE_DURATION_H
#define KL_BASE_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Room for any kl_duration_format*() output and its NUL (25 bytes at most). */
#define KL_DURATION_STRING_MAX 40

/**
 * Parse a Go duration into nanoseconds. Errors, with the input quoted:
 * -EINVAL for text outside the grammar ("invalid duration '1h 30m': unknown
 * unit 'h '"; "invalid duration '10': missing unit"), -ERANGE when the value
 * does not fit in an int64 of nanoseconds.
 */
int kl_duration_parse_ns(const char *s, int64_t *ret_ns, struct kl_err **err);

/**
 * Parse a Go duration into microseconds, rounding a sub-microsecond remainder
 * away from zero (see the overview). Errors as kl_duration_parse_ns(). The
 * result may be negative; a caller that wants a kl_usec_t checks the sign.
 */
int kl_duration_parse(const char *s, int64_t *ret_usec, struct kl_err **err);

/**
 * Go's Duration.String() of `ns` nanoseconds into `buf`, which must hold at
 * least KL_DURATION_STRING_MAX bytes. Returns `buf`.
 */
char *kl_duration_format_ns(int64_t ns, char *buf, size_t size);

/**
 * The same for `usec` microseconds: Go's text for usec * 1000 nanoseconds,
 * including values whose nanosecond count would not fit in an int64 (those
 * print correctly but do not parse back). Returns `buf`.
 */
char *kl_duration_format(int64_t usec, char *buf, size_t size);

#endif
