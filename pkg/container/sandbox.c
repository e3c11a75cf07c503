/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod sandboxes: new network, IPC and UTS namespaces held by bind mounts, so
 * a pod needs no pause process (DESIGN §6). The namespaces are made by a
 * forked child that unshares them and binds /proc/self/ns/<type> over files
 * prepared beforehand, then exits. The caller may be multi-threaded (the
 * agent): between fork and _exit the child makes system calls only — no
 * allocation, no locks — which POSIX allows after fork in a threaded process.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"

static const struct {
        unsigned flag;
        enum kl_ctr_ns ns;
        int clone_flag;
} sandbox_ns[] = {
        { KL_CTR_SANDBOX_NET, KL_CTR_NS_NET, CLONE_NEWNET },
        { KL_CTR_SANDBOX_IPC, KL_CTR_NS_IPC, CLONE_NEWIPC },
        { KL_CTR_SANDBOX_UTS, KL_CTR_NS_UTS, CLONE_NEWUTS },
};

/* What the child reports when a step fails: which one, and errno. */
struct child_failure {
        int step;
        int error;
};

enum {
        STEP_UNSHARE,
        STEP_HOSTNAME,
        STEP_LOOPBACK,
        STEP_BIND
};

static const char *const step_names[] = {
        [STEP_UNSHARE] = "unshare the namespaces",
        [STEP_HOSTNAME] = "set the host name",
        [STEP_LOOPBACK] = "bring lo up",
        [STEP_BIND] = "bind the namespace",
};

static char *sandbox_dir(const struct kl_ctr_runtime *rt, const char *id)
{
        return kl_asprintf("%s/%s", kl_container__runtime_sandbox_dir(rt), id);
}

char *kl_ctr_sandbox_ns_path(const struct kl_ctr_runtime *rt, const char *id, enum kl_ctr_ns ns)
{
        return kl_asprintf("%s/%s/%s", kl_container__runtime_sandbox_dir(rt), id,
                           kl_container__ns_name(ns));
}

static _Noreturn void child_fail(int fd, int step)
{
        struct child_failure f = { step, errno };

        (void)!write(fd, &f, sizeof(f));
        _exit(1);
}

/* The child: system calls only. */
static _Noreturn void make_namespaces(unsigned flags, const char *hostname, char *const paths[],
                                      int report)
{
        int clone_flags = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(sandbox_ns); i++)
                if (flags & sandbox_ns[i].flag)
                        clone_flags |= sandbox_ns[i].clone_flag;
        if (unshare(clone_flags) < 0)
                child_fail(report, STEP_UNSHARE);
        if ((flags & KL_CTR_SANDBOX_UTS) && hostname &&
            sethostname(hostname, strnlen(hostname, 64)) < 0)
                child_fail(report, STEP_HOSTNAME);
        if ((flags & KL_CTR_SANDBOX_NET) && kl_container__loopback_up() < 0)
                child_fail(report, STEP_LOOPBACK);
        for (size_t i = 0; i < KL_ARRAY_SIZE(sandbox_ns); i++) {
                char self[32] = "/proc/self/ns/";

                if (!(flags & sandbox_ns[i].flag))
                        continue;
                memcpy(self + 14, kl_container__ns_name(sandbox_ns[i].ns), 4);
                if (mount(self, paths[i], NULL, MS_BIND, NULL) < 0)
                        child_fail(report, STEP_BIND);
        }
        _exit(0);
}

int kl_ctr_sandbox_create(struct kl_ctr_runtime *rt, const char *id, unsigned flags,
                          const char *hostname, struct kl_err **err)
{
        kl_autofree char *dir = NULL;
        char *paths[KL_ARRAY_SIZE(sandbox_ns)] = { 0 };
        struct child_failure f = { 0 };
        int report[2] = { -1, -1 };
        int status = 0;
        ssize_t n;
        pid_t pid;
        int r = 0;

        if (!kl_ctr_id_is_valid(id))
                return kl_err_set(err, -EINVAL, "invalid sandbox id \"%s\"", id ? id : "");
        if (flags == 0 ||
            (flags & ~(unsigned)(KL_CTR_SANDBOX_NET | KL_CTR_SANDBOX_IPC | KL_CTR_SANDBOX_UTS)))
                return kl_err_set(err, -EINVAL, "sandbox %s: invalid namespace flags %#x", id,
                                  flags);
        if (hostname && strlen(hostname) > 64)
                return kl_err_set(err, -EINVAL, "sandbox %s: host name longer than 64 bytes", id);
        if (kl_mkdir_p(kl_container__runtime_sandbox_dir(rt), 0711) < 0)
                return kl_err_set(err, -errno, "create `%s`",
                                  kl_container__runtime_sandbox_dir(rt));
        dir = sandbox_dir(rt, id);
        if (mkdir(dir, 0700) < 0)
                return errno == EEXIST ? kl_err_set(err, -EEXIST, "sandbox %s exists already", id)
                                       : kl_err_set(err, -errno, "create `%s`", dir);
        for (size_t i = 0; i < KL_ARRAY_SIZE(sandbox_ns); i++) {
                int fd;

                if (!(flags & sandbox_ns[i].flag))
                        continue;
                paths[i] = kl_ctr_sandbox_ns_path(rt, id, sandbox_ns[i].ns);
                /* A bind mount needs something to cover: an empty file. */
                fd = open(paths[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
                if (fd < 0) {
                        r = kl_err_set(err, -errno, "create `%s`", paths[i]);
                        goto out;
                }
                close(fd);
        }
        if (pipe2(report, O_CLOEXEC) < 0) {
                r = kl_err_set(err, -errno, "pipe");
                goto out;
        }
        pid = fork();
        if (pid < 0) {
                r = kl_err_set(err, -errno, "fork");
                goto out;
        }
        if (pid == 0)
                make_namespaces(flags, hostname, paths, report[1]);
        close(report[1]);
        report[1] = -1;
        while ((n = read(report[0], &f, sizeof(f))) < 0 && errno == EINTR)
                ;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (n == (ssize_t)sizeof(f))
                r = kl_err_set(err, -f.error, "sandbox %s: %s: %s", id, step_names[f.step],
                               strerror(f.error));
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                r = kl_err_set(err, -ECHILD, "sandbox %s: the namespaces' creator failed", id);
out:
        for (int i = 0; i < 2; i++)
                if (report[i] >= 0)
                        close(report[i]);
        for (size_t i = 0; i < KL_ARRAY_SIZE(sandbox_ns); i++)
                free(paths[i]);
        if (r < 0)
                (void)kl_ctr_sandbox_delete(rt, id, NULL);
        return r;
}

int kl_ctr_sandbox_delete(struct kl_ctr_runtime *rt, const char *id, struct kl_err **err)
{
        kl_autofree char *dir = NULL;

        if (!kl_ctr_id_is_valid(id))
                return kl_err_set(err, -EINVAL, "invalid sandbox id \"%s\"", id ? id : "");
        dir = sandbox_dir(rt, id);
        for (size_t i = 0; i < KL_ARRAY_SIZE(sandbox_ns); i++) {
                kl_autofree char *path = kl_ctr_sandbox_ns_path(rt, id, sandbox_ns[i].ns);

                /* EINVAL: not mounted (never made, or unmounted before a crash). */
                if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        return kl_err_set(err, -errno, "unmount `%s`", path);
                if (unlink(path) < 0 && errno != ENOENT)
                        return kl_err_set(err, -errno, "remove `%s`", path);
        }
        if (rmdir(dir) < 0 && errno != ENOENT)
                return kl_err_set(err, -errno, "remove `%s`", dir);
        return 0;
}
