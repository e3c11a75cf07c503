/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container config: defaults, release, and its JSON form — what
 * config.json in the state dir holds and what the shim reads, and the
 * process object of an exec request. Keys are the struct's field names.
 * Everything read back is checked as if it came from outside (the state dir
 * is ours, but the exec request arrives over a socket).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "json/json.h"

/* Bounds for what a config may hold: generous for real pods, finite for a fuzzer. */
#define STRV_MAX    4096
#define MOUNTS_MAX  1024
#define GROUPS_MAX  256
#define RLIMITS_MAX 64

static const char *const ns_names[KL_CTR_NS_N] = {
        [KL_CTR_NS_MNT] = "mnt", [KL_CTR_NS_PID] = "pid", [KL_CTR_NS_NET] = "net",
        [KL_CTR_NS_IPC] = "ipc", [KL_CTR_NS_UTS] = "uts", [KL_CTR_NS_CGROUP] = "cgroup",
};

static const char *const seccomp_names[] = {
        [KL_CTR_SECCOMP_RUNTIME_DEFAULT] = "RuntimeDefault",
        [KL_CTR_SECCOMP_UNCONFINED] = "Unconfined",
        [KL_CTR_SECCOMP_LOCALHOST] = "Localhost",
};

static const char *const propagation_names[] = {
        [KL_CTR_PROPAGATION_PRIVATE] = "private",
        [KL_CTR_PROPAGATION_RSLAVE] = "rslave",
        [KL_CTR_PROPAGATION_RSHARED] = "rshared",
};

const char *kl_container__ns_name(enum kl_ctr_ns ns)
{
        return ns >= 0 && ns < KL_CTR_NS_N ? ns_names[ns] : NULL;
}

bool kl_ctr_id_is_valid(const char *id)
{
        size_t n = id ? strlen(id) : 0;

        if (n == 0 || n > KL_CTR_ID_MAX || id[0] == '.' || id[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = id[i];

                if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
                    c != '_' && c != '.' && c != '-')
                        return false;
        }
        return true;
}

void kl_ctr_config_init(struct kl_ctr_config *c)
{
        *c = (struct kl_ctr_config){ 0 };
        for (int i = 0; i < KL_CTR_NS_N; i++)
                c->ns[i].mode = KL_CTR_NS_NEW;
        c->process.caps = kl_ctr_caps_default();
        c->process.seccomp = KL_CTR_SECCOMP_RUNTIME_DEFAULT;
}

void kl_ctr_process_release(struct kl_ctr_process *p)
{
        kl_strv_free(p->args);
        kl_strv_free(p->env);
        free(p->cwd);
        free(p->user);
        free(p->groups);
        free(p->seccomp_profile);
        free(p->rlimits);
        *p = (struct kl_ctr_process){ 0 };
}

void kl_ctr_config_release(struct kl_ctr_config *c)
{
        free(c->id);
        free(c->image);
        kl_strv_free(c->layers);
        free(c->rootfs);
        kl_ctr_process_release(&c->process);
        free(c->hostname);
        for (int i = 0; i < KL_CTR_NS_N; i++)
                free(c->ns[i].path);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].source);
                free(c->mounts[i].destination);
                free(c->mounts[i].type);
                free(c->mounts[i].data);
        }
        free(c->mounts);
        kl_strv_free(c->masked_paths);
        kl_strv_free(c->readonly_paths);
        free(c->log_path);
        kl_strv_free(c->labels);
        *c = (struct kl_ctr_config){ 0 };
}

/* ---- encoding ---- */

static json_t *strv_json(char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; v && v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

static void set_str(json_t *o, const char *key, const char *s)
{
        if (s)
                json_object_set_new(o, key, json_string(s));
}

json_t *kl_container__process_json(const struct kl_ctr_process *p)
{
        json_t *o = json_object();
        json_t *groups = json_array();
        json_t *rlimits = json_array();
        char hex[17];

        (void)snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)p->caps);
        json_object_set_new(o, "args", strv_json(p->args));
        if (p->env)
                json_object_set_new(o, "env", strv_json(p->env));
        set_str(o, "cwd", p->cwd);
        set_str(o, "user", p->user);
        for (size_t i = 0; i < p->n_groups; i++)
                json_array_append_new(groups, json_integer(p->groups[i]));
        json_object_set_new(o, "groups", groups);
        json_object_set_new(o, "terminal", json_boolean(p->terminal));
        json_object_set_new(o, "stdin_open", json_boolean(p->stdin_open));
        /* 64 bits do not fit a JSON number safely: hex text. */
        json_object_set_new(o, "caps", json_string(hex));
        json_object_set_new(o, "no_new_privs", json_boolean(p->no_new_privs));
        json_object_set_new(o, "seccomp", json_string(seccomp_names[p->seccomp]));
        set_str(o, "seccomp_profile", p->seccomp_profile);
        for (size_t i = 0; i < p->n_rlimits; i++) {
                json_t *r = json_object();

                char num[24];

                json_object_set_new(r, "resource", json_integer(p->rlimits[i].resource));
                (void)snprintf(num, sizeof(num), "%llu", (unsigned long long)p->rlimits[i].soft);
                json_object_set_new(r, "soft", json_string(num));
                (void)snprintf(num, sizeof(num), "%llu", (unsigned long long)p->rlimits[i].hard);
                json_object_set_new(r, "hard", json_string(num));
                json_array_append_new(rlimits, r);
        }
        json_object_set_new(o, "rlimits", rlimits);
        if (p->has_oom_score_adj)
                json_object_set_new(o, "oom_score_adj", json_integer(p->oom_score_adj));
        return o;
}

char *kl_ctr_config_to_json(const struct kl_ctr_config *c)
{
        json_auto_t *o = json_object();
        json_t *ns = json_object();
        json_t *mounts = json_array();
        json_t *res = json_object();
        struct kl_buf out = KL_BUF_INIT;

        set_str(o, "id", c->id);
        set_str(o, "image", c->image);
        if (c->layers)
                json_object_set_new(o, "layers", strv_json(c->layers));
        set_str(o, "rootfs", c->rootfs);
        json_object_set_new(o, "readonly_rootfs", json_boolean(c->readonly_rootfs));
        json_object_set_new(o, "process", kl_container__process_json(&c->process));
        set_str(o, "hostname", c->hostname);
        for (int i = 0; i < KL_CTR_NS_N; i++) {
                const struct kl_ctr_ns_config *n = &c->ns[i];

                if (n->mode == KL_CTR_NS_NEW)
                        json_object_set_new(ns, ns_names[i], json_string("new"));
                else if (n->mode == KL_CTR_NS_HOST)
                        json_object_set_new(ns, ns_names[i], json_string("host"));
                else
                        json_object_set_new(ns, ns_names[i], json_string(n->path ? n->path : ""));
        }
        json_object_set_new(o, "namespaces", ns);
        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct kl_ctr_mount *m = &c->mounts[i];
                json_t *j = json_object();

                set_str(j, "source", m->source);
                set_str(j, "destination", m->destination);
                set_str(j, "type", m->type);
                set_str(j, "data", m->data);
                json_object_set_new(j, "readonly", json_boolean(m->readonly));
                json_object_set_new(j, "propagation",
                                    json_string(propagation_names[m->propagation]));
                json_array_append_new(mounts, j);
        }
        json_object_set_new(o, "mounts", mounts);
        json_object_set_new(o, "privileged", json_boolean(c->privileged));
        if (c->masked_paths)
                json_object_set_new(o, "masked_paths", strv_json(c->masked_paths));
        if (c->readonly_paths)
                json_object_set_new(o, "readonly_paths", strv_json(c->readonly_paths));
        json_object_set_new(res, "memory_limit", json_integer(c->resources.memory_limit));
        json_object_set_new(res, "memory_swap", json_integer(c->resources.memory_swap));
        json_object_set_new(res, "cpu_quota", json_integer(c->resources.cpu_quota));
        json_object_set_new(res, "cpu_period", json_integer((json_int_t)c->resources.cpu_period));
        json_object_set_new(res, "cpu_shares", json_integer((json_int_t)c->resources.cpu_shares));
        json_object_set_new(res, "pids_limit", json_integer(c->resources.pids_limit));
        json_object_set_new(o, "resources", res);
        set_str(o, "log_path", c->log_path);
        json_object_set_new(o, "log_max_size", json_integer(c->log_max_size));
        json_object_set_new(o, "log_max_files", json_integer(c->log_max_files));
        json_object_set_new(o, "stop_signal", json_integer(c->stop_signal));
        json_object_set_new(o, "labels", strv_json(c->labels));
        kl_assert(kl_json_encode(o, 0, &out, NULL) == 0);
        return kl_buf_detach(&out, NULL);
}

/* ---- decoding ---- */

static int get_strv(const json_t *o, const char *key, bool required, char ***ret,
                    struct kl_err **err)
{
        json_t *a = NULL;
        size_t i;
        json_t *v;
        kl_autostrv char **out = NULL;
        int r = kl_json_get_array(o, key, &a, NULL);

        if (r == -ENOENT && !required) {
                *ret = NULL;
                return 0;
        }
        if (r < 0)
                return kl_err_set(err, r, "'%s': %s", key,
                                  r == -ENOENT ? "required" : "expected an array of strings");
        if (!json_is_array(a) || json_array_size(a) > STRV_MAX)
                return kl_err_set(err, -EINVAL, "'%s': expected an array of at most %d strings",
                                  key, STRV_MAX);
        out = kl_new0(char *);
        json_array_foreach(a, i, v) {
                if (!json_is_string(v))
                        return kl_err_set(err, -EINVAL, "'%s[%zu]': expected string", key, i);
                kl_strv_push(&out, json_string_value(v));
        }
        *ret = out;
        out = NULL;
        return 0;
}

/* An optional string; *ret owned, NULL when absent. */
static int get_opt_str(const json_t *o, const char *key, char **ret, struct kl_err **err)
{
        const char *s = NULL;
        int r = kl_json_get_str(o, key, &s, NULL);

        if (r == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (r < 0)
                return kl_err_set(err, -EINVAL, "'%s': expected string", key);
        *ret = kl_strdup(s);
        return 0;
}

static int get_opt_bool(const json_t *o, const char *key, bool *ret, struct kl_err **err)
{
        int r = kl_json_get_bool(o, key, ret, NULL);

        if (r == -ENOENT) {
                *ret = false;
                return 0;
        }
        return r < 0 ? kl_err_set(err, -EINVAL, "'%s': expected boolean", key) : 0;
}

static int get_opt_int(const json_t *o, const char *key, int64_t min, int64_t max, int64_t *ret,
                       struct kl_err **err)
{
        int r = kl_json_get_int64(o, key, ret, NULL);

        if (r == -ENOENT) {
                *ret = 0;
                return 0;
        }
        if (r < 0 || *ret < min || *ret > max)
                return kl_err_set(err, -EINVAL, "'%s': expected an integer in [%lld, %lld]", key,
                                  (long long)min, (long long)max);
        return 0;
}

static int unhex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* A 64-bit number kept as JSON text: hexadecimal (exactly 16 digits) or decimal. */
static int get_u64_text(const json_t *o, const char *key, bool hex, uint64_t *ret,
                        struct kl_err **err)
{
        const char *s = NULL;
        uint64_t v = 0;

        if (kl_json_get_str(o, key, &s, NULL) < 0)
                return kl_err_set(err, -EINVAL, "'%s': expected a string", key);
        if (!hex)
                return kl_parse_uint64(s, ret) < 0
                               ? kl_err_set(err, -EINVAL, "'%s': '%s' is not a number", key, s)
                               : 0;
        if (strlen(s) != 16)
                return kl_err_set(err, -EINVAL, "'%s': expected 16 hexadecimal digits", key);
        for (size_t i = 0; i < 16; i++) {
                int d = unhex(s[i]);

                if (d < 0)
                        return kl_err_set(err, -EINVAL, "'%s': expected 16 hexadecimal digits",
                                          key);
                v = v << 4 | (uint64_t)d;
        }
        *ret = v;
        return 0;
}

static int enum_from(const char *s, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (names[i] && kl_streq(s, names[i]))
                        return (int)i;
        return -EINVAL;
}

int kl_container__process_from_json(const json_t *o, struct kl_ctr_process *ret,
                                    struct kl_err **err)
{
        struct kl_ctr_process p = { 0 };
        json_t *a = NULL, *v;
        const char *s = NULL;
        int64_t n = 0;
        size_t i;
        int r;

        if (!json_is_object(o))
                return kl_err_set(err, -EINVAL, "process: expected an object");
        r = get_strv(o, "args", true, &p.args, err);
        if (r >= 0 && (!p.args || !p.args[0]))
                r = kl_err_set(err, -EINVAL, "'args': at least one argument is required");
        if (r >= 0)
                r = get_strv(o, "env", false, &p.env, err);
        if (r >= 0)
                r = get_opt_str(o, "cwd", &p.cwd, err);
        if (r >= 0 && p.cwd && p.cwd[0] != '/')
                r = kl_err_set(err, -EINVAL, "'cwd': must be an absolute path");
        if (r >= 0)
                r = get_opt_str(o, "user", &p.user, err);
        if (r >= 0 && kl_json_get_array(o, "groups", &a, NULL) == 0) {
                p.groups = kl_calloc(json_array_size(a) + 1, sizeof(*p.groups));
                if (json_array_size(a) > GROUPS_MAX)
                        r = kl_err_set(err, -EINVAL, "'groups': more than %d", GROUPS_MAX);
                json_array_foreach(a, i, v) {
                        if (r < 0)
                                break;
                        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                            json_integer_value(v) > UINT32_MAX)
                                r = kl_err_set(err, -EINVAL, "'groups[%zu]': expected a gid", i);
                        else
                                p.groups[p.n_groups++] = (uint32_t)json_integer_value(v);
                }
        }
        if (r >= 0)
                r = get_opt_bool(o, "terminal", &p.terminal, err);
        if (r >= 0)
                r = get_opt_bool(o, "stdin_open", &p.stdin_open, err);
        if (r >= 0)
                r = get_u64_text(o, "caps", true, &p.caps, err);
        if (r >= 0)
                r = get_opt_bool(o, "no_new_privs", &p.no_new_privs, err);
        if (r >= 0) {
                if (kl_json_get_str(o, "seccomp", &s, NULL) < 0 ||
                    (r = enum_from(s, seccomp_names, KL_ARRAY_SIZE(seccomp_names))) < 0)
                        r = kl_err_set(
                                err, -EINVAL,
                                "'seccomp': expected RuntimeDefault, Unconfined or Localhost");
                else
                        p.seccomp = (enum kl_ctr_seccomp)r;
        }
        if (r >= 0)
                r = get_opt_str(o, "seccomp_profile", &p.seccomp_profile, err);
        if (r >= 0 && p.seccomp == KL_CTR_SECCOMP_LOCALHOST && !p.seccomp_profile)
                r = kl_err_set(err, -EINVAL, "'seccomp_profile': required for Localhost");
        if (r >= 0 && kl_json_get_array(o, "rlimits", &a, NULL) == 0) {
                p.rlimits = kl_calloc(json_array_size(a) + 1, sizeof(*p.rlimits));
                if (json_array_size(a) > RLIMITS_MAX)
                        r = kl_err_set(err, -EINVAL, "'rlimits': more than %d", RLIMITS_MAX);
                json_array_foreach(a, i, v) {
                        struct kl_ctr_rlimit *l;

                        if (r < 0)
                                break;
                        l = &p.rlimits[p.n_rlimits++];
                        r = get_opt_int(v, "resource", 0, RLIM_NLIMITS - 1, &n, err);
                        l->resource = (int)n;
                        if (r >= 0)
                                r = get_u64_text(v, "soft", false, &l->soft, err);
                        if (r >= 0)
                                r = get_u64_text(v, "hard", false, &l->hard, err);
                        if (r >= 0 && l->soft > l->hard)
                                r = kl_err_set(err, -EINVAL, "'rlimits[%zu]': soft above hard", i);
                }
        }
        if (r >= 0 && kl_json_get_int64(o, "oom_score_adj", &n, NULL) == 0) {
                if (n < -1000 || n > 1000)
                        r = kl_err_set(err, -EINVAL, "'oom_score_adj': expected -1000..1000");
                p.oom_score_adj = (int)n;
                p.has_oom_score_adj = true;
        }
        if (r < 0) {
                kl_ctr_process_release(&p);
                return kl_err_wrap(err, r, "process");
        }
        *ret = p;
        return 0;
}

static int absolute(const char *what, const char *path, struct kl_err **err)
{
        if (!path || path[0] != '/')
                return kl_err_set(err, -EINVAL, "'%s': must be an absolute path", what);
        return 0;
}

static int mounts_from_json(const json_t *o, struct kl_ctr_config *c, struct kl_err **err)
{
        json_t *a = NULL, *v;
        size_t i;
        int r = 0;

        if (kl_json_get_array(o, "mounts", &a, NULL) < 0)
                return 0;
        if (!json_is_array(a) || json_array_size(a) > MOUNTS_MAX)
                return kl_err_set(err, -EINVAL, "'mounts': expected at most %d", MOUNTS_MAX);
        c->mounts = kl_calloc(json_array_size(a) + 1, sizeof(*c->mounts));
        json_array_foreach(a, i, v) {
                struct kl_ctr_mount *m = &c->mounts[c->n_mounts++];
                const char *s = NULL;
                int p = KL_CTR_PROPAGATION_PRIVATE;

                r = get_opt_str(v, "source", &m->source, err);
                if (r >= 0)
                        r = get_opt_str(v, "destination", &m->destination, err);
                if (r >= 0)
                        r = absolute("destination", m->destination, err);
                if (r >= 0)
                        r = get_opt_str(v, "type", &m->type, err);
                if (r >= 0 && !m->type)
                        r = absolute("source", m->source, err);
                if (r >= 0)
                        r = get_opt_str(v, "data", &m->data, err);
                if (r >= 0)
                        r = get_opt_bool(v, "readonly", &m->readonly, err);
                if (r >= 0 && kl_json_get_str(v, "propagation", &s, NULL) == 0 &&
                    (p = enum_from(s, propagation_names, KL_ARRAY_SIZE(propagation_names))) < 0)
                        r = kl_err_set(err, -EINVAL,
                                       "'propagation': expected private, rslave or rshared");
                m->propagation = (enum kl_ctr_propagation)(p < 0 ? 0 : p);
                if (r < 0)
                        return kl_err_wrap(err, r, "mounts[%zu]", i);
        }
        return 0;
}

static int namespaces_from_json(const json_t *o, struct kl_ctr_config *c, struct kl_err **err)
{
        for (int i = 0; i < KL_CTR_NS_N; i++) {
                const char *s = NULL;
                kl_autofree char *path = kl_asprintf("namespaces.%s", ns_names[i]);

                if (kl_json_get_str(o, path, &s, NULL) < 0 || kl_streq(s, "new"))
                        c->ns[i].mode = KL_CTR_NS_NEW;
                else if (kl_streq(s, "host"))
                        c->ns[i].mode = KL_CTR_NS_HOST;
                else if (s[0] == '/') {
                        c->ns[i].mode = KL_CTR_NS_JOIN;
                        c->ns[i].path = kl_strdup(s);
                } else
                        return kl_err_set(err, -EINVAL,
                                          "'%s': expected \"new\", \"host\" or an absolute path",
                                          path);
        }
        /* A new PID or cgroup namespace without a mount namespace of its own cannot get its /proc.
         */
        if (c->ns[KL_CTR_NS_MNT].mode != KL_CTR_NS_NEW)
                return kl_err_set(err, -EINVAL, "'namespaces.mnt': a container needs its own");
        return 0;
}

int kl_ctr_config_from_json(const char *json, size_t len, struct kl_ctr_config *ret,
                            struct kl_err **err)
{
        json_auto_t *o = NULL;
        struct kl_ctr_config c = { 0 };
        json_t *proc = NULL;
        int64_t n = 0;
        int r;

        r = kl_json_decode(json, len, (size_t)1 << 20, &o, err);
        if (r < 0)
                return r;
        if (!json_is_object(o))
                return kl_err_set(err, -EINVAL, "config: expected an object");
        r = get_opt_str(o, "id", &c.id, err);
        if (r >= 0 && !kl_ctr_id_is_valid(c.id))
                r = kl_err_set(err, -EINVAL, "'id': expected 1-%d of [A-Za-z0-9_.-]",
                               KL_CTR_ID_MAX);
        if (r >= 0)
                r = get_opt_str(o, "image", &c.image, err);
        if (r >= 0)
                r = get_strv(o, "layers", false, &c.layers, err);
        for (size_t i = 0; r >= 0 && c.layers && c.layers[i]; i++)
                r = absolute("layers", c.layers[i], err);
        if (r >= 0)
                r = get_opt_str(o, "rootfs", &c.rootfs, err);
        if (r >= 0 && !c.layers)
                r = absolute("rootfs", c.rootfs, err);
        if (r >= 0 && c.layers && !c.layers[0])
                r = kl_err_set(err, -EINVAL, "'layers': at least one");
        if (r >= 0)
                r = get_opt_bool(o, "readonly_rootfs", &c.readonly_rootfs, err);
        if (r >= 0 && kl_json_get_object(o, "process", &proc, NULL) < 0)
                r = kl_err_set(err, -EINVAL, "'process': required");
        if (r >= 0)
                r = kl_container__process_from_json(proc, &c.process, err);
        if (r >= 0)
                r = get_opt_str(o, "hostname", &c.hostname, err);
        if (r >= 0 && c.hostname && strlen(c.hostname) > 64)
                r = kl_err_set(err, -EINVAL, "'hostname': longer than 64 bytes");
        if (r >= 0)
                r = namespaces_from_json(o, &c, err);
        if (r >= 0)
                r = mounts_from_json(o, &c, err);
        if (r >= 0)
                r = get_opt_bool(o, "privileged", &c.privileged, err);
        if (r >= 0)
                r = get_strv(o, "masked_paths", false, &c.masked_paths, err);
        if (r >= 0)
                r = get_strv(o, "readonly_paths", false, &c.readonly_paths, err);
        if (r >= 0)
                r = get_opt_int(o, "resources.memory_limit", 0, INT64_MAX,
                                &c.resources.memory_limit, err);
        if (r >= 0)
                r = get_opt_int(o, "resources.memory_swap", -1, INT64_MAX, &c.resources.memory_swap,
                                err);
        if (r >= 0)
                r = get_opt_int(o, "resources.cpu_quota", 0, INT64_MAX, &c.resources.cpu_quota,
                                err);
        if (r >= 0)
                r = get_opt_int(o, "resources.cpu_period", 0, 1000000, &n, err);
        c.resources.cpu_period = (uint64_t)n;
        if (r >= 0)
                r = get_opt_int(o, "resources.cpu_shares", 0, 262144, &n, err);
        c.resources.cpu_shares = (uint64_t)n;
        if (r >= 0)
                r = get_opt_int(o, "resources.pids_limit", -1, INT64_MAX, &c.resources.pids_limit,
                                err);
        if (r >= 0)
                r = get_opt_str(o, "log_path", &c.log_path, err);
        if (r >= 0 && c.log_path)
                r = absolute("log_path", c.log_path, err);
        if (r >= 0)
                r = get_opt_int(o, "log_max_size", 0, INT64_MAX, &c.log_max_size, err);
        if (r >= 0)
                r = get_opt_int(o, "log_max_files", 0, 1000, &n, err);
        c.log_max_files = (unsigned)n;
        if (r >= 0)
                r = get_opt_int(o, "stop_signal", 0, SIGRTMAX, &n, err);
        c.stop_signal = (int)n;
        if (r >= 0)
                r = get_strv(o, "labels", false, &c.labels, err);
        if (r < 0) {
                kl_ctr_config_release(&c);
                return r;
        }
        *ret = c;
        return 0;
}
