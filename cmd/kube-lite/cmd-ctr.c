/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite ctr: containers from the command line, for people and tests, as
 * `ctr`/`crictl`/`podman` are used — run, ps, logs, exec, stop, rm, kill,
 * inspect. Flags and terminal handling only: containers are pkg/container
 * (container.h), images pkg/runtime (rt.h).
 *
 * Where things live: images under <data-dir>/agent/images (shared with
 * `kube-lite images` and the agent), containers' writable layers under
 * <data-dir>/agent/containers, their state under <state-dir>/containers,
 * their cgroups below this process's own cgroup in --cgroup-parent.
 *
 * Like `images`, `ctr` is a dispatcher: flags given before the verb are
 * handed on to the verb's parse, so `ctr --data-dir D run ...` and
 * `ctr run --data-dir D ...` mean the same. Containers are named by their
 * id or by a unique prefix of it (ps shows 12 characters).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "base/base.h"
#include "commands.h"
#include "config/config.h"
#include "container/container.h"
#include "pki/pki.h"
#include "runtime/rt.h"

struct ctr_common {
        struct kl_cmd_global global;
        char *config;
        char *data_dir;
        char *state_dir;
        char *cgroup_parent;
};

struct run_opts {
        struct ctr_common c;
        bool rm;
        bool detach;
        bool tty;
        bool interactive;
        char *name;
        char *memory;
        char *cpus;
        int pids_limit;
        char *net;
        char *hostname;
        char *user;
        char *workdir;
        char **env;
        char **mounts;
        bool read_only;
        bool privileged;
        char **cap_add;
        char **cap_drop;
        char *seccomp;
        bool no_new_privs;
        char *rootfs;
        char *log;
};

struct ps_opts {
        struct ctr_common c;
        bool all;
        bool quiet;
        char *output;
};

struct logs_opts {
        struct ctr_common c;
        bool follow;
};

struct exec_opts {
        struct ctr_common c;
        bool tty;
        bool interactive;
        char *user;
        char *workdir;
        char **env;
};

struct stop_opts {
        struct ctr_common c;
        int timeout;
};

struct rm_opts {
        struct ctr_common c;
        bool force;
};

struct kill_opts {
        struct ctr_common c;
        char *signal;
};

struct plain_opts {
        struct ctr_common c;
};

static int default_data_dir(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_DATA, kl_config_is_rootless(true), ret, err);
}

#define COMMON_FLAGS(T)                                                                    \
        KL_CONFIG_FILE_FLAG(T, c.config),                                                  \
                { KL_CONFIG_STRING_AT(T, c.data_dir),                                      \
                  .name = "data-dir",                                                      \
                  .metavar = "DIR",                                                        \
                  .default_fn = default_data_dir,                                          \
                  .default_help = "/var/lib/kube-lite, or ~/.kube-lite/data for non-root", \
                  .group = "Data",                                                         \
                  .help = "Folder to hold state; images in DIR/agent/images, containers' " \
                          "writable layers in DIR/agent/containers" },                     \
                { KL_CONFIG_STRING_AT(T, c.state_dir),                                     \
                  .name = "state-dir",                                                     \
                  .metavar = "DIR",                                                        \
                  .default_fn = kl_cmd_default_state_dir,                                  \
                  .default_help = "/run/kube-lite",                                        \
                  .group = "Data",                                                         \
                  .help = "Run-time state; containers in DIR/containers" },                \
        {                                                                                  \
                KL_CONFIG_STRING_AT(T, c.cgroup_parent),                                   \
                        .name = "cgroup-parent", .def = "kube-lite", .group = "Data",      \
                        .help = "Containers' cgroups go below this one, itself below ours" \
        }

static const char *const ps_outputs[] = { "table", "json", NULL };

#define PER_RUN (KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE)

#define O struct run_opts
static const struct kl_config_flag run_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_BOOL_AT(O, rm), .name = "rm", .flags = PER_RUN,
          .help = "Remove the container when it exits" },
        { KL_CONFIG_BOOL_AT(O, detach), .name = "detach", .short_name = 'd', .flags = PER_RUN,
          .help = "Start the container and print its id" },
        { KL_CONFIG_BOOL_AT(O, tty), .name = "tty", .short_name = 't', .flags = PER_RUN,
          .help = "Give the container a terminal" },
        { KL_CONFIG_BOOL_AT(O, interactive), .name = "interactive", .short_name = 'i',
          .flags = PER_RUN, .help = "Keep the container's stdin open and connect ours" },
        { KL_CONFIG_STRING_AT(O, name), .name = "name", .metavar = "ID", .flags = PER_RUN,
          .help = "The container's id (default: 64 random hex digits)" },
        { KL_CONFIG_STRING_AT(O, memory), .name = "memory", .short_name = 'm', .metavar = "SIZE",
          .flags = PER_RUN, .help = "Memory limit: bytes, or with k, m, g (1024-based)" },
        { KL_CONFIG_STRING_AT(O, cpus), .name = "cpus", .metavar = "N", .flags = PER_RUN,
          .help = "CPU limit in cores (0.5: half a core)" },
        { KL_CONFIG_INT_AT(O, pids_limit), .name = "pids-limit", .flags = PER_RUN,
          .help = "Most processes at once (0: no limit)" },
        { KL_CONFIG_STRING_AT(O, net), .name = "net", .metavar = "none|host|PATH", .def = "none",
          .flags = PER_RUN,
          .help = "Network: its own namespace with loopback only, the host's, or the one bound "
                  "at PATH" },
        { KL_CONFIG_STRING_AT(O, hostname), .name = "hostname", .flags = PER_RUN,
          .help = "Host name (default: the id, shortened)" },
        { KL_CONFIG_STRING_AT(O, user), .name = "user", .short_name = 'u',
          .metavar = "USER[:GROUP]", .flags = PER_RUN,
          .help = "Run as this user (names from the image's /etc/passwd)" },
        { KL_CONFIG_STRING_AT(O, workdir), .name = "workdir", .short_name = 'w', .metavar = "DIR",
          .flags = PER_RUN, .help = "Working directory inside the container" },
        { KL_CONFIG_STRINGS_AT(O, env), .name = "env", .short_name = 'e', .metavar = "K=V",
          .flags = PER_RUN, .help = "Set an environment variable (repeatable)" },
        { KL_CONFIG_STRINGS_AT(O, mounts), .name = "mount", .short_name = 'v',
          .metavar = "SRC:DST[:ro]", .flags = PER_RUN,
          .help = "Bind-mount a host path (repeatable)" },
        { KL_CONFIG_BOOL_AT(O, read_only), .name = "read-only", .flags = PER_RUN,
          .help = "Mount the root filesystem read-only" },
        { KL_CONFIG_BOOL_AT(O, privileged), .name = "privileged", .flags = PER_RUN,
          .help = "Every capability, no seccomp, no masked paths" },
        { KL_CONFIG_STRINGS_AT(O, cap_add), .name = "cap-add", .metavar = "CAP", .flags = PER_RUN,
          .help = "Add a capability (NET_ADMIN, ALL; repeatable)" },
        { KL_CONFIG_STRINGS_AT(O, cap_drop), .name = "cap-drop", .metavar = "CAP", .flags = PER_RUN,
          .help = "Drop a capability (repeatable)" },
        { KL_CONFIG_STRING_AT(O, seccomp), .name = "seccomp",
          .metavar = "runtime-default|unconfined|FILE", .def = "runtime-default", .flags = PER_RUN,
          .help = "Seccomp profile" },
        { KL_CONFIG_BOOL_AT(O, no_new_privs), .name = "no-new-privs", .flags = PER_RUN,
          .help = "Set no_new_privs: setuid binaries gain nothing" },
        { KL_CONFIG_STRING_AT(O, rootfs), .name = "rootfs", .metavar = "DIR", .flags = PER_RUN,
          .help = "Run in this directory instead of an image; every argument is the command" },
        { KL_CONFIG_STRING_AT(O, log), .name = "log", .metavar = "FILE", .flags = PER_RUN,
          .help = "CRI-format log file (default: DIR/agent/containers/ID.log)" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct ps_opts
static const struct kl_config_flag ps_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_BOOL_AT(O, all), .name = "all", .short_name = 'a', .flags = PER_RUN,
          .help = "Also stopped and created containers" },
        { KL_CONFIG_BOOL_AT(O, quiet), .name = "quiet", .short_name = 'q', .flags = PER_RUN,
          .help = "Print only ids" },
        { KL_CONFIG_STRING_AT(O, output), .name = "output", .short_name = 'o', .def = "table",
          .choices = ps_outputs, .flags = PER_RUN, .help = "Print a table, or JSON" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct logs_opts
static const struct kl_config_flag logs_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_BOOL_AT(O, follow), .name = "follow", .short_name = 'f', .flags = PER_RUN,
          .help = "Keep printing what the container writes until it stops" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct exec_opts
static const struct kl_config_flag exec_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_BOOL_AT(O, tty), .name = "tty", .short_name = 't', .flags = PER_RUN,
          .help = "Give the process a terminal" },
        { KL_CONFIG_BOOL_AT(O, interactive), .name = "interactive", .short_name = 'i',
          .flags = PER_RUN, .help = "Connect our stdin" },
        { KL_CONFIG_STRING_AT(O, user), .name = "user", .short_name = 'u', .flags = PER_RUN,
          .help = "Run as this user (default: the container's)" },
        { KL_CONFIG_STRING_AT(O, workdir), .name = "workdir", .short_name = 'w', .flags = PER_RUN,
          .help = "Working directory (default: the container's)" },
        { KL_CONFIG_STRINGS_AT(O, env), .name = "env", .short_name = 'e', .metavar = "K=V",
          .flags = PER_RUN, .help = "Environment (default: the container's)" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct stop_opts
static const struct kl_config_flag stop_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_INT_AT(O, timeout), .name = "time", .short_name = 't', .def = "10",
          .flags = PER_RUN, .help = "Seconds to wait after the stop signal before SIGKILL" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct rm_opts
static const struct kl_config_flag rm_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_BOOL_AT(O, force), .name = "force", .short_name = 'f', .flags = PER_RUN,
          .help = "Kill a running container first" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct kill_opts
static const struct kl_config_flag kill_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_STRING_AT(O, signal), .name = "signal", .short_name = 's', .def = "KILL",
          .flags = PER_RUN, .help = "Signal name or number" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct plain_opts
static const struct kl_config_flag plain_flags[] = {
        COMMON_FLAGS(O),
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

static const struct kl_config_cmd run_config = {
        .name = "kube-lite ctr run",
        .synopsis = "[OPTIONS] IMAGE [COMMAND [ARG...]]",
        .summary = "Create and start a container",
        .description =
                "Run a container from an image of the node's store (see `kube-lite images`)\n"
                "and wait for it, connected to it, unless --detach. The exit status is\n"
                "the container's.",
        .flags = run_flags,
        .n_flags = KL_ARRAY_SIZE(run_flags),
        .min_args = 1,
        .max_args = KL_CONFIG_ARGS_ANY,
        .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
};

static const struct kl_config_cmd ps_config = {
        .name = "kube-lite ctr ps",
        .summary = "List containers",
        .flags = ps_flags,
        .n_flags = KL_ARRAY_SIZE(ps_flags),
};

static const struct kl_config_cmd logs_config = {
        .name = "kube-lite ctr logs",
        .synopsis = "[OPTIONS] CONTAINER",
        .summary = "Print a container's log",
        .flags = logs_flags,
        .n_flags = KL_ARRAY_SIZE(logs_flags),
        .min_args = 1,
        .max_args = 1,
};

static const struct kl_config_cmd exec_config = {
        .name = "kube-lite ctr exec",
        .synopsis = "[OPTIONS] CONTAINER COMMAND [ARG...]",
        .summary = "Run a process in a running container",
        .flags = exec_flags,
        .n_flags = KL_ARRAY_SIZE(exec_flags),
        .min_args = 2,
        .max_args = KL_CONFIG_ARGS_ANY,
        .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
};

static const struct kl_config_cmd stop_config = {
        .name = "kube-lite ctr stop",
        .synopsis = "[OPTIONS] CONTAINER...",
        .summary = "Stop containers: the stop signal, then SIGKILL",
        .flags = stop_flags,
        .n_flags = KL_ARRAY_SIZE(stop_flags),
        .min_args = 1,
        .max_args = KL_CONFIG_ARGS_ANY,
};

static const struct kl_config_cmd rm_config = {
        .name = "kube-lite ctr rm",
        .synopsis = "[OPTIONS] CONTAINER...",
        .summary = "Remove stopped containers",
        .flags = rm_flags,
        .n_flags = KL_ARRAY_SIZE(rm_flags),
        .min_args = 1,
        .max_args = KL_CONFIG_ARGS_ANY,
};

static const struct kl_config_cmd kill_config = {
        .name = "kube-lite ctr kill",
        .synopsis = "[OPTIONS] CONTAINER",
        .summary = "Signal a container's first process",
        .flags = kill_flags,
        .n_flags = KL_ARRAY_SIZE(kill_flags),
        .min_args = 1,
        .max_args = 1,
};

static const struct kl_config_cmd inspect_config = {
        .name = "kube-lite ctr inspect",
        .synopsis = "[OPTIONS] CONTAINER",
        .summary = "Print a container's state as JSON",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
        .min_args = 1,
        .max_args = 1,
};

static const struct kl_config_cmd *const verb_configs[] = {
        &run_config, &ps_config,   &logs_config,    &exec_config, &stop_config,
        &rm_config,  &kill_config, &inspect_config, NULL,
};

const struct kl_config_cmd kl_cmd_ctr_config = {
        .name = "kube-lite ctr",
        .synopsis = "[OPTIONS] COMMAND [ARG...]",
        .summary = "Run and manage containers on this node",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
        .max_args = KL_CONFIG_ARGS_ANY,
        .commands = verb_configs,
        .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
};

/* ---- helpers ---- */

static int fail(const struct kl_config_cmd *cmd, const struct kl_err *e)
{
        fprintf(stderr, "%s: %s\n", cmd->name, kl_err_msg(e));
        return 1;
}

static int open_runtime(const struct ctr_common *c, struct kl_ctr_runtime **ret,
                        struct kl_err **err)
{
        kl_autofree char *state = kl_asprintf("%s/containers", c->state_dir);
        kl_autofree char *data = kl_asprintf("%s/agent/containers", c->data_dir);
        kl_autofree char *cache = kl_asprintf("%s/seccomp", c->state_dir);
        struct kl_ctr_runtime_opts o = {
                .state_dir = state,
                .data_dir = data,
                .cgroup_parent = *c->cgroup_parent ? c->cgroup_parent : NULL,
                .seccomp_cache = cache,
        };

        return kl_ctr_runtime_open(&o, ret, err);
}

/* An id, or a prefix of exactly one container's id. */
static int resolve_id(struct kl_ctr_runtime *rt, const char *arg, char **ret, struct kl_err **err)
{
        struct kl_ctr_state *v = NULL;
        size_t n = 0, hits = 0, at = 0;
        int r = kl_ctr_list(rt, &v, &n, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (kl_streq(v[i].id, arg)) {
                        hits = 1;
                        at = i;
                        break;
                }
                if (kl_startswith(v[i].id, arg)) {
                        hits++;
                        at = i;
                }
        }
        if (hits == 1)
                *ret = kl_strdup(v[at].id);
        kl_ctr_states_free(v, n);
        if (hits == 0)
                return kl_err_set(err, -ENOENT, "no such container: %s", arg);
        if (hits > 1)
                return kl_err_set(err, -EINVAL, "%s names more than one container", arg);
        return 0;
}

/* "32m", "1g", "512k", "1048576": 1024-based, as docker reads --memory. */
static int parse_size(const char *s, int64_t *ret)
{
        size_t n = strlen(s);
        uint64_t mult = 1, v;
        kl_autofree char *digits = NULL;

        if (n == 0)
                return -EINVAL;
        switch (s[n - 1]) {
        case 'k':
        case 'K':
                mult = 1024;
                n--;
                break;
        case 'm':
        case 'M':
                mult = 1024ull * 1024;
                n--;
                break;
        case 'g':
        case 'G':
                mult = 1024ull * 1024 * 1024;
                n--;
                break;
        case 'b':
        case 'B':
                n--;
                break;
        default:
                break;
        }
        digits = kl_strndup(s, n);
        if (kl_parse_uint64(digits, &v) < 0 || v == 0 || v > (uint64_t)INT64_MAX / mult)
                return -EINVAL;
        *ret = (int64_t)(v * mult);
        return 0;
}

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
        { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },   { "TERM", SIGTERM }, { "STOP", SIGSTOP },
        { "CONT", SIGCONT }, { "WINCH", SIGWINCH },
};

static int parse_signal(const char *s, int *ret)
{
        const char *name = kl_startswith(s, "SIG") ? s + 3 : s;
        int v;

        for (size_t i = 0; i < KL_ARRAY_SIZE(signals); i++)
                if (strcasecmp(name, signals[i].name) == 0) {
                        *ret = signals[i].sig;
                        return 0;
                }
        if (kl_parse_int(s, &v) == 0 && v > 0 && v <= SIGRTMAX) {
                *ret = v;
                return 0;
        }
        return -EINVAL;
}

/* ---- the terminal ---- */

static struct termios saved_tio;
static bool tio_saved;

static void raw_terminal(void)
{
        struct termios t;

        if (!isatty(0) || tcgetattr(0, &saved_tio) < 0)
                return;
        tio_saved = true;
        t = saved_tio;
        cfmakeraw(&t);
        (void)tcsetattr(0, TCSANOW, &t);
}

static void restore_terminal(void)
{
        if (tio_saved)
                (void)tcsetattr(0, TCSANOW, &saved_tio);
        tio_saved = false;
}

static void send_size(struct kl_ctr_stream *s)
{
        struct winsize ws;

        if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
                (void)kl_ctr_stream_resize(s, ws.ws_row, ws.ws_col, NULL);
}

/*
 * Copy the stream to our stdout/stderr and, with `interactive`, our stdin
 * to it, until the process's exit status arrives. Returns it, or -1.
 */
static int pump(struct kl_ctr_stream *s, bool interactive, bool tty, struct kl_err **err)
{
        kl_autoclose int sig_fd = -1;
        bool stdin_open = interactive;
        sigset_t mask;

        if (tty) {
                sigemptyset(&mask);
                sigaddset(&mask, SIGWINCH);
                (void)sigprocmask(SIG_BLOCK, &mask, NULL);
                sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
                send_size(s);
        }
        for (;;) {
                struct pollfd p[3] = {
                        { .fd = kl_ctr_stream_fd(s), .events = POLLIN },
                        { .fd = stdin_open ? 0 : -1, .events = POLLIN },
                        { .fd = sig_fd, .events = POLLIN },
                };
                char buf[32768];

                if (poll(p, 3, -1) < 0 && errno != EINTR)
                        return kl_err_set(err, -errno, "poll");
                if (p[2].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(sig_fd, &si, sizeof(si)) > 0)
                                ;
                        send_size(s);
                }
                if (p[1].revents & (POLLIN | POLLHUP)) {
                        ssize_t n = read(0, buf, sizeof(buf));

                        if (n > 0) {
                                if (kl_ctr_stream_write(s, buf, (size_t)n, err) < 0)
                                        return -1;
                        } else {
                                stdin_open = false;
                                (void)kl_ctr_stream_close_stdin(s, NULL);
                        }
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                for (;;) {
                        enum kl_ctr_stream_kind kind;
                        int code = 0;
                        ssize_t n = kl_ctr_stream_read(s, buf, sizeof(buf), &kind, &code, err);

                        if (n == -EAGAIN)
                                break;
                        if (n < 0)
                                return -1;
                        if (kind == KL_CTR_STREAM_EXIT)
                                return code;
                        (void)kl_write_all(kind == KL_CTR_STREAM_STDERR ? 2 : 1, buf, (size_t)n);
                }
        }
}

/* ---- run ---- */

static int add_mount(struct kl_ctr_config *cfg, const char *spec, struct kl_err **err)
{
        kl_autostrv char **parts = kl_strv_split(spec, ':');
        size_t n = kl_strv_length(parts);
        struct kl_ctr_mount *m;

        if (n < 2 || n > 3 || parts[0][0] != '/' || parts[1][0] != '/' ||
            (n == 3 && !kl_streq(parts[2], "ro") && !kl_streq(parts[2], "rw")))
                return kl_err_set(err, -EINVAL, "--mount %s: expected /SRC:/DST[:ro|rw]", spec);
        cfg->mounts = kl_realloc(cfg->mounts, (cfg->n_mounts + 1) * sizeof(*cfg->mounts));
        m = &cfg->mounts[cfg->n_mounts++];
        *m = (struct kl_ctr_mount){ .source = kl_strdup(parts[0]),
                                    .destination = kl_strdup(parts[1]),
                                    .readonly = n == 3 && kl_streq(parts[2], "ro") };
        return 0;
}

/* The process and rootfs from the image (entrypoint + cmd, env, workdir, user), then flags. */
static int from_image(const struct run_opts *o, const char *image, char *const *cmd,
                      struct kl_ctr_config *cfg, struct kl_err **err)
{
        kl_autofree char *root = kl_asprintf("%s/agent/images", o->c.data_dir);
        kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };
        struct kl_rt_image_config ic = { 0 };
        struct kl_rt_store *s = NULL;
        int r;

        r = kl_rt_ref_parse(image, &ref, err);
        if (r < 0)
                return r;
        cfg->image = kl_rt_ref_format(&ref);
        r = kl_rt_store_open(root, &s, err);
        if (r < 0)
                return r;
        r = kl_rt_image_config_get(s, cfg->image, &ic, err);
        if (r == -ENOENT)
                kl_err_wrap(err, r, "pull or import it first (kube-lite images)");
        if (r >= 0) {
                (void)kl_rt_store_image_touch(s, cfg->image, NULL);
                cfg->layers = KL_TAKE_PTR(ic.layers);
                cfg->process.args = kl_strv_copy(ic.entrypoint);
                if (cmd[0] || !ic.cmd)
                        for (size_t i = 0; cmd[i]; i++)
                                kl_strv_push(&cfg->process.args, cmd[i]);
                else
                        for (size_t i = 0; ic.cmd[i]; i++)
                                kl_strv_push(&cfg->process.args, ic.cmd[i]);
                cfg->process.env = KL_TAKE_PTR(ic.env);
                cfg->process.cwd = KL_TAKE_PTR(ic.working_dir);
                cfg->process.user = KL_TAKE_PTR(ic.user);
                if (ic.stop_signal)
                        (void)parse_signal(ic.stop_signal, &cfg->stop_signal);
        }
        kl_rt_image_config_release(&ic);
        kl_rt_store_free(s);
        return r;
}

static int build_config(const struct run_opts *o, char *const *args, struct kl_ctr_config *cfg,
                        struct kl_err **err)
{
        int r;

        kl_ctr_config_init(cfg);
        /* 64 hex digits, as CRI runtimes name containers (not a secret: plain free()). */
        if (o->name)
                cfg->id = kl_strdup(o->name);
        else if ((r = kl_pki_random_hex(32, &cfg->id, err)) < 0)
                return r;
        if (o->rootfs) {
                cfg->rootfs = kl_strdup(o->rootfs);
                cfg->process.args = kl_strv_copy(args);
        } else {
                r = from_image(o, args[0], args + 1, cfg, err);
                if (r < 0)
                        return r;
        }
        if (!cfg->process.args || !cfg->process.args[0])
                return kl_err_set(err, -EINVAL, "no command: the image has none, give one");
        for (size_t i = 0; o->env && o->env[i]; i++) {
                if (!strchr(o->env[i], '='))
                        return kl_err_set(err, -EINVAL, "--env %s: expected K=V", o->env[i]);
                kl_strv_push(&cfg->process.env, o->env[i]);
        }
        if (o->user) {
                free(cfg->process.user);
                cfg->process.user = kl_strdup(o->user);
        }
        if (o->workdir) {
                free(cfg->process.cwd);
                cfg->process.cwd = kl_strdup(o->workdir);
        }
        cfg->process.terminal = o->tty;
        cfg->process.stdin_open = o->interactive;
        cfg->process.no_new_privs = o->no_new_privs;
        if (o->hostname)
                cfg->hostname = kl_strdup(o->hostname);
        cfg->readonly_rootfs = o->read_only;
        cfg->privileged = o->privileged;
        if (o->privileged) {
                cfg->process.caps = kl_ctr_caps_all();
                cfg->process.seccomp = KL_CTR_SECCOMP_UNCONFINED;
        }
        r = kl_ctr_caps_adjust(cfg->process.caps, o->cap_add, o->cap_drop, &cfg->process.caps, err);
        if (r < 0)
                return r;
        if (kl_streq(o->seccomp, "unconfined")) {
                cfg->process.seccomp = KL_CTR_SECCOMP_UNCONFINED;
        } else if (!kl_streq(o->seccomp, "runtime-default")) {
                if (o->seccomp[0] != '/')
                        return kl_err_set(
                                err, -EINVAL,
                                "--seccomp: runtime-default, unconfined or an absolute path");
                cfg->process.seccomp = KL_CTR_SECCOMP_LOCALHOST;
                cfg->process.seccomp_profile = kl_strdup(o->seccomp);
        }
        if (kl_streq(o->net, "host")) {
                cfg->ns[KL_CTR_NS_NET].mode = KL_CTR_NS_HOST;
        } else if (!kl_streq(o->net, "none")) {
                if (o->net[0] != '/')
                        return kl_err_set(err, -EINVAL, "--net: none, host or an absolute path");
                cfg->ns[KL_CTR_NS_NET].mode = KL_CTR_NS_JOIN;
                cfg->ns[KL_CTR_NS_NET].path = kl_strdup(o->net);
        }
        for (size_t i = 0; o->mounts && o->mounts[i]; i++) {
                r = add_mount(cfg, o->mounts[i], err);
                if (r < 0)
                        return r;
        }
        if (o->memory && parse_size(o->memory, &cfg->resources.memory_limit) < 0)
                return kl_err_set(err, -EINVAL, "--memory %s: expected a size such as 64m",
                                  o->memory);
        if (o->cpus) {
                double cpus = 0;

                if (kl_parse_double(o->cpus, &cpus) < 0 || cpus <= 0 || cpus > 1024)
                        return kl_err_set(err, -EINVAL, "--cpus %s: expected a number of cores",
                                          o->cpus);
                cfg->resources.cpu_period = 100000;
                cfg->resources.cpu_quota = (int64_t)(cpus * 100000);
        }
        if (o->pids_limit < 0)
                return kl_err_set(err, -EINVAL, "--pids-limit: expected 0 or more");
        cfg->resources.pids_limit = o->pids_limit;
        cfg->log_path = o->log ? kl_strdup(o->log)
                               : kl_asprintf("%s/agent/containers/%s.log", o->c.data_dir, cfg->id);
        /* The soft nofile limit as runc's default spec sets it, within what the host allows. */
        cfg->process.rlimits = kl_new0(struct kl_ctr_rlimit);
        cfg->process.rlimits[0] = (struct kl_ctr_rlimit){ RLIMIT_NOFILE, 1024, 1024 };
        cfg->process.n_rlimits = 1;
        return 0;
}

static int ctr_run(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_runtime *rt = NULL;
        struct kl_ctr_stream *s = NULL;
        struct kl_ctr_config cfg = { 0 };
        struct run_opts o = { 0 };
        int r, status = 1;

        r = kl_cmd_parse(&run_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (o.rm && o.detach) {
                fprintf(stderr, "%s: --rm and --detach do not go together\n", run_config.name);
                return 2;
        }
        r = build_config(&o, kl_config_args(kc), &cfg, &e);
        if (r >= 0)
                r = open_runtime(&o.c, &rt, &e);
        if (r >= 0)
                r = kl_ctr_create(rt, &cfg, &e);
        if (r < 0) {
                status = fail(&run_config, e);
                goto out;
        }
        if (!o.detach) {
                unsigned flags = KL_CTR_ATTACH_STDOUT | KL_CTR_ATTACH_STDERR |
                                 (o.interactive ? KL_CTR_ATTACH_STDIN : 0);

                r = kl_ctr_attach(rt, cfg.id, flags, &s, &e);
        }
        if (r >= 0)
                r = kl_ctr_start(rt, cfg.id, &e);
        if (r < 0) {
                status = fail(&run_config, e);
                /* A container that never ran is removed again: nothing of it is wanted. */
                kl_err_free(KL_TAKE_PTR(e));
                (void)kl_ctr_delete(rt, cfg.id, true, NULL);
                goto out;
        }
        if (o.detach) {
                printf("%s\n", cfg.id);
                status = 0;
                goto out;
        }
        if (o.tty && o.interactive)
                raw_terminal();
        status = pump(s, o.interactive, o.tty, &e);
        restore_terminal();
        if (status < 0)
                status = fail(&run_config, e);
        if (o.rm) {
                kl_err_free(KL_TAKE_PTR(e));
                if (kl_ctr_wait(rt, cfg.id, -1, NULL, &e) < 0 ||
                    kl_ctr_delete(rt, cfg.id, true, &e) < 0)
                        (void)fail(&run_config, e);
        }
out:
        kl_ctr_stream_free(s);
        kl_ctr_runtime_free(rt);
        kl_ctr_config_release(&cfg);
        return status;
}

/* ---- ps, inspect ---- */

static void ago(int64_t usec, char *buf, size_t size)
{
        int64_t s = ((int64_t)kl_now_realtime() - usec) / 1000000;

        if (s < 60)
                (void)snprintf(buf, size, "%llds", (long long)(s < 0 ? 0 : s));
        else if (s < 3600)
                (void)snprintf(buf, size, "%lldm", (long long)(s / 60));
        else if (s < 86400)
                (void)snprintf(buf, size, "%lldh", (long long)(s / 3600));
        else
                (void)snprintf(buf, size, "%lldd", (long long)(s / 86400));
}

static int ctr_ps(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_runtime *rt = NULL;
        struct kl_ctr_state *v = NULL;
        struct ps_opts o = { 0 };
        bool json = false, first = true;
        size_t n = 0;
        int r;

        r = kl_cmd_parse(&ps_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        r = open_runtime(&o.c, &rt, &e);
        if (r >= 0)
                r = kl_ctr_list(rt, &v, &n, &e);
        kl_ctr_runtime_free(rt);
        if (r < 0)
                return fail(&ps_config, e);
        json = kl_streq(o.output, "json");
        if (json)
                printf("[");
        if (!o.quiet && !json)
                printf("%-12s  %-40s  %-8s  %s\n", "CONTAINER", "IMAGE", "CREATED", "STATUS");
        for (size_t i = 0; i < n; i++) {
                const struct kl_ctr_state *st = &v[i];
                char created[32], when[32], status[96];

                if (!o.all && st->status != KL_CTR_RUNNING)
                        continue;
                if (json) {
                        kl_autofree char *text = kl_ctr_state_format(st);

                        /* Each state is one JSON object: the list is their array. */
                        printf("%s%s", first ? "\n" : ",\n", text);
                        first = false;
                        continue;
                }
                if (o.quiet) {
                        printf("%s\n", st->id);
                        continue;
                }
                ago(st->created_usec, created, sizeof(created));
                if (st->status == KL_CTR_RUNNING) {
                        ago(st->started_usec, when, sizeof(when));
                        (void)snprintf(status, sizeof(status), "Up %s", when);
                } else if (st->status == KL_CTR_STOPPED) {
                        ago(st->finished_usec, when, sizeof(when));
                        (void)snprintf(status, sizeof(status), "Exited (%d) %s ago%s",
                                       st->exit_code, when, st->oom_killed ? " OOMKilled" : "");
                } else {
                        (void)snprintf(status, sizeof(status), "%s",
                                       st->status == KL_CTR_CREATED ? "Created" : "Unknown");
                }
                printf("%-12.12s  %-40s  %-8s  %s\n", st->id, st->image ? st->image : "-", created,
                       status);
        }
        if (json)
                printf("]\n");
        kl_ctr_states_free(v, n);
        return 0;
}

static int ctr_inspect(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *id = NULL;
        struct kl_ctr_runtime *rt = NULL;
        struct kl_ctr_state st = { 0 };
        struct plain_opts o = { 0 };
        int r;

        r = kl_cmd_parse(&inspect_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        r = open_runtime(&o.c, &rt, &e);
        if (r >= 0)
                r = resolve_id(rt, kl_config_args(kc)[0], &id, &e);
        if (r >= 0)
                r = kl_ctr_state(rt, id, &st, &e);
        kl_ctr_runtime_free(rt);
        if (r < 0)
                return fail(&inspect_config, e);
        {
                kl_autofree char *text = kl_ctr_state_format(&st);

                fputs(text, stdout);
        }
        kl_ctr_state_release(&st);
        return 0;
}

/* ---- logs ---- */

/* Print the complete lines of `buf` (a CRI log) and keep an unfinished last line. */
static void print_log_lines(struct kl_buf *buf)
{
        size_t start = 0;

        for (;;) {
                const char *nl = memchr(buf->buf + start, '\n', buf->len - start);
                struct kl_ctr_log_line l;

                if (!nl)
                        break;
                if (kl_ctr_log_parse_line(buf->buf + start, (size_t)(nl - (buf->buf + start)),
                                          &l) == 0) {
                        int fd = l.stream == KL_CTR_STREAM_STDERR ? 2 : 1;

                        (void)kl_write_all(fd, l.content, l.len);
                        if (!l.partial)
                                (void)kl_write_all(fd, "\n", 1);
                }
                start = (size_t)(nl - buf->buf) + 1;
        }
        memmove(buf->buf, buf->buf + start, buf->len - start);
        kl_buf_truncate(buf, buf->len - start);
}

static int ctr_logs(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *id = NULL;
        kl_autobuf struct kl_buf pending = KL_BUF_INIT;
        struct kl_ctr_runtime *rt = NULL;
        struct kl_ctr_state st = { 0 };
        struct logs_opts o = { 0 };
        kl_autofree char *log_path = NULL;
        kl_autoclose int fd = -1;
        struct stat fst = { 0 };
        int r;

        r = kl_cmd_parse(&logs_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        r = open_runtime(&o.c, &rt, &e);
        if (r >= 0)
                r = resolve_id(rt, kl_config_args(kc)[0], &id, &e);
        if (r >= 0)
                r = kl_ctr_state(rt, id, &st, &e);
        if (r >= 0 && !st.log_path)
                r = kl_err_set(&e, -ENOENT, "container %s has no log file", id);
        if (r < 0) {
                kl_ctr_runtime_free(rt);
                kl_ctr_state_release(&st);
                return fail(&logs_config, e);
        }
        log_path = kl_strdup(st.log_path);
        for (;;) {
                char chunk[65536];
                ssize_t n;
                bool running;

                if (fd < 0) {
                        fd = open(log_path, O_RDONLY | O_CLOEXEC);
                        if (fd >= 0)
                                (void)fstat(fd, &fst);
                }
                while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
                        (void)kl_buf_append(&pending, chunk, (size_t)n);
                        print_log_lines(&pending);
                }
                if (!o.follow)
                        break;
                kl_ctr_state_release(&st);
                running = kl_ctr_state(rt, id, &st, NULL) == 0 &&
                          (st.status == KL_CTR_RUNNING || st.status == KL_CTR_CREATED);
                {
                        struct stat now;

                        /* Rotated: the name now has a new file; finish the old one first. */
                        if (fd >= 0 && stat(log_path, &now) == 0 && now.st_ino != fst.st_ino) {
                                while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
                                        (void)kl_buf_append(&pending, chunk, (size_t)n);
                                        print_log_lines(&pending);
                                }
                                close(fd);
                                fd = -1;
                                continue;
                        }
                }
                if (!running)
                        break;
                usleep(100000);
        }
        kl_ctr_state_release(&st);
        kl_ctr_runtime_free(rt);
        return 0;
}

/* ---- exec ---- */

static int ctr_exec(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *id = NULL;
        struct kl_ctr_runtime *rt = NULL;
        struct kl_ctr_stream *s = NULL;
        struct kl_ctr_process p = { 0 };
        struct exec_opts o = { 0 };
        char *const *args;
        int r, status;

        r = kl_cmd_parse(&exec_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        args = kl_config_args(kc);
        p.args = kl_strv_copy(args + 1);
        p.env = o.env ? kl_strv_copy(o.env) : NULL;
        p.user = o.user ? kl_strdup(o.user) : NULL;
        p.cwd = o.workdir ? kl_strdup(o.workdir) : NULL;
        p.terminal = o.tty;
        p.stdin_open = o.interactive;
        r = open_runtime(&o.c, &rt, &e);
        if (r >= 0)
                r = resolve_id(rt, args[0], &id, &e);
        if (r >= 0)
                r = kl_ctr_exec(rt, id, &p, &s, &e);
        kl_ctr_process_release(&p);
        if (r < 0) {
                kl_ctr_runtime_free(rt);
                return fail(&exec_config, e);
        }
        if (o.tty && o.interactive)
                raw_terminal();
        status = pump(s, o.interactive, o.tty, &e);
        restore_terminal();
        if (status < 0)
                status = fail(&exec_config, e);
        kl_ctr_stream_free(s);
        kl_ctr_runtime_free(rt);
        return status;
}

/* ---- stop, rm, kill ---- */

static int ctr_stop(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        struct kl_ctr_runtime *rt = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct stop_opts o = { 0 };
        char *const *ids;
        int r, status = 0;

        r = kl_cmd_parse(&stop_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (open_runtime(&o.c, &rt, &e) < 0)
                return fail(&stop_config, e);
        ids = kl_config_args(kc);
        for (size_t i = 0; ids[i]; i++) {
                kl_autofree char *id = NULL;

                kl_err_free(KL_TAKE_PTR(e));
                r = resolve_id(rt, ids[i], &id, &e);
                if (r >= 0)
                        r = kl_ctr_stop(rt, id, o.timeout * 1000, &e);
                if (r < 0)
                        status = fail(&stop_config, e);
                else
                        printf("%s\n", ids[i]);
        }
        kl_ctr_runtime_free(rt);
        return status;
}

static int ctr_rm(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        struct kl_ctr_runtime *rt = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct rm_opts o = { 0 };
        char *const *ids;
        int r, status = 0;

        r = kl_cmd_parse(&rm_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (open_runtime(&o.c, &rt, &e) < 0)
                return fail(&rm_config, e);
        ids = kl_config_args(kc);
        for (size_t i = 0; ids[i]; i++) {
                kl_autofree char *id = NULL;

                kl_err_free(KL_TAKE_PTR(e));
                r = resolve_id(rt, ids[i], &id, &e);
                if (r >= 0)
                        r = kl_ctr_delete(rt, id, o.force, &e);
                if (r < 0)
                        status = fail(&rm_config, e);
                else
                        printf("%s\n", ids[i]);
        }
        kl_ctr_runtime_free(rt);
        return status;
}

static int ctr_kill(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *kc = NULL;
        struct kl_ctr_runtime *rt = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *id = NULL;
        struct kill_opts o = { 0 };
        int sig = 0;
        int r;

        r = kl_cmd_parse(&kill_config, &o, &o.c.global, argc, argv, &kc);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (parse_signal(o.signal, &sig) < 0) {
                fprintf(stderr, "%s: --signal %s: unknown signal\n", kill_config.name, o.signal);
                return 2;
        }
        r = open_runtime(&o.c, &rt, &e);
        if (r >= 0)
                r = resolve_id(rt, kl_config_args(kc)[0], &id, &e);
        if (r >= 0)
                r = kl_ctr_kill(rt, id, sig, false, &e);
        kl_ctr_runtime_free(rt);
        return r < 0 ? fail(&kill_config, e) : 0;
}

/* ---- the dispatcher ---- */

static const struct kl_cmd_verb verbs[] = {
        { "run", NULL, ctr_run, &run_config },    { "ps", NULL, ctr_ps, &ps_config },
        { "logs", NULL, ctr_logs, &logs_config }, { "exec", NULL, ctr_exec, &exec_config },
        { "stop", NULL, ctr_stop, &stop_config }, { "rm", NULL, ctr_rm, &rm_config },
        { "kill", NULL, ctr_kill, &kill_config }, { "inspect", NULL, ctr_inspect, &inspect_config },
};

int kl_cmd_ctr(int argc, char **argv)
{
        struct plain_opts o = { 0 };

        return kl_cmd_dispatch(&kl_cmd_ctr_config, &o, &o.c.global, verbs, KL_ARRAY_SIZE(verbs),
                               argc, argv);
}

/* `kube-lite shim`: the container monitor (pkg/container), re-executed by kl_ctr_create(). */
int kl_cmd_shim(int argc, char **argv)
{
        return kl_ctr_shim_main(argc, argv);
}
