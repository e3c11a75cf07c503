/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory table: builder calls, field descriptions, lookups shared by
 * the printer and the linearisation. Programmer errors (a name too long, a
 * rule filled out of order, a verdict after a verdict) are assertions: the
 * builder is driven by our own code, never by outside input.
 */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/macro.h"
#include "nft/nft-internal.h"

static const struct kl_nft__field_info fields[] = {
        [KL_NFT_IP_SADDR] = { "ip saddr", "ipv4_addr", KL_NFT__TYPE_IPADDR, 4, KL_NFT__BO_BIG },
        [KL_NFT_IP_DADDR] = { "ip daddr", "ipv4_addr", KL_NFT__TYPE_IPADDR, 4, KL_NFT__BO_BIG },
        [KL_NFT_L4PROTO] = { "meta l4proto", "inet_proto", KL_NFT__TYPE_INET_PROTOCOL, 1,
                             KL_NFT__BO_INVALID },
        [KL_NFT_TH_DPORT] = { "th dport", "inet_service", KL_NFT__TYPE_INET_SERVICE, 2,
                              KL_NFT__BO_BIG },
        [KL_NFT_MARK] = { "meta mark", "mark", KL_NFT__TYPE_MARK, 4, KL_NFT__BO_HOST },
        [KL_NFT_IIFNAME] = { "iifname", "ifname", KL_NFT__TYPE_IFNAME, 16, KL_NFT__BO_HOST },
        [KL_NFT_OIFNAME] = { "oifname", "ifname", KL_NFT__TYPE_IFNAME, 16, KL_NFT__BO_HOST },
        [KL_NFT_FIB_DADDR_TYPE] = { "fib daddr type", "fib_addrtype", KL_NFT__TYPE_FIB_ADDR, 4,
                                    KL_NFT__BO_HOST },
};

static const struct kl_nft__field_info numgen_key = { "numgen", "integer", KL_NFT__TYPE_INTEGER, 4,
                                                      KL_NFT__BO_HOST };

const struct kl_nft__field_info *kl_nft__field(enum kl_nft_field f)
{
        if (f == KL_NFT__NUMGEN_KEY)
                return &numgen_key;
        kl_assert((size_t)f < KL_ARRAY_SIZE(fields));
        return &fields[f];
}

void kl_nft__value_bytes(enum kl_nft_field f, const union kl_nft_value *v, uint8_t *out)
{
        uint16_t port;

        switch (f) {
        case KL_NFT_IP_SADDR:
        case KL_NFT_IP_DADDR:
                memcpy(out, &v->ip4, 4);
                break;
        case KL_NFT_L4PROTO:
                out[0] = v->proto;
                break;
        case KL_NFT_TH_DPORT:
                port = htons(v->port);
                memcpy(out, &port, 2);
                break;
        case KL_NFT_MARK:
                memcpy(out, &v->mark, 4);
                break;
        case KL_NFT_IIFNAME:
        case KL_NFT_OIFNAME:
                memset(out, 0, 16);
                memcpy(out, v->ifname, strnlen(v->ifname, 15));
                break;
        case KL_NFT_FIB_DADDR_TYPE:
                memcpy(out, &v->addrtype, 4);
                break;
        default:
                kl_assert(f == KL_NFT__NUMGEN_KEY);
                memcpy(out, &v->mark, 4);
                break;
        }
}

uint8_t kl_nft__nfproto(enum kl_nft_family family)
{
        return family == KL_NFT_INET ? NFPROTO_INET : NFPROTO_IPV4;
}

static char *name_dup(const char *name)
{
        kl_assert(name && name[0] && strlen(name) <= KL_NFT__NAME_MAX);
        return kl_strdup(name);
}

/* Grow *v (of *alloc elements of size sz) to hold n + 1. */
static void *grow(void *v, size_t *alloc, size_t n, size_t sz)
{
        if (n < *alloc)
                return v;
        *alloc = *alloc ? *alloc * 2 : 8;
        return kl_realloc(v, *alloc * sz);
}

struct kl_nft_table *kl_nft_table_new(enum kl_nft_family family, const char *name)
{
        struct kl_nft_table *t = kl_new0(struct kl_nft_table);

        kl_assert(family == KL_NFT_IP || family == KL_NFT_INET);
        t->family = family;
        t->name = name_dup(name);
        return t;
}

static void verdict_release(struct kl_nft__verdict *v)
{
        free(v->chain);
        v->chain = NULL;
}

static void set_free(struct kl_nft_set *s)
{
        for (size_t i = 0; i < s->nelems; i++)
                verdict_release(&s->elems[i].verdict);
        free(s->elems);
        free(s->name);
        free(s);
}

static void rule_free(struct kl_nft_rule *r)
{
        for (size_t i = 0; i < r->nparts; i++) {
                free(r->parts[i].set);
                verdict_release(&r->parts[i].verdict);
        }
        free(r->parts);
        free(r);
}

void kl_nft_table_free(struct kl_nft_table *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->nsets; i++)
                set_free(t->sets[i]);
        for (size_t i = 0; i < t->nchains; i++) {
                struct kl_nft_chain *c = t->chains[i];

                for (size_t j = 0; j < c->nrules; j++)
                        rule_free(c->rules[j]);
                free(c->rules);
                free(c->name);
                free(c);
        }
        kl_strmap_release(&t->set_index);
        kl_strmap_release(&t->chain_index);
        kl_strmap_release(&t->updated);
        free(t->sets);
        free(t->chains);
        free(t->name);
        free(t);
}

struct kl_nft_set *kl_nft__set_find(const struct kl_nft_table *t, const char *name)
{
        return kl_strmap_get(&t->set_index, name);
}

struct kl_nft_chain *kl_nft__chain_find(const struct kl_nft_table *t, const char *name)
{
        return kl_strmap_get(&t->chain_index, name);
}

bool kl_nft__set_is_updated(const struct kl_nft_table *t, const struct kl_nft_set *s)
{
        return !s->anonymous && kl_strmap_get(&t->updated, s->name) != NULL;
}

static struct kl_nft_set *set_new(struct kl_nft_table *t, char *name, const enum kl_nft_field *key,
                                  size_t nkey, int data_type)
{
        struct kl_nft_set *s = kl_new0(struct kl_nft_set);

        kl_assert(nkey >= 1 && nkey <= KL_NFT__MAX_KEY);
        s->table = t;
        s->name = name;
        memcpy(s->key, key, nkey * sizeof(*key));
        s->nkey = nkey;
        s->data_type = data_type;
        t->sets = grow(t->sets, &t->asets, t->nsets, sizeof(*t->sets));
        t->sets[t->nsets++] = s;
        s->id = (uint32_t)t->nsets;
        return s;
}

struct kl_nft_set *kl_nft_set_add(struct kl_nft_table *t, const char *name,
                                  const enum kl_nft_field *key, size_t nkey, int data_type,
                                  unsigned flags, uint32_t timeout_s)
{
        struct kl_nft_set *s;

        kl_assert(data_type == KL_NFT_SET_ONLY || data_type == KL_NFT_VERDICT_DATA);
        kl_assert((flags & ~(KL_NFT_SET_TIMEOUT | KL_NFT_SET_DYNAMIC)) == 0);
        kl_assert(timeout_s == 0 || (flags & KL_NFT_SET_TIMEOUT));
        kl_assert(!kl_nft__set_find(t, name) && strncmp(name, "__", 2) != 0);
        for (size_t i = 0; i < nkey; i++)
                kl_assert((size_t)key[i] < KL_ARRAY_SIZE(fields) &&
                          key[i] != KL_NFT_FIB_DADDR_TYPE);
        s = set_new(t, name_dup(name), key, nkey, data_type);
        kl_strmap_put(&t->set_index, s->name, s);
        s->flags = flags;
        s->timeout_s = timeout_s;
        return s;
}

static void verdict_copy(struct kl_nft__verdict *dst, const struct kl_nft_verdict *v)
{
        kl_assert(v->code >= KL_NFT_ACCEPT && v->code <= KL_NFT_GOTO);
        dst->code = v->code;
        if (v->code == KL_NFT_JUMP || v->code == KL_NFT_GOTO)
                dst->chain = name_dup(v->chain);
        else
                dst->chain = NULL;
}

void kl_nft_set_elem(struct kl_nft_set *s, const union kl_nft_value *key,
                     const struct kl_nft_verdict *verdict)
{
        struct kl_nft__elem *e;

        kl_assert((verdict != NULL) == (s->data_type == KL_NFT_VERDICT_DATA));
        s->elems = grow(s->elems, &s->aelems, s->nelems, sizeof(*s->elems));
        e = &s->elems[s->nelems++];
        memset(e, 0, sizeof(*e));
        memcpy(e->key, key, s->nkey * sizeof(*key));
        if (verdict)
                verdict_copy(&e->verdict, verdict);
}

static struct kl_nft_chain *chain_new(struct kl_nft_table *t, const char *name)
{
        struct kl_nft_chain *c = kl_new0(struct kl_nft_chain);

        kl_assert(!kl_nft__chain_find(t, name));
        c->table = t;
        c->name = name_dup(name);
        kl_strmap_put(&t->chain_index, c->name, c);
        t->chains = grow(t->chains, &t->achains, t->nchains, sizeof(*t->chains));
        t->chains[t->nchains++] = c;
        return c;
}

struct kl_nft_chain *kl_nft_chain_add(struct kl_nft_table *t, const char *name)
{
        return chain_new(t, name);
}

struct kl_nft_chain *kl_nft_base_chain_add(struct kl_nft_table *t, const char *name,
                                           enum kl_nft_chain_type type, enum kl_nft_hook hook,
                                           int priority)
{
        struct kl_nft_chain *c = chain_new(t, name);

        kl_assert(type == KL_NFT_CHAIN_FILTER || type == KL_NFT_CHAIN_NAT);
        kl_assert(hook >= KL_NFT_PREROUTING && hook <= KL_NFT_POSTROUTING);
        c->base = true;
        c->type = type;
        c->hook = hook;
        c->priority = priority;
        return c;
}

struct kl_nft_rule *kl_nft_rule_add(struct kl_nft_chain *c)
{
        struct kl_nft_rule *r = kl_new0(struct kl_nft_rule);

        r->chain = c;
        c->rules = grow(c->rules, &c->arules, c->nrules, sizeof(*c->rules));
        c->rules[c->nrules++] = r;
        r->index = c->nrules;
        return r;
}

static struct kl_nft__part *part_add(struct kl_nft_rule *r, enum kl_nft__part_kind kind)
{
        struct kl_nft__part *p;
        bool is_match =
                kind == KL_NFT__MATCH || kind == KL_NFT__MATCH_MARK || kind == KL_NFT__MATCH_SET;

        kl_assert(!r->terminated);
        kl_assert(!is_match || !r->has_statement);
        if (!is_match)
                r->has_statement = true;
        r->parts = grow(r->parts, &r->aparts, r->nparts, sizeof(*r->parts));
        p = &r->parts[r->nparts++];
        memset(p, 0, sizeof(*p));
        p->kind = kind;
        return p;
}

static void key_copy(struct kl_nft__part *p, const enum kl_nft_field *key, size_t nkey)
{
        kl_assert(nkey >= 1 && nkey <= KL_NFT__MAX_KEY);
        for (size_t i = 0; i < nkey; i++)
                kl_assert((size_t)key[i] < KL_ARRAY_SIZE(fields) &&
                          key[i] != KL_NFT_FIB_DADDR_TYPE);
        memcpy(p->key, key, nkey * sizeof(*key));
        p->nkey = nkey;
}

void kl_nft_match(struct kl_nft_rule *r, enum kl_nft_field f, bool neq, const union kl_nft_value *v,
                  unsigned prefix)
{
        struct kl_nft__part *p;

        kl_assert((size_t)f < KL_ARRAY_SIZE(fields));
        p = part_add(r, KL_NFT__MATCH);
        p->field = f;
        p->neq = neq;
        p->value = *v;
        p->prefix = 32;
        if (f == KL_NFT_IP_SADDR || f == KL_NFT_IP_DADDR) {
                kl_assert(prefix <= 32);
                p->prefix = prefix;
                /* The kernel compares the network part: keep only that. */
                if (prefix < 32)
                        p->value.ip4 &= prefix ? htonl(~0u << (32 - prefix)) : 0;
        }
}

void kl_nft_match_mark(struct kl_nft_rule *r, uint32_t mask, bool is_zero)
{
        struct kl_nft__part *p = part_add(r, KL_NFT__MATCH_MARK);

        p->bits = mask;
        p->neq = !is_zero;
}

void kl_nft_match_set(struct kl_nft_rule *r, const enum kl_nft_field *key, size_t nkey, bool neq,
                      const char *set)
{
        struct kl_nft__part *p = part_add(r, KL_NFT__MATCH_SET);

        key_copy(p, key, nkey);
        p->neq = neq;
        p->set = name_dup(set);
}

void kl_nft_mark_or(struct kl_nft_rule *r, uint32_t bits)
{
        part_add(r, KL_NFT__MARK_OR)->bits = bits;
}

void kl_nft_mark_xor(struct kl_nft_rule *r, uint32_t bits)
{
        part_add(r, KL_NFT__MARK_XOR)->bits = bits;
}

void kl_nft_update_set(struct kl_nft_rule *r, const char *set, enum kl_nft_field key)
{
        struct kl_nft__part *p = part_add(r, KL_NFT__UPDATE);

        kl_assert((size_t)key < KL_ARRAY_SIZE(fields) && key != KL_NFT_FIB_DADDR_TYPE);
        p->field = key;
        p->set = name_dup(set);
        kl_strmap_put(&r->chain->table->updated, p->set, p->set);
}

void kl_nft_counter(struct kl_nft_rule *r)
{
        part_add(r, KL_NFT__COUNTER);
}

void kl_nft_dnat(struct kl_nft_rule *r, uint32_t ip4, uint16_t port)
{
        struct kl_nft__part *p = part_add(r, KL_NFT__DNAT);

        p->ip4 = ip4;
        p->port = port;
}

void kl_nft_masquerade(struct kl_nft_rule *r, bool fully_random)
{
        part_add(r, KL_NFT__MASQ)->fully_random = fully_random;
}

void kl_nft_reject(struct kl_nft_rule *r, enum kl_nft_reject how)
{
        kl_assert(how >= KL_NFT_REJECT_ICMP_HOST_UNREACH && how <= KL_NFT_REJECT_TCP_RESET);
        part_add(r, KL_NFT__REJECT)->reject = how;
}

void kl_nft_verdict(struct kl_nft_rule *r, const struct kl_nft_verdict *v)
{
        struct kl_nft__part *p = part_add(r, KL_NFT__VERDICT);

        verdict_copy(&p->verdict, v);
        r->terminated = true;
}

void kl_nft_vmap(struct kl_nft_rule *r, const enum kl_nft_field *key, size_t nkey, const char *map)
{
        struct kl_nft__part *p = part_add(r, KL_NFT__VMAP);

        key_copy(p, key, nkey);
        p->set = name_dup(map);
        r->terminated = true;
}

void kl_nft_numgen_vmap(struct kl_nft_rule *r, const char *const *chains, size_t n)
{
        struct kl_nft_table *t = r->chain->table;
        const enum kl_nft_field key = KL_NFT__NUMGEN_KEY;
        struct kl_nft__part *p;
        struct kl_nft_set *map;

        kl_assert(n >= 1);
        p = part_add(r, KL_NFT__NUMGEN);
        /* nft's anonymous map: the kernel replaces %d with a free number. */
        map = set_new(t, kl_strdup("__map%d"), &key, 1, KL_NFT_VERDICT_DATA);
        map->anonymous = true;
        for (size_t i = 0; i < n; i++) {
                union kl_nft_value k = { .mark = (uint32_t)i };
                struct kl_nft_verdict v = { .code = KL_NFT_GOTO, .chain = chains[i] };

                kl_nft_set_elem(map, &k, &v);
        }
        p->map = map;
        r->terminated = true;
}
