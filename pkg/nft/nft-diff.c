/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What kl_nft_update() must send to turn `old` into `want`: chains and sets
 * added, removed or redefined, chains whose rules changed, set elements
 * added and removed. Objects are matched by name through the tables' hash
 * indexes, rules compared structurally part by part, elements matched by
 * their key bytes in a hash map: O(size of both tables).
 *
 * A chain is "redefined" when it stays a base chain with another type, hook
 * or priority (the kernel cannot change those in place: it is deleted and
 * created again; nothing can jump to a base chain, so nothing else is
 * touched). A chain turning into a base chain or back could be the target of
 * jumps that stay: the diff then asks for a full replace. A set is redefined
 * when its key, data, flags, timeout or its being updated by a rule (the
 * kernel then sizes it 65535) changed: it is deleted and created again, and
 * every chain with a rule naming it is refilled so that nothing holds it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/cleanup.h"
#include "base/macro.h"
#include "nft/nft-internal.h"

static bool str_eq(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

static bool verdict_eq(const struct kl_nft__verdict *a, const struct kl_nft__verdict *b)
{
        return a->code == b->code && str_eq(a->chain, b->chain);
}

static bool keys_eq(const enum kl_nft_field *a, size_t na, const enum kl_nft_field *b, size_t nb)
{
        return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

static bool value_eq(enum kl_nft_field f, const union kl_nft_value *a, const union kl_nft_value *b)
{
        uint8_t x[16], y[16];
        size_t len = kl_nft__field(f)->len;

        kl_nft__value_bytes(f, a, x);
        kl_nft__value_bytes(f, b, y);
        return memcmp(x, y, len) == 0;
}

/* The numgen maps: the same chains in the same order. */
static bool anon_map_eq(const struct kl_nft_set *a, const struct kl_nft_set *b)
{
        if (a->nelems != b->nelems)
                return false;
        for (size_t i = 0; i < a->nelems; i++)
                if (a->elems[i].key[0].mark != b->elems[i].key[0].mark ||
                    !verdict_eq(&a->elems[i].verdict, &b->elems[i].verdict))
                        return false;
        return true;
}

static bool part_eq(const struct kl_nft__part *a, const struct kl_nft__part *b)
{
        if (a->kind != b->kind)
                return false;
        switch (a->kind) {
        case KL_NFT__MATCH:
                return a->field == b->field && a->neq == b->neq && a->prefix == b->prefix &&
                       value_eq(a->field, &a->value, &b->value);
        case KL_NFT__MATCH_MARK:
                return a->bits == b->bits && a->neq == b->neq;
        case KL_NFT__MATCH_SET:
                return a->neq == b->neq && keys_eq(a->key, a->nkey, b->key, b->nkey) &&
                       str_eq(a->set, b->set);
        case KL_NFT__MARK_OR:
        case KL_NFT__MARK_XOR:
                return a->bits == b->bits;
        case KL_NFT__UPDATE:
                return a->field == b->field && str_eq(a->set, b->set);
        case KL_NFT__COUNTER:
                return true;
        case KL_NFT__DNAT:
                return a->ip4 == b->ip4 && a->port == b->port;
        case KL_NFT__MASQ:
                return a->fully_random == b->fully_random;
        case KL_NFT__REJECT:
                return a->reject == b->reject;
        case KL_NFT__VERDICT:
                return verdict_eq(&a->verdict, &b->verdict);
        case KL_NFT__VMAP:
                return keys_eq(a->key, a->nkey, b->key, b->nkey) && str_eq(a->set, b->set);
        case KL_NFT__NUMGEN:
                return anon_map_eq(a->map, b->map);
        }
        return false;
}

static bool rules_eq(const struct kl_nft_chain *a, const struct kl_nft_chain *b)
{
        if (a->nrules != b->nrules)
                return false;
        for (size_t i = 0; i < a->nrules; i++) {
                const struct kl_nft_rule *x = a->rules[i], *y = b->rules[i];

                if (x->nparts != y->nparts)
                        return false;
                for (size_t j = 0; j < x->nparts; j++)
                        if (!part_eq(&x->parts[j], &y->parts[j]))
                                return false;
        }
        return true;
}

static bool chain_def_eq(const struct kl_nft_chain *a, const struct kl_nft_chain *b)
{
        return a->base == b->base && (!a->base || (a->type == b->type && a->hook == b->hook &&
                                                   a->priority == b->priority));
}

static bool set_def_eq(const struct kl_nft_table *ta, const struct kl_nft_set *a,
                       const struct kl_nft_table *tb, const struct kl_nft_set *b)
{
        return keys_eq(a->key, a->nkey, b->key, b->nkey) && a->data_type == b->data_type &&
               a->flags == b->flags && a->timeout_s == b->timeout_s &&
               kl_nft__set_is_updated(ta, a) == kl_nft__set_is_updated(tb, b);
}

/* Whether a rule of c names one of the sets in `sets` (match, vmap, update). */
static bool chain_uses(const struct kl_nft_chain *c, const struct kl_strmap *sets)
{
        for (size_t i = 0; i < c->nrules; i++)
                for (size_t j = 0; j < c->rules[i]->nparts; j++) {
                        const char *name = c->rules[i]->parts[j].set;

                        if (name && kl_strmap_get(sets, name))
                                return true;
                }
        return false;
}

/* Append v to the array arr of n items, doubling its room at powers of two. */
#define KL_NFT__PUSH(arr, n, v)                                                            \
        do {                                                                               \
                if (((n) & ((n)-1)) == 0)                                                  \
                        (arr) = kl_realloc((arr), ((n) < 2 ? 4 : (n)*2) * sizeof(*(arr))); \
                (arr)[(n)++] = (v);                                                        \
        } while (0)

/* An element's key bytes as a hex string (the hash map's key). */
static char *elem_key(const struct kl_nft_set *s, const struct kl_nft__elem *e)
{
        static const char digits[] = "0123456789abcdef";
        uint8_t b[KL_NFT__MAX_KEY * 16];
        size_t len = 0;
        char *hex;

        for (size_t k = 0; k < s->nkey; k++) {
                kl_nft__value_bytes(s->key[k], &e->key[k], b + len);
                len += kl_nft__field(s->key[k])->len;
        }
        hex = kl_malloc(len * 2 + 1);
        for (size_t i = 0; i < len; i++) {
                hex[i * 2] = digits[b[i] >> 4];
                hex[i * 2 + 1] = digits[b[i] & 0xf];
        }
        hex[len * 2] = '\0';
        return hex;
}

/* Elements of `old` not in `want` (or mapped elsewhere) and of `want` not in `old`. */
static void elems_diff(const struct kl_nft_set *old, const struct kl_nft_set *want,
                       struct kl_nft__set_change *ch)
{
        struct kl_strmap index = { 0 };
        char **okeys = kl_calloc(old->nelems + 1, sizeof(char *));
        bool *kept = kl_calloc(old->nelems + 1, sizeof(bool));

        *ch = (struct kl_nft__set_change){ .old = old, .want = want };
        for (size_t i = 0; i < old->nelems; i++) {
                okeys[i] = elem_key(old, &old->elems[i]);
                /* The value is the index + 1 (never NULL). */
                kl_strmap_put(&index, okeys[i], (void *)(uintptr_t)(i + 1));
        }
        for (size_t i = 0; i < want->nelems; i++) {
                kl_autofree char *k = elem_key(want, &want->elems[i]);
                uintptr_t at = (uintptr_t)kl_strmap_get(&index, k);

                if (at && !kept[at - 1] &&
                    verdict_eq(&old->elems[at - 1].verdict, &want->elems[i].verdict)) {
                        kept[at - 1] = true;
                        continue;
                }
                KL_NFT__PUSH(ch->add, ch->nadd, i);
        }
        for (size_t i = 0; i < old->nelems; i++)
                if (!kept[i])
                        KL_NFT__PUSH(ch->del, ch->ndel, i);
        kl_strmap_release(&index);
        for (size_t i = 0; i < old->nelems; i++)
                free(okeys[i]);
        free(okeys);
        free(kept);
}

static void diff_sets(const struct kl_nft_table *old, const struct kl_nft_table *want,
                      struct kl_nft__diff *d, struct kl_strmap *redefined)
{
        for (size_t i = 0; i < old->nsets; i++) {
                const struct kl_nft_set *o = old->sets[i], *w;

                if (o->anonymous)
                        continue; /* goes with its rule */
                w = kl_nft__set_find(want, o->name);
                if (!w) {
                        KL_NFT__PUSH(d->del_sets, d->ndel_sets, o);
                } else if (!set_def_eq(old, o, want, w)) {
                        KL_NFT__PUSH(d->del_sets, d->ndel_sets, o);
                        kl_strmap_put(redefined, o->name, (void *)o);
                }
        }
        for (size_t i = 0; i < want->nsets; i++) {
                const struct kl_nft_set *w = want->sets[i], *o;
                struct kl_nft__set_change ch;

                if (w->anonymous)
                        continue;
                o = kl_nft__set_find(old, w->name);
                if (!o || kl_strmap_get(redefined, w->name)) {
                        KL_NFT__PUSH(d->new_sets, d->nnew_sets, w);
                        continue;
                }
                elems_diff(o, w, &ch);
                if (ch.ndel || ch.nadd)
                        KL_NFT__PUSH(d->elems, d->nelems, ch);
                else
                        kl_nft__diff_release_change(&ch);
        }
}

void kl_nft__diff(const struct kl_nft_table *old, const struct kl_nft_table *want,
                  struct kl_nft__diff *d)
{
        struct kl_strmap redefined = { 0 }, dirty = { 0 };

        memset(d, 0, sizeof(*d));
        for (size_t i = 0; i < old->nchains; i++) {
                const struct kl_nft_chain *o = old->chains[i];
                const struct kl_nft_chain *w = kl_nft__chain_find(want, o->name);

                if (w && w->base != o->base) {
                        d->replace = true;
                        return;
                }
        }
        diff_sets(old, want, d, &redefined);
        /* The want side first: which kept chains get new rules (compared once). */
        for (size_t i = 0; i < want->nchains; i++) {
                const struct kl_nft_chain *w = want->chains[i];
                const struct kl_nft_chain *o = kl_nft__chain_find(old, w->name);

                if (!o || !chain_def_eq(o, w)) {
                        KL_NFT__PUSH(d->new_chains, d->nnew_chains, w);
                        KL_NFT__PUSH(d->fill, d->nfill, w);
                } else if (!rules_eq(o, w) || (redefined.n && chain_uses(o, &redefined))) {
                        KL_NFT__PUSH(d->fill, d->nfill, w);
                        kl_strmap_put(&dirty, o->name, (void *)o);
                }
        }
        for (size_t i = 0; i < old->nchains; i++) {
                const struct kl_nft_chain *o = old->chains[i];
                const struct kl_nft_chain *w = kl_nft__chain_find(want, o->name);

                if (!w || !chain_def_eq(o, w)) {
                        KL_NFT__PUSH(d->flush, d->nflush, o);
                        KL_NFT__PUSH(d->del_chains, d->ndel_chains, o);
                } else if (dirty.n && kl_strmap_get(&dirty, o->name)) {
                        KL_NFT__PUSH(d->flush, d->nflush, o);
                }
        }
        kl_strmap_release(&dirty);
        kl_strmap_release(&redefined);
}

bool kl_nft__diff_empty(const struct kl_nft__diff *d)
{
        return !d->replace && !d->nflush && !d->ndel_chains && !d->nnew_chains && !d->nfill &&
               !d->ndel_sets && !d->nnew_sets && !d->nelems;
}

void kl_nft__diff_release_change(struct kl_nft__set_change *ch)
{
        free(ch->del);
        free(ch->add);
        ch->del = ch->add = NULL;
}

void kl_nft__diff_release(struct kl_nft__diff *d)
{
        for (size_t i = 0; i < d->nelems; i++)
                kl_nft__diff_release_change(&d->elems[i]);
        free(d->elems);
        free(d->flush);
        free(d->del_chains);
        free(d->new_chains);
        free(d->fill);
        free(d->del_sets);
        free(d->new_sets);
        memset(d, 0, sizeof(*d));
}
