/* SPDX-License-Identifier: Apache-2.0 */
/* Cron schedules (robfig/cron v3 ParseStandard and Next) and time zones (Go's LoadLocation). */
#include <criterion/criterion.h>
#include <unistd.h>

#include "controllers/ctrl-internal.h"

static kl_usec_t T(const char *rfc3339)
{
        int64_t t;

        cr_assert_eq(kl_rfc3339_parse(rfc3339, &t), 0, "bad test time %s", rfc3339);
        return (kl_usec_t)t;
}

static char *fmt(kl_usec_t t)
{
        char buf[KL_RFC3339_MAX];

        return kl_strdup(kl_rfc3339_format(t, KL_RFC3339_SECONDS, buf, sizeof(buf)));
}

struct next_case {
        const char *name, *spec, *after, *want; /* want NULL: no time within five years */
};

static const struct next_case next_cases[] = {
        { "every_minute", "* * * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z" },
        { "fraction_of_second_rounds_up", "* * * * *", "2024-01-01T00:00:59Z",
          "2024-01-01T00:01:00Z" },
        { "step_minutes", "*/15 * * * *", "2024-01-01T00:07:30Z", "2024-01-01T00:15:00Z" },
        { "range_with_step", "10-40/10 * * * *", "2024-01-01T00:35:00Z", "2024-01-01T00:40:00Z" },
        { "single_value_with_step_runs_to_max", "50/5 * * * *", "2024-01-01T00:51:00Z",
          "2024-01-01T00:55:00Z" },
        { "list", "5,45 * * * *", "2024-01-01T00:06:00Z", "2024-01-01T00:45:00Z" },
        { "weekdays_skip_weekend", "0 9 * * 1-5", "2024-01-05T10:00:00Z", "2024-01-08T09:00:00Z" },
        { "day_names", "0 9 * * MON,wed", "2024-01-02T00:00:00Z", "2024-01-03T09:00:00Z" },
        { "month_names", "0 0 1 jun *", "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z" },
        { "dom_or_dow_when_both_restricted", "0 0 13 * 5", "2024-01-01T00:00:00Z",
          "2024-01-05T00:00:00Z" },
        { "dom_and_dow_when_one_is_star", "0 0 13 * *", "2024-01-01T00:00:00Z",
          "2024-01-13T00:00:00Z" },
        { "question_mark_is_star", "0 0 ? * 0", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z" },
        { "leap_day", "0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z" },
        { "impossible_date_gives_none", "0 0 30 2 *", "2024-01-01T00:00:00Z", NULL },
        { "yearly", "@yearly", "2024-05-05T00:00:00Z", "2025-01-01T00:00:00Z" },
        { "annually", "@annually", "2024-05-05T00:00:00Z", "2025-01-01T00:00:00Z" },
        { "monthly", "@monthly", "2024-01-31T12:00:00Z", "2024-02-01T00:00:00Z" },
        { "weekly_is_sunday", "@weekly", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z" },
        { "daily", "@daily", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z" },
        { "midnight", "@midnight", "2024-01-01T23:59:59Z", "2024-01-02T00:00:00Z" },
        { "hourly", "@hourly", "2024-01-01T10:30:00Z", "2024-01-01T11:00:00Z" },
        { "every_duration", "@every 90s", "2024-01-01T00:00:00Z", "2024-01-01T00:01:30Z" },
        { "every_rounds_down_to_seconds", "@every 1m30.9s", "2024-01-01T00:00:00Z",
          "2024-01-01T00:01:30Z" },
        { "timezone_prefix", "TZ=America/New_York 0 9 * * *", "2024-03-09T15:00:00Z",
          "2024-03-10T13:00:00Z" },
        { "cron_tz_prefix", "CRON_TZ=Europe/Berlin 0 9 * * *", "2024-07-01T00:00:00Z",
          "2024-07-01T07:00:00Z" },
        { "dst_skipped_wall_time_is_skipped", "TZ=America/New_York 30 2 * * *",
          "2024-03-10T05:00:00Z", "2024-03-11T06:30:00Z" },
        { "zone_rule_past_the_table", "TZ=America/New_York 0 12 1 7 *", "2040-01-01T00:00:00Z",
          "2040-07-01T16:00:00Z" },
        { "southern_hemisphere_summer", "TZ=Australia/Sydney 0 12 1 1 *", "2024-06-01T00:00:00Z",
          "2025-01-01T01:00:00Z" },
};

Test(cron, next_times)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(next_cases); i++) {
                const struct next_case *c = &next_cases[i];
                kl_cleanup(kl_ctrl_cron_freep) struct kl_ctrl_cron *s = NULL;
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *got = NULL;
                kl_usec_t next;

                cr_assert_eq(kl_ctrl_cron_parse(c->spec, NULL, &s, &e), 0, "%s: %s", c->name,
                             e ? kl_err_msg(e) : "");
                next = kl_ctrl_cron_next(s, T(c->after) + (i == 1 ? 500 * KL_USEC_PER_MSEC : 0));
                if (!c->want) {
                        cr_expect_eq(next, 0, "%s", c->name);
                        continue;
                }
                got = fmt(next);
                cr_expect_str_eq(got, c->want, "%s", c->name);
        }
}

struct err_case {
        const char *name, *spec, *msg;
};

static const struct err_case err_cases[] = {
        { "empty", "", "empty spec string" },
        { "four_fields", "* * * *", "expected exactly 5 fields, found 4: [* * * *]" },
        { "six_fields", "0 * * * * *", "expected exactly 5 fields, found 6: [0 * * * * *]" },
        { "minute_above_max", "60 * * * *", "end of range (60) above maximum (59): 60" },
        { "day_below_min", "0 0 0 * *", "beginning of range (0) below minimum (1): 0" },
        { "reversed_range", "0 5-2 * * *", "beginning of range (5) beyond end of range (2): 5-2" },
        { "zero_step", "*/0 * * * *", "step of range should be a positive number: */0" },
        { "too_many_hyphens", "1-2-3 * * * *", "too many hyphens: 1-2-3" },
        { "too_many_slashes", "*/2/3 * * * *", "too many slashes: */2/3" },
        { "not_a_number", "x * * * *",
          "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax" },
        { "negative_step", "*/-1 * * * *", "negative number (-1) not allowed: -1" },
        { "leading_hyphen", "-5 * * * *",
          "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax" },
        { "seven_is_not_sunday", "0 0 * * 7", "end of range (7) above maximum (6): 7" },
        { "unknown_descriptor", "@fortnightly", "unrecognized descriptor: @fortnightly" },
        { "every_without_unit", "@every 5",
          "failed to parse duration @every 5: time: missing unit in duration \"5\"" },
        { "unknown_zone", "TZ=Mars/Olympus * * * * *",
          "provided bad location Mars/Olympus: unknown time zone Mars/Olympus" },
};

Test(cron, parse_errors_are_robfigs)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(err_cases); i++) {
                const struct err_case *c = &err_cases[i];
                kl_cleanup(kl_ctrl_cron_freep) struct kl_ctrl_cron *s = NULL;
                kl_autoerr struct kl_err *e = NULL;

                cr_expect_eq(kl_ctrl_cron_parse(c->spec, NULL, &s, &e), -EINVAL, "%s", c->name);
                cr_expect_null(s, "%s", c->name);
                cr_expect_str_eq(kl_err_msg(e), c->msg, "%s", c->name);
        }
}

Test(cron, overlong_schedule_is_refused)
{
        kl_autofree char *spec = kl_calloc(KL_CTRL_CRON_MAX_LEN + 2, 1);
        struct kl_ctrl_cron *s = NULL;
        kl_autoerr struct kl_err *e = NULL;

        memset(spec, '1', KL_CTRL_CRON_MAX_LEN + 1);
        cr_expect_eq(kl_ctrl_cron_parse(spec, NULL, &s, &e), -EINVAL);
        cr_expect_null(s);
}

Test(tz, offsets_and_formatting)
{
        struct kl_ctrl_tz *ny = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *winter = NULL, *summer = NULL, *future = NULL, *utc = NULL;

        cr_assert_eq(kl_ctrl_tz_load(NULL, "America/New_York", &ny, &e), 0);
        cr_assert_not_null(ny);
        cr_expect_str_eq(kl_ctrl_tz_name(ny), "America/New_York");
        cr_expect_eq(kl_ctrl_tz_offset(ny, (int64_t)(T("2024-01-15T12:00:00Z") / KL_USEC_PER_SEC)),
                     -5 * 3600);
        cr_expect_eq(kl_ctrl_tz_offset(ny, (int64_t)(T("2024-07-15T12:00:00Z") / KL_USEC_PER_SEC)),
                     -4 * 3600);
        /* The change happens at 2:00 local standard time, 07:00 UTC. */
        cr_expect_eq(kl_ctrl_tz_offset(ny, (int64_t)(T("2024-03-10T06:59:59Z") / KL_USEC_PER_SEC)),
                     -5 * 3600);
        cr_expect_eq(kl_ctrl_tz_offset(ny, (int64_t)(T("2024-03-10T07:00:00Z") / KL_USEC_PER_SEC)),
                     -4 * 3600);
        winter = kl_ctrl_tz_format(ny, (int64_t)(T("2024-01-15T14:00:00Z") / KL_USEC_PER_SEC));
        summer = kl_ctrl_tz_format(ny, (int64_t)(T("2024-07-15T13:00:00Z") / KL_USEC_PER_SEC));
        future = kl_ctrl_tz_format(ny, (int64_t)(T("2100-07-15T13:00:00Z") / KL_USEC_PER_SEC));
        utc = kl_ctrl_tz_format(NULL, (int64_t)(T("2024-07-15T13:00:00Z") / KL_USEC_PER_SEC));
        cr_expect_str_eq(winter, "2024-01-15T09:00:00-05:00");
        cr_expect_str_eq(summer, "2024-07-15T09:00:00-04:00");
        cr_expect_str_eq(future, "2100-07-15T09:00:00-04:00");
        cr_expect_str_eq(utc, "2024-07-15T13:00:00Z");
        kl_ctrl_tz_free(ny);
}

Test(tz, utc_names_and_errors)
{
        struct kl_ctrl_tz *tz = (struct kl_ctrl_tz *)1;
        kl_autoerr struct kl_err *e1 = NULL;
        kl_autoerr struct kl_err *e2 = NULL;
        kl_autoerr struct kl_err *e3 = NULL;

        cr_expect_eq(kl_ctrl_tz_load(NULL, "UTC", &tz, NULL), 0);
        cr_expect_null(tz);
        cr_expect_eq(kl_ctrl_tz_load(NULL, "Mars/Olympus", &tz, &e1), -EINVAL);
        cr_expect_str_eq(kl_err_msg(e1), "unknown time zone Mars/Olympus");
        cr_expect_eq(kl_ctrl_tz_load(NULL, "../etc/passwd", &tz, &e2), -EINVAL);
        cr_expect_str_eq(kl_err_msg(e2), "time: invalid location name");
        cr_expect_eq(kl_ctrl_tz_parse("x", "TZif2", 5, &tz, &e3), -EINVAL);
        cr_expect_str_eq(kl_err_msg(e3), "malformed time zone information");
}

Test(tz, footer_rule_alone)
{
        /* A version 2 file with no transitions and only a footer rule: EST5EDT. */
        static const char footer[] = "\nEST5EDT,M3.2.0,M11.1.0\n";
        unsigned char data[256] = { 0 };
        size_t n = 0;
        struct kl_ctrl_tz *tz = NULL;
        kl_autoerr struct kl_err *e = NULL;

        for (int block = 0; block < 2; block++) {
                static const unsigned char header[44] = {
                        'T',      'Z', 'i', 'f', '2', [39] = 1, /* typecnt */
                        [43] = 4,                               /* charcnt */
                };
                /* One type: -18000, not daylight time, abbreviation 0; then "EST". */
                static const unsigned char body[10] = { 0xff, 0xff, 0xb9, 0xb0, 0,
                                                        0,    'E',  'S',  'T',  0 };

                memcpy(data + n, header, sizeof(header));
                n += sizeof(header);
                memcpy(data + n, body, sizeof(body));
                n += sizeof(body);
        }
        memcpy(data + n, footer, sizeof(footer) - 1);
        n += sizeof(footer) - 1;
        cr_assert_eq(kl_ctrl_tz_parse("EST5EDT", data, n, &tz, &e), 0, "%s",
                     e ? kl_err_msg(e) : "");
        /* Without transitions the footer rule covers all time, as Go does. */
        cr_expect_eq(kl_ctrl_tz_offset(tz, (int64_t)(T("2030-07-01T00:00:00Z") / KL_USEC_PER_SEC)),
                     -4 * 3600);
        cr_expect_eq(kl_ctrl_tz_offset(tz, (int64_t)(T("2030-01-01T00:00:00Z") / KL_USEC_PER_SEC)),
                     -5 * 3600);
        kl_ctrl_tz_free(tz);
}
