/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kl_dns_answer() from a zone built of JSON Services and EndpointSlices:
 * every record kind of the Kubernetes DNS specification (ClusterIP A/AAAA
 * and SRV, headless per-endpoint records and SRV, ExternalName CNAME, pods,
 * PTR, the schema version TXT), NODATA against NXDOMAIN, case, truncation,
 * and the error answers.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dns-test.h"

static const char *const services_json[] = {
        "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
        "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.43.0.20\",\"clusterIPs\":[\"10.43.0.20\"],"
        "\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"},"
        "{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\"},{\"port\":9000}]}}",
        "{\"metadata\":{\"name\":\"dual\",\"namespace\":\"default\"},"
        "\"spec\":{\"clusterIP\":\"10.43.0.21\",\"clusterIPs\":[\"10.43.0.21\",\"fd00:43::21\"]}}",
        "{\"metadata\":{\"name\":\"v6only\",\"namespace\":\"default\"},"
        "\"spec\":{\"clusterIP\":\"fd00:43::22\",\"clusterIPs\":[\"fd00:43::22\"]}}",
        "{\"metadata\":{\"name\":\"db\",\"namespace\":\"default\"},"
        "\"spec\":{\"clusterIP\":\"None\",\"clusterIPs\":[\"None\"],"
        "\"ports\":[{\"name\":\"pg\",\"port\":5432}]}}",
        "{\"metadata\":{\"name\":\"pub\",\"namespace\":\"default\"},"
        "\"spec\":{\"clusterIP\":\"None\",\"publishNotReadyAddresses\":true}}",
        "{\"metadata\":{\"name\":\"ext\",\"namespace\":\"default\"},"
        "\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"Example.COM.\"}}",
        "{\"metadata\":{\"name\":\"alias\",\"namespace\":\"default\"},"
        "\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"web.default.svc.cluster.local\"}}",
        "{\"metadata\":{\"name\":\"api\",\"namespace\":\"other\"},"
        "\"spec\":{\"clusterIP\":\"10.43.0.30\",\"clusterIPs\":[\"10.43.0.30\"]}}",
        "{\"metadata\":{\"name\":\"empty\",\"namespace\":\"default\"},"
        "\"spec\":{\"clusterIP\":\"None\"}}",
};

static const char *const slices_json[] = {
        "{\"metadata\":{\"name\":\"db-abc\",\"namespace\":\"default\","
        "\"labels\":{\"kubernetes.io/service-name\":\"db\"}},\"addressType\":\"IPv4\","
        "\"endpoints\":[{\"addresses\":[\"10.42.1.5\"],\"hostname\":\"db-0\","
        "\"conditions\":{\"ready\":true}},"
        "{\"addresses\":[\"10.42.1.6\"],\"conditions\":{\"ready\":false}},"
        "{\"addresses\":[\"10.42.2.7\"],\"conditions\":{}}],"
        "\"ports\":[{\"name\":\"pg\",\"port\":5432,\"protocol\":\"TCP\"}]}",
        "{\"metadata\":{\"name\":\"pub-x\",\"namespace\":\"default\","
        "\"labels\":{\"kubernetes.io/service-name\":\"pub\"}},\"addressType\":\"IPv4\","
        "\"endpoints\":[{\"addresses\":[\"10.42.1.9\"],\"conditions\":{\"ready\":false}}]}",
        /* A slice of a Service in another namespace with the same name: not db's. */
        "{\"metadata\":{\"name\":\"db-zzz\",\"namespace\":\"other\","
        "\"labels\":{\"kubernetes.io/service-name\":\"db\"}},\"addressType\":\"IPv4\","
        "\"endpoints\":[{\"addresses\":[\"10.42.3.3\"]}]}",
};

static struct kl_dns_zone *zone_from(const char *domain, json_t **extra, size_t n_extra)
{
        const json_t *svcs[32], *slices[32];
        size_t ns = 0, nl = 0;
        struct kl_dns_zone *z = NULL;
        struct kl_err *err = NULL;

        for (size_t i = 0; i < KL_ARRAY_SIZE(services_json); i++) {
                json_t *v = json_loads(services_json[i], 0, NULL);

                cr_assert(v, "%s", services_json[i]);
                svcs[ns++] = v;
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(slices_json); i++) {
                json_t *v = json_loads(slices_json[i], 0, NULL);

                cr_assert(v, "%s", slices_json[i]);
                slices[nl++] = v;
        }
        for (size_t i = 0; i < n_extra; i++) {
                if (json_object_get(extra[i], "addressType"))
                        slices[nl++] = extra[i];
                else
                        svcs[ns++] = extra[i];
        }
        cr_assert_eq(kl_dns_zone_new(domain, svcs, ns, slices, nl, &z, &err), 0, "%s",
                     kl_err_msg(err));
        for (size_t i = 0; i < ns; i++)
                json_decref((json_t *)svcs[i]);
        for (size_t i = 0; i < nl; i++)
                json_decref((json_t *)slices[i]);
        return z;
}

static int ask(const struct kl_dns_zone *z, const char *name, uint16_t type, uint16_t edns,
               size_t max, struct test_resp *r)
{
        uint8_t q[600];
        size_t n = test_query(q, sizeof(q), 0x4242, name, type, edns);
        struct kl_buf out = KL_BUF_INIT;
        int res = kl_dns_answer(z, q, n, max, &out);

        if (res == KL_DNS_ANSWERED || res == KL_DNS_EXTERNAL) {
                test_decode((const uint8_t *)out.buf, out.len, r);
                cr_expect(out.len <= (max ? max : (edns ? edns : 512)), "%zu bytes", out.len);
        }
        kl_buf_release(&out);
        return res;
}

#define D ".default.svc.cluster.local"

Test(answer, records_of_the_dns_specification)
{
        static const struct {
                const char *name;
                uint16_t type;
                int result, rcode;
                const char *an[4]; /* the answers, in order; none: NODATA/NXDOMAIN */
        } cases[] = {
                /* ClusterIP */
                { "web" D, KL_DNS__T_A, 0, 0, { "A 10.43.0.20" } },
                { "web" D, KL_DNS__T_AAAA, 0, 0, { NULL } },
                { "dual" D, KL_DNS__T_A, 0, 0, { "A 10.43.0.21" } },
                { "dual" D, KL_DNS__T_AAAA, 0, 0, { "AAAA fd00:43::21" } },
                { "v6only" D, KL_DNS__T_A, 0, 0, { NULL } },
                { "v6only" D, KL_DNS__T_AAAA, 0, 0, { "AAAA fd00:43::22" } },
                { "api.other.svc.cluster.local", KL_DNS__T_A, 0, 0, { "A 10.43.0.30" } },
                /* SRV for named ports only */
                { "_http._tcp.web" D,
                  KL_DNS__T_SRV,
                  0,
                  0,
                  { "SRV 0 100 80 web.default.svc.cluster.local." } },
                { "_dns._udp.web" D,
                  KL_DNS__T_SRV,
                  0,
                  0,
                  { "SRV 0 100 53 web.default.svc.cluster.local." } },
                { "_http._udp.web" D, KL_DNS__T_SRV, 0, 3, { NULL } },
                { "_tcp.web" D, KL_DNS__T_SRV, 0, 0, { NULL } },
                /* Headless: ready endpoints (a missing condition is ready) */
                { "db" D, KL_DNS__T_A, 0, 0, { "A 10.42.1.5", "A 10.42.2.7" } },
                { "db-0.db" D, KL_DNS__T_A, 0, 0, { "A 10.42.1.5" } },
                { "10-42-2-7.db" D, KL_DNS__T_A, 0, 0, { "A 10.42.2.7" } },
                { "10-42-1-6.db" D, KL_DNS__T_A, 0, 3, { NULL } },
                { "_pg._tcp.db" D,
                  KL_DNS__T_SRV,
                  0,
                  0,
                  { "SRV 0 50 5432 db-0.db.default.svc.cluster.local.",
                    "SRV 0 50 5432 10-42-2-7.db.default.svc.cluster.local." } },
                { "pub" D, KL_DNS__T_A, 0, 0, { "A 10.42.1.9" } },
                { "empty" D, KL_DNS__T_A, 0, 0, { NULL } },
                /* ExternalName */
                { "ext" D, KL_DNS__T_A, KL_DNS_EXTERNAL, 0, { "CNAME example.com." } },
                { "ext" D, KL_DNS__T_CNAME, 0, 0, { "CNAME example.com." } },
                { "alias" D,
                  KL_DNS__T_A,
                  0,
                  0,
                  { "CNAME web.default.svc.cluster.local.", "A 10.43.0.20" } },
                /* Pods */
                { "1-2-3-4.default.pod.cluster.local", KL_DNS__T_A, 0, 0, { "A 1.2.3.4" } },
                { "1-2-3-4.default.pod.cluster.local", KL_DNS__T_AAAA, 0, 0, { NULL } },
                { "fd00-42--5.default.pod.cluster.local",
                  KL_DNS__T_AAAA,
                  0,
                  0,
                  { "AAAA fd00:42::5" } },
                { "1-2-3-999.default.pod.cluster.local", KL_DNS__T_A, 0, 3, { NULL } },
                /* PTR */
                { "20.0.43.10.in-addr.arpa",
                  KL_DNS__T_PTR,
                  0,
                  0,
                  { "PTR web.default.svc.cluster.local." } },
                { "5.1.42.10.in-addr.arpa",
                  KL_DNS__T_PTR,
                  0,
                  0,
                  { "PTR db-0.db.default.svc.cluster.local." } },
                { "7.2.42.10.in-addr.arpa",
                  KL_DNS__T_PTR,
                  0,
                  0,
                  { "PTR 10-42-2-7.db.default.svc.cluster.local." } },
                { "1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.0.d.f.ip6.arpa",
                  KL_DNS__T_PTR,
                  0,
                  0,
                  { "PTR dual.default.svc.cluster.local." } },
                { "99.99.43.10.in-addr.arpa", KL_DNS__T_PTR, KL_DNS_NOT_OURS, 0, { NULL } },
                /* Interior names: NODATA; the rest of the domain: NXDOMAIN */
                { "default.svc.cluster.local", KL_DNS__T_A, 0, 0, { NULL } },
                { "svc.cluster.local", KL_DNS__T_A, 0, 0, { NULL } },
                { "cluster.local", KL_DNS__T_A, 0, 0, { NULL } },
                { "nope" D, KL_DNS__T_A, 0, 3, { NULL } },
                { "web.nope.svc.cluster.local", KL_DNS__T_A, 0, 3, { NULL } },
                { "x.y.z.cluster.local", KL_DNS__T_A, 0, 3, { NULL } },
                { "dns-version.cluster.local", KL_DNS__T_TXT, 0, 0, { "TXT 1.1.0" } },
                /* Not ours */
                { "example.com", KL_DNS__T_A, KL_DNS_NOT_OURS, 0, { NULL } },
                { "cluster.local.example.com", KL_DNS__T_A, KL_DNS_NOT_OURS, 0, { NULL } },
        };
        struct kl_dns_zone *z = zone_from(NULL, NULL, 0);

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct test_resp *r = kl_new0(struct test_resp);
                int res = ask(z, cases[i].name, cases[i].type, 0, KL_DNS_MAX_UDP, r);
                size_t want = 0;

                cr_assert_eq(res, cases[i].result, "%s: %d", cases[i].name, res);
                if (res == KL_DNS_NOT_OURS) {
                        free(r);
                        continue;
                }
                cr_expect_eq(r->rcode, cases[i].rcode, "%s: rcode %d", cases[i].name, r->rcode);
                cr_expect(r->flags & KL_DNS__F_AA, "%s: authoritative", cases[i].name);
                cr_expect_eq(r->id, 0x4242);
                while (want < 4 && cases[i].an[want])
                        want++;
                cr_expect_eq(r->n_an, want, "%s: %zu answers", cases[i].name, r->n_an);
                for (size_t k = 0; k < want && k < r->n_an; k++)
                        cr_expect_str_eq(r->an[k], cases[i].an[k], "%s", cases[i].name);
                /* NODATA and NXDOMAIN carry the SOA (RFC 2308). */
                if (want == 0) {
                        cr_expect_eq(r->n_ns, 1, "%s: SOA", cases[i].name);
                        cr_expect_str_eq(r->ns[0],
                                         "SOA ns.dns.cluster.local. hostmaster.cluster.local. 5");
                }
                free(r);
        }
        kl_dns_zone_free(z);
}

Test(answer, names_are_case_insensitive_and_echo_the_question)
{
        struct kl_dns_zone *z = zone_from(NULL, NULL, 0);
        struct test_resp *r = kl_new0(struct test_resp);

        cr_assert_eq(ask(z, "WEB.Default.SVC.Cluster.Local", KL_DNS__T_A, 0, 0, r), 0);
        cr_expect_str_eq(r->qname, "WEB.Default.SVC.Cluster.Local");
        cr_expect_eq(r->n_an, 1);
        cr_expect_str_eq(r->an[0], "A 10.43.0.20");
        free(r);
        kl_dns_zone_free(z);
}

Test(answer, soa_at_the_apex_and_a_custom_domain)
{
        struct kl_dns_zone *z = zone_from("Corp.Example.", NULL, 0);
        struct test_resp *r = kl_new0(struct test_resp);

        cr_expect_str_eq(kl_dns_zone_domain(z), "corp.example");
        cr_assert_eq(ask(z, "corp.example", KL_DNS__T_SOA, 0, 0, r), 0);
        cr_expect_eq(r->n_an, 1);
        cr_expect_str_eq(r->an[0], "SOA ns.dns.corp.example. hostmaster.corp.example. 5");
        cr_expect_eq(r->n_ns, 0);
        cr_assert_eq(ask(z, "web.default.svc.corp.example", KL_DNS__T_A, 0, 0, r), 0);
        cr_expect_str_eq(r->an[0], "A 10.43.0.20");
        cr_expect_eq(ask(z, "web.default.svc.cluster.local", KL_DNS__T_A, 0, 0, r),
                     KL_DNS_NOT_OURS);
        free(r);
        kl_dns_zone_free(z);
}

Test(answer, bad_domain_is_rejected)
{
        struct kl_dns_zone *z = NULL;
        struct kl_err *err = NULL;

        cr_expect_eq(kl_dns_zone_new("a..b", NULL, 0, NULL, 0, &z, &err), -EINVAL);
        cr_expect(strstr(kl_err_msg(err), "a..b"));
        cr_expect_null(z);
        kl_err_free(err);
}

/* A headless Service with 100 ready endpoints. */
static json_t *big_slice(void)
{
        json_t *eps = json_array();

        for (int i = 0; i < 100; i++) {
                char ip[32];

                (void)snprintf(ip, sizeof(ip), "10.42.%d.%d", i / 50, i % 50 + 1);
                json_array_append_new(eps, json_pack("{s:[s]}", "addresses", ip));
        }
        return json_pack("{s:{s:s,s:s,s:{s:s}},s:s,s:o}", "metadata", "name", "big-1", "namespace",
                         "default", "labels", "kubernetes.io/service-name", "big", "addressType",
                         "IPv4", "endpoints", eps);
}

Test(answer, truncation_follows_the_clients_size)
{
        json_t *extra[2] = {
                json_pack("{s:{s:s,s:s},s:{s:s}}", "metadata", "name", "big", "namespace",
                          "default", "spec", "clusterIP", "None"),
                big_slice(),
        };
        struct kl_dns_zone *z = zone_from(NULL, extra, 2);
        struct test_resp *r = kl_new0(struct test_resp);

        /* No EDNS: 512 bytes. 12 + question 34 + 16 per A (the owner a pointer) + SOA none. */
        cr_assert_eq(ask(z, "big" D, KL_DNS__T_A, 0, KL_DNS_MAX_UDP, r), 0);
        cr_expect(r->flags & KL_DNS__F_TC);
        cr_expect_eq(r->n_an, (512 - 12 - 34) / 16);
        cr_expect_not(r->has_opt);
        /* EDNS 1232: more, still cut; the OPT is there. */
        cr_assert_eq(ask(z, "big" D, KL_DNS__T_A, 1232, KL_DNS_MAX_UDP, r), 0);
        cr_expect(r->flags & KL_DNS__F_TC);
        cr_expect_eq(r->n_an, (1232 - 12 - 34 - 11) / 16);
        cr_expect(r->has_opt);
        /* EDNS 4096 holds all 100 (1646 bytes). */
        cr_assert_eq(ask(z, "big" D, KL_DNS__T_A, 4096, KL_DNS_MAX_UDP, r), 0);
        cr_expect_not(r->flags & KL_DNS__F_TC);
        cr_expect_eq(r->n_an, 100);
        /* An EDNS size above 4096 is honoured as 4096; TCP takes everything. */
        cr_assert_eq(ask(z, "big" D, KL_DNS__T_A, 0, KL_DNS_MAX_TCP, r), 0);
        cr_expect_not(r->flags & KL_DNS__F_TC);
        cr_expect_eq(r->n_an, 100);
        free(r);
        kl_dns_zone_free(z);
}

Test(answer, error_answers)
{
        struct kl_dns_zone *z = zone_from(NULL, NULL, 0);
        uint8_t q[600];
        size_t n;
        struct kl_buf out = KL_BUF_INIT;
        struct test_resp *r = kl_new0(struct test_resp);
        struct kl_dns__msg m;

        /* Too short to answer; a response is never answered. */
        cr_expect_eq(kl_dns_answer(z, (const uint8_t *)"abc", 3, 0, &out), -EBADMSG);
        n = test_query(q, sizeof(q), 9, "web" D, KL_DNS__T_A, 0);
        q[2] |= 0x80;
        cr_expect_eq(kl_dns_answer(z, q, n, 0, &out), -EBADMSG);
        cr_expect_eq(out.len, 0);

        /* Garbage after a header: FORMERR without a question. */
        n = test_query(q, sizeof(q), 9, "web" D, KL_DNS__T_A, 0);
        q[12] = 0xc0;
        cr_assert_eq(kl_dns_answer(z, q, n, 0, &out), KL_DNS_ANSWERED);
        cr_assert_eq(kl_dns__parse_header((const uint8_t *)out.buf, out.len, &m), 0);
        cr_expect_eq(KL_DNS__F_RCODE(m.flags), KL_DNS__RCODE_FORMERR);
        cr_expect_eq(m.qdcount, 0);
        cr_expect_eq(m.id, 9);

        /* An opcode other than QUERY: NOTIMP. */
        kl_buf_reset(&out);
        n = test_query(q, sizeof(q), 9, "web" D, KL_DNS__T_A, 0);
        q[2] |= 2 << 3; /* STATUS */
        cr_assert_eq(kl_dns_answer(z, q, n, 0, &out), KL_DNS_ANSWERED);
        test_decode((const uint8_t *)out.buf, out.len, r);
        cr_expect_eq(r->rcode, KL_DNS__RCODE_NOTIMP);

        /* EDNS version 1: BADVERS (16: 1 in the OPT's extended rcode, 0 in the header). */
        kl_buf_reset(&out);
        n = test_query(q, sizeof(q), 9, "web" D, KL_DNS__T_A, 1232);
        q[n - 5] = 1; /* the OPT's version byte */
        cr_assert_eq(kl_dns_answer(z, q, n, 0, &out), KL_DNS_ANSWERED);
        test_decode((const uint8_t *)out.buf, out.len, r);
        cr_expect_eq(r->rcode, 0);
        cr_expect(r->has_opt);
        cr_expect_eq(((const uint8_t *)out.buf)[out.len - 6], 1, "extended rcode");

        kl_buf_release(&out);
        free(r);
        kl_dns_zone_free(z);
}
