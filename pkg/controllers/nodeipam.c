/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node IPAM (upstream's nodeipam controller with the range allocator): each
 * Node gets a /24 of --cluster-cidr in spec.podCIDR and spec.podCIDRs, from
 * which its agent gives pods their addresses.
 *
 * Upstream keeps the taken ranges in a bitmap in memory, filled from the
 * Nodes at start, and allocates node by node from a work queue. Here the
 * whole allocation is one key (KEY): each sync rebuilds the bitmap from the
 * Nodes the informer holds and hands a range to every Node still without
 * one. The manager never runs a key twice at once and the next sync sees
 * the writes of the last one, so two nodes can never be given the same
 * range, and a restart needs nothing stored: the Nodes are the state.
 *
 * Differences from upstream: the node mask is fixed at /24 (upstream's
 * --node-cidr-mask-size default for IPv4); the lowest free range is taken,
 * where upstream's cidrset goes round from the last range it gave out
 * until it restarts; the service CIDR is not carved out of the cluster CIDR
 * (k3s's defaults do not overlap). Exhaustion records upstream's
 * CIDRNotAvailable event on the node; the node is tried again when a node
 * holding a range is deleted or its podCIDR changes.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define DEFAULT_CLUSTER_CIDR "10.42.0.0/16"
#define KEY                  "cluster" /* the one work-queue key */

int kl_controllers__nodeipam_parse(const char *cidr, uint32_t *ret_base, unsigned *ret_prefix)
{
        uint32_t addr;
        unsigned prefix;

        if (kl_parse_ipv4_cidr(cidr, &addr, &prefix) < 0)
                return -EINVAL;
        *ret_base = addr & kl_ipv4_mask(prefix);
        *ret_prefix = prefix;
        return 0;
}

/* Upstream refuses node masks more than 16 bits longer than the cluster's. */
static int cluster_parse(const char *cidr, uint32_t *ret_base, unsigned *ret_prefix,
                         struct kl_err **err)
{
        uint32_t base = 0;
        unsigned prefix = 0;
        int r = kl_controllers__nodeipam_parse(cidr, &base, &prefix);

        if (r < 0 || prefix < KL_CTRL_NODEIPAM_NODE_PREFIX - 16 ||
            prefix > KL_CTRL_NODEIPAM_NODE_PREFIX)
                return kl_err_set(err, -EINVAL,
                                  "cluster CIDR '%s': expected an IPv4 CIDR with a prefix of %d to "
                                  "%d bits",
                                  cidr, KL_CTRL_NODEIPAM_NODE_PREFIX - 16,
                                  KL_CTRL_NODEIPAM_NODE_PREFIX);
        *ret_base = base;
        *ret_prefix = prefix;
        return 0;
}

int kl_controllers_cluster_cidr_check(const char *cidr, struct kl_err **err)
{
        uint32_t base = 0;
        unsigned prefix = 0;

        return cluster_parse(cidr, &base, &prefix, err);
}

/* The node's pod CIDRs: spec.podCIDRs, or spec.podCIDR alone (an older writer). */
static size_t node_cidrs(const json_t *node, const char **ret, size_t max)
{
        const json_t *spec = json_object_get(node, "spec");
        const json_t *list = json_object_get(spec, "podCIDRs");
        const char *one = json_string_value(json_object_get(spec, "podCIDR"));
        size_t i, n = 0;
        json_t *v;

        json_array_foreach(list, i, v) {
                if (n < max && json_string_value(v) && *json_string_value(v))
                        ret[n++] = json_string_value(v);
        }
        if (n == 0 && !kl_isempty(one) && max > 0)
                ret[n++] = one;
        return n;
}

struct ranges {
        uint32_t base;  /* the cluster CIDR's first address */
        unsigned count; /* /24s in it: at most 1 << 16 */
        uint8_t *taken; /* one byte per /24; owned */
};

/* Mark the /24s of the cluster CIDR that `cidr` overlaps. Other families, other ranges: none. */
static void ranges_occupy(struct ranges *rs, const char *cidr)
{
        uint64_t first, last, lo = rs->base, hi = rs->base + (uint64_t)rs->count * 256 - 1;
        uint32_t base;
        unsigned prefix;

        if (kl_controllers__nodeipam_parse(cidr, &base, &prefix) < 0)
                return;
        first = base;
        last = base + ((uint64_t)1 << (32 - prefix)) - 1;
        if (last < lo || first > hi)
                return;
        first = first < lo ? lo : first;
        last = last > hi ? hi : last;
        for (uint64_t i = (first - lo) >> 8; i <= (last - lo) >> 8; i++)
                rs->taken[i] = 1;
}

static int ranges_take(struct ranges *rs, char *buf, size_t size)
{
        for (unsigned i = 0; i < rs->count; i++) {
                uint32_t a = rs->base + (i << 8);

                if (rs->taken[i])
                        continue;
                rs->taken[i] = 1;
                (void)snprintf(buf, size, "%u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255,
                               (a >> 8) & 255, a & 255, KL_CTRL_NODEIPAM_NODE_PREFIX);
                return 0;
        }
        return -ENOSPC;
}

/* Oldest first (as the nodes registered), then by name: a stable order for equal times. */
static int by_age(const void *a, const void *b)
{
        const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
        const char *tx = kl_ctrl_meta_str(x, "creationTimestamp");
        const char *ty = kl_ctrl_meta_str(y, "creationTimestamp");
        int c = strcmp(tx ? tx : "", ty ? ty : "");

        if (c != 0)
                return c;
        return strcmp(kl_ctrl_meta_str(x, "name") ? kl_ctrl_meta_str(x, "name") : "",
                      kl_ctrl_meta_str(y, "name") ? kl_ctrl_meta_str(y, "name") : "");
}

int kl_controllers__nodeipam_reconcile(const char *cluster_cidr, const json_t *const *nodes,
                                       size_t n_nodes, struct kl_ctrl_actions *out,
                                       struct kl_err **err)
{
        struct ranges rs = { 0 };
        const json_t **want = NULL;
        size_t n_want = 0;
        unsigned prefix = 0;
        int r;

        r = cluster_parse(cluster_cidr, &rs.base, &prefix, err);
        if (r < 0)
                return r;
        rs.count = 1u << (KL_CTRL_NODEIPAM_NODE_PREFIX - prefix);
        rs.taken = kl_calloc(rs.count, 1);
        want = kl_calloc(n_nodes ? n_nodes : 1, sizeof(*want));
        for (size_t i = 0; i < n_nodes; i++) {
                const char *cidrs[4];
                size_t n = node_cidrs(nodes[i], cidrs, KL_ARRAY_SIZE(cidrs));

                for (size_t k = 0; k < n; k++)
                        ranges_occupy(&rs, cidrs[k]);
                if (n == 0 && !kl_ctrl_is_deleting(nodes[i]) && kl_ctrl_meta_str(nodes[i], "name"))
                        want[n_want++] = nodes[i];
        }
        qsort(want, n_want, sizeof(*want), by_age);
        for (size_t i = 0; i < n_want; i++) {
                const char *name = kl_ctrl_meta_str(want[i], "name");
                char cidr[32];

                if (ranges_take(&rs, cidr, sizeof(cidr)) < 0) {
                        /* Upstream's RecordNodeStatusChange(…, "CIDRNotAvailable"). */
                        kl_ctrl_event(out, want[i], "Normal", "CIDRNotAvailable",
                                      "Node %s status is now: %s", name, "CIDRNotAvailable");
                        continue;
                }
                /* Upstream's PatchNodeCIDRs: both fields, the list's first is the single one. */
                kl_ctrl_patch(out, kl_ctrl_res("", "nodes"), NULL, name, NULL,
                              KL_API_PATCH_TYPE_MERGE,
                              json_pack("{s{sss[s]}}", "spec", "podCIDR", cidr, "podCIDRs", cidr));
        }
        free(want);
        free(rs.taken);
        return 0;
}

static bool same_cidrs(const json_t *a, const json_t *b)
{
        const char *x[4], *y[4];
        size_t nx = node_cidrs(a, x, KL_ARRAY_SIZE(x)), ny = node_cidrs(b, y, KL_ARRAY_SIZE(y));

        if (nx != ny)
                return false;
        for (size_t i = 0; i < nx; i++)
                if (!kl_streq(x[i], y[i]))
                        return false;
        return true;
}

static bool has_cidr(const json_t *node)
{
        const char *one;

        return node_cidrs(node, &one, 1) > 0;
}

/*
 * What can change the allocation: a node without a range (to be given
 * one), a node holding one going away, a range changing hands. Heartbeats
 * of a node that is waiting for a range (exhausted) do not retry it.
 */
static void nodeipam_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                             const json_t *obj)
{
        bool added_without = !old && obj && !has_cidr(obj);
        bool deleted_with = old && !obj && has_cidr(old);
        bool changed = old && obj && !same_cidrs(old, obj);

        (void)i;
        if (added_without || deleted_with || changed)
                kl_ctrl_enqueue(c, KEY);
}

static int nodeipam_sync(const struct kl_ctrl_env *env, const char *key,
                         struct kl_ctrl_actions *out, kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv nodes = { 0 };
        const char *cidr = env->opts->cluster_cidr ? env->opts->cluster_cidr : DEFAULT_CLUSTER_CIDR;

        (void)requeue_after;
        if (!kl_streq(key, KEY))
                return 0;
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_NODES), NULL, &nodes);
        return kl_controllers__nodeipam_reconcile(cidr, nodes.items, nodes.n, out, err);
}

static void nodeipam_start(struct kl_ctrl *c)
{
        kl_ctrl_enqueue(c, KEY);
}

static const enum kl_ctrl_inf nodeipam_watches[] = {
        KL_CTRL_INF_NODES,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_nodeipam = {
        .name = "nodeipam",
        .user = "system:serviceaccount:kube-system:node-controller",
        .component = "cidrAllocator",
        .watches = nodeipam_watches,
        .enqueue = nodeipam_enqueue,
        .sync = nodeipam_sync,
        .start = nodeipam_start,
};
