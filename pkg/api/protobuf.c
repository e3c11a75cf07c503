/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes protobuf request bodies to JSON, driven by the schema tables.
 *
 * The wire format is walked once, with every length checked against the
 * bytes that remain before it is used; values are converted to the JSON that
 * Go's encoding/json writes for the same Go value, so that everything after
 * the decoder (defaulting, validation, the store) sees what a JSON request
 * would have carried. The zero-value rules, the reason this is more than a
 * generic protobuf-to-JSON converter, are explained in README-schema.md
 * ("Zero values"): gogo writes every non-pointer field, so the decoder must
 * guess which zeros were meant.
 */
#include "api/schema.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/schema-internal.h"
#include "base/base.h"
#include "json/json.h"

/* Protobuf wire types. 3 and 4 are the deprecated groups, which gogo never writes. */
enum {
        WT_VARINT = 0,
        WT_FIXED64 = 1,
        WT_LEN = 2,
        WT_FIXED32 = 5,
};

/* Field numbers of runtime.Unknown and runtime.TypeMeta (apimachinery/pkg/runtime). */
enum {
        UNKNOWN_TYPE_META = 1,
        UNKNOWN_RAW = 2,
        UNKNOWN_CONTENT_ENCODING = 3,
        UNKNOWN_CONTENT_TYPE = 4,
        TYPE_META_API_VERSION = 1,
        TYPE_META_KIND = 2,
};

/* Go's time range for metav1.Time: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define MIN_UNIX_SECONDS INT64_C(-62135596800)
#define MAX_UNIX_SECONDS INT64_C(253402300799)

struct pb {
        const uint8_t *base; /* start of the outermost body: error offsets count from here */
        struct kl_buf path;  /* JSON path of the value being decoded, for error messages */
        unsigned depth;      /* messages entered */
};

/* A bounded view of the bytes still to read. */
struct cursor {
        const uint8_t *p;
        const uint8_t *end;
};

static void set_error(struct pb *pb, const uint8_t *at, struct kl_err **err, const char *fmt, ...)
        KL_PRINTF(4, 5);

/*
 * Record an -EINVAL error and be -EINVAL. A macro so that the value is
 * visible at every failing return: the static analyser does not follow
 * variadic calls, and without it reports reads of outputs never written.
 */
#define PB_FAIL(pb, at, err, ...) (set_error((pb), (at), (err), __VA_ARGS__), -EINVAL)

static void set_error(struct pb *pb, const uint8_t *at, struct kl_err **err, const char *fmt, ...)
{
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        va_list ap;

        (void)kl_buf_puts(&msg, "protobuf: ");
        if (pb->path.len > 0)
                (void)kl_buf_printf(&msg, "'%s': ", pb->path.buf);
        va_start(ap, fmt);
        (void)kl_buf_vprintf(&msg, fmt, ap);
        va_end(ap);
        if (at)
                (void)kl_buf_printf(&msg, " at byte %zu", (size_t)(at - pb->base));
        (void)kl_err_set(err, -EINVAL, "%s", msg.buf);
}

static int enter(struct pb *pb, const uint8_t *at, struct kl_err **err)
{
        if (pb->depth >= KL_API_PROTOBUF_MAX_DEPTH)
                return PB_FAIL(pb, at, err, "messages nested deeper than %d",
                               KL_API_PROTOBUF_MAX_DEPTH);
        pb->depth++;
        return 0;
}

static size_t path_push(struct pb *pb, const char *name)
{
        size_t mark = pb->path.len;

        if (mark > 0)
                (void)kl_buf_putc(&pb->path, '.');
        (void)kl_buf_puts(&pb->path, name);
        return mark;
}

static size_t path_push_index(struct pb *pb, size_t i)
{
        size_t mark = pb->path.len;

        (void)kl_buf_printf(&pb->path, "[%zu]", i);
        return mark;
}

static void path_pop(struct pb *pb, size_t mark)
{
        kl_buf_truncate(&pb->path, mark);
}

static int read_varint(struct pb *pb, struct cursor *c, uint64_t *ret, struct kl_err **err)
{
        const uint8_t *start = c->p;
        uint64_t v = 0;

        for (unsigned i = 0; i < 10; i++) {
                uint8_t b;

                if (c->p >= c->end)
                        return PB_FAIL(pb, start, err, "truncated varint");
                b = *c->p++;
                /* The tenth byte holds the 64th bit only. */
                if (i == 9 && b > 1)
                        return PB_FAIL(pb, start, err, "varint overflows 64 bits");
                v |= (uint64_t)(b & 0x7f) << (7 * i);
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return PB_FAIL(pb, start, err, "varint longer than 10 bytes");
}

static int read_fixed(struct pb *pb, struct cursor *c, size_t n, uint64_t *ret, struct kl_err **err)
{
        uint64_t v = 0;

        if ((size_t)(c->end - c->p) < n)
                return PB_FAIL(pb, c->p, err, "truncated %zu-byte value", n);
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t)c->p[i] << (8 * i);
        c->p += n;
        *ret = v;
        return 0;
}

/* A length prefix and the bytes it covers, checked against what remains. */
static int read_len(struct pb *pb, struct cursor *c, struct cursor *ret, struct kl_err **err)
{
        const uint8_t *start = c->p;
        uint64_t n;
        int r;

        r = read_varint(pb, c, &n, err);
        if (r < 0)
                return r;
        if (n > (uint64_t)(c->end - c->p))
                return PB_FAIL(pb, start, err,
                               "length %" PRIu64 " runs past the end (%zu bytes left)", n,
                               (size_t)(c->end - c->p));
        ret->p = c->p;
        ret->end = c->p + n;
        c->p += n;
        return 0;
}

static int read_tag(struct pb *pb, struct cursor *c, unsigned *ret_number, unsigned *ret_wt,
                    struct kl_err **err)
{
        const uint8_t *start = c->p;
        uint64_t tag;
        int r;

        r = read_varint(pb, c, &tag, err);
        if (r < 0)
                return r;
        if (tag >> 3 == 0 || tag >> 3 > UINT32_C(0x1fffffff))
                return PB_FAIL(pb, start, err, "invalid field number %" PRIu64, tag >> 3);
        *ret_number = (unsigned)(tag >> 3);
        *ret_wt = (unsigned)(tag & 7);
        return 0;
}

static int skip_value(struct pb *pb, struct cursor *c, unsigned number, unsigned wt,
                      struct kl_err **err)
{
        struct cursor sub;
        uint64_t v;

        switch (wt) {
        case WT_VARINT:
                return read_varint(pb, c, &v, err);
        case WT_FIXED64:
                return read_fixed(pb, c, 8, &v, err);
        case WT_LEN:
                return read_len(pb, c, &sub, err);
        case WT_FIXED32:
                return read_fixed(pb, c, 4, &v, err);
        default:
                return PB_FAIL(pb, c->p, err, "field %u: unsupported wire type %u", number, wt);
        }
}

/* Valid UTF-8 without NUL: what JSON text, and so the rest of kube-lite, can hold. */
static bool utf8_ok(const uint8_t *s, size_t n)
{
        size_t i = 0;

        while (i < n) {
                uint8_t b = s[i];
                uint32_t cp;
                size_t len;

                if (b == 0)
                        return false;
                if (b < 0x80) {
                        i++;
                        continue;
                }
                if (b >= 0xc2 && b <= 0xdf) {
                        len = 2;
                        cp = b & 0x1f;
                } else if (b >= 0xe0 && b <= 0xef) {
                        len = 3;
                        cp = b & 0x0f;
                } else if (b >= 0xf0 && b <= 0xf4) {
                        len = 4;
                        cp = b & 0x07;
                } else {
                        return false;
                }
                if (n - i < len)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                /* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
                if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += len;
        }
        return true;
}

static int read_string(struct pb *pb, struct cursor *c, json_t **ret, struct kl_err **err)
{
        struct cursor s;
        json_t *v;
        int r;

        r = read_len(pb, c, &s, err);
        if (r < 0)
                return r;
        if (!utf8_ok(s.p, (size_t)(s.end - s.p)))
                return PB_FAIL(pb, s.p, err, "string is not valid UTF-8 or contains NUL");
        v = json_stringn_nocheck((const char *)s.p, (size_t)(s.end - s.p));
        if (!v)
                kl_oom();
        *ret = v;
        return 0;
}

static json_t *base64(const uint8_t *p, size_t n)
{
        static const char tab[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        kl_autofree char *out = kl_malloc((n + 2) / 3 * 4 + 1);
        size_t o = 0, i = 0;
        json_t *v;

        for (; n - i >= 3; i += 3) {
                uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

                out[o++] = tab[w >> 18];
                out[o++] = tab[(w >> 12) & 63];
                out[o++] = tab[(w >> 6) & 63];
                out[o++] = tab[w & 63];
        }
        if (n - i > 0) {
                uint32_t w = (uint32_t)p[i] << 16 | (n - i > 1 ? (uint32_t)p[i + 1] << 8 : 0);

                out[o++] = tab[w >> 18];
                out[o++] = tab[(w >> 12) & 63];
                out[o++] = n - i > 1 ? tab[(w >> 6) & 63] : '=';
                out[o++] = '=';
        }
        v = json_stringn_nocheck(out, o);
        if (!v)
                kl_oom();
        return v;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
        int64_t era, doe, yoe, doy, mp;

        z += 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = z - era * 146097;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
        *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
        *y = yoe + era * 400 + (*m <= 2);
}

/* metav1.Time / MicroTime as Go's MarshalJSON writes them: UTC, RFC 3339. */
static json_t *format_time(int64_t seconds, int32_t nanos, bool micro)
{
        int64_t days = seconds / 86400, rem = seconds % 86400, year;
        unsigned month, day;
        char buf[64];

        if (rem < 0) {
                rem += 86400;
                days--;
        }
        civil_from_days(days, &year, &month, &day);
        if (micro)
                (void)snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06uZ",
                               year, month, day, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                               (unsigned)(rem % 60), (unsigned)nanos / 1000);
        else
                (void)snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", year,
                               month, day, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                               (unsigned)(rem % 60));
        return json_string(buf);
}

static int decode_message_into(struct pb *pb, const struct kl_api_message *m, struct cursor c,
                               json_t *obj, struct kl_err **err);
static int decode_envelope(struct pb *pb, struct cursor c, json_t **ret, struct kl_err **err);

/* Varint fields of a small special message, by number (1..3), other fields skipped. */
static int read_small_fields(struct pb *pb, struct cursor c, uint64_t vals[4], bool seen[4],
                             struct cursor strs[4], struct kl_err **err)
{
        while (c.p < c.end) {
                unsigned number, wt;
                int r;

                r = read_tag(pb, &c, &number, &wt, err);
                if (r < 0)
                        return r;
                if (number > 3) {
                        r = skip_value(pb, &c, number, wt, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (wt == WT_VARINT)
                        r = read_varint(pb, &c, &vals[number], err);
                else if (wt == WT_LEN)
                        r = read_len(pb, &c, &strs[number], err);
                else
                        r = PB_FAIL(pb, c.p, err, "field %u: unexpected wire type %u", number, wt);
                if (r < 0)
                        return r;
                seen[number] = true;
        }
        return 0;
}

/*
 * A special message's JSON form (enum kl_api_special). *ret is a new value;
 * json null stands for Go's zero value where Go writes null (an empty Time).
 */
static int decode_special(struct pb *pb, const struct kl_api_message *m, struct cursor c,
                          json_t **ret, struct kl_err **err)
{
        uint64_t vals[4] = { 0 };
        bool seen[4] = { false };
        struct cursor strs[4] = { { NULL, NULL } };
        const uint8_t *start = c.p;
        size_t len = (size_t)(c.end - c.p);
        json_t *v = NULL;
        int r;

        switch (kl_api_message_special(m)) {
        case KL_API_SPECIAL_TIME:
        case KL_API_SPECIAL_MICRO_TIME: {
                int64_t seconds;
                int64_t nanos;

                /* Go marshals the zero time as no bytes at all and decodes them back to it. */
                if (len == 0) {
                        *ret = json_null();
                        return 0;
                }
                r = read_small_fields(pb, c, vals, seen, strs, err);
                if (r < 0)
                        return r;
                if (strs[1].p || strs[2].p)
                        return PB_FAIL(pb, start, err, "time with a length-delimited field");
                seconds = (int64_t)vals[1];
                nanos = (int64_t)(int32_t)vals[2];
                if (seconds < MIN_UNIX_SECONDS || seconds > MAX_UNIX_SECONDS || nanos < 0 ||
                    nanos > 999999999)
                        return PB_FAIL(pb, start, err,
                                       "time %" PRId64 "s %" PRId64 "ns outside years 1 to 9999",
                                       seconds, nanos);
                v = format_time(seconds, (int32_t)nanos,
                                kl_api_message_special(m) == KL_API_SPECIAL_MICRO_TIME);
                break;
        }
        case KL_API_SPECIAL_DURATION: {
                char buf[KL_DURATION_STRING_MAX];

                r = read_small_fields(pb, c, vals, seen, strs, err);
                if (r < 0)
                        return r;
                if (strs[1].p)
                        return PB_FAIL(pb, start, err, "duration with a length-delimited field");
                v = json_string(kl_duration_format_ns((int64_t)vals[1], buf, sizeof(buf)));
                break;
        }
        case KL_API_SPECIAL_QUANTITY: {
                kl_autoerr struct kl_err *qe = NULL;
                kl_autofree char *s = NULL;
                char buf[KL_QUANTITY_STRING_MAX];
                struct kl_quantity q;

                r = read_small_fields(pb, c, vals, seen, strs, err);
                if (r < 0)
                        return r;
                if (!strs[1].p)
                        strs[1].p = strs[1].end = c.p;
                s = kl_strndup((const char *)strs[1].p, (size_t)(strs[1].end - strs[1].p));
                if (!utf8_ok(strs[1].p, (size_t)(strs[1].end - strs[1].p)))
                        return PB_FAIL(pb, start, err, "quantity is not valid text");
                r = kl_quantity_parse(s, &q, &qe);
                if (r < 0)
                        return PB_FAIL(pb, start, err, "%s", kl_err_msg(qe));
                /* The input string itself when Kubernetes would keep it (quantity.h). */
                v = json_string(
                        kl_quantity_is_verbatim(s) ? s : kl_quantity_format(&q, buf, sizeof(buf)));
                break;
        }
        case KL_API_SPECIAL_INT_OR_STRING:
                r = read_small_fields(pb, c, vals, seen, strs, err);
                if (r < 0)
                        return r;
                if (strs[1].p || strs[2].p || (seen[3] && !strs[3].p) || vals[1] > 1)
                        return PB_FAIL(pb, start, err, "invalid IntOrString");
                if (vals[1] == 0) {
                        v = json_integer((int32_t)vals[2]);
                } else {
                        if (!strs[3].p)
                                strs[3].p = strs[3].end = c.p;
                        if (!utf8_ok(strs[3].p, (size_t)(strs[3].end - strs[3].p)))
                                return PB_FAIL(pb, start, err,
                                               "string is not valid UTF-8 or contains NUL");
                        v = json_stringn_nocheck((const char *)strs[3].p,
                                                 (size_t)(strs[3].end - strs[3].p));
                }
                break;
        case KL_API_SPECIAL_RAW_EXTENSION:
        case KL_API_SPECIAL_FIELDS_V1: {
                kl_autoerr struct kl_err *je = NULL;
                size_t rawlen;

                r = read_small_fields(pb, c, vals, seen, strs, err);
                if (r < 0)
                        return r;
                if (seen[2] || seen[3] || (seen[1] && !strs[1].p))
                        return PB_FAIL(pb, start, err, "raw JSON with unexpected fields");
                rawlen = strs[1].p ? (size_t)(strs[1].end - strs[1].p) : 0;
                if (rawlen == 0) {
                        *ret = json_null();
                        return 0;
                }
                /* An object embedded in protobuf form carries its own envelope. */
                if (kl_api_message_special(m) == KL_API_SPECIAL_RAW_EXTENSION &&
                    rawlen >= KL_API_PROTOBUF_MAGIC_LEN &&
                    memcmp(strs[1].p, KL_API_PROTOBUF_MAGIC, KL_API_PROTOBUF_MAGIC_LEN) == 0)
                        return decode_envelope(pb, strs[1], ret, err);
                r = kl_json_decode((const char *)strs[1].p, rawlen, rawlen, &v, &je);
                if (r < 0)
                        return PB_FAIL(pb, strs[1].p, err, "embedded JSON: %s", kl_err_msg(je));
                break;
        }
        case KL_API_SPECIAL_STRING_LIST: {
                v = json_array();
                if (!v)
                        kl_oom();
                while (c.p < c.end) {
                        unsigned number, wt;
                        json_t *s = NULL;

                        r = read_tag(pb, &c, &number, &wt, err);
                        if (r >= 0 && number == 1 && wt == WT_LEN)
                                r = read_string(pb, &c, &s, err);
                        else if (r >= 0)
                                r = skip_value(pb, &c, number, wt, err);
                        if (r >= 0 && s && json_array_append_new(v, s) < 0)
                                kl_oom();
                        if (r < 0) {
                                json_decref(v);
                                return r;
                        }
                }
                break;
        }
        case KL_API_SPECIAL_NONE:
        case KL_API_SPECIAL_UNKNOWN:
        default:
                kl_bug("not a special message");
        }
        if (!v)
                kl_oom();
        *ret = v;
        return 0;
}

/* A message value: a new object, or a special message's JSON form. */
static int decode_message_value(struct pb *pb, const struct kl_api_message *m, struct cursor c,
                                json_t **ret, struct kl_err **err)
{
        json_auto_t *obj = NULL;
        int r;

        r = enter(pb, c.p, err);
        if (r < 0)
                return r;
        if (kl_api_message_special(m) != KL_API_SPECIAL_NONE &&
            kl_api_message_special(m) != KL_API_SPECIAL_UNKNOWN) {
                r = decode_special(pb, m, c, ret, err);
                pb->depth--;
                return r;
        }
        obj = json_object();
        if (!obj)
                kl_oom();
        r = decode_message_into(pb, m, c, obj, err);
        pb->depth--;
        if (r < 0)
                return r;
        *ret = KL_TAKE_PTR(obj);
        return 0;
}

static const char *wire_type_name(unsigned wt)
{
        switch (wt) {
        case WT_VARINT:
                return "varint";
        case WT_FIXED64:
                return "64-bit";
        case WT_LEN:
                return "length-delimited";
        case WT_FIXED32:
                return "32-bit";
        default:
                return "group";
        }
}

/*
 * One value of field `f` (an element for repeated fields, the value of a map
 * entry) in wire type `wt`. *ret is a new value.
 */
static int decode_value(struct pb *pb, const struct kl_api_field *f, unsigned wt, struct cursor *c,
                        json_t **ret, struct kl_err **err)
{
        enum kl_api_type type = kl_api_field_type(f);
        unsigned want;
        struct cursor sub;
        uint64_t v;
        json_t *j = NULL;
        int r;

        switch (type) {
        case KL_API_TYPE_DOUBLE:
                want = WT_FIXED64;
                break;
        case KL_API_TYPE_FLOAT:
                want = WT_FIXED32;
                break;
        case KL_API_TYPE_STRING:
        case KL_API_TYPE_BYTES:
        case KL_API_TYPE_MESSAGE:
                want = WT_LEN;
                break;
        default:
                want = WT_VARINT;
                break;
        }
        if (wt != want)
                return PB_FAIL(pb, c->p, err, "field %u has wire type %s, expected %s",
                               kl_api_field_number(f), wire_type_name(wt), wire_type_name(want));

        switch (type) {
        case KL_API_TYPE_STRING:
                return read_string(pb, c, ret, err);
        case KL_API_TYPE_BYTES:
                r = read_len(pb, c, &sub, err);
                if (r < 0)
                        return r;
                *ret = base64(sub.p, (size_t)(sub.end - sub.p));
                return 0;
        case KL_API_TYPE_MESSAGE:
                r = read_len(pb, c, &sub, err);
                if (r < 0)
                        return r;
                return decode_message_value(pb, kl_api_field_message(f), sub, ret, err);
        case KL_API_TYPE_DOUBLE:
        case KL_API_TYPE_FLOAT: {
                double d;

                r = read_fixed(pb, c, type == KL_API_TYPE_DOUBLE ? 8 : 4, &v, err);
                if (r < 0)
                        return r;
                if (type == KL_API_TYPE_DOUBLE) {
                        memcpy(&d, &v, sizeof(d));
                } else {
                        uint32_t w = (uint32_t)v;
                        float fl;

                        memcpy(&fl, &w, sizeof(fl));
                        d = fl;
                }
                if (!isfinite(d))
                        return PB_FAIL(pb, c->p, err, "field %u: %g cannot be written as JSON",
                                       kl_api_field_number(f), d);
                j = json_real(d);
                break;
        }
        default:
                r = read_varint(pb, c, &v, err);
                if (r < 0)
                        return r;
                switch (type) {
                case KL_API_TYPE_BOOL:
                        j = json_boolean(v != 0);
                        break;
                case KL_API_TYPE_INT32:
                        /* Negative int32s are sign-extended to 64 bits on the wire. */
                        j = json_integer((int32_t)(uint32_t)v);
                        break;
                case KL_API_TYPE_UINT32:
                        j = json_integer((uint32_t)v);
                        break;
                case KL_API_TYPE_UINT64:
                        if (v > INT64_MAX)
                                return PB_FAIL(pb, c->p, err, "field %u: %" PRIu64 " is too large",
                                               kl_api_field_number(f), v);
                        j = json_integer((json_int_t)v);
                        break;
                default:
                        j = json_integer((json_int_t)v);
                        break;
                }
                break;
        }
        if (!j)
                kl_oom();
        *ret = j;
        return 0;
}

static bool is_zero(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_FALSE:
        case JSON_NULL:
                return true;
        case JSON_INTEGER:
                return json_integer_value(v) == 0;
        case JSON_REAL:
                return json_real_value(v) == 0;
        case JSON_STRING:
                return json_string_length(v) == 0;
        default:
                return false;
        }
}

/* The array or object stored under `name`, created when missing. Borrowed. */
static int container(struct pb *pb, json_t *obj, const char *name, bool array, json_t **ret,
                     struct kl_err **err)
{
        json_t *c = json_object_get(obj, name);

        if (c && (array ? json_is_array(c) : json_is_object(c))) {
                *ret = c;
                return 0;
        }
        if (c)
                return PB_FAIL(pb, NULL, err, "field '%s' has two different types", name);
        c = array ? json_array() : json_object();
        if (!c || json_object_set_new_nocheck(obj, name, c) < 0)
                kl_oom();
        *ret = c;
        return 0;
}

static int decode_map_entry(struct pb *pb, const struct kl_api_field *f, struct cursor *c,
                            json_t *obj, struct kl_err **err)
{
        json_auto_t *key = NULL, *value = NULL;
        struct cursor e;
        json_t *map;
        size_t mark;
        int r;

        r = read_len(pb, c, &e, err);
        if (r < 0)
                return r;
        while (e.p < e.end) {
                unsigned number, wt;

                r = read_tag(pb, &e, &number, &wt, err);
                if (r < 0)
                        return r;
                if (number == 1) {
                        if (wt != WT_LEN)
                                return PB_FAIL(pb, e.p, err, "map key has wire type %s",
                                               wire_type_name(wt));
                        json_decref(key);
                        key = NULL;
                        r = read_string(pb, &e, &key, err);
                } else if (number == 2) {
                        json_decref(value);
                        value = NULL;
                        mark = path_push(pb, key ? json_string_value(key) : "?");
                        r = decode_value(pb, f, wt, &e, &value, err);
                        path_pop(pb, mark);
                } else {
                        r = skip_value(pb, &e, number, wt, err);
                }
                if (r < 0)
                        return r;
        }

        /* A missing part is the type's default, as in protobuf. */
        if (!key) {
                key = json_string("");
                if (!key)
                        kl_oom();
        }
        if (!value) {
                struct cursor none = { e.end, e.end };

                switch (kl_api_field_type(f)) {
                case KL_API_TYPE_MESSAGE:
                        r = decode_message_value(pb, kl_api_field_message(f), none, &value, err);
                        if (r < 0)
                                return r;
                        break;
                case KL_API_TYPE_STRING:
                case KL_API_TYPE_BYTES:
                        value = json_string("");
                        break;
                case KL_API_TYPE_BOOL:
                        value = json_false();
                        break;
                case KL_API_TYPE_DOUBLE:
                case KL_API_TYPE_FLOAT:
                        value = json_real(0);
                        break;
                default:
                        value = json_integer(0);
                        break;
                }
                if (!value)
                        kl_oom();
        }

        r = container(pb, obj, kl_api_field_name(f), false, &map, err);
        if (r < 0)
                return r;
        if (json_object_set_nocheck(map, json_string_value(key), value) < 0)
                kl_oom();
        return 0;
}

static int decode_packed(struct pb *pb, const struct kl_api_field *f, struct cursor *c,
                         json_t *array, struct kl_err **err)
{
        enum kl_api_type type = kl_api_field_type(f);
        unsigned wt = type == KL_API_TYPE_DOUBLE  ? WT_FIXED64
                      : type == KL_API_TYPE_FLOAT ? WT_FIXED32
                                                  : WT_VARINT;
        struct cursor s;
        int r;

        r = read_len(pb, c, &s, err);
        if (r < 0)
                return r;
        while (s.p < s.end) {
                json_t *v = NULL;

                r = decode_value(pb, f, wt, &s, &v, err);
                if (r < 0)
                        return r;
                if (json_array_append_new(array, v) < 0)
                        kl_oom();
        }
        return 0;
}

static int want_len(struct pb *pb, const struct kl_api_field *f, unsigned wt,
                    const struct cursor *c, struct kl_err **err)
{
        if (wt == WT_LEN)
                return 0;
        return PB_FAIL(pb, c->p, err, "field %u has wire type %s, expected %s",
                       kl_api_field_number(f), wire_type_name(wt), wire_type_name(WT_LEN));
}

/* The fields of `f`'s message decoded into `obj` itself. */
static int decode_into(struct pb *pb, const struct kl_api_field *f, unsigned wt, struct cursor *c,
                       json_t *obj, struct kl_err **err)
{
        struct cursor sub;
        int r;

        r = want_len(pb, f, wt, c, err);
        if (r < 0)
                return r;
        r = read_len(pb, c, &sub, err);
        if (r < 0)
                return r;
        r = enter(pb, sub.p, err);
        if (r < 0)
                return r;
        r = decode_message_into(pb, kl_api_field_message(f), sub, obj, err);
        pb->depth--;
        return r;
}

static int decode_repeated(struct pb *pb, const struct kl_api_field *f, unsigned wt,
                           struct cursor *c, json_t *obj, struct kl_err **err)
{
        enum kl_api_type type = kl_api_field_type(f);
        json_auto_t *v = NULL;
        json_t *array;
        size_t mark;
        int r;

        r = container(pb, obj, kl_api_field_name(f), true, &array, err);
        if (r < 0)
                return r;
        /* Scalars may come packed (one length-delimited run) or one by one. */
        if (wt == WT_LEN && type != KL_API_TYPE_STRING && type != KL_API_TYPE_BYTES &&
            type != KL_API_TYPE_MESSAGE)
                return decode_packed(pb, f, c, array, err);

        mark = path_push_index(pb, json_array_size(array));
        r = decode_value(pb, f, wt, c, &v, err);
        path_pop(pb, mark);
        if (r < 0)
                return r;
        if (json_array_append(array, v) < 0)
                kl_oom();
        return 0;
}

static int decode_singular(struct pb *pb, const struct kl_api_field *f, unsigned wt,
                           struct cursor *c, json_t *obj, struct kl_err **err)
{
        const char *name = kl_api_field_name(f);
        unsigned flags = kl_api_field_flags(f);
        json_t *old = json_object_get(obj, name);
        json_auto_t *v = NULL;
        int r;

        /*
         * A message seen twice is merged, as protobuf specifies (gogo never
         * splits one, but another encoder may).
         */
        if (kl_api_field_type(f) == KL_API_TYPE_MESSAGE && json_is_object(old) &&
            kl_api_message_special(kl_api_field_message(f)) == KL_API_SPECIAL_NONE)
                return decode_into(pb, f, wt, c, old, err);

        r = decode_value(pb, f, wt, c, &v, err);
        if (r < 0)
                return r;
        /*
         * Zero values (README-schema.md): "" and empty bytes are unset unless
         * the field is a *string where "" means something; 0 and false are
         * kept unless the field is a Go value type; a Go zero time is omitted.
         */
        if (json_is_null(v) ||
            (json_is_string(v) && json_string_length(v) == 0 &&
             kl_api_field_type(f) != KL_API_TYPE_MESSAGE && !(flags & KL_API_FIELD_KEEP_EMPTY)) ||
            ((flags & KL_API_FIELD_OMIT_ZERO) && is_zero(v))) {
                (void)json_object_del(obj, name);
                return 0;
        }
        if (json_object_set_nocheck(obj, name, v) < 0)
                kl_oom();
        return 0;
}

static int decode_field(struct pb *pb, const struct kl_api_field *f, unsigned wt, struct cursor *c,
                        json_t *obj, struct kl_err **err)
{
        unsigned flags = kl_api_field_flags(f);
        size_t mark;
        int r;

        /* An embedded Go struct: its fields land in this very object. */
        if (flags & KL_API_FIELD_INLINE)
                return decode_into(pb, f, wt, c, obj, err);

        mark = path_push(pb, kl_api_field_name(f));
        if (flags & KL_API_FIELD_MAP) {
                r = want_len(pb, f, wt, c, err);
                if (r >= 0)
                        r = decode_map_entry(pb, f, c, obj, err);
        } else if (flags & KL_API_FIELD_REPEATED) {
                r = decode_repeated(pb, f, wt, c, obj, err);
        } else {
                r = decode_singular(pb, f, wt, c, obj, err);
        }
        path_pop(pb, mark);
        return r;
}

static int decode_message_into(struct pb *pb, const struct kl_api_message *m, struct cursor c,
                               json_t *obj, struct kl_err **err)
{
        while (c.p < c.end) {
                const struct kl_api_field *f;
                unsigned number, wt;
                int r;

                r = read_tag(pb, &c, &number, &wt, err);
                if (r < 0)
                        return r;
                f = kl_api_message_field_by_number(m, number);
                if (!f)
                        /* A newer client's field: protobuf's rule is to skip it. */
                        r = skip_value(pb, &c, number, wt, err);
                else
                        r = decode_field(pb, f, wt, &c, obj, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* runtime.Unknown: typeMeta, raw, contentEncoding, contentType. `c` starts after the magic. */
static int decode_unknown(struct pb *pb, struct cursor c, json_t **ret, struct kl_err **err)
{
        const struct kl_api_message *m;
        kl_autofree char *api_version = NULL, *kind = NULL;
        struct cursor raw = { c.end, c.end };
        const uint8_t *start = c.p;
        json_auto_t *obj = NULL;
        int r;

        while (c.p < c.end) {
                unsigned number, wt;
                struct cursor sub;

                r = read_tag(pb, &c, &number, &wt, err);
                if (r < 0)
                        return r;
                if (number > UNKNOWN_CONTENT_TYPE) {
                        r = skip_value(pb, &c, number, wt, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (wt != WT_LEN)
                        return PB_FAIL(pb, c.p, err, "envelope field %u has wire type %s", number,
                                       wire_type_name(wt));
                r = read_len(pb, &c, &sub, err);
                if (r < 0)
                        return r;
                switch (number) {
                case UNKNOWN_TYPE_META:
                        while (sub.p < sub.end) {
                                unsigned n2, wt2;
                                json_auto_t *s = NULL;

                                r = read_tag(pb, &sub, &n2, &wt2, err);
                                if (r < 0)
                                        return r;
                                if ((n2 != TYPE_META_API_VERSION && n2 != TYPE_META_KIND) ||
                                    wt2 != WT_LEN) {
                                        r = skip_value(pb, &sub, n2, wt2, err);
                                        if (r < 0)
                                                return r;
                                        continue;
                                }
                                r = read_string(pb, &sub, &s, err);
                                if (r < 0)
                                        return r;
                                if (n2 == TYPE_META_API_VERSION) {
                                        free(api_version);
                                        api_version = kl_strdup(json_string_value(s));
                                } else {
                                        free(kind);
                                        kind = kl_strdup(json_string_value(s));
                                }
                        }
                        break;
                case UNKNOWN_RAW:
                        raw = sub;
                        break;
                case UNKNOWN_CONTENT_ENCODING:
                        if (sub.p != sub.end)
                                return PB_FAIL(
                                        pb, sub.p, err, "content encoding '%.*s' is not supported",
                                        (int)KL_MIN(sub.end - sub.p, 64), (const char *)sub.p);
                        break;
                case UNKNOWN_CONTENT_TYPE:
                        /* Empty, or the protobuf type itself; a JSON payload is not expected here.
                         */
                        if (sub.p != sub.end &&
                            !((size_t)(sub.end - sub.p) ==
                                      strlen("application/vnd.kubernetes.protobuf") &&
                              memcmp(sub.p, "application/vnd.kubernetes.protobuf",
                                     (size_t)(sub.end - sub.p)) == 0))
                                return PB_FAIL(
                                        pb, sub.p, err, "content type '%.*s' is not supported",
                                        (int)KL_MIN(sub.end - sub.p, 64), (const char *)sub.p);
                        break;
                default:
                        break;
                }
        }
        if (kl_isempty(api_version) || kl_isempty(kind))
                return PB_FAIL(pb, start, err, "envelope has no apiVersion and kind");
        m = kl_api_schema_message_for_kind(api_version, kind);
        if (!m)
                return PB_FAIL(pb, start, err, "no built-in kind '%s' in '%s'", kind, api_version);

        obj = json_object();
        if (!obj || json_object_set_new(obj, "apiVersion", json_string(api_version)) < 0 ||
            json_object_set_new(obj, "kind", json_string(kind)) < 0)
                kl_oom();
        r = decode_message_into(pb, m, raw, obj, err);
        if (r < 0)
                return r;
        *ret = KL_TAKE_PTR(obj);
        return 0;
}

/* `c` covers a whole body, magic included. */
static int decode_envelope(struct pb *pb, struct cursor c, json_t **ret, struct kl_err **err)
{
        int r;

        if ((size_t)(c.end - c.p) < KL_API_PROTOBUF_MAGIC_LEN ||
            memcmp(c.p, KL_API_PROTOBUF_MAGIC, KL_API_PROTOBUF_MAGIC_LEN) != 0)
                return PB_FAIL(pb, c.p, err, "body does not start with the 'k8s\\0' magic");
        c.p += KL_API_PROTOBUF_MAGIC_LEN;
        r = enter(pb, c.p, err);
        if (r < 0)
                return r;
        r = decode_unknown(pb, c, ret, err);
        pb->depth--;
        return r;
}

int kl_api_protobuf_decode(const void *data, size_t len, size_t max, json_t **ret_obj,
                           struct kl_err **err)
{
        struct pb pb = { .base = data, .path = KL_BUF_INIT };
        struct cursor c;
        json_t *obj = NULL;
        int r;

        if (len > max)
                return kl_err_set(err, -E2BIG,
                                  "protobuf: body of %zu bytes exceeds the limit of %zu", len, max);
        if (!data && len > 0)
                return kl_err_set(err, -EINVAL, "protobuf: no data");
        c.p = data;
        c.end = c.p + len;
        r = decode_envelope(&pb, c, &obj, err);
        kl_buf_release(&pb.path);
        if (r < 0)
                return r;
        *ret_obj = obj;
        return 0;
}

int kl_api_protobuf_decode_message(const struct kl_api_message *m, const void *data, size_t len,
                                   json_t **ret_value, struct kl_err **err)
{
        struct pb pb = { .base = data, .path = KL_BUF_INIT };
        struct cursor c;
        json_t *v = NULL;
        int r;

        if (!m)
                return kl_err_set(err, -EINVAL, "protobuf: no message type");
        c.p = data;
        c.end = c.p + len;
        r = decode_message_value(&pb, m, c, &v, err);
        kl_buf_release(&pb.path);
        if (r < 0)
                return r;
        *ret_value = v;
        return 0;
}
