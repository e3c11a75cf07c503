/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel side: a NETLINK_NETFILTER socket (libnl-3 core only), one batch
 * per transaction, the acks read back and the first error mapped to the
 * object whose message caused it.
 *
 * A batch is sent with ONE sendmsg(): nfnetlink runs it inside that call and
 * queues every ack on our socket before the call returns, so the acks are
 * then read without blocking until the queue is empty. A batch for a
 * thousand services is megabytes and thousands of acks: the socket's buffers
 * are raised past the sysctl limits (SO_*BUFFORCE, CAP_NET_ADMIN) and
 * NETLINK_CAP_ACK keeps an error ack from echoing the whole message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/macro.h"
#include "nft/nft-internal.h"

#define SOCK_BUF_SIZE (64 << 20) /* send and receive buffers */
#define MSG_MAX       (64 << 10) /* one message of the batch */
#define ELEMS_BUDGET  (MSG_MAX - 4096)
#define BATCH_MAX     ((size_t)256 << 20)
#define RECV_BUF      (64 << 10)

struct kl_nft {
        struct nl_sock *sk;
        uint32_t seq;
};

static int nlerr_to_errno(int nlerr)
{
        switch (-nlerr) {
        case NLE_PERM:
                return -EPERM;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_AGAIN:
                return -EAGAIN;
        case NLE_MSGSIZE:
                return -EMSGSIZE;
        case NLE_NOACCESS:
                return -EACCES;
        case NLE_PROTO_MISMATCH:
                return -EPROTONOSUPPORT;
        case NLE_OBJ_NOTFOUND:
                return -ENOENT;
        default:
                return -EIO;
        }
}

int kl_nft_open(struct kl_nft **ret, struct kl_err **err)
{
        struct kl_nft *nl;
        int r, fd, size = SOCK_BUF_SIZE, one = 1;

        nl = kl_new0(struct kl_nft);
        nl->sk = nl_socket_alloc();
        if (!nl->sk)
                kl_bug("nl_socket_alloc: out of memory");
        r = nl_connect(nl->sk, NETLINK_NETFILTER);
        if (r < 0) {
                r = nlerr_to_errno(r);
                kl_nft_close(nl);
                return kl_err_set(err, r, "connect to nfnetlink");
        }
        fd = nl_socket_get_fd(nl->sk);
        /* Past net.core.{w,r}mem_max as root; the plain limits otherwise. */
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void)nl_socket_set_buffer_size(nl->sk, size, size);
        (void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
        nl->seq = 1;
        *ret = nl;
        return 0;
}

void kl_nft_close(struct kl_nft *nl)
{
        if (!nl)
                return;
        nl_socket_free(nl->sk);
        free(nl);
}

/* A batch being built: the messages back to back, and what each one is. */
struct batch {
        struct kl_nft *nl;
        struct kl_buf buf;
        uint32_t first_seq;
        char **what; /* per message, by seq - first_seq; NULL for BEGIN and END */
        size_t n, alloc;
        size_t nacks;  /* messages that asked for an ack */
        char *too_big; /* what did not fit a message */
};

static void batch_release(struct batch *b)
{
        for (size_t i = 0; i < b->n; i++)
                free(b->what[i]);
        free(b->what);
        free(b->too_big);
        kl_buf_release(&b->buf);
}

typedef int (*kl_nft_fill_fn)(struct nl_msg *msg, const void *obj, size_t a, size_t z);

/*
 * Append one message; `what` (owned, may be NULL) names the object for error
 * messages. Returns 0 or -E2BIG when the object does not fit a message.
 */
static int batch_add(struct batch *b, uint16_t type, uint16_t flags, uint8_t family,
                     kl_nft_fill_fn fill, const void *obj, size_t a, size_t z, char *what)
{
        struct nl_msg *msg = nlmsg_alloc_size(MSG_MAX);
        struct nfgenmsg *g;
        struct nlmsghdr *h;
        uint32_t seq = b->nl->seq++;
        int r = 0;

        if (!msg)
                kl_bug("nlmsg_alloc_size: out of memory");
        if (b->n == 0)
                b->first_seq = seq;
        h = nlmsg_put(msg, 0, seq, type, sizeof(*g), NLM_F_REQUEST | flags);
        kl_assert(h);
        g = nlmsg_data(h);
        g->nfgen_family = family;
        g->version = NFNETLINK_V0;
        g->res_id = htons(type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END
                                  ? NFNL_SUBSYS_NFTABLES
                                  : 0);
        if (fill)
                r = fill(msg, obj, a, z);
        if (r < 0) {
                r = -E2BIG;
                free(b->too_big);
                b->too_big = what;
                what = NULL;
        } else {
                r = kl_buf_append(&b->buf, h, h->nlmsg_len);
        }
        nlmsg_free(msg);
        if (r < 0) {
                free(what);
                return r;
        }
        if (b->n == b->alloc) {
                b->alloc = b->alloc ? b->alloc * 2 : 64;
                b->what = kl_realloc(b->what, b->alloc * sizeof(*b->what));
        }
        b->what[b->n++] = what;
        if (flags & NLM_F_ACK)
                b->nacks++;
        return 0;
}

static uint16_t nft_type(int msg)
{
        return (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | msg);
}

static int fill_table(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        (void)a, (void)z;
        if (nla_put_string(msg, NFTA_TABLE_NAME, obj) < 0 ||
            nla_put_u32(msg, NFTA_TABLE_FLAGS, 0) < 0)
                return -E2BIG;
        return 0;
}

static int fill_set(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        (void)a, (void)z;
        return kl_nft__put_set(msg, obj);
}

static int fill_elems(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        return kl_nft__put_set_elems(msg, obj, a, z);
}

static int fill_chain(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        (void)a, (void)z;
        return kl_nft__put_chain(msg, obj);
}

static int fill_rule(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        (void)a, (void)z;
        return kl_nft__put_rule(msg, obj);
}

/* An upper bound of an element's bytes in NEWSETELEM. */
static size_t elem_cost(const struct kl_nft_set *s, size_t i)
{
        const struct kl_nft__verdict *v = &s->elems[i].verdict;

        return 16 + 4 + KL_NFT__MAX_KEY * 16 + 40 + (v->chain ? strlen(v->chain) + 8 : 0);
}

static int batch_set(struct batch *b, const struct kl_nft_set *s, uint8_t family)
{
        const uint16_t create = NLM_F_CREATE | NLM_F_ACK;
        size_t a = 0, cost = 0;
        int r;

        r = batch_add(b, nft_type(NFT_MSG_NEWSET), create, family, fill_set, s, 0, 0,
                      kl_asprintf("set %s", s->name));
        for (size_t i = 0; r == 0 && i <= s->nelems; i++) {
                if (i < s->nelems && cost + elem_cost(s, i) <= ELEMS_BUDGET) {
                        cost += elem_cost(s, i);
                        continue;
                }
                if (i > a)
                        r = batch_add(b, nft_type(NFT_MSG_NEWSETELEM), create, family, fill_elems,
                                      s, a, i, kl_asprintf("set %s: elements", s->name));
                a = i;
                cost = i < s->nelems ? elem_cost(s, i) : 0;
        }
        return r;
}

/*
 * Read the acks of what was just sent; return the first error ack's code and
 * the index of its message in *ret_index, 0 when every ack said yes.
 */
static int read_acks(struct kl_nft *nl, uint32_t first, size_t count, size_t nacks,
                     size_t *ret_index, struct kl_err **err)
{
        kl_autofree char *buf = kl_malloc(RECV_BUF);
        int fd = nl_socket_get_fd(nl->sk);
        size_t seen = 0;
        int first_err = 0;

        for (;;) {
                ssize_t n = recv(fd, buf, RECV_BUF, MSG_DONTWAIT);
                int len;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                if (n < 0)
                        return kl_err_set(err, -errno, "read nfnetlink acks");
                len = (int)n;
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, len);
                     h = nlmsg_next(h, &len)) {
                        const struct nlmsgerr *e;

                        /* Unsigned: sequence numbers may wrap within a batch. */
                        if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq - first >= count)
                                continue;
                        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
                                return kl_err_set(err, -EPROTO, "short nfnetlink ack");
                        e = nlmsg_data(h);
                        seen++;
                        if (e->error < 0 && first_err == 0) {
                                first_err = e->error;
                                *ret_index = h->nlmsg_seq - first;
                        }
                }
        }
        if (first_err)
                return first_err;
        if (seen < nacks)
                return kl_err_set(err, -EIO, "nfnetlink: %zu of %zu acks missing", nacks - seen,
                                  nacks);
        return 0;
}

static int batch_send(struct batch *b, struct kl_err **err)
{
        size_t bad = SIZE_MAX;
        int r;

        r = batch_add(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NULL, NULL, 0, 0, NULL);
        if (r < 0)
                return kl_err_set(err, r, "nftables batch larger than %zu bytes", BATCH_MAX);
        r = nl_sendto(b->nl->sk, b->buf.buf, b->buf.len);
        if (r < 0)
                return kl_err_set(err, nlerr_to_errno(r), "send nftables batch of %zu bytes",
                                  b->buf.len);
        r = read_acks(b->nl, b->first_seq, b->n, b->nacks, &bad, err);
        if (r < 0 && bad != SIZE_MAX) {
                const char *what = b->what[bad];

                return kl_err_set_msg(err, r, "%s: %s", what ? what : "batch", strerror(-r));
        }
        return r;
}

static void batch_begin(struct batch *b, struct kl_nft *nl)
{
        memset(b, 0, sizeof(*b));
        b->nl = nl;
        kl_buf_init(&b->buf, BATCH_MAX);
        kl_assert(batch_add(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NULL, NULL, 0, 0, NULL) == 0);
}

static const char *family_name(enum kl_nft_family f)
{
        return f == KL_NFT_INET ? "inet" : "ip";
}

static int build_replace(struct batch *b, const struct kl_nft_table *t)
{
        uint8_t fam = kl_nft__nfproto(t->family);
        const uint16_t create = NLM_F_CREATE | NLM_F_ACK;
        int r;

        /* Create the table if it is missing, so that deleting it cannot fail. */
        r = batch_add(b, nft_type(NFT_MSG_NEWTABLE), create, fam, fill_table, t->name, 0, 0,
                      kl_asprintf("table %s %s", family_name(t->family), t->name));
        if (r == 0)
                r = batch_add(b, nft_type(NFT_MSG_DELTABLE), NLM_F_ACK, fam, fill_table, t->name, 0,
                              0, kl_asprintf("table %s %s", family_name(t->family), t->name));
        if (r == 0)
                r = batch_add(b, nft_type(NFT_MSG_NEWTABLE), create | NLM_F_EXCL, fam, fill_table,
                              t->name, 0, 0,
                              kl_asprintf("table %s %s", family_name(t->family), t->name));
        /* Chains before sets: a verdict map's elements name chains. */
        for (size_t i = 0; r == 0 && i < t->nchains; i++)
                r = batch_add(b, nft_type(NFT_MSG_NEWCHAIN), create, fam, fill_chain, t->chains[i],
                              0, 0, kl_asprintf("chain %s", t->chains[i]->name));
        for (size_t i = 0; r == 0 && i < t->nsets; i++)
                r = batch_set(b, t->sets[i], fam);
        for (size_t i = 0; r == 0 && i < t->nchains; i++) {
                const struct kl_nft_chain *c = t->chains[i];

                for (size_t j = 0; r == 0 && j < c->nrules; j++) {
                        const struct kl_nft_rule *rule = c->rules[j];

                        /* An empty rule does nothing; nft would not list it either. */
                        if (!rule->nparts)
                                continue;
                        r = batch_add(b, nft_type(NFT_MSG_NEWRULE), create | NLM_F_APPEND, fam,
                                      fill_rule, rule, 0, 0,
                                      kl_asprintf("chain %s: rule %zu", c->name, rule->index));
                }
        }
        return r;
}

int kl_nft_replace(struct kl_nft *nl, const struct kl_nft_table *t, struct kl_err **err)
{
        struct batch b;
        int r;

        batch_begin(&b, nl);
        r = build_replace(&b, t);
        if (r < 0 && b.too_big)
                r = kl_err_set_msg(err, r, "%s: larger than one netlink message (%d bytes)",
                                   b.too_big, MSG_MAX);
        else if (r < 0)
                r = kl_err_set_msg(err, r, "batch larger than %zu bytes", BATCH_MAX);
        else
                r = batch_send(&b, err);
        batch_release(&b);
        if (r < 0)
                return kl_err_wrap(err, r, "replace table %s %s", family_name(t->family), t->name);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Updates: only the differences (nft-diff.c) */

static int fill_rule_flush(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        const struct kl_nft_chain *c = obj;

        (void)a, (void)z;
        if (nla_put_string(msg, NFTA_RULE_TABLE, c->table->name) < 0 ||
            nla_put_string(msg, NFTA_RULE_CHAIN, c->name) < 0)
                return -E2BIG;
        return 0;
}

static int fill_chain_name(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        const struct kl_nft_chain *c = obj;

        (void)a, (void)z;
        if (nla_put_string(msg, NFTA_CHAIN_TABLE, c->table->name) < 0 ||
            nla_put_string(msg, NFTA_CHAIN_NAME, c->name) < 0)
                return -E2BIG;
        return 0;
}

static int fill_set_name(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        const struct kl_nft_set *s = obj;

        (void)a, (void)z;
        if (nla_put_string(msg, NFTA_SET_TABLE, s->table->name) < 0 ||
            nla_put_string(msg, NFTA_SET_NAME, s->name) < 0)
                return -E2BIG;
        return 0;
}

/* Some elements of a set, by index: what fill_elems_idx() is handed. */
struct elems_idx {
        const struct kl_nft_set *s;
        const size_t *idx;
        bool with_data;
};

static int fill_elems_idx(struct nl_msg *msg, const void *obj, size_t a, size_t z)
{
        const struct elems_idx *e = obj;

        return kl_nft__put_set_elems_idx(msg, e->s, e->idx + a, z - a, e->with_data);
}

/* NEWSETELEM (adding) or DELSETELEM (deleting) of s->elems[idx[0..n)], in chunks. */
static int batch_elems_idx(struct batch *b, const struct kl_nft_set *s, const size_t *idx, size_t n,
                           bool add, uint8_t family)
{
        const struct elems_idx e = { s, idx, add };
        const uint16_t type = nft_type(add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
        const uint16_t flags = add ? NLM_F_CREATE | NLM_F_ACK : NLM_F_ACK;
        size_t a = 0, cost = 0;
        int r = 0;

        for (size_t i = 0; r == 0 && i <= n; i++) {
                if (i < n && cost + elem_cost(s, idx[i]) <= ELEMS_BUDGET) {
                        cost += elem_cost(s, idx[i]);
                        continue;
                }
                if (i > a)
                        r = batch_add(b, type, flags, family, fill_elems_idx, &e, a, i,
                                      kl_asprintf("set %s: %s elements", s->name,
                                                  add ? "add" : "delete"));
                a = i;
                cost = i < n ? elem_cost(s, idx[i]) : 0;
        }
        return r;
}

/* A chain's rules, each after the anonymous map of its numgen vmap. */
static int batch_rules(struct batch *b, const struct kl_nft_chain *c, uint8_t family)
{
        const uint16_t create = NLM_F_CREATE | NLM_F_ACK;
        int r = 0;

        for (size_t j = 0; r == 0 && j < c->nrules; j++) {
                const struct kl_nft_rule *rule = c->rules[j];

                if (!rule->nparts)
                        continue;
                for (size_t k = 0; r == 0 && k < rule->nparts; k++)
                        if (rule->parts[k].kind == KL_NFT__NUMGEN)
                                r = batch_set(b, rule->parts[k].map, family);
                if (r == 0)
                        r = batch_add(b, nft_type(NFT_MSG_NEWRULE), create | NLM_F_APPEND, family,
                                      fill_rule, rule, 0, 0,
                                      kl_asprintf("chain %s: rule %zu", c->name, rule->index));
        }
        return r;
}

/*
 * The order inside the batch: whatever refers to an object goes before the
 * object is deleted (rules by flushing their chains, then map elements), and
 * every object exists before anything refers to it (chains, then sets and
 * their elements, then rules).
 */
static int build_update(struct batch *b, const struct kl_nft__diff *d, uint8_t fam)
{
        const uint16_t create = NLM_F_CREATE | NLM_F_ACK;
        int r = 0;

        for (size_t i = 0; r == 0 && i < d->nflush; i++)
                r = batch_add(b, nft_type(NFT_MSG_DELRULE), NLM_F_ACK, fam, fill_rule_flush,
                              d->flush[i], 0, 0, kl_asprintf("chain %s: flush", d->flush[i]->name));
        for (size_t i = 0; r == 0 && i < d->nelems; i++)
                r = batch_elems_idx(b, d->elems[i].old, d->elems[i].del, d->elems[i].ndel, false,
                                    fam);
        for (size_t i = 0; r == 0 && i < d->ndel_sets; i++)
                r = batch_add(b, nft_type(NFT_MSG_DELSET), NLM_F_ACK, fam, fill_set_name,
                              d->del_sets[i], 0, 0,
                              kl_asprintf("set %s: delete", d->del_sets[i]->name));
        for (size_t i = 0; r == 0 && i < d->ndel_chains; i++)
                r = batch_add(b, nft_type(NFT_MSG_DELCHAIN), NLM_F_ACK, fam, fill_chain_name,
                              d->del_chains[i], 0, 0,
                              kl_asprintf("chain %s: delete", d->del_chains[i]->name));
        for (size_t i = 0; r == 0 && i < d->nnew_chains; i++)
                r = batch_add(b, nft_type(NFT_MSG_NEWCHAIN), create, fam, fill_chain,
                              d->new_chains[i], 0, 0,
                              kl_asprintf("chain %s", d->new_chains[i]->name));
        for (size_t i = 0; r == 0 && i < d->nnew_sets; i++)
                r = batch_set(b, d->new_sets[i], fam);
        for (size_t i = 0; r == 0 && i < d->nelems; i++)
                r = batch_elems_idx(b, d->elems[i].want, d->elems[i].add, d->elems[i].nadd, true,
                                    fam);
        for (size_t i = 0; r == 0 && i < d->nfill; i++)
                r = batch_rules(b, d->fill[i], fam);
        return r;
}

int kl_nft_update(struct kl_nft *nl, const struct kl_nft_table *old,
                  const struct kl_nft_table *want, struct kl_err **err)
{
        struct kl_nft__diff d;
        struct batch b;
        int r;

        if (!old || old->family != want->family || strcmp(old->name, want->name) != 0)
                return kl_nft_replace(nl, want, err);
        kl_nft__diff(old, want, &d);
        if (d.replace) {
                kl_nft__diff_release(&d);
                return kl_nft_replace(nl, want, err);
        }
        if (kl_nft__diff_empty(&d)) {
                /* Nothing to send: the generation stays where it is. */
                kl_nft__diff_release(&d);
                return 0;
        }
        batch_begin(&b, nl);
        r = build_update(&b, &d, kl_nft__nfproto(want->family));
        if (r < 0 && b.too_big)
                r = kl_err_set_msg(err, r, "%s: larger than one netlink message (%d bytes)",
                                   b.too_big, MSG_MAX);
        else if (r < 0)
                r = kl_err_set_msg(err, r, "batch larger than %zu bytes", BATCH_MAX);
        else
                r = batch_send(&b, err);
        batch_release(&b);
        kl_nft__diff_release(&d);
        if (r < 0)
                return kl_err_wrap(err, r, "update table %s %s", family_name(want->family),
                                   want->name);
        return 0;
}

int kl_nft_delete(struct kl_nft *nl, enum kl_nft_family family, const char *name,
                  struct kl_err **err)
{
        struct batch b;
        int r;

        kl_assert(name && strlen(name) <= KL_NFT__NAME_MAX);
        batch_begin(&b, nl);
        r = batch_add(&b, nft_type(NFT_MSG_DELTABLE), NLM_F_ACK, kl_nft__nfproto(family),
                      fill_table, name, 0, 0,
                      kl_asprintf("table %s %s", family_name(family), name));
        kl_assert(r == 0);
        r = batch_send(&b, NULL);
        batch_release(&b);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return kl_err_set(err, r, "delete table %s %s", family_name(family), name);
        return 0;
}

int kl_nft_generation(struct kl_nft *nl, uint32_t *ret, struct kl_err **err)
{
        static struct nla_policy policy[NFTA_GEN_MAX + 1] = {
                [NFTA_GEN_ID] = { .type = NLA_U32 },
        };
        kl_autofree char *buf = NULL;
        struct nl_msg *msg = nlmsg_alloc();
        uint32_t seq = nl->seq++;
        int fd = nl_socket_get_fd(nl->sk);
        struct nfgenmsg *g;
        struct nlmsghdr *h;
        int r;

        if (!msg)
                kl_bug("nlmsg_alloc: out of memory");
        h = nlmsg_put(msg, 0, seq, nft_type(NFT_MSG_GETGEN), sizeof(*g), NLM_F_REQUEST);
        kl_assert(h);
        g = nlmsg_data(h);
        g->nfgen_family = AF_UNSPEC;
        g->version = NFNETLINK_V0;
        g->res_id = 0;
        r = nl_sendto(nl->sk, h, h->nlmsg_len);
        nlmsg_free(msg);
        if (r < 0)
                return kl_err_set(err, nlerr_to_errno(r), "send nftables GETGEN");
        /* The kernel answers within the send: the reply is already queued. */
        buf = kl_malloc(RECV_BUF);
        for (;;) {
                ssize_t n = recv(fd, buf, RECV_BUF, MSG_DONTWAIT);
                int len;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return kl_err_set(err, -EIO, "nftables GETGEN: no reply");
                if (n < 0)
                        return kl_err_set(err, -errno, "read nftables GETGEN reply");
                len = (int)n;
                for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
                        struct nlattr *tb[NFTA_GEN_MAX + 1];

                        if (h->nlmsg_seq != seq)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = nlmsg_data(h);

                                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) || e->error >= 0)
                                        return kl_err_set(err, -EPROTO,
                                                          "nftables GETGEN: bad reply");
                                return kl_err_set(err, e->error, "nftables GETGEN");
                        }
                        if (h->nlmsg_type != nft_type(NFT_MSG_NEWGEN))
                                continue;
                        if (nlmsg_parse(h, sizeof(struct nfgenmsg), tb, NFTA_GEN_MAX, policy) < 0 ||
                            !tb[NFTA_GEN_ID])
                                return kl_err_set(err, -EPROTO, "nftables GETGEN: bad reply");
                        *ret = ntohl(nla_get_u32(tb[NFTA_GEN_ID]));
                        return 0;
                }
        }
}
