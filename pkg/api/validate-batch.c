/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job and CronJob validation (upstream's pkg/apis/batch/validation), and
 * the cron schedule parser CronJob validation needs (robfig/cron v3's
 * ParseStandard, whose error texts users see).
 *
 * Job: parallelism, completions, activeDeadlineSeconds, backoffLimit and
 * ttlSecondsAfterFinished non-negative; completionMode and
 * podReplacementPolicy values; Indexed jobs need completions; the template
 * (restartPolicy OnFailure or Never, everything of
 * kl_api__v_pod_template()); selector required and matching the template.
 * On update: selector, completions, completionMode and podFailurePolicy are
 * immutable, and so is the template, except that a suspended Job that never
 * started may change the template's labels, annotations, nodeSelector,
 * tolerations, scheduling gates and node affinity (upstream's
 * AllowMutableSchedulingDirectives, kept to that simple test). Not yet:
 * podFailurePolicy, successPolicy and backoffLimitPerIndex rules, and the
 * check that a generated selector carries the Job's uid.
 *
 * CronJob: name at most 52 characters, schedule, timeZone, concurrency
 * policy, history limits, startingDeadlineSeconds, and the job template as
 * a Job's spec without selector.
 */
#include <string.h>

#include "api/selector.h"
#include "api/validate-internal.h"
#include "base/base.h"

/*
 * ---------------------------------------------------------------------------
 * Cron schedules
 */

struct cron_bounds {
        int64_t min, max;
        const char *const *names; /* lower-case, index = value - names_base */
        int64_t names_base;
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
                                           "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct cron_bounds cron_fields[5] = {
        { 0, 59, NULL, 0 },        { 0, 23, NULL, 0 },     { 1, 31, NULL, 0 },
        { 1, 12, month_names, 1 }, { 0, 6, dow_names, 0 },
};

/* robfig's mustParseInt, on strconv.Atoi: an optional sign and decimal digits. */
static int cron_int(const char *expr, int64_t *ret, char **ret_msg)
{
        const char *digits = expr;
        int64_t n;
        kl_autofree char *q = kl_api_go_quoted(expr);

        if (*digits == '+' || *digits == '-')
                digits++;
        if (!*digits || strspn(digits, "0123456789") != strlen(digits) ||
            kl_parse_int64(digits, &n) < 0) {
                bool range = *digits && strspn(digits, "0123456789") == strlen(digits);

                *ret_msg = kl_asprintf("failed to parse int from %s: strconv.Atoi: parsing %s: %s",
                                       expr, q, range ? "value out of range" : "invalid syntax");
                return -EINVAL;
        }
        if (expr[0] == '-' && n != 0) {
                *ret_msg =
                        kl_asprintf("negative number (-%lld) not allowed: %s", (long long)n, expr);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

static int cron_int_or_name(const char *expr, const struct cron_bounds *b, int64_t *ret,
                            char **ret_msg)
{
        for (size_t i = 0; b->names && b->names[i]; i++) {
                if (strcasecmp(expr, b->names[i]) == 0) {
                        *ret = (int64_t)i + b->names_base;
                        return 0;
                }
        }
        return cron_int(expr, ret, ret_msg);
}

/* robfig's getRange for one comma-separated element of a field. */
static int cron_range(const char *expr, const struct cron_bounds *b, char **ret_msg)
{
        kl_autostrv char **range_step = kl_strv_split(expr, '/');
        kl_autostrv char **low_high = kl_strv_split(range_step[0], '-');
        size_t n_rs = kl_strv_length(range_step), n_lh = kl_strv_length(low_high);
        int64_t start, end, step = 1;
        int r;

        if (kl_streq(low_high[0], "*") || kl_streq(low_high[0], "?")) {
                start = b->min;
                end = b->max;
        } else {
                r = cron_int_or_name(low_high[0], b, &start, ret_msg);
                if (r < 0)
                        return r;
                if (n_lh == 1) {
                        end = start;
                } else if (n_lh == 2) {
                        r = cron_int_or_name(low_high[1], b, &end, ret_msg);
                        if (r < 0)
                                return r;
                } else {
                        *ret_msg = kl_asprintf("too many hyphens: %s", expr);
                        return -EINVAL;
                }
        }
        if (n_rs == 2) {
                r = cron_int(range_step[1], &step, ret_msg);
                if (r < 0)
                        return r;
                /* "N/step" means "N-max/step". */
                if (n_lh == 1)
                        end = b->max;
        } else if (n_rs > 2) {
                *ret_msg = kl_asprintf("too many slashes: %s", expr);
                return -EINVAL;
        }
        if (start < b->min) {
                *ret_msg = kl_asprintf("beginning of range (%lld) below minimum (%lld): %s",
                                       (long long)start, (long long)b->min, expr);
                return -EINVAL;
        }
        if (end > b->max) {
                *ret_msg = kl_asprintf("end of range (%lld) above maximum (%lld): %s",
                                       (long long)end, (long long)b->max, expr);
                return -EINVAL;
        }
        if (start > end) {
                *ret_msg = kl_asprintf("beginning of range (%lld) beyond end of range (%lld): %s",
                                       (long long)start, (long long)end, expr);
                return -EINVAL;
        }
        if (step == 0) {
                *ret_msg = kl_asprintf("step of range should be a positive number: %s", expr);
                return -EINVAL;
        }
        return 0;
}

/* time.ParseDuration's error text for `s`, from our parser's diagnosis. */
static char *go_duration_error(const char *s)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *q = kl_api_go_quoted(s);
        int64_t ns;

        if (kl_duration_parse_ns(s, &ns, &e) >= 0)
                return NULL;
        if (strstr(kl_err_msg(e), "missing unit"))
                return kl_asprintf("time: missing unit in duration %s", q);
        {
                const char *u = strstr(kl_err_msg(e), "unknown unit '");

                if (u) {
                        kl_autofree char *unit = kl_strdup(u + strlen("unknown unit '"));
                        char *end = strrchr(unit, '\'');
                        kl_autofree char *uq = NULL;

                        if (end)
                                *end = '\0';
                        uq = kl_api_go_quoted(unit);
                        return kl_asprintf("time: unknown unit %s in duration %s", uq, q);
                }
        }
        return kl_asprintf("time: invalid duration %s", q);
}

int kl_api__cron_parse(const char *spec, char **ret_msg)
{
        kl_autofree char *owned = NULL;
        kl_autostrv char **fields = NULL;
        const char *p;
        size_t n;

        if (!*spec) {
                *ret_msg = kl_strdup("empty spec string");
                return -EINVAL;
        }
        if (kl_startswith(spec, "TZ=") || kl_startswith(spec, "CRON_TZ=")) {
                /* The location itself is checked through the timeZone rules, not here. */
                const char *sp = strchr(spec, ' ');

                if (!sp) {
                        *ret_msg = kl_asprintf("provided bad location %s: unknown time zone",
                                               strchr(spec, '=') + 1);
                        return -EINVAL;
                }
                spec = sp;
                while (*spec == ' ' || *spec == '\t')
                        spec++;
        }
        if (spec[0] == '@') {
                static const char *const descriptors[] = { "@yearly", "@annually", "@monthly",
                                                           "@weekly", "@daily",    "@midnight",
                                                           "@hourly", NULL };

                for (size_t i = 0; descriptors[i]; i++) {
                        if (kl_streq(spec, descriptors[i]))
                                return 0;
                }
                if ((p = kl_startswith(spec, "@every "))) {
                        kl_autofree char *err = go_duration_error(p);

                        if (!err)
                                return 0;
                        *ret_msg = kl_asprintf("failed to parse duration %s: %s", spec, err);
                        return -EINVAL;
                }
                *ret_msg = kl_asprintf("unrecognized descriptor: %s", spec);
                return -EINVAL;
        }

        /* strings.Fields: split on runs of white space. */
        for (p = spec; *p;) {
                size_t blank = strspn(p, " \t\n\r\v\f"), len;

                p += blank;
                len = strcspn(p, " \t\n\r\v\f");
                if (len == 0)
                        break;
                owned = kl_asprintf("%.*s", (int)len, p);
                kl_strv_push_take(&fields, KL_TAKE_PTR(owned));
                p += len;
        }
        if (!fields)
                fields = kl_calloc(1, sizeof(*fields)); /* no fields: an empty vector */
        n = kl_strv_length(fields);
        if (n != 5) {
                kl_autobuf struct kl_buf list = KL_BUF_INIT;

                (void)kl_buf_putc(&list, '[');
                for (size_t i = 0; i < n; i++)
                        (void)kl_buf_printf(&list, "%s%s", i ? " " : "", fields[i]);
                (void)kl_buf_putc(&list, ']');
                *ret_msg = kl_asprintf("expected exactly 5 fields, found %zu: %s", n, list.buf);
                return -EINVAL;
        }
        for (size_t i = 0; i < 5; i++) {
                kl_autostrv char **parts = kl_strv_split(fields[i], ',');

                for (size_t j = 0; parts[j]; j++) {
                        /* strings.FieldsFunc drops the empty elements of "1,,2". */
                        if (!*parts[j])
                                continue;
                        if (cron_range(parts[j], &cron_fields[i], ret_msg) < 0)
                                return -EINVAL;
                }
        }
        return 0;
}

/*
 * ---------------------------------------------------------------------------
 * Job
 */

/* validateJobSpec, at the current path (a JobSpec). */
static void v_job_spec(struct kl_api__vctx *v, const json_t *spec)
{
        static const char *const modes[] = { "NonIndexed", "Indexed", NULL };
        static const char *const replacement[] = { "Failed", "TerminatingOrFailed", NULL };
        static const char *const failed_only[] = { "Failed", NULL };
        static const char *const job_restart[] = { "OnFailure", "Never", NULL };
        const char *mode = kl_api__jstr(spec, "completionMode");
        const char *prp = kl_api__jstr(spec, "podReplacementPolicy");
        json_t *tspec = kl_api__jobj(kl_api__jobj(spec, "template"), "spec");
        const char *rp = kl_api__jstr0(tspec, "restartPolicy");
        int64_t par;
        size_t mark;

        kl_api__v_nonneg(v, spec, "parallelism");
        kl_api__v_nonneg(v, spec, "completions");
        kl_api__v_nonneg(v, spec, "activeDeadlineSeconds");
        kl_api__v_nonneg(v, spec, "backoffLimit");
        kl_api__v_nonneg(v, spec, "ttlSecondsAfterFinished");
        if (mode) {
                if (!kl_streq(mode, "NonIndexed") && !kl_streq(mode, "Indexed"))
                        kl_api__v_not_supported(v, "completionMode", mode, modes);
                if (kl_streq(mode, "Indexed")) {
                        if (!kl_api__jhas(spec, "completions"))
                                kl_api__v_required(v, "completions",
                                                   "when completion mode is Indexed");
                        if (kl_api__jint(spec, "parallelism", &par) && par > 100000)
                                kl_api__v_invalid_int(v, "parallelism", par,
                                                      "must be less than or equal to 100000 when "
                                                      "completion mode is Indexed");
                }
        }
        if (prp) {
                if (kl_api__jhas(spec, "podFailurePolicy")) {
                        if (!kl_streq(prp, "Failed"))
                                kl_api__v_not_supported(v, "podReplacementPolicy", prp,
                                                        failed_only);
                } else if (!kl_streq(prp, "Failed") && !kl_streq(prp, "TerminatingOrFailed")) {
                        kl_api__v_not_supported(v, "podReplacementPolicy", prp, replacement);
                }
        }
        mark = kl_api__vpush(v, "template");
        kl_api__v_pod_template(v, kl_api__jobj(spec, "template"));
        kl_api__vpop(v, mark);
        /*
         * An absent restartPolicy is defaulted to Always, so upstream reports
         * both as a missing value rather than an unsupported one.
         */
        if (!*rp || kl_streq(rp, "Always"))
                kl_api__v_required(v, "template.spec.restartPolicy",
                                   "valid values: \"OnFailure\", \"Never\"");
        else if (!kl_streq(rp, "OnFailure") && !kl_streq(rp, "Never"))
                kl_api__v_not_supported(v, "template.spec.restartPolicy", rp, job_restart);
        else if (kl_api__jhas(spec, "podFailurePolicy") && !kl_streq(rp, "Never"))
                kl_api__v_invalid_str(v, "template.spec.restartPolicy", rp,
                                      "only \"Never\" is supported when podFailurePolicy is "
                                      "specified");
}

/* The template without what a suspended, never started Job may change. */
static json_t *template_fixed_part(const json_t *tmpl)
{
        json_t *t = json_deep_copy(tmpl ? tmpl : json_null());
        json_t *meta = kl_api__jobj(t, "metadata");
        json_t *spec = kl_api__jobj(t, "spec");
        json_t *aff = kl_api__jobj(spec, "affinity");

        (void)json_object_del(meta, "labels");
        (void)json_object_del(meta, "annotations");
        (void)json_object_del(spec, "nodeSelector");
        (void)json_object_del(spec, "tolerations");
        (void)json_object_del(spec, "schedulingGates");
        (void)json_object_del(aff, "nodeAffinity");
        if (aff && json_object_size(aff) == 0)
                (void)json_object_del(spec, "affinity");
        return t;
}

void kl_api__validate_job(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        json_t *sel = json_object_get(spec, "selector");
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        v_job_spec(v, spec);
        if (!json_is_object(sel)) {
                kl_api__v_required(v, "selector", "");
        } else {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
                json_t *labels = kl_api__jobj(
                        kl_api__jobj(kl_api__jobj(spec, "template"), "metadata"), "labels");

                kl_api__v_label_selector(v, "selector", sel);
                if (kl_api_label_selector_from_json(sel, &s, NULL) >= 0 &&
                    !kl_api_label_selector_matches(s, labels))
                        kl_api__v_invalid_take(v, "template.metadata.labels",
                                               labels ? kl_api__go_json(labels)
                                                      : kl_strdup("map[string]string(nil)"),
                                               "`selector` does not match template `labels`");
        }
        kl_api__vpop(v, mark);
        {
                const char *mode = kl_api__jstr0(spec, "completionMode");
                const char *name = kl_api__jstr0(kl_api__jobj(obj, "metadata"), "name");
                int64_t completions;

                if (kl_streq(mode, "Indexed") && kl_api__jint(spec, "completions", &completions) &&
                    completions > 0) {
                        kl_autofree char *host =
                                kl_asprintf("%s-%lld", name, (long long)(completions - 1));

                        if (kl_api_validate_dns1123_label(host, NULL) > 0) {
                                kl_autofree char *d = kl_asprintf(
                                        "will not able to create pod with invalid DNS label: %s",
                                        host);

                                kl_api__v_invalid_str(v, "metadata.name", name, d);
                        }
                }
        }

        if (old) {
                json_t *old_spec = kl_api__jobj(old, "spec");
                json_t *tmpl = kl_api__jobj(spec, "template");
                json_t *old_tmpl = kl_api__jobj(old_spec, "template");
                bool mutable_sched = kl_api__jtrue(old_spec, "suspend") &&
                                     kl_api__jtrue(spec, "suspend") &&
                                     !kl_api__jhas(kl_api__jobj(old, "status"), "startTime");

                kl_api__v_object_meta_update(v, obj, old);
                mark = kl_api__vpush(v, "spec");
                kl_api__v_immutable(v, "completions", json_object_get(spec, "completions"),
                                    json_object_get(old_spec, "completions"));
                if (!json_equal(sel ? sel : json_null(),
                                json_object_get(old_spec, "selector") ?: json_null()))
                        kl_api__v_invalid_take(v, "selector", kl_api__go_selector(sel),
                                               "field is immutable");
                if (mutable_sched) {
                        json_auto_t *a = template_fixed_part(tmpl);
                        json_auto_t *b = template_fixed_part(old_tmpl);

                        if (!json_equal(a, b))
                                kl_api__v_invalid_take(v, "template", kl_api__json_compact(tmpl),
                                                       "field is immutable");
                } else if (!json_equal(tmpl ? tmpl : json_null(),
                                       old_tmpl ? old_tmpl : json_null())) {
                        /* Upstream prints the internal core.PodTemplateSpec with %#v. */
                        kl_api__v_invalid_take(v, "template", kl_api__json_compact(tmpl),
                                               "field is immutable");
                }
                kl_api__v_immutable(v, "completionMode", json_object_get(spec, "completionMode"),
                                    json_object_get(old_spec, "completionMode"));
                kl_api__v_immutable(v, "podFailurePolicy",
                                    json_object_get(spec, "podFailurePolicy"),
                                    json_object_get(old_spec, "podFailurePolicy"));
                kl_api__vpop(v, mark);
        }
}

/*
 * ---------------------------------------------------------------------------
 * CronJob
 */

void kl_api__validate_cronjob(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        static const char *const policies[] = { "Allow", "Forbid", "Replace", NULL };
        json_t *spec = kl_api__jobj(obj, "spec");
        json_t *old_spec = kl_api__jobj(old, "spec");
        const char *schedule = kl_api__jstr0(spec, "schedule");
        const char *cp = kl_api__jstr0(spec, "concurrencyPolicy");
        const char *name = kl_api__jstr0(kl_api__jobj(obj, "metadata"), "name");
        json_t *tz = json_object_get(spec, "timeZone");
        json_t *jt = kl_api__jobj(spec, "jobTemplate");
        json_t *jspec = kl_api__jobj(jt, "spec");
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        if (!*schedule) {
                kl_api__v_required(v, "schedule", "");
        } else {
                kl_autofree char *msg = NULL;
                bool allow_tz = old_spec && strstr(kl_api__jstr0(old_spec, "schedule"), "TZ");

                if (kl_api__cron_parse(schedule, &msg) < 0)
                        kl_api__v_invalid_str(v, "schedule", schedule, msg);
                if (allow_tz && strstr(schedule, "TZ") && json_is_string(tz))
                        kl_api__v_invalid_str(v, "schedule", schedule,
                                              "cannot use both timeZone field and TZ or CRON_TZ "
                                              "in schedule");
                else if (!allow_tz && strstr(schedule, "TZ"))
                        kl_api__v_invalid_str(v, "schedule", schedule,
                                              "cannot use TZ or CRON_TZ in schedule, use timeZone "
                                              "field instead");
        }
        kl_api__v_nonneg(v, spec, "startingDeadlineSeconds");
        if (json_is_string(tz) &&
            (!old_spec || !json_equal(tz, json_object_get(old_spec, "timeZone") ?: json_null()))) {
                const char *z = json_string_value(tz);

                if (!*z)
                        kl_api__v_invalid_str(v, "timeZone", z,
                                              "timeZone must be nil or non-empty string");
                else if (strcasecmp(z, "Local") == 0)
                        kl_api__v_invalid_str(v, "timeZone", z,
                                              "timeZone must be an explicit time zone as defined "
                                              "in https://www.iana.org/time-zones");
                else if (strspn(z, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789/_+-") != strlen(z))
                        kl_api__v_invalid_str(v, "timeZone", z, "unknown time zone");
        }
        if (!*cp)
                kl_api__v_required(v, "concurrencyPolicy", "");
        else if (!kl_streq(cp, "Allow") && !kl_streq(cp, "Forbid") && !kl_streq(cp, "Replace"))
                kl_api__v_not_supported(v, "concurrencyPolicy", cp, policies);
        {
                size_t m2 = kl_api__vpush(v, "jobTemplate");
                size_t m3 = kl_api__vpush(v, "spec");

                v_job_spec(v, jspec);
                kl_api__vpop(v, m3);
                if (kl_api__jhas(jspec, "selector"))
                        kl_api__v_invalid_take(
                                v, "spec.selector",
                                kl_api__go_selector(json_object_get(jspec, "selector")),
                                "`selector` will be auto-generated");
                if (kl_api__jtrue(jspec, "manualSelector")) {
                        kl_autobuf struct kl_buf d = KL_BUF_INIT;

                        (void)kl_buf_puts(&d, "supported values: \"nil\", \"false\"");
                        kl_api__v_add_take(v, KL_API_FIELD_ERR_NOT_SUPPORTED, "spec.manualSelector",
                                           kl_strdup("true"), d.buf);
                }
                kl_api__vpop(v, m2);
        }
        kl_api__v_nonneg(v, spec, "successfulJobsHistoryLimit");
        kl_api__v_nonneg(v, spec, "failedJobsHistoryLimit");
        kl_api__vpop(v, mark);
        /* The controller names Jobs "<name>-<11 characters>", and a Job name is a DNS label. */
        if (!old && strlen(name) > 52)
                kl_api__v_invalid_str(v, "metadata.name", name,
                                      "must be no more than 52 characters");
        if (old)
                kl_api__v_object_meta_update(v, obj, old);
}
