/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod-spec.c against the kubelet's generateContainerConfig and containerd's
 * CRI plugin: command and args over the image's entrypoint and cmd, the
 * environment's order, the user and groups, capabilities, privileged,
 * no_new_privs, seccomp, CPU shares and quota, the OOM score adjustment,
 * namespaces, mounts (subPath, subPathExpr, propagation, the sandbox's
 * files, the termination message file, their order) and labels, and the
 * error texts of what cannot run.
 */
#include <criterion/criterion.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "agent/pod-internal.h"
#include "testing/testing.h"
#include "json/json.h"

static struct kl_ctr_runtime *rt;

static void setup(void)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *state = kl_asprintf("%s/state", kl_test_tmpdir());
        kl_autofree char *data = kl_asprintf("%s/data", kl_test_tmpdir());

        cr_assert_eq(kl_ctr_runtime_open(
                             &(struct kl_ctr_runtime_opts){ .state_dir = state, .data_dir = data },
                             &rt, &e),
                     0, "%s", kl_err_msg(e));
}

static void teardown(void)
{
        kl_ctr_runtime_free(rt);
        rt = NULL;
}

TestSuite(pod_spec, .init = setup, .fini = teardown);

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

/* "a|b" as a vector; "" is [""] (docker's ENTRYPOINT [""]); NULL is NULL. */
static char **V(const char *s)
{
        return s ? kl_strv_split(s, '|') : NULL;
}

static char *joined(char *const *v)
{
        struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; v && v[i]; i++)
                (void)kl_buf_printf(&b, "%s%s", i ? "|" : "", v[i]);
        return kl_buf_detach(&b, NULL);
}

#define POD_DIR "/var/lib/kube-lite/agent/pods/u-1"

/* The image and volumes most cases use. */
struct image_spec {
        const char *entrypoint, *cmd, *env, *user, *workdir, *stop;
};

struct fixture {
        json_t *pod;
        struct kl_rt_image_config image;
        char **env;
        struct kl_agent__volume vols[2];
        struct kl_agent__volumes volumes;
        struct kl_agent__ctr_inputs in;
};

/*
 * A pod in namespace ns1 (name web-0, uid u-1) whose spec is `spec_json`
 * (without braces); the input's container is the first app container, or
 * the first init container when `init`.
 */
static void fixture_init(struct fixture *f, const char *spec_json, bool init,
                         const struct image_spec *img, const char *env)
{
        kl_autofree char *text = kl_asprintf(
                "{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"ns1\",\"uid\":\"u-1\"},"
                "\"spec\":{%s}}",
                spec_json);
        const json_t *spec;

        *f = (struct fixture){ 0 };
        f->pod = J(text);
        spec = json_object_get(f->pod, "spec");
        f->image = (struct kl_rt_image_config){
                .entrypoint = V(img ? img->entrypoint : NULL),
                .cmd = V(img ? img->cmd : "sh"),
                .env = V(img ? img->env : NULL),
                .user = img && img->user ? kl_strdup(img->user) : NULL,
                .working_dir = img && img->workdir ? kl_strdup(img->workdir) : NULL,
                .stop_signal = img && img->stop ? kl_strdup(img->stop) : NULL,
                .layers = V("/snap/b|/snap/a"),
        };
        f->env = V(env);
        f->vols[0] = (struct kl_agent__volume){ .name = (char *)"data",
                                                .path = (char *)POD_DIR "/volumes/data" };
        f->vols[1] = (struct kl_agent__volume){ .name = (char *)"cfg",
                                                .path = (char *)POD_DIR "/volumes/cfg",
                                                .readonly = true };
        f->volumes = (struct kl_agent__volumes){ .v = f->vols, .n = 2 };
        f->in = (struct kl_agent__ctr_inputs){
                .pod = f->pod,
                .container = json_array_get(
                        json_object_get(spec, init ? "initContainers" : "containers"), 0),
                .kind = init ? KL_AGENT__CTR_INIT : KL_AGENT__CTR_APP,
                .attempt = 3,
                .id = "abc123",
                .image = &f->image,
                .image_ref = "docker.io/library/busybox@sha256:00",
                .env = f->env,
                .volumes = &f->volumes,
                .rt = rt,
                .sandbox_id = "u-1",
                .pod_dir = POD_DIR,
                .log_path = "/var/log/pods/ns1_web-0_u-1/c/3.log",
                .hostname = "web-0",
        };
}

static void fixture_release(struct fixture *f)
{
        json_decref(f->pod);
        kl_rt_image_config_release(&f->image);
        kl_strv_free(f->env);
}

/* The config of container `ctr_json` (an object's members) with the pod spec members `extra`. */
static int config_of(const char *ctr_json, const char *extra, const struct image_spec *img,
                     const char *env, struct kl_ctr_config *ret, struct kl_err **err)
{
        struct fixture f;
        kl_autofree char *spec =
                kl_asprintf("\"containers\":[{\"name\":\"c\",\"image\":\"busybox\""
                            "%s%s}]%s%s",
                            *ctr_json ? "," : "", ctr_json, *extra ? "," : "", extra);
        int r;

        fixture_init(&f, spec, false, img, env);
        r = kl_agent__ctr_config(&f.in, ret, err);
        fixture_release(&f);
        return r;
}

/* ------------------------------------------------------------------------- */

Test(pod_spec, log_path)
{
        json_auto_t *pod = J("{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"default\","
                             "\"uid\":\"7e1c\"}}");
        kl_autofree char *p = kl_agent__log_path("/var/log/pods", pod, "app", 2);

        cr_assert_str_eq(p, "/var/log/pods/default_web-0_7e1c/app/2.log");
}

Test(pod_spec, args)
{
        static const struct {
                const char *ctr, *entrypoint, *cmd, *want; /* want NULL: "no command specified" */
        } cases[] = {
                { "", "/bin/sh|-c", "echo hi", "/bin/sh|-c|echo hi" },
                { "\"args\":[\"date\"]", "/bin/sh|-c", "echo hi", "/bin/sh|-c|date" },
                /* A command replaces the entrypoint and drops the image's cmd. */
                { "\"command\":[\"sleep\"]", "/bin/sh|-c", "echo hi", "sleep" },
                { "\"command\":[\"sleep\"],\"args\":[\"10\"]", "/bin/sh|-c", "echo hi",
                  "sleep|10" },
                { "\"command\":[],\"args\":[]", NULL, "top", "top" },
                /* ENTRYPOINT [""] is no entrypoint (docker). */
                { "", "", "x", "x" },
                { "\"args\":[\"a\"]", "", "x", "a" },
                { "", NULL, NULL, NULL },
                { "\"command\":[\"echo\",\"$(MSG)\",\"$$(MSG)\",\"$(NOPE)\"]", NULL, NULL,
                  "echo|hi|$(MSG)|$(NOPE)" },
                { "\"args\":[\"--name=$(MSG)\"]", "run", NULL, "run|--name=hi" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct image_spec img = { .entrypoint = cases[i].entrypoint, .cmd = cases[i].cmd };
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                int r = config_of(cases[i].ctr, "", &img, "MSG=hi", &c, &e);

                if (!cases[i].want) {
                        cr_assert_eq(r, -EINVAL, "case %zu", i);
                        cr_assert_str_eq(kl_err_msg(e), "no command specified");
                        continue;
                }
                cr_assert_eq(r, 0, "case %zu: %s", i, kl_err_msg(e));
                {
                        kl_autofree char *got = joined(c.process.args);

                        cr_assert_str_eq(got, cases[i].want, "case %zu", i);
                }
                kl_ctr_config_release(&c);
        }
}

Test(pod_spec, env_and_cwd)
{
        static const struct {
                const char *extra, *ctr, *img_env, *workdir, *want_env, *want_cwd;
        } cases[] = {
                { "", "", NULL, NULL,
                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|HOSTNAME=web-0|"
                  "FOO=ctr|BAR=1",
                  NULL },
                /* The image's env, then the container's: set in place, new ones appended. */
                { "", "\"workingDir\":\"/w\"", "PATH=/img/bin|LANG=C|FOO=img", "/img",
                  "PATH=/img/bin|HOSTNAME=web-0|LANG=C|FOO=ctr|BAR=1", "/w" },
                { "", "", "HOSTNAME=img|FOO=img", "/img",
                  "PATH=/usr/local/sbin:/usr/local/bin:/"
                  "usr/sbin:/usr/bin:/sbin:/bin|"
                  "HOSTNAME=img|FOO=ctr|BAR=1",
                  "/img" },
                /* A hostNetwork pod's HOSTNAME is the node's, which the runtime adds. */
                { "\"hostNetwork\":true", "", NULL, NULL,
                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|FOO=ctr|BAR=1",
                  NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct image_spec img = { .cmd = "sh",
                                          .env = cases[i].img_env,
                                          .workdir = cases[i].workdir };
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *env = NULL;

                cr_assert_eq(config_of(cases[i].ctr, cases[i].extra, &img, "FOO=ctr|BAR=1", &c, &e),
                             0, "%s", kl_err_msg(e));
                env = joined(c.process.env);
                cr_assert_str_eq(env, cases[i].want_env, "case %zu", i);
                if (cases[i].want_cwd)
                        cr_assert_str_eq(c.process.cwd, cases[i].want_cwd);
                else
                        cr_assert_null(c.process.cwd);
                kl_ctr_config_release(&c);
        }
}

Test(pod_spec, user)
{
        static const struct {
                const char *pod_sc, *ctr_sc, *image_user, *want, *msg;
        } cases[] = {
                /* An image without USER runs as uid 0, as the kubelet sends it. */
                { "{}", "{}", NULL, "0", NULL },
                { "{}", "{}", "nginx", "nginx", NULL },
                /* The kubelet passes only the image's uid: its group is dropped. */
                { "{}", "{}", "1000:1000", "1000", NULL },
                { "{\"runAsGroup\":3000}", "{}", "1000", "1000:3000", NULL },
                { "{\"runAsGroup\":5}", "{}", "nginx", "nginx:5", NULL },
                { "{\"runAsUser\":1000}", "{\"runAsUser\":2000}", "nginx", "2000", NULL },
                { "{\"runAsUser\":1000,\"runAsGroup\":10}", "{}", NULL, "1000:10", NULL },
                { "{\"runAsUser\":1000,\"runAsGroup\":10}", "{\"runAsGroup\":20}", NULL, "1000:20",
                  NULL },
                { "{\"runAsNonRoot\":true}", "{}", "1000", "1000", NULL },
                { "{\"runAsNonRoot\":true}", "{\"runAsUser\":7}", NULL, "7", NULL },
                { "{\"runAsNonRoot\":true}", "{\"runAsNonRoot\":false}", NULL, "0", NULL },
                { "{\"runAsNonRoot\":true}", "{}", NULL, NULL,
                  "container has runAsNonRoot and image will run as root (pod: "
                  "\"web-0_ns1(u-1)\", container: c)" },
                { "{\"runAsNonRoot\":true}", "{}", "0:0", NULL,
                  "container has runAsNonRoot and image will run as root (pod: "
                  "\"web-0_ns1(u-1)\", container: c)" },
                { "{}", "{\"runAsNonRoot\":true,\"runAsUser\":0}", "1000", NULL,
                  "container's runAsUser breaks non-root policy (pod: \"web-0_ns1(u-1)\", "
                  "container: c)" },
                { "{\"runAsNonRoot\":true}", "{}", "nginx", NULL,
                  "container has runAsNonRoot and image has non-numeric user (nginx), cannot "
                  "verify user is non-root (pod: \"web-0_ns1(u-1)\", container: c)" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct image_spec img = { .cmd = "sh", .user = cases[i].image_user };
                kl_autofree char *ctr = kl_asprintf("\"securityContext\":%s", cases[i].ctr_sc);
                kl_autofree char *extra = kl_asprintf("\"securityContext\":%s", cases[i].pod_sc);
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                int r = config_of(ctr, extra, &img, NULL, &c, &e);

                if (cases[i].msg) {
                        cr_assert_lt(r, 0, "case %zu", i);
                        cr_assert_str_eq(kl_err_msg(e), cases[i].msg, "case %zu", i);
                        continue;
                }
                cr_assert_eq(r, 0, "case %zu: %s", i, kl_err_msg(e));
                cr_assert_str_eq(c.process.user, cases[i].want, "case %zu", i);
                kl_ctr_config_release(&c);
        }
}

Test(pod_spec, groups)
{
        struct kl_ctr_config c;

        cr_assert_eq(config_of("",
                               "\"securityContext\":{\"fsGroup\":2000,"
                               "\"supplementalGroups\":[3000,4000]}",
                               NULL, NULL, &c, NULL),
                     0);
        cr_assert_eq(c.process.n_groups, 3);
        cr_assert_eq(c.process.groups[0], 2000);
        cr_assert_eq(c.process.groups[1], 3000);
        cr_assert_eq(c.process.groups[2], 4000);
        kl_ctr_config_release(&c);
        cr_assert_eq(config_of("", "", NULL, NULL, &c, NULL), 0);
        cr_assert_eq(c.process.n_groups, 0);
        cr_assert_null(c.process.groups);
        kl_ctr_config_release(&c);
}

#define BIT(n) ((uint64_t)1 << (n))

Test(pod_spec, security)
{
        static const struct {
                const char *sc;
                int caps; /* 0: default, 1: default + NET_ADMIN - CHOWN, 2: NET_BIND_SERVICE, 3: all
                           */
                bool privileged, ro, nnp;
        } cases[] = {
                { "{}", 0, false, false, false },
                { "{\"capabilities\":{\"add\":[\"NET_ADMIN\"],\"drop\":[\"CHOWN\"]}}", 1, false,
                  false, false },
                { "{\"capabilities\":{\"add\":[\"NET_BIND_SERVICE\"],\"drop\":[\"ALL\"]},"
                  "\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true}",
                  2, false, true, true },
                /* no_new_privs only when allowPrivilegeEscalation is false (AddNoNewPrivileges). */
                { "{\"allowPrivilegeEscalation\":true}", 0, false, false, false },
                { "{\"privileged\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}", 3, true, false,
                  false },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *ctr = kl_asprintf("\"securityContext\":%s", cases[i].sc);
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                uint64_t want = kl_ctr_caps_default();

                cr_assert_eq(config_of(ctr, "", NULL, NULL, &c, &e), 0, "%s", kl_err_msg(e));
                if (cases[i].caps == 1)
                        want = (want | BIT(CAP_NET_ADMIN)) & ~BIT(CAP_CHOWN);
                else if (cases[i].caps == 2)
                        want = BIT(CAP_NET_BIND_SERVICE);
                else if (cases[i].caps == 3)
                        want = kl_ctr_caps_all();
                cr_assert_eq(c.process.caps, want, "case %zu: %#llx", i,
                             (unsigned long long)c.process.caps);
                cr_assert_eq(c.privileged, cases[i].privileged, "case %zu", i);
                cr_assert_eq(c.readonly_rootfs, cases[i].ro, "case %zu", i);
                cr_assert_eq(c.process.no_new_privs, cases[i].nnp, "case %zu", i);
                cr_assert_eq(c.ns[KL_CTR_NS_CGROUP].mode,
                             cases[i].privileged ? KL_CTR_NS_HOST : KL_CTR_NS_NEW);
                kl_ctr_config_release(&c);
        }
        {
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(config_of("\"securityContext\":{\"capabilities\":{\"add\":[\"FLY\"]}}",
                                       "", NULL, NULL, &c, &e),
                             -EINVAL);
        }
}

Test(pod_spec, seccomp)
{
        static const struct {
                const char *pod_sc, *ctr_sc;
                enum kl_ctr_seccomp want;
                const char *profile, *msg;
        } cases[] = {
                /* The kubelet's default (seccompDefault off): Unconfined. */
                { "{}", "{}", KL_CTR_SECCOMP_UNCONFINED, NULL, NULL },
                { "{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}", "{}",
                  KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, NULL },
                { "{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}",
                  "{\"seccompProfile\":{\"type\":\"Unconfined\"}}", KL_CTR_SECCOMP_UNCONFINED, NULL,
                  NULL },
                { "{}",
                  "{\"seccompProfile\":{\"type\":\"Localhost\",\"localhostProfile\":\"prof/a.json\"}}",
                  KL_CTR_SECCOMP_LOCALHOST, "/var/lib/kube-lite/agent/seccomp/prof/a.json", NULL },
                /* Privileged containers run without a filter (containerd). */
                { "{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}", "{\"privileged\":true}",
                  KL_CTR_SECCOMP_UNCONFINED, NULL, NULL },
                { "{\"seccompProfile\":{\"type\":\"Localhost\"}}", "{}", 0, NULL,
                  "localhostProfile must be set if seccompProfile type is Localhost." },
                { "{\"seccompProfile\":{\"type\":\"Localhost\",\"localhostProfile\":\"../x\"}}",
                  "{}", 0, NULL, "localhostProfile '../x' must not contain '..'" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *ctr = kl_asprintf("\"securityContext\":%s", cases[i].ctr_sc);
                kl_autofree char *extra = kl_asprintf("\"securityContext\":%s", cases[i].pod_sc);
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                int r = config_of(ctr, extra, NULL, NULL, &c, &e);

                if (cases[i].msg) {
                        cr_assert_eq(r, -EINVAL, "case %zu", i);
                        cr_assert_str_eq(kl_err_msg(e), cases[i].msg);
                        continue;
                }
                cr_assert_eq(r, 0, "case %zu: %s", i, kl_err_msg(e));
                cr_assert_eq(c.process.seccomp, cases[i].want, "case %zu", i);
                if (cases[i].profile)
                        cr_assert_str_eq(c.process.seccomp_profile, cases[i].profile);
                else
                        cr_assert_null(c.process.seccomp_profile);
                kl_ctr_config_release(&c);
        }
}

/* ------------------------------------------------------------------------- */
/* Resources */

static int64_t capacity(void)
{
        struct sysinfo si;

        cr_assert_eq(sysinfo(&si), 0);
        return (int64_t)si.totalram * (int64_t)si.mem_unit;
}

/* The Burstable formula for a memory request of `request` bytes. */
static int burstable(int64_t request)
{
        int64_t adj = 1000 - (1000 * request) / capacity();

        if (adj < 3)
                return 3;
        return adj == 1000 ? 999 : (int)adj;
}

Test(pod_spec, resources)
{
        static const struct {
                const char *resources, *extra;
                uint64_t shares;
                int64_t quota, memory;
                int oom; /* INT32_MIN + n: burstable with a request of n MiB */
        } cases[] = {
                { "{}", "", 2, 0, 0, 1000 },
                { "{\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"},"
                  "\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}}",
                  "", 256, 50000, 134217728, INT32_MIN + 64 },
                { "{\"requests\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},"
                  "\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}",
                  "", 1024, 100000, 1073741824, -997 },
                /* No request: shares from the limit; the quota is at least 1 ms. */
                { "{\"limits\":{\"cpu\":\"1m\"}}", "", 2, 1000, 0, INT32_MIN },
                { "{\"requests\":{\"cpu\":\"100\"}}", "", 102400, 0, 0, INT32_MIN },
                { "{\"requests\":{\"cpu\":\"300\"}}", "", 262144, 0, 0, INT32_MIN },
                /* status.qosClass, once the API set it, is the pod's class. */
                { "{\"requests\":{\"cpu\":\"100m\"}}", "},\"status\":{\"qosClass\":\"Guaranteed\"",
                  102, 0, 0, -997 },
                /* A request beyond the node's memory: the floor of 3. */
                { "{\"requests\":{\"memory\":\"1Pi\"}}", "", 2, 0, 0, 3 },
                { "{}", ",\"priorityClassName\":\"system-node-critical\",\"priority\":2000001000",
                  2, 0, 0, -997 },
                { "{\"requests\":{\"cpu\":\"1\"}}",
                  ",\"priorityClassName\":\"system-node-critical\",\"priority\":2000001000", 1024,
                  0, 0, -997 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *ctr = kl_asprintf("\"resources\":%s", cases[i].resources);
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                int oom = cases[i].oom;
                const char *extra = cases[i].extra;
                kl_autofree char *fixed = NULL;

                /* The status rides along after the spec: close and reopen it. */
                if (kl_startswith(extra, "}")) {
                        struct fixture f;
                        kl_autofree char *spec =
                                kl_asprintf("\"containers\":[{\"name\":\"c\",%s}]", ctr);

                        fixture_init(&f, spec, false, NULL, NULL);
                        json_object_set_new(f.pod, "status", J("{\"qosClass\":\"Guaranteed\"}"));
                        cr_assert_eq(kl_agent__ctr_config(&f.in, &c, &e), 0, "%s", kl_err_msg(e));
                        fixture_release(&f);
                } else {
                        fixed = kl_strdup(*extra == ',' ? extra + 1 : extra);
                        cr_assert_eq(config_of(ctr, fixed, NULL, NULL, &c, &e), 0, "%s",
                                     kl_err_msg(e));
                }
                if (oom <= INT32_MIN + 1000000 && oom >= INT32_MIN)
                        oom = burstable((int64_t)(oom - INT32_MIN) << 20);
                cr_assert_eq(c.resources.cpu_shares, cases[i].shares, "case %zu: %llu", i,
                             (unsigned long long)c.resources.cpu_shares);
                cr_assert_eq(c.resources.cpu_quota, cases[i].quota, "case %zu", i);
                cr_assert_eq(c.resources.cpu_period, 100000);
                cr_assert_eq(c.resources.memory_limit, cases[i].memory, "case %zu", i);
                cr_assert_eq(c.resources.memory_swap, 0, "swap follows the limit");
                cr_assert(c.process.has_oom_score_adj);
                cr_assert_eq(c.process.oom_score_adj, oom, "case %zu: %d", i,
                             c.process.oom_score_adj);
                kl_ctr_config_release(&c);
        }
}

/* A sidecar is protected no better than the app container with the least memory request. */
Test(pod_spec, sidecar_oom_score)
{
        struct fixture f;
        struct kl_ctr_config c;

        fixture_init(&f,
                     "\"initContainers\":[{\"name\":\"side\",\"restartPolicy\":\"Always\","
                     "\"resources\":{\"requests\":{\"memory\":\"512Mi\"}}}],"
                     "\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"memory\":"
                     "\"1Gi\"}}},{\"name\":\"b\",\"resources\":{\"requests\":{\"memory\":"
                     "\"3Gi\"}}}]",
                     true, NULL, NULL);
        cr_assert_eq(kl_agent__ctr_config(&f.in, &c, NULL), 0);
        cr_assert_eq(c.process.oom_score_adj, burstable((int64_t)1 << 30));
        kl_ctr_config_release(&c);
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* Namespaces */

Test(pod_spec, namespaces)
{
        static const struct {
                const char *extra;
                enum kl_ctr_ns_mode net, uts, ipc, pid;
                bool hostname;
        } cases[] = {
                { "", KL_CTR_NS_JOIN, KL_CTR_NS_JOIN, KL_CTR_NS_JOIN, KL_CTR_NS_NEW, true },
                { "\"hostNetwork\":true", KL_CTR_NS_HOST, KL_CTR_NS_HOST, KL_CTR_NS_JOIN,
                  KL_CTR_NS_NEW, false },
                { "\"hostIPC\":true,\"hostPID\":true", KL_CTR_NS_JOIN, KL_CTR_NS_JOIN,
                  KL_CTR_NS_HOST, KL_CTR_NS_HOST, true },
                /* Not supported: each container keeps its own PID namespace. */
                { "\"shareProcessNamespace\":true", KL_CTR_NS_JOIN, KL_CTR_NS_JOIN, KL_CTR_NS_JOIN,
                  KL_CTR_NS_NEW, true },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_ctr_config c;
                const enum kl_ctr_ns nss[] = { KL_CTR_NS_NET, KL_CTR_NS_UTS, KL_CTR_NS_IPC };
                const enum kl_ctr_ns_mode modes[] = { cases[i].net, cases[i].uts, cases[i].ipc };

                cr_assert_eq(config_of("", cases[i].extra, NULL, NULL, &c, NULL), 0);
                for (size_t k = 0; k < KL_ARRAY_SIZE(nss); k++) {
                        cr_assert_eq(c.ns[nss[k]].mode, modes[k], "case %zu ns %d", i, nss[k]);
                        if (modes[k] == KL_CTR_NS_JOIN) {
                                kl_autofree char *want = kl_ctr_sandbox_ns_path(rt, "u-1", nss[k]);

                                cr_assert_str_eq(c.ns[nss[k]].path, want);
                        } else {
                                cr_assert_null(c.ns[nss[k]].path);
                        }
                }
                cr_assert_eq(c.ns[KL_CTR_NS_PID].mode, cases[i].pid, "case %zu", i);
                cr_assert_eq(c.ns[KL_CTR_NS_MNT].mode, KL_CTR_NS_NEW);
                if (cases[i].hostname)
                        cr_assert_str_eq(c.hostname, "web-0");
                else
                        cr_assert_null(c.hostname);
                kl_ctr_config_release(&c);
        }
}

/* ------------------------------------------------------------------------- */
/* Mounts */

static char *mounts_text(const struct kl_ctr_config *c)
{
        struct kl_buf b = KL_BUF_INIT;
        static const char *const prop[] = { "", ",rslave", ",rshared" };

        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct kl_ctr_mount *m = &c->mounts[i];

                (void)kl_buf_printf(&b, "%s%s:%s%s%s", i ? "|" : "", m->source, m->destination,
                                    m->readonly ? ",ro" : "", prop[m->propagation]);
        }
        return kl_buf_detach(&b, NULL);
}

#define D POD_DIR

Test(pod_spec, mounts)
{
        static const struct {
                const char *ctr, *extra, *want;
        } cases[] = {
                { "", "",
                  D "/etc-hostname:/etc/hostname|" D "/resolv.conf:/etc/resolv.conf|" D
                    "/etc-hosts:/etc/hosts" },
                { "\"terminationMessagePath\":\"/dev/termination-log\","
                  "\"securityContext\":{\"readOnlyRootFilesystem\":true},"
                  "\"volumeMounts\":["
                  "{\"name\":\"data\",\"mountPath\":\"/data\"},"
                  "{\"name\":\"cfg\",\"mountPath\":\"/etc/app\"},"
                  "{\"name\":\"data\",\"mountPath\":\"/var/log/x\",\"subPath\":\"logs/./x/\","
                  "\"readOnly\":true},"
                  "{\"name\":\"data\",\"mountPath\":\"/srv\",\"subPathExpr\":\"pods/$(POD)\","
                  "\"mountPropagation\":\"HostToContainer\"},"
                  "{\"name\":\"data\",\"mountPath\":\"rel/\",\"mountPropagation\":\"Bidirectional\"},"
                  "{\"name\":\"cfg\",\"mountPath\":\"/opt\",\"readOnly\":true,"
                  "\"recursiveReadOnly\":\"IfPossible\"}]",
                  "",
                  D "/volumes/data:/data|" D "/volumes/data/pods/web-0:/srv,rslave|" D
                    "/volumes/data:/rel,rshared|" D "/volumes/cfg:/opt,ro|" D
                    "/etc-hostname:/etc/hostname,ro|" D "/resolv.conf:/etc/resolv.conf,ro|" D
                    "/volumes/cfg:/etc/app,ro|" D "/etc-hosts:/etc/hosts|" D
                    "/containers/c/abc123:/dev/termination-log|" D
                    "/volumes/data/logs/x:/var/log/x,ro" },
                /* The user's own /etc/hosts and /etc/resolv.conf replace the pod's. */
                { "\"volumeMounts\":[{\"name\":\"cfg\",\"mountPath\":\"/etc/hosts\","
                  "\"subPath\":\"hosts\"},{\"name\":\"cfg\",\"mountPath\":\"/etc/resolv.conf\","
                  "\"subPath\":\"resolv\"}]",
                  "",
                  D "/etc-hostname:/etc/hostname|" D "/volumes/cfg/hosts:/etc/hosts,ro|" D
                    "/volumes/cfg/resolv:/etc/resolv.conf,ro" },
                /* hostIPC: the host's /dev/shm. */
                { "", "\"hostIPC\":true",
                  D "/etc-hostname:/etc/hostname|" D "/resolv.conf:/etc/resolv.conf|"
                    "/dev/shm:/dev/shm|" D "/etc-hosts:/etc/hosts" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *got = NULL;

                cr_assert_eq(config_of(cases[i].ctr, cases[i].extra, NULL, "POD=web-0", &c, &e), 0,
                             "case %zu: %s", i, kl_err_msg(e));
                got = mounts_text(&c);
                cr_assert_str_eq(got, cases[i].want, "case %zu", i);
                kl_ctr_config_release(&c);
        }
}

Test(pod_spec, mount_errors)
{
        static const struct {
                const char *mount, *msg;
        } cases[] = {
                { "{\"name\":\"nope\",\"mountPath\":\"/x\"}",
                  "cannot find volume \"nope\" to mount into container \"c\"" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"subPath\":\"/abs\"}",
                  "error SubPath `/abs` must not be an absolute path" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"subPath\":\"a/../../x\"}",
                  "unable to provision SubPath `a/../../x`: must not contain '..'" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"subPathExpr\":\"$(ESC)\"}",
                  "unable to provision SubPath `..`: must not contain '..'" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"subPathExpr\":\"$(ABS)/y\"}",
                  "error SubPath `/etc/y` must not be an absolute path" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\","
                  "\"subPathExpr\":\"$(NOPE)-$(EMPTY)-$(POD)-$(NOPE)\"}",
                  "missing value for EMPTY, NOPE" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"mountPropagation\":\"Weird\"}",
                  "invalid MountPropagation mode: \"Weird\"" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"readOnly\":true,"
                  "\"recursiveReadOnly\":\"Enabled\"}",
                  "failed to resolve recursive read-only mode: volume \"data\" requested recursive "
                  "read-only mode, but it is not supported by the runtime" },
                { "{\"name\":\"data\",\"mountPath\":\"/x\",\"recursiveReadOnly\":\"IfPossible\"}",
                  "failed to resolve recursive read-only mode: volume \"data\" requested recursive "
                  "read-only mode, but it is not read-only" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *ctr = kl_asprintf("\"volumeMounts\":[%s]", cases[i].mount);
                struct kl_ctr_config c;
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_lt(config_of(ctr, "", NULL, "POD=web-0|EMPTY=|ESC=..|ABS=/etc", &c, &e),
                             0, "case %zu", i);
                cr_assert_str_eq(kl_err_msg(e), cases[i].msg, "case %zu", i);
        }
}

/* ------------------------------------------------------------------------- */
/* The rest: identity, labels, log, stdio, stop signal */

Test(pod_spec, identity_and_labels)
{
        struct fixture f;
        struct kl_ctr_config c;
        kl_autofree char *labels = NULL, *layers = NULL;
        kl_autofree char *hash = NULL, *want = NULL;

        fixture_init(&f,
                     "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox:1.36\","
                     "\"tty\":true,\"stdin\":true,\"stdinOnce\":true}]",
                     true, &(struct image_spec){ .cmd = "sh", .stop = "SIGQUIT" }, NULL);
        cr_assert_eq(kl_agent__ctr_config(&f.in, &c, NULL), 0);
        hash = kl_agent__ctr_hash(f.in.container);
        want = kl_asprintf("io.kubernetes.pod.uid=u-1|io.kubernetes.pod.name=web-0|"
                           "io.kubernetes.pod.namespace=ns1|io.kubernetes.container.name=init|"
                           "io.kubernetes.container.restartCount=3|"
                           "io.kubernetes.container.hash=%s|io.kube-lite.container.kind=init|"
                           "io.kube-lite.image.ref=docker.io/library/busybox@sha256:00",
                           hash);
        labels = joined(c.labels);
        cr_assert_str_eq(labels, want);
        cr_assert_str_eq(c.id, "abc123");
        cr_assert_str_eq(c.image, "docker.io/library/busybox:1.36");
        layers = joined(c.layers);
        cr_assert_str_eq(layers, "/snap/b|/snap/a");
        cr_assert_null(c.rootfs);
        cr_assert_str_eq(c.log_path, "/var/log/pods/ns1_web-0_u-1/c/3.log");
        cr_assert(c.process.terminal);
        cr_assert(c.process.stdin_open);
        cr_assert_eq(c.stop_signal, SIGQUIT);
        cr_assert_null(c.masked_paths);
        cr_assert_null(c.readonly_paths);
        kl_ctr_config_release(&c);
        fixture_release(&f);
}

Test(pod_spec, stop_signal)
{
        static const struct {
                const char *image;
                int want;
        } cases[] = {
                { NULL, SIGTERM },      { "SIGINT", SIGINT }, { "QUIT", SIGQUIT },
                { "sigusr1", SIGUSR1 }, { "9", SIGKILL },     { "SIGBOGUS", SIGTERM },
                { "0", SIGTERM },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_ctr_config c;

                cr_assert_eq(config_of("", "",
                                       &(struct image_spec){ .cmd = "sh", .stop = cases[i].image },
                                       NULL, &c, NULL),
                             0);
                cr_assert_eq(c.stop_signal, cases[i].want, "case %zu", i);
                cr_assert_not(c.process.terminal);
                cr_assert_not(c.process.stdin_open);
                kl_ctr_config_release(&c);
        }
}

/* What kl_ctr_config_to_json makes of it parses back: the config is one kl_ctr accepts. */
Test(pod_spec, config_round_trip)
{
        struct kl_ctr_config c, back;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *text = NULL, *again = NULL;

        cr_assert_eq(config_of("\"terminationMessagePath\":\"/dev/termination-log\","
                               "\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}],"
                               "\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"64Mi\"}}",
                               "\"securityContext\":{\"fsGroup\":5}", NULL, NULL, &c, NULL),
                     0);
        text = kl_ctr_config_to_json(&c);
        cr_assert_eq(kl_ctr_config_from_json(text, strlen(text), &back, &e), 0, "%s",
                     kl_err_msg(e));
        again = kl_ctr_config_to_json(&back);
        cr_assert_str_eq(text, again);
        kl_ctr_config_release(&back);
        kl_ctr_config_release(&c);
}
