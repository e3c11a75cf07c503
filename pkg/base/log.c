/* SPDX-License-Identifier: Apache-2.0 */
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/cleanup.h"
#include "base/file.h"
#include "base/str.h"
#include "base/time.h"

/* A line longer than this is cut: a log line is not a place for a whole object. */
#define KL_LOG_LINE_MAX 16384

static const char *const level_names[KL_LOG_LEVEL__COUNT] = {
        [KL_LOG_ERROR] = "error", [KL_LOG_WARN] = "warn",   [KL_LOG_INFO] = "info",
        [KL_LOG_DEBUG] = "debug", [KL_LOG_TRACE] = "trace",
};

static const char *const component_names[KL_LOG_COMPONENT__COUNT] = {
#define KL_LOG_COMP_NAME_(id, name) [KL_LOG_##id] = name,
        KL_LOG_COMPONENTS(KL_LOG_COMP_NAME_)
#undef KL_LOG_COMP_NAME_
};

/* Written only in main() before threads exist (kl_log_set_*), read everywhere. */
static enum kl_log_level component_level[KL_LOG_COMPONENT__COUNT] = {
#define KL_LOG_COMP_LEVEL_(id, name) [KL_LOG_##id] = KL_LOG_INFO,
        KL_LOG_COMPONENTS(KL_LOG_COMP_LEVEL_)
#undef KL_LOG_COMP_LEVEL_
};
static enum kl_log_format log_format = KL_LOG_FORMAT_TEXT;
static kl_log_sink_fn *log_sink;

void kl_log_set_level(enum kl_log_level level)
{
        kl_assert(level >= 0 && level < KL_LOG_LEVEL__COUNT);
        for (size_t i = 0; i < KL_LOG_COMPONENT__COUNT; i++)
                component_level[i] = level;
}

void kl_log_set_component_level(enum kl_log_component comp, enum kl_log_level level)
{
        kl_assert(comp >= 0 && comp < KL_LOG_COMPONENT__COUNT);
        kl_assert(level >= 0 && level < KL_LOG_LEVEL__COUNT);
        component_level[comp] = level;
}

void kl_log_set_format(enum kl_log_format format)
{
        kl_assert(format >= 0 && format < KL_LOG_FORMAT__COUNT);
        log_format = format;
}

void kl_log_set_sink(kl_log_sink_fn *sink)
{
        log_sink = sink;
}

enum kl_log_level kl_log_level_parse(const char *s)
{
        for (size_t i = 0; i < KL_LOG_LEVEL__COUNT; i++)
                if (kl_streq(s, level_names[i]))
                        return (enum kl_log_level)i;
        /* k3s and klog users write these. */
        if (kl_streq(s, "warning"))
                return KL_LOG_WARN;
        return KL_LOG_LEVEL__INVALID;
}

const char *kl_log_level_name(enum kl_log_level level)
{
        if (level < 0 || level >= KL_LOG_LEVEL__COUNT)
                return "?";
        return level_names[level];
}

enum kl_log_format kl_log_format_parse(const char *s)
{
        if (kl_streq(s, "text"))
                return KL_LOG_FORMAT_TEXT;
        if (kl_streq(s, "json"))
                return KL_LOG_FORMAT_JSON;
        return KL_LOG_FORMAT__INVALID;
}

enum kl_log_component kl_log_component_parse(const char *s)
{
        for (size_t i = 0; i < KL_LOG_COMPONENT__COUNT; i++)
                if (kl_streq(s, component_names[i]))
                        return (enum kl_log_component)i;
        return KL_LOG_COMPONENT__INVALID;
}

const char *kl_log_component_name(enum kl_log_component comp)
{
        if (comp < 0 || comp >= KL_LOG_COMPONENT__COUNT)
                return "?";
        return component_names[comp];
}

int kl_log_trace_parse(const char *list, struct kl_err **err)
{
        kl_autostrv char **names = kl_strv_split(list, ',');
        enum kl_log_component comps[KL_LOG_COMPONENT__COUNT];
        size_t n = 0;

        for (size_t i = 0; names[i]; i++) {
                enum kl_log_component c;

                if (!*names[i])
                        continue;
                c = kl_log_component_parse(names[i]);
                if (c < 0) {
                        kl_autobuf struct kl_buf known = KL_BUF_INIT;

                        for (size_t k = 0; k < KL_LOG_COMPONENT__COUNT; k++)
                                (void)kl_buf_printf(&known, "%s%s", k ? ", " : "",
                                                    component_names[k]);
                        return kl_err_set(err, -EINVAL, "unknown log component '%s' (known: %s)",
                                          names[i], known.buf);
                }
                if (n < KL_ARRAY_SIZE(comps))
                        comps[n++] = c;
        }
        /* All or nothing: a bad name changes no level. */
        for (size_t i = 0; i < n; i++)
                component_level[comps[i]] = KL_LOG_TRACE;
        return 0;
}

bool kl_log_enabled(enum kl_log_level level, enum kl_log_component comp)
{
        if (comp < 0 || comp >= KL_LOG_COMPONENT__COUNT)
                return level <= KL_LOG_INFO;
        return level <= component_level[comp];
}

/* JSON string body (no quotes); control characters escaped. */
static void json_escape(struct kl_buf *b, const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c == '"' || c == '\\')
                        (void)kl_buf_printf(b, "\\%c", c);
                else if (c == '\n')
                        (void)kl_buf_puts(b, "\\n");
                else if (c == '\t')
                        (void)kl_buf_puts(b, "\\t");
                else if (c < 0x20)
                        (void)kl_buf_printf(b, "\\u%04x", c);
                else
                        (void)kl_buf_putc(b, (char)c);
        }
}

static void sink_stderr(enum kl_log_level level, const char *line, size_t len)
{
        (void)level;
        (void)kl_write_all(STDERR_FILENO, line, len);
}

void kl_log_writev(enum kl_log_level level, enum kl_log_component comp, const char *fmt, va_list ap)
{
        kl_autobuf struct kl_buf line = KL_BUF_INIT_MAX(KL_LOG_LINE_MAX);
        kl_autobuf struct kl_buf msg = KL_BUF_INIT_MAX(KL_LOG_LINE_MAX);
        char ts[KL_RFC3339_MAX];

        (void)kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_MICRO, ts, sizeof(ts));
        if (kl_buf_vprintf(&msg, fmt, ap) < 0)
                (void)kl_buf_puts(&msg, "(log line too long, cut)");
        /* A message must stay one line: newlines inside it would forge log lines. */
        for (size_t i = 0; i < msg.len; i++)
                if (msg.buf[i] == '\n' && log_format == KL_LOG_FORMAT_TEXT)
                        msg.buf[i] = ' ';

        if (log_format == KL_LOG_FORMAT_JSON) {
                (void)kl_buf_printf(
                        &line, "{\"time\":\"%s\",\"level\":\"%s\",\"component\":\"%s\",\"msg\":\"",
                        ts, kl_log_level_name(level), kl_log_component_name(comp));
                json_escape(&line, msg.buf, msg.len);
                (void)kl_buf_puts(&line, "\"}");
        } else {
                (void)kl_buf_printf(&line, "%s %-5s %s: %s", ts, kl_log_level_name(level),
                                    kl_log_component_name(comp), msg.buf);
        }
        if (line.len == KL_LOG_LINE_MAX)
                kl_buf_truncate(&line, KL_LOG_LINE_MAX - 1);
        (void)kl_buf_putc(&line, '\n');
        (log_sink ? log_sink : sink_stderr)(level, line.buf, line.len);
}

void kl_log_write(enum kl_log_level level, enum kl_log_component comp, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        kl_log_writev(level, comp, fmt, ap);
        va_end(ap);
}

int kl_log_err(enum kl_log_level level, enum kl_log_component comp, const struct kl_err *e,
               const char *fmt, ...)
{
        kl_autofree char *what = NULL;
        va_list ap;

        if (!kl_log_enabled(level, comp))
                return e ? -e->code : -EIO;
        va_start(ap, fmt);
        what = kl_vasprintf(fmt, ap);
        va_end(ap);
        if (e)
                kl_log_write(level, comp, "%s: %s", what, kl_err_msg(e));
        else
                kl_log_write(level, comp, "%s", what);
        return e ? -e->code : -EIO;
}
