/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The forwarder's pure parts (forward.c): nameservers from resolv.conf, the
 * cache (TTLs counted down, expiry, negative answers by the SOA minimum,
 * what is never cached, the entry bound) and the relayed response (the
 * additional section and upstream's OPT dropped, ours added, the client's
 * id and case, TC when it does not fit).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "dns-test.h"

Test(forward, resolv_conf_nameservers)
{
        struct kl_dns__upstreams up;
        char ip[64];

        kl_dns__resolv_parse("# generated\nsearch example.com\nnameserver 192.0.2.1\n"
                             "  nameserver\t2001:db8::53 # comment\n"
                             "nameserver fe80::1%eth0\nnameserver not-an-ip\n"
                             "nameserver 192.0.2.4\nnameserver 192.0.2.5\noptions ndots:5\n",
                             &up);
        cr_assert_eq(up.n, 3, "at most three (MAXNS), bad lines skipped");
        cr_expect_eq(up.addrs[0].ss_family, AF_INET);
        (void)inet_ntop(AF_INET, &((struct sockaddr_in *)&up.addrs[0])->sin_addr, ip, sizeof(ip));
        cr_expect_str_eq(ip, "192.0.2.1");
        cr_expect_eq(ntohs(((struct sockaddr_in *)&up.addrs[0])->sin_port), 53);
        cr_expect_eq(up.addrs[1].ss_family, AF_INET6);
        cr_expect_eq(up.addrs[2].ss_family, AF_INET6, "the zone index is dropped");
        kl_dns__resolv_parse("search x\n", &up);
        cr_expect_eq(up.n, 0);
}

/* An upstream response for `name` A: `n_a` answers with `ttl`, an SOA if soa_min >= 0. */
static size_t upstream_response(uint8_t *buf, uint16_t id, const char *name, int rcode, int n_a,
                                uint32_t ttl, int64_t soa_ttl, int64_t soa_min, bool with_opt)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_dns__writer w;
        uint8_t wire[KL_DNS__NAME_WIRE_MAX], zone[KL_DNS__NAME_WIRE_MAX];
        size_t len;

        cr_assert_eq(kl_dns__name_from_text(name, wire, &len), 0);
        cr_assert_eq(kl_dns__name_from_text("example.com", zone, &len), 0);
        kl_dns__writer_init(&w, &b, 4096);
        cr_assert_eq(kl_dns__put_header(&w, id, KL_DNS__F_QR | KL_DNS__F_RA | KL_DNS__F_RD), 0);
        cr_assert_eq(kl_dns__put_question(&w, wire, KL_DNS__T_A, KL_DNS__C_IN), 0);
        for (int i = 0; i < n_a; i++) {
                uint8_t a[4] = { 192, 0, 2, (uint8_t)(i + 1) };

                cr_assert_eq(
                        kl_dns__put_rr(&w, KL_DNS__AN, wire, KL_DNS__T_A, ttl + (uint32_t)i, a, 4),
                        0);
        }
        if (soa_min >= 0)
                cr_assert_eq(kl_dns__put_soa(&w, KL_DNS__NS, zone, (uint32_t)soa_ttl, zone, zone, 1,
                                             2, 3, 4, (uint32_t)soa_min),
                             0);
        /* Glue in the additional section, then upstream's OPT. */
        {
                uint8_t a[4] = { 198, 51, 100, 1 };

                cr_assert_eq(kl_dns__put_rr(&w, KL_DNS__AR, zone, KL_DNS__T_A, 60, a, 4), 0);
        }
        if (with_opt)
                cr_assert_eq(kl_dns__put_opt(&w, 1232, 0), 0);
        kl_dns__writer_finish(&w, (uint16_t)rcode);
        memcpy(buf, b.buf, b.len);
        len = b.len;
        kl_buf_release(&b);
        return len;
}

static void parse_query(const char *name, uint16_t id, uint16_t edns, struct kl_dns__msg *q)
{
        uint8_t buf[600];
        size_t n = test_query(buf, sizeof(buf), id, name, KL_DNS__T_A, edns);

        cr_assert_eq(kl_dns__parse(buf, n, q, NULL), 0);
}

Test(forward, relay_drops_additional_and_fits_the_client)
{
        uint8_t up[4096];
        size_t n = upstream_response(up, 0x1111, "www.example.com", 0, 3, 300, -1, -1, true);
        struct kl_dns__msg m, q;
        struct kl_buf out = KL_BUF_INIT;
        struct test_resp *r = kl_new0(struct test_resp);

        cr_assert_eq(kl_dns__parse(up, n, &m, NULL), 0);
        parse_query("WWW.example.COM", 0x2222, 0, &q);
        kl_dns__relay(up, &m, &q, 512, &out);
        test_decode((const uint8_t *)out.buf, out.len, r);
        cr_expect_eq(r->id, 0x2222);
        cr_expect_str_eq(r->qname, "WWW.example.COM");
        cr_expect_eq(r->n_an, 3);
        cr_expect_str_eq(r->an[0], "A 192.0.2.1");
        cr_expect_eq(r->n_ar, 0, "no glue, no OPT for a client without EDNS");
        cr_expect_not(r->has_opt);

        kl_buf_reset(&out);
        parse_query("www.example.com", 0x3333, 1232, &q);
        kl_dns__relay(up, &m, &q, 1232, &out);
        test_decode((const uint8_t *)out.buf, out.len, r);
        cr_expect(r->has_opt, "our OPT for an EDNS client");
        cr_expect_eq(r->n_ar, 1);

        /* 40 answers do not fit in 512: the question alone, TC. */
        n = upstream_response(up, 0x1111, "www.example.com", 0, 40, 300, -1, -1, true);
        cr_assert_eq(kl_dns__parse(up, n, &m, NULL), 0);
        kl_buf_reset(&out);
        parse_query("www.example.com", 0x4444, 0, &q);
        kl_dns__relay(up, &m, &q, 512, &out);
        test_decode((const uint8_t *)out.buf, out.len, r);
        cr_expect(r->flags & KL_DNS__F_TC);
        cr_expect_eq(r->n_an, 0);
        cr_expect_eq(r->id, 0x4444);
        kl_buf_release(&out);
        free(r);
}

Test(forward, cache_counts_ttls_down_and_expires)
{
        struct kl_dns__cache *c = kl_dns__cache_new(10);
        uint8_t up[4096];
        size_t n = upstream_response(up, 1, "www.example.com", 0, 2, 30, -1, -1, true);
        struct kl_dns__msg m, q;
        struct kl_buf out = KL_BUF_INIT;
        struct test_resp *r = kl_new0(struct test_resp);
        size_t off;

        cr_assert_eq(kl_dns__parse(up, n, &m, NULL), 0);
        cr_assert(kl_dns__cache_put(c, up, n, &m, 1000));
        parse_query("Www.Example.Com", 77, 0, &q);
        cr_assert(kl_dns__cache_get(c, &q, 11000, 512, &out), "10 s later");
        test_decode((const uint8_t *)out.buf, out.len, r);
        cr_expect_eq(r->id, 77);
        cr_expect_str_eq(r->qname, "Www.Example.Com");
        cr_expect_eq(r->n_an, 2);
        cr_assert_eq(kl_dns__parse((const uint8_t *)out.buf, out.len, &m, NULL), 0);
        off = m.ttl_offs[0];
        cr_expect_eq(kl_dns__get32((const uint8_t *)out.buf + off), 20, "30 - 10");
        cr_expect_eq(kl_dns__get32((const uint8_t *)out.buf + m.ttl_offs[1]), 21, "31 - 10");
        kl_buf_reset(&out);
        /* Expires with the smallest TTL (30 s). */
        cr_expect_not(kl_dns__cache_get(c, &q, 31000, 512, &out));
        cr_expect_eq(kl_dns__cache_len(c), 0);
        kl_buf_release(&out);
        free(r);
        kl_dns__cache_free(c);
}

Test(forward, negative_answers_cached_by_soa_minimum)
{
        static const struct {
                int rcode, n_a;
                int64_t soa_ttl, soa_min;
                bool cached;
                uint64_t expires_ms; /* from 0 */
        } cases[] = {
                { KL_DNS__RCODE_NXDOMAIN, 0, 900, 60, true, 60000 },  /* the minimum */
                { KL_DNS__RCODE_NXDOMAIN, 0, 30, 600, true, 30000 },  /* the SOA's TTL */
                { KL_DNS__RCODE_NOERROR, 0, 900, 120, true, 120000 }, /* NODATA */
                { KL_DNS__RCODE_NXDOMAIN, 0, -1, -1, false, 0 },      /* no SOA: not cached */
                { KL_DNS__RCODE_SERVFAIL, 0, 900, 60, false, 0 },
                { KL_DNS__RCODE_NXDOMAIN, 0, 900, 0, false, 0 },            /* TTL 0 */
                { KL_DNS__RCODE_NXDOMAIN, 0, 86400, 86400, true, 1800000 }, /* capped */
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_dns__cache *c = kl_dns__cache_new(10);
                uint8_t up[4096];
                size_t n = upstream_response(up, 1, "nx.example.com", cases[i].rcode, cases[i].n_a,
                                             0, cases[i].soa_ttl, cases[i].soa_min, false);
                struct kl_dns__msg m, q;
                struct kl_buf out = KL_BUF_INIT;

                cr_assert_eq(kl_dns__parse(up, n, &m, NULL), 0);
                cr_expect_eq(kl_dns__cache_put(c, up, n, &m, 0), cases[i].cached, "case %zu", i);
                parse_query("nx.example.com", 5, 0, &q);
                if (cases[i].cached) {
                        cr_expect(kl_dns__cache_get(c, &q, cases[i].expires_ms - 1, 512, &out),
                                  "case %zu: just before expiry", i);
                        test_decode((const uint8_t *)out.buf, out.len, &(struct test_resp){ 0 });
                        cr_expect_eq(KL_DNS__F_RCODE(kl_dns__get16((const uint8_t *)out.buf + 2)),
                                     cases[i].rcode);
                        kl_buf_reset(&out);
                        cr_expect_not(kl_dns__cache_get(c, &q, cases[i].expires_ms, 512, &out),
                                      "case %zu: expired", i);
                }
                kl_buf_release(&out);
                kl_dns__cache_free(c);
        }
}

Test(forward, cache_is_bounded_least_recently_used_first)
{
        struct kl_dns__cache *c = kl_dns__cache_new(3);
        const char *names[] = { "a.example.com", "b.example.com", "c.example.com",
                                "d.example.com" };
        struct kl_buf out = KL_BUF_INIT;
        struct kl_dns__msg q;

        for (size_t i = 0; i < 3; i++) {
                uint8_t up[4096];
                size_t n = upstream_response(up, 1, names[i], 0, 1, 300, -1, -1, false);
                struct kl_dns__msg m;

                cr_assert_eq(kl_dns__parse(up, n, &m, NULL), 0);
                cr_assert(kl_dns__cache_put(c, up, n, &m, 0));
        }
        parse_query("a.example.com", 1, 0, &q);
        cr_assert(kl_dns__cache_get(c, &q, 1, 512, &out)); /* a is now the most recent */
        {
                uint8_t up[4096];
                size_t n = upstream_response(up, 1, names[3], 0, 1, 300, -1, -1, false);
                struct kl_dns__msg m;

                cr_assert_eq(kl_dns__parse(up, n, &m, NULL), 0);
                cr_assert(kl_dns__cache_put(c, up, n, &m, 2));
        }
        cr_expect_eq(kl_dns__cache_len(c), 3);
        parse_query("b.example.com", 1, 0, &q);
        cr_expect_not(kl_dns__cache_get(c, &q, 3, 512, &out), "b was the oldest");
        parse_query("a.example.com", 1, 0, &q);
        cr_expect(kl_dns__cache_get(c, &q, 3, 512, &out));
        kl_buf_release(&out);
        kl_dns__cache_free(c);
}
