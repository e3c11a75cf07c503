/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printers of the smaller groups: discovery.k8s.io, networking.k8s.io,
 * autoscaling, policy, rbac.authorization.k8s.io, coordination.k8s.io,
 * storage.k8s.io and scheduling.k8s.io.
 */
#include <inttypes.h>
#include <string.h>

#include "api/table-internal.h"
#include "json/json.h"

#define LIST_MAX 3 /* upstream lists three entries, then "+ N more..." */

/* listWithMoreString: "a,b,c + N more...", or "<unset>" for nothing. */
static void cell_list_with_more(struct kl_api_table_row *row, const struct kl_buf *list, bool more,
                                size_t count)
{
        if (more)
                kl_api__table_cell_printf(row, "%s + %zu more...", list->buf, count - LIST_MAX);
        else
                kl_api__table_cell_str(row, list->len > 0 ? list->buf : "<unset>");
}

/*
 * ---------------------------------------------------------------------------
 * EndpointSlice
 */

static const struct kl_api_table_column endpointslice_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "AddressType",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "IPv4, IPv6 or FQDN: the kind of address the slice holds.",
        },
        {
                .name = "Ports",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The slice's ports, the first three of them.",
        },
        {
                .name = "Endpoints",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The slice's endpoint addresses, the first three of them.",
        },
        KL_API__TABLE_COL_AGE,
};

static void endpointslice_row(const json_t *es, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf ports = KL_BUF_INIT;
        kl_autobuf struct kl_buf addrs = KL_BUF_INIT;
        json_t *p, *ep, *a;
        size_t i, j, listed = 0, count = 0;
        bool more = false;

        json_array_foreach(kl_api__table_array(es, "ports"), i, p) {
                int64_t port;

                if (listed < LIST_MAX) {
                        if (listed > 0)
                                (void)kl_buf_putc(&ports, ',');
                        /* The port number, else its name (even an empty one), else "*". */
                        if (kl_api__table_get_int(p, "port", &port))
                                (void)kl_buf_printf(&ports, "%" PRId64, port);
                        else
                                (void)kl_buf_puts(&ports, kl_api__table_str_or(p, "name", "*"));
                        listed++;
                } else {
                        more = true;
                }
                count++;
        }

        kl_api__table_cell_str(row, kl_api__table_str(es, "metadata.name"));
        kl_api__table_cell_str(row, kl_api__table_str(es, "addressType"));
        cell_list_with_more(row, &ports, more, count);

        listed = count = 0;
        more = false;
        json_array_foreach(kl_api__table_array(es, "endpoints"), i, ep) {
                json_array_foreach(kl_api__table_array(ep, "addresses"), j, a) {
                        if (listed < LIST_MAX) {
                                if (listed > 0)
                                        (void)kl_buf_putc(&addrs, ',');
                                (void)kl_buf_puts(&addrs,
                                                  json_is_string(a) ? json_string_value(a) : "");
                                listed++;
                        } else {
                                more = true;
                        }
                        count++;
                }
        }
        cell_list_with_more(row, &addrs, more, count);
        kl_api__table_cell_age(row, es);
}

/*
 * ---------------------------------------------------------------------------
 * Ingress, IngressClass, NetworkPolicy
 */

static const struct kl_api_table_column ingress_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Class",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The IngressClass that implements the ingress.",
        },
        {
                .name = "Hosts",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Host names the rules match, the first three of them; * for "
                               "any.",
        },
        {
                .name = "Address",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Addresses of the load balancer serving the ingress.",
        },
        {
                .name = "Ports",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Ports the ingress is served on: 80, and 443 with TLS.",
        },
        KL_API__TABLE_COL_AGE,
};

static void ingress_row(const json_t *ing, struct kl_api_table_row *row)
{
        kl_autostrv char **addrs = NULL;
        kl_autobuf struct kl_buf hosts = KL_BUF_INIT;
        kl_autobuf struct kl_buf address = KL_BUF_INIT;
        json_t *rules = kl_api__table_array(ing, "spec.rules"), *r, *in;
        size_t i, listed = 0;
        bool more = false;

        /* formatHosts: once three hosts are listed, the rest only count (all rules count). */
        json_array_foreach(rules, i, r) {
                const char *host = kl_api__table_str(r, "host");

                if (listed == LIST_MAX)
                        more = true;
                if (!more && !kl_isempty(host)) {
                        kl_api__table_join(&hosts, ",", host);
                        listed++;
                }
        }

        json_array_foreach(kl_api__table_array(ing, "status.loadBalancer.ingress"), i, in) {
                const char *ip = kl_api__table_str(in, "ip");
                const char *host = kl_api__table_str(in, "hostname");

                if (!kl_isempty(ip))
                        kl_strv_push(&addrs, ip);
                else if (!kl_isempty(host))
                        kl_strv_push(&addrs, host);
        }
        kl_api__table_strv_sort_uniq(addrs);
        for (i = 0; addrs && addrs[i]; i++)
                kl_api__table_join(&address, ",", addrs[i]);

        kl_api__table_cell_str(row, kl_api__table_str(ing, "metadata.name"));
        kl_api__table_cell_str(row, kl_api__table_str_or(ing, "spec.ingressClassName", "<none>"));
        if (listed == 0)
                kl_api__table_cell_str(row, "*");
        else if (more)
                kl_api__table_cell_printf(row, "%s + %zu more...", hosts.buf,
                                          json_array_size(rules) - LIST_MAX);
        else
                kl_api__table_cell_buf(row, &hosts);
        kl_api__table_cell_buf(row, &address);
        kl_api__table_cell_str(row,
                               kl_api__table_array_len(ing, "spec.tls") > 0 ? "80, 443" : "80");
        kl_api__table_cell_age(row, ing);
}

static const struct kl_api_table_column ingressclass_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Controller",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The controller that implements ingresses of this class.",
        },
        {
                .name = "Parameters",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The object holding the class's extra configuration, as "
                               "kind.group/name.",
        },
        KL_API__TABLE_COL_AGE,
};

static void ingressclass_row(const json_t *ic, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf params = KL_BUF_INIT;
        const char *group;

        if (kl_api__table_object(ic, "spec.parameters")) {
                (void)kl_buf_puts(&params, kl_api__table_str_or(ic, "spec.parameters.kind", ""));
                /* An apiGroup that is set, even to "", adds its dot. */
                group = kl_api__table_str(ic, "spec.parameters.apiGroup");
                if (group)
                        (void)kl_buf_printf(&params, ".%s", group);
                (void)kl_buf_printf(&params, "/%s",
                                    kl_api__table_str_or(ic, "spec.parameters.name", ""));
        }
        kl_api__table_cell_str(row, kl_api__table_str(ic, "metadata.name"));
        kl_api__table_cell_str(row, kl_api__table_str(ic, "spec.controller"));
        kl_api__table_cell_str(row, params.len > 0 ? params.buf : "<none>");
        kl_api__table_cell_age(row, ic);
}

static const struct kl_api_table_column networkpolicy_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Pod-Selector",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Labels of the pods the policy applies to.",
        },
        KL_API__TABLE_COL_AGE,
};

static void networkpolicy_row(const json_t *np, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(np, "metadata.name"));
        /*
         * podSelector is a struct, not a pointer, upstream: absent is the empty selector, and both
         * print "<none>".
         */
        kl_api__table_cell_label_selector(row, np, "spec.podSelector");
        kl_api__table_cell_age(row, np);
}

/*
 * ---------------------------------------------------------------------------
 * HorizontalPodAutoscaler (autoscaling/v1 and v2 shapes)
 */

static const struct kl_api_table_column hpa_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Reference",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The scaled object, as Kind/name.",
        },
        {
                .name = "Targets",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Current and target values of the metrics, the first two of "
                               "them.",
        },
        {
                .name = "MinPods",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Fewest replicas the autoscaler scales down to.",
        },
        {
                .name = "MaxPods",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Most replicas the autoscaler scales up to.",
        },
        {
                .name = "Replicas",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Replicas the scaled object has now.",
        },
        KL_API__TABLE_COL_AGE,
};

#define HPA_METRICS_MAX 2 /* upstream shows two metrics, then "+ N more..." */

/* A quantity at `path` of `obj`, or NULL when there is none. */
static const char *quantity(const json_t *obj, const char *path, char *buf, size_t size)
{
        return kl_api__table_quantity(obj, path, buf, size, NULL);
}

/*
 * Quantity.String() of a pointer that may be nil: "<nil>". Upstream calls it
 * on unchecked pointers in places (a current value that was never measured).
 */
static const char *quantity_or_nil(const json_t *obj, const char *path, char *buf, size_t size)
{
        const char *q = quantity(obj, path, buf, size);

        return q ? q : "<nil>";
}

/* One "current/target" text for a Resource or ContainerResource metric. */
static void hpa_resource_metric(struct kl_buf *out, const json_t *spec, const json_t *status)
{
        char tbuf[KL_QUANTITY_STRING_MAX], cbuf[KL_QUANTITY_STRING_MAX];
        const char *target_avg = quantity(spec, "target.averageValue", tbuf, sizeof(tbuf));
        const char *name = kl_api__table_str_or(spec, "name", "");
        int64_t v;

        if (target_avg) {
                const char *current =
                        status ? quantity_or_nil(status, "current.averageValue", cbuf, sizeof(cbuf))
                               : "<unknown>";

                (void)kl_buf_printf(out, "%s: %s/%s", name, current, target_avg);
                return;
        }
        (void)kl_buf_printf(out, "%s: ", name);
        if (status && kl_api__table_get_int(status, "current.averageUtilization", &v))
                (void)kl_buf_printf(out, "%" PRId64 "%%/", v);
        else
                (void)kl_buf_puts(out, "<unknown>/");
        if (kl_api__table_get_int(spec, "target.averageUtilization", &v))
                (void)kl_buf_printf(out, "%" PRId64 "%%", v);
        else
                (void)kl_buf_puts(out, "<auto>");
}

/* One "current/target" text for an Object or External metric. */
static void hpa_value_metric(struct kl_buf *out, const json_t *spec, const json_t *status)
{
        char tbuf[KL_QUANTITY_STRING_MAX], cbuf[KL_QUANTITY_STRING_MAX];
        const char *target_avg = quantity(spec, "target.averageValue", tbuf, sizeof(tbuf));

        if (target_avg) {
                const char *current =
                        status ? quantity(status, "current.averageValue", cbuf, sizeof(cbuf))
                               : NULL;

                (void)kl_buf_printf(out, "%s/%s (avg)", current ? current : "<unknown>",
                                    target_avg);
                return;
        }
        (void)kl_buf_printf(out, "%s/%s",
                            status ? quantity_or_nil(status, "current.value", cbuf, sizeof(cbuf))
                                   : "<unknown>",
                            quantity_or_nil(spec, "target.value", tbuf, sizeof(tbuf)));
}

/*
 * The metrics in the autoscaling/v2 shape. An autoscaling/v1 object has only
 * a CPU utilization target, which upstream's conversion turns into one
 * Resource metric; an object with no metric at all gets upstream's v2
 * default, 80% CPU, which real clusters show as "cpu: <unknown>/80%".
 */
static void hpa_metric_lists(const json_t *hpa, json_t **ret_specs, json_t **ret_statuses)
{
        json_t *specs = kl_api__table_array(hpa, "spec.metrics");
        json_t *statuses = kl_api__table_array(hpa, "status.currentMetrics");
        int64_t target = 80, current;

        if (json_array_size(specs) > 0) {
                *ret_specs = json_incref(specs);
        } else {
                (void)kl_api__table_get_int(hpa, "spec.targetCPUUtilizationPercentage", &target);
                *ret_specs = json_pack("[{s:s, s:{s:s, s:{s:s, s:I}}}]", "type", "Resource",
                                       "resource", "name", "cpu", "target", "type", "Utilization",
                                       "averageUtilization", (json_int_t)target);
        }

        if (statuses)
                *ret_statuses = json_incref(statuses);
        else if (kl_api__table_get_int(hpa, "status.currentCPUUtilizationPercentage", &current))
                *ret_statuses = json_pack("[{s:s, s:{s:s, s:{s:I}}}]", "type", "Resource",
                                          "resource", "name", "cpu", "current",
                                          "averageUtilization", (json_int_t)current);
        else
                *ret_statuses = json_array();
        kl_assert(*ret_specs && *ret_statuses);
}

static void hpa_targets(struct kl_buf *out, const json_t *hpa)
{
        json_auto_t *specs = NULL;
        json_auto_t *statuses = NULL;
        json_t *spec;
        size_t i, count = 0;

        hpa_metric_lists(hpa, &specs, &statuses);
        json_array_foreach(specs, i, spec) {
                const char *type = kl_api__table_str_or(spec, "type", "");
                /* Statuses are matched to specs by position, as upstream does. */
                json_t *st = json_array_get(statuses, i);
                kl_autobuf struct kl_buf one = KL_BUF_INIT;

                if (kl_streq(type, "External"))
                        hpa_value_metric(&one, kl_api__table_object(spec, "external"),
                                         kl_api__table_object(st, "external"));
                else if (kl_streq(type, "Object"))
                        hpa_value_metric(&one, kl_api__table_object(spec, "object"),
                                         kl_api__table_object(st, "object"));
                else if (kl_streq(type, "Pods")) {
                        char tbuf[KL_QUANTITY_STRING_MAX], cbuf[KL_QUANTITY_STRING_MAX];
                        json_t *pods = kl_api__table_object(st, "pods");

                        (void)kl_buf_printf(&one, "%s/%s",
                                            pods ? quantity_or_nil(pods, "current.averageValue",
                                                                   cbuf, sizeof(cbuf))
                                                 : "<unknown>",
                                            quantity_or_nil(spec, "pods.target.averageValue", tbuf,
                                                            sizeof(tbuf)));
                } else if (kl_streq(type, "Resource"))
                        hpa_resource_metric(&one, kl_api__table_object(spec, "resource"),
                                            kl_api__table_object(st, "resource"));
                else if (kl_streq(type, "ContainerResource"))
                        hpa_resource_metric(&one, kl_api__table_object(spec, "containerResource"),
                                            kl_api__table_object(st, "containerResource"));
                else
                        (void)kl_buf_puts(&one, "<unknown type>");

                if (count < HPA_METRICS_MAX)
                        kl_api__table_join(out, ", ", one.buf);
                count++;
        }
        if (count > HPA_METRICS_MAX)
                (void)kl_buf_printf(out, " + %zu more...", count - HPA_METRICS_MAX);
}

static void hpa_row(const json_t *hpa, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf targets = KL_BUF_INIT;
        int64_t min;

        hpa_targets(&targets, hpa);
        kl_api__table_cell_str(row, kl_api__table_str(hpa, "metadata.name"));
        kl_api__table_cell_printf(row, "%s/%s",
                                  kl_api__table_str_or(hpa, "spec.scaleTargetRef.kind", ""),
                                  kl_api__table_str_or(hpa, "spec.scaleTargetRef.name", ""));
        kl_api__table_cell_buf(row, &targets);
        /* Upstream prints "<unset>" for a nil minReplicas, which defaulting (to 1) prevents. */
        if (!kl_api__table_get_int(hpa, "spec.minReplicas", &min))
                min = 1;
        kl_api__table_cell_printf(row, "%" PRId64, min);
        kl_api__table_cell_int(row, kl_api__table_int(hpa, "spec.maxReplicas", 0));
        kl_api__table_cell_int(row, kl_api__table_int(hpa, "status.currentReplicas", 0));
        kl_api__table_cell_age(row, hpa);
}

/*
 * ---------------------------------------------------------------------------
 * PodDisruptionBudget
 */

static const struct kl_api_table_column pdb_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Min Available",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Pods that must stay available, as a number or a percentage.",
        },
        {
                .name = "Max Unavailable",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Pods that may be unavailable, as a number or a percentage.",
        },
        {
                .name = "Allowed Disruptions",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Pods that may be evicted right now.",
        },
        KL_API__TABLE_COL_AGE,
};

/* An IntOrString as its String(): the number or the text; "N/A" when unset. */
static void cell_int_or_string(struct kl_api_table_row *row, const json_t *obj, const char *path)
{
        json_t *v = NULL;

        (void)kl_json_get(obj, path, &v, NULL);
        if (json_is_integer(v))
                kl_api__table_cell_printf(row, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_string(v))
                kl_api__table_cell_str(row, json_string_value(v));
        else
                kl_api__table_cell_str(row, "N/A");
}

static void pdb_row(const json_t *pdb, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(pdb, "metadata.name"));
        cell_int_or_string(row, pdb, "spec.minAvailable");
        cell_int_or_string(row, pdb, "spec.maxUnavailable");
        kl_api__table_cell_int(row, kl_api__table_int(pdb, "status.disruptionsAllowed", 0));
        kl_api__table_cell_age(row, pdb);
}

/*
 * ---------------------------------------------------------------------------
 * RoleBinding, ClusterRoleBinding
 */

#define BINDING_COLUMNS(what)                                                             \
        {                                                                                 \
                KL_API__TABLE_COL_NAME,                                                   \
                        {                                                                 \
                                .name = "Role",                                           \
                                .type = KL_API_TABLE_TYPE_STRING,                         \
                                .format = "",                                             \
                                .description = "The role granted, as Kind/name.",         \
                        },                                                                \
                        KL_API__TABLE_COL_AGE,                                            \
                        {                                                                 \
                                .name = "Users",                                          \
                                .type = KL_API_TABLE_TYPE_STRING,                         \
                                .format = "",                                             \
                                .description = "Users the " what " grants the role to.",  \
                                .priority = 1,                                            \
                        },                                                                \
                        {                                                                 \
                                .name = "Groups",                                         \
                                .type = KL_API_TABLE_TYPE_STRING,                         \
                                .format = "",                                             \
                                .description = "Groups the " what " grants the role to.", \
                                .priority = 1,                                            \
                        },                                                                \
                        {                                                                 \
                                .name = "ServiceAccounts",                                \
                                .type = KL_API_TABLE_TYPE_STRING,                         \
                                .format = "",                                             \
                                .description = "Service accounts the " what               \
                                               " grants the role to, as namespace/name.", \
                                .priority = 1,                                            \
                        },                                                                \
        }

static const struct kl_api_table_column rolebinding_columns[] = BINDING_COLUMNS("binding");
static const struct kl_api_table_column clusterrolebinding_columns[] =
        BINDING_COLUMNS("cluster binding");

static void binding_row(const json_t *rb, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf users = KL_BUF_INIT;
        kl_autobuf struct kl_buf groups = KL_BUF_INIT;
        kl_autobuf struct kl_buf sas = KL_BUF_INIT;
        size_t i, n_users = 0, n_groups = 0, n_sas = 0;
        json_t *s;

        /* rbac.SubjectsStrings, joined with ", "; subjects of other kinds are not shown. */
        json_array_foreach(kl_api__table_array(rb, "subjects"), i, s) {
                const char *kind = kl_api__table_str_or(s, "kind", "");
                const char *name = kl_api__table_str_or(s, "name", "");

                if (kl_streq(kind, "ServiceAccount"))
                        (void)kl_buf_printf(&sas, "%s%s/%s", n_sas++ > 0 ? ", " : "",
                                            kl_api__table_str_or(s, "namespace", ""), name);
                else if (kl_streq(kind, "User"))
                        (void)kl_buf_printf(&users, "%s%s", n_users++ > 0 ? ", " : "", name);
                else if (kl_streq(kind, "Group"))
                        (void)kl_buf_printf(&groups, "%s%s", n_groups++ > 0 ? ", " : "", name);
        }

        kl_api__table_cell_str(row, kl_api__table_str(rb, "metadata.name"));
        kl_api__table_cell_printf(row, "%s/%s", kl_api__table_str_or(rb, "roleRef.kind", ""),
                                  kl_api__table_str_or(rb, "roleRef.name", ""));
        kl_api__table_cell_age(row, rb);
        kl_api__table_cell_buf(row, &users);
        kl_api__table_cell_buf(row, &groups);
        kl_api__table_cell_buf(row, &sas);
}

/*
 * ---------------------------------------------------------------------------
 * Lease, StorageClass, PriorityClass
 */

static const struct kl_api_table_column lease_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Holder",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Identity of the current holder of the lease.",
        },
        KL_API__TABLE_COL_AGE,
};

static void lease_row(const json_t *lease, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(lease, "metadata.name"));
        kl_api__table_cell_str(row, kl_api__table_str(lease, "spec.holderIdentity"));
        kl_api__table_cell_age(row, lease);
}

static const struct kl_api_table_column storageclass_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Provisioner",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The volume plugin or CSI driver that provisions volumes.",
        },
        {
                .name = "ReclaimPolicy",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "What happens to provisioned volumes when released: Delete or "
                               "Retain.",
        },
        {
                .name = "VolumeBindingMode",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "When volumes are bound: Immediate or WaitForFirstConsumer.",
        },
        {
                .name = "AllowVolumeExpansion",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Whether claims of this class may grow.",
        },
        KL_API__TABLE_COL_AGE,
};

static bool is_true_annotation(const json_t *obj, const char *key)
{
        json_t *v = json_object_get(kl_api__table_object(obj, "metadata.annotations"), key);

        return json_is_string(v) && kl_streq(json_string_value(v), "true");
}

static void storageclass_row(const json_t *sc, struct kl_api_table_row *row)
{
        const char *name = kl_api__table_str_or(sc, "metadata.name", "");

        if (is_true_annotation(sc, "storageclass.kubernetes.io/is-default-class") ||
            is_true_annotation(sc, "storageclass.beta.kubernetes.io/is-default-class"))
                kl_api__table_cell_printf(row, "%s (default)", name);
        else
                kl_api__table_cell_str(row, name);
        kl_api__table_cell_str(row, kl_api__table_str(sc, "provisioner"));
        kl_api__table_cell_str(row, kl_api__table_str_or(sc, "reclaimPolicy", "Delete"));
        kl_api__table_cell_str(row, kl_api__table_str_or(sc, "volumeBindingMode", "Immediate"));
        kl_api__table_cell_bool(row, kl_api__table_bool(sc, "allowVolumeExpansion", false));
        kl_api__table_cell_age(row, sc);
}

static const struct kl_api_table_column priorityclass_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Value",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "The priority pods of this class get; higher schedules first.",
        },
        {
                .name = "Global-Default",
                .type = KL_API_TABLE_TYPE_BOOLEAN,
                .format = "",
                .description = "Whether pods without a priority class get this one.",
        },
        KL_API__TABLE_COL_AGE,
        {
                .name = "PreemptionPolicy",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Whether pods of this class may preempt lower-priority pods.",
        },
};

static void priorityclass_row(const json_t *pc, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(pc, "metadata.name"));
        kl_api__table_cell_int(row, kl_api__table_int(pc, "value", 0));
        kl_api__table_cell_bool(row, kl_api__table_bool(pc, "globalDefault", false));
        kl_api__table_cell_age(row, pc);
        /* Defaulting sets a missing preemptionPolicy before upstream prints it. */
        kl_api__table_cell_str(
                row, kl_api__table_str_or(pc, "preemptionPolicy", "PreemptLowerPriority"));
}

const struct kl_api_table_printer kl_api__table_printers_other[] = {
        { .group = "discovery.k8s.io",
          .kind = "EndpointSlice",
          KL_API__TABLE_COLUMNS(endpointslice_columns),
          .row = endpointslice_row },
        { .group = "networking.k8s.io",
          .kind = "Ingress",
          KL_API__TABLE_COLUMNS(ingress_columns),
          .row = ingress_row },
        { .group = "networking.k8s.io",
          .kind = "IngressClass",
          KL_API__TABLE_COLUMNS(ingressclass_columns),
          .row = ingressclass_row },
        { .group = "networking.k8s.io",
          .kind = "NetworkPolicy",
          KL_API__TABLE_COLUMNS(networkpolicy_columns),
          .row = networkpolicy_row },
        { .group = "autoscaling",
          .kind = "HorizontalPodAutoscaler",
          KL_API__TABLE_COLUMNS(hpa_columns),
          .row = hpa_row },
        { .group = "policy",
          .kind = "PodDisruptionBudget",
          KL_API__TABLE_COLUMNS(pdb_columns),
          .row = pdb_row },
        { .group = "rbac.authorization.k8s.io",
          .kind = "RoleBinding",
          KL_API__TABLE_COLUMNS(rolebinding_columns),
          .row = binding_row },
        { .group = "rbac.authorization.k8s.io",
          .kind = "ClusterRoleBinding",
          KL_API__TABLE_COLUMNS(clusterrolebinding_columns),
          .row = binding_row },
        { .group = "coordination.k8s.io",
          .kind = "Lease",
          KL_API__TABLE_COLUMNS(lease_columns),
          .row = lease_row },
        { .group = "storage.k8s.io",
          .kind = "StorageClass",
          KL_API__TABLE_COLUMNS(storageclass_columns),
          .row = storageclass_row },
        { .group = "scheduling.k8s.io",
          .kind = "PriorityClass",
          KL_API__TABLE_COLUMNS(priorityclass_columns),
          .row = priorityclass_row },
};
const size_t kl_api__table_printers_other_count = KL_ARRAY_SIZE(kl_api__table_printers_other);
