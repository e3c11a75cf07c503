/* SPDX-License-Identifier: Apache-2.0 */
/*
 * controllers: the controller manager that runs inside `kube-lite server`
 * (DESIGN §3): ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob,
 * the garbage collector, namespace lifecycle, ServiceAccount, Endpoints and
 * EndpointSlices, node lifecycle, node IPAM (a pod CIDR per node), the
 * ServiceLB (LoadBalancer Services answered by the nodes' addresses) and the
 * local-path provisioner. Each
 * watches the API through shared informers of the client it is given and
 * writes back through it, so it sees the same defaulting, validation and
 * admission as any other client.
 *
 * Threads: loop thread only (the client's loop).
 */
#ifndef KL_CONTROLLERS_CONTROLLERS_H
#define KL_CONTROLLERS_CONTROLLERS_H

#include <stdint.h>

#include "base/base.h"
#include "client/client.h"

struct kl_controllers;

struct kl_controllers_options {
        /* NULL-terminated names of controllers to run ("replicaset", ...); NULL: all. */
        const char *const *enabled;
        /* Node lifecycle: a node whose Lease is older than this is NotReady (0: 40 s). */
        kl_usec_t node_monitor_grace;
        /* Pods on a NotReady node without a toleration are evicted after (0: 300 s). */
        kl_usec_t default_toleration;
        /* local-path provisioner: the base directory for volumes (NULL:
         * /var/lib/kube-lite/storage). */
        const char *local_path_dir;
        /*
         * Simulated nodes (tests and benchmarks, as kwok does): register this
         * many Nodes "<fake_node_prefix>-1".. that renew their Leases, and play
         * their kubelet: pods bound to them become Running and Ready, finish
         * (restartPolicy Never/OnFailure) after a second with the exit code of
         * the annotation kube-lite.io/fake-exit-code (default 0), and leave when
         * deleted. A node annotated kube-lite.io/fake-kubelet=stopped stops
         * renewing its Lease and updating its pods. 0: none.
         */
        unsigned fake_nodes;
        const char *fake_node_prefix; /* NULL: "fake-node" */
        /* Node IPAM: the pod network, a /24 of it per node (NULL: "10.42.0.0/16", k3s's
         * --cluster-cidr). An IPv4 CIDR with a prefix of 8 to 24 bits. */
        const char *cluster_cidr;
        /* NULL-terminated names of controllers not to run ("servicelb"); NULL: none. */
        const char *const *disabled;
};

/**
 * Check `cidr` as a --cluster-cidr (an IPv4 CIDR with a prefix of 8 to 24
 * bits); -EINVAL with the reason in *err otherwise.
 */
int kl_controllers_cluster_cidr_check(const char *cidr, struct kl_err **err);

/**
 * Start the controllers on `client` (borrowed; outlives the controllers):
 * create the informers they need, start watching, and reconcile from the
 * loop once the informers have synced. *ret is the caller's until
 * kl_controllers_free().
 */
int kl_controllers_start(struct kl_client *client, const struct kl_controllers_options *opts,
                         struct kl_controllers **ret, struct kl_err **err);

/** Stop every controller and free. Writes in flight complete first. NULL is a no-op. */
void kl_controllers_free(struct kl_controllers *c);

#endif
