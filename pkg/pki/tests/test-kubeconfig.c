/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubeconfig writing and reading. The text is checked against the exact
 * shape k3s writes, and every value is read back through pkg/yaml, the same
 * YAML reader the rest of kube-lite uses.
 */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/testing.h"
#include "yaml/yaml.h"

#define CA   "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n"
#define CERT "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n"
#define KEY  "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n"

static char *format(const char *server, const char *ca, const char *cert, const char *key,
                    const char *token)
{
        const struct kl_pki_kubeconfig kc = {
                .server = (char *)server,
                .ca_pem = (char *)ca,
                .cert_pem = (char *)cert,
                .key_pem = (char *)key,
                .token = (char *)token,
        };
        kl_autoerr struct kl_err *err = NULL;
        char *yaml = NULL;

        cr_assert_eq(kl_pki_kubeconfig_format(&kc, &yaml, &err), 0, "%s", kl_err_msg(err));
        return yaml;
}

static void parse_ok(const char *text, struct kl_pki_kubeconfig *kc)
{
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_pki_kubeconfig_parse(text, strlen(text), "test", kc, &err), 0, "%s\n%s",
                     kl_err_msg(err), text);
}

static void parse_fails(const char *text, const char *needle)
{
        kl_autoerr struct kl_err *err = NULL;
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;

        cr_assert_eq(kl_pki_kubeconfig_parse(text, strlen(text), "test", &kc, &err), -EINVAL, "%s",
                     text);
        cr_assert(strstr(kl_err_msg(err), needle), "'%s' not in '%s'", needle, kl_err_msg(err));
        cr_assert_null(kc.server);
}

Test(kubeconfig, k3s_shape)
{
        kl_autosecret char *yaml = format("https://127.0.0.1:6443", CA, CERT, KEY, NULL);

        cr_assert_str_eq(
                yaml,
                "apiVersion: v1\n"
                "clusters:\n"
                "- cluster:\n"
                "    certificate-authority-data: "
                "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClEwRT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=\n"
                "    server: https://127.0.0.1:6443\n"
                "  name: default\n"
                "contexts:\n"
                "- context:\n"
                "    cluster: default\n"
                "    user: default\n"
                "  name: default\n"
                "current-context: default\n"
                "kind: Config\n"
                "preferences: {}\n"
                "users:\n"
                "- name: default\n"
                "  user:\n"
                "    client-certificate-data: "
                "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClEwVlNWQT09Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K\n"
                "    client-key-data: "
                "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tClMwVloKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=\n");
}

Test(kubeconfig, round_trip_through_pkg_yaml)
{
        kl_autosecret char *yaml = format("https://127.0.0.1:6443", CA, CERT, KEY, NULL);
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        json_auto_t *doc = NULL;

        parse_ok(yaml, &kc);
        cr_assert_str_eq(kc.server, "https://127.0.0.1:6443");
        cr_assert_str_eq(kc.ca_pem, CA);
        cr_assert_str_eq(kc.cert_pem, CERT);
        cr_assert_str_eq(kc.key_pem, KEY);
        cr_assert_null(kc.token);

        /* The generic reader sees the same document kubectl would. */
        cr_assert_eq(kl_yaml_decode_one(yaml, strlen(yaml), "k", NULL, &doc, NULL), 0);
        cr_assert_str_eq(json_string_value(json_object_get(doc, "current-context")), "default");
        cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "Config");
        cr_assert(json_is_object(json_object_get(doc, "preferences")));
        cr_assert_eq(json_array_size(json_object_get(doc, "users")), 1);
}

Test(kubeconfig, awkward_values_are_quoted_and_survive)
{
        static const char *const servers[] = {
                "https://[::1]:6443",
                "yes",
                "NO",
                "on",
                "null",
                "~",
                "true",
                "123",
                "0x1F",
                "1e3",
                "https://h:6443/ # x",
                "a: b",
                "- x",
                "\"quoted\"",
                "back\\slash",
                "ünïcødé",
                "https://h:6443:",
                "&anchor",
                "*alias",
                "!tag",
                "@at",
                "%pct",
                "`tick",
                "{x}",
                "[x]",
                "x,y",
                "'single'",
                ".inf",
                "-1",
                "'",
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(servers); i++) {
                kl_autosecret char *yaml = format(servers[i], NULL, NULL, NULL, servers[i]);
                kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;

                parse_ok(yaml, &kc);
                cr_assert_str_eq(kc.server, servers[i], "server %zu", i);
                cr_assert_str_eq(kc.token, servers[i], "token %zu", i);
                cr_assert_null(kc.ca_pem);
                cr_assert_null(kc.cert_pem);
        }
}

Test(kubeconfig, yaml_line_breaks_are_escaped)
{
        /* LINE SEPARATOR, PARAGRAPH SEPARATOR, BOM: libyaml would fold or drop them raw. */
        static const char token[] = "a\xe2\x80\xa8"
                                    "b\xe2\x80\xa9"
                                    "c\xef\xbb\xbf\xc3\xa4";
        kl_autosecret char *yaml = format("https://h", NULL, NULL, NULL, token);
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        const struct kl_pki_kubeconfig nel = { .server = (char *)"https://h",
                                               .token = (char *)"a\xc2\x85"
                                                                "b" };
        kl_autoerr struct kl_err *err = NULL;
        char *out = NULL;

        cr_assert(strstr(yaml, "token: \"a\\u2028b\\u2029c\\ufeff\xc3\xa4\"\n"), "%s", yaml);
        parse_ok(yaml, &kc);
        cr_assert_str_eq(kc.token, token);
        /* NEL is a C1 control character: refused like the C0 ones. */
        cr_assert_eq(kl_pki_kubeconfig_format(&nel, &out, &err), -EINVAL);
        cr_assert_null(out);
}

Test(kubeconfig, plain_url_stays_plain)
{
        kl_autosecret char *yaml =
                format("https://k.example.com:6443", NULL, NULL, NULL, "abc.def");

        cr_assert(strstr(yaml, "    server: https://k.example.com:6443\n"), "%s", yaml);
        cr_assert(strstr(yaml, "    token: abc.def\n"), "%s", yaml);
        cr_assert(!strstr(yaml, "certificate-authority-data"));
}

Test(kubeconfig, user_without_credentials)
{
        kl_autosecret char *yaml = format("https://h", CA, NULL, NULL, NULL);
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;

        cr_assert(strstr(yaml, "- name: default\n  user: {}\n"), "%s", yaml);
        parse_ok(yaml, &kc);
        cr_assert_null(kc.cert_pem);
        cr_assert_null(kc.key_pem);
        cr_assert_str_eq(kc.ca_pem, CA);
}

Test(kubeconfig, format_refuses)
{
        struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        kl_autoerr struct kl_err *err = NULL;
        char *yaml = NULL;

        cr_assert_eq(kl_pki_kubeconfig_format(&kc, &yaml, &err), -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        kc.server = (char *)"https://h\xff";
        cr_assert_eq(kl_pki_kubeconfig_format(&kc, &yaml, &err), -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        kc.server = (char *)"https://h\n";
        cr_assert_eq(kl_pki_kubeconfig_format(&kc, &yaml, &err), -EINVAL);
        kl_err_free(KL_TAKE_PTR(err));
        kc.server = (char *)"https://h";
        kc.token = (char *)"tab\there";
        cr_assert_eq(kl_pki_kubeconfig_format(&kc, &yaml, &err), -EINVAL);
        cr_assert(!strstr(kl_err_msg(err), "tab"), "the token leaked: %s", kl_err_msg(err));
        cr_assert_null(yaml);
}

Test(kubeconfig, reads_what_kubectl_writes)
{
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;

        parse_ok("apiVersion: v1\n"
                 "kind: Config\n"
                 "clusters:\n"
                 "- name: other\n"
                 "  cluster: {server: 'https://wrong:1'}\n"
                 "- name: k3s\n"
                 "  cluster:\n"
                 "    server: \"https://10.0.0.1:6443\"\n"
                 "    certificate-authority-data: Q0E=\n"
                 "contexts:\n"
                 "- name: ctx\n"
                 "  context: {cluster: k3s, user: admin, namespace: kube-system}\n"
                 "current-context: ctx\n"
                 "users:\n"
                 "- name: admin\n"
                 "  user:\n"
                 "    token: \"abcdef.0123456789abcdef\"\n",
                 &kc);
        cr_assert_str_eq(kc.server, "https://10.0.0.1:6443");
        cr_assert_str_eq(kc.ca_pem, "CA");
        cr_assert_str_eq(kc.token, "abcdef.0123456789abcdef");
        cr_assert_null(kc.cert_pem);
}

Test(kubeconfig, only_context_without_current_context)
{
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;

        parse_ok("clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
                 "contexts: [{name: only, context: {cluster: c, user: u}}]\n"
                 "users: [{name: u, user: }]\n",
                 &kc);
        cr_assert_str_eq(kc.server, "https://x");
}

Test(kubeconfig, malformed)
{
        parse_fails("- a list\n", "not a mapping");
        parse_fails("kind: Pod\n", "expected Config");
        parse_fails("clusters: []\ncontexts: []\nusers: []\n", "no current-context and 0 contexts");
        parse_fails("current-context: x\ncontexts: [{name: y, context: {cluster: c, user: u}}]\n",
                    "no entry named 'x'");
        parse_fails(
                "current-context: x\n"
                "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                "clusters: [{name: c, cluster: {certificate-authority: /etc/ca.crt, server: s}}]\n",
                "file references");
        parse_fails(
                "current-context: x\n"
                "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                "clusters: [{name: c, cluster: {certificate-authority-data: '!!!!', server: s}}]\n",
                "not base64");
        parse_fails("current-context: x\n"
                    "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {server: s}}]\n"
                    "users: [{name: u, user: {client-key: /root/.ssh/id_rsa}}]\n",
                    "file references");
        parse_fails("current-context: x\n"
                    "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {server: s}}]\n"
                    "users: [{name: u, user: {client-key-data: AAEC}}]\n",
                    "binary data");
        parse_fails("current-context: x\n"
                    "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {}}]\n",
                    "'server'");
        parse_fails("current-context: x\n"
                    "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
                    "clusters: [{name: c, cluster: {server: [1]}}]\n",
                    "server");
        parse_fails("a: [\n", "kubeconfig");
}

Test(kubeconfig, write_modes_and_load)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_asprintf("%s/etc/kube-lite/kube-lite.yaml", dir);
        const struct kl_pki_kubeconfig kc = {
                .server = (char *)"https://127.0.0.1:6443",
                .ca_pem = (char *)CA,
                .cert_pem = (char *)CERT,
                .key_pem = (char *)KEY,
        };
        kl_autokubeconfig struct kl_pki_kubeconfig back = KL_PKI_KUBECONFIG_INIT;
        kl_autoerr struct kl_err *err = NULL;
        struct stat st;

        cr_assert_eq(kl_pki_kubeconfig_load(path, &back, &err), -ENOENT);
        kl_err_free(KL_TAKE_PTR(err));
        cr_assert_eq(kl_pki_kubeconfig_write(path, &kc, KL_PKI_KUBECONFIG_MODE, &err), 0, "%s",
                     kl_err_msg(err));
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0600);
        cr_assert_eq(kl_pki_kubeconfig_write(path, &kc, 0640, &err), 0);
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0640);
        cr_assert_eq(kl_pki_kubeconfig_load(path, &back, &err), 0, "%s", kl_err_msg(err));
        cr_assert_str_eq(back.key_pem, KEY);
}
