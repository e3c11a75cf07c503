/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cluster records (the Kubernetes DNS specification, schema 1.1.0, as
 * CoreDNS's kubernetes plugin serves it), built whole from Service and
 * EndpointSlice objects into a map from lowercase names to their records.
 * Every ancestor of a name inside the cluster domain is put in the map too,
 * without records, so that interior names (ns.svc.DOMAIN, svc.DOMAIN,
 * _tcp.svc.ns.svc.DOMAIN, DOMAIN) answer NODATA instead of NXDOMAIN.
 *
 * Pod names (1-2-3-4.ns.pod.DOMAIN) are not stored: answer.c derives them
 * from the name itself ("pods insecure").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns/dns-internal.h"

static const char *sget(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static void node_free(void *v)
{
        struct kl_dns__node *n = v;

        for (size_t i = 0; i < n->n; i++)
                free(n->rrs[i].target);
        free(n->rrs);
        free(n->name);
        free(n);
}

void kl_dns_zone_free(struct kl_dns_zone *z)
{
        if (!z)
                return;
        kl_strmap_drain(&z->names, node_free);
        free(z->domain);
        free(z);
}

const char *kl_dns_zone_domain(const struct kl_dns_zone *z)
{
        return z->domain;
}

const struct kl_dns__node *kl_dns__zone_find(const struct kl_dns_zone *z, const char *name)
{
        return kl_strmap_get(&z->names, name);
}

bool kl_dns__zone_contains(const struct kl_dns_zone *z, const char *name, size_t *ret_rel_len)
{
        size_t len = strlen(name), dlen = strlen(z->domain);

        if (len == dlen && memcmp(name, z->domain, len) == 0) {
                *ret_rel_len = 0;
                return true;
        }
        if (len > dlen + 1 && name[len - dlen - 1] == '.' &&
            memcmp(name + len - dlen, z->domain, dlen) == 0) {
                *ret_rel_len = len - dlen - 1;
                return true;
        }
        return false;
}

static struct kl_dns__node *node_get(struct kl_dns_zone *z, const char *name)
{
        struct kl_dns__node *n = kl_strmap_get(&z->names, name);
        size_t rel;

        if (n)
                return n;
        n = kl_new0(struct kl_dns__node);
        n->name = kl_strdup(name);
        kl_strmap_put(&z->names, n->name, n);
        /* The ancestors inside the domain exist too (empty non-terminals). */
        if (kl_dns__zone_contains(z, name, &rel) && rel > 0) {
                const char *dot = strchr(name, '.');

                if (dot)
                        (void)node_get(z, dot + 1);
        }
        return n;
}

static bool rr_same(const struct kl_dns__rr *a, const struct kl_dns__rr *b)
{
        return a->type == b->type && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0 &&
               kl_streq_null(a->target, b->target);
}

/* Add `rr` (its target copied) to the node of `name`, once. */
static void add(struct kl_dns_zone *z, const char *name, const struct kl_dns__rr *rr)
{
        struct kl_dns__node *n = node_get(z, name);

        for (size_t i = 0; i < n->n; i++)
                if (rr_same(&n->rrs[i], rr))
                        return;
        if (n->n == n->cap) {
                n->cap = n->cap ? 2 * n->cap : 2;
                n->rrs = kl_realloc(n->rrs, n->cap * sizeof(*n->rrs));
        }
        n->rrs[n->n] = *rr;
        n->rrs[n->n].target = rr->target ? kl_strdup(rr->target) : NULL;
        n->n++;
}

/* An address record for `ip` (text); false if it is not an address. */
static bool addr_rr(const char *ip, struct kl_dns__rr *ret)
{
        *ret = (struct kl_dns__rr){ 0 };
        if (inet_pton(AF_INET, ip, ret->addr) == 1) {
                ret->type = KL_DNS__T_A;
                return true;
        }
        if (inet_pton(AF_INET6, ip, ret->addr) == 1) {
                ret->type = KL_DNS__T_AAAA;
                return true;
        }
        return false;
}

/* The in-addr.arpa / ip6.arpa name of an address record. */
static char *reverse_name(const struct kl_dns__rr *a)
{
        struct kl_buf b = KL_BUF_INIT;

        if (a->type == KL_DNS__T_A) {
                (void)kl_buf_printf(&b, "%u.%u.%u.%u.in-addr.arpa", a->addr[3], a->addr[2],
                                    a->addr[1], a->addr[0]);
        } else {
                for (int i = 15; i >= 0; i--)
                        (void)kl_buf_printf(&b, "%x.%x.", a->addr[i] & 0xf, a->addr[i] >> 4);
                (void)kl_buf_puts(&b, "ip6.arpa");
        }
        return kl_buf_detach(&b, NULL);
}

/* The endpoint name of an address without a hostname: 10-42-1-5, 2001-db8--5. */
static char *dashed(const char *ip)
{
        char *s = kl_strdup(ip);

        for (char *p = s; *p; p++)
                if (*p == '.' || *p == ':')
                        *p = '-';
                else if (*p >= 'A' && *p <= 'Z')
                        *p = (char)(*p + 32);
        return s;
}

static void lowercase(char *s)
{
        for (; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                        *s = (char)(*s + 32);
}

/* A DNS label as the zone can hold it: 1-63 of [a-z0-9-_] (lowercased by the caller). */
static bool good_label(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > KL_DNS__LABEL_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
                      s[i] == '_'))
                        return false;
        return true;
}

static void add_srv(struct kl_dns_zone *z, const char *port_name, const char *proto, int64_t port,
                    const char *base, const char *target)
{
        kl_autofree char *p = kl_strdup(proto ? proto : "TCP"), *name = NULL;
        struct kl_dns__rr rr = { .type = KL_DNS__T_SRV, .target = (char *)target };

        if (!port_name || port < 1 || port > 65535)
                return;
        lowercase(p);
        name = kl_asprintf("_%s._%s.%s", port_name, p, base);
        lowercase(name);
        rr.port = (uint16_t)port;
        add(z, name, &rr);
}

struct svc_slices {
        char *key; /* owned: "ns/name" */
        const json_t **v;
        size_t n;
};

static void svc_slices_free(void *v)
{
        struct svc_slices *s = v;

        free(s->key);
        free(s->v);
        free(s);
}

static void add_endpoints(struct kl_dns_zone *z, const struct svc_slices *ss, const char *base,
                          bool all)
{
        for (size_t k = 0; ss && k < ss->n; k++) {
                const json_t *slice = ss->v[k], *ep, *addr,
                             *ports = json_object_get(slice, "ports");
                const char *type = sget(slice, "addressType");
                size_t i, j;

                if (!kl_streq_null(type, "IPv4") && !kl_streq_null(type, "IPv6"))
                        continue;
                json_array_foreach(json_object_get(slice, "endpoints"), i, ep) {
                        const json_t *ready =
                                json_object_get(json_object_get(ep, "conditions"), "ready");
                        const char *host = sget(ep, "hostname");

                        /* A missing ready condition means ready (discovery/v1). */
                        if (!all && json_is_false(ready))
                                continue;
                        json_array_foreach(json_object_get(ep, "addresses"), j, addr) {
                                const char *ip = json_string_value(addr);
                                kl_autofree char *label = NULL, *ep_name = NULL, *rev = NULL;
                                struct kl_dns__rr a, ptr = { .type = KL_DNS__T_PTR };
                                const json_t *port;
                                size_t m;

                                if (!ip || !addr_rr(ip, &a))
                                        continue;
                                label = host ? kl_strdup(host) : dashed(ip);
                                lowercase(label);
                                if (!good_label(label))
                                        continue;
                                ep_name = kl_asprintf("%s.%s", label, base);
                                add(z, base, &a);
                                add(z, ep_name, &a);
                                rev = reverse_name(&a);
                                ptr.target = ep_name;
                                add(z, rev, &ptr);
                                json_array_foreach(ports, m, port)
                                        add_srv(z, sget(port, "name"), sget(port, "protocol"),
                                                json_integer_value(json_object_get(port, "port")),
                                                base, ep_name);
                        }
                }
        }
}

static void add_service(struct kl_dns_zone *z, const json_t *svc, const struct kl_strmap *slices)
{
        const json_t *meta = json_object_get(svc, "metadata"), *spec = json_object_get(svc, "spec");
        const char *name = sget(meta, "name"), *ns = sget(meta, "namespace");
        const char *type = sget(spec, "type"), *cip = sget(spec, "clusterIP");
        const json_t *ips = json_object_get(spec, "clusterIPs"), *ip, *port;
        kl_autofree char *base = NULL, *key = NULL;
        size_t i;

        if (!name || !ns || !good_label(name) || !good_label(ns))
                return;
        base = kl_asprintf("%s.%s.svc.%s", name, ns, z->domain);
        if (kl_streq_null(type, "ExternalName")) {
                const char *ext = sget(spec, "externalName");
                kl_autofree char *target = NULL;
                struct kl_dns__rr rr = { .type = KL_DNS__T_CNAME };
                uint8_t wire[KL_DNS__NAME_WIRE_MAX];
                size_t len;

                if (!ext || kl_dns__name_from_text(ext, wire, &len) < 0 || len <= 1)
                        return;
                target = kl_strdup(ext);
                lowercase(target);
                if (target[strlen(target) - 1] == '.')
                        target[strlen(target) - 1] = '\0';
                rr.target = target;
                add(z, base, &rr);
                return;
        }
        if (kl_streq_null(cip, "None")) {
                key = kl_asprintf("%s/%s", ns, name);
                add_endpoints(z, kl_strmap_get(slices, key), base,
                              json_is_true(json_object_get(spec, "publishNotReadyAddresses")));
                (void)node_get(z, base); /* a headless Service without endpoints: NODATA */
                return;
        }
        if (json_array_size(ips) == 0 && cip) {
                struct kl_dns__rr a;

                if (addr_rr(cip, &a)) {
                        struct kl_dns__rr ptr = { .type = KL_DNS__T_PTR, .target = base };
                        kl_autofree char *rev = reverse_name(&a);

                        add(z, base, &a);
                        add(z, rev, &ptr);
                }
        }
        json_array_foreach(ips, i, ip) {
                struct kl_dns__rr a, ptr = { .type = KL_DNS__T_PTR, .target = base };
                kl_autofree char *rev = NULL;

                if (!json_string_value(ip) || !addr_rr(json_string_value(ip), &a))
                        continue;
                rev = reverse_name(&a);
                add(z, base, &a);
                add(z, rev, &ptr);
        }
        if (!kl_strmap_get(&z->names, base))
                return; /* no usable cluster IP: nothing to name */
        json_array_foreach(json_object_get(spec, "ports"), i, port)
                add_srv(z, sget(port, "name"), sget(port, "protocol"),
                        json_integer_value(json_object_get(port, "port")), base, base);
}

/* SRV weights: the records of one name share 100 (CoreDNS's spread). */
static void set_weights(struct kl_dns_zone *z)
{
        struct kl_dns__node *n;

        for (size_t it = 0; kl_strmap_next(&z->names, &it, (void **)&n);) {
                size_t count = 0;

                for (size_t i = 0; i < n->n; i++)
                        count += n->rrs[i].type == KL_DNS__T_SRV;
                for (size_t i = 0; i < n->n && count > 0; i++)
                        if (n->rrs[i].type == KL_DNS__T_SRV)
                                n->rrs[i].weight = (uint16_t)(count > 100 ? 1 : 100 / count);
        }
}

int kl_dns_zone_new(const char *domain, const json_t *const *services, size_t n_services,
                    const json_t *const *slices, size_t n_slices, struct kl_dns_zone **ret,
                    struct kl_err **err)
{
        struct kl_dns_zone *z;
        struct kl_strmap by_svc = { 0 };
        kl_autofree char *soa = NULL;
        size_t len;

        if (!domain)
                domain = KL_DNS_DEFAULT_DOMAIN;
        z = kl_new0(struct kl_dns_zone);
        z->domain = kl_strdup(domain);
        lowercase(z->domain);
        len = strlen(z->domain);
        if (len > 0 && z->domain[len - 1] == '.')
                z->domain[len - 1] = '\0';
        if (kl_dns__name_from_text(z->domain, z->domain_wire, &z->domain_wire_len) < 0 ||
            z->domain_wire_len <= 1 || z->domain_wire_len > 200) {
                kl_dns_zone_free(z);
                return kl_err_set(err, -EINVAL, "invalid cluster domain '%s'", domain);
        }
        soa = kl_asprintf("ns.dns.%s", z->domain);
        kl_assert(kl_dns__name_from_text(soa, z->soa_mname, &len) == 0);
        free(soa);
        soa = kl_asprintf("hostmaster.%s", z->domain);
        kl_assert(kl_dns__name_from_text(soa, z->soa_rname, &len) == 0);
        z->serial = (uint32_t)(kl_now_realtime() / KL_USEC_PER_SEC);

        (void)node_get(z, z->domain);
        {
                kl_autofree char *v = kl_asprintf("dns-version.%s", z->domain);
                struct kl_dns__rr txt = { .type = KL_DNS__T_TXT, .target = (char *)"1.1.0" };

                add(z, v, &txt);
        }

        for (size_t i = 0; i < n_slices; i++) {
                const json_t *meta = json_object_get(slices[i], "metadata");
                const char *ns = sget(meta, "namespace");
                const char *svc =
                        sget(json_object_get(meta, "labels"), "kubernetes.io/service-name");
                kl_autofree char *key = NULL;
                struct svc_slices *s;

                if (!ns || !svc)
                        continue;
                key = kl_asprintf("%s/%s", ns, svc);
                s = kl_strmap_get(&by_svc, key);
                if (!s) {
                        s = kl_new0(struct svc_slices);
                        s->key = KL_TAKE_PTR(key);
                        kl_strmap_put(&by_svc, s->key, s);
                }
                s->v = kl_realloc(s->v, (s->n + 1) * sizeof(*s->v));
                s->v[s->n++] = slices[i];
        }
        for (size_t i = 0; i < n_services; i++)
                add_service(z, services[i], &by_svc);
        kl_strmap_drain(&by_svc, svc_slices_free);
        set_weights(z);
        *ret = z;
        return 0;
}

bool kl_dns__pod_address(const char *rel, size_t rel_len, uint8_t ret_addr[16], int *ret_family)
{
        const char *d1 = memchr(rel, '.', rel_len), *d2;
        char ip[64];
        size_t iplen, dashes = 0;

        /* <ip>.<ns>.pod */
        if (!d1)
                return false;
        d2 = memchr(d1 + 1, '.', rel_len - (size_t)(d1 + 1 - rel));
        if (!d2 || d2 == d1 + 1 || (size_t)(rel + rel_len - (d2 + 1)) != 3 ||
            memcmp(d2 + 1, "pod", 3) != 0)
                return false;
        iplen = (size_t)(d1 - rel);
        if (iplen == 0 || iplen >= sizeof(ip))
                return false;
        memcpy(ip, rel, iplen);
        ip[iplen] = '\0';
        for (size_t i = 0; i < iplen; i++)
                dashes += ip[i] == '-';
        if (dashes == 3) {
                for (size_t i = 0; i < iplen; i++)
                        if (ip[i] == '-')
                                ip[i] = '.';
                if (inet_pton(AF_INET, ip, ret_addr) == 1) {
                        *ret_family = AF_INET;
                        return true;
                }
        }
        for (size_t i = 0; i < iplen; i++)
                if (ip[i] == '-' || ip[i] == '.')
                        ip[i] = ':';
        if (inet_pton(AF_INET6, ip, ret_addr) == 1) {
                *ret_family = AF_INET6;
                return true;
        }
        return false;
}
