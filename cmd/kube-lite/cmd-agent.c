/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite agent: make this box a node of a cluster.
 *
 *   kube-lite agent join https://SERVER:6443 --token T
 *   kube-lite agent --server https://SERVER:6443 --token T     (k3s's spelling)
 *
 * It joins (pkg/agent join.c: the server's CA checked against the token,
 * then a client certificate of its own, kept under <data-dir>/agent), then
 * registers the Node and keeps it and its Lease up to date until SIGTERM.
 * Pods come with the agent's pod workers (issue 7); until then the node is
 * Ready but runs nothing, and its pods stay Pending where they were bound.
 *
 * At start, every image archive in <data-dir>/agent/images (*.tar, *.tar.gz,
 * *.tar.zst: the k3s air-gap directory, which is also the root of the node's
 * image store) is imported, and the store's images are what the Node reports
 * in status.images. Nothing adds images while the agent runs yet (pulls come
 * with the pod workers), so the list is read once, before the loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "agent/agent.h"
#include "base/base.h"
#include "client/client.h"
#include "commands.h"
#include "config/config.h"
#include "loop/loop.h"
#include "runtime/rt.h"

struct agent_opts {
        struct kl_cmd_global global;
        char *config;
        char *server;
        char *token;
        char *ca_file;
        char *data_dir;
        char *node_name;
        char **node_ip;
        char **node_label;
        char **node_taint;
};

static int default_data_dir(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_DATA, kl_config_is_rootless(true), ret, err);
}

#define O struct agent_opts
static const struct kl_config_flag agent_flags[] = {
        KL_CONFIG_FILE_FLAG(O, config),
        { KL_CONFIG_STRING_AT(O, server), .name = "server", .short_name = 's', .metavar = "URL",
          .env = "KUBE_LITE_URL", .group = "Cluster",
          .help = "Server to connect to (https://SERVER:6443)" },
        { KL_CONFIG_STRING_AT(O, token), .name = "token", .short_name = 't',
          .flags = KL_CONFIG_SECRET, .group = "Cluster",
          .help = "Join token (from `kube-lite token create`)" },
        { KL_CONFIG_STRING_AT(O, ca_file), .name = "ca-file", .metavar = "FILE", .group = "Cluster",
          .help = "The server's CA, for a token that does not carry its hash" },
        { KL_CONFIG_STRING_AT(O, data_dir), .name = "data-dir", .short_name = 'd', .metavar = "DIR",
          .default_fn = default_data_dir,
          .default_help = "/var/lib/kube-lite, or ~/.kube-lite/data for non-root", .group = "Data",
          .help = "Folder to hold state; the node's identity is in DIR/agent" },
        { KL_CONFIG_STRING_AT(O, node_name), .name = "node-name", .metavar = "NAME",
          .default_help = "the host name", .group = "Node", .help = "Node name" },
        { KL_CONFIG_STRINGS_AT(O, node_ip), .name = "node-ip", .short_name = 'i', .metavar = "IP",
          .default_help = "the first non-loopback IPv4 address", .group = "Node",
          .help = "IP address to advertise for the node" },
        { KL_CONFIG_STRINGS_AT(O, node_label), .name = "node-label", .metavar = "KEY=VALUE",
          .group = "Node", .help = "Register with this label (repeatable)" },
        { KL_CONFIG_STRINGS_AT(O, node_taint), .name = "node-taint", .metavar = "KEY=VALUE:EFFECT",
          .group = "Node", .help = "Register with this taint (repeatable)" },
        KL_CMD_GLOBAL_FLAGS(O, global),
};
#undef O

const struct kl_config_cmd kl_cmd_agent_config = {
        .name = "kube-lite agent",
        .synopsis = "[join URL] [OPTIONS]",
        .summary = "Run a node: join a server and register this box",
        .description = "Join the cluster at URL (or --server) with a join token, then register\n"
                       "this box as a node and keep its status and Lease up to date.",
        .flags = agent_flags,
        .n_flags = KL_ARRAY_SIZE(agent_flags),
        .max_args = 2,
};

/* One entry of the Node's status.images: "repo:tag" and "repo@digest", and its size. */
struct node_image {
        char *names[2];
        int64_t size;
};

struct agent_run {
        struct node_image *images;
        size_t n_images;
        uv_signal_t sigterm;
        uv_signal_t sigint;
        struct kl_client *client;
        struct kl_agent_node *node;
        bool stopping;
};

static void on_signal(uv_signal_t *h, int signum)
{
        struct agent_run *run = h->data;

        kl_log_info(KL_LOG_MAIN, "received signal %d, shutting down", signum);
        if (run->stopping)
                return;
        run->stopping = true;
        uv_close((uv_handle_t *)&run->sigterm, NULL);
        uv_close((uv_handle_t *)&run->sigint, NULL);
        kl_agent_node_stop(run->node);
        kl_client_free(run->client);
}

static void images_cb(void *arg, struct kl_agent_images *out)
{
        const struct agent_run *run = arg;

        for (size_t i = 0; i < run->n_images; i++)
                kl_agent_images_add(out, (const char *const *)run->images[i].names, 2,
                                    run->images[i].size);
}

static void images_free(struct agent_run *run)
{
        for (size_t i = 0; i < run->n_images; i++) {
                free(run->images[i].names[0]);
                free(run->images[i].names[1]);
        }
        free(run->images);
}

/*
 * Import the air-gap archives of the image store's directory and list the
 * store's images for status.images. Failures are logged: a node without its
 * images list is still a node.
 */
static void images_at_start(const char *data_dir, struct agent_run *run)
{
        kl_autofree char *root = kl_asprintf("%s/agent/images", data_dir);
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_store *s = NULL;
        struct kl_rt_image *imgs = NULL;
        size_t n = 0;
        int r;

        if (kl_rt_store_open(root, &s, &e) < 0) {
                kl_log_err(KL_LOG_WARN, KL_LOG_MAIN, e, "image store %s", root);
                return;
        }
        r = kl_rt_import_dir(s, root, &e);
        if (r < 0)
                kl_log_err(KL_LOG_WARN, KL_LOG_MAIN, e, "import the images in %s", root);
        else if (r > 0)
                kl_log_info(KL_LOG_MAIN, "imported %d image(s) from %s", r, root);
        kl_err_free(KL_TAKE_PTR(e));
        if (kl_rt_store_image_list(s, &imgs, &n, &e) < 0) {
                kl_log_err(KL_LOG_WARN, KL_LOG_MAIN, e, "list the images in %s", root);
                n = 0;
        }
        run->images = kl_calloc(n ? n : 1, sizeof(*run->images));
        for (size_t i = 0; i < n; i++) {
                kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };
                struct node_image *ni = &run->images[run->n_images];

                kl_err_free(KL_TAKE_PTR(e));
                if (kl_rt_ref_parse(imgs[i].name, &ref, NULL) < 0 ||
                    kl_rt_image_describe(s, &imgs[i], NULL, &ni->size, &e) < 0)
                        continue;
                ni->names[0] = kl_asprintf("%s/%s@%s", ref.domain, ref.path, imgs[i].digest);
                ni->names[1] = kl_strdup(imgs[i].name);
                run->n_images++;
        }
        kl_rt_images_free(imgs, n);
        kl_rt_store_free(s);
}

/* The host name in lower case, as the kubelet names a node by default. */
static char *default_node_name(void)
{
        char host[256] = "";

        if (gethostname(host, sizeof(host) - 1) < 0 || !*host)
                return kl_strdup("localhost");
        for (char *p = host; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char)(*p - 'A' + 'a');
        return kl_strdup(host);
}

/* The first IPv4 address of an interface that is up and not loopback, or NULL. */
static char *default_node_ip(void)
{
        struct ifaddrs *all = NULL;
        char buf[INET_ADDRSTRLEN];
        char *ip = NULL;

        if (getifaddrs(&all) < 0)
                return NULL;
        for (struct ifaddrs *a = all; a && !ip; a = a->ifa_next) {
                if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET ||
                    (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP))
                        continue;
                if (inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)a->ifa_addr)->sin_addr, buf,
                              sizeof(buf)))
                        ip = kl_strdup(buf);
        }
        freeifaddrs(all);
        return ip;
}

int kl_cmd_agent(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct agent_opts opts = { 0 };
        struct agent_run run = { 0 };
        struct kl_agent_identity id = { 0 };
        kl_autofree char *node_name = NULL;
        kl_autofree char *dir = NULL;
        kl_autofree char *user = NULL;
        kl_autofree char *fallback_ip = NULL;
        const char *server;
        char *const *args;
        uv_loop_t loop;
        int r;

        r = kl_cmd_parse(&kl_cmd_agent_config, &opts, &opts.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        args = kl_config_args(cfg);
        server = opts.server;
        if (args[0]) {
                if (!kl_streq(args[0], "join") || !args[1]) {
                        fprintf(stderr, "%s: expected `join URL` or --server URL\n",
                                kl_cmd_agent_config.name);
                        return 2;
                }
                server = args[1];
        }
        if (kl_isempty(server)) {
                fprintf(stderr, "%s: no server: give `join URL` or --server\n",
                        kl_cmd_agent_config.name);
                return 2;
        }
        node_name = opts.node_name ? kl_strdup(opts.node_name) : default_node_name();
        dir = kl_asprintf("%s/agent", opts.data_dir);
        {
                struct kl_agent_join_options jo = { .server = server,
                                                    .token = opts.token,
                                                    .node_name = node_name,
                                                    .dir = dir,
                                                    .ca_file = opts.ca_file };

                r = kl_agent_join(&jo, &id, &e);
        }
        if (r < 0) {
                kl_log_err(KL_LOG_ERROR, KL_LOG_MAIN, e, "kube-lite agent: join %s", server);
                return 1;
        }
        kl_log_info(KL_LOG_MAIN, "joined %s as node %s", server, node_name);
        images_at_start(opts.data_dir, &run);

        kl_assert(kl_loop_init(&loop) == 0);
        user = kl_asprintf("system:node:%s", node_name);
        {
                struct kl_client_remote_options ro = { .server = server,
                                                       .ca_pem = id.ca_pem,
                                                       .cert_pem = id.cert_pem,
                                                       .key_pem = id.key_pem,
                                                       .user = user };
                const char *ips_one[2] = { NULL, NULL };
                struct kl_agent_node_options no = {
                        .node_name = node_name,
                        .node_ips = (const char *const *)opts.node_ip,
                        .labels = (const char *const *)opts.node_label,
                        .taints = (const char *const *)opts.node_taint,
                        .data_dir = opts.data_dir,
                        .version = KL_VERSION,
                        .images = images_cb,
                        .images_arg = &run,
                };

                if (!opts.node_ip || !opts.node_ip[0]) {
                        fallback_ip = default_node_ip();
                        ips_one[0] = fallback_ip;
                        no.node_ips = fallback_ip ? ips_one : NULL;
                }
                r = kl_client_remote_new(&loop, &ro, &run.client, &e);
                if (r >= 0)
                        r = kl_agent_node_start(run.client, &no, &run.node, &e);
        }
        kl_agent_identity_release(&id);
        kl_assert(uv_signal_init(&loop, &run.sigterm) == 0);
        kl_assert(uv_signal_init(&loop, &run.sigint) == 0);
        run.sigterm.data = &run;
        run.sigint.data = &run;
        kl_assert(uv_signal_start(&run.sigterm, on_signal, SIGTERM) == 0);
        kl_assert(uv_signal_start(&run.sigint, on_signal, SIGINT) == 0);
        if (r < 0) {
                kl_log_err(KL_LOG_ERROR, KL_LOG_MAIN, e, "kube-lite agent");
                on_signal(&run.sigterm, SIGTERM);
        }
        (void)kl_loop_run(&loop, UV_RUN_DEFAULT);
        images_free(&run);
        if (kl_loop_finish(&loop) != 0) {
                kl_log_error(KL_LOG_MAIN, "shutdown left handles open");
                return 1;
        }
        return r < 0 ? 1 : 0;
}
