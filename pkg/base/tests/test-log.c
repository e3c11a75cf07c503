/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "base/base.h"

static char captured[4096];
static size_t n_lines;

static void capture(enum kl_log_level level, const char *line, size_t len)
{
        (void)level;
        n_lines++;
        snprintf(captured, sizeof(captured), "%.*s", (int)len, line);
}

static void setup(void)
{
        kl_log_set_sink(capture);
        kl_log_set_format(KL_LOG_FORMAT_TEXT);
        kl_log_set_level(KL_LOG_INFO);
}

TestSuite(log, .init = setup);

Test(log, text_line)
{
        kl_log_info(KL_LOG_STORE, "compacted revisions=%d", 12);
        cr_assert_eq(n_lines, 1);
        cr_assert(strstr(captured, " info  store: compacted revisions=12\n"), "%s", captured);
        cr_assert(captured[4] == '-' && strchr(captured, 'Z'), "%s", captured);
}

static int evaluated;

static int side_effect(void)
{
        return ++evaluated;
}

Test(log, level_checked_before_arguments)
{
        kl_log_debug(KL_LOG_STORE, "x=%d", side_effect());
        cr_assert_eq(evaluated, 0);
        cr_assert_eq(n_lines, 0);
        cr_assert_eq(kl_log_trace_parse("store,http", NULL), 0);
        kl_log_debug(KL_LOG_STORE, "x=%d", side_effect());
        cr_assert_eq(evaluated, 1);
        kl_log_debug(KL_LOG_API, "x=%d", side_effect());
        cr_assert_eq(evaluated, 1);
}

Test(log, trace_list_rejects_unknown)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_log_trace_parse("store,nope", &e), -EINVAL);
        cr_assert(strstr(e->msg, "unknown log component 'nope' (known: main, config"), "%s",
                  e->msg);
        cr_assert(!kl_log_enabled(KL_LOG_TRACE, KL_LOG_STORE));
}

Test(log, json_format_escapes)
{
        kl_log_set_format(KL_LOG_FORMAT_JSON);
        kl_log_warn(KL_LOG_HTTP, "bad \"header\"\nnext");
        cr_assert(strstr(captured, "\"level\":\"warn\",\"component\":\"http\","
                                   "\"msg\":\"bad \\\"header\\\"\\nnext\"}\n"),
                  "%s", captured);
}

Test(log, text_format_keeps_one_line)
{
        kl_log_warn(KL_LOG_HTTP, "a\nb");
        cr_assert(strstr(captured, "http: a b\n"), "%s", captured);
}

Test(log, log_err_returns_code)
{
        kl_autoerr struct kl_err *e = NULL;

        (void)kl_err_set(&e, -KL_ECONFLICT, "modified");
        cr_assert_eq(kl_log_err(KL_LOG_WARN, KL_LOG_CTRL, e, "reconcile '%s'", "d"), -KL_ECONFLICT);
        cr_assert(strstr(captured, "ctrl: reconcile 'd': modified\n"), "%s", captured);
}

Test(log, parse_names)
{
        cr_assert_eq(kl_log_level_parse("debug"), KL_LOG_DEBUG);
        cr_assert_eq(kl_log_level_parse("warning"), KL_LOG_WARN);
        cr_assert_eq(kl_log_level_parse("loud"), KL_LOG_LEVEL__INVALID);
        cr_assert_eq(kl_log_format_parse("json"), KL_LOG_FORMAT_JSON);
        cr_assert_eq(kl_log_component_parse("proxy"), KL_LOG_PROXY);
}
