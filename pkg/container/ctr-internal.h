/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between the files of pkg/container only (STYLE R2.1). The public
 * prefix is kl_ctr_, the internal one kl_container__ (check-src ties it to
 * the directory name).
 *
 * "Child side" below means: runs in the container's process after clone(),
 * before execve(), in a copy of the single-threaded shim. Such code may
 * allocate (the shim has one thread, so no lock is held by a vanished
 * thread), returns -errno with a kl_err, and never exits by itself: the
 * caller sends the error's text to the shim through the error pipe.
 */
#ifndef KL_CONTAINER_CTR_INTERNAL_H
#define KL_CONTAINER_CTR_INTERNAL_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/buf.h"
#include "container/container.h"

/* ---- paths of one container (client.c builds them, everyone uses them) ---- */

struct kl_container__paths {
        char *state;  /* <state_dir>/<id> */
        char *data;   /* <data_dir>/<id> */
        char *rootfs; /* <data>/rootfs: where the root filesystem is mounted (in the child's ns) */
        char *upper;  /* <data>/upper: overlayfs upper dir */
        char *work;   /* <data>/work: overlayfs work dir */
};

/* ---- rootfs.c: the mount sequence (child side) ---- */

/*
 * In the container's new mount namespace: detach from the host's mount
 * propagation (rslave of / — private when the config has no rslave/rshared
 * mount), mount the root filesystem at paths->rootfs (overlayfs over
 * cfg->layers with paths->upper/work; a read-only overlay without upper when
 * cfg->readonly_rootfs; a bind of cfg->rootfs when cfg->layers is NULL),
 * then under it: /proc, /sys (read-only unless privileged), /dev (tmpfs,
 * mode 755, with null zero full random urandom tty — made with mknod, bind
 * mounted from the host when mknod fails — and the fd, stdin, stdout,
 * stderr, ptmx and core symlinks), /dev/pts (newinstance, ptmxmode=0666,
 * gid 5), /dev/shm (tmpfs 64 MiB, 1777), /dev/mqueue (when the IPC namespace
 * is new), /sys/fs/cgroup read-only (when the cgroup namespace is new), the
 * config's mounts in order (destinations created — files for file binds —
 * and resolved inside the rootfs, never through a symlink out of it;
 * readonly via a remount; propagation), then pivot_root(2) into it (the old
 * root detached with MNT_DETACH), masked paths (a file: /dev/null bound over
 * it; a directory: an empty read-only tmpfs) and read-only paths (read-only
 * bind remounts) unless privileged, and finally / remounted read-only when
 * cfg->readonly_rootfs. Ends with the cwd at "/".
 */
int kl_container__rootfs_setup(const struct kl_ctr_config *cfg,
                               const struct kl_container__paths *paths, struct kl_err **err);

/* The masked and read-only paths upstream runtimes use by default (NULL-terminated). */
extern const char *const kl_container__default_masked[];
extern const char *const kl_container__default_readonly[];

/* ---- cgroup.c: cgroup v1 and v2, detected at run time ---- */

struct kl_container__cgroup {
        bool v2;     /* the unified hierarchy (else v1, one dir per mounted hierarchy) */
        char **dirs; /* owned, NULL-terminated: absolute cgroup directories of the container */
};

/*
 * Create the cgroup `name` below `parent` (a relative path, may be NULL),
 * itself below the caller's own cgroup in each hierarchy (/proc/self/cgroup),
 * and write the limits of `res`. v1: every mounted hierarchy with a
 * controller (memory, cpu, cpuacct, pids, cpuset with cpus/mems copied from
 * its parent, devices with the standard allow list, freezer, blkio); v2:
 * the controllers enabled down the path (cgroup.subtree_control), moving
 * the parent's own processes into a leaf when the kernel requires it.
 * -EEXIST when it exists already.
 */
int kl_container__cgroup_create(const char *parent, const char *name,
                                const struct kl_ctr_resources *res,
                                struct kl_container__cgroup **ret, struct kl_err **err);
/* A cgroup from the directories a state file recorded. */
int kl_container__cgroup_load(char *const *dirs, struct kl_container__cgroup **ret,
                              struct kl_err **err);
void kl_container__cgroup_free(struct kl_container__cgroup *cg); /* NULL is a no-op */
/* Move `pid` into the cgroup (every hierarchy). */
int kl_container__cgroup_enter(const struct kl_container__cgroup *cg, pid_t pid,
                               struct kl_err **err);
/* How many times the OOM killer killed a process of this cgroup (v1 memory.oom_control
 * oom_kill, v2 memory.events oom_kill). */
int kl_container__cgroup_oom_kills(const struct kl_container__cgroup *cg, uint64_t *ret,
                                   struct kl_err **err);
int kl_container__cgroup_stats(const struct kl_container__cgroup *cg, struct kl_ctr_stats *ret,
                               struct kl_err **err);
/* Signal every process in the cgroup (v1: frozen while listed, so none escapes by forking). */
int kl_container__cgroup_signal_all(const struct kl_container__cgroup *cg, int sig,
                                    struct kl_err **err);
/* Remove the directories (empty cgroups; retried briefly while the kernel lets go). */
int kl_container__cgroup_remove(const struct kl_container__cgroup *cg, struct kl_err **err);

/*
 * The pure parts of cgroup.c, declared for its tests and fuzz target.
 *
 * The caller's own cgroup, from the texts of /proc/self/mountinfo and
 * /proc/self/cgroup: v1 when any "cgroup" mount carries one of the
 * controllers we use (memory cpu cpuacct pids cpuset devices freezer blkio;
 * named hierarchies such as name=systemd and a cgroup2 mount beside them
 * are ignored), else v2 when "cgroup2" is mounted; -ENOENT when neither.
 * `ret->dirs` holds one directory per hierarchy (a co-mounted cpu,cpuacct
 * is one), in mountinfo order: the mount point joined with the own path
 * below the mount's root. On v2 an own cgroup named ".../init" stands for
 * its parent: create() moves the processes of a cgroup that must hand down
 * controllers into that leaf. -EINVAL for malformed text. Bounded by the
 * inputs.
 */
int kl_container__cgroup_own(const char *mountinfo, size_t mountinfo_len, const char *self,
                             size_t self_len, struct kl_container__cgroup **ret,
                             struct kl_err **err);

/* One write of a cgroup file: the limits of a kl_ctr_resources, in order. */
struct kl_container__cgroup_setting {
        const char *file; /* static: "memory.max"; written in the directory that has it */
        char value[48];   /* what is written: "max", "50000 100000", "c 1:3 rwm" */
        bool optional;    /* the kernel may lack the file (swap accounting): skipped then */
};

/*
 * The writes for `res` on v1 or v2 (memory, memory+swap, cpu, pids; on v1
 * also the devices list: "a" denied, then runc's default allow list).
 * *ret is owned by the caller (free()). -EINVAL for inconsistent values.
 */
int kl_container__cgroup_settings(const struct kl_ctr_resources *res, bool v2,
                                  struct kl_container__cgroup_setting **ret, size_t *ret_n,
                                  struct kl_err **err);
/* v1 cpu.shares to v2 cpu.weight as upstream: 1 + ((shares - 2) * 9999) / 262142; 0 for 0. */
uint64_t kl_container__cgroup_shares_to_weight(uint64_t shares);
/*
 * The value of `key` in a flat-keyed cgroup file ("key value" lines:
 * memory.stat, memory.events, cpu.stat, memory.oom_control). -ENOENT when
 * absent, -EINVAL when the value is not an unsigned number.
 */
int kl_container__cgroup_keyed_get(const char *text, size_t len, const char *key, uint64_t *ret);

/* ---- caps.c ---- */

/* "NET_ADMIN", "CAP_NET_ADMIN", "net_admin" → CAP_NET_ADMIN; -EINVAL when unknown. */
int kl_container__cap_parse(const char *name, int *ret);
/* "CAP_NET_ADMIN"; NULL when out of range. */
const char *kl_container__cap_name(int cap);
/* Child side: drop every capability not in `keep` from the bounding set. */
int kl_container__caps_bound(uint64_t keep, struct kl_err **err);
/* Child side, after setuid: effective, permitted and inheritable = `caps` (ambient cleared). */
int kl_container__caps_set(uint64_t caps, struct kl_err **err);

/* ---- seccomp.c ---- */

/* A compiled filter ready to install; n == 0: unconfined. */
struct kl_container__bpf {
        struct sock_filter *insns; /* owned */
        size_t n;
};

void kl_container__bpf_release(struct kl_container__bpf *b);
/*
 * The filter for `p` (RuntimeDefault for p->caps, a Localhost profile file,
 * or nothing for Unconfined). Compiled filters are cached as files under
 * `cache_dir` (may be NULL: no cache), keyed by the sha256 of the profile,
 * the capabilities, the architecture and libseccomp's version, so a
 * container start normally reads one small file instead of running
 * libseccomp's generator.
 */
int kl_container__seccomp_compile(const struct kl_ctr_process *p, const char *cache_dir,
                                  struct kl_container__bpf *ret, struct kl_err **err);
/* Child side: install the filter (seccomp(2), SECCOMP_SET_MODE_FILTER). */
int kl_container__seccomp_install(const struct kl_container__bpf *b, struct kl_err **err);
/*
 * The one translator of a profile in the docker/containerd JSON format
 * (defaultAction, architectures, syscalls[] with names, action, errnoRet,
 * args, includes/excludes by caps and arches) to BPF for the native
 * architecture and capabilities `caps`. Bounded and fuzzed.
 */
int kl_container__seccomp_from_json(const char *json, size_t len, uint64_t caps,
                                    struct kl_container__bpf *ret, struct kl_err **err);

/* ---- passwd.c: users and groups from the container's files ---- */

struct kl_container__user {
        uint32_t uid, gid;
        char *home;       /* owned; "/" when unknown */
        uint32_t *groups; /* owned: from /etc/group (the user is a member) */
        size_t n_groups;
};

void kl_container__user_release(struct kl_container__user *u);
/*
 * Resolve "uid", "uid:gid", "name", "name:group", "uid:group", "name:gid"
 * against the contents of /etc/passwd and /etc/group (either may be NULL:
 * the file is absent). A numeric uid needs no entry (gid 0 then, unless its
 * entry says otherwise); a name must have one (-ENOENT "unable to find user
 * NAME: no matching entries in passwd file", as runc words it). NULL or ""
 * spec: root. Bounded by the inputs; fuzzed.
 */
int kl_container__user_resolve(const char *spec, const char *passwd, size_t passwd_len,
                               const char *group, size_t group_len, struct kl_container__user *ret,
                               struct kl_err **err);

/* ---- crilog.c: the CRI log writer ---- */

/*
 * Writes `<RFC3339Nano> <stdout|stderr> <F|P> <content>\n` lines: one per
 * line of output; a line longer than 16 KiB is cut into P(artial) pieces
 * ended by an F piece, as containerd does; output without its final newline
 * is held until more comes or kl_container__log_flush(). Rotation: when the
 * file would exceed max_size the current file becomes <path>.1 (the older
 * ones shift up; beyond max_files - 1 rotated files the oldest is removed)
 * and a new <path> is started. Writes use O_APPEND, so readers can follow.
 */
struct kl_container__log;

int kl_container__log_open(const char *path, int64_t max_size, unsigned max_files,
                           struct kl_container__log **ret, struct kl_err **err);
int kl_container__log_write(struct kl_container__log *l, enum kl_ctr_stream_kind stream,
                            const void *data, size_t len, struct kl_err **err);
/* Write what is held (an unterminated last line, as F) of both streams. */
int kl_container__log_flush(struct kl_container__log *l, struct kl_err **err);
void kl_container__log_free(struct kl_container__log *l); /* flushes; NULL is a no-op */

/* ---- proto.c: the shim socket's framing ---- */

/*
 * Every message on a shim socket is a frame: an 8-byte header (type: u8,
 * three zero bytes, payload length: u32 big-endian) and the payload, at most
 * KL_CONTAINER__FRAME_MAX bytes. A connection starts with one REQUEST from
 * the client (a JSON object, "op": "start", "kill", "wait", "exec",
 * "attach") answered by one REPLY (JSON: {} or {"error": text, "code": -errno});
 * exec and attach connections then carry STDIN/STDOUT/STDERR data, STDIN_EOF,
 * RESIZE (u16 rows, u16 cols big-endian), and end with EXIT (i32 exit code,
 * big-endian) from the shim.
 */
#define KL_CONTAINER__FRAME_HDR 8
#define KL_CONTAINER__FRAME_MAX ((size_t)64 << 10)

enum kl_container__frame_type {
        KL_CONTAINER__FRAME_REQUEST = 1,
        KL_CONTAINER__FRAME_REPLY = 2,
        KL_CONTAINER__FRAME_STDIN = 3,
        KL_CONTAINER__FRAME_STDOUT = 4,
        KL_CONTAINER__FRAME_STDERR = 5,
        KL_CONTAINER__FRAME_STDIN_EOF = 6,
        KL_CONTAINER__FRAME_RESIZE = 7,
        KL_CONTAINER__FRAME_EXIT = 8,
};

struct kl_container__frame {
        enum kl_container__frame_type type;
        const uint8_t *payload; /* borrowed from the parsed buffer */
        size_t len;
};

/*
 * Parse one frame at the start of `buf`: returns the bytes it takes (header
 * and payload), 0 when `buf` holds only part of a frame, -EPROTO for an
 * unknown type, non-zero reserved bytes, or a length over the maximum.
 */
ssize_t kl_container__frame_parse(const uint8_t *buf, size_t len, struct kl_container__frame *ret);
/* Append a frame to `out`. */
int kl_container__frame_put(struct kl_buf *out, enum kl_container__frame_type type,
                            const void *payload, size_t len);
/* Write one frame to a blocking fd (EINTR retried). -errno. */
int kl_container__frame_send(int fd, enum kl_container__frame_type type, const void *payload,
                             size_t len);
/* Read one whole frame from a blocking fd into `buf` (reset first). -EPIPE on EOF before it. */
int kl_container__frame_recv(int fd, struct kl_buf *buf, struct kl_container__frame *ret);

/* ---- config.c, spawn.c, shim.c, client.c (the lead's files) ---- */

/* Where a runtime keeps its sandboxes' namespaces (client.c). */
const char *kl_container__runtime_sandbox_dir(const struct kl_ctr_runtime *rt);
/* "mnt", "pid", ...: the names of /proc/<pid>/ns/ and of the config's keys. */
const char *kl_container__ns_name(enum kl_ctr_ns ns);
/* A process as JSON (new reference), and back (checked as outside input). */
json_t *kl_container__process_json(const struct kl_ctr_process *p);
int kl_container__process_from_json(const json_t *o, struct kl_ctr_process *ret,
                                    struct kl_err **err);

/* Where the shim gets its runtime settings (argv of `kube-lite shim`). */
struct kl_container__shim_args {
        const char *state;         /* the container's state dir */
        const char *data;          /* the container's data dir */
        const char *cgroup_parent; /* "" for none */
        const char *seccomp_cache; /* "" for none */
};

/*
 * Child side: the sequence that turns a cloned process into the container's
 * process (spawn.c). `fds` are the stdio the process gets. On success it
 * does not return once `exec_now` (an exec session) or after the start byte
 * arrived on `start_fd`; every failure is written as text to `err_fd`.
 */
struct kl_container__child {
        const struct kl_ctr_config *cfg;      /* the container's config */
        const struct kl_ctr_process *process; /* what to run (cfg->process, or an exec's) */
        const struct kl_container__paths *paths;
        const struct kl_container__bpf *bpf; /* seccomp filter; n == 0: none */
        int stdio[3];                        /* become 0, 1, 2 */
        bool terminal;                       /* stdio[0] is a pty slave: make it the ctty */
        int sync_fd;                         /* read one byte: cgroup entered (-1: none) */
        int start_fd;                        /* read until EOF/byte before exec (-1: at once) */
        int err_fd;                          /* 'S' when set up; 'F'/'E' + text on failure */
        bool exec_session;                   /* joined namespaces: no rootfs, no hostname */
};

/* Child side: never returns; _exit(127) after writing the error. */
_Noreturn void kl_container__child_main(const struct kl_container__child *c);
/* Bring up the loopback device of the current network namespace (system calls only); -errno. */
int kl_container__loopback_up(void);
/* CLONE_NEWNS, CLONE_NEWPID, ... for a namespace. */
int kl_container__ns_clone_flag(enum kl_ctr_ns ns);

/* state.json (state.c): what the shim records, plus where the container's cgroup is. */
char *kl_container__state_to_json(const struct kl_ctr_state *s, char *const *cgroup_dirs);
int kl_container__state_from_json(const char *json, size_t len, struct kl_ctr_state *ret,
                                  char ***ret_cgroup_dirs, struct kl_err **err);

#endif
