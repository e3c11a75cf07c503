/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent: the node side of kube-lite, what the kubelet is upstream (DESIGN §6).
 * This header has the node part: the Node object and its Lease.
 *
 *   struct kl_agent_node   registers the Node (or adopts an existing one),
 *                          writes its status (capacity, allocatable,
 *                          addresses, nodeInfo, conditions, images) when it
 *                          changes and at least every 5 minutes, and renews
 *                          the Lease kube-node-lease/<node> every 10 s, as
 *                          the kubelet's node status manager and node lease
 *                          controller do (README.md has the details and
 *                          where kube-lite differs).
 *
 * The agent talks to the API only through a struct kl_client: the remote
 * client in `kube-lite agent`, the in-process one in `kube-lite server`'s
 * embedded agent and in tests.
 *
 * Threads: loop-thread state (DESIGN §2), no locks; every function runs on
 * the client's loop thread. The host facts (/proc/meminfo, statfs of the data
 * directory) are small reads made on the loop at most once per status period.
 */
#ifndef KL_AGENT_AGENT_H
#define KL_AGENT_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "client/client.h"

/* The kubelet version the Node reports (nodeInfo.kubeletVersion). */
#define KL_AGENT_KUBELET_VERSION "v1.32.0-kube-lite"

/*
 * The images present on the node, for status.images. The agent hands a
 * collector to the images callback, which adds each image with
 * kl_agent_images_add().
 */
struct kl_agent_images;

/**
 * Add one image: its names ("registry/repo@sha256:...", "registry/repo:tag";
 * copied) and its size in bytes. Images without a name are ignored.
 */
void kl_agent_images_add(struct kl_agent_images *out, const char *const *names, size_t n_names,
                         int64_t size_bytes);

/* List the node's images into `out` (loop thread; must not block). */
typedef void kl_agent_images_fn(void *arg, struct kl_agent_images *out);

struct kl_agent_node_options {
        const char *node_name; /* required: metadata.name, a DNS-1123 subdomain */
        /* InternalIP addresses, NULL-terminated; NULL or empty: none reported. */
        const char *const *node_ips;
        const char *hostname; /* the Hostname address and label; NULL: node_name */
        /*
         * --node-label strings "key=value" and --node-taint strings
         * "key=value:Effect" or "key:Effect" (Effect: NoSchedule,
         * PreferNoSchedule, NoExecute); NULL-terminated, may be NULL.
         * Checked by kl_agent_node_start().
         */
        const char *const *labels;
        const char *const *taints;
        const char *data_dir; /* required: its file system is the node's ephemeral-storage */
        const char *version;  /* required: kube-lite's version, for containerRuntimeVersion */
        const char *kubelet_version; /* NULL: KL_AGENT_KUBELET_VERSION */
        int kubelet_port;            /* the streaming server's, for daemonEndpoints; 0: 10250 */
        kl_usec_t status_period;     /* look at the status; 0: 10 s (nodeStatusUpdateFrequency) */
        kl_usec_t
                status_report; /* write an unchanged status; 0: 5 min (nodeStatusReportFrequency) */
        kl_usec_t lease_renew; /* 0: 10 s (a quarter of the lease duration) */
        int64_t lease_duration; /* seconds; 0: 40 */
        /*
         * Why the node is not Ready yet (Ready=False, reason KubeletNotReady,
         * this message), or NULL: Ready. kl_agent_node_set_not_ready() changes it.
         */
        const char *not_ready;
        kl_agent_images_fn *images; /* may be NULL: no images reported */
        void *images_arg;           /* borrowed; passed to `images` */
};

struct kl_agent_node;

/**
 * Start the node: registration, status and Lease run on `client`'s loop from
 * the next loop iteration; failures are logged and retried on the next
 * period, they never stop the node. `client` is borrowed and must outlive
 * kl_agent_node_stop(); `opts` is copied. Fails with -EINVAL (and the
 * offending flag in the message) for a missing name, data directory or
 * version, or a label or taint that is not well formed. On success *ret is
 * the caller's until kl_agent_node_stop().
 */
int kl_agent_node_start(struct kl_client *client, const struct kl_agent_node_options *opts,
                        struct kl_agent_node **ret, struct kl_err **err);

/**
 * Stop: the timers stop and nothing more is written. Requests still in flight
 * finish (or are cancelled by kl_client_free()) and only release memory; the
 * node's memory is freed when the last of them and the timers' close
 * callbacks have run. The Node and the Lease stay in the API, as when a
 * kubelet stops: the node lifecycle controller notices the Lease is no
 * longer renewed. NULL is a no-op.
 */
void kl_agent_node_stop(struct kl_agent_node *n);

/**
 * The node is not Ready because of `why` (copied; upstream's kubelet reports
 * its runtime's network this way), or NULL: it is. A change is written at
 * once.
 */
void kl_agent_node_set_not_ready(struct kl_agent_node *n, const char *why);

/** Whether the Node has been registered (created or adopted) by this agent. */
bool kl_agent_node_is_registered(const struct kl_agent_node *n);

/* ---- joining ---- */

/* What a node authenticates with: PEM texts, owned. */
struct kl_agent_identity {
        char *ca_pem;        /* the server CA (what the server's certificate is checked against) */
        char *client_ca_pem; /* the client CA: who may call the node's streaming server */
        char *cert_pem; /* the node's client certificate: CN system:node:<name>, O system:nodes */
        char *key_pem;  /* its key (a secret: freed with kl_pki_secret_free()) */
};

struct kl_agent_join_options {
        const char *server;    /* "https://host:port" */
        const char *token;     /* the join token (K10<ca-hash>::<id>.<secret>); NULL: no join */
        const char *node_name; /* the name the certificate is for */
        const char *dir;       /* where the identity is kept: <data-dir>/agent */
        const char *ca_file;   /* the server CA, for a token without a CA hash; or NULL */
};

/**
 * The node's identity: the one kept in `dir` while its certificate is for
 * this node and has more than a day left, else a new one from the server
 * (join.c has the steps: the CA checked against the token's hash, then a
 * client certificate for the bootstrap token and the node password). Blocks
 * (HTTPS, disk): not on a loop thread. -EACCES when the CA does not match or
 * the server refuses (a wrong token, another box's node name).
 */
int kl_agent_join(const struct kl_agent_join_options *opts, struct kl_agent_identity *ret,
                  struct kl_err **err);
void kl_agent_identity_release(struct kl_agent_identity *id);

/* ---- the whole agent ---- */

/*
 * What `kube-lite agent` runs and `kube-lite server` embeds (agent.c): the
 * container runtime (containers under <state_dir>/containers, pod
 * namespaces under <state_dir>/netns), the image store
 * <data_dir>/agent/images (the air-gap archives dropped there imported at
 * start), the Node and its Lease, the pod workers (pods under
 * <data_dir>/agent/pods, logs under log_dir) and the streaming server.
 */
struct kl_agent_options {
        const char *node_name;       /* required */
        const char *const *node_ips; /* InternalIPs, NULL-terminated; NULL: none */
        const char *const *labels;   /* --node-label, --node-taint (kl_agent_node_options) */
        const char *const *taints;
        const char *data_dir;             /* required: the agent keeps <data_dir>/agent */
        const char *state_dir;            /* required: /run/kube-lite */
        const char *log_dir;              /* NULL: /var/log/pods */
        const char *cgroup_parent;        /* NULL: "kube-lite", below the agent's own cgroup */
        const char *self_exe;             /* the binary the shims run; NULL: /proc/self/exe */
        const char *version;              /* required: kube-lite's version */
        const char *client_ca_pem;        /* required (unless insecure_no_tls): who may stream */
        const char *server_address;       /* the streaming server's; NULL: 0.0.0.0 */
        int server_port;                  /* 0: 10250; -1: an ephemeral port (tests) */
        bool insecure_no_tls;             /* tests only: the streaming server without TLS */
        const char *cluster_domain;       /* NULL: cluster.local */
        const char *cluster_dns;          /* the cluster DNS Service's IP; NULL: 10.43.0.10 */
        const char *cluster_cidr;         /* every node's pod CIDRs; NULL: 10.42.0.0/16 */
        const char *network_backend;      /* "vxlan" (NULL), "host-gw", or "none": no pod
                                           * network, proxy or cluster DNS on this node */
        const char *resolv_conf;          /* the node's resolver; NULL: /etc/resolv.conf */
        char *const *insecure_registries; /* "host:port" pulled over http:// */
        /* Tunables (the kubelet's flags of the same meaning); 0: upstream's default. */
        kl_usec_t sync_period;   /* --sync-frequency: 1 min */
        kl_usec_t backoff_base;  /* the crash-loop back-off: 10 s, doubling ... */
        kl_usec_t backoff_max;   /* ... up to 5 min */
        kl_usec_t status_period; /* --node-status-update-frequency: 10 s */
};

struct kl_agent;

/**
 * Start the agent on `client`'s loop (borrowed; it must outlive the stop
 * callback). Opens the runtime and the image store (importing air-gap
 * archives: blocking, once, at start), listens, then registers the node and
 * runs the pods bound to it. Containers of an earlier run are adopted, not
 * restarted. -EINVAL for missing options; the runtime's, the store's and the
 * listener's errors.
 */
int kl_agent_start(struct kl_client *client, const struct kl_agent_options *o,
                   struct kl_agent **ret, struct kl_err **err);
/** The streaming server's bound port. */
int kl_agent_port(const struct kl_agent *a);
/** The image store changed behind the agent's back: list it again for status.images. */
void kl_agent_images_changed(struct kl_agent *a);

typedef void kl_agent_stopped_fn(void *arg);
/**
 * Stop: the node, the pod workers and the streaming server stop; containers
 * keep running. `cb` (may be NULL) runs on the loop when the last of their
 * work has finished and everything is freed. NULL is a no-op.
 */
void kl_agent_stop(struct kl_agent *a, kl_agent_stopped_fn *cb, void *arg);

/* ---- the streaming server ---- */

/*
 * The kubelet's API on :10250 (server.c, README.md "The streaming server"):
 * GET /healthz, /containerLogs/{ns}/{pod}/{container}, and exec and attach
 * over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io, channel.k8s.io) at
 * /exec/{ns}/{pod}/{container} and /attach/{ns}/{pod}/{container}. The API
 * server proxies kubectl's pods/log, pods/exec and pods/attach here.
 * Containers are found through the runtime alone, by the labels the pod
 * workers put on them.
 *
 * Security: TLS, and every request must present a client certificate that
 * verifies against `client_ca_pem` (else 401) whose subject has O
 * system:masters or CN kube-apiserver-kubelet-client (else 403 with
 * upstream's Forbidden text).
 *
 * Threads: the server runs on `loop`; start and stop on its thread. Runtime
 * calls (finding containers, exec, attach, reading logs) run on libuv's pool.
 */

#define KL_AGENT_SERVER_PORT 10250
/* The CN the API server's client certificate for kubelets has (apiserver proxy.c's certificate). */
#define KL_AGENT_SERVER_APISERVER_CN "kube-apiserver-kubelet-client"

struct kl_ctr_runtime;

struct kl_agent_server_options {
        uv_loop_t *loop;                /* required */
        struct kl_ctr_runtime *runtime; /* required; borrowed until the stop callback */
        const char *address;            /* NULL: "0.0.0.0" */
        uint16_t port;                  /* 0: an ephemeral port (tests); production: 10250 */
        const char *client_ca_pem;      /* required with TLS: who may call */
        /*
         * The serving certificate (chain, leaf first) and key as PEM; both NULL:
         * a self-signed one is made at start, as the kubelet does without
         * --tls-cert-file (a CA "<node>-ca@<time>" and a leaf "<node>@<time>" for
         * the node name, its IPs and 127.0.0.1). Key generation takes a few
         * milliseconds of CPU on the calling thread.
         */
        const char *cert_pem;
        const char *key_pem;
        const char *node_name;       /* required: the certificate's name and first SAN */
        const char *const *node_ips; /* NULL-terminated or NULL: more SANs */
        bool insecure_no_tls;        /* tests only: plain HTTP, no authentication at all */
        unsigned max_sessions;       /* log follows, exec and attach at once; 0: 256 */
        size_t queue_high;           /* bytes a client may have queued before the server
                                        stops reading for it; 0: 1 MiB */
};

struct kl_agent_server;

/**
 * Listen: on success the server answers from the next loop iteration and
 * *ret is the caller's until kl_agent_server_stop(). `opts` is copied.
 * -EINVAL for a missing option, the listener's errors (-EADDRINUSE, ...)
 * and the TLS material's (a key that does not match its certificate).
 */
int kl_agent_server_start(const struct kl_agent_server_options *opts, struct kl_agent_server **ret,
                          struct kl_err **err);

/** The bound port. */
int kl_agent_server_port(const struct kl_agent_server *s);
/** The serving certificate chain as PEM (borrowed); NULL without TLS. */
const char *kl_agent_server_cert_pem(const struct kl_agent_server *s);

typedef void kl_agent_server_stopped_fn(void *arg);

/**
 * Stop: the listener closes, log streams end, WebSockets get close 1001.
 * `cb` (may be NULL) runs on the loop once every connection is closed and no
 * runtime call of the server is in flight: from then on the runtime may be
 * freed. The server's memory is freed before `cb` runs. NULL is a no-op.
 */
void kl_agent_server_stop(struct kl_agent_server *s, kl_agent_server_stopped_fn *cb, void *arg);

#endif
