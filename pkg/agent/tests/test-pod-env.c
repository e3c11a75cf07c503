/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod-env.c against upstream's kubelet: the names a pod refers to, $(VAR)
 * expansion (third_party/forked/golang/expansion's cases), the service link
 * variables (pkg/kubelet/envvars), makeEnvironmentVariables with envFrom,
 * env and every valueFrom source and its error texts, the downward API's
 * fieldRef and resourceFieldRef values, and the image pull keyring.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "agent/pod-internal.h"
#include "json/json.h"

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static char *b64(const char *s, size_t len)
{
        static const char tab[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        struct kl_buf out = KL_BUF_INIT;
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16;

                v |= i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0;
                v |= i + 2 < len ? p[i + 2] : 0;
                (void)kl_buf_putc(&out, tab[(v >> 18) & 63]);
                (void)kl_buf_putc(&out, tab[(v >> 12) & 63]);
                (void)kl_buf_putc(&out, i + 1 < len ? tab[(v >> 6) & 63] : '=');
                (void)kl_buf_putc(&out, i + 2 < len ? tab[v & 63] : '=');
        }
        return kl_buf_detach(&out, NULL);
}

/* "a|b|c" as a vector ("" is the empty vector). */
static char **V(const char *s)
{
        char **v = NULL;

        if (!*s)
                return kl_new0(char *);
        v = kl_strv_split(s, '|');
        return v;
}

static void assert_strv(char **got, const char *want, const char *what)
{
        kl_autostrv char **w = V(want);
        size_t n = kl_strv_length(got);

        for (size_t i = 0; i < n || w[i]; i++)
                cr_assert(i < n && w[i] && kl_streq(got[i], w[i]),
                          "%s: entry %zu: got '%s', want '%s'", what, i, i < n ? got[i] : "(end)",
                          w[i] ? w[i] : "(end)");
}

/* ------------------------------------------------------------------------- */
/* References */

Test(pod_env, ref_names)
{
        json_auto_t *pod = J(
                "{\"spec\":{"
                "\"initContainers\":[{\"name\":\"i\",\"envFrom\":[{\"configMapRef\":{\"name\":\"cm-init\"}}]}],"
                "\"containers\":[{\"name\":\"a\",\"env\":["
                "{\"name\":\"A\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"cm-a\",\"key\":\"k\"}}},"
                "{\"name\":\"B\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s-b\",\"key\":\"k\"}}},"
                "{\"name\":\"C\",\"value\":\"x\"}],"
                "\"envFrom\":[{\"secretRef\":{\"name\":\"s-from\"}},{\"configMapRef\":{\"name\":\"cm-a\"}}]}],"
                "\"ephemeralContainers\":[{\"name\":\"dbg\",\"envFrom\":[{\"secretRef\":{\"name\":\"s-eph\"}}]}],"
                "\"volumes\":[{\"name\":\"v1\",\"configMap\":{\"name\":\"cm-vol\"}},"
                "{\"name\":\"v2\",\"secret\":{\"secretName\":\"s-vol\"}},"
                "{\"name\":\"v3\",\"projected\":{\"sources\":[{\"configMap\":{\"name\":\"cm-proj\"}},"
                "{\"secret\":{\"name\":\"s-proj\"}},{\"downwardAPI\":{}}]}},"
                "{\"name\":\"v4\",\"emptyDir\":{}}],"
                "\"imagePullSecrets\":[{\"name\":\"pull\"},{\"name\":\"\"}]}}");
        json_auto_t *empty = J("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
        kl_autostrv char **cms = NULL, **secrets = NULL, **none1 = NULL, **none2 = NULL;

        kl_agent__pod_ref_names(pod, &cms, &secrets);
        assert_strv(cms, "cm-a|cm-init|cm-proj|cm-vol", "configmaps");
        assert_strv(secrets, "pull|s-b|s-eph|s-from|s-proj|s-vol", "secrets");
        kl_agent__pod_ref_names(empty, &none1, &none2);
        cr_assert_null(none1);
        cr_assert_null(none2);
}

/* ------------------------------------------------------------------------- */
/* Expansion */

Test(pod_env, expand)
{
        static const struct {
                const char *in, *env, *want;
        } cases[] = {
                { "$(VAR_A)", "VAR_A=A", "A" },
                { "___$(VAR_B)___", "VAR_B=B", "___B___" },
                { "$(VAR_A)-$(VAR_A)", "VAR_A=A", "A-A" },
                { "$(VAR_A)$(VAR_B)", "VAR_A=A|VAR_B=B", "AB" },
                { "$$(VAR_A)", "VAR_A=A", "$(VAR_A)" },
                { "$$$(VAR_A)", "VAR_A=A", "$A" },
                { "$$$$(VAR_A)", "VAR_A=A", "$$(VAR_A)" },
                { "$(VAR_UNKNOWN)", "VAR_A=A", "$(VAR_UNKNOWN)" },
                { "$(VAR_A", "VAR_A=A", "$(VAR_A" },
                { "$(VAR_A$(VAR_B)", "VAR_A=A|VAR_B=B", "$(VAR_A$(VAR_B)" },
                { "$()", "VAR_A=A", "$()" },
                { "$", "VAR_A=A", "$" },
                { "foo$", "VAR_A=A", "foo$" },
                { "$VAR_A", "VAR_A=A", "$VAR_A" },
                { "$:", "VAR_A=A", "$:" },
                { "$(EMPTY)x", "EMPTY=", "x" },
                { "$(VAR_A)", "VAR_A=1|VAR_A=2", "2" },
                { "$(A=B)", "A==B", "$(A=B)" },
                { "no references", "", "no references" },
                { "", "", "" },
                /* Go writes the byte after a lone '$' as a code point: é's first byte twice
                   encoded. */
                { "$\xc3\xa9", "", "$\xc3\x83\xa9" },
                { "x$(\xc3\xa9)", "\xc3\xa9=e", "xe" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autostrv char **env = V(cases[i].env);
                kl_autofree char *got = kl_agent__expand(cases[i].in, env);

                cr_assert_str_eq(got, cases[i].want, "expand '%s'", cases[i].in);
        }
}

/* ------------------------------------------------------------------------- */
/* makeEnvironmentVariables */

#define SERVICES                                                                             \
        "[{\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\"},"                \
        "\"spec\":{\"clusterIP\":\"10.43.0.1\",\"ports\":[{\"name\":\"https\",\"port\":443," \
        "\"protocol\":\"TCP\"}]}},"                                                          \
        "{\"metadata\":{\"name\":\"my-svc\",\"namespace\":\"web\"},"                         \
        "\"spec\":{\"clusterIP\":\"10.43.0.10\",\"ports\":[{\"name\":\"http\",\"port\":80,"  \
        "\"protocol\":\"TCP\"},{\"name\":\"dns-udp\",\"port\":53,\"protocol\":\"UDP\"}]}},"  \
        "{\"metadata\":{\"name\":\"headless\",\"namespace\":\"web\"},"                       \
        "\"spec\":{\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}},"                      \
        "{\"metadata\":{\"name\":\"ext\",\"namespace\":\"web\"},"                            \
        "\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}},"            \
        "{\"metadata\":{\"name\":\"elsewhere\",\"namespace\":\"other\"},"                    \
        "\"spec\":{\"clusterIP\":\"10.43.0.20\",\"ports\":[{\"port\":1}]}},"                 \
        "{\"metadata\":{\"name\":\"v6\",\"namespace\":\"web\"},"                             \
        "\"spec\":{\"clusterIP\":\"fd00::10\",\"ports\":[{\"port\":8080}]}}]"

#define KUBE_VARS                                                                        \
        "KUBERNETES_SERVICE_HOST=10.43.0.1|KUBERNETES_SERVICE_PORT=443|"                 \
        "KUBERNETES_SERVICE_PORT_HTTPS=443|KUBERNETES_PORT=tcp://10.43.0.1:443|"         \
        "KUBERNETES_PORT_443_TCP=tcp://10.43.0.1:443|KUBERNETES_PORT_443_TCP_PROTO=tcp|" \
        "KUBERNETES_PORT_443_TCP_PORT=443|KUBERNETES_PORT_443_TCP_ADDR=10.43.0.1"

#define MY_SVC_VARS                                                                          \
        "MY_SVC_SERVICE_HOST=10.43.0.10|MY_SVC_SERVICE_PORT=80|MY_SVC_SERVICE_PORT_HTTP=80|" \
        "MY_SVC_SERVICE_PORT_DNS_UDP=53|MY_SVC_PORT=tcp://10.43.0.10:80|"                    \
        "MY_SVC_PORT_80_TCP=tcp://10.43.0.10:80|MY_SVC_PORT_80_TCP_PROTO=tcp|"               \
        "MY_SVC_PORT_80_TCP_PORT=80|MY_SVC_PORT_80_TCP_ADDR=10.43.0.10|"                     \
        "MY_SVC_PORT_53_UDP=udp://10.43.0.10:53|MY_SVC_PORT_53_UDP_PROTO=udp|"               \
        "MY_SVC_PORT_53_UDP_PORT=53|MY_SVC_PORT_53_UDP_ADDR=10.43.0.10"

#define V6_VARS                                                                        \
        "V6_SERVICE_HOST=fd00::10|V6_SERVICE_PORT=8080|V6_PORT=tcp://[fd00::10]:8080|" \
        "V6_PORT_8080_TCP=tcp://[fd00::10]:8080|V6_PORT_8080_TCP_PROTO=tcp|"           \
        "V6_PORT_8080_TCP_PORT=8080|V6_PORT_8080_TCP_ADDR=fd00::10"

Test(pod_env, service_links)
{
        static const struct {
                const char *ns, *links, *want;
        } cases[] = {
                { "web", "", KUBE_VARS "|" MY_SVC_VARS "|" V6_VARS },
                { "web", ",\"enableServiceLinks\":true", KUBE_VARS "|" MY_SVC_VARS "|" V6_VARS },
                /* The master service is there whatever enableServiceLinks says. */
                { "web", ",\"enableServiceLinks\":false", KUBE_VARS },
                { "default", ",\"enableServiceLinks\":false", KUBE_VARS },
                /* Services in name order. */
                { "other", "",
                  "ELSEWHERE_SERVICE_HOST=10.43.0.20|ELSEWHERE_SERVICE_PORT=1|"
                  "ELSEWHERE_PORT=tcp://10.43.0.20:1|ELSEWHERE_PORT_1_TCP=tcp://10.43.0.20:1|"
                  "ELSEWHERE_PORT_1_TCP_PROTO=tcp|ELSEWHERE_PORT_1_TCP_PORT=1|"
                  "ELSEWHERE_PORT_1_TCP_ADDR=10.43.0.20|" KUBE_VARS },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *text =
                        kl_asprintf("{\"metadata\":{\"name\":\"p\",\"namespace\":\"%s\"},"
                                    "\"spec\":{\"containers\":[{\"name\":\"c\"}]%s}}",
                                    cases[i].ns, cases[i].links);
                json_auto_t *pod = J(text);
                struct kl_agent__pod_refs refs = { .services = J(SERVICES) };
                kl_autostrv char **env = NULL;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(kl_agent__container_env(
                                     pod,
                                     json_array_get(json_object_get(json_object_get(pod, "spec"),
                                                                    "containers"),
                                                    0),
                                     &refs, NULL, &env, &e),
                             0, "%s", kl_err_msg(e));
                assert_strv(env, cases[i].want, text);
                kl_agent__pod_refs_release(&refs);
        }
}

/* A namespace's own "kubernetes" service wins over the master service. */
Test(pod_env, service_links_own_kubernetes)
{
        json_auto_t *pod = J("{\"metadata\":{\"name\":\"p\",\"namespace\":\"web\"},"
                             "\"spec\":{\"containers\":[{\"name\":\"c\"}]}}");
        struct kl_agent__pod_refs refs = {
                .services =
                        J("[{\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"web\"},"
                          "\"spec\":{\"clusterIP\":\"10.43.0.99\",\"ports\":[{\"port\":1}]}},"
                          "{\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\"},"
                          "\"spec\":{\"clusterIP\":\"10.43.0.1\",\"ports\":[{\"port\":443}]}}]"),
        };
        kl_autostrv char **env = NULL;

        cr_assert_eq(
                kl_agent__container_env(pod, json_object_get(pod, "x"), &refs, NULL, &env, NULL),
                0);
        cr_assert_str_eq(env[0], "KUBERNETES_SERVICE_HOST=10.43.0.99");
        kl_agent__pod_refs_release(&refs);
}

static struct kl_agent__pod_refs make_refs(void)
{
        kl_autofree char *hello = b64("hello", 5);
        kl_autofree char *nul = b64("a\0b", 3);
        kl_autofree char *text = kl_asprintf(
                "{\"creds\":{\"data\":{\"USER\":\"%s\"}},\"nul\":{\"data\":{\"NUL\":\"%s\"}},"
                "\"broken\":{\"data\":{\"K\":\"not base64!\"}}}",
                hello, nul);

        return (struct kl_agent__pod_refs){
                .configmaps = J("{\"app\":{\"data\":{\"MODE\":\"prod\",\"LEVEL\":\"3\","
                                "\"config.yaml\":\"a: b\"},"
                                "\"binaryData\":{\"BLOB\":\"AAEC\"}},"
                                "\"other\":{\"data\":{\"MODE\":\"other\"}}}"),
                .secrets = J(text),
                .services =
                        J("[{\"metadata\":{\"name\":\"db\",\"namespace\":\"ns1\"},"
                          "\"spec\":{\"clusterIP\":\"10.0.0.5\",\"ports\":[{\"port\":5432}]}}]"),
        };
}

static const struct kl_agent__node_facts node = {
        .node_name = "node-1",
        .host_ip = "192.168.1.10",
        .pod_ips = (const char *const[]){ "fd00::5", "10.42.0.5", "10.42.0.6", NULL },
        .alloc_cpu_milli = 4000,
        .alloc_memory = (int64_t)8 << 30,
        .alloc_ephemeral = (int64_t)20 << 30,
};

/* One container's env; `env_json` is its env array, `from_json` its envFrom array. */
static int container_env(const char *from_json, const char *env_json, char ***ret,
                         struct kl_err **err)
{
        struct kl_agent__pod_refs refs = make_refs();
        kl_autofree char *text = kl_asprintf(
                "{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"ns1\",\"uid\":\"u-1\","
                "\"labels\":{\"app\":\"web\",\"tier\":\"front\"},"
                "\"annotations\":{\"note\":\"say \\\"hi\\\"\\n\"}},"
                "\"spec\":{\"nodeName\":\"node-1\",\"serviceAccountName\":\"sa\","
                "\"enableServiceLinks\":false,"
                "\"containers\":[{\"name\":\"c\",\"envFrom\":%s,\"env\":%s,"
                "\"resources\":{\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"},"
                "\"limits\":{\"memory\":\"128Mi\"}}},"
                "{\"name\":\"side\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}],"
                "\"initContainers\":[{\"name\":\"init\"}]}}",
                from_json, env_json);
        json_auto_t *pod = J(text);
        const json_t *c =
                json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0);
        int r = kl_agent__container_env(pod, c, &refs, &node, ret, err);

        kl_agent__pod_refs_release(&refs);
        return r;
}

Test(pod_env, container_env)
{
        static const struct {
                const char *from, *env, *want;
        } cases[] = {
                { "[]", "[]", "" },
                /* envFrom in order, keys sorted, the prefix in front; a later source wins in place.
                 */
                { "[{\"configMapRef\":{\"name\":\"app\"},\"prefix\":\"APP_\"},"
                  "{\"secretRef\":{\"name\":\"creds\"}}]",
                  "[]", "APP_LEVEL=3|APP_MODE=prod|APP_config.yaml=a: b|USER=hello" },
                { "[{\"configMapRef\":{\"name\":\"app\"}},{\"configMapRef\":{\"name\":\"other\"}}]",
                  "[]", "LEVEL=3|MODE=other|config.yaml=a: b" },
                /* env overrides envFrom, in envFrom's place; $(VAR) sees what came before. */
                { "[{\"configMapRef\":{\"name\":\"app\"}}]",
                  "[{\"name\":\"MODE\",\"value\":\"dev-$(LEVEL)\"},"
                  "{\"name\":\"URL\",\"value\":\"http://$(HOST):$(PORT)/$(MODE)\"},"
                  "{\"name\":\"HOST\",\"value\":\"h\"},{\"name\":\"ESC\",\"value\":\"$$(HOST)\"}]",
                  "LEVEL=3|MODE=dev-3|config.yaml=a: b|URL=http://$(HOST):$(PORT)/dev-3|HOST=h|"
                  "ESC=$(HOST)" },
                /* optional sources that are missing are skipped. */
                { "[{\"configMapRef\":{\"name\":\"nope\",\"optional\":true}},"
                  "{\"secretRef\":{\"name\":\"nope\",\"optional\":true}}]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"nope\","
                  "\"key\":\"k\",\"optional\":true}}},"
                  "{\"name\":\"B\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\","
                  "\"key\":\"nokey\",\"optional\":true}}},"
                  "{\"name\":\"C\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\","
                  "\"key\":\"nokey\",\"optional\":true}}},{\"name\":\"D\",\"value\":\"\"}]",
                  "D=" },
                /* binaryData is not in the environment, as upstream. */
                { "[]",
                  "[{\"name\":\"M\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\","
                  "\"key\":\"MODE\"}}},"
                  "{\"name\":\"U\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\","
                  "\"key\":\"USER\"}}},"
                  "{\"name\":\"B\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\","
                  "\"key\":\"BLOB\",\"optional\":true}}}]",
                  "M=prod|U=hello" },
                /* The downward API. */
                { "[]",
                  "[{\"name\":\"N\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\","
                  "\"fieldPath\":\"metadata.name\"}}},"
                  "{\"name\":\"NS\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}},"
                  "{\"name\":\"UID\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.uid\"}}},"
                  "{\"name\":\"APP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.labels['app']\"}}},"
                  "{\"name\":\"NODE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec.nodeName\"}}},"
                  "{\"name\":\"SA\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec.serviceAccountName\"}}},"
                  "{\"name\":\"HOST_IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.hostIP\"}}},"
                  "{\"name\":\"POD_IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}},"
                  "{\"name\":\"POD_IPS\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIPs\"}}},"
                  "{\"name\":\"MEM\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.memory\","
                  "\"divisor\":\"1Mi\"}}},"
                  "{\"name\":\"CPU\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.cpu\"}}},"
                  "{\"name\":\"REQ\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"requests.cpu\","
                  "\"divisor\":\"1m\"}}},"
                  "{\"name\":\"SIDE\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"side\","
                  "\"resource\":\"limits.cpu\",\"divisor\":1}}},"
                  "{\"name\":\"SIDEMEM\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"side\","
                  "\"resource\":\"limits.memory\",\"divisor\":\"1Gi\"}}},"
                  "{\"name\":\"INITMEM\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"init\","
                  "\"resource\":\"limits.memory\"}}}]",
                  "N=web-0|NS=ns1|UID=u-1|APP=web|NODE=node-1|SA=sa|HOST_IP=192.168.1.10|"
                  "POD_IP=10.42.0.5|POD_IPS=10.42.0.5,fd00::5|MEM=128|CPU=4|REQ=250|SIDE=2|"
                  "SIDEMEM=8|INITMEM=0" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autostrv char **env = NULL;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(container_env(cases[i].from, cases[i].env, &env, &e), 0,
                             "case %zu: %s", i, kl_err_msg(e));
                assert_strv(env, cases[i].want, cases[i].env);
        }
}

/* The CreateContainerConfigError texts: upstream's, word for word. */
Test(pod_env, container_env_errors)
{
        static const struct {
                const char *from, *env, *msg;
        } cases[] = {
                { "[{\"configMapRef\":{\"name\":\"nope\"}}]", "[]",
                  "configmap \"nope\" not found" },
                { "[{\"secretRef\":{\"name\":\"nope\"}}]", "[]", "secret \"nope\" not found" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"nope\","
                  "\"key\":\"k\"}}}]",
                  "configmap \"nope\" not found" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\","
                  "\"key\":\"k\"}}}]",
                  "couldn't find key k in ConfigMap ns1/app" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"nope\","
                  "\"key\":\"k\"}}}]",
                  "secret \"nope\" not found" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\","
                  "\"key\":\"k\"}}}]",
                  "couldn't find key k in Secret ns1/creds" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"nul\","
                  "\"key\":\"NUL\"}}}]",
                  "invalid value of key NUL in Secret ns1/nul: contains a NUL byte" },
                { "[{\"secretRef\":{\"name\":\"nul\"}}]", "[]",
                  "invalid value of key NUL in Secret ns1/nul: contains a NUL byte" },
                { "[{\"secretRef\":{\"name\":\"broken\"}}]", "[]",
                  "invalid base64 in key K of Secret ns1/broken" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v2\","
                  "\"fieldPath\":\"metadata.name\"}}}]",
                  "unsupported pod version: v2" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.phase\"}}}]",
                  "unsupported fieldPath: status.phase" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"x\","
                  "\"resource\":\"limits.cpu\"}}}]",
                  "container x not found" },
                { "[]",
                  "[{\"name\":\"A\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.gpu\"}}}]",
                  "unsupported container resource : limits.gpu" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autostrv char **env = NULL;
                kl_autoerr struct kl_err *e = NULL;
                int r = container_env(cases[i].from, cases[i].env, &env, &e);

                cr_assert_lt(r, 0, "case %zu succeeded", i);
                cr_assert_str_eq(kl_err_msg(e), cases[i].msg, "case %zu", i);
                cr_assert_null(env);
        }
}

/* ------------------------------------------------------------------------- */
/* fieldRef */

Test(pod_env, field_ref)
{
        static const struct {
                const char *path, *want, *msg; /* want NULL: fails with msg */
        } cases[] = {
                { "metadata.name", "web-0", NULL },
                { "metadata.namespace", "ns1", NULL },
                { "metadata.uid", "u-1", NULL },
                { "metadata.labels", "app=\"web\"\nempty=\"\"\ntier=\"front\"", NULL },
                { "metadata.annotations", "b=\"say \\\"hi\\\"\\n\\tx\"\nk8s.io/a=\"\xc3\xa9\"",
                  NULL },
                { "metadata.labels['tier']", "front", NULL },
                { "metadata.labels['missing']", "", NULL },
                { "metadata.annotations['k8s.io/a']", "\xc3\xa9", NULL },
                /* Annotation keys are validated in lower case, label keys as written. */
                { "metadata.annotations['K8S.IO/A']", "", NULL },
                { "spec.nodeName", "node-1", NULL },
                { "spec.host", "node-1", NULL },
                { "spec.serviceAccountName", "sa", NULL },
                { "status.hostIP", "192.168.1.10", NULL },
                { "status.hostIPs", "192.168.1.10", NULL },
                { "status.podIP", "10.42.0.5", NULL },
                { "status.podIPs", "10.42.0.5,fd00::5", NULL },
                { "spec.restartPolicy", NULL, "unsupported fieldPath: spec.restartPolicy" },
                { "spec.schedulerName", NULL, "unsupported fieldPath: spec.schedulerName" },
                { "metadata.generation", NULL, "field label not supported: metadata.generation" },
                { "", NULL, "field label not supported: " },
                { "spec.nodeName['x']", NULL,
                  "field label does not support subscript: spec.nodeName['x']" },
                { "['x']", NULL, "field label not supported: ['x']" },
        };
        json_auto_t *pod =
                J("{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"ns1\","
                  "\"uid\":\"u-1\",\"labels\":{\"tier\":\"front\",\"app\":\"web\","
                  "\"empty\":\"\"},"
                  "\"annotations\":{\"k8s.io/a\":\"\xc3\xa9\",\"b\":\"say \\\"hi\\\"\\n\\tx\"}},"
                  "\"spec\":{\"nodeName\":\"node-1\",\"serviceAccountName\":\"sa\"}}");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *got = NULL;
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_agent__field_ref(pod, &node, cases[i].path, &got, &e);

                if (cases[i].want) {
                        cr_assert_eq(r, 0, "%s: %s", cases[i].path, kl_err_msg(e));
                        cr_assert_str_eq(got, cases[i].want, "%s", cases[i].path);
                } else {
                        cr_assert_eq(r, -EINVAL, "%s", cases[i].path);
                        cr_assert_str_eq(kl_err_msg(e), cases[i].msg);
                }
        }
}

Test(pod_env, field_ref_node_facts)
{
        json_auto_t *pod = J("{\"metadata\":{\"name\":\"p\"}}");
        struct kl_agent__node_facts v6 = {
                .host_ip = "fd00::1",
                .pod_ips = (const char *const[]){ "10.42.0.5", "fd00::5", "fd00::6", NULL },
        };
        struct kl_agent__node_facts none = { 0 };
        kl_autofree char *ips = NULL, *ip = NULL, *empty = NULL;
        kl_autoerr struct kl_err *e = NULL;

        /* The node's family first (sortPodIPs). */
        cr_assert_eq(kl_agent__field_ref(pod, &v6, "status.podIPs", &ips, NULL), 0);
        cr_assert_str_eq(ips, "fd00::5,10.42.0.5");
        cr_assert_eq(kl_agent__field_ref(pod, &v6, "status.podIP", &ip, NULL), 0);
        cr_assert_str_eq(ip, "fd00::5");
        cr_assert_eq(kl_agent__field_ref(pod, &none, "status.podIP", &empty, NULL), 0);
        cr_assert_str_eq(empty, "");
        cr_assert_lt(kl_agent__field_ref(pod, &none, "status.hostIP", &ip, &e), 0);
        cr_assert_str_eq(kl_err_msg(e), "host IP unknown; known addresses: []");
}

Test(pod_env, field_ref_bad_subscript)
{
        json_auto_t *pod = J("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
        kl_autofree char *got = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_agent__field_ref(pod, &node, "metadata.labels['bad key']", &got, &e),
                     -EINVAL);
        cr_assert(kl_startswith(kl_err_msg(e),
                                "invalid key subscript in metadata.labels['bad key']: "),
                  "%s", kl_err_msg(e));
}

/* ------------------------------------------------------------------------- */
/* resourceFieldRef */

Test(pod_env, resource_ref)
{
        static const struct {
                const char *resources, *resource, *divisor, *want;
        } cases[] = {
                { "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},"
                  "\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"}}",
                  "limits.cpu", NULL, "1" },
                { "{\"limits\":{\"cpu\":\"500m\"}}", "limits.cpu", "1m", "500" },
                { "{\"limits\":{\"cpu\":\"1500m\"}}", "limits.cpu", "1", "2" },
                { "{\"requests\":{\"cpu\":\"250m\"}}", "requests.cpu", "100m", "3" },
                { "{\"requests\":{\"cpu\":\"250m\"}}", "requests.cpu", "0", "1" },
                { "{\"limits\":{\"memory\":\"128Mi\"}}", "limits.memory", "1Mi", "128" },
                { "{\"limits\":{\"memory\":\"100M\"}}", "limits.memory", "1Mi", "96" },
                { "{\"requests\":{\"memory\":\"64Mi\"}}", "requests.memory", NULL, "67108864" },
                { "{}", "requests.memory", NULL, "0" },
                { "{}", "requests.cpu", "1m", "0" },
                /* Limits not set are the node's allocatable. */
                { "{}", "limits.cpu", NULL, "4" },
                { "{\"limits\":{\"cpu\":\"0\"}}", "limits.cpu", "1m", "4000" },
                { "{}", "limits.memory", "1Gi", "8" },
                { "{}", "limits.ephemeral-storage", "1Gi", "20" },
                { "{}", "requests.ephemeral-storage", NULL, "0" },
                { "{\"limits\":{\"hugepages-2Mi\":\"4Mi\"}}", "limits.hugepages-2Mi", "1Mi", "4" },
                { "{}", "limits.hugepages-2Mi", NULL, "0" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *text =
                        kl_asprintf("{\"name\":\"c\",\"resources\":%s}", cases[i].resources);
                json_auto_t *c = J(text);
                kl_autofree char *got = NULL;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(kl_agent__resource_ref(c, &node, cases[i].resource, cases[i].divisor,
                                                    &got, &e),
                             0, "case %zu: %s", i, kl_err_msg(e));
                cr_assert_str_eq(got, cases[i].want, "case %zu: %s / %s", i, cases[i].resource,
                                 cases[i].divisor ? cases[i].divisor : "1");
        }
}

Test(pod_env, resource_ref_errors)
{
        static const struct {
                const char *resource, *divisor, *msg;
        } cases[] = {
                { "limits.nvidia.com/gpu", NULL,
                  "unsupported container resource : limits.nvidia.com/gpu" },
                { "cpu", NULL, "unsupported container resource : cpu" },
                { "requests.pods", NULL, "unsupported container resource : requests.pods" },
        };
        json_auto_t *c = J("{\"name\":\"c\"}");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *got = NULL;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(kl_agent__resource_ref(c, &node, cases[i].resource, cases[i].divisor,
                                                    &got, &e),
                             -EINVAL);
                cr_assert_str_eq(kl_err_msg(e), cases[i].msg);
        }
        {
                kl_autofree char *got = NULL;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(kl_agent__resource_ref(c, &node, "limits.cpu", "1 Mi", &got, &e),
                             -EINVAL);
        }
}

/* ------------------------------------------------------------------------- */
/* Image pull credentials */

static json_t *pull_secret(const char *type, const char *key, const char *config)
{
        kl_autofree char *data = b64(config, strlen(config));
        kl_autofree char *text =
                kl_asprintf("{\"type\":\"%s\",\"data\":{\"%s\":\"%s\"}}", type, key, data);

        return J(text);
}

Test(pod_env, pull_auth)
{
        static const struct {
                const char *image, *user, *password; /* user NULL: no credentials */
        } cases[] = {
                /* Docker Hub images find the index.docker.io entry (isDefaultRegistryMatch). */
                { "docker.io/library/busybox:latest", "hub", "pw" },
                { "busybox", "hub", "pw" },
                { "docker.io/someone/app@sha256:"
                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                  "hub", "pw" },
                /* The most specific entry first: "quay.io/coreos" before "quay.io". */
                { "quay.io/coreos/etcd:v3.5", "q1", "p1" },
                { "quay.io/other/app", "q0", "p0" },
                { "localhost:5000/app", "l", "p" },
                { "localhost:5001/app", NULL, NULL },
                /* Globs match one host part each. */
                { "a.example.com/x", "w", "wp" },
                { "b.a.example.com/x", NULL, NULL },
                /* A dockercfg secret with an unpadded auth. */
                { "registry.example.org/team/app", "o", "pw" },
                /* Only in the malformed secret, which is skipped whole. */
                { "gcr.io/x/y", NULL, NULL },
                { "ghcr.io/x/y", NULL, NULL },
        };
        struct kl_agent__pod_refs refs = { .secrets = json_object() };
        json_auto_t *pod = J("{\"metadata\":{\"namespace\":\"ns1\"},\"spec\":{"
                             "\"imagePullSecrets\":[{\"name\":\"missing\"},{\"name\":\"bad\"},"
                             "{\"name\":\"hub\"},{\"name\":\"old\"},{\"name\":\"opaque\"}]}}");

        json_object_set_new(
                refs.secrets, "hub",
                pull_secret(
                        "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnB3\"},"
                        "\"quay.io\":{\"username\":\"q0\",\"password\":\"p0\"},"
                        "\"https://quay.io/v2/coreos\":{\"username\":\"q1\",\"password\":\"p1\"},"
                        "\"http://localhost:5000\":{\"auth\":\"bDpw\"},"
                        "\"*.example.com\":{\"username\":\"w\",\"password\":\"wp\"}}}"));
        json_object_set_new(refs.secrets, "old",
                            pull_secret("kubernetes.io/dockercfg", ".dockercfg",
                                        "{\"registry.example.org\":{\"auth\":\"bzpwdw\"}}"));
        json_object_set_new(
                refs.secrets, "bad",
                pull_secret("kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                            "{\"auths\":{\"gcr.io\":{\"username\":\"g\",\"password\":\"g\"},"
                            "\"ghcr.io\":{\"auth\":\"bm9jb2xvbg==\"}}}"));
        json_object_set_new(refs.secrets, "opaque",
                            pull_secret("Opaque", ".dockerconfigjson",
                                        "{\"auths\":{\"ghcr.io\":{\"auth\":\"eDp5\"}}}"));

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *user = NULL, *password = NULL;
                int r = kl_agent__pull_auth(pod, &refs, cases[i].image, &user, &password);

                if (!cases[i].user) {
                        cr_assert_eq(r, 0, "%s: got %s", cases[i].image, user);
                        continue;
                }
                cr_assert_eq(r, 1, "%s", cases[i].image);
                cr_assert_str_eq(user, cases[i].user, "%s", cases[i].image);
                cr_assert_str_eq(password, cases[i].password, "%s", cases[i].image);
        }
        kl_agent__pod_refs_release(&refs);
}

Test(pod_env, pull_auth_none)
{
        json_auto_t *pod = J("{\"spec\":{}}");
        struct kl_agent__pod_refs refs = { 0 };
        kl_autofree char *user = NULL, *password = NULL;

        cr_assert_eq(kl_agent__pull_auth(pod, &refs, "busybox", &user, &password), 0);
        cr_assert_eq(kl_agent__pull_auth(pod, NULL, "busybox", &user, &password), 0);
        cr_assert_eq(kl_agent__pull_auth(pod, &refs, "Not A Ref", &user, &password), 0);
        cr_assert_null(user);
}
