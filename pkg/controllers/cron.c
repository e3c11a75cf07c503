/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cron schedules and time zones for the CronJob controller (ctrl-internal.h,
 * section "job.c, cronjob.c, cron.c").
 *
 * Schedules are read as upstream reads them, with robfig/cron v3's
 * ParseStandard: five fields (minute, hour, day of month, month, day of
 * week) of lists, ranges, steps, names and '?', the descriptors @yearly,
 * @annually, @monthly, @weekly, @daily, @midnight, @hourly and "@every
 * <duration>", and an optional "TZ=<zone> " or "CRON_TZ=<zone> " prefix.
 * Error texts are robfig's: the UnparseableSchedule event shows them.
 * kl_ctrl_cron_next() is robfig's SpecSchedule.Next, wall-clock field by
 * field in the schedule's zone, including its behaviour around daylight
 * saving transitions (a wall-clock time the change skips is skipped).
 *
 * Time zones are Go's time.LoadLocation over the TZif files of a zoneinfo
 * directory (/usr/share/zoneinfo): the transitions, and the POSIX TZ rule of
 * the footer for times past the last transition, looked up as Go's
 * Location.lookup and time.Date do. Without a zone a schedule runs in UTC
 * (upstream uses the controller manager's local zone, which is UTC in the
 * usual container).
 *
 * Pure functions, except the two loaders that read one file, bounded.
 */
#include <string.h>
#include <strings.h>

#include "base/duration.h"
#include "base/file.h"
#include "controllers/ctrl-internal.h"

#define SECS_PER_DAY  ((int64_t)86400)
#define TZ_ALPHA      INT64_MIN
#define TZ_OMEGA      INT64_MAX
#define TZIF_MAX_TX   65536
#define TZIF_MAX_TYPE 256

struct tz_type {
        int32_t offset; /* seconds east of UTC */
        bool is_dst;
};

struct tz_rule {
        char kind; /* 'J' Julian day 1..365 without Feb 29, 'D' day 0..365, 'M' month.week.day */
        int day, week, mon;
        int32_t time; /* seconds after local midnight */
};

struct kl_ctrl_tz {
        char *name;
        int64_t *tx_when;
        uint8_t *tx_type;
        size_t n_tx;
        struct tz_type *types;
        size_t n_types;
        /* The footer's rule, for times past the last transition. */
        bool has_extend;
        bool ext_has_dst;
        int32_t ext_std_off, ext_dst_off;
        struct tz_rule ext_start, ext_end;
};

/* -------------------------------------------------------------------------
 * POSIX TZ strings (the TZif footer), as Go's tzset
 */

static const char *tzset_name(const char *s)
{
        if (*s != '<') {
                const char *p = s;

                while (*p && !strchr("0123456789,-+", *p))
                        p++;
                return p - s < 3 ? NULL : p;
        }
        s++;
        while (*s && *s != '>')
                s++;
        return *s == '>' ? s + 1 : NULL;
}

static const char *tzset_num(const char *s, int min, int max, int *ret)
{
        int n = 0;

        if (*s < '0' || *s > '9')
                return NULL;
        while (*s >= '0' && *s <= '9') {
                n = n * 10 + (*s - '0');
                if (n > max)
                        return NULL;
                s++;
        }
        if (n < min)
                return NULL;
        *ret = n;
        return s;
}

/* [+-]hh[:mm[:ss]], hours up to 24*7. */
static const char *tzset_offset(const char *s, int32_t *ret)
{
        int sign = 1, h, m = 0, sec = 0;

        if (*s == '+' || *s == '-') {
                sign = *s == '-' ? -1 : 1;
                s++;
        }
        if (!(s = tzset_num(s, 0, 24 * 7, &h)))
                return NULL;
        if (*s == ':') {
                if (!(s = tzset_num(s + 1, 0, 59, &m)))
                        return NULL;
                if (*s == ':' && !(s = tzset_num(s + 1, 0, 59, &sec)))
                        return NULL;
        }
        *ret = sign * (h * 3600 + m * 60 + sec);
        return s;
}

static const char *tzset_rule(const char *s, struct tz_rule *r)
{
        *r = (struct tz_rule){ .time = 2 * 3600 };
        if (*s == 'J') {
                r->kind = 'J';
                s = tzset_num(s + 1, 1, 365, &r->day);
        } else if (*s == 'M') {
                r->kind = 'M';
                if (!(s = tzset_num(s + 1, 1, 12, &r->mon)) || *s != '.' ||
                    !(s = tzset_num(s + 1, 1, 5, &r->week)) || *s != '.')
                        return NULL;
                s = tzset_num(s + 1, 0, 6, &r->day);
        } else {
                r->kind = 'D';
                s = tzset_num(s, 0, 365, &r->day);
        }
        if (!s)
                return NULL;
        if (*s == '/')
                s = tzset_offset(s + 1, &r->time);
        return s;
}

static bool tzset_parse(struct kl_ctrl_tz *tz, const char *s)
{
        int32_t off;

        if (!*s || !(s = tzset_name(s)) || !(s = tzset_offset(s, &off)))
                return false;
        tz->ext_std_off = -off;
        if (!*s || *s == ',') {
                tz->ext_has_dst = false;
                return true;
        }
        if (!(s = tzset_name(s)))
                return false;
        if (!*s || *s == ',') {
                tz->ext_dst_off = tz->ext_std_off + 3600;
        } else {
                if (!(s = tzset_offset(s, &off)))
                        return false;
                tz->ext_dst_off = -off;
        }
        if (!*s)
                s = ",M3.2.0,M11.1.0";
        if (*s != ',' && *s != ';')
                return false;
        if (!(s = tzset_rule(s + 1, &tz->ext_start)) || *s != ',' ||
            !(s = tzset_rule(s + 1, &tz->ext_end)) || *s)
                return false;
        tz->ext_has_dst = true;
        return true;
}

/* Seconds from the start of `year` (UTC) at which rule `r` happens, at offset `off`. */
static int64_t tzrule_time(int64_t year, const struct tz_rule *r, int32_t off)
{
        int64_t s = 0;

        switch (r->kind) {
        case 'J':
                s = (int64_t)(r->day - 1) * SECS_PER_DAY;
                if (kl_is_leap_year(year) && r->day >= 60)
                        s += SECS_PER_DAY;
                break;
        case 'D':
                s = (int64_t)r->day * SECS_PER_DAY;
                break;
        default: {
                int64_t first = kl_days_from_civil(year, r->mon, 1);
                int dow = (int)(((first + 4) % 7 + 7) % 7), d = r->day - dow;

                if (d < 0)
                        d += 7;
                /* The week-th such weekday; 5 means the last one. */
                for (int i = 1; i < r->week; i++) {
                        if (d + 7 >= kl_days_in_month(year, r->mon))
                                break;
                        d += 7;
                }
                s = (first + d - kl_days_from_civil(year, 1, 1)) * SECS_PER_DAY;
                break;
        }
        }
        return s + r->time - off;
}

static int64_t floor_div(int64_t a, int64_t b)
{
        return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Go's tzset() lookup of `sec` by the footer rule. */
static void tzset_lookup(const struct kl_ctrl_tz *tz, int64_t last_tx, int64_t sec,
                         int32_t *ret_off, int64_t *ret_start, int64_t *ret_end)
{
        int64_t days = floor_div(sec, SECS_PER_DAY), year, abs, ysec, start, end;
        int32_t std_off = tz->ext_std_off, dst_off = tz->ext_dst_off;
        int m, d;

        if (!tz->ext_has_dst) {
                *ret_off = std_off;
                *ret_start = last_tx;
                *ret_end = TZ_OMEGA;
                return;
        }
        kl_civil_from_days(days, &year, &m, &d);
        abs = kl_days_from_civil(year, 1, 1) * SECS_PER_DAY;
        ysec = sec - abs;
        start = tzrule_time(year, &tz->ext_start, std_off);
        end = tzrule_time(year, &tz->ext_end, dst_off);
        if (end < start) { /* southern hemisphere: daylight time spans the new year */
                int64_t t = start;
                int32_t o = std_off;

                start = end;
                end = t;
                std_off = dst_off;
                dst_off = o;
        }
        if (ysec < start) {
                *ret_off = std_off;
                *ret_start = abs;
                *ret_end = start + abs;
        } else if (ysec >= end) {
                *ret_off = std_off;
                *ret_start = end + abs;
                *ret_end = abs + 365 * SECS_PER_DAY;
        } else {
                *ret_off = dst_off;
                *ret_start = start + abs;
                *ret_end = end + abs;
        }
}

/* -------------------------------------------------------------------------
 * TZif
 */

static uint32_t be32(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
        return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int tz_malformed(struct kl_err **err)
{
        return kl_err_set(err, -EINVAL, "malformed time zone information");
}

int kl_ctrl_tz_parse(const char *name, const void *data, size_t len, struct kl_ctrl_tz **ret,
                     struct kl_err **err)
{
        const unsigned char *p = data, *end = p + len;
        uint32_t cnt[6]; /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
        size_t tsize = 4, need;
        struct kl_ctrl_tz *tz;
        int version;

        if (len < 44 || memcmp(p, "TZif", 4) != 0)
                return tz_malformed(err);
        version = p[4] ? p[4] - '0' : 1;
        for (int pass = 0;; pass++) {
                for (size_t i = 0; i < 6; i++)
                        cnt[i] = be32(p + 20 + 4 * i);
                p += 44;
                if (cnt[3] > TZIF_MAX_TX || cnt[4] == 0 || cnt[4] > TZIF_MAX_TYPE ||
                    cnt[5] > 65536 || cnt[2] > 65536 || cnt[0] > TZIF_MAX_TYPE ||
                    cnt[1] > TZIF_MAX_TYPE)
                        return tz_malformed(err);
                need = cnt[3] * tsize + cnt[3] + (size_t)cnt[4] * 6 + cnt[5] +
                       cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
                if ((size_t)(end - p) < need)
                        return tz_malformed(err);
                if (pass > 0 || version < 2)
                        break;
                /* Version 2+: skip the 32-bit block, read the 64-bit one. */
                p += need;
                if (end - p < 44 || memcmp(p, "TZif", 4) != 0)
                        return tz_malformed(err);
                tsize = 8;
        }

        tz = kl_new0(struct kl_ctrl_tz);
        tz->name = kl_strdup(name);
        tz->n_tx = cnt[3];
        tz->n_types = cnt[4];
        tz->tx_when = kl_calloc(tz->n_tx + 1, sizeof(int64_t));
        tz->tx_type = kl_calloc(tz->n_tx + 1, 1);
        tz->types = kl_calloc(tz->n_types, sizeof(struct tz_type));
        for (size_t i = 0; i < tz->n_tx; i++, p += tsize)
                tz->tx_when[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
        for (size_t i = 0; i < tz->n_tx; i++, p++) {
                if (*p >= tz->n_types) {
                        kl_ctrl_tz_free(tz);
                        return tz_malformed(err);
                }
                tz->tx_type[i] = *p;
        }
        for (size_t i = 0; i < tz->n_types; i++, p += 6) {
                tz->types[i].offset = (int32_t)be32(p);
                tz->types[i].is_dst = p[4] != 0;
        }
        p += cnt[5] + cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
        /* A fixed zone: one transition at the dawn of time, so that the footer applies. */
        if (tz->n_tx == 0) {
                tz->n_tx = 1;
                tz->tx_when[0] = TZ_ALPHA;
                tz->tx_type[0] = 0;
        }
        /* The footer: "\n<POSIX TZ>\n"; a rule Go cannot read is ignored, as Go does. */
        if (version >= 2 && end - p >= 2 && *p == '\n') {
                const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));

                if (nl && nl > p + 1 && nl - p < 256) {
                        char rule[256];

                        memcpy(rule, p + 1, (size_t)(nl - p - 1));
                        rule[nl - p - 1] = '\0';
                        tz->has_extend = tzset_parse(tz, rule);
                }
        }
        *ret = tz;
        return 0;
}

void kl_ctrl_tz_free(struct kl_ctrl_tz *tz)
{
        if (!tz)
                return;
        free(tz->name);
        free(tz->tx_when);
        free(tz->tx_type);
        free(tz->types);
        free(tz);
}

const char *kl_ctrl_tz_name(const struct kl_ctrl_tz *tz)
{
        return tz ? tz->name : "UTC";
}

int kl_ctrl_tz_load(const char *dir, const char *name, struct kl_ctrl_tz **ret, struct kl_err **err)
{
        kl_autofree char *path = NULL;
        kl_autofree char *data = NULL;
        size_t len = 0;
        int r;

        if (!*name || kl_streq(name, "UTC")) {
                *ret = NULL;
                return 0;
        }
        /* Go's containsDotDot and absolute-name checks. */
        if (strstr(name, "..") || name[0] == '/' || name[0] == '\\')
                return kl_err_set(err, -EINVAL, "time: invalid location name");
        path = kl_asprintf("%s/%s", dir ? dir : KL_CTRL_ZONEINFO_DIR, name);
        r = kl_read_file(path, KL_CTRL_TZ_MAX_FILE, &data, &len);
        if (r == -E2BIG)
                return kl_err_set(err, -EINVAL, "%s is too large", path);
        if (r < 0)
                return kl_err_set(err, -EINVAL, "unknown time zone %s", name);
        return kl_ctrl_tz_parse(name, data, len, ret, err);
}

/* Go's Location.lookup: the offset at `sec` and the span [start, end) it holds for. */
static int32_t tz_lookup(const struct kl_ctrl_tz *tz, int64_t sec, int64_t *ret_start,
                         int64_t *ret_end)
{
        size_t lo = 0, hi;
        int32_t off;
        int64_t start, end = TZ_OMEGA;

        if (!tz || tz->n_types == 0) {
                *ret_start = TZ_ALPHA;
                *ret_end = TZ_OMEGA;
                return 0;
        }
        if (tz->n_tx == 0 || sec < tz->tx_when[0]) {
                /* Go's lookupFirstZone: the first standard-time type. */
                size_t z = 0;

                for (size_t i = 0; i < tz->n_types; i++) {
                        if (!tz->types[i].is_dst) {
                                z = i;
                                break;
                        }
                }
                *ret_start = TZ_ALPHA;
                *ret_end = tz->n_tx ? tz->tx_when[0] : TZ_OMEGA;
                return tz->types[z].offset;
        }
        hi = tz->n_tx;
        while (hi - lo > 1) {
                size_t m = (lo + hi) / 2;

                if (sec < tz->tx_when[m]) {
                        end = tz->tx_when[m];
                        hi = m;
                } else {
                        lo = m;
                }
        }
        off = tz->types[tz->tx_type[lo]].offset;
        start = tz->tx_when[lo];
        if (lo == tz->n_tx - 1 && tz->has_extend) {
                tzset_lookup(tz, start, sec, &off, &start, &end);
        }
        *ret_start = start;
        *ret_end = end;
        return off;
}

int32_t kl_ctrl_tz_offset(const struct kl_ctrl_tz *tz, int64_t sec)
{
        int64_t s, e;

        return tz_lookup(tz, sec, &s, &e);
}

char *kl_ctrl_tz_format(const struct kl_ctrl_tz *tz, int64_t sec)
{
        int32_t off = kl_ctrl_tz_offset(tz, sec);
        int64_t local = sec + off, y;
        int64_t days = floor_div(local, SECS_PER_DAY), rem = local - days * SECS_PER_DAY;
        int m, d;

        kl_civil_from_days(days, &y, &m, &d);
        if (off == 0)
                return kl_asprintf("%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
                                   (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
        return kl_asprintf("%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (long long)y, m, d,
                           (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
                           off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60);
}

/* -------------------------------------------------------------------------
 * Civil time in a zone, as Go's Time methods and time.Date
 */

struct ltm {
        int64_t year;
        int mon, day, hour, min, sec, wday;
};

static void to_local(const struct kl_ctrl_tz *tz, int64_t t, struct ltm *tm)
{
        int64_t local = t + kl_ctrl_tz_offset(tz, t);
        int64_t days = floor_div(local, SECS_PER_DAY), rem = local - days * SECS_PER_DAY;

        kl_civil_from_days(days, &tm->year, &tm->mon, &tm->day);
        tm->hour = (int)(rem / 3600);
        tm->min = (int)(rem / 60 % 60);
        tm->sec = (int)(rem % 60);
        tm->wday = (int)(((days + 4) % 7 + 7) % 7);
}

/* time.Date(year, mon, day, hour, min, sec, 0, tz): fields may overflow and normalise. */
static int64_t from_local(const struct kl_ctrl_tz *tz, int64_t year, int64_t mon, int64_t day,
                          int64_t hour, int64_t min, int64_t sec)
{
        int64_t m0 = mon - 1, local, start, end, utc;
        int32_t off;

        year += floor_div(m0, 12);
        m0 -= floor_div(m0, 12) * 12;
        local = (kl_days_from_civil(year, (int)m0 + 1, 1) + day - 1) * SECS_PER_DAY + hour * 3600 +
                min * 60 + sec;
        off = tz_lookup(tz, local, &start, &end);
        if (off != 0) {
                utc = local - off;
                if (utc < start || utc >= end)
                        off = kl_ctrl_tz_offset(tz, utc);
                local -= off;
        }
        return local;
}

/* -------------------------------------------------------------------------
 * Schedules
 */

#define STAR_BIT ((uint64_t)1 << 63)

struct kl_ctrl_cron {
        struct kl_ctrl_tz *tz; /* NULL: UTC */
        int64_t every;         /* "@every": the delay in seconds; 0 for field schedules */
        uint64_t second, minute, hour, dom, month, dow;
};

struct bounds {
        int min, max;
        const char *const *names; /* lower-case, index = value - min */
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
                                           "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct bounds field_bounds[5] = {
        { 0, 59, NULL },        { 0, 23, NULL },     { 1, 31, NULL },
        { 1, 12, month_names }, { 0, 6, dow_names },
};

static uint64_t bits(int min, int max, int step)
{
        uint64_t b = 0;

        /* A step of 1 is the common case: one mask. */
        for (int i = min; i <= max; i += step)
                b |= (uint64_t)1 << i;
        return b;
}

static uint64_t all_bits(const struct bounds *r)
{
        return bits(r->min, r->max, 1) | STAR_BIT;
}

/* robfig's mustParseInt: strconv.Atoi, then no negatives. */
static int cron_int(const char *expr, int64_t *ret, struct kl_err **err)
{
        const char *digits = expr + (*expr == '+' || *expr == '-');
        int64_t n;

        if (!*digits || strspn(digits, "0123456789") != strlen(digits))
                return kl_err_set(err, -EINVAL,
                                  "failed to parse int from %s: strconv.Atoi: parsing \"%s\": "
                                  "invalid syntax",
                                  expr, expr);
        if (kl_parse_int64(digits, &n) < 0)
                return kl_err_set(err, -EINVAL,
                                  "failed to parse int from %s: strconv.Atoi: parsing \"%s\": "
                                  "value out of range",
                                  expr, expr);
        if (expr[0] == '-' && n != 0)
                return kl_err_set(err, -EINVAL, "negative number (-%lld) not allowed: %s",
                                  (long long)n, expr);
        *ret = n;
        return 0;
}

static int cron_int_or_name(const char *expr, const struct bounds *b, int64_t *ret,
                            struct kl_err **err)
{
        for (size_t i = 0; b->names && b->names[i]; i++) {
                if (strcasecmp(expr, b->names[i]) == 0) {
                        *ret = (int64_t)i + b->min;
                        return 0;
                }
        }
        return cron_int(expr, ret, err);
}

/* robfig's getRange: one element of a comma-separated field. */
static int cron_range(const char *expr, const struct bounds *b, uint64_t *ret_bits,
                      struct kl_err **err)
{
        kl_autostrv char **range_step = kl_strv_split(expr, '/');
        kl_autostrv char **low_high = kl_strv_split(range_step[0], '-');
        size_t n_rs = kl_strv_length(range_step), n_lh = kl_strv_length(low_high);
        int64_t start = 0, end = 0, step = 1;
        uint64_t extra = 0;
        int r;

        if (kl_streq(low_high[0], "*") || kl_streq(low_high[0], "?")) {
                start = b->min;
                end = b->max;
                extra = STAR_BIT;
        } else {
                if ((r = cron_int_or_name(low_high[0], b, &start, err)) < 0)
                        return r;
                if (n_lh == 1) {
                        end = start;
                } else if (n_lh == 2) {
                        if ((r = cron_int_or_name(low_high[1], b, &end, err)) < 0)
                                return r;
                } else {
                        return kl_err_set(err, -EINVAL, "too many hyphens: %s", expr);
                }
        }
        if (n_rs == 2) {
                if ((r = cron_int(range_step[1], &step, err)) < 0)
                        return r;
                /* "N/step" means "N-max/step". */
                if (n_lh == 1)
                        end = b->max;
                if (step > 1)
                        extra = 0;
        } else if (n_rs > 2) {
                return kl_err_set(err, -EINVAL, "too many slashes: %s", expr);
        }
        if (start < b->min)
                return kl_err_set(err, -EINVAL, "beginning of range (%lld) below minimum (%d): %s",
                                  (long long)start, b->min, expr);
        if (end > b->max)
                return kl_err_set(err, -EINVAL, "end of range (%lld) above maximum (%d): %s",
                                  (long long)end, b->max, expr);
        if (start > end)
                return kl_err_set(err, -EINVAL,
                                  "beginning of range (%lld) beyond end of range (%lld): %s",
                                  (long long)start, (long long)end, expr);
        if (step == 0)
                return kl_err_set(err, -EINVAL, "step of range should be a positive number: %s",
                                  expr);
        *ret_bits |= bits((int)start, (int)end, step > 64 ? 64 : (int)step) | extra;
        return 0;
}

static int cron_field(const char *field, const struct bounds *b, uint64_t *ret, struct kl_err **err)
{
        kl_autostrv char **parts = kl_strv_split(field, ',');
        uint64_t v = 0;
        int r;

        for (size_t j = 0; parts[j]; j++) {
                /* strings.FieldsFunc drops the empty elements of "1,,2". */
                if (!*parts[j])
                        continue;
                if ((r = cron_range(parts[j], b, &v, err)) < 0)
                        return r;
        }
        *ret = v;
        return 0;
}

/* "@every <duration>": time.ParseDuration into whole seconds, or Go's error text (new). */
static char *parse_every(const char *s, int64_t *ret_sec)
{
        kl_autoerr struct kl_err *e = NULL;
        const char *u;
        int64_t ns;

        if (kl_duration_parse_ns(s, &ns, &e) >= 0) {
                *ret_sec = ns / 1000000000;
                return NULL;
        }
        if (strstr(kl_err_msg(e), "missing unit"))
                return kl_asprintf("time: missing unit in duration \"%s\"", s);
        if ((u = strstr(kl_err_msg(e), "unknown unit '"))) {
                kl_autofree char *unit = kl_strdup(u + strlen("unknown unit '"));
                char *q = strrchr(unit, '\'');

                if (q)
                        *q = '\0';
                return kl_asprintf("time: unknown unit \"%s\" in duration \"%s\"", unit, s);
        }
        return kl_asprintf("time: invalid duration \"%s\"", s);
}

int kl_ctrl_cron_parse(const char *spec, const char *zoneinfo_dir, struct kl_ctrl_cron **ret,
                       struct kl_err **err)
{
        kl_autofree char *owned = NULL;
        kl_autostrv char **fields = NULL;
        struct kl_ctrl_cron c = { 0 };
        struct kl_ctrl_cron *out;
        const char *p;
        size_t n;
        int r;

        if (strlen(spec) > KL_CTRL_CRON_MAX_LEN)
                return kl_err_set(err, -EINVAL, "schedule longer than %d bytes",
                                  KL_CTRL_CRON_MAX_LEN);
        if (!*spec)
                return kl_err_set(err, -EINVAL, "empty spec string");
        if (kl_startswith(spec, "TZ=") || kl_startswith(spec, "CRON_TZ=")) {
                const char *eq = strchr(spec, '='), *sp = strchr(spec, ' ');
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *zone = NULL;

                /* robfig slices up to the first space; without one Go would panic: refuse. */
                if (!sp)
                        return kl_err_set(err, -EINVAL,
                                          "provided bad location %s: unknown time zone %s", eq + 1,
                                          eq + 1);
                zone = kl_strndup(eq + 1, (size_t)(sp - eq - 1));
                if (kl_ctrl_tz_load(zoneinfo_dir, zone, &c.tz, &e) < 0)
                        return kl_err_set(err, -EINVAL, "provided bad location %s: %s", zone,
                                          kl_err_msg(e));
                spec = sp;
                while (*spec == ' ' || *spec == '\t' || *spec == '\n' || *spec == '\r' ||
                       *spec == '\v' || *spec == '\f')
                        spec++;
        }
        if (spec[0] == '@') {
                const struct bounds *b = field_bounds;

                c.second = 1;
                c.minute = (uint64_t)1 << b[0].min;
                c.hour = (uint64_t)1 << b[1].min;
                c.dom = (uint64_t)1 << b[2].min;
                c.month = (uint64_t)1 << b[3].min;
                c.dow = all_bits(&b[4]);
                if (kl_streq(spec, "@yearly") || kl_streq(spec, "@annually")) {
                } else if (kl_streq(spec, "@monthly")) {
                        c.month = all_bits(&b[3]);
                } else if (kl_streq(spec, "@weekly")) {
                        c.dom = all_bits(&b[2]);
                        c.month = all_bits(&b[3]);
                        c.dow = (uint64_t)1 << b[4].min;
                } else if (kl_streq(spec, "@daily") || kl_streq(spec, "@midnight")) {
                        c.dom = all_bits(&b[2]);
                        c.month = all_bits(&b[3]);
                } else if (kl_streq(spec, "@hourly")) {
                        c.hour = all_bits(&b[1]);
                        c.dom = all_bits(&b[2]);
                        c.month = all_bits(&b[3]);
                } else if ((p = kl_startswith(spec, "@every "))) {
                        kl_autofree char *why = NULL;
                        int64_t sec = 0;

                        if ((why = parse_every(p, &sec))) {
                                kl_ctrl_tz_free(c.tz);
                                return kl_err_set(err, -EINVAL, "failed to parse duration %s: %s",
                                                  spec, why);
                        }
                        /* robfig's Every(): whole seconds, at least one. */
                        c.every = sec < 1 ? 1 : sec;
                } else {
                        kl_ctrl_tz_free(c.tz);
                        return kl_err_set(err, -EINVAL, "unrecognized descriptor: %s", spec);
                }
                out = kl_new0(struct kl_ctrl_cron);
                *out = c;
                *ret = out;
                return 0;
        }

        /* strings.Fields: split on runs of white space. */
        for (p = spec; *p;) {
                size_t len;

                p += strspn(p, " \t\n\r\v\f");
                len = strcspn(p, " \t\n\r\v\f");
                if (len == 0)
                        break;
                owned = kl_strndup(p, len);
                kl_strv_push_take(&fields, KL_TAKE_PTR(owned));
                p += len;
        }
        if (!fields)
                fields = kl_calloc(1, sizeof(*fields)); /* no fields: an empty vector */
        n = kl_strv_length(fields);
        if (n != 5) {
                kl_autobuf struct kl_buf list = KL_BUF_INIT;

                for (size_t i = 0; i < n; i++)
                        (void)kl_buf_printf(&list, "%s%s", i ? " " : "", fields[i]);
                kl_ctrl_tz_free(c.tz);
                return kl_err_set(err, -EINVAL, "expected exactly 5 fields, found %zu: [%s]", n,
                                  list.buf ? list.buf : "");
        }
        c.second = 1;
        {
                uint64_t *dst[5] = { &c.minute, &c.hour, &c.dom, &c.month, &c.dow };

                for (size_t i = 0; i < 5; i++) {
                        if ((r = cron_field(fields[i], &field_bounds[i], dst[i], err)) < 0) {
                                kl_ctrl_tz_free(c.tz);
                                return r;
                        }
                }
        }
        out = kl_new0(struct kl_ctrl_cron);
        *out = c;
        *ret = out;
        return 0;
}

void kl_ctrl_cron_free(struct kl_ctrl_cron *c)
{
        if (!c)
                return;
        kl_ctrl_tz_free(c->tz);
        free(c);
}

const struct kl_ctrl_tz *kl_ctrl_cron_tz(const struct kl_ctrl_cron *c)
{
        return c->tz;
}

static bool day_matches(const struct kl_ctrl_cron *c, const struct ltm *tm)
{
        bool dom = c->dom & ((uint64_t)1 << tm->day), dow = c->dow & ((uint64_t)1 << tm->wday);

        if ((c->dom & STAR_BIT) || (c->dow & STAR_BIT))
                return dom && dow;
        return dom || dow;
}

kl_usec_t kl_ctrl_cron_next(const struct kl_ctrl_cron *c, kl_usec_t after)
{
        const struct kl_ctrl_tz *tz = c->tz;
        /* Start at the next whole second. */
        int64_t t = (int64_t)(after / KL_USEC_PER_SEC) + 1, year_limit;
        bool added = false;
        struct ltm tm;

        if (c->every)
                return (kl_usec_t)(t - 1 + c->every) * KL_USEC_PER_SEC;
        to_local(tz, t, &tm);
        year_limit = tm.year + 5;
wrap:
        to_local(tz, t, &tm);
        if (tm.year > year_limit)
                return 0;
        while (!(c->month & ((uint64_t)1 << tm.mon))) {
                if (!added) {
                        added = true;
                        t = from_local(tz, tm.year, tm.mon, 1, 0, 0, 0);
                        to_local(tz, t, &tm);
                }
                t = from_local(tz, tm.year, tm.mon + 1, tm.day, tm.hour, tm.min, tm.sec);
                to_local(tz, t, &tm);
                if (tm.mon == 1)
                        goto wrap;
        }
        while (!day_matches(c, &tm)) {
                if (!added) {
                        added = true;
                        t = from_local(tz, tm.year, tm.mon, tm.day, 0, 0, 0);
                        to_local(tz, t, &tm);
                }
                t = from_local(tz, tm.year, tm.mon, tm.day + 1, tm.hour, tm.min, tm.sec);
                to_local(tz, t, &tm);
                /* Back to midnight when a DST change moved the hour. */
                if (tm.hour != 0) {
                        t += tm.hour > 12 ? (int64_t)(24 - tm.hour) * 3600
                                          : -(int64_t)tm.hour * 3600;
                        to_local(tz, t, &tm);
                }
                if (tm.day == 1)
                        goto wrap;
        }
        while (!(c->hour & ((uint64_t)1 << tm.hour))) {
                if (!added) {
                        added = true;
                        t = from_local(tz, tm.year, tm.mon, tm.day, tm.hour, 0, 0);
                }
                t += 3600;
                to_local(tz, t, &tm);
                if (tm.hour == 0)
                        goto wrap;
        }
        while (!(c->minute & ((uint64_t)1 << tm.min))) {
                if (!added) {
                        added = true;
                        t -= t - floor_div(t, 60) * 60;
                }
                t += 60;
                to_local(tz, t, &tm);
                if (tm.min == 0)
                        goto wrap;
        }
        while (!(c->second & ((uint64_t)1 << tm.sec))) {
                added = true;
                t += 1;
                to_local(tz, t, &tm);
                if (tm.sec == 0)
                        goto wrap;
        }
        return t < 0 ? 0 : (kl_usec_t)t * KL_USEC_PER_SEC;
}
