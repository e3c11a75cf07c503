/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wire format (wire.c): names as text and back with their limits, the
 * parser against malformed input (every length bounded, compression loops
 * and forward pointers rejected, 255-byte names however assembled), and the
 * writer: compression, uncompressed SRV targets, all-or-nothing records.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dns-test.h"

Test(wire, name_text_round_trip_and_limits)
{
        static const struct {
                const char *in, *out; /* out NULL: rejected */
        } cases[] = {
                { "web.default.svc.cluster.local", "web.default.svc.cluster.local" },
                { "Web.Default.SVC.cluster.local.", "web.default.svc.cluster.local" },
                { "_http._tcp.web", "_http._tcp.web" },
                { ".", "" },
                { "", "" },
                { "a..b", NULL },
                { ".a", NULL },
                { "a..", NULL },
                /* 63 is the longest label */
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x",
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x" },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x", NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                uint8_t wire[KL_DNS__NAME_WIRE_MAX];
                char text[KL_DNS__NAME_TEXT_MAX];
                size_t len;
                int r = kl_dns__name_from_text(cases[i].in, wire, &len);

                if (!cases[i].out) {
                        cr_expect_eq(r, -EINVAL, "%s", cases[i].in);
                        continue;
                }
                cr_assert_eq(r, 0, "%s", cases[i].in);
                (void)kl_dns__name_to_text(wire, true, text);
                cr_expect_str_eq(text, cases[i].out);
        }
}

Test(wire, name_of_255_bytes_fits_and_256_does_not)
{
        char name[300];
        uint8_t wire[KL_DNS__NAME_WIRE_MAX];
        size_t len, o = 0;

        /* 3 labels of 63 plus one of 61: 4 + 63*3 + 61 + 1 = 255 on the wire. */
        for (int l = 0; l < 4; l++) {
                size_t n = l < 3 ? 63 : 61;

                memset(name + o, 'a' + l, n);
                o += n;
                name[o++] = '.';
        }
        name[o - 1] = '\0';
        cr_assert_eq(kl_dns__name_from_text(name, wire, &len), 0);
        cr_expect_eq(len, 255);
        name[o - 1] = 'z';
        name[o] = '\0';
        cr_expect_eq(kl_dns__name_from_text(name, wire, &len), -EINVAL);
}

Test(wire, text_escapes_odd_bytes)
{
        static const uint8_t wire[] = { 3, 'a', '.', 0x01, 2, 'B', 'c', 0 };
        char text[KL_DNS__NAME_TEXT_MAX];

        (void)kl_dns__name_to_text(wire, true, text);
        cr_expect_str_eq(text, "a\\.\\001.bc");
        (void)kl_dns__name_to_text(wire, false, text);
        cr_expect_str_eq(text, "a\\.\\001.Bc");
}

/* dig's query for example.com A with EDNS (payload 1232, a cookie option). */
static const uint8_t dig_query[] = {
        0x6b, 0x2e, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07,
        0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x0c, 0x00, 0x0a, 0x00, 0x08, 0x8a, 0x3f, 0x1c, 0x2d, 0x5e, 0x77, 0x10, 0x42,
};

Test(wire, parses_a_real_query)
{
        struct kl_dns__msg m;
        char text[KL_DNS__NAME_TEXT_MAX];

        cr_assert_eq(kl_dns__parse(dig_query, sizeof(dig_query), &m, NULL), 0);
        cr_expect_eq(m.id, 0x6b2e);
        cr_expect_eq(m.qtype, KL_DNS__T_A);
        cr_expect(m.has_opt);
        cr_expect_eq(m.udp_size, 1232);
        cr_expect_eq(kl_dns__udp_limit(&m), 1232);
        (void)kl_dns__name_to_text(m.qname, true, text);
        cr_expect_str_eq(text, "example.com");
}

/* A response to www.example.com A: CNAME with compressed names, then an A. */
static const uint8_t cname_response[] = {
        0x12,
        0x34,
        0x81,
        0x80,
        0x00,
        0x01,
        0x00,
        0x02,
        0x00,
        0x00,
        0x00,
        0x00,
        /* 12: www.example.com */
        3,
        'w',
        'w',
        'w',
        7,
        'e',
        'x',
        'a',
        'm',
        'p',
        'l',
        'e',
        3,
        'c',
        'o',
        'm',
        0,
        0x00,
        0x01,
        0x00,
        0x01,
        /* answer 1: ptr to 12, CNAME, TTL 300, rdata "web" + ptr to 16 (example.com) */
        0xc0,
        12,
        0x00,
        0x05,
        0x00,
        0x01,
        0x00,
        0x00,
        0x01,
        0x2c,
        0x00,
        6,
        3,
        'w',
        'e',
        'b',
        0xc0,
        16,
        /* answer 2: web.example.com (ptr to the CNAME rdata at 45) A, TTL 60 */
        0xc0,
        45,
        0x00,
        0x01,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x3c,
        0x00,
        4,
        93,
        184,
        216,
        34,
};

Test(wire, parses_compressed_response_and_records_ttls)
{
        struct kl_dns__msg m;
        struct test_resp r;

        cr_assert_eq(kl_dns__parse(cname_response, sizeof(cname_response), &m, NULL), 0);
        cr_expect_eq(m.ancount, 2);
        cr_expect(m.has_min_ttl);
        cr_expect_eq(m.min_ttl, 60);
        cr_expect_eq(m.n_ttl_offs, 2);
        cr_expect_eq(m.additional_off, sizeof(cname_response));
        test_decode(cname_response, sizeof(cname_response), &r);
        cr_expect_str_eq(r.an[0], "CNAME web.example.com.");
        cr_expect_str_eq(r.an[1], "A 93.184.216.34");
}

Test(wire, rejects_malformed_messages)
{
        uint8_t buf[600];
        struct kl_dns__msg m;
        size_t n;

        /* Each case: a mutation of a good query, or a hand-made message. */
        cr_expect_eq(kl_dns__parse(dig_query, 11, &m, NULL), -EBADMSG, "short header");
        cr_expect_eq(kl_dns__parse(dig_query, sizeof(dig_query) - 1, &m, NULL), -EBADMSG,
                     "OPT cut short");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[sizeof(dig_query)] = 0;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query) + 1, &m, NULL), -EBADMSG,
                     "trailing byte");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[5] = 2;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "qdcount 2");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[5] = 0;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "qdcount 0");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[11] = 2; /* arcount 2: the second record is missing */
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "arcount");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[12] = 64; /* a label length of 64 */
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "label 64");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[12] = 0x40; /* extended label type */
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "0x40");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[12] = 0xc0; /* a pointer to itself */
        buf[13] = 12;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "self pointer");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[12] = 0xc0; /* a pointer into the header (found by fuzzing) */
        buf[13] = 1;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG,
                     "pointer into the header");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[12] = 0xc0; /* a pointer forwards */
        buf[13] = 20;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "forward pointer");
        memcpy(buf, dig_query, sizeof(dig_query));
        buf[38] = 0x00; /* OPT rdlen 0x0c -> 0x00ff: past the end */
        buf[39] = 0xff;
        cr_expect_eq(kl_dns__parse(buf, sizeof(dig_query), &m, NULL), -EBADMSG, "rdlen");

        /* A response whose CNAME rdata points at itself. */
        memcpy(buf, cname_response, sizeof(cname_response));
        buf[44] = 0xc0;
        buf[45] = 44;
        n = sizeof(cname_response);
        cr_expect_eq(kl_dns__parse(buf, n, &m, NULL), -EBADMSG, "rdata loop");
        /* An A record with 3 bytes of data. */
        memcpy(buf, cname_response, sizeof(cname_response));
        buf[n - 5] = 3;
        cr_expect_eq(kl_dns__parse(buf, n - 1, &m, NULL), -EBADMSG, "short A");
        /* OPT in the answer section. */
        memcpy(buf, cname_response, sizeof(cname_response));
        buf[n - 13] = 41;
        cr_expect_eq(kl_dns__parse(buf, n, &m, NULL), -EBADMSG, "OPT in answers");
}

Test(wire, pointer_chains_cannot_exceed_255_bytes)
{
        /*
         * At 12 the root; then five parts, each a label of 63 'a' and a pointer to the
         * previous part, so part i spells i + 1 labels; then a pointer to the last part.
         */
        uint8_t buf[512] = { 0 };
        size_t pos = KL_DNS__HDR + 1, prev = KL_DNS__HDR, parts[5], len, off;
        uint8_t out[KL_DNS__NAME_WIRE_MAX];

        for (int i = 0; i < 5; i++) {
                parts[i] = pos;
                buf[pos++] = 63;
                memset(buf + pos, 'a', 63);
                pos += 63;
                buf[pos++] = (uint8_t)(0xc0 | (prev >> 8));
                buf[pos++] = (uint8_t)prev;
                prev = parts[i];
        }
        buf[pos++] = (uint8_t)(0xc0 | (prev >> 8));
        buf[pos++] = (uint8_t)prev;
        off = pos - 2;
        cr_expect_eq(kl_dns__name_read(buf, pos, &off, out, &len), -EBADMSG, "5 labels of 63");
        off = parts[3];
        cr_expect_eq(kl_dns__name_read(buf, pos, &off, out, &len), -EBADMSG, "4 labels of 63");
        off = parts[2];
        cr_assert_eq(kl_dns__name_read(buf, pos, &off, out, &len), 0, "3 labels of 63");
        cr_expect_eq(len, 3 * 64 + 1);
        cr_expect_eq(off, parts[2] + 66, "advanced past the part as it sits");
}

Test(wire, writer_compresses_and_keeps_srv_targets_whole)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_dns__writer w;
        uint8_t q[KL_DNS__NAME_WIRE_MAX], t[KL_DNS__NAME_WIRE_MAX];
        size_t len, before;
        struct test_resp r;

        cr_assert_eq(kl_dns__name_from_text("_http._tcp.web.default.svc.cluster.local", q, &len),
                     0);
        cr_assert_eq(kl_dns__name_from_text("web.default.svc.cluster.local", t, &len), 0);
        kl_dns__writer_init(&w, &b, 512);
        cr_assert_eq(kl_dns__put_header(&w, 7, KL_DNS__F_QR), 0);
        cr_assert_eq(kl_dns__put_question(&w, q, KL_DNS__T_SRV, KL_DNS__C_IN), 0);
        before = b.len;
        cr_assert_eq(kl_dns__put_srv(&w, KL_DNS__AN, q, 5, 0, 100, 80, t), 0);
        /* owner: a 2-byte pointer; 10 fixed; 6 SRV fields; the target written out (31). */
        cr_expect_eq(b.len - before, 2 + 10 + 6 + len);
        before = b.len;
        cr_assert_eq(kl_dns__put_rr_name(&w, KL_DNS__AN, q, KL_DNS__T_CNAME, 5, t), 0);
        /* CNAME rdata compresses to a pointer into the question. */
        cr_expect_eq(b.len - before, 2 + 10 + 2);
        kl_dns__writer_finish(&w, 0);
        test_decode((const uint8_t *)b.buf, b.len, &r);
        cr_expect_str_eq(r.an[0], "SRV 0 100 80 web.default.svc.cluster.local.");
        cr_expect_str_eq(r.an[1], "CNAME web.default.svc.cluster.local.");
        kl_buf_release(&b);
}

Test(wire, writer_records_are_all_or_nothing)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_dns__writer w;
        uint8_t q[KL_DNS__NAME_WIRE_MAX];
        static const uint8_t addr[4] = { 10, 0, 0, 1 };
        size_t len, n = 0;
        struct test_resp r;

        cr_assert_eq(kl_dns__name_from_text("many.example", q, &len), 0);
        kl_dns__writer_init(&w, &b, 100);
        cr_assert_eq(kl_dns__put_header(&w, 1, KL_DNS__F_QR), 0);
        cr_assert_eq(kl_dns__put_question(&w, q, KL_DNS__T_A, KL_DNS__C_IN), 0);
        while (kl_dns__put_rr(&w, KL_DNS__AN, q, KL_DNS__T_A, 5, addr, 4) == 0)
                n++;
        /* 12 + 18 question = 30; each A is 16 bytes: 4 fit in 100. */
        cr_expect_eq(n, 4);
        cr_expect_eq(b.len, 30 + 4 * 16);
        kl_dns__writer_finish(&w, KL_DNS__F_TC);
        test_decode((const uint8_t *)b.buf, b.len, &r);
        cr_expect_eq(r.n_an, 4);
        cr_expect(r.flags & KL_DNS__F_TC);
        kl_buf_release(&b);
}

Test(wire, copy_rr_decompresses_into_a_new_message)
{
        struct kl_dns__msg m;
        struct kl_buf b = KL_BUF_INIT;
        struct kl_dns__writer w;
        uint8_t q[KL_DNS__NAME_WIRE_MAX];
        size_t len, off;
        struct test_resp r;

        cr_assert_eq(kl_dns__parse(cname_response, sizeof(cname_response), &m, NULL), 0);
        cr_assert_eq(kl_dns__name_from_text("other.test", q, &len), 0);
        kl_dns__writer_init(&w, &b, 512);
        cr_assert_eq(kl_dns__put_header(&w, 1, KL_DNS__F_QR), 0);
        cr_assert_eq(kl_dns__put_question(&w, q, KL_DNS__T_A, KL_DNS__C_IN), 0);
        off = m.question_end;
        for (int i = 0; i < 2; i++)
                cr_assert_eq(kl_dns__copy_rr(&w, KL_DNS__AN, cname_response, sizeof(cname_response),
                                             &off),
                             0);
        kl_dns__writer_finish(&w, 0);
        test_decode((const uint8_t *)b.buf, b.len, &r);
        cr_expect_str_eq(r.an[0], "CNAME web.example.com.");
        cr_expect_str_eq(r.an[1], "A 93.184.216.34");
        kl_buf_release(&b);
}
