/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the agent module: the pure parts of the node (flag parsing, the
 * status built from host facts), split from the loop code in node.c so that
 * tests and fuzz targets reach them without an API server.
 */
#ifndef KL_AGENT_AGENT_INTERNAL_H
#define KL_AGENT_AGENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "agent/agent.h"
#include "net/net.h"

/* The kubelet's default hard eviction thresholds this agent reports against. */
#define KL_AGENT__EVICT_MEMORY         ((int64_t)100 << 20) /* memory.available<100Mi */
#define KL_AGENT__EVICT_NODEFS_PERCENT 10                   /* nodefs.available<10% */

/**
 * A --node-label string "key=value": the key must be a qualified name and the
 * value a label value. On success *ret_key and *ret_value are the caller's.
 * -EINVAL with the reason otherwise.
 */
int kl_agent__parse_label(const char *s, char **ret_key, char **ret_value, struct kl_err **err);

/**
 * A --node-taint string "key=value:Effect" or "key:Effect" (the kubelet's
 * --register-with-taints syntax): *ret_taint is a new Taint object
 * {key, value?, effect}. -EINVAL with the reason otherwise.
 */
int kl_agent__parse_taint(const char *s, json_t **ret_taint, struct kl_err **err);

/* What the host says, gathered once per status period (node-host.c). */
struct kl_agent__facts {
        /* Identity and addresses; borrowed from the node's options. */
        const char *node_name;
        const char *hostname;
        const char *const *node_ips;
        const char *kubelet_version;
        const char *runtime_version; /* "kube-lite://<version>" */
        int kubelet_port;            /* daemonEndpoints; 0: 10250 */
        /* Read once at start (nodeInfo); borrowed, never NULL ("" when unknown). */
        const char *machine_id;
        const char *system_uuid;
        const char *boot_id;
        const char *kernel_version;
        const char *os_image;
        const char *arch; /* GOARCH spelling: amd64, arm64, arm, ... */
        /* Read each period. Sizes in bytes; -1 when the host did not say. */
        int64_t cpus;
        int64_t mem_total;
        int64_t mem_available;
        int64_t hugepages_2mi; /* bytes held by 2 MiB huge pages */
        int64_t fs_total;
        int64_t fs_available;
        const json_t *images;  /* borrowed: status.images, or NULL for none */
        const char *not_ready; /* Ready=False (KubeletNotReady) with this message, or NULL */
};

/**
 * The node's new status (a new object), from `facts` and the status the API
 * holds now (`old`, borrowed, may be NULL): capacity, allocatable, addresses,
 * nodeInfo, daemonEndpoints, images, and the four kubelet conditions with
 * lastHeartbeatTime `now` and lastTransitionTime kept from `old` unless the
 * condition's status changed. Conditions of other owners (NetworkUnavailable)
 * and any other field of `old` the kubelet does not own are kept.
 */
json_t *kl_agent__node_status(const struct kl_agent__facts *facts, const json_t *old,
                              kl_usec_t now);

/**
 * Whether `a` and `b` differ in more than their conditions' heartbeat times
 * (upstream's nodeStatusHasChanged): an unchanged status is written only
 * every status_report.
 */
bool kl_agent__status_changed(const json_t *a, const json_t *b);

/**
 * Gather the per-period facts about the host into `f` (data directory for
 * ephemeral-storage). Fields the host does not tell stay -1.
 */
void kl_agent__facts_read(struct kl_agent__facts *f, const char *data_dir);

/* The static host identity (nodeInfo): every field owned, "" when unknown. */
struct kl_agent__host {
        char *machine_id;
        char *system_uuid;
        char *boot_id;
        char *kernel_version;
        char *os_image;
        char *arch;
};

/** Read the host identity: /etc/machine-id, DMI product_uuid, boot_id, uname, os-release. */
void kl_agent__host_read(struct kl_agent__host *h);
void kl_agent__host_release(struct kl_agent__host *h);

/** PRETTY_NAME of an os-release text (borrowed `text`); a new string, "Linux" if absent. */
char *kl_agent__os_release_pretty(const char *text);

/** The GOARCH name of a uname machine ("x86_64" -> "amd64", "aarch64" -> "arm64"). */
const char *kl_agent__goarch(const char *machine);

/** The images collected so far as status.images (a new array, at most 50, largest first). */
json_t *kl_agent__images_json(struct kl_agent_images *imgs);
struct kl_agent_images *kl_agent__images_new(void);
void kl_agent__images_free(struct kl_agent_images *imgs);

/* ------------------------------------------------------------------------- */
/* The node's network (network.c) */

struct kl_agent__network_options {
        const char *node_name;
        const char *node_ip;   /* required: VXLAN's local address, what peers route to */
        const char *state_dir; /* the IPAM state goes to <state_dir>/net */
        const char *cluster_cidr, *cluster_dns, *cluster_domain; /* NULL: the defaults */
        const char *resolv_conf;     /* the cluster DNS's upstreams; NULL: /etc/resolv.conf */
        enum kl_net_backend backend; /* not NONE: then there is no network to start */
        void (*on_ready)(void *arg); /* once set up (the node turns Ready) */
        void *on_ready_arg;
};

struct kl_agent__network;

/* Why the node is not Ready (its network is not set up yet), or NULL. Loop thread. */
const char *kl_agent__network_not_ready(const struct kl_agent__network *n);
/** Wait for the Node's podCIDR, then set up the pod network, the proxy and the DNS. */
int kl_agent__network_start(struct kl_client *client, const struct kl_agent__network_options *o,
                            struct kl_agent__network **ret, struct kl_err **err);
/**
 * Give pod `uid` its interface in the namespace at `netns` (idempotent; the
 * same address again for the same uid); its address in `ip`. -EAGAIN while
 * the network is not set up. Pool threads only, as the two below.
 */
int kl_agent__network_pod_add(struct kl_agent__network *n, const char *uid, const char *netns,
                              char ip[16], struct kl_err **err);
/* Remove the pod's interface and free its address (netns may be NULL); errors are logged. */
void kl_agent__network_pod_del(struct kl_agent__network *n, const char *uid, const char *netns);
/* Free what pods not in `live` still hold (housekeeping). */
void kl_agent__network_gc(struct kl_agent__network *n, const char *const *live, size_t n_live);
/**
 * Stop the loop side (informers, proxy, DNS, timers); `stopped` runs when
 * the last of it has closed. The kernel state stays. NULL is a no-op.
 */
void kl_agent__network_stop(struct kl_agent__network *n, void (*stopped)(void *arg), void *arg);
/* Free the rest, once no pod worker can call in any more. NULL is a no-op. */
void kl_agent__network_free(struct kl_agent__network *n);

#endif
