/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one error convention (STYLE §4).
 *
 * A function that can fail returns int: >= 0 on success, a negative code on
 * failure. Codes are negative errno values or negative KL_E* values, which sit
 * above 10000 so they never collide with errno. A function that can explain a
 * failure also takes `struct kl_err **err` last and sets it on every failure
 * path; the code it returns always equals -(*err)->code.
 *
 * One X-macro table gives each kube-lite code its name, HTTP status and
 * Kubernetes StatusReason; errno values are mapped in kl_err_http_status() so
 * the HTTP layer can build a Status object from any error.
 */
#ifndef KL_BASE_ERR_H
#define KL_BASE_ERR_H

#include <stdarg.h>

#include "base/macro.h"

/* name, value, HTTP status, StatusReason, default text */
#define KL_ERRNO_MAP(XX)                                                                    \
        XX(CONFLICT, 10001, 409, "Conflict", "conflict")                                    \
        XX(INVALID, 10002, 422, "Invalid", "invalid object")                                \
        XX(EXPIRED, 10003, 410, "Expired", "revision has been compacted")                   \
        XX(UNSUPPORTED_MEDIA, 10004, 415, "UnsupportedMediaType", "unsupported media type") \
        XX(TOO_MANY_REQUESTS, 10005, 429, "TooManyRequests", "too many requests")           \
        XX(METHOD_NOT_ALLOWED, 10006, 405, "MethodNotAllowed", "method not allowed")        \
        XX(NOT_ACCEPTABLE, 10007, 406, "NotAcceptable", "not acceptable")                   \
        XX(UNAUTHORIZED, 10008, 401, "Unauthorized", "unauthorized")                        \
        XX(UNAVAILABLE, 10009, 503, "ServiceUnavailable", "service unavailable")            \
        XX(GONE, 10010, 410, "Gone", "gone")

enum {
#define KL_ERR_ENUM_(name, value, http, reason, text) KL_E##name = value,
        KL_ERRNO_MAP(KL_ERR_ENUM_)
#undef KL_ERR_ENUM_
};

struct kl_err {
        int code;  /* positive: an errno value or a KL_E* value */
        char *msg; /* owned; "outer context: inner context: root cause", no trailing newline */
};

/**
 * Record an error and return `neg_code`. `err` may be NULL (the caller wants only
 * the code); otherwise `*err` must be NULL on entry. The message is `fmt`
 * formatted; for errno codes the system's text is appended ("open 'x': No such
 * file or directory"), except for EINVAL, ERANGE and E2BIG, which describe the
 * content, and whose message already says what is wrong with it.
 */
int kl_err_set(struct kl_err **err, int neg_code, const char *fmt, ...) KL_PRINTF(3, 4);
int kl_err_setv(struct kl_err **err, int neg_code, const char *fmt, va_list ap) KL_PRINTF(3, 0);

/**
 * As kl_err_set(), but the message is exactly `fmt` formatted, whatever the
 * code: for errno values that describe content rather than a system call
 * (`pods "x" not found` is ENOENT, and "No such file or directory" would
 * mislead).
 */
int kl_err_set_msg(struct kl_err **err, int neg_code, const char *fmt, ...) KL_PRINTF(3, 4);

/**
 * Add context on the way up: "<fmt>: <previous message>". Returns `r`, the code
 * the failed callee returned, so `return kl_err_wrap(err, r, "update '%s'", n);`
 * works whether or not the caller asked for a message. (STYLE's sketch has no
 * `r`; without it a NULL `err` would leave the code unknown.)
 */
int kl_err_wrap(struct kl_err **err, int r, const char *fmt, ...) KL_PRINTF(3, 4);

void kl_err_free(struct kl_err *e); /* NULL is a no-op */

/* Text for a positive or negative code: strerror() or the KL_E* text. Static storage. */
const char *kl_strerror(int code);
/* "ENOENT", "KL_ECONFLICT", ... or "E?" for unknown codes. Static storage. */
const char *kl_err_name(int code);
/* HTTP status and Kubernetes StatusReason for an error code (sign ignored). */
int kl_err_code_http_status(int code);
const char *kl_err_code_reason(int code);
int kl_err_http_status(const struct kl_err *e);
const char *kl_err_reason(const struct kl_err *e);
/* The message, or "" for NULL. */
const char *kl_err_msg(const struct kl_err *e);

#endif
