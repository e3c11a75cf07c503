/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tables of the golden tests (tests/data/<name>.nft) and of the kernel
 * tests, which replace each in a network namespace and compare `nft list
 * table` with kl_nft_print(). Every builder call is used by at least one.
 */
#ifndef KL_NFT_TESTS_TABLES_H
#define KL_NFT_TESTS_TABLES_H

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>

#include "base/macro.h"
#include "nft/nft.h"

static inline uint32_t ip4(const char *s)
{
        struct in_addr a;

        kl_assert(inet_pton(AF_INET, s, &a) == 1);
        return a.s_addr;
}

static inline union kl_nft_value v_ip(const char *s)
{
        return (union kl_nft_value){ .ip4 = ip4(s) };
}

static inline union kl_nft_value v_proto(uint8_t p)
{
        return (union kl_nft_value){ .proto = p };
}

static inline union kl_nft_value v_port(uint16_t p)
{
        return (union kl_nft_value){ .port = p };
}

static inline union kl_nft_value v_mark(uint32_t m)
{
        return (union kl_nft_value){ .mark = m };
}

static inline union kl_nft_value v_ifname(const char *s)
{
        union kl_nft_value v;

        size_t n = strlen(s);

        kl_assert(n < sizeof(v.ifname));
        memset(&v, 0, sizeof(v));
        memcpy(v.ifname, s, n);
        return v;
}

static inline union kl_nft_value v_addrtype(uint32_t t)
{
        return (union kl_nft_value){ .addrtype = t };
}

static const struct kl_nft_verdict v_accept = { KL_NFT_ACCEPT, NULL };
static const struct kl_nft_verdict v_drop = { KL_NFT_DROP, NULL };
static const struct kl_nft_verdict v_return = { KL_NFT_RETURN, NULL };

static inline struct kl_nft_verdict v_goto(const char *c)
{
        return (struct kl_nft_verdict){ KL_NFT_GOTO, c };
}

static inline struct kl_nft_verdict v_jump(const char *c)
{
        return (struct kl_nft_verdict){ KL_NFT_JUMP, c };
}

static const enum kl_nft_field k_svc[] = { KL_NFT_IP_DADDR, KL_NFT_L4PROTO, KL_NFT_TH_DPORT };

static inline void add_match(struct kl_nft_rule *r, enum kl_nft_field f, bool neq,
                             union kl_nft_value v, unsigned prefix)
{
        kl_nft_match(r, f, neq, &v, prefix);
}

static inline void add_elem3(struct kl_nft_set *s, union kl_nft_value a, union kl_nft_value b,
                             union kl_nft_value c, const struct kl_nft_verdict *v)
{
        union kl_nft_value k[3] = { a, b, c };

        kl_nft_set_elem(s, k, v);
}

/* A service proxy's table, the way pkg/proxy builds it. */
static inline struct kl_nft_table *table_proxy(void)
{
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "kube-lite-proxy");
        const enum kl_nft_field k_saddr = KL_NFT_IP_SADDR;
        const enum kl_nft_field k_port[] = { KL_NFT_L4PROTO, KL_NFT_TH_DPORT };
        const char *eps[] = { "ep-web-1", "ep-web-2" };
        struct kl_nft_verdict web = v_goto("svc-web"), dns = v_goto("svc-dns");
        struct kl_nft_verdict services = v_jump("services"), masq = v_jump("mark-for-masquerade");
        struct kl_nft_verdict ep1v = v_goto("ep-web-1");
        struct kl_nft_set *ips, *nodeports, *noeps;
        struct kl_nft_chain *pre, *out, *post, *fw, *svc, *mark, *web_c, *dns_c, *ep1, *ep2;
        struct kl_nft_rule *r;
        union kl_nft_value np[2] = { v_proto(IPPROTO_TCP), v_port(30080) };

        ips = kl_nft_set_add(t, "service-ips", k_svc, 3, KL_NFT_VERDICT_DATA, 0, 0);
        nodeports = kl_nft_set_add(t, "service-nodeports", k_port, 2, KL_NFT_VERDICT_DATA, 0, 0);
        noeps = kl_nft_set_add(t, "no-endpoint-services", k_svc, 3, KL_NFT_SET_ONLY, 0, 0);
        (void)kl_nft_set_add(t, "affinity-web", &k_saddr, 1, KL_NFT_SET_ONLY,
                             KL_NFT_SET_TIMEOUT | KL_NFT_SET_DYNAMIC, 10800);

        add_elem3(ips, v_ip("10.43.0.1"), v_proto(IPPROTO_TCP), v_port(443), &web);
        add_elem3(ips, v_ip("10.43.0.10"), v_proto(IPPROTO_UDP), v_port(53), &dns);
        add_elem3(ips, v_ip("10.43.0.10"), v_proto(IPPROTO_TCP), v_port(53), &dns);
        kl_nft_set_elem(nodeports, np, &web);
        add_elem3(noeps, v_ip("10.43.7.9"), v_proto(IPPROTO_TCP), v_port(80), NULL);
        add_elem3(noeps, v_ip("10.43.7.9"), v_proto(IPPROTO_SCTP), v_port(9), NULL);

        pre = kl_nft_base_chain_add(t, "nat-prerouting", KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -100);
        out = kl_nft_base_chain_add(t, "nat-output", KL_NFT_CHAIN_NAT, KL_NFT_OUTPUT, -100);
        post = kl_nft_base_chain_add(t, "nat-postrouting", KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING,
                                     100);
        fw = kl_nft_base_chain_add(t, "filter-forward", KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 0);
        svc = kl_nft_chain_add(t, "services");
        mark = kl_nft_chain_add(t, "mark-for-masquerade");
        web_c = kl_nft_chain_add(t, "svc-web");
        dns_c = kl_nft_chain_add(t, "svc-dns");
        ep1 = kl_nft_chain_add(t, "ep-web-1");
        ep2 = kl_nft_chain_add(t, "ep-web-2");

        kl_nft_verdict(kl_nft_rule_add(pre), &services);
        kl_nft_verdict(kl_nft_rule_add(out), &services);

        r = kl_nft_rule_add(post);
        kl_nft_match_mark(r, 0x4000, true);
        kl_nft_verdict(r, &v_return);
        r = kl_nft_rule_add(post);
        kl_nft_mark_xor(r, 0x4000);
        kl_nft_masquerade(r, true);

        r = kl_nft_rule_add(fw);
        kl_nft_match_set(r, k_svc, 3, false, "no-endpoint-services");
        kl_nft_reject(r, KL_NFT_REJECT_ICMP_HOST_UNREACH);

        r = kl_nft_rule_add(svc);
        kl_nft_vmap(r, k_svc, 3, "service-ips");
        r = kl_nft_rule_add(svc);
        add_match(r, KL_NFT_FIB_DADDR_TYPE, false, v_addrtype(RTN_LOCAL), 0);
        kl_nft_vmap(r, k_port, 2, "service-nodeports");

        kl_nft_mark_or(kl_nft_rule_add(mark), 0x4000);

        r = kl_nft_rule_add(web_c);
        add_match(r, KL_NFT_IP_SADDR, true, v_ip("10.42.0.0"), 16);
        kl_nft_verdict(r, &masq);
        r = kl_nft_rule_add(web_c);
        kl_nft_match_set(r, &k_saddr, 1, false, "affinity-web");
        kl_nft_verdict(r, &ep1v);
        r = kl_nft_rule_add(web_c);
        add_match(r, KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_numgen_vmap(r, eps, 2);

        r = kl_nft_rule_add(dns_c);
        add_match(r, KL_NFT_L4PROTO, false, v_proto(IPPROTO_UDP), 0);
        kl_nft_dnat(r, ip4("10.42.1.1"), 53);

        r = kl_nft_rule_add(ep1);
        add_match(r, KL_NFT_IP_SADDR, false, v_ip("10.42.0.5"), 32);
        kl_nft_verdict(r, &masq);
        r = kl_nft_rule_add(ep1);
        kl_nft_update_set(r, "affinity-web", KL_NFT_IP_SADDR);
        kl_nft_counter(r);
        add_match(r = kl_nft_rule_add(ep1), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_dnat(r, ip4("10.42.0.5"), 8080);

        add_match(r = kl_nft_rule_add(ep2), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_dnat(r, ip4("10.42.2.7"), 8080);
        return t;
}

/* Sets of every key type, their element order and line wrapping, set flags. */
static inline struct kl_nft_table *table_sets(void)
{
        static const enum kl_nft_field k_ip = KL_NFT_IP_DADDR, k_port = KL_NFT_TH_DPORT,
                                       k_proto = KL_NFT_L4PROTO, k_mark = KL_NFT_MARK,
                                       k_if = KL_NFT_IIFNAME;
        static const enum kl_nft_field k_if_ip[] = { KL_NFT_OIFNAME, KL_NFT_IP_SADDR };
        static const enum kl_nft_field k_ip_port[] = { KL_NFT_IP_DADDR, KL_NFT_TH_DPORT };
        static const char *const ips[] = { "10.0.0.5", "10.0.0.1", "192.168.1.1", "10.0.0.3",
                                           "1.2.3.4" };
        static const uint16_t ports[] = { 8080, 80, 443, 1, 65535, 53, 22, 9000, 2, 3, 4, 5 };
        static const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_SCTP, IPPROTO_ICMP,
                                          99 };
        static const char *const ifs[] = { "kl0", "eth0", "kl.vxlan" };
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "kl-sets");
        struct kl_nft_set *s;
        struct kl_nft_verdict acc = v_accept, c = v_jump("c");
        struct kl_nft_rule *r;

        s = kl_nft_set_add(t, "ips", &k_ip, 1, KL_NFT_SET_ONLY, 0, 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(ips); i++)
                kl_nft_set_elem(s, &(union kl_nft_value){ .ip4 = ip4(ips[i]) }, NULL);
        s = kl_nft_set_add(t, "ports", &k_port, 1, KL_NFT_SET_ONLY, 0, 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(ports); i++)
                kl_nft_set_elem(s, &(union kl_nft_value){ .port = ports[i] }, NULL);
        s = kl_nft_set_add(t, "protos", &k_proto, 1, KL_NFT_SET_ONLY, 0, 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(protos); i++)
                kl_nft_set_elem(s, &(union kl_nft_value){ .proto = protos[i] }, NULL);
        s = kl_nft_set_add(t, "marks", &k_mark, 1, KL_NFT_SET_ONLY, 0, 0);
        kl_nft_set_elem(s, &(union kl_nft_value){ .mark = 0x4000 }, NULL);
        kl_nft_set_elem(s, &(union kl_nft_value){ .mark = 1 }, NULL);
        s = kl_nft_set_add(t, "ifs", &k_if, 1, KL_NFT_SET_ONLY, 0, 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(ifs); i++) {
                union kl_nft_value v = v_ifname(ifs[i]);

                kl_nft_set_elem(s, &v, NULL);
        }
        s = kl_nft_set_add(t, "if-ip", k_if_ip, 2, KL_NFT_SET_ONLY, 0, 0);
        {
                union kl_nft_value k[2] = { v_ifname("kl0"), v_ip("10.42.1.1") };

                kl_nft_set_elem(s, k, NULL);
                k[0] = v_ifname("eth0");
                kl_nft_set_elem(s, k, NULL);
        }
        s = kl_nft_set_add(t, "vm", &k_ip, 1, KL_NFT_VERDICT_DATA, 0, 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(ips); i++)
                kl_nft_set_elem(s, &(union kl_nft_value){ .ip4 = ip4(ips[i]) }, i % 2 ? &acc : &c);
        s = kl_nft_set_add(t, "vm2", k_ip_port, 2, KL_NFT_VERDICT_DATA, 0, 0);
        {
                union kl_nft_value k[2] = { v_ip("10.43.0.1"), v_port(81) };

                kl_nft_set_elem(s, k, &acc);
                k[1] = v_port(80);
                kl_nft_set_elem(s, k, &v_drop);
        }
        (void)kl_nft_set_add(t, "empty", &k_ip, 1, KL_NFT_SET_ONLY, 0, 0);
        (void)kl_nft_set_add(t, "t-flag", &k_ip, 1, KL_NFT_SET_ONLY, KL_NFT_SET_TIMEOUT, 0);
        (void)kl_nft_set_add(t, "t-default", &k_ip, 1, KL_NFT_SET_ONLY, KL_NFT_SET_TIMEOUT, 93784);
        (void)kl_nft_set_add(t, "dyn", &k_ip, 1, KL_NFT_SET_ONLY, KL_NFT_SET_DYNAMIC, 0);
        (void)kl_nft_set_add(t, "dyn-t", &k_ip, 1, KL_NFT_SET_ONLY,
                             KL_NFT_SET_DYNAMIC | KL_NFT_SET_TIMEOUT, 90);
        (void)kl_nft_chain_add(t, "c");
        r = kl_nft_rule_add(kl_nft_chain_add(t, "d"));
        kl_nft_update_set(r, "dyn-t", KL_NFT_IP_SADDR);
        return t;
}

/* Base chains: standard priorities by name, offsets, plain numbers. */
static inline struct kl_nft_table *table_chains(void)
{
        static const struct {
                enum kl_nft_chain_type type;
                enum kl_nft_hook hook;
                int prio;
        } c[] = {
                { KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -100 },
                { KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -90 },
                { KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -110 },
                { KL_NFT_CHAIN_NAT, KL_NFT_OUTPUT, -100 },
                { KL_NFT_CHAIN_NAT, KL_NFT_INPUT, 100 },
                { KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 100 },
                { KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 95 },
                { KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 200 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 0 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_INPUT, 10 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_OUTPUT, -5 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_PREROUTING, -300 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_PREROUTING, -150 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 50 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 1000 },
                { KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, -1000 },
        };
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "kl-chains");

        for (size_t i = 0; i < KL_ARRAY_SIZE(c); i++) {
                char name[16];

                (void)snprintf(name, sizeof(name), "base-%zu", i);
                (void)kl_nft_base_chain_add(t, name, c[i].type, c[i].hook, c[i].prio);
        }
        (void)kl_nft_chain_add(t, "regular");
        return t;
}

/* Every match and statement, and nft's `meta l4proto` dependency removal. */
static inline struct kl_nft_table *table_rules(void)
{
        static const enum kl_nft_field k_svc2[] = { KL_NFT_IP_DADDR, KL_NFT_TH_DPORT,
                                                    KL_NFT_L4PROTO };
        static const enum kl_nft_field k_saddr = KL_NFT_IP_SADDR, k_port = KL_NFT_TH_DPORT;
        const char *three[] = { "a", "b", "a" };
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "rules");
        struct kl_nft_verdict ja = v_jump("a"), gb = v_goto("b");
        struct kl_nft_chain *c, *n;
        struct kl_nft_rule *r;

        (void)kl_nft_set_add(t, "svc", k_svc, 3, KL_NFT_SET_ONLY, 0, 0);
        (void)kl_nft_set_add(t, "svc2", k_svc2, 3, KL_NFT_VERDICT_DATA, 0, 0);
        (void)kl_nft_set_add(t, "svc-map", k_svc, 3, KL_NFT_VERDICT_DATA, 0, 0);
        (void)kl_nft_set_add(t, "src", &k_saddr, 1, KL_NFT_SET_ONLY, 0, 0);
        (void)kl_nft_set_add(t, "ports", &k_port, 1, KL_NFT_SET_ONLY, 0, 0);
        (void)kl_nft_chain_add(t, "a");
        (void)kl_nft_chain_add(t, "b");
        c = kl_nft_base_chain_add(t, "filter", KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 0);
        n = kl_nft_base_chain_add(t, "nat", KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -100);

        /* Prefixes: byte-aligned, not, /0, /32; != */
        add_match(r = kl_nft_rule_add(c), KL_NFT_IP_SADDR, false, v_ip("10.42.1.0"), 24);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_IP_SADDR, false, v_ip("10.47.1.9"), 12);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_IP_DADDR, true, v_ip("1.2.3.4"), 0);
        kl_nft_verdict(r, &v_drop);
        add_match(r = kl_nft_rule_add(c), KL_NFT_IP_DADDR, true, v_ip("10.43.0.5"), 32);
        add_match(r, KL_NFT_IP_SADDR, false, v_ip("10.42.0.0"), 16);
        kl_nft_counter(r);
        kl_nft_verdict(r, &ja);
        /* Interfaces, marks, fib */
        add_match(r = kl_nft_rule_add(c), KL_NFT_IIFNAME, false, v_ifname("kl0"), 0);
        add_match(r, KL_NFT_OIFNAME, true, v_ifname("kl.vxlan"), 0);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_MARK, false, v_mark(0x10), 0);
        kl_nft_match_mark(r, 0x4000, false);
        kl_nft_verdict(r, &gb);
        add_match(r = kl_nft_rule_add(c), KL_NFT_FIB_DADDR_TYPE, true, v_addrtype(RTN_LOCAL), 0);
        kl_nft_verdict(r, &v_return);
        /* Protocols and transport ports, with and without a preceding l4proto. */
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        add_match(r, KL_NFT_TH_DPORT, false, v_port(80), 0);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_TH_DPORT, false, v_port(80), 0);
        add_match(r, KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, true, v_proto(IPPROTO_TCP), 0);
        add_match(r, KL_NFT_TH_DPORT, true, v_port(8080), 0);
        kl_nft_verdict(r, &v_drop);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_UDP), 0);
        add_match(r, KL_NFT_IP_DADDR, false, v_ip("10.43.0.10"), 32);
        kl_nft_match_set(r, &k_port, 1, false, "ports");
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_SCTP), 0);
        kl_nft_match_set(r, k_svc, 3, true, "svc");
        kl_nft_verdict(r, &v_drop);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_ICMP), 0);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_counter(r);
        kl_nft_reject(r, KL_NFT_REJECT_TCP_RESET);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        add_match(r, KL_NFT_IP_DADDR, false, v_ip("10.43.0.9"), 32);
        kl_nft_reject(r, KL_NFT_REJECT_TCP_RESET);
        kl_nft_reject(kl_nft_rule_add(c), KL_NFT_REJECT_ICMP_PORT_UNREACH);
        kl_nft_reject(kl_nft_rule_add(c), KL_NFT_REJECT_ICMP_HOST_UNREACH);
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_mark_or(r, 0x4000);
        kl_nft_verdict(r, &ja);
        kl_nft_match_set(r = kl_nft_rule_add(c), &k_saddr, 1, true, "src");
        kl_nft_mark_xor(r, 0x1);
        kl_nft_verdict(r, &gb);
        kl_nft_vmap(kl_nft_rule_add(c), k_svc2, 3, "svc2");
        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_vmap(r, k_svc, 3, "svc-map");
        kl_nft_numgen_vmap(kl_nft_rule_add(c), three, 3);

        /* NAT */
        add_match(r = kl_nft_rule_add(n), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        add_match(r, KL_NFT_TH_DPORT, false, v_port(80), 0);
        kl_nft_dnat(r, ip4("10.42.0.5"), 8080);
        add_match(r = kl_nft_rule_add(n), KL_NFT_IP_DADDR, false, v_ip("10.43.0.5"), 32);
        kl_nft_dnat(r, ip4("10.42.0.6"), 0);
        /* A port without a protocol match: the kernel takes it, nft lists it as is. */
        add_match(r = kl_nft_rule_add(n), KL_NFT_IP_DADDR, false, v_ip("10.43.0.6"), 32);
        add_match(r, KL_NFT_TH_DPORT, false, v_port(53), 0);
        kl_nft_dnat(r, ip4("10.42.0.7"), 5353);
        add_match(r = kl_nft_rule_add(n), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_numgen_vmap(r, three, 2);
        r = kl_nft_rule_add(
                kl_nft_base_chain_add(t, "post", KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 100));
        kl_nft_masquerade(r, false);
        return t;
}

static inline struct kl_nft_table *table_empty(void)
{
        return kl_nft_table_new(KL_NFT_IP, "empty");
}

/* An inet table: IPv4 matches get nft's hidden `meta nfproto ipv4` dependency. */
static inline struct kl_nft_table *table_inet(void)
{
        static const enum kl_nft_field k_saddr = KL_NFT_IP_SADDR;
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_INET, "kube-lite-net");
        struct kl_nft_chain *fw, *post;
        struct kl_nft_rule *r;

        (void)kl_nft_set_add(t, "peers", &k_saddr, 1, KL_NFT_SET_ONLY, 0, 0);
        fw = kl_nft_base_chain_add(t, "forward", KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 0);
        post = kl_nft_base_chain_add(t, "postrouting", KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 100);
        add_match(r = kl_nft_rule_add(fw), KL_NFT_IIFNAME, false, v_ifname("kl0"), 0);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(fw), KL_NFT_IP_SADDR, false, v_ip("10.42.0.0"), 16);
        add_match(r, KL_NFT_IP_DADDR, true, v_ip("10.42.0.0"), 16);
        kl_nft_verdict(r, &v_accept);
        add_match(r = kl_nft_rule_add(fw), KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        add_match(r, KL_NFT_TH_DPORT, false, v_port(22), 0);
        kl_nft_counter(r);
        kl_nft_match_set(r = kl_nft_rule_add(post), &k_saddr, 1, false, "peers");
        kl_nft_verdict(r, &v_return);
        add_match(r = kl_nft_rule_add(post), KL_NFT_IP_SADDR, false, v_ip("10.42.1.0"), 24);
        add_match(r, KL_NFT_OIFNAME, true, v_ifname("kl0"), 0);
        kl_nft_masquerade(r, false);
        return t;
}

struct golden_table {
        const char *name;
        struct kl_nft_table *(*build)(void);
};

static const struct golden_table golden_tables[] = {
        { "proxy", table_proxy }, { "sets", table_sets },   { "chains", table_chains },
        { "rules", table_rules }, { "empty", table_empty }, { "inet", table_inet },
};

#endif /* KL_NFT_TESTS_TABLES_H */
