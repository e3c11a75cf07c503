/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's status as the kubelet's node status setters build it
 * (pkg/kubelet/nodestatus upstream), and the --node-label/--node-taint
 * syntax. Pure: no I/O, no clock; node.c and node-host.c feed it.
 */
#include <string.h>

#include "agent/agent-internal.h"
#include "api/selector.h"

/* Upstream's nodeStatusMaxImages and MaxNamesPerImageInNodeStatus. */
#define MAX_IMAGES          50
#define MAX_NAMES_PER_IMAGE 5
#define MAX_PODS            110

/* ------------------------------------------------------------------------- */
/* Flags */

static int first_msg(struct kl_err **err, const char *what, const char *s, char **msgs)
{
        return kl_err_set(err, -EINVAL, "invalid %s '%s': %s", what, s,
                          msgs && msgs[0] ? msgs[0] : "malformed");
}

static int check_key_value(const char *what, const char *s, const char *key, const char *value,
                           struct kl_err **err)
{
        kl_autostrv char **msgs = NULL;

        if (kl_api_validate_qualified_name(key, &msgs) > 0)
                return first_msg(err, what, s, msgs);
        if (value && kl_api_validate_label_value(value, &msgs) > 0)
                return first_msg(err, what, s, msgs);
        return 0;
}

int kl_agent__parse_label(const char *s, char **ret_key, char **ret_value, struct kl_err **err)
{
        const char *eq = strchr(s, '=');
        kl_autofree char *key = NULL, *value = NULL;
        int r;

        if (!eq)
                return kl_err_set(err, -EINVAL, "invalid node label '%s': expected key=value", s);
        key = kl_strndup(s, (size_t)(eq - s));
        value = kl_strdup(eq + 1);
        r = check_key_value("node label", s, key, value, err);
        if (r < 0)
                return r;
        *ret_key = KL_TAKE_PTR(key);
        *ret_value = KL_TAKE_PTR(value);
        return 0;
}

int kl_agent__parse_taint(const char *s, json_t **ret_taint, struct kl_err **err)
{
        static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute" };
        const char *colon = strrchr(s, ':'), *eq;
        kl_autofree char *key = NULL, *value = NULL;
        json_auto_t *taint = NULL;
        bool known = false;
        int r;

        if (!colon)
                return kl_err_set(err, -EINVAL,
                                  "invalid node taint '%s': expected key=value:Effect or "
                                  "key:Effect",
                                  s);
        for (size_t i = 0; i < KL_ARRAY_SIZE(effects); i++)
                known |= kl_streq(colon + 1, effects[i]);
        if (!known)
                return kl_err_set(err, -EINVAL,
                                  "invalid node taint '%s': effect must be NoSchedule, "
                                  "PreferNoSchedule or NoExecute",
                                  s);
        eq = memchr(s, '=', (size_t)(colon - s));
        key = kl_strndup(s, (size_t)((eq ? eq : colon) - s));
        if (eq)
                value = kl_strndup(eq + 1, (size_t)(colon - eq - 1));
        r = check_key_value("node taint", s, key, value, err);
        if (r < 0)
                return r;
        taint = json_pack("{s:s}", "key", key);
        if (value && *value)
                (void)json_object_set_new(taint, "value", json_string(value));
        (void)json_object_set_new(taint, "effect", json_string(colon + 1));
        *ret_taint = KL_TAKE_PTR(taint);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Images */

struct image {
        char **names; /* owned */
        int64_t size;
};

struct kl_agent_images {
        struct image *v; /* owned */
        size_t n, cap;
};

struct kl_agent_images *kl_agent__images_new(void)
{
        return kl_new0(struct kl_agent_images);
}

void kl_agent__images_free(struct kl_agent_images *imgs)
{
        if (!imgs)
                return;
        for (size_t i = 0; i < imgs->n; i++)
                kl_strv_free(imgs->v[i].names);
        free(imgs->v);
        free(imgs);
}

void kl_agent_images_add(struct kl_agent_images *out, const char *const *names, size_t n_names,
                         int64_t size_bytes)
{
        struct image *img;

        if (n_names == 0)
                return;
        if (out->n == out->cap) {
                out->cap = out->cap ? 2 * out->cap : 16;
                out->v = kl_realloc(out->v, out->cap * sizeof(*out->v));
        }
        img = &out->v[out->n++];
        *img = (struct image){ .size = size_bytes };
        for (size_t i = 0; i < n_names; i++)
                if (names[i])
                        kl_strv_push(&img->names, names[i]);
}

static int image_cmp(const void *a, const void *b)
{
        const struct image *x = a, *y = b;

        return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

json_t *kl_agent__images_json(struct kl_agent_images *imgs)
{
        json_t *list = json_array();

        /* Largest first, as the kubelet's image manager hands them to the setter. */
        if (imgs->n > 1)
                qsort(imgs->v, imgs->n, sizeof(*imgs->v), image_cmp);
        for (size_t i = 0; i < imgs->n && json_array_size(list) < MAX_IMAGES; i++) {
                json_t *names = json_array();

                for (size_t j = 0;
                     imgs->v[i].names && imgs->v[i].names[j] && j < MAX_NAMES_PER_IMAGE; j++)
                        (void)json_array_append_new(names, json_string(imgs->v[i].names[j]));
                if (json_array_size(names) == 0) {
                        json_decref(names);
                        continue;
                }
                (void)json_array_append_new(list,
                                            json_pack("{s:o, s:I}", "names", names, "sizeBytes",
                                                      (json_int_t)imgs->v[i].size));
        }
        return list;
}

/* ------------------------------------------------------------------------- */
/* Status */

static json_t *quantity(int64_t value, enum kl_quantity_format format)
{
        struct kl_quantity q = kl_quantity_from_int(value, format);
        char buf[KL_QUANTITY_STRING_MAX];

        return json_string(kl_quantity_format(&q, buf, sizeof(buf)));
}

static void set_resources(json_t *status, const struct kl_agent__facts *f)
{
        json_t *cap = json_object(), *alloc = json_object();

        if (f->cpus > 0)
                (void)json_object_set_new(cap, "cpu", quantity(f->cpus, KL_QUANTITY_DECIMAL_SI));
        if (f->fs_total >= 0)
                (void)json_object_set_new(cap, "ephemeral-storage",
                                          quantity(f->fs_total, KL_QUANTITY_BINARY_SI));
        (void)json_object_set_new(
                cap, "hugepages-2Mi",
                quantity(f->hugepages_2mi > 0 ? f->hugepages_2mi : 0, KL_QUANTITY_BINARY_SI));
        if (f->mem_total >= 0)
                (void)json_object_set_new(cap, "memory",
                                          quantity(f->mem_total, KL_QUANTITY_BINARY_SI));
        (void)json_object_set_new(cap, "pods", quantity(MAX_PODS, KL_QUANTITY_DECIMAL_SI));

        /*
         * Allocatable is capacity less the hard eviction thresholds, as
         * upstream's GetNodeAllocatableReservation with no kube-reserved or
         * system-reserved: memory less 100Mi and the huge pages, which are
         * not ordinary memory; ephemeral-storage less 10%.
         */
        (void)json_object_update(alloc, cap);
        if (f->mem_total >= 0) {
                int64_t m = f->mem_total - KL_AGENT__EVICT_MEMORY -
                            (f->hugepages_2mi > 0 ? f->hugepages_2mi : 0);

                (void)json_object_set_new(alloc, "memory",
                                          quantity(m > 0 ? m : 0, KL_QUANTITY_BINARY_SI));
        }
        if (f->fs_total >= 0) {
                int64_t reserve = f->fs_total / 100 * KL_AGENT__EVICT_NODEFS_PERCENT +
                                  f->fs_total % 100 * KL_AGENT__EVICT_NODEFS_PERCENT / 100;

                (void)json_object_set_new(alloc, "ephemeral-storage",
                                          quantity(f->fs_total - reserve, KL_QUANTITY_BINARY_SI));
        }
        (void)json_object_set_new(status, "capacity", cap);
        (void)json_object_set_new(status, "allocatable", alloc);
}

static json_t *addresses(const struct kl_agent__facts *f)
{
        json_t *list = json_array();

        for (size_t i = 0; f->node_ips && f->node_ips[i]; i++)
                (void)json_array_append_new(list, json_pack("{s:s, s:s}", "type", "InternalIP",
                                                            "address", f->node_ips[i]));
        (void)json_array_append_new(
                list, json_pack("{s:s, s:s}", "type", "Hostname", "address", f->hostname));
        return list;
}

static json_t *node_info(const struct kl_agent__facts *f)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "machineID",
                         f->machine_id, "systemUUID", f->system_uuid, "bootID", f->boot_id,
                         "kernelVersion", f->kernel_version, "osImage", f->os_image,
                         "containerRuntimeVersion", f->runtime_version, "kubeletVersion",
                         f->kubelet_version, "kubeProxyVersion", f->kubelet_version,
                         "operatingSystem", "linux", "architecture", f->arch);
}

/* Set condition `type` in `conds` as the kubelet's setters do. */
static void set_condition(json_t *conds, const char *type, bool on, const char *reason,
                          const char *message, const char *now)
{
        const char *status = on ? "True" : "False";
        json_t *c = NULL, *x;
        size_t i;

        json_array_foreach(conds, i, x) {
                if (kl_streq_null(json_string_value(json_object_get(x, "type")), type)) {
                        c = x;
                        break;
                }
        }
        if (!c) {
                c = json_pack("{s:s}", "type", type);
                (void)json_array_append_new(conds, c);
        }
        if (!kl_streq_null(json_string_value(json_object_get(c, "status")), status) ||
            !json_is_string(json_object_get(c, "lastTransitionTime")))
                (void)json_object_set_new(c, "lastTransitionTime", json_string(now));
        (void)json_object_set_new(c, "status", json_string(status));
        (void)json_object_set_new(c, "lastHeartbeatTime", json_string(now));
        (void)json_object_set_new(c, "reason", json_string(reason));
        (void)json_object_set_new(c, "message", json_string(message));
}

json_t *kl_agent__node_status(const struct kl_agent__facts *f, const json_t *old, kl_usec_t now)
{
        json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
        json_t *conds = json_object_get(status, "conditions");
        char ts[KL_RFC3339_MAX];
        bool mem_pressure = f->mem_available >= 0 && f->mem_available < KL_AGENT__EVICT_MEMORY;
        /* available/total < 10%, in integers */
        bool disk_pressure =
                f->fs_total > 0 && f->fs_available >= 0 &&
                f->fs_available < f->fs_total / 100 * KL_AGENT__EVICT_NODEFS_PERCENT +
                                          f->fs_total % 100 * KL_AGENT__EVICT_NODEFS_PERCENT / 100;

        (void)kl_rfc3339_format(now, KL_RFC3339_SECONDS, ts, sizeof(ts));
        set_resources(status, f);
        (void)json_object_set_new(status, "addresses", addresses(f));
        (void)json_object_set_new(status, "nodeInfo", node_info(f));
        (void)json_object_set_new(status, "daemonEndpoints",
                                  json_pack("{s:{s:i}}", "kubeletEndpoint", "Port",
                                            f->kubelet_port > 0 ? f->kubelet_port : 10250));
        if (f->images && json_array_size(f->images) > 0)
                (void)json_object_set(status, "images", (json_t *)f->images);
        else
                (void)json_object_del(status, "images");

        if (!json_is_array(conds)) {
                conds = json_array();
                (void)json_object_set_new(status, "conditions", conds);
        }
        /* The kubelet's setter order: the pressures, then Ready. */
        set_condition(conds, "MemoryPressure", mem_pressure,
                      mem_pressure ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
                      mem_pressure ? "kubelet has insufficient memory available"
                                   : "kubelet has sufficient memory available",
                      ts);
        set_condition(conds, "DiskPressure", disk_pressure,
                      disk_pressure ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
                      disk_pressure ? "kubelet has disk pressure" : "kubelet has no disk pressure",
                      ts);
        /* No PID threshold is set by default upstream, so PIDPressure never turns True. */
        set_condition(conds, "PIDPressure", false, "KubeletHasSufficientPID",
                      "kubelet has sufficient PID available", ts);
        if (f->not_ready)
                set_condition(conds, "Ready", false, "KubeletNotReady", f->not_ready, ts);
        else
                set_condition(conds, "Ready", true, "KubeletReady",
                              "kubelet is posting ready status", ts);
        return status;
}

static json_t *without_heartbeats(const json_t *status)
{
        json_t *copy = json_is_object(status) ? json_deep_copy(status) : json_object();
        json_t *c;
        size_t i;

        json_array_foreach(json_object_get(copy, "conditions"), i, c)
                (void)json_object_del(c, "lastHeartbeatTime");
        return copy;
}

bool kl_agent__status_changed(const json_t *a, const json_t *b)
{
        json_auto_t *x = without_heartbeats(a);
        json_auto_t *y = without_heartbeats(b);

        return !json_equal(x, y);
}
