/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "base/pool.h"

Test(pool, small_allocations_are_aligned_and_distinct)
{
        struct kl_pool p = KL_POOL_INIT;
        char *prev = NULL;

        for (size_t i = 0; i < 1000; i++) {
                char *q = kl_pool_alloc(&p, i % 37);

                cr_assert_eq((uintptr_t)q % alignof(max_align_t), 0);
                cr_assert_neq(q, prev);
                memset(q, 0xab, i % 37);
                prev = q;
        }
        kl_pool_release(&p);
}

Test(pool, large_allocation_keeps_current_chunk)
{
        struct kl_pool p;
        char *a, *big, *b;

        kl_pool_init(&p, 256);
        a = kl_pool_alloc(&p, 16);
        big = kl_pool_alloc(&p, 100000);
        memset(big, 1, 100000);
        b = kl_pool_alloc(&p, 16);
        /* The small allocations still come from the same chunk, one after another. */
        cr_assert_eq(b, a + 16);
        kl_pool_release(&p);
}

Test(pool, large_first_then_small)
{
        struct kl_pool p;
        char *big, *s;

        kl_pool_init(&p, 128);
        big = kl_pool_alloc(&p, 4096);
        s = kl_pool_strdup(&p, "small");
        memset(big, 0, 4096);
        cr_assert_str_eq(s, "small");
        kl_pool_release(&p);
}

Test(pool, strings)
{
        struct kl_pool p = KL_POOL_INIT;
        char *s = kl_pool_strdup(&p, "hello");
        char *n = kl_pool_strndup(&p, "hello world", 5);
        char *f = kl_pool_printf(&p, "%s-%d", "x", 42);
        char *m = kl_pool_memdup(&p, "ab\0c", 4);
        int *z = kl_pool_calloc(&p, 10, sizeof(int));

        cr_assert_str_eq(s, "hello");
        cr_assert_str_eq(n, "hello");
        cr_assert_str_eq(f, "x-42");
        cr_assert_eq(memcmp(m, "ab\0c", 4), 0);
        for (int i = 0; i < 10; i++)
                cr_assert_eq(z[i], 0);
        kl_pool_release(&p);
}

static char order[8];
static size_t n_order;

static void record(void *arg)
{
        order[n_order++] = *(const char *)arg;
}

Test(pool, defer_runs_newest_first_and_pool_is_reusable)
{
        struct kl_pool p = KL_POOL_INIT;
        static const char a = 'a', b = 'b', c = 'c';

        kl_pool_defer(&p, record, (void *)&a);
        kl_pool_defer(&p, record, (void *)&b);
        kl_pool_defer(&p, record, (void *)&c);
        kl_pool_release(&p);
        cr_assert_eq(n_order, 3);
        cr_assert_eq(memcmp(order, "cba", 3), 0);

        /* Released pools are empty and usable again; releasing twice is harmless. */
        cr_assert_str_eq(kl_pool_strdup(&p, "again"), "again");
        kl_pool_release(&p);
        kl_pool_release(&p);
        cr_assert_eq(n_order, 3);
}

Test(pool, zero_size_gives_unique_pointers)
{
        struct kl_pool p = KL_POOL_INIT;
        void *a = kl_pool_alloc(&p, 0);
        void *b = kl_pool_alloc(&p, 0);

        cr_assert_neq(a, b);
        kl_pool_release(&p);
}
