/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EndpointSlice controller (upstream pkg/controller/endpointslice and
 * its reconciler in k8s.io/endpointslice, v1.32). For every Service with a
 * selector it keeps discovery.k8s.io/v1 EndpointSlices named by
 * generateName "<service>-", labelled kubernetes.io/service-name and
 * endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
 * (plus the Service's own labels and service.kubernetes.io/headless for
 * headless Services), owned by the Service (the garbage collector deletes
 * them with it).
 *
 * One slice holds the endpoints of one address type (the Service's IP
 * families) that serve the same resolved ports, at most 100. Each pod with
 * an IP becomes an endpoint: its addresses of that family, conditions ready
 * (ready and not terminating, or publishNotReadyAddresses), serving
 * (ready), terminating (being deleted), nodeName, the zone of its node
 * (topology.kubernetes.io/zone), hostname for headless subdomains, and a
 * targetRef. Terminating pods stay in the slices, as upstream's.
 *
 * Churn is kept minimal as upstream's reconciler does: endpoints are
 * changed in place in the slices that hold them, slices left empty are
 * deleted, new endpoints fill the slices already being updated (fullest
 * first), then the unchanged slice they fit in best, and only then new
 * slices; a create and a delete of the same sync become an update of the
 * slice that would have been deleted. A Service without endpoints keeps
 * one empty placeholder slice.
 *
 * Keys: "ns:<namespace>" reconciles every Service of the namespace (an
 * enqueue callback cannot look up which Services select a pod; one key
 * per namespace also keeps two syncs from creating slices for the same
 * Service at once). Deviations from upstream: endpoints are placed in pod
 * order, not map order; topology hints and trafficDistribution are not
 * computed (hints found on endpoints are dropped when the endpoint is
 * rewritten); the trigger-time annotation is the latest change reflected
 * (see endpoints-util.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "controllers/ctrl-internal.h"

#define LABEL_SERVICE_NAME "kubernetes.io/service-name"
#define LABEL_MANAGED_BY   "endpointslice.kubernetes.io/managed-by"
#define LABEL_HEADLESS     "service.kubernetes.io/headless"
#define LABEL_ZONE         "topology.kubernetes.io/zone"
#define ANN_TRIGGER        "endpoints.kubernetes.io/last-change-trigger-time"
/* A pod whose node is not known yet is retried after this. */
#define NODE_RETRY (1 * KL_USEC_PER_SEC)

static const json_t *field(const json_t *obj, const char *a, const char *b)
{
        return json_object_get(json_object_get(obj, a), b);
}

/* ------------------------------------------------------------------------- */
/* Building blocks */

static int port_cmp(const void *pa, const void *pb)
{
        const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
        const char *na = json_string_value(json_object_get(a, "name"));
        const char *nb = json_string_value(json_object_get(b, "name"));
        const char *pra = json_string_value(json_object_get(a, "protocol"));
        const char *prb = json_string_value(json_object_get(b, "protocol"));
        json_int_t xa = json_integer_value(json_object_get(a, "port"));
        json_int_t xb = json_integer_value(json_object_get(b, "port"));
        int r = strcmp(na ? na : "", nb ? nb : "");

        if (r)
                return r;
        if (xa != xb)
                return xa < xb ? -1 : 1;
        return strcmp(pra ? pra : "", prb ? prb : "");
}

/* The ports sorted (a new array): slices with the same set of ports group together. */
static json_t *sorted_ports(const json_t *ports)
{
        size_t n = json_array_size(ports);
        const json_t **v = kl_calloc(n + 1, sizeof(*v));
        json_t *out = json_array();

        for (size_t i = 0; i < n; i++)
                v[i] = json_array_get(ports, i);
        qsort(v, n, sizeof(*v), port_cmp);
        for (size_t i = 0; i < n; i++)
                json_array_append(out, (json_t *)v[i]);
        free(v);
        return out;
}

/* upstream's endpoint hash: addresses, hostname and the pod's namespace/name. */
static char *endpoint_key(const json_t *ep)
{
        struct kl_buf b = KL_BUF_INIT;
        const json_t *ref = json_object_get(ep, "targetRef");
        const char *host = json_string_value(json_object_get(ep, "hostname"));
        const char *ns = json_string_value(json_object_get(ref, "namespace"));
        const char *name = json_string_value(json_object_get(ref, "name"));
        size_t i;
        json_t *a;

        /* Our own strings, no limit: the appends cannot fail. */
        json_array_foreach(json_object_get(ep, "addresses"), i, a) {
                (void)kl_buf_puts(&b, json_string_value(a) ? json_string_value(a) : "");
                (void)kl_buf_putc(&b, ',');
        }
        (void)kl_buf_putc(&b, '|');
        (void)kl_buf_puts(&b, host ? host : "");
        (void)kl_buf_putc(&b, '|');
        (void)kl_buf_puts(&b, ns ? ns : "");
        (void)kl_buf_putc(&b, '/');
        (void)kl_buf_puts(&b, name ? name : "");
        return kl_buf_detach(&b, NULL);
}

static const char *address_type_of(const char *family)
{
        if (kl_streq_null(family, "IPv4"))
                return "IPv4";
        if (kl_streq_null(family, "IPv6"))
                return "IPv6";
        return NULL;
}

/* getAddressTypesForService: the IP families, else the clusterIP's, else both. */
static size_t address_types(const json_t *svc, const char *types[2])
{
        const json_t *fams = field(svc, "spec", "ipFamilies");
        size_t i, n = 0;
        json_t *f;

        json_array_foreach(fams, i, f) {
                const char *t = address_type_of(json_string_value(f));

                if (t && n < 2 && (n == 0 || !kl_streq(types[0], t)))
                        types[n++] = t;
        }
        if (n > 0)
                return n;
        if (kl_controllers__ep_service_ip_set(svc)) {
                types[0] = kl_controllers__ep_is_ipv6(
                                   json_string_value(field(svc, "spec", "clusterIP")))
                                   ? "IPv6"
                                   : "IPv4";
                return 1;
        }
        types[0] = "IPv4";
        types[1] = "IPv6";
        return 2;
}

/* getEndpointPorts (new). */
static json_t *endpoint_ports(const json_t *svc, const json_t *pod)
{
        const json_t *svc_ports = field(svc, "spec", "ports");
        json_t *out = json_array(), *sp;
        size_t i;

        json_array_foreach(svc_ports, i, sp) {
                const json_t *name = json_object_get(sp, "name");
                const json_t *proto = json_object_get(sp, "protocol");
                int64_t num;
                json_t *p;

                if (!kl_controllers__ep_find_port(pod, sp, &num))
                        continue;
                p = json_object();
                json_object_set_new_nocheck(
                        p, "name",
                        json_string_nocheck(json_is_string(name) ? json_string_value(name) : ""));
                json_object_set_new_nocheck(p, "port", json_integer((json_int_t)num));
                json_object_set_new_nocheck(p, "protocol",
                                            json_string_nocheck(json_is_string(proto)
                                                                        ? json_string_value(proto)
                                                                        : "TCP"));
                if (json_object_get(sp, "appProtocol"))
                        json_object_set(p, "appProtocol", json_object_get(sp, "appProtocol"));
                json_array_append_new(out, p);
        }
        return out;
}

/* podToEndpoint (new). */
static json_t *pod_endpoint(const json_t *pod, const json_t *node, const json_t *svc,
                            const char *type)
{
        bool publish = json_is_true(field(svc, "spec", "publishNotReadyAddresses"));
        bool serving = kl_ctrl_pod_is_ready(pod);
        bool terminating = kl_ctrl_is_deleting(pod);
        bool ready = publish || (serving && !terminating);
        const char *ips[4];
        size_t n = kl_controllers__ep_pod_ips(pod, ips, KL_ARRAY_SIZE(ips));
        const char *node_name = json_string_value(field(pod, "spec", "nodeName"));
        const char *zone =
                json_string_value(json_object_get(field(node, "metadata", "labels"), LABEL_ZONE));
        json_t *addrs = json_array(), *ep, *conds;

        for (size_t i = 0; i < n; i++)
                if (kl_controllers__ep_is_ipv6(ips[i]) == kl_streq(type, "IPv6"))
                        json_array_append_new(addrs, json_string_nocheck(ips[i]));
        /* Once per pod per sync: no json_pack(), no UTF-8 checks (see
         * kl_controllers__ep_pod_ref()). */
        conds = json_object();
        json_object_set_new_nocheck(conds, "ready", json_boolean(ready));
        json_object_set_new_nocheck(conds, "serving", json_boolean(serving));
        json_object_set_new_nocheck(conds, "terminating", json_boolean(terminating));
        ep = json_object();
        json_object_set_new_nocheck(ep, "addresses", addrs);
        json_object_set_new_nocheck(ep, "conditions", conds);
        if (kl_controllers__ep_set_hostname(pod, svc))
                json_object_set(ep, "hostname",
                                json_object_get(json_object_get(pod, "spec"), "hostname"));
        json_object_set_new_nocheck(ep, "targetRef", kl_controllers__ep_pod_ref(pod));
        if (!kl_isempty(node_name))
                json_object_set_new_nocheck(ep, "nodeName", json_string_nocheck(node_name));
        if (!kl_isempty(zone))
                json_object_set_new_nocheck(ep, "zone", json_string_nocheck(zone));
        return ep;
}

static bool reserved_label(const char *k)
{
        return kl_streq(k, LABEL_SERVICE_NAME) || kl_streq(k, LABEL_MANAGED_BY) ||
               kl_streq(k, LABEL_HEADLESS);
}

/*
 * setEndpointSliceLabels: the Service's labels plus ours (new); *changed
 * when the slice's own labels (reserved ones aside) differ from the
 * Service's.
 */
static json_t *slice_labels(const json_t *slice, const json_t *svc, bool *changed)
{
        json_t *have = json_object(), *want = json_object(), *v;
        const char *k;

        json_object_foreach(json_object_get(json_object_get(slice, "metadata"), "labels"), k, v)
                if (!reserved_label(k))
                        json_object_set(have, k, v);
        json_object_foreach(json_object_get(json_object_get(svc, "metadata"), "labels"), k, v)
                if (!reserved_label(k))
                        json_object_set(want, k, v);
        if (changed)
                *changed = !json_equal(have, want);
        json_decref(have);
        if (!kl_controllers__ep_service_ip_set(svc))
                json_object_set_new(want, LABEL_HEADLESS, json_string(""));
        json_object_set_new(want, LABEL_SERVICE_NAME, json_string(kl_ctrl_meta_str(svc, "name")));
        json_object_set_new(want, LABEL_MANAGED_BY, json_string(KL_CTRL_ENDPOINTSLICE_MANAGED_BY));
        return want;
}

static json_t *service_owner_ref(const json_t *svc)
{
        return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:b}", "apiVersion", "v1", "kind", "Service",
                         "name", kl_ctrl_meta_str(svc, "name"), "uid", kl_ctrl_meta_str(svc, "uid"),
                         "controller", 1, "blockOwnerDeletion", 1);
}

/* newEndpointSlice (new). */
static json_t *new_slice(const json_t *svc, const json_t *ports, const char *type)
{
        const char *name = kl_ctrl_meta_str(svc, "name");
        /* The dash only when the prefix stays a valid name (upstream checks DNS-1123). */
        json_t *gen = strlen(name) < 253 ? json_sprintf("%s-", name) : json_string(name);

        return json_pack("{s:s, s:s, s:{s:o, s:s?, s:o, s:[o]}, s:s, s:[], s:O}", "apiVersion",
                         "discovery.k8s.io/v1", "kind", "EndpointSlice", "metadata", "generateName",
                         gen, "namespace", kl_ctrl_meta_str(svc, "namespace"), "labels",
                         slice_labels(NULL, svc, NULL), "ownerReferences", service_owner_ref(svc),
                         "addressType", type, "endpoints", "ports", ports);
}

static bool owned_by(const json_t *slice, const json_t *svc)
{
        const char *uid = kl_ctrl_meta_str(svc, "uid");
        size_t i;
        json_t *ref;

        json_array_foreach(field(slice, "metadata", "ownerReferences"), i, ref)
                if (uid && kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid) &&
                    kl_streq_null(json_string_value(json_object_get(ref, "kind")), "Service") &&
                    kl_streq_null(json_string_value(json_object_get(ref, "apiVersion")), "v1"))
                        return true;
        return false;
}

static size_t n_endpoints(const json_t *slice)
{
        return json_array_size(json_object_get(slice, "endpoints"));
}

/* ------------------------------------------------------------------------- */
/* Plans */

/* A list of slices (owned bodies, or borrowed existing ones). */
struct slices {
        json_t **v;
        size_t n, cap;
};

static void slices_push(struct slices *s, json_t *slice)
{
        if (s->n == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 8;
                s->v = kl_realloc(s->v, s->cap * sizeof(*s->v));
        }
        s->v[s->n++] = slice;
}

static void slices_remove(struct slices *s, size_t i)
{
        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
        s->n--;
}

/* What one address type needs written. */
struct plan {
        struct slices create; /* owned bodies without names */
        struct slices update; /* owned bodies */
        struct slices del;    /* borrowed existing slices */
};

static void plan_clear(struct plan *p)
{
        for (size_t i = 0; i < p->create.n; i++)
                json_decref(p->create.v[i]);
        for (size_t i = 0; i < p->update.n; i++)
                json_decref(p->update.v[i]);
        free(p->create.v);
        free(p->update.v);
        free(p->del.v);
        *p = (struct plan){ 0 };
}

/* The endpoints wanted with one set of ports, in pod order. */
struct group {
        json_t *ports; /* sorted: upstream's PortMapKey */
        json_t *eps;   /* array of endpoints */
        json_t *index; /* endpoint key -> position in eps */
        bool *taken;
        size_t left;
        size_t next;            /* no endpoint before it is left to place */
        struct slices existing; /* borrowed */
};

static void group_add(struct group *g, json_t *ep)
{
        char *k = endpoint_key(ep);

        /* Two pods cannot share addresses and name; keep the first if they do. */
        if (!json_object_get(g->index, k)) {
                json_object_set_new(g->index, k, json_integer((json_int_t)json_array_size(g->eps)));
                json_array_append(g->eps, ep);
        }
        free(k);
        json_decref(ep);
}

/* The desired endpoint matching `ep` that is not placed yet, or -1. */
static ssize_t group_take(struct group *g, const json_t *ep)
{
        char *k = endpoint_key(ep);
        const json_t *at = json_object_get(g->index, k);
        ssize_t i = at ? (ssize_t)json_integer_value(at) : -1;

        free(k);
        if (i < 0 || g->taken[i])
                return -1;
        g->taken[i] = true;
        g->left--;
        return i;
}

static json_t *group_pop(struct group *g)
{
        for (; g->next < json_array_size(g->eps); g->next++)
                if (!g->taken[g->next]) {
                        g->taken[g->next] = true;
                        g->left--;
                        return json_incref(json_array_get(g->eps, g->next));
                }
        kl_bug("group_pop on an empty group");
}

static void fill(struct group *g, json_t *slice, size_t max)
{
        json_t *eps = json_object_get(slice, "endpoints");

        if (!json_is_array(eps)) {
                eps = json_array();
                json_object_set_new(slice, "endpoints", eps);
        }
        while (g->left > 0 && json_array_size(eps) < max)
                json_array_append_new(eps, group_pop(g));
}

static int by_len_desc(const void *pa, const void *pb)
{
        size_t a = n_endpoints(*(json_t *const *)pa), b = n_endpoints(*(json_t *const *)pb);

        return a == b ? 0 : a > b ? -1 : 1;
}

/* reconcileByPortMapping. */
static void reconcile_group(const json_t *svc, struct group *g, const char *type, size_t max,
                            struct plan *p)
{
        struct slices update = { 0 }, unchanged = { 0 };

        for (size_t i = 0; i < g->existing.n; i++) {
                const json_t *slice = g->existing.v[i];
                json_t *keep = json_array(), *labels, *ep;
                bool updated = false, labels_changed;
                size_t k;

                json_array_foreach(json_object_get(slice, "endpoints"), k, ep) {
                        ssize_t at = group_take(g, ep);

                        if (at < 0)
                                continue;
                        json_array_append(keep, json_array_get(g->eps, (size_t)at));
                        if (!json_equal(json_array_get(g->eps, (size_t)at), ep))
                                updated = true;
                }
                labels = slice_labels(slice, svc, &labels_changed);
                if (updated || json_array_size(keep) != n_endpoints(slice)) {
                        if (json_array_size(keep) == 0) {
                                slices_push(&p->del, (json_t *)slice);
                                json_decref(labels);
                        } else {
                                json_t *copy = json_deep_copy(slice);

                                json_object_set(copy, "endpoints", keep);
                                json_object_set(json_object_get(copy, "metadata"), "labels",
                                                labels);
                                json_decref(labels);
                                slices_push(&update, copy);
                        }
                } else if (labels_changed) {
                        json_t *copy = json_deep_copy(slice);

                        json_object_set_new(json_object_get(copy, "metadata"), "labels", labels);
                        slices_push(&update, copy);
                } else {
                        json_decref(labels);
                        slices_push(&unchanged, (json_t *)slice);
                }
                json_decref(keep);
        }

        /* New endpoints go first to the slices being written anyway, fullest first. */
        if (g->left > 0 && update.n > 0) {
                qsort(update.v, update.n, sizeof(*update.v), by_len_desc);
                for (size_t i = 0; i < update.n && g->left > 0; i++)
                        fill(g, update.v[i], max);
        }
        /* Then to the one unchanged slice they fit best, then to new slices. */
        while (g->left > 0) {
                json_t *target = NULL;

                if (g->left < max && unchanged.n > 0) {
                        size_t best = max, at = 0;

                        for (size_t i = 0; i < unchanged.n; i++) {
                                size_t have = n_endpoints(unchanged.v[i]);

                                if (have + g->left > max || max - (have + g->left) >= best)
                                        continue;
                                best = max - (have + g->left);
                                at = i;
                                target = unchanged.v[i];
                                if (best == 0)
                                        break;
                        }
                        if (target) {
                                target = json_deep_copy(target);
                                slices_remove(&unchanged, at);
                        }
                }
                if (!target) {
                        target = new_slice(svc, g->ports, type);
                        fill(g, target, max);
                        slices_push(&p->create, target);
                } else {
                        fill(g, target, max);
                        slices_push(&update, target);
                }
        }
        for (size_t i = 0; i < update.n; i++)
                slices_push(&p->update, update.v[i]);
        free(update.v);
        free(unchanged.v);
}

/* placeholderSliceCompare: namespace, labels, owners, type, and nothing in it. */
static bool is_placeholder(const json_t *slice, const json_t *placeholder)
{
        const json_t *labels = field(slice, "metadata", "labels");

        return kl_streq_null(kl_ctrl_meta_str(slice, "namespace"),
                             kl_ctrl_meta_str(placeholder, "namespace")) &&
               json_is_object(labels) &&
               json_equal(labels, field(placeholder, "metadata", "labels")) &&
               json_equal(field(slice, "metadata", "ownerReferences"),
                          field(placeholder, "metadata", "ownerReferences")) &&
               kl_streq_null(json_string_value(json_object_get(slice, "addressType")),
                             json_string_value(json_object_get(placeholder, "addressType"))) &&
               n_endpoints(slice) == 0 && json_array_size(json_object_get(slice, "ports")) == 0;
}

static void groups_free(struct group *gs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                json_decref(gs[i].ports);
                json_decref(gs[i].eps);
                json_decref(gs[i].index);
                free(gs[i].taken);
                free(gs[i].existing.v);
        }
        free(gs);
}

static struct group *group_get(struct group **gs, size_t *n, const json_t *ports, bool add)
{
        json_t *sorted = sorted_ports(ports);

        /* Groups are few: comparing the sorted ports is cheaper than encoding a key per pod. */
        for (size_t i = 0; i < *n; i++)
                if (json_equal((*gs)[i].ports, sorted)) {
                        json_decref(sorted);
                        return &(*gs)[i];
                }
        if (!add) {
                json_decref(sorted);
                return NULL;
        }
        *gs = kl_realloc(*gs, (*n + 1) * sizeof(**gs));
        (*gs)[*n] = (struct group){
                .ports = sorted,
                .eps = json_array(),
                .index = json_object(),
        };
        return &(*gs)[(*n)++];
}

/* reconcileByAddressType, up to the writes. Returns true when a node was missing. */
static bool plan_type(const struct kl_controllers__endpointslice_in *in, const char *type,
                      const struct slices *existing, size_t max, struct plan *p)
{
        const json_t *svc = in->svc;
        const json_t *selector = kl_controllers__ep_selector(svc);
        bool publish = json_is_true(field(svc, "spec", "publishNotReadyAddresses"));
        struct group *desired = NULL, *stale = NULL;
        size_t n_desired = 0, n_stale = 0;
        bool missing_node = false;

        for (size_t i = 0; i < in->n_pods; i++) {
                const json_t *pod = in->pods[i];
                const json_t *node;
                struct group *g;
                json_t *ports, *ep;

                if (!kl_controllers__ep_selects(selector, pod) ||
                    !kl_controllers__ep_pod_included(pod, true))
                        continue;
                ports = endpoint_ports(svc, pod);
                g = group_get(&desired, &n_desired, ports, true);
                json_decref(ports);
                node = in->node ? in->node(in->node_arg,
                                           json_string_value(field(pod, "spec", "nodeName")))
                                : NULL;
                /* A pod on an unknown node is left out (published ones aside) and retried. */
                if (!node && !publish) {
                        missing_node = true;
                        continue;
                }
                ep = pod_endpoint(pod, node, svc, type);
                if (json_array_size(json_object_get(ep, "addresses")) > 0)
                        group_add(g, ep);
                else
                        json_decref(ep);
        }
        for (size_t i = 0; i < n_desired; i++) {
                desired[i].left = json_array_size(desired[i].eps);
                desired[i].taken = kl_calloc(desired[i].left + 1, sizeof(bool));
        }

        /* Existing slices by their ports; those of another owner go. */
        for (size_t i = 0; i < existing->n; i++) {
                const json_t *slice = existing->v[i];
                const json_t *ports = json_object_get(slice, "ports");
                struct group *g;

                if (!owned_by(slice, svc)) {
                        slices_push(&p->del, (json_t *)slice);
                        continue;
                }
                g = group_get(&desired, &n_desired, ports, false);
                if (!g)
                        g = group_get(&stale, &n_stale, ports, true);
                slices_push(&g->existing, (json_t *)slice);
        }
        for (size_t i = 0; i < n_desired; i++)
                reconcile_group(svc, &desired[i], type, max, p);
        /* Port sets nobody serves any more. */
        for (size_t i = 0; i < n_stale; i++)
                for (size_t k = 0; k < stale[i].existing.n; k++)
                        slices_push(&p->del, stale[i].existing.v[k]);

        /* Without endpoints a Service still gets one (empty) slice. */
        if (existing->n == p->del.n && p->create.n == 0) {
                json_t *ph_ports = json_array();
                json_t *ph = new_slice(svc, ph_ports, type);

                json_decref(ph_ports);
                if (p->del.n == 1 && is_placeholder(p->del.v[0], ph)) {
                        p->del.n = 0;
                        json_decref(ph);
                } else {
                        slices_push(&p->create, ph);
                }
        }
        groups_free(desired, n_desired);
        groups_free(stale, n_stale);
        return missing_node;
}

static void set_trigger(json_t *slice, kl_usec_t trigger)
{
        json_t *meta = json_object_get(slice, "metadata");
        json_t *ann = json_object_get(meta, "annotations");

        if (!json_is_object(ann)) {
                ann = json_object();
                json_object_set_new(meta, "annotations", ann);
        }
        if (trigger)
                json_object_set_new(ann, ANN_TRIGGER, kl_ctrl_time_json(trigger));
        else
                json_object_del(ann, ANN_TRIGGER);
        if (json_object_size(ann) == 0)
                json_object_del(meta, "annotations");
}

/* finalize: creates become updates of slices about to be deleted; then the writes. */
static void finalize(const json_t *svc, struct plan *p, kl_usec_t trigger,
                     struct kl_ctrl_actions *out)
{
        const struct kl_api_resource *res = kl_ctrl_res("discovery.k8s.io", "endpointslices");
        const char *ns = kl_ctrl_meta_str(svc, "namespace");

        for (size_t i = 0; i < p->del.n && p->create.n > 0;) {
                const json_t *old = p->del.v[i];
                json_t *slice = p->create.v[p->create.n - 1];
                json_t *meta = json_object_get(slice, "metadata");

                if (!kl_streq_null(json_string_value(json_object_get(old, "addressType")),
                                   json_string_value(json_object_get(slice, "addressType"))) ||
                    !owned_by(old, svc)) {
                        i++;
                        continue;
                }
                json_object_del(meta, "generateName");
                json_object_set(meta, "name", (json_t *)field(old, "metadata", "name"));
                /* Upstream updates unconditionally; the version read makes it a CAS. */
                if (field(old, "metadata", "resourceVersion"))
                        json_object_set(meta, "resourceVersion",
                                        (json_t *)field(old, "metadata", "resourceVersion"));
                p->create.n--;
                slices_push(&p->update, slice);
                slices_remove(&p->del, i);
        }
        /* No new slices for a Service being deleted: the garbage collector is at work. */
        if (!kl_ctrl_is_deleting(svc))
                for (size_t i = 0; i < p->create.n; i++) {
                        set_trigger(p->create.v[i], trigger);
                        kl_ctrl_create(out, res, ns, json_incref(p->create.v[i]));
                }
        for (size_t i = 0; i < p->update.n; i++) {
                set_trigger(p->update.v[i], trigger);
                kl_ctrl_update(out, res, ns, kl_ctrl_meta_str(p->update.v[i], "name"), NULL,
                               json_incref(p->update.v[i]));
        }
        for (size_t i = 0; i < p->del.n; i++)
                kl_ctrl_delete(out, res, ns, kl_ctrl_meta_str(p->del.v[i], "name"), NULL);
}

bool kl_controllers__endpointslice_reconcile(const struct kl_controllers__endpointslice_in *in,
                                             struct kl_ctrl_actions *out)
{
        const json_t *svc = in->svc;
        size_t max = in->max_endpoints ? in->max_endpoints : KL_CTRL_ENDPOINTSLICE_MAX_ENDPOINTS;
        const char *types[2];
        size_t n_types;
        struct slices gone = { 0 };
        const json_t **sel;
        size_t n_sel = 0;
        kl_usec_t trigger;
        bool missing = false;

        if (!svc || kl_streq_null(json_string_value(field(svc, "spec", "type")), "ExternalName") ||
            !kl_controllers__ep_selector(svc))
                return false;
        sel = kl_calloc(in->n_pods + 1, sizeof(*sel));
        for (size_t i = 0; i < in->n_pods; i++)
                if (kl_controllers__ep_selects(kl_controllers__ep_selector(svc), in->pods[i]))
                        sel[n_sel++] = in->pods[i];
        trigger = kl_controllers__ep_trigger_time(svc, sel, n_sel);
        free(sel);

        n_types = address_types(svc, types);
        for (size_t t = 0; t < n_types; t++) {
                struct slices existing = { 0 };
                struct plan p = { 0 };

                for (size_t i = 0; i < in->n_slices; i++)
                        if (kl_streq_null(json_string_value(
                                                  json_object_get(in->slices[i], "addressType")),
                                          types[t]))
                                slices_push(&existing, (json_t *)in->slices[i]);
                missing |= plan_type(in, types[t], &existing, max, &p);
                finalize(svc, &p, trigger, out);
                plan_clear(&p);
                free(existing.v);
        }
        /* Slices of an address type the Service no longer has. */
        for (size_t i = 0; i < in->n_slices; i++) {
                const char *t = json_string_value(json_object_get(in->slices[i], "addressType"));
                bool known = false;

                for (size_t k = 0; k < n_types; k++)
                        known |= kl_streq_null(t, types[k]);
                if (!known)
                        slices_push(&gone, (json_t *)in->slices[i]);
        }
        for (size_t i = 0; i < gone.n; i++)
                kl_ctrl_delete(out, kl_ctrl_res("discovery.k8s.io", "endpointslices"),
                               kl_ctrl_meta_str(svc, "namespace"),
                               kl_ctrl_meta_str(gone.v[i], "name"), NULL);
        free(gone.v);
        return missing;
}

/* ------------------------------------------------------------------------- */
/* The controller */

static void enqueue_ns(struct kl_ctrl *c, const json_t *obj)
{
        const char *ns = kl_ctrl_meta_str(obj, "namespace");
        kl_autofree char *key = NULL;

        if (!ns)
                return;
        key = kl_asprintf("ns:%s", ns);
        kl_ctrl_enqueue(c, key);
}

static void endpointslice_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                                  const json_t *obj)
{
        switch (i) {
        case KL_CTRL_INF_PODS:
                if (!kl_controllers__ep_pod_changed(old, obj))
                        return;
                if (old)
                        enqueue_ns(c, old);
                if (obj)
                        enqueue_ns(c, obj);
                break;
        case KL_CTRL_INF_SERVICES:
                enqueue_ns(c, obj ? obj : old);
                break;
        case KL_CTRL_INF_ENDPOINTSLICES:
                /* A slice of ours deleted by someone else is replaced. */
                if (!obj &&
                    kl_streq_null(json_string_value(json_object_get(
                                          field(old, "metadata", "labels"), LABEL_MANAGED_BY)),
                                  KL_CTRL_ENDPOINTSLICE_MANAGED_BY))
                        enqueue_ns(c, old);
                break;
        default:
                break;
        }
}

static const json_t *node_lookup(void *arg, const char *name)
{
        return name ? kl_informer_get(arg, NULL, name) : NULL;
}

static int endpointslice_sync(const struct kl_ctrl_env *env, const char *key,
                              struct kl_ctrl_actions *out, kl_usec_t *requeue_after,
                              struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv svcs = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv found = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv slices = { 0 };
        const struct kl_informer *slice_inf = kl_ctrl_informer(env, KL_CTRL_INF_ENDPOINTSLICES);
        const char *ns = kl_startswith(key, "ns:");
        bool missing = false;

        (void)err;
        if (!ns)
                return 0;
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NAMESPACE, ns,
                             &pods);
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_SERVICES), ns, &svcs);
        for (size_t i = 0; i < svcs.n; i++) {
                const json_t *svc = svcs.items[i];
                kl_autofree char *label = NULL;
                struct kl_controllers__endpointslice_in in = {
                        .svc = svc,
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .node = node_lookup,
                        .node_arg = (void *)kl_ctrl_informer(env, KL_CTRL_INF_NODES),
                };

                if (!kl_controllers__ep_selector(svc))
                        continue;
                label = kl_asprintf(LABEL_SERVICE_NAME "=%s", kl_ctrl_meta_str(svc, "name"));
                found.n = slices.n = 0;
                kl_informer_by_index(slice_inf, KL_INDEX_LABEL, label, &found);
                for (size_t k = 0; k < found.n; k++)
                        if (kl_streq_null(kl_ctrl_meta_str(found.items[k], "namespace"), ns) &&
                            kl_streq_null(json_string_value(json_object_get(
                                                  field(found.items[k], "metadata", "labels"),
                                                  LABEL_MANAGED_BY)),
                                          KL_CTRL_ENDPOINTSLICE_MANAGED_BY))
                                kl_objv_push(&slices, found.items[k]);
                in.slices = slices.items;
                in.n_slices = slices.n;
                missing |= kl_controllers__endpointslice_reconcile(&in, out);
        }
        if (missing)
                *requeue_after = NODE_RETRY;
        return 0;
}

static const enum kl_ctrl_inf endpointslice_watches[] = {
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_ENDPOINTSLICES,
        KL_CTRL_INF__COUNT,
};
static const enum kl_ctrl_inf endpointslice_reads[] = { KL_CTRL_INF_NODES, KL_CTRL_INF__COUNT };

const struct kl_ctrl_def kl_ctrl_endpointslice = {
        .name = "endpointslice",
        .user = "system:serviceaccount:kube-system:endpointslice-controller",
        .watches = endpointslice_watches,
        .reads = endpointslice_reads,
        .enqueue = endpointslice_enqueue,
        .sync = endpointslice_sync,
};
