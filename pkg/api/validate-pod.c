/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod, PodSpec and PodTemplateSpec validation (upstream's
 * pkg/apis/core/validation ValidatePodSpec and what it calls), shared by
 * every workload kind through kl_api__v_pod_template().
 *
 * Checked: volumes (names, exactly one source, the sources users write:
 * emptyDir, hostPath, secret, configMap, persistentVolumeClaim, downwardAPI
 * and projected item paths), containers and init containers (names unique
 * across both, image, ports, env and envFrom, volume mounts against the
 * volumes, pull and termination-message policies, resources: names,
 * quantity syntax, requests <= limits, probes), host ports, restartPolicy,
 * dnsPolicy and dnsConfig, nodeSelector, serviceAccountName, nodeName,
 * hostname, subdomain, priorityClassName, activeDeadlineSeconds,
 * tolerations; and for Pods the hostNetwork port rule and the update rules.
 *
 * Not yet: securityContext (pod and container), affinity, topology spread
 * constraints, lifecycle hooks, resize policy, ephemeral containers, the
 * less common volume sources' own fields, resource claims, os, overhead.
 */
#include <string.h>

#include "api/selector.h"
#include "api/validate-internal.h"
#include "base/base.h"
#include "json/json.h"

static const char *const restart_policies[] = { "Always", "OnFailure", "Never", NULL };
static const char *const dns_policies[] = { "ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                            "None", NULL };
static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
static const char *const protocols[] = { "SCTP", "TCP", "UDP", NULL };
static const char *const file_mode_msg =
        "must be a number between 0 and 0777 (octal), both inclusive";

/* A string-keyed hash set made of a JSON object; membership is O(1). */
static bool set_add(json_t *set, const char *key)
{
        if (json_object_get(set, key))
                return false;
        kl_assert(json_object_set_new(set, key, json_true()) == 0);
        return true;
}

static void v_dns1123_label(struct kl_api__vctx *v, const char *child, const char *value)
{
        char **msgs = NULL;

        (void)kl_api_validate_dns1123_label(value, &msgs);
        kl_api__v_msgs(v, child, value, msgs);
}

static void v_dns1123_subdomain(struct kl_api__vctx *v, const char *child, const char *value)
{
        char **msgs = NULL;

        (void)kl_api_validate_dns1123_subdomain(value, &msgs);
        kl_api__v_msgs(v, child, value, msgs);
}

/* validatePathNoBacksteps: no ".." element. */
static void v_no_backsteps(struct kl_api__vctx *v, const char *child, const char *path)
{
        kl_autostrv char **parts = kl_strv_split(path, '/');

        for (size_t i = 0; parts[i]; i++) {
                if (kl_streq(parts[i], "..")) {
                        kl_api__v_invalid_str(v, child, path, "must not contain '..'");
                        return;
                }
        }
}

/* ValidateLocalNonReservedPath. */
static void v_local_path(struct kl_api__vctx *v, const char *child, const char *path)
{
        if (path[0] == '/')
                kl_api__v_invalid_str(v, child, path, "must be a relative path");
        v_no_backsteps(v, child, path);
        if (kl_startswith(path, "..") && !kl_startswith(path, "../"))
                kl_api__v_invalid_str(v, child, path, "must not start with '..'");
}

static void v_mode(struct kl_api__vctx *v, const json_t *o, const char *key)
{
        int64_t mode;

        if (kl_api__jint(o, key, &mode) && (mode < 0 || mode > 0777))
                kl_api__v_invalid_int(v, key, mode, file_mode_msg);
}

/* validateKeyToPath over `items`. */
static void v_key_to_paths(struct kl_api__vctx *v, const json_t *items)
{
        json_t *kp;
        size_t i;

        json_array_foreach(items, i, kp) {
                size_t mark = kl_api__vpush(v, "items");

                (void)kl_api__vpush_index(v, i);
                if (!*kl_api__jstr0(kp, "key"))
                        kl_api__v_required(v, "key", "");
                if (!*kl_api__jstr0(kp, "path"))
                        kl_api__v_required(v, "path", "");
                v_local_path(v, "path", kl_api__jstr0(kp, "path"));
                v_mode(v, kp, "mode");
                kl_api__vpop(v, mark);
        }
}

/* Downward API items of downwardAPI volumes and projections. */
static void v_downward_items(struct kl_api__vctx *v, const json_t *items)
{
        json_t *it;
        size_t i;

        json_array_foreach(items, i, it) {
                size_t mark = kl_api__vpush(v, "items");
                const char *path = kl_api__jstr0(it, "path");

                (void)kl_api__vpush_index(v, i);
                if (!*path)
                        kl_api__v_required(v, "path", "");
                v_local_path(v, "path", path);
                v_mode(v, it, "mode");
                kl_api__vpop(v, mark);
        }
}

/* The volume sources in the order upstream's validateVolumeSource tests them. */
static const char *const volume_sources[] = {
        "emptyDir",
        "hostPath",
        "gitRepo",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "flocker",
        "persistentVolumeClaim",
        "rbd",
        "cinder",
        "cephfs",
        "quobyte",
        "downwardAPI",
        "fc",
        "flexVolume",
        "configMap",
        "azureFile",
        "vsphereVolume",
        "photonPersistentDisk",
        "portworxVolume",
        "azureDisk",
        "storageos",
        "projected",
        "scaleIO",
        "csi",
        "ephemeral",
        "image",
        NULL,
};

static void v_volume_source(struct kl_api__vctx *v, const char *kind, const json_t *src)
{
        size_t mark = kl_api__vpush(v, kind);

        if (kl_streq(kind, "hostPath")) {
                static const char *const types[] = {
                        "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
                        "File", "FileOrCreate", "Socket",     NULL
                };
                const char *path = kl_api__jstr0(src, "path");
                const char *type = kl_api__jstr(src, "type");

                if (!*path) {
                        kl_api__v_required(v, "path", "");
                } else {
                        v_no_backsteps(v, "path", path);
                        if (type) {
                                bool ok = false;

                                for (size_t i = 0; types[i]; i++)
                                        ok |= kl_streq(types[i], type);
                                if (!ok)
                                        kl_api__v_not_supported(v, "type", type, types);
                        }
                }
        } else if (kl_streq(kind, "secret")) {
                if (!*kl_api__jstr0(src, "secretName"))
                        kl_api__v_required(v, "secretName", "");
                v_mode(v, src, "defaultMode");
                v_key_to_paths(v, kl_api__jarr(src, "items"));
        } else if (kl_streq(kind, "configMap")) {
                if (!*kl_api__jstr0(src, "name"))
                        kl_api__v_required(v, "name", "");
                v_mode(v, src, "defaultMode");
                v_key_to_paths(v, kl_api__jarr(src, "items"));
        } else if (kl_streq(kind, "persistentVolumeClaim")) {
                if (!*kl_api__jstr0(src, "claimName"))
                        kl_api__v_required(v, "claimName", "");
        } else if (kl_streq(kind, "downwardAPI")) {
                v_mode(v, src, "defaultMode");
                v_downward_items(v, kl_api__jarr(src, "items"));
        } else if (kl_streq(kind, "projected")) {
                v_mode(v, src, "defaultMode");
        }
        kl_api__vpop(v, mark);
}

/* ValidateVolumes; the valid volumes' names go into `names`. */
static void v_volumes(struct kl_api__vctx *v, const json_t *volumes, json_t *names)
{
        json_auto_t *seen = json_object();
        json_t *vol;
        size_t i;

        json_array_foreach(volumes, i, vol) {
                size_t mark = kl_api__vpush(v, "volumes");
                size_t before = v->errs->n + v->errs->dropped;
                const char *name = kl_api__jstr0(vol, "name");
                const char *first = NULL;

                (void)kl_api__vpush_index(v, i);
                for (size_t s = 0; volume_sources[s]; s++) {
                        json_t *src = kl_api__jobj(vol, volume_sources[s]);

                        if (!src)
                                continue;
                        if (first) {
                                kl_api__v_forbidden(v, volume_sources[s],
                                                    "may not specify more than 1 volume type");
                                continue;
                        }
                        first = volume_sources[s];
                        v_volume_source(v, first, src);
                }
                if (!first)
                        kl_api__v_required(v, NULL, "must specify a volume type");
                if (!*name)
                        kl_api__v_required(v, "name", "");
                else
                        v_dns1123_label(v, "name", name);
                if (json_object_get(seen, name))
                        kl_api__v_duplicate_take(v, "name", kl_api_go_quoted(name));
                /* Upstream keeps a volume for the mount checks only when it had no error. */
                if (v->errs->n + v->errs->dropped == before) {
                        (void)set_add(seen, name);
                        (void)set_add(names, name);
                }
                kl_api__vpop(v, mark);
        }
}

static void v_container_ports(struct kl_api__vctx *v, const json_t *ports)
{
        json_auto_t *names = json_object();
        json_t *p;
        size_t i;

        json_array_foreach(ports, i, p) {
                size_t mark = kl_api__vpush(v, "ports");
                const char *name = kl_api__jstr0(p, "name");
                const char *proto = kl_api__jstr0(p, "protocol");
                int64_t n = 0;

                (void)kl_api__vpush_index(v, i);
                if (*name) {
                        char **msgs = NULL;

                        if (kl_api__port_name_msgs(name, &msgs) > 0)
                                kl_api__v_msgs(v, "name", name, msgs);
                        else if (!set_add(names, name))
                                kl_api__v_duplicate_take(v, "name", kl_api_go_quoted(name));
                        else
                                kl_strv_free(msgs);
                }
                if (!kl_api__jint(p, "containerPort", &n) || n == 0)
                        kl_api__v_required(v, "containerPort", "");
                else if (!kl_api__port_ok(n))
                        kl_api__v_invalid_int(v, "containerPort", n,
                                              "must be between 1 and 65535, inclusive");
                if (kl_api__jint(p, "hostPort", &n) && n != 0 && !kl_api__port_ok(n))
                        kl_api__v_invalid_int(v, "hostPort", n,
                                              "must be between 1 and 65535, inclusive");
                if (!*proto)
                        kl_api__v_required(v, "protocol", "");
                else if (!kl_streq(proto, "TCP") && !kl_streq(proto, "UDP") &&
                         !kl_streq(proto, "SCTP"))
                        kl_api__v_not_supported(v, "protocol", proto, protocols);
                kl_api__vpop(v, mark);
        }
}

static const char *const env_field_paths[] = {
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
        NULL,
};

static void v_field_ref(struct kl_api__vctx *v, const json_t *ref)
{
        const char *api_version = kl_api__jstr0(ref, "apiVersion");
        const char *path = kl_api__jstr0(ref, "fieldPath");
        size_t mark = kl_api__vpush(v, "fieldRef");

        if (!*api_version) {
                kl_api__v_required(v, "apiVersion", "");
        } else if (!*path) {
                kl_api__v_required(v, "fieldPath", "");
        } else if (!kl_streq(api_version, "v1")) {
                kl_autofree char *detail = kl_asprintf(
                        "error converting fieldPath: unsupported pod version: %s", api_version);

                kl_api__v_invalid_str(v, "fieldPath", path, detail);
        } else if (kl_startswith(path, "metadata.labels[") ||
                   kl_startswith(path, "metadata.annotations[")) {
                /* Subscripted label and annotation paths: the key is checked by the kubelet. */
        } else {
                bool ok = false;

                for (size_t i = 0; env_field_paths[i]; i++)
                        ok |= kl_streq(env_field_paths[i], path);
                if (!ok && !kl_streq(path, "metadata.labels") &&
                    !kl_streq(path, "metadata.annotations"))
                        kl_api__v_not_supported(v, "fieldPath", path, env_field_paths);
        }
        kl_api__vpop(v, mark);
}

/* validateConfigMapKeySelector and validateSecretKeySelector. */
static void v_key_selector(struct kl_api__vctx *v, const char *child, const json_t *sel)
{
        size_t mark = kl_api__vpush(v, child);
        const char *name = kl_api__jstr0(sel, "name");
        const char *key = kl_api__jstr0(sel, "key");
        char **msgs = NULL;

        v_dns1123_subdomain(v, "name", name);
        if (!*key) {
                kl_api__v_required(v, "key", "");
        } else {
                (void)kl_api__config_key_msgs(key, &msgs);
                kl_api__v_msgs(v, "key", key, msgs);
        }
        kl_api__vpop(v, mark);
}

static void v_env(struct kl_api__vctx *v, const json_t *env)
{
        json_t *ev;
        size_t i;

        json_array_foreach(env, i, ev) {
                size_t mark = kl_api__vpush(v, "env");
                const char *name = kl_api__jstr0(ev, "name");
                json_t *from = kl_api__jobj(ev, "valueFrom");

                (void)kl_api__vpush_index(v, i);
                if (!*name) {
                        kl_api__v_required(v, "name", "");
                } else {
                        char **msgs = NULL;

                        (void)kl_api__env_name_msgs(name, &msgs);
                        kl_api__v_msgs(v, "name", name, msgs);
                }
                if (from) {
                        size_t m2 = kl_api__vpush(v, "valueFrom");
                        int n = 0;

                        if (kl_api__jobj(from, "fieldRef")) {
                                n++;
                                v_field_ref(v, kl_api__jobj(from, "fieldRef"));
                        }
                        if (kl_api__jobj(from, "resourceFieldRef")) {
                                n++;
                                if (!*kl_api__jstr0(kl_api__jobj(from, "resourceFieldRef"),
                                                    "resource"))
                                        kl_api__v_required(v, "resourceFieldRef.resource", "");
                        }
                        if (kl_api__jobj(from, "configMapKeyRef")) {
                                n++;
                                v_key_selector(v, "configMapKeyRef",
                                               kl_api__jobj(from, "configMapKeyRef"));
                        }
                        if (kl_api__jobj(from, "secretKeyRef")) {
                                n++;
                                v_key_selector(v, "secretKeyRef",
                                               kl_api__jobj(from, "secretKeyRef"));
                        }
                        if (n == 0)
                                kl_api__v_invalid_str(v, NULL, "",
                                                      "must specify one of: `fieldRef`, "
                                                      "`resourceFieldRef`, `configMapKeyRef` or "
                                                      "`secretKeyRef`");
                        else if (*kl_api__jstr0(ev, "value"))
                                kl_api__v_invalid_str(v, NULL, "",
                                                      "may not be specified when `value` is not "
                                                      "empty");
                        else if (n > 1)
                                kl_api__v_invalid_str(v, NULL, "",
                                                      "may not have more than one field specified "
                                                      "at a time");
                        kl_api__vpop(v, m2);
                }
                kl_api__vpop(v, mark);
        }
}

static void v_env_from(struct kl_api__vctx *v, const json_t *env_from)
{
        json_t *ef;
        size_t i;

        json_array_foreach(env_from, i, ef) {
                size_t mark = kl_api__vpush(v, "envFrom");
                const char *prefix = kl_api__jstr0(ef, "prefix");
                json_t *cm = kl_api__jobj(ef, "configMapRef");
                json_t *sec = kl_api__jobj(ef, "secretRef");

                (void)kl_api__vpush_index(v, i);
                if (*prefix) {
                        char **msgs = NULL;

                        (void)kl_api__env_name_msgs(prefix, &msgs);
                        kl_api__v_msgs(v, "prefix", prefix, msgs);
                }
                if (cm) {
                        size_t m2 = kl_api__vpush(v, "configMapRef");

                        v_dns1123_subdomain(v, "name", kl_api__jstr0(cm, "name"));
                        kl_api__vpop(v, m2);
                }
                if (sec) {
                        size_t m2 = kl_api__vpush(v, "secretRef");

                        v_dns1123_subdomain(v, "name", kl_api__jstr0(sec, "name"));
                        kl_api__vpop(v, m2);
                }
                if (!cm && !sec)
                        kl_api__v_invalid_str(v, NULL, "",
                                              "must specify one of: `configMapRef` or `secretRef`");
                else if (cm && sec)
                        kl_api__v_invalid_str(v, NULL, "",
                                              "may not have more than one field specified at a "
                                              "time");
                kl_api__vpop(v, mark);
        }
}

static void v_volume_mounts(struct kl_api__vctx *v, const json_t *mounts, const json_t *volumes)
{
        json_auto_t *paths = json_object();
        json_t *m;
        size_t i;

        json_array_foreach(mounts, i, m) {
                size_t mark = kl_api__vpush(v, "volumeMounts");
                const char *name = kl_api__jstr0(m, "name");
                const char *path = kl_api__jstr0(m, "mountPath");
                const char *sub = kl_api__jstr0(m, "subPath");

                (void)kl_api__vpush_index(v, i);
                if (!*name)
                        kl_api__v_required(v, "name", "");
                if (!json_object_get(volumes, name))
                        kl_api__v_not_found_str(v, "name", name);
                if (!*path)
                        kl_api__v_required(v, "mountPath", "");
                if (!set_add(paths, path))
                        kl_api__v_invalid_str(v, "mountPath", path, "must be unique");
                kl_api__vpop(v, mark);
                if (*sub) {
                        /* Upstream reports these on volumeMounts.subPath, without the index. */
                        mark = kl_api__vpush(v, "volumeMounts");
                        if (sub[0] == '/')
                                kl_api__v_invalid_str(v, "subPath", sub, "must be a relative path");
                        v_no_backsteps(v, "subPath", sub);
                        kl_api__vpop(v, mark);
                }
        }
}

/*
 * ---------------------------------------------------------------------------
 * Resources
 */

static const char *const quantity_regex_msg = "quantities must match the regular expression "
                                              "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/* A quantity member; *ret_text is upstream's Quantity.String() of it (owned). */
static bool read_quantity(const json_t *value, struct kl_quantity *ret, char **ret_text)
{
        char buf[KL_QUANTITY_STRING_MAX];

        if (kl_json_get_quantity(value, "", ret, NULL) < 0)
                return false;
        if (json_is_string(value) && kl_quantity_is_verbatim(json_string_value(value)))
                *ret_text = kl_strdup(json_string_value(value));
        else
                *ret_text = kl_strdup(kl_quantity_format(ret, buf, sizeof(buf)));
        return true;
}

static bool is_native_resource(const char *name)
{
        return !strchr(name, '/') || strstr(name, "kubernetes.io/");
}

static bool is_hugepages(const char *name)
{
        return kl_startswith(name, "hugepages-") != NULL;
}

static void v_resource_name(struct kl_api__vctx *v, const char *name)
{
        char **msgs = NULL;

        (void)kl_api_validate_qualified_name(name, &msgs);
        kl_api__v_msgs(v, NULL, name, msgs);
        if (!strchr(name, '/')) {
                if (!kl_streq(name, "cpu") && !kl_streq(name, "memory") &&
                    !kl_streq(name, "ephemeral-storage") && !is_hugepages(name))
                        kl_api__v_invalid_str(v, NULL, name,
                                              "must be a standard resource for containers");
        } else if (!is_native_resource(name) && kl_startswith(name, "requests.")) {
                kl_api__v_invalid_str(v, NULL, name,
                                      "doesn't follow extended resource name standard");
        }
}

/* Check every entry of limits or requests; returns nothing, errors go to `v`. */
static void v_resource_list(struct kl_api__vctx *v, const char *child, const json_t *list,
                            const json_t *limits)
{
        kl_autofree const char **keys = NULL;
        size_t n, i, mark;

        if (!json_is_object(list))
                return;
        keys = kl_api__sorted_keys(list, &n);
        mark = kl_api__vpush(v, child);
        for (i = 0; i < n; i++) {
                json_t *val = json_object_get(list, keys[i]);
                struct kl_quantity q;
                kl_autofree char *text = NULL;
                size_t m2 = kl_api__vpush_key(v, keys[i]);

                v_resource_name(v, keys[i]);
                if (!read_quantity(val, &q, &text)) {
                        kl_api__v_invalid_take(v, NULL, kl_api__go_json(val), quantity_regex_msg);
                        kl_api__vpop(v, m2);
                        continue;
                }
                if (kl_quantity_sign(&q) < 0)
                        kl_api__v_invalid_str(v, NULL, text, "must be greater than or equal to 0");
                kl_api__vpop(v, m2);

                if (limits) {
                        json_t *lim = json_object_get(limits, keys[i]);
                        bool overcommit = is_native_resource(keys[i]) && !is_hugepages(keys[i]);
                        struct kl_quantity lq;
                        kl_autofree char *ltext = NULL;

                        if (lim && read_quantity(lim, &lq, &ltext)) {
                                int c = kl_quantity_cmp(&q, &lq);

                                if (c != 0 && !overcommit) {
                                        kl_autofree char *d = kl_asprintf(
                                                "must be equal to %s limit of %s", keys[i], ltext);

                                        kl_api__v_invalid_str(v, NULL, text, d);
                                } else if (c > 0) {
                                        kl_autofree char *d =
                                                kl_asprintf("must be less than or equal to %s "
                                                            "limit of %s",
                                                            keys[i], ltext);

                                        kl_api__v_invalid_str(v, NULL, text, d);
                                }
                        } else if (!lim && !overcommit) {
                                /* Reported on the sibling "limits", hence the step back. */
                                kl_api__vpop(v, mark);
                                kl_api__v_required(v, "limits",
                                                   "Limit must be set for non overcommitable "
                                                   "resources");
                                (void)kl_api__vpush(v, child);
                        }
                }
        }
        kl_api__vpop(v, mark);
}

static void v_resources(struct kl_api__vctx *v, const json_t *res)
{
        size_t mark = kl_api__vpush(v, "resources");
        json_t *limits = kl_api__jobj(res, "limits");

        v_resource_list(v, "limits", limits, NULL);
        v_resource_list(v, "requests", kl_api__jobj(res, "requests"),
                        limits ? limits : json_null());
        kl_api__vpop(v, mark);
}

/*
 * ---------------------------------------------------------------------------
 * Probes
 */

static void v_probe(struct kl_api__vctx *v, const char *child, const json_t *probe,
                    bool success_must_be_1)
{
        static const char *const handlers[] = { "exec", "httpGet", "tcpSocket", "grpc", NULL };
        static const char *const schemes[] = { "HTTP", "HTTPS", NULL };
        size_t mark;
        int n = 0;
        int64_t x;

        if (!json_is_object(probe))
                return;
        mark = kl_api__vpush(v, child);
        for (size_t i = 0; handlers[i]; i++) {
                json_t *h = kl_api__jobj(probe, handlers[i]);
                size_t m2;

                if (!h)
                        continue;
                if (n++ > 0) {
                        kl_api__v_forbidden(v, handlers[i],
                                            "may not specify more than 1 handler type");
                        continue;
                }
                m2 = kl_api__vpush(v, handlers[i]);
                if (kl_streq(handlers[i], "exec")) {
                        if (kl_api__jlen(kl_api__jarr(h, "command")) == 0)
                                kl_api__v_required(v, "command", "");
                } else if (kl_streq(handlers[i], "httpGet")) {
                        const char *scheme = kl_api__jstr0(h, "scheme");

                        if (!*kl_api__jstr0(h, "path"))
                                kl_api__v_required(v, "path", "");
                        kl_api__v_port_num_or_name(v, h, "port");
                        if (!kl_streq(scheme, "HTTP") && !kl_streq(scheme, "HTTPS"))
                                kl_api__v_not_supported(v, "scheme", scheme, schemes);
                } else if (kl_streq(handlers[i], "tcpSocket")) {
                        kl_api__v_port_num_or_name(v, h, "port");
                } else {
                        int64_t port = 0;

                        (void)kl_api__jint(h, "port", &port);
                        if (!kl_api__port_ok(port))
                                kl_api__v_invalid_int(v, "port", port,
                                                      "must be between 1 and 65535, inclusive");
                }
                kl_api__vpop(v, m2);
        }
        if (n == 0)
                kl_api__v_required(v, NULL, "must specify a handler type");
        kl_api__v_nonneg(v, probe, "initialDelaySeconds");
        kl_api__v_nonneg(v, probe, "timeoutSeconds");
        kl_api__v_nonneg(v, probe, "periodSeconds");
        kl_api__v_nonneg(v, probe, "successThreshold");
        kl_api__v_nonneg(v, probe, "failureThreshold");
        if (kl_api__jint(probe, "terminationGracePeriodSeconds", &x) && x <= 0)
                kl_api__v_invalid_int(v, "terminationGracePeriodSeconds", x,
                                      "must be greater than 0");
        if (success_must_be_1 && kl_api__jint(probe, "successThreshold", &x) && x != 1)
                kl_api__v_invalid_int(v, "successThreshold", x, "must be 1");
        kl_api__vpop(v, mark);
}

/*
 * ---------------------------------------------------------------------------
 * Containers
 */

static void v_container_common(struct kl_api__vctx *v, const json_t *c, const json_t *volumes)
{
        static const char *const tmp[] = { "File", "FallbackToLogsOnError", NULL };
        const char *name = kl_api__jstr0(c, "name");
        const char *tm = kl_api__jstr0(c, "terminationMessagePolicy");
        const char *pull = kl_api__jstr0(c, "imagePullPolicy");

        if (!*name)
                kl_api__v_required(v, "name", "");
        else
                v_dns1123_label(v, "name", name);
        if (!*kl_api__jstr0(c, "image"))
                kl_api__v_required(v, "image", "");
        if (!*tm)
                kl_api__v_required(v, "terminationMessagePolicy",
                                   "must be 'File' or 'FallbackToLogsOnError'");
        else if (!kl_streq(tm, "File") && !kl_streq(tm, "FallbackToLogsOnError"))
                kl_api__v_not_supported(v, "terminationMessagePolicy", tm, tmp);
        v_container_ports(v, kl_api__jarr(c, "ports"));
        v_env(v, kl_api__jarr(c, "env"));
        v_env_from(v, kl_api__jarr(c, "envFrom"));
        v_volume_mounts(v, kl_api__jarr(c, "volumeMounts"), volumes);
        if (!*pull)
                kl_api__v_required(v, "imagePullPolicy", "");
        else if (!kl_streq(pull, "Always") && !kl_streq(pull, "IfNotPresent") &&
                 !kl_streq(pull, "Never"))
                kl_api__v_not_supported(v, "imagePullPolicy", pull, pull_policies);
        v_resources(v, kl_api__jobj(c, "resources"));
}

/* AccumulateUniqueHostPorts over one container list. */
static void v_host_ports(struct kl_api__vctx *v, const char *child, const json_t *containers,
                         json_t *seen)
{
        json_t *c, *p;
        size_t i, j;

        json_array_foreach(containers, i, c) {
                json_array_foreach(kl_api__jarr(c, "ports"), j, p) {
                        int64_t hp = 0;
                        kl_autofree char *key = NULL;

                        if (!kl_api__jint(p, "hostPort", &hp) || hp == 0)
                                continue;
                        key = kl_asprintf("%s/%s/%lld", kl_api__jstr0(p, "hostIP"),
                                          kl_api__jstr0(p, "protocol"), (long long)hp);
                        if (!set_add(seen, key)) {
                                size_t mark = kl_api__vpush(v, child);

                                (void)kl_api__vpush_index(v, i);
                                (void)kl_api__vpush(v, "ports");
                                (void)kl_api__vpush_index(v, j);
                                kl_api__v_duplicate_take(v, "hostPort", kl_api_go_quoted(key));
                                kl_api__vpop(v, mark);
                        }
                }
        }
}

static void v_containers(struct kl_api__vctx *v, const json_t *spec, const json_t *volumes)
{
        json_t *containers = kl_api__jarr(spec, "containers");
        json_t *inits = kl_api__jarr(spec, "initContainers");
        json_auto_t *names = json_object();
        json_t *c;
        size_t i;

        if (kl_api__jlen(containers) == 0) {
                kl_api__v_required(v, "containers", "");
        } else {
                json_auto_t *host_ports = json_object();

                json_array_foreach(containers, i, c) {
                        size_t mark = kl_api__vpush(v, "containers");
                        const char *name = kl_api__jstr0(c, "name");

                        (void)kl_api__vpush_index(v, i);
                        v_container_common(v, c, volumes);
                        if (!set_add(names, name))
                                kl_api__v_duplicate_take(v, "name", kl_api_go_quoted(name));
                        v_probe(v, "livenessProbe", kl_api__jobj(c, "livenessProbe"), true);
                        v_probe(v, "readinessProbe", kl_api__jobj(c, "readinessProbe"), false);
                        v_probe(v, "startupProbe", kl_api__jobj(c, "startupProbe"), true);
                        if (kl_api__jhas(c, "restartPolicy"))
                                kl_api__v_forbidden(v, "restartPolicy",
                                                    "may not be set for non-init containers");
                        kl_api__vpop(v, mark);
                }
                v_host_ports(v, "containers", containers, host_ports);
        }

        {
                json_auto_t *host_ports = json_object();

                json_array_foreach(inits, i, c) {
                        size_t mark = kl_api__vpush(v, "initContainers");
                        const char *name = kl_api__jstr0(c, "name");
                        const char *rp = kl_api__jstr(c, "restartPolicy");
                        bool sidecar = rp && kl_streq(rp, "Always");

                        (void)kl_api__vpush_index(v, i);
                        v_container_common(v, c, volumes);
                        if (!set_add(names, name))
                                kl_api__v_duplicate_take(v, "name", kl_api_go_quoted(name));
                        if (rp && !sidecar) {
                                static const char *const always[] = { "Always", NULL };

                                kl_api__v_not_supported(v, "restartPolicy", rp, always);
                        }
                        if (sidecar) {
                                v_probe(v, "livenessProbe", kl_api__jobj(c, "livenessProbe"), true);
                                v_probe(v, "readinessProbe", kl_api__jobj(c, "readinessProbe"),
                                        false);
                                v_probe(v, "startupProbe", kl_api__jobj(c, "startupProbe"), true);
                        } else {
                                static const char *const probes[] = { "lifecycle", "livenessProbe",
                                                                      "readinessProbe",
                                                                      "startupProbe", NULL };

                                for (size_t k = 0; probes[k]; k++) {
                                        if (kl_api__jhas(c, probes[k]))
                                                kl_api__v_forbidden(
                                                        v, probes[k],
                                                        "may not be set for init containers "
                                                        "without restartPolicy=Always");
                                }
                        }
                        kl_api__vpop(v, mark);
                }
                v_host_ports(v, "initContainers", inits, host_ports);
        }
}

static void v_tolerations(struct kl_api__vctx *v, const json_t *tolerations)
{
        static const char *const ops[] = { "Equal", "Exists", NULL };
        static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute",
                                               NULL };
        json_t *t;
        size_t i;

        json_array_foreach(tolerations, i, t) {
                size_t mark = kl_api__vpush(v, "tolerations");
                const char *key = kl_api__jstr0(t, "key");
                const char *op = kl_api__jstr0(t, "operator");
                const char *value = kl_api__jstr0(t, "value");
                const char *effect = kl_api__jstr0(t, "effect");

                (void)kl_api__vpush_index(v, i);
                if (*key) {
                        char **msgs = NULL;

                        (void)kl_api_validate_qualified_name(key, &msgs);
                        kl_api__v_msgs(v, "key", key, msgs);
                }
                if (!*key && !kl_streq(op, "Exists"))
                        kl_api__v_invalid_str(v, "operator", op,
                                              "operator must be Exists when `key` is empty, which "
                                              "means \"match all values and all keys\"");
                if (kl_api__jhas(t, "tolerationSeconds") && !kl_streq(effect, "NoExecute"))
                        kl_api__v_invalid_str(v, "effect", effect,
                                              "effect must be 'NoExecute' when "
                                              "`tolerationSeconds` is set");
                if (!*op || kl_streq(op, "Equal")) {
                        char **msgs = NULL;

                        (void)kl_api_validate_label_value(value, &msgs);
                        kl_api__v_msgs(v, "operator", value, msgs);
                } else if (kl_streq(op, "Exists")) {
                        if (*value) {
                                int64_t secs = 0;
                                bool has_secs = kl_api__jint(t, "tolerationSeconds", &secs);
                                kl_autofree char *kq = kl_api_go_quoted(key);
                                kl_autofree char *oq = kl_api_go_quoted(op);
                                kl_autofree char *vq = kl_api_go_quoted(value);
                                kl_autofree char *eq = kl_api_go_quoted(effect);
                                kl_autofree char *sq =
                                        has_secs ? kl_asprintf("(*int64)(%lld)", (long long)secs)
                                                 : kl_strdup("(*int64)(nil)");

                                /* %#v of core.Toleration; a set pointer prints as an address
                                 * upstream. */
                                kl_api__v_invalid_take(
                                        v, "operator",
                                        kl_asprintf("core.Toleration{Key:%s, Operator:%s, "
                                                    "Value:%s, Effect:%s, TolerationSeconds:%s}",
                                                    kq, oq, vq, eq, sq),
                                        "value must be empty when `operator` is 'Exists'");
                        }
                } else {
                        kl_api__v_not_supported(v, "operator", op, ops);
                }
                if (*effect && !kl_streq(effect, "NoSchedule") &&
                    !kl_streq(effect, "PreferNoSchedule") && !kl_streq(effect, "NoExecute"))
                        kl_api__v_not_supported(v, "effect", effect, effects);
                kl_api__vpop(v, mark);
        }
}

void kl_api__v_pod_spec(struct kl_api__vctx *v, const json_t *spec, unsigned flags)
{
        json_auto_t *volumes = json_object();
        const char *rp = kl_api__jstr0(spec, "restartPolicy");
        const char *dns = kl_api__jstr0(spec, "dnsPolicy");
        const char *s;
        int64_t ads;

        v_volumes(v, kl_api__jarr(spec, "volumes"), volumes);
        if (v->implied_volumes) {
                const json_t *t;
                size_t i;

                json_array_foreach(v->implied_volumes, i, t) {
                        const char *name = kl_api__jstr0(kl_api__jobj(t, "metadata"), "name");

                        if (*name && !json_object_get(volumes, name))
                                json_object_set_new(volumes, name, json_object());
                }
        }
        v_containers(v, spec, volumes);

        if ((flags & KL_API__POD_IS_POD) && kl_api__jtrue(spec, "hostNetwork")) {
                json_t *c, *p;
                size_t i, j;

                json_array_foreach(kl_api__jarr(spec, "containers"), i, c) {
                        json_array_foreach(kl_api__jarr(c, "ports"), j, p) {
                                int64_t hp = 0, cp = 0;

                                (void)kl_api__jint(p, "hostPort", &hp);
                                (void)kl_api__jint(p, "containerPort", &cp);
                                if (hp != cp) {
                                        size_t mark = kl_api__vpush(v, "containers");

                                        (void)kl_api__vpush_index(v, i);
                                        (void)kl_api__vpush(v, "ports");
                                        (void)kl_api__vpush_index(v, j);
                                        kl_api__v_invalid_int(v, "hostPort", hp,
                                                              "must match `containerPort` when "
                                                              "`hostNetwork` is true");
                                        kl_api__vpop(v, mark);
                                }
                        }
                }
        }

        if (!*rp)
                kl_api__v_required(v, "restartPolicy", "");
        else if (!kl_streq(rp, "Always") && !kl_streq(rp, "OnFailure") && !kl_streq(rp, "Never"))
                kl_api__v_not_supported(v, "restartPolicy", rp, restart_policies);
        if (!*dns)
                kl_api__v_required(v, "dnsPolicy", "");
        else if (!kl_streq(dns, "ClusterFirstWithHostNet") && !kl_streq(dns, "ClusterFirst") &&
                 !kl_streq(dns, "Default") && !kl_streq(dns, "None"))
                kl_api__v_not_supported(v, "dnsPolicy", dns, dns_policies);
        kl_api__v_labels(v, "nodeSelector", kl_api__jobj(spec, "nodeSelector"));
        if (kl_streq(dns, "None")) {
                json_t *cfg = kl_api__jobj(spec, "dnsConfig");

                if (!cfg)
                        kl_api__v_required(v, "dnsConfig",
                                           "must provide `dnsConfig` when `dnsPolicy` is None");
                else if (kl_api__jlen(kl_api__jarr(cfg, "nameservers")) == 0)
                        kl_api__v_required(v, "dnsConfig.nameservers",
                                           "must provide at least one DNS nameserver when "
                                           "`dnsPolicy` is None");
        }
        if ((s = kl_api__jstr(spec, "serviceAccountName")) && *s)
                v_dns1123_subdomain(v, "serviceAccountName", s);
        if ((s = kl_api__jstr(spec, "nodeName")) && *s)
                v_dns1123_subdomain(v, "nodeName", s);
        if (kl_api__jint(spec, "activeDeadlineSeconds", &ads) && (ads < 1 || ads > INT32_MAX))
                kl_api__v_invalid_int(v, "activeDeadlineSeconds", ads,
                                      "must be between 1 and 2147483647, inclusive");
        if ((s = kl_api__jstr(spec, "hostname")) && *s)
                v_dns1123_label(v, "hostname", s);
        if ((s = kl_api__jstr(spec, "subdomain")) && *s)
                v_dns1123_label(v, "subdomain", s);
        v_tolerations(v, kl_api__jarr(spec, "tolerations"));
        if ((s = kl_api__jstr(spec, "priorityClassName")) && *s)
                v_dns1123_subdomain(v, "priorityClassName", s);
}

void kl_api__v_pod_template(struct kl_api__vctx *v, const json_t *tmpl)
{
        json_t *meta = kl_api__jobj(tmpl, "metadata");
        size_t mark;

        /* Upstream reports template labels at "<template>.labels", without "metadata". */
        kl_api__v_labels(v, "labels", kl_api__jobj(meta, "labels"));
        kl_api__v_annotations(v, "annotations", kl_api__jobj(meta, "annotations"));
        mark = kl_api__vpush(v, "spec");
        kl_api__v_pod_spec(v, kl_api__jobj(tmpl, "spec"), 0);
        kl_api__vpop(v, mark);
        if (kl_api__jlen(kl_api__jarr(kl_api__jobj(tmpl, "spec"), "ephemeralContainers")) > 0)
                kl_api__v_forbidden(v, "spec.ephemeralContainers",
                                    "ephemeral containers not allowed in pod template");
}

/*
 * ---------------------------------------------------------------------------
 * Pod
 */

static const char *const pod_updatable =
        "pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
        "set to 1 if it was previously negative)";

/* Copy the images of `from`'s containers into `to`'s, index by index. */
static void copy_images(json_t *to, const json_t *from, const char *list)
{
        json_t *tc = kl_api__jarr(to, list), *fc = kl_api__jarr(from, list), *c;
        size_t i;

        json_array_foreach(tc, i, c) {
                json_t *img = json_object_get(json_array_get(fc, i), "image");

                if (json_is_object(c) && img)
                        kl_assert(json_object_set(c, "image", img) == 0);
        }
}

static void v_pod_update(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        json_t *old_spec = kl_api__jobj(old, "spec");
        json_auto_t *munged = json_deep_copy(spec ? spec : json_null());
        int64_t ads = 0, old_ads = 0, tgp = 0, old_tgp = 0;
        bool has_ads = kl_api__jint(spec, "activeDeadlineSeconds", &ads);
        bool had_ads = kl_api__jint(old_spec, "activeDeadlineSeconds", &old_ads);
        size_t mark = kl_api__vpush(v, "spec");

        if (has_ads) {
                if (ads < 0 || ads > INT32_MAX) {
                        kl_api__v_invalid_int(v, "activeDeadlineSeconds", ads,
                                              "must be between 0 and 2147483647, inclusive");
                        kl_api__vpop(v, mark);
                        return;
                }
                if (had_ads && old_ads < ads) {
                        kl_api__v_invalid_int(v, "activeDeadlineSeconds", ads,
                                              "must be less than or equal to previous value");
                        kl_api__vpop(v, mark);
                        return;
                }
        } else if (had_ads) {
                kl_api__v_invalid_take(v, "activeDeadlineSeconds", kl_strdup("null"),
                                       "must not update from a positive integer to nil value");
        }

        /* Existing tolerations may only gain tolerationSeconds changes; new ones may be added. */
        {
                json_t *nt = kl_api__jarr(spec, "tolerations"), *ot, *t;
                size_t i, j;

                json_array_foreach(kl_api__jarr(old_spec, "tolerations"), i, ot) {
                        bool found = false;
                        json_auto_t *a = json_deep_copy(ot);

                        (void)json_object_del(a, "tolerationSeconds");
                        json_array_foreach(nt, j, t) {
                                json_auto_t *b = json_deep_copy(t);

                                (void)json_object_del(b, "tolerationSeconds");
                                if (json_equal(a, b)) {
                                        found = true;
                                        break;
                                }
                        }
                        if (!found) {
                                kl_api__v_forbidden(v, "tolerations",
                                                    "existing toleration can not be modified "
                                                    "except its tolerationSeconds");
                                break;
                        }
                }
        }

        if (json_is_object(munged) && old_spec) {
                json_t *m;

                copy_images(munged, old_spec, "containers");
                copy_images(munged, old_spec, "initContainers");
                if ((m = json_object_get(old_spec, "activeDeadlineSeconds")))
                        kl_assert(json_object_set(munged, "activeDeadlineSeconds", m) == 0);
                else
                        (void)json_object_del(munged, "activeDeadlineSeconds");
                if ((m = json_object_get(old_spec, "tolerations")))
                        kl_assert(json_object_set(munged, "tolerations", m) == 0);
                else
                        (void)json_object_del(munged, "tolerations");
                if (kl_api__jint(old_spec, "terminationGracePeriodSeconds", &old_tgp) &&
                    old_tgp < 0 && kl_api__jint(spec, "terminationGracePeriodSeconds", &tgp) &&
                    tgp == 1)
                        kl_assert(json_object_set(
                                          munged, "terminationGracePeriodSeconds",
                                          json_object_get(old_spec,
                                                          "terminationGracePeriodSeconds")) == 0);
                /*
                 * Upstream appends a cmp.Diff of the two specs to the message;
                 * we name the rule only.
                 */
                if (!json_equal(munged, old_spec))
                        kl_api__v_forbidden(v, NULL, pod_updatable);
        }
        kl_api__vpop(v, mark);
}

void kl_api__validate_pod(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        kl_api__v_pod_spec(v, spec, KL_API__POD_IS_POD);
        if (!old && kl_api__jlen(kl_api__jarr(spec, "ephemeralContainers")) > 0)
                kl_api__v_forbidden(v, "ephemeralContainers", "cannot be set on create");
        kl_api__vpop(v, mark);
        if (old) {
                kl_api__v_object_meta_update(v, obj, old);
                v_pod_update(v, obj, old);
        }
}
