/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The subcommands of kube-lite (STYLE R2.5): main.c holds the table, each
 * subcommand lives in cmd-<name>.c with its flag table (pkg/config) and its
 * wiring. Handlers get argv with argv[0] set to the subcommand's name and
 * return the process exit code: 0, 1 for a failure, 2 for a usage error.
 *
 * Global options (logging) are part of every subcommand's flag table through
 * KL_CMD_GLOBAL_FLAGS(), so they come from flags, the environment and the
 * config file like any other option. Given before the subcommand's name
 * (`kube-lite --debug version`), main.c hands them on to the subcommand as
 * flags.
 */
#ifndef KL_CMD_COMMANDS_H
#define KL_CMD_COMMANDS_H

#include <stdbool.h>

#include "agent/agent.h"
#include "base/log.h"
#include "config/config.h"

struct kl_cmd_global {
        bool debug;
        char *log_level;  /* owned by the kl_config, as every option string */
        char *log_format; /* likewise */
        char **log_trace; /* likewise */
};

/* The names kl_log_level_parse() and kl_log_format_parse() accept, as flag choices. */
extern const char *const kl_cmd_log_levels[];
extern const char *const kl_cmd_log_formats[];

#define KL_CMD_LOG_COMPONENT_(id, name) " " name

/* The global flags, stored in the `struct kl_cmd_global` member `m` of the options struct `T`. */
#define KL_CMD_GLOBAL_FLAGS(T, m)                                                                   \
        { KL_CONFIG_BOOL_AT(T, m.debug), .name = "debug", .group = "Logging",                       \
          .help = "Turn on debug logs (--log-level=debug)" },                                       \
                { KL_CONFIG_STRING_AT(T, m.log_level),                                              \
                  .name = "log-level",                                                              \
                  .def = "info",                                                                    \
                  .choices = kl_cmd_log_levels,                                                     \
                  .group = "Logging",                                                               \
                  .help = "Log events of this level and more severe" },                             \
                { KL_CONFIG_STRING_AT(T, m.log_format),                                             \
                  .name = "log-format",                                                             \
                  .def = "text",                                                                    \
                  .choices = kl_cmd_log_formats,                                                    \
                  .group = "Logging",                                                               \
                  .help = "One line of text per event, or one JSON object per line" },              \
        {                                                                                           \
                KL_CONFIG_STRINGS_AT(T, m.log_trace),                                               \
                        .name = "log-trace", .metavar = "COMPONENT,...", .group = "Logging",        \
                        .help = "Log these components at trace level; they are:" KL_LOG_COMPONENTS( \
                                KL_CMD_LOG_COMPONENT_)                                              \
        }

/* kl_cmd_parse() returns this when the handler should go on with its work. */
#define KL_CMD_CONTINUE (-1)

/**
 * Parse a subcommand's argv with its flag table (pkg/config) and apply the
 * global logging options in `global` (a member of `opts`). On success `*ret`
 * owns the options' strings and KL_CMD_CONTINUE is returned. Otherwise the
 * handler returns the exit status it gets at once: 0 after printing --help,
 * 2 after a usage error, 1 when a config file could not be read; the message
 * has been printed to stderr.
 */
int kl_cmd_parse(const struct kl_config_cmd *cmd, void *opts, const struct kl_cmd_global *global,
                 int argc, char **argv, struct kl_config **ret);

/* ---- the node's flags, shared by `agent` and `server` (cmd-node.c) ---- */

struct kl_cmd_node {
        char *node_name;
        char **node_ip;
        char **node_label;
        char **node_taint;
        char *state_dir;
        char **kubelet_arg; /* "key=value": the kubelet's flag names (cmd-node.c) */
        char **insecure_registry;
        char *resolv_conf;
        char *network_backend; /* "vxlan", "host-gw" or "none" */
};

/* --network-backend's values. */
extern const char *const kl_cmd_network_backends[];

/* The default of --state-dir: /run/kube-lite (rootless: $XDG_RUNTIME_DIR/kube-lite). */
int kl_cmd_default_state_dir(const void *opts, char **ret, struct kl_err **err);

/* The node flags, stored in the `struct kl_cmd_node` member `m` of the options struct `T`. */
#define KL_CMD_NODE_FLAGS(T, m)                                                                    \
        { KL_CONFIG_STRING_AT(T, m.node_name), .name = "node-name", .metavar = "NAME",             \
          .default_help = "the host name",     .group = "Node",     .help = "Node name" },         \
                { KL_CONFIG_STRINGS_AT(T, m.node_ip),                                              \
                  .name = "node-ip",                                                               \
                  .short_name = 'i',                                                               \
                  .metavar = "IP",                                                                 \
                  .default_help = "the first non-loopback IPv4 address",                           \
                  .group = "Node",                                                                 \
                  .help = "IP address to advertise for the node" },                                \
                { KL_CONFIG_STRINGS_AT(T, m.node_label), .name = "node-label",                     \
                  .metavar = "KEY=VALUE", .group = "Node",                                         \
                  .help = "Register with this label (repeatable)" },                               \
                { KL_CONFIG_STRINGS_AT(T, m.node_taint), .name = "node-taint",                     \
                  .metavar = "KEY=VALUE:EFFECT", .group = "Node",                                  \
                  .help = "Register with this taint (repeatable)" },                               \
                { KL_CONFIG_STRING_AT(T, m.state_dir),                                             \
                  .name = "state-dir",                                                             \
                  .metavar = "DIR",                                                                \
                  .default_fn = kl_cmd_default_state_dir,                                          \
                  .default_help = "/run/kube-lite",                                                \
                  .group = "Node",                                                                 \
                  .help = "Run-time state: containers in DIR/containers, pods' namespaces in "     \
                          "DIR/netns" },                                                           \
                { KL_CONFIG_KVS_AT(T, m.kubelet_arg), .name = "kubelet-arg",                       \
                  .metavar = "KEY=VALUE", .group = "Node",                                         \
                  .help = "A kubelet setting: port, address, sync-frequency, "                     \
                          "node-status-update-frequency, pod-logs-dir, cgroup-root, "              \
                          "max-container-restart-period, container-restart-period" },              \
                { KL_CONFIG_STRINGS_AT(T, m.insecure_registry), .name = "insecure-registry",       \
                  .metavar = "HOST:PORT", .group = "Node",                                         \
                  .help = "Pull images from this registry over plain HTTP (repeatable)" },         \
                { KL_CONFIG_STRING_AT(T, m.resolv_conf),                                           \
                  .name = "resolv-conf",                                                           \
                  .metavar = "FILE",                                                               \
                  .default_help = "/etc/resolv.conf",                                              \
                  .group = "Networking",                                                           \
                  .help = "The node's resolvers: upstream of the cluster DNS, and what pods "      \
                          "with dnsPolicy Default get" },                                          \
        {                                                                                          \
                KL_CONFIG_STRING_AT(T, m.network_backend),                                         \
                        .name = "network-backend", .metavar = "vxlan|host-gw|none",                \
                        .def = "vxlan", .choices = kl_cmd_network_backends, .group = "Networking", \
                        .help = "How pods reach pods on other nodes: VXLAN, direct routes "        \
                                "(nodes on one L2 segment), or no pod network at all"              \
        }

/* Agent options built from the flags; strings borrowed from them or owned here. */
struct kl_cmd_node_run {
        struct kl_agent_options opts;
        char *node_name;
        char **node_ips;
};

/**
 * Fill run->opts from the flags (defaults: the host name, the first
 * non-loopback IPv4 address). -EINVAL for a --kubelet-arg that is unknown or
 * malformed.
 */
int kl_cmd_node_prepare(const struct kl_cmd_node *n, const char *data_dir,
                        struct kl_cmd_node_run *run, struct kl_err **err);
void kl_cmd_node_release(struct kl_cmd_node_run *run);

extern const struct kl_config_cmd kl_cmd_images_config;
int kl_cmd_images(int argc, char **argv);

/* A verb of a command that has them (`images pull`, `ctr run`, `token create`). */
struct kl_cmd_verb {
        const char *name;
        const char *alias; /* a second name ("ls" and "list"), or NULL */
        int (*handler)(int argc, char **argv);
        const struct kl_config_cmd *config; /* its flag table; argv[0] is its name */
};

/**
 * Run a command made of verbs: parse `cmd`'s own flags (they may come before
 * the verb; `opts`/`global` as for kl_cmd_parse()), then the verb named by the
 * first argument with argv: its command line name, the flags given before it
 * (canonical --name=value tokens, so the verb's own parse applies them with
 * flag precedence), then everything after its name. No verb or an unknown
 * one is a usage error (2).
 */
int kl_cmd_dispatch(const struct kl_config_cmd *cmd, void *opts, const struct kl_cmd_global *global,
                    const struct kl_cmd_verb *verbs, size_t n_verbs, int argc, char **argv);

extern const struct kl_config_cmd kl_cmd_agent_config;
int kl_cmd_agent(int argc, char **argv);

extern const struct kl_config_cmd kl_cmd_ctr_config;
int kl_cmd_ctr(int argc, char **argv);
/* `kube-lite shim`: not in the command table; main() runs it before anything else. */
int kl_cmd_shim(int argc, char **argv);

extern const struct kl_config_cmd kl_cmd_server_config;
int kl_cmd_server(int argc, char **argv);

extern const struct kl_config_cmd kl_cmd_token_config;
int kl_cmd_token(int argc, char **argv);

extern const struct kl_config_cmd kl_cmd_version_config;
int kl_cmd_version(int argc, char **argv);

#endif
