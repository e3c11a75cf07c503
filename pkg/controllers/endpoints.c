/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Endpoints controller (upstream pkg/controller/endpoint, v1.32): one
 * core/v1 Endpoints per Service with a selector, named as the Service, its
 * subsets listing the selected pods' addresses (ready ones in `addresses`,
 * the others in `notReadyAddresses`, all of them ready with
 * publishNotReadyAddresses) with the ports each pod serves: a named
 * targetPort is looked up in every pod, and pods are grouped into subsets by
 * the ports they resolve to (upstream's RepackSubsets). Services without a
 * selector and ExternalName Services are left alone (their Endpoints are the
 * user's); the Endpoints of a deleted Service are deleted. More than 1000
 * addresses are truncated, ready ones first, and the Endpoints annotated
 * endpoints.kubernetes.io/over-capacity: truncated. v1.32 puts no
 * managed-by label on Endpoints (that came with v1.33).
 *
 * Keys: "ns:<namespace>" reconciles every Service of a namespace (pod
 * events: an enqueue callback cannot look Services up, so a pod queues its
 * namespace); "<ns>/<name>" reconciles one Service (Service and Endpoints
 * events, and the deletion of a Service).
 *
 * Differences from upstream, all deliberate: addresses and ports are sorted
 * by their text rather than by upstream's hashes (kubectl shows the same
 * sets); the trigger-time annotation is the latest change the Endpoints
 * reflect, not the earliest unprocessed one (no state between syncs);
 * Endpoints left over from a Service deleted while the controller was not
 * running are not swept at start-up; failed writes are retried but not
 * reported with FailedToCreateEndpoint/FailedToUpdateEndpoint events (the
 * manager performs the writes).
 */
#include <stdlib.h>
#include <string.h>

#include "controllers/ctrl-internal.h"

#define MAX_CAPACITY      1000
#define ANN_TRIGGER       "endpoints.kubernetes.io/last-change-trigger-time"
#define ANN_OVER_CAPACITY "endpoints.kubernetes.io/over-capacity"
#define LABEL_HEADLESS    "service.kubernetes.io/headless"

/* One published pod. */
struct entry {
        json_t *addr; /* EndpointAddress, owned */
        const char *ip, *uid;
        bool ready;
        json_t *ports; /* EndpointPorts it serves, owned; [] for a headless Service without ports */
};

/* One distinct EndpointPort and the entries serving it. */
struct port {
        const json_t *obj; /* borrowed from an entry; NULL: the "no ports" sentinel */
        size_t *idx;       /* entry indexes, ascending */
        size_t n, cap;
        size_t group;
};

static const json_t *field(const json_t *obj, const char *a, const char *b)
{
        return json_object_get(json_object_get(obj, a), b);
}

static int entry_cmp(const void *pa, const void *pb)
{
        const struct entry *a = pa, *b = pb;
        int r = strcmp(a->ip, b->ip);

        return r ? r : strcmp(a->uid ? a->uid : "", b->uid ? b->uid : "");
}

static int port_cmp(const void *pa, const void *pb)
{
        const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
        const char *na = json_string_value(json_object_get(a, "name"));
        const char *nb = json_string_value(json_object_get(b, "name"));
        json_int_t xa = json_integer_value(json_object_get(a, "port"));
        json_int_t xb = json_integer_value(json_object_get(b, "port"));
        int r = strcmp(na ? na : "", nb ? nb : "");

        if (r)
                return r;
        if (xa != xb)
                return xa < xb ? -1 : 1;
        return strcmp(json_string_value(json_object_get(a, "protocol")),
                      json_string_value(json_object_get(b, "protocol")));
}

/* The IP of the Service's (first) family, as podToEndpointAddressForService. */
static const char *pod_ip_for_service(const json_t *svc, const json_t *pod)
{
        const json_t *fams = field(svc, "spec", "ipFamilies");
        const char *ips[2];
        size_t n = kl_controllers__ep_pod_ips(pod, ips, KL_ARRAY_SIZE(ips));
        bool v6;

        if (json_array_size(fams) > 0)
                v6 = kl_streq_null(json_string_value(json_array_get(fams, 0)), "IPv6");
        else if (kl_controllers__ep_service_ip_set(svc))
                v6 = kl_controllers__ep_is_ipv6(json_string_value(field(svc, "spec", "clusterIP")));
        else
                v6 = n > 0 && kl_controllers__ep_is_ipv6(ips[0]);
        for (size_t i = 0; i < n; i++)
                if (kl_controllers__ep_is_ipv6(ips[i]) == v6)
                        return ips[i];
        return NULL;
}

static json_t *endpoint_port(const json_t *svc_port, int64_t num)
{
        json_t *p = json_object();
        const json_t *v;

        json_object_set_new_nocheck(p, "port", json_integer((json_int_t)num));
        if ((v = json_object_get(svc_port, "name")) && !kl_isempty(json_string_value(v)))
                json_object_set_nocheck(p, "name", (json_t *)v);
        v = json_object_get(svc_port, "protocol");
        json_object_set_new_nocheck(
                p, "protocol",
                json_string_nocheck(json_is_string(v) ? json_string_value(v) : "TCP"));
        if ((v = json_object_get(svc_port, "appProtocol")))
                json_object_set_nocheck(p, "appProtocol", (json_t *)v);
        return p;
}

/* The entry of one pod, false when the pod is not published. */
static bool pod_entry(const json_t *svc, const json_t *pod, struct entry *e)
{
        const json_t *spec = json_object_get(svc, "spec");
        const json_t *svc_ports = json_object_get(spec, "ports");
        bool publish = json_is_true(json_object_get(spec, "publishNotReadyAddresses"));
        const char *ip, *node;
        json_t *ref, *sp;
        size_t i;

        if (!kl_controllers__ep_pod_included(pod, publish))
                return false;
        if (!(ip = pod_ip_for_service(svc, pod)))
                return false;
        e->ports = json_array();
        if (json_array_size(svc_ports) == 0) {
                /* A headless Service may have no ports; any other gets no addresses. */
                if (!kl_streq_null(json_string_value(json_object_get(spec, "clusterIP")), "None")) {
                        json_decref(e->ports);
                        return false;
                }
        } else {
                json_array_foreach(svc_ports, i, sp) {
                        int64_t num;

                        if (kl_controllers__ep_find_port(pod, sp, &num))
                                json_array_append_new(e->ports, endpoint_port(sp, num));
                }
                if (json_array_size(e->ports) == 0) {
                        json_decref(e->ports);
                        return false;
                }
        }
        ref = kl_controllers__ep_pod_ref(pod);
        e->addr = json_object();
        json_object_set_new_nocheck(e->addr, "ip", json_string_nocheck(ip));
        if (kl_controllers__ep_set_hostname(pod, svc))
                json_object_set_nocheck(e->addr, "hostname",
                                        (json_t *)field(pod, "spec", "hostname"));
        node = json_string_value(field(pod, "spec", "nodeName"));
        if (!kl_isempty(node))
                json_object_set_new_nocheck(e->addr, "nodeName", json_string_nocheck(node));
        json_object_set_new_nocheck(e->addr, "targetRef", ref);
        e->ip = json_string_value(json_object_get(e->addr, "ip"));
        e->uid = kl_ctrl_meta_str(pod, "uid");
        e->ready = publish || kl_ctrl_pod_is_ready(pod);
        return true;
}

static void port_add(struct port **ports, size_t *n_ports, const json_t *obj, size_t entry)
{
        struct port *p = NULL;

        for (size_t i = 0; i < *n_ports; i++)
                if ((!obj && !(*ports)[i].obj) ||
                    ((*ports)[i].obj && json_equal((*ports)[i].obj, obj)))
                        p = &(*ports)[i];
        if (!p) {
                *ports = kl_realloc(*ports, (*n_ports + 1) * sizeof(**ports));
                p = &(*ports)[(*n_ports)++];
                *p = (struct port){ .obj = obj };
        }
        if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 8;
                p->idx = kl_realloc(p->idx, p->cap * sizeof(*p->idx));
        }
        p->idx[p->n++] = entry;
}

/*
 * RepackSubsets: ports offered by exactly the same addresses share a
 * subset; within it ready and not-ready addresses are split.
 */
static json_t *repack(struct entry *es, size_t n)
{
        struct port *ports = NULL;
        size_t n_ports = 0, n_groups = 0;
        json_t *subsets = json_array();

        for (size_t i = 0; i < n; i++) {
                size_t j;
                json_t *p;

                if (json_array_size(es[i].ports) == 0)
                        port_add(&ports, &n_ports, NULL, i);
                json_array_foreach(es[i].ports, j, p)
                        port_add(&ports, &n_ports, p, i);
        }
        for (size_t i = 0; i < n_ports; i++) {
                size_t g = n_groups;

                for (size_t k = 0; k < i; k++)
                        if (ports[k].n == ports[i].n &&
                            memcmp(ports[k].idx, ports[i].idx, ports[i].n * sizeof(size_t)) == 0) {
                                g = ports[k].group;
                                break;
                        }
                ports[i].group = g;
                if (g == n_groups) {
                        json_t *ready = json_array(), *not_ready = json_array();
                        json_t *ss = json_object();

                        for (size_t k = 0; k < ports[i].n; k++) {
                                const struct entry *e = &es[ports[i].idx[k]];

                                json_array_append(e->ready ? ready : not_ready, e->addr);
                        }
                        if (json_array_size(ready))
                                json_object_set(ss, "addresses", ready);
                        if (json_array_size(not_ready))
                                json_object_set(ss, "notReadyAddresses", not_ready);
                        json_decref(ready);
                        json_decref(not_ready);
                        json_array_append_new(subsets, ss);
                        n_groups++;
                }
                if (ports[i].obj) {
                        json_t *ss = json_array_get(subsets, g);

                        if (!json_object_get(ss, "ports"))
                                json_object_set_new(ss, "ports", json_array());
                        json_array_append(json_object_get(ss, "ports"), (json_t *)ports[i].obj);
                }
        }
        for (size_t g = 0; g < n_groups; g++) {
                json_t *ps = json_object_get(json_array_get(subsets, g), "ports");
                size_t np = json_array_size(ps);
                const json_t **v;

                if (np < 2)
                        continue;
                v = kl_calloc(np, sizeof(*v));
                for (size_t k = 0; k < np; k++)
                        v[k] = json_incref(json_array_get(ps, k));
                qsort(v, np, sizeof(*v), port_cmp);
                json_array_clear(ps);
                for (size_t k = 0; k < np; k++)
                        json_array_append_new(ps, (json_t *)v[k]);
                free(v);
        }
        for (size_t i = 0; i < n_ports; i++)
                free(ports[i].idx);
        free(ports);
        return subsets;
}

static size_t count_addresses(const json_t *subsets, size_t *ready, size_t *not_ready)
{
        size_t i, r = 0, nr = 0;
        json_t *ss;

        json_array_foreach(subsets, i, ss) {
                r += json_array_size(json_object_get(ss, "addresses"));
                nr += json_array_size(json_object_get(ss, "notReadyAddresses"));
        }
        if (ready)
                *ready = r;
        if (not_ready)
                *not_ready = nr;
        return r + nr;
}

static void array_truncate(json_t *arr, size_t n)
{
        while (json_array_size(arr) > n)
                json_array_remove(arr, json_array_size(arr) - 1);
}

/*
 * truncateEndpoints: keep MAX_CAPACITY addresses, spread over the subsets
 * in proportion to their sizes (rounded up), ready ones first. False when
 * nothing needed truncating.
 */
static bool truncate_endpoints(json_t *subsets)
{
        size_t ready, not_ready, max, total, can_add, i;
        bool trunc_ready;
        json_t *ss;

        if (count_addresses(subsets, &ready, &not_ready) <= MAX_CAPACITY)
                return false;
        trunc_ready = ready > MAX_CAPACITY;
        max = trunc_ready ? MAX_CAPACITY : MAX_CAPACITY - ready;
        total = trunc_ready ? ready : not_ready;
        can_add = max;
        json_array_foreach(subsets, i, ss) {
                json_t *list = json_object_get(ss, trunc_ready ? "addresses" : "notReadyAddresses");
                size_t in = json_array_size(list);
                size_t add = total ? (in * max + total - 1) / total : 0;

                if (add > can_add)
                        add = can_add;
                array_truncate(list, add);
                if (trunc_ready)
                        json_object_del(ss, "notReadyAddresses");
                can_add -= json_array_size(list);
        }
        /* Lists emptied by the truncation are left out, as upstream's omitempty does. */
        for (i = json_array_size(subsets); i-- > 0;) {
                ss = json_array_get(subsets, i);
                if (json_array_size(json_object_get(ss, "addresses")) == 0)
                        json_object_del(ss, "addresses");
                if (json_array_size(json_object_get(ss, "notReadyAddresses")) == 0)
                        json_object_del(ss, "notReadyAddresses");
        }
        return true;
}

/* Labels equal, ignoring the headless label of the Endpoints; absent is {}. */
static bool labels_equal(const json_t *ep_labels, const json_t *svc_labels)
{
        json_t *a = json_is_object(ep_labels) ? json_copy((json_t *)ep_labels) : json_object();
        json_t *b = json_is_object(svc_labels) ? json_copy((json_t *)svc_labels) : json_object();
        bool eq;

        json_object_del(a, LABEL_HEADLESS);
        eq = json_equal(a, b);
        json_decref(a);
        json_decref(b);
        return eq;
}

static bool subsets_equal(const json_t *a, const json_t *b)
{
        if (json_array_size(a) == 0 && json_array_size(b) == 0)
                return true;
        return a && b && json_equal(a, b);
}

void kl_controllers__endpoints_reconcile(const struct kl_controllers__endpoints_in *in,
                                         struct kl_ctrl_actions *out)
{
        const struct kl_api_resource *res = kl_ctrl_res("", "endpoints");
        const json_t *svc = in->svc, *cur = in->endpoints, *selector, *svc_labels;
        const json_t **selected;
        struct entry *es;
        size_t n = 0, n_sel = 0;
        json_t *subsets, *ep, *meta, *ann, *labels;
        kl_usec_t trigger;

        if (!svc) {
                /* The Service is gone: so are its Endpoints. */
                if (cur)
                        kl_ctrl_delete(out, res, in->ns, in->name, NULL);
                return;
        }
        if (kl_streq_null(json_string_value(field(svc, "spec", "type")), "ExternalName"))
                return;
        if (!(selector = kl_controllers__ep_selector(svc)))
                return;

        selected = kl_calloc(in->n_pods + 1, sizeof(*selected));
        es = kl_calloc(in->n_pods + 1, sizeof(*es));
        for (size_t i = 0; i < in->n_pods; i++) {
                if (!kl_controllers__ep_selects(selector, in->pods[i]))
                        continue;
                selected[n_sel++] = in->pods[i];
                if (pod_entry(svc, in->pods[i], &es[n]))
                        n++;
        }
        qsort(es, n, sizeof(*es), entry_cmp);
        subsets = repack(es, n);
        trigger = kl_controllers__ep_trigger_time(svc, selected, n_sel);
        for (size_t i = 0; i < n; i++) {
                json_decref(es[i].addr);
                json_decref(es[i].ports);
        }
        free(es);
        free(selected);

        svc_labels = field(svc, "metadata", "labels");
        if (cur && subsets_equal(json_object_get(cur, "subsets"), subsets) &&
            labels_equal(field(cur, "metadata", "labels"), svc_labels) &&
            count_addresses(json_object_get(cur, "subsets"), NULL, NULL) <= MAX_CAPACITY &&
            !json_object_get(field(cur, "metadata", "annotations"), ANN_OVER_CAPACITY)) {
                json_decref(subsets);
                return;
        }

        if (cur) {
                ep = json_deep_copy(cur);
        } else {
                ep = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind", "Endpoints",
                               "metadata", "name", in->name, "namespace", in->ns);
        }
        meta = json_object_get(ep, "metadata");
        ann = json_object_get(meta, "annotations");
        if (!json_is_object(ann)) {
                ann = json_object();
                json_object_set_new(meta, "annotations", ann);
        }
        if (trigger)
                json_object_set_new(ann, ANN_TRIGGER, kl_ctrl_time_json(trigger));
        else
                json_object_del(ann, ANN_TRIGGER);
        if (truncate_endpoints(subsets))
                json_object_set_new(ann, ANN_OVER_CAPACITY, json_string("truncated"));
        else
                json_object_del(ann, ANN_OVER_CAPACITY);
        if (json_object_size(ann) == 0)
                json_object_del(meta, "annotations");

        labels = json_is_object(svc_labels) ? json_deep_copy(svc_labels) : json_object();
        if (!kl_controllers__ep_service_ip_set(svc))
                json_object_set_new(labels, LABEL_HEADLESS, json_string(""));
        else
                json_object_del(labels, LABEL_HEADLESS);
        if (json_object_size(labels) > 0)
                json_object_set_new(meta, "labels", labels);
        else {
                json_decref(labels);
                json_object_del(meta, "labels");
        }

        if (json_array_size(subsets) > 0)
                json_object_set_new(ep, "subsets", subsets);
        else {
                json_decref(subsets);
                json_object_del(ep, "subsets");
        }
        if (cur)
                kl_ctrl_update(out, res, in->ns, in->name, NULL, ep);
        else
                kl_ctrl_create(out, res, in->ns, ep);
}

/* ------------------------------------------------------------------------- */
/* The controller */

static void endpoints_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                              const json_t *obj)
{
        const json_t *o = obj ? obj : old;
        kl_autofree char *key = NULL;

        switch (i) {
        case KL_CTRL_INF_PODS:
                if (!kl_controllers__ep_pod_changed(old, obj))
                        return;
                if (old && obj &&
                    !kl_streq_null(kl_ctrl_meta_str(old, "namespace"),
                                   kl_ctrl_meta_str(obj, "namespace"))) {
                        key = kl_asprintf("ns:%s", kl_ctrl_meta_str(old, "namespace"));
                        kl_ctrl_enqueue(c, key);
                        free(key);
                }
                key = kl_asprintf("ns:%s", kl_ctrl_meta_str(o, "namespace"));
                kl_ctrl_enqueue(c, key);
                break;
        case KL_CTRL_INF_SERVICES:
                kl_ctrl_enqueue_obj(c, o);
                break;
        case KL_CTRL_INF_ENDPOINTS:
                /* Upstream reacts to deletions only: recreate what a Service still needs. */
                if (!obj)
                        kl_ctrl_enqueue_obj(c, old);
                break;
        default:
                break;
        }
}

static void sync_service(const struct kl_ctrl_env *env, const char *ns, const char *name,
                         const struct kl_objv *pods, struct kl_ctrl_actions *out)
{
        const struct kl_controllers__endpoints_in in = {
                .ns = ns,
                .name = name,
                .svc = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_SERVICES), ns, name),
                .endpoints =
                        kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_ENDPOINTS), ns, name),
                .pods = pods->items,
                .n_pods = pods->n,
        };

        kl_controllers__endpoints_reconcile(&in, out);
}

static int endpoints_sync(const struct kl_ctrl_env *env, const char *key,
                          struct kl_ctrl_actions *out, kl_usec_t *requeue_after,
                          struct kl_err **err)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv svcs = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        const char *rest;

        (void)requeue_after;
        (void)err;
        if ((rest = kl_startswith(key, "ns:"))) {
                kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NAMESPACE,
                                     rest, &pods);
                kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_SERVICES), rest, &svcs);
                for (size_t i = 0; i < svcs.n; i++)
                        if (kl_controllers__ep_selector(svcs.items[i]))
                                sync_service(env, rest, kl_ctrl_meta_str(svcs.items[i], "name"),
                                             &pods, out);
                return 0;
        }
        kl_client_key_split(key, &ns, &name);
        if (!ns)
                return 0;
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NAMESPACE, ns,
                             &pods);
        sync_service(env, ns, name, &pods, out);
        return 0;
}

static const enum kl_ctrl_inf endpoints_watches[] = {
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_ENDPOINTS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_endpoints = {
        .name = "endpoints",
        .user = "system:serviceaccount:kube-system:endpoint-controller",
        .watches = endpoints_watches,
        .enqueue = endpoints_enqueue,
        .sync = endpoints_sync,
};
