/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rows of the resource table. Names, scopes, short names, categories and
 * subresources are those of Kubernetes v1.32, because kubectl's discovery
 * cache, `kubectl get all` and `api-resources` read them. Subresources that
 * need a node (log, exec, attach, portforward, proxy) are added with the
 * agent, so that discovery never advertises what the server cannot do.
 */
#include "api/resource.h"

#include <stdio.h>
#include <string.h>

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const all[] = { "all", NULL };

/* Status subresources answer with the resource's own kind: filled in by kind below. */
#define STATUS(g, k)                                                                         \
        ((const struct kl_api_subresource[]){ { "status", g, "v1", k, KL_API_VERBS_SUB_RW }, \
                                              { NULL } })
#define STATUS_V(g, v, k)                                                                 \
        ((const struct kl_api_subresource[]){ { "status", g, v, k, KL_API_VERBS_SUB_RW }, \
                                              { NULL } })
#define STATUS_SCALE(g, k)                                                      \
        ((const struct kl_api_subresource[]){                                   \
                { "scale", "autoscaling", "v1", "Scale", KL_API_VERBS_SUB_RW }, \
                { "status", g, "v1", k, KL_API_VERBS_SUB_RW },                  \
                { NULL } })

static const struct kl_api_subresource sub_pods[] = {
        { "attach", "", "v1", "PodAttachOptions", KL_API_VERB_GET | KL_API_VERB_CREATE },
        { "binding", "", "v1", "Binding", KL_API_VERB_CREATE },
        { "eviction", "policy", "v1", "Eviction", KL_API_VERB_CREATE },
        { "exec", "", "v1", "PodExecOptions", KL_API_VERB_GET | KL_API_VERB_CREATE },
        { "log", "", "v1", "Pod", KL_API_VERB_GET },
        { "portforward", "", "v1", "PodPortForwardOptions", KL_API_VERB_GET | KL_API_VERB_CREATE },
        { "status", "", "v1", "Pod", KL_API_VERBS_SUB_RW },
        { NULL },
};

static const struct kl_api_subresource sub_namespaces[] = {
        { "finalize", "", "v1", "Namespace", KL_API_VERB_UPDATE },
        { "status", "", "v1", "Namespace", KL_API_VERBS_SUB_RW },
        { NULL },
};

#define VERBS_NO_COLLECTION (KL_API_VERBS_ALL & ~KL_API_VERB_DELETECOLLECTION)

static const struct kl_api_resource resources[] = {
        /* core/v1 */
        { .group = "",
          .version = "v1",
          .kind = "ConfigMap",
          .plural = "configmaps",
          .singular = "configmap",
          .list_kind = "ConfigMapList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("cm"),
          .schema = "io.k8s.api.core.v1.ConfigMap" },
        { .group = "",
          .version = "v1",
          .kind = "Endpoints",
          .plural = "endpoints",
          .singular = "endpoints",
          .list_kind = "EndpointsList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("ep"),
          .schema = "io.k8s.api.core.v1.Endpoints" },
        { .group = "",
          .version = "v1",
          .kind = "Event",
          .plural = "events",
          .singular = "event",
          .list_kind = "EventList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("ev"),
          .schema = "io.k8s.api.core.v1.Event",
          .field_selectors =
                  NAMES("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                        "involvedObject.uid", "involvedObject.apiVersion",
                        "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                        "reportingComponent", "source", "type") },
        { .group = "",
          .version = "v1",
          .kind = "LimitRange",
          .plural = "limitranges",
          .singular = "limitrange",
          .list_kind = "LimitRangeList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("limits"),
          .schema = "io.k8s.api.core.v1.LimitRange",
          .has_spec = true },
        { .group = "",
          .version = "v1",
          .kind = "Namespace",
          .plural = "namespaces",
          .singular = "namespace",
          .list_kind = "NamespaceList",
          .namespaced = false,
          .verbs = VERBS_NO_COLLECTION,
          .short_names = NAMES("ns"),
          .subresources = sub_namespaces,
          .schema = "io.k8s.api.core.v1.Namespace",
          .field_selectors = NAMES("status.phase") },
        { .group = "",
          .version = "v1",
          .kind = "Node",
          .plural = "nodes",
          .singular = "node",
          .list_kind = "NodeList",
          .namespaced = false,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("no"),
          .subresources = STATUS("", "Node"),
          .schema = "io.k8s.api.core.v1.Node",
          .field_selectors = NAMES("spec.unschedulable"),
          .has_spec = true },
        { .group = "",
          .version = "v1",
          .kind = "PersistentVolumeClaim",
          .plural = "persistentvolumeclaims",
          .singular = "persistentvolumeclaim",
          .list_kind = "PersistentVolumeClaimList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("pvc"),
          .subresources = STATUS("", "PersistentVolumeClaim"),
          .schema = "io.k8s.api.core.v1.PersistentVolumeClaim",
          .has_spec = true },
        { .group = "",
          .version = "v1",
          .kind = "PersistentVolume",
          .plural = "persistentvolumes",
          .singular = "persistentvolume",
          .list_kind = "PersistentVolumeList",
          .namespaced = false,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("pv"),
          .subresources = STATUS("", "PersistentVolume"),
          .schema = "io.k8s.api.core.v1.PersistentVolume",
          .has_spec = true },
        { .group = "",
          .version = "v1",
          .kind = "Pod",
          .plural = "pods",
          .singular = "pod",
          .list_kind = "PodList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("po"),
          .categories = all,
          .subresources = sub_pods,
          .schema = "io.k8s.api.core.v1.Pod",
          .field_selectors = NAMES("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                   "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                                   "status.podIP", "status.nominatedNodeName"),
          .has_spec = true },
        { .group = "",
          .version = "v1",
          .kind = "ResourceQuota",
          .plural = "resourcequotas",
          .singular = "resourcequota",
          .list_kind = "ResourceQuotaList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("quota"),
          .subresources = STATUS("", "ResourceQuota"),
          .schema = "io.k8s.api.core.v1.ResourceQuota",
          .has_spec = true },
        { .group = "",
          .version = "v1",
          .kind = "Secret",
          .plural = "secrets",
          .singular = "secret",
          .list_kind = "SecretList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .schema = "io.k8s.api.core.v1.Secret",
          .field_selectors = NAMES("type") },
        { .group = "",
          .version = "v1",
          .kind = "ServiceAccount",
          .plural = "serviceaccounts",
          .singular = "serviceaccount",
          .list_kind = "ServiceAccountList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("sa"),
          .schema = "io.k8s.api.core.v1.ServiceAccount" },
        { .group = "",
          .version = "v1",
          .kind = "Service",
          .plural = "services",
          .singular = "service",
          .list_kind = "ServiceList",
          .namespaced = true,
          .verbs = VERBS_NO_COLLECTION,
          .short_names = NAMES("svc"),
          .categories = all,
          .subresources = STATUS("", "Service"),
          .schema = "io.k8s.api.core.v1.Service",
          .has_spec = true },

        /* apps/v1 */
        { .group = "apps",
          .version = "v1",
          .kind = "ControllerRevision",
          .plural = "controllerrevisions",
          .singular = "controllerrevision",
          .list_kind = "ControllerRevisionList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .schema = "io.k8s.api.apps.v1.ControllerRevision" },
        { .group = "apps",
          .version = "v1",
          .kind = "DaemonSet",
          .plural = "daemonsets",
          .singular = "daemonset",
          .list_kind = "DaemonSetList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("ds"),
          .categories = all,
          .subresources = STATUS("apps", "DaemonSet"),
          .schema = "io.k8s.api.apps.v1.DaemonSet",
          .has_spec = true },
        { .group = "apps",
          .version = "v1",
          .kind = "Deployment",
          .plural = "deployments",
          .singular = "deployment",
          .list_kind = "DeploymentList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("deploy"),
          .categories = all,
          .subresources = STATUS_SCALE("apps", "Deployment"),
          .schema = "io.k8s.api.apps.v1.Deployment",
          .has_spec = true },
        { .group = "apps",
          .version = "v1",
          .kind = "ReplicaSet",
          .plural = "replicasets",
          .singular = "replicaset",
          .list_kind = "ReplicaSetList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("rs"),
          .categories = all,
          .subresources = STATUS_SCALE("apps", "ReplicaSet"),
          .schema = "io.k8s.api.apps.v1.ReplicaSet",
          .has_spec = true },
        { .group = "apps",
          .version = "v1",
          .kind = "StatefulSet",
          .plural = "statefulsets",
          .singular = "statefulset",
          .list_kind = "StatefulSetList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("sts"),
          .categories = all,
          .subresources = STATUS_SCALE("apps", "StatefulSet"),
          .schema = "io.k8s.api.apps.v1.StatefulSet",
          .has_spec = true },

        /*
         * authentication.k8s.io/v1, authorization.k8s.io/v1: the review APIs.
         * Create only and never stored: a POST is answered with the review
         * and its status (pkg/apiserver/authz.c). No list kinds exist
         * upstream; list_kind follows the table's naming and is never served.
         */
        { .group = "authentication.k8s.io",
          .version = "v1",
          .kind = "SelfSubjectReview",
          .plural = "selfsubjectreviews",
          .singular = "selfsubjectreview",
          .list_kind = "SelfSubjectReviewList",
          .namespaced = false,
          .verbs = KL_API_VERB_CREATE,
          .schema = "io.k8s.api.authentication.v1.SelfSubjectReview" },
        { .group = "authentication.k8s.io",
          .version = "v1",
          .kind = "TokenReview",
          .plural = "tokenreviews",
          .singular = "tokenreview",
          .list_kind = "TokenReviewList",
          .namespaced = false,
          .verbs = KL_API_VERB_CREATE,
          .schema = "io.k8s.api.authentication.v1.TokenReview" },
        { .group = "authorization.k8s.io",
          .version = "v1",
          .kind = "LocalSubjectAccessReview",
          .plural = "localsubjectaccessreviews",
          .singular = "localsubjectaccessreview",
          .list_kind = "LocalSubjectAccessReviewList",
          .namespaced = true,
          .verbs = KL_API_VERB_CREATE,
          .schema = "io.k8s.api.authorization.v1.LocalSubjectAccessReview" },
        { .group = "authorization.k8s.io",
          .version = "v1",
          .kind = "SelfSubjectAccessReview",
          .plural = "selfsubjectaccessreviews",
          .singular = "selfsubjectaccessreview",
          .list_kind = "SelfSubjectAccessReviewList",
          .namespaced = false,
          .verbs = KL_API_VERB_CREATE,
          .schema = "io.k8s.api.authorization.v1.SelfSubjectAccessReview" },
        { .group = "authorization.k8s.io",
          .version = "v1",
          .kind = "SelfSubjectRulesReview",
          .plural = "selfsubjectrulesreviews",
          .singular = "selfsubjectrulesreview",
          .list_kind = "SelfSubjectRulesReviewList",
          .namespaced = false,
          .verbs = KL_API_VERB_CREATE,
          .schema = "io.k8s.api.authorization.v1.SelfSubjectRulesReview" },
        { .group = "authorization.k8s.io",
          .version = "v1",
          .kind = "SubjectAccessReview",
          .plural = "subjectaccessreviews",
          .singular = "subjectaccessreview",
          .list_kind = "SubjectAccessReviewList",
          .namespaced = false,
          .verbs = KL_API_VERB_CREATE,
          .schema = "io.k8s.api.authorization.v1.SubjectAccessReview" },

        /* autoscaling: v2 is the storage and preferred version, v1 a view of it. */
        { .group = "autoscaling",
          .version = "v2",
          .kind = "HorizontalPodAutoscaler",
          .plural = "horizontalpodautoscalers",
          .singular = "horizontalpodautoscaler",
          .list_kind = "HorizontalPodAutoscalerList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("hpa"),
          .categories = all,
          .subresources = STATUS_V("autoscaling", "v2", "HorizontalPodAutoscaler"),
          .schema = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
          .has_spec = true },
        { .group = "autoscaling",
          .version = "v1",
          .kind = "HorizontalPodAutoscaler",
          .plural = "horizontalpodautoscalers",
          .singular = "horizontalpodautoscaler",
          .list_kind = "HorizontalPodAutoscalerList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("hpa"),
          .categories = all,
          .subresources = STATUS_V("autoscaling", "v1", "HorizontalPodAutoscaler"),
          .storage_group = "autoscaling",
          .storage_version = "v2",
          .schema = "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
          .has_spec = true },

        /* batch/v1 */
        { .group = "batch",
          .version = "v1",
          .kind = "CronJob",
          .plural = "cronjobs",
          .singular = "cronjob",
          .list_kind = "CronJobList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("cj"),
          .categories = all,
          .subresources = STATUS("batch", "CronJob"),
          .schema = "io.k8s.api.batch.v1.CronJob",
          .has_spec = true },
        { .group = "batch",
          .version = "v1",
          .kind = "Job",
          .plural = "jobs",
          .singular = "job",
          .list_kind = "JobList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .categories = all,
          .subresources = STATUS("batch", "Job"),
          .schema = "io.k8s.api.batch.v1.Job",
          .has_spec = true },

        /* coordination.k8s.io/v1 */
        { .group = "coordination.k8s.io",
          .version = "v1",
          .kind = "Lease",
          .plural = "leases",
          .singular = "lease",
          .list_kind = "LeaseList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .schema = "io.k8s.api.coordination.v1.Lease",
          .has_spec = true },

        /* discovery.k8s.io/v1 */
        { .group = "discovery.k8s.io",
          .version = "v1",
          .kind = "EndpointSlice",
          .plural = "endpointslices",
          .singular = "endpointslice",
          .list_kind = "EndpointSliceList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .schema = "io.k8s.api.discovery.v1.EndpointSlice" },

        /* events.k8s.io/v1: a second view of the core events. */
        { .group = "events.k8s.io",
          .version = "v1",
          .kind = "Event",
          .plural = "events",
          .singular = "event",
          .list_kind = "EventList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("ev"),
          .storage_group = "",
          .storage_version = "v1",
          .schema = "io.k8s.api.events.v1.Event" },

        /* networking.k8s.io/v1 */
        { .group = "networking.k8s.io",
          .version = "v1",
          .kind = "IngressClass",
          .plural = "ingressclasses",
          .singular = "ingressclass",
          .list_kind = "IngressClassList",
          .namespaced = false,
          .verbs = KL_API_VERBS_ALL,
          .schema = "io.k8s.api.networking.v1.IngressClass",
          .has_spec = true },
        { .group = "networking.k8s.io",
          .version = "v1",
          .kind = "Ingress",
          .plural = "ingresses",
          .singular = "ingress",
          .list_kind = "IngressList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("ing"),
          .subresources = STATUS("networking.k8s.io", "Ingress"),
          .schema = "io.k8s.api.networking.v1.Ingress",
          .has_spec = true },
        { .group = "networking.k8s.io",
          .version = "v1",
          .kind = "NetworkPolicy",
          .plural = "networkpolicies",
          .singular = "networkpolicy",
          .list_kind = "NetworkPolicyList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("netpol"),
          .schema = "io.k8s.api.networking.v1.NetworkPolicy",
          .has_spec = true },

        /* policy/v1 */
        { .group = "policy",
          .version = "v1",
          .kind = "PodDisruptionBudget",
          .plural = "poddisruptionbudgets",
          .singular = "poddisruptionbudget",
          .list_kind = "PodDisruptionBudgetList",
          .namespaced = true,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("pdb"),
          .subresources = STATUS("policy", "PodDisruptionBudget"),
          .schema = "io.k8s.api.policy.v1.PodDisruptionBudget",
          .has_spec = true },

        /* scheduling.k8s.io/v1 */
        { .group = "scheduling.k8s.io",
          .version = "v1",
          .kind = "PriorityClass",
          .plural = "priorityclasses",
          .singular = "priorityclass",
          .list_kind = "PriorityClassList",
          .namespaced = false,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("pc"),
          .schema = "io.k8s.api.scheduling.v1.PriorityClass" },

        /* storage.k8s.io/v1 */
        { .group = "storage.k8s.io",
          .version = "v1",
          .kind = "StorageClass",
          .plural = "storageclasses",
          .singular = "storageclass",
          .list_kind = "StorageClassList",
          .namespaced = false,
          .verbs = KL_API_VERBS_ALL,
          .short_names = NAMES("sc"),
          .schema = "io.k8s.api.storage.v1.StorageClass" },
};

const struct kl_api_resource *kl_api_resources(size_t *ret_n)
{
        *ret_n = KL_ARRAY_SIZE(resources);
        return resources;
}

const struct kl_api_resource *kl_api_resource_find(const char *group, const char *version,
                                                   const char *plural)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(resources); i++) {
                const struct kl_api_resource *r = &resources[i];

                if (kl_streq(r->plural, plural) && kl_streq(r->group, group) &&
                    kl_streq(r->version, version))
                        return r;
        }
        return NULL;
}

const struct kl_api_resource *kl_api_resource_find_kind(const char *group, const char *version,
                                                        const char *kind)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(resources); i++) {
                const struct kl_api_resource *r = &resources[i];

                if (kl_streq(r->kind, kind) && kl_streq(r->group, group) &&
                    kl_streq(r->version, version))
                        return r;
        }
        return NULL;
}

const struct kl_api_subresource *kl_api_resource_subresource(const struct kl_api_resource *r,
                                                             const char *name)
{
        for (const struct kl_api_subresource *s = r->subresources; s && s->name; s++)
                if (kl_streq(s->name, name))
                        return s;
        return NULL;
}

const char *kl_api_resource_api_version(const struct kl_api_resource *r, char *buf, size_t size)
{
        if (*r->group)
                (void)snprintf(buf, size, "%s/%s", r->group, r->version);
        else
                (void)snprintf(buf, size, "%s", r->version);
        return buf;
}

const char *kl_api_resource_qualified(const struct kl_api_resource *r, char *buf, size_t size)
{
        if (*r->group)
                (void)snprintf(buf, size, "%s.%s", r->plural, r->group);
        else
                (void)snprintf(buf, size, "%s", r->plural);
        return buf;
}

bool kl_api_resource_has_field_selector(const struct kl_api_resource *r, const char *field)
{
        if (kl_streq(field, "metadata.name"))
                return true;
        if (kl_streq(field, "metadata.namespace"))
                return r->namespaced;
        return kl_strv_contains((char *const *)r->field_selectors, field);
}

char *kl_api_storage_key(const struct kl_api_resource *r, const char *ns, const char *name)
{
        const char *group = r->storage_group ? r->storage_group : r->group;
        struct kl_buf key = KL_BUF_INIT;

        (void)kl_buf_printf(&key, "/registry/%s/%s/", *group ? group : "core", r->plural);
        if (r->namespaced && ns) {
                (void)kl_buf_printf(&key, "%s/", ns);
                if (name)
                        (void)kl_buf_puts(&key, name);
        } else if (name) {
                (void)kl_buf_puts(&key, name);
        }
        return kl_buf_detach(&key, NULL);
}
