/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ServiceLB, k3s's servicelb (pkg/cloudprovider/servicelb.go) without its
 * DaemonSet: where k3s runs a svclb pod per node to forward a
 * LoadBalancer Service's ports, kube-lite's service proxy (pkg/proxy) is to
 * answer the ingress addresses on the Service's ports, as kube-proxy does
 * for status.loadBalancer.ingress; all that is left to do here is to write
 * that list. Keys are Services ("ns/name").
 *
 * As k3s: a Service with spec.loadBalancerClass belongs to another
 * controller; the addresses are the ExternalIP of a node, else its
 * InternalIP, of the nodes that would run the svclb pods — Ready ones,
 * not cordoned, and only those labelled svccontroller.k3s.cattle.io/
 * enablelb=true once any node has that label. `--disable servicelb`
 * turns the controller off (controllers.c).
 *
 * Differences from k3s: no DaemonSet or finalizer (nothing to clean up);
 * the list is sorted by address value; a Service that stops being a
 * LoadBalancer has its ingress cleared here (k3s leaves that to the
 * DaemonSet's removal).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define ENABLE_LB_LABEL "svccontroller.k3s.cattle.io/enablelb"

static const char *spec_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(obj, "spec"), key));
}

static bool node_has_enable_label(const json_t *node)
{
        return json_object_get(json_object_get(json_object_get(node, "metadata"), "labels"),
                               ENABLE_LB_LABEL) != NULL;
}

/*
 * The address `node` answers LoadBalancer traffic at, or NULL when it does
 * not (not Ready, cordoned, deleting, left out by the enablelb label, no
 * IPv4 address). Borrowed from the node.
 */
static const char *node_lb_address(const json_t *node, bool by_label)
{
        const json_t *ready = kl_ctrl_get_condition(node, "Ready");
        const json_t *labels = json_object_get(json_object_get(node, "metadata"), "labels");
        const char *internal = NULL, *external = NULL;
        unsigned char buf[4];
        size_t i;
        json_t *a;

        if (!kl_streq_null(json_string_value(json_object_get(ready, "status")), "True") ||
            json_is_true(json_object_get(json_object_get(node, "spec"), "unschedulable")) ||
            kl_ctrl_is_deleting(node))
                return NULL;
        if (by_label &&
            !kl_streq_null(json_string_value(json_object_get(labels, ENABLE_LB_LABEL)), "true"))
                return NULL;
        json_array_foreach(json_object_get(json_object_get(node, "status"), "addresses"), i, a) {
                const char *type = json_string_value(json_object_get(a, "type"));
                const char *addr = json_string_value(json_object_get(a, "address"));

                if (!addr || inet_pton(AF_INET, addr, buf) != 1)
                        continue;
                if (kl_streq_null(type, "ExternalIP") && !external)
                        external = addr;
                else if (kl_streq_null(type, "InternalIP") && !internal)
                        internal = addr;
        }
        return external ? external : internal;
}

static bool any_enable_label(const json_t *const *nodes, size_t n_nodes)
{
        for (size_t i = 0; i < n_nodes; i++)
                if (node_has_enable_label(nodes[i]))
                        return true;
        return false;
}

static int by_address(const void *a, const void *b)
{
        struct in_addr x, y;

        (void)inet_pton(AF_INET, *(const char *const *)a, &x);
        (void)inet_pton(AF_INET, *(const char *const *)b, &y);
        if (ntohl(x.s_addr) != ntohl(y.s_addr))
                return ntohl(x.s_addr) < ntohl(y.s_addr) ? -1 : 1;
        return 0;
}

/* The ingress list the nodes give: [{"ip": …}, …], new. */
static json_t *wanted_ingress(const json_t *const *nodes, size_t n_nodes)
{
        const char **ips = kl_calloc(n_nodes ? n_nodes : 1, sizeof(*ips));
        bool by_label = any_enable_label(nodes, n_nodes);
        json_t *ingress = json_array();
        size_t n = 0;

        for (size_t i = 0; i < n_nodes; i++) {
                const char *ip = node_lb_address(nodes[i], by_label);

                if (ip)
                        ips[n++] = ip;
        }
        qsort(ips, n, sizeof(*ips), by_address);
        for (size_t i = 0; i < n; i++)
                if (i == 0 || !kl_streq(ips[i], ips[i - 1]))
                        (void)json_array_append_new(ingress, json_pack("{ss}", "ip", ips[i]));
        free(ips);
        return ingress;
}

static void patch_ingress(const json_t *svc, json_t *ingress, struct kl_ctrl_actions *out)
{
        kl_ctrl_patch(out, kl_ctrl_res("", "services"), kl_ctrl_meta_str(svc, "namespace"),
                      kl_ctrl_meta_str(svc, "name"), "status", KL_API_PATCH_TYPE_MERGE,
                      json_pack("{s{s{so}}}", "status", "loadBalancer", "ingress", ingress));
}

void kl_controllers__servicelb_reconcile(const json_t *svc, const json_t *const *nodes,
                                         size_t n_nodes, struct kl_ctrl_actions *out)
{
        const json_t *have = json_object_get(
                json_object_get(json_object_get(svc, "status"), "loadBalancer"), "ingress");
        json_t *want;

        if (!kl_ctrl_meta_str(svc, "name") || kl_ctrl_is_deleting(svc) ||
            !kl_isempty(spec_str(svc, "loadBalancerClass")))
                return;
        if (!kl_streq_null(spec_str(svc, "type"), "LoadBalancer")) {
                /* No longer ours to answer: the addresses we gave go. */
                if (json_array_size(have) > 0)
                        patch_ingress(svc, json_null(), out);
                return;
        }
        want = wanted_ingress(nodes, n_nodes);
        if (json_array_size(want) == 0 && json_array_size(have) == 0) {
                json_decref(want);
                return;
        }
        if (json_equal(want, have)) {
                json_decref(want);
                return;
        }
        patch_ingress(svc, json_array_size(want) > 0 ? want : json_null(), out);
        if (json_array_size(want) == 0)
                json_decref(want);
}

/* ------------------------------------------------------------------------- */
/* The controller */

static bool is_load_balancer(const json_t *svc)
{
        return kl_streq_null(spec_str(svc, "type"), "LoadBalancer");
}

/* Whether a node's change can change any Service's ingress. */
static bool node_view_changed(const json_t *old, const json_t *obj)
{
        const char *a, *b;

        if (!old || !obj)
                return true;
        if (node_has_enable_label(old) != node_has_enable_label(obj))
                return true;
        a = node_lb_address(old, node_has_enable_label(old));
        b = node_lb_address(obj, node_has_enable_label(obj));
        return !kl_streq_null(a, b);
}

static void servicelb_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                              const json_t *obj)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv svcs = { 0 };

        if (i == KL_CTRL_INF_SERVICES) {
                /* Any Service: one that stopped being a LoadBalancer loses its ingress. */
                if (obj)
                        kl_ctrl_enqueue_obj(c, obj);
                return;
        }
        if (!node_view_changed(old, obj))
                return;
        kl_informer_list(kl_ctrl_informer_of(c, KL_CTRL_INF_SERVICES), NULL, &svcs);
        for (size_t k = 0; k < svcs.n; k++)
                if (is_load_balancer(svcs.items[k]))
                        kl_ctrl_enqueue_obj(c, svcs.items[k]);
}

static int servicelb_sync(const struct kl_ctrl_env *env, const char *key,
                          struct kl_ctrl_actions *out, kl_usec_t *requeue_after,
                          struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv nodes = { 0 };
        const json_t *svc = kl_informer_get_key(kl_ctrl_informer(env, KL_CTRL_INF_SERVICES), key);

        (void)requeue_after;
        (void)err;
        if (!svc)
                return 0;
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_NODES), NULL, &nodes);
        kl_controllers__servicelb_reconcile(svc, nodes.items, nodes.n, out);
        return 0;
}

static const enum kl_ctrl_inf servicelb_watches[] = {
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_NODES,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_servicelb = {
        .name = "servicelb",
        .user = "system:serviceaccount:kube-system:servicelb-controller",
        .watches = servicelb_watches,
        .enqueue = servicelb_enqueue,
        .sync = servicelb_sync,
};
