/* SPDX-License-Identifier: Apache-2.0 */
/*
 * API objects -> struct kl_proxy_state: the one place where the proxy reads
 * JSON (STYLE R9.7). Pure; the objects are borrowed and may be anything (the
 * fuzz target feeds it arbitrary JSON), so every field is type-checked and
 * what does not make sense is skipped rather than reported: a proxy must
 * keep serving the other Services when one object is odd.
 *
 * Upstream behaviour kept (kube-proxy's endpointslicecache.go and
 * service.go): a Service's endpoints are the union of the IPv4
 * EndpointSlices labelled kubernetes.io/service-name=NAME in its namespace;
 * a slice port matches a Service port by name and protocol, and its number is
 * the target port of that slice's endpoints (named targetPorts resolve per
 * pod this way); only addresses[0] of an endpoint is used; conditions.ready
 * and conditions.serving default to true, terminating to false; the same IP
 * in two slices is one endpoint.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "proxy/proxy-internal.h"

int kl_proxy__parse_ip4(const char *s, uint32_t *ret)
{
        uint32_t ip;

        if (kl_parse_ipv4(s, &ip) < 0)
                return -EINVAL;
        *ret = htonl(ip);
        return 0;
}

int kl_proxy__parse_cidr(const char *s, uint32_t *ret_net, unsigned *ret_prefix)
{
        uint32_t addr;
        unsigned prefix;

        if (kl_parse_ipv4_cidr(s, &addr, &prefix) < 0)
                return -EINVAL;
        *ret_net = htonl(addr & kl_ipv4_mask(prefix));
        *ret_prefix = prefix;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Typed reads that never fail: a wrong type is "absent". */

static const char *str_at(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static bool bool_at(const json_t *o, const char *key, bool dflt)
{
        const json_t *v = json_object_get(o, key);

        return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* An integer in [lo, hi], or 0. */
static int64_t int_at(const json_t *o, const char *key, int64_t lo, int64_t hi)
{
        const json_t *v = json_object_get(o, key);
        json_int_t i;

        if (!json_is_integer(v))
                return 0;
        i = json_integer_value(v);
        return i >= lo && i <= hi ? i : 0;
}

/* An RFC 1123 label: what namespaces, Service names and port names are. */
static bool is_label(const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > KL_PROXY__NAME_MAX || s[0] == '-' || s[n - 1] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                        return false;
        return true;
}

static int parse_proto(const char *s)
{
        if (!s || kl_streq(s, "TCP")) /* upstream's default */
                return IPPROTO_TCP;
        if (kl_streq(s, "UDP"))
                return IPPROTO_UDP;
        if (kl_streq(s, "SCTP"))
                return IPPROTO_SCTP;
        return -EINVAL;
}

/* ------------------------------------------------------------------------- */
/* Services */

static void port_release(struct kl_proxy__port *p)
{
        free(p->name);
        free(p->eps);
}

static void service_release(struct kl_proxy__service *s)
{
        free(s->ns);
        free(s->name);
        free(s->lb_ips);
        for (size_t i = 0; i < s->n_ports; i++)
                port_release(&s->ports[i]);
        free(s->ports);
}

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = ntohl(*(const uint32_t *)a), y = ntohl(*(const uint32_t *)b);

        return x < y ? -1 : x > y;
}

static int cmp_port(const void *a, const void *b)
{
        return strcmp(((const struct kl_proxy__port *)a)->name,
                      ((const struct kl_proxy__port *)b)->name);
}

static int cmp_service(const void *a, const void *b)
{
        const struct kl_proxy__service *x = a, *y = b;
        int c = strcmp(x->ns, y->ns);

        return c ? c : strcmp(x->name, y->name);
}

static void read_ports(struct kl_proxy__service *s, const json_t *ports, bool node_ports)
{
        const json_t *p;
        size_t i;

        json_array_foreach(ports, i, p) {
                const char *name = str_at(p, "name");
                int proto = parse_proto(str_at(p, "protocol"));
                uint16_t port = (uint16_t)int_at(p, "port", 1, 65535);
                struct kl_proxy__port *sp;
                bool dup = false;

                if (s->n_ports >= KL_PROXY__PORTS_MAX)
                        break;
                if (!name)
                        name = "";
                if (proto < 0 || port == 0 || (*name && !is_label(name)))
                        continue;
                /* Port names are unique in a Service (only a single port may be unnamed). */
                for (size_t j = 0; j < s->n_ports; j++)
                        dup = dup || kl_streq(s->ports[j].name, name);
                if (dup)
                        continue;
                s->ports = kl_realloc(s->ports, (s->n_ports + 1) * sizeof(*s->ports));
                sp = &s->ports[s->n_ports++];
                *sp = (struct kl_proxy__port){
                        .name = kl_strdup(name),
                        .proto = (uint8_t)proto,
                        .port = port,
                        .node_port = node_ports ? (uint16_t)int_at(p, "nodePort", 1, 65535) : 0,
                };
        }
        if (s->n_ports > 1)
                qsort(s->ports, s->n_ports, sizeof(*s->ports), cmp_port);
}

static void read_lb_ips(struct kl_proxy__service *s, const json_t *svc)
{
        const json_t *ingress = json_object_get(
                json_object_get(json_object_get(svc, "status"), "loadBalancer"), "ingress");
        const json_t *in;
        size_t i, n = 0;

        json_array_foreach(ingress, i, in) {
                uint32_t ip;

                if (s->n_lb_ips >= KL_PROXY__LB_IPS_MAX)
                        break;
                if (kl_proxy__parse_ip4(str_at(in, "ip"), &ip) < 0)
                        continue;
                s->lb_ips = kl_realloc(s->lb_ips, (s->n_lb_ips + 1) * sizeof(*s->lb_ips));
                s->lb_ips[s->n_lb_ips++] = ip;
        }
        if (s->n_lb_ips == 0)
                return;
        qsort(s->lb_ips, s->n_lb_ips, sizeof(*s->lb_ips), cmp_u32);
        for (i = 0; i < s->n_lb_ips; i++)
                if (n == 0 || s->lb_ips[n - 1] != s->lb_ips[i])
                        s->lb_ips[n++] = s->lb_ips[i];
        s->n_lb_ips = n;
}

/* Fill *s from a Service; false: it renders nothing (s is then released by the caller). */
static bool read_service(const struct kl_proxy_state *st, const json_t *svc,
                         struct kl_proxy__service *s)
{
        const json_t *meta = json_object_get(svc, "metadata");
        const json_t *spec = json_object_get(svc, "spec");
        const char *ns = str_at(meta, "namespace"), *name = str_at(meta, "name");
        const char *type = str_at(spec, "type");
        bool node_ports;

        if (!is_label(ns) || !is_label(name) || !json_is_object(spec))
                return false;
        if (!type)
                type = "ClusterIP";
        if (!kl_streq(type, "ClusterIP") && !kl_streq(type, "NodePort") &&
            !kl_streq(type, "LoadBalancer"))
                return false; /* ExternalName and anything unknown */
        /* Headless ("None") and IPv6 ClusterIPs render nothing. */
        if (kl_proxy__parse_ip4(str_at(spec, "clusterIP"), &s->cluster_ip) < 0)
                return false;
        /* The cluster DNS Service is answered by the node's DNS server (the redirect). */
        if (st->cluster_dns && s->cluster_ip == st->cluster_dns)
                return false;
        node_ports = !kl_streq(type, "ClusterIP");
        s->ns = kl_strdup(ns);
        s->name = kl_strdup(name);
        s->etp_local = node_ports && kl_streq_null(str_at(spec, "externalTrafficPolicy"), "Local");
        s->itp_local = kl_streq_null(str_at(spec, "internalTrafficPolicy"), "Local");
        if (kl_streq_null(str_at(spec, "sessionAffinity"), "ClientIP")) {
                const json_t *cfg = json_object_get(
                        json_object_get(json_object_get(spec, "sessionAffinityConfig"), "clientIP"),
                        "timeoutSeconds");
                int64_t t = json_is_integer(cfg) ? json_integer_value(cfg) : 0;

                /* Validation allows 1..86400 (a day). */
                s->affinity_timeout =
                        t >= 1 && t <= 86400 ? (uint32_t)t : KL_PROXY_AFFINITY_DEFAULT_TIMEOUT;
        }
        read_ports(s, json_object_get(spec, "ports"), node_ports);
        if (kl_streq(type, "LoadBalancer"))
                read_lb_ips(s, svc);
        return s->n_ports > 0;
}

static struct kl_proxy__service *find_service(struct kl_proxy_state *st, const char *ns,
                                              const char *name)
{
        struct kl_proxy__service key = { .ns = (char *)ns, .name = (char *)name };

        if (!ns || !name || st->n_svcs == 0)
                return NULL;
        return bsearch(&key, st->svcs, st->n_svcs, sizeof(*st->svcs), cmp_service);
}

/* ------------------------------------------------------------------------- */
/* EndpointSlices */

static void add_endpoints(struct kl_proxy__port *sp, const json_t *endpoints, uint16_t target,
                          const char *node_name, size_t *cap)
{
        const json_t *ep;
        size_t i;

        json_array_foreach(endpoints, i, ep) {
                const json_t *cond = json_object_get(ep, "conditions");
                const char *node = str_at(ep, "nodeName");
                struct kl_proxy__endpoint *e;
                uint32_t ip;
                bool ready = bool_at(cond, "ready", true);

                if (sp->n_eps >= KL_PROXY__ENDPOINTS_MAX)
                        return;
                if (kl_proxy__parse_ip4(
                            json_string_value(json_array_get(json_object_get(ep, "addresses"), 0)),
                            &ip) < 0)
                        continue;
                if (sp->n_eps == *cap) {
                        *cap = *cap ? 2 * *cap : 4;
                        sp->eps = kl_realloc(sp->eps, *cap * sizeof(*sp->eps));
                }
                e = &sp->eps[sp->n_eps++];
                *e = (struct kl_proxy__endpoint){
                        .ip = ip,
                        .port = target,
                        .ready = ready,
                        .serving = bool_at(cond, "serving", ready),
                        .terminating = bool_at(cond, "terminating", false),
                        .local = node && node_name && kl_streq(node, node_name),
                };
        }
}

static void read_slice(struct kl_proxy_state *st, const json_t *slice, const char *node_name,
                       size_t **caps)
{
        const json_t *meta = json_object_get(slice, "metadata");
        const char *svc_name =
                str_at(json_object_get(meta, "labels"), "kubernetes.io/service-name");
        struct kl_proxy__service *s;
        const json_t *p;
        size_t i;

        if (!kl_streq_null(str_at(slice, "addressType"), "IPv4"))
                return;
        s = find_service(st, str_at(meta, "namespace"), svc_name);
        if (!s)
                return;
        json_array_foreach(json_object_get(slice, "ports"), i, p) {
                const char *name = str_at(p, "name");
                int proto = parse_proto(str_at(p, "protocol"));
                uint16_t target = (uint16_t)int_at(p, "port", 1, 65535);

                if (proto < 0 || target == 0)
                        continue;
                for (size_t j = 0; j < s->n_ports; j++) {
                        struct kl_proxy__port *sp = &s->ports[j];

                        if (sp->proto == proto && kl_streq(sp->name, name ? name : ""))
                                add_endpoints(sp, json_object_get(slice, "endpoints"), target,
                                              node_name, &caps[s - st->svcs][j]);
                }
        }
}

static int cmp_endpoint(const void *a, const void *b)
{
        const struct kl_proxy__endpoint *x = a, *y = b;
        int c = cmp_u32(&x->ip, &y->ip);

        if (c)
                return c;
        if (x->port != y->port)
                return x->port < y->port ? -1 : 1;
        /* The same IP twice (a pod moving between slices): prefer the ready one. */
        if (x->ready != y->ready)
                return x->ready ? -1 : 1;
        if (x->serving != y->serving)
                return x->serving ? -1 : 1;
        if (x->terminating != y->terminating)
                return x->terminating ? 1 : -1;
        return x->local == y->local ? 0 : x->local ? -1 : 1;
}

static void sort_endpoints(struct kl_proxy__port *sp)
{
        size_t n = 0;

        if (sp->n_eps == 0)
                return;
        qsort(sp->eps, sp->n_eps, sizeof(*sp->eps), cmp_endpoint);
        for (size_t i = 0; i < sp->n_eps; i++)
                if (n == 0 || sp->eps[n - 1].ip != sp->eps[i].ip)
                        sp->eps[n++] = sp->eps[i];
        sp->n_eps = n;
}

/* ------------------------------------------------------------------------- */
/* hostPorts */

static int cmp_hostport(const void *a, const void *b)
{
        const struct kl_proxy__hostport *x = a, *y = b;
        int c;

        if (x->proto != y->proto)
                return x->proto < y->proto ? -1 : 1;
        if (x->host_port != y->host_port)
                return x->host_port < y->host_port ? -1 : 1;
        if ((c = cmp_u32(&x->host_ip, &y->host_ip)))
                return c;
        if ((c = strcmp(x->ns, y->ns)))
                return c;
        return strcmp(x->pod, y->pod);
}

static void read_pod(struct kl_proxy_state *st, const json_t *pod, const char *node_name)
{
        const json_t *meta = json_object_get(pod, "metadata");
        const json_t *spec = json_object_get(pod, "spec");
        const json_t *status = json_object_get(pod, "status");
        const char *ns = str_at(meta, "namespace"), *name = str_at(meta, "name");
        const char *phase = str_at(status, "phase");
        const json_t *c, *p;
        uint32_t pod_ip;
        size_t i, j;

        if (!is_label(ns) || !name || strlen(name) > 253 || strchr(name, '/'))
                return;
        if (node_name && !kl_streq_null(str_at(spec, "nodeName"), node_name))
                return;
        /* hostNetwork pods listen on the node itself; finished pods listen nowhere. */
        if (bool_at(spec, "hostNetwork", false) || kl_streq_null(phase, "Succeeded") ||
            kl_streq_null(phase, "Failed"))
                return;
        if (kl_proxy__parse_ip4(str_at(status, "podIP"), &pod_ip) < 0)
                return;
        json_array_foreach(json_object_get(spec, "containers"), i, c) {
                json_array_foreach(json_object_get(c, "ports"), j, p) {
                        uint16_t hp = (uint16_t)int_at(p, "hostPort", 1, 65535);
                        uint16_t cp = (uint16_t)int_at(p, "containerPort", 1, 65535);
                        int proto = parse_proto(str_at(p, "protocol"));
                        const char *hip = str_at(p, "hostIP");
                        uint32_t host_ip = 0;

                        if (hp == 0 || cp == 0 || proto < 0)
                                continue;
                        if (hip && *hip && kl_proxy__parse_ip4(hip, &host_ip) < 0)
                                continue; /* IPv6 or garbage */
                        if (st->n_hostports % 16 == 0)
                                st->hostports =
                                        kl_realloc(st->hostports,
                                                   (st->n_hostports + 16) * sizeof(*st->hostports));
                        st->hostports[st->n_hostports++] = (struct kl_proxy__hostport){
                                .ns = kl_strdup(ns),
                                .pod = kl_strdup(name),
                                .proto = (uint8_t)proto,
                                .host_port = hp,
                                .host_ip = host_ip,
                                .pod_ip = pod_ip,
                                .container_port = cp,
                        };
                }
        }
}

static void dedup_hostports(struct kl_proxy_state *st)
{
        size_t n = 0;

        if (st->n_hostports == 0)
                return;
        qsort(st->hostports, st->n_hostports, sizeof(*st->hostports), cmp_hostport);
        /* One owner per (protocol, port, host IP), as the scheduler's NodePorts filter ensures. */
        for (size_t i = 0; i < st->n_hostports; i++) {
                struct kl_proxy__hostport *h = &st->hostports[i];

                if (n > 0 && st->hostports[n - 1].proto == h->proto &&
                    st->hostports[n - 1].host_port == h->host_port &&
                    st->hostports[n - 1].host_ip == h->host_ip) {
                        free(h->ns);
                        free(h->pod);
                        continue;
                }
                st->hostports[n++] = *h;
        }
        st->n_hostports = n;
}

/* ------------------------------------------------------------------------- */

void kl_proxy_state_free(struct kl_proxy_state *st)
{
        if (!st)
                return;
        for (size_t i = 0; i < st->n_svcs; i++)
                service_release(&st->svcs[i]);
        free(st->svcs);
        for (size_t i = 0; i < st->n_hostports; i++) {
                free(st->hostports[i].ns);
                free(st->hostports[i].pod);
        }
        free(st->hostports);
        free(st);
}

KL_DEFINE_CLEANUP_FUNC(struct kl_proxy_state, kl_proxy_state_free);

size_t kl_proxy_state_services(const struct kl_proxy_state *st)
{
        return st->n_svcs;
}

static int read_net(struct kl_proxy_state *st, const struct kl_proxy_net *net, struct kl_err **err)
{
        if (kl_proxy__parse_cidr(net->cluster_cidr, &st->cluster_net, &st->cluster_prefix) < 0)
                return kl_err_set(err, -EINVAL, "invalid cluster CIDR '%s'",
                                  net->cluster_cidr ? net->cluster_cidr : "");
        if (!net->cluster_dns || !*net->cluster_dns)
                return 0;
        if (kl_proxy__parse_ip4(net->cluster_dns, &st->cluster_dns) < 0)
                return kl_err_set(err, -EINVAL, "invalid cluster DNS address '%s'",
                                  net->cluster_dns);
        if (kl_proxy__parse_ip4(net->dns_address, &st->dns_address) < 0)
                return kl_err_set(err, -EINVAL, "invalid node DNS address '%s'",
                                  net->dns_address ? net->dns_address : "");
        st->dns_port = net->dns_port ? net->dns_port : 53;
        return 0;
}

int kl_proxy_state_build(const struct kl_proxy_net *net, const json_t *const *services,
                         size_t n_services, const json_t *const *slices, size_t n_slices,
                         const json_t *const *pods, size_t n_pods, struct kl_proxy_state **ret,
                         struct kl_err **err)
{
        kl_cleanup(kl_proxy_state_freep) struct kl_proxy_state *st = kl_new0(struct kl_proxy_state);
        size_t **caps;
        size_t n = 0;
        int r;

        r = read_net(st, net, err);
        if (r < 0)
                return r;

        st->svcs = kl_calloc(n_services ? n_services : 1, sizeof(*st->svcs));
        for (size_t i = 0; i < n_services; i++) {
                struct kl_proxy__service *s = &st->svcs[n];

                if (read_service(st, services[i], s)) {
                        n++;
                } else {
                        service_release(s);
                        memset(s, 0, sizeof(*s));
                }
        }
        st->n_svcs = n;
        qsort(st->svcs, st->n_svcs, sizeof(*st->svcs), cmp_service);
        /* Two objects with one ns/name cannot come from one API; keep the first. */
        n = 0;
        for (size_t i = 0; i < st->n_svcs; i++) {
                if (n > 0 && cmp_service(&st->svcs[n - 1], &st->svcs[i]) == 0) {
                        service_release(&st->svcs[i]);
                        continue;
                }
                st->svcs[n++] = st->svcs[i];
        }
        st->n_svcs = n;

        /* Growth capacities of each port's endpoint array while the slices are read. */
        caps = kl_calloc(st->n_svcs ? st->n_svcs : 1, sizeof(*caps));
        for (size_t i = 0; i < st->n_svcs; i++)
                caps[i] = kl_calloc(st->svcs[i].n_ports, sizeof(**caps));
        for (size_t i = 0; i < n_slices; i++)
                read_slice(st, slices[i], net->node_name, caps);
        for (size_t i = 0; i < st->n_svcs; i++) {
                for (size_t j = 0; j < st->svcs[i].n_ports; j++)
                        sort_endpoints(&st->svcs[i].ports[j]);
                free(caps[i]);
        }
        free(caps);

        for (size_t i = 0; i < n_pods; i++)
                read_pod(st, pods[i], net->node_name);
        dedup_hostports(st);

        *ret = KL_TAKE_PTR(st);
        return 0;
}
