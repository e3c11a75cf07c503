/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure parts of containerLogs (server-logs.c) against upstream's
 * behaviour (pkg/kubelet/kuberuntime/logs, pkg/util/tail, the kubelet's
 * validateContainerLogStatus): query options, the CRI reader (partial lines,
 * timestamps, since, limitBytes, tail), and finding the attempt to read.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "agent/server-internal.h"
#include "base/base.h"
#include "testing/testing.h"

/* ---- query strings ---- */

Test(server_logs, query_values)
{
        kl_autofree char *v = NULL;
        kl_autostrv char **all = NULL;

        cr_assert_eq(kl_agent__query_get("a=1&b=x%20y+z&a=2", "b", &v), 1);
        cr_assert_str_eq(v, "x y z");
        cr_assert_eq(kl_agent__query_get("a=1", "b", &v), 0);
        all = kl_agent__query_all("command=ls&command=%2F&x=1&command=-l", "command");
        cr_assert_eq(kl_strv_length(all), 3);
        cr_assert_str_eq(all[0], "ls");
        cr_assert_str_eq(all[1], "/");
        cr_assert_str_eq(all[2], "-l");
        /* A malformed pair is skipped, as url.ParseQuery does for Query(). */
        free(v);
        v = NULL;
        cr_assert_eq(kl_agent__query_get("b=%zz&b=ok", "b", &v), 1);
        cr_assert_str_eq(v, "ok");
        cr_assert(kl_agent__query_bool("stdin=true", "stdin"));
        cr_assert(kl_agent__query_bool("stdin=1", "stdin"));
        cr_assert_not(kl_agent__query_bool("stdin=0", "stdin"));
        cr_assert_not(kl_agent__query_bool("stdin=yes", "stdin"));
        cr_assert_not(kl_agent__query_bool("", "stdin"));
}

/* ---- options ---- */

#define NOW ((int64_t)1700000000 * 1000000)

struct opts_case {
        const char *query;
        int r; /* 0, -EINVAL (decode) or -KL_EINVALID (validation) */
        bool follow, previous, timestamps;
        int64_t tail, limit, since;
};

static const struct opts_case opts_cases[] = {
        { "", 0, false, false, false, -1, -1, INT64_MIN },
        { "follow=true&previous=1&timestamps=True", 0, true, true, true, -1, -1, INT64_MIN },
        { "tailLines=10&limitBytes=100", 0, false, false, false, 10, 100, INT64_MIN },
        { "tailLines=0", 0, false, false, false, 0, -1, INT64_MIN },
        { "tail=5", 0, false, false, false, 5, -1, INT64_MIN },
        { "tail=all&tailLines=3", 0, false, false, false, -1, -1, INT64_MIN },
        { "sinceSeconds=300", 0, false, false, false, -1, -1, NOW - 300 * 1000000LL },
        { "sinceTime=2023-11-14T22:13:00Z", 0, false, false, false, -1, -1,
          (int64_t)1699999980 * 1000000 },
        { "sinceTime=2023-11-14T22:13:00.75Z", 0, false, false, false, -1, -1,
          (int64_t)1699999980 * 1000000 },
        { "follow=", 0, false, false, false, -1, -1, INT64_MIN },
        { "tailLines=", 0, false, false, false, -1, -1, INT64_MIN },
        { "follow=maybe", -EINVAL, false, false, false, 0, 0, 0 },
        { "tailLines=x", -EINVAL, false, false, false, 0, 0, 0 },
        { "sinceTime=yesterday", -EINVAL, false, false, false, 0, 0, 0 },
        { "tailLines=-1", -KL_EINVALID, false, false, false, 0, 0, 0 },
        { "limitBytes=0", -KL_EINVALID, false, false, false, 0, 0, 0 },
        { "sinceSeconds=0", -KL_EINVALID, false, false, false, 0, 0, 0 },
        { "sinceSeconds=5&sinceTime=2023-11-14T22:13:00Z", -KL_EINVALID, false, false, false, 0, 0,
          0 },
};

Test(server_logs, options)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(opts_cases); i++) {
                const struct opts_case *c = &opts_cases[i];
                struct kl_agent__log_opts o = { 0 };
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_agent__log_opts_parse(c->query, NOW, &o, &e);

                cr_assert_eq(r, c->r, "'%s': %d (%s)", c->query, r, kl_err_msg(e));
                if (r < 0) {
                        cr_assert(*kl_err_msg(e));
                        continue;
                }
                cr_assert_eq(o.follow, c->follow, "'%s'", c->query);
                cr_assert_eq(o.previous, c->previous, "'%s'", c->query);
                cr_assert_eq(o.timestamps, c->timestamps, "'%s'", c->query);
                cr_assert_eq(o.tail, c->tail, "'%s'", c->query);
                cr_assert_eq(o.limit_bytes, c->limit, "'%s'", c->query);
                cr_assert_eq(o.since_usec, c->since, "'%s': %lld", c->query,
                             (long long)o.since_usec);
        }
}

/* ---- the reader ---- */

static const char log_text[] = "2023-11-14T22:13:20.000000001Z stdout F first\n"
                               "2023-11-14T22:13:21.5Z stderr F second\n"
                               "2023-11-14T22:13:22.123456789Z stdout P par\n"
                               "2023-11-14T22:13:22.200000000Z stdout P ti\n"
                               "2023-11-14T22:13:22.300000000Z stdout F al\n"
                               "garbage that is not a CRI line\n"
                               "2023-11-14T23:13:23+01:00 stdout F zoned\n";

static char *read_all(const struct kl_agent__log_opts *o, const char *text, size_t step)
{
        struct kl_agent__log_reader r;
        struct kl_buf out = KL_BUF_INIT;
        size_t len = strlen(text);

        kl_agent__log_reader_init(&r, o);
        for (size_t off = 0; off < len; off += step) {
                size_t n = KL_MIN(step, len - off);

                if (kl_agent__log_reader_feed(&r, text + off, n, off + n == len, &out))
                        break;
        }
        if (len == 0)
                (void)kl_agent__log_reader_feed(&r, "", 0, true, &out);
        kl_agent__log_reader_release(&r);
        return kl_buf_detach(&out, NULL);
}

struct reader_case {
        const char *name;
        struct kl_agent__log_opts o;
        const char *want;
};

static const struct reader_case reader_cases[] = {
        { "plain",
          { .tail = -1, .limit_bytes = -1, .since_usec = INT64_MIN },
          "first\nsecond\npartial\nzoned\n" },
        { "timestamps",
          { .timestamps = true, .tail = -1, .limit_bytes = -1, .since_usec = INT64_MIN },
          "2023-11-14T22:13:20.000000001Z first\n"
          "2023-11-14T22:13:21.500000000Z second\n"
          "2023-11-14T22:13:22.123456789Z partial\n"
          "2023-11-14T23:13:23.000000000+01:00 zoned\n" },
        { "since",
          { .tail = -1, .limit_bytes = -1, .since_usec = (int64_t)1700000001 * 1000000 },
          "second\npartial\nzoned\n" },
        { "limit", { .tail = -1, .limit_bytes = 9, .since_usec = INT64_MIN }, "first\nsec" },
        { "limit with timestamps",
          { .timestamps = true, .tail = -1, .limit_bytes = 12, .since_usec = INT64_MIN },
          "2023-11-14T2" },
        { "tail counts entries",
          { .tail = 2, .limit_bytes = -1, .since_usec = INT64_MIN },
          "first\nsecond\n" },
        { "tail with timestamps",
          { .timestamps = true, .tail = 1, .limit_bytes = -1, .since_usec = INT64_MIN },
          "2023-11-14T22:13:20.000000001Z first\n" },
        { "tail zero", { .tail = 0, .limit_bytes = -1, .since_usec = INT64_MIN }, "" },
};

Test(server_logs, reader)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(reader_cases); i++) {
                const struct reader_case *c = &reader_cases[i];
                static const size_t steps[] = { 1, 7, 4096 };

                for (size_t k = 0; k < KL_ARRAY_SIZE(steps); k++) {
                        kl_autofree char *got = read_all(&c->o, log_text, steps[k]);

                        cr_assert_str_eq(got, c->want, "%s (step %zu)", c->name, steps[k]);
                }
        }
}

Test(server_logs, reader_last_line_without_newline)
{
        struct kl_agent__log_opts o = { .tail = -1, .limit_bytes = -1, .since_usec = INT64_MIN };
        struct kl_agent__log_reader r;
        struct kl_buf out = KL_BUF_INIT;
        const char *text = "2023-11-14T22:13:20Z stdout F a\n2023-11-14T22:13:21Z stdout F b";

        kl_agent__log_reader_init(&r, &o);
        cr_assert_not(kl_agent__log_reader_feed(&r, text, strlen(text), false, &out));
        cr_assert_str_eq(out.buf, "a\n", "an unfinished line waits for more");
        cr_assert_not(kl_agent__log_reader_feed(&r, "", 0, true, &out));
        cr_assert_str_eq(out.buf, "a\nb\n", "at the end of the file it is a line");
        kl_agent__log_reader_release(&r);
        kl_buf_release(&out);
}

Test(server_logs, reader_drops_overlong_lines)
{
        struct kl_agent__log_opts o = { .tail = -1, .limit_bytes = -1, .since_usec = INT64_MIN };
        struct kl_agent__log_reader r;
        struct kl_buf out = KL_BUF_INIT;
        size_t big = KL_AGENT__LOG_LINE_MAX + 10;
        char *junk = kl_malloc(big);

        memset(junk, 'x', big);
        kl_agent__log_reader_init(&r, &o);
        (void)kl_agent__log_reader_feed(&r, "2023-11-14T22:13:20Z stdout F ", 30, false, &out);
        (void)kl_agent__log_reader_feed(&r, junk, big, false, &out);
        (void)kl_agent__log_reader_feed(&r, junk, big, false, &out);
        (void)kl_agent__log_reader_feed(&r, "\n2023-11-14T22:13:20Z stdout F ok\n", 34, false,
                                        &out);
        cr_assert_str_eq(out.buf, "ok\n");
        kl_agent__log_reader_release(&r);
        kl_buf_release(&out);
        free(junk);
}

Test(server_logs, time_format)
{
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.000000000Z" },
                { "2023-11-14T22:13:20.5Z", "2023-11-14T22:13:20.500000000Z" },
                { "2023-11-14T22:13:20.123456789Z", "2023-11-14T22:13:20.123456789Z" },
                { "2023-11-14T22:13:20.1234567891Z", "2023-11-14T22:13:20.123456789Z" },
                { "2023-11-14T22:13:20.1+02:00", "2023-11-14T22:13:20.100000000+02:00" },
                { "2023-11-14T22:13:20+00:00", "2023-11-14T22:13:20.000000000Z" },
        };
        char buf[80];

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                size_t n = kl_agent__log_time_format(cases[i].in, strlen(cases[i].in), buf,
                                                     sizeof(buf));

                cr_assert_gt(n, 0);
                cr_assert_str_eq(buf, cases[i].want);
                cr_assert_eq(n, strlen(cases[i].want));
        }
}

Test(server_logs, tail_start)
{
        static const struct {
                const char *text;
                int64_t n, want;
        } cases[] = {
                { "a\nb\nc\n", 1, 4 },
                { "a\nb\nc\n", 2, 2 },
                { "a\nb\nc\n", 3, 0 },
                { "a\nb\nc\n", 10, 0 },
                { "a\nb\nc\n", 0, 6 },
                { "a\nb\nc\n", -1, 0 },
                /* Upstream counts newlines: an unterminated last line is not one. */
                { "a\nb\nc", 1, 2 },
                { "", 3, 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *p = kl_test_write_file(kl_test_tmpdir(), "tail", cases[i].text);
                kl_autoclose int fd = open(p, O_RDONLY | O_CLOEXEC);
                int64_t off = -1;

                cr_assert_geq(fd, 0);
                cr_assert_eq(kl_agent__log_tail_start(fd, (int64_t)strlen(cases[i].text),
                                                      cases[i].n, &off),
                             0);
                cr_assert_eq(off, cases[i].want, "case %zu: %lld", i, (long long)off);
        }
}

/* A long file: the scan crosses its block boundaries. */
Test(server_logs, tail_start_long)
{
        struct kl_buf b = KL_BUF_INIT;
        kl_autofree char *p = NULL;
        kl_autoclose int fd = -1;
        int64_t off = -1;

        for (int i = 0; i < 5000; i++)
                cr_assert_eq(kl_buf_printf(&b, "line %d\n", i), 0);
        p = kl_test_write_file(kl_test_tmpdir(), "long", b.buf);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        cr_assert_eq(kl_agent__log_tail_start(fd, (int64_t)b.len, 3, &off), 0);
        cr_assert_str_eq(b.buf + off, "line 4997\nline 4998\nline 4999\n");
        kl_buf_release(&b);
}

/* ---- finding the attempt ---- */

static struct kl_ctr_state state(const char *id, const char *pod, const char *ctr, unsigned attempt,
                                 enum kl_ctr_status st)
{
        struct kl_ctr_state s = { .id = kl_strdup(id), .status = st };

        kl_strv_push_take(&s.labels, kl_asprintf("%s=default", KL_AGENT__LABEL_POD_NS));
        kl_strv_push_take(&s.labels, kl_asprintf("%s=%s", KL_AGENT__LABEL_POD_NAME, pod));
        kl_strv_push_take(&s.labels, kl_asprintf("%s=%s", KL_AGENT__LABEL_CTR_NAME, ctr));
        kl_strv_push_take(&s.labels, kl_asprintf("%s=%u", KL_AGENT__LABEL_ATTEMPT, attempt));
        s.log_path = kl_asprintf("/logs/%s.log", id);
        return s;
}

struct find_case {
        const char *pod, *ctr;
        const char *want_id; /* or NULL */
        const char *msg;
        enum kl_agent__find_mode mode;
        int r;
};

static const struct find_case find_cases[] = {
        { "web", "app", "web-app-2", NULL, KL_AGENT__FIND_LOGS, 0 },
        { "web", "app", "web-app-1", NULL, KL_AGENT__FIND_PREVIOUS, 0 },
        { "web", "app", "web-app-2", NULL, KL_AGENT__FIND_RUNNING, 0 },
        { "web", "side", NULL,
          "container \"side\" in pod \"web\" is waiting to start: ContainerCreating",
          KL_AGENT__FIND_LOGS, -EINVAL },
        { "web", "side", NULL, "container not found (\"side\")", KL_AGENT__FIND_RUNNING, -ENOENT },
        { "web", "init", NULL, "previous terminated container \"init\" in pod \"web\" not found",
          KL_AGENT__FIND_PREVIOUS, -EINVAL },
        { "web", "init", NULL, "container not found (\"init\")", KL_AGENT__FIND_RUNNING, -ENOENT },
        { "web", "init", "web-init-0", NULL, KL_AGENT__FIND_LOGS, 0 },
        { "crash", "c", "crash-c-3", NULL, KL_AGENT__FIND_LOGS, 0 },
        { "crash", "c", "crash-c-3", NULL, KL_AGENT__FIND_PREVIOUS, 0 },
        { "fresh", "c", NULL,
          "container \"c\" in pod \"fresh\" is waiting to start: ContainerCreating",
          KL_AGENT__FIND_LOGS, -EINVAL },
        /* Waiting in CrashLoopBackOff: the newest dead attempt is lastState, --previous too. */
        { "loop", "c", "loop-c-1", NULL, KL_AGENT__FIND_LOGS, 0 },
        { "loop", "c", "loop-c-1", NULL, KL_AGENT__FIND_PREVIOUS, 0 },
        /* A first attempt that ended (restartPolicy Never) has no previous one. */
        { "once", "c", NULL, "previous terminated container \"c\" in pod \"once\" not found",
          KL_AGENT__FIND_PREVIOUS, -EINVAL },
        { "nope", "c", NULL, "pod \"nope\" does not exist", KL_AGENT__FIND_LOGS, -ENOENT },
};

Test(server_logs, find_container)
{
        struct kl_ctr_state v[] = {
                state("web-app-0", "web", "app", 0, KL_CTR_STOPPED),
                state("web-app-2", "web", "app", 2, KL_CTR_RUNNING),
                state("web-app-1", "web", "app", 1, KL_CTR_STOPPED),
                state("web-init-0", "web", "init", 0, KL_CTR_STOPPED),
                state("crash-c-3", "crash", "c", 3, KL_CTR_STOPPED),
                state("crash-c-4", "crash", "c", 4, KL_CTR_CREATED),
                state("fresh-c-0", "fresh", "c", 0, KL_CTR_CREATED),
                state("loop-c-1", "loop", "c", 1, KL_CTR_STOPPED),
                state("once-c-0", "once", "c", 0, KL_CTR_STOPPED),
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(find_cases); i++) {
                const struct find_case *c = &find_cases[i];
                struct kl_agent__found f = { 0 };
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_agent__find_container(v, KL_ARRAY_SIZE(v), "default", c->pod, c->ctr,
                                                 c->mode, &f, &e);

                cr_assert_eq(r, c->r, "case %zu: %d %s", i, r, kl_err_msg(e));
                if (r < 0) {
                        cr_assert_str_eq(kl_err_msg(e), c->msg);
                        continue;
                }
                cr_assert_str_eq(f.id, c->want_id, "case %zu", i);
                cr_assert_not_null(f.log_path);
                kl_agent__found_release(&f);
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(v); i++)
                kl_ctr_state_release(&v[i]);
}

Test(server_logs, status_json)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *s = NULL;

        (void)kl_err_set_msg(&e, -EINVAL,
                             "container \"c\" in pod \"p\" is waiting to start: ContainerCreating");
        s = kl_agent__status_json(e, NULL, NULL);
        cr_assert_str_eq(s, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                            "\"status\":\"Failure\",\"message\":\"container \\\"c\\\" in pod "
                            "\\\"p\\\" is waiting to start: ContainerCreating\",\"reason\":"
                            "\"BadRequest\",\"code\":400}");
}
