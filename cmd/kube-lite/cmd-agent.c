/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite agent: make this box a node of a cluster.
 *
 *   kube-lite agent join https://SERVER:6443 --token T
 *   kube-lite agent --server https://SERVER:6443 --token T     (k3s's spelling)
 *
 * It joins (pkg/agent join.c: the server's CA checked against the token,
 * then a client certificate of its own, kept under <data-dir>/agent), then
 * runs the node (pkg/agent, struct kl_agent: the Node and its Lease, the pods
 * bound to it, the streaming server on :10250) until SIGTERM. Containers
 * keep running when the agent stops; the next start adopts them.
 */
#include <errno.h>
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

struct agent_opts {
        struct kl_cmd_global global;
        char *config;
        char *server;
        char *token;
        char *ca_file;
        char *data_dir;
        char *cluster_cidr;
        char *cluster_dns;
        char *cluster_domain;
        struct kl_cmd_node node;
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
        /* The server's values, which an agent cannot learn from a Node object. */
        { KL_CONFIG_STRING_AT(O, cluster_cidr), .name = "cluster-cidr", .metavar = "CIDR",
          .def = "10.42.0.0/16", .group = "Networking",
          .help = "The server's --cluster-cidr: pod traffic leaving it is masqueraded" },
        { KL_CONFIG_STRING_AT(O, cluster_dns), .name = "cluster-dns", .metavar = "IP",
          .def = "10.43.0.10", .group = "Networking",
          .help = "The server's --cluster-dns: the cluster DNS Service's IP pods are given" },
        { KL_CONFIG_STRING_AT(O, cluster_domain), .name = "cluster-domain", .metavar = "DOMAIN",
          .def = "cluster.local", .group = "Networking", .help = "The server's --cluster-domain" },
        KL_CMD_NODE_FLAGS(O, node),
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

struct agent_run {
        uv_signal_t sigterm;
        uv_signal_t sigint;
        struct kl_client *client;
        struct kl_agent *agent;
        bool stopping;
};

static void on_agent_stopped(void *arg)
{
        struct agent_run *run = arg;

        kl_client_free(run->client);
        run->client = NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
        struct agent_run *run = h->data;

        kl_log_info(KL_LOG_MAIN, "received signal %d, shutting down", signum);
        if (run->stopping)
                return;
        run->stopping = true;
        uv_close((uv_handle_t *)&run->sigterm, NULL);
        uv_close((uv_handle_t *)&run->sigint, NULL);
        if (run->agent)
                kl_agent_stop(run->agent, on_agent_stopped, run);
        else
                on_agent_stopped(run);
        run->agent = NULL;
}

int kl_cmd_agent(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct agent_opts opts = { 0 };
        struct agent_run run = { 0 };
        struct kl_cmd_node_run node = { 0 };
        struct kl_agent_identity id = { 0 };
        kl_autofree char *dir = NULL;
        kl_autofree char *user = NULL;
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
        if (kl_cmd_node_prepare(&opts.node, opts.data_dir, &node, &e) < 0) {
                fprintf(stderr, "%s: %s\n", kl_cmd_agent_config.name, kl_err_msg(e));
                kl_cmd_node_release(&node);
                return 2;
        }
        /* Before any thread: pod workers, image pulls and the server share libuv's pool. */
        if (!getenv("UV_THREADPOOL_SIZE"))
                (void)setenv("UV_THREADPOOL_SIZE", "8", 1);
        dir = kl_asprintf("%s/agent", opts.data_dir);
        {
                struct kl_agent_join_options jo = { .server = server,
                                                    .token = opts.token,
                                                    .node_name = node.node_name,
                                                    .dir = dir,
                                                    .ca_file = opts.ca_file };

                r = kl_agent_join(&jo, &id, &e);
        }
        if (r < 0) {
                kl_log_err(KL_LOG_ERROR, KL_LOG_MAIN, e, "kube-lite agent: join %s", server);
                kl_cmd_node_release(&node);
                return 1;
        }
        kl_log_info(KL_LOG_MAIN, "joined %s as node %s", server, node.node_name);

        kl_assert(kl_loop_init(&loop) == 0);
        user = kl_asprintf("system:node:%s", node.node_name);
        {
                struct kl_client_remote_options ro = { .server = server,
                                                       .ca_pem = id.ca_pem,
                                                       .cert_pem = id.cert_pem,
                                                       .key_pem = id.key_pem,
                                                       .user = user };

                node.opts.client_ca_pem = id.client_ca_pem;
                node.opts.cluster_cidr = opts.cluster_cidr;
                node.opts.cluster_dns = opts.cluster_dns;
                node.opts.cluster_domain = opts.cluster_domain;
                r = kl_client_remote_new(&loop, &ro, &run.client, &e);
                if (r >= 0)
                        r = kl_agent_start(run.client, &node.opts, &run.agent, &e);
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
        } else {
                kl_log_info(KL_LOG_MAIN, "node %s: streaming server on port %d", node.node_name,
                            kl_agent_port(run.agent));
        }
        (void)kl_loop_run(&loop, UV_RUN_DEFAULT);
        kl_cmd_node_release(&node);
        if (kl_loop_finish(&loop) != 0) {
                kl_log_error(KL_LOG_MAIN, "shutdown left handles open");
                return 1;
        }
        return r < 0 ? 1 : 0;
}
