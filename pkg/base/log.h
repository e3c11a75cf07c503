/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging (STYLE §11).
 *
 * Library code does not log errors, it returns them; the top of an activity
 * (a request, one reconcile, main()) logs once with the full context chain.
 * Debug and trace logging is allowed anywhere: the level test happens before
 * the arguments are evaluated.
 *
 * One line per event, to stderr by default:
 *   2026-11-27T10:27:50.123456Z info  store: compacted revisions=1200 took=3ms
 * or, with KL_LOG_FORMAT_JSON, one JSON object per line. Object references go
 * last as key=value pairs; secrets are never logged.
 *
 * Thread-safe: each line is formatted into its own buffer and written with one
 * call to the sink.
 */
#ifndef KL_BASE_LOG_H
#define KL_BASE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/macro.h"

enum kl_log_level {
        KL_LOG_ERROR,
        KL_LOG_WARN,
        KL_LOG_INFO,
        KL_LOG_DEBUG,
        KL_LOG_TRACE,
        KL_LOG_LEVEL__COUNT,
        KL_LOG_LEVEL__INVALID = -EINVAL,
};

#define KL_LOG_COMPONENTS(XX) \
        XX(MAIN, "main")      \
        XX(CONFIG, "config")  \
        XX(HTTP, "http")      \
        XX(PKI, "pki")        \
        XX(API, "api")        \
        XX(STORE, "store")    \
        XX(SCHED, "sched")    \
        XX(CTRL, "ctrl")      \
        XX(AGENT, "agent")    \
        XX(RT, "rt")          \
        XX(NET, "net")        \
        XX(PROXY, "proxy")    \
        XX(DNS, "dns")        \
        XX(REGISTRY, "registry")

enum kl_log_component {
#define KL_LOG_COMP_ENUM_(id, name) KL_LOG_##id,
        KL_LOG_COMPONENTS(KL_LOG_COMP_ENUM_)
#undef KL_LOG_COMP_ENUM_
        KL_LOG_COMPONENT__COUNT,
        KL_LOG_COMPONENT__INVALID = -EINVAL,
};

enum kl_log_format {
        KL_LOG_FORMAT_TEXT,
        KL_LOG_FORMAT_JSON,
        KL_LOG_FORMAT__COUNT,
        KL_LOG_FORMAT__INVALID = -EINVAL,
};

/* Receives one complete line, newline included. Called from any thread. */
typedef void kl_log_sink_fn(enum kl_log_level level, const char *line, size_t len);

/* Set once in main(), before threads start. */
void kl_log_set_level(enum kl_log_level level);
void kl_log_set_component_level(enum kl_log_component comp, enum kl_log_level level);
void kl_log_set_format(enum kl_log_format format);
void kl_log_set_sink(kl_log_sink_fn *sink); /* NULL restores stderr */

enum kl_log_level kl_log_level_parse(const char *s);
const char *kl_log_level_name(enum kl_log_level level);
enum kl_log_format kl_log_format_parse(const char *s);
enum kl_log_component kl_log_component_parse(const char *s);
const char *kl_log_component_name(enum kl_log_component comp);
/* "store,http": raise these components to trace. -EINVAL names no component. */
int kl_log_trace_parse(const char *list, struct kl_err **err);

bool kl_log_enabled(enum kl_log_level level, enum kl_log_component comp);

void kl_log_write(enum kl_log_level level, enum kl_log_component comp, const char *fmt, ...)
        KL_PRINTF(3, 4);
void kl_log_writev(enum kl_log_level level, enum kl_log_component comp, const char *fmt, va_list ap)
        KL_PRINTF(3, 0);

#define kl_log(level, comp, ...)                                    \
        do {                                                        \
                if (kl_log_enabled((level), (comp)))                \
                        kl_log_write((level), (comp), __VA_ARGS__); \
        } while (0)

#define kl_log_error(comp, ...) kl_log(KL_LOG_ERROR, comp, __VA_ARGS__)
#define kl_log_warn(comp, ...)  kl_log(KL_LOG_WARN, comp, __VA_ARGS__)
#define kl_log_info(comp, ...)  kl_log(KL_LOG_INFO, comp, __VA_ARGS__)
#define kl_log_debug(comp, ...) kl_log(KL_LOG_DEBUG, comp, __VA_ARGS__)
#define kl_log_trace(comp, ...) kl_log(KL_LOG_TRACE, comp, __VA_ARGS__)

/*
 * Log "<fmt>: <error message>" and return the error's negative code, so that
 * log-and-return is one expression. `e` is borrowed; NULL logs the format
 * alone and returns -EIO.
 */
int kl_log_err(enum kl_log_level level, enum kl_log_component comp, const struct kl_err *e,
               const char *fmt, ...) KL_PRINTF(4, 5);

#endif
