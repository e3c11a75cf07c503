/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DNS messages from the network, as the server meets them: a client's query
 * (answered from a small zone) and an upstream's response (relayed, cached,
 * its records copied into a new message). Whatever parses must survive all
 * of that, and everything we write must parse again and respect its size.
 */
#include <string.h>

#include "base/base.h"
#include "dns/dns-internal.h"
#include "testing/fuzz.h"

static const char *const services[] = {
        "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"clusterIP\":"
        "\"10.43.0.20\",\"clusterIPs\":[\"10.43.0.20\"],\"ports\":[{\"name\":\"http\",\"port\":"
        "80}]}}",
        "{\"metadata\":{\"name\":\"db\",\"namespace\":\"default\"},\"spec\":{\"clusterIP\":"
        "\"None\",\"ports\":[{\"name\":\"pg\",\"port\":5432}]}}",
        "{\"metadata\":{\"name\":\"ext\",\"namespace\":\"default\"},\"spec\":{\"type\":"
        "\"ExternalName\",\"externalName\":\"example.com\"}}",
};
static const char slice[] =
        "{\"metadata\":{\"name\":\"db-1\",\"namespace\":\"default\",\"labels\":{"
        "\"kubernetes.io/service-name\":\"db\"}},\"addressType\":\"IPv4\",\"endpoints\":["
        "{\"addresses\":[\"10.42.0.5\"],\"hostname\":\"db-0\"},{\"addresses\":[\"10.42.0.6\"]}],"
        "\"ports\":[{\"name\":\"pg\",\"port\":5432}]}";

static struct kl_dns_zone *zone(void)
{
        static struct kl_dns_zone *z;

        if (!z) {
                const json_t *svcs[KL_ARRAY_SIZE(services)], *sl[1];

                for (size_t i = 0; i < KL_ARRAY_SIZE(services); i++)
                        svcs[i] = json_loads(services[i], 0, NULL);
                sl[0] = json_loads(slice, 0, NULL);
                kl_assert(kl_dns_zone_new(NULL, svcs, KL_ARRAY_SIZE(services), sl, 1, &z, NULL) ==
                          0);
                for (size_t i = 0; i < KL_ARRAY_SIZE(services); i++)
                        json_decref((json_t *)svcs[i]);
                json_decref((json_t *)sl[0]);
        }
        return z;
}

static void check_written(const struct kl_buf *b, size_t max)
{
        struct kl_dns__msg m;

        kl_assert(b->len <= max);
        if (b->len > 0)
                kl_assert(kl_dns__parse((const uint8_t *)b->buf, b->len, &m, NULL) == 0 ||
                          m.qdcount == 0);
}

static void as_query(const uint8_t *p, size_t n)
{
        static const size_t maxes[] = { KL_DNS_MAX_UDP, 512, 1232, KL_DNS_MAX_TCP };

        for (size_t i = 0; i < KL_ARRAY_SIZE(maxes); i++) {
                kl_autobuf struct kl_buf out = KL_BUF_INIT;
                struct kl_dns__msg q;
                int r = kl_dns_answer(zone(), p, n, maxes[i], &out);

                kl_assert(r == -EBADMSG || r == KL_DNS_ANSWERED || r == KL_DNS_NOT_OURS ||
                          r == KL_DNS_EXTERNAL);
                if (r != KL_DNS_ANSWERED && r != KL_DNS_EXTERNAL)
                        continue;
                if (kl_dns__parse(p, n, &q, NULL) == 0)
                        check_written(&out, maxes[i] ? maxes[i] : kl_dns__udp_limit(&q));
                else
                        check_written(&out, 512);
        }
}

static void as_response(const uint8_t *p, size_t n)
{
        struct kl_dns__msg m;
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        struct kl_dns__writer w;
        struct kl_dns__cache *c;
        size_t off;

        if (kl_dns__parse(p, n, &m, NULL) < 0)
                return;
        kl_assert(m.qname_len >= 1 && m.qname_len <= KL_DNS__NAME_WIRE_MAX);
        kl_assert(m.question_end <= m.additional_off && m.additional_off <= n);
        for (size_t i = 0; i < m.n_ttl_offs; i++)
                kl_assert(m.ttl_offs[i] + 4 <= m.additional_off);

        /* Relayed to a client of either kind. */
        kl_dns__relay(p, &m, &m, 512, &out);
        check_written(&out, 512);
        kl_buf_reset(&out);

        /* Every answer and authority record copied into a new message. */
        kl_dns__writer_init(&w, &out, KL_DNS__MSG_MAX);
        kl_assert(kl_dns__put_header(&w, 1, KL_DNS__F_QR) == 0);
        kl_assert(kl_dns__put_question(&w, m.qname, m.qtype, m.qclass) == 0);
        off = m.question_end;
        for (size_t i = 0; i < (size_t)m.ancount + m.nscount; i++) {
                int r = kl_dns__copy_rr(&w, KL_DNS__AN, p, n, &off);

                kl_assert(r == 0 || r == -EMSGSIZE);
                if (r < 0)
                        break;
        }
        kl_dns__writer_finish(&w, 0);
        check_written(&out, KL_DNS__MSG_MAX);
        kl_buf_reset(&out);

        /* Cached, then served back. */
        c = kl_dns__cache_new(4);
        if (kl_dns__cache_put(c, p, n, &m, 0)) {
                kl_assert(kl_dns__cache_get(c, &m, 500, 512, &out));
                check_written(&out, 512);
        }
        kl_dns__cache_free(c);

        /* Merged behind an ExternalName CNAME. */
        kl_buf_reset(&out);
        kl_dns__external_merge(&m, m.qname, p, n, &m, 1232, &out);
        check_written(&out, 1232);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > KL_DNS__MSG_MAX)
                return 0;
        as_query(data, size);
        as_response(data, size);
        return 0;
}
