/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The score plugins against upstream's arithmetic (v1.32): LeastAllocated
 * and BalancedAllocation on cpu and memory, TaintToleration and
 * NodeAffinity normalisation, PodTopologySpread ScheduleAnyway, the
 * weighted sum, node sampling (numFeasibleNodesToFind) and host selection.
 */
#include "sched-test.h"

static const char *requests(const char *cpu, const char *mem, char *buf, size_t size)
{
        (void)snprintf(buf, size,
                       "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"
                       "{\"requests\":{\"cpu\":\"%s\",\"memory\":\"%s\"}}}]}}",
                       cpu, mem);
        return buf;
}

Test(scores, least_allocated)
{
        static const struct {
                const char *cpu, *mem;   /* the incoming pod */
                const char *ecpu, *emem; /* already on the 4-CPU 8Gi node */
                int64_t want;
        } cases[] = {
                /* (4000-1000)*100/4000 = 75, (8Gi-2Gi)*100/8Gi = 75 */
                { "1", "2Gi", NULL, NULL, 75 },
                /* cpu (4000-3000)/4000 = 25, memory 6Gi/8Gi free = 75: (25 + 75) / 2 */
                { "1", "1Gi", "2", "1Gi", 50 },
                /* more than allocatable scores 0 for that resource */
                { "5", "4Gi", NULL, NULL, 25 },
                /* a pod without requests counts as 100m and 200Mi: 97 and 97 */
                { NULL, NULL, NULL, NULL, 97 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_scheduler_cache c = { 0 };
                char buf[512];
                struct kl_scheduler_pod *p = test_pod(
                        "new", cases[i].cpu ? requests(cases[i].cpu, cases[i].mem, buf, sizeof(buf))
                                            : NULL);

                test_add_node(&c, "n1", NULL);
                if (cases[i].ecpu)
                        (void)test_add_pod(
                                &c, "old", "n1",
                                requests(cases[i].ecpu, cases[i].emem, buf, sizeof(buf)));
                cr_expect_eq(
                        kl_scheduler__score_least_allocated(p, kl_scheduler__cache_node(&c, "n1")),
                        cases[i].want, "case %zu: %lld", i,
                        (long long)kl_scheduler__score_least_allocated(
                                p, kl_scheduler__cache_node(&c, "n1")));
                kl_scheduler__pod_free(p);
                kl_scheduler__cache_release(&c);
        }
}

Test(scores, balanced_allocation)
{
        static const struct {
                const char *cpu, *mem;
                int64_t want;
        } cases[] = {
                { "1", "2Gi", 100 }, /* 0.25 and 0.25 */
                { "2", "0", 75 },    /* 0.5 and 0: 1 - |0.5 - 0| / 2 */
                { "4", "0", 50 },    /* 1 and 0 */
                { "8", "0", 50 },    /* fractions are capped at 1 */
                { "1", "6Gi", 75 },  /* 0.25 and 0.75 */
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_scheduler_cache c = { 0 };
                char buf[512];
                struct kl_scheduler_pod *p =
                        test_pod("new", requests(cases[i].cpu, cases[i].mem, buf, sizeof(buf)));

                test_add_node(&c, "n1", NULL);
                cr_expect_eq(kl_scheduler__score_balanced(p, kl_scheduler__cache_node(&c, "n1")),
                             cases[i].want, "case %zu", i);
                kl_scheduler__pod_free(p);
                kl_scheduler__cache_release(&c);
        }
}

Test(scores, normalize)
{
        int64_t a[] = { 0, 1, 2, 4 }, b[] = { 0, 1, 2, 4 }, z[] = { 0, 0 }, zr[] = { 0, 0 };

        kl_scheduler__normalize(a, 4, false);
        cr_expect(a[0] == 0 && a[1] == 25 && a[2] == 50 && a[3] == 100);
        kl_scheduler__normalize(b, 4, true);
        cr_expect(b[0] == 100 && b[1] == 75 && b[2] == 50 && b[3] == 0);
        kl_scheduler__normalize(z, 2, false);
        cr_expect(z[0] == 0 && z[1] == 0);
        kl_scheduler__normalize(zr, 2, true);
        cr_expect(zr[0] == 100 && zr[1] == 100);
}

Test(scores, taints_and_node_affinity)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "new", "{\"spec\":{\"tolerations\":[{\"key\":\"soft\",\"operator\":\"Exists\","
                       "\"effect\":\"PreferNoSchedule\"}],\"affinity\":{\"nodeAffinity\":"
                       "{\"preferredDuringSchedulingIgnoredDuringExecution\":["
                       "{\"weight\":20,\"preference\":{\"matchExpressions\":[{\"key\":\"disk\","
                       "\"operator\":\"In\",\"values\":[\"ssd\"]}]}},"
                       "{\"weight\":80,\"preference\":{\"matchExpressions\":[{\"key\":\"zone\","
                       "\"operator\":\"In\",\"values\":[\"a\"]}]}}]}}}}");

        test_add_node(&c, "plain", NULL);
        test_add_node(&c, "tainted",
                      "{\"spec\":{\"taints\":[{\"key\":\"x\",\"effect\":\"PreferNoSchedule\"},"
                      "{\"key\":\"y\",\"effect\":\"PreferNoSchedule\"},"
                      "{\"key\":\"soft\",\"effect\":\"PreferNoSchedule\"}]}}");
        test_add_node(&c, "ssd", "{\"metadata\":{\"labels\":{\"disk\":\"ssd\"}}}");
        test_add_node(&c, "both", "{\"metadata\":{\"labels\":{\"disk\":\"ssd\",\"zone\":\"a\"}}}");
        cr_expect_eq(kl_scheduler__score_taints(p, kl_scheduler__cache_node(&c, "plain")), 0);
        cr_expect_eq(kl_scheduler__score_taints(p, kl_scheduler__cache_node(&c, "tainted")), 2);
        cr_expect_eq(kl_scheduler__score_node_affinity(p, kl_scheduler__cache_node(&c, "plain")),
                     0);
        cr_expect_eq(kl_scheduler__score_node_affinity(p, kl_scheduler__cache_node(&c, "ssd")), 20);
        cr_expect_eq(kl_scheduler__score_node_affinity(p, kl_scheduler__cache_node(&c, "both")),
                     100);

        {
                struct kl_scheduler_node *nodes[] = { kl_scheduler__cache_node(&c, "plain"),
                                                      kl_scheduler__cache_node(&c, "tainted"),
                                                      kl_scheduler__cache_node(&c, "ssd"),
                                                      kl_scheduler__cache_node(&c, "both") };
                int64_t s[4];
                struct kl_scheduler_cycle cy;

                kl_scheduler__cycle_init(&cy, &c, p, NULL, NULL);
                kl_scheduler__score_all(&cy, nodes, 4, s);
                kl_scheduler__cycle_release(&cy);
                /*
                 * Fit 97 and balance 100 everywhere (empty nodes, a pod
                 * without requests); taints 3 x (100, 0, 100, 100); node
                 * affinity 2 x (0, 0, 20, 100).
                 */
                cr_expect_eq(s[0], 97 + 100 + 300 + 0);
                cr_expect_eq(s[1], 97 + 100 + 0 + 0);
                cr_expect_eq(s[2], 97 + 100 + 300 + 40);
                cr_expect_eq(s[3], 97 + 100 + 300 + 200);
                cr_expect_eq(kl_scheduler__select_host(s, 4, &(uint64_t){ 1 }), 3);
        }
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

/* ScheduleAnyway: the node whose zone has fewer matching pods scores higher. */
Test(scores, topology_spread_schedule_anyway)
{
        struct kl_scheduler_cache c = { 0 };
        struct kl_scheduler_pod *p = test_pod(
                "new", "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"
                       "{\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
                       "\"whenUnsatisfiable\":\"ScheduleAnyway\",\"labelSelector\":"
                       "{\"matchLabels\":{\"app\":\"web\"}}}]}}");
        struct kl_scheduler_cycle cy;
        int64_t s[3];

        test_add_node(&c, "a", "{\"metadata\":{\"labels\":{\"zone\":\"a\"}}}");
        test_add_node(&c, "b", "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}");
        test_add_node(&c, "none", NULL);
        (void)test_add_pod(&c, "w1", "a", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        (void)test_add_pod(&c, "w2", "a", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
        {
                struct kl_scheduler_node *nodes[] = { kl_scheduler__cache_node(&c, "a"),
                                                      kl_scheduler__cache_node(&c, "b"),
                                                      kl_scheduler__cache_node(&c, "none") };

                kl_scheduler__cycle_init(&cy, &c, p, NULL, NULL);
                kl_scheduler__score_all(&cy, nodes, 3, s);
                kl_scheduler__cycle_release(&cy);
        }
        /*
         * Two domains: weight log(4); a raw round(2 * 1.386) = 3, b 0;
         * normalised 100 * (3 + 0 - s) / 3: a 0, b 100; "none" lacks the
         * key and gets 0. Weight 2. The other plugins add the same except
         * that a holds two pods (least allocated 2 x 100m, 200Mi less).
         */
        cr_expect_gt(s[1], s[0]);
        cr_expect_gt(s[1], s[2]);
        cr_expect_eq(s[1] - s[2], 200);
        kl_scheduler__pod_free(p);
        kl_scheduler__cache_release(&c);
}

Test(scores, num_feasible_nodes_to_find)
{
        static const struct {
                size_t all;
                unsigned pct;
                size_t want;
        } cases[] = {
                { 0, 0, 0 },       { 50, 0, 50 },       { 99, 0, 99 },
                { 100, 0, 100 },   { 200, 0, 100 }, /* 48% is 96, but never fewer than 100 */
                { 1000, 0, 420 },                   /* 50 - 8 = 42% */
                { 5000, 0, 500 },                   /* 50 - 40 = 10% */
                { 6000, 0, 300 },                   /* 50 - 48 = 2%, raised to 5% */
                { 1000, 30, 300 }, { 1000, 100, 1000 }, { 150, 10, 100 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                cr_expect_eq(kl_scheduler__num_feasible_to_find(cases[i].all, cases[i].pct),
                             cases[i].want, "%zu nodes, %u%%", cases[i].all, cases[i].pct);
}

Test(scores, select_host_breaks_ties_among_the_best_only)
{
        int64_t s[] = { 5, 9, 3, 9, 9, 1 };
        size_t hits[6] = { 0 };
        uint64_t rng = 42;

        for (int i = 0; i < 3000; i++)
                hits[kl_scheduler__select_host(s, 6, &rng)]++;
        cr_expect_eq(hits[0] + hits[2] + hits[5], 0);
        /* Reservoir sampling: each of the three best is picked about a third of the time. */
        cr_expect(hits[1] > 800 && hits[3] > 800 && hits[4] > 800, "%zu %zu %zu", hits[1], hits[3],
                  hits[4]);
        /* Same seed, same choices. */
        {
                uint64_t a = 7, b = 7;

                for (int i = 0; i < 100; i++)
                        cr_expect_eq(kl_scheduler__select_host(s, 6, &a),
                                     kl_scheduler__select_host(s, 6, &b));
        }
}
