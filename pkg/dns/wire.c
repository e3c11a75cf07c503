/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DNS message format: a parser that trusts nothing (RFC 1035 4.1, names
 * with compression, RFC 6891 OPT) and a writer that compresses names. Every
 * length is checked against the bytes that are there before it is used;
 * compression pointers must point strictly backwards from the name part that
 * holds them, which is what makes loops impossible, never into the header,
 * and what they lead to must end before the pointer itself; a name is at
 * most 255 bytes however many pointers it is assembled from.
 */
#include <errno.h>
#include <string.h>

#include "dns/dns-internal.h"

static int bad(struct kl_err **err, const char *what)
{
        return kl_err_set(err, -EBADMSG, "malformed DNS message: %s", what);
}

int kl_dns__name_read(const uint8_t *p, size_t n, size_t *off, uint8_t out[KL_DNS__NAME_WIRE_MAX],
                      size_t *ret_len)
{
        size_t pos = *off, limit = *off, end = 0, olen = 0, bound = n;
        bool jumped = false;

        for (unsigned hops = 0;;) {
                uint8_t c;

                if (pos >= bound)
                        return -EBADMSG;
                c = p[pos];
                if ((c & 0xc0) == 0xc0) {
                        size_t target;

                        if (pos + 1 >= bound)
                                return -EBADMSG;
                        target = ((size_t)(c & 0x3f) << 8) | p[pos + 1];
                        if (!jumped) {
                                end = pos + 2;
                                jumped = true;
                        }
                        /*
                         * Strictly before the part of the name being read: no loops. Never into
                         * the header, which holds no names: so the question's name, the first
                         * in a message, is always written out in full where it stands.
                         */
                        if (target >= limit || target < KL_DNS__HDR || ++hops > 127)
                                return -EBADMSG;
                        /* What a pointer leads to lies wholly before the pointer: so a
                         * message cut after any record keeps every name readable. */
                        bound = pos;
                        pos = limit = target;
                        continue;
                }
                if (c & 0xc0) /* 0x40, 0x80: extended label types, none in use */
                        return -EBADMSG;
                if (c == 0) {
                        out[olen++] = 0;
                        if (!jumped)
                                end = pos + 1;
                        break;
                }
                if (c > KL_DNS__LABEL_MAX || pos + 1 + c > bound)
                        return -EBADMSG;
                /* Room for this label and the root label after it. */
                if (olen + 1 + c + 1 > KL_DNS__NAME_WIRE_MAX)
                        return -EBADMSG;
                memcpy(out + olen, p + pos, 1 + (size_t)c);
                olen += 1 + (size_t)c;
                pos += 1 + (size_t)c;
        }
        *off = end;
        *ret_len = olen;
        return 0;
}

static bool plain_byte(uint8_t c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '*';
}

size_t kl_dns__name_to_text(const uint8_t *wire, bool lower, char *out)
{
        size_t o = 0;

        for (size_t i = 0; wire[i] != 0; i += 1 + (size_t)wire[i]) {
                if (o > 0)
                        out[o++] = '.';
                for (size_t j = 1; j <= wire[i]; j++) {
                        uint8_t c = wire[i + j];

                        if (plain_byte(c)) {
                                out[o++] = (char)(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
                        } else if (c == '.') {
                                out[o++] = '\\';
                                out[o++] = '.';
                        } else {
                                out[o++] = '\\';
                                out[o++] = (char)('0' + c / 100);
                                out[o++] = (char)('0' + c / 10 % 10);
                                out[o++] = (char)('0' + c % 10);
                        }
                }
        }
        out[o] = '\0';
        return o;
}

int kl_dns__name_from_text(const char *text, uint8_t out[KL_DNS__NAME_WIRE_MAX], size_t *ret_len)
{
        size_t len = strlen(text), o = 0, i = 0;

        if (len > 0 && text[len - 1] == '.')
                len--;
        while (i < len) {
                const char *dot = memchr(text + i, '.', len - i);
                size_t l = (dot ? (size_t)(dot - text) : len) - i;

                if (l == 0 || l > KL_DNS__LABEL_MAX || o + 1 + l + 1 > KL_DNS__NAME_WIRE_MAX)
                        return -EINVAL;
                out[o++] = (uint8_t)l;
                memcpy(out + o, text + i, l);
                o += l;
                i += l + 1;
                if (dot && i == len) /* "a..": an empty last label */
                        return -EINVAL;
        }
        out[o++] = 0;
        *ret_len = o;
        return 0;
}

static uint8_t lower(uint8_t c)
{
        return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool kl_dns__name_equal(const uint8_t *a, const uint8_t *b)
{
        for (size_t i = 0;; i += 1 + (size_t)a[i]) {
                if (a[i] != b[i])
                        return false;
                if (a[i] == 0)
                        return true;
                for (size_t j = 1; j <= a[i]; j++)
                        if (lower(a[i + j]) != lower(b[i + j]))
                                return false;
        }
}

/* RFC 2181 8: a TTL with the top bit set counts as zero. */
static uint32_t ttl_value(uint32_t t)
{
        return t & 0x80000000u ? 0 : t;
}

/* The names inside the rdata of the types that have them must be sound and fill it exactly. */
static int check_rdata(const uint8_t *p, size_t n, uint16_t type, size_t rd, size_t rdlen)
{
        uint8_t name[KL_DNS__NAME_WIRE_MAX];
        size_t len, pos = rd, end = rd + rdlen;
        int r;

        switch (type) {
        case KL_DNS__T_CNAME:
        case KL_DNS__T_PTR:
        case KL_DNS__T_NS:
                r = kl_dns__name_read(p, end, &pos, name, &len);
                return r < 0 || pos != end ? -EBADMSG : 0;
        case KL_DNS__T_MX:
        case KL_DNS__T_SRV:
                pos += type == KL_DNS__T_MX ? 2 : 6;
                if (pos > end)
                        return -EBADMSG;
                r = kl_dns__name_read(p, end, &pos, name, &len);
                return r < 0 || pos != end ? -EBADMSG : 0;
        case KL_DNS__T_SOA:
                if (kl_dns__name_read(p, end, &pos, name, &len) < 0 ||
                    kl_dns__name_read(p, end, &pos, name, &len) < 0 || pos + 20 != end)
                        return -EBADMSG;
                return 0;
        case KL_DNS__T_A:
                return rdlen == 4 ? 0 : -EBADMSG;
        case KL_DNS__T_AAAA:
                return rdlen == 16 ? 0 : -EBADMSG;
        default:
                (void)n;
                return 0;
        }
}

int kl_dns__parse_header(const uint8_t *p, size_t n, struct kl_dns__msg *ret)
{
        if (n < KL_DNS__HDR)
                return -EBADMSG;
        memset(ret, 0, offsetof(struct kl_dns__msg, qname));
        ret->id = kl_dns__get16(p);
        ret->flags = kl_dns__get16(p + 2);
        ret->qdcount = kl_dns__get16(p + 4);
        ret->ancount = kl_dns__get16(p + 6);
        ret->nscount = kl_dns__get16(p + 8);
        ret->arcount = kl_dns__get16(p + 10);
        ret->qname_len = 0;
        ret->has_opt = false;
        ret->udp_size = 0;
        ret->edns_version = 0;
        return 0;
}

int kl_dns__parse(const uint8_t *p, size_t n, struct kl_dns__msg *ret, struct kl_err **err)
{
        struct kl_dns__msg *m = ret;
        size_t pos = KL_DNS__HDR, records;

        if (n > KL_DNS__MSG_MAX)
                return bad(err, "longer than 65535 bytes");
        if (kl_dns__parse_header(p, n, m) < 0)
                return bad(err, "shorter than its header");
        m->qname_len = 0;
        m->has_opt = m->has_min_ttl = m->has_soa = m->too_many_ttls = false;
        m->udp_size = 0;
        m->edns_version = 0;
        m->min_ttl = m->soa_ttl = m->soa_minimum = 0;
        m->n_ttl_offs = 0;
        if (m->qdcount != 1)
                return bad(err, "not exactly one question");
        if (kl_dns__name_read(p, n, &pos, m->qname, &m->qname_len) < 0)
                return bad(err, "bad question name");
        if (pos + 4 > n)
                return bad(err, "question cut short");
        m->qtype = kl_dns__get16(p + pos);
        m->qclass = kl_dns__get16(p + pos + 2);
        pos += 4;
        m->question_end = m->additional_off = pos;

        records = (size_t)m->ancount + m->nscount + m->arcount;
        for (size_t i = 0; i < records; i++) {
                uint8_t owner[KL_DNS__NAME_WIRE_MAX];
                size_t owner_len, ttl_off, rd, rdlen;
                uint16_t type, cls;
                uint32_t ttl;
                bool additional = i >= (size_t)m->ancount + m->nscount;

                if (i == (size_t)m->ancount + m->nscount)
                        m->additional_off = pos;
                if (kl_dns__name_read(p, n, &pos, owner, &owner_len) < 0)
                        return bad(err, "bad record name");
                if (pos + 10 > n)
                        return bad(err, "record cut short");
                type = kl_dns__get16(p + pos);
                cls = kl_dns__get16(p + pos + 2);
                ttl_off = pos + 4;
                ttl = kl_dns__get32(p + ttl_off);
                rdlen = kl_dns__get16(p + pos + 8);
                rd = pos + 10;
                if (rd + rdlen > n)
                        return bad(err, "record data past the end");
                pos = rd + rdlen;
                if (type == KL_DNS__T_OPT) {
                        if (!additional || m->has_opt || owner_len != 1)
                                return bad(err, "misplaced OPT record");
                        m->has_opt = true;
                        m->udp_size = cls;
                        m->edns_version = (uint8_t)(ttl >> 16);
                        continue;
                }
                if (check_rdata(p, n, type, rd, rdlen) < 0)
                        return bad(err, "bad record data");
                if (additional)
                        continue;
                if (m->n_ttl_offs < KL_DNS__TTL_OFFS_MAX)
                        m->ttl_offs[m->n_ttl_offs++] = ttl_off;
                else
                        m->too_many_ttls = true;
                if (!m->has_min_ttl || ttl_value(ttl) < m->min_ttl)
                        m->min_ttl = ttl_value(ttl);
                m->has_min_ttl = true;
                if (type == KL_DNS__T_SOA && i >= m->ancount && !m->has_soa) {
                        m->has_soa = true;
                        m->soa_ttl = ttl_value(ttl);
                        m->soa_minimum = ttl_value(kl_dns__get32(p + rd + rdlen - 4));
                }
        }
        if (records == 0 || m->arcount == 0)
                m->additional_off = pos;
        if (pos != n)
                return bad(err, "trailing bytes");
        return 0;
}

int kl_dns__skip_rr(const uint8_t *p, size_t n, size_t *off)
{
        uint8_t name[KL_DNS__NAME_WIRE_MAX];
        size_t len, pos = *off;

        if (kl_dns__name_read(p, n, &pos, name, &len) < 0 || pos + 10 > n)
                return -EBADMSG;
        pos += 10 + (size_t)kl_dns__get16(p + pos + 8);
        if (pos > n)
                return -EBADMSG;
        *off = pos;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Writer */

void kl_dns__writer_init(struct kl_dns__writer *w, struct kl_buf *out, size_t max)
{
        *w = (struct kl_dns__writer){ .out = out, .base = out->len, .max = max };
}

static size_t wlen(const struct kl_dns__writer *w)
{
        return w->out->len - w->base;
}

static uint8_t *wptr(const struct kl_dns__writer *w, size_t off)
{
        return (uint8_t *)w->out->buf + w->base + off;
}

static int room(const struct kl_dns__writer *w, size_t need)
{
        return wlen(w) + need <= w->max ? 0 : -EMSGSIZE;
}

static int put(struct kl_dns__writer *w, const void *data, size_t len)
{
        if (room(w, len) < 0 || kl_buf_append(w->out, data, len) < 0)
                return -EMSGSIZE;
        return 0;
}

/* Whether the name written at `off` (following our own pointers) equals the wire `name`. */
static bool written_equal(const struct kl_dns__writer *w, size_t off, const uint8_t *name)
{
        const uint8_t *b = wptr(w, 0);
        size_t i = 0;

        for (;;) {
                while ((b[off] & 0xc0) == 0xc0)
                        off = ((size_t)(b[off] & 0x3f) << 8) | b[off + 1];
                if (b[off] != name[i])
                        return false;
                if (name[i] == 0)
                        return true;
                for (size_t j = 1; j <= name[i]; j++)
                        if (lower(b[off + j]) != lower(name[i + j]))
                                return false;
                off += 1 + (size_t)b[off];
                i += 1 + (size_t)name[i];
        }
}

static void remember(struct kl_dns__writer *w, size_t off)
{
        if (off < 0x3fff && w->n_comp < KL_DNS__COMP_MAX)
                w->comp[w->n_comp++] = (uint16_t)off;
}

static size_t name_len(const uint8_t *name)
{
        size_t i = 0;

        while (name[i] != 0)
                i += 1 + (size_t)name[i];
        return i + 1;
}

static int put_name(struct kl_dns__writer *w, const uint8_t *name, bool compress)
{
        size_t start = wlen(w), len = name_len(name), prefix = len, target = 0;
        bool found = false;

        for (size_t i = 0; compress && name[i] != 0 && !found; i += 1 + (size_t)name[i])
                for (size_t k = 0; k < w->n_comp; k++)
                        if (written_equal(w, w->comp[k], name + i)) {
                                prefix = i;
                                target = w->comp[k];
                                found = true;
                                break;
                        }
        if (room(w, prefix + (found ? 2 : 0)) < 0)
                return -EMSGSIZE;
        if (put(w, name, prefix) < 0)
                return -EMSGSIZE;
        if (found) {
                uint8_t ptr[2] = { (uint8_t)(0xc0 | (target >> 8)), (uint8_t)target };

                if (put(w, ptr, 2) < 0)
                        return -EMSGSIZE;
        }
        for (size_t i = 0; i < prefix && name[i] != 0; i += 1 + (size_t)name[i])
                remember(w, start + i);
        return 0;
}

size_t kl_dns__writer_mark(const struct kl_dns__writer *w)
{
        return w->out->len;
}

void kl_dns__writer_rollback(struct kl_dns__writer *w, size_t mark, const uint16_t counts[4])
{
        size_t n = 0;

        kl_buf_truncate(w->out, mark);
        for (size_t k = 0; k < w->n_comp; k++)
                if (w->comp[k] < mark - w->base)
                        w->comp[n++] = w->comp[k];
        w->n_comp = n;
        memcpy(w->counts, counts, sizeof(w->counts));
}

int kl_dns__put_header(struct kl_dns__writer *w, uint16_t id, uint16_t flags)
{
        uint8_t h[KL_DNS__HDR] = { 0 };

        kl_dns__set16(h, id);
        kl_dns__set16(h + 2, flags);
        return put(w, h, sizeof(h));
}

int kl_dns__put_question(struct kl_dns__writer *w, const uint8_t *name, uint16_t type, uint16_t cls)
{
        size_t mark = kl_dns__writer_mark(w);
        uint16_t counts[4];
        uint8_t tc[4];

        memcpy(counts, w->counts, sizeof(counts));
        kl_dns__set16(tc, type);
        kl_dns__set16(tc + 2, cls);
        if (put_name(w, name, true) < 0 || put(w, tc, 4) < 0) {
                kl_dns__writer_rollback(w, mark, counts);
                return -EMSGSIZE;
        }
        w->counts[0]++;
        return 0;
}

/* Owner, type, class, TTL and a zero rdlen; *ret_rdlen_off is where the length goes. */
static int put_rr_head(struct kl_dns__writer *w, const uint8_t *name, uint16_t type, uint16_t cls,
                       uint32_t ttl, size_t *ret_rdlen_off)
{
        uint8_t h[10] = { 0 };

        if (put_name(w, name, true) < 0)
                return -EMSGSIZE;
        kl_dns__set16(h, type);
        kl_dns__set16(h + 2, cls);
        kl_dns__set32(h + 4, ttl);
        *ret_rdlen_off = wlen(w) + 8;
        return put(w, h, sizeof(h));
}

static void end_rr(struct kl_dns__writer *w, enum kl_dns__section s, size_t rdlen_off)
{
        kl_dns__set16(wptr(w, rdlen_off), (uint16_t)(wlen(w) - rdlen_off - 2));
        w->counts[s]++;
}

/* Run `expr` (a sequence of puts) as one record: all of it or nothing. */
#define RR_ATOMIC(w, expr)                                            \
        do {                                                          \
                size_t mark_ = kl_dns__writer_mark(w);                \
                uint16_t counts_[4];                                  \
                memcpy(counts_, (w)->counts, sizeof(counts_));        \
                if ((expr) < 0) {                                     \
                        kl_dns__writer_rollback((w), mark_, counts_); \
                        return -EMSGSIZE;                             \
                }                                                     \
        } while (0)

static int rr_raw(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                  uint16_t type, uint16_t cls, uint32_t ttl, const void *rdata, size_t rdlen)
{
        size_t off;

        if (put_rr_head(w, name, type, cls, ttl, &off) < 0 || put(w, rdata, rdlen) < 0)
                return -EMSGSIZE;
        end_rr(w, s, off);
        return 0;
}

int kl_dns__put_rr(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                   uint16_t type, uint32_t ttl, const void *rdata, size_t rdlen)
{
        RR_ATOMIC(w, rr_raw(w, s, name, type, KL_DNS__C_IN, ttl, rdata, rdlen));
        return 0;
}

static int rr_name(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                   uint16_t type, uint16_t cls, uint32_t ttl, const void *fixed, size_t fixed_len,
                   const uint8_t *target, bool compress)
{
        size_t off;

        if (put_rr_head(w, name, type, cls, ttl, &off) < 0 || put(w, fixed, fixed_len) < 0 ||
            put_name(w, target, compress) < 0)
                return -EMSGSIZE;
        end_rr(w, s, off);
        return 0;
}

int kl_dns__put_rr_name(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                        uint16_t type, uint32_t ttl, const uint8_t *target)
{
        RR_ATOMIC(w, rr_name(w, s, name, type, KL_DNS__C_IN, ttl, NULL, 0, target, true));
        return 0;
}

int kl_dns__put_srv(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                    uint32_t ttl, uint16_t prio, uint16_t weight, uint16_t port,
                    const uint8_t *target)
{
        uint8_t fixed[6];

        kl_dns__set16(fixed, prio);
        kl_dns__set16(fixed + 2, weight);
        kl_dns__set16(fixed + 4, port);
        /* RFC 2782: the target is not compressed. */
        RR_ATOMIC(w,
                  rr_name(w, s, name, KL_DNS__T_SRV, KL_DNS__C_IN, ttl, fixed, 6, target, false));
        return 0;
}

static int soa(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name, uint16_t cls,
               uint32_t ttl, const uint8_t *mname, const uint8_t *rname, const uint8_t tail[20])
{
        size_t off;

        if (put_rr_head(w, name, KL_DNS__T_SOA, cls, ttl, &off) < 0 ||
            put_name(w, mname, true) < 0 || put_name(w, rname, true) < 0 || put(w, tail, 20) < 0)
                return -EMSGSIZE;
        end_rr(w, s, off);
        return 0;
}

int kl_dns__put_soa(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                    uint32_t ttl, const uint8_t *mname, const uint8_t *rname, uint32_t serial,
                    uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum)
{
        uint8_t tail[20];

        kl_dns__set32(tail, serial);
        kl_dns__set32(tail + 4, refresh);
        kl_dns__set32(tail + 8, retry);
        kl_dns__set32(tail + 12, expire);
        kl_dns__set32(tail + 16, minimum);
        RR_ATOMIC(w, soa(w, s, name, KL_DNS__C_IN, ttl, mname, rname, tail));
        return 0;
}

int kl_dns__put_opt(struct kl_dns__writer *w, uint16_t udp_size, uint8_t ext_rcode)
{
        static const uint8_t root[1] = { 0 };

        /* TTL: extended rcode, version 0, no flags. */
        RR_ATOMIC(w, rr_raw(w, KL_DNS__AR, root, KL_DNS__T_OPT, udp_size, (uint32_t)ext_rcode << 24,
                            NULL, 0));
        return 0;
}

static int copy_rr(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *p, size_t n,
                   size_t *off)
{
        uint8_t owner[KL_DNS__NAME_WIRE_MAX], a[KL_DNS__NAME_WIRE_MAX], b[KL_DNS__NAME_WIRE_MAX];
        size_t len, pos = *off, rd, rdlen, end, roff;
        uint16_t type, cls;
        uint32_t ttl;

        if (kl_dns__name_read(p, n, &pos, owner, &len) < 0 || pos + 10 > n)
                return -EBADMSG;
        type = kl_dns__get16(p + pos);
        cls = kl_dns__get16(p + pos + 2);
        ttl = kl_dns__get32(p + pos + 4);
        rdlen = kl_dns__get16(p + pos + 8);
        rd = pos + 10;
        end = rd + rdlen;
        if (end > n)
                return -EBADMSG;
        *off = end;
        pos = rd;
        switch (type) {
        case KL_DNS__T_CNAME:
        case KL_DNS__T_PTR:
        case KL_DNS__T_NS:
                if (kl_dns__name_read(p, end, &pos, a, &len) < 0)
                        return -EBADMSG;
                return rr_name(w, s, owner, type, cls, ttl, NULL, 0, a, true);
        case KL_DNS__T_MX:
        case KL_DNS__T_SRV: {
                size_t fixed = type == KL_DNS__T_MX ? 2 : 6;

                pos += fixed;
                if (pos > end || kl_dns__name_read(p, end, &pos, a, &len) < 0)
                        return -EBADMSG;
                return rr_name(w, s, owner, type, cls, ttl, p + rd, fixed, a, type == KL_DNS__T_MX);
        }
        case KL_DNS__T_SOA:
                if (kl_dns__name_read(p, end, &pos, a, &len) < 0 ||
                    kl_dns__name_read(p, end, &pos, b, &len) < 0 || pos + 20 != end)
                        return -EBADMSG;
                return soa(w, s, owner, cls, ttl, a, b, p + pos);
        default:
                if (put_rr_head(w, owner, type, cls, ttl, &roff) < 0 || put(w, p + rd, rdlen) < 0)
                        return -EMSGSIZE;
                end_rr(w, s, roff);
                return 0;
        }
}

int kl_dns__copy_rr(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *p, size_t n,
                    size_t *off)
{
        size_t mark = kl_dns__writer_mark(w);
        uint16_t counts[4];
        int r;

        memcpy(counts, w->counts, sizeof(counts));
        r = copy_rr(w, s, p, n, off);
        if (r < 0)
                kl_dns__writer_rollback(w, mark, counts);
        return r;
}

void kl_dns__writer_finish(struct kl_dns__writer *w, uint16_t set_flags)
{
        uint8_t *h = wptr(w, 0);

        kl_dns__set16(h + 2, kl_dns__get16(h + 2) | set_flags);
        for (size_t i = 0; i < 4; i++)
                kl_dns__set16(h + 4 + 2 * i, w->counts[i]);
}

size_t kl_dns__udp_limit(const struct kl_dns__msg *q)
{
        if (!q->has_opt || q->udp_size <= KL_DNS__UDP_MIN)
                return KL_DNS__UDP_MIN;
        return q->udp_size > KL_DNS__UDP_MAX ? KL_DNS__UDP_MAX : q->udp_size;
}

void kl_dns__error_response(const struct kl_dns__msg *q, bool with_question, int rcode,
                            struct kl_buf *out)
{
        struct kl_dns__writer w;
        uint16_t flags = KL_DNS__F_QR | (q->flags & (0x7800 | KL_DNS__F_RD)) | KL_DNS__F_RA |
                         (uint16_t)(rcode & 0xf);

        kl_dns__writer_init(&w, out, KL_DNS__UDP_MIN);
        if (kl_dns__put_header(&w, q->id, flags) < 0)
                return;
        if (with_question)
                (void)kl_dns__put_question(&w, q->qname, q->qtype, q->qclass);
        if (q->has_opt)
                (void)kl_dns__put_opt(&w, KL_DNS__UDP_MAX, (uint8_t)(rcode >> 4));
        kl_dns__writer_finish(&w, 0);
}
