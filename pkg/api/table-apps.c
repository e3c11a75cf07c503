/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printers of apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet,
 * ControllerRevision.
 *
 * spec.replicas is optional in v1 and defaults to 1. Upstream defaults it
 * when it reads the object, before printing, so an object stored without it
 * prints as desiring one replica; so does ours.
 */
#include <inttypes.h>
#include <string.h>

#include "api/selector.h"
#include "api/table-internal.h"
#include "json/json.h"

static int64_t desired_replicas(const json_t *obj)
{
        return kl_api__table_int(obj, "spec.replicas", 1);
}

static const struct kl_api_table_column deployment_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Ready",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Ready pods out of the desired number of replicas.",
        },
        {
                .name = "Up-to-date",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Pods that run the current pod template.",
        },
        {
                .name = "Available",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Pods that have been ready for at least minReadySeconds.",
        },
        KL_API__TABLE_COL_AGE,
        KL_API__TABLE_COL_CONTAINERS,
        KL_API__TABLE_COL_IMAGES,
        KL_API__TABLE_COL_SELECTOR,
};

static void deployment_row(const json_t *d, struct kl_api_table_row *row)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        kl_autobuf struct kl_buf selector = KL_BUF_INIT;

        /*
         * Unlike the other workloads, upstream prints the bare selector string here: "" for none,
         * and "<invalid>" rather than "<error>".
         */
        if (kl_api_label_selector_from_json(kl_api__table_object(d, "spec.selector"), &sel, NULL) <
            0)
                (void)kl_buf_puts(&selector, "<invalid>");
        else
                (void)kl_api_label_selector_format(sel, &selector);

        kl_api__table_cell_str(row, kl_api__table_str(d, "metadata.name"));
        kl_api__table_cell_printf(row, "%" PRId64 "/%" PRId64,
                                  kl_api__table_int(d, "status.readyReplicas", 0),
                                  desired_replicas(d));
        kl_api__table_cell_int(row, kl_api__table_int(d, "status.updatedReplicas", 0));
        kl_api__table_cell_int(row, kl_api__table_int(d, "status.availableReplicas", 0));
        kl_api__table_cell_age(row, d);
        kl_api__table_cell_containers(row, d, "spec.template.spec");
        kl_api__table_cell_buf(row, &selector);
}

static const struct kl_api_table_column replicaset_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Desired",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of pods the replica set should run.",
        },
        {
                .name = "Current",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of pods the replica set runs now.",
        },
        {
                .name = "Ready",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of its pods that are ready.",
        },
        KL_API__TABLE_COL_AGE,
        KL_API__TABLE_COL_CONTAINERS,
        KL_API__TABLE_COL_IMAGES,
        KL_API__TABLE_COL_SELECTOR,
};

static void replicaset_row(const json_t *rs, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(rs, "metadata.name"));
        kl_api__table_cell_int(row, desired_replicas(rs));
        kl_api__table_cell_int(row, kl_api__table_int(rs, "status.replicas", 0));
        kl_api__table_cell_int(row, kl_api__table_int(rs, "status.readyReplicas", 0));
        kl_api__table_cell_age(row, rs);
        kl_api__table_cell_containers(row, rs, "spec.template.spec");
        kl_api__table_cell_label_selector(row, rs, "spec.selector");
}

static const struct kl_api_table_column statefulset_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Ready",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Ready pods out of the desired number of replicas.",
        },
        KL_API__TABLE_COL_AGE,
        KL_API__TABLE_COL_CONTAINERS,
        KL_API__TABLE_COL_IMAGES,
};

static void statefulset_row(const json_t *sts, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(sts, "metadata.name"));
        kl_api__table_cell_printf(row, "%" PRId64 "/%" PRId64,
                                  kl_api__table_int(sts, "status.readyReplicas", 0),
                                  desired_replicas(sts));
        kl_api__table_cell_age(row, sts);
        kl_api__table_cell_containers(row, sts, "spec.template.spec");
}

static const struct kl_api_table_column daemonset_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Desired",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of nodes that should run the daemon pod.",
        },
        {
                .name = "Current",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of nodes that run at least one daemon pod and should.",
        },
        {
                .name = "Ready",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of nodes whose daemon pod is ready.",
        },
        {
                .name = "Up-to-date",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of nodes that run the current pod template.",
        },
        {
                .name = "Available",
                .type = KL_API_TABLE_TYPE_INTEGER,
                .format = "",
                .description = "Number of nodes whose daemon pod has been ready for at least "
                               "minReadySeconds.",
        },
        {
                .name = "Node Selector",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Node labels the daemon pods are restricted to.",
        },
        KL_API__TABLE_COL_AGE,
        KL_API__TABLE_COL_CONTAINERS,
        KL_API__TABLE_COL_IMAGES,
        KL_API__TABLE_COL_SELECTOR,
};

static void daemonset_row(const json_t *ds, struct kl_api_table_row *row)
{
        kl_api__table_cell_str(row, kl_api__table_str(ds, "metadata.name"));
        kl_api__table_cell_int(row, kl_api__table_int(ds, "status.desiredNumberScheduled", 0));
        kl_api__table_cell_int(row, kl_api__table_int(ds, "status.currentNumberScheduled", 0));
        kl_api__table_cell_int(row, kl_api__table_int(ds, "status.numberReady", 0));
        kl_api__table_cell_int(row, kl_api__table_int(ds, "status.updatedNumberScheduled", 0));
        kl_api__table_cell_int(row, kl_api__table_int(ds, "status.numberAvailable", 0));
        kl_api__table_cell_labels(row, ds, "spec.template.spec.nodeSelector");
        kl_api__table_cell_age(row, ds);
        kl_api__table_cell_containers(row, ds, "spec.template.spec");
        kl_api__table_cell_label_selector(row, ds, "spec.selector");
}

static const struct kl_api_table_column controllerrevision_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Controller",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The object that owns the revision, as kind.group/name.",
        },
        {
                .name = "Revision",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The revision number.",
        },
        KL_API__TABLE_COL_AGE,
};

/* "statefulset.apps/web" from the controlling owner reference, or "<none>". */
static void controller_ref(struct kl_buf *out, const json_t *obj)
{
        json_t *refs = kl_api__table_array(obj, "metadata.ownerReferences"), *ref = NULL, *r;
        const char *api_version, *kind, *name, *slash, *group = "";
        size_t i, group_len = 0;

        json_array_foreach(refs, i, r) {
                if (kl_api__table_bool(r, "controller", false)) {
                        ref = r;
                        break;
                }
        }
        if (!ref) {
                (void)kl_buf_puts(out, "<none>");
                return;
        }

        api_version = kl_api__table_str_or(ref, "apiVersion", "");
        kind = kl_api__table_str_or(ref, "kind", "");
        name = kl_api__table_str_or(ref, "name", "");
        /*
         * schema.ParseGroupVersion: "v1" has no group, "apps/v1" has "apps". A value with
         * more slashes makes upstream fail the whole request; we print it without a group.
         */
        slash = strchr(api_version, '/');
        if (slash && !strchr(slash + 1, '/')) {
                group = api_version;
                group_len = (size_t)(slash - api_version);
        }

        if (group_len == 0 && !*kind) {
                (void)kl_buf_puts(out, name);
                return;
        }
        for (const char *p = kind; *p; p++)
                (void)kl_buf_putc(out, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
        if (group_len > 0) {
                (void)kl_buf_putc(out, '.');
                for (size_t k = 0; k < group_len; k++)
                        (void)kl_buf_putc(out, group[k] >= 'A' && group[k] <= 'Z'
                                                       ? (char)(group[k] - 'A' + 'a')
                                                       : group[k]);
        }
        (void)kl_buf_printf(out, "/%s", name);
}

static void controllerrevision_row(const json_t *cr, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf controller = KL_BUF_INIT;

        controller_ref(&controller, cr);
        kl_api__table_cell_str(row, kl_api__table_str(cr, "metadata.name"));
        kl_api__table_cell_buf(row, &controller);
        kl_api__table_cell_int(row, kl_api__table_int(cr, "revision", 0));
        kl_api__table_cell_age(row, cr);
}

const struct kl_api_table_printer kl_api__table_printers_apps[] = {
        { .group = "apps",
          .kind = "Deployment",
          KL_API__TABLE_COLUMNS(deployment_columns),
          .row = deployment_row },
        { .group = "apps",
          .kind = "ReplicaSet",
          KL_API__TABLE_COLUMNS(replicaset_columns),
          .row = replicaset_row },
        { .group = "apps",
          .kind = "StatefulSet",
          KL_API__TABLE_COLUMNS(statefulset_columns),
          .row = statefulset_row },
        { .group = "apps",
          .kind = "DaemonSet",
          KL_API__TABLE_COLUMNS(daemonset_columns),
          .row = daemonset_row },
        { .group = "apps",
          .kind = "ControllerRevision",
          KL_API__TABLE_COLUMNS(controllerrevision_columns),
          .row = controllerrevision_row },
};
const size_t kl_api__table_printers_apps_count = KL_ARRAY_SIZE(kl_api__table_printers_apps);
