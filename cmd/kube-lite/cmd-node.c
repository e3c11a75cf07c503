/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `kube-lite agent` and the agent `kube-lite server` embeds have in
 * common: the node flags (commands.h, KL_CMD_NODE_FLAGS) and their
 * translation into struct kl_agent_options.
 *
 * --kubelet-arg KEY=VALUE takes the kubelet's own flag names (k3s passes
 * them through the same way), for the few knobs kube-lite has:
 *
 *   port=N                          the streaming server's port (10250; 0: any free one)
 *   address=IP                      its address (0.0.0.0)
 *   sync-frequency=D                every pod is synced at least this often (1m)
 *   node-status-update-frequency=D  the Node's status is looked at this often (10s)
 *   pod-logs-dir=DIR                containers' logs (/var/log/pods)
 *   cgroup-root=NAME                containers' cgroups go below this one (kube-lite)
 *   max-container-restart-period=D  the crash-loop back-off's cap (5m; KubeletConfiguration's
 *                                   crashLoopBackOff.maxContainerRestartPeriod)
 *   container-restart-period=D      its first delay (10s; kube-lite's own, for tests)
 *
 * Anything else is refused with the list of what is known.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "commands.h"

int kl_cmd_default_state_dir(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_RUN, kl_config_is_rootless(true), ret, err);
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

static int parse_duration(const char *key, const char *value, kl_usec_t *ret, struct kl_err **err)
{
        int64_t usec = 0;

        if (kl_duration_parse(value, &usec, NULL) < 0 || usec <= 0)
                return kl_err_set(err, -EINVAL, "--kubelet-arg %s=%s: not a positive duration", key,
                                  value);
        *ret = (kl_usec_t)usec;
        return 0;
}

const char *const kl_cmd_network_backends[] = { "vxlan", "host-gw", "none", NULL };

static int kubelet_arg(struct kl_cmd_node_run *run, const char *kv, struct kl_err **err)
{
        struct kl_agent_options *o = &run->opts;
        const char *eq = strchr(kv, '=');
        kl_autofree char *key = eq ? kl_strndup(kv, (size_t)(eq - kv)) : kl_strdup(kv);
        const char *value = eq ? eq + 1 : "";

        if (kl_startswith(key, "--"))
                memmove(key, key + 2, strlen(key + 2) + 1);
        if (kl_streq(key, "port")) {
                uint64_t port = 0;

                if (kl_parse_uint64(value, &port) < 0 || port > 65535)
                        return kl_err_set(err, -EINVAL, "--kubelet-arg port=%s: not a port", value);
                o->server_port = port == 0 ? -1 : (int)port;
                return 0;
        }
        if (kl_streq(key, "address")) {
                o->server_address = value;
                return 0;
        }
        if (kl_streq(key, "sync-frequency"))
                return parse_duration(key, value, &o->sync_period, err);
        if (kl_streq(key, "node-status-update-frequency"))
                return parse_duration(key, value, &o->status_period, err);
        if (kl_streq(key, "max-container-restart-period"))
                return parse_duration(key, value, &o->backoff_max, err);
        if (kl_streq(key, "container-restart-period"))
                return parse_duration(key, value, &o->backoff_base, err);
        if (kl_streq(key, "pod-logs-dir") && value[0] == '/') {
                o->log_dir = value;
                return 0;
        }
        if (kl_streq(key, "cgroup-root") && *value) {
                o->cgroup_parent = value;
                return 0;
        }
        return kl_err_set(err, -EINVAL,
                          "--kubelet-arg %s: unknown or malformed (known: port, address, "
                          "sync-frequency, node-status-update-frequency, pod-logs-dir=/DIR, "
                          "cgroup-root, max-container-restart-period, container-restart-period)",
                          kv);
}

int kl_cmd_node_prepare(const struct kl_cmd_node *n, const char *data_dir,
                        struct kl_cmd_node_run *run, struct kl_err **err)
{
        struct kl_agent_options *o = &run->opts;

        run->node_name = n->node_name ? kl_strdup(n->node_name) : default_node_name();
        if (n->node_ip && n->node_ip[0]) {
                run->node_ips = kl_strv_copy(n->node_ip);
        } else {
                char *ip = default_node_ip();

                if (ip)
                        kl_strv_push_take(&run->node_ips, ip);
        }
        *o = (struct kl_agent_options){
                .node_name = run->node_name,
                .node_ips = (const char *const *)run->node_ips,
                .labels = (const char *const *)n->node_label,
                .taints = (const char *const *)n->node_taint,
                .data_dir = data_dir,
                .state_dir = n->state_dir,
                .version = KL_VERSION,
                .insecure_registries = n->insecure_registry,
                .resolv_conf = n->resolv_conf,
                .network_backend = n->network_backend,
        };
        for (size_t i = 0; n->kubelet_arg && n->kubelet_arg[i]; i++) {
                int r = kubelet_arg(run, n->kubelet_arg[i], err);

                if (r < 0)
                        return r;
        }
        return 0;
}

void kl_cmd_node_release(struct kl_cmd_node_run *run)
{
        free(run->node_name);
        kl_strv_free(run->node_ips);
        run->node_name = NULL;
        run->node_ips = NULL;
}
