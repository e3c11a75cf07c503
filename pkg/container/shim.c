/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shim: one single-threaded monitor process per container (DESIGN §2,
 * STYLE R10.2). `kube-lite shim STATE DATA CGROUP_PARENT SECCOMP_CACHE`
 * with the creating client's socket on fd 3:
 *
 *   stage 1  setsid, fork, exit — so the shim is nobody's child but init's
 *            and outlives whoever created it;
 *   stage 2  lock, read config.json, create the cgroup, compile seccomp,
 *            make the stdio, clone the container's first process into its
 *            namespaces, move it into the cgroup, wait for its "set up"
 *            report, write state.json, answer the client on fd 3, then serve
 *            <state>/sock until the container has exited and every stream
 *            is drained.
 *
 * The loop is poll(2) over: the listening socket, a signalfd for SIGCHLD,
 * each client connection, and the output fds of each process whose stdio
 * the shim holds (the container's first process and exec sessions). The
 * container's output goes to the CRI log and to attached clients; a client
 * that does not keep up with the container is dropped rather than slowing
 * the container down. An exec session's output goes to its client only, and
 * there the process is slowed down instead (its pipe fills) — kubectl exec
 * must not lose bytes.
 *
 * The shim never blocks on a client: connections are non-blocking and
 * written from their queue when poll says they can take more.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "json/json.h"

/* A client that falls this far behind the container's output is dropped. */
#define ATTACH_QUEUE_MAX ((size_t)4 << 20)
/* An exec session stops reading its process while its client has this much queued. */
#define EXEC_QUEUE_HIGH ((size_t)1 << 20)
/* After a process exited, how long its output may take to reach EOF. */
#define DRAIN_USEC (2 * KL_USEC_PER_SEC)
#define CONNS_MAX  256
#define READ_CHUNK ((size_t)32 << 10)

struct session;

struct conn {
        int fd;
        struct kl_buf in;
        struct kl_buf out;
        bool requested;          /* its REQUEST has been handled */
        bool waiting;            /* a "wait" request: answered when the container stops */
        unsigned attach;         /* KL_CTR_ATTACH_* of an attach connection */
        struct session *session; /* exec or attach target */
        bool closing;            /* close once `out` is flushed */
};

/* A process whose stdio the shim holds. */
struct session {
        pid_t pid;
        int in_fd;  /* stdin pipe or pty master; -1 */
        int out_fd; /* stdout pipe or pty master; -1 at EOF */
        int err_fd; /* stderr pipe; -1 at EOF or with a pty */
        bool terminal;
        bool exited;
        int status; /* waitpid status */
        kl_usec_t exited_at;
        bool done;          /* EXIT sent */
        struct conn *owner; /* exec sessions: the client */
};

struct shim {
        const struct kl_container__shim_args *args;
        struct kl_ctr_config cfg;
        struct kl_container__paths paths;
        struct kl_container__cgroup *cg;
        struct kl_container__bpf bpf;
        struct kl_container__log *log;
        struct kl_ctr_state state;
        int listen_fd;
        int sig_fd;
        int start_fd; /* write end: the start byte */
        int err_fd;   /* read end: the container process's reports */
        struct session init;
        struct session *execs[CONNS_MAX];
        size_t n_execs;
        struct conn *conns[CONNS_MAX];
        size_t n_conns;
        bool stopped;      /* the init process exited and its output is drained */
        bool trim_pending; /* work is done: give back its pages once idle (trim_file_pages()) */
};

static int shim_write_state(struct shim *s)
{
        kl_autofree char *json = kl_container__state_to_json(&s->state, s->cg ? s->cg->dirs : NULL);
        kl_autofree char *path = kl_asprintf("%s/state.json", s->paths.state);

        /* The state dir is on tmpfs and only meaningful until reboot: no fsync. */
        return kl_write_file_atomic(path, json, strlen(json), 0644, KL_WRITE_FILE_NOSYNC);
}

static void set_nonblock(int fd)
{
        int fl = fcntl(fd, F_GETFL);

        if (fl >= 0)
                (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---- stdio ---- */

/* Pipes for a process: parent ends in `sess`, child ends in `child[3]` (none for a terminal). */
static int make_stdio(bool terminal, bool stdin_open, struct session *sess, int child[3],
                      struct kl_err **err)
{
        int p[2];

        sess->in_fd = sess->out_fd = sess->err_fd = -1;
        child[0] = child[1] = child[2] = -1;
        sess->terminal = terminal;
        if (terminal)
                /*
                 * The process opens its terminal itself, from its own devpts
                 * (so `tty` names /dev/pts/0 inside), and hands us the master
                 * through its report socket (read_report()).
                 */
                return 0;
        if (stdin_open) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return kl_err_set(err, -errno, "pipe");
                child[0] = p[0];
                sess->in_fd = p[1];
                set_nonblock(p[1]);
        } else {
                child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        if (pipe2(p, O_CLOEXEC) < 0)
                return kl_err_set(err, -errno, "pipe");
        sess->out_fd = p[0];
        child[1] = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return kl_err_set(err, -errno, "pipe");
        sess->err_fd = p[0];
        child[2] = p[1];
        set_nonblock(sess->out_fd);
        set_nonblock(sess->err_fd);
        return 0;
}

static void close_child_stdio(int child[3])
{
        for (int i = 0; i < 3; i++)
                if (child[i] >= 0)
                        close(child[i]);
}

static void session_close_fds(struct session *sess)
{
        if (sess->in_fd >= 0)
                close(sess->in_fd);
        if (sess->out_fd >= 0)
                close(sess->out_fd);
        if (sess->err_fd >= 0)
                close(sess->err_fd);
        sess->in_fd = sess->out_fd = sess->err_fd = -1;
}

/* ---- process creation ---- */

/* fork(2) that also puts the child into new namespaces: clone without CLONE_VM. */
static pid_t clone_fork(unsigned long flags)
{
        return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/*
 * Read the child's reports (one packet each, on a SOCK_SEQPACKET pair) until
 * 'S' (set up, with `until_setup`) or EOF (the exec closed the socket). 'T'
 * brings the master of the terminal the child opened, kept in `sess`; 'F'
 * and 'E' bring an error's text.
 */
static int read_report(int fd, bool until_setup, struct session *sess, struct kl_err **err)
{
        for (;;) {
                char buf[4096];
                union {
                        struct cmsghdr h;
                        char space[CMSG_SPACE(sizeof(int))];
                } ctl;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
                struct msghdr msg = { .msg_iov = &iov,
                                      .msg_iovlen = 1,
                                      .msg_control = &ctl,
                                      .msg_controllen = sizeof(ctl) };
                struct cmsghdr *c;
                ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return kl_err_set(err, -errno, "read the container's report");
                if (n == 0)
                        return until_setup ? kl_err_set(err, -ECHILD,
                                                        "the container's process died while "
                                                        "being set up")
                                           : 0;
                buf[n] = '\0';
                c = CMSG_FIRSTHDR(&msg);
                if (buf[0] == 'T' && c && c->cmsg_level == SOL_SOCKET &&
                    c->cmsg_type == SCM_RIGHTS) {
                        int m;

                        memcpy(&m, CMSG_DATA(c), sizeof(m));
                        if (sess && sess->in_fd < 0) {
                                sess->in_fd = m;
                                sess->out_fd = fcntl(m, F_DUPFD_CLOEXEC, 3);
                                set_nonblock(m);
                        } else {
                                close(m);
                        }
                        continue;
                }
                if (until_setup && n == 1 && buf[0] == 'S')
                        return 0;
                return kl_err_set_msg(err, -EIO, "%s", n > 1 ? buf + 1 : "failed");
        }
}

static int open_lock(struct shim *s, struct kl_err **err)
{
        kl_autofree char *path = kl_asprintf("%s/lock", s->paths.state);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

        if (fd < 0)
                return kl_err_set(err, -errno, "open `%s`", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;

                close(fd);
                return kl_err_set(err, r, "lock `%s`", path);
        }
        return fd; /* held until the shim exits */
}

static int join_pid_ns(const struct kl_ctr_config *cfg, struct kl_err **err)
{
        const struct kl_ctr_ns_config *n = &cfg->ns[KL_CTR_NS_PID];
        kl_autoclose int fd = -1;

        if (n->mode != KL_CTR_NS_JOIN)
                return 0;
        fd = open(n->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWPID) < 0)
                return kl_err_set(err, -errno, "join pid namespace `%s`", n->path);
        return 0;
}

/* A privileged container gets every device: v1's device cgroup opened up again. */
static int allow_all_devices(const struct kl_container__cgroup *cg, struct kl_err **err)
{
        for (size_t i = 0; cg->dirs[i]; i++) {
                kl_autofree char *path = kl_asprintf("%s/devices.allow", cg->dirs[i]);
                kl_autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);

                if (fd < 0)
                        continue;
                if (kl_write_all(fd, "a", 1) < 0)
                        return kl_err_set(err, -errno, "write `%s`", path);
        }
        return 0;
}

static int create_container(struct shim *s, struct kl_err **err)
{
        const char *parent = *s->args->cgroup_parent ? s->args->cgroup_parent : NULL;
        int child_stdio[3] = { -1, -1, -1 };
        int sync[2] = { -1, -1 }, start[2] = { -1, -1 }, report[2] = { -1, -1 };
        unsigned long flags = 0;
        pid_t pid;
        int r;

        r = kl_container__cgroup_create(parent, s->cfg.id, &s->cfg.resources, &s->cg, err);
        if (r >= 0 && s->cfg.privileged)
                r = allow_all_devices(s->cg, err);
        if (r >= 0)
                r = kl_container__seccomp_compile(
                        &s->cfg.process, *s->args->seccomp_cache ? s->args->seccomp_cache : NULL,
                        &s->bpf, err);
        if (r >= 0 && s->cfg.log_path)
                r = kl_container__log_open(s->cfg.log_path, s->cfg.log_max_size,
                                           s->cfg.log_max_files, &s->log, err);
        if (r >= 0)
                r = make_stdio(s->cfg.process.terminal, s->cfg.process.stdin_open, &s->init,
                               child_stdio, err);
        if (r >= 0 && (pipe2(sync, O_CLOEXEC) < 0 || pipe2(start, O_CLOEXEC) < 0 ||
                       socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) < 0))
                r = kl_err_set(err, -errno, "pipe");
        if (r >= 0)
                r = join_pid_ns(&s->cfg, err);
        if (r < 0)
                goto out;
        for (int i = 0; i < KL_CTR_NS_N; i++)
                /* The cgroup namespace is made by the child once it is in its cgroup. */
                if (s->cfg.ns[i].mode == KL_CTR_NS_NEW && i != KL_CTR_NS_CGROUP)
                        flags |= (unsigned long)kl_container__ns_clone_flag((enum kl_ctr_ns)i);
        pid = clone_fork(flags);
        if (pid < 0) {
                r = kl_err_set(err, -errno, "clone the container's process");
                goto out;
        }
        if (pid == 0) {
                struct kl_container__child c = {
                        .cfg = &s->cfg,
                        .process = &s->cfg.process,
                        .paths = &s->paths,
                        .bpf = &s->bpf,
                        .stdio = { child_stdio[0], child_stdio[1], child_stdio[2] },
                        .terminal = s->cfg.process.terminal,
                        .sync_fd = sync[0],
                        .start_fd = start[0],
                        .err_fd = report[1],
                };

                close(sync[1]);
                close(start[1]);
                close(report[0]);
                kl_container__child_main(&c);
        }
        s->init.pid = pid;
        s->state.pid = pid;
        close(report[1]);
        report[1] = -1;
        r = kl_container__cgroup_enter(s->cg, pid, err);
        if (r >= 0 && kl_write_all(sync[1], "c", 1) < 0)
                r = kl_err_set(err, -errno, "release the container's process");
        if (r >= 0)
                r = read_report(report[0], true, &s->init, err);
        if (r < 0) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                s->init.pid = 0;
                goto out;
        }
        s->start_fd = start[1];
        start[1] = -1;
        s->err_fd = report[0];
        report[0] = -1;
out:
        close_child_stdio(child_stdio);
        for (int i = 0; i < 2; i++) {
                if (sync[i] >= 0)
                        close(sync[i]);
                if (start[i] >= 0)
                        close(start[i]);
                if (report[i] >= 0)
                        close(report[i]);
        }
        return r;
}

/* ---- exec sessions ---- */

/* The container's namespaces, as fds, in the order they are joined (mnt last). */
static const enum kl_ctr_ns exec_ns_order[] = {
        KL_CTR_NS_IPC, KL_CTR_NS_UTS, KL_CTR_NS_NET, KL_CTR_NS_CGROUP, KL_CTR_NS_PID, KL_CTR_NS_MNT,
};

/* Exec requests inherit what the container runs with; the request brings its own command. */
static void merge_process(const struct kl_ctr_process *base, struct kl_ctr_process *p)
{
        if (!p->env)
                p->env = kl_strv_copy(base->env);
        if (!p->cwd && base->cwd)
                p->cwd = kl_strdup(base->cwd);
        if (!p->user && base->user)
                p->user = kl_strdup(base->user);
        if (p->n_groups == 0 && base->n_groups > 0) {
                free(p->groups);
                p->groups = kl_memdup(base->groups, base->n_groups * sizeof(*p->groups));
                p->n_groups = base->n_groups;
        }
        p->caps = base->caps;
        p->no_new_privs = base->no_new_privs;
        p->seccomp = base->seccomp;
        free(p->seccomp_profile);
        p->seccomp_profile = base->seccomp_profile ? kl_strdup(base->seccomp_profile) : NULL;
        free(p->rlimits);
        p->rlimits = base->n_rlimits
                             ? kl_memdup(base->rlimits, base->n_rlimits * sizeof(*p->rlimits))
                             : NULL;
        p->n_rlimits = base->n_rlimits;
}

/*
 * Start `p` inside the container. A helper child joins the container's
 * namespaces (entering a PID namespace only applies to children) and clones
 * the process with CLONE_PARENT, so the shim is its parent and reaps it.
 */
static int exec_start(struct shim *s, struct kl_ctr_process *p, struct session *sess,
                      struct kl_err **err)
{
        int ns_fds[KL_ARRAY_SIZE(exec_ns_order)];
        int child_stdio[3] = { -1, -1, -1 };
        int sync[2] = { -1, -1 }, report[2] = { -1, -1 }, pidp[2] = { -1, -1 };
        pid_t helper, pid = 0;
        int r = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(exec_ns_order); i++)
                ns_fds[i] = -1;
        if (s->init.exited || s->state.status != KL_CTR_RUNNING)
                return kl_err_set(err, -ESRCH, "container %s is not running", s->cfg.id);
        merge_process(&s->cfg.process, p);
        for (size_t i = 0; r >= 0 && i < KL_ARRAY_SIZE(exec_ns_order); i++) {
                enum kl_ctr_ns ns = exec_ns_order[i];
                kl_autofree char *path = NULL;

                if (s->cfg.ns[ns].mode == KL_CTR_NS_HOST)
                        continue;
                path = kl_asprintf("/proc/%d/ns/%s", (int)s->init.pid, kl_container__ns_name(ns));
                ns_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (ns_fds[i] < 0)
                        r = kl_err_set(err, -errno, "open `%s`", path);
        }
        if (r >= 0)
                r = make_stdio(p->terminal, p->stdin_open, sess, child_stdio, err);
        if (r >= 0 && (pipe2(sync, O_CLOEXEC) < 0 ||
                       socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) < 0 ||
                       pipe2(pidp, O_CLOEXEC) < 0))
                r = kl_err_set(err, -errno, "pipe");
        if (r < 0)
                goto out;
        helper = fork();
        if (helper < 0) {
                r = kl_err_set(err, -errno, "fork");
                goto out;
        }
        if (helper == 0) {
                char b;
                pid_t child;

                close(sync[1]);
                close(report[0]);
                close(pidp[0]);
                if (read(sync[0], &b, 1) != 1)
                        _exit(1);
                for (size_t i = 0; i < KL_ARRAY_SIZE(exec_ns_order); i++) {
                        if (ns_fds[i] < 0)
                                continue;
                        if (setns(ns_fds[i], kl_container__ns_clone_flag(exec_ns_order[i])) < 0) {
                                kl_autofree char *msg = kl_asprintf(
                                        "Ejoin the container's %s namespace: %s",
                                        kl_container__ns_name(exec_ns_order[i]), strerror(errno));

                                (void)kl_write_all(report[1], msg, strlen(msg));
                                _exit(1);
                        }
                }
                child = clone_fork(CLONE_PARENT);
                if (child == 0) {
                        struct kl_container__child c = {
                                .cfg = &s->cfg,
                                .process = p,
                                .paths = &s->paths,
                                .bpf = &s->bpf,
                                .stdio = { child_stdio[0], child_stdio[1], child_stdio[2] },
                                .terminal = p->terminal,
                                .sync_fd = -1,
                                .start_fd = -1,
                                .err_fd = report[1],
                                .exec_session = true,
                        };

                        kl_container__child_main(&c);
                }
                (void)kl_write_all(pidp[1], &child, sizeof(child));
                _exit(child < 0 ? 1 : 0);
        }
        close(report[1]);
        report[1] = -1;
        close(pidp[1]);
        pidp[1] = -1;
        r = kl_container__cgroup_enter(s->cg, helper, err);
        if (r >= 0 && kl_write_all(sync[1], "c", 1) < 0)
                r = kl_err_set(err, -errno, "release the exec helper");
        if (r >= 0 && (read(pidp[0], &pid, sizeof(pid)) != (ssize_t)sizeof(pid) || pid <= 0))
                r = kl_err_set(err, -ECHILD, "the exec helper failed");
        (void)waitpid(helper, NULL, 0);
        if (r >= 0)
                r = read_report(report[0], false, sess, err);
        if (r < 0 && pid > 0) {
                /* Reaped by the SIGCHLD handler like any other; its session is not recorded. */
                (void)kill(pid, SIGKILL);
        }
        if (r >= 0)
                sess->pid = pid;
        else if (!*err && r < 0)
                r = kl_err_set(err, r, "exec");
out:
        close_child_stdio(child_stdio);
        for (size_t i = 0; i < KL_ARRAY_SIZE(exec_ns_order); i++)
                if (ns_fds[i] >= 0)
                        close(ns_fds[i]);
        for (int i = 0; i < 2; i++) {
                if (sync[i] >= 0)
                        close(sync[i]);
                if (report[i] >= 0)
                        close(report[i]);
                if (pidp[i] >= 0)
                        close(pidp[i]);
        }
        if (r < 0)
                session_close_fds(sess);
        return r;
}

/* ---- connections ---- */

static void conn_free(struct conn *c)
{
        if (!c)
                return;
        if (c->fd >= 0)
                close(c->fd);
        kl_buf_release(&c->in);
        kl_buf_release(&c->out);
        free(c);
}

static void conn_frame(struct conn *c, enum kl_container__frame_type type, const void *data,
                       size_t len)
{
        if (!c->closing)
                (void)kl_container__frame_put(&c->out, type, data, len);
}

static void conn_reply(struct conn *c, int r, const struct kl_err *e)
{
        json_auto_t *o = json_object();
        struct kl_buf b = KL_BUF_INIT;

        if (r < 0) {
                json_object_set_new(o, "code", json_integer(r));
                json_object_set_new(o, "error", json_string(e ? kl_err_msg(e) : kl_strerror(r)));
        }
        kl_assert(kl_json_encode(o, 0, &b, NULL) == 0);
        conn_frame(c, KL_CONTAINER__FRAME_REPLY, b.buf, b.len);
        kl_buf_release(&b);
}

static void send_exit(struct conn *c, int code)
{
        uint8_t be[4] = { (uint8_t)((uint32_t)code >> 24), (uint8_t)((uint32_t)code >> 16),
                          (uint8_t)((uint32_t)code >> 8), (uint8_t)code };

        conn_frame(c, KL_CONTAINER__FRAME_EXIT, be, sizeof(be));
        c->closing = true;
}

static int exit_code_of(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

static int op_start(struct shim *s, struct kl_err **err)
{
        int r;

        if (s->state.status != KL_CTR_CREATED)
                return kl_err_set(err, -EALREADY, "container %s was started already", s->cfg.id);
        if (kl_write_all(s->start_fd, "s", 1) < 0)
                return kl_err_set(err, -errno, "start container %s", s->cfg.id);
        close(s->start_fd);
        s->start_fd = -1;
        r = read_report(s->err_fd, false, NULL, err);
        close(s->err_fd);
        s->err_fd = -1;
        if (r < 0) {
                /* The process ended with status 127; the SIGCHLD path records it. */
                free(s->state.error);
                s->state.error = kl_strdup(kl_err_msg(*err));
                return r;
        }
        s->state.status = KL_CTR_RUNNING;
        s->state.started_usec = (int64_t)kl_now_realtime();
        (void)shim_write_state(s);
        s->trim_pending = true;
        return 0;
}

static int op_kill(struct shim *s, const json_t *req, struct kl_err **err)
{
        int64_t sig = SIGTERM;
        bool all = false;

        (void)kl_json_get_int64(req, "signal", &sig, NULL);
        (void)kl_json_get_bool(req, "all", &all, NULL);
        if (sig <= 0 || sig > SIGRTMAX)
                return kl_err_set(err, -EINVAL, "invalid signal %lld", (long long)sig);
        if (all)
                return kl_container__cgroup_signal_all(s->cg, (int)sig, err);
        if (s->init.exited || s->init.pid <= 0)
                return kl_err_set(err, -ESRCH, "container %s is not running", s->cfg.id);
        if (kill(s->init.pid, (int)sig) < 0)
                return kl_err_set(err, -errno, "kill container %s", s->cfg.id);
        return 0;
}

static void handle_request(struct shim *s, struct conn *c, const struct kl_container__frame *f)
{
        json_auto_t *req = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const char *op = NULL;
        int r;

        c->requested = true;
        r = kl_json_decode((const char *)f->payload, f->len, KL_CONTAINER__FRAME_MAX, &req, &e);
        if (r >= 0 && kl_json_get_str(req, "op", &op, NULL) < 0)
                r = kl_err_set(&e, -EINVAL, "request without op");
        if (r < 0) {
                conn_reply(c, r, e);
                c->closing = true;
                return;
        }
        if (kl_streq(op, "start")) {
                r = op_start(s, &e);
                conn_reply(c, r, e);
                c->closing = true;
        } else if (kl_streq(op, "kill")) {
                r = op_kill(s, req, &e);
                conn_reply(c, r, e);
                c->closing = true;
        } else if (kl_streq(op, "wait")) {
                c->waiting = true;
                if (s->stopped) {
                        conn_reply(c, 0, NULL);
                        c->closing = true;
                }
        } else if (kl_streq(op, "attach")) {
                int64_t flags = 0;

                (void)kl_json_get_int64(req, "flags", &flags, NULL);
                c->attach = (unsigned)flags;
                c->session = &s->init;
                conn_reply(c, 0, NULL);
                if (s->stopped)
                        send_exit(c, s->state.exit_code);
        } else if (kl_streq(op, "exec")) {
                struct kl_ctr_process p = { 0 };
                json_t *pj = NULL;
                struct session *sess = NULL;

                if (s->n_execs == CONNS_MAX)
                        r = kl_err_set(&e, -EAGAIN, "too many exec sessions");
                if (r >= 0 && kl_json_get_object(req, "process", &pj, NULL) < 0)
                        r = kl_err_set(&e, -EINVAL, "exec without process");
                if (r >= 0)
                        r = kl_container__process_from_json(pj, &p, &e);
                if (r >= 0) {
                        sess = kl_new0(struct session);
                        r = exec_start(s, &p, sess, &e);
                }
                kl_ctr_process_release(&p);
                if (r < 0) {
                        free(sess);
                        conn_reply(c, r, e);
                        c->closing = true;
                        return;
                }
                sess->owner = c;
                c->session = sess;
                c->attach = KL_CTR_ATTACH_STDIN | KL_CTR_ATTACH_STDOUT | KL_CTR_ATTACH_STDERR;
                s->execs[s->n_execs++] = sess;
                conn_reply(c, 0, NULL);
        } else {
                r = kl_err_set(&e, -EINVAL, "unknown op \"%s\"", op);
                conn_reply(c, r, e);
                c->closing = true;
        }
}

static void handle_stream_frame(struct conn *c, const struct kl_container__frame *f)
{
        struct session *sess = c->session;

        if (!sess || !(c->attach & KL_CTR_ATTACH_STDIN))
                return;
        switch (f->type) {
        case KL_CONTAINER__FRAME_STDIN:
                /* stdin is best effort: a process that does not read loses what does not fit. */
                if (sess->in_fd >= 0 && f->len > 0 && write(sess->in_fd, f->payload, f->len) < 0 &&
                    errno == EPIPE) {
                        close(sess->in_fd);
                        sess->in_fd = -1;
                }
                break;
        case KL_CONTAINER__FRAME_STDIN_EOF:
                if (sess->in_fd >= 0 && !sess->terminal) {
                        close(sess->in_fd);
                        sess->in_fd = -1;
                } else if (sess->in_fd >= 0) {
                        /* A terminal has no EOF of its own: send ^D. */
                        (void)!write(sess->in_fd, "\x04", 1);
                }
                break;
        case KL_CONTAINER__FRAME_RESIZE:
                if (sess->terminal && f->len == 4 && sess->in_fd >= 0) {
                        struct winsize ws = {
                                .ws_row = (unsigned short)(f->payload[0] << 8 | f->payload[1]),
                                .ws_col = (unsigned short)(f->payload[2] << 8 | f->payload[3]),
                        };

                        (void)ioctl(sess->in_fd, TIOCSWINSZ, &ws);
                }
                break;
        default:
                break;
        }
}

/* Read what the client sent; false when the connection is to be dropped. */
static bool conn_read(struct shim *s, struct conn *c)
{
        uint8_t buf[16384];
        ssize_t n = read(c->fd, buf, sizeof(buf));
        size_t off = 0;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0)
                return false;
        if (kl_buf_append(&c->in, buf, (size_t)n) < 0)
                return false;
        for (;;) {
                struct kl_container__frame f;
                ssize_t used = kl_container__frame_parse((const uint8_t *)c->in.buf + off,
                                                         c->in.len - off, &f);

                if (used < 0)
                        return false;
                if (used == 0)
                        break;
                off += (size_t)used;
                if (!c->requested) {
                        if (f.type != KL_CONTAINER__FRAME_REQUEST)
                                return false;
                        handle_request(s, c, &f);
                } else {
                        handle_stream_frame(c, &f);
                }
        }
        if (off > 0) {
                memmove(c->in.buf, c->in.buf + off, c->in.len - off);
                kl_buf_truncate(&c->in, c->in.len - off);
        }
        return true;
}

/* Write what is queued; false when the connection is to be dropped. */
static bool conn_flush(struct conn *c)
{
        while (c->out.len > 0) {
                ssize_t n = send(c->fd, c->out.buf, c->out.len, MSG_NOSIGNAL);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return true;
                if (n <= 0)
                        return false;
                memmove(c->out.buf, c->out.buf + n, c->out.len - (size_t)n);
                kl_buf_truncate(&c->out, c->out.len - (size_t)n);
        }
        return !c->closing;
}

static void drop_conn(struct shim *s, size_t i)
{
        struct conn *c = s->conns[i];

        for (size_t k = 0; k < s->n_execs; k++)
                if (s->execs[k]->owner == c)
                        s->execs[k]->owner = NULL;
        conn_free(c);
        s->conns[i] = s->conns[--s->n_conns];
}

static void accept_conn(struct shim *s)
{
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        struct conn *c;

        if (fd < 0)
                return;
        if (s->n_conns == CONNS_MAX) {
                close(fd);
                return;
        }
        c = kl_new0(struct conn);
        c->fd = fd;
        kl_buf_init(&c->in, KL_CONTAINER__FRAME_MAX * 2);
        kl_buf_init(&c->out, SIZE_MAX);
        s->conns[s->n_conns++] = c;
}

/* ---- output ---- */

static void output(struct shim *s, struct session *sess, enum kl_ctr_stream_kind kind,
                   const char *data, size_t len)
{
        enum kl_container__frame_type type = kind == KL_CTR_STREAM_STDERR
                                                     ? KL_CONTAINER__FRAME_STDERR
                                                     : KL_CONTAINER__FRAME_STDOUT;
        unsigned want = kind == KL_CTR_STREAM_STDERR ? KL_CTR_ATTACH_STDERR : KL_CTR_ATTACH_STDOUT;

        if (sess == &s->init) {
                if (s->log)
                        (void)kl_container__log_write(s->log, kind, data, len, NULL);
                for (size_t i = 0; i < s->n_conns; i++) {
                        struct conn *c = s->conns[i];

                        if (c->session != sess || !(c->attach & want))
                                continue;
                        if (c->out.len > ATTACH_QUEUE_MAX)
                                c->closing = true; /* too slow: dropped, never waited for */
                        for (size_t off = 0; off < len; off += KL_CONTAINER__FRAME_MAX)
                                conn_frame(c, type, data + off,
                                           len - off < KL_CONTAINER__FRAME_MAX
                                                   ? len - off
                                                   : KL_CONTAINER__FRAME_MAX);
                }
        } else if (sess->owner) {
                for (size_t off = 0; off < len; off += KL_CONTAINER__FRAME_MAX)
                        conn_frame(sess->owner, type, data + off,
                                   len - off < KL_CONTAINER__FRAME_MAX ? len - off
                                                                       : KL_CONTAINER__FRAME_MAX);
        }
}

static void read_output(struct shim *s, struct session *sess, int *fd, enum kl_ctr_stream_kind kind)
{
        char buf[READ_CHUNK];
        ssize_t n = read(*fd, buf, sizeof(buf));

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                /* EOF, or EIO from a pty master whose slave side is all closed. */
                close(*fd);
                *fd = -1;
                return;
        }
        output(s, sess, kind, buf, (size_t)n);
}

/* ---- exits ---- */

static void reap(struct shim *s)
{
        for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, WNOHANG);

                if (pid <= 0)
                        return;
                if (pid == s->init.pid && !s->init.exited) {
                        uint64_t ooms = 0;

                        s->init.exited = true;
                        s->init.status = status;
                        s->init.exited_at = kl_now_monotonic();
                        s->state.exit_code = exit_code_of(status);
                        s->state.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
                        if (kl_container__cgroup_oom_kills(s->cg, &ooms, NULL) == 0 && ooms > 0)
                                s->state.oom_killed = true;
                        s->state.finished_usec = (int64_t)kl_now_realtime();
                        continue;
                }
                for (size_t i = 0; i < s->n_execs; i++) {
                        if (s->execs[i]->pid == pid) {
                                s->execs[i]->exited = true;
                                s->execs[i]->status = status;
                                s->execs[i]->exited_at = kl_now_monotonic();
                        }
                }
        }
}

static bool drained(const struct session *sess, kl_usec_t now)
{
        if (!sess->exited)
                return false;
        return (sess->out_fd < 0 && sess->err_fd < 0) || now - sess->exited_at > DRAIN_USEC;
}

static void finish_sessions(struct shim *s, kl_usec_t now)
{
        for (size_t i = 0; i < s->n_execs;) {
                struct session *sess = s->execs[i];

                if (!drained(sess, now)) {
                        i++;
                        continue;
                }
                if (sess->owner)
                        send_exit(sess->owner, exit_code_of(sess->status));
                session_close_fds(sess);
                free(sess);
                s->trim_pending = true;
                s->execs[i] = s->execs[--s->n_execs];
        }
        if (!s->stopped && drained(&s->init, now)) {
                s->stopped = true;
                session_close_fds(&s->init);
                if (s->log)
                        (void)kl_container__log_flush(s->log, NULL);
                s->state.status = KL_CTR_STOPPED;
                (void)shim_write_state(s);
                for (size_t i = 0; i < s->n_conns; i++) {
                        struct conn *c = s->conns[i];

                        if (c->waiting) {
                                conn_reply(c, 0, NULL);
                                c->closing = true;
                        } else if (c->session == &s->init) {
                                send_exit(c, s->state.exit_code);
                        }
                }
                /* No new clients: they read state.json from now on. */
                close(s->listen_fd);
                s->listen_fd = -1;
                (void)unlinkat(AT_FDCWD, "sock", 0);
        }
}

/* ---- memory ---- */

/*
 * Give back the pages of our own binary that setting up touched and the
 * loop will not need. The shim lives as long as its container, and by then
 * it has mapped megabytes of the binary (code, read-only data, data) — most
 * by the kernel's fault-around, all clean and shared with every other
 * kube-lite process through the page cache. MADV_DONTNEED only unmaps them
 * here; what the loop runs faults back in. Only pages still backed by the
 * file are dropped (bit 61 of /proc/self/pagemap: not copied on write): a
 * written page — data, or a read-only mapping written before it was
 * protected (RELRO) — would lose what was written.
 */
static void trim_file_pages(void)
{
        struct {
                unsigned long start, end;
        } ranges[16];
        size_t n_ranges = 0;
        kl_autofree char *maps = NULL;
        kl_autofree uint64_t *entries = NULL;
        kl_autoclose int pagemap = -1;
        char exe[512];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        long page = sysconf(_SC_PAGESIZE);

        /* First find everything, then drop it all at once: code that runs in between faults
         * pages (and their neighbours) back in. */
        if (n <= 0 || page <= 0 ||
            kl_read_file("/proc/self/maps", (size_t)1 << 20, &maps, NULL) < 0)
                return;
        exe[n] = '\0';
        for (char *line = maps, *next; line && *line && n_ranges < KL_ARRAY_SIZE(ranges);
             line = next) {
                unsigned long start, end;
                int path_at = 0;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &path_at) == 2 &&
                    path_at > 0 && kl_streq(line + path_at, exe) && end > start)
                        ranges[n_ranges++] = (typeof(ranges[0])){ start, end };
        }
        pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        if (pagemap < 0)
                return;
        for (size_t i = 0; i < n_ranges; i++) {
                size_t pages = (ranges[i].end - ranges[i].start) / (unsigned long)page;
                off_t off = (off_t)(ranges[i].start / (unsigned long)page * sizeof(uint64_t));

                entries = kl_realloc(entries, pages * sizeof(uint64_t));
                if (pread(pagemap, entries, pages * sizeof(uint64_t), off) !=
                    (ssize_t)(pages * sizeof(uint64_t)))
                        continue;
                for (size_t k = 0; k < pages;) {
                        size_t run = 0;

                        /* Present (bit 63) and still the file's page (bit 61). */
                        while (k + run < pages && (entries[k + run] >> 63 & 1) &&
                               (entries[k + run] >> 61 & 1))
                                run++;
                        if (run > 0)
                                (void)madvise((void *)(ranges[i].start + k * (unsigned long)page),
                                              run * (size_t)page, MADV_DONTNEED);
                        k += run ? run : 1;
                }
        }
}

/* ---- the loop ---- */

static bool exec_throttled(const struct session *sess)
{
        return sess->owner && sess->owner->out.len > EXEC_QUEUE_HIGH;
}

static void serve(struct shim *s)
{
        struct pollfd pfds[2 + CONNS_MAX + 2 * (CONNS_MAX + 1)];
        kl_usec_t stopped_at = 0;

        for (;;) {
                struct session *who[KL_ARRAY_SIZE(pfds)];
                int *which[KL_ARRAY_SIZE(pfds)];
                size_t n = 0, first_conn, first_out;
                kl_usec_t now = kl_now_monotonic();
                bool pending = false;
                int timeout = -1;

                finish_sessions(s, now);
                if (s->stopped) {
                        for (size_t i = 0; i < s->n_conns; i++)
                                pending |= s->conns[i]->out.len > 0 || !s->conns[i]->closing;
                        if (!stopped_at)
                                stopped_at = now;
                        /* Linger for clients still reading, not forever. */
                        if ((!pending && s->n_execs == 0) || now - stopped_at > DRAIN_USEC)
                                return;
                        timeout = 100;
                }
                if (s->init.exited && !s->stopped)
                        timeout = 100;
                /* Idle from here on, as far as we know: the pages of what was done can go. */
                if (s->trim_pending && !s->stopped && s->n_conns == 0) {
                        trim_file_pages();
                        s->trim_pending = false;
                }
                for (size_t i = 0; i < s->n_execs; i++)
                        if (s->execs[i]->exited)
                                timeout = 100;
                if (s->listen_fd >= 0)
                        pfds[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
                pfds[n++] = (struct pollfd){ .fd = s->sig_fd, .events = POLLIN };
                first_conn = n;
                for (size_t i = 0; i < s->n_conns; i++) {
                        struct conn *c = s->conns[i];

                        pfds[n++] = (struct pollfd){
                                .fd = c->fd,
                                .events = (short)(POLLIN | (c->out.len ? POLLOUT : 0)),
                        };
                }
                first_out = n;
                for (size_t i = 0; i <= s->n_execs; i++) {
                        struct session *sess = i == 0 ? &s->init : s->execs[i - 1];

                        if (i > 0 && exec_throttled(sess))
                                continue;
                        if (sess->out_fd >= 0) {
                                who[n] = sess;
                                which[n] = &sess->out_fd;
                                pfds[n++] = (struct pollfd){ .fd = sess->out_fd, .events = POLLIN };
                        }
                        if (sess->err_fd >= 0) {
                                who[n] = sess;
                                which[n] = &sess->err_fd;
                                pfds[n++] = (struct pollfd){ .fd = sess->err_fd, .events = POLLIN };
                        }
                }
                if (poll(pfds, n, timeout) < 0 && errno != EINTR)
                        return;
                for (size_t i = first_out; i < n; i++)
                        if (pfds[i].revents)
                                read_output(s, who[i], which[i],
                                            which[i] == &who[i]->err_fd ? KL_CTR_STREAM_STDERR
                                                                        : KL_CTR_STREAM_STDOUT);
                for (size_t i = first_conn, k = 0; i < first_out; i++, k++) {
                        struct conn *c = s->conns[k];
                        bool keep = true;

                        if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
                                keep = conn_read(s, c);
                        if (keep)
                                keep = conn_flush(c);
                        if (!keep &&
                            !(c->closing && c->out.len > 0 && !(pfds[i].revents & POLLERR))) {
                                drop_conn(s, k);
                                /* The last connection moved into slot k: look at it next time. */
                                break;
                        }
                }
                if (pfds[first_conn - 1].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(s->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                                ;
                        reap(s);
                }
                if (s->listen_fd >= 0 && pfds[0].fd == s->listen_fd && (pfds[0].revents & POLLIN))
                        accept_conn(s);
        }
}

static int listen_sock(struct shim *s, struct kl_err **err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "sock" };
        int fd;

        /* The state dir is our cwd: a relative name never hits sun_path's 108-byte limit. */
        (void)unlinkat(AT_FDCWD, "sock", 0);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return kl_err_set(err, -errno, "socket");
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod("sock", 0600) < 0 ||
            listen(fd, 64) < 0) {
                int r = -errno;

                close(fd);
                return kl_err_set(err, r, "listen on `%s/sock`", s->paths.state);
        }
        s->listen_fd = fd;
        return 0;
}

static int setup(struct shim *s, struct kl_err **err)
{
        kl_autofree char *cfg_path = kl_asprintf("%s/config.json", s->paths.state);
        kl_autofree char *json = NULL;
        sigset_t mask;
        size_t len = 0;
        int r;

        if (chdir(s->paths.state) < 0)
                return kl_err_set(err, -errno, "chdir `%s`", s->paths.state);
        r = open_lock(s, err);
        if (r < 0)
                return r;
        r = kl_read_file(cfg_path, (size_t)1 << 20, &json, &len);
        if (r < 0)
                return kl_err_set(err, r, "read `%s`", cfg_path);
        r = kl_ctr_config_from_json(json, len, &s->cfg, err);
        if (r < 0)
                return r;
        s->paths.rootfs = kl_asprintf("%s/rootfs", s->paths.data);
        s->paths.upper = kl_asprintf("%s/upper", s->paths.data);
        s->paths.work = kl_asprintf("%s/work", s->paths.data);
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return kl_err_set(err, -errno, "block SIGCHLD");
        s->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (s->sig_fd < 0)
                return kl_err_set(err, -errno, "signalfd");
        s->state.id = kl_strdup(s->cfg.id);
        s->state.image = s->cfg.image ? kl_strdup(s->cfg.image) : NULL;
        s->state.labels = kl_strv_copy(s->cfg.labels);
        s->state.log_path = s->cfg.log_path ? kl_strdup(s->cfg.log_path) : NULL;
        s->state.shim_pid = getpid();
        s->state.created_usec = (int64_t)kl_now_realtime();
        r = listen_sock(s, err);
        if (r < 0)
                return r;
        r = create_container(s, err);
        if (r < 0)
                return r;
        s->state.status = KL_CTR_CREATED;
        return shim_write_state(s);
}

static void shim_release(struct shim *s)
{
        for (size_t i = 0; i < s->n_conns; i++)
                conn_free(s->conns[i]);
        for (size_t i = 0; i < s->n_execs; i++) {
                session_close_fds(s->execs[i]);
                free(s->execs[i]);
        }
        session_close_fds(&s->init);
        kl_container__log_free(s->log);
        kl_container__cgroup_free(s->cg);
        kl_container__bpf_release(&s->bpf);
        kl_ctr_state_release(&s->state);
        kl_ctr_config_release(&s->cfg);
        free(s->paths.rootfs);
        free(s->paths.upper);
        free(s->paths.work);
}

int kl_ctr_shim_main(int argc, char **argv)
{
        struct kl_container__shim_args args;
        struct shim s = { .listen_fd = -1, .sig_fd = -1, .start_fd = -1, .err_fd = -1 };
        kl_autoerr struct kl_err *e = NULL;
        const int client = 3;
        pid_t pid;
        int r;

        if (argc != 5) {
                (void)!write(2, "usage: kube-lite shim STATE DATA CGROUP_PARENT SECCOMP_CACHE\n",
                             62);
                return 2;
        }
        args = (struct kl_container__shim_args){ argv[1], argv[2], argv[3], argv[4] };
        /* Stage 1: a new session, and a child that init inherits. */
        if (setsid() < 0)
                return 1;
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid > 0)
                _exit(0);
        {
                struct sigaction ign = { .sa_handler = SIG_IGN };

                /* Clients that go away must not kill the container's monitor. */
                (void)sigaction(SIGPIPE, &ign, NULL);
        }
        s.args = &args;
        s.paths.state = (char *)args.state;
        s.paths.data = (char *)args.data;
        r = setup(&s, &e);
        if (r < 0) {
                json_auto_t *o = json_object();
                struct kl_buf b = KL_BUF_INIT;

                json_object_set_new(o, "code", json_integer(r));
                json_object_set_new(o, "error", json_string(e ? kl_err_msg(e) : kl_strerror(r)));
                kl_assert(kl_json_encode(o, 0, &b, NULL) == 0);
                (void)kl_container__frame_send(client, KL_CONTAINER__FRAME_REPLY, b.buf, b.len);
                kl_buf_release(&b);
                if (s.cg)
                        (void)kl_container__cgroup_remove(s.cg, NULL);
                shim_release(&s);
                return 1;
        }
        (void)kl_container__frame_send(client, KL_CONTAINER__FRAME_REPLY, "{}", 2);
        close(client);
        s.trim_pending = true;
        serve(&s);
        shim_release(&s);
        return 0;
}
