/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A k3s-like `server` flag table for the unit tests and the fuzz target: one
 * option of every type, a config-file flag, a hidden flag, a secret, an
 * environment alias and a computed default. Test-only; included by one
 * translation unit each.
 */
#ifndef KL_CONFIG_TESTS_SAMPLE_CMD_H
#define KL_CONFIG_TESTS_SAMPLE_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "config/config.h"

struct sample_opts {
        char *config;
        char *data_dir;
        char *bind_address;
        char *write_kubeconfig;
        char *token;
        char *server;
        char *cluster_cidr;
        char *cluster_domain;
        char *log_level;
        char **tls_san;
        char **disable;
        char **node_label;
        char **node_taint;
        kl_usec_t etcd_s3_timeout;
        unsigned write_kubeconfig_mode;
        int etcd_snapshot_retention;
        uint16_t https_listen_port;
        bool disable_agent;
        bool debug;
        bool enable_pprof;
};

static const char *const sample_log_levels[] = { "error", "warn", "info", "debug", "trace", NULL };

/* A server without an agent, run by a user, keeps its state under ~/.kube-lite. */
static int sample_default_data_dir(const void *opts, char **ret, struct kl_err **err)
{
        const struct sample_opts *o = opts;

        if (!kl_config_is_rootless(o->disable_agent))
                return 0;
        return kl_config_default_path(KL_CONFIG_PATH_DATA, true, ret, err);
}

#define S struct sample_opts
static const struct kl_config_flag sample_flags[] = {
        KL_CONFIG_FILE_FLAG(S, config),
        { KL_CONFIG_STRING_AT(S, data_dir), .name = "data-dir", .short_name = 'd', .metavar = "DIR",
          .def = "/var/lib/kube-lite", .group = "Data", .default_fn = sample_default_data_dir,
          .default_help =
                  "/var/lib/kube-lite, or ~/.kube-lite/data if not root with --disable-agent",
          .help = "Folder to hold state" },
        { KL_CONFIG_STRING_AT(S, bind_address), .name = "bind-address", .metavar = "ADDR",
          .def = "0.0.0.0", .group = "Listener", .help = "Address the API server listens on" },
        { KL_CONFIG_PORT_AT(S, https_listen_port), .name = "https-listen-port", .def = "6443",
          .group = "Listener", .help = "HTTPS listen port" },
        { KL_CONFIG_STRING_AT(S, write_kubeconfig), .name = "write-kubeconfig", .short_name = 'o',
          .metavar = "FILE", .group = "Client", .help = "Write the admin kubeconfig to FILE" },
        { KL_CONFIG_MODE_AT(S, write_kubeconfig_mode), .name = "write-kubeconfig-mode",
          .def = "0600", .group = "Client", .help = "Mode of the kubeconfig file" },
        { KL_CONFIG_STRING_AT(S, token), .name = "token", .short_name = 't', .group = "Cluster",
          .flags = KL_CONFIG_SECRET, .help = "Shared secret used to join a server or agent" },
        { KL_CONFIG_STRING_AT(S, server), .name = "server", .short_name = 's', .metavar = "URL",
          .env_alias = "KUBE_LITE_URL", .group = "Cluster", .help = "Server to connect to" },
        { KL_CONFIG_STRING_AT(S, cluster_cidr), .name = "cluster-cidr", .metavar = "CIDR",
          .def = "10.42.0.0/16", .group = "Networking", .help = "IPv4 network for pod IPs" },
        { KL_CONFIG_STRING_AT(S, cluster_domain), .name = "cluster-domain", .metavar = "DOMAIN",
          .def = "cluster.local", .group = "Networking", .help = "Cluster domain" },
        { KL_CONFIG_BOOL_AT(S, disable_agent), .name = "disable-agent", .group = "Components",
          .help = "Do not run a local agent and register a local kubelet" },
        { KL_CONFIG_STRINGS_AT(S, tls_san), .name = "tls-san", .group = "Listener",
          .help = "Add additional hostnames or IP addresses as Subject Alternative Names on the "
                  "server TLS certificate" },
        { KL_CONFIG_STRINGS_AT(S, disable), .name = "disable", .def = "servicelb",
          .group = "Components", .help = "Do not deploy packaged components" },
        { KL_CONFIG_KVS_AT(S, node_label), .name = "node-label", .group = "Agent",
          .help = "Registering and starting kubelet with set of labels" },
        { KL_CONFIG_STRINGS_AT(S, node_taint), .name = "node-taint", .group = "Agent",
          .metavar = "KEY=VALUE:EFFECT", .help = "Registering kubelet with set of taints" },
        { KL_CONFIG_INT_AT(S, etcd_snapshot_retention), .name = "etcd-snapshot-retention",
          .def = "5", .group = "Database", .help = "Number of snapshots to retain" },
        { KL_CONFIG_DURATION_AT(S, etcd_s3_timeout), .name = "etcd-s3-timeout", .def = "5m0s",
          .group = "Database", .help = "S3 timeout" },
        { KL_CONFIG_BOOL_AT(S, debug), .name = "debug", .group = "Logging",
          .help = "Turn on debug logs" },
        { KL_CONFIG_STRING_AT(S, log_level), .name = "log-level", .def = "info",
          .choices = sample_log_levels, .group = "Logging", .help = "Log level" },
        { KL_CONFIG_BOOL_AT(S, enable_pprof), .name = "enable-pprof", .flags = KL_CONFIG_HIDDEN,
          .help = "Enable pprof endpoint on supervisor port" },
};
#undef S

static const struct kl_config_cmd sample_cmd = {
        .name = "kube-lite server",
        .synopsis = "[OPTIONS]",
        .summary = "Run the control plane",
        .description = "Run the API server, the store, the scheduler and the controllers.",
        .flags = sample_flags,
        .n_flags = KL_ARRAY_SIZE(sample_flags),
};

#endif
