/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The caller's side of the runtime: directories, starting shims, and
 * requests to them over <state>/<id>/sock. Everything here is safe in a
 * multi-threaded process: shims are started with posix_spawn (no fork of
 * the caller's threads), and no function changes the cwd or signal state.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "json/json.h"

struct kl_ctr_runtime {
        char *state_dir;
        char *data_dir;
        char *cgroup_parent; /* "" for none */
        char *self_exe;
        char *seccomp_cache;
        char *sandbox_dir;
};

struct kl_ctr_stream {
        int fd;
        struct kl_buf in; /* received, not yet returned */
        size_t pos;       /* bytes of `in` already consumed */
        size_t frame_off; /* bytes of the current data frame already returned */
};

/* Forget an error that a fallback makes moot. `err` may be NULL. */
static void err_clear(struct kl_err **err)
{
        if (err) {
                kl_err_free(*err);
                *err = NULL;
        }
}

/* How long a stopped container may take to let its cgroup go, and a killed one to die. */
#define KILL_WAIT_MS 10000

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_DP)
                return rmdir(path) < 0 && errno != ENOENT ? -errno : 0;
        return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

/* rm -rf, without following symlinks or crossing into mounts' contents by name. */
static int remove_tree(const char *path)
{
        int r = nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);

        return r < 0 && errno == ENOENT ? 0 : r;
}

int kl_ctr_runtime_open(const struct kl_ctr_runtime_opts *opts, struct kl_ctr_runtime **ret,
                        struct kl_err **err)
{
        struct kl_ctr_runtime *rt;
        char exe[PATH_MAX];

        if (!opts->state_dir || !opts->data_dir || opts->state_dir[0] != '/' ||
            opts->data_dir[0] != '/')
                return kl_err_set(err, -EINVAL, "the state and data directories must be absolute");
        if (kl_mkdir_p(opts->state_dir, 0711) < 0)
                return kl_err_set(err, -errno, "create `%s`", opts->state_dir);
        if (kl_mkdir_p(opts->data_dir, 0711) < 0)
                return kl_err_set(err, -errno, "create `%s`", opts->data_dir);
        if (!opts->self_exe) {
                ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

                if (n < 0)
                        return kl_err_set(err, -errno, "find the kube-lite binary");
                exe[n] = '\0';
        }
        rt = kl_new0(struct kl_ctr_runtime);
        rt->state_dir = kl_strdup(opts->state_dir);
        rt->data_dir = kl_strdup(opts->data_dir);
        rt->cgroup_parent = kl_strdup(opts->cgroup_parent ? opts->cgroup_parent : "");
        rt->self_exe = kl_strdup(opts->self_exe ? opts->self_exe : exe);
        rt->seccomp_cache = opts->seccomp_cache ? kl_strdup(opts->seccomp_cache)
                                                : kl_asprintf("%s/.seccomp", opts->state_dir);
        rt->sandbox_dir = opts->sandbox_dir ? kl_strdup(opts->sandbox_dir)
                                            : kl_asprintf("%s/.sandboxes", opts->state_dir);
        *ret = rt;
        return 0;
}

void kl_ctr_runtime_free(struct kl_ctr_runtime *rt)
{
        if (!rt)
                return;
        free(rt->state_dir);
        free(rt->data_dir);
        free(rt->cgroup_parent);
        free(rt->self_exe);
        free(rt->seccomp_cache);
        free(rt->sandbox_dir);
        free(rt);
}

const char *kl_container__runtime_sandbox_dir(const struct kl_ctr_runtime *rt)
{
        return rt->sandbox_dir;
}

static char *state_path(const struct kl_ctr_runtime *rt, const char *id, const char *name)
{
        return name ? kl_asprintf("%s/%s/%s", rt->state_dir, id, name)
                    : kl_asprintf("%s/%s", rt->state_dir, id);
}

static int check_id(const char *id, struct kl_err **err)
{
        if (!kl_ctr_id_is_valid(id))
                return kl_err_set(err, -EINVAL, "invalid container id \"%s\"", id ? id : "");
        return 0;
}

/* ---- talking to a shim ---- */

static int shim_connect(const struct kl_ctr_runtime *rt, const char *id, int *ret,
                        struct kl_err **err)
{
        kl_autofree char *dir = state_path(rt, id, NULL);
        kl_autofree char *sock = state_path(rt, id, "sock");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        kl_autoclose int dirfd = -1;
        kl_autoclose int fd = -1;

        if (strlen(sock) < sizeof(sa.sun_path)) {
                memcpy(sa.sun_path, sock, strlen(sock) + 1);
        } else {
                /* Too long for sun_path: reach the socket through the directory's fd. */
                dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dirfd < 0)
                        return kl_err_set(err, -errno, "container %s", id);
                (void)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/sock", dirfd);
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return kl_err_set(err, -errno, "socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno; /* the caller decides: a stopped container has no shim */
        *ret = KL_TAKE_FD(fd);
        return 0;
}

/* Decode a REPLY frame: 0, or its error. */
static int decode_reply(const struct kl_container__frame *f, struct kl_err **err)
{
        json_auto_t *o = NULL;
        const char *msg = NULL;
        int64_t code = 0;

        if (f->type != KL_CONTAINER__FRAME_REPLY)
                return kl_err_set(err, -EPROTO, "the shim sent a frame of type %d, not a reply",
                                  (int)f->type);
        if (kl_json_decode((const char *)f->payload, f->len, KL_CONTAINER__FRAME_MAX, &o, err) < 0)
                return -EPROTO;
        if (kl_json_get_int64(o, "code", &code, NULL) < 0)
                return 0;
        (void)kl_json_get_str(o, "error", &msg, NULL);
        if (code >= 0 || code < -4095)
                code = -EIO;
        return kl_err_set_msg(err, (int)code, "%s", msg ? msg : kl_strerror((int)code));
}

static int send_request(int fd, json_t *req, struct kl_err **err)
{
        struct kl_buf b = KL_BUF_INIT;
        int r;

        kl_assert(kl_json_encode(req, 0, &b, NULL) == 0);
        r = kl_container__frame_send(fd, KL_CONTAINER__FRAME_REQUEST, b.buf, b.len);
        kl_buf_release(&b);
        return r < 0 ? kl_err_set(err, r, "send to the shim") : 0;
}

static int recv_reply(int fd, struct kl_err **err)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_container__frame f;
        int r = kl_container__frame_recv(fd, &b, &f);

        if (r < 0)
                r = kl_err_set(err, r, "read the shim's reply");
        else
                r = decode_reply(&f, err);
        kl_buf_release(&b);
        return r;
}

/* One request, one reply. -ENOENT/-ECONNREFUSED (no err set) when no shim answers. */
static int request(struct kl_ctr_runtime *rt, const char *id, json_t *req, struct kl_err **err)
{
        kl_autoclose int fd = -1;
        int r = shim_connect(rt, id, &fd, err);

        if (r < 0)
                return r;
        r = send_request(fd, req, err);
        if (r >= 0)
                r = recv_reply(fd, err);
        return r;
}

/* ---- state ---- */

/* True while a shim holds the container's lock. */
static bool shim_alive(const struct kl_ctr_runtime *rt, const char *id)
{
        kl_autofree char *path = state_path(rt, id, "lock");
        kl_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return false;
        if (flock(fd, LOCK_SH | LOCK_NB) < 0)
                return errno == EWOULDBLOCK;
        return false;
}

static int read_state(struct kl_ctr_runtime *rt, const char *id, struct kl_ctr_state *ret,
                      char ***ret_dirs, struct kl_err **err)
{
        kl_autofree char *path = state_path(rt, id, "state.json");
        kl_autofree char *json = NULL;
        size_t len = 0;
        int r = check_id(id, err);

        if (r < 0)
                return r;
        r = kl_read_file(path, (size_t)1 << 20, &json, &len);
        if (r == -ENOENT)
                return kl_err_set(err, -ENOENT, "container %s not found", id);
        if (r < 0)
                return kl_err_set(err, r, "read `%s`", path);
        r = kl_container__state_from_json(json, len, ret, ret_dirs, err);
        if (r < 0)
                return r;
        if ((ret->status == KL_CTR_CREATED || ret->status == KL_CTR_RUNNING) && !shim_alive(rt, id))
                ret->status = KL_CTR_UNKNOWN;
        return 0;
}

int kl_ctr_state(struct kl_ctr_runtime *rt, const char *id, struct kl_ctr_state *ret,
                 struct kl_err **err)
{
        return read_state(rt, id, ret, NULL, err);
}

static int cmp_created(const void *a, const void *b)
{
        const struct kl_ctr_state *x = a, *y = b;

        if (x->created_usec != y->created_usec)
                return x->created_usec < y->created_usec ? -1 : 1;
        return strcmp(x->id, y->id);
}

int kl_ctr_list(struct kl_ctr_runtime *rt, struct kl_ctr_state **ret, size_t *ret_n,
                struct kl_err **err)
{
        kl_autoclosedir DIR *d = opendir(rt->state_dir);
        struct kl_ctr_state *v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;

        if (!d)
                return kl_err_set(err, -errno, "open `%s`", rt->state_dir);
        while ((de = readdir(d))) {
                struct kl_ctr_state st;

                if (!kl_ctr_id_is_valid(de->d_name))
                        continue;
                /* A container being created or deleted right now has no state: skip it. */
                if (read_state(rt, de->d_name, &st, NULL, NULL) < 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        v = kl_realloc(v, cap * sizeof(*v));
                }
                v[n++] = st;
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), cmp_created);
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- create ---- */

static void paths_release(struct kl_container__paths *p)
{
        free(p->state);
        free(p->data);
        free(p->rootfs);
        free(p->upper);
        free(p->work);
}

static int spawn_shim(struct kl_ctr_runtime *rt, const struct kl_container__paths *paths, int sock,
                      pid_t *ret, struct kl_err **err)
{
        kl_autofree char *log = kl_asprintf("%s/shim.log", paths->state);
        char *argv[] = { rt->self_exe,      (char *)"shim",    paths->state, paths->data,
                         rt->cgroup_parent, rt->seccomp_cache, NULL };
        char *envp[] = {
                (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL
        };
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        int r;

        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&attr);
        sigemptyset(&none);
        sigfillset(&all);
        /* A clean signal state whatever the caller blocks or handles. */
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&fa, sock, 3);
        r = posix_spawn(ret, rt->self_exe, &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return kl_err_set(err, -r, "start the shim `%s`", rt->self_exe);
        return 0;
}

int kl_ctr_create(struct kl_ctr_runtime *rt, const struct kl_ctr_config *cfg, struct kl_err **err)
{
        struct kl_container__paths paths = { 0 };
        kl_autofree char *json = NULL;
        kl_autofree char *cfg_path = NULL;
        int sp[2] = { -1, -1 };
        pid_t pid = 0;
        int status;
        int r = check_id(cfg->id, err);

        if (r < 0)
                return r;
        if (!cfg->layers && (!cfg->rootfs || cfg->rootfs[0] != '/'))
                return kl_err_set(err, -EINVAL, "container %s: no layers and no rootfs", cfg->id);
        if (!cfg->process.args || !cfg->process.args[0])
                return kl_err_set(err, -EINVAL, "container %s: no command", cfg->id);
        paths.state = state_path(rt, cfg->id, NULL);
        paths.data = kl_asprintf("%s/%s", rt->data_dir, cfg->id);
        paths.rootfs = kl_asprintf("%s/rootfs", paths.data);
        paths.upper = kl_asprintf("%s/upper", paths.data);
        paths.work = kl_asprintf("%s/work", paths.data);
        if (mkdir(paths.state, 0700) < 0) {
                r = errno == EEXIST
                            ? kl_err_set(err, -EEXIST, "container %s exists already", cfg->id)
                            : kl_err_set(err, -errno, "create `%s`", paths.state);
                paths_release(&paths);
                return r;
        }
        if ((mkdir(paths.data, 0711) < 0 && errno != EEXIST) || mkdir(paths.rootfs, 0755) < 0 ||
            mkdir(paths.upper, 0755) < 0 || mkdir(paths.work, 0700) < 0) {
                r = kl_err_set(err, -errno, "create the directories of container %s", cfg->id);
                goto fail;
        }
        json = kl_ctr_config_to_json(cfg);
        cfg_path = kl_asprintf("%s/config.json", paths.state);
        r = kl_write_file_atomic(cfg_path, json, strlen(json), 0600, KL_WRITE_FILE_NOSYNC);
        if (r < 0) {
                r = kl_err_set(err, r, "write `%s`", cfg_path);
                goto fail;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
                r = kl_err_set(err, -errno, "socketpair");
                goto fail;
        }
        r = spawn_shim(rt, &paths, sp[1], &pid, err);
        close(sp[1]);
        if (r < 0)
                goto fail;
        /* Stage 1 exits as soon as it has forked the real shim. */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        r = recv_reply(sp[0], err);
        if (r == -EPIPE) {
                /* It died without a word: what it printed is all there is to say. */
                kl_autofree char *log_path = kl_asprintf("%s/shim.log", paths.state);
                kl_autofree char *log = NULL;

                err_clear(err);
                (void)kl_read_file(log_path, 4096, &log, NULL);
                r = kl_err_set(err, -EIO, "the shim of container %s exited: %s", cfg->id,
                               log && *log ? log : "(no message)");
        }
        if (r < 0)
                goto fail;
        close(sp[0]);
        paths_release(&paths);
        return 0;
fail:
        if (sp[0] >= 0)
                close(sp[0]);
        (void)remove_tree(paths.state);
        (void)remove_tree(paths.data);
        paths_release(&paths);
        return r;
}

/* ---- lifecycle ---- */

/* A request only a live shim can answer: no shim means the container is not running. */
static int request_running(struct kl_ctr_runtime *rt, const char *id, json_t *req,
                           struct kl_err **err)
{
        int r = check_id(id, err);

        if (r < 0)
                return r;
        r = request(rt, id, req, err);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return kl_err_set(err, -ESRCH, "container %s is not running", id);
        return r;
}

int kl_ctr_start(struct kl_ctr_runtime *rt, const char *id, struct kl_err **err)
{
        json_auto_t *req = json_pack("{s:s}", "op", "start");

        return request_running(rt, id, req, err);
}

int kl_ctr_kill(struct kl_ctr_runtime *rt, const char *id, int sig, bool all, struct kl_err **err)
{
        json_auto_t *req = json_pack("{s:s,s:i,s:b}", "op", "kill", "signal", sig, "all", all);

        return request_running(rt, id, req, err);
}

int kl_ctr_wait(struct kl_ctr_runtime *rt, const char *id, int timeout_ms, struct kl_ctr_state *ret,
                struct kl_err **err)
{
        json_auto_t *req = json_pack("{s:s}", "op", "wait");
        kl_autoclose int fd = -1;
        struct kl_ctr_state st = { 0 };
        int r = check_id(id, err);

        if (r < 0)
                return r;
        r = shim_connect(rt, id, &fd, err);
        if (r >= 0)
                r = send_request(fd, req, err);
        if (r >= 0) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int n;

                do
                        n = poll(&p, 1, timeout_ms);
                while (n < 0 && errno == EINTR);
                if (n == 0)
                        return kl_err_set(err, -ETIMEDOUT, "container %s is still running", id);
                /* The reply, or EOF if the shim died: either way the state file tells. */
                (void)recv_reply(fd, NULL);
        }
        /* No shim (it exited after recording the end) or it went away: the state says. */
        err_clear(err);
        r = read_state(rt, id, &st, NULL, err);
        if (r < 0)
                return r;
        /*
         * The shim writes the final state before it answers a wait and before it
         * stops listening; a shim that died without one reads as unknown.
         */
        if (ret)
                *ret = st;
        else
                kl_ctr_state_release(&st);
        return 0;
}

const char *kl_ctr_runtime_state_dir(const struct kl_ctr_runtime *rt)
{
        return rt->state_dir;
}

int kl_ctr_stop_signal(struct kl_ctr_runtime *rt, const char *id, struct kl_err **err)
{
        kl_autofree char *cfg_path = state_path(rt, id, "config.json");
        kl_autofree char *json = NULL;
        struct kl_ctr_state st;
        struct kl_ctr_config cfg;
        size_t len = 0;
        int sig = SIGTERM;
        int r = read_state(rt, id, &st, NULL, err);

        if (r < 0)
                return r;
        if (st.status != KL_CTR_RUNNING && st.status != KL_CTR_CREATED) {
                kl_ctr_state_release(&st);
                return 2;
        }
        kl_ctr_state_release(&st);
        if (kl_read_file(cfg_path, (size_t)1 << 20, &json, &len) == 0 &&
            kl_ctr_config_from_json(json, len, &cfg, NULL) == 0) {
                if (cfg.stop_signal > 0)
                        sig = cfg.stop_signal;
                kl_ctr_config_release(&cfg);
        }
        r = kl_ctr_kill(rt, id, sig, false, err);
        return r == -ESRCH ? 1 : r;
}

int kl_ctr_stop(struct kl_ctr_runtime *rt, const char *id, int timeout_ms, struct kl_err **err)
{
        int r = kl_ctr_stop_signal(rt, id, err);

        if (r < 0 || r == 2)
                return r < 0 ? r : 0;
        if (r == 1) {
                err_clear(err);
                return kl_ctr_wait(rt, id, KILL_WAIT_MS, NULL, err);
        }
        r = kl_ctr_wait(rt, id, timeout_ms, NULL, err);
        if (r != -ETIMEDOUT)
                return r;
        err_clear(err);
        r = kl_ctr_kill(rt, id, SIGKILL, true, err);
        if (r < 0 && r != -ESRCH)
                return r;
        err_clear(err);
        return kl_ctr_wait(rt, id, KILL_WAIT_MS, NULL, err);
}

int kl_ctr_delete(struct kl_ctr_runtime *rt, const char *id, bool force, struct kl_err **err)
{
        struct kl_ctr_state st = { 0 };
        kl_autostrv char **dirs = NULL;
        struct kl_container__cgroup *cg = NULL;
        kl_autofree char *dir = NULL;
        kl_autofree char *data = NULL;
        enum kl_ctr_status status;
        int r = read_state(rt, id, &st, &dirs, err);

        if (r < 0)
                return r;
        status = st.status;
        if (status == KL_CTR_RUNNING || status == KL_CTR_CREATED) {
                kl_ctr_state_release(&st);
                if (!force)
                        return kl_err_set(err, -EBUSY,
                                          "container %s is running: stop it first or force", id);
                r = kl_ctr_kill(rt, id, SIGKILL, true, err);
                if (r < 0 && r != -ESRCH)
                        return r;
                err_clear(err);
                r = kl_ctr_wait(rt, id, KILL_WAIT_MS, NULL, err);
                if (r < 0)
                        return r;
        } else {
                kl_ctr_state_release(&st);
        }
        if (dirs && dirs[0] && kl_container__cgroup_load(dirs, &cg, NULL) == 0) {
                /* A shim that died may have left processes: they go with the container. */
                if (status == KL_CTR_UNKNOWN)
                        (void)kl_container__cgroup_signal_all(cg, SIGKILL, NULL);
                r = kl_container__cgroup_remove(cg, err);
                kl_container__cgroup_free(cg);
                if (r < 0)
                        return r;
        }
        data = kl_asprintf("%s/%s", rt->data_dir, id);
        dir = state_path(rt, id, NULL);
        if (remove_tree(data) < 0)
                return kl_err_set(err, -errno, "remove `%s`", data);
        if (remove_tree(dir) < 0)
                return kl_err_set(err, -errno, "remove `%s`", dir);
        return 0;
}

int kl_ctr_stats(struct kl_ctr_runtime *rt, const char *id, struct kl_ctr_stats *ret,
                 struct kl_err **err)
{
        struct kl_ctr_state st;
        kl_autostrv char **dirs = NULL;
        struct kl_container__cgroup *cg = NULL;
        int r = read_state(rt, id, &st, &dirs, err);

        if (r < 0)
                return r;
        kl_ctr_state_release(&st);
        r = kl_container__cgroup_load(dirs, &cg, err);
        if (r < 0)
                return r;
        r = kl_container__cgroup_stats(cg, ret, err);
        kl_container__cgroup_free(cg);
        return r;
}

/* ---- streams ---- */

static int open_stream(struct kl_ctr_runtime *rt, const char *id, json_t *req,
                       struct kl_ctr_stream **ret, struct kl_err **err)
{
        kl_autoclose int fd = -1;
        struct kl_ctr_stream *s;
        int r = check_id(id, err);

        if (r < 0)
                return r;
        r = shim_connect(rt, id, &fd, err);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return kl_err_set(err, -ESRCH, "container %s is not running", id);
        if (r >= 0)
                r = send_request(fd, req, err);
        if (r >= 0)
                r = recv_reply(fd, err);
        if (r < 0)
                return r;
        s = kl_new0(struct kl_ctr_stream);
        s->fd = fd;
        fd = -1;
        kl_buf_init(&s->in, KL_CONTAINER__FRAME_MAX * 4);
        *ret = s;
        return 0;
}

int kl_ctr_exec(struct kl_ctr_runtime *rt, const char *id, const struct kl_ctr_process *p,
                struct kl_ctr_stream **ret, struct kl_err **err)
{
        json_auto_t *req =
                json_pack("{s:s,s:o}", "op", "exec", "process", kl_container__process_json(p));

        if (!p->args || !p->args[0])
                return kl_err_set(err, -EINVAL, "exec: no command");
        return open_stream(rt, id, req, ret, err);
}

int kl_ctr_attach(struct kl_ctr_runtime *rt, const char *id, unsigned flags,
                  struct kl_ctr_stream **ret, struct kl_err **err)
{
        json_auto_t *req = json_pack("{s:s,s:i}", "op", "attach", "flags", (int)flags);

        return open_stream(rt, id, req, ret, err);
}

int kl_ctr_stream_fd(const struct kl_ctr_stream *s)
{
        return s->fd;
}

ssize_t kl_ctr_stream_read(struct kl_ctr_stream *s, void *buf, size_t size,
                           enum kl_ctr_stream_kind *ret_kind, int *ret_exit_code,
                           struct kl_err **err)
{
        for (;;) {
                struct kl_container__frame f;
                ssize_t used = kl_container__frame_parse((const uint8_t *)s->in.buf + s->pos,
                                                         s->in.len - s->pos, &f);

                if (used < 0)
                        return kl_err_set(err, -EPROTO, "malformed frame from the shim");
                if (used > 0) {
                        if (f.type == KL_CONTAINER__FRAME_STDOUT ||
                            f.type == KL_CONTAINER__FRAME_STDERR) {
                                size_t n = f.len - s->frame_off;

                                if (n > size)
                                        n = size;
                                memcpy(buf, f.payload + s->frame_off, n);
                                s->frame_off += n;
                                if (s->frame_off == f.len) {
                                        s->pos += (size_t)used;
                                        s->frame_off = 0;
                                }
                                *ret_kind = f.type == KL_CONTAINER__FRAME_STDOUT
                                                    ? KL_CTR_STREAM_STDOUT
                                                    : KL_CTR_STREAM_STDERR;
                                if (n > 0)
                                        return (ssize_t)n;
                                continue;
                        }
                        s->pos += (size_t)used;
                        if (f.type == KL_CONTAINER__FRAME_EXIT && f.len == 4) {
                                *ret_kind = KL_CTR_STREAM_EXIT;
                                *ret_exit_code = (int)((uint32_t)f.payload[0] << 24 |
                                                       (uint32_t)f.payload[1] << 16 |
                                                       (uint32_t)f.payload[2] << 8 | f.payload[3]);
                                return 0;
                        }
                        continue; /* nothing else is meant for us */
                }
                /* Need more bytes: compact, then read what is there. */
                if (s->pos > 0) {
                        memmove(s->in.buf, s->in.buf + s->pos, s->in.len - s->pos);
                        kl_buf_truncate(&s->in, s->in.len - s->pos);
                        s->pos = 0;
                }
                {
                        uint8_t tmp[16384];
                        ssize_t n = recv(s->fd, tmp, sizeof(tmp), MSG_DONTWAIT);

                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                return -EAGAIN;
                        if (n < 0)
                                return kl_err_set(err, -errno, "read from the shim");
                        if (n == 0)
                                return kl_err_set(
                                        err, -EPIPE,
                                        "the shim closed the stream without an exit status");
                        if (kl_buf_append(&s->in, tmp, (size_t)n) < 0)
                                return kl_err_set(err, -E2BIG, "stream buffer full");
                }
        }
}

int kl_ctr_stream_write(struct kl_ctr_stream *s, const void *data, size_t len, struct kl_err **err)
{
        const char *p = data;

        while (len > 0) {
                size_t n = len < KL_CONTAINER__FRAME_MAX ? len : KL_CONTAINER__FRAME_MAX;
                int r = kl_container__frame_send(s->fd, KL_CONTAINER__FRAME_STDIN, p, n);

                if (r < 0)
                        return kl_err_set(err, r, "write to the shim");
                p += n;
                len -= n;
        }
        return 0;
}

int kl_ctr_stream_close_stdin(struct kl_ctr_stream *s, struct kl_err **err)
{
        int r = kl_container__frame_send(s->fd, KL_CONTAINER__FRAME_STDIN_EOF, NULL, 0);

        return r < 0 ? kl_err_set(err, r, "write to the shim") : 0;
}

int kl_ctr_stream_resize(struct kl_ctr_stream *s, unsigned short rows, unsigned short cols,
                         struct kl_err **err)
{
        uint8_t be[4] = { (uint8_t)(rows >> 8), (uint8_t)rows, (uint8_t)(cols >> 8),
                          (uint8_t)cols };
        int r = kl_container__frame_send(s->fd, KL_CONTAINER__FRAME_RESIZE, be, sizeof(be));

        return r < 0 ? kl_err_set(err, r, "write to the shim") : 0;
}

void kl_ctr_stream_free(struct kl_ctr_stream *s)
{
        if (!s)
                return;
        if (s->fd >= 0)
                close(s->fd);
        kl_buf_release(&s->in);
        free(s);
}
