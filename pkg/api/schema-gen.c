/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GENERATED FILE - do not edit. Made by scripts/gen-api-schema.py from the
 * generated.proto files of Kubernetes v1.32 (k8s.io/api and
 * k8s.io/apimachinery, kept outside the tree in
 * shared/reference/kubernetes-v1.32-proto). To regenerate after changing the
 * script or moving to another release:
 *
 *   python3 scripts/gen-api-schema.py [PROTO_DIR] && clang-format -i pkg/api/schema-gen.c
 *
 * It holds facts only (names, numbers, types, patch and list markers), laid
 * out as schema-internal.h describes: 514 messages, 1894 fields, 18180 bytes of
 * strings.
 */
#include "api/schema-internal.h"

/* clang-format off */

const char kl_api__schema_strings[] =
        "ignoreStoreReadErrorWithClusterBreakingPotential\0"
        "StatefulSetPersistentVolumeClaimRetentionPolicy\0"
        "preferredDuringSchedulingIgnoredDuringExecution\0"
        "requiredDuringSchedulingIgnoredDuringExecution\0"
        "PodFailurePolicyOnExitCodesRequirement\0"
        "PodFailurePolicyOnPodConditionsPattern\0"
        "ValidatingAdmissionPolicyBindingList\0"
        "ValidatingAdmissionPolicyBindingSpec\0"
        "io.k8s.apimachinery.pkg.api.resource\0"
        "io.k8s.apimachinery.pkg.apis.meta.v1\0"
        "persistentVolumeClaimRetentionPolicy\0"
        "io.k8s.api.admissionregistration.v1\0"
        "io.k8s.apimachinery.pkg.util.intstr\0"
        "ValidatingWebhookConfigurationList\0"
        "PersistentVolumeClaimVolumeSource\0"
        "ScopedResourceSelectorRequirement\0"
        "AWSElasticBlockStoreVolumeSource\0"
        "HorizontalPodAutoscalerCondition\0"
        "MutatingWebhookConfigurationList\0"
        "PhotonPersistentDiskVolumeSource\0"
        "RollingUpdateStatefulSetStrategy\0"
        "TopologySelectorLabelRequirement\0"
        "ValidatingAdmissionPolicyBinding\0"
        "currentVolumeAttributesClassName\0"
        "AzureFilePersistentVolumeSource\0"
        "GlusterfsPersistentVolumeSource\0"
        "HorizontalPodAutoscalerBehavior\0"
        "IngressClassParametersReference\0"
        "StorageOSPersistentVolumeSource\0"
        "ValidatingAdmissionPolicyStatus\0"
        "currentCPUUtilizationPercentage\0"
        "io.k8s.apimachinery.pkg.runtime\0"
        "targetVolumeAttributesClassName\0"
        "PersistentVolumeClaimCondition\0"
        "ReplicationControllerCondition\0"
        "ValidatingWebhookConfiguration\0"
        "VsphereVirtualDiskVolumeSource\0"
        "targetCPUUtilizationPercentage\0"
        "ContainerResourceMetricSource\0"
        "ContainerResourceMetricStatus\0"
        "GCEPersistentDiskVolumeSource\0"
        "HorizontalPodAutoscalerStatus\0"
        "PersistentVolumeClaimTemplate\0"
        "ScaleIOPersistentVolumeSource\0"
        "ServiceAccountTokenProjection\0"
        "ValidatingAdmissionPolicyList\0"
        "ValidatingAdmissionPolicySpec\0"
        "WindowsSecurityContextOptions\0"
        "allocateLoadBalancerNodePorts\0"
        "persistentVolumeReclaimPolicy\0"
        "terminationGracePeriodSeconds\0"
        "CephFSPersistentVolumeSource\0"
        "CinderPersistentVolumeSource\0"
        "ClusterTrustBundleProjection\0"
        "MutatingWebhookConfiguration\0"
        "automountServiceAccountToken\0"
        "insecureSkipTLSVerifyBackend\0"
        "io.k8s.api.authentication.v1\0"
        "CrossVersionObjectReference\0"
        "HorizontalPodAutoscalerList\0"
        "HorizontalPodAutoscalerSpec\0"
        "ISCSIPersistentVolumeSource\0"
        "PersistentVolumeClaimStatus\0"
        "ReplicationControllerStatus\0"
        "SelfSubjectAccessReviewSpec\0"
        "io.k8s.api.authorization.v1\0"
        "FlexPersistentVolumeSource\0"
        "IngressLoadBalancerIngress\0"
        "NodeRuntimeHandlerFeatures\0"
        "SelfSubjectRulesReviewSpec\0"
        "VolumeResourceRequirements\0"
        "controllerPublishSecretRef\0"
        "deletionGracePeriodSeconds\0"
        "ephemeralContainerStatuses\0"
        "io.k8s.api.apidiscovery.v2\0"
        "io.k8s.api.coordination.v1\0"
        "serverAddressByClientCIDRs\0"
        "stabilizationWindowSeconds\0"
        "successfulJobsHistoryLimit\0"
        "unhealthyPodEvictionPolicy\0"
        "ConfigMapNodeConfigSource\0"
        "IngressLoadBalancerStatus\0"
        "PartialObjectMetadataList\0"
        "PersistentVolumeClaimList\0"
        "PersistentVolumeClaimSpec\0"
        "PodDisruptionBudgetStatus\0"
        "RBDPersistentVolumeSource\0"
        "ReplicationControllerList\0"
        "ReplicationControllerSpec\0"
        "ServerAddressByClientCIDR\0"
        "StatefulSetUpdateStrategy\0"
        "SubjectAccessReviewStatus\0"
        "TypedLocalObjectReference\0"
        "ValidatingAdmissionPolicy\0"
        "allocatedResourceStatuses\0"
        "controllerExpandSecretRef\0"
        "currentAverageUtilization\0"
        "io.k8s.api.autoscaling.v1\0"
        "io.k8s.api.autoscaling.v2\0"
        "resourceClaimTemplateName\0"
        "topologySpreadConstraints\0"
        "volumeAttributesClassName\0"
        "ContainerStateTerminated\0"
        "EphemeralContainerCommon\0"
        "FieldSelectorRequirement\0"
        "GroupVersionForDiscovery\0"
        "LabelSelectorRequirement\0"
        "LocalSubjectAccessReview\0"
        "NetworkPolicyIngressRule\0"
        "SubjectRulesReviewStatus\0"
        "TopologySpreadConstraint\0"
        "allocatedResourcesStatus\0"
        "allowPrivilegeEscalation\0"
        "deprecatedFirstTimestamp\0"
        "ephemeralContainerCommon\0"
        "io.k8s.api.networking.v1\0"
        "io.k8s.api.scheduling.v1\0"
        "loadBalancerSourceRanges\0"
        "publishNotReadyAddresses\0"
        "supplementalGroupsPolicy\0"
        "targetAverageUtilization\0"
        "terminationMessagePolicy\0"
        "APISubresourceDiscovery\0"
        "DaemonSetUpdateStrategy\0"
        "DownwardAPIVolumeSource\0"
        "FieldSelectorAttributes\0"
        "HorizontalPodAutoscaler\0"
        "LabelSelectorAttributes\0"
        "NamedRuleWithOperations\0"
        "NetworkPolicyEgressRule\0"
        "NodeSelectorRequirement\0"
        "PodDisruptionBudgetList\0"
        "PodDisruptionBudgetSpec\0"
        "PreferredSchedulingTerm\0"
        "RollingUpdateDeployment\0"
        "SelfSubjectAccessReview\0"
        "SelfSubjectReviewStatus\0"
        "UncountedTerminatedPods\0"
        "WeightedPodAffinityTerm\0"
        "admissionReviewVersions\0"
        "containerRuntimeVersion\0"
        "deprecatedLastTimestamp\0"
        "io.k8s.api.discovery.v1\0"
        "lastPhaseTransitionTime\0"
        "parameterNotFoundAction\0"
        "progressDeadlineSeconds\0"
        "recursiveReadOnlyMounts\0"
        "startingDeadlineSeconds\0"
        "ttlSecondsAfterFinished\0"
        "uncountedTerminatedPods\0"
        "CSIStorageCapacityList\0"
        "ClusterRoleBindingList\0"
        "ControllerRevisionList\0"
        "PersistentVolumeStatus\0"
        "PodResourceClaimStatus\0"
        "RollingUpdateDaemonSet\0"
        "SelfSubjectRulesReview\0"
        "VolumeAttachmentSource\0"
        "VolumeAttachmentStatus\0"
        "currentNumberScheduled\0"
        "desiredNumberScheduled\0"
        "failedJobsHistoryLimit\0"
        "gmsaCredentialSpecName\0"
        "persistentVolumeSource\0"
        "readOnlyRootFilesystem\0"
        "terminationMessagePath\0"
        "updatedNumberScheduled\0"
        "APIGroupDiscoveryList\0"
        "AzureDiskVolumeSource\0"
        "AzureFileVolumeSource\0"
        "ConfigMapVolumeSource\0"
        "ContainerResizePolicy\0"
        "ContainerStateRunning\0"
        "ContainerStateWaiting\0"
        "DownwardAPIProjection\0"
        "DownwardAPIVolumeFile\0"
        "EphemeralVolumeSource\0"
        "GlusterfsVolumeSource\0"
        "IngressServiceBackend\0"
        "NonResourceAttributes\0"
        "PartialObjectMetadata\0"
        "PersistentVolumeClaim\0"
        "PodPortForwardOptions\0"
        "ProjectedVolumeSource\0"
        "ReplicationController\0"
        "ResourceFieldSelector\0"
        "SessionAffinityConfig\0"
        "StorageOSVolumeSource\0"
        "activeDeadlineSeconds\0"
        "externalTrafficPolicy\0"
        "initContainerStatuses\0"
        "internalTrafficPolicy\0"
        "io.k8s.api.storage.v1\0"
        "matchLabelExpressions\0"
        "nonResourceAttributes\0"
        "persistentVolumeClaim\0"
        "resourceClaimStatuses\0"
        "sessionAffinityConfig\0"
        "shareProcessNamespace\0"
        "APIResourceDiscovery\0"
        "BoundObjectReference\0"
        "ConfigMapKeySelector\0"
        "EmptyDirVolumeSource\0"
        "ExternalMetricSource\0"
        "ExternalMetricStatus\0"
        "GroupVersionResource\0"
        "HTTPIngressRuleValue\0"
        "HostPathVolumeSource\0"
        "PersistentVolumeList\0"
        "PersistentVolumeSpec\0"
        "PodFailurePolicyRule\0"
        "PortworxVolumeSource\0"
        "PreferAvoidPodsEntry\0"
        "StatefulSetCondition\0"
        "TopologySelectorTerm\0"
        "TypedObjectReference\0"
        "VolumeAttachmentList\0"
        "VolumeAttachmentSpec\0"
        "allowVolumeExpansion\0"
        "awsElasticBlockStore\0"
        "backoffLimitPerIndex\0"
        "clusterRoleSelectors\0"
        "excludeResourceRules\0"
        "fullyLabeledReplicas\0"
        "io.k8s.api.events.v1\0"
        "io.k8s.api.policy.v1\0"
        "leaseDurationSeconds\0"
        "localObjectReference\0"
        "maxLimitRequestRatio\0"
        "nodePublishSecretRef\0"
        "persistentVolumeName\0"
        "photonPersistentDisk\0"
        "podReplacementPolicy\0"
        "resourceVersionMatch\0"
        "revisionHistoryLimit\0"
        "volumeClaimTemplates\0"
        "volumeLifecycleModes\0"
        "APIVersionDiscovery\0"
        "ComponentStatusList\0"
        "ConfigMapProjection\0"
        "DeploymentCondition\0"
        "FlockerVolumeSource\0"
        "GitRepoVolumeSource\0"
        "NodeDaemonEndpoints\0"
        "ObjectFieldSelector\0"
        "PodDisruptionBudget\0"
        "QuobyteVolumeSource\0"
        "ReplicaSetCondition\0"
        "ResourceQuotaStatus\0"
        "ScaleIOVolumeSource\0"
        "SerializedReference\0"
        "ServiceProxyOptions\0"
        "StatefulSetOrdinals\0"
        "VolumeNodeResources\0"
        "WebhookClientConfig\0"
        "allowWatchBookmarks\0"
        "currentAverageValue\0"
        "ephemeralContainers\0"
        "expirationTimestamp\0"
        "fsGroupChangePolicy\0"
        "healthCheckNodePort\0"
        "initialDelaySeconds\0"
        "io.k8s.api.batch.v1\0"
        "nodeExpandSecretRef\0"
        "podManagementPolicy\0"
        "reportingController\0"
        "seLinuxChangePolicy\0"
        "serviceAccountToken\0"
        "targetContainerName\0"
        "trafficDistribution\0"
        "unavailableReplicas\0"
        "volumeClaimTemplate\0"
        "CSIStorageCapacity\0"
        "CephFSVolumeSource\0"
        "CinderVolumeSource\0"
        "ClusterRoleBinding\0"
        "ComponentCondition\0"
        "ConfigMapEnvSource\0"
        "ControllerRevision\0"
        "DaemonSetCondition\0"
        "DeploymentStrategy\0"
        "EndpointConditions\0"
        "EphemeralContainer\0"
        "LinuxContainerUser\0"
        "ManagedFieldsEntry\0"
        "ModifyVolumeStatus\0"
        "NamespaceCondition\0"
        "NodeRuntimeHandler\0"
        "ObjectMetricSource\0"
        "ObjectMetricStatus\0"
        "PodDNSConfigOption\0"
        "PodSecurityContext\0"
        "SecretVolumeSource\0"
        "ServiceAccountList\0"
        "ServiceBackendPort\0"
        "TokenRequestStatus\0"
        "VolumeNodeAffinity\0"
        "allocatedResources\0"
        "attachmentMetadata\0"
        "averageUtilization\0"
        "blockOwnerDeletion\0"
        "clusterTrustBundle\0"
        "deprecatedTopology\0"
        "disruptionsAllowed\0"
        "enableServiceLinks\0"
        "endpointsNamespace\0"
        "expressionWarnings\0"
        "gmsaCredentialSpec\0"
        "gracePeriodSeconds\0"
        "io.k8s.api.apps.v1\0"
        "io.k8s.api.core.v1\0"
        "io.k8s.api.node.v1\0"
        "io.k8s.api.rbac.v1\0"
        "lastSuccessfulTime\0"
        "lastTransitionTime\0"
        "modifyVolumeStatus\0"
        "nodeAffinityPolicy\0"
        "nodeStageSecretRef\0"
        "numberMisscheduled\0"
        "observedGeneration\0"
        "reinvocationPolicy\0"
        "remainingItemCount\0"
        "reportingComponent\0"
        "resourceAttributes\0"
        "ruleWithOperations\0"
        "serviceAccountName\0"
        "storageVersionHash\0"
        "supplementalGroups\0"
        "targetAverageValue\0"
        "APIGroupDiscovery\0"
        "EndpointSliceList\0"
        "ExpressionWarning\0"
        "ISCSIVolumeSource\0"
        "ImageVolumeSource\0"
        "IngressPortStatus\0"
        "LocalVolumeSource\0"
        "MetricValueStatus\0"
        "NetworkPolicyList\0"
        "NetworkPolicyPeer\0"
        "NetworkPolicyPort\0"
        "NetworkPolicySpec\0"
        "PodSchedulingGate\0"
        "PriorityClassList\0"
        "ResourceQuotaList\0"
        "ResourceQuotaSpec\0"
        "SecretKeySelector\0"
        "SelfSubjectReview\0"
        "StatefulSetStatus\0"
        "SuccessPolicyRule\0"
        "TokenReviewStatus\0"
        "ValidatingWebhook\0"
        "VolumeMountStatus\0"
        "allowedTopologies\0"
        "chapAuthDiscovery\0"
        "concurrencyPolicy\0"
        "containerResource\0"
        "containerStatuses\0"
        "creationTimestamp\0"
        "deletionTimestamp\0"
        "expirationSeconds\0"
        "gcePersistentDisk\0"
        "lastHeartbeatTime\0"
        "loadBalancerClass\0"
        "maximumVolumeSize\0"
        "messageExpression\0"
        "mismatchLabelKeys\0"
        "namespaceSelector\0"
        "nodeSelectorTerms\0"
        "nominatedNodeName\0"
        "notReadyAddresses\0"
        "numberUnavailable\0"
        "priorityClassName\0"
        "propagationPolicy\0"
        "recursiveReadOnly\0"
        "reportingInstance\0"
        "requiresRepublish\0"
        "resourceClaimName\0"
        "retryAfterSeconds\0"
        "sendInitialEvents\0"
        "setHostnameAsFQDN\0"
        "storagePolicyName\0"
        "tolerationSeconds\0"
        "validationActions\0"
        "volumeBindingMode\0"
        "whenUnsatisfiable\0"
        "DeploymentStatus\0"
        "FlexVolumeSource\0"
        "GroupVersionKind\0"
        "HPAScalingPolicy\0"
        "IngressClassList\0"
        "IngressClassSpec\0"
        "LifecycleHandler\0"
        "MetricIdentifier\0"
        "NodeConfigStatus\0"
        "NodeProxyOptions\0"
        "NodeSelectorTerm\0"
        "PersistentVolume\0"
        "PodAttachOptions\0"
        "PodFailurePolicy\0"
        "PodReadinessGate\0"
        "PodResourceClaim\0"
        "PodsMetricSource\0"
        "PodsMetricStatus\0"
        "ReplicaSetStatus\0"
        "RuntimeClassList\0"
        "SecretProjection\0"
        "ServiceReference\0"
        "StorageClassList\0"
        "TokenRequestSpec\0"
        "VolumeAttachment\0"
        "VolumeProjection\0"
        "auditAnnotations\0"
        "completedIndexes\0"
        "deprecatedSource\0"
        "failureThreshold\0"
        "imagePullSecrets\0"
        "ingressClassName\0"
        "ingressRuleValue\0"
        "inlineVolumeSpec\0"
        "kubeProxyVersion\0"
        "kubeletConfigKey\0"
        "lastObservedTime\0"
        "lastScheduleTime\0"
        "leaseTransitions\0"
        "localhostProfile\0"
        "matchConstraints\0"
        "matchExpressions\0"
        "maxFailedIndexes\0"
        "mountPropagation\0"
        "nodeTaintsPolicy\0"
        "nonResourceRules\0"
        "orphanDependents\0"
        "podFailurePolicy\0"
        "preemptionPolicy\0"
        "preferredVersion\0"
        "protectionDomain\0"
        "resourceFieldRef\0"
        "runtimeClassName\0"
        "singularResource\0"
        "storageClassName\0"
        "succeededIndexes\0"
        "successThreshold\0"
        "volumeAttributes\0"
        "APIResourceList\0"
        "AggregationRule\0"
        "AppArmorProfile\0"
        "AuditAnnotation\0"
        "ClusterRoleList\0"
        "ComponentStatus\0"
        "ContainerStatus\0"
        "DaemonSetStatus\0"
        "EndpointAddress\0"
        "HPAScalingRules\0"
        "HTTPIngressPath\0"
        "JobTemplateSpec\0"
        "MutatingWebhook\0"
        "NFSVolumeSource\0"
        "NamespaceStatus\0"
        "NonResourceRule\0"
        "PodAntiAffinity\0"
        "PodProxyOptions\0"
        "PodStatusResult\0"
        "PodTemplateList\0"
        "PodTemplateSpec\0"
        "RBDVolumeSource\0"
        "RangeAllocation\0"
        "SecretEnvSource\0"
        "SecretReference\0"
        "StatefulSetList\0"
        "StatefulSetSpec\0"
        "TCPSocketAction\0"
        "TokenReviewSpec\0"
        "aggregationRule\0"
        "appArmorProfile\0"
        "chapAuthSession\0"
        "configMapKeyRef\0"
        "contentEncoding\0"
        "currentReplicas\0"
        "currentRevision\0"
        "daemonEndpoints\0"
        "deprecatedCount\0"
        "describedObject\0"
        "desiredReplicas\0"
        "evaluationError\0"
        "fieldValidation\0"
        "imagePullPolicy\0"
        "kubeletEndpoint\0"
        "matchConditions\0"
        "minReadySeconds\0"
        "nonResourceURLs\0"
        "numberAvailable\0"
        "onPodConditions\0"
        "operatingSystem\0"
        "ownerReferences\0"
        "podAffinityTerm\0"
        "podAntiAffinity\0"
        "preferAvoidPods\0"
        "preferredHolder\0"
        "resourceVersion\0"
        "runtimeHandlers\0"
        "schedulingGates\0"
        "secretNamespace\0"
        "securityContext\0"
        "sessionAffinity\0"
        "storageCapacity\0"
        "storagePolicyID\0"
        "updatedReplicas\0"
        "valueExpression\0"
        "volumeNamespace\0"
        "volumesAttached\0"
        "AttachedVolume\0"
        "ClientIPConfig\0"
        "ContainerImage\0"
        "ContainerState\0"
        "DaemonEndpoint\0"
        "DeploymentList\0"
        "DeploymentSpec\0"
        "EndpointSubset\0"
        "FCVolumeSource\0"
        "IngressBackend\0"
        "LimitRangeItem\0"
        "LimitRangeList\0"
        "LimitRangeSpec\0"
        "MatchCondition\0"
        "MatchResources\0"
        "NodeSystemInfo\0"
        "OwnerReference\0"
        "PodExecOptions\0"
        "ReplicaSetList\0"
        "ReplicaSetSpec\0"
        "ResourceHealth\0"
        "ResourceStatus\0"
        "SELinuxOptions\0"
        "SeccompProfile\0"
        "ServiceAccount\0"
        "attachRequired\0"
        "boundObjectRef\0"
        "collisionCount\0"
        "completionMode\0"
        "completionTime\0"
        "currentHealthy\0"
        "currentMetrics\0"
        "defaultBackend\0"
        "defaultRequest\0"
        "desiredHealthy\0"
        "firstTimestamp\0"
        "holderIdentity\0"
        "initContainers\0"
        "involvedObject\0"
        "ipFamilyPolicy\0"
        "iscsiInterface\0"
        "kubeletVersion\0"
        "lastUpdateTime\0"
        "loadBalancerIP\0"
        "manualSelector\0"
        "matchResources\0"
        "maxUnavailable\0"
        "metricSelector\0"
        "objectSelector\0"
        "podInfoOnMount\0"
        "portworxVolume\0"
        "readinessGates\0"
        "readinessProbe\0"
        "resourceClaims\0"
        "scaleTargetRef\0"
        "seLinuxOptions\0"
        "seccompProfile\0"
        "serviceAccount\0"
        "succeededCount\0"
        "timeoutSeconds\0"
        "updateRevision\0"
        "updateStrategy\0"
        "userNamespaces\0"
        "windowsOptions\0"
        "CSIDriverList\0"
        "CSIDriverSpec\0"
        "CSINodeDriver\0"
        "ConfigMapList\0"
        "ContainerPort\0"
        "CreateOptions\0"
        "CronJobStatus\0"
        "DaemonSetList\0"
        "DaemonSetSpec\0"
        "DeleteOptions\0"
        "EndpointHints\0"
        "EndpointSlice\0"
        "EndpointsList\0"
        "EnvFromSource\0"
        "GroupResource\0"
        "HTTPGetAction\0"
        "IngressStatus\0"
        "LabelSelector\0"
        "NamespaceList\0"
        "NamespaceSpec\0"
        "NetworkPolicy\0"
        "NodeCondition\0"
        "PodLogOptions\0"
        "Preconditions\0"
        "PriorityClass\0"
        "QuantityValue\0"
        "ResourceQuota\0"
        "ScopeSelector\0"
        "ServiceStatus\0"
        "StatusDetails\0"
        "SuccessPolicy\0"
        "UpdateOptions\0"
        "acceptedTypes\0"
        "authenticated\0"
        "conditionType\0"
        "containerName\0"
        "containerPort\0"
        "dataSourceRef\0"
        "deleteOptions\0"
        "disruptedPods\0"
        "failedIndexes\0"
        "failurePolicy\0"
        "fieldSelector\0"
        "fsGroupPolicy\0"
        "globalDefault\0"
        "includeObject\0"
        "initiatorName\0"
        "kernelVersion\0"
        "labelSelector\0"
        "lastKnownGood\0"
        "lastProbeTime\0"
        "lastScaleTime\0"
        "lastTimestamp\0"
        "livenessProbe\0"
        "managedFields\0"
        "periodSeconds\0"
        "podController\0"
        "preconditions\0"
        "readyReplicas\0"
        "reclaimPolicy\0"
        "resourceNames\0"
        "resourceRules\0"
        "restartPolicy\0"
        "rollingUpdate\0"
        "runAsUserName\0"
        "schedulerName\0"
        "scopeSelector\0"
        "serverAddress\0"
        "successPolicy\0"
        "tokenRequests\0"
        "unschedulable\0"
        "volumeDevices\0"
        "vsphereVolume\0"
        "APIGroupList\0"
        "ApplyOptions\0"
        "Capabilities\0"
        "EndpointPort\0"
        "EnvVarSource\0"
        "GroupVersion\0"
        "IngressClass\0"
        "JobCondition\0"
        "MetricTarget\0"
        "NodeFeatures\0"
        "NodeSelector\0"
        "PatchOptions\0"
        "PodCondition\0"
        "PodDNSConfig\0"
        "PodSignature\0"
        "ProbeHandler\0"
        "RawExtension\0"
        "RuntimeClass\0"
        "StorageClass\0"
        "TableOptions\0"
        "TokenRequest\0"
        "TypeChecking\0"
        "VolumeDevice\0"
        "architecture\0"
        "averageValue\0"
        "backoffLimit\0"
        "capabilities\0"
        "clientConfig\0"
        "configMapRef\0"
        "configSource\0"
        "currentValue\0"
        "evictionTime\0"
        "expectedPods\0"
        "externalName\0"
        "fieldManager\0"
        "generateName\0"
        "groupVersion\0"
        "loadBalancer\0"
        "minAvailable\0"
        "mountOptions\0"
        "nodeAffinity\0"
        "nodeSelector\0"
        "nodeTopology\0"
        "podSignature\0"
        "requirements\0"
        "resizePolicy\0"
        "resourceName\0"
        "responseKind\0"
        "restartCount\0"
        "runAsNonRoot\0"
        "seLinuxMount\0"
        "secretKeyRef\0"
        "selectPolicy\0"
        "sinceSeconds\0"
        "singularName\0"
        "startupProbe\0"
        "subresources\0"
        "targetPortal\0"
        "topologyKeys\0"
        "typeChecking\0"
        "volumeHandle\0"
        "volumeMounts\0"
        "volumeSource\0"
        "volumesInUse\0"
        "APIResource\0"
        "APIVersions\0"
        "CSINodeList\0"
        "CSINodeSpec\0"
        "ClusterRole\0"
        "CronJobList\0"
        "CronJobSpec\0"
        "EventSeries\0"
        "EventSource\0"
        "IngressList\0"
        "IngressSpec\0"
        "IntOrString\0"
        "ListOptions\0"
        "NodeAddress\0"
        "PodAffinity\0"
        "PodTemplate\0"
        "ScaleStatus\0"
        "ServiceList\0"
        "ServicePort\0"
        "ServiceSpec\0"
        "SleepAction\0"
        "StatefulSet\0"
        "StatusCause\0"
        "TokenReview\0"
        "VolumeError\0"
        "VolumeMount\0"
        "accessModes\0"
        "acquireTime\0"
        "addressType\0"
        "allocatable\0"
        "annotations\0"
        "apiVersions\0"
        "appProtocol\0"
        "attachError\0"
        "cachingMode\0"
        "completions\0"
        "containerID\0"
        "contentType\0"
        "datasetName\0"
        "datasetUUID\0"
        "defaultMode\0"
        "description\0"
        "detachError\0"
        "downwardAPI\0"
        "externalIPs\0"
        "hostAliases\0"
        "hostNetwork\0"
        "hostProcess\0"
        "httpHeaders\0"
        "jobTemplate\0"
        "matchFields\0"
        "matchLabels\0"
        "matchPolicy\0"
        "maxReplicas\0"
        "minReplicas\0"
        "nameservers\0"
        "numberReady\0"
        "onExitCodes\0"
        "parallelism\0"
        "podAffinity\0"
        "podSelector\0"
        "policyTypes\0"
        "provisioner\0"
        "rawSelector\0"
        "serviceName\0"
        "sideEffects\0"
        "storageMode\0"
        "storagePool\0"
        "subPathExpr\0"
        "subresource\0"
        "targetValue\0"
        "terminating\0"
        "tolerations\0"
        "topologyKey\0"
        "validations\0"
        "whenDeleted\0"
        "ExecAction\0"
        "ExtraValue\0"
        "GRPCAction\0"
        "GetOptions\0"
        "HTTPHeader\0"
        "IngressTLS\0"
        "LimitRange\0"
        "MetricSpec\0"
        "NodeStatus\0"
        "ObjectMeta\0"
        "ReplicaSet\0"
        "Scheduling\0"
        "SecretList\0"
        "Toleration\0"
        "WatchEvent\0"
        "apiVersion\0"
        "binaryData\0"
        "categories\0"
        "clientCIDR\0"
        "clusterIPs\0"
        "containers\0"
        "controller\0"
        "dataSource\0"
        "devicePath\0"
        "expression\0"
        "externalID\0"
        "fieldsType\0"
        "finalizers\0"
        "finishedAt\0"
        "flexVolume\0"
        "generation\0"
        "incomplete\0"
        "ipFamilies\0"
        "limitBytes\0"
        "metricName\0"
        "minDomains\0"
        "namespaced\0"
        "namespaces\0"
        "operations\0"
        "parameters\0"
        "policyName\0"
        "preference\0"
        "privileged\0"
        "providerID\0"
        "pullPolicy\0"
        "repository\0"
        "resourceID\0"
        "runAsGroup\0"
        "scheduling\0"
        "secretFile\0"
        "secretName\0"
        "shortNames\0"
        "signerName\0"
        "sslEnabled\0"
        "stringData\0"
        "systemUUID\0"
        "targetPort\0"
        "targetWWNs\0"
        "terminated\0"
        "timestamps\0"
        "volumeMode\0"
        "volumeName\0"
        "volumePath\0"
        "whenScaled\0"
        "workingDir\0"
        "CSIDriver\0"
        "ConfigMap\0"
        "EventList\0"
        "GroupKind\0"
        "HostAlias\0"
        "KeyToPath\0"
        "LeaseList\0"
        "LeaseSpec\0"
        "Lifecycle\0"
        "MicroTime\0"
        "ParamKind\0"
        "PodStatus\0"
        "RootPaths\0"
        "ScaleSpec\0"
        "addresses\0"
        "apiGroups\0"
        "audiences\0"
        "azureDisk\0"
        "azureFile\0"
        "claimName\0"
        "clusterIP\0"
        "component\0"
        "configMap\0"
        "container\0"
        "directory\0"
        "dnsConfig\0"
        "dnsPolicy\0"
        "endpoints\0"
        "ephemeral\0"
        "eventTime\0"
        "fieldPath\0"
        "freshness\0"
        "glusterfs\0"
        "hostUsers\0"
        "hostnames\0"
        "immutable\0"
        "lastState\0"
        "lifecycle\0"
        "machineID\0"
        "managedBy\0"
        "mountPath\0"
        "namespace\0"
        "operation\0"
        "paramKind\0"
        "partition\0"
        "postStart\0"
        "procMount\0"
        "projected\0"
        "regarding\0"
        "renewTime\0"
        "runAsUser\0"
        "scaleDown\0"
        "scopeName\0"
        "secretRef\0"
        "shareName\0"
        "sinceTime\0"
        "sizeBytes\0"
        "sizeLimit\0"
        "startTime\0"
        "startedAt\0"
        "stdinOnce\0"
        "storageos\0"
        "subdomain\0"
        "succeeded\0"
        "tailLines\0"
        "targetRef\0"
        "tcpSocket\0"
        "timeAdded\0"
        "valueFrom\0"
        "variables\0"
        "APIGroup\0"
        "Duration\0"
        "Eviction\0"
        "FieldsV1\0"
        "ListMeta\0"
        "Overhead\0"
        "ParamRef\0"
        "Quantity\0"
        "TypeMeta\0"
        "UserInfo\0"
        "Variable\0"
        "aPIGroup\0"
        "affinity\0"
        "apiGroup\0"
        "assigned\0"
        "attached\0"
        "attacher\0"
        "audience\0"
        "behavior\0"
        "caBundle\0"
        "capacity\0"
        "claimRef\0"
        "clientIP\0"
        "continue\0"
        "diskName\0"
        "duration\0"
        "emptyDir\0"
        "exitCode\0"
        "external\0"
        "features\0"
        "fieldRef\0"
        "fieldsV1\0"
        "forZones\0"
        "hostPath\0"
        "hostPort\0"
        "hostname\0"
        "maxSurge\0"
        "metadata\0"
        "monitors\0"
        "nodeInfo\0"
        "nodeName\0"
        "nodePort\0"
        "operator\0"
        "optional\0"
        "ordinals\0"
        "overhead\0"
        "paramRef\0"
        "pathType\0"
        "podCIDRs\0"
        "podFixed\0"
        "policies\0"
        "previous\0"
        "priority\0"
        "protocol\0"
        "qosClass\0"
        "readOnly\0"
        "registry\0"
        "replicas\0"
        "requests\0"
        "required\0"
        "revision\0"
        "schedule\0"
        "searches\0"
        "selector\0"
        "selfLink\0"
        "strategy\0"
        "subjects\0"
        "template\0"
        "timeZone\0"
        "typeMeta\0"
        "userInfo\0"
        "username\0"
        "versions\0"
        "volumeID\0"
        "webhooks\0"
        "CSINode\0"
        "CronJob\0"
        "ForZone\0"
        "IPBlock\0"
        "PodList\0"
        "PodSpec\0"
        "RoleRef\0"
        "Service\0"
        "Subject\0"
        "Unknown\0"
        "address\0"
        "allowed\0"
        "backend\0"
        "command\0"
        "current\0"
        "default\0"
        "details\0"
        "diskURI\0"
        "divisor\0"
        "drivers\0"
        "envFrom\0"
        "flocker\0"
        "fsGroup\0"
        "gateway\0"
        "gitRepo\0"
        "handler\0"
        "hostIPC\0"
        "hostIPs\0"
        "hostPID\0"
        "httpGet\0"
        "imageID\0"
        "ingress\0"
        "ipBlock\0"
        "keyring\0"
        "manager\0"
        "maxSkew\0"
        "message\0"
        "metrics\0"
        "options\0"
        "osImage\0"
        "podCIDR\0"
        "portals\0"
        "preStop\0"
        "quobyte\0"
        "related\0"
        "request\0"
        "roleRef\0"
        "running\0"
        "scaleIO\0"
        "scaleUp\0"
        "seconds\0"
        "secrets\0"
        "service\0"
        "serving\0"
        "started\0"
        "subPath\0"
        "subsets\0"
        "suspend\0"
        "sysctls\0"
        "version\0"
        "volumes\0"
        "waiting\0"
        "warning\0"
        "EnvVar\0"
        "HostIP\0"
        "Secret\0"
        "Sysctl\0"
        "action\0"
        "active\0"
        "bootID\0"
        "causes\0"
        "cephfs\0"
        "cinder\0"
        "claims\0"
        "config\0"
        "denied\0"
        "driver\0"
        "dryRun\0"
        "effect\0"
        "egress\0"
        "except\0"
        "failed\0"
        "follow\0"
        "fsType\0"
        "groups\0"
        "health\0"
        "hostIP\0"
        "images\0"
        "intVal\0"
        "ipMode\0"
        "labels\0"
        "limits\0"
        "medium\0"
        "metric\0"
        "nodeID\0"
        "number\0"
        "object\0"
        "paused\0"
        "pdName\0"
        "podIPs\0"
        "prefix\0"
        "reason\0"
        "resize\0"
        "scheme\0"
        "scopes\0"
        "secret\0"
        "series\0"
        "server\0"
        "signal\0"
        "status\0"
        "stderr\0"
        "stdout\0"
        "strVal\0"
        "stream\0"
        "string\0"
        "taints\0"
        "target\0"
        "tenant\0"
        "values\0"
        "volume\0"
        "weight\0"
        "Lease\0"
        "Patch\0"
        "PodIP\0"
        "PodOS\0"
        "Scale\0"
        "Taint\0"
        "Verbs\0"
        "error\0"
        "extra\0"
        "field\0"
        "force\0"
        "group\0"
        "hints\0"
        "hosts\0"
        "image\0"
        "iscsi\0"
        "items\0"
        "level\0"
        "limit\0"
        "linux\0"
        "local\0"
        "nanos\0"
        "paths\0"
        "phase\0"
        "podIP\0"
        "ports\0"
        "range\0"
        "ready\0"
        "rules\0"
        "scope\0"
        "sleep\0"
        "start\0"
        "state\0"
        "stdin\0"
        "token\0"
        "value\0"
        "verbs\0"
        "watch\0"
        "wwids\0"
        "args\0"
        "cidr\0"
        "code\0"
        "drop\0"
        "exec\0"
        "from\0"
        "grpc\0"
        "hard\0"
        "host\0"
        "http\0"
        "kind\0"
        "mode\0"
        "note\0"
        "path\0"
        "pdID\0"
        "pods\0"
        "pool\0"
        "port\0"
        "role\0"
        "rule\0"
        "spec\0"
        "type\0"
        "user\0"
        "verb\0"
        "zone\0"
        "Pod\0"
        "Raw\0"
        "add\0"
        "env\0"
        "gid\0"
        "iqn\0"
        "key\0"
        "lun\0"
        "max\0"
        "min\0"
        "nfs\0"
        "raw\0"
        "rbd\0"
        "tty\0"
        "uID\0"
        "uid\0"
        "url\0"
        "fc\0"
        "ip\0"
        "to\0"
        ;

const uint16_t kl_api__schema_packages[] = {
        455, /* io.k8s.api.admissionregistration.v1 */
        2370, /* io.k8s.api.apidiscovery.v2 */
        7572, /* io.k8s.api.apps.v1 */
        1901, /* io.k8s.api.authentication.v1 */
        2126, /* io.k8s.api.authorization.v1 */
        2974, /* io.k8s.api.autoscaling.v1 */
        3000, /* io.k8s.api.autoscaling.v2 */
        6669, /* io.k8s.api.batch.v1 */
        2397, /* io.k8s.api.coordination.v1 */
        7591, /* io.k8s.api.core.v1 */
        4084, /* io.k8s.api.discovery.v1 */
        5896, /* io.k8s.api.events.v1 */
        3429, /* io.k8s.api.networking.v1 */
        7610, /* io.k8s.api.node.v1 */
        5917, /* io.k8s.api.policy.v1 */
        7629, /* io.k8s.api.rbac.v1 */
        3454, /* io.k8s.api.scheduling.v1 */
        5217, /* io.k8s.api.storage.v1 */
        344, /* io.k8s.apimachinery.pkg.api.resource */
        381, /* io.k8s.apimachinery.pkg.apis.meta.v1 */
        1118, /* io.k8s.apimachinery.pkg.runtime */
        491, /* io.k8s.apimachinery.pkg.util.intstr */
};

const struct kl_api_message kl_api__schema_messages[] = {
        { 9994, 0, 0, 0, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 0 io.k8s.api.admissionregistration.v1.AuditAnnotation */
        { 7988, 2, 3, 0, 2, 3, KL_API_SPECIAL_NONE, 0 }, /* 1 io.k8s.api.admissionregistration.v1.ExpressionWarning */
        { 11213, 4, 7, 0, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 2 io.k8s.api.admissionregistration.v1.MatchCondition */
        { 11228, 6, 10, 0, 5, 7, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 3 io.k8s.api.admissionregistration.v1.MatchResources */
        { 10138, 11, 18, 0, 12, 12, KL_API_SPECIAL_NONE, 0 }, /* 4 io.k8s.api.admissionregistration.v1.MutatingWebhook */
        { 1814, 23, 31, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 5 io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration */
        { 696, 25, 34, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 6 io.k8s.api.admissionregistration.v1.MutatingWebhookConfigurationList */
        { 3748, 27, 37, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC | KL_API_MESSAGE_HAS_INLINE }, /* 7 io.k8s.api.admissionregistration.v1.NamedRuleWithOperations */
        { 15559, 29, 40, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 8 io.k8s.api.admissionregistration.v1.ParamKind */
        { 16213, 31, 43, 0, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 9 io.k8s.api.admissionregistration.v1.ParamRef */
        { 3274, 35, 48, 0, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 10 io.k8s.api.admissionregistration.v1.Rule */
        { 3753, 39, 53, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 11 io.k8s.api.admissionregistration.v1.RuleWithOperations */
        { 9317, 41, 56, 0, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 12 io.k8s.api.admissionregistration.v1.ServiceReference */
        { 13273, 45, 61, 0, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 13 io.k8s.api.admissionregistration.v1.TypeChecking */
        { 2870, 46, 63, 0, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 14 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy */
        { 828, 49, 67, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 15 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding */
        { 270, 51, 70, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 16 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingList */
        { 307, 53, 73, 0, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 17 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec */
        { 1547, 57, 78, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 18 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyList */
        { 1577, 59, 81, 0, 7, 7, KL_API_SPECIAL_NONE, 0 }, /* 19 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec */
        { 1054, 66, 89, 0, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 20 io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyStatus */
        { 8330, 69, 93, 0, 11, 11, KL_API_SPECIAL_NONE, 0 }, /* 21 io.k8s.api.admissionregistration.v1.ValidatingWebhook */
        { 1244, 80, 105, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 22 io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration */
        { 527, 82, 108, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 23 io.k8s.api.admissionregistration.v1.ValidatingWebhookConfigurationList */
        { 10607, 84, 111, 0, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 24 io.k8s.api.admissionregistration.v1.Validation */
        { 16249, 88, 116, 0, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 25 io.k8s.api.admissionregistration.v1.Variable */
        { 6509, 90, 119, 0, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 26 io.k8s.api.admissionregistration.v1.WebhookClientConfig */
        { 7952, 93, 123, 1, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 27 io.k8s.api.apidiscovery.v2.APIGroupDiscovery */
        { 4667, 95, 126, 1, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 28 io.k8s.api.apidiscovery.v2.APIGroupDiscoveryList */
        { 5371, 97, 129, 1, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 29 io.k8s.api.apidiscovery.v2.APIResourceDiscovery */
        { 3604, 105, 138, 1, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 30 io.k8s.api.apidiscovery.v2.APISubresourceDiscovery */
        { 6169, 109, 143, 1, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 31 io.k8s.api.apidiscovery.v2.APIVersionDiscovery */
        { 6983, 112, 147, 2, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 32 io.k8s.api.apps.v1.ControllerRevision */
        { 4322, 115, 151, 2, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 33 io.k8s.api.apps.v1.ControllerRevisionList */
        { 4404, 117, 154, 2, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 34 io.k8s.api.apps.v1.DaemonSet */
        { 7002, 120, 158, 2, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 35 io.k8s.api.apps.v1.DaemonSetCondition */
        { 12076, 125, 164, 2, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 36 io.k8s.api.apps.v1.DaemonSetList */
        { 12090, 127, 167, 2, 5, 6, KL_API_SPECIAL_NONE, 0 }, /* 37 io.k8s.api.apps.v1.DaemonSetSpec */
        { 10058, 132, 174, 2, 10, 10, KL_API_SPECIAL_NONE, 0 }, /* 38 io.k8s.api.apps.v1.DaemonSetStatus */
        { 3628, 142, 185, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 39 io.k8s.api.apps.v1.DaemonSetUpdateStrategy */
        { 3905, 144, 188, 2, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 40 io.k8s.api.apps.v1.Deployment */
        { 6229, 147, 192, 2, 6, 7, KL_API_SPECIAL_NONE, 0 }, /* 41 io.k8s.api.apps.v1.DeploymentCondition */
        { 11093, 153, 200, 2, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 42 io.k8s.api.apps.v1.DeploymentList */
        { 11108, 155, 203, 2, 8, 9, KL_API_SPECIAL_NONE, 0 }, /* 43 io.k8s.api.apps.v1.DeploymentSpec */
        { 8960, 163, 213, 2, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 44 io.k8s.api.apps.v1.DeploymentStatus */
        { 7021, 171, 222, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 45 io.k8s.api.apps.v1.DeploymentStrategy */
        { 14854, 173, 225, 2, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 46 io.k8s.api.apps.v1.ReplicaSet */
        { 6369, 176, 229, 2, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 47 io.k8s.api.apps.v1.ReplicaSetCondition */
        { 11288, 181, 235, 2, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 48 io.k8s.api.apps.v1.ReplicaSetList */
        { 11303, 183, 238, 2, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 49 io.k8s.api.apps.v1.ReplicaSetSpec */
        { 9266, 187, 243, 2, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 50 io.k8s.api.apps.v1.ReplicaSetStatus */
        { 4391, 193, 250, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 51 io.k8s.api.apps.v1.RollingUpdateDaemonSet */
        { 3892, 195, 253, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 52 io.k8s.api.apps.v1.RollingUpdateDeployment */
        { 762, 197, 256, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 53 io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy */
        { 14084, 199, 259, 2, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 54 io.k8s.api.apps.v1.StatefulSet */
        { 5665, 202, 263, 2, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 55 io.k8s.api.apps.v1.StatefulSetCondition */
        { 10346, 207, 269, 2, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 56 io.k8s.api.apps.v1.StatefulSetList */
        { 6469, 209, 272, 2, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 57 io.k8s.api.apps.v1.StatefulSetOrdinals */
        { 49, 210, 274, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 58 io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy */
        { 10362, 212, 277, 2, 11, 11, KL_API_SPECIAL_NONE, 0 }, /* 59 io.k8s.api.apps.v1.StatefulSetSpec */
        { 8276, 223, 289, 2, 10, 11, KL_API_SPECIAL_NONE, 0 }, /* 60 io.k8s.api.apps.v1.StatefulSetStatus */
        { 2792, 233, 301, 2, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 61 io.k8s.api.apps.v1.StatefulSetUpdateStrategy */
        { 5392, 235, 304, 3, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 62 io.k8s.api.authentication.v1.BoundObjectReference */
        { 14755, 239, 309, 3, 1, 1, KL_API_SPECIAL_STRING_LIST, 0 }, /* 63 io.k8s.api.authentication.v1.ExtraValue */
        { 8258, 240, 311, 3, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 64 io.k8s.api.authentication.v1.SelfSubjectReview */
        { 3940, 242, 314, 3, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 65 io.k8s.api.authentication.v1.SelfSubjectReviewStatus */
        { 13260, 243, 316, 3, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 66 io.k8s.api.authentication.v1.TokenRequest */
        { 9351, 246, 320, 3, 3, 4, KL_API_SPECIAL_NONE, 0 }, /* 67 io.k8s.api.authentication.v1.TokenRequestSpec */
        { 7306, 249, 325, 3, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 68 io.k8s.api.authentication.v1.TokenRequestStatus */
        { 14108, 251, 328, 3, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 69 io.k8s.api.authentication.v1.TokenReview */
        { 10394, 254, 332, 3, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 70 io.k8s.api.authentication.v1.TokenReviewSpec */
        { 8312, 256, 335, 3, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 71 io.k8s.api.authentication.v1.TokenReviewStatus */
        { 16240, 260, 340, 3, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 72 io.k8s.api.authentication.v1.UserInfo */
        { 14755, 264, 345, 4, 1, 1, KL_API_SPECIAL_STRING_LIST, 0 }, /* 73 io.k8s.api.authorization.v1.ExtraValue */
        { 3676, 265, 347, 4, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 74 io.k8s.api.authorization.v1.FieldSelectorAttributes */
        { 3724, 267, 350, 4, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 75 io.k8s.api.authorization.v1.LabelSelectorAttributes */
        { 3229, 269, 353, 4, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 76 io.k8s.api.authorization.v1.LocalSubjectAccessReview */
        { 4931, 272, 357, 4, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 77 io.k8s.api.authorization.v1.NonResourceAttributes */
        { 10186, 274, 360, 4, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 78 io.k8s.api.authorization.v1.NonResourceRule */
        { 4934, 276, 363, 4, 9, 9, KL_API_SPECIAL_NONE, 0 }, /* 79 io.k8s.api.authorization.v1.ResourceAttributes */
        { 10189, 285, 373, 4, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 80 io.k8s.api.authorization.v1.ResourceRule */
        { 3916, 289, 378, 4, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 81 io.k8s.api.authorization.v1.SelfSubjectAccessReview */
        { 2098, 292, 382, 4, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 82 io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec */
        { 4414, 294, 385, 4, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 83 io.k8s.api.authorization.v1.SelfSubjectRulesReview */
        { 2235, 297, 389, 4, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 84 io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec */
        { 3234, 298, 391, 4, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 85 io.k8s.api.authorization.v1.SubjectAccessReview */
        { 2102, 301, 395, 4, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 86 io.k8s.api.authorization.v1.SubjectAccessReviewSpec */
        { 2818, 307, 402, 4, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 87 io.k8s.api.authorization.v1.SubjectAccessReviewStatus */
        { 3279, 311, 407, 4, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 88 io.k8s.api.authorization.v1.SubjectRulesReviewStatus */
        { 1337, 315, 412, 5, 4, 5, KL_API_SPECIAL_NONE, 0 }, /* 89 io.k8s.api.autoscaling.v1.ContainerResourceMetricSource */
        { 1367, 319, 418, 5, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 90 io.k8s.api.autoscaling.v1.ContainerResourceMetricStatus */
        { 1930, 323, 423, 5, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 91 io.k8s.api.autoscaling.v1.CrossVersionObjectReference */
        { 5455, 326, 427, 5, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 92 io.k8s.api.autoscaling.v1.ExternalMetricSource */
        { 5476, 330, 432, 5, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 93 io.k8s.api.autoscaling.v1.ExternalMetricStatus */
        { 3700, 334, 437, 5, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 94 io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler */
        { 663, 337, 441, 5, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 95 io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerCondition */
        { 1958, 342, 447, 5, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 96 io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerList */
        { 1986, 344, 450, 5, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 97 io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec */
        { 1427, 348, 455, 5, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 98 io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus */
        { 14821, 353, 461, 5, 6, 7, KL_API_SPECIAL_NONE, 0 }, /* 99 io.k8s.api.autoscaling.v1.MetricSpec */
        { 1384, 359, 469, 5, 6, 7, KL_API_SPECIAL_NONE, 0 }, /* 100 io.k8s.api.autoscaling.v1.MetricStatus */
        { 7173, 365, 477, 5, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 101 io.k8s.api.autoscaling.v1.ObjectMetricSource */
        { 7192, 370, 483, 5, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 102 io.k8s.api.autoscaling.v1.ObjectMetricStatus */
        { 9232, 375, 489, 5, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 103 io.k8s.api.autoscaling.v1.PodsMetricSource */
        { 9249, 378, 493, 5, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 104 io.k8s.api.autoscaling.v1.PodsMetricStatus */
        { 1346, 381, 497, 5, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 105 io.k8s.api.autoscaling.v1.ResourceMetricSource */
        { 1376, 384, 501, 5, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 106 io.k8s.api.autoscaling.v1.ResourceMetricStatus */
        { 17768, 387, 505, 5, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 107 io.k8s.api.autoscaling.v1.Scale */
        { 15589, 390, 509, 5, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 108 io.k8s.api.autoscaling.v1.ScaleSpec */
        { 14024, 391, 511, 5, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 109 io.k8s.api.autoscaling.v1.ScaleStatus */
        { 1337, 393, 514, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 110 io.k8s.api.autoscaling.v2.ContainerResourceMetricSource */
        { 1367, 396, 518, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 111 io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus */
        { 1930, 399, 522, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 112 io.k8s.api.autoscaling.v2.CrossVersionObjectReference */
        { 5455, 402, 526, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 113 io.k8s.api.autoscaling.v2.ExternalMetricSource */
        { 5476, 404, 529, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 114 io.k8s.api.autoscaling.v2.ExternalMetricStatus */
        { 9011, 406, 532, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 115 io.k8s.api.autoscaling.v2.HPAScalingPolicy */
        { 10090, 409, 536, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 116 io.k8s.api.autoscaling.v2.HPAScalingRules */
        { 3700, 412, 540, 6, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 117 io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler */
        { 958, 415, 544, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 118 io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior */
        { 663, 417, 547, 6, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 119 io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition */
        { 1958, 422, 553, 6, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 120 io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerList */
        { 1986, 424, 556, 6, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 121 io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec */
        { 1427, 429, 562, 6, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 122 io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus */
        { 9079, 435, 569, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 123 io.k8s.api.autoscaling.v2.MetricIdentifier */
        { 14821, 437, 572, 6, 6, 7, KL_API_SPECIAL_NONE, 0 }, /* 124 io.k8s.api.autoscaling.v2.MetricSpec */
        { 1384, 443, 580, 6, 6, 7, KL_API_SPECIAL_NONE, 0 }, /* 125 io.k8s.api.autoscaling.v2.MetricStatus */
        { 13104, 449, 588, 6, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 126 io.k8s.api.autoscaling.v2.MetricTarget */
        { 8078, 453, 593, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 127 io.k8s.api.autoscaling.v2.MetricValueStatus */
        { 7173, 456, 597, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 128 io.k8s.api.autoscaling.v2.ObjectMetricSource */
        { 7192, 459, 601, 6, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 129 io.k8s.api.autoscaling.v2.ObjectMetricStatus */
        { 9232, 462, 605, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 130 io.k8s.api.autoscaling.v2.PodsMetricSource */
        { 9249, 464, 608, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 131 io.k8s.api.autoscaling.v2.PodsMetricStatus */
        { 1346, 466, 611, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 132 io.k8s.api.autoscaling.v2.ResourceMetricSource */
        { 1376, 468, 614, 6, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 133 io.k8s.api.autoscaling.v2.ResourceMetricStatus */
        { 16842, 470, 617, 7, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 134 io.k8s.api.batch.v1.CronJob */
        { 13892, 473, 621, 7, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 135 io.k8s.api.batch.v1.CronJobList */
        { 13904, 475, 624, 7, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 136 io.k8s.api.batch.v1.CronJobSpec */
        { 12062, 483, 633, 7, 3, 5, KL_API_SPECIAL_NONE, 0 }, /* 137 io.k8s.api.batch.v1.CronJobStatus */
        { 16846, 486, 639, 7, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 138 io.k8s.api.batch.v1.Job */
        { 13091, 489, 643, 7, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 139 io.k8s.api.batch.v1.JobCondition */
        { 13896, 495, 650, 7, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 140 io.k8s.api.batch.v1.JobList */
        { 13908, 497, 653, 7, 16, 16, KL_API_SPECIAL_NONE, 0 }, /* 141 io.k8s.api.batch.v1.JobSpec */
        { 12066, 513, 670, 7, 11, 11, KL_API_SPECIAL_NONE, 0 }, /* 142 io.k8s.api.batch.v1.JobStatus */
        { 10122, 524, 682, 7, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 143 io.k8s.api.batch.v1.JobTemplateSpec */
        { 9181, 526, 685, 7, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 144 io.k8s.api.batch.v1.PodFailurePolicy */
        { 192, 527, 687, 7, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 145 io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement */
        { 231, 530, 691, 7, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 146 io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern */
        { 5602, 532, 694, 7, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 147 io.k8s.api.batch.v1.PodFailurePolicyRule */
        { 12398, 535, 698, 7, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 148 io.k8s.api.batch.v1.SuccessPolicy */
        { 8294, 536, 700, 7, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 149 io.k8s.api.batch.v1.SuccessPolicyRule */
        { 3964, 538, 703, 7, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 150 io.k8s.api.batch.v1.UncountedTerminatedPods */
        { 17744, 540, 706, 8, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 151 io.k8s.api.coordination.v1.Lease */
        { 15519, 542, 709, 8, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 152 io.k8s.api.coordination.v1.LeaseList */
        { 15529, 544, 712, 8, 7, 7, KL_API_SPECIAL_NONE, 0 }, /* 153 io.k8s.api.coordination.v1.LeaseSpec */
        { 630, 551, 720, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 154 io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource */
        { 7335, 555, 725, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 155 io.k8s.api.core.v1.Affinity */
        { 9978, 558, 729, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 156 io.k8s.api.core.v1.AppArmorProfile */
        { 11018, 560, 732, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 157 io.k8s.api.core.v1.AttachedVolume */
        { 10800, 562, 735, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 158 io.k8s.api.core.v1.AvoidPods */
        { 4689, 563, 737, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 159 io.k8s.api.core.v1.AzureDiskVolumeSource */
        { 894, 569, 744, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 160 io.k8s.api.core.v1.AzureFilePersistentVolumeSource */
        { 4711, 573, 749, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 161 io.k8s.api.core.v1.AzureFileVolumeSource */
        { 853, 576, 753, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 162 io.k8s.api.core.v1.Binding */
        { 2016, 578, 756, 9, 10, 10, KL_API_SPECIAL_NONE, 0 }, /* 163 io.k8s.api.core.v1.CSIPersistentVolumeSource */
        { 8008, 588, 767, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 164 io.k8s.api.core.v1.CSIVolumeSource */
        { 13026, 593, 773, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 165 io.k8s.api.core.v1.Capabilities */
        { 1727, 595, 776, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 166 io.k8s.api.core.v1.CephFSPersistentVolumeSource */
        { 6888, 601, 783, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 167 io.k8s.api.core.v1.CephFSVolumeSource */
        { 1756, 607, 790, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 168 io.k8s.api.core.v1.CinderPersistentVolumeSource */
        { 6907, 611, 795, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 169 io.k8s.api.core.v1.CinderVolumeSource */
        { 11033, 615, 800, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 170 io.k8s.api.core.v1.ClientIPConfig */
        { 1785, 616, 802, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 171 io.k8s.api.core.v1.ClusterTrustBundleProjection */
        { 6945, 621, 808, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 172 io.k8s.api.core.v1.ComponentCondition */
        { 10026, 625, 813, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 173 io.k8s.api.core.v1.ComponentStatus */
        { 6189, 627, 816, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 174 io.k8s.api.core.v1.ComponentStatusList */
        { 15469, 629, 819, 9, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 175 io.k8s.api.core.v1.ConfigMap */
        { 6964, 633, 824, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 176 io.k8s.api.core.v1.ConfigMapEnvSource */
        { 5413, 635, 827, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC | KL_API_MESSAGE_HAS_INLINE }, /* 177 io.k8s.api.core.v1.ConfigMapKeySelector */
        { 12020, 638, 831, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 178 io.k8s.api.core.v1.ConfigMapList */
        { 2532, 640, 834, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 179 io.k8s.api.core.v1.ConfigMapNodeConfigSource */
        { 6209, 645, 840, 9, 3, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 180 io.k8s.api.core.v1.ConfigMapProjection */
        { 4733, 648, 845, 9, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 181 io.k8s.api.core.v1.ConfigMapVolumeSource */
        { 7068, 652, 850, 9, 24, 24, KL_API_SPECIAL_NONE, 0 }, /* 182 io.k8s.api.core.v1.Container */
        { 11048, 676, 875, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 183 io.k8s.api.core.v1.ContainerImage */
        { 12034, 678, 878, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 184 io.k8s.api.core.v1.ContainerPort */
        { 4755, 683, 884, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 185 io.k8s.api.core.v1.ContainerResizePolicy */
        { 11063, 685, 887, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 186 io.k8s.api.core.v1.ContainerState */
        { 4777, 688, 891, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 187 io.k8s.api.core.v1.ContainerStateRunning */
        { 3104, 689, 893, 9, 7, 7, KL_API_SPECIAL_NONE, 0 }, /* 188 io.k8s.api.core.v1.ContainerStateTerminated */
        { 4799, 696, 901, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 189 io.k8s.api.core.v1.ContainerStateWaiting */
        { 10042, 698, 904, 9, 14, 14, KL_API_SPECIAL_NONE, 0 }, /* 190 io.k8s.api.core.v1.ContainerStatus */
        { 7083, 712, 919, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 191 io.k8s.api.core.v1.ContainerUser */
        { 11078, 713, 921, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 192 io.k8s.api.core.v1.DaemonEndpoint */
        { 4821, 714, 923, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 193 io.k8s.api.core.v1.DownwardAPIProjection */
        { 4843, 715, 925, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 194 io.k8s.api.core.v1.DownwardAPIVolumeFile */
        { 3652, 719, 930, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 195 io.k8s.api.core.v1.DownwardAPIVolumeSource */
        { 5434, 721, 933, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 196 io.k8s.api.core.v1.EmptyDirVolumeSource */
        { 10074, 723, 936, 9, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 197 io.k8s.api.core.v1.EndpointAddress */
        { 13039, 727, 941, 9, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 198 io.k8s.api.core.v1.EndpointPort */
        { 11123, 731, 946, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 199 io.k8s.api.core.v1.EndpointSubset */
        { 6299, 734, 950, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 200 io.k8s.api.core.v1.Endpoints */
        { 12146, 736, 953, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 201 io.k8s.api.core.v1.EndpointsList */
        { 12160, 738, 956, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 202 io.k8s.api.core.v1.EnvFromSource */
        { 17338, 741, 960, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 203 io.k8s.api.core.v1.EnvVar */
        { 13052, 744, 964, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 204 io.k8s.api.core.v1.EnvVarSource */
        { 7059, 748, 969, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 205 io.k8s.api.core.v1.EphemeralContainer */
        { 3129, 750, 972, 9, 24, 24, KL_API_SPECIAL_NONE, 0 }, /* 206 io.k8s.api.core.v1.EphemeralContainerCommon */
        { 4865, 774, 997, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 207 io.k8s.api.core.v1.EphemeralVolumeSource */
        { 14903, 775, 999, 9, 15, 15, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 208 io.k8s.api.core.v1.Event */
        { 15479, 790, 1015, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 209 io.k8s.api.core.v1.EventList */
        { 13916, 792, 1018, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 210 io.k8s.api.core.v1.EventSeries */
        { 13928, 794, 1021, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 211 io.k8s.api.core.v1.EventSource */
        { 14744, 796, 1024, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 212 io.k8s.api.core.v1.ExecAction */
        { 11138, 797, 1026, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 213 io.k8s.api.core.v1.FCVolumeSource */
        { 2154, 802, 1032, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 214 io.k8s.api.core.v1.FlexPersistentVolumeSource */
        { 8977, 807, 1038, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 215 io.k8s.api.core.v1.FlexVolumeSource */
        { 6249, 812, 1044, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 216 io.k8s.api.core.v1.FlockerVolumeSource */
        { 1397, 814, 1047, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 217 io.k8s.api.core.v1.GCEPersistentDiskVolumeSource */
        { 14766, 818, 1052, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 218 io.k8s.api.core.v1.GRPCAction */
        { 6269, 820, 1055, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 219 io.k8s.api.core.v1.GitRepoVolumeSource */
        { 926, 823, 1059, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 220 io.k8s.api.core.v1.GlusterfsPersistentVolumeSource */
        { 4887, 827, 1064, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 221 io.k8s.api.core.v1.GlusterfsVolumeSource */
        { 12188, 830, 1068, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 222 io.k8s.api.core.v1.HTTPGetAction */
        { 14788, 835, 1074, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 223 io.k8s.api.core.v1.HTTPHeader */
        { 15499, 837, 1077, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 224 io.k8s.api.core.v1.HostAlias */
        { 17345, 839, 1080, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 225 io.k8s.api.core.v1.HostIP */
        { 5539, 840, 1082, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 226 io.k8s.api.core.v1.HostPathVolumeSource */
        { 2014, 842, 1085, 9, 11, 12, KL_API_SPECIAL_NONE, 0 }, /* 227 io.k8s.api.core.v1.ISCSIPersistentVolumeSource */
        { 8006, 853, 1098, 9, 11, 12, KL_API_SPECIAL_NONE, 0 }, /* 228 io.k8s.api.core.v1.ISCSIVolumeSource */
        { 8024, 864, 1111, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 229 io.k8s.api.core.v1.ImageVolumeSource */
        { 15509, 866, 1114, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 230 io.k8s.api.core.v1.KeyToPath */
        { 15539, 869, 1118, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 231 io.k8s.api.core.v1.Lifecycle */
        { 9062, 871, 1121, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 232 io.k8s.api.core.v1.LifecycleHandler */
        { 14810, 875, 1126, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 233 io.k8s.api.core.v1.LimitRange */
        { 11168, 877, 1129, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 234 io.k8s.api.core.v1.LimitRangeItem */
        { 11183, 883, 1136, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 235 io.k8s.api.core.v1.LimitRangeList */
        { 11198, 885, 1139, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 236 io.k8s.api.core.v1.LimitRangeSpec */
        { 7078, 886, 1141, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 237 io.k8s.api.core.v1.LinuxContainerUser */
        { 302, 889, 1145, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 238 io.k8s.api.core.v1.List */
        { 2188, 891, 1148, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 239 io.k8s.api.core.v1.LoadBalancerIngress */
        { 2565, 895, 1153, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 240 io.k8s.api.core.v1.LoadBalancerStatus */
        { 2849, 896, 1155, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 241 io.k8s.api.core.v1.LocalObjectReference */
        { 8060, 897, 1157, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 242 io.k8s.api.core.v1.LocalVolumeSource */
        { 7116, 899, 1160, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 243 io.k8s.api.core.v1.ModifyVolumeStatus */
        { 10154, 901, 1163, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 244 io.k8s.api.core.v1.NFSVolumeSource */
        { 5361, 904, 1167, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 245 io.k8s.api.core.v1.Namespace */
        { 7135, 907, 1171, 9, 5, 6, KL_API_SPECIAL_NONE, 0 }, /* 246 io.k8s.api.core.v1.NamespaceCondition */
        { 12230, 912, 1178, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 247 io.k8s.api.core.v1.NamespaceList */
        { 12244, 914, 1181, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 248 io.k8s.api.core.v1.NamespaceSpec */
        { 10170, 915, 1183, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 249 io.k8s.api.core.v1.NamespaceStatus */
        { 16837, 917, 1186, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 250 io.k8s.api.core.v1.Node */
        { 13988, 920, 1190, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 251 io.k8s.api.core.v1.NodeAddress */
        { 7331, 922, 1193, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 252 io.k8s.api.core.v1.NodeAffinity */
        { 12272, 924, 1196, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 253 io.k8s.api.core.v1.NodeCondition */
        { 2541, 930, 1203, 9, 1, 2, KL_API_SPECIAL_NONE, 0 }, /* 254 io.k8s.api.core.v1.NodeConfigSource */
        { 9096, 931, 1206, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 255 io.k8s.api.core.v1.NodeConfigStatus */
        { 6289, 935, 1211, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 256 io.k8s.api.core.v1.NodeDaemonEndpoints */
        { 13117, 936, 1213, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 257 io.k8s.api.core.v1.NodeFeatures */
        { 13859, 937, 1215, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 258 io.k8s.api.core.v1.NodeList */
        { 9113, 939, 1218, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 259 io.k8s.api.core.v1.NodeProxyOptions */
        { 7154, 940, 1220, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 260 io.k8s.api.core.v1.NodeRuntimeHandler */
        { 2208, 942, 1223, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 261 io.k8s.api.core.v1.NodeRuntimeHandlerFeatures */
        { 13130, 944, 1226, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 262 io.k8s.api.core.v1.NodeSelector */
        { 3796, 945, 1228, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 263 io.k8s.api.core.v1.NodeSelectorRequirement */
        { 9130, 948, 1232, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 264 io.k8s.api.core.v1.NodeSelectorTerm */
        { 13871, 950, 1235, 9, 7, 7, KL_API_SPECIAL_NONE, 0 }, /* 265 io.k8s.api.core.v1.NodeSpec */
        { 14832, 957, 1243, 9, 13, 13, KL_API_SPECIAL_NONE, 0 }, /* 266 io.k8s.api.core.v1.NodeStatus */
        { 11243, 970, 1257, 9, 10, 10, KL_API_SPECIAL_NONE, 0 }, /* 267 io.k8s.api.core.v1.NodeSystemInfo */
        { 6309, 980, 1268, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 268 io.k8s.api.core.v1.ObjectFieldSelector */
        { 1942, 982, 1271, 9, 7, 7, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 269 io.k8s.api.core.v1.ObjectReference */
        { 9147, 989, 1279, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 270 io.k8s.api.core.v1.PersistentVolume */
        { 4975, 992, 1283, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 271 io.k8s.api.core.v1.PersistentVolumeClaim */
        { 1182, 995, 1287, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 272 io.k8s.api.core.v1.PersistentVolumeClaimCondition */
        { 2610, 1001, 1294, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 273 io.k8s.api.core.v1.PersistentVolumeClaimList */
        { 2636, 1003, 1297, 9, 9, 9, KL_API_SPECIAL_NONE, 0 }, /* 274 io.k8s.api.core.v1.PersistentVolumeClaimSpec */
        { 2042, 1012, 1307, 9, 8, 9, KL_API_SPECIAL_NONE, 0 }, /* 275 io.k8s.api.core.v1.PersistentVolumeClaimStatus */
        { 1457, 1020, 1317, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 276 io.k8s.api.core.v1.PersistentVolumeClaimTemplate */
        { 562, 1022, 1320, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 277 io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource */
        { 5560, 1024, 1323, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 278 io.k8s.api.core.v1.PersistentVolumeList */
        { 903, 1026, 1326, 9, 22, 22, KL_API_SPECIAL_NONE, 0 }, /* 279 io.k8s.api.core.v1.PersistentVolumeSource */
        { 5581, 1048, 1349, 9, 10, 10, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 280 io.k8s.api.core.v1.PersistentVolumeSpec */
        { 4345, 1058, 1360, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 281 io.k8s.api.core.v1.PersistentVolumeStatus */
        { 729, 1062, 1365, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 282 io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource */
        { 18103, 1064, 1368, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 283 io.k8s.api.core.v1.Pod */
        { 14000, 1067, 1372, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 284 io.k8s.api.core.v1.PodAffinity */
        { 3996, 1069, 1375, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 285 io.k8s.api.core.v1.PodAffinityTerm */
        { 10202, 1075, 1382, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 286 io.k8s.api.core.v1.PodAntiAffinity */
        { 9164, 1077, 1385, 9, 5, 5, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 287 io.k8s.api.core.v1.PodAttachOptions */
        { 13156, 1082, 1391, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 288 io.k8s.api.core.v1.PodCondition */
        { 13169, 1088, 1398, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 289 io.k8s.api.core.v1.PodDNSConfig */
        { 7211, 1091, 1402, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 290 io.k8s.api.core.v1.PodDNSConfigOption */
        { 11273, 1093, 1405, 9, 6, 6, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 291 io.k8s.api.core.v1.PodExecOptions */
        { 17756, 1099, 1412, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 292 io.k8s.api.core.v1.PodIP */
        { 16866, 1100, 1414, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 293 io.k8s.api.core.v1.PodList */
        { 12286, 1102, 1417, 9, 10, 10, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 294 io.k8s.api.core.v1.PodLogOptions */
        { 17762, 1112, 1428, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 295 io.k8s.api.core.v1.PodOS */
        { 4997, 1113, 1430, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 296 io.k8s.api.core.v1.PodPortForwardOptions */
        { 10218, 1114, 1432, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 297 io.k8s.api.core.v1.PodProxyOptions */
        { 9198, 1115, 1434, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 298 io.k8s.api.core.v1.PodReadinessGate */
        { 9215, 1116, 1436, 9, 3, 4, KL_API_SPECIAL_NONE, 0 }, /* 299 io.k8s.api.core.v1.PodResourceClaim */
        { 4368, 1119, 1441, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 300 io.k8s.api.core.v1.PodResourceClaimStatus */
        { 8168, 1121, 1444, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 301 io.k8s.api.core.v1.PodSchedulingGate */
        { 7230, 1122, 1446, 9, 13, 13, KL_API_SPECIAL_NONE, 0 }, /* 302 io.k8s.api.core.v1.PodSecurityContext */
        { 13182, 1135, 1460, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 303 io.k8s.api.core.v1.PodSignature */
        { 16874, 1136, 1462, 9, 40, 40, KL_API_SPECIAL_NONE, 0 }, /* 304 io.k8s.api.core.v1.PodSpec */
        { 15569, 1176, 1503, 9, 16, 16, KL_API_SPECIAL_NONE, 0 }, /* 305 io.k8s.api.core.v1.PodStatus */
        { 10234, 1192, 1520, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 306 io.k8s.api.core.v1.PodStatusResult */
        { 14012, 1194, 1523, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 307 io.k8s.api.core.v1.PodTemplate */
        { 10250, 1196, 1526, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 308 io.k8s.api.core.v1.PodTemplateList */
        { 10266, 1198, 1529, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 309 io.k8s.api.core.v1.PodTemplateSpec */
        { 8049, 1200, 1532, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 310 io.k8s.api.core.v1.PortStatus */
        { 5623, 1203, 1536, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 311 io.k8s.api.core.v1.PortworxVolumeSource */
        { 12300, 1206, 1540, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 312 io.k8s.api.core.v1.Preconditions */
        { 5644, 1207, 1542, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 313 io.k8s.api.core.v1.PreferAvoidPodsEntry */
        { 3868, 1211, 1547, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 314 io.k8s.api.core.v1.PreferredSchedulingTerm */
        { 11807, 1213, 1550, 9, 7, 7, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 315 io.k8s.api.core.v1.Probe */
        { 13195, 1220, 1558, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 316 io.k8s.api.core.v1.ProbeHandler */
        { 5019, 1224, 1563, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 317 io.k8s.api.core.v1.ProjectedVolumeSource */
        { 6349, 1226, 1566, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 318 io.k8s.api.core.v1.QuobyteVolumeSource */
        { 2688, 1232, 1573, 9, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 319 io.k8s.api.core.v1.RBDPersistentVolumeSource */
        { 10282, 1240, 1582, 9, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 320 io.k8s.api.core.v1.RBDVolumeSource */
        { 10298, 1248, 1591, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 321 io.k8s.api.core.v1.RangeAllocation */
        { 5041, 1251, 1595, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 322 io.k8s.api.core.v1.ReplicationController */
        { 1213, 1254, 1599, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 323 io.k8s.api.core.v1.ReplicationControllerCondition */
        { 2714, 1259, 1605, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 324 io.k8s.api.core.v1.ReplicationControllerList */
        { 2740, 1261, 1608, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 325 io.k8s.api.core.v1.ReplicationControllerSpec */
        { 2070, 1265, 1613, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 326 io.k8s.api.core.v1.ReplicationControllerStatus */
        { 9218, 1271, 1620, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 327 io.k8s.api.core.v1.ResourceClaim */
        { 5063, 1273, 1623, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 328 io.k8s.api.core.v1.ResourceFieldSelector */
        { 11318, 1276, 1627, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 329 io.k8s.api.core.v1.ResourceHealth */
        { 12342, 1278, 1630, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 330 io.k8s.api.core.v1.ResourceQuota */
        { 8204, 1281, 1634, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 331 io.k8s.api.core.v1.ResourceQuotaList */
        { 8222, 1283, 1637, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 332 io.k8s.api.core.v1.ResourceQuotaSpec */
        { 6389, 1286, 1641, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 333 io.k8s.api.core.v1.ResourceQuotaStatus */
        { 2268, 1288, 1644, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 334 io.k8s.api.core.v1.ResourceRequirements */
        { 11333, 1291, 1648, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 335 io.k8s.api.core.v1.ResourceStatus */
        { 11348, 1293, 1651, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 336 io.k8s.api.core.v1.SELinuxOptions */
        { 1487, 1297, 1656, 9, 10, 10, KL_API_SPECIAL_NONE, 0 }, /* 337 io.k8s.api.core.v1.ScaleIOPersistentVolumeSource */
        { 6409, 1307, 1667, 9, 10, 10, KL_API_SPECIAL_NONE, 0 }, /* 338 io.k8s.api.core.v1.ScaleIOVolumeSource */
        { 12356, 1317, 1678, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 339 io.k8s.api.core.v1.ScopeSelector */
        { 596, 1318, 1680, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 340 io.k8s.api.core.v1.ScopedResourceSelectorRequirement */
        { 11363, 1321, 1684, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 341 io.k8s.api.core.v1.SeccompProfile */
        { 17352, 1323, 1687, 9, 5, 5, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 342 io.k8s.api.core.v1.Secret */
        { 10314, 1328, 1693, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 343 io.k8s.api.core.v1.SecretEnvSource */
        { 8240, 1330, 1696, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC | KL_API_MESSAGE_HAS_INLINE }, /* 344 io.k8s.api.core.v1.SecretKeySelector */
        { 14876, 1333, 1700, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 345 io.k8s.api.core.v1.SecretList */
        { 9300, 1335, 1703, 9, 3, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 346 io.k8s.api.core.v1.SecretProjection */
        { 10330, 1338, 1708, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 347 io.k8s.api.core.v1.SecretReference */
        { 7249, 1340, 1711, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 348 io.k8s.api.core.v1.SecretVolumeSource */
        { 7233, 1344, 1716, 9, 12, 12, KL_API_SPECIAL_NONE, 0 }, /* 349 io.k8s.api.core.v1.SecurityContext */
        { 6429, 1356, 1729, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 350 io.k8s.api.core.v1.SerializedReference */
        { 16890, 1357, 1731, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 351 io.k8s.api.core.v1.Service */
        { 11378, 1360, 1735, 9, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 352 io.k8s.api.core.v1.ServiceAccount */
        { 7268, 1364, 1740, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 353 io.k8s.api.core.v1.ServiceAccountList */
        { 1517, 1366, 1743, 9, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 354 io.k8s.api.core.v1.ServiceAccountTokenProjection */
        { 14036, 1369, 1747, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 355 io.k8s.api.core.v1.ServiceList */
        { 14048, 1371, 1750, 9, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 356 io.k8s.api.core.v1.ServicePort */
        { 6449, 1377, 1757, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 357 io.k8s.api.core.v1.ServiceProxyOptions */
        { 14060, 1378, 1759, 9, 20, 23, KL_API_SPECIAL_NONE, 0 }, /* 358 io.k8s.api.core.v1.ServiceSpec */
        { 12370, 1398, 1783, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 359 io.k8s.api.core.v1.ServiceStatus */
        { 5085, 1400, 1786, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 360 io.k8s.api.core.v1.SessionAffinityConfig */
        { 14072, 1401, 1788, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 361 io.k8s.api.core.v1.SleepAction */
        { 1022, 1402, 1790, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 362 io.k8s.api.core.v1.StorageOSPersistentVolumeSource */
        { 5107, 1407, 1796, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 363 io.k8s.api.core.v1.StorageOSVolumeSource */
        { 17359, 1412, 1802, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 364 io.k8s.api.core.v1.Sysctl */
        { 10378, 1414, 1805, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 365 io.k8s.api.core.v1.TCPSocketAction */
        { 17774, 1416, 1808, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 366 io.k8s.api.core.v1.Taint */
        { 14887, 1420, 1813, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 367 io.k8s.api.core.v1.Toleration */
        { 795, 1425, 1819, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 368 io.k8s.api.core.v1.TopologySelectorLabelRequirement */
        { 5686, 1427, 1822, 9, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 369 io.k8s.api.core.v1.TopologySelectorTerm */
        { 3304, 1428, 1824, 9, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 370 io.k8s.api.core.v1.TopologySpreadConstraint */
        { 2844, 1436, 1833, 9, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 371 io.k8s.api.core.v1.TypedLocalObjectReference */
        { 5707, 1439, 1837, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 372 io.k8s.api.core.v1.TypedObjectReference */
        { 9157, 1443, 1842, 9, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 373 io.k8s.api.core.v1.Volume */
        { 13286, 1445, 1845, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 374 io.k8s.api.core.v1.VolumeDevice */
        { 14132, 1447, 1848, 9, 7, 7, KL_API_SPECIAL_NONE, 0 }, /* 375 io.k8s.api.core.v1.VolumeMount */
        { 8348, 1454, 1856, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 376 io.k8s.api.core.v1.VolumeMountStatus */
        { 7325, 1458, 1861, 9, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 377 io.k8s.api.core.v1.VolumeNodeAffinity */
        { 9385, 1459, 1863, 9, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 378 io.k8s.api.core.v1.VolumeProjection */
        { 2262, 1464, 1869, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 379 io.k8s.api.core.v1.VolumeResourceRequirements */
        { 583, 1466, 1872, 9, 30, 30, KL_API_SPECIAL_NONE, 0 }, /* 380 io.k8s.api.core.v1.VolumeSource */
        { 1275, 1496, 1903, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 381 io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource */
        { 3988, 1500, 1908, 9, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 382 io.k8s.api.core.v1.WeightedPodAffinityTerm */
        { 1607, 1502, 1911, 9, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 383 io.k8s.api.core.v1.WindowsSecurityContextOptions */
        { 10641, 1506, 1916, 10, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 384 io.k8s.api.discovery.v1.Endpoint */
        { 7040, 1514, 1925, 10, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 385 io.k8s.api.discovery.v1.EndpointConditions */
        { 12118, 1517, 1929, 10, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 386 io.k8s.api.discovery.v1.EndpointHints */
        { 13039, 1518, 1931, 10, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 387 io.k8s.api.discovery.v1.EndpointPort */
        { 12132, 1522, 1936, 10, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 388 io.k8s.api.discovery.v1.EndpointSlice */
        { 7970, 1526, 1941, 10, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 389 io.k8s.api.discovery.v1.EndpointSliceList */
        { 16850, 1528, 1944, 10, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 390 io.k8s.api.discovery.v1.ForZone */
        { 14903, 1529, 1946, 11, 15, 15, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 391 io.k8s.api.events.v1.Event */
        { 15479, 1544, 1962, 11, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 392 io.k8s.api.events.v1.EventList */
        { 13916, 1546, 1965, 11, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 393 io.k8s.api.events.v1.EventSeries */
        { 10106, 1548, 1968, 12, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 394 io.k8s.api.networking.v1.HTTPIngressPath */
        { 5518, 1551, 1972, 12, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 395 io.k8s.api.networking.v1.HTTPIngressRuleValue */
        { 16858, 1552, 1974, 12, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 396 io.k8s.api.networking.v1.IPBlock */
        { 2200, 1554, 1977, 12, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 397 io.k8s.api.networking.v1.Ingress */
        { 11153, 1557, 1981, 12, 2, 4, KL_API_SPECIAL_NONE, 0 }, /* 398 io.k8s.api.networking.v1.IngressBackend */
        { 13078, 1559, 1986, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 399 io.k8s.api.networking.v1.IngressClass */
        { 9028, 1561, 1989, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 400 io.k8s.api.networking.v1.IngressClassList */
        { 990, 1563, 1992, 12, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 401 io.k8s.api.networking.v1.IngressClassParametersReference */
        { 9045, 1568, 1998, 12, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 402 io.k8s.api.networking.v1.IngressClassSpec */
        { 13940, 1570, 2001, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 403 io.k8s.api.networking.v1.IngressList */
        { 2181, 1572, 2004, 12, 3, 4, KL_API_SPECIAL_NONE, 0 }, /* 404 io.k8s.api.networking.v1.IngressLoadBalancerIngress */
        { 2558, 1575, 2009, 12, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 405 io.k8s.api.networking.v1.IngressLoadBalancerStatus */
        { 8042, 1576, 2011, 12, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 406 io.k8s.api.networking.v1.IngressPortStatus */
        { 3267, 1579, 2015, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_HAS_INLINE }, /* 407 io.k8s.api.networking.v1.IngressRule */
        { 5522, 1581, 2018, 12, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 408 io.k8s.api.networking.v1.IngressRuleValue */
        { 4909, 1582, 2020, 12, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 409 io.k8s.api.networking.v1.IngressServiceBackend */
        { 13952, 1584, 2023, 12, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 410 io.k8s.api.networking.v1.IngressSpec */
        { 12202, 1588, 2028, 12, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 411 io.k8s.api.networking.v1.IngressStatus */
        { 14799, 1589, 2030, 12, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 412 io.k8s.api.networking.v1.IngressTLS */
        { 12258, 1591, 2033, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 413 io.k8s.api.networking.v1.NetworkPolicy */
        { 3772, 1593, 2036, 12, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 414 io.k8s.api.networking.v1.NetworkPolicyEgressRule */
        { 3254, 1595, 2039, 12, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 415 io.k8s.api.networking.v1.NetworkPolicyIngressRule */
        { 8096, 1597, 2042, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 416 io.k8s.api.networking.v1.NetworkPolicyList */
        { 8114, 1599, 2045, 12, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 417 io.k8s.api.networking.v1.NetworkPolicyPeer */
        { 8132, 1602, 2049, 12, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 418 io.k8s.api.networking.v1.NetworkPolicyPort */
        { 8150, 1605, 2053, 12, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 419 io.k8s.api.networking.v1.NetworkPolicySpec */
        { 7287, 1609, 2058, 12, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 420 io.k8s.api.networking.v1.ServiceBackendPort */
        { 16204, 1611, 2061, 13, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 421 io.k8s.api.node.v1.Overhead */
        { 13221, 1612, 2063, 13, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 422 io.k8s.api.node.v1.RuntimeClass */
        { 9283, 1616, 2068, 13, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 423 io.k8s.api.node.v1.RuntimeClassList */
        { 14865, 1618, 2071, 13, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 424 io.k8s.api.node.v1.Scheduling */
        { 16177, 1620, 2074, 14, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 425 io.k8s.api.policy.v1.Eviction */
        { 6329, 1622, 2077, 14, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 426 io.k8s.api.policy.v1.PodDisruptionBudget */
        { 3820, 1625, 2081, 14, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 427 io.k8s.api.policy.v1.PodDisruptionBudgetList */
        { 3844, 1627, 2084, 14, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 428 io.k8s.api.policy.v1.PodDisruptionBudgetSpec */
        { 2662, 1631, 2089, 14, 7, 7, KL_API_SPECIAL_NONE, 0 }, /* 429 io.k8s.api.policy.v1.PodDisruptionBudgetStatus */
        { 9962, 1638, 2097, 15, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 430 io.k8s.api.rbac.v1.AggregationRule */
        { 13880, 1639, 2099, 15, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 431 io.k8s.api.rbac.v1.ClusterRole */
        { 6926, 1642, 2103, 15, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 432 io.k8s.api.rbac.v1.ClusterRoleBinding */
        { 4299, 1645, 2107, 15, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 433 io.k8s.api.rbac.v1.ClusterRoleBindingList */
        { 10010, 1647, 2110, 15, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 434 io.k8s.api.rbac.v1.ClusterRoleList */
        { 5612, 1649, 2113, 15, 5, 5, KL_API_SPECIAL_NONE, 0 }, /* 435 io.k8s.api.rbac.v1.PolicyRule */
        { 13887, 1654, 2119, 15, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 436 io.k8s.api.rbac.v1.Role */
        { 6933, 1656, 2122, 15, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 437 io.k8s.api.rbac.v1.RoleBinding */
        { 4306, 1659, 2126, 15, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 438 io.k8s.api.rbac.v1.RoleBindingList */
        { 10017, 1661, 2129, 15, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 439 io.k8s.api.rbac.v1.RoleList */
        { 16882, 1663, 2132, 15, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 440 io.k8s.api.rbac.v1.RoleRef */
        { 16898, 1666, 2136, 15, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 441 io.k8s.api.rbac.v1.Subject */
        { 12314, 1670, 2141, 16, 5, 5, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 442 io.k8s.api.scheduling.v1.PriorityClass */
        { 8186, 1675, 2147, 16, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 443 io.k8s.api.scheduling.v1.PriorityClassList */
        { 15459, 1677, 2150, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 444 io.k8s.api.storage.v1.CSIDriver */
        { 11978, 1679, 2153, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 445 io.k8s.api.storage.v1.CSIDriverList */
        { 11992, 1681, 2156, 17, 8, 8, KL_API_SPECIAL_NONE, 0 }, /* 446 io.k8s.api.storage.v1.CSIDriverSpec */
        { 16834, 1689, 2165, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 447 io.k8s.api.storage.v1.CSINode */
        { 12006, 1691, 2168, 17, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 448 io.k8s.api.storage.v1.CSINodeDriver */
        { 13856, 1695, 2173, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 449 io.k8s.api.storage.v1.CSINodeList */
        { 13868, 1697, 2176, 17, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 450 io.k8s.api.storage.v1.CSINodeSpec */
        { 6869, 1698, 2178, 17, 5, 5, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 451 io.k8s.api.storage.v1.CSIStorageCapacity */
        { 4276, 1703, 2184, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 452 io.k8s.api.storage.v1.CSIStorageCapacityList */
        { 13234, 1705, 2187, 17, 8, 8, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 453 io.k8s.api.storage.v1.StorageClass */
        { 9334, 1713, 2196, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 454 io.k8s.api.storage.v1.StorageClassList */
        { 13260, 1715, 2199, 17, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 455 io.k8s.api.storage.v1.TokenRequest */
        { 9368, 1717, 2202, 17, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 456 io.k8s.api.storage.v1.VolumeAttachment */
        { 5728, 1720, 2206, 17, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 457 io.k8s.api.storage.v1.VolumeAttachmentList */
        { 4437, 1722, 2209, 17, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 458 io.k8s.api.storage.v1.VolumeAttachmentSource */
        { 5749, 1724, 2212, 17, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 459 io.k8s.api.storage.v1.VolumeAttachmentSpec */
        { 4460, 1727, 2216, 17, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 460 io.k8s.api.storage.v1.VolumeAttachmentStatus */
        { 14120, 1731, 2221, 17, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 461 io.k8s.api.storage.v1.VolumeError */
        { 6489, 1733, 2224, 17, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 462 io.k8s.api.storage.v1.VolumeNodeResources */
        { 16222, 1734, 2226, 18, 1, 1, KL_API_SPECIAL_QUANTITY, 0 }, /* 463 io.k8s.apimachinery.pkg.api.resource.Quantity */
        { 12328, 1735, 2228, 18, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 464 io.k8s.apimachinery.pkg.api.resource.QuantityValue */
        { 16159, 1736, 2230, 19, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 465 io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup */
        { 13000, 1740, 2235, 19, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 466 io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList */
        { 13832, 1741, 2237, 19, 10, 10, KL_API_SPECIAL_NONE, 0 }, /* 467 io.k8s.apimachinery.pkg.apis.meta.v1.APIResource */
        { 9946, 1751, 2248, 19, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 468 io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList */
        { 13844, 1753, 2251, 19, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 469 io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions */
        { 13013, 1755, 2254, 19, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 470 io.k8s.apimachinery.pkg.apis.meta.v1.ApplyOptions */
        { 686, 1758, 2258, 19, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 471 io.k8s.apimachinery.pkg.apis.meta.v1.Condition */
        { 12048, 1764, 2265, 19, 3, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 472 io.k8s.apimachinery.pkg.apis.meta.v1.CreateOptions */
        { 12104, 1767, 2270, 19, 6, 6, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 473 io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions */
        { 16168, 1773, 2277, 19, 1, 1, KL_API_SPECIAL_DURATION, 0 }, /* 474 io.k8s.apimachinery.pkg.apis.meta.v1.Duration */
        { 3154, 1774, 2279, 19, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 475 io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement */
        { 16186, 1777, 2283, 19, 1, 1, KL_API_SPECIAL_FIELDS_V1, 0 }, /* 476 io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1 */
        { 14777, 1778, 2285, 19, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 477 io.k8s.apimachinery.pkg.apis.meta.v1.GetOptions */
        { 15489, 1779, 2287, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 478 io.k8s.apimachinery.pkg.apis.meta.v1.GroupKind */
        { 12174, 1781, 2290, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 479 io.k8s.apimachinery.pkg.apis.meta.v1.GroupResource */
        { 13065, 1783, 2293, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 480 io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersion */
        { 3179, 1785, 2296, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 481 io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery */
        { 8994, 1787, 2299, 19, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 482 io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionKind */
        { 5497, 1790, 2303, 19, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 483 io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionResource */
        { 12216, 1793, 2307, 19, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 484 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector */
        { 3204, 1795, 2310, 19, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 485 io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement */
        { 302, 1798, 2314, 19, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 486 io.k8s.apimachinery.pkg.apis.meta.v1.List */
        { 16195, 1800, 2317, 19, 4, 4, KL_API_SPECIAL_NONE, 0 }, /* 487 io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta */
        { 13976, 1804, 2322, 19, 10, 11, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 488 io.k8s.apimachinery.pkg.apis.meta.v1.ListOptions */
        { 7097, 1814, 2334, 19, 7, 8, KL_API_SPECIAL_NONE, 0 }, /* 489 io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry */
        { 15549, 1821, 2343, 19, 2, 2, KL_API_SPECIAL_MICRO_TIME, 0 }, /* 490 io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime */
        { 14843, 1823, 2346, 19, 15, 17, KL_API_SPECIAL_NONE, 0 }, /* 491 io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta */
        { 11258, 1838, 2364, 19, 6, 7, KL_API_SPECIAL_NONE, KL_API_MESSAGE_STRUCT_ATOMIC }, /* 492 io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference */
        { 4953, 1844, 2372, 19, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 493 io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata */
        { 2584, 1845, 2374, 19, 2, 2, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 494 io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList */
        { 17750, 1847, 2377, 19, 0, 0, KL_API_SPECIAL_NONE, 0 }, /* 495 io.k8s.apimachinery.pkg.apis.meta.v1.Patch */
        { 13143, 1847, 2378, 19, 4, 4, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 496 io.k8s.apimachinery.pkg.apis.meta.v1.PatchOptions */
        { 12300, 1851, 2383, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 497 io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions */
        { 15579, 1853, 2386, 19, 1, 1, KL_API_SPECIAL_NONE, 0 }, /* 498 io.k8s.apimachinery.pkg.apis.meta.v1.RootPaths */
        { 2766, 1854, 2388, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 499 io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR */
        { 1079, 1856, 2391, 19, 6, 6, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 500 io.k8s.apimachinery.pkg.apis.meta.v1.Status */
        { 14096, 1862, 2398, 19, 3, 3, KL_API_SPECIAL_NONE, 0 }, /* 501 io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause */
        { 12384, 1865, 2402, 19, 6, 6, KL_API_SPECIAL_NONE, 0 }, /* 502 io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails */
        { 13247, 1871, 2409, 19, 1, 1, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 503 io.k8s.apimachinery.pkg.apis.meta.v1.TableOptions */
        { 4127, 1872, 2411, 19, 2, 2, KL_API_SPECIAL_TIME, 0 }, /* 504 io.k8s.apimachinery.pkg.apis.meta.v1.Time */
        { 3394, 1874, 2414, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 505 io.k8s.apimachinery.pkg.apis.meta.v1.Timestamp */
        { 16231, 1876, 2417, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 506 io.k8s.apimachinery.pkg.apis.meta.v1.TypeMeta */
        { 12412, 1878, 2420, 19, 3, 3, KL_API_SPECIAL_NONE, KL_API_MESSAGE_TYPEMETA }, /* 507 io.k8s.apimachinery.pkg.apis.meta.v1.UpdateOptions */
        { 17780, 1881, 2424, 19, 1, 1, KL_API_SPECIAL_STRING_LIST, 0 }, /* 508 io.k8s.apimachinery.pkg.apis.meta.v1.Verbs */
        { 14898, 1882, 2426, 19, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 509 io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent */
        { 13208, 1884, 2429, 20, 1, 1, KL_API_SPECIAL_RAW_EXTENSION, 0 }, /* 510 io.k8s.apimachinery.pkg.runtime.RawExtension */
        { 16231, 1885, 2431, 20, 2, 2, KL_API_SPECIAL_NONE, 0 }, /* 511 io.k8s.apimachinery.pkg.runtime.TypeMeta */
        { 16906, 1887, 2434, 20, 4, 4, KL_API_SPECIAL_UNKNOWN, 0 }, /* 512 io.k8s.apimachinery.pkg.runtime.Unknown */
        { 13964, 1891, 2439, 21, 3, 3, KL_API_SPECIAL_INT_OR_STRING, 0 }, /* 513 io.k8s.apimachinery.pkg.util.intstr.IntOrString */
};

const struct kl_api_field kl_api__schema_fields[] = {
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AuditAnnotation.key */
        { 10970, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AuditAnnotation.valueExpression */
        { 16429, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ExpressionWarning.fieldRef */
        { 17330, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ExpressionWarning.warning */
        { 15008, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MatchCondition.expression */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MatchCondition.name */
        { 5854, 7, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* MatchResources.excludeResourceRules */
        { 14456, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* MatchResources.matchPolicy */
        { 8618, 484, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* MatchResources.namespaceSelector */
        { 11738, 484, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MatchResources.objectSelector */
        { 12832, 7, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* MatchResources.resourceRules */
        { 4012, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* MutatingWebhook.admissionReviewVersions */
        { 13351, 26, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* MutatingWebhook.clientConfig */
        { 12552, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* MutatingWebhook.failurePolicy */
        { 10650, 2, 12, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* MutatingWebhook.matchConditions */
        { 14456, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* MutatingWebhook.matchPolicy */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MutatingWebhook.name */
        { 8618, 484, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* MutatingWebhook.namespaceSelector */
        { 11738, 484, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* MutatingWebhook.objectSelector */
        { 7781, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* MutatingWebhook.reinvocationPolicy */
        { 17912, 11, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* MutatingWebhook.rules */
        { 14612, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MutatingWebhook.sideEffects */
        { 11903, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT32, 0, 0 }, /* MutatingWebhook.timeoutSeconds */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* MutatingWebhookConfiguration.metadata */
        { 16825, 4, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* MutatingWebhookConfiguration.webhooks */
        { 17840, 5, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* MutatingWebhookConfigurationList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* MutatingWebhookConfigurationList.metadata */
        { 12818, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* NamedRuleWithOperations.resourceNames */
        { 7857, 11, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* NamedRuleWithOperations.ruleWithOperations */
        { 14909, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ParamKind.apiVersion */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ParamKind.kind */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ParamRef.name */
        { 15869, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ParamRef.namespace */
        { 4132, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ParamRef.parameterNotFoundAction */
        { 16726, 484, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ParamRef.selector */
        { 15609, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* Rule.apiGroups */
        { 14204, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* Rule.apiVersions */
        { 13731, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* Rule.resources */
        { 17918, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* Rule.scope */
        { 15162, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* RuleWithOperations.operations */
        { 18073, 10, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* RuleWithOperations.rule */
        { 16478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ServiceReference.name */
        { 15869, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ServiceReference.namespace */
        { 18043, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ServiceReference.path */
        { 18063, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* ServiceReference.port */
        { 7515, 1, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* TypeChecking.expressionWarnings */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicy.metadata */
        { 18078, 19, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingAdmissionPolicy.spec */
        { 17660, 20, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicy.status */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicyBinding.metadata */
        { 18078, 17, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingAdmissionPolicyBinding.spec */
        { 17840, 15, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ValidatingAdmissionPolicyBindingList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicyBindingList.metadata */
        { 11693, 3, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicyBindingSpec.matchResources */
        { 16573, 9, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicyBindingSpec.paramRef */
        { 15184, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingAdmissionPolicyBindingSpec.policyName */
        { 8906, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* ValidatingAdmissionPolicyBindingSpec.validationActions */
        { 17840, 14, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ValidatingAdmissionPolicyList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicyList.metadata */
        { 9402, 0, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ValidatingAdmissionPolicySpec.auditAnnotations */
        { 12552, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ValidatingAdmissionPolicySpec.failurePolicy */
        { 10650, 2, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* ValidatingAdmissionPolicySpec.matchConditions */
        { 9640, 3, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingAdmissionPolicySpec.matchConstraints */
        { 15889, 8, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicySpec.paramKind */
        { 14720, 24, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ValidatingAdmissionPolicySpec.validations */
        { 16149, 25, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* ValidatingAdmissionPolicySpec.variables */
        { 12303, 471, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 4 }, /* ValidatingAdmissionPolicyStatus.conditions */
        { 7762, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* ValidatingAdmissionPolicyStatus.observedGeneration */
        { 13767, 13, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingAdmissionPolicyStatus.typeChecking */
        { 4012, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* ValidatingWebhook.admissionReviewVersions */
        { 13351, 26, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingWebhook.clientConfig */
        { 12552, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ValidatingWebhook.failurePolicy */
        { 10650, 2, 11, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* ValidatingWebhook.matchConditions */
        { 14456, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* ValidatingWebhook.matchPolicy */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingWebhook.name */
        { 8618, 484, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingWebhook.namespaceSelector */
        { 11738, 484, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingWebhook.objectSelector */
        { 17912, 11, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* ValidatingWebhook.rules */
        { 14612, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ValidatingWebhook.sideEffects */
        { 11903, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT32, 0, 0 }, /* ValidatingWebhook.timeoutSeconds */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingWebhookConfiguration.metadata */
        { 16825, 21, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* ValidatingWebhookConfiguration.webhooks */
        { 17840, 22, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ValidatingWebhookConfigurationList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ValidatingWebhookConfigurationList.metadata */
        { 15008, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Validation.expression */
        { 17122, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Validation.message */
        { 8582, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* Validation.messageExpression */
        { 17604, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* Validation.reason */
        { 15008, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Variable.expression */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Variable.name */
        { 16330, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BYTES, 0, 0 }, /* WebhookClientConfig.caBundle */
        { 17250, 12, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* WebhookClientConfig.service */
        { 18167, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* WebhookClientConfig.url */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* APIGroupDiscovery.metadata */
        { 16807, 31, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 5 }, /* APIGroupDiscovery.versions */
        { 17840, 27, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* APIGroupDiscoveryList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* APIGroupDiscoveryList.metadata */
        { 14931, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* APIResourceDiscovery.categories */
        { 372, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResourceDiscovery.resource */
        { 13611, 482, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* APIResourceDiscovery.responseKind */
        { 17918, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResourceDiscovery.scope */
        { 15305, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* APIResourceDiscovery.shortNames */
        { 9861, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResourceDiscovery.singularResource */
        { 13728, 30, 8, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 6 }, /* APIResourceDiscovery.subresources */
        { 17960, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* APIResourceDiscovery.verbs */
        { 12426, 482, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 7 }, /* APISubresourceDiscovery.acceptedTypes */
        { 13611, 482, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* APISubresourceDiscovery.responseKind */
        { 14660, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APISubresourceDiscovery.subresource */
        { 17960, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* APISubresourceDiscovery.verbs */
        { 15769, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIVersionDiscovery.freshness */
        { 13731, 29, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 8 }, /* APIVersionDiscovery.resources */
        { 17306, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIVersionDiscovery.version */
        { 4970, 510, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ControllerRevision.data */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ControllerRevision.metadata */
        { 16699, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* ControllerRevision.revision */
        { 17840, 32, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ControllerRevisionList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ControllerRevisionList.metadata */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSet.metadata */
        { 18078, 37, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSet.spec */
        { 17660, 38, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSet.status */
        { 7667, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSetCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* DaemonSetCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* DaemonSetCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetCondition.type */
        { 17840, 34, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSetList.metadata */
        { 10666, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* DaemonSetSpec.minReadySeconds */
        { 6106, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, 0, 0 }, /* DaemonSetSpec.revisionHistoryLimit */
        { 16726, 484, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetSpec.selector */
        { 16762, 309, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetSpec.template */
        { 11933, 39, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSetSpec.updateStrategy */
        { 11423, KL_API_NO_MESSAGE, 9, KL_API_TYPE_INT32, 0, 0 }, /* DaemonSetStatus.collisionCount */
        { 12303, 35, 10, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* DaemonSetStatus.conditions */
        { 4483, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetStatus.currentNumberScheduled */
        { 4506, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetStatus.desiredNumberScheduled */
        { 10698, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT32, 0, 0 }, /* DaemonSetStatus.numberAvailable */
        { 7743, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetStatus.numberMisscheduled */
        { 14504, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* DaemonSetStatus.numberReady */
        { 8690, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT32, 0, 0 }, /* DaemonSetStatus.numberUnavailable */
        { 7762, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT64, 0, 0 }, /* DaemonSetStatus.observedGeneration */
        { 4644, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, 0, 0 }, /* DaemonSetStatus.updatedNumberScheduled */
        { 12860, 51, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* DaemonSetUpdateStrategy.rollingUpdate */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* DaemonSetUpdateStrategy.type */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Deployment.metadata */
        { 18078, 43, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Deployment.spec */
        { 17660, 44, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Deployment.status */
        { 7667, 504, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentCondition.lastTransitionTime */
        { 11648, 504, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentCondition.lastUpdateTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentCondition.type */
        { 17840, 40, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* DeploymentList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* DeploymentList.metadata */
        { 10666, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* DeploymentSpec.minReadySeconds */
        { 17576, KL_API_NO_MESSAGE, 7, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* DeploymentSpec.paused */
        { 4156, KL_API_NO_MESSAGE, 9, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentSpec.progressDeadlineSeconds */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentSpec.replicas */
        { 6106, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentSpec.revisionHistoryLimit */
        { 16726, 484, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentSpec.selector */
        { 16744, 45, 4, KL_API_TYPE_MESSAGE, 0, 10 }, /* DeploymentSpec.strategy */
        { 16762, 309, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* DeploymentSpec.template */
        { 6831, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentStatus.availableReplicas */
        { 11423, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentStatus.collisionCount */
        { 12303, 41, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 9 }, /* DeploymentStatus.conditions */
        { 7762, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* DeploymentStatus.observedGeneration */
        { 12790, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentStatus.readyReplicas */
        { 16672, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentStatus.replicas */
        { 6829, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentStatus.unavailableReplicas */
        { 10954, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* DeploymentStatus.updatedReplicas */
        { 12860, 52, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* DeploymentStrategy.rollingUpdate */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* DeploymentStrategy.type */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicaSet.metadata */
        { 18078, 49, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicaSet.spec */
        { 17660, 50, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicaSet.status */
        { 7667, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicaSetCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ReplicaSetCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ReplicaSetCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ReplicaSetCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ReplicaSetCondition.type */
        { 17840, 46, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ReplicaSetList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicaSetList.metadata */
        { 10666, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* ReplicaSetSpec.minReadySeconds */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* ReplicaSetSpec.replicas */
        { 16726, 484, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ReplicaSetSpec.selector */
        { 16762, 309, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicaSetSpec.template */
        { 6831, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* ReplicaSetStatus.availableReplicas */
        { 12303, 47, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* ReplicaSetStatus.conditions */
        { 5875, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ReplicaSetStatus.fullyLabeledReplicas */
        { 7762, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT64, 0, 0 }, /* ReplicaSetStatus.observedGeneration */
        { 12790, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* ReplicaSetStatus.readyReplicas */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ReplicaSetStatus.replicas */
        { 16483, 513, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* RollingUpdateDaemonSet.maxSurge */
        { 11708, 513, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RollingUpdateDaemonSet.maxUnavailable */
        { 16483, 513, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* RollingUpdateDeployment.maxSurge */
        { 11708, 513, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RollingUpdateDeployment.maxUnavailable */
        { 11708, 513, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* RollingUpdateStatefulSetStrategy.maxUnavailable */
        { 15899, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* RollingUpdateStatefulSetStrategy.partition */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSet.metadata */
        { 18078, 59, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSet.spec */
        { 17660, 60, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSet.status */
        { 7667, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSetCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* StatefulSetCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* StatefulSetCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetCondition.type */
        { 17840, 54, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSetList.metadata */
        { 17930, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* StatefulSetOrdinals.start */
        { 14732, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetPersistentVolumeClaimRetentionPolicy.whenDeleted */
        { 15437, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetPersistentVolumeClaimRetentionPolicy.whenScaled */
        { 10666, KL_API_NO_MESSAGE, 9, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* StatefulSetSpec.minReadySeconds */
        { 16555, 57, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSetSpec.ordinals */
        { 418, 58, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSetSpec.persistentVolumeClaimRetentionPolicy */
        { 6709, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* StatefulSetSpec.podManagementPolicy */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* StatefulSetSpec.replicas */
        { 6106, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetSpec.revisionHistoryLimit */
        { 16726, 484, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetSpec.selector */
        { 14600, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetSpec.serviceName */
        { 16762, 309, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetSpec.template */
        { 11933, 61, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetSpec.updateStrategy */
        { 6127, 271, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* StatefulSetSpec.volumeClaimTemplates */
        { 6831, KL_API_NO_MESSAGE, 11, KL_API_TYPE_INT32, 0, 0 }, /* StatefulSetStatus.availableReplicas */
        { 11423, KL_API_NO_MESSAGE, 9, KL_API_TYPE_INT32, 0, 0 }, /* StatefulSetStatus.collisionCount */
        { 12303, 55, 10, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* StatefulSetStatus.conditions */
        { 10490, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetStatus.currentReplicas */
        { 10506, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetStatus.currentRevision */
        { 7762, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* StatefulSetStatus.observedGeneration */
        { 12790, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetStatus.readyReplicas */
        { 16672, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetStatus.replicas */
        { 11918, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetStatus.updateRevision */
        { 10954, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* StatefulSetStatus.updatedReplicas */
        { 12860, 53, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* StatefulSetUpdateStrategy.rollingUpdate */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* StatefulSetUpdateStrategy.type */
        { 14909, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* BoundObjectReference.apiVersion */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* BoundObjectReference.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* BoundObjectReference.name */
        { 18159, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* BoundObjectReference.uID */
        { 17840, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ExtraValue.items */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectReview.metadata */
        { 17660, 65, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* SelfSubjectReview.status */
        { 16789, 72, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectReviewStatus.userInfo */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* TokenRequest.metadata */
        { 18078, 67, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* TokenRequest.spec */
        { 17660, 68, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* TokenRequest.status */
        { 15619, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* TokenRequestSpec.audiences */
        { 11408, 62, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* TokenRequestSpec.boundObjectRef */
        { 8492, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT64, 0, 0 }, /* TokenRequestSpec.expirationSeconds */
        { 6589, 504, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* TokenRequestStatus.expirationTimestamp */
        { 17948, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TokenRequestStatus.token */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* TokenReview.metadata */
        { 18078, 70, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* TokenReview.spec */
        { 17660, 71, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* TokenReview.status */
        { 15619, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* TokenReviewSpec.audiences */
        { 17948, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* TokenReviewSpec.token */
        { 15619, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* TokenReviewStatus.audiences */
        { 12440, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* TokenReviewStatus.authenticated */
        { 17786, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* TokenReviewStatus.error */
        { 18088, 72, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* TokenReviewStatus.user */
        { 17792, 63, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* UserInfo.extra */
        { 17485, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* UserInfo.groups */
        { 18163, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* UserInfo.uid */
        { 16798, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* UserInfo.username */
        { 17840, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ExtraValue.items */
        { 14588, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* FieldSelectorAttributes.rawSelector */
        { 13572, 475, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* FieldSelectorAttributes.requirements */
        { 14588, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* LabelSelectorAttributes.rawSelector */
        { 13572, 485, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* LabelSelectorAttributes.requirements */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* LocalSubjectAccessReview.metadata */
        { 18078, 86, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* LocalSubjectAccessReview.spec */
        { 17660, 87, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* LocalSubjectAccessReview.status */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* NonResourceAttributes.path */
        { 18093, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* NonResourceAttributes.verb */
        { 10682, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* NonResourceRule.nonResourceURLs */
        { 17960, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* NonResourceRule.verbs */
        { 12566, 74, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceAttributes.fieldSelector */
        { 17810, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.group */
        { 12650, 75, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceAttributes.labelSelector */
        { 16478, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.name */
        { 15869, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.namespace */
        { 372, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.resource */
        { 14660, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.subresource */
        { 18093, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.verb */
        { 17306, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ResourceAttributes.version */
        { 15609, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ResourceRule.apiGroups */
        { 12818, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ResourceRule.resourceNames */
        { 13731, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ResourceRule.resources */
        { 17960, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* ResourceRule.verbs */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectAccessReview.metadata */
        { 18078, 82, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* SelfSubjectAccessReview.spec */
        { 17660, 87, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectAccessReview.status */
        { 5261, 77, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectAccessReviewSpec.nonResourceAttributes */
        { 7838, 79, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectAccessReviewSpec.resourceAttributes */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectRulesReview.metadata */
        { 18078, 84, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* SelfSubjectRulesReview.spec */
        { 17660, 88, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* SelfSubjectRulesReview.status */
        { 15869, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* SelfSubjectRulesReviewSpec.namespace */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SubjectAccessReview.metadata */
        { 18078, 86, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* SubjectAccessReview.spec */
        { 17660, 87, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* SubjectAccessReview.status */
        { 17792, 73, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* SubjectAccessReviewSpec.extra */
        { 17485, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* SubjectAccessReviewSpec.groups */
        { 5261, 77, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* SubjectAccessReviewSpec.nonResourceAttributes */
        { 7838, 79, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SubjectAccessReviewSpec.resourceAttributes */
        { 18163, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* SubjectAccessReviewSpec.uid */
        { 18088, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* SubjectAccessReviewSpec.user */
        { 16922, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, KL_API_FIELD_REQUIRED, 0 }, /* SubjectAccessReviewStatus.allowed */
        { 17422, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* SubjectAccessReviewStatus.denied */
        { 10586, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* SubjectAccessReviewStatus.evaluationError */
        { 17604, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* SubjectAccessReviewStatus.reason */
        { 10586, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* SubjectRulesReviewStatus.evaluationError */
        { 15085, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, KL_API_FIELD_REQUIRED, 0 }, /* SubjectRulesReviewStatus.incomplete */
        { 9725, 78, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* SubjectRulesReviewStatus.nonResourceRules */
        { 12832, 80, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* SubjectRulesReviewStatus.resourceRules */
        { 15689, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricSource.container */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricSource.name */
        { 3554, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ContainerResourceMetricSource.targetAverageUtilization */
        { 7933, 463, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerResourceMetricSource.targetAverageValue */
        { 15689, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricStatus.container */
        { 2948, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ContainerResourceMetricStatus.currentAverageUtilization */
        { 6549, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricStatus.currentAverageValue */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricStatus.name */
        { 14909, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CrossVersionObjectReference.apiVersion */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CrossVersionObjectReference.kind */
        { 16478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CrossVersionObjectReference.name */
        { 15118, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricSource.metricName */
        { 11723, 484, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ExternalMetricSource.metricSelector */
        { 7933, 463, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ExternalMetricSource.targetAverageValue */
        { 14672, 463, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ExternalMetricSource.targetValue */
        { 6549, 463, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ExternalMetricStatus.currentAverageValue */
        { 13390, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricStatus.currentValue */
        { 15118, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricStatus.metricName */
        { 11723, 484, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ExternalMetricStatus.metricSelector */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscaler.metadata */
        { 18078, 97, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscaler.spec */
        { 17660, 98, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscaler.status */
        { 7667, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* HorizontalPodAutoscalerCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* HorizontalPodAutoscalerCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerCondition.type */
        { 17840, 94, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerList.metadata */
        { 14468, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerSpec.maxReplicas */
        { 14480, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* HorizontalPodAutoscalerSpec.minReplicas */
        { 11828, 91, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerSpec.scaleTargetRef */
        { 1306, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* HorizontalPodAutoscalerSpec.targetCPUUtilizationPercentage */
        { 1086, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* HorizontalPodAutoscalerStatus.currentCPUUtilizationPercentage */
        { 10490, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerStatus.currentReplicas */
        { 10570, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerStatus.desiredReplicas */
        { 12692, 504, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerStatus.lastScaleTime */
        { 7762, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* HorizontalPodAutoscalerStatus.observedGeneration */
        { 8420, 89, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.containerResource */
        { 16411, 92, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.external */
        { 17569, 101, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.object */
        { 18053, 103, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.pods */
        { 372, 105, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.resource */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MetricSpec.type */
        { 8420, 90, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.containerResource */
        { 16411, 93, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.external */
        { 17569, 102, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.object */
        { 18053, 104, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.pods */
        { 372, 106, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.resource */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MetricStatus.type */
        { 13312, 463, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* ObjectMetricSource.averageValue */
        { 15118, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricSource.metricName */
        { 16726, 484, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ObjectMetricSource.selector */
        { 17709, 91, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricSource.target */
        { 14672, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricSource.targetValue */
        { 13312, 463, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* ObjectMetricStatus.averageValue */
        { 13390, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricStatus.currentValue */
        { 15118, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricStatus.metricName */
        { 16726, 484, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ObjectMetricStatus.selector */
        { 17709, 91, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricStatus.target */
        { 15118, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricSource.metricName */
        { 16726, 484, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodsMetricSource.selector */
        { 7933, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricSource.targetAverageValue */
        { 6549, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricStatus.currentAverageValue */
        { 15118, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricStatus.metricName */
        { 16726, 484, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodsMetricStatus.selector */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricSource.name */
        { 3554, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ResourceMetricSource.targetAverageUtilization */
        { 7933, 463, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceMetricSource.targetAverageValue */
        { 2948, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ResourceMetricStatus.currentAverageUtilization */
        { 6549, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricStatus.currentAverageValue */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricStatus.name */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Scale.metadata */
        { 18078, 108, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Scale.spec */
        { 17660, 109, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Scale.status */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* ScaleSpec.replicas */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ScaleStatus.replicas */
        { 16726, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ScaleStatus.selector */
        { 15689, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricSource.container */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricSource.name */
        { 17709, 126, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricSource.target */
        { 15689, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricStatus.container */
        { 16946, 127, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricStatus.current */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResourceMetricStatus.name */
        { 14909, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CrossVersionObjectReference.apiVersion */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CrossVersionObjectReference.kind */
        { 16478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CrossVersionObjectReference.name */
        { 17548, 123, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricSource.metric */
        { 17709, 126, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricSource.target */
        { 16946, 127, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricStatus.current */
        { 17548, 123, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ExternalMetricStatus.metric */
        { 12748, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HPAScalingPolicy.periodSeconds */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HPAScalingPolicy.type */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HPAScalingPolicy.value */
        { 16609, 115, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* HPAScalingRules.policies */
        { 13676, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* HPAScalingRules.selectPolicy */
        { 2451, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* HPAScalingRules.stabilizationWindowSeconds */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscaler.metadata */
        { 18078, 121, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscaler.spec */
        { 17660, 122, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscaler.status */
        { 15969, 116, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerBehavior.scaleDown */
        { 17226, 116, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerBehavior.scaleUp */
        { 7667, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* HorizontalPodAutoscalerCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* HorizontalPodAutoscalerCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerCondition.type */
        { 17840, 117, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerList.metadata */
        { 16321, 118, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerSpec.behavior */
        { 14468, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerSpec.maxReplicas */
        { 17130, 124, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* HorizontalPodAutoscalerSpec.metrics */
        { 14480, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* HorizontalPodAutoscalerSpec.minReplicas */
        { 11828, 112, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerSpec.scaleTargetRef */
        { 12303, 119, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* HorizontalPodAutoscalerStatus.conditions */
        { 11483, 125, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* HorizontalPodAutoscalerStatus.currentMetrics */
        { 10490, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* HorizontalPodAutoscalerStatus.currentReplicas */
        { 10570, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* HorizontalPodAutoscalerStatus.desiredReplicas */
        { 12692, 504, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* HorizontalPodAutoscalerStatus.lastScaleTime */
        { 7762, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* HorizontalPodAutoscalerStatus.observedGeneration */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MetricIdentifier.name */
        { 16726, 484, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricIdentifier.selector */
        { 8420, 110, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.containerResource */
        { 16411, 113, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.external */
        { 17569, 128, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.object */
        { 18053, 130, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.pods */
        { 372, 132, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricSpec.resource */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MetricSpec.type */
        { 8420, 111, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.containerResource */
        { 16411, 114, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.external */
        { 17569, 129, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.object */
        { 18053, 131, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.pods */
        { 372, 133, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricStatus.resource */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MetricStatus.type */
        { 7382, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* MetricTarget.averageUtilization */
        { 13312, 463, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricTarget.averageValue */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* MetricTarget.type */
        { 17954, 463, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricTarget.value */
        { 7382, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* MetricValueStatus.averageUtilization */
        { 13312, 463, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricValueStatus.averageValue */
        { 17954, 463, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* MetricValueStatus.value */
        { 10554, 112, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricSource.describedObject */
        { 17548, 123, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricSource.metric */
        { 17709, 126, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricSource.target */
        { 16946, 127, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricStatus.current */
        { 10554, 112, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricStatus.describedObject */
        { 17548, 123, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ObjectMetricStatus.metric */
        { 17548, 123, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricSource.metric */
        { 17709, 126, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricSource.target */
        { 16946, 127, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricStatus.current */
        { 17548, 123, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PodsMetricStatus.metric */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricSource.name */
        { 17709, 126, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricSource.target */
        { 16946, 127, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricStatus.current */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceMetricStatus.name */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* CronJob.metadata */
        { 18078, 136, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* CronJob.spec */
        { 17660, 137, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* CronJob.status */
        { 17840, 134, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* CronJobList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* CronJobList.metadata */
        { 8402, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CronJobSpec.concurrencyPolicy */
        { 4529, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT32, 0, 0 }, /* CronJobSpec.failedJobsHistoryLimit */
        { 14420, 143, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* CronJobSpec.jobTemplate */
        { 16708, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CronJobSpec.schedule */
        { 4204, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT64, 0, 0 }, /* CronJobSpec.startingDeadlineSeconds */
        { 2478, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, 0, 0 }, /* CronJobSpec.successfulJobsHistoryLimit */
        { 17290, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* CronJobSpec.suspend */
        { 16771, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, 0, 0 }, /* CronJobSpec.timeZone */
        { 17373, 269, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* CronJobStatus.active */
        { 9589, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* CronJobStatus.lastScheduleTime */
        { 7648, 504, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* CronJobStatus.lastSuccessfulTime */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Job.metadata */
        { 18078, 141, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Job.spec */
        { 17660, 142, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Job.status */
        { 12678, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobCondition.lastProbeTime */
        { 7667, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* JobCondition.message */
        { 17604, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* JobCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* JobCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* JobCondition.type */
        { 17840, 138, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* JobList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobList.metadata */
        { 5129, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT64, 0, 0 }, /* JobSpec.activeDeadlineSeconds */
        { 13325, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT32, 0, 0 }, /* JobSpec.backoffLimit */
        { 5812, KL_API_NO_MESSAGE, 12, KL_API_TYPE_INT32, 0, 0 }, /* JobSpec.backoffLimitPerIndex */
        { 11438, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* JobSpec.completionMode */
        { 14252, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* JobSpec.completions */
        { 15849, KL_API_NO_MESSAGE, 15, KL_API_TYPE_STRING, 0, 0 }, /* JobSpec.managedBy */
        { 11678, KL_API_NO_MESSAGE, 5, KL_API_TYPE_BOOL, 0, 0 }, /* JobSpec.manualSelector */
        { 9674, KL_API_NO_MESSAGE, 13, KL_API_TYPE_INT32, 0, 0 }, /* JobSpec.maxFailedIndexes */
        { 14528, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* JobSpec.parallelism */
        { 9759, 144, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobSpec.podFailurePolicy */
        { 6064, KL_API_NO_MESSAGE, 14, KL_API_TYPE_STRING, 0, 0 }, /* JobSpec.podReplacementPolicy */
        { 16726, 484, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobSpec.selector */
        { 12930, 148, 16, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobSpec.successPolicy */
        { 17290, KL_API_NO_MESSAGE, 10, KL_API_TYPE_BOOL, 0, 0 }, /* JobSpec.suspend */
        { 16762, 309, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* JobSpec.template */
        { 4228, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT32, 0, 0 }, /* JobSpec.ttlSecondsAfterFinished */
        { 17373, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* JobStatus.active */
        { 9419, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* JobStatus.completedIndexes */
        { 11453, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobStatus.completionTime */
        { 12303, 139, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 11 }, /* JobStatus.conditions */
        { 17464, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, 0, 0 }, /* JobStatus.failed */
        { 12538, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* JobStatus.failedIndexes */
        { 17906, KL_API_NO_MESSAGE, 9, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* JobStatus.ready */
        { 16039, 504, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobStatus.startTime */
        { 16089, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* JobStatus.succeeded */
        { 14684, KL_API_NO_MESSAGE, 11, KL_API_TYPE_INT32, 0, 0 }, /* JobStatus.terminating */
        { 4252, 150, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobStatus.uncountedTerminatedPods */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobTemplateSpec.metadata */
        { 18078, 141, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* JobTemplateSpec.spec */
        { 17912, 147, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* PodFailurePolicy.rules */
        { 12468, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* PodFailurePolicyOnExitCodesRequirement.containerName */
        { 16537, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodFailurePolicyOnExitCodesRequirement.operator */
        { 17723, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* PodFailurePolicyOnExitCodesRequirement.values */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodFailurePolicyOnPodConditionsPattern.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodFailurePolicyOnPodConditionsPattern.type */
        { 17366, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodFailurePolicyRule.action */
        { 14516, 145, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodFailurePolicyRule.onExitCodes */
        { 10714, 146, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodFailurePolicyRule.onPodConditions */
        { 17912, 149, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* SuccessPolicy.rules */
        { 11888, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* SuccessPolicyRule.succeededCount */
        { 9895, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* SuccessPolicyRule.succeededIndexes */
        { 17464, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 3 }, /* UncountedTerminatedPods.failed */
        { 16089, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 3 }, /* UncountedTerminatedPods.succeeded */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Lease.metadata */
        { 18078, 153, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Lease.spec */
        { 17840, 151, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* LeaseList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* LeaseList.metadata */
        { 14156, 490, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* LeaseSpec.acquireTime */
        { 11558, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* LeaseSpec.holderIdentity */
        { 5938, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* LeaseSpec.leaseDurationSeconds */
        { 9606, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* LeaseSpec.leaseTransitions */
        { 10810, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* LeaseSpec.preferredHolder */
        { 15949, 490, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* LeaseSpec.renewTime */
        { 16744, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* LeaseSpec.strategy */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* AWSElasticBlockStoreVolumeSource.fsType */
        { 15899, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* AWSElasticBlockStoreVolumeSource.partition */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* AWSElasticBlockStoreVolumeSource.readOnly */
        { 16816, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AWSElasticBlockStoreVolumeSource.volumeID */
        { 13520, 252, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Affinity.nodeAffinity */
        { 14540, 284, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Affinity.podAffinity */
        { 10778, 286, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Affinity.podAntiAffinity */
        { 9623, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* AppArmorProfile.localhostProfile */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AppArmorProfile.type */
        { 14997, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AttachedVolume.devicePath */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AttachedVolume.name */
        { 10794, 313, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* AvoidPods.preferAvoidPods */
        { 14240, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* AzureDiskVolumeSource.cachingMode */
        { 16375, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureDiskVolumeSource.diskName */
        { 16970, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureDiskVolumeSource.diskURI */
        { 17478, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* AzureDiskVolumeSource.fsType */
        { 18028, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureDiskVolumeSource.kind */
        { 16654, KL_API_NO_MESSAGE, 5, KL_API_TYPE_BOOL, 0, 0 }, /* AzureDiskVolumeSource.readOnly */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* AzureFilePersistentVolumeSource.readOnly */
        { 15294, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureFilePersistentVolumeSource.secretName */
        { 10874, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* AzureFilePersistentVolumeSource.secretNamespace */
        { 15999, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureFilePersistentVolumeSource.shareName */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* AzureFileVolumeSource.readOnly */
        { 15294, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureFileVolumeSource.secretName */
        { 15999, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* AzureFileVolumeSource.shareName */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Binding.metadata */
        { 17709, 269, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Binding.target */
        { 2922, 347, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIPersistentVolumeSource.controllerExpandSecretRef */
        { 2289, 347, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIPersistentVolumeSource.controllerPublishSecretRef */
        { 17429, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CSIPersistentVolumeSource.driver */
        { 17478, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* CSIPersistentVolumeSource.fsType */
        { 6689, 347, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIPersistentVolumeSource.nodeExpandSecretRef */
        { 6001, 347, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIPersistentVolumeSource.nodePublishSecretRef */
        { 7724, 347, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIPersistentVolumeSource.nodeStageSecretRef */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* CSIPersistentVolumeSource.readOnly */
        { 9929, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* CSIPersistentVolumeSource.volumeAttributes */
        { 13780, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CSIPersistentVolumeSource.volumeHandle */
        { 17429, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CSIVolumeSource.driver */
        { 17478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CSIVolumeSource.fsType */
        { 6001, 241, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIVolumeSource.nodePublishSecretRef */
        { 16654, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* CSIVolumeSource.readOnly */
        { 9929, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* CSIVolumeSource.volumeAttributes */
        { 18111, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* Capabilities.add */
        { 17993, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* Capabilities.drop */
        { 16501, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* CephFSPersistentVolumeSource.monitors */
        { 18043, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* CephFSPersistentVolumeSource.path */
        { 16654, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* CephFSPersistentVolumeSource.readOnly */
        { 15283, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* CephFSPersistentVolumeSource.secretFile */
        { 15989, 347, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* CephFSPersistentVolumeSource.secretRef */
        { 18088, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CephFSPersistentVolumeSource.user */
        { 16501, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* CephFSVolumeSource.monitors */
        { 18043, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* CephFSVolumeSource.path */
        { 16654, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* CephFSVolumeSource.readOnly */
        { 15283, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* CephFSVolumeSource.secretFile */
        { 15989, 241, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* CephFSVolumeSource.secretRef */
        { 18088, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CephFSVolumeSource.user */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* CinderPersistentVolumeSource.fsType */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* CinderPersistentVolumeSource.readOnly */
        { 15989, 347, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* CinderPersistentVolumeSource.secretRef */
        { 16816, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CinderPersistentVolumeSource.volumeID */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* CinderVolumeSource.fsType */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* CinderVolumeSource.readOnly */
        { 15989, 241, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* CinderVolumeSource.secretRef */
        { 16816, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CinderVolumeSource.volumeID */
        { 11903, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* ClientIPConfig.timeoutSeconds */
        { 12650, 484, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ClusterTrustBundleProjection.labelSelector */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ClusterTrustBundleProjection.name */
        { 16546, KL_API_NO_MESSAGE, 5, KL_API_TYPE_BOOL, 0, 0 }, /* ClusterTrustBundleProjection.optional */
        { 18043, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ClusterTrustBundleProjection.path */
        { 15316, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ClusterTrustBundleProjection.signerName */
        { 17786, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ComponentCondition.error */
        { 17122, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ComponentCondition.message */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ComponentCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ComponentCondition.type */
        { 12303, 172, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* ComponentStatus.conditions */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ComponentStatus.metadata */
        { 17840, 173, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ComponentStatusList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ComponentStatusList.metadata */
        { 14920, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BYTES, KL_API_FIELD_MAP, 0 }, /* ConfigMap.binaryData */
        { 4970, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* ConfigMap.data */
        { 15809, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* ConfigMap.immutable */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ConfigMap.metadata */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* ConfigMapEnvSource.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* ConfigMapEnvSource.optional */
        { 18127, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ConfigMapKeySelector.key */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* ConfigMapKeySelector.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* ConfigMapKeySelector.optional */
        { 17840, 175, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ConfigMapList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ConfigMapList.metadata */
        { 9555, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ConfigMapNodeConfigSource.kubeletConfigKey */
        { 16478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ConfigMapNodeConfigSource.name */
        { 15869, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ConfigMapNodeConfigSource.namespace */
        { 10826, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ConfigMapNodeConfigSource.resourceVersion */
        { 18163, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ConfigMapNodeConfigSource.uid */
        { 17840, 230, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ConfigMapProjection.items */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* ConfigMapProjection.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* ConfigMapProjection.optional */
        { 14312, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* ConfigMapVolumeSource.defaultMode */
        { 17840, 230, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ConfigMapVolumeSource.items */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* ConfigMapVolumeSource.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* ConfigMapVolumeSource.optional */
        { 17978, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* Container.args */
        { 16938, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* Container.command */
        { 18115, 203, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* Container.env */
        { 16994, 202, 19, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* Container.envFrom */
        { 17828, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Container.image */
        { 10618, KL_API_NO_MESSAGE, 14, KL_API_TYPE_STRING, 0, 0 }, /* Container.imagePullPolicy */
        { 15829, 231, 12, KL_API_TYPE_MESSAGE, 0, 0 }, /* Container.lifecycle */
        { 12720, 315, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* Container.livenessProbe */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Container.name */
        { 17894, 184, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 12 }, /* Container.ports */
        { 11798, 315, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* Container.readinessProbe */
        { 13585, 185, 23, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* Container.resizePolicy */
        { 13731, 334, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* Container.resources */
        { 12846, KL_API_NO_MESSAGE, 24, KL_API_TYPE_STRING, 0, 0 }, /* Container.restartPolicy */
        { 10890, 349, 15, KL_API_TYPE_MESSAGE, 0, 0 }, /* Container.securityContext */
        { 13715, 315, 22, KL_API_TYPE_MESSAGE, 0, 0 }, /* Container.startupProbe */
        { 17942, KL_API_NO_MESSAGE, 16, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* Container.stdin */
        { 16059, KL_API_NO_MESSAGE, 17, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* Container.stdinOnce */
        { 4621, KL_API_NO_MESSAGE, 13, KL_API_TYPE_STRING, 0, 0 }, /* Container.terminationMessagePath */
        { 3579, KL_API_NO_MESSAGE, 20, KL_API_TYPE_STRING, 0, 0 }, /* Container.terminationMessagePolicy */
        { 18155, KL_API_NO_MESSAGE, 18, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* Container.tty */
        { 12972, 374, 21, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 13 }, /* Container.volumeDevices */
        { 13793, 375, 9, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 14 }, /* Container.volumeMounts */
        { 15448, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* Container.workingDir */
        { 15803, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ContainerImage.names */
        { 16019, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT64, 0, 0 }, /* ContainerImage.sizeBytes */
        { 12482, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ContainerPort.containerPort */
        { 17499, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ContainerPort.hostIP */
        { 16465, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* ContainerPort.hostPort */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ContainerPort.name */
        { 16636, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ContainerPort.protocol */
        { 13598, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResizePolicy.resourceName */
        { 12846, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerResizePolicy.restartPolicy */
        { 17210, 187, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerState.running */
        { 15382, 188, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerState.terminated */
        { 17322, 189, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerState.waiting */
        { 16049, 504, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStateRunning.startedAt */
        { 14264, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* ContainerStateTerminated.containerID */
        { 16402, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ContainerStateTerminated.exitCode */
        { 15052, 504, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStateTerminated.finishedAt */
        { 17122, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ContainerStateTerminated.message */
        { 17604, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ContainerStateTerminated.reason */
        { 17653, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ContainerStateTerminated.signal */
        { 16049, 504, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStateTerminated.startedAt */
        { 17122, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ContainerStateWaiting.message */
        { 17604, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ContainerStateWaiting.reason */
        { 7344, 463, 10, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* ContainerStatus.allocatedResources */
        { 3329, 335, 14, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* ContainerStatus.allocatedResourcesStatus */
        { 14264, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, 0, 0 }, /* ContainerStatus.containerID */
        { 17828, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerStatus.image */
        { 17074, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerStatus.imageID */
        { 15819, 186, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStatus.lastState */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ContainerStatus.name */
        { 17906, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, KL_API_FIELD_REQUIRED, 0 }, /* ContainerStatus.ready */
        { 13731, 334, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStatus.resources */
        { 13624, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ContainerStatus.restartCount */
        { 17266, KL_API_NO_MESSAGE, 9, KL_API_TYPE_BOOL, 0, 0 }, /* ContainerStatus.started */
        { 17936, 186, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStatus.state */
        { 18088, 191, 13, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerStatus.user */
        { 13793, 376, 12, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 14 }, /* ContainerStatus.volumeMounts */
        { 17858, 237, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ContainerUser.linux */
        { 6644, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* DaemonEndpoint.Port */
        { 17840, 194, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* DownwardAPIProjection.items */
        { 16429, 268, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* DownwardAPIVolumeFile.fieldRef */
        { 18033, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* DownwardAPIVolumeFile.mode */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* DownwardAPIVolumeFile.path */
        { 9827, 328, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* DownwardAPIVolumeFile.resourceFieldRef */
        { 14312, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* DownwardAPIVolumeSource.defaultMode */
        { 17840, 194, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* DownwardAPIVolumeSource.items */
        { 17541, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* EmptyDirVolumeSource.medium */
        { 16029, 463, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* EmptyDirVolumeSource.sizeLimit */
        { 16474, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* EndpointAddress.hostname */
        { 18174, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EndpointAddress.ip */
        { 16519, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* EndpointAddress.nodeName */
        { 16109, 269, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* EndpointAddress.targetRef */
        { 14216, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* EndpointPort.appProtocol */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* EndpointPort.name */
        { 18063, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* EndpointPort.port */
        { 16636, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* EndpointPort.protocol */
        { 15599, 197, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* EndpointSubset.addresses */
        { 8672, 197, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* EndpointSubset.notReadyAddresses */
        { 17894, 198, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* EndpointSubset.ports */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Endpoints.metadata */
        { 17282, 199, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* Endpoints.subsets */
        { 17840, 200, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* EndpointsList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* EndpointsList.metadata */
        { 13364, 176, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvFromSource.configMapRef */
        { 17597, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* EnvFromSource.prefix */
        { 15989, 343, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvFromSource.secretRef */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EnvVar.name */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* EnvVar.value */
        { 16139, 204, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvVar.valueFrom */
        { 10458, 177, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvVarSource.configMapKeyRef */
        { 16429, 268, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvVarSource.fieldRef */
        { 9827, 328, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvVarSource.resourceFieldRef */
        { 13663, 344, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* EnvVarSource.secretKeyRef */
        { 3404, 206, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* EphemeralContainer.ephemeralContainerCommon */
        { 6789, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* EphemeralContainer.targetContainerName */
        { 17978, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* EphemeralContainerCommon.args */
        { 16938, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* EphemeralContainerCommon.command */
        { 18115, 203, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* EphemeralContainerCommon.env */
        { 16994, 202, 19, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* EphemeralContainerCommon.envFrom */
        { 17828, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EphemeralContainerCommon.image */
        { 10618, KL_API_NO_MESSAGE, 14, KL_API_TYPE_STRING, 0, 0 }, /* EphemeralContainerCommon.imagePullPolicy */
        { 15829, 231, 12, KL_API_TYPE_MESSAGE, 0, 0 }, /* EphemeralContainerCommon.lifecycle */
        { 12720, 315, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* EphemeralContainerCommon.livenessProbe */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EphemeralContainerCommon.name */
        { 17894, 184, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 12 }, /* EphemeralContainerCommon.ports */
        { 11798, 315, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* EphemeralContainerCommon.readinessProbe */
        { 13585, 185, 23, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* EphemeralContainerCommon.resizePolicy */
        { 13731, 334, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* EphemeralContainerCommon.resources */
        { 12846, KL_API_NO_MESSAGE, 24, KL_API_TYPE_STRING, 0, 0 }, /* EphemeralContainerCommon.restartPolicy */
        { 10890, 349, 15, KL_API_TYPE_MESSAGE, 0, 0 }, /* EphemeralContainerCommon.securityContext */
        { 13715, 315, 22, KL_API_TYPE_MESSAGE, 0, 0 }, /* EphemeralContainerCommon.startupProbe */
        { 17942, KL_API_NO_MESSAGE, 16, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* EphemeralContainerCommon.stdin */
        { 16059, KL_API_NO_MESSAGE, 17, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* EphemeralContainerCommon.stdinOnce */
        { 4621, KL_API_NO_MESSAGE, 13, KL_API_TYPE_STRING, 0, 0 }, /* EphemeralContainerCommon.terminationMessagePath */
        { 3579, KL_API_NO_MESSAGE, 20, KL_API_TYPE_STRING, 0, 0 }, /* EphemeralContainerCommon.terminationMessagePolicy */
        { 18155, KL_API_NO_MESSAGE, 18, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* EphemeralContainerCommon.tty */
        { 12972, 374, 21, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 13 }, /* EphemeralContainerCommon.volumeDevices */
        { 13793, 375, 9, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 14 }, /* EphemeralContainerCommon.volumeMounts */
        { 15448, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* EphemeralContainerCommon.workingDir */
        { 6849, 276, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* EphemeralVolumeSource.volumeClaimTemplate */
        { 17366, KL_API_NO_MESSAGE, 12, KL_API_TYPE_STRING, 0, 0 }, /* Event.action */
        { 11387, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT32, 0, 0 }, /* Event.count */
        { 15749, 490, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.eventTime */
        { 11543, 504, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.firstTimestamp */
        { 11588, 269, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Event.involvedObject */
        { 12706, 504, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.lastTimestamp */
        { 17122, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* Event.message */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Event.metadata */
        { 17604, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* Event.reason */
        { 17186, 269, 13, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.related */
        { 7819, KL_API_NO_MESSAGE, 14, KL_API_TYPE_STRING, 0, 0 }, /* Event.reportingComponent */
        { 8762, KL_API_NO_MESSAGE, 15, KL_API_TYPE_STRING, 0, 0 }, /* Event.reportingInstance */
        { 17639, 210, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.series */
        { 374, 211, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.source */
        { 18083, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* Event.type */
        { 17840, 208, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* EventList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* EventList.metadata */
        { 11387, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* EventSeries.count */
        { 9572, 490, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* EventSeries.lastObservedTime */
        { 15669, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* EventSource.component */
        { 18018, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* EventSource.host */
        { 16938, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ExecAction.command */
        { 17478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* FCVolumeSource.fsType */
        { 18131, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* FCVolumeSource.lun */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* FCVolumeSource.readOnly */
        { 15371, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* FCVolumeSource.targetWWNs */
        { 17972, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* FCVolumeSource.wwids */
        { 17429, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* FlexPersistentVolumeSource.driver */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* FlexPersistentVolumeSource.fsType */
        { 17138, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* FlexPersistentVolumeSource.options */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* FlexPersistentVolumeSource.readOnly */
        { 15989, 347, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* FlexPersistentVolumeSource.secretRef */
        { 17429, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* FlexVolumeSource.driver */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* FlexVolumeSource.fsType */
        { 17138, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* FlexVolumeSource.options */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* FlexVolumeSource.readOnly */
        { 15989, 241, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* FlexVolumeSource.secretRef */
        { 14288, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* FlockerVolumeSource.datasetName */
        { 14300, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* FlockerVolumeSource.datasetUUID */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* GCEPersistentDiskVolumeSource.fsType */
        { 15899, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* GCEPersistentDiskVolumeSource.partition */
        { 17583, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GCEPersistentDiskVolumeSource.pdName */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* GCEPersistentDiskVolumeSource.readOnly */
        { 18063, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* GRPCAction.port */
        { 17250, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* GRPCAction.service */
        { 15699, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* GitRepoVolumeSource.directory */
        { 15239, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GitRepoVolumeSource.repository */
        { 16699, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* GitRepoVolumeSource.revision */
        { 15729, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GlusterfsPersistentVolumeSource.endpoints */
        { 7496, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* GlusterfsPersistentVolumeSource.endpointsNamespace */
        { 18043, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GlusterfsPersistentVolumeSource.path */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* GlusterfsPersistentVolumeSource.readOnly */
        { 15729, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GlusterfsVolumeSource.endpoints */
        { 18043, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GlusterfsVolumeSource.path */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* GlusterfsVolumeSource.readOnly */
        { 18018, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* HTTPGetAction.host */
        { 14408, 223, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* HTTPGetAction.httpHeaders */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* HTTPGetAction.path */
        { 18063, 513, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* HTTPGetAction.port */
        { 17618, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* HTTPGetAction.scheme */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HTTPHeader.name */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HTTPHeader.value */
        { 15799, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* HostAlias.hostnames */
        { 18174, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HostAlias.ip */
        { 18174, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HostIP.ip */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HostPathVolumeSource.path */
        { 18083, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* HostPathVolumeSource.type */
        { 8384, KL_API_NO_MESSAGE, 8, KL_API_TYPE_BOOL, 0, 0 }, /* ISCSIPersistentVolumeSource.chapAuthDiscovery */
        { 10442, KL_API_NO_MESSAGE, 11, KL_API_TYPE_BOOL, 0, 0 }, /* ISCSIPersistentVolumeSource.chapAuthSession */
        { 17478, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ISCSIPersistentVolumeSource.fsType */
        { 12622, KL_API_NO_MESSAGE, 12, KL_API_TYPE_STRING, 0, 0 }, /* ISCSIPersistentVolumeSource.initiatorName */
        { 18123, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ISCSIPersistentVolumeSource.iqn */
        { 11618, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ISCSIPersistentVolumeSource.iscsiInterface */
        { 18131, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ISCSIPersistentVolumeSource.lun */
        { 17162, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ISCSIPersistentVolumeSource.portals */
        { 16654, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* ISCSIPersistentVolumeSource.readOnly */
        { 15989, 347, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* ISCSIPersistentVolumeSource.secretRef */
        { 13741, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ISCSIPersistentVolumeSource.targetPortal */
        { 8384, KL_API_NO_MESSAGE, 8, KL_API_TYPE_BOOL, 0, 0 }, /* ISCSIVolumeSource.chapAuthDiscovery */
        { 10442, KL_API_NO_MESSAGE, 11, KL_API_TYPE_BOOL, 0, 0 }, /* ISCSIVolumeSource.chapAuthSession */
        { 17478, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ISCSIVolumeSource.fsType */
        { 12622, KL_API_NO_MESSAGE, 12, KL_API_TYPE_STRING, 0, 0 }, /* ISCSIVolumeSource.initiatorName */
        { 18123, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ISCSIVolumeSource.iqn */
        { 11618, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ISCSIVolumeSource.iscsiInterface */
        { 18131, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ISCSIVolumeSource.lun */
        { 17162, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ISCSIVolumeSource.portals */
        { 16654, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* ISCSIVolumeSource.readOnly */
        { 15989, 241, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* ISCSIVolumeSource.secretRef */
        { 13741, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ISCSIVolumeSource.targetPortal */
        { 15228, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ImageVolumeSource.pullPolicy */
        { 15196, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ImageVolumeSource.reference */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* KeyToPath.key */
        { 18033, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* KeyToPath.mode */
        { 18043, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* KeyToPath.path */
        { 15909, 232, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Lifecycle.postStart */
        { 17170, 232, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Lifecycle.preStop */
        { 17998, 212, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* LifecycleHandler.exec */
        { 17066, 222, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* LifecycleHandler.httpGet */
        { 17924, 361, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* LifecycleHandler.sleep */
        { 16119, 365, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* LifecycleHandler.tcpSocket */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* LimitRange.metadata */
        { 18078, 236, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* LimitRange.spec */
        { 16954, 463, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* LimitRangeItem.default */
        { 11513, 463, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* LimitRangeItem.defaultRequest */
        { 18135, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* LimitRangeItem.max */
        { 5980, 463, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* LimitRangeItem.maxLimitRequestRatio */
        { 18139, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* LimitRangeItem.min */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* LimitRangeItem.type */
        { 17840, 233, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* LimitRangeList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* LimitRangeList.metadata */
        { 17534, 234, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* LimitRangeSpec.limits */
        { 18119, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* LinuxContainerUser.gid */
        { 7914, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT64, KL_API_FIELD_REPEATED, 1 }, /* LinuxContainerUser.supplementalGroups */
        { 18163, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* LinuxContainerUser.uid */
        { 17840, 510, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* List.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* List.metadata */
        { 16474, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* LoadBalancerIngress.hostname */
        { 18174, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* LoadBalancerIngress.ip */
        { 17520, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* LoadBalancerIngress.ipMode */
        { 17894, 310, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* LoadBalancerIngress.ports */
        { 17082, 239, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* LoadBalancerStatus.ingress */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* LocalObjectReference.name */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* LocalVolumeSource.fsType */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* LocalVolumeSource.path */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ModifyVolumeStatus.status */
        { 1150, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ModifyVolumeStatus.targetVolumeAttributesClassName */
        { 18043, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NFSVolumeSource.path */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* NFSVolumeSource.readOnly */
        { 17646, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NFSVolumeSource.server */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Namespace.metadata */
        { 18078, 248, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Namespace.spec */
        { 17660, 249, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Namespace.status */
        { 7667, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* NamespaceCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* NamespaceCondition.message */
        { 17604, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* NamespaceCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NamespaceCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NamespaceCondition.type */
        { 17840, 245, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* NamespaceList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NamespaceList.metadata */
        { 15041, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* NamespaceSpec.finalizers */
        { 12303, 246, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* NamespaceStatus.conditions */
        { 17882, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* NamespaceStatus.phase */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Node.metadata */
        { 18078, 265, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Node.spec */
        { 17660, 266, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Node.status */
        { 16914, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeAddress.address */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeAddress.type */
        { 97, 314, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeAffinity.preferredDuringSchedulingIgnoredDuringExecution */
        { 145, 262, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeAffinity.requiredDuringSchedulingIgnoredDuringExecution */
        { 8528, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeCondition.lastHeartbeatTime */
        { 7667, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* NodeCondition.message */
        { 17604, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* NodeCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeCondition.type */
        { 15679, 179, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* NodeConfigSource.configMap */
        { 17373, 254, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeConfigStatus.active */
        { 16285, 254, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeConfigStatus.assigned */
        { 17786, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* NodeConfigStatus.error */
        { 12664, 254, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeConfigStatus.lastKnownGood */
        { 10634, 192, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeDaemonEndpoints.kubeletEndpoint */
        { 3529, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* NodeFeatures.supplementalGroupsPolicy */
        { 17840, 250, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* NodeList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeList.metadata */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* NodeProxyOptions.path */
        { 16420, 261, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeRuntimeHandler.features */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* NodeRuntimeHandler.name */
        { 4180, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* NodeRuntimeHandlerFeatures.recursiveReadOnlyMounts */
        { 11948, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* NodeRuntimeHandlerFeatures.userNamespaces */
        { 8636, 264, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* NodeSelector.nodeSelectorTerms */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSelectorRequirement.key */
        { 16537, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSelectorRequirement.operator */
        { 17723, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* NodeSelectorRequirement.values */
        { 9657, 263, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeSelectorTerm.matchExpressions */
        { 14432, 263, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeSelectorTerm.matchFields */
        { 13377, 254, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeSpec.configSource */
        { 15019, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* NodeSpec.externalID */
        { 17154, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* NodeSpec.podCIDR */
        { 16591, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 15 }, /* NodeSpec.podCIDRs */
        { 15217, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* NodeSpec.providerID */
        { 17702, 366, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeSpec.taints */
        { 12958, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* NodeSpec.unschedulable */
        { 15599, 251, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* NodeStatus.addresses */
        { 14180, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* NodeStatus.allocatable */
        { 16339, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* NodeStatus.capacity */
        { 12303, 253, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* NodeStatus.conditions */
        { 17415, 255, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeStatus.config */
        { 10522, 256, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeStatus.daemonEndpoints */
        { 16420, 257, 13, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeStatus.features */
        { 17506, 183, 8, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeStatus.images */
        { 16510, 267, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* NodeStatus.nodeInfo */
        { 17882, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* NodeStatus.phase */
        { 10842, 260, 12, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeStatus.runtimeHandlers */
        { 11002, 157, 10, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NodeStatus.volumesAttached */
        { 13819, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* NodeStatus.volumesInUse */
        { 13299, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.architecture */
        { 17380, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.bootID */
        { 4036, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.containerRuntimeVersion */
        { 12636, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.kernelVersion */
        { 9538, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.kubeProxyVersion */
        { 11633, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.kubeletVersion */
        { 15839, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.machineID */
        { 10730, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.operatingSystem */
        { 17146, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.osImage */
        { 15349, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* NodeSystemInfo.systemUUID */
        { 14909, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ObjectFieldSelector.apiVersion */
        { 15759, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ObjectFieldSelector.fieldPath */
        { 14909, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.apiVersion */
        { 15759, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.fieldPath */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.name */
        { 15869, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.namespace */
        { 10826, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.resourceVersion */
        { 18163, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ObjectReference.uid */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolume.metadata */
        { 18078, 280, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolume.spec */
        { 17660, 281, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolume.status */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaim.metadata */
        { 18078, 274, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaim.spec */
        { 17660, 275, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaim.status */
        { 12678, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimCondition.lastProbeTime */
        { 7667, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimCondition.message */
        { 17604, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeClaimCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeClaimCondition.type */
        { 17840, 271, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeClaimList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimList.metadata */
        { 14144, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PersistentVolumeClaimSpec.accessModes */
        { 14986, 371, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimSpec.dataSource */
        { 12496, 372, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimSpec.dataSourceRef */
        { 13731, 379, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimSpec.resources */
        { 16726, 484, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimSpec.selector */
        { 9878, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_KEEP_EMPTY, 0 }, /* PersistentVolumeClaimSpec.storageClassName */
        { 3078, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimSpec.volumeAttributesClassName */
        { 15404, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimSpec.volumeMode */
        { 15415, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimSpec.volumeName */
        { 14144, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PersistentVolumeClaimStatus.accessModes */
        { 2896, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 16 }, /* PersistentVolumeClaimStatus.allocatedResourceStatuses */
        { 7344, 463, 5, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* PersistentVolumeClaimStatus.allocatedResources */
        { 16339, 463, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* PersistentVolumeClaimStatus.capacity */
        { 12303, 272, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* PersistentVolumeClaimStatus.conditions */
        { 861, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimStatus.currentVolumeAttributesClassName */
        { 7686, 243, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimStatus.modifyVolumeStatus */
        { 17882, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeClaimStatus.phase */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeClaimTemplate.metadata */
        { 18078, 274, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeClaimTemplate.spec */
        { 15649, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeClaimVolumeSource.claimName */
        { 16654, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* PersistentVolumeClaimVolumeSource.readOnly */
        { 17840, 270, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeList.metadata */
        { 5791, 154, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.awsElasticBlockStore */
        { 15629, 159, 16, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.azureDisk */
        { 15639, 160, 13, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.azureFile */
        { 17394, 166, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.cephfs */
        { 17401, 168, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.cinder */
        { 17836, 163, 22, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.csi */
        { 18171, 213, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.fc */
        { 15063, 214, 12, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.flexVolume */
        { 17002, 216, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.flocker */
        { 8510, 217, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.gcePersistentDisk */
        { 15779, 220, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.glusterfs */
        { 16456, 226, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.hostPath */
        { 17834, 227, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.iscsi */
        { 17864, 242, 20, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.local */
        { 18143, 244, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.nfs */
        { 6043, 282, 17, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PersistentVolumeSource.photonPersistentDisk */
        { 11768, 311, 18, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.portworxVolume */
        { 17178, 318, 15, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.quobyte */
        { 18151, 319, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.rbd */
        { 17218, 337, 19, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.scaleIO */
        { 16069, 362, 21, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.storageos */
        { 12986, 381, 14, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSource.vsphereVolume */
        { 14144, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PersistentVolumeSpec.accessModes */
        { 16339, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* PersistentVolumeSpec.capacity */
        { 16348, 269, 4, KL_API_TYPE_MESSAGE, 0, 16 }, /* PersistentVolumeSpec.claimRef */
        { 13507, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PersistentVolumeSpec.mountOptions */
        { 13520, 377, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeSpec.nodeAffinity */
        { 1667, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeSpec.persistentVolumeReclaimPolicy */
        { 4575, 279, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* PersistentVolumeSpec.persistentVolumeSource */
        { 9878, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeSpec.storageClassName */
        { 3078, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeSpec.volumeAttributesClassName */
        { 15404, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeSpec.volumeMode */
        { 4108, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* PersistentVolumeStatus.lastPhaseTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeStatus.message */
        { 17882, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeStatus.phase */
        { 17604, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PersistentVolumeStatus.reason */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PhotonPersistentDiskVolumeSource.fsType */
        { 18048, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PhotonPersistentDiskVolumeSource.pdID */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Pod.metadata */
        { 18078, 304, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Pod.spec */
        { 17660, 305, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Pod.status */
        { 97, 382, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodAffinity.preferredDuringSchedulingIgnoredDuringExecution */
        { 145, 285, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodAffinity.requiredDuringSchedulingIgnoredDuringExecution */
        { 12650, 484, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodAffinityTerm.labelSelector */
        { 8603, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PodAffinityTerm.matchLabelKeys */
        { 8600, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PodAffinityTerm.mismatchLabelKeys */
        { 8618, 484, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodAffinityTerm.namespaceSelector */
        { 15151, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PodAffinityTerm.namespaces */
        { 14708, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodAffinityTerm.topologyKey */
        { 97, 382, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution */
        { 145, 285, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution */
        { 15689, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PodAttachOptions.container */
        { 17667, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* PodAttachOptions.stderr */
        { 17942, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* PodAttachOptions.stdin */
        { 17674, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* PodAttachOptions.stdout */
        { 18155, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* PodAttachOptions.tty */
        { 12678, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodCondition.lastProbeTime */
        { 7667, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* PodCondition.message */
        { 17604, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PodCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodCondition.type */
        { 14492, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PodDNSConfig.nameservers */
        { 17138, 290, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodDNSConfig.options */
        { 16717, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PodDNSConfig.searches */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodDNSConfigOption.name */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* PodDNSConfigOption.value */
        { 16938, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* PodExecOptions.command */
        { 15689, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PodExecOptions.container */
        { 17667, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* PodExecOptions.stderr */
        { 17942, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* PodExecOptions.stdin */
        { 17674, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* PodExecOptions.stdout */
        { 18155, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* PodExecOptions.tty */
        { 18174, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodIP.ip */
        { 17840, 283, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PodList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodList.metadata */
        { 15689, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* PodLogOptions.container */
        { 17471, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* PodLogOptions.follow */
        { 1872, KL_API_NO_MESSAGE, 9, KL_API_TYPE_BOOL, 0, 0 }, /* PodLogOptions.insecureSkipTLSVerifyBackend */
        { 15107, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT64, 0, 0 }, /* PodLogOptions.limitBytes */
        { 16618, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* PodLogOptions.previous */
        { 13689, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT64, 0, 0 }, /* PodLogOptions.sinceSeconds */
        { 16009, 504, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodLogOptions.sinceTime */
        { 17688, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* PodLogOptions.stream */
        { 16099, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT64, 0, 0 }, /* PodLogOptions.tailLines */
        { 15393, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* PodLogOptions.timestamps */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodOS.name */
        { 17894, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REPEATED, 1 }, /* PodPortForwardOptions.ports */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* PodProxyOptions.path */
        { 12454, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodReadinessGate.conditionType */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodResourceClaim.name */
        { 8798, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodResourceClaim.resourceClaimName */
        { 3026, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodResourceClaim.resourceClaimTemplateName */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodResourceClaimStatus.name */
        { 8798, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* PodResourceClaimStatus.resourceClaimName */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PodSchedulingGate.name */
        { 10426, 156, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSecurityContext.appArmorProfile */
        { 17010, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT64, 0, 0 }, /* PodSecurityContext.fsGroup */
        { 6609, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* PodSecurityContext.fsGroupChangePolicy */
        { 15261, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT64, 0, 0 }, /* PodSecurityContext.runAsGroup */
        { 13637, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* PodSecurityContext.runAsNonRoot */
        { 15959, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT64, 0, 0 }, /* PodSecurityContext.runAsUser */
        { 6749, KL_API_NO_MESSAGE, 13, KL_API_TYPE_STRING, 0, 0 }, /* PodSecurityContext.seLinuxChangePolicy */
        { 11843, 336, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSecurityContext.seLinuxOptions */
        { 11858, 341, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSecurityContext.seccompProfile */
        { 7914, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT64, KL_API_FIELD_REPEATED, 1 }, /* PodSecurityContext.supplementalGroups */
        { 3529, KL_API_NO_MESSAGE, 12, KL_API_TYPE_STRING, 0, 0 }, /* PodSecurityContext.supplementalGroupsPolicy */
        { 17298, 364, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodSecurityContext.sysctls */
        { 11963, 383, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSecurityContext.windowsOptions */
        { 12762, 492, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSignature.podController */
        { 5129, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT64, 0, 0 }, /* PodSpec.activeDeadlineSeconds */
        { 16267, 155, 18, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSpec.affinity */
        { 1843, KL_API_NO_MESSAGE, 21, KL_API_TYPE_BOOL, 0, 0 }, /* PodSpec.automountServiceAccountToken */
        { 14964, 182, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 2 }, /* PodSpec.containers */
        { 15709, 289, 26, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSpec.dnsConfig */
        { 15719, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.dnsPolicy */
        { 7477, KL_API_NO_MESSAGE, 30, KL_API_TYPE_BOOL, 0, 0 }, /* PodSpec.enableServiceLinks */
        { 6569, 205, 34, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* PodSpec.ephemeralContainers */
        { 14372, 224, 23, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 17 }, /* PodSpec.hostAliases */
        { 17042, KL_API_NO_MESSAGE, 13, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* PodSpec.hostIPC */
        { 14384, KL_API_NO_MESSAGE, 11, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* PodSpec.hostNetwork */
        { 17058, KL_API_NO_MESSAGE, 12, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* PodSpec.hostPID */
        { 15789, KL_API_NO_MESSAGE, 37, KL_API_TYPE_BOOL, 0, 0 }, /* PodSpec.hostUsers */
        { 16474, KL_API_NO_MESSAGE, 16, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.hostname */
        { 9470, 241, 15, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* PodSpec.imagePullSecrets */
        { 11573, 182, 20, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 2 }, /* PodSpec.initContainers */
        { 16519, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.nodeName */
        { 13533, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 18 }, /* PodSpec.nodeSelector */
        { 16076, 295, 36, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSpec.os */
        { 16564, 463, 32, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* PodSpec.overhead */
        { 9776, KL_API_NO_MESSAGE, 31, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.preemptionPolicy */
        { 16627, KL_API_NO_MESSAGE, 25, KL_API_TYPE_INT32, 0, 0 }, /* PodSpec.priority */
        { 8708, KL_API_NO_MESSAGE, 24, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.priorityClassName */
        { 11783, 298, 28, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodSpec.readinessGates */
        { 11813, 299, 39, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 19 }, /* PodSpec.resourceClaims */
        { 13731, 334, 40, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSpec.resources */
        { 12846, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.restartPolicy */
        { 9844, KL_API_NO_MESSAGE, 29, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.runtimeClassName */
        { 12888, KL_API_NO_MESSAGE, 19, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.schedulerName */
        { 10858, 301, 38, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* PodSpec.schedulingGates */
        { 10890, 302, 14, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodSpec.securityContext */
        { 11873, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.serviceAccount */
        { 7876, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.serviceAccountName */
        { 8852, KL_API_NO_MESSAGE, 35, KL_API_TYPE_BOOL, 0, 0 }, /* PodSpec.setHostnameAsFQDN */
        { 5349, KL_API_NO_MESSAGE, 27, KL_API_TYPE_BOOL, 0, 0 }, /* PodSpec.shareProcessNamespace */
        { 16079, KL_API_NO_MESSAGE, 17, KL_API_TYPE_STRING, 0, 0 }, /* PodSpec.subdomain */
        { 1697, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT64, 0, 0 }, /* PodSpec.terminationGracePeriodSeconds */
        { 14696, 367, 22, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodSpec.tolerations */
        { 3052, 370, 33, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 20 }, /* PodSpec.topologySpreadConstraints */
        { 17314, 373, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 19 }, /* PodSpec.volumes */
        { 12303, 288, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* PodStatus.conditions */
        { 8438, 190, 8, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodStatus.containerStatuses */
        { 2343, 190, 13, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* PodStatus.ephemeralContainerStatuses */
        { 17499, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.hostIP */
        { 17050, 225, 16, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 21 }, /* PodStatus.hostIPs */
        { 5173, 190, 10, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* PodStatus.initContainerStatuses */
        { 17122, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.message */
        { 8654, KL_API_NO_MESSAGE, 11, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.nominatedNodeName */
        { 17882, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.phase */
        { 17888, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.podIP */
        { 17590, 292, 12, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 17 }, /* PodStatus.podIPs */
        { 16645, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.qosClass */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.reason */
        { 17611, KL_API_NO_MESSAGE, 14, KL_API_TYPE_STRING, 0, 0 }, /* PodStatus.resize */
        { 5305, 300, 15, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 19 }, /* PodStatus.resourceClaimStatuses */
        { 16039, 504, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodStatus.startTime */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodStatusResult.metadata */
        { 17660, 305, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodStatusResult.status */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodTemplate.metadata */
        { 16762, 309, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodTemplate.template */
        { 17840, 307, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PodTemplateList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodTemplateList.metadata */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodTemplateSpec.metadata */
        { 18078, 304, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodTemplateSpec.spec */
        { 17786, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PortStatus.error */
        { 18063, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PortStatus.port */
        { 16636, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PortStatus.protocol */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PortworxVolumeSource.fsType */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* PortworxVolumeSource.readOnly */
        { 16816, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* PortworxVolumeSource.volumeID */
        { 18163, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* Preconditions.uid */
        { 13403, 504, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PreferAvoidPodsEntry.evictionTime */
        { 17122, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* PreferAvoidPodsEntry.message */
        { 13559, 303, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PreferAvoidPodsEntry.podSignature */
        { 17604, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PreferAvoidPodsEntry.reason */
        { 15195, 264, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* PreferredSchedulingTerm.preference */
        { 17737, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PreferredSchedulingTerm.weight */
        { 9453, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* Probe.failureThreshold */
        { 17034, 316, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* Probe.handler */
        { 6649, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* Probe.initialDelaySeconds */
        { 12748, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* Probe.periodSeconds */
        { 9912, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* Probe.successThreshold */
        { 1697, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT64, 0, 0 }, /* Probe.terminationGracePeriodSeconds */
        { 11903, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* Probe.timeoutSeconds */
        { 17998, 212, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ProbeHandler.exec */
        { 18008, 218, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ProbeHandler.grpc */
        { 17066, 222, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ProbeHandler.httpGet */
        { 16119, 365, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ProbeHandler.tcpSocket */
        { 14312, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ProjectedVolumeSource.defaultMode */
        { 6501, 378, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ProjectedVolumeSource.sources */
        { 17810, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* QuobyteVolumeSource.group */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* QuobyteVolumeSource.readOnly */
        { 16663, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* QuobyteVolumeSource.registry */
        { 17716, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* QuobyteVolumeSource.tenant */
        { 18088, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* QuobyteVolumeSource.user */
        { 17730, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* QuobyteVolumeSource.volume */
        { 17478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* RBDPersistentVolumeSource.fsType */
        { 17828, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RBDPersistentVolumeSource.image */
        { 17098, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* RBDPersistentVolumeSource.keyring */
        { 16501, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* RBDPersistentVolumeSource.monitors */
        { 18058, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* RBDPersistentVolumeSource.pool */
        { 16654, KL_API_NO_MESSAGE, 8, KL_API_TYPE_BOOL, 0, 0 }, /* RBDPersistentVolumeSource.readOnly */
        { 15989, 347, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* RBDPersistentVolumeSource.secretRef */
        { 18088, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* RBDPersistentVolumeSource.user */
        { 17478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* RBDVolumeSource.fsType */
        { 17828, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RBDVolumeSource.image */
        { 17098, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* RBDVolumeSource.keyring */
        { 16501, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* RBDVolumeSource.monitors */
        { 18058, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* RBDVolumeSource.pool */
        { 16654, KL_API_NO_MESSAGE, 8, KL_API_TYPE_BOOL, 0, 0 }, /* RBDVolumeSource.readOnly */
        { 15989, 241, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* RBDVolumeSource.secretRef */
        { 18088, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* RBDVolumeSource.user */
        { 4970, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BYTES, KL_API_FIELD_REQUIRED, 0 }, /* RangeAllocation.data */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RangeAllocation.metadata */
        { 17900, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RangeAllocation.range */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicationController.metadata */
        { 18078, 325, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicationController.spec */
        { 17660, 326, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicationController.status */
        { 7667, 504, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicationControllerCondition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ReplicationControllerCondition.message */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ReplicationControllerCondition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ReplicationControllerCondition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ReplicationControllerCondition.type */
        { 17840, 322, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ReplicationControllerList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicationControllerList.metadata */
        { 10666, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* ReplicationControllerSpec.minReadySeconds */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* ReplicationControllerSpec.replicas */
        { 16726, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 18 }, /* ReplicationControllerSpec.selector */
        { 16762, 309, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ReplicationControllerSpec.template */
        { 6831, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* ReplicationControllerStatus.availableReplicas */
        { 12303, 323, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* ReplicationControllerStatus.conditions */
        { 5875, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, 0, 0 }, /* ReplicationControllerStatus.fullyLabeledReplicas */
        { 7762, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT64, 0, 0 }, /* ReplicationControllerStatus.observedGeneration */
        { 12790, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, 0, 0 }, /* ReplicationControllerStatus.readyReplicas */
        { 16672, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ReplicationControllerStatus.replicas */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceClaim.name */
        { 17194, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ResourceClaim.request */
        { 12468, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ResourceFieldSelector.containerName */
        { 16978, 463, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceFieldSelector.divisor */
        { 372, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceFieldSelector.resource */
        { 17492, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceHealth.health */
        { 15250, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceHealth.resourceID */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceQuota.metadata */
        { 18078, 332, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceQuota.spec */
        { 17660, 333, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceQuota.status */
        { 17840, 330, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ResourceQuotaList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceQuotaList.metadata */
        { 18013, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* ResourceQuotaSpec.hard */
        { 12902, 339, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ResourceQuotaSpec.scopeSelector */
        { 17625, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ResourceQuotaSpec.scopes */
        { 18013, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* ResourceQuotaStatus.hard */
        { 17578, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* ResourceQuotaStatus.used */
        { 17408, 327, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 22 }, /* ResourceRequirements.claims */
        { 17534, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* ResourceRequirements.limits */
        { 16681, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* ResourceRequirements.requests */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ResourceStatus.name */
        { 13731, 329, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 23 }, /* ResourceStatus.resources */
        { 17846, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* SELinuxOptions.level */
        { 18068, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* SELinuxOptions.role */
        { 18083, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* SELinuxOptions.type */
        { 18088, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* SELinuxOptions.user */
        { 17478, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOPersistentVolumeSource.fsType */
        { 17018, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOPersistentVolumeSource.gateway */
        { 9810, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOPersistentVolumeSource.protectionDomain */
        { 16654, KL_API_NO_MESSAGE, 10, KL_API_TYPE_BOOL, 0, 0 }, /* ScaleIOPersistentVolumeSource.readOnly */
        { 15989, 347, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOPersistentVolumeSource.secretRef */
        { 15327, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* ScaleIOPersistentVolumeSource.sslEnabled */
        { 14624, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOPersistentVolumeSource.storageMode */
        { 14636, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOPersistentVolumeSource.storagePool */
        { 4614, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOPersistentVolumeSource.system */
        { 15415, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOPersistentVolumeSource.volumeName */
        { 17478, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOVolumeSource.fsType */
        { 17018, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOVolumeSource.gateway */
        { 9810, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOVolumeSource.protectionDomain */
        { 16654, KL_API_NO_MESSAGE, 10, KL_API_TYPE_BOOL, 0, 0 }, /* ScaleIOVolumeSource.readOnly */
        { 15989, 241, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOVolumeSource.secretRef */
        { 15327, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* ScaleIOVolumeSource.sslEnabled */
        { 14624, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOVolumeSource.storageMode */
        { 14636, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* ScaleIOVolumeSource.storagePool */
        { 4614, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOVolumeSource.system */
        { 15415, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScaleIOVolumeSource.volumeName */
        { 9657, 340, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ScopeSelector.matchExpressions */
        { 16537, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScopedResourceSelectorRequirement.operator */
        { 15979, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ScopedResourceSelectorRequirement.scopeName */
        { 17723, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ScopedResourceSelectorRequirement.values */
        { 9623, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* SeccompProfile.localhostProfile */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* SeccompProfile.type */
        { 4970, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BYTES, KL_API_FIELD_MAP, 0 }, /* Secret.data */
        { 15809, KL_API_NO_MESSAGE, 5, KL_API_TYPE_BOOL, 0, 0 }, /* Secret.immutable */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Secret.metadata */
        { 15338, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* Secret.stringData */
        { 18083, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* Secret.type */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* SecretEnvSource.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* SecretEnvSource.optional */
        { 18127, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* SecretKeySelector.key */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* SecretKeySelector.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* SecretKeySelector.optional */
        { 17840, 342, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* SecretList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SecretList.metadata */
        { 17840, 230, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* SecretProjection.items */
        { 5959, 241, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* SecretProjection.localObjectReference */
        { 16546, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* SecretProjection.optional */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* SecretReference.name */
        { 15869, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* SecretReference.namespace */
        { 14312, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* SecretVolumeSource.defaultMode */
        { 17840, 230, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* SecretVolumeSource.items */
        { 16546, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* SecretVolumeSource.optional */
        { 15294, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* SecretVolumeSource.secretName */
        { 3354, KL_API_NO_MESSAGE, 7, KL_API_TYPE_BOOL, 0, 0 }, /* SecurityContext.allowPrivilegeEscalation */
        { 10426, 156, 12, KL_API_TYPE_MESSAGE, 0, 0 }, /* SecurityContext.appArmorProfile */
        { 13338, 165, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SecurityContext.capabilities */
        { 15206, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* SecurityContext.privileged */
        { 15919, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, 0, 0 }, /* SecurityContext.procMount */
        { 4598, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* SecurityContext.readOnlyRootFilesystem */
        { 15261, KL_API_NO_MESSAGE, 8, KL_API_TYPE_INT64, 0, 0 }, /* SecurityContext.runAsGroup */
        { 13637, KL_API_NO_MESSAGE, 5, KL_API_TYPE_BOOL, 0, 0 }, /* SecurityContext.runAsNonRoot */
        { 15959, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT64, 0, 0 }, /* SecurityContext.runAsUser */
        { 11843, 336, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* SecurityContext.seLinuxOptions */
        { 11858, 341, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* SecurityContext.seccompProfile */
        { 11963, 383, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* SecurityContext.windowsOptions */
        { 15196, 269, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SerializedReference.reference */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Service.metadata */
        { 18078, 358, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Service.spec */
        { 17660, 359, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Service.status */
        { 1843, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* ServiceAccount.automountServiceAccountToken */
        { 9470, 241, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ServiceAccount.imagePullSecrets */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ServiceAccount.metadata */
        { 17242, 269, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 2 }, /* ServiceAccount.secrets */
        { 17840, 352, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ServiceAccountList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ServiceAccountList.metadata */
        { 16312, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ServiceAccountTokenProjection.audience */
        { 8492, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT64, 0, 0 }, /* ServiceAccountTokenProjection.expirationSeconds */
        { 18043, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ServiceAccountTokenProjection.path */
        { 17840, 351, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ServiceList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ServiceList.metadata */
        { 14216, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* ServicePort.appProtocol */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ServicePort.name */
        { 16528, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* ServicePort.nodePort */
        { 18063, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* ServicePort.port */
        { 16636, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ServicePort.protocol */
        { 15360, 513, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ServicePort.targetPort */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ServiceProxyOptions.path */
        { 1637, KL_API_NO_MESSAGE, 20, KL_API_TYPE_BOOL, 0, 0 }, /* ServiceSpec.allocateLoadBalancerNodePorts */
        { 15659, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.clusterIP */
        { 14953, KL_API_NO_MESSAGE, 18, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ServiceSpec.clusterIPs */
        { 14360, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ServiceSpec.externalIPs */
        { 13429, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.externalName */
        { 5151, KL_API_NO_MESSAGE, 11, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.externalTrafficPolicy */
        { 6629, KL_API_NO_MESSAGE, 12, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* ServiceSpec.healthCheckNodePort */
        { 5195, KL_API_NO_MESSAGE, 22, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.internalTrafficPolicy */
        { 15096, KL_API_NO_MESSAGE, 19, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ServiceSpec.ipFamilies */
        { 11603, KL_API_NO_MESSAGE, 17, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.ipFamilyPolicy */
        { 8546, KL_API_NO_MESSAGE, 21, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.loadBalancerClass */
        { 11663, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.loadBalancerIP */
        { 3479, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ServiceSpec.loadBalancerSourceRanges */
        { 17894, 356, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 24 }, /* ServiceSpec.ports */
        { 3504, KL_API_NO_MESSAGE, 13, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* ServiceSpec.publishNotReadyAddresses */
        { 16726, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 18 }, /* ServiceSpec.selector */
        { 10906, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.sessionAffinity */
        { 5327, 360, 14, KL_API_TYPE_MESSAGE, 0, 0 }, /* ServiceSpec.sessionAffinityConfig */
        { 6809, KL_API_NO_MESSAGE, 23, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.trafficDistribution */
        { 18083, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ServiceSpec.type */
        { 12303, 471, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* ServiceStatus.conditions */
        { 13481, 240, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ServiceStatus.loadBalancer */
        { 16357, 170, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* SessionAffinityConfig.clientIP */
        { 17234, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* SleepAction.seconds */
        { 17478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* StorageOSPersistentVolumeSource.fsType */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* StorageOSPersistentVolumeSource.readOnly */
        { 15989, 269, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* StorageOSPersistentVolumeSource.secretRef */
        { 15415, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StorageOSPersistentVolumeSource.volumeName */
        { 10986, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* StorageOSPersistentVolumeSource.volumeNamespace */
        { 17478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* StorageOSVolumeSource.fsType */
        { 16654, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* StorageOSVolumeSource.readOnly */
        { 15989, 241, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* StorageOSVolumeSource.secretRef */
        { 15415, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StorageOSVolumeSource.volumeName */
        { 10986, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* StorageOSVolumeSource.volumeNamespace */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Sysctl.name */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Sysctl.value */
        { 18018, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* TCPSocketAction.host */
        { 18063, 513, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* TCPSocketAction.port */
        { 17443, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Taint.effect */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Taint.key */
        { 16129, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* Taint.timeAdded */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Taint.value */
        { 17443, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* Toleration.effect */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* Toleration.key */
        { 16537, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Toleration.operator */
        { 8888, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT64, 0, 0 }, /* Toleration.tolerationSeconds */
        { 17954, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* Toleration.value */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TopologySelectorLabelRequirement.key */
        { 17723, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* TopologySelectorLabelRequirement.values */
        { 5239, 368, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* TopologySelectorTerm.matchLabelExpressions */
        { 12650, 484, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* TopologySpreadConstraint.labelSelector */
        { 8603, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* TopologySpreadConstraint.matchLabelKeys */
        { 17114, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* TopologySpreadConstraint.maxSkew */
        { 15129, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* TopologySpreadConstraint.minDomains */
        { 7705, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* TopologySpreadConstraint.nodeAffinityPolicy */
        { 9708, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* TopologySpreadConstraint.nodeTaintsPolicy */
        { 14708, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TopologySpreadConstraint.topologyKey */
        { 8942, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TopologySpreadConstraint.whenUnsatisfiable */
        { 16276, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* TypedLocalObjectReference.apiGroup */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TypedLocalObjectReference.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TypedLocalObjectReference.name */
        { 16276, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* TypedObjectReference.apiGroup */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TypedObjectReference.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TypedObjectReference.name */
        { 15869, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* TypedObjectReference.namespace */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Volume.name */
        { 13806, 380, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* Volume.volumeSource */
        { 14997, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeDevice.devicePath */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeDevice.name */
        { 15859, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeMount.mountPath */
        { 9691, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* VolumeMount.mountPropagation */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeMount.name */
        { 16654, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, KL_API_FIELD_OMIT_ZERO, 0 }, /* VolumeMount.readOnly */
        { 8744, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* VolumeMount.recursiveReadOnly */
        { 17274, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* VolumeMount.subPath */
        { 14648, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* VolumeMount.subPathExpr */
        { 15859, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeMountStatus.mountPath */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeMountStatus.name */
        { 16654, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* VolumeMountStatus.readOnly */
        { 8744, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* VolumeMountStatus.recursiveReadOnly */
        { 16690, 262, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* VolumeNodeAffinity.required */
        { 7420, 171, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeProjection.clusterTrustBundle */
        { 15679, 180, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeProjection.configMap */
        { 14348, 193, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeProjection.downwardAPI */
        { 17632, 346, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeProjection.secret */
        { 6769, 354, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeProjection.serviceAccountToken */
        { 17534, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* VolumeResourceRequirements.limits */
        { 16681, 463, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* VolumeResourceRequirements.requests */
        { 5791, 154, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.awsElasticBlockStore */
        { 15629, 159, 22, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.azureDisk */
        { 15639, 161, 18, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.azureFile */
        { 17394, 167, 14, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.cephfs */
        { 17401, 169, 13, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.cinder */
        { 15679, 181, 19, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.configMap */
        { 17836, 164, 28, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.csi */
        { 14348, 195, 16, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.downwardAPI */
        { 16393, 196, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.emptyDir */
        { 15739, 207, 29, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.ephemeral */
        { 18171, 213, 17, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.fc */
        { 15063, 215, 12, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.flexVolume */
        { 17002, 216, 15, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.flocker */
        { 8510, 217, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.gcePersistentDisk */
        { 17026, 219, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.gitRepo */
        { 15779, 221, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.glusterfs */
        { 16456, 226, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.hostPath */
        { 17828, 229, 30, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.image */
        { 17834, 228, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.iscsi */
        { 18143, 244, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.nfs */
        { 5283, 277, 10, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.persistentVolumeClaim */
        { 6043, 282, 23, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* VolumeSource.photonPersistentDisk */
        { 11768, 311, 24, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.portworxVolume */
        { 15929, 317, 26, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* VolumeSource.projected */
        { 17178, 318, 21, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.quobyte */
        { 18151, 320, 11, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.rbd */
        { 17218, 338, 25, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.scaleIO */
        { 17632, 348, 6, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.secret */
        { 16069, 363, 27, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.storageos */
        { 12986, 381, 20, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeSource.vsphereVolume */
        { 17478, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* VsphereVirtualDiskVolumeSource.fsType */
        { 10938, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* VsphereVirtualDiskVolumeSource.storagePolicyID */
        { 8870, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* VsphereVirtualDiskVolumeSource.storagePolicyName */
        { 15426, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VsphereVirtualDiskVolumeSource.volumePath */
        { 10762, 285, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* WeightedPodAffinityTerm.podAffinityTerm */
        { 17737, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* WeightedPodAffinityTerm.weight */
        { 7534, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* WindowsSecurityContextOptions.gmsaCredentialSpec */
        { 4552, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* WindowsSecurityContextOptions.gmsaCredentialSpecName */
        { 14396, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* WindowsSecurityContextOptions.hostProcess */
        { 12874, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* WindowsSecurityContextOptions.runAsUserName */
        { 15599, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 3 }, /* Endpoint.addresses */
        { 12303, 385, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Endpoint.conditions */
        { 7439, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* Endpoint.deprecatedTopology */
        { 17816, 386, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* Endpoint.hints */
        { 16474, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* Endpoint.hostname */
        { 16519, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* Endpoint.nodeName */
        { 16109, 269, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* Endpoint.targetRef */
        { 18098, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* Endpoint.zone */
        { 17906, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* EndpointConditions.ready */
        { 17258, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* EndpointConditions.serving */
        { 14684, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* EndpointConditions.terminating */
        { 16447, 390, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* EndpointHints.forZones */
        { 14216, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* EndpointPort.appProtocol */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EndpointPort.name */
        { 18063, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* EndpointPort.port */
        { 16636, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EndpointPort.protocol */
        { 14168, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* EndpointSlice.addressType */
        { 15729, 384, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* EndpointSlice.endpoints */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* EndpointSlice.metadata */
        { 17894, 387, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* EndpointSlice.ports */
        { 17840, 388, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* EndpointSliceList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* EndpointSliceList.metadata */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ForZone.name */
        { 17366, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Event.action */
        { 10538, KL_API_NO_MESSAGE, 15, KL_API_TYPE_INT32, 0, 0 }, /* Event.deprecatedCount */
        { 3379, 504, 13, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.deprecatedFirstTimestamp */
        { 4060, 504, 14, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.deprecatedLastTimestamp */
        { 9436, 211, 12, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.deprecatedSource */
        { 15749, 490, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Event.eventTime */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.metadata */
        { 18038, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* Event.note */
        { 17604, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Event.reason */
        { 15939, 269, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.regarding */
        { 17186, 269, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.related */
        { 6729, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Event.reportingController */
        { 8762, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Event.reportingInstance */
        { 17639, 393, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Event.series */
        { 18083, KL_API_NO_MESSAGE, 11, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Event.type */
        { 17840, 391, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* EventList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* EventList.metadata */
        { 11387, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* EventSeries.count */
        { 9572, 490, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* EventSeries.lastObservedTime */
        { 16930, 398, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* HTTPIngressPath.backend */
        { 18043, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* HTTPIngressPath.path */
        { 16582, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* HTTPIngressPath.pathType */
        { 17876, 394, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* HTTPIngressRuleValue.paths */
        { 17983, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IPBlock.cidr */
        { 17457, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* IPBlock.except */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Ingress.metadata */
        { 18078, 410, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Ingress.spec */
        { 17660, 411, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* Ingress.status */
        { 372, 371, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressBackend.resource */
        { 17250, 409, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressBackend.service */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressClass.metadata */
        { 18078, 402, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressClass.spec */
        { 17840, 399, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* IngressClassList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressClassList.metadata */
        { 16258, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* IngressClassParametersReference.aPIGroup */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IngressClassParametersReference.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IngressClassParametersReference.name */
        { 15869, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* IngressClassParametersReference.namespace */
        { 17918, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* IngressClassParametersReference.scope */
        { 14975, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IngressClassSpec.controller */
        { 15173, 401, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressClassSpec.parameters */
        { 17840, 397, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* IngressList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressList.metadata */
        { 16474, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* IngressLoadBalancerIngress.hostname */
        { 18174, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* IngressLoadBalancerIngress.ip */
        { 17894, 406, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* IngressLoadBalancerIngress.ports */
        { 17082, 404, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* IngressLoadBalancerStatus.ingress */
        { 17786, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* IngressPortStatus.error */
        { 18063, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* IngressPortStatus.port */
        { 16636, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IngressPortStatus.protocol */
        { 18018, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* IngressRule.host */
        { 9504, 408, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_INLINE, 0 }, /* IngressRule.ingressRuleValue */
        { 18023, 395, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressRuleValue.http */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IngressServiceBackend.name */
        { 18063, 420, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* IngressServiceBackend.port */
        { 11498, 398, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressSpec.defaultBackend */
        { 9487, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* IngressSpec.ingressClassName */
        { 17912, 407, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* IngressSpec.rules */
        { 17302, 412, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* IngressSpec.tls */
        { 13481, 405, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* IngressStatus.loadBalancer */
        { 17822, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* IngressTLS.hosts */
        { 15294, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* IngressTLS.secretName */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicy.metadata */
        { 18078, 419, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicy.spec */
        { 17894, 418, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicyEgressRule.ports */
        { 18177, 417, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicyEgressRule.to */
        { 18003, 417, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicyIngressRule.from */
        { 17894, 418, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicyIngressRule.ports */
        { 17840, 413, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* NetworkPolicyList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicyList.metadata */
        { 17090, 396, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicyPeer.ipBlock */
        { 8618, 484, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicyPeer.namespaceSelector */
        { 14552, 484, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicyPeer.podSelector */
        { 7298, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, 0, 0 }, /* NetworkPolicyPort.endPort */
        { 18063, 513, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* NetworkPolicyPort.port */
        { 16636, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* NetworkPolicyPort.protocol */
        { 17450, 414, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicySpec.egress */
        { 17082, 415, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicySpec.ingress */
        { 14552, 484, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* NetworkPolicySpec.podSelector */
        { 14564, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* NetworkPolicySpec.policyTypes */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ServiceBackendPort.name */
        { 17562, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_OMIT_ZERO, 0 }, /* ServiceBackendPort.number */
        { 16600, 463, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* Overhead.podFixed */
        { 17034, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RuntimeClass.handler */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RuntimeClass.metadata */
        { 16564, 421, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* RuntimeClass.overhead */
        { 15272, 424, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* RuntimeClass.scheduling */
        { 17840, 422, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* RuntimeClassList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RuntimeClassList.metadata */
        { 13533, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 18 }, /* Scheduling.nodeSelector */
        { 14696, 367, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* Scheduling.tolerations */
        { 12510, 473, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* Eviction.deleteOptions */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Eviction.metadata */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodDisruptionBudget.metadata */
        { 18078, 428, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodDisruptionBudget.spec */
        { 17660, 429, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodDisruptionBudget.status */
        { 17840, 426, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PodDisruptionBudgetList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodDisruptionBudgetList.metadata */
        { 11708, 513, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodDisruptionBudgetSpec.maxUnavailable */
        { 13494, 513, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PodDisruptionBudgetSpec.minAvailable */
        { 16726, 484, 2, KL_API_TYPE_MESSAGE, 0, 25 }, /* PodDisruptionBudgetSpec.selector */
        { 2505, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy */
        { 12303, 471, 7, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 9 }, /* PodDisruptionBudgetStatus.conditions */
        { 11468, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PodDisruptionBudgetStatus.currentHealthy */
        { 11528, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PodDisruptionBudgetStatus.desiredHealthy */
        { 12524, 504, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_MAP, 0 }, /* PodDisruptionBudgetStatus.disruptedPods */
        { 7458, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PodDisruptionBudgetStatus.disruptionsAllowed */
        { 13416, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PodDisruptionBudgetStatus.expectedPods */
        { 7762, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* PodDisruptionBudgetStatus.observedGeneration */
        { 5833, 484, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* AggregationRule.clusterRoleSelectors */
        { 10410, 430, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* ClusterRole.aggregationRule */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ClusterRole.metadata */
        { 17912, 435, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ClusterRole.rules */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ClusterRoleBinding.metadata */
        { 17202, 440, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* ClusterRoleBinding.roleRef */
        { 16753, 441, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ClusterRoleBinding.subjects */
        { 17840, 432, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ClusterRoleBindingList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ClusterRoleBindingList.metadata */
        { 17840, 431, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* ClusterRoleList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* ClusterRoleList.metadata */
        { 15609, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PolicyRule.apiGroups */
        { 10682, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PolicyRule.nonResourceURLs */
        { 12818, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PolicyRule.resourceNames */
        { 13731, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PolicyRule.resources */
        { 17960, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* PolicyRule.verbs */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Role.metadata */
        { 17912, 435, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* Role.rules */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RoleBinding.metadata */
        { 17202, 440, 3, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* RoleBinding.roleRef */
        { 16753, 441, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* RoleBinding.subjects */
        { 17840, 437, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* RoleBindingList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RoleBindingList.metadata */
        { 17840, 436, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* RoleList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* RoleList.metadata */
        { 16276, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RoleRef.apiGroup */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RoleRef.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* RoleRef.name */
        { 16276, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Subject.apiGroup */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Subject.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Subject.name */
        { 15869, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* Subject.namespace */
        { 14324, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* PriorityClass.description */
        { 12594, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* PriorityClass.globalDefault */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PriorityClass.metadata */
        { 9776, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* PriorityClass.preemptionPolicy */
        { 17954, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* PriorityClass.value */
        { 17840, 442, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PriorityClassList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PriorityClassList.metadata */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* CSIDriver.metadata */
        { 18078, 446, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* CSIDriver.spec */
        { 17840, 444, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* CSIDriverList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIDriverList.metadata */
        { 11393, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, 0, 0 }, /* CSIDriverSpec.attachRequired */
        { 12580, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* CSIDriverSpec.fsGroupPolicy */
        { 11753, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* CSIDriverSpec.podInfoOnMount */
        { 8780, KL_API_NO_MESSAGE, 7, KL_API_TYPE_BOOL, 0, 0 }, /* CSIDriverSpec.requiresRepublish */
        { 13650, KL_API_NO_MESSAGE, 8, KL_API_TYPE_BOOL, 0, 0 }, /* CSIDriverSpec.seLinuxMount */
        { 10922, KL_API_NO_MESSAGE, 4, KL_API_TYPE_BOOL, 0, 0 }, /* CSIDriverSpec.storageCapacity */
        { 12944, 455, 6, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* CSIDriverSpec.tokenRequests */
        { 6148, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 3 }, /* CSIDriverSpec.volumeLifecycleModes */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* CSINode.metadata */
        { 18078, 450, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* CSINode.spec */
        { 14180, 462, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSINodeDriver.allocatable */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CSINodeDriver.name */
        { 17555, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CSINodeDriver.nodeID */
        { 13754, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* CSINodeDriver.topologyKeys */
        { 17840, 447, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* CSINodeList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSINodeList.metadata */
        { 16986, 448, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 2 }, /* CSINodeSpec.drivers */
        { 16339, 463, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIStorageCapacity.capacity */
        { 8564, 463, 5, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIStorageCapacity.maximumVolumeSize */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIStorageCapacity.metadata */
        { 13546, 484, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIStorageCapacity.nodeTopology */
        { 9878, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* CSIStorageCapacity.storageClassName */
        { 17840, 451, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* CSIStorageCapacityList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* CSIStorageCapacityList.metadata */
        { 5770, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* StorageClass.allowVolumeExpansion */
        { 8366, 369, 8, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* StorageClass.allowedTopologies */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* StorageClass.metadata */
        { 13507, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* StorageClass.mountOptions */
        { 15173, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* StorageClass.parameters */
        { 14576, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* StorageClass.provisioner */
        { 12804, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* StorageClass.reclaimPolicy */
        { 8924, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, 0, 0 }, /* StorageClass.volumeBindingMode */
        { 17840, 453, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* StorageClassList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* StorageClassList.metadata */
        { 16312, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TokenRequest.audience */
        { 8492, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT64, 0, 0 }, /* TokenRequest.expirationSeconds */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeAttachment.metadata */
        { 18078, 459, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* VolumeAttachment.spec */
        { 17660, 460, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeAttachment.status */
        { 17840, 456, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* VolumeAttachmentList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeAttachmentList.metadata */
        { 9521, 280, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeAttachmentSource.inlineVolumeSpec */
        { 6022, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* VolumeAttachmentSource.persistentVolumeName */
        { 16303, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeAttachmentSpec.attacher */
        { 16519, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* VolumeAttachmentSpec.nodeName */
        { 374, 458, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* VolumeAttachmentSpec.source */
        { 14228, 461, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeAttachmentStatus.attachError */
        { 16294, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BOOL, KL_API_FIELD_REQUIRED, 0 }, /* VolumeAttachmentStatus.attached */
        { 7363, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* VolumeAttachmentStatus.attachmentMetadata */
        { 14336, 461, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeAttachmentStatus.detachError */
        { 17122, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* VolumeError.message */
        { 1145, 504, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* VolumeError.time */
        { 11387, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT32, 0, 0 }, /* VolumeNodeResources.count */
        { 17695, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Quantity.string */
        { 17695, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* QuantityValue.string */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIGroup.name */
        { 9793, 481, 3, KL_API_TYPE_MESSAGE, 0, 0 }, /* APIGroup.preferredVersion */
        { 2424, 499, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* APIGroup.serverAddressByClientCIDRs */
        { 16807, 481, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIGroup.versions */
        { 17485, 465, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIGroupList.groups */
        { 14931, KL_API_NO_MESSAGE, 7, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIResource.categories */
        { 17810, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.group */
        { 18028, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.kind */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.name */
        { 15140, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.namespaced */
        { 15305, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIResource.shortNames */
        { 13702, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.singularName */
        { 7895, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* APIResource.storageVersionHash */
        { 17960, 508, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.verbs */
        { 17306, KL_API_NO_MESSAGE, 9, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResource.version */
        { 13468, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* APIResourceList.groupVersion */
        { 13731, 467, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIResourceList.resources */
        { 2424, 499, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIVersions.serverAddressByClientCIDRs */
        { 16807, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* APIVersions.versions */
        { 17436, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* ApplyOptions.dryRun */
        { 13442, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ApplyOptions.fieldManager */
        { 17804, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, KL_API_FIELD_REQUIRED, 0 }, /* ApplyOptions.force */
        { 7667, 504, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Condition.lastTransitionTime */
        { 17122, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Condition.message */
        { 7762, KL_API_NO_MESSAGE, 3, KL_API_TYPE_INT64, 0, 0 }, /* Condition.observedGeneration */
        { 17604, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Condition.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Condition.status */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Condition.type */
        { 17436, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* CreateOptions.dryRun */
        { 13442, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* CreateOptions.fieldManager */
        { 10602, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* CreateOptions.fieldValidation */
        { 17436, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* DeleteOptions.dryRun */
        { 7553, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, 0, 0 }, /* DeleteOptions.gracePeriodSeconds */
        { 0, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential */
        { 9742, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* DeleteOptions.orphanDependents */
        { 12776, 497, 2, KL_API_TYPE_MESSAGE, 0, 0 }, /* DeleteOptions.preconditions */
        { 8726, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* DeleteOptions.propagationPolicy */
        { 16384, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* Duration.duration */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* FieldSelectorRequirement.key */
        { 16537, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* FieldSelectorRequirement.operator */
        { 17723, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* FieldSelectorRequirement.values */
        { 18107, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BYTES, KL_API_FIELD_REQUIRED, 0 }, /* FieldsV1.Raw */
        { 10826, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* GetOptions.resourceVersion */
        { 17810, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupKind.group */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupKind.kind */
        { 17810, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupResource.group */
        { 372, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupResource.resource */
        { 17810, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersion.group */
        { 17306, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersion.version */
        { 13468, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionForDiscovery.groupVersion */
        { 17306, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionForDiscovery.version */
        { 17810, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionKind.group */
        { 18028, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionKind.kind */
        { 17306, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionKind.version */
        { 17810, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionResource.group */
        { 372, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionResource.resource */
        { 17306, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* GroupVersionResource.version */
        { 9657, 485, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* LabelSelector.matchExpressions */
        { 14444, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* LabelSelector.matchLabels */
        { 18127, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* LabelSelectorRequirement.key */
        { 16537, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* LabelSelectorRequirement.operator */
        { 17723, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* LabelSelectorRequirement.values */
        { 17840, 510, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* List.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* List.metadata */
        { 16366, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ListMeta.continue */
        { 7800, KL_API_NO_MESSAGE, 4, KL_API_TYPE_INT64, 0, 0 }, /* ListMeta.remainingItemCount */
        { 10826, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ListMeta.resourceVersion */
        { 16735, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ListMeta.selfLink */
        { 6529, KL_API_NO_MESSAGE, 9, KL_API_TYPE_BOOL, 0, 0 }, /* ListOptions.allowWatchBookmarks */
        { 16366, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ListOptions.continue */
        { 12566, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ListOptions.fieldSelector */
        { 12650, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ListOptions.labelSelector */
        { 17852, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* ListOptions.limit */
        { 10826, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ListOptions.resourceVersion */
        { 6085, KL_API_NO_MESSAGE, 10, KL_API_TYPE_STRING, 0, 0 }, /* ListOptions.resourceVersionMatch */
        { 8834, KL_API_NO_MESSAGE, 11, KL_API_TYPE_BOOL, 0, 0 }, /* ListOptions.sendInitialEvents */
        { 11903, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT64, 0, 0 }, /* ListOptions.timeoutSeconds */
        { 17966, KL_API_NO_MESSAGE, 3, KL_API_TYPE_BOOL, 0, 0 }, /* ListOptions.watch */
        { 14909, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ManagedFieldsEntry.apiVersion */
        { 15030, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ManagedFieldsEntry.fieldsType */
        { 16438, 476, 7, KL_API_TYPE_MESSAGE, 0, 0 }, /* ManagedFieldsEntry.fieldsV1 */
        { 17106, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ManagedFieldsEntry.manager */
        { 15879, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ManagedFieldsEntry.operation */
        { 14660, KL_API_NO_MESSAGE, 8, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ManagedFieldsEntry.subresource */
        { 1145, 504, 4, KL_API_TYPE_MESSAGE, 0, 0 }, /* ManagedFieldsEntry.time */
        { 17870, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* MicroTime.nanos */
        { 17234, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* MicroTime.seconds */
        { 14192, KL_API_NO_MESSAGE, 12, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* ObjectMeta.annotations */
        { 8456, 504, 8, KL_API_TYPE_MESSAGE, 0, 0 }, /* ObjectMeta.creationTimestamp */
        { 2316, KL_API_NO_MESSAGE, 10, KL_API_TYPE_INT64, 0, 0 }, /* ObjectMeta.deletionGracePeriodSeconds */
        { 8474, 504, 9, KL_API_TYPE_MESSAGE, 0, 0 }, /* ObjectMeta.deletionTimestamp */
        { 15041, KL_API_NO_MESSAGE, 14, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 15 }, /* ObjectMeta.finalizers */
        { 13455, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* ObjectMeta.generateName */
        { 15074, KL_API_NO_MESSAGE, 7, KL_API_TYPE_INT64, KL_API_FIELD_OMIT_ZERO, 0 }, /* ObjectMeta.generation */
        { 17527, KL_API_NO_MESSAGE, 11, KL_API_TYPE_STRING, KL_API_FIELD_MAP, 0 }, /* ObjectMeta.labels */
        { 12734, 489, 17, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* ObjectMeta.managedFields */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* ObjectMeta.name */
        { 15869, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* ObjectMeta.namespace */
        { 10746, 492, 13, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 26 }, /* ObjectMeta.ownerReferences */
        { 10826, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* ObjectMeta.resourceVersion */
        { 16735, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* ObjectMeta.selfLink */
        { 18163, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, 0, 0 }, /* ObjectMeta.uid */
        { 14909, KL_API_NO_MESSAGE, 5, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* OwnerReference.apiVersion */
        { 7401, KL_API_NO_MESSAGE, 7, KL_API_TYPE_BOOL, 0, 0 }, /* OwnerReference.blockOwnerDeletion */
        { 14975, KL_API_NO_MESSAGE, 6, KL_API_TYPE_BOOL, 0, 0 }, /* OwnerReference.controller */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* OwnerReference.kind */
        { 16478, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* OwnerReference.name */
        { 18163, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* OwnerReference.uid */
        { 16492, 491, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PartialObjectMetadata.metadata */
        { 17840, 493, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* PartialObjectMetadataList.items */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* PartialObjectMetadataList.metadata */
        { 17436, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* PatchOptions.dryRun */
        { 13442, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* PatchOptions.fieldManager */
        { 10602, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* PatchOptions.fieldValidation */
        { 17804, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BOOL, 0, 0 }, /* PatchOptions.force */
        { 10826, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Preconditions.resourceVersion */
        { 18163, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* Preconditions.uid */
        { 17876, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 1 }, /* RootPaths.paths */
        { 14942, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ServerAddressByClientCIDR.clientCIDR */
        { 12916, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* ServerAddressByClientCIDR.serverAddress */
        { 17988, KL_API_NO_MESSAGE, 6, KL_API_TYPE_INT32, 0, 0 }, /* Status.code */
        { 16962, 502, 5, KL_API_TYPE_MESSAGE, 0, 1 }, /* Status.details */
        { 17122, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* Status.message */
        { 16492, 487, 1, KL_API_TYPE_MESSAGE, 0, 0 }, /* Status.metadata */
        { 17604, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, 0, 0 }, /* Status.reason */
        { 17660, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* Status.status */
        { 17798, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* StatusCause.field */
        { 17122, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* StatusCause.message */
        { 17604, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* StatusCause.reason */
        { 17387, 501, 4, KL_API_TYPE_MESSAGE, KL_API_FIELD_REPEATED, 1 }, /* StatusDetails.causes */
        { 17810, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* StatusDetails.group */
        { 18028, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* StatusDetails.kind */
        { 16478, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* StatusDetails.name */
        { 8816, KL_API_NO_MESSAGE, 5, KL_API_TYPE_INT32, 0, 0 }, /* StatusDetails.retryAfterSeconds */
        { 18163, KL_API_NO_MESSAGE, 6, KL_API_TYPE_STRING, 0, 0 }, /* StatusDetails.uid */
        { 12608, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* TableOptions.includeObject */
        { 17870, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* Time.nanos */
        { 17234, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* Time.seconds */
        { 17870, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* Timestamp.nanos */
        { 17234, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* Timestamp.seconds */
        { 14909, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* TypeMeta.apiVersion */
        { 18028, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* TypeMeta.kind */
        { 17436, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED, 1 }, /* UpdateOptions.dryRun */
        { 13442, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* UpdateOptions.fieldManager */
        { 10602, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, 0, 0 }, /* UpdateOptions.fieldValidation */
        { 17840, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REPEATED | KL_API_FIELD_REQUIRED, 0 }, /* Verbs.items */
        { 17569, 510, 2, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* WatchEvent.object */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* WatchEvent.type */
        { 18147, KL_API_NO_MESSAGE, 1, KL_API_TYPE_BYTES, KL_API_FIELD_REQUIRED, 0 }, /* RawExtension.raw */
        { 14909, KL_API_NO_MESSAGE, 1, KL_API_TYPE_STRING, 0, 0 }, /* TypeMeta.apiVersion */
        { 18028, KL_API_NO_MESSAGE, 2, KL_API_TYPE_STRING, 0, 0 }, /* TypeMeta.kind */
        { 10474, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Unknown.contentEncoding */
        { 14276, KL_API_NO_MESSAGE, 4, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* Unknown.contentType */
        { 18147, KL_API_NO_MESSAGE, 2, KL_API_TYPE_BYTES, KL_API_FIELD_REQUIRED, 0 }, /* Unknown.raw */
        { 16780, 511, 1, KL_API_TYPE_MESSAGE, KL_API_FIELD_REQUIRED, 0 }, /* Unknown.typeMeta */
        { 17513, KL_API_NO_MESSAGE, 2, KL_API_TYPE_INT32, KL_API_FIELD_REQUIRED, 0 }, /* IntOrString.intVal */
        { 17681, KL_API_NO_MESSAGE, 3, KL_API_TYPE_STRING, KL_API_FIELD_REQUIRED, 0 }, /* IntOrString.strVal */
        { 18083, KL_API_NO_MESSAGE, 1, KL_API_TYPE_INT64, KL_API_FIELD_REQUIRED, 0 }, /* IntOrString.type */
};

const uint8_t kl_api__schema_by_number[] = {
        255, 0, 1, 255, 255, 0, 1, 255, 1, 0, 255, 2, 3, 4, 0, 255,
        255, 1, 255, 5, 1, 9, 2, 6, 10, 11, 0, 4, 8, 7, 3, 255,
        0, 1, 255, 1, 0, 255, 0, 1, 255, 0, 1, 255, 0, 1, 3, 2,
        255, 0, 1, 2, 3, 255, 0, 1, 255, 1, 0, 2, 3, 255, 0, 255,
        0, 1, 2, 255, 0, 1, 255, 1, 0, 255, 2, 1, 0, 3, 255, 1,
        0, 255, 4, 3, 5, 1, 0, 2, 6, 255, 1, 2, 0, 255, 5, 1,
        8, 2, 6, 9, 10, 0, 4, 7, 3, 255, 0, 1, 255, 1, 0, 255,
        0, 1, 3, 2, 255, 1, 0, 255, 1, 0, 2, 255, 0, 1, 255, 1,
        0, 255, 1, 2, 3, 5, 7, 4, 0, 6, 255, 2, 1, 0, 3, 255,
        2, 1, 0, 255, 1, 0, 2, 255, 1, 0, 255, 0, 1, 2, 255, 4,
        3, 0, 2, 1, 255, 1, 0, 255, 2, 3, 4, 0, 255, 1, 255, 2,
        5, 3, 6, 8, 9, 4, 7, 0, 1, 255, 1, 0, 255, 0, 1, 2,
        255, 5, 4, 255, 3, 2, 1, 0, 255, 1, 0, 255, 3, 5, 7, 6,
        0, 4, 1, 255, 2, 255, 3, 5, 7, 0, 6, 2, 4, 1, 255, 1,
        0, 255, 0, 1, 2, 255, 4, 3, 0, 2, 1, 255, 1, 0, 255, 1,
        2, 3, 0, 255, 5, 2, 3, 4, 0, 1, 255, 1, 0, 255, 1, 0,
        255, 1, 0, 255, 0, 1, 2, 255, 4, 3, 0, 2, 1, 255, 1, 0,
        255, 0, 255, 0, 1, 255, 4, 6, 8, 10, 7, 3, 9, 5, 0, 2,
        1, 255, 5, 7, 6, 3, 9, 4, 8, 255, 1, 2, 0, 255, 1, 0,
        255, 1, 0, 2, 3, 255, 0, 255, 0, 1, 255, 0, 255, 0, 1, 2,
        255, 0, 255, 1, 2, 255, 1, 0, 255, 0, 1, 2, 255, 1, 0, 255,
        1, 3, 2, 0, 255, 3, 2, 1, 0, 255, 0, 255, 0, 1, 255, 0,
        1, 255, 0, 1, 2, 255, 0, 1, 255, 1, 0, 255, 4, 7, 1, 8,
        5, 6, 3, 0, 2, 255, 3, 0, 2, 1, 255, 0, 1, 2, 255, 1,
        0, 255, 0, 1, 2, 255, 0, 255, 0, 1, 2, 255, 3, 2, 5, 1,
        0, 4, 255, 0, 3, 2, 1, 255, 3, 2, 1, 0, 255, 1, 2, 3,
        255, 0, 255, 3, 1, 2, 0, 255, 1, 2, 0, 255, 0, 1, 3, 2,
        255, 2, 3, 1, 0, 255, 0, 1, 2, 255, 4, 3, 0, 2, 1, 255,
        1, 0, 255, 2, 1, 0, 3, 255, 4, 3, 1, 2, 0, 255, 5, 2,
        3, 4, 1, 255, 0, 255, 5, 2, 3, 4, 1, 255, 0, 255, 3, 1,
        4, 2, 0, 255, 4, 2, 1, 3, 0, 255, 0, 2, 1, 255, 1, 0,
        2, 255, 0, 1, 2, 255, 2, 0, 1, 255, 0, 1, 2, 255, 0, 255,
        0, 1, 255, 1, 2, 0, 255, 2, 1, 0, 255, 1, 2, 0, 255, 0,
        1, 255, 1, 0, 255, 1, 2, 0, 255, 1, 0, 2, 255, 0, 1, 2,
        255, 1, 0, 255, 4, 3, 0, 2, 1, 255, 1, 0, 255, 4, 3, 1,
        2, 0, 255, 5, 4, 2, 3, 1, 0, 255, 0, 1, 255, 5, 2, 3,
        4, 1, 255, 0, 255, 5, 2, 3, 4, 1, 255, 0, 255, 2, 3, 1,
        0, 255, 2, 1, 0, 255, 0, 2, 1, 255, 2, 0, 1, 255, 0, 1,
        255, 1, 0, 255, 0, 1, 255, 1, 0, 255, 0, 1, 2, 255, 1, 0,
        255, 3, 4, 0, 6, 2, 5, 1, 7, 255, 0, 255, 255, 1, 2, 255,
        0, 1, 2, 255, 5, 4, 0, 1, 3, 2, 255, 1, 0, 255, 8, 4,
        0, 11, 6, 14, 1, 15, 3, 13, 9, 2, 7, 10, 5, 12, 255, 3,
        7, 2, 0, 8, 4, 1, 10, 6, 5, 9, 255, 0, 1, 255, 0, 255,
        0, 1, 2, 255, 1, 0, 255, 0, 1, 2, 255, 0, 255, 1, 0, 255,
        1, 0, 255, 0, 1, 255, 1, 0, 255, 1, 2, 0, 5, 3, 6, 4,
        255, 3, 0, 1, 2, 255, 0, 1, 2, 255, 1, 0, 255, 1, 0, 255,
        0, 255, 1, 2, 0, 3, 5, 4, 255, 1, 3, 0, 2, 255, 1, 2,
        0, 255, 0, 1, 255, 2, 9, 7, 3, 8, 1, 6, 5, 0, 4, 255,
        0, 3, 1, 4, 2, 255, 0, 1, 255, 0, 1, 5, 3, 4, 2, 255,
        0, 1, 5, 3, 4, 2, 255, 3, 0, 1, 2, 255, 3, 0, 1, 2,
        255, 0, 255, 1, 4, 0, 3, 2, 255, 3, 2, 1, 0, 255, 1, 0,
        255, 1, 0, 255, 3, 1, 0, 2, 255, 0, 1, 255, 1, 0, 2, 255,
        1, 0, 255, 2, 1, 4, 3, 0, 255, 1, 0, 255, 2, 255, 2, 1,
        0, 3, 255, 8, 4, 1, 0, 23, 9, 2, 12, 22, 7, 10, 6, 18,
        5, 14, 16, 17, 20, 3, 19, 21, 15, 11, 13, 255, 0, 1, 255, 3,
        2, 0, 4, 1, 255, 0, 1, 255, 2, 0, 1, 255, 0, 255, 1, 5,
        4, 3, 6, 2, 0, 255, 1, 0, 255, 6, 11, 5, 7, 9, 3, 4,
        2, 10, 0, 8, 13, 12, 1, 255, 0, 255, 0, 255, 0, 255, 2, 0,
        3, 1, 255, 1, 0, 255, 0, 1, 255, 1, 3, 0, 2, 255, 1, 2,
        3, 0, 255, 0, 1, 2, 255, 0, 1, 255, 1, 0, 255, 1, 0, 2,
        255, 0, 1, 2, 255, 1, 2, 0, 3, 255, 0, 1, 255, 8, 4, 1,
        0, 23, 9, 2, 12, 22, 7, 10, 6, 18, 5, 14, 16, 17, 20, 3,
        19, 21, 15, 11, 13, 255, 0, 255, 7, 4, 8, 6, 13, 3, 5, 1,
        14, 2, 12, 0, 9, 10, 11, 255, 1, 0, 255, 0, 1, 255, 0, 1,
        255, 0, 255, 3, 1, 0, 2, 4, 255, 0, 1, 4, 3, 2, 255, 0,
        1, 4, 3, 2, 255, 0, 1, 255, 2, 0, 1, 3, 255, 0, 1, 255,
        1, 2, 0, 255, 0, 2, 3, 1, 255, 0, 1, 2, 255, 2, 3, 0,
        4, 1, 255, 0, 1, 255, 1, 0, 255, 0, 255, 0, 1, 255, 10, 4,
        6, 5, 2, 8, 7, 0, 255, 9, 1, 3, 255, 10, 4, 6, 5, 2,
        8, 7, 0, 255, 9, 1, 3, 255, 1, 0, 255, 0, 2, 1, 255, 0,
        1, 255, 0, 1, 3, 2, 255, 0, 1, 255, 5, 2, 4, 0, 1, 3,
        255, 1, 0, 255, 0, 255, 2, 0, 1, 255, 1, 0, 255, 1, 0, 2,
        3, 255, 0, 255, 0, 255, 1, 0, 255, 1, 0, 255, 2, 0, 1, 255,
        0, 1, 2, 255, 4, 3, 255, 0, 2, 1, 255, 1, 0, 255, 0, 255,
        1, 0, 255, 0, 1, 2, 255, 1, 0, 255, 1, 0, 255, 5, 4, 0,
        1, 3, 2, 255, 255, 0, 255, 1, 0, 3, 2, 255, 0, 255, 0, 255,
        1, 0, 255, 0, 255, 1, 0, 255, 0, 1, 255, 0, 255, 0, 1, 2,
        255, 0, 1, 255, 2, 1, 4, 6, 5, 0, 3, 255, 2, 1, 9, 3,
        0, 5, 8, 7, 12, 11, 4, 10, 6, 255, 6, 9, 1, 3, 8, 2,
        5, 4, 7, 0, 255, 0, 1, 255, 2, 4, 3, 6, 0, 5, 1, 255,
        0, 1, 2, 255, 0, 1, 2, 255, 5, 4, 0, 1, 3, 2, 255, 1,
        0, 255, 0, 3, 8, 4, 5, 7, 1, 2, 6, 255, 7, 0, 3, 4,
        2, 255, 1, 5, 6, 255, 0, 1, 255, 0, 1, 255, 1, 0, 255, 9,
        0, 11, 10, 14, 18, 12, 4, 3, 6, 8, 7, 2, 21, 17, 1, 15,
        16, 19, 13, 20, 5, 255, 1, 6, 0, 2, 5, 7, 3, 9, 4, 8,
        255, 2, 1, 3, 0, 255, 1, 0, 255, 0, 1, 2, 255, 1, 0, 255,
        0, 4, 5, 3, 1, 2, 255, 1, 0, 255, 2, 3, 1, 4, 0, 255,
        5, 4, 0, 1, 3, 2, 255, 0, 2, 1, 255, 0, 1, 255, 3, 4,
        2, 5, 1, 0, 255, 0, 255, 1, 0, 255, 0, 1, 4, 5, 6, 9,
        8, 3, 2, 7, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 1,
        2, 255, 0, 1, 255, 0, 255, 7, 5, 4, 9, 1, 3, 11, 12, 2,
        8, 0, 10, 6, 255, 0, 255, 39, 3, 26, 36, 0, 5, 17, 32, 31,
        16, 10, 11, 9, 30, 14, 13, 35, 1, 28, 15, 2, 37, 8, 22, 21,
        4, 34, 23, 27, 6, 20, 19, 38, 7, 33, 18, 12, 29, 24, 25, 255,
        8, 0, 6, 12, 3, 9, 15, 1, 11, 5, 7, 10, 2, 13, 14, 4,
        255, 0, 1, 255, 0, 1, 255, 1, 0, 255, 0, 1, 255, 1, 2, 0,
        255, 2, 0, 1, 255, 0, 255, 2, 0, 3, 1, 255, 1, 0, 255, 1,
        2, 6, 3, 4, 0, 5, 255, 0, 2, 3, 1, 255, 1, 0, 255, 2,
        5, 1, 4, 0, 3, 255, 3, 1, 0, 4, 7, 2, 6, 5, 255, 3,
        1, 0, 4, 7, 2, 6, 5, 255, 1, 2, 0, 255, 0, 1, 2, 255,
        4, 3, 0, 2, 1, 255, 1, 0, 255, 1, 2, 3, 0, 255, 5, 2,
        3, 4, 0, 1, 255, 0, 1, 255, 0, 2, 1, 255, 1, 0, 255, 0,
        1, 2, 255, 1, 0, 255, 0, 2, 1, 255, 0, 1, 255, 1, 2, 0,
        255, 0, 1, 255, 3, 1, 2, 0, 255, 1, 8, 4, 5, 2, 7, 6,
        9, 0, 3, 255, 1, 8, 4, 5, 2, 7, 6, 9, 0, 3, 255, 0,
        255, 1, 0, 2, 255, 1, 0, 255, 2, 0, 4, 3, 1, 255, 0, 1,
        255, 1, 0, 2, 255, 1, 0, 255, 1, 0, 255, 2, 255, 0, 1, 255,
        3, 1, 0, 2, 255, 2, 3, 9, 8, 7, 5, 0, 6, 4, 11, 10,
        1, 255, 0, 255, 0, 1, 2, 255, 2, 3, 1, 0, 255, 1, 0, 255,
        0, 1, 2, 255, 1, 0, 255, 1, 4, 3, 5, 2, 0, 255, 0, 255,
        13, 15, 1, 19, 3, 255, 16, 11, 12, 4, 5, 6, 14, 17, 255, 255,
        9, 2, 8, 0, 10, 7, 18, 255, 1, 0, 255, 0, 255, 0, 255, 3,
        4, 0, 1, 2, 255, 3, 4, 0, 1, 2, 255, 0, 1, 255, 1, 0,
        255, 1, 3, 0, 2, 255, 1, 2, 4, 0, 3, 255, 0, 1, 255, 0,
        255, 2, 6, 7, 0, 3, 4, 5, 1, 255, 0, 1, 2, 255, 0, 1,
        2, 3, 255, 0, 1, 255, 1, 0, 255, 2, 3, 0, 5, 1, 6, 4,
        255, 1, 0, 2, 3, 255, 0, 255, 3, 2, 1, 4, 0, 255, 0, 1,
        255, 16, 8, 13, 0, 14, 27, 19, 18, 15, 20, 25, 11, 4, 3, 12,
        7, 10, 2, 5, 29, 24, 1, 21, 22, 26, 23, 28, 6, 9, 17, 255,
        3, 0, 2, 1, 255, 1, 0, 255, 1, 0, 3, 2, 255, 0, 1, 4,
        6, 2, 5, 7, 3, 255, 0, 1, 2, 255, 0, 255, 1, 3, 2, 0,
        255, 2, 1, 3, 0, 255, 1, 0, 255, 0, 255, 6, 5, 13, 11, 12,
        0, 8, 9, 10, 7, 14, 4, 2, 3, 1, 255, 1, 0, 255, 0, 1,
        255, 1, 0, 2, 255, 0, 255, 0, 1, 255, 0, 1, 2, 255, 255, 255,
        0, 1, 255, 0, 1, 255, 1, 0, 255, 0, 1, 2, 4, 3, 255, 0,
        1, 255, 1, 0, 255, 1, 0, 255, 2, 255, 0, 255, 1, 2, 0, 255,
        0, 1, 255, 0, 255, 0, 1, 255, 0, 3, 2, 1, 255, 0, 255, 0,
        1, 255, 0, 1, 255, 0, 1, 255, 1, 0, 255, 1, 0, 255, 2, 1,
        0, 255, 2, 1, 0, 255, 2, 1, 0, 3, 255, 0, 1, 255, 0, 255,
        1, 0, 2, 3, 255, 1, 0, 255, 0, 1, 255, 1, 0, 255, 0, 1,
        2, 255, 1, 0, 255, 1, 2, 0, 3, 255, 6, 3, 4, 1, 2, 5,
        0, 255, 0, 255, 1, 2, 0, 255, 0, 2, 1, 255, 1, 0, 255, 1,
        0, 255, 4, 0, 3, 2, 1, 255, 0, 1, 255, 0, 2, 1, 255, 1,
        0, 255, 1, 0, 255, 0, 1, 2, 255, 1, 0, 2, 3, 255, 2, 4,
        1, 0, 3, 255, 1, 0, 255, 0, 1, 255, 1, 0, 255, 0, 2, 7,
        5, 1, 6, 3, 4, 255, 0, 1, 255, 1, 2, 3, 0, 255, 1, 0,
        255, 0, 255, 2, 3, 4, 0, 1, 255, 1, 0, 255, 2, 5, 4, 6,
        3, 0, 7, 1, 255, 1, 0, 255, 0, 1, 255, 0, 1, 2, 255, 1,
        0, 255, 1, 0, 255, 0, 2, 1, 255, 1, 2, 0, 3, 255, 1, 0,
        255, 0, 255, 0, 255, 0, 255, 0, 3, 1, 2, 255, 0, 255, 3, 4,
        2, 8, 5, 6, 0, 1, 9, 7, 255, 0, 1, 255, 1, 0, 255, 0,
        2, 1, 255, 5, 4, 2, 0, 3, 1, 255, 0, 255, 1, 2, 255, 1,
        4, 3, 5, 0, 2, 255, 0, 255, 0, 1, 2, 255, 0, 255, 0, 255,
        0, 1, 255, 0, 1, 255, 0, 1, 255, 0, 1, 255, 0, 2, 1, 255,
        0, 2, 1, 255, 1, 0, 255, 0, 1, 2, 255, 1, 0, 255, 3, 2,
        0, 1, 255, 3, 2, 9, 5, 8, 255, 4, 1, 0, 6, 7, 255, 3,
        4, 0, 6, 255, 1, 2, 5, 255, 1, 0, 255, 9, 5, 10, 13, 14,
        12, 6, 1, 3, 2, 7, 0, 11, 4, 255, 255, 8, 255, 3, 255, 4,
        5, 0, 2, 1, 255, 0, 255, 1, 0, 255, 255, 0, 3, 1, 2, 255,
        1, 0, 255, 0, 255, 0, 1, 255, 3, 5, 2, 4, 1, 0, 255, 2,
        1, 0, 255, 3, 1, 2, 0, 4, 5, 255, 0, 255, 1, 0, 255, 1,
        0, 255, 1, 0, 255, 0, 1, 2, 255, 0, 255, 1, 0, 255, 0, 255,
        0, 1, 255, 3, 2, 0, 1, 255, 2, 0, 1,
};

const struct kl_api_field_meta kl_api__schema_field_meta[] = {
        { 0, KL_API_LIST_NONE, KL_API_MAP_NONE, 0, 0 },
        { 0, KL_API_LIST_ATOMIC, KL_API_MAP_NONE, 0, 0 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 16478, 1 },
        { 0, KL_API_LIST_SET, KL_API_MAP_NONE, 0, 0 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 3 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 5 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 7 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 9 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 13 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 18083, 3 },
        { KL_API_PATCH_RETAIN_KEYS, KL_API_LIST_NONE, KL_API_MAP_NONE, 0, 0 },
        { KL_API_PATCH_MERGE, KL_API_LIST_ATOMIC, KL_API_MAP_NONE, 18083, 0 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 12482, 15 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 14997, 18 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 15859, 20 },
        { KL_API_PATCH_MERGE, KL_API_LIST_SET, KL_API_MAP_NONE, 0, 0 },
        { 0, KL_API_LIST_NONE, KL_API_MAP_GRANULAR, 0, 0 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 18174, 22 },
        { 0, KL_API_LIST_NONE, KL_API_MAP_ATOMIC, 0, 0 },
        { KL_API_PATCH_MERGE | KL_API_PATCH_RETAIN_KEYS, KL_API_LIST_MAP, KL_API_MAP_NONE, 16478, 1 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 14708, 24 },
        { KL_API_PATCH_MERGE, KL_API_LIST_ATOMIC, KL_API_MAP_NONE, 18174, 0 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 1 },
        { 0, KL_API_LIST_MAP, KL_API_MAP_NONE, 0, 27 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 18063, 29 },
        { KL_API_PATCH_REPLACE, KL_API_LIST_NONE, KL_API_MAP_NONE, 0, 0 },
        { KL_API_PATCH_MERGE, KL_API_LIST_MAP, KL_API_MAP_NONE, 18163, 32 },
};

const uint16_t kl_api__schema_list_map_keys[] = {
        0, 16478, 0, 18083, 0, 17306, 0, 14660, 0, 17810, 17306, 18028, 0, 372, 0, 12482,
        16636, 0, 14997, 0, 15859, 0, 18174, 0, 14708, 8942, 0, 15250, 0, 18063, 16636, 0,
        18163, 0,
};

/* clang-format on */

const size_t kl_api__schema_n_packages = 22;
const size_t kl_api__schema_n_messages = 514;
const size_t kl_api__schema_n_fields = 1894;
const size_t kl_api__schema_n_by_number = 2443;
const size_t kl_api__schema_n_field_meta = 27;
const size_t kl_api__schema_n_list_map_keys = 34;
const size_t kl_api__schema_strings_size = 18180;
