/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pod's interface: a veth pair whose host end (kl + 11 hex digits of a hash
 * of the pod uid, the uid itself in the link's alias) sits on kl0 and whose
 * other end is born as eth0 inside the pod's network namespace.
 *
 * The pod's namespace is reached through a netlink socket opened inside it
 * (kl_net__nl_open() enters it only for the socket() call): everything after
 * that is messages on that socket, from the agent's own namespace.
 *
 * Idempotence: a pair that is complete (host end on kl0 and up, eth0 its
 * peer, up, with the address, the MTU and the default route) is left alone,
 * so a restarted agent replaying its pods changes nothing; anything less is
 * removed and made again, with the same address.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/socket.h>

#include "base/base.h"
#include "net/net-internal.h"

#define POD_IF "eth0"

KL_DEFINE_CLEANUP_FUNC(struct nl_sock, kl_net__nl_close);

static void fill_pod(const struct kl_net *net, const char *uid, uint32_t ip, struct kl_net_pod *ret)
{
        uint8_t mac[6];

        memset(ret, 0, sizeof(*ret));
        kl_net__ip_format(ip, ret->ip);
        ret->prefix = net->pod.prefix;
        kl_net__ip_format(net->gateway, ret->gateway);
        kl_net__mac_from_ip(0x0a, 0x58, ip, mac);
        kl_net__mac_format(mac, ret->mac);
        kl_net__host_ifname(uid, ret->host_if);
}

/* Is the pair there and complete? */
static bool pair_complete(struct kl_net *net, struct nl_sock *psk, const struct kl_net__link *host,
                          uint32_t ip)
{
        kl_autofree struct kl_net__addr *addrs = NULL;
        kl_autofree struct kl_net__route *routes = NULL;
        struct kl_net__link eth0, lo;
        size_t n = 0;
        bool addr = false, route = false;

        if (!kl_streq(host->kind, "veth") || host->master != net->bridge ||
            !(host->flags & IFF_UP) || host->mtu != net->mtu)
                return false;
        if (kl_net__link_get(psk, POD_IF, &eth0) < 0 || eth0.ifindex != host->peer_ifindex ||
            !(eth0.flags & IFF_UP) || eth0.mtu != net->mtu)
                return false;
        if (kl_net__link_get(psk, "lo", &lo) < 0 || !(lo.flags & IFF_UP))
                return false;
        if (kl_net__addr_list(psk, &addrs, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (addrs[i].ifindex == eth0.ifindex && addrs[i].ip == ip &&
                    addrs[i].prefix == net->pod.prefix)
                        addr = true;
        if (kl_net__route_list(psk, &routes, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (routes[i].prefix == 0 && routes[i].gw == net->gateway &&
                    routes[i].oif == eth0.ifindex)
                        route = true;
        return addr && route;
}

static int make_pair(struct kl_net *net, struct nl_sock *psk, const char *uid,
                     const char *netns_path, uint32_t ip, const char *host_if, struct kl_err **err)
{
        kl_autoclose int nsfd = -EBADF;
        struct kl_net__link host, eth0, lo;
        struct kl_net__route def = {
                .gw = net->gateway,
                .protocol = RTPROT_STATIC,
        };
        uint8_t mac[6];
        int r;

        nsfd = open(netns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return kl_err_set(err, -errno, "open network namespace '%s'", netns_path);
        kl_net__mac_from_ip(0x0a, 0x58, ip, mac);
        r = kl_net__veth_add(net->nl, host_if, net->mtu, POD_IF, nsfd, mac);
        if (r < 0)
                return kl_err_set(err, r, "create veth '%s' with '%s' in '%s'", host_if, POD_IF,
                                  netns_path);

        r = kl_net__link_get(net->nl, host_if, &host);
        if (r < 0)
                return kl_err_set(err, r, "get link '%s'", host_if);
        /* The uid in the alias: who owns the link, for collisions and garbage collection. */
        r = kl_net__link_set_alias(net->nl, host.ifindex, uid);
        if (r < 0)
                return kl_err_set(err, r, "set the alias of '%s'", host_if);
        r = kl_net__link_set(net->nl, host.ifindex, false, 0, net->bridge, NULL);
        if (r < 0)
                return kl_err_set(err, r, "attach '%s' to '%s'", host_if, KL_NET_BRIDGE);
        /* A pod reaching itself through a Service comes back on its own port. */
        r = kl_net__link_set_hairpin(net->nl, host.ifindex);
        if (r < 0)
                return kl_err_set(err, r, "hairpin on '%s'", host_if);
        r = kl_net__link_set(net->nl, host.ifindex, true, 0, -1, NULL);
        if (r < 0)
                return kl_err_set(err, r, "set up '%s'", host_if);

        r = kl_net__link_get(psk, POD_IF, &eth0);
        if (r < 0)
                return kl_err_set(err, r, "get the pod's '%s'", POD_IF);
        r = kl_net__addr_add(psk, eth0.ifindex, ip, net->pod.prefix);
        if (r < 0)
                return kl_err_set(err, r, "add the pod's address");
        r = kl_net__link_set(psk, eth0.ifindex, true, 0, -1, NULL);
        if (r < 0)
                return kl_err_set(err, r, "set up the pod's '%s'", POD_IF);
        r = kl_net__link_get(psk, "lo", &lo);
        if (r >= 0)
                r = kl_net__link_set(psk, lo.ifindex, true, 0, -1, NULL);
        if (r < 0)
                return kl_err_set(err, r, "set up the pod's 'lo'");
        def.oif = eth0.ifindex;
        r = kl_net__route_replace(psk, &def);
        if (r < 0)
                return kl_err_set(err, r, "add the pod's default route");
        return 0;
}

int kl_net_pod_add(struct kl_net *net, const char *pod_uid, const char *netns_path,
                   struct kl_net_pod *ret, struct kl_err **err)
{
        kl_cleanup(kl_net__nl_closep) struct nl_sock *psk = NULL;
        struct kl_net__link host, eth0;
        char host_if[16];
        uint32_t ip;
        int r;

        r = kl_net__ipam_alloc(net->ipam, pod_uid, &ip, err);
        if (r < 0)
                return kl_err_wrap(err, r, "pod '%s': allocate an address", pod_uid);
        kl_net__host_ifname(pod_uid, host_if);
        r = kl_net__nl_open(netns_path, &psk, err);
        if (r < 0)
                return kl_err_wrap(err, r, "pod '%s'", pod_uid);

        r = kl_net__link_get(net->nl, host_if, &host);
        if (r < 0 && r != -ENOENT)
                return kl_err_set(err, r, "pod '%s': get link '%s'", pod_uid, host_if);
        if (r == 0) {
                if (!kl_streq(host.alias, pod_uid))
                        return kl_err_set(err, -EEXIST,
                                          "pod '%s': link '%s' belongs to pod '%s' (hash "
                                          "collision) or to someone else",
                                          pod_uid, host_if, host.alias);
                if (pair_complete(net, psk, &host, ip)) {
                        fill_pod(net, pod_uid, ip, ret);
                        return 0;
                }
                kl_log_info(KL_LOG_NET, "pod '%s': repairing its interface '%s'", pod_uid, host_if);
                r = kl_net__link_del(net->nl, host.ifindex);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "pod '%s': remove '%s'", pod_uid, host_if);
        }
        /* An eth0 left in the pod without its host end (it never was one of a pair here). */
        if (kl_net__link_get(psk, POD_IF, &eth0) == 0) {
                r = kl_net__link_del(psk, eth0.ifindex);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "pod '%s': remove a stale '%s'", pod_uid, POD_IF);
        }

        r = make_pair(net, psk, pod_uid, netns_path, ip, host_if, err);
        if (r < 0) {
                /* Leave nothing half made; the address stays the pod's for the retry. */
                if (kl_net__link_get(net->nl, host_if, &host) == 0)
                        (void)kl_net__link_del(net->nl, host.ifindex);
                return kl_err_wrap(err, r, "pod '%s'", pod_uid);
        }
        fill_pod(net, pod_uid, ip, ret);
        return 0;
}

static int del_host_end(struct kl_net *net, const char *uid, struct kl_err **err)
{
        struct kl_net__link host;
        char host_if[16];
        int r;

        kl_net__host_ifname(uid, host_if);
        r = kl_net__link_get(net->nl, host_if, &host);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return kl_err_set(err, r, "pod '%s': get link '%s'", uid, host_if);
        if (!kl_streq(host.alias, uid))
                return 0; /* not this pod's */
        r = kl_net__link_del(net->nl, host.ifindex);
        if (r < 0 && r != -ENOENT)
                return kl_err_set(err, r, "pod '%s': remove '%s'", uid, host_if);
        return 1;
}

int kl_net_pod_del(struct kl_net *net, const char *pod_uid, const char *netns_path,
                   struct kl_err **err)
{
        int r;

        r = del_host_end(net, pod_uid, err);
        if (r < 0)
                return r;
        if (r == 0 && netns_path) {
                /* No host end: an eth0 the pod kept from a half-made pair goes too. */
                kl_cleanup(kl_net__nl_closep) struct nl_sock *psk = NULL;
                struct kl_net__link eth0;

                if (kl_net__nl_open(netns_path, &psk, NULL) == 0 &&
                    kl_net__link_get(psk, POD_IF, &eth0) == 0 && kl_streq(eth0.kind, "veth"))
                        (void)kl_net__link_del(psk, eth0.ifindex);
        }
        r = kl_net__ipam_release(net->ipam, pod_uid, err);
        if (r < 0)
                return kl_err_wrap(err, r, "pod '%s': free its address", pod_uid);
        return 0;
}

int kl_net_pod_lookup(struct kl_net *net, const char *pod_uid, struct kl_net_pod *ret)
{
        uint32_t ip;
        int r;

        r = kl_net__ipam_find(net->ipam, pod_uid, &ip, NULL);
        if (r < 0)
                return r;
        fill_pod(net, pod_uid, ip, ret);
        return 0;
}

static bool is_live(const char *uid, const char *const *live, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (kl_streq(live[i], uid))
                        return true;
        return false;
}

int kl_net_gc(struct kl_net *net, const char *const *live_uids, size_t n, struct kl_err **err)
{
        kl_autofree struct kl_net__ipam_entry *entries = NULL;
        kl_autofree struct kl_net__link *links = NULL;
        size_t ne = 0, nl = 0;
        int r, cleaned = 0;

        r = kl_net__ipam_list(net->ipam, &entries, &ne, NULL, err);
        if (r < 0)
                return kl_err_wrap(err, r, "collect garbage");
        for (size_t i = 0; i < ne; i++) {
                if (is_live(entries[i].uid, live_uids, n))
                        continue;
                r = kl_net_pod_del(net, entries[i].uid, NULL, err);
                if (r < 0)
                        return r;
                cleaned++;
        }
        /* Host ends on kl0 without an address (their state file was lost). */
        r = kl_net__link_list(net->nl, &links, &nl);
        if (r < 0)
                return kl_err_set(err, r, "collect garbage: list links");
        for (size_t i = 0; i < nl; i++) {
                struct kl_net__link *l = &links[i];
                char want[16];

                if (l->master != net->bridge || !kl_streq(l->kind, "veth") ||
                    !kl_net__uid_is_valid(l->alias, strlen(l->alias)) ||
                    is_live(l->alias, live_uids, n))
                        continue;
                kl_net__host_ifname(l->alias, want);
                if (!kl_streq(want, l->name))
                        continue; /* not one of ours */
                r = kl_net__link_del(net->nl, l->ifindex);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "collect garbage: remove '%s'", l->name);
                cleaned++;
        }
        return cleaned;
}
