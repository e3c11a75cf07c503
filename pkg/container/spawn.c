/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's process between clone() and execve(): the child side of
 * the shim. The order matters and follows runc's (libcontainer's
 * standard_init_linux.go and finalizeNamespace):
 *
 *   1. wait until the shim has put us into the cgroup, so that
 *   2. a new cgroup namespace is rooted at the container's cgroup;
 *   3. join the namespaces the config names (a pod's net, IPC, UTS);
 *   4. hostname, loopback up, the root filesystem (rootfs.c) — all as root
 *      with every capability still held;
 *   5. the user from the container's own /etc/passwd and /etc/group;
 *   6. rlimits and oom_score_adj, the stdio, the controlling terminal;
 *   7. seccomp now when no_new_privs is off (installing a filter then needs
 *      CAP_SYS_ADMIN, which is about to go), capabilities and user, seccomp
 *      now when no_new_privs is on (as late as possible: fewer syscalls to allow);
 *   8. report "set up", wait for the start byte, execve.
 *
 * Nothing here may assume threads: the shim that cloned us has one.
 * Errors go to the shim as text through err_fd ('F' before the set-up report,
 * 'E' for the exec itself) and the process ends with status 127.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"

/*
 * The process starts as a new program would: no signal blocked, every
 * disposition the default. The shim blocks SIGCHLD (its signalfd) and
 * ignores SIGPIPE, and both would otherwise carry across execve() (runc
 * resets them the same way).
 */
static void reset_signals(void)
{
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigset_t none;

        for (int sig = 1; sig < NSIG; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, &dfl, NULL) == 0)
                        continue;
                /*
                 * The C library keeps a few real-time signals for itself and
                 * refuses them (EINVAL); an ignore inherited on one of them
                 * would still reach the program, so ask the kernel directly.
                 */
                struct {
                        void *handler;
                        unsigned long flags;
                        void *restorer;
                        uint64_t mask;
                } k = { .handler = (void *)SIG_DFL };

                (void)syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
        }
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* /etc/passwd and /etc/group are read up to this size (passwd.c's bound). */
#define ETC_FILE_MAX ((size_t)1 << 20)

static const int ns_clone_flag[KL_CTR_NS_N] = {
        [KL_CTR_NS_MNT] = CLONE_NEWNS,  [KL_CTR_NS_PID] = CLONE_NEWPID,
        [KL_CTR_NS_NET] = CLONE_NEWNET, [KL_CTR_NS_IPC] = CLONE_NEWIPC,
        [KL_CTR_NS_UTS] = CLONE_NEWUTS, [KL_CTR_NS_CGROUP] = CLONE_NEWCGROUP,
};

int kl_container__ns_clone_flag(enum kl_ctr_ns ns)
{
        return ns_clone_flag[ns];
}

static _Noreturn void fail(const struct kl_container__child *c, char tag, struct kl_err *e)
{
        kl_autofree char *msg = kl_asprintf("%c%s", tag, e ? kl_err_msg(e) : "failed");

        (void)kl_write_all(c->err_fd, msg, strlen(msg));
        kl_err_free(e);
        _exit(127);
}

/* Block until the shim writes a byte (or closes the pipe). */
static int wait_byte(int fd)
{
        char b;
        ssize_t n;

        do
                n = read(fd, &b, 1);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : (int)n;
}

static int join_namespaces(const struct kl_ctr_config *cfg, struct kl_err **err)
{
        /* PID is joined by the shim before clone (it applies to children only). */
        static const enum kl_ctr_ns order[] = { KL_CTR_NS_IPC, KL_CTR_NS_UTS, KL_CTR_NS_NET };

        for (size_t i = 0; i < KL_ARRAY_SIZE(order); i++) {
                const struct kl_ctr_ns_config *n = &cfg->ns[order[i]];
                kl_autoclose int fd = -1;

                if (n->mode != KL_CTR_NS_JOIN)
                        continue;
                fd = open(n->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return kl_err_set(err, -errno, "open %s namespace `%s`",
                                          kl_container__ns_name(order[i]), n->path);
                if (setns(fd, ns_clone_flag[order[i]]) < 0)
                        return kl_err_set(err, -errno, "join %s namespace `%s`",
                                          kl_container__ns_name(order[i]), n->path);
        }
        return 0;
}

/*
 * A new network namespace has only a loopback device, and it is down. System
 * calls only, so the sandbox's forked child can use it too; -errno.
 */
int kl_container__loopback_up(void)
{
        struct ifreq ifr = { .ifr_name = "lo" };
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int r = 0;

        if (fd < 0)
                return -errno;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                r = -errno;
        ifr.ifr_flags |= IFF_UP;
        if (r == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                r = -errno;
        close(fd);
        return r;
}

/*
 * The first ETC_FILE_MAX bytes of a file of the container (passwd.c considers
 * whole lines inside that bound only); NULL when it is absent.
 */
static char *read_etc(const char *path, size_t *ret_len)
{
        kl_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char *data;
        size_t len = 0;

        *ret_len = 0;
        if (fd < 0)
                return NULL;
        data = kl_malloc(ETC_FILE_MAX + 1);
        while (len < ETC_FILE_MAX) {
                ssize_t n = read(fd, data + len, ETC_FILE_MAX - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        data[len] = '\0';
        *ret_len = len;
        return data;
}

static int resolve_user(const struct kl_ctr_process *p, struct kl_container__user *ret,
                        struct kl_err **err)
{
        size_t passwd_len = 0, group_len = 0;
        kl_autofree char *passwd = read_etc("/etc/passwd", &passwd_len);
        kl_autofree char *group = read_etc("/etc/group", &group_len);

        return kl_container__user_resolve(p->user, passwd, passwd_len, group, group_len, ret, err);
}

static void set_limits(const struct kl_ctr_process *p)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct kl_ctr_rlimit *l = &p->rlimits[i];
                struct rlimit rl = { .rlim_cur = l->soft, .rlim_max = l->hard };

                /* Without CAP_SYS_RESOURCE a hard limit cannot be raised: keep what we have. */
                if (setrlimit(l->resource, &rl) < 0 && errno == EPERM) {
                        struct rlimit cur;

                        if (getrlimit(l->resource, &cur) == 0) {
                                rl.rlim_max = cur.rlim_max;
                                rl.rlim_cur = l->soft < cur.rlim_max ? l->soft : cur.rlim_max;
                                (void)setrlimit(l->resource, &rl);
                        }
                }
        }
        if (p->has_oom_score_adj) {
                char buf[16];
                kl_autoclose int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

                (void)snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
                /* Lowering it needs CAP_SYS_RESOURCE, which root lacks on some hosts. */
                if (fd >= 0)
                        (void)kl_write_all(fd, buf, strlen(buf));
        }
}

/*
 * Open a terminal from the container's own devpts and send its master to the
 * shim (SCM_RIGHTS on the report socket): the slave then has a name inside
 * the container, as with runc's console socket.
 */
static int open_terminal(const struct kl_container__child *c, int *ret_slave, struct kl_err **err)
{
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } ctl = { 0 };
        struct iovec iov = { .iov_base = (void *)"T", .iov_len = 1 };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl)
        };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        kl_autoclose int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        char name[64];
        int slave;

        if (m < 0)
                return kl_err_set(err, -errno, "open /dev/ptmx");
        if (unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0)
                return kl_err_set(err, -errno, "set up a pseudo-terminal");
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return kl_err_set(err, -errno, "open %s", name);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &m, sizeof(int));
        if (sendmsg(c->err_fd, &msg, MSG_NOSIGNAL) < 0) {
                int r = -errno;

                close(slave);
                return kl_err_set(err, r, "hand the terminal to the shim");
        }
        *ret_slave = slave;
        return 0;
}

static int setup_stdio(const struct kl_container__child *c, struct kl_err **err)
{
        /* Move the fds out of 0..2 first, so dup2 never overwrites one still needed. */
        int fds[3];

        if (c->terminal) {
                int slave = -1;
                int r = open_terminal(c, &slave, err);

                if (r < 0)
                        return r;
                for (int i = 0; i < 3; i++)
                        if (dup3(slave, i, 0) < 0)
                                return kl_err_set(err, -errno, "set up stdio");
                if (slave > 2)
                        close(slave);
                if (setsid() < 0)
                        return kl_err_set(err, -errno, "setsid");
                if (ioctl(0, TIOCSCTTY, 0) < 0)
                        return kl_err_set(err, -errno, "make the terminal the controlling one");
                return 0;
        }
        for (int i = 0; i < 3; i++) {
                fds[i] = fcntl(c->stdio[i], F_DUPFD_CLOEXEC, 3);
                if (fds[i] < 0)
                        return kl_err_set(err, -errno, "duplicate stdio");
        }
        for (int i = 0; i < 3; i++)
                if (dup3(fds[i], i, 0) < 0)
                        return kl_err_set(err, -errno, "set up stdio");
        return 0;
}

static const char *env_get(char *const *env, const char *key)
{
        size_t n = strlen(key);

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], key, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}

/* The environment the process gets: its own, plus PATH, HOSTNAME, HOME and TERM when missing. */
static char **build_env(const struct kl_container__child *c, const struct kl_container__user *u)
{
        char **env = kl_strv_copy(c->process->env);
        char host[HOST_NAME_MAX + 1] = "";

        if (!env)
                env = kl_new0(char *);
        if (!env_get(env, "PATH"))
                kl_strv_push(&env,
                             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!env_get(env, "HOSTNAME") && gethostname(host, sizeof(host) - 1) == 0)
                kl_strv_push_take(&env, kl_asprintf("HOSTNAME=%s", host));
        if (!env_get(env, "HOME"))
                kl_strv_push_take(&env, kl_asprintf("HOME=%s", u->home ? u->home : "/"));
        if (c->process->terminal && !env_get(env, "TERM"))
                kl_strv_push(&env, "TERM=xterm");
        return env;
}

/* args[0] searched in the process's PATH (not ours), as runc does. */
static char *find_program(const char *name, char *const *env, struct kl_err **err)
{
        const char *path = env_get(env, "PATH");
        kl_autostrv char **dirs = NULL;

        if (strchr(name, '/')) {
                struct stat st;

                /* Found at create time, as runc does, not only when exec fails. */
                if (stat(name, &st) < 0) {
                        kl_err_set(err, -errno, "exec: \"%s\": stat %s: %s", name, name,
                                   strerror(errno));
                        return NULL;
                }
                return kl_strdup(name);
        }
        dirs = kl_strv_split(path ? path : "", ':');
        for (size_t i = 0; dirs && dirs[i]; i++) {
                kl_autofree char *full = kl_asprintf("%s/%s", *dirs[i] ? dirs[i] : ".", name);
                struct stat st;

                if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
                        char *found = full;

                        full = NULL;
                        return found;
                }
        }
        kl_err_set(err, -ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
        return NULL;
}

static int switch_user(const struct kl_container__child *c, const struct kl_container__user *u,
                       struct kl_err **err)
{
        const struct kl_ctr_process *p = c->process;
        size_t n = 1 + u->n_groups + p->n_groups;
        kl_autofree gid_t *gids = kl_calloc(n + 1, sizeof(gid_t));
        size_t k = 0;
        int r;

        /* The primary group first, as containerd lists it (and `id` shows it). */
        gids[k++] = u->gid;
        for (size_t i = 0; i < u->n_groups; i++)
                gids[k++] = u->groups[i];
        for (size_t i = 0; i < p->n_groups; i++)
                gids[k++] = p->groups[i];
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return kl_err_set(err, -errno, "keep capabilities across setuid");
        r = kl_container__caps_bound(p->caps, err);
        if (r < 0)
                return r;
        if (setgroups(k, gids) < 0)
                return kl_err_set(err, -errno, "setgroups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return kl_err_set(err, -errno, "setgid %u", u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return kl_err_set(err, -errno, "setuid %u", u->uid);
        r = kl_container__caps_set(p->caps, err);
        if (r < 0)
                return r;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return kl_err_set(err, -errno, "drop keep-capabilities");
        return 0;
}

_Noreturn void kl_container__child_main(const struct kl_container__child *c)
{
        const struct kl_ctr_config *cfg = c->cfg;
        const struct kl_ctr_process *p = c->process;
        struct kl_container__user user = { 0 };
        struct kl_err *e = NULL;
        kl_autostrv char **env = NULL;
        kl_autofree char *program = NULL;
        int r = 0;

        if (c->sync_fd >= 0 && wait_byte(c->sync_fd) <= 0)
                /* The shim went away before it put us into the cgroup. */
                _exit(127);
        if (!c->exec_session) {
                if (cfg->ns[KL_CTR_NS_CGROUP].mode == KL_CTR_NS_NEW && unshare(CLONE_NEWCGROUP) < 0)
                        r = kl_err_set(&e, -errno, "new cgroup namespace");
                if (r >= 0)
                        r = join_namespaces(cfg, &e);
                if (r >= 0 && cfg->ns[KL_CTR_NS_UTS].mode == KL_CTR_NS_NEW) {
                        const char *h = cfg->hostname ? cfg->hostname : cfg->id;
                        size_t len = strnlen(h, 63);

                        if (sethostname(h, len) < 0)
                                r = kl_err_set(&e, -errno, "sethostname");
                }
                if (r >= 0 && cfg->ns[KL_CTR_NS_NET].mode == KL_CTR_NS_NEW &&
                    (r = kl_container__loopback_up()) < 0)
                        r = kl_err_set(&e, r, "bring lo up");
                if (r >= 0)
                        r = kl_container__rootfs_setup(cfg, c->paths, &e);
        }
        if (r >= 0)
                r = resolve_user(p, &user, &e);
        if (r >= 0) {
                set_limits(p);
                r = setup_stdio(c, &e);
        }
        if (r >= 0) {
                env = build_env(c, &user);
                if (p->cwd && chdir(p->cwd) < 0)
                        r = kl_err_set(&e, -errno, "chdir to cwd (\"%s\") set in config.json",
                                       p->cwd);
        }
        if (r >= 0 && !p->no_new_privs && c->bpf->n > 0)
                r = kl_container__seccomp_install(c->bpf, &e);
        if (r >= 0)
                r = switch_user(c, &user, &e);
        if (r >= 0 && p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = kl_err_set(&e, -errno, "set no_new_privs");
        if (r >= 0 && p->no_new_privs && c->bpf->n > 0)
                r = kl_container__seccomp_install(c->bpf, &e);
        if (r >= 0) {
                program = find_program(p->args[0], env, &e);
                if (!program)
                        r = -ENOENT;
        }
        kl_container__user_release(&user);
        if (r < 0)
                fail(c, c->start_fd >= 0 ? 'F' : 'E', e);
        if (c->start_fd >= 0) {
                (void)kl_write_all(c->err_fd, "S", 1);
                if (wait_byte(c->start_fd) <= 0)
                        _exit(127); /* deleted before it was started */
        }
        reset_signals();
        execve(program, p->args, env);
        r = -errno;
        kl_err_set(&e, r, "exec: \"%s\": %s", p->args[0], strerror(-r));
        fail(c, 'E', e);
}
