/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkg/net's internal contract: the address arithmetic, the allocator and the
 * netlink helpers the files of this module share. Included only inside
 * pkg/net (tests and fuzz targets of the module included).
 */
#ifndef KL_NET_NET_INTERNAL_H
#define KL_NET_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "net/net.h"

struct nl_sock;
struct nl_msg;
struct nlmsghdr;
struct kl_nft;
struct kl_net__ipam;

/* An IPv4 prefix; addresses in host byte order. */
struct kl_net__cidr {
        uint32_t addr; /* network address (host bits cleared) */
        unsigned prefix;
};

struct kl_net {
        char *state_dir; /* owned */
        struct kl_net__cidr pod, cluster;
        uint32_t node_ip; /* 0: none (backend NONE) */
        uint32_t gateway; /* pod.addr + 1, on kl0 */
        enum kl_net_backend backend;
        unsigned mtu;
        int bridge;                /* kl0's ifindex */
        int vxlan;                 /* kl.vxlan's ifindex; 0 without VXLAN */
        struct nl_sock *nl;        /* owned; in the node's network namespace */
        struct kl_nft *nft;        /* owned; likewise */
        struct kl_net__ipam *ipam; /* owned */
};

/* "10.42.1.0/24" (host bits must be zero). -EINVAL otherwise. */
int kl_net__cidr_parse(const char *s, struct kl_net__cidr *ret);
void kl_net__ip_format(uint32_t ip, char ret[16]);
bool kl_net__cidr_contains(const struct kl_net__cidr *c, uint32_t ip);
/* 0a:58 + ip (pods, the bridge); 0e:6b + network address (VTEPs). */
void kl_net__mac_from_ip(uint8_t b0, uint8_t b1, uint32_t ip, uint8_t ret[6]);
void kl_net__mac_format(const uint8_t mac[6], char ret[18]);
/* "kl" + 11 hex digits of FNV-1a 64 of the uid. */
void kl_net__host_ifname(const char *pod_uid, char ret[16]);
/* A pod uid as we store it: 1-128 of [A-Za-z0-9._-]. */
bool kl_net__uid_is_valid(const char *uid, size_t len);

/*
 * The allocator: addresses network+2 ... broadcast-1 of one CIDR (network+1 is
 * the gateway), one file per allocated address, <dir>/<ip>, holding the uid
 * and a newline. A file is made under a temporary name and link()ed to its
 * final one, so it appears whole and only once even with two allocators on
 * one directory. <dir>/last holds the last address handed out: the next
 * search starts after it, so a freed address is not reused at once.
 */
#define KL_NET__IPAM_FILE_MAX 256 /* bytes read of a state file */

int kl_net__ipam_new(const char *dir, const struct kl_net__cidr *range, struct kl_net__ipam **ret,
                     struct kl_err **err);
void kl_net__ipam_free(struct kl_net__ipam *ipam); /* NULL is a no-op */
KL_DEFINE_CLEANUP_FUNC(struct kl_net__ipam, kl_net__ipam_free);
/* The uid's address if it has one, else a new one. -ENOSPC when full. */
int kl_net__ipam_alloc(struct kl_net__ipam *ipam, const char *uid, uint32_t *ret,
                       struct kl_err **err);
/* The uid's address: -ENOENT if none. */
int kl_net__ipam_find(struct kl_net__ipam *ipam, const char *uid, uint32_t *ret,
                      struct kl_err **err);
/* Free the uid's addresses (0 if it had none). */
int kl_net__ipam_release(struct kl_net__ipam *ipam, const char *uid, struct kl_err **err);

struct kl_net__ipam_entry {
        uint32_t ip;
        char uid[129];
};
/*
 * Every valid entry of the directory, sorted by address (owned, free()); the
 * number of files skipped as corrupt (logged) in *ret_corrupt.
 */
int kl_net__ipam_list(struct kl_net__ipam *ipam, struct kl_net__ipam_entry **ret, size_t *ret_n,
                      size_t *ret_corrupt, struct kl_err **err);

/* Parsers of the state files (fuzzed): an entry named `name` and the cursor. */
int kl_net__ipam_parse_entry(const struct kl_net__cidr *range, const char *name, const char *data,
                             size_t len, struct kl_net__ipam_entry *ret);
int kl_net__ipam_parse_cursor(const struct kl_net__cidr *range, const char *data, size_t len,
                              uint32_t *ret);

/*
 * Netlink. kl_net__nl_open() opens a NETLINK_ROUTE socket in the calling
 * thread's namespace, or in the namespace at netns_path (entered and left
 * again around the socket's creation).
 */
int kl_net__nl_open(const char *netns_path, struct nl_sock **ret, struct kl_err **err);
void kl_net__nl_close(struct nl_sock *sk);

/* Called for every reply message of a request. */
typedef int kl_net__nl_reply_fn(struct nlmsghdr *h, void *userdata);
/*
 * Send msg (NLM_F_ACK added), read replies until the ack or the end of a
 * dump. Returns the kernel's -errno.
 */
int kl_net__nl_talk(struct nl_sock *sk, struct nl_msg *msg, kl_net__nl_reply_fn *fn,
                    void *userdata);

struct kl_net__link {
        int ifindex;
        int master;
        int peer_ifindex; /* IFLA_LINK */
        unsigned mtu;
        unsigned flags; /* IFF_* */
        uint8_t mac[6];
        char name[16];
        char kind[16];
        char alias[129];
        uint32_t vxlan_id, vxlan_local; /* kind "vxlan" */
        uint16_t vxlan_port;            /* host order */
};
int kl_net__link_get(struct nl_sock *sk, const char *name, struct kl_net__link *ret);
int kl_net__link_get_index(struct nl_sock *sk, int ifindex, struct kl_net__link *ret);
/* Every link (owned array). */
int kl_net__link_list(struct nl_sock *sk, struct kl_net__link **ret, size_t *ret_n);
int kl_net__link_del(struct nl_sock *sk, int ifindex);
/* Set up/down, MTU (0: leave), master (-1: leave), MAC (NULL: leave). */
int kl_net__link_set(struct nl_sock *sk, int ifindex, bool up, unsigned mtu, int master,
                     const uint8_t *mac);
/* IFLA_IFALIAS (`ip link set X alias A`); the kernel takes it on RTM_SETLINK only. */
int kl_net__link_set_alias(struct nl_sock *sk, int ifindex, const char *alias);
int kl_net__link_set_hairpin(struct nl_sock *sk, int ifindex);
int kl_net__bridge_add(struct nl_sock *sk, const char *name, const uint8_t mac[6]);
/* A veth pair: host end `name` here, `peer` in the namespace of netns_fd. */
int kl_net__veth_add(struct nl_sock *sk, const char *name, unsigned mtu, const char *peer,
                     int netns_fd, const uint8_t peer_mac[6]);
int kl_net__vxlan_add(struct nl_sock *sk, const char *name, uint32_t vni, uint32_t local, int dev,
                      uint16_t port, unsigned mtu, const uint8_t mac[6]);

/* Addresses (ip in host order). */
struct kl_net__addr {
        int ifindex;
        uint32_t ip;
        unsigned prefix;
};
int kl_net__addr_list(struct nl_sock *sk, struct kl_net__addr **ret, size_t *ret_n);
int kl_net__addr_add(struct nl_sock *sk, int ifindex, uint32_t ip, unsigned prefix);
int kl_net__addr_del(struct nl_sock *sk, int ifindex, uint32_t ip, unsigned prefix);

/* IPv4 routes of the main table. gw 0: none. */
struct kl_net__route {
        uint32_t dst;
        unsigned prefix;
        uint32_t gw;
        int oif;
        unsigned protocol;
        bool onlink;
};
int kl_net__route_list(struct nl_sock *sk, struct kl_net__route **ret, size_t *ret_n);
int kl_net__route_replace(struct nl_sock *sk, const struct kl_net__route *r);
int kl_net__route_del(struct nl_sock *sk, const struct kl_net__route *r);

/* Neighbours (AF_INET) and fdb entries (AF_BRIDGE) of one link. */
struct kl_net__neigh {
        uint32_t ip; /* AF_INET: the neighbour; fdb: the remote (NDA_DST) */
        uint8_t mac[6];
        unsigned state;
};
int kl_net__neigh_list(struct nl_sock *sk, int family, int ifindex, struct kl_net__neigh **ret,
                       size_t *ret_n);
int kl_net__neigh_replace(struct nl_sock *sk, int ifindex, uint32_t ip, const uint8_t mac[6]);
int kl_net__neigh_del(struct nl_sock *sk, int ifindex, uint32_t ip);
/*
 * `bridge fdb append 00:00:00:00:00:00 dev IF dst IP` (the zero MAC has one
 * remote per peer), `bridge fdb replace MAC dev IF dst IP` for any other MAC.
 */
int kl_net__fdb_add(struct nl_sock *sk, int ifindex, const uint8_t mac[6], uint32_t dst);
int kl_net__fdb_del(struct nl_sock *sk, int ifindex, const uint8_t mac[6], uint32_t dst);

/* Remove every peer route, neighbour and fdb entry (kl_net_teardown). */
int kl_net__peers_clear(struct kl_net *net, struct kl_err **err);

/* Write a sysctl of the calling thread's network namespace ("net/ipv4/ip_forward"). */
int kl_net__sysctl_write(const char *key, const char *value);

#endif /* KL_NET_NET_INTERNAL_H */
