/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole agent (agent.h, struct kl_agent): the runtime and the image
 * store, the Node, the pod workers and the streaming server, put together
 * the same way for `kube-lite agent` (a remote client) and the agent
 * `kube-lite server` embeds (an in-process client).
 *
 * Stopping is ordered by who uses what: the node, the pod workers and the
 * server stop at once; the runtime and the image store are freed only when
 * the last pool job of the workers, the server's last runtime call and the
 * image list refresh have finished.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent-internal.h"
#include "agent/pod-internal.h"
#include "loop/loop.h"

#define IMAGES_REFRESH (30 * KL_USEC_PER_SEC)

/* One entry of the Node's status.images: "repo@digest" and "repo:tag", and its size. */
struct node_image {
        char *names[2];
        int64_t size;
};

struct kl_agent {
        struct kl_client *client;
        uv_loop_t *loop;
        struct kl_ctr_runtime *rt;
        struct kl_rt_store *store;
        pthread_mutex_t store_lock; /* the store is one thread's at a time (rt.h) */
        struct kl_rt_pull_opts pull;
        char **insecure;

        struct kl_agent_node *node;
        struct kl_agent__network *network; /* NULL: --network-backend none */
        struct kl_agent__pods *pods;
        struct kl_agent_server *server;

        struct node_image *images; /* the store's images, for status.images */
        size_t n_images;
        uv_timer_t images_timer;
        bool images_timer_open;
        bool images_busy;

        unsigned pending; /* parts still stopping + pool jobs + open handles */
        bool stopped;
        kl_agent_stopped_fn *stopped_cb;
        void *stopped_arg;
};

static void images_free(struct node_image *imgs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(imgs[i].names[0]);
                free(imgs[i].names[1]);
        }
        free(imgs);
}

static void agent_free(struct kl_agent *a)
{
        kl_agent_stopped_fn *cb = a->stopped_cb;
        void *arg = a->stopped_arg;

        images_free(a->images, a->n_images);
        kl_agent__network_free(a->network);
        kl_rt_store_free(a->store);
        kl_ctr_runtime_free(a->rt);
        pthread_mutex_destroy(&a->store_lock);
        kl_strv_free(a->insecure);
        free(a);
        if (cb)
                cb(arg);
}

static void agent_unref(struct kl_agent *a)
{
        kl_assert(a->pending > 0);
        if (--a->pending == 0)
                agent_free(a);
}

/* ---- status.images ---- */

struct images_job {
        struct kl_agent *a;
        struct node_image *imgs;
        size_t n;
};

static void images_work(void *arg)
{
        struct images_job *j = arg;
        struct kl_agent *a = j->a;
        struct kl_rt_image *imgs = NULL;
        size_t n = 0;

        pthread_mutex_lock(&a->store_lock);
        if (kl_rt_store_image_list(a->store, &imgs, &n, NULL) < 0)
                n = 0;
        j->imgs = kl_calloc(n ? n : 1, sizeof(*j->imgs));
        for (size_t i = 0; i < n; i++) {
                kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };
                struct node_image *ni = &j->imgs[j->n];

                if (kl_rt_ref_parse(imgs[i].name, &ref, NULL) < 0 ||
                    kl_rt_image_describe(a->store, &imgs[i], NULL, &ni->size, NULL) < 0)
                        continue;
                ni->names[0] = kl_asprintf("%s/%s@%s", ref.domain, ref.path, imgs[i].digest);
                ni->names[1] = kl_strdup(imgs[i].name);
                j->n++;
        }
        pthread_mutex_unlock(&a->store_lock);
        kl_rt_images_free(imgs, n);
}

static void images_done(void *arg, int status)
{
        struct images_job *j = arg;
        struct kl_agent *a = j->a;

        (void)status;
        a->images_busy = false;
        images_free(a->images, a->n_images);
        a->images = j->imgs;
        a->n_images = j->n;
        free(j);
        agent_unref(a);
}

static void images_refresh(struct kl_agent *a)
{
        struct images_job *j;

        if (a->stopped || a->images_busy)
                return;
        j = kl_new0(struct images_job);
        j->a = a;
        a->images_busy = true;
        a->pending++;
        if (kl_loop_run_blocking(a->loop, images_work, images_done, j) < 0) {
                a->images_busy = false;
                a->pending--;
                free(j);
        }
}

static void on_images_timer(uv_timer_t *t)
{
        images_refresh(t->data);
}

static void images_cb(void *arg, struct kl_agent_images *out)
{
        const struct kl_agent *a = arg;

        for (size_t i = 0; i < a->n_images; i++)
                kl_agent_images_add(out, (const char *const *)a->images[i].names, 2,
                                    a->images[i].size);
}

/* ---- start and stop ---- */

static int open_runtime(struct kl_agent *a, const struct kl_agent_options *o, struct kl_err **err)
{
        kl_autofree char *state = kl_asprintf("%s/containers", o->state_dir);
        kl_autofree char *data = kl_asprintf("%s/agent/containers", o->data_dir);
        kl_autofree char *seccomp = kl_asprintf("%s/seccomp", o->state_dir);
        kl_autofree char *netns = kl_asprintf("%s/netns", o->state_dir);
        kl_autofree char *images = kl_asprintf("%s/agent/images", o->data_dir);
        struct kl_ctr_runtime_opts ro = {
                .state_dir = state,
                .data_dir = data,
                .cgroup_parent = o->cgroup_parent ? o->cgroup_parent : "kube-lite",
                .self_exe = o->self_exe,
                .seccomp_cache = seccomp,
                .sandbox_dir = netns,
        };
        int r = kl_ctr_runtime_open(&ro, &a->rt, err);

        if (r < 0)
                return r;
        r = kl_rt_store_open(images, &a->store, err);
        if (r < 0)
                return r;
        /* The k3s air-gap directory is the store's root: import what was dropped there. */
        r = kl_rt_import_dir(a->store, images, err);
        if (r < 0)
                return r;
        if (r > 0)
                kl_log_info(KL_LOG_AGENT, "imported %d image(s) from %s", r, images);
        return 0;
}

/* The node's allocatable for the downward API (what node-status.c reports). */
static void node_allocatable(const char *data_dir, struct kl_agent__pods_options *po)
{
        struct kl_agent__facts f = { 0 };

        kl_agent__facts_read(&f, data_dir);
        po->alloc_cpu_milli = f.cpus > 0 ? f.cpus * 1000 : 0;
        po->alloc_memory =
                f.mem_total > KL_AGENT__EVICT_MEMORY ? f.mem_total - KL_AGENT__EVICT_MEMORY : 0;
        po->alloc_ephemeral = f.fs_total > 0 ? f.fs_total / 100 * 90 : 0;
}

static void on_network_ready(void *arg)
{
        struct kl_agent *a = arg;

        if (a->node)
                kl_agent_node_set_not_ready(a->node, NULL);
}

/* The node's pod network, proxy and DNS, unless --network-backend none. */
static int start_network(struct kl_agent *a, const struct kl_agent_options *o, struct kl_err **err)
{
        enum kl_net_backend b = kl_net_backend_parse(o->network_backend ?: "vxlan");
        struct kl_agent__network_options no = {
                .node_name = o->node_name,
                .node_ip = o->node_ips ? o->node_ips[0] : NULL,
                .state_dir = o->state_dir,
                .cluster_cidr = o->cluster_cidr,
                .cluster_dns = o->cluster_dns,
                .cluster_domain = o->cluster_domain,
                .resolv_conf = o->resolv_conf,
                .backend = b,
                .on_ready = on_network_ready,
                .on_ready_arg = a,
        };

        if ((int)b < 0)
                return kl_err_set(err, -EINVAL, "unknown network backend `%s`", o->network_backend);
        if (b == KL_NET_BACKEND_NONE)
                return 0;
        return kl_agent__network_start(a->client, &no, &a->network, err);
}

int kl_agent_start(struct kl_client *client, const struct kl_agent_options *o,
                   struct kl_agent **ret, struct kl_err **err)
{
        struct kl_agent *a;
        kl_autofree char *pods_dir = NULL;
        kl_autofree char *local_dir = NULL;
        int r;

        if (kl_isempty(o->node_name) || kl_isempty(o->data_dir) || kl_isempty(o->state_dir) ||
            kl_isempty(o->version) || (!o->insecure_no_tls && kl_isempty(o->client_ca_pem)))
                return kl_err_set(err, -EINVAL,
                                  "the agent needs a node name, data and state directories, a "
                                  "version and the client CA");
        a = kl_new0(struct kl_agent);
        a->client = client;
        a->loop = client->loop;
        a->pending = 1;
        pthread_mutex_init(&a->store_lock, NULL);
        a->insecure = o->insecure_registries ? kl_strv_copy(o->insecure_registries) : NULL;
        a->pull.insecure = a->insecure;
        r = open_runtime(a, o, err);
        if (r < 0)
                goto fail;
        {
                struct kl_agent_server_options so = {
                        .loop = a->loop,
                        .runtime = a->rt,
                        .address = o->server_address,
                        .port = (uint16_t)(o->server_port < 0 ? 0 : o->server_port),
                        .client_ca_pem = o->client_ca_pem,
                        .node_name = o->node_name,
                        .node_ips = o->node_ips,
                        .insecure_no_tls = o->insecure_no_tls,
                };

                if (o->server_port == 0)
                        so.port = KL_AGENT_SERVER_PORT;
                r = kl_agent_server_start(&so, &a->server, err);
                if (r < 0)
                        goto fail;
                a->pending++;
        }
        r = start_network(a, o, err);
        if (r < 0)
                goto fail;
        pods_dir = kl_asprintf("%s/agent/pods", o->data_dir);
        local_dir = kl_asprintf("%s/agent/local-volumes", o->data_dir);
        {
                struct kl_agent__pods_options po = {
                        .node_name = o->node_name,
                        .node_ips = o->node_ips,
                        .pods_dir = pods_dir,
                        .local_volumes_dir = local_dir,
                        .log_dir = o->log_dir ? o->log_dir : "/var/log/pods",
                        .cluster_domain = o->cluster_domain,
                        .cluster_dns = a->network ? (o->cluster_dns ?: "10.43.0.10") : NULL,
                        .resolv_conf = o->resolv_conf,
                        .network = a->network,
                        .rt = a->rt,
                        .images = a->store,
                        .images_lock = &a->store_lock,
                        .pull = &a->pull,
                        .backoff = { o->backoff_base, o->backoff_max },
                        .sync_period = o->sync_period,
                };

                node_allocatable(o->data_dir, &po);
                r = kl_agent__pods_start(client, &po, &a->pods, err);
                if (r < 0)
                        goto fail;
                a->pending++;
        }
        {
                struct kl_agent_node_options no = {
                        .node_name = o->node_name,
                        .node_ips = o->node_ips,
                        .labels = o->labels,
                        .taints = o->taints,
                        .data_dir = o->data_dir,
                        .version = o->version,
                        .kubelet_port = kl_agent_server_port(a->server),
                        .status_period = o->status_period,
                        .images = images_cb,
                        .images_arg = a,
                        .not_ready = kl_agent__network_not_ready(a->network),
                };

                r = kl_agent_node_start(client, &no, &a->node, err);
                if (r < 0)
                        goto fail;
        }
        kl_assert(uv_timer_init(a->loop, &a->images_timer) == 0);
        a->images_timer.data = a;
        a->images_timer_open = true;
        a->pending++;
        uv_timer_start(&a->images_timer, on_images_timer, 0, IMAGES_REFRESH / 1000);
        *ret = a;
        return 0;
fail:
        kl_agent_stop(a, NULL, NULL);
        return r;
}

int kl_agent_port(const struct kl_agent *a)
{
        return kl_agent_server_port(a->server);
}

void kl_agent_images_changed(struct kl_agent *a)
{
        images_refresh(a);
}

static void on_part_stopped(void *arg)
{
        agent_unref(arg);
}

static void on_timer_closed(uv_handle_t *h)
{
        agent_unref(h->data);
}

void kl_agent_stop(struct kl_agent *a, kl_agent_stopped_fn *cb, void *arg)
{
        if (!a || a->stopped)
                return;
        a->stopped = true;
        a->stopped_cb = cb;
        a->stopped_arg = arg;
        kl_agent_node_stop(a->node);
        a->node = NULL;
        if (a->network) {
                kl_agent__network_stop(a->network, on_part_stopped, a);
                a->pending++;
        }
        if (a->pods) {
                kl_agent__pods_stop(a->pods, on_part_stopped, a);
                a->pods = NULL;
        }
        if (a->server) {
                kl_agent_server_stop(a->server, on_part_stopped, a);
                a->server = NULL;
        }
        if (a->images_timer_open) {
                a->images_timer_open = false;
                uv_close((uv_handle_t *)&a->images_timer, on_timer_closed);
        }
        agent_unref(a);
}
