/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public entry (controllers.h): which controllers run. Kept apart from
 * manager.c so that a test linking one controller and the manager does not
 * pull in every other controller.
 */
#include "controllers/ctrl-internal.h"

static const struct kl_ctrl_def *const all_defs[] = {
        &kl_ctrl_replicaset, &kl_ctrl_deployment,    &kl_ctrl_statefulset,
        &kl_ctrl_daemonset,  &kl_ctrl_job,           &kl_ctrl_cronjob,
        &kl_ctrl_gc,         &kl_ctrl_namespace,     &kl_ctrl_serviceaccount,
        &kl_ctrl_endpoints,  &kl_ctrl_endpointslice, &kl_ctrl_nodelifecycle,
        &kl_ctrl_localpath,  &kl_ctrl_fakekubelet,   &kl_ctrl_disruption,
        &kl_ctrl_nodeipam,   &kl_ctrl_servicelb,
};

static bool enabled(const struct kl_controllers_options *opts, const struct kl_ctrl_def *def)
{
        /* Simulated nodes are never on by default, whatever the list says. */
        if (def == &kl_ctrl_fakekubelet)
                return opts->fake_nodes > 0;
        for (const char *const *d = opts->disabled; d && *d; d++)
                if (kl_streq(*d, def->name))
                        return false;
        if (!opts->enabled)
                return true;
        for (const char *const *e = opts->enabled; *e; e++)
                if (kl_streq(*e, def->name))
                        return true;
        return false;
}

int kl_controllers_start(struct kl_client *client, const struct kl_controllers_options *opts,
                         struct kl_controllers **ret, struct kl_err **err)
{
        const struct kl_ctrl_def *defs[KL_ARRAY_SIZE(all_defs)];
        size_t n = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(all_defs); i++) {
                if (!enabled(opts, all_defs[i]))
                        continue;
                /* A bad --cluster-cidr stops the start, not every sync later. */
                if (all_defs[i] == &kl_ctrl_nodeipam && opts->cluster_cidr) {
                        int r = kl_controllers_cluster_cidr_check(opts->cluster_cidr, err);

                        if (r < 0)
                                return r;
                }
                defs[n++] = all_defs[i];
        }
        return kl_controllers__manager_start(client, opts, defs, n, ret, err);
}
