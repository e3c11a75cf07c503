/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container of a pod spec as the runtime runs it: the struct
 * kl_ctr_config the kubelet's generateContainerConfig and containerd's CRI
 * plugin (buildLinuxSpec) would make together. Pure but for one fact of the
 * machine, its memory size (sysinfo(2)), which the Burstable OOM score
 * adjustment is a fraction of, as the kubelet takes it from cAdvisor.
 * Everything in the config is owned by the caller; the inputs are borrowed.
 *
 * README.md ("Containers: environment and runtime config") lists the
 * rules and where kube-lite differs from upstream; the comments here give
 * the reasons for the less obvious steps.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "agent/pod-internal.h"
#include "json/json.h"

/* containerd's default PATH (oci.WithDefaultPathEnv). */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* pkg/kubelet/cm: CPU shares and CFS quota. */
#define MIN_SHARES     2
#define MAX_SHARES     262144
#define SHARES_PER_CPU 1024
#define QUOTA_PERIOD   100000
#define MIN_QUOTA      1000
/* pkg/kubelet/qos: OOM score adjustments. */
#define GUARANTEED_OOM_ADJ (-997)
#define BESTEFFORT_OOM_ADJ 1000
/* pkg/apis/scheduling: SystemCriticalPriority. */
#define SYSTEM_CRITICAL_PRIORITY 2000000000

static const json_t *jget(const json_t *o, const char *key)
{
        return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *jstr(const json_t *o, const char *key)
{
        return json_string_value(jget(o, key));
}

/* ------------------------------------------------------------------------- */
/* Small pieces */

char *kl_agent__log_path(const char *log_dir, const json_t *pod, const char *container,
                         unsigned attempt)
{
        const json_t *meta = jget(pod, "metadata");
        const char *ns = jstr(meta, "namespace"), *name = jstr(meta, "name");
        const char *uid = jstr(meta, "uid");

        return kl_asprintf("%s/%s_%s_%s/%s/%u.log", log_dir, ns ? ns : "", name ? name : "",
                           uid ? uid : "", container, attempt);
}

/* filepath.Clean of an absolute path, or of "/" + a relative one: no "." nor "//" nor trailing "/".
 */
static char *clean_abs(const char *p)
{
        kl_autostrv char **parts = kl_strv_split(p, '/');
        struct kl_buf out = KL_BUF_INIT;

        for (size_t i = 0; parts[i]; i++) {
                if (!*parts[i] || kl_streq(parts[i], "."))
                        continue;
                if (kl_streq(parts[i], "..")) {
                        char *slash = strrchr(out.buf, '/');

                        if (slash)
                                kl_buf_truncate(&out, (size_t)(slash - out.buf));
                        continue;
                }
                (void)kl_buf_printf(&out, "/%s", parts[i]);
        }
        if (!out.len)
                (void)kl_buf_putc(&out, '/');
        return kl_buf_detach(&out, NULL);
}

/* filepath.Join(base, rel) for a `rel` without "..": cleaned, relative to `base`. */
static char *join_clean(const char *base, const char *rel)
{
        kl_autofree char *tail = clean_abs(rel);

        if (kl_streq(tail, "/"))
                return kl_strdup(base);
        return kl_asprintf("%s%s", base, tail);
}

static size_t depth(const char *path)
{
        size_t n = 0;

        for (const char *p = path; *p; p++)
                n += *p == '/';
        return kl_streq(path, "/") ? 0 : n;
}

/* ------------------------------------------------------------------------- */
/* Security context */

/* A field of the container's securityContext, else of the pod's
 * (DetermineEffectiveSecurityContext). */
static const json_t *sc_field(const struct kl_agent__ctr_inputs *in, const char *key)
{
        const json_t *v = jget(jget(in->container, "securityContext"), key);

        if (v && !json_is_null(v))
                return v;
        v = jget(jget(jget(in->pod, "spec"), "securityContext"), key);
        return json_is_null(v) ? NULL : v;
}

static bool ctr_sc_true(const struct kl_agent__ctr_inputs *in, const char *key)
{
        return json_is_true(jget(jget(in->container, "securityContext"), key));
}

/* format.Pod: "name_namespace(uid)". */
static char *pod_desc(const json_t *pod)
{
        const json_t *meta = jget(pod, "metadata");

        return kl_asprintf("%s_%s(%s)", jstr(meta, "name") ? jstr(meta, "name") : "",
                           jstr(meta, "namespace") ? jstr(meta, "namespace") : "",
                           jstr(meta, "uid") ? jstr(meta, "uid") : "");
}

/*
 * The process user as the kubelet asks for it and containerd builds it:
 * runAsUser (container over pod), else the image's uid (its group is not
 * passed on: the kubelet sends only the uid it read from the image status),
 * 0 for an image without USER, else the image's user name; runAsGroup as
 * ":gid". runAsNonRoot is checked as upstream's verifyRunAsNonRoot.
 */
static int make_user(const struct kl_agent__ctr_inputs *in, char **ret, struct kl_err **err)
{
        const json_t *uid = sc_field(in, "runAsUser"), *gid = sc_field(in, "runAsGroup");
        const char *img = in->image && in->image->user ? in->image->user : "";
        const char *cname = jstr(in->container, "name") ? jstr(in->container, "name") : "";
        bool nonroot = json_is_true(sc_field(in, "runAsNonRoot"));
        kl_autofree char *user = NULL, *img_user = kl_strndup(img, strcspn(img, ":"));
        kl_autofree char *desc = NULL;
        int64_t img_uid = 0;
        bool img_numeric = !*img_user || kl_parse_int64(img_user, &img_uid) == 0;

        if (!*img_user)
                img_uid = 0;
        if (nonroot) {
                desc = pod_desc(in->pod);
                if (json_is_integer(uid)) {
                        if (json_integer_value(uid) == 0)
                                return kl_err_set_msg(
                                        err, -EPERM,
                                        "container's runAsUser breaks non-root policy (pod: \"%s\", container: %s)",
                                        desc, cname);
                } else if (img_numeric && img_uid == 0) {
                        return kl_err_set_msg(
                                err, -EPERM,
                                "container has runAsNonRoot and image will run as root (pod: \"%s\", container: %s)",
                                desc, cname);
                } else if (!img_numeric) {
                        return kl_err_set_msg(
                                err, -EPERM,
                                "container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root (pod: \"%s\", container: %s)",
                                img_user, desc, cname);
                }
        }
        if (json_is_integer(uid))
                user = kl_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(uid));
        else if (img_numeric)
                user = kl_asprintf("%lld", (long long)img_uid);
        else
                user = kl_strdup(img_user);
        if (json_is_integer(gid)) {
                char *with = kl_asprintf("%s:%" JSON_INTEGER_FORMAT, user, json_integer_value(gid));

                free(user);
                user = with;
        }
        *ret = KL_TAKE_PTR(user);
        return 0;
}

/* fsGroup, then supplementalGroups (the pod's), as the kubelet lists them. */
static void make_groups(const json_t *pod, struct kl_ctr_process *p)
{
        const json_t *psc = jget(jget(pod, "spec"), "securityContext");
        const json_t *fs = jget(psc, "fsGroup"), *sup = jget(psc, "supplementalGroups"), *g;
        size_t n = json_array_size(sup) + 1, i;

        p->groups = kl_calloc(n, sizeof(*p->groups));
        p->n_groups = 0;
        if (json_is_integer(fs) && json_integer_value(fs) >= 0 &&
            json_integer_value(fs) <= UINT32_MAX)
                p->groups[p->n_groups++] = (uint32_t)json_integer_value(fs);
        json_array_foreach(sup, i, g)
                if (json_is_integer(g) && json_integer_value(g) >= 0 &&
                    json_integer_value(g) <= UINT32_MAX)
                        p->groups[p->n_groups++] = (uint32_t)json_integer_value(g);
        if (!p->n_groups) {
                free(p->groups);
                p->groups = NULL;
        }
}

static char **json_strv(const json_t *a)
{
        char **v = NULL;
        const json_t *s;
        size_t i;

        json_array_foreach(a, i, s)
                if (json_is_string(s))
                        kl_strv_push(&v, json_string_value(s));
        return v;
}

/*
 * The seccomp profile: the container's seccompProfile, else the pod's, else
 * Unconfined (the kubelet's default: seccompDefault is off in v1.32).
 * Privileged containers get none, as containerd. Localhost profiles live
 * under <data-dir>/agent/seccomp, the pod directory's grandparent.
 */
static int make_seccomp(const struct kl_agent__ctr_inputs *in, bool privileged,
                        struct kl_ctr_process *p, struct kl_err **err)
{
        const json_t *prof = sc_field(in, "seccompProfile");
        const char *type = jstr(prof, "type"), *local = jstr(prof, "localhostProfile");
        kl_autofree char *root = NULL, *dir = NULL;

        p->seccomp = KL_CTR_SECCOMP_UNCONFINED;
        if (privileged || !type)
                return 0;
        if (kl_streq(type, "RuntimeDefault")) {
                p->seccomp = KL_CTR_SECCOMP_RUNTIME_DEFAULT;
                return 0;
        }
        if (!kl_streq(type, "Localhost"))
                return 0;
        if (kl_isempty(local))
                return kl_err_set_msg(
                        err, -EINVAL,
                        "localhostProfile must be set if seccompProfile type is Localhost.");
        {
                kl_autostrv char **parts = kl_strv_split(local, '/');

                for (size_t i = 0; parts[i]; i++)
                        if (kl_streq(parts[i], ".."))
                                return kl_err_set_msg(err, -EINVAL,
                                                      "localhostProfile '%s' must not contain '..'",
                                                      local);
                if (local[0] == '/')
                        return kl_err_set_msg(err, -EINVAL,
                                              "localhostProfile '%s' must be a relative path",
                                              local);
        }
        /* <data-dir>/agent/pods/<uid> -> <data-dir>/agent/seccomp/<profile> */
        root = clean_abs(in->pod_dir ? in->pod_dir : "/");
        for (int up = 0; up < 2; up++) {
                char *slash = strrchr(root, '/');

                if (slash)
                        *slash = '\0';
        }
        dir = kl_asprintf("%s/seccomp", root);
        p->seccomp = KL_CTR_SECCOMP_LOCALHOST;
        p->seccomp_profile = join_clean(dir, local);
        return 0;
}

static int make_security(const struct kl_agent__ctr_inputs *in, struct kl_ctr_config *c,
                         struct kl_err **err)
{
        const json_t *caps = jget(jget(in->container, "securityContext"), "capabilities");
        const json_t *ape =
                jget(jget(in->container, "securityContext"), "allowPrivilegeEscalation");
        kl_autostrv char **add = json_strv(jget(caps, "add"));
        kl_autostrv char **drop = json_strv(jget(caps, "drop"));
        bool privileged = ctr_sc_true(in, "privileged");
        int r;

        r = make_user(in, &c->process.user, err);
        if (r < 0)
                return r;
        make_groups(in->pod, &c->process);
        r = kl_ctr_caps_adjust(kl_ctr_caps_default(), add, drop, &c->process.caps, err);
        if (r < 0)
                return r;
        if (privileged) {
                c->privileged = true;
                c->process.caps = kl_ctr_caps_all();
        }
        c->readonly_rootfs = ctr_sc_true(in, "readOnlyRootFilesystem");
        /* securitycontext.AddNoNewPrivileges: only an explicit false sets it. */
        c->process.no_new_privs = json_is_false(ape);
        return make_seccomp(in, privileged, &c->process, err);
}

/* ------------------------------------------------------------------------- */
/* Resources and OOM score */

static int qty(const json_t *container, const char *path, bool milli, int64_t *ret,
               struct kl_err **err)
{
        struct kl_quantity q;
        int r = kl_json_get_quantity(container, path, &q, NULL);

        *ret = 0;
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return kl_json_get_quantity(container, path, &q, err);
        r = milli ? kl_quantity_milli_value(&q, ret) : kl_quantity_value(&q, ret);
        if (r < 0)
                return kl_err_set_msg(err, -ERANGE, "'%s': quantity out of range", path);
        return 0;
}

/* cm.MilliCPUToShares */
static uint64_t milli_to_shares(int64_t milli)
{
        int64_t shares;

        if (milli == 0)
                return MIN_SHARES;
        shares = milli * SHARES_PER_CPU / 1000;
        if (shares < MIN_SHARES)
                return MIN_SHARES;
        if (shares > MAX_SHARES)
                return MAX_SHARES;
        return (uint64_t)shares;
}

/* v1qos.GetPodQOS: status.qosClass once the API server set it, else computed. */
static const char *pod_qos(const json_t *pod)
{
        const char *set = jstr(jget(pod, "status"), "qosClass");

        return kl_isempty(set) ? kl_agent__pod_qos(pod) : set;
}

/* The node's memory capacity (cAdvisor's MemTotal). */
static int64_t memory_capacity(void)
{
        struct sysinfo si;

        if (sysinfo(&si) < 0)
                return 0;
        return (int64_t)si.totalram * (int64_t)si.mem_unit;
}

/* qos.GetContainerOOMScoreAdjust */
static int oom_score_adj(const struct kl_agent__ctr_inputs *in)
{
        const json_t *spec = jget(in->pod, "spec");
        const json_t *ann = jget(jget(in->pod, "metadata"), "annotations");
        const char *qos = pod_qos(in->pod);
        int64_t capacity = memory_capacity(), request = 0, adj;
        bool critical = json_integer_value(jget(spec, "priority")) >= SYSTEM_CRITICAL_PRIORITY ||
                        jget(ann, "kubernetes.io/config.mirror");

        if (critical && kl_streq_null(jstr(spec, "priorityClassName"), "system-node-critical"))
                return GUARANTEED_OOM_ADJ;
        if (kl_streq(qos, "Guaranteed"))
                return GUARANTEED_OOM_ADJ;
        if (kl_streq(qos, "BestEffort"))
                return BESTEFFORT_OOM_ADJ;
        if (capacity <= 0)
                return BESTEFFORT_OOM_ADJ - 1;
        (void)qty(in->container, "resources.requests.memory", false, &request, NULL);
        adj = 1000 - (1000 * request) / capacity;
        /* A sidecar is protected like the least protected app container (SidecarContainers). */
        if (in->kind == KL_AGENT__CTR_INIT &&
            kl_streq_null(jstr(in->container, "restartPolicy"), "Always")) {
                const json_t *c;
                int64_t min = -1, m;
                size_t i;

                json_array_foreach(jget(spec, "containers"), i, c) {
                        (void)qty(c, "resources.requests.memory", false, &m, NULL);
                        if (min < 0 || m < min)
                                min = m;
                }
                if (min > 0 && adj > 1000 - (1000 * min) / capacity)
                        adj = 1000 - (1000 * min) / capacity;
        }
        if (adj < 1000 + GUARANTEED_OOM_ADJ)
                return 1000 + GUARANTEED_OOM_ADJ;
        if (adj == BESTEFFORT_OOM_ADJ)
                return (int)adj - 1;
        return (int)adj;
}

/* kuberuntime's calculateLinuxResources (cgroup v1 semantics: swap = memory limit). */
static int make_resources(const struct kl_agent__ctr_inputs *in, struct kl_ctr_config *c,
                          struct kl_err **err)
{
        const json_t *requests = jget(jget(in->container, "resources"), "requests");
        int64_t cpu_req = 0, cpu_lim = 0, mem_lim = 0;
        int r;

        r = qty(in->container, "resources.requests.cpu", true, &cpu_req, err);
        if (r >= 0)
                r = qty(in->container, "resources.limits.cpu", true, &cpu_lim, err);
        if (r >= 0)
                r = qty(in->container, "resources.limits.memory", false, &mem_lim, err);
        if (r < 0)
                return r;
        if (!jget(requests, "cpu") && cpu_lim != 0)
                c->resources.cpu_shares = milli_to_shares(cpu_lim);
        else
                c->resources.cpu_shares = milli_to_shares(cpu_req);
        if (mem_lim != 0)
                c->resources.memory_limit = mem_lim;
        c->resources.cpu_period = QUOTA_PERIOD;
        if (cpu_lim != 0) {
                c->resources.cpu_quota = cpu_lim * QUOTA_PERIOD / 1000;
                if (c->resources.cpu_quota < MIN_QUOTA)
                        c->resources.cpu_quota = MIN_QUOTA;
        }
        c->process.oom_score_adj = oom_score_adj(in);
        c->process.has_oom_score_adj = true;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Process */

/* containerd's replaceOrAppendEnvValues: set in place or append; "K" alone unsets. */
static void env_merge(char ***env, char *const *overrides)
{
        for (size_t i = 0; overrides && overrides[i]; i++) {
                const char *o = overrides[i], *eq = strchr(o, '=');
                size_t klen = eq ? (size_t)(eq - o) : strlen(o);
                size_t n = kl_strv_length(*env), at = n;

                for (size_t j = 0; j < n; j++)
                        if (strncmp((*env)[j], o, klen) == 0 && (*env)[j][klen] == '=') {
                                at = j;
                                break;
                        }
                if (!eq) {
                        if (at < n) {
                                free((*env)[at]);
                                memmove(*env + at, *env + at + 1, (n - at) * sizeof(**env));
                        }
                        continue;
                }
                if (at < n) {
                        free((*env)[at]);
                        (*env)[at] = kl_strdup(o);
                } else {
                        kl_strv_push(env, o);
                }
        }
}

static char **expand_all(const json_t *a, char *const *env)
{
        char **v = NULL;
        const json_t *s;
        size_t i;

        json_array_foreach(a, i, s)
                if (json_is_string(s))
                        kl_strv_push_take(&v, kl_agent__expand(json_string_value(s), env));
        return v;
}

/* containerd's WithProcessArgs (docker's rules): command replaces entrypoint and cmd. */
static int make_args(const struct kl_agent__ctr_inputs *in, struct kl_ctr_process *p,
                     struct kl_err **err)
{
        kl_autostrv char **command = expand_all(jget(in->container, "command"), in->env);
        kl_autostrv char **args = expand_all(jget(in->container, "args"), in->env);
        char *const *ep = in->image ? in->image->entrypoint : NULL;
        char *const *cmd = in->image ? in->image->cmd : NULL;
        char **all = NULL;

        if (kl_strv_length(command) == 0) {
                if (kl_strv_length(args) == 0) {
                        kl_strv_free(args);
                        args = kl_strv_copy(cmd);
                }
                kl_strv_free(command);
                command = NULL;
                if (!(kl_strv_length(ep) == 1 && ep && !*ep[0]))
                        command = kl_strv_copy(ep);
        }
        if (kl_strv_length(command) == 0 && kl_strv_length(args) == 0)
                return kl_err_set_msg(err, -EINVAL, "no command specified");
        for (size_t i = 0; command && command[i]; i++)
                kl_strv_push(&all, command[i]);
        for (size_t i = 0; args && args[i]; i++)
                kl_strv_push(&all, args[i]);
        p->args = all;
        return 0;
}

/* A signal name or number as containerd's signal.ParseSignal reads it; SIGTERM otherwise. */
static int parse_signal(const char *s)
{
        static const struct {
                const char *name;
                int sig;
        } sigs[] = {
                { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT },
                { "ILL", SIGILL },   { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
                { "IOT", SIGIOT },   { "BUS", SIGBUS },       { "FPE", SIGFPE },
                { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
                { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
                { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
                { "CONT", SIGCONT }, { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },
                { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
                { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM },
                { "PROF", SIGPROF }, { "WINCH", SIGWINCH },   { "IO", SIGIO },
                { "POLL", SIGPOLL }, { "PWR", SIGPWR },       { "SYS", SIGSYS },
        };
        const char *name;
        int n;

        if (kl_isempty(s))
                return SIGTERM;
        if (kl_parse_int(s, &n) == 0)
                return n > 0 && n < 65 ? n : SIGTERM;
        name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 0; i < KL_ARRAY_SIZE(sigs); i++)
                if (strcasecmp(name, sigs[i].name) == 0)
                        return sigs[i].sig;
        return SIGTERM;
}

static void make_process(const struct kl_agent__ctr_inputs *in, bool host_network,
                         struct kl_ctr_process *p)
{
        const char *wd = jstr(in->container, "workingDir");
        char **env = NULL;

        kl_strv_push(&env, DEFAULT_PATH);
        if (!host_network && in->hostname) {
                /* A hostNetwork pod's HOSTNAME is the node's: kl_ctr adds it from the UTS. */
                char *h = kl_asprintf("HOSTNAME=%s", in->hostname);
                char *one[] = { h, NULL };

                env_merge(&env, one);
                free(h);
        }
        env_merge(&env, in->image ? in->image->env : NULL);
        env_merge(&env, in->env);
        p->env = env;
        if (!kl_isempty(wd))
                p->cwd = kl_strdup(wd);
        else if (in->image && !kl_isempty(in->image->working_dir))
                p->cwd = kl_strdup(in->image->working_dir);
        p->terminal = json_is_true(jget(in->container, "tty"));
        p->stdin_open = json_is_true(jget(in->container, "stdin"));
}

/* ------------------------------------------------------------------------- */
/* Namespaces */

static void make_namespaces(const struct kl_agent__ctr_inputs *in, bool privileged,
                            struct kl_ctr_config *c)
{
        const json_t *spec = jget(in->pod, "spec");
        bool host_net = json_is_true(jget(spec, "hostNetwork"));
        bool host_ipc = json_is_true(jget(spec, "hostIPC"));
        bool host_pid = json_is_true(jget(spec, "hostPID"));
        static const enum kl_ctr_ns shared[] = { KL_CTR_NS_NET, KL_CTR_NS_UTS, KL_CTR_NS_IPC };

        for (size_t i = 0; i < KL_ARRAY_SIZE(shared); i++) {
                enum kl_ctr_ns ns = shared[i];
                bool host = ns == KL_CTR_NS_IPC ? host_ipc : host_net;

                if (host) {
                        c->ns[ns].mode = KL_CTR_NS_HOST;
                } else {
                        c->ns[ns].mode = KL_CTR_NS_JOIN;
                        c->ns[ns].path = kl_ctr_sandbox_ns_path(in->rt, in->sandbox_id, ns);
                }
        }
        /*
         * shareProcessNamespace is not supported: a pod's sandbox holds no
         * PID namespace (no pause process), so every container gets its own.
         */
        c->ns[KL_CTR_NS_PID].mode = host_pid ? KL_CTR_NS_HOST : KL_CTR_NS_NEW;
        c->ns[KL_CTR_NS_MNT].mode = KL_CTR_NS_NEW;
        /* containerd gives privileged containers the host's cgroup namespace. */
        c->ns[KL_CTR_NS_CGROUP].mode = privileged ? KL_CTR_NS_HOST : KL_CTR_NS_NEW;
        if (!host_net && in->hostname)
                c->hostname = kl_strdup(in->hostname);
}

/* ------------------------------------------------------------------------- */
/* Mounts */

struct mounts {
        struct kl_ctr_mount *m;
        size_t n;
};

static void mounts_add(struct mounts *ms, char *source, char *destination, bool readonly,
                       enum kl_ctr_propagation prop)
{
        ms->m = kl_realloc(ms->m, (ms->n + 1) * sizeof(*ms->m));
        ms->m[ms->n++] = (struct kl_ctr_mount){
                .source = source,
                .destination = destination,
                .readonly = readonly,
                .propagation = prop,
        };
}

static void mounts_release(struct mounts *ms)
{
        for (size_t i = 0; i < ms->n; i++) {
                free(ms->m[i].source);
                free(ms->m[i].destination);
        }
        free(ms->m);
        *ms = (struct mounts){ 0 };
}

static bool mounts_has(const struct mounts *ms, const char *destination)
{
        for (size_t i = 0; i < ms->n; i++)
                if (kl_streq(ms->m[i].destination, destination))
                        return true;
        return false;
}

static const struct kl_agent__volume *find_volume(const struct kl_agent__volumes *v,
                                                  const char *name)
{
        for (size_t i = 0; v && i < v->n; i++)
                if (kl_streq_null(v->v[i].name, name))
                        return &v->v[i];
        return NULL;
}

/* The value of `name` in a "K=V" vector (the last one wins, as a map built from it), or NULL. */
static const char *env_value(char *const *env, const char *name)
{
        size_t len = strlen(name);
        const char *v = NULL;

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
                        v = env[i] + len + 1;
        return v;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * upstream's ExpandContainerVolumeMounts: $(VAR) expansion of subPathExpr
 * with the container's env, where a variable that is unknown or empty is an
 * error naming them all ("missing value for A, B"). Without such a
 * variable the result is kl_agent__expand()'s; the references are found by
 * the same scan the expansion makes. NULL (-EINVAL in `err`) when one is missing.
 */
static char *expand_subpath(const char *expr, char *const *env, struct kl_err **err)
{
        kl_autostrv char **missing = NULL;
        size_t n = strlen(expr);

        for (size_t cur = 0; cur + 1 < n; cur++) {
                const char *close;

                if (expr[cur] != '$')
                        continue;
                close = expr[cur + 1] == '(' ? memchr(expr + cur + 2, ')', n - cur - 2) : NULL;
                if (!close) {
                        cur++;
                        continue;
                }
                {
                        kl_autofree char *name =
                                kl_strndup(expr + cur + 2, (size_t)(close - expr) - cur - 2);
                        const char *v = env_value(env, name);

                        if (kl_isempty(v) && !kl_strv_contains(missing, name))
                                kl_strv_push(&missing, name);
                }
                cur = (size_t)(close - expr);
        }
        if (missing) {
                struct kl_buf names = KL_BUF_INIT;

                qsort(missing, kl_strv_length(missing), sizeof(*missing), cmp_str);
                for (size_t i = 0; missing[i]; i++)
                        (void)kl_buf_printf(&names, "%s%s", i ? ", " : "", missing[i]);
                (void)kl_err_set_msg(err, -EINVAL, "missing value for %s", names.buf);
                kl_buf_release(&names);
                return NULL;
        }
        return kl_agent__expand(expr, env);
}

static int propagation(const char *mode, enum kl_ctr_propagation *ret, struct kl_err **err)
{
        if (!mode || kl_streq(mode, "None"))
                *ret = KL_CTR_PROPAGATION_PRIVATE;
        else if (kl_streq(mode, "HostToContainer"))
                *ret = KL_CTR_PROPAGATION_RSLAVE;
        else if (kl_streq(mode, "Bidirectional"))
                *ret = KL_CTR_PROPAGATION_RSHARED;
        else
                return kl_err_set_msg(err, -EINVAL, "invalid MountPropagation mode: \"%s\"", mode);
        return 0;
}

/*
 * upstream's resolveRecursiveReadOnly with a runtime that has no recursive
 * read-only mounts (kl_ctr makes only the top mount read-only): IfPossible
 * falls back, Enabled fails.
 */
static int check_rro(const json_t *vm, struct kl_err **err)
{
        const char *rro = jstr(vm, "recursiveReadOnly"), *name = jstr(vm, "name");
        const char *prop = jstr(vm, "mountPropagation");
        const char *why = NULL;
        kl_autofree char *text = NULL;

        if (!rro || kl_streq(rro, "Disabled"))
                return 0;
        if (!json_is_true(jget(vm, "readOnly")))
                text = kl_asprintf(
                        "volume \"%s\" requested recursive read-only mode, but it is not read-only",
                        name);
        else if (prop && !kl_streq(prop, "None"))
                text = kl_asprintf(
                        "volume \"%s\" requested recursive read-only mode, but it is not compatible with propagation \"%s\"",
                        name, prop);
        else if (kl_streq(rro, "IfPossible"))
                return 0;
        else if (kl_streq(rro, "Enabled"))
                why = "requested recursive read-only mode, but it is not supported by the runtime";
        else
                text = kl_asprintf("unknown recursive read-only mode \"%s\"", rro);
        if (why)
                text = kl_asprintf("volume \"%s\" %s", name, why);
        return kl_err_set_msg(err, -EINVAL, "failed to resolve recursive read-only mode: %s", text);
}

/* upstream's makeMounts: the volumeMounts over the pod's volumes. */
static int volume_mounts(const struct kl_agent__ctr_inputs *in, struct mounts *ms,
                         struct kl_err **err)
{
        const char *cname = jstr(in->container, "name") ? jstr(in->container, "name") : "";
        const json_t *vm;
        size_t i;
        int r;

        json_array_foreach(jget(in->container, "volumeMounts"), i, vm) {
                const char *name = jstr(vm, "name") ? jstr(vm, "name") : "";
                const char *path = jstr(vm, "mountPath") ? jstr(vm, "mountPath") : "";
                const char *expr = jstr(vm, "subPathExpr");
                const struct kl_agent__volume *vol = find_volume(in->volumes, name);
                kl_autofree char *sub = NULL;
                enum kl_ctr_propagation prop = KL_CTR_PROPAGATION_PRIVATE;

                if (!vol)
                        return kl_err_set_msg(
                                err, -ENOENT,
                                "cannot find volume \"%s\" to mount into container \"%s\"", name,
                                cname);
                if (!kl_isempty(expr)) {
                        sub = expand_subpath(expr, in->env, err);
                        if (!sub)
                                return -EINVAL;
                } else {
                        sub = kl_strdup(jstr(vm, "subPath") ? jstr(vm, "subPath") : "");
                }
                if (*sub) {
                        kl_autostrv char **parts = kl_strv_split(sub, '/');

                        if (sub[0] == '/')
                                return kl_err_set_msg(
                                        err, -EINVAL,
                                        "error SubPath `%s` must not be an absolute path", sub);
                        for (size_t j = 0; parts[j]; j++)
                                if (kl_streq(parts[j], ".."))
                                        return kl_err_set_msg(
                                                err, -EINVAL,
                                                "unable to provision SubPath `%s`: must not contain '..'",
                                                sub);
                }
                r = check_rro(vm, err);
                if (r >= 0)
                        r = propagation(jstr(vm, "mountPropagation"), &prop, err);
                if (r < 0)
                        return r;
                mounts_add(ms, *sub ? join_clean(vol->path, sub) : kl_strdup(vol->path),
                           clean_abs(path), json_is_true(jget(vm, "readOnly")) || vol->readonly,
                           prop);
        }
        return 0;
}

/*
 * Every mount of the container, in containerd's order: its own files of the
 * sandbox (/etc/hostname, /etc/resolv.conf, the host's /dev/shm for
 * hostIPC) unless the kubelet's mounts cover the path, then the kubelet's
 * (volumes, /etc/hosts, the termination message file); stably sorted by
 * depth so that a parent is mounted before what is mounted inside it.
 */
static int make_mounts(const struct kl_agent__ctr_inputs *in, struct kl_ctr_config *c,
                       struct kl_err **err)
{
        const json_t *spec = jget(in->pod, "spec");
        const char *tmp = jstr(in->container, "terminationMessagePath");
        const char *cname = jstr(in->container, "name") ? jstr(in->container, "name") : "";
        struct mounts kube = { 0 }, all = { 0 };
        bool ro = c->readonly_rootfs;
        int r;

        r = volume_mounts(in, &kube, err);
        if (r < 0) {
                mounts_release(&kube);
                return r;
        }
        if (!mounts_has(&kube, "/etc/hosts"))
                mounts_add(&kube, kl_asprintf("%s/etc-hosts", in->pod_dir), kl_strdup("/etc/hosts"),
                           false, KL_CTR_PROPAGATION_PRIVATE);
        if (!kl_isempty(tmp))
                mounts_add(&kube, kl_asprintf("%s/containers/%s/%s", in->pod_dir, cname, in->id),
                           clean_abs(tmp), false, KL_CTR_PROPAGATION_PRIVATE);

        if (!mounts_has(&kube, "/etc/hostname"))
                mounts_add(&all, kl_asprintf("%s/etc-hostname", in->pod_dir),
                           kl_strdup("/etc/hostname"), ro, KL_CTR_PROPAGATION_PRIVATE);
        if (!mounts_has(&kube, "/etc/resolv.conf"))
                mounts_add(&all, kl_asprintf("%s/resolv.conf", in->pod_dir),
                           kl_strdup("/etc/resolv.conf"), ro, KL_CTR_PROPAGATION_PRIVATE);
        if (json_is_true(jget(spec, "hostIPC")) && !mounts_has(&kube, "/dev/shm"))
                mounts_add(&all, kl_strdup("/dev/shm"), kl_strdup("/dev/shm"), false,
                           KL_CTR_PROPAGATION_PRIVATE);
        for (size_t i = 0; i < kube.n; i++)
                mounts_add(&all, kube.m[i].source, kube.m[i].destination, kube.m[i].readonly,
                           kube.m[i].propagation);
        free(kube.m);

        /* Stable insertion sort by depth (containerd's orderedMounts). */
        for (size_t i = 1; i < all.n; i++) {
                struct kl_ctr_mount m = all.m[i];
                size_t j = i;

                while (j > 0 && depth(all.m[j - 1].destination) > depth(m.destination)) {
                        all.m[j] = all.m[j - 1];
                        j--;
                }
                all.m[j] = m;
        }
        c->mounts = all.m;
        c->n_mounts = all.n;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Labels */

static char **make_labels(const struct kl_agent__ctr_inputs *in)
{
        const json_t *meta = jget(in->pod, "metadata");
        const char *cname = jstr(in->container, "name");
        kl_autofree char *hash = kl_agent__ctr_hash(in->container);
        char **v = NULL;

#define LABEL(key, value) kl_strv_push_take(&v, kl_asprintf("%s=%s", key, (value) ? (value) : ""))
        LABEL(KL_AGENT__LABEL_POD_UID, jstr(meta, "uid"));
        LABEL(KL_AGENT__LABEL_POD_NAME, jstr(meta, "name"));
        LABEL(KL_AGENT__LABEL_POD_NS, jstr(meta, "namespace"));
        LABEL(KL_AGENT__LABEL_CTR_NAME, cname);
        kl_strv_push_take(&v, kl_asprintf("%s=%u", KL_AGENT__LABEL_ATTEMPT, in->attempt));
        LABEL(KL_AGENT__LABEL_HASH, hash);
        LABEL(KL_AGENT__LABEL_KIND, in->kind == KL_AGENT__CTR_INIT ? "init" : "app");
        LABEL(KL_AGENT__LABEL_IMAGE_REF, in->image_ref);
#undef LABEL
        return v;
}

/* ------------------------------------------------------------------------- */

/* The image as the runtime records it: the normalised reference, or as written if it is none. */
static char *normalised(const char *image)
{
        struct kl_rt_ref ref;
        char *s;

        if (kl_rt_ref_parse(image, &ref, NULL) < 0)
                return kl_strdup(image);
        s = kl_rt_ref_format(&ref);
        kl_rt_ref_release(&ref);
        return s;
}

int kl_agent__ctr_config(const struct kl_agent__ctr_inputs *in, struct kl_ctr_config *ret,
                         struct kl_err **err)
{
        const json_t *spec = jget(in->pod, "spec");
        const char *image = jstr(in->container, "image");
        bool host_net = json_is_true(jget(spec, "hostNetwork"));
        struct kl_ctr_config c;
        int r;

        kl_ctr_config_init(&c);
        c.id = kl_strdup(in->id);
        c.image = normalised(image ? image : "");
        c.layers = in->image ? kl_strv_copy(in->image->layers) : NULL;
        r = make_security(in, &c, err);
        if (r >= 0)
                r = make_args(in, &c.process, err);
        if (r >= 0)
                r = make_resources(in, &c, err);
        if (r >= 0)
                r = make_mounts(in, &c, err);
        if (r < 0) {
                kl_ctr_config_release(&c);
                return r;
        }
        make_process(in, host_net, &c.process);
        make_namespaces(in, c.privileged, &c);
        c.log_path = in->log_path ? kl_strdup(in->log_path) : NULL;
        c.stop_signal = parse_signal(in->image ? in->image->stop_signal : NULL);
        c.labels = make_labels(in);
        *ret = c;
        return 0;
}
