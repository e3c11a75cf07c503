/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The filter plugins, table-driven: each row is a pod, the node it is tried
 * on, the pods already there, and what upstream's plugin answers (its
 * reason strings, and whether preemption could help).
 */
#include "sched-test.h"

struct row {
        const char *name;
        const char *pod;      /* merged into a minimal pod */
        const char *node;     /* merged into a Ready 4-CPU 8Gi node "n1" */
        const char *existing; /* NULL, or a pod on n1 */
        const char *existing2;
        const char *want; /* reasons joined by "; ", "" when it fits */
        bool unresolvable;
};

static const struct row rows[] = {
        /* NodeUnschedulable */
        { "cordoned", NULL, "{\"spec\":{\"unschedulable\":true}}", NULL, NULL,
          "node(s) were unschedulable", true },
        { "cordoned but tolerated",
          "{\"spec\":{\"tolerations\":[{\"key\":\"node.kubernetes.io/unschedulable\","
          "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}",
          "{\"spec\":{\"unschedulable\":true}}", NULL, NULL, "", false },
        /* TaintToleration */
        { "NoSchedule taint", NULL,
          "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}",
          NULL, NULL, "node(s) had untolerated taint {dedicated: gpu}", true },
        { "control-plane taint without value", NULL,
          "{\"spec\":{\"taints\":[{\"key\":\"node-role.kubernetes.io/control-plane\","
          "\"effect\":\"NoSchedule\"}]}}",
          NULL, NULL, "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
          true },
        { "NoExecute taint", NULL,
          "{\"spec\":{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}]}}",
          NULL, NULL, "node(s) had untolerated taint {k: v}", true },
        { "PreferNoSchedule only scores", NULL,
          "{\"spec\":{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"PreferNoSchedule\"}]}}",
          NULL, NULL, "", false },
        { "tolerated with Equal",
          "{\"spec\":{\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\","
          "\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}",
          "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}",
          NULL, NULL, "", false },
        { "Equal with another value",
          "{\"spec\":{\"tolerations\":[{\"key\":\"dedicated\",\"value\":\"cpu\"}]}}",
          "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}",
          NULL, NULL, "node(s) had untolerated taint {dedicated: gpu}", true },
        { "toleration for another effect",
          "{\"spec\":{\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Exists\","
          "\"effect\":\"NoExecute\"}]}}",
          "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}",
          NULL, NULL, "node(s) had untolerated taint {dedicated: gpu}", true },
        { "Exists without key tolerates everything",
          "{\"spec\":{\"tolerations\":[{\"operator\":\"Exists\"}]}}",
          "{\"spec\":{\"taints\":[{\"key\":\"a\",\"value\":\"b\",\"effect\":\"NoExecute\"}],"
          "\"unschedulable\":true}}",
          NULL, NULL, "", false },
        { "first untolerated taint is named",
          "{\"spec\":{\"tolerations\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}}",
          "{\"spec\":{\"taints\":[{\"key\":\"a\",\"effect\":\"NoSchedule\"},"
          "{\"key\":\"b\",\"value\":\"1\",\"effect\":\"NoSchedule\"},"
          "{\"key\":\"c\",\"value\":\"2\",\"effect\":\"NoSchedule\"}]}}",
          NULL, NULL, "node(s) had untolerated taint {b: 1}", true },
        /* Ready condition: the taint the node lifecycle controller sets */
        { "not ready", NULL,
          "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}", NULL, NULL,
          "node(s) had untolerated taint {node.kubernetes.io/not-ready: }", true },
        { "ready unknown", NULL,
          "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}]}}", NULL, NULL,
          "node(s) had untolerated taint {node.kubernetes.io/unreachable: }", true },
        { "not ready tolerated (a DaemonSet pod)",
          "{\"spec\":{\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\","
          "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}",
          "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}", NULL, NULL,
          "", false },
        /* NodeAffinity: nodeSelector and required terms */
        { "nodeSelector matches", "{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}",
          "{\"metadata\":{\"labels\":{\"disk\":\"ssd\"}}}", NULL, NULL, "", false },
        { "nodeSelector differs", "{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}",
          "{\"metadata\":{\"labels\":{\"disk\":\"hdd\"}}}", NULL, NULL,
          "node(s) didn't match Pod's node affinity/selector", true },
        { "In",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\","
          "\"values\":[\"a\",\"b\"]}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}", NULL, NULL, "", false },
        { "NotIn",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\","
          "\"values\":[\"a\",\"b\"]}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}", NULL, NULL,
          "node(s) didn't match Pod's node affinity/selector", true },
        { "NotIn holds without the label",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\","
          "\"values\":[\"a\"]}]}]}}}}}",
          NULL, NULL, NULL, "", false },
        { "Exists",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":\"Exists\"}]}]}}}}}",
          NULL, NULL, NULL, "node(s) didn't match Pod's node affinity/selector", true },
        { "DoesNotExist",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":"
          "\"DoesNotExist\"}]}]}}}}}",
          NULL, NULL, NULL, "", false },
        { "Gt",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Gt\","
          "\"values\":[\"8\"]}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"cores\":\"16\"}}}", NULL, NULL, "", false },
        { "Gt not greater",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Gt\","
          "\"values\":[\"16\"]}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"cores\":\"16\"}}}", NULL, NULL,
          "node(s) didn't match Pod's node affinity/selector", true },
        { "Lt with a label that is not a number",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Lt\","
          "\"values\":[\"16\"]}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"cores\":\"many\"}}}", NULL, NULL,
          "node(s) didn't match Pod's node affinity/selector", true },
        { "Lt",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Lt\","
          "\"values\":[\"16\"]}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"cores\":\"4\"}}}", NULL, NULL, "", false },
        { "terms are ORed",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\","
          "\"values\":[\"x\"]}]},{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
          "\"values\":[\"n1\"]}]}]}}}}}",
          NULL, NULL, NULL, "", false },
        { "matchFields metadata.name NotIn",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"NotIn\","
          "\"values\":[\"n1\"]}]}]}}}}}",
          NULL, NULL, NULL, "node(s) didn't match Pod's node affinity/selector", true },
        { "an empty term matches nothing",
          "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
          "{\"nodeSelectorTerms\":[{}]}}}}}",
          NULL, NULL, NULL, "node(s) didn't match Pod's node affinity/selector", true },
        { "nodeSelector and affinity both needed",
          "{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"},\"affinity\":{\"nodeAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":"
          "[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"Exists\"}]}]}}}}}",
          "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}", NULL, NULL,
          "node(s) didn't match Pod's node affinity/selector", true },
        /* NodePorts */
        { "host port in use",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080}]}]}}",
          NULL,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080,\"protocol\":\"TCP\"}]}]}}",
          NULL, "node(s) didn't have free ports for the requested pod ports", false },
        { "host port in use over UDP only",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080}]}]}}",
          NULL,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080,\"protocol\":\"UDP\"}]}]}}",
          NULL, "", false },
        { "host port on other IPs",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080,\"hostIP\":\"10.0.0.1\"}]}]}}",
          NULL,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080,\"hostIP\":\"10.0.0.2\"}]}]}}",
          NULL, "", false },
        { "host port on 0.0.0.0 takes every IP",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080,\"hostIP\":\"10.0.0.1\"}]}]}}",
          NULL,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,"
          "\"hostPort\":8080}]}]}}",
          NULL, "node(s) didn't have free ports for the requested pod ports", false },
        /* NodeResourcesFit */
        { "fits",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"3\",\"memory\":\"6Gi\"}}}]}}",
          NULL,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"1\",\"memory\":\"2Gi\"}}}]}}",
          NULL, "", false },
        { "insufficient cpu",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"3001m\"}}}]}}",
          NULL,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"1\"}}}]}}",
          NULL, "Insufficient cpu", false },
        { "insufficient cpu and memory",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"5\",\"memory\":\"9Gi\"}}}]}}",
          NULL, NULL, NULL, "Insufficient cpu; Insufficient memory", false },
        { "insufficient ephemeral-storage",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"ephemeral-storage\":\"101Gi\"}}}]}}",
          NULL, NULL, NULL, "Insufficient ephemeral-storage", false },
        { "too many pods", NULL, "{\"status\":{\"allocatable\":{\"pods\":\"1\"}}}", "{}", NULL,
          "Too many pods", false },
        { "extended resource absent from the node",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"nvidia.com/gpu\":\"1\"}}}]}}",
          NULL, NULL, NULL, "Insufficient nvidia.com/gpu", false },
        { "extended resource available",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"nvidia.com/gpu\":\"1\"}}}]}}",
          "{\"status\":{\"allocatable\":{\"nvidia.com/gpu\":\"2\"}}}",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"nvidia.com/gpu\":\"1\"}}}]}}",
          NULL, "", false },
        { "init container larger than the containers",
          "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"4500m\"}}}],\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
          "{\"requests\":{\"cpu\":\"1\"}}}]}}",
          NULL, NULL, NULL, "Insufficient cpu", false },
        { "init containers take the max, not the sum",
          "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"3\"}}},{\"name\":\"j\",\"image\":\"x\",\"resources\":{\"requests\":"
          "{\"cpu\":\"3\"}}}],\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
          "{\"requests\":{\"cpu\":\"1\"}}}]}}",
          NULL, NULL, NULL, "", false },
        { "a sidecar adds to the containers",
          "{\"spec\":{\"initContainers\":[{\"name\":\"s\",\"image\":\"x\",\"restartPolicy\":\"Always\","
          "\"resources\":{\"requests\":{\"cpu\":\"2\"}}}],\"containers\":[{\"name\":\"c\",\"image\":"
          "\"x\",\"resources\":{\"requests\":{\"cpu\":\"2500m\"}}}]}}",
          NULL, NULL, NULL, "Insufficient cpu", false },
        { "overhead counts",
          "{\"spec\":{\"overhead\":{\"cpu\":\"1\"},\"containers\":[{\"name\":\"c\",\"image\":\"x\","
          "\"resources\":{\"requests\":{\"cpu\":\"3500m\"}}}]}}",
          NULL, NULL, NULL, "Insufficient cpu", false },
        /* InterPodAffinity */
        { "anti-affinity on hostname",
          "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"affinity\":{\"podAntiAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"web\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}", NULL,
          "node(s) didn't match pod anti-affinity rules", false },
        { "anti-affinity, other labels",
          "{\"spec\":{\"affinity\":{\"podAntiAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"web\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}", NULL, "", false },
        { "anti-affinity, same labels in another namespace",
          "{\"spec\":{\"affinity\":{\"podAntiAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"web\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, "{\"metadata\":{\"namespace\":\"other\",\"labels\":{\"app\":\"web\"}}}", NULL, "",
          false },
        { "existing pod's anti-affinity", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}", NULL,
          "{\"spec\":{\"affinity\":{\"podAntiAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"web\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, "node(s) didn't satisfy existing pods anti-affinity rules", false },
        { "pod affinity satisfied",
          "{\"spec\":{\"affinity\":{\"podAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"cache\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, "{\"metadata\":{\"labels\":{\"app\":\"cache\"}}}", NULL, "", false },
        { "pod affinity, nothing matches anywhere",
          "{\"spec\":{\"affinity\":{\"podAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"cache\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, NULL, NULL, "node(s) didn't match pod affinity rules", true },
        { "pod affinity, the first pod of a group that selects itself",
          "{\"metadata\":{\"labels\":{\"app\":\"cache\"}},\"spec\":{\"affinity\":{\"podAffinity\":"
          "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
          "{\"app\":\"cache\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}",
          NULL, NULL, NULL, "", false },
        /* PodTopologySpread, one node: skew against itself */
        { "spread on a node without the key",
          "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"topologySpreadConstraints\":"
          "[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
          "\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}]}}",
          NULL, NULL, NULL,
          "node(s) didn't match pod topology spread constraints (missing required label)", true },
        { "spread ScheduleAnyway never filters",
          "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"topologySpreadConstraints\":"
          "[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"ScheduleAnyway\","
          "\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}]}}",
          NULL, NULL, NULL, "", false },
};

static void run_row(const struct row *r)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod("new", r->pod);
        kl_autofree char *got = NULL;
        bool unresolvable = false;

        test_add_node(&c, "n1", r->node);
        if (r->existing)
                (void)test_add_pod(&c, "old", "n1", r->existing);
        if (r->existing2)
                (void)test_add_pod(&c, "old2", "n1", r->existing2);
        got = test_filter(&c, p, "n1", &unresolvable);
        cr_expect_str_eq(got, r->want, "%s: got '%s', want '%s'", r->name, got, r->want);
        if (*r->want)
                cr_expect_eq(unresolvable, r->unresolvable, "%s: unresolvable %d", r->name,
                             unresolvable);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

Test(filters, table)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(rows); i++)
                run_row(&rows[i]);
}

/* Spread over three zones: counts per domain, maxSkew, the pod itself counted. */
Test(filters, topology_spread_skew)
{
        struct kl_scheduler_cache c = { 0 };
        const char *spread =
                "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"topologySpreadConstraints\":"
                "[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
                "\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}]}}";
        struct kl_scheduler_pod *p = test_pod("new", spread);
        char *got;

        test_add_node(&c, "a1", "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
        test_add_node(&c, "a2", "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
        test_add_node(&c, "b1", "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}");
        test_add_node(&c, "c1", "{\"metadata\":{\"labels\":{\"zone\":\"c\"}}}");
        (void)test_add_pod(&c, "w1", "a1", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        (void)test_add_pod(&c, "w2", "a2", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        (void)test_add_pod(&c, "w3", "b1", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        (void)test_add_pod(&c, "x", "c1", "{\"metadata\":{\"labels\":{\"app\":\"other\"}}}");
        /* zone a holds 2, b 1, c 0: min 0, so a gives skew 3, b 2, c 1. */
        got = test_filter(&c, p, "a1", NULL);
        cr_expect_str_eq(got, "node(s) didn't match pod topology spread constraints");
        free(got);
        got = test_filter(&c, p, "b1", NULL);
        cr_expect_str_eq(got, "node(s) didn't match pod topology spread constraints");
        free(got);
        got = test_filter(&c, p, "c1", NULL);
        cr_expect_str_eq(got, "");
        free(got);
        kl_scheduler__pod_free(p);

        /* minDomains 4 with 3 domains: the global minimum is taken as 0. */
        p = test_pod(
                "new",
                "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"topologySpreadConstraints\":"
                "[{\"maxSkew\":2,\"minDomains\":4,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":"
                "\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}]}}");
        got = test_filter(&c, p, "b1", NULL);
        cr_expect_str_eq(got, "");
        free(got);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* Anti-affinity on a zone key: any pod in the same zone blocks; other zones do not. */
Test(filters, anti_affinity_zone)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "new", "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"affinity\":"
                       "{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
                       "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}},\"topologyKey\":"
                       "\"zone\"}]}}}}");
        char *got;

        test_add_node(&c, "a1", "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
        test_add_node(&c, "a2", "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
        test_add_node(&c, "b1", "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}");
        (void)test_add_pod(&c, "w1", "a1", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        got = test_filter(&c, p, "a2", NULL);
        cr_expect_str_eq(got, "node(s) didn't match pod anti-affinity rules");
        free(got);
        got = test_filter(&c, p, "b1", NULL);
        cr_expect_str_eq(got, "");
        free(got);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* Assume, then forget: what a pod requests is counted and given back exactly. */
Test(filters, assume_and_forget)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *big = test_pod(
                "big", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
                       "{\"requests\":{\"cpu\":\"3\",\"nvidia.com/gpu\":\"1\"}}}]}}");
        struct kl_scheduler_pod *p = test_pod(
                "new", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
                       "{\"requests\":{\"cpu\":\"2\"}}}]}}");
        struct kl_scheduler_node *n;
        char *got;

        test_add_node(&c, "n1", "{\"status\":{\"allocatable\":{\"nvidia.com/gpu\":\"1\"}}}");
        kl_strmap_put(&c.pods, big->key, big);
        kl_scheduler__cache_assign(&c, big, "n1");
        big->assumed = true;
        n = kl_scheduler__cache_node(&c, "n1");
        cr_expect_eq(n->requested.milli_cpu, 3000);
        cr_expect_eq(n->requested.pods, 1);
        cr_expect_eq(kl_scheduler__res_scalar(&n->requested, "nvidia.com/gpu"), 1);
        got = test_filter(&c, p, "n1", NULL);
        cr_expect_str_eq(got, "Insufficient cpu");
        free(got);
        kl_scheduler__cache_unassign(&c, big);
        cr_expect_eq(n->requested.milli_cpu, 0);
        cr_expect_eq(n->requested.pods, 0);
        cr_expect_eq(kl_scheduler__res_scalar(&n->requested, "nvidia.com/gpu"), 0);
        got = test_filter(&c, p, "n1", NULL);
        cr_expect_str_eq(got, "");
        free(got);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* A pod on a node the cache has not seen yet counts there once the node arrives. */
Test(filters, ghost_node_then_node)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "new", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
                       "{\"requests\":{\"cpu\":\"2\"}}}]}}");
        char *got;

        (void)test_add_pod(
                &c, "early", "n1",
                "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
                "{\"requests\":{\"cpu\":\"3\"}}}]}}");
        cr_expect_eq(c.n_list, 0);
        test_add_node(&c, "n1", NULL);
        cr_expect_eq(c.n_list, 1);
        got = test_filter(&c, p, "n1", NULL);
        cr_expect_str_eq(got, "Insufficient cpu");
        free(got);
        kl_scheduler__cache_node_del(&c, "n1");
        cr_expect_eq(c.n_list, 0);
        cr_expect(kl_scheduler__cache_node(&c, "n1") != NULL, "ghost kept while pods remain");
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* Quantities are read once, in milli-CPU and bytes; requests default for scoring only. */
Test(filters, pod_requests_parsed)
{
        struct kl_scheduler_pod *p = test_pod(
                "new", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
                       "{\"requests\":{\"cpu\":\"250m\",\"memory\":\"1.5Gi\"}}},"
                       "{\"name\":\"d\",\"image\":\"x\"}]}}");

        cr_expect_eq(p->req.milli_cpu, 250);
        cr_expect_eq(p->req.memory, 1536LL * 1024 * 1024);
        cr_expect_eq(p->req.pods, 1);
        cr_expect_eq(p->nz_milli_cpu, 350);
        cr_expect_eq(p->nz_memory, 1536LL * 1024 * 1024 + 200LL * 1024 * 1024);
        kl_scheduler__pod_free(p);
}

Test(filters, malformed_pod_refused)
{
        json_t *j =
                test_pod_json("bad", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\","
                                     "\"resources\":{\"requests\":{\"cpu\":\"lots\"}}}]}}");
        struct kl_scheduler_pod *p = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_expect_eq(kl_scheduler__pod_parse(j, &p, &e), -EINVAL);
        cr_expect(strstr(kl_err_msg(e), "cpu") != NULL, "%s", kl_err_msg(e));
        json_decref(j);
}
