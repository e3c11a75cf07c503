/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kl_nft_print(): the table as Debian's nft 1.0.6 lists it. What nft prints is
 * not what it was given: it rebuilds the rules from the kernel's expressions,
 * so the rules that its delinearisation applies are followed here (README.md):
 * element order and line wrapping, named standard priorities, and the removal
 * of a `meta l4proto tcp` match that a later `th` field or a `reject with tcp
 * reset` depends on (`tcp dport 80`).
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/macro.h"
#include "nft/nft-internal.h"

static void put(struct kl_buf *out, const char *s)
{
        (void)kl_buf_puts(out, s);
}

static const char *proto_name(uint8_t proto)
{
        switch (proto) {
        case IPPROTO_ICMP:
                return "icmp";
        case IPPROTO_TCP:
                return "tcp";
        case IPPROTO_UDP:
                return "udp";
        case IPPROTO_SCTP:
                return "sctp";
        default:
                return NULL;
        }
}

static const char *const addrtype_names[] = {
        [RTN_UNSPEC] = "unspec",
        [RTN_UNICAST] = "unicast",
        [RTN_LOCAL] = "local",
        [RTN_BROADCAST] = "broadcast",
        [RTN_ANYCAST] = "anycast",
        [RTN_MULTICAST] = "multicast",
        [RTN_BLACKHOLE] = "blackhole",
        [RTN_UNREACHABLE] = "unreachable",
        [RTN_PROHIBIT] = "prohibit",
        [RTN_THROW] = "throw",
        [RTN_NAT] = "nat",
        [RTN_XRESOLVE] = "xresolve",
};

static void print_value(struct kl_buf *out, enum kl_nft_field f, const union kl_nft_value *v)
{
        char a[INET_ADDRSTRLEN];
        const char *name;

        switch (f) {
        case KL_NFT_IP_SADDR:
        case KL_NFT_IP_DADDR:
                put(out, inet_ntop(AF_INET, &v->ip4, a, sizeof(a)));
                break;
        case KL_NFT_L4PROTO:
                name = proto_name(v->proto);
                if (name)
                        put(out, name);
                else
                        (void)kl_buf_printf(out, "%u", v->proto);
                break;
        case KL_NFT_TH_DPORT:
                (void)kl_buf_printf(out, "%u", v->port);
                break;
        case KL_NFT_MARK:
                (void)kl_buf_printf(out, "0x%08x", v->mark);
                break;
        case KL_NFT_IIFNAME:
        case KL_NFT_OIFNAME:
                (void)kl_buf_printf(out, "\"%.15s\"", v->ifname);
                break;
        case KL_NFT_FIB_DADDR_TYPE:
                if (v->addrtype < KL_ARRAY_SIZE(addrtype_names))
                        put(out, addrtype_names[v->addrtype]);
                else
                        (void)kl_buf_printf(out, "%u", v->addrtype);
                break;
        default:
                kl_assert(f == KL_NFT__NUMGEN_KEY);
                (void)kl_buf_printf(out, "%u", v->mark);
                break;
        }
}

static void print_verdict(struct kl_buf *out, const struct kl_nft__verdict *v)
{
        static const char *const names[] = {
                [KL_NFT_ACCEPT] = "accept", [KL_NFT_DROP] = "drop", [KL_NFT_RETURN] = "return",
                [KL_NFT_JUMP] = "jump",     [KL_NFT_GOTO] = "goto",
        };

        put(out, names[v->code]);
        if (v->chain)
                (void)kl_buf_printf(out, " %s", v->chain);
}

/*
 * Element order: nft sorts a set's elements by their value as a multiple-
 * precision integer. A single field is its number; a concatenation is the
 * fields' bytes (each in its own byte order, unpadded) read as one
 * little-endian integer, so the last field weighs most.
 */
struct sort_key {
        uint8_t b[KL_NFT__MAX_KEY * 16];
        size_t len;
};

static void sort_key_of(const struct kl_nft_set *s, const struct kl_nft__elem *e,
                        struct sort_key *k)
{
        k->len = 0;
        for (size_t i = 0; i < s->nkey; i++) {
                const struct kl_nft__field_info *fi = kl_nft__field(s->key[i]);

                kl_nft__value_bytes(s->key[i], &e->key[i], k->b + k->len);
                if (s->nkey == 1 && fi->byteorder == KL_NFT__BO_BIG)
                        /* A number: reversed, its bytes read little-endian. */
                        for (size_t a = 0, z = fi->len - 1; a < z; a++, z--) {
                                uint8_t c = k->b[a];

                                k->b[a] = k->b[z];
                                k->b[z] = c;
                        }
                k->len += fi->len;
        }
}

static int cmp_sort_key(const struct sort_key *a, const struct sort_key *b)
{
        for (size_t i = a->len; i-- > 0;)
                if (a->b[i] != b->b[i])
                        return a->b[i] < b->b[i] ? -1 : 1;
        return 0;
}

struct sorted {
        struct sort_key key;
        const struct kl_nft__elem *elem;
};

static int cmp_sorted(const void *a, const void *b)
{
        return cmp_sort_key(&((const struct sorted *)a)->key, &((const struct sorted *)b)->key);
}

/* nft's line breaking of a named set's elements: by type, n to a line or one. */
static unsigned elems_per_line(const struct kl_nft_set *s)
{
        if (s->nkey > 1)
                return 1;
        switch (s->key[0]) {
        case KL_NFT_IP_SADDR:
        case KL_NFT_IP_DADDR:
                return 2;
        case KL_NFT_L4PROTO:
        case KL_NFT_TH_DPORT:
        case KL_NFT_MARK:
                return 5;
        default:
                return 1;
        }
}

static void print_key(struct kl_buf *out, const enum kl_nft_field *key, size_t nkey,
                      const union kl_nft_value *v)
{
        for (size_t i = 0; i < nkey; i++) {
                if (i)
                        put(out, " . ");
                print_value(out, key[i], &v[i]);
        }
}

static void print_elems(struct kl_buf *out, const struct kl_nft_set *s)
{
        struct sorted *v = kl_calloc(s->nelems, sizeof(*v));
        unsigned per_line = elems_per_line(s);
        unsigned count = 0;

        for (size_t i = 0; i < s->nelems; i++) {
                sort_key_of(s, &s->elems[i], &v[i].key);
                v[i].elem = &s->elems[i];
        }
        qsort(v, s->nelems, sizeof(*v), cmp_sorted);
        put(out, "\t\telements = { ");
        for (size_t i = 0; i < s->nelems; i++) {
                if (i)
                        put(out, count ? ", " : ",\n\t\t\t     ");
                print_key(out, s->key, s->nkey, v[i].elem->key);
                if (s->data_type == KL_NFT_VERDICT_DATA) {
                        put(out, " : ");
                        print_verdict(out, &v[i].elem->verdict);
                }
                if (++count >= per_line)
                        count = 0;
        }
        put(out, " }\n");
        free(v);
}

/* nft's time format: 1d2h3m4s, zero units left out. */
static void print_time(struct kl_buf *out, uint32_t s)
{
        static const struct {
                uint32_t secs;
                char unit;
        } units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };

        for (size_t i = 0; i < KL_ARRAY_SIZE(units); i++)
                if (s >= units[i].secs) {
                        (void)kl_buf_printf(out, "%u%c", s / units[i].secs, units[i].unit);
                        s %= units[i].secs;
                }
}

static void print_set(struct kl_buf *out, const struct kl_nft_table *t, const struct kl_nft_set *s)
{
        bool map = s->data_type == KL_NFT_VERDICT_DATA;

        (void)kl_buf_printf(out, "\t%s %s {\n\t\ttype ", map ? "map" : "set", s->name);
        for (size_t i = 0; i < s->nkey; i++) {
                if (i)
                        put(out, " . ");
                put(out, kl_nft__field(s->key[i])->type);
        }
        put(out, map ? " : verdict\n" : "\n");
        /* A set a rule updates gets the kernel's default size. */
        if (kl_nft__set_is_updated(t, s))
                put(out, "\t\tsize 65535\n");
        /* nft leaves `flags timeout` out when a default timeout says it. */
        if ((s->flags & KL_NFT_SET_DYNAMIC) || ((s->flags & KL_NFT_SET_TIMEOUT) && !s->timeout_s)) {
                put(out, "\t\tflags ");
                if (s->flags & KL_NFT_SET_DYNAMIC)
                        put(out, s->flags & KL_NFT_SET_TIMEOUT ? "dynamic,timeout\n" : "dynamic\n");
                else
                        put(out, "timeout\n");
        }
        if (s->timeout_s) {
                put(out, "\t\ttimeout ");
                print_time(out, s->timeout_s);
                put(out, "\n");
        }
        if (s->nelems)
                print_elems(out, s);
        put(out, "\t}\n");
}

/* nft 1.0.6 names a priority within 10 of a standard one that fits the hook. */
static void print_priority(struct kl_buf *out, const struct kl_nft_chain *c)
{
        static const struct {
                const char *name;
                int prio;
        } std[] = { { "raw", -300 }, { "mangle", -150 }, { "dstnat", -100 },
                    { "filter", 0 }, { "security", 50 }, { "srcnat", 100 } };

        for (size_t i = 0; i < KL_ARRAY_SIZE(std); i++) {
                int off = c->priority - std[i].prio;
                bool fits;

                if (abs(off) > 10)
                        continue;
                if (std[i].prio == -100)
                        fits = c->hook == KL_NFT_PREROUTING;
                else if (std[i].prio == 100)
                        fits = c->hook == KL_NFT_POSTROUTING;
                else
                        fits = true;
                if (!fits)
                        break;
                put(out, std[i].name);
                if (off > 0)
                        (void)kl_buf_printf(out, " + %d", off);
                else if (off < 0)
                        (void)kl_buf_printf(out, " - %d", -off);
                return;
        }
        (void)kl_buf_printf(out, "%d", c->priority);
}

/*
 * The transport protocol a `meta l4proto X` match established, as nft's
 * delinearisation tracks it: `th` fields are then named after X, and the
 * match itself disappears when something depends on it before any statement.
 */
struct deps {
        const char *proto; /* "tcp", "udp", "sctp" or NULL */
        size_t pending;    /* index of the l4proto match that may vanish, or SIZE_MAX */
        bool *hidden;
};

static void print_field(struct kl_buf *out, enum kl_nft_field f, struct deps *d)
{
        if (f == KL_NFT_TH_DPORT && d->proto) {
                (void)kl_buf_printf(out, "%s dport", d->proto);
                if (d->pending != SIZE_MAX)
                        d->hidden[d->pending] = true;
                d->pending = SIZE_MAX;
                return;
        }
        put(out, kl_nft__field(f)->expr);
}

static void print_concat(struct kl_buf *out, const enum kl_nft_field *key, size_t nkey,
                         struct deps *d)
{
        for (size_t i = 0; i < nkey; i++) {
                if (i)
                        put(out, " . ");
                print_field(out, key[i], d);
        }
}

static void print_part(struct kl_buf *out, const struct kl_nft__part *p, struct deps *d)
{
        static const char *const rejects[] = {
                [KL_NFT_REJECT_ICMP_HOST_UNREACH] = "reject with icmp host-unreachable",
                [KL_NFT_REJECT_ICMP_PORT_UNREACH] = "reject",
                [KL_NFT_REJECT_TCP_RESET] = "reject with tcp reset",
        };
        char a[INET_ADDRSTRLEN];

        switch (p->kind) {
        case KL_NFT__MATCH:
                print_field(out, p->field, d);
                put(out, p->neq ? " != " : " ");
                print_value(out, p->field, &p->value);
                if ((p->field == KL_NFT_IP_SADDR || p->field == KL_NFT_IP_DADDR) && p->prefix < 32)
                        (void)kl_buf_printf(out, "/%u", p->prefix);
                break;
        case KL_NFT__MATCH_MARK:
                (void)kl_buf_printf(out, "meta mark & 0x%08x %s 0x00000000", p->bits,
                                    p->neq ? "!=" : "==");
                break;
        case KL_NFT__MATCH_SET:
                print_concat(out, p->key, p->nkey, d);
                (void)kl_buf_printf(out, " %s@%s", p->neq ? "!= " : "", p->set);
                break;
        case KL_NFT__MARK_OR:
        case KL_NFT__MARK_XOR:
                (void)kl_buf_printf(out, "meta mark set meta mark %c 0x%08x",
                                    p->kind == KL_NFT__MARK_OR ? '|' : '^', p->bits);
                break;
        case KL_NFT__UPDATE:
                (void)kl_buf_printf(out, "update @%s { %s }", p->set,
                                    kl_nft__field(p->field)->expr);
                break;
        case KL_NFT__COUNTER:
                put(out, "counter packets 0 bytes 0");
                break;
        case KL_NFT__DNAT:
                (void)kl_buf_printf(out, "dnat to %s", inet_ntop(AF_INET, &p->ip4, a, sizeof(a)));
                if (p->port)
                        (void)kl_buf_printf(out, ":%u", p->port);
                break;
        case KL_NFT__MASQ:
                put(out, p->fully_random ? "masquerade fully-random" : "masquerade");
                break;
        case KL_NFT__REJECT:
                if (p->reject == KL_NFT_REJECT_TCP_RESET && d->pending != SIZE_MAX) {
                        d->hidden[d->pending] = true;
                        d->pending = SIZE_MAX;
                }
                put(out, rejects[p->reject]);
                break;
        case KL_NFT__VERDICT:
                print_verdict(out, &p->verdict);
                break;
        case KL_NFT__VMAP:
                print_concat(out, p->key, p->nkey, d);
                (void)kl_buf_printf(out, " vmap @%s", p->set);
                break;
        case KL_NFT__NUMGEN:
                (void)kl_buf_printf(out, "numgen random mod %zu vmap { ", p->map->nelems);
                for (size_t i = 0; i < p->map->nelems; i++) {
                        (void)kl_buf_printf(out, "%s%zu : ", i ? ", " : "", i);
                        print_verdict(out, &p->map->elems[i].verdict);
                }
                put(out, " }");
                break;
        }
}

static bool is_match(const struct kl_nft__part *p)
{
        return p->kind == KL_NFT__MATCH || p->kind == KL_NFT__MATCH_MARK ||
               p->kind == KL_NFT__MATCH_SET;
}

static void print_rule(struct kl_buf *out, const struct kl_nft_rule *r)
{
        struct kl_buf text[1] = { KL_BUF_INIT };
        struct deps d = { .proto = NULL, .pending = SIZE_MAX };
        size_t *start = kl_calloc(r->nparts + 1, sizeof(*start));
        bool first = true;

        /* Print every part, then leave out those a later part made redundant. */
        d.hidden = kl_calloc(r->nparts ? r->nparts : 1, sizeof(*d.hidden));
        for (size_t i = 0; i < r->nparts; i++) {
                const struct kl_nft__part *p = &r->parts[i];

                start[i] = text->len;
                print_part(text, p, &d);
                if (p->kind == KL_NFT__MATCH && p->field == KL_NFT_L4PROTO && !p->neq) {
                        d.proto =
                                p->value.proto == IPPROTO_ICMP ? NULL : proto_name(p->value.proto);
                        d.pending = i;
                }
                /* Any statement ends what a dependency may be removed for. */
                if (!is_match(p))
                        d.pending = SIZE_MAX;
        }
        start[r->nparts] = text->len;
        put(out, "\t\t");
        for (size_t i = 0; i < r->nparts; i++) {
                if (d.hidden[i])
                        continue;
                if (!first)
                        put(out, " ");
                (void)kl_buf_append(out, text->buf + start[i], start[i + 1] - start[i]);
                first = false;
        }
        put(out, "\n");
        kl_buf_release(text);
        free(d.hidden);
        free(start);
}

static void print_chain(struct kl_buf *out, const struct kl_nft_chain *c)
{
        static const char *const hooks[] = {
                [KL_NFT_PREROUTING] = "prerouting",   [KL_NFT_INPUT] = "input",
                [KL_NFT_FORWARD] = "forward",         [KL_NFT_OUTPUT] = "output",
                [KL_NFT_POSTROUTING] = "postrouting",
        };

        (void)kl_buf_printf(out, "\tchain %s {\n", c->name);
        if (c->base) {
                (void)kl_buf_printf(out, "\t\ttype %s hook %s priority ",
                                    c->type == KL_NFT_CHAIN_NAT ? "nat" : "filter", hooks[c->hook]);
                print_priority(out, c);
                put(out, "; policy accept;\n");
        }
        for (size_t i = 0; i < c->nrules; i++)
                if (c->rules[i]->nparts)
                        print_rule(out, c->rules[i]);
        put(out, "\t}\n");
}

void kl_nft_print(const struct kl_nft_table *t, struct kl_buf *out)
{
        bool first = true;

        (void)kl_buf_printf(out, "table %s %s {\n", t->family == KL_NFT_INET ? "inet" : "ip",
                            t->name);
        for (size_t i = 0; i < t->nsets; i++) {
                if (t->sets[i]->anonymous)
                        continue;
                if (!first)
                        put(out, "\n");
                print_set(out, t, t->sets[i]);
                first = false;
        }
        for (size_t i = 0; i < t->nchains; i++) {
                if (!first)
                        put(out, "\n");
                print_chain(out, t->chains[i]);
                first = false;
        }
        put(out, "}\n");
}
