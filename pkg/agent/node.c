/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node: registration, status and Lease on the loop (agent.h), as the
 * kubelet's tryRegisterWithAPIServer, updateNodeStatus and node lease
 * controller do. Two independent chains of requests, each with at most one
 * request in flight, each driven by its own timer:
 *
 *   status  every status_period: not registered yet -> create the Node
 *           (AlreadyExists: get it and merge our labels in); registered ->
 *           get the Node, build the status from the host facts, write it
 *           through nodes/status when it changed or status_report has passed
 *           since the last write (a conflict gets the Node again, up to 5
 *           times, as upstream's nodeStatusUpdateRetry);
 *   lease   every lease_renew: renew the cached Lease with an update; no
 *           cache, a conflict or NotFound -> get it, create it if missing
 *           (up to 5 tries a round, upstream's maxUpdateRetries).
 *
 * Memory: every request in flight holds a reference on the node, the
 * running node holds one, and the two timers count as pending closes; the
 * node is freed when all are gone (STYLE R8.2, R8.3). After
 * kl_agent_node_stop() callbacks only release.
 */
#include <string.h>

#include "agent/agent-internal.h"
#include "api/selector.h"
#include "loop/loop.h"
#include "json/json.h"

#define LEASE_NS    "kube-node-lease"
#define MAX_RETRIES 5

/* Upstream's controller-managed attach/detach annotation, set at registration. */
#define CMAD_ANNOTATION "volumes.kubernetes.io/controller-managed-attach-detach"

struct kl_agent_node {
        uv_loop_t *loop;          /* borrowed from the client */
        struct kl_client *client; /* borrowed; outlives the node's activity */
        const struct kl_api_resource *nodes, *leases;

        char *name;            /* owned */
        char *hostname;        /* owned */
        char **node_ips;       /* owned */
        char *data_dir;        /* owned */
        char *kubelet_version; /* owned */
        int kubelet_port;
        char *runtime_version; /* owned: "kube-lite://<version>" */
        json_t *labels;        /* owned: the labels we set (defaults, then the flags') */
        json_t *taints;        /* owned: registered with the Node */
        kl_usec_t status_period, status_report, lease_renew;
        int64_t lease_duration;
        kl_agent_images_fn *images;
        void *images_arg; /* borrowed */
        struct kl_agent__host host;

        uv_timer_t status_timer; /* owned; closed by kl_agent_node_stop() */
        uv_timer_t lease_timer;  /* owned; closed by kl_agent_node_stop() */
        unsigned refs;           /* 1 while running + 1 per request in flight */
        unsigned pending_closes;
        bool stopped;

        bool registered;
        char *uid; /* owned: the Node's uid once known */
        bool status_busy;
        bool status_again;       /* the status changed while a write was in flight */
        char *not_ready;         /* owned: why the node is not Ready (the network), or NULL */
        bool reported;           /* a status was written since registration */
        kl_usec_t last_report;   /* uv_now() of that write */
        unsigned status_retries; /* conflicts in this round */

        bool lease_busy;
        unsigned lease_retries;
        json_t *lease; /* owned: the Lease as last written or read, or NULL */
};

static void node_free(struct kl_agent_node *n)
{
        free(n->name);
        free(n->hostname);
        kl_strv_free(n->node_ips);
        free(n->data_dir);
        free(n->kubelet_version);
        free(n->runtime_version);
        free(n->not_ready);
        json_decref(n->labels);
        json_decref(n->taints);
        kl_agent__host_release(&n->host);
        free(n->uid);
        json_decref(n->lease);
        free(n);
}

static struct kl_agent_node *node_ref(struct kl_agent_node *n)
{
        n->refs++;
        return n;
}

static void node_unref(struct kl_agent_node *n)
{
        kl_assert(n->refs > 0);
        if (--n->refs == 0 && n->pending_closes == 0)
                node_free(n);
}

static void on_timer_closed(uv_handle_t *h)
{
        struct kl_agent_node *n = h->data;

        kl_assert(n->pending_closes > 0);
        if (--n->pending_closes == 0 && n->refs == 0)
                node_free(n);
}

static json_t *micro_now(void)
{
        char buf[KL_RFC3339_MAX];

        return json_string(
                kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_MICRO, buf, sizeof(buf)));
}

static const char *meta_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

static void remember_uid(struct kl_agent_node *n, const json_t *node)
{
        const char *uid = meta_str(node, "uid");

        if (uid && !kl_streq_null(n->uid, uid)) {
                free(n->uid);
                n->uid = kl_strdup(uid);
        }
}

/* ------------------------------------------------------------------------- */
/* Status */

static void status_tick(struct kl_agent_node *n);

static void status_done(struct kl_agent_node *n)
{
        n->status_busy = false;
        n->status_retries = 0;
        if (n->status_again) {
                n->status_again = false;
                status_tick(n);
        }
}

static json_t *current_status(struct kl_agent_node *n, const json_t *old)
{
        struct kl_agent_images *imgs = NULL;
        json_auto_t *images = NULL;
        struct kl_agent__facts f = {
                .node_name = n->name,
                .hostname = n->hostname,
                .node_ips = (const char *const *)n->node_ips,
                .kubelet_version = n->kubelet_version,
                .kubelet_port = n->kubelet_port,
                .runtime_version = n->runtime_version,
                .machine_id = n->host.machine_id,
                .system_uuid = n->host.system_uuid,
                .boot_id = n->host.boot_id,
                .kernel_version = n->host.kernel_version,
                .os_image = n->host.os_image,
                .arch = n->host.arch,
                .not_ready = n->not_ready,
        };

        kl_agent__facts_read(&f, n->data_dir);
        if (n->images) {
                imgs = kl_agent__images_new();
                n->images(n->images_arg, imgs);
                images = kl_agent__images_json(imgs);
                kl_agent__images_free(imgs);
                f.images = images;
        }
        return kl_agent__node_status(&f, old, kl_now_realtime());
}

static void on_status_written(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;

        if (n->stopped) {
                node_unref(n);
                return;
        }
        if (r == 0) {
                remember_uid(n, obj);
                n->reported = true;
                n->last_report = uv_now(n->loop);
                status_done(n);
        } else if (r == -KL_ECONFLICT && ++n->status_retries < MAX_RETRIES) {
                n->status_busy = false;
                status_tick(n);
        } else if (r == -ENOENT) {
                n->registered = false;
                status_done(n);
                status_tick(n);
        } else {
                kl_log_warn(KL_LOG_AGENT, "update status of node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                status_done(n);
        }
        node_unref(n);
}

/* The Node as the API has it: write its status if it is due. */
static void sync_status(struct kl_agent_node *n, const json_t *node)
{
        const json_t *old = json_object_get(node, "status");
        json_auto_t *status = current_status(n, old);
        json_t *copy;

        remember_uid(n, node);
        if (n->reported && !kl_agent__status_changed(old, status) &&
            uv_now(n->loop) - n->last_report < n->status_report / KL_USEC_PER_MSEC) {
                status_done(n);
                return;
        }
        copy = json_deep_copy(node);
        (void)json_object_set_new(copy, "status", KL_TAKE_PTR(status));
        kl_client_update(n->client, n->nodes, NULL, n->name, "status", copy, NULL,
                         on_status_written, node_ref(n));
}

static void on_node_got(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;
        json_auto_t *node = obj;

        if (n->stopped) {
                node_unref(n);
                return;
        }
        if (r == 0) {
                sync_status(n, node);
        } else if (r == -ENOENT) {
                /*
                 * Deleted under us. Upstream's kubelet registers only at
                 * start; registering again is what a restart would do.
                 */
                kl_log_info(KL_LOG_AGENT, "node '%s' is gone, registering it again", n->name);
                n->registered = false;
                status_done(n);
                status_tick(n);
        } else {
                kl_log_warn(KL_LOG_AGENT, "get node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                status_done(n);
        }
        node_unref(n);
}

/*
 * Registered: `created` when our create made the Node, whose status is then
 * already ours; an adopted Node's status is an older run's and is written.
 */
static void registered(struct kl_agent_node *n, const json_t *node, bool created)
{
        if (!n->registered)
                kl_log_info(KL_LOG_AGENT, "node '%s' registered", n->name);
        n->registered = true;
        n->reported = created &&
                      json_is_array(json_object_get(json_object_get(node, "status"), "conditions"));
        n->last_report = uv_now(n->loop);
        sync_status(n, node);
}

static void on_labels_written(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;

        if (n->stopped) {
                node_unref(n);
                return;
        }
        if (r == 0) {
                registered(n, obj, false);
        } else if (r == -KL_ECONFLICT && ++n->status_retries < MAX_RETRIES) {
                n->status_busy = false;
                status_tick(n);
        } else {
                kl_log_warn(KL_LOG_AGENT, "update labels of node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                status_done(n);
        }
        node_unref(n);
}

/*
 * An existing Node with our name: adopt it with our labels merged over its
 * own (ours win), as the kubelet reconciles its default labels. Its taints
 * are the cluster's now and stay as they are, as upstream.
 */
static void on_existing_got(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;
        json_auto_t *node = obj;
        json_t *meta, *labels;
        const char *key;
        json_t *value;
        bool changed = false;

        if (n->stopped) {
                node_unref(n);
                return;
        }
        if (r < 0) {
                kl_log_warn(KL_LOG_AGENT, "get existing node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                status_done(n);
                node_unref(n);
                return;
        }
        meta = json_object_get(node, "metadata");
        labels = json_object_get(meta, "labels");
        if (!json_is_object(labels)) {
                labels = json_object();
                (void)json_object_set_new(meta, "labels", labels);
        }
        json_object_foreach(n->labels, key, value) {
                if (!json_equal(json_object_get(labels, key), value)) {
                        (void)json_object_set(labels, key, value);
                        changed = true;
                }
        }
        if (changed)
                kl_client_update(n->client, n->nodes, NULL, n->name, NULL, KL_TAKE_PTR(node), NULL,
                                 on_labels_written, node_ref(n));
        else
                registered(n, node, false);
        node_unref(n);
}

static void on_node_created(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;

        if (n->stopped) {
                node_unref(n);
                return;
        }
        if (r == 0) {
                registered(n, obj, true);
        } else if (r == -EEXIST) {
                kl_client_get(n->client, n->nodes, NULL, n->name, on_existing_got, node_ref(n));
        } else {
                kl_log_warn(KL_LOG_AGENT, "register node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                status_done(n);
        }
        node_unref(n);
}

static json_t *initial_node(struct kl_agent_node *n)
{
        json_auto_t *status = current_status(n, NULL);
        json_t *node = json_pack("{s:s, s:s, s:{s:s, s:O, s:{s:s}}, s:{}}", "apiVersion", "v1",
                                 "kind", "Node", "metadata", "name", n->name, "labels", n->labels,
                                 "annotations", CMAD_ANNOTATION, "true", "spec");

        if (json_array_size(n->taints) > 0)
                (void)json_object_set(json_object_get(node, "spec"), "taints", n->taints);
        (void)json_object_set_new(node, "status", KL_TAKE_PTR(status));
        return node;
}

static void status_tick(struct kl_agent_node *n)
{
        if (n->stopped || n->status_busy)
                return;
        n->status_busy = true;
        if (!n->registered)
                kl_client_create(n->client, n->nodes, NULL, initial_node(n), NULL, on_node_created,
                                 node_ref(n));
        else
                kl_client_get(n->client, n->nodes, NULL, n->name, on_node_got, node_ref(n));
}

void kl_agent_node_set_not_ready(struct kl_agent_node *n, const char *why)
{
        if (kl_streq_null(n->not_ready, why))
                return;
        free(n->not_ready);
        n->not_ready = why ? kl_strdup(why) : NULL;
        if (n->status_busy)
                n->status_again = true;
        else
                status_tick(n);
}

static void on_status_timer(uv_timer_t *t)
{
        struct kl_agent_node *n = kl_container_of(t, struct kl_agent_node, status_timer);

        n->status_retries = 0;
        status_tick(n);
}

/* ------------------------------------------------------------------------- */
/* Lease */

static void lease_tick(struct kl_agent_node *n);

/* Upstream's setNodeOwnerFunc: the Node owns its Lease, so GC removes it with the Node. */
static void set_owner(struct kl_agent_node *n, json_t *lease)
{
        json_t *meta = json_object_get(lease, "metadata");

        if (!n->uid || json_array_size(json_object_get(meta, "ownerReferences")) > 0)
                return;
        (void)json_object_set_new(meta, "ownerReferences",
                                  json_pack("[{s:s, s:s, s:s, s:s}]", "apiVersion", "v1", "kind",
                                            "Node", "name", n->name, "uid", n->uid));
}

static void on_lease_written(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;

        if (n->stopped) {
                node_unref(n);
                return;
        }
        n->lease_busy = false;
        if (r == 0) {
                json_decref(n->lease);
                n->lease = json_deep_copy(obj);
                n->lease_retries = 0;
        } else if ((r == -KL_ECONFLICT || r == -ENOENT || r == -EEXIST) &&
                   ++n->lease_retries < MAX_RETRIES) {
                json_decref(n->lease);
                n->lease = NULL;
                lease_tick(n);
        } else {
                kl_log_warn(KL_LOG_AGENT, "renew lease of node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                json_decref(n->lease);
                n->lease = NULL;
                n->lease_retries = 0;
        }
        node_unref(n);
}

static void lease_renew(struct kl_agent_node *n)
{
        json_t *copy = json_deep_copy(n->lease);
        json_t *spec = json_object_get(copy, "spec");

        if (!json_is_object(spec)) {
                spec = json_object();
                (void)json_object_set_new(copy, "spec", spec);
        }
        (void)json_object_set_new(spec, "holderIdentity", json_string(n->name));
        (void)json_object_set_new(spec, "leaseDurationSeconds",
                                  json_integer((json_int_t)n->lease_duration));
        (void)json_object_set_new(spec, "renewTime", micro_now());
        set_owner(n, copy);
        kl_client_update(n->client, n->leases, LEASE_NS, n->name, NULL, copy, NULL,
                         on_lease_written, node_ref(n));
}

static void on_lease_got(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct kl_agent_node *n = arg;
        json_t *lease;

        if (n->stopped) {
                json_decref(obj);
                node_unref(n);
                return;
        }
        if (r == 0) {
                json_decref(n->lease);
                n->lease = obj;
                lease_renew(n);
        } else if (r == -ENOENT) {
                lease = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:I, s:o}}", "apiVersion",
                                  "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name",
                                  n->name, "namespace", LEASE_NS, "spec", "holderIdentity", n->name,
                                  "leaseDurationSeconds", (json_int_t)n->lease_duration,
                                  "renewTime", micro_now());
                set_owner(n, lease);
                kl_client_create(n->client, n->leases, LEASE_NS, lease, NULL, on_lease_written,
                                 node_ref(n));
        } else {
                kl_log_warn(KL_LOG_AGENT, "get lease of node '%s': %s, will retry", n->name,
                            kl_err_msg(err));
                n->lease_busy = false;
        }
        node_unref(n);
}

static void lease_tick(struct kl_agent_node *n)
{
        if (n->stopped || n->lease_busy)
                return;
        n->lease_busy = true;
        if (n->lease)
                lease_renew(n);
        else
                kl_client_get(n->client, n->leases, LEASE_NS, n->name, on_lease_got, node_ref(n));
}

static void on_lease_timer(uv_timer_t *t)
{
        struct kl_agent_node *n = kl_container_of(t, struct kl_agent_node, lease_timer);

        n->lease_retries = 0;
        lease_tick(n);
}

/* ------------------------------------------------------------------------- */
/* Start and stop */

static int set_labels(struct kl_agent_node *n, const char *const *flags, struct kl_err **err)
{
        n->labels =
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "beta.kubernetes.io/arch", n->host.arch,
                          "beta.kubernetes.io/os", "linux", "kubernetes.io/arch", n->host.arch,
                          "kubernetes.io/hostname", n->hostname, "kubernetes.io/os", "linux",
                          "node.kubernetes.io/instance-type", "kube-lite");
        for (size_t i = 0; flags && flags[i]; i++) {
                kl_autofree char *key = NULL, *value = NULL;
                int r = kl_agent__parse_label(flags[i], &key, &value, err);

                if (r < 0)
                        return r;
                (void)json_object_set_new(n->labels, key, json_string(value));
        }
        return 0;
}

static int set_taints(struct kl_agent_node *n, const char *const *flags, struct kl_err **err)
{
        /*
         * The kubelet registers with not-ready:NoSchedule; the node lifecycle
         * controller takes it off once the node is Ready.
         */
        n->taints = json_pack("[{s:s, s:s}]", "key", "node.kubernetes.io/not-ready", "effect",
                              "NoSchedule");
        for (size_t i = 0; flags && flags[i]; i++) {
                json_t *taint = NULL;
                int r = kl_agent__parse_taint(flags[i], &taint, err);

                if (r < 0)
                        return r;
                (void)json_array_append_new(n->taints, taint);
        }
        return 0;
}

KL_DEFINE_CLEANUP_FUNC(struct kl_agent_node, node_free);

int kl_agent_node_start(struct kl_client *client, const struct kl_agent_node_options *opts,
                        struct kl_agent_node **ret, struct kl_err **err)
{
        kl_cleanup(node_freep) struct kl_agent_node *n = NULL;
        int r;

        kl_loop_assert_loop_thread(client->loop);
        if (kl_isempty(opts->node_name))
                return kl_err_set(err, -EINVAL, "node name is required");
        if (kl_isempty(opts->data_dir))
                return kl_err_set(err, -EINVAL, "data directory is required");
        if (kl_isempty(opts->version))
                return kl_err_set(err, -EINVAL, "kube-lite version is required");
        {
                kl_autostrv char **msgs = NULL;

                if (kl_api_validate_dns1123_subdomain(opts->node_name, &msgs) > 0)
                        return kl_err_set(err, -EINVAL, "invalid node name '%s': %s",
                                          opts->node_name, msgs[0]);
        }

        n = kl_new0(struct kl_agent_node);
        n->client = client;
        n->loop = client->loop;
        n->nodes = kl_api_resource_find("", "v1", "nodes");
        n->leases = kl_api_resource_find("coordination.k8s.io", "v1", "leases");
        kl_assert(n->nodes && n->leases);
        n->name = kl_strdup(opts->node_name);
        n->hostname = kl_strdup(kl_isempty(opts->hostname) ? opts->node_name : opts->hostname);
        n->node_ips = kl_strv_copy((char *const *)opts->node_ips);
        n->data_dir = kl_strdup(opts->data_dir);
        n->kubelet_version = kl_strdup(opts->kubelet_version ?: KL_AGENT_KUBELET_VERSION);
        n->kubelet_port = opts->kubelet_port;
        n->not_ready = opts->not_ready ? kl_strdup(opts->not_ready) : NULL;
        n->runtime_version = kl_asprintf("kube-lite://%s", opts->version);
        n->status_period = opts->status_period ?: 10 * KL_USEC_PER_SEC;
        n->status_report = opts->status_report ?: 5 * KL_USEC_PER_MIN;
        n->lease_renew = opts->lease_renew ?: 10 * KL_USEC_PER_SEC;
        n->lease_duration = opts->lease_duration > 0 ? opts->lease_duration : 40;
        n->images = opts->images;
        n->images_arg = opts->images_arg;
        kl_agent__host_read(&n->host);
        r = set_labels(n, opts->labels, err);
        if (r < 0)
                return r;
        r = set_taints(n, opts->taints, err);
        if (r < 0)
                return r;

        kl_assert(uv_timer_init(n->loop, &n->status_timer) == 0);
        kl_assert(uv_timer_init(n->loop, &n->lease_timer) == 0);
        n->status_timer.data = n->lease_timer.data = n;
        n->refs = 1;
        /* Due at once, then every period: uv_timer_start counts in milliseconds. */
        (void)uv_timer_start(&n->status_timer, on_status_timer, 0,
                             KL_MAX(n->status_period / KL_USEC_PER_MSEC, 1));
        (void)uv_timer_start(&n->lease_timer, on_lease_timer, 0,
                             KL_MAX(n->lease_renew / KL_USEC_PER_MSEC, 1));
        *ret = KL_TAKE_PTR(n);
        return 0;
}

void kl_agent_node_stop(struct kl_agent_node *n)
{
        if (!n)
                return;
        kl_assert(!n->stopped);
        n->stopped = true;
        n->pending_closes = 2;
        (void)uv_timer_stop(&n->status_timer);
        (void)uv_timer_stop(&n->lease_timer);
        uv_close((uv_handle_t *)&n->status_timer, on_timer_closed);
        uv_close((uv_handle_t *)&n->lease_timer, on_timer_closed);
        node_unref(n);
}

bool kl_agent_node_is_registered(const struct kl_agent_node *n)
{
        return n->registered;
}
