/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Matches and statements as the kernel's expressions, the way nft 1.0.6
 * linearises them, so that nft lists our rules back as it would list its own
 * (README.md has the table). Registers: a value goes to NFT_REG_1; the
 * fields of a concatenation go to consecutive 32-bit registers from
 * NFT_REG32_00, each rounded up to 4 bytes, named by their 128-bit alias
 * when they start one (nft's netlink_put_register()). Sets created in the
 * same batch are named and also referenced by NFTA_*_SET_ID.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/macro.h"
#include "nft/nft-internal.h"

/* NF_REJECT's ICMP codes (linux/icmp.h clashes with netinet/in.h's relatives). */
enum {
        ICMP_CODE_HOST_UNREACH = 1,
        ICMP_CODE_PORT_UNREACH = 3
};

/* nft's user data on sets: the byte orders it needs to print the elements. */
enum {
        UDATA_SET_KEYBYTEORDER = 0,
        UDATA_SET_DATABYTEORDER = 1
};

/* The first error of a run of nla_put*() calls. */
struct out {
        struct nl_msg *m;
        int err;
};

static void put(struct out *o, int attr, const void *data, size_t len)
{
        if (o->err == 0)
                o->err = nla_put(o->m, attr, (int)len, data);
}

static void put_be32(struct out *o, int attr, uint32_t v)
{
        uint32_t be = htonl(v);

        put(o, attr, &be, sizeof(be));
}

static void put_be64(struct out *o, int attr, uint64_t v)
{
        uint64_t be = htobe64(v);

        put(o, attr, &be, sizeof(be));
}

static void put_str(struct out *o, int attr, const char *s)
{
        put(o, attr, s, strlen(s) + 1);
}

static struct nlattr *nest(struct out *o, int attr)
{
        struct nlattr *n;

        if (o->err)
                return NULL;
        n = nla_nest_start(o->m, attr | NLA_F_NESTED);
        if (!n)
                o->err = -ENOSPC;
        return n;
}

static void nest_end(struct out *o, struct nlattr *n)
{
        if (o->err == 0)
                (void)nla_nest_end(o->m, n);
}

/* A 32-bit register index (0 = NFT_REG32_00) as nft names it on the wire. */
static uint32_t reg(unsigned k)
{
        return k % 4 == 0 ? NFT_REG_1 + k / 4 : NFT_REG32_00 + k;
}

struct expr {
        struct nlattr *elem, *data;
};

static struct expr expr_begin(struct out *o, const char *name)
{
        struct expr e = { NULL, NULL };

        e.elem = nest(o, NFTA_LIST_ELEM);
        put_str(o, NFTA_EXPR_NAME, name);
        e.data = nest(o, NFTA_EXPR_DATA);
        return e;
}

static void expr_end(struct out *o, struct expr e)
{
        nest_end(o, e.data);
        nest_end(o, e.elem);
}

static void put_data_value(struct out *o, int attr, const void *v, size_t len)
{
        struct nlattr *n = nest(o, attr);

        put(o, NFTA_DATA_VALUE, v, len);
        nest_end(o, n);
}

static void put_verdict(struct out *o, int attr, const struct kl_nft__verdict *v)
{
        static const int codes[] = {
                [KL_NFT_ACCEPT] = NF_ACCEPT, [KL_NFT_DROP] = NF_DROP,  [KL_NFT_RETURN] = NFT_RETURN,
                [KL_NFT_JUMP] = NFT_JUMP,    [KL_NFT_GOTO] = NFT_GOTO,
        };
        struct nlattr *data = nest(o, attr);
        struct nlattr *verdict = nest(o, NFTA_DATA_VERDICT);

        put_be32(o, NFTA_VERDICT_CODE, (uint32_t)codes[v->code]);
        if (v->chain)
                put_str(o, NFTA_VERDICT_CHAIN, v->chain);
        nest_end(o, verdict);
        nest_end(o, data);
}

static void payload(struct out *o, uint32_t dreg, uint32_t base, uint32_t off, uint32_t len)
{
        struct expr e = expr_begin(o, "payload");

        put_be32(o, NFTA_PAYLOAD_DREG, dreg);
        put_be32(o, NFTA_PAYLOAD_BASE, base);
        put_be32(o, NFTA_PAYLOAD_OFFSET, off);
        put_be32(o, NFTA_PAYLOAD_LEN, len);
        expr_end(o, e);
}

static void meta_load(struct out *o, uint32_t dreg, uint32_t key)
{
        struct expr e = expr_begin(o, "meta");

        put_be32(o, NFTA_META_DREG, dreg);
        put_be32(o, NFTA_META_KEY, key);
        expr_end(o, e);
}

static void cmp(struct out *o, uint32_t sreg, bool neq, const void *v, size_t len)
{
        struct expr e = expr_begin(o, "cmp");

        put_be32(o, NFTA_CMP_SREG, sreg);
        put_be32(o, NFTA_CMP_OP, neq ? NFT_CMP_NEQ : NFT_CMP_EQ);
        put_data_value(o, NFTA_CMP_DATA, v, len);
        expr_end(o, e);
}

/* reg = (reg & mask) ^ xor, over len bytes. */
static void bitwise(struct out *o, uint32_t r, const void *mask, const void * xor, size_t len)
{
        struct expr e = expr_begin(o, "bitwise");

        put_be32(o, NFTA_BITWISE_SREG, r);
        put_be32(o, NFTA_BITWISE_DREG, r);
        put_be32(o, NFTA_BITWISE_LEN, (uint32_t)len);
        put_data_value(o, NFTA_BITWISE_MASK, mask, len);
        put_data_value(o, NFTA_BITWISE_XOR, xor, len);
        expr_end(o, e);
}

static void immediate_value(struct out *o, uint32_t dreg, const void *v, size_t len)
{
        struct expr e = expr_begin(o, "immediate");

        put_be32(o, NFTA_IMMEDIATE_DREG, dreg);
        put_data_value(o, NFTA_IMMEDIATE_DATA, v, len);
        expr_end(o, e);
}

static void immediate_verdict(struct out *o, const struct kl_nft__verdict *v)
{
        struct expr e = expr_begin(o, "immediate");

        put_be32(o, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
        put_verdict(o, NFTA_IMMEDIATE_DATA, v);
        expr_end(o, e);
}

/* In an inet table an IPv4 field needs `meta nfproto ipv4` first, once per rule. */
struct rule_ctx {
        struct out *o;
        bool inet;
        bool nfproto_done;
};

static void load(struct rule_ctx *c, enum kl_nft_field f, uint32_t dreg)
{
        struct out *o = c->o;
        struct expr e;

        switch (f) {
        case KL_NFT_IP_SADDR:
        case KL_NFT_IP_DADDR:
                if (c->inet && !c->nfproto_done) {
                        uint8_t v4 = NFPROTO_IPV4;

                        meta_load(o, NFT_REG_1, NFT_META_NFPROTO);
                        cmp(o, NFT_REG_1, false, &v4, 1);
                        c->nfproto_done = true;
                }
                payload(o, dreg, NFT_PAYLOAD_NETWORK_HEADER, f == KL_NFT_IP_SADDR ? 12 : 16, 4);
                break;
        case KL_NFT_TH_DPORT:
                payload(o, dreg, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
                break;
        case KL_NFT_L4PROTO:
                meta_load(o, dreg, NFT_META_L4PROTO);
                break;
        case KL_NFT_MARK:
                meta_load(o, dreg, NFT_META_MARK);
                break;
        case KL_NFT_IIFNAME:
                meta_load(o, dreg, NFT_META_IIFNAME);
                break;
        case KL_NFT_OIFNAME:
                meta_load(o, dreg, NFT_META_OIFNAME);
                break;
        default:
                kl_assert(f == KL_NFT_FIB_DADDR_TYPE);
                e = expr_begin(o, "fib");
                put_be32(o, NFTA_FIB_DREG, dreg);
                put_be32(o, NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
                put_be32(o, NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR);
                expr_end(o, e);
                break;
        }
}

/* The fields of a key into consecutive registers; returns the first. */
static uint32_t load_concat(struct rule_ctx *c, const enum kl_nft_field *key, size_t nkey)
{
        unsigned k = 0;

        for (size_t i = 0; i < nkey; i++) {
                load(c, key[i], reg(k));
                k += (kl_nft__field(key[i])->len + 3) / 4;
        }
        return reg(0);
}

static void lookup(struct rule_ctx *c, const struct kl_nft_table *t, uint32_t sreg,
                   const char *name, const struct kl_nft_set *s, bool vmap, bool inv)
{
        struct out *o = c->o;
        struct expr e = expr_begin(o, "lookup");

        if (!s)
                s = kl_nft__set_find(t, name);
        put_str(o, NFTA_LOOKUP_SET, name);
        if (s)
                put_be32(o, NFTA_LOOKUP_SET_ID, s->id);
        put_be32(o, NFTA_LOOKUP_SREG, sreg);
        if (vmap)
                put_be32(o, NFTA_LOOKUP_DREG, NFT_REG_VERDICT);
        if (inv)
                put_be32(o, NFTA_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
        expr_end(o, e);
}

static void lin_match(struct rule_ctx *c, const struct kl_nft__part *p)
{
        const struct kl_nft__field_info *fi = kl_nft__field(p->field);
        uint8_t v[16];
        size_t len = fi->len;

        kl_nft__value_bytes(p->field, &p->value, v);
        if ((p->field == KL_NFT_IP_SADDR || p->field == KL_NFT_IP_DADDR) && p->prefix < 32) {
                uint32_t mask = p->prefix ? htonl(~0u << (32 - p->prefix)) : 0, zero = 0;

                if (p->prefix % 8 == 0 && p->prefix > 0 && !c->inet) {
                        /* nft loads just the bytes of a byte-aligned prefix. */
                        payload(c->o, NFT_REG_1, NFT_PAYLOAD_NETWORK_HEADER,
                                p->field == KL_NFT_IP_SADDR ? 12 : 16, p->prefix / 8);
                        len = p->prefix / 8;
                } else {
                        load(c, p->field, NFT_REG_1);
                        bitwise(c->o, NFT_REG_1, &mask, &zero, 4);
                }
                cmp(c->o, NFT_REG_1, p->neq, v, len);
                return;
        }
        load(c, p->field, NFT_REG_1);
        cmp(c->o, NFT_REG_1, p->neq, v, len);
}

static void lin_mark_set(struct rule_ctx *c, uint32_t mask, uint32_t xor)
{
        struct expr e;

        meta_load(c->o, NFT_REG_1, NFT_META_MARK);
        bitwise(c->o, NFT_REG_1, &mask, &xor, 4);
        e = expr_begin(c->o, "meta");
        put_be32(c->o, NFTA_META_KEY, NFT_META_MARK);
        put_be32(c->o, NFTA_META_SREG, NFT_REG_1);
        expr_end(c->o, e);
}

static void lin_part(struct rule_ctx *c, const struct kl_nft_table *t, const struct kl_nft__part *p)
{
        struct out *o = c->o;
        struct expr e;
        uint32_t zero = 0, r;

        switch (p->kind) {
        case KL_NFT__MATCH:
                lin_match(c, p);
                break;
        case KL_NFT__MATCH_MARK:
                meta_load(o, NFT_REG_1, NFT_META_MARK);
                bitwise(o, NFT_REG_1, &p->bits, &zero, 4);
                cmp(o, NFT_REG_1, p->neq, &zero, 4);
                break;
        case KL_NFT__MATCH_SET:
                r = load_concat(c, p->key, p->nkey);
                lookup(c, t, r, p->set, NULL, false, p->neq);
                break;
        case KL_NFT__MARK_OR:
                lin_mark_set(c, ~p->bits, p->bits);
                break;
        case KL_NFT__MARK_XOR:
                lin_mark_set(c, ~0u, p->bits);
                break;
        case KL_NFT__UPDATE: {
                const struct kl_nft_set *s = kl_nft__set_find(t, p->set);

                load(c, p->field, NFT_REG_1);
                e = expr_begin(o, "dynset");
                put_str(o, NFTA_DYNSET_SET_NAME, p->set);
                if (s)
                        put_be32(o, NFTA_DYNSET_SET_ID, s->id);
                put_be32(o, NFTA_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
                put_be32(o, NFTA_DYNSET_SREG_KEY, NFT_REG_1);
                expr_end(o, e);
                break;
        }
        case KL_NFT__COUNTER:
                e = expr_begin(o, "counter");
                put_be64(o, NFTA_COUNTER_BYTES, 0);
                put_be64(o, NFTA_COUNTER_PACKETS, 0);
                expr_end(o, e);
                break;
        case KL_NFT__DNAT: {
                uint16_t port = htons(p->port);

                immediate_value(o, NFT_REG_1, &p->ip4, 4);
                if (p->port)
                        immediate_value(o, NFT_REG_2, &port, 2);
                e = expr_begin(o, "nat");
                put_be32(o, NFTA_NAT_TYPE, NFT_NAT_DNAT);
                put_be32(o, NFTA_NAT_FAMILY, NFPROTO_IPV4);
                put_be32(o, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
                if (p->port) {
                        put_be32(o, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
                        put_be32(o, NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
                }
                expr_end(o, e);
                break;
        }
        case KL_NFT__MASQ:
                e = expr_begin(o, "masq");
                if (p->fully_random)
                        put_be32(o, NFTA_MASQ_FLAGS, NF_NAT_RANGE_PROTO_RANDOM_FULLY);
                expr_end(o, e);
                break;
        case KL_NFT__REJECT: {
                uint8_t code = p->reject == KL_NFT_REJECT_ICMP_HOST_UNREACH ? ICMP_CODE_HOST_UNREACH
                               : p->reject == KL_NFT_REJECT_ICMP_PORT_UNREACH
                                       ? ICMP_CODE_PORT_UNREACH
                                       : 0;

                e = expr_begin(o, "reject");
                put_be32(o, NFTA_REJECT_TYPE,
                         p->reject == KL_NFT_REJECT_TCP_RESET ? NFT_REJECT_TCP_RST
                                                              : NFT_REJECT_ICMP_UNREACH);
                put(o, NFTA_REJECT_ICMP_CODE, &code, 1);
                expr_end(o, e);
                break;
        }
        case KL_NFT__VERDICT:
                immediate_verdict(o, &p->verdict);
                break;
        case KL_NFT__VMAP:
                r = load_concat(c, p->key, p->nkey);
                lookup(c, t, r, p->set, NULL, true, false);
                break;
        case KL_NFT__NUMGEN:
                e = expr_begin(o, "numgen");
                put_be32(o, NFTA_NG_DREG, NFT_REG_1);
                put_be32(o, NFTA_NG_MODULUS, (uint32_t)p->map->nelems);
                put_be32(o, NFTA_NG_TYPE, NFT_NG_RANDOM);
                expr_end(o, e);
                lookup(c, t, NFT_REG_1, p->map->name, p->map, true, false);
                break;
        }
}

int kl_nft__put_rule(struct nl_msg *msg, const struct kl_nft_rule *r)
{
        const struct kl_nft_table *t = r->chain->table;
        struct out o = { msg, 0 };
        struct rule_ctx c = { &o, t->family == KL_NFT_INET, false };
        struct nlattr *list;

        put_str(&o, NFTA_RULE_TABLE, t->name);
        put_str(&o, NFTA_RULE_CHAIN, r->chain->name);
        list = nest(&o, NFTA_RULE_EXPRESSIONS);
        for (size_t i = 0; i < r->nparts; i++)
                lin_part(&c, t, &r->parts[i]);
        nest_end(&o, list);
        return o.err;
}

int kl_nft__put_chain(struct nl_msg *msg, const struct kl_nft_chain *c)
{
        static const uint32_t hooks[] = {
                [KL_NFT_PREROUTING] = NF_INET_PRE_ROUTING,   [KL_NFT_INPUT] = NF_INET_LOCAL_IN,
                [KL_NFT_FORWARD] = NF_INET_FORWARD,          [KL_NFT_OUTPUT] = NF_INET_LOCAL_OUT,
                [KL_NFT_POSTROUTING] = NF_INET_POST_ROUTING,
        };
        struct out o = { msg, 0 };
        struct nlattr *hook;

        put_str(&o, NFTA_CHAIN_TABLE, c->table->name);
        put_str(&o, NFTA_CHAIN_NAME, c->name);
        if (c->base) {
                hook = nest(&o, NFTA_CHAIN_HOOK);
                put_be32(&o, NFTA_HOOK_HOOKNUM, hooks[c->hook]);
                put_be32(&o, NFTA_HOOK_PRIORITY, (uint32_t)c->priority);
                nest_end(&o, hook);
                put_be32(&o, NFTA_CHAIN_POLICY, NF_ACCEPT);
                put_str(&o, NFTA_CHAIN_TYPE, c->type == KL_NFT_CHAIN_NAT ? "nat" : "filter");
        }
        return o.err;
}

static void put_udata_u32(uint8_t *buf, size_t *len, uint8_t type, uint32_t v)
{
        buf[(*len)++] = type;
        buf[(*len)++] = 4;
        memcpy(buf + *len, &v, 4); /* host order, as libnftnl writes it */
        *len += 4;
}

int kl_nft__put_set(struct nl_msg *msg, const struct kl_nft_set *s)
{
        struct out o = { msg, 0 };
        uint32_t flags = 0, type = 0, klen = 0;
        uint8_t udata[16];
        size_t ulen = 0;

        for (size_t i = 0; i < s->nkey; i++) {
                const struct kl_nft__field_info *fi = kl_nft__field(s->key[i]);

                type = type << 6 | fi->type_id;
                /* A concatenation's fields are register-aligned; a single key is not. */
                klen += s->nkey == 1 ? fi->len : (fi->len + 3) / 4 * 4;
        }
        if (s->anonymous)
                flags |= NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
        if (s->data_type == KL_NFT_VERDICT_DATA)
                flags |= NFT_SET_MAP;
        if (s->flags & KL_NFT_SET_TIMEOUT)
                flags |= NFT_SET_TIMEOUT;
        if (s->flags & KL_NFT_SET_DYNAMIC)
                flags |= NFT_SET_EVAL;
        put_str(&o, NFTA_SET_TABLE, s->table->name);
        put_str(&o, NFTA_SET_NAME, s->name);
        put_be32(&o, NFTA_SET_FLAGS, flags);
        put_be32(&o, NFTA_SET_KEY_TYPE, type);
        put_be32(&o, NFTA_SET_KEY_LEN, klen);
        if (s->data_type == KL_NFT_VERDICT_DATA) {
                put_be32(&o, NFTA_SET_DATA_TYPE, NFT_DATA_VERDICT);
                put_be32(&o, NFTA_SET_DATA_LEN, 0);
        }
        put_be32(&o, NFTA_SET_ID, s->id);
        if (s->timeout_s)
                put_be64(&o, NFTA_SET_TIMEOUT, (uint64_t)s->timeout_s * 1000);
        if (s->anonymous) {
                struct nlattr *desc = nest(&o, NFTA_SET_DESC);

                put_be32(&o, NFTA_SET_DESC_SIZE, (uint32_t)s->nelems);
                nest_end(&o, desc);
        }
        put_udata_u32(udata, &ulen, UDATA_SET_KEYBYTEORDER,
                      s->nkey == 1 ? kl_nft__field(s->key[0])->byteorder : KL_NFT__BO_INVALID);
        if (s->data_type == KL_NFT_VERDICT_DATA)
                put_udata_u32(udata, &ulen, UDATA_SET_DATABYTEORDER, KL_NFT__BO_INVALID);
        put(&o, NFTA_SET_USERDATA, udata, ulen);
        return o.err;
}

static void put_elem(struct out *o, const struct kl_nft_set *s, const struct kl_nft__elem *el,
                     bool with_data)
{
        struct nlattr *n = nest(o, NFTA_LIST_ELEM);
        uint8_t key[KL_NFT__MAX_KEY * 16];
        size_t klen = 0;

        memset(key, 0, sizeof(key));
        for (size_t k = 0; k < s->nkey; k++) {
                kl_nft__value_bytes(s->key[k], &el->key[k], key + klen);
                klen += s->nkey == 1 ? kl_nft__field(s->key[k])->len
                                     : (kl_nft__field(s->key[k])->len + 3) / 4 * 4;
        }
        put_data_value(o, NFTA_SET_ELEM_KEY, key, klen);
        if (with_data && s->data_type == KL_NFT_VERDICT_DATA)
                put_verdict(o, NFTA_SET_ELEM_DATA, &el->verdict);
        nest_end(o, n);
}

static struct nlattr *elems_begin(struct out *o, const struct kl_nft_set *s)
{
        put_str(o, NFTA_SET_ELEM_LIST_TABLE, s->table->name);
        put_str(o, NFTA_SET_ELEM_LIST_SET, s->name);
        put_be32(o, NFTA_SET_ELEM_LIST_SET_ID, s->id);
        return nest(o, NFTA_SET_ELEM_LIST_ELEMENTS);
}

int kl_nft__put_set_elems(struct nl_msg *msg, const struct kl_nft_set *s, size_t from, size_t to)
{
        struct out o = { msg, 0 };
        struct nlattr *list = elems_begin(&o, s);

        for (size_t i = from; i < to && o.err == 0; i++)
                put_elem(&o, s, &s->elems[i], true);
        nest_end(&o, list);
        return o.err;
}

int kl_nft__put_set_elems_idx(struct nl_msg *msg, const struct kl_nft_set *s, const size_t *idx,
                              size_t n, bool with_data)
{
        struct out o = { msg, 0 };
        struct nlattr *list = elems_begin(&o, s);

        for (size_t i = 0; i < n && o.err == 0; i++)
                put_elem(&o, s, &s->elems[idx[i]], with_data);
        nest_end(&o, list);
        return o.err;
}
