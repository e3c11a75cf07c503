/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the dns tests: build a query, decode a response into
 * text lines ("A 10.43.0.10", "SRV 0 100 80 web.default.svc.cluster.local.")
 * that table-driven cases compare against. Header-only, test builds only.
 */
#ifndef KL_DNS_TESTS_DNS_TEST_H
#define KL_DNS_TESTS_DNS_TEST_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dns/dns-internal.h"

/* A query for `name` (text) of `type`; edns: 0 none, else the OPT payload size. */
static inline size_t test_query(uint8_t *buf, size_t cap, uint16_t id, const char *name,
                                uint16_t type, uint16_t edns)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_dns__writer w;
        uint8_t wire[KL_DNS__NAME_WIRE_MAX];
        size_t len;

        cr_assert_eq(kl_dns__name_from_text(name, wire, &len), 0, "%s", name);
        kl_dns__writer_init(&w, &b, KL_DNS__MSG_MAX);
        cr_assert_eq(kl_dns__put_header(&w, id, KL_DNS__F_RD), 0);
        cr_assert_eq(kl_dns__put_question(&w, wire, type, KL_DNS__C_IN), 0);
        if (edns)
                cr_assert_eq(kl_dns__put_opt(&w, edns, 0), 0);
        kl_dns__writer_finish(&w, 0);
        cr_assert(b.len <= cap);
        memcpy(buf, b.buf, b.len);
        len = b.len;
        kl_buf_release(&b);
        return len;
}

struct test_resp {
        uint16_t id, flags;
        int rcode;
        char qname[KL_DNS__NAME_TEXT_MAX];
        size_t n_an, n_ns, n_ar;
        char an[512][300]; /* "TYPE rdata" */
        char ns[8][300];
        bool has_opt;
};

static inline void test_name_text(const uint8_t *wire, char *out)
{
        size_t n = kl_dns__name_to_text(wire, false, out);

        out[n] = '.';
        out[n + 1] = '\0';
}

/* One record at *off as text; returns its type. */
static inline uint16_t test_rr_text(const uint8_t *p, size_t n, size_t *off, char *out, size_t cap)
{
        uint8_t owner[KL_DNS__NAME_WIRE_MAX], name[KL_DNS__NAME_WIRE_MAX];
        char t1[KL_DNS__NAME_TEXT_MAX + 2], t2[KL_DNS__NAME_TEXT_MAX + 2];
        size_t len, pos = *off, rd, rdlen;
        uint16_t type;
        char ip[64];

        cr_assert_eq(kl_dns__name_read(p, n, &pos, owner, &len), 0);
        type = kl_dns__get16(p + pos);
        rdlen = kl_dns__get16(p + pos + 8);
        rd = pos + 10;
        *off = rd + rdlen;
        switch (type) {
        case KL_DNS__T_A:
                (void)inet_ntop(AF_INET, p + rd, ip, sizeof(ip));
                (void)snprintf(out, cap, "A %s", ip);
                break;
        case KL_DNS__T_AAAA:
                (void)inet_ntop(AF_INET6, p + rd, ip, sizeof(ip));
                (void)snprintf(out, cap, "AAAA %s", ip);
                break;
        case KL_DNS__T_CNAME:
        case KL_DNS__T_PTR:
                pos = rd;
                cr_assert_eq(kl_dns__name_read(p, n, &pos, name, &len), 0);
                test_name_text(name, t1);
                (void)snprintf(out, cap, "%s %s", type == KL_DNS__T_PTR ? "PTR" : "CNAME", t1);
                break;
        case KL_DNS__T_SRV:
                pos = rd + 6;
                cr_assert_eq(kl_dns__name_read(p, n, &pos, name, &len), 0);
                test_name_text(name, t1);
                (void)snprintf(out, cap, "SRV %u %u %u %s", kl_dns__get16(p + rd),
                               kl_dns__get16(p + rd + 2), kl_dns__get16(p + rd + 4), t1);
                break;
        case KL_DNS__T_SOA:
                pos = rd;
                cr_assert_eq(kl_dns__name_read(p, n, &pos, name, &len), 0);
                test_name_text(name, t1);
                cr_assert_eq(kl_dns__name_read(p, n, &pos, name, &len), 0);
                test_name_text(name, t2);
                (void)snprintf(out, cap, "SOA %s %s %u", t1, t2, kl_dns__get32(p + pos + 16));
                break;
        case KL_DNS__T_TXT:
                (void)snprintf(out, cap, "TXT %.*s", (int)p[rd], (const char *)p + rd + 1);
                break;
        default:
                (void)snprintf(out, cap, "TYPE%u", type);
                break;
        }
        (void)owner;
        return type;
}

static inline void test_decode(const uint8_t *p, size_t n, struct test_resp *r)
{
        struct kl_dns__msg m;
        size_t off;

        memset(r, 0, sizeof(*r));
        cr_assert_eq(kl_dns__parse(p, n, &m, NULL), 0, "response does not parse");
        r->id = m.id;
        r->flags = m.flags;
        r->rcode = KL_DNS__F_RCODE(m.flags);
        (void)kl_dns__name_to_text(m.qname, false, r->qname);
        r->has_opt = m.has_opt;
        off = m.question_end;
        cr_assert(m.ancount <= 512);
        for (size_t i = 0; i < m.ancount; i++)
                (void)test_rr_text(p, n, &off, r->an[r->n_an++], sizeof(r->an[0]));
        for (size_t i = 0; i < m.nscount; i++) {
                char tmp[300];

                (void)test_rr_text(p, n, &off, r->n_ns < 8 ? r->ns[r->n_ns] : tmp, 300);
                r->n_ns++;
        }
        r->n_ar = m.arcount;
}

/* Whether `line` is among the answers. */
static inline bool test_has(const struct test_resp *r, const char *line)
{
        for (size_t i = 0; i < r->n_an; i++)
                if (strcmp(r->an[i], line) == 0)
                        return true;
        return false;
}

#endif
