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
        const json_t *images; /* borrowed: status.images, or NULL for none */
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

#endif
