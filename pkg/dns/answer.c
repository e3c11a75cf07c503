/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query -> response from the zone, with no I/O: what kl_dns_answer() and the
 * server's listeners run. Names inside the cluster domain are answered with
 * authority (AA): records, NODATA (NOERROR, no answer, the SOA in the
 * authority section) for names that exist without records of the asked
 * type, NXDOMAIN with the SOA for the rest. Outside the domain only the
 * reverse names of our addresses are answered; everything else is
 * KL_DNS_NOT_OURS, for the forwarder.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dns/dns-internal.h"

/* CNAME chains inside the zone are followed this far. */
#define CHASE_MAX 8

static bool type_matches(uint16_t qtype, uint16_t type)
{
        return qtype == type || qtype == KL_DNS__T_ANY;
}

/* One record of a node, owner `owner` (wire). -EMSGSIZE when it does not fit. */
static int put_one(struct kl_dns__writer *w, const uint8_t *owner, const struct kl_dns__rr *rr)
{
        uint8_t target[KL_DNS__NAME_WIRE_MAX], txt[256];
        size_t len;

        switch (rr->type) {
        case KL_DNS__T_A:
                return kl_dns__put_rr(w, KL_DNS__AN, owner, rr->type, KL_DNS_TTL, rr->addr, 4);
        case KL_DNS__T_AAAA:
                return kl_dns__put_rr(w, KL_DNS__AN, owner, rr->type, KL_DNS_TTL, rr->addr, 16);
        case KL_DNS__T_TXT:
                len = strlen(rr->target);
                txt[0] = (uint8_t)len;
                memcpy(txt + 1, rr->target, len);
                return kl_dns__put_rr(w, KL_DNS__AN, owner, rr->type, KL_DNS_TTL, txt, len + 1);
        default:
                /* A target too long to be a name (a long Service name in a long domain) is
                 * skipped, as if it were not there. */
                if (kl_dns__name_from_text(rr->target, target, &len) < 0)
                        return 0;
                if (rr->type == KL_DNS__T_SRV)
                        return kl_dns__put_srv(w, KL_DNS__AN, owner, KL_DNS_TTL, rr->prio,
                                               rr->weight, rr->port, target);
                return kl_dns__put_rr_name(w, KL_DNS__AN, owner, rr->type, KL_DNS_TTL, target);
        }
}

/* The records of `n` of type `qtype`: the count written, or -EMSGSIZE (some were written). */
static int put_node(struct kl_dns__writer *w, const uint8_t *owner, const struct kl_dns__node *n,
                    uint16_t qtype)
{
        int count = 0;

        for (size_t i = 0; i < n->n; i++) {
                if (!type_matches(qtype, n->rrs[i].type))
                        continue;
                if (put_one(w, owner, &n->rrs[i]) < 0)
                        return -EMSGSIZE;
                count++;
        }
        return count;
}

static const struct kl_dns__rr *node_cname(const struct kl_dns__node *n)
{
        for (size_t i = 0; n && i < n->n; i++)
                if (n->rrs[i].type == KL_DNS__T_CNAME)
                        return &n->rrs[i];
        return NULL;
}

struct answer {
        const struct kl_dns_zone *z;
        const struct kl_dns__msg *q;
        struct kl_dns__writer w;
        int rcode;
        bool truncated;
        bool soa;      /* put the SOA in the authority section */
        bool external; /* the chain left the zone: forward `target` */
        uint8_t *target;
};

/* Answer `name` (lowercase text; owner: its wire form) for the query's type, following CNAMEs. */
static void answer_name(struct answer *a, const char *name, const uint8_t *owner)
{
        char text[KL_DNS__NAME_TEXT_MAX];
        uint8_t wire[KL_DNS__NAME_WIRE_MAX];
        size_t len;

        for (unsigned hop = 0; hop < CHASE_MAX; hop++) {
                const struct kl_dns__node *n = kl_dns__zone_find(a->z, name);
                const struct kl_dns__rr *cname = node_cname(n);
                size_t rel;
                int r;

                if (n && cname && a->q->qtype != KL_DNS__T_CNAME) {
                        if (put_one(&a->w, owner, cname) < 0 ||
                            kl_dns__name_from_text(cname->target, wire, &len) < 0) {
                                a->truncated = true;
                                return;
                        }
                        if (kl_dns__zone_contains(a->z, cname->target, &rel) ||
                            kl_dns__zone_find(a->z, cname->target)) {
                                (void)kl_dns__name_to_text(wire, true, text);
                                name = text;
                                owner = wire;
                                continue;
                        }
                        /* Outside: the server asks upstream (CoreDNS's "upstream"). */
                        memcpy(a->target, wire, len);
                        a->external = true;
                        return;
                }
                if (n) {
                        r = put_node(&a->w, owner, n, a->q->qtype);
                        if (r < 0)
                                a->truncated = true;
                        else if (r == 0)
                                a->soa = true; /* NODATA */
                        return;
                }
                if (kl_dns__zone_contains(a->z, name, &rel)) {
                        uint8_t addr[16];
                        int family;

                        if (kl_dns__pod_address(name, rel, addr, &family)) {
                                uint16_t t = family == AF_INET ? KL_DNS__T_A : KL_DNS__T_AAAA;

                                if (!type_matches(a->q->qtype, t))
                                        a->soa = true;
                                else if (kl_dns__put_rr(&a->w, KL_DNS__AN, owner, t, KL_DNS_TTL,
                                                        addr, t == KL_DNS__T_A ? 4 : 16) < 0)
                                        a->truncated = true;
                                return;
                        }
                }
                /* RFC 6604: the rcode is that of the last name of the chain. */
                a->rcode = KL_DNS__RCODE_NXDOMAIN;
                a->soa = true;
                return;
        }
        a->rcode = KL_DNS__RCODE_SERVFAIL; /* a CNAME loop inside the zone */
}

static void put_soa(struct answer *a)
{
        const struct kl_dns_zone *z = a->z;

        if (kl_dns__put_soa(&a->w, KL_DNS__NS, z->domain_wire, KL_DNS_TTL, z->soa_mname,
                            z->soa_rname, z->serial, 7200, 1800, 86400, KL_DNS_TTL) < 0)
                a->truncated = true;
}

static size_t effective_max(const struct kl_dns__msg *q, size_t max)
{
        if (max == KL_DNS_MAX_UDP)
                return kl_dns__udp_limit(q);
        if (max < KL_DNS__UDP_MIN)
                return KL_DNS__UDP_MIN;
        return max > KL_DNS__MSG_MAX ? KL_DNS__MSG_MAX : max;
}

int kl_dns__answer_msg(const struct kl_dns_zone *z, const struct kl_dns__msg *q, size_t max,
                       struct kl_buf *out, uint8_t *ret_target)
{
        char text[KL_DNS__NAME_TEXT_MAX];
        size_t rel, limit = effective_max(q, max);
        bool ours;
        struct answer a = { .z = z, .q = q, .target = ret_target };

        if (KL_DNS__F_OPCODE(q->flags) != 0) {
                kl_dns__error_response(q, true, KL_DNS__RCODE_NOTIMP, out);
                return KL_DNS_ANSWERED;
        }
        (void)kl_dns__name_to_text(q->qname, true, text);
        ours = kl_dns__zone_contains(z, text, &rel);
        if (!ours && !kl_dns__zone_find(z, text))
                return KL_DNS_NOT_OURS;
        if (q->has_opt && q->edns_version > 0) {
                kl_dns__error_response(q, true, KL_DNS__RCODE_BADVERS, out);
                return KL_DNS_ANSWERED;
        }
        if (q->qclass != KL_DNS__C_IN && q->qclass != KL_DNS__C_ANY) {
                kl_dns__error_response(q, true, KL_DNS__RCODE_REFUSED, out);
                return KL_DNS_ANSWERED;
        }

        kl_dns__writer_init(&a.w, out, limit - (q->has_opt ? KL_DNS__OPT_LEN : 0));
        kl_assert(kl_dns__put_header(&a.w, q->id,
                                     KL_DNS__F_QR | KL_DNS__F_AA | (q->flags & KL_DNS__F_RD) |
                                             KL_DNS__F_RA) == 0);
        if (kl_dns__put_question(&a.w, q->qname, q->qtype, q->qclass) < 0) {
                /* Cannot happen: a 255-byte name fits in 512. */
                kl_dns__writer_finish(&a.w, KL_DNS__F_TC);
                return KL_DNS_ANSWERED;
        }
        if (kl_streq(text, z->domain) && type_matches(q->qtype, KL_DNS__T_SOA)) {
                put_soa(&a);
                /* put_soa writes the authority section; an SOA question wants it answered. */
                if (!a.truncated) {
                        a.w.counts[KL_DNS__NS]--;
                        a.w.counts[KL_DNS__AN]++;
                }
        } else {
                answer_name(&a, text, q->qname);
                if (a.soa && !a.truncated && !a.external)
                        put_soa(&a);
        }
        a.w.max = limit;
        if (q->has_opt)
                (void)kl_dns__put_opt(&a.w, KL_DNS__UDP_MAX, 0);
        kl_dns__writer_finish(&a.w, (uint16_t)((a.truncated ? KL_DNS__F_TC : 0) | a.rcode));
        return a.external ? KL_DNS_EXTERNAL : KL_DNS_ANSWERED;
}

int kl_dns_answer(const struct kl_dns_zone *z, const uint8_t *q, size_t len, size_t max,
                  struct kl_buf *out)
{
        struct kl_dns__msg m;
        uint8_t target[KL_DNS__NAME_WIRE_MAX];

        if (kl_dns__parse_header(q, len, &m) < 0 || (m.flags & KL_DNS__F_QR))
                return -EBADMSG;
        if (kl_dns__parse(q, len, &m, NULL) < 0) {
                kl_dns__error_response(&m, false, KL_DNS__RCODE_FORMERR, out);
                return KL_DNS_ANSWERED;
        }
        return kl_dns__answer_msg(z, &m, max, out, target);
}

void kl_dns__external_merge(const struct kl_dns__msg *q, const uint8_t *target, const uint8_t *up,
                            size_t up_len, const struct kl_dns__msg *um, size_t max,
                            struct kl_buf *out)
{
        struct kl_dns__writer w;
        size_t limit = effective_max(q, max), off;
        uint16_t rcode = up ? KL_DNS__F_RCODE(um->flags) : 0;
        bool truncated = false;

        kl_dns__writer_init(&w, out, limit - (q->has_opt ? KL_DNS__OPT_LEN : 0));
        kl_assert(kl_dns__put_header(&w, q->id,
                                     KL_DNS__F_QR | KL_DNS__F_AA | (q->flags & KL_DNS__F_RD) |
                                             KL_DNS__F_RA) == 0);
        if (kl_dns__put_question(&w, q->qname, q->qtype, q->qclass) < 0 ||
            kl_dns__put_rr_name(&w, KL_DNS__AN, q->qname, KL_DNS__T_CNAME, KL_DNS_TTL, target) < 0)
                truncated = true;
        off = up ? um->question_end : 0;
        for (size_t i = 0; up && !truncated && i < um->ancount; i++)
                if (kl_dns__copy_rr(&w, KL_DNS__AN, up, up_len, &off) < 0)
                        truncated = true;
        w.max = limit;
        if (q->has_opt)
                (void)kl_dns__put_opt(&w, KL_DNS__UDP_MAX, 0);
        kl_dns__writer_finish(&w, (uint16_t)((truncated ? KL_DNS__F_TC : 0) | rcode));
}
