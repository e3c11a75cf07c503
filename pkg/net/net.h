/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net: the pod network of one node (issue 8). A bridge `kl0` holding the
 * node's gateway address (the first address of node.spec.podCIDR), one veth
 * pair per pod (host side on kl0, pod side `eth0` in the pod's network
 * namespace), an address allocator with its state on disk, the routes to the
 * other nodes' pod CIDRs (VXLAN device `kl.vxlan`, or host-gw routes), and the
 * nftables table `ip kube-lite-net` that masquerades pod traffic leaving the
 * cluster CIDR.
 *
 * Ownership: the pod network owns exactly these kernel objects: the links
 * kl0, kl.vxlan and kl<11 hex> (pods' host ends), the routes of protocol
 * KL_NET_RTPROT in the main table, the neighbours and fdb entries of
 * kl.vxlan, and the table `ip kube-lite-net`. It touches nothing else.
 *
 * Threads: every call talks netlink synchronously and kl_net_pod_add() enters
 * the pod's network namespace for a moment (setns() of the calling thread,
 * restored before it returns, STYLE R9.11): call from a dedicated thread or a
 * work thread of the agent's own, never from the loop thread, and one call at
 * a time per struct kl_net. Every kernel object is created in the network
 * namespace the calling thread is in when kl_net_new() runs (its sockets are
 * opened there), whatever namespace later calls come from.
 */
#ifndef KL_NET_NET_H
#define KL_NET_NET_H

#include <stddef.h>

#include "base/err.h"

#define KL_NET_BRIDGE     "kl0"
#define KL_NET_VXLAN      "kl.vxlan"
#define KL_NET_VXLAN_VNI  1
#define KL_NET_VXLAN_PORT 8472
#define KL_NET_TABLE      "kube-lite-net"
#define KL_NET_RTPROT     107 /* rtm_protocol of our routes: `ip route` shows "proto 107" */

enum kl_net_backend {
        KL_NET_BACKEND_VXLAN, /* default */
        KL_NET_BACKEND_HOST_GW,
        KL_NET_BACKEND_NONE, /* one node: no device, no peer routes */
        KL_NET_BACKEND__COUNT,
        KL_NET_BACKEND__INVALID = -EINVAL,
};

/* "vxlan", "host-gw", "none". */
enum kl_net_backend kl_net_backend_parse(const char *s);
const char *kl_net_backend_name(enum kl_net_backend b);

struct kl_net_config {
        const char *state_dir;    /* IPAM state lives in <state_dir>/ipam */
        const char *pod_cidr;     /* node.spec.podCIDR, e.g. "10.42.1.0/24" (/8 to /30) */
        const char *cluster_cidr; /* "10.42.0.0/16" */
        const char *node_ip;      /* this node's InternalIP; required unless backend NONE */
        enum kl_net_backend backend;
        unsigned mtu; /* pods' MTU; 0: the MTU of the link holding node_ip (1500 without
                       * one), less 50 for VXLAN */
};

struct kl_net;

/*
 * Set up the node (idempotent; links that exist are reused and corrected):
 * kl0 up with the gateway address, net.ipv4.ip_forward=1 and
 * net.bridge.bridge-nf-call-iptables=1 (of the calling thread's netns), the
 * VXLAN device (VNI 1, UDP 8472, learning off, MAC derived from pod_cidr,
 * address: pod_cidr's network address /32), and the table ip kube-lite-net.
 */
int kl_net_new(const struct kl_net_config *cfg, struct kl_net **ret, struct kl_err **err);
/* Frees memory and sockets; leaves everything in the kernel (pods keep working). */
void kl_net_free(struct kl_net *net); /* NULL is a no-op */
/* Remove kl0, kl.vxlan, the peer routes and the table (pods' veths are not touched). */
int kl_net_teardown(struct kl_net *net, struct kl_err **err);

/* The pods' MTU (configured or computed). */
unsigned kl_net_mtu(const struct kl_net *net);

struct kl_net_pod {
        char ip[16];      /* "10.42.1.2" */
        unsigned prefix;  /* of pod_cidr: 24 */
        char gateway[16]; /* "10.42.1.1" */
        char mac[18];     /* eth0's: "0a:58:0a:2a:01:02" (0a:58 + the address) */
        char host_if[16]; /* the host end: "kl" + 11 hex digits of a hash of the uid */
};

/*
 * Give a pod its interface: an address (the same one again for a uid that
 * already holds one), the veth pair (host end on kl0, hairpin on, up; eth0
 * in the namespace at netns_path with the address, up, a default route via
 * the gateway; lo up). Idempotent: a complete pair is left alone, a half-made
 * one is removed and made again. -ENOSPC when the pod CIDR is full.
 */
int kl_net_pod_add(struct kl_net *net, const char *pod_uid, const char *netns_path,
                   struct kl_net_pod *ret, struct kl_err **err);
/*
 * Remove the pod's host end (the kernel deletes both ends) and free its
 * address. netns_path may be NULL (the namespace is gone). Not there: 0.
 */
int kl_net_pod_del(struct kl_net *net, const char *pod_uid, const char *netns_path,
                   struct kl_err **err);
/* What kl_net_pod_add() gave the pod, from the IPAM state; -ENOENT if nothing. */
int kl_net_pod_lookup(struct kl_net *net, const char *pod_uid, struct kl_net_pod *ret);
/*
 * Free the addresses and host ends of pods not in live_uids (after a crash).
 * Returns the number of pods cleaned up.
 */
int kl_net_gc(struct kl_net *net, const char *const *live_uids, size_t n, struct kl_err **err);

struct kl_net_peer {
        const char *node_name; /* for messages */
        const char *node_ip;
        const char *pod_cidr;
};

/*
 * Make the routes to the other nodes' pods exactly these (entries naming our
 * own pod CIDR or node IP are skipped). VXLAN, per peer: fdb entries
 * 00:00:00:00:00:00 and the peer's VTEP MAC → node ip on kl.vxlan, a
 * permanent neighbour (the peer's pod CIDR network address → its VTEP MAC),
 * a route pod CIDR via that address onlink dev kl.vxlan. host-gw: a route
 * pod CIDR via node ip. What peers that left had is removed; replaying the
 * same set changes nothing in the kernel. Returns the number of kernel
 * objects added or removed.
 */
int kl_net_set_peers(struct kl_net *net, const struct kl_net_peer *peers, size_t n,
                     struct kl_err **err);

/* The VXLAN device MAC a node with this pod CIDR uses: 0e:6b + its network address. */
int kl_net_vtep_mac(const char *pod_cidr, char ret[18]);

#endif /* KL_NET_NET_H */
