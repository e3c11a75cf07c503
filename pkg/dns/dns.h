/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns: the cluster DNS server every agent runs (issue 8, DESIGN §6). It
 * answers the Kubernetes DNS specification's names (Services, their
 * endpoints, pods, reverse lookups) from two informers the caller owns
 * (Services and EndpointSlices), and forwards every other name to the node's
 * upstream resolvers, with a cache. UDP and TCP, on the caller's libuv loop.
 *
 * Two layers:
 *
 *   struct kl_dns_zone   the cluster records, built from Service and
 *                        EndpointSlice objects; pure, no I/O. With
 *                        kl_dns_answer() it is the query -> response function
 *                        the tests and the benchmark drive directly.
 *   struct kl_dns        the server: listeners, the zone kept current from
 *                        the informers, the forwarder and its cache.
 *
 * Threads: everything is loop-thread state and takes no locks; call every
 * function on the loop thread. README.md says what is answered and how.
 */
#ifndef KL_DNS_DNS_H
#define KL_DNS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "base/base.h"
#include "client/client.h"

/* The cluster domain when the configuration names none. */
#define KL_DNS_DEFAULT_DOMAIN "cluster.local"
/* The TTL of every cluster record, seconds (CoreDNS's kubernetes plugin default). */
#define KL_DNS_TTL 5

/* ------------------------------------------------------------------------- */
/* The zone and the pure answer function */

struct kl_dns_zone;

/**
 * Build the zone of `domain` (NULL: KL_DNS_DEFAULT_DOMAIN; a trailing dot is
 * ignored) from `services` and `slices`: arrays of borrowed Service and
 * EndpointSlice objects (n_services, n_slices entries; either may be NULL
 * when its count is 0). Objects that make no sense (no name, bad addresses)
 * are skipped, never fatal. Fails with -EINVAL only for a bad domain. *ret is
 * the caller's (kl_dns_zone_free()).
 */
int kl_dns_zone_new(const char *domain, const json_t *const *services, size_t n_services,
                    const json_t *const *slices, size_t n_slices, struct kl_dns_zone **ret,
                    struct kl_err **err);
/** NULL is a no-op. */
void kl_dns_zone_free(struct kl_dns_zone *z);
/** The cluster domain, lowercase, without a trailing dot. */
const char *kl_dns_zone_domain(const struct kl_dns_zone *z);

/* `max` for kl_dns_answer(): the query's own limit (UDP: its EDNS size, 512 without OPT). */
#define KL_DNS_MAX_UDP 0
/* `max` for TCP. */
#define KL_DNS_MAX_TCP 65535

enum kl_dns_answer_result {
        KL_DNS_ANSWERED = 0, /* `out` holds the response */
        KL_DNS_NOT_OURS = 1, /* outside the zone: the server forwards it; `out` untouched */
        KL_DNS_EXTERNAL = 2, /* `out` holds an answer ending in a CNAME to a name outside the
                              * cluster domain (an ExternalName Service); the server completes
                              * it by forwarding the target */
};

/**
 * Answer the DNS message `q` (len bytes) from the zone: the response is
 * appended to `out` (which should be empty) and is at most `max` bytes
 * (KL_DNS_MAX_UDP, KL_DNS_MAX_TCP, or an explicit size >= 512); what does
 * not fit is cut at a whole record and the TC bit set. Malformed queries get
 * FORMERR, other opcodes NOTIMP, EDNS versions above 0 BADVERS. Returns an
 * enum kl_dns_answer_result, or -EBADMSG when nothing may be answered (fewer
 * than 12 bytes, or a response rather than a query).
 */
int kl_dns_answer(const struct kl_dns_zone *z, const uint8_t *q, size_t len, size_t max,
                  struct kl_buf *out);

/* ------------------------------------------------------------------------- */
/* The server */

struct kl_dns;

struct kl_dns_config {
        uv_loop_t *loop;
        /*
         * Services and EndpointSlices of every namespace (borrowed; outlive the
         * server). kl_dns_new() adds its handlers, so call it before
         * kl_informer_start(). Either may be NULL (tests of the forwarder).
         */
        struct kl_informer *services, *slices;
        const char *domain; /* NULL: KL_DNS_DEFAULT_DOMAIN */
        /* "IP:PORT" or "[IPv6]:PORT" to listen on, UDP and TCP each (port 0: ephemeral). */
        const char *const *listen;
        size_t n_listen;
        /* Upstream resolvers: the nameserver lines of this file (NULL: /etc/resolv.conf). */
        const char *resolv_conf;
        /* Instead of resolv_conf: "IP:PORT" upstreams (tests; at most 3). */
        const char *const *upstreams;
        size_t n_upstreams;
        size_t cache_max;           /* cached upstream answers; 0: 10000 */
        kl_usec_t upstream_timeout; /* per upstream attempt; 0: 2 s */
        unsigned max_tcp_conns;     /* 0: 256 */
        kl_usec_t tcp_idle_timeout; /* 0: 10 s */
        unsigned max_forwards;      /* forwarded queries in flight; 0: 1024 */
};

/**
 * Read the upstreams, bind every listener (UDP and TCP) and start serving.
 * Reads resolv_conf (a small bounded file) before anything else: call it
 * before the loop runs or accept that short read. *ret is the caller's until
 * kl_dns_close(). On failure (a bad or busy address: the error names it)
 * whatever was opened is closed from the loop, so run it once more before
 * kl_loop_finish().
 */
int kl_dns_new(const struct kl_dns_config *cfg, struct kl_dns **ret, struct kl_err **err);
/** The port listener `i` (in cfg->listen order) is bound to, for tests that bind port 0. */
int kl_dns_port(const struct kl_dns *d, size_t i);
/**
 * Stop: close the listeners, every TCP connection and every forward in flight
 * (their clients get nothing), then free; `cb` (may be NULL) runs when the
 * last handle has closed. From this call on the informers' handlers do
 * nothing, but they stay registered on memory freed with the server: free the
 * informers right after this call, before the loop runs again. Call once.
 */
void kl_dns_close(struct kl_dns *d, void (*cb)(void *arg), void *arg);

/* Counters, for tests and the log. */
struct kl_dns_stats {
        uint64_t queries;   /* every query received, UDP and TCP */
        uint64_t answered;  /* from the zone */
        uint64_t forwarded; /* sent upstream (cache misses) */
        uint64_t cache_hits;
        uint64_t servfail;  /* forwarded queries that failed */
        uint64_t truncated; /* UDP answers sent with TC */
};
void kl_dns_stats(const struct kl_dns *d, struct kl_dns_stats *ret);

#endif
