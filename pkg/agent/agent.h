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
        kl_usec_t status_period;     /* look at the status; 0: 10 s (nodeStatusUpdateFrequency) */
        kl_usec_t
                status_report; /* write an unchanged status; 0: 5 min (nodeStatusReportFrequency) */
        kl_usec_t lease_renew; /* 0: 10 s (a quarter of the lease duration) */
        int64_t lease_duration;     /* seconds; 0: 40 */
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

/** Whether the Node has been registered (created or adopted) by this agent. */
bool kl_agent_node_is_registered(const struct kl_agent_node *n);

/* ---- joining ---- */

/* What a node authenticates with: PEM texts, owned. */
struct kl_agent_identity {
        char *ca_pem;   /* the server CA (what the server's certificate is checked against) */
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

#endif
