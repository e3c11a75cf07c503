/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container: containers on the node — isolated processes on an image's
 * layers, each watched over by its own monitor process, the shim.
 *
 *   kl_ctr_runtime_open()   where containers live: state dir, data dir, cgroups
 *   kl_ctr_create()         set a container up (namespaces, rootfs, cgroup);
 *                           its process waits before exec until started
 *   kl_ctr_start()          exec the container's process
 *   kl_ctr_kill/stop()      signal it; stop = the stop signal, then SIGKILL
 *   kl_ctr_wait()           until it has exited
 *   kl_ctr_state/list()     what the shims recorded
 *   kl_ctr_exec/attach()    a stream to a new process inside, or to its stdio
 *   kl_ctr_delete()         remove what is left of a stopped container
 *
 * Process model (STYLE §10, DESIGN §2). The caller may be multi-threaded (the
 * agent): kl_ctr_create() never clone()s it. It re-executes the binary as
 * `kube-lite shim` (argv[0] of `self_exe`), which detaches (setsid, double
 * fork: it is nobody's child but the init's), creates the cgroup, clones the
 * container's first process into the new namespaces and stays as its parent
 * for the container's whole life: it holds the process's stdio (pipes or a
 * pty), writes the CRI log, reaps the process and records how it ended in
 * state.json. A caller that exits or restarts finds its containers again in
 * the state directory. Once the container has exited and the shim's streams
 * are drained the shim exits too; the state stays until kl_ctr_delete().
 *
 * On disk (one directory per container, created by kl_ctr_create()):
 *
 *   <state_dir>/<id>/config.json   the kl_ctr_config, as given
 *   <state_dir>/<id>/state.json    written by the shim, replaced atomically
 *   <state_dir>/<id>/sock          the shim's socket: start, kill, wait, exec, attach
 *   <state_dir>/<id>/lock          flock()ed by the shim while it lives
 *   <data_dir>/<id>/{upper,work,rootfs}   the writable overlay layer
 *
 * The rootfs is mounted inside the container's own mount namespace only, so
 * nothing is left mounted on the host when the container is gone.
 *
 * Threads: every function here blocks (fork/exec, socket round trips to a
 * shim, disk) and may be called from any thread, but never from the loop
 * thread (use kl_loop_run_blocking()). A struct kl_ctr_runtime is immutable
 * after open and may be shared between threads. Streams belong to one thread.
 */
#ifndef KL_CONTAINER_CONTAINER_H
#define KL_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

/* A container id: 1-64 of [A-Za-z0-9_.-], not starting with '.' or '-'. */
#define KL_CTR_ID_MAX 64
bool kl_ctr_id_is_valid(const char *id);

/* ---- the runtime ---- */

struct kl_ctr_runtime_opts {
        const char *state_dir;     /* tmpfs: /run/kube-lite/containers */
        const char *data_dir;      /* disk: /var/lib/kube-lite/agent/containers (upper dirs) */
        const char *cgroup_parent; /* below the caller's own cgroup: "kube-lite"; NULL: none */
        const char *self_exe;      /* the kube-lite binary; NULL: /proc/self/exe resolved */
        const char *seccomp_cache; /* compiled profiles; NULL: <state_dir>/.seccomp */
        const char *sandbox_dir;   /* pods' namespaces: /run/kube-lite/netns; NULL:
                                      <state_dir>/.sandboxes */
};

struct kl_ctr_runtime;

int kl_ctr_runtime_open(const struct kl_ctr_runtime_opts *opts, struct kl_ctr_runtime **ret,
                        struct kl_err **err);
void kl_ctr_runtime_free(struct kl_ctr_runtime *rt); /* NULL is a no-op */
/*
 * The state directory. The shim replaces <state_dir>/<id>/state.json by
 * rename() at every change, so an inotify watch for IN_MOVED_TO on a
 * container's directory sees each one (the agent's event source).
 */
const char *kl_ctr_runtime_state_dir(const struct kl_ctr_runtime *rt);

/* ---- configuration ---- */

/* Namespaces a container may get. */
enum kl_ctr_ns {
        KL_CTR_NS_MNT,
        KL_CTR_NS_PID,
        KL_CTR_NS_NET,
        KL_CTR_NS_IPC,
        KL_CTR_NS_UTS,
        KL_CTR_NS_CGROUP,
        KL_CTR_NS_N,
};

/* For each namespace: share the host's, make a new one, or join the one bound at `path`. */
enum kl_ctr_ns_mode {
        KL_CTR_NS_HOST,
        KL_CTR_NS_NEW,
        KL_CTR_NS_JOIN,
};

struct kl_ctr_ns_config {
        enum kl_ctr_ns_mode mode;
        char *path; /* KL_CTR_NS_JOIN: a bind-mounted namespace file (/run/kube-lite/netns/x) */
};

enum kl_ctr_propagation {
        KL_CTR_PROPAGATION_PRIVATE, /* the default, as upstream's "None" */
        KL_CTR_PROPAGATION_RSLAVE,  /* HostToContainer */
        KL_CTR_PROPAGATION_RSHARED, /* Bidirectional (privileged only upstream) */
};

/* A bind mount of a host path, or a filesystem (tmpfs, ...) when `type` is set. */
struct kl_ctr_mount {
        char *source;      /* host path; for a filesystem: its source name ("tmpfs") */
        char *destination; /* absolute path inside the container */
        char *type;        /* NULL: bind mount; else "tmpfs", "proc", ... */
        char *data;        /* filesystem options ("size=64m,mode=1777") or NULL */
        bool readonly;
        enum kl_ctr_propagation propagation;
};

enum kl_ctr_seccomp {
        KL_CTR_SECCOMP_RUNTIME_DEFAULT, /* the default profile of containerd/runc */
        KL_CTR_SECCOMP_UNCONFINED,
        KL_CTR_SECCOMP_LOCALHOST, /* a profile file in the docker/OCI JSON format */
};

struct kl_ctr_rlimit {
        int resource; /* RLIMIT_NOFILE, ... */
        uint64_t soft, hard;
};

/* The process a container runs, or an exec runs inside it. */
struct kl_ctr_process {
        char **args; /* owned, NULL-terminated, at least one */
        char **env;  /* owned, "K=V", NULL-terminated; may be NULL */
        char *cwd;   /* absolute; NULL: "/" */
        /*
         * "uid", "uid:gid", "name", "name:group" — names are looked up in the
         * container's /etc/passwd and /etc/group; NULL: root. The user's groups
         * from /etc/group are added, then `groups`.
         */
        char *user;
        uint32_t *groups; /* owned: supplementary gids */
        size_t n_groups;
        bool terminal;     /* a pty as stdio (and the controlling terminal) */
        bool stdin_open;   /* keep a stdin pipe (else /dev/null) */
        uint64_t caps;     /* bit n = capability n: bounding, permitted, effective, inheritable */
        bool no_new_privs; /* PR_SET_NO_NEW_PRIVS before exec */
        enum kl_ctr_seccomp seccomp;
        char *seccomp_profile; /* KL_CTR_SECCOMP_LOCALHOST: path of the profile file */
        struct kl_ctr_rlimit *rlimits;
        size_t n_rlimits;
        int oom_score_adj; /* applied when != 0; EPERM tolerated (a warning) */
        bool has_oom_score_adj;
};

/* Resource limits; 0 (or -1 where noted) means unset. */
struct kl_ctr_resources {
        int64_t memory_limit; /* bytes */
        int64_t memory_swap;  /* bytes of memory+swap (v1 semantics); -1: unlimited; 0: = limit */
        int64_t cpu_quota;    /* microseconds per period; 0: none */
        uint64_t cpu_period;  /* microseconds; 0: 100000 */
        uint64_t cpu_shares;  /* v1 shares (2-262144); v2 weight derived as upstream */
        int64_t pids_limit;   /* 0: unset */
};

struct kl_ctr_config {
        char *id;    /* kl_ctr_id_is_valid() */
        char *image; /* normalised image name (informational; state and list show it) */
        /*
         * The root filesystem: overlayfs over `layers` (top first: the image's
         * snapshot dirs) plus a writable upper dir in data_dir; or, when
         * `layers` is NULL, the existing directory `rootfs` itself.
         */
        char **layers;
        char *rootfs;
        bool readonly_rootfs;
        struct kl_ctr_process process;
        char *hostname; /* UTS namespace only; NULL: the id, shortened to 63 bytes */
        struct kl_ctr_ns_config ns[KL_CTR_NS_N];
        struct kl_ctr_mount *mounts;
        size_t n_mounts;
        bool privileged;     /* all capabilities and devices, no masked/read-only paths, rw /sys */
        char **masked_paths; /* NULL: upstream's defaults */
        char **readonly_paths; /* NULL: upstream's defaults */
        struct kl_ctr_resources resources;
        char *log_path; /* CRI-format log file; NULL: none (output to attached streams only) */
        int64_t log_max_size;   /* rotate at this size; 0: 10 MiB */
        unsigned log_max_files; /* rotated files kept, including the current one; 0: 5 */
        int stop_signal;        /* 0: SIGTERM */
        char **labels;          /* "k=v": for the caller (the agent keeps pod identity here) */
};

/* Fill the defaults of a new config: every namespace new, the default capabilities,
 * RuntimeDefault seccomp. Strings are NULL. */
void kl_ctr_config_init(struct kl_ctr_config *c);
void kl_ctr_config_release(struct kl_ctr_config *c);
void kl_ctr_process_release(struct kl_ctr_process *p);

/* The config as JSON (what config.json holds), and back; -EINVAL with the field's path. */
char *kl_ctr_config_to_json(const struct kl_ctr_config *c);
int kl_ctr_config_from_json(const char *json, size_t len, struct kl_ctr_config *ret,
                            struct kl_err **err);

/* ---- capabilities ---- */

/* The default set of containerd and runc (CHOWN, DAC_OVERRIDE, ... AUDIT_WRITE). */
uint64_t kl_ctr_caps_default(void);
/* Every capability the running kernel knows. */
uint64_t kl_ctr_caps_all(void);
/*
 * `base` with `add` added and `drop` removed (names as Kubernetes writes
 * them, "NET_ADMIN" or "CAP_NET_ADMIN", any case; "ALL" in either list).
 * Drop wins over add, as upstream. -EINVAL for an unknown name.
 */
int kl_ctr_caps_adjust(uint64_t base, char *const *add, char *const *drop, uint64_t *ret,
                       struct kl_err **err);

/* ---- lifecycle ---- */

enum kl_ctr_status {
        KL_CTR_CREATED, /* process set up, waiting for start */
        KL_CTR_RUNNING,
        KL_CTR_STOPPED,
        KL_CTR_UNKNOWN, /* the shim died without recording an exit */
};

const char *kl_ctr_status_name(enum kl_ctr_status s);

struct kl_ctr_state {
        char *id;
        char *image;
        char **labels;
        char *error; /* why start failed (exec error), or NULL */
        char *log_path;
        int64_t created_usec;  /* realtime */
        int64_t started_usec;  /* 0 until started */
        int64_t finished_usec; /* 0 until stopped */
        enum kl_ctr_status status;
        pid_t pid; /* the container's first process, as the host sees it */
        pid_t shim_pid;
        int exit_code;   /* 128+n after signal n, as upstream */
        int signal;      /* the killing signal, or 0 */
        bool oom_killed; /* killed by the memory cgroup's OOM killer */
};

void kl_ctr_state_release(struct kl_ctr_state *s);
/* The state as pretty JSON (what `kube-lite ctr inspect` prints); owned by the caller. */
char *kl_ctr_state_format(const struct kl_ctr_state *s);
void kl_ctr_states_free(struct kl_ctr_state *s, size_t n);

/**
 * Create the container: state and data directories, the shim, the cgroup,
 * the namespaces and the root filesystem, the process up to just before
 * exec. Everything the config names is checked here (a missing layer or
 * mount source, a user not in /etc/passwd, a namespace that cannot be
 * joined): the error comes back with the container removed again. -EEXIST
 * when the id is taken.
 */
int kl_ctr_create(struct kl_ctr_runtime *rt, const struct kl_ctr_config *cfg, struct kl_err **err);
/* Exec the process; an exec failure (ENOENT, EACCES) is returned and recorded in the state. */
int kl_ctr_start(struct kl_ctr_runtime *rt, const char *id, struct kl_err **err);
/* Send `sig` to the first process, or with `all` to every process of the cgroup. */
int kl_ctr_kill(struct kl_ctr_runtime *rt, const char *id, int sig, bool all, struct kl_err **err);
/*
 * Wait until the container has stopped, at most `timeout_ms` (< 0: no limit;
 * -ETIMEDOUT after). *ret (may be NULL) gets the final state.
 */
int kl_ctr_wait(struct kl_ctr_runtime *rt, const char *id, int timeout_ms, struct kl_ctr_state *ret,
                struct kl_err **err);
/* The stop signal, up to `timeout_ms` for the process to end, then SIGKILL to the cgroup. */
int kl_ctr_stop(struct kl_ctr_runtime *rt, const char *id, int timeout_ms, struct kl_err **err);
/*
 * Only the container's stop signal (its config's, else SIGTERM), for a
 * caller that times the SIGKILL itself (the agent: a grace period must not
 * hold a thread). 0 when sent, 1 when its process was already gone, 2
 * when the container is not running (stopped, or unknown).
 */
int kl_ctr_stop_signal(struct kl_ctr_runtime *rt, const char *id, struct kl_err **err);
/*
 * Remove a stopped (or created, never started) container: its cgroup, upper
 * dir and state. A running one is -EBUSY unless `force` (then killed first).
 * The log file stays.
 */
int kl_ctr_delete(struct kl_ctr_runtime *rt, const char *id, bool force, struct kl_err **err);
int kl_ctr_state(struct kl_ctr_runtime *rt, const char *id, struct kl_ctr_state *ret,
                 struct kl_err **err);
/* Every container of the state directory, ordered by creation time. */
int kl_ctr_list(struct kl_ctr_runtime *rt, struct kl_ctr_state **ret, size_t *ret_n,
                struct kl_err **err);

struct kl_ctr_stats {
        uint64_t cpu_usage_nsec;     /* cumulative */
        uint64_t memory_usage;       /* bytes, as the cgroup reports it */
        uint64_t memory_working_set; /* usage minus inactive file, as the kubelet computes */
        uint64_t memory_limit;       /* bytes, or 0 when none */
        uint64_t pids;
        int64_t timestamp_usec;
};

int kl_ctr_stats(struct kl_ctr_runtime *rt, const char *id, struct kl_ctr_stats *ret,
                 struct kl_err **err);

/* ---- pod sandboxes: namespaces without a process ---- */

/*
 * A pod's containers share its network, IPC and UTS namespaces. They are
 * created once per pod and held by bind mounts of /proc/<pid>/ns/<type> on
 * files under <sandbox_dir>/<id>/ — no pause process keeps them alive. The
 * containers join them (KL_CTR_NS_JOIN with kl_ctr_sandbox_ns_path()).
 */
enum kl_ctr_sandbox_flags {
        KL_CTR_SANDBOX_NET = 1 << 0, /* with its loopback device up */
        KL_CTR_SANDBOX_IPC = 1 << 1,
        KL_CTR_SANDBOX_UTS = 1 << 2, /* with `hostname` set */
};

/* Create the namespaces of `flags` for the sandbox `id` (kl_ctr_id_is_valid()). -EEXIST if it
 * exists. */
int kl_ctr_sandbox_create(struct kl_ctr_runtime *rt, const char *id, unsigned flags,
                          const char *hostname, struct kl_err **err);
/* <sandbox_dir>/<id>/<net|ipc|uts>: what a container joins; owned by the caller. */
char *kl_ctr_sandbox_ns_path(const struct kl_ctr_runtime *rt, const char *id, enum kl_ctr_ns ns);
/* Unmount and remove; a namespace lives on while a process still uses it. Missing: 0. */
int kl_ctr_sandbox_delete(struct kl_ctr_runtime *rt, const char *id, struct kl_err **err);

/* ---- streams: exec and attach ---- */

/*
 * A connection to a container's shim carrying a process's stdio: an exec'd
 * process, or the container's own (attach). The caller polls
 * kl_ctr_stream_fd() for reading and calls kl_ctr_stream_read(); stdin goes
 * with kl_ctr_stream_write(). When the process has exited and all its output
 * has been read, read returns KL_CTR_STREAM_EXIT with the exit code.
 */
struct kl_ctr_stream;

enum kl_ctr_stream_kind {
        KL_CTR_STREAM_STDIN,
        KL_CTR_STREAM_STDOUT,
        KL_CTR_STREAM_STDERR,
        KL_CTR_STREAM_EXIT,
};

enum kl_ctr_attach_flags {
        KL_CTR_ATTACH_STDIN = 1 << 0,
        KL_CTR_ATTACH_STDOUT = 1 << 1,
        KL_CTR_ATTACH_STDERR = 1 << 2,
};

/* Run `p` inside the running container: its namespaces, cgroup, seccomp and capabilities. */
int kl_ctr_exec(struct kl_ctr_runtime *rt, const char *id, const struct kl_ctr_process *p,
                struct kl_ctr_stream **ret, struct kl_err **err);
/* Attach to the container's stdio (output from now on; the log has the past). */
int kl_ctr_attach(struct kl_ctr_runtime *rt, const char *id, unsigned flags,
                  struct kl_ctr_stream **ret, struct kl_err **err);

int kl_ctr_stream_fd(const struct kl_ctr_stream *s);
/*
 * Read the next chunk into `buf` (at most `size` bytes): returns its length
 * and sets *ret_kind (STDOUT/STDERR), or 0 with KL_CTR_STREAM_EXIT and the exit code in
 * *ret_exit_code, or -EAGAIN when nothing is there yet (the fd is non-blocking).
 */
ssize_t kl_ctr_stream_read(struct kl_ctr_stream *s, void *buf, size_t size,
                           enum kl_ctr_stream_kind *ret_kind, int *ret_exit_code,
                           struct kl_err **err);
int kl_ctr_stream_write(struct kl_ctr_stream *s, const void *data, size_t len, struct kl_err **err);
/* No more stdin: the process reads EOF. */
int kl_ctr_stream_close_stdin(struct kl_ctr_stream *s, struct kl_err **err);
/* The terminal's new size (TTY sessions). */
int kl_ctr_stream_resize(struct kl_ctr_stream *s, unsigned short rows, unsigned short cols,
                         struct kl_err **err);
void kl_ctr_stream_free(struct kl_ctr_stream *s); /* NULL is a no-op; the process goes on */

/* ---- CRI log files ---- */

/* One line of a CRI log file (as the shim writes them and the kubelet reads them). */
struct kl_ctr_log_line {
        int64_t time_usec;              /* realtime, from the RFC 3339 timestamp */
        enum kl_ctr_stream_kind stream; /* STDOUT or STDERR */
        bool partial;                   /* P: the line continues in the next entry */
        const char *content;            /* borrowed from the input, without the newline */
        size_t len;
};

/* Parse one line (without its '\n'); -EINVAL for a malformed one. Fuzzed. */
int kl_ctr_log_parse_line(const char *line, size_t len, struct kl_ctr_log_line *ret);

/* ---- the shim ---- */

/* `kube-lite shim STATE_DIR ID`: the monitor's main (cmd/kube-lite calls it). Exit status. */
int kl_ctr_shim_main(int argc, char **argv);

/* ---- seccomp for others ---- */

/*
 * The RuntimeDefault profile for a process with capabilities `caps`, as an
 * OCI runtime-spec "seccomp" JSON object (what the bench hands runc and crun,
 * so all three run the same policy). Owned by the caller.
 */
char *kl_ctr_seccomp_default_oci_json(uint64_t caps);

#endif
