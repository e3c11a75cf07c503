/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IPv4 address arithmetic and the names we derive from addresses and uids:
 * MACs, the host end of a pod's veth.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "net/net-internal.h"

void kl_net__ip_format(uint32_t ip, char ret[16])
{
        (void)snprintf(ret, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
                       ip & 0xff);
}

int kl_net__cidr_parse(const char *s, struct kl_net__cidr *ret)
{
        uint32_t addr;
        unsigned prefix;

        /* A network, not an address in one: no host bits. */
        if (kl_parse_ipv4_cidr(s, &addr, &prefix) < 0 || (addr & ~kl_ipv4_mask(prefix)))
                return -EINVAL;
        ret->addr = addr;
        ret->prefix = prefix;
        return 0;
}

bool kl_net__cidr_contains(const struct kl_net__cidr *c, uint32_t ip)
{
        uint32_t mask = c->prefix ? 0xffffffffu << (32 - c->prefix) : 0;

        return (ip & mask) == c->addr;
}

void kl_net__mac_from_ip(uint8_t b0, uint8_t b1, uint32_t ip, uint8_t ret[6])
{
        ret[0] = b0;
        ret[1] = b1;
        ret[2] = (uint8_t)(ip >> 24);
        ret[3] = (uint8_t)(ip >> 16);
        ret[4] = (uint8_t)(ip >> 8);
        ret[5] = (uint8_t)ip;
}

void kl_net__mac_format(const uint8_t mac[6], char ret[18])
{
        (void)snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                       mac[4], mac[5]);
}

void kl_net__host_ifname(const char *pod_uid, char ret[16])
{
        /* FNV-1a 64: deterministic across restarts and builds, no dependency. */
        uint64_t h = 0xcbf29ce484222325ull;

        for (const unsigned char *p = (const unsigned char *)pod_uid; *p; p++) {
                h ^= *p;
                h *= 0x100000001b3ull;
        }
        (void)snprintf(ret, 16, "kl%011llx", (unsigned long long)(h & 0xfffffffffffull));
}

bool kl_net__uid_is_valid(const char *uid, size_t len)
{
        if (len == 0 || len > 128)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = uid[i];

                if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
                    c != '-' && c != '_' && c != '.')
                        return false;
        }
        return true;
}

int kl_net_vtep_mac(const char *pod_cidr, char ret[18])
{
        struct kl_net__cidr c;
        uint8_t mac[6];

        if (kl_net__cidr_parse(pod_cidr, &c) < 0)
                return -EINVAL;
        kl_net__mac_from_ip(0x0e, 0x6b, c.addr, mac);
        kl_net__mac_format(mac, ret);
        return 0;
}

static const char *const backend_names[KL_NET_BACKEND__COUNT] = {
        [KL_NET_BACKEND_VXLAN] = "vxlan",
        [KL_NET_BACKEND_HOST_GW] = "host-gw",
        [KL_NET_BACKEND_NONE] = "none",
};

enum kl_net_backend kl_net_backend_parse(const char *s)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(backend_names); i++)
                if (kl_streq(s, backend_names[i]))
                        return (enum kl_net_backend)i;
        return KL_NET_BACKEND__INVALID;
}

const char *kl_net_backend_name(enum kl_net_backend b)
{
        if (b < 0 || b >= KL_NET_BACKEND__COUNT)
                return NULL;
        return backend_names[b];
}
