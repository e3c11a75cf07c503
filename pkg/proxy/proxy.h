/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proxy: the service proxy (kube-proxy's job, nftables mode) on a node.
 * Services and EndpointSlices (and the hostPorts of this node's pods) become
 * one nf_tables table, `ip kube-lite-proxy`, rendered whole and applied
 * atomically whenever they change: kl_nft_update() from the last applied
 * table (only the differences), or kl_nft_replace() when the kernel may not
 * hold that table (STYLE R7.8-R7.10).
 *
 * Three layers, each usable on its own:
 *
 *   kl_proxy_state_build()  pure: API objects (json) -> an immutable, sorted
 *                           struct kl_proxy_state (the only place JSON is read,
 *                           R9.7; objects that make no sense are skipped)
 *   kl_proxy_render()       pure: state -> struct kl_nft_table, deterministic
 *                           byte for byte (golden files, README.md has the
 *                           rules and the chain names)
 *   struct kl_proxy         the runtime on the agent's loop: informer events ->
 *                           debounce -> build the state on the loop; render
 *                           and apply on libuv's pool (at most one job in
 *                           flight) -> a periodic resync
 *                           that re-applies when the ruleset's generation moved
 *                           behind our back
 *
 * Ownership: the proxy borrows the loop and the informers; the informers must
 * outlive it (see kl_proxy_close()). The table stays in the kernel when the
 * proxy is closed, so services keep working across an agent restart;
 * kl_proxy_flush() removes it on purpose.
 *
 * Threads: everything but the pure functions runs on the loop thread.
 */
#ifndef KL_PROXY_PROXY_H
#define KL_PROXY_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "base/base.h"

struct kl_nft_table;
struct kl_informer;

/* The table the proxy owns (family ip). */
#define KL_PROXY_TABLE "kube-lite-proxy"
/* Mark bit of packets to masquerade (upstream's 0x4000). */
#define KL_PROXY_MASQ_MARK 0x4000u
/* sessionAffinity ClientIP without timeoutSeconds (upstream's default, 3 h). */
#define KL_PROXY_AFFINITY_DEFAULT_TIMEOUT 10800u

/* The node's network facts the state depends on. Strings borrowed for the call. */
struct kl_proxy_net {
        const char *node_name;    /* endpoints with this nodeName are local; pods are filtered */
        const char *cluster_cidr; /* "10.42.0.0/16", required */
        const char *cluster_dns;  /* "10.43.0.10" or NULL: no DNS redirect */
        const char *dns_address;  /* where the node's DNS server listens ("10.42.1.1") */
        uint16_t dns_port;        /* its port; 0: 53 */
};

/* ------------------------------------------------------------------------- */
/* The pure part */

struct kl_proxy_state;

/**
 * Build the desired state from API objects (borrowed): Services,
 * EndpointSlices (discovery.k8s.io/v1) and Pods (only this node's are used,
 * for their hostPorts; may be 0). Objects and fields that are malformed or
 * not handled (IPv6, ExternalName, headless, unknown protocols, names that
 * are not DNS labels) are skipped, never an error. Fails with -EINVAL only
 * for a bad `net` (the CIDR or an address). The result is sorted: services
 * by namespace/name, ports by name, endpoints by IP. *ret owned.
 */
int kl_proxy_state_build(const struct kl_proxy_net *net, const json_t *const *services,
                         size_t n_services, const json_t *const *slices, size_t n_slices,
                         const json_t *const *pods, size_t n_pods, struct kl_proxy_state **ret,
                         struct kl_err **err);
void kl_proxy_state_free(struct kl_proxy_state *s); /* NULL is a no-op */
/* Services that render something (for logs and benchmarks). */
size_t kl_proxy_state_services(const struct kl_proxy_state *s);

/** The table `ip kube-lite-proxy` for `s`. Owned by the caller (kl_nft_table_free()). */
struct kl_nft_table *kl_proxy_render(const struct kl_proxy_state *s);

/* ------------------------------------------------------------------------- */
/* The runtime */

struct kl_proxy;

/* What one successful apply did (borrowed for the callback). */
struct kl_proxy_sync_info {
        uint64_t syncs;       /* successful applies so far, this one included */
        bool resync;          /* a repair by the periodic resync, not a change */
        kl_usec_t built_at;   /* kl_now_monotonic() when the informers were read */
        kl_usec_t applied_at; /* kl_now_monotonic() when the kernel had committed */
        kl_usec_t build_usec; /* state (on the loop) + render (on the pool) */
        kl_usec_t apply_usec; /* kl_nft_update() or kl_nft_replace(), on the pool */
        size_t services;      /* kl_proxy_state_services() of what was applied */
        bool replaced;        /* the table was replaced whole, not updated */
};
typedef void kl_proxy_applied_fn(void *arg, const struct kl_proxy_sync_info *info);

struct kl_proxy_config {
        uv_loop_t *loop;                 /* borrowed */
        struct kl_informer *services;    /* core/v1 services, every namespace; borrowed */
        struct kl_informer *slices;      /* discovery.k8s.io/v1 endpointslices; borrowed */
        struct kl_informer *pods;        /* this node's pods, or NULL (no hostPorts); borrowed */
        struct kl_proxy_net net;         /* strings copied */
        uint64_t debounce_ms;            /* quiet time after the last change; 0: 10 ms */
        uint64_t resync_ms;              /* generation check period; 0: 30 s */
        kl_proxy_applied_fn *on_applied; /* after each successful apply, or NULL */
        void *arg;
};

/**
 * A proxy on cfg->loop. It adds its handlers to the informers, so call it
 * BEFORE kl_informer_start() of each. Nothing is applied until
 * kl_proxy_start() and until every informer has synced (an agent restarting
 * must not replace a working table by an empty one). Fails with -EINVAL for
 * a bad cfg->net.
 */
int kl_proxy_new(const struct kl_proxy_config *cfg, struct kl_proxy **ret, struct kl_err **err);
/** Start: the first apply follows the informers' sync; then changes and resyncs. */
int kl_proxy_start(struct kl_proxy *p, struct kl_err **err);
/**
 * Stop and free. The table stays in the kernel. Free the informers first:
 * their handlers point at the proxy. The memory goes once the timers have
 * closed and an apply in flight has finished (its result is dropped), so run
 * the loop afterwards, as for any handle. NULL is a no-op.
 */
void kl_proxy_close(struct kl_proxy *p);

/* Counters, for logs, tests and the benchmark. */
struct kl_proxy_stats {
        uint64_t syncs;    /* successful applies */
        uint64_t failures; /* failed applies (each retried after 1 s) */
        uint64_t resyncs;  /* applies made by the resync because the generation moved */
        uint64_t replaces; /* applies that replaced the table whole (the rest: updates) */
        kl_usec_t last_build_usec, last_apply_usec;
};
void kl_proxy_stats(const struct kl_proxy *p, struct kl_proxy_stats *ret);

/**
 * Delete the table `ip kube-lite-proxy` now (blocking: one netlink round
 * trip; `kube-lite agent --cleanup`-style use, not on a running proxy's loop).
 * 0 when it was not there.
 */
int kl_proxy_flush(struct kl_err **err);

#endif /* KL_PROXY_PROXY_H */
