/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes resource.Quantity (k8s.io/apimachinery/pkg/api/resource): the
 * fixed-point numbers of `cpu: 100m` and `memory: 1.5Gi`.
 *
 * Grammar, as Kubernetes documents it:
 *
 *   <quantity>     ::= <signedNumber><suffix>
 *   <signedNumber> ::= [+-]? ( <digits> | <digits>. | <digits>.<digits> | .<digits> )
 *   <suffix>       ::= <binarySI> | <decimalSI> | <decimalExponent>
 *   <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei              (2^10 .. 2^60)
 *   <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E   (10^-9 .. 10^18)
 *   <decimalExponent> ::= ( e | E ) [+-]? <digits>             ("1E" alone is exa)
 *
 * Representation: the exact value in nano-units (10^-9) in a signed 128-bit
 * integer, plus the suffix family it was written in. Parsing rounds a value
 * with more than nine decimal places away from zero to the next nano-unit, as
 * Kubernetes does ("if you ask for some, you get some": 0.1n is 1n). The
 * magnitude must stay below 10^29 (10^38 nano-units): parse, add and subtract
 * report -ERANGE beyond that. Kubernetes keeps arbitrary precision for decimal
 * suffixes, so a value of 10^29 or more is the one input it accepts that we
 * refuse; nothing a resource request can sensibly hold comes near it. For the
 * binary family, Kubernetes caps the parsed magnitude at 2^63-1 (`16Ei` reads
 * as 9223372036854775807) and so do we.
 *
 * Formatting (kl_quantity_format) is Kubernetes' canonical form, a pure
 * function of value and family: zero is "0"; the decimal families print an
 * integer mantissa with the largest exponent that is a multiple of three and
 * loses nothing (1.5 -> "1500m", 1000k -> "1M", 2e3 -> "2e3", and past "E" the
 * SI family falls back to "1e21"); the binary family prints an integer mantissa
 * with the largest power of 1024 (1.5Gi -> "1536Mi"), but a value below 1024 in
 * magnitude or one that is not a whole number is printed in the decimal SI form
 * instead ("0.5Ki" -> "512", "1.1Ki" -> "1126400m").
 *
 * Differences from apimachinery, all deliberate:
 *   - at least one digit is required: Kubernetes reads "", ".", "-." and "Mi"
 *     as zero (an accident of its scanner); we reject them;
 *   - an exponent beyond int32 is truncated by Kubernetes; we use its true value;
 *   - Kubernetes' ParseQuantity remembers the input as the serialised form when
 *     a quick test says it is already canonical, and that test lets through a
 *     few non-canonical spellings ("+1", "01", "1E3", "5e0", "1.500k"), which
 *     the API server then echoes unchanged. kl_quantity_format() always gives
 *     the canonical form; kl_quantity_is_verbatim() tells an API layer that
 *     wants byte-identical responses when to keep the input string instead.
 *
 * Everything here is pure computation on caller-owned values: thread-safe,
 * no allocation.
 */
#ifndef KL_BASE_QUANTITY_H
#define KL_BASE_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/macro.h"

/* The suffix family a quantity was written in; formatting keeps it (apimachinery's Format). */
enum kl_quantity_format {
        KL_QUANTITY_DECIMAL_SI,       /* 100m, 12, 1500M */
        KL_QUANTITY_BINARY_SI,        /* 512Mi, 1Gi */
        KL_QUANTITY_DECIMAL_EXPONENT, /* 12e6, 1e-3 */
        KL_QUANTITY_FORMAT__COUNT,
        KL_QUANTITY_FORMAT__INVALID = -EINVAL,
};

/*
 * A value, by value: copy it, compare it with kl_quantity_cmp(), never with
 * memcmp (the family is not part of the value).
 */
struct kl_quantity {
        __int128 nanos;                 /* private: the value times 10^9, |nanos| < 10^38 */
        enum kl_quantity_format format; /* public: the family kl_quantity_format() prints */
};

/* Room for any kl_quantity_format() output and its NUL: "-", 38 digits, a suffix. */
#define KL_QUANTITY_STRING_MAX 48

/**
 * Parse a quantity. On success *ret holds the value (rounded away from zero
 * to nano-units) and the input's family. Errors, with the input quoted in the
 * message: -EINVAL for anything outside the grammar ("invalid quantity '1 Mi':
 * unknown suffix ' Mi' ..."), -ERANGE for a magnitude of 10^29 or more or an
 * exponent that does not fit in 64 bits. No leading or trailing space is
 * allowed; a JSON reader trims it first, as Kubernetes' UnmarshalJSON does.
 */
int kl_quantity_parse(const char *s, struct kl_quantity *ret, struct kl_err **err);

/**
 * True when Kubernetes would serialise the quantity parsed from `s` as `s`
 * itself rather than as its canonical form (see the overview). False for any
 * string kl_quantity_parse() rejects.
 */
bool kl_quantity_is_verbatim(const char *s);

/**
 * Kubernetes' canonical text for `q` into `buf`, which must hold at least
 * KL_QUANTITY_STRING_MAX bytes. Returns `buf`. kl_quantity_parse() of the
 * result gives an equal value.
 */
char *kl_quantity_format(const struct kl_quantity *q, char *buf, size_t size);

/* An integer value or a value in thousandths (NewQuantity / NewMilliQuantity). Cannot fail. */
struct kl_quantity kl_quantity_from_int(int64_t value, enum kl_quantity_format format);
struct kl_quantity kl_quantity_from_milli(int64_t milli, enum kl_quantity_format format);

/* -1, 0 or 1 as a < b, a == b, a > b, by value; the family is ignored. */
int kl_quantity_cmp(const struct kl_quantity *a, const struct kl_quantity *b) KL_PURE;
/* -1, 0 or 1. */
int kl_quantity_sign(const struct kl_quantity *q) KL_PURE;

static inline bool kl_quantity_is_zero(const struct kl_quantity *q)
{
        return q->nanos == 0;
}

/**
 * *ret = a + b or a - b, exactly. The result has a's family, or b's when a is
 * zero (as Kubernetes' Add/Sub). `ret` may alias `a` or `b`. -ERANGE, with both
 * operands in the message, when the magnitude would reach 10^29.
 */
int kl_quantity_add(const struct kl_quantity *a, const struct kl_quantity *b,
                    struct kl_quantity *ret, struct kl_err **err);
int kl_quantity_sub(const struct kl_quantity *a, const struct kl_quantity *b,
                    struct kl_quantity *ret, struct kl_err **err);

/**
 * The value divided by 10^scale, rounded away from zero to an integer
 * (Kubernetes' ScaledValue): scale 0 gives whole units, -3 thousandths, -9
 * nano-units. -ERANGE when the result does not fit in an int64, which
 * Kubernetes would silently overflow.
 */
int kl_quantity_scaled_value(const struct kl_quantity *q, int scale, int64_t *ret);

/* Whole units rounded away from zero: memory in bytes, pods, GPUs (Kubernetes' Value()). */
static inline int kl_quantity_value(const struct kl_quantity *q, int64_t *ret)
{
        return kl_quantity_scaled_value(q, 0, ret);
}

/* Thousandths rounded away from zero: CPU in millicores (Kubernetes' MilliValue()). */
static inline int kl_quantity_milli_value(const struct kl_quantity *q, int64_t *ret)
{
        return kl_quantity_scaled_value(q, -3, ret);
}

#endif
