/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite server: the control plane. Flags (k3s's names) and wiring only:
 * the API server is pkg/apiserver, the controllers pkg/controllers, the
 * scheduler pkg/scheduler, the embedded agent pkg/agent (the server is a
 * node too, as k3s's is, unless --disable-agent); all of these talk to the
 * API server through its in-process client (DESIGN §3). The agent needs
 * root (namespaces, cgroups, mounts): run as another user the server is a
 * control plane only. `--fake-nodes N` registers simulated nodes (tests,
 * benchmarks and demos, as kwok does).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "apiserver/apiserver.h"
#include "base/base.h"
#include "client/client.h"
#include "commands.h"
#include "config/config.h"
#include "controllers/controllers.h"
#include "loop/loop.h"
#include "scheduler/scheduler.h"
#include "store/store.h"

/* How long requests in progress may run on after SIGTERM. */
#define SHUTDOWN_GRACE (5 * KL_USEC_PER_SEC)

struct server_opts {
        struct kl_cmd_global global;
        char *config;
        char *data_dir;
        uint16_t port;
        char *bind_address;
        char **tls_san;
        char *write_kubeconfig;
        unsigned write_kubeconfig_mode;
        char *token_file;
        char *service_cidr;
        char *cluster_cidr;
        char *cluster_dns;
        char *cluster_domain;
        char **disable;
        char *datastore_sync;
        bool disable_agent;
        struct kl_cmd_node node;
        bool disable_scheduler;
        bool disable_controller_manager;
        int fake_nodes;
        kl_usec_t node_monitor_grace;
        char *local_storage_path;
};

static const char *const sync_choices[] = { "full", "relaxed", NULL };

/* The rootless paths (config.h) apply: a non-root user gets ~/.kube-lite (and no agent). */
static int default_data_dir(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_DATA, kl_config_is_rootless(true), ret, err);
}

static int default_kubeconfig(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_KUBECONFIG, kl_config_is_rootless(true), ret,
                                      err);
}

/*
 * As k3s: without --cluster-dns the cluster DNS is the 10th address of the
 * service CIDR, so a --service-cidr alone moves it too. A CIDR that does not
 * parse keeps 10.43.0.10; the API server refuses the CIDR then anyway.
 */
static int default_cluster_dns(const void *opts, char **ret, struct kl_err **err)
{
        const char *cidr = ((const struct server_opts *)opts)->service_cidr;
        const char *slash = cidr ? strchr(cidr, '/') : NULL;
        char addr[INET_ADDRSTRLEN];
        struct in_addr in;
        unsigned prefix;
        uint32_t a;

        (void)err;
        *ret = NULL;
        if (!slash || (size_t)(slash - cidr) >= sizeof(addr) ||
            kl_parse_uint(slash + 1, &prefix) < 0 || prefix < 1 || prefix > 28)
                return 0;
        memcpy(addr, cidr, (size_t)(slash - cidr));
        addr[slash - cidr] = '\0';
        if (inet_pton(AF_INET, addr, &in) != 1)
                return 0;
        a = (ntohl(in.s_addr) & ~(uint32_t)0 << (32 - prefix)) + 10;
        *ret = kl_asprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
        return 0;
}

#define O struct server_opts
static const struct kl_config_flag server_flags[] = {
        KL_CONFIG_FILE_FLAG(O, config),
        { KL_CONFIG_STRING_AT(O, data_dir), .name = "data-dir", .short_name = 'd', .metavar = "DIR",
          .default_fn = default_data_dir,
          .default_help = "/var/lib/kube-lite, or ~/.kube-lite/data for non-root", .group = "Data",
          .help = "Folder to hold state" },
        { KL_CONFIG_PORT_AT(O, port), .name = "https-listen-port", .def = "6443",
          .group = "Listener", .help = "HTTPS listen port" },
        { KL_CONFIG_STRING_AT(O, bind_address), .name = "bind-address", .def = "0.0.0.0",
          .group = "Listener", .help = "Address the API server listens on" },
        { KL_CONFIG_STRINGS_AT(O, tls_san), .name = "tls-san", .group = "Listener",
          .help = "Add additional hostnames or IPv4/IPv6 addresses as Subject Alternative Names "
                  "on the server TLS cert" },
        { KL_CONFIG_STRING_AT(O, write_kubeconfig), .name = "write-kubeconfig", .short_name = 'o',
          .metavar = "FILE", .default_fn = default_kubeconfig,
          .default_help = "/etc/kube-lite/kube-lite.yaml, or ~/.kube-lite/kube-lite.yaml for "
                          "non-root",
          .group = "Client", .help = "Write the admin kubeconfig to this file" },
        { KL_CONFIG_MODE_AT(O, write_kubeconfig_mode), .name = "write-kubeconfig-mode",
          .def = "0600", .group = "Client", .help = "Write the kubeconfig with this mode" },
        { KL_CONFIG_STRING_AT(O, token_file), .name = "token-file", .metavar = "FILE",
          .group = "Client",
          .help = "Static bearer tokens: CSV of token,user,uid[,\"group1,group2\"]" },
        { KL_CONFIG_STRING_AT(O, service_cidr), .name = "service-cidr", .def = "10.43.0.0/16",
          .group = "Networking", .help = "IPv4 network CIDR to use for service IPs" },
        { KL_CONFIG_STRING_AT(O, cluster_cidr), .name = "cluster-cidr", .def = "10.42.0.0/16",
          .group = "Networking",
          .help = "IPv4 network CIDR to use for pod IPs (a /24 of it per node)" },
        { KL_CONFIG_STRING_AT(O, cluster_dns), .name = "cluster-dns",
          .default_fn = default_cluster_dns,
          .default_help = "the 10th address of --service-cidr, 10.43.0.10", .group = "Networking",
          .help = "IPv4 Cluster IP for the cluster DNS service. Should be in your service-cidr "
                  "range" },
        { KL_CONFIG_STRING_AT(O, cluster_domain), .name = "cluster-domain", .def = "cluster.local",
          .group = "Networking", .help = "Cluster Domain" },
        { KL_CONFIG_STRINGS_AT(O, disable), .name = "disable", .group = "Components",
          .help = "Do not deploy packaged components (valid items: coredns, servicelb, "
                  "local-storage; traefik and metrics-server are accepted and never deployed)" },
        { KL_CONFIG_STRING_AT(O, datastore_sync), .name = "datastore-sync", .def = "full",
          .choices = sync_choices, .group = "Data",
          .help = "full: fsync every commit; relaxed: sync at most 100 ms later (SD cards)" },
        { KL_CONFIG_BOOL_AT(O, disable_agent), .name = "disable-agent", .group = "Agent",
          .help = "Do not run a local agent: a control plane only" },
        KL_CMD_NODE_FLAGS(O, node),
        { KL_CONFIG_BOOL_AT(O, disable_scheduler), .name = "disable-scheduler",
          .group = "Components", .help = "Disable the Kubernetes default scheduler" },
        { KL_CONFIG_BOOL_AT(O, disable_controller_manager), .name = "disable-controller-manager",
          .group = "Components", .help = "Disable the Kubernetes controllers" },
        { KL_CONFIG_DURATION_AT(O, node_monitor_grace), .name = "node-monitor-grace-period",
          .def = "40s", .group = "Components",
          .help = "How long a node may go without renewing its Lease before it is NotReady" },
        { KL_CONFIG_STRING_AT(O, local_storage_path), .name = "default-local-storage-path",
          .metavar = "DIR", .default_help = "DATA-DIR/storage", .group = "Data",
          .help = "Where the local-path provisioner keeps PersistentVolumes' directories" },
        { KL_CONFIG_INT_AT(O, fake_nodes), .name = "fake-nodes", .def = "0", .group = "Agent",
          .help = "Register this many simulated nodes whose kubelet only reports "
                  "(tests and demos; no containers run)" },
        KL_CMD_GLOBAL_FLAGS(O, global),
};
#undef O

const struct kl_config_cmd kl_cmd_server_config = {
        .name = "kube-lite server",
        .summary = "Run the control plane",
        .description = "Run the Kubernetes API server over HTTPS, backed by the embedded store.",
        .flags = server_flags,
        .n_flags = KL_ARRAY_SIZE(server_flags),
};

struct server_run {
        uv_signal_t sigterm;
        uv_signal_t sigint;
        struct kl_apiserver *api;
        struct kl_client *ctrl_client;
        struct kl_controllers *controllers;
        struct kl_client *sched_client;
        struct kl_scheduler *scheduler;
        struct kl_client *agent_client;
        struct kl_agent *agent;
        struct kl_cmd_node_run node;
        char *client_ca_pem;
        char *local_storage;
        const char *disabled_ctrls[3]; /* static names; NULL-terminated */
        bool stopping;
};

static void on_agent_stopped(void *arg)
{
        struct server_run *run = arg;

        kl_client_free(run->agent_client);
        run->agent_client = NULL;
        kl_apiserver_close(run->api, SHUTDOWN_GRACE, NULL, NULL);
}

/* The embedded agent: a node like any other, on an in-process client. */
static int start_agent(struct server_run *run, const struct server_opts *opts, struct kl_err **err)
{
        kl_autofree char *user = NULL;
        kl_autofree char *ca_path = kl_asprintf("%s/server/tls/client-ca.crt", opts->data_dir);
        int r;

        if (opts->disable_agent)
                return 0;
        if (geteuid() != 0) {
                kl_log_info(KL_LOG_MAIN, "not root: no agent runs here (a control plane only)");
                return 0;
        }
        r = kl_cmd_node_prepare(&opts->node, opts->data_dir, &run->node, err);
        if (r < 0)
                return r;
        r = kl_read_file(ca_path, (size_t)1 << 20, &run->client_ca_pem, NULL);
        if (r < 0)
                return kl_err_set(err, r, "read %s", ca_path);
        run->node.opts.client_ca_pem = run->client_ca_pem;
        run->node.opts.cluster_cidr = opts->cluster_cidr;
        run->node.opts.cluster_dns = opts->cluster_dns;
        run->node.opts.cluster_domain = opts->cluster_domain;
        user = kl_asprintf("system:node:%s", run->node.node_name);
        run->agent_client = kl_apiserver_client_new(run->api, user);
        r = kl_agent_start(run->agent_client, &run->node.opts, &run->agent, err);
        if (r < 0)
                return r;
        kl_log_info(KL_LOG_MAIN, "node %s: streaming server on port %d", run->node.node_name,
                    kl_agent_port(run->agent));
        return 0;
}

/* The controllers and the scheduler, on in-process clients of the API server. */
static int start_components(struct server_run *run, const struct server_opts *opts,
                            struct kl_err **err)
{
        int r;

        /* The controllers keep the path for their life: it lives in `run`. */
        run->local_storage = kl_isempty(opts->local_storage_path)
                                     ? kl_asprintf("%s/storage", opts->data_dir)
                                     : kl_strdup(opts->local_storage_path);
        if (!opts->disable_controller_manager || opts->fake_nodes > 0) {
                static const char *const only_fake[] = { NULL };
                struct kl_controllers_options co = {
                        .local_path_dir = run->local_storage,
                        .node_monitor_grace = opts->node_monitor_grace,
                        .fake_nodes = (unsigned)opts->fake_nodes,
                        .enabled = opts->disable_controller_manager ? only_fake : NULL,
                        .cluster_cidr = opts->cluster_cidr,
                        .disabled = run->disabled_ctrls,
                };

                run->ctrl_client = kl_apiserver_client_new(
                        run->api, "system:serviceaccount:kube-system:kube-controller-manager");
                r = kl_controllers_start(run->ctrl_client, &co, &run->controllers, err);
                if (r < 0)
                        return r;
        }
        if (!opts->disable_scheduler) {
                run->sched_client = kl_apiserver_client_new(run->api, "system:kube-scheduler");
                r = kl_scheduler_start(run->sched_client, NULL, &run->scheduler, err);
                if (r < 0)
                        return r;
        }
        return start_agent(run, opts, err);
}

static void on_signal(uv_signal_t *h, int signum)
{
        struct server_run *run = h->data;

        kl_log_info(KL_LOG_MAIN, "received signal %d, shutting down", signum);
        if (run->stopping)
                return;
        run->stopping = true;
        uv_close((uv_handle_t *)&run->sigterm, NULL);
        uv_close((uv_handle_t *)&run->sigint, NULL);
        /*
         * The API server's in-process clients go first: freeing a client ends
         * its writes in flight (-ECANCELED), which lets the controllers free
         * what those writes held.
         */
        kl_scheduler_free(run->scheduler);
        kl_controllers_free(run->controllers);
        kl_client_free(run->sched_client);
        kl_client_free(run->ctrl_client);
        run->scheduler = NULL;
        run->controllers = NULL;
        run->sched_client = NULL;
        run->ctrl_client = NULL;
        /* The agent's last writes (pod status) may still go out; the API closes after. */
        if (run->agent) {
                kl_agent_stop(run->agent, on_agent_stopped, run);
                run->agent = NULL;
        } else {
                on_agent_stopped(run);
        }
}

/* Whether --disable names `component`. */
static bool disabled(const struct server_opts *opts, const char *component)
{
        for (char **d = opts->disable; d && *d; d++)
                if (kl_streq(*d, component))
                        return true;
        return false;
}

/*
 * --disable takes k3s's component names. The packaged components kube-lite
 * has are built in: servicelb and local-storage are controllers, coredns is
 * the kube-dns Service (the DNS server itself is the agents'). traefik and
 * metrics-server are never deployed, so configurations written for k3s
 * that disable them keep working.
 */
static int check_network_opts(struct server_opts *opts, struct server_run *run)
{
        static const char *const known[] = { "coredns", "servicelb", "local-storage", "traefik",
                                             "metrics-server" };
        kl_autoerr struct kl_err *e = NULL;
        size_t n = 0;

        for (char **d = opts->disable; d && *d; d++) {
                bool ok = false;

                for (size_t i = 0; i < KL_ARRAY_SIZE(known); i++)
                        ok |= kl_streq(*d, known[i]);
                if (!ok) {
                        kl_log_error(KL_LOG_MAIN,
                                     "--disable '%s': expected one of coredns, servicelb, "
                                     "local-storage, traefik, metrics-server",
                                     *d);
                        return -EINVAL;
                }
        }
        if (disabled(opts, "servicelb"))
                run->disabled_ctrls[n++] = "servicelb";
        if (disabled(opts, "local-storage"))
                run->disabled_ctrls[n++] = "localpath";
        run->disabled_ctrls[n] = NULL;
        if (kl_controllers_cluster_cidr_check(opts->cluster_cidr, &e) < 0) {
                kl_log_err(KL_LOG_ERROR, KL_LOG_MAIN, e, "--cluster-cidr");
                return -EINVAL;
        }
        if (kl_isempty(opts->cluster_domain) || strlen(opts->cluster_domain) > 253 ||
            strspn(opts->cluster_domain, "abcdefghijklmnopqrstuvwxyz0123456789-.") !=
                    strlen(opts->cluster_domain)) {
                kl_log_error(KL_LOG_MAIN,
                             "--cluster-domain '%s': expected a DNS domain (lowercase letters, "
                             "digits, '-' and '.')",
                             opts->cluster_domain ? opts->cluster_domain : "");
                return -EINVAL;
        }
        return 0;
}

int kl_cmd_server(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct server_opts opts = { 0 };
        struct server_run run = { 0 };
        struct kl_apiserver_options ao = { 0 };
        uv_loop_t loop;
        int r;

        r = kl_cmd_parse(&kl_cmd_server_config, &opts, &opts.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (opts.fake_nodes < 0 || opts.fake_nodes > 5000) {
                kl_log_error(KL_LOG_MAIN, "--fake-nodes must be between 0 and 5000, not %d",
                             opts.fake_nodes);
                return 2;
        }
        if (check_network_opts(&opts, &run) < 0)
                return 2;
        /* Before any thread: the store's work and our writes share libuv's pool (R8.6). */
        if (!getenv("UV_THREADPOOL_SIZE"))
                (void)setenv("UV_THREADPOOL_SIZE", "8", 1);

        ao.data_dir = opts.data_dir;
        ao.bind_address = opts.bind_address;
        ao.port = opts.port;
        ao.tls_sans = (const char *const *)opts.tls_san;
        ao.kubeconfig = kl_isempty(opts.write_kubeconfig) ? NULL : opts.write_kubeconfig;
        ao.kubeconfig_mode = opts.write_kubeconfig_mode;
        ao.token_file = opts.token_file;
        ao.service_cidr = opts.service_cidr;
        /* The address is checked against --service-cidr by the API server. */
        ao.cluster_dns = disabled(&opts, "coredns") ? NULL : opts.cluster_dns;
        ao.sync = kl_store_sync_parse(opts.datastore_sync);

        kl_assert(kl_loop_init(&loop) == 0);
        r = kl_apiserver_new(&loop, &ao, &run.api, &e);
        if (r < 0) {
                kl_log_err(KL_LOG_ERROR, KL_LOG_MAIN, e, "kube-lite server");
                (void)kl_loop_run(&loop, UV_RUN_DEFAULT);
                (void)kl_loop_finish(&loop);
                return 1;
        }
        kl_log_info(KL_LOG_MAIN, "API server listening on https://%s:%d", opts.bind_address,
                    kl_apiserver_port(run.api));

        kl_assert(uv_signal_init(&loop, &run.sigterm) == 0);
        kl_assert(uv_signal_init(&loop, &run.sigint) == 0);
        run.sigterm.data = &run;
        run.sigint.data = &run;
        kl_assert(uv_signal_start(&run.sigterm, on_signal, SIGTERM) == 0);
        kl_assert(uv_signal_start(&run.sigint, on_signal, SIGINT) == 0);
        r = start_components(&run, &opts, &e);
        if (r < 0) {
                kl_log_err(KL_LOG_ERROR, KL_LOG_MAIN, e, "kube-lite server");
                on_signal(&run.sigterm, SIGTERM);
        }

        (void)kl_loop_run(&loop, UV_RUN_DEFAULT);
        kl_cmd_node_release(&run.node);
        free(run.client_ca_pem);
        free(run.local_storage);
        r = kl_loop_finish(&loop);
        if (r != 0) {
                kl_log_error(KL_LOG_MAIN, "shutdown left %d handles open", r);
                return 1;
        }
        kl_log_info(KL_LOG_MAIN, "stopped");
        return 0;
}
