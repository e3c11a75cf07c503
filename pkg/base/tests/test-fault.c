/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "base/base.h"
#include "base/fault.h"

Test(fault, unarmed_points_pass)
{
        kl_fault_reset();
        cr_assert_eq(KL_FAULT("test.unarmed"), 0);
        cr_assert_eq(kl_fault_hits("test.unarmed"), 0);
}

Test(fault, nth_hit_fails_once)
{
        kl_fault_reset();
        kl_fault_arm("test.nth", 3, false, -EIO);
        cr_assert_eq(KL_FAULT("test.nth"), 0);
        cr_assert_eq(KL_FAULT("test.nth"), 0);
        cr_assert_eq(KL_FAULT("test.nth"), -EIO);
        cr_assert_eq(KL_FAULT("test.nth"), 0);
        cr_assert_eq(kl_fault_hits("test.nth"), 4);
}

Test(fault, sticky_fails_from_nth_on)
{
        kl_fault_reset();
        kl_fault_arm("test.sticky", 2, true, -ENOSPC);
        cr_assert_eq(KL_FAULT("test.sticky"), 0);
        cr_assert_eq(KL_FAULT("test.sticky"), -ENOSPC);
        cr_assert_eq(KL_FAULT("test.sticky"), -ENOSPC);
}

Test(fault, environment_specs)
{
        /* Criterion runs each test in its own process, so setenv() here touches no one else. */
        cr_assert_eq(setenv("KL_FAULTS", "a.b@2,c.d,e.f@1+=28", 1), 0);
        cr_assert_eq(KL_FAULT("a.b"), 0);
        cr_assert_eq(KL_FAULT("a.b"), -EIO);
        cr_assert_eq(KL_FAULT("a.b"), 0);
        cr_assert_eq(KL_FAULT("c.d"), -EIO);
        cr_assert_eq(KL_FAULT("c.d"), -EIO);
        cr_assert_eq(KL_FAULT("e.f"), -ENOSPC);
        cr_assert_eq(KL_FAULT("e.f"), -ENOSPC);
        cr_assert_eq(KL_FAULT("other"), 0);
}
