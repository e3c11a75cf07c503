/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the Endpoints and EndpointSlice controllers share (ctrl-internal.h):
 * which pods a Service selects and publishes, the pod's port for a Service
 * port, hostnames of headless Services, the trigger-time annotation, and
 * which pod updates matter. Upstream: k8s.io/endpointslice/util and
 * podutil.FindPort. Pure functions of their arguments.
 */
#include <string.h>

#include "controllers/ctrl-internal.h"

static const json_t *field(const json_t *obj, const char *a, const char *b)
{
        return json_object_get(json_object_get(obj, a), b);
}

static const char *field_str(const json_t *obj, const char *a, const char *b)
{
        return json_string_value(field(obj, a, b));
}

const json_t *kl_controllers__ep_selector(const json_t *svc)
{
        const json_t *sel = field(svc, "spec", "selector");

        /* An empty map does not survive storage upstream: it is "no selector". */
        return json_is_object(sel) && json_object_size(sel) > 0 ? sel : NULL;
}

bool kl_controllers__ep_selects(const json_t *selector, const json_t *pod)
{
        const json_t *labels = field(pod, "metadata", "labels");
        const char *k;
        json_t *v;

        if (!selector)
                return false;
        json_object_foreach((json_t *)selector, k, v) {
                const char *have = json_string_value(json_object_get(labels, k));

                if (!have || !kl_streq_null(json_string_value(v), have))
                        return false;
        }
        return true;
}

size_t kl_controllers__ep_pod_ips(const json_t *pod, const char **ips, size_t max)
{
        const json_t *list = field(pod, "status", "podIPs");
        const char *ip;
        size_t i, n = 0;
        json_t *e;

        json_array_foreach(list, i, e) {
                ip = json_string_value(json_object_get(e, "ip"));
                if (!kl_isempty(ip) && n < max)
                        ips[n++] = ip;
        }
        ip = field_str(pod, "status", "podIP");
        if (json_array_size(list) == 0 && !kl_isempty(ip) && n < max)
                ips[n++] = ip;
        return n;
}

bool kl_controllers__ep_pod_included(const json_t *pod, bool include_terminating)
{
        const char *phase = field_str(pod, "status", "phase");
        const char *ip;

        /* Terminal (Succeeded/Failed) is not the same as terminating (being deleted). */
        if (kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed"))
                return false;
        if (kl_controllers__ep_pod_ips(pod, &ip, 1) == 0)
                return false;
        return include_terminating || !kl_ctrl_is_deleting(pod);
}

static bool find_named(const json_t *containers, bool sidecars_only, const char *name,
                       const char *proto, int64_t *ret)
{
        size_t i, j;
        json_t *c, *p;

        json_array_foreach(containers, i, c) {
                if (sidecars_only &&
                    !kl_streq_null(json_string_value(json_object_get(c, "restartPolicy")),
                                   "Always"))
                        continue;
                json_array_foreach(json_object_get(c, "ports"), j, p) {
                        const char *pproto = json_string_value(json_object_get(p, "protocol"));

                        if (!kl_streq_null(json_string_value(json_object_get(p, "name")), name))
                                continue;
                        if (!kl_streq(pproto ? pproto : "TCP", proto))
                                continue;
                        if (!json_is_integer(json_object_get(p, "containerPort")))
                                continue;
                        *ret = json_integer_value(json_object_get(p, "containerPort"));
                        return true;
                }
        }
        return false;
}

bool kl_controllers__ep_find_port(const json_t *pod, const json_t *svc_port, int64_t *ret)
{
        const json_t *target = json_object_get(svc_port, "targetPort");
        const char *proto = json_string_value(json_object_get(svc_port, "protocol"));
        const json_t *spec = json_object_get(pod, "spec");

        if (!proto)
                proto = "TCP";
        /* The API server defaults targetPort to port. */
        if (!target)
                target = json_object_get(svc_port, "port");
        if (json_is_integer(target)) {
                *ret = json_integer_value(target);
                return true;
        }
        if (!json_is_string(target))
                return false;
        /* Named: the containers' ports, then those of sidecars (restartable init containers). */
        return find_named(json_object_get(spec, "containers"), false, json_string_value(target),
                          proto, ret) ||
               find_named(json_object_get(spec, "initContainers"), true, json_string_value(target),
                          proto, ret);
}

json_t *kl_controllers__ep_pod_ref(const json_t *pod)
{
        /*
         * Once per pod per sync: built member by member, and without
         * jansson's UTF-8 checks, since every string comes from a decoded
         * object already.
         */
        json_t *ref = json_object();
        const char *v;

        json_object_set_new_nocheck(ref, "kind", json_string_nocheck("Pod"));
        if ((v = kl_ctrl_meta_str(pod, "namespace")))
                json_object_set_new_nocheck(ref, "namespace", json_string_nocheck(v));
        if ((v = kl_ctrl_meta_str(pod, "name")))
                json_object_set_new_nocheck(ref, "name", json_string_nocheck(v));
        if ((v = kl_ctrl_meta_str(pod, "uid")))
                json_object_set_new_nocheck(ref, "uid", json_string_nocheck(v));
        return ref;
}

bool kl_controllers__ep_set_hostname(const json_t *pod, const json_t *svc)
{
        const char *hostname = field_str(pod, "spec", "hostname");

        return !kl_isempty(hostname) &&
               kl_streq_null(field_str(pod, "spec", "subdomain"), kl_ctrl_meta_str(svc, "name")) &&
               kl_streq_null(kl_ctrl_meta_str(pod, "namespace"),
                             kl_ctrl_meta_str(svc, "namespace"));
}

bool kl_controllers__ep_service_ip_set(const json_t *svc)
{
        const char *ip = field_str(svc, "spec", "clusterIP");

        return !kl_isempty(ip) && !kl_streq(ip, "None");
}

bool kl_controllers__ep_is_ipv6(const char *ip)
{
        return ip && strchr(ip, ':') != NULL;
}

kl_usec_t kl_controllers__ep_trigger_time(const json_t *svc, const json_t *const *pods,
                                          size_t n_pods)
{
        kl_usec_t t = kl_ctrl_time(field(svc, "metadata", "creationTimestamp"));

        /*
         * Upstream's tracker remembers what it saw at the last sync and
         * reports the earliest unprocessed change. We keep no state between
         * syncs: the latest change that the object reflects is reported.
         */
        for (size_t i = 0; i < n_pods; i++) {
                const json_t *c = kl_ctrl_get_condition(pods[i], "Ready");
                kl_usec_t pt = c ? kl_ctrl_time(json_object_get(c, "lastTransitionTime")) : 0;

                if (pt > t)
                        t = pt;
        }
        return t;
}

/* Equal, or both absent (json_equal() says no to two NULLs). */
static bool same(const json_t *a, const json_t *b)
{
        return (!a && !b) || json_equal(a, b);
}

bool kl_controllers__ep_pod_changed(const json_t *old, const json_t *obj)
{
        static const char *const spec_fields[] = { "nodeName", "hostname", "subdomain" };
        static const char *const status_fields[] = { "podIP", "podIPs", "phase" };
        const json_t *ro, *rn;

        if (!old || !obj)
                return true;
        if (!same(field(old, "metadata", "labels"), field(obj, "metadata", "labels")) ||
            kl_ctrl_is_deleting(old) != kl_ctrl_is_deleting(obj))
                return true;
        for (size_t i = 0; i < KL_ARRAY_SIZE(spec_fields); i++)
                if (!same(field(old, "spec", spec_fields[i]), field(obj, "spec", spec_fields[i])))
                        return true;
        for (size_t i = 0; i < KL_ARRAY_SIZE(status_fields); i++)
                if (!same(field(old, "status", status_fields[i]),
                          field(obj, "status", status_fields[i])))
                        return true;
        ro = kl_ctrl_get_condition(old, "Ready");
        rn = kl_ctrl_get_condition(obj, "Ready");
        return kl_ctrl_pod_is_ready(old) != kl_ctrl_pod_is_ready(obj) ||
               !same(json_object_get(ro, "lastTransitionTime"),
                     json_object_get(rn, "lastTransitionTime"));
}
