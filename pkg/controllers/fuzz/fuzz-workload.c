/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ReplicaSet and Deployment reconciles on objects of any shape. The
 * input is JSON {"d": Deployment, "rs": ReplicaSet, "rss": [...], "pods":
 * [...]}; members may be missing or of the wrong type, as a hostile or
 * buggy client could make stored objects look if validation ever let them
 * through (annotations, templates, counts, percentages, times).
 *
 * Checked: the reconciles either succeed or refuse with -EINVAL and a
 * message; every action is well formed; the borrowed inputs are left
 * untouched; the pod deletion order is a strict order (never both a<b and
 * b<a); counts stay within what was asked (burstReplicas).
 */
#include <string.h>

#include "controllers/ctrl-internal.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX_INPUT ((size_t)64 << 10)
#define FUZZ_MAX_ITEMS 64
#define NOW            ((kl_usec_t)1750000000 * KL_USEC_PER_SEC)

/* The objects of array `a` (at most FUZZ_MAX_ITEMS), borrowed into `v`; how many. */
static size_t objects(const json_t *a, const json_t **v)
{
        size_t n = 0, i;
        json_t *x;

        json_array_foreach(a, i, x)
                if (json_is_object(x) && n < FUZZ_MAX_ITEMS)
                        v[n++] = x;
        return n;
}

static void check_actions(const struct kl_ctrl_actions *a)
{
        for (size_t i = 0; i < a->n; i++) {
                const struct kl_ctrl_action *x = &a->v[i];

                kl_assert(x->res);
                switch (x->op) {
                case KL_CTRL_CREATE:
                        kl_assert(json_is_object(x->obj) && x->ns);
                        break;
                case KL_CTRL_UPDATE:
                case KL_CTRL_PATCH:
                        kl_assert(json_is_object(x->obj) && x->name && x->ns);
                        break;
                case KL_CTRL_DELETE:
                        kl_assert(x->name && x->ns);
                        break;
                case KL_CTRL_EVENT:
                        kl_assert(x->reason && x->message && x->event_type);
                        break;
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_auto_t *in = NULL, *copy = NULL;
        const json_t *rss[FUZZ_MAX_ITEMS], *pods[FUZZ_MAX_ITEMS];
        size_t n_rss, n_pods;
        const json_t *d, *rs;

        if (size > FUZZ_MAX_INPUT ||
            kl_json_decode((const char *)data, size, FUZZ_MAX_INPUT, &in, NULL) < 0)
                return 0;
        copy = json_deep_copy(in);
        n_rss = objects(json_object_get(in, "rss"), rss);
        n_pods = objects(json_object_get(in, "pods"), pods);
        d = json_object_get(in, "d");
        rs = json_object_get(in, "rs");

        if (json_is_object(d)) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions out = { 0 };
                kl_autoerr struct kl_err *e = NULL;
                kl_usec_t requeue = 0;
                int r = kl_ctrl_deploy_reconcile(&(struct kl_ctrl_deploy_input){ .d = d,
                                                                                 .rss = rss,
                                                                                 .n_rss = n_rss,
                                                                                 .pods = pods,
                                                                                 .n_pods = n_pods,
                                                                                 .now = NOW },
                                                 &out, &requeue, &e);

                kl_assert(r == 0 || (r == -EINVAL && e && *kl_err_msg(e)));
                check_actions(&out);
        }
        if (json_is_object(rs)) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions out = { 0 };
                kl_autoerr struct kl_err *e = NULL;
                kl_usec_t requeue = 0;
                size_t creates = 0, deletes = 0;
                int r = kl_ctrl_rs_reconcile(&(struct kl_ctrl_rs_input){ .rs = rs,
                                                                         .pods = pods,
                                                                         .n_pods = n_pods,
                                                                         .related = pods,
                                                                         .n_related = n_pods,
                                                                         .now = NOW },
                                             &out, &requeue, &e);

                kl_assert(r == 0 || (r == -EINVAL && e && *kl_err_msg(e)));
                check_actions(&out);
                for (size_t i = 0; i < out.n; i++) {
                        creates += out.v[i].op == KL_CTRL_CREATE;
                        deletes += out.v[i].op == KL_CTRL_DELETE;
                }
                kl_assert(creates <= KL_CTRL_RS_BURST && deletes <= n_pods);
        }
        for (size_t i = 0; i < n_pods && i < 16; i++)
                for (size_t k = 0; k < n_pods && k < 16; k++)
                        kl_assert(!(kl_ctrl_rs_delete_before(pods[i], 0, pods[k], 1, NOW) &&
                                    kl_ctrl_rs_delete_before(pods[k], 1, pods[i], 0, NOW)));
        /* Borrowed inputs are never modified. */
        kl_assert(json_equal(in, copy));
        return 0;
}
