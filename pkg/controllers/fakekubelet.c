/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated nodes (controllers.h, `fake_nodes`): what kwok does for
 * upstream. Each simulated node is a Node object with capacity and a Ready
 * condition whose Lease is renewed every 10 s, and whose "kubelet" moves the
 * pods bound to it through their lifecycle without running anything:
 *
 *   Pending   -> Running, every container running and ready, pod Ready,
 *                a pod IP from 10.42.<node>.0/24 (the node's podCIDR);
 *   Running   -> after 1 s, for restartPolicy Never and OnFailure pods:
 *                Succeeded, or with annotation kube-lite.io/fake-exit-code
 *                non-zero, Failed (Never) or a restart (OnFailure), as the
 *                kubelet reports a container that exited;
 *   deleting  -> removed with a zero grace period, as the kubelet confirms
 *                a pod it has stopped.
 *
 * A node annotated kube-lite.io/fake-kubelet=stopped behaves as a dead
 * kubelet: its Lease is no longer renewed and its pods are left alone, so
 * the node lifecycle controller marks it NotReady and evicts them.
 *
 * Keys: "node:<name>" and "pod:<ns>/<name>".
 */
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define FAKE_EXIT_CODE "kube-lite.io/fake-exit-code"
#define FAKE_KUBELET   "kube-lite.io/fake-kubelet"
#define LEASE_NS       "kube-node-lease"
#define LEASE_RENEW    (10 * KL_USEC_PER_SEC)
#define RUN_TIME       (1 * KL_USEC_PER_SEC)

static const char *annotation(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(
                json_object_get(json_object_get(obj, "metadata"), "annotations"), key));
}

unsigned kl_controllers__fake_node_index(const struct kl_controllers_options *opts,
                                         const char *name)
{
        const char *p = name ? kl_startswith(name, opts->fake_node_prefix) : NULL;
        uint64_t i;

        if (!p || *p != '-' || kl_parse_uint64(p + 1, &i) < 0 || i == 0 || i > opts->fake_nodes)
                return 0;
        return (unsigned)i;
}

static json_t *micro_time(kl_usec_t t)
{
        char buf[KL_RFC3339_MAX];

        return json_string(kl_rfc3339_format(t, KL_RFC3339_MICRO, buf, sizeof(buf)));
}

static json_t *node_status(const char *name, unsigned index, kl_usec_t now)
{
        json_t *status = json_pack(
                "{s:{s:s, s:s, s:s, s:s}, s:[{s:s, s:s}, {s:s, s:s}],"
                " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
                "capacity", "cpu", "4", "memory", "8Gi", "pods", "110", "ephemeral-storage",
                "100Gi", "addresses", "type", "InternalIP", "address", "", "type", "Hostname",
                "address", name, "nodeInfo", "architecture", "amd64", "operatingSystem", "linux",
                "osImage", "kube-lite simulated node", "kernelVersion", "simulated",
                "kubeletVersion", "v1.32.0-kube-lite", "kubeProxyVersion", "",
                "containerRuntimeVersion", "kube-lite://simulated", "machineID", "");
        static const struct {
                const char *type, *status, *reason, *message;
        } conds[] = {
                { "MemoryPressure", "False", "KubeletHasSufficientMemory",
                  "kubelet has sufficient memory available" },
                { "DiskPressure", "False", "KubeletHasNoDiskPressure",
                  "kubelet has no disk pressure" },
                { "PIDPressure", "False", "KubeletHasSufficientPID",
                  "kubelet has sufficient PID available" },
                { "Ready", "True", "KubeletReady", "kubelet is posting ready status" },
        };
        json_t *list = json_array();

        json_object_set(status, "allocatable", json_object_get(status, "capacity"));
        json_object_set_new(json_array_get(json_object_get(status, "addresses"), 0), "address",
                            json_sprintf("10.0.%u.%u", index / 250, index % 250 + 1));
        for (size_t i = 0; i < KL_ARRAY_SIZE(conds); i++)
                json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "type",
                                                      conds[i].type, "status", conds[i].status,
                                                      "lastHeartbeatTime", kl_ctrl_time_json(now),
                                                      "lastTransitionTime", kl_ctrl_time_json(now),
                                                      "reason", conds[i].reason, "message",
                                                      conds[i].message));
        json_object_set_new(status, "conditions", list);
        return status;
}

void kl_controllers__fake_node_reconcile(const char *name, unsigned index, const json_t *node,
                                         const json_t *lease, kl_usec_t now,
                                         struct kl_ctrl_actions *out, kl_usec_t *requeue_after)
{
        const struct kl_api_resource *leases = kl_ctrl_res("coordination.k8s.io", "leases");
        const json_t *ready;
        json_t *copy;
        kl_usec_t renewed;

        if (!node) {
                kl_ctrl_create(out, kl_ctrl_res("", "nodes"), NULL,
                               json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}, s:{s:s}},"
                                         " s:{s:o}}",
                                         "apiVersion", "v1", "kind", "Node", "metadata", "name",
                                         name, "labels", "kubernetes.io/hostname", name,
                                         "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64",
                                         "annotations", FAKE_KUBELET, "running", "spec", "podCIDR",
                                         json_sprintf("10.42.%u.0/24", index % 256)));
                return;
        }
        if (kl_streq_null(annotation(node, FAKE_KUBELET), "stopped"))
                return;

        ready = kl_ctrl_get_condition(node, "Ready");
        if (!ready || !kl_streq_null(json_string_value(json_object_get(ready, "status")), "True")) {
                copy = json_deep_copy(node);
                json_object_set_new(copy, "status", node_status(name, index, now));
                kl_ctrl_update(out, kl_ctrl_res("", "nodes"), NULL, name, "status", copy);
        }

        if (!lease) {
                kl_ctrl_create(out, leases, LEASE_NS,
                               json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:i, s:o, s:o}}",
                                         "apiVersion", "coordination.k8s.io/v1", "kind", "Lease",
                                         "metadata", "name", name, "namespace", LEASE_NS, "spec",
                                         "holderIdentity", name, "leaseDurationSeconds", 40,
                                         "acquireTime", micro_time(now), "renewTime",
                                         micro_time(now)));
                *requeue_after = LEASE_RENEW;
                return;
        }
        renewed = kl_ctrl_time(json_object_get(json_object_get(lease, "spec"), "renewTime"));
        if (renewed + LEASE_RENEW <= now) {
                copy = json_deep_copy(lease);
                json_object_set_new(json_object_get(copy, "spec"), "renewTime", micro_time(now));
                kl_ctrl_update(out, leases, LEASE_NS, name, NULL, copy);
                *requeue_after = LEASE_RENEW;
        } else {
                *requeue_after = renewed + LEASE_RENEW - now;
        }
}

static json_t *container_statuses(const json_t *pod, const json_t *state, bool ready, int restarts)
{
        json_t *list = json_array(), *c;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(pod, "spec"), "containers"), i, c) {
                const char *name = json_string_value(json_object_get(c, "name"));

                json_array_append_new(
                        list, json_pack("{s:s?, s:O?, s:s, s:s, s:b, s:b, s:i, s:O}", "name", name,
                                        "image", json_object_get(c, "image"), "imageID", "",
                                        "containerID", "", "ready", ready, "started", ready,
                                        "restartCount", restarts, "state", state));
                json_object_set_new(json_array_get(list, i), "containerID",
                                    json_sprintf("kube-lite://%s-%s",
                                                 kl_ctrl_meta_str(pod, "uid") ?: "", name ?: ""));
        }
        json_decref((json_t *)state);
        return list;
}

static void set_pod_conditions(json_t *status, bool ready, const char *reason, kl_usec_t now)
{
        static const char *const always[] = { "PodReadyToStartContainers", "Initialized",
                                              "PodScheduled" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(always); i++)
                kl_ctrl_set_condition(status, always[i], "True", NULL, NULL, now);
        kl_ctrl_set_condition(status, "ContainersReady", ready ? "True" : "False", reason, NULL,
                              now);
        kl_ctrl_set_condition(status, "Ready", ready ? "True" : "False", reason, NULL, now);
}

/* A stable address in the node's /24 from the pod's uid (simulated: no IPAM). */
static json_t *pod_ip(const json_t *pod, unsigned node_index)
{
        const char *uid = kl_ctrl_meta_str(pod, "uid") ?: "";
        uint32_t h = 2166136261u;

        for (const char *p = uid; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
        return json_sprintf("10.42.%u.%u", node_index % 256, h % 253 + 2);
}

void kl_controllers__fake_pod_reconcile(const json_t *pod, unsigned node_index, kl_usec_t now,
                                        struct kl_ctrl_actions *out, kl_usec_t *requeue_after)
{
        const struct kl_api_resource *pods = kl_ctrl_res("", "pods");
        const char *ns = kl_ctrl_meta_str(pod, "namespace"), *name = kl_ctrl_meta_str(pod, "name");
        const json_t *status = json_object_get(pod, "status");
        const char *phase = json_string_value(json_object_get(status, "phase"));
        const char *policy =
                json_string_value(json_object_get(json_object_get(pod, "spec"), "restartPolicy"));
        json_t *copy, *st;
        kl_usec_t started;

        if (kl_ctrl_is_deleting(pod)) {
                kl_ctrl_delete(out, pods, ns, name,
                               json_pack("{s:s, s:s, s:i, s:{s:s?}}", "apiVersion", "v1", "kind",
                                         "DeleteOptions", "gracePeriodSeconds", 0, "preconditions",
                                         "uid", kl_ctrl_meta_str(pod, "uid")));
                return;
        }
        if (kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed"))
                return;

        copy = json_deep_copy(pod);
        st = json_object_get(copy, "status");
        if (!json_is_object(st)) {
                st = json_object();
                json_object_set_new(copy, "status", st);
        }
        if (!kl_streq_null(phase, "Running")) {
                json_t *ip = pod_ip(pod, node_index);

                json_object_set_new(st, "phase", json_string("Running"));
                json_object_set_new(
                        st, "hostIP",
                        json_sprintf("10.0.%u.%u", node_index / 250, node_index % 250 + 1));
                json_object_set(st, "podIP", ip);
                json_object_set_new(st, "podIPs", json_pack("[{s:o}]", "ip", ip));
                json_object_set_new(st, "startTime", kl_ctrl_time_json(now));
                json_object_set_new(st, "qosClass", json_string("BestEffort"));
                set_pod_conditions(st, true, NULL, now);
                json_object_set_new(
                        st, "containerStatuses",
                        container_statuses(pod,
                                           json_pack("{s:{s:o}}", "running", "startedAt",
                                                     kl_ctrl_time_json(now)),
                                           true, 0));
                kl_ctrl_update(out, pods, ns, name, "status", copy);
                kl_ctrl_event(out, pod, "Normal", "Started", "Started simulated containers");
                if (!kl_streq_null(policy, "Always") && policy)
                        *requeue_after = RUN_TIME;
                return;
        }

        if (!policy || kl_streq(policy, "Always")) {
                json_decref(copy);
                return;
        }
        started = kl_ctrl_time(json_object_get(status, "startTime"));
        if (started + RUN_TIME > now) {
                *requeue_after = started + RUN_TIME - now;
                json_decref(copy);
                return;
        }

        {
                const char *code_text = annotation(pod, FAKE_EXIT_CODE);
                int64_t code = 0;
                json_t *term;

                if (code_text && kl_parse_int64(code_text, &code) < 0)
                        code = 1;
                term = json_pack("{s:{s:I, s:s, s:O?, s:o}}", "terminated", "exitCode",
                                 (json_int_t)code, "reason", code == 0 ? "Completed" : "Error",
                                 "startedAt", json_object_get(status, "startTime"), "finishedAt",
                                 kl_ctrl_time_json(now));
                if (code != 0 && kl_streq(policy, "OnFailure")) {
                        /* The kubelet restarts the container in place. */
                        const json_t *cs0 =
                                json_array_get(json_object_get(status, "containerStatuses"), 0);
                        int restarts =
                                (int)json_integer_value(json_object_get(cs0, "restartCount"));

                        json_object_set_new(st, "startTime", kl_ctrl_time_json(now));
                        json_object_set_new(
                                st, "containerStatuses",
                                container_statuses(pod,
                                                   json_pack("{s:{s:o}}", "running", "startedAt",
                                                             kl_ctrl_time_json(now)),
                                                   true, restarts + 1));
                        json_decref(term);
                        *requeue_after = RUN_TIME;
                } else {
                        json_object_set_new(st, "phase",
                                            json_string(code == 0 ? "Succeeded" : "Failed"));
                        set_pod_conditions(st, false, "PodCompleted", now);
                        json_object_set_new(st, "containerStatuses",
                                            container_statuses(pod, term, false, 0));
                }
        }
        kl_ctrl_update(out, pods, ns, name, "status", copy);
}

static bool kubelet_running(const json_t *node)
{
        return node && !kl_streq_null(annotation(node, FAKE_KUBELET), "stopped");
}

/*
 * Whether a node event starts its kubelet: the node was created, or its
 * kubelet came back. Pods bound to a node before it existed (a template
 * naming the node, a scheduler faster than the node's first write) were
 * skipped by their sync, as a kubelet that has not registered sees no pods.
 */
static bool kubelet_started(const json_t *old, const json_t *obj)
{
        return kubelet_running(obj) && !kubelet_running(old);
}

static void enqueue_pod(struct kl_ctrl *c, const json_t *pod)
{
        kl_autofree char *key = kl_asprintf("pod:%s/%s", kl_ctrl_meta_str(pod, "namespace"),
                                            kl_ctrl_meta_str(pod, "name"));

        kl_ctrl_enqueue(c, key);
}

/* Queue the pods bound to `node`, as a kubelet picks up its pods when it starts. */
static void enqueue_bound_pods(struct kl_ctrl *c, const char *node)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };

        kl_informer_by_index(kl_ctrl_informer_of(c, KL_CTRL_INF_PODS), KL_INDEX_NODE, node, &pods);
        for (size_t k = 0; k < pods.n; k++)
                enqueue_pod(c, pods.items[k]);
}

static void fake_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                         const json_t *obj)
{
        const struct kl_controllers_options *opts = kl_ctrl_options(c);
        const json_t *o = obj ? obj : old;

        if (i == KL_CTRL_INF_NODES) {
                kl_autofree char *key = NULL;

                if (!kl_controllers__fake_node_index(opts, kl_ctrl_meta_str(o, "name")))
                        return;
                key = kl_asprintf("node:%s", kl_ctrl_meta_str(o, "name"));
                kl_ctrl_enqueue(c, key);
                if (kubelet_started(old, obj))
                        enqueue_bound_pods(c, kl_ctrl_meta_str(obj, "name"));
        } else if (obj &&
                   kl_controllers__fake_node_index(opts, kl_ctrl_dig_str(obj, "spec.nodeName"))) {
                enqueue_pod(c, obj);
        }
}

static void fake_start(struct kl_ctrl *c)
{
        const struct kl_controllers_options *opts = kl_ctrl_options(c);

        for (unsigned i = 1; i <= opts->fake_nodes; i++) {
                kl_autofree char *key = kl_asprintf("node:%s-%u", opts->fake_node_prefix, i);

                kl_ctrl_enqueue(c, key);
        }
}

static int fake_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                     kl_usec_t *requeue_after, struct kl_err **err)
{
        const char *rest;

        (void)err;
        if ((rest = kl_startswith(key, "node:"))) {
                unsigned index = kl_controllers__fake_node_index(env->opts, rest);

                if (index == 0)
                        return 0;
                kl_controllers__fake_node_reconcile(
                        rest, index,
                        kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_NODES), NULL, rest),
                        kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_LEASES), LEASE_NS, rest),
                        env->now, out, requeue_after);
        } else if ((rest = kl_startswith(key, "pod:"))) {
                const json_t *pod =
                        kl_informer_get_key(kl_ctrl_informer(env, KL_CTRL_INF_PODS), rest);
                const char *node_name;
                const json_t *node;
                unsigned index;

                if (!pod)
                        return 0;
                node_name = json_string_value(
                        json_object_get(json_object_get(pod, "spec"), "nodeName"));
                index = kl_controllers__fake_node_index(env->opts, node_name);
                node = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_NODES), NULL, node_name);
                if (index == 0 || !kubelet_running(node))
                        return 0;
                kl_controllers__fake_pod_reconcile(pod, index, env->now, out, requeue_after);
        }
        return 0;
}

static const enum kl_ctrl_inf watched[] = { KL_CTRL_INF_NODES, KL_CTRL_INF_PODS,
                                            KL_CTRL_INF__COUNT };
static const enum kl_ctrl_inf read_only[] = { KL_CTRL_INF_LEASES, KL_CTRL_INF__COUNT };

const struct kl_ctrl_def kl_ctrl_fakekubelet = {
        .name = "fakekubelet",
        .user = "system:node:kubelet",
        .watches = watched,
        .reads = read_only,
        .enqueue = fake_enqueue,
        .sync = fake_sync,
        .start = fake_start,
};
