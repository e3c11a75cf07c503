/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkg/config: precedence of the four sources, config files and drop-ins,
 * every value form, the exact error texts, --help, and default paths.
 *
 * No test reads /etc/kube-lite: every parse points the default config file
 * into the test's own temporary directory. Every KUBE_LITE_* variable is
 * removed before each test (Criterion runs each test in its own process), so
 * the caller's environment cannot change a result.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "config/config-internal.h"
#include "config/config.h"
#include "config/tests/sample-cmd.h"
#include "testing/testing.h"

extern char **environ;

static const char *dir;   /* this test's temporary directory */
static char *default_cfg; /* <dir>/config.yaml: the default config file, absent until written */

static void clear_kube_lite_env(void)
{
        kl_autostrv char **names = NULL;

        for (char **e = environ; *e; e++)
                if (kl_startswith(*e, "KUBE_LITE_"))
                        kl_strv_push_take(&names, kl_strndup(*e, strcspn(*e, "=")));
        for (size_t i = 0; names && names[i]; i++)
                cr_assert_eq(unsetenv(names[i]), 0);
}

static void setup(void)
{
        clear_kube_lite_env();
        dir = kl_test_tmpdir();
        default_cfg = kl_asprintf("%s/config.yaml", dir);
}

static void teardown(void)
{
        free(default_cfg);
}

TestSuite(config, .init = setup, .fini = teardown);

#define ARGS(...) ((const char *[]){ "server", ##__VA_ARGS__, NULL })

static int parse(const char *const *argv, struct sample_opts *o, struct kl_config **ret,
                 struct kl_err **err)
{
        const struct kl_config_parse_opts popts = { .default_config_file = default_cfg };
        int argc = 0;

        while (argv[argc])
                argc++;
        return kl_config_parse(&sample_cmd, o, argc, (char **)argv, &popts, ret, err);
}

/* Parse and assert success; the result is freed by the caller's cleanup variable. */
static struct kl_config *parse_ok(const char *const *argv, struct sample_opts *o)
{
        struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r = parse(argv, o, &cfg, &e);

        cr_assert_eq(r, 0, "parse failed (%d): %s", r, kl_err_msg(e));
        cr_assert_not_null(cfg);
        return cfg;
}

static void expect_error(const char *const *argv, int code, const char *msg)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r;

        memset(&o, 0xa5, sizeof(o));
        r = parse(argv, &o, &cfg, &e);
        cr_assert_eq(r, code, "expected %d, got %d: %s", code, r, kl_err_msg(e));
        cr_assert_str_eq(kl_err_msg(e), msg);
        cr_assert_null(cfg);
        /* A failed parse leaves every field it owns zeroed, nothing half-set. */
        cr_assert_null(o.data_dir);
        cr_assert_null(o.tls_san);
        cr_assert_eq(o.https_listen_port, 0);
}

static void write_file(const char *name, const char *text)
{
        free(kl_test_write_file(dir, name, text));
}

static char *joined(char *const *v)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; v && v[i]; i++)
                (void)kl_buf_printf(&b, "%s%s", i ? "," : "", v[i]);
        return kl_buf_detach(&b, NULL);
}

#define assert_list(v, expected)                  \
        do {                                      \
                kl_autofree char *j_ = joined(v); \
                cr_assert_str_eq(j_, expected);   \
        } while (0)

/* ---- Defaults and precedence ---- */

Test(config, defaults)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = parse_ok(ARGS(), &o);

        cr_assert_str_eq(o.data_dir, "/var/lib/kube-lite");
        cr_assert_str_eq(o.bind_address, "0.0.0.0");
        cr_assert_eq(o.https_listen_port, 6443);
        cr_assert_eq(o.write_kubeconfig_mode, 0600);
        cr_assert_null(o.write_kubeconfig);
        cr_assert_null(o.token);
        cr_assert(!o.disable_agent);
        cr_assert_null(o.tls_san);
        assert_list(o.disable, "servicelb");
        cr_assert_eq(o.etcd_snapshot_retention, 5);
        cr_assert_eq(o.etcd_s3_timeout, 5 * KL_USEC_PER_MIN);
        cr_assert_str_eq(o.log_level, "info");
        cr_assert_str_eq(o.config, default_cfg);
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_DEFAULT);
        cr_assert_str_eq(kl_config_origin(cfg, "data-dir"), "default");
        /* The default config file does not exist: no error, no file read. */
        cr_assert_null(kl_config_files(cfg)[0]);
        cr_assert_null(kl_config_args(cfg)[0]);
        cr_assert_eq(kl_config_source(cfg, "no-such-flag"), KL_CONFIG_SOURCE__INVALID);
        cr_assert_null(kl_config_origin(cfg, "no-such-flag"));
}

Test(config, file_over_default)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autofree char *where = kl_asprintf("%s: key 'data-dir'", default_cfg);

        write_file("config.yaml", "data-dir: /from/file\n");
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.data_dir, "/from/file");
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_FILE);
        cr_assert_str_eq(kl_config_origin(cfg, "data-dir"), where);
        cr_assert_str_eq(kl_config_files(cfg)[0], default_cfg);
        cr_assert_eq(kl_config_source(cfg, "bind-address"), KL_CONFIG_SOURCE_DEFAULT);
}

Test(config, env_over_default)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        setenv("KUBE_LITE_DATA_DIR", "/from/env", 1);
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.data_dir, "/from/env");
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_ENV);
        cr_assert_str_eq(kl_config_origin(cfg, "data-dir"), "KUBE_LITE_DATA_DIR");
}

Test(config, flag_over_default)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = parse_ok(ARGS("-d", "/short"), &o);

        cr_assert_str_eq(o.data_dir, "/short");
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_FLAG);
        cr_assert_str_eq(kl_config_origin(cfg, "data-dir"), "-d");
}

Test(config, env_over_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "data-dir: /from/file\nhttps-listen-port: 7000\n");
        setenv("KUBE_LITE_DATA_DIR", "/from/env", 1);
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.data_dir, "/from/env");
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_ENV);
        cr_assert_eq(o.https_listen_port, 7000);
        cr_assert_eq(kl_config_source(cfg, "https-listen-port"), KL_CONFIG_SOURCE_FILE);
}

Test(config, flag_over_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "data-dir: /from/file\n");
        cfg = parse_ok(ARGS("--data-dir=/from/flag"), &o);
        cr_assert_str_eq(o.data_dir, "/from/flag");
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_FLAG);
        cr_assert_str_eq(kl_config_origin(cfg, "data-dir"), "--data-dir");
}

Test(config, flag_over_env)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        setenv("KUBE_LITE_HTTPS_LISTEN_PORT", "7001", 1);
        cfg = parse_ok(ARGS("--https-listen-port", "7002"), &o);
        cr_assert_eq(o.https_listen_port, 7002);
        cr_assert_eq(kl_config_source(cfg, "https-listen-port"), KL_CONFIG_SOURCE_FLAG);
}

Test(config, all_four_sources)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "cluster-domain: file.local\n"
                                  "cluster-cidr: 10.1.0.0/16\n"
                                  "bind-address: 10.0.0.1\n");
        setenv("KUBE_LITE_CLUSTER_DOMAIN", "env.local", 1);
        setenv("KUBE_LITE_CLUSTER_CIDR", "10.2.0.0/16", 1);
        cfg = parse_ok(ARGS("--cluster-domain", "flag.local"), &o);
        cr_assert_str_eq(o.cluster_domain, "flag.local");
        cr_assert_str_eq(o.cluster_cidr, "10.2.0.0/16");
        cr_assert_str_eq(o.bind_address, "10.0.0.1");
        cr_assert_eq(o.https_listen_port, 6443);
        cr_assert_eq(kl_config_source(cfg, "cluster-domain"), KL_CONFIG_SOURCE_FLAG);
        cr_assert_eq(kl_config_source(cfg, "cluster-cidr"), KL_CONFIG_SOURCE_ENV);
        cr_assert_eq(kl_config_source(cfg, "bind-address"), KL_CONFIG_SOURCE_FILE);
        cr_assert_eq(kl_config_source(cfg, "https-listen-port"), KL_CONFIG_SOURCE_DEFAULT);
}

Test(config, last_flag_wins)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg =
                parse_ok(ARGS("--token", "a", "-t", "b", "--token=c"), &o);

        cr_assert_str_eq(o.token, "c");
        cr_assert_str_eq(kl_config_origin(cfg, "token"), "--token");
}

Test(config, empty_env_is_unset)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        setenv("KUBE_LITE_HTTPS_LISTEN_PORT", "", 1);
        cfg = parse_ok(ARGS(), &o);
        cr_assert_eq(o.https_listen_port, 6443);
        cr_assert_eq(kl_config_source(cfg, "https-listen-port"), KL_CONFIG_SOURCE_DEFAULT);
}

Test(config, env_alias)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        setenv("KUBE_LITE_URL", "https://alias:6443", 1);
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.server, "https://alias:6443");
        cr_assert_str_eq(kl_config_origin(cfg, "server"), "KUBE_LITE_URL");
        kl_config_free(KL_TAKE_PTR(cfg));

        /* The primary name wins over the alias. */
        setenv("KUBE_LITE_SERVER", "https://primary:6443", 1);
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.server, "https://primary:6443");
        cr_assert_str_eq(kl_config_origin(cfg, "server"), "KUBE_LITE_SERVER");
}

Test(config, no_env_flag)
{
        struct sample_opts o;
        const struct kl_config_parse_opts popts = { .default_config_file = default_cfg,
                                                    .flags = KL_CONFIG_PARSE_NO_ENV };
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        const char *argv[] = { "server", NULL };

        setenv("KUBE_LITE_DATA_DIR", "/from/env", 1);
        cr_assert_eq(kl_config_parse(&sample_cmd, &o, 1, (char **)argv, &popts, &cfg, NULL), 0);
        cr_assert_str_eq(o.data_dir, "/var/lib/kube-lite");
}

/* ---- The config file and its drop-ins ---- */

Test(config, config_flag_and_env)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autofree char *a = kl_test_write_file(dir, "a.yaml", "token: from-a\n");
        kl_autofree char *b = kl_test_write_file(dir, "b.yaml", "token: from-b\n");

        setenv("KUBE_LITE_CONFIG_FILE", a, 1);
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.token, "from-a");
        cr_assert_str_eq(o.config, a);
        cr_assert_eq(kl_config_source(cfg, "config"), KL_CONFIG_SOURCE_ENV);
        kl_config_free(KL_TAKE_PTR(cfg));

        cfg = parse_ok(ARGS("-c", b), &o);
        cr_assert_str_eq(o.token, "from-b");
        cr_assert_str_eq(o.config, b);
        cr_assert_eq(kl_config_source(cfg, "config"), KL_CONFIG_SOURCE_FLAG);
}

Test(config, explicit_config_must_exist)
{
        kl_autofree char *missing = kl_asprintf("%s/missing.yaml", dir);
        kl_autofree char *msg =
                kl_asprintf("read config file '%s': No such file or directory", missing);

        expect_error(ARGS("--config", missing), -ENOENT, msg);
        setenv("KUBE_LITE_CONFIG_FILE", missing, 1);
        expect_error(ARGS(), -ENOENT, msg);
}

Test(config, dropins_in_lexical_order)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autofree char *last = kl_asprintf("%s/config.yaml.d/9-last.yaml", dir);

        write_file("config.yaml",
                   "cluster-domain: main.local\ntoken: main\nbind-address: 1.1.1.1\n");
        write_file("config.yaml.d/10-first.yaml", "cluster-domain: ten.local\ntoken: ten\n");
        write_file("config.yaml.d/9-last.yaml", "cluster-domain: nine.local\n");
        /* Not drop-ins: another extension, a hidden file, a directory. */
        write_file("config.yaml.d/50-other.yml", "cluster-domain: yml.local\n");
        write_file("config.yaml.d/.99-hidden.yaml", "cluster-domain: hidden.local\n");
        write_file("config.yaml.d/60-dir.yaml/x", "x\n");
        cfg = parse_ok(ARGS(), &o);
        /* Byte order: "10-first" before "9-last", so 9 is applied last and wins. */
        cr_assert_str_eq(o.cluster_domain, "nine.local");
        cr_assert_str_eq(o.token, "ten");
        cr_assert_str_eq(o.bind_address, "1.1.1.1");
        cr_assert_eq(kl_strv_length(kl_config_files(cfg)), 3);
        cr_assert_str_eq(kl_config_files(cfg)[0], default_cfg);
        cr_assert(kl_endswith(kl_config_files(cfg)[1], "/config.yaml.d/10-first.yaml"));
        cr_assert_str_eq(kl_config_files(cfg)[2], last);
        cr_assert(kl_startswith(kl_config_origin(cfg, "cluster-domain"), last));
}

Test(config, dropins_without_main_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml.d/a.yaml", "https-listen-port: 8443\n");
        cfg = parse_ok(ARGS(), &o);
        cr_assert_eq(o.https_listen_port, 8443);
        cr_assert(kl_endswith(kl_config_files(cfg)[0], "/config.yaml.d/a.yaml"));
}

Test(config, plus_appends_across_files)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "tls-san: [a.example]\nnode-label: [zone=a]\n");
        write_file("config.yaml.d/1.yaml", "tls-san+: [b.example, c.example]\n"
                                           "node-label+: role=db\n");
        write_file("config.yaml.d/2.yaml", "tls-san+: \"d.example\"\n");
        cfg = parse_ok(ARGS(), &o);
        assert_list(o.tls_san, "a.example,b.example,c.example,d.example");
        assert_list(o.node_label, "zone=a,role=db");
        cr_assert_eq(kl_config_source(cfg, "tls-san"), KL_CONFIG_SOURCE_FILE);
}

Test(config, plain_key_replaces_list_of_earlier_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "tls-san: [a, b]\n");
        write_file("config.yaml.d/1.yaml", "tls-san: [c]\n");
        cfg = parse_ok(ARGS(), &o);
        assert_list(o.tls_san, "c");
        cr_assert_eq(kl_config_source(cfg, "tls-san"), KL_CONFIG_SOURCE_FILE);
}

Test(config, plus_does_not_append_to_default)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "disable+: [traefik]\n");
        cfg = parse_ok(ARGS(), &o);
        assert_list(o.disable, "traefik");
        cr_assert_eq(kl_config_source(cfg, "disable"), KL_CONFIG_SOURCE_FILE);
}

Test(config, plus_in_same_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "tls-san: [a]\ntls-san+: [b]\n");
        cfg = parse_ok(ARGS(), &o);
        assert_list(o.tls_san, "a,b");
        cr_assert_eq(kl_config_source(cfg, "tls-san"), KL_CONFIG_SOURCE_FILE);
}

Test(config, plus_on_scalar_is_an_error)
{
        kl_autofree char *msg = NULL;

        write_file("config.yaml", "data-dir+: /x\n");
        msg = kl_asprintf(
                "%s: key 'data-dir+': '+' appends to a list, and 'data-dir' is not a list",
                default_cfg);
        expect_error(ARGS(), -EINVAL, msg);
}

Test(config, scalar_forms_in_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        /* Numbers and booleans are taken as the text a flag would carry, as k3s does. */
        write_file("config.yaml", "https-listen-port: \"7443\"\n"
                                  "etcd-snapshot-retention: 12\n"
                                  "disable-agent: \"true\"\n"
                                  "debug: true\n"
                                  "token: 12345\n"
                                  "write-kubeconfig-mode: 0640\n"
                                  "etcd-s3-timeout: 90s\n"
                                  "node-taint: key=value:NoSchedule\n"
                                  "cluster-domain:\n");
        cfg = parse_ok(ARGS(), &o);
        cr_assert_eq(o.https_listen_port, 7443);
        cr_assert_eq(o.etcd_snapshot_retention, 12);
        cr_assert(o.disable_agent);
        cr_assert(o.debug);
        cr_assert_str_eq(o.token, "12345");
        cr_assert_eq(o.write_kubeconfig_mode, 0640);
        cr_assert_eq(o.etcd_s3_timeout, 90 * KL_USEC_PER_SEC);
        assert_list(o.node_taint, "key=value:NoSchedule");
        /* null means "not set here". */
        cr_assert_str_eq(o.cluster_domain, "cluster.local");
        cr_assert_eq(kl_config_source(cfg, "cluster-domain"), KL_CONFIG_SOURCE_DEFAULT);
}

Test(config, mode_string_in_file_is_octal)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "write-kubeconfig-mode: \"644\"\n");
        cfg = parse_ok(ARGS(), &o);
        cr_assert_eq(o.write_kubeconfig_mode, 0644);
        cr_assert_eq(kl_config_source(cfg, "write-kubeconfig-mode"), KL_CONFIG_SOURCE_FILE);
}

Test(config, mode_decimal_number_in_file)
{
        kl_autofree char *msg = NULL;

        write_file("config.yaml", "write-kubeconfig-mode: 644\n");
        msg = kl_asprintf(
                "%s: key 'write-kubeconfig-mode': expected an octal file mode (0000-0777), "
                "got 644 (a YAML number without a leading 0 is decimal: write \"0644\")",
                default_cfg);
        expect_error(ARGS(), -EINVAL, msg);
}

Test(config, empty_file_and_comments_only)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "# nothing yet\n");
        write_file("config.yaml.d/empty.yaml", "");
        cfg = parse_ok(ARGS(), &o);
        cr_assert_str_eq(o.data_dir, "/var/lib/kube-lite");
        cr_assert_eq(kl_strv_length(kl_config_files(cfg)), 2);
}

Test(config, peers_keys_are_skipped)
{
        struct agent_opts {
                char *node_name;
        };
        static const struct kl_config_flag agent_flags[] = {
                { KL_CONFIG_STRING_AT(struct agent_opts, node_name), .name = "node-name" },
        };
        static const struct kl_config_cmd agent_cmd = {
                .name = "kube-lite agent",
                .flags = agent_flags,
                .n_flags = KL_ARRAY_SIZE(agent_flags),
        };
        const struct kl_config_cmd *const peers[] = { &agent_cmd, NULL };
        const struct kl_config_parse_opts popts = { .default_config_file = default_cfg,
                                                    .peers = peers };
        const char *argv[] = { "server", NULL };
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autofree char *msg = NULL;

        write_file("config.yaml", "node-name: n1\ntoken: t\n");
        cr_assert_eq(kl_config_parse(&sample_cmd, &o, 1, (char **)argv, &popts, &cfg, NULL), 0);
        cr_assert_str_eq(o.token, "t");

        msg = kl_asprintf("%s: unknown key 'node-name'", default_cfg);
        expect_error(ARGS(), -EINVAL, msg);
}

/* ---- Error messages: flag, environment, file ---- */

Test(config, bad_port_flag_env_file)
{
        kl_autofree char *msg = NULL;

        expect_error(ARGS("--https-listen-port", "abc"), -EINVAL,
                     "--https-listen-port: expected a port number (1-65535), got 'abc'");
        expect_error(ARGS("--https-listen-port=0"), -EINVAL,
                     "--https-listen-port: expected a port number (1-65535), got '0'");

        setenv("KUBE_LITE_HTTPS_LISTEN_PORT", "abc", 1);
        expect_error(ARGS(), -EINVAL,
                     "KUBE_LITE_HTTPS_LISTEN_PORT: expected a port number (1-65535), got 'abc'");
        unsetenv("KUBE_LITE_HTTPS_LISTEN_PORT");

        write_file("config.yaml", "https-listen-port: abc\n");
        msg = kl_asprintf(
                "%s: key 'https-listen-port': expected a port number (1-65535), got 'abc'",
                default_cfg);
        expect_error(ARGS(), -EINVAL, msg);
}

Test(config, bad_file_is_reported_even_when_a_flag_overrides)
{
        kl_autofree char *msg = NULL;

        write_file("config.yaml", "https-listen-port: 70000\n");
        msg = kl_asprintf(
                "%s: key 'https-listen-port': expected a port number (1-65535), got '70000'",
                default_cfg);
        expect_error(ARGS("--https-listen-port", "6443"), -EINVAL, msg);
}

Test(config, bad_values_of_each_type)
{
        expect_error(ARGS("--debug=yes"), -EINVAL,
                     "--debug: expected a boolean (true or false), got 'yes'");
        expect_error(ARGS("--etcd-snapshot-retention", "five"), -EINVAL,
                     "--etcd-snapshot-retention: expected an integer, got 'five'");
        expect_error(
                ARGS("--write-kubeconfig-mode", "0800"), -EINVAL,
                "--write-kubeconfig-mode: expected an octal file mode (0000-0777), got '0800'");
        expect_error(
                ARGS("--write-kubeconfig-mode", "4755"), -EINVAL,
                "--write-kubeconfig-mode: expected an octal file mode (0000-0777), got '4755'");
        expect_error(
                ARGS("--etcd-s3-timeout", "5 minutes"), -EINVAL,
                "--etcd-s3-timeout: expected a duration (e.g. 30s, 5m, 1h30m), got '5 minutes'");
        expect_error(ARGS("--etcd-s3-timeout", "-1s"), -EINVAL,
                     "--etcd-s3-timeout: expected a duration (e.g. 30s, 5m, 1h30m), got '-1s'");
        expect_error(ARGS("--node-label", "zone=a,foo"), -EINVAL,
                     "--node-label: expected key=value, got 'foo'");
        expect_error(ARGS("--node-label", "=x"), -EINVAL,
                     "--node-label: expected key=value, got '=x'");
        expect_error(ARGS("--log-level", "loud"), -EINVAL,
                     "--log-level: expected one of error, warn, info, debug, trace, got 'loud'");
        expect_error(ARGS("--token", "x", "--bind-address"), -EINVAL,
                     "--bind-address: missing value");
}

Test(config, quoted_values_are_escaped_and_cut)
{
        char long_value[200];

        memset(long_value, 'x', sizeof(long_value) - 1);
        long_value[sizeof(long_value) - 1] = '\0';
        expect_error(ARGS("--log-level", "a\x1b[31mb"), -EINVAL,
                     "--log-level: expected one of error, warn, info, debug, trace, got "
                     "'a\\x1b[31mb'");
        expect_error(ARGS("--https-listen-port", long_value), -EINVAL,
                     "--https-listen-port: expected a port number (1-65535), got "
                     "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
}

Test(config, unknown_flags)
{
        expect_error(ARGS("--nope"), -EINVAL, "unknown flag '--nope'");
        expect_error(ARGS("--nope=1"), -EINVAL, "unknown flag '--nope'");
        expect_error(ARGS("-x"), -EINVAL, "unknown flag '-x'");
        expect_error(ARGS("--data-dri", "/x"), -EINVAL,
                     "unknown flag '--data-dri' (did you mean '--data-dir'?)");
        expect_error(ARGS("-data-dir", "/x"), -EINVAL,
                     "unknown flag '-data-dir' (did you mean '--data-dir'?)");
        /* Short flags do not bundle. */
        expect_error(ARGS("-dx"), -EINVAL, "unknown flag '-dx'");
}

Test(config, env_errors_for_each_type)
{
        setenv("KUBE_LITE_DISABLE_AGENT", "yes", 1);
        expect_error(ARGS(), -EINVAL,
                     "KUBE_LITE_DISABLE_AGENT: expected a boolean (true or false), got 'yes'");
        unsetenv("KUBE_LITE_DISABLE_AGENT");
        setenv("KUBE_LITE_NODE_LABEL", "a=b,c", 1);
        expect_error(ARGS(), -EINVAL, "KUBE_LITE_NODE_LABEL: expected key=value, got 'c'");
}

Test(config, file_errors)
{
        struct {
                const char *yaml;
                const char *msg; /* after "<path>: " */
        } cases[] = {
                { "nope: 1\n", "unknown key 'nope'" },
                { "tls-sans: [a]\n", "unknown key 'tls-sans' (did you mean 'tls-san'?)" },
                { "config: /etc/other.yaml\n", "key 'config' cannot be set in a config file" },
                { "https-listen-port: [1]\n",
                  "key 'https-listen-port': expected a port number (1-65535), got a list" },
                { "data-dir: {a: b}\n", "key 'data-dir': expected a string, got a mapping" },
                { "debug: maybe\n",
                  "key 'debug': expected a boolean (true or false), got 'maybe'" },
                { "tls-san: {a: b}\n", "key 'tls-san': expected a list, got a mapping" },
                { "tls-san: [a, [b]]\n", "key 'tls-san': item 2: expected a string, got a list" },
                { "node-label: [a=b, c]\n", "key 'node-label': expected key=value, got 'c'" },
                { "[a, b]\n", "expected a mapping of option names to values, got a list" },
                { "just text\n", "expected a mapping of option names to values, got a string" },
                { "etcd-snapshot-retention: 1.5\n",
                  "key 'etcd-snapshot-retention': expected an integer, got '1.5'" },
                { "write-kubeconfig-mode: 999\n",
                  "key 'write-kubeconfig-mode': expected an octal file mode (0000-0777), got 999" },
                { "token: \"a\\0b\"\n", "key 'token': value holds a NUL byte" },
                { "tls-san: [a, \"b\\0c\"]\n", "key 'tls-san': item 2 holds a NUL byte" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *msg = kl_asprintf("%s: %s", default_cfg, cases[i].msg);

                write_file("config.yaml", cases[i].yaml);
                expect_error(ARGS(), -EINVAL, msg);
        }
}

Test(config, dropin_error_names_the_dropin)
{
        kl_autofree char *msg = NULL;

        write_file("config.yaml", "token: t\n");
        write_file("config.yaml.d/20-bad.yaml", "bind-adress: 1.2.3.4\n");
        msg = kl_asprintf("%s/config.yaml.d/20-bad.yaml: unknown key 'bind-adress' "
                          "(did you mean 'bind-address'?)",
                          dir);
        expect_error(ARGS(), -EINVAL, msg);
}

Test(config, yaml_syntax_error_names_the_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;

        write_file("config.yaml", "token: [unclosed\n");
        cr_assert_eq(parse(ARGS(), &o, &cfg, &e), -EINVAL);
        cr_assert(kl_startswith(kl_err_msg(e), default_cfg), "%s", kl_err_msg(e));
}

Test(config, oversized_file)
{
        kl_autofree char *big = kl_malloc(KL_CONFIG__MAX_FILE + 2);
        kl_autofree char *msg = NULL;

        memset(big, '#', KL_CONFIG__MAX_FILE + 1);
        big[KL_CONFIG__MAX_FILE + 1] = '\0';
        write_file("config.yaml", big);
        msg = kl_asprintf("config file '%s' is larger than %zu bytes", default_cfg,
                          KL_CONFIG__MAX_FILE);
        expect_error(ARGS(), -E2BIG, msg);
}

Test(config, unexpected_argument)
{
        expect_error(ARGS("foo"), -EINVAL, "unexpected argument 'foo'");
}

/* ---- Command-line forms ---- */

Test(config, bool_forms)
{
        static const struct {
                const char *arg;
                bool want;
        } cases[] = {
                { "--disable-agent", true },        { "--disable-agent=true", true },
                { "--disable-agent=false", false }, { "--disable-agent=1", true },
                { "--disable-agent=0", false },     { "--disable-agent=T", true },
                { "--disable-agent=FALSE", false }, { "--disable-agent=True", true },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct sample_opts o;
                kl_cleanup(kl_config_freep) struct kl_config *cfg =
                        parse_ok(ARGS(cases[i].arg), &o);

                cr_assert_eq(o.disable_agent, cases[i].want, "%s", cases[i].arg);
                cr_assert_eq(kl_config_source(cfg, "disable-agent"), KL_CONFIG_SOURCE_FLAG);
        }
}

Test(config, bool_false_overrides_env_and_file)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "debug: true\n");
        setenv("KUBE_LITE_DISABLE_AGENT", "true", 1);
        cfg = parse_ok(ARGS("--debug=false", "--disable-agent=false"), &o);
        cr_assert(!o.debug);
        cr_assert(!o.disable_agent);
        cr_assert_eq(kl_config_source(cfg, "debug"), KL_CONFIG_SOURCE_FLAG);
}

Test(config, bool_never_takes_the_next_argument)
{
        expect_error(ARGS("--disable-agent", "false"), -EINVAL, "unexpected argument 'false'");
}

Test(config, short_forms)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg =
                parse_ok(ARGS("-d", "/a", "-t=secret", "-o", "/k.yaml"), &o);

        cr_assert_str_eq(o.data_dir, "/a");
        cr_assert_str_eq(o.token, "secret");
        cr_assert_str_eq(o.write_kubeconfig, "/k.yaml");
        cr_assert_str_eq(kl_config_origin(cfg, "token"), "-t");
}

Test(config, value_that_looks_like_a_flag)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg =
                parse_ok(ARGS("--token", "--not-a-flag", "--data-dir=--"), &o);

        cr_assert_str_eq(o.token, "--not-a-flag");
        cr_assert_str_eq(o.data_dir, "--");
        cr_assert_null(kl_config_args(cfg)[0]);
}

Test(config, list_flags_repeat_and_split)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = parse_ok(
                ARGS("--tls-san", "a.example", "--tls-san=b.example, c.example", "--tls-san", "",
                     "--node-label", "zone=a,role=", "--node-taint", "dedicated=db:NoSchedule"),
                &o);

        assert_list(o.tls_san, "a.example,b.example,c.example");
        assert_list(o.node_label, "zone=a,role=");
        assert_list(o.node_taint, "dedicated=db:NoSchedule");
        cr_assert_str_eq(kl_config_origin(cfg, "tls-san"), "--tls-san");
}

Test(config, list_sources_replace_each_other)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        write_file("config.yaml", "tls-san: [file.example]\nnode-label: [from=file]\n"
                                  "disable: [traefik]\n");
        setenv("KUBE_LITE_TLS_SAN", "env1.example,env2.example", 1);
        setenv("KUBE_LITE_NODE_LABEL", "from=env", 1);
        cfg = parse_ok(ARGS("--node-label", "from=flag", "--node-label", "x=y"), &o);
        assert_list(o.tls_san, "env1.example,env2.example");
        assert_list(o.node_label, "from=flag,x=y");
        assert_list(o.disable, "traefik");
        cr_assert_eq(kl_config_source(cfg, "tls-san"), KL_CONFIG_SOURCE_ENV);
        cr_assert_eq(kl_config_source(cfg, "node-label"), KL_CONFIG_SOURCE_FLAG);
}

Test(config, list_flag_replaces_default)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg =
                parse_ok(ARGS("--disable", "traefik", "--disable", "metrics-server"), &o);

        assert_list(o.disable, "traefik,metrics-server");
        cr_assert_eq(kl_config_source(cfg, "disable"), KL_CONFIG_SOURCE_FLAG);
}

Test(config, double_dash_ends_flags)
{
        static const struct kl_config_cmd any_args = {
                .name = "kube-lite test",
                .flags = sample_flags,
                .n_flags = KL_ARRAY_SIZE(sample_flags),
                .max_args = KL_CONFIG_ARGS_ANY,
        };
        const char *argv[] = {
                "test", "a", "--token", "t", "-", "--", "--data-dir", "x", "--", NULL
        };
        const struct kl_config_parse_opts popts = { .default_config_file = default_cfg };
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        char *const *args;

        cr_assert_eq(kl_config_parse(&any_args, &o, KL_ARRAY_SIZE(argv) - 1, (char **)argv, &popts,
                                     &cfg, NULL),
                     0);
        args = kl_config_args(cfg);
        cr_assert_eq(kl_strv_length(args), 5);
        cr_assert_str_eq(args[0], "a");
        cr_assert_str_eq(args[1], "-");
        cr_assert_str_eq(args[2], "--data-dir");
        cr_assert_str_eq(args[3], "x");
        cr_assert_str_eq(args[4], "--");
        cr_assert_str_eq(o.token, "t");
        cr_assert_str_eq(o.data_dir, "/var/lib/kube-lite");
}

Test(config, stop_at_first_argument)
{
        static const struct kl_config_cmd dispatcher = {
                .name = "kube-lite",
                .flags = sample_flags,
                .n_flags = KL_ARRAY_SIZE(sample_flags),
                .max_args = KL_CONFIG_ARGS_ANY,
                .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
        };
        const char *argv[] = {
                "kube-lite", "--debug", "-t", "x", "version", "--debug", "-o", NULL
        };
        const struct kl_config_parse_opts popts = { .default_config_file = default_cfg };
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        char *const *args, *const *tokens;

        cr_assert_eq(kl_config_parse(&dispatcher, &o, KL_ARRAY_SIZE(argv) - 1, (char **)argv,
                                     &popts, &cfg, NULL),
                     0);
        args = kl_config_args(cfg);
        cr_assert_eq(kl_strv_length(args), 3);
        cr_assert_str_eq(args[0], "version");
        cr_assert_str_eq(args[1], "--debug");
        cr_assert_str_eq(args[2], "-o");
        tokens = kl_config_flag_tokens(cfg);
        cr_assert_eq(kl_strv_length(tokens), 2);
        cr_assert_str_eq(tokens[0], "--debug=true");
        cr_assert_str_eq(tokens[1], "--token=x");
}

Test(config, mixed_flags_and_arguments)
{
        static const struct kl_config_cmd join = {
                .name = "kube-lite agent join",
                .synopsis = "URL [OPTIONS]",
                .flags = sample_flags,
                .n_flags = KL_ARRAY_SIZE(sample_flags),
                .min_args = 1,
                .max_args = 1,
        };
        const char *argv[] = { "join", "https://s:6443", "--token", "T", NULL };
        const char *none[] = { "join", "--token", "T", NULL };
        const struct kl_config_parse_opts popts = { .default_config_file = default_cfg };
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_config_parse(&join, &o, 4, (char **)argv, &popts, &cfg, NULL), 0);
        cr_assert_str_eq(kl_config_args(cfg)[0], "https://s:6443");
        cr_assert_str_eq(o.token, "T");
        kl_config_free(KL_TAKE_PTR(cfg));

        cr_assert_eq(kl_config_parse(&join, &o, 3, (char **)none, &popts, &cfg, &e), -EINVAL);
        cr_assert_str_eq(kl_err_msg(e),
                         "missing arguments (usage: kube-lite agent join URL [OPTIONS])");
}

/* ---- --help ---- */

Test(config, help_flag_anywhere)
{
        const char *const *forms[] = {
                ARGS("--help"),
                ARGS("-h"),
                ARGS("--data-dir", "/x", "--help"),
                /* --help wins over a bad value and an unreadable config file. */
                ARGS("--https-listen-port=abc", "-h"),
                ARGS("--config", "/nonexistent/config.yaml", "--help"),
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(forms); i++) {
                struct sample_opts o;
                kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

                cr_assert_eq(parse(forms[i], &o, &cfg, NULL), KL_CONFIG_HELP, "form %zu", i);
                cr_assert_null(cfg);
                cr_assert_null(o.data_dir);
        }
        /* After --, --help is an argument. */
        expect_error(ARGS("--", "--help"), -EINVAL, "unexpected argument '--help'");
}

Test(config, help_lists_every_visible_flag)
{
        kl_autobuf struct kl_buf help = KL_BUF_INIT;

        kl_config_help(&sample_cmd, &help);
        for (size_t i = 0; i < sample_cmd.n_flags; i++) {
                const struct kl_config_flag *f = &sample_flags[i];
                kl_autofree char *flag = kl_asprintf("--%s", f->name);
                kl_autofree char *env = kl_config_env_name(f->name);

                if (f->flags & KL_CONFIG_HIDDEN) {
                        cr_assert_null(strstr(help.buf, flag), "hidden %s shown", flag);
                        continue;
                }
                cr_assert_not_null(strstr(help.buf, flag), "%s missing", flag);
                if (!f->env)
                        cr_assert_not_null(strstr(help.buf, env), "%s missing", env);
        }
        cr_assert(kl_startswith(help.buf, "Usage: kube-lite server [OPTIONS]\n"));
        cr_assert_not_null(strstr(help.buf, "  -h, --help "));
        cr_assert_not_null(strstr(help.buf, "[$KUBE_LITE_CONFIG_FILE]"));
        cr_assert_not_null(strstr(help.buf, "[$KUBE_LITE_SERVER, $KUBE_LITE_URL]"));
        cr_assert_not_null(strstr(help.buf, "(default: 6443)"));
        cr_assert_not_null(strstr(help.buf, "(default: \"cluster.local\")"));
        cr_assert_not_null(strstr(help.buf, "--log-level error|warn|info|debug|trace"));
        cr_assert_not_null(strstr(help.buf, "\nListener:\n"));
        /* Lines fit the terminal width the help is wrapped for. */
        for (const char *l = help.buf; *l;) {
                size_t n = strcspn(l, "\n");

                cr_assert_leq(n, 100, "line too long: %.*s", (int)n, l);
                l += n + (l[n] ? 1 : 0);
        }
}

Test(config, help_golden)
{
        kl_autobuf struct kl_buf help = KL_BUF_INIT;
        kl_autofree char *path = kl_test_data_path("config", "help-server.txt");
        kl_autofree char *want = NULL;
        const char *update = getenv("KL_TEST_UPDATE_GOLDEN");

        kl_config_help(&sample_cmd, &help);
        if (update && kl_streq(update, "1")) {
                cr_assert_eq(kl_write_file_atomic(path, help.buf, help.len, 0644, 0), 0);
                return;
        }
        want = kl_test_read_file(path);
        cr_assert_str_eq(help.buf, want,
                         "help differs from %s (KL_TEST_UPDATE_GOLDEN=1 rewrites it)", path);
}

Test(config, help_commands_section)
{
        static const struct kl_config_cmd version = { .name = "kube-lite version",
                                                      .summary = "Print versions" };
        static const struct kl_config_cmd *const cmds[] = { &sample_cmd, &version, NULL };
        static const struct kl_config_cmd root = {
                .name = "kube-lite",
                .synopsis = "[OPTIONS] COMMAND",
                .commands = cmds,
                .footer = "Run 'kube-lite COMMAND --help' for more.",
        };
        kl_autobuf struct kl_buf help = KL_BUF_INIT;

        kl_config_help(&root, &help);
        cr_assert_str_eq(help.buf, "Usage: kube-lite [OPTIONS] COMMAND\n"
                                   "\n"
                                   "Commands:\n"
                                   "  server   Run the control plane\n"
                                   "  version  Print versions\n"
                                   "\n"
                                   "Options:\n"
                                   "  -h, --help  Show this help\n"
                                   "\n"
                                   "Run 'kube-lite COMMAND --help' for more.\n");
}

/* ---- Reporting ---- */

Test(config, format_values_redacts_secrets)
{
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autobuf struct kl_buf out = KL_BUF_INIT;

        setenv("KUBE_LITE_TOKEN", "s3cr3t", 1);
        cfg = parse_ok(ARGS("--tls-san", "a,b", "--write-kubeconfig-mode", "644"), &o);
        kl_config_format_values(cfg, &out);
        cr_assert_null(strstr(out.buf, "s3cr3t"));
        cr_assert_not_null(strstr(out.buf, "\ntoken = <redacted> (KUBE_LITE_TOKEN)\n"));
        cr_assert_not_null(strstr(out.buf, "\ntls-san = a,b (--tls-san)\n"));
        cr_assert_not_null(
                strstr(out.buf, "\nwrite-kubeconfig-mode = 0644 (--write-kubeconfig-mode)\n"));
        cr_assert_not_null(strstr(out.buf, "\nhttps-listen-port = 6443 (default)\n"));
        cr_assert_not_null(strstr(out.buf, "\netcd-s3-timeout = 5m0s (default)\n"));
        cr_assert_not_null(strstr(out.buf, "\nenable-pprof = false (default)\n"));
        cr_assert_str_eq(kl_config_source_name(kl_config_source(cfg, "token")), "env");
}

Test(config, env_name)
{
        kl_autofree char *a = kl_config_env_name("https-listen-port");
        kl_autofree char *b = kl_config_env_name("disable-agent");

        cr_assert_str_eq(a, "KUBE_LITE_HTTPS_LISTEN_PORT");
        cr_assert_str_eq(b, "KUBE_LITE_DISABLE_AGENT");
}

/* ---- Computed defaults and default paths ---- */

struct small_opts {
        bool rootless;
        char *data_dir;
};

static int small_default_data_dir(const void *opts, char **ret, struct kl_err **err)
{
        const struct small_opts *o = opts;

        return kl_config_default_path(KL_CONFIG_PATH_DATA, o->rootless, ret, err);
}

static const struct kl_config_flag small_flags[] = {
        { KL_CONFIG_BOOL_AT(struct small_opts, rootless), .name = "rootless" },
        { KL_CONFIG_STRING_AT(struct small_opts, data_dir), .name = "data-dir",
          .def = "/var/lib/kube-lite", .default_fn = small_default_data_dir },
};

static const struct kl_config_cmd small_cmd = {
        .name = "kube-lite small",
        .flags = small_flags,
        .n_flags = KL_ARRAY_SIZE(small_flags),
};

Test(config, default_fn_sees_resolved_options)
{
        const char *rootless[] = { "small", "--rootless", NULL };
        const char *explicit[] = { "small", "--rootless", "--data-dir", "/mine", NULL };
        const char *system[] = { "small", NULL };
        struct small_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        setenv("HOME", "/home/u", 1);
        cr_assert_eq(kl_config_parse(&small_cmd, &o, 2, (char **)rootless, NULL, &cfg, NULL), 0);
        cr_assert_str_eq(o.data_dir, "/home/u/.kube-lite/data");
        cr_assert_eq(kl_config_source(cfg, "data-dir"), KL_CONFIG_SOURCE_DEFAULT);
        kl_config_free(KL_TAKE_PTR(cfg));

        cr_assert_eq(kl_config_parse(&small_cmd, &o, 4, (char **)explicit, NULL, &cfg, NULL), 0);
        cr_assert_str_eq(o.data_dir, "/mine");
        kl_config_free(KL_TAKE_PTR(cfg));

        cr_assert_eq(kl_config_parse(&small_cmd, &o, 1, (char **)system, NULL, &cfg, NULL), 0);
        cr_assert_str_eq(o.data_dir, "/var/lib/kube-lite");
}

Test(config, default_fn_error)
{
        const char *argv[] = { "small", "--rootless", NULL };
        struct small_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;

        setenv("HOME", "relative", 1);
        cr_assert_eq(kl_config_parse(&small_cmd, &o, 2, (char **)argv, NULL, &cfg, &e), -EINVAL);
        cr_assert_str_eq(kl_err_msg(e), "default of '--data-dir': HOME is not an absolute path: "
                                        "cannot place files under ~/.kube-lite for a server run "
                                        "as a user");
        cr_assert_null(o.data_dir);
}

Test(config, default_paths)
{
        static const struct {
                enum kl_config_path which;
                const char *system;
                const char *rootless;
        } cases[] = {
                { KL_CONFIG_PATH_DATA, "/var/lib/kube-lite", "/h/.kube-lite/data" },
                { KL_CONFIG_PATH_KUBECONFIG, "/etc/kube-lite/kube-lite.yaml",
                  "/h/.kube-lite/kube-lite.yaml" },
                { KL_CONFIG_PATH_CONFIG, "/etc/kube-lite/config.yaml",
                  "/etc/kube-lite/config.yaml" },
                { KL_CONFIG_PATH_RUN, "/run/kube-lite", "/h/.kube-lite/run" },
                { KL_CONFIG_PATH_POD_LOGS, "/var/log/pods", "/h/.kube-lite/logs" },
        };
        char *p = NULL;

        setenv("HOME", "/h", 1);
        unsetenv("XDG_RUNTIME_DIR");
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                cr_assert_eq(kl_config_default_path(cases[i].which, false, &p, NULL), 0);
                cr_assert_str_eq(p, cases[i].system);
                free(p);
                cr_assert_eq(kl_config_default_path(cases[i].which, true, &p, NULL), 0);
                cr_assert_str_eq(p, cases[i].rootless);
                free(p);
        }
        setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
        cr_assert_eq(kl_config_default_path(KL_CONFIG_PATH_RUN, true, &p, NULL), 0);
        cr_assert_str_eq(p, "/run/user/1000/kube-lite");
        free(p);
        cr_assert_eq(kl_config_default_path(KL_CONFIG_PATH__COUNT, false, &p, NULL), -EINVAL);
        cr_assert(!kl_config_is_rootless(false));
        cr_assert_eq(kl_config_is_rootless(true), geteuid() != 0);
}

/* ---- Table checks and the in-memory file entry point ---- */

Test(config, bad_tables_are_reported)
{
        struct small_opts o;
        static const struct kl_config_flag dup[] = {
                { KL_CONFIG_BOOL_AT(struct small_opts, rootless), .name = "x" },
                { KL_CONFIG_STRING_AT(struct small_opts, data_dir), .name = "x" },
        };
        static const struct kl_config_flag help[] = {
                { KL_CONFIG_BOOL_AT(struct small_opts, rootless), .name = "r", .short_name = 'h' },
        };
        static const struct kl_config_cmd dup_cmd = { .name = "t", .flags = dup, .n_flags = 2 };
        static const struct kl_config_cmd help_cmd = { .name = "t", .flags = help, .n_flags = 1 };
        const char *argv[] = { "t", NULL };
        kl_autoerr struct kl_err *e1 = NULL;
        kl_autoerr struct kl_err *e2 = NULL;
        struct kl_config *cfg = NULL;

        cr_assert_eq(kl_config_parse(&dup_cmd, &o, 1, (char **)argv, NULL, &cfg, &e1), -EINVAL);
        cr_assert_str_eq(kl_err_msg(e1), "flag table of 't': duplicate flag 'x'");
        cr_assert_eq(kl_config_parse(&help_cmd, &o, 1, (char **)argv, NULL, &cfg, &e2), -EINVAL);
        cr_assert_str_eq(kl_err_msg(e2), "flag table of 't': 'r': bad short name 'h'");
}

Test(config, in_memory_files)
{
        static const char a[] = "tls-san: [a]\ntoken: one\n";
        static const char b[] = "tls-san+: [b]\ntoken: two\n";
        const struct kl_config__file files[] = {
                { .name = "a.yaml", .data = a, .len = sizeof(a) - 1 },
                { .name = "b.yaml", .data = b, .len = sizeof(b) - 1 },
        };
        const char *argv[] = { "server", NULL };
        struct sample_opts o;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;

        cr_assert_eq(
                kl_config__parse(&sample_cmd, &o, 1, (char **)argv, NULL, files, 2, &cfg, NULL), 0);
        assert_list(o.tls_san, "a,b");
        cr_assert_str_eq(o.token, "two");
        cr_assert_str_eq(kl_config_origin(cfg, "token"), "b.yaml: key 'token'");
}
