/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Upstream's SetDefaults_* for the hand-written kinds (see defaults.h for
 * what else is filled in and why). Each function mirrors one upstream
 * defaulter; the Go tests they mirror are "is the pointer nil" (absent or
 * null here) or "is the value the zero value" (absent, null, "" or 0).
 */
#include <string.h>

#include "api/defaults.h"
#include "base/base.h"
#include "json/json.h"

/*
 * ---------------------------------------------------------------------------
 * Helpers
 */

static bool is_unset(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        return !m || json_is_null(m);
}

/* Go's zero value: absent, null, "", 0 or false. */
static bool is_zero(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        if (!m || json_is_null(m))
                return true;
        if (json_is_string(m))
                return json_string_length(m) == 0;
        if (json_is_integer(m))
                return json_integer_value(m) == 0;
        if (json_is_false(m))
                return true;
        return false;
}

/* Set `key` to `value` (stolen); a failing setter means a bug, not bad input. */
static void set(json_t *o, const char *key, json_t *value)
{
        kl_assert(json_object_set_new(o, key, value) == 0);
}

/* Set when absent or null (a Go nil pointer, map or slice). */
static void set_if_unset(json_t *o, const char *key, json_t *value)
{
        if (is_unset(o, key))
                set(o, key, value);
        else
                json_decref(value);
}

/* Set when the Go value would be its zero value. */
static void set_if_zero(json_t *o, const char *key, json_t *value)
{
        if (is_zero(o, key))
                set(o, key, value);
        else
                json_decref(value);
}

/* The object member `key`, created ({}) when absent or null; NULL when of another type. */
static json_t *ensure_object(json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        if (!m || json_is_null(m)) {
                m = json_object();
                set(o, key, m);
        }
        return json_is_object(m) ? m : NULL;
}

static json_t *obj_member(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        return json_is_object(m) ? m : NULL;
}

static json_t *arr_member(const json_t *o, const char *key)
{
        json_t *m = json_object_get(o, key);

        return json_is_array(m) ? m : NULL;
}

/*
 * ---------------------------------------------------------------------------
 * Pod specs
 */

/*
 * The tag parsers.ParseImageName finds, for SetDefaults_Container: "latest"
 * when the reference has neither tag nor digest, "" when it has only a
 * digest or does not parse (upper case in the repository path, empty).
 */
static bool image_is_latest(const char *image)
{
        const char *at = strchr(image, '@');
        size_t name_len = at ? (size_t)(at - image) : strlen(image);
        const char *slash, *colon = NULL, *path;

        if (name_len == 0)
                return false;
        slash = memrchr(image, '/', name_len);
        path = image;
        /* The first component is a registry host when it has '.' or ':' or is localhost. */
        if (slash) {
                const char *first_end = memchr(image, '/', name_len);
                size_t first_len = (size_t)(first_end - image);

                if (memchr(image, '.', first_len) || memchr(image, ':', first_len) ||
                    (first_len == 9 && memcmp(image, "localhost", 9) == 0))
                        path = first_end + 1;
        }
        for (const char *p = path; p < image + name_len; p++) {
                if (*p >= 'A' && *p <= 'Z' && !(colon && p > colon))
                        return false;
                if (*p == ':' && (!slash || p > slash))
                        colon = p;
        }
        if (colon)
                return (size_t)(image + name_len - colon - 1) == 6 &&
                       memcmp(colon + 1, "latest", 6) == 0;
        return !at;
}

static void defaults_probe(json_t *probe)
{
        json_t *http;

        if (!json_is_object(probe))
                return;
        set_if_zero(probe, "timeoutSeconds", json_integer(1));
        set_if_zero(probe, "periodSeconds", json_integer(10));
        set_if_zero(probe, "successThreshold", json_integer(1));
        set_if_zero(probe, "failureThreshold", json_integer(3));
        if ((http = obj_member(probe, "httpGet"))) {
                set_if_zero(http, "path", json_string("/"));
                set_if_zero(http, "scheme", json_string("HTTP"));
        }
}

static void defaults_lifecycle_handler(json_t *handler)
{
        json_t *http = obj_member(handler, "httpGet");

        if (http) {
                set_if_zero(http, "path", json_string("/"));
                set_if_zero(http, "scheme", json_string("HTTP"));
        }
}

/* SetDefaults_ObjectFieldSelector and the resource field selector's divisor. */
static void defaults_field_refs(json_t *holder)
{
        json_t *ref;

        if ((ref = obj_member(holder, "fieldRef")))
                set_if_zero(ref, "apiVersion", json_string("v1"));
        /* divisor is a non-pointer Quantity: Go serialises its zero value as "0". */
        if ((ref = obj_member(holder, "resourceFieldRef")))
                set_if_unset(ref, "divisor", json_string("0"));
}

static void defaults_container(json_t *c, bool is_pod, bool host_network)
{
        json_t *ports, *p, *env, *e, *res, *lc;
        size_t i;

        if (!json_is_object(c))
                return;
        if (is_zero(c, "imagePullPolicy")) {
                const char *image = json_string_value(json_object_get(c, "image"));

                set(c, "imagePullPolicy",
                    json_string(image && image_is_latest(image) ? "Always" : "IfNotPresent"));
        }
        set_if_zero(c, "terminationMessagePath", json_string("/dev/termination-log"));
        set_if_zero(c, "terminationMessagePolicy", json_string("File"));
        ports = arr_member(c, "ports");
        json_array_foreach(ports, i, p) {
                if (!json_is_object(p))
                        continue;
                set_if_zero(p, "protocol", json_string("TCP"));
                if (host_network && is_zero(p, "hostPort") &&
                    json_is_integer(json_object_get(p, "containerPort")))
                        set(p, "hostPort", json_copy(json_object_get(p, "containerPort")));
        }
        env = arr_member(c, "env");
        json_array_foreach(env, i, e)
                defaults_field_refs(obj_member(e, "valueFrom"));
        res = ensure_object(c, "resources");
        /* Pods (not templates) request what they limit unless told otherwise (SetDefaults_Pod). */
        if (is_pod && res && obj_member(res, "limits")) {
                json_t *limits = obj_member(res, "limits");
                json_t *requests = ensure_object(res, "requests");
                const char *k;
                json_t *v;

                if (requests) {
                        json_object_foreach(limits, k, v) {
                                if (!json_object_get(requests, k))
                                        kl_assert(json_object_set(requests, k, v) == 0);
                        }
                }
        }
        defaults_probe(obj_member(c, "livenessProbe"));
        defaults_probe(obj_member(c, "readinessProbe"));
        defaults_probe(obj_member(c, "startupProbe"));
        if ((lc = obj_member(c, "lifecycle"))) {
                defaults_lifecycle_handler(obj_member(lc, "postStart"));
                defaults_lifecycle_handler(obj_member(lc, "preStop"));
        }
}

static void defaults_downward_items(json_t *items)
{
        json_t *it;
        size_t i;

        json_array_foreach(items, i, it)
                defaults_field_refs(it);
}

/* The members of VolumeSource; a volume with none of them becomes an emptyDir. */
static const char *const volume_sources[] = {
        "hostPath",
        "emptyDir",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "downwardAPI",
        "fc",
        "azureFile",
        "configMap",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "projected",
        "portworxVolume",
        "scaleIO",
        "storageos",
        "csi",
        "ephemeral",
        "image",
        NULL,
};

static void defaults_volume(json_t *vol)
{
        json_t *src, *sources, *s;
        bool any = false;
        size_t i;

        if (!json_is_object(vol))
                return;
        for (i = 0; volume_sources[i]; i++)
                any |= !is_unset(vol, volume_sources[i]);
        if (!any)
                set(vol, "emptyDir", json_object());
        if ((src = obj_member(vol, "secret")))
                set_if_unset(src, "defaultMode", json_integer(0644));
        if ((src = obj_member(vol, "configMap")))
                set_if_unset(src, "defaultMode", json_integer(0644));
        if ((src = obj_member(vol, "hostPath")))
                set_if_unset(src, "type", json_string(""));
        if ((src = obj_member(vol, "downwardAPI"))) {
                set_if_unset(src, "defaultMode", json_integer(0644));
                defaults_downward_items(arr_member(src, "items"));
        }
        if ((src = obj_member(vol, "projected"))) {
                set_if_unset(src, "defaultMode", json_integer(0644));
                sources = arr_member(src, "sources");
                json_array_foreach(sources, i, s) {
                        json_t *sat = obj_member(s, "serviceAccountToken");

                        defaults_downward_items(arr_member(obj_member(s, "downwardAPI"), "items"));
                        if (sat)
                                set_if_unset(sat, "expirationSeconds", json_integer(3600));
                }
        }
        if ((src = obj_member(vol, "iscsi"))) {
                set_if_zero(src, "iscsiInterface", json_string("default"));
        }
}

enum pod_flags {
        POD_IS_POD = 1 << 0, /* a Pod, not a template: the SetDefaults_Pod extras */
};

static void defaults_pod_spec(json_t *spec, unsigned flags)
{
        bool is_pod = flags & POD_IS_POD;
        bool host_network = is_pod && json_is_true(json_object_get(spec, "hostNetwork"));
        json_t *list, *m;
        const char *sa;
        size_t i;

        if (!json_is_object(spec))
                return;
        set_if_zero(spec, "dnsPolicy", json_string("ClusterFirst"));
        set_if_zero(spec, "restartPolicy", json_string("Always"));
        set_if_unset(spec, "securityContext", json_object());
        set_if_unset(spec, "terminationGracePeriodSeconds", json_integer(30));
        set_if_zero(spec, "schedulerName", json_string("default-scheduler"));
        if (is_pod)
                set_if_unset(spec, "enableServiceLinks", json_true());

        /*
         * The v1 conversion fills serviceAccountName from the deprecated
         * serviceAccount and mirrors it back on output; for Pods the
         * ServiceAccount admission plugin picks "default".
         */
        if (is_zero(spec, "serviceAccountName") && !is_zero(spec, "serviceAccount"))
                set(spec, "serviceAccountName", json_copy(json_object_get(spec, "serviceAccount")));
        if (is_pod && is_zero(spec, "serviceAccountName"))
                set(spec, "serviceAccountName", json_string("default"));
        sa = json_string_value(json_object_get(spec, "serviceAccountName"));
        if (sa && *sa)
                set(spec, "serviceAccount", json_string(sa));

        list = arr_member(spec, "initContainers");
        json_array_foreach(list, i, m)
                defaults_container(m, is_pod, host_network);
        list = arr_member(spec, "containers");
        json_array_foreach(list, i, m)
                defaults_container(m, is_pod, host_network);
        list = arr_member(spec, "ephemeralContainers");
        json_array_foreach(list, i, m) {
                if (!json_is_object(m))
                        continue;
                if (is_zero(m, "imagePullPolicy")) {
                        const char *image = json_string_value(json_object_get(m, "image"));

                        set(m, "imagePullPolicy",
                            json_string(image && image_is_latest(image) ? "Always"
                                                                        : "IfNotPresent"));
                }
                set_if_zero(m, "terminationMessagePath", json_string("/dev/termination-log"));
                set_if_zero(m, "terminationMessagePolicy", json_string("File"));
        }
        list = arr_member(spec, "volumes");
        json_array_foreach(list, i, m)
                defaults_volume(m);
}

static void defaults_pod_template(json_t *tmpl)
{
        if (!json_is_object(tmpl))
                return;
        defaults_pod_spec(obj_member(tmpl, "spec"), 0);
}

/*
 * ---------------------------------------------------------------------------
 * Kinds
 */

static void defaults_pod(json_t *obj)
{
        defaults_pod_spec(obj_member(obj, "spec"), POD_IS_POD);
}

static void defaults_service(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *ports, *p, *sel;
        const char *type;
        size_t i;

        if (!spec)
                return;
        set_if_zero(spec, "sessionAffinity", json_string("None"));
        if (kl_streq(json_string_value(json_object_get(spec, "sessionAffinity")) ?: "", "None"))
                (void)json_object_del(spec, "sessionAffinityConfig");
        set_if_zero(spec, "type", json_string("ClusterIP"));
        type = json_string_value(json_object_get(spec, "type")) ?: "";
        ports = arr_member(spec, "ports");
        json_array_foreach(ports, i, p) {
                json_t *tp;

                if (!json_is_object(p))
                        continue;
                set_if_zero(p, "protocol", json_string("TCP"));
                tp = json_object_get(p, "targetPort");
                if ((!tp || json_is_null(tp) ||
                     (json_is_integer(tp) && json_integer_value(tp) == 0) ||
                     (json_is_string(tp) && json_string_length(tp) == 0)) &&
                    json_is_integer(json_object_get(p, "port")))
                        set(p, "targetPort", json_copy(json_object_get(p, "port")));
        }
        if (kl_streq(json_string_value(json_object_get(spec, "sessionAffinity")) ?: "",
                     "ClientIP")) {
                json_t *cfg = ensure_object(spec, "sessionAffinityConfig");
                json_t *cip = cfg ? ensure_object(cfg, "clientIP") : NULL;

                if (cip)
                        set_if_unset(cip, "timeoutSeconds", json_integer(10800));
        }
        if ((kl_streq(type, "NodePort") || kl_streq(type, "LoadBalancer") ||
             (kl_streq(type, "ClusterIP") && json_array_size(arr_member(spec, "externalIPs")) > 0)))
                set_if_zero(spec, "externalTrafficPolicy", json_string("Cluster"));
        if (kl_streq(type, "NodePort") || kl_streq(type, "LoadBalancer") ||
            kl_streq(type, "ClusterIP"))
                set_if_unset(spec, "internalTrafficPolicy", json_string("Cluster"));
        if (kl_streq(type, "LoadBalancer"))
                set_if_unset(spec, "allocateLoadBalancerNodePorts", json_true());

        if (!kl_streq(type, "ExternalName")) {
                const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
                bool headless;

                if (cip && *cip && json_array_size(arr_member(spec, "clusterIPs")) == 0)
                        set(spec, "clusterIPs", json_pack("[s]", cip));
                headless = cip && kl_streq(cip, "None");
                sel = obj_member(spec, "selector");
                set_if_unset(spec, "ipFamilyPolicy",
                             json_string(headless && json_object_size(sel) == 0 ? "RequireDualStack"
                                                                                : "SingleStack"));
        }
        {
                json_t *status = ensure_object(obj, "status");

                if (status)
                        set_if_unset(status, "loadBalancer", json_object());
        }
}

static void defaults_deployment(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *strategy;

        if (!spec)
                return;
        set_if_unset(spec, "replicas", json_integer(1));
        strategy = ensure_object(spec, "strategy");
        if (strategy) {
                set_if_zero(strategy, "type", json_string("RollingUpdate"));
                if (kl_streq(json_string_value(json_object_get(strategy, "type")) ?: "",
                             "RollingUpdate")) {
                        json_t *ru = ensure_object(strategy, "rollingUpdate");

                        if (ru) {
                                set_if_unset(ru, "maxUnavailable", json_string("25%"));
                                set_if_unset(ru, "maxSurge", json_string("25%"));
                        }
                }
        }
        set_if_unset(spec, "revisionHistoryLimit", json_integer(10));
        set_if_unset(spec, "progressDeadlineSeconds", json_integer(600));
        defaults_pod_template(obj_member(spec, "template"));
}

static void defaults_replicaset(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");

        if (!spec)
                return;
        set_if_unset(spec, "replicas", json_integer(1));
        defaults_pod_template(obj_member(spec, "template"));
}

static void defaults_pvc(json_t *pvc)
{
        json_t *spec, *status;

        if (!json_is_object(pvc))
                return;
        if ((spec = ensure_object(pvc, "spec")))
                set_if_unset(spec, "volumeMode", json_string("Filesystem"));
        if ((status = ensure_object(pvc, "status")))
                set_if_zero(status, "phase", json_string("Pending"));
}

static void defaults_statefulset(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *us, *ru, *ret, *vcts, *m;
        size_t i;

        if (!spec)
                return;
        set_if_zero(spec, "podManagementPolicy", json_string("OrderedReady"));
        us = ensure_object(spec, "updateStrategy");
        if (us) {
                /*
                 * Only a defaulted type gets a rollingUpdate block: a user who
                 * writes type RollingUpdate alone gets no partition, as upstream.
                 */
                if (is_zero(us, "type")) {
                        set(us, "type", json_string("RollingUpdate"));
                        set_if_unset(us, "rollingUpdate", json_object());
                }
                ru = obj_member(us, "rollingUpdate");
                if (ru &&
                    kl_streq(json_string_value(json_object_get(us, "type")) ?: "", "RollingUpdate"))
                        set_if_unset(ru, "partition", json_integer(0));
        }
        ret = ensure_object(spec, "persistentVolumeClaimRetentionPolicy");
        if (ret) {
                set_if_zero(ret, "whenDeleted", json_string("Retain"));
                set_if_zero(ret, "whenScaled", json_string("Retain"));
        }
        set_if_unset(spec, "replicas", json_integer(1));
        set_if_unset(spec, "revisionHistoryLimit", json_integer(10));
        defaults_pod_template(obj_member(spec, "template"));
        vcts = arr_member(spec, "volumeClaimTemplates");
        json_array_foreach(vcts, i, m)
                defaults_pvc(m);
}

static void defaults_daemonset(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *us;

        if (!spec)
                return;
        us = ensure_object(spec, "updateStrategy");
        if (us) {
                set_if_zero(us, "type", json_string("RollingUpdate"));
                if (kl_streq(json_string_value(json_object_get(us, "type")) ?: "",
                             "RollingUpdate")) {
                        json_t *ru = ensure_object(us, "rollingUpdate");

                        if (ru) {
                                set_if_unset(ru, "maxUnavailable", json_integer(1));
                                set_if_unset(ru, "maxSurge", json_integer(0));
                        }
                }
        }
        set_if_unset(spec, "revisionHistoryLimit", json_integer(10));
        defaults_pod_template(obj_member(spec, "template"));
}

static void defaults_job(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *tmpl, *labels, *meta;

        if (!spec)
                return;
        if (is_unset(spec, "completions") && is_unset(spec, "parallelism")) {
                set(spec, "completions", json_integer(1));
                set(spec, "parallelism", json_integer(1));
        }
        set_if_unset(spec, "parallelism", json_integer(1));
        set_if_unset(spec, "backoffLimit",
                     json_integer(is_unset(spec, "backoffLimitPerIndex") ? 6 : INT32_MAX));
        tmpl = obj_member(spec, "template");
        labels = obj_member(obj_member(tmpl, "metadata"), "labels");
        meta = ensure_object(obj, "metadata");
        if (labels && meta && json_object_size(obj_member(meta, "labels")) == 0)
                set(meta, "labels", json_deep_copy(labels));
        set_if_unset(spec, "completionMode", json_string("NonIndexed"));
        set_if_unset(spec, "suspend", json_false());
        set_if_unset(
                spec, "podReplacementPolicy",
                json_string(is_unset(spec, "podFailurePolicy") ? "TerminatingOrFailed" : "Failed"));
        defaults_pod_template(tmpl);
}

static void defaults_cronjob(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");

        if (!spec)
                return;
        set_if_zero(spec, "concurrencyPolicy", json_string("Allow"));
        set_if_unset(spec, "suspend", json_false());
        set_if_unset(spec, "successfulJobsHistoryLimit", json_integer(3));
        set_if_unset(spec, "failedJobsHistoryLimit", json_integer(1));
        defaults_pod_template(
                obj_member(obj_member(obj_member(spec, "jobTemplate"), "spec"), "template"));
}

static char *base64_encode(const char *data, size_t len)
{
        static const char alphabet[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char *out = kl_malloc((len + 2) / 3 * 4 + 1);
        size_t i, o = 0;

        for (i = 0; i + 2 < len; i += 3) {
                uint32_t v = (uint32_t)(unsigned char)data[i] << 16 |
                             (uint32_t)(unsigned char)data[i + 1] << 8 | (unsigned char)data[i + 2];

                out[o++] = alphabet[v >> 18 & 63];
                out[o++] = alphabet[v >> 12 & 63];
                out[o++] = alphabet[v >> 6 & 63];
                out[o++] = alphabet[v & 63];
        }
        if (i < len) {
                uint32_t v = (uint32_t)(unsigned char)data[i] << 16;

                if (i + 1 < len)
                        v |= (uint32_t)(unsigned char)data[i + 1] << 8;
                out[o++] = alphabet[v >> 18 & 63];
                out[o++] = alphabet[v >> 12 & 63];
                out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
                out[o++] = '=';
        }
        out[o] = '\0';
        return out;
}

static void defaults_secret(json_t *obj)
{
        json_t *string_data = obj_member(obj, "stringData");

        set_if_zero(obj, "type", json_string("Opaque"));
        /* The v1 conversion: stringData wins over data for the same key. */
        if (string_data) {
                json_t *data = ensure_object(obj, "data");
                const char *k;
                json_t *v;

                if (data) {
                        json_object_foreach(string_data, k, v) {
                                kl_autofree char *enc = NULL;

                                if (!json_is_string(v))
                                        continue;
                                enc = base64_encode(json_string_value(v), json_string_length(v));
                                set(data, k, json_string(enc));
                        }
                }
                (void)json_object_del(obj, "stringData");
        }
}

static void defaults_namespace(json_t *obj)
{
        json_t *meta = ensure_object(obj, "metadata");
        json_t *spec = ensure_object(obj, "spec");
        json_t *status = ensure_object(obj, "status");
        const char *name = json_string_value(json_object_get(meta, "name"));
        json_t *fins;

        /* SetDefaults_Namespace: the immutable name label (NamespaceDefaultLabelName). */
        if (meta && name && *name) {
                json_t *labels = ensure_object(meta, "labels");

                if (labels)
                        set(labels, "kubernetes.io/metadata.name", json_string(name));
        }
        if (spec) {
                bool found = false;
                size_t i;
                json_t *f;

                fins = arr_member(spec, "finalizers");
                if (!fins && is_unset(spec, "finalizers")) {
                        fins = json_array();
                        set(spec, "finalizers", fins);
                }
                json_array_foreach(fins, i, f)
                        found |= kl_streq(json_string_value(f) ?: "", "kubernetes");
                if (fins && !found)
                        kl_assert(json_array_append_new(fins, json_string("kubernetes")) == 0);
        }
        if (status)
                set_if_zero(status, "phase", json_string("Active"));
}

/*
 * Node: the v1 round trip of spec.podCIDR and spec.podCIDRs (the internal
 * type has the list only): a lone podCIDR becomes the list, and podCIDR is
 * always the list's first entry.
 */
static void defaults_node(json_t *obj)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *list = arr_member(spec, "podCIDRs");
        const char *one = json_string_value(json_object_get(spec, "podCIDR"));

        if (!spec)
                return;
        if (json_array_size(list) > 0 && json_is_string(json_array_get(list, 0)))
                set(spec, "podCIDR", json_deep_copy(json_array_get(list, 0)));
        else if (json_array_size(list) == 0 && one && *one)
                set(spec, "podCIDRs", json_pack("[s]", one));
}

static void defaults_pod_template_kind(json_t *obj)
{
        defaults_pod_template(obj_member(obj, "template"));
}

typedef void defaults_fn(json_t *obj);

static const struct {
        const char *group;
        const char *kind;
        defaults_fn *fn;
} defaulters[] = {
        { "", "Pod", defaults_pod },
        { "", "PodTemplate", defaults_pod_template_kind },
        { "", "Service", defaults_service },
        { "", "Secret", defaults_secret },
        { "", "Namespace", defaults_namespace },
        { "", "Node", defaults_node },
        { "apps", "Deployment", defaults_deployment },
        { "apps", "ReplicaSet", defaults_replicaset },
        { "apps", "StatefulSet", defaults_statefulset },
        { "apps", "DaemonSet", defaults_daemonset },
        { "batch", "Job", defaults_job },
        { "batch", "CronJob", defaults_cronjob },
};

int kl_api_defaults_apply_kind(const char *group, const char *kind, json_t *obj)
{
        if (!json_is_object(obj))
                return -EINVAL;
        for (size_t i = 0; i < KL_ARRAY_SIZE(defaulters); i++) {
                if (kl_streq(defaulters[i].group, group) && kl_streq(defaulters[i].kind, kind)) {
                        defaulters[i].fn(obj);
                        break;
                }
        }
        return 0;
}

int kl_api_defaults_apply(const struct kl_api_resource *r, json_t *obj)
{
        return kl_api_defaults_apply_kind(r->group, r->kind, obj);
}

/*
 * ---------------------------------------------------------------------------
 * Update-time carry-over, Job selectors, QoS
 */

static bool needs_cluster_ip(const json_t *spec)
{
        return !kl_streq(json_string_value(json_object_get(spec, "type")) ?: "", "ExternalName");
}

static bool needs_node_port(const json_t *spec)
{
        const char *t = json_string_value(json_object_get(spec, "type")) ?: "";

        return kl_streq(t, "NodePort") || kl_streq(t, "LoadBalancer");
}

void kl_api_defaults_update(const struct kl_api_resource *r, json_t *obj, const json_t *old)
{
        json_t *spec = obj_member(obj, "spec");
        json_t *old_spec = obj_member(old, "spec");

        if (!kl_streq(r->group, "") || !kl_streq(r->kind, "Service") || !spec || !old_spec)
                return;
        if (needs_cluster_ip(spec) && needs_cluster_ip(old_spec)) {
                json_t *m;

                if (is_zero(spec, "clusterIP") && (m = json_object_get(old_spec, "clusterIP")))
                        set(spec, "clusterIP", json_deep_copy(m));
                if (json_array_size(arr_member(spec, "clusterIPs")) == 0 &&
                    json_array_size(arr_member(old_spec, "clusterIPs")) > 0)
                        set(spec, "clusterIPs",
                            json_deep_copy(json_object_get(old_spec, "clusterIPs")));
                if (json_array_size(arr_member(spec, "ipFamilies")) == 0 &&
                    json_array_size(arr_member(old_spec, "ipFamilies")) > 0)
                        set(spec, "ipFamilies",
                            json_deep_copy(json_object_get(old_spec, "ipFamilies")));
                if ((m = json_object_get(old_spec, "ipFamilyPolicy")) && json_is_string(m))
                        set_if_unset(spec, "ipFamilyPolicy", json_deep_copy(m));
        }
        if (needs_node_port(spec) && needs_node_port(old_spec)) {
                json_auto_t *used_old = json_object();
                json_auto_t *used = json_object();
                json_auto_t *by_name = json_object();
                json_t *p;
                size_t i;

                /* Ports already used by the new object may not be handed to another port. */
                json_array_foreach(arr_member(old_spec, "ports"), i, p) {
                        json_t *np = json_object_get(p, "nodePort");

                        if (json_is_integer(np) && json_integer_value(np) != 0) {
                                kl_autofree char *k = kl_asprintf("%" JSON_INTEGER_FORMAT,
                                                                  json_integer_value(np));

                                (void)json_object_set_new(used_old, k, json_true());
                        }
                        if (json_is_integer(np))
                                kl_assert(
                                        json_object_set(
                                                by_name,
                                                json_string_value(json_object_get(p, "name")) ?: "",
                                                np) == 0);
                }
                json_array_foreach(arr_member(spec, "ports"), i, p) {
                        json_t *np = json_object_get(p, "nodePort");

                        if (json_is_integer(np) && json_integer_value(np) != 0) {
                                kl_autofree char *k = kl_asprintf("%" JSON_INTEGER_FORMAT,
                                                                  json_integer_value(np));

                                if (json_object_get(used_old, k))
                                        (void)json_object_set_new(used, k, json_true());
                        }
                }
                json_array_foreach(arr_member(spec, "ports"), i, p) {
                        json_t *old_np;
                        kl_autofree char *k = NULL;

                        if (!json_is_object(p) || !is_zero(p, "nodePort"))
                                continue;
                        old_np = json_object_get(
                                by_name, json_string_value(json_object_get(p, "name")) ?: "");
                        if (!json_is_integer(old_np) || json_integer_value(old_np) == 0)
                                continue;
                        k = kl_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(old_np));
                        if (!json_object_get(used, k))
                                set(p, "nodePort", json_copy(old_np));
                }
                if (is_zero(spec, "healthCheckNodePort") &&
                    json_is_integer(json_object_get(old_spec, "healthCheckNodePort")))
                        set(spec, "healthCheckNodePort",
                            json_copy(json_object_get(old_spec, "healthCheckNodePort")));
        }
}

int kl_api_defaults_job_selector(json_t *job, const char *uid)
{
        json_t *meta, *spec, *tmpl, *tmeta, *labels;
        const char *name;

        if (!json_is_object(job))
                return -EINVAL;
        meta = ensure_object(job, "metadata");
        spec = ensure_object(job, "spec");
        if (!meta || !spec || json_is_true(json_object_get(spec, "manualSelector")))
                return 0;
        name = json_string_value(json_object_get(meta, "name")) ?: "";
        tmpl = ensure_object(spec, "template");
        tmeta = tmpl ? ensure_object(tmpl, "metadata") : NULL;
        labels = tmeta ? ensure_object(tmeta, "labels") : NULL;
        if (labels) {
                set(labels, "batch.kubernetes.io/controller-uid", json_string(uid));
                set(labels, "batch.kubernetes.io/job-name", json_string(name));
                set(labels, "controller-uid", json_string(uid));
                set(labels, "job-name", json_string(name));
        }
        set_if_unset(
                spec, "selector",
                json_pack("{s:{s:s}}", "matchLabels", "batch.kubernetes.io/controller-uid", uid));
        return 0;
}

/* The sum of the positive cpu and memory quantities of one list into sums[0..1]. */
static void qos_add(const json_t *list, struct kl_quantity *sums, bool *present, bool *found)
{
        static const char *const names[] = { "cpu", "memory" };

        for (size_t i = 0; i < 2; i++) {
                json_t *v = json_object_get(list, names[i]);
                struct kl_quantity q;

                if (!v || kl_json_get_quantity(v, "", &q, NULL) < 0 || kl_quantity_sign(&q) <= 0)
                        continue;
                if (found)
                        found[i] = true;
                if (!present[i]) {
                        sums[i] = q;
                        present[i] = true;
                } else if (kl_quantity_add(&sums[i], &q, &sums[i], NULL) < 0) {
                        continue;
                }
        }
}

const char *kl_api_pod_qos_class(const json_t *pod)
{
        static const char *const lists[] = { "containers", "initContainers" };
        json_t *spec = obj_member(pod, "spec");
        struct kl_quantity req[2], lim[2];
        bool has_req[2] = { false, false }, has_lim[2] = { false, false };
        bool guaranteed = true;

        for (size_t l = 0; l < 2; l++) {
                json_t *c;
                size_t i;

                json_array_foreach(arr_member(spec, lists[l]), i, c) {
                        json_t *res = obj_member(c, "resources");
                        bool found[2] = { false, false };

                        qos_add(obj_member(res, "requests"), req, has_req, NULL);
                        qos_add(obj_member(res, "limits"), lim, has_lim, found);
                        if (!found[0] || !found[1])
                                guaranteed = false;
                }
        }
        if (!has_req[0] && !has_req[1] && !has_lim[0] && !has_lim[1])
                return "BestEffort";
        for (size_t i = 0; guaranteed && i < 2; i++) {
                if (has_req[i] && (!has_lim[i] || kl_quantity_cmp(&req[i], &lim[i]) != 0))
                        guaranteed = false;
        }
        if (guaranteed && has_req[0] == has_lim[0] && has_req[1] == has_lim[1])
                return "Guaranteed";
        return "Burstable";
}

/*
 * ---------------------------------------------------------------------------
 * DefaultTolerationSeconds admission (upstream's
 * plugin/pkg/admission/defaulttolerationseconds): a toleration already
 * covering the taint with effect NoExecute, or with no effect, is kept as is.
 */

static bool tolerates_no_execute(const json_t *tolerations, const char *key)
{
        const json_t *t;
        size_t i;

        json_array_foreach(tolerations, i, t) {
                const char *tkey = json_string_value(json_object_get(t, "key"));
                const char *op = json_string_value(json_object_get(t, "operator"));
                const char *effect = json_string_value(json_object_get(t, "effect"));
                bool key_ok = kl_isempty(tkey) ? kl_streq_null(op, "Exists") : kl_streq(tkey, key);

                if (key_ok && (kl_isempty(effect) || kl_streq(effect, "NoExecute")))
                        return true;
        }
        return false;
}

int kl_api_admit_default_tolerations(json_t *pod, int64_t seconds)
{
        static const char *const taints[] = { "node.kubernetes.io/not-ready",
                                              "node.kubernetes.io/unreachable" };
        json_t *spec, *tolerations;

        if (!json_is_object(pod))
                return -EINVAL;
        spec = json_object_get(pod, "spec");
        if (!json_is_object(spec))
                return 0;
        tolerations = json_object_get(spec, "tolerations");
        if (!json_is_array(tolerations)) {
                tolerations = json_array();
                set(spec, "tolerations", tolerations);
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(taints); i++)
                if (!tolerates_no_execute(tolerations, taints[i]))
                        kl_assert(json_array_append_new(
                                          tolerations,
                                          json_pack("{s:s, s:s, s:s, s:I}", "key", taints[i],
                                                    "operator", "Exists", "effect", "NoExecute",
                                                    "tolerationSeconds", (json_int_t)seconds)) ==
                                  0);
        if (json_array_size(tolerations) == 0)
                (void)json_object_del(spec, "tolerations");
        return 0;
}
