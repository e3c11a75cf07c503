/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct kl_proxy_state -> the table `ip kube-lite-proxy` (STYLE R7.8, R7.9).
 * Pure and deterministic byte for byte: the state is sorted, and everything
 * is added in the state's order. The shape follows upstream kube-proxy's
 * nftables mode (pkg/proxy/nftables/proxier.go) with our own names; the
 * README lists every chain and map and why.
 *
 * Per service port BASE = "NS/NAME/PORT" (PORT: the port's name, or its
 * number when it has none; '/' cannot occur in any of the three, so names
 * never collide):
 *   svc-BASE        ClusterIP traffic: masquerade-mark what comes from
 *                   outside the cluster CIDR, then load-balance (affinity
 *                   first) over the cluster policy's endpoints
 *   ext-BASE        NodePort and LoadBalancer-IP traffic (external policy)
 *   ep-BASE/IP      one endpoint: hairpin mark, affinity update, DNAT
 *   aff-BASE/IP     sessionAffinity ClientIP: the clients it pinned
 *   hp-NS/POD/PROTO/[HOSTIP/]PORT   one hostPort of a pod of this node
 * A name longer than KL_NFT's 255 characters (only a hostPort's pod name can
 * get there: pod names are DNS subdomains of up to 253) is cut and ends with
 * "-" and 8 hex digits of a hash of the whole name.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "nft/nft.h"
#include "proxy/proxy-internal.h"

#define NAME_MAX_LEN 255 /* NFT_NAME_MAXLEN less the NUL */
#define NAME_CUT     (NAME_MAX_LEN - 9)

static const char *const chain_masq = "mark-for-masquerade";
static const char *const chain_reject = "reject-chain";

static const enum kl_nft_field key_ip_proto_port[] = { KL_NFT_IP_DADDR, KL_NFT_L4PROTO,
                                                       KL_NFT_TH_DPORT };
static const enum kl_nft_field key_proto_port[] = { KL_NFT_L4PROTO, KL_NFT_TH_DPORT };
static const enum kl_nft_field key_saddr[] = { KL_NFT_IP_SADDR };

struct render {
        const struct kl_proxy_state *st;
        struct kl_nft_table *t;
        struct kl_nft_set *service_ips, *service_nodeports;
        struct kl_nft_set *noep_services, *noep_nodeports;
};

static uint32_t fnv1a(const char *s)
{
        uint32_t h = 2166136261u;

        for (; *s; s++)
                h = (h ^ (uint8_t)*s) * 16777619u;
        return h;
}

/* An nf_tables object name (owned): `prefix` + the formatted rest, bounded. */
static char *KL_PRINTF(2, 3) mkname(const char *prefix, const char *fmt, ...)
{
        kl_autofree char *rest = NULL;
        char *name;
        va_list ap;

        va_start(ap, fmt);
        rest = kl_vasprintf(fmt, ap);
        va_end(ap);
        name = kl_asprintf("%s%s", prefix, rest);
        if (strlen(name) > NAME_MAX_LEN) {
                uint32_t h = fnv1a(name);

                (void)snprintf(name + NAME_CUT, NAME_MAX_LEN + 1 - NAME_CUT, "-%08x", h);
        }
        return name;
}

static const char *proto_name(uint8_t proto)
{
        switch (proto) {
        case IPPROTO_TCP:
                return "tcp";
        case IPPROTO_UDP:
                return "udp";
        default:
                return "sctp";
        }
}

static char *port_base(const struct kl_proxy__service *s, const struct kl_proxy__port *p)
{
        if (*p->name)
                return kl_asprintf("%s/%s/%s", s->ns, s->name, p->name);
        return kl_asprintf("%s/%s/%u", s->ns, s->name, p->port);
}

static const char *ip_str(uint32_t ip, char buf[static INET_ADDRSTRLEN])
{
        struct in_addr a = { .s_addr = ip };

        return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ------------------------------------------------------------------------- */
/* Small rule helpers, so the rendering below reads like the rules it makes. */

static void match_ip(struct kl_nft_rule *r, enum kl_nft_field f, bool neq, uint32_t ip,
                     unsigned prefix)
{
        kl_nft_match(r, f, neq, &(union kl_nft_value){ .ip4 = ip }, prefix);
}

static void match_proto(struct kl_nft_rule *r, uint8_t proto)
{
        kl_nft_match(r, KL_NFT_L4PROTO, false, &(union kl_nft_value){ .proto = proto }, 32);
}

static void match_dport(struct kl_nft_rule *r, uint16_t port)
{
        kl_nft_match(r, KL_NFT_TH_DPORT, false, &(union kl_nft_value){ .port = port }, 32);
}

static void match_local(struct kl_nft_rule *r)
{
        kl_nft_match(r, KL_NFT_FIB_DADDR_TYPE, false,
                     &(union kl_nft_value){ .addrtype = RTN_LOCAL }, 32);
}

static void verdict(struct kl_nft_rule *r, enum kl_nft_verdict_code code, const char *chain)
{
        kl_nft_verdict(r, &(struct kl_nft_verdict){ .code = code, .chain = chain });
}

static void elem3(struct kl_nft_set *set, uint32_t ip, uint8_t proto, uint16_t port,
                  enum kl_nft_verdict_code code, const char *chain)
{
        union kl_nft_value key[3] = { { .ip4 = ip }, { .proto = proto }, { .port = port } };

        kl_nft_set_elem(set, key, &(struct kl_nft_verdict){ .code = code, .chain = chain });
}

static void elem2(struct kl_nft_set *set, uint8_t proto, uint16_t port,
                  enum kl_nft_verdict_code code, const char *chain)
{
        union kl_nft_value key[2] = { { .proto = proto }, { .port = port } };

        kl_nft_set_elem(set, key, &(struct kl_nft_verdict){ .code = code, .chain = chain });
}

/* ------------------------------------------------------------------------- */
/* The fixed part */

static void render_base(struct render *rd)
{
        const struct kl_proxy_state *st = rd->st;
        struct kl_nft_table *t = rd->t;
        struct kl_nft_chain *c;
        struct kl_nft_rule *r;

        rd->service_ips =
                kl_nft_set_add(t, "service-ips", key_ip_proto_port, 3, KL_NFT_VERDICT_DATA, 0, 0);
        rd->service_nodeports = kl_nft_set_add(t, "service-nodeports", key_proto_port, 2,
                                               KL_NFT_VERDICT_DATA, 0, 0);
        rd->noep_services = kl_nft_set_add(t, "no-endpoint-services", key_ip_proto_port, 3,
                                           KL_NFT_VERDICT_DATA, 0, 0);
        rd->noep_nodeports = kl_nft_set_add(t, "no-endpoint-nodeports", key_proto_port, 2,
                                            KL_NFT_VERDICT_DATA, 0, 0);

        /* Base chains: DNAT before routing (-100, dstnat), SNAT after (100, srcnat). */
        c = kl_nft_base_chain_add(t, "nat-prerouting", KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -100);
        verdict(kl_nft_rule_add(c), KL_NFT_JUMP, "services");
        c = kl_nft_base_chain_add(t, "nat-output", KL_NFT_CHAIN_NAT, KL_NFT_OUTPUT, -100);
        verdict(kl_nft_rule_add(c), KL_NFT_JUMP, "services");
        c = kl_nft_base_chain_add(t, "nat-postrouting", KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 100);
        verdict(kl_nft_rule_add(c), KL_NFT_JUMP, "masquerading");

        /*
         * Services without endpoints fail at once: packets to them were not
         * DNATed, so their destination is still the service's. Before the
         * filter tables' own chains (-110 < 0).
         */
        c = kl_nft_base_chain_add(t, "filter-input", KL_NFT_CHAIN_FILTER, KL_NFT_INPUT, -110);
        kl_nft_vmap(kl_nft_rule_add(c), key_ip_proto_port, 3, "no-endpoint-services");
        r = kl_nft_rule_add(c);
        match_local(r);
        match_ip(r, KL_NFT_IP_DADDR, true, htonl(0x7f000000), 8);
        kl_nft_vmap(r, key_proto_port, 2, "no-endpoint-nodeports");
        c = kl_nft_base_chain_add(t, "filter-forward", KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, -110);
        kl_nft_vmap(kl_nft_rule_add(c), key_ip_proto_port, 3, "no-endpoint-services");
        c = kl_nft_base_chain_add(t, "filter-output", KL_NFT_CHAIN_FILTER, KL_NFT_OUTPUT, -110);
        kl_nft_vmap(kl_nft_rule_add(c), key_ip_proto_port, 3, "no-endpoint-services");

        /* services: the DNS redirect, hostPorts, ClusterIPs and LB IPs, NodePorts. */
        c = kl_nft_chain_add(t, "services");
        if (st->cluster_dns) {
                static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP };

                for (size_t i = 0; i < KL_ARRAY_SIZE(protos); i++) {
                        r = kl_nft_rule_add(c);
                        match_ip(r, KL_NFT_IP_DADDR, false, st->cluster_dns, 32);
                        match_proto(r, protos[i]);
                        match_dport(r, 53);
                        kl_nft_dnat(r, st->dns_address, st->dns_port);
                }
        }
        if (st->n_hostports > 0)
                verdict(kl_nft_rule_add(c), KL_NFT_JUMP, "hostports");
        kl_nft_vmap(kl_nft_rule_add(c), key_ip_proto_port, 3, "service-ips");
        r = kl_nft_rule_add(c);
        match_local(r);
        match_ip(r, KL_NFT_IP_DADDR, true, htonl(0x7f000000), 8);
        kl_nft_vmap(r, key_proto_port, 2, "service-nodeports");

        /* masquerading: only marked packets, and the mark is cleared (it may be reused). */
        c = kl_nft_chain_add(t, "masquerading");
        r = kl_nft_rule_add(c);
        kl_nft_match_mark(r, KL_PROXY_MASQ_MARK, true);
        verdict(r, KL_NFT_RETURN, NULL);
        kl_nft_mark_xor(kl_nft_rule_add(c), KL_PROXY_MASQ_MARK);
        kl_nft_masquerade(kl_nft_rule_add(c), true);

        c = kl_nft_chain_add(t, chain_masq);
        kl_nft_mark_or(kl_nft_rule_add(c), KL_PROXY_MASQ_MARK);

        c = kl_nft_chain_add(t, chain_reject);
        r = kl_nft_rule_add(c);
        match_proto(r, IPPROTO_TCP);
        kl_nft_reject(r, KL_NFT_REJECT_TCP_RESET);
        kl_nft_reject(kl_nft_rule_add(c), KL_NFT_REJECT_ICMP_PORT_UNREACH);
}

static void render_hostports(struct render *rd)
{
        const struct kl_proxy_state *st = rd->st;
        struct kl_nft_chain *hostports;

        if (st->n_hostports == 0)
                return;
        hostports = kl_nft_chain_add(rd->t, "hostports");
        for (size_t i = 0; i < st->n_hostports; i++) {
                const struct kl_proxy__hostport *h = &st->hostports[i];
                char ip[INET_ADDRSTRLEN];
                kl_autofree char *name = NULL;
                struct kl_nft_chain *c;
                struct kl_nft_rule *r;

                if (h->host_ip)
                        name = mkname("hp-", "%s/%s/%s/%s/%u", h->ns, h->pod, proto_name(h->proto),
                                      ip_str(h->host_ip, ip), h->host_port);
                else
                        name = mkname("hp-", "%s/%s/%s/%u", h->ns, h->pod, proto_name(h->proto),
                                      h->host_port);
                r = kl_nft_rule_add(hostports);
                if (h->host_ip)
                        match_ip(r, KL_NFT_IP_DADDR, false, h->host_ip, 32);
                else
                        match_local(r);
                match_proto(r, h->proto);
                match_dport(r, h->host_port);
                verdict(r, KL_NFT_GOTO, name);

                c = kl_nft_chain_add(rd->t, name);
                /* Hairpin: the pod reaching itself through the node's port. */
                r = kl_nft_rule_add(c);
                match_ip(r, KL_NFT_IP_SADDR, false, h->pod_ip, 32);
                verdict(r, KL_NFT_JUMP, chain_masq);
                r = kl_nft_rule_add(c);
                match_proto(r, h->proto);
                kl_nft_dnat(r, h->pod_ip, h->container_port);
        }
}

/* ------------------------------------------------------------------------- */
/* Services */

/*
 * Upstream's endpoint choice (CategorizeEndpoints): the ready endpoints of
 * the subset; when none is ready, those still serving while terminating, so
 * that a rolling update's last pods keep answering.
 */
static size_t pick(const struct kl_proxy__port *p, bool local_only, bool *use)
{
        size_t n = 0;

        for (size_t i = 0; i < p->n_eps; i++) {
                use[i] = p->eps[i].ready && (!local_only || p->eps[i].local);
                n += use[i];
        }
        if (n > 0)
                return n;
        for (size_t i = 0; i < p->n_eps; i++) {
                use[i] = p->eps[i].serving && p->eps[i].terminating &&
                         (!local_only || p->eps[i].local);
                n += use[i];
        }
        return n;
}

struct port_names {
        char *base; /* NS/NAME/PORT */
        char *svc, *ext;
        char **ep, **aff; /* per endpoint of the port; NULL where unused */
};

/* Affinity lookups first (a pinned client goes where it went), then numgen. */
static void render_lb(struct kl_nft_chain *c, const struct kl_proxy__port *p,
                      const struct port_names *nm, const bool *use, size_t n, bool affinity)
{
        const char **chains = kl_calloc(n, sizeof(*chains));
        size_t k = 0;

        for (size_t i = 0; i < p->n_eps; i++) {
                if (!use[i])
                        continue;
                chains[k++] = nm->ep[i];
                if (affinity) {
                        struct kl_nft_rule *r = kl_nft_rule_add(c);

                        kl_nft_match_set(r, key_saddr, 1, false, nm->aff[i]);
                        verdict(r, KL_NFT_GOTO, nm->ep[i]);
                }
        }
        kl_nft_numgen_vmap(kl_nft_rule_add(c), chains, n);
        free(chains);
}

static void render_endpoint(struct render *rd, const struct kl_proxy__service *s,
                            const struct kl_proxy__port *p, const struct kl_proxy__endpoint *e,
                            const char *chain, const char *aff)
{
        struct kl_nft_chain *c = kl_nft_chain_add(rd->t, chain);
        struct kl_nft_rule *r;

        if (aff)
                (void)kl_nft_set_add(rd->t, aff, key_saddr, 1, KL_NFT_SET_ONLY,
                                     KL_NFT_SET_TIMEOUT | KL_NFT_SET_DYNAMIC, s->affinity_timeout);
        r = kl_nft_rule_add(c);
        match_ip(r, KL_NFT_IP_SADDR, false, e->ip, 32);
        verdict(r, KL_NFT_JUMP, chain_masq);
        if (aff)
                kl_nft_update_set(kl_nft_rule_add(c), aff, KL_NFT_IP_SADDR);
        r = kl_nft_rule_add(c);
        match_proto(r, p->proto);
        kl_nft_dnat(r, e->ip, e->port);
}

static void render_port(struct render *rd, const struct kl_proxy__service *s,
                        const struct kl_proxy__port *p)
{
        const struct kl_proxy_state *st = rd->st;
        bool external = p->node_port || s->n_lb_ips > 0;
        bool affinity = s->affinity_timeout > 0;
        bool *all = kl_calloc(p->n_eps + 1, sizeof(bool));
        bool *local = kl_calloc(p->n_eps + 1, sizeof(bool));
        size_t n_all = pick(p, false, all);
        size_t n_local = pick(p, true, local);
        const bool *cluster = s->itp_local ? local : all;
        size_t n_cluster = s->itp_local ? n_local : n_all;
        struct port_names nm = { .base = port_base(s, p) };
        struct kl_nft_chain *c;
        struct kl_nft_rule *r;

        if (n_all == 0) {
                /* No endpoint at all: reject at once, whichever way it comes in. */
                elem3(rd->noep_services, s->cluster_ip, p->proto, p->port, KL_NFT_GOTO,
                      chain_reject);
                for (size_t i = 0; i < s->n_lb_ips; i++)
                        elem3(rd->noep_services, s->lb_ips[i], p->proto, p->port, KL_NFT_GOTO,
                              chain_reject);
                if (p->node_port)
                        elem2(rd->noep_nodeports, p->proto, p->node_port, KL_NFT_GOTO,
                              chain_reject);
                goto out;
        }

        nm.ep = kl_calloc(p->n_eps, sizeof(char *));
        nm.aff = kl_calloc(p->n_eps, sizeof(char *));
        for (size_t i = 0; i < p->n_eps; i++) {
                char ip[INET_ADDRSTRLEN];

                /* An endpoint chain for every endpoint either policy may choose. */
                if (!(cluster[i] || (external && (s->etp_local ? local[i] : all[i]))))
                        continue;
                nm.ep[i] = mkname("ep-", "%s/%s", nm.base, ip_str(p->eps[i].ip, ip));
                if (affinity)
                        nm.aff[i] = mkname("aff-", "%s/%s", nm.base, ip);
        }

        if (n_cluster == 0) {
                /* internalTrafficPolicy Local and no endpoint here: dropped, as upstream. */
                elem3(rd->noep_services, s->cluster_ip, p->proto, p->port, KL_NFT_DROP, NULL);
        } else {
                nm.svc = mkname("svc-", "%s", nm.base);
                elem3(rd->service_ips, s->cluster_ip, p->proto, p->port, KL_NFT_GOTO, nm.svc);
                c = kl_nft_chain_add(rd->t, nm.svc);
                r = kl_nft_rule_add(c);
                match_ip(r, KL_NFT_IP_DADDR, false, s->cluster_ip, 32);
                match_proto(r, p->proto);
                match_dport(r, p->port);
                match_ip(r, KL_NFT_IP_SADDR, true, st->cluster_net, st->cluster_prefix);
                verdict(r, KL_NFT_JUMP, chain_masq);
                render_lb(c, p, &nm, cluster, n_cluster, affinity);
        }

        if (external) {
                nm.ext = mkname("ext-", "%s", nm.base);
                for (size_t i = 0; i < s->n_lb_ips; i++)
                        elem3(rd->service_ips, s->lb_ips[i], p->proto, p->port, KL_NFT_GOTO,
                              nm.ext);
                if (p->node_port)
                        elem2(rd->service_nodeports, p->proto, p->node_port, KL_NFT_GOTO, nm.ext);
                c = kl_nft_chain_add(rd->t, nm.ext);
                if (s->etp_local) {
                        /*
                         * Pods of the cluster using a NodePort are cluster
                         * traffic; from outside, only this node's endpoints,
                         * and the client's address is kept (no masquerade).
                         */
                        if (nm.svc) {
                                r = kl_nft_rule_add(c);
                                match_ip(r, KL_NFT_IP_SADDR, false, st->cluster_net,
                                         st->cluster_prefix);
                                verdict(r, KL_NFT_GOTO, nm.svc);
                        }
                        if (n_local > 0)
                                render_lb(c, p, &nm, local, n_local, affinity);
                        else
                                verdict(kl_nft_rule_add(c), KL_NFT_DROP, NULL);
                } else {
                        verdict(kl_nft_rule_add(c), KL_NFT_JUMP, chain_masq);
                        if (!s->itp_local)
                                verdict(kl_nft_rule_add(c), KL_NFT_GOTO, nm.svc);
                        else
                                render_lb(c, p, &nm, all, n_all, affinity);
                }
        }

        for (size_t i = 0; i < p->n_eps; i++)
                if (nm.ep[i])
                        render_endpoint(rd, s, p, &p->eps[i], nm.ep[i], nm.aff[i]);
        for (size_t i = 0; i < p->n_eps; i++) {
                free(nm.ep[i]);
                free(nm.aff[i]);
        }
out:
        free(nm.ep);
        free(nm.aff);
        free(nm.svc);
        free(nm.ext);
        free(nm.base);
        free(all);
        free(local);
}

struct kl_nft_table *kl_proxy_render(const struct kl_proxy_state *st)
{
        struct render rd = { .st = st, .t = kl_nft_table_new(KL_NFT_IP, KL_PROXY_TABLE) };

        render_base(&rd);
        render_hostports(&rd);
        for (size_t i = 0; i < st->n_svcs; i++)
                for (size_t j = 0; j < st->svcs[i].n_ports; j++)
                        render_port(&rd, &st->svcs[i], &st->svcs[i].ports[j]);
        return rd.t;
}
