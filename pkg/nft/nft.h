/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nf_tables over nfnetlink, with nothing but libnl-3: a table described in
 * memory, printed as `nft list table` prints it, and put into the kernel in
 * one atomic transaction.
 *
 * Why our own: libnftables, libnftnl and libmnl cannot be built into the static
 * binary (their sources are not in the archive we build from, ENVIRONMENT.md),
 * and the `nft` binary is not there at run time. nf_tables is plain netlink,
 * so this module linearises a small vocabulary of matches and statements into
 * the kernel's expressions (payload, meta, cmp, bitwise, lookup, immediate,
 * nat, masq, numgen, fib, reject, dynset, counter) itself — the subset the
 * service proxy and the pod network need, not all of nft.
 *
 * The model: a caller builds a whole `struct kl_nft_table` (sets and maps with
 * their elements, chains, rules) and hands it to kl_nft_replace(): one batch
 * that creates the table if it is missing, deletes it, and creates it again
 * with everything in it; or, keeping the table it applied last, to
 * kl_nft_update(), which sends only the differences. The kernel applies the batch as one
 * transaction: no packet ever sees half a ruleset, and a failing message leaves the previous table
 * untouched. Each owner (the proxy, the pod network) has its own table and never touches anything
 * else.
 *
 * kl_nft_print() writes exactly what Debian's nft 1.0.6 prints for
 * `nft list table FAMILY NAME` once the table is in the kernel: golden-file
 * tests read it without privileges, and e2e tests compare it with the kernel's
 * own listing.
 *
 * Ownership: the table owns its sets, chains and rules; every string passed in
 * is copied. Builder calls abort on out-of-memory and assert on programmer
 * errors (a name too long, a value of the wrong type); nothing is checked
 * against the kernel until kl_nft_replace(). Not thread-safe; a table is built
 * and used by one thread.
 */
#ifndef KL_NFT_NFT_H
#define KL_NFT_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum kl_nft_family {
        KL_NFT_IP,   /* "ip": IPv4 only */
        KL_NFT_INET, /* "inet": both */
};

/* What a match, a set key or a map's data reads from the packet or holds. */
enum kl_nft_field {
        KL_NFT_IP_SADDR,       /* ip saddr          (ipv4_addr) */
        KL_NFT_IP_DADDR,       /* ip daddr          (ipv4_addr) */
        KL_NFT_L4PROTO,        /* meta l4proto      (inet_proto) */
        KL_NFT_TH_DPORT,       /* th dport          (inet_service) */
        KL_NFT_MARK,           /* meta mark         (mark) */
        KL_NFT_IIFNAME,        /* iifname           (ifname) */
        KL_NFT_OIFNAME,        /* oifname           (ifname) */
        KL_NFT_FIB_DADDR_TYPE, /* fib daddr type (fib_addrtype; only in matches) */
};

/* One value of a field: which member is read follows the field's type. */
union kl_nft_value {
        uint32_t ip4;  /* network byte order */
        uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP */
        uint16_t port; /* host byte order */
        uint32_t mark;
        char ifname[16];   /* IFNAMSIZ, NUL-terminated */
        uint32_t addrtype; /* RTN_LOCAL, ... (fib daddr type) */
};

enum kl_nft_verdict_code {
        KL_NFT_ACCEPT,
        KL_NFT_DROP,
        KL_NFT_RETURN,
        KL_NFT_JUMP, /* chain required */
        KL_NFT_GOTO, /* chain required */
};

struct kl_nft_verdict {
        enum kl_nft_verdict_code code;
        const char *chain; /* JUMP and GOTO: a chain of the same table */
};

enum kl_nft_chain_type {
        KL_NFT_CHAIN_FILTER,
        KL_NFT_CHAIN_NAT
};
enum kl_nft_hook {
        KL_NFT_PREROUTING,
        KL_NFT_INPUT,
        KL_NFT_FORWARD,
        KL_NFT_OUTPUT,
        KL_NFT_POSTROUTING,
};

enum kl_nft_reject {
        KL_NFT_REJECT_ICMP_HOST_UNREACH, /* `reject` (nft's default: icmp port-unreachable)
                                          * is not what a missing service should say */
        KL_NFT_REJECT_ICMP_PORT_UNREACH,
        KL_NFT_REJECT_TCP_RESET, /* only after a `meta l4proto tcp` match */
};

/* Set flags (kl_nft_set_add). */
#define KL_NFT_SET_TIMEOUT (1u << 0) /* elements expire (`flags timeout`) */
#define KL_NFT_SET_DYNAMIC (1u << 1) /* the ruleset adds elements (`update @set`) */

struct kl_nft_table;
struct kl_nft_set;
struct kl_nft_chain;
struct kl_nft_rule;

struct kl_nft_table *kl_nft_table_new(enum kl_nft_family family, const char *name);
void kl_nft_table_free(struct kl_nft_table *t); /* NULL is a no-op */

/*
 * A set (data_type KL_NFT_SET_ONLY) or a verdict map (KL_NFT_VERDICT_DATA) of
 * `nkey` (1..4) concatenated key fields; maps to other data are not supported.
 * timeout_s is the elements' default lifetime with KL_NFT_SET_TIMEOUT (0:
 * none). Sets appear in the listing in the order they were added. Elements
 * of a timeout set are printed without the `expires` nft adds (it depends on
 * the clock): compare such sets with the kernel only when empty.
 */
#define KL_NFT_SET_ONLY     (-1)
#define KL_NFT_VERDICT_DATA (-2)
struct kl_nft_set *kl_nft_set_add(struct kl_nft_table *t, const char *name,
                                  const enum kl_nft_field *key, size_t nkey, int data_type,
                                  unsigned flags, uint32_t timeout_s);
/* An element: `nkey` values in key order; `verdict` for verdict maps, else NULL. */
void kl_nft_set_elem(struct kl_nft_set *s, const union kl_nft_value *key,
                     const struct kl_nft_verdict *verdict);

/* A regular chain, or a base chain on a hook (policy accept). */
struct kl_nft_chain *kl_nft_chain_add(struct kl_nft_table *t, const char *name);
struct kl_nft_chain *kl_nft_base_chain_add(struct kl_nft_table *t, const char *name,
                                           enum kl_nft_chain_type type, enum kl_nft_hook hook,
                                           int priority);

/*
 * A rule, appended to its chain. It is filled in order — matches first, then
 * statements, at most one verdict or vmap last — and printed in that order.
 */
struct kl_nft_rule *kl_nft_rule_add(struct kl_nft_chain *c);

/* `FIELD [!=] VALUE`; for ip saddr/daddr `prefix` < 32 makes it a CIDR match. */
void kl_nft_match(struct kl_nft_rule *r, enum kl_nft_field f, bool neq, const union kl_nft_value *v,
                  unsigned prefix);
/* `meta mark & MASK == 0` (is_zero) or `!= 0`. */
void kl_nft_match_mark(struct kl_nft_rule *r, uint32_t mask, bool is_zero);
/* `FIELD . FIELD ... [!=] @set`. */
void kl_nft_match_set(struct kl_nft_rule *r, const enum kl_nft_field *key, size_t nkey, bool neq,
                      const char *set);

/* `meta mark set meta mark | bits` / `^ bits`. */
void kl_nft_mark_or(struct kl_nft_rule *r, uint32_t bits);
void kl_nft_mark_xor(struct kl_nft_rule *r, uint32_t bits);
/* `update @set { ip saddr }` (a dynamic set keyed by one field). */
void kl_nft_update_set(struct kl_nft_rule *r, const char *set, enum kl_nft_field key);
void kl_nft_counter(struct kl_nft_rule *r);
/* `dnat to ADDR[:PORT]` (port 0 keeps the destination port). */
void kl_nft_dnat(struct kl_nft_rule *r, uint32_t ip4, uint16_t port);
void kl_nft_masquerade(struct kl_nft_rule *r, bool fully_random);
void kl_nft_reject(struct kl_nft_rule *r, enum kl_nft_reject how);

/* Terminal parts. */
void kl_nft_verdict(struct kl_nft_rule *r, const struct kl_nft_verdict *v);
/* `FIELD . FIELD ... vmap @map`. */
void kl_nft_vmap(struct kl_nft_rule *r, const enum kl_nft_field *key, size_t nkey, const char *map);
/* `numgen random mod N vmap { 0 : goto C0, 1 : goto C1, ... }` — load balancing. */
void kl_nft_numgen_vmap(struct kl_nft_rule *r, const char *const *chains, size_t n);

/* The table as `nft list table FAMILY NAME` prints it (nft 1.0.6), appended to out. */
void kl_nft_print(const struct kl_nft_table *t, struct kl_buf *out);

/*
 * The kernel side: a NETLINK_NETFILTER socket in the calling thread's network
 * namespace (CAP_NET_ADMIN there).
 */
struct kl_nft;
int kl_nft_open(struct kl_nft **ret, struct kl_err **err);
void kl_nft_close(struct kl_nft *nl); /* NULL is a no-op */

/*
 * Replace the table of t's family and name by t, in one transaction. On
 * failure the kernel keeps what it had and err names the failing object
 * ("chain svc-web-http: rule 3: Invalid argument").
 */
int kl_nft_replace(struct kl_nft *nl, const struct kl_nft_table *t, struct kl_err **err);
/*
 * Turn the kernel's table, assumed to be `old` (what the caller last applied
 * successfully), into `want`, in one transaction that sends only the
 * differences: chains and sets added and deleted, the rules of a chain that
 * changed flushed and added again, set and map elements added and deleted
 * one by one. A set whose definition did not change keeps the elements the
 * kernel holds beyond `old`'s (a dynamic timeout set's clients stay pinned).
 * A base chain whose type, hook or priority changed and a set whose key,
 * flags or timeout changed are deleted and created again. Nothing is sent
 * when there is no difference (the generation does not move).
 *
 * A full kl_nft_replace() instead: old NULL, another family or name, or a
 * chain turning into a base chain or back. When the kernel is not `old` (a
 * failed transaction since, somebody else's change) the result is undefined:
 * the caller replaces instead. Errors as kl_nft_replace(); on failure the
 * kernel keeps what it had. Chains and sets created by an update come after
 * the kept ones in `nft list` (the kernel lists in creation order), so the
 * listing equals kl_nft_print(want) only up to the order of those blocks.
 */
int kl_nft_update(struct kl_nft *nl, const struct kl_nft_table *old,
                  const struct kl_nft_table *want, struct kl_err **err);
/* Delete the table if it exists (0 either way). */
int kl_nft_delete(struct kl_nft *nl, enum kl_nft_family family, const char *name,
                  struct kl_err **err);
/*
 * The ruleset's generation id: every transaction anyone commits in this
 * namespace changes it. A periodic resync reads it right after its own
 * kl_nft_replace() and re-applies when it has moved since (rules changed
 * behind its back) — one cheap message instead of a dump and a compare.
 */
int kl_nft_generation(struct kl_nft *nl, uint32_t *ret, struct kl_err **err);

#endif /* KL_NFT_NFT_H */
