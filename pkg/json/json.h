/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json: the one place where JSON text becomes jansson values and back
 * (STYLE R9.5), and typed access to those values by path (R9.6).
 *
 *   kl_json_decode()      bounded decode; errors carry line and column
 *   kl_json_encode()      response, pretty and canonical (store) encodings
 *   kl_json_get_*()       typed getters by dotted path, errors name the path
 *
 * Decoding decisions, made once here (see README.md for the reasons): any
 * JSON value is accepted at the top level; a duplicated object key keeps its
 * last value, as Kubernetes does unless fieldValidation=Strict; "\u0000" in
 * strings, invalid UTF-8 and integers outside int64 are rejected.
 *
 * Paths: `spec.containers[0].name`. A leading '.' is optional, `[N]` indexes
 * an array, `["app.kubernetes.io/name"]` names a key that contains '.' or '['
 * (inside the quotes, \" and \\ are the only escapes). "" or "." is the root.
 * A JSON null is treated as absent, as Go's decoding leaves the field unset.
 *
 * Ownership uses jansson's words (R9.1): a *borrowed* value is valid while the
 * container it came from is alive and unmodified; a *new* value is the
 * caller's to json_decref(). Thread-safety is jansson's: reading a value from
 * several threads is fine, modifying one that another thread can reach is not.
 */
#ifndef KL_JSON_JSON_H
#define KL_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/quantity.h"

/* The API server's request body limit (kube-apiserver's maxRequestBodyBytes, 3 MiB). */
#define KL_JSON_DEFAULT_MAX ((size_t)3 << 20)

/**
 * Decode `len` bytes of JSON text. The size is checked before anything is
 * parsed: more than `max` bytes fails with -E2BIG. Malformed text fails with
 * -EINVAL and "invalid JSON at line L, column C: <what>". On success
 * *ret_value is a new reference.
 */
int kl_json_decode(const char *data, size_t len, size_t max, json_t **ret_value,
                   struct kl_err **err);

enum kl_json_encode_flags {
        /*
         * Keys sorted bytewise, no trailing newline: equal values give equal
         * bytes. For the store, no-op update detection and golden files.
         */
        KL_JSON_ENCODE_CANONICAL = 1 << 0,
        /* Two-space indentation, as the API server's ?pretty=true. */
        KL_JSON_ENCODE_PRETTY = 1 << 1,
};

/**
 * Append the JSON text of `value` to `out`. With no flags this is the API
 * response form: compact, object members in their stored order, followed by
 * a newline as Go's json.Encoder writes it. PRETTY indents and adds no
 * newline; CANONICAL sorts keys, adds no newline, and is compact unless PRETTY
 * is also given. Errors: -E2BIG when `out` would exceed its maximum, -EINVAL
 * when `value` cannot be encoded; on error `out` is left as it was.
 */
int kl_json_encode(const json_t *value, unsigned flags, struct kl_buf *out, struct kl_err **err);

/* "object", "array", "string", "number" (integer or real), "boolean", "null"; "nothing" for NULL.
 */
const char *kl_json_type_name(const json_t *value);

/*
 * Typed getters. Each looks `path` up below `root` (which may be NULL: then
 * everything is absent) and fails with
 *   -ENOENT  "'.spec.nodeName': not found" for a missing key, an index past
 *            the end of an array, or a null anywhere on the way;
 *   -EINVAL  "'.spec.nodeName': expected string, got number" for a value or
 *            an intermediate of the wrong type, naming the path up to it, or
 *            "invalid JSON path ..." for a malformed path (found when the
 *            walk reaches the malformed part).
 * `err` may be NULL when the caller only needs the code (an optional field:
 * `if (r == -ENOENT)`). *ret is written only on success.
 */

/* Any non-null value; *ret is borrowed from `root`. */
int kl_json_get(const json_t *root, const char *path, json_t **ret, struct kl_err **err);
/* An object or an array; *ret is borrowed from `root`. */
int kl_json_get_object(const json_t *root, const char *path, json_t **ret, struct kl_err **err);
int kl_json_get_array(const json_t *root, const char *path, json_t **ret, struct kl_err **err);
/* A string; *ret is borrowed from `root` and NUL-terminated (decoded text has no NUL inside). */
int kl_json_get_str(const json_t *root, const char *path, const char **ret, struct kl_err **err);
/* An integer; a real such as 1.0 or 1.5 is "expected integer, got number", as in Go. */
int kl_json_get_int64(const json_t *root, const char *path, int64_t *ret, struct kl_err **err);
int kl_json_get_bool(const json_t *root, const char *path, bool *ret, struct kl_err **err);
/* An integer or a real, as a double. */
int kl_json_get_number(const json_t *root, const char *path, double *ret, struct kl_err **err);

/**
 * A resource.Quantity, written as a string ("500Mi") or a number (2, 0.5), as
 * Kubernetes' Quantity.UnmarshalJSON accepts: a string is trimmed of
 * surrounding ASCII white space; a number is read as the text Go would print
 * for it (0.5 is "0.5" in the decimal SI family, 1e-7 is "1e-7" in the
 * exponent family). A value that is not a quantity fails with
 * kl_quantity_parse()'s error prefixed by the path.
 */
int kl_json_get_quantity(const json_t *root, const char *path, struct kl_quantity *ret,
                         struct kl_err **err);

#endif
