/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's side of the pod network: the bridge kl0 with the gateway
 * address, the forwarding sysctls, the VXLAN device and the masquerade table.
 *
 * kl_net_new() converges rather than creates: after an agent restart every
 * link is there already and is reused, corrected where it differs (MTU, MAC,
 * address, state) and made again only where it cannot be corrected in place
 * (a VXLAN device whose local address or VNI changed). Pods keep their
 * veths, which stay on kl0 throughout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net-internal.h"
#include "nft/nft.h"

#define VXLAN_OVERHEAD 50 /* outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 */

static void net_free_fields(struct kl_net *net)
{
        kl_net__nl_close(net->nl);
        kl_nft_close(net->nft);
        kl_net__ipam_free(net->ipam);
        free(net->state_dir);
}

void kl_net_free(struct kl_net *net)
{
        if (!net)
                return;
        net_free_fields(net);
        free(net);
}

KL_DEFINE_CLEANUP_FUNC(struct kl_net, kl_net_free);

unsigned kl_net_mtu(const struct kl_net *net)
{
        return net->mtu;
}

/* The link holding `ip` and its MTU. */
static int find_node_link(struct kl_net *net, uint32_t ip, struct kl_net__link *ret,
                          struct kl_err **err)
{
        kl_autofree struct kl_net__addr *addrs = NULL;
        size_t n = 0;
        char text[16];
        int r;

        r = kl_net__addr_list(net->nl, &addrs, &n);
        if (r < 0)
                return kl_err_set(err, r, "list addresses");
        for (size_t i = 0; i < n; i++) {
                if (addrs[i].ip != ip)
                        continue;
                r = kl_net__link_get_index(net->nl, addrs[i].ifindex, ret);
                if (r < 0)
                        return kl_err_set(err, r, "get link %d", addrs[i].ifindex);
                return 0;
        }
        kl_net__ip_format(ip, text);
        return kl_err_set(err, -EADDRNOTAVAIL, "node address %s is on no link", text);
}

/* Only the addresses wanted on a link: the others (a pod CIDR of before) go. */
static int link_set_only_addr(struct kl_net *net, int ifindex, uint32_t ip, unsigned prefix,
                              const char *name, struct kl_err **err)
{
        kl_autofree struct kl_net__addr *addrs = NULL;
        size_t n = 0;
        bool have = false;
        int r;

        r = kl_net__addr_list(net->nl, &addrs, &n);
        if (r < 0)
                return kl_err_set(err, r, "list addresses");
        for (size_t i = 0; i < n; i++) {
                if (addrs[i].ifindex != ifindex)
                        continue;
                if (addrs[i].ip == ip && addrs[i].prefix == prefix) {
                        have = true;
                        continue;
                }
                r = kl_net__addr_del(net->nl, ifindex, addrs[i].ip, addrs[i].prefix);
                if (r < 0 && r != -EADDRNOTAVAIL)
                        return kl_err_set(err, r, "remove an old address of '%s'", name);
        }
        if (have)
                return 0;
        r = kl_net__addr_add(net->nl, ifindex, ip, prefix);
        if (r < 0)
                return kl_err_set(err, r, "add address to '%s'", name);
        return 0;
}

static int setup_bridge(struct kl_net *net, struct kl_err **err)
{
        struct kl_net__link l;
        uint8_t mac[6];
        int r;

        /* A fixed MAC: the bridge would otherwise take its lowest port's, which changes. */
        kl_net__mac_from_ip(0x0a, 0x58, net->gateway, mac);
        r = kl_net__link_get(net->nl, KL_NET_BRIDGE, &l);
        if (r == -ENOENT) {
                r = kl_net__bridge_add(net->nl, KL_NET_BRIDGE, mac);
                if (r < 0 && r != -EEXIST)
                        return kl_err_set(err, r, "create bridge '%s'", KL_NET_BRIDGE);
                r = kl_net__link_get(net->nl, KL_NET_BRIDGE, &l);
        }
        if (r < 0)
                return kl_err_set(err, r, "get link '%s'", KL_NET_BRIDGE);
        if (!kl_streq(l.kind, "bridge"))
                return kl_err_set(err, -EEXIST, "link '%s' exists and is a '%s', not a bridge",
                                  KL_NET_BRIDGE, l.kind);
        net->bridge = l.ifindex;
        r = kl_net__link_set(net->nl, l.ifindex, true, l.mtu == net->mtu ? 0 : net->mtu, -1,
                             memcmp(l.mac, mac, 6) ? mac : NULL);
        if (r < 0)
                return kl_err_set(err, r, "set up '%s'", KL_NET_BRIDGE);
        return link_set_only_addr(net, l.ifindex, net->gateway, net->pod.prefix, KL_NET_BRIDGE,
                                  err);
}

static int setup_vxlan(struct kl_net *net, const struct kl_net__link *node_link,
                       struct kl_err **err)
{
        struct kl_net__link l;
        uint8_t mac[6];
        int r;

        kl_net__mac_from_ip(0x0e, 0x6b, net->pod.addr, mac);
        r = kl_net__link_get(net->nl, KL_NET_VXLAN, &l);
        if (r == 0 && (!kl_streq(l.kind, "vxlan") || l.vxlan_id != KL_NET_VXLAN_VNI ||
                       l.vxlan_local != net->node_ip || l.vxlan_port != KL_NET_VXLAN_PORT)) {
                /* Settings fixed at creation differ (the node's address changed): anew. */
                r = kl_net__link_del(net->nl, l.ifindex);
                if (r < 0)
                        return kl_err_set(err, r, "remove outdated '%s'", KL_NET_VXLAN);
                r = -ENOENT;
        }
        if (r == -ENOENT) {
                r = kl_net__vxlan_add(net->nl, KL_NET_VXLAN, KL_NET_VXLAN_VNI, net->node_ip,
                                      node_link->ifindex, KL_NET_VXLAN_PORT, net->mtu, mac);
                if (r < 0)
                        return kl_err_set(err, r, "create VXLAN device '%s'", KL_NET_VXLAN);
                r = kl_net__link_get(net->nl, KL_NET_VXLAN, &l);
        }
        if (r < 0)
                return kl_err_set(err, r, "get link '%s'", KL_NET_VXLAN);
        net->vxlan = l.ifindex;
        r = kl_net__link_set(net->nl, l.ifindex, true, l.mtu == net->mtu ? 0 : net->mtu, -1,
                             memcmp(l.mac, mac, 6) ? mac : NULL);
        if (r < 0)
                return kl_err_set(err, r, "set up '%s'", KL_NET_VXLAN);
        /* flannel's layout: the pod CIDR's network address /32 is this VTEP's. */
        return link_set_only_addr(net, l.ifindex, net->pod.addr, 32, KL_NET_VXLAN, err);
}

static int remove_link(struct kl_net *net, const char *name, struct kl_err **err)
{
        struct kl_net__link l;
        int r;

        r = kl_net__link_get(net->nl, name, &l);
        if (r == -ENOENT)
                return 0;
        if (r >= 0)
                r = kl_net__link_del(net->nl, l.ifindex);
        if (r < 0 && r != -ENOENT)
                return kl_err_set(err, r, "remove '%s'", name);
        return 0;
}

static void build_table(const struct kl_net *net, struct kl_nft_table *t)
{
        struct kl_nft_chain *c;
        struct kl_nft_rule *r;
        union kl_nft_value v;
        struct kl_nft_verdict accept = { .code = KL_NFT_ACCEPT };

        /*
         * Pods' traffic to outside the cluster CIDR leaves with the node's
         * address; pod to pod (over kl0, kl.vxlan or host-gw routes) keeps
         * its source, as Kubernetes' network model requires.
         */
        c = kl_nft_base_chain_add(t, "postrouting", KL_NFT_CHAIN_NAT, KL_NFT_POSTROUTING, 100);
        r = kl_nft_rule_add(c);
        v = (union kl_nft_value){ .ip4 = htonl(net->cluster.addr) };
        kl_nft_match(r, KL_NFT_IP_SADDR, false, &v, net->cluster.prefix);
        kl_nft_match(r, KL_NFT_IP_DADDR, true, &v, net->cluster.prefix);
        memset(&v, 0, sizeof(v));
        (void)snprintf(v.ifname, sizeof(v.ifname), "%s", KL_NET_BRIDGE);
        kl_nft_match(r, KL_NFT_OIFNAME, true, &v, 0);
        kl_nft_masquerade(r, true);

        /* A host whose forward policy is drop (Docker's) must still forward pods' traffic. */
        c = kl_nft_base_chain_add(t, "forward", KL_NFT_CHAIN_FILTER, KL_NFT_FORWARD, 0);
        r = kl_nft_rule_add(c);
        kl_nft_match(r, KL_NFT_IIFNAME, false, &v, 0);
        kl_nft_verdict(r, &accept);
        r = kl_nft_rule_add(c);
        kl_nft_match(r, KL_NFT_OIFNAME, false, &v, 0);
        kl_nft_verdict(r, &accept);
}

static int setup_table(struct kl_net *net, struct kl_err **err)
{
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, KL_NET_TABLE);
        int r;

        build_table(net, t);
        r = kl_nft_replace(net->nft, t, err);
        kl_nft_table_free(t);
        if (r < 0)
                return kl_err_wrap(err, r, "table ip %s", KL_NET_TABLE);
        return 0;
}

static int parse_config(const struct kl_net_config *cfg, struct kl_net *net, struct kl_err **err)
{
        if (cfg->backend < 0 || cfg->backend >= KL_NET_BACKEND__COUNT)
                return kl_err_set(err, -EINVAL, "unknown network backend %d", (int)cfg->backend);
        net->backend = cfg->backend;
        if (kl_net__cidr_parse(cfg->pod_cidr, &net->pod) < 0 || net->pod.prefix < 8 ||
            net->pod.prefix > 30)
                return kl_err_set(err, -EINVAL, "pod CIDR '%s': not an IPv4 network /8 to /30",
                                  cfg->pod_cidr ? cfg->pod_cidr : "");
        if (kl_net__cidr_parse(cfg->cluster_cidr, &net->cluster) < 0)
                return kl_err_set(err, -EINVAL, "cluster CIDR '%s': not an IPv4 network",
                                  cfg->cluster_cidr ? cfg->cluster_cidr : "");
        if (!kl_net__cidr_contains(&net->cluster, net->pod.addr) ||
            net->pod.prefix < net->cluster.prefix)
                return kl_err_set(err, -EINVAL, "pod CIDR '%s' is not inside cluster CIDR '%s'",
                                  cfg->pod_cidr, cfg->cluster_cidr);
        if (cfg->node_ip && kl_parse_ipv4(cfg->node_ip, &net->node_ip) < 0)
                return kl_err_set(err, -EINVAL, "node IP '%s': not an IPv4 address", cfg->node_ip);
        if (!cfg->node_ip && net->backend != KL_NET_BACKEND_NONE)
                return kl_err_set(err, -EINVAL, "backend %s needs the node's IP",
                                  kl_net_backend_name(net->backend));
        if (!cfg->state_dir)
                return kl_err_set(err, -EINVAL, "no state directory");
        if (cfg->mtu && (cfg->mtu < 576 || cfg->mtu > 65535))
                return kl_err_set(err, -EINVAL, "MTU %u: not 576 to 65535", cfg->mtu);
        net->gateway = net->pod.addr + 1;
        net->state_dir = kl_strdup(cfg->state_dir);
        return 0;
}

#define MAX_LINK_MTU 65535 /* ETH_MAX_MTU: the most a bridge or a veth accepts */

int kl_net_new(const struct kl_net_config *cfg, struct kl_net **ret, struct kl_err **err)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = kl_new0(struct kl_net);
        struct kl_net__link node_link = { .mtu = 1500 };
        kl_autofree char *ipam_dir = NULL;
        int r;

        r = parse_config(cfg, net, err);
        if (r < 0)
                return r;
        ipam_dir = kl_asprintf("%s/ipam", net->state_dir);
        r = kl_net__ipam_new(ipam_dir, &net->pod, &net->ipam, err);
        if (r < 0)
                return r;
        r = kl_net__nl_open(NULL, &net->nl, err);
        if (r < 0)
                return r;
        r = kl_nft_open(&net->nft, err);
        if (r < 0)
                return kl_err_wrap(err, r, "nftables");

        if (net->node_ip) {
                r = find_node_link(net, net->node_ip, &node_link, err);
                if (r < 0)
                        return r;
        }
        net->mtu = cfg->mtu;
        if (!net->mtu)
                net->mtu =
                        node_link.mtu - (net->backend == KL_NET_BACKEND_VXLAN ? VXLAN_OVERHEAD : 0);
        /* A node on loopback (65536) would ask more than a bridge or a veth takes. */
        if (net->mtu > MAX_LINK_MTU)
                net->mtu = MAX_LINK_MTU;

        r = setup_bridge(net, err);
        if (r < 0)
                return r;
        r = kl_net__sysctl_write("net/ipv4/ip_forward", "1");
        if (r < 0)
                return kl_err_set(err, r, "set net.ipv4.ip_forward");
        /* Bridged pod-to-pod packets must see the proxy's nftables rules (br_netfilter). */
        r = kl_net__sysctl_write("net/bridge/bridge-nf-call-iptables", "1");
        if (r == -ENOENT)
                kl_log_warn(KL_LOG_NET, "no net.bridge.bridge-nf-call-iptables (br_netfilter is "
                                        "not loaded): a pod reaching a Service on its own node "
                                        "may not be answered");
        else if (r < 0)
                return kl_err_set(err, r, "set net.bridge.bridge-nf-call-iptables");

        if (net->backend == KL_NET_BACKEND_VXLAN)
                r = setup_vxlan(net, &node_link, err);
        else
                r = remove_link(net, KL_NET_VXLAN, err);
        if (r < 0)
                return r;
        r = setup_table(net, err);
        if (r < 0)
                return r;
        *ret = KL_TAKE_PTR(net);
        return 0;
}

int kl_net_teardown(struct kl_net *net, struct kl_err **err)
{
        int r;

        r = kl_net__peers_clear(net, err);
        if (r < 0)
                return r;
        r = remove_link(net, KL_NET_VXLAN, err);
        if (r < 0)
                return r;
        net->vxlan = 0;
        r = remove_link(net, KL_NET_BRIDGE, err);
        if (r < 0)
                return r;
        net->bridge = 0;
        r = kl_nft_delete(net->nft, KL_NFT_IP, KL_NET_TABLE, err);
        if (r < 0)
                return kl_err_wrap(err, r, "remove table ip %s", KL_NET_TABLE);
        return 0;
}
