/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Service, ConfigMap, Secret, Namespace and Node validation (upstream's
 * pkg/apis/core/validation ValidateService, ValidateConfigMap,
 * ValidateSecret, ValidateNamespace, ValidateNode and their Update forms;
 * of a Node only its metadata and spec.podCIDRs are checked so far).
 *
 * Service: checked are ports (required unless headless or ExternalName,
 * names, port and targetPort ranges, protocols, duplicates), nodePorts
 * (forbidden for ClusterIP, the default 30000-32767 allocator range,
 * duplicates), type, selector labels, sessionAffinity and its config,
 * clusterIP/clusterIPs syntax and immutability, ipFamilyPolicy,
 * ipFamilies, external and internal traffic policies, externalName and
 * externalIPs syntax. Not yet: loadBalancerSourceRanges, the dual-stack
 * consistency rules between clusterIPs, ipFamilies and the policy, and
 * type-change rules beyond clusterIPs.
 */
#include <arpa/inet.h>
#include <string.h>

#include "api/selector.h"
#include "api/validate-internal.h"
#include "base/base.h"

/* core.MaxSecretSize, the limit of ConfigMap and Secret data alike. */
#define DATA_MAX_BYTES ((size_t)1 << 20)

static bool is_ip(const char *s)
{
        unsigned char buf[16];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static const char *const ip_msg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

/*
 * ---------------------------------------------------------------------------
 * Service
 */

static bool is_headless(const json_t *spec)
{
        json_t *ips = kl_api__jarr(spec, "clusterIPs");
        const char *ip = kl_api__jstr0(spec, "clusterIP");

        if (json_array_size(ips) > 0)
                return kl_streq(json_string_value(json_array_get(ips, 0)) ?: "", "None");
        return kl_streq(ip, "None");
}

/* The %#v of the core.ServicePort key upstream puts in a duplicate-port error. */
static char *go_service_port_key(const char *protocol, int64_t port)
{
        kl_autofree char *p = kl_api_go_quoted(protocol);

        return kl_asprintf(
                "core.ServicePort{Name:\"\", Protocol:%s, AppProtocol:(*string)(nil), "
                "Port:%lld, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
                "NodePort:0}",
                p, (long long)port);
}

static void v_service_ports(struct kl_api__vctx *v, const json_t *spec, const char *type)
{
        static const char *const protocols[] = { "SCTP", "TCP", "UDP", NULL };
        json_t *ports = kl_api__jarr(spec, "ports"), *p;
        json_auto_t *names = json_object();
        json_auto_t *node_ports = json_object();
        json_auto_t *keys = json_object();
        bool require_name = json_array_size(ports) > 1;
        bool allocates = kl_streq(type, "NodePort") || kl_streq(type, "LoadBalancer");
        size_t i;

        json_array_foreach(ports, i, p) {
                size_t mark = kl_api__vpush(v, "ports");
                const char *name = kl_api__jstr0(p, "name");
                const char *proto = kl_api__jstr0(p, "protocol");
                int64_t port = 0, node_port = 0;
                kl_autofree char *key = NULL;

                (void)kl_api__vpush_index(v, i);
                if (require_name && !*name) {
                        kl_api__v_required(v, "name", "");
                } else if (*name) {
                        char **msgs = NULL;

                        (void)kl_api_validate_dns1123_label(name, &msgs);
                        kl_api__v_msgs(v, "name", name, msgs);
                        if (json_object_get(names, name))
                                kl_api__v_duplicate_take(v, "name", kl_api_go_quoted(name));
                        else
                                kl_assert(json_object_set_new(names, name, json_true()) == 0);
                }
                (void)kl_api__jint(p, "port", &port);
                if (!kl_api__port_ok(port))
                        kl_api__v_invalid_int(v, "port", port,
                                              "must be between 1 and 65535, inclusive");
                if (!*proto)
                        kl_api__v_required(v, "protocol", "");
                else if (!kl_streq(proto, "TCP") && !kl_streq(proto, "UDP") &&
                         !kl_streq(proto, "SCTP"))
                        kl_api__v_not_supported(v, "protocol", proto, protocols);
                kl_api__v_port_num_or_name(v, p, "targetPort");
                if (kl_api__jhas(p, "appProtocol")) {
                        char **msgs = NULL;
                        const char *ap = kl_api__jstr0(p, "appProtocol");

                        (void)kl_api_validate_qualified_name(ap, &msgs);
                        kl_api__v_msgs(v, "appProtocol", ap, msgs);
                }
                if (kl_streq(type, "LoadBalancer") && port == 10250)
                        kl_api__v_invalid_int(v, NULL, port,
                                              "may not expose port 10250 externally since it is "
                                              "used by kubelet");
                if (kl_api__jint(p, "nodePort", &node_port) && node_port != 0) {
                        if (kl_streq(type, "ClusterIP"))
                                kl_api__v_forbidden(v, "nodePort",
                                                    "may not be used when `type` is 'ClusterIP'");
                        key = kl_asprintf("%s/%lld", proto, (long long)node_port);
                        if (json_object_get(node_ports, key))
                                kl_api__v_duplicate_take(v, "nodePort",
                                                         kl_asprintf("%lld", (long long)node_port));
                        else
                                kl_assert(json_object_set_new(node_ports, key, json_true()) == 0);
                        /* The node-port allocator's check, with its default range. */
                        if (allocates && (node_port < 30000 || node_port > 32767))
                                kl_api__v_invalid_int(v, "nodePort", node_port,
                                                      "provided port is not in the valid range. "
                                                      "The range of valid ports is 30000-32767");
                        free(KL_TAKE_PTR(key));
                }
                key = kl_asprintf("%s/%lld", proto, (long long)port);
                if (json_object_get(keys, key))
                        kl_api__v_duplicate_take(v, NULL, go_service_port_key(proto, port));
                else
                        kl_assert(json_object_set_new(keys, key, json_true()) == 0);
                kl_api__vpop(v, mark);
        }
}

static void v_cluster_ips(struct kl_api__vctx *v, const json_t *spec)
{
        json_t *ips = kl_api__jarr(spec, "clusterIPs"), *ip;
        const char *cluster_ip = kl_api__jstr0(spec, "clusterIP");
        json_auto_t *implied = NULL;
        size_t i;

        /* The strategy fills clusterIPs from clusterIP before validating. */
        if (json_array_size(ips) == 0 && *cluster_ip) {
                implied = json_pack("[s]", cluster_ip);
                ips = implied;
        }
        if (*cluster_ip && json_array_size(ips) > 0 &&
            !kl_streq(cluster_ip, json_string_value(json_array_get(ips, 0)) ?: ""))
                kl_api__v_invalid_take(v, "clusterIPs", kl_api__go_json(ips),
                                       "first value must match `clusterIP`");
        json_array_foreach(ips, i, ip) {
                const char *s = json_string_value(ip) ?: "";
                size_t mark = kl_api__vpush(v, "clusterIPs");

                (void)kl_api__vpush_index(v, i);
                if (kl_streq(s, "None")) {
                        if (json_array_size(ips) > 1)
                                kl_api__v_invalid_take(v, NULL, kl_api__go_json(ips),
                                                       "'None' must be the first and only value");
                } else if (!is_ip(s)) {
                        kl_api__v_invalid_str(v, NULL, s, ip_msg);
                }
                kl_api__vpop(v, mark);
        }
}

void kl_api__validate_service(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        static const char *const types[] = { "ClusterIP", "ExternalName", "LoadBalancer",
                                             "NodePort", NULL };
        static const char *const affinities[] = { "ClientIP", "None", NULL };
        static const char *const policies[] = { "PreferDualStack", "RequireDualStack",
                                                "SingleStack", NULL };
        static const char *const families[] = { "IPv4", "IPv6", NULL };
        static const char *const traffic[] = { "Cluster", "Local", NULL };
        json_t *spec = kl_api__jobj(obj, "spec");
        const char *type = kl_api__jstr0(spec, "type");
        const char *affinity = kl_api__jstr0(spec, "sessionAffinity");
        bool headless = is_headless(spec);
        bool external_name = kl_streq(type, "ExternalName");
        const char *s;
        json_t *a, *m;
        size_t mark, i;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1035_label);
        mark = kl_api__vpush(v, "spec");
        if (kl_api__jlen(kl_api__jarr(spec, "ports")) == 0 && !headless && !external_name)
                kl_api__v_required(v, "ports", "");
        if (kl_streq(type, "LoadBalancer") && headless)
                kl_api__v_invalid_str(v, "clusterIPs[0]", "None",
                                      "may not be set to 'None' for LoadBalancer services");
        if (kl_streq(type, "NodePort") && headless)
                kl_api__v_invalid_str(v, "clusterIPs[0]", "None",
                                      "may not be set to 'None' for NodePort services");
        if (external_name) {
                kl_autofree char *cname = kl_strdup(kl_api__jstr0(spec, "externalName"));
                size_t len = strlen(cname);

                if (kl_api__jlen(kl_api__jarr(spec, "clusterIPs")) > 0 ||
                    *kl_api__jstr0(spec, "clusterIP"))
                        kl_api__v_forbidden(v, "clusterIPs",
                                            "may not be set for ExternalName services");
                if (kl_api__jlen(kl_api__jarr(spec, "ipFamilies")) > 0)
                        kl_api__v_forbidden(v, "ipFamilies",
                                            "may not be set for ExternalName services");
                if (kl_api__jhas(spec, "ipFamilyPolicy"))
                        kl_api__v_forbidden(v, "ipFamilyPolicy",
                                            "may not be set for ExternalName services");
                /* A trailing dot marks the name fully qualified. */
                if (len > 0 && cname[len - 1] == '.')
                        cname[len - 1] = '\0';
                if (*cname) {
                        char **msgs = NULL;

                        (void)kl_api_validate_dns1123_subdomain(cname, &msgs);
                        kl_api__v_msgs(v, "externalName", cname, msgs);
                } else {
                        kl_api__v_required(v, "externalName", "");
                }
        }
        v_service_ports(v, spec, type);
        kl_api__v_labels(v, "selector", kl_api__jobj(spec, "selector"));
        if (!*affinity) {
                kl_api__v_required(v, "sessionAffinity", "");
        } else if (!kl_streq(affinity, "ClientIP") && !kl_streq(affinity, "None")) {
                kl_api__v_not_supported(v, "sessionAffinity", affinity, affinities);
        } else if (kl_streq(affinity, "ClientIP")) {
                json_t *cfg = kl_api__jobj(spec, "sessionAffinityConfig");
                json_t *cip = kl_api__jobj(cfg, "clientIP");
                int64_t t;

                if (!cfg)
                        kl_api__v_required(v, "sessionAffinityConfig",
                                           "when session affinity type is ClientIP");
                else if (!cip)
                        kl_api__v_required(v, "sessionAffinityConfig.clientIP",
                                           "when session affinity type is ClientIP");
                else if (!kl_api__jint(cip, "timeoutSeconds", &t))
                        kl_api__v_required(v, "sessionAffinityConfig.clientIP.timeoutSeconds",
                                           "when session affinity type is ClientIP");
                else if (t <= 0 || t > 86400)
                        kl_api__v_invalid_int(v, "sessionAffinityConfig.clientIP.timeoutSeconds", t,
                                              "must be greater than 0 and less than 86400");
        } else if (kl_api__jhas(spec, "sessionAffinityConfig")) {
                kl_api__v_forbidden(v, "sessionAffinityConfig",
                                    "must not be set when session affinity is None");
        }
        if (!external_name)
                v_cluster_ips(v, spec);
        if ((s = kl_api__jstr(spec, "ipFamilyPolicy"))) {
                bool ok = false;

                for (i = 0; policies[i]; i++)
                        ok |= kl_streq(policies[i], s);
                if (!ok)
                        kl_api__v_not_supported(v, "ipFamilyPolicy", s, policies);
        }
        {
                json_auto_t *seen = json_object();

                json_array_foreach(kl_api__jarr(spec, "ipFamilies"), i, a) {
                        const char *f = json_string_value(a) ?: "";
                        size_t m2 = kl_api__vpush(v, "ipFamilies");

                        (void)kl_api__vpush_index(v, i);
                        if (!kl_streq(f, "IPv4") && !kl_streq(f, "IPv6"))
                                kl_api__v_not_supported(v, NULL, f, families);
                        else if (json_object_get(seen, f))
                                kl_api__v_duplicate_take(v, NULL, kl_api_go_quoted(f));
                        else
                                kl_assert(json_object_set_new(seen, f, json_true()) == 0);
                        kl_api__vpop(v, m2);
                }
        }
        json_array_foreach(kl_api__jarr(spec, "externalIPs"), i, m) {
                const char *ip = json_string_value(m) ?: "";
                size_t m2 = kl_api__vpush(v, "externalIPs");

                (void)kl_api__vpush_index(v, i);
                if (!is_ip(ip))
                        kl_api__v_invalid_str(v, NULL, ip, ip_msg);
                kl_api__vpop(v, m2);
        }
        if (!*type) {
                kl_api__v_required(v, "type", "");
        } else {
                bool ok = false;

                for (i = 0; types[i]; i++)
                        ok |= kl_streq(types[i], type);
                if (!ok)
                        kl_api__v_not_supported(v, "type", type, types);
        }
        if ((s = kl_api__jstr(spec, "externalTrafficPolicy")) && *s) {
                bool accessible = kl_streq(type, "NodePort") || kl_streq(type, "LoadBalancer") ||
                                  (kl_streq(type, "ClusterIP") &&
                                   kl_api__jlen(kl_api__jarr(spec, "externalIPs")) > 0);

                if (!accessible)
                        kl_api__v_invalid_str(v, "externalTrafficPolicy", s,
                                              "may only be set for externally-accessible services");
                else if (!kl_streq(s, "Cluster") && !kl_streq(s, "Local"))
                        kl_api__v_not_supported(v, "externalTrafficPolicy", s, traffic);
        }
        if ((s = kl_api__jstr(spec, "internalTrafficPolicy")) && !kl_streq(s, "Cluster") &&
            !kl_streq(s, "Local"))
                kl_api__v_not_supported(v, "internalTrafficPolicy", s, traffic);
        kl_api__vpop(v, mark);

        if (old) {
                json_t *old_spec = kl_api__jobj(old, "spec");
                json_t *nips = kl_api__jarr(spec, "clusterIPs");
                json_t *oips = kl_api__jarr(old_spec, "clusterIPs");
                size_t nn = json_array_size(nips), on = json_array_size(oips);

                kl_api__v_object_meta_update(v, obj, old);
                /*
                 * validateUpgradeDowngradeClusterIPs: the primary address never
                 * changes; a secondary may be added or released. ExternalName
                 * services on either side and headless ones on both are exempt.
                 */
                if (!external_name && !kl_streq(kl_api__jstr0(old_spec, "type"), "ExternalName") &&
                    !(headless && is_headless(old_spec))) {
                        mark = kl_api__vpush(v, "spec");
                        if (nn == on) {
                                for (i = 0; i < on; i++) {
                                        if (!json_equal(json_array_get(nips, i),
                                                        json_array_get(oips, i))) {
                                                size_t m2 = kl_api__vpush(v, "clusterIPs");

                                                (void)kl_api__vpush_index(v, i);
                                                kl_api__v_invalid_take(v, NULL,
                                                                       kl_api__go_json(nips),
                                                                       "may not change once set");
                                                kl_api__vpop(v, m2);
                                        }
                                }
                        } else if (nn == 0) {
                                kl_api__v_invalid_take(v, "clusterIPs[0]",
                                                       kl_strdup("[]string(nil)"),
                                                       "primary clusterIP can not be unset");
                        } else if (on > 0 &&
                                   !json_equal(json_array_get(nips, 0), json_array_get(oips, 0))) {
                                kl_api__v_invalid_take(v, "clusterIPs[0]", kl_api__go_json(nips),
                                                       "may not change once set");
                        }
                        kl_api__vpop(v, mark);
                }
        }
}

/*
 * ---------------------------------------------------------------------------
 * ConfigMap and Secret
 */

static void v_data_keys(struct kl_api__vctx *v, const char *child, const json_t *data)
{
        kl_autofree const char **keys = NULL;
        size_t n, i;

        if (!json_is_object(data))
                return;
        keys = kl_api__sorted_keys(data, &n);
        for (i = 0; i < n; i++) {
                size_t mark = kl_api__vpush(v, child);
                char **msgs = NULL;

                (void)kl_api__vpush_key(v, keys[i]);
                (void)kl_api__config_key_msgs(keys[i], &msgs);
                kl_api__v_msgs(v, NULL, keys[i], msgs);
                kl_api__vpop(v, mark);
        }
}

static void v_immutable_data(struct kl_api__vctx *v, const json_t *obj, const json_t *old,
                             const char *const *fields)
{
        if (!kl_api__jtrue(old, "immutable"))
                return;
        if (!kl_api__jtrue(obj, "immutable"))
                kl_api__v_forbidden(v, "immutable", "field is immutable when `immutable` is set");
        for (size_t i = 0; fields[i]; i++) {
                json_t *a = json_object_get(obj, fields[i]);
                json_t *b = json_object_get(old, fields[i]);

                /* Go's DeepEqual sees a nil map and an empty one as different; JSON cannot. */
                if (kl_api__jlen(a) == 0 && kl_api__jlen(b) == 0)
                        continue;
                if (!a || !b || !json_equal(a, b))
                        kl_api__v_forbidden(v, fields[i],
                                            "field is immutable when `immutable` is set");
        }
}

void kl_api__validate_configmap(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        static const char *const fields[] = { "data", "binaryData", NULL };
        json_t *data = kl_api__jobj(obj, "data");
        json_t *bin = kl_api__jobj(obj, "binaryData");
        const char *k;
        json_t *m;
        size_t total = 0;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        v_data_keys(v, "data", data);
        if (data && bin) {
                kl_autofree const char **keys = NULL;
                size_t n, i;

                keys = kl_api__sorted_keys(data, &n);
                for (i = 0; i < n; i++) {
                        if (json_object_get(bin, keys[i])) {
                                size_t mark = kl_api__vpush(v, "data");

                                (void)kl_api__vpush_key(v, keys[i]);
                                kl_api__v_invalid_str(v, NULL, keys[i],
                                                      "duplicate of key present in binaryData");
                                kl_api__vpop(v, mark);
                        }
                }
        }
        v_data_keys(v, "binaryData", bin);
        json_object_foreach(data, k, m)
                total += json_string_length(m);
        /* binaryData holds base64 text; upstream counts the decoded bytes. */
        json_object_foreach(bin, k, m)
                total += json_string_length(m) / 4 * 3;
        if (total > DATA_MAX_BYTES) {
                size_t mark = kl_api__vpush_key(v, "");

                kl_api__v_too_long(v, NULL, DATA_MAX_BYTES);
                kl_api__vpop(v, mark);
        }
        if (old) {
                kl_api__v_object_meta_update(v, obj, old);
                v_immutable_data(v, obj, old, fields);
        }
}

static int b64_value(unsigned char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/*
 * Go's base64.StdEncoding.DecodeString as JSON []byte decoding uses it:
 * padded standard alphabet, CR and LF ignored. Returns the decoded length,
 * or -1 with *ret_bad_at set to the input offset Go reports.
 */
static ssize_t b64_check(const char *s, size_t len, size_t *ret_bad_at)
{
        size_t n = 0, quad = 0, pad = 0, i;

        for (i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c == '\r' || c == '\n')
                        continue;
                if (c == '=') {
                        if (quad < 2) {
                                *ret_bad_at = i;
                                return -1;
                        }
                        pad++;
                        quad++;
                        if (quad == 4) {
                                quad = 0;
                                /* Anything but line breaks after the padding is an error. */
                                for (size_t j = i + 1; j < len; j++) {
                                        if (s[j] != '\r' && s[j] != '\n') {
                                                *ret_bad_at = j;
                                                return -1;
                                        }
                                }
                                break;
                        }
                        continue;
                }
                if (pad > 0 || b64_value(c) < 0) {
                        *ret_bad_at = i;
                        return -1;
                }
                quad = (quad + 1) % 4;
                if (quad != 1)
                        n++;
        }
        if (quad != 0) {
                *ret_bad_at = len;
                return -1;
        }
        return (ssize_t)n;
}

static char *b64_decode(const char *s, size_t len, size_t *ret_len)
{
        char *out = kl_malloc(len / 4 * 3 + 4);
        uint32_t acc = 0;
        size_t n = 0, bits = 0;

        for (size_t i = 0; i < len; i++) {
                int val = b64_value((unsigned char)s[i]);

                if (val < 0)
                        continue;
                acc = (acc << 6) | (uint32_t)val;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[n++] = (char)((acc >> bits) & 0xff);
                }
        }
        out[n] = '\0';
        *ret_len = n;
        return out;
}

static void v_secret_json_key(struct kl_api__vctx *v, const json_t *data, const char *key)
{
        json_t *m = json_object_get(data, key);
        size_t mark = kl_api__vpush(v, "data");
        size_t bad, len;

        (void)kl_api__vpush_key(v, key);
        if (!m) {
                kl_api__v_required(v, NULL, "");
        } else if (json_is_string(m) &&
                   b64_check(json_string_value(m), json_string_length(m), &bad) >= 0) {
                kl_autofree char *raw =
                        b64_decode(json_string_value(m), json_string_length(m), &len);
                json_auto_t *doc = json_loadb(raw, len, 0, NULL);

                if (!json_is_object(doc))
                        kl_api__v_invalid_str(v, NULL, "<secret contents redacted>",
                                              len == 0 ? "unexpected end of JSON input"
                                                       : "invalid character looking for "
                                                         "beginning of value");
        }
        kl_api__vpop(v, mark);
}

void kl_api__validate_secret(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        static const char *const fields[] = { "data", NULL };
        json_t *data = kl_api__jobj(obj, "data");
        const char *type = kl_api__jstr0(obj, "type");
        kl_autofree const char **keys = NULL;
        size_t total = 0, n = 0, i;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        if (data)
                keys = kl_api__sorted_keys(data, &n);
        for (i = 0; i < n; i++) {
                json_t *m = json_object_get(data, keys[i]);
                size_t mark = kl_api__vpush(v, "data");
                char **msgs = NULL;
                size_t bad = 0;
                ssize_t len;

                (void)kl_api__vpush_key(v, keys[i]);
                (void)kl_api__config_key_msgs(keys[i], &msgs);
                kl_api__v_msgs(v, NULL, keys[i], msgs);
                /*
                 * Upstream fails such a body while decoding it (400 "illegal
                 * base64 data at input byte N"); JSON reaches us undecoded,
                 * so it is a field error here.
                 */
                len = json_is_string(m)
                              ? b64_check(json_string_value(m), json_string_length(m), &bad)
                              : 0;
                if (len < 0) {
                        kl_autofree char *d =
                                kl_asprintf("illegal base64 data at input byte %zu", bad);

                        kl_api__v_invalid_str(v, NULL, "<secret contents redacted>", d);
                } else {
                        total += (size_t)len;
                }
                kl_api__vpop(v, mark);
        }
        if (total > DATA_MAX_BYTES)
                kl_api__v_too_long(v, "data", DATA_MAX_BYTES);

        if (kl_streq(type, "kubernetes.io/service-account-token")) {
                if (!*kl_api__jstr0(kl_api__jobj(kl_api__jobj(obj, "metadata"), "annotations"),
                                    "kubernetes.io/service-account.name"))
                        kl_api__v_required(
                                v, "metadata.annotations[kubernetes.io/service-account.name]", "");
        } else if (kl_streq(type, "kubernetes.io/dockercfg")) {
                v_secret_json_key(v, data, ".dockercfg");
        } else if (kl_streq(type, "kubernetes.io/dockerconfigjson")) {
                v_secret_json_key(v, data, ".dockerconfigjson");
        } else if (kl_streq(type, "kubernetes.io/basic-auth")) {
                if (!json_object_get(data, "username") && !json_object_get(data, "password")) {
                        kl_api__v_required(v, "data[username]", "");
                        kl_api__v_required(v, "data[password]", "");
                }
        } else if (kl_streq(type, "kubernetes.io/ssh-auth")) {
                if (json_string_length(json_object_get(data, "ssh-privatekey")) == 0)
                        kl_api__v_required(v, "data[ssh-privatekey]", "");
        } else if (kl_streq(type, "kubernetes.io/tls")) {
                if (!json_object_get(data, "tls.crt"))
                        kl_api__v_required(v, "data[tls.crt]", "");
                if (!json_object_get(data, "tls.key"))
                        kl_api__v_required(v, "data[tls.key]", "");
        }

        if (old) {
                kl_api__v_object_meta_update(v, obj, old);
                kl_api__v_immutable(v, "type", json_object_get(obj, "type"),
                                    json_object_get(old, "type"));
                v_immutable_data(v, obj, old, fields);
        }
}

/*
 * ---------------------------------------------------------------------------
 * Namespace
 */

void kl_api__validate_namespace(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *fins = kl_api__jarr(kl_api__jobj(obj, "spec"), "finalizers"), *f;
        size_t i;

        kl_api__v_object_meta(v, obj, false, kl_api__name_dns1123_label);
        json_array_foreach(fins, i, f) {
                const char *s = json_string_value(f) ?: "";
                char **msgs = NULL;

                (void)kl_api_validate_qualified_name(s, &msgs);
                kl_api__v_msgs(v, "spec.finalizers", s, msgs);
                if (!strchr(s, '/') && !kl_streq(s, "kubernetes") && !kl_streq(s, "orphan") &&
                    !kl_streq(s, "foregroundDeletion"))
                        kl_api__v_invalid_str(v, "spec.finalizers", s,
                                              "name is neither a standard finalizer name nor is it "
                                              "fully qualified");
        }
        if (old)
                kl_api__v_object_meta_update(v, obj, old);
}

/*
 * ---------------------------------------------------------------------------
 * Node
 */

/* netutils.ParseCIDRSloppy: an IPv4 or IPv6 address, '/', a prefix length; ret 4 or 6. */
static int cidr_family(const char *s)
{
        char addr[INET6_ADDRSTRLEN];
        const char *slash = strchr(s, '/');
        unsigned char buf[16];
        unsigned prefix;

        if (!slash || (size_t)(slash - s) >= sizeof(addr) || kl_parse_uint(slash + 1, &prefix) < 0)
                return 0;
        memcpy(addr, s, (size_t)(slash - s));
        addr[slash - s] = '\0';
        if (inet_pton(AF_INET, addr, buf) == 1)
                return prefix <= 32 ? 4 : 0;
        if (inet_pton(AF_INET6, addr, buf) == 1)
                return prefix <= 128 ? 6 : 0;
        return 0;
}

void kl_api__validate_node(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *cidrs = kl_api__jarr(kl_api__jobj(obj, "spec"), "podCIDRs"), *c;
        json_t *old_cidrs = kl_api__jarr(kl_api__jobj(old, "spec"), "podCIDRs");
        int families[3] = { 0 };
        size_t i;

        kl_api__v_object_meta(v, obj, false, kl_api__name_dns1123_subdomain);
        json_array_foreach(cidrs, i, c) {
                int fam = json_string_value(c) ? cidr_family(json_string_value(c)) : 0;

                if (i < KL_ARRAY_SIZE(families))
                        families[i] = fam;
                if (fam == 0) {
                        size_t mark = kl_api__vpush(v, "spec.podCIDRs");

                        kl_api__vpush_index(v, i);
                        kl_api__v_invalid_take(v, NULL, kl_api__go_json(cidrs),
                                               "must be valid CIDR");
                        kl_api__vpop(v, mark);
                }
        }
        /* More than one: one of each family at most (dual stack). */
        if (json_array_size(cidrs) > 2 || (json_array_size(cidrs) == 2 && families[0] &&
                                           families[1] && families[0] == families[1]))
                kl_api__v_invalid_take(v, "spec.podCIDRs", kl_api__go_json(cidrs),
                                       "may specify no more than one CIDR for each IP family");
        if (!old)
                return;
        kl_api__v_object_meta_update(v, obj, old);
        /* The controller manager may give a node its range once; then it is fixed. */
        if (json_array_size(old_cidrs) > 0 && (!cidrs || !json_equal(old_cidrs, cidrs)))
                kl_api__v_forbidden(v, "spec.podCIDRs",
                                    "node updates may not change podCIDR except from \"\" to "
                                    "valid");
}
