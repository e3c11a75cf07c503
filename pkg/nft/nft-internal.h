/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory table shared by the builder (nft.c), the printer
 * (nft-print.c), the linearisation into kernel expressions (nft-linearize.c)
 * and the netlink transaction (nft-netlink.c). Included only inside pkg/nft/.
 */
#ifndef KL_NFT_NFT_INTERNAL_H
#define KL_NFT_NFT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strmap.h"
#include "nft/nft.h"

struct nl_msg;

#define KL_NFT__MAX_KEY  4   /* fields of a concatenation */
#define KL_NFT__NAME_MAX 255 /* NFT_NAME_MAXLEN - 1 */

/* The key of the anonymous map of a numgen vmap: a host-order integer in .mark. */
#define KL_NFT__NUMGEN_KEY ((enum kl_nft_field)64)

/* nft's datatype ids (NFTA_SET_KEY_TYPE; 6 bits per field of a concatenation). */
enum {
        KL_NFT__TYPE_INTEGER = 4,
        KL_NFT__TYPE_IPADDR = 7,
        KL_NFT__TYPE_INET_PROTOCOL = 12,
        KL_NFT__TYPE_INET_SERVICE = 13,
        KL_NFT__TYPE_MARK = 19,
        KL_NFT__TYPE_FIB_ADDR = 38,
        KL_NFT__TYPE_IFNAME = 41,
};

/* nft's byte orders, as stored in the sets' user data. */
enum {
        KL_NFT__BO_INVALID = 0,
        KL_NFT__BO_HOST = 1,
        KL_NFT__BO_BIG = 2
};

struct kl_nft__field_info {
        const char *expr;   /* "ip saddr" */
        const char *type;   /* "ipv4_addr" */
        unsigned type_id;   /* KL_NFT__TYPE_* */
        unsigned len;       /* bytes of the value */
        unsigned byteorder; /* KL_NFT__BO_* */
};
const struct kl_nft__field_info *kl_nft__field(enum kl_nft_field f);

/* The value's bytes as the kernel compares them (len bytes of the field). */
void kl_nft__value_bytes(enum kl_nft_field f, const union kl_nft_value *v, uint8_t *out);

struct kl_nft__verdict {
        enum kl_nft_verdict_code code;
        char *chain; /* owned; JUMP and GOTO */
};

struct kl_nft__elem {
        union kl_nft_value key[KL_NFT__MAX_KEY];
        struct kl_nft__verdict verdict; /* verdict maps */
};

struct kl_nft_set {
        struct kl_nft_table *table;
        char *name; /* "__map%d" for anonymous maps: the kernel numbers them */
        enum kl_nft_field key[KL_NFT__MAX_KEY];
        size_t nkey;
        int data_type; /* KL_NFT_SET_ONLY or KL_NFT_VERDICT_DATA */
        unsigned flags;
        uint32_t timeout_s;
        uint32_t id;    /* NFTA_SET_ID: 1 + index in table->sets */
        bool anonymous; /* the map of a numgen vmap: not listed on its own */
        struct kl_nft__elem *elems;
        size_t nelems, aelems;
};

enum kl_nft__part_kind {
        KL_NFT__MATCH,
        KL_NFT__MATCH_MARK,
        KL_NFT__MATCH_SET,
        KL_NFT__MARK_OR,
        KL_NFT__MARK_XOR,
        KL_NFT__UPDATE,
        KL_NFT__COUNTER,
        KL_NFT__DNAT,
        KL_NFT__MASQ,
        KL_NFT__REJECT,
        KL_NFT__VERDICT,
        KL_NFT__VMAP,
        KL_NFT__NUMGEN,
};

struct kl_nft__part {
        enum kl_nft__part_kind kind;
        enum kl_nft_field field;                /* MATCH; UPDATE's key */
        bool neq;                               /* MATCH, MATCH_SET; MATCH_MARK: `!= 0` */
        union kl_nft_value value;               /* MATCH */
        unsigned prefix;                        /* MATCH on ip saddr/daddr: 0..32 */
        uint32_t bits;                          /* MATCH_MARK's mask; MARK_OR, MARK_XOR */
        enum kl_nft_field key[KL_NFT__MAX_KEY]; /* MATCH_SET, VMAP */
        size_t nkey;
        char *set;                      /* MATCH_SET, VMAP, UPDATE: owned name */
        struct kl_nft__verdict verdict; /* VERDICT */
        uint32_t ip4;                   /* DNAT, network order */
        uint16_t port;                  /* DNAT, host order; 0: none */
        bool fully_random;              /* MASQ */
        enum kl_nft_reject reject;      /* REJECT */
        struct kl_nft_set *map;         /* NUMGEN: its anonymous map */
};

struct kl_nft_rule {
        struct kl_nft_chain *chain;
        size_t index; /* 1-based position in the chain, for error messages */
        struct kl_nft__part *parts;
        size_t nparts, aparts;
        bool has_statement; /* no more matches */
        bool terminated;    /* a verdict, vmap or numgen vmap: nothing more */
};

struct kl_nft_chain {
        struct kl_nft_table *table;
        char *name;
        bool base;
        enum kl_nft_chain_type type;
        enum kl_nft_hook hook;
        int priority;
        struct kl_nft_rule **rules;
        size_t nrules, arules;
};

struct kl_nft_table {
        enum kl_nft_family family;
        char *name;
        struct kl_nft_set **sets; /* in order of creation, anonymous maps included */
        size_t nsets, asets;
        struct kl_nft_chain **chains;
        size_t nchains, achains;
        /* Indexes, keys borrowed from the objects: the builder stays O(1) per call. */
        struct kl_strmap set_index;   /* named sets (not anonymous maps) by name */
        struct kl_strmap chain_index; /* chains by name */
        struct kl_strmap updated;     /* names of the sets some rule does `update @` on */
};

struct kl_nft_chain *kl_nft__chain_find(const struct kl_nft_table *t, const char *name);

struct kl_nft_set *kl_nft__set_find(const struct kl_nft_table *t, const char *name);
/* Whether a rule of t does `update @s`: the kernel then gives the set size 65535. */
bool kl_nft__set_is_updated(const struct kl_nft_table *t, const struct kl_nft_set *s);
/* NFPROTO_IPV4 or NFPROTO_INET. */
uint8_t kl_nft__nfproto(enum kl_nft_family family);

/*
 * Linearisation (nft-linearize.c): append a message's attributes to msg.
 * Each returns 0 or a negative libnl error (-NLE_NOMEM: the message is full).
 */
int kl_nft__put_set(struct nl_msg *msg, const struct kl_nft_set *s);
/* Elements [from, to) of s, sorted as the kernel gets them. */
int kl_nft__put_set_elems(struct nl_msg *msg, const struct kl_nft_set *s, size_t from, size_t to);
/* The elements s->elems[idx[0..n)], with their data (adding) or keys alone (deleting). */
int kl_nft__put_set_elems_idx(struct nl_msg *msg, const struct kl_nft_set *s, const size_t *idx,
                              size_t n, bool with_data);

/*
 * The differences between two tables (nft-diff.c), for kl_nft_update(). The
 * lists hold pointers into `old` or `want`; kl_nft__diff_release() frees
 * only the lists.
 */
struct kl_nft__set_change {
        const struct kl_nft_set *old, *want; /* the same name in both */
        size_t *del;                         /* indices into old->elems: delete */
        size_t ndel;
        size_t *add; /* indices into want->elems: add */
        size_t nadd;
};

struct kl_nft__diff {
        bool replace; /* the tables cannot be diffed (a chain turned base or back) */
        /* Chains: flushed (old side: removed, redefined, rules changed), deleted (old
         * side: removed, redefined), created (want side: added, redefined), refilled
         * (want side: added, redefined, rules changed). */
        const struct kl_nft_chain **flush, **del_chains, **new_chains, **fill;
        size_t nflush, ndel_chains, nnew_chains, nfill;
        /* Sets: deleted (old side), created with their elements (want side). */
        const struct kl_nft_set **del_sets, **new_sets;
        size_t ndel_sets, nnew_sets;
        struct kl_nft__set_change *elems; /* kept sets whose elements differ */
        size_t nelems;
};

void kl_nft__diff(const struct kl_nft_table *old, const struct kl_nft_table *want,
                  struct kl_nft__diff *d);
bool kl_nft__diff_empty(const struct kl_nft__diff *d);
void kl_nft__diff_release_change(struct kl_nft__set_change *ch);
void kl_nft__diff_release(struct kl_nft__diff *d);
int kl_nft__put_chain(struct nl_msg *msg, const struct kl_nft_chain *c);
int kl_nft__put_rule(struct nl_msg *msg, const struct kl_nft_rule *r);

#endif /* KL_NFT_NFT_INTERNAL_H */
