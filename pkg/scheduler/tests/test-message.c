/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FailedScheduling text, byte for byte as upstream's FitError (v1.32)
 * and the default preemption plugin's PostFilter message words it: counts
 * per reason sorted as strings, the preemption dry run's own histogram, and
 * the double full stop upstream ends with.
 */
#include "sched-test.h"

/* Try every node of `c` as the scheduler does and build the message. */
static char *message_for(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p,
                         bool *victims_fit)
{
        struct kl_scheduler_cycle cy;
        struct kl_scheduler_diagnosis d = { .n_all = c->n_list };
        char *pre, *msg;
        bool fits_somewhere = false;

        kl_scheduler__cycle_init(&cy, c, p, NULL, NULL);
        for (size_t i = 0; i < c->n_list; i++) {
                struct kl_scheduler_status st;

                if (kl_scheduler__filter(&cy, c->list[i], &st))
                        fits_somewhere = true;
                else
                        kl_scheduler__diag_add(&d, &st);
        }
        cr_assert(!fits_somewhere);
        pre = kl_scheduler__preemption_message(&cy, &d, victims_fit);
        msg = kl_scheduler__fit_message(&d, p, pre);
        free(pre);
        kl_scheduler__cycle_release(&cy);
        kl_scheduler__diag_release(&d);
        return msg;
}

static const char *cpu_pod = "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\","
                             "\"resources\":{\"requests\":{\"cpu\":\"3\"}}}]}}";
static const char *busy = "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\","
                          "\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}";

Test(message, taint_and_cpu)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod("web-1", cpu_pod);
        kl_autofree char *msg = NULL;
        bool fit;

        test_add_node(&c, "cp",
                      "{\"spec\":{\"taints\":[{\"key\":"
                      "\"node-role.kubernetes.io/control-plane\",\"effect\":"
                      "\"NoSchedule\"}]}}");
        test_add_node(&c, "n1", NULL);
        test_add_node(&c, "n2", NULL);
        (void)test_add_pod(&c, "a", "n1", busy);
        (void)test_add_pod(&c, "b", "n2", busy);
        msg = message_for(&c, p, &fit);
        cr_expect_str_eq(msg, "0/3 nodes are available: 1 node(s) had untolerated taint "
                              "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
                              "preemption: 0/3 nodes are available: 1 Preemption is not helpful "
                              "for scheduling, 2 No preemption victims found for incoming pod..");
        cr_expect(!fit);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

Test(message, only_unresolvable)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p =
                test_pod("web-1", "{\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}");
        kl_autofree char *msg = NULL;
        bool fit;

        test_add_node(&c, "n1", NULL);
        test_add_node(&c, "n2", "{\"spec\":{\"unschedulable\":true}}");
        msg = message_for(&c, p, &fit);
        cr_expect_str_eq(msg, "0/2 nodes are available: 1 node(s) didn't match Pod's node "
                              "affinity/selector, 1 node(s) were unschedulable. preemption: 0/2 "
                              "nodes are available: 2 Preemption is not helpful for scheduling..");
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* Counts sort as strings, as Go's sort.Strings does: "10 ..." before "2 ...". */
Test(message, sorted_as_strings)
{
        struct kl_scheduler_diagnosis d = { .n_all = 12 };
        struct kl_scheduler_status cpu = { .reasons = 1U << KL_SCHEDULER_R_CPU };
        struct kl_scheduler_status ports = { .reasons = 1U << KL_SCHEDULER_R_PORTS };
        kl_autofree char *msg = NULL;

        for (int i = 0; i < 10; i++)
                kl_scheduler__diag_add(&d, &ports);
        kl_scheduler__diag_add(&d, &cpu);
        kl_scheduler__diag_add(&d, &cpu);
        msg = kl_scheduler__fit_message(&d, NULL, NULL);
        cr_expect_str_eq(msg, "0/12 nodes are available: 10 node(s) didn't have free ports for "
                              "the requested pod ports, 2 Insufficient cpu.");
        kl_scheduler__diag_release(&d);
}

/* One node short of cpu and memory counts once for each. */
Test(message, several_reasons_per_node)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "big", "{\"spec\":{\"preemptionPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
                       "\"image\":\"x\",\"resources\":{\"requests\":{\"cpu\":\"8\",\"memory\":"
                       "\"16Gi\",\"example.com/foo\":\"1\"}}}]}}");
        kl_autofree char *msg = NULL;
        bool fit;

        test_add_node(&c, "n1", NULL);
        msg = message_for(&c, p, &fit);
        cr_expect_str_eq(msg, "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient "
                              "example.com/foo, 1 Insufficient memory. preemption: not eligible "
                              "due to preemptionPolicy=Never..");
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* Lower-priority pods whose removal would not help: the dry run's reasons. */
Test(message, victims_that_do_not_help)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "web-1", "{\"spec\":{\"priority\":100,\"containers\":[{\"name\":\"c\",\"image\":"
                         "\"x\",\"resources\":{\"requests\":{\"cpu\":\"3\"}}}]}}");
        kl_autofree char *msg = NULL;
        bool fit;

        test_add_node(&c, "n1", NULL);
        (void)test_add_pod(&c, "low", "n1",
                           "{\"spec\":{\"priority\":0,\"containers\":[{\"name\":\"c\",\"image\":"
                           "\"x\",\"resources\":{\"requests\":{\"cpu\":\"500m\"}}}]}}");
        (void)test_add_pod(&c, "high", "n1",
                           "{\"spec\":{\"priority\":1000,\"containers\":[{\"name\":\"c\",\"image\":"
                           "\"x\",\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}");
        msg = message_for(&c, p, &fit);
        cr_expect_str_eq(msg, "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 "
                              "nodes are available: 1 Insufficient cpu..");
        cr_expect(!fit);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* Upstream would preempt here; kube-lite does not, and says nothing about it. */
Test(message, victims_that_would_help)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "web-1", "{\"spec\":{\"priority\":100,\"containers\":[{\"name\":\"c\",\"image\":"
                         "\"x\",\"resources\":{\"requests\":{\"cpu\":\"3\"}}}]}}");
        kl_autofree char *msg = NULL;
        bool fit;

        test_add_node(&c, "n1", NULL);
        (void)test_add_pod(&c, "low", "n1", busy);
        msg = message_for(&c, p, &fit);
        cr_expect(fit);
        cr_expect_str_eq(msg, "0/1 nodes are available: 1 Insufficient cpu.");
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

Test(message, reasons_of_every_plugin)
{
        static const struct {
                enum kl_scheduler_reason r;
                const char *want;
        } cases[] = {
                { KL_SCHEDULER_R_UNSCHEDULABLE, "node(s) were unschedulable" },
                { KL_SCHEDULER_R_AFFINITY, "node(s) didn't match Pod's node affinity/selector" },
                { KL_SCHEDULER_R_PORTS,
                  "node(s) didn't have free ports for the requested pod ports" },
                { KL_SCHEDULER_R_TOO_MANY_PODS, "Too many pods" },
                { KL_SCHEDULER_R_CPU, "Insufficient cpu" },
                { KL_SCHEDULER_R_MEMORY, "Insufficient memory" },
                { KL_SCHEDULER_R_EPHEMERAL, "Insufficient ephemeral-storage" },
                { KL_SCHEDULER_R_SPREAD, "node(s) didn't match pod topology spread constraints" },
                { KL_SCHEDULER_R_SPREAD_LABEL,
                  "node(s) didn't match pod topology spread constraints (missing required label)" },
                { KL_SCHEDULER_R_POD_AFFINITY, "node(s) didn't match pod affinity rules" },
                { KL_SCHEDULER_R_POD_ANTI_AFFINITY,
                  "node(s) didn't match pod anti-affinity rules" },
                { KL_SCHEDULER_R_EXISTING_ANTI,
                  "node(s) didn't satisfy existing pods anti-affinity rules" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_scheduler_status st = { .reasons = 1U << cases[i].r };
                kl_autofree char *got = test_reasons(&st, NULL);

                cr_expect_str_eq(got, cases[i].want);
        }
}
