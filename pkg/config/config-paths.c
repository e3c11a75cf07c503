/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Default paths (DESIGN.md §1; the table is in config.h). They depend only
 * on the effective uid and the environment, never on a user database: a
 * static binary cannot use NSS (STYLE R15.6), so $HOME is the home directory.
 */
#include "config/config.h"

#include <stdlib.h>
#include <unistd.h>

#include "base/base.h"

static const char *const system_paths[KL_CONFIG_PATH__COUNT] = {
        [KL_CONFIG_PATH_DATA] = "/var/lib/kube-lite",
        [KL_CONFIG_PATH_KUBECONFIG] = "/etc/kube-lite/kube-lite.yaml",
        [KL_CONFIG_PATH_CONFIG] = KL_CONFIG_DEFAULT_FILE,
        [KL_CONFIG_PATH_RUN] = "/run/kube-lite",
        [KL_CONFIG_PATH_POD_LOGS] = "/var/log/pods",
};

/* Under ~/.kube-lite for a rootless server; NULL where the system path stays. */
static const char *const rootless_paths[KL_CONFIG_PATH__COUNT] = {
        [KL_CONFIG_PATH_DATA] = "data",     [KL_CONFIG_PATH_KUBECONFIG] = "kube-lite.yaml",
        [KL_CONFIG_PATH_CONFIG] = NULL,     [KL_CONFIG_PATH_RUN] = "run",
        [KL_CONFIG_PATH_POD_LOGS] = "logs",
};

bool kl_config_is_rootless(bool disable_agent)
{
        /* An agent needs root for namespaces, cgroups and the network, so it never is. */
        return disable_agent && geteuid() != 0;
}

static bool absolute(const char *p)
{
        return p && p[0] == '/';
}

int kl_config_default_path(enum kl_config_path which, bool rootless, char **ret,
                           struct kl_err **err)
{
        const char *home, *xdg;

        if (which < 0 || which >= KL_CONFIG_PATH__COUNT)
                return kl_err_set(err, -EINVAL, "no default path %d", (int)which);
        if (!rootless || !rootless_paths[which]) {
                *ret = kl_strdup(system_paths[which]);
                return 0;
        }
        /* Runtime state belongs on the per-user tmpfs when the session has one. */
        xdg = getenv("XDG_RUNTIME_DIR");
        if (which == KL_CONFIG_PATH_RUN && absolute(xdg)) {
                *ret = kl_asprintf("%s/kube-lite", xdg);
                return 0;
        }
        home = getenv("HOME");
        if (!absolute(home))
                return kl_err_set(err, -EINVAL,
                                  "HOME is not an absolute path: cannot place files under "
                                  "~/.kube-lite for a server run as a user");
        *ret = kl_asprintf("%s/.kube-lite/%s", home, rootless_paths[which]);
        return 0;
}
