/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printers of the core group (v1) other than Pod, plus events.k8s.io/v1
 * Event, which upstream serves from the same storage with the same printer
 * and whose fields map one to one onto core/v1's.
 */
#include <inttypes.h>
#include <string.h>

#include "api/table-internal.h"
#include "json/json.h"

/*
 * ---------------------------------------------------------------------------
 * Service
 */

static const struct kl_api_table_column service_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Type",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "How the service is exposed: ClusterIP, NodePort, LoadBalancer or "
                               "ExternalName.",
        },
        {
                .name = "Cluster-IP",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The virtual IP inside the cluster, or None for a headless "
                               "service.",
        },
        {
                .name = "External-IP",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Addresses the service is reachable at from outside the cluster.",
        },
        {
                .name = "Port(s)",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The service's ports, with node ports and protocols.",
        },
        KL_API__TABLE_COL_AGE,
        {
                .name = "Selector",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Labels of the pods traffic is sent to.",
                .priority = 1,
        },
};

/* Load-balancer ingress points: the sorted, distinct IPs (or host names) of `path`. */
static void load_balancer_addresses(struct kl_buf *out, const json_t *obj, const char *path)
{
        kl_autostrv char **addrs = NULL;
        json_t *ingress = kl_api__table_array(obj, path), *in;
        size_t i;

        json_array_foreach(ingress, i, in) {
                const char *ip = kl_api__table_str(in, "ip");
                const char *host = kl_api__table_str(in, "hostname");

                if (!kl_isempty(ip))
                        kl_strv_push(&addrs, ip);
                else if (!kl_isempty(host))
                        kl_strv_push(&addrs, host);
        }
        kl_api__table_strv_sort_uniq(addrs);
        for (i = 0; addrs && addrs[i]; i++)
                kl_api__table_join(out, ",", addrs[i]);
}

static void join_strings(struct kl_buf *out, const json_t *arr)
{
        json_t *v;
        size_t i;

        json_array_foreach(arr, i, v) {
                if (i > 0)
                        (void)kl_buf_putc(out, ',');
                (void)kl_buf_puts(out, json_is_string(v) ? json_string_value(v) : "");
        }
}

static void service_external_ip(const json_t *svc, const char *type, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        json_t *external = kl_api__table_array(svc, "spec.externalIPs");

        if (kl_streq(type, "ClusterIP") || kl_streq(type, "NodePort")) {
                join_strings(&b, external);
                kl_api__table_cell_str(row, json_array_size(external) > 0 ? b.buf : "<none>");
        } else if (kl_streq(type, "LoadBalancer")) {
                /* The server computes wide cells, so the ingress list is never cut short. */
                load_balancer_addresses(&b, svc, "status.loadBalancer.ingress");
                if (json_array_size(external) > 0) {
                        if (b.len > 0)
                                (void)kl_buf_putc(&b, ',');
                        join_strings(&b, external);
                        kl_api__table_cell_buf(row, &b);
                } else {
                        kl_api__table_cell_str(row, b.len > 0 ? b.buf : "<pending>");
                }
        } else if (kl_streq(type, "ExternalName")) {
                kl_api__table_cell_str(row, kl_api__table_str(svc, "spec.externalName"));
        } else {
                kl_api__table_cell_str(row, "<unknown>");
        }
}

static void service_row(const json_t *svc, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf ports = KL_BUF_INIT;
        /* v1 defaulting, which upstream applies when it reads the object, makes "" ClusterIP. */
        const char *type = kl_api__table_str_or(svc, "spec.type", "");
        const char *cluster_ip = kl_api__table_str(svc, "spec.clusterIPs[0]");
        json_t *p;
        size_t i;

        if (!*type)
                type = "ClusterIP";
        /* Defaulting also fills clusterIPs from clusterIP for objects written before dual-stack. */
        if (!kl_api__table_array_len(svc, "spec.clusterIPs") &&
            kl_api__table_has_str(svc, "spec.clusterIP"))
                cluster_ip = kl_api__table_str(svc, "spec.clusterIP");

        json_array_foreach(kl_api__table_array(svc, "spec.ports"), i, p) {
                const char *proto = kl_api__table_str_or(p, "protocol", "");
                int64_t node_port = kl_api__table_int(p, "nodePort", 0);

                if (!*proto)
                        proto = "TCP";
                if (i > 0)
                        (void)kl_buf_putc(&ports, ',');
                if (node_port > 0)
                        (void)kl_buf_printf(&ports, "%" PRId64 ":%" PRId64 "/%s",
                                            kl_api__table_int(p, "port", 0), node_port, proto);
                else
                        (void)kl_buf_printf(&ports, "%" PRId64 "/%s",
                                            kl_api__table_int(p, "port", 0), proto);
        }

        kl_api__table_cell_str(row, kl_api__table_str(svc, "metadata.name"));
        kl_api__table_cell_str(row, type);
        kl_api__table_cell_str(row, cluster_ip ? cluster_ip : "<none>");
        service_external_ip(svc, type, row);
        kl_api__table_cell_str(row, ports.len > 0 ? ports.buf : "<none>");
        kl_api__table_cell_age(row, svc);
        kl_api__table_cell_labels(row, svc, "spec.selector");
}

/*
 * ---------------------------------------------------------------------------
 * Node
 */

static const struct kl_api_table_column node_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Status",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Whether the node is Ready, and SchedulingDisabled when it is "
                               "cordoned.",
        },
        {
                .name = "Roles",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Roles from the node's node-role.kubernetes.io/<role> and "
                               "kubernetes.io/role labels.",
        },
        KL_API__TABLE_COL_AGE,
        {
                .name = "Version",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Version of the kubelet running on the node.",
        },
        {
                .name = "Internal-IP",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The node's first InternalIP address.",
                .priority = 1,
        },
        {
                .name = "External-IP",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The node's first ExternalIP address.",
                .priority = 1,
        },
        {
                .name = "OS-Image",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Operating system the node reports.",
                .priority = 1,
        },
        {
                .name = "Kernel-Version",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Kernel release the node reports.",
                .priority = 1,
        },
        {
                .name = "Container-Runtime",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Container runtime and version the node reports.",
                .priority = 1,
        },
};

static const char *node_address(const json_t *node, const char *type)
{
        json_t *addrs = kl_api__table_array(node, "status.addresses"), *a;
        size_t i;

        json_array_foreach(addrs, i, a) {
                if (kl_streq(kl_api__table_str_or(a, "type", ""), type))
                        return kl_api__table_str_or(a, "address", "");
        }
        return "<none>";
}

static void node_row(const json_t *node, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf status = KL_BUF_INIT;
        kl_autobuf struct kl_buf roles = KL_BUF_INIT;
        kl_autostrv char **role_list = NULL;
        json_t *conds = kl_api__table_array(node, "status.conditions"), *c, *labels, *v;
        const char *ready = NULL, *key;
        size_t i;

        /* Upstream keeps the last condition of each type (a map keyed by type). */
        json_array_foreach(conds, i, c) {
                if (kl_streq(kl_api__table_str_or(c, "type", ""), "Ready"))
                        ready = kl_api__table_str_or(c, "status", "");
        }
        if (!ready)
                (void)kl_buf_puts(&status, "Unknown");
        else if (kl_streq(ready, "True"))
                (void)kl_buf_puts(&status, "Ready");
        else
                (void)kl_buf_puts(&status, "NotReady");
        if (kl_api__table_bool(node, "spec.unschedulable", false))
                (void)kl_buf_puts(&status, ",SchedulingDisabled");

        labels = kl_api__table_object(node, "metadata.labels");
        json_object_foreach(labels, key, v) {
                const char *role = kl_startswith(key, "node-role.kubernetes.io/");

                if (role && *role)
                        kl_strv_push(&role_list, role);
                else if (kl_streq(key, "kubernetes.io/role") && json_is_string(v) &&
                         *json_string_value(v))
                        kl_strv_push(&role_list, json_string_value(v));
        }
        kl_api__table_strv_sort_uniq(role_list);
        for (i = 0; role_list && role_list[i]; i++)
                kl_api__table_join(&roles, ",", role_list[i]);

        kl_api__table_cell_str(row, kl_api__table_str(node, "metadata.name"));
        kl_api__table_cell_buf(row, &status);
        kl_api__table_cell_str(row, roles.len > 0 ? roles.buf : "<none>");
        kl_api__table_cell_age(row, node);
        kl_api__table_cell_str(row, kl_api__table_str(node, "status.nodeInfo.kubeletVersion"));
        kl_api__table_cell_str(row, node_address(node, "InternalIP"));
        kl_api__table_cell_str(row, node_address(node, "ExternalIP"));
        kl_api__table_cell_str(row, kl_api__table_has_str(node, "status.nodeInfo.osImage")
                                            ? kl_api__table_str(node, "status.nodeInfo.osImage")
                                            : "<unknown>");
        kl_api__table_cell_str(row,
                               kl_api__table_has_str(node, "status.nodeInfo.kernelVersion")
                                       ? kl_api__table_str(node, "status.nodeInfo.kernelVersion")
                                       : "<unknown>");
        kl_api__table_cell_str(
                row, kl_api__table_has_str(node, "status.nodeInfo.containerRuntimeVersion")
                             ? kl_api__table_str(node, "status.nodeInfo.containerRuntimeVersion")
                             : "<unknown>");
}

/*
 * ---------------------------------------------------------------------------
 * Namespace, ConfigMap, Secret, ServiceAccount
 */

static const struct kl_api_table_column namespace_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Status",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The namespace's phase: Active or Terminating.",
        },
        KL_API__TABLE_COL_AGE,
};

static void namespace_row(const json_t *ns, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(ns, "metadata.name"));
        /* v1 defaulting, applied when upstream reads the object, makes an empty phase Active. */
        kl_api__table_cell_str(row, kl_api__table_str_or(ns, "status.phase", "Active"));
        kl_api__table_cell_age(row, ns);
}

static const struct kl_api_table_column configmap_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Data",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Number of keys, text and binary together.",
        },
        KL_API__TABLE_COL_AGE,
};

static void configmap_row(const json_t *cm, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(cm, "metadata.name"));
        kl_api__table_cell_int(row, (int64_t)(kl_api__table_object_len(cm, "data") +
                                              kl_api__table_object_len(cm, "binaryData")));
        kl_api__table_cell_age(row, cm);
}

static const struct kl_api_table_column secret_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Type",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "What the secret holds, e.g. Opaque or kubernetes.io/tls.",
        },
        {
                .name = "Data",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Number of keys.",
        },
        KL_API__TABLE_COL_AGE,
};

static void secret_row(const json_t *secret, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(secret, "metadata.name"));
        /* v1 defaulting makes an untyped secret Opaque. */
        kl_api__table_cell_str(row, kl_api__table_str_or(secret, "type", "Opaque"));
        kl_api__table_cell_int(row, (int64_t)kl_api__table_object_len(secret, "data"));
        kl_api__table_cell_age(row, secret);
}

static const struct kl_api_table_column serviceaccount_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Secrets",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Number of secrets listed for the service account.",
        },
        KL_API__TABLE_COL_AGE,
};

static void serviceaccount_row(const json_t *sa, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(sa, "metadata.name"));
        kl_api__table_cell_int(row, (int64_t)kl_api__table_array_len(sa, "secrets"));
        kl_api__table_cell_age(row, sa);
}

/*
 * ---------------------------------------------------------------------------
 * Event (core/v1 and events.k8s.io/v1)
 */

static const struct kl_api_table_column event_columns[] = {
        {
                .name = "Last Seen",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Time since the event was last observed.",
        },
        {
                .name = "Type",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Normal or Warning.",
        },
        {
                .name = "Reason",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Short machine-readable cause of the event.",
        },
        {
                .name = "Object",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The object the event is about, as kind/name.",
        },
        {
                .name = "Subobject",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The part of the object the event is about, e.g. one container.",
                .priority = 1,
        },
        {
                .name = "Source",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The component, and host, that reported the event.",
                .priority = 1,
        },
        {
                .name = "Message",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Human-readable description of what happened.",
        },
        {
                .name = "First Seen",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Time since the event was first observed.",
                .priority = 1,
        },
        {
                .name = "Count",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "How many times the event has been observed.",
                .priority = 1,
        },
        {
                .name = "Name",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "name",
                .description = "Name of the event object.",
                .priority = 1,
        },
};

/* Where each field upstream's internal Event has lives in one API version. */
struct event_fields {
        const char *first, *last, *count;
        const char *regarding, *message;
        const char *component, *host;
        const char *reporting_controller;
};

static const struct event_fields core_event_fields = {
        .first = "firstTimestamp",
        .last = "lastTimestamp",
        .count = "count",
        .regarding = "involvedObject",
        .message = "message",
        .component = "source.component",
        .host = "source.host",
        .reporting_controller = "reportingComponent",
};

static const struct event_fields events_v1_fields = {
        .first = "deprecatedFirstTimestamp",
        .last = "deprecatedLastTimestamp",
        .count = "deprecatedCount",
        .regarding = "regarding",
        .message = "note",
        .component = "deprecatedSource.component",
        .host = "deprecatedSource.host",
        .reporting_controller = "reportingController",
};

static const char *first_non_empty(const char *a, const char *b)
{
        return !kl_isempty(a) ? a : kl_isempty(b) ? "" : b;
}

static void event_row_fields(const json_t *ev, struct kl_api_table_row *row,
                             const struct event_fields *f)
{
        char first[KL_API_HUMAN_DURATION_MAX], last[KL_API_HUMAN_DURATION_MAX];
        kl_autobuf struct kl_buf target = KL_BUF_INIT;
        kl_autobuf struct kl_buf path = KL_BUF_INIT;
        kl_autobuf struct kl_buf source = KL_BUF_INIT;
        const char *kind, *name, *msg, *component, *host;
        int64_t t, count;
        size_t msg_len;

        /* firstTimestamp, else eventTime; lastTimestamp, else the first; a series' last. */
        if (kl_api__table_time(ev, f->first, &t) || kl_api__table_time(ev, "eventTime", &t))
                (void)kl_api__table_since(row->now, t, first, sizeof(first));
        else
                (void)snprintf(first, sizeof(first), "<unknown>");
        if (kl_api__table_time(ev, f->last, &t))
                (void)kl_api__table_since(row->now, t, last, sizeof(last));
        else
                (void)snprintf(last, sizeof(last), "%s", first);

        count = kl_api__table_int(ev, f->count, 0);
        if (kl_api__table_object(ev, "series")) {
                if (kl_api__table_time(ev, "series.lastObservedTime", &t))
                        (void)kl_api__table_since(row->now, t, last, sizeof(last));
                else
                        (void)snprintf(last, sizeof(last), "<unknown>");
                count = kl_api__table_int(ev, "series.count", 0);
        } else if (count == 0) {
                /* Singleton events of the new API carry no count. */
                count = 1;
        }

        (void)kl_buf_printf(&path, "%s.kind", f->regarding);
        kind = kl_api__table_str_or(ev, path.buf, "");
        kl_buf_reset(&path);
        (void)kl_buf_printf(&path, "%s.name", f->regarding);
        name = kl_api__table_str_or(ev, path.buf, "");
        /* strings.ToLower; kinds are ASCII, and other bytes are left as they are. */
        for (const char *p = kind; *p; p++)
                (void)kl_buf_putc(&target, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
        if (*name)
                (void)kl_buf_printf(&target, "/%s", name);

        component = first_non_empty(kl_api__table_str(ev, f->component),
                                    kl_api__table_str(ev, f->reporting_controller));
        host = first_non_empty(kl_api__table_str(ev, f->host),
                               kl_api__table_str(ev, "reportingInstance"));
        (void)kl_buf_puts(&source, component);
        if (*host)
                (void)kl_buf_printf(&source, ", %s", host);

        msg = kl_api__table_str_or(ev, f->message, "");
        msg_len = strlen(msg);
        kl_api__table_trim_space(&msg, &msg_len);

        kl_api__table_cell_str(row, last);
        kl_api__table_cell_str(row, kl_api__table_str(ev, "type"));
        kl_api__table_cell_str(row, kl_api__table_str(ev, "reason"));
        kl_api__table_cell_buf(row, &target);
        kl_buf_reset(&path);
        (void)kl_buf_printf(&path, "%s.fieldPath", f->regarding);
        kl_api__table_cell_str(row, kl_api__table_str(ev, path.buf));
        kl_api__table_cell_buf(row, &source);
        kl_api__table_cell_strn(row, msg, msg_len);
        kl_api__table_cell_str(row, first);
        kl_api__table_cell_int(row, count);
        kl_api__table_cell_str(row, kl_api__table_str(ev, "metadata.name"));
}

static void event_row(const json_t *ev, struct kl_api_table_row *row)
{
        event_row_fields(ev, row, &core_event_fields);
}

static void event_v1_row(const json_t *ev, struct kl_api_table_row *row)
{
        event_row_fields(ev, row, &events_v1_fields);
}

/*
 * ---------------------------------------------------------------------------
 * Endpoints
 */

static const struct kl_api_table_column endpoints_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Endpoints",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Addresses and ports behind the service, the first three of them.",
        },
        KL_API__TABLE_COL_AGE,
};

#define LIST_MAX 3 /* upstream shows three entries, then "+ N more..." */

/* Add `ip`, with `port` when it is >= 0. */
static void endpoint_add(struct kl_buf *b, size_t *listed, const char *ip, int64_t port)
{
        if (*listed > 0)
                (void)kl_buf_putc(b, ',');
        /* net.JoinHostPort brackets IPv6 addresses. */
        if (port < 0)
                (void)kl_buf_puts(b, ip);
        else if (strchr(ip, ':'))
                (void)kl_buf_printf(b, "[%s]:%" PRId64, ip, port);
        else
                (void)kl_buf_printf(b, "%s:%" PRId64, ip, port);
        (*listed)++;
}

static void endpoints_row(const json_t *ep, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        json_t *subsets = kl_api__table_array(ep, "subsets"), *ss, *port, *addr;
        size_t i, j, k, listed = 0, count = 0;
        bool more = false;

        json_array_foreach(subsets, i, ss) {
                json_t *addrs = kl_api__table_array(ss, "addresses");
                json_t *ports = kl_api__table_array(ss, "ports");

                /* Headless services may have no ports: list bare addresses. */
                if (json_array_size(ports) == 0) {
                        count += json_array_size(addrs);
                        json_array_foreach(addrs, j, addr) {
                                if (listed == LIST_MAX) {
                                        more = true;
                                        break;
                                }
                                endpoint_add(&b, &listed, kl_api__table_str_or(addr, "ip", ""), -1);
                        }
                        continue;
                }
                json_array_foreach(ports, k, port) {
                        count += json_array_size(addrs);
                        json_array_foreach(addrs, j, addr) {
                                if (listed == LIST_MAX) {
                                        more = true;
                                        break;
                                }
                                endpoint_add(&b, &listed, kl_api__table_str_or(addr, "ip", ""),
                                             kl_api__table_int(port, "port", 0));
                        }
                }
        }

        kl_api__table_cell_str(row, kl_api__table_str(ep, "metadata.name"));
        if (json_array_size(subsets) == 0)
                kl_api__table_cell_str(row, "<none>");
        else if (more)
                kl_api__table_cell_printf(row, "%s + %zu more...", b.buf, count - LIST_MAX);
        else
                kl_api__table_cell_buf(row, &b);
        kl_api__table_cell_age(row, ep);
}

/*
 * ---------------------------------------------------------------------------
 * PersistentVolumeClaim and PersistentVolume
 */

#define STORAGE_CLASS_ANNOTATION "metadata.annotations[\"volume.beta.kubernetes.io/storage-class\"]"

static const struct kl_api_table_column pvc_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Status",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The claim's phase: Pending, Bound or Lost (Terminating while "
                               "being deleted).",
        },
        {
                .name = "Volume",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The persistent volume bound to the claim.",
        },
        {
                .name = "Capacity",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Storage the bound volume provides.",
        },
        {
                .name = "Access Modes",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Access modes of the bound volume (RWO, ROX, RWX, RWOP).",
        },
        {
                .name = "StorageClass",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The storage class the claim asks for.",
        },
        {
                .name = "VolumeAttributesClass",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The volume attributes class the claim asks for.",
        },
        KL_API__TABLE_COL_AGE,
        {
                .name = "VolumeMode",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Filesystem or Block.",
                .priority = 1,
        },
};

static void pvc_row(const json_t *pvc, struct kl_api_table_row *row)
{
        char qbuf[KL_QUANTITY_STRING_MAX];
        kl_autobuf struct kl_buf modes = KL_BUF_INIT;
        /* v1 defaulting: phase Pending, volumeMode Filesystem. */
        const char *phase = kl_api__table_str_or(pvc, "status.phase", "Pending");
        const char *capacity = "";
        const char *class = kl_api__table_str(pvc, "spec.storageClassName");

        if (kl_api__table_has_str(pvc, "metadata.deletionTimestamp"))
                phase = "Terminating";
        if (kl_api__table_has_str(pvc, "spec.volumeName")) {
                kl_api__table_access_modes(&modes, pvc, "status.accessModes");
                capacity = kl_api__table_quantity(pvc, "status.capacity.storage", qbuf,
                                                  sizeof(qbuf), "0");
        }
        /* The beta annotation, when present at all, wins over spec.storageClassName. */
        if (json_object_get(kl_api__table_object(pvc, "metadata.annotations"),
                            "volume.beta.kubernetes.io/storage-class"))
                class = kl_api__table_str(pvc, STORAGE_CLASS_ANNOTATION);

        kl_api__table_cell_str(row, kl_api__table_str(pvc, "metadata.name"));
        kl_api__table_cell_str(row, phase);
        kl_api__table_cell_str(row, kl_api__table_str(pvc, "spec.volumeName"));
        kl_api__table_cell_str(row, capacity);
        kl_api__table_cell_buf(row, &modes);
        kl_api__table_cell_str(row, class);
        kl_api__table_cell_str(
                row, kl_api__table_str_or(pvc, "spec.volumeAttributesClassName", "<unset>"));
        kl_api__table_cell_age(row, pvc);
        kl_api__table_cell_str(row, kl_api__table_str_or(pvc, "spec.volumeMode", "Filesystem"));
}

static const struct kl_api_table_column pv_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Capacity",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Storage the volume provides.",
        },
        {
                .name = "Access Modes",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "How the volume can be mounted (RWO, ROX, RWX, RWOP).",
        },
        {
                .name = "Reclaim Policy",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "What happens to the volume when its claim goes: Retain, Delete "
                               "or Recycle.",
        },
        {
                .name = "Status",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The volume's phase (Terminating while being deleted).",
        },
        {
                .name = "Claim",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The claim bound to the volume, as namespace/name.",
        },
        {
                .name = "StorageClass",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The storage class the volume belongs to.",
        },
        {
                .name = "VolumeAttributesClass",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The volume attributes class of the volume.",
        },
        {
                .name = "Reason",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Why the volume is in its phase, when it is not the usual one.",
        },
        KL_API__TABLE_COL_AGE,
        {
                .name = "VolumeMode",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Filesystem or Block.",
                .priority = 1,
        },
};

static void pv_row(const json_t *pv, struct kl_api_table_row *row)
{
        char qbuf[KL_QUANTITY_STRING_MAX];
        kl_autobuf struct kl_buf modes = KL_BUF_INIT;
        kl_autobuf struct kl_buf claim = KL_BUF_INIT;
        json_t *annotations = kl_api__table_object(pv, "metadata.annotations");
        /* v1 defaulting: phase Pending, reclaim policy Retain, volumeMode Filesystem. */
        const char *phase = kl_api__table_str_or(pv, "status.phase", "Pending");
        const char *class = kl_api__table_str(pv, "spec.storageClassName");

        if (kl_api__table_has_str(pv, "metadata.deletionTimestamp"))
                phase = "Terminating";
        if (kl_api__table_object(pv, "spec.claimRef"))
                (void)kl_buf_printf(&claim, "%s/%s",
                                    kl_api__table_str_or(pv, "spec.claimRef.namespace", ""),
                                    kl_api__table_str_or(pv, "spec.claimRef.name", ""));
        kl_api__table_access_modes(&modes, pv, "spec.accessModes");
        if (json_object_get(annotations, "volume.beta.kubernetes.io/storage-class"))
                class = kl_api__table_str(pv, STORAGE_CLASS_ANNOTATION);

        kl_api__table_cell_str(row, kl_api__table_str(pv, "metadata.name"));
        kl_api__table_cell_str(
                row, kl_api__table_quantity(pv, "spec.capacity.storage", qbuf, sizeof(qbuf), "0"));
        kl_api__table_cell_buf(row, &modes);
        kl_api__table_cell_str(
                row, kl_api__table_str_or(pv, "spec.persistentVolumeReclaimPolicy", "Retain"));
        kl_api__table_cell_str(row, phase);
        kl_api__table_cell_buf(row, &claim);
        kl_api__table_cell_str(row, class);
        kl_api__table_cell_str(
                row, kl_api__table_str_or(pv, "spec.volumeAttributesClassName", "<unset>"));
        kl_api__table_cell_str(row, kl_api__table_str(pv, "status.reason"));
        kl_api__table_cell_age(row, pv);
        kl_api__table_cell_str(row, kl_api__table_str_or(pv, "spec.volumeMode", "Filesystem"));
}

/*
 * ---------------------------------------------------------------------------
 * ResourceQuota
 */

static const struct kl_api_table_column resourcequota_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Request",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Used and hard amounts of every limited resource other than "
                               "limits.*.",
        },
        {
                .name = "Limit",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Used and hard amounts of the limits.* resources.",
        },
        KL_API__TABLE_COL_AGE,
};

static void resourcequota_row(const json_t *rq, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf request = KL_BUF_INIT;
        kl_autobuf struct kl_buf limit = KL_BUF_INIT;
        kl_autostrv char **names = NULL;
        json_t *hard = kl_api__table_object(rq, "status.hard");
        json_t *used = kl_api__table_object(rq, "status.used");
        json_t *v;
        const char *key;

        json_object_foreach(hard, key, v)
                kl_strv_push(&names, key);
        kl_api__table_strv_sort_uniq(names);
        for (size_t i = 0; names && names[i]; i++) {
                char ubuf[KL_QUANTITY_STRING_MAX], hbuf[KL_QUANTITY_STRING_MAX];
                /* "limits.cpu" goes to Limit; "limits" alone has no dot and stays in Request. */
                struct kl_buf *b = kl_startswith(names[i], "limits.") ? &limit : &request;
                const char *u = kl_api__table_quantity(json_object_get(used, names[i]), "", ubuf,
                                                       sizeof(ubuf), "0");
                const char *h = kl_api__table_quantity(json_object_get(hard, names[i]), "", hbuf,
                                                       sizeof(hbuf), "0");

                if (b->len > 0)
                        (void)kl_buf_puts(b, ", ");
                (void)kl_buf_printf(b, "%s: %s/%s", names[i], u, h);
        }

        kl_api__table_cell_str(row, kl_api__table_str(rq, "metadata.name"));
        kl_api__table_cell_buf(row, &request);
        kl_api__table_cell_buf(row, &limit);
        kl_api__table_cell_age(row, rq);
}

const struct kl_api_table_printer kl_api__table_printers_core[] = {
        { .group = "",
          .kind = "Service",
          KL_API__TABLE_COLUMNS(service_columns),
          .row = service_row },
        { .group = "", .kind = "Node", KL_API__TABLE_COLUMNS(node_columns), .row = node_row },
        { .group = "",
          .kind = "Namespace",
          KL_API__TABLE_COLUMNS(namespace_columns),
          .row = namespace_row },
        { .group = "",
          .kind = "ConfigMap",
          KL_API__TABLE_COLUMNS(configmap_columns),
          .row = configmap_row },
        { .group = "", .kind = "Secret", KL_API__TABLE_COLUMNS(secret_columns), .row = secret_row },
        { .group = "",
          .kind = "ServiceAccount",
          KL_API__TABLE_COLUMNS(serviceaccount_columns),
          .row = serviceaccount_row },
        { .group = "", .kind = "Event", KL_API__TABLE_COLUMNS(event_columns), .row = event_row },
        { .group = "events.k8s.io",
          .kind = "Event",
          KL_API__TABLE_COLUMNS(event_columns),
          .row = event_v1_row },
        { .group = "",
          .kind = "Endpoints",
          KL_API__TABLE_COLUMNS(endpoints_columns),
          .row = endpoints_row },
        { .group = "",
          .kind = "PersistentVolumeClaim",
          KL_API__TABLE_COLUMNS(pvc_columns),
          .row = pvc_row },
        { .group = "",
          .kind = "PersistentVolume",
          KL_API__TABLE_COLUMNS(pv_columns),
          .row = pv_row },
        { .group = "",
          .kind = "ResourceQuota",
          KL_API__TABLE_COLUMNS(resourcequota_columns),
          .row = resourcequota_row },
};
const size_t kl_api__table_printers_core_count = KL_ARRAY_SIZE(kl_api__table_printers_core);
