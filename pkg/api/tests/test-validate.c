/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation tables: each case is a base manifest of one kind, changed by a
 * JSON merge patch, defaulted, validated; the errors, one "field: body" per
 * line, must be upstream's byte for byte (kube-apiserver v1.32 wording,
 * which kubectl prints). An empty expectation means the object is valid.
 * Update cases validate the patched object against the unpatched one.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/defaults.h"
#include "api/resource.h"
#include "api/validate-internal.h"
#include "api/validate.h"
#include "base/base.h"
#include "json/json.h"

#define SUBDOMAIN_MSG                                                                                \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " \
        "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "     \
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define LABEL_1123_MSG                                                                           \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define LABEL_1035_MSG                                                                               \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " \
        "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "         \
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define NAME_PART_MSG                                                                             \
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and " \
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex " \
        "used for validation is '" QNAME_RE "')"
#define LABEL_VALUE_MSG                                                                          \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "    \
        "'my_value',  or '12345', regex used for validation is '(" QNAME_RE ")?')"
#define CONFIG_KEY_MSG                                                                       \
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. " \
        "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "          \
        "'[-._a-zA-Z0-9]+')"
#define PORT_RANGE "must be between 1 and 65535, inclusive"
#define NONNEG     "must be greater than or equal to 0"

#define CTR "{\"name\":\"c\",\"image\":\"nginx\"}"
#define POD_BASE                                                                              \
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":" \
        "\"default\"},\"spec\":{\"containers\":[" CTR "]}}"
#define SVC_BASE                                                                         \
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\","      \
        "\"namespace\":\"default\"},\"spec\":{\"selector\":{\"app\":\"a\"},\"ports\":[{" \
        "\"port\":80}]}}"
#define TMPL                                                                                     \
        "\"selector\":{\"matchLabels\":{\"app\":\"a\"}},\"template\":{\"metadata\":{\"labels\":" \
        "{\"app\":\"a\"}},\"spec\":{\"containers\":[" CTR "]}}"
#define DEPLOY_BASE                                                                         \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"," \
        "\"namespace\":\"default\"},\"spec\":{" TMPL "}}"
#define RS_BASE                                                                             \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"r\"," \
        "\"namespace\":\"default\"},\"spec\":{" TMPL "}}"
#define STS_BASE                                                                             \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"s\"," \
        "\"namespace\":\"default\"},\"spec\":{\"serviceName\":\"s\"," TMPL "}}"
#define DS_BASE                                                                             \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"ds\"," \
        "\"namespace\":\"default\"},\"spec\":{" TMPL "}}"
#define JOB_BASE                                                                               \
        "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"j\","          \
        "\"namespace\":\"default\"},\"spec\":{\"selector\":{\"matchLabels\":{\"job\":\"j\"}}," \
        "\"template\":{\"metadata\":{\"labels\":{\"job\":\"j\"}},\"spec\":{\"restartPolicy\":" \
        "\"Never\",\"containers\":[" CTR "]}}}}"
#define CJ_BASE                                                                                  \
        "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"cj\","       \
        "\"namespace\":\"default\"},\"spec\":{\"schedule\":\"*/5 * * * *\",\"jobTemplate\":{"    \
        "\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"OnFailure\",\"containers\":[" CTR \
        "]}}}}}}"
#define CM_BASE                                                                        \
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\"," \
        "\"namespace\":\"default\"},\"data\":{\"a\":\"b\"}}"
#define SECRET_BASE                                                                \
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"," \
        "\"namespace\":\"default\"},\"data\":{\"a\":\"YQ==\"}}"
#define NS_BASE "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns\"}}"

struct vcase {
        const char *group;
        const char *kind;
        const char *base;
        const char *patch; /* JSON merge patch applied to base; NULL for none */
        const char *want;  /* "field: body" lines joined by '\n'; "" for valid */
};

static json_t *parse(const char *text)
{
        json_t *v = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e), 0,
                     "bad test JSON '%s': %s", text, kl_err_msg(e));
        return v;
}

/* RFC 7386, enough for tests. */
static void merge(json_t *target, const json_t *patch)
{
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)patch, k, v) {
                json_t *t = json_object_get(target, k);

                if (json_is_null(v))
                        (void)json_object_del(target, k);
                else if (json_is_object(v) && json_is_object(t))
                        merge(t, v);
                else
                        cr_assert_eq(json_object_set_new(target, k, json_deep_copy(v)), 0);
        }
}

static const struct kl_api_resource *row(const char *group, const char *kind)
{
        const struct kl_api_resource *r = kl_api_resource_find_kind(group, "v1", kind);

        cr_assert(r, "no row for %s/%s", group, kind);
        return r;
}

static json_t *build(const struct vcase *c, bool patched)
{
        json_t *obj = parse(c->base);

        if (patched && c->patch) {
                json_auto_t *p = parse(c->patch);

                merge(obj, p);
        }
        cr_assert_eq(kl_api_defaults_apply(row(c->group, c->kind), obj), 0);
        return obj;
}

static char *render(const struct kl_api_field_errors *errs)
{
        struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; i < errs->n; i++) {
                kl_autofree char *s = kl_api_field_error_string(&errs->items[i]);

                (void)kl_buf_printf(&b, "%s%s", i ? "\n" : "", s);
        }
        return kl_buf_detach(&b, NULL);
}

static void run(const struct vcase *cases, size_t n, bool update)
{
        for (size_t i = 0; i < n; i++) {
                const struct vcase *c = &cases[i];
                json_auto_t *obj = build(c, true);
                json_auto_t *old = update ? build(c, false) : NULL;
                kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
                kl_autofree char *got = NULL;
                size_t count = kl_api_validate(row(c->group, c->kind), obj, old, &errs);

                got = render(&errs);
                cr_expect_eq(count, errs.n);
                cr_expect_str_eq(got, c->want, "case %zu (%s %s):\n got: %s\nwant: %s", i, c->kind,
                                 c->patch ? c->patch : "-", got, c->want);
        }
}

#define POD(patch, want)                         \
        {                                        \
                "", "Pod", POD_BASE, patch, want \
        }
#define SVC(patch, want)                             \
        {                                            \
                "", "Service", SVC_BASE, patch, want \
        }
#define DEPLOY(patch, want)                                    \
        {                                                      \
                "apps", "Deployment", DEPLOY_BASE, patch, want \
        }
#define RS(patch, want)                                    \
        {                                                  \
                "apps", "ReplicaSet", RS_BASE, patch, want \
        }
#define STS(patch, want)                                     \
        {                                                    \
                "apps", "StatefulSet", STS_BASE, patch, want \
        }
#define DS(patch, want)                                   \
        {                                                 \
                "apps", "DaemonSet", DS_BASE, patch, want \
        }
#define JOB(patch, want)                              \
        {                                             \
                "batch", "Job", JOB_BASE, patch, want \
        }
#define CJ(patch, want)                                  \
        {                                                \
                "batch", "CronJob", CJ_BASE, patch, want \
        }
#define CM(patch, want)                               \
        {                                             \
                "", "ConfigMap", CM_BASE, patch, want \
        }
#define SECRET(patch, want)                            \
        {                                              \
                "", "Secret", SECRET_BASE, patch, want \
        }
#define NS(patch, want)                               \
        {                                             \
                "", "Namespace", NS_BASE, patch, want \
        }

#define NODE_BASE "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}"
#define NODE_CIDR_BASE                                                                       \
        "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"},\"spec\":{" \
        "\"podCIDR\":\"10.42.1.0/24\"}}"
#define NODE(patch, want)                          \
        {                                          \
                "", "Node", NODE_BASE, patch, want \
        }
#define NODE_CIDR(patch, want)                          \
        {                                               \
                "", "Node", NODE_CIDR_BASE, patch, want \
        }

static const struct vcase create_cases[] = {
        /* Valid objects of every kind. */
        POD(NULL, ""),
        SVC(NULL, ""),
        DEPLOY(NULL, ""),
        RS(NULL, ""),
        STS(NULL, ""),
        DS(NULL, ""),
        JOB(NULL, ""),
        CJ(NULL, ""),
        CM(NULL, ""),
        SECRET(NULL, ""),
        NS(NULL, ""),

        /* ObjectMeta. */
        POD("{\"metadata\":{\"name\":\"Foo\"}}",
            "metadata.name: Invalid value: \"Foo\": " SUBDOMAIN_MSG),
        POD("{\"metadata\":{\"name\":null}}",
            "metadata.name: Required value: name or generateName is required"),
        POD("{\"metadata\":{\"namespace\":null}}", "metadata.namespace: Required value"),
        POD("{\"metadata\":{\"labels\":{\"a b\":\"x\"}}}",
            "metadata.labels: Invalid value: \"a b\": " NAME_PART_MSG),
        POD("{\"metadata\":{\"labels\":{\"app\":\"-x\"}}}",
            "metadata.labels: Invalid value: \"-x\": " LABEL_VALUE_MSG),
        POD("{\"metadata\":{\"annotations\":{\"a b\":\"x\"}}}",
            "metadata.annotations: Invalid value: \"a b\": " NAME_PART_MSG),
        POD("{\"metadata\":{\"finalizers\":[\"a b\"]}}",
            "metadata.finalizers: Invalid value: \"a b\": " NAME_PART_MSG),
        POD("{\"metadata\":{\"finalizers\":[\"orphan\",\"foregroundDeletion\"]}}",
            "metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: "
            "finalizer orphan and foregroundDeletion cannot be both set"),
        POD("{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
            "\"ReplicaSet\",\"name\":\"r\"}]}}",
            "metadata.ownerReferences.uid: Invalid value: \"\": uid must not be empty"),
        POD("{\"metadata\":{\"generation\":-1}}",
            "metadata.generation: Invalid value: -1: " NONNEG),
        NS("{\"metadata\":{\"name\":\"a.b\"}}",
           "metadata.name: Invalid value: \"a.b\": must not contain dots"),
        NS("{\"metadata\":{\"namespace\":\"x\"}}",
           "metadata.namespace: Forbidden: not allowed on this type"),
        NS("{\"spec\":{\"finalizers\":[\"foo\"]}}",
           "spec.finalizers: Invalid value: \"foo\": name is neither a standard finalizer name nor "
           "is it fully qualified"),

        /* PodSpec. */
        POD("{\"spec\":{\"containers\":[]}}", "spec.containers: Required value"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}",
            "spec.containers[0].image: Required value"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"C_1\",\"image\":\"x\"}]}}",
            "spec.containers[0].name: Invalid value: \"C_1\": " LABEL_1123_MSG),
        POD("{\"spec\":{\"containers\":[" CTR "," CTR "]}}",
            "spec.containers[1].name: Duplicate value: \"c\""),
        POD("{\"spec\":{\"initContainers\":[" CTR "]}}",
            "spec.initContainers[0].name: Duplicate value: \"c\""),
        POD("{\"spec\":{\"restartPolicy\":\"Sometimes\"}}",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
            "\"OnFailure\", \"Never\""),
        POD("{\"spec\":{\"dnsPolicy\":\"Foo\"}}",
            "spec.dnsPolicy: Unsupported value: \"Foo\": supported values: "
            "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""),
        POD("{\"spec\":{\"dnsPolicy\":\"None\"}}",
            "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{"
            "\"containerPort\":0}]}]}}",
            "spec.containers[0].ports[0].containerPort: Required value"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{"
            "\"containerPort\":70000,\"protocol\":\"HTTP\"}]}]}}",
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: " PORT_RANGE "\n"
            "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: "
            "\"SCTP\", \"TCP\", \"UDP\""),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{"
            "\"containerPort\":80,\"name\":\"http\"},{\"containerPort\":81,\"name\":\"http\"}]}]}}",
            "spec.containers[0].ports[1].name: Duplicate value: \"http\""),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"env\":[{\"name\":\"\"},"
            "{\"name\":\"A=B\"}]}]}}",
            "spec.containers[0].env[0].name: Required value\n"
            "spec.containers[0].env[1].name: Invalid value: \"A=B\": a valid environment variable "
            "name must consist only of printable ASCII characters other than '='"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"env\":[{\"name\":\"A\","
            "\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec.foo\"}}}]}]}}",
            "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
            "\"spec.foo\": supported values: \"metadata.name\", \"metadata.namespace\", "
            "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", "
            "\"status.hostIPs\", \"status.podIP\", \"status.podIPs\""),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"volumeMounts\":[{"
            "\"name\":\"v\",\"mountPath\":\"/a\"}]}]}}",
            "spec.containers[0].volumeMounts[0].name: Not found: \"v\""),
        POD("{\"spec\":{\"volumes\":[{\"name\":\"v\"},{\"name\":\"v\"}],\"containers\":[{\"name\":"
            "\"c\",\"image\":\"x\",\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/a\"},{"
            "\"name\":\"v\",\"mountPath\":\"/a\"}]}]}}",
            "spec.volumes[1].name: Duplicate value: \"v\"\n"
            "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/a\": must be unique"),
        POD("{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{},\"hostPath\":{\"path\":\"/x\"}"
            "}]}}",
            "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"),
        POD("{\"spec\":{\"volumes\":[{\"name\":\"v\",\"configMap\":{\"defaultMode\":1000}}]}}",
            "spec.volumes[0].configMap.name: Required value\n"
            "spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 "
            "and 0777 (octal), both inclusive"),
        POD("{\"spec\":{\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"s\",\"items\":[{"
            "\"key\":\"k\",\"path\":\"../x\"}]}}]}}",
            "spec.volumes[0].secret.items[0].path: Invalid value: \"../x\": must not contain '..'"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{"
            "\"limits\":{\"cpu\":\"1\"},\"requests\":{\"cpu\":\"2\"}}}]}}",
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or "
            "equal to cpu limit of 1"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{"
            "\"requests\":{\"memory\":\"1Gb\",\"cpu\":\"-1\",\"foo\":\"1\"}}}]}}",
            "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": " NONNEG "\n"
            "spec.containers[0].resources.requests[foo]: Invalid value: \"foo\": must be a "
            "standard resource for containers\n"
            "spec.containers[0].resources.requests[memory]: Invalid value: \"1Gb\": quantities "
            "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{"
            "\"limits\":{\"example.com/gpu\":\"2\"},\"requests\":{\"example.com/gpu\":\"1\"}}}]}}",
            "spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to "
            "example.com/gpu limit of 2"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"livenessProbe\":{"
            "\"periodSeconds\":-1,\"successThreshold\":2}}]}}",
            "spec.containers[0].livenessProbe: Required value: must specify a handler type\n"
            "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: " NONNEG "\n"
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"readinessProbe\":{"
            "\"httpGet\":{\"port\":\"HTTP\"},\"tcpSocket\":{\"port\":80}}}]}}",
            "spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"HTTP\": must contain "
            "only alpha-numeric characters (a-z, 0-9), and hyphens (-)\n"
            "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 "
            "handler type"),
        POD("{\"spec\":{\"nodeSelector\":{\"disk\":\"s s\"}}}",
            "spec.nodeSelector: Invalid value: \"s s\": " LABEL_VALUE_MSG),
        POD("{\"spec\":{\"tolerations\":[{\"operator\":\"Equal\",\"value\":\"x\"},{\"key\":\"k\","
            "\"operator\":\"Foo\",\"effect\":\"Never\"}]}}",
            "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when "
            "`key` is empty, which means \"match all values and all keys\"\n"
            "spec.tolerations[1].operator: Unsupported value: \"Foo\": supported values: \"Equal\", "
            "\"Exists\"\n"
            "spec.tolerations[1].effect: Unsupported value: \"Never\": supported values: "
            "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""),
        POD("{\"spec\":{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\",\"value\":\"v\"}]}"
            "}",
            "spec.tolerations[0].operator: Invalid value: core.Toleration{Key:\"k\", "
            "Operator:\"Exists\", Value:\"v\", Effect:\"\", TolerationSeconds:(*int64)(nil)}: "
            "value must be empty when `operator` is 'Exists'"),
        POD("{\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"image\":\"x\","
            "\"ports\":[{\"containerPort\":80,\"hostPort\":81}]}]}}",
            "spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` "
            "when `hostNetwork` is true"),
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{"
            "\"containerPort\":80,\"hostPort\":8080}]},{\"name\":\"d\",\"image\":\"x\",\"ports\":[{"
            "\"containerPort\":81,\"hostPort\":8080}]}]}}",
            "spec.containers[1].ports[0].hostPort: Duplicate value: \"/TCP/8080\""),
        POD("{\"spec\":{\"activeDeadlineSeconds\":0,\"serviceAccountName\":\"A\"}}",
            "spec.serviceAccountName: Invalid value: \"A\": " SUBDOMAIN_MSG "\n"
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, "
            "inclusive"),

        /* Service. */
        SVC("{\"metadata\":{\"name\":\"1svc\"}}",
            "metadata.name: Invalid value: \"1svc\": " LABEL_1035_MSG),
        SVC("{\"spec\":{\"ports\":null}}", "spec.ports: Required value"),
        SVC("{\"spec\":{\"clusterIP\":\"None\",\"ports\":null}}", ""),
        SVC("{\"spec\":{\"ports\":[{\"port\":0}]}}",
            "spec.ports[0].port: Invalid value: 0: " PORT_RANGE "\n"
            "spec.ports[0].targetPort: Invalid value: 0: " PORT_RANGE),
        SVC("{\"spec\":{\"ports\":[{\"port\":80},{\"port\":80,\"protocol\":\"ICMP\"}]}}",
            "spec.ports[0].name: Required value\n"
            "spec.ports[1].name: Required value\n"
            "spec.ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", "
            "\"TCP\", \"UDP\""),
        SVC("{\"spec\":{\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"a\",\"port\":80}]}}",
            "spec.ports[1].name: Duplicate value: \"a\"\n"
            "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
            "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
            "StrVal:\"\"}, NodePort:0}"),
        SVC("{\"spec\":{\"type\":\"Magic\"}}",
            "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", "
            "\"ExternalName\", \"LoadBalancer\", \"NodePort\""),
        SVC("{\"spec\":{\"ports\":[{\"port\":80,\"nodePort\":30080}]}}",
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
        SVC("{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":80}]}}",
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
            "The range of valid ports is 30000-32767"),
        SVC("{\"spec\":{\"sessionAffinity\":\"Sticky\",\"clusterIP\":\"10.0.0.300\"}}",
            "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", "
            "\"None\"\n"
            "spec.clusterIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. "
            "10.9.8.7 or 2001:db8::ffff)"),
        SVC("{\"spec\":{\"selector\":{\"app\":\"a b\"}}}",
            "spec.selector: Invalid value: \"a b\": " LABEL_VALUE_MSG),
        SVC("{\"spec\":{\"type\":\"ExternalName\",\"ports\":null,\"selector\":null}}",
            "spec.externalName: Required value"),

        /* Deployment. */
        DEPLOY("{\"spec\":{\"replicas\":-1}}", "spec.replicas: Invalid value: -1: " NONNEG),
        DEPLOY("{\"spec\":{\"selector\":null}}",
               "spec.selector: Required value\n"
               "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"a\"}: "
               "`selector` does not match template `labels`"),
        DEPLOY("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"b\"}}}}",
               "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"a\"}: "
               "`selector` does not match template `labels`"),
        DEPLOY("{\"spec\":{\"selector\":{\"matchLabels\":null}}}",
               "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},"
               "MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for "
               "deployment"),
        DEPLOY("{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\"}}}}",
               "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
               "\"Always\""),
        DEPLOY("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":0,\"maxSurge\":0}}"
               "}}",
               "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
               "`maxSurge` is 0"),
        DEPLOY("{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":\"x%\"}}}}",
               "spec.strategy.rollingUpdate.maxSurge: Invalid value: x%: a valid percent string "
               "must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex "
               "used for validation is '[0-9]+%')"),
        DEPLOY("{\"spec\":{\"strategy\":{\"type\":\"Recreate\",\"rollingUpdate\":{}}}}",
               "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` "
               "is 'Recreate'"),
        DEPLOY("{\"spec\":{\"progressDeadlineSeconds\":5,\"minReadySeconds\":10}}",
               "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than "
               "minReadySeconds"),
        DEPLOY("{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"a\",\"x y\":\"z\"}}}}}",
               "spec.template.labels: Invalid value: \"x y\": " NAME_PART_MSG),
        DEPLOY("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}",
               "spec.template.spec.containers[0].image: Required value"),
        RS("{\"spec\":{\"replicas\":-2}}", "spec.replicas: Invalid value: -2: " NONNEG),
        RS("{\"spec\":{\"template\":{\"spec\":{\"activeDeadlineSeconds\":5}}}}",
           "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in "
           "ReplicaSet is not Supported"),
        STS("{\"spec\":{\"podManagementPolicy\":\"Random\"}}",
            "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
            "'Parallel'"),
        STS("{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{"
            "\"partition\":-1}}}}",
            "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: " NONNEG),
        DS("{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":0}}}}",
           "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
           "`maxSurge` is 0"),
        DS("{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"OnFailure\"}}}}",
           "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: "
           "\"Always\""),

        /* Job and CronJob. */
        JOB("{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":null}}}}",
            "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", "
            "\"Never\""),
        JOB("{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Sometimes\"}}}}",
            "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
            "\"Always\", \"OnFailure\", \"Never\"\n"
            "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
            "\"OnFailure\", \"Never\""),
        JOB("{\"spec\":{\"parallelism\":-1,\"completions\":-1,\"backoffLimit\":-1}}",
            "spec.parallelism: Invalid value: -1: " NONNEG "\n"
            "spec.completions: Invalid value: -1: " NONNEG "\n"
            "spec.backoffLimit: Invalid value: -1: " NONNEG),
        JOB("{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":null,\"parallelism\":2}}",
            "spec.completions: Required value: when completion mode is Indexed"),
        JOB("{\"spec\":{\"selector\":null}}", "spec.selector: Required value"),
        CJ("{\"spec\":{\"schedule\":\"* * *\"}}",
           "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"),
        CJ("{\"spec\":{\"schedule\":\"60 * * * *\"}}",
           "spec.schedule: Invalid value: \"60 * * * *\": end of range (60) above maximum (59): 60"),
        CJ("{\"spec\":{\"schedule\":\"@every 1x\"}}",
           "spec.schedule: Invalid value: \"@every 1x\": failed to parse duration @every 1x: "
           "time: unknown unit \"x\" in duration \"1x\""),
        CJ("{\"spec\":{\"schedule\":\"@hourly\"}}", ""),
        CJ("{\"spec\":{\"schedule\":\"0 0 * jan-mar mon,fri\"}}", ""),
        CJ("{\"spec\":{\"schedule\":\"TZ=UTC 0 * * * *\"}}",
           "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in "
           "schedule, use timeZone field instead"),
        CJ("{\"spec\":{\"concurrencyPolicy\":\"Sometimes\"}}",
           "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", "
           "\"Forbid\", \"Replace\""),
        CJ("{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":"
           "\"Always\"}}}}}}",
           "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "
           "\"OnFailure\", \"Never\""),
        CJ("{\"metadata\":{\"name\":\"a-very-long-cronjob-name-that-is-more-than-fifty-two-chars\"}"
           "}",
           "metadata.name: Invalid value: "
           "\"a-very-long-cronjob-name-that-is-more-than-fifty-two-chars\": must be no more than "
           "52 characters"),

        /* ConfigMap and Secret. */
        CM("{\"data\":{\"a b\":\"x\",\"..\":\"y\"}}",
           "data[..]: Invalid value: \"..\": must not be '..'\n"
           "data[a b]: Invalid value: \"a b\": " CONFIG_KEY_MSG),
        CM("{\"binaryData\":{\"a\":\"YQ==\"}}",
           "data[a]: Invalid value: \"a\": duplicate of key present in binaryData"),
        SECRET("{\"data\":{\"a\":\"!!\"}}",
               "data[a]: Invalid value: \"<secret contents redacted>\": illegal base64 data at "
               "input byte 0"),
        SECRET("{\"type\":\"kubernetes.io/tls\"}", "data[tls.crt]: Required value\n"
                                                   "data[tls.key]: Required value"),
        SECRET("{\"type\":\"kubernetes.io/dockerconfigjson\"}",
               "data[.dockerconfigjson]: Required value"),
        SECRET("{\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":"
               "\"e30=\"}}",
               ""),
        SECRET("{\"stringData\":{\"b\":\"hello\"}}", ""),

        /* Node: spec.podCIDRs. */
        NODE(NULL, ""),
        NODE_CIDR(NULL, ""),
        NODE("{\"spec\":{\"podCIDRs\":[\"10.42.1.0/24\",\"fd00:42:1::/64\"]}}", ""),
        NODE("{\"spec\":{\"podCIDRs\":[\"nope\"]}}",
             "spec.podCIDRs[0]: Invalid value: []string{\"nope\"}: must be valid CIDR"),
        NODE("{\"spec\":{\"podCIDRs\":[\"10.42.1.0/24\",\"10.42.2.0/24\"]}}",
             "spec.podCIDRs: Invalid value: []string{\"10.42.1.0/24\", \"10.42.2.0/24\"}: may "
             "specify no more than one CIDR for each IP family"),
        NODE("{\"metadata\":{\"name\":\"Bad_Name\"}}",
             "metadata.name: Invalid value: \"Bad_Name\": " SUBDOMAIN_MSG),
};

Test(validate, create_table)
{
        cr_assert_geq(KL_ARRAY_SIZE(create_cases), 60);
        run(create_cases, KL_ARRAY_SIZE(create_cases), false);
}

static const struct vcase update_cases[] = {
        /* The client sends back the stored imagePullPolicy; only the image changes. */
        POD("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:2\","
            "\"imagePullPolicy\":\"Always\"}]}}",
            ""),
        NS("{\"metadata\":{\"labels\":{\"team\":\"a\"}}}", ""),
        POD("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", ""),
        POD("{\"spec\":{\"restartPolicy\":\"Never\"}}",
            "spec: Forbidden: pod updates may not change fields other than "
            "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
            "`spec.tolerations` (only additions to existing tolerations),"
            "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
            "negative)"),
        POD("{\"spec\":{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}}", ""),
        POD("{\"spec\":{\"activeDeadlineSeconds\":10}}", ""),
        POD("{\"metadata\":{\"name\":\"q\"}}", "metadata.name: Invalid value: \"q\": field is "
                                               "immutable"),
        DEPLOY("{\"spec\":{\"replicas\":3}}", ""),
        DEPLOY("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"a\",\"tier\":\"x\"}},"
               "\"template\":{\"metadata\":{\"labels\":{\"app\":\"a\",\"tier\":\"x\"}}}}}",
               "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: "
               "a,tier: x,},MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable"),
        DS("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"b\"}},\"template\":{\"metadata\":{"
           "\"labels\":{\"app\":\"b\"}}}}}",
           "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: b,},"
           "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable"),
        STS("{\"spec\":{\"replicas\":5,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\","
            "\"image\":\"nginx:2\"}]}}}}",
            ""),
        STS("{\"spec\":{\"serviceName\":\"other\"}}",
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
            "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
            "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"),
        JOB("{\"spec\":{\"parallelism\":3,\"completions\":1}}", ""),
        JOB("{\"spec\":{\"completions\":3}}",
            "spec.completions: Invalid value: 3: field is immutable"),
        JOB("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}"
            "}}}",
            "spec.template: Invalid value: "
            "{\"metadata\":{\"labels\":{\"job\":\"j\"}},\"spec\":{\"containers\":[{\"image\":\"x\","
            "\"imagePullPolicy\":\"Always\",\"name\":\"c\",\"resources\":{},"
            "\"terminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":"
            "\"File\"}],\"dnsPolicy\":\"ClusterFirst\",\"restartPolicy\":\"Never\","
            "\"schedulerName\":\"default-scheduler\",\"securityContext\":{},"
            "\"terminationGracePeriodSeconds\":30}}: field is immutable"),
        SVC("{\"spec\":{\"ports\":[{\"port\":81}]}}", ""),
        CM("{\"data\":{\"a\":\"c\"}}", ""),
        SECRET("{\"type\":\"Other\"}", "type: Invalid value: \"Other\": field is immutable"),
        /* A node's range: set once (the controller manager's), then fixed. */
        NODE("{\"spec\":{\"podCIDR\":\"10.42.1.0/24\",\"podCIDRs\":[\"10.42.1.0/24\"]}}", ""),
        NODE_CIDR("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", ""),
        NODE_CIDR("{\"spec\":{\"podCIDR\":\"10.42.2.0/24\",\"podCIDRs\":[\"10.42.2.0/24\"]}}",
                  "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" "
                  "to valid"),
        NODE_CIDR("{\"spec\":{\"podCIDR\":null,\"podCIDRs\":null}}",
                  "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" "
                  "to valid"),
};

Test(validate, update_table)
{
        run(update_cases, KL_ARRAY_SIZE(update_cases), true);
}

static void validate_pair(const char *group, const char *kind, const char *old_text,
                          const char *new_text, const char *want)
{
        const struct kl_api_resource *r = row(group, kind);
        json_auto_t *old = parse(old_text);
        json_auto_t *obj = parse(new_text);
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        kl_autofree char *got = NULL;

        cr_assert_eq(kl_api_defaults_apply(r, old), 0);
        cr_assert_eq(kl_api_defaults_apply(r, obj), 0);
        (void)kl_api_validate(r, obj, old, &errs);
        got = render(&errs);
        cr_expect_str_eq(got, want);
}

Test(validate, immutable_configmap_and_service_ips)
{
        validate_pair("", "ConfigMap",
                      "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
                      "\"data\":{\"a\":\"b\"}}",
                      "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"data\":{\"a\":\"c\"}}",
                      "immutable: Forbidden: field is immutable when `immutable` is set\n"
                      "data: Forbidden: field is immutable when `immutable` is set");
        validate_pair("", "Secret",
                      "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
                      "\"data\":{\"a\":\"Yg==\"}}",
                      "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
                      "\"data\":{\"a\":\"Yw==\"}}",
                      "data: Forbidden: field is immutable when `immutable` is set");
        validate_pair("", "Service",
                      "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"spec\":{\"clusterIP\":"
                      "\"10.43.0.10\",\"ports\":[{\"port\":80}]}}",
                      "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"spec\":{\"clusterIP\":"
                      "\"10.43.0.11\",\"ports\":[{\"port\":80}]}}",
                      "spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.11\"}: may not change "
                      "once set");
        validate_pair("", "Namespace", "{\"metadata\":{\"name\":\"a\",\"uid\":\"1\"}}",
                      "{\"metadata\":{\"name\":\"a\",\"uid\":\"2\"}}",
                      "metadata.uid: Invalid value: \"2\": field is immutable");
        validate_pair(
                "", "Pod",
                "{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\",\"deletionTimestamp\":"
                "\"2025-01-01T00:00:00Z\"},\"spec\":{\"containers\":[" CTR "]}}",
                "{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\",\"finalizers\":[\"x/y\"]},"
                "\"spec\":{\"containers\":[" CTR "]}}",
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object "
                "is being deleted, found new finalizers []string{\"x/y\"}");
}

/* The Status pieces, as kubectl reads them. */
Test(validate, status_rendering)
{
        const struct kl_api_resource *r = row("apps", "Deployment");
        json_auto_t *obj = parse(DEPLOY_BASE);
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        json_auto_t *status = NULL;
        kl_autofree char *text = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(
                json_object_set_new(json_object_get(obj, "spec"), "replicas", json_integer(-1)), 0);
        cr_assert_eq(kl_api_defaults_apply(r, obj), 0);
        cr_assert_eq(kl_api_validate(r, obj, NULL, &errs), 1);
        status = kl_api_validate_status(r, "d", &errs);
        cr_assert_eq(kl_json_encode(status, KL_JSON_ENCODE_CANONICAL, &b, &e), 0);
        text = kl_buf_detach(&b, NULL);
        cr_expect_str_eq(
                text,
                "{\"apiVersion\":\"v1\",\"code\":422,\"details\":{\"causes\":[{\"field\":"
                "\"spec.replicas\",\"message\":\"Invalid value: -1: must be greater than or equal "
                "to 0\",\"reason\":\"FieldValueInvalid\"}],\"group\":\"apps\",\"kind\":"
                "\"Deployment\",\"name\":\"d\"},\"kind\":\"Status\",\"message\":\"Deployment.apps "
                "\\\"d\\\" is invalid: spec.replicas: Invalid value: -1: must be greater than or "
                "equal to 0\",\"metadata\":{},\"reason\":\"Invalid\",\"status\":\"Failure\"}");
}

Test(validate, status_aggregate_and_core_kind)
{
        const struct kl_api_resource *r = row("", "Pod");
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        kl_autofree char *msg = NULL;
        json_auto_t *details = NULL;
        kl_autofree char *dtext = NULL;

        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_REQUIRED, "spec.containers[0].image",
                                     NULL, "");
        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_REQUIRED, "spec.containers[0].image",
                                     NULL, "");
        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_NOT_SUPPORTED, "spec.restartPolicy",
                                     kl_strdup("\"x\""), "supported values: \"Always\"");
        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_TOO_LONG, "metadata.annotations",
                                     kl_strdup("\"ignored\""), "may not be more than 262144 bytes");
        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_DUPLICATE, "spec.volumes[1].name",
                                     kl_strdup("\"v\""), "");
        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_FORBIDDEN, "spec", NULL, "no");
        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_NOT_FOUND, "spec.x",
                                     kl_strdup("\"y\""), "");
        kl_api_validate_status_parts(r, "p", &errs, &msg, &details);
        cr_expect_str_eq(msg, "Pod \"p\" is invalid: [spec.containers[0].image: Required value, "
                              "spec.restartPolicy: Unsupported value: \"x\": supported values: "
                              "\"Always\", metadata.annotations: Too long: may not be more than "
                              "262144 bytes, spec.volumes[1].name: Duplicate value: \"v\", spec: "
                              "Forbidden: no, spec.x: Not found: \"y\"]");
        dtext = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS);
        cr_expect_str_eq(
                dtext,
                "{\"causes\":[{\"field\":\"spec.containers[0].image\",\"message\":\"Required "
                "value\",\"reason\":\"FieldValueRequired\"},{\"field\":\"spec.containers[0].image\","
                "\"message\":\"Required value\",\"reason\":\"FieldValueRequired\"},{\"field\":"
                "\"spec.restartPolicy\",\"message\":\"Unsupported value: \\\"x\\\": supported "
                "values: \\\"Always\\\"\",\"reason\":\"FieldValueNotSupported\"},{\"field\":"
                "\"metadata.annotations\",\"message\":\"Too long: may not be more than 262144 "
                "bytes\",\"reason\":\"FieldValueTooLong\"},{\"field\":\"spec.volumes[1].name\","
                "\"message\":\"Duplicate value: \\\"v\\\"\",\"reason\":\"FieldValueDuplicate\"},{"
                "\"field\":\"spec\",\"message\":\"Forbidden: no\",\"reason\":"
                "\"FieldValueForbidden\"},{\"field\":\"spec.x\",\"message\":\"Not found: "
                "\\\"y\\\"\",\"reason\":\"FieldValueNotFound\"}],\"kind\":\"Pod\",\"name\":\"p\"}");
}

Test(validate, status_without_errors_and_limits)
{
        const struct kl_api_resource *r = row("", "ConfigMap");
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        kl_autofree char *msg = NULL;

        kl_api_validate_status_parts(r, "x", &errs, &msg, NULL);
        cr_expect_str_eq(msg, "ConfigMap \"x\" is invalid");
        for (size_t i = 0; i < KL_API_FIELD_ERRORS_MAX + 5; i++)
                kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_REQUIRED, "a", NULL, "");
        cr_expect_eq(errs.n, KL_API_FIELD_ERRORS_MAX);
        cr_expect_eq(errs.dropped, 5);
}

Test(validate, big_annotations_and_data)
{
        const struct kl_api_resource *r = row("", "ConfigMap");
        json_auto_t *obj = parse(CM_BASE);
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        kl_autofree char *big = kl_malloc((1 << 20) + 2);
        kl_autofree char *got = NULL;

        memset(big, 'x', (1 << 20) + 1);
        big[(1 << 20) + 1] = '\0';
        cr_assert_eq(json_object_set_new(json_object_get(obj, "data"), "a", json_string(big)), 0);
        cr_assert_eq(json_object_set_new(json_object_get(obj, "metadata"), "annotations",
                                         json_pack("{s:s}", "k", big)),
                     0);
        (void)kl_api_validate(r, obj, NULL, &errs);
        got = render(&errs);
        cr_expect_str_eq(got, "metadata.annotations: Too long: may not be more than 262144 bytes\n"
                              "[]: Too long: may not be more than 1048576 bytes");
}

Test(validate, cron_parser)
{
        static const struct {
                const char *spec;
                const char *err; /* NULL: valid */
        } cases[] = {
                { "* * * * *", NULL },
                { "*/15 0-6,18-23 1-31/2 * sun-sat", NULL },
                { "0 0 ? * MON", NULL },
                { "@weekly", NULL },
                { "@every 1h30m", NULL },
                { "", "empty spec string" },
                { "@often", "unrecognized descriptor: @often" },
                { "@every 10", "failed to parse duration @every 10: time: missing unit in duration "
                               "\"10\"" },
                { "x * * * *",
                  "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax" },
                { "5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1" },
                { "* * 0 * *", "beginning of range (0) below minimum (1): 0" },
                { "*/0 * * * *", "step of range should be a positive number: */0" },
                { "1-2-3 * * * *", "too many hyphens: 1-2-3" },
                { "1/2/3 * * * *", "too many slashes: 1/2/3" },
                { "* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *msg = NULL;
                int r = kl_api__cron_parse(cases[i].spec, &msg);

                if (!cases[i].err) {
                        cr_expect_eq(r, 0, "'%s': %s", cases[i].spec, msg ? msg : "");
                } else {
                        cr_expect_eq(r, -EINVAL, "'%s' parsed", cases[i].spec);
                        cr_expect_str_eq(msg ? msg : "", cases[i].err);
                }
        }
}

/* Values of the wrong type anywhere must never crash validation. */
Test(validate, wrong_types_do_not_crash)
{
        static const char *const bases[][3] = {
                { "", "Pod", POD_BASE },
                { "", "Service", SVC_BASE },
                { "apps", "Deployment", DEPLOY_BASE },
                { "apps", "StatefulSet", STS_BASE },
                { "batch", "CronJob", CJ_BASE },
                { "", "Secret", SECRET_BASE },
        };
        json_t *mutants[] = { json_null(), json_integer(-7), json_string("x"),
                              json_true(), json_array(),     json_object() };

        for (size_t b = 0; b < KL_ARRAY_SIZE(bases); b++) {
                const struct kl_api_resource *r = row(bases[b][0], bases[b][1]);
                json_auto_t *obj = parse(bases[b][2]);
                json_t *spec = json_object_get(obj, "spec");
                const char *k;
                json_t *v;
                kl_autostrv char **keys = NULL;

                cr_assert_eq(kl_api_defaults_apply(r, obj), 0);
                if (!spec)
                        spec = obj;
                json_object_foreach(spec, k, v)
                        kl_strv_push(&keys, k);
                for (size_t i = 0; keys && keys[i]; i++) {
                        json_t *old = json_incref(json_object_get(spec, keys[i]));

                        for (size_t m = 0; m < KL_ARRAY_SIZE(mutants); m++) {
                                kl_autofielderrs struct kl_api_field_errors errs =
                                        KL_API_FIELD_ERRORS_INIT;
                                json_auto_t *copy = NULL;

                                cr_assert_eq(json_object_set(spec, keys[i], mutants[m]), 0);
                                copy = json_deep_copy(obj);
                                (void)kl_api_defaults_apply(r, copy);
                                (void)kl_api_validate(r, copy, obj, &errs);
                        }
                        cr_assert_eq(json_object_set_new(spec, keys[i], old), 0);
                }
        }
        for (size_t m = 0; m < KL_ARRAY_SIZE(mutants); m++)
                json_decref(mutants[m]);
}
