/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Netlink for links, addresses, routes, neighbours and fdb entries, over
 * libnl-3's socket and message API.
 *
 * Why raw messages rather than libnl-route's objects: what we send (a veth
 * whose peer is born in another namespace with its own MAC, VXLAN
 * attributes, a bridge port's hairpin flag, fdb entries with a remote) is
 * either missing from libnl-route 3.7 or differs between its versions, while
 * the kernel's message formats are stable ABI. The replies we read are parsed
 * with nlmsg_parse(). Errors are the kernel's own errno from the NLMSG_ERROR
 * reply, not libnl's NLE_* codes (STYLE R9.10).
 */
/* Before the kernel's headers: with musl they would define struct in6_addr a second time. */
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "base/base.h"
#include "net/net-internal.h"

KL_DEFINE_CLEANUP_FUNC(struct nl_msg, nlmsg_free);
KL_DEFINE_CLEANUP_FUNC(struct nl_cb, nl_cb_put);
KL_DEFINE_CLEANUP_FUNC(struct nl_sock, nl_socket_free);

#define LIST_MAX 65536 /* entries of one dump we are ready to hold */

static int nle_to_errno(int nle)
{
        switch (-nle) {
        case NLE_EXIST:
                return -EEXIST;
        case NLE_OBJ_NOTFOUND:
                return -ENOENT;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_PERM:
                return -EPERM;
        case NLE_NODEV:
                return -ENODEV;
        default:
                return -EIO;
        }
}

/* Puts the calling thread back into its namespace, whatever happens (R9.11). */
static void restore_netns(int *fd)
{
        if (*fd < 0)
                return;
        if (setns(*fd, CLONE_NEWNET) < 0) {
                /* Going on in a pod's namespace would configure the wrong node. */
                kl_log_error(KL_LOG_NET, "setns back to the agent's network namespace: %s",
                             strerror(errno));
                abort();
        }
        (void)kl_close(*fd);
        *fd = -EBADF;
}

int kl_net__nl_open(const char *netns_path, struct nl_sock **ret, struct kl_err **err)
{
        kl_cleanup(nl_socket_freep) struct nl_sock *sk = NULL;
        kl_autoclose int target = -EBADF;
        int r;

        if (netns_path) {
                target = open(netns_path, O_RDONLY | O_CLOEXEC);
                if (target < 0)
                        return kl_err_set(err, -errno, "open network namespace '%s'", netns_path);
        }
        {
                kl_cleanup(restore_netns) int back = -EBADF;

                if (netns_path) {
                        back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
                        if (back < 0)
                                return kl_err_set(err, -errno, "open /proc/thread-self/ns/net");
                        if (setns(target, CLONE_NEWNET) < 0) {
                                r = -errno;
                                (void)kl_close(KL_TAKE_FD(back));
                                return kl_err_set(err, r, "enter network namespace '%s'",
                                                  netns_path);
                        }
                }
                sk = nl_socket_alloc();
                if (!sk)
                        abort(); /* R5.1: out of memory */
                r = nl_connect(sk, NETLINK_ROUTE);
                if (r < 0)
                        return kl_err_set(err, nle_to_errno(r), "netlink socket: %s",
                                          nl_geterror(r));
        }
        nl_socket_disable_auto_ack(sk);
        nl_socket_enable_msg_peek(sk);
        (void)nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
        *ret = KL_TAKE_PTR(sk);
        return 0;
}

void kl_net__nl_close(struct nl_sock *sk)
{
        if (sk)
                nl_socket_free(sk);
}

struct talk {
        kl_net__nl_reply_fn *fn;
        void *userdata;
        int error;
        bool done; /* the ack, an error or the end of a dump was read */
};

static int talk_done(struct nl_msg *msg, void *arg)
{
        struct talk *t = arg;

        (void)msg;
        t->done = true;
        return NL_STOP;
}

static int talk_valid(struct nl_msg *msg, void *arg)
{
        struct talk *t = arg;
        int r;

        if (!t->fn)
                return NL_OK;
        r = t->fn(nlmsg_hdr(msg), t->userdata);
        if (r < 0 && t->error == 0)
                t->error = r;
        return NL_OK;
}

static int talk_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
        struct talk *t = arg;

        (void)nla;
        if (t->error == 0)
                t->error = e->error < 0 ? e->error : -EIO;
        t->done = true;
        return NL_STOP;
}

int kl_net__nl_talk(struct nl_sock *sk, struct nl_msg *msg, kl_net__nl_reply_fn *fn, void *userdata)
{
        kl_cleanup(nl_cb_putp) struct nl_cb *cb = NULL;
        struct talk t = { .fn = fn, .userdata = userdata };
        struct nlmsghdr *h = nlmsg_hdr(msg);
        int r;

        /* NLM_F_DUMP's bits mean CREATE and EXCL in a NEW request: look at the type too. */
        bool dump = h->nlmsg_type % 4 == 2 /* RTM_GET* */ &&
                    (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

        if (!dump)
                h->nlmsg_flags |= NLM_F_ACK;
        cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!cb)
                abort();
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, talk_valid, &t);
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, talk_done, &t);
        nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, talk_done, &t);
        nl_cb_err(cb, NL_CB_CUSTOM, talk_error, &t);
        r = nl_send_auto(sk, msg);
        if (r < 0)
                return nle_to_errno(r);
        /*
         * nl_recvmsgs() returns after one read unless a dump is under way: a
         * GET's reply and its ack may come in two reads. Read to the end, or
         * the next request would take this one's ack for its own.
         */
        do
                r = nl_recvmsgs(sk, cb);
        while (r >= 0 && !t.done);
        if (t.error < 0)
                return t.error;
        if (r < 0)
                return nle_to_errno(r);
        return 0;
}

static struct nl_msg *msg_new(int type, int flags, const void *hdr, size_t len)
{
        struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

        if (!msg || nlmsg_append(msg, (void *)hdr, len, NLMSG_ALIGNTO) < 0)
                abort();
        return msg;
}

/* Attribute writers: a message too small for our few attributes is a bug. */
static void put(struct nl_msg *msg, int type, size_t len, const void *data)
{
        kl_assert(nla_put(msg, type, (int)len, data) == 0);
}

static void put_u8(struct nl_msg *msg, int type, uint8_t v)
{
        put(msg, type, sizeof(v), &v);
}

static void put_u16(struct nl_msg *msg, int type, uint16_t v)
{
        put(msg, type, sizeof(v), &v);
}

static void put_u32(struct nl_msg *msg, int type, uint32_t v)
{
        put(msg, type, sizeof(v), &v);
}

static void put_ip(struct nl_msg *msg, int type, uint32_t ip)
{
        put_u32(msg, type, htonl(ip));
}

static void put_str(struct nl_msg *msg, int type, const char *s)
{
        put(msg, type, strlen(s) + 1, s);
}

static struct nlattr *nest(struct nl_msg *msg, int type)
{
        struct nlattr *a = nla_nest_start(msg, type);

        kl_assert(a);
        return a;
}

static uint32_t get_ip(const struct nlattr *a)
{
        uint32_t v;

        if (nla_len(a) != 4)
                return 0;
        memcpy(&v, nla_data(a), 4);
        return ntohl(v);
}

static void get_str(const struct nlattr *a, char *buf, size_t size)
{
        size_t len = (size_t)nla_len(a);
        const char *s = nla_data(a);

        if (len > 0 && s[len - 1] == '\0')
                len--;
        if (len >= size)
                len = size - 1;
        memcpy(buf, s, len);
        buf[len] = '\0';
}

/* A growable array of replies, bounded by LIST_MAX. */
struct list {
        void *items;
        size_t n, alloc, size;
};

static void *list_push(struct list *l)
{
        if (l->n >= LIST_MAX)
                return NULL;
        if (l->n == l->alloc) {
                l->alloc = l->alloc ? l->alloc * 2 : 16;
                l->items = kl_realloc(l->items, l->alloc * l->size);
        }
        memset((char *)l->items + l->n * l->size, 0, l->size);
        return (char *)l->items + l->n++ * l->size;
}

/* Links. */

static int parse_link(struct nlmsghdr *h, struct kl_net__link *l)
{
        struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1] = { NULL };
        struct ifinfomsg *ifi = nlmsg_data(h);

        if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
                return -EIO;
        memset(l, 0, sizeof(*l));
        l->ifindex = ifi->ifi_index;
        l->flags = ifi->ifi_flags;
        if (tb[IFLA_IFNAME])
                get_str(tb[IFLA_IFNAME], l->name, sizeof(l->name));
        if (tb[IFLA_IFALIAS])
                get_str(tb[IFLA_IFALIAS], l->alias, sizeof(l->alias));
        if (tb[IFLA_MTU])
                l->mtu = nla_get_u32(tb[IFLA_MTU]);
        if (tb[IFLA_MASTER])
                l->master = (int)nla_get_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_LINK])
                l->peer_ifindex = (int)nla_get_u32(tb[IFLA_LINK]);
        if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
                memcpy(l->mac, nla_data(tb[IFLA_ADDRESS]), 6);
        if (tb[IFLA_LINKINFO] &&
            nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 && li[IFLA_INFO_KIND])
                get_str(li[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
        if (kl_streq(l->kind, "vxlan") && li[IFLA_INFO_DATA]) {
                struct nlattr *vx[IFLA_VXLAN_MAX + 1];

                if (nla_parse_nested(vx, IFLA_VXLAN_MAX, li[IFLA_INFO_DATA], NULL) == 0) {
                        if (vx[IFLA_VXLAN_ID])
                                l->vxlan_id = nla_get_u32(vx[IFLA_VXLAN_ID]);
                        if (vx[IFLA_VXLAN_LOCAL])
                                l->vxlan_local = get_ip(vx[IFLA_VXLAN_LOCAL]);
                        if (vx[IFLA_VXLAN_PORT])
                                l->vxlan_port = ntohs(nla_get_u16(vx[IFLA_VXLAN_PORT]));
                }
        }
        return 0;
}

static int link_one(struct nlmsghdr *h, void *userdata)
{
        return parse_link(h, userdata);
}

static int link_get(struct nl_sock *sk, const char *name, int ifindex, struct kl_net__link *ret)
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(RTM_GETLINK, 0, &ifi, sizeof(ifi));
        struct kl_net__link l = { .ifindex = 0 };
        int r;

        if (name)
                put_str(msg, IFLA_IFNAME, name);
        r = kl_net__nl_talk(sk, msg, link_one, &l);
        if (r == -ENODEV)
                return -ENOENT;
        if (r < 0)
                return r;
        if (l.ifindex <= 0)
                return -ENOENT;
        *ret = l;
        return 0;
}

int kl_net__link_get(struct nl_sock *sk, const char *name, struct kl_net__link *ret)
{
        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        return link_get(sk, name, 0, ret);
}

int kl_net__link_get_index(struct nl_sock *sk, int ifindex, struct kl_net__link *ret)
{
        return link_get(sk, NULL, ifindex, ret);
}

static int link_push(struct nlmsghdr *h, void *userdata)
{
        struct kl_net__link *l = list_push(userdata);

        if (!l)
                return -E2BIG;
        return parse_link(h, l);
}

int kl_net__link_list(struct nl_sock *sk, struct kl_net__link **ret, size_t *ret_n)
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
        struct list l = { .size = sizeof(struct kl_net__link) };
        int r;

        r = kl_net__nl_talk(sk, msg, link_push, &l);
        if (r < 0) {
                free(l.items);
                return r;
        }
        *ret = l.items;
        *ret_n = l.n;
        return 0;
}

int kl_net__link_del(struct nl_sock *sk, int ifindex)
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(RTM_DELLINK, 0, &ifi, sizeof(ifi));
        int r = kl_net__nl_talk(sk, msg, NULL, NULL);

        return r == -ENODEV ? -ENOENT : r;
}

int kl_net__link_set(struct nl_sock *sk, int ifindex, bool up, unsigned mtu, int master,
                     const uint8_t *mac)
{
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
                .ifi_flags = up ? IFF_UP : 0,
                .ifi_change = IFF_UP,
        };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(RTM_SETLINK, 0, &ifi, sizeof(ifi));

        if (mtu)
                put_u32(msg, IFLA_MTU, mtu);
        if (master >= 0)
                put_u32(msg, IFLA_MASTER, (uint32_t)master);
        if (mac)
                put(msg, IFLA_ADDRESS, 6, mac);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__link_set_alias(struct nl_sock *sk, int ifindex, const char *alias)
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(RTM_SETLINK, 0, &ifi, sizeof(ifi));

        put_str(msg, IFLA_IFALIAS, alias);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__link_set_hairpin(struct nl_sock *sk, int ifindex)
{
        /* `bridge link set dev X hairpin on`: the port's protinfo, family AF_BRIDGE. */
        struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        struct nlattr *pi = nest(msg, IFLA_PROTINFO | NLA_F_NESTED);

        put_u8(msg, IFLA_BRPORT_MODE, 1);
        nla_nest_end(msg, pi);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__bridge_add(struct nl_sock *sk, const char *name, const uint8_t mac[6])
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        struct nlattr *li;

        put_str(msg, IFLA_IFNAME, name);
        put(msg, IFLA_ADDRESS, 6, mac);
        li = nest(msg, IFLA_LINKINFO);
        put_str(msg, IFLA_INFO_KIND, "bridge");
        nla_nest_end(msg, li);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__veth_add(struct nl_sock *sk, const char *name, unsigned mtu, const char *peer,
                     int netns_fd, const uint8_t peer_mac[6])
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        struct nlattr *li, *data, *p;

        put_str(msg, IFLA_IFNAME, name);
        if (mtu)
                put_u32(msg, IFLA_MTU, mtu);
        li = nest(msg, IFLA_LINKINFO);
        put_str(msg, IFLA_INFO_KIND, "veth");
        data = nest(msg, IFLA_INFO_DATA);
        p = nest(msg, VETH_INFO_PEER);
        /* The peer is a whole ifinfomsg and its attributes inside the attribute. */
        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
                abort();
        put_str(msg, IFLA_IFNAME, peer);
        if (mtu)
                put_u32(msg, IFLA_MTU, mtu);
        if (peer_mac)
                put(msg, IFLA_ADDRESS, 6, peer_mac);
        if (netns_fd >= 0)
                put_u32(msg, IFLA_NET_NS_FD, (uint32_t)netns_fd);
        nla_nest_end(msg, p);
        nla_nest_end(msg, data);
        nla_nest_end(msg, li);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__vxlan_add(struct nl_sock *sk, const char *name, uint32_t vni, uint32_t local, int dev,
                      uint16_t port, unsigned mtu, const uint8_t mac[6])
{
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        struct nlattr *li, *data;

        put_str(msg, IFLA_IFNAME, name);
        put(msg, IFLA_ADDRESS, 6, mac);
        if (mtu)
                put_u32(msg, IFLA_MTU, mtu);
        li = nest(msg, IFLA_LINKINFO);
        put_str(msg, IFLA_INFO_KIND, "vxlan");
        data = nest(msg, IFLA_INFO_DATA);
        put_u32(msg, IFLA_VXLAN_ID, vni);
        put_ip(msg, IFLA_VXLAN_LOCAL, local);
        if (dev > 0)
                put_u32(msg, IFLA_VXLAN_LINK, (uint32_t)dev);
        put_u16(msg, IFLA_VXLAN_PORT, htons(port));
        put_u8(msg, IFLA_VXLAN_LEARNING, 0);
        nla_nest_end(msg, data);
        nla_nest_end(msg, li);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

/* Addresses. */

static int addr_push(struct nlmsghdr *h, void *userdata)
{
        struct nlattr *tb[IFA_MAX + 1];
        struct ifaddrmsg *ifa = nlmsg_data(h);
        struct kl_net__addr *a;
        struct nlattr *ip;

        if (h->nlmsg_type != RTM_NEWADDR || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
                return -EIO;
        if (ifa->ifa_family != AF_INET)
                return 0;
        ip = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        if (!ip)
                return 0;
        a = list_push(userdata);
        if (!a)
                return -E2BIG;
        a->ifindex = (int)ifa->ifa_index;
        a->prefix = ifa->ifa_prefixlen;
        a->ip = get_ip(ip);
        return 0;
}

int kl_net__addr_list(struct nl_sock *sk, struct kl_net__addr **ret, size_t *ret_n)
{
        struct ifaddrmsg ifa = { .ifa_family = AF_INET };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
        struct list l = { .size = sizeof(struct kl_net__addr) };
        int r;

        r = kl_net__nl_talk(sk, msg, addr_push, &l);
        if (r < 0) {
                free(l.items);
                return r;
        }
        *ret = l.items;
        *ret_n = l.n;
        return 0;
}

static int addr_change(struct nl_sock *sk, int type, int flags, int ifindex, uint32_t ip,
                       unsigned prefix)
{
        struct ifaddrmsg ifa = {
                .ifa_family = AF_INET,
                .ifa_prefixlen = (unsigned char)prefix,
                .ifa_scope = RT_SCOPE_UNIVERSE,
                .ifa_index = (unsigned)ifindex,
        };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(type, flags, &ifa, sizeof(ifa));

        put_ip(msg, IFA_LOCAL, ip);
        put_ip(msg, IFA_ADDRESS, ip);
        if (prefix < 31)
                put_ip(msg, IFA_BROADCAST, ip | (prefix ? 0xffffffffu >> prefix : 0xffffffffu));
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__addr_add(struct nl_sock *sk, int ifindex, uint32_t ip, unsigned prefix)
{
        return addr_change(sk, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, ip, prefix);
}

int kl_net__addr_del(struct nl_sock *sk, int ifindex, uint32_t ip, unsigned prefix)
{
        return addr_change(sk, RTM_DELADDR, 0, ifindex, ip, prefix);
}

/* Routes. */

static int route_push(struct nlmsghdr *h, void *userdata)
{
        struct nlattr *tb[RTA_MAX + 1];
        struct rtmsg *rtm = nlmsg_data(h);
        struct kl_net__route *rt;
        uint32_t table;

        if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
                return -EIO;
        table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
        if (rtm->rtm_family != AF_INET || table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST)
                return 0;
        rt = list_push(userdata);
        if (!rt)
                return -E2BIG;
        rt->prefix = rtm->rtm_dst_len;
        rt->dst = tb[RTA_DST] ? get_ip(tb[RTA_DST]) : 0;
        rt->gw = tb[RTA_GATEWAY] ? get_ip(tb[RTA_GATEWAY]) : 0;
        rt->oif = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
        rt->protocol = rtm->rtm_protocol;
        rt->onlink = (rtm->rtm_flags & RTNH_F_ONLINK) != 0;
        return 0;
}

int kl_net__route_list(struct nl_sock *sk, struct kl_net__route **ret, size_t *ret_n)
{
        struct rtmsg rtm = { .rtm_family = AF_INET };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
        struct list l = { .size = sizeof(struct kl_net__route) };
        int r;

        r = kl_net__nl_talk(sk, msg, route_push, &l);
        if (r < 0) {
                free(l.items);
                return r;
        }
        *ret = l.items;
        *ret_n = l.n;
        return 0;
}

static int route_change(struct nl_sock *sk, int type, int flags, const struct kl_net__route *rt,
                        unsigned char scope)
{
        struct rtmsg rtm = {
                .rtm_family = AF_INET,
                .rtm_dst_len = (unsigned char)rt->prefix,
                .rtm_table = RT_TABLE_MAIN,
                .rtm_protocol = (unsigned char)rt->protocol,
                .rtm_scope = scope,
                .rtm_type = RTN_UNICAST,
                .rtm_flags = rt->onlink ? RTNH_F_ONLINK : 0,
        };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(type, flags, &rtm, sizeof(rtm));

        if (rt->prefix > 0)
                put_ip(msg, RTA_DST, rt->dst);
        if (rt->gw)
                put_ip(msg, RTA_GATEWAY, rt->gw);
        if (rt->oif > 0)
                put_u32(msg, RTA_OIF, (uint32_t)rt->oif);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__route_replace(struct nl_sock *sk, const struct kl_net__route *rt)
{
        return route_change(sk, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, rt,
                            rt->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
}

int kl_net__route_del(struct nl_sock *sk, const struct kl_net__route *rt)
{
        int r = route_change(sk, RTM_DELROUTE, 0, rt, RT_SCOPE_NOWHERE);

        return r == -ESRCH ? -ENOENT : r;
}

/* Neighbours and fdb entries. */

struct neigh_dump {
        struct list l;
        int family, ifindex;
};

static int neigh_push(struct nlmsghdr *h, void *userdata)
{
        struct neigh_dump *d = userdata;
        struct nlattr *tb[NDA_MAX + 1];
        struct ndmsg *ndm = nlmsg_data(h);
        struct kl_net__neigh *n;

        if (h->nlmsg_type != RTM_NEWNEIGH || nlmsg_parse(h, sizeof(*ndm), tb, NDA_MAX, NULL) < 0)
                return -EIO;
        if (ndm->ndm_family != d->family || ndm->ndm_ifindex != d->ifindex)
                return 0;
        n = list_push(&d->l);
        if (!n)
                return -E2BIG;
        n->state = ndm->ndm_state;
        if (tb[NDA_DST])
                n->ip = get_ip(tb[NDA_DST]);
        if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) == 6)
                memcpy(n->mac, nla_data(tb[NDA_LLADDR]), 6);
        return 0;
}

int kl_net__neigh_list(struct nl_sock *sk, int family, int ifindex, struct kl_net__neigh **ret,
                       size_t *ret_n)
{
        struct ndmsg ndm = { .ndm_family = (unsigned char)family, .ndm_ifindex = ifindex };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_GETNEIGH, NLM_F_DUMP, &ndm, sizeof(ndm));
        struct neigh_dump d = {
                .l = { .size = sizeof(struct kl_net__neigh) },
                .family = family,
                .ifindex = ifindex,
        };
        int r;

        r = kl_net__nl_talk(sk, msg, neigh_push, &d);
        if (r < 0) {
                free(d.l.items);
                return r;
        }
        *ret = d.l.items;
        *ret_n = d.l.n;
        return 0;
}

int kl_net__neigh_replace(struct nl_sock *sk, int ifindex, uint32_t ip, const uint8_t mac[6])
{
        struct ndmsg ndm = {
                .ndm_family = AF_INET,
                .ndm_ifindex = ifindex,
                .ndm_state = NUD_PERMANENT,
        };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg =
                msg_new(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, &ndm, sizeof(ndm));

        put_ip(msg, NDA_DST, ip);
        put(msg, NDA_LLADDR, 6, mac);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__neigh_del(struct nl_sock *sk, int ifindex, uint32_t ip)
{
        struct ndmsg ndm = { .ndm_family = AF_INET, .ndm_ifindex = ifindex };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(RTM_DELNEIGH, 0, &ndm, sizeof(ndm));

        put_ip(msg, NDA_DST, ip);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

static int fdb_change(struct nl_sock *sk, int type, int flags, int ifindex, const uint8_t mac[6],
                      uint32_t dst)
{
        struct ndmsg ndm = {
                .ndm_family = AF_BRIDGE,
                .ndm_ifindex = ifindex,
                .ndm_state = NUD_PERMANENT | NUD_NOARP,
                .ndm_flags = NTF_SELF,
        };
        kl_cleanup(nlmsg_freep) struct nl_msg *msg = msg_new(type, flags, &ndm, sizeof(ndm));

        put(msg, NDA_LLADDR, 6, mac);
        put_ip(msg, NDA_DST, dst);
        return kl_net__nl_talk(sk, msg, NULL, NULL);
}

int kl_net__fdb_add(struct nl_sock *sk, int ifindex, const uint8_t mac[6], uint32_t dst)
{
        static const uint8_t zero[6];
        /* The all-zeros entry is a list of remotes (append); a unicast one has one (replace). */
        int how = memcmp(mac, zero, 6) == 0 ? NLM_F_APPEND : NLM_F_REPLACE;

        return fdb_change(sk, RTM_NEWNEIGH, NLM_F_CREATE | how, ifindex, mac, dst);
}

int kl_net__fdb_del(struct nl_sock *sk, int ifindex, const uint8_t mac[6], uint32_t dst)
{
        return fdb_change(sk, RTM_DELNEIGH, 0, ifindex, mac, dst);
}

int kl_net__sysctl_write(const char *key, const char *value)
{
        kl_autofree char *path = kl_asprintf("/proc/sys/%s", key);
        kl_autoclose int fd = -EBADF;

        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return kl_write_all(fd, value, strlen(value));
}
