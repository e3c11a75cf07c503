/* SPDX-License-Identifier: Apache-2.0 */
/* The container config and state.json: their JSON forms, defaults and checks. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "base/base.h"
#include "container/ctr-internal.h"

Test(config, ids)
{
        static const struct {
                const char *id;
                bool ok;
        } cases[] = {
                { "abc", true },
                { "a.b_c-d", true },
                { "0123456789abcdef", true },
                { "", false },
                { ".hidden", false },
                { "-flag", false },
                { "a/b", false },
                { "a b", false },
                { "..", false },
                { "\xc3\xa9t\xc3\xa9", false },
        };
        char longest[KL_CTR_ID_MAX + 2];

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                cr_expect_eq(kl_ctr_id_is_valid(cases[i].id), cases[i].ok, "'%s'", cases[i].id);
        cr_expect(!kl_ctr_id_is_valid(NULL));
        memset(longest, 'a', sizeof(longest));
        longest[KL_CTR_ID_MAX] = '\0';
        cr_expect(kl_ctr_id_is_valid(longest));
        longest[KL_CTR_ID_MAX] = 'a';
        longest[KL_CTR_ID_MAX + 1] = '\0';
        cr_expect(!kl_ctr_id_is_valid(longest));
}

Test(config, defaults)
{
        struct kl_ctr_config c;

        kl_ctr_config_init(&c);
        for (int i = 0; i < KL_CTR_NS_N; i++)
                cr_expect_eq(c.ns[i].mode, KL_CTR_NS_NEW);
        cr_expect_eq(c.process.caps, kl_ctr_caps_default());
        cr_expect_eq(c.process.seccomp, KL_CTR_SECCOMP_RUNTIME_DEFAULT);
        cr_expect_null(c.id);
        kl_ctr_config_release(&c);
}

static void full_config(struct kl_ctr_config *c)
{
        kl_ctr_config_init(c);
        c->id = kl_strdup("full");
        c->image = kl_strdup("docker.io/library/busybox:latest");
        kl_strv_push(&c->layers, "/s/2/fs");
        kl_strv_push(&c->layers, "/s/1/fs");
        c->readonly_rootfs = true;
        kl_strv_push(&c->process.args, "sh");
        kl_strv_push(&c->process.args, "-c");
        kl_strv_push(&c->process.args, "echo \"quoted\" \\ back");
        kl_strv_push(&c->process.env, "A=b=c");
        c->process.cwd = kl_strdup("/work");
        c->process.user = kl_strdup("app:staff");
        c->process.groups = kl_calloc(2, sizeof(uint32_t));
        c->process.groups[0] = 10;
        c->process.groups[1] = 4000000000u;
        c->process.n_groups = 2;
        c->process.terminal = true;
        c->process.stdin_open = true;
        c->process.caps = 0xffffffffffull | (1ull << 63);
        c->process.no_new_privs = true;
        c->process.seccomp = KL_CTR_SECCOMP_LOCALHOST;
        c->process.seccomp_profile = kl_strdup("/etc/profiles/p.json");
        c->process.rlimits = kl_calloc(1, sizeof(struct kl_ctr_rlimit));
        c->process.rlimits[0] = (struct kl_ctr_rlimit){ RLIMIT_NOFILE, 1024, UINT64_MAX };
        c->process.n_rlimits = 1;
        c->process.oom_score_adj = -999;
        c->process.has_oom_score_adj = true;
        c->hostname = kl_strdup("host");
        c->ns[KL_CTR_NS_NET].mode = KL_CTR_NS_JOIN;
        c->ns[KL_CTR_NS_NET].path = kl_strdup("/run/kube-lite/netns/pod");
        c->ns[KL_CTR_NS_IPC].mode = KL_CTR_NS_HOST;
        c->mounts = kl_calloc(2, sizeof(struct kl_ctr_mount));
        c->mounts[0] = (struct kl_ctr_mount){ .source = kl_strdup("/host"),
                                              .destination = kl_strdup("/in"),
                                              .readonly = true,
                                              .propagation = KL_CTR_PROPAGATION_RSLAVE };
        c->mounts[1] = (struct kl_ctr_mount){ .source = kl_strdup("tmpfs"),
                                              .destination = kl_strdup("/scratch"),
                                              .type = kl_strdup("tmpfs"),
                                              .data = kl_strdup("size=1m") };
        c->n_mounts = 2;
        kl_strv_push(&c->masked_paths, "/proc/kcore");
        c->readonly_paths = kl_new0(char *);
        c->resources = (struct kl_ctr_resources){ .memory_limit = 32 << 20,
                                                  .memory_swap = -1,
                                                  .cpu_quota = 50000,
                                                  .cpu_period = 100000,
                                                  .cpu_shares = 512,
                                                  .pids_limit = 64 };
        c->log_path = kl_strdup("/var/log/pods/x/0.log");
        c->log_max_size = 1000;
        c->log_max_files = 3;
        c->stop_signal = SIGQUIT;
        kl_strv_push(&c->labels, "io.kubernetes.pod.name=web");
}

Test(config, round_trip)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_config c, d;
        kl_autofree char *json = NULL;
        kl_autofree char *json2 = NULL;

        full_config(&c);
        json = kl_ctr_config_to_json(&c);
        cr_assert_eq(kl_ctr_config_from_json(json, strlen(json), &d, &e), 0, "%s",
                     e ? kl_err_msg(e) : "");
        cr_expect_str_eq(d.id, "full");
        cr_expect_str_eq(d.layers[1], "/s/1/fs");
        cr_expect_null(d.layers[2]);
        cr_expect_str_eq(d.process.args[2], "echo \"quoted\" \\ back");
        cr_expect_str_eq(d.process.env[0], "A=b=c");
        cr_expect_eq(d.process.groups[1], 4000000000u);
        cr_expect_eq(d.process.caps, c.process.caps, "all 64 bits survive");
        cr_expect_eq(d.process.seccomp, KL_CTR_SECCOMP_LOCALHOST);
        cr_expect_eq(d.process.rlimits[0].hard, UINT64_MAX);
        cr_expect_eq(d.process.oom_score_adj, -999);
        cr_expect(d.process.has_oom_score_adj);
        cr_expect_eq(d.ns[KL_CTR_NS_NET].mode, KL_CTR_NS_JOIN);
        cr_expect_str_eq(d.ns[KL_CTR_NS_NET].path, "/run/kube-lite/netns/pod");
        cr_expect_eq(d.ns[KL_CTR_NS_IPC].mode, KL_CTR_NS_HOST);
        cr_expect_eq(d.ns[KL_CTR_NS_PID].mode, KL_CTR_NS_NEW);
        cr_expect_eq(d.n_mounts, 2);
        cr_expect_eq(d.mounts[0].propagation, KL_CTR_PROPAGATION_RSLAVE);
        cr_expect(d.mounts[0].readonly);
        cr_expect_str_eq(d.mounts[1].data, "size=1m");
        cr_expect_null(d.readonly_paths[0], "an empty list stays a list (no defaults)");
        cr_expect_eq(d.resources.memory_swap, -1);
        cr_expect_eq(d.resources.cpu_shares, 512);
        cr_expect_eq(d.stop_signal, SIGQUIT);
        cr_expect_str_eq(d.labels[0], "io.kubernetes.pod.name=web");
        json2 = kl_ctr_config_to_json(&d);
        cr_expect_str_eq(json, json2);
        kl_ctr_config_release(&c);
        kl_ctr_config_release(&d);
}

Test(config, refused_with_the_field)
{
        static const struct {
                const char *json;
                const char *msg;
        } cases[] = {
                { "[]", "expected an object" },
                { "{\"id\":\"a/b\",\"rootfs\":\"/r\"}", "'id'" },
                { "{\"id\":\"a\",\"rootfs\":\"r\",\"process\":{}}", "'rootfs'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\"}", "'process'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[]}}", "'args'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[1]}}", "'args[0]'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[\"x\"],\"caps\":\"12\"}}",
                  "'caps'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[\"x\"],"
                  "\"caps\":\"000000000000000g\"}}",
                  "'caps'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[\"x\"],"
                  "\"caps\":\"0000000000000000\",\"seccomp\":\"Strict\"}}",
                  "'seccomp'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[\"x\"],"
                  "\"caps\":\"0000000000000000\",\"seccomp\":\"Localhost\"}}",
                  "'seccomp_profile'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[\"x\"],\"cwd\":\"rel\","
                  "\"caps\":\"0000000000000000\",\"seccomp\":\"Unconfined\"}}",
                  "'cwd'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"process\":{\"args\":[\"x\"],"
                  "\"caps\":\"0000000000000000\",\"seccomp\":\"Unconfined\",\"rlimits\":"
                  "[{\"resource\":7,\"soft\":\"10\",\"hard\":\"5\"}]}}",
                  "soft above hard" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"namespaces\":{\"mnt\":\"host\"},"
                  "\"process\":{\"args\":[\"x\"],\"caps\":\"0000000000000000\","
                  "\"seccomp\":\"Unconfined\"}}",
                  "'namespaces.mnt'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"namespaces\":{\"net\":\"netns\"},"
                  "\"process\":{\"args\":[\"x\"],\"caps\":\"0000000000000000\","
                  "\"seccomp\":\"Unconfined\"}}",
                  "'namespaces.net'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"mounts\":[{\"source\":\"/a\","
                  "\"destination\":\"b\"}],\"process\":{\"args\":[\"x\"],"
                  "\"caps\":\"0000000000000000\",\"seccomp\":\"Unconfined\"}}",
                  "mounts[0]" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"mounts\":[{\"source\":\"/a\","
                  "\"destination\":\"/b\",\"propagation\":\"shared\"}],\"process\":{\"args\":"
                  "[\"x\"],\"caps\":\"0000000000000000\",\"seccomp\":\"Unconfined\"}}",
                  "'propagation'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"resources\":{\"cpu_shares\":300000},"
                  "\"process\":{\"args\":[\"x\"],\"caps\":\"0000000000000000\","
                  "\"seccomp\":\"Unconfined\"}}",
                  "'resources.cpu_shares'" },
                { "{\"id\":\"a\",\"rootfs\":\"/r\",\"hostname\":"
                  "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
                  "\"process\":{\"args\":[\"x\"],\"caps\":\"0000000000000000\","
                  "\"seccomp\":\"Unconfined\"}}",
                  "'hostname'" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_ctr_config c;

                cr_expect_eq(kl_ctr_config_from_json(cases[i].json, strlen(cases[i].json), &c, &e),
                             -EINVAL, "case %zu", i);
                cr_expect(e && strstr(kl_err_msg(e), cases[i].msg), "case %zu: '%s' lacks '%s'", i,
                          e ? kl_err_msg(e) : "", cases[i].msg);
        }
}

Test(config, state_round_trip)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_state s = { .id = kl_strdup("c1"),
                                  .image = kl_strdup("img"),
                                  .status = KL_CTR_STOPPED,
                                  .pid = 42,
                                  .shim_pid = 41,
                                  .created_usec = 1,
                                  .started_usec = 2,
                                  .finished_usec = 3,
                                  .exit_code = 137,
                                  .signal = 9,
                                  .oom_killed = true,
                                  .error = kl_strdup("boom"),
                                  .log_path = kl_strdup("/l") };
        char *dirs[] = { (char *)"/sys/fs/cgroup/memory/x", (char *)"/sys/fs/cgroup/pids/x", NULL };
        struct kl_ctr_state t;
        kl_autostrv char **got = NULL;
        kl_autofree char *json = NULL;

        kl_strv_push(&s.labels, "a=b");
        json = kl_container__state_to_json(&s, dirs);
        cr_assert_eq(kl_container__state_from_json(json, strlen(json), &t, &got, &e), 0);
        cr_expect_str_eq(t.id, "c1");
        cr_expect_eq(t.status, KL_CTR_STOPPED);
        cr_expect_eq(t.pid, 42);
        cr_expect_eq(t.exit_code, 137);
        cr_expect_eq(t.signal, 9);
        cr_expect(t.oom_killed);
        cr_expect_str_eq(t.error, "boom");
        cr_expect_str_eq(t.labels[0], "a=b");
        cr_expect_str_eq(got[1], "/sys/fs/cgroup/pids/x");
        cr_expect_str_eq(kl_ctr_status_name(KL_CTR_CREATED), "created");
        cr_expect_str_eq(kl_ctr_status_name((enum kl_ctr_status)99), "unknown");
        cr_expect_eq(kl_container__state_from_json("{}", 2, &t, NULL, &e), -EINVAL);
        kl_ctr_state_release(&s);
        kl_ctr_state_release(&t);
}
