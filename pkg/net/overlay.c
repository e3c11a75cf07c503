/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Routes to the other nodes' pods.
 *
 * VXLAN follows flannel's vxlan backend layout, so that nothing but the Node
 * objects (InternalIP and podCIDR) is needed: every node's VTEP MAC is
 * derived from its pod CIDR (0e:6b + the network address) and its VTEP
 * address is that network address. Per peer:
 *
 *   route   PEER_CIDR via PEER_NET onlink dev kl.vxlan   (proto KL_NET_RTPROT)
 *   neigh   PEER_NET lladdr PEER_VTEP_MAC nud permanent dev kl.vxlan
 *   fdb     PEER_VTEP_MAC dst PEER_NODE_IP dev kl.vxlan self permanent
 *   fdb     00:00:00:00:00:00 dst PEER_NODE_IP (append; flooding for what
 *           the neighbour table does not cover)
 *
 * host-gw is one route per peer: PEER_CIDR via PEER_NODE_IP.
 *
 * The kernel's state is read first and only the difference is written, so
 * replaying the same peers sends no message that changes anything.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/base.h"
#include "net/net-internal.h"

struct want {
        struct kl_net__route *routes;
        size_t nroutes;
        struct kl_net__neigh *neighs; /* AF_INET on kl.vxlan */
        size_t nneighs;
        struct kl_net__neigh *fdb; /* ip: the remote */
        size_t nfdb;
};

static void want_release(struct want *w)
{
        free(w->routes);
        free(w->neighs);
        free(w->fdb);
}

static bool route_eq(const struct kl_net__route *want, const struct kl_net__route *have)
{
        return want->dst == have->dst && want->prefix == have->prefix && want->gw == have->gw &&
               (want->oif == 0 || want->oif == have->oif) && want->onlink == have->onlink &&
               have->protocol == KL_NET_RTPROT;
}

static bool neigh_eq(const struct kl_net__neigh *a, const struct kl_net__neigh *b)
{
        return a->ip == b->ip && memcmp(a->mac, b->mac, 6) == 0;
}

static void build_want(struct kl_net *net, const struct kl_net_peer *peers, size_t n,
                       struct want *w)
{
        if (net->backend == KL_NET_BACKEND_NONE)
                return;
        w->routes = kl_calloc(n ? n : 1, sizeof(*w->routes));
        w->neighs = kl_calloc(n ? n : 1, sizeof(*w->neighs));
        w->fdb = kl_calloc(n ? 2 * n : 1, sizeof(*w->fdb));
        for (size_t i = 0; i < n; i++) {
                const struct kl_net_peer *p = &peers[i];
                const char *name = p->node_name ? p->node_name : "?";
                struct kl_net__cidr c;
                uint32_t ip;
                bool dup = false;

                if (!p->pod_cidr || !p->node_ip || kl_net__cidr_parse(p->pod_cidr, &c) < 0 ||
                    c.prefix < 8 || c.prefix > 30 || kl_parse_ipv4(p->node_ip, &ip) < 0) {
                        kl_log_warn(KL_LOG_NET,
                                    "peer node '%s': skipped: pod CIDR '%s' or "
                                    "address '%s' is not IPv4",
                                    name, p->pod_cidr ? p->pod_cidr : "",
                                    p->node_ip ? p->node_ip : "");
                        continue;
                }
                if (ip == net->node_ip || (c.addr == net->pod.addr && c.prefix == net->pod.prefix))
                        continue; /* ourselves */
                for (size_t j = 0; j < w->nroutes; j++)
                        if (w->routes[j].dst == c.addr && w->routes[j].prefix == c.prefix)
                                dup = true;
                if (dup) {
                        kl_log_warn(KL_LOG_NET,
                                    "peer node '%s': skipped: pod CIDR '%s' is "
                                    "another node's too",
                                    name, p->pod_cidr);
                        continue;
                }
                if (net->backend == KL_NET_BACKEND_HOST_GW) {
                        w->routes[w->nroutes++] = (struct kl_net__route){
                                .dst = c.addr,
                                .prefix = c.prefix,
                                .gw = ip,
                                .protocol = KL_NET_RTPROT,
                        };
                        continue;
                }
                w->routes[w->nroutes++] = (struct kl_net__route){
                        .dst = c.addr,
                        .prefix = c.prefix,
                        .gw = c.addr,
                        .oif = net->vxlan,
                        .protocol = KL_NET_RTPROT,
                        .onlink = true,
                };
                w->neighs[w->nneighs].ip = c.addr;
                kl_net__mac_from_ip(0x0e, 0x6b, c.addr, w->neighs[w->nneighs].mac);
                w->fdb[w->nfdb].ip = ip;
                memcpy(w->fdb[w->nfdb + 1].mac, w->neighs[w->nneighs].mac, 6);
                w->fdb[w->nfdb + 1].ip = ip;
                w->nneighs++;
                w->nfdb += 2;
        }
}

static int sync_routes(struct kl_net *net, const struct want *w, struct kl_err **err)
{
        kl_autofree struct kl_net__route *have = NULL;
        size_t n = 0;
        int r, changes = 0;

        r = kl_net__route_list(net->nl, &have, &n);
        if (r < 0)
                return kl_err_set(err, r, "list routes");
        for (size_t i = 0; i < n; i++) {
                bool keep = false;

                if (have[i].protocol != KL_NET_RTPROT)
                        continue;
                for (size_t j = 0; j < w->nroutes && !keep; j++)
                        keep = route_eq(&w->routes[j], &have[i]);
                if (keep)
                        continue;
                r = kl_net__route_del(net->nl, &have[i]);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "remove a route to a node that left");
                changes++;
        }
        for (size_t j = 0; j < w->nroutes; j++) {
                bool present = false;
                char dst[16];

                for (size_t i = 0; i < n && !present; i++)
                        present = route_eq(&w->routes[j], &have[i]);
                if (present)
                        continue;
                r = kl_net__route_replace(net->nl, &w->routes[j]);
                if (r < 0) {
                        kl_net__ip_format(w->routes[j].dst, dst);
                        return kl_err_set(err, r, "route %s/%u", dst, w->routes[j].prefix);
                }
                changes++;
        }
        return changes;
}

static int sync_neighs(struct kl_net *net, const struct want *w, struct kl_err **err)
{
        kl_autofree struct kl_net__neigh *have = NULL;
        size_t n = 0;
        int r, changes = 0;

        r = kl_net__neigh_list(net->nl, AF_INET, net->vxlan, &have, &n);
        if (r < 0)
                return kl_err_set(err, r, "list neighbours of '%s'", KL_NET_VXLAN);
        for (size_t i = 0; i < n; i++) {
                bool keep = false;

                for (size_t j = 0; j < w->nneighs && !keep; j++)
                        keep = neigh_eq(&w->neighs[j], &have[i]) && (have[i].state & NUD_PERMANENT);
                if (keep)
                        continue;
                r = kl_net__neigh_del(net->nl, net->vxlan, have[i].ip);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "remove a neighbour of '%s'", KL_NET_VXLAN);
                changes++;
        }
        for (size_t j = 0; j < w->nneighs; j++) {
                bool present = false;

                for (size_t i = 0; i < n && !present; i++)
                        present = neigh_eq(&w->neighs[j], &have[i]) &&
                                  (have[i].state & NUD_PERMANENT);
                if (present)
                        continue;
                r = kl_net__neigh_replace(net->nl, net->vxlan, w->neighs[j].ip, w->neighs[j].mac);
                if (r < 0)
                        return kl_err_set(err, r, "add a neighbour to '%s'", KL_NET_VXLAN);
                changes++;
        }
        return changes;
}

static int sync_fdb(struct kl_net *net, const struct want *w, struct kl_err **err)
{
        kl_autofree struct kl_net__neigh *have = NULL;
        size_t n = 0;
        int r, changes = 0;

        r = kl_net__neigh_list(net->nl, AF_BRIDGE, net->vxlan, &have, &n);
        if (r < 0)
                return kl_err_set(err, r, "list the fdb of '%s'", KL_NET_VXLAN);
        for (size_t i = 0; i < n; i++) {
                bool keep = false;

                for (size_t j = 0; j < w->nfdb && !keep; j++)
                        keep = neigh_eq(&w->fdb[j], &have[i]);
                if (keep)
                        continue;
                r = kl_net__fdb_del(net->nl, net->vxlan, have[i].mac, have[i].ip);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "remove an fdb entry of '%s'", KL_NET_VXLAN);
                changes++;
        }
        for (size_t j = 0; j < w->nfdb; j++) {
                bool present = false;

                for (size_t i = 0; i < n && !present; i++)
                        present = neigh_eq(&w->fdb[j], &have[i]);
                if (present)
                        continue;
                r = kl_net__fdb_add(net->nl, net->vxlan, w->fdb[j].mac, w->fdb[j].ip);
                if (r < 0)
                        return kl_err_set(err, r, "add an fdb entry to '%s'", KL_NET_VXLAN);
                changes++;
        }
        return changes;
}

static int sync_all(struct kl_net *net, const struct want *w, struct kl_err **err)
{
        int r, changes = 0;

        /* Old routes go first, new ones last: a route never points at a missing neighbour. */
        if (net->vxlan > 0) {
                r = sync_neighs(net, w, err);
                if (r < 0)
                        return r;
                changes += r;
                r = sync_fdb(net, w, err);
                if (r < 0)
                        return r;
                changes += r;
        }
        r = sync_routes(net, w, err);
        if (r < 0)
                return r;
        return changes + r;
}

int kl_net_set_peers(struct kl_net *net, const struct kl_net_peer *peers, size_t n,
                     struct kl_err **err)
{
        struct want w = { .nroutes = 0 };
        int r;

        build_want(net, peers, n, &w);
        r = sync_all(net, &w, err);
        want_release(&w);
        if (r < 0)
                return kl_err_wrap(err, r, "set peers");
        return r;
}

int kl_net__peers_clear(struct kl_net *net, struct kl_err **err)
{
        struct want w = { .nroutes = 0 };
        int r = sync_all(net, &w, err);

        return r < 0 ? kl_err_wrap(err, r, "remove peers") : 0;
}
