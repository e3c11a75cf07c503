/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's share of the cluster network (README.md "The node's network"):
 * pkg/net (the bridge, one veth per pod, the routes to the other nodes'
 * pods), pkg/proxy (Services as nftables rules) and pkg/dns (the cluster
 * DNS), put together on the agent's loop.
 *
 * Nothing can be set up before the server has given the Node its
 * spec.podCIDR, so the node starts NotReady ("network not ready", as
 * upstream's kubelet says while its CNI plugin is missing) and a nodes
 * informer waits for it. Then, on the pool: kl_net_new(). Back on the loop:
 * the informers of Services, EndpointSlices and the node's pods, the proxy
 * (which DNATs the cluster DNS address to this node's DNS server) and the
 * DNS server on the node's gateway address, port 53; the node turns Ready.
 * From then on every change of the Nodes (peers come, go, get their
 * podCIDR) reprograms the routes to the other nodes, on the pool, at most
 * one run in flight and one more queued.
 *
 * pkg/net talks netlink synchronously and enters pods' namespaces: its calls
 * run on pool threads only, one at a time (`lock`). The pod workers call
 * kl_agent__network_pod_*() from their pool jobs; the struct outlives them:
 * kl_agent__network_stop() closes what runs on the loop, and
 * kl_agent__network_free() (after the pod workers are gone) frees the rest.
 * The kernel state stays: pods keep their addresses and routes, and rules
 * keep working while an agent restarts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent-internal.h"
#include "api/resource.h"
#include "dns/dns.h"
#include "loop/loop.h"
#include "proxy/proxy.h"

#define SETUP_RETRY_MS 2000
#define NOT_READY_MSG                                                              \
        "container runtime network not ready: NetworkReady=false "                 \
        "reason:NetworkPluginNotReady message:kube-lite: the node has no podCIDR " \
        "yet"

struct kl_agent__network {
        uv_loop_t *loop;
        struct kl_client *client;
        void (*on_ready)(void *arg);
        void *on_ready_arg;
        char *node_name;
        char *node_ip;
        char *state_dir;
        char *cluster_cidr;
        char *cluster_dns;
        char *cluster_domain;
        char *resolv_conf;
        enum kl_net_backend backend;

        struct kl_informer *nodes;
        struct kl_informer *services, *slices, *pods;
        struct kl_proxy *proxy;
        struct kl_dns *dns;

        pthread_mutex_t lock; /* pkg/net: one call at a time; guards net, ready */
        struct kl_net *net;   /* NULL until set up */
        bool ready;
        /*
         * Pods given an address since the last kl_agent__network_gc(): its
         * list of live pods was taken on the loop before it ran, and may
         * miss a pod whose worker started in between.
         */
        char **fresh;

        char *pod_cidr; /* the one set up */
        char gateway[INET_ADDRSTRLEN];
        bool setup_busy; /* kl_net_new() on the pool */
        uv_timer_t retry;
        bool retry_open;

        bool peers_busy;
        bool peers_dirty;

        unsigned refs; /* 1 until stopped, + pool work, + open handles */
        bool stopped;
        void (*stopped_cb)(void *arg);
        void *stopped_arg;
};

static void network_unref(struct kl_agent__network *n)
{
        kl_assert(n->refs > 0);
        if (--n->refs > 0)
                return;
        if (n->stopped_cb)
                n->stopped_cb(n->stopped_arg);
}

/* ------------------------------------------------------------------------- */
/* The pod workers' side (pool threads) */

int kl_agent__network_pod_add(struct kl_agent__network *n, const char *uid, const char *netns,
                              char ip[INET_ADDRSTRLEN], struct kl_err **err)
{
        struct kl_net_pod p;
        int r;

        kl_loop_assert_not_loop_thread();
        pthread_mutex_lock(&n->lock);
        if (!n->ready) {
                pthread_mutex_unlock(&n->lock);
                return kl_err_set(err, -EAGAIN, "the node's network is not ready yet");
        }
        r = kl_net_pod_add(n->net, uid, netns, &p, err);
        if (r >= 0 && !kl_strv_contains(n->fresh, uid))
                kl_strv_push(&n->fresh, uid);
        pthread_mutex_unlock(&n->lock);
        if (r < 0)
                return r;
        (void)snprintf(ip, INET_ADDRSTRLEN, "%s", p.ip);
        return 0;
}

void kl_agent__network_pod_del(struct kl_agent__network *n, const char *uid, const char *netns)
{
        kl_autoerr struct kl_err *e = NULL;

        kl_loop_assert_not_loop_thread();
        pthread_mutex_lock(&n->lock);
        if (n->net && kl_net_pod_del(n->net, uid, netns, &e) < 0)
                kl_log_err(KL_LOG_WARN, KL_LOG_NET, e, "free the network of pod %s", uid);
        pthread_mutex_unlock(&n->lock);
}

void kl_agent__network_gc(struct kl_agent__network *n, const char *const *live, size_t n_live)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree const char **keep = NULL;
        size_t n_keep = 0;
        int r = 0;

        kl_loop_assert_not_loop_thread();
        pthread_mutex_lock(&n->lock);
        keep = kl_calloc(n_live + kl_strv_length(n->fresh) + 1, sizeof(*keep));
        for (size_t i = 0; i < n_live; i++)
                keep[n_keep++] = live[i];
        for (size_t i = 0; n->fresh && n->fresh[i]; i++)
                keep[n_keep++] = n->fresh[i];
        if (n->ready)
                r = kl_net_gc(n->net, keep, n_keep, &e);
        kl_strv_free(n->fresh);
        n->fresh = NULL;
        pthread_mutex_unlock(&n->lock);
        if (r < 0)
                kl_log_err(KL_LOG_WARN, KL_LOG_NET, e, "free the networks of gone pods");
        else if (r > 0)
                kl_log_info(KL_LOG_NET, "freed the networks of %d gone pods", r);
}

/* ------------------------------------------------------------------------- */
/* Routes to the other nodes */

struct peers_job {
        struct kl_agent__network *n;
        struct kl_net_peer *peers;
        char **strings; /* what the peers point into */
        size_t n_peers;
        int changed;
        struct kl_err *err;
};

static const char *node_internal_ip(const json_t *node)
{
        const json_t *a;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(node, "status"), "addresses"), i, a)
                if (kl_streq_null(json_string_value(json_object_get(a, "type")), "InternalIP"))
                        return json_string_value(json_object_get(a, "address"));
        return NULL;
}

static const char *node_pod_cidr(const json_t *node)
{
        return json_string_value(json_object_get(json_object_get(node, "spec"), "podCIDR"));
}

static void peers_work(void *arg)
{
        struct peers_job *job = arg;

        pthread_mutex_lock(&job->n->lock);
        job->changed = kl_net_set_peers(job->n->net, job->peers, job->n_peers, &job->err);
        pthread_mutex_unlock(&job->n->lock);
}

static void peers_sync(struct kl_agent__network *n);

static void peers_done(void *arg, int status)
{
        struct peers_job *job = arg;
        struct kl_agent__network *n = job->n;

        if (status == 0 && job->changed < 0)
                kl_log_err(KL_LOG_WARN, KL_LOG_NET, job->err, "routes to the other nodes");
        else if (status == 0 && job->changed > 0)
                kl_log_debug(KL_LOG_NET, "routes to %zu other nodes: %d changes", job->n_peers,
                             job->changed);
        kl_err_free(job->err);
        kl_strv_free(job->strings);
        free(job->peers);
        free(job);
        n->peers_busy = false;
        if (!n->stopped && n->peers_dirty)
                peers_sync(n);
        network_unref(n);
}

/* Every other node with an address and a podCIDR; pkg/net skips our own. */
static void peers_sync(struct kl_agent__network *n)
{
        struct kl_objv all = { 0 };
        struct peers_job *job;

        if (n->stopped || !n->ready)
                return;
        if (n->peers_busy) {
                n->peers_dirty = true;
                return;
        }
        n->peers_dirty = false;
        job = kl_new0(struct peers_job);
        job->n = n;
        kl_informer_list(n->nodes, NULL, &all);
        job->peers = kl_calloc(all.n + 1, sizeof(*job->peers));
        for (size_t i = 0; i < all.n; i++) {
                const char *name = json_string_value(
                        json_object_get(json_object_get(all.items[i], "metadata"), "name"));
                const char *ip = node_internal_ip(all.items[i]);
                const char *cidr = node_pod_cidr(all.items[i]);

                if (!name || !ip || !cidr || kl_streq(name, n->node_name))
                        continue;
                kl_strv_push(&job->strings, name);
                kl_strv_push(&job->strings, ip);
                kl_strv_push(&job->strings, cidr);
        }
        kl_objv_clear(&all);
        for (size_t i = 0; job->strings && job->strings[i]; i += 3)
                job->peers[job->n_peers++] =
                        (struct kl_net_peer){ .node_name = job->strings[i],
                                              .node_ip = job->strings[i + 1],
                                              .pod_cidr = job->strings[i + 2] };
        n->peers_busy = true;
        n->refs++;
        kl_assert(kl_loop_run_blocking(n->loop, peers_work, peers_done, job) == 0);
}

/* ------------------------------------------------------------------------- */
/* Services and DNS, once the bridge exists */

static int start_services(struct kl_agent__network *n, struct kl_err **err)
{
        const struct kl_api_resource *svc = kl_api_resource_find("", "v1", "services");
        const struct kl_api_resource *eps =
                kl_api_resource_find("discovery.k8s.io", "v1", "endpointslices");
        const struct kl_api_resource *pods = kl_api_resource_find("", "v1", "pods");
        kl_autofree char *node_sel = kl_asprintf("spec.nodeName=%s", n->node_name);
        kl_autofree char *listen = kl_asprintf("%s:53", n->gateway);
        const char *listens[] = { listen };
        int r;

        r = kl_informer_new(n->client, svc, NULL, NULL, NULL, &n->services, err);
        if (r >= 0)
                r = kl_informer_new(n->client, eps, NULL, NULL, NULL, &n->slices, err);
        if (r >= 0)
                r = kl_informer_new(n->client, pods, NULL, NULL, node_sel, &n->pods, err);
        if (r < 0)
                return r;
        {
                struct kl_proxy_config pc = {
                        .loop = n->loop,
                        .services = n->services,
                        .slices = n->slices,
                        .pods = n->pods,
                        .net = { .node_name = n->node_name,
                                 .cluster_cidr = n->cluster_cidr,
                                 .cluster_dns = n->cluster_dns,
                                 .dns_address = n->gateway,
                                 .dns_port = 53 },
                };

                r = kl_proxy_new(&pc, &n->proxy, err);
                if (r < 0)
                        return r;
        }
        {
                struct kl_dns_config dc = {
                        .loop = n->loop,
                        .services = n->services,
                        .slices = n->slices,
                        .domain = n->cluster_domain,
                        .listen = listens,
                        .n_listen = 1,
                        .resolv_conf = n->resolv_conf,
                };

                r = kl_dns_new(&dc, &n->dns, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "the cluster DNS on %s", listen);
                n->refs++; /* until its close callback */
        }
        (void)kl_informer_start(n->services, NULL);
        (void)kl_informer_start(n->slices, NULL);
        (void)kl_informer_start(n->pods, NULL);
        return kl_proxy_start(n->proxy, err);
}

/* ------------------------------------------------------------------------- */
/* Setting up the node */

struct setup_job {
        struct kl_agent__network *n;
        char *pod_cidr;
        struct kl_net *net;
        struct kl_err *err;
        int r;
};

static void setup_work(void *arg)
{
        struct setup_job *job = arg;
        struct kl_agent__network *n = job->n;
        struct kl_net_config cfg = {
                .state_dir = n->state_dir,
                .pod_cidr = job->pod_cidr,
                .cluster_cidr = n->cluster_cidr,
                .node_ip = n->node_ip,
                .backend = n->backend,
        };

        job->r = kl_net_new(&cfg, &job->net, &job->err);
}

/* The first address of the pod CIDR: the bridge's, where the DNS server listens. */
static int gateway_of(const char *cidr, char ret[INET_ADDRSTRLEN])
{
        uint32_t addr;
        unsigned prefix;
        struct in_addr in;

        if (kl_parse_ipv4_cidr(cidr, &addr, &prefix) < 0 || prefix > 30)
                return -EINVAL;
        in.s_addr = htonl((addr & kl_ipv4_mask(prefix)) + 1);
        return inet_ntop(AF_INET, &in, ret, INET_ADDRSTRLEN) ? 0 : -EINVAL;
}

static void maybe_setup(struct kl_agent__network *n);

static void on_retry(uv_timer_t *t)
{
        maybe_setup(t->data);
}

static void setup_done(void *arg, int status)
{
        struct setup_job *job = arg;
        struct kl_agent__network *n = job->n;
        kl_autoerr struct kl_err *e = NULL;

        n->setup_busy = false;
        if (n->stopped || status < 0 || job->r < 0) {
                if (!n->stopped)
                        kl_log_err(KL_LOG_WARN, KL_LOG_NET, job->err,
                                   "set up the pod network for %s, will retry", job->pod_cidr);
                kl_net_free(job->net);
                if (!n->stopped)
                        uv_timer_start(&n->retry, on_retry, SETUP_RETRY_MS, 0);
                goto out;
        }
        pthread_mutex_lock(&n->lock);
        n->net = KL_TAKE_PTR(job->net);
        n->ready = true;
        pthread_mutex_unlock(&n->lock);
        n->pod_cidr = KL_TAKE_PTR(job->pod_cidr);
        kl_log_info(KL_LOG_NET, "pod network %s (%s, MTU %u) on %s", n->pod_cidr,
                    kl_net_backend_name(n->backend), kl_net_mtu(n->net), KL_NET_BRIDGE);
        if (start_services(n, &e) < 0)
                /* Pods still get addresses; Services wait for an agent restart. */
                kl_log_err(KL_LOG_ERROR, KL_LOG_NET, e, "the service proxy and cluster DNS");
        if (n->on_ready)
                n->on_ready(n->on_ready_arg);
        peers_sync(n);
out:
        kl_err_free(job->err);
        free(job->pod_cidr);
        free(job);
        network_unref(n);
}

static void maybe_setup(struct kl_agent__network *n)
{
        const json_t *self = kl_informer_get(n->nodes, NULL, n->node_name);
        const char *cidr = node_pod_cidr(self);
        struct setup_job *job;

        if (n->stopped || n->ready || n->setup_busy || !cidr ||
            uv_is_active((uv_handle_t *)&n->retry))
                return;
        if (gateway_of(cidr, n->gateway) < 0) {
                kl_log_error(KL_LOG_NET, "node %s: spec.podCIDR `%s` is not an IPv4 CIDR",
                             n->node_name, cidr);
                return;
        }
        job = kl_new0(struct setup_job);
        job->n = n;
        job->pod_cidr = kl_strdup(cidr);
        n->setup_busy = true;
        n->refs++;
        kl_assert(kl_loop_run_blocking(n->loop, setup_work, setup_done, job) == 0);
}

static void on_node(void *arg, const json_t *obj)
{
        struct kl_agent__network *n = arg;

        (void)obj;
        if (n->ready)
                peers_sync(n);
        else
                maybe_setup(n);
}

static void on_node_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        on_node(arg, obj);
}

/* ------------------------------------------------------------------------- */

int kl_agent__network_start(struct kl_client *client, const struct kl_agent__network_options *o,
                            struct kl_agent__network **ret, struct kl_err **err)
{
        const struct kl_api_resource *nodes = kl_api_resource_find("", "v1", "nodes");
        struct kl_agent__network *n;
        struct kl_informer_handler h = { .on_add = on_node,
                                         .on_update = on_node_update,
                                         .on_delete = on_node };
        int r;

        if (kl_isempty(o->node_ip))
                return kl_err_set(err, -EINVAL, "the pod network needs the node's IP (--node-ip)");
        n = kl_new0(struct kl_agent__network);
        r = kl_informer_new(client, nodes, NULL, NULL, NULL, &n->nodes, err);
        if (r < 0) {
                free(n);
                return r;
        }
        n->loop = client->loop;
        n->client = client;
        n->on_ready = o->on_ready;
        n->on_ready_arg = o->on_ready_arg;
        n->node_name = kl_strdup(o->node_name);
        n->node_ip = kl_strdup(o->node_ip);
        n->state_dir = kl_asprintf("%s/net", o->state_dir);
        n->cluster_cidr = kl_strdup(o->cluster_cidr ? o->cluster_cidr : "10.42.0.0/16");
        n->cluster_dns = kl_strdup(o->cluster_dns ? o->cluster_dns : "10.43.0.10");
        n->cluster_domain = kl_strdup(o->cluster_domain ? o->cluster_domain : "cluster.local");
        n->resolv_conf = o->resolv_conf ? kl_strdup(o->resolv_conf) : NULL;
        n->backend = o->backend;
        pthread_mutex_init(&n->lock, NULL);
        n->refs = 1;
        kl_assert(uv_timer_init(n->loop, &n->retry) == 0);
        n->retry.data = n;
        n->retry_open = true;
        n->refs++;
        h.arg = n;
        kl_informer_add_handler(n->nodes, &h);
        (void)kl_informer_start(n->nodes, NULL);
        *ret = n;
        return 0;
}

const char *kl_agent__network_not_ready(const struct kl_agent__network *n)
{
        return n && !n->ready ? NOT_READY_MSG : NULL;
}

static void on_dns_closed(void *arg)
{
        network_unref(arg);
}

static void on_retry_closed(uv_handle_t *h)
{
        network_unref(h->data);
}

void kl_agent__network_stop(struct kl_agent__network *n, void (*stopped)(void *arg), void *arg)
{
        if (!n || n->stopped)
                return;
        n->stopped = true;
        n->stopped_cb = stopped;
        n->stopped_arg = arg;
        /* kl_dns_close() first, the informers right after, then the proxy (their rules). */
        if (n->dns)
                kl_dns_close(n->dns, on_dns_closed, n);
        n->dns = NULL;
        kl_informer_free(n->services);
        kl_informer_free(n->slices);
        kl_informer_free(n->pods);
        kl_informer_free(n->nodes);
        n->services = n->slices = n->pods = n->nodes = NULL;
        kl_proxy_close(n->proxy);
        n->proxy = NULL;
        if (n->retry_open) {
                n->retry_open = false;
                uv_close((uv_handle_t *)&n->retry, on_retry_closed);
        }
        network_unref(n);
}

void kl_agent__network_free(struct kl_agent__network *n)
{
        if (!n)
                return;
        kl_net_free(n->net);
        kl_strv_free(n->fresh);
        pthread_mutex_destroy(&n->lock);
        free(n->node_name);
        free(n->node_ip);
        free(n->state_dir);
        free(n->cluster_cidr);
        free(n->cluster_dns);
        free(n->cluster_domain);
        free(n->resolv_conf);
        free(n->pod_cidr);
        free(n);
}
