/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ServiceAccount controller (upstream's serviceaccounts-controller):
 * every active namespace has a ServiceAccount "default", created again when
 * deleted. Keys are namespace names. Since 1.24 no token Secret is made for
 * it (pods get projected tokens), so this is all it does.
 */
#include "controllers/ctrl-internal.h"

#define DEFAULT_SA "default"

void kl_ctrl_sa_reconcile(const json_t *ns, const json_t *default_sa, struct kl_ctrl_actions *out)
{
        const char *name = kl_ctrl_meta_str(ns, "name");
        const char *phase =
                json_string_value(json_object_get(json_object_get(ns, "status"), "phase"));

        if (!name || default_sa)
                return;
        /* Upstream skips terminating namespaces: creates there are refused anyway. */
        if (kl_ctrl_is_deleting(ns) || kl_streq_null(phase, "Terminating"))
                return;
        kl_ctrl_create(out, kl_ctrl_res("", "serviceaccounts"), name,
                       json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
                                 "ServiceAccount", "metadata", "name", DEFAULT_SA, "namespace",
                                 name));
}

static void sa_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        const json_t *cur = obj ? obj : old;
        const char *ns;

        if (i == KL_CTRL_INF_NAMESPACES) {
                kl_ctrl_enqueue_obj(c, cur);
                return;
        }
        /* A ServiceAccount: only the loss of "default" matters, to its namespace. */
        ns = kl_ctrl_meta_str(cur, "namespace");
        if (ns && kl_streq_null(kl_ctrl_meta_str(cur, "name"), DEFAULT_SA))
                kl_ctrl_enqueue(c, ns);
}

static int sa_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                   kl_usec_t *requeue_after, struct kl_err **err)
{
        const json_t *ns =
                kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_NAMESPACES), NULL, key);

        (void)requeue_after;
        (void)err;
        if (!ns)
                return 0;
        kl_ctrl_sa_reconcile(ns,
                             kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_SERVICEACCOUNTS),
                                             key, DEFAULT_SA),
                             out);
        return 0;
}

static const enum kl_ctrl_inf sa_watches[] = {
        KL_CTRL_INF_NAMESPACES,
        KL_CTRL_INF_SERVICEACCOUNTS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_serviceaccount = {
        .name = "serviceaccount",
        .user = "system:serviceaccount:kube-system:service-account-controller",
        .watches = sa_watches,
        .enqueue = sa_enqueue,
        .sync = sa_sync,
};
