/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Defaulting of the kinds users write by hand, as kube-apiserver v1.32
 * fills them in before validation and storage: the generated
 * SetObjectDefaults_* of pkg/apis/<group>/v1 (SetDefaults_Pod, _PodSpec,
 * _Container, _Probe, _Service, _Deployment, _StatefulSet, ...), plus the
 * few values that other server-side steps always add and that kubectl
 * users see in `-o yaml` (named below). The object is the v1 JSON form and
 * is changed in place.
 *
 * Beyond SetDefaults_*:
 *   Pod            spec.serviceAccountName "default" (the ServiceAccount
 *                  admission plugin; its token volume is not added) and
 *                  spec.serviceAccount mirroring it (the v1 conversion,
 *                  also for templates)
 *   Secret         stringData merged into data as base64 and dropped (the
 *                  v1 conversion does it upstream)
 *   Namespace      spec.finalizers ["kubernetes"] (the strategy), the
 *                  kubernetes.io/metadata.name label
 *   Service        clusterIPs from a given clusterIP (the strategy);
 *                  ipFamilyPolicy SingleStack (RequireDualStack for a
 *                  headless Service without selector); status.loadBalancer
 *                  {}. clusterIP, clusterIPs and ipFamilies themselves are
 *                  allocated by the server's IP allocator after defaulting,
 *                  not here; nodePorts likewise.
 *   containers     resources {} (Go always serialises the struct)
 *
 * Not done, as upstream apps/v1 does not do it either: selectors or labels
 * copied from templates (batch/v1 Jobs do copy the template labels to an
 * unlabelled Job, as upstream does). Not our business here: priority and
 * preemptionPolicy (the Priority admission plugin), the default
 * not-ready/unreachable tolerations (DefaultTolerationSeconds admission),
 * Pod status (phase and qosClass are set at create by the API layer; see
 * kl_api_pod_qos_class()).
 *
 * Values of the wrong JSON type are left as they are for validation to
 * report. Work is linear in the size of the object. Pure computation:
 * thread-safe for distinct objects, never blocks.
 */
#ifndef KL_API_DEFAULTS_H
#define KL_API_DEFAULTS_H

#include <jansson.h>

#include "api/resource.h"

/**
 * Default `obj` (borrowed, modified in place) as an object of row `r`.
 * Kinds without defaults of their own are left unchanged. Returns 0, or
 * -EINVAL when `obj` is not a JSON object.
 */
int kl_api_defaults_apply(const struct kl_api_resource *r, json_t *obj);

/* The same by group ("" for core) and kind, for embedded objects and tests. */
int kl_api_defaults_apply_kind(const char *group, const char *kind, json_t *obj);

/**
 * Update-time defaulting: what the Service registry carries over from the
 * stored object `old` (borrowed) when the new one (`obj`, modified) omits
 * it, so that a `kubectl replace` or `apply` of a manifest without them
 * keeps the allocation: clusterIP and clusterIPs, nodePorts by port name,
 * healthCheckNodePort, ipFamilies and ipFamilyPolicy. Other kinds are left
 * unchanged. Call after kl_api_defaults_apply() and before validation.
 */
void kl_api_defaults_update(const struct kl_api_resource *r, json_t *obj, const json_t *old);

/**
 * The selector and labels upstream's Job strategy generates at create when
 * spec.manualSelector is not true: template labels
 * batch.kubernetes.io/controller-uid, batch.kubernetes.io/job-name,
 * controller-uid and job-name, and spec.selector matching the first. `job`
 * (modified) must have metadata.name; `uid` is the one just assigned.
 * Returns 0, or -EINVAL when `job` is not an object.
 */
int kl_api_defaults_job_selector(json_t *job, const char *uid);

/**
 * Upstream's DefaultTolerationSeconds admission, for a Pod (modified) being
 * created: tolerations of node.kubernetes.io/not-ready and
 * node.kubernetes.io/unreachable (operator Exists, effect NoExecute) for
 * `seconds` are added unless the pod already tolerates that taint with
 * effect NoExecute (or any effect). So a pod on a node that stops reporting
 * is evicted after 5 minutes by default, and `kubectl get pod -o yaml`
 * shows what upstream shows. Returns 0, or -EINVAL when `pod` is not an
 * object.
 */
int kl_api_admit_default_tolerations(json_t *pod, int64_t seconds);

/**
 * The QoS class of a Pod (borrowed) as upstream's GetPodQOS computes it
 * for status.qosClass: "Guaranteed", "Burstable" or "BestEffort". Static
 * storage.
 */
const char *kl_api_pod_qos_class(const json_t *pod);

#endif
